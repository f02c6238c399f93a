#!/usr/bin/env bash
# nrj against PyTorch on this CPU: the same networks, the same training step (forward,
# cross-entropy, backward, SGD with momentum and weight decay), the same batch, random data, all
# cores, both sides in the same run and alternating (nrj first in odd rounds, PyTorch first in even
# ones), each run in its own process under /usr/bin/time for its peak resident set size. Prints one
# row per network: median img/s of each side, the ratio, and peak RSS of each side.
#
#   scripts/bench-cpu-vs-torch.sh [--python PY] [--rounds R] [--batch B] [NET...]
#   NET: lenet5 small_vgg resnet164 vgg19_nr vgg19  (default: all five)
#
# PY is a python3 with torch (default: $TORCH_PYTHON, else python3). A CPU PyTorch installs with
#   python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch numpy
# Measure on a quiet machine: another build or test running makes both sides slower, unevenly.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/find-jdk25.sh"
py="${TORCH_PYTHON:-python3}"
rounds=3
batch=64
nets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --python) py="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --batch) batch="$2"; shift 2 ;;
    -h|--help) sed -n 2,14p "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-cpu-vs-torch: unknown option $1" >&2; exit 2 ;;
    *) nets+=("$1"); shift ;;
  esac
done
[ ${#nets[@]} -eq 0 ] && nets=(lenet5 small_vgg resnet164 vgg19_nr vgg19)
"$py" -c 'import torch' 2>/dev/null || { echo "bench-cpu-vs-torch: $py has no torch (see --help)" >&2; exit 1; }
"$root/nrj" --version >/dev/null # builds the CLI first if needed, outside the timed runs

spec() {
  case "$1" in
    lenet5) echo "generated-examples/src/main/nr/lenet5.nr lenet5" ;;
    small_vgg) echo "tests/src/test/resources/experiments/cifar_small_vgg.nr cifar_small_vgg" ;;
    resnet164) echo "generated-examples/src/main/nr/resnet164_nr.nr resnet164_nr" ;;
    vgg19_nr) echo "generated-examples/src/main/nr/vgg19_nr.nr vgg19_nr" ;;
    vgg19) echo "scripts/bench/vgg19_standard.nr vgg19" ;;
    *) echo "bench-cpu-vs-torch: unknown network $1" >&2; exit 2 ;;
  esac
}
# timed steps per run: about 5 to 20 seconds each on a 2-core machine
steps() {
  case "$1" in lenet5) echo 300 ;; small_vgg) echo 100 ;; resnet164) echo 6 ;; vgg19_nr) echo 3 ;; vgg19) echo 15 ;; esac
}
# warm-up steps, the same on both sides (passed to scripts/torch_cpu_bench.py too): enough for
# nrj's JIT to reach full speed, which takes far more steps than PyTorch needs. Traced with
# `nrj bench --warmup 0 --trace K` on this 2-core machine kind (2026-12-06, 15:50): LeNet-5 about
# 100 to 200 steps; the small VGG 70 to 120 (it is at 37 ms/step in steps 50 to 59 and 28 from
# about step 120, as C2 still compiles its per-image loops); ResNet-164 7; VGG-19-NR 2; the
# standard VGG-19 6. PyTorch runs at full speed from its first steps. Timing from step 50, as this
# script did before, counted the small VGG's last 30 warm-up steps at 1.2x their steady time.
warm() {
  case "$1" in lenet5) echo 150 ;; small_vgg) echo 150 ;; resnet164) echo 8 ;; vgg19_nr) echo 3 ;; vgg19) echo 6 ;; esac
}

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run_nrj() { # net round
  read -r file net <<<"$(spec "$1")"
  # ./nrj execs java with the launcher's flags (scripts/launch-java.sh), so this is the JVM's RSS.
  # NRJ_NO_BUILD: the jar built before the first round, whatever is edited meanwhile; without it a
  # source saved during the run made ./nrj rebuild the CLI inside a timed process, and Maven's RSS
  # was reported as nrj's (573 MiB for LeNet-5, 2026-12-07)
  /usr/bin/time -f '%M' -o "$out/rss" env NRJ_NO_BUILD=1 "$root/nrj" bench "$root/$file" --network "$net" --device cpu --batch "$batch" --steps "$(steps "$1")" --warmup "$(warm "$1")" --json \
    2>/dev/null | grep '^{' >"$out/line"
  echo "nrj $1 $(cat "$out/rss") $(cat "$out/line")" >>"$out/results"
}
run_torch() {
  /usr/bin/time -f '%M' -o "$out/rss" "$py" "$root/scripts/torch_cpu_bench.py" "$1" "$batch" "$(steps "$1")" "$(warm "$1")" \
    2>/dev/null | grep '^{' >"$out/line"
  echo "torch $1 $(cat "$out/rss") $(cat "$out/line")" >>"$out/results"
}
echo "$(uname -n): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $("$py" -c 'import torch; print("PyTorch", torch.__version__)'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for n in "${nets[@]}"; do
    if [ $((r % 2)) -eq 1 ]; then run_nrj "$n"; run_torch "$n"; else run_torch "$n"; run_nrj "$n"; fi
    echo "round $r $n done" >&2
  done
done
python3 - "$out/results" "$batch" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    side, net, rss, js = line.split(' ', 3)
    d = json.loads(js)
    ips = d.get('img_per_s', d.get('img_s'))
    r = rows.setdefault(net, {'nrj': [], 'torch': [], 'nrj_rss': [], 'torch_rss': []})
    r[side].append(ips)
    r[side + '_rss'].append(int(rss) / 1024)
print(f"batch {sys.argv[2]}, median of {max(len(r['nrj']) for r in rows.values())} alternating runs each")
print(f"| network | nrj img/s | PyTorch img/s | nrj / PyTorch | nrj peak RSS MiB | PyTorch peak RSS MiB | nrj runs | PyTorch runs |")
print(f"| --- | --- | --- | --- | --- | --- | --- | --- |")
for net, r in rows.items():
    a, b = statistics.median(r['nrj']), statistics.median(r['torch'])
    print(f"| {net} | {a:,.1f} | {b:,.1f} | {a / b:.2f} | {max(r['nrj_rss']):,.0f} | {max(r['torch_rss']):,.0f} | {' '.join(f'{v:,.0f}' for v in r['nrj'])} | {' '.join(f'{v:,.0f}' for v in r['torch'])} |")
PY
