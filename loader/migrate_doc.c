// SPDX-License-Identifier: GPL-2.0
/* The export document of policy export/import: see migrate_doc.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "migrate_doc.h"
#include "smccc_bpf.h"

static const char *const action_names[SMCCC_BPF_NR_ACTIONS] = {
	[SMCCC_BPF_ACT_HANDLE] = "handle",
	[SMCCC_BPF_ACT_DENY] = "deny",
	[SMCCC_BPF_ACT_FWD_TO_USER] = "forward",
	[SMCCC_BPF_ACT_RETURN] = "return",
};

static const char *const drop_names[MIGRATE_NR_DROP] = { "stats", "events", "rate" };

const char *migrate_action_name(unsigned int action)
{
	return action < SMCCC_BPF_NR_ACTIONS ? action_names[action] : NULL;
}

int migrate_action_parse(const char *name)
{
	int i;

	for (i = 0; i < SMCCC_BPF_NR_ACTIONS; i++)
		if (!strcmp(action_names[i], name))
			return i;
	return -1;
}

void migrate_doc_free(struct migrate_doc *d)
{
	free(d->name);
	free(d->file);
	free(d->source);
	free(d->counters);
	free(d->buckets);
	memset(d, 0, sizeof(*d));
}

/* ---- writing ------------------------------------------------------------------ */

