//! The view state — everything about *how* the trace is looked at, in one
//! place: visible time range, vertical scroll, range selection, selected
//! span, collapsed groups, hover position. Pure; mirrored in the URL hash
//! (see [`View::hash_state`], [`HashState::parse`]).

use std::collections::BTreeSet;

/// Width of the lane-label gutter on the left of the canvas, CSS pixels.
pub const GUTTER: f64 = 190.0;
/// Height of the time axis at the top of the canvas, CSS pixels.
pub const AXIS_H: f64 = 26.0;
/// The smallest visible range, ns.
pub const MIN_RANGE: f64 = 100.0;

/// A selected goroutine state span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selected {
    /// Goroutine index in the timeline.
    pub g: u32,
    /// Span index in `Timeline::spans`.
    pub span: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// Visible time range, ns since the trace start.
    pub t0: f64,
    pub t1: f64,
    /// Vertical scroll of the lanes, CSS px.
    pub scroll_y: f64,
    /// Canvas size, CSS px.
    pub width: f64,
    pub height: f64,
    /// Shift+drag range selection, ns.
    pub selection: Option<(f64, f64)>,
    pub selected: Option<Selected>,
    /// Collapsed goroutine groups (group indices).
    pub collapsed: BTreeSet<u32>,
    /// Mouse position over the canvas, CSS px.
    pub hover: Option<(f64, f64)>,
    /// Trace duration, ns (bounds for panning).
    pub duration: f64,
}

impl Default for View {
    fn default() -> Self {
        View {
            t0: 0.0,
            t1: 1.0,
            scroll_y: 0.0,
            width: 800.0,
            height: 600.0,
            selection: None,
            selected: None,
            collapsed: BTreeSet::new(),
            hover: None,
            duration: 1.0,
        }
    }
}

impl View {
    /// A fresh view of a trace `duration` ns long, showing all of it.
    pub fn new(duration: i64, width: f64, height: f64) -> View {
        let mut v = View {
            width,
            height,
            duration: duration.max(1) as f64,
            ..View::default()
        };
        v.fit_all();
        v
    }
    /// Width of the time area, px.
    pub fn plot_width(&self) -> f64 {
        (self.width - GUTTER).max(1.0)
    }
    pub fn ns_per_px(&self) -> f64 {
        (self.t1 - self.t0) / self.plot_width()
    }
    /// Canvas x of time `t`.
    pub fn x_of(&self, t: f64) -> f64 {
        GUTTER + (t - self.t0) / self.ns_per_px()
    }
    /// Time at canvas x.
    pub fn t_of(&self, x: f64) -> f64 {
        self.t0 + (x - GUTTER) * self.ns_per_px()
    }
    /// Keeps the range within the trace (with a little margin) and not too small.
    pub fn clamp(&mut self) {
        let margin = self.duration * 0.05;
        let (lo, hi) = (-margin, self.duration + margin);
        let mut len = (self.t1 - self.t0).clamp(MIN_RANGE, hi - lo);
        if !len.is_finite() {
            len = hi - lo;
        }
        let mut t0 = self.t0;
        if !t0.is_finite() {
            t0 = 0.0;
        }
        t0 = t0.clamp(lo, hi - len);
        self.t0 = t0;
        self.t1 = t0 + len;
    }
    pub fn fit_all(&mut self) {
        self.fit(0.0, self.duration);
    }
    /// Shows `[a, b]` (with 2% padding on each side).
    pub fn fit(&mut self, a: f64, b: f64) {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let pad = (b - a).max(MIN_RANGE) * 0.02;
        self.t0 = a - pad;
        self.t1 = b.max(a + MIN_RANGE) + pad;
        self.clamp();
    }
    /// Zooms by `factor` (< 1 zooms in) keeping the time under canvas x fixed.
    pub fn zoom_at(&mut self, factor: f64, x: f64) {
        let anchor = self.t_of(x.clamp(GUTTER, self.width));
        let f = factor.clamp(0.01, 100.0);
        self.t0 = anchor - (anchor - self.t0) * f;
        self.t1 = anchor + (self.t1 - anchor) * f;
        if self.t1 - self.t0 < MIN_RANGE {
            let mid = (self.t0 + self.t1) / 2.0;
            self.t0 = mid - MIN_RANGE / 2.0;
            self.t1 = mid + MIN_RANGE / 2.0;
        }
        self.clamp();
    }
    /// Pans by `dx` pixels (positive moves later in time into view).
    pub fn pan_px(&mut self, dx: f64) {
        let dt = dx * self.ns_per_px();
        self.t0 += dt;
        self.t1 += dt;
        self.clamp();
    }
    /// Scrolls the lanes by `dy` pixels within `content_h`.
    pub fn scroll_by(&mut self, dy: f64, content_h: f64) {
        let max = (content_h - (self.height - AXIS_H)).max(0.0);
        self.scroll_y = (self.scroll_y + dy).clamp(0.0, max);
    }
    /// The state mirrored in the URL hash (without the selected slice,
    /// the top lane and the page, which the caller knows).
    pub fn hash_state(&self) -> HashState {
        HashState {
            range: Some((self.t0.round(), self.t1.round())),
            selection: self
                .selection
                .map(|(a, b)| (a.min(b).round(), a.max(b).round())),
            ..HashState::default()
        }
    }
}

