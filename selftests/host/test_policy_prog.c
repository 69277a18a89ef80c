// SPDX-License-Identifier: GPL-2.0
/*
 * The generic policy program's decision logic (bpf/policy_decide.bpf.h)
 * on the host: the real verifier, maps and JIT, through BPF_PROG_TEST_RUN
 * of selftests/host/progs/policy_test.bpf.c. Every test builds its compiled
 * policy by hand (struct smccc_compiled, no compiler involved), loads it
 * with loader/policy_maps.c and runs tables of calls:
 *
 *   exact IDs, ranges and segment boundaries, the default, a binary search
 *   over the largest number of segments, chain order and first match,
 *   every condition kind and operator, Arm Architecture Calls, rate limits
 *   (burst, refill, cap, per VM), permissive mode, statistics (per-CPU sums,
 *   lossless, full map), audit events (ring buffer, full ring), and the
 *   loader's checks of a compiled policy.
 *
 * Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN): skipped otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy_decide.bpf.h"
#include "policy_maps.h"
#include "policy_test.skel.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define VM		7
#define ACT_H		SMCCC_BPF_ACT_HANDLE
#define ACT_D		SMCCC_BPF_ACT_DENY
#define ACT_F		SMCCC_BPF_ACT_FWD_TO_USER
#define ACT_R		SMCCC_BPF_ACT_RETURN
#define ACT_LOG		SMCCC_POLICY_ACT_LOG
#define SMC		SMCCC_BPF_CONDUIT_SMC
#define HVC		SMCCC_BPF_CONDUIT_HVC

/* ---- building compiled policies ---------------------------------------- */

struct builder {
	struct smccc_compiled c;
	uint32_t cap_rules, cap_exact, cap_segments, cap_chain;
};

#define GROW(b, arr, nr, cap)							\
	do {									\
		if ((b)->c.nr == (b)->cap) {					\
			(b)->cap = (b)->cap ? 2 * (b)->cap : 16;		\
			(b)->c.arr = realloc((b)->c.arr,			\
					     (b)->cap * sizeof(*(b)->c.arr));	\
			assert_non_null((b)->c.arr);				\
		}								\
	} while (0)

static void b_init(struct builder *b, uint8_t default_action)
{
	memset(b, 0, sizeof(*b));
	b->c.config.default_action = default_action;
}

static void b_free(struct builder *b)
{
	free(b->c.rules);
	free(b->c.exact);
	free(b->c.segments);
	free(b->c.chain);
}

/* Appends a rule; its id is its index + 1 (as the compiler numbers them). */
static uint32_t b_rule(struct builder *b, uint8_t action)
{
	struct smccc_policy_rule *r;

	GROW(b, rules, nr_rules, cap_rules);
	r = &b->c.rules[b->c.nr_rules];
	memset(r, 0, sizeof(*r));
	r->id = b->c.nr_rules + 1;
	r->line = 100 + b->c.nr_rules;
	r->action = action;
	return b->c.nr_rules++;
}

static struct smccc_policy_rule *R(struct builder *b, uint32_t idx)
{
	return &b->c.rules[idx];
}

static void b_cond(struct builder *b, uint32_t idx, uint8_t kind, uint8_t reg, uint8_t op,
		   uint64_t mask, uint64_t value)
{
	struct smccc_policy_rule *r = R(b, idx);
	struct smccc_policy_cond *c;

	assert_true(r->nr_conds < SMCCC_POLICY_MAX_CONDS);
	c = &r->conds[r->nr_conds++];
	c->kind = kind;
	c->reg = reg;
	c->op = op;
	c->mask = mask;
	c->value = value;
}

static struct smccc_policy_chain b_chain(struct builder *b, int n, const uint32_t *idx)
{
	struct smccc_policy_chain ch = { .start = b->c.nr_chain, .len = n };
	int i;

	for (i = 0; i < n; i++) {
		GROW(b, chain, nr_chain, cap_chain);
		b->c.chain[b->c.nr_chain++] = idx[i];
	}
	return ch;
}

static void b_exact_v(struct builder *b, uint32_t func_id, int n, const uint32_t *idx)
{
	struct smccc_policy_chain ch = b_chain(b, n, idx);

	GROW(b, exact, nr_exact, cap_exact);
	b->c.exact[b->c.nr_exact].func_id = func_id;
	b->c.exact[b->c.nr_exact].chain = ch;
	b->c.nr_exact++;
}

/* Segments must be added in order. */
static void b_segment_v(struct builder *b, uint32_t first, uint32_t last, int n,
			const uint32_t *idx)
{
	struct smccc_policy_chain ch = b_chain(b, n, idx);
	struct smccc_policy_segment *s;

	GROW(b, segments, nr_segments, cap_segments);
	s = &b->c.segments[b->c.nr_segments++];
	s->first = first;
	s->last = last;
	s->chain = ch;
}

#define IDX(...)	((const uint32_t[]){ __VA_ARGS__ })
#define NIDX(...)	(int)(sizeof(IDX(__VA_ARGS__)) / sizeof(uint32_t))
#define b_exact(b, id, ...)	b_exact_v(b, id, NIDX(__VA_ARGS__), IDX(__VA_ARGS__))
#define b_segment(b, f, l, ...)	b_segment_v(b, f, l, NIDX(__VA_ARGS__), IDX(__VA_ARGS__))

/* ---- loading and running ----------------------------------------------- */

static int bpf_state;	/* 0 usable, 1 not privileged */

#define REQUIRE_BPF()								\
	do {									\
		if (bpf_state) {						\
			print_message("[  SKIP    ] cannot load BPF programs "	\
				      "here (needs root)\n");			\
			skip();							\
		}								\
	} while (0)

struct opts {
	uint32_t stats_entries;		/* 0: the program's default */
	uint32_t events_bytes;
};

static struct policy_test_bpf *load_opts(struct builder *b, const struct opts *o)
{
	struct policy_test_bpf *skel = policy_test_bpf__open();

	assert_non_null(skel);
	assert_int_equal(smccc_policy_size_maps(skel->obj, &b->c), 0);
	smccc_policy_set_config(&skel->rodata->policy_config, &b->c);
	if (o && o->stats_entries)
		assert_int_equal(bpf_map__set_max_entries(skel->maps.stats, o->stats_entries), 0);
	if (o && o->events_bytes)
		assert_int_equal(bpf_map__set_max_entries(skel->maps.events, o->events_bytes), 0);
	assert_int_equal(policy_test_bpf__load(skel), 0);
	assert_int_equal(smccc_policy_fill_maps(skel->obj, &b->c), 0);
	return skel;
}

static struct policy_test_bpf *load(struct builder *b)
{
	return load_opts(b, NULL);
}

static struct smccc_policy_call mkcall(uint32_t func_id, uint16_t conduit, uint32_t vcpu)
{
	struct smccc_policy_call c;
	int i;

	memset(&c, 0, sizeof(c));
	c.vm_id = VM;
	c.func_id = func_id;
	c.conduit = conduit;
	c.vcpu_id = vcpu;
	c.imm = 0;
	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++)
		c.args[i] = 0xa000 + i + 1;	/* x<n> = 0xa000 + n */
	return c;
}

static struct smccc_policy_verdict run_call(struct policy_test_bpf *skel,
					    const struct smccc_policy_call *call)
{
	struct smccc_policy_run r;
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &r, .ctx_size_in = sizeof(r));
	int err;

	memset(&r, 0, sizeof(r));
	r.call = *call;
	memset(&r.verdict, 0xee, sizeof(r.verdict));
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.policy_test), &o);
	assert_int_equal(err, 0);
	assert_int_equal(o.retval, r.verdict.action);
	return r.verdict;
}

static struct smccc_policy_verdict run(struct policy_test_bpf *skel, uint32_t func_id)
{
	struct smccc_policy_call c = mkcall(func_id, HVC, 0);

	return run_call(skel, &c);
}

/* One expected decision: function ID -> action, deciding rule id. */
struct expect {
	uint32_t func_id;
	uint8_t action;
	uint32_t rule;
};

static void check_table(struct policy_test_bpf *skel, const struct expect *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct smccc_policy_verdict v = run(skel, t[i].func_id);

		if (v.action != t[i].action || v.rule != t[i].rule)
			fail_msg("func_id %#x: action %u rule %u, expected action %u rule %u",
				 t[i].func_id, v.action, v.rule, t[i].action, t[i].rule);
	}
}

static uint64_t stat(struct policy_test_bpf *skel, uint64_t vm, uint32_t func_id, uint8_t action)
{
	uint64_t n = ~0ull;

	assert_int_equal(smccc_policy_read_stat(skel->obj, vm, func_id, action, &n), 0);
	return n;
}

static uint64_t dropped(struct policy_test_bpf *skel, int what)
{
	uint64_t d[SMCCC_POLICY_NR_DROP];

	assert_int_equal(smccc_policy_read_dropped(skel->obj, d), 0);
	return d[what];
}

/* ---- events ------------------------------------------------------------- */

