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

static const struct cli_object *const objects[] = {
	&cli_vm_object,
	&cli_policy_object,
	&cli_stats_object,
	&cli_events_object,
};

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
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		fprintf(f, "  %-8s %s\n", objects[i]->name, objects[i]->summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json     JSON output (errors too: {\"error\": ...})\n"
		"  -p, --pretty   pretty-printed JSON (implies -j)\n"
		"  -d, --debug    libbpf's debug output, whole verifier logs\n"
		"  -h, --help     this help\n"
		"  -V, --version  version\n"
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

	LOOKUP(objects, ARRAY_SIZE(objects), name, ->name, o);
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

static int dispatch(struct cli *cli, int argc, char **argv)
{
	const struct cli_object *obj;
	const struct cli_cmd *cmd;
	const char *cname;

	if (argc < 1) {
		usage(cli, cli->err);
		return CLI_EXIT_USAGE;
	}
	if (is_help(argv[0])) {
		if (argc > 1 && (obj = find_object(argv[1]))) {
			cli_object_usage(cli, obj, cli->out);
			return CLI_EXIT_OK;
		}
		usage(cli, cli->out);
		return CLI_EXIT_OK;
	}
	obj = find_object(argv[0]);
	if (!obj) {
		usage(cli, cli->err);
		return cli_fail(cli, CLI_EXIT_USAGE, NULL, "unknown object '%s'", argv[0]);
	}
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && is_help(argv[1])) {
			cli_object_usage(cli, obj, cli->out);
			return CLI_EXIT_OK;
		}
		if (!obj->default_cmd) {
			cli_object_usage(cli, obj, cli->err);
			return cli_fail(cli, CLI_EXIT_USAGE, NULL, "'%s' needs a command", obj->name);
		}
		/* "stats --vm 3": the default command with these arguments. */
		cmd = find_cmd(obj, obj->default_cmd);
		return cmd->fn(cli, argc, argv);	/* argv[0] stands for the command */
	}
	cname = argv[1];
	if (is_help(cname)) {
		cli_object_usage(cli, obj, cli->out);
		return CLI_EXIT_OK;
	}
	cmd = find_cmd(obj, cname);
	if (!cmd) {
		cli_object_usage(cli, obj, cli->err);
		return cli_fail(cli, CLI_EXIT_USAGE, NULL, "unknown command '%s %s'", obj->name,
				cname);
	}
	return cmd->fn(cli, argc - 1, argv + 1);
}

int smccc_bpf_main(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ "pretty",	no_argument, NULL, 'p' },
		{ "debug",	no_argument, NULL, 'd' },
		{ "help",	no_argument, NULL, 'h' },
		{ "version",	no_argument, NULL, 'V' },
		{ 0 }
	};
	struct cli cli = {
		.out = out,
		.err = err,
		.prog = "smccc-bpf",
	};
	bool want_version = false, want_help = false;
	int c, ret;

	cli.proc = getenv("SMCCC_BPF_PROC") ?: "/proc";
	cli.pin_root = getenv("SMCCC_BPF_PIN_ROOT") ?: SMCCC_BPF_PIN_DIR;
	cli.btf_path = getenv("SMCCC_BPF_VMLINUX_BTF") ?: "/sys/kernel/btf/vmlinux";

	optind = 0;	/* a fresh getopt (smccc_bpf_main may run more than once) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jpdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cli.json = true;
			break;
		case 'p':
			cli.json = cli.pretty = true;
			break;
		case 'd':
			cli.debug = true;
			break;
		case 'h':
			want_help = true;
			break;
		case 'V':
			want_version = true;
			break;
		default:
			usage(&cli, err);
			fprintf(err, "%s: error: unknown option '%s'\n", cli.prog, argv[optind - 1]);
			return CLI_EXIT_USAGE;
		}
	}
	if (cli.json) {
		cli.jw = jw_new(out, cli.pretty);
		if (!cli.jw) {
			fprintf(err, "%s: error: out of memory\n", cli.prog);
			return CLI_EXIT_ERROR;
		}
	}
	cli_libbpf_capture(&cli);

	if (want_version)
		ret = version(&cli);
	else if (want_help) {
		usage(&cli, out);
		ret = CLI_EXIT_OK;
	} else
		ret = dispatch(&cli, argc - optind, argv + optind);

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
