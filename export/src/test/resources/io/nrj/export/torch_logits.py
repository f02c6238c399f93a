"""Runs exported PyTorch modules for TorchModuleTest (called from Java; not part of nrj).

Usage: torch_logits.py MANIFEST, where each line of MANIFEST is tab-separated:
module.py  ClassName  checkpoint.safetensors  images.safetensors  out.safetensors

For each line it imports the module file, builds the class, loads the checkpoint with
load_state_dict(strict=True) (any missing or unexpected key fails), switches to eval mode and
writes the logits of images["x"] (and the survivor and new logits of a rejuvenated network) to out.
"""
import importlib.util
import sys

import torch
from safetensors.torch import load_file, save_file

with open(sys.argv[1]) as manifest:
    jobs = [line.rstrip("\n").split("\t") for line in manifest if line.strip()]
for i, (module_file, cls, checkpoint, images, out) in enumerate(jobs):
    spec = importlib.util.spec_from_file_location(f"exported{i}", module_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, cls)()
    model.load_state_dict(module.load_nrj_checkpoint(checkpoint), strict=True)
    model.eval()
    x = load_file(images)["x"]
    with torch.no_grad():
        result = {"logits": model(x)}
        survivor, new = model.path_logits(x)
        if new is not None:
            result["survivor"] = survivor
            result["new"] = new
    save_file({k: v.contiguous() for k, v in result.items()}, out)
    print("ok", module_file)
