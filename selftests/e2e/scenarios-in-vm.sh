#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The product's seed scenarios (docs/scenarios.md), each a shipped policy
# (bpf/policies/) attached to a real KVM guest through the smccc-bpf CLI,
# checked over HVC and SMC (inside the test VM):
#
#   1. FF-A to the VMM (ffa-to-vmm.policy): FFA_VERSION and FFA_ID_GET get
#      the VMM's answers (smccc-testvm's FF-A responder: 0x10001, and
#      FFA_SUCCESS_32 with partition id 1), other FF-A IDs of both
#      conventions are forwarded too (range edges included), every other
#      call gets exactly its answer without a policy (x0..x3); events show
#      exactly the forwarded calls; detach restores KVM's answers (FF-A:
#      NOT_SUPPORTED).
#   2. Observe and handle (observe-psci.policy): PSCI calls get x0..x3
#      identical to no policy; smccc-bpf -j events --vm ID --timeout 0 has
#      one event per PSCI call (function, conduit, vCPU, x1..x3, log) and
#      none for the others; detach leaves nothing attached.
#   3. Another hypervisor's vendor range (other-hypervisor.policy): without a
#      policy the UID call 0x8600ff01 gets KVM's UID; with the policy the
#      whole vendor hypervisor range goes to the VMM (fwd=1), which answers
#      as the "smccc-bpf test hypervisor" (smccc-testvm): its UID, its
#      features bitmap, its GET_TIME 0xc6000001 (x0 = 0, x1 = a per-VM call
#      counter, x2 = the vCPU), NOT_SUPPORTED for every other ID of the
#      range (edges included); calls outside the range (neighbours
#      included) get their no-policy answers; policy check, replace and
#      attach (over the attached policy) refuse a partial takeover (exit 3,
#      "moves as a whole"), leaving the attached policy untouched; detach
#      restores KVM's UID.
#   4. PSCI in the VMM, vCPU hotplug (psci-in-vmm.policy), on a second test
#      VM whose vCPU 1 starts powered off (SMCCC_TESTVM_SECONDARY_OFF=1):
#      CPU_ON, CPU_OFF and AFFINITY_INFO (SMC32 and SMC64) go to the VMM
#      (fwd=1), which implements them on its own records: AFFINITY_INFO(1)
#      = OFF, CPU_ON(1) = DENIED while vCPU 1 is unplugged, SUCCESS once
#      plugged (vCPU 1 then comes online at vmm_entry_addr() and answers
#      calls), ALREADY_ON for a second CPU_ON, AFFINITY_INFO(1) = ON, CPU_OFF
#      from vCPU 1 stops it (AFFINITY_INFO = OFF again, no calls on it) and
#      a new CPU_ON restarts it; each over HVC and over SMC. PSCI_VERSION,
#      PSCI_FEATURES and MIGRATE_INFO_TYPE stay KVM's (no-policy answers,
#      fwd=0); detach gives AFFINITY_INFO back to KVM.
#
# Prints "ok N - ..." / "not ok N - ..." and, last, "N passed, N failed";
# exits 1 on any failure.
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf           the arm64 CLI
#   TESTVM=./smccc-testvm     a scriptable VM (loader/cli_testvm.c)
#   POLICIES=./policies       ffa-to-vmm.policy, observe-psci.policy,
#                             other-hypervisor.policy, psci-in-vmm.policy
# Root, debugfs on /sys/kernel/debug, bpffs on /sys/fs/bpf.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
POLICIES=${POLICIES:-./policies}
T=$(mktemp -d /tmp/scenarios-test.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"

NS=0xffffffffffffffff	# NOT_SUPPORTED
FWD=0x5ec0de		# smccc-testvm's answer to a forwarded call it does not emulate

# call CONDUIT VCPU FUNC [X1..X3]: VM a's answer line, "ret X0 X1 X2 X3 fwd=F"
call() { vm_call a 3 "$@"; }

# The calls both scenarios make, one "CONDUIT VCPU FUNC [X1 X2 X3]" a line,
# each over HVC from vCPU 0 and over SMC from vCPU 1.
both() { for c in "hvc 0" "smc 1"; do echo "$c $*"; done; }
{
	both 0x84000063 0x10001                 # FFA_VERSION(1.1)
	both 0x84000069                         # FFA_ID_GET
	both 0x84000064 0x84000063              # FFA_FEATURES(FFA_VERSION)
	both 0xc4000064 0xc4000064 0x1          # FFA_FEATURES, SMC64 form
	both 0x84000060                         # FFA_ERROR: the SMC32 range's first ID
	both 0xc40000ff 0x1 0x2 0x3             # the SMC64 range's last ID
} >"$T/ffa.calls"
{
	both 0x84000000 0x11 0x12 0x13          # PSCI_VERSION (arguments ignored)
	both 0x8400000a 0x84000000              # PSCI_FEATURES(PSCI_VERSION)
	both 0x8400000a 0xc4000003              # PSCI_FEATURES(CPU_ON64)
	both 0x84000006                         # MIGRATE_INFO_TYPE
	both 0x84000004 0x0 0x0                 # AFFINITY_INFO(vCPU 0, level 0)
	both 0xc4000004 0x1 0x0                 # AFFINITY_INFO64(vCPU 1, level 0)
	both 0x84000004 0x0 0x1 0x7             # AFFINITY_INFO, level 1, a stray x3
} >"$T/psci.calls"
{
	both 0x84000050                         # TRNG_VERSION
	both 0x80000000                         # SMCCC_VERSION
	both 0x80000001 0x80008000              # SMCCC_ARCH_FEATURES(ARCH_WORKAROUND_1)
	both 0xc2000001 0x1 0x2 0x3             # a SiP call
	both 0x8400005f                         # just below the FF-A range
	both 0x84000100                         # just above the SMC32 FF-A range
	both 0xc4000100                         # just above the SMC64 FF-A range
	both 0x86000000                         # KVM's vendor hypervisor features
} >"$T/other.calls"
cat "$T/psci.calls" "$T/other.calls" >"$T/nonffa.calls"
cat "$T/ffa.calls" "$T/nonffa.calls" >"$T/all.calls"

# answers LIST OUT: each call of LIST, "CALL|ANSWER" a line in OUT
answers() {
	: >"$2"
	while read -r line; do
		echo "$line|$(call $line)" >>"$2"
	done <"$1"
}

# unchanged DESC LIST: each call of LIST answered exactly (x0..x3, fwd) as
# without a policy ($T/base); one check per call
unchanged() {
	answers "$2" "$T/now"
	while IFS='|' read -r cmd got; do
		want=$(awk -F'|' -v c="$cmd" '$1 == c { print $2; exit }' "$T/base")
		if [ -n "$want" ] && [ "$got" = "$want" ]; then
			ok "$1: $cmd -> ${got#ret }"
		else
			nok "$1: $cmd got '$got', without a policy '$want'"
		fi
	done <"$T/now"
}

# is DESC WANT CALL...: the answer line equals WANT
is() {
	d=$1 w=$2
	shift 2
	got=$(call "$@")
	[ "$got" = "$w" ] && ok "$d: $* -> ${got#ret }" || nok "$d: $* (got '$got', expected '$w')"
}

# events_are DESC EXPECTED: smccc-bpf -j events --vm A --timeout 0 (the
# backlog), as "FUNC CONDUIT VCPU X1 X2 X3 ACTION DECIDED RULE REASON"
# lines, equals the lines of EXPECTED as a multiset; raw lines in $T/events
events_are() {
	"$CLI" -j events --vm "$a_id" --timeout 0 >"$T/events" 2>"$T/err" ||
		{ nok "$1: events exit $?"; comment "$T/events" "$T/err"; return; }
	sed -e 's/^{"time":"[^"]*","ktime_ns":[0-9]*,//' -e 's/"function":"[^"]*",//' \
		-e 's/"[a-z_]*"://g' -e 's/[]{}"[]//g' -e 's/,/ /g' "$T/events" |
		awk '{ print $5, $3, $2, $6, $7, $8, $9, $10, $11, $12 }' | sort >"$T/ev.got"
	sort "$2" >"$T/ev.want"
	if cmp -s "$T/ev.got" "$T/ev.want"; then
		ok "$1 ($(wc -l <"$T/ev.got") events)"
	else
		nok "$1"
		echo "# got:"; comment "$T/ev.got"
		echo "# expected:"; comment "$T/ev.want"
	fi
}

# expect_events LIST ACTION DECIDED RULE REASON: one event line per call of LIST
expect_events() {
	while read -r cd vc fn x1 x2 x3; do
		echo "$fn $cd $vc ${x1:-0x0} ${x2:-0x0} ${x3:-0x0} $2 $3 $4 $5"
	done <"$1"
}

cleanup() {
	[ -n "${a_id:-}" ] && "$CLI" policy detach --vm "$a_id" >/dev/null 2>&1
	exec 3>&- 2>/dev/null
	[ -n "${a_pid:-}" ] && kill "$a_pid" 2>/dev/null
	wait 2>/dev/null
}

echo "== the seed scenarios: shipped policies on a real guest ($CLI, $POLICIES)"

if ! vm_start a 3; then
	nok "starting the test VM"
	cleanup
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "test VM: id $a_id"
run 4 "no policy attached to VM $a_id to begin with" "$CLI" policy detach --vm "$a_id"

# ---- without a policy ---------------------------------------------------------------
answers "$T/all.calls" "$T/base"
grep -q 'timeout\|error\||$' "$T/base" && { nok "answers without a policy"; comment "$T/base"; } ||
	ok "answers without a policy: $(wc -l <"$T/base") calls"
comment "$T/base"
bad=$(grep -F -f "$T/ffa.calls" "$T/base" | grep -v "|ret $NS .* fwd=0\$")
[ -z "$bad" ] && ok "no policy: every FF-A call is KVM's NOT_SUPPORTED (no pKVM), not forwarded" ||
	{ nok "no policy: FF-A calls answered otherwise"; echo "$bad" | sed 's/^/#   /'; }
grep -q "^hvc 0 0x84000000 .*|ret $NS" "$T/base" && nok "no policy: PSCI_VERSION NOT_SUPPORTED" ||
	ok "no policy: KVM implements PSCI ($(grep "^hvc 0 0x84000000 " "$T/base" | cut -d'|' -f2))"

# ---- 1. FF-A to the VMM -----------------------------------------------------------
echo "# --- scenario 1: FF-A to the VMM (ffa-to-vmm.policy)"
run 0 "ffa-to-vmm.policy compiles" "$CLI" policy check "$POLICIES/ffa-to-vmm.policy"
run 0 "attach ffa-to-vmm.policy to VM $a_id" "$CLI" policy attach --vm "$a_id" "$POLICIES/ffa-to-vmm.policy"
run 0 "policy show: ffa-to-vmm" "$CLI" policy show --vm "$a_id"
has "... by name" out 'policy "ffa-to-vmm"'
V11="ret 0x10001 0x0 0x0 0x0 fwd=1"
ID1="ret 0x84000061 0x0 0x1 0x0 fwd=1"
is "FFA_VERSION: the VMM answers FF-A 1.1" "$V11" hvc 0 0x84000063 0x10001
is "FFA_VERSION: the VMM answers FF-A 1.1" "$V11" smc 1 0x84000063 0x10001
is "FFA_ID_GET: FFA_SUCCESS_32, partition id 1" "$ID1" hvc 0 0x84000069
is "FFA_ID_GET: FFA_SUCCESS_32, partition id 1" "$ID1" smc 1 0x84000069
is "FFA_FEATURES: forwarded" "ret $FWD 0x84000064 0x0 0x0 fwd=1" hvc 0 0x84000064 0x84000063
is "FFA_FEATURES: forwarded" "ret $FWD 0x84000064 0x0 0x0 fwd=1" smc 1 0x84000064 0x84000063
is "FFA_FEATURES (SMC64): forwarded" "ret $FWD 0xc4000064 0x0 0x0 fwd=1" hvc 0 0xc4000064 0xc4000064 0x1
is "FFA_FEATURES (SMC64): forwarded" "ret $FWD 0xc4000064 0x0 0x0 fwd=1" smc 1 0xc4000064 0xc4000064 0x1
is "the SMC32 range's first ID: forwarded" "ret $FWD 0x84000060 0x0 0x0 fwd=1" hvc 0 0x84000060
is "the SMC32 range's first ID: forwarded" "ret $FWD 0x84000060 0x0 0x0 fwd=1" smc 1 0x84000060
is "the SMC64 range's last ID: forwarded" "ret $FWD 0xc40000ff 0x0 0x0 fwd=1" hvc 0 0xc40000ff 0x1 0x2 0x3
is "the SMC64 range's last ID: forwarded" "ret $FWD 0xc40000ff 0x0 0x0 fwd=1" smc 1 0xc40000ff 0x1 0x2 0x3
unchanged "ffa-to-vmm: not FF-A, as without a policy" "$T/nonffa.calls"
expect_events "$T/ffa.calls" forward forward 1 forward >"$T/exp"
events_are "ffa-to-vmm: events -j: exactly the forwarded FF-A calls (function, conduit, vCPU, x1..x3, rule 1)" "$T/exp"
has "... an event in full" events "\"vm_id\":$a_id,\"vcpu\":1,\"conduit\":\"smc\",\"imm\":0,\"func_id\":\"0x84000069\",\"function\":\"ffa[^\"]*\",\"args\":\\[\"0x0\",\"0x0\",\"0x0\"\\],\"action\":\"forward\",\"decided\":\"forward\",\"rule\":1,\"reason\":\"forward\""
echo "# --- events, ffa-to-vmm"; comment "$T/events"
run 0 "policy detach ffa-to-vmm" "$CLI" policy detach --vm "$a_id"
unchanged "detached: KVM's answer again" "$T/all.calls"

# ---- 2. Observe and handle ------------------------------------------------------------
echo "# --- scenario 2: observe and handle (observe-psci.policy)"
run 0 "observe-psci.policy compiles" "$CLI" policy check "$POLICIES/observe-psci.policy"
run 0 "attach observe-psci.policy to VM $a_id" "$CLI" policy attach --vm "$a_id" "$POLICIES/observe-psci.policy"
run 0 "events --timeout 0 right after attach: none" "$CLI" -j events --vm "$a_id" --timeout 0
[ -s "$T/out" ] && { nok "events before any call"; show_output; } || ok "no event before any call"
unchanged "observe-psci: PSCI, logged, x0..x3 as without a policy" "$T/psci.calls"
unchanged "observe-psci: not PSCI, as without a policy" "$T/other.calls"
expect_events "$T/psci.calls" handle log 1 log >"$T/exp"
events_are "observe-psci: events -j: one per PSCI call, $(wc -l <"$T/psci.calls") calls (function, conduit, vCPU, x1..x3, log rule 1), none for the others" "$T/exp"
has "... an event in full" events "\"vm_id\":$a_id,\"vcpu\":1,\"conduit\":\"smc\",\"imm\":0,\"func_id\":\"0xc4000004\",\"function\":\"psci.affinity_info[^\"]*\",\"args\":\\[\"0x1\",\"0x0\",\"0x0\"\\],\"action\":\"handle\",\"decided\":\"log\",\"rule\":1,\"reason\":\"log\""
echo "# --- events, observe-psci"; comment "$T/events"
unchanged "observe-psci: a second round, same answers" "$T/psci.calls"
run 0 "events --timeout 0: the second round" "$CLI" -j events --vm "$a_id" --timeout 0
[ "$(wc -l <"$T/out")" -eq "$(wc -l <"$T/psci.calls")" ] &&
	ok "... exactly one new event per call ($(wc -l <"$T/out"))" ||
	{ nok "... $(wc -l <"$T/out") events for $(wc -l <"$T/psci.calls") calls"; show_output; }
run 0 "policy detach observe-psci" "$CLI" policy detach --vm "$a_id"
unchanged "detached: KVM's answer again" "$T/psci.calls"
run 4 "nothing left attached: detach again exits 4" "$CLI" policy detach --vm "$a_id"

# ---- 3. Another hypervisor's vendor range ------------------------------------------------
echo "# --- scenario 3: another hypervisor's vendor range (other-hypervisor.policy)"
KVM_UID="ret 0xb66fb428 0xe911c52e 0x564bcaa9 0x743a004d"	# ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_*
OTHER_UID="ret 0x5ec0deb9 0x7e57f00d 0xc0ffee0 0x48595052 fwd=1"	# smccc-testvm's test hypervisor
VH_NS="ret $NS 0x0 0x0 0x0 fwd=1"	# the VMM: NOT_SUPPORTED
{
	both 0x85ffffff                         # just below the SMC32 vendor hypervisor range
	both 0x86010000                         # just above it
	both 0xc5ffffff                         # just below the SMC64 one
	both 0xc6010000                         # just above it
	both 0x87000000                         # vendor-specific OS (owner 7)
} >"$T/vhnb.calls"
answers "$T/vhnb.calls" "$T/base.vh"
cat "$T/base.vh" >>"$T/base"
grep 0x86000000 -v "$T/nonffa.calls" | cat - "$T/ffa.calls" "$T/vhnb.calls" >"$T/nonvh.calls"
is "no policy: CALL_UID is KVM's UID" "$KVM_UID fwd=0" hvc 0 0x8600ff01
is "no policy: CALL_UID is KVM's UID" "$KVM_UID fwd=0" smc 1 0x8600ff01
echo "#   KVM's UID: $(call hvc 0 0x8600ff01)"
for f in 0x86000000 0xc6000001; do
	got=$(call hvc 0 $f)
	case "$got" in *fwd=0) ok "no policy: $f is KVM's (${got#ret })" ;;
	*) nok "no policy: $f got '$got'" ;; esac
