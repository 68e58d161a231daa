#!/usr/bin/env bash
# Reproduces the speed figures of the README on this machine (build first: tools/build.sh).
#   bench/run-benchmarks.sh [OUTDIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/build/bench-models}"
gkp="$root/build/app/gkp/gkp"
/usr/bin/python3 "$root/bench/make_bench_models.py" "$out"

echo "== whole-model plans (kmeans + greedy, G = 8, r = 0.4375)"
"$gkp" plan "$out/resnet56.pt" --groups 8 --ratio 0.4375 -o "$out/resnet56.plan.json" 2>&1 | tail -2
"$gkp" plan "$out/resnet50.pt" --groups 8 --ratio 0.4375 -o "$out/resnet50.plan.json" 2>&1 | tail -2

echo "== engine micro-benchmark (per layer shapes)"
"$root/build/bench/bench_engine"

echo "== latency-aware plans for the oneDNN runtime, ~40 % of the file's conv MACs cut, export, side-by-side latency"
"$gkp" plan "$out/resnet50.pt" --groups auto --latency-aware --latency-batch 8 --epsilon 1 --runtime onednn \
    --target-macs-reduction 0.25 -q -o "$out/resnet50.latency.plan.json" 2>&1 | tail -1
"$gkp" export "$out/resnet50.pt" --plan "$out/resnet50.latency.plan.json" --batch 8 -o "$out/resnet50.gkp.pt" 2>&1 | tail -3
for runtime in onednn frozen; do
    "$gkp" bench "$out/resnet50.pt" "$out/resnet50.gkp.pt" --batch 8 --runs 30 --runtime $runtime --no-layers
done
"$gkp" plan "$out/resnet56.pt" --groups auto --latency-aware --latency-batch 64 --epsilon 1 --runtime onednn \
    --target-macs-reduction 0.40 -q -o "$out/resnet56.latency.plan.json" 2>&1 | tail -1
"$gkp" export "$out/resnet56.pt" --plan "$out/resnet56.latency.plan.json" --batch 64 -o "$out/resnet56.gkp.pt" 2>&1 | tail -3
for runtime in onednn frozen; do
    "$gkp" bench "$out/resnet56.pt" "$out/resnet56.gkp.pt" --batch 64 --runs 30 --runtime $runtime --no-layers
done
