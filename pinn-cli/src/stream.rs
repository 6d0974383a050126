//! Walking every page of a list: `--all` and `pinn export`.
//!
//! A thread walks the list with the crate's lazy `auto_paging_iter` (one page in memory) and
//! hands items over a small bounded channel; this thread writes them. So memory stays flat
//! however long the list, a slow page never delays noticing Ctrl-C, and the output is
//! flushed whenever the writer has caught up with the network. Should the cursor of the next
//! page (the last item of a page) be deleted meanwhile and the server refuse it, the walk goes
//! on after the item before it (see `cursor`).

use std::any::Any;
use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

use pinn::{List, Object};

use crate::args::Format;
use crate::context::Ctx;
use crate::exit::Failure;
use crate::interrupt;
use crate::ledger::{self, RESUME_IDS, Written};
use crate::output::{self, Out, Row, Table};
use crate::progress::Progress;

/// Once the server refused the cursor of the next page, the newest of these IDs (those of
/// the last items, newest first), the page after the first of them that still exists, if
/// that one was deleted: [`crate::cursor::after_refusal`] with the walk's client and
/// parameters.
pub type Again<T> = Box<dyn Fn(&[String]) -> Option<List<T>> + Send>;

/// Items in flight between the walking thread and the writer.
const IN_FLIGHT: usize = 256;
/// How often a writer waiting for the next page looks at Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

enum Msg<T> {
    /// An item, and whether it is the first of a page.
    Item(T, bool),
    /// A call failed: the walk ends here.
    Failed(pinn::Error),
    /// Every page was walked. Only this ends a walk as a success: a channel that closes
    /// without it means the walking thread ended early (it panicked), and the output is
    /// incomplete.
    Done,
}

/// How the writer's side of a walk ended.
#[derive(Debug)]
enum End {
    /// The walking thread sent its last item and [`Msg::Done`].
    Done,
    Failed(pinn::Error),
    /// Ctrl-C.
    Interrupted,
    /// The channel closed without [`Msg::Done`]: the walking thread is gone.
    Vanished,
}

/// Prints every item of `first` and of the pages after it; `again` starts the list anew
/// when a page's cursor was deleted.
pub fn walk<T>(ctx: &mut Ctx, first: List<T>, again: Again<T>) -> Result<(), Failure>
where
    T: Row + Object + Clone + Send + 'static,
{
    let mut sink = Sink::new(ctx.format, &first.data);
    let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
    let walker = std::thread::Builder::new()
        .name("pinn-pages".into())
        .spawn(move || fetch(first, tx, again))
        .map_err(|e| Failure::Other(format!("cannot start a thread: {e}")))?;
    let mut progress = Progress::new(T::NAME, ctx.progress);
    // The ledger first: once the walk is streaming, Ctrl-C reads it.
    ledger::begin(T::NAME, ctx.format == Format::Json, progress.bar());
    let _streaming = interrupt::Streaming::begin();
    sink.begin(&mut ctx.out)?;
    let end = receive(
        &rx,
        &mut ctx.out,
        |out, item: T, new_page| {
            sink.item(out, &item, new_page)?;
            progress.item(new_page);
            Ok(())
        },
        Out::flush,
    )?;
    // What was written is closed (a JSON array) and flushed however the walk ended.
    sink.end(&mut ctx.out)?;
    ctx.out.flush()?;
    ledger::closed();
    // How far it got: the items stdout took (all of them, now that it is flushed).
    let after = ledger::after().unwrap_or_default();
    match end {
        End::Done => {
            progress.finish();
            Ok(())
        }
        End::Failed(e) => {
            progress.clear();
            Err(Failure::Partial(e, after))
        }
        End::Interrupted => {
            progress.clear();
            Err(Failure::Interrupted(ledger::interrupted()))
        }
        End::Vanished => {
            progress.clear();
            // The thread has ended or is ending (its sender is gone), so this does not wait.
            Err(Failure::Other(format!(
                "the walk stopped before the last page: {}; the output is incomplete, {after}",
                vanished(walker)
            )))
        }
    }
}

/// Receives what the walking thread sends, handing each item to `item` (with `out`), until
/// it sends [`Msg::Done`] or a failure, its channel closes, or Ctrl-C. `idle` runs whenever
/// the writer has caught up and is about to wait (it flushes the output).
fn receive<T, W>(
    rx: &Receiver<Msg<T>>,
    out: &mut W,
    mut item: impl FnMut(&mut W, T, bool) -> std::io::Result<()>,
    mut idle: impl FnMut(&mut W) -> std::io::Result<()>,
) -> std::io::Result<End> {
    loop {
        if interrupt::requested() {
            return Ok(End::Interrupted);
        }
        let msg = match rx.try_recv() {
            Ok(msg) => msg,
            Err(TryRecvError::Empty) => {
                idle(out)?;
                match rx.recv_timeout(POLL) {
                    Ok(msg) => msg,
                    Err(RecvTimeoutError::Timeout) => continue,
                    Err(RecvTimeoutError::Disconnected) => return Ok(End::Vanished),
                }
            }
            Err(TryRecvError::Disconnected) => return Ok(End::Vanished),
        };
        match msg {
            Msg::Item(it, new_page) => item(out, it, new_page)?,
            Msg::Failed(e) => return Ok(End::Failed(e)),
            Msg::Done => return Ok(End::Done),
        }
    }
}

