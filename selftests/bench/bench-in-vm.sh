#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test/run of the benchmark initramfs (started by the initramfs /init).
# selftests/bench/run.sh passes the settings on the kernel command line:
#   smccc.bench_mode=LABEL smccc.bench_calls=N smccc.bench_rounds=R
#   smccc.bench_target=X smccc.bench_attach=K
# smccc_bench measures the round trips (with /test/rules.pol as its
# many-rule policy); then, with bench_attach=K > 0, the wall time of
# "smccc-bpf policy check" (compile) and "smccc-bpf policy attach" (compile,
# load, fill the maps, attach) of /test/rules.pol and /test/rules-big.pol
# to a smccc-testvm VM, K times each, one line per run:
#   SMCCC-BENCH-ATTACH: {"file":...,"rules":N,"run":I,"check_s":S,"attach_s":S,"rc":RC}
# The exit status is smccc_bench's, or 1 if an attach failed.
cd /test || exit 1
set --
attach=0
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	smccc.bench_mode=*) set -- "$@" -m "${arg#*=}" ;;
	smccc.bench_calls=*) set -- "$@" -n "${arg#*=}" ;;
	smccc.bench_rounds=*) set -- "$@" -r "${arg#*=}" ;;
	smccc.bench_target=*) set -- "$@" -t "${arg#*=}" ;;
	smccc.bench_attach=*) attach=${arg#*=} ;;
	esac
done
# Keep the kernel quiet on the console while the table is printed.
echo 1 >/proc/sys/kernel/printk 2>/dev/null
echo "SMCCC-BENCH: begin"
./smccc_bench -p /test/rules.pol "$@"
rc=$?

# Seconds, as precisely as this busybox can: date +%s.%N if it has %N,
# else /proc/uptime (10 ms).
now() {
	t=$(date +%s.%N 2>/dev/null)
	case "$t" in
	*.[0-9][0-9][0-9]*) echo "$t" ;;
	*) cut -d' ' -f1 /proc/uptime ;;
	esac
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

if [ "$attach" -gt 0 ] 2>/dev/null; then
	T=$(mktemp -d /tmp/bench-attach.XXXXXX)
	mkfifo "$T/in"
	./smccc-testvm <"$T/in" >"$T/out" 2>"$T/err" &
	vm_pid=$!
	exec 3>"$T/in"
	i=0
	while ! grep -q '^vm_id ' "$T/out" 2>/dev/null && [ $i -lt 300 ]; do
		i=$((i + 1))
		usleep 100000
	done
	vm_id=$(sed -n 's/^vm_id //p' "$T/out" | head -1)
	[ -n "$vm_id" ] || { echo "smccc-testvm did not start"; cat "$T/out" "$T/err"; rc=1; }
	for f in /test/rules.pol /test/rules-big.pol; do
		[ -n "$vm_id" ] || break
		nr=$(./smccc-bpf -j policy check "$f" 2>/dev/null | sed -n 's/.*"rules":\([0-9]*\).*/\1/p')
		run=0
		while [ $run -lt "$attach" ]; do
			run=$((run + 1))
			t0=$(now)
			./smccc-bpf policy check "$f" >/dev/null 2>"$T/check.err"
			t1=$(now)
			./smccc-bpf policy attach --vm "$vm_id" "$f" >/dev/null 2>"$T/attach.err"
			arc=$?
			t2=$(now)
			./smccc-bpf policy detach --vm "$vm_id" >/dev/null 2>&1
			echo "SMCCC-BENCH-ATTACH: {\"file\":\"$f\",\"rules\":${nr:-0},\"run\":$run,\"check_s\":$(elapsed "$t0" "$t1"),\"attach_s\":$(elapsed "$t1" "$t2"),\"rc\":$arc}"
			[ $arc -eq 0 ] || { sed 's/^/  /' "$T/attach.err"; rc=1; }
		done
	done
	echo quit >&3
	exec 3>&-
	wait "$vm_pid" 2>/dev/null
	rm -rf "$T"
fi
echo "SMCCC-BENCH: end rc=$rc"
exit $rc
