// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of what bounds a policy (the v2 semantics of the
 * series): the VMM's configuration is the ceiling, exits go only to a VMM
 * that asked for them, handled() sees and hides discovery answers only,
 * the arch range stays KVM's in discovery too, 32-bit calls are seen as
 * the callee sees them, a destroyed VM detaches its link, and detaching
 * or replacing waits for the calls still in the old policy.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bounds.h"
#include "e2e_util.h"
#include "harness.h"
#include "policy.h"
#include "smccc_bpf.h"

static const uint64_t vmm_answer[4] = { 0x5eed, 1, 2, 3 };

/* A forwarded call: whether it exited, and x0. */
static bool forwarded(struct vmm_vm *vm, enum vmm_conduit c, uint32_t func_id, uint64_t *x0)
{
	struct vmm_call call = mkcall(c, func_id);
	struct vmm_result res;

	if (vmm_call(vm, 0, &call, &res)) {
		*x0 = 0xdeadbeefdeadbeefull;
		return false;
	}
	*x0 = res.x[0];
	return res.forwarded;
}

/* Without the VMM's opt-in, a policy's FWD_TO_USER is a DENY, counted. */
void test_fwd_needs_opt_in(enum vmm_conduit c)
{
	struct policy *p = NULL, *g = NULL;
	long long refused;
	uint64_t id, x0;
	struct vmm_vm *vm;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	vmm_set_hypercall_handler(vm, set_return_handler, (void *)vmm_answer);
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	g = policy_load(SMCCC_BPF_VM_ID_GLOBAL, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p && g, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_rule(g, SIP_TEST_FN2, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	ASSERT_EQ(policy_attach(g), 0);
	refused = vm_stat(id, "smccc_bpf_exit_refused");
	ASSERT(refused >= 0, "no smccc_bpf_exit_refused statistic");

	/* Neither the VM's policy nor the operator's default reaches the VMM. */
	EXPECT(!forwarded(vm, c, SIP_TEST_FN, &x0), "exit without the opt-in");
	EXPECT_EQ(x0, RET_NOT_SUPPORTED);
	EXPECT(!forwarded(vm, c, SIP_TEST_FN2, &x0), "default's exit without the opt-in");
	EXPECT_EQ(x0, RET_NOT_SUPPORTED);
	EXPECT_EQ(vm_stat(id, "smccc_bpf_exit_refused"), refused + 2);

	/* With it, both do. */
	ASSERT_EQ(vmm_set_smccc_bpf_flags(vm, SMCCC_BPF_FLAG_EXITS), 0);
	EXPECT(forwarded(vm, c, SIP_TEST_FN, &x0), "no exit with the opt-in");
	EXPECT_EQ(x0, vmm_answer[0]);
	EXPECT(forwarded(vm, c, SIP_TEST_FN2, &x0), "no default exit with the opt-in");
	EXPECT_EQ(vm_stat(id, "smccc_bpf_exit_refused"), refused + 2);
	ASSERT_EQ(vmm_set_smccc_bpf_flags(vm, 0), 0);
	EXPECT(!forwarded(vm, c, SIP_TEST_FN, &x0), "exit after the opt-out");
	policy_free(p);
	policy_free(g);
	vmm_vm_destroy(vm);
}

/*
 * The VMM's filter is the ceiling: what it denies stays denied, what it
 * forwards goes to it (a policy may deny it, or answer it only with the
 * opt-in), and functions it forwards reach it without the opt-in.
 */
void test_ceiling_filter(enum vmm_conduit c)
{
	static const uint64_t ret[4] = { 0x7e7 };
	long long overruled;
	uint64_t id, x0;
	struct vmm_vm *vm;
	struct policy *p;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	vmm_set_hypercall_handler(vm, set_return_handler, (void *)vmm_answer);
	ASSERT_EQ(vmm_set_smccc_filter(vm, SIP_TEST_FN, 1, KVM_SMCCC_FILTER_DENY), 0);
	ASSERT_EQ(vmm_set_smccc_filter(vm, SIP_TEST_FN2, 1, KVM_SMCCC_FILTER_FWD_TO_USER), 0);
	ASSERT_EQ(vmm_set_smccc_filter(vm, FN_PSCI_CPU_ON, 1, KVM_SMCCC_FILTER_FWD_TO_USER), 0);
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, ret), 0);
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN2, SMCCC_BPF_ACT_RETURN, ret), 0);
	ASSERT_EQ(policy_rule(p, FN_PSCI_CPU_ON, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_attach(p), 0);
	overruled = vm_stat(id, "smccc_bpf_overruled");
	ASSERT(overruled >= 0, "no smccc_bpf_overruled statistic");

	EXPECT(!forwarded(vm, c, SIP_TEST_FN, &x0), "denied call exited");
	EXPECT_EQ(x0, RET_NOT_SUPPORTED);
	EXPECT(forwarded(vm, c, SIP_TEST_FN2, &x0), "forwarded range answered by the policy");
	EXPECT_EQ(x0, vmm_answer[0]);
	EXPECT_EQ(vm_stat(id, "smccc_bpf_overruled"), overruled + 2);
	/* The filter forwards it: the policy's exit needs no opt-in. */
	EXPECT(forwarded(vm, c, FN_PSCI_CPU_ON, &x0), "filter-forwarded call did not exit");
	EXPECT_EQ(vm_stat(id, "smccc_bpf_exit_refused"), 0);

	/* With the opt-in the policy may answer the forwarded range. */
	ASSERT_EQ(vmm_set_smccc_bpf_flags(vm, SMCCC_BPF_FLAG_EXITS), 0);
	EXPECT(!forwarded(vm, c, SIP_TEST_FN2, &x0), "RETURN with the opt-in exited");
	EXPECT_EQ(x0, ret[0]);
	/* ... or deny it; and the denied one stays denied. */
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN2, SMCCC_BPF_ACT_DENY, NULL), 0);
	EXPECT(!forwarded(vm, c, SIP_TEST_FN2, &x0), "denied forwarded call exited");
	EXPECT_EQ(x0, RET_NOT_SUPPORTED);
	EXPECT(!forwarded(vm, c, SIP_TEST_FN, &x0), "denied call exited");
	EXPECT_EQ(x0, RET_NOT_SUPPORTED);
	policy_free(p);
	vmm_vm_destroy(vm);
}

