#!/usr/bin/env bash
# scripts/gpu/bundle.sh: assembles under .gpu/ (git-ignored) everything the lent GPU machine
# needs to run the portable samples with CUDA inference and NVIDIA's decoder, in parts small
# enough to carry one per `device` call (that machine: Ubuntu 24.04, driver with libcuda and
# NVDEC, CUDA 13 and cuDNN in its Python environment, no GStreamer, no network).
#
#   .gpu/part-aa, part-ab ...  a tar split in equal parts of at most 59 MiB:
#     zstd, libzstd.so.1            to unpack there
#     rest.tar.zst                  bin/ (deepstream-test1, deepstream-test3, ds-bench,
#                                   nvmm_device_edit, gst-launch-1.0, gst-inspect-1.0,
#                                   gst-plugin-scanner), lib/ (their shared-library closure
#                                   from this Debian, without glibc, libstdc++ and CUDA),
#                                   gst/ (the GStreamer plugins used), ds/ (NVIDIA's decoder,
#                                   nvvideoconvert and NvBufSurface libraries from PyPI
#                                   nvidia-deepstream-videodecode-cu13), ort/ (PyPI
#                                   onnxruntime-gpu 1.31.1's libonnxruntime), models/, streams/
#     cuda.zst                      onnxruntime-gpu's CUDA execution provider (284 MB raw)
#   .gpu/SHA256SUMS               of the joined tar
#
# Then, with the device tool, one call per part (each within the machine's warm time of the
# last), the last one running the samples:
#   carry [".gpu/part-aa"], command "scripts/gpu/device.sh stash"
#   ...
#   carry [".gpu/part-ae", ".gpu/SHA256SUMS", ".gpu/DejaVuSans.ttf"], command "scripts/gpu/device.sh stash && scripts/gpu/device.sh run"
# (5 parts, 296 MB, on 2026-12-06.)
# scripts/gpu/device.sh says what `run` measures. Needs scripts/setup.sh first.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
OUT=$ROOT/.gpu
CACHE=$OUT/cache
mkdir -p "$CACHE"
ORT_GPU_WHEEL=onnxruntime_gpu-1.31.1-cp312-cp312-manylinux_2_28_x86_64.whl
ORT_GPU_SHA256=05d548956197b9d01f59b625de740e0d6be3593f874e241a12dc0362650ecdf7
DS_WHEEL=models/.cache/pypi/nvidia_deepstream_videodecode_cu13-9.0.2-py3-none-manylinux_2_34_x86_64.whl
[ -f "$DS_WHEEL" ] || { echo "$DS_WHEEL missing: run scripts/setup.sh" >&2; exit 1; }

echo "bundle: building the samples (dev profile) and the NVMM example with DeepStream 9.1 layouts"
cargo build -q -p deepstream-test1 -p deepstream-test3 -p ds-bench
DS_META_ABI=9.1 CARGO_TARGET_DIR=target/abi-9.1 cargo build -q -p ds-meta --example nvmm_device_edit

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
R=$STAGE/rest
mkdir -p "$R"/{bin,lib,gst,ds,ort,models/yolov3-tiny,streams}
for b in target/debug/deepstream-test1 target/debug/deepstream-test3 target/debug/ds-bench target/abi-9.1/debug/examples/nvmm_device_edit; do
  objcopy --strip-debug "$b" "$R/bin/$(basename "$b")"
done
GSTLIB=/usr/lib/x86_64-linux-gnu/gstreamer-1.0
cp /usr/bin/gst-launch-1.0 /usr/bin/gst-inspect-1.0 /usr/lib/x86_64-linux-gnu/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner "$R/bin/"
# No gst-libav: its closure is 229 MB (every FFmpeg codec). NVIDIA's decoder decodes there;
# openh264 is the software fallback.
for p in app coreelements coretracers isomp4 openh264 playback typefindfunctions videoconvertscale videoparsersbad videotestsrc x264; do
  cp "$GSTLIB/libgst$p.so" "$R/gst/"
