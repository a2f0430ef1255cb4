//! Levels of detail: per-lane summaries at power-of-two time resolutions,
//! like map tiles, so drawing a zoomed-out lane touches at most about two
//! buckets per pixel instead of every span under it.
//!
//! Level 0 buckets are `2^shift` ns wide, chosen so a lane of `n` records has
//! about `n / ratio` of them; each level above halves the bucket count, up to
//! a couple of buckets for the whole trace. A lane with few records gets no
//! levels: drawing it from its records is as cheap.
//!
//! Two summaries exist: [`SpanLevels`] (for each bucket, the item covering
//! most of it and how much of the bucket is covered) and [`MaxLevels`] (the
//! maximum of a step function over each bucket).

/// Summary levels of one lane. `T` is the per-bucket summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Levels<T> {
    /// log2 of the level-0 bucket width in ns.
    pub shift: u8,
    /// `levels[l]` holds the buckets of width `2^(shift + l)`, from time 0.
    pub levels: Vec<Vec<T>>,
    /// For [`MaxLevels`]: stored values are the maxima shifted right by this
    /// much (so that they fit 32 bits; heap sizes lose their low bits).
    pub scale: u8,
}

/// A span-lane bucket: `item << 8 | coverage`, where `item` is what covered
/// most of the bucket (a colour key or goroutine index + 1; 0 = nothing
/// drawn) and `coverage` is 0–255 for the drawn fraction of the bucket.
pub type SpanLevels = Levels<u32>;

/// A counter-lane bucket: the maximum value over the bucket, `>> scale`.
pub type MaxLevels = Levels<u32>;

impl MaxLevels {
    /// The maximum over bucket `b` of level `l`, unscaled.
    pub fn max_at(&self, l: usize, b: usize) -> Option<u64> {
        let v = *self.levels.get(l)?.get(b)?;
        Some((v as u64) << self.scale)
    }
}

/// Span lanes get levels from this many records up; level 0 has about
/// `records / SPAN_RATIO` buckets.
pub const SPAN_RATIO: usize = 8;
/// The same for counters (cheaper to draw from their records).
pub const COUNTER_RATIO: usize = 8;
/// The same for the goroutine counts, whose series has a sample per
/// goroutine transition (the most numerous records of a trace) and four
/// counters: at [`COUNTER_RATIO`] their levels would take more memory than
/// the samples. Zoomed in just past level 0, a pixel column then holds up
/// to this many samples, decoded on every frame.
pub const GOROUTINE_COUNT_RATIO: usize = 64;

/// Most items a [`SpanLevels`] bucket can name.
pub const MAX_ITEM: u32 = (1 << 24) - 1;

impl<T: Copy> Levels<T> {
    /// The level to draw at `ns_per_px`: the coarsest whose buckets are at
    /// most a pixel wide, or `None` when the lane's records should be drawn
    /// (zoomed in past level 0, or no levels).
    pub fn level_for(&self, ns_per_px: f64) -> Option<(usize, i64)> {
        if self.levels.is_empty() || ns_per_px.is_nan() || ns_per_px < 1.0 {
            return None;
        }
        let px = ns_per_px.log2().floor() as i64;
        let l = px - self.shift as i64;
        if l < 0 {
            return None;
        }
        let l = (l as usize).min(self.levels.len() - 1);
        Some((l, 1i64 << (self.shift as usize + l).min(62)))
    }

    pub fn heap_bytes(&self) -> usize {
        self.levels
            .iter()
            .map(|l| l.capacity() * std::mem::size_of::<T>())
            .sum()
    }
}

/// log2 of the level-0 bucket width for `n` records over `duration` ns, or
/// `None` if the lane is too small to need levels.
fn base_shift(n: usize, duration: i64, ratio: usize) -> Option<u8> {
    if n < ratio * 64 || duration <= 0 {
        return None;
    }
    let buckets = (n / ratio).max(1) as i64;
    let width = (duration / buckets).max(1);
    // Round the width up to a power of two.
    Some((64 - (width - 1).leading_zeros()).min(40) as u8)
}

/// Number of buckets of width `2^shift` covering `[0, duration]`.
fn bucket_count(duration: i64, shift: u32) -> usize {
    ((duration.max(0) >> shift) + 1) as usize
}

/// One level up: each pair of buckets combined into one.
fn pairs<T: Copy>(level: &[T], combine: impl Fn(T, Option<T>) -> T) -> Vec<T> {
    level
        .chunks(2)
        .map(|c| combine(c[0], c.get(1).copied()))
        .collect()
}

