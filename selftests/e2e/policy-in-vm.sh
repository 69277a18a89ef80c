#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The generic policy program, driven through the smccc-bpf CLI, deciding the
# calls of a real KVM guest (inside the test VM). cli-in-vm.sh covers the
# command line itself (attach/replace/detach/show, refusals, objects, the
# host-wide default); this covers what policy files make of guest calls:
#
#   - every match (id, range, service, function) and every action (handle,
#     deny, forward: the VMM answers, return x0..x3, log), and the default
#     action, over HVC and SMC;
#   - every condition kind: conduit, vcpu, xN with and without a mask, and
#     each of == != < <= > >=, a chain that falls through, four conditions;
#   - rate limits: the burst, the over-limit action, the refill after a sleep;
#   - permissive mode: the guest gets KVM's answer, events say what the
#     policy decided;
#   - statistics (smccc-bpf -j stats) equal to the calls the guest made, per
#     function and action, to the call; events (smccc-bpf -j events
#     --timeout 0) for exactly the audited calls, with function, conduit,
#     vCPU, x1..x3, action and rule;
#   - policy replace while the guest issues calls back to back: every call
#     gets policy A's or policy B's answer, A never after B, and B's
#     statistics count exactly the calls that got B's answer;
#   - a bad replacement (compile error, too long a chain, an object the
#     verifier rejects) leaves the attached policy deciding, its statistics
#     still counting.
#
# smccc-testvm (loader/cli_testvm.c) has no in-guest loop command: the
# "loop" of the replace test is a stream of single calls the VMM issues back
# to back (one KVM_RUN each), fed through its FIFO while the replace runs.
#
# Prints "ok N - ..." / "not ok N - ..." and, last, "N passed, N failed";
# exits 1 on any failure.
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf        the arm64 CLI
#   TESTVM=./smccc-testvm  a scriptable VM (loader/cli_testvm.c)
#   OBJS=.                 bad_write.bpf.o
#   LOOP_CALLS=8000        calls of the replace-under-load stream
#   GUEST_LOOP=300000      calls of the in-guest loop replaced under
# Root, debugfs on /sys/kernel/debug, bpffs on /sys/fs/bpf.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
OBJS=${OBJS:-.}
LOOP_CALLS=${LOOP_CALLS:-8000}
GUEST_LOOP=${GUEST_LOOP:-300000}
T=$(mktemp -d /tmp/policy-test.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"

# ---- the scriptable VM ---------------------------------------------------------

# call CONDUIT VCPU FUNC [X1..X3]: VM a's answer line, "ret X0 X1 X2 X3 fwd=F"
call() {
	before=$(wc -l <"$T/a.out")
	echo "call $*" >&3
	wait_lines "$T/a.out" $((before + 1)) || { echo "timeout"; return 1; }
	tail -n 1 "$T/a.out"
}

# batch FILE: sends every line of FILE at once (the VMM runs them back to
# back); the answers, one per line, in $T/batch
batch() {
	before=$(wc -l <"$T/a.out")
	cnt=$(wc -l <"$1")
	cat "$1" >&3
	wait_lines "$T/a.out" $((before + cnt)) || echo "timeout" >>"$T/a.out"
	tail -n "$cnt" "$T/a.out" >"$T/batch"
}

# What the checks expect the policy to record: one line per call in
# $T/exp.stats ("FUNC ACTION"), one per audited call in $T/exp.events
# ("FUNC CONDUIT VCPU X1 X2 X3 ACTION DECIDED RULE REASON"). Numbers are
# written as the CLI prints them: 0x%x, lower case.
reset_expect() { : >"$T/exp.stats"; : >"$T/exp.events"; }

# Values >= 2^63 are written as negative decimals (strtoull wraps them):
# such values are passed as negative decimals, and recorded as the CLI shows them.
hexarg() {
	case $1 in
	-1) echo 0xffffffffffffffff ;;
	-9223372036854775808) echo 0x8000000000000000 ;;
	*) echo "$1" ;;
	esac
}

# expect_call STATS_ACTION EVENT CONDUIT VCPU FUNC [X1 X2 X3]
#   EVENT: "-" for none, else "ACTION DECIDED RULE REASON"
expect_call() {
	sa=$1 ev=$2 ec=$3 ev_vcpu=$4 ef=$5
	echo "$ef $sa" >>"$T/exp.stats"
	[ "$ev" = - ] || echo "$ef $ec $ev_vcpu $(hexarg "${6:-0x0}") $(hexarg "${7:-0x0}")" \
		"$(hexarg "${8:-0x0}") $ev" >>"$T/exp.events"
}

