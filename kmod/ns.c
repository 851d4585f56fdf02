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
 * The probe handler may run where no lock may be taken (an int3 probe
 * runs as an NMI does), so it takes none: it finds the entry under RCU,
 * marks it dead, which hides it from lookups at once, puts it on a
 * lock-free list and raises an irq_work, both safe there.  The irq_work
 * queues the work that unhashes the dead entries and drops their names.
 *
 * Each vmshm_ns also holds the names of its regions, in an rhashtable,
 * so ATTACH and UNLINK find a name in constant time however many regions
 * exist.
 *
 * Without the probe (no CONFIG_KPROBES or CONFIG_SYSVIPC), vmshm cannot
 * tell a dead namespace from a new one at the same address, so it works
 * in the initial IPC namespace only, and fails elsewhere with EOPNOTSUPP.
 */
#include <linux/hashtable.h>
#include <linux/irq_work.h>
#include <linux/jhash.h>
#include <linux/ipc_namespace.h>
#include <linux/kprobes.h>
#include <linux/llist.h>
#include <linux/nsproxy.h>
#include <linux/rculist.h>
#include <linux/rhashtable.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>
#include <linux/workqueue.h>

#include "vmshm.h"

/*
 * Live namespaces by address.  The lock serialises adding and removing,
 * in process context; the probe walks the hash under RCU only.
 */
static DEFINE_SPINLOCK(vmshm_ns_lock);
static DEFINE_HASHTABLE(vmshm_ns_hash, 6);

/* Runs vmshm_ns_reap_work; drained at unload. */
static struct workqueue_struct *vmshm_ns_wq;

/* Dead namespaces, still hashed, that vmshm_ns_reap() has not seen. */
static LLIST_HEAD(vmshm_ns_dead);

/* The shm_exit_ns() probe is registered: namespaces other than init's work. */
static bool vmshm_ns_hooked;

static struct ipc_namespace *vmshm_init_ipc_ns(void)
{
	/* init_ipc_ns is not exported on 6.1; init_task's nsproxy is. */
	return init_task.nsproxy->ipc_ns;
}

/* Names are NUL-terminated, and not padded when they come by netlink. */
static u32 vmshm_name_hash(const void *data, u32 len, u32 seed)
{
	return jhash(data, strlen(data), seed);
}

static u32 vmshm_name_obj_hash(const void *data, u32 len, u32 seed)
{
	const struct vmshm_region *r = data;

	return vmshm_name_hash(r->name, len, seed);
}

static int vmshm_name_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct vmshm_region *r = obj;

	return strcmp(r->name, arg->key);
}

static const struct rhashtable_params vmshm_name_params = {
	.head_offset = offsetof(struct vmshm_region, name_node),
	.hashfn = vmshm_name_hash,
	.obj_hashfn = vmshm_name_obj_hash,
	.obj_cmpfn = vmshm_name_cmp,
	.automatic_shrinking = true,
};

/**
 * vmshm_ns_find_name() - the linked region of a namespace with a name
 * @vns: the namespace
 * @name: a valid name
 *
 * Context: vmshm_lock held, which keeps the region found in the table.
 * Return: the region, not counted, or NULL.
 */
struct vmshm_region *vmshm_ns_find_name(struct vmshm_ns *vns,
					const char *name)
{
	lockdep_assert_held(&vmshm_lock);
	return rhashtable_lookup_fast(&vns->names, name, vmshm_name_params);
}

/**
 * vmshm_ns_link_name() - make a region findable by its name
 * @r: a named region, not linked
 *
 * Context: vmshm_lock held.
 * Return: 0, -EEXIST when the namespace has a region of that name, or
 * -ENOMEM.
 */
int vmshm_ns_link_name(struct vmshm_region *r)
{
	int ret;

	lockdep_assert_held(&vmshm_lock);
	if (vmshm_fault_link_name())
		return -ENOMEM;
	ret = rhashtable_lookup_insert_key(&r->ns->names, r->name,
					   &r->name_node, vmshm_name_params);
	if (ret == -EBUSY)	/* the table could not grow in time */
		ret = -ENOMEM;
	if (!ret)
		WRITE_ONCE(r->linked, true);
	return ret;
}

/**
 * vmshm_ns_unlink_name() - remove a region's name, if it is linked
 * @r: the region
 *
 * Context: vmshm_lock held.
 */
void vmshm_ns_unlink_name(struct vmshm_region *r)
{
	lockdep_assert_held(&vmshm_lock);
	if (!r->linked)
		return;
	rhashtable_remove_fast(&r->ns->names, &r->name_node,
			       vmshm_name_params);
	WRITE_ONCE(r->linked, false);
}

