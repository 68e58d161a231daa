#!/usr/bin/env bash
# One command from a fresh Debian machine to a passing test suite:
# install missing packages, build everything, run every test (GUI tests use the offscreen platform).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/packaging/setup-debian.sh"
"$root/tools/build.sh"
cd "$root/build"
ctest --output-on-failure -j 1 "$@"
