//! Walking every page of a list: `--all` and `pinn export`.

use pinn::{List, Object};

use crate::commands::Ctx;
use crate::exit::Failure;
use crate::output::{self, Row};

/// Prints every item of `first` and the pages after it, one page in memory at a time.
pub fn walk<T: Row + Object + Send + 'static>(
    ctx: &mut Ctx,
    first: List<T>,
) -> Result<(), Failure> {
    for item in first.auto_paging_iter() {
        ctx.out.line(output::json_line(&item?)?)?;
    }
    ctx.out.flush()?;
    Ok(())
}
