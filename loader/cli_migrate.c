// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy export, policy import: carry an attached policy and its
 * state (statistics, dropped counters, rate-limit buckets) from one VM to
 * another, for a migration. The document is migrate_doc.h's
 * (docs/export-format.md).
 *
 * export reads the pins of the target (cli_pins.h) under the pin lock:
 * meta (the source file and its SHA-256: the file must still be the one
 * attached), stats, dropped and rate (pinned since this command exists).
 *
 * import compiles the embedded source, keeps it as a file in the state
 * directory (SMCCC_BPF_STATE_DIR, default /var/lib/smccc-bpf:
 * imported/SHA256.policy, content-addressed, so that "policy show",
 * "policy export" and "policy replace" see an ordinary attached file), and
 * attaches it through cli_policy_attach() with a hook that fills the new
 * maps before the link exists: no call of the target sees them empty.
 *
 * Rate buckets carry their age (now - last refill, CLOCK_MONOTONIC, the
 * clock of bpf_ktime_get_ns()); import sets last_ns = now - age, so the
 * time between export and import is not credited to the bucket.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_pins.h"
#include "cli_policy.h"
#include "cli_stats.h"
#include "migrate_doc.h"
#include "policy_compile.h"
#include "policy_maps.h"
#include "policy_services.h"
#include "smccc_policy.h"

#define STATE_DIR_DEFAULT	"/var/lib/smccc-bpf"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* ---- policy export ------------------------------------------------------------- */

static const char export_help[] =
	"Usage: %s policy export (--vm ID | --pid PID | --global) [-o FILE]\n"
	"\n"
	"Writes the attached policy of the target and its state as one JSON document\n"
	"(docs/export-format.md): the policy file's text, name and mode, the\n"
	"statistics (calls per VM, function ID and action, summed over CPUs), the\n"
	"dropped counters and the rate-limit buckets (tokens, age). 'policy import'\n"
	"attaches it to another VM with that state.\n"
	"\n"
	"  -o, --output FILE  write FILE (atomically: a temporary file, renamed);\n"
	"                     default: standard output\n"
	"\n"
	"The attached file must be unchanged (its SHA-256 is checked). Hand-written\n"
	"BPF objects cannot be exported (exit 9), nor a policy whose document would\n"
	"be larger than 'policy import' reads (128 MiB).\n";

void cli_policy_export_help(const struct cli *cli, FILE *f)
{
	fprintf(f, export_help, cli->prog);
}

/* Takes "-o FILE", "--output FILE", "--output=FILE" out of argv; -1: no FILE given. */
static int take_output(int *argc, char **argv, const char **out)
{
	int i, j, n = 0;

	*out = NULL;
	for (i = j = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 >= *argc)
				return -1;
			*out = argv[++i];
			n++;
			continue;
		}
		if (!strncmp(argv[i], "--output=", 9)) {
			*out = argv[i] + 9;
			n++;
			continue;
		}
		argv[j++] = argv[i];
	}
	*argc = j;
	return n > 1 || (*out && !**out) ? -1 : 0;
}

_Static_assert(MIGRATE_NR_DROP == SMCCC_POLICY_NR_DROP, "one dropped counter per kind");

static int export_counters(struct cli *cli, const struct cli_target *t, struct migrate_doc *d)
{
	struct cli_stat_row *rows = NULL;
	size_t n = 0, cap = 0, i;
	char path[600], tn[32];
	int fd, err;

	pins_path(cli->pin_root, t, PINS_STATS, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "opening %s: %s", path, strerror(errno));
	err = cli_stats_read(fd, cli_target_name(t, tn, sizeof(tn)), !t->global, t->vm_id,
			     &rows, &n, &cap);
	close(fd);
	if (err) {
		free(rows);
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s: %s", path, strerror(-err));
	}
	cli_stats_sort(rows, n);
	d->counters = calloc(n ? n : 1, sizeof(*d->counters));
	if (!d->counters) {
		free(rows);
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
	}
	for (i = 0; i < n; i++) {
		struct migrate_counter *c = &d->counters[i];

		c->vm_id = rows[i].vm_id;
		c->func_id = rows[i].func_id;
		c->action = rows[i].action;
		c->calls = rows[i].calls;
		smccc_id_describe(c->func_id, c->function, sizeof(c->function));
	}
	d->nr_counters = n;
	free(rows);

	pins_path(cli->pin_root, t, PINS_DROPPED, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "opening %s: %s", path, strerror(errno));
	err = cli_stats_read_dropped(fd, d->dropped);
	close(fd);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s: %s", path, strerror(-err));
	return CLI_EXIT_OK;
}

