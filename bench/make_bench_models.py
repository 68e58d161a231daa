#!/usr/bin/env python3
"""Write the models the README's figures are measured on (random weights, fixed seed).

Usage: make_bench_models.py OUTDIR
  OUTDIR/resnet56.pt   CIFAR ResNet-56 (option A shortcuts, as in the GKP papers), input 1x3x32x32 stored
  OUTDIR/resnet50.pt   torchvision ResNet-50, scripted (input 1x3x224x224, the tool's default)
"""
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures"))
import models  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "bench-models"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
torch.jit.save(torch.jit.script(models.CifarResNet(56).eval()), os.path.join(out, "resnet56.pt"),
               _extra_files={"gkp_input_shape": "1,3,32,32"})
torch.jit.save(torch.jit.script(torchvision.models.resnet50().eval()), os.path.join(out, "resnet50.pt"))
print(f"wrote {out}/resnet56.pt and {out}/resnet50.pt")
