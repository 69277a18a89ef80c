// SPDX-License-Identifier: GPL-2.0
/*
 * smccc_churn: VMs that come and go with policies attached (runs inside
 * the test VM). Each cycle creates a VM, attaches the test policy
 * (selftests/e2e/progs/test_policy.bpf.c, deny everything) through its
 * VM fd, has the guest make 100 calls that the policy must deny, and tears
 * it all down in one of four orders, in turn:
 *
 *   pinned    the link pinned in bpffs, the VM destroyed under it, then
 *             the pin and the objects released
 *   link      the link released first, then the policy, then the VM
 *   replace   a thread replaces the policy (BPF_LINK_UPDATE, back and
 *             forth between two) while the VM is destroyed
 *   sigkill   a child process is the VMM: it attaches and loops calls
 *             until the parent kills it with SIGKILL mid-call
 *
 * Afterwards the BPF programs, maps and links (the IDs bpftool lists) and
 * KVM's VMs (its debugfs directories) must be back to what they were; on
 * a kernel with kmemleak, a scan must find no leak. The booted run fails
 * on any kernel splat besides. "ok"/"not ok" lines, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vmm.h"
#include "smccc_bpf.h"
#include "stress_util.h"
#include "policy.h"

#define CALLS		100
/* PSCI_VERSION: KVM answers 1.1, the deny-all policy NOT_SUPPORTED. */
#define CALL_ID		0x84000000u
#define PIN		"/sys/fs/bpf/smccc-churn-link"
#define NS		SMCCC_BPF_RET_NOT_SUPPORTED

enum order { PINNED, LINK_FIRST, REPLACE, SIGKILL_VMM, NR_ORDERS };
static const char *const order_name[NR_ORDERS] = { "pinned", "link", "replace", "sigkill" };

struct counts {
	int progs, maps, links, vms;
};

static unsigned long cycles_failed[NR_ORDERS], cycles_done[NR_ORDERS];
static char first_failure[256];

static void cycle_fail(enum order o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cycle_fail(enum order o, const char *fmt, ...)
{
	va_list ap;

	if (!cycles_failed[0] && !cycles_failed[1] && !cycles_failed[2] && !cycles_failed[3]) {
		va_start(ap, fmt);
		vsnprintf(first_failure, sizeof(first_failure), fmt, ap);
		va_end(ap);
	}
	cycles_failed[o]++;
}

/* KVM's VMs: one debugfs directory "<pid>-<fd>" each. */
static int count_vms(void)
{
	DIR *d = opendir("/sys/kernel/debug/kvm");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_type == DT_DIR && strchr(e->d_name, '-'))
			n++;
	closedir(d);
	return n;
}

static void read_counts(struct counts *c)
{
	c->progs = bpf_prog_count();
	c->maps = bpf_map_count();
	c->links = bpf_link_count();
	c->vms = count_vms();
}

static bool counts_eq(const struct counts *a, const struct counts *b)
{
	return a->progs == b->progs && a->maps == b->maps && a->links == b->links &&
	       a->vms == b->vms;
}

/* A VM and its deny-all policy attached through the VM's fd. */
static struct policy *vm_with_policy(struct vmm_vm **vm, uint64_t *vm_id)
{
	struct policy *p;

	*vm = vmm_vm_create(1);
	if (!*vm || vmm_vm_id(*vm, vm_id))
		return NULL;
	p = policy_load_fd(vmm_vm_fd(*vm), *vm_id, SMCCC_BPF_ACT_DENY);
	if (p && policy_attach(p)) {
		policy_free(p);
		return NULL;
	}
	return p;
}

/* The guest's calls, all denied by the policy. */
static bool calls_denied(struct vmm_vm *vm, uint64_t count)
{
	struct vmm_call call = { .conduit = VMM_HVC, .func_id = CALL_ID };
	struct vmm_loop_result r;

	return !vmm_loop(vm, 0, &call, count, NS, 0, &r) && r.x0_eq_a == count;
}

struct replacer {
	struct policy *a, *b;
	atomic_bool stop;
	unsigned long replaced, enolink;
};

static void *replace_thread(void *arg)
{
	struct replacer *x = arg;
	bool to_b = true;

	while (!atomic_load(&x->stop)) {
		/* After the VM died the link is detached: ENOLINK, which is right. */
		int err = bpf_link__update_map(x->a->link, to_b ? x->b->skel->maps.test_policy :
							     x->a->skel->maps.test_policy);

		if (err == -ENOLINK)
			x->enolink++;
		else if (!err)
			x->replaced++;
		to_b = !to_b;
	}
	return NULL;
}

