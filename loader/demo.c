// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf demo: one VM, a mix of SMCCC calls, and the sample policy
 * bpf/demo.bpf.c deciding them.
 *
 *  1. create a VM (libvmm) and show its smccc-bpf id and debugfs entry;
 *  2. run the call mix without a policy: what upstream KVM answers;
 *  3. load the demo policy for this VM's id and attach it;
 *  4. run the same mix again, over HVC on vCPU 0 and SMC on vCPU 1; the
 *     VMM answers the calls the policy forwards;
 *  5. print every decision from the policy's ring buffer next to what the
 *     guest got and what it got without a policy, then a summary from the
 *     policy's per-CPU counters;
 *  6. detach and show the VM is back to upstream behaviour.
 *
 * Everything the demo shows is also checked; exit status 1 if anything
 * was not as expected, so the demo doubles as a smoke test.
 *
 * Usage: demo            (needs /dev/kvm, CAP_BPF + CAP_SYS_ADMIN, debugfs)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "smccc_bpf.h"
#include "vmm.h"
#include "demo.h"
#include "demo.skel.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#define SMCCC_ARCH_WORKAROUND_1	0x80008000u
#define PSCI_CPU_ON_64		0xc4000003u
#define RET_NOT_SUPPORTED	SMCCC_BPF_RET_NOT_SUPPORTED

/* What the VMM answers for DEMO_OEM_CALL: x0..x2, and x3 = the caller's x1. */
#define VMM_OEM_RET1		0x564d4du	/* "VMM" */
#define VMM_OEM_RET2		0x1

/* ---- the call mix ---------------------------------------------------------- */

struct mix_call {
	uint32_t func_id;
	uint64_t x1;
	uint32_t expect;	/* SMCCC_BPF_ACT_* the demo policy should return */
};

static const struct mix_call mix[] = {
	{ DEMO_SMCCC_VERSION,		0,			SMCCC_BPF_ACT_DENY },
	{ DEMO_SMCCC_ARCH_FEATURES,	SMCCC_ARCH_WORKAROUND_1, SMCCC_BPF_ACT_HANDLE },
	{ DEMO_PSCI_VERSION,		0,			SMCCC_BPF_ACT_HANDLE },
	{ DEMO_PSCI_FEATURES,		PSCI_CPU_ON_64,		SMCCC_BPF_ACT_HANDLE },
	{ DEMO_TRNG_VERSION,		0,			SMCCC_BPF_ACT_DENY },
	{ DEMO_TRNG_FEATURES,		DEMO_TRNG_RND64,	SMCCC_BPF_ACT_DENY },
	{ DEMO_TRNG_RND64,		64,			SMCCC_BPF_ACT_DENY },
	{ DEMO_VENDOR_HYP_UID,		0,			SMCCC_BPF_ACT_HANDLE },
	{ DEMO_SIP_BOARD_INFO,		0xb0a7d,		SMCCC_BPF_ACT_RETURN },
	{ DEMO_SIP_UNKNOWN,		0,			SMCCC_BPF_ACT_HANDLE },
	{ DEMO_OEM_CALL,		0x42,			SMCCC_BPF_ACT_FWD_TO_USER },
};
#define MIX_LEN		ARRAY_SIZE(mix)

/* The mix runs once per pass: vCPU 0 over HVC, vCPU 1 over SMC. */
static const struct pass {
	int vcpu;
	enum vmm_conduit conduit;
} passes[] = {
	{ 0, VMM_HVC },
	{ 1, VMM_SMC },
};
#define NR_PASSES	ARRAY_SIZE(passes)
#define NR_CALLS	(NR_PASSES * MIX_LEN)

/* Index of func_id in mix[]; it must be there. */
static size_t mix_index(uint32_t func_id)
{
	size_t i;

	for (i = 0; i < MIX_LEN && mix[i].func_id != func_id; i++)
		;
	return i < MIX_LEN ? i : 0;
}

