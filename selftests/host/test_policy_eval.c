// SPDX-License-Identifier: GPL-2.0
/*
 * The reference evaluator (loader/policy_eval.c): lookups, conditions,
 * first-match order, return values, events, rate limits, permissive mode,
 * malformed input, formatting; and random policies with conditions
 * against a direct evaluation of their source.
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

static struct smccc_compiled *build(const char *text)
{
	struct smccc_compiled *c = calloc(1, sizeof(*c));
	struct policy_diags d = { 0 };

	assert_non_null(c);
	if (policy_compile_text("t.pol", text, strlen(text), c, NULL, &d))
		fail_msg("%s", policy_diags_text(&d));
	policy_diags_free(&d);
	return c;
}

static void drop(struct smccc_compiled *c)
{
	smccc_compiled_free(c);
	free(c);
}

static struct policy_call call(uint32_t id)
{
	struct policy_call k;

	memset(&k, 0, sizeof(k));
	k.func_id = id;
	k.conduit = SMCCC_BPF_CONDUIT_HVC;
	return k;
}

static struct policy_decision decide(const struct smccc_compiled *c, const struct policy_call *k,
				     unsigned int flags)
{
	struct policy_decision d;

	assert_int_equal(policy_eval(c, k, flags, &d), 0);
	return d;
}

static void test_lookup(void **state)
{
	struct smccc_compiled *c = build("deny id 0x84000003;\nlog range 0x82000000-0x8200ffff;\n");
	enum policy_lookup from;
	struct smccc_policy_chain ch;

	(void)state;
	ch = policy_lookup(c, 0x84000003, &from);
	assert_int_equal(from, POLICY_LOOKUP_EXACT);
	assert_int_equal(ch.len, 1);
	ch = policy_lookup(c, 0x8200ffff, &from);
	assert_int_equal(from, POLICY_LOOKUP_SEGMENT);
	assert_int_equal(ch.len, 1);
	ch = policy_lookup(c, 0x82010000, &from);
	assert_int_equal(from, POLICY_LOOKUP_DEFAULT);
	assert_int_equal(ch.len, 0);
	ch = policy_lookup(c, 0x80000000, &from);
	assert_int_equal(from, POLICY_LOOKUP_ARCH);
	ch = policy_lookup(c, 0xc000ffff, &from);
	assert_int_equal(from, POLICY_LOOKUP_ARCH);
	ch = policy_lookup(c, 0x0, &from);
	assert_int_equal(from, POLICY_LOOKUP_DEFAULT);
	drop(c);
}

static void test_basic_decisions(void **state)
{
	struct smccc_compiled *c = build("default deny;\n"
					 "handle id 1;\n"
					 "forward id 2;\n"
					 "log id 3;\n"
					 "return 7, -1 id 4;\n");
	struct policy_call k;
	struct policy_decision d;

	(void)state;
	k = call(1);
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.rule, 1);
	assert_int_equal(d.rule_index, 0);
	assert_int_equal(d.line, 2);
	assert_false(d.event);
	assert_int_equal(d.lookup, POLICY_LOOKUP_EXACT);
	assert_int_equal(d.nr_tried, 1);
	assert_int_equal(d.tried[0], 1);
	k.func_id = 2;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_FWD_TO_USER);
	assert_true(d.event);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_FORWARD);
	k.func_id = 3;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_POLICY_ACT_LOG);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_LOG);
	k.func_id = 4;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_RETURN);
	assert_true(d.ret[0] == 7 && d.ret[1] == UINT64_MAX && d.ret[2] == 0 && d.ret[3] == 0);
	assert_false(d.event);
	assert_int_equal(d.rule_index, 3);
	/* the default: deny, with an event */
	k.func_id = 5;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(d.rule, 0);
	assert_int_equal(d.line, 0);
	assert_true(d.event);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_DENY);
	assert_int_equal(d.lookup, POLICY_LOOKUP_DEFAULT);
	assert_int_equal(d.nr_tried, 0);
	/* the architecture range: KVM's, whatever the default */
	k.func_id = 0x80000000;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.lookup, POLICY_LOOKUP_ARCH);
	assert_false(d.event);
	assert_int_equal(d.rule, 0);
	drop(c);
}

