// SPDX-License-Identifier: GPL-2.0
/*
 * smccc_faults: every allocation of VM creation, attach and replace made
 * to fail in turn, with fail-nth (runs inside the test VM, on a kernel
 * with CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB; skipped elsewhere).
 *
 * For one operation, N = 1, 2, ...: /proc/thread-self/fail-nth = N makes
 * the N-th fault site this thread reaches fail; the operation runs; if
 * fail-nth reads back 0 a fault was injected there, and the operation
 * must have failed cleanly (an errno, no crash), with what was there
 * before still deciding: the VM's previous policy for a replace, KVM
 * itself for a failed attach. Then the next N, until the operation runs
 * through without reaching its N-th site. Afterwards the BPF objects and
 * VMs are back to where they were (and, with kmemleak, smccc_churn's scan
 * runs after this in the booted run).
 *
 *   vm       KVM_CREATE_VM, vCPUs, memory (vmm_vm_create())
 *   attach   the policy's struct_ops map update and BPF_LINK_CREATE
 *   replace  BPF_LINK_UPDATE from policy A (deny) to policy B (return 0x7)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vmm.h"
#include "smccc_bpf.h"
#include "stress_util.h"
#include "policy.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAILSLAB_WAIT	"/sys/kernel/debug/failslab/ignore-gfp-wait"
#define FAILSLAB_VERBOSE	"/sys/kernel/debug/failslab/verbose"
#define CALL_ID		0x84000000u	/* PSCI_VERSION: KVM 1.1, a deny-all policy NOT_SUPPORTED */
/* Replace: A denies it, B returns 7 (not a discovery call, which KVM would answer). */
#define SIP_ID		0x82000001u
/* scripts/console-splats.sh expects allocation-failure reports between these. */
#define MARK_ON		"smccc-bpf: fault injection on\n"
#define MARK_OFF	"smccc-bpf: fault injection off\n"
#define PSCI_1_1	0x10001ull
#define NS		SMCCC_BPF_RET_NOT_SUPPORTED
#define MAX_N		2000		/* more fault sites than any of these operations has */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Arms the N-th fault site of this thread (0 disarms). */
static int arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* Whether the armed fault was injected (fail-nth reads 0), and disarms. */
static bool injected(int fd)
{
	char buf[16] = "";
	bool hit;

	hit = pread(fd, buf, sizeof(buf) - 1, 0) > 0 && atoi(buf) == 0;
	arm(fd, 0);
	return hit;
}

static uint64_t x0_id(struct vmm_vm *vm, uint32_t func_id)
{
	struct vmm_call call = { .conduit = VMM_HVC, .func_id = func_id };
	struct vmm_result res;

	return vmm_call(vm, 0, &call, &res) ? 0xdeadull : res.x[0];
}

static uint64_t x0_of(struct vmm_vm *vm)
{
	return x0_id(vm, CALL_ID);
}

static int objects(void)
{
	return bpf_prog_count() + bpf_map_count() +
	       bpf_link_count();
}

struct tally {
	unsigned int faults, clean, bad;
	char why[200];
};

static void bad(struct tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bad(struct tally *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->bad++) {
		va_start(ap, fmt);
		vsnprintf(t->why, sizeof(t->why), fmt, ap);
		va_end(ap);
	}
}

static void fault_vm_create(int fd, struct tally *t)
{
	struct vmm_vm *vm;
	unsigned int n;

	for (n = 1; n < MAX_N; n++) {
		arm(fd, n);
		vm = vmm_vm_create(1);
		if (!injected(fd)) {
			if (!vm || x0_of(vm) != PSCI_1_1)
				bad(t, "n=%u: without a fault the VM does not work", n);
			vmm_vm_destroy(vm);
			return;
		}
		t->faults++;
		/* A fault may be absorbed (a retry, a fallback): then the VM must work. */
		if (!vm)
			t->clean++;
		else if (x0_of(vm) != PSCI_1_1)
			bad(t, "n=%u: a VM created through a fault answers wrong", n);
		vmm_vm_destroy(vm);
	}
	bad(t, "more than %d fault sites", MAX_N);
}

