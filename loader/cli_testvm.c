// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-testvm: a VM for testing the smccc-bpf CLI from a shell
 * (selftests/e2e/cli-in-vm.sh). Not installed; built with the CLI.
 *
 * Creates a VM with two vCPUs (libvmm), prints "vm_id N", then reads
 * commands from stdin, one per line, and answers each with one line:
 *
 *   call hvc|smc VCPU FUNC [X1 [X2 [X3]]]
 *        -> "ret X0 X1 X2 X3 fwd=0|1" (hex); a forwarded call
 *           (KVM_EXIT_HYPERCALL) is answered by this VMM with
 *           x0 = 0x5ec0de, x1 = the function ID (x2 = x3 = 0), except
 *           for the FF-A calls of its small FF-A responder (the
 *           "FF-A to the VMM" scenario, docs/scenarios.md):
 *             FFA_VERSION 0x84000063 -> x0 = 0x10001 (FF-A 1.1), x1..x3 = 0
 *             FFA_ID_GET  0x84000069 -> x0 = FFA_SUCCESS_32 (0x84000061),
 *                                       x1 = 0, x2 = partition id 0x0001,
 *                                       x3 = 0
 *           and for the vendor hypervisor range (owner 6,
 *           0x86000000-0x8600ffff and 0xc6000000-0xc600ffff), where it
 *           answers like another hypervisor, the "smccc-bpf test
 *           hypervisor" (the "another hypervisor's vendor range" scenario):
 *             CALL_UID 0x8600ff01 -> x0..x3 = 0x5ec0deb9, 0x7e57f00d,
 *                                    0x0c0ffee0, 0x48595052 (not KVM's
 *                                    0xb66fb428, 0xe911c52e, 0x564bcaa9,
 *                                    0x743a004d)
 *             FEATURES 0x86000000 -> x0 = 0x80000003 (bit 0 FEATURES,
 *                                    bit 1 GET_TIME, bit 31 "not KVM"),
 *                                    x1..x3 = 0
 *             GET_TIME 0xc6000001 -> x0 = 0 (SUCCESS), x1 = this VM's
 *                                    GET_TIME calls so far, this one
 *                                    included (1, 2, ...), x2 = the
 *                                    calling vCPU, x3 = 0
 *             any other ID of the range -> x0 = NOT_SUPPORTED (-1),
 *                                    x1..x3 = 0
 *           every other forwarded ID, FF-A or not, gets the default above
 *   loop hvc|smc VCPU FUNC COUNT A B
 *        -> the guest makes COUNT calls in a tight in-guest loop (no VMM
 *           round trip unless forwarded), then
 *           "loop calls=N a=N b=N other=N fwd=N": how many returned x0 == A,
 *           x0 == B, anything else, and how many were forwarded
 *   online VCPU
 *        -> waits for a vCPU created powered off to come online after a
 *           PSCI CPU_ON (KVM's or this VMM's, entry point vmm_entry_addr()):
 *           "online N" or "error online ..."
 *   plug VCPU 0|1
 *        -> "plug N 0|1": whether the VMM's CPU_ON may bring vCPU N up
 *           (default 1, plugged; unplugged: CPU_ON answers DENIED, -3)
 *   entry -> "entry 0x...": the CPU_ON entry point (vmm_entry_addr())
 *   id   -> "vm_id N"
 *   quit -> exits (as does the end of stdin)
 *
 * Environment: SMCCC_TESTVM_SECONDARY_OFF=1 creates vCPU 1 powered off
 * (vmm_vm_create_opts secondaries_off; default: both vCPUs on).
 * SMCCC_TESTVM_EXITS=0 leaves this VMM without the opt-in to policy exits
 * (KVM_ARM_VM_SMCCC_BPF_FLAGS): a policy's FWD_TO_USER then reaches it
 * only for IDs its filter forwards (it sets none) and is a DENY otherwise.
 * By default it opts in: it is a VMM that serves forwarded calls (below).
 *
 * PSCI in the VMM (the "PSCI in the VMM (vCPU hotplug)" scenario,
 * docs/scenarios.md): forwarded CPU_ON, CPU_OFF and AFFINITY_INFO are
 * implemented here, on the VMM's own record of which vCPU is on (MPIDR of
 * vCPU N = N):
 *   CPU_ON 0x84000003/0xc4000003 (x1 target MPIDR, x2 entry, x3 context)
 *        -> ALREADY_ON (-4) if the target is on, DENIED (-3) if it is
 *           unplugged, INVALID_PARAMETERS (-2) for an unknown MPIDR; else
 *           target PC = entry, x0 = context, KVM_SET_MP_STATE RUNNABLE, and
 *           SUCCESS (0)
 *   CPU_OFF 0x84000002 -> the caller is marked off and put in
 *           KVM_MP_STATE_STOPPED; the call does not return to the guest:
 *           the answer line is "off VCPU fwd=1", and calls on that vCPU
 *           answer "error call vcpu N is off" until a CPU_ON
 *   AFFINITY_INFO 0x84000004/0xc4000004 (x1 MPIDR, x2 lowest level)
 *        -> 0 ON / 1 OFF (level 0: that vCPU; 1..3: any vCPU of the
 *           affinity), INVALID_PARAMETERS (-2) for an unknown MPIDR or a
 *           level above 3
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "smccc_bpf.h"
#include "vmm.h"

