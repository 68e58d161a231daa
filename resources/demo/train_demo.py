#!/usr/bin/env python3
"""Train the bundled demo model: a ResNet-20-style network for Fashion-MNIST (1x28x28, 10 classes).

Reproducible: fixed seeds, single-threaded data order, Debian's dataset-fashion-mnist files.
Usage: train_demo.py [--epochs N] [--out resources/demo/fashion_resnet20.pt]
Writes a scripted TorchScript model with its input shape stored in the archive ("gkp_input_shape")
and prints the test accuracy, which the README quotes.
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fixtures"))
import models  # noqa: E402

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530  # Fashion-MNIST training-set statistics


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(DATA, f"{prefix}-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y = read_idx(os.path.join(DATA, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    x = (torch.from_numpy(x).unsqueeze(1) - MEAN) / STD
    return x, torch.from_numpy(y)


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def augment(xb, gen):
    # random crop with 2-pixel padding and horizontal flip
    n = xb.shape[0]
    padded = F.pad(xb, (2, 2, 2, 2), value=(0 - MEAN) / STD)
    dx = torch.randint(0, 5, (n,), generator=gen)
    dy = torch.randint(0, 5, (n,), generator=gen)
    out = torch.empty_like(xb)
    for i in range(n):
        out[i] = padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(3)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--out", default=os.path.join(HERE, "fashion_resnet20.pt"))
    ap.add_argument("--snapshots", default="", help="folder to save per-epoch TorchScript snapshots (for TMI)")
    args = ap.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    xtr, ytr = load("train")
    xte, yte = load("test")
    model = models.CifarResNet(20, num_classes=10, in_channels=1)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps = args.epochs * ((len(xtr) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    gen = torch.Generator().manual_seed(0)
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(0, len(xtr), args.batch):
            idx = perm[i:i + args.batch]
            xb = augment(xtr[idx], gen)
            loss = F.cross_entropy(model(xb), ytr[idx], label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        acc = evaluate(model, xte, yte)
        print(f"epoch {epoch + 1}/{args.epochs} loss {total / len(xtr):.4f} test top-1 {acc * 100:.2f} % "
              f"({time.time() - t0:.0f} s)", flush=True)
        if args.snapshots:
            os.makedirs(args.snapshots, exist_ok=True)
            torch.jit.save(torch.jit.script(model.eval()), os.path.join(args.snapshots, f"epoch{epoch + 1:03d}.pt"))
    model.eval()
    scripted = torch.jit.script(model)
    tmp = args.out + ".tmp"
    torch.jit.save(scripted, tmp, _extra_files={"gkp_input_shape": "1,1,28,28"})
    os.replace(tmp, args.out)
    acc = evaluate(torch.jit.load(args.out), xte, yte)
    print(f"saved {args.out}: {os.path.getsize(args.out) / 1e6:.2f} MB, test top-1 {acc * 100:.2f} %")


if __name__ == "__main__":
    main()
