//! The old (v1) wire vocabulary: event type numbers and, per type, what the
//! runtime of Go 1.11–1.21 wrote after the type byte. One table, so framing,
//! argument checks and error messages all agree on names and arities.

/// v1 event type numbers (low 6 bits of the first byte of every event).
/// The full vocabulary, though the pipeline names only some of them.
#[allow(dead_code)]
pub mod ty {
    pub const NONE: u8 = 0;
    pub const BATCH: u8 = 1;
    pub const FREQUENCY: u8 = 2;
    pub const STACK: u8 = 3;
    pub const GOMAXPROCS: u8 = 4;
    pub const PROC_START: u8 = 5;
    pub const PROC_STOP: u8 = 6;
    pub const GC_START: u8 = 7;
    pub const GC_DONE: u8 = 8;
    pub const STW_START: u8 = 9;
    pub const STW_DONE: u8 = 10;
    pub const GC_SWEEP_START: u8 = 11;
    pub const GC_SWEEP_DONE: u8 = 12;
    pub const GO_CREATE: u8 = 13;
    pub const GO_START: u8 = 14;
    pub const GO_END: u8 = 15;
    pub const GO_STOP: u8 = 16;
    pub const GO_SCHED: u8 = 17;
    pub const GO_PREEMPT: u8 = 18;
    pub const GO_SLEEP: u8 = 19;
    pub const GO_BLOCK: u8 = 20;
    pub const GO_UNBLOCK: u8 = 21;
    pub const GO_BLOCK_SEND: u8 = 22;
    pub const GO_BLOCK_RECV: u8 = 23;
    pub const GO_BLOCK_SELECT: u8 = 24;
    pub const GO_BLOCK_SYNC: u8 = 25;
    pub const GO_BLOCK_COND: u8 = 26;
    pub const GO_BLOCK_NET: u8 = 27;
    pub const GO_SYSCALL: u8 = 28;
    pub const GO_SYS_EXIT: u8 = 29;
    pub const GO_SYS_BLOCK: u8 = 30;
    pub const GO_WAITING: u8 = 31;
    pub const GO_IN_SYSCALL: u8 = 32;
    pub const HEAP_ALLOC: u8 = 33;
    pub const HEAP_GOAL: u8 = 34;
    pub const TIMER_GOROUTINE: u8 = 35;
    pub const FUTILE_WAKEUP: u8 = 36;
    pub const STRING: u8 = 37;
    pub const GO_START_LOCAL: u8 = 38;
    pub const GO_UNBLOCK_LOCAL: u8 = 39;
    pub const GO_SYS_EXIT_LOCAL: u8 = 40;
    pub const GO_START_LABEL: u8 = 41;
    pub const GO_BLOCK_GC: u8 = 42;
    pub const GC_MARK_ASSIST_START: u8 = 43;
    pub const GC_MARK_ASSIST_DONE: u8 = 44;
    pub const USER_TASK_CREATE: u8 = 45;
    pub const USER_TASK_END: u8 = 46;
    pub const USER_REGION: u8 = 47;
    pub const USER_LOG: u8 = 48;
    pub const CPU_SAMPLE: u8 = 49;
    /// One past the last type.
    pub const COUNT: u8 = 50;

    /// Whether `t` puts the running goroutine to sleep or blocks it (it
    /// waits until unblocked): `GoSleep`, the `GoBlock*` events and
    /// `GoBlockGC` (not `GoSysBlock`, which leaves it in a syscall).
    pub fn blocks(t: u8) -> bool {
        matches!(t, GO_SLEEP..=GO_BLOCK_NET | GO_BLOCK_GC) && t != GO_UNBLOCK
    }
}

/// Description of one v1 event type.
#[derive(Clone, Copy, Debug)]
pub struct Desc {
    /// Name as Go's v1 parser prints it in errors.
    pub name: &'static str,
    /// First trace version (minor) that may contain the type.
    pub since: u32,
    /// Whether the last wire value is a stack id.
    pub stack: bool,
    /// Names of the non-timestamp, non-stack arguments.
    pub args: &'static [&'static str],
}

