#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Scenario 6, a real VMM and a real Linux guest (docs/scenarios.md), inside
# the test VM: Debian's arm64 qemu-system-aarch64 (scripts/fetch-qemu-arm64.sh)
# boots the stock 6.12 kernel (kernel/build.sh --flavour guest) with
# -accel kvm; the guest's /init (linux-guest-init.sh) reports what it found
# over SMCCC and powers off. Each guest starts paused (-S): the policy is
# attached to QEMU's VM (found by QEMU's pid in /proc fdinfo) before the guest's
# first instruction, then the monitor's "cont" lets it run. The guest's own
# console log is checked against the policy:
#
#   a. no policy: PSCI v1.1 and SMCCC v1.1 found ("psci: PSCIv1.1 detected
#      in firmware.", "psci: SMC Calling Convention v1.1"), the SMCCC TRNG
#      (hw_random rng_current "smccc_trng"), KVM's PTP clock ("KVM virtual
#      PTP"); "reboot: Power down" and QEMU exits 0 by itself (PSCI
#      SYSTEM_OFF reached the VMM).
#   b. the Linux 5.10 baseline (smccc-bpf policy baseline 5.10, generated
#      here): PSCI (v1.0, as 5.10's KVM) and SMCCC still found, no KVM
#      vendor services, no TRNG (rng_current "none"), no PTP clock; the
#      guest powers off as usual.
#   c. deny function psci.system_off: the guest boots as in (a), its
#      poweroff -f gets NOT_SUPPORTED from SYSTEM_OFF, the kernel prints
#      "reboot: Power down", gives up and returns to user space
#      ("GUEST: poweroff returned"); QEMU is still running HOLD seconds
#      later; smccc-bpf -j events shows exactly the one denied SYSTEM_OFF
#      (0x84000008, hvc, rule 1) and stats count it; then the policy is
#      detached and QEMU is told to quit.
#
# Every guest log must be free of kernel splats. Prints "ok N - ..." /
# "not ok N - ..." and, last, "N passed, N failed"; exits 1 on any failure.
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf                   the arm64 CLI
#   QEMU=/usr/bin/qemu-system-aarch64 Debian's arm64 QEMU (and its libraries)
#   GUEST=./linux-guest               Image and guest.cpio.gz
# Root, /dev/kvm, debugfs on /sys/kernel/debug, bpffs on /sys/fs/bpf.
# BOOT_TIMEOUT (default 120) bounds each guest's boot and power-off in
# seconds, HOLD (default 5) is how long QEMU must outlive a denied
# power-off (a granted one ends it at once: the guest never runs again).

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
QEMU=${QEMU:-/usr/bin/qemu-system-aarch64}
GUEST=${GUEST:-./linux-guest}
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
HOLD=${HOLD:-5}
T=$(mktemp -d /tmp/linux-guest.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"

qpid='' mpid='' qpids=''
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null
}
trap cleanup EXIT

