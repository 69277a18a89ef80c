// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy: check, attach, replace, detach, show, explain, diff.
 *
 * A policy is either a policy file (compiled by the policy language
 * library and loaded into the generic program bpf/policy.bpf.c through
 * policy_maps.c) or a hand-written BPF object with one kvm_smccc_ops
 * struct_ops map. Attached policies are pinned (cli_pins.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_baseline.h"
#include "cli_pins.h"
#include "cli_policy.h"
#include "cli_vm.h"
#include "policy_compile.h"
#include "policy_diff.h"
#include "policy_eval.h"
#include "policy_maps.h"
#include "policy_services.h"

/* BPF_F_LINK (Linux 6.4): the toolchain's <linux/bpf.h> may predate it. */
#define CLI_BPF_F_LINK	(1U << 13)

/* ---- compiling ------------------------------------------------------------- */

struct source {
	char *text;
	size_t len;
	char *name;			/* policy "name"; NULL if none */
	struct smccc_compiled c;
	struct policy_diags diags;
	bool compiled;
};

static void source_free(struct source *s)
{
	free(s->text);
	free(s->name);
	if (s->compiled)
		smccc_compiled_free(&s->c);
	policy_diags_free(&s->diags);
	memset(s, 0, sizeof(*s));
}

/* Diagnostics quote the source: escaped, the lines and the caret under them kept. */
static void print_diags(struct cli *cli, struct policy_diags *d)
{
	if (d->len)
		cli_fputs_esc(cli->err, policy_diags_text(d), CLI_ESC_LINES);
}

/*
 * A binary file given for policy text: one line saying what it is, not
 * the compiler's diagnostics for every byte. kind: cli_binary_kind()'s.
 */
static int not_policy_text(struct cli *cli, const char *path, const char *kind)
{
	char hint[256];

	if (!strcmp(kind, "an ELF BPF object"))
		snprintf(hint, sizeof(hint), "a compiled policy is attached as it is: '%s policy "
			 "attach (--vm ID | --pid PID | --global) FILE', or 'bpftool struct_ops "
			 "register FILE'", cli->prog);
	else
		snprintf(hint, sizeof(hint), "give a policy file: text in the policy language, "
			 "smccc-bpf-policy(5)");
	return cli_fail(cli, CLI_EXIT_POLICY, hint, "%s is %s, not policy text", path, kind);
}

/* path's text into s (at most a policy file's limit); an exit code, reported. */
static int read_source(struct cli *cli, const char *path, struct source *s)
{
	const char *kind;
	int ret;

	ret = cli_read_input(cli, path, "policy file", CLI_MAX_POLICY_FILE, &s->text, &s->len);
	if (ret)
		return ret;
	kind = cli_binary_kind(s->text, s->len);
	if (kind) {
		free(s->text);
		s->text = NULL;
		return not_policy_text(cli, path, kind);
	}
	return CLI_EXIT_OK;
}

/*
 * Reads and compiles path; diagnostics go to err (with -j, the caller puts
 * them in its JSON). CLI_EXIT_OK, CLI_EXIT_POLICY (errors) or, with
 * s->text NULL, what reading it gave (CLI_EXIT_NOENT: no such file;
 * CLI_EXIT_POLICY: binary, not policy text), reported.
 */
static int compile(struct cli *cli, const char *path, struct source *s, bool want_diags)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = read_source(cli, path, s);
	if (ret)
		return ret;
	s->compiled = !policy_compile_text(path, s->text, s->len, &s->c, &s->name, &s->diags);
	if (want_diags)
		print_diags(cli, &s->diags);
	return s->compiled ? CLI_EXIT_OK : CLI_EXIT_POLICY;
}

static const char *mode_name(bool permissive)
{
	return permissive ? "permissive" : "enforce";
}

/* ---- policy check ------------------------------------------------------------ */

static int do_check(struct cli *cli, int argc, char **argv)
{
	struct cli_args a;
	struct source s;
	int ret;

	ret = cli_parse_args(cli, "policy", argc, argv, 0, &a);
	if (ret)
		return ret;
	if (a.nr_pos != 1)
		return cli_usage_error(cli, "policy", "'policy check' takes one FILE");

	ret = compile(cli, a.pos[0], &s, !cli->json);
	if (ret == CLI_EXIT_NOENT || (ret && !s.text))
		return ret;
	if (cli->json) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "file", a.pos[0]);
		jw_bool_field(cli->jw, "ok", s.compiled);
		jw_uint_field(cli->jw, "errors", s.diags.errors);
		jw_uint_field(cli->jw, "warnings", s.diags.warnings);
		jw_string_field(cli->jw, "diagnostics", policy_diags_text(&s.diags));
		if (s.compiled) {
			jw_string_field(cli->jw, "name", s.name);
			jw_uint_field(cli->jw, "rules", s.c.nr_rules);
			jw_uint_field(cli->jw, "exact_ids", s.c.nr_exact);
			jw_uint_field(cli->jw, "segments", s.c.nr_segments);
			jw_string_field(cli->jw, "default", cli_action_name(s.c.config.default_action));
			jw_string_field(cli->jw, "mode", mode_name(s.c.config.permissive));
			jw_string_field(cli->jw, "discovery",
					smccc_policy_discovery_name(s.c.config.discovery));
		}
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
	} else if (s.compiled) {
		fprintf(cli->out, "%s: OK: policy %s%s%s: %u rule%s, default %s, %s%s "
			"(%u exact IDs, %u segments)%s\n", cli_esc(a.pos[0]), s.name ? "\"" : "",
			s.name ? cli_esc(s.name) : "(unnamed)", s.name ? "\"" : "",
			s.c.nr_rules, s.c.nr_rules == 1 ? "" : "s",
			cli_action_name(s.c.config.default_action), mode_name(s.c.config.permissive),
			s.c.config.discovery ? ", discovery hide-denied" : "",
			s.c.nr_exact, s.c.nr_segments,
			s.diags.warnings ? ", with warnings" : "");
	} else {
		fprintf(cli->err, "%s: %u error%s, %u warning%s\n", cli_esc(a.pos[0]),
			s.diags.errors, s.diags.errors == 1 ? "" : "s", s.diags.warnings,
			s.diags.warnings == 1 ? "" : "s");
	}
	ret = s.compiled ? CLI_EXIT_OK : CLI_EXIT_POLICY;
	source_free(&s);
	return ret;
}

/* ---- loading ------------------------------------------------------------------- */

struct loaded {
	struct policy_bpf *skel;	/* a policy file: the generic program */
	struct bpf_object *obj;		/* skel's object, or the hand-written one */
	struct bpf_map *ops;		/* its kvm_smccc_ops map */
	struct smccc_meta meta;
	int stats_fd, events_fd, dropped_fd;	/* -1: the policy has none */
	int rate_fd;				/* its rate-limit buckets, -1: none */
	int vm_fd;		/* our copy of the VM's fd until attached, -1: none */
	bool by_id;		/* a VM named by id only: the object has no vm_fd */
	bool vm_gone;		/* the VM does not exist (any pins of it are stale) */
};

