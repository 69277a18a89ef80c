// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf: attach, replace, inspect and follow SMCCC policies of KVM/arm64
 * guests, in the manner of bpftool.
 *
 *   smccc-bpf [-j|--json] [-p|--pretty] [-d|--debug] OBJECT COMMAND [ARGS]
 *
 * This file only parses the global options and dispatches to the command
 * tables of the objects (cli_vm.c, cli_policy.c, cli_stats.c,
 * cli_events.c); see docs/smccc-bpf.8.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "smccc_bpf.h"

const struct cli_object *const cli_objects[] = {
	&cli_vm_object,
	&cli_policy_object,
	&cli_stats_object,
	&cli_events_object,
};
const size_t cli_nr_objects = ARRAY_SIZE(cli_objects);

static void usage(const struct cli *cli, FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"       %s OBJECT help\n"
		"       %s help\n"
		"\n"
		"Attach, replace, inspect and follow the BPF policies that decide the SMCCC\n"
		"calls (PSCI, TRNG, vendor hypervisor services, SiP, OEM...) of KVM/arm64 VMs.\n"
		"\n"
		"Objects:\n", cli->prog, cli->prog, cli->prog);
	for (i = 0; i < cli_nr_objects; i++)
		fprintf(f, "  %-8s %s\n", cli_objects[i]->name, cli_objects[i]->summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json     JSON output (errors too: {\"error\": ...})\n"
		"  -p, --pretty   pretty-printed JSON (implies -j)\n"
		"  -d, --debug    libbpf's debug output, whole verifier logs\n"
		"  -h, --help     this help ('OBJECT COMMAND --help': the command's)\n"
		"  -V, --version  version\n"
		"-j, -p and -d may also follow OBJECT COMMAND.\n"
		"\n"
		"Exit codes:\n"
		"  0  success\n"
		"  1  error not listed below\n"
		"  2  bad command line\n"
		"  3  the policy does not compile (policy check/attach/replace)\n"
		"  4  no such VM, no policy attached, no such file\n"
		"  5  a policy is already attached (use 'policy replace')\n"
		"  6  not privileged: loading needs CAP_BPF and CAP_PERFMON, a VM's fd the\n"
		"     right to ptrace its VMM, the host-wide default CAP_SYS_ADMIN\n"
		"  7  kernel without the smccc-bpf patches, bpffs or /proc not mounted\n"
		"  8  the BPF verifier rejected the program\n"
		"  9  not supported for this policy (policy export of a BPF object)\n"
		"\n"
		"Policies are pinned under %s/vm-ID or .../global and outlive this\n"
		"program. See smccc-bpf(8).\n", SMCCC_BPF_PIN_DIR);
}

static int version(struct cli *cli)
{
	if (cli->json) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "version", SMCCC_BPF_CLI_VERSION);
		jw_string_field(cli->jw, "libbpf_version", libbpf_version_string());
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
	} else {
		fprintf(cli->out, "%s %s\nlibbpf %s\n", cli->prog, SMCCC_BPF_CLI_VERSION,
			libbpf_version_string());
	}
	return CLI_EXIT_OK;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "help") || !strcmp(s, "-h") || !strcmp(s, "--help");
}

/* Exact name, else an unambiguous prefix (bpftool style: "pol sh"). */
#define LOOKUP(arr, n, name, field, out)				\
	do {								\
		size_t __i, __hits = 0;					\
		(out) = NULL;						\
		for (__i = 0; __i < (n); __i++)				\
			if (!strcmp((arr)[__i]field, (name))) {		\
				(out) = &(arr)[__i];			\
				__hits = 1;				\
				break;					\
			}						\
		if (!(out))						\
			for (__i = 0; __i < (n); __i++)			\
				if (!strncmp((arr)[__i]field, (name), strlen(name))) { \
					(out) = &(arr)[__i];		\
					__hits++;			\
				}					\
		if (__hits != 1)					\
			(out) = NULL;					\
	} while (0)

