//! What every command runs with: the client, the output and how to print it.

use pinn::Client;

use crate::args::Format;
use crate::output::Out;

/// What every command runs with.
pub struct Ctx {
    pub client: Client,
    pub format: Format,
    pub out: Out,
    /// Whether a long walk shows a progress line (stderr is a terminal, stdout is not, and
    /// no `--no-progress`).
    pub progress: bool,
}
