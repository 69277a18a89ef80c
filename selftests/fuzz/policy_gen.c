// SPDX-License-Identifier: GPL-2.0
/*
 * Random policies and random SMCCC calls for the differential fuzzer
 * (policy_gen.h says what they respect and how to reproduce them).
 *
 * Every choice is a draw from the caller's struct policy_gen_rng, in an
 * order that depends only on earlier draws and the policy_services tables:
 * the same seed makes the same text on every architecture.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile.h"
#include "policy_eval.h"
#include "policy_gen.h"
#include "policy_services.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SMCCC_FAST	0x80000000u	/* bit 31: fast call (clear: yielding) */
#define SMCCC_64	0x40000000u	/* bit 30: SMC64/HVC64 */
#define SMCCC_SVE_HINT	0x00010000u	/* bit 16: SMCCC 1.3 "no live SVE state" */

/* ---- the random number generator ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void policy_gen_seed(struct policy_gen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	unsigned int i;

	/*
	 * splitmix64 is a bijection of its counter: for one seed, different
	 * streams start from different counters, so from different states.
	 */
	x = splitmix64(&x) ^ stream;
	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t policy_gen_next(struct policy_gen_rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t policy_gen_below(struct policy_gen_rng *r, uint64_t n)
{
	/* 2^64 mod n: draws below it would make the low residues likelier */
	uint64_t min, x;

	if (!n)
		return 0;
	min = (0 - n) % n;
	do
		x = policy_gen_next(r);
	while (x < min);
	return x % n;
}

static bool chance(struct policy_gen_rng *r, unsigned int percent)
{
	return policy_gen_below(r, 100) < percent;
}

/* A value of n bits, n uniform in 1..64: small values as often as large ones. */
static uint64_t any_width(struct policy_gen_rng *r)
{
	unsigned int bits = 1 + (unsigned int)policy_gen_below(r, 64);

	return bits == 64 ? policy_gen_next(r) : policy_gen_next(r) & ((1ull << bits) - 1);
}

/* ---- ID classes ---- */

static bool overlaps(uint32_t a, uint32_t b, uint32_t first, uint32_t last)
{
	return a <= last && first <= b;
}

/* The SMCCC architecture range: no rule may name any of it. */
static bool in_arch(uint32_t a, uint32_t b)
{
	return overlaps(a, b, 0x80000000u, 0x8000ffffu) || overlaps(a, b, 0xc0000000u, 0xc000ffffu);
}

static bool in_vendor_hyp(uint32_t a, uint32_t b)
{
	return overlaps(a, b, SMCCC_POLICY_VENDOR_HYP32_FIRST, SMCCC_POLICY_VENDOR_HYP32_LAST) ||
	       overlaps(a, b, SMCCC_POLICY_VENDOR_HYP64_FIRST, SMCCC_POLICY_VENDOR_HYP64_LAST);
}

static bool function_in_arch(const struct smccc_function *f)
{
	return (f->id32 && in_arch(f->id32, f->id32)) || (f->id64 && in_arch(f->id64, f->id64));
}

static bool service_in_arch(const struct smccc_service *s)
{
	unsigned int k;

	for (k = 0; k < s->nr_ranges; k++)
		if (in_arch(s->ranges[k].first, s->ranges[k].last))
			return true;
	return false;
}

/* A function of the table; with nameable, only those a rule may name. */
static const struct smccc_function *pick_function(struct policy_gen_rng *r, bool nameable)
{
	size_t nr, i, n = 0, k;
	const struct smccc_function *f = smccc_functions(&nr);

	for (i = 0; i < nr; i++)
		n += !nameable || !function_in_arch(&f[i]);
	k = policy_gen_below(r, n);
	for (i = 0; i < nr; i++)
		if ((!nameable || !function_in_arch(&f[i])) && !k--)
			return &f[i];
	return &f[0];
}

static const struct smccc_service *pick_service(struct policy_gen_rng *r, bool nameable)
{
	size_t nr, i, n = 0, k;
	const struct smccc_service *s = smccc_services(&nr);

	for (i = 0; i < nr; i++)
		n += !nameable || !service_in_arch(&s[i]);
	k = policy_gen_below(r, n);
	for (i = 0; i < nr; i++)
		if ((!nameable || !service_in_arch(&s[i])) && !k--)
			return &s[i];
	return &s[0];
}

/* One of a function's IDs. */
static uint32_t function_id(struct policy_gen_rng *r, const struct smccc_function *f)
{
	if (f->id32 && f->id64)
		return chance(r, 50) ? f->id32 : f->id64;
	return f->id32 ? f->id32 : f->id64;
}

/* An ID of a service: an end of one of its ranges, or inside. */
static uint32_t service_id(struct policy_gen_rng *r, const struct smccc_service *s)
{
	const struct smccc_id_range *g = &s->ranges[policy_gen_below(r, s->nr_ranges)];
	uint64_t k = policy_gen_below(r, 4);

	if (k == 0)
		return g->first;
	if (k == 1)
		return g->last;
	return g->first + (uint32_t)policy_gen_below(r, (uint64_t)g->last - g->first + 1);
}

/* A named function's first ID, or 0 (the tables name these: no copy of them here). */
static uint32_t named(const char *name)
{
	uint32_t ids[2];

	return smccc_function_ids(name, ids) ? ids[0] : 0;
}

/* ---- text output ---- */

struct gen {
	struct policy_gen_rng *r;
	char *buf;
	size_t len, pos;
	bool full;			/* something did not fit */
	struct policy_gen_pool *pool;
	unsigned int max_rules;
	bool no_forward;
	/*
	 * The vendor hypervisor range is "strict": only the takeover rule
	 * (if any) may name it. Otherwise no rule that may move a call
	 * (forward, return) names it.
	 */
	bool vh_strict;
	/* The ranges of the rules with conditions so far, for the chain bound. */
	struct gen_iv {
		uint32_t first, last, rule;
	} *ivs;
	size_t nr_ivs, cap_ivs;
	bool oom;
};

static void emitv(struct gen *g, const char *fmt, va_list ap)
{
	size_t room = g->pos < g->len ? g->len - g->pos : 0;
	int n = vsnprintf(g->buf + g->pos, room, fmt, ap);

	if (n < 0 || (size_t)n >= room) {
		g->full = true;
		return;
	}
	g->pos += (size_t)n;
}

static void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emitv(g, fmt, ap);
	va_end(ap);
}

