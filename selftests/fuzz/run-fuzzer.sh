#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs one libFuzzer harness for a while and sums it up in one line: runs,
# runs a second, coverage (cov: edges, ft: features), corpus size. libFuzzer's
# own output goes to the log. Fails (exit 1) on a crash, a leak, a timeout or
# a sanitizer report, with the end of the log and the input that did it
# (make fuzz-smoke, make fuzz-campaign: selftests/fuzz/fuzz.mk).
#
# Usage: run-fuzzer.sh --seconds N --log FILE --artifacts PREFIX [--dict FILE]
#                      [--max-len N] BINARY CORPUS_DIR [MORE_CORPUS_DIRS...] [-- FLAGS...]
# New inputs are written to CORPUS_DIR; the others are only read.
set -euo pipefail

seconds=60 log= artifacts= dict= max_len=
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--artifacts) artifacts=$2; shift 2 ;;
	--dict) dict=$2; shift 2 ;;
	--max-len) max_len=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] && [ -n "$log" ] && [ -n "$artifacts" ] || {
	sed -n 's/^# Usage: //p' "$0" >&2
	exit 2
}
bin=$1
shift
dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	dirs+=("$1")
	shift
done
[ "${1:-}" = -- ] && shift
name=$(basename "$bin")

flags=(-max_total_time="$seconds" -print_final_stats=1 -timeout=20
	-artifact_prefix="$artifacts")
[ -n "$dict" ] && flags+=(-dict="$dict")
[ -n "$max_len" ] && flags+=(-max_len="$max_len")
mkdir -p "$(dirname "$log")" "$(dirname "$artifacts")" "${dirs[0]}"

rc=0
"$bin" "${flags[@]}" "$@" "${dirs[@]}" >"$log" 2>&1 || rc=$?

stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
if [ $rc = 0 ] && [ -z "$done_line" ] && grep -q 'SKIP:' "$log"; then
	printf '  %-8s %s\n' FUZZ "$(grep -m1 'SKIP:' "$log")"
	exit 0
fi
if [ $rc != 0 ] || [ -z "$done_line" ]; then
	printf '  %-8s %s: FAILED (exit %s); from %s:\n' FUZZ "$name" "$rc" "$log" >&2
	# From the harness's or the sanitizer's first word on it, else the end.
	first=$(grep -nE "^$name: (FAILED|MISMATCH)|^==[0-9]+==|runtime error:" "$log" |
		head -1 | cut -d: -f1)
	if [ -n "$first" ]; then
		tail -n +"$first" "$log" | head -n 120 >&2
	else
		tail -n 60 "$log" >&2
	fi
	grep -h 'Test unit written to' "$log" >&2 || true
	exit 1
fi
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$done_line")
printf '  %-8s %s: %s runs (%s/s) in %s s, cov: %s ft: %s, corpus %s (%s new), no crash\n' \
	FUZZ "$name" "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
	"$seconds" "$cov" "$ft" "$corp" "$(stat new_units_added)"
# A harness's own summary at exit ("fuzz_NAME: N inputs, ...").
grep -E "^$name: [0-9]+ inputs" "$log" | tail -1 | sed 's/^/           /' || true
