// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf vm list, and finding the VM a target names: from the VM fds
 * in /proc and their fdinfo (cli_vm.h), without debugfs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"
#include "cli_pins.h"
#include "cli_vm.h"

/* The toolchain's <sys/syscall.h> may predate them (Linux 5.3, 5.6; same on every arch). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open	434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd	438
#endif

/* ---- fdinfo -------------------------------------------------------------------- */

#define FDINFO_PREFIX	"smccc_bpf_"

static const char *const policy_states[] = { "none", "vm", "default", "default+vm" };

static bool valid_policy(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(policy_states); i++)
		if (!strcmp(s, policy_states[i]))
			return true;
	return false;
}

/* A BPF object name: what the kernel accepts (bpf_obj_name_cpy()). */
static bool valid_obj_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.");

	return !s[n] && n < CLI_VM_NAME_LEN;
}

/* "12 permissive": a struct_ops map id and its (possibly empty) name. */
static int parse_map(const char *val, uint32_t *id, char name[CLI_VM_NAME_LEN])
{
	size_t digits = strspn(val, "0123456789");
	char num[24];
	const char *rest = val + digits;
	uint64_t v = 0;

	/* The kernel writes "%u %s": the id as it wrote it, or not ours. */
	if (!digits || digits >= sizeof(num) || (*rest && *rest != ' ' && *rest != '\t'))
		return -EINVAL;
	memcpy(num, val, digits);
	num[digits] = '\0';
	if (cli_parse_id(num, UINT32_MAX, &v) || !v)
		return -EINVAL;
	rest += strspn(rest, " \t");
	if (!valid_obj_name(rest))
		return -EINVAL;
	*id = v;
	cli_strlcpy(name, rest, CLI_VM_NAME_LEN);
	return 0;
}

/* One "smccc_bpf_KEY:\tVALUE" line (KEY without the prefix); *seen gets what it set. */
static int parse_field(const char *key, const char *val, struct cli_vm *vm, unsigned int *seen)
{
	if (!strcmp(key, "vm_id")) {
		if (cli_parse_id(val, UINT64_MAX, &vm->vm_id) || !vm->vm_id)
			return -EINVAL;
		*seen |= 1;
	} else if (!strcmp(key, "policy")) {
		if (!valid_policy(val))
			return -EINVAL;
		cli_strlcpy(vm->policy, val, sizeof(vm->policy));
		*seen |= 2;
	} else if (!strcmp(key, "vm_policy")) {
		return parse_map(val, &vm->vm_map_id, vm->vm_name);
	} else if (!strcmp(key, "default_policy")) {
		return parse_map(val, &vm->default_map_id, vm->default_name);
	}
	/* Other smccc_bpf_ lines are for a later kernel: not ours to judge. */
	return 0;
}

/* "KEY:\tVALUE" (without the prefix), modified in place. */
static int parse_line(char *line, struct cli_vm *vm, unsigned int *seen)
{
	char *colon = strchr(line, ':'), *val, *end;

	if (!colon)
		return -EINVAL;
	*colon = '\0';
	val = colon + 1 + strspn(colon + 1, " \t");
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return parse_field(line, val, vm, seen);
}

int cli_vm_parse_fdinfo(const char *text, struct cli_vm *vm)
{
	const size_t plen = strlen(FDINFO_PREFIX);
	unsigned int seen = 0;
	bool ours = false;
	const char *p = text;
	char line[256];

	vm->vm_id = 0;
	vm->policy[0] = '\0';
	vm->vm_map_id = vm->default_map_id = 0;
	vm->vm_name[0] = vm->default_name[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, "\n");
		const char *next = p + len + (p[len] == '\n');
		int err;

		/* Only our lines: the others (pos, flags, ...) may be of any length. */
		if (strncmp(p, FDINFO_PREFIX, plen)) {
			p = next;
			continue;
		}
		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, p + plen, len - plen);
		line[len - plen] = '\0';
		p = next;
		ours = true;
		err = parse_line(line, vm, &seen);
		if (err)
			return err;
	}
	if (!ours)
		return -ENODATA;
	return seen == 3 ? 0 : -EINVAL;
}