/// What a URL hash says: `#t=START,END&g=GOROUTINE&s=SLICE_START&sel=A,B&lane=KEY&page=ID`,
/// times in ns since the trace start. `g` alone selects the goroutine's
/// slice in view (else its first); with `s`, the slice that starts then.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HashState {
    pub range: Option<(f64, f64)>,
    pub goroutine: Option<i64>,
    /// Start of the selected slice of `goroutine`, ns.
    pub slice: Option<i64>,
    /// Shift-drag range selection, ns.
    pub selection: Option<(f64, f64)>,
    /// Key of the lane at the top of the view (`lanes::lane_key`).
    pub lane: Option<String>,
    /// Open analysis page (`Page::id`).
    pub page: Option<String>,
    /// For a big trace shown a part at a time, the byte where the part
    /// shown starts (`part=`; absent for the first part): the times above
    /// are the part's.
    pub part: Option<u64>,
}

fn parse_pair(v: &str) -> Option<(f64, f64)> {
    let (a, b) = v.split_once(',')?;
    let (a, b) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
    (a.is_finite() && b.is_finite() && b > a).then_some((a, b))
}

/// Lane keys and page ids: letters, digits, `.`, `_`, `-`, `:` only.
fn token(v: &str) -> Option<String> {
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':'));
    ok.then(|| v.to_string())
}

impl HashState {
    /// Parses a hash (with or without the leading `#`); ignores what it does not understand.
    pub fn parse(hash: &str) -> HashState {
        let mut st = HashState::default();
        for part in hash.trim_start_matches('#').split('&') {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            match k {
                "t" => st.range = parse_pair(v),
                "g" => st.goroutine = v.trim().parse().ok(),
                "s" => st.slice = v.trim().parse().ok(),
                "sel" => st.selection = parse_pair(v),
                "lane" => st.lane = token(v.trim()),
                "page" => st.page = token(v.trim()),
                "part" => st.part = v.trim().parse().ok().filter(|&p: &u64| p > 0),
                _ => {}
            }
        }
        if st.goroutine.is_none() {
            st.slice = None;
        }
        st
    }