#define TESTVM_FWD_X0	0x5ec0deu

/* The FF-A responder (DEN0077): what a VMM emulating an FF-A 1.1 endpoint answers. */
#define TESTVM_FFA_VERSION	0x84000063u
#define TESTVM_FFA_ID_GET	0x84000069u
#define TESTVM_FFA_SUCCESS_32	0x84000061u
#define TESTVM_FFA_V1_1		0x10001u	/* major 1 << 16 | minor 1 */
#define TESTVM_FFA_PART_ID	0x0001u		/* the guest's FF-A partition id */

/*
 * Another hypervisor's vendor services (DEN0028 owner 6), as a VMM emulating
 * them for its guest answers: the "smccc-bpf test hypervisor", a made-up one.
 */
#define TESTVM_VH_MASK		0xbfff0000u	/* ignores the SMC64 bit */
#define TESTVM_VH_BASE		0x86000000u	/* 0x8600xxxx and 0xc600xxxx */
#define TESTVM_VH_CALL_UID	0x8600ff01u
#define TESTVM_VH_FEATURES	0x86000000u
#define TESTVM_VH_GET_TIME	0xc6000001u
#define TESTVM_VH_FEATURES_MAP	0x80000003u	/* FEATURES, GET_TIME, bit 31 */
#define TESTVM_NOT_SUPPORTED	((uint64_t)-1)
static const uint32_t testvm_vh_uid[4] = {
	0x5ec0deb9u, 0x7e57f00du, 0x0c0ffee0u, 0x48595052u,	/* ..."HYPR" */
};
static uint64_t testvm_vh_time;		/* GET_TIME calls of this VM */

static void vendor_hyp(int vcpu, uint32_t nr, uint64_t ret[4])
{
	ret[0] = TESTVM_NOT_SUPPORTED;
	ret[1] = 0;
	switch (nr) {
	case TESTVM_VH_CALL_UID:
		ret[0] = testvm_vh_uid[0];
		ret[1] = testvm_vh_uid[1];
		ret[2] = testvm_vh_uid[2];
		ret[3] = testvm_vh_uid[3];
		break;
	case TESTVM_VH_FEATURES:
		ret[0] = TESTVM_VH_FEATURES_MAP;
		break;
	case TESTVM_VH_GET_TIME:
		ret[0] = 0;
		ret[1] = ++testvm_vh_time;
		ret[2] = (uint64_t)vcpu;
		break;
	}
}