/// Builds the coarser levels from level 0 by combining bucket pairs.
fn build_up<T: Copy>(level0: Vec<T>, combine: impl Fn(T, Option<T>) -> T) -> Vec<Vec<T>> {
    let mut levels = vec![level0];
    while let Some(last) = levels.last() {
        if last.len() <= 2 {
            break;
        }
        let next = pairs(last, &combine);
        levels.push(next);
    }
    levels
}

/// Two span-lane buckets as one: the item of the better covered one, and
/// their mean coverage.
fn span_combine(a: u32, b: Option<u32>) -> u32 {
    let b = b.unwrap_or(0);
    let (ca, cb) = (a & 255, b & 255);
    let item = if ca >= cb { a >> 8 } else { b >> 8 };
    let cover = (ca + cb).div_ceil(2);
    if cover == 0 {
        0
    } else {
        item << 8 | cover
    }
}

/// A level 0 built while its lane is still being read (the viewer's worker
/// sends a lane's records away as they are read, so they cannot be read
/// again at the end): its bucket width is chosen from the lane's first
/// records (`n` of them over `[0, until)`), it grows with the lane, and it
/// halves its resolution whenever it would get more than about `2 / ratio`
/// buckets per record (a lane that thins out). What it cannot do is refine:
/// a lane much denser later than at first gets coarser levels than if
/// built at the end, which only means more records drawn when zoomed in.
#[derive(Clone, Debug)]
struct Growth {
    ratio: usize,
    /// Records added so far.
    n: usize,
    /// The records the width was chosen for (the first of them are added
    /// after the choice: the limit does not start from nothing).
    first: usize,
}

impl Growth {
    fn new(ratio: usize, first: usize) -> Growth {
        Growth { ratio, n: 0, first }
    }
    /// Most buckets level 0 may have now.
    fn limit(&self) -> usize {
        (2 * self.n.max(self.first) / self.ratio.max(1)).max(128)
    }

    /// How many times a level of `len` buckets of `2^shift` ns must halve
    /// its resolution for the bucket of `time` to be within the limit: none
    /// if that bucket exists (it was within the limit, which only grows).
    fn halvings(&self, time: i64, shift: u32, len: usize) -> u32 {
        let time = time.max(0);
        if ((time >> shift) as usize) < len {
            return 0;
        }
        let limit = self.limit();
        let mut k = 0;
        while shift + k < 62 && ((time >> (shift + k)) as usize) >= limit {
            k += 1;
        }
        k
    }
}

/// Extends a growing level to the bucket of `time` (`2^shift` ns wide).
fn extend_to<T: Copy + Default>(buckets: &mut Vec<T>, time: i64, shift: u32) {
    let b = (time.max(0) >> shift) as usize;
    if b >= buckets.len() {
        buckets.resize(b + 1, T::default());
    }
}

/// The base shift of a growing level: from the first records, or the finest
/// that keeps within its bucket limit.
fn growing_shift(n: usize, until: i64, ratio: usize) -> u32 {
    base_shift(n.max(ratio * 64), until.max(1), ratio).unwrap_or(0) as u32
}

/// Accumulates level 0 of a span lane from spans given in time order.
#[derive(Clone, Debug)]
pub struct SpanLevelsBuilder {
    shift: u32,
    buckets: Vec<u32>,
    /// Bucket being accumulated and the time each item covers in it (a few
    /// items per bucket at most; a short list beats a map here).
    current: usize,
    weights: Vec<(u32, i64)>,
    /// Set for a level built as the lane is read ([`SpanLevelsBuilder::growing`]).
    growth: Option<Growth>,
}

impl SpanLevelsBuilder {
    /// For a lane of `n` spans over `duration`; `None` if it needs no levels.
    pub fn new(n: usize, duration: i64) -> Option<SpanLevelsBuilder> {
        let shift = base_shift(n, duration, SPAN_RATIO)? as u32;
        Some(SpanLevelsBuilder {
            shift,
            buckets: vec![0; bucket_count(duration, shift)],
            current: 0,
            weights: Vec::new(),
            growth: None,
        })
    }

    /// For a lane still being read, whose first `n` spans cover `[0, until)`
    /// (see [`Growth`]); [`SpanLevelsBuilder::finish_at`] closes it.
    pub fn growing(n: usize, until: i64) -> SpanLevelsBuilder {
        SpanLevelsBuilder {
            shift: growing_shift(n, until, SPAN_RATIO),
            buckets: Vec::new(),
            current: 0,
            weights: Vec::new(),
            growth: Some(Growth::new(SPAN_RATIO, n)),
        }
    }