static const struct {
	uint32_t id;
	const char *name;
} fn_names[] = {
	{ DEMO_SMCCC_VERSION,		"SMCCC_VERSION" },
	{ DEMO_SMCCC_ARCH_FEATURES,	"SMCCC_ARCH_FEATURES" },
	{ SMCCC_ARCH_WORKAROUND_1,	"SMCCC_ARCH_WORKAROUND_1" },
	{ DEMO_PSCI_VERSION,		"PSCI_VERSION" },
	{ DEMO_PSCI_FEATURES,		"PSCI_FEATURES" },
	{ PSCI_CPU_ON_64,		"PSCI_CPU_ON_64" },
	{ DEMO_TRNG_VERSION,		"TRNG_VERSION" },
	{ DEMO_TRNG_FEATURES,		"TRNG_FEATURES" },
	{ DEMO_TRNG_GET_UUID,		"TRNG_GET_UUID" },
	{ DEMO_TRNG_RND32,		"TRNG_RND32" },
	{ DEMO_TRNG_RND64,		"TRNG_RND64" },
	{ DEMO_VENDOR_HYP_UID,		"VENDOR_HYP_CALL_UID" },
	{ DEMO_SIP_BOARD_INFO,		"SIP_BOARD_INFO" },
	{ DEMO_OEM_CALL,		"OEM_CALL" },
};

/* A name for a function ID; unknown ones by their SMCCC service range. */
static const char *fn_name(uint32_t id, char *buf, size_t len)
{
	static const char *const owners[] = {
		"Arch", "CPU", "SiP", "OEM", "Std", "Std hyp", "Vendor hyp",
	};
	unsigned int owner = (id >> 24) & 0x3f;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fn_names); i++)
		if (fn_names[i].id == id)
			return fn_names[i].name;
	snprintf(buf, len, "%s%s call 0x%x", owner < ARRAY_SIZE(owners) ? owners[owner] : "Service",
		 id & 0x40000000u ? "64" : "", id & 0xffffu);
	return buf;
}

static const char *const action_names[SMCCC_BPF_NR_ACTIONS] = {
	[SMCCC_BPF_ACT_HANDLE]		= "HANDLE",
	[SMCCC_BPF_ACT_DENY]		= "DENY",
	[SMCCC_BPF_ACT_FWD_TO_USER]	= "FWD_TO_USER",
	[SMCCC_BPF_ACT_RETURN]		= "RETURN",
};

static const char *action_name(uint32_t a)
{
	return a < SMCCC_BPF_NR_ACTIONS ? action_names[a] : "?";
}

static const char *conduit_name(enum vmm_conduit c)
{
	return c == VMM_SMC ? "SMC" : "HVC";
}

/* x0 as a person reads it: small negatives (SMCCC errors) in decimal. */
static const char *fmt_x0(uint64_t v, char *buf, size_t len)
{
	if ((int64_t)v < 0 && (int64_t)v >= -9)
		snprintf(buf, len, "%" PRId64, (int64_t)v);
	else if (v < 10)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "0x%" PRIx64, v);
	return buf;
}

/* ---- checks ---------------------------------------------------------------- */

static int nr_checks, nr_failed;

static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	nr_checks++;
	if (ok)
		return true;
	nr_failed++;
	printf("  !! unexpected: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return false;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	printf("demo: error: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\nFAIL: the demo could not run to the end\n");
	exit(1);
}

/* ---- the VMM side ---------------------------------------------------------- */

struct vmm_seen {
	unsigned int calls;	/* forwarded calls answered */
	unsigned int bad;	/* forwarded calls the VMM did not expect */
};

/* KVM_EXIT_HYPERCALL: the policy forwarded a call; the VMM implements OEM_CALL. */
static void vmm_hypercall(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			  uint64_t ret[4], void *opaque)
{
	struct vmm_seen *seen = opaque;
	uint64_t x1 = 0;

	seen->calls++;
	if (run->hypercall.nr != DEMO_OEM_CALL) {
		seen->bad++;
		return;		/* ret[] stays NOT_SUPPORTED */
	}
	vmm_get_reg(vm, vcpu, 1, &x1);
	ret[0] = SMCCC_BPF_RET_SUCCESS;
	ret[1] = VMM_OEM_RET1;
	ret[2] = VMM_OEM_RET2;
	ret[3] = x1;
}

