# SPDX-License-Identifier: GPL-2.0
#
# make bench: the in-guest round trip of a handled SMCCC call with no policy,
# with the trivial policy (selftests/e2e/progs/handle_all.bpf.c) and with
# the upstream SMCCC filter, measured in one boot under plain TCG and in one
# under TCG --icount. A benchmark: it reports, it fails only if the
# measurement itself broke. Included by the top-level Makefile.
#
#   make bench [BENCH_CALLS=N] [BENCH_ROUNDS=R]

BENCH_OUT := $(BUILD)/bench
BENCH_CALLS ?= 20000
BENCH_ROUNDS ?= 7

$(BENCH_OUT)/smccc_bench: selftests/bench/bench.c $(BUILD)/e2e/handle_all.skel.h \
		include/smccc_bpf.h selftests/vmm/vmm.h $(BUILD)/vmm/libvmm.a \
		$(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(ARM64_CFLAGS) -I$(BUILD)/e2e $< $(ARM64_LIBS) -o $@

$(BUILD)/bench.cpio.gz: $(BENCH_OUT)/smccc_bench selftests/bench/bench-in-vm.sh \
		scripts/mkinitramfs.sh scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/bench/bench-in-vm.sh:/test/run \
		-f $(BENCH_OUT)/smccc_bench:/test/smccc_bench

# The bench flavour: the test kernel minus lock debugging (kernel/bench.config).
BENCH_KDIR := $(shell kernel/build.sh --flavour bench --print-dir 2>/dev/null)
BENCH_IMAGE := $(BENCH_KDIR)/Image

$(BENCH_IMAGE): kernel/build.sh kernel/smccc-bpf.config kernel/bench.config \
		$(wildcard kernel/patches/*.patch)
	$(Q)kernel/build.sh --flavour bench

bench: $(BUILD)/bench.cpio.gz $(BENCH_IMAGE)
	$(Q)selftests/bench/run.sh --kernel $(BENCH_IMAGE) --initrd $(BUILD)/bench.cpio.gz \
		--out $(BENCH_OUT) --calls $(BENCH_CALLS) --rounds $(BENCH_ROUNDS)
