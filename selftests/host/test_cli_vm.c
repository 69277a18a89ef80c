// SPDX-License-Identifier: GPL-2.0
/*
 * The VMs of the smccc-bpf CLI on the host (loader/cli_vm.c): the parser
 * of a VM fd's smccc_bpf_ fdinfo lines, the scan of a fake /proc
 * (SMCCC_BPF_PROC: pid directories with fd/N symlinks and fdinfo/N files
 * made here), 'vm list' over it, and --pid/--vm resolved through it. What
 * needs a real VM fd (pidfd_getfd() of a VMM's fd, attaching through it)
 * is selftests/e2e/cli-in-vm.sh's; here, the VM's id and fd are checked
 * to land in the generic program's struct_ops value before load. Links
 * libsmccc-cli.a.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <cmocka.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_pins.h"
#include "cli_vm.h"
#include "policy_compile.h"
#include "policy_maps.h"
#include "cli_run.h"

static char tmpdir[] = "/tmp/test_cli_vm.XXXXXX";
static char proc[4200];
static char pathbuf[8400];

static const char *tmp(const char *name)
{
	snprintf(pathbuf, sizeof(pathbuf), "%s/%s", tmpdir, name);
	return pathbuf;
}

/* What precedes the smccc_bpf_ lines in a VM fd's fdinfo. */
#define FDINFO_HEAD	"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n"

/* proc/PID/{fd,fdinfo}/ and proc/PID/comm. */
static void fake_pid(const char *root, int pid, const char *comm)
{
	char path[8400];

	snprintf(path, sizeof(path), "%s/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/fd", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%d/fdinfo", root, pid);
	mkdir(path, 0755);
	if (comm) {
		snprintf(path, sizeof(path), "%s/%d/comm", root, pid);
		write_file(path, comm);
	}
}

/* fd N of pid, a symlink to link (dangling, as /proc's are), with its fdinfo. */
static void fake_fd(const char *root, int pid, int fd, const char *link, const char *fdinfo)
{
	char path[8400];

	snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, fd);
	assert_int_equal(symlink(link, path), 0);
	snprintf(path, sizeof(path), "%s/%d/fdinfo/%d", root, pid, fd);
	write_file(path, fdinfo ? fdinfo : FDINFO_HEAD);
}

static void fake_vm(const char *root, int pid, int fd, const char *lines)
{
	char text[1024];

	snprintf(text, sizeof(text), FDINFO_HEAD "%s", lines);
	fake_fd(root, pid, fd, CLI_VM_LINK, text);
}

/*
 * The host of the scan tests:
 *   pid 100 "vmm-a": fd 3 VM 7, fd 4 /dev/null, fd 5 a vCPU fd
 *   pid 150 "vmm-c": fd 6 VM 12 (shared with pid 200)
 *   pid 200 "vmm-b": fd 10 VM 12, fd 13 VM 20 (two VMs)
 *   pid 300 "child": fd 11 VM 7 (a fork of 100's)
 *   pid 400: fd 2 a VM fd with garbage in its fdinfo
 *   pid 600 "tool": fd 0 /dev/null, no VM
 *   "self", "sys": not processes
 */
static int setup_all(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(proc, sizeof(proc), "%s/proc", tmpdir);
	mkdir(proc, 0755);
	fake_pid(proc, 100, "vmm-a\n");
	fake_vm(proc, 100, 3, "smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tnone\n");
	fake_fd(proc, 100, 4, "/dev/null", NULL);
	fake_fd(proc, 100, 5, "anon_inode:kvm-vcpu:0", NULL);
	fake_pid(proc, 150, "vmm-c\n");
	fake_vm(proc, 150, 6, "smccc_bpf_vm_id:\t12\nsmccc_bpf_policy:\tdefault+vm\n"
		"smccc_bpf_default_policy:\t3 deny_psci\nsmccc_bpf_vm_policy:\t14 permissive\n");
	fake_pid(proc, 200, "vmm-b\n");
	fake_vm(proc, 200, 10, "smccc_bpf_vm_id:\t12\nsmccc_bpf_policy:\tdefault+vm\n"
		"smccc_bpf_default_policy:\t3 deny_psci\nsmccc_bpf_vm_policy:\t14 permissive\n");
	fake_vm(proc, 200, 13, "smccc_bpf_vm_id:\t20\nsmccc_bpf_policy:\tdefault\n"
		"smccc_bpf_default_policy:\t3 deny_psci\n");
	fake_pid(proc, 300, "child\n");
	fake_vm(proc, 300, 11, "smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tnone\n");
	fake_pid(proc, 400, NULL);
	fake_vm(proc, 400, 2, "smccc_bpf_vm_id:\tseven\nsmccc_bpf_policy:\tnone\n");
	fake_pid(proc, 600, "tool\n");
	fake_fd(proc, 600, 0, "/dev/null", NULL);
	mkdir(tmp("proc/self"), 0755);
	mkdir(tmp("proc/sys"), 0755);

	setenv("SMCCC_BPF_PROC", proc, 1);
	setenv("SMCCC_BPF_PIN_ROOT", tmp("pins"), 1);
	setenv("SMCCC_BPF_VMLINUX_BTF", tmp("no-btf"), 1);
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	return run_teardown(tmpdir);
}

