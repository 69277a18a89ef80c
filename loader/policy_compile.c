// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: the compiler (struct policy_ast to struct
 * smccc_compiled).
 *
 *  1. each rule becomes a struct smccc_policy_rule; its matches become
 *     exact (ID, rule) pairs and (first, last, rule) ranges, checked
 *     against the architecture range;
 *  2. the pairs are sorted by ID, the range ends by position, and one sweep
 *     keeps the set of rules covering the current position in a
 *     hierarchical bitmap: each stretch between two range ends becomes a
 *     segment (merged with its left neighbour when the chain is the same),
 *     each exact ID an entry whose chain merges its own rules with the
 *     range rules covering it. A chain is the covering rules in source
 *     order up to and including the first one without conditions;
 *     identical chains share one slice of the chain map;
 *  3. a rule that no chain reaches (every ID it names is decided by
 *     earlier rules without conditions) is reported as shadowed, with
 *     range minimum/maximum queries over the chain cut points;
 *  4. KVM's vendor hypervisor range must move to the VMM or the policy as
 *     a whole or not at all: the pieces of it (its exact entries, and the
 *     segments and gaps between them) are compared by what their chains
 *     and the default decide.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy_compile.h"
#include "policy_eval.h"
#include "policy_services.h"

#define ARCH_MSG "the SMCCC architecture range (0x80000000-0x8000ffff, 0xc0000000-0xc000ffff) is KVM's; a policy cannot change it"
#define NO_CUT		UINT32_MAX	/* chain not cut by a rule without conditions */
#define SMCCC_POLICY_MAX_BURST	(1ull << 32)	/* what bpf/policy_decide.bpf.h honours */
#define SMCCC_POLICY_MAX_RATE	1000000000ull	/* calls per second: a call costs >= 1 ns */

/*
 * A rule's token bucket holds burst * cost nanoseconds' worth of tokens, at
 * most 2^63 (292 years): then no sum the program makes wraps (tokens plus
 * the time since the last call, both below 2^63 for 292 years of uptime),
 * and tokens fit a signed 64-bit count like the kernel's ktime_t, or the
 * tokens_ns of an export read back as an int64. A larger one wrapped the
 * program's u64 product burst * cost (1/min burst 307445735 let no call
 * through); the program now saturates it, but only as a defence against
 * rules other tools write.
 */
#define SMCCC_POLICY_MAX_BUCKET_NS	(1ull << 63)

struct xref {			/* an ID named exactly by a rule */
	uint32_t id;
	uint32_t rule;		/* index */
};

struct rref {			/* a range of IDs covered by a rule */
	uint32_t first;
	uint32_t last;
	uint32_t rule;
};

struct event {
	uint64_t pos;		/* first ID, or last + 1 */
	uint32_t rule;
	int32_t delta;		/* +1 at first, -1 at last + 1 */
};

/* Set of rule indexes: 64-ary bitmap tree for ordered iteration. */
#define HB_LEVELS	4	/* 64^4 = 16M rules */
struct hbits {
	uint64_t *l[HB_LEVELS];
	size_t words[HB_LEVELS];
	unsigned int levels;
	uint32_t *count;	/* a rule can cover a position through several ranges */
};

struct ctab {			/* interned chains */
	uint32_t *slot;		/* 1 + index into the chain descriptors, 0 empty */
	size_t cap;
	struct smccc_policy_chain *desc;
	size_t nr, cap_desc;
};

struct ctx {
	const struct policy_ast *ast;
	const struct policy_src *src;
	struct policy_diags *d;
	struct smccc_compiled *out;
	uint32_t nr_rules;
	bool *rule_err;
	bool *cap_reported;

	struct xref *xs;	/* source order */
	size_t nr_xs, cap_xs;
	struct rref *rs;
	size_t nr_rs, cap_rs;
	size_t *x_start;	/* rule i's pairs: xs[x_start[i] .. x_start[i + 1]) */
	size_t *r_start;

	struct hbits hb;
	size_t nr_active;
	struct ctab ct;
	size_t cap_chain, cap_exact, cap_seg;
	uint32_t chain_over_rule;	/* first rule of the chain past SMCCC_POLICY_MAX_CHAIN */
	bool chain_over;
	bool chain_capped;	/* some chain was cut at SMCCC_POLICY_MAX_CHAIN_LEN (an error) */

	uint32_t *exact_cut;	/* per exact entry: rule index cutting its chain */
	uint32_t *seg_cut;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		abort();
	return p;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	p = realloc(p, c * size);
	if (!p)
		abort();
	*cap = c;
	return p;
}

