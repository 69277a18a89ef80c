/* SPDX-License-Identifier: GPL-2.0 */
/*
 * smccc-bpf policy language: the named services, functions and constants.
 *
 * Function IDs follow the SMC Calling Convention (Arm DEN0028): bit 31
 * fast call, bit 30 SMC64, bits 29:24 the owning entity, bits 15:0 the
 * function number. A service names every fast-call function number
 * (0x0000-0xffff) of its owners in both conventions unless noted; a
 * function names one ID, or its SMC32 and SMC64 IDs when it has both
 * ("psci.cpu_on" is both, "psci.cpu_on32" and "psci.cpu_on64" one each).
 */
#ifndef __SMCCC_POLICY_SERVICES_H
#define __SMCCC_POLICY_SERVICES_H

#include <stddef.h>
#include <stdint.h>

struct smccc_id_range {
	uint32_t first;
	uint32_t last;
};

struct smccc_service {
	const char *name;
	const char *desc;
	const char *source;		/* where the ranges come from */
	const struct smccc_id_range *ranges;	/* sorted, disjoint */
	unsigned int nr_ranges;
};

struct smccc_function {
	const char *name;		/* "psci.cpu_on" */
	uint32_t id32;			/* SMC32 ID, 0 if none */
	uint32_t id64;			/* SMC64 ID, 0 if none */
	unsigned int kvm;		/* KVM implements it */
	const char *desc;
};

struct smccc_constant {
	const char *name;
	uint64_t value;
	const char *desc;
};

/* The whole tables, for documentation and listings. */
const struct smccc_service *smccc_services(size_t *nr);
const struct smccc_function *smccc_functions(size_t *nr);
const struct smccc_constant *smccc_constants(size_t *nr);

/* By exact name; NULL if unknown. */
const struct smccc_service *smccc_service_find(const char *name);
const struct smccc_constant *smccc_constant_find(const char *name);

/*
 * A function by name, also "NAME32"/"NAME64" for one variant of a
 * function that has both. Fills ids[] (1 or 2 IDs, ascending) and returns
 * how many; 0 if unknown.
 */
int smccc_function_ids(const char *name, uint32_t ids[2]);

/*
 * The name of one function ID ("psci.cpu_on64", "kvm.ptp"), or NULL.
 * smccc_id_describe() also names IDs no function has by their service
 * ("sip", "vendor-hyp"...), writing at most len bytes; returns buf.
 */
const char *smccc_function_name(uint32_t id, char *buf, size_t len);
const char *smccc_id_describe(uint32_t id, char *buf, size_t len);

/* What a misspelt name probably meant: a service, function or constant, or NULL. */
enum smccc_name_kind {
	SMCCC_NAME_SERVICE = 1 << 0,
	SMCCC_NAME_FUNCTION = 1 << 1,
	SMCCC_NAME_CONSTANT = 1 << 2,
};
const char *smccc_suggest(const char *name, unsigned int kinds);

/* Edit distance (Damerau: insert, delete, substitute, transpose), capped at max + 1. */
unsigned int smccc_edit_distance(const char *a, const char *b, unsigned int max);

#endif /* __SMCCC_POLICY_SERVICES_H */
