/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A small strict JSON reader (RFC 8259) for the smccc-bpf CLI: reads a
 * whole document into a tree the caller walks (policy import reads its
 * export documents with it; json_writer.h writes them).
 *
 * Strict: one value per document (white space around it only), no
 * comments, no trailing commas, no leading zeros, no NaN/Infinity, strings
 * valid UTF-8 without raw control characters, \u escapes with their
 * surrogate pairs and no \u0000 (every string is a C string: a NUL in a
 * name or in policy text would cut it short), no duplicate member names,
 * at most JSON_MAX_DEPTH nested arrays and objects. The first problem is
 * reported with its position (line and column, both from 1; columns
 * count bytes) and what was expected there; a duplicate name once its
 * object is complete (checked by sorting the names: linear-logarithmic in
 * the number of members, whatever the document).
 *
 * Numbers keep their text: json_u64() reads an unsigned integer exactly
 * (every 64-bit counter survives, unlike with doubles); nothing here
 * converts to floating point.
 */
#ifndef __SMCCC_JSON_READER_H
#define __SMCCC_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH	64

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_value {
	enum json_type type;
	unsigned int line, col;		/* where the value starts */
	/* JSON_STRING: the decoded bytes (NUL-terminated, no NUL inside),
	 * JSON_NUMBER: the literal as written. */
	char *str;
	size_t len;
	/* JSON_ARRAY, JSON_OBJECT: the elements or member values, in order;
	 * JSON_OBJECT: names[i] is the name of items[i]. */
	size_t n;
	struct json_value *items;
	char **names;
};

struct json_error {
	unsigned int line, col;
	char msg[192];			/* "expected ..., found ..." */
};

/*
 * Parses text[0..len) into a tree (*out, free with json_free()). 0, or
 * -EINVAL with err set (-ENOMEM: out of memory, err set too).
 */
int json_parse(const char *text, size_t len, struct json_value **out, struct json_error *err);
void json_free(struct json_value *v);

/* The member name of object v, NULL if v is not an object or has none. */
const struct json_value *json_get(const struct json_value *v, const char *name);

/* "null", "a boolean", "a number", "a string", "an array", "an object". */
const char *json_type_name(enum json_type t);

/* v is a number that is an integer in [0, 2^64): exact; false otherwise. */
bool json_u64(const struct json_value *v, uint64_t *out);

#endif /* __SMCCC_JSON_READER_H */