static int set_fw_reg(struct vmm_vm *vm, uint64_t reg, uint64_t val)
{
	struct kvm_one_reg r = { .id = reg, .addr = (uint64_t)(uintptr_t)&val };
	int i;

	for (i = 0; i < vmm_nr_vcpus(vm); i++)
		if (ioctl(vmm_vcpu_fd(vm, i), KVM_SET_ONE_REG, &r))
			return -errno;
	return 0;
}

static uint64_t get_fw_reg(struct vmm_vm *vm, uint64_t reg)
{
	struct kvm_one_reg r = { .id = reg };
	uint64_t val = ~0ull;

	r.addr = (uint64_t)(uintptr_t)&val;
	if (ioctl(vmm_vcpu_fd(vm, 0), KVM_GET_ONE_REG, &r))
		return ~0ull;
	return val;
}

/*
 * The firmware pseudo-registers are the ceiling: a service they disable
 * stays NOT_SUPPORTED whatever the policy returns, a PSCI version they pin
 * caps PSCI_VERSION and the functions of later versions, and handled()
 * cannot advertise what they hide. KVM_GET_ONE_REG stays an upper bound.
 */
void test_ceiling_fw_regs(enum vmm_conduit c)
{
	static const uint64_t zero[4] = { 0 }, v1_1[4] = { PSCI_1_1 };
	static const uint64_t all[4] = { ~0ull, ~0ull, ~0ull, ~0ull };
	volatile struct test_handled *seen;
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	ASSERT_EQ(set_fw_reg(vm, KVM_REG_ARM_STD_BMAP, 0), 0);		/* no TRNG */
	ASSERT_EQ(set_fw_reg(vm, KVM_REG_ARM_PSCI_VERSION, PSCI_1_0), 0);
	ASSERT_EQ(set_fw_reg(vm, KVM_REG_ARM_VENDOR_HYP_BMAP, 1), 0);	/* no PTP */
	p = policy_load_handled(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, FN_TRNG_VERSION, SMCCC_BPF_ACT_RETURN, v1_1), 0);
	ASSERT_EQ(policy_rule(p, FN_TRNG_RND64, SMCCC_BPF_ACT_RETURN, zero), 0);
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_RETURN, v1_1), 0);
	ASSERT_EQ(policy_rule(p, FN_PSCI_SYSTEM_RESET2, SMCCC_BPF_ACT_RETURN, zero), 0);
	ASSERT_EQ(policy_rule(p, FN_KVM_PTP, SMCCC_BPF_ACT_RETURN, zero), 0);
	ASSERT_EQ(policy_adjust(p, FN_PSCI_FEATURES, zero), 0);
	ASSERT_EQ(policy_adjust(p, FN_KVM_FEATURES, all), 0);
	ASSERT_EQ(policy_attach(p), 0);
	seen = policy_handled_seen(p);

	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(call1_x0(vm, c, FN_TRNG_RND64, 64), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), PSCI_1_0);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_SYSTEM_RESET2, 0), RET_NOT_SUPPORTED);
	EXPECT_EQ(call1_x0(vm, c, FN_KVM_PTP, 0), RET_NOT_SUPPORTED);
	/* handled() asks for SYSTEM_RESET2 (PSCI 1.1) and every bitmap bit. */
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_SYSTEM_RESET2), RET_NOT_SUPPORTED);
	EXPECT_EQ(seen->kvm_ret[0], RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_KVM_FEATURES), 1);
	EXPECT_EQ(seen->kvm_ret[0], 1);
	/* What the VMM reads back is what it set: an upper bound. */
	EXPECT_EQ(get_fw_reg(vm, KVM_REG_ARM_STD_BMAP), 0);
	EXPECT_EQ(get_fw_reg(vm, KVM_REG_ARM_PSCI_VERSION), PSCI_1_0);
	EXPECT_EQ(get_fw_reg(vm, KVM_REG_ARM_VENDOR_HYP_BMAP), 1);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/*
 * A VM with KVM's PSCI 0.1 has no PSCI_VERSION: neither a RETURN nor
 * handled() can make one up (nor PSCI_FEATURES).
 */
