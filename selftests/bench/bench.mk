# SPDX-License-Identifier: GPL-2.0
#
# make bench: the instructions the SMCCC handler runs with no policy,
# patched against unpatched (selftests/bench/handler_path.py); the
# in-guest round trip of a handled SMCCC call with no policy, with the
# trivial policy (selftests/e2e/progs/handle_all.bpf.c), with the
# upstream SMCCC filter and with a 1,000-rule policy file in the generic
# policy program, measured in one boot under plain TCG and in one under TCG
# --icount; in the TCG boot, the wall time of "smccc-bpf policy attach" of
# a 100,000-rule policy; on the host, the compile time of that policy
# ("smccc-bpf policy check", the host CLI). The policies are generated
# (selftests/bench/policies/gen-rules.sh). A benchmark: it reports, it fails
# only if the measurement itself broke. Included by the top-level Makefile
# after bpf/policy.mk, loader/policy.mk and loader/cli.mk.
#
#   make bench [BENCH_CALLS=N] [BENCH_ROUNDS=R] [BENCH_RULES=1000] [BENCH_BIG_RULES=100000]

BENCH_OUT := $(BUILD)/bench
BENCH_CALLS ?= 20000
BENCH_ROUNDS ?= 7
BENCH_RULES ?= 1000
BENCH_BIG_RULES ?= 100000
BENCH_POLICIES := $(BENCH_OUT)/policies
BENCH_RULES_POL := $(BENCH_POLICIES)/rules-$(BENCH_RULES).pol
BENCH_BIG_POL := $(BENCH_POLICIES)/rules-$(BENCH_BIG_RULES).pol

$(BENCH_POLICIES)/rules-%.pol: selftests/bench/policies/gen-rules.sh
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && selftests/bench/policies/gen-rules.sh $* $@

# smccc_bench loads the many-rule policy with the policy library.
$(BENCH_OUT)/smccc_bench: selftests/bench/bench.c $(BUILD)/e2e/handle_all.skel.h \
		include/smccc_bpf.h include/smccc_policy.h selftests/vmm/vmm.h \
		$(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a $(POLICY_SKEL) \
		$(POLICY_LIB_SRCS) $(POLICY_MAPS_SRCS) $(wildcard loader/policy_*.h)
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(ARM64_CFLAGS) -I$(BUILD)/e2e $(POLICY_MAPS_CFLAGS) \
		$< $(POLICY_LIB_SRCS) $(POLICY_MAPS_SRCS) $(ARM64_LIBS) -o $@

$(BUILD)/bench.cpio.gz: $(BENCH_OUT)/smccc_bench selftests/bench/bench-in-vm.sh \
		$(CLI_OUT)/arm64/smccc-bpf $(CLI_OUT)/arm64/smccc-testvm \
		$(BENCH_RULES_POL) $(BENCH_BIG_POL) scripts/mkinitramfs.sh scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/bench/bench-in-vm.sh:/test/run \
		-f $(BENCH_OUT)/smccc_bench:/test/smccc_bench \
		-f $(CLI_OUT)/arm64/smccc-bpf:/test/smccc-bpf \
		-f $(CLI_OUT)/arm64/smccc-testvm:/test/smccc-testvm \
		-f $(BENCH_RULES_POL):/test/rules.pol \
		-f $(BENCH_BIG_POL):/test/rules-big.pol

# The bench flavour: the test kernel minus lock debugging (kernel/bench.config).
BENCH_KDIR := $(shell kernel/build.sh --flavour bench --print-dir 2>/dev/null)
BENCH_IMAGE := $(BENCH_KDIR)/Image

$(BENCH_IMAGE): kernel/build.sh kernel/smccc-bpf.config kernel/bench.config \
		$(wildcard kernel/patches/*.patch)
	$(Q)kernel/build.sh --flavour bench

# First the handler's own no-policy path, counted exactly against the
# unpatched source (selftests/bench/handler-path.sh), then the boots.
bench: $(BUILD)/bench.cpio.gz $(BENCH_IMAGE) $(CLI_OUT)/host/smccc-bpf
	$(Q)mkdir -p $(BENCH_OUT) && selftests/bench/handler-path.sh --kdir $(BENCH_KDIR) \
		--json $(BENCH_OUT)/handler-path.json
	$(Q)selftests/bench/run.sh --kernel $(BENCH_IMAGE) --initrd $(BUILD)/bench.cpio.gz \
		--out $(BENCH_OUT) --calls $(BENCH_CALLS) --rounds $(BENCH_ROUNDS) \
		--host-cli $(CLI_OUT)/host/smccc-bpf \
		--host-policies "$(BENCH_RULES_POL) $(BENCH_BIG_POL)"
