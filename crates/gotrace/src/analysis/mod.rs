//! Analyses over the ordered event stream. Each consumes events one at a
//! time, so it can run while the trace is being read.

pub mod critical_path;
pub mod goroutines;
pub mod mmu;
pub mod pprof;
pub mod stats;
pub mod tasks;