/* Appends one bucket of the rate map (key k) to d. */
static int export_bucket(int fd, const struct smccc_policy_rate_key *k,
			 const struct smccc_compiled *c, struct migrate_doc *d)
{
	struct smccc_policy_bucket b;
	struct migrate_bucket *mb;
	uint64_t now;

	memset(&b, 0, sizeof(b));
	if (bpf_map_lookup_elem_flags(fd, k, &b, BPF_F_LOCK))
		return errno == ENOENT ? 0 : -errno;	/* deleted meanwhile */
	now = mono_ns();	/* after the read: last_ns <= now */
	if (k->rule >= c->nr_rules)
		return -ERANGE;
	mb = &d->buckets[d->nr_buckets++];
	mb->vm_id = k->vm_id;
	mb->rule_index = k->rule;
	mb->rule = c->rules[k->rule].id;
	mb->line = c->rules[k->rule].line;
	mb->tokens = b.tokens;
	mb->age_ns = now > b.last_ns ? now - b.last_ns : 0;
	return 0;
}

static int export_buckets(struct cli *cli, const struct cli_target *t,
			  const struct smccc_compiled *c, struct migrate_doc *d)
{
	struct smccc_policy_rate_key key, next;
	size_t cap = 16;
	char path[600];
	void *prev = NULL;
	int fd, err = 0;

	pins_path(cli->pin_root, t, PINS_RATE, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0 && errno == ENOENT) {
		cli_note(cli, "no rate-limit state (attached by an older smccc-bpf): "
			 "the export has none, its buckets will start full");
		return CLI_EXIT_OK;
	}
	if (fd < 0)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "opening %s: %s", path, strerror(errno));
	d->has_rate = true;
	d->buckets = calloc(cap, sizeof(*d->buckets));
	if (!d->buckets)
		err = -ENOMEM;
	while (!err) {
		if (bpf_map_get_next_key(fd, prev, &next)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		key = next;
		prev = &key;
		if (!t->global && key.vm_id != t->vm_id)
			continue;
		if (d->nr_buckets == cap) {
			struct migrate_bucket *nb = realloc(d->buckets, 2 * cap * sizeof(*nb));

			if (!nb) {
				err = -ENOMEM;
				break;
			}
			d->buckets = nb;
			cap *= 2;
		}
		err = export_bucket(fd, &key, c, d);
	}
	close(fd);
	if (err == -ERANGE)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s: a bucket of rule index %u, but the "
				"attached source has %u rules", path, key.rule, c->nr_rules);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s: %s", path, strerror(-err));
	return CLI_EXIT_OK;
}

/* The attached source of m, unchanged since the attach, compiled. */
static int export_source(struct cli *cli, const struct cli_target *t, const struct smccc_meta *m,
			 struct migrate_doc *d, struct smccc_compiled *c)
{
	uint8_t sha[CLI_SHA256_LEN];
	char now_hex[65], was_hex[65], td[64], hint[300];
	struct policy_diags diags = { 0 };
	char *name = NULL;

