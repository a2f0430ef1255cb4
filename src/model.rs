//! The decoded model: the timeline plus what is derived once from it
//! (goroutine groups, region depths, per-lane GC ranges, logs). A leaf:
//! nothing here knows about the view or drawing.

use gotrace::timeline::{RangeKind, Timeline};

/// Goroutines sharing a start function.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    /// Goroutine indices, by id.
    pub goroutines: Vec<u32>,
    /// Total running time of its goroutines, ns.
    pub running: i64,
}

/// Indices of items sorted by start, with the running maximum of their
/// ends, so that the items overlapping a time window are found by two
/// binary searches ([`ByStart::overlapping`]) instead of a scan from the
/// first item: a lane of a big trace holds up to millions (sweeps on a P,
/// a server goroutine's regions), and a frame draws every lane in view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ByStart {
    /// Item indices, by start.
    ids: Vec<u32>,
    /// `reach[k]`: the latest end among `ids[..=k]`.
    reach: Vec<i64>,
    starts: Vec<i64>,
}

impl ByStart {
    /// Appends item `id` over `[start, end]` (starts must not decrease).
    pub fn push(&mut self, id: u32, start: i64, end: i64) {
        let reach = self.reach.last().map_or(end, |&r| r.max(end));
        self.ids.push(id);
        self.reach.push(reach);
        self.starts.push(start);
    }

    /// The unions of the items overlapping `[t0, t1]` (time ranges, in
    /// order), items less than `gap` apart counting as touching: what a
    /// thin band draws. A union costs a few binary searches, however many
    /// items it covers (zoomed out, a P's sweeps are thousands a pixel).
    pub fn unions(&self, t0: f64, t1: f64, gap: f64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut k = self.reach.partition_point(|&r| (r as f64) < t0);
        let hi = self.starts.partition_point(|&s| (s as f64) <= t1);
        while k < hi {
            let start = self.starts[k];
            let mut end = self.reach[k];
            k += 1;
            // Every item before `k` ended before `start` (else the previous
            // union would have taken it), so a running maximum from the
            // first item is this union's end. Items starting by its end
            // (and `gap`) join it, and may take it further.
            loop {
                let limit = end as f64 + gap;
                let j = k + self.starts[k..hi].partition_point(|&s| (s as f64) <= limit);
                if j == k {
                    break;
                }
                k = j;
                let reach = self.reach[j - 1];
                if reach <= end {
                    break;
                }
                end = reach;
            }
            out.push((start, end));
        }
        out
    }

    /// The items that may overlap `[t0, t1]`, by start: from the first that
    /// reaches `t0` (none before it does) to the last starting by `t1`.
    /// Items among them that end before `t0` are the caller's to skip.
    pub fn overlapping(&self, t0: f64, t1: f64) -> &[u32] {
        let lo = self.reach.partition_point(|&r| (r as f64) < t0);
        let hi = self.starts.partition_point(|&s| (s as f64) <= t1);
        self.ids.get(lo..hi.max(lo)).unwrap_or(&[])
    }
}

/// A loaded trace: the timeline plus what is derived once from it.
#[derive(Clone, Debug)]
pub struct Model {
    pub tl: Timeline,
    /// Groups, busiest first.
    pub groups: Vec<Group>,
    /// GC mark assist ranges (indices into `Timeline::ranges`) per goroutine index.
    pub assists: Vec<ByStart>,
    /// GC sweep ranges (indices into `Timeline::ranges`) per P index.
    pub sweeps: Vec<ByStart>,
    /// The GC lane's ranges (mark phases and stop-the-world pauses).
    pub gc: ByStart,
    /// User regions (indices into `Timeline::regions`) per goroutine index
    /// and nesting depth (as many depths as its deepest region needs).
    pub regions: Vec<Vec<ByStart>>,
    /// User log messages (indices into `Timeline::logs`, by time) per goroutine index.
    pub logs: Vec<Vec<u32>>,
}

impl Model {
    /// Goroutine `id`'s slice at time `t` (ns since the trace's start), else
    /// its first slice: what "select goroutine G" shows. (index, span)
    pub fn span_near(&self, id: i64, t: f64) -> Option<(u32, u32)> {
        let g = self.tl.goroutine_index(id)?;
        let span = self
            .tl
            .span_at(g, t.max(0.0) as i64)
            .or_else(|| (self.tl.span_count(g) > 0).then_some(0))?;
        Some((g as u32, span as u32))
    }