done
python3 - "$DS_WHEEL" "$R/ds" <<'PY'
import sys, zipfile, os
w, out = sys.argv[1], sys.argv[2]
pre = "nvidia/deepstream_videodecode/_libs/"
with zipfile.ZipFile(w) as z:
    for n in z.namelist():
        if n.startswith(pre) and not n.endswith("/"):
            dst = os.path.join(out, n[len(pre):])
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            with open(dst, "wb") as f:
                f.write(z.read(n))
PY
# The shared-library closure, without what the machine has (glibc, libstdc++, libgcc) and
# CUDA's own libraries (the driver's libcuda, the image's CUDA 13 runtime and NPP).
ldd "$R"/bin/* "$R"/gst/*.so "$R"/ds/*.so 2>/dev/null | awk '/=>/ {print $3}' | grep '^/' | sort -u \
  | grep -v -E '/(libc|libm|libdl|libpthread|librt|ld-linux-x86-64|libstdc\+\+|libgcc_s|libcuda|libcudart|libnpp[a-z]*|libnvidia[-a-z]*|libresolv|libutil)\.so' \
  | grep -v "^$R/" | while read -r l; do cp -L "$l" "$R/lib/"; done

# ONNX Runtime with CUDA: PyPI onnxruntime-gpu (CUDA 13 build), checksummed.
if [ ! -f "$CACHE/$ORT_GPU_WHEEL" ]; then
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 -d "$CACHE" onnxruntime-gpu==1.31.1
fi
echo "$ORT_GPU_SHA256  $CACHE/$ORT_GPU_WHEEL" | sha256sum -c --quiet
python3 - "$CACHE/$ORT_GPU_WHEEL" "$R/ort" "$CACHE" <<'PY'
import sys, zipfile, os
w, out, cache = sys.argv[1:4]
with zipfile.ZipFile(w) as z:
    for n in ("libonnxruntime.so.1.31.1", "libonnxruntime_providers_shared.so"):
        open(os.path.join(out, n), "wb").write(z.read("onnxruntime/capi/" + n))
    cuda = os.path.join(cache, "libonnxruntime_providers_cuda.so")
    if not os.path.exists(cuda):
        open(cuda, "wb").write(z.read("onnxruntime/capi/libonnxruntime_providers_cuda.so"))
PY
if [ ! -f "$CACHE/cuda.zst" ]; then
  echo "bundle: compressing the CUDA execution provider (minutes)"
  zstd -q -19 -T0 --long=27 "$CACHE/libonnxruntime_providers_cuda.so" -o "$CACHE/cuda.zst"
fi
cp models/yolov3-tiny/yolov3-tiny.onnx models/yolov3-tiny/coco.names models/yolov3-tiny/yolov3-tiny-int8.onnx \
  models/yolov3-tiny/yolov3-tiny-int8.calib "$R/models/yolov3-tiny/"
cp streams/vtest.h264 streams/vtest.mp4 streams/market.h264 streams/market.mp4 "$R/streams/"

echo "bundle: compressing"
P=$STAGE/payload
mkdir -p "$P"
tar -C "$R" -cf - . | zstd -q -19 -T0 --long=27 -o "$P/rest.tar.zst"
cp "$CACHE/cuda.zst" "$P/"
cp "$(command -v zstd)" "$P/zstd"
cp -L /lib/x86_64-linux-gnu/libzstd.so.1 "$P/"
rm -f "$OUT"/part-* "$OUT/SHA256SUMS"
tar -C "$P" -cf "$STAGE/bundle.tar" .
(cd "$STAGE" && sha256sum bundle.tar) > "$OUT/SHA256SUMS"
# Equal parts of at most 60 MiB: with the repository (about 3 MB) one part fits a call's 64 MiB.
n=$(( ($(stat -c %s "$STAGE/bundle.tar") + 60 * 1048576 - 1) / (60 * 1048576) ))
split -n "$n" "$STAGE/bundle.tar" "$OUT/part-"
# dsosd needs a font and the machine has none: carried beside the last part.
cp /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf "$OUT/"
ls -la "$OUT"/part-* | awk '{print $5, $9}'
echo "bundle: $(ls "$OUT"/part-* | wc -l) parts; carry one per device call (scripts/gpu/device.sh)"
