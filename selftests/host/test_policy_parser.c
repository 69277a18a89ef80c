// SPDX-License-Identifier: GPL-2.0
/*
 * The policy language's parser (loader/policy_parser.c): the syntax tree
 * of every construct, and every syntax error with its location, message
 * and recovery (one run reports all errors of a file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "smccc_policy.h"
#include "policy_parser.h"

struct parsed {
	struct policy_src src;
	struct policy_diags d;
	struct policy_ast ast;
	unsigned int errors;
};

static struct parsed *parse(const char *text)
{
	struct parsed *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->src.name = "t.pol";
	p->src.text = text;
	p->src.len = strlen(text);
	p->errors = policy_parse(&p->src, &p->ast, &p->d);
	assert_int_equal(p->errors, p->d.errors);
	return p;
}

static void done(struct parsed *p)
{
	policy_ast_free(&p->ast);
	policy_diags_free(&p->d);
	free(p);
}

static struct parsed *parse_ok(const char *text)
{
	struct parsed *p = parse(text);

	if (p->errors)
		fail_msg("unexpected errors for '%s':\n%s", text, policy_diags_text(&p->d));
	return p;
}

/* Exactly one error, whose text contains msg. */
static void parse_error(const char *text, const char *msg)
{
	struct parsed *p = parse(text);
	const char *out = policy_diags_text(&p->d);

	if (p->errors != 1 || !strstr(out, msg))
		fail_msg("'%s': expected one error '%s', got %u:\n%s", text, msg, p->errors, out);
	done(p);
}

static void test_empty(void **state)
{
	struct parsed *p = parse_ok("");

	(void)state;
	assert_null(p->ast.name);
	assert_false(p->ast.has_default);
	assert_int_equal(p->ast.default_action.kind, SMCCC_BPF_ACT_HANDLE);
	assert_false(p->ast.has_mode);
	assert_false(p->ast.permissive);
	assert_int_equal(p->ast.nr_rules, 0);
	done(p);
	p = parse_ok("# only a comment\n\n   \n");
	assert_int_equal(p->ast.nr_rules, 0);
	done(p);
}

static void test_statements(void **state)
{
	struct parsed *p = parse_ok("policy \"web front\";\n"
				    "default deny;\n"
				    "mode permissive;\n"
				    "discovery hide-denied;\n");

	(void)state;
	assert_string_equal(p->ast.name, "web front");
	assert_int_equal(p->ast.name_loc.line, 1);
	assert_true(p->ast.has_default);
	assert_int_equal(p->ast.default_action.kind, SMCCC_BPF_ACT_DENY);
	assert_int_equal(p->ast.default_action.loc.line, 2);
	assert_int_equal(p->ast.default_action.loc.col, 9);
	assert_true(p->ast.has_mode);
	assert_true(p->ast.permissive);
	assert_int_equal(p->ast.mode_loc.line, 3);
	assert_true(p->ast.has_discovery);
	assert_true(p->ast.hide_denied);
	assert_int_equal(p->ast.discovery_loc.line, 4);
	done(p);
	p = parse_ok("discovery keep;");
	assert_true(p->ast.has_discovery);
	assert_false(p->ast.hide_denied);
	done(p);
	p = parse_ok("mode enforce; default forward;");
	assert_false(p->ast.permissive);
	assert_int_equal(p->ast.default_action.kind, SMCCC_BPF_ACT_FWD_TO_USER);
	done(p);
	p = parse_ok("default log;");
	assert_int_equal(p->ast.default_action.kind, SMCCC_POLICY_ACT_LOG);
	done(p);
	/* default return parses; the compiler refuses it */
	p = parse_ok("default return 0;");
	assert_int_equal(p->ast.default_action.kind, SMCCC_BPF_ACT_RETURN);
	done(p);
}

