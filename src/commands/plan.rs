//! `billingctl plan`.

use crate::cli::PlanArgs;
use crate::ExitStatus;

pub fn execute(_args: PlanArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`billingctl plan` is not built yet")
}
