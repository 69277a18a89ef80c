#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel again and again with kvm-soak-in-vm.sh inside and add up how
# the KVM selftests ended, per test, over all boots; turn the core dumps on
# the console back into files and print their backtraces (gdb-multiarch).
# The tool behind issue 11's figures: the same tests, binaries and order on
# a patched and an unpatched kernel, under two emulators.
set -euo pipefail

usage() {
	cat <<EOF
Usage: selftests/soak/run-soak.sh --kernel KDIR --ksft DIR --out DIR
           [--boots B] [--runs N] [--limit SECS] [--warmup 'T ...']
           [--policy OBJ --bpftool BIN] [--qemu PATH] [--timeout SECS]
           'TEST ARGS' ...

  --kernel KDIR   a kernel/build.sh result directory (KDIR/Image)
  --ksft DIR      static KVM selftests (scripts/build-kvm-selftests.sh OUT)
  --out DIR       console logs, cores, backtraces and summary.txt
  --boots B       boots (default 1); --runs N: runs of each test per boot
                  (default 30); --limit SECS: a run that takes longer has
                  hung (default 600)
  --warmup 'T..'  tests run once each first in every boot (the order in
                  which the failures were seen: other KVM tests first)
  --policy OBJ    attach this struct_ops object host-wide in every boot,
                  with --bpftool BIN (static arm64 bpftool)
  --qemu PATH     the outer emulator (default: run-vm.sh's, bookworm-backports'
                  QEMU 10; qemu-system-aarch64 is bookworm's 7.2)
  --timeout SECS  one boot's limit (default: runs x tests x limit + 600)

Each boot is scripts/run-vm.sh --smp 2 --mem 4G with print-fatal-signals=1.
The last line is "N passed, N failed" over all runs; OUT/summary.txt has a
line per test (runs, passed, failed, signal, hang, mean seconds) and the
number of kernel splats per boot. Needs: qemu-system-arm, gdb-multiarch.
EOF
}

die() { echo "run-soak: error: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
kdir= ksft= out= boots=1 runs=30 limit=600 warmup= policy= bpftool= qemu= timeout=
while [ $# -gt 0 ]; do
	case $1 in
	-h|--help) usage; exit 0 ;;
	--kernel|--ksft|--out|--boots|--runs|--limit|--warmup|--policy|--bpftool|--qemu|--timeout)
		[ $# -ge 2 ] || die "$1 needs a value (see --help)"
		case $1 in
		--kernel) kdir=$2 ;; --ksft) ksft=$2 ;; --out) out=$2 ;;
		--boots) boots=$2 ;; --runs) runs=$2 ;; --limit) limit=$2 ;;
		--warmup) warmup=$2 ;; --policy) policy=$2 ;; --bpftool) bpftool=$2 ;;
		--qemu) qemu=$2 ;; --timeout) timeout=$2 ;;
		esac
		shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no test given (e.g. 'demand_paging_test -b 16M'; see --help)"
[ -n "$kdir" ] && [ -f "$kdir/Image" ] || die "--kernel: no Image in '${kdir:-}' (kernel/build.sh prints the directory)"
[ -n "$ksft" ] && [ -d "$ksft" ] || die "--ksft: no directory '${ksft:-}' (scripts/build-kvm-selftests.sh)"
[ -n "$out" ] || die "--out is required"
for n in "$boots" "$runs" "$limit"; do
	[[ $n =~ ^[1-9][0-9]*$ ]] || die "--boots, --runs and --limit want whole numbers > 0, not '$n'"
done
for spec in "$@" $warmup; do
	t=${spec%% *}
	[ -x "$ksft/$t" ] || die "test '$t' not in $ksft"
done
if [ -n "$policy" ]; then
	[ -f "$policy" ] || die "--policy: no file '$policy'"
	[ -n "$bpftool" ] && [ -x "$bpftool" ] || die "--policy needs --bpftool (the static arm64 bpftool)"