void test_ceiling_psci_0_1(enum vmm_conduit c)
{
	static const uint64_t v0_2[4] = { 2 }, zero[4] = { 0 };
	struct vmm_vm_opts opts = { .nr_vcpus = 1, .psci_0_1 = true };
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = vmm_vm_create_opts(&opts);
	ASSERT(vm, "vm create: %s", strerror(errno));
	ASSERT_EQ(vmm_vm_id(vm, &id), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	p = policy_load_handled(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_RETURN, v0_2), 0);
	ASSERT_EQ(policy_adjust(p, FN_PSCI_FEATURES, zero), 0);
	ASSERT_EQ(policy_attach(p), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	ASSERT_EQ(policy_rule(p, FN_PSCI_VERSION, SMCCC_BPF_ACT_HANDLE, NULL), 0);
	ASSERT_EQ(policy_adjust(p, FN_PSCI_VERSION, v0_2), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_CPU_ON), RET_NOT_SUPPORTED);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/* handled() can hide, never add: a higher version or a "yes" is ignored. */
void test_handled_hides_only(enum vmm_conduit c)
{
	static const uint64_t v2[4] = { 0x20000 }, yes[4] = { 5 }, v0_2[4] = { 2 };
	static const uint64_t absent[4] = { RET_NOT_SUPPORTED };
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id, trng_rnd;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	trng_rnd = call1_x0(vm, c, FN_TRNG_FEATURES, FN_TRNG_RND64);
	p = policy_load_handled(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_adjust(p, FN_TRNG_VERSION, v2), 0);
	ASSERT_EQ(policy_adjust(p, FN_PSCI_FEATURES, yes), 0);
	ASSERT_EQ(policy_adjust(p, FN_PSCI_VERSION, v0_2), 0);
	ASSERT_EQ(policy_attach(p), 0);
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), TRNG_1_0);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_CPU_ON), 0);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), 2);		/* lower: kept */
	ASSERT_EQ(policy_adjust(p, FN_TRNG_FEATURES, absent), 0);
	ASSERT_EQ(policy_adjust(p, FN_TRNG_VERSION, absent), 0);
	EXPECT_EQ(call1_x0(vm, c, FN_TRNG_FEATURES, FN_TRNG_RND64), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(vm, c, FN_TRNG_VERSION), RET_NOT_SUPPORTED);
	policy_free(p);
	EXPECT_EQ(call1_x0(vm, c, FN_TRNG_FEATURES, FN_TRNG_RND64), trng_rnd);
	vmm_vm_destroy(vm);
}

/*
 * PSCI_FEATURES of an arch-range ID is KVM's like the range itself:
 * neither decide() nor handled() changes it (a Linux guest that loses
 * SMCCC 1.1 there reports its Spectre mitigations missing).
 */
