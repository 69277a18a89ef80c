// SPDX-License-Identifier: GPL-2.0
/*
 * guest_fuzz: the differential guest fuzzer (runs inside the test VM).
 *
 * For each of --policies random policies (selftests/fuzz/policy_gen.c,
 * seeded, reproducible) it creates a VM with the test VMM, attaches the
 * policy through the generic policy program, has the guest issue --calls
 * random calls (both conduits, every immediate, random x1..x17) and checks
 * every answer against the prediction of loader/policy_eval.c and the
 * kernel's ceiling (fuzz_oracle.c). Where the prediction is "what KVM
 * answers without a policy", the same call on the same vCPU id of a
 * second VM without a policy (the reference VM) gives it. At the end of
 * each policy the program's statistics must count exactly the calls it
 * decided, per function ID and action.
 *
 * A mismatch prints the seed, the policy's index and text and the call:
 * `guest_fuzz --seed S --first I --policies 1` replays that policy.
 * One "ok"/"not ok" line per policy, then "N passed, N failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "vmm.h"
#include "smccc_bpf.h"
#include "policy_compile.h"
#include "policy_maps.h"
#include "policy.skel.h"
#include "policy_gen.h"
#include "fuzz_oracle.h"

#define MAX_TEXT		POLICY_GEN_TEXT_MAX
#define MAX_REPORTS		5	/* mismatches printed per policy */
/* A batch that parks a vCPU for good (CPU_SUSPEND, CPU_OFF) ends on this alarm. */
#define BATCH_TIMEOUT_S		100
/* What the test VMM answers a forwarded call: recognisable, per call. */
#define FWD_MAGIC		0xf0d0000000000000ull

struct opts {
	uint64_t seed;
	uint64_t first;
	uint64_t policies;
	uint64_t calls;
	uint64_t total;		/* 0, or: policies until this many calls were issued */
	int vcpus;
	int max_rules;
	bool verbose;
};

struct totals {
	uint64_t calls, compared, skipped, mismatches, forwarded, policies_failed;
	uint64_t reference_calls, attempts;
	uint64_t attach_ns, calls_ns;	/* time spent loading and attaching, and calling */
};

/* One (function ID, action) statistic the program should have counted. */
struct tally {
	uint32_t func_id;
	uint8_t action;
	uint64_t calls;
};

struct run {
	const struct opts *o;
	uint64_t index;			/* policy index */
	char *text;
	struct smccc_compiled c;
	struct vmm_vm *vm;
	uint64_t vm_id;
	bool exits;
	struct policy_bpf *skel;
	struct bpf_link *link;
	struct fuzz_oracle oracle;
	struct tally *tally;
	uint32_t nr_tally;
	uint64_t reports;
	bool failed;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: guest_fuzz [--seed S] [--first I] [--policies N] [--calls M]\n"
		"                  [--total T] [--vcpus V] [--max-rules R] [--verbose] [--help]\n"
		"\n"
		"Random policies against random guest calls on real VMs, every answer\n"
		"checked against the reference evaluator. Policy I of seed S is the same\n"
		"on every run: --seed S --first I --policies 1 replays it.\n"
		"  --seed S       generator seed (default 1)\n"
		"  --first I      index of the first policy (default 0)\n"
		"  --policies N   policies to try (default 100)\n"
		"  --calls M      calls per policy (default 1000; a policy with a slow rate\n"
		"                 limit stops early, 5 s after attach, as its bucket refills)\n"
		"  --total T      policies (at most --policies) until T calls were issued\n"
		"  --vcpus V      vCPUs per VM (default 2)\n"
		"  --max-rules R  rules per policy at most (default 12)\n"
		"  --verbose      print each policy\n");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void on_alarm(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN */
}

/*
 * The test VMM's answer to a forwarded call, from what the kernel told it:
 * recognisable, and saying over which conduit the kernel said it came.
 */
static void fwd_answer(uint32_t func_id, uint32_t vcpu, bool smc, uint64_t ret[4])
{
	ret[0] = FWD_MAGIC | func_id;
	ret[1] = vcpu;
	ret[2] = ~(uint64_t)func_id;
	ret[3] = 0x5a5a5a5a5a5a5a5aull ^ smc;
}

static void fwd_handler(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			uint64_t ret[4], void *opaque)
{
	(void)vm;
	(void)opaque;
	fwd_answer((uint32_t)run->hypercall.nr, vcpu,
		   vmm_hypercall_flags(run) & KVM_HYPERCALL_EXIT_SMC, ret);
}

