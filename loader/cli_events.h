/* SPDX-License-Identifier: GPL-2.0 */
/* smccc-bpf CLI: audit events of the generic policy program. */
#ifndef __SMCCC_CLI_EVENTS_H
#define __SMCCC_CLI_EVENTS_H

#include <stdint.h>

#include "cli.h"
#include "smccc_policy.h"

/*
 * Prints one event: a line of text, or with -j one JSON object per line.
 * real_minus_mono_ns converts the event's bpf_ktime_get_ns() time to wall
 * clock time; policy is the pin directory the event came from.
 */
void cli_event_print(struct cli *cli, const struct smccc_policy_event *e,
		     int64_t real_minus_mono_ns, const char *policy);

#endif /* __SMCCC_CLI_EVENTS_H */
