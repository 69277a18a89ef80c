#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# The instructions kvm_smccc_call_handler() executes for one SMCCC call in a
# VM with no SMCCC filter, no policy and every pseudo-firmware bitmap clear,
# counted by running the function's machine code from an arm64 object file
# (hypercalls.o) in the Unicorn CPU emulator. Run on the unpatched and on
# the patched object, it gives the exact cost of the series' no-policy path
# in the handler, which the in-guest round trip of make bench dilutes in
# about 1,600 instructions of exception entry and exit.
#
# The code runs as linked in the object, relocations unapplied: the static
# keys' branches are the NOPs they are while no key is on, and counting
# stops at the first call to another object file (kvm_psci_call() for PSCI
# functions) or at the handler's return.
#
#   handler_path.py [--json] OBJECT FUNC_ID...

import argparse
import json
import struct
import subprocess
import sys
import tempfile

from unicorn import Uc, UcError, UC_ARCH_ARM64, UC_MODE_ARM, UC_HOOK_CODE
from unicorn.arm64_const import (UC_ARM64_REG_LR, UC_ARM64_REG_SP,
                                 UC_ARM64_REG_X0)

FUNCTION = "kvm_smccc_call_handler"
# struct kvm_vcpu: kvm is the first member; the guest's x0 (the function
# ID) is vcpu->arch.ctxt.regs.regs[0], found from the function's own code.
TEXT, VCPU, KVM, STACK = 0x100000, 0x10000000, 0x20000000, 0x30000000
RET, BL_MASK, BL = 0xd65f03c0, 0xfc000000, 0x94000000
B_OR_BL_MASK, B_OR_BL = 0x7c000000, 0x14000000


def tool(name):
    return "aarch64-linux-gnu-" + name


def text_and_symbol(obj):
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run([tool("objcopy"), "-O", "binary", "--only-section=.text",
                        obj, out.name], check=True)
        text = open(out.name, "rb").read()
    nm = subprocess.run([tool("nm"), "-S", obj], check=True,
                        capture_output=True, text=True).stdout
    for line in nm.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] == FUNCTION and f[2] in "tT":
            return text, int(f[0], 16)
    sys.exit("handler_path.py: no %s in %s" % (FUNCTION, obj))


def regs0_offset(text, start):
    # The handler's first load from the vcpu pointer (x0, or a register it
    # was copied to) at a non-zero offset reads the guest's x0.
    vcpu = {0}
    for off in range(start, min(start + 256, len(text)), 4):
        insn = struct.unpack_from("<I", text, off)[0]
        if (insn & 0xffffffe0) == 0xaa0003e0:            # mov xd, x0
            vcpu.add(insn & 0x1f)
        elif ((insn & 0xffc00000) == 0xf9400000 and      # ldr xt, [xn, #imm]
              (insn >> 5) & 0x1f in vcpu and (insn >> 10) & 0xfff):
            return ((insn >> 10) & 0xfff) * 8
    sys.exit("handler_path.py: cannot find where %s reads the guest's x0"
             % FUNCTION)


def count(text, start, func_id):
    mu = Uc(UC_ARCH_ARM64, UC_MODE_ARM)
    mu.mem_map(TEXT, (len(text) + 0xfff) & ~0xfff)
    mu.mem_write(TEXT, text)
    for base in (VCPU, KVM, STACK):
        mu.mem_map(base, 0x100000)
    mu.mem_write(VCPU, struct.pack("<Q", KVM))
    mu.mem_write(VCPU + regs0_offset(text, start), struct.pack("<Q", func_id))
    mu.reg_write(UC_ARM64_REG_X0, VCPU)
    mu.reg_write(UC_ARM64_REG_SP, STACK + 0x80000)
    mu.reg_write(UC_ARM64_REG_LR, 0)
    st = {"insns": 0, "depth": 0, "end": None}

    def hook(uc, addr, size, data):
        off = addr - TEXT
        st["insns"] += 1
        insn = struct.unpack_from("<I", text, off)[0]
        if insn == RET:
            if st["depth"] == 0:
                st["end"] = "return"
                uc.emu_stop()
            st["depth"] -= 1
        elif (insn & B_OR_BL_MASK) == B_OR_BL and not insn & 0x03ffffff:
            # An unrelocated branch to another object file.
            st["end"] = "call out of the object"
            uc.emu_stop()
        elif (insn & BL_MASK) == BL:
            st["depth"] += 1

    mu.hook_add(UC_HOOK_CODE, hook)
    try:
        mu.emu_start(TEXT + start, TEXT + len(text))
    except UcError as e:
        sys.exit("handler_path.py: 0x%08x: %s" % (func_id, e))
    return st["insns"], st["end"]


def main():
    ap = argparse.ArgumentParser(description="Count the instructions %s() "
                                 "runs with no filter and no policy." % FUNCTION)
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("object", help="an arm64 hypercalls.o")
    ap.add_argument("func_id", nargs="+", help="SMCCC function IDs, e.g. 0x80000000")
    args = ap.parse_args()
    text, start = text_and_symbol(args.object)
    for f in args.func_id:
        func_id = int(f, 0)
        n, end = count(text, start, func_id)
        if args.json:
            print(json.dumps({"object": args.object, "func_id": "0x%08x" % func_id,
                              "instructions": n, "end": end}))
        else:
            print("0x%08x: %d instructions to the %s" % (func_id, n, end))


if __name__ == "__main__":
    main()
