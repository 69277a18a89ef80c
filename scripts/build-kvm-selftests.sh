#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build the kernel's own KVM arm64 selftests smccc_filter, hypercalls
# and psci_test, the series' smccc_bpf_vm_id and smccc_bpf, and three
# generic memory tests that stress stage-2 faults, memslot changes and
# userfaultfd (demand_paging_test, memslot_modification_stress_test,
# kvm_page_table_test: the booted run repeats them, issue 11), as static
# aarch64 binaries.
set -euo pipefail

TESTS=(smccc_filter hypercalls psci_test smccc_bpf_vm_id smccc_bpf
	demand_paging_test memslot_modification_stress_test kvm_page_table_test)

usage() {
	cat <<EOF
Usage: build-kvm-selftests.sh [-j N] [--force] SRC OUT

Cross-build the KVM arm64 selftests ${TESTS[*]}
from the Linux source tree SRC (tools/testing/selftests/kvm) as static
aarch64 binaries into OUT (flat: OUT/smccc_filter, ...).

The arm64 UAPI headers are generated with 'make O=OUT/.build/hdr ARCH=arm64
headers', objects go to OUT/.build; nothing is written into SRC. Work is
skipped when all binaries exist and OUT/.stamp matches a hash of the
relevant sources, the compiler version and this script.

smccc_bpf loads a BPF policy through a libbpf skeleton. It is built with
clang, the host bpftool and the static arm64 libbpf that build-bpf-tools.sh
made in BPF_TOOLS (BPF_TOOLS/host/bpftool, BPF_TOOLS/arm64/libbpf.a and
BPF_TOOLS/arm64/include), and the BTF of the kernel under test
(VMLINUX_BTF, its vmlinux); the stamp covers them too.

Options:
  -j N      parallel make jobs (default: number of CPUs)
  --force   rebuild even if the stamp matches
  -h        show this help

Environment: VMLINUX_BTF and BPF_TOOLS (required, see above), V=1 shows
full build output.
Needs: make gcc gcc-aarch64-linux-gnu (libc6-dev-arm64-cross) file clang
       libelf-dev:arm64 zlib1g-dev:arm64 libzstd-dev:arm64
EOF
}

PROG=build-kvm-selftests
# shellcheck source=scripts/build-args.sh
. "$(dirname "${BASH_SOURCE[0]}")/build-args.sh"
KSFT=$SRC/tools/testing/selftests/kvm
[[ -f $KSFT/Makefile ]] ||
	die "'$SRC' is not a Linux source tree (no tools/testing/selftests/kvm)"
# 6.12 keeps the arm64 tests in aarch64/; later kernels renamed it to arm64/.
if [[ -f $KSFT/aarch64/smccc_filter.c ]]; then
	ADIR=aarch64
elif [[ -f $KSFT/arm64/smccc_filter.c ]]; then
	ADIR=arm64
else
	die "no smccc_filter.c under $KSFT/aarch64 or $KSFT/arm64"
fi
mkdir -p "$OUT_ARG" || die "cannot create output directory '$OUT_ARG'"
OUT=$(cd "$OUT_ARG" && pwd)

# What smccc_bpf's BPF skeleton is built with (see usage).
VMLINUX_BTF=${VMLINUX_BTF:-}
BPF_TOOLS=${BPF_TOOLS:-}
[[ -n $VMLINUX_BTF && -n $BPF_TOOLS ]] ||
	die "smccc_bpf needs VMLINUX_BTF=<vmlinux of the kernel under test> and BPF_TOOLS=<OUT of build-bpf-tools.sh>"
[[ -f $VMLINUX_BTF ]] || die "VMLINUX_BTF: no file '$VMLINUX_BTF'"
VMLINUX_BTF=$(cd "$(dirname "$VMLINUX_BTF")" && pwd)/$(basename "$VMLINUX_BTF")
[[ -d $BPF_TOOLS ]] || die "BPF_TOOLS: no directory '$BPF_TOOLS'"
BPF_TOOLS=$(cd "$BPF_TOOLS" && pwd)
BPFTOOL=$BPF_TOOLS/host/bpftool
LIBBPF=$BPF_TOOLS/arm64/libbpf.a
LIBBPF_INCLUDE=$BPF_TOOLS/arm64/include
for f in "$BPFTOOL" "$LIBBPF" "$LIBBPF_INCLUDE/bpf/libbpf.h"; do
	[[ -e $f ]] || die "BPF_TOOLS: no $f (run build-bpf-tools.sh SRC '$BPF_TOOLS')"
done
B=$OUT/.build
V=${V:-0}
XPREFIX=aarch64-linux-gnu-

unset CFLAGS CPPFLAGS LDFLAGS EXTRA_CFLAGS EXTRA_LDFLAGS ARCH CROSS_COMPILE \
	CC LD AR O KBUILD_OUTPUT OUTPUT MAKEFLAGS MFLAGS MAKELEVEL LLVM \
	KHDR_INCLUDES INSTALL_HDR_PATH || true

command -v make >/dev/null || die "'make' not found; install Debian package make"
command -v gcc >/dev/null || die "'gcc' not found; install Debian package gcc"
command -v "${XPREFIX}gcc" >/dev/null ||
	die "'${XPREFIX}gcc' not found; install Debian package gcc-aarch64-linux-gnu"