static void fault_attach(int fd, struct vmm_vm *vm, uint64_t id, struct tally *t)
{
	struct policy *p;
	unsigned int n;
	int err;

	for (n = 1; n < MAX_N; n++) {
		p = policy_load_fd(vmm_vm_fd(vm), id, SMCCC_BPF_ACT_DENY);
		if (!p) {
			bad(t, "n=%u: load without a fault: %s", n, strerror(errno));
			return;
		}
		arm(fd, n);
		err = policy_attach(p);
		if (!injected(fd)) {
			if (err || x0_of(vm) != NS)
				bad(t, "n=%u: attach without a fault: %s", n, strerror(-err));
			policy_free(p);
			return;
		}
		t->faults++;
		if (err) {
			t->clean++;
			/* Not attached: KVM answers, and a later attach works. */
			if (x0_of(vm) != PSCI_1_1)
				bad(t, "n=%u: a failed attach (%s) decides calls", n, strerror(-err));
		} else if (x0_of(vm) != NS) {
			bad(t, "n=%u: an attach through a fault does not decide", n);
		}
		policy_free(p);
		if (x0_of(vm) != PSCI_1_1)
			bad(t, "n=%u: the policy still decides after its link is gone", n);
	}
	bad(t, "more than %d fault sites", MAX_N);
}

static void fault_replace(int fd, struct vmm_vm *vm, uint64_t id, struct tally *t)
{
	static const uint64_t seven[4] = { 7, 0, 0, 0 };
	struct policy *a, *b;
	unsigned int n;
	uint64_t x0;
	int err;

	a = policy_load_fd(vmm_vm_fd(vm), id, SMCCC_BPF_ACT_DENY);
	b = policy_load_fd(vmm_vm_fd(vm), id, SMCCC_BPF_ACT_RETURN);
	if (!a || !b || policy_attach(a) || policy_rule(b, SIP_ID, SMCCC_BPF_ACT_RETURN, seven)) {
		bad(t, "policies A and B: %s", strerror(errno));
		goto out;
	}
	for (n = 1; n < MAX_N; n++) {
		arm(fd, n);
		err = policy_replace(a, b);
		if (!injected(fd)) {
			x0 = x0_id(vm, SIP_ID);
			if (err || x0 != 7)
				bad(t, "n=%u: replace without a fault: %s, x0 %#llx", n,
				    strerror(-err), (unsigned long long)x0);
			goto out;
		}
		t->faults++;
		x0 = x0_id(vm, SIP_ID);
		if (err) {
			t->clean++;
			if (x0 != NS)
				bad(t, "n=%u: after a failed replace (%s) x0 %#llx, not A's", n,
				    strerror(-err), (unsigned long long)x0);
		} else {
			if (x0 != 7)
				bad(t, "n=%u: a replace through a fault: x0 %#llx, not B's", n,
				    (unsigned long long)x0);
			/* Back to A for the next N. */
			if (policy_replace(a, a))
				bad(t, "n=%u: replacing back to A", n);
		}
	}
	bad(t, "more than %d fault sites", MAX_N);
out:
	policy_free(b);
	policy_free(a);
}

static void report(const char *what, const struct tally *t)
{
	check(!t->bad && t->faults > 0,
	      "%s: %u faults injected, %u failed cleanly, the rest absorbed%s%s", what, t->faults,
	      t->clean, t->bad ? "; " : "", t->bad ? t->why : "");
}

int main(void)
{
	struct tally tv = { 0 }, ta = { 0 }, tr = { 0 };
	struct vmm_vm *vm;
	int fd, before;
	uint64_t id;

	libbpf_set_print(NULL);
	fd = open(FAIL_NTH, O_RDWR);
	if (fd < 0 || write_str(FAILSLAB_WAIT, "N")) {
		check_skip("fault injection", "no fail-nth/failslab on this kernel");
		return check_summary();
	}
	/* Quiet: a stack dump per injected fault would bury the console. */
	write_str(FAILSLAB_VERBOSE, "0");
	kmemleak_clear();
	write_str("/dev/kmsg", MARK_ON);
	before = objects();
	fault_vm_create(fd, &tv);
	report("VM creation", &tv);

	vm = vmm_vm_create(1);
	if (!vm || vmm_vm_id(vm, &id) || vmm_set_smccc_bpf_flags(vm, 0)) {
		check(false, "a VM for the policy faults");
	} else {
		/* The vCPU has run (and the VM is not new) before the faults. */
		check(x0_of(vm) == PSCI_1_1, "the VM answers PSCI 1.1 without a policy");
		fault_attach(fd, vm, id, &ta);
		report("attach", &ta);
		fault_replace(fd, vm, id, &tr);
		report("replace", &tr);
	}
	vmm_vm_destroy(vm);
	write_str("/dev/kmsg", MARK_OFF);
	check(objects() == before || (usleep(3000000), objects() == before),
	      "BPF programs, maps and links back to %d", before);
	if (kmemleak_present()) {
		char leak[256];
		int leaks = kmemleak_leaks(leak, sizeof(leak));

		check(leaks == 0, "kmemleak: %d leaks%s%s", leaks, leaks > 0 ? ": " : "",
		      leaks > 0 ? leak : "");
	}
	return check_summary();
}
