# SPDX-License-Identifier: GPL-2.0
#
# The smccc-bpf command line tool (loader/smccc-bpf.c + loader/cli_*.c),
# built twice:
#   $(BUILD)/cli/arm64/smccc-bpf     static arm64, runs inside the test VM
#   $(BUILD)/cli/host/smccc-bpf      x86_64 host build (dynamic libelf/libz)
#   $(BUILD)/cli/host/libsmccc-cli.a everything but main() (smccc-bpf.c built
#                                    with -DSMCCC_BPF_CLI_NO_MAIN: the
#                                    dispatcher smccc_bpf_main()), for the
#                                    CMocka test selftests/host/test_cli.c
#   $(BUILD)/cli/host-asan/libsmccc-cli.a  the same with $(CLI_SAN_CFLAGS)
#                                    (ASan + UBSan), for make test-host-asan
# and the test VM helpers $(BUILD)/cli/arm64/smccc-testvm (loader/cli_testvm.c)
# and $(BUILD)/cli/arm64/capdrop (selftests/tools/capdrop.c: runs the CLI
# as root without CAP_SYS_ADMIN, for cli-in-vm.sh).
#
#   make cli            both binaries and the helpers
#   make cli-host-lib   the host library (selftests/host builds test_cli with it)
#   make cli-host-asan-lib  its sanitizer build (selftests/host with SANITIZE=1)
#   make cli-booted     boot a VM running selftests/e2e/cli-in-vm.sh alone
#
# Included by the top-level Makefile (and, through "make -f Makefile -f
# loader/cli.mk", by selftests/host/Makefile): guarded against a second
# inclusion. Needs loader/policy.mk (POLICY_LIB_SRCS) and bpf/policy.mk
# (POLICY_SKEL, POLICY_MAPS_SRCS); includes them if nobody has.

ifndef SMCCC_CLI_MK
SMCCC_CLI_MK := 1

ifndef POLICY_LIB_SRCS
include loader/policy.mk
endif
ifndef POLICY_SKEL
include bpf/policy.mk
endif

CLI_OUT := $(BUILD)/cli
# The CLI proper; smccc-bpf.c only parses and dispatches.
CLI_SRCS := loader/cli_util.c loader/cli_vm.c loader/cli_pins.c loader/cli_policy.c \
	loader/cli_stats.c loader/cli_events.c loader/json_writer.c
