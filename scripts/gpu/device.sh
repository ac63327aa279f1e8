#!/usr/bin/env bash
# scripts/gpu/device.sh: runs on the lent GPU machine (see scripts/gpu/bundle.sh).
#
#   scripts/gpu/device.sh stash   copies the .gpu/part-* carried in this call to /tmp/dsgpu/parts
#   scripts/gpu/device.sh run     joins and checks the parts (once), unpacks them to
#                                 /tmp/dsgpu/root, then measures, each step bounded:
#     - the GPU, and whether NVIDIA's nvv4l2decoder / nvvideoconvert load;
#     - stages alone (ds-bench): decoding (NVIDIA's decoder), inference on the CPU and on CUDA
#       (batch 1, 8, 32);
#     - deepstream-test1 on streams/vtest.h264 (795 frames), CPU then CUDA inference;
#     - deepstream-test3 with 1, 8 and 32 streams (vtest.mp4 and market.mp4 in turn), CUDA
#       inference, with nvidia-smi sampling GPU and decoder utilisation;
#     - nvmm_device_edit: frames in CUDA memory changed in place through ds-meta's device view.
#   Output: a summary on stdout; logs under $OUT when set (the device tool brings them back).
set -uo pipefail
G=/tmp/dsgpu
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOGS=${OUT:-$G/logs}
mkdir -p "$G/parts" "$LOGS"

case "${1:-}" in
stash)
  cp "$ROOT"/.gpu/part-* "$ROOT"/.gpu/SHA256SUMS "$G/parts/" 2>/dev/null
  ls -la "$G/parts" | awk 'NR>1 {print $5, $9}'
  exit 0 ;;
run|ab) ;;
*) echo "usage: $0 stash|run|ab" >&2; exit 2 ;;
esac

R=$G/root
if [ ! -f "$R/.unpacked" ]; then
  cat "$G"/parts/part-* > "$G/bundle.tar" || exit 1
  (cd "$G" && sha256sum -c parts/SHA256SUMS) || { echo "the joined parts do not match SHA256SUMS: carry every part again" >&2; exit 1; }
  mkdir -p "$G/payload" "$R" && tar -C "$G/payload" -xf "$G/bundle.tar" && rm "$G/bundle.tar"
  Z="env LD_LIBRARY_PATH=$G/payload $G/payload/zstd"
  $Z -q -d --long=27 -c "$G/payload/rest.tar.zst" | tar -C "$R" -xf - || exit 1
  $Z -q -d --long=27 "$G/payload/cuda.zst" -o "$R/ort/libonnxruntime_providers_cuda.so" || exit 1
  rm -rf "$G/payload"
  touch "$R/.unpacked"
fi

# CUDA 13 and cuDNN of the image (its Python environment and the toolkit).
SP=$(python3 -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null)
CUDA_DIRS=""
for d in "$SP/nvidia/cudnn/lib" "$SP/nvidia/cu13/lib" "$SP/nvidia/cublas/lib" "$SP/nvidia/cuda_runtime/lib" \
         "$SP/nvidia/curand/lib" "$SP/nvidia/cufft/lib" "$SP/nvidia/npp/lib" /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib64; do
  [ -d "$d" ] && CUDA_DIRS="$CUDA_DIRS:$d"
done
for lib in libnppig.so.13 libnppidei.so.13 libcudart.so.13 libcublasLt.so.13 libcudnn.so.9; do
  f=$(find / -xdev -name "$lib*" 2>/dev/null | head -1)
  [ -n "$f" ] && case ":$CUDA_DIRS:" in *":$(dirname "$f"):"*) ;; *) CUDA_DIRS="$CUDA_DIRS:$(dirname "$f")" ;; esac