command -v file >/dev/null || die "'file' not found; install Debian package file"
command -v clang >/dev/null || die "'clang' not found; install Debian package clang"

# --- stamp -----------------------------------------------------------------
hash_tree() {
	(cd "$SRC" && find tools/testing/selftests/kvm tools/testing/selftests/lib.mk \
			tools/testing/selftests/kselftest.h \
			tools/testing/selftests/kselftest_harness.h \
			tools/testing/selftests/rseq \
			tools/include tools/arch/arm64 tools/build tools/scripts \
			include/uapi arch/arm64/include/uapi arch/arm64/tools \
			scripts/Makefile.headersinst scripts/headers_install.sh \
			scripts/unifdef.c Makefile \
			-type f ! -name '*.o' ! -name '*.d' ! -name '.*.cmd' \
			-print0 2>/dev/null |
		LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}
KVER=$(make -s -C "$SRC" kernelversion 2>/dev/null || echo unknown)
STAMP_VAL=$(
	{
		echo "kernel $KVER"
		echo "tests ${TESTS[*]}"
		echo "src $(hash_tree)"
		echo "script $(sha256sum <"${BASH_SOURCE[0]}")"
		"${XPREFIX}gcc" --version | head -1
		clang --version | head -1
		echo "vmlinux $(sha256sum <"$VMLINUX_BTF")"
		echo "bpftool $(sha256sum <"$BPFTOOL")"
		echo "libbpf $(sha256sum <"$LIBBPF")"
		(cd "$LIBBPF_INCLUDE" && find . -type f -print0 | LC_ALL=C sort -z |
			xargs -0 sha256sum) | sha256sum
	} | sha256sum | cut -d' ' -f1)

present=1
for t in "${TESTS[@]}"; do [[ -x $OUT/$t ]] || present=0; done
if [[ $FORCE = 0 && $present = 1 && -f $OUT/.stamp ]] &&
	[[ $(cat "$OUT/.stamp") = "$STAMP_VAL" ]]; then
	say "KVM selftests for Linux $KVER are up to date in $OUT (stamp matches; --force rebuilds)"
	exit 0
fi
rm -f "$OUT/.stamp"

LOG=$B/build.log
mkdir -p "$B"
: >"$LOG"
run_make() { # STEP make-args...
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

t0=$(date +%s.%N)
say "generating arm64 UAPI headers (Linux $KVER)"
# 'headers' (unlike headers_install) needs no rsync and no .config; it
# leaves the sanitized headers in O/usr/include.
run_make "arm64 UAPI headers" -C "$SRC" O="$B/hdr" ARCH=arm64 \
	CROSS_COMPILE=$XPREFIX -j"$JOBS" headers
HDR=$B/hdr/usr/include
[[ -f $HDR/asm/kvm.h ]] || die "headers step produced no $HDR/asm/kvm.h"

say "building KVM selftests (arm64, static): ${TESTS[*]}"
# The arm64 tests live in $ADIR/, the generic ones at the top.
test_path() {
	if [[ -f $KSFT/$ADIR/$1.c ]]; then echo "$B/kvm/$ADIR/$1"; else echo "$B/kvm/$1"; fi
}
targets=()
for t in "${TESTS[@]}"; do targets+=("$(test_path "$t")"); done
mkdir -p "$B/kvm/tools" # sysreg-defs.h generator wants its OUTPUT to exist
# OUTPUT/abs_objdir keep objects and the generated sysreg-defs.h out of
# SRC; KHDR_INCLUDES/INSTALL_HDR_PATH point at the headers made above.
# The command-line LDFLAGS replaces the Makefile's '-pthread -no-pie'.
# smccc_bpf uses the prebuilt bpftool and libbpf; the static libelf needs
# libzstd as well.
run_make "KVM selftests" -C "$KSFT" -j"$JOBS" ARCH=arm64 \
	CROSS_COMPILE=$XPREFIX OUTPUT="$B/kvm" abs_objdir="$B/kvm" \
	INSTALL_HDR_PATH="$B/hdr/usr" KHDR_INCLUDES="-isystem $HDR" \
	LDFLAGS="-static -pthread" VMLINUX_BTF="$VMLINUX_BTF" \
	BPFTOOL="$BPFTOOL" LIBBPF="$LIBBPF" LIBBPF_INCLUDE="$LIBBPF_INCLUDE" \
	LIBBPF_LDLIBS="-lelf -lz -lzstd" "${targets[@]}"

for t in "${TESTS[@]}"; do
	bin=$(test_path "$t")
	desc=$(file -b "$bin")
	[[ $desc == *"ARM aarch64"* && $desc == *"statically linked"* ]] ||
		die "$bin is not a static aarch64 ELF: $desc"
	install -m 0755 "$bin" "$OUT/$t"
done
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
{
	echo "# build-kvm-selftests.sh, Linux $KVER, -j$JOBS, $(date -u +%FT%TZ)"
	echo "kvm_selftests $secs"
} >"$OUT/build-times.txt"
echo "$STAMP_VAL" >"$OUT/.stamp"
say "done in ${secs}s: $(cd "$OUT" && echo "${TESTS[@]}")"
