//! `gotrace pprof` (being written).

use super::{usage, Status};
use std::io::Write;

pub fn run(_args: &[String], _out: &mut dyn Write, err: &mut dyn Write) -> Status {
    usage("pprof", "not implemented yet", err)
}
