// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libvmm: a tiny KVM/arm64 VMM for smccc-bpf tests. See vmm.h for the API
 * and guest.S for the guest side of the register contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"
#include "smccc_bpf.h"

/*
 * Guest physical layout. Guest memory is one 64 KiB memslot (a multiple of
 * every arm64 page size) starting with the code blob. The MMIO addresses
 * lie outside any memslot and must match guest.S.
 */
#define VMM_MEM_GPA	0x40000000ull
#define VMM_MEM_SIZE	0x10000ull
#define VMM_MMIO_PARK	0x20000000ull
#define VMM_MMIO_EXC	0x20000008ull

/*
 * The batch table (vmm_batch()), after the code blob: entries of
 * { stub index, x0..x17, x0..x3 out }, 8-byte words, as guest.S reads them.
 */
#define VMM_BATCH_OFF	0x1000ull
#define VMM_BATCH_WORDS	23
#define VMM_BATCH_OUT	19	/* word of x0 out */
#define R_BATCH_LEFT	21
#define R_BATCH_NEXT	22

/* Registers of the guest.S contract. */
#define R_TARGET	20
#define R_LOOP_COUNT	21
#define R_LOOP_A	22
#define R_LOOP_B	23
#define R_LOOP_EQ_A	28
#define R_LOOP_EQ_B	29
#define R_LOOP_OTHER	30
#define R_LOOP_TICKS	18

#define VBAR_EL1	ARM64_SYS_REG(3, 0, 12, 0, 0)

/* Symbols from guest.S. */
extern const char vmm_guest_start[], vmm_guest_end[];
extern const char vmm_guest_tramp[], vmm_guest_park[], vmm_guest_batch[];

struct guest_stub {
	uint64_t conduit, imm, call_off, loop_off;
};
extern const struct guest_stub vmm_guest_table[], vmm_guest_table_end[];

struct vmm_vcpu {
	int fd;
	struct kvm_run *run;
	pthread_mutex_t lock;
	bool parked;	/* stopped on the trampoline's MMIO store */
	bool off;	/* created powered off, not seen online yet */
	bool broken;	/* unexpected exit: state unknown */
};

struct vmm_vm {
	int kvm_fd;
	int vm_fd;
	void *mem;
	size_t run_size;
	vmm_hypercall_fn hc_fn;
	void *hc_opaque;
	bool eintr_fails;	/* vmm_set_eintr_fails() */
	int nr_vcpus;
	struct vmm_vcpu vcpus[];
};

/* What the run loop saw besides the final park. */
struct run_stats {
	uint64_t forwarded;
	uint64_t hc_nr, hc_flags, exit_pc;
};

static const char *exit_reason_str(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_UNKNOWN:		return "UNKNOWN";
	case KVM_EXIT_EXCEPTION:	return "EXCEPTION";
	case KVM_EXIT_HYPERCALL:	return "HYPERCALL";
	case KVM_EXIT_DEBUG:		return "DEBUG";
	case KVM_EXIT_MMIO:		return "MMIO";
	case KVM_EXIT_SHUTDOWN:		return "SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY:	return "FAIL_ENTRY";
	case KVM_EXIT_INTR:		return "INTR";
	case KVM_EXIT_INTERNAL_ERROR:	return "INTERNAL_ERROR";
	case KVM_EXIT_SYSTEM_EVENT:	return "SYSTEM_EVENT";
	case KVM_EXIT_ARM_NISV:		return "ARM_NISV";
	default:			return "?";
	}
}

static uint64_t reg_id(int n)
{
	if (n == VMM_REG_PC)
		return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
		       KVM_REG_ARM_CORE_REG(regs.pc);
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       (KVM_REG_ARM_CORE_REG(regs.regs[0]) + n * 2);	/* 2 x u32 per reg */
}

static int one_reg(int vcpu_fd, unsigned long req, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(vcpu_fd, req, &reg) ? -errno : 0;
}

static int valid_reg(const struct vmm_vm *vm, int vcpu, int n)
{
	return vm && vcpu >= 0 && vcpu < vm->nr_vcpus &&
	       ((n >= 0 && n <= 30) || n == VMM_REG_PC);
}

