//! The progress line of a long walk, on stderr: items, pages and rate. Shown only when
//! stderr is a terminal and stdout is not (on a screen, the rows themselves show progress),
//! never in a pipe, and redrawn at most ten times a second.

use std::time::{Duration, Instant};

use crate::stderr::note;
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The ending of a count's noun: none for one, `s` for any other number (0 users).
fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

pub struct Progress {
    bar: Option<ProgressBar>,
    /// What is counted, one of them: "user".
    what: String,
    items: u64,
    pages: u64,
    start: Instant,
}

impl Progress {
    pub fn new(what: &str, shown: bool) -> Progress {
        let bar = shown.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(10));
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            what: what.to_string(),
            items: 0,
            pages: 0,
            start: Instant::now(),
        }
    }

    /// One more item, the first of a new page when `new_page`.
    pub fn item(&mut self, new_page: bool) {
        self.items += 1;
        self.pages += u64::from(new_page);
        if let Some(bar) = &self.bar
            && (new_page || self.items.is_multiple_of(64))
        {
            bar.set_message(summary(
                &self.what,
                self.items,
                self.pages,
                self.start.elapsed(),
                false,
            ));
        }
    }

    /// How far the walk got: `12,345 users, 124 pages, 25,010/s`, or `1 user, 1 page`.
    pub fn summary(&self) -> String {
        summary(
            &self.what,
            self.items,
            self.pages,
            self.start.elapsed(),
            true,
        )
    }

    /// The bar, to clear from another thread.
    pub fn bar(&self) -> Option<ProgressBar> {
        self.bar.clone()
    }

    /// Clears the line (the error or interruption line that follows says how far it got).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Replaces the line, when it was shown, by a summary of the whole walk.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            let took = self.start.elapsed().as_secs_f64();
            note!("done: {} in {took:.2} s", self.summary());
        }
    }
}

/// `12,345 users, 124 pages, 25,010/s`, or `1 user, 1 page`: `items` of `what` in `pages`
/// pages (one at least) over `elapsed`. While a walk runs (not `finished`), the rate comes
/// once it means something, a quarter of a second in.
pub fn summary(what: &str, items: u64, pages: u64, elapsed: Duration, finished: bool) -> String {
    let secs = elapsed.as_secs_f64();
    let pages = pages.max(1);
    let mut text = format!(
        "{} {what}{}, {} page{}",
        HumanCount(items),
        plural(items),
        HumanCount(pages),
        plural(pages)
    );
    if secs >= 0.25 || (finished && secs > 0.0) {
        text.push_str(&format!(", {}/s", HumanCount((items as f64 / secs) as u64)));
    }
    text
}
