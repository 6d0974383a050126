//! Tables: the [`Row`] each kind of object prints as, and the columns of a [`Table`], cut to
//! a width.

use serde::Serialize;

use super::cells::capped;

/// A kind of object that lists print as rows.
pub trait Row: Serialize {
    /// What one of them is called, e.g. "user".
    const NAME: &'static str;
    /// The column headers.
    const COLUMNS: &'static [&'static str];
    /// This object's cells, one per column.
    fn cells(&self) -> Vec<String>;
}

/// The most characters a table cell shows: a longer one (a server can send a field of any
/// length) is cut to this many, its last one `…`, so that no cell can make every row as wide
/// as itself. Only tables are cut: JSON and JSON Lines carry every value whole.
pub(super) const MAX_CELL: usize = 60;

/// A table's columns and their widths, from the header and the items seen when it was made.
/// Every cell is cut to [`MAX_CELL`] characters, so no column is wider; a later cell wider
/// than its column (up to that) pushes its row out.
pub struct Table {
    columns: &'static [&'static str],
    widths: Vec<usize>,
}

impl Table {
    pub fn new<T: Row>(items: &[T]) -> Table {
        let mut widths: Vec<usize> = T::COLUMNS.iter().map(|c| c.len()).collect();
        for item in items {
            for (w, c) in widths.iter_mut().zip(item.cells()) {
                *w = (*w).max(capped(&c, MAX_CELL).chars().count());
            }
        }
        Table {
            columns: T::COLUMNS,
            widths,
        }
    }

    /// Cells padded to their widths, two spaces apart; the last one is not padded.
    fn join<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut line = String::new();
        for (i, (c, w)) in cells.iter().zip(&self.widths).enumerate() {
            let c = c.as_ref();
            if i + 1 == cells.len() {
                line.push_str(c);
            } else {
                let pad = w.saturating_sub(c.chars().count());
                line.push_str(c);
                line.extend(std::iter::repeat_n(' ', pad + 2));
            }
        }
        line.trim_end().to_string()
    }

    pub fn header(&self) -> String {
        self.join(self.columns)
    }

    pub fn row<T: Row>(&self, item: &T) -> String {
        let cells: Vec<String> = item.cells().iter().map(|c| capped(c, MAX_CELL)).collect();
        self.join(&cells)
    }
}
