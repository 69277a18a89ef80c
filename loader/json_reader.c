// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A small strict JSON reader: see json_reader.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"

struct parser {
	const char *s;
	size_t len, pos;
	unsigned int line;
	size_t line_start;		/* offset of the current line's first byte */
	struct json_error *err;
	int failed;			/* -EINVAL or -ENOMEM once reported */
};

static unsigned int col_at(const struct parser *p, size_t pos)
{
	return (unsigned int)(pos - p->line_start + 1);
}

/* What is at pos, for "found ...". */
static void describe(const struct parser *p, size_t pos, char *buf, size_t len)
{
	unsigned char c;

	if (pos >= p->len) {
		snprintf(buf, len, "the end of the input");
		return;
	}
	c = (unsigned char)p->s[pos];
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else if (c == '\n')
		snprintf(buf, len, "the end of the line");
	else
		snprintf(buf, len, "byte 0x%02x", c);
}

/* Reports the first problem, at line:col. */
static int vfail_lc(struct parser *p, unsigned int line, unsigned int col, const char *fmt,
		    va_list ap)
{
	size_t n;

	if (p->failed)
		return p->failed;
	p->failed = -EINVAL;
	if (p->err) {
		p->err->line = line;
		p->err->col = col;
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		/* A long name in the message may be cut: never inside a character. */
		n = strlen(p->err->msg);
		p->err->msg[json_utf8_cut(p->err->msg, n)] = '\0';
	}
	return p->failed;
}

static int fail_lc(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_lc(struct parser *p, unsigned int line, unsigned int col, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail_lc(p, line, col, fmt, ap);
	va_end(ap);
	return ret;
}

static int fail_at(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports the first problem, at pos (on the current line). */
static int fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail_lc(p, p->line, col_at(p, pos), fmt, ap);
	va_end(ap);
	return ret;
}

/* "expected WHAT, found ..." at the current position. */
static int expected(struct parser *p, const char *what)
{
	char found[32];

	describe(p, p->pos, found, sizeof(found));
	return fail_at(p, p->pos, "expected %s, found %s", what, found);
}

static int oom(struct parser *p)
{
	if (!p->failed) {
		fail_at(p, p->pos, "out of memory");
		p->failed = -ENOMEM;
	}
	return p->failed;
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '\n') {
			p->pos++;
			p->line++;
			p->line_start = p->pos;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else {
			break;
		}
	}
}

static void value_clear(struct json_value *v)
{
	size_t i;

	free(v->str);
	for (i = 0; i < v->n; i++) {
		value_clear(&v->items[i]);
		if (v->names)
			free(v->names[i]);
	}
	free(v->items);
	free(v->names);
	memset(v, 0, sizeof(*v));
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	value_clear(v);
	free(v);
}

/* ---- strings ----------------------------------------------------------------- */

struct buf {
	char *b;
	size_t n, cap;
};

static int buf_put(struct buf *b, const char *data, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *nb;

		while (b->n + n + 1 > cap)
			cap *= 2;
		nb = realloc(b->b, cap);
		if (!nb)
			return -ENOMEM;
		b->b = nb;
		b->cap = cap;
	}
	memcpy(b->b + b->n, data, n);
	b->n += n;
	b->b[b->n] = '\0';
	return 0;
}

static int put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = 0xc0 | (cp >> 6);
		u[1] = 0x80 | (cp & 0x3f);
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = 0xe0 | (cp >> 12);
		u[1] = 0x80 | ((cp >> 6) & 0x3f);
		u[2] = 0x80 | (cp & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | (cp >> 18);
		u[1] = 0x80 | ((cp >> 12) & 0x3f);
		u[2] = 0x80 | ((cp >> 6) & 0x3f);
		u[3] = 0x80 | (cp & 0x3f);
		n = 4;
	}
	return buf_put(b, u, n);
}

/* Four hex digits at p->pos; -1 (reported) if not. */
static long hex4(struct parser *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int c = peek(p);

		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return expected(p, "a hex digit of a \\u escape (\\uXXXX)"), -1;
		p->pos++;
	}
	return v;
}

