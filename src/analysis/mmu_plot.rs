//! MMU plot layout (pure): a log time axis (window size) by utilization 0–1,
//! and the plot as drawing primitives ([`prims`]).

use crate::analysis::protocol::MmuData;
use crate::prim::{Align, Prim};
use crate::theme::Theme;

/// Margins of the plot inside its canvas, CSS px.
pub const LEFT: f64 = 48.0;
pub const RIGHT: f64 = 16.0;
pub const TOP: f64 = 12.0;
pub const BOTTOM: f64 = 28.0;

/// The axes of one plot.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    pub width: f64,
    pub height: f64,
    lo: f64,
    hi: f64,
}

impl Plot {
    /// Axes for windows from `lo` to `hi` ns in a `width`×`height` canvas.
    pub fn new(lo: i64, hi: i64, width: f64, height: f64) -> Plot {
        let lo = (lo.max(1) as f64).ln();
        let hi = (hi.max(1) as f64).ln().max(lo + 1e-9);
        Plot {
            width,
            height,
            lo,
            hi,
        }
    }
    fn plot_w(&self) -> f64 {
        (self.width - LEFT - RIGHT).max(1.0)
    }
    fn plot_h(&self) -> f64 {
        (self.height - TOP - BOTTOM).max(1.0)
    }
    /// x of a window size.
    pub fn x(&self, window: i64) -> f64 {
        let v = (window.max(1) as f64).ln();
        LEFT + (v - self.lo) / (self.hi - self.lo) * self.plot_w()
    }
    /// The window size at x.
    pub fn window_at(&self, x: f64) -> i64 {
        let f = ((x - LEFT) / self.plot_w()).clamp(0.0, 1.0);
        (self.lo + f * (self.hi - self.lo)).exp().round() as i64
    }
    /// y of a utilization in [0, 1].
    pub fn y(&self, util: f64) -> f64 {
        TOP + (1.0 - util.clamp(0.0, 1.0)) * self.plot_h()
    }
    /// Whether (x, y) is inside the plot area.
    pub fn inside(&self, x: f64, y: f64) -> bool {
        x >= LEFT && x <= self.width - RIGHT && y >= TOP && y <= self.height - BOTTOM
    }
    /// Decade ticks on the time axis: (x, label).
    pub fn x_ticks(&self) -> Vec<(f64, String)> {
        let mut out = Vec::new();
        let mut w: i64 = 1;
        for _ in 0..19 {
            let lw = (w as f64).ln();
            if lw >= self.lo - 1e-9 && lw <= self.hi + 1e-9 {
                out.push((self.x(w), decade_label(w)));
            }
            match w.checked_mul(10) {
                Some(n) => w = n,
                None => break,
            }
        }
        out
    }
    /// Ticks on the utilization axis: (y, label).
    pub fn y_ticks(&self) -> Vec<(f64, String)> {
        (0..=5)
            .map(|i| {
                let u = i as f64 / 5.0;
                (self.y(u), format!("{u:.1}"))
            })
            .collect()
    }
}

/// "1 ns", "10 µs", "100 ms", "1 s", "1000 s".
pub fn decade_label(w: i64) -> String {
    if w < 1_000 {
        format!("{w} ns")
    } else if w < 1_000_000 {
        format!("{} µs", w / 1_000)
    } else if w < 1_000_000_000 {
        format!("{} ms", w / 1_000_000)
    } else {
        format!("{} s", w / 1_000_000_000)
    }
}

/// Index of the sampled window nearest to `window` (log distance).
pub fn nearest(windows: &[i64], window: i64) -> Option<usize> {
    let t = (window.max(1) as f64).ln();
    windows
        .iter()
        .enumerate()
        .min_by(|a, b| {
            let da = ((*a.1).max(1) as f64).ln() - t;
            let db = ((*b.1).max(1) as f64).ln() - t;
            da.abs().total_cmp(&db.abs())
        })
        .map(|(i, _)| i)
}