/* One pass of the mix; res[] is indexed like mix[]. */
static void run_mix(struct vmm_vm *vm, const struct pass *p, struct vmm_result *res)
{
	size_t i;
	int r;

	for (i = 0; i < MIX_LEN; i++) {
		struct vmm_call call = {
			.conduit = p->conduit,
			.func_id = mix[i].func_id,
			.args = { mix[i].x1 },
		};

		r = vmm_call(vm, p->vcpu, &call, &res[i]);
		if (r)
			die("vCPU %d: %s call 0x%08x: %s", p->vcpu, conduit_name(p->conduit),
			    mix[i].func_id, strerror(-r));
	}
}

/* ---- debugfs --------------------------------------------------------------- */

struct vm_debugfs {
	char path[64];		/* relative to /sys/kernel/debug/ */
	uint64_t vm_id;
	char pid[16];
	char policy[16];
	bool ok;
};

/* The VM's kvm/<pid>-<vm fd>/smccc_bpf: "vm_id: N\npid: P\npolicy: X\n". */
static struct vm_debugfs read_vm_debugfs(const struct vmm_vm *vm)
{
	struct vm_debugfs d = { 0 };
	char path[128], line[128];
	unsigned int fields = 0;
	FILE *f;

	snprintf(d.path, sizeof(d.path), "kvm/%d-%d/smccc_bpf", getpid(), vmm_vm_fd(vm));
	snprintf(path, sizeof(path), "/sys/kernel/debug/%s", d.path);
	f = fopen(path, "r");
	if (!f)
		return d;
	while (fgets(line, sizeof(line), f)) {
		fields += sscanf(line, "vm_id: %" SCNu64, &d.vm_id) == 1;
		fields += sscanf(line, "pid: %15s", d.pid) == 1;
		fields += sscanf(line, "policy: %15s", d.policy) == 1;
	}
	fclose(f);
	d.ok = fields == 3;
	return d;
}

static void show_debugfs(const struct vmm_vm *vm, uint64_t vm_id, const char *want_policy)
{
	struct vm_debugfs d = read_vm_debugfs(vm);

	if (!check(d.ok, "cannot read /sys/kernel/debug/%s", d.path))
		return;
	printf("  debugfs   %s: vm_id: %" PRIu64 ", pid: %s, policy: %s\n",
	       d.path, d.vm_id, d.pid, d.policy);
	check(d.vm_id == vm_id, "debugfs vm_id %" PRIu64 ", KVM_GET_DEVICE_ATTR said %" PRIu64,
	      d.vm_id, vm_id);
	check(!strcmp(d.policy, want_policy), "debugfs policy '%s', expected '%s'",
	      d.policy, want_policy);
}

/* ---- the policy's side: ring buffer and counters --------------------------- */

struct events {
	struct demo_event ev[NR_CALLS + 8];	/* room to notice extra ones */
	size_t n, lost;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct events *evs = ctx;

	if (len < sizeof(struct demo_event) || evs->n == ARRAY_SIZE(evs->ev)) {
		evs->lost++;
		return 0;
	}
	memcpy(&evs->ev[evs->n++], data, sizeof(struct demo_event));
	return 0;
}

/* Sum of one per-CPU counter over all possible CPUs. */
static uint64_t stat_sum(struct demo_bpf *skel, uint32_t idx)
{
	int ncpus = libbpf_num_possible_cpus();
	uint64_t *vals, sum = 0;
	int i;

	if (ncpus <= 0)
		die("libbpf_num_possible_cpus: %s", strerror(-ncpus));
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		die("out of memory");
	if (bpf_map__lookup_elem(skel->maps.stats, &idx, sizeof(idx), vals,
				 ncpus * sizeof(*vals), 0))
		die("reading the per-CPU counters: %s", strerror(errno));
	for (i = 0; i < ncpus; i++)
		sum += vals[i];
	free(vals);
	return sum;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level > LIBBPF_WARN)
		return 0;
	return vfprintf(stdout, fmt, ap);
}

/* ---- one decision line ----------------------------------------------------- */

