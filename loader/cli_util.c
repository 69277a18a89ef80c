// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf CLI: messages, argument helpers, environment checks, libbpf
 * output capture and small utilities shared by the cli_*.c commands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "cli_vm.h"
#include "smccc_policy.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC	0xcafe4a11
#endif

/* ---- messages ------------------------------------------------------------ */

static int vfail(struct cli *cli, int code, const char *hint, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	cli->failed = true;
	if (cli->json && cli->jw) {
		jw_start_object(cli->jw);
		jw_string_field(cli->jw, "error", msg);
		if (hint)
			jw_string_field(cli->jw, "hint", hint);
		jw_int_field(cli->jw, "exit", code);
		jw_end_object(cli->jw);
		jw_end_value(cli->jw);
	} else {
		fprintf(cli->err, "%s: error: %s\n", cli->prog, msg);
		if (hint)
			fprintf(cli->err, "%s: hint: %s\n", cli->prog, hint);
	}
	return code;
}

int cli_fail(struct cli *cli, int code, const char *hint, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vfail(cli, code, hint, fmt, ap);
	va_end(ap);
	return ret;
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(cli->err, "%s: warning: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
}

void cli_note(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->json)
		return;
	fprintf(cli->err, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
}

int cli_usage_error(struct cli *cli, const char *object, const char *fmt, ...)
{
	char hint[128];
	va_list ap;
	int ret;

	snprintf(hint, sizeof(hint), "see '%s %s%shelp'", cli->prog, object ? object : "",
		 object ? " " : "");
	va_start(ap, fmt);
	ret = vfail(cli, CLI_EXIT_USAGE, hint, fmt, ap);
	va_end(ap);
	return ret;
}

void cli_object_usage(const struct cli *cli, const struct cli_object *obj, FILE *f)
{
	const struct cli_cmd *c;

	fprintf(f, "Usage:");
	for (c = obj->cmds; c->name; c++) {
		fprintf(f, "%s%s %s %s%s%s\n", c == obj->cmds ? " " : "       ", cli->prog,
			obj->name, c->name, c->synopsis && *c->synopsis ? " " : "",
			c->synopsis ? c->synopsis : "");
	}
	fprintf(f, "       %s %s help\n\n", cli->prog, obj->name);
	for (c = obj->cmds; c->name; c++)
		fprintf(f, "  %-9s %s\n", c->name, c->summary);
	if (obj->default_cmd)
		fprintf(f, "\n'%s %s' alone is '%s %s %s'.\n", cli->prog, obj->name, cli->prog,
			obj->name, obj->default_cmd);
	if (obj->notes)
		fprintf(f, "\n%s", obj->notes);
	fprintf(f, "\nGlobal options: -j|--json, -p|--pretty, -d|--debug (see '%s help').\n",
		cli->prog);
}

/* ---- arguments ----------------------------------------------------------- */

bool cli_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

const char *cli_target_name(const struct cli_target *t, char *buf, size_t len)
{
	if (t->global)
		snprintf(buf, len, "global");
	else
		snprintf(buf, len, "vm-%" PRIu64, t->vm_id);
	return buf;
}

const char *cli_target_desc(const struct cli_target *t, char *buf, size_t len)
{
	if (t->global)
		snprintf(buf, len, "the host-wide default");
	else
		snprintf(buf, len, "VM %" PRIu64, t->vm_id);
	return buf;
}

/* ---- environment --------------------------------------------------------- */

int cli_check_kernel(struct cli *cli)
{
	struct btf *btf;
	int id, err;

	if (access(cli->btf_path, R_OK))
		return cli_fail(cli, CLI_EXIT_SYSTEM,
				"smccc-bpf needs a kernel with CONFIG_DEBUG_INFO_BTF and the smccc-bpf patches",
				"cannot read the kernel's BTF %s: %s", cli->btf_path, strerror(errno));
	btf = btf__parse(cli->btf_path, NULL);
	if (!btf) {
		err = errno;
		return cli_fail(cli, CLI_EXIT_SYSTEM, NULL, "cannot parse the kernel's BTF %s: %s",
				cli->btf_path, strerror(err));
	}
	id = btf__find_by_name_kind(btf, "kvm_smccc_ops", BTF_KIND_STRUCT);
	btf__free(btf);
	if (id < 0)
		return cli_fail(cli, CLI_EXIT_SYSTEM,
				"boot a kernel built from kernel/patches with CONFIG_KVM_SMCCC_BPF=y",
				"this kernel lacks the smccc-bpf patches (no kvm_smccc_ops in %s)",
				cli->btf_path);
	return 0;
}

int cli_check_bpffs(struct cli *cli)
{
	char parent[512], *slash;
	struct statfs st;
	const char *path = cli->pin_root;

	/* The pin root itself may not exist yet: look at its parent. */
	if (statfs(path, &st)) {
		snprintf(parent, sizeof(parent), "%s", path);
		slash = strrchr(parent, '/');
		if (slash && slash != parent)
			*slash = '\0';
		path = parent;
		if (statfs(path, &st))
			goto not_bpffs;
	}
	if (st.f_type == BPF_FS_MAGIC)
		return 0;
not_bpffs:
	return cli_fail(cli, CLI_EXIT_SYSTEM, "mount it: mount -t bpf bpf /sys/fs/bpf",
			"%s is not on a BPF filesystem (bpffs): policies are pinned there to "
			"outlive %s", path, cli->prog);
}

const char *cli_perm_hint(const struct cli_target *t)
{
	if (t->global)
		return "the host-wide default needs CAP_SYS_ADMIN besides CAP_BPF and CAP_PERFMON; "
		       "a policy for one VM (--pid PID or --vm ID) goes through the VM's fd and "
		       "needs no CAP_SYS_ADMIN";
	return "loading a policy needs CAP_BPF and CAP_PERFMON; attaching it through the VM's "
	       "fd (--pid PID or --vm ID) needs no CAP_SYS_ADMIN, only the right to ptrace "
	       "the VMM";
}

int cli_fail_errno(struct cli *cli, int err, const struct cli_target *t, const char *what)
{
	char tb[64], hint[256];

	if (err < 0)
		err = -err;
	cli_target_desc(t, tb, sizeof(tb));
	switch (err) {
	case EPERM:
		return cli_fail(cli, CLI_EXIT_PERM, cli_perm_hint(t), "%s for %s: %s", what, tb,
				strerror(err));
	case ENOENT:
		if (!t->global) {
			snprintf(hint, sizeof(hint), "see '%s vm list'", cli->prog);
			return cli_fail(cli, CLI_EXIT_NOENT, hint, "no VM with id %" PRIu64,
					t->vm_id);
		}
		break;
	case EBUSY:
		snprintf(hint, sizeof(hint),
			 "it was not attached by %s (a VMM or bpftool holds it); detach it there, "
			 "or look for pins with 'bpftool link show'", cli->prog);
		return cli_fail(cli, CLI_EXIT_BUSY, hint, "%s already has a policy", tb);
	}
	return cli_fail(cli, CLI_EXIT_ERROR, NULL, "%s: %s", what, strerror(err));
}

/* ---- libbpf output ------------------------------------------------------- */

#define CAPTURE_MAX	(256 * 1024)

static struct {
	struct cli *cli;
	char *buf;
	size_t len;
} capture;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[4096];
	size_t n;
	int len;

	if (capture.cli && capture.cli->debug)
		return vfprintf(capture.cli->err, fmt, ap);
	if (level == LIBBPF_DEBUG)
		return 0;
	len = vsnprintf(line, sizeof(line), fmt, ap);
	if (len < 0)
		return 0;
	n = (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1;
	if (!capture.buf) {
		capture.buf = malloc(CAPTURE_MAX);
		if (!capture.buf)
			return 0;
		capture.len = 0;
	}
	if (capture.len + n + 1 > CAPTURE_MAX) {
		/* Keep the tail: the verifier's verdict is at the end. */
		size_t drop = capture.len + n + 1 - CAPTURE_MAX;

		if (drop > capture.len)
			drop = capture.len;
		memmove(capture.buf, capture.buf + drop, capture.len - drop);
		capture.len -= drop;
	}
	if (n + 1 > CAPTURE_MAX)
		return 0;
	memcpy(capture.buf + capture.len, line, n);
	capture.len += n;
	capture.buf[capture.len] = '\0';
	return len;
}

void cli_libbpf_capture(struct cli *cli)
{
	capture.cli = cli;
	libbpf_set_print(libbpf_print);
}

void cli_libbpf_reset(void)
{
	capture.len = 0;
	if (capture.buf)
		capture.buf[0] = '\0';
}

bool cli_libbpf_has_verifier_log(void)
{
	return capture.buf && strstr(capture.buf, "BEGIN PROG LOAD LOG");
}

void cli_libbpf_print_tail(struct cli *cli, unsigned int lines)
{
	const char *start, *end, *p;
	unsigned int n = 0;

	if (!capture.buf || !capture.len)
		return;
	start = capture.buf;
	end = capture.buf + capture.len;
	p = strstr(start, "-- BEGIN PROG LOAD LOG --");
	if (p) {
		start = strchr(p, '\n');
		start = start ? start + 1 : end;
		p = strstr(start, "-- END PROG LOAD LOG --");
		if (p) {
			/* back to the start of that line ("libbpf: prog 'x': -- END ...") */
			while (p > start && p[-1] != '\n')
				p--;
			end = p;
		}
	}
	/* The last `lines` lines of [start, end). */
	while (end > start && end[-1] == '\n')
		end--;
	p = end;
	while (p > start) {
		if (p[-1] == '\n' && ++n == lines)
			break;
		p--;
	}
	fprintf(cli->err, "%s: %s (last %u lines%s):\n", cli->prog,
		start != capture.buf ? "verifier log" : "libbpf said", n < lines ? n + 1 : n,
		cli->debug ? "" : "; -d shows everything");
	fwrite(p, 1, end - p, cli->err);
	fputc('\n', cli->err);
}

/* ---- utilities ----------------------------------------------------------- */

void cli_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

char *cli_read_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;
	int fd;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(0);
	if (fd < 0)
		return NULL;
	for (;;) {
		if (!buf || n + 1 >= cap) {
			if (buf)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	r = errno;
	close(fd);
	free(buf);
	errno = r;
	return NULL;
}

/* SHA-256 (FIPS 180-4), to name the policy source a pin came from. */
static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n)	(((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha_k[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void cli_sha256(const void *data, size_t len, uint8_t out[CLI_SHA256_LEN])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	const uint8_t *p = data;
	uint8_t tail[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t rest, tlen, i;

	for (; len >= 64; len -= 64, p += 64)
		sha_block(h, p);
	rest = len;
	memset(tail, 0, sizeof(tail));
	memcpy(tail, p, rest);
	tail[rest] = 0x80;
	tlen = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		tail[tlen - 1 - i] = bits >> (8 * i);
	sha_block(h, tail);
	if (tlen == 128)
		sha_block(h, tail + 64);
	for (i = 0; i < 8; i++) {
		out[4 * i] = h[i] >> 24;
		out[4 * i + 1] = h[i] >> 16;
		out[4 * i + 2] = h[i] >> 8;
		out[4 * i + 3] = h[i];
	}
}

void cli_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *cli_action_name(unsigned int action)
{
	switch (action) {
	case SMCCC_BPF_ACT_HANDLE:	return "handle";
	case SMCCC_BPF_ACT_DENY:	return "deny";
	case SMCCC_BPF_ACT_FWD_TO_USER:	return "forward";
	case SMCCC_BPF_ACT_RETURN:	return "return";
	case SMCCC_POLICY_ACT_LOG:	return "log";
	default:			return "?";
	}
}

const char *cli_reason_name(unsigned int reason)
{
	switch (reason) {
	case SMCCC_POLICY_EV_DENY:		return "deny";
	case SMCCC_POLICY_EV_FORWARD:		return "forward";
	case SMCCC_POLICY_EV_OVER_LIMIT:	return "over-limit";
	case SMCCC_POLICY_EV_LOG:		return "log";
	case SMCCC_POLICY_EV_RETURN:		return "return";
	case SMCCC_POLICY_EV_PERMISSIVE:	return "permissive";
	default:				return "?";
	}
}

const char *cli_conduit_name(unsigned int conduit)
{
	switch (conduit) {
	case SMCCC_BPF_CONDUIT_HVC:	return "hvc";
	case SMCCC_BPF_CONDUIT_SMC:	return "smc";
	default:			return "?";
	}
}

/* ---- command arguments ---------------------------------------------------- */

static const struct {
	const char *name;
	unsigned int flag;
	bool has_value;
} arg_opts[] = {
	{ "vm",		CLI_ARG_TARGET | CLI_ARG_VM,	true },
	{ "pid",	CLI_ARG_TARGET | CLI_ARG_VM,	true },
	{ "global",	CLI_ARG_TARGET,			false },
	{ "conduit",	CLI_ARG_CONDUIT,		true },
	{ "vcpu",	CLI_ARG_VCPU,			true },
	{ "count",	CLI_ARG_COUNT,			true },
	{ "timeout",	CLI_ARG_TIMEOUT,		true },
	{ "over-limit",	CLI_ARG_OVER_LIMIT,		false },
};

/* One of --vm ID, --pid PID, --global into t; --pid and --vm may go together. */
static int parse_target(struct cli *cli, const char *object, const char *name, const char *val,
			struct cli_target *t)
{
	uint64_t v;

	if (!strcmp(name, "global")) {
		if (t->set)
			return cli_usage_error(cli, object, "give one target: --vm ID, --pid PID "
					       "(or both) or --global");
		t->set = t->global = true;
		t->vm_id = SMCCC_BPF_VM_ID_GLOBAL;
		return 0;
	}
	if (t->global || (!strcmp(name, "vm") ? t->vm_id != 0 : t->pid != 0))
		return cli_usage_error(cli, object, "give one target: --vm ID, --pid PID "
				       "(or both) or --global");
	if (!strcmp(name, "vm")) {
		if (!cli_parse_u64(val, &v) || v == SMCCC_BPF_VM_ID_GLOBAL)
			return cli_usage_error(cli, object,
					       "--vm: '%s' is not a VM id (1, 2, ...; the "
					       "host-wide default is --global)", val);
		t->vm_id = v;
	} else {
		if (!cli_parse_u64(val, &v) || !v || v > INT32_MAX)
			return cli_usage_error(cli, object, "--pid: '%s' is not a process id", val);
		t->pid = v;
	}
	t->set = true;
	return 0;
}

/* --pid PID [--vm ID]: the VM id of that VMM's VM. */
static int resolve_pid(struct cli *cli, struct cli_target *t)
{
	struct cli_vm vm;
	bool gone;
	int ret;

	ret = cli_vm_lookup(cli, t, &vm, &gone);
	if (!ret)
		t->vm_id = vm.vm_id;
	return ret;
}

int cli_parse_args(struct cli *cli, const char *object, int argc, char **argv,
		   unsigned int allowed, struct cli_args *a)
{
	const char *cmd = argc > 0 ? argv[0] : "?";
	bool only_pos = false;
	int i;

	memset(a, 0, sizeof(*a));
	a->conduit = SMCCC_BPF_CONDUIT_HVC;
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32];
		size_t k, len;

		if (only_pos || arg[0] != '-' || !arg[1] || (arg[1] >= '0' && arg[1] <= '9')) {
			if (a->nr_pos == CLI_MAX_POS)
				return cli_usage_error(cli, object, "too many arguments");
			a->pos[a->nr_pos++] = argv[i];
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = true;
			continue;
		}
		if (arg[1] != '-')
			return cli_usage_error(cli, object, "'%s %s': unknown option '%s'",
					       object, cmd, arg);
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, arg + 2, len);
		name[len] = '\0';
		for (k = 0; k < ARRAY_SIZE(arg_opts); k++)
			if (!strcmp(arg_opts[k].name, name))
				break;
		if (k == ARRAY_SIZE(arg_opts) || !(arg_opts[k].flag & allowed) ||
		    (!strcmp(name, "global") && !(allowed & CLI_ARG_TARGET)))
			return cli_usage_error(cli, object, "'%s %s': unknown option '--%s'",
					       object, cmd, name);
		if (arg_opts[k].has_value) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return cli_usage_error(cli, object, "'--%s' needs a value", name);
		} else if (eq) {
			return cli_usage_error(cli, object, "'--%s' takes no value", name);
		}

		if (!strcmp(name, "vm") || !strcmp(name, "pid") || !strcmp(name, "global")) {
			int ret = parse_target(cli, object, name, val, &a->target);

			if (ret)
				return ret;
		} else if (!strcmp(name, "conduit")) {
			if (!strcasecmp(val, "hvc"))
				a->conduit = SMCCC_BPF_CONDUIT_HVC;
			else if (!strcasecmp(val, "smc"))
				a->conduit = SMCCC_BPF_CONDUIT_SMC;
			else
				return cli_usage_error(cli, object,
						       "--conduit: '%s' is not hvc or smc", val);
		} else if (!strcmp(name, "vcpu")) {
			uint64_t v;

			if (!cli_parse_u64(val, &v) || v > UINT32_MAX)
				return cli_usage_error(cli, object, "--vcpu: '%s' is not a vCPU id",
						       val);
			a->has_vcpu = true;
			a->vcpu = v;
		} else if (!strcmp(name, "count")) {
			if (!cli_parse_u64(val, &a->count) || !a->count)
				return cli_usage_error(cli, object,
						       "--count: '%s' is not a positive number", val);
			a->has_count = true;
		} else if (!strcmp(name, "timeout")) {
			char *end;

			errno = 0;
			a->timeout = strtod(val, &end);
			if (errno || *end || end == val || !(a->timeout >= 0) ||
			    a->timeout > 1e9)
				return cli_usage_error(cli, object,
						       "--timeout: '%s' is not a number of seconds",
						       val);
			a->has_timeout = true;
		} else if (!strcmp(name, "over-limit")) {
			a->over_limit = true;
		}
	}
	return a->target.pid ? resolve_pid(cli, &a->target) : 0;
}