done

run 0 "other-hypervisor.policy compiles" "$CLI" policy check "$POLICIES/other-hypervisor.policy"
run 0 "attach other-hypervisor.policy to VM $a_id" "$CLI" policy attach --vm "$a_id" "$POLICIES/other-hypervisor.policy"
run 0 "policy show: other-hypervisor" "$CLI" policy show --vm "$a_id"
has "... by name" out 'policy "other-hypervisor"'
is "CALL_UID: the other hypervisor's UID, from the VMM" "$OTHER_UID" hvc 0 0x8600ff01
is "CALL_UID: the other hypervisor's UID, from the VMM" "$OTHER_UID" smc 1 0x8600ff01 0x1 0x2 0x3
is "FEATURES: the other hypervisor's bitmap" "ret 0x80000003 0x0 0x0 0x0 fwd=1" hvc 0 0x86000000
is "FEATURES: the other hypervisor's bitmap" "ret 0x80000003 0x0 0x0 0x0 fwd=1" smc 1 0x86000000
is "GET_TIME: SUCCESS, 1st call, vCPU 0" "ret 0x0 0x1 0x0 0x0 fwd=1" hvc 0 0xc6000001
is "GET_TIME: SUCCESS, 2nd call, vCPU 1" "ret 0x0 0x2 0x1 0x0 fwd=1" smc 1 0xc6000001
is "GET_TIME: SUCCESS, 3rd call, vCPU 1" "ret 0x0 0x3 0x1 0x0 fwd=1" hvc 1 0xc6000001 0x7
for f in 0x86000001 0xc6000000 0x86000002 0x8600ff00 0x8600ffff 0xc600ff01 0xc600ffff; do
	is "another vendor hypervisor ID: the VMM's NOT_SUPPORTED" "$VH_NS" hvc 0 $f
	is "another vendor hypervisor ID: the VMM's NOT_SUPPORTED" "$VH_NS" smc 1 $f
