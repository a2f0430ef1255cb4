//! A human summary of a trace: what `gotrace stats` prints.

use crate::event::{Event, GoState, Metric, Payload, RangeName, Transition};
use crate::intmap::IntMap;
use std::fmt;

/// Totals gathered from one pass over the events.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub events: u64,
    pub first_time: Option<i64>,
    pub last_time: i64,
    pub goroutines: usize,
    pub procs: usize,
    pub threads: usize,
    pub generations: u64,
    pub gc_cycles: u64,
    pub longest_stw_ns: i64,
    pub stw_total_ns: i64,
    pub heap_peak: u64,
    pub max_gomaxprocs: u64,
    pub cpu_samples: u64,
    pub tasks: u64,
    pub regions: u64,
    pub logs: u64,
    goroutine_ids: IntMap<i64, ()>,
    proc_ids: IntMap<i64, ()>,
    thread_ids: IntMap<i64, ()>,
    last_ctx: (i64, i64, i64),
    stw_open: IntMap<i64, i64>,
}

impl Stats {
    pub fn new() -> Self {
        Self::default()
    }

    /// Accounts for one event.
    pub fn add(&mut self, ev: &Event) {
        self.events += 1;
        if !matches!(ev.payload, Payload::Sync { .. }) && self.first_time.is_none() {
            self.first_time = Some(ev.time);
        }
        self.last_time = ev.time;
        // Contexts repeat from event to event: only look new ones up.
        if (ev.m, ev.p, ev.g) != self.last_ctx {
            self.last_ctx = (ev.m, ev.p, ev.g);
            if ev.m >= 0 {
                self.thread_ids.insert(ev.m, ());
            }
            if ev.p >= 0 && ev.p < 1_000_000 {
                self.proc_ids.insert(ev.p, ());
            }
            if ev.g >= 0 {
                self.goroutine_ids.insert(ev.g, ());
            }
        }
        match ev.payload {
            Payload::Sync { .. } => self.generations += 1,
            Payload::Metric {
                metric: Metric::HeapAlloc,
                value,
            } => self.heap_peak = self.heap_peak.max(value),
            Payload::Metric {
                metric: Metric::Gomaxprocs,
                value,
            } => self.max_gomaxprocs = self.max_gomaxprocs.max(value),
            Payload::RangeBegin {
                name: RangeName::GcMark,
                ..
            } => self.gc_cycles += 1,
            Payload::RangeBegin {
                name: RangeName::StopTheWorld(_),
                ..
            } => {
                self.stw_open.insert(ev.g, ev.time);
            }
            Payload::RangeEnd {
                name: RangeName::StopTheWorld(_),
                ..
            } => {
                if let Some(start) = self.stw_open.remove(&ev.g) {
                    let d = ev.time.saturating_sub(start);
                    self.longest_stw_ns = self.longest_stw_ns.max(d);
                    self.stw_total_ns = self.stw_total_ns.saturating_add(d);
                }
            }
            Payload::StackSample => self.cpu_samples += 1,
            Payload::TaskBegin { .. } => self.tasks += 1,
            Payload::RegionBegin { .. } => self.regions += 1,
            Payload::Log { .. } => self.logs += 1,
            Payload::StateTransition(st) => match st.transition {
                Transition::Goroutine { id, new, .. } => {
                    if new != GoState::NotExist && st.transition_creates() {
                        self.goroutine_ids.insert(id, ());
                    }
                }
                Transition::Proc { id, .. } => {
                    if id < 1_000_000 {
                        self.proc_ids.insert(id, ());
                    }
                }
            },
            _ => {}
        }
    }

    /// Fills in the counts; call after the last event.
    pub fn finish(&mut self) {
        self.goroutines = self.goroutine_ids.len();
        self.procs = self.proc_ids.len();
        self.threads = self.thread_ids.len();
    }

    /// Wall duration from the first to the last event, ns.
    pub fn duration_ns(&self) -> i64 {
        self.last_time
            .saturating_sub(self.first_time.unwrap_or(self.last_time))
    }
}

/// Formats a duration in ns with a readable unit.
pub fn human_duration(ns: i64) -> String {
    let a = ns.unsigned_abs() as f64;
    if a >= 1e9 {
        format!("{:.3} s", ns as f64 / 1e9)
    } else if a >= 1e6 {
        format!("{:.3} ms", ns as f64 / 1e6)
    } else if a >= 1e3 {
        format!("{:.3} µs", ns as f64 / 1e3)
    } else {
        format!("{ns} ns")
    }
}

/// Formats a byte count with a binary unit.
pub fn human_bytes(b: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "wall duration:     {}",
            human_duration(self.duration_ns())
        )?;
        writeln!(f, "events:            {}", self.events)?;
        writeln!(
            f,
            "generations:       {}",
            self.generations
                .saturating_sub(1)
                .max(u64::from(self.events > 0))
        )?;
        writeln!(f, "goroutines:        {}", self.goroutines)?;
        writeln!(
            f,
            "procs (Ps):        {} (GOMAXPROCS max {})",
            self.procs, self.max_gomaxprocs
        )?;
        writeln!(f, "threads (Ms):      {}", self.threads)?;
        writeln!(f, "GC cycles:         {}", self.gc_cycles)?;
        writeln!(
            f,
            "stop-the-world:    longest {}, total {}",
            human_duration(self.longest_stw_ns),
            human_duration(self.stw_total_ns)
        )?;
        writeln!(f, "heap peak:         {}", human_bytes(self.heap_peak))?;
        writeln!(f, "CPU samples:       {}", self.cpu_samples)?;
        write!(
            f,
            "tasks/regions/logs: {}/{}/{}",
            self.tasks, self.regions, self.logs
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        assert_eq!(human_duration(1_500), "1.500 µs");
        assert_eq!(human_duration(2_000_000_000), "2.000 s");
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
