// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: what changes between two compiled policies.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>

#include "policy_diff.h"
#include "policy_eval.h"
#include "policy_services.h"

#define ID_MAX	0xffffffffull

struct piece {
	uint32_t first;
	uint32_t last;
	const uint32_t *chain;	/* effective chain: cut after the first rule without conditions */
	uint32_t len;
};

struct pieces {
	struct piece *p;
	size_t nr;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static int cmp_exact(const void *a, const void *b)
{
	const struct smccc_exact *x = a, *y = b;

	return x->func_id < y->func_id ? -1 : x->func_id > y->func_id;
}

static int cmp_segment(const void *a, const void *b)
{
	const struct smccc_policy_segment *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Checks one chain and gives its effective length; -1 if malformed. */
static int chain_of(const struct smccc_compiled *c, struct smccc_policy_chain ch,
		    struct piece *p)
{
	uint32_t k;

	if (ch.len > SMCCC_POLICY_MAX_CHAIN_LEN || ch.start > c->nr_chain ||
	    ch.len > c->nr_chain - ch.start)
		return -1;
	p->chain = c->chain + ch.start;
	p->len = ch.len;
	for (k = 0; k < ch.len; k++) {
		if (p->chain[k] >= c->nr_rules)
			return -1;
		if (!c->rules[p->chain[k]].nr_conds) {
			p->len = k + 1;
			break;
		}
	}
	return 0;
}

static void push(struct pieces *ps, uint64_t first, uint64_t last, const struct piece *tmpl)
{
	struct piece *p = &ps->p[ps->nr++];

	*p = *tmpl;
	p->first = (uint32_t)first;
	p->last = (uint32_t)last;
}

/* The ID space 0..0xffffffff as pieces with one chain each (len 0: the default). */
static int make_pieces(const struct smccc_compiled *c, struct pieces *ps)
{
	struct smccc_exact *ex = xmalloc(c->nr_exact * sizeof(*ex));
	struct smccc_policy_segment *seg = xmalloc(c->nr_segments * sizeof(*seg));
	size_t xi = 0, si = 0;
	uint64_t cur = 0;
	struct piece none = { 0, 0, NULL, 0 }, p;
	int err = 0;

	if (c->nr_exact)
		memcpy(ex, c->exact, c->nr_exact * sizeof(*ex));
	if (c->nr_segments)
		memcpy(seg, c->segments, c->nr_segments * sizeof(*seg));
	qsort(ex, c->nr_exact, sizeof(*ex), cmp_exact);
	qsort(seg, c->nr_segments, sizeof(*seg), cmp_segment);
	ps->nr = 0;
	ps->p = xmalloc((2 * ((size_t)c->nr_exact + c->nr_segments) + 1) * sizeof(*ps->p));

	while (cur <= ID_MAX && !err) {
		uint64_t nextx, end;

		while (si < c->nr_segments && seg[si].last < cur)
			si++;
		while (xi < c->nr_exact && ex[xi].func_id < cur)
			xi++;
		nextx = xi < c->nr_exact ? ex[xi].func_id : ID_MAX + 1;
		if (nextx == cur) {
			err = chain_of(c, ex[xi].chain, &p);
			push(ps, cur, cur, &p);
			cur++;
			continue;
		}
		if (si < c->nr_segments && seg[si].first <= cur) {
			end = seg[si].last < nextx - 1 ? seg[si].last : nextx - 1;
			err = chain_of(c, seg[si].chain, &p);
			push(ps, cur, end, &p);
		} else {
			end = si < c->nr_segments ? (uint64_t)seg[si].first - 1 : ID_MAX;
			if (end > nextx - 1)
				end = nextx - 1;
			push(ps, cur, end, &none);
		}
		cur = end + 1;
	}
	free(ex);
	free(seg);
	return err ? -1 : 0;
}

static bool rule_equal(const struct smccc_policy_rule *a, const struct smccc_policy_rule *b)
{
	bool rate = a->flags & SMCCC_POLICY_F_RATE;
	unsigned int k;

	if (a->action != b->action || a->flags != b->flags || a->nr_conds != b->nr_conds)
		return false;
	if (rate && (a->over_action != b->over_action || a->rate != b->rate ||
		     a->period != b->period || a->burst != b->burst))
		return false;
	if ((a->action == SMCCC_BPF_ACT_RETURN ||
	     (rate && a->over_action == SMCCC_BPF_ACT_RETURN)) &&
	    memcmp(a->ret, b->ret, sizeof(a->ret)))
		return false;
	for (k = 0; k < a->nr_conds && k < SMCCC_POLICY_MAX_CONDS; k++) {
		const struct smccc_policy_cond *x = &a->conds[k], *y = &b->conds[k];

		if (x->kind != y->kind || x->reg != y->reg || x->op != y->op ||
		    x->mask != y->mask || x->value != y->value)
			return false;
	}
	return true;
}

static bool falls_through(const struct smccc_compiled *c, const struct piece *p)
{
	return !p->len || c->rules[p->chain[p->len - 1]].nr_conds;
}

/*
 * A piece decided the same way for every call: by the default, or by a
 * first rule without conditions or limit. Fills action, audit and ret.
 */
static bool fixed(const struct smccc_compiled *c, const struct piece *p, uint8_t *action,
		  bool *audit, const __u64 **ret)
{
	const struct smccc_policy_rule *r;

	*ret = NULL;
	if (!p->len) {
		*action = c->config.default_action;
		*audit = c->config.default_audit;
		return true;
	}
	r = &c->rules[p->chain[0]];
	if (r->nr_conds || (r->flags & SMCCC_POLICY_F_RATE))
		return false;
	*action = r->action;
	*audit = r->flags & SMCCC_POLICY_F_AUDIT;
	if (r->action == SMCCC_BPF_ACT_RETURN)
		*ret = r->ret;
	return true;
}

static bool decides_alike(const struct smccc_compiled *oc, const struct piece *op,
			  const struct smccc_compiled *nc, const struct piece *np)
{
	uint8_t oa, na;
	bool oaud, naud;
	const __u64 *oret, *nret;
	uint32_t k;

	/* a rule that does what the default did (or the other way round) changes nothing */
	if (fixed(oc, op, &oa, &oaud, &oret) && fixed(nc, np, &na, &naud, &nret))
		return oa == na && oaud == naud &&
		       (!oret || !nret || !memcmp(oret, nret, 4 * sizeof(*oret))) &&
		       !oret == !nret;
	if (op->len != np->len)
		return false;
	for (k = 0; k < op->len; k++)
		if (!rule_equal(&oc->rules[op->chain[k]], &nc->rules[np->chain[k]]))
			return false;
	if (falls_through(oc, op) &&
	    oc->config.default_action != nc->config.default_action)
		return false;
	return true;
}

static void side_of(const struct smccc_compiled *c, const struct piece *p,
		    struct policy_diff_side *s)
{
	const struct smccc_policy_rule *r;
	uint32_t k;

	memset(s, 0, sizeof(*s));
	if (!p->len) {
		s->kind = POLICY_DIFF_DEFAULT;
		s->action = c->config.default_action;
		return;
	}
	r = &c->rules[p->chain[0]];
	if (!r->nr_conds) {
		s->kind = POLICY_DIFF_RULE;
		s->action = r->action;
		memcpy(s->ret, r->ret, sizeof(s->ret));
		s->limited = r->flags & SMCCC_POLICY_F_RATE;
		if (s->limited) {
			s->over_action = r->over_action;
			s->rate = r->rate;
			s->period = r->period;
			s->burst = r->burst;
		}
		s->nr_rules = 1;
		s->rules[0] = r->id;
		s->line = r->line;
		return;
	}
	s->kind = POLICY_DIFF_CONDITIONAL;
	for (k = 0; k < p->len; k++)
		s->rules[s->nr_rules++] = c->rules[p->chain[k]].id;
	s->falls_through = falls_through(c, p);
	if (s->falls_through)
		s->default_action = c->config.default_action;
}

static bool side_same(const struct policy_diff_side *a, const struct policy_diff_side *b)
{
	return a->kind == b->kind && a->action == b->action &&
	       !memcmp(a->ret, b->ret, sizeof(a->ret)) && a->limited == b->limited &&
	       a->over_action == b->over_action && a->rate == b->rate &&
	       a->period == b->period && a->burst == b->burst &&
	       a->nr_rules == b->nr_rules &&
	       !memcmp(a->rules, b->rules, a->nr_rules * sizeof(a->rules[0])) &&
	       a->falls_through == b->falls_through && a->default_action == b->default_action;
}

int policy_diff(const struct smccc_compiled *old, const struct smccc_compiled *new,
		struct policy_diff *out)
{
	struct pieces po = { NULL, 0 }, pn = { NULL, 0 };
	size_t i = 0, j = 0, cap = 0;
	uint64_t cur = 0;

	memset(out, 0, sizeof(*out));
	out->old_permissive = old->config.permissive;
	out->new_permissive = new->config.permissive;
	out->mode_changed = out->old_permissive != out->new_permissive;
	out->old_discovery = old->config.discovery;
	out->new_discovery = new->config.discovery;
	out->discovery_changed = out->old_discovery != out->new_discovery;
	if (make_pieces(old, &po) || make_pieces(new, &pn)) {
		free(po.p);
		free(pn.p);
		return -1;
	}
	while (cur <= ID_MAX) {
		uint64_t hi;
		struct policy_diff_side so, sn;
		struct policy_diff_entry *e;

		while (po.p[i].last < cur)
			i++;
		while (pn.p[j].last < cur)
			j++;
		hi = po.p[i].last < pn.p[j].last ? po.p[i].last : pn.p[j].last;
		if (smccc_bpf_is_arch_call((uint32_t)cur)) {
			cur = (cur <= SMCCC_BPF_ARCH32_LAST ? SMCCC_BPF_ARCH32_LAST :
			       SMCCC_BPF_ARCH64_LAST) + 1ull;
			continue;
		}
		if (cur < SMCCC_BPF_ARCH32_FIRST && hi >= SMCCC_BPF_ARCH32_FIRST)
			hi = SMCCC_BPF_ARCH32_FIRST - 1;
		else if (cur < SMCCC_BPF_ARCH64_FIRST && hi >= SMCCC_BPF_ARCH64_FIRST)
			hi = SMCCC_BPF_ARCH64_FIRST - 1;

		if (!decides_alike(old, &po.p[i], new, &pn.p[j])) {
			side_of(old, &po.p[i], &so);
			side_of(new, &pn.p[j], &sn);
			e = out->nr ? &out->entries[out->nr - 1] : NULL;
			if (e && (uint64_t)e->last + 1 == cur && side_same(&e->old, &so) &&
			    side_same(&e->new, &sn)) {
				e->last = (uint32_t)hi;
			} else {
				if (out->nr == cap) {
					cap = cap ? 2 * cap : 64;
					out->entries = realloc(out->entries, cap * sizeof(*out->entries));
					if (!out->entries)
						abort();
				}
				e = &out->entries[out->nr++];
				e->first = (uint32_t)cur;
				e->last = (uint32_t)hi;
				e->old = so;
				e->new = sn;
			}
		}
		cur = hi + 1;
	}
	free(po.p);
	free(pn.p);
	return 0;
}

void policy_diff_free(struct policy_diff *d)
{
	free(d->entries);
	memset(d, 0, sizeof(*d));
}

const char *policy_diff_side_format(const struct policy_diff_side *s, char *buf, size_t len)
{
	char a[128], o[128], rt[32];
	size_t pos = 0;
	uint32_t k;

	if (!len)
		return buf;
	buf[0] = '\0';
	switch (s->kind) {
	case POLICY_DIFF_DEFAULT:
		policy_appendf(buf, len, &pos, "%s (default)", policy_action_format(s->action, s->ret, a, sizeof(a)));
		break;
	case POLICY_DIFF_RULE:
		policy_action_format(s->action, s->ret, a, sizeof(a));
		if (s->limited)
			policy_appendf(buf, len, &pos, "%s up to %s burst %llu, then %s", a,
			    policy_rate_format(s->rate, s->period, rt, sizeof(rt)),
			    (unsigned long long)s->burst,
			    policy_action_format(s->over_action, s->ret, o, sizeof(o)));
		else
			policy_appendf(buf, len, &pos, "%s", a);
		policy_appendf(buf, len, &pos, " (rule %u, line %u)", s->rules[0], s->line);
		break;
	case POLICY_DIFF_CONDITIONAL:
		policy_appendf(buf, len, &pos, "depends on conditions (rule%s", s->nr_rules > 1 ? "s" : "");
		for (k = 0; k < s->nr_rules; k++)
			policy_appendf(buf, len, &pos, "%s %u", k ? "," : "", s->rules[k]);
		if (s->falls_through)
			policy_appendf(buf, len, &pos, ", else %s by default",
			    policy_action_format(s->default_action, s->ret, a, sizeof(a)));
		policy_appendf(buf, len, &pos, ")");
		break;
	}
	return buf;
}

size_t policy_diff_print(const struct policy_diff *d, FILE *f)
{
	char o[512], n[512], name[64];
	size_t i, lines = 0;

	if (d->mode_changed) {
		fprintf(f, "mode: %s -> %s\n", d->old_permissive ? "permissive" : "enforce",
			d->new_permissive ? "permissive" : "enforce");
		lines++;
	}
	if (d->discovery_changed) {
		fprintf(f, "discovery: %s -> %s\n", smccc_policy_discovery_name(d->old_discovery),
			smccc_policy_discovery_name(d->new_discovery));
		lines++;
	}
	for (i = 0; i < d->nr; i++) {
		const struct policy_diff_entry *e = &d->entries[i];

		policy_diff_side_format(&e->old, o, sizeof(o));
		policy_diff_side_format(&e->new, n, sizeof(n));
		if (e->first == e->last && smccc_function_name(e->first, name, sizeof(name)))
			fprintf(f, "0x%08x %s: %s -> %s\n", e->first, name, o, n);
		else if (e->first == e->last)
			fprintf(f, "0x%08x: %s -> %s\n", e->first, o, n);
		else
			fprintf(f, "0x%08x-0x%08x: %s -> %s\n", e->first, e->last, o, n);
		lines++;
	}
	return lines;
}
