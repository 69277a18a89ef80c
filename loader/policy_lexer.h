/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: source text, diagnostics and the lexer.
 *
 * Diagnostics are collected, not printed: the errors of a file are
 * reported (gcc style, "FILE:LINE:COL: error: MESSAGE", then the source
 * line and a caret under the column) into a growing text buffer that the
 * caller prints. Columns are 1-based byte offsets into the line.
 *
 * What one hostile file can make them print is bounded, so that the work
 * stays linear in its size: the first POLICY_DIAG_MAX errors and warnings
 * are kept (with their notes), the rest only counted, and a note says so;
 * a source line longer than POLICY_DIAG_LINE_MAX is cut around the column
 * ("..." where it was cut); a name quoted in a message is cut at
 * POLICY_DIAG_NAME_MAX bytes (policy_diag_name()), a message at
 * POLICY_DIAG_MSG_MAX.
 */
#ifndef __SMCCC_POLICY_LEXER_H
#define __SMCCC_POLICY_LEXER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A policy source: a file name for messages and its text (need not end in NUL). */
struct policy_src {
	const char *name;
	const char *text;
	size_t len;
};

struct policy_loc {
	uint32_t line;		/* 1-based; 0: no location */
	uint32_t col;		/* 1-based byte column */
};

enum policy_diag_level {
	POLICY_DIAG_ERROR,
	POLICY_DIAG_WARNING,
	POLICY_DIAG_NOTE,
};

#define POLICY_DIAG_MAX		20	/* errors and warnings kept */
#define POLICY_DIAG_LINE_MAX	160	/* bytes of a source line shown */
#define POLICY_DIAG_NAME_MAX	64	/* bytes of a name quoted in a message */
#define POLICY_DIAG_MSG_MAX	1024	/* bytes of a message */

struct policy_diag_entry {
	uint32_t line;		/* sort key: a note takes its error's */
	size_t off, len;	/* in buf */
};

struct policy_diags {
	unsigned int errors;	/* all of them, kept or not */
	unsigned int warnings;
	/* private: use policy_diags_text() */
	unsigned int kept;	/* errors and warnings in buf, at most POLICY_DIAG_MAX */
	unsigned int dropped;	/* errors and warnings counted only */
	int dropping;		/* the last error or warning was dropped: so are its notes */
	char *buf;		/* messages in the order reported */
	size_t len;
	size_t cap;
	struct policy_diag_entry *entries;
	size_t nr_entries, cap_entries;
	char *text;		/* messages by line, built by policy_diags_text() */
	size_t text_entries;	/* entries in text */
	const char *lines_of;	/* line start offsets of the last source reported on */
	size_t *line_starts;
	size_t nr_lines;
};

/* Append "NAME:LINE:COL: LEVEL: MESSAGE\n", the line and a caret. */
void policy_diag(struct policy_diags *d, const struct policy_src *src,
		 enum policy_diag_level level, struct policy_loc loc,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void policy_vdiag(struct policy_diags *d, const struct policy_src *src,
		  enum policy_diag_level level, struct policy_loc loc,
		  const char *fmt, va_list ap);
/*
 * The len bytes at s as a C string in buf (POLICY_DIAG_NAME_BUF bytes),
 * cut after POLICY_DIAG_NAME_MAX with "...": for a name quoted in a
 * message. Returns buf.
 */
#define POLICY_DIAG_NAME_BUF	(POLICY_DIAG_NAME_MAX + 4)
const char *policy_diag_name(char *buf, const char *s, size_t len);
/* Nonzero when the next error or warning would not be kept (skip costly hints). */
int policy_diags_full(const struct policy_diags *d);
/* Drop what is cached about the last source (call when a source text may change). */
void policy_diags_forget_source(struct policy_diags *d);
/*
 * Messages so far, "" if none: in source line order (messages without a
 * line first; a note stays after its error or warning), reported order
 * within a line; the note that some were left out comes last. Valid until
 * the next message or policy_diags_free().
 */
const char *policy_diags_text(struct policy_diags *d);
void policy_diags_free(struct policy_diags *d);

enum policy_tok_kind {
	POLICY_TOK_EOF,
	POLICY_TOK_ERROR,	/* already reported */
	POLICY_TOK_IDENT,	/* [A-Za-z_][A-Za-z0-9_.]* and '-' before a letter */
	POLICY_TOK_NUMBER,	/* decimal, 0x hex; '_' separators allowed */
	POLICY_TOK_STRING,	/* "..." with \" and \\ */
	POLICY_TOK_SEMI,	/* ; */
	POLICY_TOK_COMMA,	/* , */
	POLICY_TOK_MINUS,	/* - */
	POLICY_TOK_AMP,		/* & */
	POLICY_TOK_SLASH,	/* / */
	POLICY_TOK_EQ,		/* == */
	POLICY_TOK_NE,		/* != */
	POLICY_TOK_LT,		/* < */
	POLICY_TOK_LE,		/* <= */
	POLICY_TOK_GT,		/* > */
	POLICY_TOK_GE,		/* >= */
};

struct policy_token {
	enum policy_tok_kind kind;
	struct policy_loc loc;
	const char *start;	/* into the source text */
	size_t len;
	uint64_t num;		/* POLICY_TOK_NUMBER */
	char *str;		/* POLICY_TOK_STRING: unescaped, owned by the lexer */
};

struct policy_lexer {
	const struct policy_src *src;
	struct policy_diags *diags;
	size_t pos;
	uint32_t line;
	size_t line_start;
	char *strbuf;		/* the last string token's text */
};

void policy_lexer_init(struct policy_lexer *lx, const struct policy_src *src,
		       struct policy_diags *diags);
/* The next token; errors are reported to diags and give POLICY_TOK_ERROR. */
void policy_lex(struct policy_lexer *lx, struct policy_token *tok);
void policy_lexer_free(struct policy_lexer *lx);

/* "identifier", "';'", ... for messages. */
const char *policy_tok_name(enum policy_tok_kind kind);
/* Nonzero if the token is the identifier (keyword) word. */
int policy_tok_is(const struct policy_token *tok, const char *word);

#endif /* __SMCCC_POLICY_LEXER_H */
