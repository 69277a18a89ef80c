/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the CMocka tests of the smccc-bpf CLI (test_cli.c,
 * test_cli_migrate.c, test_cli_vm.c): run the CLI's main() in-process,
 * capture what it prints, look for text in it; check that JSON output is
 * JSON (with the CLI's own reader) and text output safe for a terminal;
 * write fixtures, remove the scratch directory. Include after <cmocka.h>
 * and "cli.h".
 */
#ifndef __SMCCC_TEST_CLI_RUN_H
#define __SMCCC_TEST_CLI_RUN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"

struct run {
	int rc;
	char *out;
	char *err;
};

static struct run R;

static void run_free(void)
{
	free(R.out);
	free(R.err);
	memset(&R, 0, sizeof(R));
}

/* Runs "smccc-bpf ARGS..." (NULL-terminated); results in R. */
static int run(const char *first, ...)
{
	char *argv[64];
	size_t olen, elen;
	FILE *out, *err;
	va_list ap;
	int argc = 0;
	const char *a;

	run_free();
	argv[argc++] = "smccc-bpf";
	va_start(ap, first);
	for (a = first; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	out = open_memstream(&R.out, &olen);
	err = open_memstream(&R.err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	R.rc = smccc_bpf_main(argc, argv, out, err);
	fclose(out);
	fclose(err);
	return R.rc;
}

/* Writes text to path (a test's fixture). */
static __attribute__((unused)) void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Writes len bytes (NULs and all) to path. */
static __attribute__((unused)) void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A teardown: the run's buffers and the scratch directory dir go. */
static __attribute__((unused)) int run_teardown(const char *dir)
{
	char cmd[4300];

	run_free();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

#define assert_contains(hay, needle)						\
	do {									\
		if (!strstr((hay), (needle)))					\
			fail_msg("expected \"%s\" in:\n%s", (needle), (hay));	\
	} while (0)

#define assert_not_contains(hay, needle)					\
	do {									\
		if (strstr((hay), (needle)))					\
			fail_msg("did not expect \"%s\" in:\n%s", (needle), (hay)); \
	} while (0)

/*
 * Every line of out is one JSON value that the CLI's own strict reader
 * takes (valid UTF-8, no raw control characters); returns how many. With
 * whole, out is one value, on as many lines as it likes (-p).
 */
static __attribute__((unused)) size_t json_values(const char *out, bool whole)
{
	const char *p = out, *nl;
	struct json_value *v;
	struct json_error e;
	size_t n = 0, len;

	while (*p) {
		nl = whole ? p + strlen(p) : strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (json_parse(p, len, &v, &e))
			fail_msg("not JSON at %u:%u (%s):\n%.*s", e.line, e.col, e.msg, (int)len, p);
		json_free(v);
		n++;
		p += len;
		if (*p == '\n')
			p++;
	}
	return n;
}

/* The "error" of a JSON error object (R.out of a run with -j), decoded; malloc'ed. */
static __attribute__((unused)) char *json_error_msg(const char *out)
{
	const struct json_value *m;
	struct json_value *v;
	struct json_error e;
	char *msg;

	if (json_parse(out, strlen(out), &v, &e))
		fail_msg("not one JSON value at %u:%u (%s):\n%s", e.line, e.col, e.msg, out);
	m = json_get(v, "error");
	if (!m || m->type != JSON_STRING || !json_get(v, "exit"))
		fail_msg("not an error object: %s", out);
	msg = strdup(m->str);
	json_free(v);
	return msg;
}

/*
 * Text a terminal shows as it is: no C0 control but \n (and \t if
 * tabs), no DEL, no C1 control (U+0080-U+009F), no bidirectional
 * override or isolate.
 */
static __attribute__((unused)) void assert_terminal_safe(const char *s, bool tabs)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; u[i]; i++) {
		if ((u[i] < 0x20 && u[i] != '\n' && !(tabs && u[i] == '\t')) || u[i] == 0x7f)
			fail_msg("raw byte 0x%02x at %zu of:\n%s", u[i], i, s);
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			fail_msg("raw C1 control at %zu of:\n%s", i, s);
		if (u[i] == 0xe2 && ((u[i + 1] == 0x80 && u[i + 2] >= 0xaa && u[i + 2] <= 0xae) ||
				     (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			fail_msg("raw bidirectional control at %zu of:\n%s", i, s);
	}
}

#endif /* __SMCCC_TEST_CLI_RUN_H */
