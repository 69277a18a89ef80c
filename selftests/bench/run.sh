#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boots the patched kernel twice with the benchmark initramfs,
# once under plain TCG (guest counter = host wall time) and once under TCG
# --icount (guest counter = instructions executed: deterministic, so its
# ratios are exact instruction-count ratios), prints both tables and the
# verdicts, and writes OUT/results.json. A missed target is reported, not
# failed; the exit status is non-zero only if a measurement broke.
set -uo pipefail

usage() {
	cat <<EOF2
Usage: selftests/bench/run.sh --kernel IMAGE --initrd CPIO [--out DIR]
                              [--calls N] [--rounds R] [--target X] [--timeout SECS]
  --out DIR       console logs and results.json (default build/bench)
  --calls N       calls per measured loop (default 20000)
  --rounds R      interleaved rounds of none,policy,filter (default 7)
  --target X      policy/no-policy ratio to report against (default 1.03)
  --timeout SECS  per boot (default 1200)
EOF2
}

kernel= initrd= out=build/bench calls=20000 rounds=7 target=1.03 timeout=1200
while [ $# -gt 0 ]; do
	case $1 in
	--kernel|--initrd|--out|--calls|--rounds|--target|--timeout)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		v=$2; k=${1#--}; printf -v "$k" '%s' "$v"; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ -n "$kernel" ] && [ -n "$initrd" ] || { usage >&2; exit 2; }
for n in "$calls" "$rounds" "$timeout"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: '$n' is not a positive number" >&2; exit 2; }
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$out" || exit 2
json=$out/results.json
rm -f "$json"

declare -A title=([tcg]="plain TCG: ns of emulated wall time per call"
		  [icount]="TCG --icount: ns = instructions executed per call")
declare -A run_json=() verdict=() reference=()
broken=0

for mode in tcg icount; do
	log=$out/$mode.log
	rm -f "$log"
	echo "== smccc-bench, ${title[$mode]} (console: $log)"
	args=(--kernel "$kernel" --initrd "$initrd" --log "$log" --timeout "$timeout"
	      --smp 1 --mem 1G
	      --append "smccc.bench_mode=$mode smccc.bench_calls=$calls smccc.bench_rounds=$rounds smccc.bench_target=$target")
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
	reference[$mode]=$(grep -m1 '\] upstream filter / no policy' <<<"$body" | sed 's/^\[[a-z]*\] //')
done

{
	printf '{"target":%s,"calls_per_loop":%s,"rounds":%s,"runs":{' "$target" "$calls" "$rounds"
	sep=
	for mode in tcg icount; do
		[ -n "${run_json[$mode]:-}" ] || continue
		printf '%s"%s":%s' "$sep" "$mode" "${run_json[$mode]}"
		sep=,
	done
	printf '},"broken":%s}\n' "$([ $broken = 1 ] && echo true || echo false)"
} >"$json"

declare -A name=([tcg]="TCG wall time      " [icount]="icount instructions")
echo "results: $json"
for mode in tcg icount; do
	[ -z "${reference[$mode]:-}" ] || echo "${name[$mode]}: ${reference[$mode]}"
done
if grep -q '"lockdep":true' <<<"${run_json[*]:-}"; then
	echo "note: the kernel under test has lockdep (PROVE_LOCKING/PROVE_RCU): every RCU read"
	echo "      section (the hook's and the filter's) is instrumented, so both ratios overstate"
	echo "      what a production kernel pays"
fi
for mode in tcg icount; do
	echo "${name[$mode]}: ${verdict[$mode]:-no result (measurement broken)}"
done
exit $broken
