#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the gzip'd newc initramfs for smccc-bpf test VMs: a static arm64
# busybox, the /init from initramfs-init.sh and the given files.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: mkinitramfs.sh -o OUT.cpio.gz [-d DIR:DEST]... [-f FILE:DEST]...

Build a gzip'd newc cpio for an arm64 test VM containing:
  /bin/busybox (static arm64, Debian busybox-static:arm64) + applet symlinks
  /init        (scripts/initramfs-init.sh: mounts proc/sys/dev/debugfs/bpffs/
                tmp, runs smccc.run=PATH (default /test/run), prints
                "SMCCC-BPF-INIT: exit=<code>", powers off)
  /dev /proc /sys /sys/fs/bpf /sys/kernel/debug /tmp /root /etc
and, in order:
  -d DIR:DEST   copy the contents of host directory DIR into DEST
                (DEST defaults to /)
  -f FILE:DEST  copy host file FILE to DEST; a DEST ending in '/' is a
                directory to put FILE in (DEST defaults to /basename)
Symlinks given on the command line are followed; symlinks inside -d
directories are kept. All entries are owned by root (cpio -R 0:0); mtimes
are fixed, so equal inputs give a byte-identical archive, and an OUT that is
already identical is left untouched.

busybox comes from 'apt-get download busybox-static:arm64' (needs the arm64
dpkg architecture and apt lists), cached in
${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}/busybox-arm64/; set BUSYBOX=PATH to
use another static arm64 busybox.

Options: -h help. Environment: V=1 verbose.
Needs: cpio gzip dpkg apt (busybox-static:arm64 is fetched, not installed)
EOF
}

die() { echo "mkinitramfs: error: $*" >&2; exit 1; }
say() { echo "==> $*"; }
V=${V:-0}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INIT_SRC=$HERE/initramfs-init.sh
CACHE=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}

