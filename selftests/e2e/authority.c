// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of who may attach a policy where (v2 of the series):
 * the VM fd is the authority. A process holding a VM fd attaches to that
 * VM, and only that one, without CAP_SYS_ADMIN; an operator takes a VMM's
 * VM fd with pidfd_getfd(); by-id and host-wide attaches need
 * CAP_SYS_ADMIN; the VM fd's fdinfo names the VM and its policies.
 *
 * "Unprivileged" here is root with CAP_SYS_ADMIN cleared from the effective
 * set around the attach: CAP_BPF and CAP_PERFMON stay, as the BPF core
 * requires them to create the struct_ops map and load its programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "authority.h"
#include "e2e_util.h"
#include "harness.h"
#include "policy.h"
#include "smccc_bpf.h"

static const uint64_t answer_a[4] = { 0x7e7 };
static const uint64_t answer_b[4] = { 0x7e8 };

/* Loads a policy for the VM of vm_fd answering func_id, and attaches it. */
static struct policy *attach_fd(int vm_fd, uint64_t vm_id, uint32_t func_id,
				const uint64_t ret[4], int *err)
{
	struct policy *p = policy_load_fd(vm_fd, vm_id, SMCCC_BPF_ACT_HANDLE);

	if (!p) {
		*err = -errno;
		return NULL;
	}
	*err = policy_rule(p, func_id, SMCCC_BPF_ACT_RETURN, ret);
	if (!*err)
		*err = policy_attach(p);
	if (*err) {
		policy_free(p);
		return NULL;
	}
	return p;
}

/* policy_attach()'s result for a by-id (or, with id 0, host-wide) policy. */
static int attach_by_id_err(uint64_t vm_id)
{
	struct policy *p = policy_load(vm_id, SMCCC_BPF_ACT_DENY);
	int err;

	if (!p)
		return -errno;
	err = policy_attach(p);
	policy_free(p);
	return err;
}

/*
 * A VMM without CAP_SYS_ADMIN attaches its own policy through its VM fd; it
 * reaches that VM only, cannot attach by id or host-wide, and cannot loosen
 * the operator's denying default.
 */
