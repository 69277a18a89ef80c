// SPDX-License-Identifier: GPL-2.0
/*
 * The policy language's lexer and diagnostics (loader/policy_lexer.c):
 * every token kind, locations, every lexical error, and the gcc-style
 * message format with its source line and caret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy_lexer.h"

struct lexed {
	struct policy_src src;
	struct policy_diags d;
	struct policy_lexer lx;
};

static void lex_open(struct lexed *l, const char *text)
{
	memset(l, 0, sizeof(*l));
	l->src.name = "t.pol";
	l->src.text = text;
	l->src.len = strlen(text);
	policy_lexer_init(&l->lx, &l->src, &l->d);
}

static void lex_close(struct lexed *l)
{
	policy_lexer_free(&l->lx);
	policy_diags_free(&l->d);
}

static void next(struct lexed *l, struct policy_token *t, enum policy_tok_kind kind)
{
	policy_lex(&l->lx, t);
	assert_int_equal(t->kind, kind);
}

static void next_ident(struct lexed *l, const char *word)
{
	struct policy_token t;

	next(l, &t, POLICY_TOK_IDENT);
	if (!policy_tok_is(&t, word))
		fail_msg("expected identifier '%s', got '%.*s'", word, (int)t.len, t.start);
}

static uint64_t next_number(struct lexed *l)
{
	struct policy_token t;

	next(l, &t, POLICY_TOK_NUMBER);
	return t.num;
}

/* Lexes text to the end; returns the number of errors reported. */
static unsigned int lex_all(const char *text, char **msgs)
{
	struct lexed l;
	struct policy_token t;
	unsigned int errors;

	lex_open(&l, text);
	do {
		policy_lex(&l.lx, &t);
	} while (t.kind != POLICY_TOK_EOF);
	errors = l.d.errors;
	if (msgs)
		*msgs = strdup(policy_diags_text(&l.d));
	lex_close(&l);
	return errors;
}

static void test_identifiers(void **state)
{
	struct lexed l;
	struct policy_token t;

	(void)state;
	lex_open(&l, "deny std-secure psci.cpu_on vendor-hyp x17 _a a-1 psci-v0.1 NOT_SUPPORTED a-_b");
	next_ident(&l, "deny");
	next_ident(&l, "std-secure");
	next_ident(&l, "psci.cpu_on");
	next_ident(&l, "vendor-hyp");
	next_ident(&l, "x17");
	next_ident(&l, "_a");
	/* '-' joins an identifier only before a letter */
	next_ident(&l, "a");
	next(&l, &t, POLICY_TOK_MINUS);
	assert_int_equal(next_number(&l), 1);
	next_ident(&l, "psci-v0.1");
	next_ident(&l, "NOT_SUPPORTED");
	next_ident(&l, "a");
	next(&l, &t, POLICY_TOK_MINUS);
	next_ident(&l, "_b");
	next(&l, &t, POLICY_TOK_EOF);
	assert_int_equal(l.d.errors, 0);
	/* keywords are case-sensitive identifiers */
	lex_open(&l, "Deny");
	next(&l, &t, POLICY_TOK_IDENT);
	assert_false(policy_tok_is(&t, "deny"));
	assert_false(policy_tok_is(&t, "Den"));
	assert_true(policy_tok_is(&t, "Deny"));
	lex_close(&l);
}

static void test_numbers(void **state)
{
	struct lexed l;
	struct policy_token t;

	(void)state;
	lex_open(&l, "0 42 0x84000003 0XFFFFFFFF 0x8400_0000 1_000 18446744073709551615 "
		 "0xffffffffffffffff 0x84000000-0x8400001f");
	assert_int_equal(next_number(&l), 0);
	assert_int_equal(next_number(&l), 42);
	assert_int_equal(next_number(&l), 0x84000003);
	assert_int_equal(next_number(&l), 0xffffffff);
	assert_int_equal(next_number(&l), 0x84000000);
	assert_int_equal(next_number(&l), 1000);
	assert_true(next_number(&l) == UINT64_MAX);
	assert_true(next_number(&l) == UINT64_MAX);
	assert_int_equal(next_number(&l), 0x84000000);
	next(&l, &t, POLICY_TOK_MINUS);
	assert_int_equal(next_number(&l), 0x8400001f);
	next(&l, &t, POLICY_TOK_EOF);
	assert_int_equal(l.d.errors, 0);
	lex_close(&l);
}

