//! Lists: one page ([`List`]), its parameters ([`ListParams`]), and lazy walks of every page
//! ([`Pages`]) or every item ([`AutoPaging`]).
//!
//! - `params`: the parameters of every list call.
//! - `page`: a page, and fetching the one after it.
//! - `walk`: the walks, and what ends them.

mod page;
mod params;
mod walk;

pub use page::List;
pub use params::ListParams;
pub use walk::{AutoPaging, Pages};
