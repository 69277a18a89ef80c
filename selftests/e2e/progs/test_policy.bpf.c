// SPDX-License-Identifier: GPL-2.0
/*
 * A policy whose decisions the tests set per function ID through the
 * "rules" map, and which records what the kernel showed it. Its
 * handled() (left out unless the test asks for it) records KVM's answers
 * and replaces those named in the "adjust" map.
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

/* Iterations of an empty bpf_loop() per decide(): a slow policy. */
__u32 spin_loops;
/* decide() calls in progress right now */
__s64 in_flight;

static long spin(__u64 i, void *ctx)
{
	return 0;
}

static int decide_call(struct kvm_smccc_call *call);

SEC("struct_ops/decide")
int BPF_PROG(decide, struct kvm_smccc_call *call)
{
	int action;

	__sync_fetch_and_add(&in_flight, 1);
	if (spin_loops)
		bpf_loop(spin_loops, spin, NULL, 0);
	action = decide_call(call);
	__sync_fetch_and_sub(&in_flight, 1);
	return action;
}

static __always_inline int decide_call(struct kvm_smccc_call *call)
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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct test_adjust);
} adjust SEC(".maps");

struct test_handled handled_seen;

SEC("struct_ops/handled")
void BPF_PROG(handled, struct kvm_smccc_call *call)
{
	__u32 func_id = call->func_id;
	struct test_adjust *adj;

	handled_seen.func_id = func_id;
	handled_seen.x1 = call->args[0];
	handled_seen.kvm_ret[0] = call->ret[0];
	handled_seen.kvm_ret[1] = call->ret[1];
	handled_seen.kvm_ret[2] = call->ret[2];
	handled_seen.kvm_ret[3] = call->ret[3];
	__sync_fetch_and_add(&handled_seen.calls, 1);

	adj = bpf_map_lookup_elem(&adjust, &func_id);
	if (adj)
		bpf_kvm_smccc_set_return(call, adj->ret[0], adj->ret[1], adj->ret[2],
					 adj->ret[3]);
}

SMCCC_BPF_POLICY_HANDLED(test_policy, decide, handled, 0);
