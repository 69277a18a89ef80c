// SPDX-License-Identifier: GPL-2.0
/*
 * The policy language's named services, functions and constants
 * (loader/policy_services.c): their IDs against the SMCCC owner layout and
 * the Linux headers (include/uapi/linux/psci.h of the patched tree when
 * KSRC is set), lookups, reverse lookups and suggestions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <stdbool.h>
#include <cmocka.h>

#include "smccc_bpf.h"
#include "policy_services.h"

static const struct smccc_service *svc(const char *name)
{
	const struct smccc_service *s = smccc_service_find(name);

	if (!s)
		fail_msg("no service '%s'", name);
	return s;
}

static void expect_ranges(const char *name, unsigned int n, const struct smccc_id_range *r)
{
	const struct smccc_service *s = svc(name);
	unsigned int i;

	if (s->nr_ranges != n)
		fail_msg("%s: %u ranges, expected %u", name, s->nr_ranges, n);
	for (i = 0; i < n; i++)
		if (s->ranges[i].first != r[i].first || s->ranges[i].last != r[i].last)
			fail_msg("%s range %u: 0x%08x-0x%08x, expected 0x%08x-0x%08x", name, i,
				 s->ranges[i].first, s->ranges[i].last, r[i].first, r[i].last);
}

#define RANGES(...) (sizeof((struct smccc_id_range[]){ __VA_ARGS__ }) / sizeof(struct smccc_id_range)), \
	((struct smccc_id_range[]){ __VA_ARGS__ })

static void test_service_ranges(void **state)
{
	(void)state;
	expect_ranges("arch", RANGES({ 0x80000000, 0x8000ffff }, { 0xc0000000, 0xc000ffff }));
	expect_ranges("cpu", RANGES({ 0x81000000, 0x8100ffff }, { 0xc1000000, 0xc100ffff }));
	expect_ranges("sip", RANGES({ 0x82000000, 0x8200ffff }, { 0xc2000000, 0xc200ffff }));
	expect_ranges("oem", RANGES({ 0x83000000, 0x8300ffff }, { 0xc3000000, 0xc300ffff }));
	expect_ranges("std-secure", RANGES({ 0x84000000, 0x8400ffff }, { 0xc4000000, 0xc400ffff }));
	expect_ranges("psci", RANGES({ 0x84000000, 0x8400001f }, { 0xc4000000, 0xc400001f }));
	expect_ranges("psci32", RANGES({ 0x84000000, 0x8400001f }));
	expect_ranges("psci64", RANGES({ 0xc4000000, 0xc400001f }));
	expect_ranges("sdei", RANGES({ 0x84000020, 0x8400003f }, { 0xc4000020, 0xc400003f }));
	expect_ranges("trng", RANGES({ 0x84000050, 0x8400005f }, { 0xc4000050, 0xc400005f }));
	expect_ranges("trng32", RANGES({ 0x84000050, 0x8400005f }));
	expect_ranges("trng64", RANGES({ 0xc4000050, 0xc400005f }));
	expect_ranges("ffa", RANGES({ 0x84000060, 0x840000ff }, { 0xc4000060, 0xc40000ff }));
	expect_ranges("ffa32", RANGES({ 0x84000060, 0x840000ff }));
	expect_ranges("ffa64", RANGES({ 0xc4000060, 0xc40000ff }));
	expect_ranges("std-hyp", RANGES({ 0x85000000, 0x8500ffff }, { 0xc5000000, 0xc500ffff }));
	expect_ranges("pvtime", RANGES({ 0xc5000020, 0xc5000021 }));
	expect_ranges("vendor-hyp", RANGES({ 0x86000000, 0x8600ffff }, { 0xc6000000, 0xc600ffff }));
	expect_ranges("trusted-apps", RANGES({ 0xb0000000, 0xb000ffff }, { 0xb1000000, 0xb100ffff },
					      { 0xf0000000, 0xf000ffff }, { 0xf1000000, 0xf100ffff }));
	expect_ranges("psci-v0.1", RANGES({ 0x95c1ba5e, 0x95c1ba61 }));
}

static void test_trusted_os(void **state)
{
	const struct smccc_service *s = svc("trusted-os");
	unsigned int i;

	(void)state;
	assert_int_equal(s->nr_ranges, 28);
	for (i = 0; i < 14; i++) {
		assert_int_equal(s->ranges[i].first, 0x80000000u | (50u + i) << 24);
		assert_int_equal(s->ranges[i].last, (0x80000000u | (50u + i) << 24) + 0xffff);
		assert_int_equal(s->ranges[14 + i].first, 0xc0000000u | (50u + i) << 24);
		assert_int_equal(s->ranges[14 + i].last, (0xc0000000u | (50u + i) << 24) + 0xffff);
	}
}

static void test_services_well_formed(void **state)
{
	const struct smccc_service *s;
	size_t n, i, j;
	unsigned int r;

	(void)state;
	s = smccc_services(&n);
	assert_true(n >= 21);
	for (i = 0; i < n; i++) {
		assert_non_null(s[i].desc);
		assert_non_null(s[i].source);
		assert_true(s[i].nr_ranges > 0);
		for (r = 0; r < s[i].nr_ranges; r++) {
			assert_true(s[i].ranges[r].first <= s[i].ranges[r].last);
			if (r)
				assert_true(s[i].ranges[r].first > s[i].ranges[r - 1].last);
			/* only "arch" touches the architecture range */
			if (strcmp(s[i].name, "arch"))
				assert_false(smccc_bpf_is_arch_call(s[i].ranges[r].first) ||
					     smccc_bpf_is_arch_call(s[i].ranges[r].last));
		}
		for (j = 0; j < i; j++)
			assert_string_not_equal(s[i].name, s[j].name);
		assert_ptr_equal(smccc_service_find(s[i].name), &s[i]);
	}
	assert_null(smccc_service_find("nosuch"));
	assert_null(smccc_service_find(""));
}

