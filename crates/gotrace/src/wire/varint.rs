//! Unsigned LEB128 varints as Go's `encoding/binary` reads them: at most ten
//! bytes, padded (non-minimal) encodings accepted (the runtime pads batch
//! sizes to ten bytes), and a tenth byte above 1 is an overflow.

/// Why a varint could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarintError {
    /// The input ended inside the varint.
    Truncated,
    /// More than 64 bits.
    Overflow,
}

impl VarintError {
    pub fn describe(self) -> &'static str {
        match self {
            VarintError::Truncated => "unexpected end of data inside a varint",
            VarintError::Overflow => "varint overflows a 64-bit integer",
        }
    }
}

/// Decodes one uvarint from the start of `buf`: `(value, bytes used)`.
#[inline]
pub fn read_uvarint(buf: &[u8]) -> Result<(u64, usize), VarintError> {
    // Fast paths: one and two bytes cover most event arguments, three most
    // time deltas. (Each arm is reached only when the bytes before it have
    // their continuation bit set.)
    match *buf {
        [b0, ..] if b0 < 0x80 => return Ok((u64::from(b0), 1)),
        [b0, b1, ..] if b1 < 0x80 => return Ok((u64::from(b0 & 0x7f) | u64::from(b1) << 7, 2)),
        [b0, b1, b2, ..] if b2 < 0x80 => {
            let v = u64::from(b0 & 0x7f) | u64::from(b1 & 0x7f) << 7 | u64::from(b2) << 14;
            return Ok((v, 3));
        }
        _ => {}
    }
    read_uvarint_slow(buf)
}

#[cold]
fn read_uvarint_slow(buf: &[u8]) -> Result<(u64, usize), VarintError> {
    let mut x: u64 = 0;
    let mut shift: u32 = 0;
    for (i, &b) in buf.iter().enumerate() {
        if i == 10 {
            return Err(VarintError::Overflow);
        }
        if b < 0x80 {
            if i == 9 && b > 1 {
                return Err(VarintError::Overflow);
            }
            return Ok((x | (u64::from(b) << shift), i + 1));
        }
        x |= u64::from(b & 0x7f) << shift;
        shift += 7;
    }
    Err(VarintError::Truncated)
}

/// The most bytes a uvarint takes.
pub const MAX_VARINT_LEN: usize = 10;

/// Writes the minimal encoding of `v` into `buf` at `pos` and returns the
/// position after it: the one varint writer (records assembled on the stack
/// use it directly). Bytes that would fall past the end of `buf` are
/// dropped.
#[inline(always)]
pub fn put_uvarint(buf: &mut [u8], mut pos: usize, mut v: u64) -> usize {
    while v >= 0x80 && pos < buf.len() {
        buf[pos] = v as u8 | 0x80;
        pos += 1;
        v >>= 7;
    }
    if pos < buf.len() {
        buf[pos] = v as u8;
        pos += 1;
    }
    pos
}

/// Appends the minimal encoding of `v` to `out`.
#[inline]
pub fn write_uvarint(out: &mut Vec<u8>, v: u64) {
    let mut b = [0u8; MAX_VARINT_LEN];
    let n = put_uvarint(&mut b, 0, v);
    out.extend_from_slice(&b[..n]);
}

/// Zigzag encoding of a signed value (small magnitudes give small varints).
#[inline(always)]
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The inverse of [`zigzag`].
#[inline(always)]
pub fn unzigzag(z: u64) -> i64 {
    ((z >> 1) as i64) ^ -((z & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for v in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX - 1, u64::MAX] {
            let mut b = Vec::new();
            write_uvarint(&mut b, v);
            assert_eq!(read_uvarint(&b), Ok((v, b.len())));
        }
    }

    #[test]
    fn fast_paths_agree_with_the_general_decoder() {
        for v in (0u64..1 << 22)
            .step_by(97)
            .chain([127, 128, 16383, 16384, (1 << 21) - 1])
        {
            let mut b = Vec::new();
            write_uvarint(&mut b, v);
            b.extend_from_slice(&[0xff, 0x01]);
            assert_eq!(read_uvarint(&b), read_uvarint_slow(&b), "{v}");
            assert_eq!(read_uvarint(&b), Ok((v, b.len() - 2)), "{v}");
        }
        // Padded three-byte encodings of small values.
        assert_eq!(read_uvarint(&[0x81, 0x80, 0x00]), Ok((1, 3)));
        assert_eq!(read_uvarint(&[0x80, 0x80]), Err(VarintError::Truncated));
    }

    #[test]
    fn accepts_padded_encodings() {
        // 16 as the runtime writes batch sizes: ten bytes.
        let b = [0x90, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
        assert_eq!(read_uvarint(&b), Ok((16, 10)));
    }

    #[test]
    fn rejects_overflow_and_truncation() {
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read_uvarint(&max), Ok((u64::MAX, 10)));
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(read_uvarint(&over), Err(VarintError::Overflow));
        let eleven = [0x80; 11];
        assert_eq!(read_uvarint(&eleven), Err(VarintError::Overflow));
        assert_eq!(read_uvarint(&[0x80, 0x80]), Err(VarintError::Truncated));
        assert_eq!(read_uvarint(&[]), Err(VarintError::Truncated));
    }
}
