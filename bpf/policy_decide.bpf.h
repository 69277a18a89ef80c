/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The decision logic of the generic smccc-bpf policy program, over a plain
 * description of one call, so that the same code runs in the kvm_smccc_ops
 * program (bpf/policy.bpf.c, arm64) and in the host test and benchmark
 * program (selftests/host/progs/policy_test.bpf.c, x86_64 BPF_PROG_TEST_RUN).
 * The maps and their contents are the contract of include/smccc_policy.h.
 *
 * One decision:
 *   1. Arm Architecture Calls: no rule applies, counted as HANDLE;
 *   2. the call's chain: the exact_ids hash, else a binary search of at
 *      most SMCCC_POLICY_SEARCH_STEPS steps over the sorted segments;
 *      the loader's seg_index tells which IDs have no exact entry (no
 *      hash lookup) and the slice of segments to search;
 *   3. the first of at most SMCCC_POLICY_MAX_CHAIN_LEN candidate rules
 *      whose conditions all hold decides, else the default action;
 *   4. a rate-limited rule takes a token from its (VM, rule) bucket, or
 *      decides its over_action;
 *   5. permissive mode: the guest gets HANDLE whatever was decided;
 *   6. count (VM, function ID, what the guest got), emit an event if due.
 * No loop depends on the size of the policy.
 *
 * After KVM answered a discovery call (smccc_policy_discovery(), the
 * program's handled()), with `discovery hide-denied`: a function the
 * policy denies is reported absent, every other bit of the answer stays.
 *
 * Userspace may include this file for the types (outside __bpf__ only the
 * types are defined).
 */
#ifndef __SMCCC_POLICY_DECIDE_BPF_H
#define __SMCCC_POLICY_DECIDE_BPF_H

#include "smccc_policy.h"

/* One call, as the policy sees it (the fields of kvm_smccc_call). */
struct smccc_policy_call {
	__u64 vm_id;
	__u32 func_id;
	__u32 vcpu_id;
	__u16 conduit;			/* SMCCC_BPF_CONDUIT_* */
	__u16 imm;
	__u32 pad;
	__u64 args[SMCCC_BPF_NR_ARGS];	/* x1..x17 */
};

/*
 * The loader's index of the function IDs the policy names (map "seg_index",
 * derived from the compiled policy's exact IDs and segments, not part of
 * it): the IDs from the lowest to the highest named are cut into at most
 * SMCCC_POLICY_MAX_SEG_BLOCKS blocks of 2^shift IDs, about two blocks per
 * exact ID or segment. Entry b + 1 holds the slice [lo, hi) of the segments
 * that intersect block b, where the binary search starts, and whether an
 * exact ID lies in the block (the exact hash is looked up only then). Entry
 * 0 is the header: lo = the first ID of block 0, hi = shift. An ID outside
 * the blocks is named by no rule.
 */
struct smccc_policy_seg_block {
	__u32 lo;
	__u32 hi;		/* | SMCCC_POLICY_BLOCK_EXACT */
};

#define SMCCC_POLICY_BLOCK_EXACT	(1u << 31)
#define SMCCC_POLICY_MAX_SEG_BLOCKS	(256 * 1024)

/* smccc_policy_verdict.flags */
#define SMCCC_POLICY_V_ARCH		(1u << 0)	/* Arm Architecture Call */
#define SMCCC_POLICY_V_OVER_LIMIT	(1u << 1)	/* the rule's rate limit was hit */
#define SMCCC_POLICY_V_EVENT		(1u << 2)	/* an event was due */
#define SMCCC_POLICY_V_EVENT_LOST	(1u << 3)	/* ... and the ring buffer was full */

/* What the policy made of one call. */
struct smccc_policy_verdict {
	__u64 ret[4];		/* x0..x3 when action is SMCCC_BPF_ACT_RETURN */
	__u32 rule;		/* smccc_policy_rule.id of the deciding rule, 0: default */
	__u8 action;		/* what the guest gets: SMCCC_BPF_ACT_* */
	__u8 decided;		/* what the policy decided: SMCCC_BPF_ACT_*, SMCCC_POLICY_ACT_LOG */
	__u8 reason;		/* SMCCC_POLICY_EV_* if an event was due, else 0 */
	__u8 flags;		/* SMCCC_POLICY_V_* */
};

/* The context of the host test program: a call in, its verdict out. */
struct smccc_policy_run {
	struct smccc_policy_call call;
	struct smccc_policy_verdict verdict;
};

/*
 * The context of the host discovery test program: a discovery call and
 * KVM's answer in, the answer the guest gets out.
 */
struct smccc_policy_answer {
	struct smccc_policy_call call;
	__u64 ret[4];		/* in: KVM's x0..x3; out: the guest's */
	__u32 changed;		/* out: the policy changed the answer */
	__u32 pad;
};

/* smccc_policy_bench.mode: what each iteration of the timed loop does */
#define SMCCC_POLICY_BENCH_DECIDE	0	/* copy the call, decide it */
#define SMCCC_POLICY_BENCH_EMPTY	1	/* only fetch the call */
#define SMCCC_POLICY_BENCH_COUNT	2	/* copy the call, only count it */

/* The context of the host benchmark program. */
struct smccc_policy_bench {
	__u32 loops;		/* in: iterations to time */
	__u32 mask;		/* in: call i is bench_calls[i & mask] */
	__u32 mode;		/* in: SMCCC_POLICY_BENCH_* */
	__u32 done;		/* out: iterations run */
	__u64 ns;		/* out: time of the whole loop */
	__u64 sum;		/* out: keeps the work from being optimized out */
};

#ifdef __bpf__

#include <bpf/bpf_helpers.h>

#ifndef NSEC_PER_SEC
#define NSEC_PER_SEC	1000000000ull
#endif

/*
 * The policy, filled by userspace after load (loader/policy_maps.c sizes
 * them to the compiled policy first). The program only reads them.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SMCCC_POLICY_MAX_EXACT);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct smccc_policy_chain);
} exact_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SMCCC_POLICY_MAX_SEGMENTS);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct smccc_policy_segment);
} segments SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SMCCC_POLICY_MAX_SEG_BLOCKS + 1);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct smccc_policy_seg_block);
} seg_index SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SMCCC_POLICY_MAX_CHAIN);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, __u32);
} chain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SMCCC_POLICY_MAX_RULES);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct smccc_policy_rule);
} rules SEC(".maps");

/* What the program records. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SMCCC_POLICY_STATS_ENTRIES);
	__type(key, struct smccc_policy_stats_key);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SMCCC_POLICY_RATE_ENTRIES);
	__type(key, struct smccc_policy_rate_key);
	__type(value, struct smccc_policy_bucket);
} rate SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SMCCC_POLICY_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SMCCC_POLICY_NR_DROP);
	__type(key, __u32);
	__type(value, __u64);
} dropped SEC(".maps");

/*
 * Policy-wide settings, set by the loader before load. .rodata is frozen
 * at load, so the verifier sees the values and prunes what they rule out
 * (permissive mode, the search when there are no segments).
 */
const volatile struct smccc_policy_config policy_config = {};

static __always_inline void smccc_policy_drop(__u32 what)
{
	__u64 *cnt = bpf_map_lookup_elem(&dropped, &what);

	if (cnt)
		__sync_fetch_and_add(cnt, 1);
}

/* The chain of candidate rules for func_id, NULL if no rule names it. */
static __always_inline const struct smccc_policy_chain *
smccc_policy_find_chain(__u32 func_id)
{
	const struct smccc_policy_seg_block *hdr, *blk;
	const struct smccc_policy_segment *seg;
	const struct smccc_policy_chain *ch;
	__u32 key = 0, lo, hi, mid;
	__u64 block;
	int i;

	/* The ID's block: none if the policy names nothing near it. */
	hdr = bpf_map_lookup_elem(&seg_index, &key);
	if (!hdr || func_id < hdr->lo)
		return NULL;
	block = ((__u64)(func_id - hdr->lo) >> (hdr->hi & 63)) + 1;
	if (block > 0xffffffffull)
		return NULL;
	key = block;
	blk = bpf_map_lookup_elem(&seg_index, &key);
	if (!blk)
		return NULL;
	lo = blk->lo;
	hi = blk->hi;

	/* Exact IDs first. */
	if (hi & SMCCC_POLICY_BLOCK_EXACT) {
		ch = bpf_map_lookup_elem(&exact_ids, &func_id);
		if (ch)
			return ch;
		hi &= ~SMCCC_POLICY_BLOCK_EXACT;
	}

	/*
	 * Segments [lo, hi) may hold func_id: at most log2(n) + 1 probes.
	 * (lo and hi come from a map, unknown to the verifier: with known
	 * bounds every probe index would be a constant to it, and it would
	 * walk each path of the search tree apart.)
	 */
	for (i = 0; i < SMCCC_POLICY_SEARCH_STEPS; i++) {
		if (lo >= hi)
			break;
		mid = lo + ((hi - lo) >> 1);
		seg = bpf_map_lookup_elem(&segments, &mid);
		if (!seg)
			break;
		if (func_id < seg->first)
			hi = mid;
		else if (func_id > seg->last)
			lo = mid + 1;
		else
			return &seg->chain;
	}
	return NULL;
}

static __always_inline bool
smccc_policy_cond_holds(const struct smccc_policy_cond *c,
			const struct smccc_policy_call *call)
{
	__u64 v;
	__u32 reg;

	switch (c->kind) {
	case SMCCC_POLICY_COND_CONDUIT:
		v = call->conduit;
		break;
	case SMCCC_POLICY_COND_VCPU:
		v = call->vcpu_id;
		break;
	case SMCCC_POLICY_COND_ARG:
		reg = c->reg - 1;	/* x1 is args[0] */
		if (reg >= SMCCC_BPF_NR_ARGS)
			return false;
		v = call->args[reg];
		break;
	default:
		return false;
	}
	return smccc_policy_compare(c, v);
}

static __always_inline bool
smccc_policy_rule_matches(const struct smccc_policy_rule *rule,
			  const struct smccc_policy_call *call)
{
	__u32 n = rule->nr_conds;
	int i;

	for (i = 0; i < SMCCC_POLICY_MAX_CONDS; i++) {
		if (i >= n)
			break;
		if (!smccc_policy_cond_holds(&rule->conds[i], call))
			return false;
	}
	return true;
}

/* The first rule of the chain whose conditions hold; its index in *idx. */
static __always_inline const struct smccc_policy_rule *
smccc_policy_walk(const struct smccc_policy_chain *ch,
		  const struct smccc_policy_call *call, __u32 *idx)
{
	const struct smccc_policy_rule *rule;
	__u32 start = ch->start, len = ch->len, pos;
	__u32 *ridx;
	int i;

	for (i = 0; i < SMCCC_POLICY_MAX_CHAIN_LEN; i++) {
		if (i >= len)
			break;
		pos = start + i;
		ridx = bpf_map_lookup_elem(&chain, &pos);
		if (!ridx)
			break;
		*idx = *ridx;
		rule = bpf_map_lookup_elem(&rules, idx);
		if (!rule)
			break;
		if (smccc_policy_rule_matches(rule, call))
			return rule;
	}
	return NULL;
}

/*
 * Takes a token from the bucket of (vm_id, rule idx), created full on first
 * use. Tokens are nanoseconds: the bucket gains one per nanosecond, holds at
 * most burst calls' worth, and a call costs period * NSEC_PER_SEC / rate
 * (rate 0: no refill, burst calls in all). False if over the limit, or if the bucket
 * cannot be created (fails closed, counted in dropped).
 *
 * The compiler keeps burst * cost within 2^63 (loader/policy_compile.c),
 * where nothing below wraps. A rule or bucket that another tool wrote, or
 * an import, may hold anything: then the cap saturates at 2^64 - 1 rather
 * than wrap (a wrapped cap under one cost lets no call through), and the
 * refill stops at the cap rather than wrap past 2^64 to almost nothing.
 * loader/policy_eval.c's policy_bucket_cap() is the same arithmetic.
 */
static __always_inline bool
smccc_policy_take_token(__u64 vm_id, __u32 idx, const struct smccc_policy_rule *rule,
			__u64 now)
{
	struct smccc_policy_rate_key key;
	struct smccc_policy_bucket *b;
	/* "calls", not "rate": that is the map */
	__u64 calls = rule->rate, burst = rule->burst;
	__u64 period = rule->period ? rule->period : 1;
	__u64 cost, cap, fit, tokens, elapsed;
	bool ok;

	if (calls) {
		cost = period * NSEC_PER_SEC / calls;	/* period < 2^32: < 2^62 */
		if (!cost)
			cost = 1;
	} else {
		cost = NSEC_PER_SEC;
	}
	if (burst < 1)
		burst = 1;
	if (burst > (1ull << 32))
		burst = 1ull << 32;
	/*
	 * burst * cost, or 2^64 - 1 if it does not fit. The barrier keeps
	 * clang from turning the test into a 128-bit multiply, which BPF lacks.
	 */
	fit = ~0ull / burst;
	barrier_var(fit);
	cap = cost > fit ? ~0ull : burst * cost;

	__builtin_memset(&key, 0, sizeof(key));
	key.vm_id = vm_id;
	key.rule = idx;
	b = bpf_map_lookup_elem(&rate, &key);
	if (!b) {
		struct smccc_policy_bucket full;

		__builtin_memset(&full, 0, sizeof(full));
		full.tokens = cap;
		full.last_ns = now;
		/* Another CPU may have created it meanwhile: fine, use theirs. */
		bpf_map_update_elem(&rate, &key, &full, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&rate, &key);
		if (!b) {
			smccc_policy_drop(SMCCC_POLICY_DROP_RATE);
			return false;
		}
	}

	bpf_spin_lock(&b->lock);
	tokens = b->tokens;
	if (tokens > cap)
		tokens = cap;
	if (now > b->last_ns) {
		elapsed = now - b->last_ns;
		b->last_ns = now;
		/* tokens + elapsed, at most cap: cap - tokens is what still fits */
		if (calls)
			tokens = elapsed >= cap - tokens ? cap : tokens + elapsed;
	}
	ok = tokens >= cost;
	if (ok)
		tokens -= cost;
	b->tokens = tokens;
	bpf_spin_unlock(&b->lock);
	return ok;
}

/* Counts one call, losslessly: a missing key is inserted, then incremented. */
static __always_inline void smccc_policy_count(__u64 vm_id, __u32 func_id, __u8 action)
{
	struct smccc_policy_stats_key key;
	__u64 *cnt, zero = 0;

	__builtin_memset(&key, 0, sizeof(key));
	key.vm_id = vm_id;
	key.func_id = func_id;
	key.action = action;
	cnt = bpf_map_lookup_elem(&stats, &key);
	if (!cnt) {
		/* -EEXIST when another CPU inserted it first: then it is there. */
		bpf_map_update_elem(&stats, &key, &zero, BPF_NOEXIST);
		cnt = bpf_map_lookup_elem(&stats, &key);
		if (!cnt) {
			smccc_policy_drop(SMCCC_POLICY_DROP_STATS);
			return;
		}
	}
	/* Per-CPU, but a preempting decide() on this CPU must not lose ours. */
	__sync_fetch_and_add(cnt, 1);
}

static __always_inline bool
smccc_policy_emit(const struct smccc_policy_call *call,
		  const struct smccc_policy_verdict *v, __u64 now)
{
	struct smccc_policy_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		smccc_policy_drop(SMCCC_POLICY_DROP_EVENTS);
		return false;
	}
	e->time_ns = now;
	e->vm_id = call->vm_id;
	e->vcpu_id = call->vcpu_id;
	e->func_id = call->func_id;
	e->conduit = call->conduit;
	e->imm = call->imm;
	e->rule = v->rule;
	e->action = v->action;
	e->decided = v->decided;
	e->reason = v->reason;
	__builtin_memset(e->pad, 0, sizeof(e->pad));
	e->args[0] = call->args[0];
	e->args[1] = call->args[1];
	e->args[2] = call->args[2];
	bpf_ringbuf_submit(e, 0);
	return true;
}