/* PSCI (DEN0022) in the VMM: vCPU hotplug. */
#define TESTVM_PSCI_CPU_OFF		0x84000002u
#define TESTVM_PSCI_CPU_ON		0x84000003u
#define TESTVM_PSCI_AFFINITY_INFO	0x84000004u
#define TESTVM_PSCI_SMC64		0x40000000u
#define TESTVM_PSCI_SUCCESS		0
#define TESTVM_PSCI_INVALID_PARAMS	((uint64_t)-2)
#define TESTVM_PSCI_DENIED		((uint64_t)-3)
#define TESTVM_PSCI_ALREADY_ON		((uint64_t)-4)
#define TESTVM_MPIDR_HWID		0xff00ffffffull
#define TESTVM_NR_VCPUS			2

static bool testvm_on[TESTVM_NR_VCPUS] = { true, true };	/* the VMM's record */
static bool testvm_plugged[TESTVM_NR_VCPUS] = { true, true };
static bool testvm_stopped[TESTVM_NR_VCPUS];	/* by this VMM's CPU_OFF */
static int testvm_off_pending = -1;		/* CPU_OFF seen on this vCPU */

static int set_mp_state(struct vmm_vm *vm, int vcpu, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	if (ioctl(vmm_vcpu_fd(vm, vcpu), KVM_SET_MP_STATE, &mp)) {
		fprintf(stderr, "testvm: vcpu %d: KVM_SET_MP_STATE %u: %s\n", vcpu, state,
			strerror(errno));
		return -errno;
	}
	return 0;
}

/* The vCPU with this MPIDR (vCPU N has Aff0 = N), or -1. */
static int mpidr_vcpu(uint64_t mpidr)
{
	mpidr &= TESTVM_MPIDR_HWID;
	return mpidr < TESTVM_NR_VCPUS ? (int)mpidr : -1;
}

static void psci(struct vmm_vm *vm, int vcpu, uint32_t nr, uint64_t ret[4])
{
	uint64_t a[3] = { 0 };
	int i, t;

	for (i = 0; i < 3; i++) {
		vmm_get_reg(vm, vcpu, i + 1, &a[i]);
		if (!(nr & TESTVM_PSCI_SMC64))
			a[i] = (uint32_t)a[i];
	}
	ret[1] = 0;
	switch (nr & ~TESTVM_PSCI_SMC64) {
	case TESTVM_PSCI_CPU_ON:
		t = mpidr_vcpu(a[0]);
		if (t < 0)
			ret[0] = TESTVM_PSCI_INVALID_PARAMS;
		else if (testvm_on[t])
			ret[0] = TESTVM_PSCI_ALREADY_ON;
		else if (!testvm_plugged[t])
			ret[0] = TESTVM_PSCI_DENIED;
		else if (vmm_set_reg(vm, t, VMM_REG_PC, a[1]) || vmm_set_reg(vm, t, 0, a[2]) ||
			 set_mp_state(vm, t, KVM_MP_STATE_RUNNABLE))
			ret[0] = TESTVM_PSCI_DENIED;
		else {
			testvm_on[t] = true;
			testvm_stopped[t] = false;
			ret[0] = TESTVM_PSCI_SUCCESS;
		}
		break;
	case TESTVM_PSCI_CPU_OFF:
		/*
		 * libvmm resumes the vCPU after the handler, which then parks;
		 * do_call() stops it there (KVM_RUN on a stopped vCPU would
		 * sleep until it is started again).
		 */
		testvm_on[vcpu] = false;
		testvm_off_pending = vcpu;
		ret[0] = TESTVM_PSCI_DENIED;	/* never seen: not returned */
		break;
	case TESTVM_PSCI_AFFINITY_INFO:
		if (a[1] > 3) {
			ret[0] = TESTVM_PSCI_INVALID_PARAMS;
			break;
		}
		if (mpidr_vcpu(a[0] & ~((1ull << (8 * a[1])) - 1)) < 0 && a[1] == 0) {
			ret[0] = TESTVM_PSCI_INVALID_PARAMS;
			break;
		}
		ret[0] = 1;	/* OFF */
		for (i = 0; i < TESTVM_NR_VCPUS; i++) {
			uint64_t mask = TESTVM_MPIDR_HWID & ~((1ull << (8 * a[1])) - 1);

			if (((uint64_t)i & mask) == (a[0] & mask) && testvm_on[i])
				ret[0] = 0;	/* ON */
		}
		break;
	}
}