	cli_target_desc(t, td, sizeof(td));
	if (m->kind == SMCCC_META_OBJECT)
		return cli_fail(cli, CLI_EXIT_UNSUPPORTED,
				"attach the object to the other VM yourself ('policy attach --vm ID "
				"OBJ'); only policy files carry their state",
				"the policy of %s is a hand-written BPF object (%s): export needs a "
				"policy file", td, m->path);
	if (!strcmp(m->path, "(stdin)"))
		return cli_fail(cli, CLI_EXIT_UNSUPPORTED,
				"attach it from a file ('policy replace' with the same text) "
				"and export again",
				"the policy of %s was attached from standard input: its source "
				"was not kept", td);
	d->source = cli_read_file(m->path, CLI_MAX_POLICY_FILE, &d->source_len);
	if (!d->source)
		return cli_fail(cli, errno == ENOENT ? CLI_EXIT_NOENT : CLI_EXIT_ERROR,
				"export needs the attached source file",
				"cannot read %s, the source of %s's policy: %s", m->path, td,
				errno == EFBIG ? "larger than a policy file may be" :
				strerror(errno));
	cli_sha256(d->source, d->source_len, sha);
	if (memcmp(sha, m->sha256, sizeof(sha))) {
		cli_hex(sha, sizeof(sha), now_hex);
		cli_hex(m->sha256, sizeof(sha), was_hex);
		snprintf(hint, sizeof(hint), "restore the attached text, or '%s policy replace' "
			 "with the new one, then export", cli->prog);
		return cli_fail(cli, CLI_EXIT_ERROR, hint,
				"%s changed since it was attached (sha256 %s, attached %s); "
				"export needs the attached source", m->path, now_hex, was_hex);
	}
	if (strlen(d->source) != d->source_len)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s holds a NUL byte: not policy text",
				m->path);
	memcpy(d->sha256, sha, sizeof(sha));
	if (policy_compile_text(m->path, d->source, d->source_len, c, &name, &diags)) {
		cli_fputs_esc(cli->err, policy_diags_text(&diags), CLI_ESC_LINES);
		policy_diags_free(&diags);
		return cli_fail(cli, CLI_EXIT_POLICY, NULL, "%s no longer compiles", m->path);
	}
	policy_diags_free(&diags);
	d->name = name;
	d->permissive = c->config.permissive;
	d->file = strdup(m->path);
	return d->file ? CLI_EXIT_OK : cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
}

/* Writes buf to path atomically: a temporary file in its directory, renamed. */
static int write_atomic(struct cli *cli, const char *path, const char *buf, size_t len, mode_t mode)
{
	char *tmp = NULL;
	size_t done = 0;
	ssize_t w;
	int fd, err = 0;

	if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	while (done < len) {
		w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = errno;
			break;
		}
		done += w;
	}
	if (!err && (fchmod(fd, mode) || fsync(fd)))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		unlink(tmp);
fail:
	free(tmp);
	if (err)
		return cli_fail(cli, err == ENOENT ? CLI_EXIT_NOENT : CLI_EXIT_ERROR, NULL,
				"writing %s: %s (nothing written)", path, strerror(err));
	return CLI_EXIT_OK;
}

/* d as text; checked by reading it back. NULL (reported) on failure. */
static char *export_render(struct cli *cli, const struct migrate_doc *d, size_t *len)
{
	struct migrate_doc back;
	struct json_writer *jw;
	char *buf = NULL, why[256];
	FILE *f = open_memstream(&buf, len);

	if (!f || !(jw = jw_new(f, true))) {
		if (f)
			fclose(f);
		free(buf);
		cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
		return NULL;
	}
	migrate_doc_write(d, jw);
	jw_end_value(jw);
	jw_destroy(jw);
	fclose(f);
	/* What import would refuse is not written: the export must carry the policy. */
	if (*len > CLI_MAX_EXPORT_DOC) {
		cli_fail(cli, CLI_EXIT_UNSUPPORTED, NULL, "the export of %s would be %zu bytes, "
			 "more than the %u MiB 'policy import' reads", d->file, *len,
			 CLI_MAX_EXPORT_DOC >> 20);
		free(buf);
		return NULL;
	}
	if (migrate_doc_parse(buf, *len, &back, why, sizeof(why))) {
		cli_fail(cli, CLI_EXIT_ERROR, "is the policy file UTF-8 text?",
			 "the export of %s does not read back: %s", d->file, why);
		free(buf);
		return NULL;
	}
	migrate_doc_free(&back);
	return buf;
}

