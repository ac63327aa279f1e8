#!/usr/bin/env bash
# scripts/bench.sh: throughput of the portable deepstream-test1 pipeline and of its stages
# alone, measured in one run on streams/vtest.h264 and streams/market.h264, with the ratios
# that hold on a noisy shared machine:
#   pipeline / min(decode, inference)    (1 stream; 4 streams through one batch-4 muxer)
#   inference batch 4 / batch 1           (frames per second)
# Then the criterion bench of the metadata API (iterate / acquire+add 100 objects).
#
# Usage: scripts/bench.sh [FRAMES]   (frames from the start of each stream; default 100)
# ONNX Runtime uses every CPU unless DS_ORT_THREADS says otherwise (DS_ORT_THREADS=1 leaves
# the other cores to decoding, scaling and drawing).
# Needs scripts/setup.sh first. Builds in the dev profile (our crates are optimised there).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FRAMES=${1:-100}
cargo build -q -p ds-bench
BENCH=$ROOT/target/debug/ds-bench

run() { # STREAM ARGS... -> prints the stage line, sets $fps and $rss
  local line
  line=$("$BENCH" "$@" --frames "$FRAMES" 2>/dev/null | grep '^stage=') || { echo "ds-bench $* failed" >&2; exit 1; }
  fps=$(sed -E 's/.* fps=([0-9.]+).*/\1/' <<<"$line")
  rss=$(sed -E 's/.* peak_rss_kib=([0-9]+).*/\1/' <<<"$line")
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
minf() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

printf '%-14s %-34s %10s %14s\n' stream stage fps peak_rss_MiB
for s in vtest market; do
  in=streams/$s.h264
  [ -f "$in" ] || { echo "$in missing: run scripts/setup.sh" >&2; exit 1; }
  declare -A F=()
  for st in "decode:decode --copies 1" "decode4:decode --copies 4" "infer1:infer --batch 1" "infer4:infer --batch 4" \
            "pipe1:pipeline --copies 1" "pipe4:pipeline --copies 4"; do
    key=${st%%:*}; args=${st#*:}
    # shellcheck disable=SC2086
    run $args --input "$in"
    F[$key]=$fps
    printf '%-14s %-34s %10s %14s\n' "$s" "$args" "$fps" "$((rss / 1024))"
  done
  echo "$s: pipeline (1 stream) / min(decode, inference b1) = $(ratio "${F[pipe1]}" "$(minf "${F[decode]}" "${F[infer1]}")")"
  echo "$s: pipeline (4 streams, batch 4) / min(decode x4, inference b4) = $(ratio "${F[pipe4]}" "$(minf "${F[decode4]}" "${F[infer4]}")")"
  echo "$s: inference batch 4 / batch 1 (frames/s) = $(ratio "${F[infer4]}" "${F[infer1]}")"
done
if [ -f crates/ds-meta/benches/meta.rs ]; then
  cargo bench -q -p ds-meta --bench meta 2>/dev/null | grep -E 'time:|^[a-z_/ 0-9]+$' || true
fi