static void test_actions(void **state)
{
	static const struct {
		const char *text;
		uint8_t kind;
	} cases[] = {
		{ "handle id 1;", SMCCC_BPF_ACT_HANDLE },
		{ "deny id 1;", SMCCC_BPF_ACT_DENY },
		{ "forward id 1;", SMCCC_BPF_ACT_FWD_TO_USER },
		{ "log id 1;", SMCCC_POLICY_ACT_LOG },
		{ "return 0 id 1;", SMCCC_BPF_ACT_RETURN },
	};
	struct parsed *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = parse_ok(cases[i].text);
		assert_int_equal(p->ast.nr_rules, 1);
		assert_int_equal(p->ast.rules[0].action.kind, cases[i].kind);
		assert_int_equal(p->ast.rules[0].id, 1);
		done(p);
	}
}

static void test_return_values(void **state)
{
	struct parsed *p = parse_ok("return 1, -1, 0x10, NOT_SUPPORTED id 1;\n"
				    "return PSCI_DENIED id 2;\n"
				    "return -9223372036854775808, 18446744073709551615 id 3;\n");
	const struct policy_action *a;

	(void)state;
	assert_int_equal(p->ast.nr_rules, 3);
	a = &p->ast.rules[0].action;
	assert_int_equal(a->nr_ret, 4);
	assert_true(a->ret[0] == 1);
	assert_true(a->ret[1] == UINT64_MAX);
	assert_true(a->ret[2] == 0x10);
	assert_true(a->ret[3] == UINT64_MAX);
	assert_int_equal(a->ret_loc[1].col, 11);
	a = &p->ast.rules[1].action;
	assert_int_equal(a->nr_ret, 1);
	assert_true(a->ret[0] == (uint64_t)-3);
	assert_true(a->ret[1] == 0);
	a = &p->ast.rules[2].action;
	assert_true(a->ret[0] == 1ull << 63);
	assert_true(a->ret[1] == UINT64_MAX);
	done(p);
	/* '-' and its number may be apart; an ID of -5 is the compiler's to refuse */
	p = parse_ok("deny id - 5;");
	assert_true(p->ast.rules[0].matches[0].first == (uint64_t)-5);
	done(p);
}

static void test_matches(void **state)
{
	struct parsed *p = parse_ok("deny id 0x84000003, range 0x82000000 - 0x8200ffff,\n"
				    "     service psci, function psci.cpu_on64;");
	const struct policy_rule *r;

	(void)state;
	r = &p->ast.rules[0];
	assert_int_equal(r->nr_matches, 4);
	assert_int_equal(r->matches[0].kind, POLICY_MATCH_ID);
	assert_true(r->matches[0].first == 0x84000003 && r->matches[0].last == 0x84000003);
	assert_int_equal(r->matches[0].loc.col, 6);
	assert_int_equal(r->matches[0].arg_loc.col, 9);
	assert_int_equal(r->matches[1].kind, POLICY_MATCH_RANGE);
	assert_true(r->matches[1].first == 0x82000000 && r->matches[1].last == 0x8200ffff);
	assert_int_equal(r->matches[2].kind, POLICY_MATCH_SERVICE);
	assert_string_equal(r->matches[2].name, "psci");
	assert_int_equal(r->matches[2].loc.line, 2);
	assert_int_equal(r->matches[3].kind, POLICY_MATCH_FUNCTION);
	assert_string_equal(r->matches[3].name, "psci.cpu_on64");
	done(p);
	/* names are checked by the compiler, not the parser */
	p = parse_ok("deny service nosuch, function no.such;");
	done(p);
}

