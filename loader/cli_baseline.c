// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy baseline: pinned guest ABIs for migration.
 *
 *   policy baseline NAME [-o FILE]   the policy exposing only what the KVM
 *                                    of Linux NAME exposed
 *   policy baseline list | --list    the table: functions x releases
 *
 * The table and the generator are the policy library's
 * (policy_baseline.c); this file parses, prints and writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_baseline.h"
#include "policy_baseline.h"

#define KVER_LEN	16

struct baseline_args {
	bool list;
	bool help;
	const char *name;	/* the release, NULL with list/help */
	const char *output;	/* -o FILE; NULL: stdout */
};

void cli_policy_baseline_help(const struct cli *cli, FILE *f)
{
	char names[128];

	fprintf(f,
		"Usage: %s policy baseline NAME [-o FILE]\n"
		"       %s policy baseline list\n"
		"       %s policy baseline help\n"
		"\n"
		"Print a policy that exposes to a guest only the SMCCC services the\n"
		"KVM/arm64 of Linux NAME offered, so that the guest can migrate back to a\n"
		"host running it: functions KVM gained since are denied and reported\n"
		"absent to the guest's discovery calls, and PSCI_VERSION gives the\n"
		"release's PSCI version. Attach it before the guest first boots:\n"
		"  %s policy baseline 5.10 -o b.policy\n"
		"  %s policy attach --vm ID b.policy\n"
		"\n"
		"NAME: %s (also v5.10, linux-5.10).\n"
		"-o FILE, --output FILE  write FILE (replaced atomically) instead of stdout\n"
		"list, --list            the table: what each release's KVM handles\n"
		"With -j: JSON (NAME: the policy text and what it hides; list: the table).\n"
		"Sources of the table: docs/baselines.md.\n",
		cli->prog, cli->prog, cli->prog, cli->prog, cli->prog,
		smccc_baseline_names(names, sizeof(names)));
}

/*
 * cli_parse_args() knows no short options, and "-o FILE" is what people
 * type for an output file: this command parses its few arguments itself
 * (-h and --help are the dispatcher's).
 */
static int parse(struct cli *cli, int argc, char **argv, struct baseline_args *a)
{
	bool only_pos = false;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (only_pos || arg[0] != '-') {
			if (a->name)
				return cli_usage_error(cli, "policy baseline",
						       "'policy baseline' takes one release NAME");
			a->name = arg;
		} else if (!strcmp(arg, "--")) {
			only_pos = true;
		} else if (!strcmp(arg, "--list")) {
			a->list = true;
		} else if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
			if (++i == argc)
				return cli_usage_error(cli, "policy baseline", "'%s' needs a FILE", arg);
			a->output = argv[i];
		} else if (!strncmp(arg, "--output=", 9)) {
			a->output = arg + 9;
		} else {
			return cli_usage_error(cli, "policy baseline",
					       "'policy baseline': unknown option '%s'", arg);
		}
	}
	/* The words "list" and "help" in NAME's place. */
	if (a->name && !strcmp(a->name, "list")) {
		a->list = true;
		a->name = NULL;
	} else if (a->name && !strcmp(a->name, "help")) {
		a->help = true;
		a->name = NULL;
	}
	if (a->help)
		return 0;
	if (a->list && a->name)
		return cli_usage_error(cli, "policy baseline", "give a release NAME or 'list', not both");
	if (a->list && a->output)
		return cli_usage_error(cli, "policy baseline", "-o writes a policy: give a release NAME");
	if (!a->list && !a->name)
		return cli_usage_error(cli, "policy baseline",
				       "'policy baseline' needs a release NAME or 'list'");
	return 0;
}

/* ---- the table ------------------------------------------------------------- */

static void ids_json(struct json_writer *jw, const struct smccc_baseline_fn *f)
{
	jw_name(jw, "ids");
	jw_start_array(jw);
	if (f->id32)
		jw_hex(jw, f->id32);
	if (f->id64)
		jw_hex(jw, f->id64);
	jw_end_array(jw);
}

