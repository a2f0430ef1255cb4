//! Batch framing: the top-level items of a new-format trace. Zero-copy: a
//! [`Batch`] borrows its payload from the input.

use super::spec::{ev, MAX_BATCH_SIZE};
use super::varint::read_uvarint;
use crate::error::Error;

/// One batch of events written by one thread (or a structural batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batch<'a> {
    pub gen: u64,
    /// Thread id as written (`u64::MAX` = no thread).
    pub m: u64,
    /// Base timestamp in clock ticks.
    pub time: u64,
    /// Experiment id (0 for ordinary batches).
    pub exp: u8,
    pub data: &'a [u8],
    /// File offset of the batch's first byte.
    pub offset: u64,
    /// File offset of `data[0]`.
    pub data_offset: u64,
}

impl Batch<'_> {
    fn first_byte(&self) -> Option<u8> {
        if self.exp != 0 {
            return None;
        }
        self.data.first().copied()
    }
    pub fn is_strings(&self) -> bool {
        self.first_byte() == Some(ev::STRINGS)
    }
    pub fn is_stacks(&self) -> bool {
        self.first_byte() == Some(ev::STACKS)
    }
    pub fn is_cpu_samples(&self) -> bool {
        self.first_byte() == Some(ev::CPU_SAMPLES)
    }
    /// The frequency (< 1.25) or sync (≥ 1.25) batch.
    pub fn is_sync(&self, minor: u32) -> bool {
        match self.first_byte() {
            Some(ev::FREQUENCY) => minor < 25,
            Some(ev::SYNC) => minor >= 25,
            _ => false,
        }
    }
}

/// A top-level item of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    Batch(Batch<'a>),
    /// The one-byte end-of-generation marker (version 26+).
    EndOfGeneration {
        offset: u64,
    },
}

/// Reads the item at `pos` of `file` (whole file, header included).
/// Returns `Ok(None)` at the end of the input, else the item and the position
/// after it. Errors carry the offset of the problem.
pub fn read_item(file: &[u8], pos: usize) -> Result<Option<(Item<'_>, usize)>, Error> {
    let Some(&typ) = file.get(pos) else {
        return Ok(None);
    };
    let start = pos as u64;
    if typ == ev::END_OF_GENERATION {
        return Ok(Some((Item::EndOfGeneration { offset: start }, pos + 1)));
    }
    if typ != ev::EVENT_BATCH && typ != ev::EXPERIMENTAL_BATCH {
        return Err(Error::format(format!("expected batch event, got event {typ}")).at(start));
    }
    let mut p = pos + 1;
    let mut exp = 0u8;
    if typ == ev::EXPERIMENTAL_BATCH {
        exp = *file.get(p).ok_or_else(|| {
            Error::truncated("unexpected end of file reading experimental batch id").at(p as u64)
        })?;
        p += 1;
    }
    let mut field = |what: &str| -> Result<u64, Error> {
        let rest = file.get(p..).unwrap_or(&[]);
        match read_uvarint(rest) {
            Ok((v, n)) => {
                p += n;
                Ok(v)
            }
            Err(e) => Err(Error::new(
                match e {
                    super::varint::VarintError::Truncated => crate::ErrorKind::Truncated,
                    super::varint::VarintError::Overflow => crate::ErrorKind::Format,
                },
                format!("error reading batch {what}: {}", e.describe()),
            )
            .at(p as u64)),
        }
    };
    let gen = field("gen")?;
    let m = field("M ID")?;
    let time = field("timestamp")?;
    let size = field("size")?;
    if size > MAX_BATCH_SIZE {
        return Err(Error::format(format!(
            "invalid batch size {size}, maximum is {MAX_BATCH_SIZE}"
        ))
        .at(start)
        .in_generation(gen));
    }
    let size = size as usize;
    let avail = file.len().saturating_sub(p);
    if avail < size {
        return Err(Error::truncated(format!(
            "failed to read full batch: read {avail} but wanted {size}"
        ))
        .at(p as u64)
        .in_generation(gen));
    }
    let data = file.get(p..p + size).unwrap_or(&[]);
    let batch = Batch {
        gen,
        m,
        time,
        exp,
        data,
        offset: start,
        data_offset: p as u64,
    };
    Ok(Some((Item::Batch(batch), p + size)))
}

/// [`read_item`] on a slice of a file that starts at file offset `base`
/// (a streamed segment, `crate::stream`): `pos` is relative to `part`, and
/// every offset in the item or the error is the file's.
pub fn read_item_in(
    part: &[u8],
    pos: usize,
    base: u64,
) -> Result<Option<(Item<'_>, usize)>, Error> {
    match read_item(part, pos) {
        Ok(Some((Item::Batch(mut b), next))) => {
            b.offset += base;
            b.data_offset += base;
            Ok(Some((Item::Batch(b), next)))
        }
        Ok(Some((Item::EndOfGeneration { offset }, next))) => Ok(Some((
            Item::EndOfGeneration {
                offset: offset + base,
            },
            next,
        ))),
        Ok(None) => Ok(None),
        Err(e) => Err(e.shifted(base)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_padded_batch_header() {
        let mut f = b"go 1.22 trace\0\0\0".to_vec();
        f.extend_from_slice(&[1, 1, 0x80, 0x00, 5]);
        f.extend_from_slice(&[0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
        f.extend_from_slice(&[8, 7]);
        let (item, next) = read_item(&f, 16).unwrap().unwrap();
        let Item::Batch(b) = item else { panic!() };
        assert_eq!((b.gen, b.m, b.time, b.data), (1, 0, 5, &[8u8, 7][..]));
        assert!(b.is_sync(22));
        assert!(!b.is_sync(25));
        assert_eq!(next, f.len());
        assert_eq!(read_item(&f, next).unwrap(), None);
    }

    #[test]
    fn rejects_bad_items() {
        let f = [9u8];
        assert!(read_item(&f, 0)
            .unwrap_err()
            .message
            .contains("expected batch event"));
        let f = [1u8, 1, 0, 0, 10, 1, 2];
        let e = read_item(&f, 0).unwrap_err();
        assert!(e.message.contains("read 2 but wanted 10"), "{e}");
        let f = [1u8, 1, 0, 0, 0xff, 0xff, 0x7f];
        assert!(read_item(&f, 0)
            .unwrap_err()
            .message
            .contains("invalid batch size"));
        let f = [1u8, 1, 0x80];
        assert!(read_item(&f, 0).is_err());
        assert!(matches!(
            read_item(&[52u8], 0),
            Ok(Some((Item::EndOfGeneration { offset: 0 }, 1)))
        ));
    }
}
