/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The compiled form of a smccc-bpf policy: what the policy compiler
 * (loader/) writes into the maps of the generic policy program
 * (bpf/policy.bpf.c), and what the CLI reads back (statistics, events).
 * Shared by BPF and userspace: fixed-size types only, explicit padding.
 *
 * Matching: rules are tried in source order; the first rule whose function
 * IDs contain the call's and whose conditions all hold decides. The
 * compiler turns the rule list into per-ID "chains" of candidate rule
 * indexes (source order, cut after the first rule without conditions):
 *
 *   exact_ids  hash   func_id -> struct smccc_policy_chain   (IDs named alone)
 *   segments   array  sorted, disjoint [first, last] ID intervals covering
 *                     every ID some range rule names, each with its chain;
 *                     searched by a binary search of at most
 *                     SMCCC_POLICY_SEARCH_STEPS steps
 *   chain      array  rule indexes, chains are slices of it
 *   rules      array  struct smccc_policy_rule
 *
 * An ID found in neither gets the policy's default action. Exact IDs win
 * over segments: the compiler folds every range rule covering an exact ID
 * into that ID's chain, in source order.
 *
 * What the program records (maps of bpf/policy_decide.bpf.h, by name):
 *
 *   stats      per-CPU hash  struct smccc_policy_stats_key -> __u64 calls
 *   rate       hash          struct smccc_policy_rate_key -> struct smccc_policy_bucket
 *   events     ring buffer   struct smccc_policy_event
 *   dropped    per-CPU array SMCCC_POLICY_DROP_* -> __u64, what could not be recorded
 */
#ifndef __SMCCC_POLICY_H
#define __SMCCC_POLICY_H

#ifndef __bpf__
#include <linux/bpf.h>	/* struct bpf_spin_lock */
#include <linux/types.h>
#endif

#include "smccc_bpf.h"

#define SMCCC_POLICY_MAX_RULES		(128 * 1024)
#define SMCCC_POLICY_MAX_EXACT		(128 * 1024)
#define SMCCC_POLICY_MAX_SEGMENTS	(256 * 1024)	/* 2^18 */
#define SMCCC_POLICY_SEARCH_STEPS	19		/* ceil(log2(MAX_SEGMENTS)) + 1 */
#define SMCCC_POLICY_MAX_CHAIN		(512 * 1024)
#define SMCCC_POLICY_MAX_CHAIN_LEN	16	/* candidates tried per call */
#define SMCCC_POLICY_MAX_CONDS		4	/* conditions per rule */
#define SMCCC_POLICY_STATS_ENTRIES	65536	/* (vm, func_id, action) keys */
#define SMCCC_POLICY_RATE_ENTRIES	65536	/* (vm, rule) token buckets */
#define SMCCC_POLICY_EVENTS_BYTES	(1024 * 1024)

/* Actions of the language beyond the kernel's SMCCC_BPF_ACT_*. */
#define SMCCC_POLICY_ACT_LOG		16	/* handle, and emit an event */

/* smccc_policy_rule.flags */
#define SMCCC_POLICY_F_AUDIT		(1u << 0)	/* emit an event when it decides */
#define SMCCC_POLICY_F_RATE		(1u << 1)	/* rate limited */

/* smccc_policy_cond.kind */
#define SMCCC_POLICY_COND_CONDUIT	1	/* value: SMCCC_BPF_CONDUIT_* */
#define SMCCC_POLICY_COND_VCPU		2	/* value: vcpu_id */
#define SMCCC_POLICY_COND_ARG		3	/* (x<reg> & mask) OP value, reg 1..17 */

/*
 * smccc_policy_cond.op: unsigned comparisons of (operand & mask) with value,
 * for every kind: the compiler sets mask to all ones when nothing is masked
 * (conduit, vcpu, a whole register).
 */
#define SMCCC_POLICY_OP_EQ		0
#define SMCCC_POLICY_OP_NE		1
#define SMCCC_POLICY_OP_LT		2
#define SMCCC_POLICY_OP_LE		3
#define SMCCC_POLICY_OP_GT		4
#define SMCCC_POLICY_OP_GE		5

struct smccc_policy_cond {
	__u8 kind;
	__u8 reg;
	__u8 op;
	__u8 pad[5];
	__u64 mask;
	__u64 value;
};

/*
 * (operand & cond->mask) OP cond->value, unsigned: the one definition shared
 * by the policy program and the reference evaluator (policy explain).
 */
static inline __attribute__((always_inline)) int
smccc_policy_compare(const struct smccc_policy_cond *cond, __u64 operand)
{
	__u64 v = operand & cond->mask;

	switch (cond->op) {
	case SMCCC_POLICY_OP_EQ:
		return v == cond->value;
	case SMCCC_POLICY_OP_NE:
		return v != cond->value;
	case SMCCC_POLICY_OP_LT:
		return v < cond->value;
	case SMCCC_POLICY_OP_LE:
		return v <= cond->value;
	case SMCCC_POLICY_OP_GT:
		return v > cond->value;
	case SMCCC_POLICY_OP_GE:
		return v >= cond->value;
	}
	return 0;
}

