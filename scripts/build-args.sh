# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the SRC OUT builders (build-bpf-tools.sh, build-kvm-selftests.sh):
# their shared helpers and options. Set PROG and define usage() first.
#   [-j N] [--force] [-h] SRC OUT  ->  JOBS, FORCE, SRC (absolute), OUT_ARG

die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "==> $*"; }

JOBS=$(nproc 2>/dev/null || echo 2)
FORCE=0
while [[ $# -gt 0 ]]; do
	case "$1" in
	-h|--help) usage; exit 0 ;;
	-j) [[ $# -ge 2 ]] || die "-j needs a number"; JOBS=$2; shift 2 ;;
	-j*) JOBS=${1#-j}; shift ;;
	--force) FORCE=1; shift ;;
	--) shift; break ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[[ $# -eq 2 ]] || { usage >&2; exit 2; }

SRC=$(cd "$1" 2>/dev/null && pwd) || die "source tree '$1' does not exist"
OUT_ARG=$2