/* After a test that points SMCCC_BPF_PROC elsewhere, even if it failed half-way. */
static int restore_proc(void **state)
{
	(void)state;
	return setenv("SMCCC_BPF_PROC", proc, 1);
}

/* ---- the fdinfo parser ------------------------------------------------------------ */

static int parse(const char *lines, struct cli_vm *vm)
{
	char text[1024];

	memset(vm, 0x5a, sizeof(*vm));	/* what the parser must not rely on */
	snprintf(text, sizeof(text), FDINFO_HEAD "%s", lines);
	return cli_vm_parse_fdinfo(text, vm);
}

static void test_fdinfo_policies(void **state)
{
	struct cli_vm vm;

	(void)state;
	/* none: no map lines */
	assert_int_equal(parse("smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tnone\n", &vm), 0);
	assert_int_equal(vm.vm_id, 7);
	assert_string_equal(vm.policy, "none");
	assert_int_equal(vm.vm_map_id, 0);
	assert_string_equal(vm.vm_name, "");
	assert_int_equal(vm.default_map_id, 0);
	assert_string_equal(vm.default_name, "");

	/* vm: its own map */
	assert_int_equal(parse("smccc_bpf_vm_id:\t8\nsmccc_bpf_policy:\tvm\n"
			       "smccc_bpf_vm_policy:\t12 permissive\n", &vm), 0);
	assert_int_equal(vm.vm_id, 8);
	assert_string_equal(vm.policy, "vm");
	assert_int_equal(vm.vm_map_id, 12);
	assert_string_equal(vm.vm_name, "permissive");
	assert_int_equal(vm.default_map_id, 0);

	/* default: the host-wide default's map */
	assert_int_equal(parse("smccc_bpf_vm_id:\t9\nsmccc_bpf_policy:\tdefault\n"
			       "smccc_bpf_default_policy:\t3 deny_psci\n", &vm), 0);
	assert_string_equal(vm.policy, "default");
	assert_int_equal(vm.default_map_id, 3);
	assert_string_equal(vm.default_name, "deny_psci");
	assert_int_equal(vm.vm_map_id, 0);

	/* default+vm, in either order, a name with a dot, the last line unterminated */
	assert_int_equal(parse("smccc_bpf_vm_policy:\t4294967295 a.b_C9\n"
			       "smccc_bpf_policy:\tdefault+vm\n"
			       "smccc_bpf_default_policy:\t3 deny_psci\n"
			       "smccc_bpf_vm_id:\t18446744073709551615", &vm), 0);
	assert_string_equal(vm.policy, "default+vm");
	assert_int_equal(vm.vm_id, UINT64_MAX);
	assert_int_equal(vm.vm_map_id, UINT32_MAX);
	assert_string_equal(vm.vm_name, "a.b_C9");
	assert_int_equal(vm.default_map_id, 3);

	/* spaces for the tab, a map without a name, a line of a later kernel */
	assert_int_equal(parse("smccc_bpf_vm_id: 5  \nsmccc_bpf_policy:  vm\n"
			       "smccc_bpf_vm_policy:\t6\nsmccc_bpf_future:\twhatever\n", &vm), 0);
	assert_int_equal(vm.vm_id, 5);
	assert_string_equal(vm.policy, "vm");
	assert_int_equal(vm.vm_map_id, 6);
	assert_string_equal(vm.vm_name, "");
}

