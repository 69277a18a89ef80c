# SPDX-License-Identifier: GPL-2.0
#
# Load on the hook (selftests/stress/load.c): a static arm64 program for
# the test VM, 4 vCPUs calling while the policy is replaced every 10 ms and
# the host-wide default comes and goes every 50 ms. Part of the booted run
# (selftests/e2e/run-in-vm.sh). Included by the top-level Makefile.

SMCCC_LOAD := $(BUILD)/stress/smccc_load
SMCCC_LOAD_SRCS := selftests/stress/load.c selftests/stress/stress_util.c $(POLICY_LIB_SRCS) $(POLICY_MAPS_SRCS)
SMCCC_LOAD_CFLAGS := $(ARM64_CFLAGS) -Iselftests/stress -Iloader -Ibpf -I$(POLICY_OUT)

.PHONY: stress

stress: $(SMCCC_LOAD)

$(SMCCC_LOAD): $(SMCCC_LOAD_SRCS) selftests/stress/stress_util.h $(wildcard loader/policy_*.h) \
		$(wildcard include/*.h) \
		$(POLICY_SKEL) $(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(SMCCC_LOAD_CFLAGS) $(SMCCC_LOAD_SRCS) $(ARM64_LIBS) -o $@

# On the e2e test policy (selftests/e2e/policy.c), one rule for both:
#   smccc_churn   VMs with policies created and torn down in every order
#   smccc_faults  fail-nth through VM creation, attach and replace
#                 (skipped on a kernel without failslab)
SMCCC_CHURN := $(BUILD)/stress/smccc_churn
SMCCC_FAULTS := $(BUILD)/stress/smccc_faults
STRESS_E2E_SRCS := selftests/stress/stress_util.c selftests/e2e/policy.c

stress: $(SMCCC_CHURN) $(SMCCC_FAULTS)

$(SMCCC_CHURN) $(SMCCC_FAULTS): $(BUILD)/stress/smccc_%: selftests/stress/%.c $(STRESS_E2E_SRCS) \
		selftests/stress/stress_util.h selftests/e2e/policy.h \
		$(BUILD)/e2e/test_policy.skel.h $(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)mkdir -p $(@D) && $(CROSS_CC) $(E2E_CFLAGS) $< $(STRESS_E2E_SRCS) $(ARM64_LIBS) -o $@
