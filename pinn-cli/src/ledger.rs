//! How far the output of a walk got: the items whose lines the system has taken from stdout,
//! their pages, and the last few IDs. It is the line that says how far a walk got and how to
//! resume, and it is kept outside the writer so that Ctrl-C can print it even while stdout is
//! blocked (a reader that stopped reading): then only what reached stdout counts, never what
//! was still waiting in the buffer.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use indicatif::ProgressBar;

use crate::exit::shell_word;
use crate::progress::summary;

/// How many of the last IDs written the resume recipe names: the newest first, the others
/// for when it has been deleted before the resume (see `cursor`).
pub const RESUME_IDS: usize = 3;

/// An item whose line is in the output.
pub struct Written {
    pub id: String,
    /// Whether it is the first of a page.
    pub new_page: bool,
}

struct Walk {
    /// What is walked, one of them: "user".
    what: &'static str,
    start: Instant,
    items: u64,
    pages: u64,
    /// The last IDs written, newest first.
    last: VecDeque<String>,
    /// The output holds a JSON array, whose `]` goes last.
    array: bool,
    /// The output is complete and flushed (the array closed).
    closed: bool,
    /// A write is under way that the system may take in part: should the process end now,
    /// the last line may be cut.
    risky_write: bool,
    /// The progress line, to clear before a line is written over it.
    bar: Option<ProgressBar>,
}

static WALK: Mutex<Option<Walk>> = Mutex::new(None);

/// The walk, whatever a thread that panicked while holding it left: counts and IDs are
/// always whole.
fn walk() -> MutexGuard<'static, Option<Walk>> {
    WALK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A walk of `what`s starts; `array` when its output is a JSON array.
pub fn begin(what: &'static str, array: bool, bar: Option<ProgressBar>) {
    *walk() = Some(Walk {
        what,
        start: Instant::now(),
        items: 0,
        pages: 0,
        last: VecDeque::with_capacity(RESUME_IDS),
        array,
        closed: false,
        risky_write: false,
        bar,
    });
}

/// The system took the lines of these items.
pub fn written(items: impl IntoIterator<Item = Written>) {
    if let Some(w) = walk().as_mut() {
        for item in items {
            w.items += 1;
            w.pages += u64::from(item.new_page);
            if w.last.len() == RESUME_IDS {
                w.last.pop_back();
            }
            w.last.push_front(item.id);
        }
    }
}

/// A write the system may take in part starts (`true`) or ended (`false`).
pub fn risky_write(under_way: bool) {
    if let Some(w) = walk().as_mut() {
        w.risky_write = under_way;
    }
}

/// The walk's output is complete: closed and flushed.
pub fn closed() {
    if let Some(w) = walk().as_mut() {
        w.closed = true;
    }
}

/// Clears the progress line, if one is shown.
pub fn clear_progress() {
    let bar = walk().as_ref().and_then(|w| w.bar.clone());
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
}

/// How far the walk got, `after 1,234 users, 13 pages, 5,678/s; resume with
/// --starting-after usr_3 --starting-after usr_2 --starting-after usr_1`, or `None` when no
/// walk started. The items are those whose lines stdout took, the newest ID first in the
/// recipe; the list starts after the first of them that still exists.
pub fn after() -> Option<String> {
    let guard = walk();
    let w = guard.as_ref()?;
    let mut text = format!(
        "after {}",
        summary(w.what, w.items, w.pages, w.start.elapsed(), true)
    );
    if !w.closed {
        let mut cut = Vec::new();
        if w.risky_write {
            cut.push("its last line may be cut");
        }
        if w.array {
            cut.push("the JSON array is not closed");
        }
        if !cut.is_empty() {
            text.push_str(&format!(" (stdout took no more: {})", cut.join(", ")));
        }
    }
    if !w.last.is_empty() {
        text.push_str("; resume with");
        for id in &w.last {
            text.push_str(&format!(" --starting-after {}", shell_word(id)));
        }
    }
    Some(text)
}

/// The line Ctrl-C ends a command with: how far a walk got, or just `interrupted`.
pub fn interrupted() -> String {
    match after() {
        Some(after) => format!("interrupted {after}"),
        None => "interrupted".into(),
    }
}