    pub fn new(tl: Timeline) -> Model {
        use std::collections::HashMap;
        let mut by_name: HashMap<String, Group> = HashMap::new();
        for (gi, g) in tl.goroutines.iter().enumerate() {
            // Skip goroutines that never existed in the trace.
            if !g.drawn {
                continue;
            }
            let running = g.running;
            let name = tl.goroutine_name(gi);
            let grp = by_name.entry(name.clone()).or_insert_with(|| Group {
                name,
                goroutines: Vec::new(),
                running: 0,
            });
            grp.goroutines.push(gi as u32);
            grp.running += running;
        }
        let mut groups: Vec<Group> = by_name.into_values().collect();
        groups.sort_by(|a, b| b.running.cmp(&a.running).then_with(|| a.name.cmp(&b.name)));
        // Regions are by goroutine, then start: each (goroutine, depth) list
        // is by start, and a goroutine has a list per depth down to its deepest.
        let mut regions: Vec<Vec<ByStart>> = vec![Vec::new(); tl.goroutines.len()];
        for (i, r) in tl.regions.iter().enumerate() {
            if let Some(depths) = regions.get_mut(r.goroutine as usize) {
                let d = r.depth as usize;
                if depths.len() <= d {
                    depths.resize(d + 1, ByStart::default());
                }
                depths[d].push(i as u32, r.start, r.end);
            }
        }
        // Ranges are by start.
        let mut assists = vec![ByStart::default(); tl.goroutines.len()];
        let mut sweeps = vec![ByStart::default(); tl.procs.len()];
        let mut gc = ByStart::default();
        for (i, r) in tl.ranges.iter().enumerate() {
            let list = match r.kind {
                RangeKind::GcMarkAssist => usize::try_from(r.resource)
                    .ok()
                    .and_then(|g| assists.get_mut(g)),
                RangeKind::GcSweep => tl
                    .procs
                    .iter()
                    .position(|p| p.id == r.resource)
                    .and_then(|p| sweeps.get_mut(p)),
                RangeKind::GcMark | RangeKind::StopTheWorld => Some(&mut gc),
            };
            if let Some(l) = list {
                l.push(i as u32, r.start, r.end);
            }
        }
        let mut logs = vec![Vec::new(); tl.goroutines.len()];
        for (i, l) in tl.logs.iter().enumerate() {
            if let Some(v) = logs.get_mut(l.goroutine as usize) {
                v.push(i as u32);
            }
        }
        Model {
            tl,
            groups,
            assists,
            sweeps,
            gc,
            regions,
            logs,
        }
    }

    /// The log message (index into `Timeline::logs`) of goroutine `g` nearest to `t`
    /// within `slop` ns, if any.
    pub fn log_near(&self, g: u32, t: f64, slop: f64) -> Option<u32> {
        let ids = self.logs.get(g as usize)?;
        let k = ids.partition_point(|&i| (self.tl.logs[i as usize].time as f64) < t - slop);
        ids[k..]
            .iter()
            .take_while(|&&i| (self.tl.logs[i as usize].time as f64) <= t + slop)
            .min_by(|&&a, &&b| {
                let da = (self.tl.logs[a as usize].time as f64 - t).abs();
                let db = (self.tl.logs[b as usize].time as f64 - t).abs();
                da.total_cmp(&db)
            })
            .copied()
    }

    /// Default collapsed groups: big groups start collapsed when there are many goroutines.
    pub fn default_collapsed(&self) -> std::collections::BTreeSet<u32> {
        let total: usize = self.groups.iter().map(|g| g.goroutines.len()).sum();
        if total <= 60 {
            return Default::default();
        }
        self.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.goroutines.len() > 8)
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// The group (index) of goroutine index `g`.
    pub fn group_of(&self, g: u32) -> Option<u32> {
        self.groups
            .iter()
            .position(|grp| grp.goroutines.contains(&g))
            .map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::ByStart;

    /// Intervals by start, from a small LCG: clusters of short items, long
    /// items reaching over others, items touching and a second apart.
    fn items(seed: u64, n: usize) -> Vec<(i64, i64)> {
        let mut x = seed;
        let mut next = move |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        let mut t = 0i64;
        let mut v: Vec<(i64, i64)> = (0..n)
            .map(|_| {
                t += next(40) as i64;
                let len = if next(10) == 0 { next(500) } else { next(8) } as i64;
                (t, t + len)
            })
            .collect();
        v.sort();
        v
    }

    fn index(v: &[(i64, i64)]) -> ByStart {
        let mut b = ByStart::default();
        for (i, &(s, e)) in v.iter().enumerate() {
            b.push(i as u32, s, e);
        }
        b
    }

    #[test]
    fn overlapping_holds_every_item_in_the_window_and_none_after_it() {
        for seed in 0..20 {
            let v = items(seed, 300);
            let b = index(&v);
            for (t0, t1) in [(0.0, 50.0), (1000.0, 1400.0), (2500.0, 2501.0), (-5.0, 1e9)] {
                let got = b.overlapping(t0, t1);
                for (i, &(s, e)) in v.iter().enumerate() {
                    let overlaps = (s as f64) <= t1 && (e as f64) >= t0;
                    assert!(
                        !overlaps || got.contains(&(i as u32)),
                        "seed {seed} item {i}"
                    );
                }
                assert!(got.iter().all(|&i| (v[i as usize].0 as f64) <= t1));
            }
        }
    }

    #[test]
    fn unions_equal_merging_the_items_one_by_one() {
        for seed in 0..20 {
            let v = items(seed, 300);
            let b = index(&v);
            for (t0, t1, gap) in [
                (0.0, 1e9, 0.0),
                (700.0, 3000.0, 3.0),
                (1500.0, 1600.0, 25.0),
            ] {
                let mut want: Vec<(i64, i64)> = Vec::new();
                for &(s, e) in v
                    .iter()
                    .filter(|&&(s, e)| (s as f64) <= t1 && (e as f64) >= t0)
                {
                    match want.last_mut() {
                        Some(last) if s as f64 <= last.1 as f64 + gap => last.1 = last.1.max(e),
                        _ => want.push((s, e)),
                    }
                }
                assert_eq!(
                    b.unions(t0, t1, gap),
                    want,
                    "seed {seed} window {t0}..{t1} gap {gap}"
                );
            }
        }
    }
}
