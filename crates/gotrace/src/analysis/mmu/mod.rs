//! Minimum mutator utilization (MMU), as `go tool trace`'s `/mmu` page
//! computes it (go1.27.3 `internal/trace/gc.go`, `mud.go`).
//!
//! Two stages: [`UtilBuilder`] turns the event stream into step functions
//! of mutator utilization (one, or one per P with [`UtilFlags::PER_PROC`]);
//! [`MmuCurve`] answers questions about windows over them: the minimum
//! ([`MmuCurve::mmu`]), the worst windows ([`MmuCurve::worst_windows`]),
//! quantiles ([`MmuCurve::percentiles`]) and samples for a plot.
//!
//! Two go1.27.3 quirks are kept by default, because the point is to show
//! what Go shows, and fixed versions are offered beside them:
//! - Go's "Show percentiles" lines all equal the MMU (its distribution is
//!   never filled): [`MmuCurve::percentiles_go`]; the real quantiles are
//!   [`MmuCurve::percentiles`].
//! - Go's charging of background workers drifts on Go 1.22+ traces, whose
//!   workers are labelled again at every start: each label adds an "in GC"
//!   count that is never taken back, so Ps end up collecting forever and
//!   the MMU sinks towards 0. Go also charges by the P of the event, which
//!   is none for a goroutine leaving a syscall without its P (go1.27.3's
//!   `/mmu` then crashes). [`Accounting::Corrected`] fixes both.
//!
//! ```no_run
//! # fn f(bytes: &[u8]) -> Result<(), gotrace::Error> {
//! use gotrace::analysis::mmu::{curve_from_trace, UtilFlags};
//! let (curve, _damage) = curve_from_trace(bytes, UtilFlags::DEFAULT)?;
//! let mmu_1ms = curve.mmu(1_000_000);
//! # Ok(()) }
//! ```

mod curve;
mod heap;
mod mud;
mod util;

pub use curve::{log_windows, MmuCurve, UtilWindow};
pub(crate) use util::UtilCore;
pub use util::{UtilBuilder, UtilPoint};

use crate::{Error, Reader};

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

/// Reads a whole trace and builds its MMU curve for `flags`.
///
/// A trace damaged after its first generation still gives a curve, over the
/// generations before the damage (as `go tool trace` does); the error is
/// returned beside it. A trace that cannot be read at all is an error.
pub fn curve_from_trace(data: &[u8], flags: UtilFlags) -> Result<(MmuCurve, Option<Error>), Error> {
    let (mut curves, damage) = curves_from_trace(data, &[flags])?;
    Ok((
        curves.pop().unwrap_or_else(|| MmuCurve::new(Vec::new())),
        damage,
    ))
}

/// Like [`curve_from_trace`] for several flag sets in one pass.
pub fn curves_from_trace(
    data: &[u8],
    flags: &[UtilFlags],
) -> Result<(Vec<MmuCurve>, Option<Error>), Error> {
    curves_from_trace_with(data, flags, Accounting::Go)
}

/// Like [`curves_from_trace`] with a choice of [`Accounting`].
pub fn curves_from_trace_with(
    data: &[u8],
    flags: &[UtilFlags],
    accounting: Accounting,
) -> Result<(Vec<MmuCurve>, Option<Error>), Error> {
    let mut reader = Reader::new(data)?;
    let mut builders: Vec<UtilBuilder> = flags
        .iter()
        .map(|&f| UtilBuilder::with_accounting(f, accounting))
        .collect();
    let mut damage = None;
    while let Some(item) = reader.next_event() {
        match item {
            Ok(ev) => {
                for b in &mut builders {
                    b.add(&ev, reader.tables());
                }
            }
            Err(e) => {
                damage = Some(e);
                break;
            }
        }
    }
    let curves = builders
        .into_iter()
        .map(|b| {
            let series = if damage.is_some() {
                b.finish_at_last_sync()
            } else {
                b.finish()
            };
            MmuCurve::new(series)
        })
        .collect();
    Ok((curves, damage))
}

#[cfg(test)]
mod tests;
