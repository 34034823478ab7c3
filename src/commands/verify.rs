//! `billingctl verify`.

use crate::cli::VerifyArgs;
use crate::ExitStatus;

pub fn execute(_args: VerifyArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`billingctl verify` is not built yet")
}