/* ---- the scan ---------------------------------------------------------------------- */

/* A whole decimal number (a pid, an fd); false for anything else ("self", "."). */
static bool parse_int(const char *s, int *out)
{
	uint64_t v = 0;

	if (cli_parse_id(s, INT_MAX, &v))
		return false;
	*out = v;
	return true;
}

/* The VMM's name: anything the process set (prctl(PR_SET_NAME)); escaped when printed. */
static void read_comm(const char *proc, int pid, char *comm, size_t len)
{
	char path[PATH_MAX], *text;

	comm[0] = '\0';
	snprintf(path, sizeof(path), "%s/%d/comm", proc, pid);
	text = cli_read_file(path, CLI_MAX_PROC_FILE, NULL);
	if (!text)
		return;
	text[strcspn(text, "\n")] = '\0';
	cli_strlcpy(comm, text, len);
	free(text);
}

/* Whether fd N of process dir (".../PID" or ".../self") is a VM fd, and its fdinfo. */
static int read_vm_fd(const char *dir, int fd, struct cli_vm *vm)
{
	char path[PATH_MAX], link[sizeof(CLI_VM_LINK) + 1], *text;
	ssize_t n;
	int err;

	snprintf(path, sizeof(path), "%s/fd/%d", dir, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	if (strcmp(link, CLI_VM_LINK))
		return -ENOTTY;
	snprintf(path, sizeof(path), "%s/fdinfo/%d", dir, fd);
	text = cli_read_file(path, CLI_MAX_PROC_FILE, NULL);
	if (!text)
		return -errno;
	err = cli_vm_parse_fdinfo(text, vm);
	free(text);
	return err;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* By VM id, then the lowest (pid, fd) first: the entry dedupe() keeps. */
static int cmp_vm(const void *a, const void *b)
{
	const struct cli_vm *x = a, *y = b;

	return cmp_u64(x->vm_id, y->vm_id) ?: cmp_u64(x->pid, y->pid) ?: cmp_u64(x->fd, y->fd);
}

/*
 * One entry per VM id, the lowest (pid, fd), sorted by id: a VM shared by
 * several processes, or one fd dup()ed a million times, is listed once;
 * by sorting, not by comparing pairwise.
 */
static void dedupe(struct cli_vms *vms)
{
	size_t i, n = 0;

	if (!vms->n)
		return;
	qsort(vms->vm, vms->n, sizeof(*vms->vm), cmp_vm);
	for (i = 1; i < vms->n; i++)
		if (vms->vm[i].vm_id != vms->vm[n].vm_id)
			vms->vm[++n] = vms->vm[i];
	vms->n = n + 1;
}

/* Adds vm; one entry per VM id is kept (dedupe()) when the array fills and at the end. */
static int add_vm(struct cli_vms *vms, const struct cli_vm *vm, size_t *cap)
{
	struct cli_vm *arr;

	/* Full: grown only for distinct VMs, so that a million dup()ed fds of one VM fit. */
	if (vms->n == *cap) {
		dedupe(vms);
		if (!*cap || vms->n > *cap / 2) {
			arr = realloc(vms->vm, (*cap ? *cap * 2 : 8) * sizeof(*arr));
			if (!arr)
				return -ENOMEM;
			vms->vm = arr;
			*cap = *cap ? *cap * 2 : 8;
		}
	}
	vms->vm[vms->n++] = *vm;
	return 0;
}

/* The VM fds of one process; -errno of its fd directory (-ENOENT: it is gone). */
static int scan_pid(const char *proc, int pid, struct cli_vms *vms, size_t *cap)
{
	char dir[PATH_MAX], path[PATH_MAX + 4];
	struct dirent *de;
	int err = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
	snprintf(path, sizeof(path), "%s/fd", dir);
	d = opendir(path);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		struct cli_vm vm = { .pid = pid };
		int r;

		if (!parse_int(de->d_name, &vm.fd))
			continue;
		r = read_vm_fd(dir, vm.fd, &vm);
		if (r == -ENODATA)
			vms->without++;
		/* Not a VM, or closed or the process gone since readdir(): skip it. */
		if (!r)
			err = add_vm(vms, &vm, cap);
	}
	closedir(d);
	return err;
}

static int scan_all(const char *proc, struct cli_vms *vms, size_t *cap)
{
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(proc);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		int pid;

		if (!parse_int(de->d_name, &pid))
			continue;
		err = scan_pid(proc, pid, vms, cap);
		if (err == -EACCES || err == -EPERM)
			vms->unreadable++;
		/* Gone since readdir(), or a kernel thread's quirk: nothing of ours. */
		if (err != -ENOMEM)
			err = 0;
	}
	closedir(d);
	return err;
}

