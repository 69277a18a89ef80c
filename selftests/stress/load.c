// SPDX-License-Identifier: GPL-2.0
/*
 * smccc_load: calls on every vCPU of a 4-vCPU guest while the policy is
 * replaced every 10 ms and the host-wide default comes and goes every
 * 50 ms (runs inside the test VM).
 *
 * Each vCPU loops one call in the guest (vmm_loop(): no host round trip
 * unless the call is forwarded) and classifies every answer as the one
 * policy A gives, the one policy B (or the default) gives, or anything
 * else. Policy A and B are two loads of the generic policy program from
 * the policy language; a BPF_LINK_UPDATE alternates them on the VM's link.
 * The default (vm_id 0) denies one function. The calls, one per vCPU:
 *
 *   vCPU 0  HVC #0       0x82000010  A: return 0xa    B: return 0xb
 *   vCPU 1  SMC #0       0x82000011  A: return 0xa    B: deny
 *   vCPU 2  HVC #0x1234  0x82000012  A, B: return 0xa default: deny
 *   vCPU 3  SMC #0       0x82000013  A: forward (the VMM answers 0xf)
 *                                    B: handle (KVM: NOT_SUPPORTED)
 *
 * Afterwards, exactly: no answer is anything else; each class of answers
 * equals the decisions the deciding program counted in its statistics
 * (per function and action); and per function, the calls issued equal the
 * decisions of A and B plus those of the default that were not handle.
 * Prints "ok"/"not ok" per check, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "vmm.h"
#include "smccc_bpf.h"
#include "stress_util.h"
#include "policy_compile.h"
#include "policy_maps.h"
#include "policy.skel.h"

#define NR_VCPUS	4
#define CHUNK		20000		/* calls per vmm_loop(): between host checks */
#define NS		SMCCC_BPF_RET_NOT_SUPPORTED
#define FWD_ANSWER	0xfull

static const char policy_a[] =
	"policy \"load-a\";\n"
	"return 0xa id 0x82000010;\n"
	"return 0xa id 0x82000011;\n"
	"return 0xa id 0x82000012;\n"
	"forward id 0x82000013;\n";
static const char policy_b[] =
	"policy \"load-b\";\n"
	"return 0xb id 0x82000010;\n"
	"deny id 0x82000011;\n"
	"return 0xa id 0x82000012;\n"
	"handle id 0x82000013;\n";
static const char policy_default[] =
	"policy \"load-default\";\n"
	"deny id 0x82000012;\n";

struct lane {
	enum vmm_conduit conduit;
	uint16_t imm;
	uint32_t func_id;
	uint64_t a, b;		/* the two answers expected */
};

static const struct lane lanes[NR_VCPUS] = {
	{ VMM_HVC, 0, 0x82000010, 0xa, 0xb },
	{ VMM_SMC, 0, 0x82000011, 0xa, NS },
	{ VMM_HVC, 0x1234, 0x82000012, 0xa, NS },
	{ VMM_SMC, 0, 0x82000013, FWD_ANSWER, NS },
};

struct loaded {
	struct smccc_compiled c;
	struct policy_bpf *skel;
};

struct ctx {
	struct vmm_vm *vm;
	uint64_t vm_id;
	uint64_t calls_per_vcpu;
	long replace_ms, default_ms;
	struct loaded a, b, dflt;
	struct bpf_link *link;
	atomic_bool stop;
	uint64_t replaced, replace_errors, default_attached, default_errors;
	struct vmm_loop_result res[NR_VCPUS];
	int err[NR_VCPUS];
};

