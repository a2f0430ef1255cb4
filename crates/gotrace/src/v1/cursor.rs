//! A zero-copy reading position over the whole trace file.
//!
//! Offsets are file offsets (the 16-byte header included) so every error can
//! say where it happened. Reads never panic: running out of bytes is an
//! ordinary `Err`.

use crate::error::Error;
use crate::wire::varint::read_uvarint;

/// Go's message for any undecodable varint (truncated or over 64 bits).
pub const MALFORMED_VARINT: &str = "malformatted base-128 varint";

#[derive(Clone, Debug)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        Cursor { data, pos }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }

    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// One uvarint, with Go's `binary.Uvarint` acceptance rules.
    pub fn uvarint(&mut self) -> Result<u64, Error> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        match read_uvarint(rest) {
            Ok((v, n)) => {
                self.pos += n;
                Ok(v)
            }
            Err(_) => Err(Error::format(MALFORMED_VARINT).at(self.pos as u64)),
        }
    }

    /// `n` bytes, borrowed. Like Go's v1 reader this also fails for `n == 0`
    /// at the very end of the file.
    pub fn bytes(&mut self, n: u64) -> Result<&'a [u8], Error> {
        let eof = || Error::truncated("failed to read trace: unexpected EOF").at(self.pos as u64);
        if self.at_end() || n > self.remaining() as u64 {
            return Err(eof());
        }
        let end = self.pos + n as usize;
        let out = self.data.get(self.pos..end).ok_or_else(eof)?;
        self.pos = end;
        Ok(out)
    }

    /// Skips `n` bytes (allowed to end exactly at the end of the file).
    pub fn skip(&mut self, n: u64) -> Result<(), Error> {
        if n > self.remaining() as u64 {
            return Err(Error::truncated("failed to read trace: EOF").at(self.pos as u64));
        }
        self.pos += n as usize;
        Ok(())
    }
}

/// Decodes all uvarints of a length-prefixed argument block into `out`.
pub fn uvarints_into(mut block: &[u8], base: usize, out: &mut Vec<u64>) -> Result<(), Error> {
    let start = block.len();
    while !block.is_empty() {
        let at = base + (start - block.len());
        let (v, n) =
            read_uvarint(block).map_err(|_| Error::format(MALFORMED_VARINT).at(at as u64))?;
        out.push(v);
        block = block.get(n..).unwrap_or(&[]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_offsets() {
        let data = [0x05, 0xac, 0x02, 0x80];
        let mut c = Cursor::new(&data, 0);
        assert_eq!(c.uvarint().unwrap(), 5);
        assert_eq!(c.uvarint().unwrap(), 300);
        let e = c.uvarint().unwrap_err();
        assert_eq!(e.offset, Some(3));
        assert_eq!(e.message, MALFORMED_VARINT);
    }

    #[test]
    fn bytes_refuse_overruns_and_empty_reads_at_eof() {
        let data = [1, 2, 3];
        let mut c = Cursor::new(&data, 1);
        assert!(c.bytes(3).is_err());
        assert_eq!(c.bytes(2).unwrap(), &[2, 3]);
        assert!(
            c.bytes(0).is_err(),
            "Go's readFull fails at EOF even for 0 bytes"
        );
        let mut c = Cursor::new(&data, 0);
        assert!(c.skip(4).is_err());
        assert!(c.skip(3).is_ok());
        assert!(c.at_end());
        assert_eq!(c.byte(), None);
    }

    #[test]
    fn block_decoding() {
        let mut out = Vec::new();
        uvarints_into(&[1, 0x80, 0x01, 7], 0, &mut out).unwrap();
        assert_eq!(out, vec![1, 128, 7]);
        out.clear();
        assert_eq!(
            uvarints_into(&[1, 0x80], 10, &mut out).unwrap_err().offset,
            Some(11)
        );
    }
}
