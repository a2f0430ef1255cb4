//! The wire vocabulary of the new trace format (versions 22–26): every event
//! type, its argument names, and which arguments are string or stack ids.
//! A table, not code spread over the decoder. Argument names follow Go's spec
//! so the text format (`*.test` files, `-d=wire`) reads the same.

/// Event type numbers (the first byte of every event on the wire).
pub mod ev {
    pub const NONE: u8 = 0;
    pub const EVENT_BATCH: u8 = 1;
    pub const STACKS: u8 = 2;
    pub const STACK: u8 = 3;
    pub const STRINGS: u8 = 4;
    pub const STRING: u8 = 5;
    pub const CPU_SAMPLES: u8 = 6;
    pub const CPU_SAMPLE: u8 = 7;
    pub const FREQUENCY: u8 = 8;
    pub const PROCS_CHANGE: u8 = 9;
    pub const PROC_START: u8 = 10;
    pub const PROC_STOP: u8 = 11;
    pub const PROC_STEAL: u8 = 12;
    pub const PROC_STATUS: u8 = 13;
    pub const GO_CREATE: u8 = 14;
    pub const GO_CREATE_SYSCALL: u8 = 15;
    pub const GO_START: u8 = 16;
    pub const GO_DESTROY: u8 = 17;
    pub const GO_DESTROY_SYSCALL: u8 = 18;
    pub const GO_STOP: u8 = 19;
    pub const GO_BLOCK: u8 = 20;
    pub const GO_UNBLOCK: u8 = 21;
    pub const GO_SYSCALL_BEGIN: u8 = 22;
    pub const GO_SYSCALL_END: u8 = 23;
    pub const GO_SYSCALL_END_BLOCKED: u8 = 24;
    pub const GO_STATUS: u8 = 25;
    pub const STW_BEGIN: u8 = 26;
    pub const STW_END: u8 = 27;
    pub const GC_ACTIVE: u8 = 28;
    pub const GC_BEGIN: u8 = 29;
    pub const GC_END: u8 = 30;
    pub const GC_SWEEP_ACTIVE: u8 = 31;
    pub const GC_SWEEP_BEGIN: u8 = 32;
    pub const GC_SWEEP_END: u8 = 33;
    pub const GC_MARK_ASSIST_ACTIVE: u8 = 34;
    pub const GC_MARK_ASSIST_BEGIN: u8 = 35;
    pub const GC_MARK_ASSIST_END: u8 = 36;
    pub const HEAP_ALLOC: u8 = 37;
    pub const HEAP_GOAL: u8 = 38;
    pub const GO_LABEL: u8 = 39;
    pub const USER_TASK_BEGIN: u8 = 40;
    pub const USER_TASK_END: u8 = 41;
    pub const USER_REGION_BEGIN: u8 = 42;
    pub const USER_REGION_END: u8 = 43;
    pub const USER_LOG: u8 = 44;
    pub const GO_SWITCH: u8 = 45;
    pub const GO_SWITCH_DESTROY: u8 = 46;
    pub const GO_CREATE_BLOCKED: u8 = 47;
    pub const GO_STATUS_STACK: u8 = 48;
    pub const EXPERIMENTAL_BATCH: u8 = 49;
    pub const SYNC: u8 = 50;
    pub const CLOCK_SNAPSHOT: u8 = 51;
    pub const END_OF_GENERATION: u8 = 52;
    /// Experimental (AllocFree) events start after this.
    pub const MAX_EVENT: u8 = 127;
    pub const SPAN: u8 = 128;
    pub const GOROUTINE_STACK_FREE: u8 = 136;
}

/// Largest batch payload Go accepts.
pub const MAX_BATCH_SIZE: u64 = 64 << 10;
/// Largest string (and other trailing data) Go accepts.
pub const MAX_STRING_SIZE: u64 = 1024;
/// Largest number of frames in one stack.
pub const MAX_FRAMES_PER_STACK: u64 = 128;
/// Largest number of arguments of a timed event, including the time delta.
pub const MAX_TIMED_ARGS: usize = 5;