/* Once the kernel has (or has refused) the policy: holding the fd would keep the VM alive. */
static void loaded_drop_vm_fd(struct loaded *L)
{
	if (L->vm_fd >= 0)
		close(L->vm_fd);
	L->vm_fd = -1;
}

/* Nothing loaded, no fds: what loaded_free() may always be given. */
static void loaded_init(struct loaded *L)
{
	memset(L, 0, sizeof(*L));
	L->stats_fd = L->events_fd = L->dropped_fd = L->rate_fd = L->vm_fd = -1;
}

static void loaded_free(struct loaded *L)
{
	loaded_drop_vm_fd(L);
	if (L->skel)
		smccc_policy_prog_destroy(L->skel);
	else if (L->obj)
		bpf_object__close(L->obj);
	loaded_init(L);
}

/* After a failed load: why, as an exit code. */
static int load_failed(struct cli *cli, int err, const struct cli_target *t, const char *path)
{
	char what[PATH_MAX + 32];

	if (err < 0)
		err = -err;
	if (err == EPERM)
		return cli_fail_errno(cli, err, t, "loading the policy");
	if (cli_libbpf_has_verifier_log()) {
		cli_libbpf_print_tail(cli, 20);
		return cli_fail(cli, CLI_EXIT_VERIFIER, "the policy stays as it was; -d shows the whole log",
				"the BPF verifier rejected %s (%s)", path, strerror(err));
	}
	cli_libbpf_print_tail(cli, 10);
	snprintf(what, sizeof(what), "loading %s", path);
	return cli_fail_errno(cli, err, t, what);
}

/* Maps of a hand-written object that follow the generic program's ABI. */
static int abi_map_fd(struct bpf_object *obj, const char *name, enum bpf_map_type type,
		      __u32 key_size, __u32 value_size)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	if (!m || bpf_map__type(m) != type)
		return -1;
	if (type != BPF_MAP_TYPE_RINGBUF &&
	    (bpf_map__key_size(m) != key_size || bpf_map__value_size(m) != value_size))
		return -1;
	return bpf_map__fd(m);
}

static void record_maps(struct loaded *L)
{
	L->stats_fd = abi_map_fd(L->obj, SMCCC_POLICY_MAP_STATS, BPF_MAP_TYPE_PERCPU_HASH,
				 sizeof(struct smccc_policy_stats_key), sizeof(__u64));
	L->events_fd = abi_map_fd(L->obj, SMCCC_POLICY_MAP_EVENTS, BPF_MAP_TYPE_RINGBUF, 0, 0);
	L->dropped_fd = abi_map_fd(L->obj, SMCCC_POLICY_MAP_DROPPED, BPF_MAP_TYPE_PERCPU_ARRAY,
				   sizeof(__u32), sizeof(__u64));
	L->rate_fd = abi_map_fd(L->obj, SMCCC_POLICY_MAP_RATE, BPF_MAP_TYPE_HASH,
				sizeof(struct smccc_policy_rate_key),
				sizeof(struct smccc_policy_bucket));
	L->meta.has_stats = L->stats_fd >= 0;
	L->meta.has_events = L->events_fd >= 0;
}

/*
 * Before load: names the target in the struct_ops map. A VM is named by
 * its id and by a copy of its fd taken from its VMM: the kernel attaches
 * a policy through a VM fd without CAP_SYS_ADMIN, and checks the id
 * against it. An object built without vm_fd names its VM by id only.
 */
static int set_target(struct cli *cli, const struct cli_target *t, const char *path,
		      struct loaded *L)
{
	struct ops_layout l;
	struct cli_vm vm;
	int ret, err;

	err = ops_set_vm_id(L->obj, L->ops, t->vm_id);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s: cannot set vm_id of map %s: %s",
				path, bpf_map__name(L->ops), strerror(-err));
	if (t->global)
		return CLI_EXIT_OK;
	ret = cli_vm_lookup(cli, t, &vm, &L->vm_gone) ?:
	      cli_vm_take_fd(cli, &vm, &L->vm_fd, &L->vm_gone);
	if (ret)
		return ret;
	err = ops_layout_get(cli->btf_path, &l);
	if (err || !l.vm_fd_off)
		return cli_fail(cli, CLI_EXIT_SYSTEM,
				"boot a kernel built from this tree's kernel/patches",
				"the kernel's kvm_smccc_ops (%s) %s", cli->btf_path,
				err ? "cannot be read" : "has no vm_fd: an older smccc-bpf series");
	err = ops_set_vm_fd(L->obj, L->ops, L->vm_fd);
	if (err == -ENOENT) {
		cli_note(cli, "%s: its kvm_smccc_ops has no vm_fd (built against an older "
			 "vmlinux.h): attaching by VM id, which needs CAP_SYS_ADMIN", path);
		loaded_drop_vm_fd(L);
		L->by_id = true;
		return CLI_EXIT_OK;
	}
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s: cannot set vm_fd of map %s: %s",
				path, bpf_map__name(L->ops), strerror(-err));
	return CLI_EXIT_OK;
}

static int load_object(struct cli *cli, const char *path, const struct cli_target *t,
		       struct loaded *L)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	int count, err;

	L->obj = bpf_object__open_file(path, &opts);
	if (!L->obj) {
		err = errno;
		cli_libbpf_print_tail(cli, 5);
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s: not a BPF object libbpf can open: %s",
				path, strerror(err));
	}
	L->ops = ops_find_map(L->obj, &count);
	if (!L->ops)
		return cli_fail(cli, CLI_EXIT_ERROR,
				"a policy object declares one struct kvm_smccc_ops in "
				"SEC(\".struct_ops.link\") (SMCCC_BPF_POLICY() of smccc_bpf.bpf.h)",
				"%s has %s kvm_smccc_ops struct_ops map", path,
				count ? "more than one" : "no");
	/* Only a link-based struct_ops can be pinned and replaced. */
	if (!(bpf_map__map_flags(L->ops) & CLI_BPF_F_LINK))
		bpf_map__set_map_flags(L->ops, bpf_map__map_flags(L->ops) | CLI_BPF_F_LINK);
	err = set_target(cli, t, path, L);
	if (err)
		return err;
	cli_libbpf_reset();
	err = bpf_object__load(L->obj);
	if (err)
		return load_failed(cli, err, t, path);
	snprintf(L->meta.name, sizeof(L->meta.name), "%s", bpf_map__name(L->ops));
	L->meta.kind = SMCCC_META_OBJECT;
	record_maps(L);
	return CLI_EXIT_OK;
}