# c DESC WANT STATS_ACTION EVENT CONDUIT VCPU FUNC [X1 X2 X3]: one call,
# its answer matched against the glob WANT, and what it should record.
c() {
	desc=$1 want=$2 sa=$3 ev=$4
	shift 4
	got=$(call "$@")
	case "$got" in
	# shellcheck disable=SC2254 # WANT is a glob
	$want) ok "$desc: $1 vcpu $2 $3 -> ${got#ret }" ;;
	*) nok "$desc: $1 vcpu $2 $3 (guest got '$got', expected '$want')" ;;
	esac
	expect_call "$sa" "$ev" "$@"
}

# c2 DESC WANT STATS_ACTION EVENT FUNC [X1 X2 X3]: the same call over HVC from
# vCPU 0 and over SMC from vCPU 1. EVENT may say VCPU, which is replaced.
c2() {
	d=$1 w=$2 s=$3 e=$4
	shift 4
	c "$d" "$w" "$s" "$e" hvc 0 "$@"
	c "$d" "$w" "$s" "$e" smc 1 "$@"
}

# stats_match DESC: smccc-bpf -j stats --vm A equals $T/exp.stats
stats_match() {
	"$CLI" -j stats --vm "$a_id" >"$T/out" 2>"$T/err" || { nok "$1: stats exit $?"; show_output; return; }
	got=$(grep -o '"func_id":"[^"]*","function":"[^"]*","action":"[^"]*","calls":[0-9]*' "$T/out" |
		sed 's/"func_id":"\([^"]*\)",.*"action":"\([^"]*\)","calls":\([0-9]*\)/\1 \2 \3/' | sort)
	want=$(sort "$T/exp.stats" | uniq -c | awk '{ print $2, $3, $1 }' | sort)
	same "$1" "$got" "$want"
}

# events_match DESC: smccc-bpf -j events --vm A --timeout 0 (the backlog)
# equals $T/exp.events, as a multiset; the raw lines stay in $T/events
events_match() {
	"$CLI" -j events --vm "$a_id" --timeout 0 >"$T/events" 2>"$T/err" ||
		{ nok "$1: events exit $?"; comment "$T/events" "$T/err"; return; }
	got=$(sed -e 's/^{"time":"[^"]*","ktime_ns":[0-9]*,//' -e 's/"function":"[^"]*",//' \
		-e 's/"[a-z_]*"://g' -e 's/[]{}"[]//g' -e 's/,/ /g' "$T/events" |
		awk '{ print $5, $3, $2, $6, $7, $8, $9, $10, $11, $12 }' | sort)
	want=$(sort "$T/exp.events")
	same "$1" "$got" "$want"
}

NS=0xffffffffffffffff	# NOT_SUPPORTED
FWD=0x5ec0de		# what smccc-testvm answers a forwarded call with

cleanup() {
	[ -n "${loop_pid:-}" ] && kill "$loop_pid" 2>/dev/null
	[ -n "${a_id:-}" ] && "$CLI" policy detach --vm "$a_id" >/dev/null 2>&1
	exec 3>&- 2>/dev/null
	[ -n "${a_pid:-}" ] && kill "$a_pid" 2>/dev/null
	wait 2>/dev/null
}

echo "== smccc-bpf policies deciding guest calls ($CLI)"

if ! vm_start a 3; then
	nok "starting the test VM"
	cleanup
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "test VM: id $a_id"

# ---- what KVM answers with no policy ---------------------------------------------
# x0 of a call on both conduits; the handle/log checks expect exactly these.
kvm_x0() {
	h=$(call hvc 0 "$@" | cut -d' ' -f2)
	s=$(call smc 1 "$@" | cut -d' ' -f2)
	if [ "$h" = "$s" ] && [ -n "$h" ] && [ "$h" != timeout ]; then
		echo "$h"
	else
		echo "differs:$h:$s"
	fi
}
K_PSCI_VERSION=$(kvm_x0 0x84000000)
K_PSCI_FEATURES=$(kvm_x0 0x8400000a 0x84000000)
K_MIGRATE_INFO=$(kvm_x0 0x84000006)
K_AFFINITY=$(kvm_x0 0x84000004 0x0 0x0)
K_TRNG_VERSION=$(kvm_x0 0x84000050)
K_SMCCC_VERSION=$(kvm_x0 0x80000000)
K_SIP=$(kvm_x0 0xc2000001)
case "$K_PSCI_VERSION $K_PSCI_FEATURES $K_MIGRATE_INFO $K_AFFINITY $K_TRNG_VERSION $K_SMCCC_VERSION $K_SIP" in
*differs*|*timeout*|$NS*|*" "|*"  "*)
	nok "KVM's answers without a policy: PSCI_VERSION $K_PSCI_VERSION, PSCI_FEATURES" \
		"$K_PSCI_FEATURES, MIGRATE_INFO_TYPE $K_MIGRATE_INFO, AFFINITY_INFO $K_AFFINITY," \
		"TRNG_VERSION $K_TRNG_VERSION, SMCCC_VERSION $K_SMCCC_VERSION, SiP $K_SIP" ;;
