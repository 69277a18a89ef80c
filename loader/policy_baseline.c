// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: pinned guest ABIs, the table of what each
 * KVM/arm64 release handled and the baseline policy generator.
 *
 * Every row was checked against the 6.12 sources (arch/arm64/kvm/
 * hypercalls.c, psci.c, trng.c, pvtime.c, hyp/hyp-entry.S) for "handles
 * it" and against the mainline history for "since"; docs/baselines.md
 * gives the source of each. The baselines are the LTS releases; the last
 * function to arrive did so in 5.19, so 6.1, 6.6 and 6.12 offer the same
 * (6.4's SMCCC filter is a VMM interface, not a service).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_baseline.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define STD32(n)	(0x84000000u | (n))
#define STD64(n)	(0xc4000000u | (n))

/* Function rows: name, SMC32 ID, SMC64 ID, since, arch, commit, file, note. */
#define ARCH(name, id, maj, min, commit, file, note) \
	{ name, id, 0, SMCCC_KVER(maj, min), true, commit, file, note }
#define FN(name, id32, id64, maj, min, commit, file, note) \
	{ name, id32, id64, SMCCC_KVER(maj, min), false, commit, file, note }

static const char c_smccc11[] = "arm/arm64: KVM: Advertise SMCCC v1.1";
static const char c_psci02[] = "ARM/ARM64: KVM: Add base for PSCI v0.2 emulation";
static const char c_trng[] = "KVM: arm64: Implement the TRNG hypervisor call";
static const char c_uid[] = "KVM: arm64: Advertise KVM UID to guests via SMCCC";
static const char f_hcall[] = "arch/arm64/kvm/hypercalls.c";
static const char f_psci[] = "arch/arm64/kvm/psci.c";
static const char f_trng[] = "arch/arm64/kvm/trng.c";
static const char f_wa[] = "arch/arm64/kvm/hyp/hyp-entry.S, hypercalls.c";

static const struct smccc_baseline_fn fns[] = {
	/* The architecture range: KVM's, whatever a policy says. */
	ARCH("smccc.version", 0x80000000, 4, 16, c_smccc11, f_hcall, NULL),
	ARCH("smccc.arch_features", 0x80000001, 4, 16, c_smccc11, f_hcall, NULL),
	ARCH("smccc.arch_workaround_1", 0x80008000, 4, 16,
	     "arm64: KVM: Report SMCCC_ARCH_WORKAROUND_1 BP hardening support", f_wa, NULL),
	ARCH("smccc.arch_workaround_2", 0x80007fff, 4, 18,
	     "arm64: KVM: Add ARCH_WORKAROUND_2 support for guests", f_wa, NULL),
	ARCH("smccc.arch_workaround_3", 0x80003fff, 5, 17,
	     "KVM: arm64: Allow SMCCC_ARCH_WORKAROUND_3 to be discovered and migrated", f_wa,
	     "Spectre-BHB; backported to 5.10.y and 5.15.y stable (March 2022)"),

	/* PSCI: 0.2 since 3.16, 1.0 (PSCI_FEATURES) since 4.16. */
	FN("psci.version", STD32(0x00), 0, 3, 16, c_psci02, f_psci,
	   "returns 1.0 before 5.18, 1.1 since (KVM_REG_ARM_PSCI_VERSION can pin it)"),
	FN("psci.cpu_suspend", STD32(0x01), STD64(0x01), 3, 16, c_psci02, f_psci, NULL),
	FN("psci.cpu_off", STD32(0x02), 0, 3, 16, c_psci02, f_psci, NULL),
	FN("psci.cpu_on", STD32(0x03), STD64(0x03), 3, 16, c_psci02, f_psci, NULL),
	FN("psci.affinity_info", STD32(0x04), STD64(0x04), 3, 16, c_psci02, f_psci, NULL),
	FN("psci.migrate_info_type", STD32(0x06), 0, 3, 16, c_psci02, f_psci, NULL),
	FN("psci.system_off", STD32(0x08), 0, 3, 16, c_psci02, f_psci, NULL),
	FN("psci.system_reset", STD32(0x09), 0, 3, 16, c_psci02, f_psci, NULL),
	FN("psci.features", STD32(0x0a), 0, 4, 16,
	   "arm/arm64: KVM: Implement PSCI 1.0 support", f_psci, NULL),
	FN("psci.system_suspend", STD32(0x0e), STD64(0x0e), 5, 19,
	   "KVM: arm64: Implement PSCI SYSTEM_SUSPEND", f_psci,
	   "only when the VMM enables KVM_CAP_ARM_SYSTEM_SUSPEND"),
	FN("psci.system_reset2", STD32(0x12), STD64(0x12), 5, 18,
	   "KVM: arm64: Expose PSCI SYSTEM_RESET2 call to the guest", f_psci,
	   "only with PSCI 1.1 (the default since 5.18)"),

	/* Paravirtualised time (DEN0057) */
	FN("pvtime.features", 0, 0xc5000020, 5, 5,
	   "KVM: arm64: Implement PV_TIME_FEATURES call", "arch/arm64/kvm/pvtime.c", NULL),
	FN("pvtime.st", 0, 0xc5000021, 5, 5,
	   "KVM: arm64: Support stolen time reporting via shared structure",
	   "arch/arm64/kvm/pvtime.c", "an address only when the VMM set up KVM_ARM_VCPU_PVTIME_CTRL"),

	/* TRNG (DEN0098) */
	FN("trng.version", STD32(0x50), 0, 5, 12, c_trng, f_trng, NULL),
	FN("trng.features", STD32(0x51), 0, 5, 12, c_trng, f_trng, NULL),
	FN("trng.get_uuid", STD32(0x52), 0, 5, 12, c_trng, f_trng, NULL),
	FN("trng.rnd", STD32(0x53), STD64(0x53), 5, 12, c_trng, f_trng, NULL),

	/* KVM's vendor hypervisor service: the UID and features came with ptp_kvm. */
	FN("kvm.features", 0x86000000, 0, 5, 13, c_uid, f_hcall, NULL),
	FN("kvm.ptp", 0x86000001, 0, 5, 13, "KVM: arm64: Add support for the KVM PTP service",
	   f_hcall, NULL),
	FN("kvm.uid", 0x8600ff01, 0, 5, 13, c_uid, f_hcall, NULL),
};

/* Linux LTS releases people migrate between. */
static const struct smccc_baseline baselines[] = {
	{ "5.10", SMCCC_KVER(5, 10) },
	{ "5.15", SMCCC_KVER(5, 15) },
	{ "6.1", SMCCC_KVER(6, 1) },
	{ "6.6", SMCCC_KVER(6, 6) },
	{ "6.12", SMCCC_KVER(6, 12) },
};

/* What PSCI_VERSION returns by default, from which release (include/kvm/arm_psci.h). */
static const struct {
	unsigned int since;
	uint32_t version;
	const char *commit;
} psci_versions[] = {
	{ SMCCC_KVER(4, 16), 0x10000, "arm/arm64: KVM: Implement PSCI 1.0 support" },
	{ SMCCC_KVER(5, 18), 0x10001, "KVM: arm64: Bump guest PSCI version to 1.1" },
};

/*
 * Why the architecture range is the same in every baseline: said in the
 * generated header, listings and docs alike.
 */
static const char arch_note[] =
	"The SMCCC architecture range (SMCCC_VERSION, SMCCC_ARCH_FEATURES,\n"
	"ARCH_WORKAROUND_1/2/3) is KVM's: no policy can change it. It is taken as\n"
	"the same in every baseline: ARCH_WORKAROUND_3 (Spectre-BHB, 5.17) was\n"
	"backported to 5.10.y and 5.15.y stable, and the older calls predate 5.10.\n";

const char *smccc_kver_format(unsigned int kver, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", kver / 100, kver % 100);
	return buf;
}

const char *smccc_baseline_arch_note(void)
{
	return arch_note;
}

const struct smccc_baseline_fn *smccc_baseline_fns(size_t *nr)
{
	*nr = ARRAY_SIZE(fns);
	return fns;
}

const struct smccc_baseline *smccc_baselines(size_t *nr)
{
	*nr = ARRAY_SIZE(baselines);
	return baselines;
}

const struct smccc_baseline *smccc_baseline_latest(void)
{
	return &baselines[ARRAY_SIZE(baselines) - 1];
}

const struct smccc_baseline *smccc_baseline_find(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	/* "v5.10" as in tags, "linux-5.10" as in source trees. */
	if (!strncmp(name, "linux-", 6))
		name += 6;
	else if (name[0] == 'v')
		name++;
	for (i = 0; i < ARRAY_SIZE(baselines); i++)
		if (!strcmp(baselines[i].name, name))
			return &baselines[i];
	return NULL;
}

const char *smccc_baseline_names(char *buf, size_t len)
{
	size_t i, pos = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(baselines) && pos < len; i++) {
		int n = snprintf(buf + pos, len - pos, "%s%s", i ? ", " : "", baselines[i].name);

		if (n < 0)
			break;
		pos += (size_t)n;
	}
	return buf;
}

