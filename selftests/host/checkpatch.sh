#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every patch of the kernel series must be checkpatch.pl --strict clean.
# Usage: selftests/host/checkpatch.sh KSRC   (a tree that has scripts/checkpatch.pl)
set -uo pipefail
ksrc=${1:?usage: checkpatch.sh KSRC}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
passed=0 failed=0
for p in "$here"/kernel/patches/0*.patch; do
	case $(basename "$p") in 0000-*) continue ;; esac
	if out=$(perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree -q "$p" 2>&1) && [ -z "$out" ]; then
		echo "ok - checkpatch --strict $(basename "$p")"
		passed=$((passed + 1))
	else
		echo "not ok - checkpatch --strict $(basename "$p")"
		echo "$out" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
