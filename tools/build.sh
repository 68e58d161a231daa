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
