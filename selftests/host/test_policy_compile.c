// SPDX-License-Identifier: GPL-2.0
/*
 * The policy compiler (loader/policy_compile.c): the shape of its output
 * (rules, exact IDs, segments, chains), every error it reports, the
 * shadowed-rule warnings, the map limits, random policies against a
 * brute-force model, and the time it takes for 100,000 rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy_compile.h"
#include "policy_eval.h"

struct out {
	struct smccc_compiled c;
	struct policy_diags d;
	char *name;
	int ret;
};

static struct out *compile(const char *text)
{
	struct out *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	o->ret = policy_compile_text("t.pol", text, strlen(text), &o->c, &o->name, &o->d);
	assert_int_equal(o->ret != 0, o->d.errors != 0);
	return o;
}

static void done(struct out *o)
{
	smccc_compiled_free(&o->c);
	policy_diags_free(&o->d);
	free(o->name);
	free(o);
}

static struct out *compile_ok(const char *text)
{
	struct out *o = compile(text);

	if (o->ret)
		fail_msg("unexpected errors:\n%s", policy_diags_text(&o->d));
	return o;
}

/* Compilation fails with exactly one error containing msg. */
static void compile_error(const char *text, const char *msg)
{
	struct out *o = compile(text);
	const char *out = policy_diags_text(&o->d);

	if (!o->ret || o->d.errors != 1 || !strstr(out, msg))
		fail_msg("'%.200s': expected one error '%s', got %u:\n%.2000s", text, msg, o->d.errors, out);
	/* a failed compilation leaves nothing behind */
	assert_null(o->c.rules);
	assert_null(o->c.exact);
	assert_int_equal(o->c.nr_rules, 0);
	done(o);
}

/* Compiles, with exactly one warning containing msg. */
static void compile_warning(const char *text, const char *msg)
{
	struct out *o = compile(text);
	const char *out = policy_diags_text(&o->d);

	if (o->ret || o->d.warnings != 1 || !strstr(out, msg))
		fail_msg("'%s': expected one warning '%s', got %u errors, %u warnings:\n%s", text,
			 msg, o->d.errors, o->d.warnings, out);
	done(o);
}

static void compile_clean(const char *text)
{
	struct out *o = compile(text);

	if (o->ret || o->d.warnings)
		fail_msg("'%s': expected no diagnostics:\n%s", text, policy_diags_text(&o->d));
	done(o);
}

/* The chain of an ID as 1-based rule numbers, e.g. "1 3"; "-" if none. */
static const char *chain_str(const struct smccc_compiled *c, uint32_t id, char *buf, size_t len)
{
	enum policy_lookup from;
	struct smccc_policy_chain ch = policy_lookup(c, id, &from);
	size_t pos = 0;
	uint32_t k;

	buf[0] = '\0';
	if (!ch.len)
		return strcpy(buf, "-");
	for (k = 0; k < ch.len; k++)
		pos += snprintf(buf + pos, len - pos, "%s%u", k ? " " : "",
				c->rules[c->chain[ch.start + k]].id);
	return buf;
}

static void expect_chain(const struct smccc_compiled *c, uint32_t id, const char *want)
{
	char buf[256];

	if (strcmp(chain_str(c, id, buf, sizeof(buf)), want))
		fail_msg("ID 0x%08x: chain '%s', expected '%s'", id, buf, want);
}

static struct smccc_exact *find_exact(const struct smccc_compiled *c, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < c->nr_exact; i++)
		if (c->exact[i].func_id == id)
			return &c->exact[i];
	return NULL;
}

/* Segments are sorted, disjoint, non-empty, with valid chains. */
static void check_shape(const struct smccc_compiled *c)
{
	uint32_t i, k;

	assert_int_equal(c->config.nr_segments, c->nr_segments);
	for (i = 0; i < c->nr_segments; i++) {
		const struct smccc_policy_segment *s = &c->segments[i];

		assert_true(s->first <= s->last);
		if (i)
			assert_true(s->first > c->segments[i - 1].last);
		assert_true(s->chain.len >= 1 && s->chain.len <= SMCCC_POLICY_MAX_CHAIN_LEN);
		assert_true(s->chain.start + s->chain.len <= c->nr_chain);
		assert_false(smccc_bpf_is_arch_call(s->first) || smccc_bpf_is_arch_call(s->last));
	}
	for (i = 0; i < c->nr_exact; i++) {
		const struct smccc_exact *e = &c->exact[i];

		if (i)
			assert_true(e->func_id > c->exact[i - 1].func_id);
		assert_true(e->chain.len >= 1 && e->chain.len <= SMCCC_POLICY_MAX_CHAIN_LEN);
		assert_true(e->chain.start + e->chain.len <= c->nr_chain);
	}
	for (i = 0; i < c->nr_chain; i++)
		assert_true(c->chain[i] < c->nr_rules);
	for (i = 0; i < c->nr_rules; i++) {
		assert_int_equal(c->rules[i].id, i + 1);
		for (k = 0; k < c->rules[i].nr_conds; k++)
			assert_true(c->rules[i].conds[k].kind >= SMCCC_POLICY_COND_CONDUIT &&
				    c->rules[i].conds[k].kind <= SMCCC_POLICY_COND_ARG);
	}
}

/* ---- output shape ---- */

static void test_empty_policy(void **state)
{
	struct out *o = compile_ok("");

	(void)state;
	assert_int_equal(o->c.nr_rules, 0);
	assert_int_equal(o->c.nr_exact, 0);
	assert_int_equal(o->c.nr_segments, 0);
	assert_int_equal(o->c.nr_chain, 0);
	assert_int_equal(o->c.config.default_action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(o->c.config.permissive, 0);
	assert_int_equal(o->c.config.default_audit, 0);
	assert_null(o->name);
	done(o);
}

static void test_config(void **state)
{
	static const struct {
		const char *text;
		uint8_t action, audit;
	} cases[] = {
		{ "default handle;", SMCCC_BPF_ACT_HANDLE, 0 },
		{ "default deny;", SMCCC_BPF_ACT_DENY, 1 },
		{ "default forward;", SMCCC_BPF_ACT_FWD_TO_USER, 1 },
		{ "default log;", SMCCC_POLICY_ACT_LOG, 1 },
	};
	struct out *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = compile_ok(cases[i].text);
		assert_int_equal(o->c.config.default_action, cases[i].action);
		assert_int_equal(o->c.config.default_audit, cases[i].audit);
		done(o);
	}
	o = compile_ok("policy \"edge\"; mode permissive;");
	assert_string_equal(o->name, "edge");
	assert_int_equal(o->c.config.permissive, 1);
	done(o);
	o = compile_ok("mode enforce;");
	assert_int_equal(o->c.config.permissive, 0);
	assert_int_equal(o->c.config.discovery, SMCCC_POLICY_DISCOVERY_KEEP);
	done(o);
	o = compile_ok("discovery hide-denied; deny service trng;");
	assert_int_equal(o->c.config.discovery, SMCCC_POLICY_DISCOVERY_HIDE_DENIED);
	done(o);
	o = compile_ok("discovery keep;");
	assert_int_equal(o->c.config.discovery, SMCCC_POLICY_DISCOVERY_KEEP);
	done(o);
}

