// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmark (not a test): the cost of one decision of the generic policy
 * program (bpf/policy_decide.bpf.h) on the host JIT, for policies of 10,
 * 1,000 and 100,000 rules (half exact IDs, half ranges, a quarter of them
 * with an argument condition), and the time to fill the maps of the
 * 100,000-rule policy.
 *
 * One measurement is one BPF_PROG_TEST_RUN of policy_bench: bpf_loop over
 * N decisions, each copying a call from a table of 256 (exact hits, range
 * hits and misses) and deciding it, as the struct_ops program does, stats
 * included; minus the same loop without the decision. The median over the
 * rounds is reported in ns per decision, with the 100k/10 ratio, and the
 * share of the statistics update (a loop that only counts, same method).
 *
 * Usage: bench_policy_prog [--rounds R] [--decisions N] [--cpu C]
 * Needs root. Exit status 1 only if the measurement itself failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy_decide.bpf.h"
#include "policy_maps.h"
#include "policy_test.skel.h"

#define NR_CALLS	256	/* a power of 2: the program indexes with i & mask */

static const uint32_t sizes[] = { 10, 1000, 100000 };
#define NR_SIZES	(sizeof(sizes) / sizeof(sizes[0]))

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		perror("calloc");
		exit(1);
	}
	return p;
}

/* Exact IDs: SiP 0xc2000000 + 2i; ranges: [0x84000000 + 64i, +31]. */
static uint32_t exact_id(uint32_t i)
{
	return 0xc2000000u + 2 * i;
}

static uint32_t range_first(uint32_t i)
{
	return 0x84100000u + 64 * i;
}

/*
 * n rules: even ones exact IDs, odd ones ranges, in ID order; every fourth
 * has a condition on x1 (x1 < 0x8000) and a fallback rule after it, as the
 * compiler chains them.
 */
static void build(struct smccc_compiled *c, uint32_t n)
{
	uint32_t i, r = 0, nr_conds = (n + 3) / 4;

	memset(c, 0, sizeof(*c));
	c->config.default_action = SMCCC_BPF_ACT_HANDLE;
	c->rules = xcalloc(n + nr_conds, sizeof(*c->rules));
	c->chain = xcalloc(n + nr_conds, sizeof(*c->chain));
	c->exact = xcalloc(n, sizeof(*c->exact));
	c->segments = xcalloc(n, sizeof(*c->segments));

	for (i = 0; i < n; i++) {
		struct smccc_policy_chain ch = { .start = c->nr_chain, .len = 1 };
		struct smccc_policy_rule *rule = &c->rules[r];

		rule->id = r + 1;
		rule->action = 1 + i % 3;	/* deny, forward, return */
		rule->ret[0] = i;
		if (i % 4 == 3) {
			rule->nr_conds = 1;
			rule->conds[0].kind = SMCCC_POLICY_COND_ARG;
			rule->conds[0].reg = 1;
			rule->conds[0].op = SMCCC_POLICY_OP_LT;
			rule->conds[0].mask = ~0ull;
			rule->conds[0].value = 0x8000;
			c->chain[c->nr_chain++] = r++;
			rule = &c->rules[r];
			rule->id = r + 1;
			rule->action = SMCCC_BPF_ACT_DENY;
			ch.len = 2;
		}
		c->chain[c->nr_chain++] = r++;
		if (i % 2 == 0) {
			c->exact[c->nr_exact].func_id = exact_id(i / 2);
			c->exact[c->nr_exact++].chain = ch;
		} else {
			c->segments[c->nr_segments].first = range_first(i / 2);
			c->segments[c->nr_segments].last = range_first(i / 2) + 31;
			c->segments[c->nr_segments++].chain = ch;
		}
	}
	c->nr_rules = r;
	c->config.nr_segments = c->nr_segments;
}

static void free_compiled(struct smccc_compiled *c)
{
	free(c->rules);
	free(c->chain);
	free(c->exact);
	free(c->segments);
}

/* 256 calls: 40% exact hits, 40% range hits, 20% misses, fixed seed. */
static void fill_calls(struct policy_test_bpf *skel, uint32_t n)
{
	uint32_t half = n / 2 ? n / 2 : 1, i, k;
	unsigned int seed = 42;

	for (i = 0; i < NR_CALLS; i++) {
		struct smccc_policy_call call;
		uint32_t pick = rand_r(&seed) % 10, idx = rand_r(&seed) % half;

		memset(&call, 0, sizeof(call));
		call.vm_id = 1;
		call.vcpu_id = i % 4;
		call.conduit = i % 2 ? SMCCC_BPF_CONDUIT_SMC : SMCCC_BPF_CONDUIT_HVC;
		for (k = 0; k < SMCCC_BPF_NR_ARGS; k++)
			call.args[k] = rand_r(&seed) & 0xffff;
		if (pick < 4)
			call.func_id = exact_id(idx);
		else if (pick < 8)
			call.func_id = range_first(idx) + rand_r(&seed) % 32;
		else
			call.func_id = 0x86000000u + rand_r(&seed) % 0x10000;	/* no rule */
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.bench_calls), &i, &call, BPF_ANY)) {
			perror("bench_calls");
			exit(1);
		}
	}
}

