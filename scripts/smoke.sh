#!/usr/bin/env bash
# Smoke test of every sample: runs each one headless on a short real clip, with a time bound,
# and prints one row per sample (result, frames seen by its probe, seconds). Exits non-zero
# when any sample failed. This is what to run in CI on Jetson, dGPU and CPU runners.
#
#   scripts/smoke.sh                 # backend: auto (DeepStream where installed, else portable)
#   SMOKE_BACKEND=portable scripts/smoke.sh
#   SMOKE_TIMEOUT=600 scripts/smoke.sh deepstream-test3   # only the samples named
#
# Needs scripts/setup.sh first (models, clips). Logs go to target/smoke/<sample>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
S=$ROOT/streams
BACKEND=${SMOKE_BACKEND:-auto}
LIMIT=${SMOKE_TIMEOUT:-300}
LOGS=$ROOT/target/smoke
mkdir -p "$LOGS"
unset DISPLAY WAYLAND_DISPLAY

for f in vtest-5s.h264 vtest-4s.mp4 market-2s.mp4 carphone_pristine.mp4; do
  [ -f "$S/$f" ] || { echo "smoke: $S/$f missing: run scripts/setup.sh" >&2; exit 2; }
done

# deepstream-test4 sends its events to a broker: a redis-server of its own on a free
# 127.0.0.1 port, stopped by PID at exit.
command -v redis-server >/dev/null || { echo "smoke: redis-server missing: run scripts/setup.sh" >&2; exit 2; }
REDIS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$LOGS" --daemonize no \
  >"$LOGS/redis-server.log" 2>&1 &
REDIS_PID=$!
trap 'kill "$REDIS_PID" 2>/dev/null' EXIT

# sample | arguments (after --backend). Every sample headless: a file or fakesink output.
SAMPLES=(
  "deepstream-test1|--sink file --output $LOGS/deepstream-test1.mp4 $S/vtest-5s.h264"
  "deepstream-test2|--sink file --output $LOGS/deepstream-test2.mp4 $S/vtest-5s.h264"
  "deepstream-test4|--no-display -i $S/vtest-5s.h264 -p libnvds_redis_proto.so --conn-str 127.0.0.1;$REDIS_PORT -t smoke"
  "deepstream-test3|--no-display -i file://$S/vtest-4s.mp4 file://$S/market-2s.mp4 file://$S/vtest-4s.mp4 file://$S/market-2s.mp4"
  "runtime_source_add_delete|--sink fake --period 1.5 file://$S/vtest.h264 file://$S/vtest-4s.mp4"
  "deepstream-nvdsanalytics|--sink file --output $LOGS/deepstream-nvdsanalytics.mp4 $S/vtest-5s.h264 file://$S/market-2s.mp4"
  "deepstream-demux-multi-in-multi-out|--sink file --output $LOGS/demux.mp4 -i file://$S/vtest-4s.mp4 file://$S/market-2s.mp4"
  # RTSP output on a free port on 127.0.0.1 (nobody connects: the pipeline runs to its end)
  "deepstream-test1-rtsp-out|-i $S/vtest-5s.h264 --rtsp-port 0"
  # file inputs here (RTSP inputs, reconnection and NTP are covered by the crate's tests)
  "deepstream-rtsp-in-rtsp-out|-i file://$S/vtest-4s.mp4 file://$S/market-2s.mp4 --rtsp-port 0"
  # the Triton config (portable backend: read by dsinfer, no Triton server)
  "deepstream-rtsp-in-rtsp-out|-g nvinferserver -i file://$S/vtest-4s.mp4 --rtsp-port 0"
  # ROI tensors by nvdspreprocess (dspreprocess), inferred on by the detector; RTSP output
  "deepstream-preprocess-test|-i file://$S/vtest-4s.mp4 file://$S/market-2s.mp4 --rtsp-port 0"
  # raw tensors parsed in the app; MPEG-4 MP4 out
  "deepstream-ssd-parser|-o $LOGS/deepstream-ssd-parser.mp4 $S/vtest-5s.h264"
  # no camera on CI: the live test source, stopped with Ctrl-C (SIGINT) after 10 s
  "deepstream-test1-usbcam|--test-source --sink fake|10"
  # the output folder must not exist: removed below before the run
  "deepstream-imagedata-multistream|--sink fake file://$S/vtest-4s.mp4 file://$S/market-2s.mp4 $LOGS/imagedata-frames"
  "deepstream-imagedata-multistream-cupy|--sink file --output $LOGS/cupy.mp4 -i file://$S/vtest-4s.mp4 file://$S/market-2s.mp4"
  "deepstream-custom-binding-test|$S/vtest-5s.h264"
  # writes out_crops/ in its working directory: run in target/smoke/redaction (made afresh)
  "deepstream-imagedata-multistream-redaction|-i file://$S/carphone_pristine.mp4 --rtsp-port 0"
  # output folders must not exist (removed below)
  "deepstream-segmentation|--sink file --output $LOGS/deepstream-segmentation.mp4 $ROOT/configs/deepstream-segmentation/portable/dstest_segmentation_config_semantic.txt $S/grace_hopper.jpg $LOGS/deepstream-segmentation"
  "deepstream-opticalflow|--output $LOGS/deepstream-opticalflow.mp4 file://$S/vtest-4s.mp4 file://$S/market-2s.mp4 $LOGS/deepstream-opticalflow"
  # portable stand-in for PeopleSegNet: YOLOv3-tiny person boxes + a selfie-segmentation mask per box
  "deepstream-segmask|--sink file --sink-file $LOGS/deepstream-segmask.mp4 -i file://$S/vtest-4s.mp4 -o $LOGS/deepstream-segmask"
)
rm -rf "$LOGS/imagedata-frames" "$LOGS/deepstream-segmentation" "$LOGS/deepstream-opticalflow" "$LOGS/deepstream-segmask"

