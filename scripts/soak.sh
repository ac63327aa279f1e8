#!/usr/bin/env bash
# Soak test of runtime source add/remove (not in CI: CI runs 50 cycles as a test):
#   scripts/soak.sh [CYCLES]     (default 1000)
# Two looping sources stay; each cycle adds a third, waits for its frames, removes it, and
# checks every frame it gave reached the end (real models). Prints RSS every 100 cycles and the
# growth between cycle 100 and the last; exits non-zero on a stall or a lost frame.
set -euo pipefail
cd "$(dirname "$0")/.."
# the dev profile builds these crates optimised (Cargo.toml), and reuses the test build
cargo build --locked -q -p runtime_source_add_delete --bin rt_src_soak
exec ./target/debug/rt_src_soak --cycles "${1:-1000}"
