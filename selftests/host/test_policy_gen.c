// SPDX-License-Identifier: GPL-2.0
/*
 * The fuzzer's random policy and call generator (selftests/fuzz/policy_gen.c):
 * reproducible from its seed, different across seeds, compiling (on the
 * first attempt for nearly every seed), covering every construct of the
 * language across seeds, keeping its rate limits predictable and forward
 * out when asked, and making calls that reach every class of function ID,
 * both conduits and every immediate, with arguments that make the
 * policy's conditions hold on some calls and not on others.
 *
 * What is checked is read back from the generated text by the policy
 * parser and compiler, not taken from the generator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy_compile.h"
#include "policy_eval.h"
#include "policy_gen.h"
#include "policy_parser.h"
#include "policy_services.h"

#define NR_SEEDS	2000
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char text[POLICY_GEN_TEXT_MAX], text2[POLICY_GEN_TEXT_MAX];

static int gen(uint64_t seed, const struct policy_gen_opts *o, char *buf)
{
	struct policy_gen_rng r;
	int n;

	policy_gen_seed(&r, seed, 0);
	n = policy_gen_text(&r, o, buf, POLICY_GEN_TEXT_MAX);
	if (n < 0)
		fail_msg("seed %llu: the text does not fit in POLICY_GEN_TEXT_MAX",
			 (unsigned long long)seed);
	return n;
}

/* 0 if it compiles (out filled), else -1 with the diagnostics printed once. */
static int try_compile(const char *t, size_t n, struct smccc_compiled *out, bool show)
{
	struct policy_diags d = { 0 };
	int err = policy_compile_text("gen.policy", t, n, out, NULL, &d);

	if (err && show)
		printf("# this text does not compile:\n%s\n%s", t, policy_diags_text(&d));
	policy_diags_free(&d);
	return err;
}

/* The call as the policy sees it: x1..x17 cut to 32 bits for an SMC32/HVC32 ID. */
static void to_eval(const struct policy_gen_call *g, struct policy_call *pc)
{
	unsigned int i;

	memset(pc, 0, sizeof(*pc));
	pc->func_id = g->func_id;
	pc->conduit = g->conduit;
	pc->vcpu_id = g->vcpu;
	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++)
		pc->args[i] = g->func_id & 0x40000000u ? g->args[i] : (uint32_t)g->args[i];
}

static uint32_t named(const char *name)
{
	uint32_t ids[2];

	if (!smccc_function_ids(name, ids))
		fail_msg("no function %s", name);
	return ids[0];
}

/* ---- the generator of random numbers ---- */

static void test_rng(void **state)
{
	/* xoshiro256** from its reference state {1, 2, 3, 4} */
	struct policy_gen_rng r = { { 1, 2, 3, 4 } };
	static const uint64_t ref[] = { 11520, 0, 1509978240, 1215971899390074240ull };
	/* and seeded: pinned, so that another architecture or compiler must agree */
	static const uint64_t seeded[] = {
		0xfb5405f7bd79c540ull, 0x780c98e26cea5883ull, 0x2a146e0980febc66ull,
	};
	static const uint64_t stream[] = {
		0x4150452ab869a892ull, 0x63980fc0383ce41bull, 0x6276ee9c4552e56dull,
	};
	static const uint64_t below[] = { 419226, 152436, 166741 };
	uint64_t hist[7] = { 0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ref); i++)
		assert_int_equal(policy_gen_next(&r), ref[i]);
	policy_gen_seed(&r, 0, 0);
	for (i = 0; i < ARRAY_SIZE(seeded); i++)
		assert_int_equal(policy_gen_next(&r), seeded[i]);
	policy_gen_seed(&r, 42, 7);
	for (i = 0; i < ARRAY_SIZE(stream); i++)
		assert_int_equal(policy_gen_next(&r), stream[i]);
	policy_gen_seed(&r, 42, 7);
	for (i = 0; i < ARRAY_SIZE(below); i++)
		assert_int_equal(policy_gen_below(&r, 1000003), below[i]);

	/* streams of one seed differ; below() stays below and is even */
	policy_gen_seed(&r, 42, 8);
	assert_int_not_equal(policy_gen_next(&r), stream[0]);
	assert_int_equal(policy_gen_below(&r, 0), 0);
	assert_int_equal(policy_gen_below(&r, 1), 0);
	for (i = 0; i < 70000; i++) {
		uint64_t v = policy_gen_below(&r, 7);

		assert_true(v < 7);
		hist[v]++;
	}
	for (i = 0; i < 7; i++)
		assert_true(hist[i] > 9000 && hist[i] < 11000);
}

/* ---- reproducible, and different across seeds ---- */

static void gen_calls(struct policy_gen_rng *r, const struct policy_gen_pool *p,
		      struct policy_gen_call *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		policy_gen_call(r, p, &c[i]);
}

static void test_same_seed(void **state)
{
	struct policy_gen_call c1[50], c2[50];
	struct policy_gen_pool p1, p2;
	struct policy_gen_opts o1 = { .nr_vcpus = 2, .pool = &p1 }, o2 = o1;
	struct policy_gen_rng r1, r2;
	struct smccc_compiled k1, k2;
	unsigned int a1, a2;
	uint64_t seed;
	int n1, n2;

	(void)state;
	o2.pool = &p2;
	for (seed = 0; seed < 300; seed++) {
		policy_gen_seed(&r1, seed, 3);
		policy_gen_seed(&r2, seed, 3);
		n1 = policy_gen_text(&r1, &o1, text, sizeof(text));
		n2 = policy_gen_text(&r2, &o2, text2, sizeof(text2));
		assert_true(n1 > 0);
		assert_int_equal(n1, n2);
		assert_memory_equal(text, text2, (size_t)n1 + 1);
		assert_memory_equal(&p1, &p2, sizeof(p1));
		gen_calls(&r1, &p1, c1, 50);
		gen_calls(&r2, &p2, c2, 50);
		assert_memory_equal(c1, c2, sizeof(c1));

		/* policy_gen_compiled(): the same text, attempts and compiled form */
		policy_gen_seed(&r1, seed, 4);
		policy_gen_seed(&r2, seed, 4);
		assert_int_equal(policy_gen_compiled(&r1, &o1, text, sizeof(text), &k1, &a1), 0);
		assert_int_equal(policy_gen_compiled(&r2, &o2, text2, sizeof(text2), &k2, &a2), 0);
		assert_string_equal(text, text2);
		assert_int_equal(a1, a2);
		assert_int_equal(k1.nr_rules, k2.nr_rules);
		if (k1.nr_rules)
			assert_memory_equal(k1.rules, k2.rules, k1.nr_rules * sizeof(*k1.rules));
		assert_int_equal(policy_gen_next(&r1), policy_gen_next(&r2));
		smccc_compiled_free(&k1);
		smccc_compiled_free(&k2);
	}
}

