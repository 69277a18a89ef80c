#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the smccc-bpf test initramfs (installed by mkinitramfs.sh; runs
# under busybox sh as PID 1).
#
# Mounts the usual pseudo filesystems, prints "SMCCC-BPF-INIT: start", runs
# the program named by the kernel command line option smccc.run=PATH
# (default /test/run; executed directly when executable, else with sh, from
# its own directory), prints "SMCCC-BPF-INIT: exit=<code>" and powers off.
# run-vm.sh takes the VM's exit status from that last marker.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=dumb

/bin/busybox --install -s 2>/dev/null # applets not linked by mkinitramfs.sh

mnt() { # TYPE DIR
	mkdir -p "$2"
	mount -t "$1" "$1" "$2" || echo "SMCCC-BPF-INIT: warning: cannot mount $1 on $2"
}
mnt proc /proc
mnt sysfs /sys
mnt devtmpfs /dev
mnt debugfs /sys/kernel/debug
mnt bpf /sys/fs/bpf
mnt tmpfs /tmp
[ -d /sys/kernel/tracing ] && mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null

echo "SMCCC-BPF-INIT: start"
read -r up _ </proc/uptime
echo "SMCCC-BPF-INIT: uptime=${up}s kernel=$(uname -r)"

run=/test/run
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	smccc.run=*) run=${arg#smccc.run=} ;;
	esac
done

if [ ! -e "$run" ]; then
	echo "SMCCC-BPF-INIT: error: $run does not exist (smccc.run=)"
	rc=127
else
	echo "SMCCC-BPF-INIT: running $run"
	cd "$(dirname "$run")" || cd /
	if [ -x "$run" ]; then
		"$run" </dev/null
	else
		sh "$run" </dev/null
	fi
	rc=$?
	cd /
fi

# Start the marker on a fresh line even if the program left a partial one.
echo
echo "SMCCC-BPF-INIT: exit=$rc"
sync
poweroff -f
# poweroff failed: PID 1 must not exit (that would panic the kernel).
echo "SMCCC-BPF-INIT: error: poweroff -f failed"
while :; do sleep 3600; done