int cli_vm_scan(const char *proc, int pid, struct cli_vms *vms)
{
	char path[PATH_MAX];
	struct stat st;
	size_t cap = 0, i;
	int err;

	memset(vms, 0, sizeof(*vms));
	if (pid > 0) {
		err = scan_pid(proc, pid, vms, &cap);
		snprintf(path, sizeof(path), "%s/%d", proc, pid);
		if (err == -ENOENT && stat(path, &st))
			err = -ESRCH;
	} else {
		err = scan_all(proc, vms, &cap);
	}
	if (err)
		return err;
	dedupe(vms);
	for (i = 0; i < vms->n; i++)
		read_comm(proc, vms->vm[i].pid, vms->vm[i].comm, sizeof(vms->vm[i].comm));
	return 0;
}

void cli_vms_free(struct cli_vms *vms)
{
	free(vms->vm);
	memset(vms, 0, sizeof(*vms));
}

static int cmp_vm_id(const void *key, const void *elem)
{
	return cmp_u64(*(const uint64_t *)key, ((const struct cli_vm *)elem)->vm_id);
}

const struct cli_vm *cli_vms_find(const struct cli_vms *vms, uint64_t vm_id)
{
	if (!vms->n)
		return NULL;
	return bsearch(&vm_id, vms->vm, vms->n, sizeof(*vms->vm), cmp_vm_id);
}

bool cli_vms_knows(const struct cli_vms *vms, uint64_t vm_id, bool *alive)
{
	*alive = cli_vms_find(vms, vm_id) != NULL;
	return *alive || (!vms->unreadable && !vms->without);
}

/* ---- from a target to a VM ------------------------------------------------------------ */

static int no_fdinfo(struct cli *cli, const struct cli_vms *vms)
{
	return cli_fail(cli, CLI_EXIT_SYSTEM,
			"boot a kernel built from kernel/patches with CONFIG_KVM_SMCCC_BPF=y",
			"kernel without smccc-bpf VM fdinfo: %u VM fd%s in %s/*/fd, none with "
			"smccc_bpf_ lines in its fdinfo", vms->without, vms->without == 1 ? "" : "s",
			cli->proc);
}

/* cli_vm_scan() of all processes (pid 0) or of pid failed. */
static int scan_failed(struct cli *cli, int pid, int err)
{
	char hint[160];

	snprintf(hint, sizeof(hint), "see '%s vm list'", cli->prog);
	if (err == -ESRCH)
		return cli_fail(cli, CLI_EXIT_NOENT, hint, "no process with pid %d", pid);
	if (pid && (err == -EACCES || err == -EPERM))
		return cli_fail(cli, CLI_EXIT_PERM,
				"run as root or as the VMM's user: finding a VM's fd needs the right "
				"to ptrace its VMM",
				"cannot read %s/%d/fd: %s", cli->proc, pid, strerror(-err));
	if (err == -ENOENT)
		return cli_fail(cli, CLI_EXIT_SYSTEM, "mount it: mount -t proc proc /proc",
				"cannot read %s: %s", cli->proc, strerror(-err));
	return cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s: %s", cli->proc, strerror(-err));
}

