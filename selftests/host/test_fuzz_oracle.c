// SPDX-License-Identifier: GPL-2.0
/*
 * The guest fuzzer's oracle (selftests/fuzz/fuzz_oracle.c) against the
 * kernel's documented ceiling, case by case: the rows of the precedence
 * table and of the discovery table in Documentation/virt/kvm/arm/
 * smccc-bpf.rst, the calls that never reach a policy, the reserved calls,
 * 32-bit arguments, rate limits and `discovery hide-denied`. The booted
 * fuzzer trusts these predictions; a wrong one would make it report the
 * kernel wrong (or miss a kernel bug), so each is pinned here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "smccc_bpf.h"
#include "policy_compile.h"
#include "fuzz_oracle.h"

#define NS		SMCCC_BPF_RET_NOT_SUPPORTED
#define HVC		SMCCC_BPF_CONDUIT_HVC
#define SMC		SMCCC_BPF_CONDUIT_SMC
#define PSCI_VERSION	0x84000000u
#define PSCI_CPU_ON	0x84000003u
#define TRNG_VERSION	0x84000050u
#define KVM_PTP		0x86000001u
#define SIP_FN		0x82000001u

struct world {
	struct smccc_compiled c;
	struct fuzz_oracle o;
};

static void load(struct world *w, const char *text, bool exits)
{
	struct policy_diags diags;
	int err;

	memset(w, 0, sizeof(*w));
	memset(&diags, 0, sizeof(diags));
	err = policy_compile_text("t.policy", text, strlen(text), &w->c, NULL, &diags);
	if (err)
		fprintf(stderr, "%s", policy_diags_text(&diags));
	policy_diags_free(&diags);
	assert_int_equal(err, 0);
	assert_int_equal(fuzz_oracle_init(&w->o, &w->c, exits), 0);
}

static void unload(struct world *w)
{
	fuzz_oracle_free(&w->o);
	smccc_compiled_free(&w->c);
}

static struct policy_call mk(uint32_t func_id, uint8_t conduit, uint64_t x1)
{
	struct policy_call c;

	memset(&c, 0, sizeof(c));
	c.func_id = func_id;
	c.conduit = conduit;
	c.args[0] = x1;
	return c;
}

static void expect_regs(struct world *w, uint32_t func_id, uint64_t x0, uint64_t x1)
{
	struct policy_call c = mk(func_id, HVC, 0);
	struct fuzz_expect e;

	assert_int_equal(fuzz_oracle_call(&w->o, &c, 0, &e), 0);
	assert_int_equal(e.kind, FUZZ_REGS);
	assert_true(e.reached);
	assert_int_equal(e.x[0], x0);
	assert_int_equal(e.x[1], x1);
}

/* What the guest gets for a reference answer ref (one call, vCPU 0, HVC #0). */
static void adjusted(struct world *w, struct policy_call c, const uint64_t ref[4],
		     uint64_t out[4])
{
	struct fuzz_expect e;

	assert_int_equal(fuzz_oracle_call(&w->o, &c, 0, &e), 0);
	assert_int_equal(e.kind, FUZZ_REFERENCE);
	fuzz_oracle_adjust(&w->o, &c, &e, ref, out);
}

static void test_actions(void **state)
{
	struct policy_call c = mk(SIP_FN, HVC, 0);
	struct fuzz_expect e;
	struct world w;

	(void)state;
	load(&w, "deny id 0x82000001; return 1, 2 id 0x82000002; forward id 0x82000003;"
		 "handle id 0x82000004;", false);
	expect_regs(&w, SIP_FN, NS, 0);
	expect_regs(&w, SIP_FN + 1, 1, 2);
	/* An exit the VMM did not ask for is a deny. */
	expect_regs(&w, SIP_FN + 2, NS, 0);
	c.func_id = SIP_FN + 3;
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_int_equal(e.kind, FUZZ_REFERENCE);
	assert_false(e.discovery);
	unload(&w);

	load(&w, "forward id 0x82000003;", true);
	c.func_id = SIP_FN + 2;
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_int_equal(e.kind, FUZZ_FORWARD);
	unload(&w);
}