static int load_source(struct cli *cli, struct source *s, const char *path,
		       const struct cli_target *t, struct loaded *L)
{
	int err;

	cli_libbpf_reset();
	L->skel = smccc_policy_prog_open(&s->c, t->vm_id);
	if (!L->skel)
		return load_failed(cli, errno, t, path);
	L->obj = smccc_policy_prog_obj(L->skel);
	L->ops = ops_find_map(L->obj, &err);
	if (!L->ops)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL,
				"the generic policy program has no kvm_smccc_ops map");
	err = set_target(cli, t, path, L);
	if (err)
		return err;
	cli_libbpf_reset();
	err = smccc_policy_prog_load_opened(L->skel, &s->c);
	if (err)
		return load_failed(cli, err, t, path);
	L->meta.kind = SMCCC_META_SOURCE;
	cli_strlcpy(L->meta.name, s->name ? s->name : "", sizeof(L->meta.name));
	L->meta.nr_rules = s->c.nr_rules;
	L->meta.nr_exact = s->c.nr_exact;
	L->meta.nr_segments = s->c.nr_segments;
	L->meta.default_action = s->c.config.default_action;
	L->meta.permissive = s->c.config.permissive;
	record_maps(L);
	return CLI_EXIT_OK;
}

/*
 * Reads path, compiles it if it is policy text, opens it if it is a BPF
 * object, names t in it (for a VM: takes a copy of the VM's fd, L->vm_fd)
 * and loads it (nothing attached yet).
 */
static int load_policy(struct cli *cli, const char *path, const struct cli_target *t,
		       struct loaded *L)
{
	struct source s;
	char abs[PATH_MAX];
	const char *kind;
	struct stat st;
	int ret;

	loaded_init(L);
	memset(&s, 0, sizeof(s));
	/* An object may be larger than policy text: which one it is, is known once read. */
	ret = cli_read_input(cli, path, "policy file or BPF object", CLI_MAX_BPF_OBJECT, &s.text,
			     &s.len);
	if (ret)
		return ret;
	kind = cli_binary_kind(s.text, s.len);
	if (!kind && s.len > CLI_MAX_POLICY_FILE) {
		source_free(&s);
		return cli_input_too_large(cli, path, "policy file", CLI_MAX_POLICY_FILE);
	}
	if (kind && strcmp(kind, "an ELF BPF object")) {
		source_free(&s);
		return not_policy_text(cli, path, kind);
	}
	cli_sha256(s.text, s.len, L->meta.sha256);
	L->meta.magic = SMCCC_META_MAGIC;
	L->meta.version = SMCCC_META_VERSION;
	L->meta.vm_id = t->vm_id;
	if (!strcmp(path, "-"))
		snprintf(L->meta.path, sizeof(L->meta.path), "(stdin)");
	else
		cli_strlcpy(L->meta.path, realpath(path, abs) ? abs : path, sizeof(L->meta.path));

	if (kind) {
		source_free(&s);
		/* libbpf opens it again: a pipe would give it nothing, or something else. */
		if (!strcmp(path, "-") || stat(path, &st) || !S_ISREG(st.st_mode))
			return cli_fail(cli, CLI_EXIT_USAGE, NULL,
					"a BPF object must be a regular file, not %s",
					strcmp(path, "-") ? "a pipe" : "stdin");
		return load_object(cli, path, t, L);
	}
	s.compiled = !policy_compile_text(path, s.text, s.len, &s.c, &s.name, &s.diags);
	print_diags(cli, &s.diags);
	if (!s.compiled) {
		ret = cli_fail(cli, CLI_EXIT_POLICY, NULL, "%s does not compile (%u error%s)", path,
			       s.diags.errors, s.diags.errors == 1 ? "" : "s");
		source_free(&s);
		return ret;
	}
	ret = load_source(cli, &s, path, t, L);
	source_free(&s);
	return ret;
}

/* ---- attach, replace, detach ------------------------------------------------------- */

static int parse_target_file(struct cli *cli, int argc, char **argv, struct cli_args *a,
			     bool want_file)
{
	int ret = cli_parse_args(cli, "policy", argc, argv, CLI_ARG_TARGET, a);

	if (ret)
		return ret;
	if (!a->target.set)
		return cli_usage_error(cli, "policy", "'policy %s' needs --vm ID, --pid PID or "
				       "--global", argv[0]);
	if (want_file && a->nr_pos != 1)
		return cli_usage_error(cli, "policy", "'policy %s' takes one FILE (policy or .bpf.o)",
				       argv[0]);
	if (!want_file && a->nr_pos)
		return cli_usage_error(cli, "policy", "'policy %s' takes no FILE", argv[0]);
	return 0;
}

static int lock_pins(struct cli *cli, int *fd)
{
	*fd = pins_lock(cli->pin_root);
	if (*fd >= 0)
		return 0;
	if (*fd == -EPERM || *fd == -EACCES)
		return cli_fail(cli, CLI_EXIT_PERM,
				"run as root, or as a user who may write there: policies are pinned there",
				"cannot create or lock %s: %s", cli->pin_root, strerror(-*fd));
	return cli_fail(cli, CLI_EXIT_ERROR, NULL, "cannot create or lock %s: %s", cli->pin_root,
			strerror(-*fd));
}

/*
 * The program id from the loaded object: without CAP_SYS_ADMIN the
 * kernel opens no map by id, so ops_link_info() cannot read it.
 */
static void loaded_prog_id(const struct loaded *L, struct ops_info *info)
{
	struct bpf_program *prog = ops_prog(L->obj, L->ops, "decide");
	struct bpf_prog_info pi;
	__u32 len = sizeof(pi);

	memset(&pi, 0, sizeof(pi));
	if (prog && !bpf_prog_get_info_by_fd(bpf_program__fd(prog), &pi, &len))
		info->prog_id = pi.id;
}

/* What was done, with the kernel's ids; L: the policy just loaded, if any. */
static void report(struct cli *cli, const char *verb, const struct cli_target *t,
		   const struct smccc_meta *m, const struct loaded *L)
{
	char tn[32], td[64], dir[512], sha[2 * CLI_SHA256_LEN + 1];
	struct ops_layout l;
	struct ops_info info = { 0 };
	char path[600];
	int fd;

	pins_dir(cli->pin_root, t, dir, sizeof(dir));
	pins_path(cli->pin_root, t, PINS_LINK, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		ops_link_info(fd, ops_layout_get(cli->btf_path, &l) ? NULL : &l, &info);
		close(fd);
	}
	if (L && !info.prog_id)
		loaded_prog_id(L, &info);
	cli_hex(m->sha256, CLI_SHA256_LEN, sha);
	if (cli->json) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "result", verb);
		jw_string_field(cli->jw, "target", cli_target_name(t, tn, sizeof(tn)));
		jw_uint_field(cli->jw, "vm_id", t->vm_id);
		jw_string_field(cli->jw, "name", m->name);
		jw_string_field(cli->jw, "file", m->path);
		jw_string_field(cli->jw, "kind", m->kind == SMCCC_META_OBJECT ? "object" : "source");
		jw_string_field(cli->jw, "sha256", sha);
		jw_uint_field(cli->jw, "link_id", info.link_id);
		jw_uint_field(cli->jw, "prog_id", info.prog_id);
		jw_uint_field(cli->jw, "map_id", info.map_id);
		jw_string_field(cli->jw, "pinned", dir);
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
		return;
	}
	/* The name and path come from the pinned meta map: anyone's with bpffs access. */
	fprintf(cli->out, "%s %s%s%s (%s) %s %s: link %u, prog %u, map %u; pinned in %s\n",
		verb, m->name[0] ? "policy \"" : "policy", cli_esc(m->name), m->name[0] ? "\"" : "",
		cli_esc(m->path), strcmp(verb, "detached") ? "to" : "from",
		cli_target_desc(t, td, sizeof(td)), info.link_id, info.prog_id, info.map_id,
		cli_esc(dir));
}

