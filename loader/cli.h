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

/* A non-negative integer, decimal or 0x hex, whole string; false otherwise. */
bool cli_parse_u64(const char *s, uint64_t *out);

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

/* strlcpy(): copies at most len - 1 bytes, always terminates. */
void cli_strlcpy(char *dst, const char *src, size_t len);

/* Whole file into a NUL-terminated buffer; NULL with errno. */
char *cli_read_file(const char *path, size_t *len);

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
