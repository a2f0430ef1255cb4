//! `gotrace`: the command-line face of the library, so every result can be
//! checked against the Go toolchain. All logic lives in the `gotrace_cli` library.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut err = io::stderr();
    let status = gotrace_cli::run(&args, &mut out, &mut err);
    let _ = out.flush();
    ExitCode::from(status)
}
