#!/usr/bin/env bash
# Apply benchmarks (BENCHMARKS.md, "Applies"). Re-runnable by anyone with a Rust toolchain and
# python3; not part of CI. It
#   1. installs the official `stripe` Python SDK into a throwaway virtualenv under /tmp
#      (the sequential baseline; delete it afterwards or set BENCH_VENV to reuse one),
#   2. runs `cargo bench --bench applies` (release build), which starts in-process emulators
#      and drives the release `billingctl` binary against them.
# Extra arguments go to the harness, e.g. `bench/applies.sh --runs 5 --codes 2000`.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${BENCH_VENV:-/tmp/billingctl-bench-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "stripe==16.1.0"

echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sm), $(rustc --version)"
cargo bench --bench applies -- --python "$venv/bin/python" "$@"
