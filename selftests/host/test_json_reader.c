// SPDX-License-Identifier: GPL-2.0
/*
 * The strict JSON reader of the smccc-bpf CLI (loader/json_reader.c), on
 * its own: valid documents, exact 64-bit numbers, escapes and UTF-8,
 * nesting, and every kind of error with its line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "json_reader.h"

static struct json_value *parse_ok(const char *text)
{
	struct json_value *v = NULL;
	struct json_error e;
	int ret = json_parse(text, strlen(text), &v, &e);

	if (ret)
		fail_msg("'%.80s': %u:%u: %s", text, e.line, e.col, e.msg);
	return v;
}

/* text (len bytes) fails at line:col with a message containing msg. */
static void parse_err_n(const char *text, size_t len, unsigned int line, unsigned int col,
			const char *msg)
{
	struct json_value *v = (struct json_value *)1;
	struct json_error e;
	int ret = json_parse(text, len, &v, &e);

	if (!ret)
		fail_msg("'%.80s' parsed", text);
	assert_int_equal(ret, -22);
	assert_null(v);
	if (e.line != line || e.col != col || !strstr(e.msg, msg))
		fail_msg("'%.80s': got %u:%u: %s; expected %u:%u: ...%s...", text, e.line, e.col,
			 e.msg, line, col, msg);
}

static void parse_err(const char *text, unsigned int line, unsigned int col, const char *msg)
{
	parse_err_n(text, strlen(text), line, col, msg);
}

static void test_valid(void **state)
{
	struct json_value *v;
	const struct json_value *a, *o;
	uint64_t n;

	(void)state;
	v = parse_ok(" \n\t{\"a\": [1, 2, {\"b\": null}], \"c\": true, \"d\": false,"
		     " \"e\": \"x\", \"f\": {}, \"g\": [], \"h\": -1.5e+3}\r\n");
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->n, 7);
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 2);
	a = json_get(v, "a");
	assert_non_null(a);
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->n, 3);
	assert_true(json_u64(&a->items[1], &n));
	assert_int_equal(n, 2);
	o = json_get(&a->items[2], "b");
	assert_non_null(o);
	assert_int_equal(o->type, JSON_NULL);
	assert_int_equal(json_get(v, "c")->type, JSON_TRUE);
	assert_int_equal(json_get(v, "d")->type, JSON_FALSE);
	assert_string_equal(json_get(v, "e")->str, "x");
	assert_int_equal(json_get(v, "f")->n, 0);
	assert_int_equal(json_get(v, "g")->type, JSON_ARRAY);
	assert_string_equal(json_get(v, "h")->str, "-1.5e+3");
	assert_false(json_u64(json_get(v, "h"), &n));
	assert_null(json_get(v, "zz"));
	assert_null(json_get(a, "a"));
	json_free(v);

	/* top-level scalars */
	v = parse_ok("0");
	assert_true(json_u64(v, &n));
	assert_int_equal(n, 0);
	json_free(v);
	v = parse_ok("\"\"");
	assert_int_equal(v->type, JSON_STRING);
	assert_int_equal(v->len, 0);
	json_free(v);
	v = parse_ok("null");
	assert_int_equal(v->type, JSON_NULL);
	json_free(v);
}

static void test_u64(void **state)
{
	static const struct { const char *text; bool ok; uint64_t v; } cases[] = {
		{ "18446744073709551615", true, UINT64_MAX },
		{ "18446744073709551614", true, UINT64_MAX - 1 },
		{ "9007199254740993", true, 9007199254740993ull },	/* 2^53 + 1: no double */
		{ "18446744073709551616", false, 0 },			/* 2^64 */
		{ "99999999999999999999", false, 0 },
		{ "-1", false, 0 },
		{ "-0", false, 0 },
		{ "1.0", false, 0 },
		{ "1e3", false, 0 },
	};
	struct json_value *v;
	uint64_t n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = parse_ok(cases[i].text);
		n = 42;
		assert_int_equal(json_u64(v, &n), cases[i].ok);
		if (cases[i].ok)
			assert_true(n == cases[i].v);
		json_free(v);
	}
	v = parse_ok("\"1\"");
	assert_false(json_u64(v, &n));	/* a string is not a number */
	json_free(v);
}

