#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the test VM: run KVM selftests again and again and say, run by run,
# how each ended: passed, failed (its exit code), killed by a signal (a core
# dump follows on the console) or hung (overran its time; what the tasks
# and KVM were doing follows, then a core dump). The host side,
# selftests/soak/run-soak.sh, adds the lines up and reads the cores.
#
# Usage: kvm-soak-in-vm.sh [-n RUNS] [-t SECS] [-w WARMUP] [-p POLICY.bpf.o]
#                          [-d DIR] 'TEST ARGS' ...
#   -n RUNS     runs of each test (default 30)
#   -t SECS     a run that takes longer has hung (default 600)
#   -w WARMUP   space-separated tests run once each before the loop, in
#               the same boot: the order in which the failures were seen
#               ("other KVM tests first")
#   -p OBJ      attach this struct_ops object host-wide first (bpftool)
#   -d DIR      where the test binaries are (default /test/kvm-selftests)
#
# Lines printed (two per run, then one per test):
#   SOAK-START: test=T run=I
#   SOAK-RUN: test=T run=I result=pass|fail:RC|signal:SIG|hang secs=S
#   SOAK-SUM: test=T runs=N pass=P fail=F signal=S hang=H
#   SOAK-KMEMLEAK: suspected_leaks=N   (kmemleak kernels, after the runs)
# and, last, "N passed, N failed" (a run that did not pass is a failure).
RUNS=30 LIMIT=600 WARMUP= POLICY= DIR=/test/kvm-selftests
while getopts n:t:w:p:d: opt; do
	case $opt in
	n) RUNS=$OPTARG ;; t) LIMIT=$OPTARG ;; w) WARMUP=$OPTARG ;;
	p) POLICY=$OPTARG ;; d) DIR=$OPTARG ;;
	*) echo "kvm-soak-in-vm.sh: bad option (see the comment at the top)"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "kvm-soak-in-vm.sh: no test given"; exit 2; }

# Cores of the static test binaries go to tmpfs, then gzip + base64 onto
# the console between markers; the host turns them back into files.
ulimit -c unlimited
echo /tmp/core.%p > /proc/sys/kernel/core_pattern
# The kernel's own word on a hang: tasks blocked for 60 s.
echo 60 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 > /proc/sys/kernel/sysrq 2>/dev/null

if [ -n "$POLICY" ]; then
	bpftool struct_ops register "$POLICY" /sys/fs/bpf/soak ||
		{ echo "kvm-soak-in-vm.sh: cannot attach $POLICY"; exit 1; }
	echo "SOAK: host-wide policy $POLICY attached"
fi

for w in $WARMUP; do
	"$DIR/$w" >/tmp/warmup.log 2>&1
	echo "SOAK-WARMUP: $w exit=$?"
done

emit_core() { # NAME PID
	core=/tmp/core.$2
	[ -s "$core" ] || { echo "SOAK: no core for $1 (pid $2)"; return; }
	echo "SOAK-CORE-BEGIN: $1 bytes=$(stat -c %s "$core")"
	gzip -1 -c "$core" | base64
	echo "SOAK-CORE-END: $1"
	rm -f "$core"
}

# What a hung test is doing: each thread's kernel stack and state, the
# kernel's view of all tasks and CPUs (sysrq w, l), and 2 s of KVM's
# tracepoints (is the vCPU still entering the guest, faulting on the same
# address again and again?).
dump_hang() { # PID
	for t in /proc/$1/task/*; do
		echo "SOAK-HANG-TASK: $(basename "$t") $(cut -d' ' -f2,3 "$t/stat") wchan=$(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/SOAK-HANG-STACK:   /' "$t/stack" 2>/dev/null
	done
	echo w > /proc/sysrq-trigger
	echo l > /proc/sysrq-trigger
	tr=/sys/kernel/tracing
	if [ -d $tr/events/kvm ]; then
		: > $tr/trace
		echo 1 > $tr/events/kvm/enable
		sleep 2
		echo 0 > $tr/events/kvm/enable
		echo "SOAK-HANG-TRACE: $(grep -vc '^#' $tr/trace) KVM events in 2 s, the last 40:"
		grep -v '^#' $tr/trace | tail -n 40 | sed 's/^/SOAK-HANG-TRACE:   /'
	fi
}

passed=0 failed=0
for spec in "$@"; do
	name=${spec%% *}
	args=${spec#"$name"}
	pass=0 fail=0 sig=0 hang=0 i=1
	while [ $i -le "$RUNS" ]; do
		start=$(cut -d' ' -f1 /proc/uptime)
		echo "SOAK-START: test=$name run=$i"
		# shellcheck disable=SC2086 # args are words
		"$DIR/$name" $args >/tmp/soak.log 2>&1 &
		pid=$!
		waited=0
		while kill -0 $pid 2>/dev/null && [ $waited -lt "$LIMIT" ]; do
			sleep 1
			waited=$((waited + 1))
		done
		if kill -0 $pid 2>/dev/null; then
			result=hang
			echo "SOAK-HANG-BEGIN: $name run $i (pid $pid, ${LIMIT}s), its last output:"
			tail -n 15 /tmp/soak.log | sed 's/^/SOAK-HANG-LOG:   /'
			dump_hang $pid
			kill -ABRT $pid
			wait $pid 2>/dev/null
			emit_core "$name.$i.hang" $pid
			echo "SOAK-HANG-END: $name run $i"
			hang=$((hang + 1))
		else
			wait $pid
			rc=$?
			if [ $rc = 0 ]; then
				result=pass
				pass=$((pass + 1))
			elif [ $rc -gt 128 ]; then
				result=signal:$((rc - 128))
				sig=$((sig + 1))
				echo "SOAK-SIGNAL: $name run $i: signal $((rc - 128)), its last output:"
				tail -n 15 /tmp/soak.log | sed 's/^/SOAK-SIGNAL-LOG:   /'
				emit_core "$name.$i.signal" $pid
			else
				result=fail:$rc
				fail=$((fail + 1))
				tail -n 15 /tmp/soak.log | sed 's/^/SOAK-FAIL-LOG:   /'
			fi
		fi
		end=$(cut -d' ' -f1 /proc/uptime)
		echo "SOAK-RUN: test=$name run=$i result=$result secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.0f", b-a}')"
		rm -f /tmp/core.*
		i=$((i + 1))
	done
	echo "SOAK-SUM: test=$name runs=$RUNS pass=$pass fail=$fail signal=$sig hang=$hang"
	passed=$((passed + pass))
	failed=$((failed + fail + sig + hang))
done
# bpftool pins the policy's link(s) in a directory of that name.
[ -z "$POLICY" ] || rm -rf /sys/fs/bpf/soak

# A kmemleak kernel (the debug flavour): scan now rather than wait for the
# next automatic scan, twice because an object is reported only once it
# has stayed unreferenced across scans. A leak also prints "N new suspected
# memory leaks", which the host's splat check counts.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(grep -c '^unreferenced object' /sys/kernel/debug/kmemleak)
	echo "SOAK-KMEMLEAK: suspected_leaks=$leaks"
	head -n 80 /sys/kernel/debug/kmemleak | sed 's/^/SOAK-KMEMLEAK:   /'
fi
echo "$passed passed, $failed failed"
[ $failed = 0 ]