static void test_conditions(void **state)
{
	static const struct {
		const char *cond;
		uint8_t kind, reg, op;
		uint64_t mask, value;
	} cases[] = {
		{ "conduit == hvc", SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_EQ, ~0ull, SMCCC_BPF_CONDUIT_HVC },
		{ "conduit != smc", SMCCC_POLICY_COND_CONDUIT, 0, SMCCC_POLICY_OP_NE, ~0ull, SMCCC_BPF_CONDUIT_SMC },
		{ "vcpu < 4", SMCCC_POLICY_COND_VCPU, 0, SMCCC_POLICY_OP_LT, ~0ull, 4 },
		{ "vcpu >= 0x10", SMCCC_POLICY_COND_VCPU, 0, SMCCC_POLICY_OP_GE, ~0ull, 16 },
		{ "x1 == 3", SMCCC_POLICY_COND_ARG, 1, SMCCC_POLICY_OP_EQ, ~0ull, 3 },
		{ "x17 <= -1", SMCCC_POLICY_COND_ARG, 17, SMCCC_POLICY_OP_LE, ~0ull, UINT64_MAX },
		{ "x2 & 0xff > 3", SMCCC_POLICY_COND_ARG, 2, SMCCC_POLICY_OP_GT, 0xff, 3 },
		{ "x3 & 0xf0 != INVALID_PARAMETER", SMCCC_POLICY_COND_ARG, 3, SMCCC_POLICY_OP_NE, 0xf0, (uint64_t)-3 },
	};
	char text[128];
	struct parsed *p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct policy_cond *c;

		snprintf(text, sizeof(text), "deny id 1 if %s;", cases[i].cond);
		p = parse_ok(text);
		assert_int_equal(p->ast.rules[0].nr_conds, 1);
		c = &p->ast.rules[0].conds[0];
		assert_int_equal(c->kind, cases[i].kind);
		assert_int_equal(c->reg, cases[i].reg);
		assert_int_equal(c->op, cases[i].op);
		assert_true(c->mask == cases[i].mask);
		assert_true(c->value == cases[i].value);
		assert_int_equal(c->loc.col, 14);
		done(p);
	}
	/* any number of conditions parse; the compiler limits them */
	p = parse_ok("deny id 1 if x1 == 1 and x2 == 2 and x3 == 3 and x4 == 4 and x5 == 5 and vcpu == 0;");
	assert_int_equal(p->ast.rules[0].nr_conds, 6);
	done(p);
}

static void test_limits(void **state)
{
	struct parsed *p = parse_ok("log service sip limit 10/s;\n"
				    "handle id 1 if x1 == 0 limit 120/min burst 5 then forward;\n"
				    "deny id 2 limit 1/sec then return 7, 8;\n"
				    "deny id 3 limit 2/second burst 0x10;\n"
				    "deny id 4 limit 60/minute then log;\n");
	const struct policy_limit *l;

	(void)state;
	assert_int_equal(p->ast.nr_rules, 5);
	assert_true(p->ast.rules[0].has_limit);
	l = &p->ast.rules[0].limit;
	assert_true(l->count == 10 && l->per == 1 && !l->has_burst && !l->has_then);
	assert_int_equal(l->loc.col, 17);
	assert_int_equal(l->count_loc.col, 23);
	l = &p->ast.rules[1].limit;
	assert_int_equal(p->ast.rules[1].nr_conds, 1);
	assert_true(l->count == 120 && l->per == 60 && l->has_burst && l->burst == 5);
	assert_true(l->has_then && l->then.kind == SMCCC_BPF_ACT_FWD_TO_USER);
	l = &p->ast.rules[2].limit;
	assert_true(l->per == 1 && l->then.kind == SMCCC_BPF_ACT_RETURN && l->then.nr_ret == 2);
	assert_true(l->then.ret[0] == 7 && l->then.ret[1] == 8);
	l = &p->ast.rules[3].limit;
	assert_true(l->per == 1 && l->burst == 16);
	l = &p->ast.rules[4].limit;
	assert_true(l->per == 60 && l->then.kind == SMCCC_POLICY_ACT_LOG);
	assert_false(p->ast.rules[4].has_limit == false);
	done(p);
}

