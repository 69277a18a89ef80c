// SPDX-License-Identifier: GPL-2.0
/*
 * The document of "smccc-bpf policy export/import" (loader/migrate_doc.c):
 * written by migrate_doc_write() (json_writer.c), read back by
 * migrate_doc_parse() (json_reader.c) unchanged, exact 64-bit counters
 * included; and every refusal of the reader, with its line and column.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "migrate_doc.h"
#include "smccc_bpf.h"

static const char source[] =
	"policy \"m\\u00e9\";\t# a \"quoted\" name, a tab, a backslash \\ and \xc3\xa9\n"
	"default handle;\n"
	"deny service trng limit 1/min burst 3;\n";

static void fill(struct migrate_doc *d, bool named)
{
	static struct migrate_counter counters[] = {
		{ 7, 0x84000000, SMCCC_BPF_ACT_HANDLE, 3, "psci.version" },
		{ 7, 0xc4000003, SMCCC_BPF_ACT_DENY, UINT64_MAX, "" },
		{ 7, 0x84000050, SMCCC_BPF_ACT_FWD_TO_USER, 9007199254740993ull, "trng.version" },
		{ 7, 0xffffffff, SMCCC_BPF_ACT_RETURN, 0, "" },
	};
	static struct migrate_bucket buckets[] = {
		{ 7, 1, 2, 3, 179999999999ull, 1234567 },
		{ 7, 4294967295u, 4294967295u, 4294967295u, UINT64_MAX, UINT64_MAX },
	};
	size_t i;

	memset(d, 0, sizeof(*d));
	d->exported = 1764000000;
	d->vm_id = 7;
	d->name = named ? "m\xc3\xa9" : NULL;
	d->permissive = named;
	d->file = "/var/lib/smccc-bpf/imported/x.policy";
	for (i = 0; i < 32; i++)
		d->sha256[i] = 0xa0 + i;
	d->source = (char *)source;
	d->source_len = strlen(source);
	d->counters = counters;
	d->nr_counters = 4;
	d->dropped[0] = 1;
	d->dropped[1] = UINT64_MAX;
	d->dropped[2] = 3;
	d->has_rate = named;
	d->buckets = named ? buckets : NULL;
	d->nr_buckets = named ? 2 : 0;
}

/* (not inlined: gcc takes the memstream's buffer for a dangling local) */
static __attribute__((noinline)) char *render(const struct migrate_doc *d, bool pretty,
					      size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct json_writer *jw = jw_new(f, pretty);

	migrate_doc_write(d, jw);
	jw_end_value(jw);
	jw_destroy(jw);
	fclose(f);
	return buf;
}

static void same(const struct migrate_doc *a, const struct migrate_doc *b)
{
	size_t i;

	assert_true(a->exported == b->exported);
	assert_int_equal(a->global, b->global);
	assert_true(a->vm_id == b->vm_id);
	if (a->name)
		assert_string_equal(a->name, b->name);
	else
		assert_null(b->name);
	assert_int_equal(a->permissive, b->permissive);
	assert_string_equal(a->file, b->file);
	assert_memory_equal(a->sha256, b->sha256, 32);
	assert_int_equal(a->source_len, b->source_len);
	assert_string_equal(a->source, b->source);
	assert_int_equal(a->nr_counters, b->nr_counters);
	for (i = 0; i < a->nr_counters; i++) {
		assert_true(a->counters[i].vm_id == b->counters[i].vm_id);
		assert_int_equal(a->counters[i].func_id, b->counters[i].func_id);
		assert_int_equal(a->counters[i].action, b->counters[i].action);
		assert_true(a->counters[i].calls == b->counters[i].calls);
	}
	assert_memory_equal(a->dropped, b->dropped, sizeof(a->dropped));
	assert_int_equal(a->has_rate, b->has_rate);
	assert_int_equal(a->nr_buckets, b->nr_buckets);
	for (i = 0; i < a->nr_buckets; i++)
		assert_memory_equal(&a->buckets[i], &b->buckets[i], sizeof(a->buckets[i]));
}