static void to_policy_call(const struct policy_gen_call *g, struct policy_call *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->func_id = g->func_id;
	pc->conduit = g->conduit;
	pc->vcpu_id = g->vcpu;
	memcpy(pc->args, g->args, sizeof(pc->args));
}

static void to_vmm_call(const struct policy_gen_call *g, struct vmm_call *vc)
{
	memset(vc, 0, sizeof(*vc));
	vc->conduit = g->conduit == SMCCC_BPF_CONDUIT_SMC ? VMM_SMC : VMM_HVC;
	vc->imm = g->imm;
	vc->func_id = g->func_id;
	memcpy(vc->args, g->args, sizeof(vc->args));
}

static const char *kind_name(enum fuzz_answer k)
{
	return k == FUZZ_REGS ? "regs" : k == FUZZ_FORWARD ? "forward" : "reference";
}

static void report(struct run *r, const struct policy_gen_call *g, const struct fuzz_expect *e,
		   const uint64_t want[4], const uint64_t got[4], const char *why)
{
	char desc[POLICY_GEN_CALL_DESC_MAX];

	r->failed = true;
	if (r->reports++ >= MAX_REPORTS)
		return;
	policy_gen_call_format(g, desc, sizeof(desc));
	printf("# MISMATCH seed %llu policy %llu (exits %s): %s\n"
	       "#   call: %s\n"
	       "#   want (%s, rule %u, decided %u, action %u%s): %#llx %#llx %#llx %#llx\n"
	       "#   got: %#llx %#llx %#llx %#llx\n",
	       (unsigned long long)r->o->seed, (unsigned long long)r->index,
	       r->exits ? "on" : "off", why, desc, kind_name(e->kind), e->d.rule,
	       e->d.decided, e->d.action, e->d.over_limit ? ", over limit" : "",
	       (unsigned long long)want[0], (unsigned long long)want[1],
	       (unsigned long long)want[2], (unsigned long long)want[3],
	       (unsigned long long)got[0], (unsigned long long)got[1],
	       (unsigned long long)got[2], (unsigned long long)got[3]);
	if (r->reports == 1)
		printf("#   policy:\n%s\n", r->text);
}


static void tally_add(struct run *r, uint32_t func_id, uint8_t action)
{
	uint32_t i;

	for (i = 0; i < r->nr_tally; i++) {
		if (r->tally[i].func_id == func_id && r->tally[i].action == action) {
			r->tally[i].calls++;
			return;
		}
	}
	r->tally[r->nr_tally++] = (struct tally){ func_id, action, 1 };
}

/* The program counted exactly what it decided (per function ID and action). */
static void check_stats(struct run *r)
{
	struct bpf_object *obj = smccc_policy_prog_obj(r->skel);
	uint64_t dropped[SMCCC_POLICY_NR_DROP], n;
	uint32_t i;

	for (i = 0; i < r->nr_tally; i++) {
		if (smccc_policy_read_stat(obj, r->vm_id, r->tally[i].func_id, r->tally[i].action,
					   &n) || n != r->tally[i].calls) {
			printf("# MISMATCH seed %llu policy %llu: stats of %#x action %u: %llu, want %llu\n",
			       (unsigned long long)r->o->seed, (unsigned long long)r->index,
			       r->tally[i].func_id, r->tally[i].action, (unsigned long long)n,
			       (unsigned long long)r->tally[i].calls);
			r->failed = true;
			return;
		}
	}
	if (!smccc_policy_read_dropped(obj, dropped) && dropped[SMCCC_POLICY_DROP_STATS]) {
		printf("# MISMATCH seed %llu policy %llu: %llu statistics dropped\n",
		       (unsigned long long)r->o->seed, (unsigned long long)r->index,
		       (unsigned long long)dropped[SMCCC_POLICY_DROP_STATS]);
		r->failed = true;
		r->reports++;
	}
}

/*
 * The earliest a bucket that can empty within `calls` calls gets a token
 * back, after attach; 0: none can. (A bucket too big to empty refills
 * unseen.)
 */
static uint64_t first_refill_ns(const struct smccc_compiled *c, uint64_t calls)
{
	uint64_t min = 0, cost;
	uint32_t i;

	for (i = 0; i < c->nr_rules; i++) {
		if (!(c->rules[i].flags & SMCCC_POLICY_F_RATE) || c->rules[i].burst > calls)
			continue;
		cost = policy_token_cost(&c->rules[i]);
		if (!min || cost < min)
			min = cost;
	}
	return min;
}

