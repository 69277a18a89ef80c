// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of the smccc-bpf kernel hook, run inside the booted
 * test VM: real KVM guests (selftests/vmm) make SMCCC calls over HVC and
 * SMC while BPF kvm_smccc_ops policies are attached, replaced and detached,
 * and the host side asserts what the guest got back.
 *
 * Usage: smccc_e2e [-b DIR] [FILTER]
 *   -b DIR   where bpftool, the .bpf.o objects and the KVM selftests are
 *            (default /test)
 *   FILTER   run only the cases whose name contains FILTER
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "authority.h"
#include "bounds.h"
#include "e2e_util.h"
#include "harness.h"
#include "policy.h"
#include "smccc_bpf.h"
#include "vmm.h"
#include "handle_all.skel.h"

const char *bin_dir = "/test";

/* ---- cases -------------------------------------------------------------- */

/* No policy anywhere: what upstream KVM answers. */
static void test_no_policy_upstream(enum vmm_conduit c)
{
	struct vmm_vm *vm = new_vm(1, NULL);

	ASSERT(vm, "vm create: %s", strerror(errno));
	EXPECT_EQ(call_x0(vm, c, FN_SMCCC_VERSION), SMCCC_1_1);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_1);
	EXPECT_EQ(call_x0(vm, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	vmm_vm_destroy(vm);
}

/* HANDLE: the call goes on to KVM as if there were no policy. */
static void test_action_handle(enum vmm_conduit c)
{
	uint64_t id, trng_before, calls;
	struct vmm_vm *vm = new_vm(1, &id);
	struct policy *p;

	ASSERT(vm, "vm create: %s", strerror(errno));
	trng_before = call_x0(vm, c, FN_TRNG_VERSION);
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	calls = policy_seen(p)->calls;
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_1);
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), trng_before);
	EXPECT_EQ(call_x0(vm, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	EXPECT_EQ(policy_seen(p)->calls, calls + 3);
	policy_free(p);
	vmm_vm_destroy(vm);
}

static void test_action_deny(enum vmm_conduit c)
{
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_DENY, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), 0x10000);	/* untouched */
	policy_free(p);
	vmm_vm_destroy(vm);
}

/*
 * FWD_TO_USER, to a VMM that opted in to policy exits: KVM_EXIT_HYPERCALL
 * exactly as the upstream filter's.
 */