static void test_rule_ids_and_locations(void **state)
{
	struct parsed *p = parse_ok("policy \"p\";\n\n  deny id 1;\nhandle id 2; log id 3;\n");

	(void)state;
	assert_int_equal(p->ast.nr_rules, 3);
	assert_int_equal(p->ast.rules[0].id, 1);
	assert_int_equal(p->ast.rules[0].loc.line, 3);
	assert_int_equal(p->ast.rules[0].loc.col, 3);
	assert_int_equal(p->ast.rules[1].id, 2);
	assert_int_equal(p->ast.rules[2].id, 3);
	assert_int_equal(p->ast.rules[2].loc.line, 4);
	assert_int_equal(p->ast.rules[2].loc.col, 14);
	done(p);
	/* a rule with a syntax error keeps its number: the next one is rule 3 */
	p = parse("deny id 1;\ndeny id;\ndeny id 3;");
	assert_int_equal(p->errors, 1);
	assert_int_equal(p->ast.nr_rules, 2);
	assert_int_equal(p->ast.rules[1].id, 3);
	done(p);
}

static void test_statement_errors(void **state)
{
	(void)state;
	parse_error("policy name;", "t.pol:1:8: error: expected the policy name as a string (\"name\"), found 'name'");
	parse_error("policy \"a\";\npolicy \"b\";", "t.pol:2:1: error: duplicate 'policy' statement");
	parse_error("policy \"a\";\npolicy \"b\";", "t.pol:1:1: note: first 'policy' here");
	parse_error("default deny;\ndefault handle;", "t.pol:2:1: error: duplicate 'default' statement");
	parse_error("mode enforce;\nmode permissive;", "t.pol:2:1: error: duplicate 'mode' statement");
	parse_error("mode enforce;\nmode permissive;", "t.pol:1:1: note: first 'mode' here");
	parse_error("mode strict;", "t.pol:1:6: error: expected 'enforce' or 'permissive', found 'strict'");
	parse_error("dney id 5;", "t.pol:1:1: error: unknown statement 'dney'; did you mean 'deny'?");
	parse_error("frobnicate id 5;", "error: expected a rule (handle, deny, forward, log, return) or policy, default, mode, discovery; found 'frobnicate'");
	parse_error("discovery hide;", "t.pol:1:11: error: expected 'keep' or 'hide-denied', found 'hide'");
	parse_error("discovery keep;\ndiscovery hide-denied;", "t.pol:2:1: error: duplicate 'discovery' statement");
	parse_error("discovery hide-denied", "error: expected ';' after the discovery");
	parse_error("discovry keep;", "unknown statement 'discovry'; did you mean 'discovery'?");
	parse_error("5;", "t.pol:1:1: error: expected a rule or a statement, found '5'");
	parse_error(";", "t.pol:1:1: error: expected a rule or a statement, found ';'");
	parse_error("default frob;", "t.pol:1:9: error: unknown action 'frob'; expected handle, deny, forward, log or return");
	parse_error("default dny;", "t.pol:1:9: error: unknown action 'dny'; did you mean 'deny'?");
	parse_error("default 5;", "t.pol:1:9: error: expected an action (handle, deny, forward, log or return), found '5'");
	parse_error("default deny", "t.pol:1:13: error: expected ';' after the default action");
	parse_error("mode enforce x;", "t.pol:1:14: error: expected ';' after the mode, found 'x'");
	parse_error("policy \"a\" deny id 1;", "t.pol:1:12: error: expected ';' after the policy name, found 'deny'");
}

