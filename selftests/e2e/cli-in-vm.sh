#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The smccc-bpf CLI inside the test VM, against real KVM guests: runs
# smccc-bpf as an operator would and checks what the guests get. Prints
# "ok N - ..." / "not ok N - ..." and, last, "N passed, N failed".
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf        the arm64 CLI
#   TESTVM=./smccc-testvm  a scriptable VM (loader/cli_testvm.c)
#   OBJS=.                 global_deny_psci.bpf.o handle_all.bpf.o bad_write.bpf.o
#   CAPDROP=./capdrop      runs a program without some capabilities
#                          (selftests/tools/capdrop.c)
# Root, bpffs on /sys/fs/bpf; the CLI finds the VMs in /proc (fdinfo), not
# in debugfs.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
OBJS=${OBJS:-.}
CAPDROP=${CAPDROP:-./capdrop}
PINS=/sys/fs/bpf/smccc-bpf
T=$(mktemp -d /tmp/cli-test.XXXXXX)
. "${LIB:-./lib-in-vm.sh}"

# x0_is DESC NAME FD WANT_X0 CONDUIT VCPU FUNC [X1..]: checks the guest's x0
x0_is() {
	desc=$1 name=$2 fd=$3 want=$4
	shift 4
	got=$(vm_call "$name" "$fd" "$@")
	x0=$(echo "$got" | cut -d' ' -f2)
	if [ "$x0" = "$want" ]; then
		ok "$desc"
	else
		nok "$desc (guest got '$got', expected x0 $want)"
	fi
	LAST=$got
}

NOT_SUPPORTED=0xffffffffffffffff
PSCI_VERSION=0x84000000
TRNG_VERSION=0x84000050
SIP64_1=0xc2000001
OEM64_1=0xc3000001

cleanup() {
	"$CLI" policy detach --global >/dev/null 2>&1
	exec 5>&- 2>/dev/null
	[ -n "${c_pid:-}" ] && kill "$c_pid" 2>/dev/null
	stop_vms
}

echo "== smccc-bpf CLI ($CLI)"

# ---- the command line -------------------------------------------------------
run 0 "help" "$CLI" help
has "help lists the objects and exit codes" out "policy .*check, attach" 
run 0 "policy help" "$CLI" policy help
has "policy help lists replace" out "policy replace \(--vm ID \| --pid PID \| --global\)"
run 2 "unknown object: usage, exit 2" "$CLI" frobnicate
run 2 "unknown command: usage, exit 2" "$CLI" policy frobnicate
run 2 "attach without a target: exit 2" "$CLI" policy attach "$T/none.pol"
run 0 "version" "$CLI" -V

# ---- policy files -----------------------------------------------------------
cat >"$T/deny-trng.pol" <<'POL'
policy "deny-trng";
default handle;
deny service trng;
log function psci.version;
POL
cat >"$T/v2.pol" <<'POL'
policy "v2";
default handle;
return 0x1234, 5 id 0xc2000001;
forward id 0xc3000001;
deny function psci.version if vcpu == 1;
POL
cat >"$T/broken.pol" <<'POL'
policy "broken";
deny service trngg;
POL
cat >"$T/deny-psci.pol" <<'POL'
policy "deny-psci-default";
deny function psci.version;
POL
cat >"$T/permissive.pol" <<'POL'
policy "trial";
mode permissive;
deny service trng;
POL

run 0 "policy check: a good policy" "$CLI" policy check "$T/deny-trng.pol"
has "policy check: summary" out 'OK: policy "deny-trng": 2 rules'
run 3 "policy check: a bad policy exits 3" "$CLI" policy check "$T/broken.pol"
has "policy check: gcc-style diagnostic with a suggestion" err "broken.pol:2:[0-9]+: error: .*trng"
run 0 "policy explain" "$CLI" policy explain "$T/deny-trng.pol" trng.version
has "policy explain: rule 1 decides" out "decision: deny \(rule 1, line 3\)"
run 0 "policy diff" "$CLI" policy diff "$T/deny-trng.pol" "$T/v2.pol"
has "policy diff: TRNG changes" out "0x84000050.*deny.*-> handle"

