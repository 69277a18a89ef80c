#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The hand-written example policies (bpf/examples) inside the test VM,
# against real KVM guests: each is attached to one VM with the CLI, guests
# call over HVC and SMC and the x0..x3 they get are checked, then it is
# detached; then each is registered with bpftool as the host-wide default,
# checked, and unpinned. Prints "ok N - ..." / "not ok N - ..." and, last,
# "N passed, N failed"; exits 1 if anything failed.
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf        the arm64 CLI
#   TESTVM=./smccc-testvm  a scriptable VM (loader/cli_testvm.c)
#   BPFTOOL=./bpftool      arm64 bpftool
#   OBJS=./examples        psci_only.bpf.o arg_filter.bpf.o vendor_emulate.bpf.o
# Root, debugfs on /sys/kernel/debug, bpffs on /sys/fs/bpf.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
BPFTOOL=${BPFTOOL:-./bpftool}
OBJS=${OBJS:-./examples}
PINS=/sys/fs/bpf/smccc-bpf
T=$(mktemp -d /tmp/examples-test.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"

# ---- helpers of this test ---------------------------------------------------------
# ret_is DESC NAME FD "X0 X1 X2 X3" CONDUIT VCPU FUNC [X1..]: the guest got
# exactly x0..x3 (hex, as smccc-testvm prints them) without an exit to the VMM
ret_is() {
	desc=$1 name=$2 fd=$3 want="ret $4 fwd=0"
	shift 4
	got=$(vm_call "$name" "$fd" "$@")
	if [ "$got" = "$want" ]; then
		ok "$desc"
	else
		nok "$desc (guest got '$got', expected '$want'; call $*)"
	fi
}

# x0_is DESC NAME FD WANT_X0 CONDUIT VCPU FUNC [X1..]: checks the guest's x0 only
# (for answers of KVM's whose x1..x3 are not the point)
x0_is() {
	desc=$1 name=$2 fd=$3 want=$4
	shift 4
	got=$(vm_call "$name" "$fd" "$@")
	x0=$(echo "$got" | cut -d' ' -f2)
	if [ "$x0" = "$want" ]; then
		ok "$desc"
	else
		nok "$desc (guest got '$got', expected x0 $want; call $*)"
	fi
}

# poll_x0 DESC NAME FD WANT_X0 CONDUIT VCPU FUNC [X1..]: x0_is, retried for up
# to 5 s: the last reference of an unpinned link is dropped from a workqueue
poll_x0() {
	desc=$1 name=$2 fd=$3 want=$4
	shift 4
	i=0
	while :; do
		got=$(vm_call "$name" "$fd" "$@")
		x0=$(echo "$got" | cut -d' ' -f2)
		[ "$x0" = "$want" ] && break
		i=$((i + 1))
		[ $i -ge 100 ] && break
		usleep 50000
	done
	if [ "$x0" = "$want" ]; then
		ok "$desc"
	else
		nok "$desc (guest got '$got' after 5 s, expected x0 $want; call $*)"
	fi
}

# le64 N: "hex B0 B1 .. B7", N as a little-endian __u64 map key for bpftool
le64() {
	printf 'hex'
	for s in 0 8 16 24 32 40 48 56; do
		printf ' %02x' $(((${1} >> s) & 255))
	done
}

hex() { printf '0x%x' "$1"; }

NOT_SUPPORTED=0xffffffffffffffff
SMCCC_VERSION=0x80000000
PSCI_VERSION=0x84000000
PSCI_CPU_ON32=0x84000003
PSCI_CPU_ON64=0xc4000003
TRNG_VERSION=0x84000050
KVM_VENDOR_FEATURES=0x86000000
SIP_BOARD_INFO32=0x82000010
SIP_BOARD_INFO64=0xc2000010
SIP_OTHER=0xc2000011

SMCCC_1_1=0x10001
PSCI_1_1=0x10001
TRNG_1_0=0x10000
PSCI_DENIED=0xfffffffffffffffd
PSCI_INVALID_PARAMS=0xfffffffffffffffe
PSCI_ALREADY_ON=0xfffffffffffffffc

BOARD="0x0 0x5a17b0a4 0x102"	# x0..x2 of the emulated board info call
SERIAL_BASE=0x5e000000

cleanup() {
	rm -f "$PINS/psci_only" "$PINS/cpu_on_filter" "$PINS/board_info"
	stop_vms
}

echo "== examples-in-vm: the hand-written example policies ($OBJS)"

for o in psci_only arg_filter vendor_emulate; do
	[ -f "$OBJS/$o.bpf.o" ] || { nok "$OBJS/$o.bpf.o is missing"; }
done

if ! vm_start a 3 || ! vm_start b 4; then
	nok "starting the test VMs"
	cleanup
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "two test VMs: ids $a_id and $b_id"

# ---- upstream behaviour, for comparison ------------------------------------------------
x0_is "no policy: TRNG_VERSION is KVM's" a 3 $TRNG_1_0 hvc 0 $TRNG_VERSION
got=$(vm_call a 3 hvc 0 $KVM_VENDOR_FEATURES)
case "$got" in
"ret $NOT_SUPPORTED "* | timeout | error*) nok "no policy: KVM's vendor features call answered (got '$got')" ;;
*) ok "no policy: KVM's vendor features call answered" ;;
esac
x0_is "no policy: CPU_ON of the running vCPU 1: ALREADY_ON" a 3 $PSCI_ALREADY_ON hvc 0 $PSCI_CPU_ON64 1
x0_is "no policy: CPU_ON of a vCPU that does not exist: INVALID_PARAMETERS" a 3 \
	$PSCI_INVALID_PARAMS hvc 0 $PSCI_CPU_ON64 7
