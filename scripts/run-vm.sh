#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot an arm64 kernel + initramfs under qemu-system-aarch64 (TCG, EL2 so
# KVM works inside), stream the console, then judge the run: kernel splats
# or a timeout fail it, otherwise the exit code comes from the
# "SMCCC-BPF-INIT: exit=<code>" line printed by the initramfs' /init.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: run-vm.sh --kernel IMAGE --initrd CPIO [--log FILE] [--timeout SECS]
                 [--smp N] [--mem SIZE] [--append "extra cmdline"] [--icount]
                 [-- extra qemu args...]

Boots qemu-system-aarch64 -M virt,virtualization=on,gic-version=3
-cpu max,pauth-impdef=on -nic none -nographic -no-reboot with
-append "console=ttyAMA0 panic=-1 oops=panic printk.time=1 <extra>".
The console goes to stdout and to the log file (default: a temp file that
is kept and named on failure).

  --kernel IMAGE   arm64 kernel Image (arch/arm64/boot/Image)
  --initrd CPIO    initramfs (scripts/mkinitramfs.sh)
  --log FILE       console log file
  --timeout SECS   kill qemu after SECS seconds (default 900)
  --smp N          vCPUs (default 2)
  --mem SIZE       guest memory, qemu syntax (default 1G)
  --append STR     extra kernel command line (e.g. smccc.run=/test/foo)
  --icount         -icount shift=0: deterministic instruction counting
                   (single-threaded TCG, slower)

Exit status: 1 on a kernel splat (the lines are printed after "kernel splat
in console log:"), on timeout, on a qemu failure or when the
"SMCCC-BPF-INIT: exit=<code>" marker is missing; else <code>.
Splats (WARN, BUG, oops, lockdep, RCU, KASAN, UBSAN, kmemleak, stalls, hung
tasks) are those scripts/console-splats.sh finds: only on kernel-format
console lines, so test output that merely contains "WARNING:" does not count.

Environment: QEMU=path: the emulator (default: bookworm-backports'
qemu-system-aarch64, staged by scripts/fetch-qemu-backports.sh; bookworm's
own 7.2 is QEMU=qemu-system-aarch64).
Needs: qemu-system-arm (qemu-system-aarch64), coreutils (timeout)
EOF
}

die() { echo "run-vm: error: $*" >&2; exit 1; }

KERNEL='' INITRD='' LOG='' TIMEOUT=900 SMP=2 MEM=1G APPEND='' ICOUNT=0
EXTRA_QEMU=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	--kernel|--initrd|--log|--timeout|--smp|--mem|--append)
		[[ $# -ge 2 ]] || die "$1 needs a value (see --help)"
		case "$1" in
		--kernel) KERNEL=$2 ;; --initrd) INITRD=$2 ;; --log) LOG=$2 ;;
		--timeout) TIMEOUT=$2 ;; --smp) SMP=$2 ;; --mem) MEM=$2 ;;
		--append) APPEND=$2 ;;
		esac
		shift 2 ;;
	--icount) ICOUNT=1; shift ;;
	--) shift; EXTRA_QEMU=("$@"); break ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done
[[ -n $KERNEL && -n $INITRD ]] || { usage >&2; exit 2; }
[[ -f $KERNEL ]] || die "kernel image '$KERNEL' not found (build the kernel first)"
[[ -f $INITRD ]] || die "initrd '$INITRD' not found (make one with scripts/mkinitramfs.sh)"
[[ $TIMEOUT =~ ^[0-9]+$ && $TIMEOUT -gt 0 ]] || die "--timeout wants whole seconds > 0, not '$TIMEOUT'"
[[ $SMP =~ ^[0-9]+$ && $SMP -gt 0 ]] || die "--smp wants a number > 0, not '$SMP'"
# The outer emulator: bookworm-backports' QEMU 10, staged on first use by
# fetch-qemu-backports.sh. Bookworm's own 7.2 hangs nested KVM guests and
# wedges whole test VMs under the KVM memory selftests, with or without the
# series (issue 11, docs/test-emulator.md). QEMU=path picks another one.
if [[ -z ${QEMU:-} ]]; then
	here=$(dirname "${BASH_SOURCE[0]}")
	QEMU=$("$here/fetch-qemu-backports.sh" --ensure | tail -n 1) ||
		die "cannot stage bookworm-backports' QEMU (scripts/fetch-qemu-backports.sh above); QEMU=qemu-system-aarch64 runs bookworm's 7.2, which hangs nested guests"
