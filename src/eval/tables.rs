//! The evaluator reads loaded evidence tables through [`Rows`] and [`Located`].

use super::interp::Rows;
use super::{Located, RowLocation};
use crate::evidence::Table;
use crate::value::Value;

impl Rows for Table {
    fn len(&self) -> usize {
        self.rows()
    }

    fn value(&self, field: usize, row: usize) -> Value<'_> {
        Table::value(self, field, row)
    }

    fn column(&self, field: usize) -> Option<&crate::evidence::Column> {
        Some(Table::column(self, field))
    }
}

impl Located for Table {
    fn location(&self, row: usize) -> RowLocation {
        let l = self.provenance(row);
        RowLocation {
            line: l.line,
            index: l.index,
        }
    }
}
