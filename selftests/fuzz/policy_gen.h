/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Random policies and random SMCCC calls for the differential fuzzer: a
 * seeded, reproducible generator of policy text in the language of
 * docs/policy.md, and of guest calls aimed at what that policy names.
 * Plain C11 and libc (the policy library, loader/policy.mk), built for the
 * host and statically for arm64.
 *
 * Reproducing a run. Everything comes from one struct policy_gen_rng;
 * the same seed gives the same policies and calls on every architecture
 * (64-bit integer arithmetic only: no floating point, no sorting, no
 * platform-sized types in what is drawn). The fuzzer draws policy P of
 * seed S from its own stream:
 *
 *	policy_gen_seed(&rng, S, P);
 *	policy_gen_compiled(&rng, &opts, text, POLICY_GEN_TEXT_MAX, &c, &attempts);
 *	... then every call of that policy from the same rng, in order:
 *	policy_gen_call(&rng, &pool, &call);
 *
 * and reports a mismatch as "seed S policy P call C" (with the policy's
 * text and policy_gen_call_format() of the call): policy_gen_seed(S, P) +
 * policy_gen_text()/policy_gen_compiled() with the same options make the
 * same text again, byte for byte, and the same pool; drawing C + 1 calls
 * after it makes the same call C (no VM needed to replay the draws).
 * What the text is for a given (S, P) is only fixed for one version of
 * this file and of loader/policy_services.c (the tables are iterated).
 *
 * What a generated policy respects (the driver relies on it):
 *
 *  - It compiles (policy_gen_compiled() retries if ever it does not; the
 *    generator is meant never to need it: see test_policy_gen.c):
 *    . no match touches the SMCCC architecture range (0x80000000-0x8000ffff,
 *      0xc0000000-0xc000ffff): arch calls are always KVM's (HANDLE);
 *    . KVM's vendor hypervisor range (0x86000000-0x8600ffff,
 *      0xc6000000-0xc600ffff) is taken over whole or not at all. Either
 *      ("keep") no rule whose action or over-limit action is forward or
 *      return names any of it, and the default is not forward; or
 *      ("strict") at most one rule names any of it, and that rule
 *      (forward or return, possibly with conditions or a limit) names all
 *      of it (service vendor-hyp, or both halves by range), so every ID of
 *      the range moves on exactly the same calls; only then is the default
 *      allowed to be forward;
 *    . the default is never return; "return ... then return" repeats the
 *      rule's values (written differently: "-1" vs NOT_SUPPORTED ...);
 *    . no function ID gets more than 16 candidate rules (the chain limit):
 *      a match is only added where fewer than 16 earlier rules with
 *      conditions overlap it.
 *  - Rate limits are predictable over a short run, so that the driver can
 *    count tokens (a bucket starts full, one per VM and rule, shared by the
 *    vCPUs; discovery queries take none):
 *    . K/min with K in 1..6 (a token comes back after >= 10 s) and burst
 *      1..8, or no burst (burst = K): exactly `burst` calls pass within the
 *      first 10 s after the first one; or
 *    . N/s with N >= 1000 and burst >= 1000000: never empties in a run of
 *      fewer than a million calls.
 *  - o->no_forward: no forward anywhere (rules, over-limit actions, the
 *    default).
 *
 * Calls (policy_gen_call()) aim at the IDs the policy names and at the
 * values its conditions compare with (the pool), at named services and
 * functions, the architecture range (SMCCC_VERSION, ARCH_FEATURES about
 * policy and table IDs, ARCH_WORKAROUND_1..3), IDs with reserved bits
 * (SVE hint bit 16, yielding bit 31 clear, bits 23:17, bit 30 flipped) and
 * fully random IDs; both conduits; HVC immediates 0, 1, 0x1234, 0xffff and
 * SMC immediates 0 (mostly) and 1. The driver must know:
 *
 *  - x1..x17 are as the guest writes them: for an SMC32/HVC32 ID (bit 30
 *    clear) the kernel clears their upper halves before the policy sees
 *    them (pass them so cleared to policy_eval()), and the generator often
 *    sets upper bits there on purpose.
 *  - An SMC with a nonzero immediate never reaches the policy: KVM answers
 *    x0 = NOT_SUPPORTED (~0) itself (handle_smc(), arch/arm64/kvm/
 *    handle_exit.c), nothing is counted.
 *  - An HVC (any immediate) of ARCH_WORKAROUND_1/2/3 never leaves EL2:
 *    the hyp vectors answer x0 = 0 (x1 = 0, x2/x3 untouched) on their fast
 *    path (arch/arm64/kvm/hyp/hyp-entry.S, el1_sync): not counted either.
 *  - policy_gen_call_is_destructive() / _is_nondeterministic(): below.
 */