static void test_action_fwd_to_user(enum vmm_conduit c)
{
	static uint64_t answer[4] = { 0x1234, 5, 6, 7 };
	struct vmm_call call = mkcall(c, SIP_TEST_FN);
	struct vmm_result res;
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	vmm_set_hypercall_handler(vm, set_return_handler, answer);
	ASSERT_EQ(vmm_set_smccc_bpf_flags(vm, SMCCC_BPF_FLAG_EXITS), 0);
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT(res.forwarded, "no KVM_EXIT_HYPERCALL");
	EXPECT_EQ(res.hc_nr, SIP_TEST_FN);
	EXPECT_EQ(res.hc_flags, c == VMM_SMC ? KVM_HYPERCALL_EXIT_SMC : 0);
	EXPECT_EQ(res.exit_pc, res.insn_pc + 4);
	EXPECT_EQ(res.x[0], answer[0]);
	EXPECT_EQ(res.x[3], answer[3]);
	/* Other calls are not forwarded. */
	call.func_id = FN_PSCI_VERSION;
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT(!res.forwarded, "FN_PSCI_VERSION was forwarded");
	EXPECT_EQ(res.x[0], PSCI_1_1);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/* RETURN: the guest gets what the program set with the kfunc. */
static void test_action_return(enum vmm_conduit c)
{
	static const uint64_t vals[4] = { 0x1111, 0x2222222222ull, 0x3333, 0xffffffffffffffffull };
	static const uint64_t psci_1_0[4] = { PSCI_1_0 };
	struct vmm_call call = mkcall(c, SIP_TEST_FN);
	struct vmm_result res;
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, vals), 0);
	ASSERT_EQ(policy_attach(p), 0);
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT(!res.forwarded, "RETURN exited to userspace");
	EXPECT_EQ(res.x[0], vals[0]);
	EXPECT_EQ(res.x[1], vals[1]);
	EXPECT_EQ(res.x[2], vals[2]);
	EXPECT_EQ(res.x[3], vals[3]);
	/*
	 * To a discovery call, only an answer that hides something counts:
	 * PSCI 1.0 under KVM's 1.1, not a version KVM does not implement.
	 */
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_RETURN, vals), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_1);
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_RETURN, psci_1_0), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_0);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/* An action outside the enum: denied and counted, no WARN. */
static void test_action_out_of_range(enum vmm_conduit c)
{
	char before[64] = "", after[64] = "";
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, 7, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	EXPECT_EQ(read_debugfs(id, "smccc_bpf_bad_action", NULL, before, sizeof(before)), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(read_debugfs(id, "smccc_bpf_bad_action", NULL, after, sizeof(after)), 0);
	EXPECT_EQ(strtoull(after, NULL, 0), strtoull(before, NULL, 0) + 2);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/*
 * The program sees ID, conduit, imm, vCPU, VM id and x1..x17: the whole
 * registers for an SMC64/HVC64 ID, their low halves for a 32-bit one.
 */
static void test_call_context(enum vmm_conduit c)
{
	struct vmm_call call = mkcall(c, SIP_TEST_FN2);
	volatile struct test_seen *seen;
	struct vmm_result res;
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;
	int i;

	vm = new_vm(2, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	seen = policy_seen(p);

	call.imm = c == VMM_HVC ? 0x1234 : 0;
	for (i = 0; i < 17; i++)
		call.args[i] = 0xa5a5000000000000ull | (uint64_t)(i + 1) << 8 | c;
	ASSERT_EQ(vmm_call(vm, 1, &call, &res), 0);
	EXPECT_EQ(seen->func_id, SIP_TEST_FN2);
	for (i = 0; i < 17; i++)
		EXPECT(seen->args[i] == (uint32_t)call.args[i], "x%d: 0x%llx (SMC32)", i + 1,
		       (unsigned long long)seen->args[i]);
	call.func_id = SIP_TEST_FN2_64;
	ASSERT_EQ(vmm_call(vm, 1, &call, &res), 0);
	EXPECT_EQ(seen->func_id, SIP_TEST_FN2_64);
	EXPECT_EQ(seen->conduit, c == VMM_SMC ? SMCCC_BPF_CONDUIT_SMC : SMCCC_BPF_CONDUIT_HVC);
	EXPECT_EQ(seen->imm, call.imm);
	EXPECT_EQ(seen->vcpu_id, 1);
	EXPECT_EQ(seen->vm_id, id);
	for (i = 0; i < 17; i++)
		EXPECT(seen->args[i] == call.args[i], "x%d: 0x%llx != 0x%llx", i + 1,
		       (unsigned long long)seen->args[i], (unsigned long long)call.args[i]);

	if (c == VMM_HVC) {
		call.imm = 0xffff;
		ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
		EXPECT_EQ(seen->imm, 0xffff);
		EXPECT_EQ(seen->vcpu_id, 0);
	}
	policy_free(p);
	vmm_vm_destroy(vm);
}

/* Two VMs, two policies: neither sees or decides the other's calls. */
static void test_two_vms_isolated(enum vmm_conduit c)
{
	static const uint64_t ra[4] = { 0xaaaa }, rb[4] = { 0xbbbb };
	uint64_t id_a, id_b;
	struct vmm_vm *a = new_vm(1, &id_a), *b = new_vm(1, &id_b);
	struct policy *pa = NULL, *pb = NULL;

	ASSERT(a && b, "vm create: %s", strerror(errno));
	EXPECT(id_a != id_b && id_a && id_b, "ids %llu %llu", (unsigned long long)id_a,
	       (unsigned long long)id_b);
	pa = policy_load(id_a, SMCCC_BPF_ACT_HANDLE);
	pb = policy_load(id_b, SMCCC_BPF_ACT_HANDLE);
	ASSERT(pa && pb, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(pa, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, ra), 0);
	ASSERT_EQ(policy_rule(pb, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, rb), 0);
	ASSERT_EQ(policy_attach(pa), 0);
	ASSERT_EQ(policy_attach(pb), 0);
	EXPECT_EQ(call_x0(a, c, SIP_TEST_FN), 0xaaaa);
	EXPECT_EQ(call_x0(b, c, SIP_TEST_FN), 0xbbbb);
	EXPECT_EQ(call_x0(a, c, SIP_TEST_FN), 0xaaaa);
	EXPECT_EQ(policy_seen(pa)->calls, 2);
	EXPECT_EQ(policy_seen(pb)->calls, 1);
	EXPECT_EQ(policy_seen(pa)->vm_id, id_a);
	EXPECT_EQ(policy_seen(pb)->vm_id, id_b);
	policy_free(pa);
	policy_free(pb);
	vmm_vm_destroy(a);
	vmm_vm_destroy(b);
}

/*
 * The host-wide default decides first, for every VM; a VM's own policy
 * decides only what the default lets KVM handle, so a permissive policy of
 * the VMM's cannot loosen a denying default.
 */
static void test_global_default(enum vmm_conduit c)
{
	static const uint64_t rg[4] = { 0x6106a1 }, rv[4] = { 0x0be };
	uint64_t id_own, id_other, n;
	struct vmm_vm *own = new_vm(1, &id_own), *other = new_vm(1, &id_other);
	struct policy *pg = NULL, *pv = NULL;
	char val[64];

	ASSERT(own && other, "vm create: %s", strerror(errno));
	pg = policy_load(SMCCC_BPF_VM_ID_GLOBAL, SMCCC_BPF_ACT_HANDLE);
	pv = policy_load(id_own, SMCCC_BPF_ACT_HANDLE);
	ASSERT(pg && pv, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(pg, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, rg), 0);
	ASSERT_EQ(policy_rule(pg, FN_PSCI_VERSION, SMCCC_BPF_ACT_DENY, NULL), 0);
	ASSERT_EQ(policy_rule(pv, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, rv), 0);
	ASSERT_EQ(policy_rule(pv, SIP_TEST_FN2, SMCCC_BPF_ACT_RETURN, rv), 0);
	ASSERT_EQ(policy_attach(pg), 0);
	EXPECT_EQ(call_x0(own, c, SIP_TEST_FN), 0x6106a1);
	ASSERT_EQ(policy_attach(pv), 0);
	n = policy_seen(pv)->calls;
	/* The default's answers stand; the VM's policy is not even asked. */
	EXPECT_EQ(call_x0(own, c, SIP_TEST_FN), 0x6106a1);
	EXPECT_EQ(call_x0(own, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(policy_seen(pv)->calls, n);
	/* What the default lets through, the VM's policy decides. */
	EXPECT_EQ(call_x0(own, c, SIP_TEST_FN2), 0x0be);
	EXPECT_EQ(policy_seen(pv)->calls, n + 1);
	EXPECT_EQ(call_x0(other, c, SIP_TEST_FN), 0x6106a1);
	EXPECT_EQ(call_x0(other, c, SIP_TEST_FN2), RET_NOT_SUPPORTED);
	EXPECT_EQ(read_debugfs(id_own, "smccc_bpf", "policy", val, sizeof(val)), 0);
	EXPECT(!strcmp(val, "default+vm"), "own VM's policy is '%s'", val);
	EXPECT_EQ(read_debugfs(id_other, "smccc_bpf", "policy", val, sizeof(val)), 0);
	EXPECT(!strcmp(val, "default"), "other VM's policy is '%s'", val);
	/* A second default is refused while one is attached. */
	policy_free(pv);
	pv = policy_load(SMCCC_BPF_VM_ID_GLOBAL, SMCCC_BPF_ACT_HANDLE);
	ASSERT(pv, "load: %s", strerror(errno));
	EXPECT_EQ(policy_attach(pv), -EBUSY);
	policy_free(pg);
	EXPECT_EQ(call_x0(other, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(own, c, FN_PSCI_VERSION), PSCI_1_1);
	EXPECT_EQ(read_debugfs(id_other, "smccc_bpf", "policy", val, sizeof(val)), 0);
	EXPECT(!strcmp(val, "none"), "policy after detach is '%s'", val);
	policy_free(pv);
	vmm_vm_destroy(own);
	vmm_vm_destroy(other);
}

struct loop_arg {
	struct vmm_vm *vm;
	struct vmm_call call;
	uint64_t count;
	uint64_t b;		/* the other expected x0 (0 means 0xb) */
	struct vmm_loop_result res;
	int err;
	volatile int done;
};

static void *loop_thread(void *opaque)
{
	struct loop_arg *a = opaque;

	a->err = vmm_loop(a->vm, 0, &a->call, a->count, 0xa, a->b ?: 0xb, &a->res);
	a->done = 1;
	return NULL;
}

/* Replace the policy while a vCPU loops on calls: no call goes undecided. */
static void test_live_replace(enum vmm_conduit c)
{
	static const uint64_t ra[4] = { 0xa }, rb[4] = { 0xb };
	struct policy *pa = NULL, *pb = NULL, *pc = NULL;
	struct loop_arg arg = { .count = 40000 };
	int swaps = 0, err = 0;
	pthread_t th;
	uint64_t id, other_id;
	struct vmm_vm *other;

	arg.vm = new_vm(1, &id);
	ASSERT(arg.vm, "vm create: %s", strerror(errno));
	arg.call = mkcall(c, SIP_TEST_FN);
	pa = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	pb = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(pa && pb, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(pa, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, ra), 0);
	ASSERT_EQ(policy_rule(pb, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, rb), 0);
	ASSERT_EQ(policy_attach(pa), 0);

	ASSERT_EQ(pthread_create(&th, NULL, loop_thread, &arg), 0);
	while (!arg.done && !err) {
		struct timespec ts = { 0, 200000 };

		err = policy_replace(pa, swaps % 2 ? pa : pb);
		swaps++;
		nanosleep(&ts, NULL);
	}
	pthread_join(th, NULL);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(arg.err, 0);
	EXPECT_EQ(arg.res.calls, arg.count);
	EXPECT_EQ(arg.res.x0_other, 0);
	EXPECT_EQ(arg.res.x0_eq_a + arg.res.x0_eq_b, arg.count);
	EXPECT(arg.res.x0_eq_a && arg.res.x0_eq_b, "a=%llu b=%llu after %d swaps",
	       (unsigned long long)arg.res.x0_eq_a, (unsigned long long)arg.res.x0_eq_b, swaps);
	EXPECT_EQ(policy_seen(pa)->calls + policy_seen(pb)->calls, arg.count);

	/* A replacement must target the same VM. */
	other = new_vm(1, &other_id);
	ASSERT(other, "vm create: %s", strerror(errno));
	pc = policy_load(other_id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(pc, "load: %s", strerror(errno));
	EXPECT_EQ(policy_replace(pa, pc), -EINVAL);
	policy_free(pc);
	vmm_vm_destroy(other);
	policy_free(pa);
	policy_free(pb);
	vmm_vm_destroy(arg.vm);
}

/*
 * Detach while a vCPU loops on calls: each call is decided either by the
 * policy (x0 = 0xa) or, after the detach, as upstream (x0 = -1): never
 * anything else. Calls already inside the policy finish with it.
 */
static void test_detach_while_running(enum vmm_conduit c)
{
	static const uint64_t ra[4] = { 0xa };
	struct loop_arg arg = { .count = 40000, .b = RET_NOT_SUPPORTED };
	struct timespec ts = { 0, 20000000 };
	uint64_t id, calls;
	struct policy *p;
	pthread_t th;
	int err;

	arg.vm = new_vm(1, &id);
	ASSERT(arg.vm, "vm create: %s", strerror(errno));
	arg.call = mkcall(c, SIP_TEST_FN);
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, ra), 0);
	ASSERT_EQ(policy_attach(p), 0);

	ASSERT_EQ(pthread_create(&th, NULL, loop_thread, &arg), 0);
	nanosleep(&ts, NULL);
	err = bpf_link__detach(p->link);
	pthread_join(th, NULL);
	calls = policy_seen(p)->calls;
	ASSERT_EQ(err, 0);
	ASSERT_EQ(arg.err, 0);
	EXPECT_EQ(arg.res.calls, arg.count);
	EXPECT_EQ(arg.res.x0_other, 0);
	EXPECT_EQ(arg.res.x0_eq_a, calls);
	EXPECT_EQ(arg.res.x0_eq_a + arg.res.x0_eq_b, arg.count);
	EXPECT(arg.res.x0_eq_a && arg.res.x0_eq_b, "policy %llu, upstream %llu",
	       (unsigned long long)arg.res.x0_eq_a, (unsigned long long)arg.res.x0_eq_b);
	/* Once detached, the policy is not called any more. */
	EXPECT_EQ(call_x0(arg.vm, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	EXPECT_EQ(policy_seen(p)->calls, calls);
	policy_free(p);
	vmm_vm_destroy(arg.vm);
}

/* Detaching restores upstream behaviour; the program is not called again. */
static void test_detach_restores_upstream(enum vmm_conduit c)
{
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id, calls;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	ASSERT_EQ(bpf_link__detach(p->link), 0);
	calls = policy_seen(p)->calls;
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_1);
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), 0x10000);
	EXPECT_EQ(policy_seen(p)->calls, calls);
	/* The VM can take a new policy. */
	policy_free(p);
	p = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(p, "load: %s", strerror(errno));
	EXPECT_EQ(policy_attach(p), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/* Destroying a VM with a policy attached releases it cleanly. */
static void test_destroy_vm_with_policy(enum vmm_conduit c)
{
	struct vmm_vm *vm, *next;
	struct policy *p, *q;
	uint64_t id, next_id;
	char dir[400];

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	vmm_vm_destroy(vm);
	vm_debugfs_dir(id, dir, sizeof(dir));
	EXPECT(!dir[0], "%s still there", dir);

	/* The id is gone for good: no attach, no reuse. */
	q = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(q, "load: %s", strerror(errno));
	EXPECT_EQ(policy_attach(q), -ENOENT);
	next = new_vm(1, &next_id);
	ASSERT(next, "vm create: %s", strerror(errno));
	EXPECT(next_id > id, "id %llu reused after %llu", (unsigned long long)next_id,
	       (unsigned long long)id);
	EXPECT_EQ(call_x0(next, c, FN_PSCI_VERSION), PSCI_1_1);
	/* Releasing the orphaned link is harmless. */
	policy_free(p);
	policy_free(q);
	vmm_vm_destroy(next);
}

/* The SMCCC arch range is shown to the policy but never changed by it. */
static void test_arch_range_reserved(enum vmm_conduit c)
{
	static const uint64_t vals[4] = { 0x5a5a };
	struct vmm_call call = mkcall(c, FN_SMCCC_ARCH_FEATURES);
	uint64_t id, wa1_before, calls;
	struct vmm_result res;
	struct vmm_vm *vm;
	struct policy *p;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	call.args[0] = FN_SMCCC_ARCH_WORKAROUND_1;
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	wa1_before = res.x[0];

	p = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, FN_SMCCC_VERSION, SMCCC_BPF_ACT_RETURN, vals), 0);
	ASSERT_EQ(policy_rule(p, 0xc0000000u, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	calls = policy_seen(p)->calls;
	EXPECT_EQ(call_x0(vm, c, FN_SMCCC_VERSION), SMCCC_1_1);
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT_EQ(res.x[0], wa1_before);
	call.func_id = 0xc0000000u;
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT(!res.forwarded, "arch call forwarded");
	EXPECT_EQ(policy_seen(p)->calls, calls + 3);
	/* Right outside the range the policy rules again. */
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/*
 * handled(): sees the guest's arguments and the answer to a discovery call,
 * and may hide part of it; it is not called for any other call.
 */
static void test_handled_adjusts_answers(enum vmm_conduit c)
{
	static const uint64_t psci_ver[4] = { PSCI_1_0 };
	static const uint64_t absent[4] = { RET_NOT_SUPPORTED };
	static const uint64_t fwd[4] = { 0x1234 };
	uint64_t id, reset2, feats, bitmap[4] = { 0 }, n;
	volatile struct test_handled *seen;
	struct vmm_vm *vm;
	struct policy *p;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	vmm_set_hypercall_handler(vm, set_return_handler, (void *)fwd);
	ASSERT_EQ(vmm_set_smccc_bpf_flags(vm, SMCCC_BPF_FLAG_EXITS), 0);
	reset2 = call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_SYSTEM_RESET2);
	feats = call_x0(vm, c, FN_KVM_FEATURES);
	EXPECT_EQ(reset2, 0);			/* PSCI 1.1: SYSTEM_RESET2 is there */
	EXPECT(feats & 2, "KVM features bitmap 0x%llx has no PTP bit", (unsigned long long)feats);

	p = policy_load_handled(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_DENY, NULL), 0);
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_RETURN, psci_ver), 0);
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN2, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	seen = policy_handled_seen(p);

	/* Nothing to adjust: the guest gets KVM's answer, handled() saw it and x1. */
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_SYSTEM_RESET2), reset2);
	EXPECT_EQ(seen->func_id, FN_PSCI_FEATURES);
	EXPECT_EQ(seen->x1, FN_PSCI_SYSTEM_RESET2);
	EXPECT_EQ(seen->kvm_ret[0], reset2);
	n = seen->calls;
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), TRNG_1_0);	/* KVM's TRNG handler */
	EXPECT_EQ(seen->func_id, FN_TRNG_VERSION);
	EXPECT_EQ(seen->kvm_ret[0], TRNG_1_0);
	EXPECT_EQ(seen->calls, n + 1);

	/*
	 * Not for calls KVM did not answer (denied, forwarded), and not for
	 * calls that are not discovery: entropy, time, the UUID.
	 */
	n = seen->calls;
	EXPECT_EQ(call_x0(vm, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, SIP_TEST_FN2), 0x1234);
	EXPECT(call_x0(vm, c, FN_TRNG_RND64) != RET_NOT_SUPPORTED, "TRNG_RND64 failed");
	EXPECT(call_x0(vm, c, FN_TRNG_GET_UUID) != RET_NOT_SUPPORTED, "TRNG_GET_UUID failed");
	call1_x0(vm, c, FN_KVM_PTP, 0);
	EXPECT_EQ(seen->calls, n);

	/* A RETURN to a discovery call: KVM answers, then the lower version stands. */
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_0);
	EXPECT_EQ(seen->calls, n + 1);
	EXPECT_EQ(seen->kvm_ret[0], PSCI_1_0);	/* handled() sees the answer so far */

	/* Replaced answers: one function gone, one bit of the bitmap cleared. */
	ASSERT_EQ(policy_adjust(p, FN_PSCI_FEATURES, absent), 0);
	bitmap[0] = feats & ~2ull;
	ASSERT_EQ(policy_adjust(p, FN_KVM_FEATURES, bitmap), 0);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_SYSTEM_RESET2), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_KVM_FEATURES), feats & ~2ull);
	EXPECT_EQ(seen->kvm_ret[0], feats);

	policy_free(p);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_SYSTEM_RESET2), reset2);
	EXPECT_EQ(call_x0(vm, c, FN_KVM_FEATURES), feats);
	vmm_vm_destroy(vm);
}

