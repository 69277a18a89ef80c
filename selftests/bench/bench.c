// SPDX-License-Identifier: GPL-2.0
/*
 * smccc_bench: the in-guest round trip of an SMCCC call that KVM handles,
 * in four configurations side by side (run inside the booted test VM):
 *
 *   none    no policy anywhere: the static key is off, the hook is a
 *           patched-out branch (upstream KVM cost)
 *   policy  the trivial policy (selftests/e2e/progs/handle_all.bpf.c:
 *           HANDLE everything, counting calls) attached to the VM
 *   filter  no policy, but the upstream SMCCC filter configured on the VM
 *           so that its maple-tree lookup runs for every call and says
 *           HANDLE: an explicit HANDLE range over the PSCI 32-bit ids
 *           (0x84000000..0x8400001f). Configuring any range also inserts
 *           KVM's reserved HANDLE ranges for the architecture calls, so
 *           SMCCC_VERSION is looked up and found too.
 *   rules   a generic policy of many rules (-p FILE, make bench: 1,000,
 *           selftests/bench/policies/gen-rules.sh) compiled by the policy
 *           library and loaded into the generic policy program
 *           (bpf/policy.bpf.c), attached to the VM: its rules do not match
 *           the measured calls but one, "handle function psci.version";
 *           SMCCC_VERSION is an Arm Architecture Call, which the program
 *           counts as HANDLE before any lookup. The program counts every
 *           call in its per-CPU statistics map: part of what it costs.
 *
 * The "none", "policy" and "rules" figures come from the same VM; the
 * filter needs its own VM (a filter can only be set before the first
 * KVM_RUN and never removed). Each policy is attached only for its own
 * rounds, so the static key is off while "none" and "filter" are measured.
 *
 * Each sample is vmm_loop(): N identical calls in a tight in-guest loop,
 * timed by the guest with CNTVCT_EL0, after a warm-up loop (TCG translates
 * code again after the static key patches kernel text). Rounds are
 * interleaved none, policy, filter, rules, none, ... to cancel drift; the
 * report is the median over rounds of ns per call and the ratios of the
 * medians.
 *
 * Every loop is checked: all N calls made, all returned the value KVM
 * returns without a policy, none forwarded, and each policy saw exactly the
 * calls of its own rounds (the trivial one counts them; the generic one's
 * statistics must hold them all as HANDLE, with nothing dropped). A broken
 * measurement exits 1; a missed target does not (a benchmark reports,
 * tests assert).
 *
 * Usage: smccc_bench [-n CALLS] [-r ROUNDS] [-w WARMUP] [-m LABEL] [-t TARGET]
 *                    [-p POLICY]
 * Output: a table, verdict lines, and one line "SMCCC-BENCH-JSON: {...}".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "smccc_bpf.h"
#include "vmm.h"
#include "handle_all.skel.h"
#include "policy_compile.h"
#include "policy_lexer.h"
#include "policy_maps.h"

#define FN_SMCCC_VERSION	0x80000000u
#define FN_PSCI_VERSION		0x84000000u
#define FILTER_BASE		0x84000000u	/* PSCI 32-bit function ids */
#define FILTER_NR		0x20u

enum { CFG_NONE, CFG_POLICY, CFG_FILTER, CFG_RULES, NR_CFG };
static const char *const cfg_name[NR_CFG] = { "none", "policy", "filter", "rules" };
static const char *const cfg_json[NR_CFG] = { "no_policy", "policy", "filter", "rules" };

struct bench_case {
	const char *name;
	uint32_t func_id;
	enum vmm_conduit conduit;
	uint64_t expect;		/* x0 from KVM, learnt without a policy */
	double *ns[NR_CFG];		/* per round */
	double med[NR_CFG];
};