/* After the backslash of "\uXXXX": the code point, with a surrogate pair's second half. */
static int unicode_escape(struct parser *p, size_t start, struct buf *b)
{
	long hi, lo;

	hi = hex4(p);
	if (hi < 0)
		return p->failed;
	/* A NUL would end the C string the CLI makes of it: a name or source cut short. */
	if (!hi)
		return fail_at(p, start, "\\u0000 in a string: a NUL character is not allowed "
			       "(names and policy text are C strings)");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail_at(p, start, "\\u%04lx is the second half of a surrogate pair, "
			       "without the first", hi);
	if (hi < 0xd800 || hi > 0xdbff)
		return put_utf8(b, hi) ? oom(p) : 0;
	if (peek(p) != '\\' || p->pos + 1 >= p->len || p->s[p->pos + 1] != 'u')
		return expected(p, "a second \\u escape (\\uDC00-\\uDFFF) after a high surrogate");
	p->pos += 2;
	lo = hex4(p);
	if (lo < 0)
		return p->failed;
	if (lo < 0xdc00 || lo > 0xdfff)
		return fail_at(p, p->pos - 6, "expected a low surrogate (\\uDC00-\\uDFFF) after "
			       "\\u%04lx, found \\u%04lx", hi, lo);
	return put_utf8(b, 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)) ? oom(p) : 0;
}

/* One UTF-8 sequence of 2 to 4 bytes at p->pos, copied; strict (no overlong, no surrogates). */
static int utf8_seq(struct parser *p, struct buf *b)
{
	const unsigned char *u = (const unsigned char *)p->s + p->pos;
	uint32_t cp;
	size_t n;

	switch (json_utf8_decode(p->s + p->pos, p->len - p->pos, &cp, &n)) {
	case JSON_UTF8_OK:
		break;
	case JSON_UTF8_BAD_LEAD:
		return fail_at(p, p->pos, "invalid UTF-8 in a string: byte 0x%02x cannot start "
			       "a character", u[0]);
	case JSON_UTF8_SHORT:
		return fail_at(p, p->pos, "invalid UTF-8 in a string: a %zu-byte sequence "
			       "cut short", n);
	case JSON_UTF8_BAD_VALUE:
		return fail_at(p, p->pos, "invalid UTF-8 in a string: U+%04X encoded in %zu bytes",
			       cp, n);
	}
	if (buf_put(b, p->s + p->pos, n))
		return oom(p);
	p->pos += n;
	return 0;
}

/* A string at p->pos (the opening quote): its decoded bytes in *out. */
static int parse_string(struct parser *p, char **out, size_t *outlen)
{
	unsigned int line = p->line, col = col_at(p, p->pos);
	struct buf b = { 0 };
	size_t start;
	int c;

	p->pos++;
	if (buf_put(&b, "", 0))
		return oom(p);
	for (;;) {
		c = peek(p);
		if (c < 0) {
			fail_at(p, p->pos, "expected '\"' to end the string started at %u:%u, "
				"found the end of the input", line, col);
			goto fail;
		}
		if (c == '"') {
			p->pos++;
			break;
		}
		if (c < 0x20) {
			fail_at(p, p->pos, "a raw control character (0x%02x) in a string: "
				"write it as an escape (\\n, \\t, \\u00XX)%s", c,
				c == '\n' ? "; or the string is missing its closing '\"'" : "");
			goto fail;
		}
		if (c >= 0x80) {
			if (utf8_seq(p, &b))
				goto fail;
			continue;
		}
		if (c != '\\') {
			size_t run = p->pos;

			while (run < p->len && p->s[run] != '"' && p->s[run] != '\\' &&
			       (unsigned char)p->s[run] >= 0x20 && (unsigned char)p->s[run] < 0x80)
				run++;
			if (buf_put(&b, p->s + p->pos, run - p->pos)) {
				oom(p);
				goto fail;
			}
			p->pos = run;
			continue;
		}
		start = p->pos;
		p->pos++;
		c = peek(p);
		p->pos++;
		switch (c) {
		case '"':  if (buf_put(&b, "\"", 1)) goto nomem; break;
		case '\\': if (buf_put(&b, "\\", 1)) goto nomem; break;
		case '/':  if (buf_put(&b, "/", 1)) goto nomem; break;
		case 'b':  if (buf_put(&b, "\b", 1)) goto nomem; break;
		case 'f':  if (buf_put(&b, "\f", 1)) goto nomem; break;
		case 'n':  if (buf_put(&b, "\n", 1)) goto nomem; break;
		case 'r':  if (buf_put(&b, "\r", 1)) goto nomem; break;
		case 't':  if (buf_put(&b, "\t", 1)) goto nomem; break;
		case 'u':
			if (unicode_escape(p, start, &b))
				goto fail;
			break;
		default:
			p->pos--;
			expected(p, "an escape after '\\' (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
				 "\\uXXXX)");
			goto fail;
		}
	}
	*out = b.b;
	*outlen = b.n;
	return 0;
nomem:
	oom(p);
fail:
	free(b.b);
	return p->failed;
}

