#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel splat check of the booted runs, on its own so that it can be
# tested (selftests/host/test_console_splats.sh): print the kernel console
# lines of LOG that report a splat, as "LINE:text".
#
# Usage: scripts/console-splats.sh LOG
# Exit status: 0 no splat, 1 splats found (printed), 2 bad usage.
#
# Splats are only recognised on kernel-format console lines (those carrying
# a printk timestamp "[    1.234567] ", forced with printk.time=1) and the
# "------------[ cut here ]------------" header, so test output that merely
# contains e.g. "WARNING:" does not count.
set -euo pipefail

[ $# = 1 ] && [ -r "$1" ] || { echo "usage: console-splats.sh LOG (a readable console log)" >&2; exit 2; }

# A kernel console line: printk timestamp (possibly after a partial user
# line), optional caller id, then the message.
TS='\[ *[0-9]+\.[0-9]+\]( *\[ *[CT][0-9]+\])? '
# WARN and BUG, oopses and panics, lockdep and RCU, the sanitizers,
# kmemleak's report, stalls and hung tasks.
SPLAT="WARNING:|BUG:|kernel BUG at|Oops|Kernel panic|Call trace:|INFO: possible|possible circular locking|suspicious RCU usage|lockdep|turning off the locking correctness validator|KASAN:|UBSAN:|kmemleak: [0-9]+ new suspected memory leaks|Unable to handle kernel|rcu_[a-z]+ self-detected stall|rcu_[a-z]+ detected stalls|INFO: task .* blocked for more than|Internal error:|Attempted to kill init"
# Ordinary lines that contain one of the words above:
BENIGN="${TS}(Kernel command line:|rcu:[[:space:]]+RCU lockdep checking is enabled)"

# Between the markers a fault-injection test writes to /dev/kmsg
# (selftests/stress/faults.c), allocations fail on purpose and the kernel
# reports some with a stack dump (warn_alloc(): "vmalloc error", "page
# allocation failure"): there a bare "Call trace:" is expected. Everything
# else (WARNING, BUG, KASAN, a "cut here" ...) still counts.
FI_ON='smccc-bpf: fault injection on'
FI_OFF='smccc-bpf: fault injection off'

splats=$(tr -d '\r' < "$1" |
	awk -v on="$FI_ON" -v off="$FI_OFF" '
		index($0, on) { fi = 1 } index($0, off) { fi = 0 }
		{ print (fi ? "FI" : "--") $0 }' |
	grep -nE -e "${TS}.*(${SPLAT})" -e '-+\[ cut here \]-+' |
	grep -vE -e "^[0-9]+:--${BENIGN}" -e "^[0-9]+:FI${TS}Call trace:\$" |
	sed -E 's/^([0-9]+:)(FI|--)/\1/' || true)
[ -n "$splats" ] || exit 0
echo "$splats"
exit 1
