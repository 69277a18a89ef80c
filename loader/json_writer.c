// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A small streaming JSON writer: see json_writer.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

#define JW_MAX_DEPTH	64

struct json_writer {
	FILE *f;
	bool pretty;
	unsigned int depth;
	/* Per level: a value was written at this level (a comma is due). */
	bool has_value[JW_MAX_DEPTH + 1];
	bool after_name;	/* a name was just written: the value follows it */
};

struct json_writer *jw_new(FILE *f, bool pretty)
{
	struct json_writer *jw = calloc(1, sizeof(*jw));

	if (!jw)
		return NULL;
	jw->f = f;
	jw->pretty = pretty;
	return jw;
}

void jw_destroy(struct json_writer *jw)
{
	if (!jw)
		return;
	fflush(jw->f);
	free(jw);
}

static void newline_indent(struct json_writer *jw)
{
	unsigned int i;

	if (!jw->pretty)
		return;
	fputc('\n', jw->f);
	for (i = 0; i < jw->depth; i++)
		fputs("  ", jw->f);
}

/* Before a value or a name: the separator and, pretty, the indentation. */
static void before_item(struct json_writer *jw)
{
	if (jw->after_name) {
		jw->after_name = false;
		return;
	}
	if (jw->depth == 0) {
		jw->has_value[0] = true;
		return;
	}
	if (jw->has_value[jw->depth])
		fputc(',', jw->f);
	jw->has_value[jw->depth] = true;
	newline_indent(jw);
}

void jw_end_value(struct json_writer *jw)
{
	fputc('\n', jw->f);
	jw->has_value[0] = false;
	fflush(jw->f);
}

static void open_level(struct json_writer *jw, char c)
{
	before_item(jw);
	fputc(c, jw->f);
	if (jw->depth < JW_MAX_DEPTH)
		jw->depth++;
	jw->has_value[jw->depth] = false;
}

static void close_level(struct json_writer *jw, char c)
{
	bool had = jw->has_value[jw->depth];

	if (jw->depth)
		jw->depth--;
	if (had)
		newline_indent(jw);
	fputc(c, jw->f);
}

void jw_start_object(struct json_writer *jw) { open_level(jw, '{'); }
void jw_end_object(struct json_writer *jw) { close_level(jw, '}'); }
void jw_start_array(struct json_writer *jw) { open_level(jw, '['); }
void jw_end_array(struct json_writer *jw) { close_level(jw, ']'); }

enum json_utf8 json_utf8_decode(const char *s, size_t n, uint32_t *cp, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t i;

	if (u[0] < 0x80) {
		*cp = u[0];
		*len = 1;
		return JSON_UTF8_OK;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		*len = 2; c = u[0] & 0x1f; min = 0x80;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		*len = 3; c = u[0] & 0x0f; min = 0x800;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		*len = 4; c = u[0] & 0x07; min = 0x10000;
	} else {
		return JSON_UTF8_BAD_LEAD;
	}
	for (i = 1; i < *len; i++) {
		if (i >= n || (u[i] & 0xc0) != 0x80)
			return JSON_UTF8_SHORT;
		c = (c << 6) | (u[i] & 0x3f);
	}
	*cp = c;
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return JSON_UTF8_BAD_VALUE;
	return JSON_UTF8_OK;
}

size_t json_utf8_char(const char *s, size_t n, uint32_t *cp)
{
	size_t len;

	return json_utf8_decode(s, n, cp, &len) == JSON_UTF8_OK ? len : 0;
}

size_t json_utf8_cut(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = len, need;
	unsigned char lead;

	/* Back over the continuation bytes of the last character (at most 3). */
	while (start > 0 && len - start < 3 && (u[start - 1] & 0xc0) == 0x80)
		start--;
	if (start == 0)
		return len;
	lead = u[start - 1];
	if (lead < 0xc0)
		return len;	/* ASCII, or stray continuation bytes: nothing to cut */
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	return len - (start - 1) < need ? start - 1 : len;
}

