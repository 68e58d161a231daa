#!/usr/bin/env bash
# One command from a fresh Debian machine to the running GUI on the bundled demo model:
# install missing packages, build, launch gkp-studio (extra arguments are passed on).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/packaging/setup-debian.sh"
"$root/tools/build.sh"
exec "$root/build/app/gkp-studio/gkp-studio" "$@"
