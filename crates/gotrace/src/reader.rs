//! The ordered event stream: composes header → generations → ordering.
//! (Being written; the API below is stable.)

use crate::error::Error;
use crate::event::Event;
use crate::tables::Tables;
use crate::wire::Version;

/// Reads a whole trace held in memory, yielding events in Go's order.
pub struct Reader<'a> {
    data: &'a [u8],
    version: Version,
    tables: Tables,
}

impl<'a> Reader<'a> {
    /// Checks the header; the events are decoded lazily by [`Reader::next_event`].
    pub fn new(data: &'a [u8]) -> Result<Self, Error> {
        let version = crate::wire::parse_header(data)?;
        Ok(Reader { data, version, tables: Tables::new() })
    }
    pub fn version(&self) -> Version {
        self.version
    }
    /// Interned strings and stacks referenced by the events read so far.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }
    /// The next event; `None` at the end. After an error, always `None`.
    pub fn next_event(&mut self) -> Option<Result<Event, Error>> {
        let _ = self.data;
        None
    }
}
