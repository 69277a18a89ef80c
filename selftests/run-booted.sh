#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The booted end-to-end run: boots the patched kernel with the test
# initramfs (scripts/run-vm.sh: fails on any kernel splat or timeout) and
# adds up the "N passed, N failed" lines of the programs run inside. The
# kernel splat check counts as one more test. Last line: "N passed, N failed".
set -uo pipefail

usage() {
	cat <<EOF2
Usage: selftests/run-booted.sh --kernel IMAGE --initrd CPIO [--log FILE] [--timeout SECS]
EOF2
}

kernel= initrd= log=booted.log timeout=3600
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--log) log=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run-booted.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ -n "$kernel" ] && [ -n "$initrd" ] || { usage >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
verdict=$(mktemp)
trap 'rm -f "$verdict"' EXIT
"$here/scripts/run-vm.sh" --kernel "$kernel" --initrd "$initrd" --log "$log" \
	--timeout "$timeout" --smp 2 --mem 2G 2> >(tee "$verdict" >&2)
vm_rc=$?
wait

passed=0 failed=0
while read -r p f; do
	passed=$((passed + p))
	failed=$((failed + f))
done < <(sed -n 's/^\([0-9]\+\) passed, \([0-9]\+\) failed$/\1 \2/p' "$log")

# run-vm.sh says "run-vm: FAIL: ..." on a kernel splat, a timeout or a crash;
# a plain non-zero guest exit code is the tests' own failures, counted above.
if grep -q '^run-vm: FAIL:' "$verdict"; then
	echo "not ok - booted run: $(sed -n 's/^run-vm: FAIL: //p' "$verdict" | head -1) (console log: $log)"
	failed=$((failed + 1))
elif [ "$vm_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "not ok - booted run: guest exit code $vm_rc but no failed test reported"
	failed=$((failed + 1))
else
	echo "ok - booted run: no kernel splat, no timeout"
	passed=$((passed + 1))
fi
[ "$passed" -gt 1 ] || { echo "not ok - booted run: no test ran"; failed=$((failed + 1)); }

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