done
unchanged "other-hypervisor: outside the vendor hypervisor range, as without a policy" "$T/nonvh.calls"

# A partial takeover is refused, by check and by attach (the attached policy stays).
printf 'policy "ptp-only";\nforward function kvm.ptp;\n' >"$T/ptp-only.pol"
printf 'policy "smc64-only";\nforward range 0xc6000000-0xc600ffff;\n' >"$T/smc64-only.pol"
for p in ptp-only smc64-only; do
	run 3 "policy check $p.pol: a partial takeover, exit 3" "$CLI" policy check "$T/$p.pol"
	has "... the vendor hypervisor range moves as a whole" err "vendor hypervisor range.*moves as a whole"
	comment "$T/err"
	run 3 "policy replace other-hypervisor with $p.pol: exit 3" "$CLI" policy replace --vm "$a_id" "$T/$p.pol"
	has "... the vendor hypervisor range moves as a whole" err "vendor hypervisor range.*moves as a whole"
	run 3 "policy attach $p.pol over other-hypervisor: exit 3 (checked before 'already attached')" \
		"$CLI" policy attach --vm "$a_id" "$T/$p.pol"
	has "... the vendor hypervisor range moves as a whole" err "vendor hypervisor range.*moves as a whole"
	run 0 "... policy show: still other-hypervisor" "$CLI" policy show --vm "$a_id"
	has "... by name" out 'policy "other-hypervisor"'
	is "... CALL_UID: still the other hypervisor's" "$OTHER_UID" hvc 0 0x8600ff01
	is "... PSCI_VERSION: still KVM's" "$(awk -F'|' '$1 == "smc 1 0x84000000 0x11 0x12 0x13" { print $2 }' "$T/base")" \
		smc 1 0x84000000 0x11 0x12 0x13