static void test_rule_errors(void **state)
{
	(void)state;
	parse_error("deny;", "t.pol:1:5: error: a rule needs at least one of 'id', 'range', 'service' or 'function'");
	parse_error("deny if x1 == 1;", "t.pol:1:6: error: a rule needs at least one of");
	parse_error("deny", "t.pol:1:5: error: a rule needs at least one of");
	parse_error("deny psci;", "t.pol:1:6: error: expected 'id', 'range', 'service' or 'function'; did you mean 'service psci'?");
	parse_error("deny psci.cpu_on;", "did you mean 'function psci.cpu_on'?");
	parse_error("deny psci.cpu_on32;", "did you mean 'function psci.cpu_on32'?");
	parse_error("deny ids 5;", "t.pol:1:6: error: expected 'id', 'range', 'service' or 'function', found 'ids'");
	parse_error("deny id 5, 6;", "t.pol:1:12: error: expected 'id', 'range', 'service' or 'function', found '6'");
	parse_error("deny range 5 6;", "t.pol:1:14: error: expected '-' between the first and last ID of a range, found '6'");
	parse_error("deny range 5-;", "t.pol:1:14: error: expected a number, found ';'");
	parse_error("deny service 5;", "t.pol:1:14: error: expected a service name, found '5'");
	parse_error("deny function \"x\";", "t.pol:1:15: error: expected a function name, found '\"x\"'");
	parse_error("deny id 5 limit 10/s if x1 == 1;", "t.pol:1:22: error: conditions ('if') come before 'limit'");
	parse_error("deny id 5 x1 == 1;", "t.pol:1:11: error: expected ';' after rule, found 'x1'");
	parse_error("deny id 5\n", "t.pol:1:10: error: expected ';' after rule");
	parse_error("return 1,2,3,4,5 id 7;", "t.pol:1:16: error: 'return' sets at most 4 values (x0..x3)");
	parse_error("return id 7;", "t.pol:1:8: error: expected a number or a constant, found 'id'");
	parse_error("return , id 7;", "t.pol:1:8: error: expected a number, found ','");
	parse_error("return 1, id 7;", "t.pol:1:11: error: expected a number or a constant, found 'id'");
}

static void test_number_errors(void **state)
{
	(void)state;
	parse_error("return NOT_SUPORTED id 8;", "t.pol:1:8: error: unknown constant 'NOT_SUPORTED'; did you mean 'NOT_SUPPORTED'?");
	parse_error("deny id -x;", "t.pol:1:10: error: expected a number after '-', found 'x'");
	parse_error("return -9223372036854775809 id 1;", "t.pol:1:8: error: -9223372036854775809 does not fit in 64 bits");
	parse_error("deny id 99999999999999999999;", "t.pol:1:9: error: number '99999999999999999999' does not fit in 64 bits");
	parse_error("deny id 12ab;", "t.pol:1:9: error: invalid number '12ab'");
	parse_error("deny id \"5\";", "t.pol:1:9: error: expected a number, found '\"5\"'");
}

static void test_condition_errors(void **state)
{
	(void)state;
	parse_error("deny id 5 if x0 == 1;", "t.pol:1:14: error: x0 holds the function ID: match it with id, range, service or function");
	parse_error("deny id 5 if x18 == 1;", "t.pol:1:14: error: no argument register x18: conditions can test x1..x17");
	parse_error("deny id 5 if x99 == 1;", "no argument register x99");
	parse_error("deny id 5 if y1 == 1;", "t.pol:1:14: error: expected a condition on conduit, vcpu or x1..x17, found 'y1'");
	parse_error("deny id 5 if x1a == 1;", "expected a condition on conduit, vcpu or x1..x17, found 'x1a'");
	parse_error("deny id 5 if;", "t.pol:1:13: error: expected a condition on conduit, vcpu or x1..x17, found ';'");
	parse_error("deny id 5 if conduit < hvc;", "t.pol:1:22: error: the conduit can only be compared with == or !=");
	parse_error("deny id 5 if conduit hvc;", "t.pol:1:22: error: expected '==' or '!=' after 'conduit', found 'hvc'");
	parse_error("deny id 5 if conduit == svc;", "t.pol:1:25: error: expected 'hvc' or 'smc', found 'svc'");
	parse_error("deny id 5 if vcpu 1;", "t.pol:1:19: error: expected a comparison (==, !=, <, <=, >, >=), found '1'");
	parse_error("deny id 5 if x1 & == 1;", "t.pol:1:19: error: expected a number, found '=='");
	parse_error("deny id 5 if x1 & 0xff 1;", "t.pol:1:24: error: expected a comparison");
	parse_error("deny id 5 if x1 == 1 and;", "t.pol:1:25: error: expected a condition on conduit");
	parse_error("deny id 5 if x1 == 1 && x2 == 2;", "t.pol:1:22: error: '&&' is not an operator; conditions are joined with 'and'");
	parse_error("deny id 5 if x1 = 1;", "t.pol:1:17: error: '=' is not an operator; did you mean '=='?");
}