static void test_round_trip(void **state)
{
	struct migrate_doc d, back;
	char err[256];
	int named, pretty;
	size_t len;
	char *text;

	(void)state;
	for (named = 0; named < 2; named++)
		for (pretty = 0; pretty < 2; pretty++) {
			fill(&d, named);
			text = render(&d, pretty, &len);
			if (migrate_doc_parse(text, len, &back, err, sizeof(err)))
				fail_msg("%s\n%s", err, text);
			same(&d, &back);
			if (named) {
				assert_non_null(strstr(text, "\"rate_buckets\""));
				assert_non_null(strstr(text, "18446744073709551615"));
				assert_non_null(strstr(text, "\"func_id\":") );
				assert_non_null(strstr(text, "\"0xc4000003\""));
				assert_non_null(strstr(text, "\"function\":"));
			} else {
				assert_non_null(strstr(text, pretty ? "\"rate_buckets\": null" :
						       "\"rate_buckets\":null"));
				assert_non_null(strstr(text, pretty ? "\"name\": null" :
						       "\"name\":null"));
			}
			migrate_doc_free(&back);
			free(text);
		}
}

/* The document with the first occurrence of from replaced by to. */
static char *edit(const char *from, const char *to)
{
	struct migrate_doc d;
	char *text, *at, *out;
	size_t len, off, n;

	fill(&d, true);
	text = render(&d, true, &len);
	at = strstr(text, from);
	if (!at)
		fail_msg("no '%s' in\n%s", from, text);
	off = at - text;
	n = strlen(to);
	out = malloc(len - strlen(from) + n + 1);
	assert_non_null(out);
	memcpy(out, text, off);
	memcpy(out + off, to, n);
	strcpy(out + off + n, text + off + strlen(from));
	free(text);
	return out;
}

/* The edited document fails at line:col with msg. */
static void refused(const char *from, const char *to, const char *where, const char *msg)
{
	struct migrate_doc d;
	char err[256], *text = edit(from, to);

	memset(&d, 0x5a, sizeof(d));
	assert_int_equal(migrate_doc_parse(text, strlen(text), &d, err, sizeof(err)), -22);
	if (strncmp(err, where, strlen(where)) || !strstr(err, msg))
		fail_msg("'%s' -> '%s': got '%s', expected '%s ...%s...'", from, to, err, where, msg);
	assert_null(d.counters);	/* freed and zeroed */
	free(text);
}

static void test_refusals(void **state)
{
	(void)state;
	/* The layout, pretty: line 2 "format", 3 "version", ... */
	refused("\"smccc-bpf-export\"", "\"other\"", "2:13:", "format: expected \"smccc-bpf-export\"");
	refused("\"version\": 1", "\"version\": 2", "3:14:", "version 2 is not supported");
	refused("\"version\": 1", "\"version\": \"1\"", "3:14:", "version: expected a number, found a string");
	refused("\"version\": 1", "\"vers\": 1", "1:1:", "document: missing member \"version\"");
	refused("\"exported\"", "\"exported_at\"", "4:18:", "document: unknown member \"exported_at\"");
	refused("\"global\": false", "\"global\": 0", "6:15:", "from.global: expected a boolean, found a number");
	refused("\"vm_id\": 7\n  }", "\"vm_id\": -7\n  }", "7:14:", "from.vm_id: expected an unsigned integer");
	refused("\"mode\": \"permissive\"", "\"mode\": \"strict\"", "11:13:", "expected \"enforce\" or \"permissive\"");
	refused("\"name\": \"m\xc3\xa9\"", "\"name\": 1", "10:13:", "policy.name: expected a string or null");
	refused("\"sha256\": \"a0", "\"sha256\": \"A0", "13:15:", "64 lower-case hex digits");
	refused("\"func_id\": \"0x84000000\"", "\"func_id\": 2214592512", "19:18:",
		"counters[0].func_id: expected a string, found a number");
	refused("\"func_id\": \"0x84000000\"", "\"func_id\": \"0x184000000\"", "19:18:",
		"counters[0].func_id: expected a 32-bit function ID");
	refused("\"action\": \"deny\"", "\"action\": \"log\"", "27:17:",
		"counters[1].action: expected \"handle\", \"deny\", \"forward\" or \"return\", found \"log\"");
	refused("\"func_id\": \"0xc4000003\",\n      \"action\": \"deny\"",
		"\"func_id\": \"0x84000000\",\n      \"action\": \"handle\"", "24:5:",
		"counters[1]: the same VM, function and action as counters[0]");
	refused("\"calls\": 18446744073709551615", "\"calls\": 18446744073709551616", "28:16:",
		"counters[1].calls: expected an unsigned integer (0 to 2^64 - 1), found 18446744073709551616");
	refused("\"rule_index\": 4294967295", "\"rule_index\": 4294967296", "60:21:",
		"rate_buckets[1].rule_index: 4294967296 is out of range (at most 4294967295)");
	refused("\"rule_index\": 4294967295", "\"rule_index\": 1", "58:5:",
		"rate_buckets[1]: the same VM and rule index as rate_buckets[0]");
	refused("\"rate\": 3", "\"rate\": 3, \"extra\": 0", "47:25:", "dropped: unknown member \"extra\"");
	refused("\"rate_buckets\": [", "\"rate_buckets\": {\"a\": 1}, \"x\": [", "49:34:",
		"document: unknown member \"x\"");
	refused("\"calls\": 3\n", "\"calls\": 3,\n", "23:5:", "no trailing commas");
}