/* RETURN of a PSCI function PSCI 1.1 lacks (0x15..0x1f) is a deny; 0x14 is kept. */
static void test_psci_version_lacks(void **state)
{
	struct world w;

	(void)state;
	load(&w, "return 7 range 0x84000014-0x84000015; return 8 id 0xc400001f;", false);
	expect_regs(&w, 0x84000014, 7, 0);
	expect_regs(&w, 0x84000015, NS, 0);
	expect_regs(&w, 0xc400001f, NS, 0);
	unload(&w);
}

/* Never dispatched to the policy: SMC #imm != 0, and the workarounds' HVC fast path. */
static void test_not_reached(void **state)
{
	struct policy_call c;
	struct fuzz_expect e;
	struct world w;

	(void)state;
	load(&w, "default deny;", false);
	c = mk(SIP_FN, SMC, 0);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 1, &e), 0);
	assert_false(e.reached);
	assert_int_equal(e.kind, FUZZ_REFERENCE);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_true(e.reached);
	assert_int_equal(e.kind, FUZZ_REGS);

	c = mk(0x80008000u, HVC, 0);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0x1234, &e), 0);
	assert_false(e.reached);
	c = mk(0x80008000u, SMC, 0);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_true(e.reached);		/* an SMC goes through the handler */
	assert_true(e.reserved);
	assert_int_equal(e.kind, FUZZ_REFERENCE);
	unload(&w);
}

/* PSCI_FEATURES about an arch function is KVM's answer, whatever the policy. */
static void test_reserved(void **state)
{
	static const uint64_t ref[4] = { 0, 0, 0, 0 };
	struct policy_call c;
	struct fuzz_expect e;
	uint64_t out[4];
	struct world w;

	(void)state;
	load(&w, "discovery hide-denied; return NOT_SUPPORTED function psci.features;", false);
	c = mk(0x8400000au, HVC, 0x80000000u);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_true(e.reserved);
	fuzz_oracle_adjust(&w.o, &c, &e, ref, out);
	assert_int_equal(out[0], 0);
	/* About PSCI_VERSION it is a discovery call: NOT_SUPPORTED hides. */
	adjusted(&w, mk(0x8400000au, HVC, PSCI_VERSION), ref, out);
	assert_int_equal(out[0], NS);
	unload(&w);
}

