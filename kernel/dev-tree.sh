#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# A git tree for working on the kernel series.
#
#   kernel/dev-tree.sh init [DIR]    unpack linux-source-6.12 into DIR, commit it
#                                    as the base (tag smccc-bpf-base), git am the series
#   kernel/dev-tree.sh export [DIR]  write DIR's commits since the base back to
#                                    kernel/patches, refreshing the cover letter's
#                                    shortlog and diffstat (its text is kept; the
#                                    version in its subject, "[PATCH v2 0/N]",
#                                    prefixes every patch)
#
# DIR defaults to $SMCCC_CACHE/dev/linux. Build it incrementally with
#   make -C DIR O=../build ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- -j2 Image
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${SMCCC_CACHE:-$HOME/.cache/smccc-bpf}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
cmd=${1:-}
dir=${2:-$cache/dev/linux}
base=smccc-bpf-base

die() { echo "dev-tree.sh: $*" >&2; exit 1; }

case $cmd in
init)
	[ ! -e "$dir" ] || die "$dir exists; remove it or name another directory"
	mkdir -p "$dir"
	tar -C "$dir" --strip-components=1 -xf "$tarball"
	cd "$dir"
	git init -q
	# Debian's tarball ignores everything at the top level (/*): add with -f.
	git add -f .
	git commit -qm "Linux $(make -s kernelversion) ($(dpkg-query -W -f='${Version}' linux-source-6.12))"
	git tag "$base"
	git am -q $(find "$here/patches" -name '0*.patch' ! -name '0000-*' | sort)
	git log --oneline "$base.." ;;
export)
	cd "$dir"
	git rev-parse -q --verify "$base" >/dev/null || die "$dir has no $base tag"
	# The series version is the cover letter's: "[PATCH v2 0/N]" -> "PATCH v2".
	prefix=$(sed -n 's/^Subject: \[\(PATCH[^]]*\) 0\/[0-9]*\].*/\1/p' "$here/patches/0000-cover-letter.patch")
	find "$here/patches" -name '0*.patch' ! -name '0000-*' -delete
	git format-patch -q --subject-prefix="${prefix:-PATCH}" -o "$here/patches" "$base"
	python3 - "$here/patches/0000-cover-letter.patch" "$base" <<'EOF'
import subprocess, sys
path, base = sys.argv[1], sys.argv[2]
text = open(path).read()
head = text[:text.index('\n\n', text.index('Changes since')) + 2]
n = subprocess.check_output(['git', 'rev-list', '--count', base + '..HEAD'], text=True).strip()
i = head.index(' 0/', head.index('Subject: [PATCH'))
head = head[:i] + ' 0/' + n + head[head.index(']', i):]
short = subprocess.check_output(['git', 'shortlog', base + '..HEAD'], text=True).rstrip('\n')
stat = subprocess.check_output(['git', 'diff', '--stat=72', base, 'HEAD'], text=True)
open(path, 'w').write(head + short + '\n\n' + stat + '\n-- \n2.39.5\n')
EOF
	ls "$here/patches" ;;
*)
	sed -n 's/^#   //p' "$0"
	[ "$cmd" = -h ] || [ "$cmd" = --help ] || exit 2 ;;
esac