static void test_default_events(void **state)
{
	static const struct {
		const char *text;
		uint8_t action, decided, reason;
	} cases[] = {
		{ "default handle;", SMCCC_BPF_ACT_HANDLE, SMCCC_BPF_ACT_HANDLE, 0 },
		{ "default deny;", SMCCC_BPF_ACT_DENY, SMCCC_BPF_ACT_DENY, SMCCC_POLICY_EV_DENY },
		{ "default forward;", SMCCC_BPF_ACT_FWD_TO_USER, SMCCC_BPF_ACT_FWD_TO_USER, SMCCC_POLICY_EV_FORWARD },
		{ "default log;", SMCCC_BPF_ACT_HANDLE, SMCCC_POLICY_ACT_LOG, SMCCC_POLICY_EV_LOG },
		{ "default deny; mode permissive;", SMCCC_BPF_ACT_HANDLE, SMCCC_BPF_ACT_DENY, SMCCC_POLICY_EV_PERMISSIVE },
		{ "default log; mode permissive;", SMCCC_BPF_ACT_HANDLE, SMCCC_POLICY_ACT_LOG, SMCCC_POLICY_EV_LOG },
		{ "default handle; mode permissive;", SMCCC_BPF_ACT_HANDLE, SMCCC_BPF_ACT_HANDLE, 0 },
	};
	struct policy_call k = call(0x12345678);
	struct policy_decision d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct smccc_compiled *c = build(cases[i].text);

		d = decide(c, &k, 0);
		assert_int_equal(d.action, cases[i].action);
		assert_int_equal(d.decided, cases[i].decided);
		assert_int_equal(d.reason, cases[i].reason);
		assert_int_equal(d.event, cases[i].reason != 0);
		drop(c);
	}
}

static void test_conditions(void **state)
{
	struct smccc_compiled *c = build(
		"return 1 id 1 if conduit == hvc;\n"
		"return 2 id 1 if conduit != hvc;\n"
		"return 1 id 2 if vcpu == 3;\n"
		"return 2 id 2 if vcpu != 3 and vcpu < 2;\n"
		"return 3 id 2 if vcpu <= 2;\n"
		"return 4 id 2 if vcpu > 10;\n"
		"return 5 id 2 if vcpu >= 10;\n"
		"return 1 id 3 if x1 & 0xff00 == 0x1200;\n"
		"return 2 id 3 if x17 == -1;\n"
		"return 3 id 3 if x2 > 0x8000000000000000;\n"
		"deny id 1, id 2, id 3;\n");
	struct policy_call k;
	struct policy_decision d;
	static const struct {
		uint32_t vcpu;
		uint64_t want;
	} vcpus[] = { { 3, 1 }, { 0, 2 }, { 1, 2 }, { 2, 3 }, { 11, 4 }, { 10, 5 }, { 5, 0 } };
	size_t i;

	(void)state;
	k = call(1);
	d = decide(c, &k, 0);
	assert_true(d.action == SMCCC_BPF_ACT_RETURN && d.ret[0] == 1);
	k.conduit = SMCCC_BPF_CONDUIT_SMC;
	d = decide(c, &k, 0);
	assert_true(d.ret[0] == 2 && d.rule == 2);
	assert_int_equal(d.nr_tried, 2);
	for (i = 0; i < sizeof(vcpus) / sizeof(vcpus[0]); i++) {
		k = call(2);
		k.vcpu_id = vcpus[i].vcpu;
		d = decide(c, &k, 0);
		if (vcpus[i].want)
			assert_true(d.action == SMCCC_BPF_ACT_RETURN && d.ret[0] == vcpus[i].want);
		else
			assert_true(d.action == SMCCC_BPF_ACT_DENY && d.rule == 11 && d.nr_tried == 6);
	}
	k = call(3);
	k.args[0] = 0xab12cd;
	d = decide(c, &k, 0);
	assert_true(d.ret[0] == 1);
	k.args[0] = 0x1300;
	k.args[16] = UINT64_MAX;
	d = decide(c, &k, 0);
	assert_true(d.ret[0] == 2);
	k.args[16] = 0;
	k.args[1] = 0x8000000000000001ull;
	d = decide(c, &k, 0);
	assert_true(d.ret[0] == 3);
	k.args[1] = 0x8000000000000000ull;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(d.nr_tried, 4);
	assert_int_equal(d.tried[0], 8);
	assert_int_equal(d.tried[3], 11);
	drop(c);
}

