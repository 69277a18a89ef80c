// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: the reference evaluator.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_eval.h"
#include "policy_parser.h"

bool policy_cond_holds(const struct smccc_policy_cond *cond, const struct policy_call *call)
{
	uint64_t v;

	switch (cond->kind) {
	case SMCCC_POLICY_COND_CONDUIT:
		v = call->conduit;
		break;
	case SMCCC_POLICY_COND_VCPU:
		v = call->vcpu_id;
		break;
	case SMCCC_POLICY_COND_ARG:
		if (cond->reg < 1 || cond->reg > SMCCC_BPF_NR_ARGS)
			return false;
		v = call->args[cond->reg - 1];
		break;
	default:
		return false;
	}
	return smccc_policy_compare(cond, v);
}

uint64_t policy_token_cost(const struct smccc_policy_rule *r)
{
	uint64_t period = r->period ? r->period : 1;
	uint64_t cost;

	if (!r->rate)
		return 1000000000ull;
	cost = period * 1000000000ull / r->rate;	/* period < 2^32: < 2^62 */
	return cost ? cost : 1;
}

uint64_t policy_bucket_cap(const struct smccc_policy_rule *r)
{
	uint64_t burst = r->burst, cost = policy_token_cost(r);

	if (burst < 1)
		burst = 1;
	if (burst > (1ull << 32))
		burst = 1ull << 32;
	return cost > UINT64_MAX / burst ? UINT64_MAX : burst * cost;
}

struct smccc_policy_chain policy_lookup(const struct smccc_compiled *c, uint32_t func_id,
					enum policy_lookup *from)
{
	struct smccc_policy_chain none = { 0, 0 };
	uint32_t lo, hi, step;

	if (smccc_bpf_is_arch_call(func_id)) {
		*from = POLICY_LOOKUP_ARCH;
		return none;
	}
	lo = 0;
	hi = c->nr_exact;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->exact[mid].func_id == func_id) {
			*from = POLICY_LOOKUP_EXACT;
			return c->exact[mid].chain;
		}
		if (c->exact[mid].func_id < func_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* The program's bounded search: at most SMCCC_POLICY_SEARCH_STEPS steps. */
	lo = 0;
	hi = c->nr_segments;
	for (step = 0; step < SMCCC_POLICY_SEARCH_STEPS && lo < hi; step++) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct smccc_policy_segment *s = &c->segments[mid];

		if (func_id < s->first) {
			hi = mid;
		} else if (func_id > s->last) {
			lo = mid + 1;
		} else {
			*from = POLICY_LOOKUP_SEGMENT;
			return s->chain;
		}
	}
	*from = POLICY_LOOKUP_DEFAULT;
	return none;
}

/* The reason of an audited decision, by what the guest gets. */
static uint8_t reason_of(uint8_t action)
{
	switch (action) {
	case SMCCC_BPF_ACT_DENY:
		return SMCCC_POLICY_EV_DENY;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		return SMCCC_POLICY_EV_FORWARD;
	case SMCCC_BPF_ACT_RETURN:
		return SMCCC_POLICY_EV_RETURN;
	}
	return SMCCC_POLICY_EV_LOG;	/* an audited HANDLE */
}

int policy_eval(const struct smccc_compiled *c, const struct policy_call *call,
		unsigned int flags, struct policy_decision *d)
{
	struct smccc_policy_chain ch;
	const struct smccc_policy_rule *r = NULL;
	uint32_t k, j, idx = 0;
	bool audit;

	memset(d, 0, sizeof(*d));
	ch = policy_lookup(c, call->func_id, &d->lookup);
	if (d->lookup == POLICY_LOOKUP_ARCH) {
		d->action = d->decided = SMCCC_BPF_ACT_HANDLE;
		return 0;
	}
	if (ch.len > SMCCC_POLICY_MAX_CHAIN_LEN || ch.start > c->nr_chain ||
	    ch.len > c->nr_chain - ch.start)
		return -1;
	for (k = 0; k < ch.len; k++) {
		const struct smccc_policy_rule *cand;
		bool hold = true;

		idx = c->chain[ch.start + k];
		if (idx >= c->nr_rules)
			return -1;
		cand = &c->rules[idx];
		if (cand->nr_conds > SMCCC_POLICY_MAX_CONDS)
			return -1;
		d->tried[d->nr_tried++] = cand->id;
		for (j = 0; j < cand->nr_conds && hold; j++)
			hold = policy_cond_holds(&cand->conds[j], call);
		if (hold) {
			r = cand;
			break;
		}
	}

	audit = false;
	if (r) {
		d->rule = r->id;
		d->rule_index = idx;
		d->line = r->line;
		d->decided = r->action;
		audit = r->flags & SMCCC_POLICY_F_AUDIT;
		if ((r->flags & SMCCC_POLICY_F_RATE) && (flags & POLICY_EVAL_OVER_LIMIT)) {
			d->decided = r->over_action;
			d->over_limit = true;
		}
		if (d->decided == SMCCC_BPF_ACT_RETURN)
			memcpy(d->ret, r->ret, sizeof(d->ret));
	} else {
		d->decided = c->config.default_action;
		audit = c->config.default_audit;
	}

	/* LOG handles; so would anything the kernel does not know. */
	d->action = d->decided < SMCCC_BPF_NR_ACTIONS ? d->decided : SMCCC_BPF_ACT_HANDLE;
	if (d->over_limit)
		d->reason = SMCCC_POLICY_EV_OVER_LIMIT;
	else if (d->decided == SMCCC_POLICY_ACT_LOG)
		d->reason = SMCCC_POLICY_EV_LOG;
	else if (audit)
		d->reason = reason_of(d->action);
	if (c->config.permissive && d->action != SMCCC_BPF_ACT_HANDLE) {
		d->action = SMCCC_BPF_ACT_HANDLE;
		if (!d->over_limit)
			d->reason = SMCCC_POLICY_EV_PERMISSIVE;
	}
	d->event = d->reason != 0;
	return 0;
}

