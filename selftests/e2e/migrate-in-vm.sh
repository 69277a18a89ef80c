#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# smccc-bpf policy export / policy import: a policy and its state carried
# from one VM to another, as for a migration (inside the test VM, two test
# VMs a and b):
#
#   - a policy with a rate limit (limit 1/s burst 1000), a deny, a log and
#     the default decides VM a's calls over HVC and SMC; its "rate" map is
#     pinned next to stats/events/dropped; an in-guest loop of 1200 calls
#     empties the bucket (1000 returned, the rest denied);
#   - a truncated, a wrong-version and an edited export are refused with
#     FILE:LINE:COL or the reason, and leave VM b without a policy;
#   - policy export --vm a -o FILE: the document names the attached file's
#     SHA-256, VM a's counters and the rule's bucket;
#   - policy import --vm b FILE, EXPORT_GAP seconds after the export: b's
#     statistics start from a's counts, per function and action, exactly;
#     b's bucket continues a's: exported again at once, it has a's tokens
#     exactly and a's age plus less than the gap (the gap is not credited);
#     b's own loop of 1200 calls gets a few returned (the refill of the
#     seconds the test took), not the burst of a new bucket; the source b
#     runs (kept in SMCCC_BPF_STATE_DIR) is byte for byte the file attached
#     to a; policy show names it;
#   - import onto a VM with a policy is refused (exit 5), that VM's policy
#     and statistics untouched;
#   - export of the imported policy works, and imports again (a migration
#     chain: b -> a, counts and bucket continuing);
#   - export refuses a file changed since attach, says so for an attachment
#     without a rate pin (an older smccc-bpf), refuses a hand-written BPF
#     object (exit 9); detach removes the rate pin with the others.
#
# Prints "ok N - ..." / "not ok N - ..." and, last, "N passed, N failed";
# exits 1 on any failure.
#
# Needs, next to this script (or as given by the environment):
#   CLI=./smccc-bpf        the arm64 CLI
#   TESTVM=./smccc-testvm  a scriptable VM (loader/cli_testvm.c)
#   OBJS=.                 handle_all.bpf.o
#   EXPORT_GAP=8           seconds between the export and the import
# Root, debugfs on /sys/kernel/debug, bpffs on /sys/fs/bpf.

cd "$(dirname "$0")" || exit 1
CLI=${CLI:-./smccc-bpf}
TESTVM=${TESTVM:-./smccc-testvm}
OBJS=${OBJS:-.}
EXPORT_GAP=${EXPORT_GAP:-8}
PINS=/sys/fs/bpf/smccc-bpf
T=$(mktemp -d /tmp/migrate-test.XXXXXX)
export SMCCC_BPF_STATE_DIR="$T/state"
. "${LIB:-./lib-in-vm.sh}"

NS=0xffffffffffffffff	# NOT_SUPPORTED
RL=0xc2000030		# the rate-limited SiP call
TRNG=0x84000050
PSCI_VERSION=0x84000000
SIP=0xc2000001

cleanup() {
	stop_vms
}

# c VM DESC WANT ACTION CONDUIT VCPU FUNC: one call of VM (a or b), its
# answer matched against the glob WANT; "FUNC ACTION" goes to $T/exp.VM
c() {
	vm=$1 desc=$2 want=$3 act=$4
	shift 4
	fd=3
	[ "$vm" = b ] && fd=4
	got=$(vm_call "$vm" $fd "$@")
	# shellcheck disable=SC2254 # WANT is a glob
	case "$got" in
	$want) ok "VM $vm: $desc: $1 vcpu $2 $3 -> ${got#ret }" ;;
	*) nok "VM $vm: $desc: $1 vcpu $2 $3 (guest got '$got', expected '$want')" ;;
	esac
	echo "$3 $act" >>"$T/exp.$vm"
}

# stats_of ID: "FUNC ACTION CALLS" lines of smccc-bpf -j stats --vm ID, sorted
stats_of() {
	"$CLI" -j stats --vm "$1" 2>"$T/err" |
		grep -o '"func_id":"[^"]*","function":"[^"]*","action":"[^"]*","calls":[0-9]*' |
		sed 's/"func_id":"\([^"]*\)",.*"action":"\([^"]*\)","calls":\([0-9]*\)/\1 \2 \3/' | sort
}

# want_of FILE: the same, from one "FUNC ACTION" line per call
want_of() {
	sort "$1" | uniq -c | awk '{ print $2, $3, $1 }' | sort
}

