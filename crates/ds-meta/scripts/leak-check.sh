#!/usr/bin/env bash
# Leak check of ds-meta: runs tests/leak.rs (100 000 object, display, user and event
# metadata items with strings, acquired and released on real buffers, plus deep copies)
# under valgrind and fails on any definitely or indirectly lost byte. With --package
# deepstream-custom-binding-test: that sample's tests/leak.rs (100 000 frames of its custom C
# struct and Rust payloads attached, copied and released).
#
#   crates/ds-meta/scripts/leak-check.sh          # the check
#   crates/ds-meta/scripts/leak-check.sh --demo   # also leaks one buffer on purpose: must FAIL
#   crates/ds-meta/scripts/leak-check.sh --package deepstream-custom-binding-test [--demo]
#   DS_META_LEAK_BUFFERS=10 crates/ds-meta/scripts/leak-check.sh   # 1 000 items: "in use at
#       exit" must equal the 100 000-item run's (GLib/GStreamer type registrations only)
set -euo pipefail
cd "$(dirname "$0")/../../.."

package=ds-meta test_name=hundred_thousand_items demo=
while [ $# -gt 0 ]; do
  case $1 in
    --demo) demo=1 ;;
    --package) package=$2; shift ;;
    *) echo "leak-check: unknown argument '$1' (--demo, --package NAME)" >&2; exit 2 ;;
  esac
  shift
done
case $package in
  ds-meta) test_name=hundred_thousand_items ;;
  deepstream-custom-binding-test) test_name=hundred_thousand_frames ;;
  *) echo "leak-check: no leak test known for package '$package'" >&2; exit 2 ;;
esac

bin=$(cargo test -p "$package" --test leak --no-run --message-format=json 2>/dev/null \
      | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "leak-check: test binary not built" >&2; exit 2; }

# No plugins are needed: keep GStreamer from scanning them under valgrind.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export GST_REGISTRY="$tmp/registry.bin" GST_PLUGIN_SYSTEM_PATH_1_0="$tmp" GST_PLUGIN_PATH_1_0="$tmp"
[ -n "$demo" ] && export DS_META_LEAK_DEMO=1

log="$tmp/valgrind.log"
set +e
valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 --num-callers=30 --log-file="$log" \
    "$bin" "$test_name" --exact --test-threads=1 --nocapture
rc=$?
set -e
grep -E "metadata items|frames of custom|in use at exit|total heap usage|definitely lost|indirectly lost|possibly lost|still reachable|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== */  /'
if [ $rc -eq 0 ]; then echo "leak-check: OK (no definitely or indirectly lost bytes)"; else
    grep -A12 "definitely lost in" "$log" | sed 's/^==[0-9]*== */  /' | head -60
    echo "leak-check: FAILED (valgrind exit $rc)"; fi
exit $rc
