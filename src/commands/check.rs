//! `billingctl check`.

use crate::cli::ScriptArgs;
use crate::ExitStatus;

pub fn execute(_args: ScriptArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`billingctl check` is not built yet")
}
