// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "stress_util.h"

static int passed, failed;

void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", passed + failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

void check_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", passed + failed + 1, what, why);
	fflush(stdout);
	passed++;
}

int check_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

static int count_ids(int (*next)(__u32, __u32 *))
{
	__u32 id = 0;
	int n = 0;

	while (!next(id, &id))
		n++;
	return n;
}

int bpf_prog_count(void)
{
	return count_ids(bpf_prog_get_next_id);
}

int bpf_map_count(void)
{
	return count_ids(bpf_map_get_next_id);
}

int bpf_link_count(void)
{
	return count_ids(bpf_link_get_next_id);
}

#define KMEMLEAK	"/sys/kernel/debug/kmemleak"

bool kmemleak_present(void)
{
	return !access(KMEMLEAK, F_OK);
}

static int command(const char *cmd)
{
	FILE *f = fopen(KMEMLEAK, "w");

	if (!f)
		return -1;
	fputs(cmd, f);
	return fclose(f) ? -1 : 0;
}

void kmemleak_clear(void)
{
	command("clear");
}

int kmemleak_leaks(char *first, size_t len)
{
	char line[256];
	int i, leaks = 0;
	FILE *f;

	/* An object is reported once two scans found it unreferenced. */
	for (i = 0; i < 2; i++)
		if (command("scan"))
			return -1;
	f = fopen(KMEMLEAK, "r");
	if (!f)
		return -1;
	first[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "unreferenced object", 19))
			continue;
		if (!leaks++)
			snprintf(first, len, "%s", line);
	}
	fclose(f);
	return leaks;
}
