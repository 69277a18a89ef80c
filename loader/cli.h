/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smccc-bpf command line tool: what its parts share.
 *
 * smccc-bpf.c parses the global options and dispatches OBJECT COMMAND to
 * the command tables of cli_vm.c, cli_policy.c, cli_stats.c and
 * cli_events.c; those call the library: the policy language (policy_*.c),
 * the generic program's loader (policy_maps.c) and the pin store
 * (cli_pins.c). Nothing but smccc-bpf.c defines main().
 */
#ifndef __SMCCC_CLI_H
#define __SMCCC_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json_writer.h"
#include "policy_compile.h"

#define SMCCC_BPF_CLI_VERSION	"0.1.0"

/*
 * Exit codes (docs/smccc-bpf.8, "smccc-bpf help"). Every refusal says why
 * on stderr (with -j: {"error": ...} on stdout).
 */
enum cli_exit {
	CLI_EXIT_OK		= 0,
	CLI_EXIT_ERROR		= 1,	/* anything not listed below */
	CLI_EXIT_USAGE		= 2,	/* bad command line */
	CLI_EXIT_POLICY		= 3,	/* the policy file does not compile */
	CLI_EXIT_NOENT		= 4,	/* no such VM, nothing attached, no such file */
	CLI_EXIT_BUSY		= 5,	/* a policy is already attached */
	CLI_EXIT_PERM		= 6,	/* not privileged: capabilities, ptrace rights on the VMM */
	CLI_EXIT_SYSTEM		= 7,	/* kernel without smccc-bpf, bpffs or /proc missing */
	CLI_EXIT_VERIFIER	= 8,	/* the verifier rejected the program */
	CLI_EXIT_UNSUPPORTED	= 9,	/* not for this kind of policy (export of a BPF object) */
};

struct cli {
	bool json;		/* -j */
	bool pretty;		/* -p (implies -j) */
	bool debug;		/* -d: libbpf debug output, verifier logs */
	FILE *out;		/* results (stdout) */
	FILE *err;		/* messages (stderr) */
	struct json_writer *jw;	/* with -j, on out */
	/* Where things are; overridable (environment) for tests. */
	const char *proc;	/* SMCCC_BPF_PROC, default /proc: where the VM fds are */
	const char *pin_root;	/* SMCCC_BPF_PIN_ROOT, default SMCCC_BPF_PIN_DIR */
	const char *btf_path;	/* SMCCC_BPF_VMLINUX_BTF, default /sys/kernel/btf/vmlinux */
	/* set by cli_fail(): an error was already reported */
	bool failed;
	/* Rendered in "help" texts: the program's name. */
	const char *prog;
};

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);	/* argv[0]: command */
	const char *synopsis;	/* arguments, for usage */
	const char *summary;	/* one line */
	/*
	 * "OBJECT COMMAND --help" (or -h, anywhere before "--"): the command's
	 * own help; NULL: the usage line, the summary and the object's notes.
	 * The dispatcher answers it: fn never sees --help.
	 */
	void (*help)(const struct cli *cli, FILE *f);
};

struct cli_object {
	const char *name;
	const struct cli_cmd *cmds;	/* NULL-terminated */
	/* Command run when none is given ("stats" alone); NULL: usage. */
	const char *default_cmd;
	const char *summary;
	/* Object-specific notes for "OBJECT help" (may be NULL). */
	const char *notes;
};

extern const struct cli_object cli_vm_object;
extern const struct cli_object cli_policy_object;
extern const struct cli_object cli_stats_object;
extern const struct cli_object cli_events_object;

/* Every object, in "smccc-bpf help" order (smccc-bpf.c). */
extern const struct cli_object *const cli_objects[];
extern const size_t cli_nr_objects;

/* "Usage: smccc-bpf OBJECT COMMAND SYNOPSIS" and the command's help, to f. */
void cli_cmd_usage(const struct cli *cli, const struct cli_object *obj,
		   const struct cli_cmd *cmd, FILE *f);

/* The whole tool: what main() runs; returns the exit code. */
int smccc_bpf_main(int argc, char **argv, FILE *out, FILE *err);

/* ---- messages (cli_util.c) --------------------------------------------- */

/*
 * Reports an error and returns code: "smccc-bpf: error: MSG" and, if hint
 * is set, "smccc-bpf: hint: HINT" on err; with -j, {"error": MSG,
 * "hint": HINT, "exit": code} on out.
 */
