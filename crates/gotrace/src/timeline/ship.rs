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
        if chunks.len() != lengths.len()
            || chunks
                .iter()
                .zip(lengths)
                .any(|(c, &n)| c.len() != n as usize)
        {
            return Err("chunks sent ahead differ from the column");
        }
        self.bytes -= chunks.iter().map(Vec::len).sum::<usize>();
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
