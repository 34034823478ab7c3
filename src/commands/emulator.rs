//! `billingctl emulator`.

use crate::cli::EmulatorArgs;
use crate::ExitStatus;

pub fn execute(_args: EmulatorArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`billingctl emulator` is not built yet")
}