*)
	ok "KVM's answers without a policy, alike over HVC and SMC: PSCI_VERSION" \
		"$K_PSCI_VERSION, PSCI_FEATURES $K_PSCI_FEATURES, MIGRATE_INFO_TYPE $K_MIGRATE_INFO," \
		"AFFINITY_INFO $K_AFFINITY, TRNG_VERSION $K_TRNG_VERSION, SMCCC_VERSION $K_SMCCC_VERSION" ;;
esac
[ "$K_SIP" = "$NS" ] && ok "no policy: a SiP call is NOT_SUPPORTED" || nok "no policy: SiP call got $K_SIP"

# ---- 1. every match and every action --------------------------------------------------
cat >"$T/kinds.pol" <<'POL'
policy "kinds";
default deny;
return 0x1001, 1, 2, -1 id 0xc2000001;              # 1  exact id; x0..x3
deny id 0xc2000012;                                 # 2  exact id inside rule 3's range, first
return 0x1002 range 0xc2000010 - 0xc200001f;        # 3  range
deny service trng;                                  # 4  named service
forward function psci.migrate;                      # 5  named function: SMC32 and SMC64 ids
handle function psci.version, function psci.features; # 6  two matches
log id 0x84000006;                                  # 7  log: handled, audited
handle id 0xc2000015;                               # 8  shadowed by rule 3
POL
run 0 "kinds.pol compiles" "$CLI" policy check "$T/kinds.pol"
has "kinds.pol: rule 8 is reported as shadowed by rule 3" err "warning: rule 8 can never match: shadowed by rule 3"
run 0 "attach kinds.pol to VM $a_id" "$CLI" policy attach --vm "$a_id" "$T/kinds.pol"
reset_expect

c2 "id, return x0..x3" "ret 0x1001 0x1 0x2 $NS fwd=0" return - 0xc2000001 0x11 0x12 0x13
c "exact id before a range: deny" "ret $NS * fwd=0" deny "deny deny 2 deny" hvc 0 0xc2000012 0x21 0x22 0x23
c "exact id before a range: deny" "ret $NS * fwd=0" deny "deny deny 2 deny" smc 1 0xc2000012 0x24 0x25 0x26
c2 "range, first id" "ret 0x1002 0x0 0x0 0x0 fwd=0" return - 0xc2000010
c2 "range, last id" "ret 0x1002 0x0 0x0 0x0 fwd=0" return - 0xc200001f
c2 "range before a later exact id (rule 8)" "ret 0x1002 0x0 0x0 0x0 fwd=0" return - 0xc2000015
c "below the range: default deny" "ret $NS * fwd=0" deny "deny deny 0 deny" hvc 0 0xc200000f 0x31
c "above the range: default deny" "ret $NS * fwd=0" deny "deny deny 0 deny" smc 1 0xc2000020 0x32
c "service trng: TRNG_VERSION denied" "ret $NS * fwd=0" deny "deny deny 4 deny" hvc 0 0x84000050 0x41 0x42 0x43
c "service trng: TRNG_VERSION denied" "ret $NS * fwd=0" deny "deny deny 4 deny" smc 1 0x84000050 0x44 0x45 0x46
c "service trng: TRNG_RND64 denied" "ret $NS * fwd=0" deny "deny deny 4 deny" smc 1 0xc4000053 0x40
c "function psci.migrate (SMC32): forwarded, the VMM answers" "ret $FWD 0x84000005 0x0 0x0 fwd=1" \
	forward "forward forward 5 forward" hvc 0 0x84000005 0x51 0x52 0x53
c "function psci.migrate (SMC32): forwarded, the VMM answers" "ret $FWD 0x84000005 0x0 0x0 fwd=1" \
	forward "forward forward 5 forward" smc 1 0x84000005 0x54 0x55 0x56
c "function psci.migrate (SMC64): forwarded" "ret $FWD 0xc4000005 0x0 0x0 fwd=1" \
	forward "forward forward 5 forward" hvc 0 0xc4000005 0x57
c "function psci.migrate (SMC64): forwarded" "ret $FWD 0xc4000005 0x0 0x0 fwd=1" \
	forward "forward forward 5 forward" smc 1 0xc4000005 0x58