x0_is "no policy: SiP board info not supported" a 3 $NOT_SUPPORTED hvc 0 $SIP_BOARD_INFO64

# ---- psci_only, attached by the CLI to VM a ----------------------------------------------
run 0 "psci_only: smccc-bpf policy attach --vm" "$CLI" policy attach --vm "$a_id" \
	"$OBJS/psci_only.bpf.o"
run 0 "psci_only: policy show" "$CLI" policy show --vm "$a_id"
has "psci_only: shown as a hand-written object named after its map" out \
	"policy \"psci_only\""
has "psci_only: shown as a hand-written object" out "hand-written BPF object"
sample "smccc-bpf policy show --vm $a_id"
ret_is "psci_only: PSCI_VERSION over HVC handled" a 3 "$PSCI_1_1 0x0 0x0 0x0" hvc 0 $PSCI_VERSION
ret_is "psci_only: PSCI_VERSION over SMC handled" a 3 "$PSCI_1_1 0x0 0x0 0x0" smc 1 $PSCI_VERSION
x0_is "psci_only: PSCI CPU_ON still KVM's (ALREADY_ON)" a 3 $PSCI_ALREADY_ON smc 0 $PSCI_CPU_ON64 1
ret_is "psci_only: TRNG_VERSION over HVC denied" a 3 "$NOT_SUPPORTED 0x0 0x0 0x0" hvc 0 $TRNG_VERSION
ret_is "psci_only: TRNG_VERSION over SMC denied" a 3 "$NOT_SUPPORTED 0x0 0x0 0x0" smc 1 $TRNG_VERSION
ret_is "psci_only: KVM's vendor features call denied" a 3 "$NOT_SUPPORTED 0x0 0x0 0x0" \
	hvc 0 $KVM_VENDOR_FEATURES
ret_is "psci_only: a SiP call denied" a 3 "$NOT_SUPPORTED 0x0 0x0 0x0" smc 0 $SIP_BOARD_INFO64
x0_is "psci_only: SMCCC_VERSION (architecture range) still KVM's" a 3 $SMCCC_1_1 hvc 0 $SMCCC_VERSION
x0_is "psci_only: VM b not affected" b 4 $TRNG_1_0 hvc 0 $TRNG_VERSION
run 0 "psci_only: policy detach" "$CLI" policy detach --vm "$a_id"
x0_is "psci_only detached: TRNG_VERSION is KVM's again" a 3 $TRNG_1_0 hvc 0 $TRNG_VERSION

