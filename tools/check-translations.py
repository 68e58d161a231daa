#!/usr/bin/env python3
"""Checks Qt Linguist .ts files for completeness.

    check-translations.py FILE.ts...                      every entry finished and non-empty
    check-translations.py --lupdate LUPDATE --sources DIR... -- FILE.ts...
                                                          also: the sources hold no string the
                                                          .ts files lack (lupdate on a copy)

An entry fails when it is marked unfinished, when its translation (or a plural form) is empty,
or when it drops or adds a %1..%9 / %n placeholder of its source. Obsolete (vanished) entries
are ignored. Exit status: 0 all complete, 1 problems found, 2 usage or parse error.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

PLACEHOLDER = re.compile(r"%(?:[1-9]|n)")
DEAD = ("obsolete", "vanished")


def check_file(path):
    """Returns (entries, problems) of one .ts file; problems are printable strings."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"{path}: cannot read: {e}", file=sys.stderr)
        sys.exit(2)
    if root.tag != "TS":
        print(f"{path}: not a Qt Linguist file", file=sys.stderr)
        sys.exit(2)
    entries, problems = 0, []
    for context in root.iter("context"):
        name = context.findtext("name", default="?")
        for message in context.iter("message"):
            source = message.findtext("source", default="")
            tr = message.find("translation")
            kind = tr.get("type") if tr is not None else None
            if kind in DEAD:
                continue
            entries += 1
            where = f"{path}: [{name}] {source!r}"
            if tr is None:
                problems.append(f"{where}: no translation element")
                continue
            if kind == "unfinished":
                problems.append(f"{where}: unfinished")
                continue
            forms = tr.findall("numerusform") if message.get("numerus") == "yes" else [tr]
            texts = [("".join(f.itertext())) for f in forms]
            if not texts or any(not t.strip() for t in texts):
                problems.append(f"{where}: empty translation")
                continue
            wanted = sorted(set(PLACEHOLDER.findall(source)))
            for t in texts:
                got = sorted(set(PLACEHOLDER.findall(t)))
                if got != wanted:
                    problems.append(f"{where}: placeholders {got} in {t!r}, source has {wanted}")
                    break
    return entries, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lupdate", help="lupdate binary: also check the sources against the .ts files")
    parser.add_argument("--sources", nargs="+", default=[], help="source folders lupdate scans")
    parser.add_argument("ts", nargs="+")
    args = parser.parse_args()

    failed = False
    for path in args.ts:
        checked = path
        tmp = None
        if args.lupdate:
            # lupdate on a copy, with the options of tools/update-translations.sh: strings the
            # sources have and the file lacks come back as unfinished entries.
            tmp = tempfile.mkdtemp(prefix="gkp-ts-")
            checked = os.path.join(tmp, os.path.basename(path))
            shutil.copyfile(path, checked)
            run = subprocess.run([args.lupdate, "-silent", "-no-obsolete", "-locations", "none",
                                  *args.sources, "-ts", checked], capture_output=True, text=True)
            if run.returncode != 0:
                print(f"{path}: lupdate failed:\n{run.stdout}{run.stderr}", file=sys.stderr)
                sys.exit(2)
        entries, problems = check_file(checked)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if problems:
            failed = True
            print(f"{path}: {len(problems)} of {entries} entries incomplete"
                  + (" after lupdate on the sources" if args.lupdate else "") + ":")
            for p in problems:
                print("  " + p.replace(checked, path))
        else:
            print(f"{path}: {entries} entries, all translated")
    if failed:
        print("Run tools/update-translations.sh, translate the entries above (see translations/README.md), "
              "then run this check again.")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
