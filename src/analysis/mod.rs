//! The analysis pages' pure parts (`go tool trace`'s goroutine, profile,
//! task/region and MMU pages): the page↔worker [`protocol`], the worker's
//! [`compute`] engine over the `gotrace` analyses, and the layouts the
//! `web::pages` components draw ([`flame`], [`mmu_plot`], [`table`]).

pub mod compute;
pub mod flame;
pub mod mmu_plot;
pub mod protocol;
pub mod table;

#[cfg(test)]
mod tests;