/* "3, 5" */
static void list_ids(const struct cli_vms *vms, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < vms->n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%" PRIu64, i ? ", " : "", vms->vm[i].vm_id);
}

/* --pid PID [--vm ID]: among the VMs of that process (vms). */
static int pick_in_pid(struct cli *cli, const struct cli_target *t, const struct cli_vms *vms,
		       struct cli_vm *vm)
{
	const struct cli_vm *found = NULL;
	char comm[32], ids[256], hint[160];

	read_comm(cli->proc, t->pid, comm, sizeof(comm));
	list_ids(vms, ids, sizeof(ids));
	if (t->vm_id) {
		found = cli_vms_find(vms, t->vm_id);
		if (!found && vms->n)
			return cli_fail(cli, CLI_EXIT_NOENT, NULL,
					"process %d (%s) holds no VM with id %" PRIu64 "; it holds %s",
					t->pid, comm, t->vm_id, ids);
	} else if (vms->n == 1) {
		found = &vms->vm[0];
	} else if (vms->n > 1) {
		snprintf(hint, sizeof(hint), "pick one: --pid %d --vm ID", t->pid);
		return cli_fail(cli, CLI_EXIT_USAGE, hint,
				"process %d (%s) holds %zu VMs, ids %s; which one?", t->pid, comm,
				vms->n, ids);
	}
	if (found) {
		*vm = *found;
		return CLI_EXIT_OK;
	}
	if (vms->without)
		return no_fdinfo(cli, vms);
	snprintf(hint, sizeof(hint), "see '%s vm list' for the VMs and their VMMs", cli->prog);
	return cli_fail(cli, CLI_EXIT_NOENT, hint,
			"process %d (%s) holds no KVM VM (none of %s/%d/fd/* is %s)", t->pid,
			comm[0] ? comm : "?", cli->proc, t->pid, CLI_VM_LINK);
}

/* --vm ID: any process's. */
static int pick_by_id(struct cli *cli, const struct cli_target *t, const struct cli_vms *vms,
		      struct cli_vm *vm, bool *gone)
{
	const struct cli_vm *found = cli_vms_find(vms, t->vm_id);
	char hint[160];

	if (found) {
		*vm = *found;
		return CLI_EXIT_OK;
	}
	if (!vms->n && vms->without)
		return no_fdinfo(cli, vms);
	if (vms->unreadable)
		return cli_fail(cli, CLI_EXIT_PERM,
				"run as root, or as the VMM's user; --pid PID names the VMM",
				"no VM with id %" PRIu64 " in the processes whose fds can be read; "
				"%u cannot be (no right to ptrace them)", t->vm_id, vms->unreadable);
	*gone = true;
	snprintf(hint, sizeof(hint), "see '%s vm list'", cli->prog);
	return cli_fail(cli, CLI_EXIT_NOENT, hint, "no VM with id %" PRIu64, t->vm_id);
}

int cli_vm_lookup(struct cli *cli, const struct cli_target *t, struct cli_vm *vm, bool *gone)
{
	struct cli_vms vms;
	int err, ret;

	*gone = false;
	err = cli_vm_scan(cli->proc, t->pid, &vms);
	if (err)
		ret = scan_failed(cli, t->pid, err);
	else if (t->pid)
		ret = pick_in_pid(cli, t, &vms, vm);
	else
		ret = pick_by_id(cli, t, &vms, vm, gone);
	cli_vms_free(&vms);
	return ret;
}

/* ---- taking the VM's fd ------------------------------------------------------------------ */

static int vm_went_away(struct cli *cli, const struct cli_vm *vm, bool *gone)
{
	char hint[160];

	*gone = true;
	snprintf(hint, sizeof(hint), "see '%s vm list'", cli->prog);
	return cli_fail(cli, CLI_EXIT_NOENT, hint,
			"VM %" PRIu64 " went away: fd %d of pid %d is no longer that VM",
			vm->vm_id, vm->fd, vm->pid);
}

