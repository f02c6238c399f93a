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
                nrj[(r["network"], r["batch"], r.get("precision", "fp32"))] = r
    rows = []
    with open(a.out, "w") as out:
        for anchor in a.anchors.split():
            model, batch, precision = anchor.split(":")
            name, batch = MODELS[model], int(batch)
            ips, ms, mib = anchors.bench(name, batch, precision)
            row = dict(model=name, batch=batch, mode=precision, img_s=round(ips), ms=round(ms, 2), peak_mib=round(mib))
            out.write(json.dumps(row) + "\n")
            out.flush()
            mine = nrj.get((name, batch, precision))
            rows.append((name, batch, precision, mine["img_per_s"] if mine else None, ips))
    print(f"{'network':24} {'batch':>5} {'prec':>5} {'nrj img/s':>10} {'torch img/s':>11} {'ratio':>6}")
    for name, batch, precision, mine, theirs in rows:
        m = f"{mine:10.0f}" if mine else f"{'-':>10}"
        r = f"{mine / theirs:6.2f}" if mine else f"{'-':>6}"
        print(f"{name:24} {batch:5d} {precision:>5} {m} {theirs:11.0f} {r}")


if __name__ == "__main__":
    main()
