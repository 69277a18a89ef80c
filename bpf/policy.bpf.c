// SPDX-License-Identifier: GPL-2.0
/*
 * The generic smccc-bpf policy program: decides every SMCCC call of its VM
 * (or of every VM without a policy of its own, for vm_id 0) from a compiled
 * policy in its maps. The loader (loader/policy_maps.c) sizes and fills the
 * maps and sets policy_config and the target vm_id before load; the logic
 * is bpf/policy_decide.bpf.h, shared with the host tests.
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"
#include "policy_decide.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/decide")
int BPF_PROG(decide, struct kvm_smccc_call *kcall)
{
	struct smccc_policy_verdict v;
	struct smccc_policy_call call;

	call.vm_id = kcall->vm_id;
	call.func_id = kcall->func_id;
	call.vcpu_id = kcall->vcpu_id;
	call.conduit = kcall->conduit;
	call.imm = kcall->imm;
	call.pad = 0;
	/* Constant indexes only on the kernel's pointer. */
	call.args[0] = kcall->args[0];
	call.args[1] = kcall->args[1];
	call.args[2] = kcall->args[2];
	call.args[3] = kcall->args[3];
	call.args[4] = kcall->args[4];
	call.args[5] = kcall->args[5];
	call.args[6] = kcall->args[6];
	call.args[7] = kcall->args[7];
	call.args[8] = kcall->args[8];
	call.args[9] = kcall->args[9];
	call.args[10] = kcall->args[10];
	call.args[11] = kcall->args[11];
	call.args[12] = kcall->args[12];
	call.args[13] = kcall->args[13];
	call.args[14] = kcall->args[14];
	call.args[15] = kcall->args[15];
	call.args[16] = kcall->args[16];

	smccc_policy_decide(&call, &v);

	if (v.action == SMCCC_BPF_ACT_RETURN)
		bpf_kvm_smccc_set_return(kcall, v.ret[0], v.ret[1], v.ret[2], v.ret[3]);
	return v.action;
}

/*
 * After KVM answered a call: discovery answers made to agree with the
 * policy. The loader leaves it out of policies without `discovery`.
 */
SEC("struct_ops/handled")
void BPF_PROG(handled, struct kvm_smccc_call *kcall)
{
	__u64 ret[4];

	ret[0] = kcall->ret[0];
	ret[1] = kcall->ret[1];
	ret[2] = kcall->ret[2];
	ret[3] = kcall->ret[3];
	if (smccc_policy_discovery(kcall->vm_id, kcall->func_id, kcall->vcpu_id, kcall->conduit,
				   kcall->args[0], ret))
		bpf_kvm_smccc_set_return(kcall, ret[0], ret[1], ret[2], ret[3]);
}

/* The loader sets .vm_id before load; "smccc_policy" is the map name. */
SMCCC_BPF_POLICY_HANDLED(smccc_policy, decide, handled, 0);