done
export LD_LIBRARY_PATH="$R/lib:$R/ds:$R/ort${CUDA_DIRS}"
export GST_PLUGIN_SYSTEM_PATH=$R/gst GST_PLUGIN_PATH=$R/ds GST_PLUGIN_SCANNER=$R/bin/gst-plugin-scanner
export GST_REGISTRY=$G/registry.bin LIBV4L2_PLUGIN_DIR=$R/ds/v4l_plugins
export DS_ORT_LIB=$R/ort/libonnxruntime.so.1.31.1 DS_META_LIB_DIR=$R/ds DS_BACKEND=portable
export PATH=$R/bin:$PATH RUST_BACKTRACE=0
# The image has no fonts: dsosd's font is carried beside the parts (bundle.sh puts it there).
if [ -z "${DS_OSD_FONT:-}" ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] && [ -f "$ROOT/.gpu/DejaVuSans.ttf" ]; then
  export DS_OSD_FONT=$ROOT/.gpu/DejaVuSans.ttf
fi
# The samples find configs/ here and models/, streams/ through these links.
mkdir -p "$R/models/onnxruntime"
ln -sfn "$DS_ORT_LIB" "$R/models/onnxruntime/libonnxruntime.so.1.32.0"
cd "$ROOT" || exit 1
for d in models streams; do
  [ -L "$d" ] && rm "$d"
  [ -e "$d" ] || ln -s "$R/$d" "$d"
done

say() { echo "== $*"; }
step() { # NAME SECONDS CMD... : runs bounded, log in $LOGS/NAME.log, prints the wall time
  local name=$1 secs=$2; shift 2
  local t0=$(date +%s.%N)
  timeout "$secs" "$@" > "$LOGS/$name.log" 2>&1; local rc=$?
  local t1=$(date +%s.%N)
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  echo "step $name: rc=$rc wall=${WALL}s"
  [ $rc -eq 0 ] || tail -5 "$LOGS/$name.log" | sed 's/^/    /'
  return $rc
}

if [ "$1" = ab ]; then
  # INT8 (the configs' network-mode=1) against FP32 on CUDA, everything else the same
  say "INT8 / FP32 on CUDA, ds-bench infer batch 1 and 8, then test1 and test3 with 1 stream"
  for m in 1 0 1 0; do
    for b in 1 8; do
      DS_ORT_PROVIDER=cuda step infer-m$m-b$b 120 ds-bench infer --input streams/vtest.h264 --frames 320 --batch $b --network-mode $m && grep '^stage=' "$LOGS/infer-m$m-b$b.log" | sed "s/^/network-mode=$m batch $b: /"
    done
  done
  cfg=configs/deepstream-test1/portable/dstest1_pgie_config.txt
  cfg3=configs/deepstream-test3/portable/dstest3_pgie_config.txt
  for m in 1 0 1 0; do
    sed -i "s/^network-mode=.*/network-mode=$m/" "$cfg" "$cfg3" 2>/dev/null
    { time DS_ORT_PROVIDER=cuda step test1-m$m 300 deepstream-test1 --backend portable --sink fake streams/vtest.h264; } 2> "$LOGS/time-test1-m$m"
    echo "test1 network-mode=$m: $(grep -c '^Frame Number' "$LOGS/test1-m$m.log") frames in $WALL s"
    { time DS_ORT_PROVIDER=cuda step test3-m$m 300 deepstream-test3 --backend portable --sink fake -i "file://$PWD/streams/vtest.mp4"; } 2> "$LOGS/time-test3-m$m"
    echo "test3 1 stream network-mode=$m: $(grep -c '^Frame Number' "$LOGS/test3-m$m.log") frames in $WALL s"
  done
  exit 0
fi

say machine
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "cores: $(nproc); CUDA dirs:${CUDA_DIRS}"
say NVIDIA elements
gst-inspect-1.0 nvv4l2decoder > "$LOGS/inspect-nvv4l2decoder.log" 2>&1 && echo "nvv4l2decoder: loads" || { echo "nvv4l2decoder: does not load"; gst-inspect-1.0 "$R/ds/libgstnvvideo4linux2.so" 2>&1 | tail -3; }
gst-inspect-1.0 nvvideoconvert > "$LOGS/inspect-nvvideoconvert.log" 2>&1 && echo "nvvideoconvert: loads" || { echo "nvvideoconvert: does not load"; gst-inspect-1.0 "$R/ds/libgstnvvideoconvert.so" 2>&1 | tail -3; }
GST_DEBUG=2 gst-inspect-1.0 2>&1 | grep -i -E "nv|fail|error" | head -20 > "$LOGS/registry.log"