# loop VM CONDUIT VCPU FUNC COUNT: an in-guest loop of COUNT calls of FUNC
# (smccc-testvm "loop"), returned 0x3001 or denied; sets ok_n and over_n and
# adds them to $T/exp.VM
loop() {
	vm=$1
	fd=3
	[ "$vm" = b ] && fd=4
	shift
	before=$(wc -l <"$T/$vm.out")
	eval "echo \"loop $* 0x3001 $NS\" >&$fd"
	wait_lines "$T/$vm.out" $((before + 1)) 3000
	line=$(tail -n 1 "$T/$vm.out")
	# shellcheck disable=SC2046 # the five counts
	set -- $(echo "$line" | sed -n 's/^loop calls=\([0-9]*\) a=\([0-9]*\) b=\([0-9]*\) other=\([0-9]*\) fwd=\([0-9]*\)$/\1 \2 \3 \4 \5/p')
	ok_n=${2:-0} over_n=${3:-0}
	echo "# VM $vm: loop: $line"
	[ "${4:-1}" -eq 0 ] || nok "VM $vm: loop: $line"
	awk -v n="$ok_n" -v f="$RL" 'BEGIN { for (i = 0; i < n; i++) print f, "return" }' >>"$T/exp.$vm"
	awk -v n="$over_n" -v f="$RL" 'BEGIN { for (i = 0; i < n; i++) print f, "deny" }' >>"$T/exp.$vm"
}

# bucket_field FILE NAME: the (one) bucket's NAME in an export document
bucket_field() {
	sed -n "s/^ *\"$2\": \([0-9]*\),*$/\1/p" "$1"
}

# doc_has DESC FILE ERE: grep -E in an export document
doc_has() {
	if grep -Eq -- "$3" "$2"; then ok "$1"; else nok "$1 (no /$3/ in $2)"; comment "$2"; fi
}

echo "== smccc-bpf policy export/import ($CLI)"

if ! vm_start a 3 || ! vm_start b 4; then
	nok "starting the two test VMs"
	cleanup
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "test VMs: a = id $a_id, b = id $b_id"
: >"$T/exp.a"

cat >"$T/mig.pol" <<'POL'
policy "migrate";
default handle;
return 0x3001 id 0xc2000030 limit 1/s burst 1000;  # 1  over the limit: deny
deny service trng;                                  # 2
log function psci.version;                          # 3
POL
SHA=$(sha256sum "$T/mig.pol" | cut -d' ' -f1)

# ---- 1. VM a: the policy decides, and keeps state ----------------------------------
run 0 "attach the policy to VM a" "$CLI" policy attach --vm "$a_id" "$T/mig.pol"
[ -e "$PINS/vm-$a_id/rate" ] && ok "the rate map is pinned: $PINS/vm-$a_id/rate" ||
	nok "no $PINS/vm-$a_id/rate"
c a "the rate-limited rule, within the burst" "ret 0x3001 *" return smc 1 $RL
c a "deny service trng" "ret $NS *" deny hvc 0 $TRNG
c a "deny service trng" "ret $NS *" deny smc 1 $TRNG
c a "log psci.version: handled" "ret 0x10001 *" handle hvc 0 $PSCI_VERSION
c a "log psci.version: handled" "ret 0x10001 *" handle smc 0 $PSCI_VERSION
c a "default handle: SiP" "ret $NS *" handle smc 1 $SIP
same "VM a's statistics: one per call, per function and action" "$(stats_of "$a_id")" \
	"$(want_of "$T/exp.a")"

# ---- 2. broken exports are refused, VM b untouched ---------------------------------
run 0 "policy export --vm a (standard output)" "$CLI" policy export --vm "$a_id"
cp "$T/out" "$T/a0.json"
head -c 300 "$T/a0.json" >"$T/trunc.json"
run 1 "import of a truncated export: refused" "$CLI" policy import --vm "$b_id" "$T/trunc.json"
has "... says where: FILE:LINE:COL and what was expected" err "trunc.json:[0-9]+:[0-9]+: expected"
sed 's/"version": 1,/"version": 7,/' "$T/a0.json" >"$T/v7.json"
run 1 "import of a version 7 export: refused" "$CLI" policy import --vm "$b_id" "$T/v7.json"
has "... names the version" err "v7.json:3:14: version 7 is not supported"
sed 's/default handle;/default deny;  /' "$T/a0.json" >"$T/edited.json"
run 1 "import of an export whose source was edited: refused" \
	"$CLI" policy import --vm "$b_id" "$T/edited.json"
has "... the source does not match its sha256" err "does not match its sha256"
run 2 "import without a target: usage" "$CLI" policy import "$T/a0.json"
run 4 "VM b still has no policy" "$CLI" policy show --vm "$b_id"
[ -z "$(ls "$T/state/imported" 2>/dev/null)" ] && ok "... and no source was kept" ||
	{ nok "... kept: $(ls "$T/state/imported")"; }

