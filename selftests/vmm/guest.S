/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Guest code for libvmm. The bytes between vmm_guest_start and
 * vmm_guest_end are copied to the start of guest memory and run at EL1 with
 * the MMU off, so everything here is position independent and touches no
 * memory: all inputs and outputs travel in registers, set and read by the
 * host with KVM_{SET,GET}_ONE_REG. (That also sidesteps cacheability
 * mismatches between the MMU-off guest and the host's view of the page.)
 *
 * Register contract (see vmm.c):
 *   x0..x17  SMCCC function id and arguments
 *   x19      scratch: MMIO address used to park
 *   x20      where the trampoline jumps when the host resumes a parked vCPU
 *   x21      loop: count in, remaining (0) out
 *   x22/x23  loop: values a and b to classify x0 against
 *   x24..x27 loop: saved x0..x3 (reloaded before every call)
 *   x28..x30 loop: number of x0 == a, x0 == b, other
 *   x18      loop: CNTVCT_EL0 delta
 */

/* Must match vmm.c. Unmapped IPAs: a store there exits with KVM_EXIT_MMIO. */
#define VMM_MMIO_PARK	0x20000000
#define VMM_MMIO_EXC	0x20000008

/* Values of enum vmm_conduit. */
#define VMM_HVC		0
#define VMM_SMC		1

	.section .rodata.vmm_guest, "a"
	.balign	2048
	.globl	vmm_guest_start
vmm_guest_start:

/*
 * Exception vectors (VBAR_EL1 points here). Nothing should ever trap to
 * the guest; if something does, report it instead of letting the vCPU
 * spin through unmapped vectors forever.
 */
.macro	vector	off
	.balign	0x80
	mov	x3, #\off
	b	vmm_guest_exc
.endm
	vector	0x000
	vector	0x080
	vector	0x100
	vector	0x180
	vector	0x200
	vector	0x280
	vector	0x300
	vector	0x380
	vector	0x400
	vector	0x480
	vector	0x500
	vector	0x580
	vector	0x600
	vector	0x680
	vector	0x700
	vector	0x780

vmm_guest_exc:
	mrs	x0, esr_el1
	mrs	x1, elr_el1
	mrs	x2, far_el1
	movz	x19, #(VMM_MMIO_EXC >> 16), lsl #16
	movk	x19, #(VMM_MMIO_EXC & 0xffff)
	str	x0, [x19]		/* data = ESR_EL1; x1..x3 for the report */
1:	b	1b

/*
 * Park: hand control back to the host. When the host resumes, KVM
 * completes the MMIO store by stepping over it, so the vCPU continues at
 * the br, which goes wherever the host put into x20. Setting the PC
 * directly would not work while the MMIO completion is pending: KVM would
 * skip the first instruction at the new PC.
 */
	.globl	vmm_guest_tramp
vmm_guest_tramp:
.Ltramp:
	movz	x19, #(VMM_MMIO_PARK >> 16), lsl #16
	movk	x19, #(VMM_MMIO_PARK & 0xffff)
	.globl	vmm_guest_park
vmm_guest_park:
	str	xzr, [x19]
	br	x20

/*
 * For each supported (insn, imm): a call stub, which is just the
 * instruction, and a loop stub. A table row { conduit, imm, call offset,
 * loop offset } goes to .rodata.vmm_guest_table for the host.
 */
.macro	stubs	insn, imm, conduit
	.balign	4
.Lcall\@:
	\insn	#\imm
	b	.Ltramp

.Lloop\@:
	mov	x24, x0
	mov	x25, x1
	mov	x26, x2
	mov	x27, x3
	mov	x28, xzr
	mov	x29, xzr
	mov	x30, xzr
	isb				/* don't read the counter early */
	mrs	x18, cntvct_el0
	cbz	x21, .Ldone\@
.Lagain\@:
	mov	x0, x24
	mov	x1, x25
	mov	x2, x26
	mov	x3, x27
	\insn	#\imm
	cmp	x0, x22
	b.eq	.Leqa\@
	cmp	x0, x23
	b.eq	.Leqb\@
	add	x30, x30, #1
	b	.Lnext\@
.Leqa\@:
	add	x28, x28, #1
	b	.Lnext\@
.Leqb\@:
	add	x29, x29, #1
.Lnext\@:
	subs	x21, x21, #1
	b.ne	.Lagain\@
.Ldone\@:
	isb				/* all calls retired before the read */
	mrs	x0, cntvct_el0
	sub	x18, x0, x18
	b	.Ltramp

	.pushsection .rodata.vmm_guest_table, "a"
	.quad	\conduit, \imm, .Lcall\@ - vmm_guest_start, .Lloop\@ - vmm_guest_start
	.popsection
.endm

	.pushsection .rodata.vmm_guest_table, "a"
	.balign	8
	.globl	vmm_guest_table
vmm_guest_table:
	.popsection

	stubs	hvc, 0, VMM_HVC
	stubs	hvc, 1, VMM_HVC
	stubs	hvc, 0x1234, VMM_HVC
	stubs	hvc, 0xffff, VMM_HVC
	stubs	smc, 0, VMM_SMC
	stubs	smc, 1, VMM_SMC

/*
 * Batch: the calls of a table in guest memory, one after the other, with
 * no host round trip in between (vmm_batch()). x21 = entries left, x22 =
 * address of the next entry: { stub index, x0..x17 in, x0..x3 out }
 * (VMM_BATCH_* in vmm.c). The stub index picks the instruction from
 * .Lbatch_insns, each two instructions long. The SMCCC callee, KVM or a
 * VMM answering a forwarded call, preserves x4..x30 but for x0..x3.
 */
	.globl	vmm_guest_batch
vmm_guest_batch:
	adr	x23, .Lbatch_insns
.Lbatch_next:
	cbz	x21, .Ltramp
	ldr	x24, [x22]
	add	x25, x23, x24, lsl #3
	ldp	x0, x1, [x22, #8]
	ldp	x2, x3, [x22, #24]
	ldp	x4, x5, [x22, #40]
	ldp	x6, x7, [x22, #56]
	ldp	x8, x9, [x22, #72]
	ldp	x10, x11, [x22, #88]
	ldp	x12, x13, [x22, #104]
	ldp	x14, x15, [x22, #120]
	ldp	x16, x17, [x22, #136]
	br	x25
.Lbatch_ret:
	stp	x0, x1, [x22, #152]
	stp	x2, x3, [x22, #168]
	add	x22, x22, #184
	sub	x21, x21, #1
	b	.Lbatch_next

/* Stub index i (vmm.c batch_insns[] lists them in this order). */
.Lbatch_insns:
	hvc	#0
	b	.Lbatch_ret
	hvc	#1
	b	.Lbatch_ret
	hvc	#0x1234
	b	.Lbatch_ret
	hvc	#0xffff
	b	.Lbatch_ret
	smc	#0
	b	.Lbatch_ret
	smc	#1
	b	.Lbatch_ret

	.globl	vmm_guest_end
vmm_guest_end:

	.pushsection .rodata.vmm_guest_table, "a"
	.globl	vmm_guest_table_end
vmm_guest_table_end:
	.popsection

	.section .note.GNU-stack, "", %progbits