/* The maps of L, for an attach hook. */
static void loaded_maps(const struct loaded *L, struct cli_policy_maps *m)
{
	m->stats_fd = L->stats_fd;
	m->events_fd = L->events_fd;
	m->dropped_fd = L->dropped_fd;
	m->rate_fd = L->rate_fd;
	m->meta = &L->meta;
}

/* The kernel refused the link (or the update, for replace). */
static int attach_failed(struct cli *cli, int err, const struct cli_target *t,
			 const struct loaded *L, const char *path, const char *what)
{
	if (err < 0)
		err = -err;
	if (err == EPERM && L->by_id)
		return cli_fail(cli, CLI_EXIT_PERM,
				"rebuild it against this kernel's vmlinux.h (its kvm_smccc_ops has a "
				"vm_fd): attaching through the VM's fd needs no CAP_SYS_ADMIN",
				"%s names VM %" PRIu64 " by id only, and attaching by id needs "
				"CAP_SYS_ADMIN: %s", path, t->vm_id, strerror(err));
	return cli_fail_errno(cli, err, t, what);
}

int cli_policy_attach(struct cli *cli, const struct cli_target *t, const char *path,
		      const struct cli_attach_opts *opts)
{
	struct pins_item items[6];
	struct bpf_link *link = NULL;
	struct cli_policy_maps maps;
	struct loaded L;
	char tn[32], td[64], hint[256];
	int ret, lock = -1, meta_fd = -1, err;

	loaded_init(&L);
	cli_target_name(t, tn, sizeof(tn));
	cli_target_desc(t, td, sizeof(td));
	ret = cli_check_kernel(cli) ?: cli_check_bpffs(cli) ?: lock_pins(cli, &lock);
	if (ret)
		return ret;

	/* A policy that does not compile or load is reported as such first. */
	ret = load_policy(cli, path, t, &L);
	if (ret) {
		/* Pins of a VM that no longer exists: the kernel detached its policy. */
		if (L.vm_gone && pins_attached(cli->pin_root, t)) {
			cli_note(cli, "removing the pins of %s: the VM no longer exists", td);
			pins_remove(cli->pin_root, t);
		}
		goto out;
	}
	/* The VM is there (we hold its fd): pins of it are a live policy. */
	if (pins_attached(cli->pin_root, t)) {
		snprintf(hint, sizeof(hint), "to swap it atomically: %s policy replace %s%s FILE",
			 cli->prog, t->global ? "--global" : "--vm ", t->global ? "" : tn + 3);
		ret = cli_fail(cli, CLI_EXIT_BUSY, hint,
			       "%s already has a policy attached by %s (see '%s policy show')",
			       td, cli->prog, cli->prog);
		goto out;
	}

	if (opts && opts->prepare) {
		loaded_maps(&L, &maps);
		ret = opts->prepare(cli, t, &maps, opts->arg);
		if (ret)
			goto out;
	}
	link = bpf_map__attach_struct_ops(L.ops);
	err = errno;
	loaded_drop_vm_fd(&L);
	if (!link) {
		ret = attach_failed(cli, err, t, &L, path, "attaching");
		goto out;
	}
	L.meta.attached = time(NULL);
	meta_fd = pins_meta_create(&L.meta);
	if (meta_fd < 0) {
		ret = cli_fail_errno(cli, meta_fd, t, "creating the meta map");
		goto detach;
	}
	items[0] = (struct pins_item){ PINS_META, meta_fd };
	items[1] = (struct pins_item){ PINS_STATS, L.stats_fd };
	items[2] = (struct pins_item){ PINS_EVENTS, L.events_fd };
	items[3] = (struct pins_item){ PINS_DROPPED, L.dropped_fd };
	items[4] = (struct pins_item){ PINS_RATE, L.rate_fd };
	items[5] = (struct pins_item){ PINS_LINK, bpf_link__fd(link) };
	err = pins_publish(cli->pin_root, t, items, ARRAY_SIZE(items));
	if (err) {
		ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "pinning in %s/%s: %s", cli->pin_root, tn,
			       strerror(-err));
		pins_remove(cli->pin_root, t);
		goto detach;
	}
	report(cli, opts && opts->verb ? opts->verb : "attached", t, &L.meta, &L);
	ret = CLI_EXIT_OK;
	bpf_link__destroy(link);	/* the pin keeps it */
	link = NULL;
	goto out;
detach:
	bpf_link__destroy(link);	/* unpinned: detaches */
	link = NULL;
out:
	if (meta_fd >= 0)
		close(meta_fd);
	loaded_free(&L);
	pins_unlock(lock);
	return ret;
}

static int do_attach(struct cli *cli, int argc, char **argv)
{
	struct cli_args a;
	int ret = parse_target_file(cli, argc, argv, &a, true);

	return ret ? ret : cli_policy_attach(cli, &a.target, a.pos[0], NULL);
}

static int not_attached(struct cli *cli, const struct cli_target *t, const char *verb_hint)
{
	char td[64], hint[256], tn[32];

	cli_target_name(t, tn, sizeof(tn));
	snprintf(hint, sizeof(hint), "%s; '%s policy show' lists what %s attached", verb_hint,
		 cli->prog, cli->prog);
	return cli_fail(cli, CLI_EXIT_NOENT, hint, "no policy attached to %s by %s (no %s/%s/link)",
			cli_target_desc(t, td, sizeof(td)), cli->prog, cli->pin_root, tn);
}

int cli_policy_not_attached(struct cli *cli, const struct cli_target *t, const char *verb_hint)
{
	return not_attached(cli, t, verb_hint);
}

int cli_policy_lock(struct cli *cli, int *fd)
{
	return lock_pins(cli, fd);
}