# ---- 3. empty the bucket, export --------------------------------------------------
loop a hvc 0 $RL 1200
[ "$ok_n" -ge 999 ] && [ "$ok_n" -lt 1100 ] && [ $((ok_n + over_n)) -eq 1200 ] &&
	ok "VM a: an in-guest loop of 1200 calls empties the bucket: $ok_n returned, $over_n denied" ||
	nok "VM a: loop: $ok_n returned, $over_n denied (expected 999..1099 returned)"
run 0 "policy export --vm a -o FILE" "$CLI" policy export --vm "$a_id" -o "$T/a.json"
has "... reports the counters and buckets" out "exported policy \"migrate\" of VM $a_id to .*a.json: 5 counters, 1 rate buckets"
ls "$T" | grep -q 'a.json.tmp' && nok "... left a temporary file" ||
	ok "... written atomically (no temporary left)"
echo "# --- the export document ($T/a.json)"
comment "$T/a.json"
doc_has "export: format and version" "$T/a.json" '"format": "smccc-bpf-export"'
doc_has "export: the attached file's SHA-256" "$T/a.json" "\"sha256\": \"$SHA\""
doc_has "export: the attached file's path" "$T/a.json" "\"file\": \"$T/mig.pol\""
doc_has "export: name and mode" "$T/a.json" '"mode": "enforce"'
doc_has "export: the rate-limited rule's bucket (index 0, rule 1, line 3)" "$T/a.json" \
	'"rule_index": 0,'
doc_has "export: the counts, as JSON numbers" "$T/a.json" "\"calls\": $((ok_n + 1))\$"

# ---- 4. import into VM b ------------------------------------------------------------
echo "# the export-import gap: $EXPORT_GAP s"
sleep "$EXPORT_GAP"
run 0 "policy import --vm b" "$CLI" policy import --vm "$b_id" "$T/a.json"
has "... reports the import" out "imported policy \"migrate\" .* to VM $b_id"
has "... and what was carried over" err "carried over: 5 counters, 1 rate buckets"
run 0 "policy export --vm b at once (before any call of b)" "$CLI" policy export --vm "$b_id" -o "$T/b0.json"
a_tok=$(bucket_field "$T/a.json" tokens_ns) b_tok=$(bucket_field "$T/b0.json" tokens_ns)
a_age=$(bucket_field "$T/a.json" age_ns) b_age=$(bucket_field "$T/b0.json" age_ns)
echo "# bucket: a tokens_ns $a_tok age_ns $a_age; b tokens_ns $b_tok age_ns $b_age"
[ -n "$a_tok" ] && [ "$a_tok" = "$b_tok" ] && ok "VM b's bucket has VM a's tokens, exactly ($a_tok ns)" ||
	nok "VM b's bucket: tokens $b_tok, VM a's $a_tok"
[ -n "$b_age" ] && [ "$b_age" -ge "$a_age" ] && [ $((b_age - a_age)) -lt $((EXPORT_GAP * 1000000000)) ] &&
	ok "... and VM a's age plus less than the $EXPORT_GAP s gap: the gap is not credited" ||
	nok "... age: b $b_age, a $a_age (gap $EXPORT_GAP s)"
KEPT="$T/state/imported/$SHA.policy"
cmp -s "$KEPT" "$T/mig.pol" && ok "the source VM b runs is the file attached to VM a, byte for byte" ||
	nok "$KEPT differs from $T/mig.pol"
run 0 "policy show --vm b" "$CLI" policy show --vm "$b_id"
has "... names the kept source and its SHA-256" out "from $KEPT"
has "... sha256" out "sha256 $SHA"
cp "$T/exp.a" "$T/exp.b"
same "VM b's statistics start from VM a's counts (per function and action, exact)" \
	"$(stats_of "$b_id")" "$(want_of "$T/exp.b")"
loop b smc 1 $RL 1200
[ "$ok_n" -lt 200 ] && [ $((ok_n + over_n)) -eq 1200 ] &&
	ok "VM b: the bucket continues: a loop of 1200 calls gets $ok_n returned (a new bucket: 1000)" ||
	nok "VM b: loop: $ok_n returned, $over_n denied (a continued bucket gives fewer than 200)"
c b "deny service trng" "ret $NS *" deny smc 0 $TRNG
c b "log psci.version" "ret 0x10001 *" handle hvc 1 $PSCI_VERSION
same "VM b's statistics: a's counts plus b's calls" "$(stats_of "$b_id")" "$(want_of "$T/exp.b")"

