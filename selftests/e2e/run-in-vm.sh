#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The booted run, inside the test VM (/test/run, started by the initramfs
# /init). Each program prints its own "N passed, N failed" line;
# selftests/run-booted.sh adds them up on the host.
cd /test || exit 1
rc=0
echo "== vmm_smoke: the test VMM against upstream behaviour (no policy)"
./vmm_smoke || rc=1
echo "== smccc_e2e: the kvm_smccc_ops hook"
./smccc_e2e -b /test || rc=1
echo "== cli-in-vm: the smccc-bpf CLI and the generic policy program"
./cli-in-vm.sh || rc=1
echo "== bounds-in-vm: the VMM's opt-in to exits, 32-bit arguments, through the policy language"
./bounds-in-vm.sh || rc=1
echo "== policy-in-vm: policy files deciding real guest calls"
./policy-in-vm.sh || rc=1
echo "== examples-in-vm: the hand-written example policies"
./examples-in-vm.sh || rc=1
echo "== scenarios-in-vm: the seed scenarios' shipped policies on a real guest"
./scenarios-in-vm.sh || rc=1
echo "== baseline-in-vm: pinned guest ABIs, discovery answered as the baseline host would"
./baseline-in-vm.sh || rc=1
echo "== linux-guest-in-vm: Debian's QEMU boots a Linux guest under KVM, found services match the policy"
./linux-guest-in-vm.sh || rc=1
echo "== migrate-in-vm: policy export/import, a policy and its state from VM to VM"
./migrate-in-vm.sh || rc=1
echo "== smccc_faults: every allocation of VM creation, attach and replace failed in turn (fail-nth)"
# libvmm's messages about each VM creation failed on purpose go to a file.
./smccc_faults 2>/tmp/smccc_faults.err || { rc=1; tail -20 /tmp/smccc_faults.err; }
echo "== smccc_churn: 1000 VMs with policies, torn down in every order; nothing left behind"
./smccc_churn --cycles 1000 || rc=1
echo "== smccc_load: 4 vCPUs calling while the policy is replaced every 10 ms and the host-wide default comes and goes every 50 ms"
./smccc_load --calls 2000000 || rc=1
# Random policies of up to 22,000 random calls each until 100,000 calls,
# in two processes (one per CPU of the test VM, disjoint policy indexes):
# over 200,000 calls however fast the machine. make guest-fuzz-booted for
# longer runs.
echo "== guest_fuzz: random policies, random guest calls, every answer checked against the reference evaluator"
./guest_fuzz --seed 1 --first 0 --policies 1000 --calls 22000 --total 100000 > /tmp/guest_fuzz.0 2>&1 &
fuzz0=$!
./guest_fuzz --seed 1 --first 1000 --policies 1000 --calls 22000 --total 100000 || rc=1
wait $fuzz0 || rc=1
cat /tmp/guest_fuzz.0
exit $rc