static int ids(const char *name, uint32_t out[2])
{
	out[0] = out[1] = 0;
	return smccc_function_ids(name, out);
}

static void expect_fn(const char *name, uint32_t a, uint32_t b)
{
	uint32_t v[2];
	int n = ids(name, v);

	if (n != (b ? 2 : 1) || v[0] != a || (b && v[1] != b))
		fail_msg("%s: %d IDs 0x%08x 0x%08x, expected 0x%08x 0x%08x", name, n, v[0], v[1], a, b);
}

static void test_functions(void **state)
{
	uint32_t v[2];

	(void)state;
	expect_fn("psci.version", 0x84000000, 0);
	expect_fn("psci.cpu_suspend", 0x84000001, 0xc4000001);
	expect_fn("psci.cpu_off", 0x84000002, 0);
	expect_fn("psci.cpu_on", 0x84000003, 0xc4000003);
	expect_fn("psci.cpu_on32", 0x84000003, 0);
	expect_fn("psci.cpu_on64", 0xc4000003, 0);
	expect_fn("psci.affinity_info", 0x84000004, 0xc4000004);
	expect_fn("psci.migrate_info_type", 0x84000006, 0);
	expect_fn("psci.system_off", 0x84000008, 0);
	expect_fn("psci.system_reset", 0x84000009, 0);
	expect_fn("psci.features", 0x8400000a, 0);
	expect_fn("psci.system_suspend", 0x8400000e, 0xc400000e);
	expect_fn("psci.system_reset2", 0x84000012, 0xc4000012);
	expect_fn("trng.version", 0x84000050, 0);
	expect_fn("trng.features", 0x84000051, 0);
	expect_fn("trng.get_uuid", 0x84000052, 0);
	expect_fn("trng.rnd32", 0x84000053, 0);
	expect_fn("trng.rnd64", 0xc4000053, 0);
	expect_fn("trng.rnd", 0x84000053, 0xc4000053);
	expect_fn("pvtime.features", 0xc5000020, 0);
	expect_fn("pvtime.st", 0xc5000021, 0);
	expect_fn("kvm.uid", 0x8600ff01, 0);
	expect_fn("kvm.features", 0x86000000, 0);
	expect_fn("kvm.ptp", 0x86000001, 0);
	expect_fn("kvm.hyp_meminfo", 0xc6000002, 0);
	expect_fn("kvm.mmio_guard", 0xc6000007, 0);
	expect_fn("ffa.version", 0x84000063, 0);
	expect_fn("ffa.id_get", 0x84000069, 0);
	expect_fn("ffa.mem_share", 0x84000073, 0xc4000073);
	expect_fn("ffa.partition_info_get_regs", 0xc400008b, 0);
	expect_fn("smccc.version", 0x80000000, 0);
	expect_fn("smccc.arch_features", 0x80000001, 0);
	expect_fn("smccc.arch_workaround_1", 0x80008000, 0);
	expect_fn("smccc.arch_workaround_2", 0x80007fff, 0);
	expect_fn("smccc.arch_workaround_3", 0x80003fff, 0);
	/* a suffix only names a variant of a function that has both */
	assert_int_equal(ids("psci.version32", v), 0);
	assert_int_equal(ids("psci.cpu_on16", v), 0);
	assert_int_equal(ids("psci.cpu_o64", v), 0);
	assert_int_equal(ids("nosuch", v), 0);
	assert_int_equal(ids("64", v), 0);
	assert_int_equal(ids("", v), 0);
}