# Seconds since boot, to 1/100 s.
now() { read -r u _ </proc/uptime; echo "$u"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
# unbracket: brackets turned into parentheses, so that the guest's console
# lines, shown in this VM's console, do not pass for this kernel's own in
# the host's splat check (scripts/run-vm.sh looks for "[ 1.234] ...").
unbracket() { sed -e 's/\[/(/g' -e 's/\]/)/g'; }
# guest_log NAME TITLE: after a case, its discovery and power-off lines as
# comments; the whole console log if one of its checks failed.
guest_log() {
	echo "# --- $2"
	if [ "$failed" -gt "$case_failed" ]; then
		tr -d '\r' <"$T/$1.log"
	else
		tr -d '\r' <"$T/$1.log" | grep -E '^GUEST|psci:|smccc:|reboot:'
	fi | sed 's/^/#   | /' | unbracket
	[ -s "$T/$1.qemu" ] && comment "$T/$1.qemu"
}

# qemu_start NAME: QEMU with the guest, paused (-S), its HMP monitor on the
# FIFOs $T/NAME.mon.in/.out; sets qpid, vm_id. Returns 1 if no VM appears.
qemu_start() {
	name=$1 vm_id=
	mkfifo "$T/$name.mon.in" "$T/$name.mon.out" || return 1
	"$QEMU" -accel kvm -M virt,gic-version=3 -cpu host -smp 1 -m 256M \
		-nodefaults -display none -no-reboot -S \
		-serial "file:$T/$name.log" \
		-chardev "pipe,id=mon0,path=$T/$name.mon" -mon chardev=mon0,mode=readline \
		-kernel "$GUEST/Image" -initrd "$GUEST/guest.cpio.gz" \
		-append "console=ttyAMA0 panic=-1" \
		</dev/null >"$T/$name.qemu" 2>&1 &
	qpid=$!
	qpids="$qpids $qpid"
	cat "$T/$name.mon.out" >"$T/$name.mon.log" 2>/dev/null &
	mpid=$!
	t=$(now)
	i=0
	while [ -z "$vm_id" ]; do
		# QEMU's VM fd, and its id from the fd's fdinfo
		for f in /proc/"$qpid"/fd/*; do
			[ "$(readlink "$f" 2>/dev/null)" = anon_inode:kvm-vm ] &&
				vm_id=$(sed -n 's/^smccc_bpf_vm_id:[[:space:]]*//p' \
					"/proc/$qpid/fdinfo/${f##*/}" 2>/dev/null)
		done
		[ -n "$vm_id" ] && break
		i=$((i + 1))
		if [ $i -gt 1200 ] || ! kill -0 "$qpid" 2>/dev/null; then
			nok "$name: QEMU (pid $qpid) created no VM"
			comment "$T/$name.qemu"
			return 1
		fi
		usleep 100000
	done
	ok "$name: QEMU (pid $qpid) created VM $vm_id, paused ($(since "$t") s)"
}

# monitor NAME COMMAND: one HMP command (does not block if QEMU is gone)
monitor() {
	kill -0 "$qpid" 2>/dev/null || return 1
	timeout 10 sh -c "echo '$2' >'$T/$1.mon.in'"
}

# qemu_wait SECS: until QEMU exits (sets qrc) or SECS pass (returns 1)
qemu_wait() {
	[ -n "$qpid" ] || return 0
	i=0
	while kill -0 "$qpid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt $(($1 * 10)) ] && return 1
		usleep 100000
	done
	wait "$qpid"
	qrc=$?
	qpid=''
	wait "$mpid" 2>/dev/null
	mpid=''
	return 0
}

# log_has NAME DESC PATTERN / log_lacks NAME DESC PATTERN: grep -E the
# guest's console log (CRs removed: $T/NAME.txt)
log_has() { tr -d '\r' <"$T/$1.log" >"$T/$1.txt"; has "$1: $2" "$1.txt" "$3"; }
log_lacks() {
	tr -d '\r' <"$T/$1.log" >"$T/$1.txt"
	if grep -Eq -- "$3" "$T/$1.txt"; then
		nok "$1: $2 (/$3/ in the guest log)"
		grep -E -- "$3" "$T/$1.txt" | head -5 | sed 's/^/#   /' | unbracket
	else
		ok "$1: $2"
	fi
}
# The guest kernel's own splats (the same words as scripts/run-vm.sh).
SPLAT='WARNING:|BUG:|kernel BUG at|Oops|Kernel panic|Call trace:|Unable to handle kernel|Internal error:|Attempted to kill init|cut here'

# found_all NAME: the guest found what KVM offers without a policy
found_all() {
	log_has "$1" "guest booted (its /init ran)" '^GUEST: start '
	log_has "$1" "PSCI found: 'psci: PSCIv1.1 detected in firmware.'" 'psci: PSCIv1\.1 detected in firmware\.'
	log_has "$1" "SMCCC found: 'psci: SMC Calling Convention v1.1'" 'psci: SMC Calling Convention v1\.1$'
	log_has "$1" "TRNG found: hw_random rng_current is smccc_trng" '^GUEST: rng_current=smccc_trng$'
	log_has "$1" "KVM PTP found: a PTP clock named 'KVM virtual PTP'" '^GUEST: ptp=KVM virtual PTP$'
}

t_all=$(now)
[ -x "$QEMU" ] && "$QEMU" --version >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ]; then
	ok "Debian's arm64 QEMU runs: $(head -1 "$T/out")"
