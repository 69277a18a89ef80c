/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: pinned guest ABIs ("policy baseline").
 *
 * A guest that discovers a service on a new host (TRNG, ptp_kvm...) and
 * is then migrated to an older one loses it under its feet. A baseline
 * policy exposes only what the KVM/arm64 of a named Linux release exposed:
 * it denies the functions KVM gained since, reports them absent to the
 * guest's discovery queries, and gives the PSCI version that release
 * reported.
 *
 * The table has one row per SMCCC function that KVM/arm64 (non-protected
 * VMs) handles itself in Linux 6.12, the kernel this project patches, with
 * the first mainline release whose KVM handles it and the commit that made
 * it so. docs/baselines.md is the same table with its sources.
 */
#ifndef __SMCCC_POLICY_BASELINE_H
#define __SMCCC_POLICY_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A Linux release as one comparable number: SMCCC_KVER(5, 10) is 510. */
#define SMCCC_KVER(major, minor)	((major) * 100 + (minor))

struct smccc_baseline_fn {
	const char *name;	/* as in policy_services.c: "psci.system_reset2" */
	uint32_t id32;		/* SMC32 ID, 0 if none */
	uint32_t id64;		/* SMC64 ID, 0 if none */
	unsigned int since;	/* SMCCC_KVER of the first mainline KVM to handle it */
	/*
	 * In the SMCCC architecture range: KVM's, no policy can change it,
	 * so every baseline offers it (see arch_note in policy_baseline.c).
	 */
	bool arch;
	const char *commit;	/* subject of the commit that added it */
	const char *file;	/* where KVM handles it (Linux 6.12) */
	const char *note;	/* conditions, backports; NULL if none */
};

struct smccc_baseline {
	const char *name;	/* "5.10" */
	unsigned int kver;	/* SMCCC_KVER(5, 10) */
};

/* The tables, in order (functions by service, baselines by release). */
const struct smccc_baseline_fn *smccc_baseline_fns(size_t *nr);
const struct smccc_baseline *smccc_baselines(size_t *nr);

/* The newest baseline: the release this project's kernel is (6.12). */
const struct smccc_baseline *smccc_baseline_latest(void);

/* By name: "5.10", "v5.10" or "linux-5.10"; NULL if no such baseline. */
const struct smccc_baseline *smccc_baseline_find(const char *name);

/* "5.10" for SMCCC_KVER(5, 10), into buf (at most len bytes); returns buf. */
const char *smccc_kver_format(unsigned int kver, char *buf, size_t len);

/* "0x84000012,0xc4000012": f's IDs, into buf (at most len bytes); returns buf. */
const char *smccc_baseline_ids_format(const struct smccc_baseline_fn *f, char *buf,
				      size_t len);

/* The valid names, "5.10, 5.15, ..." into buf (at most len bytes); returns buf. */
const char *smccc_baseline_names(char *buf, size_t len);

/* Whether the KVM of baseline b handled f: arch rows always do. */
bool smccc_baseline_offers(const struct smccc_baseline *b, const struct smccc_baseline_fn *f);

/*
 * What PSCI_VERSION returned by default (the VMM did not set
 * KVM_REG_ARM_PSCI_VERSION) on baseline b's KVM; commit (optional)
 * receives the subject of the commit that made it so.
 */
uint32_t smccc_baseline_psci_version(const struct smccc_baseline *b, const char **commit);

/*
 * Why the architecture range is the same in every baseline: a paragraph,
 * lines ending in '\n'.
 */
const char *smccc_baseline_arch_note(void);

/*
 * The baseline policy for b, as policy source text: a comment header, the
 * policy name "baseline-NAME", "discovery hide-denied", "default handle",
 * one "deny function" per function the latest KVM handles and b's did not,
 * and a "return" for PSCI_VERSION when b's KVM reported an older version.
 * Returns 0, or -1 with errno when f fails.
 */
int smccc_baseline_write(const struct smccc_baseline *b, FILE *f);

/* The same, as a malloc'ed string (NULL with errno on failure). */
char *smccc_baseline_policy(const struct smccc_baseline *b);

#endif /* __SMCCC_POLICY_BASELINE_H */
