// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: diagnostics and the lexer.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_lexer.h"

/* ---- diagnostics ---- */

static void diag_grow(struct policy_diags *d, size_t more)
{
	size_t cap = d->cap ? d->cap : 256;
	char *buf;

	while (cap < d->len + more + 1)
		cap *= 2;
	if (cap == d->cap)
		return;
	buf = realloc(d->buf, cap);
	if (!buf)
		abort();
	d->buf = buf;
	d->cap = cap;
}

static void diag_vappend(struct policy_diags *d, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	diag_grow(d, n);
	vsnprintf(d->buf + d->len, n + 1, fmt, ap);
	d->len += n;
}

static void diag_append(struct policy_diags *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vappend(d, fmt, ap);
	va_end(ap);
}

static void diag_index_lines(struct policy_diags *d, const struct policy_src *src)
{
	size_t i, n = 1, cap = 1024;

	if (d->lines_of == src->text && d->line_starts)
		return;	/* policy_parse() and policy_compile() forget it first */
	free(d->line_starts);
	d->line_starts = malloc(cap * sizeof(*d->line_starts));
	if (!d->line_starts)
		abort();
	d->line_starts[0] = 0;
	for (i = 0; i < src->len; i++) {
		if (src->text[i] != '\n')
			continue;
		if (n == cap) {
			cap *= 2;
			d->line_starts = realloc(d->line_starts, cap * sizeof(*d->line_starts));
			if (!d->line_starts)
				abort();
		}
		d->line_starts[n++] = i + 1;
	}
	d->nr_lines = n;
	d->lines_of = src->text;
}

static const char *const level_names[] = {
	[POLICY_DIAG_ERROR] = "error",
	[POLICY_DIAG_WARNING] = "warning",
	[POLICY_DIAG_NOTE] = "note",
};

static struct policy_diag_entry *diag_entry(struct policy_diags *d, uint32_t line)
{
	struct policy_diag_entry *e;

	if (d->nr_entries == d->cap_entries) {
		d->cap_entries = d->cap_entries ? 2 * d->cap_entries : 16;
		d->entries = realloc(d->entries, d->cap_entries * sizeof(*d->entries));
		if (!d->entries)
			abort();
	}
	e = &d->entries[d->nr_entries++];
	e->off = d->len;
	e->len = 0;
	e->line = line;
	return e;
}

/*
 * The source line text[0..len) and a caret under column col. A line longer
 * than POLICY_DIAG_LINE_MAX is shown from half that before the column to
 * half after, "..." at each end that was cut: every message on a megabyte
 * of junk must not copy the megabyte.
 */
static void diag_source_line(struct policy_diags *d, const char *text, size_t len, uint32_t col)
{
	size_t at = col - 1, lo = 0, hi = len, pre = 0, i;

	if (at > len)
		at = len;	/* just after the end: "expected ';'" at the end of the line */
	if (len > POLICY_DIAG_LINE_MAX) {
		lo = at > POLICY_DIAG_LINE_MAX / 2 ? at - POLICY_DIAG_LINE_MAX / 2 : 0;
		if (lo > len - POLICY_DIAG_LINE_MAX)
			lo = len - POLICY_DIAG_LINE_MAX;
		hi = lo + POLICY_DIAG_LINE_MAX;
		pre = lo ? 3 : 0;
	}
	diag_append(d, "%s", pre ? "..." : "");
	diag_grow(d, hi - lo);
	for (i = lo; i < hi; i++)	/* a NUL would end the text: a space keeps the caret */
		d->buf[d->len++] = text[i] ? text[i] : ' ';
	d->buf[d->len] = '\0';
	diag_append(d, "%s\n", hi < len ? "..." : "");
	diag_grow(d, pre + at - lo + 2);
	for (i = 0; i < pre; i++)
		d->buf[d->len++] = ' ';
	for (i = lo; i < at; i++)
		d->buf[d->len++] = text[i] == '\t' ? '\t' : ' ';
	d->buf[d->len++] = '^';
	d->buf[d->len++] = '\n';
	d->buf[d->len] = '\0';
}

