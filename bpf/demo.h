/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared by the demo policy (bpf/demo.bpf.c) and its loader (loader/demo.c):
 * the ring buffer record and the per-CPU counter slots.
 */
#ifndef __SMCCC_BPF_DEMO_H
#define __SMCCC_BPF_DEMO_H

#ifndef __bpf__
#include <linux/types.h>	/* BPF programs get __u64 & co. from vmlinux.h */
#endif

/* The demo's function IDs (SMCCC function identifiers, w0). */
#define DEMO_SMCCC_VERSION	0x80000000u	/* Arm Architecture Call */
#define DEMO_SMCCC_ARCH_FEATURES 0x80000001u	/* Arm Architecture Call */
#define DEMO_PSCI_VERSION	0x84000000u
#define DEMO_PSCI_FEATURES	0x8400000au
#define DEMO_TRNG_VERSION	0x84000050u
#define DEMO_TRNG_FEATURES	0x84000051u
#define DEMO_TRNG_GET_UUID	0x84000052u
#define DEMO_TRNG_RND32		0x84000053u
#define DEMO_TRNG_RND64		0xc4000053u
#define DEMO_SIP_BOARD_INFO	0x82000001u	/* a made-up SiP call, emulated */
#define DEMO_SIP_UNKNOWN	0x82000010u	/* a SiP call nobody implements */
#define DEMO_OEM_CALL		0x83000001u	/* a made-up OEM call, for the VMM */
#define DEMO_VENDOR_HYP_UID	0x8600ff01u	/* KVM's vendor hypervisor UID */

/* What the policy answers for DEMO_SIP_BOARD_INFO (x0..x3). */
#define DEMO_SIP_RET0		0		/* SMCCC_RET_SUCCESS */
#define DEMO_SIP_RET1		0x5eed		/* "board id" */
#define DEMO_SIP_RET2		0x20240612	/* "firmware date" */
/* x3 echoes the caller's x1, to show the policy reads arguments. */

/* One decision, as the policy saw it (one ring buffer record). */
struct demo_event {
	__u64 ktime_ns;		/* bpf_ktime_get_ns() when decided */
	__u64 vm_id;
	__u32 vcpu_id;
	__u32 func_id;
	__u16 conduit;		/* SMCCC_BPF_CONDUIT_{SMC,HVC} */
	__u16 imm;		/* HVC/SMC immediate */
	__u32 action;		/* what decide() returned: SMCCC_BPF_ACT_* */
	__u64 x1;		/* first argument */
};

/* Per-CPU counter slots: one per action, then ring buffer overflows. */
#define DEMO_STAT_DROPPED	4	/* == SMCCC_BPF_NR_ACTIONS */
#define DEMO_NR_STATS		5

#endif /* __SMCCC_BPF_DEMO_H */