static void test_fdinfo_without_series(void **state)
{
	struct cli_vm vm;

	(void)state;
	/* a kernel without the series: the usual lines only */
	assert_int_equal(cli_vm_parse_fdinfo(FDINFO_HEAD, &vm), -ENODATA);
	assert_int_equal(cli_vm_parse_fdinfo("", &vm), -ENODATA);
	/* a long line that is not ours is skipped, not an error */
	assert_int_equal(parse("eventfd-count:\t"
			       "0000000000000000000000000000000000000000000000000000000000000000"
			       "0000000000000000000000000000000000000000000000000000000000000000"
			       "0000000000000000000000000000000000000000000000000000000000000000"
			       "0000000000000000000000000000000000000000000000000000000000000000\n",
			       &vm), -ENODATA);
	assert_int_equal(parse("xsmccc_bpf_vm_id:\t7\n", &vm), -ENODATA);
}

static void test_fdinfo_garbage(void **state)
{
	static const char *const bad[] = {
		"smccc_bpf_vm_id:\t7\n",				/* no policy line */
		"smccc_bpf_policy:\tnone\n",				/* no VM id */
		"smccc_bpf_vm_id:\t0\nsmccc_bpf_policy:\tnone\n",	/* 0 is the default's */
		"smccc_bpf_vm_id:\tseven\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t-7\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t7x\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id 7\nsmccc_bpf_policy:\tnone\n",		/* no colon */
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tmaybe\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm+default\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\tpermissive\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t0 x\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t4294967296 x\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t12x\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t12 a-b\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t12 a b\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\n"
		"smccc_bpf_vm_policy:\t12 sixteen_chars_xx\n",		/* longer than BPF names */
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tdefault\n"
		"smccc_bpf_default_policy:\t\n",
		/* not what the kernel writes ("%llu", "%u %s"): not ours to guess at */
		"smccc_bpf_vm_id:\t07\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t0x7\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t+7\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t7 7\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t18446744073709551616\nsmccc_bpf_policy:\tnone\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t012 x\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t+12 x\n",
		"smccc_bpf_vm_id:\t7\nsmccc_bpf_policy:\tvm\nsmccc_bpf_vm_policy:\t0x12 x\n",
	};
	struct cli_vm vm;
	char longline[400];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse(bad[i], &vm) != -EINVAL)
			fail_msg("accepted:\n%s", bad[i]);
	/* one of ours too long for any sane value */
	memset(longline, '7', sizeof(longline));
	memcpy(longline, "smccc_bpf_vm_id:\t", 17);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(parse(longline, &vm), -EINVAL);
}

/* ---- the scan ------------------------------------------------------------------------ */

static void test_scan_all(void **state)
{
	struct cli_vms vms;
	const struct cli_vm *vm;
	bool alive;

	(void)state;
	assert_int_equal(cli_vm_scan(proc, 0, &vms), 0);
	/* VM 7 (pids 100, 300), 12 (150, 200), 20; 400's garbage is not a VM */
	assert_int_equal(vms.n, 3);
	assert_int_equal(vms.unreadable, 0);
	assert_int_equal(vms.without, 0);
	assert_int_equal(vms.vm[0].vm_id, 7);
	assert_int_equal(vms.vm[1].vm_id, 12);
	assert_int_equal(vms.vm[2].vm_id, 20);

	/* shared VMs: once, with the lowest pid, whatever the order of readdir() */
	vm = cli_vms_find(&vms, 7);
	assert_non_null(vm);
	assert_int_equal(vm->pid, 100);
	assert_int_equal(vm->fd, 3);
	assert_string_equal(vm->comm, "vmm-a");
	assert_string_equal(vm->policy, "none");
	vm = cli_vms_find(&vms, 12);
	assert_non_null(vm);
	assert_int_equal(vm->pid, 150);
	assert_int_equal(vm->fd, 6);
	assert_string_equal(vm->comm, "vmm-c");
	assert_string_equal(vm->policy, "default+vm");
	assert_int_equal(vm->vm_map_id, 14);
	assert_string_equal(vm->vm_name, "permissive");
	assert_int_equal(vm->default_map_id, 3);
	assert_string_equal(vm->default_name, "deny_psci");
	vm = cli_vms_find(&vms, 20);
	assert_non_null(vm);
	assert_int_equal(vm->pid, 200);
	assert_int_equal(vm->fd, 13);
	assert_null(cli_vms_find(&vms, 8));

	/* every process was readable: a VM not found is gone */
	assert_true(cli_vms_knows(&vms, 12, &alive));
	assert_true(alive);
	assert_true(cli_vms_knows(&vms, 99, &alive));
	assert_false(alive);
	/* ... but not if some could not be read: it may be theirs */
	vms.unreadable = 1;
	assert_false(cli_vms_knows(&vms, 99, &alive));
	assert_true(cli_vms_knows(&vms, 7, &alive));
	assert_true(alive);
	cli_vms_free(&vms);
	assert_null(vms.vm);
	assert_int_equal(vms.n, 0);
}

