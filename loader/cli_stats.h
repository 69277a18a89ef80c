/* SPDX-License-Identifier: GPL-2.0 */
/* smccc-bpf CLI: statistics rows, read from a policy's stats map. */
#ifndef __SMCCC_CLI_STATS_H
#define __SMCCC_CLI_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "smccc_policy.h"

struct cli_stat_row {
	uint64_t vm_id;
	uint32_t func_id;
	uint8_t action;		/* what the guest got: SMCCC_BPF_ACT_* */
	uint64_t calls;		/* summed over CPUs */
	char policy[32];	/* the pin directory: vm-ID, global */
};

/*
 * Appends the rows of one stats map (fd; only vm_id's if filter) to
 * *rows (*n used, *cap allocated). 0 or -errno.
 */
int cli_stats_read(int fd, const char *policy, bool filter, uint64_t vm_id,
		   struct cli_stat_row **rows, size_t *n, size_t *cap);
/* The "dropped" counters of one policy (fd), summed over CPUs. 0 or -errno. */
int cli_stats_read_dropped(int fd, uint64_t out[SMCCC_POLICY_NR_DROP]);
/* By VM, function ID, action. */
void cli_stats_sort(struct cli_stat_row *rows, size_t n);
/* A table, or with -j an "entries" member of the current object. */
void cli_stats_print(struct cli *cli, const struct cli_stat_row *rows, size_t n);

#endif /* __SMCCC_CLI_STATS_H */
