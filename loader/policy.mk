# SPDX-License-Identifier: GPL-2.0
#
# The policy language library (plain C11 + libc): lexer, parser, named
# services, compiler, reference evaluator, diff. Paths relative to the
# repository root; the top-level Makefile and selftests/host include this.
POLICY_LIB_SRCS := loader/policy_lexer.c loader/policy_parser.c loader/policy_services.c \
	loader/policy_compile.c loader/policy_eval.c loader/policy_diff.c
# Pinned guest ABIs: the table of KVM/arm64 releases and the baseline generator.
POLICY_LIB_SRCS += loader/policy_baseline.c