/* Between two tokens: mostly a space, sometimes a line break or a tab. */
static void sp(struct gen *g)
{
	uint64_t k = policy_gen_below(g->r, 40);

	emit(g, "%s", k == 0 ? "\n\t" : k == 1 ? "\t" : k == 2 ? "  " : " ");
}

/* Around an operator: also nothing at all, which the lexer must split. */
static void op_sp(struct gen *g)
{
	if (!chance(g->r, 15))
		emit(g, " ");
}

/* Comments, with what would be syntax if they were not comments. */
static const char *const comments[] = {
	"# generated", "# deny id 5;", "#", "# x1 == 3 and ; \"", "# limit 0/s",
	"## rule ahead", "# range 10-5 return -1",
};

static void comment(struct gen *g)
{
	emit(g, "%s", comments[policy_gen_below(g->r, ARRAY_SIZE(comments))]);
}

/* The end of a statement: a newline, a comment, or the next on the same line. */
static void end_statement(struct gen *g)
{
	uint64_t k = policy_gen_below(g->r, 20);

	emit(g, "%s;", k == 0 ? " " : k == 1 ? "\n" : "");
	k = policy_gen_below(g->r, 20);
	if (k == 0) {
		emit(g, " ");
		return;
	}
	if (k == 1) {
		emit(g, "  ");
		comment(g);
	}
	emit(g, "\n");
	if (chance(g->r, 4)) {
		comment(g);
		emit(g, "\n");
	}
}

/* ---- numbers ---- */

#define NUM_NEG		(1u << 0)	/* may be written -N (64-bit values) */
#define NUM_CONST	(1u << 1)	/* may be written as a named constant */

