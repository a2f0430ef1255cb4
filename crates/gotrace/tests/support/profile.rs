//! `go tool trace -pprof=` (cached) and `go tool pprof -raw`, and a small
//! pprof protobuf decoder to compare profiles sample for sample.

use std::io::Read as _;
use std::path::Path;
use std::process::Command;

/// `go tool trace -pprof=<kind> FILE`, cached by content under
/// `target/go-reference/pprof/`. Returns (exit code, stdout, stderr).
pub fn go_pprof(kind: &str, file: &Path, bytes: &[u8]) -> (i32, Vec<u8>, String) {
    let go = super::go_binary();
    let key = super::hash_hex(&[
        bytes,
        format!("pprof={kind}").as_bytes(),
        super::go_identity(&go).as_bytes(),
    ]);
    let dir = super::cache_dir().join("pprof");
    std::fs::create_dir_all(&dir).expect("create pprof cache dir");
    let (out_p, err_p, code_p) = (
        dir.join(format!("{key}.stdout")),
        dir.join(format!("{key}.stderr")),
        dir.join(format!("{key}.code")),
    );
    if let (Ok(o), Ok(e), Ok(c)) = (
        std::fs::read(&out_p),
        std::fs::read_to_string(&err_p),
        std::fs::read_to_string(&code_p),
    ) {
        if let Ok(c) = c.trim().parse() {
            return (c, o, e);
        }
    }
    let out = Command::new(&go)
        .args(["tool", "trace", &format!("-pprof={kind}")])
        .arg(file)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .output()
        .unwrap_or_else(|e| panic!("running {} tool trace: {e}", go.display()));
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if code != 0 && code != 1 {
        panic!(
            "`go tool trace -pprof={kind} {}` exited with {code}: {stderr}",
            file.display()
        );
    }
    let n = std::process::id();
    for (p, d) in [
        (&out_p, &out.stdout[..]),
        (&err_p, stderr.as_bytes()),
        (&code_p, code.to_string().as_bytes()),
    ] {
        let tmp = p.with_extension(format!("tmp{n}"));
        std::fs::write(&tmp, d).expect("write cache");
        std::fs::rename(&tmp, p).expect("rename cache");
    }
    (code, out.stdout, stderr)
}

/// `go tool pprof -raw FILE`: Go's own reading of a profile file.
pub fn go_pprof_raw(profile: &Path) -> (i32, String) {
    let go = super::go_binary();
    let out = Command::new(&go)
        .args(["tool", "pprof", "-raw"])
        .arg(profile)
        .env("GOTOOLCHAIN", "local")
        .env("TZ", "UTC")
        .env("PPROF_TMPDIR", std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("running go tool pprof: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

// ---------------------------------------------------------------------------
// pprof protobuf decoding.

/// One frame of a decoded sample: address, function, file, line.
pub type Frame = (u64, String, String, i64);

/// A decoded sample: values and frames (leaf first).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sample {
    pub values: Vec<i64>,
    pub frames: Vec<Frame>,
}

/// What a decoded profile says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// (type, unit) per value.
    pub sample_types: Vec<(String, String)>,
    pub period_type: (String, String),
    pub period: i64,
    /// Sorted (a multiset).
    pub samples: Vec<Sample>,
}

struct Buf<'a>(&'a [u8]);

/// A protobuf field: number, varint value, bytes.
type Field<'a> = (u64, u64, &'a [u8]);

impl<'a> Buf<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first().ok_or("truncated varint")?;
            self.0 = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }
    /// Next (field, wire type, varint value or bytes).
    fn field(&mut self) -> Result<Option<Field<'a>>, String> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let k = self.varint()?;
        match k & 7 {
            0 => {
                let v = self.varint()?;
                Ok(Some((k >> 3, v, &[])))
            }
            2 => {
                let n = self.varint()? as usize;
                if n > self.0.len() {
                    return Err("truncated bytes".into());
                }
                let (b, rest) = self.0.split_at(n);
                self.0 = rest;
                Ok(Some((k >> 3, 0, b)))
            }
            1 => {
                if self.0.len() < 8 {
                    return Err("truncated fixed64".into());
                }
                self.0 = &self.0[8..];
                Ok(Some((k >> 3, 0, &[])))
            }
            5 => {
                if self.0.len() < 4 {
                    return Err("truncated fixed32".into());
                }
                self.0 = &self.0[4..];
                Ok(Some((k >> 3, 0, &[])))
            }
            w => Err(format!("wire type {w}")),
        }
    }
}

/// Integers of a repeated field, packed or not.
fn ints(v: u64, b: &[u8], out: &mut Vec<u64>) -> Result<(), String> {
    if b.is_empty() {
        out.push(v);
        return Ok(());
    }
    let mut p = Buf(b);
    while !p.0.is_empty() {
        out.push(p.varint()?);
    }
    Ok(())
}

