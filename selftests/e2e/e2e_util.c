// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the end-to-end test cases (see e2e_util.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

struct vmm_vm *new_vm(int nr_vcpus, uint64_t *id)
{
	struct vmm_vm *vm = vmm_vm_create(nr_vcpus);

	if (vm && id && vmm_vm_id(vm, id)) {
		vmm_vm_destroy(vm);
		return NULL;
	}
	return vm;
}

struct vmm_call mkcall(enum vmm_conduit c, uint32_t func_id)
{
	struct vmm_call call = { .conduit = c, .func_id = func_id };

	return call;
}

/* x0 of one call on vCPU 0, or a value no SMCCC call returns on error. */
uint64_t call_x0(struct vmm_vm *vm, enum vmm_conduit c, uint32_t func_id)
{
	struct vmm_call call = mkcall(c, func_id);
	struct vmm_result res;

	if (vmm_call(vm, 0, &call, &res))
		return 0xdeadbeefdeadbeefull;
	return res.x[0];
}

void set_return_handler(struct vmm_vm *vm, int vcpu, const struct kvm_run *run,
			uint64_t ret[4], void *opaque)
{
	const uint64_t *vals = opaque;

	(void)vm; (void)vcpu; (void)run;
	memcpy(ret, vals, 4 * sizeof(uint64_t));
}

/* The debugfs directory of the VM with this smccc-bpf id, or "". */
void vm_debugfs_dir(uint64_t vm_id, char *dir, size_t len)
{
	const char *base = "/sys/kernel/debug/kvm";
	struct dirent *de;
	DIR *d = opendir(base);

	dir[0] = '\0';
	while (d && (de = readdir(d))) {
		unsigned long long id;
		char path[512];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s/smccc_bpf", base, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "vm_id: %llu", &id) == 1 && id == vm_id)
			snprintf(dir, len, "%s/%s", base, de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
}

/* A "key: value" line of <vm debugfs dir>/smccc_bpf, or a number file. */
int read_debugfs(uint64_t vm_id, const char *file, const char *key, char *val, size_t len)
{
	char dir[400], path[512], line[256];
	int ret = -ENOENT;
	FILE *f;

	vm_debugfs_dir(vm_id, dir, sizeof(dir));
	if (!dir[0])
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t kl = key ? strlen(key) : 0;

		if (key && (strncmp(line, key, kl) || line[kl] != ':'))
			continue;
		const char *v = line + (key ? kl + 2 : 0);
		size_t n = strcspn(v, "\n");

		if (n >= len)
			n = len - 1;
		memcpy(val, v, n);
		val[n] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* x0 of func_id(x1) on vCPU 0, or a value no SMCCC call returns on error. */
uint64_t call1_x0(struct vmm_vm *vm, enum vmm_conduit c, uint32_t func_id, uint64_t x1)
{
	struct vmm_call call = mkcall(c, func_id);
	struct vmm_result res;

	call.args[0] = x1;
	if (vmm_call(vm, 0, &call, &res))
		return 0xdeadbeefdeadbeefull;
	return res.x[0];
}


long long vm_stat(uint64_t vm_id, const char *name)
{
	char val[64];

	if (read_debugfs(vm_id, name, NULL, val, sizeof(val)))
		return -1;
	return strtoll(val, NULL, 0);
}

int in_child(void (*drop)(void), int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		drop();
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Clears (or sets back) cap in the effective set, and in permitted if asked. */
static int cap_change(int cap, bool on, bool permitted)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uint32_t bit = 1u << (cap % 32);

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (on)
		data[cap / 32].effective |= bit;
	else
		data[cap / 32].effective &= ~bit;
	if (permitted && !on)
		data[cap / 32].permitted &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

void drop_sys_admin(void)
{
	if (cap_change(CAP_SYS_ADMIN, false, true))
		_exit(99);
}

int set_sys_admin(bool on)
{
	return cap_change(CAP_SYS_ADMIN, on, false);
}

int read_fdinfo(pid_t pid, int fd, const char *key, char *val, size_t len)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(val, len, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}
