//! Analyses over the ordered event stream. Each consumes events one at a
//! time, so it can run while the trace is being read; [`all`] runs the
//! goroutine analysis, the profiles, the MMU and the tasks together in one
//! pass, over events or, much faster, over the compact store.

pub mod all;
pub mod critical_path;
pub mod goroutines;
pub mod mmu;
pub mod pprof;
pub(crate) mod resolve;
pub mod stats;
pub mod tasks;
#[cfg(test)]
pub(crate) mod testkit;