/* Whether code point cp is written as an escape rather than as it is. */
static bool needs_escape(uint32_t cp)
{
	return cp < 0x20 || cp == '"' || cp == '\\' || (cp >= 0x7f && cp <= 0x9f) ||
	       cp == 0x2028 || cp == 0x2029;
}

static void write_escape(FILE *f, uint32_t cp)
{
	switch (cp) {
	case '"':  fputs("\\\"", f); break;
	case '\\': fputs("\\\\", f); break;
	case '\n': fputs("\\n", f); break;
	case '\r': fputs("\\r", f); break;
	case '\t': fputs("\\t", f); break;
	case '\b': fputs("\\b", f); break;
	case '\f': fputs("\\f", f); break;
	default:   fprintf(f, "\\u%04x", (unsigned int)cp); break;
	}
}

void jw_write_escaped(FILE *f, const char *s)
{
	size_t left = strlen(s), n;
	uint32_t cp;

	fputc('"', f);
	while (left) {
		n = json_utf8_char(s, left, &cp);
		if (!n) {
			/* Not UTF-8: the replacement character, and on at the next byte. */
			fputs("\\ufffd", f);
			n = 1;
		} else if (needs_escape(cp)) {
			write_escape(f, cp);
		} else {
			fwrite(s, 1, n, f);
		}
		s += n;
		left -= n;
	}
	fputc('"', f);
}

void jw_name(struct json_writer *jw, const char *name)
{
	before_item(jw);
	jw_write_escaped(jw->f, name);
	fputs(jw->pretty ? ": " : ":", jw->f);
	jw->after_name = true;
}

void jw_string(struct json_writer *jw, const char *s)
{
	if (!s) {
		jw_null(jw);
		return;
	}
	before_item(jw);
	jw_write_escaped(jw->f, s);
}

void jw_printf(struct json_writer *jw, const char *fmt, ...)
{
	char buf[256], *s = buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf)) {
		s = malloc(n + 1);
		if (s) {
			va_start(ap, fmt);
			vsnprintf(s, n + 1, fmt, ap);
			va_end(ap);
		} else {
			/* Out of memory: truncated, but not inside a character. */
			s = buf;
			buf[json_utf8_cut(buf, strlen(buf))] = '\0';
		}
	}
	jw_string(jw, s);
	if (s != buf)
		free(s);
}

void jw_uint(struct json_writer *jw, uint64_t v)
{
	before_item(jw);
	fprintf(jw->f, "%" PRIu64, v);
}

void jw_int(struct json_writer *jw, int64_t v)
{
	before_item(jw);
	fprintf(jw->f, "%" PRId64, v);
}

void jw_hex(struct json_writer *jw, uint64_t v)
{
	jw_printf(jw, "0x%" PRIx64, v);
}

void jw_bool(struct json_writer *jw, bool v)
{
	before_item(jw);
	fputs(v ? "true" : "false", jw->f);
}

void jw_null(struct json_writer *jw)
{
	before_item(jw);
	fputs("null", jw->f);
}

void jw_string_field(struct json_writer *jw, const char *name, const char *s)
{
	jw_name(jw, name);
	jw_string(jw, s);
}

void jw_uint_field(struct json_writer *jw, const char *name, uint64_t v)
{
	jw_name(jw, name);
	jw_uint(jw, v);
}

void jw_int_field(struct json_writer *jw, const char *name, int64_t v)
{
	jw_name(jw, name);
	jw_int(jw, v);
}

void jw_hex_field(struct json_writer *jw, const char *name, uint64_t v)
{
	jw_name(jw, name);
	jw_hex(jw, v);
}

void jw_bool_field(struct json_writer *jw, const char *name, bool v)
{
	jw_name(jw, name);
	jw_bool(jw, v);
}

void jw_null_field(struct json_writer *jw, const char *name)
{
	jw_name(jw, name);
	jw_null(jw);
}
