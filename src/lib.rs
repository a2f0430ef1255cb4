//! The viewer (in progress).
