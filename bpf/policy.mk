# SPDX-License-Identifier: GPL-2.0
#
# The generic policy program (bpf/policy.bpf.c, logic in
# bpf/policy_decide.bpf.h) for the booted arm64 kernel, and its skeleton
# for the userspace that loads compiled policies into it
# (loader/policy_maps.c: build it with -I$(POLICY_OUT) -Ibpf -Iloader).
# Included by the top-level Makefile (and by loader/cli.mk if nobody has);
# guarded against a second inclusion. Products go to $(BUILD)/policy/.

ifndef SMCCC_BPF_POLICY_MK
SMCCC_BPF_POLICY_MK := 1

POLICY_OUT := $(BUILD)/policy
POLICY_BPF_OBJ := $(POLICY_OUT)/policy.bpf.o
POLICY_SKEL := $(POLICY_OUT)/policy.skel.h
POLICY_MAPS_SRCS := loader/policy_maps.c
POLICY_MAPS_HDRS := loader/policy_maps.h loader/policy_compiled.h include/smccc_policy.h \
	include/smccc_bpf.h
POLICY_MAPS_CFLAGS := -I$(POLICY_OUT) -Ibpf -Iloader

$(POLICY_BPF_OBJ): bpf/policy.bpf.c bpf/policy_decide.bpf.h $(BUILD)/vmlinux.h \
		include/smccc_bpf.h include/smccc_bpf.bpf.h include/smccc_policy.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@

$(POLICY_SKEL): $(POLICY_BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(HOST_BPFTOOL) gen skeleton $< name policy_bpf > $@

endif # SMCCC_BPF_POLICY_MK