/*
 * In the architecture range handled() can only change what
 * SMCCC_ARCH_FEATURES says about a function outside it.
 */
static void test_handled_arch_range(enum vmm_conduit c)
{
	static const uint64_t bogus[4] = { 0x5a5a };
	static const uint64_t absent[4] = { RET_NOT_SUPPORTED };
	volatile struct test_handled *seen;
	uint64_t id, wa1, pv, n;
	struct vmm_vm *vm;
	struct policy *p;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	wa1 = call1_x0(vm, c, FN_SMCCC_ARCH_FEATURES, FN_SMCCC_ARCH_WORKAROUND_1);
	pv = call1_x0(vm, c, FN_SMCCC_ARCH_FEATURES, FN_PV_TIME_FEATURES);
	EXPECT_EQ(pv, 0);			/* PV time is offered */

	p = policy_load_handled(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_adjust(p, FN_SMCCC_VERSION, bogus), 0);
	ASSERT_EQ(policy_adjust(p, FN_SMCCC_ARCH_FEATURES, absent), 0);
	ASSERT_EQ(policy_attach(p), 0);
	seen = policy_handled_seen(p);

	n = seen->calls;
	EXPECT_EQ(call_x0(vm, c, FN_SMCCC_VERSION), SMCCC_1_1);
	EXPECT_EQ(call1_x0(vm, c, FN_SMCCC_ARCH_FEATURES, FN_SMCCC_ARCH_WORKAROUND_1), wa1);
	EXPECT_EQ(seen->calls, n);		/* not even asked */
	EXPECT_EQ(call1_x0(vm, c, FN_SMCCC_ARCH_FEATURES, FN_PV_TIME_FEATURES), RET_NOT_SUPPORTED);
	EXPECT_EQ(seen->calls, n + 1);
	EXPECT_EQ(seen->x1, FN_PV_TIME_FEATURES);
	policy_free(p);
	vmm_vm_destroy(vm);
}

