// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "harness.h"

char e2e_why[512];
bool e2e_failed;

void e2e_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (e2e_failed)		/* keep the first reason: later ones follow from it */
		return;
	e2e_failed = true;
	n = snprintf(e2e_why, sizeof(e2e_why), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(e2e_why + n, sizeof(e2e_why) - n, fmt, ap);
	va_end(ap);
}

static void run_one(const struct e2e_case *c, enum vmm_conduit conduit,
		    int *nr, int *passed, int *failed)
{
	char name[128];

	if (c->once)
		snprintf(name, sizeof(name), "%s", c->name);
	else
		snprintf(name, sizeof(name), "%s [%s]", c->name, conduit_name(conduit));

	e2e_failed = false;
	e2e_why[0] = '\0';
	c->fn(conduit);
	++*nr;
	if (e2e_failed) {
		++*failed;
		printf("not ok %d - %s: %s\n", *nr, name, e2e_why);
	} else {
		++*passed;
		printf("ok %d - %s\n", *nr, name);
	}
	fflush(stdout);
}

int e2e_run(const struct e2e_case *cases, int nr_cases, const char *filter)
{
	int i, nr = 0, passed = 0, failed = 0;

	for (i = 0; i < nr_cases; i++) {
		const struct e2e_case *c = &cases[i];

		if (filter && !strstr(c->name, filter))
			continue;
		run_one(c, VMM_HVC, &nr, &passed, &failed);
		if (!c->once)
			run_one(c, VMM_SMC, &nr, &passed, &failed);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed;
}
