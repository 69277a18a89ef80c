// SPDX-License-Identifier: GPL-2.0
/*
 * The smccc-bpf CLI on the host: argument parsing, dispatch, exit codes,
 * text and JSON output of every command that needs no smccc-bpf kernel
 * (the rest runs in the booted test, selftests/e2e/cli-in-vm.sh). Links
 * the host CLI library (loader/cli.mk: libsmccc-cli.a).
 *
 * Whole runs go through smccc_bpf_main() with memory streams for stdout
 * and stderr; /proc, the pin root and the kernel BTF are redirected
 * through SMCCC_BPF_PROC, SMCCC_BPF_PIN_ROOT and SMCCC_BPF_VMLINUX_BTF.
 * The VMs (/proc fdinfo, --pid) are test_cli_vm.c's.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "cli_events.h"
#include "cli_stats.h"
#include "json_writer.h"
#include "smccc_policy.h"
#include "cli_run.h"

/* ---- running the CLI ------------------------------------------------------- */

static char tmpdir[] = "/tmp/test_cli.XXXXXX";
static char out_buf_path[4096];

static const char *path_in_tmp(const char *name)
{
	snprintf(out_buf_path, sizeof(out_buf_path), "%s/%s", tmpdir, name);
	return out_buf_path;
}

static char good_pol[4096], good2_pol[4096], bad_pol[4096];

static int setup_all(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(good_pol, sizeof(good_pol), "%s/good.pol", tmpdir);
	snprintf(good2_pol, sizeof(good2_pol), "%s/good2.pol", tmpdir);
	snprintf(bad_pol, sizeof(bad_pol), "%s/bad.pol", tmpdir);
	write_file(good_pol,
		   "policy \"deny-trng\";\n"
		   "default handle;\n"
		   "deny service trng;\n"
		   "log function psci.version;\n"
		   "return 0x1234, 5 id 0xc2000001;\n"
		   "forward id 0x83000010 if x1 == 0x42;\n");
	write_file(good2_pol,
		   "policy \"v2\";\n"
		   "default handle;\n"
		   "deny service trng;\n"
		   "log function psci.version;\n"
		   "return 0x1234, 5 id 0xc2000001;\n"
		   "deny id 0x83000010;\n");
	write_file(bad_pol,
		   "policy \"bad\";\n"
		   "deny service trngg;\n");
	setenv("TZ", "UTC", 1);
	tzset();
	/* Nothing of the host's: an empty pin root, no VMs. */
	setenv("SMCCC_BPF_PIN_ROOT", path_in_tmp("pins"), 1);
	mkdir(path_in_tmp("proc"), 0755);
	setenv("SMCCC_BPF_PROC", path_in_tmp("proc"), 1);
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	return run_teardown(tmpdir);
}

/* ---- global options and dispatch --------------------------------------------- */

