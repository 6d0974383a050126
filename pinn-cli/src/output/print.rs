//! Printing one object or one page of a list in the format asked for.

use std::io;

use pinn::List;
use pinn::serde_json::{self, Value};
use serde::Serialize;

use super::cells::{capped, cell, value_text};
use super::json::{json_line, json_pretty};
use super::out::Out;
use super::table::{MAX_CELL, Row, Table};
use crate::args::Format;

/// Prints one object: fields and values in a table, pretty JSON, or one JSON line.
pub fn object(out: &mut Out, format: Format, value: &impl Serialize) -> io::Result<()> {
    match format {
        Format::Json => out.line(json_pretty(value)?)?,
        Format::Jsonl => out.line(json_line(value)?)?,
        Format::Table => {
            let value = serde_json::to_value(value).map_err(io::Error::other)?;
            let Value::Object(fields) = value else {
                return out.line(cell(&value_text("", &value)));
            };
            // Names are cut as table cells are (they set the width of the column), values
            // are whole: each is the end of its own line, and the one object was asked for.
            let fields: Vec<(String, &String, &Value)> = fields
                .iter()
                .filter(|(k, _)| *k != "object")
                .map(|(k, v)| (capped(k, MAX_CELL), k, v))
                .collect();
            let width = fields
                .iter()
                .map(|(shown, _, _)| shown.chars().count())
                .max()
                .unwrap_or(0);
            for (shown, name, value) in &fields {
                let value = cell(&value_text(name, value));
                out.line(format!("{shown:width$}  {value}"))?;
            }
        }
    }
    out.flush()
}

/// Prints one page of a list: rows under a header, the page as pretty JSON (with its
/// `has_more` and `ended_at`), or one JSON line per item.
pub fn page<T: Row>(out: &mut Out, format: Format, page: &List<T>) -> io::Result<()> {
    match format {
        Format::Json => out.line(json_pretty(page)?)?,
        Format::Jsonl => {
            for item in &page.data {
                out.line(json_line(item)?)?;
            }
        }
        Format::Table => {
            let table = Table::new(&page.data);
            out.line(table.header())?;
            for item in &page.data {
                out.line(table.row(item))?;
            }
        }
    }
    out.flush()
}
