#!/usr/bin/env bash
# Configure and build GKP Studio into ./build (Ninja, 2 jobs by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build build -j "${GKP_JOBS:-2}"