struct evlist {
	struct smccc_policy_event ev[256];
	int n;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct evlist *l = ctx;

	assert_int_equal(size, sizeof(struct smccc_policy_event));
	if (l->n < (int)ARRAY_SIZE(l->ev))
		memcpy(&l->ev[l->n], data, size);
	l->n++;
	return 0;
}

static void consume(struct policy_test_bpf *skel, struct evlist *l)
{
	struct ring_buffer *rb;

	memset(l, 0, sizeof(*l));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, l, NULL);
	assert_non_null(rb);
	assert_true(ring_buffer__consume(rb) >= 0);
	ring_buffer__free(rb);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* bpf_ktime_get_ns()'s clock */
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- tests --------------------------------------------------------------- */

/* Exact IDs, each action, RETURN values, and the default for the rest. */
static void test_exact(void **state)
{
	struct policy_test_bpf *skel;
	struct smccc_policy_verdict v;
	struct builder b;
	uint32_t r;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	b_exact(&b, 0x84000050, b_rule(&b, ACT_D));
	r = b_rule(&b, ACT_R);
	R(&b, r)->ret[0] = 0x1111;
	R(&b, r)->ret[1] = 0x2222;
	R(&b, r)->ret[2] = ~0ull;
	R(&b, r)->ret[3] = 0x4444;
	b_exact(&b, 0xc2000001, r);
	b_exact(&b, 0x83000001, b_rule(&b, ACT_F));
	b_exact(&b, 0x84000000, b_rule(&b, ACT_H));
	b_exact(&b, 0x00000000, b_rule(&b, ACT_F));
	b_exact(&b, 0xffffffff, b_rule(&b, ACT_R));
	skel = load(&b);

	static const struct expect t[] = {
		{ 0x84000050, ACT_D, 1 },
		{ 0xc2000001, ACT_R, 2 },
		{ 0x83000001, ACT_F, 3 },
		{ 0x84000000, ACT_H, 4 },
		{ 0x00000000, ACT_F, 5 },
		{ 0xffffffff, ACT_R, 6 },
		{ 0x84000051, ACT_D, 0 },	/* neighbours: the default */
		{ 0x8400004f, ACT_D, 0 },
		{ 0xc2000000, ACT_D, 0 },
		{ 0x00000001, ACT_D, 0 },
		{ 0xfffffffe, ACT_D, 0 },
	};
	check_table(skel, t, ARRAY_SIZE(t));

	v = run(skel, 0xc2000001);
	assert_int_equal(v.ret[0], 0x1111);
	assert_int_equal(v.ret[1], 0x2222);
	assert_true(v.ret[2] == ~0ull);
	assert_int_equal(v.ret[3], 0x4444);
	assert_int_equal(v.decided, ACT_R);
	assert_int_equal(v.reason, 0);
	assert_int_equal(v.flags, 0);
	/* RETURN values are only given for RETURN. */
	v = run(skel, 0x84000050);
	assert_int_equal(v.ret[0] | v.ret[1] | v.ret[2] | v.ret[3], 0);

	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* An empty policy: everything gets the default, HANDLE or DENY. */
static void test_default_only(void **state)
{
	struct policy_test_bpf *skel;
	struct builder b;
	int d;

	(void)state;
	REQUIRE_BPF();
	for (d = ACT_H; d <= ACT_D; d++) {
		b_init(&b, d);
		skel = load(&b);
		const struct expect t[] = {
			{ 0x84000000, d, 0 }, { 0xc4000003, d, 0 }, { 0, d, 0 },
			{ 0xffffffff, d, 0 }, { 0x80000000, ACT_H, 0 },
		};
		check_table(skel, t, ARRAY_SIZE(t));
		policy_test_bpf__destroy(skel);
		b_free(&b);
	}
}

/* Ranges: both ends of every segment, their neighbours, the ID space ends. */
static void test_segments(void **state)
{
	struct policy_test_bpf *skel;
	struct builder b;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_H);
	b_segment(&b, 0x00000000, 0x00000005, b_rule(&b, ACT_D));	/* rule 1 */
	b_segment(&b, 0x82000000, 0x8200ffff, b_rule(&b, ACT_D));	/* rule 2 */
	b_segment(&b, 0x82010000, 0x82010000, b_rule(&b, ACT_F));	/* rule 3, adjacent, one ID */
	b_segment(&b, 0x86000000, 0x8600ffff, b_rule(&b, ACT_R));	/* rule 4 */
	b_segment(&b, 0xfffffff0, 0xffffffff, b_rule(&b, ACT_F));	/* rule 5 */
	skel = load(&b);

	static const struct expect t[] = {
		{ 0x00000000, ACT_D, 1 }, { 0x00000005, ACT_D, 1 }, { 0x00000006, ACT_H, 0 },
		{ 0x81ffffff, ACT_H, 0 }, { 0x82000000, ACT_D, 2 }, { 0x82001234, ACT_D, 2 },
		{ 0x8200ffff, ACT_D, 2 }, { 0x82010000, ACT_F, 3 }, { 0x82010001, ACT_H, 0 },
		{ 0x85ffffff, ACT_H, 0 }, { 0x86000000, ACT_R, 4 }, { 0x8600ffff, ACT_R, 4 },
		{ 0x86010000, ACT_H, 0 }, { 0xffffffef, ACT_H, 0 }, { 0xfffffff0, ACT_F, 5 },
		{ 0xffffffff, ACT_F, 5 }, { 0x40000000, ACT_H, 0 },
	};
	check_table(skel, t, ARRAY_SIZE(t));
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/*
 * The binary search at its limit: SMCCC_POLICY_MAX_SEGMENTS segments
 * (19 probes), and at small odd sizes; every probed segment by both ends,
 * and the gaps between them.
 */
static void search_n(uint32_t n, uint32_t stride_probe)
{
	struct policy_test_bpf *skel;
	struct builder b;
	uint32_t i, r[8];

	b_init(&b, ACT_H);
	for (i = 0; i < 8; i++)
		r[i] = b_rule(&b, ACT_D);
	for (i = 0; i < n; i++)	/* [16i + 4, 16i + 11], rule i % 8 */
		b_segment_v(&b, 0x10000000 + 16 * i + 4, 0x10000000 + 16 * i + 11, 1, &r[i % 8]);
	skel = load(&b);

	for (i = 0; i < n; i += (i < 64 || i > n - 64) ? 1 : stride_probe) {
		uint32_t base = 0x10000000 + 16 * i;
		const struct expect t[] = {
			{ base + 3, ACT_H, 0 }, { base + 4, ACT_D, i % 8 + 1 },
			{ base + 7, ACT_D, i % 8 + 1 }, { base + 11, ACT_D, i % 8 + 1 },
			{ base + 12, ACT_H, 0 },
		};
		check_table(skel, t, ARRAY_SIZE(t));
	}
	{
		const struct expect t[] = {
			{ 0x0fffffff, ACT_H, 0 }, { 0x10000000 + 16 * n + 4, ACT_H, 0 },
			{ 0xffffffff, ACT_H, 0 }, { 0, ACT_H, 0 },
		};
		check_table(skel, t, ARRAY_SIZE(t));
	}
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

static void test_search_limits(void **state)
{
	static const uint32_t sizes[] = { 1, 2, 3, 7, 8, 9, 1000, 1023, 1024, 1025 };
	size_t i;

	(void)state;
	REQUIRE_BPF();
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		search_n(sizes[i], 1);
	search_n(SMCCC_POLICY_MAX_SEGMENTS, 977);
}

/* The rule (id) an exact ID or segment gives id, by a plain scan; 0 if none. */
static uint32_t seg_rule_of(const struct builder *b, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < b->c.nr_exact; i++)
		if (b->c.exact[i].func_id == id)
			return b->c.rules[b->c.chain[b->c.exact[i].chain.start]].id;
	for (i = 0; i < b->c.nr_segments; i++)
		if (id >= b->c.segments[i].first && id <= b->c.segments[i].last)
			return b->c.rules[b->c.chain[b->c.segments[i].chain.start]].id;
	return 0;
}

/*
 * Segment layouts the loader's index must cut right: one huge segment next
 * to dense clusters, lone segments at both ends of the ID space, runs of
 * adjacent single IDs; random layouts checked against a plain scan at every
 * boundary and at random IDs.
 */
static void test_segment_shapes(void **state)
{
	unsigned int seed;
	int layout;

	(void)state;
	REQUIRE_BPF();
	for (layout = 0; layout < 6; layout++) {
		struct policy_test_bpf *skel;
		struct builder b;
		uint64_t next;
		uint32_t i, r, k;

		seed = 1000 + layout;
		b_init(&b, ACT_H);
		if (layout == 0) {
			b_segment(&b, 0x00001000, 0x7fffffff, b_rule(&b, ACT_D));
			for (i = 0; i < 300; i++)
				b_segment(&b, 0x82000000 + 3 * i, 0x82000000 + 3 * i + 1,
					  b_rule(&b, ACT_F));
			b_segment(&b, 0xfffffff0, 0xffffffff, b_rule(&b, ACT_R));
		} else if (layout == 1) {
			for (i = 0; i < 1000; i++)	/* adjacent single IDs */
				b_segment(&b, 0xc4000000 + i, 0xc4000000 + i, b_rule(&b, ACT_D));
			b_segment(&b, 0xc5000000, 0xc5ffffff, b_rule(&b, ACT_F));
		} else {
			/* random gaps and lengths, from tiny to huge */
			next = rand_r(&seed) % 1000;
			for (i = 0; i < 2000 && next <= 0xffffffffull; i++) {
				uint64_t len = 1 + rand_r(&seed) % (layout == 5 ? 1u << 20 : 64);
				uint64_t last = next + len - 1;

				if (last > 0xffffffffull)
					last = 0xffffffffull;
				b_segment(&b, next, last, b_rule(&b, 1 + i % 3));
				next = last + 1 + (rand_r(&seed) % 4 ? rand_r(&seed) % 5000 : 0);
				if (layout == 4 && i % 100 == 99)
					next += 0x01000000;
			}
		}
		if (layout >= 3) {
			/* exact IDs in segments, in gaps, and beyond both ends */
			static const uint32_t ends[] = { 0, 5, 0xfffffffe, 0xffffffff };

			for (i = 0; i < 300; i++) {
				const struct smccc_policy_segment *sg =
					&b.c.segments[rand_r(&seed) % b.c.nr_segments];
				uint32_t id = i < 4 ? ends[i] : i % 2 ? sg->first + 1 : sg->last + 2;

				for (k = 0; k < b.c.nr_exact; k++)
					if (b.c.exact[k].func_id == id)
						break;
				if (k == b.c.nr_exact)
					b_exact(&b, id, b_rule(&b, ACT_LOG));
			}
		}
		skel = load(&b);
		for (i = 0; i < b.c.nr_exact; i++) {
			uint32_t id = b.c.exact[i].func_id;
			uint32_t probe[3] = { id - 1, id, id + 1 };

			for (k = 0; k < 3; k++) {
				r = seg_rule_of(&b, probe[k]);
				if (run(skel, probe[k]).rule != r)
					fail_msg("layout %d: %#x should be rule %u", layout,
						 probe[k], r);
			}
		}
		for (i = 0; i < b.c.nr_segments; i++) {
			uint32_t probe[4] = { b.c.segments[i].first - 1, b.c.segments[i].first,
					      b.c.segments[i].last, b.c.segments[i].last + 1 };

			for (k = 0; k < 4; k++) {
				r = seg_rule_of(&b, probe[k]);
				if (run(skel, probe[k]).rule != r)
					fail_msg("layout %d: %#x should be rule %u", layout,
						 probe[k], r);
			}
		}
		for (i = 0; i < 2000; i++) {
			uint32_t id = ((uint32_t)rand_r(&seed) << 16) ^ rand_r(&seed);

			r = seg_rule_of(&b, id);
			if (run(skel, id).rule != r)
				fail_msg("layout %d: %#x should be rule %u", layout, id, r);
		}
		policy_test_bpf__destroy(skel);
		b_free(&b);
	}
}

/*
 * Chains: source order, first match, the default when no candidate holds,
 * an exact ID inside a range (the compiler folded the range rule into the
 * exact ID's chain), a chain of the maximum length.
 */
static void test_chains(void **state)
{
	struct smccc_policy_verdict v;
	struct policy_test_bpf *skel;
	struct smccc_policy_call c;
	uint32_t a, bb, cc, e, rng, lst[SMCCC_POLICY_MAX_CHAIN_LEN], i;
	struct builder b;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	a = b_rule(&b, ACT_F);		/* 1: smc -> forward */
	b_cond(&b, a, SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_EQ, ~0ull, SMC);
	bb = b_rule(&b, ACT_R);		/* 2: vcpu 2 -> return */
	b_cond(&b, bb, SMCCC_POLICY_COND_VCPU, 0, SMCCC_POLICY_OP_EQ, ~0ull, 2);
	cc = b_rule(&b, ACT_H);		/* 3: otherwise handle */
	b_exact(&b, 0x84000001, a, bb, cc);
	b_exact(&b, 0x84000002, a, bb);	/* no fallback: the default */

	e = b_rule(&b, ACT_F);		/* 4: exact 0x82000010 if x1 == 1 */
	b_cond(&b, e, SMCCC_POLICY_COND_ARG, 1, SMCCC_POLICY_OP_EQ, ~0ull, 1);
	rng = b_rule(&b, ACT_R);	/* 5: range 0x82000000-0x820000ff */
	b_segment(&b, 0x82000000, 0x820000ff, rng);
	b_exact(&b, 0x82000010, e, rng);

	/* 16 candidates, only the last holds (vcpu 15). */
	for (i = 0; i < SMCCC_POLICY_MAX_CHAIN_LEN; i++) {
		lst[i] = b_rule(&b, i % 2 ? ACT_F : ACT_R);	/* 6..21 */
		b_cond(&b, lst[i], SMCCC_POLICY_COND_VCPU, 0, SMCCC_POLICY_OP_EQ, ~0ull, i);
	}
	b_exact_v(&b, 0x84000003, SMCCC_POLICY_MAX_CHAIN_LEN, lst);
	skel = load(&b);

	static const struct {
		uint32_t func_id, vcpu, x1;
		uint16_t conduit;
		uint8_t action;
		uint32_t rule;
	} t[] = {
		{ 0x84000001, 0, 0, HVC, ACT_H, 3 },
		{ 0x84000001, 0, 0, SMC, ACT_F, 1 },
		{ 0x84000001, 2, 0, SMC, ACT_F, 1 },	/* first match wins */
		{ 0x84000001, 2, 0, HVC, ACT_R, 2 },
		{ 0x84000002, 0, 0, HVC, ACT_D, 0 },	/* no candidate holds */
		{ 0x84000002, 2, 0, HVC, ACT_R, 2 },
		{ 0x82000010, 0, 1, HVC, ACT_F, 4 },	/* exact before range */
		{ 0x82000010, 0, 2, HVC, ACT_R, 5 },	/* then the folded range */
		{ 0x82000011, 0, 1, HVC, ACT_R, 5 },
		{ 0x84000003, 15, 0, HVC, ACT_F, 21 },	/* 16th candidate */
		{ 0x84000003, 0, 0, HVC, ACT_R, 6 },
		{ 0x84000003, 16, 0, HVC, ACT_D, 0 },
	};
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		c = mkcall(t[i].func_id, t[i].conduit, t[i].vcpu);
		c.args[0] = t[i].x1;
		v = run_call(skel, &c);
		if (v.action != t[i].action || v.rule != t[i].rule)
			fail_msg("case %u: action %u rule %u, expected %u rule %u", i,
				 v.action, v.rule, t[i].action, t[i].rule);
	}
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* Each operator, unsigned, masked, at value - 1, value, value + 1. */
static void test_cond_ops(void **state)
{
	static const struct {
		uint8_t op;
		bool below, equal, above;
	} ops[] = {
		{ SMCCC_POLICY_OP_EQ, false, true, false },
		{ SMCCC_POLICY_OP_NE, true, false, true },
		{ SMCCC_POLICY_OP_LT, true, false, false },
		{ SMCCC_POLICY_OP_LE, true, true, false },
		{ SMCCC_POLICY_OP_GT, false, false, true },
		{ SMCCC_POLICY_OP_GE, false, true, true },
	};
	struct policy_test_bpf *skel;
	struct builder b;
	uint32_t i, r;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		/* x2 bits 8..15 compared with 0x80; the other bits are noise */
		r = b_rule(&b, ACT_H);
		b_cond(&b, r, SMCCC_POLICY_COND_ARG, 2, ops[i].op, 0xff00, 0x8000);
		b_exact(&b, 0x82000100 + i, r);
		/* the same on the vCPU number, no mask, unsigned */
		r = b_rule(&b, ACT_H);
		b_cond(&b, r, SMCCC_POLICY_COND_VCPU, 0, ops[i].op, ~0ull, 5);
		b_exact(&b, 0x82000200 + i, r);
		/* 64-bit unsigned: ~0 is the largest value */
		r = b_rule(&b, ACT_H);
		b_cond(&b, r, SMCCC_POLICY_COND_ARG, 1, ops[i].op, ~0ull, 1ull << 63);
		b_exact(&b, 0x82000300 + i, r);
	}
	skel = load(&b);

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		static const uint64_t x2[3] = { 0xffff7fffull, 0x12348000ull, 0x000081ffull };
		static const uint32_t vcpu[3] = { 4, 5, 6 };
		static const uint64_t x1[3] = { (1ull << 63) - 1, 1ull << 63, ~0ull };
		bool want[3] = { ops[i].below, ops[i].equal, ops[i].above };
		int k;

		for (k = 0; k < 3; k++) {
			struct smccc_policy_call c = mkcall(0x82000100 + i, HVC, 0);
			struct smccc_policy_verdict v;

			c.args[1] = x2[k];
			v = run_call(skel, &c);
			if (v.action != (want[k] ? ACT_H : ACT_D))
				fail_msg("op %u, x2 %#llx: action %u", ops[i].op,
					 (unsigned long long)x2[k], v.action);

			c = mkcall(0x82000200 + i, HVC, vcpu[k]);
			v = run_call(skel, &c);
			if (v.action != (want[k] ? ACT_H : ACT_D))
				fail_msg("op %u, vcpu %u: action %u", ops[i].op, vcpu[k], v.action);

			c = mkcall(0x82000300 + i, HVC, 0);
			c.args[0] = x1[k];
			v = run_call(skel, &c);
			if (v.action != (want[k] ? ACT_H : ACT_D))
				fail_msg("op %u, x1 %#llx: action %u", ops[i].op,
					 (unsigned long long)x1[k], v.action);
		}
	}
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* Each condition kind: the conduit, the vCPU, every argument register x1..x17. */
static void test_cond_kinds(void **state)
{
	struct smccc_policy_verdict v;
	struct policy_test_bpf *skel;
	struct smccc_policy_call c;
	struct builder b;
	uint32_t r, reg, k;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	r = b_rule(&b, ACT_H);
	b_cond(&b, r, SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_EQ, ~0ull, HVC);
	b_exact(&b, 0x84000010, r);
	r = b_rule(&b, ACT_H);
	b_cond(&b, r, SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_EQ, ~0ull, SMC);
	b_exact(&b, 0x84000011, r);
	r = b_rule(&b, ACT_H);
	b_cond(&b, r, SMCCC_POLICY_COND_VCPU, 0, SMCCC_POLICY_OP_LT, ~0ull, 4);
	b_exact(&b, 0x84000012, r);
	/* x<reg> == 0x5500 + reg (low 16 bits), one rule per register */
	for (reg = 1; reg <= SMCCC_BPF_NR_ARGS; reg++) {
		r = b_rule(&b, ACT_R);
		b_cond(&b, r, SMCCC_POLICY_COND_ARG, reg, SMCCC_POLICY_OP_EQ, 0xffff, 0x5500 + reg);
		b_exact(&b, 0x83000000 + reg, r);
	}
	/* four conditions, all must hold */
	r = b_rule(&b, ACT_F);
	b_cond(&b, r, SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_EQ, ~0ull, SMC);
	b_cond(&b, r, SMCCC_POLICY_COND_VCPU, 0, SMCCC_POLICY_OP_GE, ~0ull, 1);
	b_cond(&b, r, SMCCC_POLICY_COND_ARG, 1, SMCCC_POLICY_OP_EQ, ~0ull, 0x10);
	b_cond(&b, r, SMCCC_POLICY_COND_ARG, 17, SMCCC_POLICY_OP_NE, 0xf, 0);
	b_exact(&b, 0x84000013, r);
	skel = load(&b);

	c = mkcall(0x84000010, HVC, 0);
	assert_int_equal(run_call(skel, &c).action, ACT_H);
	c.conduit = SMC;
	assert_int_equal(run_call(skel, &c).action, ACT_D);
	c = mkcall(0x84000011, SMC, 0);
	assert_int_equal(run_call(skel, &c).action, ACT_H);
	c.conduit = HVC;
	assert_int_equal(run_call(skel, &c).action, ACT_D);
	c = mkcall(0x84000012, HVC, 3);
	assert_int_equal(run_call(skel, &c).action, ACT_H);
	c.vcpu_id = 4;
	assert_int_equal(run_call(skel, &c).action, ACT_D);

	for (reg = 1; reg <= SMCCC_BPF_NR_ARGS; reg++) {
		/* only x<reg> matters: every other register holds the value */
		c = mkcall(0x83000000 + reg, HVC, 0);
		for (k = 0; k < SMCCC_BPF_NR_ARGS; k++)
			c.args[k] = 0x5500 + reg;
		c.args[reg - 1] = 0xabcd0000 + 0x5500 + reg;	/* high bits masked off */
		v = run_call(skel, &c);
		if (v.action != ACT_R || v.rule != 3 + reg)
			fail_msg("x%u: action %u rule %u", reg, v.action, v.rule);
		c.args[reg - 1] = 0x5500 + reg + 1;
		v = run_call(skel, &c);
		if (v.action != ACT_D)
			fail_msg("x%u mismatch: action %u", reg, v.action);
	}

	c = mkcall(0x84000013, SMC, 1);
	c.args[0] = 0x10;
	c.args[16] = 0x1;
	assert_int_equal(run_call(skel, &c).action, ACT_F);
	c.conduit = HVC;
	assert_int_equal(run_call(skel, &c).action, ACT_D);
	c.conduit = SMC;
	c.vcpu_id = 0;
	assert_int_equal(run_call(skel, &c).action, ACT_D);
	c.vcpu_id = 1;
	c.args[0] = 0x11;
	assert_int_equal(run_call(skel, &c).action, ACT_D);
	c.args[0] = 0x10;
	c.args[16] = 0x30;	/* & 0xf == 0 */
	assert_int_equal(run_call(skel, &c).action, ACT_D);

	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* Arm Architecture Calls: shown, never decided, counted as HANDLE. */
static void test_arch_calls(void **state)
{
	struct smccc_policy_verdict v;
	struct policy_test_bpf *skel;
	struct builder b;
	uint32_t r;
	size_t i;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	b_exact(&b, 0x80000000, b_rule(&b, ACT_D));
	r = b_rule(&b, ACT_R);
	R(&b, r)->flags = SMCCC_POLICY_F_AUDIT;
	b_segment(&b, 0x7fff0000, 0x8001ffff, r);
	b_segment(&b, 0xbfff0000, 0xc001ffff, r);
	skel = load(&b);

	static const uint32_t arch[] = { 0x80000000, 0x80000001, 0x80008000, 0x8000ffff,
					 0xc0000000, 0xc000ffff };
	for (i = 0; i < ARRAY_SIZE(arch); i++) {
		v = run(skel, arch[i]);
		assert_int_equal(v.action, ACT_H);
		assert_int_equal(v.decided, ACT_H);
		assert_int_equal(v.rule, 0);
		assert_int_equal(v.flags, SMCCC_POLICY_V_ARCH);
		assert_int_equal(stat(skel, VM, arch[i], ACT_H), 1);
	}
	static const struct expect t[] = {
		{ 0x7fffffff, ACT_R, 2 }, { 0x80010000, ACT_R, 2 },
		{ 0xbfffffff, ACT_R, 2 }, { 0xc0010000, ACT_R, 2 },
		{ 0x90000000, ACT_D, 0 },
	};
	check_table(skel, t, ARRAY_SIZE(t));

	struct evlist *l = calloc(1, sizeof(*l));

	consume(skel, l);
	assert_int_equal(l->n, 4);	/* the audited rule, never an arch call */
	for (i = 0; i < 4; i++)
		assert_false(smccc_bpf_is_arch_call(l->ev[i].func_id));
	free(l);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* Calls the rate-limited ID until one is over the limit; how many were not. */
static int allowed_burst(struct policy_test_bpf *skel, uint32_t func_id, uint64_t vm, int max)
{
	struct smccc_policy_call c = mkcall(func_id, HVC, 0);
	struct smccc_policy_verdict v;
	int n;

	c.vm_id = vm;
	for (n = 0; n < max; n++) {
		v = run_call(skel, &c);
		if (v.flags & SMCCC_POLICY_V_OVER_LIMIT) {
			assert_int_equal(v.action, ACT_D);	/* over_action */
			return n;
		}
		assert_int_equal(v.action, ACT_R);
		assert_int_equal(v.ret[0], 0x77);
	}
	return n;
}

/*
 * Token buckets: a full burst, then the over_action; refill by elapsed
 * time (bounds from CLOCK_MONOTONIC around a sleep); the cap at burst; one
 * bucket per (VM, rule); rate 0: burst calls in all.
 */
static void test_rate_limit(void **state)
{
	struct policy_test_bpf *skel;
	uint64_t t0, t1, t2, t3, lo, hi;
	struct builder b;
	uint32_t r;
	int n;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_H);
	r = b_rule(&b, ACT_R);	/* 5 calls/s (200 ms a token), burst 3, then deny */
	R(&b, r)->flags = SMCCC_POLICY_F_RATE;
	R(&b, r)->rate = 5;
	R(&b, r)->burst = 3;
	R(&b, r)->over_action = ACT_D;
	R(&b, r)->ret[0] = 0x77;
	b_exact(&b, 0x86000001, r);
	r = b_rule(&b, ACT_R);	/* no refill: 2 calls, ever */
	R(&b, r)->flags = SMCCC_POLICY_F_RATE;
	R(&b, r)->rate = 0;
	R(&b, r)->burst = 2;
	R(&b, r)->over_action = ACT_D;
	R(&b, r)->ret[0] = 0x77;
	b_exact(&b, 0x86000002, r);
	r = b_rule(&b, ACT_R);	/* 1 call a minute, burst 2 */
	R(&b, r)->flags = SMCCC_POLICY_F_RATE;
	R(&b, r)->rate = 1;
	R(&b, r)->period = 60;
	R(&b, r)->burst = 2;
	R(&b, r)->over_action = ACT_D;
	R(&b, r)->ret[0] = 0x77;
	b_exact(&b, 0x86000003, r);
	skel = load(&b);

	/* Per minute: a call costs 60 s of tokens, the bucket holds 120 s. */
	assert_int_equal(run(skel, 0x86000003).action, ACT_R);
	{
		struct smccc_policy_rate_key k = { .vm_id = VM, .rule = r };
		struct smccc_policy_bucket bk;

		assert_int_equal(bpf_map__lookup_elem(skel->maps.rate, &k, sizeof(k), &bk,
						      sizeof(bk), BPF_F_LOCK), 0);
		if (bk.tokens < 60000000000ull || bk.tokens > 61000000000ull)
			fail_msg("1/min burst 2, after one call: %llu ns of tokens, expected 60 s",
				 (unsigned long long)bk.tokens);
	}
	assert_int_equal(allowed_burst(skel, 0x86000003, VM, 10), 1);

	assert_int_equal(allowed_burst(skel, 0x86000001, VM, 10), 3);
	assert_int_equal(allowed_burst(skel, 0x86000001, VM + 1, 10), 3);	/* own bucket */

	/*
	 * Refill. The bucket holds less than a token at t0 (the call is over
	 * the limit); after the sleep it has what it held plus the time since:
	 * at least (t2 - t1) / 200 ms calls, at most (t3 - t0) / 200 ms + 1.
	 */
	t0 = now_ns();
	assert_int_equal(allowed_burst(skel, 0x86000001, VM, 10), 0);
	t1 = now_ns();
	usleep(500 * 1000);
	t2 = now_ns();
	n = allowed_burst(skel, 0x86000001, VM, 10);
	t3 = now_ns();
	lo = (t2 - t1) / 200000000ull;
	hi = (t3 - t0) / 200000000ull + 1;
	if (hi > 3)
		hi = 3;
	if ((uint64_t)n < lo || (uint64_t)n > hi)
		fail_msg("after %.1f-%.1f ms: %d calls, expected %llu-%llu",
			 (t2 - t1) / 1e6, (t3 - t0) / 1e6, n,
			 (unsigned long long)lo, (unsigned long long)hi);
	assert_true(n >= 2);

	/* The bucket holds burst calls at most, however long it waited. */
	usleep(800 * 1000);
	assert_int_equal(allowed_burst(skel, 0x86000001, VM, 10), 3);

	/* Rate 0. */
	assert_int_equal(allowed_burst(skel, 0x86000002, VM, 10), 2);
	usleep(100 * 1000);
	assert_int_equal(allowed_burst(skel, 0x86000002, VM, 10), 0);

	assert_int_equal(dropped(skel, SMCCC_POLICY_DROP_RATE), 0);
	/* Over-limit calls are counted as what the guest got. */
	assert_true(stat(skel, VM, 0x86000001, ACT_D) >= 3);
	assert_int_equal(stat(skel, VM + 1, 0x86000001, ACT_R), 3);
	assert_int_equal(stat(skel, VM + 1, 0x86000001, ACT_D), 1);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* A rule of rate calls a period (s), burst calls: returns 0x77, then denies. */
static uint32_t b_limit(struct builder *b, uint64_t rate, uint32_t period, uint64_t burst)
{
	uint32_t r = b_rule(b, ACT_R);

	R(b, r)->flags = SMCCC_POLICY_F_RATE;
	R(b, r)->rate = rate;
	R(b, r)->period = period;
	R(b, r)->burst = burst;
	R(b, r)->over_action = ACT_D;
	R(b, r)->ret[0] = 0x77;
	return r;
}

static uint64_t bucket_tokens(struct policy_test_bpf *skel, uint32_t rule)
{
	struct smccc_policy_rate_key k = { .vm_id = VM, .rule = rule };
	struct smccc_policy_bucket bk;

	assert_int_equal(bpf_map__lookup_elem(skel->maps.rate, &k, sizeof(k), &bk, sizeof(bk),
					      BPF_F_LOCK), 0);
	return bk.tokens;
}

/* Writes VM's bucket of rule, as an import or another tool may. */
static void bucket_set(struct policy_test_bpf *skel, uint32_t rule, uint64_t tokens,
		       uint64_t last_ns)
{
	struct smccc_policy_rate_key k = { .vm_id = VM, .rule = rule };
	struct smccc_policy_bucket bk;

	memset(&bk, 0, sizeof(bk));
	bk.tokens = tokens;
	bk.last_ns = last_ns;
	assert_int_equal(bpf_map__update_elem(skel->maps.rate, &k, sizeof(k), &bk, sizeof(bk),
					      BPF_ANY), 0);
}

#define MIN_NS		60000000000ull	/* what a call costs at 1/min */
#define MAX_BURST_1MIN	153722867ull	/* the compiler's largest at 1/min: 2^63 / MIN_NS */

/*
 * Buckets at the extremes. The largest bucket the compiler accepts at 1/min
 * and at the largest rate (test_policy_compile.c checks these are its
 * bounds): the first call passes from a full bucket and takes exactly one
 * call's worth; with no refill (the last call in the future) exactly as
 * many calls pass as whole tokens are left; a long wait fills it to its
 * cap, no more. Then what the compiler refuses but another tool may write:
 * a burst * cost past 2^64 saturates (it wrapped: 1/min burst 307445735
 * let no call through), tokens above the cap, and tokens + elapsed past
 * 2^64 (an import's tokens_ns), stop at the cap instead of wrapping.
 */
static void test_rate_limit_extremes(void **state)
{
	uint32_t r_min, r_max, r_wrap, r_sat, r_over;
	uint64_t cap, t0, t1, tok, future;
	struct policy_test_bpf *skel;
	struct builder b;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_H);
	r_min = b_limit(&b, 1, 60, MAX_BURST_1MIN);
	b_exact(&b, 0x86000001, r_min);
	r_max = b_limit(&b, 1000000000, 1, 1ull << 32);	/* a call costs 1 ns */
	b_exact(&b, 0x86000002, r_max);
	r_wrap = b_limit(&b, 1, 60, 307445735);	/* wrapped to 26290448384 ns < MIN_NS */
	b_exact(&b, 0x86000003, r_wrap);
	r_sat = b_limit(&b, 1, 60, 1ull << 32);	/* wrapped to 17890364801775828992 */
	b_exact(&b, 0x86000004, r_sat);
	r_over = b_limit(&b, 1, 1, 1ull << 32);	/* fits: 2^32 s */
	b_exact(&b, 0x86000005, r_over);
	skel = load(&b);
	future = now_ns() + 3600 * 1000000000ull;

	/* 1/min, burst 2^63 / 60 s */
	cap = MAX_BURST_1MIN * MIN_NS;
	t0 = now_ns();
	assert_int_equal(run(skel, 0x86000001).action, ACT_R);
	assert_true(bucket_tokens(skel, r_min) == cap - MIN_NS);
	assert_int_equal(run(skel, 0x86000001).action, ACT_R);
	t1 = now_ns();
	tok = bucket_tokens(skel, r_min);
	if (tok < cap - 2 * MIN_NS || tok > cap - 2 * MIN_NS + (t1 - t0))
		fail_msg("1/min burst %llu, after two calls: %llu ns of tokens, expected %llu + %llu",
			 MAX_BURST_1MIN, (unsigned long long)tok,
			 (unsigned long long)(cap - 2 * MIN_NS), (unsigned long long)(t1 - t0));
	bucket_set(skel, r_min, 3 * MIN_NS - 1, future);
	assert_int_equal(allowed_burst(skel, 0x86000001, VM, 10), 2);
	assert_true(bucket_tokens(skel, r_min) == MIN_NS - 1);
	bucket_set(skel, r_min, cap - 5, 1);	/* idle since boot: full again, not more */
	assert_int_equal(run(skel, 0x86000001).action, ACT_R);
	assert_true(bucket_tokens(skel, r_min) == cap - MIN_NS);

	/* 10^9/s, burst 2^32 */
	assert_int_equal(run(skel, 0x86000002).action, ACT_R);
	assert_true(bucket_tokens(skel, r_max) == (1ull << 32) - 1);
	bucket_set(skel, r_max, 5, future);
	assert_int_equal(allowed_burst(skel, 0x86000002, VM, 10), 5);
	assert_true(bucket_tokens(skel, r_max) == 0);

	/* burst * cost past 2^64: the cap saturates */
	assert_int_equal(allowed_burst(skel, 0x86000003, VM, 1), 1);
	assert_true(bucket_tokens(skel, r_wrap) == ~0ull - MIN_NS);
	assert_int_equal(run(skel, 0x86000004).action, ACT_R);
	assert_true(bucket_tokens(skel, r_sat) == ~0ull - MIN_NS);
	/* tokens + elapsed past 2^64: full */
	bucket_set(skel, r_sat, ~0ull - 10, now_ns() - 1000);
	assert_int_equal(run(skel, 0x86000004).action, ACT_R);
	assert_true(bucket_tokens(skel, r_sat) == ~0ull - MIN_NS);
	/* more tokens than the cap: the cap */
	bucket_set(skel, r_over, ~0ull, now_ns());
	assert_int_equal(run(skel, 0x86000005).action, ACT_R);
	assert_true(bucket_tokens(skel, r_over) == (1ull << 32) * 1000000000ull - 1000000000ull);

	assert_int_equal(dropped(skel, SMCCC_POLICY_DROP_RATE), 0);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* Permissive: decided as usual, recorded, but the guest always gets HANDLE. */
static void test_permissive(void **state)
{
	struct smccc_policy_verdict v;
	struct policy_test_bpf *skel;
	struct evlist *l;
	struct builder b;
	uint32_t r;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	b.c.config.permissive = 1;
	b_exact(&b, 0x84000050, b_rule(&b, ACT_D));
	r = b_rule(&b, ACT_R);
	R(&b, r)->ret[0] = 5;
	b_exact(&b, 0xc2000001, r);
	b_exact(&b, 0x84000000, b_rule(&b, ACT_H));
	b_exact(&b, 0x84000001, b_rule(&b, ACT_LOG));
	r = b_rule(&b, ACT_H);	/* one call, then deny */
	R(&b, r)->flags = SMCCC_POLICY_F_RATE;
	R(&b, r)->burst = 1;
	R(&b, r)->over_action = ACT_D;
	b_exact(&b, 0x86000001, r);
	skel = load(&b);

	v = run(skel, 0x84000050);
	assert_int_equal(v.action, ACT_H);
	assert_int_equal(v.decided, ACT_D);
	assert_int_equal(v.reason, SMCCC_POLICY_EV_PERMISSIVE);
	assert_int_equal(v.rule, 1);
	v = run(skel, 0xc2000001);
	assert_int_equal(v.action, ACT_H);
	assert_int_equal(v.decided, ACT_R);
	v = run(skel, 0x90000000);	/* the default, DENY */
	assert_int_equal(v.action, ACT_H);
	assert_int_equal(v.decided, ACT_D);
	assert_int_equal(v.rule, 0);
	v = run(skel, 0x84000000);	/* handled anyway: nothing to say */
	assert_int_equal(v.action, ACT_H);
	assert_int_equal(v.decided, ACT_H);
	assert_int_equal(v.reason, 0);
	v = run(skel, 0x84000001);	/* LOG still logs as LOG */
	assert_int_equal(v.action, ACT_H);
	assert_int_equal(v.decided, ACT_LOG);
	assert_int_equal(v.reason, SMCCC_POLICY_EV_LOG);
	v = run(skel, 0x86000001);
	assert_int_equal(v.reason, 0);
	v = run(skel, 0x86000001);	/* over the limit keeps its reason */
	assert_int_equal(v.action, ACT_H);
	assert_int_equal(v.decided, ACT_D);
	assert_int_equal(v.reason, SMCCC_POLICY_EV_OVER_LIMIT);

	assert_int_equal(stat(skel, VM, 0x84000050, ACT_H), 1);
	assert_int_equal(stat(skel, VM, 0x84000050, ACT_D), 0);

	l = calloc(1, sizeof(*l));
	consume(skel, l);
	assert_int_equal(l->n, 5);
	assert_int_equal(l->ev[4].reason, SMCCC_POLICY_EV_OVER_LIMIT);
	assert_int_equal(l->ev[4].action, ACT_H);
	assert_int_equal(l->ev[4].decided, ACT_D);
	assert_int_equal(l->ev[0].func_id, 0x84000050);
	assert_int_equal(l->ev[0].action, ACT_H);
	assert_int_equal(l->ev[0].decided, ACT_D);
	assert_int_equal(l->ev[0].reason, SMCCC_POLICY_EV_PERMISSIVE);
	assert_int_equal(l->ev[1].decided, ACT_R);
	assert_int_equal(l->ev[2].rule, 0);
	assert_int_equal(l->ev[2].decided, ACT_D);
	assert_int_equal(l->ev[3].reason, SMCCC_POLICY_EV_LOG);
	free(l);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

static void pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	assert_int_equal(sched_setaffinity(0, sizeof(set), &set), 0);
}

/*
 * Statistics: per (VM, function ID, what the guest got), summed over the
 * CPUs the calls ran on; nothing dropped.
 */
/* ---- discovery answers (handled()) --------------------------------------- */

struct answer {
	uint64_t ret[4];
	bool changed;
};

/* KVM answered `ret` to discovery call func_id(x1 = about): what the guest gets. */
static struct answer discover(struct policy_test_bpf *skel, uint32_t func_id, uint32_t about,
			      uint16_t conduit, uint64_t r0, uint64_t r1, uint64_t r2, uint64_t r3)
{
	struct smccc_policy_answer a;
	/* A syscall program's context is copied back into ctx_in. */
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	struct answer out;

	memset(&a, 0, sizeof(a));
	a.call = mkcall(func_id, conduit, 1);
	a.call.args[0] = about;
	a.ret[0] = r0;
	a.ret[1] = r1;
	a.ret[2] = r2;
	a.ret[3] = r3;
	a.changed = 0xee;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.policy_discovery), &o), 0);
	assert_int_equal(o.retval, a.changed);
	memcpy(out.ret, a.ret, sizeof(out.ret));
	out.changed = a.changed;
	return out;
}