c2 "handle: KVM's PSCI_VERSION" "ret $K_PSCI_VERSION *" handle - 0x84000000
c2 "handle (second match): KVM's PSCI_FEATURES" "ret $K_PSCI_FEATURES *" handle - 0x8400000a 0x84000000
c "log: KVM's MIGRATE_INFO_TYPE, audited" "ret $K_MIGRATE_INFO *" handle "handle log 7 log" hvc 0 0x84000006 0x61 0x62 0x63
c "log: KVM's MIGRATE_INFO_TYPE, audited" "ret $K_MIGRATE_INFO *" handle "handle log 7 log" smc 1 0x84000006 0x64 0x65 0x66
c "default deny: AFFINITY_INFO, which KVM answers" "ret $NS * fwd=0" deny "deny deny 0 deny" hvc 0 0x84000004 0x0 0x0
c "default deny: AFFINITY_INFO, which KVM answers" "ret $NS * fwd=0" deny "deny deny 0 deny" smc 1 0x84000004 0x0 0x0
c2 "the architecture range stays KVM's under default deny" "ret $K_SMCCC_VERSION *" handle - 0x80000000

stats_match "kinds: stats -j --vm equals the guest's calls, per function and action"
comment "$T/out"
events_match "kinds: events -j: one per denied, forwarded and logged call (function, conduit, vCPU, x1..x3, rule)"
has "kinds: events carry the VM and the policy" events "\"vm_id\":$a_id,\"vcpu\":1,\"conduit\":\"smc\",\"imm\":0,\"func_id\":\"0xc4000005\",\"function\":\"psci.migrate[^\"]*\",\"args\":\\[\"0x58\",\"0x0\",\"0x0\"\\],\"action\":\"forward\",\"decided\":\"forward\",\"rule\":5,\"reason\":\"forward\",\"policy\":\"vm-$a_id\""
run 0 "events --timeout 0 again: nothing new" "$CLI" -j events --vm "$a_id" --timeout 0
[ -s "$T/out" ] && { nok "events were delivered twice"; show_output; } || ok "each event delivered once"

