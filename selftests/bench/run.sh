#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boots the patched kernel twice with the benchmark initramfs,
# once under plain TCG (guest counter = host wall time) and once under TCG
# --icount (guest counter = instructions executed: deterministic, so its
# ratios are exact instruction-count ratios), prints both tables and the
# verdicts, and writes OUT/results.json. The TCG boot also times
# "smccc-bpf policy attach" of the generated policies (emulated wall time);
# on the host, "smccc-bpf policy check" of the same files times the
# compiler alone (the host kernel has no kvm_smccc_ops to attach to; the map
# fill is timed by make -C selftests/host bench-host). A missed target is
# reported, not failed; the exit status is non-zero only if a measurement
# broke.
set -uo pipefail

usage() {
	cat <<EOF2
Usage: selftests/bench/run.sh --kernel IMAGE --initrd CPIO [--out DIR]
                              [--calls N] [--rounds R] [--target X] [--timeout SECS]
                              [--attach K] [--host-cli CLI --host-policies "FILE..."]
  --out DIR       console logs and results.json (default build/bench)
  --calls N       calls per measured loop (default 20000)
  --rounds R      interleaved rounds of none,trivial,filter,rules (default 7)
  --target X      policy/no-policy ratio to report against (default 1.03)
  --timeout SECS  per boot (default 1200)
  --attach K      policy attach timings per policy file in the TCG boot (default 3)
  --host-cli CLI  the host smccc-bpf, to time "policy check" of --host-policies
                  (median of 5 runs each)
EOF2
}