/// Experiment ids of experimental batches.
pub const EXPERIMENT_ALLOC_FREE: u8 = 1;

/// Name of an experiment, as Go prints it.
pub fn experiment_name(exp: u8) -> &'static str {
    match exp {
        0 => "None",
        EXPERIMENT_ALLOC_FREE => "AllocFree",
        _ => "",
    }
}

/// Description of one event type.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub name: &'static str,
    /// Argument names in wire order; for timed events the first is `dt`.
    pub args: &'static [&'static str],
    /// Whether the first argument is a timestamp delta.
    pub timed: bool,
    /// Argument positions (into `args`) that are string ids.
    pub string_ids: &'static [usize],
    /// Argument positions that are stack ids; the first is the event's stack.
    pub stack_ids: &'static [usize],
    /// For range/pair ends: the type of the matching begin event.
    pub start_ev: u8,
    /// A `String` or `ExperimentalBatch`: followed by length-prefixed data.
    pub has_data: bool,
    /// A `Stack`: followed by `nframes` frames of 4 values.
    pub is_stack: bool,
    /// Experiment this event belongs to (0 = none).
    pub experiment: u8,
    /// First trace version that defines this event.
    pub since: u32,
}

const fn s(name: &'static str, args: &'static [&'static str], since: u32) -> Spec {
    Spec {
        name,
        args,
        timed: false,
        string_ids: &[],
        stack_ids: &[],
        start_ev: 0,
        has_data: false,
        is_stack: false,
        experiment: 0,
        since,
    }
}

const fn t(name: &'static str, args: &'static [&'static str], since: u32) -> Spec {
    let mut sp = s(name, args, since);
    sp.timed = true;
    sp
}

const fn strs(mut sp: Spec, ids: &'static [usize]) -> Spec {
    sp.string_ids = ids;
    sp
}

const fn stks(mut sp: Spec, ids: &'static [usize]) -> Spec {
    sp.stack_ids = ids;
    sp
}

const fn ends(mut sp: Spec, start: u8) -> Spec {
    sp.start_ev = start;
    sp
}

const fn data(mut sp: Spec) -> Spec {
    sp.has_data = true;
    sp
}

const fn exp(mut sp: Spec) -> Spec {
    sp.experiment = EXPERIMENT_ALLOC_FREE;
    sp
}

const UNDEFINED: Spec = s("", &[], 0);

/// Specs of event types 0..=52 (the non-experimental range).
const BASE: [Spec; 53] = [
    UNDEFINED,
    s("EventBatch", &["gen", "m", "time", "size"], 22),
    s("Stacks", &[], 22),
    {
        let mut sp = s("Stack", &["id", "nframes"], 22);
        sp.is_stack = true;
        sp
    },
    s("Strings", &[], 22),
    data(s("String", &["id"], 22)),
    s("CPUSamples", &[], 22),
    stks(s("CPUSample", &["time", "m", "p", "g", "stack"], 22), &[4]),
    s("Frequency", &["freq"], 22),
    stks(t("ProcsChange", &["dt", "procs_value", "stack"], 22), &[2]),
    t("ProcStart", &["dt", "p", "p_seq"], 22),
    t("ProcStop", &["dt"], 22),
    t("ProcSteal", &["dt", "p", "p_seq", "m"], 22),
    t("ProcStatus", &["dt", "p", "pstatus"], 22),
    stks(
        t("GoCreate", &["dt", "new_g", "new_stack", "stack"], 22),
        &[3, 2],
    ),
    t("GoCreateSyscall", &["dt", "new_g"], 22),
    t("GoStart", &["dt", "g", "g_seq"], 22),
    t("GoDestroy", &["dt"], 22),
    t("GoDestroySyscall", &["dt"], 22),
    strs(
        stks(t("GoStop", &["dt", "reason_string", "stack"], 22), &[2]),
        &[1],
    ),
    strs(
        stks(t("GoBlock", &["dt", "reason_string", "stack"], 22), &[2]),
        &[1],
    ),
    stks(t("GoUnblock", &["dt", "g", "g_seq", "stack"], 22), &[3]),
    stks(t("GoSyscallBegin", &["dt", "p_seq", "stack"], 22), &[2]),
    ends(t("GoSyscallEnd", &["dt"], 22), ev::GO_SYSCALL_BEGIN),
    ends(t("GoSyscallEndBlocked", &["dt"], 22), ev::GO_SYSCALL_BEGIN),
    t("GoStatus", &["dt", "g", "m", "gstatus"], 22),
    strs(
        stks(t("STWBegin", &["dt", "kind_string", "stack"], 22), &[2]),
        &[1],
    ),
    ends(t("STWEnd", &["dt"], 22), ev::STW_BEGIN),
    ends(t("GCActive", &["dt", "gc_seq"], 22), ev::GC_BEGIN),
    stks(t("GCBegin", &["dt", "gc_seq", "stack"], 22), &[2]),
    ends(t("GCEnd", &["dt", "gc_seq"], 22), ev::GC_BEGIN),
    ends(t("GCSweepActive", &["dt", "p"], 22), ev::GC_SWEEP_BEGIN),
    stks(t("GCSweepBegin", &["dt", "stack"], 22), &[1]),
    ends(
        t("GCSweepEnd", &["dt", "swept_value", "reclaimed_value"], 22),
        ev::GC_SWEEP_BEGIN,
    ),
    ends(
        t("GCMarkAssistActive", &["dt", "g"], 22),
        ev::GC_MARK_ASSIST_BEGIN,
    ),
    stks(t("GCMarkAssistBegin", &["dt", "stack"], 22), &[1]),
    ends(t("GCMarkAssistEnd", &["dt"], 22), ev::GC_MARK_ASSIST_BEGIN),
    t("HeapAlloc", &["dt", "heapalloc_value"], 22),
    t("HeapGoal", &["dt", "heapgoal_value"], 22),
    strs(t("GoLabel", &["dt", "label_string"], 22), &[1]),
    strs(
        stks(
            t(
                "UserTaskBegin",
                &["dt", "task", "parent_task", "name_string", "stack"],
                22,
            ),
            &[4],
        ),
        &[3],
    ),
    stks(t("UserTaskEnd", &["dt", "task", "stack"], 22), &[2]),
    strs(
        stks(
            t(
                "UserRegionBegin",
                &["dt", "task", "name_string", "stack"],
                22,
            ),
            &[3],
        ),
        &[2],
    ),
    ends(
        strs(
            stks(
                t("UserRegionEnd", &["dt", "task", "name_string", "stack"], 22),
                &[3],
            ),
            &[2],
        ),
        ev::USER_REGION_BEGIN,
    ),
    strs(
        stks(
            t(
                "UserLog",
                &["dt", "task", "key_string", "value_string", "stack"],
                22,
            ),
            &[4],
        ),
        &[2, 3],
    ),
    t("GoSwitch", &["dt", "g", "g_seq"], 23),
    t("GoSwitchDestroy", &["dt", "g", "g_seq"], 23),
    stks(
        t(
            "GoCreateBlocked",
            &["dt", "new_g", "new_stack", "stack"],
            23,
        ),
        &[3, 2],
    ),
    stks(
        t("GoStatusStack", &["dt", "g", "m", "gstatus", "stack"], 23),
        &[4],
    ),
    data(s("ExperimentalBatch", &["exp", "gen", "m", "time"], 23)),
    s("Sync", &[], 25),
    t("ClockSnapshot", &["dt", "mono", "sec", "nsec"], 25),
    s("EndOfGeneration", &[], 26),
];

/// Specs of the experimental event types 128..=136.
const EXPERIMENTAL: [Spec; 9] = [
    exp(t("Span", &["dt", "id", "npages_value", "kindclass"], 23)),
    exp(t(
        "SpanAlloc",
        &["dt", "id", "npages_value", "kindclass"],
        23,
    )),
    exp(t("SpanFree", &["dt", "id"], 23)),
    exp(t("HeapObject", &["dt", "id", "type"], 23)),
    exp(t("HeapObjectAlloc", &["dt", "id", "type"], 23)),
    exp(t("HeapObjectFree", &["dt", "id"], 23)),
    exp(t("GoroutineStack", &["dt", "id", "order"], 23)),
    exp(t("GoroutineStackAlloc", &["dt", "id", "order"], 23)),
    exp(t("GoroutineStackFree", &["dt", "id"], 23)),
];

/// Marks a type that cannot start a timed event in [`TIMED_ARGS`].
pub const NOT_TIMED: u8 = 0xff;

/// For each event type: how many arguments follow the time delta of a timed
/// event, or [`NOT_TIMED`]. A flat table so the decoder's hot loop needs no
/// lookups beyond one byte.
pub static TIMED_ARGS: [u8; 256] = timed_args();

const fn timed_args() -> [u8; 256] {
    let mut t = [NOT_TIMED; 256];
    let mut i = 0;
    while i < BASE.len() {
        if BASE[i].timed && !BASE[i].args.is_empty() {
            t[i] = (BASE[i].args.len() - 1) as u8;
        }
        i += 1;
    }
    let mut j = 0;
    while j < EXPERIMENTAL.len() {
        t[ev::SPAN as usize + j] = (EXPERIMENTAL[j].args.len() - 1) as u8;
        j += 1;
    }
    t
}

/// Which arguments of a timed event are table ids, as indices into the
/// arguments after the time delta (`RawEvent::args`): the stack ids (the
/// first is the event's own stack) and the string ids, in spec order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdArgs {
    pub stacks: [u8; 2],
    pub nstacks: u8,
    pub strings: [u8; 2],
    pub nstrings: u8,
}

/// [`IdArgs`] for each event type (none for undefined or untimed types). A
/// flat table so resolving an event's ids needs no spec lookup.
pub static ID_ARGS: [IdArgs; 256] = id_args();

const fn id_args_of(sp: &Spec) -> IdArgs {
    let mut ids = IdArgs {
        stacks: [0; 2],
        nstacks: 0,
        strings: [0; 2],
        nstrings: 0,
    };
    if !sp.timed {
        return ids;
    }
    let mut i = 0;
    while i < sp.stack_ids.len() && i < 2 {
        ids.stacks[i] = (sp.stack_ids[i] - 1) as u8;
        i += 1;
    }
    ids.nstacks = i as u8;
    let mut j = 0;
    while j < sp.string_ids.len() && j < 2 {
        ids.strings[j] = (sp.string_ids[j] - 1) as u8;
        j += 1;
    }
    ids.nstrings = j as u8;
    ids
}

const fn id_args() -> [IdArgs; 256] {
    let mut t = [id_args_of(&UNDEFINED); 256];
    let mut i = 0;
    while i < BASE.len() {
        t[i] = id_args_of(&BASE[i]);
        i += 1;
    }
    let mut j = 0;
    while j < EXPERIMENTAL.len() {
        t[ev::SPAN as usize + j] = id_args_of(&EXPERIMENTAL[j]);
        j += 1;
    }
    t
}

/// The spec of event type `ty`, if it is defined in any version.
pub fn spec(ty: u8) -> Option<&'static Spec> {
    let sp = if ty >= ev::SPAN {
        EXPERIMENTAL.get(usize::from(ty - ev::SPAN))?
    } else {
        BASE.get(usize::from(ty))?
    };
    if sp.name.is_empty() {
        None
    } else {
        Some(sp)
    }
}