# ---- 2. conditions ------------------------------------------------------------------
cat >"$T/conds.pol" <<'POL'
policy "conds";
default forward;                                        # a condition that fails: the VMM answers
return 0x2001 id 0xc2000002 if conduit == hvc;          # 1
return 0x2002 id 0xc2000002 if conduit == smc;          # 2
return 0x2003 id 0xc2000003 if conduit != hvc;          # 3
return 0x2004 id 0xc2000004 if vcpu == 1;               # 4
return 0x2005 id 0xc2000005 if vcpu != 1;               # 5
return 0x2006 id 0xc2000006 if vcpu >= 1;               # 6
return 0x2007 id 0xc2000007 if x1 == 0x1234;            # 7
return 0x2008 id 0xc2000008 if x2 & 0xff00 == 0x1200;   # 8
return 0x2009 id 0xc2000009 if x3 != 7;                 # 9
return 0x200a id 0xc200000a if x1 & 0xf < 4;            # 10
return 0x200b id 0xc200000b if x2 <= 10;                # 11
return 0x200c id 0xc200000c if x3 > 0x7fffffffffffffff; # 12 unsigned, 64 bits
return 0x200d id 0xc200000d if x1 >= 10;                # 13
return 0x200e id 0xc200000e if conduit == smc and vcpu == 1 and x1 & 0xf0 == 0x30 and x2 != 0; # 14
deny id 0xc2000007 if x2 == 1;                          # 15 tried after rule 7
POL
run 0 "replace with conds.pol" "$CLI" policy replace --vm "$a_id" "$T/conds.pol"
reset_expect
R='fwd=0'
fw() { echo "ret $FWD $1 0x0 0x0 fwd=1"; }	# the default: forwarded
FEV="forward forward 0 forward"
c "conduit == hvc" "ret 0x2001 * $R" return - hvc 0 0xc2000002
c "conduit == smc (same id, next rule)" "ret 0x2002 * $R" return - smc 0 0xc2000002
c "conduit == smc" "ret 0x2002 * $R" return - smc 1 0xc2000002
c "conduit != hvc: SMC matches" "ret 0x2003 * $R" return - smc 0 0xc2000003
c "conduit != hvc: HVC does not" "$(fw 0xc2000003)" forward "$FEV" hvc 1 0xc2000003 0x3
c "vcpu == 1" "ret 0x2004 * $R" return - hvc 1 0xc2000004
c "vcpu == 1" "ret 0x2004 * $R" return - smc 1 0xc2000004
c "vcpu == 1: vCPU 0 does not" "$(fw 0xc2000004)" forward "$FEV" hvc 0 0xc2000004 0x4
c "vcpu == 1: vCPU 0 does not" "$(fw 0xc2000004)" forward "$FEV" smc 0 0xc2000004 0x4
c "vcpu != 1" "ret 0x2005 * $R" return - smc 0 0xc2000005
c "vcpu != 1: vCPU 1 does not" "$(fw 0xc2000005)" forward "$FEV" hvc 1 0xc2000005 0x5
c "vcpu >= 1" "ret 0x2006 * $R" return - hvc 1 0xc2000006
c "vcpu >= 1: vCPU 0 does not" "$(fw 0xc2000006)" forward "$FEV" smc 0 0xc2000006 0x6
c2 "x1 == 0x1234" "ret 0x2007 * $R" return - 0xc2000007 0x1234
c "x1 == 0x1234: 0x1235 falls to rule 15 (x2 == 1)" "ret $NS * $R" deny "deny deny 15 deny" hvc 0 0xc2000007 0x1235 0x1
c "x1 == 0x1234: 0x1235 falls to rule 15 (x2 == 1)" "ret $NS * $R" deny "deny deny 15 deny" smc 1 0xc2000007 0x1235 0x1
c "x1 == 0x1234: 0x1235, x2 == 0: the default" "$(fw 0xc2000007)" forward "$FEV" hvc 0 0xc2000007 0x1235 0x0
c "x1 == 0x1234: 0x1235, x2 == 0: the default" "$(fw 0xc2000007)" forward "$FEV" smc 1 0xc2000007 0x1235 0x0
c2 "x2 & 0xff00 == 0x1200: 0xab12cd" "ret 0x2008 * $R" return - 0xc2000008 0x0 0xab12cd
c "x2 & 0xff00 == 0x1200: 0xab13cd does not" "$(fw 0xc2000008)" forward "$FEV" hvc 0 0xc2000008 0x0 0xab13cd
c "x2 & 0xff00 == 0x1200: 0x12 does not" "$(fw 0xc2000008)" forward "$FEV" smc 1 0xc2000008 0x0 0x12
c2 "x3 != 7: 8" "ret 0x2009 * $R" return - 0xc2000009 0x0 0x0 0x8
c "x3 != 7: 7 does not" "$(fw 0xc2000009)" forward "$FEV" hvc 0 0xc2000009 0x0 0x0 0x7
c "x3 != 7: 7 does not" "$(fw 0xc2000009)" forward "$FEV" smc 1 0xc2000009 0x0 0x0 0x7
c2 "x1 & 0xf < 4: 0xf3" "ret 0x200a * $R" return - 0xc200000a 0xf3
c "x1 & 0xf < 4: 0x4 does not" "$(fw 0xc200000a)" forward "$FEV" hvc 0 0xc200000a 0x4
c "x1 & 0xf < 4: 0xf does not" "$(fw 0xc200000a)" forward "$FEV" smc 1 0xc200000a 0xf
c2 "x2 <= 10: 10" "ret 0x200b * $R" return - 0xc200000b 0x0 0xa
c "x2 <= 10: 11 does not" "$(fw 0xc200000b)" forward "$FEV" hvc 0 0xc200000b 0x0 0xb
c "x2 <= 10: 11 does not" "$(fw 0xc200000b)" forward "$FEV" smc 1 0xc200000b 0x0 0xb
c2 "x3 > 0x7fff_ffff_ffff_ffff: 0x8000_0000_0000_0000" "ret 0x200c * $R" return - 0xc200000c 0x0 0x0 -9223372036854775808
c "x3 > 0x7fff_ffff_ffff_ffff: -1, unsigned" "ret 0x200c * $R" return - smc 1 0xc200000c 0x0 0x0 -1
c "x3 > 0x7fff_ffff_ffff_ffff: itself does not" "$(fw 0xc200000c)" forward "$FEV" hvc 0 0xc200000c 0x0 0x0 0x7fffffffffffffff
c "x3 > 0x7fff_ffff_ffff_ffff: 1 does not" "$(fw 0xc200000c)" forward "$FEV" smc 1 0xc200000c 0x0 0x0 0x1
c2 "x1 >= 10: 10" "ret 0x200d * $R" return - 0xc200000d 0xa
c "x1 >= 10: 9 does not" "$(fw 0xc200000d)" forward "$FEV" hvc 0 0xc200000d 0x9
c "x1 >= 10: 9 does not" "$(fw 0xc200000d)" forward "$FEV" smc 1 0xc200000d 0x9
c "four conditions hold" "ret 0x200e * $R" return - smc 1 0xc200000e 0x3a 0x1
c "four conditions: HVC does not" "$(fw 0xc200000e)" forward "$FEV" hvc 1 0xc200000e 0x3a 0x1
c "four conditions: vCPU 0 does not" "$(fw 0xc200000e)" forward "$FEV" smc 0 0xc200000e 0x3a 0x1
c "four conditions: x1 & 0xf0 0x40 does not" "$(fw 0xc200000e)" forward "$FEV" smc 1 0xc200000e 0x4a 0x1
c "four conditions: x2 == 0 does not" "$(fw 0xc200000e)" forward "$FEV" smc 1 0xc200000e 0x3a 0x0
stats_match "conds: stats -j --vm equals the guest's calls (new policy: counted from zero)"
events_match "conds: events -j for every denied and forwarded call"

