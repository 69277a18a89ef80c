// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy export / policy import on the host, where no smccc-bpf
 * kernel runs: usage, --help, and everything import checks before it
 * loads anything (the document, its sha256, the embedded source compiled
 * as for 'policy check', the buckets against the source, one VM's state
 * for a --vm target), and that an import refused before the kernel is
 * reached keeps no file. The booted
 * half is selftests/e2e/migrate-in-vm.sh. Links libsmccc-cli.a.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "migrate_doc.h"
#include "smccc_bpf.h"
#include "cli_run.h"

static char tmpdir[] = "/tmp/test_cli_migrate.XXXXXX";
static char pathbuf[4200];

static const char *tmp(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", tmpdir, name);
	return pathbuf;
}

static const char good_src[] =
	"policy \"mig\";\n"
	"default handle;\n"
	"return 0x3001 id 0xc2000030 limit 1/s burst 1000;\n"
	"deny service trng;\n";

/* Writes an export document of source to tmp(name); returns its path. */
static const char *write_doc(const char *name, const char *source, uint32_t rule_index,
			     uint32_t rule, uint32_t line, uint64_t second_vm)
{
	struct migrate_counter counters[2] = {
		{ 3, 0x84000050, SMCCC_BPF_ACT_DENY, 2, "" },
		{ 3, 0xc2000030, SMCCC_BPF_ACT_RETURN, 3, "" },
	};
	struct migrate_bucket bucket = { 3, rule_index, rule, line, 42, 1000 };
	struct migrate_doc d = { 0 };
	struct json_writer *jw;
	FILE *f;

	counters[1].vm_id = second_vm;
	d.vm_id = 3;
	d.file = "/x/mig.policy";
	d.source = (char *)source;
	d.source_len = strlen(source);
	cli_sha256(source, d.source_len, d.sha256);
	d.counters = counters;
	d.nr_counters = 2;
	d.has_rate = true;
	d.buckets = &bucket;
	d.nr_buckets = 1;
	f = fopen(tmp(name), "w");
	assert_non_null(f);
	jw = jw_new(f, true);
	migrate_doc_write(&d, jw);
	jw_end_value(jw);
	jw_destroy(jw);
	fclose(f);
	return tmp(name);
}

/* The state directory holds no kept source. */
static void nothing_kept(void)
{
	struct dirent *de;
	DIR *d = opendir(tmp("state/imported"));

	if (!d)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			fail_msg("kept %s", de->d_name);
	closedir(d);
}

static int setup_all(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("SMCCC_BPF_PIN_ROOT", tmp("pins"), 1);
	mkdir(tmp("proc"), 0755);	/* no VMs */
	setenv("SMCCC_BPF_PROC", tmp("proc"), 1);
	setenv("SMCCC_BPF_VMLINUX_BTF", tmp("no-btf"), 1);
	setenv("SMCCC_BPF_STATE_DIR", tmp("state"), 1);
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	return run_teardown(tmpdir);
}

