/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What cli_policy.c (policy check/attach/replace/...) shares with the
 * other policy commands: the attach path, so that "policy import"
 * (cli_migrate.c) attaches and pins exactly like "policy attach".
 */
#ifndef __SMCCC_CLI_POLICY_H
#define __SMCCC_CLI_POLICY_H

#include "cli.h"
#include "cli_pins.h"

/* The maps of a loaded, not yet attached policy (-1: it has none). */
struct cli_policy_maps {
	int stats_fd;
	int events_fd;
	int dropped_fd;
	int rate_fd;
	const struct smccc_meta *meta;	/* what will be pinned as "meta" */
};

struct cli_attach_opts {
	const char *verb;	/* in the report: "attached" (NULL) or e.g. "imported" */
	/*
	 * Called after the policy is loaded and before it is attached, under
	 * the pin lock: may fill the new maps. Returns CLI_EXIT_OK, or an exit
	 * code after reporting why (nothing is attached then).
	 */
	int (*prepare)(struct cli *cli, const struct cli_target *t,
		       const struct cli_policy_maps *maps, void *arg);
	void *arg;
};

/*
 * "policy attach" of path (a policy file or a BPF object) to t: refuses a
 * target with a policy (CLI_EXIT_BUSY), loads, runs opts->prepare, attaches,
 * pins, reports. opts may be NULL. Returns the exit code.
 */
int cli_policy_attach(struct cli *cli, const struct cli_target *t, const char *path,
		      const struct cli_attach_opts *opts);

/* Creates (if needed) and locks the pin root; 0 (*fd set) or an exit code, reported. */
int cli_policy_lock(struct cli *cli, int *fd);

/* Reports that t has no policy attached by smccc-bpf; CLI_EXIT_NOENT. */
int cli_policy_not_attached(struct cli *cli, const struct cli_target *t, const char *verb_hint);

/* ---- policy export, policy import (cli_migrate.c) --------------------------- */

int cli_policy_export(struct cli *cli, int argc, char **argv);
int cli_policy_import(struct cli *cli, int argc, char **argv);
/* Their --help. */
void cli_policy_export_help(const struct cli *cli, FILE *f);
void cli_policy_import_help(const struct cli *cli, FILE *f);

#endif /* __SMCCC_CLI_POLICY_H */