# ---- 3. rate limits -----------------------------------------------------------------
cat >"$T/rate.pol" <<'POL'
policy "rate";
return 0x3001 id 0xc2000030 limit 1/s burst 3;          # 1 then deny (the default)
log id 0xc2000031 limit 60/min burst 2 then forward;    # 2
POL
run 0 "replace with rate.pol" "$CLI" policy replace --vm "$a_id" "$T/rate.pol"
reset_expect
# Back-to-back calls (well under a second): the burst, then over the limit.
# Refill is 1 call/s; after 4 s the bucket is full again (burst caps it).
for i in 1 2 3 4 5; do
	[ $((i % 2)) = 1 ] && echo "call hvc 0 0xc2000030 0x$i" || echo "call smc 1 0xc2000030 0x$i"
done >"$T/b1"
for i in 1 2 3 4; do
	[ $((i % 2)) = 1 ] && echo "call smc 1 0xc2000031 0x$i" || echo "call hvc 0 0xc2000031 0x$i"
done >"$T/b2"
rate_batch() {	# rate_batch NAME FILE N_OK WANT_OK WANT_OVER OK_STAT OK_EV OVER_STAT OVER_EV FUNC
	batch "$2"
	want=$(i=0; while [ $i -lt "$(wc -l <"$2")" ]; do
		i=$((i + 1)); [ $i -le "$3" ] && echo "$4" || echo "$5"; done)
	got=$(sed 's/^ret \(0x[0-9a-f]*\) .* fwd=\([01]\)$/\1 fwd=\2/' "$T/batch")
	same "$1" "$got" "$want"
	i=0
	while read -r _ cd vc fn x1; do
		i=$((i + 1))
		if [ $i -le "$3" ]; then
			expect_call "$6" "$7" "$cd" "$vc" "${10}" "$x1"
		else
			expect_call "$8" "$9" "$cd" "$vc" "${10}" "$x1"
		fi
	done <"$2"
}
rate_batch "limit 1/s burst 3: 3 calls returned, then 2 over the limit denied" "$T/b1" 3 \
	"0x3001 fwd=0" "$NS fwd=0" return - deny "deny deny 1 over-limit" 0xc2000030
rate_batch "limit 60/min burst 2 then forward: 2 calls logged (KVM's answer), then 2 forwarded" \
	"$T/b2" 2 "$K_SIP fwd=0" "$FWD fwd=1" handle "handle log 2 log" forward \
	"forward forward 2 over-limit" 0xc2000031
sleep 4
for i in 6 7 8 9; do
	[ $((i % 2)) = 1 ] && echo "call smc 1 0xc2000030 0x$i" || echo "call hvc 0 0xc2000030 0x$i"
done >"$T/b3"
for i in 5 6 7; do
	[ $((i % 2)) = 1 ] && echo "call hvc 0 0xc2000031 0x$i" || echo "call smc 1 0xc2000031 0x$i"
done >"$T/b4"
rate_batch "after 4 s: refilled to the burst, 3 returned, the 4th denied" "$T/b3" 3 \
	"0x3001 fwd=0" "$NS fwd=0" return - deny "deny deny 1 over-limit" 0xc2000030
rate_batch "after 4 s: 2 logged again, the 3rd forwarded" "$T/b4" 2 "$K_SIP fwd=0" "$FWD fwd=1" \
	handle "handle log 2 log" forward "forward forward 2 over-limit" 0xc2000031
stats_match "rate: stats -j --vm equals the guest's calls"
events_match "rate: events -j: over-limit (deny, forward) and log events, each call once"