/* digits with an underscore every `every` of them, from the right */
static void group(char *out, size_t len, const char *digits, unsigned int every)
{
	size_t n = strlen(digits), i, o = 0;

	for (i = 0; i < n && o + 2 < len; i++) {
		if (i && (n - i) % every == 0)
			out[o++] = '_';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* v as an unsigned number: decimal, hex, 0X, leading zeros, underscores. */
static void fmt_unsigned(struct gen *g, uint64_t v, char *out, size_t len)
{
	unsigned long long u = (unsigned long long)v;
	uint64_t k = policy_gen_below(g->r, 20);
	char digits[32];

	if (k < 7) {
		snprintf(out, len, "%llu", u);
	} else if (k < 15) {
		snprintf(out, len, "0x%llx", u);
	} else if (k < 17) {
		snprintf(out, len, "0X%llX", u);
	} else if (k < 18) {
		snprintf(out, len, "0x%016llx", u);
	} else if (k < 19) {
		snprintf(digits, sizeof(digits), "%llu", u);
		group(out, len, digits, 3);
	} else {
		snprintf(digits, sizeof(digits), "%llx", u);
		memcpy(out, "0x", 3);
		group(out + 2, len - 2, digits, 4);
	}
}

/* v as the language may write it where flags allow; returns whether it is a constant. */
static bool fmt_num(struct gen *g, uint64_t v, unsigned int flags, char *out, size_t len)
{
	size_t nr, i, n = 0, k;
	const struct smccc_constant *c = smccc_constants(&nr);
	char mag[40];

	if (flags & NUM_CONST) {
		for (i = 0; i < nr; i++)
			n += c[i].value == v;
		if (n && chance(g->r, 50)) {
			k = policy_gen_below(g->r, n);
			for (i = 0; i < nr; i++) {
				if (c[i].value == v && !k--) {
					snprintf(out, len, "%s", c[i].name);
					return true;
				}
			}
		}
	}
	if ((flags & NUM_NEG) && (v >> 63) && chance(g->r, 50)) {
		fmt_unsigned(g, 0 - v, mag, sizeof(mag));
		snprintf(out, len, "-%s%s", chance(g->r, 20) ? " " : "", mag);
		return false;
	}
	fmt_unsigned(g, v, out, len);
	return false;
}

static void emit_num(struct gen *g, uint64_t v, unsigned int flags)
{
	char t[48];

	fmt_num(g, v, flags, t, sizeof(t));
	emit(g, "%s", t);
}

/* ---- the pool ---- */

static void pool_id(struct gen *g, uint64_t id)
{
	struct policy_gen_pool *p = g->pool;

	if (id > UINT32_MAX)
		return;
	if (p->nr_ids < POLICY_GEN_POOL_IDS)
		p->ids[p->nr_ids++] = (uint32_t)id;
	else	/* full: keep a random sample of all that were named */
		p->ids[policy_gen_below(g->r, POLICY_GEN_POOL_IDS)] = (uint32_t)id;
}

/* An ID range a rule names: its ends, the IDs just outside, one inside. */
static void pool_range(struct gen *g, uint32_t first, uint32_t last)
{
	pool_id(g, first);
	if (last != first)
		pool_id(g, last);
	if (chance(g->r, 50))
		pool_id(g, (uint64_t)last + 1);
	if (first && chance(g->r, 50))
		pool_id(g, (uint64_t)first - 1);
	if (last - first > 1)
		pool_id(g, first + 1 + (uint32_t)policy_gen_below(g->r, last - first - 1));
}

/*
 * The values conditions compare with and calls pass: the edges of the
 * comparisons (0, 1, all ones, the 32-bit halves), IDs (discovery
 * arguments), and random ones, some with only the upper half set (which
 * SMC32 calls lose).
 */
static uint64_t interesting(struct gen *g)
{
	struct policy_gen_rng *r = g->r;

	switch (policy_gen_below(r, 14)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 2 + policy_gen_below(r, 15);
	case 3:
		return 0xff;
	case 4:
		return 0xffffffffu;
	case 5:
		return 0x80000000u;
	case 6:
		return 1ull << 63;
	case 7:
		return UINT64_MAX;
	case 8:
		return policy_gen_next(r) & 0xffffffffu;
	case 9:
		return policy_gen_next(r);
	case 10:
		return function_id(r, pick_function(r, false));
	case 11:
		return (policy_gen_next(r) << 32) | policy_gen_below(r, 16);
	case 12:
		return any_width(r);
	default:
		return 0 - (1 + policy_gen_below(r, 9));	/* -1..-9, the return codes */
	}
}

static uint64_t pool_value(struct gen *g)
{
	const struct policy_gen_pool *p = g->pool;

	return p->values[policy_gen_below(g->r, p->nr_values)];
}

/* ---- actions ---- */

/* SMCCC_BPF_ACT_* or SMCCC_POLICY_ACT_LOG; never forward with no_forward. */
static uint8_t pick_action(struct gen *g, bool allow_return)
{
	for (;;) {
		uint64_t k = policy_gen_below(g->r, 100);

		if (k < 15)
			return SMCCC_BPF_ACT_HANDLE;
		if (k < 40)
			return SMCCC_BPF_ACT_DENY;
		if (k < 55) {
			if (g->no_forward)
				continue;
			return SMCCC_BPF_ACT_FWD_TO_USER;
		}
		if (k < 80) {
			if (!allow_return)
				continue;
			return SMCCC_BPF_ACT_RETURN;
		}
		return SMCCC_POLICY_ACT_LOG;
	}
}

static bool moves(uint8_t action)
{
	return action == SMCCC_BPF_ACT_FWD_TO_USER || action == SMCCC_BPF_ACT_RETURN;
}

static uint64_t ret_value(struct gen *g)
{
	size_t nr;
	const struct smccc_constant *c = smccc_constants(&nr);
	uint64_t k = policy_gen_below(g->r, 20);

	if (k < 6)
		return c[policy_gen_below(g->r, nr)].value;
	if (k < 9)
		return 0 - (1 + policy_gen_below(g->r, 9));
	if (k < 12)
		return pool_value(g);
	if (k < 14)
		return 0;
	if (k < 16)
		return policy_gen_below(g->r, 16);
	if (k < 18)
		return policy_gen_next(g->r);
	return any_width(g->r);
}

struct gen_action {
	uint8_t kind;
	unsigned int nr_ret;
	uint64_t ret[4];
};

static void gen_ret(struct gen *g, struct gen_action *a)
{
	unsigned int i;

	a->nr_ret = 1 + (unsigned int)policy_gen_below(g->r, 4);
	for (i = 0; i < a->nr_ret; i++)
		a->ret[i] = ret_value(g);
}

static void emit_action(struct gen *g, const struct gen_action *a)
{
	unsigned int i;

	switch (a->kind) {
	case SMCCC_BPF_ACT_HANDLE:
		emit(g, "handle");
		return;
	case SMCCC_BPF_ACT_DENY:
		emit(g, "deny");
		return;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		emit(g, "forward");
		return;
	case SMCCC_POLICY_ACT_LOG:
		emit(g, "log");
		return;
	}
	emit(g, "return ");
	for (i = 0; i < a->nr_ret; i++) {
		if (i)
			emit(g, "%s", chance(g->r, 80) ? ", " : ",");
		emit_num(g, a->ret[i], NUM_NEG | NUM_CONST);
	}
}

/*
 * The same values as a (the compiler compares all four, missing ones 0):
 * trailing zeros may be left out or added, and each is spelt anew.
 */
static void same_ret(struct gen *g, const struct gen_action *a, struct gen_action *b)
{
	unsigned int need = 4;

	*b = *a;
	while (need > 1 && !a->ret[need - 1])
		need--;
	b->nr_ret = need + (unsigned int)policy_gen_below(g->r, 4 - need + 1);
}

/* ---- matches ---- */

struct gen_match {
	enum policy_match_kind kind;
	uint32_t first, last;		/* id, range */
	const struct smccc_service *svc;
	char name[64];			/* function name as written */
	uint32_t ids[2];
	unsigned int nr_ids;
};

/* The ranges a match names, one by one. */
static unsigned int match_ranges(const struct gen_match *m, unsigned int i, uint32_t *a,
				 uint32_t *b)
{
	switch (m->kind) {
	case POLICY_MATCH_ID:
	case POLICY_MATCH_RANGE:
		*a = m->first;
		*b = m->last;
		return 1;
	case POLICY_MATCH_SERVICE:
		*a = m->svc->ranges[i].first;
		*b = m->svc->ranges[i].last;
		return m->svc->nr_ranges;
	case POLICY_MATCH_FUNCTION:
		*a = *b = m->ids[i];
		return m->nr_ids;
	}
	return 0;
}

static void set_range(struct gen_match *m, uint64_t first, uint64_t last)
{
	m->kind = POLICY_MATCH_RANGE;
	m->first = (uint32_t)first;
	m->last = last > UINT32_MAX ? UINT32_MAX : (uint32_t)last;
}

/* A random span length: short ones (a few IDs) as often as long ones. */
static uint64_t span(struct policy_gen_rng *r, uint64_t max)
{
	uint64_t s = policy_gen_below(r, 1ull << policy_gen_below(r, 17));

	return s > max ? max : s;
}

static void random_match(struct gen *g, struct gen_match *m)
{
	struct policy_gen_rng *r = g->r;
	const struct smccc_function *f;
	const struct smccc_service *s;
	const struct smccc_id_range *rg;
	uint64_t k = policy_gen_below(r, 100), a, id;
	int n;

	memset(m, 0, sizeof(*m));
	if (k < 35) {
		/* a function, by its bare name or one variant */
		f = pick_function(r, true);
		m->kind = POLICY_MATCH_FUNCTION;
		k = f->id32 && f->id64 ? policy_gen_below(r, 3) : 0;
		snprintf(m->name, sizeof(m->name), "%s%s", f->name,
			 k == 1 ? "32" : k == 2 ? "64" : "");
		n = smccc_function_ids(m->name, m->ids);
		m->nr_ids = n > 0 ? (unsigned int)n : 0;
		return;
	}
	if (k < 55) {
		m->kind = POLICY_MATCH_SERVICE;
		m->svc = pick_service(r, true);
		return;
	}
	if (k < 75) {
		m->kind = POLICY_MATCH_ID;
		k = policy_gen_below(r, 8);
		if (k < 4)
			id = function_id(r, pick_function(r, true));
		else if (k < 6)
			id = service_id(r, pick_service(r, true));
		else
			id = policy_gen_next(r) & 0xffffffffu;
		if (chance(r, 10))
			id &= ~SMCCC_FAST;	/* the yielding twin of a fast call */
		m->first = m->last = (uint32_t)id;
		return;
	}
	k = policy_gen_below(r, 20);
	if (k < 7) {
		/* part of a service */
		s = pick_service(r, true);
		rg = &s->ranges[policy_gen_below(r, s->nr_ranges)];
		a = rg->first + policy_gen_below(r, (uint64_t)rg->last - rg->first + 1);
		set_range(m, a, a + span(r, rg->last - a));
	} else if (k < 11) {
		/* around a function */
		id = function_id(r, pick_function(r, true));
		a = id - policy_gen_below(r, id < 4 ? id + 1 : 4);
		set_range(m, a, id + policy_gen_below(r, 4));
	} else if (k < 15) {
		a = policy_gen_next(r) & 0xffffffffu;
		set_range(m, a, a + span(r, UINT32_MAX - a));
	} else if (k < 18) {
		/* yielding calls are only named by range */
		s = pick_service(r, true);
		rg = &s->ranges[policy_gen_below(r, s->nr_ranges)];
		set_range(m, rg->first & ~SMCCC_FAST, rg->last & ~SMCCC_FAST);
	} else {
		/* all of one owner's fast calls in one convention */
		a = SMCCC_FAST | (chance(r, 50) ? SMCCC_64 : 0) |
		    (uint32_t)policy_gen_below(r, 64) << 24;
		set_range(m, a, a + 0xffff);
	}
}

/* How many earlier rules with conditions overlap [a, b]. */
static unsigned int cond_rules_over(const struct gen *g, uint32_t a, uint32_t b)
{
	unsigned int n = 0;
	uint32_t last = UINT32_MAX;
	size_t i;

	for (i = 0; i < g->nr_ivs; i++) {
		const struct gen_iv *v = &g->ivs[i];

		if (v->rule != last && overlaps(a, b, v->first, v->last)) {
			n++;
			last = v->rule;
		}
	}
	return n;
}

/*
 * Whether a rule may have this match: not the architecture range; the
 * vendor hypervisor range only where allowed; and the chain limit: a
 * chain is cut after its first rule without conditions, so an ID whose
 * earlier rules with conditions number under 16 stays within 16
 * candidates whatever this rule is.
 */
static bool match_ok(const struct gen *g, const struct gen_match *m, bool allow_vh)
{
	unsigned int i, n;
	uint32_t a, b;

	n = match_ranges(m, 0, &a, &b);
	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		match_ranges(m, i, &a, &b);
		if (in_arch(a, b) || (!allow_vh && in_vendor_hyp(a, b)) ||
		    cond_rules_over(g, a, b) >= SMCCC_POLICY_MAX_CHAIN_LEN)
			return false;
	}
	return true;
}

static void emit_match(struct gen *g, const struct gen_match *m)
{
	char a[48], b[48];
	bool ca, cb;

	switch (m->kind) {
	case POLICY_MATCH_ID:
		emit(g, "id ");
		emit_num(g, m->first, NUM_CONST);
		return;
	case POLICY_MATCH_RANGE:
		ca = fmt_num(g, m->first, NUM_CONST, a, sizeof(a));
		cb = fmt_num(g, m->last, NUM_CONST, b, sizeof(b));
		/* a name takes a '-' followed by a letter: spaces around it then */
		emit(g, "range %s%s%s", a, ca || cb || chance(g->r, 30) ? " - " : "-", b);
		return;
	case POLICY_MATCH_SERVICE:
		emit(g, "service %s", m->svc->name);
		return;
	case POLICY_MATCH_FUNCTION:
		emit(g, "function %s", m->name);
		return;
	}
}

static void pool_match(struct gen *g, const struct gen_match *m)
{
	unsigned int i, n;
	uint32_t a, b;

	n = match_ranges(m, 0, &a, &b);
	if (m->kind == POLICY_MATCH_SERVICE && n > 2) {
		/* trusted-os: 28 ranges; two of them are enough */
		for (i = 0; i < 2; i++) {
			match_ranges(m, (unsigned int)policy_gen_below(g->r, n), &a, &b);
			pool_range(g, a, b);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		match_ranges(m, i, &a, &b);
		pool_range(g, a, b);
	}
}

/* Record a rule's ranges for the chain bound (rules with conditions only). */
static void note_ranges(struct gen *g, const struct gen_match *m, uint32_t rule)
{
	unsigned int i, n;
	uint32_t a, b;

	n = match_ranges(m, 0, &a, &b);
	for (i = 0; i < n; i++) {
		if (g->nr_ivs == g->cap_ivs) {
			size_t cap = g->cap_ivs ? 2 * g->cap_ivs : 256;
			struct gen_iv *v = realloc(g->ivs, cap * sizeof(*v));

			if (!v) {
				g->oom = true;
				return;
			}
			g->ivs = v;
			g->cap_ivs = cap;
		}
		match_ranges(m, i, &a, &b);
		g->ivs[g->nr_ivs++] = (struct gen_iv){ a, b, rule };
	}
}

/* ---- conditions ---- */

static const char *const op_names[] = { "==", "!=", "<", "<=", ">", ">=" };

static void emit_cond(struct gen *g)
{
	struct policy_gen_rng *r = g->r;
	struct policy_gen_pool *p = g->pool;
	uint64_t k = policy_gen_below(r, 10), v, mask = UINT64_MAX;
	const char *op = op_names[policy_gen_below(r, ARRAY_SIZE(op_names))];
	unsigned int reg;

	if (k < 2) {
		emit(g, "conduit");
		op_sp(g);
		emit(g, "%s", chance(r, 50) ? "==" : "!=");
		op_sp(g);
		emit(g, "%s", chance(r, 50) ? "hvc" : "smc");
		return;
	}
	if (k < 4) {
		/* the VM's vCPUs, one past them, and ids no vCPU has */
		v = chance(r, 85) ? policy_gen_below(r, p->nr_vcpus + 1) :
				    policy_gen_next(r) & 0xffffffffu;
		emit(g, "vcpu");
		op_sp(g);
		emit(g, "%s", op);
		op_sp(g);
		emit_num(g, v, NUM_CONST);
		return;
	}
	/* low registers more often: that is where arguments are */
	reg = chance(r, 50) ? 1 + (unsigned int)policy_gen_below(r, 4) :
			      1 + (unsigned int)policy_gen_below(r, SMCCC_BPF_NR_ARGS);
	p->regs |= 1u << reg;
	emit(g, "x%u", reg);
	if (chance(r, 45)) {
		switch (policy_gen_below(r, 8)) {
		case 0:
			mask = 0xff;
			break;
		case 1:
			mask = 0xffff;
			break;
		case 2:
			mask = 0xffffffffu;
			break;
		case 3:
			mask = 0xffffffff00000000ull;
			break;
		case 4:
			mask = 1ull << policy_gen_below(r, 64);
			break;
		case 5:
			mask = pool_value(g);
			break;
		case 6:
			mask = UINT64_MAX;	/* written: the same as none */
			break;
		default:
			mask = policy_gen_next(r);
			break;
		}
		op_sp(g);
		emit(g, "&");
		op_sp(g);
		emit_num(g, mask, NUM_NEG | NUM_CONST);
	}
	/* a pool value as the call would have it, or just beside it */
	v = chance(r, 85) ? pool_value(g) & mask : policy_gen_next(r);
	k = policy_gen_below(r, 10);
	if (k == 0)
		v++;
	else if (k == 1)
		v--;
	op_sp(g);
	emit(g, "%s", op);
	op_sp(g);
	emit_num(g, v, NUM_NEG | NUM_CONST);
}

static void emit_conds(struct gen *g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		sp(g);
		emit(g, i ? "and" : "if");
		sp(g);
		emit_cond(g);
	}
}

static unsigned int nr_conds(struct gen *g)
{
	if (chance(g->r, 50))
		return 0;
	return 1 + (unsigned int)policy_gen_below(g->r, SMCCC_POLICY_MAX_CONDS);
}

/* ---- limits ---- */

struct gen_limit {
	bool on;
	uint64_t count, burst;
	bool has_burst, slow;	/* slow: per minute */
	bool has_then;
	struct gen_action then;
};

static void gen_limit(struct gen *g, const struct gen_action *a, struct gen_limit *l)
{
	static const uint64_t fast[] = { 1000, 10000, 1000000, 1000000000 };
	struct policy_gen_rng *r = g->r;

	memset(l, 0, sizeof(*l));
	if (!chance(r, 20))
		return;
	l->on = true;
	l->slow = chance(r, 50);
	if (l->slow) {
		/* a token every >= 10 s: the run sees exactly burst calls pass */
		l->count = 1 + policy_gen_below(r, 6);
		l->has_burst = chance(r, 60);
		l->burst = l->has_burst ? 1 + policy_gen_below(r, 8) : l->count;
	} else {
		/* never empties: at least a million calls in the bucket */
		l->count = chance(r, 70) ? fast[policy_gen_below(r, ARRAY_SIZE(fast))] :
					   1000 + policy_gen_below(r, 1000000000 - 1000 + 1);
		l->has_burst = l->count < 1000000 || chance(r, 70);
		if (!l->has_burst)
			l->burst = l->count;
		else if (chance(r, 30))
			l->burst = 1ull << 32;	/* the most a bucket holds */
		else
			l->burst = 1000000 + policy_gen_below(r, 1000000000);
	}
	l->has_then = chance(r, 65);
	if (!l->has_then)
		return;
	l->then.kind = pick_action(g, true);
	if (l->then.kind != SMCCC_BPF_ACT_RETURN)
		return;
	if (a->kind == SMCCC_BPF_ACT_RETURN)
		same_ret(g, a, &l->then);	/* a rule has one set of return values */
	else
		gen_ret(g, &l->then);
}

static void emit_limit(struct gen *g, const struct gen_limit *l)
{
	static const char *const per_s[] = { "s", "sec", "second" };
	static const char *const per_min[] = { "min", "minute" };
	const char *unit = l->slow ? per_min[policy_gen_below(g->r, ARRAY_SIZE(per_min))] :
				     per_s[policy_gen_below(g->r, ARRAY_SIZE(per_s))];

	sp(g);
	emit(g, "limit ");
	emit_num(g, l->count, 0);
	emit(g, "%s%s", chance(g->r, 20) ? " / " : "/", unit);
	if (l->has_burst) {
		sp(g);
		emit(g, "burst ");
		emit_num(g, l->burst, 0);
	}
	if (l->has_then) {
		sp(g);
		emit(g, "then ");
		emit_action(g, &l->then);
	}
}

/* ---- rules ---- */

/* The whole vendor hypervisor range, as one service or its two halves by range. */
static void emit_vendor_hyp(struct gen *g, struct gen_match *m)
{
	memset(m, 0, sizeof(*m));
	m->kind = POLICY_MATCH_SERVICE;
	m->svc = smccc_service_find("vendor-hyp");
	if (m->svc && chance(g->r, 70)) {
		emit_match(g, m);
		pool_match(g, m);
		return;
	}
	m->svc = NULL;
	set_range(m, SMCCC_POLICY_VENDOR_HYP32_FIRST, SMCCC_POLICY_VENDOR_HYP32_LAST);
	emit_match(g, m);
	pool_match(g, m);
	emit(g, ",");
	sp(g);
	set_range(m, SMCCC_POLICY_VENDOR_HYP64_FIRST, SMCCC_POLICY_VENDOR_HYP64_LAST);
	emit_match(g, m);
	pool_match(g, m);
}

/*
 * One rule, or nothing if none of its matches could be placed; if its
 * text does not fit, what it added to the pool is taken back (the caller
 * gives up then). takeover: the rule that takes the vendor hypervisor
 * range over.
 */
static void gen_rule(struct gen *g, uint32_t index, bool takeover)
{
	size_t pos = g->pos, nr_ivs = g->nr_ivs;
	unsigned int nr_ids = g->pool->nr_ids, regs = g->pool->regs;
	struct gen_match ms[4], vh;
	unsigned int n_conds, n_matches, i, placed = 0, tries;
	struct gen_action a = { 0 };
	struct gen_limit l;
	bool allow_vh;

	if (takeover)
		a.kind = g->no_forward || chance(g->r, 40) ? SMCCC_BPF_ACT_RETURN :
							       SMCCC_BPF_ACT_FWD_TO_USER;
	else
		a.kind = pick_action(g, true);
	if (a.kind == SMCCC_BPF_ACT_RETURN)
		gen_ret(g, &a);
	n_conds = takeover && chance(g->r, 60) ? 0 : nr_conds(g);
	gen_limit(g, &a, &l);
	allow_vh = takeover || (!g->vh_strict && !moves(a.kind) &&
				!(l.on && (l.has_then ? moves(l.then.kind) : false)));

	/* 1 match mostly, up to 4 */
	i = (unsigned int)policy_gen_below(g->r, 20);
	n_matches = i < 12 ? 1 : i < 17 ? 2 : i < 19 ? 3 : 4;
	for (i = 0; i < n_matches; i++) {
		for (tries = 0; tries < 16; tries++) {
			random_match(g, &ms[placed]);
			if (match_ok(g, &ms[placed], allow_vh))
				break;
		}
		if (tries == 16) {
			/* a yielding ID: never the architecture's, nor KVM's */
			memset(&ms[placed], 0, sizeof(ms[placed]));
			ms[placed].kind = POLICY_MATCH_ID;
			ms[placed].first = ms[placed].last =
				(uint32_t)policy_gen_next(g->r) & ~SMCCC_FAST;
			if (!match_ok(g, &ms[placed], allow_vh))
				continue;
		}
		placed++;
	}
	if (!placed && !takeover)
		return;

	emit_action(g, &a);
	sp(g);
	if (takeover) {
		emit_vendor_hyp(g, &vh);
		if (placed)
			emit(g, ",");
	}
	for (i = 0; i < placed; i++) {
		if (i) {
			emit(g, "%s", chance(g->r, 80) ? "," : " ,");
			sp(g);
		} else if (takeover) {
			sp(g);
		}
		emit_match(g, &ms[i]);
		pool_match(g, &ms[i]);
	}
	emit_conds(g, n_conds);
	if (l.on)
		emit_limit(g, &l);
	end_statement(g);
	if (n_conds) {
		if (takeover) {
			note_ranges(g, &vh, index);
			if (!vh.svc) {
				set_range(&vh, SMCCC_POLICY_VENDOR_HYP32_FIRST,
					  SMCCC_POLICY_VENDOR_HYP32_LAST);
				note_ranges(g, &vh, index);
			}
		}
		for (i = 0; i < placed; i++)
			note_ranges(g, &ms[i], index);
	}
	if (g->full) {
		g->pos = pos;
		g->nr_ivs = nr_ivs;
		g->pool->nr_ids = nr_ids;
		g->pool->regs = regs;
	}
}

/* ---- statements ---- */

static void emit_name(struct gen *g)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_. ";
	unsigned int n = 1 + (unsigned int)policy_gen_below(g->r, 16), i;

	emit(g, "policy \"");
	for (i = 0; i < n; i++) {
		uint64_t k = policy_gen_below(g->r, 40);

		/* the four escapes the language has, now and then */
		if (k == 0)
			emit(g, "\\\"");
		else if (k == 1)
			emit(g, "\\\\");
		else if (k == 2)
			emit(g, "\\n");
		else if (k == 3)
			emit(g, "\\t");
		else
			emit(g, "%c", chars[policy_gen_below(g->r, sizeof(chars) - 1)]);
	}
	emit(g, "\"");
	end_statement(g);
}