static int attach(struct run *r)
{
	uint32_t flags = r->exits ? SMCCC_BPF_FLAG_EXITS : 0;
	int err;

	r->vm = vmm_vm_create(r->o->vcpus);
	if (!r->vm)
		return -errno;
	vmm_set_hypercall_handler(r->vm, fwd_handler, NULL);
	vmm_set_eintr_fails(r->vm, true);
	err = vmm_set_smccc_bpf_flags(r->vm, flags);
	if (!err)
		err = vmm_vm_id(r->vm, &r->vm_id);
	if (err) {
		fprintf(stderr, "guest_fuzz: VM setup: %s\n", strerror(-err));
		return err;
	}
	r->skel = smccc_policy_prog_open(&r->c, r->vm_id);
	if (!r->skel)
		return -errno;
	r->skel->struct_ops.smccc_policy->vm_fd = vmm_vm_fd(r->vm);
	err = smccc_policy_prog_load_opened(r->skel, &r->c);
	if (err) {
		r->skel = NULL;	/* destroyed by load_opened */
		return err;
	}
	r->link = smccc_policy_prog_attach(r->skel);
	if (!r->link)
		return -errno;
	return 0;
}

static void detach(struct run *r)
{
	bpf_link__destroy(r->link);
	r->link = NULL;
	smccc_policy_prog_destroy(r->skel);
	r->skel = NULL;
	vmm_vm_destroy(r->vm);
	r->vm = NULL;
}

/* One call on a VM, interrupted if it parks the vCPU for good. */
static bool regs_eq(const uint64_t a[4], const uint64_t b[4])
{
	return !memcmp(a, b, 4 * sizeof(*a));
}

/* Calls predicted and waiting to be issued, all on one vCPU. */
struct batch {
	unsigned int n, nr_ref;
	struct policy_gen_call g[VMM_BATCH_MAX];
	struct fuzz_expect e[VMM_BATCH_MAX];
	struct vmm_call vc[VMM_BATCH_MAX];
	struct vmm_call ref_vc[VMM_BATCH_MAX];
	unsigned int ref_of[VMM_BATCH_MAX];	/* index in ref_vc of call i's reference */
	uint64_t out[VMM_BATCH_MAX][4], ref_out[VMM_BATCH_MAX][4];
};

static void batch_add(struct batch *b, const struct policy_gen_call *g,
		      const struct fuzz_expect *e)
{
	unsigned int i = b->n++;

	b->g[i] = *g;
	b->e[i] = *e;
	to_vmm_call(g, &b->vc[i]);
	if (e->kind == FUZZ_REFERENCE) {
		b->ref_of[i] = b->nr_ref;
		b->ref_vc[b->nr_ref++] = b->vc[i];
	}
}

/* One answer against its prediction. */
static void compare(struct run *r, struct batch *b, unsigned int i, struct totals *t)
{
	const struct policy_gen_call *g = &b->g[i];
	const struct fuzz_expect *e = &b->e[i];
	const uint64_t *got = b->out[i];
	struct policy_call pc;
	uint64_t want[4], fwd[4];

	to_policy_call(g, &pc);
	fwd_answer(g->func_id, g->vcpu, g->conduit == SMCCC_BPF_CONDUIT_SMC, fwd);
	if (e->kind == FUZZ_REFERENCE)
		fuzz_oracle_adjust(&r->oracle, &pc, e, b->ref_out[b->ref_of[i]], want);
	else if (e->kind == FUZZ_FORWARD)
		memcpy(want, fwd, sizeof(want));
	else
		memcpy(want, e->x, sizeof(want));

	t->compared++;
	if (e->reached)
		tally_add(r, g->func_id, e->d.action);
	if (e->kind == FUZZ_FORWARD) {
		t->forwarded++;
		if (!regs_eq(got, want))
			report(r, g, e, want, got, "expected an exit to the VMM (x0 = 0xf0d0... | ID)");
		return;
	}
	if ((got[0] & ~0xffffffffull) == FWD_MAGIC) {
		report(r, g, e, want, got, "unexpected exit to the VMM");
		return;
	}
	if (e->kind == FUZZ_REFERENCE && policy_gen_call_is_nondeterministic(g->func_id)) {
		/* Entropy, counters: only whether KVM answered may be compared. */
		if (fuzz_oracle_absent(got[0]) != fuzz_oracle_absent(want[0]))
			report(r, g, e, want, got, "KVM's answer differs in kind");
		return;
	}
	if (!regs_eq(got, want))
		report(r, g, e, want, got, "different answer");
}

/*
 * Issues the batch: the references on the reference VM, then the calls on
 * the policy's VM, and compares. False if a VM can no longer be used.
 */