static void test_strings(void **state)
{
	struct lexed l;
	struct policy_token t;

	(void)state;
	lex_open(&l, "\"web \\\"front\\\" \\\\ end\\n\\t\" \"\"");
	next(&l, &t, POLICY_TOK_STRING);
	assert_string_equal(t.str, "web \"front\" \\ end\n\t");
	next(&l, &t, POLICY_TOK_STRING);
	assert_string_equal(t.str, "");
	next(&l, &t, POLICY_TOK_EOF);
	assert_int_equal(l.d.errors, 0);
	lex_close(&l);
}

static void test_punctuation(void **state)
{
	static const enum policy_tok_kind kinds[] = {
		POLICY_TOK_SEMI, POLICY_TOK_COMMA, POLICY_TOK_MINUS, POLICY_TOK_AMP,
		POLICY_TOK_SLASH, POLICY_TOK_EQ, POLICY_TOK_NE, POLICY_TOK_LT, POLICY_TOK_LE,
		POLICY_TOK_GT, POLICY_TOK_GE, POLICY_TOK_LT, POLICY_TOK_GT, POLICY_TOK_EOF,
	};
	struct lexed l;
	struct policy_token t;
	size_t i;

	(void)state;
	lex_open(&l, "; , - & / == != < <= > >= <>");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		next(&l, &t, kinds[i]);
	/* EOF stays EOF */
	next(&l, &t, POLICY_TOK_EOF);
	assert_int_equal(l.d.errors, 0);
	lex_close(&l);
}

static void test_locations_and_comments(void **state)
{
	struct lexed l;
	struct policy_token t;

	(void)state;
	lex_open(&l, "# a comment; deny id 5;\n\tdeny  id 5; # trailing\r\n\n  x1 # no newline at end");
	next(&l, &t, POLICY_TOK_IDENT);
	assert_int_equal(t.loc.line, 2);
	assert_int_equal(t.loc.col, 2);	/* a tab is one column */
	next(&l, &t, POLICY_TOK_IDENT);
	assert_int_equal(t.loc.line, 2);
	assert_int_equal(t.loc.col, 8);
	next(&l, &t, POLICY_TOK_NUMBER);
	assert_int_equal(t.loc.col, 11);
	assert_int_equal(t.len, 1);
	next(&l, &t, POLICY_TOK_SEMI);
	assert_int_equal(t.loc.col, 12);
	next(&l, &t, POLICY_TOK_IDENT);
	assert_int_equal(t.loc.line, 4);
	assert_int_equal(t.loc.col, 3);
	next(&l, &t, POLICY_TOK_EOF);
	assert_int_equal(l.d.errors, 0);
	lex_close(&l);
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "12ab", "t.pol:1:1: error: invalid number '12ab'" },
		{ "0x1g", "t.pol:1:1: error: invalid number '0x1g'" },
		{ "5.5", "t.pol:1:1: error: invalid number '5.5'" },
		{ "0x", "t.pol:1:1: error: '0x' without hexadecimal digits" },
		{ "0x_", "t.pol:1:1: error: '0x' without hexadecimal digits" },
		{ "18446744073709551616", "t.pol:1:1: error: number '18446744073709551616' does not fit in 64 bits" },
		{ "0x10000000000000000", "does not fit in 64 bits" },
		{ "policy \"abc", "t.pol:1:8: error: missing terminating '\"' character" },
		{ "\"abc\ndef", "t.pol:1:1: error: missing terminating '\"' character" },
		{ "\"a\\qb\"", "t.pol:1:3: error: unknown escape sequence in string" },
		{ "x1 = 3", "t.pol:1:4: error: '=' is not an operator; did you mean '=='?" },
		{ "x1 ! 3", "t.pol:1:4: error: '!' is not an operator; did you mean '!='?" },
		{ "a && b", "t.pol:1:3: error: '&&' is not an operator; conditions are joined with 'and'" },
		{ "deny @", "t.pol:1:6: error: stray '@' in policy" },
		{ "deny \x01", "t.pol:1:6: error: stray byte 0x01 in policy" },
		{ "deny \xc3\xa9;", "t.pol:1:6: error: stray byte 0xc3 in policy" },
	};
	struct lexed l;
	struct policy_token t;
	size_t i;
	char *msgs;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(lex_all(cases[i].text, &msgs), 1);
		if (!strstr(msgs, cases[i].msg))
			fail_msg("'%s': expected '%s' in:\n%s", cases[i].text, cases[i].msg, msgs);
		free(msgs);
	}
	/* an error gives an ERROR token and lexing goes on */
	lex_open(&l, "@ deny \"x");
	next(&l, &t, POLICY_TOK_ERROR);
	next_ident(&l, "deny");
	next(&l, &t, POLICY_TOK_ERROR);
	next(&l, &t, POLICY_TOK_EOF);
	assert_int_equal(l.d.errors, 2);
	lex_close(&l);
	/* a bad escape and a missing quote in one string: both reported, one token */
	assert_int_equal(lex_all("\"a\\q", NULL), 2);
}