done
run 0 "policy detach other-hypervisor" "$CLI" policy detach --vm "$a_id"
is "detached: CALL_UID is KVM's UID again" "$KVM_UID fwd=0" hvc 0 0x8600ff01
is "detached: CALL_UID is KVM's UID again" "$KVM_UID fwd=0" smc 1 0x8600ff01
unchanged "detached: KVM's answer again" "$T/nonvh.calls"
for p in ptp-only smc64-only; do
	run 3 "policy attach $p.pol with nothing attached: exit 3" "$CLI" policy attach --vm "$a_id" "$T/$p.pol"
	has "... the vendor hypervisor range moves as a whole" err "vendor hypervisor range.*moves as a whole"
done
is "refused: CALL_UID still KVM's" "$KVM_UID fwd=0" smc 1 0x8600ff01
run 4 "nothing attached: detach exits 4" "$CLI" policy detach --vm "$a_id"

# ---- 4. PSCI in the VMM (vCPU hotplug) ------------------------------------------------------
echo "# --- scenario 4: PSCI in the VMM, vCPU hotplug (psci-in-vmm.policy)"
# cmd_b CMD...: VM b's answer line to one stdin command
cmd_b() {
	before=$(wc -l <"$T/b.out")
	echo "$*" >&5
	wait_lines "$T/b.out" $((before + 1)) 600 || { echo "timeout"; return 1; }
	tail -n 1 "$T/b.out"
}
isb() {
	d=$1 w=$2
	shift 2
	got=$(cmd_b "$@")
	[ "$got" = "$w" ] && ok "$d: $* -> ${got#ret }" || nok "$d: $* (got '$got', expected '$w')"
}
callb() { cmd_b call "$@"; }
export SMCCC_TESTVM_SECONDARY_OFF=1
vm_start b 5 && b_ok=1 || b_ok=0
unset SMCCC_TESTVM_SECONDARY_OFF
if [ "$b_ok" -eq 0 ]; then
	nok "starting the test VM with vCPU 1 powered off"