#define NOT_SUPP	SMCCC_BPF_RET_NOT_SUPPORTED

static void build_hiding(struct builder *b, uint8_t def, uint8_t discovery)
{
	uint32_t r;

	b_init(b, def);
	b->c.config.discovery = discovery;
	b_exact(b, 0x84000012, b_rule(b, ACT_D));		/* SYSTEM_RESET2 */
	b_exact(b, 0x84000003, b_rule(b, ACT_H));		/* CPU_ON */
	r = b_rule(b, ACT_D);					/* SYSTEM_OFF with x1 == 5 */
	b_cond(b, r, SMCCC_POLICY_COND_ARG, 1, SMCCC_POLICY_OP_EQ, ~0ull, 5);
	b_exact(b, 0x84000008, r);
	r = b_rule(b, ACT_D);					/* PV_TIME_FEATURES over SMC */
	b_cond(b, r, SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_EQ, ~0ull, SMC);
	b_exact(b, 0xc5000020, r);
	r = b_rule(b, ACT_D);					/* PV_TIME_ST, over its limit */
	R(b, r)->flags = SMCCC_POLICY_F_RATE;
	R(b, r)->action = ACT_H;
	R(b, r)->over_action = ACT_D;
	R(b, r)->burst = 1;
	b_exact(b, 0xc5000021, r);
	b_exact(b, 0x86000001, b_rule(b, ACT_D));		/* KVM PTP */
	b_exact(b, 0x86000042, b_rule(b, ACT_D));		/* KVM function 66 */
	b_exact(b, 0x80008000, b_rule(b, ACT_D));		/* WORKAROUND_1: never hidden */
	r = b_rule(b, ACT_D);					/* TRNG, both conventions */
	b_segment(b, 0x84000050, 0x8400005f, r);
	b_segment(b, 0xc4000050, 0xc400005f, r);
}

