//! `billingctl run`.

use crate::cli::RunArgs;
use crate::ExitStatus;

pub fn execute(_args: RunArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`billingctl run` is not built yet")
}
