//! The compact, in-memory model of a whole trace, sized for wasm32: a
//! columnar event store (about 13 bytes per event plus shared payloads) that
//! gives back every [`Event`](crate::event::Event) exactly as it was read,
//! so any analysis can re-run over any time range without reparsing.

pub mod store;

pub use store::{Chunk, Chunks, EventStore, StoreBuilder};
