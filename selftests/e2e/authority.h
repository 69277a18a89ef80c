/* SPDX-License-Identifier: GPL-2.0 */
/* The end-to-end cases of authority.c: the VM fd is the authority. */
#ifndef __SMCCC_E2E_AUTHORITY_H
#define __SMCCC_E2E_AUTHORITY_H

#include "vmm.h"

void test_vm_fd_attach_unprivileged(enum vmm_conduit c);
void test_vm_fd_checks(enum vmm_conduit c);
void test_vm_fd_update_same_vm(enum vmm_conduit c);
void test_vm_fdinfo(enum vmm_conduit c);
void test_operator_pidfd_getfd(enum vmm_conduit c);

#endif
