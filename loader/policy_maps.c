// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Loading a compiled policy into the generic policy program: see
 * policy_maps.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy_maps.h"
#include "policy_decide.bpf.h"	/* struct smccc_policy_seg_block (types only here) */

#ifndef SMCCC_POLICY_MAPS_NO_SKEL
#include "policy.skel.h"
#endif

static int check_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static bool action_ok(unsigned int a)
{
	return a < SMCCC_BPF_NR_ACTIONS || a == SMCCC_POLICY_ACT_LOG;
}

static int check_chain(const struct smccc_compiled *c, const struct smccc_policy_chain *ch,
		       const char *what, uint32_t id, char *err, size_t errlen)
{
	uint32_t i;

	if (ch->len > SMCCC_POLICY_MAX_CHAIN_LEN)
		return check_fail(err, errlen, "%s %#x: chain of %u rules, at most %u",
				  what, id, ch->len, SMCCC_POLICY_MAX_CHAIN_LEN);
	if ((uint64_t)ch->start + ch->len > c->nr_chain)
		return check_fail(err, errlen, "%s %#x: chain [%u, +%u) outside the chain map (%u)",
				  what, id, ch->start, ch->len, c->nr_chain);
	for (i = 0; i < ch->len; i++)
		if (c->chain[ch->start + i] >= c->nr_rules)
			return check_fail(err, errlen, "%s %#x: rule index %u, only %u rules",
					  what, id, c->chain[ch->start + i], c->nr_rules);
	return 0;
}

