// SPDX-License-Identifier: GPL-2.0
/*
 * The policy diff (loader/policy_diff.c): every function ID or range whose
 * decision changes between two compiled policies, in ID order, with
 * conditional rules as "depends on conditions"; the architecture range
 * never; renumbered but equal rules not at all.
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
#include "policy_diff.h"

static void build(const char *text, struct smccc_compiled *c)
{
	struct policy_diags d = { 0 };

	if (policy_compile_text("t.pol", text, strlen(text), c, NULL, &d))
		fail_msg("%s", policy_diags_text(&d));
	policy_diags_free(&d);
}

/* The printed diff of two policies. */
static char *diff_text(const char *old, const char *new, struct policy_diff *out)
{
	struct smccc_compiled a, b;
	struct policy_diff d;
	char *buf = NULL;
	size_t len = 0, lines;
	FILE *f;

	build(old, &a);
	build(new, &b);
	assert_int_equal(policy_diff(&a, &b, &d), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	lines = policy_diff_print(&d, f);
	fclose(f);
	assert_int_equal(lines, d.nr + d.mode_changed + d.discovery_changed);
	if (out)
		*out = d;
	else
		policy_diff_free(&d);
	smccc_compiled_free(&a);
	smccc_compiled_free(&b);
	return buf;
}

static void expect_diff(const char *old, const char *new, const char *want)
{
	char *got = diff_text(old, new, NULL);

	if (strcmp(got, want))
		fail_msg("diff of\n%s\n---\n%s\n: got\n%s\nexpected\n%s", old, new, got, want);
	free(got);
}

static void test_no_change(void **state)
{
	(void)state;
	expect_diff("", "", "");
	expect_diff("deny service trng;", "deny service trng;", "");
	/* renumbered, reordered where it does not matter, split differently */
	expect_diff("policy \"a\";\ndeny id 5;\nlog range 0x10-0x20;",
		    "# comment\nlog range 0x10-0x18, range 0x19-0x20;\n\n\ndeny id 5;", "");
	/* a shadowed rule removed */
	expect_diff("deny range 0-100; log id 5;", "deny range 0-100;", "");
	/* the default spelled out, or a rule that equals it */
	expect_diff("", "default handle; mode enforce;", "");
	expect_diff("default deny;", "default deny; deny id 7;", "");
	/* the same conditions on both sides */
	expect_diff("deny id 5 if x1 == 1;", "log id 4; deny id 5 if x1 == 1;",
		    "0x00000004: handle (default) -> log (rule 1, line 1)\n");
}

static void test_rules_change(void **state)
{
	(void)state;
	expect_diff("", "deny function psci.cpu_on;",
		    "0x84000003 psci.cpu_on32: handle (default) -> deny (rule 1, line 1)\n"
		    "0xc4000003 psci.cpu_on64: handle (default) -> deny (rule 1, line 1)\n");
	expect_diff("deny service trng;", "",
		    "0x84000050-0x8400005f: deny (rule 1, line 1) -> handle (default)\n"
		    "0xc4000050-0xc400005f: deny (rule 1, line 1) -> handle (default)\n");
	/* one ID inside a range changes: the range is cut around it */
	expect_diff("deny range 0x10-0x1f;", "deny range 0x10-0x1f;\nlog id 0x12;",
		    "");
	expect_diff("deny range 0x10-0x1f;", "log id 0x12;\ndeny range 0x10-0x1f;",
		    "0x00000012: deny (rule 1, line 1) -> log (rule 1, line 1)\n");
	/* return values */
	expect_diff("return 1 id 9;", "return 2 id 9;",
		    "0x00000009: return 1 (rule 1, line 1) -> return 2 (rule 1, line 1)\n");
	expect_diff("return 1 id 9;", "return 1, 0 id 9;", "");
	/* a limit */
	expect_diff("log id 9;", "log id 9 limit 10/s;",
		    "0x00000009: log (rule 1, line 1) -> log up to 10/s burst 10, then deny (rule 1, line 1)\n");
	expect_diff("log id 9 limit 10/s;", "log id 9 limit 10/s burst 5;",
		    "0x00000009: log up to 10/s burst 10, then deny (rule 1, line 1) -> log up to 10/s burst 5, then deny (rule 1, line 1)\n");
	expect_diff("log id 9 limit 10/s then return 1;", "log id 9 limit 10/s then return 2;",
		    "0x00000009: log up to 10/s burst 10, then return 1 (rule 1, line 1) -> log up to 10/s burst 10, then return 2 (rule 1, line 1)\n");
	/* adjacent IDs with the same old and new outcome merge */
	expect_diff("deny id 1; deny id 2; deny range 3-9;", "",
		    "0x00000001: deny (rule 1, line 1) -> handle (default)\n"
		    "0x00000002: deny (rule 2, line 1) -> handle (default)\n"
		    "0x00000003-0x00000009: deny (rule 3, line 1) -> handle (default)\n");
	expect_diff("deny range 1-4, range 5-9;", "forward range 1-9;",
		    "0x00000001-0x00000009: deny (rule 1, line 1) -> forward (rule 1, line 1)\n");
}

static void test_conditions(void **state)
{
	(void)state;
	expect_diff("deny id 5;", "deny id 5 if x1 == 1;",
		    "0x00000005: deny (rule 1, line 1) -> depends on conditions (rule 1, else handle by default)\n");
	expect_diff("deny id 5 if x1 == 1; log id 5;", "deny id 5 if x1 == 2; log id 5;",
		    "0x00000005: depends on conditions (rules 1, 2) -> depends on conditions (rules 1, 2)\n");
	expect_diff("deny id 5 if x1 == 1;", "deny id 5 if x1 & 0xff == 1;",
		    "0x00000005: depends on conditions (rule 1, else handle by default) -> depends on conditions (rule 1, else handle by default)\n");
	expect_diff("deny id 5 if vcpu == 1;", "deny id 5 if vcpu == 1 and conduit == hvc;",
		    "0x00000005: depends on conditions (rule 1, else handle by default) -> depends on conditions (rule 1, else handle by default)\n");
	/* only the default behind a conditional chain changes */
	expect_diff("deny id 5 if x1 == 1;", "default log; deny id 5 if x1 == 1;",
		    "0x00000000-0x00000004: handle (default) -> log (default)\n"
		    "0x00000005: depends on conditions (rule 1, else handle by default) -> depends on conditions (rule 1, else log by default)\n"
		    "0x00000006-0x7fffffff: handle (default) -> log (default)\n"
		    "0x80010000-0xbfffffff: handle (default) -> log (default)\n"
		    "0xc0010000-0xffffffff: handle (default) -> log (default)\n");
	/* ... but not behind one that ends in a rule without conditions */
	expect_diff("deny id 5 if x1 == 1; log id 5;", "default deny; deny id 5 if x1 == 1; log id 5;",
		    "0x00000000-0x00000004: handle (default) -> deny (default)\n"
		    "0x00000006-0x7fffffff: handle (default) -> deny (default)\n"
		    "0x80010000-0xbfffffff: handle (default) -> deny (default)\n"
		    "0xc0010000-0xffffffff: handle (default) -> deny (default)\n");
}

static void test_default_and_arch(void **state)
{
	struct policy_diff d;
	char *text;

	(void)state;
	/* the architecture range is never reported */
	text = diff_text("", "default forward;", &d);
	assert_int_equal(d.nr, 3);
	assert_int_equal(d.entries[0].first, 0);
	assert_int_equal(d.entries[0].last, 0x7fffffff);
	assert_int_equal(d.entries[1].first, 0x80010000);
	assert_int_equal(d.entries[1].last, 0xbfffffff);
	assert_int_equal(d.entries[2].first, 0xc0010000);
	assert_int_equal(d.entries[2].last, 0xffffffff);
	assert_int_equal(d.entries[0].old.kind, POLICY_DIFF_DEFAULT);
	assert_int_equal(d.entries[0].new.action, SMCCC_BPF_ACT_FWD_TO_USER);
	assert_false(d.mode_changed);
	policy_diff_free(&d);
	assert_null(d.entries);
	free(text);
	/* rules next to the architecture range */
	expect_diff("", "deny range 0x7ffffff0-0x7fffffff, range 0x80010000-0x8001000f;",
		    "0x7ffffff0-0x7fffffff: handle (default) -> deny (rule 1, line 1)\n"
		    "0x80010000-0x8001000f: handle (default) -> deny (rule 1, line 1)\n");
	expect_diff("deny id 0xffffffff;", "",
		    "0xffffffff: deny (rule 1, line 1) -> handle (default)\n");
}

static void test_mode(void **state)
{
	struct policy_diff d;
	char *text;

	(void)state;
	text = diff_text("deny id 1;", "mode permissive; deny id 1;", &d);
	assert_true(d.mode_changed);
	assert_false(d.old_permissive);
	assert_true(d.new_permissive);
	assert_int_equal(d.nr, 0);
	assert_string_equal(text, "mode: enforce -> permissive\n");
	policy_diff_free(&d);
	free(text);
	expect_diff("mode permissive;", "mode enforce; deny id 1;",
		    "mode: permissive -> enforce\n"
		    "0x00000001: handle (default) -> deny (rule 1, line 1)\n");
	text = diff_text("deny id 1;", "discovery hide-denied; deny id 1;", &d);
	assert_true(d.discovery_changed);
	assert_false(d.mode_changed);
	assert_string_equal(text, "discovery: keep -> hide-denied\n");
	policy_diff_free(&d);
	free(text);
	expect_diff("discovery hide-denied;", "discovery keep;", "discovery: hide-denied -> keep\n");
}

static void test_entries(void **state)
{
	struct policy_diff d;
	char *text;
	char buf[256];

	(void)state;
	text = diff_text("deny id 5 if x1 == 1; log id 5; return 3 range 10-12;",
			 "log id 5; handle range 10-11;", &d);
	assert_int_equal(d.nr, 3);
	assert_int_equal(d.entries[0].first, 5);
	assert_int_equal(d.entries[0].old.kind, POLICY_DIFF_CONDITIONAL);
	assert_int_equal(d.entries[0].old.nr_rules, 2);
	assert_int_equal(d.entries[0].old.rules[0], 1);
	assert_int_equal(d.entries[0].old.rules[1], 2);
	assert_false(d.entries[0].old.falls_through);
	assert_int_equal(d.entries[0].new.kind, POLICY_DIFF_RULE);
	assert_int_equal(d.entries[0].new.action, SMCCC_POLICY_ACT_LOG);
	assert_int_equal(d.entries[1].first, 10);
	assert_int_equal(d.entries[1].last, 11);
	assert_true(d.entries[1].old.ret[0] == 3);
	assert_int_equal(d.entries[2].first, 12);
	assert_int_equal(d.entries[2].new.kind, POLICY_DIFF_DEFAULT);
	assert_string_equal(policy_diff_side_format(&d.entries[0].old, buf, sizeof(buf)),
			    "depends on conditions (rules 1, 2)");
	assert_string_equal(policy_diff_side_format(&d.entries[0].old, buf, 10), "depends o");
	policy_diff_side_format(&d.entries[0].old, buf, 0);
	policy_diff_free(&d);
	free(text);
}

static void test_malformed(void **state)
{
	struct smccc_compiled good, bad;
	struct policy_diff d;
	struct smccc_policy_rule rule = { .id = 1 };
	struct smccc_exact ex = { 5, { 0, 1 } };
	struct smccc_policy_segment seg = { 1, 9, { 0, 1 } };
	uint32_t chain[1] = { 3 };

	(void)state;
	build("", &good);
	memset(&bad, 0, sizeof(bad));
	bad.rules = &rule;
	bad.nr_rules = 1;
	bad.exact = &ex;
	bad.nr_exact = 1;
	bad.chain = chain;
	bad.nr_chain = 1;
	/* rule index past the rules */
	assert_int_equal(policy_diff(&good, &bad, &d), -1);
	assert_int_equal(policy_diff(&bad, &good, &d), -1);
	/* chain past the chain map */
	chain[0] = 0;
	ex.chain.len = 2;
	assert_int_equal(policy_diff(&good, &bad, &d), -1);
	/* a segment's chain too long */
	ex.chain.len = 1;
	bad.segments = &seg;
	bad.nr_segments = 1;
	seg.chain.len = SMCCC_POLICY_MAX_CHAIN_LEN + 1;
	assert_int_equal(policy_diff(&good, &bad, &d), -1);
	/* and fine once repaired: an exact ID inside a segment splits it */
	seg.chain.len = 1;
	rule.action = SMCCC_BPF_ACT_DENY;
	assert_int_equal(policy_diff(&good, &bad, &d), 0);
	assert_int_equal(d.nr, 1);
	assert_int_equal(d.entries[0].first, 1);
	assert_int_equal(d.entries[0].last, 9);
	policy_diff_free(&d);
	smccc_compiled_free(&good);
}

static void test_large(void **state)
{
	size_t n = 20000, cap = n * 48, pos = 0, i;
	char *a = malloc(cap), *b = malloc(cap), *text;
	struct policy_diff d;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < n; i++)
		pos += snprintf(a + pos, cap - pos, "deny id %zu;\n", 3 * i);
	pos = 0;
	for (i = 0; i < n; i++)
		pos += snprintf(b + pos, cap - pos, "%s id %zu;\n", i % 100 ? "deny" : "log", 3 * i);
	text = diff_text(a, b, &d);
	assert_int_equal(d.nr, n / 100);
	for (i = 1; i < d.nr; i++)
		assert_true(d.entries[i].first > d.entries[i - 1].last);
	policy_diff_free(&d);
	free(text);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_rules_change),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_default_and_arch),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large),
	};

	return cmocka_run_group_tests_name("policy_diff", tests, NULL, NULL);
}