int vmm_get_reg(struct vmm_vm *vm, int vcpu, int n, uint64_t *val)
{
	if (!valid_reg(vm, vcpu, n))
		return -EINVAL;
	return one_reg(vm->vcpus[vcpu].fd, KVM_GET_ONE_REG, reg_id(n), val);
}

int vmm_set_reg(struct vmm_vm *vm, int vcpu, int n, uint64_t val)
{
	if (!valid_reg(vm, vcpu, n))
		return -EINVAL;
	return one_reg(vm->vcpus[vcpu].fd, KVM_SET_ONE_REG, reg_id(n), &val);
}

/* Like vmm_{get,set}_reg() but reports failures: for the internal paths. */
static int get_reg(struct vmm_vm *vm, int vcpu, int n, uint64_t *val)
{
	int r = vmm_get_reg(vm, vcpu, n, val);

	if (r)
		fprintf(stderr, "vmm: vcpu %d: KVM_GET_ONE_REG x%d: %s\n", vcpu, n, strerror(-r));
	return r;
}

static int set_reg(struct vmm_vm *vm, int vcpu, int n, uint64_t val)
{
	int r = vmm_set_reg(vm, vcpu, n, val);

	if (r)
		fprintf(stderr, "vmm: vcpu %d: KVM_SET_ONE_REG x%d: %s\n", vcpu, n, strerror(-r));
	return r;
}

static uint64_t guest_addr(const char *sym)
{
	return VMM_MEM_GPA + (uint64_t)(sym - vmm_guest_start);
}

static const struct guest_stub *find_stub(enum vmm_conduit conduit, uint16_t imm)
{
	const struct guest_stub *s;

	for (s = vmm_guest_table; s < vmm_guest_table_end; s++)
		if (s->conduit == (uint64_t)conduit && s->imm == imm)
			return s;
	return NULL;
}

uint64_t vmm_insn_addr(const struct vmm_vm *vm, enum vmm_conduit conduit, uint16_t imm)
{
	const struct guest_stub *s = find_stub(conduit, imm);

	(void)vm;
	return s ? VMM_MEM_GPA + s->call_off : 0;
}

uint64_t vmm_entry_addr(const struct vmm_vm *vm)
{
	(void)vm;
	return guest_addr(vmm_guest_tramp);
}

int vmm_vm_fd(const struct vmm_vm *vm)
{
	return vm->vm_fd;
}

int vmm_vcpu_fd(const struct vmm_vm *vm, int vcpu)
{
	if (vcpu < 0 || vcpu >= vm->nr_vcpus)
		return -EINVAL;
	return vm->vcpus[vcpu].fd;
}

int vmm_nr_vcpus(const struct vmm_vm *vm)
{
	return vm->nr_vcpus;
}

void vmm_set_hypercall_handler(struct vmm_vm *vm, vmm_hypercall_fn fn, void *opaque)
{
	vm->hc_fn = fn;
	vm->hc_opaque = opaque;
}

void vmm_set_eintr_fails(struct vmm_vm *vm, bool on)
{
	vm->eintr_fails = on;
}

uint64_t vmm_counter_freq(void)
{
	uint64_t freq;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return freq;
}

int vmm_vm_id(const struct vmm_vm *vm, uint64_t *id)
{
	struct kvm_device_attr attr = {
		.group	= SMCCC_BPF_KVM_ARM_VM_SMCCC_CTRL,
		.attr	= SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_VM_ID,
		.addr	= (uint64_t)(uintptr_t)id,
	};

	return ioctl(vm->vm_fd, KVM_GET_DEVICE_ATTR, &attr) ? -errno : 0;
}