static void cerr(struct ctx *c, struct policy_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cerr(struct ctx *c, struct policy_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vdiag(c->d, c->src, POLICY_DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

static void cwarn(struct ctx *c, struct policy_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cwarn(struct ctx *c, struct policy_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vdiag(c->d, c->src, POLICY_DIAG_WARNING, loc, fmt, ap);
	va_end(ap);
}

static void rule_error(struct ctx *c, uint32_t i, struct policy_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void rule_error(struct ctx *c, uint32_t i, struct policy_loc loc, const char *fmt, ...)
{
	va_list ap;

	c->rule_err[i] = true;
	va_start(ap, fmt);
	policy_vdiag(c->d, c->src, POLICY_DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

/* ---- hierarchical bitmap ---- */

static void hb_init(struct hbits *h, size_t n)
{
	size_t bits = n ? n : 1;
	unsigned int l;

	memset(h, 0, sizeof(*h));
	for (l = 0; l < HB_LEVELS; l++) {
		h->words[l] = (bits + 63) / 64;
		h->l[l] = xcalloc(h->words[l], sizeof(uint64_t));
		h->levels = l + 1;
		if (h->words[l] == 1)
			break;
		bits = h->words[l];
	}
	h->count = xcalloc(n, sizeof(uint32_t));
}

static void hb_free(struct hbits *h)
{
	unsigned int l;

	for (l = 0; l < h->levels; l++)
		free(h->l[l]);
	free(h->count);
	memset(h, 0, sizeof(*h));
}

/* Returns 1 if the rule became active. */
static int hb_add(struct hbits *h, uint32_t i)
{
	uint64_t idx = i;
	unsigned int l;

	if (h->count[i]++)
		return 0;
	for (l = 0; l < h->levels; l++) {
		uint64_t *w = &h->l[l][idx >> 6];
		uint64_t was = *w;

		*w |= 1ull << (idx & 63);
		if (was)
			break;
		idx >>= 6;
	}
	return 1;
}

/* Returns 1 if the rule became inactive. */
static int hb_del(struct hbits *h, uint32_t i)
{
	uint64_t idx = i;
	unsigned int l;

	if (--h->count[i])
		return 0;
	for (l = 0; l < h->levels; l++) {
		uint64_t *w = &h->l[l][idx >> 6];

		*w &= ~(1ull << (idx & 63));
		if (*w)
			break;
		idx >>= 6;
	}
	return 1;
}

/* The smallest member >= from, or -1. */
static int64_t hb_next(const struct hbits *h, uint64_t from)
{
	unsigned int l = 0;
	uint64_t i = from, bits;

	for (;;) {
		uint64_t w = i >> 6;

		if (l == h->levels || w >= h->words[l])
			return -1;
		bits = h->l[l][w] & (~0ull << (i & 63));
		if (bits) {
			i = (w << 6) | (uint64_t)__builtin_ctzll(bits);
			break;
		}
		i = w + 1;
		l++;
	}
	while (l > 0) {
		l--;
		i = (i << 6) | (uint64_t)__builtin_ctzll(h->l[l][i]);
	}
	return (int64_t)i;
}

/* ---- chain interning ---- */

static uint64_t chain_hash(const uint32_t *v, uint32_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n;
	uint32_t i;

	for (i = 0; i < n; i++) {
		h ^= v[i];
		h *= 0x100000001b3ull;
		h ^= h >> 29;
	}
	return h;
}

static void ct_rehash(struct ctx *c)
{
	struct ctab *t = &c->ct;
	size_t cap = t->cap ? t->cap * 2 : 1024, i, j;
	uint32_t *slot = xcalloc(cap, sizeof(*slot));

	for (i = 0; i < t->nr; i++) {
		const struct smccc_policy_chain *ch = &t->desc[i];

		j = chain_hash(c->out->chain + ch->start, ch->len) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->cap = cap;
}

static struct smccc_policy_chain intern(struct ctx *c, const uint32_t *v, uint32_t n)
{
	struct ctab *t = &c->ct;
	struct smccc_compiled *o = c->out;
	struct smccc_policy_chain ch;
	size_t j;

	if (2 * (t->nr + 1) > t->cap)
		ct_rehash(c);
	j = chain_hash(v, n) & (t->cap - 1);
	while (t->slot[j]) {
		const struct smccc_policy_chain *e = &t->desc[t->slot[j] - 1];

		if (e->len == n && !memcmp(o->chain + e->start, v, n * sizeof(*v)))
			return *e;
		j = (j + 1) & (t->cap - 1);
	}
	ch.start = o->nr_chain;
	ch.len = n;
	o->chain = grow(o->chain, &c->cap_chain, (size_t)o->nr_chain + n, sizeof(*o->chain));
	memcpy(o->chain + o->nr_chain, v, n * sizeof(*v));
	o->nr_chain += n;
	if (o->nr_chain > SMCCC_POLICY_MAX_CHAIN && !c->chain_over) {
		c->chain_over = true;
		c->chain_over_rule = v[0];
	}
	t->desc = grow(t->desc, &t->cap_desc, t->nr + 1, sizeof(*t->desc));
	t->desc[t->nr++] = ch;
	t->slot[j] = t->nr;
	return ch;
}

/* ---- rules ---- */

static bool audited(uint8_t action)
{
	return action == SMCCC_BPF_ACT_DENY || action == SMCCC_BPF_ACT_FWD_TO_USER ||
	       action == SMCCC_POLICY_ACT_LOG;
}

static bool overlaps_arch(uint32_t first, uint32_t last)
{
	return (first <= SMCCC_BPF_ARCH32_LAST && last >= SMCCC_BPF_ARCH32_FIRST) ||
	       (first <= SMCCC_BPF_ARCH64_LAST && last >= SMCCC_BPF_ARCH64_FIRST);
}

static void add_x(struct ctx *c, uint32_t id, uint32_t rule)
{
	c->xs = grow(c->xs, &c->cap_xs, c->nr_xs + 1, sizeof(*c->xs));
	c->xs[c->nr_xs].id = id;
	c->xs[c->nr_xs++].rule = rule;
}

static void add_r(struct ctx *c, uint32_t first, uint32_t last, uint32_t rule)
{
	c->rs = grow(c->rs, &c->cap_rs, c->nr_rs + 1, sizeof(*c->rs));
	c->rs[c->nr_rs].first = first;
	c->rs[c->nr_rs].last = last;
	c->rs[c->nr_rs++].rule = rule;
}

static void resolve_match(struct ctx *c, uint32_t i, const struct policy_match *m)
{
	const struct smccc_service *s;
	char nb[POLICY_DIAG_NAME_BUF];
	const char *hint;
	uint32_t ids[2];
	unsigned int k;
	int n;

	switch (m->kind) {
	case POLICY_MATCH_ID:
		if (m->first > UINT32_MAX) {
			rule_error(c, i, m->arg_loc, "function ID 0x%llx does not fit in 32 bits",
				   (unsigned long long)m->first);
			return;
		}
		if (overlaps_arch(m->first, m->first)) {
			rule_error(c, i, m->loc, ARCH_MSG);
			return;
		}
		add_x(c, (uint32_t)m->first, i);
		return;
	case POLICY_MATCH_RANGE:
		if (m->first > UINT32_MAX || m->last > UINT32_MAX) {
			rule_error(c, i, m->arg_loc, "range 0x%llx-0x%llx does not fit in 32 bits",
				   (unsigned long long)m->first, (unsigned long long)m->last);
			return;
		}
		if (m->first > m->last) {
			rule_error(c, i, m->arg_loc, "range 0x%llx-0x%llx is empty: its first ID is above its last",
				   (unsigned long long)m->first, (unsigned long long)m->last);
			return;
		}
		if (overlaps_arch(m->first, m->last)) {
			rule_error(c, i, m->loc, ARCH_MSG);
			return;
		}
		add_r(c, (uint32_t)m->first, (uint32_t)m->last, i);
		return;
	case POLICY_MATCH_SERVICE:
		s = smccc_service_find(m->name);
		if (!s) {
			policy_diag_name(nb, m->name, strlen(m->name));
			/* no hint for a message that will not be shown: junk makes many */
			if (smccc_function_ids(m->name, ids))
				rule_error(c, i, m->arg_loc, "'%s' is a function, not a service: use 'function %s'",
					   m->name, m->name);
			else if (!policy_diags_full(c->d) &&
				 (hint = smccc_suggest(m->name, SMCCC_NAME_SERVICE)))
				rule_error(c, i, m->arg_loc, "unknown service '%s'; did you mean '%s'?",
					   nb, hint);
			else
				rule_error(c, i, m->arg_loc, "unknown service '%s'", nb);
			return;
		}
		for (k = 0; k < s->nr_ranges; k++) {
			if (overlaps_arch(s->ranges[k].first, s->ranges[k].last)) {
				rule_error(c, i, m->loc, ARCH_MSG);
				return;
			}
		}
		for (k = 0; k < s->nr_ranges; k++)
			add_r(c, s->ranges[k].first, s->ranges[k].last, i);
		return;
	case POLICY_MATCH_FUNCTION:
		n = smccc_function_ids(m->name, ids);
		if (!n) {
			policy_diag_name(nb, m->name, strlen(m->name));
			if (smccc_service_find(m->name))
				rule_error(c, i, m->arg_loc, "'%s' is a service, not a function: use 'service %s'",
					   m->name, m->name);
			else if (!policy_diags_full(c->d) &&
				 (hint = smccc_suggest(m->name, SMCCC_NAME_FUNCTION)))
				rule_error(c, i, m->arg_loc, "unknown function '%s'; did you mean '%s'?",
					   nb, hint);
			else
				rule_error(c, i, m->arg_loc, "unknown function '%s'", nb);
			return;
		}
		for (k = 0; k < (unsigned int)n; k++) {
			if (overlaps_arch(ids[k], ids[k])) {
				rule_error(c, i, m->loc, ARCH_MSG);
				return;
			}
		}
		for (k = 0; k < (unsigned int)n; k++)
			add_x(c, ids[k], i);
		return;
	}
}

static void compile_rule(struct ctx *c, uint32_t i)
{
	const struct policy_rule *pr = &c->ast->rules[i];
	struct smccc_policy_rule *r = &c->out->rules[i];
	uint32_t k;

	r->id = pr->id;
	r->line = pr->loc.line;
	r->action = pr->action.kind;
	r->over_action = pr->action.kind;
	if (pr->action.kind == SMCCC_BPF_ACT_RETURN)
		memcpy(r->ret, pr->action.ret, sizeof(r->ret));
	if (audited(r->action))
		r->flags |= SMCCC_POLICY_F_AUDIT;

	if (pr->nr_conds > SMCCC_POLICY_MAX_CONDS)
		rule_error(c, i, pr->conds[SMCCC_POLICY_MAX_CONDS].loc,
			   "too many conditions: a rule has at most %d", SMCCC_POLICY_MAX_CONDS);
	for (k = 0; k < pr->nr_conds && k < SMCCC_POLICY_MAX_CONDS; k++) {
		const struct policy_cond *pc = &pr->conds[k];
		struct smccc_policy_cond *cc = &r->conds[k];

		if (pc->kind == SMCCC_POLICY_COND_VCPU && pc->value > UINT32_MAX)
			rule_error(c, i, pc->value_loc, "vCPU id %llu does not fit in 32 bits",
				   (unsigned long long)pc->value);
		cc->kind = pc->kind;
		cc->reg = pc->reg;
		cc->op = pc->op;
		cc->mask = pc->mask;
		cc->value = pc->value;
	}
	r->nr_conds = k;

	if (pr->has_limit) {
		const struct policy_limit *l = &pr->limit;
		uint64_t burst, max_burst = SMCCC_POLICY_MAX_BURST;
		bool rate_ok = false;
		char rt[32];

		r->flags |= SMCCC_POLICY_F_RATE;
		r->over_action = l->has_then ? l->then.kind : SMCCC_BPF_ACT_DENY;
		/* l->per is 1 or 60: no product here wraps */
		if (!l->count)
			rule_error(c, i, l->count_loc, "a limit of 0 calls never lets a call through: use deny");
		else if (l->count > SMCCC_POLICY_MAX_RATE * l->per)
			rule_error(c, i, l->count_loc,
				   "a limit can be at most %llu calls per second (%llu/min)",
				   SMCCC_POLICY_MAX_RATE, SMCCC_POLICY_MAX_RATE * 60);
		else
			rate_ok = true;
		r->rate = l->count;
		r->period = l->per;
		if (rate_ok) {
			uint64_t fit = SMCCC_POLICY_MAX_BUCKET_NS / policy_token_cost(r);

			if (fit < max_burst)
				max_burst = fit;	/* below 28/min */
		}
		/* burst: one period's calls unless given (always within max_burst) */
		burst = l->has_burst ? l->burst : l->count < max_burst ? l->count : max_burst;
		if (!burst && l->has_burst)
			rule_error(c, i, l->burst_loc, "a burst of 0 calls never lets a call through");
		else if (burst > max_burst && max_burst == SMCCC_POLICY_MAX_BURST)
			rule_error(c, i, l->burst_loc, "burst %llu is too large: at most %llu calls",
				   (unsigned long long)burst, SMCCC_POLICY_MAX_BURST);
		else if (burst > max_burst)
			rule_error(c, i, l->burst_loc,
				   "burst %llu is too large for %s: at most %llu calls at this rate (a bucket holds at most 2^63 ns of calls, 292 years)",
				   (unsigned long long)burst,
				   policy_rate_format(r->rate, r->period, rt, sizeof(rt)),
				   (unsigned long long)max_burst);
		r->burst = burst;
		if (l->has_then && l->then.kind == SMCCC_BPF_ACT_RETURN) {
			if (pr->action.kind == SMCCC_BPF_ACT_RETURN &&
			    memcmp(pr->action.ret, l->then.ret, sizeof(r->ret)))
				rule_error(c, i, l->then.loc,
					   "a rule has one set of return values: 'return' over the limit must return the same values as the rule");
			memcpy(r->ret, l->then.ret, sizeof(r->ret));
		}
	}

	c->x_start[i] = c->nr_xs;
	c->r_start[i] = c->nr_rs;
	for (k = 0; k < pr->nr_matches; k++)
		resolve_match(c, i, &pr->matches[k]);
}

/* ---- the sweep ---- */

static int cmp_xref(const void *a, const void *b)
{
	const struct xref *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static bool uncond(const struct ctx *c, uint32_t r)
{
	return c->out->rules[r].nr_conds == 0;
}

/*
 * The chain at one position: the exact rules xr[0..nx) (sorted) merged
 * with the active range rules, cut after the first rule without
 * conditions. Returns its length; *cut is that rule or NO_CUT.
 */
static uint32_t build_chain(struct ctx *c, uint32_t id, const struct xref *xr, size_t nx,
			    uint32_t *buf, uint32_t *cut)
{
	int64_t b = c->nr_active ? hb_next(&c->hb, 0) : -1;
	size_t k = 0;
	uint32_t n = 0, r;

	*cut = NO_CUT;
	for (;;) {
		uint64_t xv = k < nx ? xr[k].rule : UINT64_MAX;
		uint64_t bv = b >= 0 ? (uint64_t)b : UINT64_MAX;

		if (xv == UINT64_MAX && bv == UINT64_MAX)
			break;
		r = (uint32_t)(xv < bv ? xv : bv);
		if (xv == r)
			k++;
		if (bv == r)
			b = hb_next(&c->hb, bv + 1);
		if (n == SMCCC_POLICY_MAX_CHAIN_LEN) {
			c->chain_capped = true;
			if (!c->cap_reported[r]) {
				c->cap_reported[r] = true;
				cerr(c, c->ast->rules[r].loc,
				     "rule %u: function ID 0x%08x would have more than %d candidate rules (rule %u and %d earlier rules with conditions cover it); the policy program tries at most %d per call",
				     c->ast->rules[r].id, id, SMCCC_POLICY_MAX_CHAIN_LEN,
				     c->ast->rules[r].id, SMCCC_POLICY_MAX_CHAIN_LEN,
				     SMCCC_POLICY_MAX_CHAIN_LEN);
			}
			return n;	/* *cut stays NO_CUT: nothing is known shadowed */
		}
		buf[n++] = r;
		if (uncond(c, r)) {
			*cut = r;
			break;
		}
	}
	return n;
}

struct pending {
	bool valid;
	uint32_t first, last;
	uint32_t chain[SMCCC_POLICY_MAX_CHAIN_LEN];
	uint32_t len;
	uint32_t cut;
};

static void flush_segment(struct ctx *c, struct pending *p)
{
	struct smccc_compiled *o = c->out;
	struct smccc_policy_segment *s;
	size_t cap = c->cap_seg;

	if (!p->valid)
		return;
	o->segments = grow(o->segments, &c->cap_seg, (size_t)o->nr_segments + 1,
			   sizeof(*o->segments));
	/*
	 * seg_cut beside it, resized only when it grew: a realloc() per
	 * segment copies the array every time with allocators that never
	 * resize in place (ASan's), quadratic in the number of segments.
	 */
	if (c->cap_seg != cap) {
		c->seg_cut = realloc(c->seg_cut, c->cap_seg * sizeof(*c->seg_cut));
		if (!c->seg_cut)
			abort();
	}
	s = &o->segments[o->nr_segments];
	s->first = p->first;
	s->last = p->last;
	s->chain = intern(c, p->chain, p->len);
	c->seg_cut[o->nr_segments++] = p->cut;
	p->valid = false;
}

static void add_stretch(struct ctx *c, struct pending *p, uint32_t first, uint32_t last)
{
	uint32_t buf[SMCCC_POLICY_MAX_CHAIN_LEN], n, cut;

	n = build_chain(c, first, NULL, 0, buf, &cut);
	if (p->valid && p->last + 1 == first && p->len == n && p->cut == cut &&
	    !memcmp(p->chain, buf, n * sizeof(*buf))) {
		p->last = last;
		return;
	}
	flush_segment(c, p);
	p->valid = true;
	p->first = first;
	p->last = last;
	p->len = n;
	p->cut = cut;
	memcpy(p->chain, buf, n * sizeof(*buf));
}

/* Exact ID xs[*k] and its other pairs: one exact entry. */
static void add_exact(struct ctx *c, const struct xref *xs, size_t nr, size_t *k)
{
	struct smccc_compiled *o = c->out;
	uint32_t buf[SMCCC_POLICY_MAX_CHAIN_LEN], n, cut, id = xs[*k].id;
	size_t end = *k, cap = c->cap_exact;

	while (end < nr && xs[end].id == id)
		end++;
	n = build_chain(c, id, xs + *k, end - *k, buf, &cut);
	o->exact = grow(o->exact, &c->cap_exact, (size_t)o->nr_exact + 1, sizeof(*o->exact));
	if (c->cap_exact != cap) {	/* as seg_cut in flush_segment() */
		c->exact_cut = realloc(c->exact_cut, c->cap_exact * sizeof(*c->exact_cut));
		if (!c->exact_cut)
			abort();
	}
	o->exact[o->nr_exact].func_id = id;
	o->exact[o->nr_exact].chain = intern(c, buf, n);
	c->exact_cut[o->nr_exact++] = cut;
	*k = end;
}

static void sweep(struct ctx *c, struct xref *xs, size_t nx)
{
	size_t nev = 2 * c->nr_rs, e = 0, k = 0, i;
	struct event *ev = xmalloc(nev * sizeof(*ev));
	struct pending p = { .valid = false };

	for (i = 0; i < c->nr_rs; i++) {
		ev[2 * i] = (struct event){ c->rs[i].first, c->rs[i].rule, 1 };
		ev[2 * i + 1] = (struct event){ (uint64_t)c->rs[i].last + 1, c->rs[i].rule, -1 };
	}
	qsort(ev, nev, sizeof(*ev), cmp_event);

	hb_init(&c->hb, c->nr_rules);
	c->nr_active = 0;
	while (e < nev) {
		uint64_t pos = ev[e].pos, next;

		while (k < nx && xs[k].id < pos)
			add_exact(c, xs, nx, &k);
		for (; e < nev && ev[e].pos == pos; e++) {
			if (ev[e].delta > 0)
				c->nr_active += hb_add(&c->hb, ev[e].rule);
			else
				c->nr_active -= hb_del(&c->hb, ev[e].rule);
		}
		next = e < nev ? ev[e].pos : (uint64_t)UINT32_MAX + 1;
		if (c->nr_active && pos <= UINT32_MAX)
			add_stretch(c, &p, (uint32_t)pos, (uint32_t)(next - 1));
	}
	flush_segment(c, &p);
	while (k < nx)
		add_exact(c, xs, nx, &k);
	hb_free(&c->hb);
	free(ev);
}

/* ---- shadowed rules ---- */

struct mm {
	int64_t mn, mx;		/* neutral: INT64_MAX, -1 */
};

struct mmtree {
	struct mm *t;
	size_t n;
};

static void mm_build(struct mmtree *tr, const struct mm *leaf, size_t n)
{
	size_t i;

	tr->n = n;
	tr->t = xmalloc(2 * (n ? n : 1) * sizeof(*tr->t));
	for (i = 0; i < n; i++)
		tr->t[n + i] = leaf[i];
	for (i = n; i-- > 1;) {
		const struct mm *a = &tr->t[2 * i], *b = &tr->t[2 * i + 1];

		tr->t[i].mn = a->mn < b->mn ? a->mn : b->mn;
		tr->t[i].mx = a->mx > b->mx ? a->mx : b->mx;
	}
}

static void mm_merge(struct mm *acc, const struct mm *v)
{
	if (v->mn < acc->mn)
		acc->mn = v->mn;
	if (v->mx > acc->mx)
		acc->mx = v->mx;
}

/* Fold leaves lo..hi (inclusive) into acc. */
static void mm_query(const struct mmtree *tr, size_t lo, size_t hi, struct mm *acc)
{
	size_t l = lo + tr->n, r = hi + tr->n + 1;

	for (; l < r; l >>= 1, r >>= 1) {
		if (l & 1)
			mm_merge(acc, &tr->t[l++]);
		if (r & 1)
			mm_merge(acc, &tr->t[--r]);
	}
}

/* First exact entry with func_id >= id. */
static size_t exact_lower(const struct smccc_compiled *o, uint64_t id)
{
	size_t lo = 0, hi = o->nr_exact;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->exact[mid].func_id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First segment with last >= id. */
static size_t seg_lower(const struct smccc_compiled *o, uint32_t id)
{
	size_t lo = 0, hi = o->nr_segments;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->segments[mid].last < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct mm cut_value(uint32_t cut)
{
	struct mm v = { cut, cut };

	return v;
}

static void warn_shadowed(struct ctx *c)
{
	const struct smccc_compiled *o = c->out;
	struct mm *leaf = xmalloc((o->nr_segments + o->nr_exact + 1) * sizeof(*leaf));
	struct mmtree seg, ex;
	uint32_t i;
	size_t k;

	for (k = 0; k < o->nr_segments; k++) {
		const struct smccc_policy_segment *s = &o->segments[k];
		uint64_t ids = (uint64_t)s->last - s->first + 1;
		uint64_t named = exact_lower(o, (uint64_t)s->last + 1) - exact_lower(o, s->first);

		/* A segment whose every ID is exact is never looked at. */
		if (named == ids)
			leaf[k] = (struct mm){ INT64_MAX, -1 };
		else
			leaf[k] = cut_value(c->seg_cut[k]);
	}
	mm_build(&seg, leaf, o->nr_segments);
	for (k = 0; k < o->nr_exact; k++)
		leaf[k] = cut_value(c->exact_cut[k]);
	mm_build(&ex, leaf, o->nr_exact);
	free(leaf);

	for (i = 1; i < c->nr_rules; i++) {
		struct mm acc = { INT64_MAX, -1 };
		const struct smccc_policy_rule *r;

		if (c->rule_err[i])
			continue;
		for (k = c->x_start[i]; k < c->x_start[i + 1]; k++) {
			size_t e = exact_lower(o, c->xs[k].id);

			mm_query(&ex, e, e, &acc);
		}
		for (k = c->r_start[i]; k < c->r_start[i + 1]; k++) {
			const struct rref *rr = &c->rs[k];
			size_t lo = seg_lower(o, rr->first), hi = seg_lower(o, rr->last);
			size_t elo = exact_lower(o, rr->first), ehi = exact_lower(o, (uint64_t)rr->last + 1);

			if (hi >= o->nr_segments)
				hi = o->nr_segments - 1;
			if (o->nr_segments && lo <= hi)
				mm_query(&seg, lo, hi, &acc);
			if (elo < ehi)
				mm_query(&ex, elo, ehi - 1, &acc);
		}
		if (acc.mx < 0 || acc.mx >= (int64_t)i)
			continue;
		if (acc.mn == acc.mx) {
			r = &o->rules[acc.mx];
			cwarn(c, c->ast->rules[i].loc, "rule %u can never match: shadowed by rule %u (line %u)",
			      c->ast->rules[i].id, r->id, r->line);
		} else {
			const struct smccc_policy_rule *r0 = &o->rules[acc.mn];

			r = &o->rules[acc.mx];
			cwarn(c, c->ast->rules[i].loc,
			      "rule %u can never match: shadowed by rules %u (line %u) through %u (line %u)",
			      c->ast->rules[i].id, r0->id, r0->line, r->id, r->line);
		}
	}
	free(seg.t);
	free(ex.t);
}

/* ---- KVM's vendor hypervisor range ---- */

/*
 * The range moves to the VMM (forward) or to the policy (return) as a
 * whole or not at all. It falls into pieces of one chain each: its exact
 * IDs, and the stretches between them of segments or of no rule (the
 * default). Whether a call to a piece moves is decided by its chain, then
 * the default unless the chain ends with a rule without conditions; a
 * rule that never decides (an earlier one holds whenever it does) is left
 * out, and so, for the comparison, are the rules with conditions just
 * before the last element that decide as it does. The range stays whole
 * when every piece has the same reduced chain, element by element (the
 * same class, the same conditions; a rate-limited rule that moves on one
 * side of its limit only: the same rule, one bucket): conditions never
 * look at x0, so then a call moves for all of the range or for none of
 * it. Anything else is refused, with the first pieces, in ID order, that
 * show the split.
 */

#define VH_DEFAULT	UINT32_MAX	/* element: the default action */
#define VH_RANGE_TEXT	"the vendor hypervisor range (0x86000000-0x8600ffff and 0xc6000000-0xc600ffff) moves as a whole, UID call 0x8600ff01 included, or not at all"

enum vh_class {
	VH_STAY,	/* no call moves: handle, log, deny */
	VH_MOVE,	/* every call moves: forward, return */
	VH_SOME,	/* element: rate limited, moves on one side of the limit; piece: depends on the call */
};

struct vh_el {
	uint32_t rule;		/* index, or VH_DEFAULT */
	uint8_t cls;		/* enum vh_class */
	bool cond;		/* the rule has conditions (never the last element) */
};

struct vh_piece {
	uint32_t id;		/* first ID of the piece */
	uint32_t start;		/* its elements: els[start .. start + len) */
	uint32_t len;
	uint32_t rlen;		/* reduced: the first rlen - 1 of them, then the last one */
};

struct vh {
	struct vh_piece *p;
	size_t nr, cap;
	struct vh_el *els;
	size_t nr_els, cap_els;
	uint32_t *seen;		/* by chain start: 1 + a piece with that chain, 0 none yet */
	bool skip;		/* a rule deciding part of it has errors: not checked */
};

static bool moves(uint8_t action)
{
	return action == SMCCC_BPF_ACT_FWD_TO_USER || action == SMCCC_BPF_ACT_RETURN;
}

static const char *action_name(uint8_t action)
{
	switch (action) {
	case SMCCC_BPF_ACT_HANDLE:
		return "handle";
	case SMCCC_BPF_ACT_DENY:
		return "deny";
	case SMCCC_BPF_ACT_FWD_TO_USER:
		return "forward";
	case SMCCC_BPF_ACT_RETURN:
		return "return";
	case SMCCC_POLICY_ACT_LOG:
		return "log";
	}
	return "?";
}

/* Every condition of a is one of b's: a rule with a's conditions holds whenever b's does. */
static bool conds_within(const struct smccc_policy_rule *a, const struct smccc_policy_rule *b)
{
	bool used[SMCCC_POLICY_MAX_CONDS] = { false };
	uint32_t i, j;

	if (a->nr_conds > b->nr_conds)
		return false;
	for (i = 0; i < a->nr_conds; i++) {
		const struct smccc_policy_cond *x = &a->conds[i];

		for (j = 0; j < b->nr_conds; j++) {
			const struct smccc_policy_cond *y = &b->conds[j];

			if (!used[j] && x->kind == y->kind && x->reg == y->reg && x->op == y->op &&
			    x->mask == y->mask && x->value == y->value)
				break;
		}
		if (j == b->nr_conds)
			return false;
		used[j] = true;
	}
	return true;
}

static bool conds_same(const struct smccc_policy_rule *a, const struct smccc_policy_rule *b)
{
	return a->nr_conds == b->nr_conds && conds_within(a, b);
}

/* Reduced element k of p. */
static const struct vh_el *vh_el(const struct vh *v, const struct vh_piece *p, uint32_t k)
{
	return &v->els[p->start + (k + 1 == p->rlen ? p->len - 1 : k)];
}

/* One piece: the ID id, looked up to the chain ch. */
static void vh_add(struct ctx *c, struct vh *v, uint32_t id, struct smccc_policy_chain ch)
{
	const struct smccc_policy_rule *rules = c->out->rules;
	struct vh_el buf[SMCCC_POLICY_MAX_CHAIN_LEN + 1];
	struct vh_piece p = { id, 0, 0, 0 };
	uint32_t n = 0, k, j;

	/* identical chains are one slice of the chain map: do each once */
	if (ch.len && v->seen[ch.start]) {
		p = v->p[v->seen[ch.start] - 1];
		p.id = id;
		goto add;
	}
	for (k = 0; k < ch.len; k++) {
		uint32_t r = c->out->chain[ch.start + k];
		bool a = moves(rules[r].action), o = moves(rules[r].over_action);

		v->skip |= c->rule_err[r];
		for (j = 0; j < n && !conds_within(&rules[buf[j].rule], &rules[r]); j++)
			;
		if (j < n)
			continue;	/* never decides */
		buf[n++] = (struct vh_el){ r, a != o ? VH_SOME : a ? VH_MOVE : VH_STAY,
					   rules[r].nr_conds != 0 };
	}
	if (!n || buf[n - 1].cond)
		buf[n++] = (struct vh_el){ VH_DEFAULT,
					   moves(c->out->config.default_action) ? VH_MOVE : VH_STAY,
					   false };
	p.len = p.rlen = n;
	while (p.rlen >= 2 && buf[n - 1].cls != VH_SOME && buf[p.rlen - 2].cls == buf[n - 1].cls)
		p.rlen--;
	v->els = grow(v->els, &v->cap_els, v->nr_els + n, sizeof(*v->els));
	memcpy(v->els + v->nr_els, buf, n * sizeof(*buf));
	p.start = (uint32_t)v->nr_els;
	v->nr_els += n;
	if (ch.len)
		v->seen[ch.start] = v->nr + 1;
add:
	v->p = grow(v->p, &v->cap, v->nr + 1, sizeof(*v->p));
	v->p[v->nr++] = p;
}

/* The IDs first..last as the segments (or none) decide them: one piece, unless all are exact. */
static void vh_add_stretch(struct ctx *c, struct vh *v, uint32_t first, uint32_t last,
			   struct smccc_policy_chain ch)
{
	const struct smccc_compiled *o = c->out;
	size_t e = exact_lower(o, first);
	uint64_t id = first;

	while (e < o->nr_exact && o->exact[e].func_id == id && id <= last) {
		e++;
		id++;
	}
	if (id <= last)
		vh_add(c, v, (uint32_t)id, ch);
}

static void vh_pieces(struct ctx *c, struct vh *v, uint32_t first, uint32_t last)
{
	const struct smccc_compiled *o = c->out;
	const struct smccc_policy_chain none = { 0, 0 };
	size_t s = seg_lower(o, first), e;
	uint64_t pos = first, end;

	while (pos <= last) {
		if (s < o->nr_segments && o->segments[s].first <= pos) {
			end = o->segments[s].last < last ? o->segments[s].last : last;
			vh_add_stretch(c, v, (uint32_t)pos, (uint32_t)end, o->segments[s].chain);
			s++;
		} else {
			end = s < o->nr_segments && o->segments[s].first <= last ?
			      (uint64_t)o->segments[s].first - 1 : last;
			vh_add_stretch(c, v, (uint32_t)pos, (uint32_t)end, none);
		}
		pos = end + 1;
	}
	for (e = exact_lower(o, first); e < o->nr_exact && o->exact[e].func_id <= last; e++)
		vh_add(c, v, o->exact[e].func_id, o->exact[e].chain);
}

static int cmp_vh_piece(const void *a, const void *b)
{
	const struct vh_piece *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Reduced element k of x and of y decide the same calls the same way. */
static bool vh_el_same(const struct ctx *c, const struct vh *v, const struct vh_piece *x,
		       const struct vh_piece *y, uint32_t k)
{
	const struct vh_el *a = vh_el(v, x, k), *b = vh_el(v, y, k);
	bool last = k + 1 == x->rlen;

	if (last != (k + 1 == y->rlen) || a->cls != b->cls)
		return false;
	if (a->cls == VH_SOME)
		return a->rule == b->rule;
	return last || conds_same(&c->out->rules[a->rule], &c->out->rules[b->rule]);
}

/* The first reduced element where x and y differ, or UINT32_MAX. */
static uint32_t vh_diff(const struct ctx *c, const struct vh *v, const struct vh_piece *x,
			const struct vh_piece *y)
{
	uint32_t k, n = x->rlen < y->rlen ? x->rlen : y->rlen;

	for (k = 0; k < n; k++)
		if (!vh_el_same(c, v, x, y, k))
			return k;
	return UINT32_MAX;	/* (different lengths differ at the shorter one's last element) */
}

static enum vh_class vh_kind(const struct vh *v, const struct vh_piece *p)
{
	return p->rlen == 1 ? vh_el(v, p, 0)->cls : VH_SOME;
}

/* The first reduced element of p whose class is not `not`. */
static uint32_t vh_find(const struct vh *v, const struct vh_piece *p, enum vh_class not)
{
	uint32_t k;

	for (k = 0; k + 1 < p->rlen && vh_el(v, p, k)->cls == not; k++)
		;
	return k;
}

static const char *verb(uint8_t action)
{
	return action == SMCCC_BPF_ACT_FWD_TO_USER ? "moves to the VMM" :
	       action == SMCCC_BPF_ACT_RETURN ? "moves to the policy" : "stays with KVM";
}

static void vh_id_text(uint32_t id, char *buf, size_t len)
{
	char name[64];

	if (smccc_function_name(id, name, sizeof(name)))
		snprintf(buf, len, "%s 0x%08x", name, id);
	else
		snprintf(buf, len, "0x%08x", id);
}

/*
 * What reduced element k of p does, as "forward, rule 2, line 3, when its
 * conditions hold"; want VH_MOVE or VH_STAY picks the side of a rate
 * limit that does so, VH_SOME tells both. Returns the action's verb.
 */
static const char *vh_el_text(const struct ctx *c, const struct vh *v, const struct vh_piece *p,
			      uint32_t k, enum vh_class want, char *buf, size_t len)
{
	const struct vh_el *e = vh_el(v, p, k);
	const char *after = k ? ", when no rule with conditions before it decides" : "";
	const struct smccc_policy_rule *r;
	char limit[64] = "";
	uint8_t a;

	if (e->rule == VH_DEFAULT) {
		a = c->out->config.default_action;
		if (c->ast->has_default)
			snprintf(buf, len, "default %s, line %u%s", action_name(a),
				 c->ast->default_action.loc.line, after);
		else
			snprintf(buf, len, "default %s%s", action_name(a), after);
		return verb(a);
	}
	r = &c->out->rules[e->rule];
	a = r->action;
	if (e->cls == VH_SOME && want == VH_SOME) {
		snprintf(limit, sizeof(limit), ", then %s over its rate limit",
			 action_name(r->over_action));
	} else if (e->cls == VH_SOME) {
		bool within = moves(r->action) == (want == VH_MOVE);

		a = within ? r->action : r->over_action;
		snprintf(limit, sizeof(limit), ", %s its rate limit", within ? "within" : "over");
	}
	snprintf(buf, len, "%s, rule %u, line %u%s%s", action_name(a), r->id, r->line, limit,
		 e->cond ? ", when its conditions hold" : after);
	return verb(a);
}

static bool vh_has(const struct vh *v, const struct vh_piece *p, uint32_t rule)
{
	uint32_t k;

	for (k = 0; k < p->len; k++)
		if (v->els[p->start + k].rule == rule)
			return true;
	return false;
}

/*
 * Where to report: the first rule, or the default statement, that decides
 * one of x and y but not the other.
 */
static struct policy_loc vh_where(struct ctx *c, const struct vh *v, const struct vh_piece *x,
				  const struct vh_piece *y)
{
	const struct vh_piece *pp[2] = { x, y };
	struct policy_loc loc = { 0, 0 }, d = c->ast->default_action.loc;
	uint32_t best = UINT32_MAX, r;
	unsigned int h;
	uint32_t k;

	for (h = 0; h < 2; h++)
		for (k = 0; k < pp[h]->len; k++) {
			r = v->els[pp[h]->start + k].rule;
			if (r != VH_DEFAULT && r < best && !vh_has(v, pp[!h], r))
				best = r;
		}
	if (best != UINT32_MAX)
		loc = c->ast->rules[best].loc;
	if (c->ast->has_default && vh_has(v, x, VH_DEFAULT) != vh_has(v, y, VH_DEFAULT) &&
	    (best == UINT32_MAX || d.line < loc.line || (d.line == loc.line && d.col < loc.col)))
		loc = d;
	return loc;
}

static void check_vendor_hyp(struct ctx *c)
{
	struct vh v = { 0 };
	const struct vh_piece *p0, *x = NULL, *y = NULL;
	char xid[96], yid[96], xt[256], yt[256];
	const char *xv;
	size_t k;

	v.seen = xcalloc((size_t)c->out->nr_chain + 1, sizeof(*v.seen));
	vh_pieces(c, &v, SMCCC_POLICY_VENDOR_HYP32_FIRST, SMCCC_POLICY_VENDOR_HYP32_LAST);
	vh_pieces(c, &v, SMCCC_POLICY_VENDOR_HYP64_FIRST, SMCCC_POLICY_VENDOR_HYP64_LAST);
	if (v.skip || c->chain_capped || !v.nr)
		goto out;
	qsort(v.p, v.nr, sizeof(*v.p), cmp_vh_piece);
	p0 = &v.p[0];
	for (k = 1; k < v.nr && vh_diff(c, &v, p0, &v.p[k]) == UINT32_MAX; k++)
		;
	if (k == v.nr)
		goto out;

	/* taken over (x), on every call or on some, and not (y) */
	for (k = 0; k < v.nr; k++) {
		enum vh_class kind = vh_kind(&v, &v.p[k]);

		if (kind == VH_STAY && !y)
			y = &v.p[k];
		if (kind != VH_STAY && !x)
			x = &v.p[k];
	}
	if (x && y) {
		bool some = vh_kind(&v, x) != VH_MOVE;

		vh_id_text(x->id, xid, sizeof(xid));
		vh_id_text(y->id, yid, sizeof(yid));
		xv = vh_el_text(c, &v, x, vh_find(&v, x, VH_STAY), VH_MOVE, xt, sizeof(xt));
		vh_el_text(c, &v, y, 0, VH_STAY, yt, sizeof(yt));
		cerr(c, vh_where(c, &v, x, y),
		     "partial takeover of KVM's vendor hypervisor range: %s %s%s (%s) but %s stays with KVM (%s)%s; "
		     VH_RANGE_TEXT, xid, xv, some ? " on some calls" : "", xt, yid, yt,
		     some ? ": taking over part of the range on some calls only is a partial takeover too" : "");
		goto out;
	}

	/* every piece may move: x on every call, y not on every call */
	for (k = 0, x = y = NULL; k < v.nr; k++) {
		enum vh_class kind = vh_kind(&v, &v.p[k]);

		if (kind == VH_MOVE && !x)
			x = &v.p[k];
		if (kind == VH_SOME && !y)
			y = &v.p[k];
	}
	if (x && y) {
		vh_id_text(x->id, xid, sizeof(xid));
		vh_id_text(y->id, yid, sizeof(yid));
		xv = vh_el_text(c, &v, x, 0, VH_MOVE, xt, sizeof(xt));
		vh_el_text(c, &v, y, vh_find(&v, y, VH_MOVE), VH_STAY, yt, sizeof(yt));
		cerr(c, vh_where(c, &v, x, y),
		     "partial takeover of KVM's vendor hypervisor range: %s %s (%s) but on some calls %s stays with KVM (%s); "
		     VH_RANGE_TEXT, xid, xv, xt, yid, yt);
		goto out;
	}

	/* every piece depends on the call, not in the same way */
	for (k = 1; vh_diff(c, &v, p0, &v.p[k]) == UINT32_MAX; k++)
		;
	x = p0;
	y = &v.p[k];
	k = vh_diff(c, &v, x, y);
	vh_id_text(x->id, xid, sizeof(xid));
	vh_id_text(y->id, yid, sizeof(yid));
	vh_el_text(c, &v, x, (uint32_t)k, VH_SOME, xt, sizeof(xt));
	vh_el_text(c, &v, y, (uint32_t)k, VH_SOME, yt, sizeof(yt));
	cerr(c, vh_where(c, &v, x, y),
	     "partial takeover of KVM's vendor hypervisor range: %s and %s move on different calls (%s: %s; %s: %s), so on some calls part of the range moves and part stays with KVM; "
	     VH_RANGE_TEXT, xid, yid, xid, xt, yid, yt);
out:
	free(v.seen);
	free(v.p);
	free(v.els);
}

/* ---- driver ---- */

void smccc_compiled_free(struct smccc_compiled *c)
{
	if (!c)
		return;
	free(c->rules);
	free(c->exact);
	free(c->segments);
	free(c->chain);
	memset(c, 0, sizeof(*c));
}

static int compile(const struct policy_ast *ast, const struct policy_src *src,
		   struct smccc_compiled *out, struct policy_diags *d, bool warnings)
{
	unsigned int errors = d->errors;
	struct ctx c;
	struct xref *xs;
	size_t nx, k, j;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	policy_diags_forget_source(d);
	memset(&c, 0, sizeof(c));
	c.ast = ast;
	c.src = src;
	c.d = d;
	c.out = out;
	c.nr_rules = ast->nr_rules;

	out->config.default_action = ast->default_action.kind;
	out->config.permissive = ast->permissive;
	out->config.discovery = ast->hide_denied ? SMCCC_POLICY_DISCOVERY_HIDE_DENIED :
						   SMCCC_POLICY_DISCOVERY_KEEP;
	out->config.default_audit = audited(ast->default_action.kind);
	if (ast->default_action.kind == SMCCC_BPF_ACT_RETURN)
		cerr(&c, ast->default_action.loc,
		     "the default action cannot be 'return': the policy has no place for its values (write a rule)");
	if (c.nr_rules > SMCCC_POLICY_MAX_RULES)
		cerr(&c, ast->rules[SMCCC_POLICY_MAX_RULES].loc,
		     "too many rules: a policy has at most %d", SMCCC_POLICY_MAX_RULES);

	out->rules = xcalloc(c.nr_rules, sizeof(*out->rules));
	out->nr_rules = c.nr_rules;
	c.rule_err = xcalloc(c.nr_rules, sizeof(bool));
	c.cap_reported = xcalloc(c.nr_rules, sizeof(bool));
	c.x_start = xcalloc(c.nr_rules + 1, sizeof(size_t));
	c.r_start = xcalloc(c.nr_rules + 1, sizeof(size_t));
	for (i = 0; i < c.nr_rules; i++)
		compile_rule(&c, i);
	c.x_start[c.nr_rules] = c.nr_xs;
	c.r_start[c.nr_rules] = c.nr_rs;

	/* Exact pairs by ID, without duplicates (deny id 5, id 5). */
	xs = xmalloc(c.nr_xs * sizeof(*xs));
	if (c.nr_xs)
		memcpy(xs, c.xs, c.nr_xs * sizeof(*xs));
	qsort(xs, c.nr_xs, sizeof(*xs), cmp_xref);
	for (k = 0, nx = 0; k < c.nr_xs; k++)
		if (!nx || xs[nx - 1].id != xs[k].id || xs[nx - 1].rule != xs[k].rule)
			xs[nx++] = xs[k];

	sweep(&c, xs, nx);

	if (out->nr_exact > SMCCC_POLICY_MAX_EXACT) {
		uint32_t id = out->exact[SMCCC_POLICY_MAX_EXACT].func_id;

		for (k = 0; k < nx && xs[k].id != id; k++)
			;
		cerr(&c, ast->rules[xs[k].rule].loc,
		     "too many function IDs named by 'id' and 'function': %u, the policy maps hold %d",
		     out->nr_exact, SMCCC_POLICY_MAX_EXACT);
	}
	if (out->nr_segments > SMCCC_POLICY_MAX_SEGMENTS) {
		const struct smccc_policy_segment *s = &out->segments[SMCCC_POLICY_MAX_SEGMENTS];

		j = out->chain[s->chain.start];
		cerr(&c, ast->rules[j].loc,
		     "too many ID ranges: the rules' ranges make %u segments, the policy maps hold %d",
		     out->nr_segments, SMCCC_POLICY_MAX_SEGMENTS);
	}
	if (c.chain_over)
		cerr(&c, ast->rules[c.chain_over_rule].loc,
		     "too many candidate rules: the chains need %u entries, the policy maps hold %d",
		     out->nr_chain, SMCCC_POLICY_MAX_CHAIN);
	out->config.nr_segments = out->nr_segments;
	check_vendor_hyp(&c);

	if (warnings)
		warn_shadowed(&c);

	free(xs);
	free(c.xs);
	free(c.rs);
	free(c.x_start);
	free(c.r_start);
	free(c.rule_err);
	free(c.cap_reported);
	free(c.exact_cut);
	free(c.seg_cut);
	free(c.ct.slot);
	free(c.ct.desc);
	if (d->errors != errors) {
		smccc_compiled_free(out);
		return -1;
	}
	return 0;
}

int policy_compile(const struct policy_ast *ast, const struct policy_src *src,
		   struct smccc_compiled *out, struct policy_diags *diags)
{
	return compile(ast, src, out, diags, true);
}

int policy_compile_text(const char *file, const char *text, size_t len,
			struct smccc_compiled *out, char **name, struct policy_diags *diags)
{
	struct policy_src src = { file, text, len };
	struct policy_ast ast;
	unsigned int perrs;
	int ret;

	if (name)
		*name = NULL;
	perrs = policy_parse(&src, &ast, diags);
	/* With syntax errors, still report the compiler's errors, not its warnings. */
	ret = compile(&ast, &src, out, diags, perrs == 0);
	if (perrs) {
		smccc_compiled_free(out);
		ret = -1;
	}
	if (!ret && name && ast.name) {
		*name = ast.name;
		ast.name = NULL;
	}
	policy_ast_free(&ast);
	policy_diags_forget_source(diags);
	return ret;
}

int policy_compile_file(const char *path, struct smccc_compiled *out, char **name,
			struct policy_diags *diags)
{
	struct policy_src src = { path, NULL, 0 };
	size_t len = 0, cap = 0, n, want;
	char *buf = NULL;
	struct stat st;
	FILE *f;
	int ret;

	memset(out, 0, sizeof(*out));
	if (name)
		*name = NULL;
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		policy_diag(diags, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 },
			    "cannot open: %s", strerror(errno));
		return -1;
	}
	if (!fstat(fileno(f), &st) && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
				       S_ISSOCK(st.st_mode) || S_ISDIR(st.st_mode))) {
		policy_diag(diags, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 },
			    "cannot read: it is %s, not a policy file",
			    S_ISDIR(st.st_mode) ? "a directory" : "a device or socket");
		goto fail;
	}
	/* One byte past the limit tells a text that is too long. */
	do {
		buf = grow(buf, &cap, len + 65536, 1);
		want = cap - len < POLICY_MAX_TEXT + 1 - len ? cap - len : POLICY_MAX_TEXT + 1 - len;
		n = fread(buf + len, 1, want, f);
		len += n;
	} while (n && len <= POLICY_MAX_TEXT);
	if (len > POLICY_MAX_TEXT) {
		policy_diag(diags, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 },
			    "cannot read: larger than %u MiB, the limit of a policy file",
			    POLICY_MAX_TEXT >> 20);
		goto fail;
	}
	if (ferror(f)) {
		policy_diag(diags, &src, POLICY_DIAG_ERROR, (struct policy_loc){ 0, 0 },
			    "cannot read: %s", strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	ret = policy_compile_text(path, buf, len, out, name, diags);
	policy_diags_forget_source(diags);
	free(buf);
	return ret;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return -1;
}
