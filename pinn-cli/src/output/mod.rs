//! Printing results: a table for people, pretty JSON, or JSON Lines for scripts.
//!
//! Every line goes out whole: a row or a JSON object is formatted into memory first, and
//! the buffer is written in pieces of whole lines. Into a pipe, a piece is at most the size
//! the system writes in one go (`PIPE_BUF`), so that a reader that stops reading leaves
//! whole lines in the pipe, never half of one, and the lines the system took are known (the
//! `ledger`): an interrupted command says exactly how far its output got.

mod cells;
mod json;
mod out;
mod print;
mod rows;
mod table;
#[cfg(test)]
mod tests;

pub use cells::{cell, time};
pub use json::{json_line, json_pretty};
pub use out::Out;
pub use print::{object, page};
pub use table::{Row, Table};
