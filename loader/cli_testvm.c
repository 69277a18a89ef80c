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
 *           x0 = 0x5ec0de, x1 = the function ID
 *   id   -> "vm_id N"
 *   quit -> exits (as does the end of stdin)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define TESTVM_FWD_X0	0x5ec0deu

static void on_hypercall(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			 uint64_t ret[4], void *opaque)
{
	(void)vm; (void)vcpu; (void)opaque;
	ret[0] = TESTVM_FWD_X0;
	ret[1] = run->hypercall.nr;
	ret[2] = 0;
	ret[3] = 0;
}

int main(void)
{
	char line[256], conduit[8];
	struct vmm_vm *vm;
	uint64_t id = 0;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	vm = vmm_vm_create(2);
	if (!vm) {
		printf("error create %s\n", strerror(errno));
		return 1;
	}
	r = vmm_vm_id(vm, &id);
	if (r) {
		printf("error vm_id %s\n", strerror(-r));
		return 1;
	}
	vmm_set_hypercall_handler(vm, on_hypercall, NULL);
	printf("vm_id %" PRIu64 "\n", id);

	while (fgets(line, sizeof(line), stdin)) {
		struct vmm_call call = { 0 };
		struct vmm_result res;
		unsigned long long f = 0, x[3] = { 0 };
		int vcpu = 0, n;

		if (!strncmp(line, "quit", 4))
			break;
		if (!strncmp(line, "id", 2)) {
			printf("vm_id %" PRIu64 "\n", id);
			continue;
		}
		n = sscanf(line, "call %7s %d %lli %lli %lli %lli", conduit, &vcpu, &f, &x[0], &x[1],
			   &x[2]);
		if (n < 3 || vcpu < 0 || vcpu > 1) {
			printf("error bad command\n");
			continue;
		}
		call.conduit = !strcmp(conduit, "smc") ? VMM_SMC : VMM_HVC;
		call.func_id = f;
		call.args[0] = x[0];
		call.args[1] = x[1];
		call.args[2] = x[2];
		r = vmm_call(vm, vcpu, &call, &res);
		if (r) {
			printf("error call %s\n", strerror(-r));
			continue;
		}
		printf("ret 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " fwd=%d\n",
		       res.x[0], res.x[1], res.x[2], res.x[3], res.forwarded);
	}
	vmm_vm_destroy(vm);
	return 0;
}
