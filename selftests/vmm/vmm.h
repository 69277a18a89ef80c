/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * libvmm: a tiny KVM/arm64 VMM for smccc-bpf tests.
 *
 * A VM has one memslot holding a fixed blob of guest code (guest.S) and
 * nothing else: no vgic, no devices. Every vCPU runs at EL1 with the MMU
 * off and only ever executes small stubs that issue one HVC/SMC (vmm_call)
 * or a tight loop of them (vmm_loop), then park by writing to an unmapped
 * address, which comes back to us as KVM_EXIT_MMIO.
 *
 * Threading: different vCPUs (and different VMs) may be driven from
 * different threads at the same time. Calls on the same vCPU are
 * serialised by a per-vCPU lock. Set the hypercall handler before vCPUs
 * run on other threads; the handler runs on the thread that drives the
 * vCPU.
 *
 * Errors: functions returning int return 0 or -errno; anything that is not
 * a plain argument error (-EINVAL) also prints a message on stderr. After
 * an unexpected exit (guest exception, stray MMIO, system event, ...) the
 * vCPU is in an unknown state: further calls on it fail with -EIO.
 */
#ifndef __SMCCC_BPF_VMM_H
#define __SMCCC_BPF_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

/*
 * Upstream (6.4+) UAPI bits that the 6.1-era toolchain headers lack.
 * Values from arch/arm64/include/uapi/asm/kvm.h of Linux 6.12.
 */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL		0
#define KVM_ARM_VM_SMCCC_FILTER		0
#endif

#ifndef KVM_HYPERCALL_EXIT_SMC
#define VMM_OLD_KVM_HEADERS		1
#define KVM_HYPERCALL_EXIT_SMC		(1U << 0)
#define KVM_HYPERCALL_EXIT_16BIT	(1U << 1)

enum kvm_smccc_filter_action {
	KVM_SMCCC_FILTER_HANDLE = 0,
	KVM_SMCCC_FILTER_DENY,
	KVM_SMCCC_FILTER_FWD_TO_USER,
};

struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#endif

/*
 * run->hypercall.flags (KVM_HYPERCALL_EXIT_*). In 6.1 headers the same
 * 8 bytes are spelled "__u32 longmode; __u32 pad;" (arm64 is little-endian).
 */
static inline uint64_t vmm_hypercall_flags(const struct kvm_run *run)
{
#ifdef VMM_OLD_KVM_HEADERS
	return (uint64_t)run->hypercall.pad << 32 | run->hypercall.longmode;
#else
	return run->hypercall.flags;
#endif
}

struct vmm_vm;	/* opaque */

struct vmm_vm_opts {
	int nr_vcpus;
	/*
	 * Create vCPUs 1..n-1 with KVM_ARM_VCPU_POWER_OFF. Such a vCPU can
	 * only be used after a guest PSCI CPU_ON with entry point
	 * vmm_entry_addr() and a successful vmm_wait_online().
	 */
	bool secondaries_off;
	/*
	 * KVM's PSCI 0.1 (no KVM_ARM_VCPU_PSCI_0_2): the standard PSCI IDs are
	 * NOT_SUPPORTED, as for a VMM that never asked for PSCI 0.2.
	 */
	bool psci_0_1;
};

/*
 * VM + guest memory + guest code + nr_vcpus vCPUs (KVM_ARM_VCPU_PSCI_0_2).
 * No vCPU has run yet, so VM-wide configuration that must precede the
 * first KVM_RUN (e.g. vmm_set_smccc_filter()) is still possible.
 * NULL + errno on failure, with a message on stderr.
 */
struct vmm_vm *vmm_vm_create(int nr_vcpus);
struct vmm_vm *vmm_vm_create_opts(const struct vmm_vm_opts *opts);

/*
 * Unmaps and closes everything (kvm_run mappings, vCPU fds, VM fd,
 * /dev/kvm fd, guest memory), so the last reference to the VM is gone and
 * the kernel destroys it before this returns. NULL is a no-op.
 */
void vmm_vm_destroy(struct vmm_vm *vm);

int vmm_vm_fd(const struct vmm_vm *vm);
int vmm_vcpu_fd(const struct vmm_vm *vm, int vcpu);
int vmm_nr_vcpus(const struct vmm_vm *vm);

/*
 * The VM's smccc-bpf id: KVM_GET_DEVICE_ATTR(group KVM_ARM_VM_SMCCC_CTRL,
 * attr SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_VM_ID). 0 or -errno; a kernel
 * without smccc-bpf answers -ENXIO or -EINVAL (stock 6.12: -EINVAL, it
 * has no KVM_GET_DEVICE_ATTR on VM fds). Silent: callers decide.
 */
int vmm_vm_id(const struct vmm_vm *vm, uint64_t *id);

/*
 * What this VMM lets smccc-bpf policies do (KVM_SET_DEVICE_ATTR
 * KVM_ARM_VM_SMCCC_BPF_FLAGS): SMCCC_BPF_FLAG_EXITS opts in to the
 * KVM_EXIT_HYPERCALL exits policies decide. Any time. 0 or -errno (silent).
 */
int vmm_set_smccc_bpf_flags(struct vmm_vm *vm, uint64_t flags);

/*
 * Upstream SMCCC filter (KVM_SET_DEVICE_ATTR KVM_ARM_VM_SMCCC_FILTER).
 * Only before any vCPU of the VM has run. 0 or -errno (silent).
 */
