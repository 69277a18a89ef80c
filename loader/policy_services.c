// SPDX-License-Identifier: GPL-2.0
/*
 * smccc-bpf policy language: the named services, functions and constants.
 *
 * Sources: Arm DEN0028 (SMC Calling Convention) for the owner ranges;
 * Linux include/linux/arm-smccc.h, include/uapi/linux/psci.h,
 * include/linux/arm_ffa.h, arch/arm64/include/uapi/asm/kvm.h and
 * arch/arm64/kvm/ for the function IDs and what KVM implements.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_services.h"

#define FAST		0x80000000u
#define SMC64		0x40000000u
#define OWNER(o)	((uint32_t)(o) << 24)
/* Function numbers first..last of owner o, SMC32 and SMC64. */
#define R32(o, f, l)	{ FAST | OWNER(o) | (f), FAST | OWNER(o) | (l) }
#define R64(o, f, l)	{ FAST | SMC64 | OWNER(o) | (f), FAST | SMC64 | OWNER(o) | (l) }
#define OWN32(o)	R32(o, 0, 0xffff)
#define OWN64(o)	R64(o, 0, 0xffff)

static const struct smccc_id_range r_arch[] = { OWN32(0), OWN64(0) };
static const struct smccc_id_range r_cpu[] = { OWN32(1), OWN64(1) };
static const struct smccc_id_range r_sip[] = { OWN32(2), OWN64(2) };
static const struct smccc_id_range r_oem[] = { OWN32(3), OWN64(3) };
static const struct smccc_id_range r_std[] = { OWN32(4), OWN64(4) };
static const struct smccc_id_range r_psci[] = { R32(4, 0, 0x1f), R64(4, 0, 0x1f) };
static const struct smccc_id_range r_sdei[] = { R32(4, 0x20, 0x3f), R64(4, 0x20, 0x3f) };
static const struct smccc_id_range r_trng[] = { R32(4, 0x50, 0x5f), R64(4, 0x50, 0x5f) };
static const struct smccc_id_range r_ffa[] = { R32(4, 0x60, 0xff), R64(4, 0x60, 0xff) };
static const struct smccc_id_range r_std_hyp[] = { OWN32(5), OWN64(5) };
static const struct smccc_id_range r_pvtime[] = { R64(5, 0x20, 0x21) };
static const struct smccc_id_range r_vendor_hyp[] = { OWN32(6), OWN64(6) };
static const struct smccc_id_range r_tapps[] = { OWN32(48), OWN32(49), OWN64(48), OWN64(49) };
static const struct smccc_id_range r_tos[] = {
	OWN32(50), OWN32(51), OWN32(52), OWN32(53), OWN32(54), OWN32(55), OWN32(56),
	OWN32(57), OWN32(58), OWN32(59), OWN32(60), OWN32(61), OWN32(62), OWN32(63),
	OWN64(50), OWN64(51), OWN64(52), OWN64(53), OWN64(54), OWN64(55), OWN64(56),
	OWN64(57), OWN64(58), OWN64(59), OWN64(60), OWN64(61), OWN64(62), OWN64(63),
};
static const struct smccc_id_range r_psci01[] = { { 0x95c1ba5e, 0x95c1ba61 } };

#define SVC(n, r, d, s)	{ n, d, s, r, sizeof(r) / sizeof(r[0]) }
#define SVC32(n, r, d, s) { n, d, s, r, 1 }
#define SVC64(n, r, d, s) { n, d, s, r + 1, 1 }