static bool batch_flush(struct run *r, struct vmm_vm *ref, int vcpu, struct batch *b,
			struct totals *t)
{
	static const uint64_t none[4];
	unsigned int i, done = 0;
	uint64_t fwd = 0;
	int err;

	if (!b->n)
		return true;
	if (b->nr_ref) {
		err = vmm_batch(ref, vcpu, b->ref_vc, b->nr_ref, b->ref_out, &done, &fwd);
		t->reference_calls += b->nr_ref;
		if (err || fwd) {
			printf("# guest_fuzz: reference VM: call %u of %u failed (%s)\n", done,
			       b->nr_ref, err ? strerror(-err) : "forwarded");
			r->failed = true;
			return false;
		}
	}
	alarm(BATCH_TIMEOUT_S);
	err = vmm_batch(r->vm, vcpu, b->vc, b->n, b->out, &done, &fwd);
	alarm(0);
	t->calls += err ? done + 1 : b->n;
	if (err) {
		report(r, &b->g[done < b->n ? done : 0], &b->e[done < b->n ? done : 0], none, none,
		       "the call failed (vCPU stopped, or an unexpected exit)");
		return false;
	}
	for (i = 0; i < b->n; i++)
		compare(r, b, i, t);
	b->n = b->nr_ref = 0;
	return true;
}


static void run_policy(const struct opts *o, uint64_t index, struct vmm_vm *ref,
		       struct totals *t)
{
	struct policy_gen_pool pool;
	struct policy_gen_opts go = {
		.max_rules = (unsigned int)o->max_rules,
		.nr_vcpus = (unsigned int)o->vcpus,
		.pool = &pool,
	};
	struct policy_gen_rng rng;
	struct policy_gen_call g;
	struct run r = { .o = o, .index = index };
	uint64_t start, refill, j, issued = t->calls;
	unsigned int attempts = 0;
	struct batch *b = calloc(1, sizeof(*b));
	int err, vcpu = 0;

	policy_gen_seed(&rng, o->seed, index);
	r.text = malloc(MAX_TEXT);
	r.tally = calloc(o->calls ? o->calls : 1, sizeof(*r.tally));
	if (!r.text || !r.tally || !b) {
		printf("not ok %llu - policy %llu: out of memory\n",
		       (unsigned long long)index + 1, (unsigned long long)index);
		t->policies_failed++;
		goto out;
	}
	if (policy_gen_compiled(&rng, &go, r.text, MAX_TEXT, &r.c, &attempts)) {
		printf("not ok %llu - policy %llu: the generator made nothing that compiles\n",
		       (unsigned long long)index + 1, (unsigned long long)index);
		t->policies_failed++;
		goto out;
	}
	t->attempts += attempts;
	r.exits = policy_gen_next(&rng) & 1;
	if (o->verbose)
		printf("# policy %llu (exits %s):\n%s\n", (unsigned long long)index,
		       r.exits ? "on" : "off", r.text);
	start = now_ns();
	err = attach(&r);
	t->attach_ns += now_ns() - start;
	if (err || fuzz_oracle_init(&r.oracle, &r.c, r.exits)) {
		printf("not ok %llu - policy %llu: attach: %s\n", (unsigned long long)index + 1,
		       (unsigned long long)index, strerror(err ? -err : ENOMEM));
		t->policies_failed++;
		goto out;
	}