# ---- arg_filter, attached by the CLI to VM a; the allowed set changed with bpftool ------
run 0 "arg_filter: smccc-bpf policy attach --vm" "$CLI" policy attach --vm "$a_id" \
	"$OBJS/arg_filter.bpf.o"
ret_is "arg_filter: empty set: CPU_ON of vCPU 1 over HVC gets PSCI DENIED" a 3 \
	"$PSCI_DENIED 0x0 0x0 0x0" hvc 0 $PSCI_CPU_ON64 1
ret_is "arg_filter: empty set: CPU_ON of vCPU 1 over SMC gets PSCI DENIED" a 3 \
	"$PSCI_DENIED 0x0 0x0 0x0" smc 0 $PSCI_CPU_ON64 1
x0_is "arg_filter: other PSCI calls handled" a 3 $PSCI_1_1 smc 1 $PSCI_VERSION
x0_is "arg_filter: VM b not affected" b 4 $PSCI_ALREADY_ON hvc 0 $PSCI_CPU_ON64 1
run 0 "arg_filter: bpftool map update name cpu_on_allow (allow MPIDR 1)" \
	"$BPFTOOL" map update name cpu_on_allow key $(le64 1) value hex 01
x0_is "arg_filter: MPIDR 1 allowed: KVM answers CPU_ON (ALREADY_ON) over HVC" a 3 \
	$PSCI_ALREADY_ON hvc 0 $PSCI_CPU_ON64 1
x0_is "arg_filter: MPIDR 1 allowed: KVM answers CPU_ON (ALREADY_ON) over SMC" a 3 \
	$PSCI_ALREADY_ON smc 0 $PSCI_CPU_ON64 1
x0_is "arg_filter: SMC32 CPU_ON: x1 narrowed to 32 bits as KVM does (allowed)" a 3 \
	$PSCI_ALREADY_ON hvc 0 $PSCI_CPU_ON32 0x100000001
ret_is "arg_filter: SMC64 CPU_ON of 0x100000001 (another MPIDR) denied" a 3 \
	"$PSCI_DENIED 0x0 0x0 0x0" hvc 0 $PSCI_CPU_ON64 0x100000001
ret_is "arg_filter: MPIDR 7 not in the set: denied" a 3 "$PSCI_DENIED 0x0 0x0 0x0" \
	smc 0 $PSCI_CPU_ON64 7
run 0 "arg_filter: allow MPIDR 7" "$BPFTOOL" map update name cpu_on_allow key $(le64 7) value hex 01
x0_is "arg_filter: MPIDR 7 allowed: KVM says INVALID_PARAMETERS (no such vCPU)" a 3 \
	$PSCI_INVALID_PARAMS smc 0 $PSCI_CPU_ON64 7
run 0 "arg_filter: bpftool map dump shows the set" "$BPFTOOL" map dump name cpu_on_allow
has "arg_filter: the set holds MPIDR 1" out "\"key\": 1,"
has "arg_filter: the set holds MPIDR 7" out "\"key\": 7,"
sample "bpftool map dump name cpu_on_allow"
run 0 "arg_filter: bpftool map delete (MPIDR 1)" "$BPFTOOL" map delete name cpu_on_allow key $(le64 1)
ret_is "arg_filter: MPIDR 1 removed: denied again" a 3 "$PSCI_DENIED 0x0 0x0 0x0" \
	hvc 0 $PSCI_CPU_ON64 1
run 0 "arg_filter: policy detach" "$CLI" policy detach --vm "$a_id"
x0_is "arg_filter detached: CPU_ON of vCPU 1 is KVM's again" a 3 $PSCI_ALREADY_ON \
	hvc 0 $PSCI_CPU_ON64 1