static void test_discovery(void **state)
{
	struct policy_test_bpf *skel;
	struct builder b;
	struct answer a;

	(void)state;
	REQUIRE_BPF();
	build_hiding(&b, ACT_H, SMCCC_POLICY_DISCOVERY_HIDE_DENIED);
	skel = load(&b);

	/* PSCI_FEATURES: the denied function is gone, x1..x3 untouched. */
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000012, HVC, 0, 7, 8, 9);
	assert_true(a.changed);
	assert_true(a.ret[0] == NOT_SUPP && a.ret[1] == 7 && a.ret[2] == 8 && a.ret[3] == 9);
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000003, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	assert_int_equal(a.ret[0], 0);
	/* Already absent: nothing to change. */
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000012, SMC, NOT_SUPP, 0, 0, 0);
	assert_false(a.changed);
	/* Judged with zero arguments: "deny if x1 == 5" does not hide SYSTEM_OFF. */
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000008, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	/* Judged with the querying call's conduit. */
	a = discover(skel, SMCCC_BPF_ARCH_FEATURES, 0xc5000020, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	a = discover(skel, SMCCC_BPF_ARCH_FEATURES, 0xc5000020, SMC, 0, 0, 0, 0);
	assert_true(a.changed);
	assert_true(a.ret[0] == NOT_SUPP);
	/* Within the rate limit: PV_TIME_ST stays, and the query took no token. */
	a = discover(skel, SMCCC_BPF_ARCH_FEATURES, 0xc5000021, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	a = discover(skel, SMCCC_BPF_ARCH_FEATURES, 0xc5000021, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	assert_int_equal(run(skel, 0xc5000021).action, ACT_H);	/* the bucket's one token */
	/* Arm architecture calls are never hidden, whatever the rules say. */
	a = discover(skel, SMCCC_BPF_ARCH_FEATURES, 0x80008000, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	/* TRNG_FEATURES about TRNG_RND64. */
	a = discover(skel, SMCCC_BPF_TRNG_FEATURES, 0xc4000053, HVC, 0, 0, 0, 0);
	assert_true(a.changed && a.ret[0] == NOT_SUPP);
	/* KVM's bitmap: the bits of hidden functions go, every other bit stays. */
	a = discover(skel, SMCCC_BPF_KVM_FEATURES, 0, HVC, 0x23, 0x10, 0x6, 0x80000000);
	assert_true(a.changed);
	assert_true(a.ret[0] == 0x21 && a.ret[1] == 0x10 && a.ret[2] == 0x2 && a.ret[3] == 0x80000000);
	a = discover(skel, SMCCC_BPF_KVM_FEATURES, 0, HVC, 0x1, 0, 0, 0);
	assert_false(a.changed);
	/* Any other call's answer is left alone. */
	a = discover(skel, 0x84000000, 0x84000012, HVC, 0x10001, 0, 0, 0);
	assert_false(a.changed);
	assert_int_equal(a.ret[0], 0x10001);
	/* Queries change nothing: no count, no event. */
	assert_int_equal(stat(skel, VM, 0x84000012, ACT_D), 0);
	assert_int_equal(stat(skel, VM, SMCCC_BPF_PSCI_FEATURES, ACT_H), 0);
	policy_test_bpf__destroy(skel);
	b_free(&b);

	/* A default deny hides every function no rule names. */
	build_hiding(&b, ACT_D, SMCCC_POLICY_DISCOVERY_HIDE_DENIED);
	skel = load(&b);
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000001, HVC, 0, 0, 0, 0);
	assert_true(a.changed && a.ret[0] == NOT_SUPP);
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000003, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	policy_test_bpf__destroy(skel);
	b_free(&b);

	/* discovery keep, and permissive mode, change no answer. */
	build_hiding(&b, ACT_H, SMCCC_POLICY_DISCOVERY_KEEP);
	skel = load(&b);
	a = discover(skel, SMCCC_BPF_PSCI_FEATURES, 0x84000012, HVC, 0, 0, 0, 0);
	assert_false(a.changed);
	assert_int_equal(a.ret[0], 0);
	policy_test_bpf__destroy(skel);
	b_free(&b);
	build_hiding(&b, ACT_H, SMCCC_POLICY_DISCOVERY_HIDE_DENIED);
	b.c.config.permissive = 1;
	skel = load(&b);
	a = discover(skel, SMCCC_BPF_KVM_FEATURES, 0, HVC, 0x3, 0, 0, 0);
	assert_false(a.changed);
	assert_int_equal(a.ret[0], 0x3);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

static void test_stats(void **state)
{
	struct policy_test_bpf *skel;
	struct smccc_policy_call c;
	cpu_set_t saved;
	struct builder b;
	int ncpus = libbpf_num_possible_cpus(), i, cpu;
	uint64_t vm;

	(void)state;
	REQUIRE_BPF();
	assert_int_equal(sched_getaffinity(0, sizeof(saved), &saved), 0);
	b_init(&b, ACT_H);
	b_exact(&b, 0x84000050, b_rule(&b, ACT_D));
	b_exact(&b, 0xc2000001, b_rule(&b, ACT_R));
	b_exact(&b, 0x84000001, b_rule(&b, ACT_LOG));	/* counted as HANDLE */
	skel = load(&b);

	/* 10 rounds, spread over the CPUs we may run on, two VMs. */
	for (i = 0; i < 10; i++) {
		cpu = i % (ncpus > 0 ? ncpus : 1);
		if (CPU_ISSET(cpu, &saved))
			pin_cpu(cpu);
		for (vm = VM; vm <= VM + 1; vm++) {
			c = mkcall(0x84000050, HVC, 0);
			c.vm_id = vm;
			run_call(skel, &c);
			if (vm == VM) {
				run_call(skel, &c);	/* twice in VM */
				c.func_id = 0xc2000001;
				run_call(skel, &c);
				c.func_id = 0x84000001;
				run_call(skel, &c);
				c.func_id = 0x80000000;	/* arch */
				run_call(skel, &c);
				c.func_id = 0x12345678;	/* default */
				run_call(skel, &c);
			}
		}
	}
	assert_int_equal(sched_setaffinity(0, sizeof(saved), &saved), 0);

	assert_int_equal(stat(skel, VM, 0x84000050, ACT_D), 20);
	assert_int_equal(stat(skel, VM + 1, 0x84000050, ACT_D), 10);
	assert_int_equal(stat(skel, VM, 0xc2000001, ACT_R), 10);
	assert_int_equal(stat(skel, VM, 0x84000001, ACT_H), 10);
	assert_int_equal(stat(skel, VM, 0x84000001, SMCCC_POLICY_ACT_LOG), 0);
	assert_int_equal(stat(skel, VM, 0x80000000, ACT_H), 10);
	assert_int_equal(stat(skel, VM, 0x12345678, ACT_H), 10);
	assert_int_equal(stat(skel, VM + 1, 0xc2000001, ACT_R), 0);
	assert_int_equal(stat(skel, VM, 0x84000050, ACT_H), 0);
	for (i = 0; i < SMCCC_POLICY_NR_DROP; i++)
		assert_int_equal(dropped(skel, i), 0);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* A full statistics map: the calls are still decided, the loss counted. */
static void test_stats_full(void **state)
{
	struct opts o = { .stats_entries = 4 };
	struct policy_test_bpf *skel;
	struct builder b;
	uint32_t i;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	skel = load_opts(&b, &o);
	for (i = 0; i < 10; i++)
		assert_int_equal(run(skel, 0x90000000 + i).action, ACT_D);
	assert_int_equal(run(skel, 0x90000000).action, ACT_D);
	assert_int_equal(stat(skel, VM, 0x90000000, ACT_D), 2);
	assert_int_equal(dropped(skel, SMCCC_POLICY_DROP_STATS), 6);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/*
 * Audit events: every field, each reason (deny, forward, return, handle as
 * LOG, the LOG action, over the limit, the audited default), none for
 * unaudited rules.
 */
static void test_events(void **state)
{
	struct policy_test_bpf *skel;
	struct smccc_policy_call c;
	struct evlist *l;
	struct builder b;
	uint64_t t0, t1;
	uint32_t r;
	int i;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_D);
	b.c.config.default_audit = 1;
	r = b_rule(&b, ACT_D);				/* 1 */
	R(&b, r)->flags = SMCCC_POLICY_F_AUDIT;
	b_exact(&b, 0x84000050, r);
	r = b_rule(&b, ACT_F);				/* 2 */
	R(&b, r)->flags = SMCCC_POLICY_F_AUDIT;
	b_exact(&b, 0x83000001, r);
	r = b_rule(&b, ACT_R);				/* 3 */
	R(&b, r)->flags = SMCCC_POLICY_F_AUDIT;
	b_exact(&b, 0xc2000001, r);
	r = b_rule(&b, ACT_H);				/* 4 */
	R(&b, r)->flags = SMCCC_POLICY_F_AUDIT;
	b_exact(&b, 0x84000000, r);
	b_exact(&b, 0x84000001, b_rule(&b, ACT_LOG));	/* 5, not audited: still logs */
	r = b_rule(&b, ACT_H);				/* 6: one call, then over */
	R(&b, r)->flags = SMCCC_POLICY_F_AUDIT | SMCCC_POLICY_F_RATE;
	R(&b, r)->burst = 1;
	R(&b, r)->over_action = ACT_D;
	b_exact(&b, 0x86000001, r);
	b_exact(&b, 0x84000002, b_rule(&b, ACT_D));	/* 7, not audited */
	b_exact(&b, 0x84000003, b_rule(&b, ACT_H));	/* 8, not audited */
	r = b_rule(&b, ACT_H);				/* 9: not audited, over -> LOG */
	R(&b, r)->flags = SMCCC_POLICY_F_RATE;
	R(&b, r)->burst = 1;
	R(&b, r)->over_action = ACT_LOG;
	b_exact(&b, 0x86000002, r);
	r = b_rule(&b, ACT_F);				/* 10: not audited, over -> deny */
	R(&b, r)->flags = SMCCC_POLICY_F_RATE;
	R(&b, r)->burst = 1;
	R(&b, r)->over_action = ACT_D;
	b_exact(&b, 0x86000003, r);
	skel = load(&b);

	static const struct {
		uint32_t func_id;
		uint8_t action, decided, reason;	/* reason 0: no event */
		uint32_t rule;
	} t[] = {
		{ 0x84000050, ACT_D, ACT_D, SMCCC_POLICY_EV_DENY, 1 },
		{ 0x83000001, ACT_F, ACT_F, SMCCC_POLICY_EV_FORWARD, 2 },
		{ 0xc2000001, ACT_R, ACT_R, SMCCC_POLICY_EV_RETURN, 3 },
		{ 0x84000000, ACT_H, ACT_H, SMCCC_POLICY_EV_LOG, 4 },
		{ 0x84000001, ACT_H, ACT_LOG, SMCCC_POLICY_EV_LOG, 5 },
		{ 0x86000001, ACT_H, ACT_H, SMCCC_POLICY_EV_LOG, 6 },
		{ 0x86000001, ACT_D, ACT_D, SMCCC_POLICY_EV_OVER_LIMIT, 6 },
		{ 0x84000002, ACT_D, ACT_D, 0, 7 },
		{ 0x84000003, ACT_H, ACT_H, 0, 8 },
		{ 0x86000002, ACT_H, ACT_H, 0, 9 },
		{ 0x86000002, ACT_H, ACT_LOG, SMCCC_POLICY_EV_OVER_LIMIT, 9 },
		{ 0x86000003, ACT_F, ACT_F, 0, 10 },
		{ 0x86000003, ACT_D, ACT_D, SMCCC_POLICY_EV_OVER_LIMIT, 10 },
		{ 0x90000000, ACT_D, ACT_D, SMCCC_POLICY_EV_DENY, 0 },	/* audited default */
	};
	t0 = now_ns();
	for (i = 0; i < (int)ARRAY_SIZE(t); i++) {
		struct smccc_policy_verdict v;

		c = mkcall(t[i].func_id, i % 2 ? SMC : HVC, i);
		c.imm = 0x100 + i;
		c.args[0] = 0x1000 + i;
		c.args[1] = 0x2000 + i;
		c.args[2] = ~0ull - i;
		v = run_call(skel, &c);
		if (v.action != t[i].action || v.decided != t[i].decided ||
		    v.reason != t[i].reason || v.rule != t[i].rule)
			fail_msg("case %d: action %u decided %u reason %u rule %u", i, v.action,
				 v.decided, v.reason, v.rule);
		assert_int_equal(!!(v.flags & SMCCC_POLICY_V_EVENT), !!t[i].reason);
		assert_false(v.flags & SMCCC_POLICY_V_EVENT_LOST);
	}
	t1 = now_ns();

	l = calloc(1, sizeof(*l));
	consume(skel, l);
	int n = 0;

	for (i = 0; i < (int)ARRAY_SIZE(t); i++) {
		struct smccc_policy_event *e;

		if (!t[i].reason)
			continue;
		assert_true(n < l->n);
		e = &l->ev[n++];
		assert_int_equal(e->func_id, t[i].func_id);
		assert_int_equal(e->vm_id, VM);
		assert_int_equal(e->vcpu_id, i);
		assert_int_equal(e->conduit, i % 2 ? SMC : HVC);
		assert_int_equal(e->imm, 0x100 + i);
		assert_int_equal(e->rule, t[i].rule);
		assert_int_equal(e->action, t[i].action);
		assert_int_equal(e->decided, t[i].decided);
		assert_int_equal(e->reason, t[i].reason);
		assert_int_equal(e->args[0], 0x1000 + i);
		assert_int_equal(e->args[1], 0x2000 + i);
		assert_true(e->args[2] == ~0ull - i);
		assert_true(e->time_ns >= t0 && e->time_ns <= t1);
		assert_int_equal(e->pad[0] | e->pad[1] | e->pad[2] | e->pad[3] | e->pad[4], 0);
	}
	assert_int_equal(l->n, n);
	assert_int_equal(dropped(skel, SMCCC_POLICY_DROP_EVENTS), 0);
	free(l);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* A full ring buffer: the decision stands, the event is counted as dropped. */
static void test_events_full(void **state)
{
	struct opts o = { .events_bytes = 4096 };
	struct policy_test_bpf *skel;
	struct smccc_policy_verdict v;
	struct evlist *l;
	struct builder b;
	int i, lost = 0;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_LOG);
	skel = load_opts(&b, &o);
	for (i = 0; i < 100; i++) {
		v = run(skel, 0x90000000);
		assert_int_equal(v.action, ACT_H);
		lost += !!(v.flags & SMCCC_POLICY_V_EVENT_LOST);
	}
	l = calloc(1, sizeof(*l));
	consume(skel, l);
	assert_true(lost > 0);
	assert_int_equal(l->n + lost, 100);
	assert_int_equal(dropped(skel, SMCCC_POLICY_DROP_EVENTS), lost);
	assert_int_equal(stat(skel, VM, 0x90000000, ACT_H), 100);
	/* Consumed: room again. */
	v = run(skel, 0x90000000);
	assert_false(v.flags & SMCCC_POLICY_V_EVENT_LOST);
	free(l);
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* 100,000 rules (exact IDs and ranges) load and decide right. */
static void test_large_policy(void **state)
{
	struct policy_test_bpf *skel;
	struct builder b;
	uint32_t i, r;

	(void)state;
	REQUIRE_BPF();
	b_init(&b, ACT_H);
	for (i = 0; i < 100000; i++) {
		r = b_rule(&b, 1 + i % 3);
		if (i % 2)
			b_exact(&b, 0x82000000 + i, r);
		else
			b_segment(&b, 0xa0000000 + 64 * i, 0xa0000000 + 64 * i + 31, r);
	}
	skel = load(&b);
	for (i = 0; i < 100000; i += 7) {
		const struct expect t[] = {
			{ i % 2 ? 0x82000000 + i : 0xa0000000 + 64 * i + 17, 1 + i % 3, i + 1 },
			{ 0xa0000000 + 64 * i + 40, ACT_H, 0 },
		};
		check_table(skel, t, ARRAY_SIZE(t));
	}
	policy_test_bpf__destroy(skel);
	b_free(&b);
}

/* The loader refuses what would make the program decide wrongly. */
static void test_check(void **state)
{
	struct builder b;
	char err[256];
	uint32_t r;

	(void)state;
	b_init(&b, ACT_H);
	r = b_rule(&b, ACT_D);
	b_exact(&b, 0x84000000, r);
	b_segment(&b, 0x10, 0x20, r);
	b_segment(&b, 0x30, 0x40, r);
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), 0);

	b.c.segments[1].first = 0x20;	/* overlaps */
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "segment 1"));
	b.c.segments[1].first = 0x41;	/* first > last */
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	b.c.segments[1].first = 0x30;

	b.c.chain[0] = 5;		/* no such rule */
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	b.c.chain[0] = r;
	b.c.exact[0].chain.len = 4;	/* outside the chain map */
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	b.c.exact[0].chain.len = SMCCC_POLICY_MAX_CHAIN_LEN + 1;
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	b.c.exact[0].chain.len = 1;

	b_cond(&b, r, SMCCC_POLICY_COND_ARG, 18, SMCCC_POLICY_OP_EQ, ~0ull, 0);
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	R(&b, r)->conds[0].reg = 17;
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), 0);
	R(&b, r)->conds[0].op = 6;
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	R(&b, r)->conds[0].op = 0;
	R(&b, r)->action = 4;
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	R(&b, r)->action = ACT_LOG;
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), 0);
	b.c.config.nr_segments = 0;	/* the loader sets it */
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), 0);
	b.c.config.default_action = ACT_R;	/* no values to return */
	assert_int_equal(smccc_policy_check(&b.c, err, sizeof(err)), -EINVAL);
	b_free(&b);
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* CapEff has CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON. */
static bool bpf_capable_now(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff & (1ull << 21)) || ((eff & (1ull << 39)) && (eff & (1ull << 38)));
}