/* ---- numbers and literals ------------------------------------------------------ */

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct parser *p, struct json_value *v)
{
	size_t start = p->pos;

	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
		if (is_digit(peek(p)))
			return fail_at(p, p->pos - 1,
				       "a number with a leading zero (JSON has no octal)");
	} else if (is_digit(peek(p))) {
		while (is_digit(peek(p)))
			p->pos++;
	} else {
		return expected(p, "a digit after '-'");
	}
	if (peek(p) == '.') {
		p->pos++;
		if (!is_digit(peek(p)))
			return expected(p, "a digit after the decimal point");
		while (is_digit(peek(p)))
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!is_digit(peek(p)))
			return expected(p, "a digit in the exponent");
		while (is_digit(peek(p)))
			p->pos++;
	}
	v->type = JSON_NUMBER;
	v->len = p->pos - start;
	v->str = strndup(p->s + start, v->len);
	return v->str ? 0 : oom(p);
}

static int parse_literal(struct parser *p, struct json_value *v)
{
	static const struct { const char *word; enum json_type type; } lits[] = {
		{ "true", JSON_TRUE }, { "false", JSON_FALSE }, { "null", JSON_NULL },
	};
	size_t i, n;

	for (i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		n = strlen(lits[i].word);
		if (p->s[p->pos] != lits[i].word[0])
			continue;
		if (p->len - p->pos < n || memcmp(p->s + p->pos, lits[i].word, n))
			return fail_at(p, p->pos, "expected '%s'", lits[i].word);
		p->pos += n;
		v->type = lits[i].type;
		return 0;
	}
	return expected(p, "a value (object, array, string, number, true, false or null)");
}

/* ---- arrays and objects ------------------------------------------------------ */

static int parse_value(struct parser *p, struct json_value *v, unsigned int depth);

