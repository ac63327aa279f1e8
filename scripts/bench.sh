#!/usr/bin/env bash
# scripts/bench.sh: throughput of the portable deepstream-test1 pipeline and of its stages
# alone, measured in one run on streams/vtest.h264 and streams/market.h264, with the ratios
# that hold on a noisy shared machine:
#   deepstream-test1 as shipped / the Python loop a user would write (scripts/yardstick.py:
#     OpenCV decode, ONNX Runtime FP32 YOLOv3-tiny with one thread per core, NMS, cv2 boxes,
#     MP4 at the clip's size), on all 795 frames of vtest, with MP4 output and without;
#     test1 runs its configs (INT8), its 1920x1080 muxer, every frame inferred
#   pipeline / min(decode, inference)    (1 stream; 4 streams through one batch-4 muxer)
#   inference batch 4 / batch 1, INT8 / FP32 (frames per second)
# Then the criterion bench of the metadata API (iterate / acquire+add 100 objects).
# The load (uptime) is printed before and after: other work on the machine slows every run.
#
# Usage: scripts/bench.sh [FRAMES]   (frames from the start of each stream for the stage
# runs; default 100. The test1/Python comparison always takes the whole clip.)
# BENCH_SKIP_YARDSTICK=1 leaves the comparison out; BENCH_ONLY_YARDSTICK=1 runs only it.
# ONNX Runtime uses every CPU unless DS_ORT_THREADS says otherwise (DS_ORT_THREADS=1 leaves
# the other cores to decoding, scaling and drawing).
# Needs scripts/setup.sh first. Builds in the dev profile (our crates are optimised there).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
FRAMES=${1:-100}
cargo build -q -p ds-bench -p deepstream-test1
BENCH=$ROOT/target/debug/ds-bench
TEST1=$ROOT/target/debug/deepstream-test1
PY=$ROOT/.venv/bin/python
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time missing: run scripts/setup.sh (Debian package time)" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

run() { # STREAM ARGS... -> prints the stage line, sets $fps and $rss
  local line
  line=$("$BENCH" "$@" --frames "$FRAMES" 2>/dev/null | grep '^stage=') || { echo "ds-bench $* failed" >&2; exit 1; }
  fps=$(sed -E 's/.* fps=([0-9.]+).*/\1/' <<<"$line")
  rss=$(sed -E 's/.* peak_rss_kib=([0-9]+).*/\1/' <<<"$line")
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
shared() { awk -v a="$1" -v b="$2" 'BEGIN { print 1 / (1 / a + 1 / b) }'; }
minf() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

# timed NAME CMD...: runs CMD with its stdout in $OUT/NAME.out; sets $secs (wall) and $rss (KiB)
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$OUT/$name.time" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err" \
    || { echo "$* failed:" >&2; tail -5 "$OUT/$name.err" >&2; exit 1; }
  read -r secs rss < "$OUT/$name.time"
}

if [ "${BENCH_SKIP_YARDSTICK:-0}" != 1 ]; then
  clip=streams/vtest.h264
  [ -f "$clip" ] || { echo "$clip missing: run scripts/setup.sh" >&2; exit 1; }
  echo "== deepstream-test1 as shipped vs the Python loop (scripts/yardstick.py), $clip, all frames"
  echo "load before: $(uptime)"
  printf '%-34s %7s %9s %8s %14s\n' run frames seconds fps peak_rss_MiB
  declare -A Y=()
  # interleaved, so that a change of load hits both sides
  for run in py_file t1_file py_fake t1_fake; do
    case $run in
      py_file) timed $run "$PY" scripts/yardstick.py "$clip" --output "$OUT/yardstick.mp4"; label="python loop, MP4 output" ;;
      py_fake) timed $run "$PY" scripts/yardstick.py "$clip"; label="python loop, no output" ;;
      t1_file) timed $run "$TEST1" --backend portable --sink file --output "$OUT/test1.mp4" "$clip"; label="deepstream-test1 --sink file" ;;
      t1_fake) timed $run "$TEST1" --backend portable --sink fake "$clip"; label="deepstream-test1 --sink fake" ;;
    esac
    if [[ $run == py_* ]]; then
      frames=$(sed -nE 's/.*frames=([0-9]+).*/\1/p' "$OUT/$run.out")
    else
      frames=$(grep -c '^Frame Number=' "$OUT/$run.out")
    fi
    Y[$run]=$(awk -v n="$frames" -v s="$secs" 'BEGIN { printf "%.2f", n / s }')
    printf '%-34s %7s %9s %8s %14s\n' "$label" "$frames" "$secs" "${Y[$run]}" "$((rss / 1024))"
  done
  echo "test1 / python loop (fps), MP4 output: $(awk -v a="${Y[t1_file]}" -v b="${Y[py_file]}" 'BEGIN { printf "%.2f", a / b }')"
  echo "test1 / python loop (fps), no output:  $(awk -v a="${Y[t1_fake]}" -v b="${Y[py_fake]}" 'BEGIN { printf "%.2f", a / b }')"
  echo "load after:  $(uptime)"
  echo
fi
[ "${BENCH_ONLY_YARDSTICK:-0}" = 1 ] && exit 0

printf '%-14s %-34s %10s %14s\n' stream stage fps peak_rss_MiB
for s in vtest market; do
  in=streams/$s.h264
  [ -f "$in" ] || { echo "$in missing: run scripts/setup.sh" >&2; exit 1; }
  declare -A F=()
  for st in "decode:decode --copies 1" "decode4:decode --copies 4" "infer1:infer --batch 1" "infer4:infer --batch 4" \
            "infer1fp32:infer --batch 1 --network-mode 0" \
            "pipe1:pipeline --copies 1" "pipe4:pipeline --copies 4"; do
    key=${st%%:*}; args=${st#*:}
    # shellcheck disable=SC2086
    run $args --input "$in"
    F[$key]=$fps
    printf '%-14s %-34s %10s %14s\n' "$s" "$args" "$fps" "$((rss / 1024))"
  done
  echo "$s: pipeline (1 stream) / min(decode, inference b1) = $(ratio "${F[pipe1]}" "$(minf "${F[decode]}" "${F[infer1]}")")"
  echo "$s: pipeline (4 streams, batch 4) / min(decode x4, inference b4) = $(ratio "${F[pipe4]}" "$(minf "${F[decode4]}" "${F[infer4]}")")"
  # Each stage alone has every core; in the pipeline they share them. Where both stages keep
  # all cores busy, the best the pipeline can do is 1 / (1/decode + 1/inference).
  echo "$s: pipeline (1 stream) / shared-core bound 1/(1/decode + 1/inference b1) = $(ratio "${F[pipe1]}" "$(shared "${F[decode]}" "${F[infer1]}")")"
  echo "$s: pipeline (4 streams) / shared-core bound 1/(1/decode x4 + 1/inference b4) = $(ratio "${F[pipe4]}" "$(shared "${F[decode4]}" "${F[infer4]}")")"
  echo "$s: inference batch 4 / batch 1 (frames/s) = $(ratio "${F[infer4]}" "${F[infer1]}")"
  echo "$s: inference INT8 / FP32, batch 1 (frames/s) = $(ratio "${F[infer1]}" "${F[infer1fp32]}")"
done
if [ -f crates/ds-meta/benches/meta.rs ]; then
  cargo bench -q -p ds-meta --bench meta 2>/dev/null | grep -E 'time:|^[a-z_/ 0-9]+$' || true
fi