# ---- environment refusals -----------------------------------------------------
run 7 "bpffs not mounted: exit 7" \
	env SMCCC_BPF_PIN_ROOT=/tmp/not-bpffs/smccc-bpf "$CLI" policy attach --vm 1 "$T/deny-trng.pol"
has "bpffs not mounted: mount hint" err "mount -t bpf"
run 7 "no /proc: exit 7" env SMCCC_BPF_PROC=/tmp/no-proc "$CLI" vm list
has "no /proc: mount hint" err "mount -t proc proc /proc"

# ---- VMs ----------------------------------------------------------------------
if ! vm_start a 3 || ! vm_start b 4; then
	nok "starting the test VMs"
	cleanup
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "two test VMs: ids $a_id and $b_id"
a_fd=$(vm_fd "$a_pid") && b_fd=$(vm_fd "$b_pid") &&
	ok "their VM fds in /proc: $a_pid/fd/$a_fd, $b_pid/fd/$b_fd" ||
	nok "no anon_inode:kvm-vm fd in /proc/$a_pid/fd or /proc/$b_pid/fd"
fdinfo "$a_pid" "$a_fd" a
has "fdinfo of VM a: its id" a.fdinfo "^smccc_bpf_vm_id:[[:space:]]+$a_id\$"
has "fdinfo of VM a: no policy" a.fdinfo "^smccc_bpf_policy:[[:space:]]+none\$"

run 0 "vm list" "$CLI" vm list
has "vm list: VM a, no policy" out "^$a_id +$a_pid +$a_fd +smccc-testvm +none +- +-\$"
has "vm list: VM b, no policy" out "^$b_id +$b_pid +$b_fd +smccc-testvm +none +- +-\$"
run 0 "vm list -j" "$CLI" -j vm list
has "vm list -j: VM a" out "\"vm_id\":$a_id,\"pid\":$a_pid,\"comm\":\"smccc-testvm\",\"policy\":\"none\""
has "vm list -j: VM a's fd, fdinfo, no maps" out \
	"\"vm_id\":$a_id,[^}]*\"pinned\":null,\"fd\":$a_fd,\"fdinfo\":\"/proc/$a_pid/fdinfo/$a_fd\",\"vm_map_id\":null,\"vm_name\":null,\"default_map_id\":null,\"default_name\":null\}"
grep -q '"debugfs"' "$T/out" && nok "vm list -j: a debugfs field" || ok "vm list -j: no debugfs field"
# debugfs unmounted (in a mount namespace of its own, if busybox can make one)
if unshare -m true 2>/dev/null; then
	run 0 "vm list without debugfs" unshare -m sh -c \
		'umount -l /sys/kernel/debug || exit 99; grep -q " /sys/kernel/debug " /proc/mounts && exit 98; exec "$@"' \
		sh "$CLI" vm list
else
	umount -l /sys/kernel/debug
	run 0 "vm list without debugfs" "$CLI" vm list
	mount -t debugfs debugfs /sys/kernel/debug
fi
has "vm list without debugfs: VM a with its pid and id" out "^$a_id +$a_pid +$a_fd +smccc-testvm +none"

# ---- attaching through the VM fd (--pid, --vm) -----------------------------------
run 0 "policy attach --pid" "$CLI" -j policy attach --pid "$a_pid" "$T/deny-trng.pol"
has "attach --pid: VM a's id" out "\"result\":\"attached\",\"target\":\"vm-$a_id\",\"vm_id\":$a_id,"
map=$(sed -n 's/.*"map_id":\([0-9]*\).*/\1/p' "$T/out")
fdinfo "$a_pid" "$a_fd" a
has "attach --pid: fdinfo says the VM has its own policy" a.fdinfo "^smccc_bpf_policy:[[:space:]]+vm\$"
has "attach --pid: fdinfo names its map" a.fdinfo "^smccc_bpf_vm_policy:[[:space:]]+${map:-none} smccc_policy\$"
x0_is "attach --pid: TRNG_VERSION denied" a 3 $NOT_SUPPORTED hvc 0 $TRNG_VERSION
fdinfo "$b_pid" "$b_fd" b
has "attach --pid: VM b untouched" b.fdinfo "^smccc_bpf_policy:[[:space:]]+none\$"
run 0 "vm list -j after attach --pid" "$CLI" -j vm list
has "vm list -j: VM a's map" out \
	"\"vm_id\":$a_id,\"pid\":$a_pid,\"comm\":\"smccc-testvm\",\"policy\":\"vm\",\"pinned\":\"deny-trng\",\"fd\":$a_fd,[^}]*\"vm_map_id\":${map:-none},\"vm_name\":\"smccc_policy\",\"default_map_id\":null"