void test_arch_discovery_reserved(enum vmm_conduit c)
{
	static const uint64_t absent[4] = { RET_NOT_SUPPORTED };
	volatile struct test_handled *seen;
	uint64_t id, smccc, wa1, n;
	struct vmm_vm *vm;
	struct policy *p;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	smccc = call1_x0(vm, c, FN_PSCI_FEATURES, FN_SMCCC_VERSION);
	wa1 = call1_x0(vm, c, FN_PSCI_FEATURES, FN_SMCCC_ARCH_WORKAROUND_1);
	EXPECT_EQ(smccc, 0);
	p = policy_load_handled(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, FN_PSCI_FEATURES, SMCCC_BPF_ACT_DENY, NULL), 0);
	ASSERT_EQ(policy_adjust(p, FN_PSCI_FEATURES, absent), 0);
	ASSERT_EQ(policy_attach(p), 0);
	seen = policy_handled_seen(p);
	n = seen->calls;
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_SMCCC_VERSION), smccc);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_SMCCC_ARCH_WORKAROUND_1), wa1);
	EXPECT_EQ(seen->calls, n);
	/* About any other function, the policy's DENY stands. */
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_CPU_ON), RET_NOT_SUPPORTED);
	/* Through handled() alone, too. */
	ASSERT_EQ(policy_rule(p, FN_PSCI_FEATURES, SMCCC_BPF_ACT_HANDLE, NULL), 0);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_SMCCC_VERSION), smccc);
	EXPECT_EQ(seen->calls, n);
	EXPECT_EQ(call1_x0(vm, c, FN_PSCI_FEATURES, FN_PSCI_CPU_ON), RET_NOT_SUPPORTED);
	EXPECT_EQ(seen->calls, n + 1);
	policy_free(p);
	vmm_vm_destroy(vm);
}

/*
 * CPU_ON32 with x1 = 0xffffffff00000003: PSCI targets MPIDR 3, so the
 * policy must see 3 (a rule on "x1 == 3" would be bypassed otherwise);
 * CPU_ON64 sees the whole register.
 */
void test_args_narrowed_32bit(enum vmm_conduit c)
{
	struct vmm_call call = mkcall(c, FN_PSCI_CPU_ON);
	volatile struct test_seen *seen;
	struct vmm_result res;
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	seen = policy_seen(p);
	call.args[0] = 0xffffffff00000003ull;
	call.args[16] = 0x8000000100000002ull;
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT_EQ(seen->args[0], 3);
	EXPECT_EQ(seen->args[16], 2);
	EXPECT_EQ(res.x[0], RET_NOT_SUPPORTED);
	call.func_id = FN_PSCI_CPU_ON64;
	ASSERT_EQ(vmm_call(vm, 0, &call, &res), 0);
	EXPECT_EQ(seen->args[0], 0xffffffff00000003ull);
	EXPECT_EQ(seen->args[16], 0x8000000100000002ull);
	policy_free(p);
	vmm_vm_destroy(vm);
}

static bool fdinfo_has(int fd, const char *key)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		found |= !strncmp(line, key, strlen(key));
	if (f)
		fclose(f);
	return found;
}

/*
 * A destroyed VM detaches its link the way BPF_LINK_DETACH does: no map in
 * fdinfo, EPOLLHUP, BPF_LINK_UPDATE fails with ENOLINK.
 */
void test_destroyed_vm_detaches_link(enum vmm_conduit c)
{
	struct pollfd pfd = { .events = POLLIN };
	struct policy *p, *q;
	struct vmm_vm *vm;
	uint64_t id;

	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_DENY);
	q = policy_load(id, SMCCC_BPF_ACT_DENY);
	ASSERT(p && q, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	pfd.fd = bpf_link__fd(p->link);
	EXPECT_EQ(call_x0(vm, c, FN_PSCI_VERSION), RET_NOT_SUPPORTED);
	EXPECT(fdinfo_has(pfd.fd, "map_id:"), "attached link shows no map");
	EXPECT_EQ(poll(&pfd, 1, 0), 0);
	vmm_vm_destroy(vm);

	EXPECT(!fdinfo_has(pfd.fd, "map_id:"), "the dead VM's link still shows its map");
	EXPECT_EQ(poll(&pfd, 1, 1000), 1);
	EXPECT(pfd.revents & POLLHUP, "revents 0x%x", pfd.revents);
	EXPECT_EQ(policy_replace(p, q), -ENOLINK);
	policy_free(q);
	policy_free(p);
}

struct spin_arg {
	struct vmm_vm *vm;
	struct vmm_call call;
	struct vmm_loop_result res;
	int err;
};

static void *spin_thread(void *opaque)
{
	struct spin_arg *a = opaque;

	a->err = vmm_loop(a->vm, 0, &a->call, 200, 0xa, 0xb, &a->res);
	return NULL;
}

