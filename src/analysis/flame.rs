//! Flame-graph layout (pure): which rectangles to draw for a flattened
//! [`Flame`] zoomed into one node, hit testing, labels and colours.

use super::protocol::Flame;
use crate::prim::{Align, Prim};
use crate::theme::{hsl, Rgba};

/// Height of one row, CSS px.
pub const ROW_H: f64 = 18.0;

/// One rectangle to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Rect {
    pub node: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    /// An ancestor of the zoomed-into node (drawn full width, faded).
    pub ancestor: bool,
}

/// The nodes of `f` that are `focus` and its descendants (pre-order makes
/// them contiguous): `focus..end`.
fn subtree_end(f: &Flame, focus: usize) -> usize {
    let d = f.depth.get(focus).copied().unwrap_or(0);
    let mut end = focus + 1;
    while end < f.depth.len() && f.depth[end] > d {
        end += 1;
    }
    end
}

/// Rectangles of `f` zoomed into node `focus`, `width` px wide; rectangles
/// narrower than `min_w` px are left out.
pub fn layout(f: &Flame, focus: usize, width: f64, min_w: f64) -> Vec<Rect> {
    let n = f.names.len();
    if n == 0 || width <= 0.0 {
        return Vec::new();
    }
    let focus = if focus < n { focus } else { 0 };
    let zs = f.start[focus];
    let zt = f.total[focus].max(1) as f64;
    let mut out = Vec::new();
    // Ancestors, full width.
    let mut a = focus;
    let mut guard = 0;
    while a != 0 && guard < 10_000 {
        a = f.parent[a] as usize;
        guard += 1;
        out.push(Rect {
            node: a,
            x: 0.0,
            y: f.depth[a] as f64 * ROW_H,
            w: width,
            ancestor: true,
        });
    }
    for i in focus..subtree_end(f, focus) {
        let x = (f.start[i] - zs) as f64 / zt * width;
        let w = f.total[i] as f64 / zt * width;
        if w < min_w {
            continue;
        }
        out.push(Rect {
            node: i,
            x,
            y: f.depth[i] as f64 * ROW_H,
            w,
            ancestor: false,
        });
    }
    out
}

/// Height of the whole graph, px.
pub fn height(f: &Flame) -> f64 {
    (f.depth.iter().copied().max().unwrap_or(0) as f64 + 1.0) * ROW_H
}

/// The node under `(x, y)`.
pub fn hit(rects: &[Rect], x: f64, y: f64) -> Option<usize> {
    rects
        .iter()
        .rev()
        .find(|r| x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + ROW_H)
        .map(|r| r.node)
}

/// `name` cut to fit `w` px at `char_w` px per character ("" if not even
/// two characters fit).
pub fn fit_label(name: &str, w: f64, char_w: f64) -> String {
    let room = ((w - 6.0) / char_w).floor();
    if room < 2.0 {
        return String::new();
    }
    let room = room as usize;
    let n = name.chars().count();
    if n <= room {
        return name.to_string();
    }
    let mut s: String = name.chars().take(room - 1).collect();
    s.push('…');
    s
}

/// A stable warm hue for a function name (HSL components); runtime
/// functions are greyer.
pub fn color(name: &str) -> (f64, f64, f64) {
    let mut h: u32 = 2166136261;
    for b in name.bytes() {
        h = (h ^ b as u32).wrapping_mul(16777619);
    }
    let v = (h % 1000) as f64 / 1000.0;
    if name.starts_with('(') {
        (210.0, 0.10, 0.72)
    } else if name.starts_with("runtime.") || name.starts_with("internal/") {
        (30.0 + v * 20.0, 0.20, 0.62 + v * 0.08)
    } else if name == "all" {
        (0.0, 0.0, 0.70)
    } else {
        (10.0 + v * 45.0, 0.80, 0.62 + v * 0.08)
    }
}

/// What the tooltip says about node `i`: name, value, share of the whole.
pub fn describe(f: &Flame, i: usize) -> Vec<String> {
    let Some(name) = f.names.get(i) else {
        return Vec::new();
    };
    let total = f.total.first().copied().unwrap_or(0).max(1) as f64;
    let v = f.total[i];
    let s = f.self_value[i];
    let fmt = |x: i64| {
        if f.unit == "ns" {
            crate::format::duration(x as f64)
        } else {
            format!("{} samples", crate::format::count(x.max(0) as u64))
        }
    };
    vec![
        name.clone(),
        format!("{} ({:.2}%)", fmt(v), v as f64 / total * 100.0),
        format!("self {} ({:.2}%)", fmt(s), s as f64 / total * 100.0),
    ]
}

