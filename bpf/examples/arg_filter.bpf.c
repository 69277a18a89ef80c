// SPDX-License-Identifier: GPL-2.0
/*
 * arg_filter: PSCI CPU_ON only for the CPUs the operator allows, the set
 * kept in a BPF hash map that can change while the guest runs.
 *
 * Why: a VM may be given more vCPUs than it should bring up at once (CPU
 * hotplug by the host: vCPUs are "plugged" by allowing their CPU_ON), or a
 * guest must be kept off some vCPUs while they are being set up. The
 * decision depends on an argument (x1, the target MPIDR) *and* on state the
 * operator changes at run time. The policy language can test x1 against
 * constants, but changing them means recompiling and replacing the policy;
 * here the operator edits the set in place and the next call sees it:
 *
 *   bpftool map update name cpu_on_allow key hex 01 00 00 00 00 00 00 00 value hex 01
 *   bpftool map delete name cpu_on_allow key hex 01 00 00 00 00 00 00 00
 *
 * (key: the MPIDR as a little-endian __u64; value: ignored.) The set starts
 * empty, so until the operator allows a CPU no CPU_ON goes through: an
 * allow-list fails closed.
 *
 * A refused CPU_ON gets PSCI's own DENIED (-3) via RETURN, not the SMCCC
 * NOT_SUPPORTED that DENY gives: the guest knows CPU_ON exists (PSCI_FEATURES
 * says so) and a Linux guest reports "denied" instead of concluding that
 * PSCI is broken. Everything else is KVM's as usual.
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PSCI_CPU_ON_32		0x84000003u
#define PSCI_CPU_ON_64		0xc4000003u
#define PSCI_RET_DENIED		((__u64)-3)

/* MPIDR (exactly as KVM will look it up) -> anything; present = allowed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);	/* KVM_MAX_VCPUS on arm64 */
	__type(key, __u64);
	__type(value, __u8);
} cpu_on_allow SEC(".maps");

SEC("struct_ops/decide")
int BPF_PROG(cpu_on_decide, struct kvm_smccc_call *call)
{
	__u64 target;

	if (call->func_id != PSCI_CPU_ON_32 && call->func_id != PSCI_CPU_ON_64)
		return SMCCC_BPF_ACT_HANDLE;

	target = call->args[0];
	/*
	 * KVM truncates the arguments of an SMC32 call to 32 bits before
	 * acting on them; so must we, or a guest could pass junk in the
	 * upper half to a CPU it may start and be refused, or the other way
	 * round.
	 */
	if (call->func_id == PSCI_CPU_ON_32)
		target = (__u32)target;
	/*
	 * No masking beyond that: KVM refuses MPIDRs with bits outside the
	 * affinity fields, and an exact lookup refuses them too.
	 */
	if (bpf_map_lookup_elem(&cpu_on_allow, &target))
		return SMCCC_BPF_ACT_HANDLE;

	bpf_kvm_smccc_set_return(call, PSCI_RET_DENIED, 0, 0, 0);
	return SMCCC_BPF_ACT_RETURN;
}

/* vm_id 0 for bpftool; the CLI sets the VM's. Map name < 16 bytes. */
SMCCC_BPF_POLICY(cpu_on_filter, cpu_on_decide, SMCCC_BPF_VM_ID_GLOBAL);