static void on_hypercall(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			 uint64_t ret[4], void *opaque)
{
	(void)opaque;
	ret[0] = TESTVM_FWD_X0;
	ret[1] = run->hypercall.nr;
	ret[2] = 0;
	ret[3] = 0;
	switch ((uint32_t)run->hypercall.nr) {
	case TESTVM_FFA_VERSION:
		ret[0] = TESTVM_FFA_V1_1;
		ret[1] = 0;
		break;
	case TESTVM_FFA_ID_GET:
		ret[0] = TESTVM_FFA_SUCCESS_32;
		ret[1] = 0;
		ret[2] = TESTVM_FFA_PART_ID;
		break;
	case TESTVM_PSCI_CPU_OFF:
	case TESTVM_PSCI_CPU_ON:
	case TESTVM_PSCI_CPU_ON | TESTVM_PSCI_SMC64:
	case TESTVM_PSCI_AFFINITY_INFO:
	case TESTVM_PSCI_AFFINITY_INFO | TESTVM_PSCI_SMC64:
		psci(vm, vcpu, (uint32_t)run->hypercall.nr, ret);
		break;
	default:
		if (((uint32_t)run->hypercall.nr & TESTVM_VH_MASK) == TESTVM_VH_BASE)
			vendor_hyp(vcpu, (uint32_t)run->hypercall.nr, ret);
		break;
	}
}

/* Numbers in any base strtoull takes (0x..., decimal), the full 64 bits. */
static int parse_u64s(char *s, uint64_t *v, int max)
{
	char *tok, *end;
	int n = 0;

	for (tok = strtok(s, " \t\n"); tok && n < max; tok = strtok(NULL, " \t\n")) {
		errno = 0;
		v[n] = strtoull(tok, &end, 0);
		if (errno || *end)
			return -1;
		n++;
	}
	return tok ? -1 : n;
}

/* "hvc|smc VCPU" at the start of s; returns the rest or NULL. */
static char *parse_target(char *s, enum vmm_conduit *conduit, int *vcpu)
{
	char name[8];
	int used = 0;

	if (sscanf(s, "%7s %d %n", name, vcpu, &used) < 2 || !used || *vcpu < 0 || *vcpu > 1)
		return NULL;
	if (!strcmp(name, "hvc"))
		*conduit = VMM_HVC;
	else if (!strcmp(name, "smc"))
		*conduit = VMM_SMC;
	else
		return NULL;
	return s + used;
}

static void do_loop(struct vmm_vm *vm, char *args)
{
	struct vmm_call call = { 0 };
	struct vmm_loop_result res;
	uint64_t v[4];
	char *rest;
	int vcpu, r;

	rest = parse_target(args, &call.conduit, &vcpu);
	if (!rest || parse_u64s(rest, v, 4) != 4) {
		printf("error bad command\n");
		return;
	}
	call.func_id = v[0];
	r = vmm_loop(vm, vcpu, &call, v[1], v[2], v[3], &res);
	if (r) {
		printf("error loop %s\n", strerror(-r));
		return;
	}
	printf("loop calls=%" PRIu64 " a=%" PRIu64 " b=%" PRIu64 " other=%" PRIu64
	       " fwd=%" PRIu64 "\n", res.calls, res.x0_eq_a, res.x0_eq_b, res.x0_other,
	       res.forwarded);
}

