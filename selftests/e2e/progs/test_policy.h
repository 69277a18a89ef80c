/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by test_policy.bpf.c and the end-to-end tests. */
#ifndef __TEST_POLICY_H
#define __TEST_POLICY_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* What the test policy does for one function ID. */
struct test_rule {
	__u32 action;		/* SMCCC_BPF_ACT_*, or anything else */
	__u32 pad;
	__u64 ret[4];		/* for SMCCC_BPF_ACT_RETURN */
};

/* The last call the policy saw, as the kernel described it. */
struct test_seen {
	__u64 vm_id;
	__u32 func_id;
	__u32 vcpu_id;
	__u32 conduit;
	__u32 imm;
	__u64 args[17];
	__u64 calls;		/* calls decided by this policy instance */
};

/* The last call handled() saw, after KVM answered it. */
struct test_handled {
	__u32 func_id;
	__u32 pad;
	__u64 x1;		/* the call's x1, as the guest passed it */
	__u64 kvm_ret[4];	/* KVM's answer, before any adjustment */
	__u64 calls;		/* handled() calls of this policy instance */
};

/* What handled() makes the guest get instead of KVM's answer. */
struct test_adjust {
	__u64 ret[4];
};

#endif