/*
 * A full stats map's worth of counters (65536) reads back; two with the
 * same key anywhere in the array are refused, naming both.
 */
static void test_many_counters(void **state)
{
	enum { N = 65536 };
	struct migrate_counter *c = calloc(N, sizeof(*c));
	struct migrate_doc d, back;
	char err[256];
	size_t len, i;
	char *text;

	(void)state;
	assert_non_null(c);
	fill(&d, false);
	for (i = 0; i < N; i++) {
		c[i].vm_id = 7;
		c[i].func_id = 0x82000000u + (uint32_t)(i / 4);
		c[i].action = i % 4;
		c[i].calls = i;
	}
	d.counters = c;
	d.nr_counters = N;
	text = render(&d, false, &len);
	if (migrate_doc_parse(text, len, &back, err, sizeof(err)))
		fail_msg("%s", err);
	same(&d, &back);
	migrate_doc_free(&back);
	free(text);

	c[60000] = c[5];
	text = render(&d, false, &len);
	assert_int_equal(migrate_doc_parse(text, len, &back, err, sizeof(err)), -EINVAL);
	if (!strstr(err, "counters[60000]: the same VM, function and action as counters[5]"))
		fail_msg("unexpected error: %s", err);
	migrate_doc_free(&back);
	free(text);
	free(c);
}

static void test_truncated(void **state)
{
	struct migrate_doc d;
	char err[256], *text;
	size_t len, cut;

	(void)state;
	fill(&d, true);
	text = render(&d, true, &len);
	/* Every cut of the document is refused, with a position, never a crash. */
	for (cut = 0; cut < len - 1; cut++) {
		if (!migrate_doc_parse(text, cut, &d, err, sizeof(err)))
			fail_msg("a document cut at %zu of %zu bytes was read", cut, len);
		assert_non_null(strchr(err, ':'));
	}
	/* the last newline is only white space */
	assert_int_equal(migrate_doc_parse(text, len - 1, &d, err, sizeof(err)), 0);
	migrate_doc_free(&d);
	assert_int_equal(migrate_doc_parse(text, len / 2, &d, err, sizeof(err)), -22);
	free(text);
	assert_int_equal(migrate_doc_parse("[1]", 3, &d, err, sizeof(err)), -22);
	assert_string_equal(err, "1:1: expected an object (an smccc-bpf export), found an array");
	assert_int_equal(migrate_doc_parse("{\"a\":\n  tru}", 12, &d, err, sizeof(err)), -22);
	assert_string_equal(err, "2:3: expected 'true'");
}

static void test_actions(void **state)
{
	(void)state;
	assert_string_equal(migrate_action_name(SMCCC_BPF_ACT_FWD_TO_USER), "forward");
	assert_null(migrate_action_name(SMCCC_BPF_NR_ACTIONS));
	assert_int_equal(migrate_action_parse("return"), SMCCC_BPF_ACT_RETURN);
	assert_int_equal(migrate_action_parse("log"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_many_counters),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_actions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