static void test_cond_holds(void **state)
{
	struct smccc_policy_cond cond = { .kind = SMCCC_POLICY_COND_ARG, .reg = 1,
					  .op = SMCCC_POLICY_OP_EQ, .mask = ~0ull, .value = 5 };
	struct policy_call k = call(1);

	(void)state;
	k.args[0] = 5;
	assert_true(policy_cond_holds(&cond, &k));
	cond.reg = 0;		/* no x0 */
	assert_false(policy_cond_holds(&cond, &k));
	cond.reg = 18;
	assert_false(policy_cond_holds(&cond, &k));
	cond.reg = 1;
	cond.kind = 9;		/* unknown kind */
	assert_false(policy_cond_holds(&cond, &k));
	cond.kind = SMCCC_POLICY_COND_ARG;
	cond.op = 9;		/* unknown op */
	assert_false(policy_cond_holds(&cond, &k));
	cond.kind = SMCCC_POLICY_COND_VCPU;
	cond.op = SMCCC_POLICY_OP_EQ;
	cond.value = 0;
	assert_true(policy_cond_holds(&cond, &k));
	cond.mask = 0;		/* everything masked: 0 */
	cond.kind = SMCCC_POLICY_COND_ARG;
	assert_true(policy_cond_holds(&cond, &k));
}

static void test_chain_order(void **state)
{
	/* the exact ID's chain merges range rules in source order */
	struct smccc_compiled *c = build("log range 0x10-0x20 if x1 == 1;\n"
					 "return 2 id 0x15 if x2 == 2;\n"
					 "deny range 0x00-0xff;\n"
					 "return 4 id 0x15;\n");
	struct policy_call k = call(0x15);
	struct policy_decision d;

	(void)state;
	k.args[0] = 1;
	k.args[1] = 2;
	d = decide(c, &k, 0);
	assert_int_equal(d.rule, 1);
	assert_int_equal(d.decided, SMCCC_POLICY_ACT_LOG);
	k.args[0] = 0;
	d = decide(c, &k, 0);
	assert_int_equal(d.rule, 2);
	k.args[1] = 0;
	d = decide(c, &k, 0);
	assert_int_equal(d.rule, 3);
	assert_int_equal(d.action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(d.nr_tried, 3);
	k.func_id = 0x16;
	d = decide(c, &k, 0);
	assert_int_equal(d.rule, 3);
	assert_int_equal(d.lookup, POLICY_LOOKUP_SEGMENT);
	drop(c);
}

static void test_rate_limits(void **state)
{
	struct smccc_compiled *c = build("handle id 1 limit 10/s;\n"
					 "log id 2 limit 10/s then forward;\n"
					 "deny id 3 limit 10/s then return 9;\n"
					 "return 5 id 4 limit 10/s then return 5;\n"
					 "deny id 5;\n"
					 "handle id 6 limit 10/s then log;\n");
	struct policy_call k = call(1);
	struct policy_decision d;

	(void)state;
	/* within the limit: the rule's action */
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_false(d.event);
	assert_false(d.over_limit);
	/* over it: the then action (deny by default), always an event */
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_int_equal(d.action, SMCCC_BPF_ACT_DENY);
	assert_true(d.over_limit && d.event);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_OVER_LIMIT);
	assert_int_equal(d.rule, 1);
	k.func_id = 2;
	d = decide(c, &k, 0);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_LOG);
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_int_equal(d.action, SMCCC_BPF_ACT_FWD_TO_USER);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_OVER_LIMIT);
	k.func_id = 3;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_DENY);
	assert_true(d.ret[0] == 0);
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_int_equal(d.action, SMCCC_BPF_ACT_RETURN);
	assert_true(d.ret[0] == 9);
	k.func_id = 4;
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_true(d.action == SMCCC_BPF_ACT_RETURN && d.ret[0] == 5);
	/* the flag means nothing to a rule without a limit */
	k.func_id = 5;
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_false(d.over_limit);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_DENY);
	k.func_id = 6;
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_POLICY_ACT_LOG);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_OVER_LIMIT);
	drop(c);
}

/*
 * The bucket in the program's arithmetic (test_policy_prog.c runs the
 * extremes on the program): a call's cost, and the cap, which saturates
 * instead of wrapping for rules only another tool writes.
 */
