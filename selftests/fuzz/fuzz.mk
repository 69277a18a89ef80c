# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer harnesses (selftests/fuzz/fuzz_*.c), built with clang and
# -fsanitize=fuzzer,address,undefined (Debian: libclang-rt-14-dev):
#   fuzz_policy_compile  policy text: the compiler; what compiles is decided by
#                        the host test program and the evaluator, which must
#                        agree (needs root for BPF)
#   fuzz_import_reader   any bytes: the export document reader of policy import
# Seed corpora: selftests/fuzz/corpus/{policy,import}/; dictionaries
# selftests/fuzz/{policy,import}.dict. Included by the top-level Makefile.
#
#   make fuzz            build both
#   make fuzz-smoke      each for FUZZ_SECONDS (default 60) on a copy of its
#                        seeds in $(BUILD)/fuzz/smoke (part of make test)
#   make fuzz-campaign   each for FUZZ_SECONDS (default 1800), the corpora
#                        kept in $(SMCCC_CACHE)/fuzz-corpus so they grow
#                        across runs
# FUZZ_ARGS adds libFuzzer flags ("-jobs=2 -workers=2", "-runs=1000").
# A crash leaves its input in $(BUILD)/fuzz/artifacts/; rerun it with
# $(BUILD)/fuzz/fuzz_NAME FILE.

FUZZ_OUT := $(BUILD)/fuzz
FUZZ_CC ?= $(CLANG)
FUZZ_CFLAGS := -g -O1 -std=gnu11 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Iinclude -Iloader
FUZZ_ARGS ?=
FUZZ_CORPUS_CACHE := $(SMCCC_CACHE)/fuzz-corpus
FUZZ_NAMES := policy_compile import_reader
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_NAMES))
# Each harness's seeds and dictionary (corpus/NAME, NAME.dict) and its
# largest input: FUZZ_MAX_TEXT in fuzz_policy_compile.c; an export document
# of a few policies' worth for the reader.
FUZZ_SEEDS_policy_compile := policy
FUZZ_SEEDS_import_reader := import
FUZZ_MAX_LEN_policy_compile := 4096
FUZZ_MAX_LEN_import_reader := 16384

# The host test program's skeleton comes from selftests/host (prog.mk), as
# for test_policy_prog: its rules run there, whenever this is built (the
# make below does nothing when it is up to date, and what depends on it is
# rebuilt only when it changed).
FUZZ_HOST_BUILD := $(BUILD)/host
FUZZ_SKEL := $(FUZZ_HOST_BUILD)/prog/policy_test.skel.h
FUZZ_PROG_CFLAGS := -DSMCCC_POLICY_MAPS_NO_SKEL -I$(dir $(FUZZ_SKEL)) -Ibpf \
	-I$(TOOLS)/host/include

.PHONY: fuzz fuzz-smoke fuzz-campaign fuzz-skel-make \
	$(addprefix fuzz-smoke-,$(FUZZ_NAMES)) $(addprefix fuzz-campaign-,$(FUZZ_NAMES))

fuzz: $(FUZZ_BINS)

fuzz-skel-make:
$(FUZZ_SKEL): fuzz-skel-make
	$(Q)$(MAKE) -q -C selftests/host BUILD=$(FUZZ_HOST_BUILD) $@ || \
		$(MAKE) -C selftests/host BUILD=$(FUZZ_HOST_BUILD) $@

$(FUZZ_OUT)/fuzz_policy_compile: selftests/fuzz/fuzz_policy_compile.c $(POLICY_LIB_SRCS) \
		$(POLICY_MAPS_SRCS) $(FUZZ_SKEL) $(wildcard loader/*.h) $(wildcard include/*.h) \
		bpf/policy_decide.bpf.h
	$(call msg,FUZZER,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_PROG_CFLAGS) $< $(POLICY_LIB_SRCS) \
		$(POLICY_MAPS_SRCS) $(TOOLS)/host/libbpf.a -lelf -lz -o $@

FUZZ_IMPORT_SRCS := loader/migrate_doc.c loader/json_reader.c loader/json_writer.c

$(FUZZ_OUT)/fuzz_import_reader: selftests/fuzz/fuzz_import_reader.c $(FUZZ_IMPORT_SRCS) \
		$(wildcard loader/*.h) $(wildcard include/*.h)
	$(call msg,FUZZER,$@)
	$(Q)mkdir -p $(@D) && $(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_IMPORT_SRCS) -o $@

# $(1): harness name, $(2): seconds, $(3): corpus directories (new inputs
# go to the first), $(4): log name, $(5): environment (SMCCC_FUZZ_SMOKE=1
# lets a harness that cannot run here, without BPF, skip).
define fuzz_run
	$(Q)$(5) selftests/fuzz/run-fuzzer.sh --seconds $(2) --log $(FUZZ_OUT)/$(1)-$(4).log \
		--artifacts $(FUZZ_OUT)/artifacts/$(1)- \
		--dict selftests/fuzz/$(FUZZ_SEEDS_$(1)).dict --max-len $(FUZZ_MAX_LEN_$(1)) \
		$(FUZZ_OUT)/fuzz_$(1) $(3) -- $(FUZZ_ARGS)
endef

fuzz-smoke: $(addprefix fuzz-smoke-,$(FUZZ_NAMES))
fuzz-campaign: $(addprefix fuzz-campaign-,$(FUZZ_NAMES))

$(addprefix fuzz-smoke-,$(FUZZ_NAMES)): fuzz-smoke-%: $(FUZZ_OUT)/fuzz_%
	$(Q)rm -rf $(FUZZ_OUT)/smoke/$* && mkdir -p $(FUZZ_OUT)/smoke/$* && \
		cp selftests/fuzz/corpus/$(FUZZ_SEEDS_$*)/* $(FUZZ_OUT)/smoke/$*/
	$(call fuzz_run,$*,$(or $(FUZZ_SECONDS),60),$(FUZZ_OUT)/smoke/$*,smoke,SMCCC_FUZZ_SMOKE=1)

FUZZ_CAMPAIGN_DIRS = $(FUZZ_CORPUS_CACHE)/$(FUZZ_SEEDS_$*) selftests/fuzz/corpus/$(FUZZ_SEEDS_$*)

$(addprefix fuzz-campaign-,$(FUZZ_NAMES)): fuzz-campaign-%: $(FUZZ_OUT)/fuzz_%
	$(call fuzz_run,$*,$(or $(FUZZ_SECONDS),1800),$(FUZZ_CAMPAIGN_DIRS),campaign,)
