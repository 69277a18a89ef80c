// SPDX-License-Identifier: GPL-2.0
/* The pin store of the smccc-bpf CLI and the kvm_smccc_ops value: see cli_pins.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli_pins.h"
#include "smccc_bpf.h"

static const char *const pin_names[] = {
	PINS_LINK, PINS_META, PINS_STATS, PINS_EVENTS, PINS_DROPPED, PINS_RATE,
};

void pins_dir(const char *root, const struct cli_target *t, char *buf, size_t len)
{
	char name[32];

	snprintf(buf, len, "%s/%s", root, cli_target_name(t, name, sizeof(name)));
}

void pins_path(const char *root, const struct cli_target *t, const char *name,
	       char *buf, size_t len)
{
	char tn[32];

	snprintf(buf, len, "%s/%s/%s", root, cli_target_name(t, tn, sizeof(tn)), name);
}

int pins_lock(const char *root)
{
	int fd;

	if (mkdir(root, 0700) && errno != EEXIST)
		return -errno;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

void pins_unlock(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

bool pins_attached(const char *root, const struct cli_target *t)
{
	char path[512];

	pins_path(root, t, PINS_LINK, path, sizeof(path));
	return !access(path, F_OK);
}

static int cmp_target(const void *a, const void *b)
{
	const struct cli_target *x = a, *y = b;

	if (x->global != y->global)
		return x->global ? -1 : 1;
	return x->vm_id < y->vm_id ? -1 : x->vm_id > y->vm_id;
}

int pins_list(const char *root, struct cli_target **out, size_t *n)
{
	struct cli_target *arr = NULL, *na;
	size_t cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*n = 0;
	d = opendir(root);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		struct cli_target t = { .set = true };

		if (!strcmp(de->d_name, "global")) {
			t.global = true;
			t.vm_id = SMCCC_BPF_VM_ID_GLOBAL;
		} else if (!strncmp(de->d_name, "vm-", 3)) {
			/*
			 * Only the names pins_dir() makes: "vm-010" or "vm- 5" read
			 * loosely would stand for another directory's VM.
			 */
			if (cli_parse_id(de->d_name + 3, UINT64_MAX, &t.vm_id) || !t.vm_id)
				continue;
		} else {
			continue;
		}
		if (!pins_attached(root, &t))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			na = realloc(arr, cap * sizeof(*arr));
			if (!na) {
				free(arr);
				closedir(d);
				return -ENOMEM;
			}
			arr = na;
		}
		arr[(*n)++] = t;
	}
	closedir(d);
	if (*n)
		qsort(arr, *n, sizeof(*arr), cmp_target);
	*out = arr;
	return 0;
}

int pins_publish(const char *root, const struct cli_target *t,
		 const struct pins_item *items, size_t n)
{
	char dir[512], path[600], tmp[640];
	size_t i;

	pins_dir(root, t, dir, sizeof(dir));
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, items[i].name);
		if (items[i].fd < 0) {
			if (unlink(path) && errno != ENOENT)
				return -errno;
			continue;
		}
		/* bpffs refuses names with a dot */
		snprintf(tmp, sizeof(tmp), "%s_new", path);
		unlink(tmp);
		if (bpf_obj_pin(items[i].fd, tmp))
			return -errno;
		if (rename(tmp, path)) {
			int err = -errno;

			unlink(tmp);
			return err;
		}
	}
	return 0;
}

