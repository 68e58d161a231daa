#!/usr/bin/env python3
"""Debian's torchrun (-r 1 -t 1 --log_dir), 2 CPU ranks on 127.0.0.1 (Gloo):

1. `torchrun --no_python gkp finetune` (torchrun's agent hosts the store) with per-rank batch 8
   gives the weights one process gives with batch 16, and so do two torchrun agents started as
   two nodes (--nnodes 2, one rank each), the way a job spans machines.
2. tools/ddp-finetune.py (PyTorch DistributedDataParallel) on a trainable export in both pruned
   forms: the result loads back in gkp eval, gkp verify and gkp finetune, its weights moved, and
   the pruned kernels stayed absent (grouped) or zero (masked dense).

usage: check_torchrun.py GKP TORCHRUN DDP_SCRIPT DATASET_FIXTURES_DIR
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile

import torch

checks = 0


def check(condition, message):
    global checks
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)
    checks += 1


def start(cmd):
    try:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    except FileNotFoundError:
        check(False, f"{cmd[0]} not found (torchrun comes with Debian's python3-torch)")


def finish(p, cmd, expect=0, timeout=240):
    """Waits for p; on timeout its whole process group (torchrun's ranks too) is killed."""
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        check(False, f"timed out after {timeout} s: {' '.join(cmd)}")
    check(p.returncode == expect, f"exit {p.returncode}, expected {expect}: {' '.join(cmd)}\n{out}\n{err}")
    return out, err


def run(cmd, expect=0, timeout=240):
    return finish(start(cmd), cmd, expect, timeout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(path):
    extra = {"gkp_plan.json": ""}
    m = torch.jit.load(path, _extra_files=extra)
    state = {n: t.detach().clone() for n, t in m.named_parameters()}
    state.update({n: t.detach().clone() for n, t in m.named_buffers()})
    return state, extra["gkp_plan.json"]


def max_difference(a, b):
    return max(float((a[n].double() - b[n].double()).abs().max()) for n in a)


def gkp_finetune_under_torchrun(gkp, torchrun, trainable, spec, d):
    args = ["finetune", trainable, "--dataset", spec, "--epochs", "2", "--seed", "7", "--lr", "0.05"]
    run([gkp, *args, "--batch", "16", "-o", f"{d}/alone.pt"])
    alone, _ = load(f"{d}/alone.pt")

    logs = ["-r", "1", "-t", "1", "--log_dir"]
    port = str(free_port())
    cmd = [torchrun, "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", port, *logs,
           f"{d}/logs_gkp", "--no_python", gkp, *args, "--batch", "8", "-o", f"{d}/torchrun.pt"]
    stdout, _ = run(cmd)
    check("data-parallel over 2 ranks" in stdout, f"gkp under torchrun: not two ranks:\n{stdout}")
    got, _ = load(f"{d}/torchrun.pt")
    check(max_difference(got, alone) < 1e-4, f"torchrun: {max_difference(got, alone)} from one process")
    check(list(got["conv2.weight"].shape) == [8, 2, 3, 3], "torchrun: conv2 is no longer grouped")

    # two nodes of one rank each, as on two machines (node 0 hosts the rendezvous)
    port = str(free_port())
    nodes = []
    for node in (0, 1):
        cmd = [torchrun, "--nnodes", "2", "--node_rank", str(node), "--nproc_per_node", "1", "--master_addr",
               "127.0.0.1", "--master_port", port, *logs, f"{d}/logs_node{node}", "--no_python", gkp, *args,
               "--batch", "8", "-o", f"{d}/nodes.pt"]
        nodes.append((start(cmd), cmd))
    for p, cmd in nodes:
        finish(p, cmd)
    got, _ = load(f"{d}/nodes.pt")
    check(max_difference(got, alone) < 1e-4, f"--nnodes 2: {max_difference(got, alone)} from one process")
    print(f"gkp finetune under torchrun (2 ranks; 2 nodes of 1): the one-process weights to "
          f"{max_difference(got, alone):.2g}")


def main():
    gkp, torchrun, script, datasets = sys.argv[1:5]
    images, labels = f"{datasets}/eval/images.idx3", f"{datasets}/eval/labels.idx1"
    spec = f"idx:{images},{labels},mean=0.5,std=0.25"
    original = f"{datasets}/eval/bnnet.pt"
    with tempfile.TemporaryDirectory() as d:
        plan = f"{d}/plan.json"
        run([gkp, "plan", original, "--ratio", "0.5", "--groups", "2", "--select", "l2", "-q", "-o", plan])
        run([gkp, "export", original, "--plan", plan, "--mode", "trainable", "--form", "grouped", "-o", f"{d}/t.pt"])
        gkp_finetune_under_torchrun(gkp, torchrun, f"{d}/t.pt", spec, d)
        for form in ("grouped", "masked-dense"):
            trainable, out = f"{d}/{form}.pt", f"{d}/{form}_ddp.pt"
            run([gkp, "export", original, "--plan", plan, "--mode", "trainable", "--form", form, "-o", trainable])
            stdout, _ = run([torchrun, "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port",
                             str(free_port()), "-r", "1", "-t", "1", "--log_dir", f"{d}/logs_{form}", script, trainable,
                             "--images", images, "--labels", labels, "--mean", "0.5", "--std", "0.25", "--epochs", "2",
                             "--batch", "8", "--lr", "0.05", "--timeout", "60", "-o", out])
            check("over 2 rank(s)" in stdout, f"{form}: not two ranks:\n{stdout}")
            check(sorted(f for f in os.listdir(d) if ".tmp" in f) == [], f"{form}: temporary file left")

            before, plan_before = load(trainable)
            after, plan_after = load(out)
            check(plan_after == plan_before and plan_after, f"{form}: the embedded plan was not kept")
            check({n: t.shape for n, t in after.items()} == {n: t.shape for n, t in before.items()},
                  f"{form}: parameter shapes changed")
            moved = max(float((after[n].double() - before[n].double()).abs().max())
                        for n in before if before[n].is_floating_point())
            check(moved > 1e-3, f"{form}: training did not move the weights ({moved})")
            w0, w1 = before["conv2.weight"], after["conv2.weight"]
            if form == "grouped":
                check(list(w1.shape) == [8, 2, 3, 3], f"grouped: conv2 is {list(w1.shape)}, not [8, 2, 3, 3]")
            else:
                check(list(w1.shape) == [8, 4, 3, 3], f"masked-dense: conv2 is {list(w1.shape)}")
                pruned = w0.abs().sum((2, 3)) == 0
                check(int(pruned.sum()) == 16, f"masked-dense: {int(pruned.sum())} pruned kernels, not 16")
                check(float(w1.abs().sum((2, 3))[pruned].max()) == 0.0, "masked-dense: pruned kernels became nonzero")
                check(float(w1.abs().sum((2, 3))[~pruned].min()) > 0.0, "masked-dense: kept kernels were zeroed")

            # gkp reads the result as it reads the export
            stdout, _ = run([gkp, "eval", original, "--dataset", spec, "--exported", out, "--json"])
            doc = json.loads(stdout)
            check(doc["exported"]["samples"] == 50, f"{form}: gkp eval: {stdout}")
            stdout, _ = run([gkp, "verify", original, trainable, "--json"])
            check(json.loads(stdout[stdout.index("{"):])["passed"], f"{form}: the untrained export does not verify")
            stdout, err = run([gkp, "verify", original, out, "--json"], expect=1)  # trained: it differs, and says so
            check("verification failed" in err, f"{form}: gkp verify: {err}")
            check(json.loads(stdout[stdout.index("{"):])["max_rel"] > 1e-3, f"{form}: gkp verify found no change")
            stdout, _ = run([gkp, "finetune", out, "--dataset", spec, "--epochs", "1", "--batch", "16", "--no-validation",
                             "-o", f"{d}/{form}_again.pt", "--deploy-out", f"{d}/{form}_again_deploy.pt"])
            check("0 nonzero pruned weights" in stdout, f"{form}: gkp finetune on the result: {stdout}")
            print(f"{form}: torchrun + DDP result loads in gkp eval/verify/finetune; weights moved by {moved:.3g}; "
                  "pruned kernels " + ("absent" if form == "grouped" else "still zero"))
    print(f"{checks} passed, 0 failed")


if __name__ == "__main__":
    main()
