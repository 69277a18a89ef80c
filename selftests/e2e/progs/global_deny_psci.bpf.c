// SPDX-License-Identifier: GPL-2.0
/*
 * A host-wide default (vm_id 0) denying PSCI_VERSION, for registering
 * with "bpftool struct_ops register" as an operator would.
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PSCI_0_2_FN_PSCI_VERSION	0x84000000

SEC("struct_ops/decide")
int BPF_PROG(decide, struct kvm_smccc_call *call)
{
	if (call->func_id == PSCI_0_2_FN_PSCI_VERSION)
		return SMCCC_BPF_ACT_DENY;
	return SMCCC_BPF_ACT_HANDLE;
}

/* bpftool pins the link under the map name: keep it under 16 bytes. */
SMCCC_BPF_POLICY(deny_psci, decide, SMCCC_BPF_VM_ID_GLOBAL);
