/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential guest fuzzer's oracle: what a guest gets for one SMCCC
 * call on a VM with a compiled policy attached, predicted from the
 * reference evaluator (loader/policy_eval.c) and the kernel's ceiling
 * (Documentation/virt/kvm/arm/smccc-bpf.rst in kernel/patches, code in
 * arch/arm64/kvm/smccc_bpf{,_bounds}.c).
 *
 * The VM it models is the fuzzer's: created by libvmm with PSCI 1.1, no
 * SMCCC filter, the firmware pseudo-registers left at KVM's defaults, no
 * host-wide default policy, and policy exits on or off
 * (SMCCC_BPF_FLAG_EXITS). Under that configuration KVM's own action is
 * HANDLE for every call, so what KVM would answer without a policy is
 * what a second, policy-free VM answers (the "reference" answer): the
 * oracle says when it needs one and how to adjust it.
 *
 * Rate limits: the oracle keeps each limited rule's bucket as a count of
 * calls left (it starts full, burst calls); it never refills, so a limited
 * rule whose bucket emptied is only predictable until its first token
 * comes back (fuzz_expect.refills_after_ns after the policy was attached).
 */
#ifndef __SMCCC_FUZZ_ORACLE_H
#define __SMCCC_FUZZ_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy_compiled.h"
#include "policy_eval.h"

/* The last PSCI function number of PSCI 1.1 (MEM_PROTECT_CHECK_RANGE). */
#define FUZZ_PSCI_1_1_LAST_FN	0x14

enum fuzz_answer {
	FUZZ_REGS,		/* x0..x3 = fuzz_expect.x */
	FUZZ_REFERENCE,		/* the reference VM's answer, then fuzz_oracle_adjust() */
	FUZZ_FORWARD,		/* a KVM_EXIT_HYPERCALL with nr = func_id */
};

struct fuzz_expect {
	enum fuzz_answer kind;
	uint64_t x[4];			/* FUZZ_REGS */
	bool reached;			/* the policy decided the call (it is counted) */
	bool reserved;			/* KVM's whatever the policy decided */
	bool discovery;			/* a discovery call: the answer is adjusted */
	bool returned;			/* ... with the policy's return values proposed */
	uint64_t proposed[4];
	/* A limited rule decided over its limit: a later token may change it. */
	uint64_t refills_after_ns;	/* 0: no refill can change the answer */
	struct policy_decision d;	/* the policy's decision (valid if reached) */
};

struct fuzz_oracle {
	const struct smccc_compiled *c;
	bool exits;			/* the VMM opted in to policy exits */
	uint64_t *left;			/* calls left in each rule's bucket (index = rule index) */
};

/* 0, or -1 if out of memory. c must stay valid until fuzz_oracle_free(). */
int fuzz_oracle_init(struct fuzz_oracle *o, const struct smccc_compiled *c, bool exits);
void fuzz_oracle_free(struct fuzz_oracle *o);

/*
 * The call as the policy sees it: x1..x17 with their upper 32 bits cleared
 * for an SMC32/HVC32 function ID (bit 30 clear), as the kernel passes them.
 */
void fuzz_oracle_callee_args(struct policy_call *call);

/*
 * Predicts one call, in the order the guest makes them (it takes tokens
 * as the program does). call->args as the guest wrote them; imm is the
 * HVC/SMC immediate. 0, or -1 if the compiled policy is malformed.
 */
int fuzz_oracle_call(struct fuzz_oracle *o, const struct policy_call *call, uint16_t imm,
		     struct fuzz_expect *e);

/* The same prediction, taking no token: what fuzz_oracle_call() would say. */
int fuzz_oracle_peek(struct fuzz_oracle *o, const struct policy_call *call, uint16_t imm,
		     struct fuzz_expect *e);

/*
 * For FUZZ_REFERENCE: what the guest gets, from the reference VM's answer
 * ref[0..3] (KVM's answer to the same call on the same vCPU id).
 */
void fuzz_oracle_adjust(const struct fuzz_oracle *o, const struct policy_call *call,
			const struct fuzz_expect *e, const uint64_t ref[4], uint64_t out[4]);

/* x0 says NOT_SUPPORTED (its lower 32 bits, as KVM compares them). */
bool fuzz_oracle_absent(uint64_t x0);

/* Whether the policy hides func_id from discovery (smccc_policy_hides()). */
bool fuzz_oracle_hides(const struct fuzz_oracle *o, const struct policy_call *query,
		       uint32_t func_id);

#endif /* __SMCCC_FUZZ_ORACLE_H */
