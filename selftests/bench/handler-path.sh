#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, the handler's part: the instructions kvm_smccc_call_handler()
# runs with no filter and no policy (handler_path.py), for the bench's
# SMCCC_VERSION and PSCI_VERSION, in the patched kernel's hypercalls.o and
# in the same file built from the unpatched linux-source-6.12 with the same
# .config. The unpatched object is cached under
# $SMCCC_CACHE/handler-base/<key>, keyed by the tarball and the .config.
#
#   selftests/bench/handler-path.sh --kdir DIR [--json FILE]
set -euo pipefail

usage() {
	cat <<EOF
Usage: selftests/bench/handler-path.sh --kdir DIR [--json FILE]
  --kdir DIR   a kernel/build.sh result directory (DIR/build/.config and
               DIR/build/arch/arm64/kvm/hypercalls.o)
  --json FILE  also write the counts there as JSON
EOF
}

kdir= json=
while [ $# -gt 0 ]; do
	case $1 in
	--kdir|--json)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		printf -v "${1#--}" '%s' "$2"; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "handler-path.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
[ -n "$kdir" ] || { usage >&2; exit 2; }
patched=$kdir/build/arch/arm64/kvm/hypercalls.o
config=$kdir/build/.config
for f in "$patched" "$config"; do
	[ -f "$f" ] || { echo "handler-path.sh: $f: missing; build the kernel first" >&2; exit 2; }
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
key=$( { stat -c '%s %Y' "$tarball"; cat "$config"; } | sha256sum | cut -c1-16)
base=$cache/handler-base/$key/hypercalls.o

if [ ! -f "$base" ]; then
	echo "==> building the unpatched hypercalls.o with the kernel's .config (about 2 minutes)" >&2
	tmp=$(mktemp -d "$cache/handler-base.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tar -xf "$tarball" -C "$tmp"
	src=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	mkdir -p "$tmp/build"
	cp "$config" "$tmp/build/.config"
	make -s -C "$src" O="$tmp/build" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		-j"$(nproc)" olddefconfig prepare arch/arm64/kvm/hypercalls.o >&2
	mkdir -p "$(dirname "$base")"
	cp "$tmp/build/arch/arm64/kvm/hypercalls.o" "$base"
fi

ids=(0x80000000 0x84000000)
declare -A fname=([0x80000000]=SMCCC_VERSION [0x84000000]=PSCI_VERSION)
mapfile -t up < <("$here/handler_path.py" --json "$base" "${ids[@]}")
mapfile -t pa < <("$here/handler_path.py" --json "$patched" "${ids[@]}")
[ ${#up[@]} = ${#ids[@]} ] && [ ${#pa[@]} = ${#ids[@]} ] ||
	{ echo "handler-path.sh: counting failed" >&2; exit 1; }

insns() { sed -n 's/.*"instructions": \([0-9]*\).*/\1/p' <<<"$1"; }
echo "== kvm_smccc_call_handler(), no filter, no policy: instructions executed"
printf '  %-14s %9s %8s %6s\n' call unpatched patched extra
out=
for i in "${!ids[@]}"; do
	u=$(insns "${up[$i]}") p=$(insns "${pa[$i]}")
	printf '  %-14s %9d %8d %+6d\n' "${fname[${ids[$i]}]}" "$u" "$p" $((p - u))
	out+="${out:+,}{\"call\":\"${fname[${ids[$i]}]}\",\"func_id\":\"${ids[$i]}\",\"unpatched\":$u,\"patched\":$p}"
done
[ -z "$json" ] || echo "[$out]" >"$json"
