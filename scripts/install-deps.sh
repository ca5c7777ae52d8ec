#!/usr/bin/env bash
# Installs what the build and tests need on Debian 12 and is missing. Run as root or with sudo.
#   libomp-dev   OpenMP runtime (libomp5.so) the kernels' threads come from
#   zlib1g-dev   gzip reading of MNIST idx files
#   cmake, pkg-config   the plain C build of libckernels and its pkg-config check
#   libopenmpi-dev, openmpi-bin   `mpirun -np N cifar-vgg` (data-parallel training) and its tests;
#                the build itself never needs MPI (cifar-vgg loads libmpi at run time under mpirun)
#   Swift        when no `swift` is on PATH (nor in /opt/swift): the swift.org toolchain
#                $SWIFT_VERSION (default 6.3.1, the one the project is tested with), its
#                signature checked against swift.org's keys, unpacked into /opt/swift-<version>
#                and linked as /opt/swift; scripts/swift-path.sh puts /opt/swift/usr/bin on PATH.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
SWIFT_VERSION="${SWIFT_VERSION:-6.3.1}"

have_swift() { command -v swift >/dev/null 2>&1 || [ -x /opt/swift/usr/bin/swift ]; }

packages=(libomp-dev zlib1g-dev cmake pkg-config libopenmpi-dev openmpi-bin)
if ! have_swift; then
  # The toolchain's own run-time needs (the package list of swift.org's Debian 12 images), and
  # what the download and its signature check use.
  packages+=(binutils-gold gcc git libcurl4-openssl-dev libedit-dev libicu-dev libncurses-dev libpython3-dev
             libsqlite3-dev libstdc++-12-dev libxml2-dev tzdata uuid-dev curl gnupg ca-certificates)
fi
need=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
echo "install-deps: libomp-dev zlib1g-dev cmake pkg-config libopenmpi-dev openmpi-bin present"

if ! have_swift; then
  case "$(uname -m)" in
    x86_64) platform=debian12 ;;
    aarch64) platform=debian12-aarch64 ;;
    *) echo "install-deps: no Swift toolchain for $(uname -m); install Swift $SWIFT_VERSION from swift.org" >&2; exit 1 ;;
  esac
  file="swift-$SWIFT_VERSION-RELEASE-$platform.tar.gz"
  url="https://download.swift.org/swift-$SWIFT_VERSION-release/$platform/swift-$SWIFT_VERSION-RELEASE/$file"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "install-deps: downloading $url"
  curl -fsSL -o "$tmp/$file" "$url"
  curl -fsSL -o "$tmp/$file.sig" "$url.sig"
  mkdir -m 700 "$tmp/gnupg"
  curl -fsSL https://swift.org/keys/all-keys.asc | gpg --homedir "$tmp/gnupg" --batch --quiet --import
  gpg --homedir "$tmp/gnupg" --batch --verify "$tmp/$file.sig" "$tmp/$file"
  $SUDO mkdir -p "/opt/swift-$SWIFT_VERSION"
  $SUDO tar -xzf "$tmp/$file" -C "/opt/swift-$SWIFT_VERSION" --strip-components=1
  $SUDO ln -sfn "/opt/swift-$SWIFT_VERSION" /opt/swift
  echo "install-deps: Swift $SWIFT_VERSION in /opt/swift (add /opt/swift/usr/bin to PATH for your shell)"
fi
