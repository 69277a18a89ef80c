# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the patched kernel with the demo initramfs. Inside, the
# demo (loader/demo.c) runs a guest's SMCCC call mix without and with the
# sample policy bpf/demo.bpf.c and prints every decision.
# Included by the top-level Makefile; products go to $(BUILD)/demo/.

DEMO_CFLAGS := $(ARM64_CFLAGS) -I$(BUILD)/demo -Ibpf

$(BUILD)/demo/demo.bpf.o: bpf/demo.bpf.c bpf/demo.h $(BUILD)/vmlinux.h include/smccc_bpf.h \
		include/smccc_bpf.bpf.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -Ibpf -c $< -o $@

$(BUILD)/demo/demo.skel.h: $(BUILD)/demo/demo.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(HOST_BPFTOOL) gen skeleton $< name demo_bpf > $@

$(BUILD)/demo/demo: loader/demo.c bpf/demo.h include/smccc_bpf.h $(BUILD)/demo/demo.skel.h \
		$(BUILD)/vmm/libvmm.a $(TOOLS)/arm64/libbpf.a
	$(call msg,BINARY,$@)
	$(Q)$(CROSS_CC) $(DEMO_CFLAGS) $< $(ARM64_LIBS) -o $@

$(BUILD)/demo.cpio.gz: $(BUILD)/demo/demo loader/demo-in-vm.sh scripts/mkinitramfs.sh \
		scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f loader/demo-in-vm.sh:/test/run \
		-f $(BUILD)/demo/demo:/test/demo

demo: $(BUILD)/demo.cpio.gz
	$(Q)scripts/run-vm.sh --kernel $(IMAGE) --initrd $(BUILD)/demo.cpio.gz \
		--log $(BUILD)/demo.log --timeout 600 \
		--append loglevel=5
