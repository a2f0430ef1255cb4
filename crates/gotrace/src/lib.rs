//! `gotrace`: read Go execution traces (`runtime/trace` output) exactly as the
//! Go toolchain does, into a compact model, and analyse them.
//!
//! Layering, one module per stage of the data's journey:
//! bytes → [`wire`] (header, varints, batches, event spec table)
//!       → [`generation`] (a generation's batches, strings, stacks, samples)
//!       → [`order`] (the scheduler state machine that merges batches)
//!       → [`reader`] (the ordered [`event::Event`] stream; [`read_events`]
//!         drives a whole trace into a callback)
//!       → [`model`], [`timeline`] and [`analysis`] (what the viewer and the
//!         `gotrace-cli` crate use).
//! Old-format traces (Go 1.11–1.21) are converted at the edge by [`v1`].

pub mod analysis;
pub mod cut;
pub mod dump;
pub mod error;
pub mod event;
pub mod generation;
pub mod godur;
pub mod index;
pub mod intmap;
pub mod model;
pub mod order;
pub mod reader;
pub mod sniff;
pub mod stream;
pub mod tables;
#[cfg(test)]
mod testdata;
pub mod text;
pub mod timeline;
pub mod v1;
pub mod wire;

pub use error::{Error, ErrorKind, Result};
pub use event::Event;
pub use reader::{read_events, Reader};
pub use tables::Tables;
