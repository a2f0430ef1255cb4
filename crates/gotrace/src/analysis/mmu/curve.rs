//! Minimum mutator utilization over windows of a given width, computed the
//! way go1.27.3 does (`MMUCurve`): each series is cut into at most 1000
//! equal bands with a cheap lower bound for windows starting in each band;
//! bands are refined exactly, lowest bound first, until no remaining band
//! can beat what was found.

use super::heap;
use super::mud::Distribution;
use super::util::UtilPoint;

/// One window and its mean mutator utilization.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct UtilWindow {
    /// Start of the window (trace clock, ns).
    pub time: i64,
    /// Mean mutator utilization in the window.
    pub util: f64,
}

/// Splits every series into at most this many bands.
const MAX_BANDS: usize = 1000;

/// A position in one series, integrating it from its start.
#[derive(Clone, Copy, Debug, Default)]
struct Cursor {
    /// Index of the last point at or before the current time.
    at: usize,
}

#[derive(Clone, Copy, Debug)]
struct Band {
    /// Lowest instantaneous utilization in the band.
    low: f64,
    /// Integral of utilization up to the band's left edge.
    integral: f64,
    /// Cursor at the band's left edge.
    cursor: Cursor,
}

#[derive(Clone, Debug)]
struct Series {
    points: Vec<UtilPoint>,
    /// `prefix[j]`: integral of the series up to `points[j].time`.
    prefix: Vec<f64>,
    bands: Vec<Band>,
    band_ns: i64,
}