int vmm_set_smccc_bpf_flags(struct vmm_vm *vm, uint64_t flags)
{
	struct kvm_device_attr attr = {
		.group	= SMCCC_BPF_KVM_ARM_VM_SMCCC_CTRL,
		.attr	= SMCCC_BPF_KVM_ARM_VM_SMCCC_BPF_FLAGS,
		.addr	= (uint64_t)(uintptr_t)&flags,
	};

	return ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

int vmm_set_smccc_filter(struct vmm_vm *vm, uint32_t base, uint32_t nr_functions,
			 uint8_t action)
{
	struct kvm_smccc_filter filter = {
		.base		= base,
		.nr_functions	= nr_functions,
		.action		= action,
	};
	struct kvm_device_attr attr = {
		.group	= KVM_ARM_VM_SMCCC_CTRL,
		.attr	= KVM_ARM_VM_SMCCC_FILTER,
		.addr	= (uint64_t)(uintptr_t)&filter,
	};

	return ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

/* ---- creation / destruction ---- */

/*
 * Without our vectors a guest exception would jump to VBAR_EL1 = 0, which
 * is unmapped; KVM answers the instruction abort by injecting another one
 * and the vCPU spins forever instead of reporting anything.
 */
static int set_vbar(struct vmm_vm *vm, int vcpu)
{
	uint64_t vbar = guest_addr(vmm_guest_start);
	int r = one_reg(vm->vcpus[vcpu].fd, KVM_SET_ONE_REG, VBAR_EL1, &vbar);

	if (r)
		fprintf(stderr, "vmm: vcpu %d: set VBAR_EL1: %s\n", vcpu, strerror(-r));
	return r;
}

static int vcpu_create(struct vmm_vm *vm, int idx, const struct kvm_vcpu_init *tmpl,
		       bool off)
{
	struct vmm_vcpu *v = &vm->vcpus[idx];
	struct kvm_vcpu_init init = *tmpl;
	void *run;

	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, idx);
	if (v->fd < 0) {
		fprintf(stderr, "vmm: KVM_CREATE_VCPU %d: %s\n", idx, strerror(errno));
		return -errno;
	}

	if (off)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init)) {
		fprintf(stderr, "vmm: KVM_ARM_VCPU_INIT %d: %s\n", idx, strerror(errno));
		return -errno;
	}

	run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		fprintf(stderr, "vmm: mmap kvm_run %d: %s\n", idx, strerror(errno));
		return -errno;
	}
	v->run = run;
	v->off = off;

	return set_vbar(vm, idx);
}

static int mem_create(struct vmm_vm *vm)
{
	struct kvm_userspace_memory_region region = {
		.slot		 = 0,
		.guest_phys_addr = VMM_MEM_GPA,
		.memory_size	 = VMM_MEM_SIZE,
	};
	size_t code_size = vmm_guest_end - vmm_guest_start;

	vm->mem = mmap(NULL, VMM_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		fprintf(stderr, "vmm: mmap guest memory: %s\n", strerror(errno));
		return -errno;
	}
	if (code_size > VMM_BATCH_OFF) {
		fprintf(stderr, "vmm: guest code (%zu bytes) overlaps the batch table\n", code_size);
		return -E2BIG;
	}
	memcpy(vm->mem, vmm_guest_start, code_size);

	region.userspace_addr = (uint64_t)(uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		fprintf(stderr, "vmm: KVM_SET_USER_MEMORY_REGION: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static int vm_open(struct vmm_vm *vm)
{
	int r;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		fprintf(stderr, "vmm: open /dev/kvm: %s\n", strerror(errno));
		return -errno;
	}

	/* Like the kernel selftests: KVM_CREATE_VM can fail with EINTR. */
	do {
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	} while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		fprintf(stderr, "vmm: KVM_CREATE_VM: %s\n", strerror(errno));
		return -errno;
	}

	r = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		fprintf(stderr, "vmm: KVM_GET_VCPU_MMAP_SIZE: %s\n", strerror(errno));
		return -errno;
	}
	vm->run_size = r;
	return 0;
}

struct vmm_vm *vmm_vm_create_opts(const struct vmm_vm_opts *opts)
{
	struct kvm_vcpu_init init;
	struct vmm_vm *vm;
	int i, r;

	if (!opts || opts->nr_vcpus < 1 || opts->nr_vcpus > 256) {
		fprintf(stderr, "vmm: bad number of vCPUs\n");
		errno = EINVAL;
		return NULL;
	}

