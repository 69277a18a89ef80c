#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage Debian's arm64 build of QEMU (qemu-system-aarch64) with exactly the
# shared libraries it loads, as a root-like tree to put into the test VM's
# initramfs: the real VMM of the "real Linux guest" scenario
# (selftests/e2e/linux-guest-in-vm.sh).
set -euo pipefail

# Bump when the staged tree changes for the same packages.
rev=3
pkg='qemu-system-arm:arm64'
bin=usr/bin/qemu-system-aarch64

usage() {
	cat <<EOF
Usage: scripts/fetch-qemu-arm64.sh [--print-dir] [--help]

Fetches $pkg with 'apt-get download' (the machine's configured
Debian sources, arm64 dpkg architecture: scripts/ci-deps.sh sets it up),
unpacks it with dpkg-deb -x, then follows the binary's NEEDED entries
(readelf -d) recursively: each soname that no fetched package has yet is
looked for in the Depends of the packages already needed (the library
packages: lib*, zlib1g), which are downloaded and unpacked in turn. The result keeps only

  ROOT/$bin                the binary
  ROOT/lib/ld-linux-aarch64.so.1          the dynamic loader (PT_INTERP; a
                                          symlink into aarch64-linux-gnu/)
  ROOT/lib/aarch64-linux-gnu/<soname>     each library of the NEEDED closure

so that 'mkinitramfs.sh -d ROOT:/' makes /usr/bin/qemu-system-aarch64 run
in the test VM. No firmware or data files: the scenario boots with
-kernel, -nodefaults and -nic none. ROOT/../packages lists the packages
(name version) the files came from.

ROOT is \${SMCCC_CACHE:-\$HOME/.cache/smccc-bpf}/qemu-arm64/<key>/root,
<key> a hash of the candidate version of $pkg and the script's
revision; an existing complete ROOT is reused (nothing is downloaded). The
last line printed (stdout) is ROOT; progress goes to stderr.

  --print-dir   print ROOT for the current candidate version and exit
                (non-zero if it has not been staged yet)
  --help        this text

Needs: apt-get, apt-cache, dpkg-deb, readelf (binutils), the arm64 apt lists.
EOF
}

print_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--print-dir) print_only=1 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "fetch-qemu-arm64.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

say() { echo "==> $*" >&2; }
die() { echo "fetch-qemu-arm64.sh: error: $*" >&2; exit 1; }

for c in apt-get apt-cache dpkg-deb readelf sha256sum flock; do
	command -v $c >/dev/null || die "'$c' not found (scripts/ci-deps.sh installs what is needed)"
done
readelf=readelf
command -v aarch64-linux-gnu-readelf >/dev/null && readelf=aarch64-linux-gnu-readelf