static int export_output(struct cli *cli, const struct cli_target *t, const struct migrate_doc *d,
			 const char *out)
{
	char td[64], tn[32];
	size_t len;
	char *buf = export_render(cli, d, &len);
	int ret = CLI_EXIT_OK;

	if (!buf)
		return CLI_EXIT_ERROR;
	cli_target_desc(t, td, sizeof(td));
	if (!out) {
		fwrite(buf, 1, len, cli->out);
		fflush(cli->out);
	} else {
		ret = write_atomic(cli, out, buf, len, 0644);
	}
	free(buf);
	if (ret)
		return ret;
	if (out && cli->json) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "result", "exported");
		jw_string_field(cli->jw, "target", cli_target_name(t, tn, sizeof(tn)));
		jw_string_field(cli->jw, "file", out);
		jw_uint_field(cli->jw, "counters", d->nr_counters);
		if (d->has_rate)
			jw_uint_field(cli->jw, "rate_buckets", d->nr_buckets);
		else
			jw_null_field(cli->jw, "rate_buckets");
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
	} else if (out) {
		fprintf(cli->out, "exported policy %s%s%s of %s to %s: %zu counters, %zu rate "
			"buckets\n", d->name ? "\"" : "", d->name ? cli_esc(d->name) : "(unnamed)",
			d->name ? "\"" : "", td, cli_esc(out), d->nr_counters, d->nr_buckets);
	}
	return CLI_EXIT_OK;
}

int cli_policy_export(struct cli *cli, int argc, char **argv)
{
	struct migrate_doc d;
	struct smccc_compiled c;
	struct smccc_meta m;
	struct cli_args a;
	const char *out;
	int ret, lock = -1;

	if (take_output(&argc, argv, &out))
		return cli_usage_error(cli, "policy", "'policy export': -o needs one FILE");
	ret = cli_parse_args(cli, "policy", argc, argv, CLI_ARG_TARGET, &a);
	if (ret)
		return ret;
	if (!a.target.set || a.nr_pos)
		return cli_usage_error(cli, "policy", "'policy export' takes --vm ID, --pid PID or "
				       "--global, and -o FILE");
	memset(&d, 0, sizeof(d));
	memset(&c, 0, sizeof(c));
	ret = cli_check_bpffs(cli) ?: cli_policy_lock(cli, &lock);
	if (ret)
		return ret;
	if (!pins_attached(cli->pin_root, &a.target)) {
		ret = cli_policy_not_attached(cli, &a.target, "nothing to export");
		goto out;
	}
	if (pins_meta_read(cli->pin_root, &a.target, &m)) {
		ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "the policy of this target has no "
			       "smccc-bpf metadata (not attached by %s?)", cli->prog);
		goto out;
	}
	d.exported = time(NULL);
	d.global = a.target.global;
	d.vm_id = a.target.vm_id;
	ret = export_source(cli, &a.target, &m, &d, &c);
	if (!ret && m.has_stats)
		ret = export_counters(cli, &a.target, &d);
	if (!ret)
		ret = export_buckets(cli, &a.target, &c, &d);
	if (!ret)
		ret = export_output(cli, &a.target, &d, out);
out:
	pins_unlock(lock);
	if (c.rules)
		smccc_compiled_free(&c);
	migrate_doc_free(&d);
	return ret;
}

/* ---- policy import ------------------------------------------------------------- */

static const char import_help[] =
	"Usage: %s policy import (--vm ID | --pid PID | --global) FILE\n"
	"\n"
	"Attaches the policy of FILE, a 'policy export' document ('-': standard\n"
	"input), to the target exactly as 'policy attach' does (a target with a\n"
	"policy is refused, exit 5), with the exported state: the statistics\n"
	"continue from the exported counts (now under the target's VM id), the\n"
	"dropped counters too, and each rate-limit bucket keeps its tokens and\n"
	"age (the time between export and import is not credited). The embedded\n"
	"source is kept as $SMCCC_BPF_STATE_DIR/imported/SHA256.policy (default\n"
	"" STATE_DIR_DEFAULT "), the attached file 'policy show' names.\n"
	"\n"
	"Errors in FILE are reported as FILE:LINE:COL; a source that does not\n"
	"compile as for 'policy check' (exit 3). Nothing changes on failure.\n"
	"FILE is read up to 128 MiB; a device, or a binary file, is refused.\n";

