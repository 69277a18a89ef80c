/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pin store of the smccc-bpf CLI: what keeps an attached policy alive
 * after the CLI exits, and what the other commands find it by.
 *
 *   ROOT/vm-ID/  or  ROOT/global/      (ROOT: /sys/fs/bpf/smccc-bpf)
 *     link      the kvm_smccc_ops struct_ops link
 *     meta      a one-entry array, frozen: struct smccc_meta
 *     stats     the policy's statistics map      } when the policy has them
 *     events    the policy's audit ring buffer   } (the generic program
 *     dropped   the policy's "dropped" counters  }  always does)
 *     rate      the policy's rate-limit buckets  } (policy export reads them)
 *
 * Changes to a directory are made under an exclusive flock() on ROOT.
 * Replacing re-pins each map under a temporary name (NAME_new: bpffs
 * refuses dots) and renames it over
 * the old one, so readers see either the old or the new map.
 */
#ifndef __SMCCC_CLI_PINS_H
#define __SMCCC_CLI_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/types.h>

#include "cli.h"

struct bpf_map;
struct bpf_object;

#define PINS_LINK	"link"
#define PINS_META	"meta"
#define PINS_STATS	"stats"
#define PINS_EVENTS	"events"
#define PINS_DROPPED	"dropped"
#define PINS_RATE	"rate"		/* since policy export/import; older attachments lack it */

#define SMCCC_META_MAGIC	0x534d4343u	/* "SMCC" */
#define SMCCC_META_VERSION	1

#define SMCCC_META_SOURCE	1	/* compiled from a policy file */
#define SMCCC_META_OBJECT	2	/* a hand-written BPF object */

/* The value of the "meta" map. */
struct smccc_meta {
	__u32 magic;
	__u32 version;
	__u64 vm_id;
	__u64 attached;		/* CLOCK_REALTIME seconds of the attach */
	__u64 replaced;		/* ... of the last replace, 0 if none */
	__u32 generation;	/* 0 after attach, +1 per replace */
	__u32 kind;		/* SMCCC_META_* */
	__u32 nr_rules;		/* source: rules, exact IDs, segments */
	__u32 nr_exact;
	__u32 nr_segments;
	__u8 default_action;	/* source: SMCCC_BPF_ACT_* / SMCCC_POLICY_ACT_LOG */
	__u8 permissive;
	__u8 has_stats;		/* the stats/events/dropped pins exist */
	__u8 has_events;
	__u8 sha256[32];	/* of the source file or object */
	char name[64];		/* the policy statement, or the object's map name */
	char path[256];		/* absolute path of the file */
};

/* ROOT/global or ROOT/vm-ID; ROOT/.../NAME. */
void pins_dir(const char *root, const struct cli_target *t, char *buf, size_t len);
void pins_path(const char *root, const struct cli_target *t, const char *name,
	       char *buf, size_t len);

/* Creates ROOT (0700) if needed and locks it; an fd, or -errno. */
int pins_lock(const char *root);
void pins_unlock(int fd);

/* A link is pinned for t. */
bool pins_attached(const char *root, const struct cli_target *t);

/* Every pinned target (directories with a link), global first, then by VM id. */
int pins_list(const char *root, struct cli_target **out, size_t *n);

struct pins_item {
	const char *name;
	int fd;			/* < 0: remove any existing pin of that name */
};

/*
 * Pins every item into t's directory (created if needed): under NAME_new,
 * then renamed over NAME. Items with fd < 0 have their pin removed.
 * 0 or -errno (pins made so far stay).
 */
int pins_publish(const char *root, const struct cli_target *t,
		 const struct pins_item *items, size_t n);

/* Removes t's pins (every known name, leftovers of NAME_new) and its directory. */
void pins_remove(const char *root, const struct cli_target *t);

/* A new frozen meta map holding m; fd or -errno. */
int pins_meta_create(const struct smccc_meta *m);
/* Reads t's meta pin; 0 or -errno (-ENOENT: none, -EPROTO: not ours). */
int pins_meta_read(const char *root, const struct cli_target *t, struct smccc_meta *m);

/* ---- the kvm_smccc_ops struct_ops value ------------------------------------- */

/* Byte offsets in the kernel's map value (struct bpf_struct_ops_kvm_smccc_ops). */
struct ops_layout {
	__u32 value_size;
	__u32 decide_off;	/* the prog id / fd slot */
	__u32 handled_off;	/* 0: the kernel has no handled() */
	__u32 vm_id_off;
	__u32 vm_fd_off;	/* 0: the kernel takes no VM fd (an older series) */
};

/* From the kernel BTF at btf_path; 0 or -errno (-ESRCH: no kvm_smccc_ops). */
int ops_layout_get(const char *btf_path, struct ops_layout *l);

/*
 * The one kvm_smccc_ops struct_ops map of an opened object; NULL if there
 * is none (*count 0) or several (*count > 1).
 */
struct bpf_map *ops_find_map(struct bpf_object *obj, int *count);

/* Before load: sets the map's vm_id (its initial value, by the object's BTF). */
int ops_set_vm_id(struct bpf_object *obj, struct bpf_map *map, uint64_t vm_id);
/* Before or after load: the map's vm_id as the object has it. */
int ops_get_vm_id(const struct bpf_object *obj, const struct bpf_map *map, uint64_t *vm_id);
/*
 * Before load: sets the map's vm_fd, the VM fd (of this process) the
 * kernel attaches the policy through. -ENOENT: the object's kvm_smccc_ops
 * has no vm_fd (built against an older vmlinux.h).
 */
int ops_set_vm_fd(struct bpf_object *obj, struct bpf_map *map, int vm_fd);
/* After load: the program of a function pointer member ("decide"), NULL if none. */
struct bpf_program *ops_prog(const struct bpf_object *obj, const struct bpf_map *map,
			     const char *member);

/*
 * After load: makes link_fd (a pinned kvm_smccc_ops link) use map, in one
 * BPF_LINK_UPDATE. libbpf's bpf_link__update_map() needs a link libbpf
 * created; a pinned one is only an fd, so the map's value (the program
 * fds of decide and handled, vm_id, vm_fd) is built here from the layout.
 * 0 or -errno.
 */
int ops_update_link(int link_fd, struct bpf_object *obj, struct bpf_map *map,
		    const struct ops_layout *l);

/* What the kernel says about a pinned link. */
struct ops_info {
	__u32 link_id;
	__u32 map_id;		/* the struct_ops map the link uses, 0 if none */
	__u32 prog_id;		/* decide's program, 0 if unknown */
	__u64 vm_id;		/* from the map's value */
	bool have_value;	/* prog_id and vm_id are known */
	char map_name[16];
	char prog_name[16];
};

int ops_link_info(int link_fd, const struct ops_layout *l, struct ops_info *info);

#endif /* __SMCCC_CLI_PINS_H */