static int getfd_failed(struct cli *cli, const struct cli_vm *vm, int err, bool *gone)
{
	switch (err) {
	case ESRCH:
	case EBADF:
		return vm_went_away(cli, vm, gone);
	case EPERM:
	case EACCES:
		return cli_fail(cli, CLI_EXIT_PERM,
				"run as root or as the VMM's user, with no fewer capabilities than "
				"the VMM (or with CAP_SYS_PTRACE)",
				"cannot take VM fd %d of pid %d: not allowed to ptrace it", vm->fd,
				vm->pid);
	case ENOSYS:
		return cli_fail(cli, CLI_EXIT_SYSTEM, "pidfd_getfd() needs Linux 5.6 or later",
				"cannot take VM fd %d of pid %d: %s", vm->fd, vm->pid,
				strerror(err));
	}
	return cli_fail(cli, CLI_EXIT_ERROR, NULL, "cannot take VM fd %d of pid %d: %s", vm->fd,
			vm->pid, strerror(err));
}

/* The fd number may have been closed and reused since the scan: still our VM? */
static bool same_vm(const char *proc, int fd, uint64_t vm_id)
{
	struct cli_vm now;
	char self[PATH_MAX];

	snprintf(self, sizeof(self), "%s/self", proc);
	return !read_vm_fd(self, fd, &now) && now.vm_id == vm_id;
}

int cli_vm_take_fd(struct cli *cli, const struct cli_vm *vm, int *fd, bool *gone)
{
	int pidfd, err;

	*gone = false;
	pidfd = syscall(SYS_pidfd_open, vm->pid, 0);
	if (pidfd < 0)
		return getfd_failed(cli, vm, errno, gone);
	*fd = syscall(SYS_pidfd_getfd, pidfd, vm->fd, 0);
	err = errno;
	close(pidfd);
	if (*fd < 0)
		return getfd_failed(cli, vm, err, gone);
	if (!same_vm(cli->proc, *fd, vm->vm_id)) {
		close(*fd);
		*fd = -1;
		return vm_went_away(cli, vm, gone);
	}
	return CLI_EXIT_OK;
}

/* ---- vm list ------------------------------------------------------------------------------ */

/* The name of the policy smccc-bpf pinned for the VM, or NULL. */
static const char *pinned_name(struct cli *cli, uint64_t vm_id, struct smccc_meta *meta)
{
	struct cli_target t = { .set = true, .vm_id = vm_id };

	if (pins_meta_read(cli->pin_root, &t, meta))
		return NULL;
	return meta->name[0] ? meta->name : "?";
}

static void json_map(struct cli *cli, const char *id_key, const char *name_key, uint32_t id,
		     const char *name)
{
	if (id) {
		jw_uint_field(cli->jw, id_key, id);
		jw_string_field(cli->jw, name_key, name);
	} else {
		jw_null_field(cli->jw, id_key);
		jw_null_field(cli->jw, name_key);
	}
}

static void list_json(struct cli *cli, const struct cli_vms *vms)
{
	struct smccc_meta meta;
	const char *pinned;
	size_t i;

	jw_start_array(cli->jw);
	for (i = 0; i < vms->n; i++) {
		const struct cli_vm *vm = &vms->vm[i];

		jw_start_object(cli->jw);
		jw_uint_field(cli->jw, "vm_id", vm->vm_id);
		jw_int_field(cli->jw, "pid", vm->pid);
		jw_string_field(cli->jw, "comm", vm->comm);
		jw_string_field(cli->jw, "policy", vm->policy);
		pinned = pinned_name(cli, vm->vm_id, &meta);
		if (pinned)
			jw_string_field(cli->jw, "pinned", meta.name);
		else
			jw_null_field(cli->jw, "pinned");
		jw_int_field(cli->jw, "fd", vm->fd);
		jw_name(cli->jw, "fdinfo");
		jw_printf(cli->jw, "%s/%d/fdinfo/%d", cli->proc, vm->pid, vm->fd);
		json_map(cli, "vm_map_id", "vm_name", vm->vm_map_id, vm->vm_name);
		json_map(cli, "default_map_id", "default_name", vm->default_map_id,
			 vm->default_name);
		jw_end_object(cli->jw);
	}
	jw_end_array(cli->jw);
	jw_end_value(cli->jw);
}

