#!/usr/bin/env python3
"""Fine-tune a GKP trainable export with PyTorch's DistributedDataParallel (CPU, Gloo).

A trainable export (gkp export --mode trainable) is a TorchScript module: its pruned layers are
grouped convolutions (the pruned kernels do not exist, so no optimizer can bring them back) or
masked dense convolutions (this script puts their pruned kernels back to zero after every step).
Run it under torchrun, one process per rank; on several machines add --nnodes, --node_rank and
--master_addr as for any torchrun job:

    torchrun --nproc_per_node 2 -r 1 -t 1 --log_dir /tmp/ddp-logs tools/ddp-finetune.py \\
        pruned_trainable.pt --images train-images-idx3-ubyte.gz --labels train-labels-idx1-ubyte.gz \\
        --mean 0.2860 --std 0.3530 --epochs 1 --batch 64 -o finetuned.pt

(Debian's torchrun, PyTorch 1.13 on Python 3.11, crashes with its default redirects: pass
-r 1 -t 1 --log_dir DIR.) Without torchrun it runs as one process.

What DDP does here is PyTorch's default, unlike gkp finetune: BatchNorm normalises with each
rank's own batch statistics (SyncBatchNorm cannot be swapped into a TorchScript module) and the
buffers are broadcast from rank 0 every step; DistributedSampler pads each epoch by repeating a
few samples so every rank gets as many. Rank 0 writes the result atomically once every rank has
finished; the archive keeps the export's gkp_plan.json and gkp_input_shape, so gkp eval, verify,
finetune and export read it as they read the export.
"""

import argparse
import datetime
import gzip
import json
import math
import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

EXTRA_KEYS = ("gkp_plan.json", "gkp_input_shape", "gkp_version")


def fail(message):
    rank = os.environ.get("RANK")
    print(f"ddp-finetune: error: {'rank ' + rank + ': ' if rank else ''}{message}", file=sys.stderr)
    sys.exit(1)


def read_idx(path):
    """An IDX file (MNIST's format, optionally gzipped) as a tensor."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"cannot read '{path}': {e.strerror or e}")
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        fail(f"'{path}' is not an unsigned-byte IDX file")
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    body = data[4 + 4 * dims:]
    if len(body) != math.prod(shape):
        fail(f"'{path}' is truncated")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).reshape(shape)


def load_data(args):
    images = read_idx(args.images)
    labels = read_idx(args.labels).long()
    if images.dim() == 3:
        images = images.unsqueeze(1)
    if images.size(0) != labels.size(0):
        fail(f"{images.size(0)} images but {labels.size(0)} labels")
    if args.limit:
        images, labels = images[: args.limit], labels[: args.limit]
    images = (images.float() / 255.0 - args.mean) / args.std
    return TensorDataset(images, labels), int(labels.max()) + 1


def pruned_layers(model, plan):
    """(weight, kept_per_group, mask or None) per planned layer found in the model."""
    params = dict(model.named_parameters())
    out = []
    for layer in plan["layers"]:
        weight = params.get(layer["name"] + ".weight")
        if weight is None or weight.dim() != 4:
            continue
        kept = int(layer["kept_per_group"])
        mask = None
        if weight.size(1) != kept:  # masked dense: the zero kernels are the pruned ones
            mask = (weight.detach().abs().sum((2, 3)) != 0).to(weight.dtype)[:, :, None, None]
        out.append((layer["name"], weight, kept, mask))
    return out


def check_pruned(layers):
    for name, weight, kept, mask in layers:
        if mask is None:
            if weight.size(1) != kept:
                fail(f"{name}: the grouped weight has {weight.size(1)} input channels per group, not {kept}")
        else:
            nonzero = (weight.detach().abs().sum((2, 3)) != 0).sum(1)
            if int((nonzero - kept).clamp_min(0).sum()) != 0:
                fail(f"{name}: pruned kernels became nonzero")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="trainable export (gkp export --mode trainable)")
    parser.add_argument("--images", required=True, help="training images, IDX (.gz allowed)")
    parser.add_argument("--labels", required=True, help="training labels, IDX (.gz allowed)")
    parser.add_argument("--mean", type=float, default=0.0, help="normalisation: (x / 255 - mean) / std")
    parser.add_argument("--std", type=float, default=1.0)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N images only")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64, help="batch size per rank")
    parser.add_argument("--lr", type=float, default=0.01, help="initial learning rate (cosine to 0 per step)")
    parser.add_argument("--momentum", type=float, default=0.9)
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the other ranks")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=args.timeout))
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.manual_seed(args.seed)

    extra = {key: "" for key in EXTRA_KEYS}
    try:
        model = torch.jit.load(args.model, _extra_files=extra)
    except (RuntimeError, ValueError) as e:
        fail(f"cannot load '{args.model}': {str(e).splitlines()[0]}")
    if not extra["gkp_plan.json"]:
        fail(f"'{args.model}' carries no GKP plan: fine-tune a trainable export (gkp export --mode trainable)")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        fail(f"'{args.model}' has no trainable parameters (a deploy export is frozen)")
    layers = pruned_layers(model, json.loads(extra["gkp_plan.json"]))

    data, classes = load_data(args)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(data, batch_size=args.batch, sampler=sampler)
    model.train()
    ddp = DistributedDataParallel(model) if distributed else model
    optimizer = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    steps = args.epochs * len(loader)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1.0 + math.cos(math.pi * s / steps)))

    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total, count = 0.0, 0
        for images, labels in loader:
            optimizer.zero_grad()
            out = ddp(images)
            logits = out[0] if isinstance(out, (tuple, list)) else out
            loss = F.cross_entropy(logits[:, :classes], labels)
            loss.backward()
            optimizer.step()
            schedule.step()
            with torch.no_grad():
                for _, weight, _, mask in layers:
                    if mask is not None:
                        weight.mul_(mask)
            total += float(loss) * labels.size(0)
            count += labels.size(0)
        if rank == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: rank 0 mean loss {total / max(count, 1):.4f}", flush=True)

    check_pruned(layers)
    if distributed:
        dist.barrier()  # every rank finished: only now does rank 0 write
    if rank == 0:
        model.eval()
        tmp = f"{args.output}.tmp{os.getpid()}"
        try:
            torch.jit.save(model, tmp, _extra_files={k: v for k, v in extra.items() if v})
            os.replace(tmp, args.output)
        except (OSError, RuntimeError) as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            fail(f"cannot write '{args.output}': {str(e).splitlines()[0]}")
        grouped = sum(1 for layer in layers if layer[3] is None)
        print(f"wrote {args.output}: {args.epochs} epoch(s) on {len(data)} images over {world} rank(s), "
              f"{len(layers)} pruned layers ({grouped} with the pruned kernels absent, "
              f"{len(layers) - grouped} masked-dense kept at zero)")
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
