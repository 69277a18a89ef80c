// SPDX-License-Identifier: GPL-2.0
/*
 * The differential guest fuzzer's oracle (fuzz_oracle.h). The policy's
 * decision comes from the reference evaluator; what the kernel makes of it
 * is written out here from the kernel's documentation of the ceiling, not
 * shared with the kernel or the BPF program, so that a bug on either side
 * shows up as a mismatch.
 */
#include <stdlib.h>
#include <string.h>

#include "smccc_bpf.h"
#include "fuzz_oracle.h"

#define PSCI_VERSION		0x84000000u
#define PSCI_FN_FIRST		0x84000000u
#define PSCI_FN_LAST		0x8400001fu
#define TRNG_VERSION		0x84000050u
#define SMC64_BIT		0x40000000u
/*
 * Answered by the hyp vectors' fast path for an HVC with any immediate
 * (arch/arm64/kvm/hyp/hyp-entry.S, el1_sync), before any handler.
 */
#define ARCH_WORKAROUND_1	0x80008000u
#define ARCH_WORKAROUND_2	0x80007fffu
#define ARCH_WORKAROUND_3	0x80003fffu
#define PSCI_0_2		0x00000002ull
#define PSCI_1_0		0x00010000ull
#define PSCI_1_1		0x00010001ull
#define TRNG_1_0		0x00010000ull

static const uint64_t deny_regs[4] = { SMCCC_BPF_RET_NOT_SUPPORTED, 0, 0, 0 };

int fuzz_oracle_init(struct fuzz_oracle *o, const struct smccc_compiled *c, bool exits)
{
	uint32_t i;

	memset(o, 0, sizeof(*o));
	o->c = c;
	o->exits = exits;
	o->left = calloc(c->nr_rules ? c->nr_rules : 1, sizeof(*o->left));
	if (!o->left)
		return -1;
	/* A bucket starts full: burst calls (0 counts as 1, at most 2^32). */
	for (i = 0; i < c->nr_rules; i++) {
		uint64_t burst = c->rules[i].burst;

		o->left[i] = burst < 1 ? 1 : burst > (1ull << 32) ? 1ull << 32 : burst;
	}
	return 0;
}

void fuzz_oracle_free(struct fuzz_oracle *o)
{
	free(o->left);
	o->left = NULL;
}

static bool is_arch(uint32_t func_id)
{
	return smccc_bpf_is_arch_call(func_id);
}

void fuzz_oracle_callee_args(struct policy_call *call)
{
	int i;

	if (call->func_id & SMC64_BIT)
		return;
	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++)
		call->args[i] &= 0xffffffffull;
}

/* kvm_smccc_bpf_reserved(): KVM answers these whatever a policy decides. */
static bool is_reserved(const struct policy_call *call)
{
	return is_arch(call->func_id) ||
	       (call->func_id == SMCCC_BPF_PSCI_FEATURES && is_arch((uint32_t)call->args[0]));
}

/* kvm_smccc_bpf_is_discovery() */
static bool is_discovery(const struct policy_call *call)
{
	switch (call->func_id) {
	case PSCI_VERSION:
	case TRNG_VERSION:
	case SMCCC_BPF_TRNG_FEATURES:
	case SMCCC_BPF_KVM_FEATURES:
		return true;
	case SMCCC_BPF_PSCI_FEATURES:
	case SMCCC_BPF_ARCH_FEATURES:
		return !is_arch((uint32_t)call->args[0]);
	default:
		return false;
	}
}

/* A policy may not answer a PSCI function PSCI 1.1 lacks (kvm_smccc_bpf_psci_has()). */
static bool psci_has(uint32_t func_id)
{
	uint32_t fn = func_id & ~SMC64_BIT;

	if (fn < PSCI_FN_FIRST || fn > PSCI_FN_LAST)
		return true;
	return fn - PSCI_FN_FIRST <= FUZZ_PSCI_1_1_LAST_FN;
}

bool fuzz_oracle_absent(uint64_t x0)
{
	return (uint32_t)x0 == 0xffffffffu;
}

/*
 * Keeps from a proposed answer to a discovery call only what hides
 * something (the kernel doc's table "kept from the policy's answer").
 */
static void hide(uint32_t func_id, uint64_t answer[4], const uint64_t proposed[4])
{
	int i;

	switch (func_id) {
	case PSCI_VERSION:
		if (!fuzz_oracle_absent(answer[0]) &&
		    (proposed[0] == PSCI_0_2 || proposed[0] == PSCI_1_0 ||
		     proposed[0] == PSCI_1_1) && proposed[0] <= answer[0])
			answer[0] = proposed[0];
		break;
	case TRNG_VERSION:
		if (fuzz_oracle_absent(proposed[0]))
			answer[0] = SMCCC_BPF_RET_NOT_SUPPORTED;
		else if (!fuzz_oracle_absent(answer[0]) && proposed[0] >= TRNG_1_0 &&
			 proposed[0] <= answer[0])
			answer[0] = proposed[0];
		break;
	case SMCCC_BPF_PSCI_FEATURES:
	case SMCCC_BPF_ARCH_FEATURES:
	case SMCCC_BPF_TRNG_FEATURES:
		if (fuzz_oracle_absent(proposed[0]))
			answer[0] = SMCCC_BPF_RET_NOT_SUPPORTED;
		break;
	case SMCCC_BPF_KVM_FEATURES:
		for (i = 0; i < 4; i++)
			answer[i] &= proposed[i];
		break;
	}
}

