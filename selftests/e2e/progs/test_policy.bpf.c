// SPDX-License-Identifier: GPL-2.0
/*
 * A policy whose decisions the tests set per function ID through the
 * "rules" map, and which records what the kernel showed it.
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"
#include "test_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct test_rule);
} rules SEC(".maps");

/* Action for function IDs without a rule. */
const volatile __u32 default_action = SMCCC_BPF_ACT_HANDLE;

struct test_seen seen;

SEC("struct_ops/decide")
int BPF_PROG(decide, struct kvm_smccc_call *call)
{
	__u32 func_id = call->func_id;
	struct test_rule *rule;
	int i;

	seen.vm_id = call->vm_id;
	seen.func_id = func_id;
	seen.vcpu_id = call->vcpu_id;
	seen.conduit = call->conduit;
	seen.imm = call->imm;
#pragma unroll
	for (i = 0; i < 17; i++)
		seen.args[i] = call->args[i];
	__sync_fetch_and_add(&seen.calls, 1);

	rule = bpf_map_lookup_elem(&rules, &func_id);
	if (!rule)
		return default_action;

	if (rule->action == SMCCC_BPF_ACT_RETURN)
		bpf_kvm_smccc_set_return(call, rule->ret[0], rule->ret[1],
					 rule->ret[2], rule->ret[3]);
	return rule->action;
}

SMCCC_BPF_POLICY(test_policy, decide, 0);