static void test_diag_format(void **state)
{
	struct policy_src src = { "p.pol", "deny id 5;\n\tdeny  foo;\nlast", 0 };
	struct policy_diags d = { 0 };

	(void)state;
	src.len = strlen(src.text);
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 2, 8 }, "bad %s", "thing");
	assert_string_equal(policy_diags_text(&d),
			    "p.pol:2:8: error: bad thing\n"
			    "\tdeny  foo;\n"
			    "\t      ^\n");
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.warnings, 0);
	policy_diags_free(&d);

	/* warnings and notes; no location; a line past the end; no name */
	policy_diag(&d, &src, POLICY_DIAG_WARNING, (struct policy_loc){ 3, 1 }, "w");
	policy_diag(&d, &src, POLICY_DIAG_NOTE, (struct policy_loc){ 1, 6 }, "n");
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 }, "whole file");
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 9, 1 }, "far");
	src.name = NULL;
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 }, "anonymous");
	assert_int_equal(d.errors, 3);
	assert_int_equal(d.warnings, 1);
	/* by line: no location first, a note stays after its warning */
	assert_string_equal(policy_diags_text(&d),
			    "p.pol: error: whole file\n"
			    "<policy>: error: anonymous\n"
			    "p.pol:3:1: warning: w\n"
			    "last\n"
			    "^\n"
			    "p.pol:1:6: note: n\n"
			    "deny id 5;\n"
			    "     ^\n"
			    "p.pol:9:1: error: far\n");
	policy_diags_free(&d);
	assert_string_equal(policy_diags_text(&d), "");
}

static void test_diag_order_and_cache(void **state)
{
	struct policy_src a = { "a.pol", "one\ntwo\nthree\n", 14 };
	struct policy_src b = { "b.pol", "uno\n", 4 };
	struct policy_diags d = { 0 };
	const char *text;

	(void)state;
	policy_diag(&d, &a, POLICY_DIAG_ERROR, (struct policy_loc){ 3, 2 }, "third");
	policy_diag(&d, &a, POLICY_DIAG_ERROR, (struct policy_loc){ 1, 1 }, "first");
	policy_diag(&d, &a, POLICY_DIAG_ERROR, (struct policy_loc){ 3, 1 }, "third again");
	text = policy_diags_text(&d);
	assert_non_null(strstr(text, "first"));
	assert_true(strstr(text, "first") < strstr(text, "third"));
	assert_true(strstr(text, "third\n") < strstr(text, "third again"));
	/* another source: its own lines once the cache is dropped */
	policy_diags_forget_source(&d);
	policy_diag(&d, &b, POLICY_DIAG_ERROR, (struct policy_loc){ 1, 2 }, "other");
	assert_non_null(strstr(policy_diags_text(&d), "b.pol:1:2: error: other\nuno\n ^\n"));
	policy_diags_free(&d);
}

