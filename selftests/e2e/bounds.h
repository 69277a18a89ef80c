/* SPDX-License-Identifier: GPL-2.0 */
/* The end-to-end cases of bounds.c: what bounds a policy. */
#ifndef __SMCCC_E2E_BOUNDS_H
#define __SMCCC_E2E_BOUNDS_H

#include "vmm.h"

void test_fwd_needs_opt_in(enum vmm_conduit c);
void test_ceiling_filter(enum vmm_conduit c);
void test_ceiling_fw_regs(enum vmm_conduit c);
void test_ceiling_psci_0_1(enum vmm_conduit c);
void test_handled_hides_only(enum vmm_conduit c);
void test_arch_discovery_reserved(enum vmm_conduit c);
void test_args_narrowed_32bit(enum vmm_conduit c);
void test_destroyed_vm_detaches_link(enum vmm_conduit c);
void test_detach_waits_for_calls(enum vmm_conduit c);
void test_tracepoint(enum vmm_conduit c);

#endif
