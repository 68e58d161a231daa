#!/usr/bin/env bash
# Reproduces the accuracy table of the README on the bundled demo model (build first:
# tools/build.sh). Full Fashion-MNIST test set (10,000 images); BatchNorm recalibration on the
# first 2,000 training images; one epoch of fine-tuning on the 60,000 training images.
#   tools/quality-table.sh [OUTDIR] [GKP]
# Took about 100 minutes on 2 cores shared with other builds (the fine-tuning epoch is most of it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build/quality}"
gkp="${2:-$root/build/app/gkp/gkp}"
model="$root/resources/demo/fashion_resnet20.pt"
target=0.43
mkdir -p "$out"
data=fashion-mnist

echo "== one-shot at ${target} conv-MACs reduction, every granularity, without and with BatchNorm recalibration"
"$gkp" compare "$model" --dataset $data --reductions $target --json -o "$out/compare.json"
"$gkp" compare "$model" --dataset $data --reductions $target --recalibrate-bn 2000 --json -o "$out/compare-recal.json"
"$gkp" compare "$model" --dataset $data --reductions $target --recalibrate-bn 2000 --granularity channel \
    --granularity channel-internal --channel-importance l1 --json -o "$out/compare-recal-l1.json"

echo "== per-layer sensitivity (first 2,000 test images, recalibrated) and sensitivity-aware allocation"
"$gkp" sensitivity "$model" --dataset $data --limit 2000 --recalibrate-bn 1000 --json -o "$out/sensitivity.json"
"$gkp" compare "$model" --dataset $data --reductions $target --recalibrate-bn 2000 --granularity gkp \
    --sensitivity "$out/sensitivity.json" --json -o "$out/compare-recal-sens.json"

echo "== the uniform GKP plan (the better one-shot result), trainable export, one epoch of fine-tuning"
"$gkp" plan "$model" --target-macs-reduction $target -q -o "$out/gkp-uniform.json"
for p in uniform; do
    "$gkp" export "$model" --plan "$out/gkp-$p.json" --mode trainable -o "$out/gkp-$p-trainable.pt" >/dev/null
    "$gkp" finetune "$out/gkp-$p-trainable.pt" --dataset $data --epochs 1 --lr 0.01 --batch 128 \
        -o "$out/gkp-$p-ft.pt" --deploy-out "$out/gkp-$p-ft-deploy.pt" | tee "$out/finetune-$p.txt"
    "$gkp" eval "$model" --dataset $data --exported "$out/gkp-$p-ft-deploy.pt" --json > "$out/eval-ft-$p.json"
done

echo "== table"
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def load(n):
    return json.load(open(f"{out}/{n}"))
c, cr, cs = load("compare.json"), load("compare-recal.json"), load("compare-recal-sens.json")
def point(doc, g):
    return next(p for p in doc["points"] if p["granularity"] == g)
print(f"unpruned: {100 * c['baseline']['top1']:.2f} %")
print("| method (one-shot, 43 % conv-MACs target) | MACs cut | top-1 | top-1, BN recalibrated |")
print("|---|---|---|---|")
for g in ["gkp", "gkp-g1", "channel", "channel-internal", "filter", "kernel", "weight"]:
    a, b = point(c, g), point(cr, g)
    print(f"| {g} | {100 * a['macs_reduction']:.2f} % | {100 * a['top1']:.2f} % | {100 * b['top1']:.2f} % |")
l1 = load("compare-recal-l1.json")
for g in ["channel", "channel-internal"]:
    b = point(l1, g)
    print(f"| {g}, L1 importance | {100 * b['macs_reduction']:.2f} % | - | {100 * b['top1']:.2f} % |")
s = point(cs, "gkp")
print(f"| gkp, sensitivity allocation | {100 * s['macs_reduction']:.2f} % | - | {100 * s['top1']:.2f} % |")
e = load("eval-ft-uniform.json")
print(f"| gkp + 1 epoch fine-tuning (deploy export, no recalibration needed) | {100 * point(c, 'gkp')['macs_reduction']:.2f} % | {100 * e['exported']['top1']:.2f} % | |")
PY
