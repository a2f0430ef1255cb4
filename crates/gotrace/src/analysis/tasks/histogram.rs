//! Go's duration histogram for the task and region pages
//! (`traceviewer.TimeHistogram`): five buckets per decade, bucket `i`
//! starting at `10^(i/5)` ns.

/// `ln(10^(1/5))` exactly as Go computes it (`math.Log(math.Pow(10, 0.2))`),
/// so samples on bucket edges land where Go puts them.
const LOG_STEP: f64 = f64::from_bits(0x3fdd_791c_5f88_8824);

/// Buckets above this are folded into it (about 10^80 ns: never reached).
const MAX_BUCKET: usize = 400;

/// A log-bucket histogram of durations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    /// Number of samples.
    pub count: u64,
    /// Samples per bucket (index = bucket).
    pub buckets: Vec<u64>,
    /// First bucket Go's page shows. Go's bookkeeping is kept as is: after
    /// a first sample in bucket 0 a later sample in a higher bucket moves
    /// this up.
    pub min_bucket: usize,
    /// Last bucket Go's page shows.
    pub max_bucket: usize,
}

/// The bucket of a duration in ns (durations ≤ 0 go to bucket 0).
pub fn bucket_of(ns: i64) -> usize {
    if ns <= 0 {
        return 0;
    }
    let b = ((ns as f64).ln() / LOG_STEP) as usize;
    b.min(MAX_BUCKET)
}

/// The smallest duration (ns, truncated) of bucket `i`.
pub fn bucket_min(i: usize) -> i64 {
    ((i as f64) * LOG_STEP).exp() as i64
}

impl Histogram {
    pub fn add(&mut self, ns: i64) {
        let b = bucket_of(ns);
        if self.buckets.len() <= b {
            self.buckets.resize(b + 1, 0);
        }
        self.buckets[b] += 1;
        if b < self.min_bucket || self.max_bucket == 0 {
            self.min_bucket = b;
        }
        if b > self.max_bucket {
            self.max_bucket = b;
        }
        self.count += 1;
    }

    /// The rows Go's page shows: `(bucket start ns, bucket end ns, count)`
    /// for buckets `min_bucket..=max_bucket` (empty if no samples).
    pub fn rows(&self) -> Vec<(i64, i64, u64)> {
        if self.count == 0 {
            return Vec::new();
        }
        (self.min_bucket..=self.max_bucket)
            .map(|i| {
                (
                    bucket_min(i),
                    bucket_min(i + 1),
                    self.buckets.get(i).copied().unwrap_or(0),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_like_go() {
        // Go puts exact powers of ten in the bucket below (the quotient is
        // a hair under the integer).
        assert_eq!(bucket_of(1), 0);
        assert_eq!(bucket_of(10), 4);
        assert_eq!(bucket_of(1_000_000), 29);
        assert_eq!(bucket_of(1_000_001), 30);
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_min(15), 1000);
        assert_eq!(bucket_min(16), 1584);
        assert_eq!(bucket_min(45), 1_000_000_000);
    }

    #[test]
    fn go_min_bucket_quirk() {
        let mut h = Histogram::default();
        h.add(1);
        h.add(1_000_000);
        assert_eq!((h.min_bucket, h.max_bucket, h.count), (29, 29, 2));
        let mut h = Histogram::default();
        h.add(5_000);
        h.add(2_000);
        h.add(90_000);
        assert_eq!((h.min_bucket, h.max_bucket), (16, 24));
        assert_eq!(h.rows().len(), 9);
        assert_eq!(h.rows()[0], (1584, 2511, 1));
    }
}
