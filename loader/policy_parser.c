// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: the parser (tokens to struct policy_ast).
 * Recursive descent; after an error it skips to the next ';' and goes on,
 * so that one run reports every error of the file.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smccc_policy.h"
#include "policy_parser.h"
#include "policy_services.h"

struct parser {
	struct policy_lexer lx;
	struct policy_token tok;
	struct policy_loc prev_end;	/* just after the previous token */
	const struct policy_src *src;
	struct policy_diags *diags;
	struct policy_ast *ast;
	unsigned int errors;
	uint32_t rule_no;
	struct policy_loc default_loc;
};

#define PARSE_OK	0
#define PARSE_ERR	(-1)

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *tok_dup(const struct policy_token *t)
{
	char *s = xrealloc(NULL, t->len + 1);

	memcpy(s, t->start, t->len);
	s[t->len] = '\0';
	return s;
}

static void advance(struct parser *p)
{
	p->prev_end = p->tok.loc;
	p->prev_end.col += p->tok.len;
	policy_lex(&p->lx, &p->tok);
}

static void perr(struct parser *p, struct policy_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void perr(struct parser *p, struct policy_loc loc, const char *fmt, ...)
{
	va_list ap;

	p->errors++;
	va_start(ap, fmt);
	policy_vdiag(p->diags, p->src, POLICY_DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

static void pnote(struct parser *p, struct policy_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void pnote(struct parser *p, struct policy_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vdiag(p->diags, p->src, POLICY_DIAG_NOTE, loc, fmt, ap);
	va_end(ap);
}

/* "'foo'" or "end of file" for "found ..." */
static const char *found(const struct policy_token *t, char *buf, size_t len)
{
	if (t->kind == POLICY_TOK_EOF)
		return "end of file";
	if (t->len > 40)
		snprintf(buf, len, "'%.37s...'", t->start);
	else
		snprintf(buf, len, "'%.*s'", (int)t->len, t->start);
	return buf;
}

/*
 * An error about the current token; a token the lexer already reported
 * is not reported again.
 */
static int unexpected(struct parser *p, const char *expected)
{
	char buf[64];

	if (p->tok.kind != POLICY_TOK_ERROR)
		perr(p, p->tok.loc, "expected %s, found %s", expected, found(&p->tok, buf, sizeof(buf)));
	else
		p->errors++;
	return PARSE_ERR;
}

static int is_action_word(const struct policy_token *t)
{
	return policy_tok_is(t, "handle") || policy_tok_is(t, "deny") ||
	       policy_tok_is(t, "forward") || policy_tok_is(t, "log") ||
	       policy_tok_is(t, "return");
}

static int starts_statement(const struct policy_token *t)
{
	return is_action_word(t) || policy_tok_is(t, "policy") ||
	       policy_tok_is(t, "default") || policy_tok_is(t, "mode");
}

/* Skip to just after the next ';' (or to end of file). */
static void sync(struct parser *p)
{
	while (p->tok.kind != POLICY_TOK_SEMI && p->tok.kind != POLICY_TOK_EOF)
		advance(p);
	if (p->tok.kind == POLICY_TOK_SEMI)
		advance(p);
}

/*
 * The ';' that ends a statement. When it is missing and the next line
 * starts a statement, report it after the previous token and carry on
 * from there instead of skipping the next statement too.
 */
static int expect_semi(struct parser *p, const char *after)
{
	char buf[64];

	if (p->tok.kind == POLICY_TOK_SEMI) {
		advance(p);
		return PARSE_OK;
	}
	if (p->tok.kind == POLICY_TOK_ERROR) {
		p->errors++;
		sync(p);
		return PARSE_ERR;
	}
	if (policy_tok_is(&p->tok, "if") && !strcmp(after, "rule")) {
		perr(p, p->tok.loc, "conditions ('if') come before 'limit'");
		sync(p);
		return PARSE_ERR;
	}
	if (p->tok.kind == POLICY_TOK_EOF ||
	    (starts_statement(&p->tok) && p->tok.loc.line > p->prev_end.line)) {
		perr(p, p->prev_end, "expected ';' after %s", after);
		return PARSE_ERR;
	}
	perr(p, p->tok.loc, "expected ';' after %s, found %s", after, found(&p->tok, buf, sizeof(buf)));
	sync(p);
	return PARSE_ERR;
}

/* num := [ "-" ] NUMBER | CONSTANT */
static int parse_num(struct parser *p, uint64_t *val, struct policy_loc *loc)
{
	*loc = p->tok.loc;
	if (p->tok.kind == POLICY_TOK_MINUS) {
		advance(p);
		if (p->tok.kind != POLICY_TOK_NUMBER)
			return unexpected(p, "a number after '-'");
		if (p->tok.num > (1ull << 63)) {
			perr(p, *loc, "-%llu does not fit in 64 bits",
			     (unsigned long long)p->tok.num);
			advance(p);
			return PARSE_ERR;
		}
		*val = (uint64_t)0 - p->tok.num;
		advance(p);
		return PARSE_OK;
	}
	if (p->tok.kind == POLICY_TOK_NUMBER) {
		*val = p->tok.num;
		advance(p);
		return PARSE_OK;
	}
	if (p->tok.kind == POLICY_TOK_IDENT) {
		char *name = tok_dup(&p->tok), nb[POLICY_DIAG_NAME_BUF];
		const struct smccc_constant *c = smccc_constant_find(name);
		const char *hint = NULL;

		if (c) {
			*val = c->value;
			free(name);
			advance(p);
			return PARSE_OK;
		}
		/* No hint for a message that is not shown: a file of junk has many. */
		if (!policy_diags_full(p->diags))
			hint = smccc_suggest(name, SMCCC_NAME_CONSTANT);
		policy_diag_name(nb, name, p->tok.len);
		if (hint)
			perr(p, p->tok.loc, "unknown constant '%s'; did you mean '%s'?", nb, hint);
		else
			perr(p, p->tok.loc, "expected a number or a constant, found '%s'", nb);
		free(name);
		advance(p);
		return PARSE_ERR;
	}
	return unexpected(p, "a number");
}

static const char *const action_words[] = { "handle", "deny", "forward", "log", "return" };

/* action := "handle" | "deny" | "forward" | "log" | "return" num { "," num } */
static int parse_action(struct parser *p, struct policy_action *a)
{
	memset(a, 0, sizeof(*a));
	a->loc = p->tok.loc;
	if (policy_tok_is(&p->tok, "handle")) {
		a->kind = SMCCC_BPF_ACT_HANDLE;
	} else if (policy_tok_is(&p->tok, "deny")) {
		a->kind = SMCCC_BPF_ACT_DENY;
	} else if (policy_tok_is(&p->tok, "forward")) {
		a->kind = SMCCC_BPF_ACT_FWD_TO_USER;
	} else if (policy_tok_is(&p->tok, "log")) {
		a->kind = SMCCC_POLICY_ACT_LOG;
	} else if (policy_tok_is(&p->tok, "return")) {
		a->kind = SMCCC_BPF_ACT_RETURN;
		advance(p);
		for (;;) {
			uint64_t v;
			struct policy_loc loc;

			if (parse_num(p, &v, &loc))
				return PARSE_ERR;
			if (a->nr_ret == 4) {
				perr(p, loc, "'return' sets at most 4 values (x0..x3)");
				return PARSE_ERR;
			}
			a->ret_loc[a->nr_ret] = loc;
			a->ret[a->nr_ret++] = v;
			if (p->tok.kind != POLICY_TOK_COMMA)
				return PARSE_OK;
			advance(p);
		}
	} else if (p->tok.kind == POLICY_TOK_IDENT) {
		char *w = tok_dup(&p->tok), nb[POLICY_DIAG_NAME_BUF];
		const char *best = NULL;
		unsigned int i, d, best_d = 3;

		for (i = 0; i < sizeof(action_words) / sizeof(action_words[0]); i++) {
			d = smccc_edit_distance(w, action_words[i], 2);
			if (d < best_d) {
				best_d = d;
				best = action_words[i];
			}
		}
		policy_diag_name(nb, w, p->tok.len);
		if (best)
			perr(p, p->tok.loc, "unknown action '%s'; did you mean '%s'?", nb, best);
		else
			perr(p, p->tok.loc,
			     "unknown action '%s'; expected handle, deny, forward, log or return", nb);
		free(w);
		return PARSE_ERR;
	} else {
		return unexpected(p, "an action (handle, deny, forward, log or return)");
	}
	advance(p);
	return PARSE_OK;
}

static int parse_name(struct parser *p, char **name, struct policy_loc *loc, const char *what)
{
	*loc = p->tok.loc;
	if (p->tok.kind != POLICY_TOK_IDENT)
		return unexpected(p, what);
	*name = tok_dup(&p->tok);
	advance(p);
	return PARSE_OK;
}

/* match := "id" num | "range" num "-" num | "service" NAME | "function" NAME */
static int parse_match(struct parser *p, struct policy_match *m)
{
	memset(m, 0, sizeof(*m));
	m->loc = p->tok.loc;
	if (policy_tok_is(&p->tok, "id")) {
		m->kind = POLICY_MATCH_ID;
		advance(p);
		if (parse_num(p, &m->first, &m->arg_loc))
			return PARSE_ERR;
		m->last = m->first;
		return PARSE_OK;
	}
	if (policy_tok_is(&p->tok, "range")) {
		struct policy_loc loc;

		m->kind = POLICY_MATCH_RANGE;
		advance(p);
		if (parse_num(p, &m->first, &m->arg_loc))
			return PARSE_ERR;
		if (p->tok.kind != POLICY_TOK_MINUS)
			return unexpected(p, "'-' between the first and last ID of a range");
		advance(p);
		return parse_num(p, &m->last, &loc);
	}
	if (policy_tok_is(&p->tok, "service")) {
		m->kind = POLICY_MATCH_SERVICE;
		advance(p);
		return parse_name(p, &m->name, &m->arg_loc, "a service name");
	}
	if (policy_tok_is(&p->tok, "function")) {
		m->kind = POLICY_MATCH_FUNCTION;
		advance(p);
		return parse_name(p, &m->name, &m->arg_loc, "a function name");
	}
	if (p->tok.kind == POLICY_TOK_IDENT) {
		char *w = tok_dup(&p->tok);
		uint32_t ids[2];

		if (smccc_service_find(w))
			perr(p, p->tok.loc, "expected 'id', 'range', 'service' or 'function'; did you mean 'service %s'?", w);
		else if (smccc_function_ids(w, ids))
			perr(p, p->tok.loc, "expected 'id', 'range', 'service' or 'function'; did you mean 'function %s'?", w);
		else
			unexpected(p, "'id', 'range', 'service' or 'function'");
		free(w);
		return PARSE_ERR;
	}
	return unexpected(p, "'id', 'range', 'service' or 'function'");
}

static int parse_op(struct parser *p, uint8_t *op)
{
	switch (p->tok.kind) {
	case POLICY_TOK_EQ:
		*op = SMCCC_POLICY_OP_EQ;
		break;
	case POLICY_TOK_NE:
		*op = SMCCC_POLICY_OP_NE;
		break;
	case POLICY_TOK_LT:
		*op = SMCCC_POLICY_OP_LT;
		break;
	case POLICY_TOK_LE:
		*op = SMCCC_POLICY_OP_LE;
		break;
	case POLICY_TOK_GT:
		*op = SMCCC_POLICY_OP_GT;
		break;
	case POLICY_TOK_GE:
		*op = SMCCC_POLICY_OP_GE;
		break;
	default:
		return unexpected(p, "a comparison (==, !=, <, <=, >, >=)");
	}
	advance(p);
	return PARSE_OK;
}

/* "x<N>": N, or -1 if the token is no register name at all */
static int reg_number(const struct policy_token *t)
{
	size_t i;
	int n = 0;

	if (t->kind != POLICY_TOK_IDENT || t->len < 2 || t->len > 4 || t->start[0] != 'x')
		return -1;
	for (i = 1; i < t->len; i++) {
		if (t->start[i] < '0' || t->start[i] > '9')
			return -1;
		n = n * 10 + t->start[i] - '0';
	}
	return n;
}

/* cond := "conduit" ("=="|"!=") ("hvc"|"smc") | "vcpu" op num | xN ["&" num] op num */
static int parse_cond(struct parser *p, struct policy_cond *c)
{
	int reg;

	memset(c, 0, sizeof(*c));
	c->loc = p->tok.loc;
	c->mask = ~0ull;
	if (policy_tok_is(&p->tok, "conduit")) {
		c->kind = SMCCC_POLICY_COND_CONDUIT;
		advance(p);
		if (p->tok.kind != POLICY_TOK_EQ && p->tok.kind != POLICY_TOK_NE) {
			if (p->tok.kind >= POLICY_TOK_LT && p->tok.kind <= POLICY_TOK_GE) {
				perr(p, p->tok.loc, "the conduit can only be compared with == or !=");
				return PARSE_ERR;
			}
			return unexpected(p, "'==' or '!=' after 'conduit'");
		}
		parse_op(p, &c->op);
		c->value_loc = p->tok.loc;
		if (policy_tok_is(&p->tok, "hvc"))
			c->value = SMCCC_BPF_CONDUIT_HVC;
		else if (policy_tok_is(&p->tok, "smc"))
			c->value = SMCCC_BPF_CONDUIT_SMC;
		else
			return unexpected(p, "'hvc' or 'smc'");
		advance(p);
		return PARSE_OK;
	}
	if (policy_tok_is(&p->tok, "vcpu")) {
		c->kind = SMCCC_POLICY_COND_VCPU;
		advance(p);
		if (parse_op(p, &c->op))
			return PARSE_ERR;
		return parse_num(p, &c->value, &c->value_loc);
	}
	reg = reg_number(&p->tok);
	if (reg < 0)
		return unexpected(p, "a condition on conduit, vcpu or x1..x17");
	if (reg == 0) {
		perr(p, p->tok.loc, "x0 holds the function ID: match it with id, range, service or function");
		return PARSE_ERR;
	}
	if (reg > SMCCC_BPF_NR_ARGS) {
		perr(p, p->tok.loc, "no argument register x%d: conditions can test x1..x17", reg);
		return PARSE_ERR;
	}
	c->kind = SMCCC_POLICY_COND_ARG;
	c->reg = (uint8_t)reg;
	advance(p);
	if (p->tok.kind == POLICY_TOK_AMP) {
		struct policy_loc loc;

		advance(p);
		if (parse_num(p, &c->mask, &loc))
			return PARSE_ERR;
	}
	if (parse_op(p, &c->op))
		return PARSE_ERR;
	return parse_num(p, &c->value, &c->value_loc);
}

/* limit := "limit" num "/" ("s"|"min") ["burst" num] ["then" action] */
static int parse_limit(struct parser *p, struct policy_limit *l)
{
	memset(l, 0, sizeof(*l));
	l->loc = p->tok.loc;
	advance(p);
	if (parse_num(p, &l->count, &l->count_loc))
		return PARSE_ERR;
	if (p->tok.kind != POLICY_TOK_SLASH)
		return unexpected(p, "'/' after the number of calls (N/s or N/min)");
	advance(p);
	if (policy_tok_is(&p->tok, "s") || policy_tok_is(&p->tok, "sec") ||
	    policy_tok_is(&p->tok, "second"))
		l->per = 1;
	else if (policy_tok_is(&p->tok, "min") || policy_tok_is(&p->tok, "minute"))
		l->per = 60;
	else
		return unexpected(p, "'s' or 'min' after '/'");
	advance(p);
	if (policy_tok_is(&p->tok, "burst")) {
		advance(p);
		l->has_burst = true;
		if (parse_num(p, &l->burst, &l->burst_loc))
			return PARSE_ERR;
	}
	if (policy_tok_is(&p->tok, "then")) {
		advance(p);
		l->has_then = true;
		if (parse_action(p, &l->then))
			return PARSE_ERR;
	}
	return PARSE_OK;
}

static void rule_free(struct policy_rule *r)
{
	uint32_t i;

	for (i = 0; i < r->nr_matches; i++)
		free(r->matches[i].name);
	free(r->matches);
	free(r->conds);
	memset(r, 0, sizeof(*r));
}

static int parse_rule(struct parser *p)
{
	struct policy_rule r;
	uint32_t cap_m = 0, cap_c = 0;
	int err;

	memset(&r, 0, sizeof(r));
	r.id = ++p->rule_no;
	r.loc = p->tok.loc;
	if (parse_action(p, &r.action))
		goto fail;

	if (!policy_tok_is(&p->tok, "id") && !policy_tok_is(&p->tok, "range") &&
	    !policy_tok_is(&p->tok, "service") && !policy_tok_is(&p->tok, "function") &&
	    (p->tok.kind == POLICY_TOK_SEMI || p->tok.kind == POLICY_TOK_EOF ||
	     policy_tok_is(&p->tok, "if") || policy_tok_is(&p->tok, "limit"))) {
		perr(p, p->tok.loc, "a rule needs at least one of 'id', 'range', 'service' or 'function'");
		goto fail;
	}
	for (;;) {
		if (r.nr_matches == cap_m) {
			cap_m = cap_m ? 2 * cap_m : 2;
			r.matches = xrealloc(r.matches, cap_m * sizeof(*r.matches));
		}
		err = parse_match(p, &r.matches[r.nr_matches]);
		r.nr_matches++;
		if (err)
			goto fail;
		if (p->tok.kind != POLICY_TOK_COMMA)
			break;
		advance(p);
	}
	if (policy_tok_is(&p->tok, "if")) {
		do {
			advance(p);
			if (r.nr_conds == cap_c) {
				cap_c = cap_c ? 2 * cap_c : 4;
				r.conds = xrealloc(r.conds, cap_c * sizeof(*r.conds));
			}
			if (parse_cond(p, &r.conds[r.nr_conds++]))
				goto fail;
		} while (policy_tok_is(&p->tok, "and"));
	}
	if (policy_tok_is(&p->tok, "limit")) {
		r.has_limit = true;
		if (parse_limit(p, &r.limit))
			goto fail;
	}
	if (expect_semi(p, "rule")) {
		rule_free(&r);
		return PARSE_ERR;
	}

	if (p->ast->nr_rules == p->ast->cap_rules) {
		p->ast->cap_rules = p->ast->cap_rules ? 2 * p->ast->cap_rules : 64;
		p->ast->rules = xrealloc(p->ast->rules, p->ast->cap_rules * sizeof(r));
	}
	p->ast->rules[p->ast->nr_rules++] = r;
	return PARSE_OK;
fail:
	rule_free(&r);
	sync(p);
	return PARSE_ERR;
}

static void duplicate(struct parser *p, struct policy_loc loc, struct policy_loc first,
		      const char *what)
{
	perr(p, loc, "duplicate '%s' statement", what);
	pnote(p, first, "first '%s' here", what);
}

/*
 * WHAT ( OFF | ON ) ";": a policy-wide setting, at most once per file;
 * *on tells which word was given.
 */
static void parse_setting(struct parser *p, struct policy_loc loc, const char *what,
			  const char *off, const char *on, bool *seen,
			  struct policy_loc *seen_loc, bool *value)
{
	char expected[64];
	bool v;

	advance(p);
	if (policy_tok_is(&p->tok, off)) {
		v = false;
	} else if (policy_tok_is(&p->tok, on)) {
		v = true;
	} else {
		snprintf(expected, sizeof(expected), "'%s' or '%s'", off, on);
		unexpected(p, expected);
		sync(p);
		return;
	}
	advance(p);
	if (*seen) {
		duplicate(p, loc, *seen_loc, what);
	} else {
		*seen = true;
		*value = v;
		*seen_loc = loc;
	}
	snprintf(expected, sizeof(expected), "the %s", what);
	expect_semi(p, expected);
}

static void parse_statement(struct parser *p)
{
	struct policy_ast *ast = p->ast;
	struct policy_loc loc = p->tok.loc;
	char buf[64];

	if (policy_tok_is(&p->tok, "policy")) {
		advance(p);
		if (p->tok.kind != POLICY_TOK_STRING) {
			unexpected(p, "the policy name as a string (\"name\")");
			sync(p);
			return;
		}
		if (ast->name) {
			duplicate(p, loc, ast->name_loc, "policy");
		} else {
			ast->name = strdup(p->tok.str);
			if (!ast->name)
				abort();
			ast->name_loc = loc;
		}
		advance(p);
		expect_semi(p, "the policy name");
		return;
	}
	if (policy_tok_is(&p->tok, "default")) {
		struct policy_action a;

		advance(p);
		if (parse_action(p, &a)) {
			sync(p);
			return;
		}
		if (ast->has_default) {
			duplicate(p, loc, p->default_loc, "default");
		} else {
			ast->has_default = true;
			ast->default_action = a;
			p->default_loc = loc;
		}
		expect_semi(p, "the default action");
		return;
	}
	if (policy_tok_is(&p->tok, "mode")) {
		parse_setting(p, loc, "mode", "enforce", "permissive",
			      &ast->has_mode, &ast->mode_loc, &ast->permissive);
		return;
	}
	if (policy_tok_is(&p->tok, "discovery")) {
		parse_setting(p, loc, "discovery", "keep", "hide-denied",
			      &ast->has_discovery, &ast->discovery_loc, &ast->hide_denied);
		return;
	}
	if (is_action_word(&p->tok)) {
		parse_rule(p);
		return;
	}
	if (p->tok.kind == POLICY_TOK_IDENT) {
		static const char *const words[] = {
			"policy", "default", "mode", "discovery",
			"handle", "deny", "forward", "log", "return",
		};
		char *w = tok_dup(&p->tok), nb[POLICY_DIAG_NAME_BUF];
		const char *best = NULL;
		unsigned int i, d, best_d = 3;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			d = smccc_edit_distance(w, words[i], 2);
			if (d < best_d) {
				best_d = d;
				best = words[i];
			}
		}
		policy_diag_name(nb, w, p->tok.len);
		if (best)
			perr(p, p->tok.loc, "unknown statement '%s'; did you mean '%s'?", nb, best);
		else
			perr(p, p->tok.loc, "expected a rule (handle, deny, forward, log, return) or policy, default, mode, discovery; found '%s'", nb);
		free(w);
	} else if (p->tok.kind == POLICY_TOK_ERROR) {
		p->errors++;
	} else {
		perr(p, p->tok.loc, "expected a rule or a statement, found %s",
		     found(&p->tok, buf, sizeof(buf)));
	}
	if (p->tok.kind == POLICY_TOK_SEMI)
		advance(p);
	else
		sync(p);
}

unsigned int policy_parse(const struct policy_src *src, struct policy_ast *ast,
			  struct policy_diags *diags)
{
	struct parser p;
	unsigned int errors_before = diags->errors;

	memset(ast, 0, sizeof(*ast));
	ast->default_action.kind = SMCCC_BPF_ACT_HANDLE;
	policy_diags_forget_source(diags);
	memset(&p, 0, sizeof(p));
	p.src = src;
	p.diags = diags;
	p.ast = ast;
	policy_lexer_init(&p.lx, src, diags);
	policy_lex(&p.lx, &p.tok);
	while (p.tok.kind != POLICY_TOK_EOF)
		parse_statement(&p);
	policy_lexer_free(&p.lx);
	/* Lexer errors count once, whether or not the parser saw their token. */
	return diags->errors - errors_before;
}

void policy_ast_free(struct policy_ast *ast)
{
	uint32_t i;

	for (i = 0; i < ast->nr_rules; i++)
		rule_free(&ast->rules[i]);
	free(ast->rules);
	free(ast->name);
	memset(ast, 0, sizeof(*ast));
}

const char *policy_action_name(uint8_t kind)
{
	switch (kind) {
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

const char *policy_op_name(uint8_t op)
{
	static const char *const names[] = {
		[SMCCC_POLICY_OP_EQ] = "==", [SMCCC_POLICY_OP_NE] = "!=",
		[SMCCC_POLICY_OP_LT] = "<", [SMCCC_POLICY_OP_LE] = "<=",
		[SMCCC_POLICY_OP_GT] = ">", [SMCCC_POLICY_OP_GE] = ">=",
	};

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : "?";
}