struct smccc_policy_rule {
	__u32 id;		/* 1-based rule number in the source, reported in events */
	__u32 line;		/* source line, for explain and events */
	__u8 action;		/* SMCCC_BPF_ACT_* or SMCCC_POLICY_ACT_LOG */
	__u8 over_action;	/* action once over the rate limit */
	__u8 nr_conds;
	__u8 flags;		/* SMCCC_POLICY_F_* */
	__u32 period;		/* seconds (1 or 60; 0 means 1) in which rate calls pass */
	__u64 rate;		/* calls per period */
	__u64 burst;		/* bucket size, in calls */
	__u64 ret[4];		/* x0..x3 for SMCCC_BPF_ACT_RETURN */
	struct smccc_policy_cond conds[SMCCC_POLICY_MAX_CONDS];
};

struct smccc_policy_chain {
	__u32 start;		/* index into the chain map */
	__u32 len;		/* <= SMCCC_POLICY_MAX_CHAIN_LEN */
};

struct smccc_policy_segment {
	__u32 first;		/* function IDs first..last, inclusive */
	__u32 last;
	struct smccc_policy_chain chain;
};

/* Policy-wide settings (the program's .rodata, set before load). */
struct smccc_policy_config {
	__u32 nr_segments;
	__u8 default_action;	/* SMCCC_BPF_ACT_* or SMCCC_POLICY_ACT_LOG */
	__u8 permissive;	/* decide, record, but always handle */
	__u8 default_audit;	/* emit events for calls no rule matched */
	__u8 discovery;		/* SMCCC_POLICY_DISCOVERY_* */
};

/*
 * smccc_policy_config.discovery: what the program's handled() does with
 * KVM's answers to discovery calls (SMCCC_BPF_*_FEATURES).
 *   KEEP         nothing: the program has no handled() (the default)
 *   HIDE_DENIED  a function the policy denies is reported absent: its bit
 *                of the answer is cleared, every other bit stays KVM's
 */
#define SMCCC_POLICY_DISCOVERY_KEEP		0
#define SMCCC_POLICY_DISCOVERY_HIDE_DENIED	1

static inline const char *smccc_policy_discovery_name(__u8 discovery)
{
	return discovery == SMCCC_POLICY_DISCOVERY_HIDE_DENIED ? "hide-denied" : "keep";
}

/* Per-CPU statistics: one counter per (VM, function ID, effective action). */
struct smccc_policy_stats_key {
	__u64 vm_id;
	__u32 func_id;
	__u8 action;		/* what the guest got: SMCCC_BPF_ACT_* */
	__u8 pad[3];
};

/* Token bucket of one rule in one VM. */
struct smccc_policy_bucket {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 tokens;		/* in nanoseconds' worth of tokens: calls * 1e9 / rate */
	__u64 last_ns;
};

struct smccc_policy_rate_key {
	__u64 vm_id;
	__u32 rule;		/* index in the rules map */
	__u32 pad;
};

/*
 * Index of the per-CPU "dropped" array: records the program could not make.
 * A rate-limited call whose bucket cannot be created (map full) gets the
 * rule's over_action: a limit fails closed.
 */
#define SMCCC_POLICY_DROP_STATS		0	/* stats map full */
#define SMCCC_POLICY_DROP_EVENTS	1	/* ring buffer full */
#define SMCCC_POLICY_DROP_RATE		2	/* rate map full */
#define SMCCC_POLICY_NR_DROP		3

/*
 * Why an event was emitted (smccc_policy_event.reason). The program emits
 * one for every LOG decision; for every decision of a rule with
 * SMCCC_POLICY_F_AUDIT, or of the default action with default_audit (by
 * what was decided: DENY, FORWARD, RETURN, and LOG for a HANDLE); for every
 * call over its rate limit (OVER_LIMIT); and in permissive mode for every
 * deny, forward or return (PERMISSIVE; over-limit and log keep their
 * reason). Arm Architecture Calls are counted as HANDLE, never reported.
 */
#define SMCCC_POLICY_EV_DENY		1
#define SMCCC_POLICY_EV_FORWARD		2
#define SMCCC_POLICY_EV_OVER_LIMIT	3
#define SMCCC_POLICY_EV_LOG		4
#define SMCCC_POLICY_EV_RETURN		5
#define SMCCC_POLICY_EV_PERMISSIVE	6	/* would have been denied/forwarded/... */

/* Audit event (ring buffer "events"). */
struct smccc_policy_event {
	__u64 time_ns;		/* bpf_ktime_get_ns() */
	__u64 vm_id;
	__u32 vcpu_id;
	__u32 func_id;
	__u16 conduit;
	__u16 imm;
	__u32 rule;		/* smccc_policy_rule.id, 0 for the default action */
	__u8 action;		/* what the guest got: SMCCC_BPF_ACT_* */
	__u8 decided;		/* what the policy decided: SMCCC_BPF_ACT_* or
				   SMCCC_POLICY_ACT_LOG (differs in permissive mode) */
	__u8 reason;		/* SMCCC_POLICY_EV_* */
	__u8 pad[5];
	__u64 args[3];		/* x1..x3 */
};

#endif /* __SMCCC_POLICY_H */