	vm = calloc(1, sizeof(*vm) + opts->nr_vcpus * sizeof(vm->vcpus[0]));
	if (!vm) {
		fprintf(stderr, "vmm: out of memory\n");
		return NULL;
	}
	vm->kvm_fd = vm->vm_fd = -1;
	for (i = 0; i < opts->nr_vcpus; i++) {
		vm->vcpus[i].fd = -1;
		pthread_mutex_init(&vm->vcpus[i].lock, NULL);
	}

	r = vm_open(vm);
	if (r)
		goto err;
	r = mem_create(vm);
	if (r)
		goto err;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init)) {
		r = -errno;
		fprintf(stderr, "vmm: KVM_ARM_PREFERRED_TARGET: %s\n", strerror(errno));
		goto err;
	}
	/* In-kernel PSCI 0.2+ as any real VMM: PSCI calls are dispatched by KVM. */
	if (!opts->psci_0_1)
		init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;

	/* Count vCPUs as they come so destroy cleans up a partial VM. */
	for (i = 0; i < opts->nr_vcpus; i++) {
		vm->nr_vcpus = i + 1;
		r = vcpu_create(vm, i, &init, opts->secondaries_off && i > 0);
		if (r)
			goto err;
	}
	return vm;

err:
	vmm_vm_destroy(vm);
	errno = -r;
	return NULL;
}

struct vmm_vm *vmm_vm_create(int nr_vcpus)
{
	struct vmm_vm_opts opts = { .nr_vcpus = nr_vcpus };

	return vmm_vm_create_opts(&opts);
}

void vmm_vm_destroy(struct vmm_vm *vm)
{
	int saved_errno = errno;
	int i;

	if (!vm)
		return;

	/*
	 * Every kvm_run mapping and vCPU fd holds a reference to the VM; the
	 * kernel destroys it when the last one goes.
	 */
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
		pthread_mutex_destroy(&vm->vcpus[i].lock);
	}
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->mem)
		munmap(vm->mem, VMM_MEM_SIZE);
	free(vm);
	errno = saved_errno;
}

/* ---- running ---- */