static void test_functions_well_formed(void **state)
{
	const struct smccc_function *f;
	const struct smccc_service *s;
	size_t n, ns, i, j;
	unsigned int r;

	(void)state;
	f = smccc_functions(&n);
	s = smccc_services(&ns);
	for (i = 0; i < n; i++) {
		uint32_t id[2] = { f[i].id32, f[i].id64 };
		unsigned int k;

		assert_true(f[i].id32 || f[i].id64);
		assert_non_null(f[i].desc);
		assert_non_null(strchr(f[i].name, '.'));
		/* SMC32 IDs have bit 30 clear, SMC64 IDs set; all are fast calls */
		if (f[i].id32)
			assert_int_equal(f[i].id32 & 0xc0000000u, 0x80000000u);
		if (f[i].id64)
			assert_int_equal(f[i].id64 & 0xc0000000u, 0xc0000000u);
		if (f[i].id32 && f[i].id64)
			assert_int_equal(f[i].id32 | 0x40000000u, f[i].id64);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(f[i].name, f[j].name);
			for (k = 0; k < 2; k++)
				if (id[k])
					assert_false(id[k] == f[j].id32 || id[k] == f[j].id64);
		}
		/* each ID is inside some service, and in "arch" iff an arch call */
		for (k = 0; k < 2; k++) {
			bool inside = false;

			if (!id[k])
				continue;
			for (j = 0; j < ns; j++)
				for (r = 0; r < s[j].nr_ranges; r++)
					if (id[k] >= s[j].ranges[r].first && id[k] <= s[j].ranges[r].last)
						inside = true;
			if (!inside)
				fail_msg("%s: 0x%08x is in no service", f[i].name, id[k]);
			assert_int_equal(!strncmp(f[i].name, "smccc.", 6), smccc_bpf_is_arch_call(id[k]));
		}
		/* services and functions have distinct names */
		assert_null(smccc_service_find(f[i].name));
	}
}

