#!/usr/bin/env python3
"""Times PyTorch at the same anchor points as `nrj bench` in the same run, and prints the ratios.

Used by scripts/gpu-check.sh on the GPU machine (which has PyTorch, no Java):

  bench-compare.py --torch PATH/torch_anchors.py --anchors "vgg19:64:fp32 ..." \
      --nrj bench.jsonl --out torch.jsonl

torch_anchors.py (../shared/tools, copied into the carried bundle) defines the three CIFAR networks
as NR builds them and `bench(name, batch, mode)` -> (img/s, ms/step, peak MiB). Each anchor is
model:batch:precision with model one of vgg19, resnet164, densenet. Output: one JSON line per
anchor in --out, and a table (nrj img/s, PyTorch img/s, ratio) on stdout.
"""
import argparse
import importlib.util
import json

MODELS = {"vgg19": "vgg19_nr", "resnet164": "resnet164_nr", "densenet": "densenet_bc100_k40_nr"}


def load(path):
    spec = importlib.util.spec_from_file_location("torch_anchors", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torch", required=True)
    p.add_argument("--anchors", required=True)
    p.add_argument("--nrj", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    anchors = load(a.torch)
    nrj = {}
    with open(a.nrj) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                nrj[(r["network"], r["batch"], r.get("precision", "fp32"), r.get("graphs", False))] = r
    rows = []
    with open(a.out, "w") as out:
        for anchor in a.anchors.split():
            model, batch, precision = anchor.split(":")
            name, batch = MODELS[model], int(batch)
            ips, ms, mib = anchors.bench(name, batch, precision)
            row = dict(model=name, batch=batch, mode=precision, img_s=round(ips), ms=round(ms, 2), peak_mib=round(mib))
            out.write(json.dumps(row) + "\n")
            out.flush()
            eager = nrj.get((name, batch, precision, False))
            graphs = nrj.get((name, batch, precision, True))
            rows.append((name, batch, precision, eager and eager["img_per_s"], graphs and graphs["img_per_s"], ips))
    print(f"{'network':24} {'batch':>5} {'prec':>5} {'nrj img/s':>10} {'graphs':>8} {'torch img/s':>11} {'ratio':>6}")
    for name, batch, precision, eager, graphs, theirs in rows:
        best = max(v for v in (eager, graphs, 0) if v is not None)
        e = f"{eager:10.0f}" if eager else f"{'-':>10}"
        g = f"{graphs:8.0f}" if graphs else f"{'-':>8}"
        r = f"{best / theirs:6.2f}" if best else f"{'-':>6}"
        print(f"{name:24} {batch:5d} {precision:>5} {e} {g} {theirs:11.0f} {r}")


if __name__ == "__main__":
    main()