static struct bench_case cases[] = {
	{ .name = "SMCCC_VERSION", .func_id = FN_SMCCC_VERSION, .conduit = VMM_HVC },
	{ .name = "PSCI_VERSION",  .func_id = FN_PSCI_VERSION,  .conduit = VMM_HVC },
	{ .name = "SMCCC_VERSION", .func_id = FN_SMCCC_VERSION, .conduit = VMM_SMC },
	{ .name = "PSCI_VERSION",  .func_id = FN_PSCI_VERSION,  .conduit = VMM_SMC },
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static uint64_t nr_calls = 20000, nr_warmup, counter_hz;
static int nr_rounds = 7;
static double target = 1.03;
static const char *label = "unlabelled";
static const char *rules_path = "rules-1k.pol";
static struct smccc_compiled rules;
static bool lockdep;	/* the kernel instruments every RCU read section */

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "smccc_bench: measurement broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static const char *cname(enum vmm_conduit c)
{
	return c == VMM_SMC ? "SMC" : "HVC";
}

static struct vmm_call mkcall(const struct bench_case *bc)
{
	struct vmm_call call = { .conduit = bc->conduit, .imm = 0, .func_id = bc->func_id };

	return call;
}

static void run_loop(struct vmm_vm *vm, const struct bench_case *bc, uint64_t count,
		     struct vmm_loop_result *res)
{
	struct vmm_call call = mkcall(bc);
	int r = vmm_loop(vm, 0, &call, count, bc->expect, bc->expect, res);

	if (r)
		die("vmm_loop %s %s: %s", cname(bc->conduit), bc->name, strerror(-r));
	if (res->calls != count || res->x0_eq_a != count || res->forwarded)
		die("%s %s: %" PRIu64 "/%" PRIu64 " calls, %" PRIu64 " returned 0x%" PRIx64
		    ", %" PRIu64 " forwarded", cname(bc->conduit), bc->name, res->calls,
		    count, res->x0_eq_a, bc->expect, res->forwarded);
}

/* One warm-up loop and one measured loop; returns ns per call. */
static double sample(struct vmm_vm *vm, const struct bench_case *bc)
{
	struct vmm_loop_result res;

	run_loop(vm, bc, nr_warmup, &res);
	run_loop(vm, bc, nr_calls, &res);
	if (!res.ticks)
		die("%s %s: the guest counter did not move", cname(bc->conduit), bc->name);
	return (double)res.ticks * 1e9 / (double)counter_hz / (double)nr_calls;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double *s = malloc(n * sizeof(*s));
	double m;

	if (!s)
		die("out of memory");
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

static struct vmm_vm *new_vm(void)
{
	struct vmm_vm *vm = vmm_vm_create(1);

	if (!vm)
		die("vmm_vm_create: %s", strerror(errno));
	return vm;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: smccc_bench [-n CALLS] [-r ROUNDS] [-w WARMUP] [-m LABEL] [-t TARGET]\n"
		   "                   [-p POLICY]\n"
		   "  -n CALLS   calls per measured loop (default %" PRIu64 ")\n"
		   "  -r ROUNDS  interleaved rounds none,policy,filter,rules (default %d)\n"
		   "  -w WARMUP  warm-up calls before each loop (default CALLS/8)\n"
		   "  -m LABEL   name of this run in the output (e.g. tcg, icount)\n"
		   "  -t TARGET  policy/none and rules/none ratio to report against (default %.2f)\n"
		   "  -p POLICY  the many-rule policy file (default %s)\n",
		nr_calls, nr_rounds, target, rules_path);
}

static void print_json(double worst_policy, double worst_filter, double worst_rules, bool ok,
		       bool ok_rules)
{
	unsigned int i;
	int c, r;

	printf("SMCCC-BENCH-JSON: {\"label\":\"%s\",\"calls_per_loop\":%" PRIu64
	       ",\"warmup_calls\":%" PRIu64 ",\"rounds\":%d,\"counter_hz\":%" PRIu64
	       ",\"target\":%.3f,\"lockdep\":%s,", label, nr_calls, nr_warmup,
	       nr_rounds, counter_hz, target, lockdep ? "true" : "false");
	printf("\"rules_policy\":{\"file\":\"%s\",\"rules\":%u,\"exact_ids\":%u,"
	       "\"segments\":%u},\"cases\":[", rules_path, rules.nr_rules, rules.nr_exact,
	       rules.nr_segments);
	for (i = 0; i < NR_CASES; i++) {
		const struct bench_case *bc = &cases[i];

		printf("%s{\"call\":\"%s\",\"func_id\":\"0x%08x\",\"conduit\":\"%s\","
		       "\"x0\":\"0x%" PRIx64 "\",\"median_ns_per_call\":{", i ? "," : "",
		       bc->name, bc->func_id, cname(bc->conduit), bc->expect);
		for (c = 0; c < NR_CFG; c++)
			printf("%s\"%s\":%.3f", c ? "," : "", cfg_json[c], bc->med[c]);
		printf("},\"ratio_vs_no_policy\":{\"policy\":%.4f,\"filter\":%.4f,\"rules\":%.4f},"
		       "\"ns_per_call\":{", bc->med[CFG_POLICY] / bc->med[CFG_NONE],
		       bc->med[CFG_FILTER] / bc->med[CFG_NONE], bc->med[CFG_RULES] / bc->med[CFG_NONE]);
		for (c = 0; c < NR_CFG; c++) {
			printf("%s\"%s\":[", c ? "," : "", cfg_json[c]);
			for (r = 0; r < nr_rounds; r++)
				printf("%s%.3f", r ? "," : "", bc->ns[c][r]);
			printf("]");
		}
		printf("}}");
	}
	printf("],\"worst_policy_ratio\":%.4f,\"worst_filter_ratio\":%.4f,"
	       "\"worst_rules_ratio\":%.4f,\"verdict\":\"%s\",\"verdict_rules\":\"%s\"}\n",
	       worst_policy, worst_filter, worst_rules, ok ? "OK" : "MISSED",
	       ok_rules ? "OK" : "MISSED");
}

/* The generic policy's HANDLE count of func_id in this VM. */
static uint64_t rules_handled(struct bpf_object *obj, uint64_t vm_id, uint32_t func_id)
{
	uint64_t v = 0;
	int r = smccc_policy_read_stat(obj, vm_id, func_id, SMCCC_BPF_ACT_HANDLE, &v);

	if (r)
		die("reading the statistics of the %u-rule policy: %s", rules.nr_rules, strerror(-r));
	return v;
}

/* Compiles the many-rule policy and loads it for vm_id (not attached). */
static struct policy_bpf *load_rules(uint64_t vm_id)
{
	struct policy_diags diags = { 0 };
	struct policy_bpf *prog;
	char *name = NULL;