/* The event reason for an audited decision that is not over the limit. */
static __always_inline __u8 smccc_policy_reason(__u8 action)
{
	switch (action) {
	case SMCCC_BPF_ACT_DENY:
		return SMCCC_POLICY_EV_DENY;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		return SMCCC_POLICY_EV_FORWARD;
	case SMCCC_BPF_ACT_RETURN:
		return SMCCC_POLICY_EV_RETURN;
	}
	return SMCCC_POLICY_EV_LOG;
}

/* Decides one call: fills *v, counts it, emits its event if due. */
static __always_inline void
smccc_policy_decide(const struct smccc_policy_call *call, struct smccc_policy_verdict *v)
{
	const struct smccc_policy_chain *ch;
	const struct smccc_policy_rule *rule = NULL;
	__u32 func_id = call->func_id, idx = 0;
	__u8 action, guest, reason = 0;
	bool audit, over = false;
	__u64 now = 0;

	v->ret[0] = v->ret[1] = v->ret[2] = v->ret[3] = 0;
	v->rule = 0;
	v->reason = 0;
	v->flags = 0;

	if (smccc_bpf_is_arch_call(func_id)) {
		v->action = v->decided = SMCCC_BPF_ACT_HANDLE;
		v->flags = SMCCC_POLICY_V_ARCH;
		smccc_policy_count(call->vm_id, func_id, SMCCC_BPF_ACT_HANDLE);
		return;
	}

	ch = smccc_policy_find_chain(func_id);
	if (ch)
		rule = smccc_policy_walk(ch, call, &idx);

	if (rule) {
		v->rule = rule->id;
		action = rule->action;
		audit = rule->flags & SMCCC_POLICY_F_AUDIT;
		if (rule->flags & SMCCC_POLICY_F_RATE) {
			now = bpf_ktime_get_ns();
			if (!smccc_policy_take_token(call->vm_id, idx, rule, now)) {
				over = true;
				action = rule->over_action;
				v->flags |= SMCCC_POLICY_V_OVER_LIMIT;
			}
		}
		if (action == SMCCC_BPF_ACT_RETURN) {
			v->ret[0] = rule->ret[0];
			v->ret[1] = rule->ret[1];
			v->ret[2] = rule->ret[2];
			v->ret[3] = rule->ret[3];
		}
	} else {
		action = policy_config.default_action;
		audit = policy_config.default_audit;
	}

	/* LOG handles; so would anything the kernel does not know. */
	guest = action < SMCCC_BPF_NR_ACTIONS ? action : SMCCC_BPF_ACT_HANDLE;

	if (over)
		reason = SMCCC_POLICY_EV_OVER_LIMIT;
	else if (action == SMCCC_POLICY_ACT_LOG)
		reason = SMCCC_POLICY_EV_LOG;
	else if (audit)
		reason = smccc_policy_reason(guest);

	/* Permissive: the guest gets HANDLE; over-limit and log keep their reason. */
	if (policy_config.permissive && guest != SMCCC_BPF_ACT_HANDLE) {
		guest = SMCCC_BPF_ACT_HANDLE;
		if (!over)
			reason = SMCCC_POLICY_EV_PERMISSIVE;
	}
	v->decided = action;
	v->action = guest;
	v->reason = reason;

	smccc_policy_count(call->vm_id, func_id, v->action);

	if (reason) {
		v->flags |= SMCCC_POLICY_V_EVENT;
		if (!now)
			now = bpf_ktime_get_ns();
		if (!smccc_policy_emit(call, v, now))
			v->flags |= SMCCC_POLICY_V_EVENT_LOST;
	}
}