static const struct smccc_service services[] = {
	SVC("arch", r_arch, "Arm architecture calls (SMCCC_VERSION, ARCH_FEATURES, workarounds); KVM's, refused",
	    "DEN0028 owner 0"),
	SVC("cpu", r_cpu, "CPU service calls", "DEN0028 owner 1"),
	SVC("sip", r_sip, "Silicon Partner (SiP) service calls", "DEN0028 owner 2"),
	SVC("oem", r_oem, "OEM service calls", "DEN0028 owner 3"),
	SVC("std-secure", r_std, "Standard Secure service calls (PSCI, SDEI, TRNG, FF-A...)",
	    "DEN0028 owner 4"),
	SVC("psci", r_psci, "PSCI, function numbers 0x00-0x1f",
	    "DEN0028 table 6-4; include/uapi/linux/psci.h"),
	SVC32("psci32", r_psci, "PSCI, SMC32 calls", "DEN0028; include/uapi/linux/psci.h"),
	SVC64("psci64", r_psci, "PSCI, SMC64 calls", "DEN0028; include/uapi/linux/psci.h"),
	SVC("sdei", r_sdei, "Software Delegated Exception Interface, 0x20-0x3f",
	    "DEN0028; include/uapi/linux/arm_sdei.h"),
	SVC("trng", r_trng, "TRNG firmware interface, 0x50-0x5f", "DEN0028; DEN0098"),
	SVC32("trng32", r_trng, "TRNG, SMC32 calls", "DEN0028; DEN0098"),
	SVC64("trng64", r_trng, "TRNG, SMC64 calls", "DEN0028; DEN0098"),
	SVC("ffa", r_ffa, "Firmware Framework for Arm A-profile (FF-A), 0x60-0xff",
	    "DEN0077; arch/arm64/kvm/hyp/include/nvhe/ffa.h FFA_MIN/MAX_FUNC_NUM"),
	SVC32("ffa32", r_ffa, "FF-A, SMC32 calls", "DEN0077"),
	SVC64("ffa64", r_ffa, "FF-A, SMC64 calls", "DEN0077"),
	SVC("std-hyp", r_std_hyp, "Standard Hypervisor service calls", "DEN0028 owner 5"),
	SVC("pvtime", r_pvtime, "Paravirtualised time: PV_TIME_FEATURES, PV_TIME_ST",
	    "DEN0057; include/linux/arm-smccc.h ARM_SMCCC_HV_PV_TIME_*"),
	SVC("vendor-hyp", r_vendor_hyp,
	    "Vendor-specific Hypervisor calls: KVM's own (UID, features, PTP, pKVM)",
	    "DEN0028 owner 6; include/linux/arm-smccc.h ARM_SMCCC_VENDOR_HYP_*"),
	SVC("trusted-apps", r_tapps, "Trusted Application calls", "DEN0028 owners 48-49"),
	SVC("trusted-os", r_tos, "Trusted OS calls", "DEN0028 owners 50-63"),
	SVC("psci-v0.1", r_psci01, "KVM's PSCI 0.1 IDs (CPU_SUSPEND, CPU_OFF, CPU_ON, MIGRATE)",
	    "arch/arm64/include/uapi/asm/kvm.h KVM_PSCI_FN_BASE"),
};

#define STD32(n)	(FAST | OWNER(4) | (n))
#define STD64(n)	(FAST | SMC64 | OWNER(4) | (n))
#define PSCI_BOTH(name, n, kvm, d)	{ "psci." name, STD32(n), STD64(n), kvm, d }
#define PSCI_32(name, n, kvm, d)	{ "psci." name, STD32(n), 0, kvm, d }
#define FFA_BOTH(name, n, d)		{ "ffa." name, STD32(n), STD64(n), 0, d }
#define FFA_32(name, n, d)		{ "ffa." name, STD32(n), 0, 0, d }
#define FFA_64(name, n, d)		{ "ffa." name, 0, STD64(n), 0, d }
#define VH32(n)		(FAST | OWNER(6) | (n))
#define VH64(n)		(FAST | SMC64 | OWNER(6) | (n))