void policy_vdiag(struct policy_diags *d, const struct policy_src *src,
		  enum policy_diag_level level, struct policy_loc loc,
		  const char *fmt, va_list ap)
{
	const char *name = src && src->name ? src->name : "<policy>";
	struct policy_diag_entry *e;
	size_t start, end, msg;

	if (level == POLICY_DIAG_ERROR)
		d->errors++;
	else if (level == POLICY_DIAG_WARNING)
		d->warnings++;
	/*
	 * Past POLICY_DIAG_MAX, only count: a file of junk gets as many errors
	 * as bytes, and nobody reads past the first screen. One note, sorted
	 * last, says that some were left out.
	 */
	if (level != POLICY_DIAG_NOTE) {
		d->dropping = d->kept == POLICY_DIAG_MAX;
		if (d->dropping && !d->dropped++) {
			e = diag_entry(d, UINT32_MAX);
			diag_append(d,
				    "%s: note: too many errors and warnings: only the first %d are shown\n",
				    name, POLICY_DIAG_MAX);
			e->len = d->len - e->off;
		}
		if (d->dropping)
			return;
		d->kept++;
	} else if (d->dropping) {
		return;
	}

	e = diag_entry(d, level == POLICY_DIAG_NOTE && d->nr_entries ?
			  d->entries[d->nr_entries - 1].line : loc.line);
	if (loc.line)
		diag_append(d, "%s:%u:%u: %s: ", name, loc.line, loc.col, level_names[level]);
	else
		diag_append(d, "%s: %s: ", name, level_names[level]);
	msg = d->len;
	diag_vappend(d, fmt, ap);
	if (d->len - msg > POLICY_DIAG_MSG_MAX) {
		d->len = msg + POLICY_DIAG_MSG_MAX;
		diag_append(d, "...");
	}
	diag_append(d, "\n");
	e->len = d->len - e->off;

	if (!loc.line || !src || !src->text)
		return;
	diag_index_lines(d, src);
	if (loc.line > d->nr_lines)
		return;
	start = d->line_starts[loc.line - 1];
	end = loc.line < d->nr_lines ? d->line_starts[loc.line] - 1 : src->len;
	if (end > start && src->text[end - 1] == '\r')
		end--;
	diag_source_line(d, src->text + start, end - start, loc.col ? loc.col : 1);
	e->len = d->len - e->off;
}

void policy_diag(struct policy_diags *d, const struct policy_src *src,
		 enum policy_diag_level level, struct policy_loc loc,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vdiag(d, src, level, loc, fmt, ap);
	va_end(ap);
}

const char *policy_diag_name(char *buf, const char *s, size_t len)
{
	if (len > POLICY_DIAG_NAME_MAX) {
		memcpy(buf, s, POLICY_DIAG_NAME_MAX);
		memcpy(buf + POLICY_DIAG_NAME_MAX, "...", 4);
	} else {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	return buf;
}

int policy_diags_full(const struct policy_diags *d)
{
	return d->kept == POLICY_DIAG_MAX;
}

void policy_diags_forget_source(struct policy_diags *d)
{
	free(d->line_starts);
	d->line_starts = NULL;
	d->lines_of = NULL;
	d->nr_lines = 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct policy_diag_entry *x = *(const struct policy_diag_entry *const *)a;
	const struct policy_diag_entry *y = *(const struct policy_diag_entry *const *)b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;	/* reported order */
}

const char *policy_diags_text(struct policy_diags *d)
{
	const struct policy_diag_entry **order;
	size_t i, pos = 0;

	if (!d->buf)
		return "";
	if (d->text && d->text_entries == d->nr_entries)
		return d->text;
	order = malloc(d->nr_entries * sizeof(*order) + 1);
	free(d->text);
	d->text = malloc(d->len + 1);
	if (!order || !d->text)
		abort();
	for (i = 0; i < d->nr_entries; i++)
		order[i] = &d->entries[i];
	qsort(order, d->nr_entries, sizeof(*order), cmp_entry);
	for (i = 0; i < d->nr_entries; i++) {
		memcpy(d->text + pos, d->buf + order[i]->off, order[i]->len);
		pos += order[i]->len;
	}
	d->text[pos] = '\0';
	d->text_entries = d->nr_entries;
	free(order);
	return d->text;
}

void policy_diags_free(struct policy_diags *d)
{
	free(d->buf);
	free(d->entries);
	free(d->text);
	free(d->line_starts);
	memset(d, 0, sizeof(*d));
}

/* ---- lexer ---- */

void policy_lexer_init(struct policy_lexer *lx, const struct policy_src *src,
		       struct policy_diags *diags)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->diags = diags;
	lx->line = 1;
}

