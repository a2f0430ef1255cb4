//! Standard input is read as a stream like a file: `gotrace CMD -` with the
//! trace piped in prints what `gotrace CMD FILE` prints (output, errors and
//! exit status), for whole traces and for damaged and gzip-compressed
//! copies. (That `CMD FILE` prints what Go prints is `differential.rs`.)

#[path = "../../gotrace/tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::{corpus, display, scratch_file};

fn run(args: &[&str], stdin: Option<&[u8]>) -> (Vec<u8>, String, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gotrace"));
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = cmd.spawn().expect("gotrace runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        // Written from a thread: the pipe fills before gotrace answers.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let out = child.wait_with_output().expect("gotrace ends");
    let stderr = String::from_utf8_lossy(&out.stderr).replace("gotrace: -: ", "gotrace: FILE: ");
    (out.stdout, stderr, out.status.code().unwrap_or(-1))
}

/// `stats` prints its own parse time: left out of the comparison.
fn without_timing(out: Vec<u8>) -> Vec<u8> {
    String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| !l.starts_with("parse time:"))
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

#[test]
fn stdin_reads_like_a_file() {
    let mut compared = 0;
    let traces: Vec<_> = corpus()
        .into_iter()
        .filter(|p| {
            ["annotations", "flightrecorder.trace", "stress"]
                .iter()
                .any(|k| p.to_string_lossy().contains(k))
        })
        .collect();
    assert!(traces.len() >= 10, "only {} traces", traces.len());
    for src in &traces {
        let data = std::fs::read(src).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data).unwrap();
        let variants = [
            ("whole", data.clone()),
            ("cut at 70 %", data[..data.len() * 7 / 10].to_vec()),
            ("gzip", gz.finish().unwrap()),
        ];
        for (what, bytes) in &variants {
            let file = scratch_file(bytes, "trace");
            let file = file.to_str().unwrap();
            for cmd in [
                &["dump"][..],
                &["stats"],
                &["goroutines", "--json"],
                &["tasks"],
                &["mmu"],
            ] {
                let mut with_file = cmd.to_vec();
                with_file.push(file);
                let mut with_stdin = cmd.to_vec();
                with_stdin.push("-");
                let (mut a_out, a_err, a_code) = run(&with_file, None);
                let (mut b_out, b_err, b_code) = run(&with_stdin, Some(bytes));
                if cmd[0] == "stats" {
                    (a_out, b_out) = (without_timing(a_out), without_timing(b_out));
                }
                let a_err = a_err.replace(&format!("gotrace: {file}: "), "gotrace: FILE: ");
                let name = format!("{} ({what}): gotrace {}", display(src), cmd.join(" "));
                assert!(a_out == b_out, "{name}: stdout differs between FILE and -");
                assert_eq!(a_err, b_err, "{name}: stderr differs");
                assert_eq!(a_code, b_code, "{name}: exit status differs");
                compared += 1;
            }
        }
    }
    eprintln!("{compared} commands read stdin as they read the file");
}
