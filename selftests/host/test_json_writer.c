// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON writer of the smccc-bpf CLI (loader/json_writer.c) with bytes
 * that are not clean UTF-8 text: names from files, pins and the kernel
 * (a comm the kernel cut at 15 bytes, a policy name in Latin-1, control
 * characters). Whatever the input, the output is valid JSON that the
 * strict reader (loader/json_reader.c: no invalid UTF-8, no raw control
 * characters) parses back. The writer's layout (commas, pretty printing)
 * is test_cli.c's test_json_writer.
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
#include "json_writer.h"

/* s as one JSON string literal. */
static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	jw_write_escaped(f, s);
	fclose(f);
	return buf;
}

/* The literal the writer makes of s parses back (strictly) to want. */
static void round_trip(const char *s, const char *want)
{
	struct json_value *v = NULL;
	struct json_error e;
	char *lit = escaped(s);

	if (json_parse(lit, strlen(lit), &v, &e))
		fail_msg("%s: %u:%u: %s", lit, e.line, e.col, e.msg);
	assert_int_equal(v->type, JSON_STRING);
	assert_string_equal(v->str, want);
	json_free(v);
	free(lit);
}

static void expect_literal(const char *s, const char *want)
{
	char *lit = escaped(s);

	assert_string_equal(lit, want);
	free(lit);
}

/* Bytes that are not UTF-8 become U+FFFD, one per byte; valid characters pass. */
static void test_invalid_utf8(void **state)
{
	(void)state;
	expect_literal("a\xff" "b", "\"a\\ufffdb\"");
	expect_literal("\xc3", "\"\\ufffd\"");			/* cut short at the end */
	expect_literal("ab\xe2\x82", "\"ab\\ufffd\\ufffd\"");	/* 2 of 3 bytes */
	expect_literal("\xc3(", "\"\\ufffd(\"");		/* no continuation byte */
	expect_literal("\x80\xbf", "\"\\ufffd\\ufffd\"");	/* stray continuation bytes */
	expect_literal("\xc0\xaf", "\"\\ufffd\\ufffd\"");	/* overlong '/' */
	expect_literal("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* a surrogate */
	expect_literal("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	expect_literal("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		       "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");	/* e acute, euro, emoji */
	/* Latin-1 "é" as a policy name */
	round_trip("caf\xe9", "caf\xef\xbf\xbd");
}

/* Every control character is escaped: C0, DEL, C1, and the JavaScript line ends. */
static void test_controls(void **state)
{
	(void)state;
	expect_literal("\x1b[31m\r\b\f\x01\x7f", "\"\\u001b[31m\\r\\b\\f\\u0001\\u007f\"");
	expect_literal("\xc2\x85\xc2\x9b", "\"\\u0085\\u009b\"");	/* NEL, CSI */
	expect_literal("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"");
	expect_literal("\xc2\xa0", "\"\xc2\xa0\"");		/* U+00A0 is no control */
	round_trip("\x1b]0;title\x07\xc2\x9b", "\x1b]0;title\x07\xc2\x9b");
}

/* Names are escaped like values. */
static void test_names(void **state)
{
	struct json_value *v = NULL;
	struct json_writer *jw;
	struct json_error e;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	jw = jw_new(f, false);
	jw_start_object(jw);
	jw_string_field(jw, "n\xff\x1b", "v");
	jw_end_object(jw);
	jw_destroy(jw);
	fclose(f);
	assert_string_equal(buf, "{\"n\\ufffd\\u001b\":\"v\"}");
	assert_int_equal(json_parse(buf, len, &v, &e), 0);
	assert_non_null(json_get(v, "n\xef\xbf\xbd\x1b"));
	json_free(v);
	free(buf);
}

/* Every byte string, random or made of one byte: the output is JSON the strict reader takes. */
static void test_any_bytes(void **state)
{
	uint32_t seed = 12345;
	char s[33], *lit;
	struct json_value *v;
	struct json_error e;
	int i, j, n;

	(void)state;
	for (i = 1; i < 256; i++) {
		s[0] = i;
		s[1] = '\0';
		lit = escaped(s);
		if (json_parse(lit, strlen(lit), &v, &e))
			fail_msg("byte 0x%02x: %s: %s", i, lit, e.msg);
		json_free(v);
		free(lit);
	}
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		n = 1 + (seed >> 16) % 32;
		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			s[j] = (char)(1 + (seed >> 16) % 255);
		}
		s[n] = '\0';
		lit = escaped(s);
		if (json_parse(lit, strlen(lit), &v, &e))
			fail_msg("%s: %u:%u: %s", lit, e.line, e.col, e.msg);
		json_free(v);
		free(lit);
	}
}

/* Truncation points: never inside a character. */
static void test_utf8_cut(void **state)
{
	static const struct { const char *s; size_t len, cut; } cases[] = {
		{ "abc", 3, 3 },
		{ "ab\xc3\xa9", 4, 4 },		/* whole */
		{ "ab\xc3\xa9", 3, 2 },		/* in the middle of e acute */
		{ "\xe2\x82\xac", 2, 0 },
		{ "\xe2\x82\xac", 1, 0 },
		{ "x\xf0\x9f\x98\x80", 4, 1 },
		{ "x\xf0\x9f\x98\x80", 5, 5 },
		{ "a\x80\x80", 3, 3 },		/* stray bytes are not a character to keep whole */
		{ "", 0, 0 },
	};
	uint32_t cp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (json_utf8_cut(cases[i].s, cases[i].len) != cases[i].cut)
			fail_msg("case %zu: %zu, expected %zu", i,
				 json_utf8_cut(cases[i].s, cases[i].len), cases[i].cut);
	assert_int_equal(json_utf8_char("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(json_utf8_char("\xe2\x82\xac", 2, &cp), 0);
	assert_int_equal(json_utf8_char("\xc1\xbf", 2, &cp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_any_bytes),
		cmocka_unit_test(test_utf8_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