    /// The hash text (no leading `#`), in the order `part, t, g, s, sel,
    /// lane, page`.
    pub fn format(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = self.part {
            parts.push(format!("part={p}"));
        }
        if let Some((a, b)) = self.range {
            parts.push(format!("t={},{}", a.round() as i64, b.round() as i64));
        }
        if let Some(g) = self.goroutine {
            parts.push(format!("g={g}"));
            if let Some(s) = self.slice {
                parts.push(format!("s={s}"));
            }
        }
        if let Some((a, b)) = self.selection {
            parts.push(format!("sel={},{}", a.round() as i64, b.round() as i64));
        }
        if let Some(l) = &self.lane {
            parts.push(format!("lane={l}"));
        }
        if let Some(p) = &self.page {
            parts.push(format!("page={p}"));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> View {
        View::new(1_000_000, GUTTER + 1000.0, 500.0)
    }

    #[test]
    fn fit_all_pads_and_maps_pixels() {
        let v = view();
        assert!(v.t0 < 0.0 && v.t1 > 1e6);
        let x = v.x_of(500_000.0);
        assert!((v.t_of(x) - 500_000.0).abs() < 1e-6);
        assert!((v.x_of(v.t0) - GUTTER).abs() < 1e-9);
    }

    #[test]
    fn zoom_keeps_anchor_fixed() {
        let mut v = view();
        let x = GUTTER + 300.0;
        let before = v.t_of(x);
        v.zoom_at(0.5, x);
        assert!((v.t_of(x) - before).abs() < 1e-6);
        assert!((v.t1 - v.t0 - 1_040_000.0 * 0.5).abs() < 1.0);
        // Cannot zoom below the minimum range.
        for _ in 0..100 {
            v.zoom_at(0.5, x);
        }
        assert!(v.t1 - v.t0 >= MIN_RANGE - 1e-9);
        // Nor out beyond the trace.
        for _ in 0..100 {
            v.zoom_at(2.0, x);
        }
        assert!(v.t0 >= -50_000.0 - 1e-6 && v.t1 <= 1_050_000.0 + 1e-6);
    }

    #[test]
    fn pan_is_bounded() {
        let mut v = view();
        v.fit(0.0, 1000.0);
        v.pan_px(100.0);
        assert!(v.t0 > 0.0);
        v.pan_px(-1e9);
        assert!((v.t0 + 50_000.0).abs() < 1e-6);
    }

    #[test]
    fn scrolling_is_bounded() {
        let mut v = view();
        v.scroll_by(-10.0, 2000.0);
        assert_eq!(v.scroll_y, 0.0);
        v.scroll_by(10_000.0, 2000.0);
        assert_eq!(v.scroll_y, 2000.0 - (500.0 - AXIS_H));
    }

    #[test]
    fn hash_round_trip() {
        let mut v = view();
        v.fit(1000.0, 5000.0);
        let mut hs = v.hash_state();
        hs.goroutine = Some(42);
        let st = HashState::parse(&format!("#{}", hs.format()));
        let (a, b) = st.range.unwrap();
        assert!((a - v.t0).abs() <= 0.5 && (b - v.t1).abs() <= 0.5);
        assert_eq!(st.goroutine, Some(42));
        assert_eq!(HashState::parse("#t=5,1&g=x"), HashState::default());
        assert_eq!(HashState::parse(""), HashState::default());
    }

    #[test]
    fn hash_holds_the_whole_view() {
        let hs = HashState {
            range: Some((100.0, 9100.0)),
            goroutine: Some(22),
            slice: Some(4500),
            selection: Some((200.0, 300.0)),
            lane: Some("g22".into()),
            page: Some("goroutines".into()),
            part: Some(260_611_733),
        };
        let text = hs.format();
        assert_eq!(
            text,
            "part=260611733&t=100,9100&g=22&s=4500&sel=200,300&lane=g22&page=goroutines"
        );
        assert_eq!(HashState::parse(&text), hs);
        // A slice needs its goroutine; hostile tokens are dropped.
        let st = HashState::parse("#s=5&lane=<b>&page=a%20b");
        assert_eq!(st, HashState::default());
        assert_eq!(HashState::parse("#g=7").goroutine, Some(7));
        // The first part is no `part=`; a part is a byte offset.
        for bad in ["#part=0", "#part=-5", "#part=1e9", "#part=x"] {
            assert_eq!(HashState::parse(bad).part, None, "{bad}");
        }
    }
}