static uint64_t fnv1a(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned int distinct(uint64_t *h, unsigned int n)
{
	unsigned int i, d = n ? 1 : 0;

	qsort(h, n, sizeof(*h), cmp_u64);
	for (i = 1; i < n; i++)
		d += h[i] != h[i - 1];
	return d;
}

static void test_seeds_differ(void **state)
{
	static uint64_t texts[NR_SEEDS], calls[NR_SEEDS], streams[NR_SEEDS];
	struct policy_gen_pool p;
	struct policy_gen_opts o = { .nr_vcpus = 2, .pool = &p };
	struct policy_gen_rng r;
	struct policy_gen_call c;
	unsigned int i, dt, dc, ds;
	int n;

	(void)state;
	for (i = 0; i < NR_SEEDS; i++) {
		n = gen(i, &o, text);
		texts[i] = fnv1a(text, (size_t)n);
		policy_gen_seed(&r, i, 0);
		policy_gen_call(&r, NULL, &c);
		calls[i] = fnv1a(&c, sizeof(c));
		/* one seed, other streams */
		policy_gen_seed(&r, 5, i);
		n = policy_gen_text(&r, &o, text, sizeof(text));
		streams[i] = fnv1a(text, (size_t)n);
	}
	dt = distinct(texts, NR_SEEDS);
	dc = distinct(calls, NR_SEEDS);
	ds = distinct(streams, NR_SEEDS);
	printf("# distinct over %u seeds: %u texts, %u first calls;", NR_SEEDS, dt, dc);
	printf(" %u texts of one seed's %u streams\n", ds, NR_SEEDS);
	/* a policy of statements only can repeat; anything else should not */
	assert_true(dt >= NR_SEEDS * 99 / 100);
	assert_true(ds >= NR_SEEDS * 99 / 100);
	assert_true(dc >= NR_SEEDS * 99 / 100);
}

/* ---- it compiles ---- */

static void compile_rate(const char *what, const struct policy_gen_opts *o, unsigned int min_pct)
{
	struct smccc_compiled c;
	unsigned int i, ok = 0, shown = 0, rules = 0, most = 0;
	size_t longest = 0;
	int n;

	for (i = 0; i < NR_SEEDS; i++) {
		n = gen(i, o, text);
		if ((size_t)n > longest)
			longest = (size_t)n;
		if (!try_compile(text, (size_t)n, &c, shown < 2)) {
			ok++;
			rules += c.nr_rules;
			if (c.nr_rules > most)
				most = c.nr_rules;
			smccc_compiled_free(&c);
		} else {
			shown++;
		}
	}
	printf("# first attempt compiles (%s): %u/%u = %.2f%%", what, ok, NR_SEEDS,
	       100.0 * ok / NR_SEEDS);
	printf(", %.1f rules on average, at most %u, longest text %zu bytes\n",
	       ok ? (double)rules / ok : 0.0, most, longest);
	assert_true(ok * 100 >= min_pct * NR_SEEDS);
	assert_true(most <= (o->max_rules ? o->max_rules : POLICY_GEN_DEFAULT_RULES));
}

static void test_compile_rate(void **state)
{
	struct policy_gen_opts o = { .nr_vcpus = 2 };

	(void)state;
	compile_rate("defaults", &o, 95);
	o.no_forward = true;
	compile_rate("no_forward", &o, 95);
	o.no_forward = false;
	o.max_rules = 1;
	compile_rate("max_rules 1", &o, 95);
	o.max_rules = 16;
	compile_rate("max_rules 16", &o, 95);
	/* beyond 16 rules the chain bound comes into play */
	o.max_rules = POLICY_GEN_MAX_RULES;
	compile_rate("max_rules 64", &o, 95);
}

/* policy_gen_compiled() always hands back a policy that compiles, forward-free if asked. */
static void test_compiled_always(void **state)
{
	struct policy_gen_opts o = { .nr_vcpus = 4 };
	struct policy_gen_rng r;
	struct smccc_compiled c, again;
	unsigned int i, k, attempts, total = 0;
	char small[40];

	(void)state;
	for (i = 0; i < NR_SEEDS; i++) {
		o.no_forward = i & 1;
		o.max_rules = i % 3 ? 0 : POLICY_GEN_MAX_RULES;
		policy_gen_seed(&r, i, 1);
		attempts = 0;
		assert_int_equal(policy_gen_compiled(&r, &o, text, sizeof(text), &c, &attempts), 0);
		assert_true(attempts >= 1 && attempts <= POLICY_GEN_MAX_ATTEMPTS);
		total += attempts;
		/* buf holds the text that compiled, to the same result */
		assert_int_equal(try_compile(text, strlen(text), &again, true), 0);
		assert_int_equal(again.nr_rules, c.nr_rules);
		smccc_compiled_free(&again);
		if (o.no_forward) {
			assert_int_not_equal(c.config.default_action, SMCCC_BPF_ACT_FWD_TO_USER);
			for (k = 0; k < c.nr_rules; k++) {
				const struct smccc_policy_rule *pr = &c.rules[k];

				assert_int_not_equal(pr->action, SMCCC_BPF_ACT_FWD_TO_USER);
				assert_int_not_equal(pr->over_action, SMCCC_BPF_ACT_FWD_TO_USER);
			}
		}
		smccc_compiled_free(&c);
	}
	printf("# policy_gen_compiled: %u attempts for %u policies\n", total, NR_SEEDS);

	/* no text fits: every attempt fails, the fallback (statements only) compiles */
	policy_gen_seed(&r, 1, 0);
	o.no_forward = false;
	assert_int_equal(policy_gen_compiled(&r, &o, small, sizeof(small), &c, &attempts), 0);
	assert_int_equal(attempts, POLICY_GEN_MAX_ATTEMPTS + 1);
	assert_int_equal(c.config.default_action, SMCCC_BPF_ACT_FWD_TO_USER);
	smccc_compiled_free(&c);
	o.no_forward = true;
	assert_int_equal(policy_gen_compiled(&r, &o, small, sizeof(small), &c, &attempts), 0);
	assert_int_equal(c.config.default_action, SMCCC_BPF_ACT_DENY);
	smccc_compiled_free(&c);
	assert_int_equal(policy_gen_compiled(&r, &o, small, 8, &c, &attempts), -1);
}

static void test_small_buffer(void **state)
{
	struct policy_gen_rng r;
	char b[64];
	unsigned int seed;
	int n;

	(void)state;
	for (seed = 0;; seed++) {
		n = gen(seed, NULL, text);
		if ((size_t)n >= sizeof(b))
			break;
	}
	policy_gen_seed(&r, seed, 0);
	memset(b, 'x', sizeof(b));
	assert_int_equal(policy_gen_text(&r, NULL, b, sizeof(b)), -1);
	assert_non_null(memchr(b, '\0', sizeof(b)));
	assert_int_equal(policy_gen_text(&r, NULL, b, 0), -1);
}

/* ---- every construct ---- */

#define CONSTRUCTS(X) \
	X(STMT_POLICY) X(DEFAULT_HANDLE) X(DEFAULT_DENY) X(DEFAULT_FORWARD) X(DEFAULT_LOG) \
	X(NO_DEFAULT) X(MODE_ENFORCE) X(MODE_PERMISSIVE) X(DISCOVERY_KEEP) \
	X(DISCOVERY_HIDE_DENIED) X(STMT_AFTER_RULE) X(NO_RULES) \
	X(ACT_HANDLE) X(ACT_DENY) X(ACT_FORWARD) X(ACT_LOG) \
	X(RETURN_1) X(RETURN_2) X(RETURN_3) X(RETURN_4) X(RETURN_CONSTANT) X(RETURN_NEGATIVE) \
	X(RETURN_TOP_BIT_UNSIGNED) \
	X(MATCH_ID) X(MATCH_ID_NAMED) X(MATCH_ID_UNNAMED) X(MATCH_ID_CONSTANT) \
	X(MATCH_RANGE) X(MATCH_RANGE_YIELDING) X(MATCH_SERVICE) X(MATCH_SERVICE_32_64) \
	X(MATCH_FUNCTION) X(MATCH_FUNCTION_BARE) X(MATCH_FUNCTION_32) X(MATCH_FUNCTION_64) \
	X(MATCHES_2) X(MATCHES_4) \
	X(CONDUIT_EQ_HVC) X(CONDUIT_EQ_SMC) X(CONDUIT_NE_HVC) X(CONDUIT_NE_SMC) \
	X(VCPU_EQ) X(VCPU_NE) X(VCPU_LT) X(VCPU_LE) X(VCPU_GT) X(VCPU_GE) \
	X(ARG_EQ) X(ARG_NE) X(ARG_LT) X(ARG_LE) X(ARG_GT) X(ARG_GE) \
	X(ARG_MASKED) X(ARG_UNMASKED) X(ARG_REGISTERS) X(ARG_VALUE_NEGATIVE) X(ARG_CONSTANT) \
	X(CONDS_1) X(CONDS_2) X(CONDS_3) X(CONDS_4) \
	X(LIMIT_PER_S) X(LIMIT_PER_MIN) X(UNIT_S) X(UNIT_SEC) X(UNIT_SECOND) X(UNIT_MIN) \
	X(UNIT_MINUTE) X(BURST) X(NO_BURST) X(NO_THEN) X(THEN_HANDLE) X(THEN_DENY) \
	X(THEN_FORWARD) X(THEN_RETURN) X(THEN_LOG) X(RETURN_THEN_RETURN) \
	X(VH_TAKEOVER) X(VH_TAKEOVER_COND) X(VH_KEPT_RULE) X(VH_DEFAULT_FORWARD) \
	X(HEX_UPPER) X(UNDERSCORE) X(COMMENT) X(STRING_ESCAPE) X(OPERATOR_UNSPACED) \
	X(MULTILINE_RULE)

#define X_ENUM(n) C_##n,
#define X_NAME(n) #n,
enum { CONSTRUCTS(X_ENUM) NR_CONSTRUCTS };
static const char *const construct_names[] = { CONSTRUCTS(X_NAME) };

/* The text of the token at loc (line and column, 1-based). */
static const char *at(const char *t, struct policy_loc loc)
{
	uint32_t line = 1;

	while (line < loc.line && *t) {
		if (*t++ == '\n')
			line++;
	}
	return t + loc.col - 1;
}

/* c occurs in [a, b) (b NULL: nowhere) */
static bool between(const char *a, const char *b, char c)
{
	return b && b > a && memchr(a, c, (size_t)(b - a));
}

static bool upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool covers(const struct policy_match *m, uint32_t first, uint32_t last)
{
	const struct smccc_service *s;
	unsigned int k;

	if (m->kind == POLICY_MATCH_RANGE)
		return m->first <= first && m->last >= last;
	s = m->kind == POLICY_MATCH_SERVICE ? smccc_service_find(m->name) : NULL;
	if (!s)
		return false;
	for (k = 0; k < s->nr_ranges; k++)
		if (s->ranges[k].first <= first && s->ranges[k].last >= last)
			return true;
	return false;
}

static bool names_vendor_hyp(const struct policy_match *m)
{
	uint32_t ids[2];
	int n, k;

	switch (m->kind) {
	case POLICY_MATCH_ID:
		return m->first >> 16 == 0x8600 || m->first >> 16 == 0xc600;
	case POLICY_MATCH_FUNCTION:
		n = smccc_function_ids(m->name, ids);
		for (k = 0; k < n; k++)
			if (ids[k] >> 16 == 0x8600 || ids[k] >> 16 == 0xc600)
				return true;
		return false;
	default:
		return covers(m, 0x86000000, 0x86000000) || covers(m, 0xc6000000, 0xc6000000);
	}
}

static void seen_action(unsigned long *cov, const struct policy_action *a, const char *t,
			bool then)
{
	unsigned int i;

	switch (a->kind) {
	case SMCCC_BPF_ACT_HANDLE:
		cov[then ? C_THEN_HANDLE : C_ACT_HANDLE]++;
		return;
	case SMCCC_BPF_ACT_DENY:
		cov[then ? C_THEN_DENY : C_ACT_DENY]++;
		return;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		cov[then ? C_THEN_FORWARD : C_ACT_FORWARD]++;
		return;
	case SMCCC_POLICY_ACT_LOG:
		cov[then ? C_THEN_LOG : C_ACT_LOG]++;
		return;
	}
	if (then)
		cov[C_THEN_RETURN]++;
	else
		cov[C_RETURN_1 + a->nr_ret - 1]++;
	for (i = 0; i < a->nr_ret; i++) {
		const char *v = at(t, a->ret_loc[i]);

		if (upper(*v))
			cov[C_RETURN_CONSTANT]++;
		else if (*v == '-')
			cov[C_RETURN_NEGATIVE]++;
		else if (a->ret[i] >> 63)
			cov[C_RETURN_TOP_BIT_UNSIGNED]++;
	}
}

/* After the count of a limit: "/unit" or "/ unit". */
static unsigned int unit_of(const char *t, struct policy_loc count_loc)
{
	/* longest first: "s" is a prefix of the others */
	static const char *const units[] = { "second", "sec", "s", "minute", "min" };
	static const unsigned int construct[] = {
		C_UNIT_SECOND, C_UNIT_SEC, C_UNIT_S, C_UNIT_MINUTE, C_UNIT_MIN,
	};
	const char *p = strchr(at(t, count_loc), '/');
	unsigned int u;

	assert_non_null(p);
	for (p++; *p == ' '; p++)
		;
	for (u = 0; u < ARRAY_SIZE(units); u++) {
		size_t n = strlen(units[u]);

		if (!strncmp(p, units[u], n) && !((p[n] >= 'a' && p[n] <= 'z')))
			break;
	}
	assert_true(u < ARRAY_SIZE(units));
	return construct[u];
}

static unsigned int default_construct(uint8_t kind)
{
	switch (kind) {
	case SMCCC_BPF_ACT_HANDLE:
		return C_DEFAULT_HANDLE;
	case SMCCC_BPF_ACT_DENY:
		return C_DEFAULT_DENY;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		return C_DEFAULT_FORWARD;
	case SMCCC_POLICY_ACT_LOG:
		return C_DEFAULT_LOG;
	}
	fail_msg("default action %u", kind);
	return 0;
}

static void seen_text(unsigned long *cov, const char *t)
{
	const char *p;

	for (p = t; *p; p++) {
		if (p[0] == '0' && p[1] == 'X')
			cov[C_HEX_UPPER]++;
		if (p[0] == '_' && p > t && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' &&
		    p[1] <= '9')
			cov[C_UNDERSCORE]++;
		if (p[0] == '#')
			cov[C_COMMENT]++;
		if ((p[0] == 'x' && p[1] >= '1' && p[1] <= '9' && p[2] == '&') ||
		    (p[0] == '=' && p[1] == '=' && (p[2] == '0' || p[2] == 'h' || p[2] == 's')))
			cov[C_OPERATOR_UNSPACED]++;
	}
	p = strstr(t, "policy \"");
	if (p && between(p, strchr(p, '\n'), '\\'))
		cov[C_STRING_ESCAPE]++;
}

static void seen_rule(unsigned long *cov, const struct policy_rule *pr, const char *t,
		      uint32_t *regs)
{
	unsigned int k, len;
	bool vh = false, vh_all = false, hvc;

	seen_action(cov, &pr->action, t, false);
	if (pr->nr_matches >= 2)
		cov[C_MATCHES_2]++;
	if (pr->nr_matches == 4)
		cov[C_MATCHES_4]++;
	for (k = 0; k < pr->nr_matches; k++) {
		const struct policy_match *m = &pr->matches[k];
		char name[64];

		vh |= names_vendor_hyp(m);
		vh_all |= covers(m, 0x86000000, 0x8600ffff);
		switch (m->kind) {
		case POLICY_MATCH_ID:
			cov[C_MATCH_ID]++;
			cov[smccc_function_name((uint32_t)m->first, name, sizeof(name)) ?
			    C_MATCH_ID_NAMED : C_MATCH_ID_UNNAMED]++;
			if (upper(*at(t, m->arg_loc)))
				cov[C_MATCH_ID_CONSTANT]++;
			break;
		case POLICY_MATCH_RANGE:
			cov[C_MATCH_RANGE]++;
			if (!(m->last & 0x80000000u))
				cov[C_MATCH_RANGE_YIELDING]++;
			break;
		case POLICY_MATCH_SERVICE:
			cov[C_MATCH_SERVICE]++;
			len = (unsigned int)strlen(m->name);
			if (len > 2 && (!strcmp(m->name + len - 2, "32") ||
					!strcmp(m->name + len - 2, "64")))
				cov[C_MATCH_SERVICE_32_64]++;
			break;
		case POLICY_MATCH_FUNCTION:
			cov[C_MATCH_FUNCTION]++;
			len = (unsigned int)strlen(m->name);
			if (!strcmp(m->name + len - 2, "32"))
				cov[C_MATCH_FUNCTION_32]++;
			else if (!strcmp(m->name + len - 2, "64"))
				cov[C_MATCH_FUNCTION_64]++;
			else
				cov[C_MATCH_FUNCTION_BARE]++;
			break;
		}
	}
	if (pr->nr_conds)
		cov[C_CONDS_1 + pr->nr_conds - 1]++;
	for (k = 0; k < pr->nr_conds; k++) {
		const struct policy_cond *c = &pr->conds[k];

		switch (c->kind) {
		case SMCCC_POLICY_COND_CONDUIT:
			hvc = c->value == SMCCC_BPF_CONDUIT_HVC;
			if (c->op == SMCCC_POLICY_OP_EQ)
				cov[hvc ? C_CONDUIT_EQ_HVC : C_CONDUIT_EQ_SMC]++;
			else
				cov[hvc ? C_CONDUIT_NE_HVC : C_CONDUIT_NE_SMC]++;
			break;
		case SMCCC_POLICY_COND_VCPU:
			cov[C_VCPU_EQ + c->op]++;
			break;
		case SMCCC_POLICY_COND_ARG:
			cov[C_ARG_EQ + c->op]++;
			*regs |= 1u << c->reg;
			cov[between(at(t, c->loc), at(t, c->value_loc), '&') ? C_ARG_MASKED :
			    C_ARG_UNMASKED]++;
			if (*at(t, c->value_loc) == '-')
				cov[C_ARG_VALUE_NEGATIVE]++;
			if (upper(*at(t, c->value_loc)))
				cov[C_ARG_CONSTANT]++;
			break;
		}
	}
	if (pr->has_limit) {
		const struct policy_limit *l = &pr->limit;

		cov[l->per == 60 ? C_LIMIT_PER_MIN : C_LIMIT_PER_S]++;
		cov[unit_of(t, l->count_loc)]++;
		cov[l->has_burst ? C_BURST : C_NO_BURST]++;
		if (l->has_then)
			seen_action(cov, &l->then, t, true);
		else
			cov[C_NO_THEN]++;
		if (l->has_then && l->then.kind == SMCCC_BPF_ACT_RETURN &&
		    pr->action.kind == SMCCC_BPF_ACT_RETURN)
			cov[C_RETURN_THEN_RETURN]++;
	}
	if (vh_all && (pr->action.kind == SMCCC_BPF_ACT_FWD_TO_USER ||
		       pr->action.kind == SMCCC_BPF_ACT_RETURN)) {
		cov[C_VH_TAKEOVER]++;
		if (pr->nr_conds)
			cov[C_VH_TAKEOVER_COND]++;
	} else if (vh) {
		cov[C_VH_KEPT_RULE]++;
	}
	if (between(at(t, pr->loc), strchr(at(t, pr->loc), ';'), '\n'))
		cov[C_MULTILINE_RULE]++;
}

/* A compiled limit is one the driver can predict (policy_gen.h). */
static void check_limits(const struct smccc_compiled *c, unsigned long *slow, unsigned long *fast)
{
	uint32_t k;

	for (k = 0; k < c->nr_rules; k++) {
		const struct smccc_policy_rule *r = &c->rules[k];

		if (!(r->flags & SMCCC_POLICY_F_RATE))
			continue;
		if (r->period == 60) {
			if (r->rate < 1 || r->rate > 6 || r->burst < 1 || r->burst > 8)
				fail_msg("rule %u: %llu/min burst %llu", r->id,
					 (unsigned long long)r->rate, (unsigned long long)r->burst);
			/* a token costs at least 10 s */
			assert_true(policy_token_cost(r) >= 10000000000ull);
			(*slow)++;
		} else {
			if (r->period != 1 || r->rate < 1000 || r->burst < 1000000)
				fail_msg("rule %u: %llu per %u s burst %llu", r->id,
					 (unsigned long long)r->rate, r->period,
					 (unsigned long long)r->burst);
			(*fast)++;
		}
	}
}

static void test_coverage(void **state)
{
	static unsigned long cov[NR_CONSTRUCTS];
	size_t nr_svc, nr_fn, i;
	const struct smccc_service *svc = smccc_services(&nr_svc);
	const struct smccc_function *fn = smccc_functions(&nr_fn);
	unsigned long *svc_seen = calloc(nr_svc, sizeof(*svc_seen));
	unsigned long *fn_seen = calloc(nr_fn, sizeof(*fn_seen));
	unsigned long slow = 0, fast = 0, missing = 0, least = ~0ul;
	struct policy_gen_opts o = { .nr_vcpus = 2 };
	struct smccc_compiled c;
	uint32_t regs = 0, r, k;
	unsigned int seed, least_at = 0;
	int n;

	(void)state;
	assert_non_null(svc_seen);
	assert_non_null(fn_seen);
	for (seed = 0; seed < NR_SEEDS; seed++) {
		struct policy_src src = { "gen.policy", text, 0 };
		struct policy_diags d = { 0 };
		struct policy_ast ast;

		n = gen(seed, &o, text);
		src.len = (size_t)n;
		assert_int_equal(policy_parse(&src, &ast, &d), 0);
		policy_diags_free(&d);

		if (ast.name)
			cov[C_STMT_POLICY]++;
		if (!ast.has_default)
			cov[C_NO_DEFAULT]++;
		else
			cov[default_construct(ast.default_action.kind)]++;
		if (ast.has_default && ast.default_action.kind == SMCCC_BPF_ACT_FWD_TO_USER)
			cov[C_VH_DEFAULT_FORWARD]++;
		if (ast.has_mode)
			cov[ast.permissive ? C_MODE_PERMISSIVE : C_MODE_ENFORCE]++;
		if (ast.has_discovery)
			cov[ast.hide_denied ? C_DISCOVERY_HIDE_DENIED : C_DISCOVERY_KEEP]++;
		if (!ast.nr_rules)
			cov[C_NO_RULES]++;
		if (ast.nr_rules && ast.has_mode && ast.mode_loc.line > ast.rules[0].loc.line)
			cov[C_STMT_AFTER_RULE]++;
		for (r = 0; r < ast.nr_rules; r++) {
			seen_rule(cov, &ast.rules[r], text, &regs);
			for (k = 0; k < ast.rules[r].nr_matches; k++) {
				const struct policy_match *m = &ast.rules[r].matches[k];
				uint32_t ids[2];

				if (m->kind == POLICY_MATCH_SERVICE)
					svc_seen[smccc_service_find(m->name) - svc]++;
				if (m->kind != POLICY_MATCH_FUNCTION ||
				    !smccc_function_ids(m->name, ids))
					continue;
				for (i = 0; i < nr_fn; i++)
					if (!strncmp(fn[i].name, m->name, strlen(fn[i].name)) &&
					    (ids[0] == fn[i].id32 || ids[0] == fn[i].id64))
						fn_seen[i]++;
			}
		}
		seen_text(cov, text);
		policy_ast_free(&ast);

		/* (test_compile_rate says how many compile) */
		if (!try_compile(text, (size_t)n, &c, false)) {
			check_limits(&c, &slow, &fast);
			smccc_compiled_free(&c);
		}
	}
	/* the registers x1..x17 conditions test: all of them, or ARG_REGISTERS is missing */
	cov[C_ARG_REGISTERS] = regs == 0x3fffe ? (unsigned long)__builtin_popcount(regs) : 0;

	printf("# constructs over %u seeds (policies, rules, conditions... with it):\n",
	       NR_SEEDS);
	for (i = 0; i < NR_CONSTRUCTS; i++) {
		printf("%s  %-24s %7lu%s", i % 3 ? "" : "#", construct_names[i], cov[i],
		       i % 3 == 2 || i + 1 == NR_CONSTRUCTS ? "\n" : "");
		if (!cov[i])
			missing++;
		if (i != C_ARG_REGISTERS && cov[i] < least) {
			least = cov[i];
			least_at = (unsigned int)i;
		}
	}
	printf("# %u constructs, %lu missing; the rarest: %s (%lu)\n", NR_CONSTRUCTS, missing,
	       construct_names[least_at], least);
	for (i = 0; i < NR_CONSTRUCTS; i++)
		if (!cov[i])
			fail_msg("construct %s never generated in %u seeds", construct_names[i],
				 NR_SEEDS);

	/* every nameable service and function, from the tables */
	for (i = 0; i < nr_svc; i++) {
		bool arch = svc[i].ranges[0].first == 0x80000000u;

		if (!arch && !svc_seen[i])
			fail_msg("service %s never named", svc[i].name);
		if (arch && svc_seen[i])
			fail_msg("service %s named", svc[i].name);
	}
	for (i = 0; i < nr_fn; i++) {
		bool arch = (fn[i].id32 >> 16) == 0x8000;

		if (!arch && !fn_seen[i])
			fail_msg("function %s never named", fn[i].name);
		if (arch && fn_seen[i])
			fail_msg("function %s named", fn[i].name);
	}
	printf("# all of the %zu services and %zu functions named but the architecture's\n",
	       nr_svc, nr_fn);
	printf("# limits: %lu per minute, %lu per second, all predictable\n", slow, fast);
	assert_true(slow > 0 && fast > 0);
	free(svc_seen);
	free(fn_seen);
}

/* ---- calls ---- */

#define CALL_CLASSES(X) \
	X(POOL_ID) X(TABLE_FUNCTION) X(NO_SERVICE) X(SMCCC_VERSION) X(ARCH_FEATURES) \
	X(ARCH_FEATURES_OF_POOL_ID) X(ARCH_FEATURES_OF_TABLE_ID) X(WORKAROUND_1) \
	X(WORKAROUND_2) X(WORKAROUND_3) X(OTHER_ARCH) X(SVE_HINT) X(YIELDING) X(BITS_23_17) \
	X(SMC64_FLIP) X(PSCI_FEATURES_OF_ID) X(TRNG_FEATURES_OF_ID) X(HVC) X(SMC) \
	X(HVC_IMM_0) X(HVC_IMM_1) X(HVC_IMM_1234) X(HVC_IMM_FFFF) X(SMC_IMM_0) X(SMC_IMM_1) \
	X(UPPER_BITS_SMC32) X(ARG_POOL_VALUE) X(DESTRUCTIVE) X(NONDETERMINISTIC)

enum { CALL_CLASSES(X_ENUM) NR_CALL_CLASSES };
static const char *const call_class_names[] = { CALL_CLASSES(X_NAME) };

static bool in_pool(const struct policy_gen_pool *p, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < p->nr_ids; i++)
		if (p->ids[i] == id)
			return true;
	return false;
}

