// SPDX-License-Identifier: GPL-2.0
/*
 * Pinned guest ABIs (loader/policy_baseline.c): the table agrees with the
 * named functions of policy_services.c, releases only ever add functions,
 * names and aliases resolve, and each baseline's policy compiles and
 * decides, by the reference evaluator, what that release's KVM offered.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "policy_baseline.h"
#include "policy_compile.h"
#include "policy_eval.h"
#include "policy_services.h"

static const struct smccc_baseline *baseline(const char *name)
{
	const struct smccc_baseline *b = smccc_baseline_find(name);

	if (!b)
		fail_msg("no baseline '%s'", name);
	return b;
}

/* ---- the table ---------------------------------------------------------------- */

static const struct smccc_baseline_fn *table_fn(const char *name)
{
	const struct smccc_baseline_fn *fns;
	size_t i, n;

	fns = smccc_baseline_fns(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(fns[i].name, name))
			return &fns[i];
	return NULL;
}

/* Every row is a function of the services table that KVM handles, with its IDs. */
static void test_names_resolve(void **state)
{
	const struct smccc_baseline_fn *fns;
	const struct smccc_function *sf;
	size_t i, j, n, nsf;
	uint32_t ids[2];
	int nids;

	(void)state;
	fns = smccc_baseline_fns(&n);
	sf = smccc_functions(&nsf);
	assert_true(n > 20);
	for (i = 0; i < n; i++) {
		nids = smccc_function_ids(fns[i].name, ids);
		if (!nids)
			fail_msg("%s is not a function of policy_services.c", fns[i].name);
		assert_int_equal(nids, (fns[i].id32 != 0) + (fns[i].id64 != 0));
		assert_int_equal(ids[0], fns[i].id32 ? fns[i].id32 : fns[i].id64);
		if (nids == 2)
			assert_int_equal(ids[1], fns[i].id64);
		for (j = 0; j < nsf && strcmp(sf[j].name, fns[i].name); j++)
			;
		assert_true(j < nsf);
		if (!sf[j].kvm)
			fail_msg("%s: policy_services.c says KVM does not handle it", fns[i].name);
		/* arch rows are exactly the architecture range */
		assert_int_equal(fns[i].arch, (ids[0] & 0xbfff0000u) == 0x80000000u);
		assert_non_null(fns[i].commit);
		assert_non_null(fns[i].file);
		assert_true(fns[i].since >= SMCCC_KVER(3, 16));
		assert_true(fns[i].since <= smccc_baseline_latest()->kver);
		for (j = 0; j < i; j++)
			if (!strcmp(fns[j].name, fns[i].name))
				fail_msg("%s twice", fns[i].name);
	}
	/* ... and every function KVM handles has a row. */
	for (j = 0; j < nsf; j++)
		if (sf[j].kvm && !table_fn(sf[j].name))
			fail_msg("%s: KVM handles it, the baseline table lacks it", sf[j].name);
}

/* A function one release offers, every later one offers too. */
static void test_monotonic(void **state)
{
	const struct smccc_baseline_fn *fns;
	const struct smccc_baseline *bs;
	size_t i, j, k, n, nb;

	(void)state;
	fns = smccc_baseline_fns(&n);
	bs = smccc_baselines(&nb);
	assert_int_equal(nb, 5);
	assert_ptr_equal(smccc_baseline_latest(), &bs[nb - 1]);
	for (j = 1; j < nb; j++) {
		assert_true(bs[j - 1].kver < bs[j].kver);
		assert_true(smccc_baseline_psci_version(&bs[j - 1], NULL) <=
			    smccc_baseline_psci_version(&bs[j], NULL));
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < nb; j++)
			for (k = j + 1; k < nb; k++)
				if (smccc_baseline_offers(&bs[j], &fns[i]) &&
				    !smccc_baseline_offers(&bs[k], &fns[i]))
					fail_msg("%s: offered by %s, not by %s", fns[i].name,
						 bs[j].name, bs[k].name);
		assert_true(smccc_baseline_offers(smccc_baseline_latest(), &fns[i]));
		if (fns[i].arch)
			assert_true(smccc_baseline_offers(&bs[0], &fns[i]));
	}
}