# ---- 4. permissive mode -----------------------------------------------------------------
cat >"$T/trial.pol" <<'POL'
policy "trial";
mode permissive;
default deny;
forward id 0xc2000001;                  # 1
return 5 function psci.version;         # 2
deny id 0x84000006;                     # 3
log function psci.features;             # 4
return 6 id 0xc2000040 limit 1/s burst 1;  # 5
POL
run 0 "replace with a permissive policy" "$CLI" policy replace --vm "$a_id" "$T/trial.pol"
reset_expect
c "permissive forward: KVM's answer, not forwarded" "ret $K_SIP * fwd=0" handle "handle forward 1 permissive" hvc 0 0xc2000001 0x71 0x72 0x73
c "permissive forward: KVM's answer, not forwarded" "ret $K_SIP * fwd=0" handle "handle forward 1 permissive" smc 1 0xc2000001 0x74 0x75 0x76
c "permissive return: KVM's PSCI_VERSION" "ret $K_PSCI_VERSION *" handle "handle return 2 permissive" hvc 0 0x84000000
c "permissive return: KVM's PSCI_VERSION" "ret $K_PSCI_VERSION *" handle "handle return 2 permissive" smc 1 0x84000000
c "permissive deny: KVM's MIGRATE_INFO_TYPE" "ret $K_MIGRATE_INFO *" handle "handle deny 3 permissive" hvc 0 0x84000006 0x81
c "permissive deny: KVM's MIGRATE_INFO_TYPE" "ret $K_MIGRATE_INFO *" handle "handle deny 3 permissive" smc 1 0x84000006 0x82
c "permissive log: KVM's answer, reason log" "ret $K_PSCI_FEATURES *" handle "handle log 4 log" hvc 0 0x8400000a 0x84000000
c "permissive default deny: KVM's AFFINITY_INFO" "ret $K_AFFINITY *" handle "handle deny 0 permissive" smc 1 0x84000004 0x0 0x0
c "permissive rate limit: within it" "ret $K_SIP *" handle "handle return 5 permissive" hvc 0 0xc2000040
c "permissive rate limit: over it, reason over-limit" "ret $K_SIP * fwd=0" handle "handle deny 5 over-limit" smc 1 0xc2000040
stats_match "permissive: stats count every call as handled"
events_match "permissive: events say what would have happened"

# ---- 5. replace while the guest issues calls back to back --------------------------------
cat >"$T/A.pol" <<'POL'
policy "A";
default deny;
return 0xa, 0xa id 0xc2000050;
POL
cat >"$T/B.pol" <<'POL'
policy "B";
default deny;
return 0xb, 0xb id 0xc2000050;
POL
run 0 "replace with A" "$CLI" policy replace --vm "$a_id" "$T/A.pol"
awk -v n="$LOOP_CALLS" 'BEGIN { for (i = 0; i < n; i++)
	print (i % 2 ? "call smc 1 0xc2000050" : "call hvc 0 0xc2000050") }' >"$T/loop.in"
start=$(wc -l <"$T/a.out")
t0=$(cut -d' ' -f1 /proc/uptime)
cat "$T/loop.in" >&3 &
loop_pid=$!
wait_lines "$T/a.out" $((start + 200)) 600
at_start=$(($(wc -l <"$T/a.out") - start))
"$CLI" policy replace --vm "$a_id" "$T/B.pol" >"$T/out" 2>"$T/err"
rc=$?
at_end=$(($(wc -l <"$T/a.out") - start))
wait_lines "$T/a.out" $((start + LOOP_CALLS)) 3000
wait "$loop_pid" 2>/dev/null
loop_pid=
t1=$(cut -d' ' -f1 /proc/uptime)
[ $rc -eq 0 ] && ok "policy replace A -> B while the guest calls (answers $at_start..$at_end of $LOOP_CALLS came meanwhile)" ||
	{ nok "policy replace A -> B under load: exit $rc"; show_output; }
tail -n "$LOOP_CALLS" "$T/a.out" | awk '
	$1 == "ret" && $2 == "0xa" && $3 == "0xa" && $6 == "fwd=0" { if (b) late++; a++; next }
	$1 == "ret" && $2 == "0xb" && $3 == "0xb" && $6 == "fwd=0" { b++; next }
	{ other++; if (other <= 3) print "other: " $0 > "/dev/stderr" }
	END { printf "%d %d %d %d\n", a, b, other, late }' >"$T/loop.res" 2>"$T/loop.err"
read -r la lb lo llate <"$T/loop.res"
echo "# stream of $LOOP_CALLS calls in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s: A $la, B $lb, other $lo"
[ "$((la + lb))" -eq "$LOOP_CALLS" ] && [ "$lo" -eq 0 ] &&
	ok "replace under load: all $LOOP_CALLS calls got A's or B's answer (A $la, B $lb)" ||
	{ nok "replace under load: A $la + B $lb of $LOOP_CALLS, $lo others"; comment "$T/loop.err"; }