static int do_replace(struct cli *cli, int argc, char **argv)
{
	struct pins_item items[5];
	struct smccc_meta old;
	struct ops_layout l;
	struct loaded L;
	struct cli_args a;
	char path[600], td[64], tn[32], hint[128];
	int ret, lock = -1, link_fd = -1, meta_fd = -1, err;

	ret = parse_target_file(cli, argc, argv, &a, true);
	if (ret)
		return ret;
	loaded_init(&L);
	cli_target_desc(&a.target, td, sizeof(td));
	cli_target_name(&a.target, tn, sizeof(tn));
	ret = cli_check_kernel(cli) ?: cli_check_bpffs(cli) ?: lock_pins(cli, &lock);
	if (ret)
		return ret;
	if (!pins_attached(cli->pin_root, &a.target)) {
		ret = not_attached(cli, &a.target, "attach one with 'policy attach'");
		goto out;
	}
	err = ops_layout_get(cli->btf_path, &l);
	if (err) {
		ret = cli_fail(cli, CLI_EXIT_SYSTEM, NULL,
			       "cannot find struct bpf_struct_ops_kvm_smccc_ops in %s: %s",
			       cli->btf_path, strerror(-err));
		goto out;
	}
	pins_path(cli->pin_root, &a.target, PINS_LINK, path, sizeof(path));
	link_fd = bpf_obj_get(path);
	if (link_fd < 0) {
		ret = cli_fail_errno(cli, errno, &a.target, "opening the pinned link");
		goto out;
	}
	if (pins_meta_read(cli->pin_root, &a.target, &old))
		memset(&old, 0, sizeof(old));

	/* The new policy, loaded but not attached: failing here changes nothing. */
	ret = load_policy(cli, a.pos[0], &a.target, &L);
	if (ret) {
		if (L.vm_gone)
			cli_note(cli, "the pinned policy of %s went with its VM; remove its pins: "
				 "%s policy detach --vm %s", td, cli->prog, tn + 3);
		else
			cli_note(cli, "the policy of %s was not changed", td);
		goto out;
	}
	err = ops_update_link(link_fd, L.obj, L.ops, &l);
	loaded_drop_vm_fd(&L);
	if (err) {
		if (err == -ENOENT) {
			snprintf(hint, sizeof(hint), "remove its pins: %s policy detach %s%s", cli->prog,
				 a.target.global ? "--global" : "--vm ", a.target.global ? "" : tn + 3);
			ret = cli_fail(cli, CLI_EXIT_NOENT, hint,
				       "the pinned policy of %s is no longer attached (its VM is gone?)",
				       td);
		} else {
			ret = attach_failed(cli, err, &a.target, &L, a.pos[0],
					    "replacing (BPF_LINK_UPDATE)");
			cli_note(cli, "the policy of %s was not changed", td);
		}
		goto out;
	}
	/* Replaced: now the pins. */
	L.meta.attached = old.attached ? old.attached : (uint64_t)time(NULL);
	L.meta.replaced = time(NULL);
	L.meta.generation = old.generation + 1;
	meta_fd = pins_meta_create(&L.meta);
	items[0] = (struct pins_item){ PINS_STATS, L.stats_fd };
	items[1] = (struct pins_item){ PINS_EVENTS, L.events_fd };
	items[2] = (struct pins_item){ PINS_DROPPED, L.dropped_fd };
	items[3] = (struct pins_item){ PINS_RATE, L.rate_fd };
	items[4] = (struct pins_item){ PINS_META, meta_fd };
	err = meta_fd < 0 ? meta_fd : pins_publish(cli->pin_root, &a.target, items,
						     ARRAY_SIZE(items));
	if (err) {
		ret = cli_fail(cli, CLI_EXIT_ERROR, NULL,
			       "the policy was replaced, but re-pinning its maps failed: %s",
			       strerror(-err));
		goto out;
	}
	report(cli, "replaced", &a.target, &L.meta, &L);
	ret = CLI_EXIT_OK;
out:
	if (meta_fd >= 0)
		close(meta_fd);
	if (link_fd >= 0)
		close(link_fd);
	loaded_free(&L);
	pins_unlock(lock);
	return ret;
}

static int do_detach(struct cli *cli, int argc, char **argv)
{
	struct smccc_meta m;
	struct cli_args a;
	char path[600];
	int ret, lock = -1, fd;

	ret = parse_target_file(cli, argc, argv, &a, false);
	if (ret)
		return ret;
	ret = cli_check_bpffs(cli) ?: lock_pins(cli, &lock);
	if (ret)
		return ret;
	if (!pins_attached(cli->pin_root, &a.target)) {
		ret = not_attached(cli, &a.target, "nothing to detach");
		goto out;
	}
	if (pins_meta_read(cli->pin_root, &a.target, &m))
		memset(&m, 0, sizeof(m));
	report(cli, "detached", &a.target, &m, NULL);
	pins_path(cli->pin_root, &a.target, PINS_LINK, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		/* Detach now, even if another process still holds the link. */
		if (bpf_link_detach(fd) && errno != ENOLINK && errno != EOPNOTSUPP &&
		    errno != EINVAL)
			cli_warn(cli, "BPF_LINK_DETACH: %s (removing the pins detaches it)",
				 strerror(errno));
		close(fd);
	} else if (errno == EPERM || errno == EACCES) {
		ret = cli_fail_errno(cli, EPERM, &a.target, "opening the pinned link");
		goto out;
	}
	pins_remove(cli->pin_root, &a.target);
	ret = CLI_EXIT_OK;
out:
	pins_unlock(lock);
	return ret;
}

/* ---- show ------------------------------------------------------------------------ */

