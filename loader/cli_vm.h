/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf CLI: the VMs of the host, from debugfs
 * (/sys/kernel/debug/kvm/<pid>-<fd>/smccc_bpf: "vm_id: N\npid: P\npolicy: X").
 */
#ifndef __SMCCC_CLI_VM_H
#define __SMCCC_CLI_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cli_vm {
	uint64_t vm_id;
	int pid;
	char policy[16];	/* vm | default | none */
	char dir[64];		/* "<pid>-<fd>", under kvm/ */
	char comm[32];		/* the VMM's name, "" if unknown */
};

/*
 * Parses one smccc_bpf file's text; false if a field is missing or bad.
 */
bool cli_vm_parse(const char *text, struct cli_vm *vm);

/*
 * All VMs under DEBUGFS/kvm, sorted by vm_id (*vms malloc'ed, may be NULL
 * when *n is 0). 0; -ENOENT: no DEBUGFS/kvm (debugfs not mounted, or no
 * KVM); -EOPNOTSUPP: VMs without smccc_bpf files (kernel without the
 * patches); other -errno.
 */
int cli_vm_scan(const char *debugfs, struct cli_vm **vms, size_t *n);

/* The VM with this id, if any; false when unknown or debugfs is unusable. */
bool cli_vm_find(const char *debugfs, uint64_t vm_id, struct cli_vm *out);

/* Whether debugfs is usable at all (DEBUGFS/kvm exists). */
bool cli_vm_debugfs_ok(const char *debugfs);

#endif /* __SMCCC_CLI_VM_H */