/* PSCI IDs against include/uapi/linux/psci.h of the patched tree. */
static void test_psci_against_kernel(void **state)
{
	const char *ksrc = getenv("KSRC");
	char path[4096], line[512], macro[128], base[16], name[96], fn[128];
	unsigned int checked = 0;
	FILE *f;

	(void)state;
	if (!ksrc)
		skip();
	snprintf(path, sizeof(path), "%s/include/uapi/linux/psci.h", ksrc);
	f = fopen(path, "r");
	if (!f)
		skip();
	while (fgets(line, sizeof(line), f)) {
		unsigned int num, k;
		uint32_t v[2], want;
		bool is64;
		char *p;
		int n;

		if (sscanf(line, "#define %127s PSCI_0_2_%15[FN64](%u)", macro, base, &num) != 3)
			continue;
		/* PSCI_1_0_FN64_CPU_DEFAULT_SUSPEND -> psci.cpu_default_suspend64 */
		p = strstr(macro, "_FN");
		if (!p || strncmp(macro, "PSCI_", 5))
			continue;
		p += 3;
		is64 = !strncmp(p, "64", 2);
		if (is64)
			p += 2;
		p++;	/* '_' */
		if (!strncmp(p, "PSCI_", 5))
			p += 5;
		for (k = 0; p[k] && k < sizeof(name) - 1; k++)
			name[k] = (char)tolower((unsigned char)p[k]);
		name[k] = '\0';
		want = (is64 ? 0xc4000000u : 0x84000000u) + num;
		snprintf(fn, sizeof(fn), "psci.%s", name);
		n = ids(fn, v);
		if (n == 2) {
			snprintf(fn, sizeof(fn), "psci.%s%s", name, is64 ? "64" : "32");
			n = ids(fn, v);
		}
		if (n != 1 || v[0] != want)
			fail_msg("%s = 0x%08x: %s gives %d IDs, 0x%08x", macro, want, fn, n, v[0]);
		checked++;
	}
	fclose(f);
	assert_true(checked >= 25);
}

static void test_reverse(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(smccc_function_name(0x84000003, buf, sizeof(buf)), "psci.cpu_on32");
	assert_string_equal(smccc_function_name(0xc4000003, buf, sizeof(buf)), "psci.cpu_on64");
	assert_string_equal(smccc_function_name(0x84000002, buf, sizeof(buf)), "psci.cpu_off");
	assert_string_equal(smccc_function_name(0x84000053, buf, sizeof(buf)), "trng.rnd32");
	assert_string_equal(smccc_function_name(0x8600ff01, buf, sizeof(buf)), "kvm.uid");
	assert_string_equal(smccc_function_name(0x80000000, buf, sizeof(buf)), "smccc.version");
	assert_null(smccc_function_name(0x82000000, buf, sizeof(buf)));
	assert_string_equal(smccc_id_describe(0x86000001, buf, sizeof(buf)), "kvm.ptp");
	assert_string_equal(smccc_id_describe(0x82001234, buf, sizeof(buf)), "sip");
	assert_string_equal(smccc_id_describe(0x84000025, buf, sizeof(buf)), "sdei");
	assert_string_equal(smccc_id_describe(0x8400001f, buf, sizeof(buf)), "psci");
	assert_string_equal(smccc_id_describe(0xc5000021, buf, sizeof(buf)), "pvtime.st");
	assert_string_equal(smccc_id_describe(0x8600abcd, buf, sizeof(buf)), "vendor-hyp");
	assert_string_equal(smccc_id_describe(0xbf001234, buf, sizeof(buf)), "trusted-os");
	assert_string_equal(smccc_id_describe(0x12345678, buf, sizeof(buf)), "");
	/* truncated to the buffer */
	assert_string_equal(smccc_function_name(0xc4000003, buf, 5), "psci");
}

static void test_constants(void **state)
{
	static const struct {
		const char *name;
		int64_t value;
	} want[] = {
		{ "SUCCESS", 0 }, { "NOT_SUPPORTED", -1 }, { "NOT_REQUIRED", -2 },
		{ "INVALID_PARAMETER", -3 }, { "PSCI_SUCCESS", 0 }, { "PSCI_NOT_SUPPORTED", -1 },
		{ "PSCI_INVALID_PARAMS", -2 }, { "PSCI_DENIED", -3 }, { "PSCI_ALREADY_ON", -4 },
		{ "PSCI_ON_PENDING", -5 }, { "PSCI_INTERNAL_FAILURE", -6 },
		{ "PSCI_NOT_PRESENT", -7 }, { "PSCI_DISABLED", -8 }, { "PSCI_INVALID_ADDRESS", -9 },
		{ "TRNG_SUCCESS", 0 }, { "TRNG_NOT_SUPPORTED", -1 }, { "TRNG_INVALID_PARAMETER", -2 },
		{ "TRNG_NO_ENTROPY", -3 }, { "FFA_ERROR", 0x84000060 }, { "FFA_SUCCESS", 0x84000061 },
		{ "FFA_NOT_SUPPORTED", -1 }, { "FFA_INVALID_PARAMETERS", -2 }, { "FFA_NO_MEMORY", -3 },
		{ "FFA_BUSY", -4 }, { "FFA_INTERRUPTED", -5 }, { "FFA_DENIED", -6 },
		{ "FFA_RETRY", -7 }, { "FFA_ABORTED", -8 }, { "FFA_NO_DATA", -9 },
	};
	const struct smccc_constant *c;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		c = smccc_constant_find(want[i].name);
		if (!c)
			fail_msg("no constant %s", want[i].name);
		assert_true(c->value == (uint64_t)want[i].value);
		assert_non_null(c->desc);
	}
	c = smccc_constants(&n);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	assert_true(c[0].value == 0);
	assert_null(smccc_constant_find("not_supported"));
	assert_true(smccc_constant_find("SMCCC_RET_NOT_SUPPORTED") == NULL);
	assert_int_equal(SMCCC_BPF_RET_NOT_SUPPORTED, smccc_constant_find("NOT_SUPPORTED")->value);
	assert_int_equal(SMCCC_BPF_RET_INVALID_PARAMETER, smccc_constant_find("INVALID_PARAMETER")->value);
}

