//! Walking every page of a list: `--all` and `pinn export`.
//!
//! A thread walks the list with the crate's lazy `auto_paging_iter` (one page in memory) and
//! hands items over a small bounded channel; this thread writes them. So memory stays flat
//! however long the list, a slow page never delays noticing Ctrl-C, and the output is
//! flushed whenever the writer has caught up with the network.

use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TryRecvError};
use std::time::Duration;

use pinn::{List, Object};

use crate::args::Format;
use crate::commands::Ctx;
use crate::exit::{Failure, shown};
use crate::interrupt;
use crate::output::{self, Out, Row, Table};
use crate::progress::Progress;

/// Items in flight between the walking thread and the writer.
const IN_FLIGHT: usize = 256;
/// How often a writer waiting for the next page looks at Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

enum Msg<T> {
    /// An item, and whether it is the first of a page.
    Item(T, bool),
    Failed(pinn::Error),
}

/// Prints every item of `first` and of the pages after it.
pub fn walk<T>(ctx: &mut Ctx, first: List<T>) -> Result<(), Failure>
where
    T: Row + Object + Clone + Send + 'static,
{
    let mut sink = Sink::new(ctx.format, &first.data);
    let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
    std::thread::Builder::new()
        .name("pinn-pages".into())
        .spawn(move || fetch(first, tx))
        .map_err(|e| Failure::Other(format!("cannot start a thread: {e}")))?;
    let _streaming = interrupt::Streaming::begin();
    let mut progress = Progress::new(T::NAME, ctx.progress);
    let mut last_id: Option<String> = None;
    sink.begin(&mut ctx.out)?;
    let failed = loop {
        if interrupt::requested() {
            break None;
        }
        let msg = match rx.try_recv() {
            Ok(msg) => msg,
            Err(TryRecvError::Empty) => {
                ctx.out.flush()?;
                match rx.recv_timeout(POLL) {
                    Ok(msg) => msg,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => break None,
                }
            }
            Err(TryRecvError::Disconnected) => break None,
        };
        match msg {
            Msg::Item(item, new_page) => {
                sink.item(&mut ctx.out, &item)?;
                progress.item(new_page);
                last_id = Some(item.id().to_string());
            }
            Msg::Failed(e) => break Some(e),
        }
    };
    sink.end(&mut ctx.out)?;
    ctx.out.flush()?;
    let resume = match &last_id {
        Some(id) => format!("; resume with --starting-after {}", shown(id)),
        None => String::new(),
    };
    let after = format!("after {}{resume}", progress.summary());
    if let Some(e) = failed {
        progress.clear();
        return Err(Failure::Partial(e, after));
    }
    if interrupt::requested() {
        progress.clear();
        return Err(Failure::Interrupted(after));
    }
    progress.finish();
    Ok(())
}

/// Walks the list, sending each item and whether it opens a page. Items of one page share
/// the response they came in, so a page starts where `last_response` changes; `anchor` (the
/// first item of the current page) keeps that response alive, so no later page can reuse
/// its address.
fn fetch<T: Object + Clone>(first: List<T>, tx: SyncSender<Msg<T>>) {
    let mut anchor: Option<T> = None;
    for item in first.auto_paging_iter() {
        let msg = match item {
            Ok(item) => {
                let same = |a: &T| match (a.last_response(), item.last_response()) {
                    (Some(a), Some(b)) => std::ptr::eq(a, b),
                    _ => false,
                };
                let new_page = !anchor.as_ref().is_some_and(same);
                if new_page {
                    anchor = Some(item.clone());
                }
                Msg::Item(item, new_page)
            }
            Err(e) => Msg::Failed(e),
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// Where the items go, in the chosen format.
enum Sink<T> {
    /// Rows under one header; widths from the first page.
    Table(Table),
    /// One array, pretty-printed. The latest item waits for the next one (or the end) to
    /// know whether a comma follows it, so every line is written whole.
    Json(Option<T>),
    Jsonl,
}

impl<T: Row> Sink<T> {
    fn new(format: Format, first_page: &[T]) -> Sink<T> {
        match format {
            Format::Table => Sink::Table(Table::new(first_page)),
            Format::Json => Sink::Json(None),
            Format::Jsonl => Sink::Jsonl,
        }
    }

    fn begin(&mut self, out: &mut Out) -> std::io::Result<()> {
        match self {
            Sink::Table(table) => out.line(table.header()),
            Sink::Json(_) => out.line("[".into()),
            Sink::Jsonl => Ok(()),
        }
    }

    fn item(&mut self, out: &mut Out, item: &T) -> std::io::Result<()>
    where
        T: Clone,
    {
        match self {
            Sink::Table(table) => out.line(table.row(item)),
            Sink::Json(pending) => {
                if let Some(previous) = pending.replace(item.clone()) {
                    out.line(element(&previous, ",")?)?;
                }
                Ok(())
            }
            Sink::Jsonl => out.line(output::json_line(item)?),
        }
    }

    fn end(&mut self, out: &mut Out) -> std::io::Result<()> {
        if let Sink::Json(pending) = self {
            if let Some(last) = pending.take() {
                out.line(element(&last, "")?)?;
            }
            out.line("]".into())?;
        }
        Ok(())
    }
}

/// An array element: pretty JSON indented by two spaces, then `comma`.
fn element(item: &impl serde::Serialize, comma: &str) -> std::io::Result<String> {
    let pretty = output::json_pretty(item)?;
    let mut text = String::with_capacity(pretty.len() + pretty.len() / 8);
    for (i, line) in pretty.lines().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str("  ");
        text.push_str(line);
    }
    text.push_str(comma);
    Ok(text)
}