static void drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		_exit(99);
}

/* 0 if attaching a default policy is refused with EPERM, else 1. */
static int try_attach_default(void)
{
	struct policy *p;
	int err;

	libbpf_set_print(NULL);
	p = policy_load(SMCCC_BPF_VM_ID_GLOBAL, SMCCC_BPF_ACT_DENY);
	if (!p)
		return errno == EPERM ? 0 : 2;
	err = policy_attach(p);
	policy_free(p);
	return err == -EPERM ? 0 : 1;
}

static void test_unprivileged_cannot_attach(enum vmm_conduit c)
{
	struct vmm_vm *vm = new_vm(1, NULL);

	ASSERT(vm, "vm create: %s", strerror(errno));
	EXPECT_EQ(in_child(drop_to_nobody, try_attach_default), 0);
	EXPECT_EQ(in_child(drop_sys_admin, try_attach_default), 0);
	/* Nothing got attached. */
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_1);
	vmm_vm_destroy(vm);
}

static char verifier_log[16384];

static void log_verifier(enum libbpf_print_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void log_verifier(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t n = strlen(verifier_log);

	(void)level;
	vsnprintf(verifier_log + n, sizeof(verifier_log) - n, fmt, ap);
}

static int log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	log_verifier(level, fmt, ap);
	return 0;
}