/*
 * Whether the policy hides func_id from discovery: it denies a call to it
 * made with the querying call's conduit and vCPU and all arguments zero
 * (*q, whose func_id this sets), within any rate limit. Changes nothing
 * (no bucket, no count, no event). Nothing is hidden in permissive mode,
 * where the guest gets every call.
 */
static __always_inline bool
smccc_policy_hides(struct smccc_policy_call *q, __u32 func_id)
{
	const struct smccc_policy_rule *rule = NULL;
	const struct smccc_policy_chain *ch;
	__u32 idx = 0;
	__u8 action;

	if (policy_config.permissive || smccc_bpf_is_arch_call(func_id))
		return false;

	q->func_id = func_id;
	ch = smccc_policy_find_chain(func_id);
	if (ch)
		rule = smccc_policy_walk(ch, q, &idx);
	action = rule ? rule->action : policy_config.default_action;
	return action == SMCCC_BPF_ACT_DENY;
}

struct smccc_policy_bitmap_ctx {
	struct smccc_policy_call *q;
	__u64 *ret;
	__u32 changed;
};

/* bpf_loop() callback: clears bit i of x0..x3 if KVM function i is hidden. */
static long smccc_policy_bitmap_bit(__u64 i, void *data)
{
	struct smccc_policy_bitmap_ctx *ctx = data;
	__u64 bit = 1ull << (i & 31);
	__u32 reg = (i >> 5) & 3;

	if (!(ctx->ret[reg] & bit))
		return 0;
	if (smccc_policy_hides(ctx->q, SMCCC_BPF_KVM_FUNC_BASE | (__u32)i)) {
		ctx->ret[reg] &= ~bit;
		ctx->changed = 1;
	}
	return 0;
}

