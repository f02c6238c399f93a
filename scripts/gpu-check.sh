#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU and no Java (finishes within 6 minutes):
#   1. unpacks the jlinked JDK 25 runtime built by scripts/jlink-runtime.sh (target/gpu-check),
#   2. puts the pip NVIDIA library directories (site-packages/nvidia/*/lib) and
#      /usr/local/cuda-13.0/targets/x86_64-linux/lib (never its stubs/) on LD_LIBRARY_PATH;
#      libcudnn.so.9 dlopens libcudnn_ops/_cnn/_engines_* by name, so its directory must be there,
#   3. runs the io.nrj.runtime.cuda tests (the GPU-tagged parity tests run; fallback tests skip),
#   4. runs `nrj bench --device cuda --json` for the three CIFAR networks at the issue's anchor
#      points (batch 64 and 128, FP32 and TF32),
#      then three of them again with --cuda-graphs (NRJ_GRAPH_ANCHORS),
#   5. when $bundle/torch_anchors.py exists, times PyTorch at the same points in the same run and
#      prints the ratios (scripts/bench-compare.py).
# Results go to $OUT (the device runner's output folder) or target/gpu-check-out: summary.txt,
# tests.txt, junit/ (XML reports), bench.jsonl, torch.jsonl, bench.err. Exit status: 0 when the tests passed.
# Environment: NRJ_GPU_BUNDLE (default target/gpu-check), NRJ_GPU_CHECK_SECONDS (default 340),
# NRJ_BENCH_STEPS (default 30), NRJ_BENCH_ARGS (extra bench arguments), NRJ_BENCH_ANCHORS
# (space-separated model:batch:precision, model one of vgg19, resnet164, densenet).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
budget=${NRJ_GPU_CHECK_SECONDS:-340}
bundle=${NRJ_GPU_BUNDLE:-target/gpu-check}
out=${OUT:-target/gpu-check-out}
mkdir -p "$out"
: > "$out/summary.txt"
left() { echo $(( budget - (SECONDS - start) )); }
log() { echo "[gpu-check +$(( SECONDS - start ))s] $*" | tee -a "$out/summary.txt"; }

if [ ! -f "$bundle/nrj-jre-25.tgz" ] || [ ! -f "$bundle/nrj-cli.jar" ]; then
  log "missing $bundle/nrj-jre-25.tgz or nrj-cli.jar: run scripts/jlink-runtime.sh on a build machine and carry $bundle"
  exit 2
fi

# 1. runtime
jre_root=$(mktemp -d)
tar -xzf "$bundle/nrj-jre-25.tgz" -C "$jre_root"
java="$jre_root/jre/bin/java"
flags=(--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -XX:+UseParallelGC)
log "runtime: $("$java" -version 2>&1 | head -1)"

