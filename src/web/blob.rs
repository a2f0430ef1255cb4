//! A `Blob` (a dropped `File`, a download, bytes a host page handed over)
//! read as a `std::io::Read` stream, slice by slice, with `FileReaderSync`:
//! in a worker, reading a slice of a file is synchronous and cheap, so the
//! trace never has to be in wasm memory as a whole (`gotrace::stream`
//! holds one segment of whole generations at a time).

use js_sys::Uint8Array;
use web_sys::{Blob, FileReaderSync};

use super::js::js_text;
use crate::analysis::compute::TraceFile;

/// Bytes read per `FileReaderSync` call.
const SLICE: f64 = (1u32 << 20) as f64;

/// Reads a blob from its start. Worker-only (`FileReaderSync`).
pub struct BlobReader {
    blob: Blob,
    reader: Option<FileReaderSync>,
    pos: f64,
}

impl BlobReader {
    pub fn new(blob: Blob) -> Self {
        BlobReader {
            blob,
            reader: FileReaderSync::new().ok(),
            pos: 0.0,
        }
    }
}

impl std::io::Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.blob.size();
        if self.pos >= size || buf.is_empty() {
            return Ok(0);
        }
        let end = (self.pos + SLICE.min(buf.len() as f64)).min(size);
        let reader = self
            .reader
            .as_ref()
            .ok_or_else(|| std::io::Error::other("FileReaderSync is not available here"))?;
        let slice = self
            .blob
            .slice_with_f64_and_f64(self.pos, end)
            .map_err(|e| std::io::Error::other(js_text(&e)))?;
        let data = reader
            .read_as_array_buffer(&slice)
            .map_err(|e| std::io::Error::other(js_text(&e)))?;
        let arr = Uint8Array::new(&data);
        let n = (arr.length() as usize).min(buf.len());
        if n == 0 {
            // The file shrank under us (it was changed on disk).
            return Err(std::io::Error::other(
                "the file changed or could no longer be read",
            ));
        }
        arr.subarray(0, n as u32).copy_to(&mut buf[..n]);
        self.pos += n as f64;
        Ok(n)
    }
}

/// A blob the analysis engine re-reads for each computation.
pub struct BlobFile(pub Blob);

impl TraceFile for BlobFile {
    fn open(&self) -> Box<dyn std::io::Read + '_> {
        Box::new(BlobReader::new(self.0.clone()))
    }
}