static void fmt_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = t;
	struct tm tm;

	if (!t || !localtime_r(&tt, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* vms: the VMs of the host, NULL if /proc could not be read. */
static void show_one(struct cli *cli, const struct cli_target *t, const struct ops_layout *l,
		     const struct cli_vms *vms)
{
	char path[600], tn[32], sha[2 * CLI_SHA256_LEN + 1], at[32], rt[32];
	struct ops_info info = { 0 };
	struct smccc_meta m;
	bool have_meta, have_vm = false, vm_alive = false;
	int fd;

	cli_target_name(t, tn, sizeof(tn));
	pins_path(cli->pin_root, t, PINS_LINK, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		ops_link_info(fd, l, &info);
		close(fd);
	}
	have_meta = !pins_meta_read(cli->pin_root, t, &m);
	if (!have_meta)
		memset(&m, 0, sizeof(m));
	if (!t->global && vms)
		have_vm = cli_vms_knows(vms, t->vm_id, &vm_alive);
	cli_hex(m.sha256, CLI_SHA256_LEN, sha);
	fmt_time(m.attached, at, sizeof(at));
	fmt_time(m.replaced, rt, sizeof(rt));

	if (cli->json) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "target", tn);
		jw_uint_field(cli->jw, "vm_id", t->vm_id);
		jw_bool_field(cli->jw, "global", t->global);
		jw_uint_field(cli->jw, "link_id", info.link_id);
		jw_uint_field(cli->jw, "prog_id", info.prog_id);
		jw_string_field(cli->jw, "prog_name", info.prog_name);
		jw_uint_field(cli->jw, "map_id", info.map_id);
		jw_string_field(cli->jw, "map_name", info.map_name);
		if (have_vm)
			jw_bool_field(cli->jw, "vm_present", vm_alive);
		else
			jw_null_field(cli->jw, "vm_present");
		if (have_meta) {
			jw_string_field(cli->jw, "name", m.name);
			jw_string_field(cli->jw, "file", m.path);
			jw_string_field(cli->jw, "kind",
					m.kind == SMCCC_META_OBJECT ? "object" : "source");
			jw_string_field(cli->jw, "sha256", sha);
			if (m.kind == SMCCC_META_SOURCE) {
				jw_uint_field(cli->jw, "rules", m.nr_rules);
				jw_uint_field(cli->jw, "exact_ids", m.nr_exact);
				jw_uint_field(cli->jw, "segments", m.nr_segments);
				jw_string_field(cli->jw, "default", cli_action_name(m.default_action));
				jw_string_field(cli->jw, "mode", mode_name(m.permissive));
			} else {
				jw_null_field(cli->jw, "rules");
				jw_null_field(cli->jw, "mode");
			}
			jw_uint_field(cli->jw, "attached", m.attached);
			jw_uint_field(cli->jw, "replaced", m.replaced);
			jw_uint_field(cli->jw, "generation", m.generation);
			jw_bool_field(cli->jw, "stats", m.has_stats);
			jw_bool_field(cli->jw, "events", m.has_events);
		}
		jw_end_object(cli->jw);
		return;
	}
	fprintf(cli->out, "%s: link %u  prog %u %s  map %u %s%s\n", tn, info.link_id, info.prog_id,
		info.prog_name[0] ? cli_esc(info.prog_name) : "-", info.map_id,
		info.map_name[0] ? cli_esc(info.map_name) : "-",
		have_vm && !vm_alive ? "  (VM gone: policy detached by the kernel)" : "");
	if (!have_meta) {
		fprintf(cli->out, "\t(no metadata: not attached by %s?)\n", cli->prog);
		return;
	}
	fprintf(cli->out, "\tpolicy %s%s%s from %s\n", m.name[0] ? "\"" : "",
		m.name[0] ? cli_esc(m.name) : "(unnamed)", m.name[0] ? "\"" : "", cli_esc(m.path));
	if (m.kind == SMCCC_META_SOURCE)
		fprintf(cli->out, "\t%u rule%s, default %s, mode %s\n", m.nr_rules,
			m.nr_rules == 1 ? "" : "s", cli_action_name(m.default_action),
			mode_name(m.permissive));
	else
		fprintf(cli->out, "\thand-written BPF object%s\n",
			m.has_stats ? "" : " (no stats/events maps)");
	fprintf(cli->out, "\tsha256 %s\n\tattached %s", sha, at);
	if (m.generation)
		fprintf(cli->out, ", replaced %s (%u time%s)", rt, m.generation,
			m.generation == 1 ? "" : "s");
	fputc('\n', cli->out);
}

static int do_show(struct cli *cli, int argc, char **argv)
{
	struct cli_target *targets = NULL;
	struct ops_layout l, *lp = NULL;
	struct cli_vms vms;
	struct cli_args a;
	size_t n = 0, i;
	int ret, err, scan;

	ret = cli_parse_args(cli, "policy", argc, argv, CLI_ARG_TARGET, &a);
	if (ret)
		return ret;
	if (a.nr_pos)
		return cli_usage_error(cli, "policy", "'policy show' takes no FILE");
	if (!ops_layout_get(cli->btf_path, &l))
		lp = &l;
	if (a.target.set) {
		if (!pins_attached(cli->pin_root, &a.target))
			return not_attached(cli, &a.target, "attach one with 'policy attach'");
		targets = malloc(sizeof(*targets));
		if (!targets)
			return cli_fail(cli, CLI_EXIT_ERROR, NULL, "out of memory");
		targets[0] = a.target;
		n = 1;
	} else {
		err = pins_list(cli->pin_root, &targets, &n);
		if (err)
			return cli_fail(cli, err == -EACCES || err == -EPERM ? CLI_EXIT_PERM :
					CLI_EXIT_ERROR, NULL, "reading %s: %s", cli->pin_root,
					strerror(-err));
	}
	/* Whether each VM is still there: one scan for all. */
	scan = cli_vm_scan(cli->proc, 0, &vms);
	if (cli->json && !a.target.set)
		jw_start_array(cli->jw);
	for (i = 0; i < n; i++)
		show_one(cli, &targets[i], lp, scan ? NULL : &vms);
	cli_vms_free(&vms);
	if (cli->json) {
		if (!a.target.set)
			jw_end_array(cli->jw);
		jw_end_value(cli->jw);
	} else if (!n) {
		cli_note(cli, "no policies attached by %s (nothing pinned in %s)", cli->prog,
			 cli->pin_root);
	}
	free(targets);
	return CLI_EXIT_OK;
}

/* ---- explain ------------------------------------------------------------------------ */

/* A number, a constant or a function name (ids: 1 or 2 IDs). */
static int parse_func(const char *s, uint32_t ids[2])
{
	uint64_t v;

	if (cli_parse_u64(s, &v)) {
		if (v > UINT32_MAX)
			return 0;
		ids[0] = v;
		return 1;
	}
	return smccc_function_ids(s, ids);
}

/* A register value: a number (decimal or 0x hex, "-" for two's complement) or a constant. */
static bool parse_value(const char *s, uint64_t *v)
{
	const struct smccc_constant *k;
	uint64_t mag;

	if (s[0] == '-') {
		/* As strtoll() took it, but no octal: -010 is refused, not -8. */
		if (!cli_parse_u64(s + 1, &mag) || mag > (uint64_t)INT64_MAX + 1)
			return false;
		*v = -mag;
		return true;
	}
	if (cli_parse_u64(s, v))
		return true;
	k = smccc_constant_find(s);
	if (!k)
		return false;
	*v = k->value;
	return true;
}

static const struct smccc_policy_rule *rule_by_id(const struct smccc_compiled *c, uint32_t id,
						  uint32_t *index)
{
	uint32_t i;

	for (i = 0; i < c->nr_rules; i++)
		if (c->rules[i].id == id) {
			if (index)
				*index = i;
			return &c->rules[i];
		}
	return NULL;
}

static const char *lookup_name(enum policy_lookup l)
{
	switch (l) {
	case POLICY_LOOKUP_EXACT:	return "exact";
	case POLICY_LOOKUP_SEGMENT:	return "segment";
	case POLICY_LOOKUP_ARCH:	return "architecture";
	default:			return "default";
	}
}

