# SPDX-License-Identifier: GPL-2.0
#
# smccc-bpf: programmable SMCCC policies for KVM/arm64 guests.
#
#   make demo     boot the patched kernel, run a guest, attach a policy, show decisions
#   make test     host tests (also with ASan + UBSan), fuzz smoke, then the booted end-to-end run
#   make test-host-asan  only the host tests built with ASan + UBSan
#   make fuzz-campaign   the libFuzzer harnesses, 30 min each (FUZZ_SECONDS)
#   make bench    in-guest round-trip cost of the hook (not a test)
#   make kernel   just build the patched arm64 kernel (cached)
#   make help     all targets
#
# Kernels, libbpf/bpftool and the KVM selftests are built into
# $(SMCCC_CACHE) (default ~/.cache/smccc-bpf), keyed by their inputs; the
# rest goes to $(BUILD). V=1 shows the commands.

SMCCC_CACHE ?= $(HOME)/.cache/smccc-bpf
export SMCCC_CACHE
BUILD ?= $(CURDIR)/build
override BUILD := $(abspath $(BUILD))

CROSS_COMPILE ?= aarch64-linux-gnu-
CROSS_CC := $(CROSS_COMPILE)gcc
CLANG ?= clang

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(BUILD)/%,%,$(2))";
	MAKEFLAGS += --no-print-directory
endif

# Where kernel/build.sh puts (or will put) the kernel for the current inputs.
KDIR := $(shell kernel/build.sh --print-dir 2>/dev/null)
KSRC := $(KDIR)/src
VMLINUX := $(KDIR)/build/vmlinux
IMAGE := $(KDIR)/Image
TOOLS := $(KDIR)/tools
HOST_BPFTOOL := $(TOOLS)/host/bpftool
KVM_SELFTESTS := $(KDIR)/kvm-selftests

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_arm64 -Wall -Werror \
	-I$(BUILD) -I$(TOOLS)/host/include -Iinclude -Iselftests/e2e/progs
# Flags for static arm64 programs that run inside the test VM and use libbpf.
ARM64_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -static -pthread \
	-I$(TOOLS)/arm64/include -Iinclude -Iselftests/vmm