    /// Makes room for the bucket of `time` in a growing level, halving the
    /// resolution while that bucket would be past the limit. A fixed level
    /// has its buckets already.
    fn room_for(&mut self, time: i64) {
        let Some(g) = &self.growth else {
            return;
        };
        for _ in 0..g.halvings(time, self.shift, self.buckets.len()) {
            self.coarsen();
        }
        extend_to(&mut self.buckets, time, self.shift);
    }

    /// Halves the resolution: pairs of buckets combined, the bucket being
    /// accumulated carried on as its weights.
    fn coarsen(&mut self) {
        self.flush();
        self.buckets = pairs(&self.buckets, span_combine);
        self.shift += 1;
        self.current /= 2;
        if let Some(slot) = self.buckets.get_mut(self.current) {
            let v = std::mem::take(slot);
            if v != 0 {
                let width = 1i64 << self.shift;
                self.weights.push((v >> 8, (v & 255) as i64 * width / 255));
            }
        }
    }

    fn flush(&mut self) {
        let width = 1i64 << self.shift;
        let covered: i64 = self.weights.iter().map(|w| w.1).sum();
        if let (Some(best), Some(slot)) = (
            self.weights.iter().max_by_key(|w| w.1),
            self.buckets.get_mut(self.current),
        ) {
            let cover = (covered.min(width) * 255 / width).max(1) as u32;
            *slot = best.0.min(MAX_ITEM) << 8 | cover;
        }
        self.weights.clear();
    }

    fn add_to(&mut self, bucket: usize, item: u32, ns: i64) {
        if bucket != self.current {
            self.flush();
            self.current = bucket;
        }
        match self.weights.iter_mut().find(|w| w.0 == item) {
            Some(w) => w.1 += ns,
            None => self.weights.push((item, ns)),
        }
    }

    /// Adds a span `[start, end)` drawn as `item` (0 = not drawn: skipped).
    pub fn add(&mut self, start: i64, end: i64, item: u32) {
        if item == 0 || end <= start || start < 0 {
            return;
        }
        if let Some(g) = self.growth.as_mut() {
            g.n += 1;
        }
        self.room_for(end - 1);
        let sh = self.shift;
        let (b0, b1) = ((start >> sh) as usize, ((end - 1) >> sh) as usize);
        let last = self.buckets.len().saturating_sub(1);
        if b0 > last {
            return;
        }
        let b1 = b1.min(last);
        if b0 == b1 {
            self.add_to(b0, item, end - start);
            return;
        }
        self.add_to(b0, item, ((b0 as i64 + 1) << sh) - start);
        self.flush();
        for slot in &mut self.buckets[b0 + 1..b1] {
            *slot = item.min(MAX_ITEM) << 8 | 255;
        }
        self.current = b1;
        self.add_to(b1, item, end - ((b1 as i64) << sh));
    }

    /// The levels of a lane that ends at `end` (a growing level is
    /// extended to it; a fixed one already covers it).
    pub fn finish_at(mut self, end: i64) -> SpanLevels {
        if self.growth.is_some() {
            self.flush();
            let n = bucket_count(end, self.shift);
            if n > self.buckets.len() {
                self.buckets.resize(n, 0);
            }
        }
        self.finish()
    }

    pub fn finish(mut self) -> SpanLevels {
        self.flush();
        let levels = build_up(self.buckets, span_combine);
        Levels {
            shift: self.shift as u8,
            levels,
            scale: 0,
        }
    }
}

/// Accumulates level 0 of a counter (a step function) from its samples.
#[derive(Clone, Debug)]
pub struct MaxLevelsBuilder {
    shift: u32,
    buckets: Vec<u64>,
    last: Option<(i64, u64)>,
    end: i64,
    growth: Option<Growth>,
}

impl MaxLevelsBuilder {
    /// For a counter of `n` samples over `duration`, with about `n / ratio`
    /// level-0 buckets; `None` if it needs no levels.
    pub fn new(n: usize, duration: i64, ratio: usize) -> Option<MaxLevelsBuilder> {
        let shift = base_shift(n, duration, ratio)? as u32;
        Some(MaxLevelsBuilder {
            shift,
            buckets: vec![0; bucket_count(duration, shift)],
            last: None,
            end: duration,
            growth: None,
        })
    }