static bool in_tables(uint32_t id)
{
	char name[64];

	return smccc_function_name(id, name, sizeof(name)) != NULL;
}

static bool in_service(uint32_t id)
{
	char name[64];

	return smccc_id_describe(id, name, sizeof(name))[0] != '\0';
}

static void test_calls(void **state)
{
	static unsigned long cov[NR_CALL_CLASSES];
	struct policy_gen_pool p;
	struct policy_gen_opts o = { .nr_vcpus = 3, .pool = &p };
	struct policy_gen_rng r;
	struct policy_gen_call c;
	unsigned long vcpus[3] = { 0 }, smc = 0, calls = 0;
	uint32_t arch_features = named("smccc.arch_features"), version = named("smccc.version");
	uint32_t wa1 = named("smccc.arch_workaround_1"), wa2 = named("smccc.arch_workaround_2");
	uint32_t wa3 = named("smccc.arch_workaround_3"), psci_features = named("psci.features");
	uint32_t trng_features = named("trng.features");
	unsigned int seed, i, j;

	(void)state;
	for (seed = 0; seed < 300; seed++) {
		gen(seed, &o, text);
		policy_gen_seed(&r, seed, 9);
		for (j = 0; j < 200; j++) {
			uint32_t id, x1;

			policy_gen_call(&r, &p, &c);
			calls++;
			id = c.func_id;
			x1 = (uint32_t)c.args[0];
			if (in_pool(&p, id))
				cov[C_POOL_ID]++;
			if (in_tables(id))
				cov[C_TABLE_FUNCTION]++;
			if (!in_service(id))
				cov[C_NO_SERVICE]++;
			if (id == version)
				cov[C_SMCCC_VERSION]++;
			else if (id == arch_features)
				cov[C_ARCH_FEATURES]++;
			else if (id == wa1)
				cov[C_WORKAROUND_1]++;
			else if (id == wa2)
				cov[C_WORKAROUND_2]++;
			else if (id == wa3)
				cov[C_WORKAROUND_3]++;
			else if ((id & 0xbfff0000u) == 0x80000000u)
				cov[C_OTHER_ARCH]++;
			if (id == arch_features && in_pool(&p, x1) && x1 >> 16 != 0x8000)
				cov[C_ARCH_FEATURES_OF_POOL_ID]++;
			if (id == arch_features && in_tables(x1))
				cov[C_ARCH_FEATURES_OF_TABLE_ID]++;
			if (id == psci_features && (in_pool(&p, x1) || in_tables(x1)))
				cov[C_PSCI_FEATURES_OF_ID]++;
			if (id == trng_features && (in_pool(&p, x1) || in_tables(x1)))
				cov[C_TRNG_FEATURES_OF_ID]++;
			if (id & 0x10000u)
				cov[C_SVE_HINT]++;
			if (!(id & 0x80000000u))
				cov[C_YIELDING]++;
			if (id & 0x00fe0000u)
				cov[C_BITS_23_17]++;
			if (!in_tables(id) && !in_pool(&p, id) &&
			    (in_tables(id ^ 0x40000000u) || in_pool(&p, id ^ 0x40000000u)))
				cov[C_SMC64_FLIP]++;
			if (c.conduit == SMCCC_BPF_CONDUIT_HVC) {
				cov[C_HVC]++;
				switch (c.imm) {
				case 0:
					cov[C_HVC_IMM_0]++;
					break;
				case 1:
					cov[C_HVC_IMM_1]++;
					break;
				case 0x1234:
					cov[C_HVC_IMM_1234]++;
					break;
				case 0xffff:
					cov[C_HVC_IMM_FFFF]++;
					break;
				default:
					fail_msg("HVC immediate 0x%x", c.imm);
				}
			} else {
				assert_int_equal(c.conduit, SMCCC_BPF_CONDUIT_SMC);
				assert_true(c.imm <= 1);
				cov[C_SMC]++;
				cov[c.imm ? C_SMC_IMM_1 : C_SMC_IMM_0]++;
				smc++;
			}
			assert_true(c.vcpu < 3);
			vcpus[c.vcpu]++;
			for (i = 0; i < SMCCC_BPF_NR_ARGS; i++) {
				unsigned int v;

				if (!(id & 0x40000000u) && c.args[i] >> 32)
					cov[C_UPPER_BITS_SMC32]++;
				for (v = 0; v < p.nr_values; v++)
					if (c.args[i] == p.values[v] && p.values[v] > 16)
						cov[C_ARG_POOL_VALUE]++;
			}
			if (policy_gen_call_is_destructive(id))
				cov[C_DESTRUCTIVE]++;
			if (policy_gen_call_is_nondeterministic(id))
				cov[C_NONDETERMINISTIC]++;
		}
	}
	printf("# call classes over %lu calls:\n", calls);
	for (i = 0; i < NR_CALL_CLASSES; i++)
		printf("%s  %-26s %6lu%s", i % 3 ? "" : "#", call_class_names[i], cov[i],
		       i % 3 == 2 || i + 1 == NR_CALL_CLASSES ? "\n" : "");
	printf("# vCPUs %lu %lu %lu\n", vcpus[0], vcpus[1], vcpus[2]);
	for (i = 0; i < NR_CALL_CLASSES; i++)
		if (!cov[i])
			fail_msg("no call of class %s", call_class_names[i]);
	for (i = 0; i < 3; i++)
		assert_true(vcpus[i] > 0);
	/* SMC immediates: mostly 0 */
	assert_true(cov[C_SMC_IMM_0] * 100 >= smc * 80);
	assert_true(cov[C_HVC] > calls / 3 && cov[C_SMC] > calls / 3);

	/* without a pool: vCPU 0, anything else still possible */
	policy_gen_seed(&r, 1, 1);
	for (j = 0; j < 1000; j++) {
		policy_gen_call(&r, NULL, &c);
		assert_int_equal(c.vcpu, 0);
	}
}