struct vcpu_arg {
	struct ctx *x;
	int vcpu;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fwd_handler(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			uint64_t ret[4], void *opaque)
{
	(void)vm;
	(void)vcpu;
	(void)run;
	(void)opaque;
	ret[0] = FWD_ANSWER;
}

static int load(struct loaded *l, const char *name, const char *text, uint64_t vm_id, int vm_fd)
{
	struct policy_diags diags;
	int err;

	memset(&diags, 0, sizeof(diags));
	err = policy_compile_text(name, text, strlen(text), &l->c, NULL, &diags);
	if (err) {
		fprintf(stderr, "%s", policy_diags_text(&diags));
		policy_diags_free(&diags);
		return -EINVAL;
	}
	policy_diags_free(&diags);
	l->skel = smccc_policy_prog_open(&l->c, vm_id);
	if (!l->skel)
		return -errno;
	if (vm_fd >= 0)
		l->skel->struct_ops.smccc_policy->vm_fd = vm_fd;
	err = smccc_policy_prog_load_opened(l->skel, &l->c);
	if (err)
		l->skel = NULL;
	return err;
}

static void *vcpu_thread(void *p)
{
	struct vcpu_arg *va = p;
	struct ctx *x = va->x;
	const struct lane *ln = &lanes[va->vcpu];
	struct vmm_loop_result *sum = &x->res[va->vcpu], r;
	struct vmm_call call = { .conduit = ln->conduit, .imm = ln->imm, .func_id = ln->func_id };
	uint64_t left = x->calls_per_vcpu, n;

	while (left) {
		n = left < CHUNK ? left : CHUNK;
		x->err[va->vcpu] = vmm_loop(x->vm, va->vcpu, &call, n, ln->a, ln->b, &r);
		if (x->err[va->vcpu])
			break;
		sum->calls += r.calls;
		sum->x0_eq_a += r.x0_eq_a;
		sum->x0_eq_b += r.x0_eq_b;
		sum->x0_other += r.x0_other;
		sum->forwarded += r.forwarded;
		left -= n;
	}
	return NULL;
}

/* Every replace_ms: A -> B -> A ..., one BPF_LINK_UPDATE each. */
static void *replace_thread(void *p)
{
	struct ctx *x = p;
	bool to_b = true;

	while (!atomic_load(&x->stop)) {
		sleep_ms(x->replace_ms);
		if (smccc_policy_prog_replace(x->link, to_b ? x->b.skel : x->a.skel)) {
			x->replace_errors++;
			continue;
		}
		x->replaced++;
		to_b = !to_b;
	}
	return NULL;
}

/* Every default_ms: the host-wide default attached, then released. */
static void *default_thread(void *p)
{
	struct ctx *x = p;
	struct bpf_link *l;

	while (!atomic_load(&x->stop)) {
		sleep_ms(x->default_ms);
		l = smccc_policy_prog_attach(x->dflt.skel);
		if (!l) {
			x->default_errors++;
			continue;
		}
		x->default_attached++;
		sleep_ms(x->default_ms);
		bpf_link__destroy(l);
	}
	return NULL;
}

static uint64_t stat(struct loaded *l, uint64_t vm_id, uint32_t func_id, uint8_t action)
{
	uint64_t n = 0;

	if (smccc_policy_read_stat(smccc_policy_prog_obj(l->skel), vm_id, func_id, action, &n))
		return UINT64_MAX;
	return n;
}

static uint64_t stat_all(struct loaded *l, uint64_t vm_id, uint32_t func_id, bool handle_too)
{
	uint64_t n = 0;
	uint8_t act;

	for (act = SMCCC_BPF_ACT_HANDLE; act <= SMCCC_BPF_ACT_RETURN; act++) {
		if (act == SMCCC_BPF_ACT_HANDLE && !handle_too)
			continue;
		n += stat(l, vm_id, func_id, act);
	}
	return n;
}

static void verify(struct ctx *x)
{
	uint64_t id = x->vm_id, total = 0, dropped[SMCCC_POLICY_NR_DROP];
	const struct vmm_loop_result *r = x->res;
	struct loaded *A = &x->a, *B = &x->b, *D = &x->dflt;
	int i;

	for (i = 0; i < NR_VCPUS; i++) {
		uint32_t f = lanes[i].func_id;
		uint64_t decided;

		check(!x->err[i] && r[i].calls == x->calls_per_vcpu,
		      "vCPU %d: %llu of %llu calls issued (%s)", i, (unsigned long long)r[i].calls,
		      (unsigned long long)x->calls_per_vcpu, x->err[i] ? strerror(-x->err[i]) : "ok");
		check(r[i].x0_other == 0 && r[i].x0_eq_a + r[i].x0_eq_b == r[i].calls,
		      "vCPU %d (%#x): every answer is A's, B's or the default's: %llu a, %llu b, "
		      "%llu other", i, f, (unsigned long long)r[i].x0_eq_a,
		      (unsigned long long)r[i].x0_eq_b, (unsigned long long)r[i].x0_other);
		decided = stat_all(A, id, f, true) + stat_all(B, id, f, true) +
			  stat_all(D, id, f, false);
		check(decided == r[i].calls,
		      "vCPU %d (%#x): decisions counted (A + B + default's non-handle) %llu == "
		      "calls %llu", i, f, (unsigned long long)decided,
		      (unsigned long long)r[i].calls);
		total += r[i].calls;
	}

	check(r[0].x0_eq_a == stat(A, id, 0x82000010, SMCCC_BPF_ACT_RETURN) &&
	      r[0].x0_eq_b == stat(B, id, 0x82000010, SMCCC_BPF_ACT_RETURN),
	      "vCPU 0: answers 0xa == A's returns, 0xb == B's returns");
	check(r[1].x0_eq_a == stat(A, id, 0x82000011, SMCCC_BPF_ACT_RETURN) &&
	      r[1].x0_eq_b == stat(B, id, 0x82000011, SMCCC_BPF_ACT_DENY),
	      "vCPU 1: answers 0xa == A's returns, NOT_SUPPORTED == B's denials");
	check(r[2].x0_eq_a == stat(A, id, 0x82000012, SMCCC_BPF_ACT_RETURN) +
			      stat(B, id, 0x82000012, SMCCC_BPF_ACT_RETURN) &&
	      r[2].x0_eq_b == stat(D, id, 0x82000012, SMCCC_BPF_ACT_DENY),
	      "vCPU 2: answers 0xa == the VM policies' returns, NOT_SUPPORTED == the default's "
	      "denials (%llu)", (unsigned long long)r[2].x0_eq_b);
	check(r[3].x0_eq_a == r[3].forwarded &&
	      r[3].forwarded == stat(A, id, 0x82000013, SMCCC_BPF_ACT_FWD_TO_USER) &&
	      r[3].x0_eq_b == stat(B, id, 0x82000013, SMCCC_BPF_ACT_HANDLE),
	      "vCPU 3: %llu exits == A's forwards, NOT_SUPPORTED == B's handles",
	      (unsigned long long)r[3].forwarded);
	check(x->replace_errors == 0 && x->replaced > 0,
	      "%llu replacements, %llu failed", (unsigned long long)x->replaced,
	      (unsigned long long)x->replace_errors);
	check(x->default_errors == 0 && x->default_attached > 0,
	      "host-wide default attached %llu times, %llu failed",
	      (unsigned long long)x->default_attached, (unsigned long long)x->default_errors);
	check(x->replaced >= 2 && r[0].x0_eq_a && r[0].x0_eq_b && r[2].x0_eq_b,
	      "both policies and the default decided calls");
	for (i = 0; i < 3; i++) {
		struct loaded *l = i == 0 ? A : i == 1 ? B : D;

		check(!smccc_policy_read_dropped(smccc_policy_prog_obj(l->skel), dropped) &&
		      !dropped[SMCCC_POLICY_DROP_STATS],
		      "policy %s: no statistics dropped", i == 0 ? "A" : i == 1 ? "B" : "default");
	}
	printf("# smccc_load: %llu calls in all\n", (unsigned long long)total);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: smccc_load [--calls N] [--replace-ms MS] [--default-ms MS] [--help]\n"
		"\n"
		"  --calls N        calls in all, over the 4 vCPUs (default 2000000)\n"
		"  --replace-ms MS  replace the VM's policy every MS ms (default 10)\n"
		"  --default-ms MS  attach, then release, the host-wide default every MS ms\n"
		"                   (default 50)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "calls", required_argument, NULL, 'n' },
		{ "replace-ms", required_argument, NULL, 'r' },
		{ "default-ms", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct ctx x = { .replace_ms = 10, .default_ms = 50 };
	pthread_t vt[NR_VCPUS], rt, dt;
	struct vcpu_arg va[NR_VCPUS];
	uint64_t calls = 2000000;
	double t0;
	char *end;
	int opt, i, err;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		long long v;

		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == '?') {
			usage(stderr);
			return 2;
		}
		errno = 0;
		v = strtoll(optarg, &end, 10);
		if (errno || *end || v < 1) {
			fprintf(stderr, "smccc_load: bad number '%s' (see --help)\n", optarg);
			return 2;
		}
		if (opt == 'n')
			calls = v;
		else if (opt == 'r')
			x.replace_ms = v;
		else
			x.default_ms = v;
	}
	x.calls_per_vcpu = (calls + NR_VCPUS - 1) / NR_VCPUS;
	libbpf_set_print(NULL);