static void test_bucket_arithmetic(void **state)
{
	static const struct {
		uint64_t rate;
		uint32_t period;
		uint64_t burst;
		uint64_t cost, cap;
	} t[] = {
		{ 1, 60, 153722867, 60000000000ull, 153722867ull * 60000000000ull },
		{ 1, 60, 1, 60000000000ull, 60000000000ull },
		{ 5, 1, 3, 200000000, 600000000 },
		{ 3, 1, 1, 333333333, 333333333 },		/* rounded down */
		{ 1000000000, 1, 1ull << 32, 1, 1ull << 32 },
		{ 60000000000ull, 60, 1ull << 32, 1, 1ull << 32 },
		{ ~0ull, 1, 7, 1, 7 },				/* at least 1 ns */
		{ 0, 1, 2, 1000000000, 2000000000 },		/* rate 0: burst calls, 1 s each */
		{ 10, 0, 10, 100000000, 1000000000 },		/* period 0 is 1 s */
		{ 1, UINT32_MAX, 1, UINT32_MAX * 1000000000ull, UINT32_MAX * 1000000000ull },
		{ 1, 1, 0, 1000000000, 1000000000 },		/* burst 0 is 1 */
		{ 1, 1, ~0ull, 1000000000, (1ull << 32) * 1000000000ull },	/* at most 2^32 */
		/* past 2^64: saturated, not wrapped to 26290448384 (under one call) */
		{ 1, 60, 307445735, 60000000000ull, UINT64_MAX },
		{ 1, 60, 1ull << 32, 60000000000ull, UINT64_MAX },
		{ 1, UINT32_MAX, 5, UINT32_MAX * 1000000000ull, UINT64_MAX },
	};
	struct smccc_policy_rule r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.flags = SMCCC_POLICY_F_RATE;
		r.rate = t[i].rate;
		r.period = t[i].period;
		r.burst = t[i].burst;
		if (policy_token_cost(&r) != t[i].cost || policy_bucket_cap(&r) != t[i].cap)
			fail_msg("rate %llu period %u burst %llu: cost %llu cap %llu, expected %llu %llu",
				 (unsigned long long)t[i].rate, t[i].period,
				 (unsigned long long)t[i].burst,
				 (unsigned long long)policy_token_cost(&r),
				 (unsigned long long)policy_bucket_cap(&r),
				 (unsigned long long)t[i].cost, (unsigned long long)t[i].cap);
	}
}

static void test_permissive(void **state)
{
	struct smccc_compiled *c = build("mode permissive;\n"
					 "deny id 1;\n"
					 "forward id 2;\n"
					 "return 3 id 3;\n"
					 "log id 4;\n"
					 "handle id 5;\n"
					 "deny id 6 limit 1/s;\n");
	struct policy_call k = call(1);
	struct policy_decision d;

	(void)state;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_BPF_ACT_DENY);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_PERMISSIVE);
	k.func_id = 2;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_BPF_ACT_FWD_TO_USER);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_PERMISSIVE);
	k.func_id = 3;
	d = decide(c, &k, 0);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_BPF_ACT_RETURN);
	assert_true(d.ret[0] == 3);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_PERMISSIVE);
	k.func_id = 4;
	d = decide(c, &k, 0);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_LOG);
	k.func_id = 5;
	d = decide(c, &k, 0);
	assert_false(d.event);
	k.func_id = 6;
	d = decide(c, &k, POLICY_EVAL_OVER_LIMIT);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, SMCCC_BPF_ACT_DENY);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_OVER_LIMIT);
	drop(c);
}