/* Conditions hold on some generated calls and fail on others; rules decide some calls. */
static void test_conditions_both_ways(void **state)
{
	struct policy_gen_pool p;
	struct policy_gen_opts o = { .nr_vcpus = 2, .pool = &p };
	struct policy_gen_call calls[300];
	struct policy_gen_rng r;
	struct smccc_compiled c;
	unsigned long conds = 0, both = 0, decided = 0, total = 0, by_kind[4][2] = { { 0 } };
	unsigned int seed, j;
	uint32_t k, m;
	int n;

	(void)state;
	for (seed = 0; seed < 500; seed++) {
		n = gen(seed, &o, text);
		if (try_compile(text, (size_t)n, &c, false))
			continue;
		policy_gen_seed(&r, seed, 2);
		gen_calls(&r, &p, calls, ARRAY_SIZE(calls));
		for (k = 0; k < c.nr_rules; k++) {
			for (m = 0; m < c.rules[k].nr_conds; m++) {
				const struct smccc_policy_cond *cd = &c.rules[k].conds[m];
				unsigned int held = 0;

				for (j = 0; j < ARRAY_SIZE(calls); j++) {
					struct policy_call pc;

					to_eval(&calls[j], &pc);
					held += policy_cond_holds(cd, &pc);
				}
				conds++;
				by_kind[cd->kind][0]++;
				if (held && held < ARRAY_SIZE(calls)) {
					both++;
					by_kind[cd->kind][1]++;
				}
			}
		}
		for (j = 0; j < ARRAY_SIZE(calls); j++) {
			struct policy_decision d;
			struct policy_call pc;

			to_eval(&calls[j], &pc);
			assert_int_equal(policy_eval(&c, &pc, 0, &d), 0);
			total++;
			decided += d.rule != 0;
		}
		smccc_compiled_free(&c);
	}
	printf("# conditions that hold on some calls and not on others: %lu/%lu (%.1f%%)\n",
	       both, conds, 100.0 * both / conds);
	printf("#   conduit %lu/%lu, vcpu %lu/%lu, xR %lu/%lu\n", by_kind[1][1], by_kind[1][0],
	       by_kind[2][1], by_kind[2][0], by_kind[3][1], by_kind[3][0]);
	printf("# calls a rule decides: %lu/%lu (%.1f%%)\n", decided, total,
	       100.0 * decided / total);
	assert_true(both * 100 >= conds * 60);
	assert_true(by_kind[3][1] * 100 >= by_kind[3][0] * 40);
	assert_true(decided * 100 >= total * 20);
}