/* What the guest must have got for call i of pass p, given the baseline. */
static void check_result(const struct pass *p, size_t i, const struct vmm_result *got,
			 const struct vmm_result *base)
{
	const struct mix_call *m = &mix[i];
	const char *cn = conduit_name(p->conduit);
	char nb[40];
	const char *name = fn_name(m->func_id, nb, sizeof(nb));
	bool arch = smccc_bpf_is_arch_call(m->func_id);
	uint32_t eff = arch ? SMCCC_BPF_ACT_HANDLE : m->expect;
	int k;

	check(got->forwarded == (eff == SMCCC_BPF_ACT_FWD_TO_USER),
	      "%s %s: %sforwarded to the VMM", cn, name, got->forwarded ? "" : "not ");

	switch (eff) {
	case SMCCC_BPF_ACT_HANDLE:
		for (k = 0; k < 4; k++)
			check(got->x[k] == base->x[k],
			      "%s %s: x%d = 0x%" PRIx64 ", without a policy 0x%" PRIx64,
			      cn, name, k, got->x[k], base->x[k]);
		break;
	case SMCCC_BPF_ACT_DENY:
		check(got->x[0] == RET_NOT_SUPPORTED && !got->x[1] && !got->x[2] && !got->x[3],
		      "%s %s: denied but x0..x3 = 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
		      " 0x%" PRIx64, cn, name, got->x[0], got->x[1], got->x[2], got->x[3]);
		break;
	case SMCCC_BPF_ACT_RETURN:
		check(got->x[0] == DEMO_SIP_RET0 && got->x[1] == DEMO_SIP_RET1 &&
		      got->x[2] == DEMO_SIP_RET2 && got->x[3] == m->x1,
		      "%s %s: policy's answer not seen, x0..x3 = 0x%" PRIx64 " 0x%" PRIx64
		      " 0x%" PRIx64 " 0x%" PRIx64, cn, name,
		      got->x[0], got->x[1], got->x[2], got->x[3]);
		break;
	case SMCCC_BPF_ACT_FWD_TO_USER:
		check(got->hc_nr == m->func_id &&
		      !!(got->hc_flags & KVM_HYPERCALL_EXIT_SMC) == (p->conduit == VMM_SMC),
		      "%s %s: KVM_EXIT_HYPERCALL nr 0x%" PRIx64 " flags 0x%" PRIx64,
		      cn, name, got->hc_nr, got->hc_flags);
		check(got->x[0] == SMCCC_BPF_RET_SUCCESS && got->x[1] == VMM_OEM_RET1 &&
		      got->x[2] == VMM_OEM_RET2 && got->x[3] == m->x1,
		      "%s %s: VMM's answer not seen, x0..x3 = 0x%" PRIx64 " 0x%" PRIx64
		      " 0x%" PRIx64 " 0x%" PRIx64, cn, name,
		      got->x[0], got->x[1], got->x[2], got->x[3]);
		break;
	}
}

/* The ring buffer record of call i of pass p must describe exactly that call. */
static void check_event(const struct demo_event *e, const struct pass *p, size_t i,
			uint64_t vm_id)
{
	const struct mix_call *m = &mix[i];
	uint16_t conduit = p->conduit == VMM_SMC ? SMCCC_BPF_CONDUIT_SMC : SMCCC_BPF_CONDUIT_HVC;

	check(e->func_id == m->func_id && e->vcpu_id == (uint32_t)p->vcpu &&
	      e->conduit == conduit && e->imm == 0 && e->x1 == m->x1 && e->vm_id == vm_id,
	      "event: vm %" PRIu64 " vcpu %u conduit %u imm %u func 0x%08x x1 0x%" PRIx64
	      ", expected vm %" PRIu64 " vcpu %d conduit %u imm 0 func 0x%08x x1 0x%" PRIx64,
	      (uint64_t)e->vm_id, e->vcpu_id, e->conduit, e->imm, e->func_id,
	      (uint64_t)e->x1,
	      vm_id, p->vcpu, conduit, m->func_id, m->x1);
	check(e->action == m->expect, "%s 0x%08x: policy said %s, expected %s",
	      conduit_name(p->conduit), m->func_id, action_name(e->action),
	      action_name(m->expect));
}