/*
 * Makes KVM's answer ret[0..3] to a discovery call agree with the policy
 * (see smccc_policy_hides()); true if it changed. The call is func_id
 * from vCPU vcpu_id of VM vm_id over conduit, with x1 in x1. The
 * *_FEATURES calls report on the function ID in x1: a hidden one gets
 * NOT_SUPPORTED. KVM's features bitmap loses the bits of hidden KVM
 * functions.
 */
static __always_inline bool
smccc_policy_discovery(__u64 vm_id, __u32 func_id, __u32 vcpu_id, __u16 conduit, __u64 x1,
		       __u64 ret[4])
{
	struct smccc_policy_bitmap_ctx ctx;
	struct smccc_policy_call q;

	if (policy_config.discovery != SMCCC_POLICY_DISCOVERY_HIDE_DENIED)
		return false;

	__builtin_memset(&q, 0, sizeof(q));
	q.vm_id = vm_id;
	q.vcpu_id = vcpu_id;
	q.conduit = conduit;

	switch (func_id) {
	case SMCCC_BPF_ARCH_FEATURES:
	case SMCCC_BPF_PSCI_FEATURES:
	case SMCCC_BPF_TRNG_FEATURES:
		/* Negative: KVM already reports it absent (or the query bad). */
		if ((__s64)ret[0] < 0 || !smccc_policy_hides(&q, (__u32)x1))
			return false;
		ret[0] = SMCCC_BPF_RET_NOT_SUPPORTED;
		return true;
	case SMCCC_BPF_KVM_FEATURES:
		ctx.q = &q;
		ctx.ret = ret;
		ctx.changed = 0;
		bpf_loop(SMCCC_BPF_KVM_NR_FUNCS, smccc_policy_bitmap_bit, &ctx, 0);
		return ctx.changed;
	}
	return false;
}

#endif /* __bpf__ */
#endif /* __SMCCC_POLICY_DECIDE_BPF_H */
