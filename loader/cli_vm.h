/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf CLI: the VMs of the host, found in /proc. A VM is a KVM VM fd
 * (/proc/PID/fd/N reading "anon_inode:kvm-vm") of some process, and the
 * smccc-bpf kernel describes it in that fd's fdinfo:
 *
 *   smccc_bpf_vm_id:	7
 *   smccc_bpf_policy:	none | vm | default | default+vm
 *   smccc_bpf_default_policy:	3 deny_psci	(when a host-wide default is attached)
 *   smccc_bpf_vm_policy:	12 permissive	(when the VM has its own policy)
 *
 * (struct_ops map id, map name). Attaching to a VM goes through a copy of
 * that fd, taken from its VMM with pidfd_getfd().
 */
#ifndef __SMCCC_CLI_VM_H
#define __SMCCC_CLI_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define CLI_VM_LINK		"anon_inode:kvm-vm"
#define CLI_VM_NAME_LEN		16	/* BPF_OBJ_NAME_LEN */

struct cli_vm {
	uint64_t vm_id;
	int pid;			/* the lowest pid holding the VM */
	int fd;				/* the VM's fd in that process */
	char policy[16];		/* none | vm | default | default+vm */
	uint32_t vm_map_id;		/* the VM's own policy (struct_ops map), 0: none */
	char vm_name[CLI_VM_NAME_LEN];
	uint32_t default_map_id;	/* the host-wide default's map, 0: none */
	char default_name[CLI_VM_NAME_LEN];
	char comm[32];			/* the VMM's name, "" if unknown */
};

/*
 * Parses the text of a VM fd's fdinfo into vm (vm_id, policy, maps; pid,
 * fd and comm are left alone). 0; -ENODATA: no smccc_bpf_ line (a kernel
 * without the smccc-bpf series); -EINVAL: smccc_bpf_ lines that do not
 * make sense (no or a zero VM id, an unknown policy state, a bad map line).
 */
int cli_vm_parse_fdinfo(const char *text, struct cli_vm *vm);

/* What a scan of /proc found. */
struct cli_vms {
	struct cli_vm *vm;		/* one per VM id, sorted by id; malloc'ed */
	size_t n;
	unsigned int unreadable;	/* processes whose fds could not be read */
	unsigned int without;		/* VM fds without smccc_bpf fdinfo lines */
};

/*
 * The VMs held by the processes under proc (a /proc mount; tests give a
 * fake one), or by process pid alone if pid > 0. A VM shared by several
 * processes (fork, SCM_RIGHTS) is listed once, with the lowest pid. 0;
 * -ESRCH: no process pid; -EACCES: pid's fds are unreadable; -errno:
 * proc cannot be read. Free with cli_vms_free() whatever it returns.
 */
int cli_vm_scan(const char *proc, int pid, struct cli_vms *vms);
void cli_vms_free(struct cli_vms *vms);

/* The VM with this id in vms, or NULL. */
const struct cli_vm *cli_vms_find(const struct cli_vms *vms, uint64_t vm_id);

/*
 * Whether VM vm_id exists, as far as vms can tell: false if it is not
 * there but processes were unreadable (it may be theirs), else true with
 * *alive set.
 */
bool cli_vms_knows(const struct cli_vms *vms, uint64_t vm_id, bool *alive);

/*
 * The VM a target names: --pid PID alone (that VMM's only VM), --vm ID
 * (any process's), or both (that VMM's VM ID). Reports why not (no such
 * process or VM, several VMs, unreadable fds, a kernel without the VM
 * fdinfo) and returns its exit code; *gone is set when the VM is known
 * not to exist (its pins, if any, are stale).
 */
int cli_vm_lookup(struct cli *cli, const struct cli_target *t, struct cli_vm *vm, bool *gone);

/*
 * A copy of vm's fd in this process (pidfd_open + pidfd_getfd), checked
 * to still be that VM. Returns CLI_EXIT_OK with *fd set, or reports why
 * not and returns its exit code (*gone set when the VM went away since
 * the scan).
 */
int cli_vm_take_fd(struct cli *cli, const struct cli_vm *vm, int *fd, bool *gone);

#endif /* __SMCCC_CLI_VM_H */
