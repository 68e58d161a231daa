#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png from the GUI tests (build first: tools/build.sh).
# Runs under Xvfb when available (a real X server), else on Qt's offscreen platform.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/screenshots"
mkdir -p "$out"
cd "$root/build"
run() {
    if command -v xvfb-run >/dev/null; then
        GKP_SCREENSHOT_DIR="$out" xvfb-run -a -s "-screen 0 1600x1000x24" "$@"
    else
        GKP_SCREENSHOT_DIR="$out" QT_QPA_PLATFORM=offscreen "$@"
    fi
}
ctest -R fixtures.generate > /dev/null
for t in tests/gui/tst_mainwindow tests/gui/tst_kernelheatmapview tests/gui/tst_translations; do
    run "./$t" > /dev/null
done
ls -1 "$out"
