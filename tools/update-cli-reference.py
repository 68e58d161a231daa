#!/usr/bin/env python3
"""Keeps the option lists of docs/cli-reference.md equal to what `gkp` prints.

    update-cli-reference.py GKP [--check] [--doc docs/cli-reference.md]

Every block
    <!-- gkp-help: ARGS -->
    ...
    <!-- /gkp-help -->
is replaced by the output of `GKP ARGS --help` in a text fence. With --check nothing is
written; the exit status is 1 when a block differs (CTest: docs.cli_reference).
"""
import argparse
import os
import re
import subprocess
import sys

BLOCK = re.compile(r"(<!-- gkp-help:(?P<args>[^>]*)-->\n)(?P<body>.*?)(<!-- /gkp-help -->)", re.S)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("gkp")
    p.add_argument("--check", action="store_true")
    p.add_argument("--doc", default=os.path.join(os.path.dirname(__file__), "..", "docs", "cli-reference.md"))
    a = p.parse_args()
    text = open(a.doc, encoding="utf-8").read()
    stale = []

    def replace(m):
        args = m.group("args").split()
        r = subprocess.run([a.gkp, *args, "--help"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{a.gkp} {' '.join(args)} --help failed: {r.stderr}")
        body = "```text\n" + r.stdout.rstrip() + "\n```\n"
        if body != m.group("body"):
            stale.append(" ".join(["gkp", *args]))
        return m.group(1) + body + m.group(4)

    new = BLOCK.sub(replace, text)
    if not BLOCK.search(text):
        sys.exit(f"{a.doc}: no <!-- gkp-help: ... --> blocks")
    if a.check:
        if stale:
            print(f"{a.doc}: out of date for: {', '.join(stale)}; run tools/update-cli-reference.py build/app/gkp/gkp")
            sys.exit(1)
        print(f"{a.doc}: every help block matches {a.gkp}")
        return
    if new != text:
        with open(a.doc + ".tmp", "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(a.doc + ".tmp", a.doc)
    print(f"{a.doc}: updated {len(stale)} block(s)")


if __name__ == "__main__":
    main()