ARM64_LIBS := $(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a -lelf -lz -lzstd
E2E_CFLAGS := $(ARM64_CFLAGS) -I$(BUILD)/e2e -Iselftests/e2e -Iselftests/e2e/progs

E2E_PROGS := test_policy global_deny_psci handle_all bad_write
E2E_SKELS := test_policy handle_all
E2E_OBJS := $(patsubst %,$(BUILD)/e2e/%.bpf.o,$(E2E_PROGS))
E2E_SKEL_HDRS := $(patsubst %,$(BUILD)/e2e/%.skel.h,$(E2E_SKELS))
E2E_SRCS := $(wildcard selftests/e2e/*.c)

.PHONY: all help kernel tools kvm-selftests e2e initramfs test test-host test-host-asan \
	test-booted demo bench check-patches clean distclean
.DELETE_ON_ERROR:

all: e2e

# The generic policy program, the policy language library, the CLI, make demo
# and make bench: their rules live beside their sources.
include bpf/policy.mk
include loader/policy.mk
include loader/cli.mk
include bpf/examples/examples.mk
include loader/demo.mk
include selftests/bench/bench.mk
include selftests/e2e/linux-guest.mk
include selftests/fuzz/guest-fuzz.mk
include selftests/stress/stress.mk
# libFuzzer harnesses: make fuzz, fuzz-smoke (part of make test), fuzz-campaign.
include selftests/fuzz/fuzz.mk

help:
	@sed -n 's/^#   //p' Makefile

kernel: $(IMAGE)
$(IMAGE) $(VMLINUX): kernel/build.sh kernel/smccc-bpf.config kernel/kvm-selftests.config $(wildcard kernel/patches/*.patch)
	$(Q)kernel/build.sh

tools: $(HOST_BPFTOOL)
# Grouped target, one build; the lock keeps concurrent makes out of each other's way.
$(HOST_BPFTOOL) $(TOOLS)/arm64/libbpf.a $(TOOLS)/arm64/bpftool &: $(IMAGE)
	$(Q)flock $(KDIR)/.tools.lock scripts/build-bpf-tools.sh $(KSRC) $(TOOLS)

kvm-selftests: $(KVM_SELFTESTS)/psci_test
# smccc_bpf's BPF skeleton is built with the host bpftool, the arm64 libbpf
# and the BTF of the kernel under test.
$(KVM_SELFTESTS)/psci_test: $(IMAGE) $(VMLINUX) $(HOST_BPFTOOL) $(TOOLS)/arm64/libbpf.a
	$(Q)VMLINUX_BTF=$(VMLINUX) BPF_TOOLS=$(TOOLS) flock $(KDIR)/.selftests.lock \
		scripts/build-kvm-selftests.sh $(KSRC) $(KVM_SELFTESTS)

$(BUILD)/vmlinux.h: $(VMLINUX) $(HOST_BPFTOOL)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && $(HOST_BPFTOOL) btf dump file $(VMLINUX) format c > $@

$(BUILD)/e2e/%.bpf.o: selftests/e2e/progs/%.bpf.c $(BUILD)/vmlinux.h include/smccc_bpf.h \
		include/smccc_bpf.bpf.h $(wildcard selftests/e2e/progs/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/e2e/%.skel.h: $(BUILD)/e2e/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(HOST_BPFTOOL) gen skeleton $< name $*_bpf > $@

$(BUILD)/vmm/libvmm.a: $(wildcard selftests/vmm/*.[chS])
	$(Q)$(MAKE) -C selftests/vmm OUTPUT=$(BUILD)/vmm

$(BUILD)/e2e/smccc_e2e: $(E2E_SRCS) $(wildcard selftests/e2e/*.h) $(E2E_SKEL_HDRS) \
		$(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)$(CROSS_CC) $(E2E_CFLAGS) $(E2E_SRCS) $(ARM64_LIBS) -o $@

e2e: $(BUILD)/e2e/smccc_e2e $(E2E_OBJS)

# The booted run: the e2e tests and the VMM smoke test in one VM.
$(BUILD)/e2e.cpio.gz: $(BUILD)/e2e/smccc_e2e $(E2E_OBJS) $(TOOLS)/arm64/bpftool \
		$(KVM_SELFTESTS)/psci_test selftests/e2e/run-in-vm.sh scripts/mkinitramfs.sh \
		scripts/initramfs-init.sh $(CLI_OUT)/arm64/smccc-bpf $(CLI_OUT)/arm64/smccc-testvm \
		$(CLI_CAPDROP) selftests/e2e/cli-in-vm.sh selftests/e2e/policy-in-vm.sh $(EXAMPLES_OBJS) \
		selftests/e2e/examples-in-vm.sh selftests/e2e/lib-in-vm.sh \
		$(LINUX_GUEST_DEPS) \
		selftests/e2e/scenarios-in-vm.sh bpf/policies/ffa-to-vmm.policy \
		selftests/e2e/migrate-in-vm.sh selftests/e2e/baseline-in-vm.sh \
		selftests/e2e/bounds-in-vm.sh \
		bpf/policies/observe-psci.policy bpf/policies/other-hypervisor.policy \
		bpf/policies/psci-in-vmm.policy $(GUEST_FUZZ) $(SMCCC_LOAD) $(SMCCC_CHURN) \
		$(SMCCC_FAULTS)
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/e2e/run-in-vm.sh:/test/run \
		-f $(BUILD)/e2e/smccc_e2e:/test/smccc_e2e \
		-f $(BUILD)/vmm/vmm_smoke:/test/vmm_smoke \
		-f $(TOOLS)/arm64/bpftool:/test/bpftool \
		-f $(CLI_OUT)/arm64/smccc-bpf:/test/smccc-bpf \
		-f $(CLI_OUT)/arm64/smccc-testvm:/test/smccc-testvm \
		-f $(CLI_CAPDROP):/test/capdrop \
		-f $(GUEST_FUZZ):/test/guest_fuzz \
		-f $(SMCCC_LOAD):/test/smccc_load \
		-f $(SMCCC_CHURN):/test/smccc_churn \
		-f $(SMCCC_FAULTS):/test/smccc_faults \
		-f selftests/e2e/lib-in-vm.sh:/test/lib-in-vm.sh \
		-f selftests/e2e/cli-in-vm.sh:/test/cli-in-vm.sh \
		-f selftests/e2e/policy-in-vm.sh:/test/policy-in-vm.sh \
		-f selftests/e2e/examples-in-vm.sh:/test/examples-in-vm.sh \
		-f selftests/e2e/scenarios-in-vm.sh:/test/scenarios-in-vm.sh \
		-f selftests/e2e/migrate-in-vm.sh:/test/migrate-in-vm.sh \
		-f selftests/e2e/baseline-in-vm.sh:/test/baseline-in-vm.sh \
		-f selftests/e2e/bounds-in-vm.sh:/test/bounds-in-vm.sh \
		-f bpf/policies/ffa-to-vmm.policy:/test/policies/ffa-to-vmm.policy \
		-f bpf/policies/observe-psci.policy:/test/policies/observe-psci.policy \
		-f bpf/policies/other-hypervisor.policy:/test/policies/other-hypervisor.policy \
		-f bpf/policies/psci-in-vmm.policy:/test/policies/psci-in-vmm.policy \
		$(foreach o,$(EXAMPLES_OBJS),-f $(o):/test/examples/$(notdir $(o))) \
		$(foreach o,$(E2E_OBJS),-f $(o):/test/$(notdir $(o))) \
		$(LINUX_GUEST_CPIO_ARGS) \
		-d $(KVM_SELFTESTS):/test/kvm-selftests

initramfs: $(BUILD)/e2e.cpio.gz

test: test-host test-host-asan fuzz-smoke test-booted

test-host:
	$(Q)$(MAKE) -C selftests/host BUILD=$(BUILD)/host test

# The host units again, built with ASan + UBSan (and leak checks) into
# $(BUILD)/host-asan, the CLI units with $(BUILD)/cli/host-asan's library.
test-host-asan:
	$(Q)$(MAKE) -C selftests/host BUILD=$(BUILD)/host-asan SANITIZE=1 test

test-booted: $(BUILD)/e2e.cpio.gz
	$(Q)selftests/run-booted.sh --kernel $(IMAGE) --initrd $(BUILD)/e2e.cpio.gz \
		--log $(BUILD)/booted.log

check-patches:
	$(Q)kernel/check-series.sh


clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

distclean: clean
	$(Q)rm -rf $(SMCCC_CACHE)
