#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The differential guest fuzzer alone in the test VM (make
# guest-fuzz-booted): its arguments come from /test/guest-fuzz.args.
cd /test || exit 1
args=$(cat guest-fuzz.args 2>/dev/null)
echo "== guest_fuzz $args"
# shellcheck disable=SC2086 # the arguments are words
./guest_fuzz $args
