//! The pprof file: a hand-written `perftools.profiles.Profile` protobuf
//! encoder and gzip.

use super::profile::{Profile, ProfileFrame};
use crate::wire::varint::write_uvarint;
use std::collections::HashMap;
use std::io::Write as _;

impl Profile {
    /// The uncompressed pprof protobuf (`perftools.profiles.Profile`).
    pub fn to_proto(&self) -> Vec<u8> {
        encode_proto(self)
    }

    /// The gzipped pprof file, as `go tool trace -pprof=` writes it.
    pub fn to_pprof(&self) -> Vec<u8> {
        gzip(&encode_proto(self))
    }
}

struct Pb(Vec<u8>);

impl Pb {
    fn varint(&mut self, v: u64) {
        write_uvarint(&mut self.0, v);
    }
    fn key(&mut self, field: u32, wire: u8) {
        self.varint((u64::from(field) << 3) | u64::from(wire));
    }
    /// A non-zero integer field (proto3 omits zeros).
    fn int(&mut self, field: u32, v: u64) {
        if v != 0 {
            self.key(field, 0);
            self.varint(v);
        }
    }
    fn bytes(&mut self, field: u32, b: &[u8]) {
        self.key(field, 2);
        self.varint(b.len() as u64);
        self.0.extend_from_slice(b);
    }
    fn packed(&mut self, field: u32, vs: &[u64]) {
        if vs.is_empty() {
            return;
        }
        let mut inner = Pb(Vec::new());
        for &v in vs {
            inner.varint(v);
        }
        self.bytes(field, &inner.0);
    }
}

struct Strings {
    list: Vec<String>,
    index: HashMap<String, u64>,
}

impl Strings {
    fn new() -> Self {
        let mut s = Strings {
            list: Vec::new(),
            index: HashMap::new(),
        };
        s.id("");
        s
    }
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// Encodes `p` as an uncompressed `perftools.profiles.Profile` message:
/// sample types contentions/count and delay/nanoseconds, period type
/// trace/count, period 1, one location per PC and one function per
/// (file, function) — as Go's `BuildProfile`.
pub fn encode_proto(p: &Profile) -> Vec<u8> {
    let mut strings = Strings::new();
    let mut out = Pb(Vec::new());
    // sample_type = 1
    for (ty, unit) in [("contentions", "count"), ("delay", "nanoseconds")] {
        let mut vt = Pb(Vec::new());
        vt.int(1, strings.id(ty));
        vt.int(2, strings.id(unit));
        out.bytes(1, &vt.0);
    }
    // Locations by PC, functions by file+name, in first-seen order.
    let mut loc_ids: HashMap<u64, u64> = HashMap::new();
    let mut locations: Vec<(u64, &ProfileFrame, u64)> = Vec::new();
    let mut fn_ids: HashMap<(&str, &str), u64> = HashMap::new();
    let mut functions: Vec<&ProfileFrame> = Vec::new();
    let mut sample_locs: Vec<Vec<u64>> = Vec::with_capacity(p.samples.len());
    for s in &p.samples {
        let mut ids = Vec::with_capacity(s.frames.len());
        for f in &s.frames {
            let id = match loc_ids.get(&f.pc) {
                Some(&id) => id,
                None => {
                    let fid = match fn_ids.get(&(f.file.as_str(), f.func.as_str())) {
                        Some(&fid) => fid,
                        None => {
                            functions.push(f);
                            let fid = functions.len() as u64;
                            fn_ids.insert((f.file.as_str(), f.func.as_str()), fid);
                            fid
                        }
                    };
                    locations.push((f.pc, f, fid));
                    let id = locations.len() as u64;
                    loc_ids.insert(f.pc, id);
                    id
                }
            };
            ids.push(id);
        }
        sample_locs.push(ids);
    }
    // sample = 2
    for (s, locs) in p.samples.iter().zip(&sample_locs) {
        let mut m = Pb(Vec::new());
        m.packed(1, locs);
        m.packed(2, &[s.count, s.delay as u64]);
        out.bytes(2, &m.0);
    }
    // location = 4
    for (i, (pc, f, fid)) in locations.iter().enumerate() {
        let mut line = Pb(Vec::new());
        line.int(1, *fid);
        line.int(2, f.line);
        let mut m = Pb(Vec::new());
        m.int(1, i as u64 + 1);
        m.int(3, *pc);
        m.bytes(4, &line.0);
        out.bytes(4, &m.0);
    }
    // function = 5
    for (i, f) in functions.iter().enumerate() {
        let mut m = Pb(Vec::new());
        m.int(1, i as u64 + 1);
        let name = strings.id(&f.func);
        m.int(2, name);
        m.int(3, name);
        m.int(4, strings.id(&f.file));
        out.bytes(5, &m.0);
    }
    let trace = strings.id("trace");
    let count = strings.id("count");
    // string_table = 6
    for s in &strings.list {
        out.bytes(6, s.as_bytes());
    }
    // period_type = 11, period = 12
    let mut vt = Pb(Vec::new());
    vt.int(1, trace);
    vt.int(2, count);
    out.bytes(11, &vt.0);
    out.int(12, 1);
    out.0
}

/// Gzips `data` (pure Rust, works in wasm).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}