else
	ok "test VM with vCPU 1 powered off: id $b_id"
	ENTRY=$(cmd_b entry | sed -n 's/^entry //p')
	CTX=0xc0ffee
	SUCCESS="ret 0x0 0x0 0x0 0x0 fwd=1"
	ON="ret 0x0 0x0 0x0 0x0 fwd=1"
	OFF="ret 0x1 0x0 0x0 0x0 fwd=1"
	DENIED="ret 0xfffffffffffffffd 0x0 0x0 0x0 fwd=1"
	ALREADY_ON="ret 0xfffffffffffffffc 0x0 0x0 0x0 fwd=1"
	: >"$T/kvmpsci.calls"
	for c in hvc smc; do
		echo "$c 0 0x84000000" >>"$T/kvmpsci.calls"               # PSCI_VERSION
		for f in 0x84000000 0x84000002 0x84000003 0xc4000003 0x84000004 0xc4000004 0x84000008; do
			echo "$c 0 0x8400000a $f" >>"$T/kvmpsci.calls"    # PSCI_FEATURES(f)
		done
		echo "$c 0 0x84000006" >>"$T/kvmpsci.calls"               # MIGRATE_INFO_TYPE
	done
	: >"$T/base.b"
	while read -r line; do echo "$line|$(callb $line)" >>"$T/base.b"; done <"$T/kvmpsci.calls"
	grep -q 'timeout\|error\||$\|fwd=1' "$T/base.b" && { nok "vCPU-1-off VM: PSCI answers without a policy"; comment "$T/base.b"; } ||
		ok "vCPU-1-off VM: PSCI answers without a policy, KVM's: $(wc -l <"$T/base.b") calls"
	KVM_VERSION=$(awk -F'|' '$1 == "hvc 0 0x84000000" { print $2 }' "$T/base.b")
	isb "no policy: vCPU 1 is off, calls on it refused" "error call Resource temporarily unavailable" call hvc 1 0x84000000
	isb "no policy: AFFINITY_INFO(1) is KVM's OFF" "ret 0x1 0x0 0x0 0x0 fwd=0" call hvc 0 0x84000004 1 0

	run 0 "psci-in-vmm.policy compiles" "$CLI" policy check "$POLICIES/psci-in-vmm.policy"
	run 0 "attach psci-in-vmm.policy to VM $b_id" "$CLI" policy attach --vm "$b_id" "$POLICIES/psci-in-vmm.policy"
	run 0 "policy show: psci-in-vmm" "$CLI" policy show --vm "$b_id"
	has "... by name" out 'policy "psci-in-vmm"'
	: >"$T/now.b"
	while read -r line; do echo "$line|$(callb $line)" >>"$T/now.b"; done <"$T/kvmpsci.calls"
	cmp -s "$T/base.b" "$T/now.b" && ok "psci-in-vmm: PSCI_VERSION, PSCI_FEATURES, MIGRATE_INFO_TYPE as without a policy (KVM's, fwd=0): $(wc -l <"$T/now.b") calls" ||
		{ nok "psci-in-vmm: other PSCI calls changed"; comment "$T/now.b"; }

	isb "AFFINITY_INFO(1): OFF, from the VMM" "$OFF" call hvc 0 0x84000004 1 0
	isb "AFFINITY_INFO64(1): OFF, from the VMM" "$OFF" call smc 0 0xc4000004 1 0
	isb "AFFINITY_INFO(0): ON, from the VMM" "$ON" call smc 0 0x84000004 0 0
	isb "unplug vCPU 1" "plug 1 0" plug 1 0
	isb "unplugged: CPU_ON64(1) DENIED" "$DENIED" call hvc 0 0xc4000003 1 "$ENTRY" $CTX
	isb "unplugged: CPU_ON(1) DENIED" "$DENIED" call smc 0 0x84000003 1 "$ENTRY" $CTX
	isb "unplugged: AFFINITY_INFO(1) still OFF" "$OFF" call hvc 0 0x84000004 1 0
	isb "plug vCPU 1" "plug 1 1" plug 1 1
	for c in hvc smc; do
		[ $c = hvc ] && on=0xc4000003 aff=0x84000004 || on=0x84000003 aff=0xc4000004
		isb "$c: CPU_ON(vCPU 1, entry, context) from vCPU 0: SUCCESS, from the VMM" "$SUCCESS" call $c 0 $on 1 "$ENTRY" $CTX
		isb "$c: vCPU 1 comes online" "online 1" online 1
		isb "$c: vCPU 1 runs and answers: PSCI_VERSION, KVM's" "$KVM_VERSION" call $c 1 0x84000000
		isb "$c: AFFINITY_INFO(1): ON" "$ON" call $c 0 $aff 1 0
		isb "$c: AFFINITY_INFO(0) from vCPU 1: ON" "$ON" call $c 1 $aff 0 0
		isb "$c: a second CPU_ON(1): ALREADY_ON" "$ALREADY_ON" call $c 0 $on 1 "$ENTRY" $CTX
		isb "$c: CPU_ON(0) from vCPU 1: ALREADY_ON" "$ALREADY_ON" call $c 1 $on 0 "$ENTRY" $CTX
		isb "$c: CPU_ON(7): INVALID_PARAMETERS" "ret 0xfffffffffffffffe 0x0 0x0 0x0 fwd=1" call $c 0 $on 7 "$ENTRY" $CTX
		isb "$c: CPU_OFF from vCPU 1: does not return" "off 1 fwd=1" call $c 1 0x84000002
		isb "$c: AFFINITY_INFO(1): OFF again" "$OFF" call $c 0 $aff 1 0
		isb "$c: vCPU 1 is off: no calls" "error call vcpu 1 is off" call $c 1 0x84000000
	done
	isb "restarted: CPU_ON(1) SUCCESS" "$SUCCESS" call hvc 0 0xc4000003 1 "$ENTRY" $CTX
	isb "restarted: vCPU 1 online" "online 1" online 1
	isb "restarted: vCPU 1 answers" "$KVM_VERSION" call smc 1 0x84000000
	run 0 "events --timeout 0: forwarded PSCI calls" "$CLI" -j events --vm "$b_id" --timeout 0
	n_fwd=$(grep -c '"reason":"forward"' "$T/out")
	n_oth=$(grep -vc '"reason":"forward"' "$T/out")
	# one per fwd=1 answer above: 3 + 3 + 2 rounds of 8 + 1
	[ "$n_fwd" -eq 23 ] && [ "$n_oth" -eq 0 ] && ok "... one forward event per forwarded call ($n_fwd), nothing else" ||
		{ nok "... $n_fwd forward events, $n_oth others"; show_output; }
	run 0 "policy detach psci-in-vmm" "$CLI" policy detach --vm "$b_id"
	isb "detached: AFFINITY_INFO(1) is KVM's again (ON)" "ret 0x0 0x0 0x0 0x0 fwd=0" call hvc 0 0x84000004 1 0
	isb "detached: PSCI_VERSION is KVM's" "$KVM_VERSION" call smc 1 0x84000000
fi
exec 5>&-
[ -n "${b_pid:-}" ] && kill "$b_pid" 2>/dev/null

cleanup
rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
