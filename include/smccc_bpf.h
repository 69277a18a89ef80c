/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Definitions shared by the smccc-bpf kernel interface, BPF policy programs
 * and userspace (loader, test VMM).
 *
 * The kernel side is the arm64 KVM struct_ops type "kvm_smccc_ops" added by
 * kernel/patches. Its names are KVM_SMCCC_BPF_*: the actions are the
 * kernel's enum kvm_smccc_bpf_action (include/kvm/arm_smccc_bpf.h, seen
 * through BTF), the VM attributes are UAPI (<asm/kvm.h>). The SMCCC_BPF_*
 * names below carry the same values so that BPF programs, which see the
 * kernel's enums through vmlinux.h, and userspace built against an
 * unpatched <asm/kvm.h> can share one spelling without clashing.
 */
#ifndef __SMCCC_BPF_H
#define __SMCCC_BPF_H

/* What a policy answers for one call (return value of kvm_smccc_ops.decide). */
#define SMCCC_BPF_ACT_HANDLE		0	/* carry on as upstream KVM */
#define SMCCC_BPF_ACT_DENY		1	/* x0 = SMCCC_RET_NOT_SUPPORTED */
#define SMCCC_BPF_ACT_FWD_TO_USER	2	/* KVM_EXIT_HYPERCALL to the VMM */
#define SMCCC_BPF_ACT_RETURN		3	/* x0..x3 set by bpf_kvm_smccc_set_return() */
#define SMCCC_BPF_NR_ACTIONS		4

/* kvm_smccc_call.conduit: the kernel's enum arm_smccc_conduit values. */
#define SMCCC_BPF_CONDUIT_SMC		1
#define SMCCC_BPF_CONDUIT_HVC		2

/* kvm_smccc_ops.vm_id of the host-wide default policy. */
#define SMCCC_BPF_VM_ID_GLOBAL		0

/*
 * KVM_GET_DEVICE_ATTR on a VM fd, group KVM_ARM_VM_SMCCC_CTRL, reads the
 * VM's smccc-bpf id (a __u64) into attr.addr.
 */
#define SMCCC_BPF_KVM_ARM_VM_SMCCC_CTRL	0
#define SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_VM_ID	1
/*
 * KVM_SET/GET_DEVICE_ATTR, same group: what the VMM lets policies do (a
 * __u64 of flags). Without SMCCC_BPF_FLAG_EXITS a policy's FWD_TO_USER is
 * a DENY, except for functions the VMM's own SMCCC filter forwards.
 */
#define SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_FLAGS	2
#define SMCCC_BPF_FLAG_EXITS		(1ull << 0)

/* Number of argument registers shown to a policy: x1..x17. */
#define SMCCC_BPF_NR_ARGS		17

/*
 * The SMCCC architecture calls (SMCCC_VERSION, ARCH_FEATURES,
 * ARCH_WORKAROUND_*) live here. A policy sees them but cannot change their
 * outcome: lying about Spectre mitigations to a guest is never a policy.
 */
#define SMCCC_BPF_ARCH32_FIRST		0x80000000u
#define SMCCC_BPF_ARCH32_LAST		0x8000ffffu
#define SMCCC_BPF_ARCH64_FIRST		0xc0000000u
#define SMCCC_BPF_ARCH64_LAST		0xc000ffffu

/*
 * The discovery calls whose answers a policy may make agree with it
 * (kvm_smccc_ops.handled): each reports on another function ID, in x1,
 * except KVM's features bitmap (bit n of x0..x3: KVM vendor function n).
 */
#define SMCCC_BPF_ARCH_FEATURES		0x80000001u	/* SMCCC_ARCH_FEATURES */
#define SMCCC_BPF_PSCI_FEATURES		0x8400000au	/* PSCI_FEATURES */
#define SMCCC_BPF_TRNG_FEATURES		0x84000051u	/* TRNG_FEATURES */
#define SMCCC_BPF_KVM_FEATURES		0x86000000u	/* ARM_SMCCC_VENDOR_HYP_KVM_FEATURES */
#define SMCCC_BPF_KVM_FUNC_BASE		0x86000000u	/* KVM vendor function n: base | n */
#define SMCCC_BPF_KVM_NR_FUNCS		128		/* bits in x0..x3 */

#define SMCCC_BPF_RET_SUCCESS		0
#define SMCCC_BPF_RET_NOT_SUPPORTED	0xffffffffffffffffull	/* -1 */
#define SMCCC_BPF_RET_NOT_REQUIRED	0xfffffffffffffffeull	/* -2 */
#define SMCCC_BPF_RET_INVALID_PARAMETER	0xfffffffffffffffdull	/* -3 */

/* Where the loader pins links and maps (bpffs). */
#define SMCCC_BPF_PIN_DIR		"/sys/fs/bpf/smccc-bpf"

static inline int smccc_bpf_is_arch_call(unsigned int func_id)
{
	return (func_id >= SMCCC_BPF_ARCH32_FIRST && func_id <= SMCCC_BPF_ARCH32_LAST) ||
	       (func_id >= SMCCC_BPF_ARCH64_FIRST && func_id <= SMCCC_BPF_ARCH64_LAST);
}

#endif /* __SMCCC_BPF_H */