static const struct smccc_function functions[] = {
	/* Arm architecture calls: named so that they can be shown; refused in rules. */
	{ "smccc.version", 0x80000000, 0, 1, "SMCCC_VERSION" },
	{ "smccc.arch_features", 0x80000001, 0, 1, "SMCCC_ARCH_FEATURES" },
	{ "smccc.arch_soc_id", 0x80000002, 0, 0, "SMCCC_ARCH_SOC_ID" },
	{ "smccc.arch_workaround_1", 0x80008000, 0, 1, "SMCCC_ARCH_WORKAROUND_1 (Spectre v2)" },
	{ "smccc.arch_workaround_2", 0x80007fff, 0, 1, "SMCCC_ARCH_WORKAROUND_2 (SSBD)" },
	{ "smccc.arch_workaround_3", 0x80003fff, 0, 1, "SMCCC_ARCH_WORKAROUND_3 (Spectre-BHB)" },

	/* PSCI 1.1 (DEN0022), include/uapi/linux/psci.h; kvm: arch/arm64/kvm/psci.c */
	PSCI_32("version", 0x00, 1, "PSCI_VERSION"),
	PSCI_BOTH("cpu_suspend", 0x01, 1, "CPU_SUSPEND"),
	PSCI_32("cpu_off", 0x02, 1, "CPU_OFF"),
	PSCI_BOTH("cpu_on", 0x03, 1, "CPU_ON"),
	PSCI_BOTH("affinity_info", 0x04, 1, "AFFINITY_INFO"),
	PSCI_BOTH("migrate", 0x05, 0, "MIGRATE"),
	PSCI_32("migrate_info_type", 0x06, 1, "MIGRATE_INFO_TYPE"),
	PSCI_BOTH("migrate_info_up_cpu", 0x07, 0, "MIGRATE_INFO_UP_CPU"),
	PSCI_32("system_off", 0x08, 1, "SYSTEM_OFF"),
	PSCI_32("system_reset", 0x09, 1, "SYSTEM_RESET"),
	PSCI_32("features", 0x0a, 1, "PSCI_FEATURES"),
	PSCI_32("cpu_freeze", 0x0b, 0, "CPU_FREEZE"),
	PSCI_BOTH("cpu_default_suspend", 0x0c, 0, "CPU_DEFAULT_SUSPEND"),
	PSCI_BOTH("node_hw_state", 0x0d, 0, "NODE_HW_STATE"),
	PSCI_BOTH("system_suspend", 0x0e, 1, "SYSTEM_SUSPEND"),
	PSCI_32("set_suspend_mode", 0x0f, 0, "PSCI_SET_SUSPEND_MODE"),
	PSCI_BOTH("stat_residency", 0x10, 0, "PSCI_STAT_RESIDENCY"),
	PSCI_BOTH("stat_count", 0x11, 0, "PSCI_STAT_COUNT"),
	PSCI_BOTH("system_reset2", 0x12, 1, "SYSTEM_RESET2"),
	PSCI_32("mem_protect", 0x13, 0, "MEM_PROTECT"),
	PSCI_BOTH("mem_protect_check_range", 0x14, 0, "MEM_PROTECT_CHECK_RANGE"),

	/* TRNG (DEN0098), include/linux/arm-smccc.h; kvm: arch/arm64/kvm/trng.c */
	{ "trng.version", STD32(0x50), 0, 1, "TRNG_VERSION" },
	{ "trng.features", STD32(0x51), 0, 1, "TRNG_FEATURES" },
	{ "trng.get_uuid", STD32(0x52), 0, 1, "TRNG_GET_UUID" },
	{ "trng.rnd", STD32(0x53), STD64(0x53), 1, "TRNG_RND32 and TRNG_RND64" },

	/* Paravirtualised time (DEN0057); kvm: arch/arm64/kvm/pvtime.c */
	{ "pvtime.features", 0, FAST | SMC64 | OWNER(5) | 0x20, 1, "PV_TIME_FEATURES" },
	{ "pvtime.st", 0, FAST | SMC64 | OWNER(5) | 0x21, 1, "PV_TIME_ST" },

	/* KVM's vendor hypervisor calls, include/linux/arm-smccc.h */
	{ "kvm.uid", VH32(0xff01), 0, 1, "ARM_SMCCC_VENDOR_HYP_CALL_UID (KVM's UID)" },
	{ "kvm.features", VH32(0), 0, 1, "ARM_SMCCC_VENDOR_HYP_KVM_FEATURES" },
	{ "kvm.ptp", VH32(1), 0, 1, "ARM_SMCCC_VENDOR_HYP_KVM_PTP (ptp_kvm)" },
	{ "kvm.hyp_meminfo", 0, VH64(2), 0, "pKVM HYP_MEMINFO (protected guests)" },
	{ "kvm.mem_share", 0, VH64(3), 0, "pKVM MEM_SHARE (protected guests)" },
	{ "kvm.mem_unshare", 0, VH64(4), 0, "pKVM MEM_UNSHARE (protected guests)" },
	{ "kvm.mmio_guard", 0, VH64(7), 0, "pKVM MMIO_GUARD (protected guests)" },

	/* FF-A (DEN0077), include/linux/arm_ffa.h */
	FFA_32("error", 0x60, "FFA_ERROR"),
	FFA_BOTH("success", 0x61, "FFA_SUCCESS"),
	FFA_32("interrupt", 0x62, "FFA_INTERRUPT"),
	FFA_32("version", 0x63, "FFA_VERSION"),
	FFA_32("features", 0x64, "FFA_FEATURES"),
	FFA_32("rx_release", 0x65, "FFA_RX_RELEASE"),
	FFA_BOTH("rxtx_map", 0x66, "FFA_RXTX_MAP"),
	FFA_32("rxtx_unmap", 0x67, "FFA_RXTX_UNMAP"),
	FFA_32("partition_info_get", 0x68, "FFA_PARTITION_INFO_GET"),
	FFA_32("id_get", 0x69, "FFA_ID_GET"),
	FFA_32("msg_poll", 0x6a, "FFA_MSG_POLL"),
	FFA_32("msg_wait", 0x6b, "FFA_MSG_WAIT"),
	FFA_32("yield", 0x6c, "FFA_YIELD"),
	FFA_32("run", 0x6d, "FFA_RUN"),
	FFA_32("msg_send", 0x6e, "FFA_MSG_SEND"),
	FFA_BOTH("msg_send_direct_req", 0x6f, "FFA_MSG_SEND_DIRECT_REQ"),
	FFA_BOTH("msg_send_direct_resp", 0x70, "FFA_MSG_SEND_DIRECT_RESP"),
	FFA_BOTH("mem_donate", 0x71, "FFA_MEM_DONATE"),
	FFA_BOTH("mem_lend", 0x72, "FFA_MEM_LEND"),
	FFA_BOTH("mem_share", 0x73, "FFA_MEM_SHARE"),
	FFA_BOTH("mem_retrieve_req", 0x74, "FFA_MEM_RETRIEVE_REQ"),
	FFA_32("mem_retrieve_resp", 0x75, "FFA_MEM_RETRIEVE_RESP"),
	FFA_32("mem_relinquish", 0x76, "FFA_MEM_RELINQUISH"),
	FFA_32("mem_reclaim", 0x77, "FFA_MEM_RECLAIM"),
	FFA_32("mem_op_pause", 0x78, "FFA_MEM_OP_PAUSE"),
	FFA_32("mem_op_resume", 0x79, "FFA_MEM_OP_RESUME"),
	FFA_32("mem_frag_rx", 0x7a, "FFA_MEM_FRAG_RX"),
	FFA_32("mem_frag_tx", 0x7b, "FFA_MEM_FRAG_TX"),
	FFA_32("normal_world_resume", 0x7c, "FFA_NORMAL_WORLD_RESUME"),
	FFA_32("notification_bitmap_create", 0x7d, "FFA_NOTIFICATION_BITMAP_CREATE"),
	FFA_32("notification_bitmap_destroy", 0x7e, "FFA_NOTIFICATION_BITMAP_DESTROY"),
	FFA_32("notification_bind", 0x7f, "FFA_NOTIFICATION_BIND"),
	FFA_32("notification_unbind", 0x80, "FFA_NOTIFICATION_UNBIND"),
	FFA_32("notification_set", 0x81, "FFA_NOTIFICATION_SET"),
	FFA_32("notification_get", 0x82, "FFA_NOTIFICATION_GET"),
	FFA_BOTH("notification_info_get", 0x83, "FFA_NOTIFICATION_INFO_GET"),
	FFA_32("rx_acquire", 0x84, "FFA_RX_ACQUIRE"),
	FFA_32("spm_id_get", 0x85, "FFA_SPM_ID_GET"),
	FFA_32("msg_send2", 0x86, "FFA_MSG_SEND2"),
	FFA_BOTH("secondary_ep_register", 0x87, "FFA_SECONDARY_EP_REGISTER"),
	FFA_BOTH("mem_perm_get", 0x88, "FFA_MEM_PERM_GET"),
	FFA_BOTH("mem_perm_set", 0x89, "FFA_MEM_PERM_SET"),
	FFA_32("console_log", 0x8a, "FFA_CONSOLE_LOG"),
	FFA_64("partition_info_get_regs", 0x8b, "FFA_PARTITION_INFO_GET_REGS"),
	FFA_32("el3_intr_handle", 0x8c, "FFA_EL3_INTR_HANDLE"),
};