impl Cursor {
    /// Integral of the series from its start to `t`; `t` must not decrease
    /// between calls.
    fn integral_to(&mut self, s: &Series, t: i64) -> f64 {
        let pts = &s.points;
        let mut at = self.at;
        const NEAR: usize = 8;
        if at + NEAR < pts.len() && pts[at + NEAR].time > t {
            while at + 1 < pts.len() && pts[at + 1].time <= t {
                at += 1;
            }
        } else {
            // First point strictly after t, by bisection.
            let (mut lo, mut hi) = (at, pts.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if pts[mid].time <= t {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            at = lo.saturating_sub(1);
        }
        self.at = at;
        let p = pts[at];
        let partial = if t != p.time {
            p.util * (t.wrapping_sub(p.time)) as f64
        } else {
            0.0
        };
        s.prefix[at] + partial
    }

    /// The first change of the series strictly after `t`.
    fn next_change(&self, s: &Series, t: i64) -> i64 {
        s.points[self.at.min(s.points.len())..]
            .iter()
            .find(|p| p.time > t)
            .map_or(i64::MAX, |p| p.time)
    }
}

impl Series {
    /// `points` must not be empty.
    fn new(points: Vec<UtilPoint>) -> Self {
        let mut prefix = Vec::with_capacity(points.len());
        let mut prev = UtilPoint { time: 0, util: 0.0 };
        let mut sum = 0.0;
        for p in &points {
            sum += prev.util * (p.time.wrapping_sub(prev.time)) as f64;
            prefix.push(sum);
            prev = *p;
        }
        let n_bands = MAX_BANDS.min(points.len()).max(1);
        let first = points[0].time;
        let last = points[points.len() - 1].time;
        let dur = last.wrapping_sub(first);
        let band_ns = (dur.saturating_add(n_bands as i64 - 1) / n_bands as i64).max(1);
        let mut s = Series {
            points,
            prefix,
            bands: Vec::with_capacity(n_bands + 1),
            band_ns,
        };
        let mut left = Cursor::default();
        for i in 0..=n_bands {
            let (start, end) = s.band_span(i);
            let integral = left.integral_to(&s, start);
            let low = s.points[left.at..]
                .iter()
                .take_while(|p| p.time < end)
                .fold(1.0f64, |m, p| m.min(p.util));
            s.bands.push(Band {
                low,
                integral,
                cursor: left,
            });
        }
        s
    }

    fn band_span(&self, i: usize) -> (i64, i64) {
        let start = (i as i64)
            .wrapping_mul(self.band_ns)
            .wrapping_add(self.points[0].time);
        (start, start.wrapping_add(self.band_ns))
    }

    fn duration(&self) -> i64 {
        self.points[self.points.len() - 1]
            .time
            .wrapping_sub(self.points[0].time)
    }

    /// A lower bound of the mean utilization of any `window`-wide window
    /// starting in each band. `window` must be positive.
    fn band_bounds(&self, series: usize, window: i64, out: &mut Vec<BandBound>) {
        let bd = i128::from(self.band_ns);
        let w = i128::from(window);
        let min_span = usize::try_from((w + bd - 1) / bd).unwrap_or(usize::MAX);
        let max_span = usize::try_from((w + 2 * (bd - 1)) / bd).unwrap_or(usize::MAX);
        let tail = window % self.band_ns;
        let bd = self.band_ns;
        let count = (self.bands.len() + 1).saturating_sub(max_span);
        if min_span == 0 || max_span == 0 {
            return;
        }
        for i in 0..count {
            let (Some(l), Some(r1), Some(r2)) = (
                self.bands.get(i),
                self.bands.get(i.saturating_add(min_span - 1)),
                self.bands.get(i.saturating_add(max_span - 1)),
            ) else {
                break;
            };
            let (l, r1v, r2v) = (l.low, r1.low, r2.low);
            let worst = l.min(r1v.min(r2v));
            let mut total = 0.0;
            if min_span == 1 {
                total += worst * window as f64;
            } else {
                total += worst * bd as f64;
                let second = if worst == l {
                    r1v.min(r2v)
                } else if worst == r1v {
                    l.min(r2v)
                } else {
                    l.min(r1v)
                };
                total += second * tail as f64;
            }
            if min_span > 2 {
                if let Some(b1) = self.bands.get(i + 1) {
                    total += r1.integral - b1.integral;
                }
            }
            out.push(BandBound {
                series,
                band: i,
                bound: total / window as f64,
            });
        }
    }

    /// Exact windowed utilization for windows starting in band `idx`.
    fn refine(&self, idx: usize, window: i64, acc: &mut Accumulator) {
        let Some(band) = self.bands.get(idx) else {
            return;
        };
        let mut left = band.cursor;
        let mut right = band.cursor;
        let (mut t, mut end) = self.band_span(idx);
        let last_start = self.points[self.points.len() - 1].time.wrapping_sub(window);
        if last_start < end {
            end = last_start;
        }
        acc.restart();
        loop {
            let r = right.integral_to(self, t.saturating_add(window));
            let l = left.integral_to(self, t);
            let mu = (r - l) / window as f64;
            if acc.add(t, mu, window) || t == end {
                break;
            }
            // The windowed function changes by at most 1/window per ns.
            let skip_to = t.saturating_add(((mu - acc.bound) * window as f64) as i64);
            let a = left.next_change(self, t);
            let b = right
                .next_change(self, t.saturating_add(window))
                .saturating_sub(window);
            t = if a < b { a } else { b };
            if t < skip_to {
                t = skip_to;
            }
            if t >= end {
                t = end;
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct BandBound {
    series: usize,
    band: usize,
    bound: f64,
}

enum Goal {
    /// The minimum only.
    Min,
    /// The `n` worst disjoint windows.
    Worst(usize),
    /// The distribution up to a tracked mass.
    Distribution(Box<Distribution>),
}

struct Accumulator {
    mmu: f64,
    /// Windows above this utilization cannot change the result.
    bound: f64,
    goal: Goal,
    /// Max-heap (by utilization, then time) of the worst windows.
    worst: Vec<UtilWindow>,
    prev: Option<(i64, f64)>,
}

fn less_worst(a: &UtilWindow, b: &UtilWindow) -> bool {
    if a.util != b.util {
        return a.util > b.util;
    }
    a.time > b.time
}

impl Accumulator {
    fn new(goal: Goal) -> Self {
        Accumulator {
            mmu: 1.0,
            bound: 1.0,
            goal,
            worst: Vec::new(),
            prev: None,
        }
    }

    /// A new band starts: the windowed function is not continuous with the
    /// previous point.
    fn restart(&mut self) {
        self.prev = None;
    }

    /// Takes the window at `t` with mean `mu`; true when nothing further
    /// can change the result.
    fn add(&mut self, t: i64, mu: f64, window: i64) -> bool {
        if mu < self.mmu {
            self.mmu = mu;
        }
        self.bound = self.mmu;
        match &mut self.goal {
            Goal::Min => mu == 0.0,
            Goal::Worst(n) => {
                let n = *n;
                self.offer(t, mu, window, n);
                if self.worst.len() < n {
                    self.bound = 1.0;
                } else if let Some(top) = self.worst.first() {
                    self.bound = self.bound.max(top.util);
                }
                self.worst.len() == n && self.worst.first().is_some_and(|w| w.util == 0.0)
            }
            Goal::Distribution(d) => {
                if let Some((pt, pmu)) = self.prev {
                    d.add(pmu, mu, t.wrapping_sub(pt) as f64);
                }
                self.prev = Some((t, mu));
                self.bound = match d.tracked_upper() {
                    Some(up) => self.bound.max(up),
                    None => 1.0,
                };
                false
            }
        }
    }

    fn offer(&mut self, t: i64, mu: f64, window: i64, n: usize) {
        if !(self.worst.len() < n || self.worst.first().is_some_and(|w| mu < w.util)) {
            return;
        }
        let overlapping = self
            .worst
            .iter()
            .position(|w| t.saturating_add(window) > w.time && w.time.saturating_add(window) > t);
        if let Some(i) = overlapping {
            if self.worst[i].util <= mu {
                return;
            }
            heap::remove_at(&mut self.worst, i, &less_worst);
        }
        heap::push(
            &mut self.worst,
            UtilWindow { time: t, util: mu },
            &less_worst,
        );
        if self.worst.len() > n {
            heap::pop(&mut self.worst, &less_worst);
        }
    }
}

/// The MMU curve of a set of utilization series.
#[derive(Clone, Debug)]
pub struct MmuCurve {
    series: Vec<Series>,
}

impl MmuCurve {
    /// Builds the curve. Empty series are ignored.
    pub fn new(series: Vec<Vec<UtilPoint>>) -> Self {
        MmuCurve {
            series: series
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(Series::new)
                .collect(),
        }
    }

    /// Whether there is no utilization data at all.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    /// First and last time covered by any series.
    pub fn span(&self) -> Option<(i64, i64)> {
        let first = self.series.iter().map(|s| s.points[0].time).min()?;
        let last = self
            .series
            .iter()
            .map(|s| s.points[s.points.len() - 1].time)
            .max()?;
        Some((first, last))
    }

    fn search(&self, window: i64, acc: &mut Accumulator) {
        if window <= 0 {
            acc.mmu = 0.0;
            return;
        }
        let mut widths = Vec::with_capacity(self.series.len());
        let mut bands = Vec::new();
        for (i, s) in self.series.iter().enumerate() {
            let w = window.min(s.duration());
            widths.push(w);
            // A zero-length series has no window (Go would crash here).
            if w > 0 {
                s.band_bounds(i, w, &mut bands);
            }
        }
        let less = |a: &BandBound, b: &BandBound| a.bound < b.bound;
        heap::heapify(&mut bands, &less);
        while let Some(top) = bands.first().copied() {
            if top.bound >= acc.bound {
                break;
            }
            self.series[top.series].refine(top.band, widths[top.series], acc);
            heap::pop(&mut bands, &less);
        }
    }

    /// Minimum mutator utilization over all windows of `window` ns, in
    /// `[0, 1]` (1 when there is no data).
    pub fn mmu(&self, window: i64) -> f64 {
        let mut acc = Accumulator::new(Goal::Min);
        self.search(window, &mut acc);
        acc.mmu
    }

    /// Up to `n` disjoint windows of `window` ns with the lowest mean
    /// utilization, lowest first (the same windows `go tool trace` lists).
    pub fn worst_windows(&self, window: i64, n: usize) -> Vec<UtilWindow> {
        if n == 0 {
            return Vec::new();
        }
        let mut acc = Accumulator::new(Goal::Worst(n));
        self.search(window, &mut acc);
        let mut w = acc.worst;
        w.sort_by(|a, b| a.util.total_cmp(&b.util).then(a.time.cmp(&b.time)));
        w
    }

    /// What go1.27.3's `MUD(window, quantiles)` returns, which is the MMU
    /// for every quantile: its accumulator stops before filling the
    /// distribution, so the "Show percentiles" lines of `/mmu` all equal
    /// the MMU. Kept for comparison with Go; see [`Self::percentiles`].
    pub fn percentiles_go(&self, window: i64, quantiles: &[f64]) -> Vec<f64> {
        if quantiles.is_empty() {
            return Vec::new();
        }
        vec![self.mmu(window); quantiles.len()]
    }

    /// Mutator utilization quantiles over all windows of `window` ns: for
    /// quantile `q`, the utilization that a fraction `q` of window positions
    /// stay at or below (`q = 0` is the MMU, `q = 0.01` is "p99 MU"). This
    /// is the distribution Go's `MUD` describes, actually accumulated.
    pub fn percentiles(&self, window: i64, quantiles: &[f64]) -> Vec<f64> {
        if quantiles.is_empty() {
            return Vec::new();
        }
        let top = quantiles.iter().copied().fold(quantiles[0], f64::max);
        let mass: i64 = self
            .series
            .iter()
            .map(|s| s.duration())
            .filter(|&d| d >= window)
            .map(|d| d - window)
            .sum();
        let mut dist = Box::new(Distribution::new());
        dist.track(mass as f64 * top);
        let mut acc = Accumulator::new(Goal::Distribution(dist));
        self.search(window, &mut acc);
        let mmu = acc.mmu;
        let Goal::Distribution(mut dist) = acc.goal else {
            return vec![mmu; quantiles.len()];
        };
        quantiles
            .iter()
            .map(|q| {
                // Windows evaluated at a single position carry no mass
                // (a series shorter than the window, a band of one
                // point), so the minimum is taken from the search itself.
                let v = dist.inverse(mass as f64 * q);
                if v.is_nan() || *q <= 0.0 {
                    mmu
                } else {
                    v.max(mmu)
                }
            })
            .collect()
    }

    /// The 100 window sizes `go tool trace`'s `/mmu` plot samples: from the
    /// first of 1s, 1ms, 1µs, 1ns whose MMU is below 0.0001 (or 1ns), over
    /// six decades, capped at the trace span, log-spaced.
    pub fn go_plot_windows(&self) -> Vec<i64> {
        let Some((first, last)) = self.span() else {
            return Vec::new();
        };
        let mut lo: i64 = 1_000_000_000;
        while lo > 1 {
            if self.mmu(lo) < 0.0001 {
                break;
            }
            lo /= 1000;
        }
        let hi = lo.saturating_mul(1_000_000).min(last.wrapping_sub(first));
        log_windows(lo, hi, 100)
    }

    /// `(window, mmu)` at `samples` log-spaced windows from `lo` to `hi` ns:
    /// the curve to draw on a log time axis.
    pub fn sample(&self, lo: i64, hi: i64, samples: usize) -> Vec<(i64, f64)> {
        log_windows(lo, hi, samples)
            .into_iter()
            .map(|w| (w, self.mmu(w)))
            .collect()
    }
}

/// `n` windows spaced evenly in log scale from `lo` to `hi`, truncated to
/// whole ns (as Go converts them).
pub fn log_windows(lo: i64, hi: i64, n: usize) -> Vec<i64> {
    let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
    let last = n.saturating_sub(1).max(1) as f64;
    (0..n)
        .map(|i| (i as f64 / last * (b - a) + a).exp() as i64)
        .collect()
}
