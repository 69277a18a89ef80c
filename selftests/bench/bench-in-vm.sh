#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test/run of the benchmark initramfs (started by the initramfs /init).
# selftests/bench/run.sh passes the settings on the kernel command line:
#   smccc.bench_mode=LABEL smccc.bench_calls=N smccc.bench_rounds=R
# The exit status is smccc_bench's: non-zero only if the measurement broke.
cd /test || exit 1
set --
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	smccc.bench_mode=*) set -- "$@" -m "${arg#*=}" ;;
	smccc.bench_calls=*) set -- "$@" -n "${arg#*=}" ;;
	smccc.bench_rounds=*) set -- "$@" -r "${arg#*=}" ;;
	smccc.bench_target=*) set -- "$@" -t "${arg#*=}" ;;
	esac
done
# Keep the kernel quiet on the console while the table is printed.
echo 1 >/proc/sys/kernel/printk 2>/dev/null
echo "SMCCC-BENCH: begin"
./smccc_bench "$@"
rc=$?
echo "SMCCC-BENCH: end rc=$rc"
exit $rc
