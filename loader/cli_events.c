// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf events: follow the audit ring buffers of the attached policies
 * (the pinned "events" maps), one line per event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_events.h"
#include "cli_pins.h"
#include "policy_services.h"

static int64_t ts_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void cli_event_print(struct cli *cli, const struct smccc_policy_event *e,
		     int64_t real_minus_mono_ns, const char *policy)
{
	int64_t real = (int64_t)e->time_ns + real_minus_mono_ns;
	char tbuf[48], fn[64], rule[16];
	time_t secs = real / 1000000000;
	long usec = (real % 1000000000) / 1000;
	struct tm tm;

	if (real < 0 || !localtime_r(&secs, &tm))
		memset(&tm, 0, sizeof(tm));
	smccc_id_describe(e->func_id, fn, sizeof(fn));
	if (e->rule)
		snprintf(rule, sizeof(rule), "%u", e->rule);
	else
		snprintf(rule, sizeof(rule), "default");

	if (cli->json) {
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
		jw_start_object(cli->jw);
		jw_name(cli->jw, "time");
		jw_printf(cli->jw, "%s.%06ld", tbuf, usec);
		jw_uint_field(cli->jw, "ktime_ns", e->time_ns);
		jw_uint_field(cli->jw, "vm_id", e->vm_id);
		jw_uint_field(cli->jw, "vcpu", e->vcpu_id);
		jw_string_field(cli->jw, "conduit", cli_conduit_name(e->conduit));
		jw_uint_field(cli->jw, "imm", e->imm);
		jw_hex_field(cli->jw, "func_id", e->func_id);
		jw_string_field(cli->jw, "function", fn);
		jw_name(cli->jw, "args");
		jw_start_array(cli->jw);
		jw_hex(cli->jw, e->args[0]);
		jw_hex(cli->jw, e->args[1]);
		jw_hex(cli->jw, e->args[2]);
		jw_end_array(cli->jw);
		jw_string_field(cli->jw, "action", cli_action_name(e->action));
		jw_string_field(cli->jw, "decided", cli_action_name(e->decided));
		jw_uint_field(cli->jw, "rule", e->rule);
		jw_string_field(cli->jw, "reason", cli_reason_name(e->reason));
		jw_string_field(cli->jw, "policy", policy);
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
		return;
	}
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	fprintf(cli->out, "%s.%06ld vm %" PRIu64 " vcpu %u %s 0x%08x %s x1=0x%" PRIx64
		" x2=0x%" PRIx64 " x3=0x%" PRIx64 " %s",
		tbuf, usec, (uint64_t)e->vm_id, e->vcpu_id, cli_conduit_name(e->conduit),
		e->func_id, fn, (uint64_t)e->args[0], (uint64_t)e->args[1], (uint64_t)e->args[2],
		e->decided == SMCCC_POLICY_ACT_LOG && e->action == SMCCC_BPF_ACT_HANDLE ?
		"log" : cli_action_name(e->action));
	/* Permissive mode: the guest got HANDLE, the policy said otherwise. */
	if (e->decided != e->action && e->decided != SMCCC_POLICY_ACT_LOG)
		fprintf(cli->out, " (decided %s)", cli_action_name(e->decided));
	fprintf(cli->out, " rule %s reason %s\n", rule, cli_reason_name(e->reason));
	fflush(cli->out);
}

/* ---- following ------------------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct follow {
	struct cli *cli;
	bool filter;
	uint64_t vm_id;
	uint64_t want;		/* 0: no limit */
	uint64_t *seen;
	int64_t offset;
	char policy[32];
	int fd;
};

#define FOLLOW_DONE	(-ECANCELED)