cache=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}/qemu-arm64
# apt-cache takes about a second here (no pkgcache.bin) and the Makefile
# asks for --print-dir on every run: the candidate version is remembered
# for as long as the arm64 package lists are unchanged.
lists=$(stat -c '%n %s %Y' /var/lib/apt/lists/*_binary-arm64_Packages* 2>/dev/null || true)
memo=$cache/.candidate
version=
if [ -n "$lists" ] && [ -r "$memo" ]; then
	lists_id=$(echo "$lists" | sha256sum | cut -c1-16)
	read -r id v <"$memo" && [ "$id" = "$lists_id" ] && version=$v
fi
if [ -z "$version" ]; then
	version=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if [ -n "$lists" ] && [ -n "$version" ] && [ "$version" != "(none)" ] &&
		mkdir -p "$cache" 2>/dev/null; then
		echo "$(echo "$lists" | sha256sum | cut -c1-16) $version" >"$memo.$$" &&
			mv -f "$memo.$$" "$memo"
	fi
fi
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
	die "apt knows no $pkg: the arm64 dpkg architecture and its apt lists are needed. Run scripts/ci-deps.sh, or as root: dpkg --add-architecture arm64 && apt-get update"
fi
key=$(echo "$pkg $version rev $rev" | sha256sum | cut -c1-16)
dir=$cache/$key
root=$dir/root

if [ $print_only = 1 ]; then
	echo "$root"
	[ -f "$dir/.complete" ]
	exit
fi
if [ -f "$dir/.complete" ]; then
	say "qemu-system-aarch64 $version (arm64) is staged: $root"
	echo "$root"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
if ! flock -n 9; then
	say "waiting for another fetch-qemu-arm64.sh in $cache"
	flock 9
fi
if [ -f "$dir/.complete" ]; then
	echo "$root"
	exit 0
fi

start=$(date +%s)
# Downloads and unpacked packages in a scratch directory that apt's _apt
# sandbox user can write to; the result is assembled next to its final
# place and renamed into it whole.
work=$(mktemp -d "${TMPDIR:-/tmp}/qemu-arm64.XXXXXX")
new=$(mktemp -d "$cache/.new.XXXXXX")
trap 'rm -rf "$work" "$new"' EXIT
chmod 0755 "$work"
mkdir -p "$work/debs" "$work/x"

declare -A have=()	# package name -> its unpacked tree
fetch() { # package names (no architecture): download and unpack
	local p deb names=()
	for p in "$@"; do names+=("$p:arm64"); done
	say "apt-get download ${names[*]}"
	if ! (cd "$work/debs" && apt-get download "${names[@]}") >"$work/log" 2>&1; then
		cat "$work/log" >&2
		die "apt-get download failed; run 'apt-get update' (arm64 lists needed) and retry"
	fi
	for p in "$@"; do
		deb=$(ls "$work/debs/${p}_"*_arm64.deb 2>/dev/null | head -1)
		[ -n "$deb" ] || die "apt-get download left no ${p}_*_arm64.deb"
		mkdir -p "$work/x/$p"
		dpkg-deb -x "$deb" "$work/x/$p" || die "dpkg-deb -x $deb failed"
		have[$p]=$work/x/$p
		printf '%s %s\n' "$p" "$(dpkg-deb -f "$deb" Version)" >>"$work/packages"
	done
}
# depends PACKAGE: the first alternative of each Depends/Pre-Depends entry
depends() {
	local deb
	deb=$(ls "$work/debs/${1}_"*_arm64.deb | head -1)
	{ dpkg-deb -f "$deb" Pre-Depends; dpkg-deb -f "$deb" Depends; } | tr ',' '\n' |
		sed -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/[[:space:]]//g' | sed '/^$/d'
}
# locate SONAME: "PACKAGE PATH" of the library file in the unpacked trees
locate() {
	local p f
	for p in "${!have[@]}"; do
		for f in "${have[$p]}"/{lib,usr/lib}/aarch64-linux-gnu/"$1" "${have[$p]}"/{lib,usr/lib}/"$1"; do
			if [ -e "$f" ]; then echo "$p $f"; return 0; fi
		done
	done
	return 1
}
needed() { "$readelf" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

fetch "${pkg%:arm64}"
qemu=${have[${pkg%:arm64}]}/$bin
[ -f "$qemu" ] || die "$pkg has no /$bin"
interp=$("$readelf" -l "$qemu" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
[ "$interp" = /lib/ld-linux-aarch64.so.1 ] || die "unexpected program interpreter '$interp'"

# The NEEDED closure; fetch the Depends of the packages involved while some
# soname is still missing.
declare -A lib=()	# soname -> file
for round in 1 2 3 4 5 6 7 8; do
	declare -A used=([${pkg%:arm64}]=1) seen=()
	missing=()
	queue=("$qemu")
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for so in $(needed "$f"); do
			[ -z "${seen[$so]:-}" ] || continue
			seen[$so]=1
			if hit=$(locate "$so"); then
				used[${hit%% *}]=1
				lib[$so]=${hit#* }
				queue+=("${hit#* }")
			else
				missing+=("$so")
			fi
		done
	done
	[ ${#missing[@]} -gt 0 ] || break
	next=()
	for p in "${!used[@]}"; do
		for d in $(depends "$p"); do
			# Library packages only (not qemu-system-data, debconf...).
			case $d in lib*|zlib1g) ;; *) continue ;; esac
			[ -z "${have[$d]:-}" ] || continue
			case " ${next[*]} " in *" $d "*) ;; *) next+=("$d") ;; esac
		done
	done
	say "round $round: ${#missing[@]} sonames not found yet (${missing[*]})"
	[ ${#next[@]} -gt 0 ] || die "no package left to fetch for: ${missing[*]}"
	fetch "${next[@]}"
	unset used seen
done
[ ${#missing[@]} -eq 0 ] || die "sonames not found after $round rounds: ${missing[*]}"

ldso=$(locate ld-linux-aarch64.so.1) || die "no ld-linux-aarch64.so.1 in the fetched packages (libc6)"
mkdir -p "$new/root/usr/bin" "$new/root/lib/aarch64-linux-gnu"
install -m 0755 "$qemu" "$new/root/$bin"
install -m 0755 "${ldso#* }" "$new/root/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"
ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$new/root/lib/ld-linux-aarch64.so.1"
for so in "${!lib[@]}"; do
	[ "$so" != ld-linux-aarch64.so.1 ] || continue
	install -m 0644 "$(readlink -f "${lib[$so]}")" "$new/root/lib/aarch64-linux-gnu/$so"
done
# Only the packages whose files are staged.
{
	echo "${pkg%:arm64}"
	for so in "${!lib[@]}" ld-linux-aarch64.so.1; do
		h=$(locate "$so")
		echo "${h%% *}"
	done
} | sort -u | while read -r p; do grep "^$p " "$work/packages"; done >"$new/packages"
touch "$new/.complete"
chmod 0755 "$new"
rm -rf "$dir"
mv "$new" "$dir"

say "staged qemu-system-aarch64 $version (arm64): ${#lib[@]} libraries from $(wc -l <"$dir/packages") packages, $(du -sh "$root" | cut -f1), in $(( $(date +%s) - start )) s"
# Keep the newest 2 stagings; a .new.* left by an interrupted run (we hold
# the lock) goes too.
find "$cache" -mindepth 1 -maxdepth 1 -type d -name '.new.*' -exec rm -rf {} +
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%T@ %p\n' | sort -rn |
	tail -n +3 | cut -d' ' -f2- | while read -r old; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
echo "$root"