CLI_SRCS += loader/cli_migrate.c loader/migrate_doc.c loader/json_reader.c
# policy baseline: pinned guest ABIs (loader/policy_baseline.c is in the library).
CLI_SRCS += loader/cli_baseline.c
CLI_MAIN := loader/smccc-bpf.c
CLI_LIB_SRCS := $(CLI_SRCS) $(POLICY_LIB_SRCS) $(POLICY_MAPS_SRCS)
CLI_HDRS := $(wildcard loader/*.h) $(wildcard include/*.h) bpf/policy_decide.bpf.h
CLI_INCS := -Iloader -Iinclude -Ibpf -I$(POLICY_OUT)

CLI_ARM64_CFLAGS := $(ARM64_CFLAGS) $(CLI_INCS)
CLI_ARM64_LIBS := $(TOOLS)/arm64/libbpf.a -lelf -lz -lzstd
CLI_HOST_CC ?= cc
CLI_HOST_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -I$(TOOLS)/host/include $(CLI_INCS)
CLI_HOST_LIBS := $(TOOLS)/host/libbpf.a -lelf -lz
CLI_HOST_OBJS := $(patsubst loader/%.c,$(CLI_OUT)/host/%.o,$(CLI_LIB_SRCS))
# selftests/host/Makefile passes its SAN_CFLAGS; the same by default.
CLI_SAN_CFLAGS ?= -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CLI_ASAN_OBJS := $(patsubst loader/%.c,$(CLI_OUT)/host-asan/%.o,$(CLI_LIB_SRCS))

.PHONY: cli cli-host-lib cli-host-asan-lib cli-booted

CLI_CAPDROP := $(CLI_OUT)/arm64/capdrop

cli: $(CLI_OUT)/arm64/smccc-bpf $(CLI_OUT)/host/smccc-bpf $(CLI_OUT)/arm64/smccc-testvm \
	$(CLI_CAPDROP)
cli-host-lib: $(CLI_OUT)/host/libsmccc-cli.a
cli-host-asan-lib: $(CLI_OUT)/host-asan/libsmccc-cli.a

$(CLI_OUT)/arm64/smccc-bpf: $(CLI_MAIN) $(CLI_LIB_SRCS) $(CLI_HDRS) $(POLICY_SKEL) \
		$(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(CLI_ARM64_CFLAGS) $(CLI_MAIN) $(CLI_LIB_SRCS) \
		$(CLI_ARM64_LIBS) -o $@

$(CLI_OUT)/arm64/smccc-testvm: loader/cli_testvm.c $(BUILD)/vmm/libvmm.a
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(ARM64_CFLAGS) $< $(BUILD)/vmm/libvmm.a -o $@

$(CLI_CAPDROP): selftests/tools/capdrop.c
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(ARM64_CFLAGS) $< -o $@

$(CLI_OUT)/host/%.o: loader/%.c $(CLI_HDRS) $(POLICY_SKEL) $(TOOLS)/host/libbpf.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CLI_HOST_CC) $(CLI_HOST_CFLAGS) -c $< -o $@

$(CLI_OUT)/host/smccc-bpf-nomain.o: $(CLI_MAIN) $(CLI_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CLI_HOST_CC) $(CLI_HOST_CFLAGS) -DSMCCC_BPF_CLI_NO_MAIN -c $< -o $@

$(CLI_OUT)/host/libsmccc-cli.a: $(CLI_HOST_OBJS) $(CLI_OUT)/host/smccc-bpf-nomain.o
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(CLI_OUT)/host-asan/%.o: loader/%.c $(CLI_HDRS) $(POLICY_SKEL) $(TOOLS)/host/libbpf.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CLI_HOST_CC) $(CLI_HOST_CFLAGS) $(CLI_SAN_CFLAGS) -c $< -o $@

$(CLI_OUT)/host-asan/smccc-bpf-nomain.o: $(CLI_MAIN) $(CLI_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CLI_HOST_CC) $(CLI_HOST_CFLAGS) $(CLI_SAN_CFLAGS) \
		-DSMCCC_BPF_CLI_NO_MAIN -c $< -o $@

$(CLI_OUT)/host-asan/libsmccc-cli.a: $(CLI_ASAN_OBJS) $(CLI_OUT)/host-asan/smccc-bpf-nomain.o
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(CLI_OUT)/host/smccc-bpf: $(CLI_MAIN) $(CLI_OUT)/host/libsmccc-cli.a
	$(call msg,BINARY,$@)
	$(Q)$(CLI_HOST_CC) $(CLI_HOST_CFLAGS) $< $(CLI_OUT)/host/libsmccc-cli.a $(CLI_HOST_LIBS) -o $@

# The in-VM test alone (make test-booted runs it with the rest once wired in).
CLI_E2E_OBJS := $(BUILD)/e2e/global_deny_psci.bpf.o $(BUILD)/e2e/handle_all.bpf.o \
	$(BUILD)/e2e/bad_write.bpf.o

$(BUILD)/cli.cpio.gz: $(CLI_OUT)/arm64/smccc-bpf $(CLI_OUT)/arm64/smccc-testvm $(CLI_E2E_OBJS) \
		$(TOOLS)/arm64/bpftool $(CLI_CAPDROP) \
		selftests/e2e/cli-in-vm.sh selftests/e2e/lib-in-vm.sh scripts/mkinitramfs.sh scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/e2e/cli-in-vm.sh:/test/run \
		-f selftests/e2e/lib-in-vm.sh:/test/lib-in-vm.sh \
		-f $(CLI_OUT)/arm64/smccc-bpf:/test/smccc-bpf \
		-f $(CLI_OUT)/arm64/smccc-testvm:/test/smccc-testvm \
		-f $(CLI_CAPDROP):/test/capdrop \
		-f $(TOOLS)/arm64/bpftool:/test/bpftool \
		$(foreach o,$(CLI_E2E_OBJS),-f $(o):/test/$(notdir $(o)))

cli-booted: $(BUILD)/cli.cpio.gz
	$(Q)selftests/run-booted.sh --kernel $(IMAGE) --initrd $(BUILD)/cli.cpio.gz \
		--log $(BUILD)/cli-booted.log --timeout 900

endif # SMCCC_CLI_MK