fi
command -v gdb-multiarch >/dev/null || die "gdb-multiarch not found (scripts/ci-deps.sh installs it)"
[ -n "$timeout" ] || timeout=$((runs * ($# + 1) * limit + 600))
[ -n "$qemu" ] || qemu=$("$here/scripts/fetch-qemu-backports.sh" --ensure | tail -n 1) ||
	die "cannot stage bookworm-backports' QEMU; --qemu qemu-system-aarch64 runs bookworm's 7.2"
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The in-VM wrapper: /init runs one program without arguments.
{
	echo '#!/bin/sh'
	printf 'exec /test/kvm-soak-in-vm.sh -n %s -t %s' "$runs" "$limit"
	[ -z "$warmup" ] || printf " -w '%s'" "$warmup"
	[ -z "$policy" ] || printf ' -p /test/%s' "$(basename "$policy")"
	for spec in "$@"; do printf " '%s'" "$spec"; done
	echo
} > "$out/soak"
chmod +x "$out/soak"
cpio_args=(-f "$out/soak:/test/soak" -f "$here/selftests/soak/kvm-soak-in-vm.sh:/test/"
	-d "$ksft:/test/kvm-selftests")
[ -z "$policy" ] || cpio_args+=(-f "$policy:/test/" -f "$bpftool:/usr/bin/bpftool")
"$here/scripts/mkinitramfs.sh" -o "$out/soak.cpio.gz" "${cpio_args[@]}" >/dev/null

# A wedged VM: the in-VM script prints a SOAK- line at least every --limit
# seconds (a run ends or its hang is dumped), so none for longer means the
# L1 kernel stopped: either silent (no hung-task or RCU report can come out
# either) or with one vCPU livelocked and the other printing RCU stall
# reports forever, so the watchdog counts SOAK- lines, not console bytes.
# Ask QEMU's monitor what each vCPU is doing, then stop the VM.
stall=$((limit + 300))
monitor() { # SOCKET COMMAND...
	python3 - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
def reply():
    buf = b""
    try:
        while not buf.endswith(b"(qemu) "):
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except socket.timeout:
        pass
    return buf.decode(errors="replace")
reply()
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\n")
    print("(qemu) " + reply())
PY
}
# What the monitor cannot show: EL2's system registers per vCPU (the per-CPU
# offset in TPIDR_EL2, the last exception's ESR/ELR/FAR) and backtraces
# against the kernel's vmlinux, through a gdbstub started on the monitor.
gdb_view() { # MONITOR
	local port vmlinux=$kdir/build/vmlinux
	[ -f "$vmlinux" ] || vmlinux=
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	monitor "$1" "gdbserver tcp:127.0.0.1:$port"
	timeout 120 gdb-multiarch -batch -nx -ex 'set architecture aarch64' \
		${vmlinux:+-ex "file $vmlinux"} -ex "target remote 127.0.0.1:$port" \
		-ex 'info threads' -ex 'thread apply all bt 8' \
		-ex 'thread apply all p/x $TPIDR_EL2' -ex 'thread apply all p/x $ESR_EL2' \
		-ex 'thread apply all p/x $ELR_EL2' -ex 'thread apply all p/x $FAR_EL2' \
		-ex 'thread apply all p/x $HCR_EL2' ${vmlinux:+-ex 'p/x __per_cpu_offset'} \
		-ex detach </dev/null
}
watch_wedge() { # VM_PID LOG MONITOR OUT
	local last=-1 size quiet=0
	while kill -0 "$1" 2>/dev/null; do
		sleep 10
		size=$(grep -c 'SOAK-' "$2" 2>/dev/null || true)
		if [ "$size" = "$last" ]; then quiet=$((quiet + 10)); else quiet=0; last=$size; fi
		[ $quiet -ge $stall ] || continue
		{
			monitor "$3" 'info cpus' 'info registers -a' 'info pic'
			sleep 5
			monitor "$3" 'info registers -a'
			gdb_view "$3"
		} > "$4" 2>&1
		monitor "$3" quit >/dev/null 2>&1 || kill "$1"
		return
	done
}

qemu_version=$("$qemu" --version | head -1)
echo "run-soak: $(basename "$kdir") under $qemu_version, $boots boot(s) x $runs run(s) of: $*" >&2
for b in $(seq 1 "$boots"); do
	log=$out/boot-$b.log
	echo "run-soak: boot $b/$boots (console: $log)" >&2
	mon=$out/boot-$b.mon
	rm -f "$mon" "$out/boot-$b.wedged"
	QEMU=$qemu "$here/scripts/run-vm.sh" --kernel "$kdir/Image" \
		--initrd "$out/soak.cpio.gz" --log "$log" --timeout "$timeout" \
		--smp 2 --mem 4G --append "smccc.run=/test/soak print-fatal-signals=1" \
		-- -monitor "unix:$mon,server=on,wait=off" \
		>/dev/null 2>"$out/boot-$b.verdict" &
	vm=$!
	watch_wedge "$vm" "$log" "$mon" "$out/boot-$b.wedged"
	wait "$vm" || true
	if [ -s "$out/boot-$b.wedged" ]; then
		echo "run-soak: boot $b wedged: no SOAK- line for ${stall}s; QEMU's view: $out/boot-$b.wedged" >&2
		# The run that was going on counts as one that did not end.
		tr -d '\r' < "$log" | grep -o 'SOAK-START: .*' | tail -1 |
			sed 's/^SOAK-START: \(.*\)/SOAK-RUN: \1 result=wedged secs=0/' >> "$log"
	fi
	grep -h '^run-vm: FAIL' "$out/boot-$b.verdict" >&2 || true
	grep -o 'SOAK-[A-Z-]*: .*' "$log" | grep -E '^SOAK-(RUN|SUM|WARMUP|SIGNAL|HANG-BEGIN|KMEMLEAK):' >&2 || true

	# Cores: base64 of gzip between the markers, one file per core.
	tr -d '\r' < "$log" | awk -v dir="$out" -v boot="$b" '
		/SOAK-CORE-BEGIN: / { name = $0; sub(/.*SOAK-CORE-BEGIN: /, "", name);
			sub(/ .*/, "", name); f = dir "/core-" boot "-" name ".b64"; next }
		/SOAK-CORE-END: / { close(f); f = ""; next }
		f != "" { print > f }'
	for c in "$out"/core-"$b"-*.b64; do
		[ -e "$c" ] || continue
		core=${c%.b64}
		base64 -d < "$c" | gunzip > "$core" 2>/dev/null && rm -f "$c" || {
			echo "run-soak: core $c is damaged" >&2; continue; }
		name=${core##*/core-"$b"-}
		bin=$ksft/${name%%.*}
		gdb-multiarch -batch -ex 'info threads' -ex 'thread apply all bt 20' \
			"$bin" "$core" > "$core.bt" 2>&1 || true
		echo "run-soak: backtrace of $name: $core.bt" >&2
	done
done

# Per test: runs, outcomes, mean seconds of the runs that passed.
cat "$out"/boot-*.log | tr -d '\r' | grep -o 'SOAK-RUN: .*' | awk '
	{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	  t = v["test"]; n[t]++; r = v["result"]; sub(/:.*/, "", r); c[t, r]++
	  if (r == "pass") { s[t] += v["secs"] }
	  if (!(t in seen)) { seen[t] = 1; order[++k] = t } }
	END { for (i = 1; i <= k; i++) { t = order[i]
		printf "%s runs=%d pass=%d fail=%d signal=%d hang=%d wedged=%d mean_pass_secs=%.0f\n",
			t, n[t], c[t, "pass"], c[t, "fail"], c[t, "signal"], c[t, "hang"], c[t, "wedged"],
			c[t, "pass"] ? s[t] / c[t, "pass"] : 0 } }' > "$out/summary.txt"
# A boot's splats, less what the hang dumps asked for (sysrq l prints each
# CPU's "Call trace:"): the lines between SOAK-HANG-BEGIN and -END.
splats=0
for log in "$out"/boot-*.log; do
	tr -d '\r' < "$log" | awk '/SOAK-HANG-BEGIN:/ { skip = 1 } !skip { print }
		/SOAK-HANG-END:/ { skip = 0 }' > "$log.nohang"
	if ! "$here/scripts/console-splats.sh" "$log.nohang" > "$log.splats"; then
		splats=$((splats + 1))
		echo "run-soak: kernel splat in $log (see $log.splats)" >&2
	fi
done
{
	echo "kernel: $(basename "$kdir") ($(cat "$kdir/.flavour" 2>/dev/null || echo '?'))"
	echo "emulator: $qemu_version"
	echo "boots: $boots, boots with a kernel splat: $splats, wedged boots: $(find "$out" -maxdepth 1 -name 'boot-*.wedged' -size +0 | wc -l)"
	# Debug kernels: kmemleak's count after each boot's runs.
	leaks=$(cat "$out"/boot-*.log | tr -d '\r' | grep -o 'SOAK-KMEMLEAK: suspected_leaks=[0-9]*' |
		sed 's/.*=//' | paste -sd' ' -) || true
	[ -z "$leaks" ] || echo "kmemleak: suspected leaks per boot: $leaks"
	[ -z "$policy" ] || echo "host-wide policy: $(basename "$policy")"
	[ -z "$warmup" ] || echo "warm-up: $warmup"
} >> "$out/summary.txt"
cat "$out/summary.txt"
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	if ($2 ~ /^runs=/) { p += v["pass"]; f += v["runs"] - v["pass"] } }
	END { printf "%d passed, %d failed\n", p, f }' "$out/summary.txt"