/* The call context is read-only to the program: the verifier says no. */
static void test_context_read_only(enum vmm_conduit c)
{
	char path[256];
	struct bpf_object *obj;
	int err;

	(void)c;
	snprintf(path, sizeof(path), "%s/bad_write.bpf.o", bin_dir);
	obj = bpf_object__open_file(path, NULL);
	ASSERT(obj, "open %s: %s", path, strerror(errno));
	verifier_log[0] = '\0';
	libbpf_set_print(log_print);
	err = bpf_object__load(obj);
	libbpf_set_print(NULL);
	bpf_object__close(obj);
	EXPECT(err == -EACCES, "load returned %d", err);
	EXPECT(strstr(verifier_log, "read-only"), "verifier log lacks the reason");
}

/* Operators can use bpftool; a pinned link outlives the loader. */
static void bpftool_register_pinned(enum vmm_conduit c, struct vmm_vm *vm, const char *pin)
{
	uint64_t x0 = 0;
	int i;

	ASSERT_EQ(run_cmd("%s/bpftool struct_ops register %s/global_deny_psci.bpf.o %s >/dev/null",
			  bin_dir, bin_dir, SMCCC_BPF_PIN_DIR), 0);
	ASSERT(access(pin, F_OK) == 0, "%s: %s", pin, strerror(errno));
	/* bpftool has exited: only the pin keeps the policy attached. */
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), 0x10000);
	ASSERT_EQ(unlink(pin), 0);
	/* The last link reference is dropped from a workqueue: give it time. */
	for (i = 0; i < 100 && x0 != PSCI_1_1; i++) {
		struct timespec ts = { 0, 10000000 };

		x0 = call_x0(vm, c, FN_PSCI_VERSION);
		nanosleep(&ts, NULL);
	}
	EXPECT_EQ(x0, PSCI_1_1);
}