static void test_scan_pid(void **state)
{
	struct cli_vms vms;

	(void)state;
	/* one process: its own fds, so a shared VM has this pid */
	assert_int_equal(cli_vm_scan(proc, 200, &vms), 0);
	assert_int_equal(vms.n, 2);
	assert_int_equal(vms.vm[0].vm_id, 12);
	assert_int_equal(vms.vm[0].pid, 200);
	assert_int_equal(vms.vm[0].fd, 10);
	assert_int_equal(vms.vm[1].vm_id, 20);
	cli_vms_free(&vms);
	assert_int_equal(cli_vm_scan(proc, 600, &vms), 0);
	assert_int_equal(vms.n, 0);
	cli_vms_free(&vms);
	assert_int_equal(cli_vm_scan(proc, 999, &vms), -ESRCH);
	cli_vms_free(&vms);
	assert_int_equal(cli_vm_scan(tmp("no-proc"), 0, &vms), -ENOENT);
	cli_vms_free(&vms);
}

/* VM fds whose fdinfo has no smccc_bpf_ lines: a kernel without the series. */
static void test_scan_without_series(void **state)
{
	char old[4300];
	struct cli_vms vms;

	(void)state;
	snprintf(old, sizeof(old), "%s/proc-old", tmpdir);
	mkdir(old, 0755);
	fake_pid(old, 10, "qemu\n");
	fake_fd(old, 10, 7, CLI_VM_LINK, FDINFO_HEAD);
	fake_fd(old, 10, 8, CLI_VM_LINK, FDINFO_HEAD);
	assert_int_equal(cli_vm_scan(old, 0, &vms), 0);
	assert_int_equal(vms.n, 0);
	assert_int_equal(vms.without, 2);
	cli_vms_free(&vms);

	setenv("SMCCC_BPF_PROC", old, 1);
	assert_int_equal(run("vm", "list", NULL), CLI_EXIT_SYSTEM);
	assert_contains(R.err, "kernel without smccc-bpf VM fdinfo");
	assert_contains(R.err, "hint: boot a kernel built from kernel/patches");
	assert_int_equal(run("policy", "show", "--pid", "10", NULL), CLI_EXIT_SYSTEM);
	assert_contains(R.err, "kernel without smccc-bpf VM fdinfo");
	setenv("SMCCC_BPF_PROC", proc, 1);
}

/*
 * Root's CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in the effective set,
 * on or off: without them mode 000 directories are unreadable to root too.
 */
static void dac_caps(bool on)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	__u32 bits = 1u << CAP_DAC_OVERRIDE | 1u << CAP_DAC_READ_SEARCH;

	assert_int_equal(syscall(SYS_capget, &hdr, data), 0);
	data[0].effective = on ? data[0].effective | (data[0].permitted & bits) :
			    data[0].effective & ~bits;
	assert_int_equal(syscall(SYS_capset, &hdr, data), 0);
}

/* Unreadable fds: counted, and named in the warning. */
static void test_scan_unreadable(void **state)
{
	char dir[4300];
	struct cli_vms vms;

	(void)state;
	dac_caps(false);
	fake_pid(proc, 700, "secret\n");
	snprintf(dir, sizeof(dir), "%s/700/fd", proc);
	chmod(dir, 0);
	assert_int_equal(cli_vm_scan(proc, 0, &vms), 0);
	assert_int_equal(vms.unreadable, 1);
	cli_vms_free(&vms);
	assert_int_equal(run("vm", "list", NULL), CLI_EXIT_OK);
	assert_contains(R.err, "the fds of 1 process cannot be read");
	assert_int_equal(run("policy", "show", "--pid", "700", NULL), CLI_EXIT_PERM);
	assert_contains(R.err, "cannot read");
	assert_contains(R.err, "/700/fd: Permission denied");
	chmod(dir, 0755);
	dac_caps(true);
}

