// SPDX-License-Identifier: GPL-2.0
/*
 * The trivial policy: HANDLE everything, counting the calls it saw. As the
 * host-wide default it puts the hook on every call of every VM; the
 * upstream KVM selftests run under it and the benchmark measures it.
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

__u64 calls;

SEC("struct_ops/decide")
int BPF_PROG(decide, struct kvm_smccc_call *call)
{
	__sync_fetch_and_add(&calls, 1);
	return SMCCC_BPF_ACT_HANDLE;
}

SMCCC_BPF_POLICY(handle_all, decide, SMCCC_BPF_VM_ID_GLOBAL);