int vmm_set_smccc_filter(struct vmm_vm *vm, uint32_t base, uint32_t nr_functions,
			 uint8_t action);

enum vmm_conduit { VMM_HVC, VMM_SMC };

/*
 * Supported (conduit, imm): HVC #0, #1, #0x1234, #0xffff; SMC #0, #1.
 * (KVM answers SMC with a nonzero imm with x0 = -1 before SMCCC dispatch.)
 */
struct vmm_call {
	enum vmm_conduit conduit;
	uint16_t imm;
	uint32_t func_id;	/* x0 */
	uint64_t args[17];	/* x1..x17 */
};

struct vmm_result {
	uint64_t x[4];		/* guest x0..x3 after the call */
	bool forwarded;		/* the call exited with KVM_EXIT_HYPERCALL */
	uint64_t hc_nr, hc_flags;	/* run->hypercall.nr/.flags if forwarded */
	uint64_t exit_pc;	/* guest PC at the hypercall exit, if forwarded */
	uint64_t insn_pc;	/* address of the HVC/SMC instruction */
};

/*
 * Called on KVM_EXIT_HYPERCALL; sets the guest's return registers x0..x3.
 * ret[] arrives as { -1 (NOT_SUPPORTED), 0, 0, 0 }. A NULL handler leaves
 * it like that. vmm_get_reg() may be used to read the call's arguments.
 */
typedef void (*vmm_hypercall_fn)(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
				 uint64_t ret[4], void *opaque);
void vmm_set_hypercall_handler(struct vmm_vm *vm, vmm_hypercall_fn fn, void *opaque);

/*
 * A KVM_RUN interrupted by a signal fails (-EINTR, the vCPU broken)
 * instead of being retried: for a caller that bounds a call with alarm()
 * (a handler without SA_RESTART), as a vCPU parked for good by a guest
 * CPU_OFF or CPU_SUSPEND never comes back otherwise.
 */
void vmm_set_eintr_fails(struct vmm_vm *vm, bool on);

/* One call on one vCPU. 0 or -errno. */
int vmm_call(struct vmm_vm *vm, int vcpu, const struct vmm_call *call, struct vmm_result *res);

struct vmm_loop_result {
	uint64_t calls;		/* calls issued by the guest (== count) */
	uint64_t x0_eq_a, x0_eq_b, x0_other;	/* a wins if a == b */
	uint64_t forwarded;	/* KVM_EXIT_HYPERCALL exits seen by the host */
	uint64_t ticks;		/* CNTVCT_EL0 delta over the loop, read by the guest */
};

/*
 * The guest issues `count` identical calls in a tight in-guest loop (no host
 * round trip unless a call is forwarded) and classifies each x0. The guest
 * reloads x0..x3 from call before every call and relies on x4..x17 being
 * preserved across calls (SMCCC 1.1+; KVM and smccc-bpf only write x0..x3).
 * 0 or -errno.
 */
int vmm_loop(struct vmm_vm *vm, int vcpu, const struct vmm_call *call, uint64_t count,
	     uint64_t a, uint64_t b, struct vmm_loop_result *out);

/*
 * The guest issues calls[0..n-1] one after the other from a table in guest
 * memory (no host round trip unless a call is forwarded) and out[i] gets
 * x0..x3 after call i. Each call has its own conduit, immediate and
 * x0..x17. At most VMM_BATCH_MAX calls. *done (if not NULL): the calls
 * completed, also on error (the one at *done is the one that failed).
 * The guest reads the table with its MMU off (Device memory): coherent
 * with the host's writes under TCG and with FEAT_S2FWB, which KVM uses
 * where the CPU has it. 0 or -errno; forwarded calls are answered by the
 * hypercall handler on the way, *forwarded (if not NULL) counts them.
 */
#define VMM_BATCH_MAX	330
int vmm_batch(struct vmm_vm *vm, int vcpu, const struct vmm_call *calls, unsigned int n,
	      uint64_t (*out)[4], unsigned int *done, uint64_t *forwarded);

/* CNTFRQ_EL0 (Hz), for converting vmm_loop_result.ticks. */
uint64_t vmm_counter_freq(void);

/* Guest register access: n = 0..30 for x0..x30, VMM_REG_PC for the PC. */
#define VMM_REG_PC	32
int vmm_get_reg(struct vmm_vm *vm, int vcpu, int n, uint64_t *val);
int vmm_set_reg(struct vmm_vm *vm, int vcpu, int n, uint64_t val);

/* Guest address of the HVC/SMC instruction for (conduit, imm); 0 if unsupported. */
uint64_t vmm_insn_addr(const struct vmm_vm *vm, enum vmm_conduit conduit, uint16_t imm);

/*
 * Entry point to pass to PSCI CPU_ON for a vCPU created powered off: it
 * parks immediately, which vmm_wait_online() waits for.
 */
uint64_t vmm_entry_addr(const struct vmm_vm *vm);

/*
 * For a vCPU created powered off: -EAGAIN while KVM still reports it
 * stopped; otherwise run it until it parks at vmm_entry_addr() (which
 * CPU_ON must have used) and return 0. A no-op (0) for vCPUs that are
 * already usable.
 */
int vmm_wait_online(struct vmm_vm *vm, int vcpu);

#endif /* __SMCCC_BPF_VMM_H */
