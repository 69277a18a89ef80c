/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small streaming JSON writer for the smccc-bpf CLI (-j, -p).
 *
 * Values are written as they come: start an object or array, give each
 * member a name (jw_name(), or the *_field() shorthands), end it. Commas,
 * quoting and, with pretty printing, newlines and indentation are the
 * writer's job. Whatever the bytes of a string, the output is valid JSON
 * in valid UTF-8: quote and backslash are escaped, and so are C0 and C1
 * control characters, DEL and U+2028/U+2029 (\u00XX, \u2028: raw, they
 * would reach a terminal or end a JavaScript line); a byte that does not
 * belong to a valid UTF-8 character (a name from a file or the kernel,
 * cut short or in another encoding) becomes U+FFFD, written \ufffd.
 *
 * 64-bit numbers are written as JSON numbers; consumers that read numbers
 * as doubles lose precision above 2^53, so function IDs and registers are
 * also given as "0x..." strings where the CLI prints them.
 */
#ifndef __SMCCC_JSON_WRITER_H
#define __SMCCC_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_writer;

/* NULL on allocation failure. */
struct json_writer *jw_new(FILE *f, bool pretty);
/* Ends nothing: the caller closes what it opened. Flushes f. NULL is a no-op. */
void jw_destroy(struct json_writer *jw);

/* After a complete top-level value: a newline, so that values form JSON lines. */
void jw_end_value(struct json_writer *jw);

void jw_start_object(struct json_writer *jw);
void jw_end_object(struct json_writer *jw);
void jw_start_array(struct json_writer *jw);
void jw_end_array(struct json_writer *jw);

void jw_name(struct json_writer *jw, const char *name);

void jw_string(struct json_writer *jw, const char *s);	/* NULL: null */
void jw_printf(struct json_writer *jw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));		/* a string */
void jw_uint(struct json_writer *jw, uint64_t v);
void jw_int(struct json_writer *jw, int64_t v);
void jw_hex(struct json_writer *jw, uint64_t v);	/* "0x..." string */
void jw_bool(struct json_writer *jw, bool v);
void jw_null(struct json_writer *jw);

/* name + value */
void jw_string_field(struct json_writer *jw, const char *name, const char *s);
void jw_uint_field(struct json_writer *jw, const char *name, uint64_t v);
void jw_int_field(struct json_writer *jw, const char *name, int64_t v);
void jw_hex_field(struct json_writer *jw, const char *name, uint64_t v);
void jw_bool_field(struct json_writer *jw, const char *name, bool v);
void jw_null_field(struct json_writer *jw, const char *name);

/* Writes s as a JSON string literal (with quotes) to f. */
void jw_write_escaped(FILE *f, const char *s);

/*
 * Strict UTF-8 decoding of the character at s (n > 0 bytes left), for the
 * writer, the reader and the CLI's text output alike. *len is the length
 * the lead byte announces; *cp the code point, also for BAD_VALUE (an
 * overlong form, a surrogate, above U+10FFFF), so that messages can name it.
 */
enum json_utf8 {
	JSON_UTF8_OK,
	JSON_UTF8_BAD_LEAD,	/* not a byte a character can start with */
	JSON_UTF8_SHORT,	/* a continuation byte missing */
	JSON_UTF8_BAD_VALUE,
};
enum json_utf8 json_utf8_decode(const char *s, size_t n, uint32_t *cp, size_t *len);

/*
 * The UTF-8 character at s (n > 0 bytes left): its length (1 to 4) and
 * code point, or 0 if s does not start one (a stray continuation byte,
 * an overlong form, a surrogate, above U+10FFFF, cut short). Shared with
 * the CLI's text output.
 */
size_t json_utf8_char(const char *s, size_t n, uint32_t *cp);

/* The longest prefix of s[0..len) that does not end inside a UTF-8 character. */
size_t json_utf8_cut(const char *s, size_t len);

#endif /* __SMCCC_JSON_WRITER_H */