bool smccc_baseline_offers(const struct smccc_baseline *b, const struct smccc_baseline_fn *f)
{
	return f->arch || f->since <= b->kver;
}

/* The psci_versions[] entry in force in release kver. */
static size_t psci_index(unsigned int kver)
{
	size_t i, k = 0;

	for (i = 0; i < ARRAY_SIZE(psci_versions); i++)
		if (psci_versions[i].since <= kver)
			k = i;
	return k;
}

uint32_t smccc_baseline_psci_version(const struct smccc_baseline *b, const char **commit)
{
	size_t k = psci_index(b->kver);

	if (commit)
		*commit = psci_versions[k].commit;
	return psci_versions[k].version;
}

/* ---- the generator ----------------------------------------------------------- */

const char *smccc_baseline_ids_format(const struct smccc_baseline_fn *f, char *buf,
				      size_t len)
{
	if (f->id32 && f->id64)
		snprintf(buf, len, "0x%08x,0x%08x", f->id32, f->id64);
	else
		snprintf(buf, len, "0x%08x", f->id32 ? f->id32 : f->id64);
	return buf;
}

static void psci_format(uint32_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u (0x%x)", v >> 16, v & 0xffff, v);
}

/* Writes text with every line prefixed by "# ". */
static void comment(FILE *f, const char *text)
{
	const char *nl;

	for (; *text; text = nl + 1) {
		nl = strchr(text, '\n');
		if (!nl)
			nl = text + strlen(text);
		fprintf(f, "#%s%.*s\n", nl > text ? " " : "", (int)(nl - text), text);
		if (!*nl)
			break;
	}
}