static int on_event(void *ctx, void *data, size_t len)
{
	struct follow *f = ctx;
	struct smccc_policy_event e;

	if (len < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	if (f->filter && e.vm_id != f->vm_id)
		return 0;
	if (f->want && *f->seen >= f->want)
		return FOLLOW_DONE;
	cli_event_print(f->cli, &e, f->offset, f->policy);
	(*f->seen)++;
	if (f->want && *f->seen >= f->want)
		return FOLLOW_DONE;
	return 0;
}

static int do_follow(struct cli *cli, int argc, char **argv)
{
	struct cli_target *targets = NULL;
	struct follow *fl = NULL;
	struct ring_buffer *rb = NULL;
	struct sigaction sa, old_int, old_term;
	int64_t offset, deadline = 0;
	uint64_t seen = 0;
	size_t nt = 0, i, nf = 0;
	struct cli_args a;
	char path[600];
	int ret, err, fd;

	ret = cli_parse_args(cli, "events", argc, argv, CLI_ARG_VM | CLI_ARG_COUNT | CLI_ARG_TIMEOUT,
			     &a);
	if (ret)
		return ret;
	if (a.nr_pos)
		return cli_usage_error(cli, "events", "'events' takes no arguments but options");
	err = pins_list(cli->pin_root, &targets, &nt);
	if (err)
		return cli_fail(cli, err == -EACCES || err == -EPERM ? CLI_EXIT_PERM : CLI_EXIT_ERROR,
				NULL, "reading %s: %s", cli->pin_root, strerror(-err));
	fl = calloc(nt ? nt : 1, sizeof(*fl));
	if (!fl) {
		free(targets);
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
	}
	offset = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_MONOTONIC);
	for (i = 0; i < nt; i++) {
		struct cli_target *t = &targets[i];
		struct follow *f = &fl[nf];

		if (a.target.set && !t->global && t->vm_id != a.target.vm_id)
			continue;
		pins_path(cli->pin_root, t, PINS_EVENTS, path, sizeof(path));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == EPERM || errno == EACCES) {
				ret = cli_fail_errno(cli, errno, t, "opening the events ring buffer");
				goto out;
			}
			continue;
		}
		f->cli = cli;
		f->filter = a.target.set;
		f->vm_id = a.target.vm_id;
		f->want = a.has_count ? a.count : 0;
		f->seen = &seen;
		f->offset = offset;
		cli_target_name(t, f->policy, sizeof(f->policy));
		if (!rb)
			rb = ring_buffer__new(fd, on_event, f, NULL);
		else if (ring_buffer__add(rb, fd, on_event, f))
			err = -errno;
		f->fd = fd;	/* closed at the end */
		nf++;
		if (!rb || err) {
			ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s: %s", path,
				       strerror(rb ? -err : errno));
			goto out;
		}
	}
	if (!nf) {
		char hint[128];

		snprintf(hint, sizeof(hint), "attach a policy file with '%s policy attach'", cli->prog);
		ret = cli_fail(cli, CLI_EXIT_NOENT, hint,
			       "no attached policy with an events ring buffer%s",
			       a.target.set ? " for this VM" : "");
		goto out;
	}

	stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (a.has_timeout)
		deadline = ts_ns(CLOCK_MONOTONIC) + (int64_t)(a.timeout * 1e9);
	ret = CLI_EXIT_OK;
	/* What was recorded before we came, even with --timeout 0. */
	err = ring_buffer__consume(rb);
	if (err == FOLLOW_DONE)
		stop = 1;
	while (!stop) {
		int ms = 250;

		if (a.has_timeout) {
			int64_t left = deadline - ts_ns(CLOCK_MONOTONIC);

			if (left <= 0)
				break;
			if (left / 1000000 < ms)
				ms = left / 1000000 + 1;
		}
		err = ring_buffer__poll(rb, ms);
		if (err == FOLLOW_DONE)
			break;
		if (err < 0 && err != -EINTR) {
			ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "polling the ring buffers: %s",
				       strerror(-err));
			break;
		}
		if (a.has_count && seen >= a.count)
			break;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (!cli->json && ret == CLI_EXIT_OK)
		cli_note(cli, "%" PRIu64 " event%s", seen, seen == 1 ? "" : "s");
out:
	ring_buffer__free(rb);
	for (i = 0; i < nf; i++)
		close(fl[i].fd);
	free(fl);
	free(targets);
	return ret;
}

static const struct cli_cmd events_cmds[] = {
	{ "follow", do_follow, "[--vm ID | --pid PID] [--count N] [--timeout SECS]",
	  "print audit events as the policies emit them", NULL },
	{ 0 }
};

const struct cli_object cli_events_object = {
	.name = "events",
	.cmds = events_cmds,
	.default_cmd = "follow",
	.summary = "follow the audit events of the attached policies",
	.notes = "One line per event: time, VM, vCPU, conduit, function ID and name, x1..x3,\n"
		 "what the guest got (and what the policy decided, if permissive), the rule\n"
		 "(or default) and the reason. Events recorded while nobody listened come\n"
		 "first. Stops after --count events, after --timeout seconds (0: print what\n"
		 "is buffered and exit), or on Ctrl-C.\n"
		 "Two followers share each ring buffer: each event goes to one of them.\n",
};
