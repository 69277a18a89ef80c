// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf stats: the calls each policy decided, per (VM, function ID,
 * what the guest got), summed over CPUs, from the pinned "stats" maps.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_pins.h"
#include "cli_stats.h"
#include "policy_services.h"
#include "smccc_policy.h"

static int cmp_row(const void *a, const void *b)
{
	const struct cli_stat_row *x = a, *y = b;

	if (x->vm_id != y->vm_id)
		return x->vm_id < y->vm_id ? -1 : 1;
	if (x->func_id != y->func_id)
		return x->func_id < y->func_id ? -1 : 1;
	if (x->action != y->action)
		return x->action < y->action ? -1 : 1;
	return strcmp(x->policy, y->policy);
}

void cli_stats_sort(struct cli_stat_row *rows, size_t n)
{
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_row);
}

/* Sums per-CPU u64 values of key in fd into *sum. */
static int percpu_sum(int fd, const void *key, int ncpus, uint64_t *vals, uint64_t *sum)
{
	int i;

	if (bpf_map_lookup_elem(fd, key, vals))
		return -errno;
	*sum = 0;
	for (i = 0; i < ncpus; i++)
		*sum += vals[i];
	return 0;
}

int cli_stats_read(int fd, const char *policy, bool filter, uint64_t vm_id,
		   struct cli_stat_row **rows, size_t *n, size_t *cap)
{
	struct smccc_policy_stats_key key, next;
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	struct cli_stat_row *nr;
	uint64_t *vals, sum = 0;
	void *prev = NULL;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (;;) {
		if (bpf_map_get_next_key(fd, prev, &next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		key = next;
		prev = &key;
		if (filter && key.vm_id != vm_id)
			continue;
		err = percpu_sum(fd, &key, ncpus, vals, &sum);
		if (err == -ENOENT) {	/* deleted meanwhile */
			err = 0;
			continue;
		}
		if (err)
			break;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			nr = realloc(*rows, *cap * sizeof(**rows));
			if (!nr) {
				err = -ENOMEM;
				break;
			}
			*rows = nr;
		}
		nr = &(*rows)[(*n)++];
		memset(nr, 0, sizeof(*nr));
		nr->vm_id = key.vm_id;
		nr->func_id = key.func_id;
		nr->action = key.action;
		nr->calls = sum;
		snprintf(nr->policy, sizeof(nr->policy), "%s", policy);
	}
	free(vals);
	return err;
}

void cli_stats_print(struct cli *cli, const struct cli_stat_row *rows, size_t n)
{
	char fn[64];
	size_t i;

	if (cli->json) {
		jw_name(cli->jw, "entries");
		jw_start_array(cli->jw);
		for (i = 0; i < n; i++) {
			jw_start_object(cli->jw);
			jw_uint_field(cli->jw, "vm_id", rows[i].vm_id);
			jw_hex_field(cli->jw, "func_id", rows[i].func_id);
			jw_string_field(cli->jw, "function",
					smccc_id_describe(rows[i].func_id, fn, sizeof(fn)));
			jw_string_field(cli->jw, "action", cli_action_name(rows[i].action));
			jw_uint_field(cli->jw, "calls", rows[i].calls);
			jw_string_field(cli->jw, "policy", rows[i].policy);
			jw_end_object(cli->jw);
		}
		jw_end_array(cli->jw);
		return;
	}
	if (!n)
		return;
	fprintf(cli->out, "%-6s %-10s %-24s %-8s %12s  %s\n", "VM", "FUNC_ID", "FUNCTION", "ACTION",
		"CALLS", "POLICY");
	for (i = 0; i < n; i++)
		fprintf(cli->out, "%-6" PRIu64 " 0x%08x %-24s %-8s %12" PRIu64 "  %s\n", rows[i].vm_id,
			rows[i].func_id, smccc_id_describe(rows[i].func_id, fn, sizeof(fn)),
			cli_action_name(rows[i].action), rows[i].calls, rows[i].policy);
}

int cli_stats_read_dropped(int fd, uint64_t out[SMCCC_POLICY_NR_DROP])
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	uint64_t *vals;
	__u32 i;

	if (ncpus <= 0)
		return -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < SMCCC_POLICY_NR_DROP && !err; i++)
		err = percpu_sum(fd, &i, ncpus, vals, &out[i]);
	free(vals);
	return err;
}

/* What one pinned policy had besides its rows. */
struct stats_policy {
	char name[32];		/* vm-ID, global */
	bool have_dropped;
	uint64_t dropped[SMCCC_POLICY_NR_DROP];
};

/*
 * Reads t's stats and dropped pins: rows appended, sp filled. 0; 1: t has
 * no stats map (a hand-written policy); or an exit code, reported.
 */
static int read_policy(struct cli *cli, const struct cli_target *t, const struct cli_args *a,
		       struct stats_policy *sp, struct cli_stat_row **rows, size_t *n, size_t *cap)
{
	char path[600];
	int fd, err;