/*
 * Can we load BPF at all? Missing privileges (or a bpf() the sandbox
 * refuses) skip; a verifier rejection fails every test.
 */
static int group_setup(void **state)
{
	struct policy_test_bpf *skel;
	int err;

	(void)state;
	libbpf_set_print(quiet_print);
	if (!bpf_capable_now()) {
		fprintf(stderr, "test_policy_prog: not privileged (needs root, or CAP_BPF + "
			"CAP_PERFMON): skipping the tests that load BPF\n");
		bpf_state = 1;
		return 0;
	}
	skel = policy_test_bpf__open();
	if (!skel)
		return -1;
	err = policy_test_bpf__load(skel);
	policy_test_bpf__destroy(skel);
	if (err == -EPERM) {
		fprintf(stderr, "test_policy_prog: bpf() refused (%s): skipping the tests "
			"that load BPF\n", strerror(-err));
		bpf_state = 1;
		return 0;
	}
	if (err)
		fprintf(stderr, "test_policy_prog: the test program does not load: %s\n",
			strerror(-err));
	return err ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_default_only),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_search_limits),
		cmocka_unit_test(test_segment_shapes),
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_cond_ops),
		cmocka_unit_test(test_cond_kinds),
		cmocka_unit_test(test_arch_calls),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_rate_limit_extremes),
		cmocka_unit_test(test_permissive),
		cmocka_unit_test(test_discovery),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_full),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_events_full),
		cmocka_unit_test(test_large_policy),
	};

	return cmocka_run_group_tests_name("policy_prog", tests, group_setup, NULL);
}