/// Why the walking thread ended without [`Msg::Done`], for the error line.
fn vanished(walker: JoinHandle<()>) -> String {
    match walker.join() {
        Err(panic) => format!(
            "the thread fetching pages panicked ({})",
            panic_text(&*panic)
        ),
        Ok(()) => "the thread fetching pages ended early".into(),
    }
}

/// The message of a panic, when it has one.
fn panic_text(panic: &(dyn Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}

/// Walks the list, sending each item and whether it opens a page. Items of one page share
/// the response they came in, so a page starts where `last_response` changes; `anchor` (the
/// first item of the current page) keeps that response alive, so no later page can reuse
/// its address. A page refused because its cursor was deleted starts `again` after the last
/// items sent.
fn fetch<T: Object + Clone>(first: List<T>, tx: SyncSender<Msg<T>>, again: Again<T>) {
    let mut anchor: Option<T> = None;
    // The IDs of the last items sent, newest first.
    let mut recent: VecDeque<String> = VecDeque::with_capacity(RESUME_IDS);
    let mut items = first.auto_paging_iter();
    while let Some(item) = items.next() {
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
                if recent.len() == RESUME_IDS {
                    recent.pop_back();
                }
                recent.push_front(item.id().to_string());
                Msg::Item(item, new_page)
            }
            Err(e) if crate::cursor::refused(&e) && !recent.is_empty() => {
                let cursors: Vec<String> = recent.iter().cloned().collect();
                match again(&cursors) {
                    Some(page) => {
                        items = page.auto_paging_iter();
                        continue;
                    }
                    None => Msg::Failed(e),
                }
            }
            Err(e) => Msg::Failed(e),
        };
        let failed = matches!(msg, Msg::Failed(_));
        if tx.send(msg).is_err() || failed {
            return;
        }
    }
    let _ = tx.send(Msg::Done);
}

/// Where the items go, in the chosen format.
enum Sink<T> {
    /// Rows under one header; widths from the first page.
    Table(Table),
    /// One array, pretty-printed. The latest item (and whether it opened a page) waits for
    /// the next one (or the end) to know whether a comma follows it, so every line is
    /// written whole.
    Json(Option<(T, bool)>),
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

    fn item(&mut self, out: &mut Out, item: &T, new_page: bool) -> std::io::Result<()>
    where
        T: Object + Clone,
    {
        match self {
            Sink::Table(table) => out.item(table.row(item), written(item, new_page)),
            Sink::Json(pending) => {
                if let Some((previous, new_page)) = pending.replace((item.clone(), new_page)) {
                    out.item(element(&previous, ",")?, written(&previous, new_page))?;
                }
                Ok(())
            }
            Sink::Jsonl => out.item(output::json_line(item)?, written(item, new_page)),
        }
    }

    fn end(&mut self, out: &mut Out) -> std::io::Result<()>
    where
        T: Object,
    {
        if let Sink::Json(pending) = self {
            if let Some((last, new_page)) = pending.take() {
                out.item(element(&last, "")?, written(&last, new_page))?;
            }
            out.line("]".into())?;
        }
        Ok(())
    }
}

/// What the ledger counts once the lines of `item` are written.
fn written(item: &impl Object, new_page: bool) -> Written {
    Written {
        id: item.id().to_string(),
        new_page,
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

#[cfg(test)]
mod tests {
    use super::{End, Msg, receive, vanished};
    use std::sync::mpsc;

    /// Runs the writer's side against a walking thread that runs `walk`, and returns how it
    /// ended, the items written and the thread.
    fn against(
        walk: impl FnOnce(mpsc::SyncSender<Msg<u32>>) + Send + 'static,
    ) -> (End, Vec<u32>, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::sync_channel(4);
        let walker = std::thread::spawn(move || walk(tx));
        let mut written = Vec::new();
        let end = receive(
            &rx,
            &mut written,
            |w, item, _| {
                w.push(item);
                Ok(())
            },
            |_| Ok(()),
        )
        .unwrap();
        (end, written, walker)
    }

    #[test]
    fn only_done_ends_a_walk_as_a_success() {
        let (end, written, _) = against(|tx| {
            for i in 0..10 {
                tx.send(Msg::Item(i, i % 3 == 0)).unwrap();
            }
            tx.send(Msg::Done).unwrap();
        });
        assert!(matches!(end, End::Done), "{end:?}");
        assert_eq!(written, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn a_thread_that_ends_early_is_no_success() {
        let (end, written, walker) = against(|tx| {
            tx.send(Msg::Item(1, true)).unwrap();
        });
        assert!(matches!(end, End::Vanished), "{end:?}");
        assert_eq!(written, [1]);
        assert_eq!(vanished(walker), "the thread fetching pages ended early");
    }

    #[test]
    fn a_thread_that_panics_is_no_success() {
        let (end, written, walker) = against(|tx| {
            tx.send(Msg::Item(1, true)).unwrap();
            tx.send(Msg::Item(2, false)).unwrap();
            panic!("a test panic");
        });
        assert!(matches!(end, End::Vanished), "{end:?}");
        assert_eq!(written, [1, 2]);
        assert_eq!(
            vanished(walker),
            "the thread fetching pages panicked (a test panic)"
        );
    }

    #[test]
    fn a_write_that_fails_ends_the_walk() {
        let (tx, rx) = mpsc::sync_channel(4);
        tx.send(Msg::Item(1, true)).unwrap();
        let failed = receive(
            &rx,
            &mut (),
            |_, _: u32, _| Err(std::io::ErrorKind::BrokenPipe.into()),
            |_| Ok(()),
        );
        assert_eq!(failed.unwrap_err().kind(), std::io::ErrorKind::BrokenPipe);
    }
}