static void test_bpftool_register_pinned(enum vmm_conduit c)
{
	const char *pin = SMCCC_BPF_PIN_DIR "/deny_psci";
	struct vmm_vm *vm = new_vm(1, NULL);

	ASSERT(vm, "vm create: %s", strerror(errno));
	mkdir(SMCCC_BPF_PIN_DIR, 0700);
	bpftool_register_pinned(c, vm, pin);
	unlink(pin);	/* whatever happened, leave no policy behind */
	vmm_vm_destroy(vm);
}

/* VM ids: unique, never 0, visible in debugfs with the VMM's pid. */
static void test_vm_ids(enum vmm_conduit c)
{
	uint64_t a_id, b_id;
	struct vmm_vm *a = new_vm(1, &a_id), *b = new_vm(1, &b_id);
	char val[64];

	(void)c;
	ASSERT(a && b, "vm create: %s", strerror(errno));
	EXPECT(a_id && b_id && a_id != b_id, "ids %llu %llu", (unsigned long long)a_id,
	       (unsigned long long)b_id);
	EXPECT_EQ(read_debugfs(b_id, "smccc_bpf", "pid", val, sizeof(val)), 0);
	EXPECT_EQ(strtol(val, NULL, 10), getpid());
	EXPECT_EQ(read_debugfs(b_id, "smccc_bpf", "policy", val, sizeof(val)), 0);
	EXPECT(!strcmp(val, "none"), "policy '%s'", val);
	vmm_vm_destroy(a);
	vmm_vm_destroy(b);
}

