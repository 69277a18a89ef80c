// SPDX-License-Identifier: GPL-2.0
/* Must be rejected by the verifier: the call context is read-only. */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/decide")
int BPF_PROG(decide, struct kvm_smccc_call *call)
{
	call->func_id = 0;
	return SMCCC_BPF_ACT_HANDLE;
}

SMCCC_BPF_POLICY(bad_write, decide, SMCCC_BPF_VM_ID_GLOBAL);