enum { ST_NAME, ST_DEFAULT, ST_MODE, ST_DISCOVERY, NR_ST };

struct gen_header {
	bool present[NR_ST];
	uint32_t slot[NR_ST];		/* before which rule it comes (nr_rules: after all) */
	uint8_t default_action;
	bool permissive, hide_denied;
};

static void emit_header(struct gen *g, const struct gen_header *h, unsigned int which)
{
	struct gen_action a = { 0 };

	switch (which) {
	case ST_NAME:
		emit_name(g);
		return;
	case ST_DEFAULT:
		a.kind = h->default_action;
		emit(g, "default ");
		emit_action(g, &a);
		break;
	case ST_MODE:
		emit(g, "mode %s", h->permissive ? "permissive" : "enforce");
		break;
	case ST_DISCOVERY:
		emit(g, "discovery %s", h->hide_denied ? "hide-denied" : "keep");
		break;
	}
	end_statement(g);
}

static void new_pool(struct gen *g, unsigned int nr_vcpus)
{
	struct policy_gen_pool *p = g->pool;
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->nr_vcpus = nr_vcpus;
	p->nr_values = 3 + (unsigned int)policy_gen_below(g->r, POLICY_GEN_POOL_VALUES - 2);
	for (i = 0; i < p->nr_values; i++)
		p->values[i] = interesting(g);
}