	cli_target_name(t, sp->name, sizeof(sp->name));
	pins_path(cli->pin_root, t, PINS_STATS, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES)
			return cli_fail_errno(cli, errno, t, "opening the stats map");
		return 1;
	}
	err = cli_stats_read(fd, sp->name, a->target.set, a->target.vm_id, rows, n, cap);
	close(fd);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s: %s", path, strerror(-err));
	pins_path(cli->pin_root, t, PINS_DROPPED, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		sp->have_dropped = !cli_stats_read_dropped(fd, sp->dropped);
		close(fd);
	}
	return 0;
}

static void print_policies_json(struct cli *cli, const struct stats_policy *sp, size_t n)
{
	size_t i;

	jw_name(cli->jw, "policies");
	jw_start_array(cli->jw);
	for (i = 0; i < n; i++) {
		const uint64_t *d = sp[i].dropped;

		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "policy", sp[i].name);
		if (sp[i].have_dropped) {
			jw_uint_field(cli->jw, "dropped_stats", d[SMCCC_POLICY_DROP_STATS]);
			jw_uint_field(cli->jw, "dropped_events", d[SMCCC_POLICY_DROP_EVENTS]);
			jw_uint_field(cli->jw, "dropped_rate", d[SMCCC_POLICY_DROP_RATE]);
		}
		jw_end_object(cli->jw);
	}
	jw_end_array(cli->jw);
}

static void print_dropped_notes(struct cli *cli, const struct stats_policy *sp, size_t n)
{
	const uint64_t *d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = sp[i].dropped;
		if (!sp[i].have_dropped || !(d[0] || d[1] || d[2]))
			continue;
		cli_note(cli, "%s: not recorded: %" PRIu64 " counts (stats map full), %" PRIu64
			 " events (ring buffer full), %" PRIu64 " rate buckets (map full)",
			 sp[i].name, d[SMCCC_POLICY_DROP_STATS], d[SMCCC_POLICY_DROP_EVENTS],
			 d[SMCCC_POLICY_DROP_RATE]);
	}
}

static int do_show(struct cli *cli, int argc, char **argv)
{
	struct cli_target *targets = NULL, *t;
	struct cli_stat_row *rows = NULL;
	struct stats_policy *sp = NULL;
	size_t n = 0, cap = 0, nt = 0, i, used = 0;
	struct cli_args a;
	int ret, err;

	ret = cli_parse_args(cli, "stats", argc, argv, CLI_ARG_VM, &a);
	if (ret)
		return ret;
	if (a.nr_pos)
		return cli_usage_error(cli, "stats", "'stats' takes no arguments but --vm ID or --pid PID");
	err = pins_list(cli->pin_root, &targets, &nt);
	if (err)
		return cli_fail(cli, err == -EACCES || err == -EPERM ? CLI_EXIT_PERM : CLI_EXIT_ERROR,
				NULL, "reading %s: %s", cli->pin_root, strerror(-err));
	sp = calloc(nt ? nt : 1, sizeof(*sp));
	if (!sp) {
		ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
		goto out;
	}
	/* Everything read first: with -j, an error is the only value printed. */
	for (i = 0; i < nt; i++) {
		t = &targets[i];
		/* --vm ID: that VM's own policy and the host-wide default's records of it. */
		if (a.target.set && !t->global && t->vm_id != a.target.vm_id)
			continue;
		ret = read_policy(cli, t, &a, &sp[used], &rows, &n, &cap);
		if (ret == 1) {
			cli_note(cli, "%s: no statistics (a hand-written policy without the "
				 "generic program's stats map)", sp[used].name);
			continue;
		}
		if (ret)
			goto out;
		used++;
	}
	cli_stats_sort(rows, n);
	if (cli->json) {
		jw_start_object(cli->jw);
		print_policies_json(cli, sp, used);
		cli_stats_print(cli, rows, n);
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
	} else {
		print_dropped_notes(cli, sp, used);
		if (!used)
			cli_note(cli, "no policies with statistics attached by %s", cli->prog);
		else if (!n)
			cli_note(cli, "no calls recorded%s", a.target.set ? " for this VM" : "");
		cli_stats_print(cli, rows, n);
	}
	ret = CLI_EXIT_OK;
out:
	free(sp);
	free(rows);
	free(targets);
	return ret;
}

static const struct cli_cmd stats_cmds[] = {
	{ "show", do_show, "[--vm ID | --pid PID]",
	  "calls per (VM, function, action), summed over CPUs", NULL },
	{ 0 }
};

const struct cli_object cli_stats_object = {
	.name = "stats",
	.cmds = stats_cmds,
	.default_cmd = "show",
	.summary = "what the attached policies decided, per VM, function and action",
	.notes = "ACTION is what the guest got (handle, deny, forward, return). Counts come\n"
		 "from the policies smccc-bpf attached (their pinned stats maps) and restart\n"
		 "from zero when a policy is replaced. --vm ID (or --pid PID, its VMM) shows\n"
		 "that VM's calls, whether its own policy or the host-wide default decided\n"
		 "them.\n",
};