/* What the decision meant for the guest, in a few words. */
static const char *effect(const struct demo_event *e, const struct vmm_result *got,
			  char *buf, size_t len)
{
	if (smccc_bpf_is_arch_call(e->func_id))
		return e->action == SMCCC_BPF_ACT_HANDLE ? "arch call" :
							   "arch call, KVM answers anyway";
	switch (e->action) {
	case SMCCC_BPF_ACT_DENY:
		return "hidden";
	case SMCCC_BPF_ACT_RETURN:
	case SMCCC_BPF_ACT_FWD_TO_USER:
		if (!got)
			return "";
		snprintf(buf, len, "%s answered, x1 0x%" PRIx64,
			 e->action == SMCCC_BPF_ACT_RETURN ? "policy" : "VMM", got->x[1]);
		return buf;
	default:
		return "";
	}
}

/* Prints a line without trailing blanks (empty columns at the end). */
static void print_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void print_line(const char *fmt, ...)
{
	char line[256];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\n'))
		line[--n] = '\0';
	puts(line);
}

#define DECISION_FMT	"  %4s %-6s %-30s %-12s %-10s %-10s %s"

static void print_event(const struct demo_event *e, const struct vmm_result *got,
			const struct vmm_result *base)
{
	char vcpu[12], cond[12], fn[48], nb[40], a[24], x0[24], bx0[24], eff[48];
	bool ignored = smccc_bpf_is_arch_call(e->func_id) && e->action != SMCCC_BPF_ACT_HANDLE;

	snprintf(vcpu, sizeof(vcpu), "%u", e->vcpu_id);
	snprintf(cond, sizeof(cond), "%s #%u",
		 e->conduit == SMCCC_BPF_CONDUIT_SMC ? "SMC" :
		 e->conduit == SMCCC_BPF_CONDUIT_HVC ? "HVC" : "?", e->imm);
	snprintf(fn, sizeof(fn), "0x%08x %s", e->func_id, fn_name(e->func_id, nb, sizeof(nb)));
	snprintf(a, sizeof(a), "%s%s", action_name(e->action), ignored ? "*" : "");
	print_line(DECISION_FMT, vcpu, cond, fn, a,
		   got ? fmt_x0(got->x[0], x0, sizeof(x0)) : "?",
		   base ? fmt_x0(base->x[0], bx0, sizeof(bx0)) : "?",
		   effect(e, got, eff, sizeof(eff)));
}

/* ---- main ------------------------------------------------------------------ */

