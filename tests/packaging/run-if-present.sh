#!/usr/bin/env bash
# run-if-present.sh TOOL ARGS...: runs TOOL, or exits 77 (CTest SKIP_RETURN_CODE) when TOOL is
# not installed (packaging/setup-debian.sh installs desktop-file-utils and appstream).
if ! command -v "$1" >/dev/null 2>&1; then
    echo "$1 is not installed: skipped"
    exit 77
fi
exec "$@"