# Frames the sample's probe saw: its per-frame lines, else its own summary lines
# (runtime_source_add_delete: "Source i (uri): N frames given, M at the tiler"), else the
# custom metadata read at the sink (deepstream-custom-binding-test: one structId per frame),
# else deepstream-segmentation's "Saved N class maps in FOLDER".
frames_of() {
  local n
  n=$(grep -c '^Frame Number' "$1")
  [ "$n" -eq 0 ] && n=$(grep -c '^custom meta structId::' "$1")
  if [ "$n" -eq 0 ]; then
    n=$(sed -n 's/^Source [0-9]* (.*): [0-9]* frames given, \([0-9]*\) at the tiler$/\1/p' "$1" | awk '{s+=$1} END {print s+0}')
  fi
  if [ "$n" -eq 0 ]; then
    n=$(sed -n 's/^Saved \([0-9]*\) class maps in .*/\1/p' "$1" | head -1)
    n=${n:-0}
  fi
  echo "$n"
}

echo "smoke: building the samples"
cargo build --locked -q --bins || { echo "smoke: build failed" >&2; exit 2; }

printf '%-40s %-10s %-6s %7s %8s\n' sample backend result frames seconds
failed=0
LOGGED=("")
for row in "${SAMPLES[@]}"; do
  name=${row%%|*}
  rest=${row#*|}
  args=${rest%%|*}
  # a third field: a live sample, interrupted (SIGINT, as Ctrl-C) after that many seconds
  interrupt=
  [ "$rest" != "$args" ] && interrupt=${rest#*|}
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  log=$LOGS/$name.log
  # a second row of the same sample gets a log of its own
  n=2
  while printf '%s\n' "${LOGGED[@]}" | grep -qx "$log"; do log=$LOGS/$name-$n.log; n=$((n + 1)); done
  LOGGED+=("$log")
  workdir=$ROOT
  if [ "$name" = deepstream-imagedata-multistream-redaction ]; then
    workdir=$LOGS/redaction; rm -rf "$workdir"; mkdir -p "$workdir"
  fi
  start=$(date +%s%N)
  if [ -n "$interrupt" ]; then
    # shellcheck disable=SC2086
    (cd "$workdir" && timeout --preserve-status -s INT -k 30 "$interrupt" "$ROOT/target/debug/$name" --backend "$BACKEND" $args) >"$log" 2>&1
  else
    # shellcheck disable=SC2086
    (cd "$workdir" && timeout -k 10 "$LIMIT" "$ROOT/target/debug/$name" --backend "$BACKEND" $args) >"$log" 2>&1
  fi
  rc=$?
  ms=$((($(date +%s%N) - start) / 1000000))
  frames=$(frames_of "$log")
  result=pass
  if [ $rc -ne 0 ]; then
    result=FAIL; [ $rc -eq 124 ] && result=TIMEOUT
  elif [ "$frames" -eq 0 ] || ! grep -q '^End-of-stream' "$log"; then
    result=FAIL
  fi
  used=$(sed -n 's/^Backend: \([a-z]*\).*/\1/p' "$log" | head -1)
  printf '%-40s %-10s %-6s %7d %4d.%01d\n' "$name" "${used:-$BACKEND}" "$result" "$frames" $((ms / 1000)) $((ms % 1000 / 100))
  if [ $result != pass ]; then
    failed=$((failed + 1))
    echo "---- last lines of $log" >&2
    tail -n 15 "$log" >&2
  fi
done
if [ $failed -gt 0 ]; then
  echo "smoke: $failed sample(s) failed" >&2
  exit 1
fi
echo "smoke: all samples passed"