void cli_policy_import_help(const struct cli *cli, FILE *f)
{
	fprintf(f, import_help, cli->prog);
}

struct import_ctx {
	const char *file;		/* the document, for messages */
	const struct migrate_doc *d;
};

/* Every bucket names a rate-limited rule of the compiled source, as exported. */
static int check_buckets(struct cli *cli, const char *file, const struct migrate_doc *d,
			 const struct smccc_compiled *c)
{
	size_t i;

	for (i = 0; i < d->nr_buckets; i++) {
		const struct migrate_bucket *b = &d->buckets[i];
		const struct smccc_policy_rule *r = b->rule_index < c->nr_rules ?
						    &c->rules[b->rule_index] : NULL;

		if (!r || r->id != b->rule || r->line != b->line || !(r->flags & SMCCC_POLICY_F_RATE))
			return cli_fail(cli, CLI_EXIT_ERROR, "the document was edited: export again",
					"%s: rate_buckets[%zu] (rule index %u, rule %u, line %u) is "
					"not a rate-limited rule of the embedded source", file, i,
					b->rule_index, b->rule, b->line);
	}
	if (d->nr_counters > SMCCC_POLICY_STATS_ENTRIES || d->nr_buckets > SMCCC_POLICY_RATE_ENTRIES)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s: %zu counters and %zu buckets, the "
				"maps hold %u and %u", file, d->nr_counters, d->nr_buckets,
				SMCCC_POLICY_STATS_ENTRIES, SMCCC_POLICY_RATE_ENTRIES);
	return CLI_EXIT_OK;
}

/* The document's VM ids become the target's (a --global target keeps them). */
static uint64_t import_vm(const struct cli_target *t, uint64_t exported)
{
	return t->global ? exported : t->vm_id;
}