static void test_usage(void **state)
{
	(void)state;
	assert_int_equal(run("policy", "export", "--help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Usage: smccc-bpf policy export (--vm ID | --pid PID | --global) [-o FILE]");
	assert_int_equal(run("policy", "import", "-h", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Usage: smccc-bpf policy import (--vm ID | --pid PID | --global) FILE");
	assert_int_equal(run("policy", "help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "policy export (--vm ID | --pid PID | --global) [-o FILE]");
	assert_contains(R.out, "policy import (--vm ID | --pid PID | --global) FILE");
	assert_int_equal(run("policy", "export", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "export", "--vm", "3", "-o", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "-o needs one FILE");
	assert_int_equal(run("policy", "export", "--vm", "3", "-o", "a", "-o", "b", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "export", "--vm", "3", "extra", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "import", "--vm", "3", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "import", tmp("x.json"), NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "import", "--vm", "3", tmp("none.json"), NULL),
			 CLI_EXIT_NOENT);
}

static void test_bad_documents(void **state)
{
	const char *good = write_doc("good.json", good_src, 0, 1, 3, 3);
	char *text, trunc[4200], edited[4200];
	size_t len;
	FILE *f;

	(void)state;
	text = cli_read_file(good, CLI_MAX_EXPORT_DOC, &len);
	assert_non_null(text);
	snprintf(trunc, sizeof(trunc), "%s", tmp("trunc.json"));
	f = fopen(trunc, "w");
	fwrite(text, 1, len / 2, f);
	fclose(f);
	assert_int_equal(run("policy", "import", "--vm", "3", trunc, NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "trunc.json:");
	assert_contains(R.err, ": expected");
	assert_contains(R.err, "hint: FILE must be a whole 'policy export' document");

	/* a source that no longer matches its sha256 */
	snprintf(edited, sizeof(edited), "%s", tmp("edited.json"));
	f = fopen(edited, "w");
	assert_non_null(strstr(text, "burst 1000"));
	*strstr(text, "burst 1000") = '\0';
	fprintf(f, "%sburst 2000%s", text, text + strlen(text) + 10);
	fclose(f);
	free(text);
	assert_int_equal(run("policy", "import", "--vm", "3", edited, NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "edited.json: the embedded source does not match its sha256");

	/* -j: the error as JSON, with the position */
	assert_int_equal(run("-j", "policy", "import", "--vm", "3", trunc, NULL), CLI_EXIT_ERROR);
	assert_contains(R.out, "{\"error\":\"");
	assert_contains(R.out, "trunc.json:");
	nothing_kept();
}

static void test_checks_before_load(void **state)
{
	const char *doc;

	(void)state;
	/* the embedded source does not compile: as policy check, exit 3 */
	doc = write_doc("bad-src.json", "policy \"b\";\ndeny service trngg;\n", 0, 1, 2, 3);
	assert_int_equal(run("policy", "import", "--vm", "3", doc, NULL), CLI_EXIT_POLICY);
	assert_contains(R.err, "bad-src.json(source):2:");
	assert_contains(R.err, "error:");
	assert_contains(R.err, "the policy embedded in");
	assert_contains(R.err, "does not compile (1 error)");

	/* a bucket of a rule that is not rate limited, or not there */
	doc = write_doc("bucket.json", good_src, 1, 2, 4, 3);
	assert_int_equal(run("policy", "import", "--vm", "3", doc, NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "rate_buckets[0] (rule index 1, rule 2, line 4) is not a "
			"rate-limited rule of the embedded source");
	doc = write_doc("bucket2.json", good_src, 7, 8, 3, 3);
	assert_int_equal(run("policy", "import", "--vm", "3", doc, NULL), CLI_EXIT_ERROR);
	doc = write_doc("bucket3.json", good_src, 0, 1, 9, 3);	/* the wrong line */
	assert_int_equal(run("policy", "import", "--vm", "3", doc, NULL), CLI_EXIT_ERROR);

	/* the state of two VMs (a --global export) into one VM */
	doc = write_doc("two.json", good_src, 0, 1, 3, 4);
	assert_int_equal(run("policy", "import", "--vm", "3", doc, NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "holds the state of several VMs (3 and 4");
	assert_contains(R.err, "hint: import it with --global");

	/* a good document gets as far as the kernel check; nothing kept */
	doc = write_doc("good.json", good_src, 0, 1, 3, 3);
	assert_int_equal(run("policy", "import", "--vm", "3", doc, NULL), CLI_EXIT_SYSTEM);
	assert_contains(R.err, "cannot read the kernel's BTF");
	nothing_kept();
	assert_int_equal(run("policy", "import", "--global", tmp("two.json"), NULL),
			 CLI_EXIT_SYSTEM);
	nothing_kept();
}

/* The good document's text, with "\"format\"" preceded by extra. */
static char *doc_with(const char *extra)
{
	const char *good = write_doc("base.json", good_src, 0, 1, 3, 3);
	char *text, *out, *at;
	size_t len;

	text = cli_read_file(good, CLI_MAX_EXPORT_DOC, &len);
	assert_non_null(text);
	at = strstr(text, "\"format\"");
	assert_non_null(at);
	out = malloc(len + strlen(extra) + 1);
	assert_non_null(out);
	memcpy(out, text, at - text);
	strcpy(out + (at - text), extra);
	strcat(out, at);
	free(text);
	return out;
}

/*
 * A document with 200 000 members (a hostile one: they took minutes to
 * check pairwise) is read in a moment, and a duplicate among them is
 * still refused, with where it is.
 */
static void test_many_members(void **state)
{
	size_t cap = 200000 * 24 + 64, len = 0, i;
	char *extra = malloc(cap), *doc;

	(void)state;
	assert_non_null(extra);
	for (i = 0; i < 200000; i++)
		len += snprintf(extra + len, cap - len, "\"x%zu\": %zu, ", i, i);
	snprintf(extra + len, cap - len, "\"x77\": 0,\n  ");
	doc = doc_with(extra);
	write_file(tmp("many.json"), doc);
	free(doc);
	assert_int_equal(run("policy", "import", "--vm", "3", tmp("many.json"), NULL),
			 CLI_EXIT_ERROR);
	assert_contains(R.err, "many.json:2:");
	assert_contains(R.err, ": member \"x77\" given twice in the same object (first at 2:");

	/* without the duplicate: the members are unknown, the first one named */
	extra[len] = '\0';
	doc = doc_with(extra);
	write_file(tmp("many.json"), doc);
	free(doc);
	free(extra);
	assert_int_equal(run("policy", "import", "--vm", "3", tmp("many.json"), NULL),
			 CLI_EXIT_ERROR);
	assert_contains(R.err, "document: unknown member \"x0\"");
	nothing_kept();
}

/* "\u0000" in the embedded source (or anywhere) is refused where it is. */
static void test_nul_in_document(void **state)
{
	char *doc = doc_with("\"zz\\u0000\": 1, "), *msg;

	(void)state;
	write_file(tmp("nul.json"), doc);
	free(doc);
	assert_int_equal(run("policy", "import", "--vm", "3", tmp("nul.json"), NULL),
			 CLI_EXIT_ERROR);
	assert_contains(R.err, "nul.json:2:");
	assert_contains(R.err, "\\u0000 in a string: a NUL character is not allowed");
	assert_int_equal(run("-j", "policy", "import", "--vm", "3", tmp("nul.json"), NULL),
			 CLI_EXIT_ERROR);
	msg = json_error_msg(R.out);
	assert_contains(msg, "\\u0000 in a string");
	free(msg);
	nothing_kept();
}

/*
 * The document is read bounded: /dev/zero is refused as a device, a file
 * over 128 MiB by its size; a binary file (a BPF object) says what it is.
 */
static void test_import_input(void **state)
{
	unsigned char elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	int fd;

	(void)state;
	assert_int_equal(run("policy", "import", "--vm", "3", "/dev/zero", NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "cannot read export document /dev/zero: it is a character device");

	fd = open(tmp("huge.json"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CLI_MAX_EXPORT_DOC + 1), 0);
	close(fd);
	assert_int_equal(run("policy", "import", "--vm", "3", tmp("huge.json"), NULL),
			 CLI_EXIT_ERROR);
	assert_contains(R.err, "huge.json: larger than 128 MiB, the limit of an export document");
	unlink(tmp("huge.json"));

	elf[18] = 247;	/* EM_BPF */
	write_bytes(tmp("obj.json"), elf, sizeof(elf));
	assert_int_equal(run("policy", "import", "--vm", "3", tmp("obj.json"), NULL),
			 CLI_EXIT_ERROR);
	assert_contains(R.err, "obj.json is an ELF BPF object, not an export document (JSON)\n");
	assert_contains(R.err, "hint: FILE must be the JSON document 'policy export' writes");
	nothing_kept();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_checks_before_load),
		cmocka_unit_test(test_many_members),
		cmocka_unit_test(test_nul_in_document),
		cmocka_unit_test(test_import_input),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