static void write_header(const struct smccc_baseline *b, FILE *f, size_t nr_hidden,
			 uint32_t psci, uint32_t psci_latest)
{
	const struct smccc_baseline *latest = smccc_baseline_latest();
	char ids[40], since[16], v[32], lv[32];
	size_t i;

	fprintf(f, "# Generated by \"smccc-bpf policy baseline %s\"; regenerate rather than edit.\n"
		"#\n"
		"# Baseline %s: expose to a guest only the SMCCC services the KVM/arm64 of\n"
		"# Linux %s offered (non-protected VMs, the VMM's defaults), so that a guest\n"
		"# started on a newer host never discovers a service a %s host lacks and\n"
		"# can migrate back to one.\n#\n", b->name, b->name, b->name, b->name);
	if (b == latest) {
		fprintf(f, "# Hidden: nothing; %s is the newest release in the table.\n", b->name);
	} else if (!nr_hidden) {
		fprintf(f, "# Hidden: nothing; KVM %s handles no SMCCC function that %s did not.\n",
			latest->name, b->name);
	} else {
		fprintf(f, "# Hidden: what KVM %s handles and %s did not. Each call is denied\n"
			"# (NOT_SUPPORTED, what the older KVM answered) and, with \"discovery\n"
			"# hide-denied\", reported absent by SMCCC_ARCH_FEATURES, PSCI_FEATURES,\n"
			"# TRNG_FEATURES and KVM's vendor features bitmap:\n",
			latest->name, b->name);
		for (i = 0; i < ARRAY_SIZE(fns); i++) {
			if (smccc_baseline_offers(b, &fns[i]))
				continue;
			smccc_baseline_ids_format(&fns[i], ids, sizeof(ids));
			smccc_kver_format(fns[i].since, since, sizeof(since));
			fprintf(f, "#   %-22s %-22s since %s\n", fns[i].name, ids, since);
		}
	}
	psci_format(psci, v, sizeof(v));
	psci_format(psci_latest, lv, sizeof(lv));
	if (psci != psci_latest)
		fprintf(f, "# PSCI_VERSION: KVM %s reported PSCI %s, KVM %s reports\n"
			"# %s; the return rule at the end gives the guest the older one.\n",
			b->name, v, latest->name, lv);
	else
		fprintf(f, "# PSCI_VERSION: PSCI %s, as KVM %s reports.\n", v, latest->name);
	fprintf(f, "#\n");
	comment(f, arch_note);
	fprintf(f, "#\n"
		"# Sources: docs/baselines.md (the release and commit of each function).\n"
		"# Attach before the guest first boots (it discovers services once):\n"
		"#   smccc-bpf policy attach --vm ID FILE\n\n");
}

int smccc_baseline_write(const struct smccc_baseline *b, FILE *f)
{
	size_t i, nr_hidden = 0, k = psci_index(b->kver);
	size_t k_latest = psci_index(smccc_baseline_latest()->kver);
	char since[16];

	for (i = 0; i < ARRAY_SIZE(fns); i++)
		nr_hidden += !smccc_baseline_offers(b, &fns[i]);

	write_header(b, f, nr_hidden, psci_versions[k].version, psci_versions[k_latest].version);
	fprintf(f, "policy \"baseline-%s\";\n"
		"discovery hide-denied;\n"
		"default handle;\n", b->name);
	if (nr_hidden)
		fputc('\n', f);
	for (i = 0; i < ARRAY_SIZE(fns); i++) {
		size_t len = strlen(fns[i].name);

		if (smccc_baseline_offers(b, &fns[i]))
			continue;
		smccc_kver_format(fns[i].since, since, sizeof(since));
		fprintf(f, "deny function %s;%*s# %s: %s\n", fns[i].name,
			len < 24 ? (int)(24 - len) : 1, "", since, fns[i].commit);
	}
	if (k != k_latest) {
		/* Named by the release of the next version, which b's KVM lacked. */
		smccc_kver_format(psci_versions[k + 1].since, since, sizeof(since));
		fprintf(f, "\nreturn 0x%x function psci.version;    # PSCI %u.%u before %s: %s\n",
			psci_versions[k].version, psci_versions[k].version >> 16,
			psci_versions[k].version & 0xffff, since, psci_versions[k + 1].commit);
	}
	fflush(f);
	if (ferror(f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

char *smccc_baseline_policy(const struct smccc_baseline *b)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	if (!f)
		return NULL;
	ret = smccc_baseline_write(b, f);
	if (fclose(f) || ret) {
		free(text);
		return NULL;
	}
	return text;
}
