#!/usr/bin/env bash
# ds-meta on every supported DeepStream version: the whole ds-meta test suite built with
# each version's layouts on the builtin provider (7.1's is the default build, run by
# `cargo test --workspace`), then on NVIDIA's own DeepStream 9.1 libnvds_meta.so /
# libnvdsgst_meta.so (fetched by scripts/setup.sh into models/deepstream-9.1/lib) with the
# native provider. Extra arguments go to cargo test (e.g. --locked).
set -euo pipefail
cd "$(dirname "$0")/../../.."
LIB=${DS_META_LIB_DIR:-$PWD/models/deepstream-9.1/lib}
[ -f "$LIB/libnvds_meta.so" ] || { echo "versions: $LIB/libnvds_meta.so missing: run scripts/setup.sh" >&2; exit 2; }
for v in 7.0 8.0 9.1; do
  echo "versions: DeepStream $v layouts, builtin provider"
  DS_META_ABI=$v cargo test -p ds-meta "$@"
done
echo "versions: DeepStream 9.1 layouts, native provider on $LIB"
DS_META_ABI=9.1 DS_META_PROVIDER=native DS_META_LIB_DIR=$LIB cargo test -p ds-meta "$@"
echo "versions: OK (7.0, 8.0, 9.1 builtin; 9.1 native)"