int policy_gen_text(struct policy_gen_rng *r, const struct policy_gen_opts *o, char *buf,
		    size_t len)
{
	struct policy_gen_pool local;
	struct gen g = { .r = r, .buf = buf, .len = len };
	struct gen_header h;
	unsigned int nr_rules, i, k, takeover = UINT32_MAX;

	g.max_rules = o && o->max_rules ? o->max_rules : POLICY_GEN_DEFAULT_RULES;
	if (g.max_rules > POLICY_GEN_MAX_RULES)
		g.max_rules = POLICY_GEN_MAX_RULES;
	g.no_forward = o && o->no_forward;
	g.pool = o && o->pool ? o->pool : &local;
	if (len)
		buf[0] = '\0';
	new_pool(&g, o && o->nr_vcpus ? o->nr_vcpus : POLICY_GEN_DEFAULT_VCPUS);

	/* mostly near max_rules, sometimes few or none */
	if (chance(r, 70))
		nr_rules = g.max_rules - (unsigned int)policy_gen_below(r, g.max_rules / 3 + 1);
	else
		nr_rules = (unsigned int)policy_gen_below(r, g.max_rules + 1);
	for (i = 0; i < NR_ST; i++) {
		h.present[i] = chance(r, 75);
		h.slot[i] = (uint32_t)policy_gen_below(r, nr_rules + 1);
	}
	h.default_action = pick_action(&g, false);
	h.permissive = chance(r, 25);
	h.hide_denied = chance(r, 40);
	if (!h.present[ST_DEFAULT])
		h.default_action = SMCCC_BPF_ACT_HANDLE;
	/*
	 * KVM's vendor hypervisor range moves whole or not at all: a takeover
	 * rule, or a forward default, leaves the range to them alone.
	 */
	if (nr_rules && chance(r, 12))
		takeover = (unsigned int)policy_gen_below(r, nr_rules);
	g.vh_strict = takeover != UINT32_MAX || h.default_action == SMCCC_BPF_ACT_FWD_TO_USER;

	if (chance(r, 10)) {
		comment(&g);
		emit(&g, "\n");
	}
	for (i = 0; i <= nr_rules; i++) {
		for (k = 0; k < NR_ST; k++)
			if (h.present[k] && h.slot[k] == i)
				emit_header(&g, &h, k);
		if (i < nr_rules && !g.full)
			gen_rule(&g, i, i == takeover);
	}
	free(g.ivs);
	if (g.oom || g.full) {
		if (len)
			buf[g.pos < len ? g.pos : len - 1] = '\0';
		return -1;
	}
	return (int)g.pos;
}