/// The flame graph's laid-out `rects` as drawing primitives: frames
/// coloured by name (darker in dark mode), callers of the focused frame faded.
pub fn prims(f: &Flame, rects: &[Rect], dark: bool) -> Vec<Prim> {
    let mut out = Vec::with_capacity(rects.len() * 2);
    for r in rects {
        let name = f.names.get(r.node).map(String::as_str).unwrap_or("");
        let (h, s, l) = color(name);
        let l = if dark { l - 0.08 } else { l };
        let alpha = if r.ancestor { 128 } else { 255 };
        out.push(Prim::Rect {
            x: r.x,
            y: r.y,
            w: (r.w - 1.0).max(0.5),
            h: ROW_H - 1.0,
            color: hsl(h, s, l).alpha(alpha),
        });
        let label = fit_label(name, r.w, 7.0);
        if !label.is_empty() {
            out.push(Prim::Text {
                x: r.x + 3.0,
                y: r.y + ROW_H / 2.0,
                text: label,
                color: Rgba::hex(0x1f2328).alpha(alpha),
                align: Align::Left,
                bold: false,
                size: 12.0,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::compute::flatten;
    use gotrace::analysis::pprof::FlameNode;

    fn node(name: &str, total: i64, children: Vec<FlameNode>) -> FlameNode {
        let child_sum: i64 = children.iter().map(|c| c.total_value).sum();
        FlameNode {
            name: name.into(),
            self_value: total - child_sum,
            total_value: total,
            self_count: 0,
            total_count: 0,
            children,
        }
    }

    fn sample() -> Flame {
        let root = node(
            "",
            100,
            vec![
                node(
                    "main",
                    60,
                    vec![node("a", 40, vec![]), node("b", 20, vec![])],
                ),
                node("worker", 40, vec![node("c", 40, vec![])]),
            ],
        );
        flatten(&root, "ns", 7, 0.0)
    }

    #[test]
    fn flatten_is_preorder_with_offsets() {
        let f = sample();
        assert_eq!(f.names, ["all", "main", "a", "b", "worker", "c"]);
        assert_eq!(f.depth, [0, 1, 2, 2, 1, 2]);
        assert_eq!(f.start, [0, 0, 0, 40, 60, 60]);
        assert_eq!(f.parent, [0, 0, 1, 1, 0, 4]);
        assert_eq!(f.samples, 7);
    }

    #[test]
    fn samples_without_stack_get_a_frame() {
        let mut root = node("", 100, vec![node("main", 30, vec![])]);
        root.self_value = 70;
        let f = flatten(&root, "ns", 2, 0.0);
        assert_eq!(f.names, ["all", "main", "(no stack)"]);
        assert_eq!(f.start, [0, 0, 30]);
        assert_eq!(f.total, [100, 30, 70]);
        assert_eq!(f.self_value[0], 0);
    }

    #[test]
    fn flatten_prunes_small_subtrees() {
        let root = node(
            "",
            1000,
            vec![
                node("big", 999, vec![]),
                node("tiny", 1, vec![node("x", 1, vec![])]),
            ],
        );
        let f = flatten(&root, "ns", 1, 0.01);
        assert_eq!(f.names, ["all", "big"]);
        assert_eq!(f.pruned, 1);
    }

    #[test]
    fn layout_zooms_into_a_node() {
        let f = sample();
        let all = layout(&f, 0, 1000.0, 0.5);
        assert_eq!(all.len(), 6);
        let b = all.iter().find(|r| r.node == 3).unwrap();
        assert_eq!((b.x, b.w, b.y), (400.0, 200.0, 2.0 * ROW_H));
        // Zoom into "main": root is an ancestor (full width), main fills the width.
        let z = layout(&f, 1, 1000.0, 0.5);
        let nodes: Vec<usize> = z.iter().map(|r| r.node).collect();
        assert_eq!(nodes, [0, 1, 2, 3]);
        assert!(z[0].ancestor && z[0].w == 1000.0);
        let a = &z[2];
        assert!((a.w - 1000.0 * 40.0 / 60.0).abs() < 1e-9);
        assert_eq!(hit(&z, 900.0, 2.0 * ROW_H + 3.0), Some(3));
        assert_eq!(hit(&z, 10.0, 5.0), Some(0));
        assert_eq!(hit(&z, 10.0, 10.0 * ROW_H), None);
        // Out-of-range focus falls back to the root; tiny rects are dropped.
        assert_eq!(layout(&f, 99, 1000.0, 0.5).len(), 6);
        assert_eq!(layout(&f, 0, 4.0, 1.0).len(), 5);
        assert_eq!(height(&f), 3.0 * ROW_H);
    }

    #[test]
    fn labels_and_tooltips() {
        assert_eq!(fit_label("main.main", 200.0, 7.0), "main.main");
        assert_eq!(fit_label("main.main", 40.0, 7.0), "mai…");
        assert_eq!(fit_label("main.main", 10.0, 7.0), "");
        let f = sample();
        let d = describe(&f, 2);
        assert_eq!(d[0], "a");
        assert!(d[1].contains("40.00%"), "{d:?}");
        let (_, s, _) = color("runtime.gopark");
        assert!(s < 0.5);
        assert_eq!(color("x"), color("x"));
    }
}
