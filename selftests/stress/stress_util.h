/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stress tests share: their "ok"/"not ok" lines and closing
 * "N passed, N failed", the BPF objects bpftool would list, and kmemleak.
 */
#ifndef __SMCCC_STRESS_UTIL_H
#define __SMCCC_STRESS_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* One "ok N - ..." or "not ok N - ..." line. */
void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One "ok N - what # SKIP why" line. */
void check_skip(const char *what, const char *why);
/* Prints "N passed, N failed"; the exit status: 1 if anything failed. */
int check_summary(void);

/* The IDs of BPF programs, maps and links (as bpftool lists them). */
int bpf_prog_count(void);
int bpf_map_count(void);
int bpf_link_count(void);

/* Whether this kernel has kmemleak (debugfs mounted). */
bool kmemleak_present(void);
/* Forgets the objects reported so far: only later leaks count. */
void kmemleak_clear(void);
/* Scans (twice) and counts the leaks reported; the first in first. -1 on error. */
int kmemleak_leaks(char *first, size_t len);

#endif
