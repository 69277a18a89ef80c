// SPDX-License-Identifier: GPL-2.0
/*
 * The smccc-bpf demo policy: decides the SMCCC calls of one VM.
 *
 *   TRNG (SMCCC TRNG, 0x84000050-5f / 0xc4000050-5f)   DENY
 *	Hide the hypervisor's TRNG so the guest seeds its RNG from a source
 *	the VMM controls (say virtio-rng). Denying TRNG_VERSION is enough
 *	for a well-behaved guest to skip the service; the other TRNG calls
 *	are denied too so a guest that probes blindly gets nothing either.
 *
 *   DEMO_SIP_BOARD_INFO (SiP 0x82000001)               RETURN
 *	Emulate a platform firmware call in the kernel: the answer is
 *	fixed, so there is no reason to pay for an exit to the VMM.
 *
 *   DEMO_OEM_CALL (OEM 0x83000001)                      FWD_TO_USER
 *	The VMM implements this one (KVM_EXIT_HYPERCALL).
 *
 *   SMCCC_VERSION (0x80000000)                          DENY, ignored
 *	Arm Architecture Calls are shown to a policy, but KVM always
 *	answers them: a guest must be able to trust SMCCC_VERSION and the
 *	ARCH_WORKAROUND discovery. The rule is here only to show that:
 *	the guest still gets KVM's answer.
 *
 *   anything else                                       HANDLE
 *	KVM answers as it would without a policy.
 *
 * Every decision goes to a ring buffer for the loader to print, and is
 * counted per action in a per-CPU array (no atomics on the call path;
 * userspace sums the CPUs).
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"
#include "demo.h"

char LICENSE[] SEC("license") = "GPL";

/* Decision records; 64 KiB holds ~1300 of them, far more than the demo makes. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* Decisions per action (SMCCC_BPF_ACT_*), plus DEMO_STAT_DROPPED. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DEMO_NR_STATS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static void stat_inc(__u32 idx)
{
	__u64 *cnt = bpf_map_lookup_elem(&stats, &idx);

	/* Per-CPU slot and decide() does not migrate: a plain add is enough. */
	if (cnt)
		(*cnt)++;
}

static bool is_trng(__u32 func_id)
{
	/* The TRNG function numbers 0x50-0x5f, in SMC32 and SMC64 form. */
	return (func_id & ~0x4000000fu) == 0x84000050u;
}

static int policy(struct kvm_smccc_call *call)
{
	__u32 func_id = call->func_id;

	if (is_trng(func_id))
		return SMCCC_BPF_ACT_DENY;

	switch (func_id) {
	case DEMO_SIP_BOARD_INFO:
		/* x3 echoes x1: the policy sees the caller's arguments. */
		bpf_kvm_smccc_set_return(call, DEMO_SIP_RET0, DEMO_SIP_RET1,
					 DEMO_SIP_RET2, call->args[0]);
		return SMCCC_BPF_ACT_RETURN;
	case DEMO_OEM_CALL:
		return SMCCC_BPF_ACT_FWD_TO_USER;
	case DEMO_SMCCC_VERSION:
		return SMCCC_BPF_ACT_DENY;	/* ignored by KVM, see above */
	default:
		return SMCCC_BPF_ACT_HANDLE;
	}
}

SEC("struct_ops/decide")
int BPF_PROG(demo_decide, struct kvm_smccc_call *call)
{
	struct demo_event *e;
	int action = policy(call);

	stat_inc(action);

	/* A full ring buffer must not change the decision: count and go on. */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(DEMO_STAT_DROPPED);
		return action;
	}
	e->ktime_ns = bpf_ktime_get_ns();
	e->vm_id = call->vm_id;
	e->vcpu_id = call->vcpu_id;
	e->func_id = call->func_id;
	e->conduit = call->conduit;
	e->imm = call->imm;
	e->action = action;
	e->x1 = call->args[0];
	bpf_ringbuf_submit(e, 0);

	return action;
}

/* vm_id 0 here; the loader sets the demo VM's id before loading. */
SMCCC_BPF_POLICY(demo_policy, demo_decide, 0);