say stages alone, ds-bench "(frames per second)"
bench() { # NAME ARGS... -> prints the stage line
  step "$1" 300 ds-bench "${@:2}" && grep '^stage=' "$LOGS/$1.log"
}
bench decode1 decode --input streams/vtest.h264 --frames 795 --copies 1
bench decode8 decode --input streams/vtest.h264 --frames 795 --copies 8
DS_ORT_PROVIDER=cpu bench infer-cpu-b1 infer --input streams/vtest.h264 --frames 200 --batch 1
DS_ORT_PROVIDER=cpu bench infer-cpu-b8 infer --input streams/vtest.h264 --frames 200 --batch 8
DS_ORT_PROVIDER=cuda bench infer-cuda-b1 infer --input streams/vtest.h264 --frames 320 --batch 1
DS_ORT_PROVIDER=cuda bench infer-cuda-b8 infer --input streams/vtest.h264 --frames 320 --batch 8
DS_ORT_PROVIDER=cuda bench infer-cuda-b32 infer --input streams/vtest.h264 --frames 320 --batch 32
DS_ORT_PROVIDER=cuda bench pipe8-cuda pipeline --input streams/vtest.h264 --frames 400 --copies 8

say deepstream-test1 on vtest.h264 "(795 frames)"
for p in cpu cuda; do
  TIMEFORMAT="%R %U %S"
  { time DS_ORT_PROVIDER=$p step test1-$p 300 deepstream-test1 --backend portable --sink fake streams/vtest.h264; } 2> "$LOGS/time-test1-$p"
  n=$(grep -c '^Frame Number' "$LOGS/test1-$p.log")
  read -r real user sys < <(tail -1 "$LOGS/time-test1-$p")
  awk -v n="$n" -v r="$real" -v u="$user" -v s="$sys" -v p="$p" 'BEGIN { printf "test1 %s: %d frames in %.2f s = %.1f fps; CPU %.1f cores\n", p, n, r, n / r, (u + s) / r }'
  grep -h "inference on" "$LOGS/test1-$p.log" | head -2
done

say deepstream-test3, CUDA inference
for n in 1 8 32; do
  uris=()
  for i in $(seq 1 "$n"); do
    if [ $((i % 2)) -eq 1 ]; then uris+=("file://$R/streams/vtest.mp4"); else uris+=("file://$R/streams/market.mp4"); fi
  done
  nvidia-smi --query-gpu=utilization.gpu,utilization.decoder,memory.used --format=csv,noheader,nounits -lms 500 > "$LOGS/smi-test3-$n.csv" 2>/dev/null &
  smi=$!
  TIMEFORMAT="%R %U %S"
  { time DS_ORT_PROVIDER=cuda step test3-$n 400 deepstream-test3 --backend portable --sink fake -i "${uris[@]}"; } 2> "$LOGS/time-test3-$n"
  kill $smi 2>/dev/null; wait $smi 2>/dev/null
  frames=$(grep -c '^Frame Number' "$LOGS/test3-$n.log")
  read -r real user sys < <(tail -1 "$LOGS/time-test3-$n")
  util=$(awk -F', *' '{ g += $1; d += $2; m = ($3 > m ? $3 : m); k++ } END { if (k) printf "GPU %.0f%% (mean), decoder %.0f%%, memory %d MiB (max)", g / k, d / k, m }' "$LOGS/smi-test3-$n.csv")
  awk -v n="$n" -v f="$frames" -v r="$real" -v u="$user" -v s="$sys" -v util="$util" 'BEGIN { printf "test3 %d streams: %d frames in %.2f s = %.1f fps aggregate; CPU %.1f cores; %s\n", n, f, r, f / r, (u + s) / r, util }'
done

say GPU image access on NVIDIA-decoded frames
step nvmm-edit 300 nvmm_device_edit streams/vtest.h264 200 && grep nvmm_device_edit "$LOGS/nvmm-edit.log"
say done
