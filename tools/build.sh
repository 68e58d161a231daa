#!/usr/bin/env bash
# Configure and build GKP Studio into ./build (Ninja, 2 jobs by default).
# Uses ccache when it is installed (worktrees then share compiled objects).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
launcher=()
if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "${GKP_BUILD_DIR:-build}" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@"
cmake --build "${GKP_BUILD_DIR:-build}" -j "${GKP_JOBS:-2}"

# ONNX Runtime for the tests (an executor independent of GKP Studio's) and tools/ort-run.mjs: the npm
# package ships its CPU runtime; its install script would download GPU files, so it is skipped.
ort_dir="${GKP_BUILD_DIR:-build}/ort"
if [ ! -f "$ort_dir/node_modules/onnxruntime-node/package.json" ] ||
    ! grep -q '"version": "1.30.0"' "$ort_dir/node_modules/onnxruntime-node/package.json"; then
    if command -v npm >/dev/null 2>&1; then
        mkdir -p "$ort_dir"
        ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$ort_dir" --ignore-scripts --no-audit --no-fund \
            onnxruntime-node@1.30.0 ||
            echo "build: could not install onnxruntime-node into $ort_dir; the ONNX Runtime tests will say so" >&2
    else
        echo "build: npm not found; the ONNX Runtime tests need onnxruntime-node (see README)" >&2
    fi
fi