static void test_rules(void **state)
{
	struct out *o = compile_ok("\n"
		"deny id 1;\n"
		"handle id 2;\n"
		"forward id 3;\n"
		"log id 4;\n"
		"return 5, -1 id 5 if conduit == smc and vcpu < 2 and x1 & 0xf0 == 0x30 and x17 != 9;\n"
		"log id 6 limit 10/s;\n"
		"handle id 7 limit 120/min burst 3 then forward;\n"
		"return NOT_SUPPORTED id 8 limit 5/s then return NOT_SUPPORTED;\n"
		"deny id 9 limit 5/s then return 1, 2, 3, 4;\n");
	const struct smccc_policy_rule *r = o->c.rules;

	(void)state;
	check_shape(&o->c);
	assert_int_equal(o->c.nr_rules, 9);
	assert_int_equal(r[0].line, 2);
	assert_int_equal(r[8].line, 10);
	assert_int_equal(r[0].action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(r[0].flags, SMCCC_POLICY_F_AUDIT);
	assert_int_equal(r[0].over_action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(r[1].action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(r[1].flags, 0);
	assert_int_equal(r[2].action, SMCCC_BPF_ACT_FWD_TO_USER);
	assert_int_equal(r[2].flags, SMCCC_POLICY_F_AUDIT);
	assert_int_equal(r[3].action, SMCCC_POLICY_ACT_LOG);
	assert_int_equal(r[3].flags, SMCCC_POLICY_F_AUDIT);
	/* return: x0..x3, missing ones 0; no event; four conditions */
	assert_int_equal(r[4].action, SMCCC_BPF_ACT_RETURN);
	assert_int_equal(r[4].flags, 0);
	assert_true(r[4].ret[0] == 5 && r[4].ret[1] == UINT64_MAX && !r[4].ret[2] && !r[4].ret[3]);
	assert_int_equal(r[4].nr_conds, 4);
	assert_int_equal(r[4].conds[0].kind, SMCCC_POLICY_COND_CONDUIT);
	assert_int_equal(r[4].conds[0].op, SMCCC_POLICY_OP_EQ);
	assert_true(r[4].conds[0].value == SMCCC_BPF_CONDUIT_SMC && r[4].conds[0].mask == ~0ull);
	assert_int_equal(r[4].conds[1].kind, SMCCC_POLICY_COND_VCPU);
	assert_int_equal(r[4].conds[1].op, SMCCC_POLICY_OP_LT);
	assert_true(r[4].conds[1].value == 2 && r[4].conds[1].mask == ~0ull);
	assert_int_equal(r[4].conds[2].kind, SMCCC_POLICY_COND_ARG);
	assert_int_equal(r[4].conds[2].reg, 1);
	assert_true(r[4].conds[2].mask == 0xf0 && r[4].conds[2].value == 0x30);
	assert_int_equal(r[4].conds[3].reg, 17);
	assert_int_equal(r[4].conds[3].op, SMCCC_POLICY_OP_NE);
	assert_true(r[4].conds[3].mask == ~0ull);
	/* limits */
	assert_int_equal(r[5].flags, SMCCC_POLICY_F_AUDIT | SMCCC_POLICY_F_RATE);
	assert_true(r[5].rate == 10 && r[5].period == 1 && r[5].burst == 10);
	assert_int_equal(r[5].over_action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(r[6].flags, SMCCC_POLICY_F_RATE);
	assert_true(r[6].rate == 120 && r[6].period == 60 && r[6].burst == 3);
	assert_int_equal(r[6].over_action, SMCCC_BPF_ACT_FWD_TO_USER);
	assert_int_equal(r[7].over_action, SMCCC_BPF_ACT_RETURN);
	assert_true(r[7].ret[0] == UINT64_MAX);
	assert_int_equal(r[8].action, SMCCC_BPF_ACT_DENY);
	assert_int_equal(r[8].over_action, SMCCC_BPF_ACT_RETURN);
	assert_true(r[8].ret[0] == 1 && r[8].ret[3] == 4);
	/* padding stays zero: the maps get exactly these bytes */
	assert_int_equal(r[4].period, 0);	/* no limit */
	assert_int_equal(r[4].conds[0].pad[0], 0);
	done(o);
}

static void test_exact_and_segments(void **state)
{
	struct out *o = compile_ok("deny service trng;\n"			/* 1 */
				   "handle function trng.version if x1 == 1;\n"	/* 2: exact, after 1 */
				   "log range 0x82000000-0x8200ffff;\n"		/* 3 */
				   "return 1 function psci.cpu_on if vcpu >= 2;\n"	/* 4 */
				   "deny id 0x84000003;\n"			/* 5 */
				   "forward service vendor-hyp;\n"		/* 6 */
				   "deny function kvm.ptp;\n");			/* 7: shadowed */
	const struct smccc_compiled *c = &o->c;
	char buf[64];

	(void)state;
	check_shape(c);
	/* exact IDs: trng.version, cpu_on32, cpu_on64, kvm.ptp, in ID order */
	assert_int_equal(c->nr_exact, 4);
	assert_int_equal(c->exact[0].func_id, 0x84000003);
	assert_int_equal(c->exact[1].func_id, 0x84000050);
	assert_int_equal(c->exact[2].func_id, 0x86000001);
	assert_int_equal(c->exact[3].func_id, 0xc4000003);
	expect_chain(c, 0x84000003, "4 5");
	expect_chain(c, 0xc4000003, "4");
	/* the range rule first: it has no conditions, so rule 2 is cut off */
	expect_chain(c, 0x84000050, "1");
	expect_chain(c, 0x86000001, "6");
	/* segments, sorted */
	assert_int_equal(c->nr_segments, 5);
	assert_int_equal(c->segments[0].first, 0x82000000);
	assert_int_equal(c->segments[0].last, 0x8200ffff);
	assert_int_equal(c->segments[1].first, 0x84000050);
	assert_int_equal(c->segments[1].last, 0x8400005f);
	assert_int_equal(c->segments[2].first, 0x86000000);
	assert_int_equal(c->segments[2].last, 0x8600ffff);
	assert_int_equal(c->segments[3].first, 0xc4000050);
	assert_int_equal(c->segments[4].first, 0xc6000000);
	expect_chain(c, 0x82001234, "3");
	expect_chain(c, 0x8400005f, "1");
	expect_chain(c, 0xc600ff01, "6");
	expect_chain(c, 0x84000004, "-");
	expect_chain(c, 0x81000000, "-");
	/* identical chains share one slice: trng's two segments and trng.version */
	assert_int_equal(c->segments[1].chain.start, c->segments[3].chain.start);
	assert_int_equal(find_exact(c, 0x84000050)->chain.start, c->segments[1].chain.start);
	/* chains: [1] [3] [4 5] [6] [4]; [4] is a prefix of [4 5] but its own slice */
	assert_int_equal(c->nr_chain, 6);
	/* rule 2 (after the whole of trng) and rule 7 (after vendor-hyp) never match */
	assert_int_equal(o->d.warnings, 2);
	assert_non_null(strstr(policy_diags_text(&o->d), "t.pol:2:1: warning: rule 2 can never match: shadowed by rule 1 (line 1)"));
	assert_non_null(strstr(policy_diags_text(&o->d), "t.pol:7:1: warning: rule 7 can never match: shadowed by rule 6 (line 6)"));
	(void)buf;
	done(o);
}

static void test_chains_in_source_order(void **state)
{
	struct out *o = compile_ok("deny range 0x10-0x2f if x1 == 1;\n"	/* 1 */
				   "deny id 0x20 if x1 == 2;\n"		/* 2 */
				   "deny range 0x18-0x27 if x1 == 3;\n"	/* 3 */
				   "deny id 0x20, id 0x21 if x1 == 4;\n"	/* 4 */
				   "deny range 0x00-0x3f;\n"			/* 5: cuts */
				   "deny id 0x20;\n"				/* 6: never reached at 0x20 */
				   "deny range 0x1c-0x1d;\n");		/* 7: shadowed by 5 */
	const struct smccc_compiled *c = &o->c;

	(void)state;
	check_shape(c);
	expect_chain(c, 0x20, "1 2 3 4 5");
	expect_chain(c, 0x21, "1 3 4 5");
	expect_chain(c, 0x1c, "1 3 5");
	expect_chain(c, 0x10, "1 5");
	expect_chain(c, 0x05, "5");
	expect_chain(c, 0x2f, "1 5");
	expect_chain(c, 0x30, "5");
	expect_chain(c, 0x40, "-");
	/* segments: [0-f] [10-17] [18-27] [28-2f] [30-3f]: neighbours with one chain merge */
	assert_int_equal(c->nr_segments, 5);
	assert_int_equal(c->segments[0].first, 0x00);
	assert_int_equal(c->segments[0].last, 0x0f);
	assert_int_equal(c->segments[1].last, 0x17);
	assert_int_equal(c->segments[2].last, 0x27);
	assert_int_equal(c->segments[3].last, 0x2f);
	assert_int_equal(c->segments[4].last, 0x3f);
	/* [0-f] and [30-3f] share the chain [5] */
	assert_int_equal(c->segments[0].chain.start, c->segments[4].chain.start);
	assert_int_equal(o->d.warnings, 2);
	assert_non_null(strstr(policy_diags_text(&o->d), "rule 6 can never match: shadowed by rule 5 (line 5)"));
	assert_non_null(strstr(policy_diags_text(&o->d), "rule 7 can never match: shadowed by rule 5 (line 5)"));
	done(o);
}

static void test_segment_merging(void **state)
{
	struct out *o;

	(void)state;
	/* one rule, overlapping and adjacent ranges: one segment */
	o = compile_ok("deny range 1-10, range 5-20, range 21-30, id 7;");
	check_shape(&o->c);
	assert_int_equal(o->c.nr_segments, 1);
	assert_int_equal(o->c.segments[0].first, 1);
	assert_int_equal(o->c.segments[0].last, 30);
	assert_int_equal(o->c.nr_exact, 1);
	expect_chain(&o->c, 7, "1");
	done(o);
	/* adjacent ranges of different rules stay apart */
	o = compile_ok("deny range 1-10; log range 11-20;");
	assert_int_equal(o->c.nr_segments, 2);
	done(o);
	/* a gap splits one rule's segments */
	o = compile_ok("deny range 1-10, range 12-20;");
	assert_int_equal(o->c.nr_segments, 2);
	assert_int_equal(o->c.nr_chain, 1);
	done(o);
	/* the whole ID space but the architecture range, up to 0xffffffff */
	o = compile_ok("deny range 0-0x7fffffff, range 0x80010000-0xbfffffff, range 0xc0010000-0xffffffff;");
	check_shape(&o->c);
	assert_int_equal(o->c.nr_segments, 3);
	assert_int_equal(o->c.segments[2].last, 0xffffffff);
	expect_chain(&o->c, 0xffffffff, "1");
	expect_chain(&o->c, 0, "1");
	done(o);
	o = compile_ok("deny id 0xffffffff, id 0; log range 0xfffffff0-0xffffffff;");
	expect_chain(&o->c, 0xffffffff, "1");
	expect_chain(&o->c, 0xfffffff0, "2");
	done(o);
}

static void test_services_and_functions(void **state)
{
	struct out *o;

	(void)state;
	o = compile_ok("deny service psci64; log service trusted-os; deny function trng.rnd;");
	check_shape(&o->c);
	expect_chain(&o->c, 0xc4000001, "1");
	expect_chain(&o->c, 0x84000001, "-");
	expect_chain(&o->c, 0xbf00ffff, "2");
	expect_chain(&o->c, 0xb2000000, "2");
	expect_chain(&o->c, 0xb2010000, "-");
	expect_chain(&o->c, 0x84000053, "3");
	expect_chain(&o->c, 0xc4000053, "3");
	assert_int_equal(o->c.nr_exact, 2);
	assert_int_equal(o->c.nr_segments, 1 + 28);
	done(o);
	o = compile_ok("deny function psci.cpu_on64, function psci.affinity_info32;");
	assert_int_equal(o->c.nr_exact, 2);
	expect_chain(&o->c, 0xc4000003, "1");
	expect_chain(&o->c, 0x84000004, "1");
	expect_chain(&o->c, 0x84000003, "-");
	done(o);
	/* the same ID twice in a rule: one entry, one chain element */
	o = compile_ok("deny id 0x84000003, function psci.cpu_on32, id 0x84000003;");
	assert_int_equal(o->c.nr_exact, 1);
	expect_chain(&o->c, 0x84000003, "1");
	done(o);
}

#define VH_WHOLE "; the vendor hypervisor range (0x86000000-0x8600ffff and 0xc6000000-0xc600ffff) moves as a whole, UID call 0x8600ff01 included, or not at all"

static void test_vendor_hyp(void **state)
{
	struct out *o;

	(void)state;
	/* all of it moves: one rule, several, the default, conditions and limits alike */
	compile_clean("forward service vendor-hyp;");
	compile_clean("return NOT_SUPPORTED service vendor-hyp;");
	compile_clean("forward range 0x86000000-0x8600ffff, range 0xc6000000-0xc600ffff;");
	compile_clean("forward range 0x85000000-0x86ffffff, range 0xc6000000-0xc600ffff;");
	compile_clean("forward range 0x86000000-0x86007fff;\n"
		      "return 0 range 0x86008000-0x8600ffff;\n"
		      "forward range 0xc6000000-0xc600ffff;");
	compile_clean("default forward;");
	compile_clean("default forward; deny id 5; log service psci; handle range 0x85000000-0x85ffffff;");
	compile_clean("default forward; forward function kvm.ptp; return 1 function kvm.uid;");
	compile_clean("mode permissive; default forward; return 0 function kvm.uid;");
	compile_clean("handle service vendor-hyp limit 10/s then forward;");
	compile_clean("forward service vendor-hyp limit 10/s then return 0;");
	/* ... on the same calls for all of it */
	compile_clean("forward service vendor-hyp if vcpu == 0;");
	compile_clean("forward service vendor-hyp if vcpu == 0;\ndeny function kvm.ptp;");
	compile_clean("forward service vendor-hyp if vcpu == 0;\nlog function kvm.ptp if vcpu == 1;");
	compile_clean("forward range 0x86000000-0x8600ffff if vcpu == 0 and x1 == 2;\n"
		      "return 0 range 0xc6000000-0xc600ffff if x1 == 2 and vcpu == 0;");
	compile_clean("default forward;\nforward service vendor-hyp if vcpu == 0;\n"
		      "deny function kvm.ptp if vcpu == 0 and x2 == 1;");	/* never decides */
	/* none of it moves: deny, handle and log may name any part */
	compile_clean("deny function kvm.ptp;");
	compile_clean("handle function kvm.uid; log range 0x86000002-0x8600000f;");
	compile_clean("deny function kvm.ptp limit 5/s then log;");
	compile_clean("deny range 0xc6000000-0xc600ffff; log function kvm.uid if vcpu == 0;");
	compile_clean("default deny; handle function kvm.uid, function kvm.features;");
	compile_clean("forward service sip; return 0 service oem;");

	/* a forward or return rule on part of it */
	o = compile("forward function kvm.ptp;\n");
	assert_string_equal(policy_diags_text(&o->d),
		"t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		"kvm.ptp 0x86000001 moves to the VMM (forward, rule 1, line 1) but "
		"kvm.features 0x86000000 stays with KVM (default handle)" VH_WHOLE "\n"
		"forward function kvm.ptp;\n"
		"^\n");
	done(o);
	compile_error("deny id 1;\nreturn 0 range 0x86000000-0x8600ffff;",
		      "t.pol:2:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the policy (return, rule 2, line 2) but "
		      "0xc6000000 stays with KVM (default handle)" VH_WHOLE);
	compile_error("forward range 0x86000000-0x8600fffe, range 0xc6000000-0xc600ffff;",
		      "but 0x8600ffff stays with KVM (default handle)" VH_WHOLE);
	/* several forward and return rules that cover part of it together */
	compile_error("forward range 0x86000000-0x86007fff;\nreturn 0 range 0x86008000-0x8600ffff;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM (forward, rule 1, line 1) but "
		      "0xc6000000 stays with KVM (default handle)");
	/* the default takes it over, a rule keeps part: reported where the split comes first */
	compile_error("default forward;\nhandle function kvm.ptp;",
		      "t.pol:1:9: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM (default forward, line 1) but "
		      "kvm.ptp 0x86000001 stays with KVM (handle, rule 1, line 2)" VH_WHOLE);
	compile_error("policy \"p\";\ndeny function kvm.uid;\ndefault forward;",
		      "t.pol:2:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM (default forward, line 3) but "
		      "kvm.uid 0x8600ff01 stays with KVM (deny, rule 1, line 2)" VH_WHOLE);
	compile_error("default forward;\nlog function kvm.ptp;",
		      "but kvm.ptp 0x86000001 stays with KVM (log, rule 1, line 2)");
	compile_error("deny range 0xc6000000-0xc600ffff;\nforward service vendor-hyp;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM (forward, rule 2, line 2) but "
		      "0xc6000000 stays with KVM (deny, rule 1, line 1)");
	/* with conditions: on some calls part of it moves */
	compile_error("forward function kvm.ptp if vcpu == 0;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.ptp 0x86000001 moves to the VMM on some calls (forward, rule 1, line 1, when its conditions hold) but "
		      "kvm.features 0x86000000 stays with KVM (default handle): "
		      "taking over part of the range on some calls only is a partial takeover too" VH_WHOLE);
	compile_error("deny function kvm.ptp;\nforward service vendor-hyp if vcpu == 0 and x1 & 0xff == 0x3;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM on some calls (forward, rule 2, line 2, when its conditions hold) but "
		      "kvm.ptp 0x86000001 stays with KVM (deny, rule 1, line 1): taking over part");
	compile_error("deny function kvm.ptp if vcpu == 0;\nforward service vendor-hyp;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM (forward, rule 2, line 2) but on some calls "
		      "kvm.ptp 0x86000001 stays with KVM (deny, rule 1, line 1, when its conditions hold)" VH_WHOLE);
	compile_error("default forward;\nforward service vendor-hyp if vcpu == 0 and x1 == 1;\n"
		      "deny function kvm.uid if vcpu == 0;",
		      "t.pol:3:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 moves to the VMM (default forward, line 1) but on some calls "
		      "kvm.uid 0x8600ff01 stays with KVM (deny, rule 2, line 3, when its conditions hold)");
	compile_error("forward service vendor-hyp if vcpu == 0;\nforward function kvm.ptp if vcpu == 1;",
		      "t.pol:2:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 and kvm.ptp 0x86000001 move on different calls "
		      "(kvm.features 0x86000000: default handle, when no rule with conditions before it decides; "
		      "kvm.ptp 0x86000001: forward, rule 2, line 2, when its conditions hold), "
		      "so on some calls part of the range moves and part stays with KVM" VH_WHOLE);
	compile_error("forward service vendor-hyp if vcpu == 0;\nforward function kvm.ptp;",
		      "t.pol:2:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.ptp 0x86000001 moves to the VMM (forward, rule 2, line 2) but on some calls "
		      "kvm.features 0x86000000 stays with KVM (default handle, when no rule with conditions before it decides)");
	compile_error("forward range 0x86000000-0x8600ffff if vcpu == 0;\n"
		      "forward range 0xc6000000-0xc600ffff if vcpu == 1;",
		      "kvm.features 0x86000000 and 0xc6000000 move on different calls");
	/* a rate limit: one side of it moves */
	compile_error("handle function kvm.ptp limit 10/s then forward;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.ptp 0x86000001 moves to the VMM on some calls (forward, rule 1, line 1, over its rate limit) but "
		      "kvm.features 0x86000000 stays with KVM (default handle)");
	compile_error("deny function kvm.ptp limit 10/s then return 0;",
		      "kvm.ptp 0x86000001 moves to the policy on some calls (return, rule 1, line 1, over its rate limit)");
	compile_error("forward function kvm.uid limit 10/s then deny;", "moves to the VMM on some calls (forward, rule 1, line 1, within its rate limit)");
	/* two buckets: over one limit and not the other */
	compile_error("handle function kvm.ptp limit 5/s then forward;\nhandle service vendor-hyp limit 10/s then forward;",
		      "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
		      "kvm.features 0x86000000 and kvm.ptp 0x86000001 move on different calls "
		      "(kvm.features 0x86000000: handle, rule 2, line 2, then forward over its rate limit; "
		      "kvm.ptp 0x86000001: handle, rule 1, line 1, then forward over its rate limit)");
	/* permissive mode: checked all the same */
	compile_error("mode permissive;\nforward function kvm.ptp;", "t.pol:2:1: error: partial takeover");
	/* a later rule that never decides splits nothing */
	compile_warning("forward service vendor-hyp, function kvm.uid, range 0xc6000000-0xc6000000;\n"
			"deny range 0xc6000000-0xc600ffff, function kvm.ptp;",
			"t.pol:2:1: warning: rule 2 can never match: shadowed by rule 1 (line 1)");
	/* a rule with errors is not judged on what is left of it */
	compile_error("forward range 0x86000000-0x8600ffff, range 0xc6000000-0x1c600ffff;",
		      "does not fit in 32 bits");
}

/*
 * The most exact IDs and the most segments a policy may have, each its own
 * rule: in linear time whatever the allocator. The compiler resized the
 * side arrays of both (the rule cutting each chain) with a realloc() per
 * entry: free with glibc, which grows in place, but a copy of the whole
 * array each time with ASan's allocator, which never does: 30 s for
 * 100,000 exact IDs under make test-host-asan, about 0.1 s fixed. No
 * time is asserted (costs are for benchmarks): the largest policies must
 * compile right, and a quadratic compiler shows as a make test-host-asan
 * that takes minutes.
 */
static void test_many_entries_linear(void **state)
{
	size_t cap = (size_t)SMCCC_POLICY_MAX_RULES * 48, pos;
	char *text = malloc(cap);
	struct out *o;
	uint32_t i;

	(void)state;
	assert_non_null(text);
	for (i = 0, pos = 0; i < SMCCC_POLICY_MAX_RULES; i++)
		pos += snprintf(text + pos, cap - pos, "deny id %#x;\n", 0x10000000u + 2 * i);
	o = compile_ok(text);
	assert_int_equal(o->c.nr_exact, SMCCC_POLICY_MAX_RULES);
	done(o);
	/* disjoint ranges: one segment each, all sharing one chain */
	for (i = 0, pos = 0; i < SMCCC_POLICY_MAX_RULES; i++)
		pos += snprintf(text + pos, cap - pos, "deny range %#x-%#x;\n",
				0x10000000u + 4 * i, 0x10000000u + 4 * i + 1);
	o = compile_ok(text);
	assert_int_equal(o->c.nr_segments, SMCCC_POLICY_MAX_RULES);
	done(o);
	free(text);
}

/* Every vendor hypervisor ID an exact ID of its own rule: still checked (no time asserted). */
static void test_vendor_hyp_exact(void **state)
{
	size_t cap = 2 * 0x10000 * 32, pos = 0, last = 0;
	char *text = malloc(cap);
	uint32_t h, i;
	struct out *o;

	(void)state;
	assert_non_null(text);
	for (h = 0; h < 2; h++)
		for (i = 0; i < 0x10000; i++) {
			last = pos;
			pos += snprintf(text + pos, cap - pos, "forward id %#x;\n",
					(h ? 0xc6000000u : 0x86000000u) + i);
		}
	o = compile_ok(text);
	assert_int_equal(o->c.nr_exact, 2 * 0x10000);
	done(o);
	/* the last one kept */
	memcpy(text + last, "deny   ", 7);
	o = compile(text);
	assert_int_equal(o->d.errors, 1);
	assert_non_null(strstr(policy_diags_text(&o->d),
			       "t.pol:1:1: error: partial takeover of KVM's vendor hypervisor range: "
			       "kvm.features 0x86000000 moves to the VMM (forward, rule 1, line 1) but "
			       "0xc600ffff stays with KVM (deny, rule 131072, line 131072)"));
	done(o);
	free(text);
}

/* ---- errors ---- */

static void test_error_format(void **state)
{
	struct out *o = compile("policy \"x\";\n\tdeny  id 0x80000000;\n");

	(void)state;
	assert_int_equal(o->ret, -1);
	assert_string_equal(policy_diags_text(&o->d),
		"t.pol:2:8: error: the SMCCC architecture range (0x80000000-0x8000ffff, 0xc0000000-0xc000ffff) is KVM's; a policy cannot change it\n"
		"\tdeny  id 0x80000000;\n"
		"\t      ^\n");
	assert_null(o->name);
	done(o);
}

static void test_arch_errors(void **state)
{
	(void)state;
	compile_error("deny id 0x80000000;", "t.pol:1:6: error: the SMCCC architecture range");
	compile_error("deny id 0xc000ffff;", "is KVM's; a policy cannot change it");
	compile_error("deny range 0x7fff0000-0x80000000;", "t.pol:1:6: error: the SMCCC architecture range");
	compile_error("deny range 0x8000ffff-0x80010000;", "the SMCCC architecture range");
	compile_error("deny range 0xbfffffff-0xc0000000;", "the SMCCC architecture range");
	compile_error("deny range 0-0xffffffff;", "the SMCCC architecture range");
	compile_error("deny service arch;", "t.pol:1:6: error: the SMCCC architecture range");
	compile_error("deny function smccc.version;", "t.pol:1:6: error: the SMCCC architecture range");
	compile_error("deny function smccc.arch_workaround_1;", "the SMCCC architecture range");
	compile_error("handle id 0x80008000;", "the SMCCC architecture range");
	compile_error("log id 0x80000001 if x1 == 0;", "the SMCCC architecture range");
	/* just outside is fine */
	compile_clean("deny id 0x7fffffff, id 0x80010000, id 0xbfffffff, id 0xc0010000;");
}

static void test_match_errors(void **state)
{
	(void)state;
	compile_error("deny id 0x100000000;", "t.pol:1:9: error: function ID 0x100000000 does not fit in 32 bits");
	compile_error("deny id -1;", "t.pol:1:9: error: function ID 0xffffffffffffffff does not fit in 32 bits");
	compile_error("deny range 1-0x100000000;", "t.pol:1:12: error: range 0x1-0x100000000 does not fit in 32 bits");
	compile_error("deny range 0x100000000-0x100000001;", "does not fit in 32 bits");
	compile_error("deny range 10-5;", "t.pol:1:12: error: range 0xa-0x5 is empty: its first ID is above its last");
	compile_error("deny service pcsi;", "t.pol:1:14: error: unknown service 'pcsi'; did you mean 'psci'?");
	compile_error("deny service nothing_like_it;", "t.pol:1:14: error: unknown service 'nothing_like_it'\n");
	compile_error("deny service psci.cpu_on;", "t.pol:1:14: error: 'psci.cpu_on' is a function, not a service: use 'function psci.cpu_on'");
	compile_error("deny function psci.cpuon;", "t.pol:1:15: error: unknown function 'psci.cpuon'; did you mean 'psci.cpu_on'?");
	compile_error("deny function nothing.like.it;", "t.pol:1:15: error: unknown function 'nothing.like.it'\n");
	compile_error("deny function psci;", "t.pol:1:15: error: 'psci' is a service, not a function: use 'service psci'");
	compile_error("deny function psci.version64;", "unknown function 'psci.version64'");
}

static void test_rule_errors(void **state)
{
	(void)state;
	struct out *o;

	compile_error("default return 1;", "t.pol:1:9: error: the default action cannot be 'return'");
	compile_error("deny id 5 if x1 == 1 and x2 == 2 and x3 == 3 and x4 == 4 and x5 == 5;",
		      "t.pol:1:62: error: too many conditions: a rule has at most 4");
	compile_error("deny id 5 if vcpu == 0x100000000;", "t.pol:1:22: error: vCPU id 4294967296 does not fit in 32 bits");
	compile_error("deny id 5 if vcpu < -1;", "vCPU id 18446744073709551615 does not fit in 32 bits");
	compile_error("deny id 5 limit 0/s;", "t.pol:1:17: error: a limit of 0 calls never lets a call through: use deny");
	compile_error("deny id 5 limit 0/min burst 3;", "a limit of 0 calls");
	o = compile_ok("deny id 5 limit 10/min;");	/* not a whole number per second: fine */
	assert_true(o->c.rules[0].rate == 10 && o->c.rules[0].period == 60 && o->c.rules[0].burst == 10);
	done(o);
	compile_error("deny id 5 limit 1000000001/s;", "t.pol:1:17: error: a limit can be at most 1000000000 calls per second");
	compile_error("deny id 5 limit 10/s burst 0;", "t.pol:1:28: error: a burst of 0 calls never lets a call through");
	compile_error("deny id 5 limit 10/s burst 4294967297;", "t.pol:1:28: error: burst 4294967297 is too large: at most 4294967296 calls");
	compile_error("deny id 5 limit 4294967297/s;", "t.pol:1:17: error: a limit can be at most 1000000000 calls per second");
	/* the default burst is one period's calls, at most what the program honours */
	{
		struct out *o = compile_ok("deny id 5 limit 6000000000/min;");

		assert_true(o->c.rules[0].rate == 6000000000ull && o->c.rules[0].period == 60 &&
			    o->c.rules[0].burst == 1ull << 32);
		done(o);
	}
	compile_error("return 1 id 5 limit 10/s then return 2;",
		      "t.pol:1:31: error: a rule has one set of return values");
	compile_clean("return 1, 2 id 5 limit 10/s then return 1, 2;");
	compile_clean("deny id 5 limit 1000000000/s burst 4294967296;");
	compile_clean("deny id 5 limit 60/min; deny id 6 limit 6000/minute;");
}

/* The one rule of "deny id 5 limit ...;", compiled. */
static struct out *compile_limit(const char *limit)
{
	char text[128];

	snprintf(text, sizeof(text), "deny id 5 limit %s;", limit);
	return compile_ok(text);
}

/*
 * Every limit the compiler accepts has a bucket of at most 2^63 ns (its
 * cap in the program's arithmetic, which would wrap past 2^64): the largest
 * burst at each rate passes, one more is refused with what fits. Checked
 * in 128 bits, apart from the compiler's arithmetic.
 */
static void test_limit_bucket_bound(void **state)
{
	static const struct {
		unsigned long long rate;
		unsigned int per;
	} rates[] = {
		{ 1, 60 }, { 2, 60 }, { 7, 60 }, { 27, 60 }, { 28, 60 }, { 59, 60 },
		{ 1, 1 }, { 3, 1 }, { 1000000000, 1 }, { 60000000000ull, 60 },
	};
	char limit[96], want[256];
	struct out *o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		unsigned __int128 cost = (unsigned __int128)rates[i].per * 1000000000 /
					 rates[i].rate;
		unsigned long long max = (unsigned long long)((unsigned __int128)1 << 63) / cost;
		const char *unit = rates[i].per == 60 ? "min" : "s";

		if (max > 1ull << 32)
			max = 1ull << 32;
		snprintf(limit, sizeof(limit), "%llu/%s burst %llu", rates[i].rate, unit, max);
		o = compile_limit(limit);
		assert_true(o->c.rules[0].burst == max);
		assert_true(policy_bucket_cap(&o->c.rules[0]) == max * cost);
		assert_true(max * cost <= (unsigned __int128)1 << 63);
		done(o);
		/* the default burst, one period's calls, always fits */
		snprintf(limit, sizeof(limit), "%llu/%s", rates[i].rate, unit);
		o = compile_limit(limit);
		assert_true(policy_bucket_cap(&o->c.rules[0]) <= 1ull << 63);
		done(o);
		snprintf(limit, sizeof(limit), "deny id 5 limit %llu/%s burst %llu;", rates[i].rate,
			 unit, max + 1);
		if (max == 1ull << 32)
			snprintf(want, sizeof(want), "burst %llu is too large: at most %llu calls",
				 max + 1, max);
		else
			snprintf(want, sizeof(want),
				 "burst %llu is too large for %llu/%s: at most %llu calls at this rate",
				 max + 1, rates[i].rate, unit, max);
		compile_error(limit, want);
	}

	/* the issue's: buckets that wrapped, to less than one call (307445735) or more */
	compile_error("deny id 5 limit 1/min burst 4000000000;",
		      "t.pol:1:29: error: burst 4000000000 is too large for 1/min: at most 153722867 calls at this rate (a bucket holds at most 2^63 ns of calls, 292 years)");
	compile_error("deny id 5 limit 1/min burst 307445735;", "at most 153722867 calls");
	compile_error("deny id 5 limit 1/min burst 4294967296;", "at most 153722867 calls");
	compile_error("deny id 5 limit 27/minute burst 4294967296;",
		      "burst 4294967296 is too large for 27/min: at most 4150517416 calls");
	compile_clean("deny id 5 limit 28/min burst 4294967296;");
	/* a bad rate gives its own error only */
	compile_error("deny id 5 limit 0/min burst 4000000000;", "a limit of 0 calls");

	/*
	 * At most 10^9 calls per second, per minute too: 60000000001/min was
	 * let through (60000000001 / 60 is 10^9 in integers) and behaved as
	 * 10^9/s, a call costing 1 ns.
	 */
	compile_clean("deny id 5 limit 60000000000/min;");
	compile_error("deny id 5 limit 60000000001/min;",
		      "t.pol:1:17: error: a limit can be at most 1000000000 calls per second (60000000000/min)");
	compile_error("deny id 5 limit 60000000059/min;", "at most 1000000000 calls per second");
	compile_error("deny id 5 limit -1/min;", "at most 1000000000 calls per second");
	compile_error("deny id 5 limit 10/s burst -1;", "burst 18446744073709551615 is too large");
}

static void test_errors_collected(void **state)
{
	struct out *o = compile("default return 0;\n"
				"deny id 0x80000000;\n"
				"deny service nosuch;\n"
				"deny function kvm.ptp;\n"		/* the default returns the rest */
				"deny id 5 limit 0/s;\n"
				"deny id 6 if vcpu == 0x100000000;\n"
				"deny id 7, id 0x100000000, range 9-8, function psci.nosuch;\n");

	(void)state;
	assert_int_equal(o->ret, -1);
	assert_int_equal(o->d.errors, 9);
	done(o);
	/* with syntax errors: the compiler's errors too, but no warnings */
	o = compile("deny id 5 @;\ndeny service nosuch;\ndeny id 1;\ndeny id 1;");
	assert_int_equal(o->ret, -1);
	assert_int_equal(o->d.errors, 2);
	assert_int_equal(o->d.warnings, 0);
	assert_null(o->c.rules);
	done(o);
	/* syntax errors alone fail */
	o = compile("deny id 1 deny id 2;");
	assert_int_equal(o->ret, -1);
	assert_int_equal(o->d.errors, 1);
	done(o);
}

/*
 * What `policy check` prints of a hostile file is bounded: the compiler's
 * errors are counted, the first 20 shown, names in them cut (the parser's
 * are, in test_policy_parser.c).
 */
static void test_errors_bounded(void **state)
{
	size_t n = 100000, cap = n * 40, pos, i;
	char *text = malloc(cap), a64[65], want[160];
	const char *out, *note = "t.pol: note: too many errors and warnings: only the first 20 are shown\n";
	struct out *o;

	(void)state;
	assert_non_null(text);
	for (i = 0, pos = 0; i < n; i++)
		pos += snprintf(text + pos, cap - pos, "deny service nosuch%zu;\n", i);
	o = compile(text);
	out = policy_diags_text(&o->d);
	assert_int_equal(o->d.errors, n);
	assert_true(strlen(out) < 4096);
	assert_string_equal(out + strlen(out) - strlen(note), note);
	assert_non_null(strstr(out, "t.pol:20:14: error: unknown service 'nosuch19'\n"));
	assert_null(strstr(out, "nosuch20"));
	done(o);
	/* warnings too */
	for (i = 0, pos = 0; i < n; i++)
		pos += snprintf(text + pos, cap - pos, "deny id %zu;\n", i % 7);
	o = compile(text);
	out = policy_diags_text(&o->d);
	assert_int_equal(o->ret, 0);
	assert_int_equal(o->d.warnings, n - 7);
	assert_true(strlen(out) < 4096);
	assert_string_equal(out + strlen(out) - strlen(note), note);
	done(o);

	memset(a64, 'a', 64);
	a64[64] = '\0';
	snprintf(text, cap, "deny service %sz;", a64);
	snprintf(want, sizeof(want), "error: unknown service '%s...'\n", a64);
	compile_error(text, want);
	snprintf(text, cap, "deny function %sz;", a64);
	snprintf(want, sizeof(want), "error: unknown function '%s...'\n", a64);
	compile_error(text, want);
	snprintf(text, cap, "deny function %s;", a64);
	snprintf(want, sizeof(want), "error: unknown function '%s'\n", a64);
	compile_error(text, want);
	free(text);
}

static char *repeat(size_t n, const char *fmt, size_t step)
{
	size_t cap = n * 48 + 64, pos = 0, i;
	char *s = malloc(cap);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		pos += snprintf(s + pos, cap - pos, fmt, (unsigned long)(i * step),
				(unsigned long)(i * step));
	s[pos] = '\0';
	return s;
}

static void test_limit_rules(void **state)
{
	char *text;

	(void)state;
	text = repeat(SMCCC_POLICY_MAX_RULES + 1, "deny range %lu-%lu;\n", 2);
	compile_error(text, "t.pol:131073:1: error: too many rules: a policy has at most 131072");
	free(text);
	text = repeat(SMCCC_POLICY_MAX_RULES, "deny id %lu;\n", 1);
	compile_clean(text);
	free(text);
}

/* One rule naming n IDs (or ranges) apart from each other. */
static char *one_rule(size_t n, const char *match, size_t step)
{
	size_t cap = n * 40 + 64, pos, i;
	char *s = malloc(cap);

	assert_non_null(s);
	pos = snprintf(s, cap, "deny");
	for (i = 0; i < n; i++)
		pos += snprintf(s + pos, cap - pos, "%s ", i ? "," : "") +
		       snprintf(s + pos + (i ? 2 : 1), cap - pos, match,
				(unsigned long)(i * step), (unsigned long)(i * step));
	snprintf(s + pos, cap - pos, ";\n");
	return s;
}

static void test_limit_exact(void **state)
{
	char *text;

	(void)state;
	text = one_rule(SMCCC_POLICY_MAX_EXACT + 1, "id %lu", 1);
	compile_error(text, "t.pol:1:1: error: too many function IDs named by 'id' and 'function': 131073, the policy maps hold 131072");
	free(text);
	text = one_rule(SMCCC_POLICY_MAX_EXACT, "id %lu", 1);
	compile_clean(text);
	free(text);
}

static void test_limit_segments(void **state)
{
	char *text;

	(void)state;
	/* ranges one ID apart: no two merge */
	text = one_rule(SMCCC_POLICY_MAX_SEGMENTS + 1, "range %lu-%lu", 2);
	compile_error(text, "t.pol:1:1: error: too many ID ranges: the rules' ranges make 262145 segments, the policy maps hold 262144");
	free(text);
	text = one_rule(SMCCC_POLICY_MAX_SEGMENTS, "range %lu-%lu", 2);
	compile_clean(text);
	free(text);
}

static void test_limit_chain_map(void **state)
{
	size_t n = 40000, cap = n * 64, pos = 0, i;
	char *text = malloc(cap);
	struct out *o;

	(void)state;
	/* rule i covers 2i..2i+27: 14 conditional rules per ID, a new chain every 2 IDs */
	assert_non_null(text);
	for (i = 0; i < n; i++)
		pos += snprintf(text + pos, cap - pos, "deny range %zu-%zu if x1 == %zu;\n",
				2 * i, 2 * i + 27, i);
	o = compile(text);
	assert_int_equal(o->d.errors, 1);
	assert_non_null(strstr(policy_diags_text(&o->d),
			       "error: too many candidate rules: the chains need "));
	assert_non_null(strstr(policy_diags_text(&o->d), "the policy maps hold 524288"));
	done(o);
	/* a quarter of it fits */
	text[0] = '\0';
	for (i = 0, pos = 0; i < n / 4; i++)
		pos += snprintf(text + pos, cap - pos, "deny range %zu-%zu if x1 == %zu;\n",
				2 * i, 2 * i + 27, i);
	o = compile_ok(text);
	check_shape(&o->c);
	assert_true(o->c.nr_chain > 100000);
	expect_chain(&o->c, 100, "38 39 40 41 42 43 44 45 46 47 48 49 50 51");
	done(o);
	free(text);
}

static void test_limit_chain_len(void **state)
{
	char text[4096];
	size_t pos = 0;
	int i;

	(void)state;
	for (i = 0; i < SMCCC_POLICY_MAX_CHAIN_LEN; i++)
		pos += snprintf(text + pos, sizeof(text) - pos, "deny id 5 if x1 == %d;\n", i);
	compile_clean(text);
	/* a 17th candidate, with conditions or not */
	snprintf(text + pos, sizeof(text) - pos, "deny range 1-9 if x1 == 99;\n");
	compile_error(text, "t.pol:17:1: error: rule 17: function ID 0x00000005 would have more than 16 candidate rules");
	snprintf(text + pos, sizeof(text) - pos, "deny range 1-9;\n");
	compile_error(text, "t.pol:17:1: error: rule 17: function ID 0x00000005 would have more than 16 candidate rules");
	/* 15 with conditions and one without: 16, and what follows is shadowed */
	for (i = 0, pos = 0; i < SMCCC_POLICY_MAX_CHAIN_LEN - 1; i++)
		pos += snprintf(text + pos, sizeof(text) - pos, "deny id 5 if x1 == %d;\n", i);
	snprintf(text + pos, sizeof(text) - pos, "deny range 1-9;\ndeny id 5;\n");
	compile_warning(text, "t.pol:17:1: warning: rule 17 can never match: shadowed by rule 16 (line 16)");
	/* over the limit in a segment, reported once per rule */
	for (i = 0, pos = 0; i < 17; i++)
		pos += snprintf(text + pos, sizeof(text) - pos, "deny range 0x10-0x20, range 0x30-0x40 if x1 == %d;\n", i);
	compile_error(text, "t.pol:17:1: error: rule 17: function ID 0x00000010 would have more than 16");
}

static void test_file(void **state)
{
	char path[] = "/tmp/test_policy_compile.XXXXXX";
	struct smccc_compiled c;
	struct policy_diags d = { 0 };
	char *name;
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "policy \"f\";\ndeny service trng;\n", 31), 31);
	close(fd);
	assert_int_equal(policy_compile_file(path, &c, &name, &d), 0);
	assert_string_equal(name, "f");
	assert_int_equal(c.nr_rules, 1);
	assert_int_equal(c.rules[0].line, 2);
	smccc_compiled_free(&c);
	free(name);
	/* no name wanted */
	assert_int_equal(policy_compile_file(path, &c, NULL, &d), 0);
	smccc_compiled_free(&c);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("deny id 0x80000000;\n", f);
	fclose(f);
	assert_int_equal(policy_compile_file(path, &c, &name, &d), -1);
	assert_null(name);
	assert_non_null(strstr(policy_diags_text(&d), ":1:6: error: the SMCCC architecture range"));
	assert_non_null(strstr(policy_diags_text(&d), "deny id 0x80000000;\n     ^\n"));
	unlink(path);
	policy_diags_free(&d);
	assert_int_equal(policy_compile_file(path, &c, &name, &d), -1);
	assert_non_null(strstr(policy_diags_text(&d), "error: cannot open: No such file or directory"));
	assert_int_equal(d.errors, 1);
	policy_diags_free(&d);
	smccc_compiled_free(NULL);
}

/*
 * The library's reader has the CLI's bound: /dev/zero and an oversize file
 * are refused after POLICY_MAX_TEXT + 1 bytes at most, not read forever.
 */
static void test_file_bounded(void **state)
{
	char path[] = "/tmp/test_policy_compile.XXXXXX";
	struct smccc_compiled c;
	struct policy_diags d = { 0 };
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	/* sparse: one byte over the limit, all of it readable zeros */
	assert_int_equal(ftruncate(fd, POLICY_MAX_TEXT + 1), 0);
	close(fd);
	assert_int_equal(policy_compile_file(path, &c, NULL, &d), -1);
	assert_non_null(strstr(policy_diags_text(&d),
			       "cannot read: larger than 16 MiB, the limit of a policy file"));
	policy_diags_free(&d);
	/* exactly the limit is read (and then refused as text, not for size) */
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, POLICY_MAX_TEXT), 0);
	close(fd);
	assert_int_equal(policy_compile_file(path, &c, NULL, &d), -1);
	assert_null(strstr(policy_diags_text(&d), "larger than"));
	policy_diags_free(&d);
	smccc_compiled_free(&c);
	unlink(path);

	assert_int_equal(policy_compile_file("/dev/zero", &c, NULL, &d), -1);
	assert_non_null(strstr(policy_diags_text(&d), "cannot read: it is a device or socket"));
	policy_diags_free(&d);
	assert_int_equal(policy_compile_file("/tmp", &c, NULL, &d), -1);
	assert_non_null(strstr(policy_diags_text(&d), "cannot read: it is a directory"));
	assert_int_equal(d.errors, 1);
	policy_diags_free(&d);
}

