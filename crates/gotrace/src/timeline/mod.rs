//! The compact timeline model the viewer draws: per-goroutine state spans,
//! per-P and per-thread execution spans, GC/STW ranges, user regions, tasks,
//! logs, counters and CPU samples.
//!
//! It is built by consuming the ordered [`Event`](crate::event::Event) stream
//! ([`Builder`]). Everything numerous is a [`Packed`] column (varint records
//! in blocks of 32; a goroutine span costs about 6 bytes) with [`Levels`]
//! summaries (dominant state per power-of-two time bucket) so that drawing
//! touches only what is visible at the current resolution. Strings and
//! stacks are ids into the model's own [`Strings`]/[`Stacks`]. The model has
//! a binary encoding ([`Timeline::encode`], [`Timeline::decode`]) for the
//! worker → page message that is mostly plain copies of these columns.
//!
//! All times are nanoseconds since the first event of the trace
//! ([`Timeline::origin`] is that event's absolute trace time), so they fit in
//! an `f64` without loss for any realistic trace.

mod build;
mod digest;
mod encode;
mod feed;
pub mod lod;
pub mod packed;
mod ship;
#[cfg(test)]
mod tests;

pub use build::{build, from_trace, Builder};
pub use encode::{DecodeError, Decoder};
pub use lod::{Levels, MaxLevels, SpanLevels};
pub use packed::{Packed, Rec};
pub use ship::{SealedChunk, Shipped};

mod model;
pub use model::*;