void pins_remove(const char *root, const struct cli_target *t)
{
	char dir[512], path[600];
	size_t i;

	pins_dir(root, t, dir, sizeof(dir));
	/* The link last: while it is pinned, the policy counts as attached. */
	for (i = ARRAY_SIZE(pin_names); i-- > 0;) {
		snprintf(path, sizeof(path), "%s/%s_new", dir, pin_names[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", dir, pin_names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int pins_meta_create(const struct smccc_meta *m)
{
	__u32 zero = 0;
	int fd, err;

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "smccc_meta", sizeof(zero), sizeof(*m), 1, NULL);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, m, BPF_ANY) || bpf_map_freeze(fd)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int pins_meta_read(const char *root, const struct cli_target *t, struct smccc_meta *m)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0;
	char path[512];
	int fd, err = 0;

	pins_path(root, t, PINS_META, path, sizeof(path));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_map_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (info.type != BPF_MAP_TYPE_ARRAY || info.value_size != sizeof(*m))
		err = -EPROTO;
	else if (bpf_map_lookup_elem(fd, &zero, m))
		err = -errno;
	else if (m->magic != SMCCC_META_MAGIC || m->version != SMCCC_META_VERSION)
		err = -EPROTO;
	close(fd);
	if (!err) {
		m->name[sizeof(m->name) - 1] = '\0';
		m->path[sizeof(m->path) - 1] = '\0';
	}
	return err;
}

/* ---- the kvm_smccc_ops value ----------------------------------------------- */

/* Byte offset of member name in struct t; -1 if none. */
static long member_off(const struct btf *btf, const struct btf_type *t, const char *name,
		       __u32 *type_id)
{
	const struct btf_member *m = btf_members(t);
	__u16 i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mn = btf__name_by_offset(btf, m->name_off);

		if (mn && !strcmp(mn, name)) {
			if (type_id)
				*type_id = m->type;
			return btf_member_bit_offset(t, i) / 8;
		}
	}
	return -1;
}

int ops_layout_get(const char *btf_path, struct ops_layout *l)
{
	const struct btf_type *vt, *ot;
	long data, decide, handled, vm_id, vm_fd;
	struct btf *btf;
	__u32 tid;
	int id, err = 0;

	btf = btf__parse(btf_path, NULL);
	if (!btf)
		return -errno;
	id = btf__find_by_name_kind(btf, "bpf_struct_ops_kvm_smccc_ops", BTF_KIND_STRUCT);
	if (id < 0) {
		err = -ESRCH;
		goto out;
	}
	vt = btf__type_by_id(btf, id);
	data = member_off(btf, vt, "data", &tid);
	if (data < 0) {
		err = -ESRCH;
		goto out;
	}
	ot = btf__type_by_id(btf, tid);
	while (ot && (btf_is_mod(ot) || btf_is_typedef(ot)))
		ot = btf__type_by_id(btf, ot->type);
	if (!ot || !btf_is_struct(ot)) {
		err = -ESRCH;
		goto out;
	}
	decide = member_off(btf, ot, "decide", NULL);
	vm_id = member_off(btf, ot, "vm_id", NULL);
	if (decide < 0 || vm_id < 0) {
		err = -ESRCH;
		goto out;
	}
	/* Later members: a kernel of an older series lacks them. */
	handled = member_off(btf, ot, "handled", NULL);
	vm_fd = member_off(btf, ot, "vm_fd", NULL);
	l->value_size = vt->size;
	l->decide_off = data + decide;
	l->handled_off = handled < 0 ? 0 : data + handled;
	l->vm_id_off = data + vm_id;
	l->vm_fd_off = vm_fd < 0 ? 0 : data + vm_fd;
out:
	btf__free(btf);
	return err;
}

/* The object's struct type of a struct_ops map, and its BTF. */
static const struct btf_type *obj_ops_type(const struct bpf_object *obj, const struct bpf_map *map,
					   const struct btf **btfp)
{
	const struct btf *btf;
	const struct btf_type *t;
	const char *name;

	if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
		return NULL;
	/* bpf_map__btf_value_type_id() is the struct in the object's BTF. */
	btf = bpf_object__btf(obj);
	if (!btf)
		return NULL;
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	if (!t || !btf_is_struct(t))
		return NULL;
	name = btf__name_by_offset(btf, t->name_off);
	if (!name || strcmp(name, "kvm_smccc_ops"))
		return NULL;
	*btfp = btf;
	return t;
}

struct bpf_map *ops_find_map(struct bpf_object *obj, int *count)
{
	struct bpf_map *map, *found = NULL;
	const struct btf *btf;

	*count = 0;
	bpf_object__for_each_map(map, obj) {
		if (obj_ops_type(obj, map, &btf)) {
			found = map;
			(*count)++;
		}
	}
	return *count == 1 ? found : NULL;
}

/* Where member name (size bytes) sits in the struct_ops map's initial value, or NULL. */
static void *ops_slot(const struct bpf_object *obj, const struct bpf_map *map, const char *name,
		      size_t size)
{
	const struct btf_type *t;
	const struct btf *btf;
	size_t vsize;
	long off;
	void *data;

	t = obj_ops_type(obj, map, &btf);
	if (!t)
		return NULL;
	off = member_off(btf, t, name, NULL);
	data = bpf_map__initial_value((struct bpf_map *)map, &vsize);
	if (off < 0 || !data || (size_t)off + size > vsize)
		return NULL;
	return (char *)data + off;
}

/* Copies size bytes to (set) or from member name of the initial value; -ENOENT: no such member. */
static int ops_member(const struct bpf_object *obj, const struct bpf_map *map, const char *name,
		      void *buf, size_t size, bool set)
{
	void *slot = ops_slot(obj, map, name, size);

	if (!slot)
		return -ENOENT;
	if (set)
		memcpy(slot, buf, size);
	else
		memcpy(buf, slot, size);
	return 0;
}

int ops_set_vm_id(struct bpf_object *obj, struct bpf_map *map, uint64_t vm_id)
{
	return ops_member(obj, map, "vm_id", &vm_id, sizeof(vm_id), true);
}

int ops_get_vm_id(const struct bpf_object *obj, const struct bpf_map *map, uint64_t *vm_id)
{
	return ops_member(obj, map, "vm_id", vm_id, sizeof(*vm_id), false);
}

int ops_set_vm_fd(struct bpf_object *obj, struct bpf_map *map, int vm_fd)
{
	return ops_member(obj, map, "vm_fd", &vm_fd, sizeof(vm_fd), true);
}

/* The map's vm_fd, 0 if its type has none (built against an older vmlinux.h). */
static int ops_get_vm_fd(const struct bpf_object *obj, const struct bpf_map *map)
{
	int vm_fd = 0;

	ops_member(obj, map, "vm_fd", &vm_fd, sizeof(vm_fd), false);
	return vm_fd;
}

/*
 * The program in a function pointer member: libbpf keeps struct_ops
 * programs in the shadow value's pointer slots. NULL if none.
 */
struct bpf_program *ops_prog(const struct bpf_object *obj, const struct bpf_map *map,
			     const char *member)
{
	struct bpf_program *prog = NULL;

	ops_member(obj, map, member, &prog, sizeof(prog), false);
	return prog && bpf_program__fd(prog) >= 0 ? prog : NULL;
}

/* A program's fd into the kernel value at off (a prog fd slot is 8 bytes). */
static void put_prog_fd(char *value, __u32 off, const struct bpf_program *prog)
{
	unsigned long long fdval = bpf_program__fd(prog);

	memcpy(value + off, &fdval, sizeof(fdval));
}

int ops_update_link(int link_fd, struct bpf_object *obj, struct bpf_map *map,
		    const struct ops_layout *l)
{
	struct bpf_program *decide, *handled;
	uint64_t vm_id;
	__u32 zero = 0;
	char *value;
	int err, vm_fd;

	decide = ops_prog(obj, map, "decide");
	handled = ops_prog(obj, map, "handled");
	if (!decide || (handled && !l->handled_off))
		return -EINVAL;
	err = ops_get_vm_id(obj, map, &vm_id);
	if (err)
		return err;
	vm_fd = ops_get_vm_fd(obj, map);
	if (vm_fd && !l->vm_fd_off)
		return -EINVAL;

	value = calloc(1, l->value_size);
	if (!value)
		return -ENOMEM;
	put_prog_fd(value, l->decide_off, decide);
	if (handled)
		put_prog_fd(value, l->handled_off, handled);
	memcpy(value + l->vm_id_off, &vm_id, sizeof(vm_id));
	/* The kernel's update() takes the VM by its fd, in this task. */
	if (vm_fd)
		memcpy(value + l->vm_fd_off, &vm_fd, sizeof(vm_fd));
	err = bpf_map_update_elem(bpf_map__fd(map), &zero, value, BPF_ANY);
	free(value);
	/* EBUSY: the value is already set (the map was used before). */
	if (err && errno != EBUSY)
		return -errno;
	if (bpf_link_update(link_fd, bpf_map__fd(map), NULL))
		return -errno;
	return 0;
}

/*
 * struct bpf_link_info's union starts 8-byte aligned after type, id and
 * prog_id; struct_ops links (Linux 6.4+) put their map id first in it. The
 * toolchain's <linux/bpf.h> (Debian bookworm: 6.1) has no info.struct_ops.
 */
#define LINK_INFO_UNION_OFF	offsetof(struct bpf_link_info, raw_tracepoint.tp_name)

int ops_link_info(int link_fd, const struct ops_layout *l, struct ops_info *info)
{
	union {
		struct bpf_link_info li;
		__u64 raw[32];
	} lu;
	struct bpf_map_info mi;
	struct bpf_prog_info pi;
	__u32 len, zero = 0;
	unsigned long long prog_id;
	char *value;
	int map_fd, prog_fd;

	memset(info, 0, sizeof(*info));
	memset(&lu, 0, sizeof(lu));
	len = sizeof(lu);
	if (bpf_link_get_info_by_fd(link_fd, &lu.li, &len))
		return -errno;
	if (lu.li.type != BPF_LINK_TYPE_STRUCT_OPS)
		return -EPROTO;
	info->link_id = lu.li.id;
	memcpy(&info->map_id, (char *)&lu + LINK_INFO_UNION_OFF, sizeof(info->map_id));
	if (!info->map_id)
		return 0;
	map_fd = bpf_map_get_fd_by_id(info->map_id);
	if (map_fd < 0)
		return 0;
	memset(&mi, 0, sizeof(mi));
	len = sizeof(mi);
	if (!bpf_map_get_info_by_fd(map_fd, &mi, &len))
		snprintf(info->map_name, sizeof(info->map_name), "%s", mi.name);
	if (l && mi.value_size == l->value_size) {
		value = calloc(1, l->value_size);
		if (value && !bpf_map_lookup_elem(map_fd, &zero, value)) {
			memcpy(&prog_id, value + l->decide_off, sizeof(prog_id));
			memcpy(&info->vm_id, value + l->vm_id_off, sizeof(info->vm_id));
			info->prog_id = prog_id;
			info->have_value = true;
		}
		free(value);
	}
	close(map_fd);
	if (info->prog_id) {
		prog_fd = bpf_prog_get_fd_by_id(info->prog_id);
		if (prog_fd >= 0) {
			memset(&pi, 0, sizeof(pi));
			len = sizeof(pi);
			if (!bpf_prog_get_info_by_fd(prog_fd, &pi, &len))
				snprintf(info->prog_name, sizeof(info->prog_name), "%s", pi.name);
			close(prog_fd);
		}
	}
	return 0;
}
