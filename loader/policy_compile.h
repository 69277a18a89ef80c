/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: the compiler (struct policy_ast to struct
 * smccc_compiled, the contents of the policy program's maps).
 *
 * Every ID a rule names alone (id N, a function) gets an exact entry whose
 * chain lists, in source order, every rule covering that ID; the IDs range
 * rules cover (range, service) become sorted disjoint segments, each with
 * its chain. Chains are cut after the first rule without conditions.
 * Built by sorting and one sweep over the range ends: O(n log n) in the
 * number of rules.
 *
 * All functions return 0 on success and -1 when the policy has errors
 * (reported to diags, out left zeroed); warnings do not fail.
 */
#ifndef __SMCCC_POLICY_COMPILE_H
#define __SMCCC_POLICY_COMPILE_H

#include <stddef.h>

#include "policy_compiled.h"
#include "policy_lexer.h"
#include "policy_parser.h"

/*
 * KVM's vendor hypervisor range: what the rules and the default decide
 * must forward or return all of it (on the same calls) or none of it.
 */
#define SMCCC_POLICY_VENDOR_HYP32_FIRST	0x86000000u
#define SMCCC_POLICY_VENDOR_HYP32_LAST	0x8600ffffu
#define SMCCC_POLICY_VENDOR_HYP64_FIRST	0xc6000000u
#define SMCCC_POLICY_VENDOR_HYP64_LAST	0xc600ffffu

/* Compile a parsed policy. src is only used for messages. */
int policy_compile(const struct policy_ast *ast, const struct policy_src *src,
		   struct smccc_compiled *out, struct policy_diags *diags);

/*
 * Parse and compile policy text. name (optional) receives the policy's
 * name from its policy statement on success (malloc'ed, NULL if none).
 * With syntax errors, the rules that parsed are still compiled for their
 * errors, but no warnings are given and the result is -1.
 */
int policy_compile_text(const char *file, const char *text, size_t len,
			struct smccc_compiled *out, char **name, struct policy_diags *diags);

/*
 * The largest policy text: room for the most rules a policy may have.
 * policy_compile_file() reads no more (a device or a FIFO fed forever
 * included), and the CLI holds its inputs to the same bound.
 */
#define POLICY_MAX_TEXT	(16u << 20)

/* The same for a file ("-" reads stdin); an unreadable file is an error in diags. */
int policy_compile_file(const char *path, struct smccc_compiled *out, char **name,
			struct policy_diags *diags);

/* void smccc_compiled_free(struct smccc_compiled *c);  (policy_compiled.h) */

#endif /* __SMCCC_POLICY_COMPILE_H */