run 0 "policy replace --pid" "$CLI" policy replace --pid "$a_pid" "$T/v2.pol"
x0_is "replace --pid: TRNG_VERSION handled again" a 3 0x10000 hvc 0 $TRNG_VERSION
run 0 "policy detach --pid" "$CLI" policy detach --pid "$a_pid"
fdinfo "$a_pid" "$a_fd" a
has "detach --pid: fdinfo says no policy" a.fdinfo "^smccc_bpf_policy:[[:space:]]+none\$"
run 0 "policy attach --pid --vm" "$CLI" policy attach --pid "$a_pid" --vm "$a_id" "$T/deny-trng.pol"
run 0 "... detached" "$CLI" policy detach --vm "$a_id"
run 4 "attach --pid of VM b's VMM with VM a's id: exit 4" \
	"$CLI" policy attach --pid "$b_pid" --vm "$a_id" "$T/deny-trng.pol"
has "... says which VM that VMM holds" err "process $b_pid \(smccc-testvm\) holds no VM with id $a_id; it holds $b_id"
run 4 "attach --pid of a process without a VM: exit 4" \
	"$CLI" policy attach --pid $$ "$T/deny-trng.pol"
has "... says it holds no KVM VM" err "process $$ \(.*\) holds no KVM VM"
run 4 "attach --pid of no process: exit 4" "$CLI" policy attach --pid 4000000 "$T/deny-trng.pol"
has "... says there is none" err "no process with pid 4000000"
[ ! -e "$PINS/vm-$a_id" ] && ok "refused attaches: nothing pinned" || nok "pins left in $PINS/vm-$a_id"