/*
 * At most POLICY_DIAG_MAX errors and warnings are kept, with their notes;
 * the rest are counted, and one note, last, says so.
 */
static void test_diag_limit(void **state)
{
	struct policy_src src = { "p.pol", "deny id 5;\n", 11 };
	struct policy_diags d = { 0 };
	const char *text, *p;
	char want[64];
	int i, n;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(policy_diags_full(&d), i >= POLICY_DIAG_MAX);
		policy_diag(&d, &src, i % 2 ? POLICY_DIAG_WARNING : POLICY_DIAG_ERROR,
			    (struct policy_loc){ 1, 1 }, "number %d", i);
		policy_diag(&d, &src, POLICY_DIAG_NOTE, (struct policy_loc){ 1, 6 },
			    "note of %d", i);
	}
	/* all counted */
	assert_int_equal(d.errors, 500);
	assert_int_equal(d.warnings, 500);
	text = policy_diags_text(&d);
	for (n = 0, p = text; (p = strstr(p, ": error: ")); p++)
		n++;
	for (p = text; (p = strstr(p, ": warning: ")); p++)
		n++;
	assert_int_equal(n, POLICY_DIAG_MAX);
	snprintf(want, sizeof(want), "number %d\n", POLICY_DIAG_MAX - 1);
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "note of %d\n", POLICY_DIAG_MAX - 1);
	assert_non_null(strstr(text, want));
	/* the notes of a dropped message go with it */
	snprintf(want, sizeof(want), "of %d\n", POLICY_DIAG_MAX);
	assert_null(strstr(text, want));
	p = "p.pol: note: too many errors and warnings: only the first 20 are shown\n";
	assert_string_equal(text + strlen(text) - strlen(p), p);
	assert_non_null(strstr(text, "p.pol:1:6: note: note of 0\ndeny id 5;\n     ^\n"));
	assert_true(strlen(text) < 2000);
	policy_diags_free(&d);
	assert_false(policy_diags_full(&d));
}

/*
 * A long source line is shown cut around the column: POLICY_DIAG_LINE_MAX
 * bytes, "..." at each end that was cut, the caret under the column.
 */
static void test_diag_long_line(void **state)
{
	size_t len = 1000000, i;
	char *line = malloc(len + 2), *want = malloc(1024);
	struct policy_src src = { "p.pol", line, len + 1 };
	struct policy_diags d = { 0 };

	(void)state;
	assert_non_null(line);
	assert_non_null(want);
	for (i = 0; i < len; i++)
		line[i] = 'a' + i % 26;
	line[len] = '\n';
	line[len + 1] = '\0';

	/* at the start: the first 160 bytes */
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 1, 1 }, "start");
	snprintf(want, 1024, "p.pol:1:1: error: start\n%.160s...\n^\n", line);
	assert_string_equal(policy_diags_text(&d), want);
	policy_diags_free(&d);

	/* in the middle: 80 bytes either side */
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 1, 500001 }, "middle");
	snprintf(want, 1024, "p.pol:1:500001: error: middle\n...%.160s...\n%84s\n",
		 line + 500000 - 80, "^");
	assert_string_equal(policy_diags_text(&d), want);
	policy_diags_free(&d);

	/* just after the end ("expected ';'"): the last 160 bytes */
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 1, len + 1 }, "end");
	snprintf(want, 1024, "p.pol:1:%zu: error: end\n...%.160s\n%164s\n", len + 1,
		 line + len - 160, "^");
	assert_string_equal(policy_diags_text(&d), want);
	policy_diags_free(&d);

	/* a line of POLICY_DIAG_LINE_MAX bytes is shown whole */
	line[160] = '\n';
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 1, 161 }, "whole");
	snprintf(want, 1024, "p.pol:1:161: error: whole\n%.160s\n%161s\n", line, "^");
	assert_string_equal(policy_diags_text(&d), want);
	policy_diags_free(&d);

	/* tabs stay under tabs; a NUL is shown as a space, keeping the caret in place */
	src.text = "\tx\0y z";
	src.len = 6;
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 1, 6 }, "nul");
	assert_string_equal(policy_diags_text(&d), "p.pol:1:6: error: nul\n\tx y z\n\t    ^\n");
	policy_diags_free(&d);
	free(line);
	free(want);
}

