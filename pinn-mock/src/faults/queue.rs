//! The faults installed, in order: which one a request takes, and how many uses each has left.

use super::fault::{Fault, FaultKind};
use crate::rng::Rng;

/// A fault taken by a request: what to do, and when.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taken {
    pub kind: FaultKind,
    pub after_commit: bool,
}

/// An installed fault, with the uses it has left and the generator of its rolls.
#[derive(Debug)]
struct Armed {
    fault: Fault,
    /// `None`: without end.
    left: Option<usize>,
    rng: Rng,
}

/// The most faults the control API lets be installed at once. Every request walks the queue,
/// and a client posting lists of faults in a loop would otherwise grow it without end.
pub(crate) const MAX_FAULTS: usize = 10_000;
/// The most bytes of faults (their bodies, paths and headers) installed at once over HTTP:
/// 10,000 faults of a megabyte each would otherwise hold ten gigabytes.
pub(crate) const MAX_FAULT_BYTES: usize = 16 << 20;

/// The installed faults, in order.
#[derive(Debug)]
pub(crate) struct Queue {
    armed: Vec<Armed>,
    /// Seeds the rolls of faults that bring no seed.
    rng: Rng,
}

impl Queue {
    pub(crate) fn new(rng: Rng) -> Queue {
        Queue {
            armed: Vec::new(),
            rng,
        }
    }

    pub(crate) fn push(&mut self, fault: Fault) {
        let left = match (fault.times, fault.probability) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(1),
        };
        let seed = fault.seed.unwrap_or_else(|| self.rng.next_u64());
        self.armed.push(Armed {
            fault,
            left,
            rng: Rng::seeded(seed),
        });
    }

    /// Takes one use of the first fault that matches and fires (used-up faults are dropped).
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<Taken> {
        self.armed.retain(|a| a.left != Some(0));
        for a in &mut self.armed {
            if !a.fault.matches(method, path) {
                continue;
            }
            if let Some(p) = a.fault.probability
                && a.rng.unit() >= p
            {
                continue;
            }
            if let Some(n) = &mut a.left {
                *n -= 1;
            }
            return Some(Taken {
                kind: a.fault.kind.clone(),
                after_commit: a.fault.after_commit,
            });
        }
        None
    }

    /// The faults still installed, each with the uses it has left.
    pub(crate) fn list(&self) -> Vec<Fault> {
        self.armed
            .iter()
            .filter(|a| a.left != Some(0))
            .map(|a| Fault {
                times: a.left,
                ..a.fault.clone()
            })
            .collect()
    }

    /// How many faults are installed and not used up.
    pub(crate) fn len(&self) -> usize {
        self.armed.iter().filter(|a| a.left != Some(0)).count()
    }

    /// Roughly the bytes of the faults installed and not used up.
    pub(crate) fn bytes(&self) -> usize {
        let live = self.armed.iter().filter(|a| a.left != Some(0));
        live.map(|a| a.fault.size()).sum()
    }

    /// Removes every fault; returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.len();
        self.armed.clear();
        n
    }
}