static void vmshm_ns_free(struct vmshm_ns *vns)
{
	rhashtable_destroy(&vns->names);
	put_user_ns(vns->user_ns);
	kfree_rcu(vns, rcu);
}

static void vmshm_ns_release(struct kref *ref)
{
	vmshm_ns_free(container_of(ref, struct vmshm_ns, ref));
}

/**
 * vmshm_ns_put() - drop a reference to a vmshm_ns
 * @vns: the namespace state, or NULL
 *
 * Context: may sleep.
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
		if (vns->ipc_ns == ipc_ns && !READ_ONCE(vns->dead))
			return vns;
	return NULL;
}

static void vmshm_ns_reap(struct work_struct *work)
{
	struct llist_node *dead = llist_del_all(&vmshm_ns_dead);
	struct vmshm_ns *vns, *tmp;

	llist_for_each_entry_safe(vns, tmp, dead, dead_node) {
		spin_lock(&vmshm_ns_lock);
		hash_del_rcu(&vns->node);
		spin_unlock(&vmshm_ns_lock);
		vmshm_regions_ns_gone(vns);
		vmshm_ns_put(vns);	/* the hash's reference */
	}
}

static DECLARE_WORK(vmshm_ns_reap_work, vmshm_ns_reap);

/* Hard interrupt context, raised by the probe: queue what may sleep. */
static void vmshm_ns_reap_irq(struct irq_work *iw)
{
	queue_work(vmshm_ns_wq, &vmshm_ns_reap_work);
}

static DEFINE_IRQ_WORK(vmshm_ns_reap_irq_work, vmshm_ns_reap_irq);

static struct vmshm_ns *vmshm_ns_alloc(struct ipc_namespace *ipc_ns)
{
	struct vmshm_ns *vns;

	vns = kzalloc(sizeof(*vns), GFP_KERNEL_ACCOUNT);
	if (!vns)
		return NULL;
	if (rhashtable_init(&vns->names, &vmshm_name_params)) {
		kfree(vns);
		return NULL;
	}
	kref_init(&vns->ref);	/* the hash's */
	vns->ipc_ns = ipc_ns;
	/* The caller is in it: the namespace and its owner are alive. */
	vns->user_ns = get_user_ns(ipc_ns->user_ns);
	return vns;
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
			hash_add_rcu(vmshm_ns_hash, &vns->node,
				     (unsigned long)ipc_ns);
		}
		if (vns)
			kref_get(&vns->ref);
		spin_unlock(&vmshm_ns_lock);
		if (vns || !create)
			break;

		new = vmshm_ns_alloc(ipc_ns);
		if (!new)
			return ERR_PTR(-ENOMEM);
	}
	if (new)	/* another task made it first */
		vmshm_ns_free(new);
	return vns;
}

/*
 * free_ipc_ns() -> shm_exit_ns(ns), after the last task left the
 * namespace and before it is freed.  No lock here: see the top of the
 * file.  Only this handler sets @dead, once per entry, so an entry is
 * listed once, and it stays hashed, hence alive, until it is reaped.
 */
static int vmshm_ns_exit_probe(struct kprobe *p, struct pt_regs *regs)
{
	struct ipc_namespace *ipc_ns;
	struct vmshm_ns *vns;

	ipc_ns = (struct ipc_namespace *)regs_get_kernel_argument(regs, 0);
	rcu_read_lock();
	hash_for_each_possible_rcu(vmshm_ns_hash, vns, node,
				   (unsigned long)ipc_ns) {
		if (vns->ipc_ns != ipc_ns || test_and_set_bit(0, &vns->dead))
			continue;
		llist_add(&vns->dead_node, &vmshm_ns_dead);
		irq_work_queue(&vmshm_ns_reap_irq_work);
		break;
	}
	rcu_read_unlock();
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
 * Waits for the probe handlers, the irq_work they raised and the work it
 * queued; the namespaces left in the hash then lose the hash's
 * reference.  Their regions, dropped next by vmshm_regions_destroy(),
 * hold their own.
 */
void vmshm_ns_exit(void)
{
	struct hlist_node *tmp;
	struct vmshm_ns *vns;
	int bkt;

	if (vmshm_ns_hooked)
		unregister_kprobe(&vmshm_ns_kprobe);
	irq_work_sync(&vmshm_ns_reap_irq_work);
	destroy_workqueue(vmshm_ns_wq);
	hash_for_each_safe(vmshm_ns_hash, bkt, tmp, vns, node) {
		hash_del(&vns->node);
		vmshm_ns_put(vns);
	}
}
