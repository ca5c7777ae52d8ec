#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian 12). Run as root.
#   libomp-dev   OpenMP runtime (libomp5.so) the kernels' threads come from
#   zlib1g-dev   gzip reading of MNIST idx files
#   cmake, pkg-config   the plain C build of libckernels and its pkg-config check
#   libopenmpi-dev, openmpi-bin   `mpirun -np N cifar-vgg` (data-parallel training) and its tests;
#                the build itself never needs MPI (cifar-vgg loads libmpi at run time under mpirun)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=()
for p in libomp-dev zlib1g-dev cmake pkg-config libopenmpi-dev openmpi-bin; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
echo "install-deps: libomp-dev zlib1g-dev cmake pkg-config libopenmpi-dev openmpi-bin present"
