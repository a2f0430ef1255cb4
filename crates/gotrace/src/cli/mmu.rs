//! `gotrace mmu` (being written).

use super::{usage, Status};
use std::io::Write;

pub fn run(_args: &[String], _out: &mut dyn Write, err: &mut dyn Write) -> Status {
    usage("mmu", "not implemented yet", err)
}