static const struct cli_object *find_object(const char *name)
{
	const struct cli_object *const *o;

	LOOKUP(cli_objects, cli_nr_objects, name, ->name, o);
	return o ? *o : NULL;
}

static const struct cli_cmd *find_cmd(const struct cli_object *obj, const char *name)
{
	const struct cli_cmd *c;
	size_t n = 0;

	while (obj->cmds[n].name)
		n++;
	LOOKUP(obj->cmds, n, name, .name, c);
	return c;
}

/* -h or --help among a command's arguments (argv[0] is the command), before "--". */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return true;
	return false;
}

/* Usage to stderr before a usage error; with -j the error's JSON is all there is. */
static void usage_error_text(const struct cli *cli, const struct cli_object *obj)
{
	if (cli->json)
		return;
	if (obj)
		cli_object_usage(cli, obj, cli->err);
	else
		usage(cli, cli->err);
}

/* Runs cmd (argv[0] stands for it), or prints its help if its arguments ask for it. */
static int run_cmd(struct cli *cli, const struct cli_object *obj, const struct cli_cmd *cmd,
		   int argc, char **argv)
{
	if (wants_help(argc, argv)) {
		cli_cmd_usage(cli, obj, cmd, cli->out);
		return CLI_EXIT_OK;
	}
	return cmd->fn(cli, argc, argv);
}

/* "help", "help OBJECT", "help OBJECT COMMAND". */
static int help(struct cli *cli, int argc, char **argv)
{
	const struct cli_object *obj = argc > 1 ? find_object(argv[1]) : NULL;
	const struct cli_cmd *cmd = obj && argc > 2 ? find_cmd(obj, argv[2]) : NULL;

	if (cmd)
		cli_cmd_usage(cli, obj, cmd, cli->out);
	else if (obj)
		cli_object_usage(cli, obj, cli->out);
	else
		usage(cli, cli->out);
	return CLI_EXIT_OK;
}

static int dispatch(struct cli *cli, int argc, char **argv)
{
	const struct cli_object *obj;
	const struct cli_cmd *cmd;
	const char *cname;

	if (argc < 1) {
		usage_error_text(cli, NULL);
		return cli_usage_error(cli, NULL, "no OBJECT given (vm, policy, stats or events)");
	}
	if (is_help(argv[0]))
		return help(cli, argc, argv);
	obj = find_object(argv[0]);
	if (!obj) {
		usage_error_text(cli, NULL);
		return cli_usage_error(cli, NULL, "unknown object '%s'", argv[0]);
	}
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && is_help(argv[1])) {
			cli_object_usage(cli, obj, cli->out);
			return CLI_EXIT_OK;
		}
		if (!obj->default_cmd) {
			usage_error_text(cli, obj);
			return cli_usage_error(cli, obj->name, "'%s' needs a command", obj->name);
		}
		/* "stats --vm 3": the default command with these arguments. */
		cmd = find_cmd(obj, obj->default_cmd);
		return run_cmd(cli, obj, cmd, argc, argv);	/* argv[0] stands for the command */
	}
	cname = argv[1];
	if (is_help(cname)) {
		cli_object_usage(cli, obj, cli->out);
		return CLI_EXIT_OK;
	}
	cmd = find_cmd(obj, cname);
	if (!cmd) {
		usage_error_text(cli, obj);
		return cli_usage_error(cli, obj->name, "unknown command '%s %s'", obj->name, cname);
	}
	return run_cmd(cli, obj, cmd, argc - 1, argv + 1);
}

/* A global option that may also follow OBJECT COMMAND, as a whole word; false if arg is none. */
static bool global_word(struct cli *cli, const char *arg)
{
	if (!strcmp(arg, "-j") || !strcmp(arg, "--json"))
		cli->json = true;
	else if (!strcmp(arg, "-p") || !strcmp(arg, "--pretty"))
		cli->json = cli->pretty = true;
	else if (!strcmp(arg, "-d") || !strcmp(arg, "--debug"))
		cli->debug = true;
	else
		return false;
	return true;
}