static int fill_percpu(int fd, const void *key, uint64_t total, int ncpus, __u64 flags)
{
	uint64_t *vals = calloc(ncpus, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	vals[0] = total;	/* the sum is what counts: all on CPU 0 */
	if (bpf_map_update_elem(fd, key, vals, flags))
		err = -errno;
	free(vals);
	return err;
}

static int prefill_counters(const struct cli_target *t, const struct cli_policy_maps *maps,
			    const struct migrate_doc *d, int ncpus)
{
	struct smccc_policy_stats_key key;
	size_t i;
	__u32 k;
	int err;

	for (i = 0; i < d->nr_counters; i++) {
		memset(&key, 0, sizeof(key));
		key.vm_id = import_vm(t, d->counters[i].vm_id);
		key.func_id = d->counters[i].func_id;
		key.action = d->counters[i].action;
		err = fill_percpu(maps->stats_fd, &key, d->counters[i].calls, ncpus, BPF_NOEXIST);
		if (err)
			return err;
	}
	for (k = 0; k < MIGRATE_NR_DROP; k++) {
		err = fill_percpu(maps->dropped_fd, &k, d->dropped[k], ncpus, BPF_ANY);
		if (err)
			return err;
	}
	return 0;
}

static int prefill_buckets(const struct cli_target *t, const struct cli_policy_maps *maps,
			   const struct migrate_doc *d)
{
	struct smccc_policy_rate_key key;
	struct smccc_policy_bucket b;
	uint64_t now = mono_ns();
	size_t i;

	for (i = 0; i < d->nr_buckets; i++) {
		memset(&key, 0, sizeof(key));
		memset(&b, 0, sizeof(b));
		key.vm_id = import_vm(t, d->buckets[i].vm_id);
		key.rule = d->buckets[i].rule_index;
		b.tokens = d->buckets[i].tokens;
		/* The age continues from now: the export-import gap is not credited. */
		b.last_ns = now > d->buckets[i].age_ns ? now - d->buckets[i].age_ns : 0;
		if (bpf_map_update_elem(maps->rate_fd, &key, &b, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

/* cli_policy_attach()'s hook: the state, into the loaded policy's maps. */
static int import_prepare(struct cli *cli, const struct cli_target *t,
			  const struct cli_policy_maps *maps, void *arg)
{
	const struct import_ctx *ctx = arg;
	const struct migrate_doc *d = ctx->d;
	int ncpus = libbpf_num_possible_cpus(), err;

	if (maps->meta->kind != SMCCC_META_SOURCE || maps->stats_fd < 0 || maps->dropped_fd < 0 ||
	    (d->nr_buckets && maps->rate_fd < 0))
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "the loaded policy lacks the maps of the "
				"generic program (stats, dropped, rate)");
	if (ncpus <= 0)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "cannot count the possible CPUs");
	err = prefill_counters(t, maps, d, ncpus);
	if (!err)
		err = prefill_buckets(t, maps, d);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "filling the new policy's maps from %s: "
				"%s (nothing attached)", ctx->file, strerror(-err));
	if (!d->has_rate)
		cli_note(cli, "%s has no rate-limit state (exported from an older attachment): "
			 "the buckets start full", ctx->file);
	return CLI_EXIT_OK;
}

/* Compiles the embedded source; diagnostics as for 'policy check'. */
static int import_compile(struct cli *cli, const char *file, const struct migrate_doc *d,
			  struct smccc_compiled *c)
{
	struct policy_diags diags = { 0 };
	char *label = NULL, *name = NULL;
	int ret = CLI_EXIT_OK;

	if (asprintf(&label, "%s(source)", file) < 0)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
	if (policy_compile_text(label, d->source, d->source_len, c, &name, &diags)) {
		cli_fputs_esc(cli->err, policy_diags_text(&diags), CLI_ESC_LINES);
		ret = cli_fail(cli, CLI_EXIT_POLICY, NULL, "the policy embedded in %s does not "
			       "compile (%u error%s)", file, diags.errors,
			       diags.errors == 1 ? "" : "s");
	}
	free(name);
	free(label);
	policy_diags_free(&diags);
	return ret;
}

/* mkdir -p dir (0755). */
static int mkdir_p(const char *dir)
{
	char p[PATH_MAX];
	size_t i;

	cli_strlcpy(p, dir, sizeof(p));
	for (i = 1; p[i]; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		p[i] = '/';
	}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

/*
 * Keeps the source as STATE/imported/SHA256.policy. Returns an exit code.
 * The file is never removed, not even when the import then fails: another
 * import of the same text may already have attached a policy whose meta
 * names it (the name is the content, so a later import reuses it).
 */
static int keep_source(struct cli *cli, const struct migrate_doc *d, char *path, size_t len)
{
	const char *state = getenv("SMCCC_BPF_STATE_DIR");
	char dir[PATH_MAX], sha[65];
	uint8_t have[CLI_SHA256_LEN];
	size_t old_len;
	char *old;

	if (!state || !*state)
		state = STATE_DIR_DEFAULT;
	cli_hex(d->sha256, sizeof(d->sha256), sha);
	snprintf(dir, sizeof(dir), "%s/imported", state);
	snprintf(path, len, "%s/%s.policy", dir, sha);
	if (mkdir_p(dir))
		return cli_fail(cli, errno == EACCES ? CLI_EXIT_PERM : CLI_EXIT_ERROR,
				"set SMCCC_BPF_STATE_DIR to a writable directory",
				"cannot create %s: %s", dir, strerror(errno));
	old = cli_read_file(path, CLI_MAX_POLICY_FILE, &old_len);
	if (old) {
		cli_sha256(old, old_len, have);
		free(old);
		if (!memcmp(have, d->sha256, sizeof(have)))
			return CLI_EXIT_OK;	/* the same text, kept by an earlier import */
	}
	return write_atomic(cli, path, d->source, d->source_len, 0644);
}

/* The document has the state of at most one VM, unless the target is --global. */
static int check_vms(struct cli *cli, const char *file, const struct cli_target *t,
		     const struct migrate_doc *d)
{
	uint64_t vm = 0;
	bool any = false;
	size_t i;

	if (t->global)
		return CLI_EXIT_OK;
	for (i = 0; i < d->nr_counters + d->nr_buckets; i++) {
		uint64_t v = i < d->nr_counters ? d->counters[i].vm_id :
				 d->buckets[i - d->nr_counters].vm_id;

		if (any && v != vm)
			return cli_fail(cli, CLI_EXIT_ERROR, "import it with --global",
					"%s holds the state of several VMs (%" PRIu64 " and %" PRIu64
					", a --global export): a VM takes one", file, vm, v);
		vm = v;
		any = true;
	}
	return CLI_EXIT_OK;
}

static int import_doc(struct cli *cli, const char *file, struct migrate_doc *d)
{
	uint8_t sha[CLI_SHA256_LEN];
	const char *kind;
	char why[320];
	size_t len;
	char *text;
	int err, ret;

	ret = cli_read_input(cli, file, "export document", CLI_MAX_EXPORT_DOC, &text, &len);
	if (ret)
		return ret;
	/* A binary file gets one line saying what it is, not a JSON error at 1:1. */
	kind = cli_binary_kind(text, len);
	if (kind) {
		free(text);
		return cli_fail(cli, CLI_EXIT_ERROR, "FILE must be the JSON document 'policy "
				"export' writes", "%s is %s, not an export document (JSON)", file,
				kind);
	}
	err = migrate_doc_parse(text, len, d, why, sizeof(why));
	free(text);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, "FILE must be a whole 'policy export' document",
				"%s:%s", file, why);
	cli_sha256(d->source, d->source_len, sha);
	if (memcmp(sha, d->sha256, sizeof(sha)))
		return cli_fail(cli, CLI_EXIT_ERROR, "export the policy again",
				"%s: the embedded source does not match its sha256 (the document "
				"was edited or damaged)", file);
	return CLI_EXIT_OK;
}

int cli_policy_import(struct cli *cli, int argc, char **argv)
{
	struct smccc_compiled c;
	struct migrate_doc d;
	struct import_ctx ctx;
	struct cli_attach_opts opts = { .verb = "imported", .prepare = import_prepare };
	struct cli_args a;
	char path[PATH_MAX + 80];
	int ret;

	ret = cli_parse_args(cli, "policy", argc, argv, CLI_ARG_TARGET, &a);
	if (ret)
		return ret;
	if (!a.target.set || a.nr_pos != 1)
		return cli_usage_error(cli, "policy", "'policy import' takes --vm ID, --pid PID or "
				       "--global, and one FILE");
	memset(&c, 0, sizeof(c));
	memset(&d, 0, sizeof(d));
	ret = import_doc(cli, a.pos[0], &d);
	if (ret) {
		migrate_doc_free(&d);
		return ret;
	}
	/* Everything that can refuse the import comes before the kept source. */
	ret = check_vms(cli, a.pos[0], &a.target, &d) ?:
	      import_compile(cli, a.pos[0], &d, &c) ?:
	      check_buckets(cli, a.pos[0], &d, &c) ?:
	      cli_check_kernel(cli) ?: cli_check_bpffs(cli);
	if (!ret)
		ret = keep_source(cli, &d, path, sizeof(path));
	if (!ret) {
		ctx = (struct import_ctx){ .file = a.pos[0], .d = &d };
		opts.arg = &ctx;
		ret = cli_policy_attach(cli, &a.target, path, &opts);
	}
	if (!ret && !cli->json)
		cli_note(cli, "carried over: %zu counters, %zu rate buckets%s", d.nr_counters,
			 d.nr_buckets, d.has_rate ? "" : " (none exported)");
	if (c.rules)
		smccc_compiled_free(&c);
	migrate_doc_free(&d);
	return ret;
}