void test_vm_fd_attach_unprivileged(enum vmm_conduit c)
{
	struct policy *p = NULL, *g;
	struct vmm_vm *a, *b;
	uint64_t id_a, id_b;
	int err;

	a = new_vm(1, &id_a);
	b = new_vm(1, &id_b);
	ASSERT(a && b, "vm create: %s", strerror(errno));
	g = policy_load(SMCCC_BPF_VM_ID_GLOBAL, SMCCC_BPF_ACT_HANDLE);
	ASSERT(g, "load default: %s", strerror(errno));
	ASSERT_EQ(policy_rule(g, SIP_TEST_FN2, SMCCC_BPF_ACT_DENY, NULL), 0);
	ASSERT_EQ(policy_attach(g), 0);

	ASSERT_EQ(set_sys_admin(false), 0);
	p = attach_fd(vmm_vm_fd(a), 0, SIP_TEST_FN, answer_a, &err);
	EXPECT(p, "attach through the VM fd: %s", strerror(-err));
	if (p)
		EXPECT_EQ(policy_rule(p, SIP_TEST_FN2, SMCCC_BPF_ACT_RETURN, answer_b), 0);
	EXPECT_EQ(attach_by_id_err(id_b), -EPERM);
	EXPECT_EQ(attach_by_id_err(SMCCC_BPF_VM_ID_GLOBAL), -EPERM);
	ASSERT_EQ(set_sys_admin(true), 0);

	EXPECT_EQ(call_x0(a, c, SIP_TEST_FN), answer_a[0]);
	/* The default decides first: the VM's own RETURN does not loosen it. */
	EXPECT_EQ(call_x0(a, c, SIP_TEST_FN2), RET_NOT_SUPPORTED);
	EXPECT_EQ(call_x0(b, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	policy_free(p);
	policy_free(g);
	vmm_vm_destroy(a);
	vmm_vm_destroy(b);
}

/* What vm_fd and vm_id must be: a VM fd, and no other VM's id beside it. */
void test_vm_fd_checks(enum vmm_conduit c)
{
	struct vmm_vm *a, *b;
	uint64_t id_a, id_b;
	struct policy *p;
	int err, null_fd;

	a = new_vm(1, &id_a);
	b = new_vm(1, &id_b);
	ASSERT(a && b, "vm create: %s", strerror(errno));
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT(null_fd > 0, "open /dev/null: %s", strerror(errno));
	ASSERT_EQ(set_sys_admin(false), 0);

	EXPECT(!attach_fd(null_fd, 0, SIP_TEST_FN, answer_a, &err), "non-VM fd attached");
	EXPECT_EQ(err, -EINVAL);
	EXPECT(!attach_fd(1000, 0, SIP_TEST_FN, answer_a, &err), "closed fd attached");
	EXPECT_EQ(err, -EBADF);
	EXPECT(!attach_fd(-2, 0, SIP_TEST_FN, answer_a, &err), "negative fd attached");
	EXPECT_EQ(err, -EBADF);
	EXPECT(!attach_fd(vmm_vm_fd(a), id_b, SIP_TEST_FN, answer_a, &err),
	       "VM fd of one VM with the id of another attached");
	EXPECT_EQ(err, -EINVAL);
	p = attach_fd(vmm_vm_fd(a), id_a, SIP_TEST_FN, answer_a, &err);
	EXPECT(p, "VM fd with its own VM's id: %s", strerror(-err));
	ASSERT_EQ(set_sys_admin(true), 0);

	EXPECT_EQ(call_x0(a, c, SIP_TEST_FN), answer_a[0]);
	EXPECT_EQ(call_x0(b, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	policy_free(p);
	close(null_fd);
	vmm_vm_destroy(a);
	vmm_vm_destroy(b);
}

/* BPF_LINK_UPDATE keeps a link on its VM, under the same rules as attaching. */
void test_vm_fd_update_same_vm(enum vmm_conduit c)
{
	struct policy *p, *other, *same, *by_id;
	struct vmm_vm *a, *b;
	uint64_t id_a;
	int err;

	a = new_vm(1, &id_a);
	b = new_vm(1, NULL);
	ASSERT(a && b, "vm create: %s", strerror(errno));
	ASSERT_EQ(set_sys_admin(false), 0);
	p = attach_fd(vmm_vm_fd(a), 0, SIP_TEST_FN, answer_a, &err);
	other = policy_load_fd(vmm_vm_fd(b), 0, SMCCC_BPF_ACT_DENY);
	same = policy_load_fd(vmm_vm_fd(a), 0, SMCCC_BPF_ACT_HANDLE);
	by_id = policy_load(id_a, SMCCC_BPF_ACT_DENY);
	if (!p || !other || !same || !by_id) {
		set_sys_admin(true);
		ASSERT(0, "load/attach: %s", strerror(p ? errno : -err));
	}
	EXPECT_EQ(policy_rule(same, SIP_TEST_FN, SMCCC_BPF_ACT_RETURN, answer_b), 0);

	EXPECT_EQ(policy_replace(p, other), -EINVAL);
	EXPECT_EQ(policy_replace(p, by_id), -EPERM);
	EXPECT_EQ(policy_replace(p, same), 0);
	ASSERT_EQ(set_sys_admin(true), 0);

	EXPECT_EQ(call_x0(a, c, SIP_TEST_FN), answer_b[0]);
	EXPECT_EQ(call_x0(b, c, SIP_TEST_FN), RET_NOT_SUPPORTED);
	policy_free(p);
	policy_free(other);
	policy_free(same);
	policy_free(by_id);
	vmm_vm_destroy(a);
	vmm_vm_destroy(b);
}

/* "<map id> <map name>" of the policy's struct_ops map, as fdinfo shows it. */
static void map_desc(struct policy *p, char *buf, size_t len)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);

	buf[0] = '\0';
	if (!bpf_map_get_info_by_fd(bpf_map__fd(p->skel->maps.test_policy), &info, &info_len))
		snprintf(buf, len, "%u %s", info.id, info.name);
}

static bool fdinfo_is(int fd, const char *key, const char *want)
{
	char val[128];

	if (read_fdinfo(getpid(), fd, key, val, sizeof(val)))
		return want == NULL;
	return want && !strcmp(val, want);
}

/* The VM fd's fdinfo: the VM's id and which policies decide it. */
void test_vm_fdinfo(enum vmm_conduit c)
{
	char id_text[32], p_desc[64], g_desc[64];
	struct policy *p, *g;
	struct vmm_vm *vm;
	uint64_t id;
	int fd;

	(void)c;
	vm = new_vm(1, &id);
	ASSERT(vm, "vm create: %s", strerror(errno));
	fd = vmm_vm_fd(vm);
	snprintf(id_text, sizeof(id_text), "%llu", (unsigned long long)id);
	EXPECT(fdinfo_is(fd, "smccc_bpf_vm_id", id_text), "vm id is not %s", id_text);
	EXPECT(fdinfo_is(fd, "smccc_bpf_policy", "none"), "policy not none");
	EXPECT(fdinfo_is(fd, "smccc_bpf_vm_policy", NULL), "vm policy line without one");

	p = policy_load_fd(fd, 0, SMCCC_BPF_ACT_HANDLE);
	g = policy_load(SMCCC_BPF_VM_ID_GLOBAL, SMCCC_BPF_ACT_HANDLE);
	ASSERT(p && g, "load: %s", strerror(errno));
	ASSERT_EQ(policy_attach(p), 0);
	map_desc(p, p_desc, sizeof(p_desc));
	map_desc(g, g_desc, sizeof(g_desc));
	EXPECT(fdinfo_is(fd, "smccc_bpf_policy", "vm"), "policy not vm");
	EXPECT(fdinfo_is(fd, "smccc_bpf_vm_policy", p_desc), "vm policy not '%s'", p_desc);
	EXPECT(fdinfo_is(fd, "smccc_bpf_default_policy", NULL), "default line without one");

	ASSERT_EQ(policy_attach(g), 0);
	EXPECT(fdinfo_is(fd, "smccc_bpf_policy", "default+vm"), "policy not default+vm");
	EXPECT(fdinfo_is(fd, "smccc_bpf_default_policy", g_desc), "default not '%s'", g_desc);
	policy_free(p);
	EXPECT(fdinfo_is(fd, "smccc_bpf_policy", "default"), "policy not default");
	EXPECT(fdinfo_is(fd, "smccc_bpf_vm_policy", NULL), "vm policy line after detach");
	policy_free(g);
	EXPECT(fdinfo_is(fd, "smccc_bpf_policy", "none"), "policy not none after detach");
	vmm_vm_destroy(vm);
}

/* The VMM of test_operator_pidfd_getfd: makes one call when told to. */
static int vmm_child(enum vmm_conduit c, int to_parent, int from_parent)
{
	struct vmm_vm *vm = new_vm(1, NULL);
	uint64_t x0;
	int fd;
	char go;

	if (!vm)
		return 1;
	fd = vmm_vm_fd(vm);
	if (write(to_parent, &fd, sizeof(fd)) != sizeof(fd) ||
	    read(from_parent, &go, 1) != 1)
		return 2;
	x0 = call_x0(vm, c, SIP_TEST_FN);
	if (write(to_parent, &x0, sizeof(x0)) != sizeof(x0))
		return 3;
	vmm_vm_destroy(vm);
	return 0;
}

/*
 * An operator reaches another process's VM through Linux's own authority:
 * pidfd_getfd() (ptrace-attach rights on the VMM), then the VM fd as above.
 */
void test_operator_pidfd_getfd(enum vmm_conduit c)
{
	int up[2], down[2], pidfd = -1, fd = -1, remote_fd, err, st;
	char theirs[32], ours[32];
	struct policy *p = NULL;
	uint64_t x0 = 0;
	pid_t pid;

	ASSERT(!pipe2(up, O_CLOEXEC) && !pipe2(down, O_CLOEXEC), "pipe: %s", strerror(errno));
	pid = fork();
	ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(vmm_child(c, up[1], down[0]));
	close(up[1]);
	close(down[0]);
	if (read(up[0], &remote_fd, sizeof(remote_fd)) != sizeof(remote_fd)) {
		EXPECT(0, "the VMM child did not start");
		goto out;
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	fd = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, remote_fd, 0);
	if (fd < 0) {
		EXPECT(0, "pidfd_getfd: %s", strerror(errno));
		goto out;
	}
	EXPECT(!read_fdinfo(pid, remote_fd, "smccc_bpf_vm_id", theirs, sizeof(theirs)) &&
	       !read_fdinfo(getpid(), fd, "smccc_bpf_vm_id", ours, sizeof(ours)) &&
	       !strcmp(theirs, ours), "the fd taken is not the VMM's VM");

	ASSERT_EQ(set_sys_admin(false), 0);
	p = attach_fd(fd, 0, SIP_TEST_FN, answer_a, &err);
	ASSERT_EQ(set_sys_admin(true), 0);
	EXPECT(p, "attach through the taken fd: %s", strerror(-err));
	/* The link alone must not keep the VM: drop our copy of its fd now. */
	close(fd);
	fd = -1;
	if (write(down[1], "g", 1) != 1 || read(up[0], &x0, sizeof(x0)) != sizeof(x0))
		EXPECT(0, "no answer from the VMM child");
	else
		EXPECT_EQ(x0, answer_a[0]);
out:
	close(down[1]);
	EXPECT(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
	       "VMM child failed (status 0x%x)", st);
	policy_free(p);
	if (fd >= 0)
		close(fd);
	if (pidfd >= 0)
		close(pidfd);
	close(up[0]);
}