/// The MMU plot of `d` in a `width`×`height` canvas: grid and labels, the
/// percentile curves (dashed, if asked for), the MMU curve, the chosen
/// window size and the hovered one (canvas x `hover`) with its value.
pub fn prims(
    d: &MmuData,
    (width, height): (f64, f64),
    hover: Option<f64>,
    chosen: Option<i64>,
    theme: &Theme,
) -> Vec<Prim> {
    let mut out = Vec::new();
    let (Some(&lo), Some(&hi)) = (d.windows.first(), d.windows.last()) else {
        return out;
    };
    let p = Plot::new(lo, hi, width, height);
    let text = |out: &mut Vec<Prim>, x: f64, y: f64, text: String, color| {
        out.push(Prim::Text {
            x,
            y,
            text,
            color,
            align: Align::Left,
            bold: false,
            size: 12.0,
        })
    };
    let vline = |out: &mut Vec<Prim>, x: f64, color| {
        out.push(Prim::Line {
            x0: x,
            y0: TOP,
            x1: x,
            y1: height - BOTTOM,
            color,
            width: 1.0,
        })
    };
    // Grid and axes.
    for (y, label) in p.y_ticks() {
        out.push(Prim::Line {
            x0: LEFT,
            y0: y,
            x1: width - RIGHT,
            y1: y,
            color: theme.grid,
            width: 1.0,
        });
        text(&mut out, 8.0, y, label, theme.muted);
    }
    for (x, label) in p.x_ticks() {
        vline(&mut out, x, theme.grid);
        text(&mut out, x - 14.0, height - 14.0, label, theme.muted);
    }
    let curve = |values: &mut dyn Iterator<Item = (i64, f64)>| -> Vec<(f64, f64)> {
        values.map(|(w, u)| (p.x(w), p.y(u))).collect()
    };
    // Percentiles: p95, p99, p99.9.
    if d.percentiles.len() == d.windows.len() {
        for (k, color) in [theme.states[3], theme.states[1], theme.states[2]]
            .into_iter()
            .enumerate()
        {
            out.push(Prim::Path {
                points: curve(
                    &mut d
                        .windows
                        .iter()
                        .zip(&d.percentiles)
                        .map(|(w, p)| (*w, p[k])),
                ),
                color,
                width: 1.5,
                dash: Some((4.0, 3.0)),
            });
        }
    }
    let line = theme.selection_edge;
    out.push(Prim::Path {
        points: curve(&mut d.windows.iter().copied().zip(d.mmu.iter().copied())),
        color: line,
        width: 2.0,
        dash: None,
    });
    if let Some(w) = chosen {
        vline(&mut out, p.x(w), theme.stw);
    }
    if let Some(i) = hover.and_then(|hx| nearest(&d.windows, p.window_at(hx))) {
        let w = d.windows[i];
        let u = d.mmu.get(i).copied().unwrap_or(0.0);
        let x = p.x(w);
        vline(&mut out, x, theme.muted);
        out.push(Prim::Circle {
            x,
            y: p.y(u),
            r: 3.5,
            color: line,
        });
        let label = format!(
            "window {}: MMU {:.1}%",
            crate::format::duration(w as f64),
            u * 100.0
        );
        let tx = if x > width - 220.0 {
            x - 210.0
        } else {
            x + 8.0
        };
        text(&mut out, tx, TOP + 10.0, label, theme.fg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_round_trips() {
        let p = Plot::new(1_000, 1_000_000_000, 664.0, 300.0);
        assert!((p.x(1_000) - LEFT).abs() < 1e-9);
        assert!((p.x(1_000_000_000) - (664.0 - RIGHT)).abs() < 1e-9);
        // Decades are evenly spaced.
        let d1 = p.x(10_000) - p.x(1_000);
        let d2 = p.x(1_000_000) - p.x(100_000);
        assert!((d1 - d2).abs() < 1e-9);
        assert_eq!(p.window_at(p.x(123_456)), 123_456);
        assert_eq!(p.y(1.0), TOP);
        assert_eq!(p.y(0.0), 300.0 - BOTTOM);
        let ticks = p.x_ticks();
        assert_eq!(ticks.len(), 7);
        assert_eq!(ticks[0].1, "1 µs");
        assert_eq!(ticks[6].1, "1 s");
        assert_eq!(p.y_ticks().len(), 6);
        assert!(p.inside(100.0, 100.0) && !p.inside(1.0, 1.0));
    }

    #[test]
    fn nearest_window() {
        let w = [10, 100, 1000];
        assert_eq!(nearest(&w, 90), Some(1));
        assert_eq!(nearest(&w, 5000), Some(2));
        assert_eq!(nearest(&[], 5), None);
    }
}
