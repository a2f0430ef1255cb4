//! A profile's data: which profile ([`ProfileKind`]), its samples and
//! frames, and which goroutines it covers ([`Selection`]).

use crate::event::GoId;

/// Go merges stacks by their first this-many PCs and cuts them there.
pub const MAX_STACK: usize = 128;

/// Which profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileKind {
    /// Network blocking (`-pprof=net`, the `/io` page).
    Net = 0,
    /// Synchronization blocking (`-pprof=sync`, `/block`).
    Sync = 1,
    /// Syscalls (`-pprof=syscall`, `/syscall`).
    Syscall = 2,
    /// Scheduler latency (`-pprof=sched`, `/sched`).
    Sched = 3,
}

impl ProfileKind {
    pub const ALL: [ProfileKind; 4] = [
        ProfileKind::Net,
        ProfileKind::Sync,
        ProfileKind::Syscall,
        ProfileKind::Sched,
    ];

    /// The `-pprof=` name.
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Net => "net",
            ProfileKind::Sync => "sync",
            ProfileKind::Syscall => "syscall",
            ProfileKind::Sched => "sched",
        }
    }

    /// Parses a `-pprof=` name (also accepts the page names io/block).
    pub fn from_name(s: &str) -> Option<ProfileKind> {
        match s {
            "net" | "io" => Some(ProfileKind::Net),
            "sync" | "block" => Some(ProfileKind::Sync),
            "syscall" => Some(ProfileKind::Syscall),
            "sched" => Some(ProfileKind::Sched),
            _ => None,
        }
    }

    /// A human title, as `go tool trace` links it.
    pub fn title(self) -> &'static str {
        match self {
            ProfileKind::Net => "Network wait profile",
            ProfileKind::Sync => "Sync block profile",
            ProfileKind::Syscall => "Syscall profile",
            ProfileKind::Sched => "Scheduler wait profile",
        }
    }
}

/// One frame of a profile sample.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileFrame {
    pub pc: u64,
    pub func: String,
    pub file: String,
    pub line: u64,
}

impl ProfileFrame {
    /// The frames of `stack`, innermost first, at most `max` of them.
    pub fn of_stack(
        tables: &crate::tables::Tables,
        stack: crate::tables::StackId,
        max: usize,
    ) -> Vec<ProfileFrame> {
        tables
            .stack(stack)
            .take(max)
            .map(|f| ProfileFrame {
                pc: f.pc,
                func: tables.str(f.func).into_owned(),
                file: tables.str(f.file).into_owned(),
                line: f.line,
            })
            .collect()
    }
}

/// One sample: how many intervals and how long, at one stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileSample {
    pub count: u64,
    /// Total delay, ns.
    pub delay: i64,
    /// Leaf first.
    pub frames: Vec<ProfileFrame>,
}

/// A computed profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub kind: ProfileKind,
    /// By delay descending, then by stack.
    pub samples: Vec<ProfileSample>,
}

impl Profile {
    /// Total delay of all samples, ns.
    pub fn total_delay(&self) -> i64 {
        self.samples
            .iter()
            .fold(0i64, |a, s| a.saturating_add(s.delay))
    }

    /// Total number of intervals.
    pub fn total_count(&self) -> u64 {
        self.samples
            .iter()
            .fold(0u64, |a, s| a.saturating_add(s.count))
    }
}

/// Which goroutines a profile covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Selection {
    /// All goroutines (`go tool trace -pprof=`).
    #[default]
    All,
    /// Goroutines whose start function is exactly this (a group, `?name=`).
    Group(String),
    /// These goroutines.
    Ids(std::collections::BTreeSet<GoId>),
}

impl Selection {
    /// The selection `go tool trace`'s `/io?name=NAME` pages use: the group
    /// `NAME`, except that an empty name selects every goroutine (so Go's
    /// link for the unnamed group shows the whole trace's profile).
    pub fn go_group(name: &str) -> Selection {
        if name.is_empty() {
            Selection::All
        } else {
            Selection::Group(name.to_string())
        }
    }
}