static void test_strings(void **state)
{
	struct json_value *v;

	(void)state;
	v = parse_ok("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u0041\\u00e9\\u20ac \\ud83d\\ude00 "
		     "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	assert_string_equal(v->str, "q\" b\\ s/ \b\f\n\r\t A\xc3\xa9\xe2\x82\xac "
			    "\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(v);
	/* \u0001 is kept, with the length (\u0000 is refused: test_nul) */
	v = parse_ok("\"a\\u0001b\"");
	assert_int_equal(v->len, 3);
	assert_memory_equal(v->str, "a\1b", 3);
	json_free(v);
	/* member names are decoded too */
	v = parse_ok("{\"n\\u00e9\": 1}");
	assert_non_null(json_get(v, "n\xc3\xa9"));
	json_free(v);
}

static void test_nesting(void **state)
{
	char deep[2 * JSON_MAX_DEPTH + 3];
	struct json_value *v;
	int i;

	(void)state;
	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[JSON_MAX_DEPTH + i] = ']';
	}
	deep[2 * JSON_MAX_DEPTH] = '\0';
	v = parse_ok(deep);			/* 64 levels: fine */
	json_free(v);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		deep[i] = '[';
	deep[JSON_MAX_DEPTH + 1] = '\0';
	parse_err(deep, 1, JSON_MAX_DEPTH + 1, "nested deeper than 64");
	parse_err("{\"a\":{\"b\":{\"c\":[[[{\"d\":[1,2,{\"e\":}]}]]]}}}", 1, 34, "expected a value");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	parse_err("", 1, 1, "expected a value, found the end of the input");
	parse_err("   \n  ", 2, 3, "expected a value, found the end of the input");
	parse_err("{\"a\":1,}", 1, 8, "no trailing commas");
	parse_err("[1,2,]", 1, 6, "no trailing commas");
	parse_err("{\"a\" 1}", 1, 6, "expected ':' after the member name, found '1'");
	parse_err("{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}' after an object member");
	parse_err("[1 2]", 1, 4, "expected ',' or ']' after an array element, found '2'");
	parse_err("{1:2}", 1, 2, "expected a member name");
	parse_err("{'a':2}", 1, 2, "expected a member name (a string in double quotes), found '''");
	parse_err("[1,", 1, 4, "expected a value, found the end of the input");
	parse_err("{\"a\":", 1, 6, "expected a value");
	parse_err("{\"a\":1", 1, 7, "expected ',' or '}'");
	parse_err("01", 1, 1, "leading zero");
	parse_err("-", 1, 2, "expected a digit after '-'");
	parse_err("-a", 1, 2, "expected a digit after '-', found 'a'");
	parse_err("1.", 1, 3, "expected a digit after the decimal point");
	parse_err("1e", 1, 3, "expected a digit in the exponent");
	parse_err("1e+", 1, 4, "expected a digit in the exponent");
	parse_err("+1", 1, 1, "expected a value");
	parse_err("tru", 1, 1, "expected 'true'");
	parse_err("nul", 1, 1, "expected 'null'");
	parse_err("falsy", 1, 1, "expected 'false'");
	parse_err("NaN", 1, 1, "expected a value");
	parse_err("// c\n1", 1, 1, "expected a value (object, array, string, number, true, "
		  "false or null), found '/'");
	parse_err("{} x", 1, 4, "expected the end of the input after the document, found 'x'");
	parse_err("[1]\n[2]", 2, 1, "expected the end of the input");
	parse_err_n("[1]\0", 4, 1, 4, "found byte 0x00");
	parse_err("{\n  \"a\": [1,\n    2,,\n  ]}", 3, 7, "null), found ','");
	parse_err("{\"a\":1,\n \"b\":2,\n \"a\":3}", 3, 2, "member \"a\" given twice");
}