static void report_exit(struct vmm_vm *vm, int vcpu, const char *what)
{
	struct kvm_run *run = vm->vcpus[vcpu].run;
	uint64_t pc = 0;

	vmm_get_reg(vm, vcpu, VMM_REG_PC, &pc);
	fprintf(stderr, "vmm: vcpu %d: %s: exit reason %u (%s), pc 0x%llx",
		vcpu, what, run->exit_reason, exit_reason_str(run->exit_reason),
		(unsigned long long)pc);

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		fprintf(stderr, ", %s 0x%llx len %u",
			run->mmio.is_write ? "write" : "read",
			(unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, ", hardware_entry_failure_reason 0x%llx",
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_ARM_NISV:
		fprintf(stderr, ", esr_iss 0x%llx fault_ipa 0x%llx",
			(unsigned long long)run->arm_nisv.esr_iss,
			(unsigned long long)run->arm_nisv.fault_ipa);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		fprintf(stderr, ", system event type %u", run->system_event.type);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		fprintf(stderr, ", suberror %u", run->internal.suberror);
		break;
	}
	fputc('\n', stderr);
}

/* The guest took an exception to its vectors (guest.S: vmm_guest_exc). */
static void report_guest_exception(struct vmm_vm *vm, int vcpu)
{
	uint64_t esr, elr = 0, far = 0, vec = 0;

	memcpy(&esr, vm->vcpus[vcpu].run->mmio.data, sizeof(esr));
	vmm_get_reg(vm, vcpu, 1, &elr);
	vmm_get_reg(vm, vcpu, 2, &far);
	vmm_get_reg(vm, vcpu, 3, &vec);
	fprintf(stderr,
		"vmm: vcpu %d: guest exception: vector +0x%llx ESR_EL1 0x%llx (EC 0x%llx) ELR_EL1 0x%llx FAR_EL1 0x%llx\n",
		vcpu, (unsigned long long)vec, (unsigned long long)esr,
		(unsigned long long)(esr >> 26) & 0x3f, (unsigned long long)elr,
		(unsigned long long)far);
}

/* KVM_EXIT_HYPERCALL: let the handler answer, put x0..x3 in place. */
static int handle_hypercall(struct vmm_vm *vm, int vcpu, struct run_stats *st)
{
	struct kvm_run *run = vm->vcpus[vcpu].run;
	uint64_t ret[4] = { SMCCC_BPF_RET_NOT_SUPPORTED, 0, 0, 0 };
	int i, r;

	st->forwarded++;
	st->hc_nr = run->hypercall.nr;
	st->hc_flags = vmm_hypercall_flags(run);
	r = get_reg(vm, vcpu, VMM_REG_PC, &st->exit_pc);
	if (r)
		return r;

	if (vm->hc_fn)
		vm->hc_fn(vm, vcpu, run, ret, vm->hc_opaque);

	for (i = 0; i < 4; i++) {
		r = set_reg(vm, vcpu, i, ret[i]);
		if (r)
			return r;
	}
	return 0;
}

/*
 * KVM_RUN until the vCPU parks again. Forwarded calls are answered on the
 * way. Anything else is an error that leaves the vCPU broken.
 */
static int run_until_park(struct vmm_vm *vm, int vcpu, struct run_stats *st)
{
	struct vmm_vcpu *v = &vm->vcpus[vcpu];
	struct kvm_run *run = v->run;
	int r;

	v->parked = false;
	for (;;) {
		if (ioctl(v->fd, KVM_RUN, NULL)) {
			if ((errno == EINTR && !vm->eintr_fails) || errno == EAGAIN)
				continue;
			r = -errno;
			fprintf(stderr, "vmm: vcpu %d: KVM_RUN: %s\n", vcpu, strerror(errno));
			report_exit(vm, vcpu, "KVM_RUN failed");
			goto broken;
		}

		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (run->mmio.is_write && run->mmio.phys_addr == VMM_MMIO_PARK) {
				v->parked = true;
				return 0;
			}
			if (run->mmio.is_write && run->mmio.phys_addr == VMM_MMIO_EXC) {
				report_guest_exception(vm, vcpu);
				r = -EFAULT;
				goto broken;
			}
			report_exit(vm, vcpu, "unexpected MMIO");
			r = -EIO;
			goto broken;
		case KVM_EXIT_HYPERCALL:
			r = handle_hypercall(vm, vcpu, st);
			if (r)
				goto broken;
			break;
		case KVM_EXIT_INTR:
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			report_exit(vm, vcpu, "system event");
			r = -ESHUTDOWN;
			goto broken;
		default:
			report_exit(vm, vcpu, "unexpected exit");
			r = -EIO;
			goto broken;
		}
	}

broken:
	v->broken = true;
	return r;
}

/*
 * Point the vCPU at a guest address. A parked vCPU has an MMIO completion
 * pending, which makes KVM step over one instruction on the next KVM_RUN,
 * so it is sent to the park store and from there `br x20`. A vCPU that
 * never ran starts at the target directly.
 */
static int vcpu_goto(struct vmm_vm *vm, int vcpu, uint64_t target)
{
	struct vmm_vcpu *v = &vm->vcpus[vcpu];
	int r;

	r = set_reg(vm, vcpu, R_TARGET, target);
	if (r)
		return r;
	return set_reg(vm, vcpu, VMM_REG_PC, v->parked ? guest_addr(vmm_guest_park) : target);
}

static int set_call_regs(struct vmm_vm *vm, int vcpu, const struct vmm_call *call)
{
	int i, r;

	r = set_reg(vm, vcpu, 0, call->func_id);
	for (i = 0; !r && i < SMCCC_BPF_NR_ARGS; i++)
		r = set_reg(vm, vcpu, i + 1, call->args[i]);
	return r;
}

/* Common entry checks; on success returns with the vCPU lock held. */
static int vcpu_lock(struct vmm_vm *vm, int vcpu)
{
	struct vmm_vcpu *v;

	if (!vm || vcpu < 0 || vcpu >= vm->nr_vcpus)
		return -EINVAL;
	v = &vm->vcpus[vcpu];
	pthread_mutex_lock(&v->lock);
	if (v->broken) {
		fprintf(stderr, "vmm: vcpu %d is broken by an earlier error\n", vcpu);
		pthread_mutex_unlock(&v->lock);
		return -EIO;
	}
	if (v->off) {
		fprintf(stderr, "vmm: vcpu %d was created powered off: use vmm_wait_online() first\n",
			vcpu);
		pthread_mutex_unlock(&v->lock);
		return -EAGAIN;
	}
	return 0;
}

