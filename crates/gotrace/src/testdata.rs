//! The traces of `testdata/`, for the crate's tests.

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if !matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("go" | "md" | "mod" | "sum")
        ) {
            out.push(p);
        }
    }
}

/// Every trace in testdata (golden `.test` files converted to binary).
pub(crate) fn traces() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let mut paths = Vec::new();
    files(&root.join("traces"), &mut paths);
    files(&root.join("go"), &mut paths);
    let mut out = Vec::new();
    for p in paths {
        let Ok(raw) = std::fs::read(&p) else { continue };
        let data = if p.extension().is_some_and(|e| e == "test") {
            match crate::text::parse_test_file(&String::from_utf8_lossy(&raw)) {
                Ok(t) => t.trace,
                Err(_) => continue,
            }
        } else {
            raw
        };
        out.push((p.display().to_string(), data));
    }
    assert!(out.len() > 50, "testdata not found: {}", out.len());
    out
}