/*
 * Takes -j, -p and -d out of argv[from..argc) (up to "--"), so that
 * "smccc-bpf vm list -j" is JSON, its errors included. Returns the new argc.
 */
static int take_global_words(struct cli *cli, int argc, char **argv, int from)
{
	int i, j;

	for (i = j = from; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!global_word(cli, argv[i]))
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	return j;
}

struct global_opts {
	bool version, help;
	char bad[256];		/* the first option refused, "" if none */
};

/* What getopt refused at argv[at]: "unknown option '-x'", "'--json' takes no value". */
static void option_error(struct global_opts *g, char **argv, int at)
{
	const char *arg = argv[at];
	size_t n = strcspn(arg, "=");

	if (g->bad[0])
		return;
	if (strncmp(arg, "--", 2))
		snprintf(g->bad, sizeof(g->bad), "unknown option '-%c'", optopt);
	else if (arg[n] && optopt)
		snprintf(g->bad, sizeof(g->bad), "'%.*s' takes no value", (int)n, arg);
	else
		snprintf(g->bad, sizeof(g->bad), "unknown option '%.*s'", (int)n, arg);
	/* a long word is cut, but not in the middle of a character */
	g->bad[json_utf8_cut(g->bad, strlen(g->bad))] = '\0';
}

/*
 * The options before OBJECT. Every one is looked at, even after a bad
 * one: a -j after it still makes the error JSON. Returns optind.
 */
static int parse_globals(struct cli *cli, int argc, char **argv, struct global_opts *g)
{
	static const struct option opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ "pretty",	no_argument, NULL, 'p' },
		{ "debug",	no_argument, NULL, 'd' },
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ 0 }
	};
	int c, at;

	optind = 0;	/* a fresh getopt (smccc_bpf_main may run more than once) */
	opterr = 0;
	for (;;) {
		at = optind ? optind : 1;	/* the word getopt looks at: a bundle stays put */
		c = getopt_long(argc, argv, "+jpdhV", opts, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'j':
			cli->json = true;
			break;
		case 'p':
			cli->json = cli->pretty = true;
			break;
		case 'd':
			cli->debug = true;
			break;
		case 'h':
			g->help = true;
			break;
		case 'V':
			g->version = true;
			break;
		default:
			option_error(g, argv, at);
		}
	}
	return optind;
}

int smccc_bpf_main(int argc, char **argv, FILE *out, FILE *err)
{
	struct cli cli = {
		.out = out,
		.err = err,
		.prog = "smccc-bpf",
	};
	struct global_opts g = { 0 };
	int first, ret;

	cli.proc = getenv("SMCCC_BPF_PROC") ?: "/proc";
	cli.pin_root = getenv("SMCCC_BPF_PIN_ROOT") ?: SMCCC_BPF_PIN_DIR;
	cli.btf_path = getenv("SMCCC_BPF_VMLINUX_BTF") ?: "/sys/kernel/btf/vmlinux";

	first = parse_globals(&cli, argc, argv, &g);
	argc = take_global_words(&cli, argc, argv, first);
	if (cli.json) {
		cli.jw = jw_new(out, cli.pretty);
		if (!cli.jw) {
			fprintf(err, "%s: error: out of memory\n", cli.prog);
			return CLI_EXIT_ERROR;
		}
	}
	cli_libbpf_capture(&cli);

	if (g.bad[0]) {
		usage_error_text(&cli, NULL);
		ret = cli_usage_error(&cli, NULL, "%s", g.bad);
	} else if (g.version) {
		ret = version(&cli);
	} else if (g.help) {
		usage(&cli, out);
		ret = CLI_EXIT_OK;
	} else {
		ret = dispatch(&cli, argc - first, argv + first);
	}

	jw_destroy(cli.jw);
	fflush(out);
	fflush(err);
	cli_libbpf_reset();
	return ret;
}

#ifndef SMCCC_BPF_CLI_NO_MAIN
int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return smccc_bpf_main(argc, argv, stdout, stderr);
}
#endif