int smccc_policy_check(const struct smccc_compiled *c, char *err, size_t errlen)
{
	uint32_t i, j;
	int ret;

	if (c->nr_rules > SMCCC_POLICY_MAX_RULES || c->nr_exact > SMCCC_POLICY_MAX_EXACT ||
	    c->nr_segments > SMCCC_POLICY_MAX_SEGMENTS || c->nr_chain > SMCCC_POLICY_MAX_CHAIN)
		return check_fail(err, errlen,
				  "too large: %u rules (max %u), %u exact IDs (max %u), "
				  "%u segments (max %u), %u chain entries (max %u)",
				  c->nr_rules, SMCCC_POLICY_MAX_RULES, c->nr_exact,
				  SMCCC_POLICY_MAX_EXACT, c->nr_segments, SMCCC_POLICY_MAX_SEGMENTS,
				  c->nr_chain, SMCCC_POLICY_MAX_CHAIN);
	/* (config.nr_segments is not checked: the loader sets it from nr_segments.) */
	if (!action_ok(c->config.default_action) ||
	    c->config.default_action == SMCCC_BPF_ACT_RETURN)
		return check_fail(err, errlen, "default action %u", c->config.default_action);

	for (i = 0; i < c->nr_rules; i++) {
		const struct smccc_policy_rule *r = &c->rules[i];

		if (!action_ok(r->action) || !action_ok(r->over_action))
			return check_fail(err, errlen, "rule %u (index %u): action %u/%u",
					  r->id, i, r->action, r->over_action);
		if (r->nr_conds > SMCCC_POLICY_MAX_CONDS)
			return check_fail(err, errlen, "rule %u (index %u): %u conditions, at most %u",
					  r->id, i, r->nr_conds, SMCCC_POLICY_MAX_CONDS);
		for (j = 0; j < r->nr_conds; j++) {
			const struct smccc_policy_cond *cd = &r->conds[j];

			if (cd->kind < SMCCC_POLICY_COND_CONDUIT || cd->kind > SMCCC_POLICY_COND_ARG ||
			    cd->op > SMCCC_POLICY_OP_GE ||
			    (cd->kind == SMCCC_POLICY_COND_ARG &&
			     (cd->reg < 1 || cd->reg > SMCCC_BPF_NR_ARGS)))
				return check_fail(err, errlen,
						  "rule %u (index %u): condition %u: kind %u reg %u op %u",
						  r->id, i, j, cd->kind, cd->reg, cd->op);
		}
	}
	for (i = 0; i < c->nr_exact; i++) {
		ret = check_chain(c, &c->exact[i].chain, "exact ID", c->exact[i].func_id,
				  err, errlen);
		if (ret)
			return ret;
	}
	for (i = 0; i < c->nr_segments; i++) {
		const struct smccc_policy_segment *s = &c->segments[i];

		if (s->first > s->last)
			return check_fail(err, errlen, "segment %u: %#x > %#x", i, s->first, s->last);
		if (i && s->first <= c->segments[i - 1].last)
			return check_fail(err, errlen, "segment %u (%#x) not after segment %u (%#x)",
					  i, s->first, i - 1, c->segments[i - 1].last);
		ret = check_chain(c, &s->chain, "segment from", s->first, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

static struct bpf_map *find_map(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	if (!map)
		fprintf(stderr, "policy: no map \"%s\" in %s\n", name, bpf_object__name(obj));
	return map;
}

static int set_entries(struct bpf_object *obj, const char *name, uint32_t n)
{
	struct bpf_map *map = find_map(obj, name);
	int err;

	if (!map)
		return -ENOENT;
	err = bpf_map__set_max_entries(map, n ? n : 1);
	if (err)
		fprintf(stderr, "policy: sizing map %s to %u: %s\n", name, n, strerror(-err));
	return err;
}

/*
 * The geometry of seg_index: blocks of 2^shift IDs from the lowest named ID
 * (exact or segment), the fewest that cover up to the highest with at most
 * about two blocks per exact ID or segment (a power of two, at most
 * SMCCC_POLICY_MAX_SEG_BLOCKS). Returns the number of blocks (0: no IDs).
 */
static uint32_t seg_index_geometry(const struct smccc_compiled *c, uint32_t *base,
				   uint32_t *shift)
{
	uint64_t lowest = UINT64_MAX, highest = 0, span, target = 1, named;
	uint32_t s = 0, i;

	*base = 0;
	*shift = 0;
	if (c->nr_segments) {
		lowest = c->segments[0].first;
		highest = c->segments[c->nr_segments - 1].last;
	}
	for (i = 0; i < c->nr_exact; i++) {
		if (c->exact[i].func_id < lowest)
			lowest = c->exact[i].func_id;
		if (c->exact[i].func_id > highest)
			highest = c->exact[i].func_id;
	}
	if (lowest == UINT64_MAX)
		return 0;
	*base = lowest;
	span = highest - lowest + 1;
	named = (uint64_t)c->nr_segments + c->nr_exact;
	while (target < 2 * named && target < SMCCC_POLICY_MAX_SEG_BLOCKS)
		target <<= 1;
	while (((span + (1ull << s) - 1) >> s) > target)
		s++;
	*shift = s;
	return (span + (1ull << s) - 1) >> s;
}

int smccc_policy_size_maps(struct bpf_object *obj, const struct smccc_compiled *c)
{
	uint32_t base, shift, nr_blocks = seg_index_geometry(c, &base, &shift);

	return set_entries(obj, SMCCC_POLICY_MAP_EXACT, c->nr_exact) ?:
	       set_entries(obj, SMCCC_POLICY_MAP_SEGMENTS, c->nr_segments) ?:
	       set_entries(obj, SMCCC_POLICY_MAP_SEG_INDEX, nr_blocks + 1) ?:
	       set_entries(obj, SMCCC_POLICY_MAP_CHAIN, c->nr_chain) ?:
	       set_entries(obj, SMCCC_POLICY_MAP_RULES, c->nr_rules);
}

/*
 * seg_index's entries: the header, then for each block its slice of the
 * segments and whether it holds an exact ID.
 */
static struct smccc_policy_seg_block *seg_index_build(const struct smccc_compiled *c,
						      uint32_t *nr_entries)
{
	uint32_t base, shift, nr_blocks = seg_index_geometry(c, &base, &shift);
	struct smccc_policy_seg_block *idx = calloc(nr_blocks + 1, sizeof(*idx));
	uint32_t b, lo = 0, hi = 0;

	if (!idx)
		return NULL;
	idx[0].lo = base;
	idx[0].hi = shift;
	for (b = 0; b < nr_blocks; b++) {
		uint64_t first = base + ((uint64_t)b << shift);
		uint64_t last = first + (1ull << shift) - 1;

		/* lo: the first segment ending in or after the block; hi: past the
		 * last one starting in or before it. Both only move forward. */
		while (lo < c->nr_segments && c->segments[lo].last < first)
			lo++;
		if (hi < lo)
			hi = lo;
		while (hi < c->nr_segments && c->segments[hi].first <= last)
			hi++;
		idx[b + 1].lo = lo;
		idx[b + 1].hi = hi;
	}
	for (b = 0; b < c->nr_exact; b++)
		idx[(((uint64_t)c->exact[b].func_id - base) >> shift) + 1].hi |=
			SMCCC_POLICY_BLOCK_EXACT;
	*nr_entries = nr_blocks + 1;
	return idx;
}

void smccc_policy_set_config(struct smccc_policy_config *rodata, const struct smccc_compiled *c)
{
	*rodata = c->config;
	rodata->nr_segments = c->nr_segments;
}

/*
 * Writes n (key, value) pairs with as few syscalls as the kernel allows:
 * BPF_MAP_UPDATE_BATCH (one call for the lot), else one update each.
 */
static int update_all(struct bpf_map *map, const void *keys, const void *values, uint32_t n)
{
	size_t ksz = bpf_map__key_size(map), vsz = bpf_map__value_size(map);
	int fd = bpf_map__fd(map);
	uint32_t done = 0, i;
	int err = 0;

	while (done < n) {
		__u32 count = n - done;

		err = bpf_map_update_batch(fd, (const char *)keys + done * ksz,
					   (const char *)values + done * vsz, &count, NULL);
		done += count;
		if (err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */)
			break;	/* no batch support: one at a time */
		if (err) {
			fprintf(stderr, "policy: filling map %s: %s\n", bpf_map__name(map),
				strerror(-err));
			return err;
		}
	}
	for (i = done; i < n; i++) {
		err = bpf_map_update_elem(fd, (const char *)keys + i * ksz,
					  (const char *)values + i * vsz, BPF_ANY);
		if (err) {
			err = -errno;
			fprintf(stderr, "policy: filling map %s (entry %u): %s\n",
				bpf_map__name(map), i, strerror(errno));
			return err;
		}
	}
	return 0;
}

static int fill_array(struct bpf_object *obj, const char *name, const void *values,
		      uint32_t n, uint32_t *keys)
{
	struct bpf_map *map = find_map(obj, name);

	if (!map)
		return -ENOENT;
	return n ? update_all(map, keys, values, n) : 0;
}

int smccc_policy_fill_maps(struct bpf_object *obj, const struct smccc_compiled *c)
{
	uint32_t max = c->nr_rules, i;
	struct smccc_policy_chain *chains = NULL;
	struct smccc_policy_seg_block *index = NULL;
	uint32_t *keys, *ids = NULL, nr_index = 0;
	struct bpf_map *map;
	char why[256];
	int err;

	err = smccc_policy_check(c, why, sizeof(why));
	if (err) {
		fprintf(stderr, "policy: invalid compiled policy: %s\n", why);
		return err;
	}

	if (c->nr_segments > max)
		max = c->nr_segments;
	if (c->nr_chain > max)
		max = c->nr_chain;
	keys = malloc((max ? max : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < max; i++)
		keys[i] = i;

	err = fill_array(obj, SMCCC_POLICY_MAP_RULES, c->rules, c->nr_rules, keys) ?:
	      fill_array(obj, SMCCC_POLICY_MAP_CHAIN, c->chain, c->nr_chain, keys) ?:
	      fill_array(obj, SMCCC_POLICY_MAP_SEGMENTS, c->segments, c->nr_segments, keys);
	if (err)
		goto out;

	index = seg_index_build(c, &nr_index);
	if (!index) {
		err = -ENOMEM;
		goto out;
	}
	if (nr_index > max) {
		free(keys);
		keys = malloc(nr_index * sizeof(*keys));
		if (!keys) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < nr_index; i++)
			keys[i] = i;
	}
	err = fill_array(obj, SMCCC_POLICY_MAP_SEG_INDEX, index, nr_index, keys);
	if (err || !c->nr_exact)
		goto out;

	/* The exact IDs, split into key and value arrays for the batch. */
	map = find_map(obj, SMCCC_POLICY_MAP_EXACT);
	ids = malloc(c->nr_exact * sizeof(*ids));
	chains = malloc(c->nr_exact * sizeof(*chains));
	if (!map || !ids || !chains) {
		err = map ? -ENOMEM : -ENOENT;
		goto out;
	}
	for (i = 0; i < c->nr_exact; i++) {
		ids[i] = c->exact[i].func_id;
		chains[i] = c->exact[i].chain;
	}
	err = update_all(map, ids, chains, c->nr_exact);
out:
	free(index);
	free(chains);
	free(ids);
	free(keys);
	return err;
}

/* Sums the per-CPU values of one key of a per-CPU map; -ENOENT if absent. */
static int percpu_sum(struct bpf_map *map, const void *key, uint64_t *out)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	uint64_t *vals, sum = 0;
	int err;

	if (ncpus < 0)
		return ncpus;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(bpf_map__fd(map), key, vals);
	if (err) {
		err = -errno;
	} else {
		for (i = 0; i < ncpus; i++)
			sum += vals[i];
		*out = sum;
	}
	free(vals);
	return err;
}

int smccc_policy_read_dropped(struct bpf_object *obj, uint64_t out[SMCCC_POLICY_NR_DROP])
{
	struct bpf_map *map = find_map(obj, SMCCC_POLICY_MAP_DROPPED);
	uint32_t i;
	int err;

	if (!map)
		return -ENOENT;
	for (i = 0; i < SMCCC_POLICY_NR_DROP; i++) {
		err = percpu_sum(map, &i, &out[i]);
		if (err)
			return err;
	}
	return 0;
}

int smccc_policy_read_stat(struct bpf_object *obj, uint64_t vm_id, uint32_t func_id,
			   uint8_t action, uint64_t *out)
{
	struct bpf_map *map = find_map(obj, SMCCC_POLICY_MAP_STATS);
	struct smccc_policy_stats_key key;
	int err;

	if (!map)
		return -ENOENT;
	memset(&key, 0, sizeof(key));
	key.vm_id = vm_id;
	key.func_id = func_id;
	key.action = action;
	err = percpu_sum(map, &key, out);
	if (err == -ENOENT) {
		*out = 0;
		err = 0;
	}
	return err;
}

#ifndef SMCCC_POLICY_MAPS_NO_SKEL

struct policy_bpf *smccc_policy_prog_open(const struct smccc_compiled *c, uint64_t vm_id)
{
	struct policy_bpf *skel;
	char why[256];
	int err;

	err = smccc_policy_check(c, why, sizeof(why));
	if (err) {
		fprintf(stderr, "policy: invalid compiled policy: %s\n", why);
		errno = -err;
		return NULL;
	}
	skel = policy_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "policy: opening the policy program: %s\n", strerror(errno));
		errno = -err;
		return NULL;
	}
	err = smccc_policy_size_maps(skel->obj, c);
	if (err) {
		policy_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	smccc_policy_set_config(&skel->rodata->policy_config, c);
	skel->struct_ops.smccc_policy->vm_id = vm_id;
	/* handled() runs after every call KVM handles: only when it has work. */
	if (c->config.discovery == SMCCC_POLICY_DISCOVERY_KEEP) {
		skel->struct_ops.smccc_policy->handled = NULL;
		bpf_program__set_autoload(skel->progs.handled, false);
	}
	return skel;
}

int smccc_policy_prog_load_opened(struct policy_bpf *skel, const struct smccc_compiled *c)
{
	int err;

	err = policy_bpf__load(skel);
	if (err) {
		fprintf(stderr, "policy: loading the policy program: %s\n", strerror(-err));
		return err;
	}
	return smccc_policy_fill_maps(skel->obj, c);
}

struct policy_bpf *smccc_policy_prog_load(const struct smccc_compiled *c, uint64_t vm_id)
{
	struct policy_bpf *skel = smccc_policy_prog_open(c, vm_id);
	int err;

	if (!skel)
		return NULL;
	err = smccc_policy_prog_load_opened(skel, c);
	if (err) {
		policy_bpf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

struct bpf_object *smccc_policy_prog_obj(struct policy_bpf *skel)
{
	return skel->obj;
}

struct bpf_link *smccc_policy_prog_attach(struct policy_bpf *skel)
{
	struct bpf_link *link = bpf_map__attach_struct_ops(skel->maps.smccc_policy);

	if (!link)
		fprintf(stderr, "policy: attaching: %s\n", strerror(errno));
	return link;
}

int smccc_policy_prog_replace(struct bpf_link *link, struct policy_bpf *skel)
{
	int err = bpf_link__update_map(link, skel->maps.smccc_policy);

	if (err)
		fprintf(stderr, "policy: replacing: %s\n", strerror(-err));
	return err;
}

void smccc_policy_prog_destroy(struct policy_bpf *skel)
{
	policy_bpf__destroy(skel);
}

#endif /* SMCCC_POLICY_MAPS_NO_SKEL */