fi
command -v "$QEMU" >/dev/null ||
	die "'$QEMU' not found; install Debian package qemu-system-arm"
command -v timeout >/dev/null || die "'timeout' not found; install coreutils"

KEEP_LOG=1
if [[ -z $LOG ]]; then
	LOG=$(mktemp "${TMPDIR:-/tmp}/run-vm.XXXXXX.log")
	KEEP_LOG=0
fi
mkdir -p "$(dirname "$LOG")"
: >"$LOG" || die "cannot write log file '$LOG'"

CMDLINE="console=ttyAMA0 panic=-1 oops=panic printk.time=1${APPEND:+ $APPEND}"
# shellcheck disable=SC2054 # commas are qemu option syntax
qemu_cmd=("$QEMU" -M virt,virtualization=on,gic-version=3
	-cpu max,pauth-impdef=on -nic none -nographic -no-reboot
	-smp "$SMP" -m "$MEM" -kernel "$KERNEL" -initrd "$INITRD"
	-append "$CMDLINE")
[[ $ICOUNT = 1 ]] && qemu_cmd+=(-icount shift=0)
qemu_cmd+=("${EXTRA_QEMU[@]}")

qemu_version=$("$QEMU" --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
echo "==> booting $(basename "$KERNEL") + $(basename "$INITRD") under QEMU ${qemu_version:-?}: smp=$SMP mem=$MEM timeout=${TIMEOUT}s$([[ $ICOUNT = 1 ]] && echo ' icount')" >&2
[[ ${V:-0} = 1 ]] && echo "    ${qemu_cmd[*]}" >&2

# Stream the console line by line (\r stripped) to stdout and the log, and
# note the wall-clock time at which /init announces itself.
T0=$EPOCHREALTIME
TMARK=$(mktemp "${TMPDIR:-/tmp}/run-vm.XXXXXX.t")
trap 'rm -f "$TMARK"' EXIT
stream() {
	local line seen=0
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%$'\r'}
		printf '%s\n' "$line"
		printf '%s\n' "$line" >>"$LOG"
		if [[ $seen = 0 && $line == *"SMCCC-BPF-INIT: start"* ]]; then
			seen=1
			echo "$EPOCHREALTIME" >"$TMARK"
		fi
	done
}
set +e
timeout -k 10 "$TIMEOUT" "${qemu_cmd[@]}" </dev/null 2>&1 | stream
st=("${PIPESTATUS[@]}")
set -e
qrc=${st[0]}
T1=$EPOCHREALTIME
elapsed=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')

fail() {
	echo "run-vm: FAIL: $*" >&2
	echo "run-vm: console log: $LOG" >&2
	exit 1
}

# --- kernel splats (scripts/console-splats.sh) ------------------------------
splats=$("$(dirname "${BASH_SOURCE[0]}")/console-splats.sh" "$LOG") || true

msg_time=
if [[ -s $TMARK ]]; then
	msg_time=$(awk -v a="$T0" -v b="$(cat "$TMARK")" 'BEGIN{printf "%.1f", b-a}')
fi
guest_up=$(sed -n 's/.*SMCCC-BPF-INIT: uptime=\([0-9.]*\)s.*/\1/p' "$LOG" | head -1)
echo "==> qemu ran ${elapsed}s; /init reached after ${msg_time:-?}s wall (guest uptime ${guest_up:-?}s)" >&2

if [[ -n $splats ]]; then
	echo "kernel splat in console log:" >&2
	echo "$splats" | head -n 100 >&2
	n=$(echo "$splats" | wc -l)
	[[ $n -le 100 ]] || echo "... ($n lines in all)" >&2
	fail "kernel splat"
fi
if [[ $qrc = 124 || $qrc = 137 ]]; then
	fail "timeout: qemu killed after ${TIMEOUT}s (raise --timeout if the test is just slow)"
fi
if [[ $qrc != 0 ]]; then
	tail -n 5 "$LOG" | sed 's/^/    /' >&2
	fail "qemu exited with status $qrc"
fi

marker=$(grep -oE 'SMCCC-BPF-INIT: exit=[0-9]+' "$LOG" | tail -n 1 || true)
[[ -n $marker ]] ||
	fail "no 'SMCCC-BPF-INIT: exit=<code>' line in the console log ($([[ -n $msg_time ]] && echo '/init started but did not finish' || echo '/init never started'))"
code=${marker##*=}
echo "==> guest exit code $code" >&2
[[ $KEEP_LOG = 1 ]] || rm -f "$LOG"
exit "$code"
