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

/// A loaded trace: the timeline plus what is derived once from it.
#[derive(Clone, Debug)]
pub struct Model {
    pub tl: Timeline,
    /// Groups, busiest first.
    pub groups: Vec<Group>,
    /// Deepest region nesting per goroutine index (0 = no regions).
    pub region_rows: Vec<u16>,
    /// GC mark assist ranges (indices into `Timeline::ranges`) per goroutine index.
    pub assists: Vec<Vec<u32>>,
    /// GC sweep ranges (indices into `Timeline::ranges`) per P index.
    pub sweeps: Vec<Vec<u32>>,
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
        let mut region_rows = vec![0u16; tl.goroutines.len()];
        for r in &tl.regions {
            if let Some(d) = region_rows.get_mut(r.goroutine as usize) {
                *d = (*d).max(r.depth.saturating_add(1));
            }
        }
        let mut assists = vec![Vec::new(); tl.goroutines.len()];
        let mut sweeps = vec![Vec::new(); tl.procs.len()];
        for (i, r) in tl.ranges.iter().enumerate() {
            match r.kind {
                RangeKind::GcMarkAssist => {
                    if let Some(v) = usize::try_from(r.resource)
                        .ok()
                        .and_then(|g| assists.get_mut(g))
                    {
                        v.push(i as u32);
                    }
                }
                RangeKind::GcSweep => {
                    let p = tl.procs.iter().position(|p| p.id == r.resource);
                    if let Some(v) = p.and_then(|p| sweeps.get_mut(p)) {
                        v.push(i as u32);
                    }
                }
                _ => {}
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
            region_rows,
            assists,
            sweeps,
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
