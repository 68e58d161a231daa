#!/usr/bin/env bash
# Refreshes translations/*.ts from the sources (new tr() strings come in as unfinished entries,
# strings no longer in the sources are dropped). Then translate the new entries (Qt Linguist:
# `linguist translations/gkp_studio_de.ts`, or edit the XML) and check:
#   tools/check-translations.py translations/*.ts
# Same scan and options as the CMake target `update_translations` (gui/CMakeLists.txt).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lupdate=/usr/lib/qt6/bin/lupdate   # Debian qt6-l10n-tools; /usr/bin/lupdate is Qt 5's qtchooser
[ -x "$lupdate" ] || lupdate="$(command -v lupdate6 || command -v lupdate)"
cd "$root"
"$lupdate" -no-obsolete -locations none gui app/gkp-studio -ts translations/gkp_studio_de.ts translations/gkp_studio_zh_CN.ts
python3 tools/check-translations.py translations/*.ts || true
