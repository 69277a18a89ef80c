# SPDX-License-Identifier: GPL-2.0
#
# Hand-written example policies (bpf/examples/*.bpf.c, see README.md there),
# built for the booted arm64 kernel into $(BUILD)/examples/, and their
# booted test selftests/e2e/examples-in-vm.sh.
#
#   make examples          the BPF objects
#   make examples-booted   boot a VM running examples-in-vm.sh alone
#
# Included by the top-level Makefile, or used as
# "make -f Makefile -f bpf/examples/examples.mk TARGET"; guarded against a
# second inclusion. Needs CLANG, BPF_CFLAGS and $(BUILD)/vmlinux.h from the
# top-level Makefile, and CLI_OUT from loader/cli.mk for the booted run
# (includes it if nobody has).

ifndef SMCCC_BPF_EXAMPLES_MK
SMCCC_BPF_EXAMPLES_MK := 1

ifndef CLI_OUT
include loader/cli.mk
endif

EXAMPLES_OUT := $(BUILD)/examples
EXAMPLES := psci_only arg_filter vendor_emulate
EXAMPLES_OBJS := $(patsubst %,$(EXAMPLES_OUT)/%.bpf.o,$(EXAMPLES))

.PHONY: examples examples-booted

examples: $(EXAMPLES_OBJS)

$(EXAMPLES_OUT)/%.bpf.o: bpf/examples/%.bpf.c $(BUILD)/vmlinux.h include/smccc_bpf.h \
		include/smccc_bpf.bpf.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The in-VM test alone (make test-booted runs it with the rest once wired in).
$(BUILD)/examples.cpio.gz: $(EXAMPLES_OBJS) $(CLI_OUT)/arm64/smccc-bpf \
		$(CLI_OUT)/arm64/smccc-testvm $(TOOLS)/arm64/bpftool \
		selftests/e2e/examples-in-vm.sh selftests/e2e/lib-in-vm.sh scripts/mkinitramfs.sh scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/e2e/examples-in-vm.sh:/test/run \
		-f selftests/e2e/lib-in-vm.sh:/test/lib-in-vm.sh \
		-f $(CLI_OUT)/arm64/smccc-bpf:/test/smccc-bpf \
		-f $(CLI_OUT)/arm64/smccc-testvm:/test/smccc-testvm \
		-f $(TOOLS)/arm64/bpftool:/test/bpftool \
		$(foreach o,$(EXAMPLES_OBJS),-f $(o):/test/examples/$(notdir $(o)))

examples-booted: $(BUILD)/examples.cpio.gz
	$(Q)selftests/run-booted.sh --kernel $(IMAGE) --initrd $(BUILD)/examples.cpio.gz \
		--log $(BUILD)/examples-booted.log --timeout 900

endif # SMCCC_BPF_EXAMPLES_MK
