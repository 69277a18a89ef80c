#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build libbpf and bpftool from a Linux source tree, for the host (x86_64,
# used to generate vmlinux.h and skeletons) and as static aarch64 binaries
# (to run inside the booted test VM).
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: build-bpf-tools.sh [-j N] [--force] SRC OUT

Build libbpf and bpftool from the Linux source tree SRC (its tools/lib/bpf
and tools/bpf/bpftool) into OUT:

  OUT/host/libbpf.a          libbpf for the build machine (static)
  OUT/host/include/bpf/*.h   libbpf headers
  OUT/host/bpftool           host bpftool (btf dump, gen skeleton, ...)
  OUT/arm64/libbpf.a         static libbpf for aarch64
  OUT/arm64/include/bpf/*.h  libbpf headers
  OUT/arm64/bpftool          static aarch64 bpftool (runs in the VM)
  OUT/build-times.txt        seconds spent in each build step

Link programs against libbpf with: -IOUT/FLAVOUR/include OUT/FLAVOUR/libbpf.a
-lelf -lz (for arm64: aarch64-linux-gnu-gcc -static ...). bpftool is built
without the optional features (no LLVM/libbfd JIT disassembler, no libcap,
no skeleton-based 'prog profile' and pids in 'show' output).

Intermediate objects live in OUT/.build. Nothing is written into SRC.
Work is skipped when all outputs exist and OUT/.stamp matches a hash of the
relevant sources, the toolchain versions and this script.

Options:
  -j N      parallel make jobs (default: number of CPUs)
  --force   rebuild even if the stamp matches
  -h        show this help

Environment: V=1 shows full build output.
Needs: make gcc gcc-aarch64-linux-gnu libc6-dev libelf-dev zlib1g-dev
       libelf-dev:arm64 zlib1g-dev:arm64 (libc6-dev-arm64-cross), file
EOF
}

PROG=build-bpf-tools
# shellcheck source=scripts/build-args.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-args.sh"
[[ -f $SRC/tools/lib/bpf/Makefile && -f $SRC/tools/bpf/bpftool/Makefile ]] ||
	die "'$SRC' is not a Linux source tree (no tools/lib/bpf or tools/bpf/bpftool)"
mkdir -p "$OUT_ARG" || die "cannot create output directory '$OUT_ARG'"
OUT=$(cd "$OUT_ARG" && pwd)
B=$OUT/.build
V=${V:-0}

# Don't let the caller's environment leak into the tools Makefiles.
unset CFLAGS CPPFLAGS LDFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS ARCH CROSS_COMPILE \
	CC LD AR O KBUILD_OUTPUT OUTPUT MAKEFLAGS MFLAGS MAKELEVEL LLVM || true

XPREFIX=aarch64-linux-gnu-
ARM64_LIBDIR=/usr/lib/aarch64-linux-gnu

# --- prerequisites ----------------------------------------------------------
need_cmd() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found; install Debian package '$2'"
}
need_cmd make make
need_cmd gcc gcc
need_cmd "${XPREFIX}gcc" gcc-aarch64-linux-gnu
need_cmd file file
need_cmd sha256sum coreutils
[[ -f /usr/include/libelf.h && -f /usr/include/gelf.h ]] ||
	die "libelf headers missing; install Debian package libelf-dev"
[[ -f /usr/include/zlib.h ]] || die "zlib headers missing; install zlib1g-dev"
for lib in libelf.a libz.a; do
	[[ -f $ARM64_LIBDIR/$lib ]] ||
		die "$ARM64_LIBDIR/$lib missing: install libelf-dev:arm64 zlib1g-dev:arm64 (needs 'dpkg --add-architecture arm64' + apt-get update)"
done

# --- stamp -----------------------------------------------------------------
hash_tree() {
	# Content hash of the sources that go into libbpf and bpftool; build
	# products that an in-tree build may have left are ignored.
	(cd "$SRC" && find tools/lib/bpf tools/bpf/bpftool tools/include \
			tools/build tools/scripts tools/arch/arm64/include \
			tools/arch/x86/include kernel/bpf/disasm.c kernel/bpf/disasm.h \
			Makefile \
			-type f ! -name '*.o' ! -name '*.a' ! -name '*.so*' ! -name '*.d' \
			! -name '.*.cmd' ! -name '*.bin' ! -path '*/feature/*' \
			! -name 'bpftool' ! -name '*.skel.h' -print0 2>/dev/null |
		LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
kver() { make -s -C "$SRC" kernelversion 2>/dev/null || echo unknown; }

KVER=$(kver)
STAMP_VAL=$(
	{
		echo "kernel $KVER"
		echo "src $(hash_tree)"
		echo "script $(sha256sum <"${BASH_SOURCE[0]}")"
		gcc --version | head -1
		"${XPREFIX}gcc" --version | head -1
	} | sha256sum | cut -d' ' -f1)

OUTPUTS=(host/libbpf.a host/include/bpf/libbpf.h host/bpftool
	arm64/libbpf.a arm64/include/bpf/libbpf.h arm64/bpftool)
all_present() {
	local f
	for f in "${OUTPUTS[@]}"; do [[ -e $OUT/$f ]] || return 1; done
}
if [[ $FORCE = 0 ]] && all_present && [[ -f $OUT/.stamp ]] &&
	[[ $(cat "$OUT/.stamp") = "$STAMP_VAL" ]]; then
	say "bpf tools for Linux $KVER are up to date in $OUT (stamp matches; --force rebuilds)"
	exit 0
fi
rm -f "$OUT/.stamp"

# --- helpers ---------------------------------------------------------------
LOG=$B/build.log
mkdir -p "$B"
: >"$LOG"

run_make() { # STEP-NAME make-args...
	local step=$1; shift
	if [[ $V = 1 ]]; then
		if make V=1 "$@" 2>&1 | tee -a "$LOG"; then return 0; fi
	else
		make "$@" >>"$LOG" 2>&1 && return 0
		echo "---- last 40 lines of $LOG ----" >&2
		tail -n 40 "$LOG" >&2
	fi
	die "$step failed (full log: $LOG; rerun with V=1 for verbose output)"
}

declare -A TIMES
timed() { # NAME cmd...
	local name=$1 t0 t1; shift
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	TIMES[$name]=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
	echo "    ${name}: ${TIMES[$name]}s"
}

# bpftool's feature detection would probe for libbfd/LLVM/libcap with the
# target compiler; with an empty features dump all of them are off, which
# gives a self-contained binary (no JIT disassembler, euid check instead of
# libcap) and no skeleton build (VMLINUX_BTF is also cleared: skeletons
# would need the BTF of some kernel, making the result host dependent).
FEATURES=$B/features-none.mk
echo "# all bpftool optional features off (written by build-bpf-tools.sh)" >"$FEATURES"

# make variables per flavour; the libbpf build uses exactly what bpftool's
# own Makefile would pass, so bpftool reuses the libbpf.a built first.
host_vars=(ARCH= CROSS_COMPILE= CC=gcc LD=ld AR=ar HOSTCC=gcc HOSTLD=ld HOSTAR=ar)
arm64_vars=(ARCH=arm64 "CROSS_COMPILE=$XPREFIX" "CC=${XPREFIX}gcc" "LD=${XPREFIX}ld"
	"AR=${XPREFIX}ar" HOSTCC=gcc HOSTLD=ld HOSTAR=ar EXTRA_LDFLAGS=-static)

build_libbpf() { # FLAVOUR
	local fl=$1 vars
	local bdir=$B/$fl/bpftool/libbpf/
	if [[ $fl = host ]]; then vars=("${host_vars[@]}"); else vars=("${arm64_vars[@]}"); fi
	mkdir -p "$bdir"
	run_make "libbpf ($fl)" -C "$SRC/tools/lib/bpf" -j"$JOBS" "${vars[@]}" \
		OUTPUT="$bdir" DESTDIR="${bdir%/}" prefix= \
		"${bdir}libbpf.a" install_headers
	rm -rf "$OUT/$fl/include"
	mkdir -p "$OUT/$fl"
	cp -a "${bdir}include" "$OUT/$fl/include"
	cp -f "${bdir}libbpf.a" "$OUT/$fl/libbpf.a"
}

build_bpftool() { # FLAVOUR
	local fl=$1 vars
	local bdir=$B/$fl/bpftool/
	if [[ $fl = host ]]; then vars=("${host_vars[@]}"); else vars=("${arm64_vars[@]}"); fi
	run_make "bpftool ($fl)" -C "$SRC/tools/bpf/bpftool" -j"$JOBS" "${vars[@]}" \
		OUTPUT="$bdir" FEATURES_DUMP="$FEATURES" VMLINUX_BTF= VMLINUX_H= \
		"${bdir}bpftool"
	if [[ $fl = host ]]; then
		install -m 0755 "${bdir}bpftool" "$OUT/host/bpftool"
	else
		"${XPREFIX}strip" -o "$OUT/arm64/bpftool" "${bdir}bpftool"
		chmod 0755 "$OUT/arm64/bpftool"
	fi
}

# --- build -----------------------------------------------------------------
say "building bpf tools from Linux $KVER ($SRC) into $OUT, -j$JOBS"
say "building libbpf (host, static)"
timed libbpf_host build_libbpf host
say "building bpftool (host)"
timed bpftool_host build_bpftool host
say "building libbpf (arm64, static)"
timed libbpf_arm64 build_libbpf arm64
say "building bpftool (arm64, static)"
timed bpftool_arm64 build_bpftool arm64

# --- verify ----------------------------------------------------------------
say "checking binaries"
desc=$(file -b "$OUT/arm64/bpftool")
[[ $desc == *"ARM aarch64"* && $desc == *"statically linked"* ]] ||
	die "$OUT/arm64/bpftool is not a static aarch64 ELF: $desc"
echo "    arm64/bpftool: $desc"
hv=$("$OUT/host/bpftool" version 2>&1) ||
	die "host bpftool does not run: $hv"
echo "    host/bpftool: ${hv%%$'\n'*}"
desc=$(file -b "$OUT/arm64/libbpf.a")
[[ $desc == *"ar archive"* ]] || die "$OUT/arm64/libbpf.a is not an archive: $desc"

{
	echo "# build-bpf-tools.sh, Linux $KVER, -j$JOBS, $(date -u +%FT%TZ)"
	for k in libbpf_host bpftool_host libbpf_arm64 bpftool_arm64; do
		echo "$k ${TIMES[$k]}"
	done
} >"$OUT/build-times.txt"
echo "$STAMP_VAL" >"$OUT/.stamp"
say "done: libbpf host ${TIMES[libbpf_host]}s, bpftool host ${TIMES[bpftool_host]}s, libbpf arm64 ${TIMES[libbpf_arm64]}s, bpftool arm64 ${TIMES[bpftool_arm64]}s"
