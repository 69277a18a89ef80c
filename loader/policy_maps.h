/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Loading a compiled policy into the generic policy program
 * (bpf/policy.bpf.c): size its maps, set its configuration, fill the maps
 * after load, attach or replace.
 *
 * The map functions work on any BPF object built from
 * bpf/policy_decide.bpf.h (the struct_ops program, or the host test
 * program), by map name. The smccc_policy_prog_* functions use the
 * skeleton of bpf/policy.bpf.c (policy.skel.h, "policy_bpf"); build with
 * -DSMCCC_POLICY_MAPS_NO_SKEL to leave them out.
 *
 * Functions return 0 or a negative errno, and say why on stderr.
 */
#ifndef __SMCCC_POLICY_MAPS_H
#define __SMCCC_POLICY_MAPS_H

#include <stdint.h>
#include <bpf/libbpf.h>

#include "policy_compiled.h"

/* Map names, from bpf/policy_decide.bpf.h. */
#define SMCCC_POLICY_MAP_EXACT		"exact_ids"
#define SMCCC_POLICY_MAP_SEGMENTS	"segments"
#define SMCCC_POLICY_MAP_SEG_INDEX	"seg_index"	/* derived by the loader */
#define SMCCC_POLICY_MAP_CHAIN		"chain"
#define SMCCC_POLICY_MAP_RULES		"rules"
#define SMCCC_POLICY_MAP_STATS		"stats"
#define SMCCC_POLICY_MAP_RATE		"rate"
#define SMCCC_POLICY_MAP_EVENTS		"events"
#define SMCCC_POLICY_MAP_DROPPED	"dropped"

/*
 * Checks what the program relies on: limits, chain slices inside the chain
 * map, rule indexes inside the rules map, segments sorted and disjoint.
 * -EINVAL with the first problem in err.
 */
int smccc_policy_check(const struct smccc_compiled *c, char *err, size_t errlen);

/* Before load: sizes the policy maps to c (at least one entry each). */
int smccc_policy_size_maps(struct bpf_object *obj, const struct smccc_compiled *c);

/* Before load: the program's policy_config (its .rodata). */
void smccc_policy_set_config(struct smccc_policy_config *rodata,
			     const struct smccc_compiled *c);

/* After load: writes c into the policy maps, and seg_index, in batches. */
int smccc_policy_fill_maps(struct bpf_object *obj, const struct smccc_compiled *c);

/* The per-CPU sums of the "dropped" counters (SMCCC_POLICY_DROP_*). */
int smccc_policy_read_dropped(struct bpf_object *obj, uint64_t out[SMCCC_POLICY_NR_DROP]);

/* The per-CPU sum of one statistics counter; 0 if the key is absent. */
int smccc_policy_read_stat(struct bpf_object *obj, uint64_t vm_id, uint32_t func_id,
			   uint8_t action, uint64_t *out);

/* ---- the struct_ops program (policy.skel.h) ---------------------------- */

struct policy_bpf;

/*
 * Opens, configures (policy, target vm_id, 0 for the host-wide default),
 * loads and fills the generic policy program. NULL with errno on failure.
 */
struct policy_bpf *smccc_policy_prog_load(const struct smccc_compiled *c, uint64_t vm_id);

/*
 * The two halves of smccc_policy_prog_load(), for a caller that sets more
 * of the struct_ops map (its vm_fd) in between: opens and configures (NULL
 * with errno); then loads and fills (0 or -errno; destroy skel either way).
 */
struct policy_bpf *smccc_policy_prog_open(const struct smccc_compiled *c, uint64_t vm_id);
int smccc_policy_prog_load_opened(struct policy_bpf *skel, const struct smccc_compiled *c);

/* The BPF object of the program (opened or loaded), for the map functions above. */
struct bpf_object *smccc_policy_prog_obj(struct policy_bpf *skel);

/* Attaches the policy to its VM; NULL with errno on failure. */
struct bpf_link *smccc_policy_prog_attach(struct policy_bpf *skel);

/* Replaces the policy behind link by skel's, atomically. */
int smccc_policy_prog_replace(struct bpf_link *link, struct policy_bpf *skel);

void smccc_policy_prog_destroy(struct policy_bpf *skel);

#endif /* __SMCCC_POLICY_MAPS_H */