# ---- without CAP_SYS_ADMIN: through the VM fd, not by id or as the default ----------
if [ -x "$CAPDROP" ]; then
	run 0 "capdrop sys_admin" "$CAPDROP" sys_admin grep CapEff /proc/self/status
	# 16 hex digits; 32-bit halves, for a shell without 64-bit arithmetic
	eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "$T/out")
	hi=${eff%????????} lo=${eff#????????}
	[ ${#eff} -eq 16 ] && [ $(((0x$lo >> 21) & 1)) -eq 0 ] && [ $(((0x$hi >> 7) & 1)) -eq 1 ] &&
		ok "capdrop: CAP_BPF kept, CAP_SYS_ADMIN dropped (CapEff $eff)" ||
		nok "capdrop: CapEff '$eff'"
	run 0 "no CAP_SYS_ADMIN: policy attach --pid" \
		"$CAPDROP" sys_admin "$CLI" policy attach --pid "$a_pid" "$T/deny-trng.pol"
	fdinfo "$a_pid" "$a_fd" a
	has "no CAP_SYS_ADMIN: fdinfo says the VM has its own policy" a.fdinfo \
		"^smccc_bpf_policy:[[:space:]]+vm\$"
	x0_is "no CAP_SYS_ADMIN: TRNG_VERSION denied" a 3 $NOT_SUPPORTED hvc 0 $TRNG_VERSION
	run 0 "no CAP_SYS_ADMIN: policy replace --vm" \
		"$CAPDROP" sys_admin "$CLI" policy replace --vm "$a_id" "$T/v2.pol"
	x0_is "no CAP_SYS_ADMIN: replaced" a 3 0x10000 hvc 0 $TRNG_VERSION
	run 0 "no CAP_SYS_ADMIN: policy detach" "$CAPDROP" sys_admin "$CLI" policy detach --vm "$a_id"
	run 6 "no CAP_SYS_ADMIN: policy attach --global: exit 6" \
		"$CAPDROP" sys_admin "$CLI" policy attach --global "$OBJS/global_deny_psci.bpf.o"
	has "... names CAP_SYS_ADMIN" err "host-wide default needs CAP_SYS_ADMIN"
	has "... and that the VM fd needs none" err "\(--pid PID or --vm ID\) goes through the VM's fd and needs no CAP_SYS_ADMIN"
	sample "smccc-bpf policy attach --global, without CAP_SYS_ADMIN"
	x0_is "... no default attached: VM b's PSCI_VERSION handled" b 4 0x10001 hvc 0 $PSCI_VERSION
	[ ! -e "$PINS/global" ] && ok "... nothing pinned" || nok "... pins left in $PINS/global"

	# pidfd_getfd() refused: a real uid that is not the VMM's, no CAP_SYS_PTRACE
	# (the VMM has none either, so that /proc/PID/fd is still readable)
	printf '#!/bin/sh\nexec "%s" sys_ptrace "%s" "$@"\n' "$(cd "$(dirname "$CAPDROP")" && pwd)/$(basename "$CAPDROP")" \
		"$(cd "$(dirname "$TESTVM")" && pwd)/$(basename "$TESTVM")" >"$T/testvm-noptrace"
	chmod +x "$T/testvm-noptrace"
	if TESTVM=$T/testvm-noptrace vm_start c 5; then
		c_fd=$(vm_fd "$c_pid")
		run 6 "not allowed to ptrace the VMM: exit 6" "$CAPDROP" --ruid 65534 sys_ptrace \
			"$CLI" policy attach --pid "$c_pid" "$T/deny-trng.pol"
		has "... cannot take the VM fd" err "cannot take VM fd $c_fd of pid $c_pid: not allowed to ptrace it"
		fdinfo "$c_pid" "$c_fd" c
		has "... VM c has no policy" c.fdinfo "^smccc_bpf_policy:[[:space:]]+none\$"
		echo quit >&5
		exec 5>&-
		wait "$c_pid" 2>/dev/null
	else
		nok "starting test VM c without CAP_SYS_PTRACE"
	fi
else
	nok "no $CAPDROP: the CAP_SYS_ADMIN cases did not run"
fi

x0_is "no policy: TRNG_VERSION answered by KVM" a 3 0x10000 hvc 0 $TRNG_VERSION
x0_is "no policy: SiP call not supported" a 3 $NOT_SUPPORTED hvc 0 $SIP64_1

# ---- attach -------------------------------------------------------------------
run 0 "policy attach --vm (policy file)" "$CLI" policy attach --vm "$a_id" "$T/deny-trng.pol"
has "attach: says where it pinned" out "attached policy \"deny-trng\".*VM $a_id: link [1-9]"
for f in link meta stats events dropped; do
	[ -e "$PINS/vm-$a_id/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok "attach: pinned link, meta, stats, events, dropped" ||
	nok "attach: missing pins:$missing"
x0_is "attached (the CLI has exited): TRNG_VERSION denied" a 3 $NOT_SUPPORTED hvc 0 $TRNG_VERSION
x0_is "attached: TRNG_VERSION over SMC denied too" a 3 $NOT_SUPPORTED smc 1 $TRNG_VERSION
x0_is "attached: PSCI_VERSION logged and handled" a 3 0x10001 hvc 0 $PSCI_VERSION
x0_is "the other VM is not affected" b 4 0x10000 hvc 0 $TRNG_VERSION
run 0 "vm list after attach" "$CLI" vm list
has "vm list: VM a has its own policy, pinned by smccc-bpf" out \
	"^$a_id +$a_pid +$a_fd +smccc-testvm +vm +[0-9]+:smccc_policy +deny-trng\$"

run 5 "attach again: already attached, exit 5" "$CLI" policy attach --vm "$a_id" "$T/v2.pol"
has "attach again: points to replace" err "policy replace --vm $a_id"
sample "smccc-bpf policy attach (again)"
run 4 "attach to an unknown VM: exit 4" "$CLI" policy attach --vm 424242 "$T/deny-trng.pol"
has "unknown VM: says so, points to vm list" err "no VM with id 424242.*|vm list"
[ ! -e "$PINS/vm-424242" ] && ok "unknown VM: nothing left pinned" || nok "unknown VM: pins left"

run 0 "policy show" "$CLI" policy show
has "policy show: target, link, prog" out "^vm-$a_id: link [1-9][0-9]* +prog [1-9][0-9]* decide"
has "policy show: name, source" out "policy \"deny-trng\" from $T/deny-trng.pol"
has "policy show: rules and mode" out "2 rules, default handle, mode enforce"
sample "smccc-bpf policy show"
run 0 "policy show -j --vm" "$CLI" -j policy show --vm "$a_id"
has "policy show -j: fields" out "\"target\":\"vm-$a_id\".*\"name\":\"deny-trng\".*\"rules\":2.*\"mode\":\"enforce\""

# ---- stats and events -----------------------------------------------------------
run 0 "stats --vm" "$CLI" stats --vm "$a_id"
has "stats: TRNG_VERSION denied twice (HVC and SMC, summed over CPUs)" out \
	"^$a_id +0x84000050 trng.version +deny +2 +vm-$a_id"
has "stats: PSCI_VERSION handled once" out "^$a_id +0x84000000 psci.version +handle +1 "
sample "smccc-bpf stats --vm $a_id"
run 0 "stats -j" "$CLI" -j stats
has "stats -j: an entry" out "\"vm_id\":$a_id,\"func_id\":\"0x84000050\",\"function\":\"trng.version\",\"action\":\"deny\",\"calls\":2"
run 0 "events --count 3" "$CLI" events --vm "$a_id" --count 3 --timeout 30
has "events: the denied HVC call" out "vm $a_id vcpu 0 hvc 0x84000050 trng.version x1=0x0 x2=0x0 x3=0x0 deny rule 1 reason deny"
has "events: the denied SMC call" out "vm $a_id vcpu 1 smc 0x84000050 trng.version .* deny rule 1 reason deny"
has "events: the logged call" out "vm $a_id vcpu 0 hvc 0x84000000 psci.version .* log rule 2 reason log"
sample "smccc-bpf events --vm $a_id --count 3"
vm_call a 3 hvc 0 $TRNG_VERSION 0x11 0x22 0x33 >/dev/null
run 0 "events -j" "$CLI" -j events --vm "$a_id" --count 1 --timeout 30
has "events -j: one JSON line with the arguments" out \
	"\"vm_id\":$a_id,\"vcpu\":0,\"conduit\":\"hvc\",\"imm\":0,\"func_id\":\"0x84000050\",\"function\":\"trng.version\",\"args\":\\[\"0x11\",\"0x22\",\"0x33\"\\],\"action\":\"deny\""
run 0 "events --timeout with nothing new" "$CLI" events --vm "$a_id" --timeout 1
has "events --timeout: no event" err "0 events"

# ---- replace --------------------------------------------------------------------
run 3 "replace with a policy that does not compile: exit 3" \
	"$CLI" policy replace --vm "$a_id" "$T/broken.pol"
x0_is "... the old policy still decides" a 3 $NOT_SUPPORTED hvc 0 $TRNG_VERSION
run 8 "replace with an object the verifier rejects: exit 8" \
	"$CLI" policy replace --vm "$a_id" "$OBJS/bad_write.bpf.o"
has "verifier rejection: the log's tail" err "verifier log"
sample "smccc-bpf policy replace --vm $a_id bad_write.bpf.o"
x0_is "... the old policy still decides" a 3 $NOT_SUPPORTED hvc 0 $TRNG_VERSION
run 0 "policy replace --vm (policy file)" "$CLI" policy replace --vm "$a_id" "$T/v2.pol"
has "replace: reported" out "replaced policy \"v2\""
x0_is "replaced: TRNG_VERSION handled again" a 3 0x10000 hvc 0 $TRNG_VERSION
x0_is "replaced: SiP call answered by the policy (RETURN)" a 3 0x1234 hvc 0 $SIP64_1
case "$LAST" in "ret 0x1234 0x5 0x0 0x0 fwd=0") ok "RETURN: x1 = 5" ;; *) nok "RETURN: got '$LAST'" ;; esac
x0_is "replaced: OEM call forwarded to the VMM" a 3 0x5ec0de hvc 0 $OEM64_1
case "$LAST" in *fwd=1) ok "FWD_TO_USER: KVM_EXIT_HYPERCALL" ;; *) nok "forward: got '$LAST'" ;; esac
x0_is "replaced: conditional rule, vCPU 1 denied" a 3 $NOT_SUPPORTED hvc 1 $PSCI_VERSION
x0_is "replaced: conditional rule, vCPU 0 handled" a 3 0x10001 hvc 0 $PSCI_VERSION
run 0 "policy show after replace" "$CLI" policy show --vm "$a_id"
has "show: new name, replaced once" out "policy \"v2\"" 
has "show: replaced once" out "replaced .*\\(1 time\\)"
run 0 "stats after replace: the new policy's counters" "$CLI" stats --vm "$a_id"
has "stats after replace: RETURN counted" out "0xc2000001 .* return +1 "
run 0 "replace with a permissive policy" "$CLI" policy replace --vm "$a_id" "$T/permissive.pol"
x0_is "permissive: TRNG_VERSION handled" a 3 0x10000 hvc 0 $TRNG_VERSION
run 0 "permissive: events --timeout 0 (the backlog)" "$CLI" events --vm "$a_id" --timeout 0
has "permissive: the event says what would have happened" out \
	"trng.version .* handle \\(decided deny\\) rule 1 reason permissive"
