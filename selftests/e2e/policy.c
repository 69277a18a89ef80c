// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "policy.h"

static struct policy *load(uint64_t vm_id, int vm_fd, uint32_t default_action,
			   bool with_handled)
{
	struct policy *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return NULL;
	p->skel = test_policy_bpf__open();
	if (!p->skel)
		goto err;
	p->skel->struct_ops.test_policy->vm_id = vm_id;
	p->skel->struct_ops.test_policy->vm_fd = vm_fd;
	p->skel->rodata->default_action = default_action;
	if (!with_handled) {
		p->skel->struct_ops.test_policy->handled = NULL;
		bpf_program__set_autoload(p->skel->progs.handled, false);
	}
	err = test_policy_bpf__load(p->skel);
	if (err) {
		errno = -err;
		goto err;
	}
	return p;
err:
	err = errno;
	test_policy_bpf__destroy(p->skel);
	free(p);
	errno = err;
	return NULL;
}

struct policy *policy_load(uint64_t vm_id, uint32_t default_action)
{
	return load(vm_id, 0, default_action, false);
}

struct policy *policy_load_fd(int vm_fd, uint64_t vm_id, uint32_t default_action)
{
	return load(vm_id, vm_fd, default_action, false);
}

struct policy *policy_load_handled(uint64_t vm_id, uint32_t default_action)
{
	return load(vm_id, 0, default_action, true);
}

int policy_attach(struct policy *p)
{
	p->link = bpf_map__attach_struct_ops(p->skel->maps.test_policy);
	if (!p->link)
		return -errno;
	return 0;
}

int policy_rule(struct policy *p, uint32_t func_id, uint32_t action, const uint64_t *ret)
{
	struct test_rule rule = { .action = action };
	int i;

	for (i = 0; ret && i < 4; i++)
		rule.ret[i] = ret[i];
	return bpf_map__update_elem(p->skel->maps.rules, &func_id, sizeof(func_id),
				    &rule, sizeof(rule), BPF_ANY);
}

int policy_adjust(struct policy *p, uint32_t func_id, const uint64_t ret[4])
{
	struct test_adjust adj;

	memcpy(adj.ret, ret, sizeof(adj.ret));
	return bpf_map__update_elem(p->skel->maps.adjust, &func_id, sizeof(func_id),
				    &adj, sizeof(adj), BPF_ANY);
}

int policy_replace(struct policy *p, struct policy *q)
{
	return bpf_link__update_map(p->link, q->skel->maps.test_policy);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	bpf_link__destroy(p->link);
	test_policy_bpf__destroy(p->skel);
	free(p);
}