    /// For a counter still being read, whose first `n` samples cover
    /// `[0, until)` (see [`Growth`]); [`MaxLevelsBuilder::finish_at`] closes it.
    pub fn growing(n: usize, until: i64, ratio: usize) -> MaxLevelsBuilder {
        MaxLevelsBuilder {
            shift: growing_shift(n, until, ratio),
            buckets: Vec::new(),
            last: None,
            end: 0,
            growth: Some(Growth::new(ratio, n)),
        }
    }

    /// Makes room up to `time` in a growing level (see
    /// [`SpanLevelsBuilder::room_for`]; maxima combine exactly).
    fn room_for(&mut self, time: i64) {
        let Some(g) = &self.growth else {
            return;
        };
        for _ in 0..g.halvings(time, self.shift, self.buckets.len()) {
            self.buckets = pairs(&self.buckets, |a, b| a.max(b.unwrap_or(0)));
            self.shift += 1;
        }
        extend_to(&mut self.buckets, time, self.shift);
    }

    /// The levels of a counter that ends at `end`.
    pub fn finish_at(mut self, end: i64) -> MaxLevels {
        if self.growth.is_some() {
            self.end = end;
            let last = self.last.map_or(end, |(t, _)| t.max(end));
            // The last value holds through `end` inclusive.
            self.room_for(last + 1);
        }
        self.finish()
    }

    /// Marks `value` as held over `[start, end)`.
    fn hold(&mut self, start: i64, end: i64, value: u64) {
        if end < start || start < 0 {
            return;
        }
        let sh = self.shift;
        let last = self.buckets.len().saturating_sub(1);
        let b0 = ((start >> sh) as usize).min(last);
        let b1 = (((end - 1).max(start) >> sh) as usize).min(last);
        for slot in &mut self.buckets[b0..=b1] {
            *slot = (*slot).max(value);
        }
    }

    /// Adds a sample: `value` from `time` until the next sample.
    pub fn add(&mut self, time: i64, value: u64) {
        if let Some(g) = self.growth.as_mut() {
            g.n += 1;
            self.room_for(time);
        }
        if let Some((t, v)) = self.last {
            self.hold(t, time, v);
        }
        self.last = Some((time, value));
    }

