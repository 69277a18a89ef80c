/* SPDX-License-Identifier: GPL-2.0 */
/* smccc-bpf CLI: "policy baseline", pinned guest ABIs (policy_baseline.h). */
#ifndef __SMCCC_CLI_BASELINE_H
#define __SMCCC_CLI_BASELINE_H

#include "cli.h"

/*
 * policy baseline NAME [-o FILE] | list | --list | help: argv[0] is
 * "baseline". Prints (or writes) the baseline policy of a release, or
 * the table; with -j, JSON.
 */
int cli_policy_baseline(struct cli *cli, int argc, char **argv);
/* Its --help (and "policy baseline help"). */
void cli_policy_baseline_help(const struct cli *cli, FILE *f);

#endif /* __SMCCC_CLI_BASELINE_H */
