/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * For BPF policy programs: the kvm_smccc_ops interface as seen from BPF.
 * Include after vmlinux.h (generated from the smccc-bpf kernel's BTF).
 */
#ifndef __SMCCC_BPF_BPF_H
#define __SMCCC_BPF_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "smccc_bpf.h"

/*
 * Sets x0..x3 for the guest: in decide(), takes effect if it returns
 * RETURN; in handled(), replaces the answer KVM computed.
 */
extern void bpf_kvm_smccc_set_return(struct kvm_smccc_call *call,
				     __u64 a0, __u64 a1, __u64 a2, __u64 a3) __ksym;

/*
 * Declares the policy: a kvm_smccc_ops attached through a link, so it can
 * be replaced atomically (BPF_LINK_UPDATE) and pinned. NAME is the map name
 * userspace sees; VM_ID is its default target (the loader may override it
 * before load; 0 is the host-wide default).
 */
#define SMCCC_BPF_POLICY(NAME, DECIDE, VM_ID)				\
	SMCCC_BPF_POLICY_HANDLED(NAME, DECIDE, 0, VM_ID)

/* The same, with a handled() program run after KVM answered a call (0: none). */
#define SMCCC_BPF_POLICY_HANDLED(NAME, DECIDE, HANDLED, VM_ID)		\
	SEC(".struct_ops.link")						\
	struct kvm_smccc_ops NAME = {					\
		.decide = (void *)DECIDE,				\
		.handled = (void *)HANDLED,				\
		.vm_id = VM_ID,						\
	}

#endif /* __SMCCC_BPF_BPF_H */
