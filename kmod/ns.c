// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm and IPC namespaces: region names live in the IPC namespace of
 * their creator, as SysV segments and POSIX message queues do, and go
 * away with it, as shm_exit_ns() removes the segments.
 *
 * vmshm keeps a struct vmshm_ns per IPC namespace that has created a
 * region, found by the namespace's address in a hash.  A module cannot
 * take a reference to an IPC namespace on every kernel (put_ipc_ns() is
 * not exported on 6.1), nor be told when one dies, so it watches the one
 * place every dying IPC namespace passes: a kprobe on shm_exit_ns(),
 * called by free_ipc_ns() just before the namespace is freed.  There the
 * vmshm_ns is unhashed, so a namespace allocated later at the same
 * address gets a fresh one and never sees the old names, and a work item
 * drops the names of its regions.  Fds and mappings that are still open
 * keep their regions until they close, as attached SysV segments do.
 *
 * Without the probe (no CONFIG_KPROBES or CONFIG_SYSVIPC), vmshm cannot
 * tell a dead namespace from a new one at the same address, so it works
 * in the initial IPC namespace only, and fails elsewhere with EOPNOTSUPP.
 */
#include <linux/hashtable.h>
#include <linux/ipc_namespace.h>
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "vmshm.h"

/* Live namespaces by address, and the lock of that hash. */
static DEFINE_SPINLOCK(vmshm_ns_lock);
static DEFINE_HASHTABLE(vmshm_ns_hash, 6);

/* Runs the vmshm_ns.work of dead namespaces; flushed at unload. */
static struct workqueue_struct *vmshm_ns_wq;

/* The shm_exit_ns() probe is registered: namespaces other than init's work. */
static bool vmshm_ns_hooked;

static struct ipc_namespace *vmshm_init_ipc_ns(void)
{
	/* init_ipc_ns is not exported on 6.1; init_task's nsproxy is. */
	return init_task.nsproxy->ipc_ns;
}

static void vmshm_ns_release(struct kref *ref)
{
	struct vmshm_ns *vns = container_of(ref, struct vmshm_ns, ref);

	put_user_ns(vns->user_ns);
	kfree(vns);
}

/**
 * vmshm_ns_put() - drop a reference to a vmshm_ns
 * @vns: the namespace state, or NULL
 */
void vmshm_ns_put(struct vmshm_ns *vns)
{
	if (vns)
		kref_put(&vns->ref, vmshm_ns_release);
}

static struct vmshm_ns *vmshm_ns_find_locked(struct ipc_namespace *ipc_ns)
{
	struct vmshm_ns *vns;

	lockdep_assert_held(&vmshm_ns_lock);
	hash_for_each_possible(vmshm_ns_hash, vns, node, (unsigned long)ipc_ns)
		if (vns->ipc_ns == ipc_ns)
			return vns;
	return NULL;
}

static void vmshm_ns_gone(struct work_struct *work)
{
	struct vmshm_ns *vns = container_of(work, struct vmshm_ns, work);

	vmshm_regions_ns_gone(vns);
	vmshm_ns_put(vns);	/* the hash's reference */
}

/**
 * vmshm_ns_get() - the vmshm state of the caller's IPC namespace
 * @create: make it if the namespace has none yet
 *
 * Return: a counted reference (drop it with vmshm_ns_put()); NULL when
 * the namespace has none and @create is false; ERR_PTR(-EOPNOTSUPP)
 * outside the initial IPC namespace when namespaces cannot be followed;
 * ERR_PTR(-ENOMEM).
 */
struct vmshm_ns *vmshm_ns_get(bool create)
{
	struct ipc_namespace *ipc_ns = current->nsproxy->ipc_ns;
	struct vmshm_ns *vns, *new = NULL;

	if (!vmshm_ns_hooked && ipc_ns != vmshm_init_ipc_ns())
		return ERR_PTR(-EOPNOTSUPP);
	for (;;) {
		spin_lock(&vmshm_ns_lock);
		vns = vmshm_ns_find_locked(ipc_ns);
		if (!vns && new) {
			vns = new;
			new = NULL;
			hash_add(vmshm_ns_hash, &vns->node, (unsigned long)ipc_ns);
		}
		if (vns)
			kref_get(&vns->ref);
		spin_unlock(&vmshm_ns_lock);
		if (vns || !create)
			break;

		new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
		if (!new)
			return ERR_PTR(-ENOMEM);
		kref_init(&new->ref);	/* the hash's */
		new->ipc_ns = ipc_ns;
		/* The caller is in it: the namespace and its owner are alive. */
		new->user_ns = get_user_ns(ipc_ns->user_ns);
		INIT_WORK(&new->work, vmshm_ns_gone);
	}
	if (new) {
		/* Another task made it first. */
		put_user_ns(new->user_ns);
		kfree(new);
	}
	return vns;
}

/*
 * free_ipc_ns() -> shm_exit_ns(ns), in process context, after the last
 * task left the namespace and before it is freed.  A probe handler may
 * not sleep: unhash the state here, drop the names in a work item.
 */
static int vmshm_ns_exit_probe(struct kprobe *p, struct pt_regs *regs)
{
	struct ipc_namespace *ipc_ns;
	struct vmshm_ns *vns;

	ipc_ns = (struct ipc_namespace *)regs_get_kernel_argument(regs, 0);
	spin_lock(&vmshm_ns_lock);
	vns = vmshm_ns_find_locked(ipc_ns);
	if (vns)
		hash_del(&vns->node);
	spin_unlock(&vmshm_ns_lock);
	if (vns)
		queue_work(vmshm_ns_wq, &vns->work);
	return 0;
}

static struct kprobe vmshm_ns_kprobe = {
	.symbol_name = "shm_exit_ns",
	.pre_handler = vmshm_ns_exit_probe,
};

/**
 * vmshm_ns_init() - start following IPC namespaces
 *
 * Return: 0 or -ENOMEM.  A probe that cannot be placed is not an error:
 * vmshm then serves the initial IPC namespace only.
 */
int vmshm_ns_init(void)
{
	int ret;

	vmshm_ns_wq = alloc_workqueue("vmshm_ns", 0, 0);
	if (!vmshm_ns_wq)
		return -ENOMEM;
	ret = register_kprobe(&vmshm_ns_kprobe);
	if (ret)
		pr_warn("vmshm: cannot probe shm_exit_ns (%d): regions in the initial IPC namespace only\n",
			ret);
	vmshm_ns_hooked = !ret;
	return 0;
}

/**
 * vmshm_ns_exit() - stop following IPC namespaces
 *
 * Waits for the probe handlers and the work in flight; the namespaces
 * left in the hash then lose the hash's reference.  Their regions,
 * dropped next by vmshm_regions_destroy(), hold their own.
 */
void vmshm_ns_exit(void)
{
	struct hlist_node *tmp;
	struct vmshm_ns *vns;
	int bkt;

	if (vmshm_ns_hooked)
		unregister_kprobe(&vmshm_ns_kprobe);
	destroy_workqueue(vmshm_ns_wq);
	hash_for_each_safe(vmshm_ns_hash, bkt, tmp, vns, node) {
		hash_del(&vns->node);
		vmshm_ns_put(vns);
	}
}