	x.vm = vmm_vm_create(NR_VCPUS);
	if (!x.vm || vmm_set_smccc_bpf_flags(x.vm, SMCCC_BPF_FLAG_EXITS) ||
	    vmm_vm_id(x.vm, &x.vm_id)) {
		check(false, "VM with %d vCPUs and policy exits", NR_VCPUS);
		goto out;
	}
	vmm_set_hypercall_handler(x.vm, fwd_handler, NULL);
	err = load(&x.a, "load-a", policy_a, x.vm_id, vmm_vm_fd(x.vm));
	if (!err)
		err = load(&x.b, "load-b", policy_b, x.vm_id, vmm_vm_fd(x.vm));
	if (!err)
		err = load(&x.dflt, "load-default", policy_default, 0, -1);
	if (!err) {
		x.link = smccc_policy_prog_attach(x.a.skel);
		err = x.link ? 0 : -errno;
	}
	check(!err, "policies A, B and the default loaded, A attached (%s)",
	      err ? strerror(-err) : "ok");
	if (err)
		goto out;

	printf("# smccc_load: %llu calls per vCPU, replace every %ld ms, default every %ld ms\n",
	       (unsigned long long)x.calls_per_vcpu, x.replace_ms, x.default_ms);
	t0 = now_s();
	pthread_create(&rt, NULL, replace_thread, &x);
	pthread_create(&dt, NULL, default_thread, &x);
	for (i = 0; i < NR_VCPUS; i++) {
		va[i] = (struct vcpu_arg){ &x, i };
		pthread_create(&vt[i], NULL, vcpu_thread, &va[i]);
	}
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(vt[i], NULL);
	atomic_store(&x.stop, true);
	pthread_join(rt, NULL);
	pthread_join(dt, NULL);
	printf("# smccc_load: %.1f s\n", now_s() - t0);
	verify(&x);
out:
	bpf_link__destroy(x.link);
	smccc_policy_prog_destroy(x.a.skel);
	smccc_policy_prog_destroy(x.b.skel);
	smccc_policy_prog_destroy(x.dflt.skel);
	smccc_compiled_free(&x.a.c);
	smccc_compiled_free(&x.b.c);
	smccc_compiled_free(&x.dflt.c);
	vmm_vm_destroy(x.vm);
	return check_summary();
}
