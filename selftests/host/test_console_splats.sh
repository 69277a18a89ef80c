#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The booted runs' kernel splat check (scripts/console-splats.sh) on console
# logs of the kinds seen: it must catch each splat, in the form the 6.12
# kernel prints it, and pass a clean boot whose test output happens to
# contain the same words. The first case is the WARN of issue 11, as a
# patched kernel printed it under QEMU 7.2 (docs/test-emulator.md).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
check=$here/scripts/console-splats.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME splat|clean: the log on stdin
expect() {
	local log=$tmp/$1.log out rc
	cat > "$log"
	out=$("$check" "$log")
	rc=$?
	if { [ "$2" = splat ] && [ $rc = 1 ] && [ -n "$out" ]; } ||
	   { [ "$2" = clean ] && [ $rc = 0 ] && [ -z "$out" ]; }; then
		echo "ok - $1: $2"
		passed=$((passed + 1))
	else
		echo "not ok - $1: expected $2, exit $rc"
		echo "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
}

boot='[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]
[    0.000000] Kernel command line: console=ttyAMA0 panic=-1 oops=panic printk.time=1 lockdep
[    0.000000] rcu: 	RCU lockdep checking is enabled.
[    1.234567] Run /init as init process'

expect mark_page_dirty_in_slot_warn splat <<EOF
$boot
==== Test Assertion ... Started all vCPUs successfully
[  812.331205] ------------[ cut here ]------------
[  878.064590] WARNING: CPU: 0 PID: 1510 at arch/arm64/kvm/../../../virt/kvm/kvm_main.c:3668 mark_page_dirty_in_slot+0xdc/0x100
[  812.333410] Modules linked in:
[  812.340112] Call trace:
[  812.340551]  mark_page_dirty_in_slot+0xd0/0xe8
[  812.341200]  kvm_handle_guest_abort+0x6c4/0x1070
[  812.342800] ---[ end trace 0000000000000000 ]---
EOF
# The same WARN glued to a test's partial output line, without the header.
expect warn_after_partial_line splat <<EOF
$boot
Testing guest mode: PA-bits:40,  VA-bits:48,  4K pages[  812.331902] WARNING: CPU: 1 PID: 2417 at virt/kvm/kvm_main.c:3406 mark_page_dirty_in_slot+0xd0/0xe8
EOF
# An allocation failed on purpose inside the fault-injection window: the
# kernel's allocation-failure stack dump is expected there, not after it,
# and a WARN inside the window still counts.
fi_on='[    2.100000] smccc-bpf: fault injection on'
fi_off='[    2.900000] smccc-bpf: fault injection off'
alloc_fail='[    2.174278] smccc_faults: vmalloc error: size 5296, vm_struct allocation failed, mode:0x400dc2(GFP_KERNEL_ACCOUNT|__GFP_HIGHMEM|__GFP_ZERO), nodemask=(null)
[    2.176006] Call trace:
[    2.176289]  __vmalloc_node_range_noprof+0x330/0x6b8
[    2.176347]  kvm_dev_ioctl+0x84/0x918'
expect alloc_failure_injected clean <<EOF
$boot
$fi_on
$alloc_fail
$fi_off
EOF
expect alloc_failure_outside_window splat <<EOF
$boot
$fi_on
$fi_off
$alloc_fail
EOF
expect warn_inside_window splat <<EOF
$boot
$fi_on
[    2.331205] ------------[ cut here ]------------
[    2.331206] WARNING: CPU: 0 PID: 60 at kernel/bpf/bpf_struct_ops.c:100 foo+0x1/0x2
[    2.340112] Call trace:
$fi_off
EOF
expect kasan splat <<EOF
$boot
[   99.000001] ==================================================================
[   99.000002] BUG: KASAN: slab-use-after-free in kvm_smccc_bpf_call+0x40/0x200
EOF
expect ubsan splat <<EOF
$boot
[   99.000002] UBSAN: shift-out-of-bounds in arch/arm64/kvm/hypercalls.c:120:3
EOF
expect kmemleak splat <<EOF
$boot
[  700.100000] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
EOF
expect hung_task splat <<EOF
$boot
[  300.000000] INFO: task demand_paging_t:244 blocked for more than 60 seconds.
EOF
expect lockdep splat <<EOF
$boot
[   12.000000] WARNING: possible circular locking dependency detected
EOF
expect rcu_stall splat <<EOF
$boot
[   50.000000] rcu: INFO: rcu_preempt self-detected stall on CPU
EOF
expect caller_id_prefix splat <<EOF
$boot
[   50.000000][ T244] BUG: sleeping function called from invalid context at mm/slab.c:1
EOF
expect clean_boot clean <<EOF
$boot
[    2.000000] kvm [1]: VHE mode initialized successfully
SMCCC-BPF-INIT: exit=0
EOF
# Test programs print these words too: not kernel lines, not splats.
expect test_output_words clean <<EOF
$boot
WARNING: this test prints WARNING: and BUG: and KASAN: on its own
ok 12 - the policy reports "Call trace:" as text
SMCCC-BPF-INIT: exit=0
EOF

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