static void test_string_errors(void **state)
{
	(void)state;
	parse_err("\"abc", 1, 5, "expected '\"' to end the string started at 1:1, found the end");
	parse_err("[\n \"abc", 2, 6, "string started at 2:2");
	parse_err("\"a\nb\"", 1, 3, "raw control character (0x0a)");
	parse_err("\"a\tb\"", 1, 3, "raw control character (0x09)");
	parse_err("\"\\x\"", 1, 3, "expected an escape after '\\'");
	parse_err("\"\\u12G4\"", 1, 6, "expected a hex digit of a \\u escape");
	parse_err("\"\\u12", 1, 6, "expected a hex digit");
	parse_err("\"\\udc00\"", 1, 2, "second half of a surrogate pair");
	parse_err("\"\\ud800x\"", 1, 8, "expected a second \\u escape");
	parse_err("\"\\ud800\\u0041\"", 1, 8, "expected a low surrogate");
	parse_err("\"\xff\"", 1, 2, "invalid UTF-8");
	parse_err("\"\x80\"", 1, 2, "cannot start a character");
	parse_err("\"ab\xc3\"", 1, 4, "cut short");
	parse_err("\"\xc0\xaf\"", 1, 2, "invalid UTF-8");		/* overlong '/' */
	parse_err("\"\xe0\x80\xaf\"", 1, 2, "encoded in 3 bytes");	/* overlong */
	parse_err("\"\xed\xa0\x80\"", 1, 2, "U+D800");		/* a surrogate */
	parse_err("\"\xf4\x90\x80\x80\"", 1, 2, "U+110000");	/* above U+10FFFF */
}

/*
 * A NUL cuts the C strings the CLI makes of names and policy text: an
 * escaped one is refused where it is, in values and in member names, and
 * so is a raw one.
 */
static void test_nul(void **state)
{
	(void)state;
	parse_err("\"a\\u0000b\"", 1, 3, "\\u0000 in a string: a NUL character is not allowed");
	parse_err("{\n  \"ok\": 1,\n  \"a\\u0000\": 2}", 3, 5, "\\u0000");
	parse_err("[\"x\", \"\\u0000\"]", 1, 8, "\\u0000");
	parse_err_n("\"a\0b\"", 5, 1, 3, "raw control character (0x00)");
	parse_err_n("{\"a\0\": 1}", 9, 1, 4, "raw control character (0x00)");
}

/* An invalid UTF-8 byte in a member name is refused like one in a value, with where. */
static void test_utf8_names(void **state)
{
	(void)state;
	parse_err("{\"ok\": 1,\n \"n\xff\": 2}", 2, 4, "invalid UTF-8");
	parse_err("{\"\xc3\": 2}", 1, 3, "cut short");
}

/* "{"k0":0,"k1":1,...}" with n members, then extra (e.g. a duplicate) before the '}'. */
static char *many_members(size_t n, const char *extra)
{
	size_t cap = n * 24 + strlen(extra) + 8, len = 0, i;
	char *text = malloc(cap);

	assert_non_null(text);
	text[len++] = '{';
	for (i = 0; i < n; i++)
		len += snprintf(text + len, cap - len, "%s\"k%zu\":%zu", i ? "," : "", i, i);
	len += snprintf(text + len, cap - len, "%s}", extra);
	return text;
}

/*
 * The duplicate check is sorted, not pairwise: 200 000 members parse in
 * well under a second (they took minutes), and a duplicate among them is
 * still found, at its second occurrence, with where the first was.
 */
static void test_many_members(void **state)
{
	struct json_value *v;
	char *text;

	(void)state;
	text = many_members(200000, "");
	v = parse_ok(text);
	assert_int_equal(v->n, 200000);
	assert_string_equal(v->names[199999], "k199999");
	assert_true(json_get(v, "k123456") == &v->items[123456]);
	json_free(v);
	free(text);

	/* "k7" again, on a second line: 2:2; the first at 1:51 ('{', "k0":0, 6 x ,"kN":N, ',') */
	text = many_members(200000, ",\n \"k7\":0");
	parse_err(text, 2, 2, "member \"k7\" given twice in the same object (first at 1:51)");
	free(text);
}

/* Of several duplicates, the one whose second occurrence comes first is reported. */
static void test_duplicate_order(void **state)
{
	(void)state;
	parse_err("{\"a\":1,\"b\":2,\"b\":3,\"a\":4}", 1, 14, "member \"b\" given twice "
		  "in the same object (first at 1:8)");
	parse_err("{\"a\":1,\"a\":2,\"a\":3}", 1, 8, "member \"a\" given twice");
	/* the same name in different objects is fine */
	json_free(parse_ok("[{\"a\":1},{\"a\":2,\"b\":{\"a\":3}}]"));
	/* a syntax error inside the object is the one reported, wherever the duplicate */
	parse_err("{\"a\":1,\"a\":2,\"c\":}", 1, 18, "expected a value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_string_errors),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_utf8_names),
		cmocka_unit_test(test_many_members),
		cmocka_unit_test(test_duplicate_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