#define NEG(n)	((uint64_t)-(int64_t)(n))

static const struct smccc_constant constants[] = {
	/* SMCCC return codes, DEN0028 / include/linux/arm-smccc.h SMCCC_RET_* */
	{ "SUCCESS", 0, "SMCCC_RET_SUCCESS" },
	{ "NOT_SUPPORTED", NEG(1), "SMCCC_RET_NOT_SUPPORTED" },
	{ "NOT_REQUIRED", NEG(2), "SMCCC_RET_NOT_REQUIRED" },
	{ "INVALID_PARAMETER", NEG(3), "SMCCC_RET_INVALID_PARAMETER" },
	/* PSCI return codes, include/uapi/linux/psci.h PSCI_RET_* */
	{ "PSCI_SUCCESS", 0, "PSCI_RET_SUCCESS" },
	{ "PSCI_NOT_SUPPORTED", NEG(1), "PSCI_RET_NOT_SUPPORTED" },
	{ "PSCI_INVALID_PARAMS", NEG(2), "PSCI_RET_INVALID_PARAMS" },
	{ "PSCI_DENIED", NEG(3), "PSCI_RET_DENIED" },
	{ "PSCI_ALREADY_ON", NEG(4), "PSCI_RET_ALREADY_ON" },
	{ "PSCI_ON_PENDING", NEG(5), "PSCI_RET_ON_PENDING" },
	{ "PSCI_INTERNAL_FAILURE", NEG(6), "PSCI_RET_INTERNAL_FAILURE" },
	{ "PSCI_NOT_PRESENT", NEG(7), "PSCI_RET_NOT_PRESENT" },
	{ "PSCI_DISABLED", NEG(8), "PSCI_RET_DISABLED" },
	{ "PSCI_INVALID_ADDRESS", NEG(9), "PSCI_RET_INVALID_ADDRESS" },
	/* TRNG return codes, DEN0098 / arch/arm64/kvm/trng.c */
	{ "TRNG_SUCCESS", 0, "TRNG SUCCESS" },
	{ "TRNG_NOT_SUPPORTED", NEG(1), "TRNG NOT_SUPPORTED" },
	{ "TRNG_INVALID_PARAMETER", NEG(2), "TRNG INVALID_PARAMETER" },
	{ "TRNG_NO_ENTROPY", NEG(3), "TRNG NO_ENTROPY" },
	/* FF-A, include/linux/arm_ffa.h: x0 function IDs and x2 error codes */
	{ "FFA_ERROR", STD32(0x60), "FFA_ERROR function ID (x0 of an error reply)" },
	{ "FFA_SUCCESS", STD32(0x61), "FFA_SUCCESS function ID (x0 of a success reply)" },
	{ "FFA_NOT_SUPPORTED", NEG(1), "FFA_RET_NOT_SUPPORTED" },
	{ "FFA_INVALID_PARAMETERS", NEG(2), "FFA_RET_INVALID_PARAMETERS" },
	{ "FFA_NO_MEMORY", NEG(3), "FFA_RET_NO_MEMORY" },
	{ "FFA_BUSY", NEG(4), "FFA_RET_BUSY" },
	{ "FFA_INTERRUPTED", NEG(5), "FFA_RET_INTERRUPTED" },
	{ "FFA_DENIED", NEG(6), "FFA_RET_DENIED" },
	{ "FFA_RETRY", NEG(7), "FFA_RET_RETRY" },
	{ "FFA_ABORTED", NEG(8), "FFA_RET_ABORTED" },
	{ "FFA_NO_DATA", NEG(9), "FFA_RET_NO_DATA" },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const struct smccc_service *smccc_services(size_t *nr)
{
	*nr = ARRAY_SIZE(services);
	return services;
}

const struct smccc_function *smccc_functions(size_t *nr)
{
	*nr = ARRAY_SIZE(functions);
	return functions;
}

const struct smccc_constant *smccc_constants(size_t *nr)
{
	*nr = ARRAY_SIZE(constants);
	return constants;
}

const struct smccc_service *smccc_service_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(services); i++)
		if (!strcmp(services[i].name, name))
			return &services[i];
	return NULL;
}