/* The discovery table: only what hides is kept from a RETURN. */
static void test_discovery_return(void **state)
{
	uint64_t ref[4] = { 0x10001, 0, 0, 0 }, out[4];
	struct world w;

	(void)state;
	load(&w, "return 0x10000 function psci.version;", false);
	adjusted(&w, mk(PSCI_VERSION, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x10000);
	unload(&w);
	load(&w, "return 0x20000 function psci.version;", false);
	adjusted(&w, mk(PSCI_VERSION, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x10001);	/* higher: KVM's */
	unload(&w);
	load(&w, "return 0x10002 function psci.version;", false);
	adjusted(&w, mk(PSCI_VERSION, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x10001);	/* not a version KVM implements */
	unload(&w);

	ref[0] = 0x10000;
	load(&w, "return NOT_SUPPORTED function trng.version;", false);
	adjusted(&w, mk(TRNG_VERSION, HVC, 0), ref, out);
	assert_int_equal(out[0], NS);
	unload(&w);
	load(&w, "return 0x20000 function trng.version;", false);
	adjusted(&w, mk(TRNG_VERSION, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x10000);
	unload(&w);

	/* The bitmap: KVM's bits the policy kept; x1..x3 of the others stay KVM's. */
	ref[0] = 0x3;
	ref[1] = 0x10;
	load(&w, "return 0x1, 0, 0xff, 0xff service vendor-hyp;", false);
	adjusted(&w, mk(SMCCC_BPF_KVM_FEATURES, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x1);
	assert_int_equal(out[1], 0);
	unload(&w);
	load(&w, "return 0, 5 function psci.features;", false);
	adjusted(&w, mk(SMCCC_BPF_PSCI_FEATURES, HVC, PSCI_CPU_ON), ref, out);
	assert_int_equal(out[0], 0x3);		/* 0 is not NOT_SUPPORTED: nothing hidden */
	assert_int_equal(out[1], 0x10);
	unload(&w);
}

static void test_hide_denied(void **state)
{
	uint64_t ref[4] = { 0x3, 0, 0, 0 }, out[4];
	struct policy_call q = mk(0, HVC, 0);
	struct world w;

	(void)state;
	load(&w, "discovery hide-denied; deny function kvm.ptp; deny function psci.cpu_on "
		 "if conduit == smc;", false);
	adjusted(&w, mk(SMCCC_BPF_KVM_FEATURES, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x1);		/* bit 1, ptp_kvm, hidden */
	ref[0] = 0;
	adjusted(&w, mk(SMCCC_BPF_PSCI_FEATURES, HVC, PSCI_CPU_ON), ref, out);
	assert_int_equal(out[0], 0);		/* denied over SMC only */
	adjusted(&w, mk(SMCCC_BPF_PSCI_FEATURES, SMC, PSCI_CPU_ON), ref, out);
	assert_int_equal(out[0], NS);
	ref[0] = NS;				/* absent already: stays so */
	adjusted(&w, mk(SMCCC_BPF_PSCI_FEATURES, SMC, PSCI_CPU_ON), ref, out);
	assert_int_equal(out[0], NS);
	assert_true(fuzz_oracle_hides(&w.o, &q, KVM_PTP));
	assert_false(fuzz_oracle_hides(&w.o, &q, PSCI_CPU_ON));
	unload(&w);

	/* ARCH_FEATURES is KVM's, but about PV time it is discovery: hidden. */
	load(&w, "discovery hide-denied; deny service std-hyp if x6 < 1;", false);
	ref[0] = 0;
	adjusted(&w, mk(0x80000001u, SMC, 0xc5000020u), ref, out);
	assert_int_equal(out[0], NS);
	adjusted(&w, mk(0x80000001u, SMC, 0x80008000u), ref, out);
	assert_int_equal(out[0], 0);		/* about an arch function: never */
	unload(&w);

	/* Permissive: nothing hidden. */
	load(&w, "mode permissive; discovery hide-denied; deny function kvm.ptp;", false);
	ref[0] = 0x3;
	adjusted(&w, mk(SMCCC_BPF_KVM_FEATURES, HVC, 0), ref, out);
	assert_int_equal(out[0], 0x3);
	unload(&w);
}

/* A bucket starts full; peek takes nothing; over the limit the then-action decides. */
static void test_rate_limit(void **state)
{
	struct policy_call c = mk(SIP_FN, HVC, 0);
	struct fuzz_expect e;
	struct world w;
	int i;

	(void)state;
	load(&w, "return 1 id 0x82000001 limit 1/min burst 2 then deny;", false);
	for (i = 0; i < 3; i++)
		assert_int_equal(fuzz_oracle_peek(&w.o, &c, 0, &e), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
		assert_int_equal(e.x[0], 1);
		assert_int_equal(e.refills_after_ns, 0);
	}
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_true(e.d.over_limit);
	assert_int_equal(e.x[0], NS);
	assert_int_equal(e.refills_after_ns, 60000000000ull);
	unload(&w);
}

/* x1..x17 of an SMC32/HVC32 call are matched with their upper halves cleared. */
static void test_32bit_args(void **state)
{
	struct world w;
	struct policy_call c;
	struct fuzz_expect e;

	(void)state;
	load(&w, "deny id 0x82000001 if x1 == 0x5; deny id 0xc2000001 if x1 == 0x5;", false);
	c = mk(SIP_FN, HVC, 0xffffffff00000005ull);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_int_equal(e.kind, FUZZ_REGS);
	c = mk(0xc2000001u, HVC, 0xffffffff00000005ull);
	assert_int_equal(fuzz_oracle_call(&w.o, &c, 0, &e), 0);
	assert_int_equal(e.kind, FUZZ_REFERENCE);	/* 64-bit: no match, handled */
	unload(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_psci_version_lacks),
		cmocka_unit_test(test_not_reached),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_discovery_return),
		cmocka_unit_test(test_hide_denied),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_32bit_args),
	};

	return cmocka_run_group_tests_name("fuzz_oracle", tests, NULL, NULL);
}
