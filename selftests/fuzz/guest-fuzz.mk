# SPDX-License-Identifier: GPL-2.0
#
# The differential guest fuzzer (selftests/fuzz/guest_fuzz.c): a static
# arm64 program for the test VM that attaches random policies
# (policy_gen.c) to real VMs and checks every guest call against the
# reference evaluator and the kernel's ceiling (fuzz_oracle.c). Part of
# the booted run (selftests/e2e/run-in-vm.sh); the size of the CI run is
# GUEST_FUZZ_ARGS there. Included by the top-level Makefile.

GUEST_FUZZ := $(BUILD)/fuzz/guest_fuzz
GUEST_FUZZ_SRCS := selftests/fuzz/guest_fuzz.c selftests/fuzz/fuzz_oracle.c \
	selftests/fuzz/policy_gen.c $(POLICY_LIB_SRCS) $(POLICY_MAPS_SRCS)
GUEST_FUZZ_CFLAGS := $(ARM64_CFLAGS) -Iselftests/fuzz -Iloader -Ibpf -I$(POLICY_OUT)

.PHONY: guest-fuzz

guest-fuzz: $(GUEST_FUZZ)

$(GUEST_FUZZ): $(GUEST_FUZZ_SRCS) $(wildcard selftests/fuzz/*.h) $(wildcard loader/policy_*.h) \
		$(wildcard include/*.h) $(POLICY_SKEL) $(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(GUEST_FUZZ_CFLAGS) $(GUEST_FUZZ_SRCS) $(ARM64_LIBS) -o $@

# The fuzzer alone in a booted VM, for longer campaigns:
#   make guest-fuzz-booted GUEST_FUZZ_ARGS="--seed 7 --policies 20000 --calls 1000"
GUEST_FUZZ_ARGS ?= --seed 1 --policies 1000 --calls 22000 --total 200000
GUEST_FUZZ_TIMEOUT ?= 3600
GUEST_FUZZ_ARGS_FILE := $(BUILD)/fuzz/guest-fuzz.args

.PHONY: guest-fuzz-booted FORCE
FORCE:

# Rewritten only when the arguments change, so the cpio follows them.
$(GUEST_FUZZ_ARGS_FILE): FORCE
	@mkdir -p $(@D) && echo '$(GUEST_FUZZ_ARGS)' | cmp -s - $@ || echo '$(GUEST_FUZZ_ARGS)' > $@

$(BUILD)/guest-fuzz.cpio.gz: $(GUEST_FUZZ) $(GUEST_FUZZ_ARGS_FILE) selftests/fuzz/guest-fuzz-in-vm.sh \
		scripts/mkinitramfs.sh scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/fuzz/guest-fuzz-in-vm.sh:/test/run \
		-f $(GUEST_FUZZ):/test/guest_fuzz \
		-f $(GUEST_FUZZ_ARGS_FILE):/test/guest-fuzz.args

guest-fuzz-booted: $(BUILD)/guest-fuzz.cpio.gz $(IMAGE)
	$(Q)selftests/run-booted.sh --kernel $(IMAGE) --initrd $(BUILD)/guest-fuzz.cpio.gz \
		--log $(BUILD)/guest-fuzz-booted.log --timeout $(GUEST_FUZZ_TIMEOUT)
