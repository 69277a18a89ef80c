#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Checks that every patch of the series builds on its own: applies the
# patches one at a time to a scratch copy of linux-source-6.12 and builds
# the arm64 Image after each (incrementally), with the config fragment, and
# once more with CONFIG_KVM_SMCCC_BPF=n after the last patch. Also runs
# checkpatch.pl --strict on each patch. Slow (a clean build, then about a
# minute per patch): `make check-patches`, not part of `make test`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
work=$cache/series-check

case ${1:-} in
-h|--help)
	echo "Usage: kernel/check-series.sh   (SMCCC_CACHE, LINUX_TARBALL as for kernel/build.sh)"
	exit 0 ;;
esac

say() { echo "==> $*" >&2; }
kmake() {
	make -s -C "$work/src" O="$work/build" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@"
}
configure() {
	kmake allnoconfig >/dev/null
	(cd "$work/src" && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O "$work/build" \
		"$work/build/.config" "$@" >/dev/null 2>&1)
	kmake olddefconfig >/dev/null
}
build() {
	local what=$1 start
	start=$(date +%s)
	if ! kmake -j"$(nproc)" Image >"$work/build.log" 2>&1; then
		tail -30 "$work/build.log" >&2
		echo "not ok - $what does not build"
		exit 1
	fi
	if grep -q ' warning: ' "$work/build.log"; then
		grep ' warning: ' "$work/build.log" >&2
		echo "not ok - $what builds with warnings"
		exit 1
	fi
	echo "ok - $what builds ($(( $(date +%s) - start )) s)"
}

rm -rf "$work"
mkdir -p "$work"
say "unpacking $(basename "$tarball")"
tar -C "$work" -xf "$tarball"
mv "$work/linux-source-6.12" "$work/src"

configure "$here/smccc-bpf.config"
build "the base tree"
n=0
for p in $(find "$here/patches" -name '0*.patch' ! -name '0000-*' | sort); do
	patch -d "$work/src" -p1 -s -f < "$p"
	perl "$work/src/scripts/checkpatch.pl" --strict --no-tree -q "$p" ||
		{ echo "not ok - checkpatch --strict $(basename "$p")"; exit 1; }
	configure "$here/smccc-bpf.config"
	build "$(basename "$p")"
	n=$((n + 1))
done
printf 'CONFIG_KVM_SMCCC_BPF=n\n' > "$work/off.config"
configure "$here/smccc-bpf.config" "$work/off.config"
build "the series with CONFIG_KVM_SMCCC_BPF=n"
echo "$((n + 2)) passed, 0 failed"
