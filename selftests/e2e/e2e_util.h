/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the end-to-end test cases: VMs, calls, debugfs. */
#ifndef __SMCCC_E2E_UTIL_H
#define __SMCCC_E2E_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#include "vmm.h"

#define FN_SMCCC_VERSION		0x80000000u
#define FN_SMCCC_ARCH_FEATURES	0x80000001u
#define FN_SMCCC_ARCH_WORKAROUND_1	0x80008000u
#define FN_PSCI_VERSION		0x84000000u
#define FN_TRNG_VERSION		0x84000050u
#define FN_PSCI_FEATURES		0x8400000au
#define FN_PSCI_SYSTEM_RESET2	0x84000012u
#define FN_KVM_FEATURES		0x86000000u
#define FN_PV_TIME_FEATURES	0xc5000020u
#define SIP_TEST_FN		0x82000001u	/* a SiP call KVM does not implement */
#define SIP_TEST_FN2		0x82000002u
#define SIP_TEST_FN2_64		0xc2000002u	/* its SMC64 twin */
#define FN_PSCI_CPU_ON		0x84000003u
#define FN_PSCI_CPU_ON64	0xc4000003u
#define FN_TRNG_FEATURES	0x84000051u
#define FN_TRNG_GET_UUID	0x84000052u
#define FN_TRNG_RND64		0xc4000053u
#define FN_KVM_PTP		0x86000001u

#define SMCCC_1_1		0x10001u
#define PSCI_1_1		0x10001u
#define PSCI_1_0		0x10000u
#define TRNG_1_0		0x10000u
#define RET_NOT_SUPPORTED	((uint64_t)-1)

/* Where bpftool, the .bpf.o objects and the KVM selftests are (-b). */
extern const char *bin_dir;

/* A VM with nr_vcpus vCPUs, its smccc-bpf id in *id if id; NULL on error. */
struct vmm_vm *new_vm(int nr_vcpus, uint64_t *id);
struct vmm_call mkcall(enum vmm_conduit c, uint32_t func_id);
/* x0 of one call on vCPU 0, or a value no SMCCC call returns on error. */
uint64_t call_x0(struct vmm_vm *vm, enum vmm_conduit c, uint32_t func_id);
/* x0 of func_id(x1) on vCPU 0, likewise. */
uint64_t call1_x0(struct vmm_vm *vm, enum vmm_conduit c, uint32_t func_id, uint64_t x1);
/* A hypercall handler answering the four values opaque points to. */
void set_return_handler(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			uint64_t ret[4], void *opaque);
/* The debugfs directory of the VM with this smccc-bpf id, or "". */
void vm_debugfs_dir(uint64_t vm_id, char *dir, size_t len);
/* A "key: value" line of <vm debugfs dir>/file, or a number file (key NULL). */
int read_debugfs(uint64_t vm_id, const char *file, const char *key, char *val, size_t len);
/* A vCPU statistic of the VM (summed over vCPUs, from debugfs); -1 if unreadable. */
long long vm_stat(uint64_t vm_id, const char *name);
/* Runs fn in a forked child after drop(); its exit status, 128 if killed. */
int in_child(void (*drop)(void), int (*fn)(void));
/* Root, but without CAP_SYS_ADMIN (effective and permitted); _exit(99) on error. */
void drop_sys_admin(void);
/* Clears or sets back CAP_SYS_ADMIN in the effective set; 0 or -errno. */
int set_sys_admin(bool on);
/* The value of a "key:<tab>value" line of /proc/PID/fdinfo/FD; 0 or -errno. */
int read_fdinfo(pid_t pid, int fd, const char *key, char *val, size_t len);
/* system() of the formatted command; its exit status. */
int run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
