//! The lanes' levels of detail, fed while the lanes are read.
//!
//! A lane whose column is small (one chunk) is summarised at the end, from
//! its records ([`SpanFeed::Waiting`] until then). A bigger one gets a level
//! 0 chosen from its first chunk, which grows with every record after it
//! ([`SpanLevelsBuilder::growing`]), fed as soon as its first chunk is
//! sealed if the model is sent ahead, or at the end: the records are fed
//! before their chunk can be sent away ([`super::Builder::take_sealed`]), so
//! the levels never need them again. When a lane is fed does not matter,
//! only in what order: a model is the same whether its chunks were sent
//! ahead or not.

use super::lod::{self, MaxLevels, MaxLevelsBuilder, SpanLevels, SpanLevelsBuilder};
use super::model::CounterKind;
use super::packed::{Packed, Rec, Writer};

/// The levels of a span lane being read.
#[derive(Clone, Debug, Default)]
pub(super) enum SpanFeed {
    /// Its column has not sealed a chunk: summarised at the end.
    #[default]
    Waiting,
    /// Growing; the first `fed` records are in it.
    Growing { b: SpanLevelsBuilder, fed: usize },
}

/// A span from a record and the record after it (if known): `(start, end,
/// item)`; for the last record of a lane, `end` is the lane's end.
pub(super) trait SpanOf: Fn(&Rec, Option<&Rec>, i64) -> (i64, i64, u32) {}
impl<F: Fn(&Rec, Option<&Rec>, i64) -> (i64, i64, u32)> SpanOf for F {}

impl SpanFeed {
    /// Begins the growing level once `col` has sealed its first chunk.
    fn begin(&mut self, col: &Packed) {
        if let (SpanFeed::Waiting, Some((n, until))) = (&self, col.first_chunk()) {
            *self = SpanFeed::Growing {
                b: SpanLevelsBuilder::growing(n, until),
                fed: 0,
            };
        }
    }

    /// Feeds the records written to `w` since the last call (if the lane's
    /// level has begun: it does once the column sealed its first chunk).
    pub(super) fn feed(&mut self, w: &Writer, span: impl SpanOf) {
        self.begin(w.written());
        if let SpanFeed::Growing { b, fed } = self {
            let col = w.written();
            add_spans(b, col, *fed, w.last(), i64::MAX, &span);
            *fed = col.len();
        }
    }

    /// The lane's levels, its column closed (`col`), the lane ending at `end`
    /// (a lane never fed but big is summarised as if it had been).
    pub(super) fn finish(mut self, col: &Packed, end: i64, span: impl SpanOf) -> SpanLevels {
        self.begin(col);
        let (mut b, fed) = match self {
            SpanFeed::Growing { b, fed } => (b, fed),
            SpanFeed::Waiting => match SpanLevelsBuilder::new(col.len(), end) {
                Some(b) => (b, 0),
                None => return SpanLevels::default(),
            },
        };
        add_spans(&mut b, col, fed, None, end, &span);
        b.finish_at(end)
    }
}

/// Adds records `from..` of `col` to `b`; the record after the last is
/// `after` (a writer's amendable record), or none (then the lane's `end`).
fn add_spans(
    b: &mut SpanLevelsBuilder,
    col: &Packed,
    from: usize,
    after: Option<&Rec>,
    end: i64,
    span: &impl SpanOf,
) {
    let mut it = col.iter_from(from);
    while let Some((_, r)) = it.next() {
        let next = it.peek();
        let (s, e, item) = span(&r, next.as_ref().or(after), end);
        b.add(s, e, item);
    }
}

/// The levels of the counters of one series being read.
#[derive(Clone, Debug, Default)]
pub(super) enum MaxFeed {
    #[default]
    Waiting,
    /// One level per counter of the series ([`counters_of`]); the first
    /// `fed` records are in them.
    Growing {
        b: Vec<MaxLevelsBuilder>,
        fed: usize,
    },
}

/// The counters drawn from series `s`: (counter kind, record field).
fn counters_of(s: usize) -> Vec<(usize, usize)> {
    CounterKind::ALL
        .iter()
        .filter(|k| k.source().0 == s)
        .map(|&k| (k as usize, k.source().1))
        .collect()
}

/// Level-0 buckets per record of series `s`.
fn ratio_of(s: usize) -> usize {
    if s == CounterKind::GoRunning.source().0 {
        lod::GOROUTINE_COUNT_RATIO
    } else {
        lod::COUNTER_RATIO
    }
}

fn add_samples(b: &mut [MaxLevelsBuilder], counters: &[(usize, usize)], col: &Packed, from: usize) {
    for (_, r) in col.iter_from(from) {
        for (b, &(_, field)) in b.iter_mut().zip(counters) {
            b.add(r[0], r[field].max(0) as u64);
        }
    }
}

impl MaxFeed {
    /// Begins the growing levels of series `s` once `col` has sealed its
    /// first chunk.
    fn begin(&mut self, s: usize, col: &Packed) {
        if let (MaxFeed::Waiting, Some((n, until))) = (&self, col.first_chunk()) {
            let b = counters_of(s)
                .iter()
                .map(|_| MaxLevelsBuilder::growing(n, until, ratio_of(s)))
                .collect();
            *self = MaxFeed::Growing { b, fed: 0 };
        }
    }

    /// Feeds the samples of series `s` written to `w` since the last call.
    pub(super) fn feed(&mut self, s: usize, w: &Writer) {
        self.begin(s, w.written());
        if let MaxFeed::Growing { b, fed } = self {
            add_samples(b, &counters_of(s), w.written(), *fed);
            *fed = w.written().len();
        }
    }

    /// The levels of series `s`'s counters into `out` (by counter kind),
    /// its column closed (`col`), the trace ending at `end`.
    pub(super) fn finish(mut self, s: usize, col: &Packed, end: i64, out: &mut [MaxLevels]) {
        let counters = counters_of(s);
        self.begin(s, col);
        let (mut b, fed) = match self {
            MaxFeed::Growing { b, fed } => (b, fed),
            MaxFeed::Waiting => {
                let b: Option<Vec<_>> = counters
                    .iter()
                    .map(|_| MaxLevelsBuilder::new(col.len(), end, ratio_of(s)))
                    .collect();
                match b {
                    Some(b) => (b, 0),
                    None => return,
                }
            }
        };
        add_samples(&mut b, &counters, col, fed);
        for (b, &(k, _)) in b.into_iter().zip(&counters) {
            if let Some(slot) = out.get_mut(k) {
                *slot = b.finish_at(end);
            }
        }
    }
}