/* Statements only: compiles whatever the options (the default is not return). */
static int fallback_text(const struct policy_gen_opts *o, char *buf, size_t len)
{
	int n = snprintf(buf, len, "policy \"fallback\";\ndefault %s;\n",
			 o && o->no_forward ? "deny" : "forward");

	if (o && o->pool) {
		memset(o->pool, 0, sizeof(*o->pool));
		o->pool->nr_vcpus = o->nr_vcpus ? o->nr_vcpus : POLICY_GEN_DEFAULT_VCPUS;
	}
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int policy_gen_compiled(struct policy_gen_rng *r, const struct policy_gen_opts *o, char *buf,
			size_t len, struct smccc_compiled *out, unsigned int *attempts)
{
	struct policy_diags d = { 0 };
	unsigned int tries;
	int n, err;

	memset(out, 0, sizeof(*out));
	for (tries = 1; tries <= POLICY_GEN_MAX_ATTEMPTS + 1; tries++) {
		n = tries <= POLICY_GEN_MAX_ATTEMPTS ? policy_gen_text(r, o, buf, len) :
						       fallback_text(o, buf, len);
		if (n < 0)
			continue;
		err = policy_compile_text("policy_gen", buf, (size_t)n, out, NULL, &d);
		policy_diags_free(&d);
		memset(&d, 0, sizeof(d));
		if (!err) {
			if (attempts)
				*attempts = tries;
			return 0;
		}
	}
	if (attempts)
		*attempts = tries - 1;
	return -1;
}

/* ---- calls ---- */

static uint32_t table_id(struct policy_gen_rng *r)
{
	return function_id(r, pick_function(r, false));
}

/* An ID from the pool, or from the tables when there is none. */
static uint32_t pool_or_table_id(struct policy_gen_rng *r, const struct policy_gen_pool *p)
{
	if (p && p->nr_ids && chance(r, 60))
		return p->ids[policy_gen_below(r, p->nr_ids)];
	return table_id(r);
}

/* The architecture range: what KVM answers before any policy. */
static uint32_t arch_id(struct policy_gen_rng *r)
{
	static const char *const calls[] = {
		"smccc.version", "smccc.arch_features", "smccc.arch_workaround_1",
		"smccc.arch_workaround_2", "smccc.arch_workaround_3", "smccc.arch_soc_id",
	};
	uint64_t k = policy_gen_below(r, ARRAY_SIZE(calls) + 2);
	uint32_t id;

	if (k < ARRAY_SIZE(calls)) {
		id = named(calls[k]);
		if (id)
			return id;
	}
	return (chance(r, 50) ? 0x80000000u : 0xc0000000u) | (uint32_t)policy_gen_below(r, 0x10000);
}

/*
 * The discovery calls, whose answers `discovery hide-denied` and `return`
 * adjust (known_args() says what they ask about): often enough that every
 * policy meets them, as a guest meets them at boot.
 */
static uint32_t discovery_id(struct policy_gen_rng *r)
{
	static const char *const calls[] = {
		"psci.features", "trng.features", "smccc.arch_features", "kvm.features",
		"psci.version", "trng.version",
	};
	uint32_t id = named(calls[policy_gen_below(r, ARRAY_SIZE(calls))]);

	return id ? id : table_id(r);
}

/* An ID with the bits SMCCC reserves, or the convention bit, changed. */
static uint32_t reserved_bits(struct policy_gen_rng *r, uint32_t id)
{
	unsigned int n = 1 + (unsigned int)policy_gen_below(r, 2), i;

	for (i = 0; i < n; i++) {
		switch (policy_gen_below(r, 4)) {
		case 0:
			id |= SMCCC_SVE_HINT;
			break;
		case 1:
			id &= ~SMCCC_FAST;
			break;
		case 2:
			id |= (1 + (uint32_t)policy_gen_below(r, 0x7f)) << 17;
			break;
		default:
			id ^= SMCCC_64;
			break;
		}
	}
	return id;
}

static uint64_t generic_arg(struct policy_gen_rng *r, const struct policy_gen_pool *p)
{
	uint64_t k = policy_gen_below(r, 20);

	if (k < 7)
		return 0;
	if (k < 10)
		return policy_gen_below(r, 16);
	if (k < 13 && p && p->nr_values)
		return p->values[policy_gen_below(r, p->nr_values)];
	if (k < 15)
		return policy_gen_next(r) & 0xffffffffu;
	if (k < 17)
		return policy_gen_next(r);
	return any_width(r);
}

/* A pool value as is, beside it, or with other upper bits (which SMC32 drops). */
static uint64_t pool_arg(struct policy_gen_rng *r, const struct policy_gen_pool *p)
{
	uint64_t v = p->values[policy_gen_below(r, p->nr_values)];

	switch (policy_gen_below(r, 10)) {
	case 0:
		return v + 1;
	case 1:
		return v - 1;
	case 2:
		return (v & 0xffffffffu) | (policy_gen_next(r) << 32);
	default:
		return v;
	}
}

/* The function an ID is, by number (cheap: no names compared), or NULL. */
static const struct smccc_function *function_of(uint32_t id)
{
	size_t nr, i;
	const struct smccc_function *f = smccc_functions(&nr);

	for (i = 0; i < nr; i++)
		if (f[i].id32 == id || f[i].id64 == id)
			return &f[i];
	return NULL;
}

/*
 * A function of one service (name prefix "psci.") that KVM implements:
 * what a *_FEATURES query must ask about for KVM to say present, so that
 * hiding it (`discovery hide-denied`, a `return`) can show. From the
 * policy's own IDs when it names some, else from the table.
 */
static uint32_t kvm_function_of(struct policy_gen_rng *r, const struct policy_gen_pool *p,
				const char *prefix)
{
	size_t nr, i, n = 0, plen = strlen(prefix);
	const struct smccc_function *f = smccc_functions(&nr), *pick = NULL;
	uint32_t mine[POLICY_GEN_POOL_IDS];
	unsigned int nr_mine = 0;

	for (i = 0; p && i < p->nr_ids; i++) {
		const struct smccc_function *g = function_of(p->ids[i]);

		if (g && g->kvm && !strncmp(g->name, prefix, plen))
			mine[nr_mine++] = p->ids[i];
	}
	if (nr_mine && chance(r, 60))
		return mine[policy_gen_below(r, nr_mine)];
	/* Reservoir choice: one pass, no table of candidates. */
	for (i = 0; i < nr; i++) {
		if (!f[i].kvm || strncmp(f[i].name, prefix, plen))
			continue;
		if (!policy_gen_below(r, ++n))
			pick = &f[i];
	}
	return pick ? function_id(r, pick) : table_id(r);
}

/* The argument a discovery or other well-known call is about. */
static void known_args(struct policy_gen_rng *r, const struct policy_gen_pool *p,
		       struct policy_gen_call *c)
{
	const struct smccc_function *f = function_of(c->func_id);
	uint32_t nr_vcpus = p && p->nr_vcpus ? p->nr_vcpus : 1;
	const char *n = f ? f->name : "";

	if (!strcmp(n, "smccc.arch_features")) {
		if (chance(r, 25))
			c->args[0] = kvm_function_of(r, p, "pvtime.");
		else if (chance(r, 75))
			c->args[0] = chance(r, 30) ? arch_id(r) : pool_or_table_id(r, p);
	} else if (!strcmp(n, "psci.features") || !strcmp(n, "trng.features")) {
		if (chance(r, 50))
			c->args[0] = kvm_function_of(r, p, n[0] == 'p' ? "psci." : "trng.");
		else if (chance(r, 60))
			c->args[0] = pool_or_table_id(r, p);
	} else if (!strcmp(n, "pvtime.features")) {
		if (chance(r, 70))
			c->args[0] = chance(r, 50) ? named("pvtime.features") : named("pvtime.st");
	} else if (!strcmp(n, "kvm.ptp")) {
		/* KVM_PTP_VIRT_COUNTER, KVM_PTP_PHYS_COUNTER */
		if (chance(r, 70))
			c->args[0] = policy_gen_below(r, 2);
	} else if (!strcmp(n, "trng.rnd")) {
		/* bits wanted: up to 96 or 192 is valid */
		if (chance(r, 70))
			c->args[0] = policy_gen_below(r, 200);
	} else if (!strcmp(n, "psci.affinity_info") || !strcmp(n, "psci.cpu_on")) {
		/* an MPIDR of this VM's vCPUs, or one past them */
		if (chance(r, 70))
			c->args[0] = policy_gen_below(r, nr_vcpus + 1);
	}
	/* SMC32: what the callee drops must not matter */
	if (!(c->func_id & SMCCC_64) && chance(r, 20))
		c->args[0] |= policy_gen_next(r) << 32;
}

void policy_gen_call(struct policy_gen_rng *r, const struct policy_gen_pool *pool,
		     struct policy_gen_call *c)
{
	static const uint16_t hvc_imm[] = { 1, 0x1234, 0xffff };
	const struct policy_gen_pool *p = pool && pool->nr_values ? pool : NULL;
	uint64_t k = policy_gen_below(r, 100);
	unsigned int i;

	memset(c, 0, sizeof(*c));
	/* what the policy names, then the tables, then anything */
	if (pool && pool->nr_ids && k < 25)
		c->func_id = pool->ids[policy_gen_below(r, pool->nr_ids)];
	else if (k < 42)
		c->func_id = table_id(r);
	else if (k < 50)
		c->func_id = service_id(r, pick_service(r, false));
	else if (k < 62)
		c->func_id = discovery_id(r);
	else if (k < 72)
		c->func_id = arch_id(r);
	else if (k < 87)
		c->func_id = reserved_bits(r, pool_or_table_id(r, pool));
	else
		c->func_id = (uint32_t)policy_gen_next(r);

	if (chance(r, 50)) {
		c->conduit = SMCCC_BPF_CONDUIT_HVC;
		c->imm = chance(r, 70) ? 0 : hvc_imm[policy_gen_below(r, ARRAY_SIZE(hvc_imm))];
	} else {
		c->conduit = SMCCC_BPF_CONDUIT_SMC;
		c->imm = chance(r, 90) ? 0 : 1;
	}
	c->vcpu = pool && pool->nr_vcpus ? (uint32_t)policy_gen_below(r, pool->nr_vcpus) : 0;

	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++) {
		bool tested = p && (p->regs & (1u << (i + 1)));

		c->args[i] = tested && chance(r, 60) ? pool_arg(r, p) : generic_arg(r, p);
	}
	known_args(r, pool, c);
}

