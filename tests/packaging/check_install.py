#!/usr/bin/env python3
"""Install-tree test: `cmake --install` into a temporary prefix, then run what got installed.

    check_install.py CMAKE BUILD_DIR VERSION APP_ID [--gui]

Checks the installed `gkp --version`, runs the installed `gkp inspect --json` on the installed
demo model and compares its convolutions with what PyTorch itself lists for that file (when the
interpreter running this has torch; else with the known ResNet-20 layout), checks the desktop
file, metainfo and icons are where desktop environments look (and pass
`appstreamcli validate-tree` when installed), that no installed binary points
back into the build tree (RUNPATH), and (--gui) that the installed gkp-studio finds the
installed demo model.
"""
import json
import os
import subprocess
import sys
import tempfile

cmake, build, version, app_id = sys.argv[1:5]
gui = "--gui" in sys.argv[5:]
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        print(f"$ {' '.join(args)}\n{r.stdout}{r.stderr}")
    return r


with tempfile.TemporaryDirectory(prefix="gkp-install-") as prefix:
    r = run([cmake, "--install", build, "--prefix", prefix])
    check(r.returncode == 0, "cmake --install into a temporary prefix")
    if r.returncode != 0:
        sys.exit(1)

    gkp = os.path.join(prefix, "bin", "gkp")
    r = run([gkp, "--version"])
    check(r.returncode == 0 and r.stdout.strip() == f"gkp {version}", f"installed gkp --version prints 'gkp {version}'")

    demo = os.path.join(prefix, "share", "gkp-studio", "demo", "fashion_resnet20.pt")
    check(os.path.isfile(demo), "demo model installed under share/gkp-studio/demo")
    r = run([gkp, "inspect", demo, "--json"])
    check(r.returncode == 0, "installed gkp inspect runs on the installed demo model")
    inv = json.loads(r.stdout) if r.returncode == 0 else {"layers": [], "totals": {}}
    names = [l["name"] for l in inv["layers"]]
    try:
        import torch  # an independent listing of the same file
        model = torch.jit.load(demo)
        expected = [n for n, m in model.named_modules() if m.original_name == "Conv2d"]
        source = "PyTorch"
    except ImportError:
        expected = ["conv1"] + [f"layer{s}.{b}.conv{c}" for s in (1, 2, 3) for b in range(3) for c in (1, 2)]
        source = "the ResNet-20 layout"
    check(names == expected, f"inspect lists the {len(expected)} convolutions {source} lists, in order")
    check(inv["totals"].get("convs") == 19 and inv["totals"].get("prunable") == 19,
          "demo model: 19 convolutions, 19 prunable")
    check(inv.get("input_shape") == [1, 1, 28, 28], "input shape 1x1x28x28 read from the archive")
    check(bool(inv["layers"]) and inv["layers"][0]["excluded_by_default"], "conv1 is the stem (excluded by default)")

    binaries = [gkp]
    if gui:
        studio = os.path.join(prefix, "bin", "gkp-studio")
        binaries.append(studio)
        share = os.path.join(prefix, "share")
        for rel in (f"applications/{app_id}.desktop", f"metainfo/{app_id}.metainfo.xml",
                    f"icons/hicolor/scalable/apps/{app_id}.svg",
                    *(f"icons/hicolor/{s}x{s}/apps/{app_id}.png" for s in (16, 24, 32, 48, 64, 128, 256))):
            check(os.path.isfile(os.path.join(share, rel)), f"share/{rel} installed")
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        r = run([studio, "--version"], env=env)
        check(r.returncode == 0 and r.stdout.strip() == f"gkp-studio {version}",
              f"installed gkp-studio --version prints 'gkp-studio {version}'")
        appstream = subprocess.run(["sh", "-c", "command -v appstreamcli"], capture_output=True, text=True).stdout.strip()
        if appstream:  # the metainfo together with the installed desktop file and icons
            r = run([appstream, "validate-tree", "--no-net", prefix])
            check(r.returncode == 0, "appstreamcli validate-tree on the install prefix")
        r = run([studio, "--demo-model-path"], env=env)
        check(r.returncode == 0 and r.stdout.strip() == os.path.realpath(demo),
              "installed gkp-studio opens the installed demo model by default")

    readelf = subprocess.run(["sh", "-c", "command -v readelf"], capture_output=True, text=True).stdout.strip()
    if readelf:
        for b in binaries:
            dyn = run([readelf, "-d", b]).stdout
            check(os.path.realpath(build) not in dyn, f"{os.path.basename(b)} has no RUNPATH into the build tree")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
