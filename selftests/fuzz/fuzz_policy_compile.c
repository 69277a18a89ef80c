// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the policy compiler, then the policy program against
 * the reference evaluator.
 *
 * Input: policy text, at most FUZZ_MAX_TEXT bytes (make fuzz-* runs with
 * -max_len at that; longer inputs are skipped). Compiling any text must
 * not crash, read out of bounds, leak or hit undefined behaviour (ASan,
 * UBSan, LSan), and a policy that compiles must pass the loader's checks.
 *
 * A policy that compiles is loaded into the host test program
 * (selftests/host/progs/policy_test.bpf.c: the decision logic of
 * bpf/policy_decide.bpf.h under the host's verifier and JIT) with
 * loader/policy_maps.c, as test_policy_prog.c does. A sample of calls
 * derived from the input (the IDs the policy names and their neighbours,
 * random IDs, both conduits, two VMs, vCPU ids and arguments aimed at each
 * candidate rule's conditions, at and beside their values) is decided by
 * the program (BPF_PROG_TEST_RUN) and by policy_eval(): a difference in
 * what the guest gets, what was decided, x0..x3, the rule, the event
 * reason or the flags abort()s with the policy and the call. With
 * `discovery hide-denied` the answers of the discovery program to
 * *_FEATURES queries and KVM's features bitmap are checked the same way.
 *
 * Rate limits: the program keeps a token bucket per (VM, rule). The
 * harness keeps a lower bound of each: full at first (the bucket is
 * created full), one call's cost less per call let through. While the
 * bound covers a call it must pass; with no refill (rate 0) the bound is
 * exact and a call it does not cover must be over the limit; otherwise
 * time decides, and either answer is checked against its evaluation.
 *
 * Loading a program takes tens of milliseconds (the verifier); a decision
 * a few microseconds. So one loaded object is kept per configuration the
 * program freezes at load (.rodata: default action, mode, audit of the
 * default, discovery; its nr_segments is not read), with maps sized for
 * the largest policy seen so far (grown, and the object reloaded, when one
 * does not fit), and refilled for each input; what an input leaves in the
 * maps that the next one could reach (exact IDs, seg_index entries past
 * its blocks, rate buckets) is removed after it.
 *
 * Needs root for BPF. Without it only the compiler and the evaluator are
 * fuzzed; with SMCCC_FUZZ_SMOKE=1 (make fuzz-smoke) it says so and exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy_compile.h"
#include "policy_decide.bpf.h"
#include "policy_eval.h"
#include "policy_maps.h"
#include "policy_test.skel.h"

#define FUZZ_MAX_TEXT	4096	/* also -max_len in fuzz.mk */
#define MAX_IDS		48	/* function IDs tried per input */
#define MAX_CALLS	192	/* calls decided per input */
#define MAX_QUERIES	16	/* discovery queries per input */
#define MAX_SLOTS	40	/* 5 default actions x mode x audit x discovery */
#define VM_A		7
#define VM_B		8
#define SMC		SMCCC_BPF_CONDUIT_SMC
#define HVC		SMCCC_BPF_CONDUIT_HVC
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Map capacities of a loaded object. */
struct sizes {
	uint32_t rules, exact, segments, chain;
};

/* One loaded test program, for one configuration. */
struct slot {
	struct smccc_policy_config config;	/* nr_segments ignored */
	struct policy_test_bpf *skel;
	struct sizes cap;
	uint32_t index;				/* seg_index entries */
};

static struct slot slots[MAX_SLOTS];
static unsigned int nr_slots;
static bool have_bpf;

/* What the run did, printed at exit: how much of it reached the program. */
static struct {
	uint64_t inputs, compiled, calls, queries, loads;
} stats;

/* This input. */
static const uint8_t *in_data;
static size_t in_size;
static const struct smccc_compiled *cur;
static uint64_t rng;

/* The rate model: a lower bound of the tokens of each (VM, rule index). */
struct bucket_key {
	uint64_t vm;
	uint32_t idx;
};
static uint64_t *lb;			/* [2 * nr_rules]: VM_A's, then VM_B's */
static bool *lb_set;
static struct bucket_key touched[MAX_CALLS];
static unsigned int nr_touched;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* ---- reporting ------------------------------------------------------------ */

static void print_input(void)
{
	fprintf(stderr, "--- policy (%zu bytes) ---\n", in_size);
	fwrite(in_data, 1, in_size, stderr);
	fprintf(stderr, "\n--- end of policy ---\n");
}

static void print_call(const struct policy_call *call, uint64_t vm)
{
	int i;

	fprintf(stderr, "call: vm %llu func_id %#x conduit %s vcpu %u", (unsigned long long)vm,
		call->func_id, call->conduit == SMC ? "smc" : "hvc", call->vcpu_id);
	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++)
		if (call->args[i])
			fprintf(stderr, " x%d=%#llx", i + 1, (unsigned long long)call->args[i]);
	fprintf(stderr, "\n");
}

static void print_rule(uint32_t idx)
{
	char buf[512];

	if (idx < cur->nr_rules)
		fprintf(stderr, "rule %u (index %u, line %u): %s\n", cur->rules[idx].id, idx,
			cur->rules[idx].line,
			policy_rule_format(&cur->rules[idx], buf, sizeof(buf)));
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_policy_compile: FAILED: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	print_input();
	abort();
}

static void print_decision(const char *who, const struct policy_decision *d)
{
	fprintf(stderr, "%s: action %u decided %u rule %u reason %u over %d event %d lookup %d "
		"ret %#llx %#llx %#llx %#llx\n", who, d->action, d->decided, d->rule, d->reason,
		d->over_limit, d->event, d->lookup, (unsigned long long)d->ret[0],
		(unsigned long long)d->ret[1], (unsigned long long)d->ret[2],
		(unsigned long long)d->ret[3]);
	if (d->rule)
		print_rule(d->rule_index);
}

static void mismatch(const char *what, const struct policy_call *call, uint64_t vm,
		     const struct smccc_policy_verdict *v, const struct policy_decision *d)
{
	fprintf(stderr, "fuzz_policy_compile: MISMATCH: %s\n", what);
	print_input();
	print_call(call, vm);
	fprintf(stderr, "program: action %u decided %u rule %u reason %u flags %#x "
		"ret %#llx %#llx %#llx %#llx\n", v->action, v->decided, v->rule, v->reason,
		v->flags, (unsigned long long)v->ret[0], (unsigned long long)v->ret[1],
		(unsigned long long)v->ret[2], (unsigned long long)v->ret[3]);
	print_decision("evaluator", d);
	abort();
}

/* ---- the loaded programs --------------------------------------------------- */

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint32_t pow2_at_least(uint32_t n, uint32_t min)
{
	uint32_t c = min;

	while (c < n)
		c <<= 1;
	return c;
}

/*
 * The most seg_index entries policy_maps.c writes for named exact IDs and
 * segments: at most a power of two of blocks, the least not below twice
 * their number (seg_index_geometry()), and the header.
 */
static uint32_t index_entries(uint64_t named)
{
	uint64_t target = 1;

	if (!named)
		return 1;
	while (target < 2 * named && target < SMCCC_POLICY_MAX_SEG_BLOCKS)
		target <<= 1;
	return target + 1;
}

static bool same_config(const struct smccc_policy_config *a, const struct smccc_policy_config *b)
{
	return a->default_action == b->default_action && a->permissive == b->permissive &&
	       a->default_audit == b->default_audit && a->discovery == b->discovery;
}

/* Opens, sizes (at least s), configures and loads a test program for c. */
static struct policy_test_bpf *load_prog(const struct smccc_compiled *c, const struct sizes *s,
					 uint32_t index, int *err)
{
	struct policy_test_bpf *skel = policy_test_bpf__open();

	if (!skel) {
		*err = -errno;
		return NULL;
	}
	/* The benchmark program is not used: not worth its verification. */
	bpf_program__set_autoload(skel->progs.policy_bench, false);
	*err = smccc_policy_size_maps(skel->obj, c) ?:
	       bpf_map__set_max_entries(skel->maps.rules, s->rules) ?:
	       bpf_map__set_max_entries(skel->maps.exact_ids, s->exact) ?:
	       bpf_map__set_max_entries(skel->maps.segments, s->segments) ?:
	       bpf_map__set_max_entries(skel->maps.chain, s->chain) ?:
	       bpf_map__set_max_entries(skel->maps.seg_index, index) ?:
	       /* Small records: a full stats map or ring changes no decision. */
	       bpf_map__set_max_entries(skel->maps.stats, 1024) ?:
	       bpf_map__set_max_entries(skel->maps.events, 4096) ?:
	       /* Every bucket an input creates is removed after it. */
	       bpf_map__set_max_entries(skel->maps.rate, 4 * MAX_CALLS);
	if (!*err) {
		smccc_policy_set_config(&skel->rodata->policy_config, c);
		*err = policy_test_bpf__load(skel);
	}
	if (*err) {
		policy_test_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The loaded program for c's configuration, with room for c. */
static struct slot *slot_for(const struct smccc_compiled *c)
{
	struct sizes want = {
		pow2_at_least(c->nr_rules, 256), pow2_at_least(c->nr_exact, 256),
		pow2_at_least(c->nr_segments, 1024), pow2_at_least(c->nr_chain, 4096),
	};
	struct slot *s = NULL;
	unsigned int i;
	int err;

	for (i = 0; i < nr_slots; i++)
		if (same_config(&slots[i].config, &c->config))
			s = &slots[i];
	if (s && s->cap.rules >= c->nr_rules && s->cap.exact >= c->nr_exact &&
	    s->cap.segments >= c->nr_segments && s->cap.chain >= c->nr_chain)
		return s;
	if (!s) {
		if (nr_slots == MAX_SLOTS)
			die("more than %d configurations", MAX_SLOTS);
		s = &slots[nr_slots++];
		s->config = c->config;
	} else {
		/* Grown: never smaller than before. */
		want.rules = want.rules > s->cap.rules ? want.rules : s->cap.rules;
		want.exact = want.exact > s->cap.exact ? want.exact : s->cap.exact;
		want.segments = want.segments > s->cap.segments ? want.segments : s->cap.segments;
		want.chain = want.chain > s->cap.chain ? want.chain : s->cap.chain;
		policy_test_bpf__destroy(s->skel);
	}
	s->cap = want;
	s->index = index_entries((uint64_t)want.segments + want.exact);
	s->skel = load_prog(c, &want, s->index, &err);
	stats.loads++;
	if (!s->skel)
		die("loading the test program: %s", strerror(-err));
	return s;
}

/* Removes what this input left that the next one could reach. */
static void clean_slot(struct slot *s, const struct smccc_compiled *c)
{
	static struct smccc_policy_seg_block zero[1024];
	static uint32_t keys[1024];
	int fd = bpf_map__fd(s->skel->maps.seg_index);
	uint32_t n = index_entries((uint64_t)c->nr_segments + c->nr_exact), i, done, k;
	int err;

	if (n > s->index)
		n = s->index;
	for (done = 0; done < n; done += k) {
		k = n - done < ARRAY_SIZE(keys) ? n - done : ARRAY_SIZE(keys);
		for (i = 0; i < k; i++)
			keys[i] = done + i;
		err = bpf_map_update_batch(fd, keys, zero, &k, NULL);
		if (err)
			die("clearing seg_index: %s", strerror(-err));
	}
	fd = bpf_map__fd(s->skel->maps.exact_ids);
	for (i = 0; i < c->nr_exact; i++)
		if (bpf_map_delete_elem(fd, &c->exact[i].func_id))
			die("removing exact ID %#x: %s", c->exact[i].func_id, strerror(errno));
	fd = bpf_map__fd(s->skel->maps.rate);
	for (i = 0; i < nr_touched; i++) {
		struct smccc_policy_rate_key key = { .vm_id = touched[i].vm, .rule = touched[i].idx };

		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			die("removing a rate bucket: %s", strerror(errno));
	}
}

/* ---- calls ------------------------------------------------------------------- */

static bool hides(uint32_t func_id, uint8_t conduit, uint32_t vcpu)
{
	struct policy_decision d;
	struct policy_call q;

	if (cur->config.permissive || smccc_bpf_is_arch_call(func_id))
		return false;
	memset(&q, 0, sizeof(q));
	q.func_id = func_id;
	q.conduit = conduit;
	q.vcpu_id = vcpu;
	if (policy_eval(cur, &q, 0, &d))
		die("policy_eval() refuses the compiled policy");
	return d.decided == SMCCC_BPF_ACT_DENY;
}

static void fill_call(struct smccc_policy_call *out, const struct policy_call *call, uint64_t vm)
{
	memset(out, 0, sizeof(*out));
	out->vm_id = vm;
	out->func_id = call->func_id;
	out->vcpu_id = call->vcpu_id;
	out->conduit = call->conduit;
	out->imm = rnd();
	memcpy(out->args, call->args, sizeof(out->args));
}

static struct smccc_policy_verdict run_prog(struct slot *s, const struct policy_call *call,
					    uint64_t vm)
{
	struct smccc_policy_run r;
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &r, .ctx_size_in = sizeof(r));
	int err;

	memset(&r, 0, sizeof(r));
	fill_call(&r.call, call, vm);
	memset(&r.verdict, 0xee, sizeof(r.verdict));
	err = bpf_prog_test_run_opts(bpf_program__fd(s->skel->progs.policy_test), &o);
	if (err)
		die("BPF_PROG_TEST_RUN: %s", strerror(-err));
	if (o.retval != r.verdict.action)
		die("the program returned %u, its verdict says %u", o.retval, r.verdict.action);
	return r.verdict;
}

static bool same_decision(const struct smccc_policy_verdict *v, const struct policy_decision *d)
{
	uint8_t flags = 0;

	if (d->lookup == POLICY_LOOKUP_ARCH)
		flags |= SMCCC_POLICY_V_ARCH;
	if (d->over_limit)
		flags |= SMCCC_POLICY_V_OVER_LIMIT;
	if (d->event)
		flags |= SMCCC_POLICY_V_EVENT;
	/* (EVENT_LOST: the harness's ring is small and never read.) */
	return v->action == d->action && v->decided == d->decided && v->rule == d->rule &&
	       v->reason == d->reason && (v->flags & ~SMCCC_POLICY_V_EVENT_LOST) == flags &&
	       !memcmp(v->ret, d->ret, sizeof(v->ret));
}

/* Decides one call both ways; s NULL: the evaluator alone. */
static void check_call(struct slot *s, const struct policy_call *call, uint64_t vm)
{
	const struct smccc_policy_rule *r = NULL;
	struct policy_decision d, over;
	struct smccc_policy_verdict v;
	uint64_t cost = 0, have = 0, *bound = NULL;
	bool must_pass = true, must_fail = false;
	unsigned int slot_i;

	if (policy_eval(cur, call, 0, &d) || policy_eval(cur, call, POLICY_EVAL_OVER_LIMIT, &over))
		die("policy_eval() refuses the compiled policy");
	if (d.rule && (cur->rules[d.rule_index].flags & SMCCC_POLICY_F_RATE)) {
		r = &cur->rules[d.rule_index];
		cost = policy_token_cost(r);
		slot_i = (vm == VM_B) * cur->nr_rules + d.rule_index;
		bound = &lb[slot_i];
		if (!lb_set[slot_i]) {
			lb_set[slot_i] = true;
			*bound = policy_bucket_cap(r);	/* created full */
			if (nr_touched < ARRAY_SIZE(touched))
				touched[nr_touched++] = (struct bucket_key){ vm, d.rule_index };
		}
		have = *bound;
		must_pass = have >= cost;
		must_fail = !must_pass && !r->rate;	/* no refill: the bound is exact */
	}
	if (!s)
		return;
	stats.calls++;
	v = run_prog(s, call, vm);
	if (!r) {
		if (!same_decision(&v, &d))
			mismatch("decision", call, vm, &v, &d);
		return;
	}
	if (v.flags & SMCCC_POLICY_V_OVER_LIMIT) {
		if (must_pass)
			mismatch("over the limit with tokens left", call, vm, &v, &d);
		if (!same_decision(&v, &over))
			mismatch("decision over the limit", call, vm, &v, &over);
	} else {
		if (must_fail)
			mismatch("within a limit whose bucket is empty", call, vm, &v, &over);
		if (!same_decision(&v, &d))
			mismatch("decision within the limit", call, vm, &v, &d);
		*bound = have >= cost ? have - cost : 0;
	}
}

/* Makes cond hold (delta 0) or miss it by delta, the other bits random. */
static void aim(struct policy_call *call, const struct smccc_policy_cond *cd, int delta)
{
	uint64_t t = cd->value;

	switch (cd->op) {
	case SMCCC_POLICY_OP_NE:
		t ^= 1ull << (rnd() % 64);
		break;
	case SMCCC_POLICY_OP_LT:
		t--;
		break;
	case SMCCC_POLICY_OP_GT:
		t++;
		break;
	}
	t += delta;
	switch (cd->kind) {
	case SMCCC_POLICY_COND_CONDUIT:
		call->conduit = t == SMC || t == HVC ? t : (rnd() & 1 ? SMC : HVC);
		break;
	case SMCCC_POLICY_COND_VCPU:
		call->vcpu_id = t;
		break;
	case SMCCC_POLICY_COND_ARG:
		if (cd->reg >= 1 && cd->reg <= SMCCC_BPF_NR_ARGS)
			call->args[cd->reg - 1] = (t & cd->mask) | (rnd() & ~cd->mask);
		break;
	}
}

static uint64_t rnd_value(void)
{
	switch (rnd() % 4) {
	case 0:
		return 0;
	case 1:
		return rnd() % 16;
	case 2:
		return (uint32_t)rnd();
	}
	return rnd();
}

static void base_call(struct policy_call *call, uint32_t func_id)
{
	int i;

	memset(call, 0, sizeof(*call));
	call->func_id = func_id;
	call->conduit = rnd() & 1 ? SMC : HVC;
	call->vcpu_id = rnd() % 4 ? rnd() % 8 : (uint32_t)rnd_value();
	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++)
		call->args[i] = rnd_value();
}

/* Calls for one function ID: random ones, and some aimed at each candidate rule. */
static void check_id(struct slot *s, uint32_t func_id, unsigned int *budget)
{
	enum policy_lookup from;
	struct smccc_policy_chain ch = policy_lookup(cur, func_id, &from);
	struct policy_call call;
	uint32_t k, j;

	for (k = 0; k < 2 && *budget; k++, (*budget)--) {
		base_call(&call, func_id);
		check_call(s, &call, rnd() & 1 ? VM_A : VM_B);
	}
	for (k = 0; k < ch.len && *budget; k++) {
		const struct smccc_policy_rule *r = &cur->rules[cur->chain[ch.start + k]];

		/* all its conditions hold, then one of them just misses */
		base_call(&call, func_id);
		for (j = 0; j < r->nr_conds; j++)
			aim(&call, &r->conds[j], 0);
		check_call(s, &call, rnd() & 1 ? VM_A : VM_B);
		(*budget)--;
		if (!r->nr_conds || !*budget)
			continue;
		aim(&call, &r->conds[rnd() % r->nr_conds], rnd() & 1 ? 1 : -1);
		check_call(s, &call, rnd() & 1 ? VM_A : VM_B);
		(*budget)--;
	}
}

/* A query of the discovery program; KVM's answer in ret, the guest's out. */
static uint32_t discover(struct slot *s, uint32_t func_id, uint64_t x1, uint8_t conduit,
			 uint32_t vcpu, uint64_t ret[4])
{
	struct smccc_policy_answer a;
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	struct policy_call call;
	int err;

	memset(&call, 0, sizeof(call));
	call.func_id = func_id;
	call.conduit = conduit;
	call.vcpu_id = vcpu;
	call.args[0] = x1;
	memset(&a, 0, sizeof(a));
	fill_call(&a.call, &call, VM_A);
	memcpy(a.ret, ret, sizeof(a.ret));
	a.changed = 0xee;
	err = bpf_prog_test_run_opts(bpf_program__fd(s->skel->progs.policy_discovery), &o);
	if (err)
		die("BPF_PROG_TEST_RUN of policy_discovery: %s", strerror(-err));
	memcpy(ret, a.ret, sizeof(a.ret));
	return a.changed;
}

static void discovery_mismatch(const char *what, uint32_t func_id, uint64_t x1,
			       const uint64_t kvm[4], const uint64_t got[4], uint32_t changed,
			       const uint64_t want[4])
{
	fprintf(stderr, "fuzz_policy_compile: MISMATCH: discovery: %s\n", what);
	print_input();
	fprintf(stderr, "query %#x x1 %#llx\n", func_id, (unsigned long long)x1);
	fprintf(stderr, "KVM:       %#llx %#llx %#llx %#llx\n", (unsigned long long)kvm[0],
		(unsigned long long)kvm[1], (unsigned long long)kvm[2], (unsigned long long)kvm[3]);
	fprintf(stderr, "program:   %#llx %#llx %#llx %#llx changed %u\n",
		(unsigned long long)got[0], (unsigned long long)got[1],
		(unsigned long long)got[2], (unsigned long long)got[3], changed);
	fprintf(stderr, "evaluator: %#llx %#llx %#llx %#llx\n", (unsigned long long)want[0],
		(unsigned long long)want[1], (unsigned long long)want[2],
		(unsigned long long)want[3]);
	abort();
}

static void check_query(struct slot *s, uint32_t func_id, uint64_t x1, uint8_t conduit,
			uint32_t vcpu, const uint64_t kvm[4])
{
	bool hide_denied = cur->config.discovery == SMCCC_POLICY_DISCOVERY_HIDE_DENIED;
	uint64_t got[4], want[4];
	uint32_t changed, i;

	memcpy(got, kvm, sizeof(got));
	memcpy(want, kvm, sizeof(want));
	if (hide_denied && func_id == SMCCC_BPF_KVM_FEATURES) {
		for (i = 0; i < SMCCC_BPF_KVM_NR_FUNCS; i++)
			if ((want[i >> 5] & (1ull << (i & 31))) &&
			    hides(SMCCC_BPF_KVM_FUNC_BASE | i, conduit, vcpu))
				want[i >> 5] &= ~(1ull << (i & 31));
	} else if (hide_denied && (int64_t)kvm[0] >= 0 && hides((uint32_t)x1, conduit, vcpu)) {
		want[0] = SMCCC_BPF_RET_NOT_SUPPORTED;	/* a *_FEATURES query */
	}
	if (!s)
		return;
	stats.queries++;
	changed = discover(s, func_id, x1, conduit, vcpu, got);
	if (memcmp(got, want, sizeof(got)) || changed != !!memcmp(kvm, want, sizeof(want)))
		discovery_mismatch(changed > 1 ? "changed not 0 or 1" : "answer", func_id, x1,
				   kvm, got, changed, want);
}

static void check_discovery(struct slot *s, const uint32_t *ids, unsigned int nr)
{
	static const uint32_t queries[] = {
		SMCCC_BPF_ARCH_FEATURES, SMCCC_BPF_PSCI_FEATURES, SMCCC_BPF_TRNG_FEATURES,
	};
	uint64_t kvm[4];
	unsigned int i;
	int k;

	for (i = 0; i < nr && i < MAX_QUERIES; i++) {
		for (k = 0; k < 4; k++)
			kvm[k] = rnd_value();
		/* supported, or a negative answer KVM gave already */
		kvm[0] = rnd() % 4 ? rnd() % 2 : SMCCC_BPF_RET_NOT_SUPPORTED;
		/* x1's upper half is not part of the ID asked about */
		check_query(s, queries[rnd() % ARRAY_SIZE(queries)],
			    ids[i] | (rnd() & 1 ? rnd() << 32 : 0), rnd() & 1 ? SMC : HVC,
			    rnd() % 4, kvm);
	}
	for (k = 0; k < 4; k++)
		kvm[k] = rnd() & 1 ? rnd() : ~0ull;
	check_query(s, SMCCC_BPF_KVM_FEATURES, 0, rnd() & 1 ? SMC : HVC, rnd() % 4, kvm);
}

/* Reservoir sampling of the IDs to try. */
static void add_id(uint32_t *ids, unsigned int *nr, unsigned int *seen, uint32_t id)
{
	uint64_t j;

	if (*nr < MAX_IDS) {
		ids[(*nr)++] = id;
	} else {
		j = rnd() % (*seen + 1);
		if (j < MAX_IDS)
			ids[j] = id;
	}
	(*seen)++;
}

static void check_policy(struct slot *s)
{
	static const uint32_t fixed[] = {
		0, 0xffffffff, 0x80000000, 0x80000001, 0x8000ffff, 0xc0000000, 0x84000000,
		0x8400000a, 0x84000051, 0x86000000, 0x86000001, 0x8600ff01, 0xc6000000,
		0xc600ffff, 0x95c1ba5e,
	};
	uint32_t ids[MAX_IDS], i;
	unsigned int nr = 0, seen = 0, budget = MAX_CALLS;
	char buf[512];

	for (i = 0; i < cur->nr_rules; i++)
		policy_rule_format(&cur->rules[i], buf, sizeof(buf));
	for (i = 0; i < cur->nr_exact; i++) {
		add_id(ids, &nr, &seen, cur->exact[i].func_id);
		add_id(ids, &nr, &seen, cur->exact[i].func_id - 1);
		add_id(ids, &nr, &seen, cur->exact[i].func_id + 1);
	}
	for (i = 0; i < cur->nr_segments; i++) {
		const struct smccc_policy_segment *sg = &cur->segments[i];

		add_id(ids, &nr, &seen, sg->first);
		add_id(ids, &nr, &seen, sg->last);
		add_id(ids, &nr, &seen, sg->first - 1);
		add_id(ids, &nr, &seen, sg->last + 1);
		add_id(ids, &nr, &seen, sg->first + rnd() % ((uint64_t)sg->last - sg->first + 1));
	}
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		add_id(ids, &nr, &seen, fixed[i]);
	for (i = 0; i < 4; i++) {
		add_id(ids, &nr, &seen, rnd());
		add_id(ids, &nr, &seen, 0x80000000u | (rnd() & 0x7f00ffff));	/* fast calls */
	}
	for (i = 0; i < nr && budget; i++)
		check_id(s, ids[i], &budget);
	check_discovery(s, ids, nr);
}

/* ---- libFuzzer --------------------------------------------------------------- */

/* CapEff has CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON. */
static bool bpf_capable_now(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff & (1ull << 21)) || ((eff & (1ull << 39)) && (eff & (1ull << 38)));
}

