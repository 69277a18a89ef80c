// SPDX-License-Identifier: GPL-2.0
/*
 * psci_only: a guest that may talk PSCI to its hypervisor and nothing else.
 *
 * For a minimal guest (a unikernel, a confidential workload, a test VM)
 * every firmware service it does not need is attack surface and a way to
 * learn about the host: TRNG, PV time, KVM's PTP and vendor calls, FF-A,
 * SiP/OEM calls a VMM may forward. An allow-list says "PSCI only" and
 * keeps saying it when a new kernel grows a new service; a deny-list
 * would silently let the new service through.
 *
 * In the policy language this is two lines ("default deny; handle service
 * psci;"); this is the same decision written in C, as a starting point for
 * policies that need more than the language offers.
 *
 *   smccc-bpf policy attach --vm ID psci_only.bpf.o           (one VM)
 *   bpftool struct_ops register psci_only.bpf.o /sys/fs/bpf/smccc-bpf
 *                                                  (every VM without its own)
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * PSCI owns function numbers 0x00-0x1f of the Standard Secure service, in
 * both calling conventions (DEN0028, DEN0022). Comparing the ID with the
 * SMC64 bit (30) cleared covers both with one range check.
 */
#define PSCI_FIRST	0x84000000u
#define PSCI_LAST	0x8400001fu
#define SMC64_BIT	0x40000000u

static bool is_psci(__u32 func_id)
{
	__u32 id32 = func_id & ~SMC64_BIT;

	return id32 >= PSCI_FIRST && id32 <= PSCI_LAST;
}

SEC("struct_ops/decide")
int BPF_PROG(psci_decide, struct kvm_smccc_call *call)
{
	/*
	 * KVM answers the architecture calls (SMCCC_VERSION, ARCH_FEATURES,
	 * the Spectre workarounds) whatever we say: a guest must be able to
	 * trust its mitigation discovery. Saying HANDLE keeps the program
	 * honest about what the guest gets.
	 */
	if (smccc_bpf_is_arch_call(call->func_id))
		return SMCCC_BPF_ACT_HANDLE;
	/*
	 * PSCI 0.2+ IDs only: KVM's PSCI 0.1 IDs (0x95c1ba5e-61) are only
	 * used by VMs created without KVM_ARM_VCPU_PSCI_0_2, which a modern
	 * VMM does not do; a PSCI-only guest does not need them.
	 */
	if (is_psci(call->func_id))
		return SMCCC_BPF_ACT_HANDLE;
	return SMCCC_BPF_ACT_DENY;
}

/*
 * vm_id 0 (the host-wide default) so that bpftool can register the object
 * as it is; "smccc-bpf policy attach --vm ID" rewrites it before loading.
 * The map name is the name bpftool pins the link under: < 16 bytes.
 */
SMCCC_BPF_POLICY(psci_only, psci_decide, SMCCC_BPF_VM_ID_GLOBAL);