/// Gunzips (if gzipped) and decodes a pprof profile.
pub fn decode_profile(data: &[u8]) -> Result<Decoded, String> {
    let raw = if data.starts_with(&[0x1f, 0x8b]) {
        let mut d = flate2::read::GzDecoder::new(data);
        let mut v = Vec::new();
        d.read_to_end(&mut v).map_err(|e| format!("gunzip: {e}"))?;
        v
    } else {
        data.to_vec()
    };
    let mut strings: Vec<String> = Vec::new();
    let mut sample_types: Vec<(u64, u64)> = Vec::new();
    let mut samples: Vec<(Vec<u64>, Vec<u64>)> = Vec::new();
    let mut locations: std::collections::HashMap<u64, (u64, Vec<(u64, i64)>)> = Default::default();
    let mut functions: std::collections::HashMap<u64, (u64, u64)> = Default::default();
    let mut period_type = (0, 0);
    let mut period = 0i64;
    let mut p = Buf(&raw);
    while let Some((f, v, b)) = p.field()? {
        match f {
            1 | 11 => {
                let mut m = Buf(b);
                let (mut ty, mut unit) = (0, 0);
                while let Some((f, v, _)) = m.field()? {
                    match f {
                        1 => ty = v,
                        2 => unit = v,
                        _ => {}
                    }
                }
                if f == 1 {
                    sample_types.push((ty, unit));
                } else {
                    period_type = (ty, unit);
                }
            }
            2 => {
                let mut m = Buf(b);
                let (mut locs, mut vals) = (Vec::new(), Vec::new());
                while let Some((f, v, b)) = m.field()? {
                    match f {
                        1 => ints(v, b, &mut locs)?,
                        2 => ints(v, b, &mut vals)?,
                        _ => {}
                    }
                }
                samples.push((locs, vals));
            }
            4 => {
                let mut m = Buf(b);
                let (mut id, mut addr, mut lines) = (0, 0, Vec::new());
                while let Some((f, v, b)) = m.field()? {
                    match f {
                        1 => id = v,
                        3 => addr = v,
                        4 => {
                            let mut l = Buf(b);
                            let (mut fid, mut line) = (0, 0i64);
                            while let Some((f, v, _)) = l.field()? {
                                match f {
                                    1 => fid = v,
                                    2 => line = v as i64,
                                    _ => {}
                                }
                            }
                            lines.push((fid, line));
                        }
                        _ => {}
                    }
                }
                locations.insert(id, (addr, lines));
            }
            5 => {
                let mut m = Buf(b);
                let (mut id, mut name, mut file) = (0, 0, 0);
                while let Some((f, v, _)) = m.field()? {
                    match f {
                        1 => id = v,
                        2 => name = v,
                        4 => file = v,
                        _ => {}
                    }
                }
                functions.insert(id, (name, file));
            }
            6 => strings.push(String::from_utf8_lossy(b).into_owned()),
            12 => period = v as i64,
            _ => {}
        }
    }
    let s = |i: u64| -> Result<String, String> {
        strings
            .get(i as usize)
            .cloned()
            .ok_or_else(|| format!("string index {i} out of range"))
    };
    let mut out = Vec::new();
    for (locs, vals) in samples {
        let mut frames = Vec::new();
        for l in locs {
            let (addr, lines) = locations.get(&l).ok_or(format!("no location {l}"))?;
            for (fid, line) in lines {
                let (name, file) = functions.get(fid).ok_or(format!("no function {fid}"))?;
                frames.push((*addr, s(*name)?, s(*file)?, *line));
            }
        }
        out.push(Sample {
            values: vals.into_iter().map(|v| v as i64).collect(),
            frames,
        });
    }
    out.sort();
    Ok(Decoded {
        sample_types: sample_types
            .into_iter()
            .map(|(a, b)| Ok((s(a)?, s(b)?)))
            .collect::<Result<_, String>>()?,
        period_type: (s(period_type.0)?, s(period_type.1)?),
        period,
        samples: out,
    })
}

/// How far apart times may be: 0 (exact) for new-format traces. For
/// old-format traces (Go 1.11–1.21, header `go 1.N trace` with N < 22) Go's
/// converter orders events that share a timestamp in map order and nudges
/// them 1ns apart, so `go tool trace` itself gives slightly different
/// times from run to run; there the times may differ by up to 1µs.
pub fn time_tolerance(trace: &[u8]) -> i64 {
    match super::header_minor(trace) {
        Some(n) if n < 22 => 1_000,
        _ => 0,
    }
}

/// Whether two samples match: same frames and count, delays within `tol` ns.
fn same_sample(a: &Sample, b: &Sample, tol: i64) -> bool {
    a.frames == b.frames
        && a.values.len() == b.values.len()
        && a.values.first() == b.values.first()
        && a.values
            .iter()
            .zip(&b.values)
            .skip(1)
            .all(|(x, y)| x.abs_diff(*y) <= tol.unsigned_abs())
}

/// Describes how two sample multisets differ (None if they match: equal
/// frames and counts, delays within `tol` ns).
pub fn sample_diff(want: &[Sample], got: &[Sample], tol: i64) -> Option<String> {
    if want == got {
        return None;
    }
    let mut g: Vec<&Sample> = got.iter().collect();
    let mut only_w = Vec::new();
    for s in want {
        if let Some(i) = g.iter().position(|x| same_sample(s, x, tol)) {
            g.swap_remove(i);
        } else {
            only_w.push(s);
        }
    }
    if only_w.is_empty() && g.is_empty() {
        return None;
    }
    let show = |s: &Sample| {
        format!(
            "{:?} @ {}",
            s.values,
            s.frames
                .iter()
                .take(4)
                .map(|f| format!("{:#x} {}", f.0, f.1))
                .collect::<Vec<_>>()
                .join(" <- ")
        )
    };
    let mut msg = format!(
        "{} samples in go, {} in gotrace; {} only in go, {} only in gotrace",
        want.len(),
        got.len(),
        only_w.len(),
        g.len()
    );
    for s in only_w.iter().take(3) {
        msg.push_str(&format!("\n        go only:      {}", show(s)));
    }
    for s in g.iter().take(3) {
        msg.push_str(&format!("\n        gotrace only: {}", show(s)));
    }
    Some(msg)
}