/*
 * When detach or replace returns, no call is still in the old program:
 * the policy spins in decide(), so a vCPU is almost always inside it.
 */
void test_detach_waits_for_calls(enum vmm_conduit c)
{
	static const uint64_t ra[4] = { 0xa }, rb[4] = { 0xb };
	struct spin_arg arg = { 0 };
	struct timespec ts = { 0, 30000000 };
	struct policy *pa, *pb;
	long long in_a, in_b;
	pthread_t th;
	uint64_t id;

	arg.vm = new_vm(1, &id);
	ASSERT(arg.vm, "vm create: %s", strerror(errno));
	arg.call = mkcall(c, SIP_TEST_FN);
	pa = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	pb = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(pa && pb, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(pa, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, ra), 0);
	ASSERT_EQ(policy_rule(pb, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, rb), 0);
	pa->skel->bss->spin_loops = 100000;
	pb->skel->bss->spin_loops = 100000;
	ASSERT_EQ(policy_attach(pa), 0);
	ASSERT_EQ(pthread_create(&th, NULL, spin_thread, &arg), 0);

	nanosleep(&ts, NULL);
	EXPECT_EQ(policy_replace(pa, pb), 0);
	in_a = pa->skel->bss->in_flight;
	nanosleep(&ts, NULL);
	EXPECT_EQ(bpf_link__detach(pa->link), 0);
	in_b = pb->skel->bss->in_flight;
	pthread_join(th, NULL);
	EXPECT_EQ(in_a, 0);
	EXPECT_EQ(in_b, 0);
	ASSERT_EQ(arg.err, 0);
	EXPECT(arg.res.x0_eq_a, "policy a decided no call");
	policy_free(pa);
	policy_free(pb);
	vmm_vm_destroy(arg.vm);
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = fputs(s, f) < 0 ? -EIO : 0;
	return fclose(f) ? -errno : err;
}

static bool file_has(const char *path, const char *needle)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		found |= strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return found;
}

/*
 * The kvm_smccc_bpf_decide tracepoint reports every decision, over both
 * conduits, without the policy's cooperation: VM, vCPU, function,
 * conduit, immediate, the policy's map id, what it decided and what the
 * guest got.
 */
void test_tracepoint(enum vmm_conduit c)
{
	static const char *ev = "/sys/kernel/tracing/events/kvm/kvm_smccc_bpf_decide/enable";
	static const char *trace = "/sys/kernel/tracing/trace";
	static const uint64_t ret[4] = { 0x7e7 };
	struct bpf_map_info info = { 0 };
	uint32_t len = sizeof(info);
	char want[256];
	struct vmm_vm *vm;
	struct policy *p;
	uint64_t id;

	vm = new_vm(2, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	p = policy_load(id, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p, "load: %s", strerror(errno));
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN, SMCCC_BPF_ACT_FWD_TO_USER, NULL), 0);
	ASSERT_EQ(policy_rule(p, SIP_TEST_FN2, SMCCC_BPF_ACT_RETURN, ret), 0);
	ASSERT_EQ(policy_attach(p), 0);
	ASSERT_EQ(bpf_map_get_info_by_fd(bpf_map__fd(p->skel->maps.test_policy), &info, &len), 0);
	ASSERT_EQ(write_file(trace, ""), 0);
	ASSERT_EQ(write_file(ev, "1"), 0);
	EXPECT_EQ(call_x0(vm, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	{
		struct vmm_call call = mkcall(c, SIP_TEST_FN2);
		struct vmm_result res;

		call.imm = c == VMM_HVC ? 0x1234 : 0;
		EXPECT_EQ(vmm_call(vm, 1, &call, &res), 0);
		EXPECT_EQ(res.x[0], ret[0]);
	}
	EXPECT_EQ(write_file(ev, "0"), 0);

	snprintf(want, sizeof(want),
		 "vm %llu vcpu 0 func 0x82000001 %s #0 policy %u decided FWD_TO_USER action DENY",
		 (unsigned long long)id, c == VMM_SMC ? "smc" : "hvc", info.id);
	EXPECT(file_has(trace, want), "no '%s' in %s", want, trace);
	snprintf(want, sizeof(want),
		 "vm %llu vcpu 1 func 0x82000002 %s #%u policy %u decided RETURN action RETURN",
		 (unsigned long long)id, c == VMM_SMC ? "smc" : "hvc",
		 c == VMM_HVC ? 0x1234 : 0, info.id);
	EXPECT(file_has(trace, want), "no '%s' in %s", want, trace);
	policy_free(p);
	vmm_vm_destroy(vm);
}