else
	nok "$QEMU --version (exit $rc)"
	show_output
fi
[ -c /dev/kvm ] && ok "/dev/kvm is there" || nok "no /dev/kvm"
for f in Image guest.cpio.gz; do
	[ -s "$GUEST/$f" ] && ok "guest $f ($(wc -c <"$GUEST/$f") bytes)" || nok "no $GUEST/$f"
done

# boot_until_off NAME: 'cont' on QEMU's monitor, then QEMU must exit 0 by
# itself (the guest's PSCI SYSTEM_OFF reached it) within BOOT_TIMEOUT.
boot_until_off() {
	run 0 "$1: 'cont' on QEMU's monitor: the guest starts" monitor "$1" cont
	t=$(now)
	if qemu_wait "$BOOT_TIMEOUT"; then
		[ "$qrc" -eq 0 ] && ok "$1: the guest powered off, QEMU exited 0 ($(since "$t") s boot to power-off)" ||
			nok "$1: QEMU exited $qrc"
	else
		nok "$1: QEMU still running ${BOOT_TIMEOUT} s after cont"
	fi
}

# ---- a. no policy ---------------------------------------------------------------
case_failed=$failed
if qemu_start nopolicy; then
	run 0 "nopolicy: vm list" "$CLI" vm list
	has "nopolicy: vm list shows QEMU's VM, no policy" out "^$vm_id +$qpid +[0-9]+ +qemu-system-aar.* none "
	boot_until_off nopolicy
	found_all nopolicy
	log_has nopolicy "KVM's vendor services found (UID, features)" 'smccc: KVM: hypervisor services detected'
	log_has nopolicy "the guest powered off: 'reboot: Power down'" 'reboot: Power down'
	log_lacks nopolicy "no power-off failure" '^GUEST: poweroff returned'
	log_lacks nopolicy "no kernel splat" "$SPLAT"
	guest_log nopolicy "guest console, no policy"
fi
cleanup; qpid='' mpid=''

# ---- b. the Linux 5.10 baseline -----------------------------------------------
case_failed=$failed
"$CLI" policy baseline 5.10 >"$T/baseline.policy" 2>"$T/err"
brc=$?
if [ $brc -eq 0 ] && [ -s "$T/baseline.policy" ]; then
	ok "baseline: smccc-bpf policy baseline 5.10 printed a policy ($(grep -c . "$T/baseline.policy") lines)"
	comment "$T/baseline.policy"
	run 0 "baseline: policy check" "$CLI" policy check "$T/baseline.policy"
else
	nok "baseline: smccc-bpf policy baseline 5.10 (exit $brc, $(wc -c <"$T/baseline.policy") bytes): no guest booted"
	comment "$T/err"
fi
if [ $brc -eq 0 ] && [ -s "$T/baseline.policy" ] && qemu_start baseline; then
	run 0 "baseline: policy attach --vm $vm_id (guest paused)" \
		"$CLI" policy attach --vm "$vm_id" "$T/baseline.policy"
	boot_until_off baseline
	log_has baseline "guest booted (its /init ran)" '^GUEST: start '
	log_has baseline "PSCI still found" 'psci: PSCIv1\.[0-9]+ detected in firmware\.'
	log_has baseline "... as 5.10's KVM: PSCI v1.0" 'psci: PSCIv1\.0 detected in firmware\.'
	log_has baseline "SMCCC still found" 'psci: SMC Calling Convention v1\.[0-9]+$'
	log_lacks baseline "no KVM vendor services (5.10 had no vendor UID)" 'smccc: KVM: hypervisor services detected'
	log_has baseline "no TRNG: rng_current is none" '^GUEST: rng_current=none$'
	log_has baseline "no KVM PTP: no PTP clock" '^GUEST: ptp=none$'
	log_lacks baseline "no smccc_trng anywhere" 'smccc_trng'
	log_lacks baseline "no kernel splat" "$SPLAT"
	guest_log baseline "guest console, 5.10 baseline"
	# The VM is gone: its pinned policy is no longer attached to anything.
	"$CLI" policy detach --vm "$vm_id" >/dev/null 2>&1
