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

/* Formats a message; cut short if it must be, but never inside a UTF-8 character. */
static void vformat(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	buf[json_utf8_cut(buf, strlen(buf))] = '\0';
}

/* "smccc-bpf: KIND: MSG" on err: msg holds names and paths, escaped for the terminal. */
static void print_line(const struct cli *cli, const char *kind, const char *msg)
{
	fprintf(cli->err, "%s: %s%s", cli->prog, kind, kind[0] ? ": " : "");
	cli_fputs_esc(cli->err, msg, 0);
	fputc('\n', cli->err);
}

static int vfail(struct cli *cli, int code, const char *hint, const char *fmt, va_list ap)
{
	char msg[1024];

	vformat(msg, sizeof(msg), fmt, ap);
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
		print_line(cli, "error", msg);
		if (hint)
			print_line(cli, "hint", hint);
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
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_line(cli, "warning", msg);
}

void cli_note(struct cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (cli->json)
		return;
	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_line(cli, "", msg);
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

void cli_cmd_usage(const struct cli *cli, const struct cli_object *obj,
		   const struct cli_cmd *cmd, FILE *f)
{
	if (cmd->help) {
		cmd->help(cli, f);
		return;
	}
	fprintf(f, "Usage: %s %s %s%s%s\n\n%s.\n", cli->prog, obj->name, cmd->name,
		cmd->synopsis && *cmd->synopsis ? " " : "", cmd->synopsis ? cmd->synopsis : "",
		cmd->summary);
	if (obj->notes)
		fprintf(f, "\n%s", obj->notes);
	fprintf(f, "\nGlobal options: -j|--json, -p|--pretty, -d|--debug (see '%s help').\n",
		cli->prog);
}

/* ---- arguments ----------------------------------------------------------- */

/* s: digits of base only, at least one, no overflow. */
static bool parse_digits(const char *s, unsigned int base, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool is_hex_prefix(const char *s)
{
	return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	if (!s)
		return false;
	if (is_hex_prefix(s))
		return parse_digits(s + 2, 16, out);
	/* "010": 8 to strtoull(), 10 to whoever typed it; neither is taken. */
	if (s[0] == '0' && s[1])
		return false;
	return parse_digits(s, 10, out);
}

const char *cli_parse_id(const char *s, uint64_t max, uint64_t *out)
{
	static char too_large[64];
	uint64_t v;
	size_t i;

	if (!s || !*s)
		return "is empty";
	for (i = 0; s[i]; i++)
		if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			return "has blanks";
	if (s[0] == '+' || s[0] == '-')
		return "has a sign";
	if (is_hex_prefix(s))
		return "is hex";
	if (s[strspn(s, "0123456789")])
		return "is not a decimal number";
	if (s[0] == '0' && s[1])
		return "has a leading zero";
	if (!parse_digits(s, 10, &v) || v > max) {
		snprintf(too_large, sizeof(too_large), "is too large (at most %" PRIu64 ")", max);
		return too_large;
	}
	*out = v;
	return NULL;
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

	if (capture.cli && capture.cli->debug) {
		/* Whole (a verifier log comes in one piece); its names are the object's: escaped. */
		char *all = NULL;

		len = vasprintf(&all, fmt, ap);
		if (len < 0)
			return 0;
		cli_fputs_esc(capture.cli->err, all, CLI_ESC_LINES);
		free(all);
		return len;
	}
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
	char saved;

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
	/* The log quotes the object's names and source lines: escaped. */
	saved = *end;
	*(char *)end = '\0';
	cli_fputs_esc(cli->err, p, CLI_ESC_LINES);
	*(char *)end = saved;
	fputc('\n', cli->err);
}

/* ---- utilities ----------------------------------------------------------- */

void cli_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = strlen(src);

	if (!len)
		return;
	if (n >= len)
		n = json_utf8_cut(src, len - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Up to max + 1 bytes of fd (one more than allowed tells "too large"); NULL with errno. */
static char *read_bounded(int fd, size_t max, size_t *len)
{
	size_t cap = 4096, n = 0, want;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (!buf || n + 1 >= cap) {
			if (buf)
				cap = cap > (max + 2) / 2 ? max + 2 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb)
				goto fail;
			buf = nb;
		}
		want = cap - n - 1;
		if (want > max + 1 - n)
			want = max + 1 - n;
		r = read(fd, buf + n, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		n += r;
		if (!r || n > max)
			break;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* What cli_read_file() refuses to read at all, by path: errno, or 0. */
static int refuse_kind(const struct stat *st, bool is_stdin, size_t max)
{
	if (S_ISDIR(st->st_mode))
		return EISDIR;
	/* /dev/zero, a disk, a terminal by name: no policy or export comes from one. */
	if (!is_stdin && (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISSOCK(st->st_mode)))
		return ENODEV;
	/* /proc files say 0 and are read (bounded) like FIFOs. */
	if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > max)
		return EFBIG;
	return 0;
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
	bool is_stdin = !strcmp(path, "-");
	struct stat st;
	size_t n = 0;
	char *buf = NULL;
	int fd, err = 0;

	fd = is_stdin ? dup(0) : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st))
		err = errno;
	else
		err = refuse_kind(&st, is_stdin, max);
	if (!err) {
		buf = read_bounded(fd, max, &n);
		if (!buf)
			err = errno;
		else if (n > max)
			err = EFBIG;
	}
	close(fd);
	if (err) {
		free(buf);
		errno = err;
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}

const char *cli_size_name(size_t n, char *buf, size_t len)
{
	if (n >= (1u << 20) && !(n % (1u << 20)))
		snprintf(buf, len, "%zu MiB", n >> 20);
	else if (n >= 1024 && !(n % 1024))
		snprintf(buf, len, "%zu KiB", n >> 10);
	else
		snprintf(buf, len, "%zu bytes", n);
	return buf;
}

static const char *file_type_name(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return "not a regular file";
	if (S_ISCHR(st.st_mode))
		return "a character device";
	if (S_ISBLK(st.st_mode))
		return "a block device";
	return "a socket";
}

int cli_input_too_large(struct cli *cli, const char *path, const char *what, size_t max)
{
	const char *name = strcmp(path, "-") ? path : "standard input";
	char lim[32], hint[160];

	cli_size_name(max, lim, sizeof(lim));
	snprintf(hint, sizeof(hint), "is it the %s you meant? smccc-bpf reads at most %s of one "
		 "(smccc-bpf(8), LIMITS)", what, lim);
	return cli_fail(cli, CLI_EXIT_ERROR, hint, "cannot read %s %s: larger than %s, the limit "
			"of %s %s", what, name, lim, strchr("aeiou", what[0]) ? "an" : "a", what);
}

int cli_read_input(struct cli *cli, const char *path, const char *what, size_t max,
		   char **text, size_t *len)
{
	const char *name = strcmp(path, "-") ? path : "standard input";
	char hint[160];
	int err;

	*text = cli_read_file(path, max, len);
	if (*text)
		return CLI_EXIT_OK;
	err = errno;
	switch (err) {
	case EFBIG:
		return cli_input_too_large(cli, path, what, max);
	case ENODEV:
		snprintf(hint, sizeof(hint), "give a file; '-' reads standard input");
		return cli_fail(cli, CLI_EXIT_ERROR, hint, "cannot read %s %s: it is %s, not a "
				"file", what, name, file_type_name(path));
	case ENOENT:
		return cli_fail(cli, CLI_EXIT_NOENT, NULL, "cannot read %s %s: %s", what, name,
				strerror(err));
	}
	return cli_fail(cli, CLI_EXIT_ERROR, NULL, "cannot read %s %s: %s", what, name,
			strerror(err));
}

/* ---- untrusted text -------------------------------------------------------- */

/* The bidirectional embeddings, overrides and isolates: they reorder what follows them. */
static bool is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * How the character at s (n > 0 bytes left) is shown: into out; returns
 * how many bytes of s it stands for.
 */
static size_t esc_unit(const char *s, size_t n, unsigned int flags, char out[16])
{
	size_t len, i;
	uint32_t cp;

	len = json_utf8_char(s, n, &cp);
	if (!len) {
		snprintf(out, 16, "\\x%02x", (unsigned char)s[0]);
		return 1;
	}
	if ((cp == '\n' || cp == '\t') && (flags & CLI_ESC_LINES))
		snprintf(out, 16, "%c", (char)cp);
	else if (cp == '\n')
		snprintf(out, 16, "\\n");
	else if (cp == '\t')
		snprintf(out, 16, "\\t");
	else if (cp == '\r')
		snprintf(out, 16, "\\r");
	else if (cp < 0x20 || cp == 0x7f)
		snprintf(out, 16, "\\x%02x", (unsigned int)cp);
	else if (cp >= 0x80 && cp <= 0x9f)	/* C1: 0x9b is CSI to some terminals */
		snprintf(out, 16, "\\x%02x\\x%02x", (unsigned char)s[0], (unsigned char)s[1]);
	else if (is_bidi_control(cp))
		snprintf(out, 16, "\\u%04x", (unsigned int)cp);
	else {
		for (i = 0; i < len; i++)
			out[i] = s[i];
		out[len] = '\0';
	}
	return len;
}

void cli_fputs_esc(FILE *f, const char *s, unsigned int flags)
{
	size_t left = s ? strlen(s) : 0, used;
	char out[16];

	if (!s) {
		fputs("(null)", f);
		return;
	}
	while (left) {
		used = esc_unit(s, left, flags, out);
		fputs(out, f);
		s += used;
		left -= used;
	}
}

#define ESC_RING	8

const char *cli_esc(const char *s)
{
	static char *ring[ESC_RING];
	static unsigned int next;
	size_t left, used, n = 0;
	char out[16], *buf;

	if (!s)
		return "(null)";
	left = strlen(s);
	/* Each input byte becomes at most 4 ("\xff"). */
	buf = malloc(4 * left + 1);
	if (!buf)
		return "?";
	while (left) {
		used = esc_unit(s, left, 0, out);
		memcpy(buf + n, out, strlen(out));
		n += strlen(out);
		s += used;
		left -= used;
	}
	buf[n] = '\0';
	free(ring[next]);
	ring[next] = buf;
	next = (next + 1) % ESC_RING;
	return buf;
}

#define EM_BPF_MACHINE	247	/* <elf.h> EM_BPF */
#define SNIFF_LEN	4096

/* Bytes of s[0..n) that no text holds: controls but white space, and non-UTF-8. */
static size_t non_text_bytes(const char *s, size_t n)
{
	size_t i = 0, bad = 0, len;
	uint32_t cp;

	while (i < n) {
		len = json_utf8_char(s + i, n - i, &cp);
		if (!len) {
			bad++;
			i++;
			continue;
		}
		if ((cp < 0x20 && !strchr("\t\n\r\f\v", (int)cp)) || cp == 0x7f)
			bad++;
		i += len;
	}
	return bad;
}

const char *cli_binary_kind(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = len < SNIFF_LEN ? len : SNIFF_LEN;
	unsigned int machine;

	if (len >= 4 && !memcmp(s, "\177ELF", 4)) {
		if (len < 20)
			return "a truncated ELF file";
		/* e_machine, in the byte order of EI_DATA (2: big endian) */
		machine = u[5] == 2 ? (u[18] << 8 | u[19]) : (u[19] << 8 | u[18]);
		return machine == EM_BPF_MACHINE ? "an ELF BPF object" :
		       "an ELF file of another machine than BPF (a program or a library)";
	}
	/* An editor's "Unicode": its NULs are no binary data, but it is no UTF-8 either. */
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return "UTF-16 text (save it as UTF-8)";
	if (memchr(s, '\0', len))
		return "binary data (it holds NUL bytes)";
	/* A few stray bytes are a typo for the compiler to point at; this many are not text. */
	if (n && non_text_bytes(s, n) * 8 > n)
		return "binary data (mostly bytes that are not text)";
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

/* "--OPT: 'VAL' is not WHAT: it WHY; HOW": a usage error that names the argument. */
static int bad_number(struct cli *cli, const char *object, const char *opt, const char *val,
		      const char *what, const char *why, const char *how)
{
	return cli_usage_error(cli, object, "--%s: '%s' is not %s: it %s; %s", opt, val, what,
			       why, how);
}

/* One of --vm ID, --pid PID, --global into t; --pid and --vm may go together. */
static int parse_target(struct cli *cli, const char *object, const char *name, const char *val,
			struct cli_target *t)
{
	const char *why;
	uint64_t v = 0;

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
		why = cli_parse_id(val, UINT64_MAX, &v);
		if (!why && v == SMCCC_BPF_VM_ID_GLOBAL)
			why = "is 0, the host-wide default's id (that is --global)";
		if (why)
			return bad_number(cli, object, "vm", val, "a VM id", why, "VM ids are "
					  "decimal, 1, 2, ..., as 'vm list' shows them");
		t->vm_id = v;
	} else {
		why = cli_parse_id(val, INT32_MAX, &v);
		if (!why && !v)
			why = "is 0";
		if (why)
			return bad_number(cli, object, "pid", val, "a process id", why,
					  "give the VMM's pid in decimal");
		t->pid = v;
	}
	t->set = true;
	return 0;
}

/* "1.5": digits, with at most one decimal point; no sign, exponent, hex or blanks. */
static bool parse_seconds(const char *s, double *out)
{
	size_t digits = strspn(s, "0123456789"), frac = 0;
	char *end;

	if (s[digits] == '.')
		frac = strspn(s + digits + 1, "0123456789") + 1;
	if (!digits && frac <= 1)
		return false;
	if (s[digits + frac])
		return false;
	errno = 0;
	*out = strtod(s, &end);
	return !errno && !*end && *out <= 1e9;
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
			uint64_t v = 0;
			const char *why = cli_parse_id(val, UINT32_MAX, &v);

			if (why)
				return bad_number(cli, object, "vcpu", val, "a vCPU id", why,
						  "vCPU ids are decimal, 0, 1, ...");
			a->has_vcpu = true;
			a->vcpu = v;
		} else if (!strcmp(name, "count")) {
			const char *why = cli_parse_id(val, UINT64_MAX, &a->count);

			if (!why && !a->count)
				why = "is 0";
			if (why)
				return bad_number(cli, object, "count", val, "a positive number",
						  why, "give 1, 2, ... in decimal");
			a->has_count = true;
		} else if (!strcmp(name, "timeout")) {
			if (!parse_seconds(val, &a->timeout))
				return cli_usage_error(cli, object,
						       "--timeout: '%s' is not a number of seconds "
						       "(0, 2, 1.5: decimal, at most 1e9)", val);
			a->has_timeout = true;
		} else if (!strcmp(name, "over-limit")) {
			a->over_limit = true;
		}
	}
	return a->target.pid ? resolve_pid(cli, &a->target) : 0;
}