static void test_compile_ast(void **state)
{
	const char *text = "deny id 1; deny id 1;";
	struct policy_src src = { "a.pol", text, strlen(text) };
	struct policy_diags d = { 0 };
	struct policy_ast ast;
	struct smccc_compiled c;

	(void)state;
	assert_int_equal(policy_parse(&src, &ast, &d), 0);
	assert_int_equal(policy_compile(&ast, &src, &c, &d), 0);
	assert_int_equal(d.warnings, 1);
	assert_int_equal(c.nr_rules, 2);
	smccc_compiled_free(&c);
	assert_int_equal(c.nr_rules, 0);
	/* a hand-made AST with more conditions than a rule holds */
	ast.rules[0].conds = calloc(5, sizeof(*ast.rules[0].conds));
	ast.rules[0].nr_conds = 5;
	assert_int_equal(policy_compile(&ast, &src, &c, &d), -1);
	policy_ast_free(&ast);
	policy_diags_free(&d);
}

/* ---- warnings ---- */

static void test_shadow_warnings(void **state)
{
	(void)state;
	compile_warning("deny service psci;\nhandle function psci.cpu_on;",
			"t.pol:2:1: warning: rule 2 can never match: shadowed by rule 1 (line 1)");
	compile_warning("deny id 5;\n\nlog id 5 if x1 == 1;", "t.pol:3:1: warning: rule 2 can never match: shadowed by rule 1 (line 1)");
	compile_warning("deny range 1-10;\nlog range 3-4;", "rule 2 can never match: shadowed by rule 1 (line 1)");
	compile_warning("deny id 5;\nlog range 5-5;", "rule 2 can never match: shadowed by rule 1 (line 1)");
	compile_warning("deny range 1-10;\nlog id 5;", "rule 2 can never match: shadowed by rule 1 (line 1)");
	compile_warning("deny range 1-5;\nhandle range 6-10;\nlog range 2-8;",
			"t.pol:3:1: warning: rule 3 can never match: shadowed by rules 1 (line 1) through 2 (line 2)");
	compile_warning("deny id 1;\ndeny id 2;\nlog id 1, id 2;", "rule 3 can never match: shadowed by rules 1 (line 1) through 2 (line 2)");
	compile_warning("deny id 7 limit 5/s;\nlog id 7;", "rule 2 can never match: shadowed by rule 1 (line 1)");
	compile_warning("deny service trng;\nhandle function trng.version;\nlog function kvm.ptp;",
			"rule 2 can never match");
	/* not shadowed: conditions, partial overlap, earlier rules with conditions */
	compile_clean("deny id 5 if x1 == 1;\nlog id 5;");
	compile_clean("deny range 1-10;\nlog range 5-11;");
	compile_clean("deny range 1-10;\nlog range 5-10, id 11;");
	compile_clean("deny id 5 if x1 == 1;\ndeny id 5 if x1 == 1;");
	compile_clean("deny id 5;\nlog id 6;");
	compile_clean("log service psci;\ndeny service std-secure;");
	/* both warnings of a file, in line order */
	{
		struct out *o = compile("deny range 0-100;\nlog id 5;\nlog id 6;\n");
		const char *t = policy_diags_text(&o->d);

		assert_int_equal(o->d.warnings, 2);
		assert_int_equal(o->ret, 0);
		assert_true(strstr(t, "rule 2") < strstr(t, "rule 3"));
		done(o);
	}
}