/* Room for one more item (and name) in v. */
static int grow(struct parser *p, struct json_value *v, size_t *cap, bool names)
{
	struct json_value *ni;
	char **nn;
	size_t c;

	if (v->n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 4;
	ni = realloc(v->items, c * sizeof(*ni));
	if (!ni)
		return oom(p);
	v->items = ni;
	if (names) {
		nn = realloc(v->names, c * sizeof(*nn));
		if (!nn)
			return oom(p);
		v->names = nn;
	}
	*cap = c;
	return 0;
}

static int parse_array(struct parser *p, struct json_value *v, unsigned int depth)
{
	size_t cap = 0;

	v->type = JSON_ARRAY;
	p->pos++;
	skip_ws(p);
	if (peek(p) == ']') {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (grow(p, v, &cap, false))
			return p->failed;
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		v->n++;
		if (parse_value(p, &v->items[v->n - 1], depth + 1))
			return p->failed;
		skip_ws(p);
		if (peek(p) == ']') {
			p->pos++;
			return 0;
		}
		if (peek(p) != ',')
			return expected(p, "',' or ']' after an array element");
		p->pos++;
		skip_ws(p);
		if (peek(p) == ']')
			return fail_at(p, p->pos, "expected a value after ',', found ']' "
				       "(JSON has no trailing commas)");
	}
}

/* Where an object's member name was, for the duplicate check. */
struct member_pos {
	const char *name;		/* the object's own copy */
	size_t index;
	unsigned int line, col;
};

static int cmp_member(const void *a, const void *b)
{
	const struct member_pos *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * No name twice in one object: sorted, not pairwise (a document of a
 * hostile user may have 10^6 members). Reports the second occurrence that
 * comes first in the document, with where the first one was.
 */
static int check_duplicates(struct parser *p, struct member_pos *m, size_t n)
{
	const struct member_pos *dup = NULL, *first = NULL, *group = m;
	size_t i;

	if (n < 2)
		return 0;
	qsort(m, n, sizeof(*m), cmp_member);
	for (i = 1; i < n; i++) {
		if (strcmp(m[i - 1].name, m[i].name)) {
			group = &m[i];
			continue;
		}
		if (!dup || m[i].index < dup->index) {
			dup = &m[i];
			first = group;
		}
	}
	if (!dup)
		return 0;
	return fail_lc(p, dup->line, dup->col, "member \"%s\" given twice in the same object "
		       "(first at %u:%u)", dup->name, first->line, first->col);
}

/* Records where member v->n - 1 (just added) was named. */
static int add_member_pos(struct parser *p, struct member_pos **m, size_t *cap,
			  const struct json_value *v, unsigned int line, unsigned int col)
{
	struct member_pos *nm;

	if (v->n > *cap) {
		*cap = *cap ? *cap * 2 : 8;
		nm = realloc(*m, *cap * sizeof(*nm));
		if (!nm)
			return oom(p);
		*m = nm;
	}
	(*m)[v->n - 1] = (struct member_pos){ v->names[v->n - 1], v->n - 1, line, col };
	return 0;
}

/* The members of an object after its '{', up to and with its '}'. */
static int parse_members(struct parser *p, struct json_value *v, unsigned int depth,
			 struct member_pos **pos)
{
	size_t cap = 0, pos_cap = 0, nlen;
	unsigned int line, col;
	char *name;

	for (;;) {
		if (peek(p) != '"')
			return expected(p, "a member name (a string in double quotes)");
		line = p->line;
		col = col_at(p, p->pos);
		if (parse_string(p, &name, &nlen))
			return p->failed;
		if (grow(p, v, &cap, true)) {
			free(name);
			return p->failed;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		v->names[v->n] = name;
		v->n++;
		if (add_member_pos(p, pos, &pos_cap, v, line, col))
			return p->failed;
		skip_ws(p);
		if (peek(p) != ':')
			return expected(p, "':' after the member name");
		p->pos++;
		skip_ws(p);
		if (parse_value(p, &v->items[v->n - 1], depth + 1))
			return p->failed;
		skip_ws(p);
		if (peek(p) == '}') {
			p->pos++;
			return 0;
		}
		if (peek(p) != ',')
			return expected(p, "',' or '}' after an object member");
		p->pos++;
		skip_ws(p);
		if (peek(p) == '}')
			return fail_at(p, p->pos, "expected a member name after ',', found '}' "
				       "(JSON has no trailing commas)");
	}
}

static int parse_object(struct parser *p, struct json_value *v, unsigned int depth)
{
	struct member_pos *pos = NULL;
	int ret;

	v->type = JSON_OBJECT;
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	ret = parse_members(p, v, depth, &pos);
	if (!ret)
		ret = check_duplicates(p, pos, v->n);
	free(pos);
	return ret;
}

static int parse_value(struct parser *p, struct json_value *v, unsigned int depth)
{
	int c;

	skip_ws(p);
	v->line = p->line;
	v->col = col_at(p, p->pos);
	c = peek(p);
	if (c < 0)
		return expected(p, "a value");
	if ((c == '[' || c == '{') && depth >= JSON_MAX_DEPTH)
		return fail_at(p, p->pos, "arrays and objects nested deeper than %d",
			       JSON_MAX_DEPTH);
	if (c == '{')
		return parse_object(p, v, depth);
	if (c == '[')
		return parse_array(p, v, depth);
	if (c == '"') {
		v->type = JSON_STRING;
		return parse_string(p, &v->str, &v->len);
	}
	if (c == '-' || is_digit(c))
		return parse_number(p, v);
	return parse_literal(p, v);
}

int json_parse(const char *text, size_t len, struct json_value **out, struct json_error *err)
{
	struct parser p = { .s = text, .len = len, .line = 1, .err = err };
	struct json_value *v;

	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	v = calloc(1, sizeof(*v));
	if (!v)
		return oom(&p);
	if (!parse_value(&p, v, 0)) {
		skip_ws(&p);
		if (p.pos < p.len)
			expected(&p, "the end of the input after the document");
	}
	if (p.failed) {
		json_free(v);
		return p.failed;
	}
	*out = v;
	return 0;
}

const struct json_value *json_get(const struct json_value *v, const char *name)
{
	size_t i;

	if (!v || v->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->names[i], name))
			return &v->items[i];
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:		return "null";
	case JSON_FALSE:
	case JSON_TRUE:		return "a boolean";
	case JSON_NUMBER:	return "a number";
	case JSON_STRING:	return "a string";
	case JSON_ARRAY:	return "an array";
	case JSON_OBJECT:	return "an object";
	}
	return "?";
}

bool json_u64(const struct json_value *v, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (!v || v->type != JSON_NUMBER || !v->len)
		return false;
	for (i = 0; i < v->len; i++) {
		unsigned int d;

		if (!is_digit(v->str[i]))
			return false;		/* '-', '.', 'e' */
		d = v->str[i] - '0';
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*out = x;
	return true;
}
