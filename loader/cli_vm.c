// SPDX-License-Identifier: GPL-2.0
/* smccc-bpf vm list: the VMs, their smccc-bpf ids and policies, from debugfs. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_pins.h"
#include "cli_vm.h"

bool cli_vm_parse(const char *text, struct cli_vm *vm)
{
	unsigned int fields = 0;
	const char *line = text;
	char pol[16];

	memset(vm, 0, sizeof(*vm));
	while (line && *line) {
		uint64_t id;
		int pid;

		if (sscanf(line, "vm_id: %" SCNu64, &id) == 1) {
			vm->vm_id = id;
			fields |= 1;
		} else if (sscanf(line, "pid: %d", &pid) == 1) {
			vm->pid = pid;
			fields |= 2;
		} else if (sscanf(line, "policy: %15s", pol) == 1) {
			snprintf(vm->policy, sizeof(vm->policy), "%s", pol);
			fields |= 4;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return fields == 7;
}

static void read_comm(struct cli_vm *vm)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", vm->pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(vm->comm, sizeof(vm->comm), f))
		vm->comm[strcspn(vm->comm, "\n")] = '\0';
	fclose(f);
}

static int cmp_vm(const void *a, const void *b)
{
	const struct cli_vm *x = a, *y = b;

	return x->vm_id < y->vm_id ? -1 : x->vm_id > y->vm_id;
}

bool cli_vm_debugfs_ok(const char *debugfs)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/kvm", debugfs);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

int cli_vm_scan(const char *debugfs, struct cli_vm **vms, size_t *n)
{
	size_t cap = 0, without = 0;
	struct cli_vm *arr = NULL, *na;
	char path[512];
	struct dirent *de;
	DIR *d;

	*vms = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/kvm", debugfs);
	d = opendir(path);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	while ((de = readdir(d))) {
		struct cli_vm vm;
		char *text;
		int pid, fd;

		/* VM directories are "<pid>-<fd>"; skip the statistics files. */
		if (sscanf(de->d_name, "%d-%d", &pid, &fd) != 2)
			continue;
		snprintf(path, sizeof(path), "%s/kvm/%s/smccc_bpf", debugfs, de->d_name);
		text = cli_read_file(path, NULL);
		if (!text) {
			without++;
			continue;
		}
		if (!cli_vm_parse(text, &vm)) {
			free(text);
			continue;
		}
		free(text);
		snprintf(vm.dir, sizeof(vm.dir), "%.63s", de->d_name);
		read_comm(&vm);
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			na = realloc(arr, cap * sizeof(*arr));
			if (!na) {
				closedir(d);
				free(arr);
				return -ENOMEM;
			}
			arr = na;
		}
		arr[(*n)++] = vm;
	}
	closedir(d);
	if (!*n && without) {
		free(arr);
		return -EOPNOTSUPP;
	}
	if (*n)
		qsort(arr, *n, sizeof(*arr), cmp_vm);
	*vms = arr;
	return 0;
}

bool cli_vm_find(const char *debugfs, uint64_t vm_id, struct cli_vm *out)
{
	struct cli_vm *vms;
	bool found = false;
	size_t n, i;

	if (cli_vm_scan(debugfs, &vms, &n))
		return false;
	for (i = 0; i < n; i++)
		if (vms[i].vm_id == vm_id) {
			*out = vms[i];
			found = true;
			break;
		}
	free(vms);
	return found;
}

/* ---- vm list --------------------------------------------------------------- */

static int do_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	struct cli_vm *vms;
	size_t n, i;
	int c, err;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1)
		return cli_usage_error(cli, "vm", "unknown option '%s'", argv[optind - 1]);
	if (optind < argc)
		return cli_usage_error(cli, "vm", "'vm list' takes no arguments");

	err = cli_vm_scan(cli->debugfs, &vms, &n);
	if (err == -ENOENT)
		return cli_fail(cli, CLI_EXIT_SYSTEM,
				"mount it: mount -t debugfs debugfs /sys/kernel/debug "
				"(and load KVM: is /dev/kvm there?)",
				"no %s/kvm: debugfs is not mounted or KVM is not running",
				cli->debugfs);
	if (err == -EOPNOTSUPP)
		return cli_fail(cli, CLI_EXIT_SYSTEM,
				"boot a kernel built from kernel/patches with CONFIG_KVM_SMCCC_BPF=y",
				"this kernel lacks the smccc-bpf patches (VMs have no smccc_bpf "
				"file in %s/kvm)", cli->debugfs);
	if (err)
		return cli_fail(cli, CLI_EXIT_ERROR, NULL, "reading %s/kvm: %s", cli->debugfs,
				strerror(-err));

	if (cli->json) {
		jw_start_array(cli->jw);
		for (i = 0; i < n; i++) {
			struct cli_target t = { .set = true, .vm_id = vms[i].vm_id };
			struct smccc_meta meta;

			jw_start_object(cli->jw);
			jw_uint_field(cli->jw, "vm_id", vms[i].vm_id);
			jw_int_field(cli->jw, "pid", vms[i].pid);
			jw_string_field(cli->jw, "comm", vms[i].comm);
			jw_string_field(cli->jw, "policy", vms[i].policy);
			if (!pins_meta_read(cli->pin_root, &t, &meta))
				jw_string_field(cli->jw, "pinned", meta.name);
			else
				jw_null_field(cli->jw, "pinned");
			jw_name(cli->jw, "debugfs");
			jw_printf(cli->jw, "kvm/%s", vms[i].dir);
			jw_end_object(cli->jw);
		}
		jw_end_array(cli->jw);
		jw_end_value(cli->jw);
	} else {
		if (!n)
			cli_note(cli, "no VMs (none of %s/kvm/*/smccc_bpf)", cli->debugfs);
		else
			fprintf(cli->out, "%-6s %-8s %-16s %-8s %s\n", "VM", "PID", "COMM", "POLICY",
				"PINNED");
		for (i = 0; i < n; i++) {
			struct cli_target t = { .set = true, .vm_id = vms[i].vm_id };
			struct smccc_meta meta;
			char pinned[80] = "-";

			if (!pins_meta_read(cli->pin_root, &t, &meta))
				snprintf(pinned, sizeof(pinned), "%s", meta.name[0] ? meta.name : "?");
			fprintf(cli->out, "%-6" PRIu64 " %-8d %-16s %-8s %s\n", vms[i].vm_id,
				vms[i].pid, vms[i].comm[0] ? vms[i].comm : "?", vms[i].policy,
				pinned);
		}
	}
	free(vms);
	return CLI_EXIT_OK;
}

static const struct cli_cmd vm_cmds[] = {
	{ "list", do_list, "", "VMs: smccc-bpf id, VMM pid and name, policy (vm, default, none)" },
	{ 0 }
};

const struct cli_object cli_vm_object = {
	.name = "vm",
	.cmds = vm_cmds,
	.default_cmd = "list",
	.summary = "the VMs of this host and their smccc-bpf ids (debugfs)",
	.notes = "POLICY is the kernel's view: 'vm' (its own policy), 'default' (the host-wide\n"
		 "default decides) or 'none'. PINNED names the policy smccc-bpf attached to it.\n"
		 "Needs debugfs on /sys/kernel/debug.\n",
};