OUTF=
ITEMS=()
ORIG_PWD=$PWD
while [[ $# -gt 0 ]]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-o) [[ $# -ge 2 ]] || die "-o needs a file name"; OUTF=$2; shift 2 ;;
	-d|-f) [[ $# -ge 2 ]] || die "$1 needs an argument (see --help)"
		ITEMS+=("$1" "$2"); shift 2 ;;
	*) die "unexpected argument '$1' (see --help)" ;;
	esac
done
[[ -n $OUTF ]] || { usage >&2; exit 2; }
[[ -f $INIT_SRC ]] || die "$INIT_SRC is missing (it must sit next to this script)"
for c in cpio gzip; do
	command -v $c >/dev/null || die "'$c' not found; install Debian package $c"
done

# --- busybox ---------------------------------------------------------------
get_busybox() {
	local dir=$CACHE/busybox-arm64
	if [[ -n ${BUSYBOX:-} ]]; then
		[[ -f $BUSYBOX ]] || die "BUSYBOX=$BUSYBOX does not exist"
		BB=$BUSYBOX
		return
	fi
	BB=$dir/busybox
	[[ -x $BB ]] && return
	command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
		die "apt-get/dpkg-deb not found: cannot fetch busybox-static:arm64 (set BUSYBOX=PATH)"
	if [[ $(dpkg --print-architecture) != arm64 ]] &&
		! dpkg --print-foreign-architectures | grep -qx arm64; then
		die "dpkg has no arm64 architecture, so busybox-static:arm64 cannot be fetched. Run the project's package installer (.ci/run) first, or as root: dpkg --add-architecture arm64 && apt-get update"
	fi
	say "fetching busybox-static:arm64 with apt-get download"
	local tmp
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/bb.XXXXXX")
	chmod 0755 "$tmp" # lets apt's _apt sandbox user write here
	if ! (cd "$tmp" && apt-get download busybox-static:arm64) >"$tmp/log" 2>&1; then
		cat "$tmp/log" >&2
		rm -rf "$tmp"
		die "apt-get download busybox-static:arm64 failed; run 'apt-get update' (arm64 lists needed) and retry"
	fi
	local deb
	deb=$(ls "$tmp"/busybox-static_*_arm64.deb 2>/dev/null | head -1)
	[[ -n $deb ]] || die "apt-get download left no busybox-static_*_arm64.deb in $tmp"
	dpkg-deb -x "$deb" "$tmp/x" || die "dpkg-deb -x $deb failed"
	[[ -f $tmp/x/bin/busybox ]] || die "$deb contains no /bin/busybox"
	mkdir -p "$dir"
	install -m 0755 "$tmp/x/bin/busybox" "$dir/busybox.new"
	dpkg-deb -f "$deb" Version >"$dir/version"
	mv -f "$dir/busybox.new" "$BB"
	rm -rf "$tmp"
	echo "    cached $BB (busybox-static $(cat "$dir/version"))"
}
get_busybox
if command -v file >/dev/null; then
	desc=$(file -bL "$BB")
	[[ $desc == *"ARM aarch64"* && $desc == *"statically linked"* ]] ||
		die "$BB is not a static aarch64 binary: $desc"
fi

# --- staging tree ----------------------------------------------------------
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
R=$STAGE/root
mkdir -p "$R"
cd "$R"
mkdir -p bin sbin usr/bin usr/sbin dev proc sys tmp root etc test \
	sys/fs/bpf sys/kernel/debug mnt run var
chmod 1777 tmp
chmod 0700 root
install -m 0755 "$BB" bin/busybox
# The usual applets; init's 'busybox --install -s' adds the rest at boot.
for a in sh ash cat cp mv rm ln ls mkdir rmdir mount umount chmod chown \
	echo printf test [ [[ true false sleep usleep date uname id env \
	grep egrep fgrep sed awk cut tr head tail wc sort uniq tee find xargs \
	basename dirname readlink realpath stat touch mktemp seq expr \
	od hexdump xxd dd cmp diff gzip gunzip zcat tar ps kill killall pidof \
	timeout time nproc free df du dmesg sync which vi less more \
	setsid watch yes; do
	ln -sf busybox "bin/$a"
done
for a in poweroff reboot halt init insmod rmmod lsmod modprobe mdev sysctl \
	switch_root pivot_root mknod losetup ip ifconfig; do
	ln -sf ../bin/busybox "sbin/$a"
done
install -m 0755 "$INIT_SRC" init
printf 'root:x:0:0:root:/root:/bin/sh\n' >etc/passwd
printf 'root:x:0:\n' >etc/group
# /dev/console for init's stdio (the kernel's built-in initramfs has one too,
# so a failing mknod - e.g. in a container - is not fatal).
mknod -m 0600 dev/console c 5 1 2>/dev/null ||
	echo "mkinitramfs: note: cannot mknod /dev/console; relying on the kernel's built-in one" >&2
mknod -m 0666 dev/null c 1 3 2>/dev/null || true

add_item() { # -d|-f SPEC
	local kind=$1 spec=$2 src dest
	if [[ $spec == *:* ]]; then src=${spec%:*}; dest=${spec##*:}; else src=$spec; dest=; fi
	[[ -z $dest || $dest == /* ]] || dest=/$dest
	[[ $src == /* ]] || src=$ORIG_PWD/$src
	case "$kind" in
	-d)
		[[ -d $src ]] || die "-d $spec: '$src' is not a directory"
		dest=${dest:-/}
		mkdir -p "$R$dest"
		cp -a "$src/." "$R$dest/" || die "copying directory '$src' to '$dest' failed"
		;;
	-f)
		[[ -f $src ]] || die "-f $spec: '$src' is not a file"
		[[ -n $dest ]] || dest=/$(basename "$src")
		[[ $dest == */ ]] && dest=$dest$(basename "$src")
		mkdir -p "$R$(dirname "$dest")"
		cp -L --preserve=mode "$src" "$R$dest" || die "copying '$src' to '$dest' failed"
		;;
	esac
	[[ $V = 1 ]] && echo "    $kind $src -> ${dest}" || true
}
for ((i = 0; i < ${#ITEMS[@]}; i += 2)); do
	add_item "${ITEMS[i]}" "${ITEMS[i+1]}"
done
[[ -x $R/init ]] || die "an -f/-d item replaced /init with a non-executable file"

# --- archive ---------------------------------------------------------------
find . -exec touch -h -d @0 {} + 2>/dev/null || true
[[ $OUTF == /* ]] || OUTF=$ORIG_PWD/$OUTF
mkdir -p "$(dirname "$OUTF")" || die "cannot create directory for '$OUTF'"
NEW=$STAGE/initramfs.cpio.gz
find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --reproducible --quiet |
	gzip -n -6 >"$NEW" || die "cpio/gzip failed"
n=$(find . -mindepth 1 | wc -l)
if [[ -f $OUTF ]] && cmp -s "$NEW" "$OUTF"; then
	say "initramfs $OUTF is up to date ($n entries)"
else
	mv -f "$NEW" "$OUTF" 2>/dev/null || cp -f "$NEW" "$OUTF"
	say "wrote initramfs $OUTF ($n entries, $(du -k "$OUTF" | cut -f1) KiB)"
fi
