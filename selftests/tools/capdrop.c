// SPDX-License-Identifier: GPL-2.0
/*
 * capdrop: run a program as root without some capabilities, for the
 * booted tests (the test VM's busybox has a setpriv without
 * --bounding-set, and no capsh).
 *
 *   capdrop [--ruid UID] CAP[,CAP...] PROG [ARGS...]
 *
 * CAP is a name (sys_admin, cap_sys_admin) or a number. The capabilities
 * leave the bounding, inheritable and ambient sets before the exec, so
 * that root's exec, which grants the bounding set, does not give them
 * back; permitted and effective follow. --ruid sets the real uid only
 * (the effective and saved uids stay 0): filesystem access is still
 * root's, but ptrace-attach checks (pidfd_getfd()) compare real uids.
 * Exits 127 if it cannot do all of it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

static const struct {
	const char *name;
	int cap;
} caps[] = {
	{ "setpcap", CAP_SETPCAP },
	{ "sys_ptrace", CAP_SYS_PTRACE },
	{ "sys_admin", CAP_SYS_ADMIN },
	{ "perfmon", 38 },	/* CAP_PERFMON, CAP_BPF: newer than some toolchains' headers */
	{ "bpf", 39 },
};

static int cap_number(const char *s)
{
	char *end;
	long v;
	size_t i;

	if (!strncasecmp(s, "cap_", 4))
		s += 4;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!strcasecmp(s, caps[i].name))
			return caps[i].cap;
	v = strtol(s, &end, 10);
	return *s && !*end && v >= 0 && v < 64 ? (int)v : -1;
}

/* Out of the bounding set (needs CAP_SETPCAP, so before capset) and the rest. */
static int drop(const int *list, int n)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int i;

	for (i = 0; i < n; i++)
		if (prctl(PR_CAPBSET_DROP, list[i], 0, 0, 0))
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	for (i = 0; i < n; i++) {
		__u32 bit = 1u << (list[i] % 32);

		data[list[i] / 32].effective &= ~bit;
		data[list[i] / 32].permitted &= ~bit;
		data[list[i] / 32].inheritable &= ~bit;
	}
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	int list[64], n = 0, i = 1, err;
	long ruid = -1;
	char *spec, *tok;

	if (argc > 2 && !strcmp(argv[1], "--ruid")) {
		ruid = strtol(argv[2], NULL, 10);
		i = 3;
	}
	if (argc < i + 2) {
		fprintf(stderr, "usage: capdrop [--ruid UID] CAP[,CAP...] PROG [ARGS...]\n");
		return 127;
	}
	spec = argv[i++];
	for (tok = strtok(spec, ","); tok && n < 64; tok = strtok(NULL, ",")) {
		list[n] = cap_number(tok);
		if (list[n] < 0) {
			fprintf(stderr, "capdrop: unknown capability '%s'\n", tok);
			return 127;
		}
		n++;
	}
	/* Before dropping anything: setresuid() keeps the capabilities while euid is 0. */
	if (ruid >= 0 && setresuid(ruid, -1, -1)) {
		perror("capdrop: setresuid");
		return 127;
	}
	err = drop(list, n);
	if (err) {
		fprintf(stderr, "capdrop: dropping capabilities: %s\n", strerror(-err));
		return 127;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "capdrop: %s: %s\n", argv[i], strerror(errno));
	return 127;
}
