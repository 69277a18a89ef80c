#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs the Debian (bookworm) packages smccc-bpf builds and tests with,
# as root. Does nothing when they are all there already.
# Usage: scripts/ci-deps.sh [--check]   (--check: only report what is missing)
set -euo pipefail

host_pkgs=(
	make gcc libc6-dev perl python3 file cpio gzip xz-utils bc flex bison
	libssl-dev libelf-dev zlib1g-dev libzstd-dev pkg-config dwarves
	clang llvm libcmocka-dev python3-unicorn gdb-multiarch
	libclang-rt-14-dev	# the sanitizer and libFuzzer runtimes of clang (selftests/fuzz)
	linux-source-6.12 gcc-aarch64-linux-gnu qemu-system-arm
)
# Static arm64 libraries for the binaries that run inside the test VM.
arm64_pkgs=(libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64)

missing=()
for p in "${host_pkgs[@]}" "${arm64_pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing+=("$p")
done
arch_ok=1
dpkg --print-foreign-architectures | grep -qx arm64 || arch_ok=0

if [ ${#missing[@]} -eq 0 ] && [ $arch_ok = 1 ]; then
	echo "==> all build and test dependencies are installed" >&2
	exit 0
fi
if [ "${1:-}" = --check ]; then
	[ $arch_ok = 1 ] || echo "missing: dpkg architecture arm64" >&2
	[ ${#missing[@]} -eq 0 ] || echo "missing packages: ${missing[*]}" >&2
	exit 1
fi
[ "$(id -u)" = 0 ] || { echo "ci-deps.sh: run as root to install: ${missing[*]}" >&2; exit 1; }

if [ $arch_ok = 0 ]; then
	echo "==> enabling the arm64 dpkg architecture (multiarch)" >&2
	dpkg --add-architecture arm64
fi
echo "==> installing: ${missing[*]:-(none)}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "==> dependencies installed" >&2