/* ---- vm list ------------------------------------------------------------------------- */

static void test_vm_list(void **state)
{
	(void)state;
	assert_int_equal(run("vm", "list", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out,
		"VM     PID      FD   COMM             POLICY      MAP                  PINNED\n"
		"7      100      3    vmm-a            none        -                    -\n"
		"12     150      6    vmm-c            default+vm  14:permissive        -\n"
		"20     200      13   vmm-b            default     -                    -\n"
		"host-wide default: map 3:deny_psci\n");
	/* "vm" alone is "vm list" */
	assert_int_equal(run("vm", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "12     150      6    vmm-c");

	assert_int_equal(run("-j", "vm", "list", NULL), CLI_EXIT_OK);
	assert_contains(R.out, "[{\"vm_id\":7,\"pid\":100,\"comm\":\"vmm-a\",\"policy\":\"none\","
			"\"pinned\":null,\"fd\":3,\"fdinfo\":\"");
	assert_contains(R.out, "/proc/100/fdinfo/3\",\"vm_map_id\":null,\"vm_name\":null,"
			"\"default_map_id\":null,\"default_name\":null}");
	assert_contains(R.out, "{\"vm_id\":12,\"pid\":150,\"comm\":\"vmm-c\",\"policy\":"
			"\"default+vm\",\"pinned\":null,\"fd\":6,");
	assert_contains(R.out, "\"vm_map_id\":14,\"vm_name\":\"permissive\",\"default_map_id\":3,"
			"\"default_name\":\"deny_psci\"}");
	assert_not_contains(R.out, "debugfs");

	assert_int_equal(run("vm", "list", "--vm", "7", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("vm", "list", "7", NULL), CLI_EXIT_USAGE);
}

static void test_vm_list_empty(void **state)
{
	(void)state;
	mkdir(tmp("proc-empty"), 0755);
	setenv("SMCCC_BPF_PROC", tmp("proc-empty"), 1);
	assert_int_equal(run("vm", "list", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "");
	assert_contains(R.err, "no VMs");
	assert_int_equal(run("-j", "vm", "list", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "[]\n");
	/* no /proc at all */
	setenv("SMCCC_BPF_PROC", tmp("no-proc"), 1);
	assert_int_equal(run("vm", "list", NULL), CLI_EXIT_SYSTEM);
	assert_contains(R.err, "mount -t proc proc /proc");
	setenv("SMCCC_BPF_PROC", proc, 1);
}

/*
 * A VMM names itself (prctl(PR_SET_NAME)): its comm is untrusted. In text
 * it comes out escaped, in JSON as it is (a cut character as U+FFFD).
 */
static void test_vm_list_untrusted_comm(void **state)
{
	struct json_value *v;
	struct json_error e;
	char evil[4300];

	(void)state;
	snprintf(evil, sizeof(evil), "%s/proc-evil", tmpdir);
	mkdir(evil, 0755);
	fake_pid(evil, 700, "\x1b]0;owned\x07vm\xc2\x9b\xe2\x80\xae\n");
	fake_vm(evil, 700, 3, "smccc_bpf_vm_id:\t5\nsmccc_bpf_policy:\tnone\n");
	fake_pid(evil, 701, "vmm-\xc3\n");	/* the kernel cut it at 15 bytes */
	fake_vm(evil, 701, 4, "smccc_bpf_vm_id:\t6\nsmccc_bpf_policy:\tnone\n");
	setenv("SMCCC_BPF_PROC", evil, 1);

	assert_int_equal(run("vm", "list", NULL), CLI_EXIT_OK);
	assert_terminal_safe(R.out, false);
	assert_contains(R.out, "5      700      3    \\x1b]0;owned\\x07vm\\xc2\\x9b\\u202e none");
	assert_contains(R.out, "6      701      4    vmm-\\xc3");

	assert_int_equal(run("-j", "vm", "list", NULL), CLI_EXIT_OK);
	assert_int_equal(json_parse(R.out, strlen(R.out), &v, &e), 0);
	assert_int_equal(v->n, 2);
	assert_string_equal(json_get(&v->items[0], "comm")->str,
			    "\x1b]0;owned\x07vm\xc2\x9b\xe2\x80\xae");
	assert_string_equal(json_get(&v->items[1], "comm")->str, "vmm-\xef\xbf\xbd");
	json_free(v);

	/* in messages too */
	assert_int_equal(run("policy", "show", "--pid", "700", "--vm", "9", NULL), CLI_EXIT_NOENT);
	assert_terminal_safe(R.err, false);
	assert_contains(R.err, "process 700 (\\x1b]0;owned\\x07vm");
}

/*
 * Many fds of one VM and many VMs: one entry per VM, the lowest (pid, fd),
 * sorted (the scan sorts and merges, it does not compare pairwise).
 */
static void test_scan_many_fds(void **state)
{
	char many[4300], lines[128];
	const struct cli_vm *vm;
	struct cli_vms vms;
	int fd;

	(void)state;
	snprintf(many, sizeof(many), "%s/proc-many", tmpdir);
	mkdir(many, 0755);
	fake_pid(many, 801, "late\n");
	fake_vm(many, 801, 3, "smccc_bpf_vm_id:\t9\nsmccc_bpf_policy:\tnone\n");
	fake_pid(many, 800, "dup\n");
	for (fd = 10; fd < 50; fd++)
		fake_vm(many, 800, fd, "smccc_bpf_vm_id:\t9\nsmccc_bpf_policy:\tnone\n");
	for (fd = 50; fd < 62; fd++) {
		snprintf(lines, sizeof(lines), "smccc_bpf_vm_id:\t%d\nsmccc_bpf_policy:\tnone\n",
			 161 - fd);	/* 111 down to 100 */
		fake_vm(many, 800, fd, lines);
	}
	assert_int_equal(cli_vm_scan(many, 0, &vms), 0);
	assert_int_equal(vms.n, 13);
	assert_int_equal(vms.vm[0].vm_id, 9);
	assert_int_equal(vms.vm[0].pid, 800);
	assert_int_equal(vms.vm[0].fd, 10);
	for (fd = 1; fd < 13; fd++)
		assert_int_equal(vms.vm[fd].vm_id, 99 + fd);
	vm = cli_vms_find(&vms, 105);
	assert_non_null(vm);
	assert_int_equal(vm->fd, 56);
	assert_null(cli_vms_find(&vms, 10));
	assert_null(cli_vms_find(&vms, 112));
	cli_vms_free(&vms);
}

/* The pin store lists only the directory names it makes: vm-ID in decimal, global. */
static void test_pin_names(void **state)
{
	static const char *const dirs[] = {
		"global", "vm-5", "vm- 5", "vm-05", "vm-+5", "vm-0x5", "vm-0", "vm-", "vm-5x",
		"vm-18446744073709551616", "vm-12",
	};
	struct cli_target *t;
	char root[4300], path[4400];
	size_t i, n;

	(void)state;
	snprintf(root, sizeof(root), "%s/pin-names", tmpdir);
	mkdir(root, 0700);
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/%s/link", root, dirs[i]);
		write_file(path, "");
	}
	assert_int_equal(pins_list(root, &t, &n), 0);
	assert_int_equal(n, 3);
	assert_true(t[0].global);
	assert_int_equal(t[1].vm_id, 5);
	assert_int_equal(t[2].vm_id, 12);
	free(t);
}

/* ---- targets -------------------------------------------------------------------------- */

static void test_pid_target(void **state)
{
	(void)state;
	/* --pid PID is that VMM's VM: show, stats and events key on its id */
	assert_int_equal(run("policy", "show", "--pid", "100", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "no policy attached to VM 7 by smccc-bpf");
	/* a VM shared with a child: the child's pid names it too */
	assert_int_equal(run("policy", "show", "--pid", "300", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "no policy attached to VM 7 ");
	assert_int_equal(run("-j", "stats", "--pid", "150", NULL), CLI_EXIT_OK);
	assert_string_equal(R.out, "{\"policies\":[],\"entries\":[]}\n");

	/* several VMs: which one? */
	assert_int_equal(run("policy", "show", "--pid", "200", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "process 200 (vmm-b) holds 2 VMs, ids 12, 20; which one?");
	assert_contains(R.err, "hint: pick one: --pid 200 --vm ID");
	assert_int_equal(run("policy", "show", "--pid", "200", "--vm", "20", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "no policy attached to VM 20 ");
	assert_int_equal(run("policy", "show", "--vm", "12", "--pid", "200", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "no policy attached to VM 12 ");
	assert_int_equal(run("policy", "show", "--pid", "200", "--vm", "7", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "process 200 (vmm-b) holds no VM with id 7; it holds 12, 20");

	/* no VM, no process */
	assert_int_equal(run("policy", "show", "--pid", "600", NULL), CLI_EXIT_NOENT);
	assert_contains(R.err, "process 600 (tool) holds no KVM VM");
	assert_contains(R.err, "is anon_inode:kvm-vm");
	assert_int_equal(run("-j", "policy", "detach", "--pid", "999", NULL), CLI_EXIT_NOENT);
	assert_contains(R.out, "{\"error\":\"no process with pid 999\",\"hint\":\"see "
			"'smccc-bpf vm list'\",\"exit\":4}");

	/* usage */
	assert_int_equal(run("policy", "show", "--pid", "0", NULL), CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "show", "--pid", "100", "--pid", "200", NULL),
			 CLI_EXIT_USAGE);
	assert_int_equal(run("policy", "show", "--global", "--pid", "100", NULL), CLI_EXIT_USAGE);
	assert_contains(R.err, "give one target");
	assert_int_equal(run("policy", "explain", "--pid", "100", "f", "0x1", NULL),
			 CLI_EXIT_USAGE);
}

/* ---- cli_vm_lookup(), cli_vm_take_fd() ---------------------------------------------------- */

/* A struct cli whose output goes to memory (open_memstream() keeps &out, &olen). */
struct ctx {
	struct cli cli;
	char *out, *err;
	size_t olen, elen;
	FILE *fo, *fe;
};

static void ctx_open(struct ctx *c, const char *proc_root)
{
	memset(c, 0, sizeof(*c));
	c->fo = open_memstream(&c->out, &c->olen);
	c->fe = open_memstream(&c->err, &c->elen);
	c->cli.out = c->fo;
	c->cli.err = c->fe;
	c->cli.prog = "smccc-bpf";
	c->cli.proc = proc_root;
	c->cli.pin_root = tmp("pins");
}

static void ctx_close(struct ctx *c)
{
	fclose(c->fo);
	fclose(c->fe);
}

static void ctx_free(struct ctx *c)
{
	free(c->out);
	free(c->err);
}

static void test_lookup(void **state)
{
	struct cli_target t = { .set = true };
	struct cli_vm vm;
	struct ctx c;
	bool gone;

	(void)state;
	ctx_open(&c, proc);
	t.vm_id = 20;
	assert_int_equal(cli_vm_lookup(&c.cli, &t, &vm, &gone), CLI_EXIT_OK);
	assert_int_equal(vm.pid, 200);
	assert_int_equal(vm.fd, 13);
	assert_false(gone);
	/* an id nobody holds, every process readable: gone (its pins are stale) */
	t.vm_id = 99;
	assert_int_equal(cli_vm_lookup(&c.cli, &t, &vm, &gone), CLI_EXIT_NOENT);
	assert_true(gone);
	/* --pid: not gone, whatever the process holds */
	t.vm_id = 0;
	t.pid = 600;
	assert_int_equal(cli_vm_lookup(&c.cli, &t, &vm, &gone), CLI_EXIT_NOENT);
	assert_false(gone);
	t.pid = 150;
	assert_int_equal(cli_vm_lookup(&c.cli, &t, &vm, &gone), CLI_EXIT_OK);
	assert_int_equal(vm.vm_id, 12);
	ctx_close(&c);
	assert_contains(c.err, "no VM with id 99");
	assert_contains(c.err, "process 600 (tool) holds no KVM VM");
	ctx_free(&c);
}

/* A VM whose VMM is gone, and an fd that is no VM (the number reused since the scan). */
static void test_take_fd(void **state)
{
	struct cli_vm vm = { .vm_id = 7, .fd = 3, .pid = 0x3fffffff };
	struct ctx c;
	bool gone;
	int fd = -1;

	(void)state;
	ctx_open(&c, "/proc");
	assert_int_equal(cli_vm_take_fd(&c.cli, &vm, &fd, &gone), CLI_EXIT_NOENT);
	assert_true(gone);
	/* our own stderr, through pidfd_getfd(): taken, then found not to be VM 7 */
	vm.pid = getpid();
	vm.fd = 2;
	gone = false;
	assert_int_equal(cli_vm_take_fd(&c.cli, &vm, &fd, &gone), CLI_EXIT_NOENT);
	assert_true(gone);
	assert_int_equal(fd, -1);
	ctx_close(&c);
	assert_contains(c.err, "VM 7 went away: fd 3 of pid 1073741823 is no longer that VM");
	assert_contains(c.err, "VM 7 went away: fd 2 of pid ");
	ctx_free(&c);
}

/* ---- the struct_ops value ---------------------------------------------------------------- */

/* Member name of the object's kvm_smccc_ops, by the object's BTF alone; -1 if none. */
static long member_offset(struct bpf_object *obj, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const struct btf_member *m;
	int id, i;

	id = btf__find_by_name_kind(btf, "kvm_smccc_ops", BTF_KIND_STRUCT);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return btf_member_bit_offset(t, i) / 8;
	return -1;
}

/* The generic program, opened (not loaded): its vm_id and vm_fd before load. */
static void test_ops_vm_fd(void **state)
{
	static const char text[] = "policy \"p\";\ndefault handle;\ndeny service trng;\n";
	struct smccc_compiled c;
	struct policy_diags diags;
	struct policy_bpf *skel;
	struct bpf_object *obj;
	struct bpf_map *map;
	uint64_t vm_id = 0;
	long id_off, fd_off;
	size_t size;
	char *value;
	int count, vm_fd;

	(void)state;
	/* run() left libbpf printing through a struct cli that is gone. */
	libbpf_set_print(NULL);
	memset(&diags, 0, sizeof(diags));
	assert_int_equal(policy_compile_text("p.pol", text, strlen(text), &c, NULL, &diags), 0);
	skel = smccc_policy_prog_open(&c, 7);
	assert_non_null(skel);
	obj = smccc_policy_prog_obj(skel);
	map = ops_find_map(obj, &count);
	assert_non_null(map);
	fd_off = member_offset(obj, "vm_fd");
	if (fd_off < 0)
		fail_msg("the generic program's kvm_smccc_ops has no vm_fd: vmlinux.h of a "
			 "kernel without it?");
	id_off = member_offset(obj, "vm_id");
	assert_true(id_off >= 0);

	assert_int_equal(ops_get_vm_id(obj, map, &vm_id), 0);
	assert_int_equal(vm_id, 7);
	assert_int_equal(ops_set_vm_fd(obj, map, 42), 0);
	assert_int_equal(ops_set_vm_id(obj, map, 9), 0);
	value = bpf_map__initial_value(map, &size);
	assert_non_null(value);
	assert_true((size_t)fd_off + sizeof(int) <= size);
	memcpy(&vm_fd, value + fd_off, sizeof(vm_fd));
	assert_int_equal(vm_fd, 42);
	memcpy(&vm_id, value + id_off, sizeof(vm_id));
	assert_int_equal(vm_id, 9);
	smccc_policy_prog_destroy(skel);
	smccc_compiled_free(&c);
	policy_diags_free(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fdinfo_policies),
		cmocka_unit_test(test_fdinfo_without_series),
		cmocka_unit_test(test_fdinfo_garbage),
		cmocka_unit_test(test_scan_all),
		cmocka_unit_test(test_scan_pid),
		cmocka_unit_test(test_scan_without_series),
		cmocka_unit_test(test_scan_unreadable),
		cmocka_unit_test(test_vm_list),
		cmocka_unit_test_teardown(test_vm_list_empty, restore_proc),
		cmocka_unit_test_teardown(test_vm_list_untrusted_comm, restore_proc),
		cmocka_unit_test(test_scan_many_fds),
		cmocka_unit_test(test_pin_names),
		cmocka_unit_test(test_pid_target),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_take_fd),
		cmocka_unit_test(test_ops_vm_fd),
	};

	return cmocka_run_group_tests_name("smccc-bpf CLI: VMs from /proc", tests, setup_all,
					   teardown_all);
}