static void test_limit_errors(void **state)
{
	(void)state;
	parse_error("deny id 5 limit;", "t.pol:1:16: error: expected a number, found ';'");
	parse_error("deny id 5 limit 10;", "t.pol:1:19: error: expected '/' after the number of calls (N/s or N/min), found ';'");
	parse_error("deny id 5 limit 10/hour;", "t.pol:1:20: error: expected 's' or 'min' after '/', found 'hour'");
	parse_error("deny id 5 limit 10/s burst;", "t.pol:1:27: error: expected a number, found ';'");
	parse_error("deny id 5 limit 10/s then;", "t.pol:1:26: error: expected an action (handle, deny, forward, log or return), found ';'");
	parse_error("deny id 5 limit 10/s then allow;", "t.pol:1:27: error: unknown action 'allow'");
	parse_error("deny id 5 limit 10/s burst 1 burst 2;", "t.pol:1:30: error: expected ';' after rule, found 'burst'");
}

static void test_recovery(void **state)
{
	struct parsed *p = parse("deny id 5 @;\n"		/* lexer error: once */
				 "deny id 6\n"			/* missing ';' */
				 "deny id 7;\n"			/* ... still parsed */
				 "mode bogus;\n"
				 "dney id 8;\n"
				 "handle id 9;\n"
				 "deny range 1 2;\n"
				 "log id 10 if x0 == 1;\n"
				 "return 1 id 11;\n");
	const char *out = policy_diags_text(&p->d);

	(void)state;
	assert_int_equal(p->errors, 6);
	assert_non_null(strstr(out, "t.pol:1:11: error: stray '@'"));
	assert_non_null(strstr(out, "t.pol:2:10: error: expected ';' after rule"));
	assert_non_null(strstr(out, "t.pol:4:6:"));
	assert_non_null(strstr(out, "t.pol:5:1:"));
	assert_non_null(strstr(out, "t.pol:7:14:"));
	assert_non_null(strstr(out, "t.pol:8:14:"));
	/* the good rules: 7, 9, 11 */
	assert_int_equal(p->ast.nr_rules, 3);
	assert_true(p->ast.rules[0].matches[0].first == 7);
	assert_true(p->ast.rules[1].matches[0].first == 9);
	assert_true(p->ast.rules[2].matches[0].first == 11);
	done(p);

	/* missing ';' before a statement on the same line: skipped to the next ';' */
	p = parse("deny id 5 deny id 6;\ndeny id 7;");
	assert_int_equal(p->errors, 1);
	assert_int_equal(p->ast.nr_rules, 1);
	done(p);
	/* missing ';' at the end of the file */
	p = parse("deny id 5;\ndeny id 6");
	assert_int_equal(p->errors, 1);
	assert_int_equal(p->ast.nr_rules, 1);
	done(p);
	/* an error right at the ';' of a statement does not eat the next one */
	p = parse("deny id ;\ndeny id 7;");
	assert_int_equal(p->errors, 1);
	assert_int_equal(p->ast.nr_rules, 1);
	done(p);
	/* stray ';' */
	p = parse("deny id 1;;deny id 2;");
	assert_int_equal(p->errors, 1);
	assert_int_equal(p->ast.nr_rules, 2);
	done(p);
	/* a lexer error in a statement position */
	p = parse("@ deny id 1;\ndeny id 2;");
	assert_int_equal(p->errors, 1);
	assert_int_equal(p->ast.nr_rules, 1);
	done(p);
	/* a lexer error where ';' is expected */
	p = parse("deny id 1 @\ndeny id 2;");
	assert_int_equal(p->errors, 1);
	done(p);
	/* policy, default, mode keep the first of duplicates */
	p = parse("policy \"a\"; policy \"b\"; default deny; default log; mode permissive; mode enforce;");
	assert_int_equal(p->errors, 3);
	assert_string_equal(p->ast.name, "a");
	assert_int_equal(p->ast.default_action.kind, SMCCC_BPF_ACT_DENY);
	assert_true(p->ast.permissive);
	done(p);
	/* statements in error are dropped */
	p = parse("policy 5; default 5; mode 5;");
	assert_int_equal(p->errors, 3);
	assert_null(p->ast.name);
	assert_false(p->ast.has_default);
	assert_false(p->ast.has_mode);
	done(p);
}