static uint64_t run_loop(struct policy_test_bpf *skel, uint32_t loops, uint32_t mode)
{
	struct smccc_policy_bench b = { .loops = loops, .mask = NR_CALLS - 1, .mode = mode };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &b, .ctx_size_in = sizeof(b));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.policy_bench), &o) ||
	    b.done != loops) {
		fprintf(stderr, "bench: test run failed (%s), %u of %u loops\n",
			strerror(errno), b.done, loops);
		exit(1);
	}
	return b.ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static uint32_t verified_insns(struct bpf_program *p)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_prog_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return 0;
	return info.verified_insns;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "decisions", required_argument, NULL, 'n' },
		{ "cpu", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t rounds = 11, loops = 1000000;
	double median[NR_SIZES], median_stats[NR_SIZES], fill_ms = 0, load_ms = 0;
	int cpu = -1, opt;
	size_t s;

	while ((opt = getopt_long(argc, argv, "r:n:c:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rounds = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			loops = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [--rounds R] [--decisions N] [--cpu C]\n",
				argv[0]);
			return 1;
		}
	}
	if (!rounds || !loops || loops > (1u << 23)) {
		fprintf(stderr, "bench: rounds >= 1, 1 <= decisions <= 8388608\n");
		return 1;
	}
	libbpf_set_print(quiet);

	/* One CPU for the whole run: per-CPU stats stay in one cache. */
	if (cpu < 0)
		cpu = sched_getcpu();
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("sched_setaffinity (continuing unpinned)");
	}

	printf("policy decision cost on the host JIT: %u rounds of %u decisions, "
	       "%d-call table, CPU %d\n", rounds, loops, NR_CALLS, cpu);
	printf("%10s %8s %8s %9s %12s %12s %12s %12s %10s\n", "rules", "exact", "segments",
	       "chain", "median ns", "min ns", "max ns", "of it stats", "verified");

	for (s = 0; s < NR_SIZES; s++) {
		struct policy_test_bpf *skel;
		struct smccc_compiled c;
		double *per = xcalloc(rounds, sizeof(*per));
		double *stats = xcalloc(rounds, sizeof(*stats));
		uint64_t t0, t1, t2;
		uint32_t r;
		int err;

		build(&c, sizes[s]);
		skel = policy_test_bpf__open();
		if (!skel) {
			perror("open");
			return 1;
		}
		if (smccc_policy_size_maps(skel->obj, &c) ||
		    bpf_map__set_max_entries(skel->maps.bench_calls, NR_CALLS))
			return 1;
		smccc_policy_set_config(&skel->rodata->policy_config, &c);
		t0 = now_ns();
		err = policy_test_bpf__load(skel);
		t1 = now_ns();
		if (err) {
			fprintf(stderr, "bench: load: %s%s\n", strerror(-err),
				err == -EPERM ? " (run as root)" : "");
			return 1;
		}
		if (smccc_policy_fill_maps(skel->obj, &c))
			return 1;
		t2 = now_ns();
		if (sizes[s] == 100000) {
			load_ms = (t1 - t0) / 1e6;
			fill_ms = (t2 - t1) / 1e6;
		}
		fill_calls(skel, sizes[s]);

		/* warm up: stats keys, caches */
		run_loop(skel, loops, SMCCC_POLICY_BENCH_DECIDE);
		run_loop(skel, loops, SMCCC_POLICY_BENCH_COUNT);
		for (r = 0; r < rounds; r++) {
			uint64_t empty = run_loop(skel, loops, SMCCC_POLICY_BENCH_EMPTY);
			uint64_t full = run_loop(skel, loops, SMCCC_POLICY_BENCH_DECIDE);
			uint64_t count = run_loop(skel, loops, SMCCC_POLICY_BENCH_COUNT);

			per[r] = ((double)full - (double)empty) / loops;
			stats[r] = ((double)count - (double)empty) / loops;
		}
		qsort(per, rounds, sizeof(*per), cmp_double);
		qsort(stats, rounds, sizeof(*stats), cmp_double);
		median[s] = per[rounds / 2];
		median_stats[s] = stats[rounds / 2];
		printf("%10u %8u %8u %9u %12.1f %12.1f %12.1f %12.1f %10u\n", sizes[s],
		       c.nr_exact, c.nr_segments, c.nr_chain, median[s], per[0], per[rounds - 1],
		       median_stats[s], verified_insns(skel->progs.policy_bench));
		if (s == 0)
			printf("%10s verified insns: policy_test %u\n", "",
			       verified_insns(skel->progs.policy_test));
		policy_test_bpf__destroy(skel);
		free_compiled(&c);
		free(per);
		free(stats);
	}

	printf("ratio 100k/10: %.2f (target <= 1.5); 100k median %.1f ns (target <= 25 ns)\n",
	       median[0] > 0 ? median[NR_SIZES - 1] / median[0] : 0.0, median[NR_SIZES - 1]);
	printf("without the statistics update (median of the stats-only loop, net): "
	       "10: %.1f ns, 100k: %.1f ns, ratio %.2f\n", median[0] - median_stats[0],
	       median[NR_SIZES - 1] - median_stats[NR_SIZES - 1],
	       median[0] - median_stats[0] > 0 ?
	       (median[NR_SIZES - 1] - median_stats[NR_SIZES - 1]) /
	       (median[0] - median_stats[0]) : 0.0);
	printf("100,000 rules: map fill %.1f ms, program load (verifier) %.1f ms\n",
	       fill_ms, load_ms);
	return 0;
}