static void test_suggest(void **state)
{
	(void)state;
	assert_string_equal(smccc_suggest("pcsi", SMCCC_NAME_SERVICE), "psci");
	assert_string_equal(smccc_suggest("vendor_hyp", SMCCC_NAME_SERVICE), "vendor-hyp");
	assert_string_equal(smccc_suggest("trusted-os2", SMCCC_NAME_SERVICE), "trusted-os");
	assert_string_equal(smccc_suggest("psci.cpuon", SMCCC_NAME_FUNCTION), "psci.cpu_on");
	assert_string_equal(smccc_suggest("kvm.ptpp", SMCCC_NAME_FUNCTION), "kvm.ptp");
	assert_string_equal(smccc_suggest("NOT_SUPORTED", SMCCC_NAME_CONSTANT), "NOT_SUPPORTED");
	assert_string_equal(smccc_suggest("PSCI_DENIE", SMCCC_NAME_CONSTANT), "PSCI_DENIED");
	/* only the kinds asked for */
	assert_null(smccc_suggest("pcsi", SMCCC_NAME_FUNCTION | SMCCC_NAME_CONSTANT));
	assert_string_equal(smccc_suggest("pcsi", SMCCC_NAME_SERVICE | SMCCC_NAME_FUNCTION), "psci");
	/* nothing close */
	assert_null(smccc_suggest("xyzzy", SMCCC_NAME_SERVICE | SMCCC_NAME_FUNCTION | SMCCC_NAME_CONSTANT));
	assert_null(smccc_suggest("q", SMCCC_NAME_SERVICE));
	assert_null(smccc_suggest("", SMCCC_NAME_SERVICE));
}

static void test_edit_distance(void **state)
{
	char longer[80];

	(void)state;
	assert_int_equal(smccc_edit_distance("psci", "psci", 3), 0);
	assert_int_equal(smccc_edit_distance("pcsi", "psci", 3), 1);	/* transposition */
	assert_int_equal(smccc_edit_distance("psc", "psci", 3), 1);
	assert_int_equal(smccc_edit_distance("psci", "psc", 3), 1);
	assert_int_equal(smccc_edit_distance("psxi", "psci", 3), 1);
	assert_int_equal(smccc_edit_distance("", "abc", 3), 3);
	assert_int_equal(smccc_edit_distance("kitten", "sitting", 5), 3);
	/* capped at max + 1 */
	assert_int_equal(smccc_edit_distance("kitten", "sitting", 2), 3);
	assert_int_equal(smccc_edit_distance("a", "abcdefgh", 2), 3);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(smccc_edit_distance(longer, longer, 2), 3);	/* too long to try */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_ranges),
		cmocka_unit_test(test_trusted_os),
		cmocka_unit_test(test_services_well_formed),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_functions_well_formed),
		cmocka_unit_test(test_psci_against_kernel),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_edit_distance),
	};

	return cmocka_run_group_tests_name("policy_services", tests, NULL, NULL);
}