/* Names quoted in messages are cut: a megabyte of identifier is not copied. */
static void test_long_names(void **state)
{
	char text[256], a64[65], want[256];

	(void)state;
	memset(a64, 'a', 64);
	a64[64] = '\0';
	snprintf(text, sizeof(text), "%sz;", a64);
	snprintf(want, sizeof(want), "t.pol:1:1: error: expected a rule (handle, deny, forward, log, return) or policy, default, mode, discovery; found '%s...'\n",
		 a64);
	parse_error(text, want);
	snprintf(text, sizeof(text), "default %sz;", a64);
	snprintf(want, sizeof(want), "unknown action '%s...'; expected handle, deny, forward, log or return\n",
		 a64);
	parse_error(text, want);
	snprintf(text, sizeof(text), "deny id %sz;", a64);
	snprintf(want, sizeof(want), "expected a number or a constant, found '%s...'\n", a64);
	parse_error(text, want);
	/* 64 bytes are quoted whole */
	snprintf(text, sizeof(text), "deny id %s;", a64);
	snprintf(want, sizeof(want), "found '%s'\n", a64);
	parse_error(text, want);
}

/* What parsing junk gave, in a child process. */
struct junk {
	unsigned int errors;	/* counted */
	size_t text_len;	/* of the diagnostics */
	char tail[128];		/* their last line */
};

/*
 * ASan reserves terabytes of address space for its shadow memory at start:
 * under it the child cannot have an address space limit (make
 * test-host-asan); the plain build keeps it.
 */
#if defined(__SANITIZE_ADDRESS__)
#define JUNK_LIMIT_AS	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JUNK_LIMIT_AS	0
#endif
#endif
#ifndef JUNK_LIMIT_AS
#define JUNK_LIMIT_AS	1
#endif

/*
 * Parses text in a child limited to 256 MiB of address space: it must exit
 * normally (diagnostics growing with the square of the input end in
 * abort(), as `policy check` did), with what it counted and printed in *j.
 */