/// The spec of `ty` as trace version `version` defines it, for readers that
/// honour per-version vocabularies (the raw/text layer does; Go's event
/// decoder accepts every defined type regardless of version).
pub fn spec_for_version(ty: u8, version: u32) -> Option<&'static Spec> {
    // Go 1.27's table: 22 → ids ≤ 44, 23 → ids ≤ 49, 25 → ids ≤ 51, 26 → all.
    let last = match version {
        22 => ev::USER_LOG,
        23 => ev::EXPERIMENTAL_BATCH,
        25 => ev::CLOCK_SNAPSHOT,
        _ => u8::MAX,
    };
    if ty > last {
        return None;
    }
    spec(ty)
}

/// Looks an event type up by name (for the text format).
pub fn by_name(name: &str) -> Option<(u8, &'static Spec)> {
    (0u8..=ev::END_OF_GENERATION)
        .chain(ev::SPAN..=ev::GOROUTINE_STACK_FREE)
        .find_map(|ty| spec(ty).filter(|sp| sp.name == name).map(|sp| (ty, sp)))
}

/// Field names of one stack frame line, in wire order.
pub const FRAME_FIELDS: [&str; 4] = ["pc", "func", "file", "line"];

/// Number of entries in Go's spec slice for trace version `v`: event types
/// `1..len` exist in that version (some may be unnamed holes). Old-format
/// versions are valid but have no wire vocabulary. `None` = unknown version.
pub fn specs_len(v: u64) -> Option<usize> {
    Some(match v {
        11 | 19 | 21 => 0,
        22 => usize::from(ev::USER_LOG) + 1,
        23 => usize::from(ev::EXPERIMENTAL_BATCH) + 1,
        25 => usize::from(ev::CLOCK_SNAPSHOT) + 1,
        26 => usize::from(ev::GOROUTINE_STACK_FREE) + 1,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_known_layout() {
        assert_eq!(spec(ev::GO_START).map(|s| s.name), Some("GoStart"));
        assert_eq!(spec(ev::USER_LOG).map(|s| s.args.len()), Some(5));
        assert_eq!(
            spec(ev::GO_CREATE).map(|s| s.stack_ids),
            Some(&[3usize, 2][..])
        );
        assert_eq!(spec(ev::SPAN).map(|s| s.name), Some("Span"));
        assert_eq!(
            spec(ev::GOROUTINE_STACK_FREE).map(|s| s.name),
            Some("GoroutineStackFree")
        );
        assert!(spec(53).is_none());
        assert!(spec(127).is_none());
        assert!(spec(137).is_none());
        assert!(spec(0).is_none());
    }

    #[test]
    fn timed_events_fit_the_argument_limit() {
        for ty in 0..=255u8 {
            if let Some(sp) = spec(ty) {
                if sp.timed {
                    assert!(sp.args.len() <= MAX_TIMED_ARGS, "{}", sp.name);
                    assert_eq!(sp.args[0], "dt", "{}", sp.name);
                }
            }
        }
    }

    #[test]
    fn timed_args_table_agrees_with_specs() {
        for ty in 0..=255u8 {
            let want = match spec(ty) {
                Some(sp) if sp.timed => (sp.args.len() - 1) as u8,
                _ => NOT_TIMED,
            };
            assert_eq!(TIMED_ARGS[usize::from(ty)], want, "type {ty}");
        }
    }

    #[test]
    fn id_args_table_agrees_with_specs() {
        for ty in 0..=255u8 {
            let ids = ID_ARGS[usize::from(ty)];
            let (stacks, strings) = match spec(ty) {
                Some(sp) if sp.timed => (sp.stack_ids, sp.string_ids),
                _ => (&[][..], &[][..]),
            };
            let got: Vec<usize> = ids.stacks[..usize::from(ids.nstacks)]
                .iter()
                .map(|&i| usize::from(i) + 1)
                .collect();
            assert_eq!(got, stacks, "stacks of type {ty}");
            let got: Vec<usize> = ids.strings[..usize::from(ids.nstrings)]
                .iter()
                .map(|&i| usize::from(i) + 1)
                .collect();
            assert_eq!(got, strings, "strings of type {ty}");
        }
    }

    #[test]
    fn per_version_vocabulary() {
        assert!(spec_for_version(ev::GO_SWITCH, 22).is_none());
        assert!(spec_for_version(ev::GO_SWITCH, 23).is_some());
        assert!(spec_for_version(ev::SYNC, 23).is_none());
        assert!(spec_for_version(ev::END_OF_GENERATION, 25).is_none());
        assert!(spec_for_version(ev::END_OF_GENERATION, 26).is_some());
        assert_eq!(
            by_name("GoStatusStack").map(|(t, _)| t),
            Some(ev::GO_STATUS_STACK)
        );
    }
}