# 2. library path
dirs=()
add_dir() { case "$1" in *stubs*) return ;; esac; [ -d "$1" ] && dirs+=("$(cd "$1" && pwd)"); }
sites=$(python3 -c 'import site; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null || true)
for site in $sites ${VIRTUAL_ENV:+$VIRTUAL_ENV/lib/python3*/site-packages} /usr/local/lib/python3*/dist-packages \
    /usr/local/lib/python3*/site-packages /usr/lib/python3/dist-packages; do
  for lib in "$site"/nvidia/*/lib; do add_dir "$lib"; done
done
add_dir /usr/local/cuda-13.0/targets/x86_64-linux/lib
libpath=$(printf '%s\n' "${dirs[@]}" | awk '!seen[$0]++' | paste -sd: -)
export LD_LIBRARY_PATH="$libpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
log "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
for so in libcudart.so.13 libcublas.so.13 libcudnn.so.9 libnvrtc.so.13; do
  where=$(for d in ${LD_LIBRARY_PATH//:/ }; do [ -e "$d/$so" ] && echo "$d/$so" && break; done)
  log "$so: ${where:-not in LD_LIBRARY_PATH (the system loader may still find it)}"
done
"$java" "${flags[@]}" -jar "$bundle/nrj-cli.jar" devices 2>&1 | sed 's/^/  /' | tee -a "$out/summary.txt"
if command -v nvidia-smi > /dev/null; then
  log "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
fi

# 3. tests
console=$(ls "$bundle"/lib/junit-platform-console-standalone-*.jar | head -1)
cp=$(ls "$bundle"/lib/*.jar | grep -v junit-platform-console-standalone | paste -sd: -)
log "tests: io.nrj.runtime.cuda"
timeout $(( $(left) - 150 )) "$java" "${flags[@]}" -jar "$console" execute --disable-banner --disable-ansi-colors \
  --class-path "$cp" --select-package io.nrj.runtime.cuda --reports-dir "$out/junit" \
  --details=testfeed > "$out/tests.txt" 2>&1 # streamed: a hung test still leaves the results so far
tests_rc=$?
grep -E "tests (successful|failed|skipped|aborted)" "$out/tests.txt" | tee -a "$out/summary.txt"
log "tests exit status $tests_rc"
if [ "$tests_rc" -ne 0 ]; then
  # the failing tests and the first line of each message, so the next step can start from here
  grep -E -A3 ":: (FAILED|ABORTED)" "$out/tests.txt" | grep -v "^\s*at " | head -60 | tee -a "$out/summary.txt"
  [ "$tests_rc" -eq 124 ] && log "tests timed out; the last one started: $(grep ":: STARTED" "$out/tests.txt" | tail -1)"
fi

# 4. bench: the CIFAR networks (found by their network names in the project's .nr files) at the
# issue's anchor points: network, batch, precision.
: > "$out/bench.jsonl"
: > "$out/bench.err"
specs=$(grep -rlE --include='*.nr' '^network ' . 2>/dev/null | grep -v '/target/' | sort)
find_net() { # pattern -> "file net" of the first .nr defining a matching network
  for f in $specs; do
    n=$(grep -oE "^network +$1" "$f" | head -1 | awk '{print $2}')
    if [ -n "$n" ]; then echo "$f $n"; return; fi
  done
}
# bench_anchor MODEL:BATCH:PRECISION RESERVE [OPTION]: one `nrj bench --json` run, when at least
# RESERVE + 20 seconds of the budget are left (RESERVE is kept for what comes after).
bench_anchor() {
  local model batch precision pattern file net t rc
  IFS=: read -r model batch precision <<< "$1"
  case $model in
    vgg19) pattern='vgg19[_a-z0-9]*' ;;
    resnet164) pattern='resnet_?164[_a-z0-9]*' ;;
    densenet) pattern='densenet[_a-z]*100[_a-z0-9]*' ;;
    *) log "bench: unknown model '$model' in $1 (vgg19, resnet164 or densenet)"; return ;;
  esac
  read -r file net <<< "$(find_net "$pattern")"
  if [ -z "${file:-}" ]; then
    log "bench: no network matching $pattern in any .nr file; skipped"
    return
  fi
  t=$(( $(left) - $2 ))
  if [ "$t" -lt 20 ]; then
    log "bench $net batch $batch $precision ${3:-}: skipped, $(left)s of the budget left"
    return
  fi
  t=$(( t < 75 ? t : 75 ))
  log "bench $net ($file) batch $batch $precision ${3:-}"
  timeout "$t" "$java" "${flags[@]}" -jar "$bundle/nrj-cli.jar" bench "$file" --network "$net" \
    --device cuda --precision "$precision" --batch "$batch" --steps "${NRJ_BENCH_STEPS:-30}" --json ${3:-} \
    ${NRJ_BENCH_ARGS:-} >> "$out/bench.jsonl" 2>> "$out/bench.err"
  rc=$?
  [ "$rc" -eq 0 ] || log "bench $net batch $batch $precision ${3:-}: exit status $rc (see bench.err)"
}
anchors=${NRJ_BENCH_ANCHORS:-"vgg19:64:fp32 vgg19:64:tf32 vgg19:128:tf32 resnet164:64:fp32 resnet164:128:fp32 densenet:64:fp32 densenet:64:tf32 densenet:128:tf32"}
for anchor in $anchors; do bench_anchor "$anchor" 0; done

# 4b. some of the same points with the training step recorded once and replayed as a CUDA graph,
# keeping about 90 s for the PyTorch anchors
graph_anchors=${NRJ_GRAPH_ANCHORS:-"vgg19:128:tf32 resnet164:128:fp32 densenet:128:tf32"}
for anchor in $graph_anchors; do bench_anchor "$anchor" 110 --cuda-graphs; done

# 5. the PyTorch anchors in the same run, when torch_anchors.py travels in the bundle (copy
# ../shared/tools/torch_anchors.py into $bundle), and the ratios nrj / PyTorch.
if [ -f "$bundle/torch_anchors.py" ] && [ "$(left)" -gt 30 ]; then
  log "torch anchors ($(left)s left)"
  timeout $(( $(left) - 10 )) python3 scripts/bench-compare.py --torch "$bundle/torch_anchors.py" \
    --anchors "$anchors" --nrj "$out/bench.jsonl" --out "$out/torch.jsonl" \
    >> "$out/summary.txt" 2>> "$out/bench.err" || log "torch anchors: exit status $? (see bench.err)"
fi
cat "$out/bench.jsonl" | tee -a "$out/summary.txt"
rm -rf "$jre_root"
log "done in $(( SECONDS - start ))s"
exit $tests_rc