	start = now_ns();
	refill = first_refill_ns(&r.c, o->calls);
	for (j = 0; j < o->calls; j++) {
		struct fuzz_expect e;
		struct policy_call pc;
		bool destructive;

		/* Past a slow bucket's first refill the oracle's counts are off. */
		if (refill && now_ns() - start >= refill / 2)
			break;
		policy_gen_call(&rng, &pool, &g);
		/* A batch runs on one vCPU; the batches take turns. */
		g.vcpu = vcpu;
		to_policy_call(&g, &pc);
		/*
		 * A call KVM itself would carry out that stops the vCPU or the
		 * VM is not issued at all (peek first: the oracle takes no
		 * token for it); one the policy answers goes alone, so a
		 * wrong prediction stops only itself.
		 */
		destructive = policy_gen_call_is_destructive(g.func_id);
		if (destructive) {
			if (fuzz_oracle_peek(&r.oracle, &pc, g.imm, &e))
				break;
			if (e.kind == FUZZ_REFERENCE) {
				t->skipped++;
				continue;
			}
			if (!batch_flush(&r, ref, vcpu, b, t))
				break;
		}
		if (fuzz_oracle_call(&r.oracle, &pc, g.imm, &e))
			break;
		batch_add(b, &g, &e);
		if (destructive || b->n == VMM_BATCH_MAX) {
			if (!batch_flush(&r, ref, vcpu, b, t))
				break;
			vcpu = (vcpu + 1) % o->vcpus;
		}
	}
	if (j == o->calls)
		batch_flush(&r, ref, vcpu, b, t);
	t->calls_ns += now_ns() - start;
	check_stats(&r);
	if (r.failed) {
		t->mismatches += r.reports;
		t->policies_failed++;
		printf("not ok %llu - policy %llu: %llu mismatches\n", (unsigned long long)index + 1,
		       (unsigned long long)index, (unsigned long long)r.reports);
	} else {
		printf("ok %llu - policy %llu: %llu calls, %u rules\n",
		       (unsigned long long)index + 1, (unsigned long long)index,
		       (unsigned long long)(t->calls - issued), r.c.nr_rules);
	}
out:
	fuzz_oracle_free(&r.oracle);
	detach(&r);
	smccc_compiled_free(&r.c);
	free(r.tally);
	free(r.text);
	free(b);
	fflush(stdout);
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "first", required_argument, NULL, 'f' },
		{ "policies", required_argument, NULL, 'p' },
		{ "calls", required_argument, NULL, 'c' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "max-rules", required_argument, NULL, 'r' },
		{ "total", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .seed = 1, .policies = 100, .calls = 1000, .vcpus = 2, .max_rules = 12 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct totals t = {};
	struct vmm_vm *ref;
	uint64_t v, i, t0;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': case 'f': case 'p': case 'c': case 'v': case 'r': case 't':
			if (parse_u64(optarg, &v) ||
			    ((opt == 'v' || opt == 'r') && (v < 1 || v > 64))) {
				fprintf(stderr, "guest_fuzz: bad value '%s' for --%s (see --help)\n",
					optarg, longopts[opt == 's' ? 0 : opt == 'f' ? 1 :
							 opt == 'p' ? 2 : opt == 'c' ? 3 :
							 opt == 'v' ? 4 : opt == 'r' ? 5 : 6].name);
				return 2;
			}
			if (opt == 's')
				o.seed = v;
			else if (opt == 'f')
				o.first = v;
			else if (opt == 'p')
				o.policies = v;
			else if (opt == 'c')
				o.calls = v;
			else if (opt == 'v')
				o.vcpus = (int)v;
			else if (opt == 't')
				o.total = v;
			else
				o.max_rules = (int)v;
			break;
		case 'V':
			o.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "guest_fuzz: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	/* No SA_RESTART: the alarm must end a KVM_RUN that parked the vCPU. */
	sigaction(SIGALRM, &sa, NULL);
	libbpf_set_print(NULL);

	ref = vmm_vm_create(o.vcpus);
	if (!ref) {
		printf("not ok 1 - reference VM: %s\n0 passed, 1 failed\n", strerror(errno));
		return 1;
	}
	printf("# guest_fuzz: seed %llu, policies %llu..%llu, %llu calls each, %d vCPUs\n",
	       (unsigned long long)o.seed, (unsigned long long)o.first,
	       (unsigned long long)(o.first + o.policies - 1), (unsigned long long)o.calls,
	       o.vcpus);
	t0 = now_ns();
	/* With --total, slow machines run more policies rather than fewer calls. */
	for (i = 0; i < o.policies && (!o.total || t.calls < o.total); i++)
		run_policy(&o, o.first + i, ref, &t);
	o.policies = i;
	vmm_vm_destroy(ref);

	printf("# guest_fuzz: %llu calls issued (%llu compared, %llu forwarded, %llu on the "
	       "reference VM), %llu not issued (destructive if KVM handles them), "
	       "%llu mismatches, %.1f generator attempts per policy, %.1f s (%.1f s loading and "
	       "attaching, %.1f s calling)\n",
	       (unsigned long long)t.calls, (unsigned long long)t.compared,
	       (unsigned long long)t.forwarded, (unsigned long long)t.reference_calls,
	       (unsigned long long)t.skipped, (unsigned long long)t.mismatches,
	       o.policies ? (double)t.attempts / o.policies : 0.0,
	       (now_ns() - t0) / 1e9, t.attach_ns / 1e9, t.calls_ns / 1e9);
	printf("%llu passed, %llu failed\n", (unsigned long long)(o.policies - t.policies_failed),
	       (unsigned long long)t.policies_failed);
	return t.policies_failed ? 1 : 0;
}
