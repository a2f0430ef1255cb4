//! The keyboard focus on the foldable headers (the Counters, Procs and
//! Threads sections, goroutine group headers), so they fold from the
//! keyboard as they do with a click: ↑/↓ move it from header to header,
//! Enter or Space folds (`web::input`). It is kept as the header's identity,
//! not as a lane index, because folding and searching renumber the lanes.

use super::lane::{Lane, LaneKind};
use super::SECTIONS;
use crate::view::{View, AXIS_H};

/// A foldable header: a section (its `SECTION_*` bit) or a group (its index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    Section(u8),
    Group(u32),
}

/// The foldable headers of `lanes`, in order, with their lane indices.
pub fn headers(lanes: &[Lane]) -> Vec<(usize, Header)> {
    let mut sections = 0;
    let mut out = Vec::new();
    for (i, l) in lanes.iter().enumerate() {
        match l.kind {
            LaneKind::Section => {
                let bit = SECTIONS.get(sections).copied().unwrap_or(0);
                sections += 1;
                if bit != 0 {
                    out.push((i, Header::Section(bit)));
                }
            }
            LaneKind::Group(g) => out.push((i, Header::Group(g))),
            _ => {}
        }
    }
    out
}

/// The lane index of header `h`, if it is listed.
pub fn index_of(lanes: &[Lane], h: Header) -> Option<usize> {
    headers(lanes).into_iter().find(|x| x.1 == h).map(|x| x.0)
}

/// The header the focus moves to from `from` one step `down` (or up).
/// Without a focus (or with one no longer listed) it starts at the first
/// header in view (down) or the last one in view (up). Stays at the ends.
pub fn step(lanes: &[Lane], view: &View, from: Option<Header>, down: bool) -> Option<Header> {
    let hs = headers(lanes);
    let at = from.and_then(|h| hs.iter().position(|x| x.1 == h));
    let pos = match at {
        Some(p) if down => (p + 1).min(hs.len().saturating_sub(1)),
        Some(p) => p.saturating_sub(1),
        None => {
            let top = view.scroll_y;
            let bottom = view.scroll_y + (view.height - AXIS_H);
            let in_view = |i: usize| lanes[i].y >= top && lanes[i].y + lanes[i].h <= bottom;
            let first = hs.iter().position(|x| in_view(x.0));
            let last = hs.iter().rposition(|x| in_view(x.0));
            match (down, first, last) {
                (true, Some(p), _) | (false, _, Some(p)) => p,
                // None in view: the first below (down) or above (up) the view.
                (true, None, _) => hs.iter().position(|x| lanes[x.0].y >= top).unwrap_or(0),
                (false, _, None) => hs.iter().rposition(|x| lanes[x.0].y < top).unwrap_or(0),
            }
        }
    };
    hs.get(pos).map(|x| x.1)
}

/// The scroll that brings lane `i` fully into view (the current one if it is).
pub fn scroll_to(lanes: &[Lane], view: &View, i: usize) -> f64 {
    let Some(l) = lanes.get(i) else {
        return view.scroll_y;
    };
    let vis = (view.height - AXIS_H).max(0.0);
    if l.y < view.scroll_y {
        l.y
    } else if l.y + l.h > view.scroll_y + vis {
        l.y + l.h - vis
    } else {
        view.scroll_y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lanes::{lanes, lanes_with, SECTION_PROCS};

    #[test]
    fn steps_through_the_foldable_headers() {
        let m = crate::fixture::model();
        let ls = lanes(&m, &Default::default());
        let hs = headers(&ls);
        // Counters, Procs, Threads, then the groups (not the Goroutines title).
        assert_eq!(hs[0].1, Header::Section(1));
        assert_eq!(hs[1].1, Header::Section(2));
        assert_eq!(hs[2].1, Header::Section(4));
        assert!(matches!(hs[3].1, Header::Group(0)));
        assert_eq!(hs.len(), 3 + m.groups.len());
        let v = View::new(m.tl.duration, 1000.0, 5000.0);
        let first = step(&ls, &v, None, true);
        assert_eq!(first, Some(Header::Section(1)));
        let next = step(&ls, &v, first, true);
        assert_eq!(next, Some(Header::Section(2)));
        assert_eq!(step(&ls, &v, next, false), first);
        // Stays at the ends.
        assert_eq!(step(&ls, &v, first, false), first);
        let last = hs.last().unwrap().1;
        assert_eq!(step(&ls, &v, Some(last), true), Some(last));
        // Up without a focus: the last header in view.
        assert_eq!(step(&ls, &v, None, false), Some(last));
        // Folding renumbers lanes; the header is found again.
        let folded = lanes_with(&m, &Default::default(), SECTION_PROCS, None);
        let g0 = index_of(&folded, Header::Group(0)).unwrap();
        assert!(g0 < index_of(&ls, Header::Group(0)).unwrap());
        assert_eq!(folded[g0].kind, LaneKind::Group(0));
    }

    #[test]
    fn scrolls_a_header_into_view() {
        let m = crate::fixture::model();
        let ls = lanes(&m, &Default::default());
        let mut v = View::new(m.tl.duration, 1000.0, AXIS_H + 60.0);
        let last = ls.len() - 1;
        let s = scroll_to(&ls, &v, last);
        assert!(s > 0.0 && ls[last].y + ls[last].h <= s + 60.0 + 1e-9);
        v.scroll_y = s;
        assert_eq!(scroll_to(&ls, &v, 0), 0.0);
        assert_eq!(scroll_to(&ls, &v, last), s);
    }
}
