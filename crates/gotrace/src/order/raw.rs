//! The ordering's vocabulary, shared by the state machine and its queue:
//! raw (unordered) events, their scheduling context, the wire's goroutine
//! and P statuses, and event names for messages.

use crate::wire::spec;

/// Wire goroutine statuses.
pub mod gstatus {
    pub const BAD: u64 = 0;
    pub const RUNNABLE: u64 = 1;
    pub const RUNNING: u64 = 2;
    pub const SYSCALL: u64 = 3;
    pub const WAITING: u64 = 4;
}

/// Wire P statuses.
pub mod pstatus {
    pub const BAD: u64 = 0;
    pub const RUNNING: u64 = 1;
    pub const IDLE: u64 = 2;
    pub const SYSCALL: u64 = 3;
    pub const SYSCALL_ABANDONED: u64 = 4;
}

/// The scheduling context of an event: which M, P and G.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    pub m: i64,
    pub p: i64,
    pub g: i64,
}

/// A decoded event before ordering: type, time (ns) and arguments without
/// the time delta.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RawEvent {
    pub ty: u8,
    pub time: i64,
    pub args: [u64; 4],
}

/// The name of an event type, for messages.
pub fn name(ty: u8) -> &'static str {
    spec::spec(ty).map(|s| s.name).unwrap_or("Invalid")
}
