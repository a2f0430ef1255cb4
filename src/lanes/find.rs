//! Search matches on the canvas (the `#search` box's [`Filter`]): which
//! lanes match, the marks behind the matched part of a label, the bar at a
//! matching lane's left edge, and the veil over the lanes that do not match
//! when the user keeps them ("dim others") instead of hiding them. Like a
//! browser's find-in-page and Perfetto's search: the hits stand out, the
//! rest stays readable around them.

use super::lane::{Lane, LaneKind};
use crate::filter::{find_in, Filter};
use crate::model::Model;
use crate::prim::Prim;
use crate::theme::Theme;
use crate::view::View;

/// Width of the bar marking a matching lane, px.
pub const EDGE_W: f64 = 3.0;

/// Whether the lane of `kind` matches the search: `None` for lanes a
/// search does not concern (counters, Ps, threads, sections). A
/// goroutine's region lanes match with it; a group header matches when
/// one of its goroutines does.
pub fn lane_match(m: &Model, f: &Filter, kind: LaneKind) -> Option<bool> {
    match kind {
        LaneKind::Goroutine(g) | LaneKind::Regions(g, _) => Some(f.shows(g)),
        LaneKind::Group(gi) => Some(
            m.groups
                .get(gi as usize)
                .is_some_and(|grp| grp.goroutines.iter().any(|&g| f.shows(g))),
        ),
        _ => None,
    }
}

/// The byte range of `shown` (a label as drawn, maybe cut with "…") to
/// mark: where the search text occurs in its first `limit` bytes (the part
/// that is a name, not a count or marker after it).
pub fn range_in(f: Option<&Filter>, shown: &str, limit: usize) -> Option<(usize, usize)> {
    let f = f?;
    let mut end = limit.min(shown.len());
    while !shown.is_char_boundary(end) {
        end -= 1;
    }
    find_in(&shown[..end], &f.needle)
}

/// Which part of a label to mark as a search hit.
#[derive(Clone, Copy, Default)]
pub enum Marking<'a> {
    #[default]
    None,
    /// All of it (a goroutine named by the id searched for).
    Whole(&'a Theme),
    /// Where the search text occurs in its first `usize` bytes.
    Text(&'a Filter, usize, &'a Theme),
}

impl Marking<'_> {
    /// Pushes the mark for `shown` (the label as drawn) at (`x`, `y`).
    pub fn push(self, p: &mut Vec<Prim>, at: (f64, f64), shown: &str, font: (f64, bool)) {
        match self {
            Marking::None => {}
            Marking::Whole(theme) => mark(p, theme, at, shown, (0, shown.len()), font),
            Marking::Text(f, limit, theme) => {
                if let Some(r) = range_in(Some(f), shown, limit) {
                    mark(p, theme, at, shown, r, font);
                }
            }
        }
    }
}

/// Pushes the mark behind `shown[a..b]`, for text drawn left-aligned at
/// (`x`, `y`) (vertical centre) at `size` px; before the text itself, so
/// the text is painted over it. The painter measures the text: the mark
/// sits exactly under the glyphs whatever the font.
pub fn mark(
    p: &mut Vec<Prim>,
    theme: &Theme,
    (x, y): (f64, f64),
    shown: &str,
    (a, b): (usize, usize),
    (size, bold): (f64, bool),
) {
    if a >= b || b > shown.len() {
        return;
    }
    p.push(Prim::Mark {
        x,
        y,
        before: shown[..a].to_string(),
        text: shown[a..b].to_string(),
        size,
        bold,
        color: theme.find_mark,
    });
}

/// What is drawn over a lane after its content: the bar of a match, or the
/// veil over a lane that does not match while others are dimmed. Returns
/// whether the lane was dimmed.
pub fn overlay(
    p: &mut Vec<Prim>,
    f: &Filter,
    matched: Option<bool>,
    (lane, y): (&Lane, f64),
    view: &View,
    theme: &Theme,
) -> bool {
    match matched {
        Some(true) => {
            p.push(Prim::Rect {
                x: 0.0,
                y,
                w: EDGE_W,
                h: lane.h + super::lane::LANE_GAP,
                color: theme.find_edge,
            });
            false
        }
        Some(false) if !f.hide => {
            p.push(Prim::Rect {
                x: 0.0,
                y,
                w: view.width,
                h: lane.h,
                color: theme.find_dim,
            });
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::filter;

    #[test]
    fn marks_only_the_name_part() {
        let m = crate::fixture::model();
        let f = filter(&m, "Work").unwrap();
        assert_eq!(range_in(Some(&f), "▾ main.worker (3)", 14), Some((9, 13)));
        // "3" in the count is not a name.
        let f3 = filter(&m, "3").unwrap();
        assert_eq!(range_in(Some(&f3), "▾ main.worker (3)", 14), None);
        assert_eq!(range_in(None, "main.worker", 99), None);
        // A limit inside a character is moved back to its start.
        assert_eq!(range_in(Some(&f), "ééwork", 3), None);
    }

    #[test]
    fn goroutine_lanes_match_and_others_are_dimmed_only_when_kept() {
        let m = crate::fixture::model();
        let mut f = filter(&m, "worker").unwrap();
        let g = m.groups.iter().find(|g| g.name.contains("worker")).unwrap();
        let hit = g.goroutines[0];
        assert_eq!(lane_match(&m, &f, LaneKind::Goroutine(hit)), Some(true));
        assert_eq!(lane_match(&m, &f, LaneKind::Regions(hit, 0)), Some(true));
        assert_eq!(lane_match(&m, &f, LaneKind::Proc(0)), None);
        let miss = (0..m.tl.goroutines.len() as u32).find(|&g| !f.shows(g));
        let theme = Theme::new(false);
        let view = View::new(m.tl.duration, 1000.0, 600.0);
        let lane = Lane {
            kind: LaneKind::Goroutine(0),
            y: 0.0,
            h: 16.0,
            label: "G1".into(),
        };
        let mut p = Vec::new();
        assert!(!overlay(
            &mut p,
            &f,
            Some(true),
            (&lane, 40.0),
            &view,
            &theme
        ));
        assert!(matches!(p[0], Prim::Rect { color, .. } if color == theme.find_edge));
        if let Some(miss) = miss {
            assert_eq!(lane_match(&m, &f, LaneKind::Goroutine(miss)), Some(false));
        }
        // Hidden (the default): nothing to dim; kept: a veil.
        p.clear();
        assert!(!overlay(
            &mut p,
            &f,
            Some(false),
            (&lane, 40.0),
            &view,
            &theme
        ));
        assert!(p.is_empty());
        f.hide = false;
        assert!(overlay(
            &mut p,
            &f,
            Some(false),
            (&lane, 40.0),
            &view,
            &theme
        ));
        assert!(
            matches!(p[0], Prim::Rect { color, w, .. } if color == theme.find_dim && w == 1000.0)
        );
    }
}