const struct smccc_constant *smccc_constant_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(constants); i++)
		if (!strcmp(constants[i].name, name))
			return &constants[i];
	return NULL;
}

static int fill_ids(const struct smccc_function *f, int want32, int want64, uint32_t ids[2])
{
	int n = 0;

	if (want32 && f->id32)
		ids[n++] = f->id32;
	if (want64 && f->id64)
		ids[n++] = f->id64;
	return n;
}

int smccc_function_ids(const char *name, uint32_t ids[2])
{
	size_t i, len = strlen(name);

	for (i = 0; i < ARRAY_SIZE(functions); i++)
		if (!strcmp(functions[i].name, name))
			return fill_ids(&functions[i], 1, 1, ids);
	/* NAME32 / NAME64: one variant of a function that has both */
	if (len < 3 || (strcmp(name + len - 2, "32") && strcmp(name + len - 2, "64")))
		return 0;
	for (i = 0; i < ARRAY_SIZE(functions); i++) {
		const struct smccc_function *f = &functions[i];

		if (!f->id32 || !f->id64 || strlen(f->name) != len - 2 ||
		    strncmp(f->name, name, len - 2))
			continue;
		return fill_ids(f, name[len - 2] == '3', name[len - 2] == '6', ids);
	}
	return 0;
}

