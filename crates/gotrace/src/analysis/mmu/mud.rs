//! The mutator utilization distribution: how much window-start time has a
//! given mean utilization. A sum of uniform pieces (and point masses),
//! with a 1024-bucket histogram that tracks which bucket one chosen
//! cumulative mass falls in, so the search can stop refining early.

const BUCKETS: usize = 1024;

#[derive(Clone, Copy, Debug)]
struct Step {
    /// Where the density changes.
    x: f64,
    /// Change of density at `x`.
    slope: f64,
    /// A point mass at `x`.
    point: f64,
}

#[derive(Clone, Debug)]
pub(crate) struct Distribution {
    sorted: Vec<Step>,
    pending: Vec<Step>,
    hist: Box<[f64; BUCKETS]>,
    /// The cumulative mass whose bucket is tracked.
    goal: f64,
    /// The bucket holding `goal` (BUCKETS if the mass is not reached yet).
    goal_bucket: usize,
    /// Mass of the buckets before `goal_bucket`.
    below: f64,
}

/// Splits `v * BUCKETS` into a bucket index and the fraction within it.
fn bucket_of(v: f64) -> (usize, f64) {
    let scaled = v * BUCKETS as f64;
    let whole = scaled.trunc();
    let frac = scaled - whole;
    if whole >= BUCKETS as f64 {
        return (BUCKETS - 1, 1.0);
    }
    // Utilizations are in [0, 1]; anything below lands in bucket 0.
    (whole.max(0.0) as usize, frac)
}

impl Distribution {
    pub(crate) fn new() -> Self {
        Distribution {
            sorted: Vec::new(),
            pending: Vec::new(),
            hist: Box::new([0.0; BUCKETS]),
            goal: 0.0,
            goal_bucket: 0,
            below: 0.0,
        }
    }

    /// Adds `mass` spread evenly over `[a, b]` (a point mass if `a == b`).
    pub(crate) fn add(&mut self, a: f64, b: f64, mass: f64) {
        if mass == 0.0 || !(a.is_finite() && b.is_finite() && mass.is_finite()) {
            return;
        }
        let (lo, hi) = if b < a { (b, a) } else { (a, b) };
        if lo == hi {
            self.pending.push(Step {
                x: lo,
                slope: 0.0,
                point: mass,
            });
        } else {
            let slope = mass / (hi - lo);
            self.pending.push(Step {
                x: lo,
                slope,
                point: 0.0,
            });
            self.pending.push(Step {
                x: hi,
                slope: -slope,
                point: 0.0,
            });
        }
        let (lb, lf) = bucket_of(lo);
        if lo == hi {
            self.hist[lb] += mass;
        } else {
            let (hb, hf) = bucket_of(hi);
            if lb >= hb {
                self.hist[lb] += mass;
            } else {
                let per = mass / (hi - lo) / BUCKETS as f64;
                self.hist[lb] += per * (1.0 - lf);
                self.hist[hb] += per * hf;
                for h in &mut self.hist[lb + 1..hb] {
                    *h += per;
                }
            }
        }
        let edge = self.goal_bucket as f64 / BUCKETS as f64;
        if lo < edge {
            if hi < edge {
                self.below += mass;
            } else {
                self.below += mass * (edge - lo) / (hi - lo);
            }
            if self.below >= self.goal {
                self.track(self.goal);
            }
        }
    }

    /// Tracks the bucket that cumulative mass `goal` falls in.
    pub(crate) fn track(&mut self, goal: f64) {
        self.goal = goal;
        let mut sum = 0.0;
        for (i, &v) in self.hist.iter().enumerate() {
            let next = sum + v;
            if next > goal {
                self.goal_bucket = i;
                self.below = sum;
                return;
            }
            sum = next;
        }
        self.goal_bucket = BUCKETS;
        self.below = sum;
    }

    /// An upper bound of the utilization at the tracked mass, once that
    /// much mass has been added.
    pub(crate) fn tracked_upper(&self) -> Option<f64> {
        (self.goal_bucket < BUCKETS).then(|| (self.goal_bucket + 1) as f64 / BUCKETS as f64)
    }

    /// The utilization `x` such that mass `y` lies at or below `x`; NaN if
    /// the distribution is empty.
    pub(crate) fn inverse(&mut self, y: f64) -> f64 {
        if self.sorted.is_empty() && self.pending.is_empty() {
            return f64::NAN;
        }
        let mut fresh = std::mem::take(&mut self.pending);
        fresh.sort_by(|a, b| a.x.total_cmp(&b.x));
        if self.sorted.is_empty() {
            self.sorted = fresh;
        } else {
            let old = std::mem::take(&mut self.sorted);
            let mut merged = Vec::with_capacity(old.len() + fresh.len());
            let (mut i, mut j) = (0, 0);
            while i < old.len() && j < fresh.len() {
                if old[i].x < fresh[j].x {
                    merged.push(old[i]);
                    i += 1;
                } else {
                    merged.push(fresh[j]);
                    j += 1;
                }
            }
            merged.extend_from_slice(&old[i..]);
            merged.extend_from_slice(&fresh[j..]);
            self.sorted = merged;
        }
        let (mut cum, mut density, mut prev) = (0.0, 0.0, 0.0);
        for s in &self.sorted {
            let mut next = cum + (s.x - prev) * density;
            if next >= y {
                if density == 0.0 {
                    return s.x;
                }
                return (y - cum) / density + prev;
            }
            next += s.point;
            if next >= y {
                return s.x;
            }
            cum = next;
            prev = s.x;
            density += s.slope;
        }
        prev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_and_point() {
        let mut d = Distribution::new();
        d.add(0.0, 1.0, 10.0);
        assert!((d.inverse(5.0) - 0.5).abs() < 1e-12);
        d.add(0.25, 0.25, 10.0);
        // 2.5 below 0.25, then the point mass of 10.
        assert_eq!(d.inverse(3.0), 0.25);
        assert!((d.inverse(12.5 + 2.5) - 0.5).abs() < 1e-12);
        assert!(Distribution::new().inverse(1.0).is_nan());
    }

    #[test]
    fn tracking() {
        let mut d = Distribution::new();
        d.track(5.0);
        assert_eq!(d.tracked_upper(), None);
        d.add(0.0, 1.0, 10.0);
        let up = d.tracked_upper().unwrap();
        assert!((0.5..=0.5 + 2.0 / 1024.0).contains(&up), "{up}");
    }
}