/* ---- the kernel's own KVM selftests, with and without a policy ---------- */

/*
 * A KVM selftest with its arguments, runs times in a row. The memory tests
 * make no SMCCC call: they are here because stage-2 faults, memslot changes
 * and userfaultfd after other VMs hung guests, warned and wedged the test VM
 * under QEMU 7.2 (issue 11, docs/test-emulator.md), and a regression of that
 * kind must fail the booted run. A run that
 * overruns limit_s has hung: busybox timeout kills it (exit 124 or 143).
 */
struct kvm_selftest {
	const char *cmd;
	unsigned int runs;
	unsigned int limit_s;
};

static const struct kvm_selftest kvm_selftest_list[] = {
	{ "smccc_filter", 1, 300 },
	{ "hypercalls", 1, 300 },
	{ "psci_test", 1, 300 },
	{ "smccc_bpf_vm_id", 1, 300 },
	{ "smccc_bpf", 1, 300 },
	/* Sized for CI: about 20, 20 and 90 s a run under QEMU 10 (docs/test-emulator.md). */
	{ "demand_paging_test -b 16M", 4, 300 },
	{ "memslot_modification_stress_test -b 16M -i 10", 4, 300 },
	{ "kvm_page_table_test -b 32M", 2, 400 },
};

static int run_kvm_selftest(const struct kvm_selftest *t, unsigned int run)
{
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(t->cmd, " "), t->cmd);
	return run_cmd("timeout %u %s/kvm-selftests/%s > /tmp/%s.log 2>&1 || "
		       "{ rc=$?; echo '%s run %u: exit '$rc; tail -n 30 /tmp/%s.log; exit 1; }",
		       t->limit_s, bin_dir, t->cmd, name, t->cmd, run, name);
}

