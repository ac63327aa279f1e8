#!/usr/bin/env bash
# Leak check of ds-meta: runs tests/leak.rs (100 000 object, display, user and event
# metadata items with strings, acquired and released on real buffers, plus deep copies)
# under valgrind and fails on any definitely or indirectly lost byte.
#
#   crates/ds-meta/scripts/leak-check.sh          # the check
#   crates/ds-meta/scripts/leak-check.sh --demo   # also leaks one buffer on purpose: must FAIL
#   DS_META_LEAK_BUFFERS=10 crates/ds-meta/scripts/leak-check.sh   # 1 000 items: "in use at
#       exit" must equal the 100 000-item run's (GLib/GStreamer type registrations only)
set -euo pipefail
cd "$(dirname "$0")/../../.."

bin=$(cargo test -p ds-meta --test leak --no-run --message-format=json 2>/dev/null \
      | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "leak-check: test binary not built" >&2; exit 2; }

# No plugins are needed: keep GStreamer from scanning them under valgrind.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export GST_REGISTRY="$tmp/registry.bin" GST_PLUGIN_SYSTEM_PATH_1_0="$tmp" GST_PLUGIN_PATH_1_0="$tmp"
[ "${1:-}" = "--demo" ] && export DS_META_LEAK_DEMO=1

log="$tmp/valgrind.log"
set +e
valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --num-callers=30 --log-file="$log" \
    "$bin" hundred_thousand_items --test-threads=1 --nocapture
rc=$?
set -e
grep -E "metadata items|in use at exit|total heap usage|definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== */  /'
if [ $rc -eq 0 ]; then echo "leak-check: OK (no definitely or indirectly lost bytes)"; else
    grep -A12 "definitely lost in" "$log" | sed 's/^==[0-9]*== */  /' | head -60
    echo "leak-check: FAILED (valgrind exit $rc)"; fi
exit $rc