static void test_help(void **state)
{
	(void)state;
	assert_int_equal(run("help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Usage: smccc-bpf [OPTIONS] OBJECT COMMAND [ARGS]");
	assert_contains(R.out, "Exit codes:");
	assert_contains(R.out, "  8  the BPF verifier rejected the program");
	assert_contains(R.out, "policy   check, attach, replace");
	assert_int_equal(run("-h", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Objects:");
	assert_int_equal(run("--help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Objects:");
}

static void test_object_help(void **state)
{
	static const char *const objs[] = { "vm", "policy", "stats", "events" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		assert_int_equal(run(objs[i], "help", NULL), CLI_EXIT_OK);
		assert_contains(R.out, "Usage:");
		assert_contains(R.out, objs[i]);
		assert_int_equal(run("help", objs[i], NULL), CLI_EXIT_OK);
		assert_contains(R.out, "Usage:");
	}
	assert_int_equal(run("policy", "help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "smccc-bpf policy attach (--vm ID | --pid PID | --global) FILE|OBJ");
	assert_contains(R.out, "smccc-bpf policy explain FILE ID [ARG...]");
	assert_contains(R.out, "smccc-bpf policy help");
	assert_int_equal(run("policy", "--help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "policy diff OLD NEW");
	assert_int_equal(run("stats", "help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "'smccc-bpf stats' alone is 'smccc-bpf stats show'");
}

static void test_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run(NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "Usage:");
	assert_int_equal(run("frobnicate", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "Usage:");
	assert_contains(R.err, "error: unknown object 'frobnicate'");
	assert_int_equal(run("policy", "frobnicate", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "error: unknown command 'policy frobnicate'");
	assert_contains(R.err, "smccc-bpf policy attach");
	assert_int_equal(run("policy", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "'policy' needs a command");
	assert_int_equal(run("-x", "vm", "list", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "unknown option '-x'");
	assert_int_equal(run("vm", "list", "extra", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "check", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "'policy check' takes one FILE");
	assert_contains(R.err, "hint: see 'smccc-bpf policy help'");
	assert_int_equal(run("policy", "attach", good_pol, NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "needs --vm ID, --pid PID or --global");
	assert_int_equal(run("policy", "attach", "--vm", "1", "--global", good_pol, NULL),
			 CLI_EXIT_USAGE);
	assert_contains(R.err, "give one target");
	assert_int_equal(run("policy", "attach", "--pid", "1", "--global", good_pol, NULL),
			 CLI_EXIT_USAGE);
	assert_contains(R.err, "give one target");
	assert_int_equal(run("policy", "show", "--pid", "init", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "--pid: 'init' is not a process id");
	assert_int_equal(run("policy", "detach", "--vm", "1", good_pol, NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("stats", "--global", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "unknown option '--global'");
	assert_int_equal(run("events", "--count", "0", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("events", "--timeout", "soon", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "explain", good_pol, NULL), CLI_EXIT_USAGE);
	/* -j: usage errors are JSON too */
	assert_int_equal(run("-j", "policy", "check", NULL), CLI_EXIT_USAGE);
	assert_contains(R.out, "{\"error\":\"'policy check' takes one FILE\",\"hint\":"
			"\"see 'smccc-bpf policy help'\",\"exit\":2}\n");
}

static void test_prefixes(void **state)
{
	(void)state;
	/* bpftool style: unambiguous prefixes of objects and commands */
	assert_int_equal(run("pol", "ch", good_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, "OK: policy \"deny-trng\"");
	/* "s" is stats or... only stats: fine; "policy d" is detach or diff */
	assert_int_equal(run("policy", "d", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "unknown command 'policy d'");
}

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(run("-V", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "smccc-bpf " SMCCC_BPF_CLI_VERSION "\nlibbpf v");
	assert_int_equal(run("--json", "--version", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "{\"version\":\"" SMCCC_BPF_CLI_VERSION "\",\"libbpf_version\":\"v");
	assert_int_equal(run("-p", "-V", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "{\n  \"version\": \"" SMCCC_BPF_CLI_VERSION "\",\n");
}

/* ---- cli_parse_args ------------------------------------------------------------ */

static struct cli test_cli_ctx(FILE **out, FILE **err, char **ob, char **eb)
{
	size_t ol, el;
	struct cli c = { .prog = "smccc-bpf" };

	*out = open_memstream(ob, &ol);
	*err = open_memstream(eb, &el);
	c.out = *out;
	c.err = *err;
	return c;
}

static int parse(unsigned int allowed, struct cli_args *a, ...)
{
	char *argv[32], *ob = NULL, *eb = NULL;
	FILE *out, *err;
	struct cli c = test_cli_ctx(&out, &err, &ob, &eb);
	const char *s;
	va_list ap;
	int argc = 0, rc;

	argv[argc++] = "cmd";
	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = (char *)s;
	va_end(ap);
	rc = cli_parse_args(&c, "policy", argc, argv, allowed, a);
	fclose(out);
	fclose(err);
	free(ob);
	free(eb);
	return rc;
}

static void test_parse_args(void **state)
{
	const unsigned int all = CLI_ARG_TARGET | CLI_ARG_CONDUIT | CLI_ARG_VCPU |
				 CLI_ARG_COUNT | CLI_ARG_TIMEOUT | CLI_ARG_OVER_LIMIT;
	struct cli_args a;

	(void)state;
	assert_int_equal(parse(all, &a, "--vm", "3", "file", NULL), 0);
	assert_true(a.target.set);
	assert_false(a.target.global);
	assert_int_equal(a.target.vm_id, 3);
	assert_int_equal(a.nr_pos, 1);
	assert_string_equal(a.pos[0], "file");
	assert_int_equal(a.conduit, SMCCC_BPF_CONDUIT_HVC);

	assert_int_equal(parse(all, &a, "file", "--vm=10", NULL), 0);
	assert_int_equal(a.target.vm_id, 10);
	/* ids are decimal: 0x10 is no VM id (test_id_arguments) */
	assert_int_equal(parse(all, &a, "file", "--vm=0x10", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--global", "f", NULL), 0);
	assert_true(a.target.global);
	assert_int_equal(a.target.vm_id, SMCCC_BPF_VM_ID_GLOBAL);

	/* the function ID, then arguments, options anywhere */
	assert_int_equal(parse(all, &a, "f", "0x84000000", "--conduit", "SMC", "7", "--vcpu=2",
			       "-1", "--over-limit", NULL), 0);
	assert_int_equal(a.nr_pos, 4);
	assert_string_equal(a.pos[3], "-1");	/* a negative number is an argument */
	assert_int_equal(a.conduit, SMCCC_BPF_CONDUIT_SMC);
	assert_true(a.has_vcpu);
	assert_int_equal(a.vcpu, 2);
	assert_true(a.over_limit);
	assert_int_equal(parse(all, &a, "--count", "5", "--timeout", "1.5", NULL), 0);
	assert_int_equal(a.count, 5);
	assert_true(a.timeout > 1.49 && a.timeout < 1.51);
	assert_int_equal(parse(all, &a, "--", "--vm", "x", NULL), 0);
	assert_int_equal(a.nr_pos, 2);
	assert_false(a.target.set);

	assert_int_equal(parse(all, &a, "--vm", "0", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--vm", "abc", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--vm", "-3", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--vm", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--vm", "1", "--vm", "2", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--global=1", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--conduit", "svc", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--vcpu", "x", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--count", "0", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--timeout", "-1", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "--frob", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(all, &a, "-v", NULL), CLI_EXIT_USAGE);
	/* only what the command takes */
	assert_int_equal(parse(CLI_ARG_VM, &a, "--global", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_ARG_VM, &a, "--vm", "4", NULL), 0);
	assert_int_equal(parse(0, &a, "--vm", "4", NULL), CLI_EXIT_USAGE);
	assert_int_equal(parse(CLI_ARG_TARGET, &a, "--count", "4", NULL), CLI_EXIT_USAGE);
}

static void test_parse_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_true(cli_parse_u64("0", &v) && v == 0);
	assert_true(cli_parse_u64("42", &v) && v == 42);
	assert_true(cli_parse_u64("0xffffffffffffffff", &v) && v == UINT64_MAX);
	assert_false(cli_parse_u64("", &v));
	assert_false(cli_parse_u64("-1", &v));
	assert_false(cli_parse_u64("12x", &v));
	assert_false(cli_parse_u64("0x1ffffffffffffffff", &v));
	assert_false(cli_parse_u64(" 1", &v));
	/* values stay decimal or 0x hex; a leading zero is neither octal nor decimal */
	assert_true(cli_parse_u64("0x10", &v) && v == 16);
	assert_true(cli_parse_u64("0X0", &v) && v == 0);
	assert_false(cli_parse_u64("010", &v));
	assert_false(cli_parse_u64("00", &v));
	assert_false(cli_parse_u64("0x", &v));
	assert_false(cli_parse_u64("\t5", &v));
	assert_false(cli_parse_u64("5 ", &v));
	assert_false(cli_parse_u64("+5", &v));
	assert_false(cli_parse_u64("0x-1", &v));
	assert_false(cli_parse_u64("18446744073709551616", &v));
}

/* Ids: digits only, no leading zero, no sign, blank or hex, at most max. */
static void test_parse_id(void **state)
{
	static const struct { const char *s; uint64_t max; const char *why; uint64_t v; } cases[] = {
		{ "0", 10, NULL, 0 },
		{ "7", 10, NULL, 7 },
		{ "18446744073709551615", UINT64_MAX, NULL, UINT64_MAX },
		{ "2147483647", INT32_MAX, NULL, INT32_MAX },
		{ "2147483648", INT32_MAX, "is too large (at most 2147483647)", 0 },
		{ "18446744073709551616", UINT64_MAX, "is too large", 0 },
		{ "010", 100, "has a leading zero", 0 },
		{ "00", 100, "has a leading zero", 0 },
		{ "0x5", 100, "is hex", 0 },
		{ " 5", 100, "has blanks", 0 },
		{ "\t5", 100, "has blanks", 0 },
		{ "5 ", 100, "has blanks", 0 },
		{ "5\n", 100, "has blanks", 0 },
		{ "+5", 100, "has a sign", 0 },
		{ "-5", 100, "has a sign", 0 },
		{ "5x", 100, "is not a decimal number", 0 },
		{ "", 100, "is empty", 0 },
	};
	const char *why;
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		v = 42;
		why = cli_parse_id(cases[i].s, cases[i].max, &v);
		if (!cases[i].why) {
			if (why || v != cases[i].v)
				fail_msg("'%s': %s", cases[i].s, why ? why : "wrong value");
		} else if (!why || !strstr(why, cases[i].why) || v != 42) {
			fail_msg("'%s': got '%s', expected '%s'", cases[i].s, why ? why : "(ok)",
				 cases[i].why);
		}
	}
	assert_null(cli_parse_id(NULL, 1, &v) ? NULL : "NULL accepted");
}

/* val as text output shows it: a tab as \t. */
static const char *shown(const char *val, char *buf, size_t len)
{
	size_t n = 0;

	for (; *val && n + 3 < len; val++) {
		if (*val == '\t') {
			buf[n++] = '\\';
			buf[n++] = 't';
		} else {
			buf[n++] = *val;
		}
	}
	buf[n] = '\0';
	return buf;
}

/*
 * Every id argument is strict decimal: an id read as octal (010 = 8), hex
 * or past blanks would name another VM than the one written. Each is
 * refused with a message naming the argument, in text and in JSON.
 */
static void test_id_arguments(void **state)
{
	static const char *const bad[] = {
		"010", " 5", "\t5", "5 ", "+5", "0x5", "18446744073709551616", "", "-5", "5x",
	};
	static const struct { const char *opt, *what; } opts[] = {
		{ "--vm", "is not a VM id" },
		{ "--pid", "is not a process id" },
		{ "--vcpu", "is not a vCPU id" },
		{ "--count", "is not a positive number" },
	};
	char want[128], sh[64], *msg;
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		for (j = 0; j < ARRAY_SIZE(bad); j++) {
			const char *o = opts[i].opt, *v = bad[j];

			if (!strcmp(o, "--vm"))
				run("stats", o, v, NULL);
			else if (!strcmp(o, "--pid"))
				run("policy", "show", o, v, NULL);
			else if (!strcmp(o, "--vcpu"))
				run("policy", "explain", good_pol, "0x84000050", o, v, NULL);
			else
				run("events", o, v, "--timeout", "0", NULL);
			if (R.rc != CLI_EXIT_USAGE)
				fail_msg("%s '%s': exit %d, out %s err %s", o, v, R.rc, R.out, R.err);
			snprintf(want, sizeof(want), "error: %s: '%s' %s: it ", o,
				 shown(v, sh, sizeof(sh)), opts[i].what);
			assert_contains(R.err, want);
			assert_terminal_safe(R.err, false);

			/* -j: the same message, the value as given */
			if (!strcmp(o, "--vm"))
				run("-j", "stats", o, v, NULL);
			else
				run("-j", "policy", "show", "--pid", v, NULL);
			assert_int_equal(R.rc, CLI_EXIT_USAGE);
			msg = json_error_msg(R.out);
			snprintf(want, sizeof(want), "%s: '%s' is not", !strcmp(o, "--vm") ? o : "--pid",
				 v);
			assert_contains(msg, want);
			free(msg);
		}
	}
	/* What is taken */
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "--vcpu", "0", NULL),
			 CLI_EXIT_OK);
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "--vcpu", "10", NULL),
			 CLI_EXIT_OK);
	assert_contains(R.out, "from vCPU 10\n");
	/* 0 is no VM, and no process */
	assert_int_equal(run("stats", "--vm", "0", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "--vm: '0' is not a VM id: it is 0, the host-wide default's id");
	/* seconds: decimal, no blanks, sign, hex or exponent */
	assert_int_equal(run("events", "--timeout", " 1", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("events", "--timeout", "0x10", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("events", "--timeout", "1e3", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("events", "--timeout", ".", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "--timeout: '.' is not a number of seconds");
}

/* Register values of 'policy explain': decimal or 0x hex, negative too, never octal. */
static void test_explain_values(void **state)
{
	(void)state;
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "-0x10", "-1", "16",
			     NULL), CLI_EXIT_OK);
	assert_contains(R.out, "x1=0xfffffffffffffff0 x2=0xffffffffffffffff x3=0x10\n");
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "-010", NULL),
			 CLI_EXIT_USAGE);
	assert_contains(R.err, "x1: '-010' is not a number or constant");
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "010", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "-9223372036854775809",
			     NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "-9223372036854775808",
			     NULL), CLI_EXIT_OK);
	assert_contains(R.out, "x1=0x8000000000000000\n");
}

/* ---- policy check, explain, diff -------------------------------------------------- */

static void test_check(void **state)
{
	(void)state;
	assert_int_equal(run("policy", "check", good_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, ": OK: policy \"deny-trng\": 4 rules, default handle, enforce");
	assert_int_equal(run("policy", "check", bad_pol, NULL), CLI_EXIT_POLICY);
	assert_contains(R.err, "bad.pol:2:14: error: unknown service 'trngg'; did you mean 'trng'?");
	assert_contains(R.err, "bad.pol: 1 error, 0 warnings");
	assert_int_equal(run("policy", "check", path_in_tmp("missing.pol"), NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "cannot read");

	assert_int_equal(run("-j", "policy", "check", good_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, "\"ok\":true,\"errors\":0,\"warnings\":0,\"diagnostics\":\"\","
			"\"name\":\"deny-trng\",\"rules\":4,");
	assert_contains(R.out, "\"default\":\"handle\",\"mode\":\"enforce\",\"discovery\":\"keep\"}\n");
	assert_int_equal(run("-j", "policy", "check", bad_pol, NULL), CLI_EXIT_POLICY);
	assert_contains(R.out, "\"ok\":false,\"errors\":1,\"warnings\":0,\"diagnostics\":\"");
	assert_contains(R.out, "error: unknown service 'trngg'; did you mean 'trng'?\\n");
	assert_string_equal(R.err, "");	/* with -j, diagnostics are in the JSON */
}

static void test_explain(void **state)
{
	(void)state;
	assert_int_equal(run("policy", "explain", good_pol, "trng.version", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "0x84000050 trng.version, hvc from vCPU 0\n");
	assert_contains(R.out, "  rule 1 (line 3): deny\n");
	assert_contains(R.out, "  decision: deny (rule 1, line 3)\n");
	assert_contains(R.out, "  event: deny\n");

	/* conditions, conduit, vCPU, arguments */
	assert_int_equal(run("policy", "explain", good_pol, "0x83000010", "0x41", "--conduit",
			     "smc", "--vcpu", "1", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "0x83000010 oem, smc from vCPU 1, x1=0x41\n");
	assert_contains(R.out, "condition 1 does not hold: skipped");
	assert_contains(R.out, "decision: handle (the default: no candidate's conditions hold)");
	assert_int_equal(run("policy", "explain", good_pol, "0x83000010", "0x42", NULL),
			 CLI_EXIT_OK);
	assert_contains(R.out, "every condition holds: decides");
	assert_contains(R.out, "decision: forward (rule 4, line 6)");

	/* an ID no rule names; the architecture range */
	assert_int_equal(run("policy", "explain", good_pol, "0x86000000", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "no rule names this function ID");
	assert_int_equal(run("policy", "explain", good_pol, "0x80000000", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Arm Architecture Call");

	assert_int_equal(run("-j", "policy", "explain", good_pol, "0xc2000001", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "{\"func_id\":\"0xc2000001\",");
	assert_contains(R.out, "\"conduit\":\"hvc\",\"vcpu\":0,\"args\":[],\"lookup\":\"exact\","
			"\"tried\":[{\"rule\":3,\"line\":5,");
	assert_contains(R.out, "\"decides\":true}],\"rule\":3,\"line\":5,\"decided\":\"return\"");
	assert_contains(R.out, "\"action\":\"return\",\"over_limit\":false,\"event\":null}\n");

	/* errors */
	assert_int_equal(run("policy", "explain", good_pol, "trng.versoin", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "did you mean trng.version");
	assert_int_equal(run("policy", "explain", good_pol, "0x84000050", "zz", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "explain", bad_pol, "0x84000050", NULL), CLI_EXIT_POLICY);
}

static void test_diff(void **state)
{
	(void)state;
	assert_int_equal(run("policy", "diff", good_pol, good_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, "no decision changes");
	assert_int_equal(run("policy", "diff", good_pol, good2_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, "0x83000010");
	assert_contains(R.out, "-> deny (rule 4, line 6)");
	assert_not_contains(R.out, "0x84000050");
	assert_int_equal(run("-j", "policy", "diff", good_pol, good2_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, "\"mode_changed\":false,\"old_mode\":\"enforce\",\"new_mode\":"
			"\"enforce\",\"discovery_changed\":false,\"old_discovery\":\"keep\","
			"\"new_discovery\":\"keep\",\"changes\":[{\"first\":\"0x83000010\",\"last\":\"0x83000010\","
			"\"function\":\"oem\",\"old_action\":\"conditional\",\"new_action\":\"deny\"");
	assert_int_equal(run("policy", "diff", good_pol, bad_pol, NULL), CLI_EXIT_POLICY);
	assert_int_equal(run("policy", "diff", good_pol, NULL), CLI_EXIT_USAGE);
}

/* ---- policy baseline ---------------------------------------------------------------- */

static void test_baseline(void **state)
{
	char *text, *file;
	const char *path;

	(void)state;
	assert_int_equal(run("policy", "baseline", "5.10", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "\npolicy \"baseline-5.10\";\ndiscovery hide-denied;\ndefault handle;\n");
	assert_contains(R.out, "\ndeny function trng.rnd;");
	assert_contains(R.out, "\nreturn 0x10000 function psci.version;");
	assert_string_equal(R.err, "");
	text = strdup(R.out);
	assert_non_null(text);
	assert_int_equal(run("policy", "baseline", "v5.10", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, text);
	assert_int_equal(run("pol", "base", "linux-5.10", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, text);

	/* -o: the same text in the file, nothing on stdout; it compiles. */
	path = path_in_tmp("b.policy");
	assert_int_equal(run("policy", "baseline", "5.10", "-o", path, NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "");
	file = cli_read_file(path_in_tmp("b.policy"), CLI_MAX_POLICY_FILE, NULL);
	assert_non_null(file);
	assert_string_equal(file, text);
	free(file);
	assert_int_equal(run("policy", "check", path_in_tmp("b.policy"), NULL), CLI_EXIT_OK);
	assert_contains(R.out, "policy \"baseline-5.10\": 10 rules, default handle");
	assert_int_equal(run("policy", "baseline", "6.12", "--output", path_in_tmp("b.policy"),
			     NULL), CLI_EXIT_OK);
	file = cli_read_file(path_in_tmp("b.policy"), CLI_MAX_POLICY_FILE, NULL);
	assert_non_null(file);
	assert_contains(file, "policy \"baseline-6.12\";");
	assert_not_contains(file, "deny");
	free(file);
	free(text);
	assert_int_equal(run("policy", "baseline", "5.15", "-o",
			     path_in_tmp("no-such-dir/b.policy"), NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "cannot write");

	/* Unknown names list the valid ones. */
	assert_int_equal(run("policy", "baseline", "5.11", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "unknown baseline '5.11'; the baselines are 5.10, 5.15, 6.1, 6.6, 6.12");
	assert_int_equal(run("-j", "policy", "baseline", "latest", NULL), CLI_EXIT_USAGE);
	assert_contains(R.out, "\"exit\":2");
	assert_int_equal(run("policy", "baseline", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "baseline", "5.10", "6.1", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "baseline", "list", "-o", "x", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "baseline", "5.10", "--vm", "3", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "baseline", "5.10", "-o", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "baseline", "help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "Usage: smccc-bpf policy baseline NAME [-o FILE]");
	assert_int_equal(run("policy", "baseline", "--help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "NAME: 5.10, 5.15, 6.1, 6.6, 6.12");

	/* JSON */
	assert_int_equal(run("-j", "policy", "baseline", "5.15", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "{\"baseline\":\"5.15\",\"hidden\":[{\"name\":\"psci.system_suspend\","
			"\"ids\":[\"0x8400000e\",\"0xc400000e\"],\"since\":\"5.19\"},{\"name\":"
			"\"psci.system_reset2\",\"ids\":[\"0x84000012\",\"0xc4000012\"],\"since\":"
			"\"5.18\"}],\"psci_version\":\"0x10000\",\"file\":null,\"policy\":\"# Generated");
	assert_contains(R.out, "\\npolicy \\\"baseline-5.15\\\";\\n");

	/* The table */
	assert_int_equal(run("policy", "baseline", "list", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "FUNCTION                 IDS                    SINCE  "
			"5.10  5.15  6.1   6.6   6.12\n");
	assert_contains(R.out, "\ntrng.rnd                 0x84000053,0xc4000053  5.12   "
			"-     yes   yes   yes   yes\n");
	assert_contains(R.out, "\nsmccc.arch_workaround_3  0x80003fff             5.17   "
			"arch  arch  arch  arch  arch\n");
	assert_contains(R.out, "\n  5.15  psci.system_suspend, psci.system_reset2; PSCI_VERSION 1.0\n");
	assert_contains(R.out, "\n  6.6   nothing\n");
	text = strdup(R.out);
	assert_non_null(text);
	assert_int_equal(run("policy", "baseline", "--list", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, text);
	free(text);
	assert_int_equal(run("-j", "policy", "baseline", "list", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "{\"latest\":\"6.12\",\"functions\":[{\"name\":\"smccc.version\","
			"\"ids\":[\"0x80000000\"],\"since\":\"4.16\",\"arch\":true,");
	assert_contains(R.out, "{\"name\":\"kvm.ptp\",\"ids\":[\"0x86000001\"],\"since\":\"5.13\","
			"\"arch\":false,\"commit\":\"KVM: arm64: Add support for the KVM PTP service\","
			"\"file\":\"arch/arm64/kvm/hypercalls.c\",\"note\":null,\"offered_in\":"
			"[\"5.15\",\"6.1\",\"6.6\",\"6.12\"]}");
	assert_contains(R.out, "{\"name\":\"6.1\",\"psci_version\":\"0x10001\",");
}

/* ---- commands over pins, on a host without any -------------------------------------- */

static void test_no_pins(void **state)
{
	(void)state;
	assert_int_equal(run("policy", "show", NULL), CLI_EXIT_OK);
	assert_contains(R.err, "no policies attached by smccc-bpf");
	assert_int_equal(run("-j", "policy", "show", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "[]\n");
	assert_int_equal(run("policy", "show", "--vm", "4", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "no policy attached to VM 4 by smccc-bpf");
	assert_int_equal(run("-j", "stats", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "{\"policies\":[],\"entries\":[]}\n");
	assert_int_equal(run("events", "--timeout", "0", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "no attached policy with an events ring buffer");
	assert_int_equal(run("-j", "events", "--vm", "3", NULL), CLI_EXIT_NOENT);
	assert_contains(R.out, "\"exit\":4}");
	/* the pin root is not on bpffs */
	assert_int_equal(run("policy", "detach", "--vm", "4", NULL), CLI_EXIT_SYSTEM);
	assert_contains(R.err, "is not on a BPF filesystem");
	assert_contains(R.err, "hint: mount it: mount -t bpf bpf /sys/fs/bpf");
}

static void test_wrong_kernel(void **state)
{
	char fake[4200];

	(void)state;
	/* no kernel BTF at all */
	setenv("SMCCC_BPF_VMLINUX_BTF", path_in_tmp("no-btf"), 1);
	assert_int_equal(run("policy", "attach", "--vm", "1", good_pol, NULL), CLI_EXIT_SYSTEM);
	assert_contains(R.err, "cannot read the kernel's BTF");
	/* a BTF without kvm_smccc_ops: this x86_64 host's own, if it has one */
	if (!access("/sys/kernel/btf/vmlinux", R_OK)) {
		setenv("SMCCC_BPF_VMLINUX_BTF", "/sys/kernel/btf/vmlinux", 1);
		assert_int_equal(run("policy", "replace", "--global", good_pol, NULL),
				 CLI_EXIT_SYSTEM);
		assert_contains(R.err, "this kernel lacks the smccc-bpf patches (no kvm_smccc_ops");
		assert_int_equal(run("-j", "policy", "attach", "--vm", "2", good_pol, NULL),
				 CLI_EXIT_SYSTEM);
		assert_contains(R.out, "{\"error\":\"this kernel lacks the smccc-bpf patches");
	}
	snprintf(fake, sizeof(fake), "%s", path_in_tmp("not-btf"));
	write_file(fake, "not BTF");
	setenv("SMCCC_BPF_VMLINUX_BTF", fake, 1);
	assert_int_equal(run("policy", "attach", "--vm", "1", good_pol, NULL), CLI_EXIT_SYSTEM);
	unsetenv("SMCCC_BPF_VMLINUX_BTF");
}

/* ---- inputs: bounded, and what they are ------------------------------------------------- */

/* cli_read_file() reads at most max bytes, and refuses devices, directories, more. */
static void test_read_file(void **state)
{
	char *text;
	size_t len = 0;
	int saved, err;

	(void)state;
	write_file(path_in_tmp("ten"), "0123456789");
	text = cli_read_file(path_in_tmp("ten"), 10, &len);
	assert_non_null(text);
	assert_int_equal(len, 10);
	assert_string_equal(text, "0123456789");
	free(text);
	errno = 0;
	assert_null(cli_read_file(path_in_tmp("ten"), 9, &len));
	assert_int_equal(errno, EFBIG);
	assert_null(cli_read_file("/dev/zero", 4096, &len));
	assert_int_equal(errno, ENODEV);
	assert_null(cli_read_file(tmpdir, 4096, &len));
	assert_int_equal(errno, EISDIR);
	assert_null(cli_read_file(path_in_tmp("none"), 4096, &len));
	assert_int_equal(errno, ENOENT);

	/* "-" may be anything, read bounded: here /dev/zero (stdin restored before asserting) */
	saved = dup(0);
	assert_true(saved >= 0);
	assert_int_equal(dup2(open("/dev/zero", O_RDONLY), 0), 0);
	text = cli_read_file("-", 100000, &len);
	err = errno;
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_null(text);
	assert_int_equal(err, EFBIG);
}

/* A child that writes n bytes of comment lines into the FIFO path, then exits. */
static pid_t fifo_writer(const char *path, size_t n)
{
	static const char chunk[] = "# a policy comment, again and again, to fill the pipe\n";
	pid_t pid = fork();
	size_t done = 0;
	int fd;

	assert_true(pid >= 0);
	if (pid)
		return pid;
	signal(SIGPIPE, SIG_IGN);	/* the reader stops early: EPIPE ends the loop */
	fd = open(path, O_WRONLY);
	while (fd >= 0 && done < n) {
		ssize_t w = write(fd, chunk, sizeof(chunk) - 1);

		if (w <= 0)
			break;
		done += w;
	}
	_exit(0);
}

/* Runs "smccc-bpf ARGS" while a writer feeds path (a FIFO) more than limit bytes. */
static int run_fed(const char *path, size_t limit, const char *a0, const char *a1,
		   const char *a2, const char *a3)
{
	pid_t pid;
	int st;

	assert_int_equal(mkfifo(path, 0600), 0);
	pid = fifo_writer(path, limit + 1000000);
	run(a0, a1, a2, a3, NULL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	unlink(path);
	return R.rc;
}

/*
 * No input is read without bound: a device is refused by name, a FIFO or
 * standard input is read up to the limit and refused past it, a regular
 * file over the limit is refused by its size. Each message says which
 * file, its limit and what to do.
 */
static void test_input_limits(void **state)
{
	char *msg;
	int fd, saved;

	(void)state;
	assert_int_equal(run("policy", "check", "/dev/zero", NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "error: cannot read policy file /dev/zero: it is a character "
			"device, not a file\n");
	assert_contains(R.err, "hint: give a file; '-' reads standard input");

	assert_int_equal(run_fed(path_in_tmp("fifo"), CLI_MAX_POLICY_FILE, "policy", "check",
				 path_in_tmp("fifo"), NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "fifo: larger than 16 MiB, the limit of a policy file\n");
	assert_contains(R.err, "hint: is it the policy file you meant? smccc-bpf reads at most "
			"16 MiB of one (smccc-bpf(8), LIMITS)");
	/* the same FIFO, a little: a policy ("policy check <(generate)") */
	assert_int_equal(mkfifo(path_in_tmp("fifo"), 0600), 0);
	if (!fork()) {
		fd = open(path_in_tmp("fifo"), O_WRONLY);
		if (write(fd, "deny service trng;\n", 19) != 19)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(run("policy", "check", path_in_tmp("fifo"), NULL), CLI_EXIT_OK);
	wait(NULL);
	unlink(path_in_tmp("fifo"));

	/* a regular file over the limit: refused by its size, not read (sparse) */
	fd = open(path_in_tmp("big.pol"), O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, CLI_MAX_POLICY_FILE + 1), 0);
	close(fd);
	assert_int_equal(run("policy", "check", path_in_tmp("big.pol"), NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "big.pol: larger than 16 MiB, the limit of a policy file");
	assert_int_equal(run("policy", "diff", good_pol, path_in_tmp("big.pol"), NULL),
			 CLI_EXIT_ERROR);
	assert_int_equal(run("-j", "policy", "explain", path_in_tmp("big.pol"), "0x1", NULL),
			 CLI_EXIT_ERROR);
	msg = json_error_msg(R.out);
	assert_contains(msg, "larger than 16 MiB");
	free(msg);
	unlink(path_in_tmp("big.pol"));

	/* standard input: bounded too */
	saved = dup(0);
	assert_int_equal(dup2(open("/dev/zero", O_RDONLY), 0), 0);
	run("policy", "check", "-", NULL);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	assert_int_equal(R.rc, CLI_EXIT_ERROR);
	assert_contains(R.err, "cannot read policy file standard input: larger than 16 MiB");

	assert_int_equal(run("policy", "check", tmpdir, NULL), CLI_EXIT_ERROR);
	assert_contains(R.err, "Is a directory");
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* An ELF header (64 bytes, the rest zero) for e_machine. */
static void write_elf(const char *path, unsigned int machine)
{
	unsigned char h[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	h[16] = 1;			/* ET_REL */
	h[18] = machine & 0xff;		/* little endian (EI_DATA 1) */
	h[19] = machine >> 8;
	write_bytes(path, h, sizeof(h));
}

/*
 * A binary file given for policy text gets one line saying what it is,
 * not a diagnostic per stray byte; a BPF object, where to use it.
 */
static void test_binary_input(void **state)
{
	unsigned char junk[600];
	char *msg;
	size_t i;

	(void)state;
	write_elf(path_in_tmp("prog.bpf.o"), 247);	/* EM_BPF */
	assert_int_equal(run("policy", "check", path_in_tmp("prog.bpf.o"), NULL), CLI_EXIT_POLICY);
	assert_contains(R.err, "prog.bpf.o is an ELF BPF object, not policy text\n");
	assert_contains(R.err, "hint: a compiled policy is attached as it is: 'smccc-bpf policy "
			"attach (--vm ID | --pid PID | --global) FILE', or 'bpftool struct_ops "
			"register FILE'");
	assert_int_equal(count_lines(R.err), 2);
	assert_string_equal(R.out, "");
	assert_int_equal(run("-j", "policy", "check", path_in_tmp("prog.bpf.o"), NULL),
			 CLI_EXIT_POLICY);
	msg = json_error_msg(R.out);
	assert_contains(msg, "is an ELF BPF object, not policy text");
	free(msg);
	assert_string_equal(R.err, "");

	write_elf(path_in_tmp("tool"), 62);		/* EM_X86_64 */
	assert_int_equal(run("policy", "explain", path_in_tmp("tool"), "0x1", NULL),
			 CLI_EXIT_POLICY);
	assert_contains(R.err, "tool is an ELF file of another machine than BPF");
	assert_int_equal(count_lines(R.err), 2);

	write_bytes(path_in_tmp("nul.pol"), "deny service trng;\n\0\0\0", 22);
	assert_int_equal(run("policy", "diff", good_pol, path_in_tmp("nul.pol"), NULL),
			 CLI_EXIT_POLICY);
	assert_contains(R.err, "nul.pol is binary data (it holds NUL bytes), not policy text");
	assert_int_equal(count_lines(R.err), 2);

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0x80 + (i * 37) % 0x7f;	/* no NUL, no UTF-8 */
	write_bytes(path_in_tmp("junk.pol"), junk, sizeof(junk));
	assert_int_equal(run("policy", "check", path_in_tmp("junk.pol"), NULL), CLI_EXIT_POLICY);
	assert_contains(R.err, "junk.pol is binary data (mostly bytes that are not text)");
	assert_int_equal(count_lines(R.err), 2);

	write_bytes(path_in_tmp("utf16.pol"), "\xff\xfe" "d\0e\0n\0y\0", 10);
	assert_int_equal(run("policy", "check", path_in_tmp("utf16.pol"), NULL), CLI_EXIT_POLICY);
	assert_contains(R.err, "utf16.pol is UTF-16 text (save it as UTF-8), not policy text");
	assert_int_equal(count_lines(R.err), 2);

	/* a few stray bytes in text are the compiler's to point at */
	write_file(path_in_tmp("typo.pol"), "policy \"x\";\ndeny service trng;\n# caf\xe9\n");
	assert_int_equal(run("policy", "check", path_in_tmp("typo.pol"), NULL), CLI_EXIT_OK);
}

/* ---- help, wherever it is asked for ------------------------------------------------------ */

static void expect_usage(const char *obj, const char *cmd, const char *how)
{
	char want[128];

	if (R.rc != CLI_EXIT_OK)
		fail_msg("'%s %s' %s: exit %d\n%s%s", obj, cmd, how, R.rc, R.out, R.err);
	snprintf(want, sizeof(want), "Usage: smccc-bpf %s %s", obj, cmd);
	assert_contains(R.out, want);
	assert_string_equal(R.err, "");
}

/*
 * Every command of every object (the CLI's own table) answers --help and
 * -h with its usage and exit 0: alone, after other arguments, before bad
 * ones, with -j; so do "OBJECT help" and "help OBJECT COMMAND". After
 * "--", -h is an argument.
 */
static void test_help_everywhere(void **state)
{
	const struct cli_object *o;
	const struct cli_cmd *c;
	size_t i, cmds = 0;

	(void)state;
	for (i = 0; i < cli_nr_objects; i++) {
		o = cli_objects[i];
		run(o->name, "help", NULL);
		assert_int_equal(R.rc, CLI_EXIT_OK);
		assert_contains(R.out, "Usage:");
		for (c = o->cmds; c->name; c++, cmds++) {
			run(o->name, c->name, "--help", NULL);
			expect_usage(o->name, c->name, "--help");
			run(o->name, c->name, "-h", NULL);
			expect_usage(o->name, c->name, "-h");
			run(o->name, c->name, "--vm", "3", good_pol, "--help", NULL);
			expect_usage(o->name, c->name, "after arguments");
			run(o->name, c->name, "-h", "--frob", "--vm", "x", NULL);
			expect_usage(o->name, c->name, "before bad arguments");
			run("-j", o->name, c->name, "--help", NULL);
			expect_usage(o->name, c->name, "with -j");
			run(o->name, c->name, "-j", "-h", NULL);
			expect_usage(o->name, c->name, "-j after the command");
			run("help", o->name, c->name, NULL);
			expect_usage(o->name, c->name, "help OBJECT COMMAND");
		}
		if (o->default_cmd) {
			/* "stats --vm 3 --help": the default command's */
			run(o->name, "--vm", "3", "--help", NULL);
			expect_usage(o->name, o->default_cmd, "default command");
		}
	}
	assert_true(cmds >= 12);
	assert_int_equal(run("policy", "check", "--", "-h", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "cannot read policy file -h");
	/* a command's own help says more than its line */
	assert_int_equal(run("policy", "explain", "--help", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "which rule decides a call, and why.");
	assert_contains(R.out, "ID is a function ID (0x84000000)");
}

/* ---- -j: JSON, whatever happens ------------------------------------------------------------ */

static void expect_json_error(const char *part)
{
	char *msg = json_error_msg(R.out);

	assert_contains(msg, part);
	free(msg);
	assert_string_equal(R.err, "");
}

/* With -j anywhere, the global option parser's errors are the CLI's JSON error objects. */
static void test_json_global_errors(void **state)
{
	(void)state;
	assert_int_equal(run("-j", "--bogus", "vm", "list", NULL), CLI_EXIT_USAGE);
	expect_json_error("unknown option '--bogus'");
	assert_contains(R.out, "\"hint\":\"see 'smccc-bpf help'\",\"exit\":2}\n");
	assert_int_equal(run("--bogus", "-j", "vm", "list", NULL), CLI_EXIT_USAGE);
	expect_json_error("unknown option '--bogus'");
	assert_int_equal(run("-jx", "vm", NULL), CLI_EXIT_USAGE);
	expect_json_error("unknown option '-x'");
	assert_int_equal(run("-xj", "vm", NULL), CLI_EXIT_USAGE);
	expect_json_error("unknown option '-x'");
	assert_int_equal(run("-j", "--json=1", "vm", NULL), CLI_EXIT_USAGE);
	expect_json_error("'--json' takes no value");
	assert_int_equal(run("-j", NULL), CLI_EXIT_USAGE);
	expect_json_error("no OBJECT given");
	assert_int_equal(run("-j", "frobnicate", NULL), CLI_EXIT_USAGE);
	expect_json_error("unknown object 'frobnicate'");
	assert_int_equal(run("-j", "policy", "frobnicate", NULL), CLI_EXIT_USAGE);
	expect_json_error("unknown command 'policy frobnicate'");
	assert_int_equal(run("-j", "policy", NULL), CLI_EXIT_USAGE);
	expect_json_error("'policy' needs a command");
	/* -j after OBJECT COMMAND: the output and the errors are JSON */
	assert_int_equal(run("vm", "list", "-j", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "[]\n");
	assert_int_equal(run("policy", "check", "-j", NULL), CLI_EXIT_USAGE);
	expect_json_error("'policy check' takes one FILE");
	assert_int_equal(run("policy", "check", good_pol, "--pretty", NULL), CLI_EXIT_OK);
	assert_int_equal(json_values(R.out, true), 1);
	assert_contains(R.out, "{\n  \"file\": ");
	/* without -j: text, as before */
	assert_int_equal(run("--bogus", "vm", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "Usage:");
	assert_contains(R.err, "smccc-bpf: error: unknown option '--bogus'\n");
	assert_string_equal(R.out, "");
}

/*
 * Names and paths with bytes that are not UTF-8, control characters, and
 * a message cut at its buffer's end in the middle of a character: the
 * output is still JSON that the strict reader takes.
 */
static void test_json_untrusted_bytes(void **state)
{
	char path[4200], name[1400];
	struct json_value *v;
	struct json_error e;
	size_t i, k;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad\xff\xc3 \x1b[2J.pol", tmpdir);
	write_file(path, "policy \"n\xfe\x01\xc2\x85\";\ndeny service trng;\n");
	assert_int_equal(run("-j", "policy", "check", path, NULL), CLI_EXIT_OK);
	assert_int_equal(json_parse(R.out, strlen(R.out), &v, &e), 0);
	assert_string_equal(json_get(v, "name")->str, "n\xef\xbf\xbd\x01\xc2\x85");
	assert_non_null(strstr(json_get(v, "file")->str, "/bad\xef\xbf\xbd\xef\xbf\xbd \x1b[2J.pol"));
	json_free(v);
	assert_contains(R.out, "\\u001b[2J");
	assert_contains(R.out, "\\u0085");

	/* 600 two-byte characters: the message is cut at 1023 bytes, at one parity or the other */
	for (k = 0; k < 2; k++) {
		memset(name, 0, sizeof(name));
		for (i = 0; i < k; i++)
			name[i] = 'a';
		for (i = 0; i < 600; i++)
			memcpy(name + k + 2 * i, "\xc3\xa9", 2);
		snprintf(path, sizeof(path), "%s/%s/x.pol", tmpdir, name);
		assert_int_equal(run("-j", "policy", "check", path, NULL), CLI_EXIT_ERROR);
		assert_int_equal(json_values(R.out, false), 1);
		assert_int_equal(run("policy", "check", path, NULL), CLI_EXIT_ERROR);
		assert_not_contains(R.err, "\\xc3");	/* not cut in half, so nothing to escape */
	}
}

/*
 * Text output prints names and paths from files, pins, the kernel and
 * the command line with their control characters escaped: a file or a
 * policy name cannot clear the screen, set the title or reorder a line.
 */
static void test_text_escapes(void **state)
{
	char path[4200], want[4400];

	(void)state;
	snprintf(path, sizeof(path), "%s/evil\x1b[2J\x07\r.pol", tmpdir);
	write_file(path, "policy \"\x1b]0;pwned\x07\xc2\x9b\xe2\x80\xaex\x7f\";\n"
		   "deny service trng;\n");
	assert_int_equal(run("policy", "check", path, NULL), CLI_EXIT_OK);
	assert_terminal_safe(R.out, false);
	snprintf(want, sizeof(want), "%s/evil\\x1b[2J\\x07\\r.pol: OK: policy "
		 "\"\\x1b]0;pwned\\x07\\xc2\\x9b\\u202ex\\x7f\": 1 rule", tmpdir);
	assert_contains(R.out, want);

	/* in messages: a missing file, and the compiler's quote of a source line */
	snprintf(path, sizeof(path), "%s/gone\x1b[31m.pol", tmpdir);
	assert_int_equal(run("policy", "check", path, NULL), CLI_EXIT_NOENT);
	assert_terminal_safe(R.err, false);
	assert_contains(R.err, "gone\\x1b[31m.pol");
	snprintf(path, sizeof(path), "%s/esc-src.pol", tmpdir);
	write_file(path, "deny service tr\x1b[8mng;\n");
	assert_int_equal(run("policy", "check", path, NULL), CLI_EXIT_POLICY);
	assert_terminal_safe(R.err, true);
	assert_contains(R.err, "tr\\x1b[8mng");

	/* the helper itself */
	assert_string_equal(cli_esc("a\tb\nc\xff\xc3\xa9\xe2\x81\xa6"),
			    "a\\tb\\nc\\xff\xc3\xa9\\u2066");
	assert_string_equal(cli_esc(NULL), "(null)");
}

/* ---- output formats ------------------------------------------------------------------- */

static char *jw_output(void (*fn)(struct json_writer *jw), bool pretty)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct json_writer *jw = jw_new(f, pretty);

	fn(jw);
	jw_destroy(jw);
	fclose(f);
	return buf;
}

static void jw_sample(struct json_writer *jw)
{
	jw_start_object(jw);
	jw_string_field(jw, "s", "a\"b\\c\n\t\x01\x7f é");
	jw_uint_field(jw, "u", UINT64_MAX);
	jw_int_field(jw, "i", -5);
	jw_hex_field(jw, "h", 0xc4000003);
	jw_bool_field(jw, "t", true);
	jw_null_field(jw, "n");
	jw_string_field(jw, "null", NULL);
	jw_name(jw, "a");
	jw_start_array(jw);
	jw_uint(jw, 1);
	jw_start_object(jw);
	jw_end_object(jw);
	jw_start_array(jw);
	jw_end_array(jw);
	jw_printf(jw, "%d-%s", 7, "x");
	jw_end_array(jw);
	jw_end_object(jw);
	jw_end_value(jw);
	jw_start_array(jw);
	jw_end_array(jw);
	jw_end_value(jw);
}

static void test_json_writer(void **state)
{
	char *s;

	(void)state;
	s = jw_output(jw_sample, false);
	assert_string_equal(s,
		"{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f é\",\"u\":18446744073709551615,"
		"\"i\":-5,\"h\":\"0xc4000003\",\"t\":true,\"n\":null,\"null\":null,"
		"\"a\":[1,{},[],\"7-x\"]}\n[]\n");
	free(s);
	s = jw_output(jw_sample, true);
	assert_string_equal(s,
		"{\n"
		"  \"s\": \"a\\\"b\\\\c\\n\\t\\u0001\\u007f é\",\n"
		"  \"u\": 18446744073709551615,\n"
		"  \"i\": -5,\n"
		"  \"h\": \"0xc4000003\",\n"
		"  \"t\": true,\n"
		"  \"n\": null,\n"
		"  \"null\": null,\n"
		"  \"a\": [\n"
		"    1,\n"
		"    {},\n"
		"    [],\n"
		"    \"7-x\"\n"
		"  ]\n"
		"}\n"
		"[]\n");
	free(s);
}

static void test_pretty_command(void **state)
{
	(void)state;
	assert_int_equal(run("-p", "policy", "check", good_pol, NULL), CLI_EXIT_OK);
	assert_contains(R.out, "{\n  \"file\": \"");
	assert_contains(R.out, "  \"ok\": true,\n  \"errors\": 0,\n");
	assert_contains(R.out, "  \"mode\": \"enforce\",\n  \"discovery\": \"keep\"\n}\n");
}

static void test_stats_format(void **state)
{
	struct cli_stat_row rows[3] = {
		{ .vm_id = 5, .func_id = 0x84000050, .action = SMCCC_BPF_ACT_DENY, .calls = 2,
		  .policy = "vm-5" },
		{ .vm_id = 2, .func_id = 0xc2000001, .action = SMCCC_BPF_ACT_RETURN, .calls = 10,
		  .policy = "global" },
		{ .vm_id = 5, .func_id = 0x84000000, .action = SMCCC_BPF_ACT_HANDLE, .calls = 1,
		  .policy = "vm-5" },
	};
	char *ob = NULL, *eb = NULL;
	FILE *out, *err;
	struct cli c;

	(void)state;
	cli_stats_sort(rows, 3);
	assert_int_equal(rows[0].vm_id, 2);
	assert_int_equal(rows[1].func_id, 0x84000000);
	assert_int_equal(rows[2].func_id, 0x84000050);

	c = test_cli_ctx(&out, &err, &ob, &eb);
	cli_stats_print(&c, rows, 3);
	fclose(out);
	assert_string_equal(ob,
		"VM     FUNC_ID    FUNCTION                 ACTION          CALLS  POLICY\n"
		"2      0xc2000001 sip                      return             10  global\n"
		"5      0x84000000 psci.version             handle              1  vm-5\n"
		"5      0x84000050 trng.version             deny                2  vm-5\n");
	free(ob);
	ob = NULL;

	out = open_memstream(&ob, &(size_t){ 0 });
	c.out = out;
	c.json = true;
	c.jw = jw_new(out, false);
	jw_start_object(c.jw);
	cli_stats_print(&c, rows, 1);
	jw_end_object(c.jw);
	jw_destroy(c.jw);
	fclose(out);
	fclose(err);
	assert_string_equal(ob, "{\"entries\":[{\"vm_id\":2,\"func_id\":\"0xc2000001\","
			    "\"function\":\"sip\",\"action\":\"return\",\"calls\":10,"
			    "\"policy\":\"global\"}]}");
	free(ob);
	free(eb);
}

static void test_event_format(void **state)
{
	struct smccc_policy_event e = {
		.time_ns = 5000001000ull,	/* + offset below: 1970-01-01 00:01:05.000001 */
		.vm_id = 3,
		.vcpu_id = 1,
		.func_id = 0x84000050,
		.conduit = SMCCC_BPF_CONDUIT_SMC,
		.rule = 2,
		.action = SMCCC_BPF_ACT_HANDLE,
		.decided = SMCCC_BPF_ACT_DENY,
		.reason = SMCCC_POLICY_EV_PERMISSIVE,
		.args = { 0x11, 0x22, 0xffffffffffffffffull },
	};
	char *ob = NULL, *eb = NULL;
	FILE *out, *err;
	struct cli c;

	(void)state;
	c = test_cli_ctx(&out, &err, &ob, &eb);
	cli_event_print(&c, &e, 60000000000ll, "vm-3");
	e.decided = SMCCC_POLICY_ACT_LOG;
	e.reason = SMCCC_POLICY_EV_LOG;
	e.rule = 0;
	cli_event_print(&c, &e, 60000000000ll, "vm-3");
	fclose(out);
	assert_string_equal(ob,
		"00:01:05.000001 vm 3 vcpu 1 smc 0x84000050 trng.version x1=0x11 x2=0x22 "
		"x3=0xffffffffffffffff handle (decided deny) rule 2 reason permissive\n"
		"00:01:05.000001 vm 3 vcpu 1 smc 0x84000050 trng.version x1=0x11 x2=0x22 "
		"x3=0xffffffffffffffff log rule default reason log\n");
	free(ob);
	ob = NULL;

	out = open_memstream(&ob, &(size_t){ 0 });
	c.out = out;
	c.json = true;
	c.jw = jw_new(out, false);
	e.decided = SMCCC_BPF_ACT_DENY;
	e.action = SMCCC_BPF_ACT_DENY;
	e.reason = SMCCC_POLICY_EV_DENY;
	e.rule = 2;
	cli_event_print(&c, &e, 60000000000ll, "global");
	jw_destroy(c.jw);
	fclose(out);
	fclose(err);
	assert_string_equal(ob,
		"{\"time\":\"1970-01-01T00:01:05.000001\",\"ktime_ns\":5000001000,\"vm_id\":3,"
		"\"vcpu\":1,\"conduit\":\"smc\",\"imm\":0,\"func_id\":\"0x84000050\","
		"\"function\":\"trng.version\",\"args\":[\"0x11\",\"0x22\",\"0xffffffffffffffff\"],"
		"\"action\":\"deny\",\"decided\":\"deny\",\"rule\":2,\"reason\":\"deny\","
		"\"policy\":\"global\"}\n");
	free(ob);
	free(eb);
}

static void test_sha256(void **state)
{
	uint8_t d[CLI_SHA256_LEN];
	char hex[2 * CLI_SHA256_LEN + 1];
	char *big;

	(void)state;
	cli_sha256("", 0, d);
	cli_hex(d, sizeof(d), hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	cli_sha256("abc", 3, d);
	cli_hex(d, sizeof(d), hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	cli_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	cli_hex(d, sizeof(d), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	big = malloc(1000000);
	assert_non_null(big);
	memset(big, 'a', 1000000);
	cli_sha256(big, 1000000, d);
	cli_hex(d, sizeof(d), hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_object_help),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_parse_args),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_id_arguments),
		cmocka_unit_test(test_explain_values),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_input_limits),
		cmocka_unit_test(test_binary_input),
		cmocka_unit_test(test_help_everywhere),
		cmocka_unit_test(test_json_global_errors),
		cmocka_unit_test(test_json_untrusted_bytes),
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_baseline),
		cmocka_unit_test(test_no_pins),
		cmocka_unit_test(test_wrong_kernel),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_pretty_command),
		cmocka_unit_test(test_stats_format),
		cmocka_unit_test(test_event_format),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests_name("smccc-bpf CLI", tests, setup_all, teardown_all);
}
