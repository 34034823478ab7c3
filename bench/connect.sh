#!/usr/bin/env bash
# Connect benchmark (BENCHMARKS.md, "Connect"): the README catalog (scripts/catalog.rhai) on
# N emulated connected accounts at 25 req/s per account with 150 ms latency, against one
# account; then a no-op re-plan's requests. Needs curl and jq.
#   BIN=target/release/billingctl ACCOUNTS=50 RUNS=3 bench/connect.sh
set -euo pipefail
BIN=${BIN:-target/release/billingctl}
ACCOUNTS=${ACCOUNTS:-50}
RUNS=${RUNS:-3}
IN_FLIGHT=${IN_FLIGHT:-50}
export STRIPE_API_KEY=sk_test_bench_platform_000000000000
export BILLINGCTL_NOW=2026-11-18T00:00:00Z
work=$(mktemp -d)
trap 'kill $emu 2>/dev/null || true; rm -rf "$work"' EXIT

start() {
  "$BIN" emulator --listen 127.0.0.1:0 --latency-ms 150 --rate-limit 25 2>"$work/emu.log" &
  emu=$!
  for _ in $(seq 50); do
    base=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/emu.log")
    [ -n "$base" ] && break
    sleep 0.1
  done
  export BILLINGCTL_API_BASE=$base
}
accounts() {
  : >"$work/accounts.txt"
  for _ in $(seq "$1"); do
    curl -s -u "$STRIPE_API_KEY:" "$BILLINGCTL_API_BASE/v1/accounts" -d type=standard \
      | jq -r .id >>"$work/accounts.txt"
  done
}
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >"$work/out.log" 2>&1 || { cat "$work/out.log" >&2; exit 1; }; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }

for run in $(seq "$RUNS"); do
  start; accounts 1
  one=$(seconds "$BIN" run scripts/catalog.rhai --accounts "$work/accounts.txt" --yes --max-rps 25)
  kill $emu; wait $emu 2>/dev/null || true
  start; accounts "$ACCOUNTS"
  many=$(seconds "$BIN" run scripts/catalog.rhai --accounts "$work/accounts.txt" --yes \
           --max-rps 25 --accounts-in-flight "$IN_FLIGHT")
  curl -s -X POST "$BILLINGCTL_API_BASE/_emulator/stats/reset" >/dev/null
  noop=$(seconds "$BIN" plan scripts/catalog.rhai --accounts "$work/accounts.txt" --max-rps 25 \
           --accounts-in-flight "$IN_FLIGHT")
  requests=$(curl -s "$BILLINGCTL_API_BASE/_emulator/stats" | jq .total)
  posts=$(curl -s "$BILLINGCTL_API_BASE/_emulator/stats" | jq '.by_method.POST // 0')
  echo "run $run: 1 account ${one}s; $ACCOUNTS accounts ${many}s; no-op re-plan ${noop}s, $requests requests ($posts POST)"
  kill $emu; wait $emu 2>/dev/null || true
done
