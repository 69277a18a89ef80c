// SPDX-License-Identifier: GPL-2.0
/*
 * include/smccc_bpf.h must agree with the kernel series: its values are
 * what BPF programs and userspace hand to the kernel. The kernel's UAPI
 * header and kvm_smccc_call layout are read from the patched source tree
 * (KSRC), so a change on either side that the other misses fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "smccc_bpf.h"

static char *slurp(const char *rel)
{
	const char *ksrc = getenv("KSRC");
	char path[4096];
	long len;
	char *buf;
	FILE *f;

	if (!ksrc)
		fail_msg("KSRC (the patched kernel source tree) is not set");
	snprintf(path, sizeof(path), "%s/%s", ksrc, rel);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);
	return buf;
}

/* The text between "enum NAME {" and "};" of a header. */
static char *enum_body(char *hdr, const char *name)
{
	char open[128];
	char *start, *end;

	snprintf(open, sizeof(open), "enum %s {", name);
	start = strstr(hdr, open);
	if (!start)
		fail_msg("enum %s not found", name);
	end = strstr(start, "};");
	assert_non_null(end);
	*end = '\0';
	return start;
}

/* Position of an enumerator, counting from 0 (all ours are implicit/sequential). */
static int enumerator_index(const char *body, const char *name)
{
	const char *p = strchr(body, '{') + 1;
	int idx = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '#') {	/* #ifdef __KERNEL__ and friends */
			p = strchr(p, '\n');
			if (!p)
				return -1;
			continue;
		}
		if (!strncmp(p, name, strlen(name)) &&
		    strchr(" \t=,\n", p[strlen(name)]))
			return idx;
		p = strchr(p, ',');
		if (!p)
			return -1;
		p++;
		idx++;
	}
}

static void test_actions_match_kernel(void **state)
{
	char *hdr = slurp("include/kvm/arm_smccc_bpf.h");
	char *body = enum_body(hdr, "kvm_smccc_bpf_action");

	(void)state;
	assert_int_equal(enumerator_index(body, "KVM_SMCCC_BPF_HANDLE"), SMCCC_BPF_ACT_HANDLE);
	assert_int_equal(enumerator_index(body, "KVM_SMCCC_BPF_DENY"), SMCCC_BPF_ACT_DENY);
	assert_int_equal(enumerator_index(body, "KVM_SMCCC_BPF_FWD_TO_USER"),
			 SMCCC_BPF_ACT_FWD_TO_USER);
	assert_int_equal(enumerator_index(body, "KVM_SMCCC_BPF_RETURN"), SMCCC_BPF_ACT_RETURN);
	assert_int_equal(enumerator_index(body, "NR_SMCCC_BPF_ACTIONS"), SMCCC_BPF_NR_ACTIONS);
	free(hdr);
}

/* The policy actions are the kernel's own enum, not the SMCCC filter's UAPI one. */
static void test_actions_not_in_uapi(void **state)
{
	char *hdr = slurp("arch/arm64/include/uapi/asm/kvm.h");

	(void)state;
	assert_null(strstr(hdr, "kvm_smccc_bpf_action"));
	free(hdr);
}

/* "#define<SPACING>NAME<TABS>VALUE" is in hdr, as the UAPI header spells it. */
static void assert_define(const char *hdr, const char *spacing, const char *name,
			  const char *tabs, int value)
{
	char want[128];

	snprintf(want, sizeof(want), "#define%s%s%s%d", spacing, name, tabs, value);
	assert_non_null(strstr(hdr, want));
}

static void test_attrs_match_uapi(void **state)
{
	char *hdr = slurp("arch/arm64/include/uapi/asm/kvm.h");

	(void)state;
	assert_define(hdr, " ", "KVM_ARM_VM_SMCCC_CTRL", "\t\t", SMCCC_BPF_KVM_ARM_VM_SMCCC_CTRL);
	assert_define(hdr, "   ", "KVM_ARM_VM_SMCCC_BPF_VM_ID", "\t",
		      SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_VM_ID);
	assert_define(hdr, "   ", "KVM_ARM_VM_SMCCC_BPF_FLAGS", "\t",
		      SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_FLAGS);
	/* The flag is bit 0 in both spellings. */
	assert_int_equal(SMCCC_BPF_FLAG_EXITS, 1);
	assert_non_null(strstr(hdr, "#define     KVM_ARM_SMCCC_BPF_EXITS\t_BITULL(0)"));
	free(hdr);
}

static void test_conduits_match_kernel(void **state)
{
	char *hdr = slurp("include/linux/arm-smccc.h");
	char *body = enum_body(hdr, "arm_smccc_conduit");

	(void)state;
	assert_int_equal(enumerator_index(body, "SMCCC_CONDUIT_SMC"), SMCCC_BPF_CONDUIT_SMC);
	assert_int_equal(enumerator_index(body, "SMCCC_CONDUIT_HVC"), SMCCC_BPF_CONDUIT_HVC);
	free(hdr);
}

static void test_nr_args_matches_kernel(void **state)
{
	char *hdr = slurp("include/kvm/arm_smccc_bpf.h");
	char want[64];

	(void)state;
	snprintf(want, sizeof(want), "#define KVM_SMCCC_BPF_NR_ARGS\t%d", SMCCC_BPF_NR_ARGS);
	assert_non_null(strstr(hdr, want));
	free(hdr);
}

static void test_arch_range_bounds(void **state)
{
	(void)state;
	assert_true(smccc_bpf_is_arch_call(0x80000000u));	/* SMCCC_VERSION */
	assert_true(smccc_bpf_is_arch_call(0x80008000u));	/* WORKAROUND_1 */
	assert_true(smccc_bpf_is_arch_call(0x8000ffffu));
	assert_false(smccc_bpf_is_arch_call(0x80010000u));
	assert_false(smccc_bpf_is_arch_call(0x7fffffffu));
	assert_true(smccc_bpf_is_arch_call(0xc0000000u));
	assert_true(smccc_bpf_is_arch_call(0xc000ffffu));
	assert_false(smccc_bpf_is_arch_call(0xc0010000u));
	assert_false(smccc_bpf_is_arch_call(0xbfffffffu));
	assert_false(smccc_bpf_is_arch_call(0x84000000u));	/* PSCI_VERSION */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions_match_kernel),
		cmocka_unit_test(test_actions_not_in_uapi),
		cmocka_unit_test(test_attrs_match_uapi),
		cmocka_unit_test(test_conduits_match_kernel),
		cmocka_unit_test(test_nr_args_matches_kernel),
		cmocka_unit_test(test_arch_range_bounds),
	};

	return cmocka_run_group_tests_name("shared definitions", tests, NULL, NULL);
}
