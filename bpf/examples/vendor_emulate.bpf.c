// SPDX-License-Identifier: GPL-2.0
/*
 * vendor_emulate: answer a SiP "board info" call in the kernel, with a
 * serial number of each VM's own, and count who asks.
 *
 * Why: guest firmware and drivers written for a real board probe it with
 * SiP calls. KVM implements none, so without a policy the call is
 * NOT_SUPPORTED, or the VMM must ask for KVM_EXIT_HYPERCALL and answer in
 * userspace: an exit per call for an answer that never changes. RETURN
 * answers from the kernel, on the vCPU's own thread.
 *
 * What the policy language cannot do here: its "return" values are
 * constants, the same for every VM, and it keeps no state a program can
 * read back. Here the serial number is computed from the calling VM's id,
 * and a hash map counts the calls per VM for the operator:
 *
 *   bpftool map dump name board_calls          (key: VM id, value: calls)
 *
 * The call (made up for this example; a real board's SiP numbers come from
 * its vendor), SMC32 0x82000010 or SMC64 0xc2000010, no arguments:
 *   x0 = SUCCESS, x1 = board id, x2 = board revision,
 *   x3 = serial number: BOARD_SERIAL_BASE + the VM's smccc-bpf id.
 * All four fit in 32 bits (the serial is cut to 32 bits for SMC32): an
 * SMC32 caller reads w0..w3. Every other call is KVM's.
 */
#include "vmlinux.h"
#include "smccc_bpf.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define SIP_BOARD_INFO_32	0x82000010u
#define SIP_BOARD_INFO_64	0xc2000010u

#define BOARD_ID		0x5a17b0a4u
#define BOARD_REVISION		0x0102u		/* rev 1.2 */
#define BOARD_SERIAL_BASE	0x5e000000u

/* VM id -> board info calls; LRU so that VMs long gone age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} board_calls SEC(".maps");

static void count_call(__u64 vm_id)
{
	__u64 one = 1, *cnt;

	cnt = bpf_map_lookup_elem(&board_calls, &vm_id);
	if (cnt) {
		/* Two vCPUs of one VM may ask at once. */
		__sync_fetch_and_add(cnt, 1);
		return;
	}
	/* First call of this VM; if another vCPU won the race, add to its entry. */
	if (bpf_map_update_elem(&board_calls, &vm_id, &one, BPF_NOEXIST)) {
		cnt = bpf_map_lookup_elem(&board_calls, &vm_id);
		if (cnt)
			__sync_fetch_and_add(cnt, 1);
	}
}

SEC("struct_ops/decide")
int BPF_PROG(board_decide, struct kvm_smccc_call *call)
{
	__u64 serial;

	if (call->func_id != SIP_BOARD_INFO_32 && call->func_id != SIP_BOARD_INFO_64)
		return SMCCC_BPF_ACT_HANDLE;

	/*
	 * call->vm_id is the calling VM's, also when this object is the
	 * host-wide default: one program gives every VM its own serial.
	 */
	count_call(call->vm_id);
	serial = BOARD_SERIAL_BASE + call->vm_id;
	if (call->func_id == SIP_BOARD_INFO_32)
		serial = (__u32)serial;
	bpf_kvm_smccc_set_return(call, SMCCC_BPF_RET_SUCCESS, BOARD_ID, BOARD_REVISION, serial);
	return SMCCC_BPF_ACT_RETURN;
}

/* vm_id 0 for bpftool; the CLI sets the VM's. Map name < 16 bytes. */
SMCCC_BPF_POLICY(board_info, board_decide, SMCCC_BPF_VM_ID_GLOBAL);