void policy_lexer_free(struct policy_lexer *lx)
{
	free(lx->strbuf);
	lx->strbuf = NULL;
}

static int peek(const struct policy_lexer *lx, size_t ahead)
{
	size_t p = lx->pos + ahead;

	return p < lx->src->len ? (unsigned char)lx->src->text[p] : -1;
}

static struct policy_loc here(const struct policy_lexer *lx)
{
	struct policy_loc loc = { lx->line, (uint32_t)(lx->pos - lx->line_start + 1) };

	return loc;
}

static void lex_error(struct policy_lexer *lx, struct policy_loc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void lex_error(struct policy_lexer *lx, struct policy_loc loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	policy_vdiag(lx->diags, lx->src, POLICY_DIAG_ERROR, loc, fmt, ap);
	va_end(ap);
}

static int is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_ident_char(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '.';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void lex_number(struct policy_lexer *lx, struct policy_token *tok)
{
	unsigned int base = 10;
	int overflow = 0, digits = 0, c, v;
	char text[POLICY_DIAG_NAME_BUF];
	uint64_t n = 0;

	if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
		base = 16;
		lx->pos += 2;
	}
	for (;;) {
		c = peek(lx, 0);
		if (c == '_') {
			lx->pos++;
			continue;
		}
		v = hexval(c);
		if (v < 0 || (unsigned int)v >= base)
			break;
		if (n > (UINT64_MAX - v) / base)
			overflow = 1;
		n = n * base + v;
		digits = 1;	/* a flag: a count would overflow on 2^31 digits */
		lx->pos++;
	}
	c = peek(lx, 0);
	if (is_ident_char(c)) {
		while (is_ident_char(peek(lx, 0)))
			lx->pos++;
		tok->kind = POLICY_TOK_ERROR;
		lex_error(lx, tok->loc, "invalid number '%s'",
			  policy_diag_name(text, tok->start,
					   lx->pos - (tok->start - lx->src->text)));
		return;
	}
	if (!digits) {
		tok->kind = POLICY_TOK_ERROR;
		lex_error(lx, tok->loc, "'0x' without hexadecimal digits");
		return;
	}
	if (overflow) {
		tok->kind = POLICY_TOK_ERROR;
		lex_error(lx, tok->loc, "number '%s' does not fit in 64 bits",
			  policy_diag_name(text, tok->start,
					   lx->pos - (tok->start - lx->src->text)));
		return;
	}
	tok->kind = POLICY_TOK_NUMBER;
	tok->num = n;
}

static void lex_string(struct policy_lexer *lx, struct policy_token *tok)
{
	size_t cap = 32, n = 0;
	char *s = malloc(cap);
	int c, bad = 0;

	if (!s)
		abort();
	lx->pos++;	/* opening quote */
	for (;;) {
		c = peek(lx, 0);
		if (c < 0 || c == '\n') {
			lex_error(lx, tok->loc, "missing terminating '\"' character");
			free(s);
			tok->kind = POLICY_TOK_ERROR;
			return;
		}
		lx->pos++;
		if (c == '"')
			break;
		if (c == '\\') {
			struct policy_loc eloc = here(lx);

			eloc.col--;
			c = peek(lx, 0);
			switch (c) {
			case '"':
			case '\\':
				break;
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			default:
				lex_error(lx, eloc, "unknown escape sequence in string");
				bad = 1;
				if (c < 0 || c == '\n')
					continue;
			}
			lx->pos++;
		}
		if (n + 2 > cap) {
			cap *= 2;
			s = realloc(s, cap);
			if (!s)
				abort();
		}
		s[n++] = (char)c;
	}
	s[n] = '\0';
	if (bad) {
		free(s);
		tok->kind = POLICY_TOK_ERROR;
		return;
	}
	free(lx->strbuf);
	lx->strbuf = s;
	tok->str = s;
	tok->kind = POLICY_TOK_STRING;
}

void policy_lex(struct policy_lexer *lx, struct policy_token *tok)
{
	int c;

	memset(tok, 0, sizeof(*tok));
	/* white space and comments */
	for (;;) {
		c = peek(lx, 0);
		if (c == '\n') {
			lx->pos++;
			lx->line++;
			lx->line_start = lx->pos;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->pos++;
		} else if (c == '#') {
			while (peek(lx, 0) >= 0 && peek(lx, 0) != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
	tok->loc = here(lx);
	tok->start = lx->src->text + lx->pos;
	if (c < 0) {
		tok->kind = POLICY_TOK_EOF;
		return;
	}
	if (is_ident_start(c)) {
		for (;;) {
			c = peek(lx, 0);
			if (is_ident_char(c) || (c == '-' && is_ident_start(peek(lx, 1)) &&
						 peek(lx, 1) != '_'))
				lx->pos++;
			else
				break;
		}
		tok->kind = POLICY_TOK_IDENT;
		tok->len = lx->src->text + lx->pos - tok->start;
		return;
	}
	if (c >= '0' && c <= '9') {
		lex_number(lx, tok);
		tok->len = lx->src->text + lx->pos - tok->start;
		return;
	}
	if (c == '"') {
		lex_string(lx, tok);
		tok->len = lx->src->text + lx->pos - tok->start;
		return;
	}
	lx->pos++;
	tok->len = 1;
	switch (c) {
	case ';':
		tok->kind = POLICY_TOK_SEMI;
		return;
	case ',':
		tok->kind = POLICY_TOK_COMMA;
		return;
	case '-':
		tok->kind = POLICY_TOK_MINUS;
		return;
	case '&':
		tok->kind = POLICY_TOK_AMP;
		if (peek(lx, 0) == '&') {
			lx->pos++;
			lex_error(lx, tok->loc, "'&&' is not an operator; conditions are joined with 'and'");
			tok->kind = POLICY_TOK_ERROR;
		}
		return;
	case '/':
		tok->kind = POLICY_TOK_SLASH;
		return;
	case '<':
	case '>':
		if (peek(lx, 0) == '=') {
			lx->pos++;
			tok->len = 2;
			tok->kind = c == '<' ? POLICY_TOK_LE : POLICY_TOK_GE;
		} else {
			tok->kind = c == '<' ? POLICY_TOK_LT : POLICY_TOK_GT;
		}
		return;
	case '=':
	case '!':
		if (peek(lx, 0) == '=') {
			lx->pos++;
			tok->len = 2;
			tok->kind = c == '=' ? POLICY_TOK_EQ : POLICY_TOK_NE;
			return;
		}
		tok->kind = POLICY_TOK_ERROR;
		if (c == '=')
			lex_error(lx, tok->loc, "'=' is not an operator; did you mean '=='?");
		else
			lex_error(lx, tok->loc, "'!' is not an operator; did you mean '!='?");
		return;
	default:
		break;
	}
	if (isprint(c))
		lex_error(lx, tok->loc, "stray '%c' in policy", c);
	else
		lex_error(lx, tok->loc, "stray byte 0x%02x in policy", c);
	/* One error for a run of stray bytes (e.g. a UTF-8 sequence). */
	while (peek(lx, 0) >= 0x80)
		lx->pos++;
	tok->kind = POLICY_TOK_ERROR;
}

const char *policy_tok_name(enum policy_tok_kind kind)
{
	switch (kind) {
	case POLICY_TOK_EOF:
		return "end of file";
	case POLICY_TOK_ERROR:
		return "invalid token";
	case POLICY_TOK_IDENT:
		return "identifier";
	case POLICY_TOK_NUMBER:
		return "number";
	case POLICY_TOK_STRING:
		return "string";
	case POLICY_TOK_SEMI:
		return "';'";
	case POLICY_TOK_COMMA:
		return "','";
	case POLICY_TOK_MINUS:
		return "'-'";
	case POLICY_TOK_AMP:
		return "'&'";
	case POLICY_TOK_SLASH:
		return "'/'";
	case POLICY_TOK_EQ:
		return "'=='";
	case POLICY_TOK_NE:
		return "'!='";
	case POLICY_TOK_LT:
		return "'<'";
	case POLICY_TOK_LE:
		return "'<='";
	case POLICY_TOK_GT:
		return "'>'";
	case POLICY_TOK_GE:
		return "'>='";
	}
	return "token";
}

int policy_tok_is(const struct policy_token *tok, const char *word)
{
	return tok->kind == POLICY_TOK_IDENT && strlen(word) == tok->len &&
	       !memcmp(tok->start, word, tok->len);
}