static void list_table(struct cli *cli, const struct cli_vms *vms)
{
	const struct cli_vm *with_default = NULL;
	struct smccc_meta meta;
	const char *pinned;
	char map[32];
	size_t i;

	if (!vms->n) {
		cli_note(cli, "no VMs (no %s/*/fd/* is %s)", cli->proc, CLI_VM_LINK);
		return;
	}
	fprintf(cli->out, "%-6s %-8s %-4s %-16s %-11s %-20s %s\n", "VM", "PID", "FD", "COMM",
		"POLICY", "MAP", "PINNED");
	for (i = 0; i < vms->n; i++) {
		const struct cli_vm *vm = &vms->vm[i];

		if (vm->default_map_id && !with_default)
			with_default = vm;
		if (vm->vm_map_id)
			snprintf(map, sizeof(map), "%u:%s", vm->vm_map_id, vm->vm_name);
		else
			snprintf(map, sizeof(map), "-");
		pinned = pinned_name(cli, vm->vm_id, &meta);
		fprintf(cli->out, "%-6" PRIu64 " %-8d %-4d %-16s %-11s %-20s %s\n", vm->vm_id,
			vm->pid, vm->fd, vm->comm[0] ? cli_esc(vm->comm) : "?", vm->policy, map,
			pinned ? cli_esc(pinned) : "-");
	}
	/* One default for every VM: said once, not on each line. */
	if (with_default)
		fprintf(cli->out, "host-wide default: map %u:%s\n", with_default->default_map_id,
			with_default->default_name);
}

static int do_list(struct cli *cli, int argc, char **argv)
{
	struct cli_args a;
	struct cli_vms vms;
	int ret, err;

	ret = cli_parse_args(cli, "vm", argc, argv, 0, &a);
	if (ret)
		return ret;
	if (a.nr_pos)
		return cli_usage_error(cli, "vm", "'vm list' takes no arguments");

	err = cli_vm_scan(cli->proc, 0, &vms);
	if (err)
		ret = scan_failed(cli, 0, err);
	else if (!vms.n && vms.without)
		ret = no_fdinfo(cli, &vms);
	if (err || ret) {
		cli_vms_free(&vms);
		return ret;
	}
	if (vms.unreadable)
		cli_warn(cli, "the fds of %u process%s cannot be read (no right to ptrace them): "
			 "their VMs are not listed", vms.unreadable, vms.unreadable == 1 ? "" : "es");
	if (cli->json)
		list_json(cli, &vms);
	else
		list_table(cli, &vms);
	cli_vms_free(&vms);
	return CLI_EXIT_OK;
}

static const struct cli_cmd vm_cmds[] = {
	{ "list", do_list, "", "VMs: smccc-bpf id, VMM pid, fd and name, policy, maps", NULL },
	{ 0 }
};

const struct cli_object cli_vm_object = {
	.name = "vm",
	.cmds = vm_cmds,
	.default_cmd = "list",
	.summary = "the VMs of this host and their smccc-bpf ids (/proc fdinfo)",
	.notes = "A VM is a KVM VM fd of some process; its fdinfo gives its id and policy.\n"
		 "POLICY is the kernel's view: 'vm' (its own policy), 'default' (the host-wide\n"
		 "default decides), 'default+vm' (both) or 'none'; MAP is its own policy's\n"
		 "struct_ops map. PINNED names the policy smccc-bpf attached to it. A VM held\n"
		 "by several processes is listed once, with the lowest pid. Seeing another\n"
		 "user's VMs needs the right to ptrace their VMMs (root sees all).\n",
};