/* ---- helpers ---- */

static void test_helpers(void **state)
{
	static const char *const destructive[] = {
		"psci.cpu_suspend32", "psci.cpu_suspend64", "psci.cpu_off", "psci.cpu_on32",
		"psci.cpu_on64", "psci.system_off", "psci.system_reset", "psci.system_suspend32",
		"psci.system_suspend64", "psci.system_reset232", "psci.system_reset264",
	};
	static const char *const harmless[] = {
		"psci.version", "psci.features", "psci.affinity_info", "psci.migrate",
		"psci.migrate_info_type", "trng.version", "trng.features", "trng.get_uuid",
		"pvtime.features", "pvtime.st", "kvm.uid", "kvm.features", "smccc.version",
		"smccc.arch_features", "smccc.arch_workaround_1", "ffa.version",
	};
	const struct smccc_service *v01 = smccc_service_find("psci-v0.1");
	struct policy_gen_call c;
	char buf[POLICY_GEN_CALL_DESC_MAX], want[64];
	uint32_t ids[2];
	unsigned int i;
	size_t n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(destructive); i++) {
		assert_int_equal(smccc_function_ids(destructive[i], ids), 1);
		if (!policy_gen_call_is_destructive(ids[0]))
			fail_msg("%s 0x%08x", destructive[i], ids[0]);
		/* reserved bits make another ID, which KVM does not implement */
		assert_false(policy_gen_call_is_destructive(ids[0] | 0x10000));
		assert_false(policy_gen_call_is_destructive(ids[0] & ~0x80000000u));
	}
	for (i = 0; i < ARRAY_SIZE(harmless); i++) {
		n = (size_t)smccc_function_ids(harmless[i], ids);
		while (n--) {
			assert_false(policy_gen_call_is_destructive(ids[n]));
			assert_false(policy_gen_call_is_nondeterministic(ids[n]));
		}
	}
	/* KVM's PSCI 0.1 CPU_OFF and CPU_ON (KVM_PSCI_FN(1), (2)), not CPU_SUSPEND, MIGRATE */
	assert_non_null(v01);
	assert_false(policy_gen_call_is_destructive(v01->ranges[0].first));
	assert_true(policy_gen_call_is_destructive(v01->ranges[0].first + 1));
	assert_true(policy_gen_call_is_destructive(v01->ranges[0].first + 2));
	assert_false(policy_gen_call_is_destructive(v01->ranges[0].first + 3));

	assert_int_equal(smccc_function_ids("trng.rnd", ids), 2);
	assert_true(policy_gen_call_is_nondeterministic(ids[0]));
	assert_true(policy_gen_call_is_nondeterministic(ids[1]));
	assert_true(policy_gen_call_is_nondeterministic(named("kvm.ptp")));
	assert_false(policy_gen_call_is_nondeterministic(named("kvm.ptp") | 0x40000000u));

	/* the longest description fits, and says everything */
	memset(&c, 0xff, sizeof(c));
	c.func_id = named("ffa.notification_bitmap_destroy");
	c.conduit = SMCCC_BPF_CONDUIT_HVC;
	policy_gen_call_format(&c, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf) - 1);
	snprintf(want, sizeof(want), "func 0x%08x (ffa.notification_bitmap_destroy) conduit hvc",
		 c.func_id);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "imm 0xffff vcpu 4294967295"));
	assert_non_null(strstr(buf, " x17=0xffffffffffffffff"));
	assert_null(strchr(buf, '\n'));

	memset(&c, 0, sizeof(c));
	c.func_id = 0x12345678;
	c.conduit = SMCCC_BPF_CONDUIT_SMC;
	c.imm = 1;
	c.vcpu = 2;
	c.args[2] = 0x30;
	policy_gen_call_format(&c, buf, sizeof(buf));
	assert_string_equal(buf,
			    "func 0x12345678 (unnamed) conduit smc imm 0x1 vcpu 2 args x3=0x30");
	c.args[2] = 0;
	policy_gen_call_format(&c, buf, sizeof(buf));
	assert_string_equal(buf, "func 0x12345678 (unnamed) conduit smc imm 0x1 vcpu 2 args 0");
	policy_gen_call_format(&c, buf, 10);
	assert_int_equal(strlen(buf), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_same_seed),
		cmocka_unit_test(test_seeds_differ),
		cmocka_unit_test(test_compile_rate),
		cmocka_unit_test(test_compiled_always),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_conditions_both_ways),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
