/* SPDX-License-Identifier: GPL-2.0 */
/* Loading and attaching the test policy (progs/test_policy.bpf.c). */
#ifndef __SMCCC_E2E_POLICY_H
#define __SMCCC_E2E_POLICY_H

#include <stdint.h>

#include "test_policy.h"
#include "test_policy.skel.h"

struct policy {
	struct test_policy_bpf *skel;
	struct bpf_link *link;
};

/* Opens and loads a test policy for vm_id; NULL + errno on failure. */
struct policy *policy_load(uint64_t vm_id, uint32_t default_action);
/* The same for the VM of vm_fd (vm_id 0, or that VM's id to check it). */
struct policy *policy_load_fd(int vm_fd, uint64_t vm_id, uint32_t default_action);
/* The same, by id, with its handled() program. */
struct policy *policy_load_handled(uint64_t vm_id, uint32_t default_action);
/* Attaches through a link; 0 or -errno. */
int policy_attach(struct policy *p);
/* Sets the rule for func_id; ret may be NULL. */
int policy_rule(struct policy *p, uint32_t func_id, uint32_t action, const uint64_t *ret);
/* Makes handled() give the guest ret instead of KVM's answer to func_id. */
int policy_adjust(struct policy *p, uint32_t func_id, const uint64_t ret[4]);
/* Swaps the policy behind p's link for q's; 0 or -errno. */
int policy_replace(struct policy *p, struct policy *q);
/* Detaches (destroys the link) and frees. NULL is a no-op. */
void policy_free(struct policy *p);

static inline volatile struct test_seen *policy_seen(struct policy *p)
{
	return &p->skel->bss->seen;
}

static inline volatile struct test_handled *policy_handled_seen(struct policy *p)
{
	return &p->skel->bss->handled_seen;
}

#endif
