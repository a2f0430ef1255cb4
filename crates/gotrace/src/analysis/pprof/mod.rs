//! The four pprof profiles `go tool trace -pprof=net|sync|syscall|sched`
//! (go1.27.3) derives from a trace, a pprof protobuf encoder, and a
//! function tree for flame graphs.
//!
//! What each profile measures (one sample per interval a goroutine spends
//! in a state, attributed to the stack of the event that put it there):
//! - `net`: Waiting with reason `network`;
//! - `sync`: Waiting with a reason containing `chan`, `sync` or `select`;
//! - `syscall`: Syscall;
//! - `sched`: Runnable (scheduler latency).
//!
//! An interval starts at the transition into the state (a status event at a
//! generation start counts) and ends at the transition out of it; intervals
//! still open at the end of the trace are dropped. Like Go, only the part
//! of an interval inside the goroutine's lifetime counts, where the lifetime
//! runs from the goroutine's first start running (or from 0 if it never
//! ran) to its exit (or the end of the trace): so the scheduling latency of
//! a goroutine's very first start is not counted. Each sample has two
//! values: `contentions` (count) and `delay` (nanoseconds). Stacks equal in
//! their first 128 PCs are merged and cut to 128 frames.
//!
//! Beyond Go: a time window (samples are clipped to it) and any selection
//! of goroutines (by group name, by id) — all four profiles for every
//! selection come from one streaming pass ([`ProfileBuilder`]).
//!
//! Files: `profile` (the profile's data), `build` (computing it), `proto`
//! (the protobuf encoding and gzip), `flame` (the function tree).

mod build;
mod flame;
mod profile;
mod proto;
#[cfg(test)]
mod tests;

/// The wait-reason classifiers, at their old path (they live with the other
/// classifiers in `analysis::resolve`).
pub use crate::analysis::resolve::{is_net_reason, is_sync_reason};
pub(crate) use build::ProfileCore;
pub use build::{build_from_trace, profile_of_trace, ProfileBuilder, ProfileSet};
pub use flame::{flame_tree, FlameNode};
pub use profile::{Profile, ProfileFrame, ProfileKind, ProfileSample, Selection, MAX_STACK};
pub use proto::{encode_proto, gzip};