const char *smccc_function_name(uint32_t id, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(functions); i++) {
		const struct smccc_function *f = &functions[i];

		if (id != f->id32 && id != f->id64)
			continue;
		if (f->id32 && f->id64)
			snprintf(buf, len, "%s%s", f->name, id == f->id32 ? "32" : "64");
		else
			snprintf(buf, len, "%s", f->name);
		return buf;
	}
	return NULL;
}

const char *smccc_id_describe(uint32_t id, char *buf, size_t len)
{
	const struct smccc_service *best = NULL;
	uint64_t best_size = 0;
	size_t i;
	unsigned int r;

	if (smccc_function_name(id, buf, len))
		return buf;
	/* The narrowest service that names it. */
	for (i = 0; i < ARRAY_SIZE(services); i++) {
		const struct smccc_service *s = &services[i];

		for (r = 0; r < s->nr_ranges; r++) {
			uint64_t size = (uint64_t)s->ranges[r].last - s->ranges[r].first + 1;

			if (id < s->ranges[r].first || id > s->ranges[r].last)
				continue;
			if (!best || size < best_size) {
				best = s;
				best_size = size;
			}
		}
	}
	snprintf(buf, len, "%s", best ? best->name : "");
	return buf;
}

unsigned int smccc_edit_distance(const char *a, const char *b, unsigned int max)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int *base, *prev2, *prev, *cur, *t, d;

	if (la > 64 || lb > 64)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	base = calloc(3 * (lb + 1), sizeof(*base));
	if (!base)
		abort();
	prev2 = base;
	prev = prev2 + lb + 1;
	cur = prev + lb + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] != b[j - 1];

			d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(base);
	return d > max ? max + 1 : d;
}

static void consider(const char *name, const char *cand, const char **best,
		     unsigned int *best_d, unsigned int max)
{
	unsigned int d = smccc_edit_distance(name, cand, max);

	if (d <= max && d < *best_d) {
		*best = cand;
		*best_d = d;
	}
}

const char *smccc_suggest(const char *name, unsigned int kinds)
{
	unsigned int max = strlen(name) / 3, best_d = ~0u;
	const char *best = NULL;
	size_t i;

	if (max < 1)
		max = 1;
	if (max > 3)
		max = 3;
	if (kinds & SMCCC_NAME_SERVICE)
		for (i = 0; i < ARRAY_SIZE(services); i++)
			consider(name, services[i].name, &best, &best_d, max);
	if (kinds & SMCCC_NAME_FUNCTION)
		for (i = 0; i < ARRAY_SIZE(functions); i++)
			consider(name, functions[i].name, &best, &best_d, max);
	if (kinds & SMCCC_NAME_CONSTANT)
		for (i = 0; i < ARRAY_SIZE(constants); i++)
			consider(name, constants[i].name, &best, &best_d, max);
	return best;
}
