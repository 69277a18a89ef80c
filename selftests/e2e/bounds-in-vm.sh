#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What bounds a policy, seen through the policy language and the CLI on a
# real guest (smccc_e2e's bounds.c does the same with hand-made programs):
#
#   - a VMM that did not opt in to policy exits (smccc-testvm with
#     SMCCC_TESTVM_EXITS=0) never sees an exit, whatever the policy says:
#     the forwarded call is denied; the same policy forwards to a VMM that
#     opted in (smccc-testvm's default);
#   - the arguments of an SMC32/HVC32 call are matched as the callee sees
#     them: "deny function psci.cpu_on if x1 == 3" denies a CPU_ON32 whose
#     x1 is 0xffffffff00000003 (KVM would target MPIDR 3), not only 3.
#
# Each over HVC from vCPU 0 and SMC from vCPU 1. Prints "ok N - ..." and,
# last, "N passed, N failed"; exits 1 on any failure.
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf  TESTVM=./smccc-testvm
# Root, debugfs on /sys/kernel/debug, bpffs on /sys/fs/bpf.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
T=$(mktemp -d /tmp/bounds-test.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"
trap 'stop_vms; rm -rf "$T"' EXIT

NS=0xffffffffffffffff	# NOT_SUPPORTED
FWD=0x5ec0de		# smccc-testvm's answer to a forwarded call it does not emulate

# want DESC GOT GLOB
want() {
	# shellcheck disable=SC2254 # a glob
	case "$2" in
	$3) ok "$1 -> ${2#ret }" ;;
	*) nok "$1 (got '$2', expected '$3')" ;;
	esac
}

cat >"$T/fwd.pol" <<'POL'
default handle;
forward id 0x82000001;
POL

SMCCC_TESTVM_EXITS=0 vm_start a 3 || { nok "start the VM without the opt-in"; exit 1; }
vm_start b 4 || { nok "start the VM with the opt-in"; exit 1; }
run 0 "attach a forwarding policy to the VMM without the opt-in" \
	"$CLI" policy attach --vm "$a_id" "$T/fwd.pol"
run 0 "attach it to the VMM with the opt-in" "$CLI" policy attach --vm "$b_id" "$T/fwd.pol"
for cv in "hvc 0" "smc 1"; do
	# shellcheck disable=SC2086 # "conduit vcpu"
	want "no opt-in: the forwarded SiP call is denied ($cv)" \
		"$(vm_call a 3 $cv 0x82000001)" "ret $NS 0x0 0x0 0x0 fwd=0"
	# shellcheck disable=SC2086
	want "opt-in: the VMM answers it ($cv)" "$(vm_call b 4 $cv 0x82000001)" "ret $FWD * fwd=1"
done
refused=$(cat /sys/kernel/debug/kvm/"$a_pid"-*/smccc_bpf_exit_refused 2>/dev/null)
same "the refused exits are counted in the vCPU statistic" "$refused" 2
run 0 "detach (no opt-in)" "$CLI" policy detach --vm "$a_id"
run 0 "detach (opt-in)" "$CLI" policy detach --vm "$b_id"

cat >"$T/cpu_on.pol" <<'POL'
default handle;
deny function psci.cpu_on if x1 == 3;
POL
run 0 "attach a policy denying CPU_ON of MPIDR 3" "$CLI" policy attach --vm "$a_id" "$T/cpu_on.pol"
for cv in "hvc 0" "smc 1"; do
	# shellcheck disable=SC2086
	want "CPU_ON32 x1=3 denied ($cv)" "$(vm_call a 3 $cv 0x84000003 0x3)" "ret $NS *"
	# shellcheck disable=SC2086
	want "CPU_ON32 x1=0xffffffff00000003 denied too ($cv)" \
		"$(vm_call a 3 $cv 0x84000003 0xffffffff00000003)" "ret $NS *"
	# The SMC64 ID takes the whole register: KVM says MPIDR 0xffffffff00000003 is no vCPU.
	# shellcheck disable=SC2086
	want "CPU_ON64 x1=0xffffffff00000003 goes to KVM ($cv)" \
		"$(vm_call a 3 $cv 0xc4000003 0xffffffff00000003)" "ret 0xfffffffffffffffe *"
done
run 0 "detach" "$CLI" policy detach --vm "$a_id"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
