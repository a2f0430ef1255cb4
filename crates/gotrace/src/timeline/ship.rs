//! Column chunks sent ahead of the model: the viewer's worker moves each
//! chunk of a column out as soon as no record will be written to it
//! ([`Builder::take_sealed`](super::Builder::take_sealed)), so it never holds
//! the model it builds; the page keeps them here until the model's encoding
//! names the columns they belong to ([`Decoder::with_shipped`](super::Decoder::with_shipped)).

use super::packed::CHUNK;
use std::collections::HashMap;

/// A chunk sent ahead: chunk `index` of column `column`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedChunk {
    pub column: u32,
    pub index: u32,
    pub bytes: Vec<u8>,
}

/// The chunks sent ahead so far, by column, in order.
#[derive(Debug, Default)]
pub struct Shipped {
    columns: HashMap<u32, Vec<Vec<u8>>>,
    bytes: usize,
}

impl Shipped {
    /// Keeps a chunk; chunks come in order, each at most a chunk long.
    pub fn add(&mut self, chunk: SealedChunk) -> Result<(), &'static str> {
        let SealedChunk {
            column,
            index,
            bytes,
        } = chunk;
        if column == 0 || bytes.len() > CHUNK {
            return Err("bad chunk sent ahead");
        }
        let chunks = self.columns.entry(column).or_default();
        if chunks.len() != index as usize {
            return Err("chunk sent ahead out of order");
        }
        self.bytes += bytes.len();
        chunks.push(bytes);
        Ok(())
    }

    /// The chunks of column `column`, which must have the `lengths` the
    /// column's encoding gives (none: nothing sent ahead).
    pub(super) fn take(
        &mut self,
        column: u32,
        lengths: &[u32],
    ) -> Result<Vec<Vec<u8>>, &'static str> {
        if lengths.is_empty() {
            return Ok(Vec::new());
        }
        let chunks = self
            .columns
            .remove(&column)
            .ok_or("chunks sent ahead missing")?;
        self.bytes -= chunks.iter().map(Vec::len).sum::<usize>();
        if chunks.len() != lengths.len()
            || chunks
                .iter()
                .zip(lengths)
                .any(|(c, &n)| c.len() != n as usize)
        {
            return Err("chunks sent ahead differ from the column");
        }
        Ok(chunks)
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(column: u32, index: u32, n: usize) -> SealedChunk {
        SealedChunk {
            column,
            index,
            bytes: vec![index as u8; n],
        }
    }

    #[test]
    fn chunks_are_kept_in_order_and_taken_by_column() {
        let mut s = Shipped::default();
        s.add(chunk(3, 0, 10)).unwrap();
        s.add(chunk(5, 0, 7)).unwrap();
        s.add(chunk(3, 1, 4)).unwrap();
        assert_eq!(s.bytes(), 21);
        // Out of order, nameless or too long: refused.
        assert!(s.add(chunk(3, 3, 1)).is_err());
        assert!(s.add(chunk(0, 0, 1)).is_err());
        assert!(s.add(chunk(9, 0, CHUNK + 1)).is_err());
        // Nothing sent ahead of a column: nothing taken.
        assert_eq!(s.take(8, &[]), Ok(Vec::new()));
        // Lengths other than the column's, or a column with none: refused.
        assert!(s.take(5, &[6]).is_err());
        assert!(s.take(4, &[1]).is_err());
        assert_eq!(s.bytes(), 14);
        assert_eq!(s.take(3, &[10, 4]).unwrap().concat().len(), 14);
        assert!(s.is_empty() && s.bytes() == 0);
    }
}
