#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Scenario "A pinned guest ABI" (docs/scenarios.md, docs/baselines.md),
# inside the test VM: `smccc-bpf policy baseline NAME` for every baseline,
# attached to a real KVM guest (smccc-testvm), and what the guest's
# discovery calls answer, over HVC (vCPU 0) and SMC (vCPU 1):
#
#   - 5.10: no TRNG (TRNG_VERSION, TRNG_FEATURES, TRNG_RND64: NOT_SUPPORTED),
#     no KVM vendor services (UID, features bitmap, PTP), PSCI 1.0
#     (PSCI_VERSION 0x10000) without SYSTEM_RESET2 (PSCI_FEATURES of both
#     IDs: NOT_SUPPORTED); everything else as without a policy: PSCI
#     CPU_ON's features, SMCCC_VERSION, ARCH_FEATURES(WORKAROUND_1) and
#     ARCH_FEATURES(PV_TIME_FEATURES), PV time;
#   - 5.15: TRNG, KVM UID, features bitmap and PTP as without a policy,
#     PSCI 1.0 without SYSTEM_RESET2;
#   - 6.1, 6.6, 6.12: every answer as without a policy;
#   - discovery rewritten bit by bit (hand-written policies): denying
#     kvm.ptp with `discovery hide-denied` clears bit 1 of KVM's features
#     bitmap and keeps the others; denying trng.rnd hides TRNG_RND32/64
#     from TRNG_FEATURES while TRNG_GET_UUID stays; denying pvtime hides
#     it from SMCCC_ARCH_FEATURES; without the statement (discovery keep)
#     the answers still advertise the denied functions;
#   - detach gives every answer back.
#
# Prints "ok N - ..." / "not ok N - ..." and, last, "N passed, N failed".
# Needs CLI=./smccc-bpf and TESTVM=./smccc-testvm; root, debugfs, bpffs.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
T=$(mktemp -d /tmp/baseline-test.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"

NS=0xffffffffffffffff	# NOT_SUPPORTED

# The discovery calls, "NAME FUNC [X1]": x0 of each is compared.
cat >"$T/calls" <<'EOF'
smccc_version 0x80000000
arch_features(wa1) 0x80000001 0x80008000
arch_features(pv_time) 0x80000001 0xc5000020
psci_version 0x84000000
psci_features(cpu_on) 0x8400000a 0x84000003
psci_features(system_reset2) 0x8400000a 0x84000012
psci_features(system_reset2_64) 0x8400000a 0xc4000012
psci_features(system_suspend_64) 0x8400000a 0xc400000e
pv_time_features(st) 0xc5000020 0xc5000021
trng_version 0x84000050
trng_features(rnd64) 0x84000051 0xc4000053
trng_features(get_uuid) 0x84000051 0x84000052
trng_rnd64 0xc4000053 64
kvm_uid 0x8600ff01
kvm_features 0x86000000
kvm_ptp 0x86000001
EOF

# answers FILE: x0 of every call over both conduits, "CONDUIT NAME X0" a line
answers() {
	while read -r nm func x1; do
		for c in "hvc 0" "smc 1"; do
			set -- $(vm_call a 3 $c "$func" $x1)
			echo "${c% *} $nm $2"
		done
	done <"$T/calls" >"$1"
}

# x0 CONDUIT NAME FILE
x0() { awk -v c="$1" -v n="$2" '$1 == c && $2 == n { print $3 }' "$3"; }

# expect_all DESC FILE OVERRIDES: every answer in FILE is the no-policy one,
# except the "NAME=X0" pairs in OVERRIDES (for both conduits).
expect_all() {
	desc=$1 file=$2 overrides=$3 bad=
	for c in hvc smc; do
		while read -r nm func x1; do
			got=$(x0 $c "$nm" "$file")
			want=$(x0 $c "$nm" "$T/base")
			for o in $overrides; do
				[ "${o%%=*}" = "$nm" ] && want=${o#*=}
			done
			# TRNG_RND64 and PTP: x0 is data unless NOT_SUPPORTED
			case $nm in trng_rnd64|kvm_ptp)
				[ "$want" = "$NS" ] || { [ "$got" != "$NS" ] && got=$want; } ;;
			esac
			[ "$got" = "$want" ] || bad="$bad $c:$nm=$got(want $want)"
		done <"$T/calls"
	done
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		nok "$desc:$bad"
	fi
}

vm_start a 3 || { nok "start the test VM"; echo "$passed passed, $((failed)) failed"; exit 1; }
ok "test VM a is VM $a_id"

answers "$T/base"
# Sanity of the reference: what KVM 6.12 offers a VM by default.
[ "$(x0 hvc psci_version "$T/base")" = 0x10001 ] && [ "$(x0 smc trng_version "$T/base")" = 0x10000 ] &&
	[ "$(x0 hvc psci_features\(system_reset2\) "$T/base")" = 0x0 ] &&
	[ "$(x0 smc kvm_features "$T/base")" = 0x3 ] &&
	ok "no policy: PSCI 1.1 with SYSTEM_RESET2, TRNG 1.0, KVM features bitmap 0x3" ||
	{ nok "no policy: unexpected KVM answers"; comment "$T/base"; }

# baseline NAME OVERRIDES: generate, check, attach, compare, detach.
baseline() {
	b=$1 overrides=$2
	run 0 "policy baseline $b -o FILE" "$CLI" policy baseline "$b" -o "$T/$b.policy"
	has "baseline $b: discovery follows the policy" "$b.policy" '^discovery hide-denied;'
	run 0 "baseline $b: policy check" "$CLI" policy check "$T/$b.policy"
	run 0 "baseline $b: policy attach --vm $a_id" "$CLI" policy attach --vm "$a_id" "$T/$b.policy"
	answers "$T/$b.ans"
	expect_all "baseline $b: the guest's discovery answers are the $b host's" "$T/$b.ans" "$overrides"
	run 0 "baseline $b: policy detach" "$CLI" policy detach --vm "$a_id"
}

HIDE_TRNG="trng_version=$NS trng_features(rnd64)=$NS trng_features(get_uuid)=$NS trng_rnd64=$NS"
HIDE_KVM="kvm_uid=$NS kvm_features=$NS kvm_ptp=$NS"
PSCI_1_0="psci_version=0x10000 psci_features(system_reset2)=$NS psci_features(system_reset2_64)=$NS"
baseline 5.10 "$HIDE_TRNG $HIDE_KVM $PSCI_1_0"
baseline 5.15 "$PSCI_1_0"
for b in 6.1 6.6 6.12; do
	baseline $b ""
done

# The generated policy names what it hides.
run 0 "policy baseline 5.10 on stdout" "$CLI" policy baseline 5.10
has "baseline 5.10 denies TRNG" out '^deny .*trng'
has "baseline 5.10 denies kvm.ptp" out 'kvm\.ptp'
run 2 "policy baseline 4.19: unknown baseline refused" "$CLI" policy baseline 4.19
has "... the error lists the valid baselines" err '5\.10'

# hand POLICY-TEXT OVERRIDES DESC: attach a hand-written policy, compare, detach.
hand() {
	printf '%s\n' "$1" >"$T/hand.policy"
	run 0 "$3: attach" "$CLI" policy attach --vm "$a_id" "$T/hand.policy"
	answers "$T/hand.ans"
	expect_all "$3" "$T/hand.ans" "$2"
	run 0 "$3: detach" "$CLI" policy detach --vm "$a_id"
}

bitmap=$(x0 hvc kvm_features "$T/base")
hand 'discovery hide-denied; deny function kvm.ptp;' \
	"kvm_features=$(printf '0x%x' $((bitmap & ~2))) kvm_ptp=$NS" \
	"hide kvm.ptp: features bitmap loses bit 1 only"
hand 'discovery hide-denied; deny function trng.rnd;' \
	"trng_features(rnd64)=$NS trng_rnd64=$NS" \
	"hide trng.rnd: TRNG_FEATURES(RND64) absent, GET_UUID and TRNG_VERSION stay"
hand 'discovery hide-denied; deny service pvtime;' \
	"arch_features(pv_time)=$NS pv_time_features(st)=$NS" \
	"hide pvtime: SMCCC_ARCH_FEATURES(PV_TIME_FEATURES) absent, WORKAROUND_1 stays"
hand 'discovery keep; deny function kvm.ptp; deny function trng.rnd;' \
	"kvm_ptp=$NS trng_rnd64=$NS" \
	"discovery keep: denied functions still advertised"
hand 'mode permissive; discovery hide-denied; deny function kvm.ptp;' "" \
	"permissive: nothing hidden, nothing denied"

answers "$T/after"
expect_all "after detach: every answer is KVM's again" "$T/after" ""

exec 3>&-
wait
rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