    pub fn finish(mut self) -> MaxLevels {
        if let Some((t, v)) = self.last {
            // The last value holds through the trace end, inclusive.
            self.hold(t, self.end.max(t) + 1, v);
        }
        let max = self.buckets.iter().copied().max().unwrap_or(0);
        let scale = (64 - max.leading_zeros()).saturating_sub(32) as u8;
        let level0 = self.buckets.iter().map(|&v| (v >> scale) as u32).collect();
        let levels = build_up(level0, |a, b| a.max(b.unwrap_or(0)));
        Levels {
            shift: self.shift as u8,
            levels,
            scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_lanes_get_no_levels() {
        assert!(SpanLevelsBuilder::new(100, 1_000_000).is_none());
        assert!(MaxLevelsBuilder::new(100, 1_000_000, COUNTER_RATIO).is_none());
    }

    #[test]
    fn span_buckets_hold_the_dominant_item_and_coverage() {
        let n = 8 * 64 * 4;
        let mut b = SpanLevelsBuilder::new(n, 1 << 20).unwrap();
        let w = 1i64 << b.shift;
        // Bucket 0: item 1 covers 3/4, item 2 a quarter.
        b.add(0, w / 4, 2);
        b.add(w / 4, w, 1);
        // Buckets 2..5 fully covered by item 3, spilling half into bucket 5.
        b.add(2 * w, 5 * w + w / 2, 3);
        let l = b.finish();
        let l0 = &l.levels[0];
        assert_eq!(l0[0] >> 8, 1);
        assert_eq!(l0[0] & 255, 255);
        assert_eq!(l0[1], 0);
        assert_eq!(l0[3], 3 << 8 | 255);
        assert_eq!(l0[5] >> 8, 3);
        assert_eq!(l0[5] & 255, 127);
        // Level 1 combines pairs; (0,1) → item 1 at half coverage.
        assert_eq!(l.levels[1][0] >> 8, 1);
        assert_eq!(l.levels[1][0] & 255, 128);
        assert!(l.levels.last().unwrap().len() <= 2);
    }

    #[test]
    fn counter_buckets_hold_the_maximum() {
        let mut b = MaxLevelsBuilder::new(COUNTER_RATIO * 64 * 2, 1 << 20, COUNTER_RATIO).unwrap();
        let w = 1i64 << b.shift;
        b.add(0, 5);
        b.add(w / 2, 9);
        b.add(w + 1, 1);
        b.add(4 * w, 2);
        let l = b.finish();
        assert_eq!(&l.levels[0][..5], &[9, 9, 1, 1, 2]);
        assert_eq!(l.levels[1][0], 9);
        assert_eq!(l.levels[1][1], 1);
        assert_eq!(*l.levels[0].last().unwrap(), 2);
    }

    #[test]
    fn big_counter_values_are_scaled_to_32_bits() {
        let mut b = MaxLevelsBuilder::new(COUNTER_RATIO * 64 * 2, 1 << 20, COUNTER_RATIO).unwrap();
        b.add(0, 5 << 40);
        b.add(1 << 19, 3);
        let l = b.finish();
        assert_eq!(l.scale, 11);
        assert_eq!(l.max_at(0, 0), Some(5 << 40));
        assert_eq!(l.max_at(0, l.levels[0].len() - 1), Some(0), "3 >> 11");
    }

    #[test]
    fn level_choice_follows_the_pixel_width() {
        let l = Levels::<u32> {
            shift: 10,
            levels: vec![vec![0; 8], vec![0; 4], vec![0; 2]],
            scale: 0,
        };
        assert_eq!(l.level_for(512.0), None);
        assert_eq!(l.level_for(1024.0), Some((0, 1024)));
        assert_eq!(l.level_for(3000.0), Some((1, 2048)));
        assert_eq!(l.level_for(1e9), Some((2, 4096)));
        assert_eq!(l.level_for(f64::NAN), None);
    }

    /// A growing counter level holds the exact maximum of each bucket,
    /// however often it halved its resolution (a lane dense at first, then
    /// sparse), and stays within its bucket limit.
    #[test]
    fn growing_counter_levels_hold_exact_maxima() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut t = 0i64;
        let samples: Vec<(i64, u64)> = (0..20_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Dense for the first half, then 1000 times sparser.
                t += if i < 10_000 {
                    1 + (x % 10) as i64
                } else {
                    1 + (x % 10_000) as i64
                };
                (t, x % 1000)
            })
            .collect();
        let end = t + 5;
        let first = 2_000;
        let mut b = MaxLevelsBuilder::growing(first, samples[first].0, COUNTER_RATIO);
        let shift0 = b.shift;
        samples.iter().for_each(|&(t, v)| b.add(t, v));
        let l = b.finish_at(end);
        assert!(l.shift as u32 > shift0, "the sparse half coarsened it");
        let level0 = &l.levels[0];
        assert!(level0.len() <= 2 * samples.len() / COUNTER_RATIO + 1);
        assert_eq!(level0.len(), bucket_count(end, l.shift as u32));
        let w = 1i64 << l.shift;
        for (bi, &got) in level0.iter().enumerate() {
            let (from, to) = (bi as i64 * w, (bi as i64 + 1) * w);
            // Values held at some instant of [from, to).
            let want = samples
                .iter()
                .enumerate()
                .filter(|&(i, &(t, _))| {
                    let until = samples.get(i + 1).map_or(end + 1, |s| s.0);
                    t < to && until > from
                })
                .map(|(_, &(_, v))| v)
                .max()
                .unwrap_or(0);
            assert_eq!(got as u64, want, "bucket {bi}");
        }
    }

    /// A growing span level: buckets inside a span hold its item, fully
    /// covered, at every resolution it passed through.
    #[test]
    fn growing_span_levels_keep_covered_buckets() {
        let mut b = SpanLevelsBuilder::growing(10_000, 10_000 * 100);
        let shift0 = b.shift;
        let mut spans = Vec::new();
        let mut t = 0i64;
        for i in 0..30_000i64 {
            // Short spans, then a long one now and then: the level coarsens.
            let len = if i >= 15_000 && i % 50 == 0 {
                50_000_000
            } else {
                60
            };
            let item = 1 + (i % 3) as u32;
            spans.push((t, t + len, item));
            b.add(t, t + len, item);
            t += len + 40;
        }
        let l = b.finish_at(t);
        assert!(l.shift as u32 > shift0, "the long spans coarsened it");
        let w = 1i64 << l.shift;
        let mut checked = 0;
        for &(start, end, item) in &spans {
            for bi in (start + w - 1) / w..end / w {
                assert_eq!(l.levels[0][bi as usize], item << 8 | 255, "bucket {bi}");
                checked += 1;
            }
        }
        assert!(checked > 1000, "{checked} buckets checked");
        assert!(l.levels[0].len() <= 2 * spans.len() / SPAN_RATIO + 1);
    }
}