int main(void)
{
	struct vmm_result base[NR_PASSES][MIX_LEN], got[NR_PASSES][MIX_LEN];
	static struct events evs;
	struct ring_buffer *rb = NULL;
	struct vmm_seen seen = { 0 };
	struct bpf_link *link = NULL;
	struct demo_bpf *skel = NULL;
	uint64_t vm_id = 0, counted[DEMO_NR_STATS], per_action[SMCCC_BPF_NR_ACTIONS] = { 0 };
	uint64_t total = 0, ignored = 0, span_ns;
	struct vmm_result after;
	struct vmm_vm *vm;
	size_t i, p;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(libbpf_print);

	printf("smccc-bpf demo: a BPF policy decides the SMCCC calls of one VM\n\n");

	/* 1. The VM. */
	vm = vmm_vm_create(2);
	if (!vm)
		die("cannot create a VM: %s", strerror(errno));
	r = vmm_vm_id(vm, &vm_id);
	if (r)
		die("KVM_GET_DEVICE_ATTR (smccc-bpf vm id): %s%s", strerror(-r),
		    r == -ENXIO || r == -EINVAL ? " (kernel without smccc-bpf?)" : "");
	printf("VM\n");
	printf("  vm_id     %" PRIu64 " (KVM_GET_DEVICE_ATTR on the VM fd), 2 vCPUs\n", vm_id);
	show_debugfs(vm, vm_id, "none");
	vmm_set_hypercall_handler(vm, vmm_hypercall, &seen);
	/* This VMM serves the OEM call: it asks KVM for the policy's exits. */
	r = vmm_set_smccc_bpf_flags(vm, SMCCC_BPF_FLAG_EXITS);
	if (r)
		die("KVM_SET_DEVICE_ATTR (smccc-bpf flags): %s", strerror(-r));
	printf("  exits     opted in (KVM_ARM_VM_SMCCC_BPF_FLAGS): the policy may forward calls
");

	/* 2. Baseline: upstream KVM. */
	for (p = 0; p < NR_PASSES; p++)
		run_mix(vm, &passes[p], base[p]);
	printf("  baseline  %zu calls without a policy (vCPU 0 over HVC, vCPU 1 over SMC)\n",
	       NR_CALLS);
	i = mix_index(DEMO_SMCCC_VERSION);
	check(base[0][i].x[0] == 0x10001 && base[1][i].x[0] == 0x10001,
	      "SMCCC_VERSION without a policy: 0x%" PRIx64 "/0x%" PRIx64 ", expected 0x10001",
	      base[0][i].x[0], base[1][i].x[0]);
	for (p = 0; p < NR_PASSES; p++)
		for (i = 0; i < MIX_LEN; i++)
			check(!base[p][i].forwarded, "0x%08x forwarded without a policy",
			      mix[i].func_id);
	check(seen.calls == 0, "the VMM got %u calls without a policy", seen.calls);

	/* 3. The policy, for this VM only. */
	skel = demo_bpf__open();
	if (!skel)
		die("opening the demo policy: %s", strerror(errno));
	skel->struct_ops.demo_policy->vm_id = vm_id;
	r = demo_bpf__load(skel);
	if (r)
		die("loading the demo policy: %s", strerror(-r));
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &evs, NULL);
	if (!rb)
		die("ring buffer: %s", strerror(errno));
	link = bpf_map__attach_struct_ops(skel->maps.demo_policy);
	if (!link)
		die("attaching the demo policy to vm_id %" PRIu64 ": %s", vm_id, strerror(errno));
	printf("\nPolicy\n");
	printf("  attached  demo_policy (bpf/demo.bpf.c) to vm_id %" PRIu64 " through a BPF link\n",
	       vm_id);
	show_debugfs(vm, vm_id, "vm");

	/* 4. The same calls, decided by the policy. */
	for (p = 0; p < NR_PASSES; p++)
		run_mix(vm, &passes[p], got[p]);

	/* 5. What the policy recorded. */
	r = ring_buffer__consume(rb);
	if (r < 0)
		die("reading the ring buffer: %s", strerror(-r));

	printf("\nDecisions (from the policy's ring buffer; x0 the guest got, -1 = NOT_SUPPORTED)\n");
	print_line(DECISION_FMT, "vCPU", "call", "function", "action", "x0", "no policy", "");
	for (i = 0; i < evs.n; i++) {
		const struct demo_event *e = &evs.ev[i];

		p = i / MIX_LEN;
		if (p < NR_PASSES) {
			print_event(e, &got[p][i % MIX_LEN], &base[p][i % MIX_LEN]);
			check_event(e, &passes[p], i % MIX_LEN, vm_id);
		} else {
			print_event(e, NULL, NULL);
		}
		if (e->action < SMCCC_BPF_NR_ACTIONS)
			per_action[e->action]++;
		ignored += smccc_bpf_is_arch_call(e->func_id) && e->action != SMCCC_BPF_ACT_HANDLE;
		if (i)
			check(e->ktime_ns >= evs.ev[i - 1].ktime_ns, "event %zu out of order", i);
	}
	if (ignored)
		printf("  * Arm Architecture Call: KVM answers it whatever the policy says\n");
	check(evs.n == NR_CALLS && !evs.lost, "%zu decisions recorded (+%zu lost), %zu calls made",
	      evs.n, evs.lost, NR_CALLS);
	for (p = 0; p < NR_PASSES; p++)
		for (i = 0; i < MIX_LEN; i++)
			check_result(&passes[p], i, &got[p][i], &base[p][i]);

	/* The summary, from the per-CPU counters, cross-checked with the events. */
	for (i = 0; i < DEMO_NR_STATS; i++)
		counted[i] = stat_sum(skel, i);
	printf("\nSummary (per-CPU counters summed over %d CPUs; events from the ring buffer)\n",
	       libbpf_num_possible_cpus());
	printf("  %-12s %8s %8s  %s\n", "action", "counted", "events", "what the guest got");
	for (i = 0; i < SMCCC_BPF_NR_ACTIONS; i++) {
		static const char *const what[SMCCC_BPF_NR_ACTIONS] = {
			[SMCCC_BPF_ACT_HANDLE]		= "KVM's answer, as without a policy",
			[SMCCC_BPF_ACT_DENY]		= "-1 (NOT_SUPPORTED)",
			[SMCCC_BPF_ACT_FWD_TO_USER]	= "the VMM's answer (KVM_EXIT_HYPERCALL)",
			[SMCCC_BPF_ACT_RETURN]		= "the policy's answer, no exit",
		};
		char extra[64] = "";

		if (i == SMCCC_BPF_ACT_DENY && ignored)
			snprintf(extra, sizeof(extra), "; %" PRIu64 " arch call%s: KVM's answer",
				 ignored, ignored == 1 ? "" : "s");
		printf("  %-12s %8" PRIu64 " %8" PRIu64 "  %s%s\n", action_names[i], counted[i],
		       per_action[i], what[i], extra);
		check(counted[i] == per_action[i], "%s: counted %" PRIu64 ", %" PRIu64 " events",
		      action_names[i], counted[i], per_action[i]);
		total += counted[i];
	}
	printf("  %-12s %8" PRIu64 " %8zu  ring buffer overflows: %" PRIu64 "\n", "total", total,
	       evs.n, counted[DEMO_STAT_DROPPED]);
	check(total == evs.n && total == NR_CALLS && !counted[DEMO_STAT_DROPPED],
	      "counted %" PRIu64 " decisions, %zu events, %zu calls, %" PRIu64 " overflows",
	      total, evs.n, NR_CALLS, counted[DEMO_STAT_DROPPED]);
	span_ns = evs.n ? evs.ev[evs.n - 1].ktime_ns - evs.ev[0].ktime_ns : 0;
	printf("  %u forwarded call%s answered by the VMM; %zu decisions in %.1f ms\n",
	       seen.calls, seen.calls == 1 ? "" : "s", evs.n, span_ns / 1e6);
	check(seen.calls == per_action[SMCCC_BPF_ACT_FWD_TO_USER] && !seen.bad,
	      "the VMM got %u forwarded calls (%u unexpected), the policy forwarded %" PRIu64,
	      seen.calls, seen.bad, per_action[SMCCC_BPF_ACT_FWD_TO_USER]);

	/* 6. Detach: back to upstream KVM, and the policy sees nothing more. */
	r = bpf_link__destroy(link);
	link = NULL;
	check(!r, "detaching: %s", strerror(-r));
	printf("\nDetached\n");
	show_debugfs(vm, vm_id, "none");
	{
		struct vmm_call call = { .conduit = VMM_HVC, .func_id = DEMO_TRNG_VERSION };
		size_t trng = mix_index(DEMO_TRNG_VERSION);
		char x0[24];

		r = vmm_call(vm, 0, &call, &after);
		if (r)
			die("TRNG_VERSION after detaching: %s", strerror(-r));
		printf("  guest     TRNG_VERSION answers %s again (as without a policy)\n",
		       fmt_x0(after.x[0], x0, sizeof(x0)));
		check(after.x[0] == base[0][trng].x[0], "TRNG_VERSION after detaching: 0x%" PRIx64
		      ", without a policy 0x%" PRIx64, after.x[0], base[0][trng].x[0]);
		evs.n = 0;
		ring_buffer__consume(rb);
		check(evs.n == 0, "%zu decisions recorded after detaching", evs.n);
	}

	ring_buffer__free(rb);
	demo_bpf__destroy(skel);
	vmm_vm_destroy(vm);

	if (nr_failed) {
		printf("\nFAIL: %d of %d checks failed\n", nr_failed, nr_checks);
		return 1;
	}
	printf("\nOK: %zu decisions, all %d checks passed\n", NR_CALLS, nr_checks);
	return 0;
}