fi
cleanup; qpid='' mpid=''

# ---- c. SYSTEM_OFF denied -------------------------------------------------------
case_failed=$failed
cat >"$T/no-off.policy" <<'EOF'
policy "no-off";
default handle;
deny function psci.system_off;
EOF
run 0 "no-off: policy check" "$CLI" policy check "$T/no-off.policy"
if qemu_start nooff; then
	run 0 "nooff: policy attach --vm $vm_id (guest paused)" \
		"$CLI" policy attach --vm "$vm_id" "$T/no-off.policy"
	run 0 "nooff: 'cont' on QEMU's monitor: the guest starts" monitor nooff cont
	t=$(now)
	i=0
	while ! grep -q 'reboot: Power down' "$T/nooff.log" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((BOOT_TIMEOUT * 10)) ] || ! kill -0 "$qpid" 2>/dev/null; then
			break
		fi
		usleep 100000
	done
	log_has nooff "the guest asked to power off: 'reboot: Power down' ($(since "$t") s)" 'reboot: Power down'
	if qemu_wait "$HOLD"; then
		nok "nooff: QEMU exited ($qrc) within $HOLD s of the guest's power-off: SYSTEM_OFF was not denied"
	else
		ok "nooff: QEMU still runs $HOLD s after the guest's power-off (SYSTEM_OFF denied)"
	fi
	found_all nooff
	log_has nooff "the guest's poweroff -f returned (SYSTEM_OFF got NOT_SUPPORTED)" '^GUEST: poweroff returned'
	log_lacks nooff "no kernel splat" "$SPLAT"
	run 0 "nooff: events -j --timeout 0" "$CLI" -j events --vm "$vm_id" --timeout 0
	cp "$T/out" "$T/events"
	has "nooff: an event for the denied SYSTEM_OFF (0x84000008, hvc, rule 1)" events \
		"\"vm_id\":$vm_id,\"vcpu\":0,\"conduit\":\"hvc\",\"imm\":0,\"func_id\":\"0x84000008\",\"function\":\"psci.system_off[^\"]*\",.*\"action\":\"deny\",\"decided\":\"deny\",\"rule\":1,\"reason\":\"deny\""
	nev=$(grep -c . "$T/events")
	[ "$nev" -eq 1 ] && ok "nooff: exactly one event (the only denied call)" ||
		{ nok "nooff: $nev events, expected 1"; comment "$T/events"; }
	sample "smccc-bpf -j events --vm $vm_id --timeout 0"
	run 0 "nooff: stats --vm" "$CLI" stats --vm "$vm_id"
	has "nooff: stats: SYSTEM_OFF denied once" out "^$vm_id +0x84000008 psci.system_off +deny +1 "
	has "nooff: stats: PSCI_VERSION handled (the guest's discovery)" out "^$vm_id +0x84000000 psci.version +handle +[1-9]"
	sample "smccc-bpf stats --vm $vm_id"
	run 0 "nooff: policy detach --vm $vm_id" "$CLI" policy detach --vm "$vm_id"
	if [ -n "$qpid" ]; then
		monitor nooff quit
		if qemu_wait 60; then
			ok "nooff: QEMU quit on the monitor's 'quit' (exit $qrc)"
		else
			nok "nooff: QEMU ignored 'quit'"
		fi
	fi
	guest_log nooff "guest console, SYSTEM_OFF denied"
fi
cleanup; qpid='' mpid=''

leftover=0
for p in $qpids; do
	for d in /sys/kernel/debug/kvm/"$p"-*; do
		[ -e "$d" ] && leftover=$((leftover + 1))
	done
done
[ "$leftover" -eq 0 ] && ok "no VM of these QEMUs left behind" ||
	nok "$leftover VMs of these QEMUs ($qpids) left in /sys/kernel/debug/kvm"

rm -rf "$T"
echo "# linux-guest-in-vm: $(since "$t_all") s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