# ---- 5. import onto a VM with a policy: refused, nothing changed --------------------
"$CLI" -j policy show --vm "$b_id" >"$T/show.before" 2>&1
before=$(stats_of "$b_id")
run 5 "import onto VM b, which has a policy: refused (exit 5)" \
	"$CLI" policy import --vm "$b_id" "$T/a.json"
has "... says so" err "already has a policy attached"
"$CLI" -j policy show --vm "$b_id" >"$T/show.after" 2>&1
cmp -s "$T/show.before" "$T/show.after" && ok "... VM b's policy untouched (policy show identical)" ||
	{ nok "... VM b's policy changed"; comment "$T/show.before" "$T/show.after"; }
same "... VM b's statistics untouched" "$(stats_of "$b_id")" "$before"
run 5 "import onto VM a, which has a policy: refused (exit 5)" \
	"$CLI" policy import --vm "$a_id" "$T/a.json"

# ---- 6. a migration chain: export the imported policy, import it back into a ----------
run 0 "policy export --vm b (an imported policy)" "$CLI" policy export --vm "$b_id" -o "$T/b.json"
doc_has "... the same source (SHA-256)" "$T/b.json" "\"sha256\": \"$SHA\""
doc_has "... the kept file" "$T/b.json" "\"file\": \"$KEPT\""
run 0 "policy detach --vm a" "$CLI" policy detach --vm "$a_id"
[ ! -e "$PINS/vm-$a_id" ] && ok "... its pins are gone, rate included" ||
	{ nok "... left: $(ls "$PINS/vm-$a_id")"; }
run 0 "policy import --vm a of VM b's export" "$CLI" policy import --vm "$a_id" "$T/b.json"
cp "$T/exp.b" "$T/exp.a"
same "VM a's statistics continue from VM b's" "$(stats_of "$a_id")" "$(want_of "$T/exp.a")"
loop a hvc 1 $RL 1200
[ "$ok_n" -lt 200 ] && ok "VM a: the bucket still continues (b's): $ok_n of 1200 returned" ||
	nok "VM a: loop after the chain: $ok_n returned, $over_n denied"

# ---- 7. what export refuses, and older attachments ------------------------------------
run 0 "replace VM a's policy with the file" "$CLI" policy replace --vm "$a_id" "$T/mig.pol"
[ -e "$PINS/vm-$a_id/rate" ] && ok "... the new rate map is pinned" || nok "no rate pin after replace"
cp "$T/mig.pol" "$T/mig.orig"
echo "# an edit" >>"$T/mig.pol"
run 1 "export after the attached file changed: refused" "$CLI" policy export --vm "$a_id"
has "... says so and why" err "mig.pol changed since it was attached \\(sha256 [0-9a-f]{64}, attached $SHA\\); export needs the attached source"
cp "$T/mig.orig" "$T/mig.pol"
rm -f "$PINS/vm-$a_id/rate"
run 0 "export of an attachment without a rate pin (an older smccc-bpf)" \
	"$CLI" policy export --vm "$a_id" -o "$T/old.json"
has "... says there is no rate-limit state" err "no rate-limit state \\(attached by an older smccc-bpf\\)"
doc_has "... rate_buckets: null" "$T/old.json" '"rate_buckets": null'
run 0 "policy detach --vm a" "$CLI" policy detach --vm "$a_id"
run 0 "import of that export (the buckets start full)" "$CLI" policy import --vm "$a_id" "$T/old.json"
has "... says so" err "has no rate-limit state"
c a "a full bucket: within the burst" "ret 0x3001 *" return hvc 0 $RL
run 0 "policy detach --vm a" "$CLI" policy detach --vm "$a_id"
run 0 "policy detach --vm b" "$CLI" policy detach --vm "$b_id"
run 0 "attach a hand-written object to VM b" "$CLI" policy attach --vm "$b_id" "$OBJS/handle_all.bpf.o"
run 9 "export of a hand-written BPF object: not supported (exit 9)" "$CLI" policy export --vm "$b_id"
has "... says why" err "hand-written BPF object"
run 0 "policy detach --vm b" "$CLI" policy detach --vm "$b_id"
run 4 "export with nothing attached: exit 4" "$CLI" policy export --vm "$b_id"
run 0 "policy export --help" "$CLI" policy export --help
has "... usage" out "Usage: .* policy export \\(--vm ID \\| --pid PID \\| --global\\) \\[-o FILE\\]"
run 0 "policy import --help" "$CLI" policy import --help

cleanup
rm -rf "$T"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
