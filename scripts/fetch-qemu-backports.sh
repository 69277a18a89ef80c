#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage the newer host QEMU of bookworm-backports (qemu-system-aarch64 10.x)
# beside bookworm's 7.2, without installing it: the second outer emulator
# that tells an emulation bug from a kernel one (issue 11). The machine's own
# apt sources are not touched: a private apt state names bookworm-backports
# under the same mirror that the machine's sources use for bookworm, read at
# run time.
set -euo pipefail

pkg=qemu-system-arm
bin=usr/bin/qemu-system-aarch64

usage() {
	cat <<EOF
Usage: scripts/fetch-qemu-backports.sh [--print | --ensure] [--help]

Downloads $pkg from bookworm-backports ('apt-get download' with a private
source list, state and cache under the cache directory), unpacks it with
dpkg-deb -x into \${SMCCC_CACHE:-\$HOME/.cache/smccc-bpf}/qemu-host/<version>/
and checks that the binary finds all its libraries in the machine's own
bookworm libraries (those of bookworm's $pkg, scripts/ci-deps.sh). The last
line printed is the path of <version>/qemu-system-aarch64, a wrapper that
keeps the binary away from bookworm's QEMU modules, for QEMU=... of
scripts/run-vm.sh. An unpacked version is reused.

  --print   print the path of the newest staged binary, do not download
            (non-zero if none is staged)
  --ensure  the same when one is staged, else download as without options
            (what scripts/run-vm.sh uses)
EOF
}

say() { echo "==> $*" >&2; }
die() { echo "fetch-qemu-backports.sh: error: $*" >&2; exit 1; }

print_only=0 ensure=0
case ${1:-} in
'') ;;
--print) print_only=1 ;;
--ensure) ensure=1 ;;
-h|--help) usage; exit 0 ;;
*) die "unknown argument '$1' (see --help)" ;;
esac

cache=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}/qemu-host
if [ $print_only = 1 ] || [ $ensure = 1 ]; then
	found=$(ls -d "$cache"/*/qemu-system-aarch64 2>/dev/null | sort -V | tail -1) || true
	if [ -n "$found" ]; then
		echo "$found"
		exit 0
	fi
	[ $ensure = 1 ] || exit 1
fi

# The mirror the machine uses for bookworm: deb822 sources first, then the
# one-line format.
uri=
for f in /etc/apt/sources.list.d/*.sources; do
	[ -r "$f" ] || continue
	uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++)
		if ($i == "bookworm") { print u; exit } }' "$f")
	[ -z "$uri" ] || break
done
if [ -z "$uri" ]; then
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
fi
[ -n "$uri" ] || die "no bookworm entry in the apt sources: cannot tell where bookworm-backports is"

state=$cache/.apt
mkdir -p "$state/etc" "$state/lists/partial" "$state/archives/partial"
cat > "$state/etc/backports.sources" <<EOF
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$state/etc"
	-o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state"
	-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Debug::NoLocking=1
	-o APT::Sandbox::User=root)
say "reading bookworm-backports from $uri"
apt-get -q "${apt_opts[@]}" update >/dev/null || die "apt-get update of bookworm-backports failed"
version=$(apt-cache "${apt_opts[@]}" show "$pkg" 2>/dev/null |
	awk '/^Version:/ { print $2 }' | grep bpo | sort -V | tail -1)
[ -n "$version" ] || die "no $pkg in bookworm-backports"
# An epoch's colon would upset "FILE:DEST" arguments downstream.
dir=$cache/${version//:/_}
if [ ! -x "$dir/root/$bin" ]; then
	say "downloading $pkg $version"
	rm -rf "$dir" && mkdir -p "$dir/root"
	(cd "$dir" && apt-get -q "${apt_opts[@]}" download "$pkg=$version" >/dev/null) ||
		die "apt-get download $pkg=$version failed"
	dpkg-deb -x "$dir"/"$pkg"_*.deb "$dir/root"
	rm -f "$dir"/*.deb
fi
missing=$(ldd "$dir/root/$bin" | awk '/not found/ { print $1 }')
[ -z "$missing" ] || die "$dir/root/$bin needs libraries this machine lacks: $missing (install bookworm's $pkg first)"
# The binary looks for modules where bookworm's 7.2 keeps its own
# (/usr/lib/<triplet>/qemu, compiled in; QEMU_MODULE_DIR only adds a
# directory) and tries to load them at start, with an error line each. The
# test VMs need no module: as root, the wrapper runs it in a mount namespace
# of its own with that directory empty; elsewhere the lines are harmless.
cat > "$dir/qemu-system-aarch64" <<EOF
#!/bin/sh
# $pkg $version from bookworm-backports (scripts/fetch-qemu-backports.sh)
bin='$dir/root/$bin'
for m in /usr/lib/*-linux-gnu/qemu; do
	if [ -d "\$m" ] && [ "\$(id -u)" = 0 ] && unshare --mount true 2>/dev/null; then
		exec unshare --mount sh -c 'mount -t tmpfs -o size=64k,mode=0755 none "\$0" 2>/dev/null; exec "\$@"' "\$m" "\$bin" "\$@"
	fi
done
exec "\$bin" "\$@"
EOF
chmod +x "$dir/qemu-system-aarch64"
"$dir/qemu-system-aarch64" --version | head -1 >&2
echo "$dir/qemu-system-aarch64"