int vmm_call(struct vmm_vm *vm, int vcpu, const struct vmm_call *call, struct vmm_result *res)
{
	const struct guest_stub *stub;
	struct run_stats st = { 0 };
	int i, r;

	if (!call || !res)
		return -EINVAL;
	stub = find_stub(call->conduit, call->imm);
	if (!stub)
		return -EINVAL;
	r = vcpu_lock(vm, vcpu);
	if (r)
		return r;

	memset(res, 0, sizeof(*res));
	res->insn_pc = VMM_MEM_GPA + stub->call_off;

	r = set_call_regs(vm, vcpu, call);
	if (!r)
		r = vcpu_goto(vm, vcpu, VMM_MEM_GPA + stub->call_off);
	if (!r)
		r = run_until_park(vm, vcpu, &st);
	for (i = 0; !r && i < 4; i++)
		r = get_reg(vm, vcpu, i, &res->x[i]);
	if (!r && st.forwarded) {
		res->forwarded = true;
		res->hc_nr = st.hc_nr;
		res->hc_flags = st.hc_flags;
		res->exit_pc = st.exit_pc;
	}

	pthread_mutex_unlock(&vm->vcpus[vcpu].lock);
	return r;
}

/* guest.S .Lbatch_insns, in order. */
static const struct { enum vmm_conduit conduit; uint16_t imm; } batch_insns[] = {
	{ VMM_HVC, 0 }, { VMM_HVC, 1 }, { VMM_HVC, 0x1234 }, { VMM_HVC, 0xffff },
	{ VMM_SMC, 0 }, { VMM_SMC, 1 },
};

static int batch_insn(const struct vmm_call *call)
{
	unsigned int i;

	for (i = 0; i < sizeof(batch_insns) / sizeof(batch_insns[0]); i++)
		if (batch_insns[i].conduit == call->conduit && batch_insns[i].imm == call->imm)
			return (int)i;
	return -1;
}

int vmm_batch(struct vmm_vm *vm, int vcpu, const struct vmm_call *calls, unsigned int n,
	      uint64_t (*out)[4], unsigned int *done, uint64_t *forwarded)
{
	volatile uint64_t *tab;
	struct run_stats st = { 0 };
	uint64_t next = 0;
	unsigned int i;
	int insn, r, j;

	if (done)
		*done = 0;
	if (!calls || !out || n > VMM_BATCH_MAX ||
	    VMM_BATCH_OFF + (uint64_t)n * VMM_BATCH_WORDS * 8 > VMM_MEM_SIZE)
		return -EINVAL;
	r = vcpu_lock(vm, vcpu);
	if (r)
		return r;
	/* The guest reads it uncached: plain stores, no compiler games. */
	tab = (volatile uint64_t *)((char *)vm->mem + VMM_BATCH_OFF);
	for (i = 0; i < n; i++) {
		volatile uint64_t *e = tab + (size_t)i * VMM_BATCH_WORDS;

		insn = batch_insn(&calls[i]);
		if (insn < 0) {
			r = -EINVAL;
			goto out;
		}
		e[0] = (uint64_t)insn;
		e[1] = calls[i].func_id;
		for (j = 0; j < 17; j++)
			e[2 + j] = calls[i].args[j];
		for (j = 0; j < 4; j++)
			e[VMM_BATCH_OUT + j] = 0;
	}
	__sync_synchronize();
	r = set_reg(vm, vcpu, R_BATCH_LEFT, n);
	if (!r)
		r = set_reg(vm, vcpu, R_BATCH_NEXT, VMM_MEM_GPA + VMM_BATCH_OFF);
	if (!r)
		r = vcpu_goto(vm, vcpu, guest_addr(vmm_guest_batch));
	if (!r)
		r = run_until_park(vm, vcpu, &st);
	/* Where the guest got to, even after an error: it names the failed call. */
	if (!get_reg(vm, vcpu, R_BATCH_NEXT, &next) && next >= VMM_MEM_GPA + VMM_BATCH_OFF && done)
		*done = (unsigned int)((next - VMM_MEM_GPA - VMM_BATCH_OFF) / (VMM_BATCH_WORDS * 8));
	__sync_synchronize();
	for (i = 0; !r && i < n; i++)
		for (j = 0; j < 4; j++)
			out[i][j] = tab[(size_t)i * VMM_BATCH_WORDS + VMM_BATCH_OUT + j];
	if (forwarded)
		*forwarded = st.forwarded;
out:
	pthread_mutex_unlock(&vm->vcpus[vcpu].lock);
	return r;
}