static void cycle_in_process(enum order o, unsigned long i)
{
	struct replacer x = { 0 };
	struct vmm_vm *vm = NULL;
	struct policy *p, *q = NULL;
	pthread_t t;
	uint64_t id;

	p = vm_with_policy(&vm, &id);
	if (!p) {
		cycle_fail(o, "cycle %lu (%s): VM or attach: %s", i, order_name[o], strerror(errno));
		vmm_vm_destroy(vm);
		return;
	}
	if (!calls_denied(vm, CALLS))
		cycle_fail(o, "cycle %lu (%s): the policy did not deny %d calls", i,
			   order_name[o], CALLS);

	switch (o) {
	case PINNED:
		if (bpf_link__pin(p->link, PIN)) {
			cycle_fail(o, "cycle %lu: pin: %s", i, strerror(errno));
			break;
		}
		vmm_vm_destroy(vm);
		vm = NULL;
		/* The detached link: an update fails with ENOLINK. */
		if (bpf_link__update_map(p->link, p->skel->maps.test_policy) != -ENOLINK)
			cycle_fail(o, "cycle %lu: the link of a destroyed VM still updates", i);
		bpf_link__unpin(p->link);
		break;
	case LINK_FIRST:
		bpf_link__destroy(p->link);
		p->link = NULL;
		if (calls_denied(vm, 1))
			cycle_fail(o, "cycle %lu: a released link still decides", i);
		break;
	case REPLACE:
		q = policy_load_fd(vmm_vm_fd(vm), id, SMCCC_BPF_ACT_DENY);
		if (!q) {
			cycle_fail(o, "cycle %lu: second policy: %s", i, strerror(errno));
			break;
		}
		x.a = p;
		x.b = q;
		pthread_create(&t, NULL, replace_thread, &x);
		vmm_vm_destroy(vm);
		vm = NULL;
		/* Until it runs into the detached link (or 5 s: a failure). */
		for (int n = 0; !x.enolink && n < 5000; n++)
			usleep(1000);
		atomic_store(&x.stop, true);
		pthread_join(t, NULL);
		if (!x.enolink)
			cycle_fail(o, "cycle %lu: replacing never saw the VM's link detached", i);
		break;
	default:
		break;
	}
	policy_free(p);
	policy_free(q);
	vmm_vm_destroy(vm);
	cycles_done[o]++;
}

/* The VMM is a child killed by SIGKILL while its vCPU loops calls. */
static void cycle_sigkill(unsigned long i, unsigned int delay_us)
{
	int fds[2], status;
	char ok = 0;
	pid_t pid;

	if (pipe(fds)) {
		cycle_fail(SIGKILL_VMM, "cycle %lu: pipe: %s", i, strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct vmm_vm *vm;
		uint64_t id;

		close(fds[0]);
		if (vm_with_policy(&vm, &id) && calls_denied(vm, CALLS)) {
			ok = 1;
			if (write(fds[1], &ok, 1) != 1)
				_exit(1);
			for (;;)
				calls_denied(vm, 1000000);
		}
		_exit(1);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &ok, 1) != 1 || !ok) {
		cycle_fail(SIGKILL_VMM, "cycle %lu: the child VMM did not attach", i);
	} else {
		usleep(delay_us);
		kill(pid, SIGKILL);
	}
	close(fds[0]);
	if (pid > 0) {
		waitpid(pid, &status, 0);
		if (ok && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
			cycle_fail(SIGKILL_VMM, "cycle %lu: the child VMM ended by itself", i);
	}
	cycles_done[SIGKILL_VMM]++;
}

/* Objects are freed after RCU grace periods and in workqueues: wait for them. */
static bool settle(const struct counts *want, struct counts *now)
{
	int tries;

	for (tries = 0; tries < 300; tries++) {
		read_counts(now);
		if (counts_eq(want, now))
			return true;
		usleep(100000);
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cycles", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct counts before, after;
	unsigned long cycles = 1000, i;
	struct timespec t0, t1;
	char leak[256];
	int opt, leaks;
	char *end;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'n') {
			errno = 0;
			cycles = strtoul(optarg, &end, 10);
			if (errno || *end || !cycles) {
				fprintf(stderr, "smccc_churn: bad --cycles '%s' (see --help)\n", optarg);
				return 2;
			}
		} else {
			printf("Usage: smccc_churn [--cycles N] [--help]\n\n"
			       "N cycles (default 1000) of VM, policy, 100 calls, teardown in four\n"
			       "orders in turn; then BPF and KVM objects back to where they were,\n"
			       "and no kmemleak report.\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	libbpf_set_print(NULL);
	unlink(PIN);
	kmemleak_clear();
	read_counts(&before);
	printf("# smccc_churn: %lu cycles; before: %d progs, %d maps, %d links, %d VMs\n", cycles,
	       before.progs, before.maps, before.links, before.vms);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cycles; i++) {
		enum order o = i % NR_ORDERS;

		if (o == SIGKILL_VMM)
			cycle_sigkill(i, (unsigned int)(i * 7919 % 20000));
		else
			cycle_in_process(o, i);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# smccc_churn: %.1f s\n", t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	for (i = 0; i < NR_ORDERS; i++)
		check(!cycles_failed[i] && cycles_done[i] == (cycles + NR_ORDERS - 1 - i) / NR_ORDERS,
		      "%lu cycles torn down in order '%s', %lu failed%s%s", cycles_done[i],
		      order_name[i], cycles_failed[i], cycles_failed[i] ? ": " : "",
		      cycles_failed[i] ? first_failure : "");
	check(settle(&before, &after),
	      "BPF programs %d -> %d, maps %d -> %d, links %d -> %d, KVM VMs %d -> %d",
	      before.progs, after.progs, before.maps, after.maps, before.links, after.links,
	      before.vms, after.vms);
	check(access(PIN, F_OK) != 0, "no pin left behind");
	if (!kmemleak_present()) {
		check_skip("kmemleak", "this kernel has no kmemleak");
	} else {
		leaks = kmemleak_leaks(leak, sizeof(leak));
		check(leaks == 0, "kmemleak: %d leaks%s%s", leaks, leaks > 0 ? ": " : "",
		      leaks > 0 ? leak : "");
	}
	return check_summary();
}