void policy_gen_call_format(const struct policy_gen_call *c, char *buf, size_t len)
{
	char name[64];
	size_t pos = 0;
	unsigned int i;
	bool any = false;

	if (!len)
		return;
	smccc_id_describe(c->func_id, name, sizeof(name));
	policy_appendf(buf, len, &pos, "func 0x%08x (%s) conduit %s imm 0x%x vcpu %u args",
		       c->func_id, name[0] ? name : "unnamed",
		       c->conduit == SMCCC_BPF_CONDUIT_SMC ? "smc" :
		       c->conduit == SMCCC_BPF_CONDUIT_HVC ? "hvc" : "?",
		       c->imm, c->vcpu);
	for (i = 0; i < SMCCC_BPF_NR_ARGS; i++) {
		if (!c->args[i])
			continue;
		policy_appendf(buf, len, &pos, " x%u=0x%llx", i + 1,
			       (unsigned long long)c->args[i]);
		any = true;
	}
	if (!any)
		policy_appendf(buf, len, &pos, " 0");
}

bool policy_gen_call_is_destructive(uint32_t func_id)
{
	/* Linux 6.12 arch/arm64/kvm/psci.c: see policy_gen.h for each */
	static const uint32_t ids[] = {
		0x84000001, 0xc4000001,		/* CPU_SUSPEND: WFI */
		0x84000002,			/* CPU_OFF */
		0x84000003, 0xc4000003,		/* CPU_ON */
		0x84000008,			/* SYSTEM_OFF */
		0x84000009,			/* SYSTEM_RESET */
		0x8400000e, 0xc400000e,		/* SYSTEM_SUSPEND */
		0x84000012, 0xc4000012,		/* SYSTEM_RESET2 */
		0x95c1ba5f, 0x95c1ba60,		/* KVM_PSCI_FN_CPU_OFF, _CPU_ON (PSCI 0.1) */
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		if (ids[i] == func_id)
			return true;
	return false;
}

bool policy_gen_call_is_nondeterministic(uint32_t func_id)
{
	/* trng.c kvm_trng_do_rnd(); hypercalls.c kvm_ptp_get_time() */
	return func_id == 0x84000053 || func_id == 0xc4000053 || func_id == 0x86000001;
}