# ---- vendor_emulate, attached by the CLI to VM a -------------------------------------------
run 0 "vendor_emulate: smccc-bpf policy attach --vm" "$CLI" policy attach --vm "$a_id" \
	"$OBJS/vendor_emulate.bpf.o"
serial_a=$(hex $((SERIAL_BASE + a_id)))
serial_b=$(hex $((SERIAL_BASE + b_id)))
ret_is "vendor_emulate: SMC64 board info over HVC answered in the kernel" a 3 \
	"$BOARD $serial_a" hvc 0 $SIP_BOARD_INFO64
ret_is "vendor_emulate: SMC32 board info over SMC answered in the kernel" a 3 \
	"$BOARD $serial_a" smc 1 $SIP_BOARD_INFO32
ret_is "vendor_emulate: another SiP call is KVM's (not supported)" a 3 \
	"$NOT_SUPPORTED 0x0 0x0 0x0" hvc 0 $SIP_OTHER
x0_is "vendor_emulate: VM b not affected" b 4 $NOT_SUPPORTED hvc 0 $SIP_BOARD_INFO64
run 0 "vendor_emulate: bpftool map dump -j name board_calls" "$BPFTOOL" -j map dump name board_calls
has "vendor_emulate: 2 calls counted for VM a" out "\"key\":$a_id,\"value\":2[,}]"
sample "bpftool -j map dump name board_calls"
run 0 "vendor_emulate: policy detach" "$CLI" policy detach --vm "$a_id"
x0_is "vendor_emulate detached: board info not supported again" a 3 $NOT_SUPPORTED \
	hvc 0 $SIP_BOARD_INFO64

# ---- each example registered with bpftool as the host-wide default ------------------------
mkdir -p "$PINS"
# register OBJ MAP: bpftool struct_ops register, the link pinned as $PINS/MAP
register() {
	run 0 "bpftool struct_ops register $1.bpf.o $PINS" \
		"$BPFTOOL" struct_ops register "$OBJS/$1.bpf.o" "$PINS"
	[ -e "$PINS/$2" ] && ok "$1: link pinned as $PINS/$2" || nok "$1: no $PINS/$2"
}

register psci_only psci_only
ret_is "default psci_only: VM b's TRNG_VERSION denied" b 4 "$NOT_SUPPORTED 0x0 0x0 0x0" \
	smc 0 $TRNG_VERSION
x0_is "default psci_only: VM a's PSCI_VERSION handled" a 3 $PSCI_1_1 hvc 1 $PSCI_VERSION
rm -f "$PINS/psci_only"
poll_x0 "default psci_only unpinned: VM b's TRNG_VERSION is KVM's again" b 4 $TRNG_1_0 \
	smc 0 $TRNG_VERSION

register arg_filter cpu_on_filter
ret_is "default arg_filter: VM b's CPU_ON of vCPU 1 gets PSCI DENIED" b 4 \
	"$PSCI_DENIED 0x0 0x0 0x0" hvc 0 $PSCI_CPU_ON64 1
rm -f "$PINS/cpu_on_filter"
poll_x0 "default arg_filter unpinned: VM b's CPU_ON is KVM's again" b 4 $PSCI_ALREADY_ON \
	hvc 0 $PSCI_CPU_ON64 1

register vendor_emulate board_info
ret_is "default vendor_emulate: VM a gets its own serial" a 3 "$BOARD $serial_a" \
	hvc 0 $SIP_BOARD_INFO64
ret_is "default vendor_emulate: VM b gets its own serial" b 4 "$BOARD $serial_b" \
	smc 1 $SIP_BOARD_INFO64
rm -f "$PINS/board_info"
poll_x0 "default vendor_emulate unpinned: board info not supported again" b 4 $NOT_SUPPORTED \
	hvc 0 $SIP_BOARD_INFO64

cleanup
rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