/* ---- random policies against a brute-force model ---- */

#define U_LO	0x100u
#define U_HI	0x180u		/* IDs used: U_LO..U_HI-1 */

struct model_rule {
	uint32_t first[4], last[4];
	unsigned int nr;
	bool cond;
};

static bool model_covers(const struct model_rule *r, uint32_t id)
{
	unsigned int k;

	for (k = 0; k < r->nr; k++)
		if (id >= r->first[k] && id <= r->last[k])
			return true;
	return false;
}

static void test_random_against_model(void **state)
{
	struct model_rule rules[40];
	char text[8192], want[256], got[256];
	unsigned int seed, nr, i, k;
	uint32_t id;

	(void)state;
	srand(12345);
	for (seed = 0; seed < 300; seed++) {
		size_t pos = 0;
		struct out *o;
		const char *diag;

		nr = 1 + rand() % 40;
		for (i = 0; i < nr; i++) {
			struct model_rule *r = &rules[i];

			r->nr = 1 + rand() % 3;
			r->cond = rand() % 3 != 0;
			pos += snprintf(text + pos, sizeof(text) - pos, "%s", rand() % 2 ? "deny" : "log");
			for (k = 0; k < r->nr; k++) {
				r->first[k] = U_LO + rand() % (U_HI - U_LO);
				if (rand() % 2) {
					r->last[k] = r->first[k];
					pos += snprintf(text + pos, sizeof(text) - pos, "%s id %u",
							k ? "," : "", r->first[k]);
				} else {
					r->last[k] = r->first[k] + rand() % 24;
					if (r->last[k] >= U_HI)
						r->last[k] = U_HI - 1;
					pos += snprintf(text + pos, sizeof(text) - pos, "%s range %u-%u",
							k ? "," : "", r->first[k], r->last[k]);
				}
			}
			pos += snprintf(text + pos, sizeof(text) - pos, "%s;\n",
					r->cond ? " if x1 == 1" : "");
		}
		o = compile(text);
		/* over 16 candidates is an error: then the model must agree */
		if (o->ret) {
			bool over = false;

			for (id = U_LO; id < U_HI && !over; id++) {
				unsigned int n = 0;

				for (i = 0; i < nr; i++) {
					if (!model_covers(&rules[i], id))
						continue;
					n++;
					if (!rules[i].cond)
						break;
				}
				over = n > SMCCC_POLICY_MAX_CHAIN_LEN;
			}
			if (!over)
				fail_msg("seed %u: unexpected errors:\n%s", seed, policy_diags_text(&o->d));
			done(o);
			continue;
		}
		check_shape(&o->c);
		diag = policy_diags_text(&o->d);
		for (id = U_LO - 2; id < U_HI + 2; id++) {
			size_t wpos = 0;

			want[0] = '\0';
			for (i = 0; i < nr; i++) {
				if (!model_covers(&rules[i], id))
					continue;
				wpos += snprintf(want + wpos, sizeof(want) - wpos, "%s%u", wpos ? " " : "", i + 1);
				if (!rules[i].cond)
					break;
			}
			if (!wpos)
				strcpy(want, "-");
			if (strcmp(chain_str(&o->c, id, got, sizeof(got)), want))
				fail_msg("seed %u, ID 0x%x: chain '%s', model '%s'\n%s", seed, id, got, want, text);
		}
		/* a warned rule is in no chain: the warning is never wrong */
		for (i = 0; i < nr; i++) {
			char needle[64];
			bool reached = false;

			snprintf(needle, sizeof(needle), "rule %u can never match", i + 1);
			if (!strstr(diag, needle))
				continue;
			for (id = U_LO; id < U_HI && !reached; id++) {
				for (k = 0; k < nr && !reached; k++) {
					if (!model_covers(&rules[k], id))
						continue;
					reached = k == i;
					if (!rules[k].cond)
						break;
				}
			}
			if (reached)
				fail_msg("seed %u: rule %u reported shadowed but reachable\n%s", seed, i + 1, text);
		}
		/* and a rule only ever reached after earlier unconditional rules is warned */
		for (i = 0; i < nr; i++) {
			char needle[64];
			bool reached = false, exact_only = true;

			for (k = 0; k < rules[i].nr; k++)
				if (rules[i].first[k] != rules[i].last[k])
					exact_only = false;
			for (id = U_LO; id < U_HI && !reached; id++) {
				for (k = 0; k < nr && !reached; k++) {
					if (!model_covers(&rules[k], id))
						continue;
					reached = k == i;
					if (!rules[k].cond)
						break;
				}
			}
			snprintf(needle, sizeof(needle), "rule %u can never match", i + 1);
			/* complete for rules naming single IDs (ranges: best effort) */
			if (!reached && exact_only && !strstr(diag, needle))
				fail_msg("seed %u: rule %u unreachable but not reported\n%s\n%s", seed, i + 1, text, diag);
		}
		done(o);
	}
}

