//! Records held in memory: the inline evidence of rule tests, and test fixtures.

use super::interp::Rows;
use super::{Located, RowLocation};
use crate::value::Value;

/// A dataset as rows of field values (field order of the dataset declaration).
#[derive(Clone, Debug, Default)]
pub struct MemTable {
    rows: Vec<Vec<Value<'static>>>,
}

impl MemTable {
    /// A table from rows; missing trailing fields are none.
    pub fn new(rows: Vec<Vec<Value<'static>>>) -> MemTable {
        MemTable { rows }
    }
}

impl Rows for MemTable {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn value(&self, field: usize, row: usize) -> Value<'_> {
        self.rows
            .get(row)
            .and_then(|r| r.get(field))
            .map(super::interp::borrow)
            .unwrap_or(Value::None)
    }
}

impl Located for MemTable {
    /// Inline records are numbered from 1, in the order written.
    fn location(&self, row: usize) -> RowLocation {
        RowLocation {
            line: None,
            index: Some(row as u64 + 1),
        }
    }
}