static int get_loop_result(struct vmm_vm *vm, int vcpu, uint64_t count,
			   struct vmm_loop_result *out)
{
	uint64_t left;
	int r;

	r = get_reg(vm, vcpu, R_LOOP_COUNT, &left);
	if (!r)
		r = get_reg(vm, vcpu, R_LOOP_EQ_A, &out->x0_eq_a);
	if (!r)
		r = get_reg(vm, vcpu, R_LOOP_EQ_B, &out->x0_eq_b);
	if (!r)
		r = get_reg(vm, vcpu, R_LOOP_OTHER, &out->x0_other);
	if (!r)
		r = get_reg(vm, vcpu, R_LOOP_TICKS, &out->ticks);
	out->calls = count - left;
	return r;
}

int vmm_loop(struct vmm_vm *vm, int vcpu, const struct vmm_call *call, uint64_t count,
	     uint64_t a, uint64_t b, struct vmm_loop_result *out)
{
	const struct guest_stub *stub;
	struct run_stats st = { 0 };
	int r;

	if (!call || !out)
		return -EINVAL;
	stub = find_stub(call->conduit, call->imm);
	if (!stub)
		return -EINVAL;
	r = vcpu_lock(vm, vcpu);
	if (r)
		return r;

	memset(out, 0, sizeof(*out));
	r = set_call_regs(vm, vcpu, call);
	if (!r)
		r = set_reg(vm, vcpu, R_LOOP_COUNT, count);
	if (!r)
		r = set_reg(vm, vcpu, R_LOOP_A, a);
	if (!r)
		r = set_reg(vm, vcpu, R_LOOP_B, b);
	if (!r)
		r = vcpu_goto(vm, vcpu, VMM_MEM_GPA + stub->loop_off);
	if (!r)
		r = run_until_park(vm, vcpu, &st);
	if (!r)
		r = get_loop_result(vm, vcpu, count, out);
	out->forwarded = st.forwarded;

	pthread_mutex_unlock(&vm->vcpus[vcpu].lock);
	return r;
}

int vmm_wait_online(struct vmm_vm *vm, int vcpu)
{
	struct kvm_mp_state mp;
	struct run_stats st = { 0 };
	struct vmm_vcpu *v;
	int r = 0;

	if (!vm || vcpu < 0 || vcpu >= vm->nr_vcpus)
		return -EINVAL;
	v = &vm->vcpus[vcpu];
	pthread_mutex_lock(&v->lock);
	if (!v->off)
		goto out;
	if (v->broken) {
		r = -EIO;
		goto out;
	}
	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp)) {
		r = -errno;
		fprintf(stderr, "vmm: vcpu %d: KVM_GET_MP_STATE: %s\n", vcpu, strerror(errno));
		goto out;
	}
	if (mp.mp_state == KVM_MP_STATE_STOPPED) {
		r = -EAGAIN;
		goto out;
	}
	/*
	 * CPU_ON left a reset pending that KVM applies on this KVM_RUN, so the
	 * vCPU starts at the CPU_ON entry point, which must be the trampoline.
	 */
	r = run_until_park(vm, vcpu, &st);
	if (r)
		goto out;
	/* The reset also zeroed VBAR_EL1: point it at our vectors again. */
	r = set_vbar(vm, vcpu);
	if (!r)
		v->off = false;
out:
	pthread_mutex_unlock(&v->lock);
	return r;
}