static void kvm_selftests(bool with_policy)
{
	struct handle_all_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	unsigned int i, run;

	if (with_policy) {
		skel = handle_all_bpf__open_and_load();
		ASSERT(skel, "load handle_all: %s", strerror(errno));
		link = bpf_map__attach_struct_ops(skel->maps.handle_all);
		ASSERT(link, "attach handle_all: %s", strerror(errno));
	}
	for (i = 0; i < sizeof(kvm_selftest_list) / sizeof(kvm_selftest_list[0]); i++) {
		const struct kvm_selftest *t = &kvm_selftest_list[i];

		for (run = 1; run <= t->runs; run++)
			EXPECT(run_kvm_selftest(t, run) == 0, "%s (run %u of %u) failed",
			       t->cmd, run, t->runs);
	}
	if (with_policy)
		EXPECT(skel->bss->calls > 0, "the policy decided no call");
	bpf_link__destroy(link);
	handle_all_bpf__destroy(skel);
}

static void test_kvm_selftests_no_policy(enum vmm_conduit c)
{
	(void)c;
	kvm_selftests(false);
}

static void test_kvm_selftests_handle_policy(enum vmm_conduit c)
{
	(void)c;
	kvm_selftests(true);
}

#define BOTH(name, fn)	{ name, fn, false }	/* once per conduit */
#define ONCE(name, fn)	{ name, fn, true }

static const struct e2e_case cases[] = {
	BOTH("no_policy_upstream", test_no_policy_upstream),
	ONCE("vm_ids", test_vm_ids),
	BOTH("action_handle", test_action_handle),
	BOTH("action_deny", test_action_deny),
	BOTH("action_fwd_to_user", test_action_fwd_to_user),
	BOTH("action_return", test_action_return),
	BOTH("action_out_of_range", test_action_out_of_range),
	BOTH("call_context", test_call_context),
	BOTH("two_vms_isolated", test_two_vms_isolated),
	BOTH("global_default", test_global_default),
	BOTH("live_replace", test_live_replace),
	BOTH("detach_restores_upstream", test_detach_restores_upstream),
	BOTH("detach_while_running", test_detach_while_running),
	BOTH("destroy_vm_with_policy", test_destroy_vm_with_policy),
	BOTH("arch_range_reserved", test_arch_range_reserved),
	BOTH("handled_adjusts_answers", test_handled_adjusts_answers),
	BOTH("handled_arch_range", test_handled_arch_range),
	BOTH("fwd_needs_opt_in", test_fwd_needs_opt_in),
	BOTH("ceiling_filter", test_ceiling_filter),
	BOTH("ceiling_fw_regs", test_ceiling_fw_regs),
	BOTH("ceiling_psci_0_1", test_ceiling_psci_0_1),
	BOTH("handled_hides_only", test_handled_hides_only),
	BOTH("arch_discovery_reserved", test_arch_discovery_reserved),
	BOTH("args_narrowed_32bit", test_args_narrowed_32bit),
	BOTH("destroyed_vm_detaches_link", test_destroyed_vm_detaches_link),
	BOTH("detach_waits_for_calls", test_detach_waits_for_calls),
	BOTH("tracepoint", test_tracepoint),
	BOTH("unprivileged_cannot_attach", test_unprivileged_cannot_attach),
	BOTH("vm_fd_attach_unprivileged", test_vm_fd_attach_unprivileged),
	BOTH("vm_fd_checks", test_vm_fd_checks),
	BOTH("vm_fd_update_same_vm", test_vm_fd_update_same_vm),
	ONCE("vm_fdinfo", test_vm_fdinfo),
	BOTH("operator_pidfd_getfd", test_operator_pidfd_getfd),
	ONCE("context_read_only", test_context_read_only),
	BOTH("bpftool_register_pinned", test_bpftool_register_pinned),
	ONCE("kvm_selftests_no_policy", test_kvm_selftests_no_policy),
	ONCE("kvm_selftests_handle_policy", test_kvm_selftests_handle_policy),
};

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "b:h")) != -1) {
		switch (opt) {
		case 'b':
			bin_dir = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-b DIR] [FILTER]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
	return e2e_run(cases, sizeof(cases) / sizeof(cases[0]),
		       optind < argc ? argv[optind] : NULL) ? 1 : 0;
}
