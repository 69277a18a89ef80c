/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The document of "smccc-bpf policy export" and "policy import": a policy
 * (its source text) and its state (statistics, dropped counters, rate-limit
 * buckets), to carry from one VM to another (docs/export-format.md).
 *
 * This file only writes and reads the document; cli_migrate.c reads the
 * pinned maps into it and fills a new policy's maps from it. No BPF here:
 * the host tests round-trip documents through writer and reader.
 */
#ifndef __SMCCC_MIGRATE_DOC_H
#define __SMCCC_MIGRATE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_writer.h"

#define MIGRATE_FORMAT		"smccc-bpf-export"
#define MIGRATE_VERSION		1

#define MIGRATE_NR_DROP		3	/* SMCCC_POLICY_NR_DROP: stats, events, rate */

/* One statistics counter: calls of func_id that got action, in VM vm_id. */
struct migrate_counter {
	uint64_t vm_id;
	uint32_t func_id;
	uint8_t action;		/* SMCCC_BPF_ACT_* */
	uint64_t calls;		/* the sum over CPUs */
	char function[64];	/* written if set (its name), ignored when read */
};

/* One token bucket: rule rule_index's bucket in VM vm_id. */
struct migrate_bucket {
	uint64_t vm_id;
	uint32_t rule_index;	/* index in the rules map: the key */
	uint32_t rule;		/* smccc_policy_rule.id (1-based, in source order) */
	uint32_t line;		/* the rule's source line */
	uint64_t tokens;	/* nanoseconds' worth of tokens, as the program keeps them */
	uint64_t age_ns;	/* export time - last refill, CLOCK_MONOTONIC */
};

struct migrate_doc {
	uint64_t exported;	/* CLOCK_REALTIME seconds */
	bool global;		/* exported from the host-wide default */
	uint64_t vm_id;		/* ... or from this VM */
	char *name;		/* the policy statement's name; NULL if unnamed */
	bool permissive;	/* mode */
	char *file;		/* the attached file's path, informational */
	uint8_t sha256[32];	/* of source */
	char *source;		/* the policy text, NUL-terminated */
	size_t source_len;
	struct migrate_counter *counters;
	size_t nr_counters;
	uint64_t dropped[MIGRATE_NR_DROP];
	bool has_rate;		/* false: the export had no rate-limit state */
	struct migrate_bucket *buckets;
	size_t nr_buckets;
};

void migrate_doc_free(struct migrate_doc *d);

/* Writes d as one JSON value (the caller ends it with jw_end_value()). */
void migrate_doc_write(const struct migrate_doc *d, struct json_writer *jw);

/*
 * Reads a document: 0, or -EINVAL with "LINE:COL: what is wrong" in err
 * (syntax errors, a wrong format or version, missing or unknown members,
 * values of the wrong type or out of range, duplicate counters or
 * buckets). -ENOMEM: out of memory. Whether source matches sha256 is the
 * caller's check (cli_sha256()).
 */
int migrate_doc_parse(const char *text, size_t len, struct migrate_doc *d,
		      char *err, size_t errlen);

/*
 * The document's action names: "handle", "deny", "forward", "return" (the
 * format's own table: it does not follow the CLI's display names). NULL or
 * -1 if unknown.
 */
const char *migrate_action_name(unsigned int action);
int migrate_action_parse(const char *name);

#endif /* __SMCCC_MIGRATE_DOC_H */