/* The names of the functions b's KVM lacked, as a JSON array. */
static void hidden_names_json(struct json_writer *jw, const struct smccc_baseline *b)
{
	const struct smccc_baseline_fn *fns;
	size_t i, nf;

	fns = smccc_baseline_fns(&nf);
	jw_name(jw, "hidden");
	jw_start_array(jw);
	for (i = 0; i < nf; i++)
		if (!smccc_baseline_offers(b, &fns[i]))
			jw_string(jw, fns[i].name);
	jw_end_array(jw);
}

static void list_json(struct cli *cli)
{
	const struct smccc_baseline_fn *fns;
	const struct smccc_baseline *bs;
	struct json_writer *jw = cli->jw;
	char kv[KVER_LEN];
	const char *commit;
	size_t i, j, nf, nb;

	fns = smccc_baseline_fns(&nf);
	bs = smccc_baselines(&nb);
	jw_start_object(jw);
	jw_string_field(jw, "latest", smccc_baseline_latest()->name);
	jw_name(jw, "functions");
	jw_start_array(jw);
	for (i = 0; i < nf; i++) {
		jw_start_object(jw);
		jw_string_field(jw, "name", fns[i].name);
		ids_json(jw, &fns[i]);
		jw_string_field(jw, "since", smccc_kver_format(fns[i].since, kv, sizeof(kv)));
		jw_bool_field(jw, "arch", fns[i].arch);
		jw_string_field(jw, "commit", fns[i].commit);
		jw_string_field(jw, "file", fns[i].file);
		jw_string_field(jw, "note", fns[i].note);
		jw_name(jw, "offered_in");
		jw_start_array(jw);
		for (j = 0; j < nb; j++)
			if (smccc_baseline_offers(&bs[j], &fns[i]))
				jw_string(jw, bs[j].name);
		jw_end_array(jw);
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_name(jw, "baselines");
	jw_start_array(jw);
	for (j = 0; j < nb; j++) {
		jw_start_object(jw);
		jw_string_field(jw, "name", bs[j].name);
		jw_hex_field(jw, "psci_version", smccc_baseline_psci_version(&bs[j], &commit));
		jw_string_field(jw, "psci_version_commit", commit);
		hidden_names_json(jw, &bs[j]);
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_string_field(jw, "arch_note", smccc_baseline_arch_note());
	jw_end_object(jw);
	jw_end_value(jw);
}

/* One release column; the last is not padded (no trailing blanks). */
static void column(FILE *f, const char *s, bool last)
{
	fprintf(f, last ? " %s\n" : " %-5s", s);
}

static void list_text(struct cli *cli)
{
	const struct smccc_baseline_fn *fns;
	const struct smccc_baseline *bs;
	FILE *f = cli->out;
	char ids[32], kv[KVER_LEN];
	size_t i, j, nf, nb, nr;
	uint32_t v;

	fns = smccc_baseline_fns(&nf);
	bs = smccc_baselines(&nb);
	fprintf(f, "%-24s %-22s %-6s", "FUNCTION", "IDS", "SINCE");
	for (j = 0; j < nb; j++)
		column(f, bs[j].name, j == nb - 1);
	for (i = 0; i < nf; i++) {
		fprintf(f, "%-24s %-22s %-6s", fns[i].name,
			smccc_baseline_ids_format(&fns[i], ids, sizeof(ids)),
			smccc_kver_format(fns[i].since, kv, sizeof(kv)));
		for (j = 0; j < nb; j++)
			column(f, fns[i].arch ? "arch" :
			       smccc_baseline_offers(&bs[j], &fns[i]) ? "yes" : "-", j == nb - 1);
	}
	fprintf(f, "%-24s %-22s %-6s", "PSCI_VERSION returns", "", "");
	for (j = 0; j < nb; j++) {
		v = smccc_baseline_psci_version(&bs[j], NULL);
		snprintf(kv, sizeof(kv), "%u.%u", v >> 16, v & 0xffff);
		column(f, kv, j == nb - 1);
	}
	fprintf(f, "\nHidden by each baseline (vs. %s):\n", smccc_baseline_latest()->name);
	for (j = 0; j < nb; j++) {
		fprintf(f, "  %-5s", bs[j].name);
		for (i = nr = 0; i < nf; i++)
			if (!smccc_baseline_offers(&bs[j], &fns[i]))
				fprintf(f, "%s%s", nr++ ? ", " : " ", fns[i].name);
		if (!nr)
			fprintf(f, " nothing");
		v = smccc_baseline_psci_version(&bs[j], NULL);
		if (v != smccc_baseline_psci_version(smccc_baseline_latest(), NULL))
			fprintf(f, "; PSCI_VERSION %u.%u", v >> 16, v & 0xffff);
		fputc('\n', f);
	}
	fprintf(f, "\narch: %s", smccc_baseline_arch_note());
	fprintf(f, "Sources (commit and release of each row): docs/baselines.md\n");
}

/* ---- one baseline ------------------------------------------------------------ */

/*
 * Writes text to path through a temporary file in the same directory and
 * a rename: readers see the old file or the whole new one, never a part.
 */
static int write_atomic(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	char *tmp;
	mode_t mask;
	int fd, err;

	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(tmp);
		return err;
	}
	/* mkstemp() makes it 0600; a policy is no secret: 0666 & ~umask. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask))
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += n;
	}
	if (fsync(fd) || close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	free(tmp);
	return 0;
fail:
	err = -errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return err;
}

static void baseline_json(struct cli *cli, const struct smccc_baseline *b, const char *text,
			  const char *output)
{
	const struct smccc_baseline_fn *fns;
	struct json_writer *jw = cli->jw;
	char kv[KVER_LEN];
	size_t i, nf;

	fns = smccc_baseline_fns(&nf);
	jw_start_object(jw);
	jw_string_field(jw, "baseline", b->name);
	jw_name(jw, "hidden");
	jw_start_array(jw);
	for (i = 0; i < nf; i++) {
		if (smccc_baseline_offers(b, &fns[i]))
			continue;
		jw_start_object(jw);
		jw_string_field(jw, "name", fns[i].name);
		ids_json(jw, &fns[i]);
		jw_string_field(jw, "since", smccc_kver_format(fns[i].since, kv, sizeof(kv)));
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_hex_field(jw, "psci_version", smccc_baseline_psci_version(b, NULL));
	jw_string_field(jw, "file", output);
	jw_string_field(jw, "policy", text);
	jw_end_object(jw);
	jw_end_value(jw);
}

static int do_one(struct cli *cli, const struct baseline_args *a)
{
	const struct smccc_baseline *b = smccc_baseline_find(a->name);
	bool to_stdout = !a->output || !strcmp(a->output, "-");
	char names[128];
	int err, ret = CLI_EXIT_OK;
	char *text;

	if (!b)
		return cli_fail(cli, CLI_EXIT_USAGE,
				"'smccc-bpf policy baseline list' shows what each one exposes",
				"unknown baseline '%s'; the baselines are %s (also as v5.10, "
				"linux-5.10)", a->name, smccc_baseline_names(names, sizeof(names)));
	text = smccc_baseline_policy(b);
	if (!text)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "generating the policy: %s",
				strerror(errno));
	err = to_stdout ? 0 : write_atomic(a->output, text);
	if (err)
		ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "cannot write %s: %s", a->output,
			       strerror(-err));
	else if (cli->json)
		baseline_json(cli, b, text, to_stdout ? NULL : a->output);
	else if (to_stdout)
		fputs(text, cli->out);
	free(text);
	return ret;
}

int cli_policy_baseline(struct cli *cli, int argc, char **argv)
{
	struct baseline_args a;
	int ret;

	ret = parse(cli, argc, argv, &a);
	if (ret)
		return ret;
	if (a.help) {
		cli_policy_baseline_help(cli, cli->out);
		return CLI_EXIT_OK;
	}
	if (!a.list)
		return do_one(cli, &a);
	if (cli->json)
		list_json(cli);
	else
		list_text(cli);
	return CLI_EXIT_OK;
}
