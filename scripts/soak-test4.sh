#!/usr/bin/env bash
# Soak test of deepstream-test4 with a real broker (not in CI):
#   scripts/soak-test4.sh [MINUTES]        (default 30)
# Starts redis-server on a free 127.0.0.1 port, feeds test4 an H.264 stream made of
# streams/vtest-5s.h264 repeated for at least MINUTES of processing, samples the app's RSS every
# 30 s, and at the end compares the messages in the Redis stream with the events the probe
# attached. Prints the RSS after warm-up (2 min, or a quarter of the run) and at the end, and
# exits non-zero when a message was lost or RSS grew by more than 10 % after warm-up.
# Stops what it started by PID. Needs scripts/setup.sh (and the debug build it makes).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
OUT=target/soak-test4
mkdir -p "$OUT"
cargo build --locked -q -p deepstream-test4
# Up to ~30 frames/s on 2 idle CPU cores (portable backend): enough 50-frame copies that the
# stream outlasts the run (about 0.9 MB per copy, ~1 GB for 30 minutes, under target/).
copies=$(( MINUTES * 60 * 32 / 50 + 1 ))
stream=$OUT/vtest-long.h264
: > "$stream"
for _ in $(seq "$copies"); do cat streams/vtest-5s.h264 >> "$stream"; done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$OUT" --daemonize no >"$OUT/redis.log" 2>&1 &
redis_pid=$!
app_pid=
cleanup() { [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true; kill "$redis_pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
./target/debug/deepstream-test4 -i "$stream" -p libnvds_redis_proto.so --conn-str "127.0.0.1;$port" -t soak \
  --backend portable --no-display >"$OUT/app.log" 2>"$OUT/app.err" &
app_pid=$!
end=$(( $(date +%s) + MINUTES * 60 ))
warm=$(( MINUTES * 60 / 4 )); [ "$warm" -gt 120 ] && warm=120
start=$(date +%s)
rss_warm=
echo "seconds rss_kb frames messages"
while [ "$(date +%s)" -lt "$end" ] && kill -0 "$app_pid" 2>/dev/null; do
  sleep 30
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$app_pid/status" 2>/dev/null || true)
  [ -n "$rss" ] || break   # the app ended
  t=$(( $(date +%s) - start ))
  [ -z "$rss_warm" ] && [ "$t" -ge "$warm" ] && rss_warm=$rss
  echo "$t $rss $(grep -c '^Frame Number' "$OUT/app.log") $(redis-cli -p "$port" xlen soak)"
  rss_end=$rss
done
# Stop with Ctrl-C (EOS): test4 drains its queue before exiting.
kill -INT "$app_pid" 2>/dev/null || true
for _ in $(seq 600); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
app_pid=
attached=$(grep -c '^Event message attached' "$OUT/app.log" || true)
received=$(redis-cli -p "$port" xlen soak)
echo "events attached: $attached, messages in the stream: $received"
[ "$(( $(date +%s) - start ))" -ge $(( MINUTES * 60 - 30 )) ] || echo "soak: the app ended before $MINUTES minutes" >&2
echo "RSS after warm-up: ${rss_warm:-?} kB, at the end: ${rss_end:-?} kB"
tail -1 "$OUT/app.err"
[ "$attached" -eq "$received" ] || { echo "soak: $((attached - received)) messages lost" >&2; exit 1; }
if [ -n "${rss_warm:-}" ] && [ "$rss_end" -gt $(( rss_warm * 110 / 100 )) ]; then
  echo "soak: RSS grew by more than 10 % after warm-up" >&2; exit 1
fi
echo "soak: pass"