static void no_bpf(const char *why)
{
	const char *smoke = getenv("SMCCC_FUZZ_SMOKE");

	if (smoke && !strcmp(smoke, "1")) {
		stats.inputs = ~0ull;	/* nothing to sum up */
		fprintf(stderr, "fuzz_policy_compile: SKIP: %s\n", why);
		exit(0);
	}
	fprintf(stderr, "fuzz_policy_compile: %s: fuzzing the compiler and the evaluator "
		"only, not the program\n", why);
}

static void print_stats(void)
{
	if (stats.inputs == ~0ull)
		return;
	fprintf(stderr, "fuzz_policy_compile: %llu inputs, %llu compiled; the program decided "
		"%llu calls and %llu discovery queries (%u configurations, %llu loads)\n",
		(unsigned long long)stats.inputs, (unsigned long long)stats.compiled,
		(unsigned long long)stats.calls, (unsigned long long)stats.queries, nr_slots,
		(unsigned long long)stats.loads);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct policy_diags d = { 0 };
	struct sizes one = { 1, 1, 1, 1 };
	struct policy_test_bpf *skel;
	struct smccc_compiled c;
	int err;

	(void)argc;
	(void)argv;
	libbpf_set_print(quiet_print);
	atexit(print_stats);
	if (!bpf_capable_now()) {
		no_bpf("cannot load BPF programs: not privileged (needs root, or CAP_BPF + "
		       "CAP_PERFMON)");
		return 0;
	}
	/* One load up front: bpf() refused is a skip, a verifier rejection a failure. */
	if (policy_compile_text("init", "", 0, &c, NULL, &d))
		abort();
	policy_diags_free(&d);
	skel = load_prog(&c, &one, 1, &err);
	if (!skel && err == -EPERM) {
		no_bpf("cannot load BPF programs: bpf() refused");
	} else if (!skel) {
		fprintf(stderr, "fuzz_policy_compile: the test program does not load: %s\n",
			strerror(-err));
		abort();
	} else {
		policy_test_bpf__destroy(skel);
		have_bpf = true;
	}
	smccc_compiled_free(&c);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_diags diags = { 0 };
	struct smccc_compiled c;
	struct slot *s = NULL;
	char why[256];
	uint64_t h = 0xcbf29ce484222325ull;
	char *name = NULL;
	size_t i;
	int err;

	if (size > FUZZ_MAX_TEXT)
		return 0;
	stats.inputs++;
	/* The compiler gets the text as read from a file: no NUL after it. */
	if (policy_compile_text("fuzz.policy", (const char *)data, size, &c, &name, &diags)) {
		policy_diags_text(&diags);
		policy_diags_free(&diags);
		return 0;
	}
	stats.compiled++;
	policy_diags_text(&diags);	/* the warnings, as policy check prints them */
	policy_diags_free(&diags);
	free(name);

	in_data = data;
	in_size = size;
	cur = &c;
	if (smccc_policy_check(&c, why, sizeof(why)))
		die("the loader refuses the compiled policy: %s", why);
	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	rng = h | 1;
	lb = calloc(2 * (size_t)c.nr_rules + 1, sizeof(*lb));
	lb_set = calloc(2 * (size_t)c.nr_rules + 1, sizeof(*lb_set));
	if (!lb || !lb_set)
		abort();
	nr_touched = 0;

	if (have_bpf) {
		s = slot_for(&c);
		err = smccc_policy_fill_maps(s->skel->obj, &c);
		if (err)
			die("filling the maps: %s", strerror(-err));
	}
	check_policy(s);
	if (s)
		clean_slot(s, &c);

	free(lb);
	free(lb_set);
	lb = NULL;
	lb_set = NULL;
	cur = NULL;
	smccc_compiled_free(&c);
	return 0;
}