/* ---- large policies (timing: make bench) ---- */

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void time_compile(const char *what, const char *text, unsigned int nr_rules)
{
	struct out *o;
	double t0, t;

	t0 = seconds();
	o = compile(text);
	t = seconds() - t0;
	if (o->ret)
		fail_msg("%s: %.2000s", what, policy_diags_text(&o->d));
	assert_int_equal(o->c.nr_rules, nr_rules);
	/*
	 * The time is printed, not asserted: a timed test fails on a loaded
	 * machine, and the compile-time target is make bench's (policy check
	 * of the generated rule sets, measured side by side in one run).
	 */
	print_message("    %u rules, %s: %.3f s (%u exact, %u segments, %u chain entries, %u warnings)\n",
		      nr_rules, what, t, o->c.nr_exact, o->c.nr_segments, o->c.nr_chain, o->d.warnings);
	done(o);
}

static void test_large_100k(void **state)
{
	unsigned int n = 100000, i;
	size_t cap = (size_t)n * 160, pos;
	char *text = malloc(cap);

	(void)state;
	assert_non_null(text);
	/* exact IDs */
	for (i = 0, pos = 0; i < n; i++)
		pos += snprintf(text + pos, cap - pos, "deny id %#x;\n", 0x82000000u + 3 * i);
	time_compile("exact IDs", text, n);
	/* overlapping ranges, nested ones shadowed */
	srand(7);
	for (i = 0, pos = 0; i < n; i++) {
		uint32_t a = 0x01000000u + (uint32_t)(((uint64_t)rand() * 0x7d000000u) / RAND_MAX);

		pos += snprintf(text + pos, cap - pos, "deny range %#x-%#x;\n", a,
				a + (uint32_t)(rand() % (1 << 20)));
	}
	time_compile("random overlapping ranges", text, n);
	/* a mix with conditions, functions, limits and returns */
	for (i = 0, pos = 0; i < n; i++) {
		uint32_t base = 0x20000000u + 64 * i;

		switch (i % 4) {
		case 0:
			pos += snprintf(text + pos, cap - pos, "deny id %#x if x1 == %u;\n", base, i);
			break;
		case 1:
			pos += snprintf(text + pos, cap - pos,
					"return 0, %u range %#x-%#x if vcpu == %u and x2 & 0xff > 3;\n",
					i, base, base + 200, i % 8);
			break;
		case 2:
			pos += snprintf(text + pos, cap - pos, "forward range %#x-%#x if conduit == hvc;\n",
					base, base + 100);
			break;
		default:
			pos += snprintf(text + pos, cap - pos,
					"log function psci.cpu_on, id %#x, range %#x-%#x limit 60/min;\n",
					base, base + 10, base + 500);
		}
	}
	time_compile("mixed", text, n);
	/* one huge range under many conditional exact IDs and small ranges */
	pos = snprintf(text, cap, "log range 0x1000000-0x7effffff if x3 == 3;\n");
	for (i = 1; i < n; i++)
		pos += snprintf(text + pos, cap - pos, i % 2 ? "deny id %#x if x1 == 1;\n" :
				"deny range %#x-%#x;\n", 0x2000000u + 16 * i, 0x2000000u + 16 * i + 7);
	time_compile("nested", text, n);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_policy),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_exact_and_segments),
		cmocka_unit_test(test_chains_in_source_order),
		cmocka_unit_test(test_segment_merging),
		cmocka_unit_test(test_services_and_functions),
		cmocka_unit_test(test_vendor_hyp),
		cmocka_unit_test(test_vendor_hyp_exact),
		cmocka_unit_test(test_many_entries_linear),
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_arch_errors),
		cmocka_unit_test(test_match_errors),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_limit_bucket_bound),
		cmocka_unit_test(test_errors_collected),
		cmocka_unit_test(test_errors_bounded),
		cmocka_unit_test(test_limit_rules),
		cmocka_unit_test(test_limit_exact),
		cmocka_unit_test(test_limit_segments),
		cmocka_unit_test(test_limit_chain_map),
		cmocka_unit_test(test_limit_chain_len),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_bounded),
		cmocka_unit_test(test_compile_ast),
		cmocka_unit_test(test_shadow_warnings),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_large_100k),
	};

	return cmocka_run_group_tests_name("policy_compile", tests, NULL, NULL);
}
