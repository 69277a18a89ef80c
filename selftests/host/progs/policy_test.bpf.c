// SPDX-License-Identifier: GPL-2.0
/*
 * The generic policy's decision logic (bpf/policy_decide.bpf.h) in
 * BPF_PROG_TEST_RUN programs, for the host tests and benchmark: the same
 * maps, the same code, the host's verifier and JIT. Built for the host
 * (x86_64) against the host kernel's BTF, which has no kvm_smccc_ops.
 *
 *   policy_test   ctx struct smccc_policy_run: decides run->call into
 *                 run->verdict
 *   policy_discovery  ctx struct smccc_policy_answer: makes KVM's answer
 *                 to a discovery call agree with the policy (handled())
 *   policy_bench  ctx struct smccc_policy_bench: times loops decisions (or
 *                 the same loop without the decision, or counting only)
 *                 over the calls of the bench_calls map, in one run
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "policy_decide.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("syscall")
int policy_test(struct smccc_policy_run *run)
{
	struct smccc_policy_verdict v;
	struct smccc_policy_call call;

	__builtin_memcpy(&call, &run->call, sizeof(call));
	smccc_policy_decide(&call, &v);
	__builtin_memcpy(&run->verdict, &v, sizeof(v));
	return v.action;
}

SEC("syscall")
int policy_discovery(struct smccc_policy_answer *a)
{
	__u64 ret[4];

	ret[0] = a->ret[0];
	ret[1] = a->ret[1];
	ret[2] = a->ret[2];
	ret[3] = a->ret[3];
	a->changed = smccc_policy_discovery(a->call.vm_id, a->call.func_id, a->call.vcpu_id,
					    a->call.conduit, a->call.args[0], ret);
	a->ret[0] = ret[0];
	a->ret[1] = ret[1];
	a->ret[2] = ret[2];
	a->ret[3] = ret[3];
	return a->changed;
}

/* Calls the benchmark cycles through; the loader sizes it (a power of 2). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct smccc_policy_call);
} bench_calls SEC(".maps");

struct bench_state {
	__u32 mask;
	__u32 sum;
};

/*
 * One decision, as the struct_ops program makes it: copy the call, decide.
 * A global function, so that the verifier checks the decision once, on its
 * own: since Linux 6.7 a bpf_loop callback is verified again and again
 * until its states converge, and with the decision inlined that walk
 * passes the 1M instruction limit on such kernels (the host's, not the
 * 6.12 test kernel's).
 */
__noinline int bench_decide_one(const struct smccc_policy_call *c)
{
	struct smccc_policy_verdict v;
	struct smccc_policy_call call;

	if (!c)
		return 0;
	__builtin_memcpy(&call, c, sizeof(call));
	smccc_policy_decide(&call, &v);
	return v.action + v.ret[0];
}

static long bench_decide(__u64 i, void *data)
{
	struct bench_state *st = data;
	const struct smccc_policy_call *c;
	__u32 key = i & st->mask;

	c = bpf_map_lookup_elem(&bench_calls, &key);
	if (!c)
		return 1;
	st->sum += bench_decide_one(c);
	return 0;
}

/* The statistics alone: what a decision pays for counting itself. */
static long bench_count(__u64 i, void *data)
{
	struct bench_state *st = data;
	struct smccc_policy_call call;
	const struct smccc_policy_call *c;
	__u32 key = i & st->mask;

	c = bpf_map_lookup_elem(&bench_calls, &key);
	if (!c)
		return 1;
	__builtin_memcpy(&call, c, sizeof(call));
	smccc_policy_count(call.vm_id, call.func_id, call.vcpu_id & 3);
	st->sum += call.func_id;
	return 0;
}

/* The same loop and table lookup, without the decision. */
static long bench_empty(__u64 i, void *data)
{
	struct bench_state *st = data;
	const struct smccc_policy_call *c;
	__u32 key = i & st->mask;

	c = bpf_map_lookup_elem(&bench_calls, &key);
	if (!c)
		return 1;
	st->sum += c->func_id;
	return 0;
}

SEC("syscall")
int policy_bench(struct smccc_policy_bench *b)
{
	struct bench_state st = { .mask = b->mask };
	__u32 loops = b->loops;
	__u64 t0, t1;
	long n;

	t0 = bpf_ktime_get_ns();
	if (b->mode == SMCCC_POLICY_BENCH_EMPTY)
		n = bpf_loop(loops, bench_empty, &st, 0);
	else if (b->mode == SMCCC_POLICY_BENCH_COUNT)
		n = bpf_loop(loops, bench_count, &st, 0);
	else
		n = bpf_loop(loops, bench_decide, &st, 0);
	t1 = bpf_ktime_get_ns();
	b->ns = t1 - t0;
	b->done = n;
	b->sum = st.sum;
	return 0;
}
