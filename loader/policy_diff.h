/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: what changes between two compiled policies.
 *
 * The 32-bit function ID space is cut into the pieces over which each
 * policy's lookup gives one chain (an exact ID, a segment, or a gap that
 * takes the default). Where OLD and NEW give chains that do not decide
 * alike, the IDs are reported, in ID order, adjacent IDs with the same old
 * and new outcome merged into one range. Chains decide alike when both
 * always decide the same way (the default, or a first rule without
 * conditions or limit: same action, values and event), or when they hold
 * equal rules in the same order (conditions, actions, values, limits; rule
 * numbers do not matter) and, if they can fall through, the same default. A chain whose first rule has conditions
 * "depends on conditions". The architecture range is never reported (KVM
 * answers it under any policy). A change of mode is reported on its own.
 */
#ifndef __SMCCC_POLICY_DIFF_H
#define __SMCCC_POLICY_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy_compiled.h"

enum policy_diff_kind {
	POLICY_DIFF_DEFAULT,	/* no rule names the ID: the default action */
	POLICY_DIFF_RULE,	/* decided by one rule without conditions */
	POLICY_DIFF_CONDITIONAL,	/* depends on conditions */
};

struct policy_diff_side {
	enum policy_diff_kind kind;
	uint8_t action;		/* DEFAULT, RULE: SMCCC_BPF_ACT_* or SMCCC_POLICY_ACT_LOG */
	__u64 ret[4];		/* action == return */
	bool limited;		/* RULE: rate limited */
	uint8_t over_action;
	__u64 rate, burst;
	uint32_t period;	/* of rate, seconds */
	uint32_t nr_rules;	/* RULE: 1; CONDITIONAL: the chain's rules */
	uint32_t rules[SMCCC_POLICY_MAX_CHAIN_LEN];	/* rule ids */
	uint32_t line;		/* RULE: the rule's line */
	bool falls_through;	/* CONDITIONAL: no rule may hold, then the default */
	uint8_t default_action;	/* CONDITIONAL && falls_through */
};

struct policy_diff_entry {
	uint32_t first;
	uint32_t last;
	struct policy_diff_side old;
	struct policy_diff_side new;
};

struct policy_diff {
	struct policy_diff_entry *entries;	/* in ID order, disjoint */
	size_t nr;
	bool mode_changed;
	bool old_permissive;
	bool new_permissive;
	bool discovery_changed;
	uint8_t old_discovery;		/* SMCCC_POLICY_DISCOVERY_* */
	uint8_t new_discovery;
};

/* Compare two compiled policies (exact[] in any order). Returns 0 or -1 (malformed). */
int policy_diff(const struct smccc_compiled *old, const struct smccc_compiled *new,
		struct policy_diff *out);
void policy_diff_free(struct policy_diff *d);

/* One side as text: "deny (rule 3, line 7)", "depends on conditions (rules 2, 5)". */
const char *policy_diff_side_format(const struct policy_diff_side *s, char *buf, size_t len);

/*
 * The whole diff, one line per change:
 *   mode: enforce -> permissive
 *   discovery: keep -> hide-denied
 *   0x84000003 psci.cpu_on32: handle (default) -> deny (rule 2, line 4)
 *   0x86000000-0x8600ffff: handle (default) -> forward (rule 1, line 3)
 * Returns the number of lines written.
 */
size_t policy_diff_print(const struct policy_diff *d, FILE *f);

#endif /* __SMCCC_POLICY_DIFF_H */