[ "$la" -gt 0 ] && [ "$lb" -gt 0 ] && [ "$at_end" -lt "$LOOP_CALLS" ] &&
	ok "replace under load: the swap happened mid-stream" ||
	nok "replace under load: not mid-stream (A $la, B $lb, replace done after $at_end answers; raise LOOP_CALLS)"
[ "$llate" -eq 0 ] && ok "replace under load: no call got A's answer after B's" ||
	nok "replace under load: $llate calls got A's answer after B's"
reset_expect
i=0
while [ $i -lt "$lb" ]; do echo "0xc2000050 return"; i=$((i + 1)); done >"$T/exp.stats"
stats_match "replace under load: B's statistics count exactly the $lb calls that got B's answer"

# ---- 6. a bad replacement leaves the policy in force ------------------------------------
cat >"$T/broken.pol" <<'POL'
policy "broken";
return 0xc id 0xc2000050;
deny service trgn;
POL
awk 'BEGIN { print "policy \"long\";"; for (i = 1; i <= 17; i++)
	printf "return %d id 0xc2000050 if x1 == %d;\n", i, i }' >"$T/long.pol"
run 3 "replace with a policy that does not compile: exit 3" "$CLI" policy replace --vm "$a_id" "$T/broken.pol"
has "... the error says where" err "broken.pol:3:[0-9]+: error: unknown service 'trgn'"
c2 "... B still decides" "ret 0xb 0xb 0x0 0x0 fwd=0" return - 0xc2000050
run 3 "replace with a 17-rule chain (more than the program tries): exit 3" \
	"$CLI" policy replace --vm "$a_id" "$T/long.pol"
has "... refused before load" err "more than 16 candidate rules"
c2 "... B still decides" "ret 0xb 0xb 0x0 0x0 fwd=0" return - 0xc2000050
run 8 "replace with an object the verifier rejects: exit 8" \
	"$CLI" policy replace --vm "$a_id" "$OBJS/bad_write.bpf.o"
c2 "... B still decides" "ret 0xb 0xb 0x0 0x0 fwd=0" return - 0xc2000050
stats_match "... B's statistics kept counting across the failed replaces"
run 0 "policy show: still B, replaced 5 times" "$CLI" policy show --vm "$a_id"
has "... the name" out "policy \"B\""
has "... replaced 5 times (the failed replaces do not count)" out "\\(5 times\\)"
# ---- 7. replace while the guest loops on calls inside the guest -------------------------
# The guest issues GUEST_LOOP calls in a tight loop (smccc-testvm "loop", no
# VMM round trip); the CLI replaces A by B meanwhile. Every call must get A's
# or B's answer, and the swap must land inside the loop.
run 0 "in-guest loop: replace with A" "$CLI" policy replace --vm "$a_id" "$T/A.pol"
start=$(wc -l <"$T/a.out")
echo "loop hvc 0 0xc2000050 $GUEST_LOOP 0xa 0xb" >&3
sleep 1
"$CLI" policy replace --vm "$a_id" "$T/B.pol" >"$T/out" 2>"$T/err"
rc=$?
done_early=$(($(wc -l <"$T/a.out") - start))
wait_lines "$T/a.out" $((start + 1)) 6000
set -- $(tail -n 1 "$T/a.out" | sed -n 's/^loop calls=\([0-9]*\) a=\([0-9]*\) b=\([0-9]*\) other=\([0-9]*\) fwd=\([0-9]*\)$/\1 \2 \3 \4 \5/p')
echo "# in-guest loop of $GUEST_LOOP calls: ${1:-?} calls, A ${2:-?}, B ${3:-?}, other ${4:-?}"
[ $rc -eq 0 ] && [ "$done_early" -eq 0 ] &&
	ok "in-guest loop: policy replace A -> B while the loop ran" ||
	{ nok "in-guest loop: replace exit $rc, loop finished first: $done_early"; show_output; }
[ "${1:-0}" -eq "$GUEST_LOOP" ] && [ "${4:-1}" -eq 0 ] && [ $(($2 + $3)) -eq "$GUEST_LOOP" ] &&
	ok "in-guest loop: all $GUEST_LOOP calls got A's or B's answer (A $2, B $3)" ||
	nok "in-guest loop: $(tail -n 1 "$T/a.out")"
[ "${2:-0}" -gt 0 ] && [ "${3:-0}" -gt 0 ] &&
	ok "in-guest loop: the swap landed inside the loop" ||
	nok "in-guest loop: A ${2:-?}, B ${3:-?} (raise GUEST_LOOP)"

run 0 "policy detach" "$CLI" policy detach --vm "$a_id"
c2 "detached: KVM's answer again" "ret $K_SIP * fwd=0" handle - 0xc2000050

cleanup
rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