/* The release facts the table was checked against (docs/baselines.md). */
static void test_facts(void **state)
{
	static const struct {
		const char *name;
		unsigned int since;
	} facts[] = {
		{ "psci.features", SMCCC_KVER(4, 16) },
		{ "pvtime.st", SMCCC_KVER(5, 5) },
		{ "trng.rnd", SMCCC_KVER(5, 12) },
		{ "kvm.uid", SMCCC_KVER(5, 13) },
		{ "kvm.ptp", SMCCC_KVER(5, 13) },
		{ "psci.system_reset2", SMCCC_KVER(5, 18) },
		{ "psci.system_suspend", SMCCC_KVER(5, 19) },
		{ "smccc.arch_workaround_3", SMCCC_KVER(5, 17) },
	};
	char kv[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		const struct smccc_baseline_fn *f = table_fn(facts[i].name);

		assert_non_null(f);
		if (f->since != facts[i].since)
			fail_msg("%s: since %s", facts[i].name,
				 smccc_kver_format(f->since, kv, sizeof(kv)));
	}
	assert_int_equal(smccc_baseline_psci_version(baseline("5.15"), NULL), 0x10000);
	assert_int_equal(smccc_baseline_psci_version(baseline("6.1"), NULL), 0x10001);
	assert_string_equal(smccc_kver_format(SMCCC_KVER(6, 12), kv, sizeof(kv)), "6.12");
}

static void test_find(void **state)
{
	static const char *const unknown[] = {
		"", "v", "linux-", "5.11", "5.1", "6.12.1", "6.12 ", "V5.10", "vv5.10",
		"linux-v5.10", "latest", "list",
	};
	char names[128];
	size_t i;

	(void)state;
	assert_string_equal(baseline("5.10")->name, "5.10");
	assert_ptr_equal(smccc_baseline_find("v5.10"), baseline("5.10"));
	assert_ptr_equal(smccc_baseline_find("linux-5.10"), baseline("5.10"));
	assert_ptr_equal(smccc_baseline_find("v6.12"), smccc_baseline_latest());
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		if (smccc_baseline_find(unknown[i]))
			fail_msg("'%s' found", unknown[i]);
	assert_null(smccc_baseline_find(NULL));
	assert_string_equal(smccc_baseline_names(names, sizeof(names)),
			    "5.10, 5.15, 6.1, 6.6, 6.12");
	/* Truncated, still terminated. */
	assert_string_equal(smccc_baseline_names(names, 7), "5.10, ");
}

/* ---- the generated policies ---------------------------------------------------- */

struct built {
	char *text;
	struct smccc_compiled c;
};