static void explain_one(struct cli *cli, const struct source *s, const struct policy_call *call,
			unsigned int flags, int nargs)
{
	char fname[64], rtext[256], atext[96];
	struct policy_decision d;
	uint32_t i, j;

	smccc_id_describe(call->func_id, fname, sizeof(fname));
	if (policy_eval(&s->c, call, flags, &d)) {
		cli_fail(cli, CLI_EXIT_ERROR, NULL, "the compiled policy is malformed");
		return;
	}
	policy_action_format(d.decided, d.ret, atext, sizeof(atext));

	if (cli->json) {
		jw_start_object(cli->jw);
		jw_hex_field(cli->jw, "func_id", call->func_id);
		jw_string_field(cli->jw, "function", fname);
		jw_string_field(cli->jw, "conduit", cli_conduit_name(call->conduit));
		jw_uint_field(cli->jw, "vcpu", call->vcpu_id);
		jw_name(cli->jw, "args");
		jw_start_array(cli->jw);
		for (i = 0; i < (uint32_t)nargs; i++)
			jw_hex(cli->jw, call->args[i]);
		jw_end_array(cli->jw);
		jw_string_field(cli->jw, "lookup", lookup_name(d.lookup));
		jw_name(cli->jw, "tried");
		jw_start_array(cli->jw);
		for (i = 0; i < d.nr_tried; i++) {
			const struct smccc_policy_rule *r = rule_by_id(&s->c, d.tried[i], NULL);

			jw_start_object(cli->jw);
			jw_uint_field(cli->jw, "rule", d.tried[i]);
			jw_uint_field(cli->jw, "line", r ? r->line : 0);
			jw_string_field(cli->jw, "text",
					r ? policy_rule_format(r, rtext, sizeof(rtext)) : "?");
			jw_bool_field(cli->jw, "decides", d.rule && d.tried[i] == d.rule);
			jw_end_object(cli->jw);
		}
		jw_end_array(cli->jw);
		jw_uint_field(cli->jw, "rule", d.rule);
		jw_uint_field(cli->jw, "line", d.line);
		jw_string_field(cli->jw, "decided", cli_action_name(d.decided));
		jw_string_field(cli->jw, "decided_text", atext);
		jw_string_field(cli->jw, "action", cli_action_name(d.action));
		jw_bool_field(cli->jw, "over_limit", d.over_limit);
		if (d.event)
			jw_string_field(cli->jw, "event", policy_event_reason_name(d.reason));
		else
			jw_null_field(cli->jw, "event");
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
		return;
	}

	fprintf(cli->out, "0x%08x %s, %s from vCPU %u", call->func_id, fname,
		cli_conduit_name(call->conduit), call->vcpu_id);
	for (i = 0; i < (uint32_t)nargs; i++)
		fprintf(cli->out, "%sx%u=0x%" PRIx64, i ? " " : ", ", i + 1, (uint64_t)call->args[i]);
	fputc('\n', cli->out);
	switch (d.lookup) {
	case POLICY_LOOKUP_ARCH:
		fprintf(cli->out, "  Arm Architecture Call: KVM answers it; no policy decides it\n");
		break;
	case POLICY_LOOKUP_DEFAULT:
		fprintf(cli->out, "  no rule names this function ID\n");
		break;
	default:
		fprintf(cli->out, "  %u candidate rule%s (%s lookup)\n", d.nr_tried,
			d.nr_tried == 1 ? "" : "s", lookup_name(d.lookup));
	}
	for (i = 0; i < d.nr_tried; i++) {
		const struct smccc_policy_rule *r = rule_by_id(&s->c, d.tried[i], NULL);
		bool decides = d.rule && d.tried[i] == d.rule;

		if (!r)
			continue;
		fprintf(cli->out, "  rule %u (line %u): %s\n", r->id, r->line,
			cli_esc(policy_rule_format(r, rtext, sizeof(rtext))));
		if (decides) {
			fprintf(cli->out, "    %s: decides\n",
				r->nr_conds ? "every condition holds" : "no conditions");
			continue;
		}
		for (j = 0; j < r->nr_conds; j++)
			if (!policy_cond_holds(&r->conds[j], call))
				fprintf(cli->out, "    condition %u does not hold: skipped\n", j + 1);
	}
	if (d.rule)
		fprintf(cli->out, "  decision: %s (rule %u, line %u%s)\n", atext, d.rule, d.line,
			d.over_limit ? ", over its rate limit" : "");
	else if (d.lookup == POLICY_LOOKUP_ARCH)
		fprintf(cli->out, "  decision: handle (architecture range)\n");
	else
		fprintf(cli->out, "  decision: %s (the default%s)\n", atext,
			d.nr_tried ? ": no candidate's conditions hold" : "");
	if (d.action != (d.decided == SMCCC_POLICY_ACT_LOG ? SMCCC_BPF_ACT_HANDLE : d.decided))
		fprintf(cli->out, "  the guest gets: %s (permissive mode)\n",
			cli_action_name(d.action));
	if (d.event)
		fprintf(cli->out, "  event: %s\n", policy_event_reason_name(d.reason));
}

