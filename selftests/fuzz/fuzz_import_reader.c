// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the export document reader behind `smccc-bpf policy
 * import` (migrate_doc_parse(), on the strict JSON reader json_reader.c).
 * The document comes from another host: whatever its bytes, reading it
 * must not crash, read out of bounds, leak or hit undefined behaviour
 * (ASan, UBSan, LSan), and must end in 0 or a message "LINE:COL: ...".
 *
 * A document that parses is written back with the writer policy export
 * uses (migrate_doc_write(), compact or pretty by the input's first byte)
 * and parsed again: it must read the same (from.vm_id is written 0 for a
 * global export; a counter's "function" is informational, not read), and
 * writing that gives the same bytes: reader and writer agree on every
 * document the reader accepts.
 *
 * make fuzz-smoke, make fuzz-campaign (selftests/fuzz/fuzz.mk).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate_doc.h"

/* What is wrong and the input; the caller may add more, then abort()s. */
static void report(const char *what, const uint8_t *data, size_t size)
{
	fprintf(stderr, "fuzz_import_reader: FAILED: %s\n--- input (%zu bytes) ---\n", what,
		size);
	fwrite(data, 1, size, stderr);
	fprintf(stderr, "\n---\n");
}

static void fail(const char *what, const uint8_t *data, size_t size)
{
	report(what, data, size);
	abort();
}

/* (not inlined: gcc took the memstream's buffer for a dangling local in test_migrate_doc.c) */
static __attribute__((noinline)) char *render(const struct migrate_doc *d, bool pretty,
					      size_t *len)
{
	struct json_writer *jw;
	char *buf = NULL;
	FILE *f;

	f = open_memstream(&buf, len);
	if (!f)
		abort();
	jw = jw_new(f, pretty);
	if (!jw)
		abort();
	migrate_doc_write(d, jw);
	jw_end_value(jw);
	jw_destroy(jw);
	fclose(f);
	return buf;
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* What the writer keeps of a document read back (see the header comment). */
static bool same(const struct migrate_doc *a, const struct migrate_doc *b)
{
	size_t i;

	if (a->exported != b->exported || a->global != b->global ||
	    (a->global ? 0 : a->vm_id) != b->vm_id || !str_same(a->name, b->name) ||
	    a->permissive != b->permissive || !str_same(a->file, b->file) ||
	    memcmp(a->sha256, b->sha256, sizeof(a->sha256)) || a->source_len != b->source_len ||
	    memcmp(a->source, b->source, a->source_len + 1) || a->nr_counters != b->nr_counters ||
	    memcmp(a->dropped, b->dropped, sizeof(a->dropped)) || a->has_rate != b->has_rate ||
	    a->nr_buckets != b->nr_buckets)
		return false;
	for (i = 0; i < a->nr_counters; i++) {
		const struct migrate_counter *x = &a->counters[i], *y = &b->counters[i];

		if (x->vm_id != y->vm_id || x->func_id != y->func_id || x->action != y->action ||
		    x->calls != y->calls)
			return false;
	}
	for (i = 0; i < a->nr_buckets; i++) {
		const struct migrate_bucket *x = &a->buckets[i], *y = &b->buckets[i];

		if (x->vm_id != y->vm_id || x->rule_index != y->rule_index || x->rule != y->rule ||
		    x->line != y->line || x->tokens != y->tokens || x->age_ns != y->age_ns)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct migrate_doc d, back;
	char err[256], err2[256];
	char *text, *again;
	size_t len, len2;
	bool pretty;
	int ret;

	/* The reader gets the bytes as read from the file: no NUL after them. */
	ret = migrate_doc_parse((const char *)data, size, &d, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL && ret != -ENOMEM)
			fail("refused with neither -EINVAL nor -ENOMEM", data, size);
		if (!memchr(err, '\0', sizeof(err)) || !strchr(err, ':'))
			fail("refused without a LINE:COL message", data, size);
		return 0;
	}
	if (err[0])
		fail("accepted with a message", data, size);
	if (!d.file || !d.source || strlen(d.source) != d.source_len)
		fail("accepted without a file or a C-string source", data, size);

	pretty = size && (data[0] & 1);
	text = render(&d, pretty, &len);
	if (migrate_doc_parse(text, len, &back, err2, sizeof(err2))) {
		report("the writer's document does not read back", data, size);
		fprintf(stderr, "written back: %s\n%s\n", err2, text);
		abort();
	}
	if (!same(&d, &back)) {
		report("the document reads back different", data, size);
		fprintf(stderr, "written back:\n%s\n", text);
		abort();
	}
	again = render(&back, pretty, &len2);
	if (len != len2 || memcmp(text, again, len)) {
		report("writing the document read back gives other bytes", data, size);
		fprintf(stderr, "written:\n%s\nrewritten:\n%s\n", text, again);
		abort();
	}
	free(again);
	free(text);
	migrate_doc_free(&back);
	migrate_doc_free(&d);
	return 0;
}
