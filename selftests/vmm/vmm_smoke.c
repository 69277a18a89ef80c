// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vmm_smoke: libvmm against UPSTREAM KVM behaviour (no smccc-bpf policy
 * loaded). Output: one "ok N - ..." / "not ok N - ...: detail" line per
 * check, then "P passed, F failed". Exit status 1 if anything failed.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm.h"
#include "smccc_bpf.h"

#define FN_SMCCC_VERSION		0x80000000u
#define FN_PSCI_VERSION		0x84000000u
#define FN_PSCI_CPU_ON_64		0xc4000003u
#define SMCCC_VERSION_1_1	0x10001u
#define PSCI_VERSION_1_1	0x10001u	/* KVM_ARM_PSCI_LATEST on 6.12 */
/* SiP service call 0x10: KVM implements nothing in the SiP range. */
#define UNKNOWN_ID		0x82000010u
/* Forwarded in the filter tests: a SiP id, outside the reserved arch range. */
#define FWD_ID			0x82000020u
#define RET_NOT_SUPPORTED	SMCCC_BPF_RET_NOT_SUPPORTED

static int nr_checks, nr_failed;

static void check(int ok, const char *desc, const char *fmt, ...)
{
	va_list ap;

	nr_checks++;
	if (ok) {
		printf("ok %d - %s\n", nr_checks, desc);
	} else {
		nr_failed++;
		printf("not ok %d - %s: ", nr_checks, desc);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
	fflush(stdout);
}

static void skip(const char *desc, const char *why)
{
	nr_checks++;
	printf("ok %d - %s # SKIP %s\n", nr_checks, desc, why);
	fflush(stdout);
}

static const char *cname(enum vmm_conduit c)
{
	return c == VMM_SMC ? "SMC" : "HVC";
}

static struct vmm_call mkcall(enum vmm_conduit c, uint16_t imm, uint32_t id)
{
	struct vmm_call call = { .conduit = c, .imm = imm, .func_id = id };

	return call;
}

/* One call whose x0 must be `want`. */
static void check_x0(struct vmm_vm *vm, enum vmm_conduit c, uint16_t imm, uint32_t id,
		     uint64_t want, const char *what)
{
	struct vmm_call call = mkcall(c, imm, id);
	struct vmm_result res;
	char desc[128];
	int r;

	snprintf(desc, sizeof(desc), "%s #0x%x: %s (0x%08x) returns 0x%" PRIx64,
		 cname(c), imm, what, id, want);
	r = vmm_call(vm, 0, &call, &res);
	if (r)
		check(0, desc, "vmm_call: %s", strerror(-r));
	else
		check(res.x[0] == want && !res.forwarded, desc, "x0 = 0x%" PRIx64 "%s",
		      res.x[0], res.forwarded ? ", forwarded" : "");
}

static void test_upstream_calls(void)
{
	static const uint16_t hvc_imms[] = { 0, 1, 0x1234, 0xffff };
	struct vmm_call call;
	struct vmm_result res;
	struct vmm_vm *vm;
	unsigned int i;
	int r;

	vm = vmm_vm_create(1);
	check(vm != NULL, "vmm_vm_create(1)", "%s", strerror(errno));
	if (!vm)
		return;

	for (i = VMM_HVC; i <= VMM_SMC; i++) {
		check_x0(vm, i, 0, FN_SMCCC_VERSION, SMCCC_VERSION_1_1, "SMCCC_VERSION");
		check_x0(vm, i, 0, FN_PSCI_VERSION, PSCI_VERSION_1_1, "PSCI_VERSION");
		check_x0(vm, i, 0, UNKNOWN_ID, RET_NOT_SUPPORTED, "unknown id");
	}

	/* KVM ignores the HVC immediate ... */
	for (i = 1; i < sizeof(hvc_imms) / sizeof(hvc_imms[0]); i++)
		check_x0(vm, VMM_HVC, hvc_imms[i], FN_SMCCC_VERSION, SMCCC_VERSION_1_1,
			 "SMCCC_VERSION");
	/* ... but answers SMC #nonzero with -1 before any SMCCC dispatch. */
	check_x0(vm, VMM_SMC, 1, FN_SMCCC_VERSION, RET_NOT_SUPPORTED, "SMCCC_VERSION");

	call = mkcall(VMM_HVC, 7, FN_SMCCC_VERSION);
	r = vmm_call(vm, 0, &call, &res);
	check(r == -EINVAL, "unsupported immediate HVC #7 is -EINVAL", "got %d", r);

	call = mkcall(VMM_HVC, 0, FN_SMCCC_VERSION);
	r = vmm_call(vm, 0, &call, &res);
	check(!r && res.insn_pc == vmm_insn_addr(vm, VMM_HVC, 0) && res.insn_pc,
	      "insn_pc is the HVC #0 stub", "r %d insn_pc 0x%" PRIx64, r, res.insn_pc);

	vmm_vm_destroy(vm);
}

/*
 * A batch of calls, every conduit and immediate, answers each as vmm_call()
 * does; a forwarded call in the middle reaches the handler and the calls
 * after it still run.
 */
static void batch_fwd(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
		      uint64_t ret[4], void *opaque)
{
	(void)vm;
	(void)vcpu;
	(void)opaque;
	ret[0] = 0xb0000000ull | run->hypercall.nr;
	ret[1] = 1;
}

static void test_batch(void)
{
	static const struct { enum vmm_conduit c; uint16_t imm; uint32_t id; uint64_t x1; } in[] = {
		{ VMM_HVC, 0, FN_SMCCC_VERSION, 0 },
		{ VMM_SMC, 0, FN_PSCI_VERSION, 0 },
		{ VMM_HVC, 1, UNKNOWN_ID, 0 },
		{ VMM_HVC, 0x1234, 0x80000001u, FN_PSCI_VERSION },	/* ARCH_FEATURES */
		{ VMM_SMC, 0, FWD_ID, 0 },				/* forwarded */
		{ VMM_HVC, 0xffff, 0x8400000au, 0xc4000003u },		/* PSCI_FEATURES(CPU_ON) */
		{ VMM_SMC, 1, FN_SMCCC_VERSION, 0 },
	};
	enum { N = sizeof(in) / sizeof(in[0]) };
	struct vmm_call calls[N];
	uint64_t out[N][4], fwd = 0;
	struct vmm_result res;
	unsigned int i, done = 0;
	struct vmm_vm *vm;
	int r, same = 1;

	vm = vmm_vm_create(1);
	if (!vm || vmm_set_smccc_filter(vm, FWD_ID, 1, KVM_SMCCC_FILTER_FWD_TO_USER)) {
		check(0, "batch: VM with a forwarded ID", "%s", strerror(errno));
		vmm_vm_destroy(vm);
		return;
	}
	vmm_set_hypercall_handler(vm, batch_fwd, NULL);
	for (i = 0; i < N; i++) {
		calls[i] = mkcall(in[i].c, in[i].imm, in[i].id);
		calls[i].args[0] = in[i].x1;
	}
	r = vmm_batch(vm, 0, calls, N, out, &done, &fwd);
	check(!r && done == N && fwd == 1, "vmm_batch: 7 calls, 1 forwarded",
	      "r %d done %u forwarded %" PRIu64, r, done, fwd);
	for (i = 0; !r && i < N; i++) {
		if (vmm_call(vm, 0, &calls[i], &res) || memcmp(res.x, out[i], sizeof(res.x))) {
			same = 0;
			break;
		}
	}
	check(!r && same, "vmm_batch: each answer is vmm_call()'s",
	      "call %u: batch x0 0x%" PRIx64 ", vmm_call x0 0x%" PRIx64, i,
	      i < N ? out[i][0] : 0, res.x[0]);
	check(!r && out[4][0] == (0xb0000000ull | FWD_ID) && out[4][1] == 1 &&
	      out[6][0] == RET_NOT_SUPPORTED, "vmm_batch: the handler's answer, then SMC #1",
	      "x0 0x%" PRIx64 " 0x%" PRIx64, out[4][0], out[6][0]);
	vmm_vm_destroy(vm);
}

struct fwd_ctx {
	int calls;
	uint64_t nr, flags, arg1;
};

static void fwd_handler(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			uint64_t ret[4], void *opaque)
{
	struct fwd_ctx *ctx = opaque;

	ctx->calls++;
	ctx->nr = run->hypercall.nr;
	ctx->flags = vmm_hypercall_flags(run);
	vmm_get_reg(vm, vcpu, 1, &ctx->arg1);
	ret[0] = 0x1234abcd;
	ret[1] = 0x11;
	ret[2] = 0x22;
	ret[3] = 0x33;
}

/* Upstream SMCCC filter, FWD_TO_USER: a fresh VM per conduit. */
static void test_fwd_to_user(enum vmm_conduit c)
{
	struct vmm_call call = mkcall(c, 0, FWD_ID);
	struct vmm_loop_result lr;
	struct fwd_ctx ctx = { 0 };
	struct vmm_result res;
	struct vmm_vm *vm;
	char desc[128];
	int r;

	vm = vmm_vm_create(1);
	snprintf(desc, sizeof(desc), "%s: SMCCC filter FWD_TO_USER for 0x%08x", cname(c), FWD_ID);
	if (!vm) {
		check(0, desc, "vmm_vm_create: %s", strerror(errno));
		return;
	}
	r = vmm_set_smccc_filter(vm, FWD_ID, 1, KVM_SMCCC_FILTER_FWD_TO_USER);
	check(!r, desc, "KVM_SET_DEVICE_ATTR: %s", strerror(-r));
	if (r)
		goto out;
	vmm_set_hypercall_handler(vm, fwd_handler, &ctx);

	call.args[0] = 0xa1;
	r = vmm_call(vm, 0, &call, &res);
	snprintf(desc, sizeof(desc), "%s: forwarded call exits with KVM_EXIT_HYPERCALL", cname(c));
	check(!r && res.forwarded && ctx.calls == 1, desc, "r %d forwarded %d handler calls %d",
	      r, res.forwarded, ctx.calls);
	if (r)
		goto out;

	snprintf(desc, sizeof(desc), "%s: hypercall.nr == function id", cname(c));
	check(res.hc_nr == FWD_ID && ctx.nr == FWD_ID, desc, "nr 0x%" PRIx64, res.hc_nr);

	snprintf(desc, sizeof(desc), "%s: hypercall.flags %s KVM_HYPERCALL_EXIT_SMC, no 16BIT",
		 cname(c), c == VMM_SMC ? "has" : "lacks");
	check(!!(res.hc_flags & KVM_HYPERCALL_EXIT_SMC) == (c == VMM_SMC) &&
	      !(res.hc_flags & KVM_HYPERCALL_EXIT_16BIT) && ctx.flags == res.hc_flags,
	      desc, "flags 0x%" PRIx64, res.hc_flags);

	snprintf(desc, sizeof(desc), "%s: exit PC == instruction + 4", cname(c));
	check(res.exit_pc == res.insn_pc + 4, desc, "exit_pc 0x%" PRIx64 " insn_pc 0x%" PRIx64,
	      res.exit_pc, res.insn_pc);

	snprintf(desc, sizeof(desc), "%s: handler sees x1, guest gets the handler's x0..x3",
		 cname(c));
	check(ctx.arg1 == 0xa1 && res.x[0] == 0x1234abcd && res.x[1] == 0x11 &&
	      res.x[2] == 0x22 && res.x[3] == 0x33, desc,
	      "x1 seen 0x%" PRIx64 ", x0..x3 = 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64,
	      ctx.arg1, res.x[0], res.x[1], res.x[2], res.x[3]);

	/* Other ids are still handled in the kernel. */
	check_x0(vm, c, 0, FN_SMCCC_VERSION, SMCCC_VERSION_1_1, "SMCCC_VERSION next to filter");

	r = vmm_loop(vm, 0, &call, 10, 0x1234abcd, 0, &lr);
	snprintf(desc, sizeof(desc), "%s: vmm_loop of 10 forwarded calls", cname(c));
	check(!r && lr.calls == 10 && lr.forwarded == 10 && lr.x0_eq_a == 10 && ctx.calls == 11,
	      desc, "r %d calls %" PRIu64 " forwarded %" PRIu64 " eq_a %" PRIu64 " handler %d",
	      r, lr.calls, lr.forwarded, lr.x0_eq_a, ctx.calls);
out:
	vmm_vm_destroy(vm);
}

static void test_loop(void)
{
	struct vmm_loop_result lr;
	struct vmm_call call;
	struct vmm_vm *vm;
	char desc[128];
	unsigned int c;
	int r;

	vm = vmm_vm_create(1);
	if (!vm) {
		check(0, "vmm_loop", "vmm_vm_create: %s", strerror(errno));
		return;
	}
	for (c = VMM_HVC; c <= VMM_SMC; c++) {
		call = mkcall(c, 0, FN_SMCCC_VERSION);
		r = vmm_loop(vm, 0, &call, 1000, SMCCC_VERSION_1_1, RET_NOT_SUPPORTED, &lr);
		snprintf(desc, sizeof(desc), "%s: vmm_loop 1000 x SMCCC_VERSION all 0x10001",
			 cname(c));
		check(!r && lr.calls == 1000 && lr.x0_eq_a == 1000 && !lr.x0_eq_b &&
		      !lr.x0_other && !lr.forwarded && lr.ticks > 0, desc,
		      "r %d calls %" PRIu64 " a %" PRIu64 " b %" PRIu64 " other %" PRIu64
		      " fwd %" PRIu64 " ticks %" PRIu64,
		      r, lr.calls, lr.x0_eq_a, lr.x0_eq_b, lr.x0_other, lr.forwarded, lr.ticks);
		if (!r)
			printf("# %s: %.0f ns/call (CNTFRQ %" PRIu64 " Hz)\n", cname(c),
			       lr.ticks * 1e9 / vmm_counter_freq() / 1000, vmm_counter_freq());
	}

	call = mkcall(VMM_HVC, 0, UNKNOWN_ID);
	r = vmm_loop(vm, 0, &call, 100, SMCCC_VERSION_1_1, RET_NOT_SUPPORTED, &lr);
	check(!r && lr.x0_eq_b == 100 && !lr.x0_eq_a && !lr.x0_other,
	      "vmm_loop classifies x0 == b", "r %d a %" PRIu64 " b %" PRIu64 " other %" PRIu64,
	      r, lr.x0_eq_a, lr.x0_eq_b, lr.x0_other);

	r = vmm_loop(vm, 0, &call, 100, 1, 2, &lr);
	check(!r && lr.x0_other == 100, "vmm_loop classifies other x0",
	      "r %d other %" PRIu64, r, lr.x0_other);

	r = vmm_loop(vm, 0, &call, 0, 1, 2, &lr);
	check(!r && lr.calls == 0, "vmm_loop with count 0", "r %d calls %" PRIu64, r, lr.calls);

	/* The vCPU still does single calls after loops. */
	check_x0(vm, VMM_HVC, 0, FN_PSCI_VERSION, PSCI_VERSION_1_1, "PSCI_VERSION after loops");
	vmm_vm_destroy(vm);
}

struct loop_thread {
	struct vmm_vm *vm;
	int vcpu, r;
	struct vmm_loop_result lr;
};

static void *loop_thread_fn(void *arg)
{
	struct loop_thread *t = arg;
	struct vmm_call call = mkcall(t->vcpu ? VMM_SMC : VMM_HVC, 0, FN_SMCCC_VERSION);

	t->r = vmm_loop(t->vm, t->vcpu, &call, 20000, SMCCC_VERSION_1_1, 0, &t->lr);
	return NULL;
}

/* Two vCPUs looping at once, one thread each. */
static void test_threads(void)
{
	struct loop_thread t[2];
	pthread_t tid[2];
	struct vmm_vm *vm;
	int i, started = 0;

	vm = vmm_vm_create(2);
	if (!vm) {
		check(0, "vmm_loop on 2 vCPUs in 2 threads", "vmm_vm_create: %s", strerror(errno));
		return;
	}
	for (i = 0; i < 2; i++) {
		t[i] = (struct loop_thread){ .vm = vm, .vcpu = i, .r = -ECHILD };
		started += !pthread_create(&tid[i], NULL, loop_thread_fn, &t[i]);
	}
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);

	for (i = 0; i < 2; i++) {
		char desc[96];

		snprintf(desc, sizeof(desc),
			 "thread %d: vmm_loop 20000 x SMCCC_VERSION on vCPU %d (%s)",
			 i, i, i ? "SMC" : "HVC");
		check(!t[i].r && t[i].lr.calls == 20000 && t[i].lr.x0_eq_a == 20000, desc,
		      "r %d calls %" PRIu64 " eq_a %" PRIu64, t[i].r, t[i].lr.calls,
		      t[i].lr.x0_eq_a);
	}
	vmm_vm_destroy(vm);
}