static void parse_junk(const char *text, size_t len, struct junk *j)
{
	int fd[2], status;
	pid_t pid;

	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct rlimit rl = { 256 << 20, 256 << 20 };
		struct policy_src src = { "junk.pol", text, len };
		struct policy_diags d = { 0 };
		struct policy_ast ast;
		const char *out, *last;
		struct junk r;

		close(fd[0]);
		if (JUNK_LIMIT_AS && setrlimit(RLIMIT_AS, &rl))
			_exit(2);
		memset(&r, 0, sizeof(r));
		if (policy_parse(&src, &ast, &d) != d.errors)
			_exit(3);
		out = policy_diags_text(&d);
		r.errors = d.errors;
		r.text_len = strlen(out);
		for (last = out + r.text_len; last > out && last[-1] == '\n'; last--)
			;
		while (last > out && last[-1] != '\n')
			last--;
		snprintf(r.tail, sizeof(r.tail), "%s", last);
		_exit(write(fd[1], &r, sizeof(r)) == sizeof(r) ? 0 : 4);
	}
	close(fd[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("parsing %zu bytes of junk: the child %s %d", len,
			 WIFSIGNALED(status) ? "was killed by signal" : "exited with",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	assert_int_equal(read(fd[0], j, sizeof(*j)), sizeof(*j));
	close(fd[0]);
}

#define JUNK_NOTE	"junk.pol: note: too many errors and warnings: only the first 20 are shown\n"
#define JUNK_TEXT_MAX	16384	/* 20 messages, each with 160 bytes of line and a caret */

/*
 * A hostile file: every error is counted, the first 20 shown, with the
 * line cut around the column; the work and the output stay linear.
 */
static void test_junk(void **state)
{
	size_t len = 1 << 20, n = 100000, i, pos;
	char *text = malloc(n * 64);	/* >= len + 1, and 64 bytes a line */
	struct junk j;

	(void)state;
	assert_non_null(text);
	/* a 1 MiB line of '@': an error each */
	memset(text, '@', len);
	text[len] = '\n';
	parse_junk(text, len + 1, &j);
	assert_int_equal(j.errors, len);
	assert_true(j.text_len < JUNK_TEXT_MAX);
	assert_string_equal(j.tail, JUNK_NOTE);

	/* 1 MiB of random bytes, NUL and newlines included */
	srand(1);
	for (i = 0; i < len; i++)
		text[i] = (char)(rand() >> 7);
	parse_junk(text, len, &j);
	assert_true(j.errors > 1000);
	assert_true(j.text_len < JUNK_TEXT_MAX);
	assert_string_equal(j.tail, JUNK_NOTE);

	/* 100,000 lines of junk */
	for (i = 0, pos = 0; i < n; i++)
		pos += sprintf(text + pos, "@@ junk %zu @\n", i);
	parse_junk(text, pos, &j);
	assert_int_equal(j.errors, 3 * n);
	assert_true(j.text_len < JUNK_TEXT_MAX);
	assert_string_equal(j.tail, JUNK_NOTE);

	/* 100,000 bad statements, each with a suggestion */
	for (i = 0, pos = 0; i < n; i++)
		pos += sprintf(text + pos, "dney id %zu; deny id 0x%zx if x0 == 1;\n", i, i);
	parse_junk(text, pos, &j);
	assert_int_equal(j.errors, 2 * n);
	assert_true(j.text_len < JUNK_TEXT_MAX);
	assert_string_equal(j.tail, JUNK_NOTE);
	free(text);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(policy_action_name(SMCCC_BPF_ACT_HANDLE), "handle");
	assert_string_equal(policy_action_name(SMCCC_BPF_ACT_DENY), "deny");
	assert_string_equal(policy_action_name(SMCCC_BPF_ACT_FWD_TO_USER), "forward");
	assert_string_equal(policy_action_name(SMCCC_BPF_ACT_RETURN), "return");
	assert_string_equal(policy_action_name(SMCCC_POLICY_ACT_LOG), "log");
	assert_string_equal(policy_action_name(99), "?");
	assert_string_equal(policy_op_name(SMCCC_POLICY_OP_EQ), "==");
	assert_string_equal(policy_op_name(SMCCC_POLICY_OP_NE), "!=");
	assert_string_equal(policy_op_name(SMCCC_POLICY_OP_LT), "<");
	assert_string_equal(policy_op_name(SMCCC_POLICY_OP_LE), "<=");
	assert_string_equal(policy_op_name(SMCCC_POLICY_OP_GT), ">");
	assert_string_equal(policy_op_name(SMCCC_POLICY_OP_GE), ">=");
	assert_string_equal(policy_op_name(6), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_return_values),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rule_ids_and_locations),
		cmocka_unit_test(test_statement_errors),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_number_errors),
		cmocka_unit_test(test_condition_errors),
		cmocka_unit_test(test_limit_errors),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("policy_parser", tests, NULL, NULL);
}
