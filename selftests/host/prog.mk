# SPDX-License-Identifier: GPL-2.0
#
# The generic policy program's decision logic (bpf/policy_decide.bpf.h) on
# the host kernel: test_policy_prog (CMocka, part of make test) and
# bench_policy_prog (make bench-host, a benchmark, not a test). The BPF side
# (progs/policy_test.bpf.c) is built for x86_64 against the running
# kernel's BTF; libbpf and bpftool are the host builds from the patched
# kernel tree (kernel/build.sh --print-dir, tools/host; built by the top
# Makefile's "tools" target when missing). Included by ./Makefile.
#
#   make bench-host [BENCH_POLICY_ARGS="--rounds 15 --decisions 1000000"]

SMCCC_KDIR ?= $(shell $(ROOT)/kernel/build.sh --print-dir 2>/dev/null)
PROG_TOOLS := $(SMCCC_KDIR)/tools/host
HOST_BPFTOOL ?= $(PROG_TOOLS)/bpftool
CLANG ?= clang
HOST_BTF ?= /sys/kernel/btf/vmlinux

PROG_OUT := $(BUILD)/prog
PROG_BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(PROG_OUT) -I$(PROG_TOOLS)/include -I$(ROOT)/include -I$(ROOT)/bpf
PROG_CFLAGS := $(CFLAGS) -DSMCCC_POLICY_MAPS_NO_SKEL -I$(PROG_OUT) \
	-I$(PROG_TOOLS)/include -I$(ROOT)/bpf -I$(ROOT)/loader
PROG_LIBS := $(PROG_TOOLS)/libbpf.a -lelf -lz
PROG_DEPS := $(PROG_OUT)/policy_test.skel.h $(ROOT)/loader/policy_maps.c \
	$(ROOT)/loader/policy_maps.h $(ROOT)/loader/policy_compiled.h \
	$(ROOT)/bpf/policy_decide.bpf.h $(wildcard $(ROOT)/include/*.h) $(PROG_TOOLS)/libbpf.a
BENCH_POLICY_ARGS ?=

UNITS += test_policy_prog

.PHONY: bench-host

$(HOST_BPFTOOL) $(PROG_TOOLS)/libbpf.a &:
	$(Q)$(MAKE) -C $(ROOT) tools

$(PROG_OUT)/vmlinux.h: $(HOST_BTF) | $(HOST_BPFTOOL)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D) && $(HOST_BPFTOOL) btf dump file $(HOST_BTF) format c > $@

$(PROG_OUT)/policy_test.bpf.o: progs/policy_test.bpf.c $(PROG_OUT)/vmlinux.h \
		$(ROOT)/bpf/policy_decide.bpf.h $(wildcard $(ROOT)/include/*.h) $(PROG_TOOLS)/libbpf.a
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(PROG_BPF_CFLAGS) -c $< -o $@

$(PROG_OUT)/policy_test.skel.h: $(PROG_OUT)/policy_test.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(HOST_BPFTOOL) gen skeleton $< name policy_test_bpf > $@

$(BUILD)/test_policy_prog: test_policy_prog.c $(PROG_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(PROG_CFLAGS) $< $(ROOT)/loader/policy_maps.c -o $@ $(PROG_LIBS) -lcmocka

$(BUILD)/bench_policy_prog: bench_policy_prog.c $(PROG_DEPS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(PROG_CFLAGS) $< $(ROOT)/loader/policy_maps.c -o $@ $(PROG_LIBS) -lm

bench-host: $(BUILD)/bench_policy_prog
	$(Q)$(BUILD)/bench_policy_prog $(BENCH_POLICY_ARGS)