int cli_fail(struct cli *cli, int code, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "smccc-bpf: warning: ..." on err (also with -j). */
void cli_warn(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "smccc-bpf: note: ..." on err unless -j. */
void cli_note(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Usage error: the message, "see 'smccc-bpf OBJECT help'"; CLI_EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prints "OBJECT COMMAND..." usage of obj to f. */
void cli_object_usage(const struct cli *cli, const struct cli_object *obj, FILE *f);

/* ---- argument helpers (cli_util.c) ------------------------------------- */

/*
 * A value (function ID, register, constant): decimal or 0x hex, the whole
 * string, no sign, no blanks, no overflow. A decimal with a leading zero
 * ("010") is refused rather than guessed at: octal to C, decimal to
 * people. False otherwise.
 */
bool cli_parse_u64(const char *s, uint64_t *out);

/*
 * An id (VM, process, vCPU, fd, map) or a count: strict decimal, digits
 * only, no leading zero but "0" itself, at most max. An id that reads as
 * another number than the one written would name another VM. Returns
 * NULL and sets *out, or why not ("has a leading zero", ...), for the
 * message that names the argument.
 */
const char *cli_parse_id(const char *s, uint64_t max, uint64_t *out);

/* --vm ID | --pid PID [--vm ID] | --global, as the policy commands take them. */
struct cli_target {
	bool set;
	bool global;
	uint64_t vm_id;		/* SMCCC_BPF_VM_ID_GLOBAL if global */
	int pid;		/* --pid: the VMM holding the VM, else 0 */
};

/* What a command's options and arguments can be (cli_parse_args). */
#define CLI_ARG_TARGET		(1u << 0)	/* --vm ID | --pid PID | --global */
#define CLI_ARG_VM		(1u << 1)	/* --vm ID | --pid PID */
#define CLI_ARG_CONDUIT		(1u << 2)	/* --conduit hvc|smc */
#define CLI_ARG_VCPU		(1u << 3)	/* --vcpu N */
#define CLI_ARG_COUNT		(1u << 4)	/* --count N */
#define CLI_ARG_TIMEOUT		(1u << 5)	/* --timeout SECS */
#define CLI_ARG_OVER_LIMIT	(1u << 6)	/* --over-limit */

#define CLI_MAX_POS		32

struct cli_args {
	struct cli_target target;
	unsigned int conduit;	/* SMCCC_BPF_CONDUIT_*, HVC unless given */
	bool has_vcpu;
	uint32_t vcpu;
	bool has_count;
	uint64_t count;
	bool has_timeout;
	double timeout;		/* seconds */
	bool over_limit;
	int nr_pos;
	char *pos[CLI_MAX_POS];	/* positional arguments, in order */
};

/*
 * Parses a command's arguments (argv[0] is the command): long options
 * "--opt VALUE" or "--opt=VALUE" anywhere among the positional arguments,
 * "--" ends the options; a word starting with '-' followed by a digit is
 * positional (a number). Options not in `allowed` are refused. --pid PID
 * is resolved here to its VM's id (cli_vm_lookup(), /proc), so that every
 * command keys on the VM id. Returns 0, or an exit code after reporting
 * the problem (CLI_EXIT_USAGE; for --pid, those of cli_vm_lookup()).
 */
int cli_parse_args(struct cli *cli, const char *object, int argc, char **argv,
		   unsigned int allowed, struct cli_args *a);

/* "vm-ID" or "global". */
const char *cli_target_name(const struct cli_target *t, char *buf, size_t len);
/* "VM 3" or "the host-wide default". */
const char *cli_target_desc(const struct cli_target *t, char *buf, size_t len);

/* ---- the environment (cli_util.c) -------------------------------------- */

/*
 * The running kernel has the smccc-bpf hook: kvm_smccc_ops in its BTF.
 * Otherwise reports it and returns CLI_EXIT_SYSTEM.
 */
int cli_check_kernel(struct cli *cli);
/* The pin root's filesystem is bpffs; otherwise reports it (CLI_EXIT_SYSTEM). */
int cli_check_bpffs(struct cli *cli);

/* What an EPERM for t means: the capabilities its attach needs, and which it does not. */
const char *cli_perm_hint(const struct cli_target *t);
/* Maps an errno from loading or attaching to an exit code and a message. */
int cli_fail_errno(struct cli *cli, int err, const struct cli_target *t, const char *what);

/* ---- libbpf output (cli_util.c) ---------------------------------------- */

/* Routes libbpf's messages: to err with -d, else into a buffer for later. */
void cli_libbpf_capture(struct cli *cli);
/* Forgets what was captured. */
void cli_libbpf_reset(void);
/* Whether the capture holds a verifier log. */
bool cli_libbpf_has_verifier_log(void);
/* Prints the last lines of the verifier log (or of libbpf's messages) to err. */
void cli_libbpf_print_tail(struct cli *cli, unsigned int lines);

/* ---- small utilities (cli_util.c) -------------------------------------- */

/* strlcpy(): copies at most len - 1 bytes, never half a UTF-8 character, always terminates. */
void cli_strlcpy(char *dst, const char *src, size_t len);

/*
 * The most each input may hold (docs/smccc-bpf.8, LIMITS): nothing is read
 * without a bound, /dev/zero and a FIFO fed forever included.
 *   a policy file: 16 MiB, room for the 128 Ki rules a policy may have
 *   a BPF object (policy attach/replace): 64 MiB
 *   an export document: 128 MiB, room for the largest export (its source
 *     escaped, 65536 counters, 65536 rate buckets; policy export checks it)
 *   a /proc file (fdinfo, comm): 64 KiB, far above what the kernel writes
 */
#define CLI_MAX_POLICY_FILE	POLICY_MAX_TEXT
#define CLI_MAX_BPF_OBJECT	(64u << 20)
#define CLI_MAX_EXPORT_DOC	(128u << 20)
#define CLI_MAX_PROC_FILE	(64u << 10)

/*
 * Whole file ("-": standard input) into a NUL-terminated buffer, reading
 * at most max + 1 bytes. NULL with errno: EFBIG, more than max bytes;
 * ENODEV, a character or block device or a socket named by path (not
 * "-"); EISDIR; or what open() and read() said. FIFOs are read (bounded):
 * "policy check <(generate)" is one.
 */
char *cli_read_file(const char *path, size_t max, size_t *len);

/*
 * cli_read_file() of an input the user named, what ("policy file",
 * "export document") in the messages: CLI_EXIT_OK with *text and *len
 * set, or reports why not (which file, the limit, what to do) and
 * returns the exit code (CLI_EXIT_NOENT: no such file).
 */
int cli_read_input(struct cli *cli, const char *path, const char *what, size_t max,
		   char **text, size_t *len);

/* Reports that path, a what, is larger than max bytes (as cli_read_input() does). */
int cli_input_too_large(struct cli *cli, const char *path, const char *what, size_t max);

/* "16 MiB", "64 KiB", "100 bytes": a limit for messages. */
const char *cli_size_name(size_t n, char *buf, size_t len);

/*
 * Untrusted text for the terminal: names and paths from files, pins, the
 * kernel or the command line. C0 controls, DEL, C1 controls (U+0080 to
 * U+009F), bidirectional overrides and bytes that are not UTF-8 come out
 * as \xHH (\n, \t, \r, \u202E): text output cannot move the cursor,
 * recolour, retitle or hide a line. CLI_ESC_LINES keeps \n and \t
 * (multi-line text: compiler diagnostics). JSON output needs none of
 * this: json_writer escapes.
 */
#define CLI_ESC_LINES	(1u << 0)
void cli_fputs_esc(FILE *f, const char *s, unsigned int flags);
/*
 * The same as a string, for printf arguments; valid until 8 more calls
 * (a small ring: several in one printf are fine). Never NULL ("(null)"
 * for NULL, "?" when out of memory).
 */
const char *cli_esc(const char *s);

/* s[0..len) is a binary file, not text: what it is ("an ELF BPF object", ...), or NULL. */
const char *cli_binary_kind(const char *s, size_t len);

#define CLI_SHA256_LEN	32
void cli_sha256(const void *data, size_t len, uint8_t out[CLI_SHA256_LEN]);
/* 64 hex digits + NUL. */
void cli_hex(const uint8_t *b, size_t n, char *out);

/* Action and reason names of include/smccc_policy.h, lower case. */
const char *cli_action_name(unsigned int action);
const char *cli_reason_name(unsigned int reason);
const char *cli_conduit_name(unsigned int conduit);

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* __SMCCC_CLI_H */