static int cmp_exact(const void *a, const void *b)
{
	const struct smccc_exact *x = a, *y = b;

	return x->func_id < y->func_id ? -1 : x->func_id > y->func_id;
}

void policy_compiled_sort(struct smccc_compiled *c)
{
	if (c->nr_exact)
		qsort(c->exact, c->nr_exact, sizeof(*c->exact), cmp_exact);
}

static int fmt_value(char *buf, size_t len, uint64_t v)
{
	if ((int64_t)v < 0 && (int64_t)v >= -4096)
		return snprintf(buf, len, "%lld", (long long)(int64_t)v);
	if (v < 10)
		return snprintf(buf, len, "%llu", (unsigned long long)v);
	return snprintf(buf, len, "0x%llx", (unsigned long long)v);
}

void policy_appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + n < len ? *pos + n : len - 1;
}

const char *policy_rate_format(__u64 rate, __u32 period, char *buf, size_t len)
{
	snprintf(buf, len, "%llu/%s", (unsigned long long)rate, period == 60 ? "min" : "s");
	return buf;
}

const char *policy_action_format(uint8_t action, const __u64 ret[4], char *buf, size_t len)
{
	size_t pos = 0;
	int n, k;
	char v[32];

	if (!len)
		return buf;
	buf[0] = '\0';
	policy_appendf(buf, len, &pos, "%s", policy_action_name(action));
	if (action != SMCCC_BPF_ACT_RETURN)
		return buf;
	for (n = 4; n > 1 && !ret[n - 1]; n--)
		;
	for (k = 0; k < n; k++) {
		fmt_value(v, sizeof(v), ret[k]);
		policy_appendf(buf, len, &pos, "%s%s", k ? ", " : " ", v);
	}
	return buf;
}

const char *policy_rule_format(const struct smccc_policy_rule *r, char *buf, size_t len)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	size_t pos = 0;
	char v[32], m[32], a[128], rt[32];
	unsigned int k;

	if (!len)
		return buf;
	buf[0] = '\0';
	policy_appendf(buf, len, &pos, "%s", policy_action_format(r->action, r->ret, a, sizeof(a)));
	for (k = 0; k < r->nr_conds && k < SMCCC_POLICY_MAX_CONDS; k++) {
		const struct smccc_policy_cond *c = &r->conds[k];
		const char *op = c->op < 6 ? ops[c->op] : "?";

		policy_appendf(buf, len, &pos, "%s", k ? " and " : " if ");
		fmt_value(v, sizeof(v), c->value);
		switch (c->kind) {
		case SMCCC_POLICY_COND_CONDUIT:
			policy_appendf(buf, len, &pos, "conduit %s %s", op,
			    c->value == SMCCC_BPF_CONDUIT_HVC ? "hvc" :
			    c->value == SMCCC_BPF_CONDUIT_SMC ? "smc" : v);
			break;
		case SMCCC_POLICY_COND_VCPU:
			policy_appendf(buf, len, &pos, "vcpu %s %s", op, v);
			break;
		default:
			if (c->mask != ~0ull) {
				snprintf(m, sizeof(m), "0x%llx", (unsigned long long)c->mask);
				policy_appendf(buf, len, &pos, "x%u & %s %s %s", c->reg, m, op, v);
			} else {
				policy_appendf(buf, len, &pos, "x%u %s %s", c->reg, op, v);
			}
		}
	}
	if (r->flags & SMCCC_POLICY_F_RATE)
		policy_appendf(buf, len, &pos, " limit %s burst %llu then %s",
		    policy_rate_format(r->rate, r->period, rt, sizeof(rt)),
		    (unsigned long long)r->burst,
		    policy_action_format(r->over_action, r->ret, a, sizeof(a)));
	return buf;
}

const char *policy_event_reason_name(uint8_t reason)
{
	switch (reason) {
	case SMCCC_POLICY_EV_DENY:
		return "deny";
	case SMCCC_POLICY_EV_FORWARD:
		return "forward";
	case SMCCC_POLICY_EV_OVER_LIMIT:
		return "over-limit";
	case SMCCC_POLICY_EV_LOG:
		return "log";
	case SMCCC_POLICY_EV_RETURN:
		return "return";
	case SMCCC_POLICY_EV_PERMISSIVE:
		return "permissive";
	}
	return "none";
}