static void build(const char *name, struct built *out)
{
	struct policy_diags d = { 0 };
	char *pname = NULL, want[32];

	out->text = smccc_baseline_policy(baseline(name));
	assert_non_null(out->text);
	if (policy_compile_text("baseline.policy", out->text, strlen(out->text), &out->c, &pname,
				&d))
		fail_msg("baseline %s does not compile:\n%s\n%s", name, policy_diags_text(&d),
			 out->text);
	if (d.warnings)
		fail_msg("baseline %s: warnings:\n%s", name, policy_diags_text(&d));
	snprintf(want, sizeof(want), "baseline-%s", baseline(name)->name);
	assert_non_null(pname);
	assert_string_equal(pname, want);
	assert_int_equal(out->c.config.default_action, SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(out->c.config.discovery, SMCCC_POLICY_DISCOVERY_HIDE_DENIED);
	assert_int_equal(out->c.config.permissive, 0);
	policy_diags_free(&d);
	free(pname);
}

static void drop(struct built *b)
{
	smccc_compiled_free(&b->c);
	free(b->text);
}

static struct policy_decision decide(const struct built *b, uint32_t id)
{
	struct policy_decision d;
	struct policy_call k;

	memset(&k, 0, sizeof(k));
	k.func_id = id;
	k.conduit = SMCCC_BPF_CONDUIT_HVC;
	assert_int_equal(policy_eval(&b->c, &k, 0, &d), 0);
	return d;
}

/* Every ID of the named function gets action (and, for RETURN, x0). */
static void expect(const struct built *b, const char *fn, uint8_t action, uint64_t x0)
{
	struct policy_decision d;
	uint32_t ids[2];
	int i, n = smccc_function_ids(fn, ids);

	if (!n)
		fail_msg("no function %s", fn);
	for (i = 0; i < n; i++) {
		d = decide(b, ids[i]);
		if (d.action != action)
			fail_msg("%s 0x%08x: action %u, expected %u", fn, ids[i], d.action, action);
		if (action == SMCCC_BPF_ACT_RETURN)
			assert_int_equal(d.ret[0], x0);
	}
}

static void expect_list(const struct built *b, const char *const *fns, uint8_t action)
{
	for (; *fns; fns++)
		expect(b, *fns, action, 0);
}

static void test_compiles(void **state)
{
	const struct smccc_baseline *bs;
	struct built b;
	size_t j, nb;

	(void)state;
	bs = smccc_baselines(&nb);
	for (j = 0; j < nb; j++) {
		build(bs[j].name, &b);
		drop(&b);
	}
}

/* Everything the table says 5.10's KVM handled, and only that. */
static void test_decisions_510(void **state)
{
	static const char *const hidden[] = {
		"trng.version", "trng.features", "trng.get_uuid", "trng.rnd", "trng.rnd32",
		"trng.rnd64", "kvm.ptp", "kvm.uid", "kvm.features", "psci.system_reset2",
		"psci.system_suspend", NULL,
	};
	static const char *const kept[] = {
		"psci.cpu_on", "psci.cpu_off", "psci.cpu_suspend", "psci.affinity_info",
		"psci.features", "psci.system_reset", "psci.system_off", "psci.migrate_info_type",
		"pvtime.features", "pvtime.st", NULL,
	};
	struct built b;

	(void)state;
	build("v5.10", &b);
	expect_list(&b, hidden, SMCCC_BPF_ACT_DENY);
	expect_list(&b, kept, SMCCC_BPF_ACT_HANDLE);
	expect(&b, "psci.version", SMCCC_BPF_ACT_RETURN, 0x10000);
	/* The architecture range stays KVM's. */
	assert_int_equal(decide(&b, 0x80000000).lookup, POLICY_LOOKUP_ARCH);
	assert_int_equal(decide(&b, 0x80003fff).action, SMCCC_BPF_ACT_HANDLE);
	/* What no KVM handles is left to KVM (which says NOT_SUPPORTED). */
	assert_int_equal(decide(&b, 0xc2000001).action, SMCCC_BPF_ACT_HANDLE);
	drop(&b);
}

static void test_decisions_515(void **state)
{
	static const char *const hidden[] = {
		"psci.system_reset2", "psci.system_suspend", NULL,
	};
	static const char *const kept[] = {
		"trng.version", "trng.features", "trng.get_uuid", "trng.rnd", "kvm.ptp",
		"kvm.uid", "kvm.features", "psci.cpu_on", "psci.features", "pvtime.st", NULL,
	};
	struct built b;

	(void)state;
	build("linux-5.15", &b);
	expect_list(&b, hidden, SMCCC_BPF_ACT_DENY);
	expect_list(&b, kept, SMCCC_BPF_ACT_HANDLE);
	expect(&b, "psci.version", SMCCC_BPF_ACT_RETURN, 0x10000);
	drop(&b);
}

/* 6.1 to 6.12 handle the same functions and report PSCI 1.1: nothing to hide. */
static void test_hides_nothing(void **state)
{
	static const char *const names[] = { "6.1", "6.6", "6.12" };
	const struct smccc_baseline_fn *fns;
	struct built b;
	size_t i, j, n;

	(void)state;
	fns = smccc_baseline_fns(&n);
	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
		build(names[j], &b);
		assert_int_equal(b.c.nr_rules, 0);
		for (i = 0; i < n; i++)
			expect(&b, fns[i].name, SMCCC_BPF_ACT_HANDLE, 0);
		assert_null(strstr(b.text, "deny"));
		assert_null(strstr(b.text, "return 0x"));
		drop(&b);
	}
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

/* The header says what is hidden and why; one deny rule per hidden function. */
static void test_text(void **state)
{
	const struct smccc_baseline_fn *fns;
	const struct smccc_baseline *bs;
	char line[96];
	size_t i, j, n, nb, nr;
	char *t;

	(void)state;
	fns = smccc_baseline_fns(&n);
	bs = smccc_baselines(&nb);
	for (j = 0; j < nb; j++) {
		t = smccc_baseline_policy(&bs[j]);
		assert_non_null(t);
		assert_true(!strncmp(t, "# Generated by \"smccc-bpf policy baseline ", 42));
		assert_non_null(strstr(t, "ARCH_WORKAROUND_3 (Spectre-BHB, 5.17)"));
		assert_non_null(strstr(t, "backported to 5.10.y and 5.15.y stable"));
		assert_non_null(strstr(t, "smccc-bpf policy attach --vm ID"));
		assert_non_null(strstr(t, "\ndiscovery hide-denied;\ndefault handle;\n"));
		snprintf(line, sizeof(line), "\npolicy \"baseline-%s\";\n", bs[j].name);
		assert_non_null(strstr(t, line));
		for (i = nr = 0; i < n; i++) {
			snprintf(line, sizeof(line), "\ndeny function %s;", fns[i].name);
			if (smccc_baseline_offers(&bs[j], &fns[i])) {
				assert_null(strstr(t, line));
				continue;
			}
			assert_int_equal(count(t, line), 1);
			nr++;
		}
		assert_int_equal(count(t, "\ndeny "), nr);
		assert_int_equal(count(t, "\nreturn 0x10000 function psci.version;"),
				 bs[j].kver < SMCCC_KVER(5, 18));
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_resolve),
		cmocka_unit_test(test_monotonic),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_compiles),
		cmocka_unit_test(test_decisions_510),
		cmocka_unit_test(test_decisions_515),
		cmocka_unit_test(test_hides_nothing),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests_name("policy baselines", tests, NULL, NULL);
}