static void do_call(struct vmm_vm *vm, char *args)
{
	struct vmm_call call = { 0 };
	struct vmm_result res;
	uint64_t v[4] = { 0 };
	char *rest;
	int vcpu, n, r;

	rest = parse_target(args, &call.conduit, &vcpu);
	n = rest ? parse_u64s(rest, v, 4) : -1;
	if (n < 1) {
		printf("error bad command\n");
		return;
	}
	if (testvm_stopped[vcpu]) {
		printf("error call vcpu %d is off\n", vcpu);
		return;
	}
	call.func_id = v[0];
	call.args[0] = v[1];
	call.args[1] = v[2];
	call.args[2] = v[3];
	testvm_off_pending = -1;
	r = vmm_call(vm, vcpu, &call, &res);
	if (!r && testvm_off_pending == vcpu) {
		/* The VMM's CPU_OFF: parked now, stop it; no answer for the guest. */
		testvm_stopped[vcpu] = true;
		r = set_mp_state(vm, vcpu, KVM_MP_STATE_STOPPED);
		if (!r) {
			printf("off %d fwd=%d\n", vcpu, res.forwarded);
			return;
		}
	}
	if (r) {
		printf("error call %s\n", strerror(-r));
		return;
	}
	printf("ret 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " fwd=%d\n",
	       res.x[0], res.x[1], res.x[2], res.x[3], res.forwarded);
}

static void do_online(struct vmm_vm *vm, const char *args)
{
	int vcpu, r;

	if (sscanf(args, "%d", &vcpu) != 1 || vcpu < 0 || vcpu >= TESTVM_NR_VCPUS) {
		printf("error bad command\n");
		return;
	}
	r = vmm_wait_online(vm, vcpu);
	if (r) {
		printf("error online %s\n", strerror(-r));
		return;
	}
	testvm_on[vcpu] = true;		/* KVM's CPU_ON too */
	printf("online %d\n", vcpu);
}

static void do_plug(const char *args)
{
	int vcpu, on;

	if (sscanf(args, "%d %d", &vcpu, &on) != 2 || vcpu < 0 || vcpu >= TESTVM_NR_VCPUS ||
	    (on != 0 && on != 1)) {
		printf("error bad command\n");
		return;
	}
	testvm_plugged[vcpu] = on;
	printf("plug %d %d\n", vcpu, on);
}

int main(void)
{
	struct vmm_vm_opts opts = { .nr_vcpus = TESTVM_NR_VCPUS };
	const char *env = getenv("SMCCC_TESTVM_SECONDARY_OFF");
	const char *exits = getenv("SMCCC_TESTVM_EXITS");
	char line[256];
	struct vmm_vm *vm;
	uint64_t id = 0;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opts.secondaries_off = env && !strcmp(env, "1");
	testvm_on[1] = !opts.secondaries_off;
	vm = vmm_vm_create_opts(&opts);
	if (!vm) {
		printf("error create %s\n", strerror(errno));
		return 1;
	}
	r = vmm_vm_id(vm, &id);
	if (r) {
		printf("error vm_id %s\n", strerror(-r));
		return 1;
	}
	if (!exits || strcmp(exits, "0")) {
		r = vmm_set_smccc_bpf_flags(vm, SMCCC_BPF_FLAG_EXITS);
		if (r) {
			printf("error exits opt-in %s\n", strerror(-r));
			return 1;
		}
	}
	vmm_set_hypercall_handler(vm, on_hypercall, NULL);
	printf("vm_id %" PRIu64 "\n", id);

	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "quit", 4))
			break;
		if (!strncmp(line, "id", 2))
			printf("vm_id %" PRIu64 "\n", id);
		else if (!strncmp(line, "call ", 5))
			do_call(vm, line + 5);
		else if (!strncmp(line, "loop ", 5))
			do_loop(vm, line + 5);
		else if (!strncmp(line, "online ", 7))
			do_online(vm, line + 7);
		else if (!strncmp(line, "plug ", 5))
			do_plug(line + 5);
		else if (!strncmp(line, "entry", 5))
			printf("entry 0x%" PRIx64 "\n", vmm_entry_addr(vm));
		else
			printf("error bad command\n");
	}
	vmm_vm_destroy(vm);
	return 0;
}
