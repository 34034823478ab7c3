//! `billingctl export`.

use crate::cli::ExportArgs;
use crate::ExitStatus;

pub fn execute(_args: ExportArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`billingctl export` is not built yet")
}
