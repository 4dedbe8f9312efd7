#!/usr/bin/env bash
# Installs the Debian packages convgrad builds with, if any are missing.
# As root it runs apt-get; otherwise it prints the exact command to run and exits 1.
# Dev-only oracles (PyTorch, NetworkX) are never installed here: see docs/development.md.
set -euo pipefail

packages=(
  build-essential cmake pkg-config   # compiler and build
  libopenblas-dev libomp-dev         # BLAS (sgemm/dgemm) and OpenMP
  libeigen3-dev libspectra-dev       # graph/: eigenvectors
  catch2                             # tests (Catch2 v2)
  nlohmann-json3-dev libcli11-dev libfmt-dev  # JSON, command line, formatting
  gnuplot-nox                        # figures (optional at run time)
)

missing=()
for pkg in "${packages[@]}"; do
  [[ "$pkg" == \#* ]] && continue
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all build dependencies are installed"
  exit 0
fi

echo "setup: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: run this as root, then re-run the command:"
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
echo "setup: installed ${missing[*]}"
