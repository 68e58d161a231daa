#!/usr/bin/env bash
# Renders the hicolor PNGs from the SVG icon. Needs rsvg-convert (Debian: librsvg2-bin).
# The PNGs are committed; run this after editing the SVG.
set -euo pipefail
cd "$(dirname "$0")"
id=io.github.gkpstudio.GKPStudio
command -v rsvg-convert >/dev/null || { echo "render-icons: rsvg-convert missing (apt-get install librsvg2-bin)" >&2; exit 1; }
for size in 16 24 32 48 64 128 256; do
    mkdir -p "hicolor/${size}x${size}/apps"
    rsvg-convert -w "$size" -h "$size" "$id.svg" -o "hicolor/${size}x${size}/apps/$id.png"
done
echo "render-icons: wrote hicolor/{16,24,32,48,64,128,256}/apps/$id.png"
