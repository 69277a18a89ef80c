/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness for the booted tests, in the spirit of kselftest:
 * one "ok N - name" / "not ok N - name: why" line per case, a closing
 * "N passed, N failed" line, exit status 1 if anything failed.
 *
 * A case is a function run once per conduit (HVC and SMC) unless it says
 * otherwise; EXPECT() records the first failed expectation of the case
 * and carries on, ASSERT() also ends the case.
 */
#ifndef __SMCCC_E2E_HARNESS_H
#define __SMCCC_E2E_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "vmm.h"

struct e2e_case {
	const char *name;
	void (*fn)(enum vmm_conduit conduit);
	bool once;		/* conduit-independent: run once */
};

/* State of the case being run. */
extern char e2e_why[512];
extern bool e2e_failed;

void e2e_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define EXPECT(cond, fmt, ...)							\
	do {									\
		if (!(cond))							\
			e2e_fail(__FILE__, __LINE__, "%s: " fmt, #cond,	\
				 ##__VA_ARGS__);				\
	} while (0)

#define ASSERT(cond, fmt, ...)							\
	do {									\
		if (!(cond)) {							\
			e2e_fail(__FILE__, __LINE__, "%s: " fmt, #cond,	\
				 ##__VA_ARGS__);				\
			return;							\
		}								\
	} while (0)

#define EXPECT_EQ(a, b)								\
	EXPECT((a) == (b), "0x%llx != 0x%llx",					\
	       (unsigned long long)(a), (unsigned long long)(b))

#define ASSERT_EQ(a, b)								\
	ASSERT((a) == (b), "0x%llx != 0x%llx",					\
	       (unsigned long long)(a), (unsigned long long)(b))

/* Runs the cases whose name contains filter (all if NULL); returns failures. */
int e2e_run(const struct e2e_case *cases, int nr, const char *filter);

static inline const char *conduit_name(enum vmm_conduit c)
{
	return c == VMM_SMC ? "smc" : "hvc";
}

#endif /* __SMCCC_E2E_HARNESS_H */
