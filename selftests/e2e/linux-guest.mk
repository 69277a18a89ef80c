# SPDX-License-Identifier: GPL-2.0
#
# Scenario 6, a real VMM and a real Linux guest (docs/scenarios.md,
# selftests/e2e/linux-guest-in-vm.sh): Debian's arm64 QEMU boots the stock
# 6.12 kernel with -accel kvm inside the test VM, under no policy, the 5.10
# baseline and a policy denying SYSTEM_OFF.
#
#   make linux-guest          the guest kernel, its initramfs, the staged QEMU
#   make linux-guest-booted   boot the test VM running linux-guest-in-vm.sh alone
#
# The booted run ($(BUILD)/e2e.cpio.gz, top Makefile) takes
# $(LINUX_GUEST_DEPS) as prerequisites and $(LINUX_GUEST_CPIO_ARGS) as
# mkinitramfs.sh arguments. In the test VM: /test/linux-guest-in-vm.sh,
# /test/linux-guest/{Image,guest.cpio.gz}, /usr/bin/qemu-system-aarch64
# with its libraries in /lib.

# The guest kernel: kernel/build.sh --flavour guest (unpatched 6.12 +
# kernel/guest.config, cached in $(SMCCC_CACHE)/kernel/<key>).
GUEST_KDIR := $(shell kernel/build.sh --flavour guest --print-dir 2>/dev/null)
GUEST_KDIR := $(or $(GUEST_KDIR),$(SMCCC_CACHE)/kernel/guest-unknown)
GUEST_IMAGE := $(GUEST_KDIR)/Image
# Debian's qemu-system-arm:arm64 and the libraries it needs, staged as a
# root tree (scripts/fetch-qemu-arm64.sh, cached in $(SMCCC_CACHE)/qemu-arm64).
# An unknown directory (no arm64 apt lists yet) makes the rule run the
# script, which says what is missing; never the host's own QEMU.
QEMU_ARM64_ROOT := $(shell scripts/fetch-qemu-arm64.sh --print-dir 2>/dev/null)
QEMU_ARM64_ROOT := $(or $(QEMU_ARM64_ROOT),$(SMCCC_CACHE)/qemu-arm64/unknown/root)
QEMU_ARM64 := $(QEMU_ARM64_ROOT)/usr/bin/qemu-system-aarch64
LINUX_GUEST_CPIO := $(BUILD)/linux-guest/guest.cpio.gz

LINUX_GUEST_DEPS := $(GUEST_IMAGE) $(LINUX_GUEST_CPIO) $(QEMU_ARM64) \
	selftests/e2e/linux-guest-in-vm.sh
LINUX_GUEST_CPIO_ARGS := -f selftests/e2e/linux-guest-in-vm.sh:/test/linux-guest-in-vm.sh \
	-f $(GUEST_IMAGE):/test/linux-guest/Image \
	-f $(LINUX_GUEST_CPIO):/test/linux-guest/guest.cpio.gz \
	-d $(QEMU_ARM64_ROOT):/

.PHONY: linux-guest linux-guest-booted

linux-guest: $(GUEST_IMAGE) $(LINUX_GUEST_CPIO) $(QEMU_ARM64)

$(GUEST_IMAGE): kernel/build.sh kernel/guest.config
	$(Q)kernel/build.sh --flavour guest

# The directory's key covers the package version and the script's revision.
$(QEMU_ARM64):
	$(Q)scripts/fetch-qemu-arm64.sh >/dev/null

# The guest's initramfs: busybox and linux-guest-init.sh as /init.
$(LINUX_GUEST_CPIO): selftests/e2e/linux-guest-init.sh scripts/mkinitramfs.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ -f selftests/e2e/linux-guest-init.sh:/init

# The scenario alone, in a smaller test VM initramfs.
$(BUILD)/linux-guest.cpio.gz: $(LINUX_GUEST_DEPS) $(CLI_OUT)/arm64/smccc-bpf \
		selftests/e2e/lib-in-vm.sh scripts/mkinitramfs.sh scripts/initramfs-init.sh
	$(call msg,CPIO,$@)
	$(Q)scripts/mkinitramfs.sh -o $@ \
		-f selftests/e2e/linux-guest-in-vm.sh:/test/run \
		-f selftests/e2e/lib-in-vm.sh:/test/lib-in-vm.sh \
		-f $(CLI_OUT)/arm64/smccc-bpf:/test/smccc-bpf \
		$(LINUX_GUEST_CPIO_ARGS)

linux-guest-booted: $(BUILD)/linux-guest.cpio.gz
	$(Q)selftests/run-booted.sh --kernel $(IMAGE) --initrd $(BUILD)/linux-guest.cpio.gz \
		--log $(BUILD)/linux-guest-booted.log --timeout 900
