//! Host names, looked up once per TTL instead of once per call.
//!
//! ureq resolves the host before it looks in its connection pool, and with a timeout set its
//! default resolver runs every lookup on a new thread, even for an IP address: a thread and
//! a DNS query per API call. This resolver:
//!
//! - returns an IP address at once, with no lookup and no thread;
//! - keeps a host name's addresses for a TTL, so a call on a pooled connection does no
//!   lookup at all;
//! - looks a name up on a thread of its own, with no lock held while it runs; calls that miss
//!   on the same name meanwhile wait for that lookup instead of starting their own;
//! - never lets a stuck lookup hold the name: a caller waits no longer than the connect
//!   timeout (and what is left of the call), and while a lookup has run for
//!   [`HEDGE_AFTER`] without an answer (a DNS server that does not answer, which the system
//!   resolver waits out for up to 30 s), the next caller, or one still waiting, starts
//!   another: whichever answers first answers every caller waiting on the name. Once DNS
//!   works again (a fixed `/etc/hosts`, a server back), calls recover within about
//!   [`HEDGE_AFTER`], not when the stuck lookup gives up. At most [`MAX_LOOKUPS`] lookups
//!   run at once, so a resolver that hangs for good costs a bounded number of threads;
//! - reports a lookup that fails or finds nothing as [`ureq::Error::HostNotFound`], which the
//!   crate retries even for a POST (nothing was sent). A failure is never cached: the next
//!   call looks the name up again, and a lookup that fails after a newer one succeeded
//!   changes nothing (nor does an older lookup's late success replace a newer answer);
//! - forgets a name's addresses when a connection to them fails ([`forget_used`]): after a
//!   failover, DNS may already point elsewhere, and the retry should find out.
//!
//! Its parts, a file each:
//!
//! - `cache`: the names and their answers, shared by the lookups and their callers.
//! - `lookup`: the resolver, and a name's lookups: who starts one, who waits, for how long.
//! - `resolve`: ureq's entry point, where an IP address needs no lookup.
//!
//! [`HEDGE_AFTER`]: lookup::HEDGE_AFTER
//! [`MAX_LOOKUPS`]: lookup::MAX_LOOKUPS

mod cache;
mod lookup;
mod resolve;

pub(crate) use cache::{clear_used, forget_used};
pub(crate) use lookup::CachingResolver;

#[cfg(test)]
mod tests;