run 0 "permissive: policy show" "$CLI" policy show --vm "$a_id"
has "permissive: show says so" out "mode permissive"
has "show: replaced twice" out "\\(2 times\\)"
run 0 "back to v2" "$CLI" policy replace --vm "$a_id" "$T/v2.pol"

# ---- hand-written objects, the host-wide default ------------------------------
if [ -x ./bpftool ]; then
	mkdir -p /sys/fs/bpf/cli-busy
	if ./bpftool struct_ops register "$OBJS/global_deny_psci.bpf.o" /sys/fs/bpf/cli-busy \
		>/dev/null 2>&1; then
		run 5 "default attached by bpftool: exit 5" \
			"$CLI" policy attach --global "$OBJS/handle_all.bpf.o"
		has "attached elsewhere: says so" err "not attached by smccc-bpf"
		rm -f /sys/fs/bpf/cli-busy/*
	else
		nok "bpftool struct_ops register"
	fi
	rmdir /sys/fs/bpf/cli-busy
else
	ok "policy attached by another program # SKIP no bpftool"
fi
run 0 "policy attach --global (BPF object)" "$CLI" policy attach --global "$OBJS/global_deny_psci.bpf.o"
x0_is "global default: VM b's PSCI_VERSION denied" b 4 $NOT_SUPPORTED hvc 0 $PSCI_VERSION
# The default decides first: VM a's own policy (which handles PSCI_VERSION) cannot loosen it.
x0_is "global default: decides VM a's PSCI_VERSION before its own policy" a 3 $NOT_SUPPORTED hvc 0 $PSCI_VERSION
run 0 "vm list with a default" "$CLI" vm list
has "vm list: VM b under the default" out "^$b_id +$b_pid +$b_fd +smccc-testvm +default +- +-\$"
has "vm list: VM a under the default and its own" out \
	"^$a_id +$a_pid +$a_fd +smccc-testvm +default\\+vm +[0-9]+:smccc_policy +"
has "vm list: the default's map" out "^host-wide default: map [0-9]+:deny_psci\$"
fdinfo "$b_pid" "$b_fd" b
has "fdinfo of VM b: the default's map" b.fdinfo "^smccc_bpf_default_policy:[[:space:]]+[0-9]+ deny_psci\$"
sample "smccc-bpf vm list"
run 0 "policy show --global" "$CLI" policy show --global
has "show: a hand-written object" out "hand-written BPF object"
run 0 "stats without stats maps" "$CLI" stats
has "stats: the object has no stats map, said so" err "global: no statistics"
run 0 "policy replace --global (BPF object)" "$CLI" policy replace --global "$OBJS/handle_all.bpf.o"
x0_is "replaced default: VM b's PSCI_VERSION handled" b 4 0x10001 hvc 0 $PSCI_VERSION
run 0 "policy replace --global (policy file)" "$CLI" policy replace --global "$T/deny-psci.pol"
x0_is "default from a policy file: VM b's PSCI_VERSION denied" b 4 $NOT_SUPPORTED hvc 0 $PSCI_VERSION
run 0 "stats --vm b: the default's records of VM b" "$CLI" stats --vm "$b_id"
has "stats --vm b: counted under the global policy" out "^$b_id +0x84000000 psci.version +deny +1 +global"
run 0 "policy detach --global" "$CLI" policy detach --global
x0_is "detached default: VM b's PSCI_VERSION handled" b 4 0x10001 hvc 0 $PSCI_VERSION

# ---- detach ---------------------------------------------------------------------------
run 0 "policy detach --vm" "$CLI" policy detach --vm "$a_id"
[ ! -e "$PINS/vm-$a_id" ] && ok "detach: pins removed" || nok "detach: $PINS/vm-$a_id left"
x0_is "detached: SiP call not supported again" a 3 $NOT_SUPPORTED hvc 0 $SIP64_1
run 0 "vm list after detach" "$CLI" vm list
has "vm list: VM a without a policy" out "^$a_id +$a_pid +$a_fd +smccc-testvm +none +- +-\$"
run 4 "detach again: nothing attached, exit 4" "$CLI" policy detach --vm "$a_id"
run 4 "replace with nothing attached: exit 4" "$CLI" policy replace --vm "$a_id" "$T/v2.pol"
run 0 "policy show with nothing attached" "$CLI" -j policy show
has "policy show -j: empty list" out "^\\[\\]$"

# ---- a VM that goes away ----------------------------------------------------------
run 0 "attach to VM b" "$CLI" policy attach --vm "$b_id" "$T/deny-trng.pol"
echo quit >&4
exec 4>&-
wait "$b_pid" 2>/dev/null
old_b=$b_id
b_id= b_pid=
run 0 "show: VM b gone" "$CLI" policy show --vm "$old_b"
has "show: says the kernel detached it" out "VM gone"
run 4 "attach to the destroyed VM: stale pins removed, then no such VM" \
	"$CLI" policy attach --vm "$old_b" "$T/deny-trng.pol"
has "stale pins: noted" err "no longer exists"
[ ! -e "$PINS/vm-$old_b" ] && ok "stale pins removed" || nok "stale pins left in $PINS/vm-$old_b"

# ---- not privileged -------------------------------------------------------------------
grep -q '^nobody:' /etc/passwd || echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
grep -q '^nogroup:' /etc/group || echo 'nogroup:x:65534:' >>/etc/group
cp "$T/deny-trng.pol" /tmp/unpriv.pol && chmod 644 /tmp/unpriv.pol
cli_abs=$(cd "$(dirname "$CLI")" && pwd)/$(basename "$CLI")
if command -v start-stop-daemon >/dev/null 2>&1; then
	# start-stop-daemon -S without -b execs the program as the user: its exit code.
	(cd /tmp && env SMCCC_BPF_PIN_ROOT=/sys/fs/bpf/unpriv-test start-stop-daemon -S \
		-c nobody:nogroup -x "$cli_abs" -- policy attach --vm "$a_id" /tmp/unpriv.pol) \
		>"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 6 ] && ok "not root: exit 6" || { nok "not root: exit $rc, expected 6"; show_output; }
	# The VMM's fds are root's: the VM cannot be found, let alone taken.
	has "not root: says the VMMs' fds cannot be read" err "no VM with id $a_id in the processes whose fds can be read"
	has "not root: says what it needs" err "ptrace"
	(cd /tmp && env SMCCC_BPF_PIN_ROOT=/sys/fs/bpf/unpriv-test start-stop-daemon -S \
		-c nobody:nogroup -x "$cli_abs" -- policy attach --pid "$a_pid" /tmp/unpriv.pol) \
		>"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 6 ] && ok "not root, --pid: exit 6" ||
		{ nok "not root, --pid: exit $rc, expected 6"; show_output; }
	has "not root, --pid: cannot read the VMM's fds" err "cannot read /proc/$a_pid/fd: Permission denied"
	rmdir /sys/fs/bpf/unpriv-test 2>/dev/null
else
	ok "not root: # SKIP no start-stop-daemon in this busybox"
fi

cleanup
rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
