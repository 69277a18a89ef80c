#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the booted shell tests (cli-in-vm.sh, policy-in-vm.sh,
# examples-in-vm.sh), sourced after they set T (a scratch directory) and
# TESTVM: TAP-style results, command checks and scriptable test VMs
# (smccc-testvm, loader/cli_testvm.c) fed through FIFOs.

n=0 passed=0 failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
show_output() { sed 's/^/#   /' "$T/out" "$T/err"; }
comment() { sed 's/^/#   /' "$@"; }
# sample TITLE: the last command's output, as TAP comments, for the log reader
sample() { echo "# --- $1"; show_output; }
# run WANT_RC DESC CMD...: CMD's stdout in $T/out, stderr in $T/err
run() {
	want=$1 desc=$2
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "$desc"
	else
		nok "$desc (exit $rc, expected $want: $*)"
		show_output
	fi
}

# has DESC FILE PATTERN: grep -E PATTERN in $T/FILE
has() {
	if grep -Eq -- "$3" "$T/$2"; then
		ok "$1"
	else
		nok "$1 (no /$3/ in $2)"
		show_output
	fi
}

# same DESC GOT WANT: two strings (multi-line) are equal
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		nok "$1"
		echo "# got:"
		echo "$2" | sed 's/^/#   /'
		echo "# expected:"
		echo "$3" | sed 's/^/#   /'
	fi
}

# stop_vms: detaches the policies of test VMs a and b (ids a_id, b_id),
# closes their FIFOs (fds 3 and 4) and ends them; for cleanup traps.
stop_vms() {
	for id in ${a_id:-} ${b_id:-}; do
		"$CLI" policy detach --vm "$id" >/dev/null 2>&1
	done
	exec 3>&- 4>&- 2>/dev/null
	[ -n "${a_pid:-}" ] && kill "$a_pid" 2>/dev/null
	[ -n "${b_pid:-}" ] && kill "$b_pid" 2>/dev/null
	wait 2>/dev/null
}

# vm_start NAME FD: starts smccc-testvm fed through a FIFO held open on FD,
# sets NAME_id to its smccc-bpf VM id.
vm_start() {
	mkfifo "$T/$1.in" || return 1
	"$TESTVM" <"$T/$1.in" >"$T/$1.out" 2>"$T/$1.err" &
	eval "$1_pid=$!"
	eval "exec $2>\"$T/$1.in\""
	i=0
	while ! grep -q '^vm_id ' "$T/$1.out" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 600 ] || grep -q '^error' "$T/$1.out"; then
			comment "$T/$1.out" "$T/$1.err"
			return 1
		fi
		usleep 100000
	done
	eval "$1_id=$(sed -n 's/^vm_id //p' "$T/$1.out" | head -1)"
}

# vm_fd PID: the number of PID's KVM VM fd, read from /proc (not through the CLI)
vm_fd() {
	for f in /proc/"$1"/fd/*; do
		if [ "$(readlink "$f" 2>/dev/null)" = anon_inode:kvm-vm ]; then
			echo "${f##*/}"
			return 0
		fi
	done
	return 1
}

# fdinfo PID FD NAME: /proc/PID/fdinfo/FD into $T/NAME.fdinfo (for has)
fdinfo() {
	cat "/proc/$1/fdinfo/$2" >"$T/$3.fdinfo" 2>&1 || echo "(no /proc/$1/fdinfo/$2)" >"$T/$3.fdinfo"
}

# vm_call NAME FD CONDUIT VCPU FUNC [X1..X3]: the answer line, "ret X0 X1 X2 X3 fwd=F"
vm_call() {
	name=$1 fd=$2
	shift 2
	before=$(wc -l <"$T/$name.out")
	eval "echo \"call $*\" >&$fd"
	i=0
	while [ "$(wc -l <"$T/$name.out")" -le "$before" ]; do
		i=$((i + 1))
		[ $i -gt 600 ] && { echo "timeout"; return 1; }
		usleep 50000
	done
	tail -n 1 "$T/$name.out"
}

# wait_lines FILE COUNT [TENTHS]: until FILE has COUNT lines (default 60 s)
wait_lines() {
	i=0
	while [ "$(wc -l <"$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt "${3:-600}" ] && return 1
		usleep 20000
	done
	return 0
}
