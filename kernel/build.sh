#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the smccc-bpf arm64 kernel: Debian's linux-source-6.12 tarball, the
# patch series in kernel/patches (each checked with a dry run first), and
# kernel/smccc-bpf.config merged onto allnoconfig. The guest flavour is the
# stock, unpatched tarball with kernel/guest.config: the Linux guest that a
# real VMM boots inside the test VM.
#
# Results live outside the clone, in a directory keyed by a hash of the
# source version, the patches and the config fragments, so an
# unchanged kernel is never rebuilt:
#
#   $SMCCC_CACHE/kernel/<key>/src        patched source tree (tools come from it)
#   $SMCCC_CACHE/kernel/<key>/build      object tree (vmlinux, .config)
#   $SMCCC_CACHE/kernel/<key>/Image      the kernel to boot
#   $SMCCC_CACHE/kernel/current          symlink to the last good test or
#                                        bench <key>
#   $SMCCC_CACHE/kernel/<key>/.flavour   test, bench or guest
#
# A guest build keeps only Image and config (its source and object trees are
# removed once it is built). The cache keeps the newest $keep builds of each
# flavour.
#
# The last line printed on success is the result directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
patches_dir=$here/patches
fragments=("$here/smccc-bpf.config")
flavour=test
unpatched=0
jobs=$(nproc)
print_only=0
keep=3

usage() {
	cat <<EOF
Usage: kernel/build.sh [--flavour test|bench|debug|guest] [--unpatched] [--print-dir]
                       [--jobs N] [--help]

Builds the patched arm64 kernel into \$SMCCC_CACHE/kernel/<key>/ (default
cache: \$HOME/.cache/smccc-bpf), reusing a previous build with the same key.
The newest $keep builds of each flavour are kept.

  --print-dir   print the result directory for the current inputs and exit
                (non-zero if it has not been built yet)
  --flavour F   test (default): smccc-bpf.config and kvm-selftests.config,
                with lockdep and RCU checking to catch splats; debug: the
                test kernel plus debug.config (KASAN, kmemleak, UBSAN, fault
                injection); bench: the same plus bench.config,
                which turns the lock debugging off so that measured costs
                are those of a production kernel; guest: the stock kernel
                (no patches: its key ignores kernel/patches) with
                guest.config, a KVM guest for the real-VMM scenario (only
                <dir>/Image and <dir>/config are kept)
  --unpatched   the same flavour without the patch series: the baseline
                that tells a bug of the series from one of upstream or of
                the emulator (its own key; never the "current" kernel)
  --jobs N      parallel make jobs (default: $(nproc))
  --help        this text

Environment: SMCCC_CACHE, LINUX_TARBALL (default $tarball), V=1 for full
build output. Needs: linux-source-6.12 gcc-aarch64-linux-gnu make flex
bison bc libelf-dev libssl-dev dwarves (pahole) python3 (scripts/ci-deps.sh).
EOF
}

while [ $# -gt 0 ]; do
	case $1 in
	--print-dir) print_only=1 ;;
	--jobs) jobs=$2; shift ;;
	--flavour) flavour=$2; shift ;;
	--unpatched) unpatched=1 ;;
	--help|-h) usage; exit 0 ;;
	*) echo "kernel/build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done

say() { echo "==> $*" >&2; }
die() { echo "kernel/build.sh: $*" >&2; exit 1; }

patched=1
case $flavour in
test) fragments+=("$here/kvm-selftests.config") ;;
debug) fragments+=("$here/kvm-selftests.config" "$here/debug.config") ;;
bench) fragments+=("$here/bench.config") ;;
guest) fragments=("$here/guest.config"); patched=0 ;;
*) die "unknown flavour '$flavour' (test, bench, debug or guest)" ;;
esac

[ -r "$tarball" ] || die "$tarball not found: install Debian's linux-source-6.12 (scripts/ci-deps.sh does)"
command -v aarch64-linux-gnu-gcc >/dev/null || die "aarch64-linux-gnu-gcc not found: install gcc-aarch64-linux-gnu"
[ $patched = 0 ] || command -v pahole >/dev/null ||
	die "pahole not found: install dwarves (needed for CONFIG_DEBUG_INFO_BTF)"

src_version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %s-%Y "$tarball")
# Bump when the way the kernel is built changes (not for comments or output).
build_rev=1
[ $unpatched = 0 ] || [ $patched = 1 ] || die "--unpatched: the guest flavour is never patched"
# A baseline build names itself in .flavour, so that keeping the newest
# builds of a flavour counts patched and unpatched kernels apart.
flavour_tag=$flavour
[ $unpatched = 0 ] || flavour_tag=$flavour-unpatched
if [ $patched = 1 ] && [ $unpatched = 0 ]; then
	series=$(find "$patches_dir" -name '0*.patch' ! -name '0000-*' | sort)
	[ -n "$series" ] || die "no patches in $patches_dir"
	# The key covers what ends up in the kernel: not the cover letter.
	# shellcheck disable=SC2086
	key=$( { echo "$src_version rev $build_rev"; cat $series "${fragments[@]}"; } | sha256sum | cut -c1-16)
