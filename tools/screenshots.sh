#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png from the GUI tests (build first: tools/build.sh; another build
# directory with GKP_BUILD_DIR=...). Runs under Xvfb when available (a real X server), else on Qt's
# offscreen platform. The tests save more pictures than the README shows: they land in a scratch
# directory, and only the README's are copied into docs/screenshots.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/docs/screenshots"
build="$(cd "$root" && cd "${GKP_BUILD_DIR:-build}" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"
cd "$build"
run() {
    if command -v xvfb-run >/dev/null; then
        GKP_SCREENSHOT_DIR="$scratch" xvfb-run -a -s "-screen 0 1600x1000x24" "$@"
    else
        GKP_SCREENSHOT_DIR="$scratch" QT_QPA_PLATFORM=offscreen "$@"
    fi
}
ctest -R fixtures.generate > /dev/null
for t in tst_mainwindow tst_kernelheatmapview tst_granularityview tst_clusterscatterview tst_modelsummaryview \
    tst_translations; do
    run "./tests/gui/$t" > /dev/null
done
# README name <- test's name
while read -r name shot; do
    cp "$scratch/$shot" "$out/$name"
    echo "$out/$name"
done <<'LIST'
mainwindow.png mainwindow.png
export-dialog.png export-dialog.png
heatmap-grouped.png heatmap-grouped.png
granularity.png granularity-1400x520.png
cluster-scatter.png cluster-scatter.png
model-summary.png model-summary.png
mainwindow-de.png mainwindow-de.png
mainwindow-zh_CN.png mainwindow-zh_CN.png
LIST
