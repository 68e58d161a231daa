#!/usr/bin/env bash
# Installs the Debian packages GKP Studio needs to build, test and run, when they are missing.
# Runs apt-get as root, or through sudo otherwise. Safe to run again: installs only what is missing.
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    libtorch-dev libgloo-dev
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-qpa-plugins qt6-translations-l10n
    libqcustomplot-dev libqcustomplot2.1-qt6
    libopenblas0-pthread
    nlohmann-json3-dev libcli11-dev zlib1g-dev libstb-dev
    libonnx-dev libprotobuf-dev protobuf-compiler
    python3 python3-torch python3-torchvision python3-onnx
    nodejs
    libonnx-testdata
    dataset-fashion-mnist
    xvfb xauth fonts-dejavu-core fonts-wqy-microhei
    desktop-file-utils appstream
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "setup: all ${#packages[@]} Debian packages are installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
