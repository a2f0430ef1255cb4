//! The MMU's options: what counts as time taken from the mutator
//! ([`UtilFlags`]) and how GC work is charged ([`Accounting`]).

/// How GC work is charged to Ps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Accounting {
    /// Exactly as go1.27.3 (including its drift on Go 1.22+ traces, where
    /// every re-emitted worker label adds a count that is never removed).
    #[default]
    Go,
    /// Each goroutine doing GC work (assisting, or a worker whose latest
    /// label is not `GC (idle)`) is charged once, to the P it runs on,
    /// while it executes; sweeps are charged to the P they sweep for.
    Corrected,
}

/// What counts as time taken from the mutator (Go's `UtilFlags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct UtilFlags(u8);

impl UtilFlags {
    /// GC stop-the-world pauses.
    pub const STW: UtilFlags = UtilFlags(1);
    /// Background mark workers.
    pub const BACKGROUND: UtilFlags = UtilFlags(2);
    /// Mark assists.
    pub const ASSIST: UtilFlags = UtilFlags(4);
    /// Incremental sweeping.
    pub const SWEEP: UtilFlags = UtilFlags(8);
    /// One series per P ("per-goroutine" view) instead of the system mean.
    pub const PER_PROC: UtilFlags = UtilFlags(16);
    /// What Go's `/mmu` page has checked initially: system view with STW,
    /// background workers and mark assists.
    pub const DEFAULT: UtilFlags = UtilFlags(1 | 2 | 4);
    /// Every flag.
    pub const ALL: UtilFlags = UtilFlags(31);

    const NAMES: [(&'static str, UtilFlags); 5] = [
        ("stw", UtilFlags::STW),
        ("background", UtilFlags::BACKGROUND),
        ("assist", UtilFlags::ASSIST),
        ("sweep", UtilFlags::SWEEP),
        ("perproc", UtilFlags::PER_PROC),
    ];

    pub const fn empty() -> Self {
        UtilFlags(0)
    }

    pub const fn bits(self) -> u8 {
        self.0
    }

    pub const fn contains(self, other: UtilFlags) -> bool {
        self.0 & other.0 == other.0
    }

    pub const fn union(self, other: UtilFlags) -> Self {
        UtilFlags(self.0 | other.0)
    }

    /// Parses names separated by `,` or `|`: `stw`, `background`, `assist`,
    /// `sweep`, `perproc` (also Go's `perProc`); `none` or "" for no flag.
    pub fn parse(s: &str) -> Result<Self, String> {
        let mut f = UtilFlags::empty();
        for part in s.split([',', '|']).map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("none") {
                continue;
            }
            match Self::NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(part))
            {
                Some((_, flag)) => f = f.union(*flag),
                None => {
                    return Err(format!(
                        "unknown MMU flag {part:?} (want stw, background, assist, sweep, perproc)"
                    ))
                }
            }
        }
        Ok(f)
    }

    /// The `flags=` value of Go's `/mmu?mode=plot` request (`stw|assist`).
    pub fn go_query(self) -> String {
        let mut parts = Vec::new();
        for (name, flag) in Self::NAMES {
            if self.contains(flag) {
                parts.push(if flag == UtilFlags::PER_PROC {
                    "perProc"
                } else {
                    name
                });
            }
        }
        parts.join("|")
    }

    /// Comma-separated names (`stw,background,assist`).
    pub fn names(self) -> String {
        Self::NAMES
            .iter()
            .filter(|(_, f)| self.contains(*f))
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(",")
    }
}
