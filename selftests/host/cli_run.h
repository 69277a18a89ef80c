/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the CMocka tests of the smccc-bpf CLI (test_cli.c,
 * test_cli_migrate.c, test_cli_vm.c): run the CLI's main() in-process,
 * capture what it prints, look for text in it; write fixtures, remove the
 * scratch directory. Include after <cmocka.h> and "cli.h".
 */
#ifndef __SMCCC_TEST_CLI_RUN_H
#define __SMCCC_TEST_CLI_RUN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* __SMCCC_TEST_CLI_RUN_H */