static void test_hand_made(void **state)
{
	struct smccc_policy_rule rules[2];
	struct smccc_exact exact[2];
	uint32_t chain[2] = { 1, 0 };
	struct smccc_compiled c;
	struct policy_call k = call(20);
	struct policy_decision d;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(rules, 0, sizeof(rules));
	rules[0].id = 1;
	rules[0].action = SMCCC_BPF_ACT_HANDLE;
	rules[0].flags = SMCCC_POLICY_F_AUDIT;	/* an audited HANDLE reports LOG */
	rules[1].id = 2;
	rules[1].action = 7;			/* unknown to the kernel: HANDLE */
	exact[0] = (struct smccc_exact){ 20, { 0, 1 } };
	exact[1] = (struct smccc_exact){ 10, { 1, 1 } };
	c.rules = rules;
	c.nr_rules = 2;
	c.exact = exact;
	c.nr_exact = 2;
	c.chain = chain;
	c.nr_chain = 2;
	/* unsorted exact IDs are not found until sorted */
	d = decide(&c, &k, 0);
	assert_int_equal(d.lookup, POLICY_LOOKUP_DEFAULT);
	policy_compiled_sort(&c);
	assert_int_equal(exact[0].func_id, 10);
	d = decide(&c, &k, 0);
	assert_int_equal(d.rule, 2);
	assert_int_equal(d.action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(d.decided, 7);
	k.func_id = 10;
	d = decide(&c, &k, 0);
	assert_int_equal(d.rule, 1);
	assert_int_equal(d.reason, SMCCC_POLICY_EV_LOG);
	/* malformed: chain past the map, rule index past the rules, too long, too many conds */
	exact[0].chain = (struct smccc_policy_chain){ 1, 2 };
	assert_int_equal(policy_eval(&c, &k, 0, &d), -1);
	exact[0].chain = (struct smccc_policy_chain){ 3, 0 };
	assert_int_equal(policy_eval(&c, &k, 0, &d), -1);
	exact[0].chain = (struct smccc_policy_chain){ 0, SMCCC_POLICY_MAX_CHAIN_LEN + 1 };
	assert_int_equal(policy_eval(&c, &k, 0, &d), -1);
	chain[0] = 5;
	exact[0].chain = (struct smccc_policy_chain){ 0, 1 };
	assert_int_equal(policy_eval(&c, &k, 0, &d), -1);
	chain[0] = 1;
	rules[1].nr_conds = SMCCC_POLICY_MAX_CONDS + 1;
	assert_int_equal(policy_eval(&c, &k, 0, &d), -1);
}

static void test_formatting(void **state)
{
	struct smccc_compiled *c = build(
		"deny id 1;\n"
		"return 0, -1, 0x1234 id 2 if conduit == hvc and conduit != smc and vcpu >= 2 and x1 & 0xff < 3;\n"
		"log id 3 if x17 <= 0x10 and x2 > 5 limit 120/min burst 7 then forward;\n"
		"return -4096, -4097 id 4 limit 1/s then return -4096, -4097;\n"
		"return 0 id 5;\n");
	char buf[256];
	__u64 ret[4] = { 1, 0, 0, 2 };
	struct smccc_policy_rule r;

	(void)state;
	assert_string_equal(policy_rule_format(&c->rules[0], buf, sizeof(buf)), "deny");
	assert_string_equal(policy_rule_format(&c->rules[1], buf, sizeof(buf)),
			    "return 0, -1, 0x1234 if conduit == hvc and conduit != smc and vcpu >= 2 and x1 & 0xff < 3");
	assert_string_equal(policy_rule_format(&c->rules[2], buf, sizeof(buf)),
			    "log if x17 <= 0x10 and x2 > 5 limit 120/min burst 7 then forward");
	assert_string_equal(policy_rule_format(&c->rules[3], buf, sizeof(buf)),
			    "return -4096, 0xffffffffffffefff limit 1/s burst 1 then return -4096, 0xffffffffffffefff");
	assert_string_equal(policy_rule_format(&c->rules[4], buf, sizeof(buf)), "return 0");
	/* truncation never overruns */
	assert_string_equal(policy_rule_format(&c->rules[1], buf, 12), "return 0, -");
	policy_rule_format(&c->rules[1], buf, 0);
	assert_string_equal(policy_action_format(SMCCC_BPF_ACT_RETURN, ret, buf, sizeof(buf)), "return 1, 0, 0, 2");
	assert_string_equal(policy_action_format(SMCCC_BPF_ACT_FWD_TO_USER, ret, buf, sizeof(buf)), "forward");
	assert_string_equal(policy_action_format(SMCCC_BPF_ACT_HANDLE, ret, buf, sizeof(buf)), "handle");
	assert_string_equal(policy_action_format(SMCCC_POLICY_ACT_LOG, ret, buf, sizeof(buf)), "log");
	assert_string_equal(policy_action_format(42, ret, buf, sizeof(buf)), "?");
	/* a conduit value the language cannot write, an unknown op */
	memset(&r, 0, sizeof(r));
	r.nr_conds = 2;
	r.conds[0] = (struct smccc_policy_cond){ .kind = SMCCC_POLICY_COND_CONDUIT, .op = 0, .mask = ~0ull, .value = 3 };
	r.conds[1] = (struct smccc_policy_cond){ .kind = SMCCC_POLICY_COND_ARG, .reg = 1, .op = 9, .mask = ~0ull, .value = 1 };
	assert_string_equal(policy_rule_format(&r, buf, sizeof(buf)), "handle if conduit == 3 and x1 ? 1");
	assert_string_equal(policy_event_reason_name(SMCCC_POLICY_EV_DENY), "deny");
	assert_string_equal(policy_event_reason_name(SMCCC_POLICY_EV_FORWARD), "forward");
	assert_string_equal(policy_event_reason_name(SMCCC_POLICY_EV_OVER_LIMIT), "over-limit");
	assert_string_equal(policy_event_reason_name(SMCCC_POLICY_EV_LOG), "log");
	assert_string_equal(policy_event_reason_name(SMCCC_POLICY_EV_RETURN), "return");
	assert_string_equal(policy_event_reason_name(SMCCC_POLICY_EV_PERMISSIVE), "permissive");
	assert_string_equal(policy_event_reason_name(0), "none");
	drop(c);
}

/* Random policies with conditions: the evaluator against the source. */
struct src_rule {
	uint32_t first, last;
	int reg;		/* 0: no condition */
	uint64_t value;
	uint8_t action;
	uint64_t ret;
};

static void test_random_against_source(void **state)
{
	static const char *const words[] = { "handle", "deny", "forward", "return", "log" };
	static const uint8_t acts[] = { SMCCC_BPF_ACT_HANDLE, SMCCC_BPF_ACT_DENY,
					SMCCC_BPF_ACT_FWD_TO_USER, SMCCC_BPF_ACT_RETURN,
					SMCCC_POLICY_ACT_LOG };
	struct src_rule rules[12];
	char text[4096];
	unsigned int seed, nr, i, t;

	(void)state;
	srand(99);
	for (seed = 0; seed < 400; seed++) {
		struct smccc_compiled *c;
		size_t pos = 0;
		int def = rand() % 3;

		pos += snprintf(text + pos, sizeof(text) - pos, "default %s;\n",
				def == 0 ? "handle" : def == 1 ? "deny" : "log");
		nr = 1 + rand() % 12;
		for (i = 0; i < nr; i++) {
			struct src_rule *r = &rules[i];
			int a = rand() % 5;

			r->first = rand() % 32;
			r->last = rand() % 2 ? r->first : r->first + rand() % 8;
			r->reg = rand() % 3 ? 1 + rand() % 3 : 0;
			r->value = rand() % 3;
			r->action = acts[a];
			r->ret = rand() % 100;
			pos += snprintf(text + pos, sizeof(text) - pos, "%s", words[a]);
			if (r->action == SMCCC_BPF_ACT_RETURN)
				pos += snprintf(text + pos, sizeof(text) - pos, " %llu",
						(unsigned long long)r->ret);
			if (r->first == r->last)
				pos += snprintf(text + pos, sizeof(text) - pos, " id %u", r->first);
			else
				pos += snprintf(text + pos, sizeof(text) - pos, " range %u-%u",
						r->first, r->last);
			if (r->reg)
				pos += snprintf(text + pos, sizeof(text) - pos, " if x%d == %llu",
						r->reg, (unsigned long long)r->value);
			pos += snprintf(text + pos, sizeof(text) - pos, ";\n");
		}
		c = build(text);
		for (t = 0; t < 200; t++) {
			struct policy_call k = call(rand() % 40);
			struct policy_decision d;
			const struct src_rule *win = NULL;

			for (i = 0; i < 3; i++)
				k.args[i] = rand() % 3;
			for (i = 0; i < nr && !win; i++)
				if (k.func_id >= rules[i].first && k.func_id <= rules[i].last &&
				    (!rules[i].reg || k.args[rules[i].reg - 1] == rules[i].value))
					win = &rules[i];
			d = decide(c, &k, 0);
			if (win) {
				if (d.rule != (uint32_t)(win - rules) + 1 || d.decided != win->action ||
				    (win->action == SMCCC_BPF_ACT_RETURN && d.ret[0] != win->ret))
					fail_msg("seed %u, ID %u: rule %u decided %u, source says rule %u %u\n%s",
						 seed, k.func_id, d.rule, d.decided,
						 (unsigned int)(win - rules) + 1, win->action, text);
			} else if (d.rule != 0 || d.decided != c->config.default_action) {
				fail_msg("seed %u, ID %u: rule %u, source says the default\n%s",
					 seed, k.func_id, d.rule, text);
			}
		}
		drop(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_basic_decisions),
		cmocka_unit_test(test_default_events),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_cond_holds),
		cmocka_unit_test(test_chain_order),
		cmocka_unit_test(test_rate_limits),
		cmocka_unit_test(test_bucket_arithmetic),
		cmocka_unit_test(test_permissive),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_formatting),
		cmocka_unit_test(test_random_against_source),
	};

	return cmocka_run_group_tests_name("policy_eval", tests, NULL, NULL);
}
