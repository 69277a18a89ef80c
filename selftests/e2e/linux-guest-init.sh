#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the Linux guest of the real-VMM scenario (docs/scenarios.md,
# selftests/e2e/linux-guest-in-vm.sh): the stock 6.12 kernel
# (kernel/build.sh --flavour guest) booted by Debian's qemu-system-aarch64
# with -accel kvm inside the test VM. Runs under busybox sh as PID 1.
#
# Reports, on the serial console, what the guest found over SMCCC, one
# "GUEST: KEY=VALUE" line each (the kernel's own boot lines are on the
# console too, and are repeated from dmesg as "GUEST-DMESG: " lines):
#
#   GUEST: start uptime=S
#   GUEST: rng_current=NAME      /sys/class/misc/hw_random/rng_current
#                                ("smccc_trng" when the SMCCC TRNG was found)
#   GUEST: ptp=NAME              /sys/class/ptp/*/clock_name, one line per
#                                clock ("KVM virtual PTP" for ptp_kvm), or
#                                "GUEST: ptp=none"
#   GUEST: soc_id=...            /sys/devices/soc0 (SMCCC SOC_ID), if any
#   GUEST-DMESG: ...             the psci, smccc, ptp and random lines
#   GUEST: poweroff              then busybox poweroff -f: PSCI SYSTEM_OFF
#
# When SYSTEM_OFF returns (a policy denied it), the kernel gives up on the
# power-off and the poweroff process exits; the guest then says
# "GUEST: poweroff returned" and idles: PID 1 must not exit.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox --install -s 2>/dev/null

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

read -r up _ </proc/uptime
echo "GUEST: start uptime=${up}"
echo "GUEST: kernel=$(uname -r)"
echo "GUEST: rng_current=$(cat /sys/class/misc/hw_random/rng_current 2>/dev/null || echo missing)"
n=0
for c in /sys/class/ptp/*/clock_name; do
	[ -r "$c" ] || continue
	echo "GUEST: ptp=$(cat "$c")"
	n=$((n + 1))
done
[ $n -gt 0 ] || echo "GUEST: ptp=none"
for f in /sys/devices/soc0/soc_id /sys/devices/soc0/family; do
	[ -r "$f" ] && echo "GUEST: soc_id ${f##*/}=$(cat "$f")"
done
dmesg | grep -iE 'psci|smccc|ptp|random|hw_random|trng' | sed 's/^/GUEST-DMESG: /'
echo "GUEST: poweroff"
poweroff -f
echo "GUEST: poweroff returned rc=$?"
while :; do sleep 3600; done