#ifndef __SMCCC_POLICY_GEN_H
#define __SMCCC_POLICY_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy_compiled.h"

/* xoshiro256** seeded through splitmix64: small, fast, the same everywhere. */
struct policy_gen_rng {
	uint64_t s[4];
};

/*
 * Seed a stream: (seed, stream) -> state. Different streams of one seed
 * never start in the same state; the fuzzer uses stream = policy index.
 */
void policy_gen_seed(struct policy_gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t policy_gen_next(struct policy_gen_rng *r);
/* Uniform in 0..n-1 (0 if n == 0), without modulo bias. */
uint64_t policy_gen_below(struct policy_gen_rng *r, uint64_t n);

#define POLICY_GEN_DEFAULT_RULES	12
#define POLICY_GEN_MAX_RULES		64	/* max_rules above this is this */
#define POLICY_GEN_DEFAULT_VCPUS	1
/*
 * Room for any generated text, NUL included: a rule is at most about 900
 * bytes, so 64 of them fit (at 64 rules the longest seen is about 7 KiB).
 */
#define POLICY_GEN_TEXT_MAX		(64 * 1024)
/* policy_gen_compiled() tries at most this many texts before its fallback. */
#define POLICY_GEN_MAX_ATTEMPTS		16
/* Room for policy_gen_call_format() of any call, NUL included. */
#define POLICY_GEN_CALL_DESC_MAX	512

#define POLICY_GEN_POOL_IDS		64
#define POLICY_GEN_POOL_VALUES		12

/*
 * What a policy is about, for the call generator: filled by
 * policy_gen_text() (through policy_gen_opts.pool) from the text it makes.
 */
struct policy_gen_pool {
	uint32_t ids[POLICY_GEN_POOL_IDS];	/* IDs it names, range ends and neighbours */
	unsigned int nr_ids;
	uint64_t values[POLICY_GEN_POOL_VALUES];	/* what its conditions compare with */
	unsigned int nr_values;
	uint32_t regs;			/* bit R set: a condition tests xR (R = 1..17) */
	uint32_t nr_vcpus;		/* calls are from vCPUs 0..nr_vcpus-1 */
};

struct policy_gen_opts {
	unsigned int max_rules;		/* 0: POLICY_GEN_DEFAULT_RULES; rules are 0..max_rules */
	unsigned int nr_vcpus;		/* vCPUs of the VM, 0: POLICY_GEN_DEFAULT_VCPUS */
	bool no_forward;		/* no forward action anywhere */
	struct policy_gen_pool *pool;	/* if not NULL, filled for policy_gen_call() */
};

/*
 * One random policy text into buf (NUL-terminated). o may be NULL (the
 * defaults). Returns its length, or -1 if it did not fit in len bytes
 * (buf then holds a cut, still NUL-terminated text: use
 * POLICY_GEN_TEXT_MAX).
 */
int policy_gen_text(struct policy_gen_rng *r, const struct policy_gen_opts *o, char *buf,
		    size_t len);

/*
 * A policy text that compiles, and its compiled form (free it with
 * smccc_compiled_free()). Retries with the next texts of the stream on a
 * compile error, at most POLICY_GEN_MAX_ATTEMPTS times, then falls back to
 * a policy of statements only (which always compiles). *attempts (if not
 * NULL): texts generated, 1 when the first compiled. buf keeps the text
 * that compiled (and o->pool its pool). Returns 0, or -1 if len is too
 * small or out of memory.
 */
int policy_gen_compiled(struct policy_gen_rng *r, const struct policy_gen_opts *o, char *buf,
			size_t len, struct smccc_compiled *out, unsigned int *attempts);

struct policy_gen_call {
	uint32_t func_id;		/* x0 */
	uint8_t conduit;		/* SMCCC_BPF_CONDUIT_SMC or _HVC */
	uint16_t imm;			/* the HVC/SMC immediate */
	uint32_t vcpu;			/* index of the calling vCPU */
	uint64_t args[17];		/* x1..x17 as the guest writes them */
};

/*
 * One random call. pool: the current policy's (or NULL: no policy IDs or
 * values, vCPU 0 only).
 */
void policy_gen_call(struct policy_gen_rng *r, const struct policy_gen_pool *pool,
		     struct policy_gen_call *c);

/*
 * One line that says everything about the call, for mismatch reports:
 * "func 0x84000003 (psci.cpu_on32) conduit hvc imm 0x0 vcpu 1 args x1=0x1
 * x3=0xffffffff00000000" (the arguments not listed are 0).
 */
void policy_gen_call_format(const struct policy_gen_call *c, char *buf, size_t len);

/*
 * Calls that, when KVM carries them out (handle, log, permissive mode),
 * stop or change the vCPU or the VM so that the run cannot go on as
 * planned (Linux 6.12, arch/arm64/kvm/psci.c):
 *   PSCI CPU_SUSPEND 0x84000001/0xc4000001  kvm_psci_vcpu_suspend(): WFI,
 *       the vCPU sleeps until an interrupt, which a fuzzing guest never arms;
 *   CPU_OFF 0x84000002                    kvm_arm_vcpu_power_off();
 *   CPU_ON 0x84000003/0xc4000003          kvm_psci_vcpu_on(): resets and starts
 *       a stopped vCPU at x2 (random), and later CPU_ONs say ALREADY_ON;
 *   SYSTEM_OFF 0x84000008, SYSTEM_RESET 0x84000009
 *                                         KVM_EXIT_SYSTEM_EVENT shutdown/reset;
 *   SYSTEM_SUSPEND 0x8400000e/0xc400000e  KVM_EXIT_SYSTEM_EVENT suspend when
 *       the VMM enabled KVM_CAP_ARM_SYSTEM_SUSPEND (else NOT_SUPPORTED);
 *   SYSTEM_RESET2 0x84000012/0xc4000012   reset event (valid reset types);
 *   KVM's PSCI 0.1 CPU_OFF 0x95c1ba5f, CPU_ON 0x95c1ba60 (KVM_PSCI_FN(1), (2)),
 *       only for a VM set to PSCI 0.1 (kvm_psci_0_1_call()), else
 *       NOT_SUPPORTED; listed so that a driver need not care.
 * IDs with reserved bits set are none of these: KVM matches x0 exactly.
 */
bool policy_gen_call_is_destructive(uint32_t func_id);

/*
 * Calls whose answer from KVM differs between two identical VMs given the
 * same calls (Linux 6.12):
 *   TRNG_RND32 0x84000053, TRNG_RND64 0xc4000053  kvm_trng_do_rnd()
 *       (arch/arm64/kvm/trng.c): x1..x3 from get_random_long();
 *   KVM PTP 0x86000001 (kvm.ptp)  kvm_ptp_get_time() (arch/arm64/kvm/
 *       hypercalls.c): the host's wall clock and counter at the call.
 * Not PV_TIME_ST (0xc5000021): kvm_init_stolen_time() (pvtime.c) answers
 * the IPA the VMM configured for that vCPU (or NOT_SUPPORTED), the same
 * for identical VMs; it does zero the stolen-time record in guest memory
 * there. Not AFFINITY_INFO: it depends only on which vCPUs are on.
 */
bool policy_gen_call_is_nondeterministic(uint32_t func_id);

#endif /* __SMCCC_POLICY_GEN_H */