else
	series=
	key=$( { echo "$flavour_tag $src_version rev $build_rev"; cat "${fragments[@]}"; } | sha256sum | cut -c1-16)
fi
out=$cache/kernel/$key
# The "current" symlink names the patched kernel last built or reused; a
# kernel built before .flavour files existed learns its flavour when reused.
set_current() {
	[ -f "$out/.flavour" ] || echo "$flavour_tag" > "$out/.flavour"
	[ $patched = 0 ] || [ $unpatched = 1 ] || ln -sfn "$key" "$cache/kernel/current"
}

if [ $print_only = 1 ]; then
	echo "$out"
	[ -f "$out/Image" ]
	exit
fi

if [ -f "$out/Image" ] && [ -f "$out/.complete" ]; then
	say "$flavour_tag kernel $key is up to date (linux-source-6.12 $src_version)"
	set_current
	echo "$out"
	exit 0
fi

mkdir -p "$cache/kernel"
# One build at a time per cache: a second make waits for the first.
exec 9>"$cache/kernel/.lock"
if ! flock -n 9; then
	say "waiting for another kernel build in $cache/kernel"
	flock 9
fi
if [ -f "$out/Image" ] && [ -f "$out/.complete" ]; then
	set_current
	echo "$out"
	exit 0
fi
start=$(date +%s)

if [ ! -f "$out/.patched" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	say "unpacking linux-source-6.12 $src_version"
	tar -C "$out" -xf "$tarball"
	mv "$out/linux-source-6.12" "$out/src"

	for p in $series; do
		if ! patch -d "$out/src" -p1 --dry-run -s -f < "$p" >/dev/null; then
			patch -d "$out/src" -p1 --dry-run -f < "$p" >&2 || true
			die "$(basename "$p") does not apply to linux-source-6.12 $src_version; rebase the series (kernel/dev-tree.sh)"
		fi
		say "applying $(basename "$p")"
		patch -d "$out/src" -p1 -s -f < "$p"
	done
	touch "$out/.patched"
fi
echo "$flavour_tag" > "$out/.flavour"

make_k() {
	if [ "${V:-0}" = 1 ]; then
		make -C "$out/src" O="$out/build" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@"
	else
		make -s -C "$out/src" O="$out/build" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$@"
	fi
}

say "configuring: allnoconfig + $(for f in "${fragments[@]}"; do basename "$f"; done | paste -sd+)"
mkdir -p "$out/build"
make_k allnoconfig >/dev/null
(cd "$out/src" && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O "$out/build" \
	"$out/build/.config" "${fragments[@]}" >"$out/build/merge_config.log" 2>&1)
make_k olddefconfig >/dev/null

# Every option the fragments ask for (the last fragment wins) must survive
# olddefconfig: a silently dropped one (a renamed symbol, an unmet
# dependency) is a broken kernel. "=n" means: not set. An unpatched tree
# has no options of the series (CONFIG_KVM_SMCCC_BPF*).
missing=$(cat "${fragments[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' |
	{ if [ $unpatched = 1 ]; then grep -v '^CONFIG_KVM_SMCCC_BPF'; else cat; fi; } |
	awk -F= '{ v[$1] = $0 } END { for (k in v) print v[k] }' | sort |
	while IFS= read -r line; do
		case $line in
		*=n) ! grep -qE "^${line%=n}=[ym]" "$out/build/.config" || echo "  $line" ;;
		*) grep -qxF "$line" "$out/build/.config" || echo "  $line" ;;
		esac
	done)
[ -z "$missing" ] || die "config options requested but not set after olddefconfig:
$missing"

say "building arm64 Image with $jobs jobs (a clean build takes about 5 minutes on 2 cores)"
if ! make_k -j"$jobs" Image > "$out/build.log" 2>&1; then
	tail -40 "$out/build.log" >&2
	die "kernel build failed; full log: $out/build.log"
fi
grep -E ' warning: ' "$out/build.log" >&2 || true
cp "$out/build/arch/arm64/boot/Image" "$out/Image"
if [ "$flavour" = guest ]; then
	# Nothing is built from a guest's trees: keep the Image and its config.
	cp "$out/build/.config" "$out/config"
	rm -rf "$out/src" "$out/build"
fi
touch "$out/.complete"
set_current
say "$flavour_tag kernel built in $(( $(date +%s) - start )) s"

# Keep the cache bounded: the newest $keep kernels of this flavour stay (a
# build from before .flavour files counts as a test kernel), so building one
# flavour never evicts another's.
find "$cache/kernel" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn |
	cut -d' ' -f2- | while read -r dir; do
	f=$(cat "$dir/.flavour" 2>/dev/null || echo test)
	if [ "$f" = "$flavour_tag" ]; then echo "$dir"; fi
done | tail -n +$((keep + 1)) | while read -r old; do
	[ "$(basename "$old")" = "$key" ] || rm -rf "$old"
done

echo "$out"