/* Messages are cut at POLICY_DIAG_MSG_MAX, quoted names at POLICY_DIAG_NAME_MAX. */
static void test_diag_long_message(void **state)
{
	struct policy_src src = { "p.pol", NULL, 0 };
	char *big = malloc(5001), *want = malloc(1200), nb[POLICY_DIAG_NAME_BUF];
	struct policy_diags d = { 0 };

	(void)state;
	assert_non_null(big);
	assert_non_null(want);
	memset(big, 'x', 5000);
	big[5000] = '\0';
	policy_diag(&d, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 }, "%s", big);
	snprintf(want, 1200, "p.pol: error: %.1024s...\n", big);
	assert_string_equal(policy_diags_text(&d), want);
	policy_diags_free(&d);

	assert_string_equal(policy_diag_name(nb, "psci", 4), "psci");
	assert_string_equal(policy_diag_name(nb, "psci.cpu_on;", 4), "psci");	/* a slice */
	assert_string_equal(policy_diag_name(nb, big, 64), big + 5000 - 64);
	snprintf(want, 1200, "%.64s...", big);
	assert_string_equal(policy_diag_name(nb, big, 65), want);
	assert_string_equal(policy_diag_name(nb, big, 5000), want);
	free(big);
	free(want);
}

/* A long number is quoted cut in its message. */
static void test_long_token(void **state)
{
	size_t len = 100000;
	char *text = malloc(len + 2), *msgs;

	(void)state;
	assert_non_null(text);
	memset(text, '1', len);
	text[len] = 'x';
	text[len + 1] = '\0';
	assert_int_equal(lex_all(text, &msgs), 1);
	assert_non_null(strstr(msgs, "error: invalid number '1111111111111111111111111111111111111111111111111111111111111111...'\n"));
	assert_true(strlen(msgs) < 600);
	free(msgs);
	text[len] = '\0';
	assert_int_equal(lex_all(text, &msgs), 1);
	assert_non_null(strstr(msgs, "error: number '1111111111111111111111111111111111111111111111111111111111111111...' does not fit in 64 bits\n"));
	free(msgs);
	free(text);
}

static void test_tok_names(void **state)
{
	enum policy_tok_kind k;

	(void)state;
	for (k = POLICY_TOK_EOF; k <= POLICY_TOK_GE; k++)
		assert_string_not_equal(policy_tok_name(k), "token");
	assert_string_equal(policy_tok_name(POLICY_TOK_SEMI), "';'");
	assert_string_equal(policy_tok_name(POLICY_TOK_EOF), "end of file");
	assert_string_equal(policy_tok_name((enum policy_tok_kind)99), "token");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identifiers),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_locations_and_comments),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_diag_order_and_cache),
		cmocka_unit_test(test_diag_limit),
		cmocka_unit_test(test_diag_long_line),
		cmocka_unit_test(test_diag_long_message),
		cmocka_unit_test(test_long_token),
		cmocka_unit_test(test_tok_names),
	};

	return cmocka_run_group_tests_name("policy_lexer", tests, NULL, NULL);
}