	if (policy_compile_file(rules_path, &rules, &name, &diags)) {
		fputs(policy_diags_text(&diags), stderr);
		die("%s does not compile", rules_path);
	}
	policy_diags_free(&diags);
	free(name);
	prog = smccc_policy_prog_load(&rules, vm_id);
	if (!prog)
		die("loading %s into the generic policy program: %s", rules_path, strerror(errno));
	return prog;
}

int main(int argc, char **argv)
{
	struct handle_all_bpf *skel;
	struct policy_bpf *rules_prog;
	struct bpf_object *rules_obj;
	volatile __u64 *policy_calls;
	struct vmm_vm *vm, *vm_filter;
	double worst_policy = 0, worst_filter = 0, worst_policy_ns = 0, worst_filter_ns = 0;
	double worst_rules = 0, worst_rules_ns = 0;
	uint64_t vm_id, seen, seen_fn[2], dropped[SMCCC_POLICY_NR_DROP];
	const uint32_t fns[2] = { FN_SMCCC_VERSION, FN_PSCI_VERSION };
	unsigned int i, k;
	int opt, r, c;
	bool ok, ok_rules;

	while ((opt = getopt(argc, argv, "n:r:w:m:t:p:h")) != -1) {
		switch (opt) {
		case 'n': nr_calls = strtoull(optarg, NULL, 0); break;
		case 'r': nr_rounds = atoi(optarg); break;
		case 'w': nr_warmup = strtoull(optarg, NULL, 0); break;
		case 'm': label = optarg; break;
		case 't': target = atof(optarg); break;
		case 'p': rules_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!nr_calls || nr_rounds < 1 || target <= 0) {
		usage(stderr);
		return 2;
	}
	if (!nr_warmup)
		nr_warmup = nr_calls / 8 ? nr_calls / 8 : 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	counter_hz = vmm_counter_freq();
	if (!counter_hz)
		die("CNTFRQ_EL0 is 0");

	vm = new_vm();
	vm_filter = new_vm();
	r = vmm_set_smccc_filter(vm_filter, FILTER_BASE, FILTER_NR, 0 /* HANDLE */);
	if (r)
		die("SMCCC filter HANDLE 0x%x+0x%x: %s", FILTER_BASE, FILTER_NR, strerror(-r));
	r = vmm_vm_id(vm, &vm_id);
	if (r)
		die("reading the VM's smccc-bpf id: %s", strerror(-r));

	skel = handle_all_bpf__open();
	if (!skel)
		die("open handle_all: %s", strerror(errno));
	skel->struct_ops.handle_all->vm_id = vm_id;	/* this VM only */
	r = handle_all_bpf__load(skel);
	if (r)
		die("load handle_all: %s", strerror(-r));

	policy_calls = &skel->bss->calls;
	rules_prog = load_rules(vm_id);
	rules_obj = smccc_policy_prog_obj(rules_prog);

	/* What KVM answers, with no policy: the value every loop must return. */
	for (i = 0; i < NR_CASES; i++) {
		struct bench_case *bc = &cases[i];
		struct vmm_call call = mkcall(bc);
		struct vmm_result res;

		r = vmm_call(vm, 0, &call, &res);
		if (r)
			die("vmm_call %s %s: %s", cname(bc->conduit), bc->name, strerror(-r));
		if (res.forwarded || res.x[0] == SMCCC_BPF_RET_NOT_SUPPORTED)
			die("%s %s: KVM does not handle it (x0 0x%" PRIx64 "%s)",
			    cname(bc->conduit), bc->name, res.x[0],
			    res.forwarded ? ", forwarded" : "");
		bc->expect = res.x[0];
		for (c = 0; c < NR_CFG; c++) {
			bc->ns[c] = calloc(nr_rounds, sizeof(double));
			if (!bc->ns[c])
				die("out of memory");
		}
	}

	printf("smccc_bench [%s]: %d rounds x %" PRIu64 " calls (+%" PRIu64
	       " warm-up), counter %" PRIu64 " Hz\n", label, nr_rounds, nr_calls,
	       nr_warmup, counter_hz);
	printf("rules: %s, %u rules (%u exact IDs, %u segments), the generic policy program\n",
	       rules_path, rules.nr_rules, rules.nr_exact, rules.nr_segments);
	/* /proc/lockdep: CONFIG_LOCKDEP, so rcu_read_lock() is lock_acquire(). */
	lockdep = access("/proc/lockdep", F_OK) == 0;
	if (lockdep)
		printf("note: lockdep kernel: RCU read sections (policy hook, filter lookup) "
		       "cost far more than in production\n");

	for (r = 0; r < nr_rounds; r++) {
		for (c = 0; c < NR_CFG; c++) {
			struct vmm_vm *v = c == CFG_FILTER ? vm_filter : vm;
			struct bpf_link *link = NULL;

			seen = *policy_calls;
			for (k = 0; k < 2; k++)
				seen_fn[k] = rules_handled(rules_obj, vm_id, fns[k]);
			if (c == CFG_POLICY) {
				link = bpf_map__attach_struct_ops(skel->maps.handle_all);
				if (!link)
					die("attach handle_all to VM %" PRIu64 ": %s", vm_id,
					    strerror(errno));
			} else if (c == CFG_RULES) {
				link = smccc_policy_prog_attach(rules_prog);
				if (!link)
					die("attach the %u-rule policy to VM %" PRIu64 ": %s",
					    rules.nr_rules, vm_id, strerror(errno));
			}
			for (i = 0; i < NR_CASES; i++)
				cases[i].ns[c][r] = sample(v, &cases[i]);
			if (link && bpf_link__destroy(link))
				die("detach handle_all: %s", strerror(errno));
			seen = *policy_calls - seen;
			if (seen != (c == CFG_POLICY ? NR_CASES * (nr_calls + nr_warmup) : 0))
				die("round %d, %s: the policy saw %" PRIu64 " calls", r, cfg_name[c],
				    seen);
			/* Two cases (HVC, SMC) per function. */
			for (k = 0; k < 2; k++) {
				seen = rules_handled(rules_obj, vm_id, fns[k]) - seen_fn[k];
				if (seen != (c == CFG_RULES ? 2 * (nr_calls + nr_warmup) : 0))
					die("round %d, %s: the %u-rule policy handled %" PRIu64
					    " calls of 0x%08x", r, cfg_name[c], rules.nr_rules, seen,
					    fns[k]);
			}
		}
	}

	r = smccc_policy_read_dropped(rules_obj, dropped);
	if (r)
		die("reading the dropped counters of the %u-rule policy: %s", rules.nr_rules,
		    strerror(-r));
	if (dropped[SMCCC_POLICY_DROP_STATS] || dropped[SMCCC_POLICY_DROP_EVENTS] ||
	    dropped[SMCCC_POLICY_DROP_RATE])
		die("the %u-rule policy dropped records: stats %" PRIu64 ", events %" PRIu64
		    ", rate %" PRIu64, rules.nr_rules, dropped[SMCCC_POLICY_DROP_STATS],
		    dropped[SMCCC_POLICY_DROP_EVENTS], dropped[SMCCC_POLICY_DROP_RATE]);

	printf("%-14s %-4s %9s %9s %9s %9s %9s %9s %9s\n", "median ns/call", "", "none",
	       "trivial", "filter", "rules", "triv/none", "filt/none", "rules/none");
	for (i = 0; i < NR_CASES; i++) {
		struct bench_case *bc = &cases[i];
		double rp, rf, rr;

		for (c = 0; c < NR_CFG; c++)
			bc->med[c] = median(bc->ns[c], nr_rounds);
		rp = bc->med[CFG_POLICY] / bc->med[CFG_NONE];
		rf = bc->med[CFG_FILTER] / bc->med[CFG_NONE];
		rr = bc->med[CFG_RULES] / bc->med[CFG_NONE];
		if (rr > worst_rules) {
			worst_rules = rr;
			worst_rules_ns = bc->med[CFG_RULES] - bc->med[CFG_NONE];
		}
		if (rp > worst_policy) {
			worst_policy = rp;
			worst_policy_ns = bc->med[CFG_POLICY] - bc->med[CFG_NONE];
		}
		if (rf > worst_filter) {
			worst_filter = rf;
			worst_filter_ns = bc->med[CFG_FILTER] - bc->med[CFG_NONE];
		}
		printf("%-14s %-4s %9.1f %9.1f %9.1f %9.1f %8.3fx %8.3fx %8.3fx\n", bc->name,
		       cname(bc->conduit), bc->med[CFG_NONE], bc->med[CFG_POLICY],
		       bc->med[CFG_FILTER], bc->med[CFG_RULES], rp, rf, rr);
	}
	ok = worst_policy <= target;
	ok_rules = worst_rules <= target;
	printf("[%s] upstream filter / no policy (worst case): %.3fx, %+.0f ns/call\n", label,
	       worst_filter, worst_filter_ns);
	printf("[%s] trivial policy / no policy (worst case): %.3fx, %+.0f ns/call "
	       "(target <= %.2fx): %s\n", label, worst_policy, worst_policy_ns, target,
	       ok ? "OK" : "MISSED");
	printf("[%s] %u-rule policy / no policy (worst case): %.3fx, %+.0f ns/call "
	       "(target <= %.2fx): %s\n", label, rules.nr_rules, worst_rules, worst_rules_ns,
	       target, ok_rules ? "OK" : "MISSED");
	print_json(worst_policy, worst_filter, worst_rules, ok, ok_rules);

	smccc_policy_prog_destroy(rules_prog);
	smccc_compiled_free(&rules);
	handle_all_bpf__destroy(skel);
	vmm_vm_destroy(vm_filter);
	vmm_vm_destroy(vm);
	return 0;
}
