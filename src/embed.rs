//! The rules of the embedding protocol (README "Embedding") that need no
//! browser: what a host page's values must look like before the viewer acts
//! on them, and how often the viewer reports a moving view. The messages
//! themselves are decoded in `web::embed`.
//!
//! Everything a host sends is hostile until checked: a view must be two
//! finite times in order, a goroutine a whole non-negative number, a title
//! short plain text.

use crate::safe_text;

/// The longest title a host may give (characters, after escaping).
pub const MAX_TITLE: usize = 120;

/// The fewest milliseconds between two `view` events while the user pans or
/// zooms ("at most a few per second"); the last view is always sent.
pub const VIEW_EVENT_INTERVAL_MS: f64 = 250.0;

/// A host's view request `{start, end}` (ns since the trace's start), checked.
pub fn checked_view(start: f64, end: f64) -> Option<(f64, f64)> {
    const MAX_NS: f64 = 9.0e18; // within i64, and any trace
    (start.is_finite() && end.is_finite() && start >= 0.0 && end > start && end <= MAX_NS)
        .then_some((start, end))
}

/// A host's goroutine id, checked: a whole number from 0 to 2^53.
pub fn checked_goroutine(g: f64) -> Option<i64> {
    (g.is_finite() && g >= 0.0 && g.fract() == 0.0 && g <= 9_007_199_254_740_992.0)
        .then_some(g as i64)
}

/// A host's title, as text the page can show.
pub fn checked_title(title: &str) -> String {
    safe_text::visible(title.trim(), MAX_TITLE)
}

/// Leading-and-trailing rate limit for `view` events: the first change is
/// sent at once, later ones at most every [`VIEW_EVENT_INTERVAL_MS`], and the
/// last one is never dropped (the caller asks again after `retry_in`).
#[derive(Debug, Default)]
pub struct Throttle {
    last_sent_ms: Option<f64>,
    sent: Option<(f64, f64)>,
}

/// What to do with a view now.
#[derive(Debug, PartialEq)]
pub enum Send {
    /// Send it.
    Now,
    /// Nothing new to send.
    Nothing,
    /// Too soon: ask again in this many milliseconds.
    Later(f64),
}

impl Throttle {
    /// Whether the view (start, end) should be sent at time `now_ms`; when it
    /// says [`Send::Now`] the view counts as sent.
    pub fn offer(&mut self, view: (f64, f64), now_ms: f64) -> Send {
        if self.sent == Some(view) {
            return Send::Nothing;
        }
        if let Some(last) = self.last_sent_ms {
            let wait = last + VIEW_EVENT_INTERVAL_MS - now_ms;
            if wait > 0.0 {
                return Send::Later(wait);
            }
        }
        self.last_sent_ms = Some(now_ms);
        self.sent = Some(view);
        Send::Now
    }

    /// Forget what was sent (a new trace).
    pub fn reset(&mut self) {
        *self = Throttle::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_must_be_ordered_finite_times() {
        assert_eq!(checked_view(0.0, 10.0), Some((0.0, 10.0)));
        assert_eq!(checked_view(10.0, 10.0), None);
        assert_eq!(checked_view(-1.0, 10.0), None);
        assert_eq!(checked_view(f64::NAN, 10.0), None);
        assert_eq!(checked_view(0.0, f64::INFINITY), None);
        assert_eq!(checked_view(0.0, 1e19), None);
    }

    #[test]
    fn goroutines_are_whole_numbers() {
        assert_eq!(checked_goroutine(21.0), Some(21));
        assert_eq!(checked_goroutine(0.0), Some(0));
        assert_eq!(checked_goroutine(-1.0), None);
        assert_eq!(checked_goroutine(1.5), None);
        assert_eq!(checked_goroutine(f64::NAN), None);
        assert_eq!(checked_goroutine(1e300), None);
    }

    #[test]
    fn titles_are_plain_and_short() {
        assert_eq!(checked_title("  ok \u{202e}x "), "ok \\u202ex");
        assert!(checked_title(&"t".repeat(10_000)).chars().count() <= MAX_TITLE + 1);
    }

    #[test]
    fn throttle_sends_first_and_last() {
        let mut t = Throttle::default();
        assert_eq!(t.offer((0.0, 10.0), 0.0), Send::Now);
        assert_eq!(t.offer((0.0, 10.0), 10.0), Send::Nothing);
        assert_eq!(t.offer((1.0, 10.0), 100.0), Send::Later(150.0));
        assert_eq!(t.offer((2.0, 10.0), 200.0), Send::Later(50.0));
        assert_eq!(t.offer((2.0, 10.0), 250.0), Send::Now);
        assert_eq!(t.offer((2.0, 10.0), 900.0), Send::Nothing);
        t.reset();
        assert_eq!(t.offer((2.0, 10.0), 901.0), Send::Now);
    }
}