kernel= initrd= out=build/bench calls=20000 rounds=7 target=1.03 timeout=1200 attach=3
host_cli= host_policies=
while [ $# -gt 0 ]; do
	case $1 in
	--kernel|--initrd|--out|--calls|--rounds|--target|--timeout|--attach|--host-cli|--host-policies)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		v=$2; k=${1#--}; k=${k//-/_}; printf -v "$k" '%s' "$v"; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ -n "$kernel" ] && [ -n "$initrd" ] || { usage >&2; exit 2; }
for n in "$calls" "$rounds" "$timeout"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: '$n' is not a positive number" >&2; exit 2; }
done
[[ $attach =~ ^[0-9]+$ ]] || { echo "run.sh: '$attach' is not a number" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$out" || exit 2
json=$out/results.json
rm -f "$json"

declare -A title=([tcg]="plain TCG: ns of emulated wall time per call"
		  [icount]="TCG --icount: ns = instructions executed per call")
declare -A run_json=() verdict=() verdict_rules=() reference=()
attach_lines=
broken=0

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for mode in tcg icount; do
	log=$out/$mode.log
	rm -f "$log"
	echo "== smccc-bench, ${title[$mode]} (console: $log)"
	# policy attach is timed in the TCG boot only: under --icount, time is
	# instructions, and the 100,000-rule attach would take long.
	a=0
	[ "$mode" = tcg ] && a=$attach
	args=(--kernel "$kernel" --initrd "$initrd" --log "$log" --timeout "$timeout"
	      --smp 1 --mem 1G
	      --append "smccc.bench_mode=$mode smccc.bench_calls=$calls smccc.bench_rounds=$rounds smccc.bench_target=$target smccc.bench_attach=$a")
	[ "$mode" = icount ] && args+=(--icount)
	t0=$SECONDS
	"$here/scripts/run-vm.sh" "${args[@]}" >/dev/null 2>"$out/$mode.err"
	rc=$?
	# The table: what smccc_bench printed, without kernel lines and the JSON.
	sed -n '/^SMCCC-BENCH: begin/,/^SMCCC-BENCH: end/p' "$log" 2>/dev/null |
		grep -v -e '^SMCCC-BENCH' -e '^\[ *[0-9]*\.[0-9]*\]' | sed 's/^/  /'
	j=$(sed -n 's/^SMCCC-BENCH-JSON: //p' "$log" 2>/dev/null | tail -n 1)
	if [ "$rc" -ne 0 ] || [ -z "$j" ]; then
		echo "  BROKEN: boot or measurement failed (run-vm.sh exit $rc); see $log"
		grep -h -e '^run-vm: ' -e 'measurement broken' "$out/$mode.err" "$log" 2>/dev/null |
			head -n 5 | sed 's/^/    /'
		broken=1
		continue
	fi
	echo "  ($((SECONDS - t0)) s)"
	run_json[$mode]=$j
	body=$(sed -n '/^SMCCC-BENCH: begin/,$p' "$log")
	verdict[$mode]=$(grep -m1 '\] trivial policy / no policy' <<<"$body" | sed 's/^\[[a-z]*\] //')
	verdict_rules[$mode]=$(grep -m1 '\] [0-9]*-rule policy / no policy' <<<"$body" |
		sed 's/^\[[a-z]*\] //')
	reference[$mode]=$(grep -m1 '\] upstream filter / no policy' <<<"$body" | sed 's/^\[[a-z]*\] //')
	if [ "$mode" = tcg ] && [ "$attach" -gt 0 ]; then
		attach_lines=$(sed -n 's/^SMCCC-BENCH-ATTACH: //p' <<<"$body")
		if [ -z "$attach_lines" ] || grep -q '"rc":[1-9]' <<<"$attach_lines"; then
			echo "  BROKEN: policy attach timing failed; see $log"
			broken=1
		fi
	fi
done

# policy attach in the VM: median per file of K runs (emulated wall time).
declare -a attach_summary=()
attach_json=
if [ -n "$attach_lines" ]; then
	for f in $(sed -n 's/.*"file":"\([^"]*\)".*/\1/p' <<<"$attach_lines" | sort -u); do
		l=$(grep "\"file\":\"$f\"" <<<"$attach_lines")
		nr=$(sed -n '1s/.*"rules":\([0-9]*\).*/\1/p' <<<"$l")
		k=$(wc -l <<<"$l")
		a=$(sed -n 's/.*"attach_s":\([0-9.]*\).*/\1/p' <<<"$l" | median)
		c=$(sed -n 's/.*"check_s":\([0-9.]*\).*/\1/p' <<<"$l" | median)
		attach_summary+=("$nr $a $c $k")
		attach_json+="${attach_json:+,}{\"rules\":$nr,\"runs\":$k,\"median_attach_s\":$a,\"median_check_s\":$c}"
	done
fi

# policy check on the host: the compiler alone, median of 5 runs.
declare -a host_summary=()
host_json=
if [ -n "$host_cli" ]; then
	for f in $host_policies; do
		nr=$("$host_cli" -j policy check "$f" 2>/dev/null | sed -n 's/.*"rules":\([0-9]*\).*/\1/p')
		ts=()
		for i in 1 2 3 4 5; do
			t0=$EPOCHREALTIME
			"$host_cli" policy check "$f" >/dev/null 2>&1 || { nr=; break; }
			t1=$EPOCHREALTIME
			ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
		done
		if [ -z "$nr" ]; then
			echo "BROKEN: $host_cli policy check $f failed"
			broken=1
			continue
		fi
		m=$(printf '%s\n' "${ts[@]}" | median)
		host_summary+=("$nr $m")
		host_json+="${host_json:+,}{\"rules\":$nr,\"median_check_s\":$m}"
	done
fi

{
	printf '{"target":%s,"calls_per_loop":%s,"rounds":%s,"runs":{' "$target" "$calls" "$rounds"
	sep=
	for mode in tcg icount; do
		[ -n "${run_json[$mode]:-}" ] || continue
		printf '%s"%s":%s' "$sep" "$mode" "${run_json[$mode]}"
		sep=,
	done
	printf '},"attach_in_vm_tcg":[%s],"host_policy_check":[%s]' "$attach_json" "$host_json"
	printf ',"broken":%s}\n' "$([ $broken = 1 ] && echo true || echo false)"
} >"$json"

declare -A name=([tcg]="TCG wall time      " [icount]="icount instructions")
echo "results: $json"
if grep -q '"lockdep":true' <<<"${run_json[*]:-}"; then
	echo "note: the kernel under test has lockdep (PROVE_LOCKING/PROVE_RCU): every RCU read"
	echo "      section (the hook's and the filter's) is instrumented, so the ratios overstate"
	echo "      what a production kernel pays"
fi
for mode in tcg icount; do
	[ -z "${reference[$mode]:-}" ] || echo "${name[$mode]}: ${reference[$mode]}"
done
for mode in tcg icount; do
	echo "${name[$mode]}: ${verdict[$mode]:-trivial policy: no result (measurement broken)}"
done
for mode in tcg icount; do
	echo "${name[$mode]}: ${verdict_rules[$mode]:-many-rule policy: no result (measurement broken)}"
done
for e in "${attach_summary[@]}"; do
	read -r nr a c k <<<"$e"
	echo "policy attach, $nr rules, in the VM (TCG, emulated wall time, median of $k):" \
		"${a} s (of which compile, policy check: ${c} s)"
done
for e in "${host_summary[@]}"; do
	read -r nr m <<<"$e"
	echo "policy check,  $nr rules, on the host (compile only, median of 5): ${m} s"
done
[ ${#host_summary[@]} -eq 0 ] ||
	echo "  (load + map fill on the host: make -C selftests/host bench-host)"
exit $broken
