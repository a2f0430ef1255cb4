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
mod flags;
mod heap;
mod mud;
mod util;

pub use curve::{log_windows, MmuCurve, UtilWindow};
pub use flags::{Accounting, UtilFlags};
pub(crate) use util::UtilCore;
pub use util::{UtilBuilder, UtilPoint};

use crate::Error;

/// Reads a whole trace and builds its MMU curve for `flags`.
///
/// A trace damaged after its first generation still gives a curve, over the
/// generations before the damage (as `go tool trace` does); the error is
/// returned beside it. A trace that cannot be read at all is an error.
pub fn curve_from_trace(
    data: impl crate::stream::Source,
    flags: UtilFlags,
) -> Result<(MmuCurve, Option<Error>), Error> {
    let (mut curves, damage) = curves_from_trace(data, &[flags])?;
    Ok((
        curves.pop().unwrap_or_else(|| MmuCurve::new(Vec::new())),
        damage,
    ))
}

/// Like [`curve_from_trace`] for several flag sets in one pass.
pub fn curves_from_trace(
    data: impl crate::stream::Source,
    flags: &[UtilFlags],
) -> Result<(Vec<MmuCurve>, Option<Error>), Error> {
    curves_from_trace_with(data, flags, Accounting::Go)
}

/// Like [`curves_from_trace`] with a choice of [`Accounting`].
pub fn curves_from_trace_with(
    data: impl crate::stream::Source,
    flags: &[UtilFlags],
    accounting: Accounting,
) -> Result<(Vec<MmuCurve>, Option<Error>), Error> {
    let mut builders: Vec<UtilBuilder> = flags
        .iter()
        .map(|&f| UtilBuilder::with_accounting(f, accounting))
        .collect();
    let damage = data
        .read_all(|ev, tables| {
            for b in &mut builders {
                b.add(ev, tables);
            }
        })?
        .error;
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
