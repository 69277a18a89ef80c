/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: the reference evaluator.
 *
 * What the policy program does for one call, computed from the compiled
 * policy (the map contents) in plain C: look the function ID up in the
 * exact IDs, else binary-search the segments, else take the default; try
 * the chain's rules in order; the first whose conditions all hold decides.
 * Used by "policy explain" and to cross-check bpf/policy.bpf.c.
 *
 * Reference semantics (those of bpf/policy_decide.bpf.h):
 *  - the architecture range: KVM answers, the policy is not consulted:
 *    HANDLE, rule 0, no event;
 *  - a rate-limited rule over its limit decides its over_action and emits
 *    SMCCC_POLICY_EV_OVER_LIMIT (the evaluator has no clock:
 *    POLICY_EVAL_OVER_LIMIT says the deciding rule's bucket is empty);
 *  - a LOG decision emits EV_LOG; a rule with SMCCC_POLICY_F_AUDIT, or the
 *    default with default_audit, emits EV_DENY, EV_FORWARD, EV_RETURN (or
 *    EV_LOG for a HANDLE) by what the guest gets;
 *  - permissive mode: the guest always gets HANDLE; a decision of deny,
 *    forward or return emits EV_PERMISSIVE (log and over-limit keep their
 *    reasons).
 */
#ifndef __SMCCC_POLICY_EVAL_H
#define __SMCCC_POLICY_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy_compiled.h"

struct policy_call {
	uint32_t func_id;	/* x0 */
	uint8_t conduit;	/* SMCCC_BPF_CONDUIT_SMC or _HVC */
	uint32_t vcpu_id;
	uint64_t args[SMCCC_BPF_NR_ARGS];	/* x1..x17 */
};

#define POLICY_EVAL_OVER_LIMIT	(1u << 0)	/* the deciding rule is over its rate limit */

enum policy_lookup {
	POLICY_LOOKUP_DEFAULT,	/* neither an exact ID nor in a segment */
	POLICY_LOOKUP_EXACT,
	POLICY_LOOKUP_SEGMENT,
	POLICY_LOOKUP_ARCH,	/* the architecture range: never looked up */
};

struct policy_decision {
	uint8_t action;		/* what the guest gets: SMCCC_BPF_ACT_* */
	uint8_t decided;	/* what the policy decided: SMCCC_BPF_ACT_* or SMCCC_POLICY_ACT_LOG */
	bool event;		/* an event is emitted */
	uint8_t reason;		/* SMCCC_POLICY_EV_* when event */
	bool over_limit;	/* decided by a rule's over-limit action */
	uint32_t rule;		/* deciding rule's id (1-based), 0: default or architecture */
	uint32_t rule_index;	/* its index in rules[] (valid when rule != 0) */
	uint32_t line;		/* its source line, 0 for the default */
	__u64 ret[4];		/* x0..x3 when decided == SMCCC_BPF_ACT_RETURN */
	enum policy_lookup lookup;
	uint32_t nr_tried;	/* chain rules tried, in order (the last decided if rule != 0) */
	uint32_t tried[SMCCC_POLICY_MAX_CHAIN_LEN];	/* their ids */
};

/*
 * Decide one call. c->exact must be sorted by func_id (policy_compile()
 * output is; see policy_compiled_sort()). Returns 0, or -1 if the compiled
 * policy is malformed (a chain or rule index out of bounds).
 */
int policy_eval(const struct smccc_compiled *c, const struct policy_call *call,
		unsigned int flags, struct policy_decision *d);

/* The chain for one function ID and where it came from (no chain: len 0). */
struct smccc_policy_chain policy_lookup(const struct smccc_compiled *c, uint32_t func_id,
					enum policy_lookup *from);

/*
 * A rate-limited rule's token bucket, in the program's arithmetic
 * (smccc_policy_take_token()): tokens are nanoseconds, a call costs one
 * period divided by the rate, at least 1 (rate 0, no refill: 1 s), and the
 * bucket holds burst calls' worth (burst 0 is 1, over 2^32 is 2^32),
 * UINT64_MAX when that does not fit: it saturates, never wraps. The
 * compiler keeps it within 2^63.
 */
uint64_t policy_token_cost(const struct smccc_policy_rule *r);
uint64_t policy_bucket_cap(const struct smccc_policy_rule *r);

/* Whether one condition holds for a call. */
bool policy_cond_holds(const struct smccc_policy_cond *cond, const struct policy_call *call);

/* Sort exact[] by func_id, for a policy read back from the maps. */
void policy_compiled_sort(struct smccc_compiled *c);

/*
 * A compiled rule as policy text, without its matches (the compiled form
 * has none): "deny if x1 & 0xff == 0x3 limit 10/s burst 10 then deny".
 * Returns buf.
 */
const char *policy_rule_format(const struct smccc_policy_rule *r, char *buf, size_t len);

/* A rule's limit as written: "10/s", "120/min". Returns buf. */
const char *policy_rate_format(__u64 rate, __u32 period, char *buf, size_t len);

/* "deny", "return 0x0, 0x1, 0x0, 0x0", ... Returns buf. */
const char *policy_action_format(uint8_t action, const __u64 ret[4], char *buf, size_t len);

/* The name of an event reason, "deny" ... "permissive". */
const char *policy_event_reason_name(uint8_t reason);

/* snprintf that appends at *pos and never overruns buf[len] */
void policy_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* __SMCCC_POLICY_EVAL_H */