static int count_kvm_debugfs(void)
{
	char prefix[32];
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir("/sys/kernel/debug/kvm");
	if (!d)
		return -1;
	snprintf(prefix, sizeof(prefix), "%d-", getpid());
	while ((de = readdir(d)))
		n += !strncmp(de->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static int count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Two live VMs: distinct smccc-bpf ids; destroying them releases everything. */
static void test_vm_ids_and_destroy(void)
{
	int fds0 = count_fds(), vms0 = count_kvm_debugfs(), vms1, r0, r1;
	struct vmm_vm *a = vmm_vm_create(1), *b = vmm_vm_create(1);
	struct vmm_call call = mkcall(VMM_HVC, 0, FN_SMCCC_VERSION);
	struct vmm_result res;
	uint64_t ida = 0, idb = 0;

	if (!a || !b) {
		check(0, "two VMs", "vmm_vm_create: %s", strerror(errno));
		vmm_vm_destroy(a);
		vmm_vm_destroy(b);
		return;
	}
	/* Run them so that vCPU state exists in the kernel too. */
	vmm_call(a, 0, &call, &res);
	vmm_call(b, 0, &call, &res);

	r0 = vmm_vm_id(a, &ida);
	r1 = vmm_vm_id(b, &idb);
	if (r0 == -ENXIO || r0 == -EINVAL || r0 == -ENOTTY) {
		skip("two VMs get different smccc-bpf vm ids",
		     r0 == -ENXIO ? "vmm_vm_id: ENXIO (no smccc-bpf in this kernel)" :
		     r0 == -EINVAL ? "vmm_vm_id: EINVAL (no smccc-bpf in this kernel)" :
				     "vmm_vm_id: ENOTTY (no smccc-bpf in this kernel)");
	} else {
		printf("# vm ids: %" PRIu64 ", %" PRIu64 "\n", ida, idb);
		check(!r0 && !r1 && ida != idb && ida != SMCCC_BPF_VM_ID_GLOBAL &&
		      idb != SMCCC_BPF_VM_ID_GLOBAL, "two VMs get different smccc-bpf vm ids",
		      "r %d/%d ids %" PRIu64 "/%" PRIu64, r0, r1, ida, idb);
	}

	vms1 = count_kvm_debugfs();
	vmm_vm_destroy(a);
	vmm_vm_destroy(b);
	check(count_fds() == fds0, "vmm_vm_destroy closes every fd", "%d fds before, %d after",
	      fds0, count_fds());
	if (vms0 < 0)
		skip("vmm_vm_destroy destroys the VMs in the kernel", "no /sys/kernel/debug/kvm");
	else
		check(vms1 == vms0 + 2 && count_kvm_debugfs() == vms0,
		      "vmm_vm_destroy destroys the VMs in the kernel",
		      "kvm debugfs dirs of this pid: %d before, %d live, %d after",
		      vms0, vms1, count_kvm_debugfs());
}

/* vCPU 1 created off, started by the guest's PSCI CPU_ON from vCPU 0. */
static void test_cpu_on(void)
{
	struct vmm_vm_opts opts = { .nr_vcpus = 2, .secondaries_off = true };
	struct vmm_call call = mkcall(VMM_HVC, 0, FN_PSCI_CPU_ON_64);
	struct vmm_result res;
	struct vmm_vm *vm;
	uint64_t x0 = 0;
	int r;

	vm = vmm_vm_create_opts(&opts);
	if (!vm) {
		check(0, "secondary vCPU created off", "vmm_vm_create_opts: %s", strerror(errno));
		return;
	}
	r = vmm_wait_online(vm, 1);
	check(r == -EAGAIN, "secondary vCPU created off is not online", "got %d", r);

	call.args[0] = 1;			/* target MPIDR: Aff0 = 1 */
	call.args[1] = vmm_entry_addr(vm);
	call.args[2] = 0xc0ffee;		/* context id, lands in x0 */
	r = vmm_call(vm, 0, &call, &res);
	check(!r && res.x[0] == 0, "PSCI CPU_ON of vCPU 1 from vCPU 0 succeeds",
	      "r %d x0 0x%" PRIx64, r, res.x[0]);

	r = vmm_wait_online(vm, 1);
	if (!r)
		r = vmm_get_reg(vm, 1, 0, &x0);
	check(!r && x0 == 0xc0ffee, "vCPU 1 comes online at vmm_entry_addr with the context id",
	      "r %d x0 0x%" PRIx64, r, x0);

	call = mkcall(VMM_SMC, 0, FN_PSCI_VERSION);
	r = vmm_call(vm, 1, &call, &res);
	check(!r && res.x[0] == PSCI_VERSION_1_1, "vCPU 1 makes calls once online",
	      "r %d x0 0x%" PRIx64, r, res.x[0]);
	vmm_vm_destroy(vm);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_upstream_calls();
	test_batch();
	test_fwd_to_user(VMM_HVC);
	test_fwd_to_user(VMM_SMC);
	test_loop();
	test_threads();
	test_vm_ids_and_destroy();
	test_cpu_on();

	printf("%d passed, %d failed\n", nr_checks - nr_failed, nr_failed);
	return nr_failed ? 1 : 0;
}