const fn d(name: &'static str, since: u32, stack: bool, args: &'static [&'static str]) -> Desc {
    Desc {
        name,
        since,
        stack,
        args,
    }
}

/// Indexed by type number; `COUNT` entries.
static DESCS: [Desc; ty::COUNT as usize] = [
    d("None", 5, false, &[]),
    d("Batch", 5, false, &["p", "ticks"]),
    d("Frequency", 5, false, &["freq"]),
    d("Stack", 5, false, &["id", "siz"]),
    d("Gomaxprocs", 5, true, &["procs"]),
    d("ProcStart", 5, false, &["thread"]),
    d("ProcStop", 5, false, &[]),
    d("GCStart", 5, true, &["seq"]),
    d("GCDone", 5, false, &[]),
    d("GCSTWStart", 5, false, &["kindid"]),
    d("GCSTWDone", 5, false, &[]),
    d("GCSweepStart", 5, true, &[]),
    d("GCSweepDone", 5, false, &["swept", "reclaimed"]),
    d("GoCreate", 5, true, &["g", "stack"]),
    d("GoStart", 5, false, &["g", "seq"]),
    d("GoEnd", 5, false, &[]),
    d("GoStop", 5, true, &[]),
    d("GoSched", 5, true, &[]),
    d("GoPreempt", 5, true, &[]),
    d("GoSleep", 5, true, &[]),
    d("GoBlock", 5, true, &[]),
    d("GoUnblock", 5, true, &["g", "seq"]),
    d("GoBlockSend", 5, true, &[]),
    d("GoBlockRecv", 5, true, &[]),
    d("GoBlockSelect", 5, true, &[]),
    d("GoBlockSync", 5, true, &[]),
    d("GoBlockCond", 5, true, &[]),
    d("GoBlockNet", 5, true, &[]),
    d("GoSysCall", 5, true, &[]),
    d("GoSysExit", 5, false, &["g", "seq", "ts"]),
    d("GoSysBlock", 5, false, &[]),
    d("GoWaiting", 5, false, &["g"]),
    d("GoInSyscall", 5, false, &["g"]),
    d("HeapAlloc", 5, false, &["mem"]),
    d("HeapGoal", 5, false, &["mem"]),
    d("TimerGoroutine", 5, false, &["g"]),
    d("FutileWakeup", 5, false, &[]),
    d("String", 7, false, &[]),
    d("GoStartLocal", 7, false, &["g"]),
    d("GoUnblockLocal", 7, true, &["g"]),
    d("GoSysExitLocal", 7, false, &["g", "ts"]),
    d("GoStartLabel", 8, false, &["g", "seq", "labelid"]),
    d("GoBlockGC", 8, true, &[]),
    d("GCMarkAssistStart", 9, true, &[]),
    d("GCMarkAssistDone", 9, false, &[]),
    d("UserTaskCreate", 11, true, &["taskid", "pid", "typeid"]),
    d("UserTaskEnd", 11, true, &["taskid"]),
    d("UserRegion", 11, true, &["taskid", "mode", "typeid"]),
    d("UserLog", 11, true, &["id", "keyid"]),
    d("CPUSample", 19, true, &["ts", "p", "g"]),
];

/// The description of type `t`, if it is a known type.
pub fn desc(t: u8) -> Option<&'static Desc> {
    DESCS.get(usize::from(t))
}

/// Name of type `t` ("" if unknown).
pub fn name(t: u8) -> &'static str {
    desc(t).map_or("", |d| d.name)
}

/// How many wire values a well-formed event of type `t` carries: timestamp
/// delta (for timed types), arguments, and the stack id. `None` for `Stack`,
/// whose arity depends on its frame count.
pub fn wire_arity(t: u8) -> Option<usize> {
    if t == ty::STACK {
        return None;
    }
    let d = desc(t)?;
    let untimed = matches!(t, ty::BATCH | ty::FREQUENCY | ty::TIMER_GOROUTINE);
    Some(d.args.len() + usize::from(d.stack) + usize::from(!untimed))
}

/// Whether type `t` is valid in a trace of version `minor`.
pub fn known_in(t: u8, minor: u32) -> bool {
    t != ty::NONE && desc(t).is_some_and(|d| d.since <= minor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_type() {
        assert_eq!(name(ty::GO_CREATE), "GoCreate");
        assert_eq!(name(ty::CPU_SAMPLE), "CPUSample");
        assert_eq!(name(ty::USER_LOG), "UserLog");
        assert_eq!(name(ty::COUNT), "");
    }

    #[test]
    fn arities_count_timestamp_and_stack() {
        assert_eq!(wire_arity(ty::BATCH), Some(2));
        assert_eq!(wire_arity(ty::FREQUENCY), Some(1));
        assert_eq!(wire_arity(ty::GO_CREATE), Some(4));
        assert_eq!(wire_arity(ty::USER_TASK_CREATE), Some(5));
        assert_eq!(wire_arity(ty::CPU_SAMPLE), Some(5));
        assert_eq!(wire_arity(ty::PROC_STOP), Some(1));
        assert_eq!(wire_arity(ty::STACK), None);
    }

    #[test]
    fn versions_gate_types() {
        assert!(!known_in(ty::CPU_SAMPLE, 11));
        assert!(known_in(ty::CPU_SAMPLE, 19));
        assert!(known_in(ty::USER_LOG, 11));
        assert!(!known_in(ty::NONE, 21));
        assert!(!known_in(ty::COUNT, 21));
    }
}