static void write_counters(const struct migrate_doc *d, struct json_writer *jw)
{
	size_t i;

	jw_name(jw, "counters");
	jw_start_array(jw);
	for (i = 0; i < d->nr_counters; i++) {
		const struct migrate_counter *c = &d->counters[i];

		jw_start_object(jw);
		jw_uint_field(jw, "vm_id", c->vm_id);
		jw_name(jw, "func_id");
		jw_printf(jw, "0x%08x", c->func_id);
		if (c->function[0])
			jw_string_field(jw, "function", c->function);
		jw_string_field(jw, "action", migrate_action_name(c->action));
		jw_uint_field(jw, "calls", c->calls);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

static void write_buckets(const struct migrate_doc *d, struct json_writer *jw)
{
	size_t i;

	if (!d->has_rate) {
		jw_null_field(jw, "rate_buckets");
		return;
	}
	jw_name(jw, "rate_buckets");
	jw_start_array(jw);
	for (i = 0; i < d->nr_buckets; i++) {
		const struct migrate_bucket *b = &d->buckets[i];

		jw_start_object(jw);
		jw_uint_field(jw, "vm_id", b->vm_id);
		jw_uint_field(jw, "rule_index", b->rule_index);
		jw_uint_field(jw, "rule", b->rule);
		jw_uint_field(jw, "line", b->line);
		jw_uint_field(jw, "tokens_ns", b->tokens);
		jw_uint_field(jw, "age_ns", b->age_ns);
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

void migrate_doc_write(const struct migrate_doc *d, struct json_writer *jw)
{
	char sha[65];
	size_t i;

	for (i = 0; i < sizeof(d->sha256); i++)
		snprintf(sha + 2 * i, 3, "%02x", d->sha256[i]);
	jw_start_object(jw);
	jw_string_field(jw, "format", MIGRATE_FORMAT);
	jw_uint_field(jw, "version", MIGRATE_VERSION);
	jw_uint_field(jw, "exported", d->exported);
	jw_name(jw, "from");
	jw_start_object(jw);
	jw_bool_field(jw, "global", d->global);
	jw_uint_field(jw, "vm_id", d->global ? 0 : d->vm_id);
	jw_end_object(jw);
	jw_name(jw, "policy");
	jw_start_object(jw);
	jw_string_field(jw, "name", d->name);	/* NULL: null */
	jw_string_field(jw, "mode", d->permissive ? "permissive" : "enforce");
	jw_string_field(jw, "file", d->file ? d->file : "");
	jw_string_field(jw, "sha256", sha);
	jw_string_field(jw, "source", d->source ? d->source : "");
	jw_end_object(jw);
	write_counters(d, jw);
	jw_name(jw, "dropped");
	jw_start_object(jw);
	for (i = 0; i < MIGRATE_NR_DROP; i++)
		jw_uint_field(jw, drop_names[i], d->dropped[i]);
	jw_end_object(jw);
	write_buckets(d, jw);
	jw_end_object(jw);
}

/* ---- reading ------------------------------------------------------------------ */

struct rd {
	char *err;
	size_t errlen;
};

static int bad(struct rd *r, const struct json_value *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "LINE:COL: message" at value at; -EINVAL. */
static int bad(struct rd *r, const struct json_value *at, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (r->err && r->errlen) {
		n = snprintf(r->err, r->errlen, "%u:%u: ", at->line, at->col);
		if (n < r->errlen) {
			va_start(ap, fmt);
			vsnprintf(r->err + n, r->errlen - n, fmt, ap);
			va_end(ap);
		}
	}
	return -EINVAL;
}

/* Every member of obj is one of names (NULL-terminated). */
static int only(struct rd *r, const struct json_value *obj, const char *where,
		const char *const *names)
{
	size_t i, k;

	for (i = 0; i < obj->n; i++) {
		for (k = 0; names[k]; k++)
			if (!strcmp(obj->names[i], names[k]))
				break;
		if (!names[k])
			return bad(r, &obj->items[i], "%s: unknown member \"%s\"", where,
				   obj->names[i]);
	}
	return 0;
}

/* Member name of obj, of type t (JSON_TRUE: a boolean); NULL (reported) if not. */
static const struct json_value *member(struct rd *r, const struct json_value *obj,
				       const char *where, const char *name, enum json_type t,
				       int *ret)
{
	const struct json_value *v = json_get(obj, name);

	if (!v) {
		*ret = bad(r, obj, "%s: missing member \"%s\"", where, name);
		return NULL;
	}
	if (v->type == t || (t == JSON_TRUE && v->type == JSON_FALSE))
		return v;
	*ret = bad(r, v, "%s.%s: expected %s, found %s", where, name, json_type_name(t),
		   json_type_name(v->type));
	return NULL;
}

static int get_u64(struct rd *r, const struct json_value *obj, const char *where,
		   const char *name, uint64_t max, uint64_t *out)
{
	const struct json_value *v;
	int ret = 0;

	v = member(r, obj, where, name, JSON_NUMBER, &ret);
	if (!v)
		return ret;
	if (!json_u64(v, out))
		return bad(r, v, "%s.%s: expected an unsigned integer (0 to 2^64 - 1), found %s",
			   where, name, v->str);
	if (*out > max)
		return bad(r, v, "%s.%s: %" PRIu64 " is out of range (at most %" PRIu64 ")", where,
			   name, *out, max);
	return 0;
}

static int get_u32(struct rd *r, const struct json_value *obj, const char *where,
		   const char *name, uint32_t *out)
{
	uint64_t v;
	int ret = get_u64(r, obj, where, name, UINT32_MAX, &v);

	if (!ret)
		*out = v;
	return ret;
}

static int get_string(struct rd *r, const struct json_value *obj, const char *where,
		      const char *name, const struct json_value **out)
{
	int ret = 0;

	*out = member(r, obj, where, name, JSON_STRING, &ret);
	return ret;
}

static int parse_header(struct rd *r, const struct json_value *root, struct migrate_doc *d)
{
	static const char *const top[] = { "format", "version", "exported", "from", "policy",
					   "counters", "dropped", "rate_buckets", NULL };
	static const char *const from_names[] = { "global", "vm_id", NULL };
	const struct json_value *v, *from;
	uint64_t version;
	int ret;

	if (root->type != JSON_OBJECT)
		return bad(r, root, "expected an object (an smccc-bpf export), found %s",
			   json_type_name(root->type));
	ret = get_string(r, root, "document", "format", &v);
	if (ret)
		return ret;
	if (strcmp(v->str, MIGRATE_FORMAT))
		return bad(r, v, "format: expected \"%s\", found \"%s\" (not an smccc-bpf export)",
			   MIGRATE_FORMAT, v->str);
	ret = get_u64(r, root, "document", "version", UINT64_MAX, &version);
	if (ret)
		return ret;
	if (version != MIGRATE_VERSION)
		return bad(r, json_get(root, "version"), "version %" PRIu64 " is not supported: "
			   "this smccc-bpf reads version %d (a newer smccc-bpf wrote it?)",
			   version, MIGRATE_VERSION);
	ret = only(r, root, "document", top) ?:
	      get_u64(r, root, "document", "exported", UINT64_MAX, &d->exported);
	if (ret)
		return ret;
	from = member(r, root, "document", "from", JSON_OBJECT, &ret);
	if (!from)
		return ret;
	ret = only(r, from, "from", from_names);
	if (ret)
		return ret;
	v = member(r, from, "from", "global", JSON_TRUE, &ret);
	if (!v)
		return ret;
	d->global = v->type == JSON_TRUE;
	return get_u64(r, from, "from", "vm_id", UINT64_MAX, &d->vm_id);
}

static int hex_byte(const char *s, uint8_t *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 2; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int parse_policy(struct rd *r, const struct json_value *root, struct migrate_doc *d)
{
	static const char *const names[] = { "name", "mode", "file", "sha256", "source", NULL };
	const struct json_value *p, *v;
	int ret = 0;
	size_t i;

	p = member(r, root, "document", "policy", JSON_OBJECT, &ret);
	if (!p)
		return ret;
	ret = only(r, p, "policy", names);
	if (ret)
		return ret;
	v = json_get(p, "name");
	if (!v)
		return bad(r, p, "policy: missing member \"name\"");
	if (v->type != JSON_NULL && v->type != JSON_STRING)
		return bad(r, v, "policy.name: expected a string or null, found %s",
			   json_type_name(v->type));
	if (v->type == JSON_STRING && !(d->name = strdup(v->str)))
		return -ENOMEM;

	ret = get_string(r, p, "policy", "mode", &v);
	if (ret)
		return ret;
	if (strcmp(v->str, "enforce") && strcmp(v->str, "permissive"))
		return bad(r, v, "policy.mode: expected \"enforce\" or \"permissive\", found \"%s\"",
			   v->str);
	d->permissive = !strcmp(v->str, "permissive");

	ret = get_string(r, p, "policy", "file", &v);
	if (ret)
		return ret;
	if (!(d->file = strdup(v->str)))
		return -ENOMEM;

	ret = get_string(r, p, "policy", "sha256", &v);
	if (ret)
		return ret;
	for (i = 0; v->len == 64 && i < 32; i++)
		if (hex_byte(v->str + 2 * i, &d->sha256[i]))
			break;
	if (v->len != 64 || i != 32)
		return bad(r, v, "policy.sha256: expected 64 lower-case hex digits");

	ret = get_string(r, p, "policy", "source", &v);
	if (ret)
		return ret;
	/* No NUL inside: json_parse() refuses \u0000. */
	d->source = malloc(v->len + 1);
	if (!d->source)
		return -ENOMEM;
	memcpy(d->source, v->str, v->len + 1);
	d->source_len = v->len;
	return 0;
}

/* "0x" and 1 to 8 hex digits. */
static bool parse_func_id(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t i, n = strlen(s);

	if (n < 3 || n > 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (i = 2; i < n; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return false;
	}
	*out = v;
	return true;
}

/* One element of "counters" into out, a struct migrate_counter. */
static int parse_counter(struct rd *r, const struct json_value *o, const char *where, void *out)
{
	static const char *const names[] = { "vm_id", "func_id", "function", "action", "calls",
					     NULL };
	struct migrate_counter *c = out;
	const struct json_value *v;
	int ret, a;

	if (o->type != JSON_OBJECT)
		return bad(r, o, "%s: expected an object, found %s", where, json_type_name(o->type));
	ret = only(r, o, where, names) ?:
	      get_u64(r, o, where, "vm_id", UINT64_MAX, &c->vm_id) ?:
	      get_string(r, o, where, "func_id", &v);
	if (ret)
		return ret;
	if (!parse_func_id(v->str, &c->func_id))
		return bad(r, v, "%s.func_id: expected a 32-bit function ID as \"0x...\", "
			   "found \"%s\"",
			   where, v->str);
	v = json_get(o, "function");
	if (v && v->type != JSON_STRING)
		return bad(r, v, "%s.function: expected a string, found %s", where,
			   json_type_name(v->type));
	ret = get_string(r, o, where, "action", &v);
	if (ret)
		return ret;
	a = migrate_action_parse(v->str);
	if (a < 0)
		return bad(r, v, "%s.action: expected \"handle\", \"deny\", \"forward\" or "
			   "\"return\", found \"%s\"", where, v->str);
	c->action = a;
	return get_u64(r, o, where, "calls", UINT64_MAX, &c->calls);
}

/* One kind of array element of the document: how to read it, its unique key. */
struct element_kind {
	const char *array;	/* "counters" */
	size_t size;		/* of one parsed element */
	int (*parse)(struct rd *r, const struct json_value *o, const char *where, void *out);
	int (*cmp)(const void *a, const void *b);	/* orders by the unique key */
	const char *key;	/* "VM, function and action" */
};

static const struct element_kind *sort_kind;	/* qsort() has no context argument */

static int cmp_element_ptrs(const void *a, const void *b)
{
	int c = sort_kind->cmp(*(void *const *)a, *(void *const *)b);

	/* Equal keys in array order, so the message names the earlier one first. */
	if (!c)
		c = *(void *const *)a < *(void *const *)b ? -1 : 1;
	return c;
}

/*
 * Parses arr's elements into a new array of k->size items (*out, *nr) and
 * refuses two with the same key: sorted, not pairwise, as a stats map has
 * up to 65536 entries.
 */
static int parse_elements(struct rd *r, const struct json_value *arr,
			  const struct element_kind *k, void **out, size_t *nr)
{
	char where[48];
	char *items;
	void **sorted;
	size_t i, a, b;
	int ret = 0;

	items = calloc(arr->n ? arr->n : 1, k->size);
	sorted = calloc(arr->n ? arr->n : 1, sizeof(*sorted));
	if (!items || !sorted) {
		free(items);
		free(sorted);
		return -ENOMEM;
	}
	*out = items;
	for (i = 0; i < arr->n && !ret; i++) {
		snprintf(where, sizeof(where), "%s[%zu]", k->array, i);
		ret = k->parse(r, &arr->items[i], where, items + i * k->size);
		sorted[i] = items + i * k->size;
		*nr = i + 1;
	}
	if (!ret && arr->n > 1) {
		sort_kind = k;
		qsort(sorted, arr->n, sizeof(*sorted), cmp_element_ptrs);
		for (i = 1; i < arr->n && !ret; i++) {
			if (k->cmp(sorted[i - 1], sorted[i]))
				continue;
			a = ((char *)sorted[i - 1] - items) / k->size;
			b = ((char *)sorted[i] - items) / k->size;
			ret = bad(r, &arr->items[b], "%s[%zu]: the same %s as %s[%zu]", k->array, b,
				  k->key, k->array, a);
		}
	}
	free(sorted);
	return ret;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_counters(const void *a, const void *b)
{
	const struct migrate_counter *x = a, *y = b;

	return cmp_u64(x->vm_id, y->vm_id) ?: cmp_u64(x->func_id, y->func_id) ?:
	       cmp_u64(x->action, y->action);
}

static const struct element_kind counter_kind = {
	"counters", sizeof(struct migrate_counter), parse_counter, cmp_counters,
	"VM, function and action",
};

static int parse_counters(struct rd *r, const struct json_value *root, struct migrate_doc *d)
{
	const struct json_value *arr;
	void *items = NULL;
	int ret = 0;

	arr = member(r, root, "document", "counters", JSON_ARRAY, &ret);
	if (!arr)
		return ret;
	ret = parse_elements(r, arr, &counter_kind, &items, &d->nr_counters);
	d->counters = items;
	return ret;
}

static int parse_dropped(struct rd *r, const struct json_value *root, struct migrate_doc *d)
{
	static const char *const names[] = { "stats", "events", "rate", NULL };
	const struct json_value *o;
	int ret = 0;
	size_t i;

	o = member(r, root, "document", "dropped", JSON_OBJECT, &ret);
	if (!o)
		return ret;
	ret = only(r, o, "dropped", names);
	for (i = 0; !ret && i < MIGRATE_NR_DROP; i++)
		ret = get_u64(r, o, "dropped", drop_names[i], UINT64_MAX, &d->dropped[i]);
	return ret;
}

/* One element of "rate_buckets" into out, a struct migrate_bucket. */
static int parse_bucket(struct rd *r, const struct json_value *o, const char *where, void *out)
{
	static const char *const names[] = { "vm_id", "rule_index", "rule", "line", "tokens_ns",
					     "age_ns", NULL };
	struct migrate_bucket *b = out;

	if (o->type != JSON_OBJECT)
		return bad(r, o, "%s: expected an object, found %s", where, json_type_name(o->type));
	return only(r, o, where, names) ?:
	       get_u64(r, o, where, "vm_id", UINT64_MAX, &b->vm_id) ?:
	       get_u32(r, o, where, "rule_index", &b->rule_index) ?:
	       get_u32(r, o, where, "rule", &b->rule) ?:
	       get_u32(r, o, where, "line", &b->line) ?:
	       get_u64(r, o, where, "tokens_ns", UINT64_MAX, &b->tokens) ?:
	       get_u64(r, o, where, "age_ns", UINT64_MAX, &b->age_ns);
}

static int cmp_buckets(const void *a, const void *b)
{
	const struct migrate_bucket *x = a, *y = b;

	return cmp_u64(x->vm_id, y->vm_id) ?: cmp_u64(x->rule_index, y->rule_index);
}

static const struct element_kind bucket_kind = {
	"rate_buckets", sizeof(struct migrate_bucket), parse_bucket, cmp_buckets,
	"VM and rule index",
};

static int parse_buckets(struct rd *r, const struct json_value *root, struct migrate_doc *d)
{
	const struct json_value *arr = json_get(root, "rate_buckets");
	void *items = NULL;
	int ret;

	if (!arr)
		return bad(r, root, "document: missing member \"rate_buckets\"");
	if (arr->type == JSON_NULL)
		return 0;
	if (arr->type != JSON_ARRAY)
		return bad(r, arr, "document.rate_buckets: expected an array or null, found %s",
			   json_type_name(arr->type));
	d->has_rate = true;
	ret = parse_elements(r, arr, &bucket_kind, &items, &d->nr_buckets);
	d->buckets = items;
	return ret;
}

int migrate_doc_parse(const char *text, size_t len, struct migrate_doc *d,
		      char *err, size_t errlen)
{
	struct rd r = { err, errlen };
	struct json_value *root;
	struct json_error je;
	int ret;

	memset(d, 0, sizeof(*d));
	if (err && errlen)
		err[0] = '\0';
	ret = json_parse(text, len, &root, &je);
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%u:%u: %s", je.line, je.col, je.msg);
		return ret;
	}
	ret = parse_header(&r, root, d) ?: parse_policy(&r, root, d) ?:
	      parse_counters(&r, root, d) ?: parse_dropped(&r, root, d) ?:
	      parse_buckets(&r, root, d);
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory");
	json_free(root);
	if (ret)
		migrate_doc_free(d);
	return ret;
}
