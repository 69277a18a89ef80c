/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: the parser and its syntax tree.
 *
 *   file    := { stmt }
 *   stmt    := "policy" STRING ";" | "default" action ";"
 *            | "mode" ( "enforce" | "permissive" ) ";"
 *            | "discovery" ( "keep" | "hide-denied" ) ";" | rule ";"
 *   rule    := action match { "," match } [ "if" cond { "and" cond } ] [ limit ]
 *   action  := "handle" | "deny" | "forward" | "log" | "return" num { "," num }
 *   match   := "id" num | "range" num "-" num | "service" NAME | "function" NAME
 *   cond    := "conduit" ( "==" | "!=" ) ( "hvc" | "smc" )
 *            | "vcpu" op num | "x"N [ "&" num ] op num
 *   limit   := "limit" num "/" ( "s" | "min" ) [ "burst" num ] [ "then" action ]
 *   num     := [ "-" ] NUMBER | CONSTANT
 *
 * The parser checks syntax and what it can see locally (register numbers,
 * duplicate policy/default/mode statements, known constants); names of
 * services and functions, ranges and limits are the compiler's.
 */
#ifndef __SMCCC_POLICY_PARSER_H
#define __SMCCC_POLICY_PARSER_H

#include <stdbool.h>
#include <stdint.h>

#include "policy_lexer.h"

struct policy_action {
	uint8_t kind;		/* SMCCC_BPF_ACT_* or SMCCC_POLICY_ACT_LOG */
	uint8_t nr_ret;		/* return: values given (1..4); the rest are 0 */
	uint64_t ret[4];
	struct policy_loc loc;
	struct policy_loc ret_loc[4];
};

enum policy_match_kind {
	POLICY_MATCH_ID,
	POLICY_MATCH_RANGE,
	POLICY_MATCH_SERVICE,
	POLICY_MATCH_FUNCTION,
};

struct policy_match {
	enum policy_match_kind kind;
	uint64_t first;		/* id, range: as written (the compiler checks 32 bits) */
	uint64_t last;
	char *name;		/* service, function */
	struct policy_loc loc;	/* the keyword */
	struct policy_loc arg_loc;	/* the number or name */
};

struct policy_cond {
	uint8_t kind;		/* SMCCC_POLICY_COND_* */
	uint8_t reg;		/* COND_ARG: 1..17 */
	uint8_t op;		/* SMCCC_POLICY_OP_* */
	uint64_t mask;		/* ~0 unless "xN & MASK" */
	uint64_t value;
	struct policy_loc loc;
	struct policy_loc value_loc;
};

struct policy_limit {
	uint64_t count;		/* N of N/s, N/min */
	uint32_t per;		/* seconds: 1 or 60 */
	bool has_burst;
	uint64_t burst;
	bool has_then;
	struct policy_action then;
	struct policy_loc loc;	/* "limit" */
	struct policy_loc count_loc;
	struct policy_loc burst_loc;
};

struct policy_rule {
	uint32_t id;		/* 1-based, source order */
	struct policy_loc loc;	/* the action keyword */
	struct policy_action action;
	struct policy_match *matches;
	uint32_t nr_matches;
	struct policy_cond *conds;
	uint32_t nr_conds;
	bool has_limit;
	struct policy_limit limit;
};

struct policy_ast {
	char *name;		/* policy "name"; NULL if not given */
	struct policy_loc name_loc;
	bool has_default;
	struct policy_action default_action;	/* handle unless given */
	bool has_mode;
	bool permissive;
	struct policy_loc mode_loc;
	bool has_discovery;
	bool hide_denied;	/* discovery hide-denied */
	struct policy_loc discovery_loc;
	struct policy_rule *rules;
	uint32_t nr_rules;
	uint32_t cap_rules;
};

/*
 * Parse src into ast (zeroed first). Every error goes to diags; returns
 * the number of errors (0: ast is complete). ast must be freed either way.
 */
unsigned int policy_parse(const struct policy_src *src, struct policy_ast *ast,
			  struct policy_diags *diags);
void policy_ast_free(struct policy_ast *ast);

/* "handle", "deny", "forward", "return", "log"; "?" for anything else. */
const char *policy_action_name(uint8_t kind);
/* "==", "!=", ... */
const char *policy_op_name(uint8_t op);

#endif /* __SMCCC_POLICY_PARSER_H */