static int do_explain(struct cli *cli, int argc, char **argv)
{
	struct policy_call call;
	struct cli_args a;
	struct source s;
	uint32_t ids[2];
	int ret, nids, nargs, i;

	ret = cli_parse_args(cli, "policy", argc, argv,
			     CLI_ARG_CONDUIT | CLI_ARG_VCPU | CLI_ARG_OVER_LIMIT, &a);
	if (ret)
		return ret;
	if (a.nr_pos < 2)
		return cli_usage_error(cli, "policy", "'policy explain' needs FILE and a function ID");
	nargs = a.nr_pos - 2;
	if (nargs > SMCCC_BPF_NR_ARGS)
		return cli_usage_error(cli, "policy", "at most %d arguments (x1..x17)",
				       SMCCC_BPF_NR_ARGS);
	nids = parse_func(a.pos[1], ids);
	if (!nids) {
		const char *sug = smccc_suggest(a.pos[1], SMCCC_NAME_FUNCTION);
		char hint[128];

		snprintf(hint, sizeof(hint), "did you mean '%s'?", sug ? sug : "");
		return cli_usage_error(cli, "policy", "'%s' is neither a 32-bit function ID nor a "
				       "function name%s%s", a.pos[1], sug ? "; did you mean " : "",
				       sug ? sug : "");
	}
	memset(&call, 0, sizeof(call));
	call.conduit = a.conduit;
	call.vcpu_id = a.vcpu;
	for (i = 0; i < nargs; i++)
		if (!parse_value(a.pos[2 + i], &call.args[i]))
			return cli_usage_error(cli, "policy", "x%d: '%s' is not a number or constant",
					       i + 1, a.pos[2 + i]);

	ret = compile(cli, a.pos[0], &s, true);
	if (ret) {
		/* Without text, what it is was said already. */
		if (ret == CLI_EXIT_POLICY && s.text)
			ret = cli_fail(cli, ret, NULL, "%s does not compile", a.pos[0]);
		source_free(&s);
		return ret;
	}
	if (cli->json && nids > 1)
		jw_start_array(cli->jw);
	for (i = 0; i < nids; i++) {
		call.func_id = ids[i];
		if (!cli->json && i)
			fputc('\n', cli->out);
		explain_one(cli, &s, &call, a.over_limit ? POLICY_EVAL_OVER_LIMIT : 0, nargs);
	}
	if (cli->json && nids > 1) {
		jw_end_array(cli->jw);
		jw_end_value(cli->jw);
	}
	source_free(&s);
	return cli->failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

/* ---- diff ------------------------------------------------------------------------ */

static int do_diff(struct cli *cli, int argc, char **argv)
{
	struct source old, new;
	struct policy_diff d;
	struct cli_args a;
	char ob[160], nb[160], fn[64];
	size_t i;
	int ret;

	ret = cli_parse_args(cli, "policy", argc, argv, 0, &a);
	if (ret)
		return ret;
	if (a.nr_pos != 2)
		return cli_usage_error(cli, "policy", "'policy diff' takes OLD and NEW policy files");
	memset(&new, 0, sizeof(new));
	ret = compile(cli, a.pos[0], &old, true);
	if (!ret)
		ret = compile(cli, a.pos[1], &new, true);
	if (ret) {
		/* Without text, what it is was said already. */
		if (ret == CLI_EXIT_POLICY && (old.compiled ? new.text : old.text))
			cli_fail(cli, ret, NULL, "%s does not compile",
				 old.compiled ? a.pos[1] : a.pos[0]);
		goto out;
	}
	if (policy_diff(&old.c, &new.c, &d)) {
		ret = cli_fail(cli, CLI_EXIT_ERROR, NULL, "a compiled policy is malformed");
		goto out;
	}
	if (cli->json) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "old", a.pos[0]);
		jw_string_field(cli->jw, "new", a.pos[1]);
		jw_bool_field(cli->jw, "mode_changed", d.mode_changed);
		jw_string_field(cli->jw, "old_mode", mode_name(d.old_permissive));
		jw_string_field(cli->jw, "new_mode", mode_name(d.new_permissive));
		jw_bool_field(cli->jw, "discovery_changed", d.discovery_changed);
		jw_string_field(cli->jw, "old_discovery", smccc_policy_discovery_name(d.old_discovery));
		jw_string_field(cli->jw, "new_discovery", smccc_policy_discovery_name(d.new_discovery));
		jw_name(cli->jw, "changes");
		jw_start_array(cli->jw);
		for (i = 0; i < d.nr; i++) {
			const struct policy_diff_entry *e = &d.entries[i];

			jw_start_object(cli->jw);
			jw_hex_field(cli->jw, "first", e->first);
			jw_hex_field(cli->jw, "last", e->last);
			if (e->first == e->last)
				jw_string_field(cli->jw, "function",
						smccc_id_describe(e->first, fn, sizeof(fn)));
			jw_string_field(cli->jw, "old_action",
					e->old.kind == POLICY_DIFF_CONDITIONAL ? "conditional" :
					cli_action_name(e->old.action));
			jw_string_field(cli->jw, "new_action",
					e->new.kind == POLICY_DIFF_CONDITIONAL ? "conditional" :
					cli_action_name(e->new.action));
			jw_string_field(cli->jw, "old_text",
					policy_diff_side_format(&e->old, ob, sizeof(ob)));
			jw_string_field(cli->jw, "new_text",
					policy_diff_side_format(&e->new, nb, sizeof(nb)));
			jw_end_object(cli->jw);
		}
		jw_end_array(cli->jw);
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
	} else if (!d.nr && !d.mode_changed) {
		fprintf(cli->out, "no decision changes between %s and %s\n", cli_esc(a.pos[0]),
			cli_esc(a.pos[1]));
	} else {
		policy_diff_print(&d, cli->out);
	}
	policy_diff_free(&d);
	ret = CLI_EXIT_OK;
out:
	source_free(&old);
	source_free(&new);
	return ret;
}

/* ---- the object ------------------------------------------------------------------- */

static const struct cli_cmd policy_cmds[] = {
	{ "check", do_check, "FILE",
	  "compile a policy file and print its diagnostics (exit 0 or 3)", NULL },
	{ "attach", do_attach, "(--vm ID | --pid PID | --global) FILE|OBJ",
	  "load a policy (file or .bpf.o), attach it and pin it", NULL },
	{ "replace", do_replace, "(--vm ID | --pid PID | --global) FILE|OBJ",
	  "swap the attached policy for another, atomically", NULL },
	{ "detach", do_detach, "(--vm ID | --pid PID | --global)",
	  "detach the policy and remove its pins", NULL },
	{ "export", cli_policy_export, "(--vm ID | --pid PID | --global) [-o FILE]",
	  "the attached policy's source and state (counters, rate buckets) as JSON",
	  cli_policy_export_help },
	{ "import", cli_policy_import, "(--vm ID | --pid PID | --global) FILE",
	  "attach an exported policy, its counters and rate buckets continuing",
	  cli_policy_import_help },
	{ "show", do_show, "[--vm ID | --pid PID | --global]",
	  "attached policies: link, program, source, rules, mode", NULL },
	{ "explain", do_explain, "FILE ID [ARG...] [--conduit hvc|smc] [--vcpu N] [--over-limit]",
	  "which rule decides a call, and why", NULL },
	{ "diff", do_diff, "OLD NEW", "the function IDs whose decision changes", NULL },
	{ "baseline", cli_policy_baseline, "NAME [-o FILE] | list",
	  "a policy exposing only what the KVM of Linux NAME did (migration)",
	  cli_policy_baseline_help },
	{ 0 }
};

const struct cli_object cli_policy_object = {
	.name = "policy",
	.cmds = policy_cmds,
	.summary = "check, attach, replace, detach, show, explain and diff policies",
	.notes =
	"FILE is a policy file (compiled into the generic program) or, if it is an\n"
	"ELF file, a hand-written BPF object with one kvm_smccc_ops struct_ops map\n"
	"(its vm_id and vm_fd are set to the target's). --vm ID targets one VM (ids\n"
	"from 'vm list'), --pid PID the VM of that VMM (with --vm ID if it has\n"
	"several), --global the host-wide default, which decides first. A VM's\n"
	"policy is attached through the VM's fd, taken from its VMM (pidfd_getfd):\n"
	"that needs CAP_BPF, CAP_PERFMON and the right to ptrace the VMM, not\n"
	"CAP_SYS_ADMIN; --global needs CAP_SYS_ADMIN.\n"
	"Attached policies are pinned in " SMCCC_BPF_PIN_DIR "/{vm-ID,global}/ and\n"
	"stay attached after this program exits; 'attach' refuses a target that\n"
	"has one: use 'replace', which leaves the old policy untouched if the new\n"
	"one fails to compile, load or verify. ID is a function ID (0x84000000)\n"
	"or name (psci.version); ARGs are x1, x2... (numbers or constants).\n",
};