bool fuzz_oracle_hides(const struct fuzz_oracle *o, const struct policy_call *query,
		       uint32_t func_id)
{
	struct policy_decision d;
	struct policy_call q;

	if (o->c->config.permissive || is_arch(func_id))
		return false;
	memset(&q, 0, sizeof(q));
	q.func_id = func_id;
	q.conduit = query->conduit;
	q.vcpu_id = query->vcpu_id;
	/* The rule that would decide, whatever its bucket holds. */
	if (policy_eval(o->c, &q, 0, &d))
		return false;
	return d.decided == SMCCC_BPF_ACT_DENY;
}

/* What `discovery hide-denied` proposes, from the answer so far (smccc_policy_discovery()). */
static void hide_denied(const struct fuzz_oracle *o, const struct policy_call *call,
			uint64_t ret[4])
{
	uint32_t i;

	switch (call->func_id) {
	case SMCCC_BPF_ARCH_FEATURES:
	case SMCCC_BPF_PSCI_FEATURES:
	case SMCCC_BPF_TRNG_FEATURES:
		if ((int64_t)ret[0] >= 0 && fuzz_oracle_hides(o, call, (uint32_t)call->args[0]))
			ret[0] = SMCCC_BPF_RET_NOT_SUPPORTED;
		break;
	case SMCCC_BPF_KVM_FEATURES:
		for (i = 0; i < SMCCC_BPF_KVM_NR_FUNCS; i++) {
			uint64_t bit = 1ull << (i & 31);

			if ((ret[i >> 5] & bit) &&
			    fuzz_oracle_hides(o, call, SMCCC_BPF_KVM_FUNC_BASE | i))
				ret[i >> 5] &= ~bit;
		}
		break;
	}
}

static int predict(struct fuzz_oracle *o, const struct policy_call *guest, uint16_t imm,
		   struct fuzz_expect *e, bool take)
{
	const struct smccc_policy_rule *r;
	struct policy_call call = *guest;
	uint8_t action;

	memset(e, 0, sizeof(*e));
	e->kind = FUZZ_REFERENCE;
	/* Never dispatched: KVM answers these as it would without a policy. */
	if (call.conduit == SMCCC_BPF_CONDUIT_SMC && imm)
		return 0;
	if (call.conduit == SMCCC_BPF_CONDUIT_HVC &&
	    (call.func_id == ARCH_WORKAROUND_1 || call.func_id == ARCH_WORKAROUND_2 ||
	     call.func_id == ARCH_WORKAROUND_3))
		return 0;

	fuzz_oracle_callee_args(&call);
	if (policy_eval(o->c, &call, 0, &e->d))
		return -1;
	e->reached = true;
	if (e->d.rule) {
		r = &o->c->rules[e->d.rule_index];
		if (r->flags & SMCCC_POLICY_F_RATE) {
			if (o->left[e->d.rule_index]) {
				o->left[e->d.rule_index] -= take;
			} else {
				if (policy_eval(o->c, &call, POLICY_EVAL_OVER_LIMIT, &e->d))
					return -1;
				e->refills_after_ns = policy_token_cost(r);
			}
		}
	}

	/*
	 * KVM's answer whatever the policy decided; but SMCCC_ARCH_FEATURES
	 * about a function outside the arch range (PV time) is still a
	 * discovery call that `discovery hide-denied` may hide.
	 */
	e->discovery = is_discovery(&call);
	if (is_reserved(&call)) {
		e->reserved = true;
		return 0;
	}
	action = e->d.action;
	switch (action) {
	case SMCCC_BPF_ACT_DENY:
		break;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		if (o->exits) {
			e->kind = FUZZ_FORWARD;
			return 0;
		}
		break;	/* an exit the VMM did not ask for: DENY */
	case SMCCC_BPF_ACT_RETURN:
		if (!psci_has(call.func_id))
			break;
		if (e->discovery) {
			/* KVM answers anyway; the values only count where they hide. */
			e->returned = true;
			memcpy(e->proposed, e->d.ret, sizeof(e->proposed));
			return 0;
		}
		e->kind = FUZZ_REGS;
		memcpy(e->x, e->d.ret, sizeof(e->x));
		return 0;
	default:
		return 0;	/* HANDLE (log included): KVM's answer */
	}
	e->kind = FUZZ_REGS;
	e->discovery = false;
	memcpy(e->x, deny_regs, sizeof(e->x));
	return 0;
}

int fuzz_oracle_call(struct fuzz_oracle *o, const struct policy_call *call, uint16_t imm,
		     struct fuzz_expect *e)
{
	return predict(o, call, imm, e, true);
}

int fuzz_oracle_peek(struct fuzz_oracle *o, const struct policy_call *call, uint16_t imm,
		     struct fuzz_expect *e)
{
	return predict(o, call, imm, e, false);
}

void fuzz_oracle_adjust(const struct fuzz_oracle *o, const struct policy_call *guest,
			const struct fuzz_expect *e, const uint64_t ref[4], uint64_t out[4])
{
	struct policy_call call = *guest;
	uint64_t proposed[4];

	memcpy(out, ref, 4 * sizeof(*out));
	if (e->kind != FUZZ_REFERENCE || !e->discovery)
		return;
	fuzz_oracle_callee_args(&call);
	if (e->returned)
		hide(call.func_id, out, e->proposed);
	if (o->c->config.discovery == SMCCC_POLICY_DISCOVERY_HIDE_DENIED) {
		memcpy(proposed, out, sizeof(proposed));
		hide_denied(o, &call, proposed);
		hide(call.func_id, out, proposed);
	}
}
