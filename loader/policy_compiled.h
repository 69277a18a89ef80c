/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A compiled policy in memory: the output of the policy compiler
 * (policy_compile.c) and the input of the map loader (policy_maps.c).
 * The array element types are the map value types of include/smccc_policy.h.
 */
#ifndef __SMCCC_POLICY_COMPILED_H
#define __SMCCC_POLICY_COMPILED_H

#include <stdint.h>

#include "smccc_policy.h"

struct smccc_exact {
	uint32_t func_id;
	struct smccc_policy_chain chain;
};

struct smccc_compiled {
	struct smccc_policy_config config;

	struct smccc_policy_rule *rules;	/* rules[i] is map key i */
	uint32_t nr_rules;

	struct smccc_exact *exact;		/* exact_ids map entries */
	uint32_t nr_exact;

	struct smccc_policy_segment *segments;	/* sorted by first, disjoint */
	uint32_t nr_segments;

	uint32_t *chain;			/* chain map: rule indexes */
	uint32_t nr_chain;
};

void smccc_compiled_free(struct smccc_compiled *c);

#endif /* __SMCCC_POLICY_COMPILED_H */
