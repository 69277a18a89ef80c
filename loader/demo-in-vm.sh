#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /test/run of the demo initramfs (started by the initramfs /init): runs
# the smccc-bpf demo. Its exit status becomes the VM's, so `make demo`
# fails when the demo saw anything unexpected.
cd /test || exit 1
echo
./demo
