// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm region lifetime: create, attach, unlink, limits; the
 * snapshot every view prints from, and the notifier chain that tells
 * listeners (netlink.c) what happened, so that this file calls no view.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/fs_struct.h>
#include <linux/gfp.h>
#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/netlink.h>
#include <linux/pid_namespace.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/user_namespace.h>

#include "trace.h"
#include "vmshm.h"

DEFINE_XARRAY_ALLOC1(vmshm_regions);
/* Protects the table, the names and vmshm_stats: see vmshm.h. */
DEFINE_MUTEX(vmshm_lock);
struct vmshm_stats vmshm_stats;

/* Listeners to region events; see vmshm_region_notifier_register(). */
static BLOCKING_NOTIFIER_HEAD(vmshm_region_chain);

/**
 * vmshm_region_notifier_register() - listen to region events
 * @nb: called with an enum vmshm_event_type and a struct
 *	vmshm_region_event, in the context of the task that caused the
 *	event, which may sleep
 *
 * Return: 0 or a negative errno.
 */
int vmshm_region_notifier_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&vmshm_region_chain, nb);
}

/**
 * vmshm_region_notifier_unregister() - stop listening to region events
 * @nb: a registered listener
 *
 * Return: 0 or -ENOENT.  No call of @nb is in flight once this returns.
 */
int vmshm_region_notifier_unregister(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&vmshm_region_chain, nb);
}

/*
 * Tell the listeners of @r's IPC namespace about it, under @name.  For a
 * rejection, @r is the region that could not be inserted: its id is not
 * reported, its namespace is the one it was meant for.
 */
static void vmshm_region_notify(u32 type, const struct vmshm_region *r,
				const char *name)
{
	struct vmshm_region_event ev = {
		.id = type == VMSHM_EVENT_REJECTED ? 0 : r->id,
		.name = name,
		.ns = r->ns,
	};

	blocking_notifier_call_chain(&vmshm_region_chain, type, &ev);
}

/**
 * vmshm_region_snap_locked() - read a region for a view
 * @r: the region, kept alive by the caller (a reference, a binding, or
 *	vmshm_lock)
 * @viewer: who reads it: pids are shown in its pid namespace
 * @s: filled in
 *
 * The counters are read one by one, each atomically.  The mapping count
 * is read under the lock that protects the mapping list, which a view
 * holds while it also prints the mappings, so that the two agree.
 *
 * Context: vmshm_region.lock held.
 */
void vmshm_region_snap_locked(struct vmshm_region *r,
			      const struct vmshm_viewer *viewer,
			      struct vmshm_region_snap *s)
{
	lockdep_assert_held(&r->lock);
	s->id = r->id;
	s->flags = (r->name[0] ? 0 : VMSHM_REGION_F_ANON) |
		   (r->transient ? VMSHM_REGION_F_TRANSIENT : 0) |
		   (READ_ONCE(r->linked) || !r->name[0] ?
		    0 : VMSHM_REGION_F_UNLINKED) |
		   (r->flags & VMSHM_CREATE_HUGE ? VMSHM_REGION_F_HUGE : 0) |
		   (r->flags & VMSHM_CREATE_LOCKED ? VMSHM_REGION_F_LOCKED : 0);
	memcpy(s->name, r->name, sizeof(s->name));
	s->size = r->size;
	s->mode = r->mode;
	s->uid = r->uid;
	s->gid = r->gid;
	s->cpid = pid_nr_ns(r->cpid, viewer->pid_ns);
	s->lpid = pid_nr_ns(r->lpid, viewer->pid_ns);
	vmshm_shmem_count(r->filp, 0, r->nr_pages, &s->pages);
	s->nr_mappings = r->nr_mappings;
	s->nr_attach = atomic_read(&r->nr_attach);
	s->seq = atomic64_read(&r->seq);
	s->faults = atomic64_read(&r->faults);
	s->majflt = atomic64_read(&r->majflt);
	s->waits = atomic64_read(&r->waits);
	s->wakes = atomic64_read(&r->wakes);
	s->timeouts = atomic64_read(&r->timeouts);
}

/**
 * vmshm_region_snap() - read a region for a view that prints no mapping
 * @r: the region, kept alive by the caller
 * @viewer: who reads it
 * @s: filled in
 *
 * Context: takes vmshm_region.lock.
 */
void vmshm_region_snap(struct vmshm_region *r,
		       const struct vmshm_viewer *viewer,
		       struct vmshm_region_snap *s)
{
	spin_lock(&r->lock);
	vmshm_region_snap_locked(r, viewer, s);
	spin_unlock(&r->lock);
}

/**
 * vmshm_region_touch() - record the calling process as the last user
 * @r: the region
 *
 * Context: takes vmshm_region.lock.
 */
void vmshm_region_touch(struct vmshm_region *r)
{
	struct pid *pid = get_pid(task_tgid(current)), *old;

	spin_lock(&r->lock);
	old = r->lpid;
	r->lpid = pid;
	spin_unlock(&r->lock);
	put_pid(old);
}

/*
 * A name must be NUL-terminated within the field, zero after the NUL, and
 * made of [A-Za-z0-9._-] so that /proc/vmshm and JSON never need quoting.
 * The kernel's isalnum() also takes Latin-1 letters (0xc0-0xff), hence
 * the explicit ASCII test.
 */
static int vmshm_check_name(const char *name, bool allow_empty)
{
	const char *end = memchr(name, 0, VMSHM_NAME_MAX);
	const char *p;

	if (!end)
		return -ENAMETOOLONG;
	if (end == name && !allow_empty)
		return -EINVAL;
	for (p = name; p < end; p++)
		if (!isascii(*p) ||
		    (!isalnum(*p) && *p != '.' && *p != '_' && *p != '-'))
			return -EINVAL;
	if (memchr_inv(end, 0, name + VMSHM_NAME_MAX - end))
		return -EINVAL;
	return 0;
}

/*
 * Per-user limits.  Users are counted by their uid in the initial user
 * namespace, as RLIMIT_MEMLOCK and the other per-user rlimits are: a user
 * who makes a user namespace stays the same user.  Everything here is
 * under vmshm_lock, which CREATE and the last put of a region hold anyway.
 */
static DEFINE_HASHTABLE(vmshm_users, 6);

static struct vmshm_user *vmshm_user_find_locked(kuid_t uid)
{
	struct vmshm_user *u;

	lockdep_assert_held(&vmshm_lock);
	hash_for_each_possible(vmshm_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* Charge @r to the caller, or return -EDQUOT past a per-user limit. */
static int vmshm_user_charge_locked(struct vmshm_region *r,
				    struct vmshm_user **spare)
{
	unsigned long max_pages = READ_ONCE(vmshm_max_user_pages);
	kuid_t uid = current_euid();
	struct vmshm_user *u = vmshm_user_find_locked(uid);
	unsigned int nr_regions = u ? u->nr_regions : 0;
	unsigned long nr_pages = u ? u->nr_pages : 0;

	if (nr_regions >= READ_ONCE(vmshm_max_user_regions) ||
	    r->nr_pages > max_pages || nr_pages > max_pages - r->nr_pages)
		return -EDQUOT;
	if (!u) {
		u = *spare;
		*spare = NULL;
		u->uid = uid;
		hash_add(vmshm_users, &u->node, __kuid_val(uid));
	}
	u->nr_regions++;
	u->nr_pages += r->nr_pages;
	r->user = u;
	return 0;
}

static void vmshm_user_uncharge_locked(struct vmshm_region *r)
{
	struct vmshm_user *u = r->user;

	lockdep_assert_held(&vmshm_lock);
	u->nr_regions--;
	u->nr_pages -= r->nr_pages;
	if (!u->nr_regions) {
		hash_del(&u->node);
		kfree(u);
	}
}

/**
 * vmshm_user_usage() - what the caller's user holds now
 * @nr_regions: set to the regions it created that exist
 * @nr_pages: set to the pages they reserve
 *
 * Context: takes vmshm_lock.
 */
void vmshm_user_usage(unsigned int *nr_regions, unsigned long *nr_pages)
{
	struct vmshm_user *u;

	mutex_lock(&vmshm_lock);
	u = vmshm_user_find_locked(current_euid());
	*nr_regions = u ? u->nr_regions : 0;
	*nr_pages = u ? u->nr_pages : 0;
	mutex_unlock(&vmshm_lock);
}

/*
 * A locked region's pages are charged to its creator's locked memory, as
 * shmctl(SHM_LOCK) charges a segment's: user_shm_lock() is not exported,
 * so use the per-user count that io_uring and the other pinning users
 * keep against RLIMIT_MEMLOCK.  CAP_IPC_LOCK is not charged, as there.
 */
static int vmshm_region_mlock(struct vmshm_region *r)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK);
	struct user_struct *user = current_user();
	unsigned long cur, new;

	if (capable(CAP_IPC_LOCK))
		goto set_unevictable;
	if (!limit)
		return -EPERM;
	limit >>= PAGE_SHIFT;
	cur = atomic_long_read(&user->locked_vm);
	do {
		new = cur + r->nr_pages;
		if (new > limit || new < cur)
			return -ENOMEM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, new));
	r->mlock_user = get_uid(user);

set_unevictable:
	/* What shmem_lock() does: reclaim skips the pages, swap never sees them. */
	mapping_set_unevictable(r->filp->f_mapping);
	return 0;
}

static void vmshm_region_free(struct vmshm_region *r)
{
	put_pid(r->cpid);
	put_pid(r->lpid);
	vmshm_ns_put(r->ns);
	if (r->mlock_user) {
		atomic_long_sub(r->nr_pages, &r->mlock_user->locked_vm);
		free_uid(r->mlock_user);
	}
	/*
	 * shmem frees the pages with the file; GUP pins (O_DIRECT, io_uring)
	 * keep their own references.  The last fput() may be deferred.
	 */
	if (r->filp)
		fput(r->filp);
	kfree(r);
}

static void vmshm_region_release(struct kref *ref)
	__releases(&vmshm_lock)
{
	struct vmshm_region *r = container_of(ref, struct vmshm_region, ref);

	xa_erase(&vmshm_regions, r->id);
	vmshm_user_uncharge_locked(r);
	vmshm_stats.nr_regions--;
	vmshm_stats.reserved_pages -= r->nr_pages;
	vmshm_stats.gen++;
	mutex_unlock(&vmshm_lock);
	__release(&vmshm_lock);	/* sparse does not track mutexes */
	vmshm_region_notify(VMSHM_EVENT_DESTROYED, r, r->name);
	if (trace_vmshm_region_destroy_enabled()) {
		struct vmshm_pages pages;

		vmshm_shmem_count(r->filp, 0, r->nr_pages, &pages);
		trace_vmshm_region_destroy(r, &pages);
	}
	vmshm_region_free(r);
}

/**
 * vmshm_region_put() - drop a region reference
 * @r: the region
 *
 * The last reference removes the region from the table under vmshm_lock,
 * so a lookup holding that lock never sees a region whose count is zero.
 * Context: may sleep.
 */
void vmshm_region_put(struct vmshm_region *r)
{
	kref_put_mutex(&r->ref, vmshm_region_release, &vmshm_lock);
}

static struct vmshm_region *vmshm_region_alloc(const struct vmshm_create *c,
					       pgoff_t nr_pages)
{
	struct vmshm_region *r;

	struct file *filp;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return ERR_PTR(-ENOMEM);
	filp = vmshm_shmem_file(c->name, (loff_t)nr_pages << PAGE_SHIFT,
				c->flags & VMSHM_CREATE_HUGE);
	if (IS_ERR(filp)) {
		kfree(r);
		/*
		 * The module's mounts have no size or inode limit, so shmem's
		 * ENOSPC is an inode it could not allocate; ENOSPC is ours,
		 * for max_regions and max_total_pages.
		 */
		if (PTR_ERR(filp) == -ENOSPC)
			return ERR_PTR(-ENOMEM);
		return ERR_CAST(filp);
	}
	r->filp = filp;
	kref_init(&r->ref);
	strscpy(r->name, c->name, sizeof(r->name));
	r->transient = c->flags & VMSHM_CREATE_TRANSIENT;
	r->flags = c->flags & (VMSHM_CREATE_HUGE | VMSHM_CREATE_LOCKED);
	r->nr_pages = nr_pages;
	r->size = (u64)nr_pages << PAGE_SHIFT;
	r->uid = current_euid();
	r->gid = current_egid();
	r->mode = c->mode & ~current_umask();
	r->cpid = get_pid(task_tgid(current));
	r->lpid = get_pid(r->cpid);
	init_waitqueue_head(&r->wq);
	init_waitqueue_head(&r->wait_wq);
	spin_lock_init(&r->lock);
	INIT_LIST_HEAD(&r->mappings);
	return r;
}

/* Bind @vf to @r, whose reference the caller passes on.  vmshm_lock held. */
static void vmshm_bind_locked(struct vmshm_file *vf, struct vmshm_region *r,
			      u32 flags)
{
	lockdep_assert_held(&vmshm_lock);
	vf->flags = flags;
	vf->had_peer = atomic_inc_return(&r->nr_attach) > 1;
	vf->bind_gen = atomic64_inc_return(&r->attach_gen);
	atomic64_set(&vf->seen, atomic64_read(&r->seq));
	vmshm_region_touch(r);
	/* Publish the binding last: pairs with vmshm_file_region(). */
	smp_store_release(&vf->region, r);
}

static int vmshm_check_create(const struct vmshm_create *c)
{
	bool anon = c->flags & VMSHM_CREATE_ANON;
	int ret;

	if (c->flags & ~(VMSHM_CREATE_ANON | VMSHM_CREATE_TRANSIENT |
			 VMSHM_CREATE_HUGE | VMSHM_CREATE_LOCKED))
		return -EOPNOTSUPP;
	if (c->__reserved || c->__reserved2)
		return -EINVAL;
	if (anon && (c->flags & VMSHM_CREATE_TRANSIENT))
		return -EINVAL;
	ret = vmshm_check_name(c->name, anon);
	if (ret)
		return ret;
	if (anon && c->name[0])
		return -EINVAL;
	if (!c->region_size || c->mode & ~0777U)
		return -EINVAL;
	if (c->region_size > READ_ONCE(vmshm_max_region_size))
		return -EFBIG;
	return 0;
}

/* Ids are never reused while the module is loaded; protected by vmshm_lock. */
static u32 vmshm_next_id;

/*
 * Enforce the limits, charge the user and take the name.  @spare is a
 * user entry for a user who has none yet.  vmshm_lock held.
 */
static int vmshm_insert_locked(struct vmshm_region *r,
			       struct vmshm_user **spare)
{
	unsigned long max_pages = READ_ONCE(vmshm_max_total_pages);
	int ret;

	if (r->name[0] && vmshm_ns_find_name(r->ns, r->name))
		return -EEXIST;
	if (vmshm_stats.nr_regions >= READ_ONCE(vmshm_max_regions) ||
	    r->nr_pages > max_pages ||
	    vmshm_stats.reserved_pages > max_pages - r->nr_pages)
		ret = -ENOSPC;
	else
		ret = vmshm_user_charge_locked(r, spare);
	if (ret) {
		atomic_long_inc(&vmshm_stats.rejected);
		return ret;
	}
	/* Cyclic, so an event or dump cursor never names two regions. */
	ret = xa_alloc_cyclic(&vmshm_regions, &r->id, r, xa_limit_31b,
			      &vmshm_next_id, GFP_KERNEL_ACCOUNT);
	if (ret < 0) {
		ret = ret == -EBUSY ? -ENOSPC : ret;
		goto err_uncharge;
	}
	if (r->name[0]) {
		ret = vmshm_ns_link_name(r);
		if (ret)
			goto err_erase;
	}
	vmshm_stats.nr_regions++;
	vmshm_stats.reserved_pages += r->nr_pages;
	vmshm_stats.gen++;
	/* A persistent name keeps the region until VMSHM_UNLINK. */
	if (r->linked && !r->transient)
		kref_get(&r->ref);
	return 0;

err_erase:
	xa_erase(&vmshm_regions, r->id);
err_uncharge:
	vmshm_user_uncharge_locked(r);
	return ret;
}

/**
 * vmshm_ioctl_create() - VMSHM_CREATE: make a region and bind the file to it
 * @vf: the calling file
 * @arg: struct vmshm_create, updated with out_id
 *
 * Return: 0 or a negative errno documented in the UAPI header.
 */
long vmshm_ioctl_create(struct vmshm_file *vf, void *arg)
{
	struct vmshm_user *spare = NULL;
	struct vmshm_create *c = arg;
	struct vmshm_region *r;
	struct vmshm_ns *vns;
	pgoff_t nr_pages;
	int ret;

	ret = vmshm_check_create(c);
	if (ret)
		return ret;
	vns = vmshm_ns_get(true);
	if (IS_ERR(vns))
		return PTR_ERR(vns);
	nr_pages = (c->region_size >> PAGE_SHIFT) +
		   !!(c->region_size & ~PAGE_MASK);
	r = vmshm_region_alloc(c, nr_pages);
	if (IS_ERR(r)) {
		vmshm_ns_put(vns);
		return PTR_ERR(r);
	}
	r->ns = vns;
	ret = -ENOMEM;
	spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
	if (!spare)
		goto err_free;
	if (c->flags & VMSHM_CREATE_LOCKED) {
		ret = vmshm_region_mlock(r);
		if (ret)
			goto err_free;
	}

	mutex_lock(&vmshm_lock);
	if (vmshm_file_region(vf))
		ret = -EBUSY;
	else
		ret = vmshm_insert_locked(r, &spare);
	if (ret)
		goto err_unlock_free;
	vmshm_bind_locked(vf, r, 0);
	c->out_id = r->id;
	mutex_unlock(&vmshm_lock);
	kfree(spare);
	trace_vmshm_region_create(r, c->flags);
	vmshm_region_notify(VMSHM_EVENT_CREATED, r, r->name);
	return 0;

err_unlock_free:
	mutex_unlock(&vmshm_lock);
	if (ret == -ENOSPC || ret == -EDQUOT)
		vmshm_region_notify(VMSHM_EVENT_REJECTED, r, c->name);
err_free:
	kfree(spare);
	vmshm_region_free(r);
	return ret;
}

/*
 * The ipc_perm rule of ipcperms(), on the region's owner and mode, with
 * CAP_IPC_OWNER over the user namespace that owns the region's IPC
 * namespace, as ipcperms() checks it.
 */
static int vmshm_permission(const struct vmshm_region *r, bool write)
{
	int want = write ? 06 : 04;
	int granted = r->mode;

	if (uid_eq(current_euid(), r->uid))
		granted >>= 6;
	else if (in_group_p(r->gid))
		granted >>= 3;
	if ((want & ~granted & 07) && !ns_capable(r->ns->user_ns, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

/*
 * The one rule for removing a name, by ioctl or by netlink, as IPC_RMID
 * has it: the owner (who is also the creator: regions never change
 * hands) or CAP_SYS_ADMIN over the user namespace that owns the region's
 * IPC namespace.  Over netlink the capability must be held by the opener
 * of the socket too (@skb), so that a passed socket lends no privilege.
 */
static bool vmshm_may_unlink(const struct vmshm_region *r,
			     const struct sk_buff *skb)
{
	if (uid_eq(current_euid(), r->uid))
		return true;
	return skb ? netlink_ns_capable(skb, r->ns->user_ns, CAP_SYS_ADMIN) :
		     ns_capable(r->ns->user_ns, CAP_SYS_ADMIN);
}

/**
 * vmshm_ioctl_attach() - VMSHM_ATTACH: bind the file to a named region
 * @vf: the calling file
 * @arg: struct vmshm_attach, updated with out_size and out_id
 *
 * Return: 0 or a negative errno documented in the UAPI header.
 */
long vmshm_ioctl_attach(struct vmshm_file *vf, void *arg)
{
	struct vmshm_attach *a = arg;
	struct vmshm_region *r;
	struct vmshm_ns *vns;
	int ret;

	if (a->flags & ~VMSHM_ATTACH_RDONLY)
		return -EOPNOTSUPP;
	if (a->__reserved)
		return -EINVAL;
	ret = vmshm_check_name(a->name, false);
	if (ret)
		return ret;
	vns = vmshm_ns_get(false);
	if (IS_ERR_OR_NULL(vns))
		return vns ? PTR_ERR(vns) : -ENOENT;

	mutex_lock(&vmshm_lock);
	r = vmshm_ns_find_name(vns, a->name);
	if (!r)
		ret = -ENOENT;
	else if (vmshm_file_region(vf))
		ret = -EBUSY;
	else
		ret = vmshm_permission(r, !(a->flags & VMSHM_ATTACH_RDONLY));
	if (!ret) {
		kref_get(&r->ref);
		vmshm_bind_locked(vf, r, a->flags);
		a->out_size = r->size;
		a->out_id = r->id;
	}
	mutex_unlock(&vmshm_lock);
	vmshm_ns_put(vns);
	if (!ret)
		vmshm_region_notify(VMSHM_EVENT_ATTACHED, r, r->name);
	return ret;
}

/**
 * vmshm_region_unlink() - remove a region's name in the caller's namespace
 * @name: a valid name
 * @skb: the netlink request, or NULL for the ioctl
 *
 * Return: 0, -ENOENT, -EPERM (see vmshm_may_unlink()), or -EOPNOTSUPP
 * (see vmshm_ns_get()).
 */
int vmshm_region_unlink(const char *name, const struct sk_buff *skb)
{
	struct vmshm_region *r;
	struct vmshm_ns *vns;
	bool put;

	vns = vmshm_ns_get(false);
	if (IS_ERR_OR_NULL(vns))
		return vns ? PTR_ERR(vns) : -ENOENT;
	mutex_lock(&vmshm_lock);
	r = vmshm_ns_find_name(vns, name);
	if (!r || !vmshm_may_unlink(r, skb)) {
		mutex_unlock(&vmshm_lock);
		vmshm_ns_put(vns);
		return r ? -EPERM : -ENOENT;
	}
	vmshm_ns_unlink_name(r);
	put = !r->transient;
	/* Ours, for the event: a transient name holds no reference. */
	kref_get(&r->ref);
	mutex_unlock(&vmshm_lock);
	vmshm_ns_put(vns);
	vmshm_region_notify(VMSHM_EVENT_UNLINKED, r, name);
	if (put)
		vmshm_region_put(r);	/* the name's */
	vmshm_region_put(r);
	return 0;
}

/**
 * vmshm_ioctl_unlink() - VMSHM_UNLINK: remove a region's name
 * @vf: the calling file (need not be bound)
 * @arg: struct vmshm_unlink
 *
 * Return: 0 or a negative errno documented in the UAPI header.
 */
long vmshm_ioctl_unlink(struct vmshm_file *vf, void *arg)
{
	struct vmshm_unlink *u = arg;
	int ret;

	if (u->flags)
		return -EOPNOTSUPP;
	ret = vmshm_check_name(u->name, false);
	if (ret)
		return ret;
	return vmshm_region_unlink(u->name, NULL);
}

/**
 * vmshm_region_get() - look a region of a namespace up by id or name
 * @vns: the namespace the caller sees
 * @id: the id, or 0 to look up @name
 * @name: the name when @id is 0
 *
 * Return: a counted reference (drop it with vmshm_region_put()), or NULL,
 * also for a region of another namespace.
 */
struct vmshm_region *vmshm_region_get(struct vmshm_ns *vns, u32 id,
				      const char *name)
{
	struct vmshm_region *r;

	mutex_lock(&vmshm_lock);
	r = id ? xa_load(&vmshm_regions, id) : vmshm_ns_find_name(vns, name);
	if (r && r->ns != vns)
		r = NULL;
	if (r)
		kref_get(&r->ref);
	mutex_unlock(&vmshm_lock);
	return r;
}

/**
 * vmshm_ioctl_stat() - VMSHM_STAT: counters of the bound region
 * @vf: the calling file, bound
 * @arg: struct vmshm_stat, filled in
 *
 * Return: 0, or -EOPNOTSUPP for unknown flags.
 */
long vmshm_ioctl_stat(struct vmshm_file *vf, void *arg)
{
	const struct vmshm_viewer viewer = {
		.pid_ns = task_active_pid_ns(current),
	};
	struct vmshm_region_snap snap;
	struct vmshm_stat *s = arg;

	if (s->flags)
		return -EOPNOTSUPP;
	if (s->__reserved)
		return -EINVAL;
	vmshm_region_snap(vmshm_file_region(vf), &viewer, &snap);
	s->out_id = snap.id;
	s->out_mode = snap.mode;
	s->out_size = snap.size;
	s->out_resident = snap.pages.resident;
	s->out_swapped = snap.pages.swapped;
	s->out_huge = snap.pages.huge;
	s->out_faults = snap.faults;
	s->out_majflt = snap.majflt;
	s->out_flags = snap.flags;
	s->out_waits = snap.waits;
	s->out_wakes = snap.wakes;
	s->out_timeouts = snap.timeouts;
	s->out_seq = snap.seq;
	s->out_nr_attach = snap.nr_attach;
	s->out_nr_mappings = snap.nr_mappings;
	s->out_uid = from_kuid_munged(current_user_ns(), snap.uid);
	s->out_gid = from_kgid_munged(current_user_ns(), snap.gid);
	return 0;
}

/**
 * vmshm_regions_count() - module-wide counts, for VMSHM_GET_INFO and netlink
 * @nr_regions: set to the number of regions
 * @reserved_pages: set to the pages reserved by all regions
 * @pages: set to where the pages of all regions are
 *
 * Context: takes vmshm_lock.
 */
void vmshm_regions_count(unsigned int *nr_regions,
			 unsigned long *reserved_pages,
			 struct vmshm_pages *pages)
{
	struct vmshm_region *r;
	struct vmshm_pages p;
	unsigned long id;

	memset(pages, 0, sizeof(*pages));
	mutex_lock(&vmshm_lock);
	*nr_regions = vmshm_stats.nr_regions;
	*reserved_pages = vmshm_stats.reserved_pages;
	xa_for_each(&vmshm_regions, id, r) {
		vmshm_shmem_count(r->filp, 0, r->nr_pages, &p);
		pages->resident += p.resident;
		pages->huge += p.huge;
		pages->swapped += p.swapped;
	}
	mutex_unlock(&vmshm_lock);
}

/**
 * vmshm_file_detach() - unbind a file that is going away
 * @vf: the file, bound
 *
 * The last user takes a transient name with it, whatever references
 * netlink or /proc still hold: the count of users drops to zero under
 * vmshm_lock, where ATTACH binds, so no ATTACH can find a transient region
 * without users and bring it back.  Wakes every sleeper so that the
 * remaining peers see EPOLLHUP or EPIPE.
 */
void vmshm_file_detach(struct vmshm_file *vf)
{
	struct vmshm_region *r = vf->region;

	if (atomic_dec_and_mutex_lock(&r->nr_attach, &vmshm_lock)) {
		if (r->transient)
			vmshm_ns_unlink_name(r);
		mutex_unlock(&vmshm_lock);
	}
	vmshm_region_touch(r);
	wake_up_all(&r->wq);
	wake_up_all(&r->wait_wq);
	vmshm_region_notify(VMSHM_EVENT_DETACHED, r, r->name);
	vmshm_region_put(r);
}

/* Drop the names left in the table: of a dead namespace, or all. */
static void vmshm_regions_unlink_all(struct vmshm_ns *vns)
{
	struct vmshm_region *r;
	unsigned long id;

	mutex_lock(&vmshm_lock);
	xa_for_each(&vmshm_regions, id, r) {
		if (vns && r->ns != vns)
			continue;
		if (!r->linked)
			continue;
		vmshm_ns_unlink_name(r);
		if (r->transient)
			continue;
		mutex_unlock(&vmshm_lock);
		vmshm_region_put(r);
		mutex_lock(&vmshm_lock);
	}
	mutex_unlock(&vmshm_lock);
}

/**
 * vmshm_regions_ns_gone() - drop the names of a dead IPC namespace
 * @vns: the namespace, no longer reachable by lookups
 *
 * As shm_exit_ns() does for SysV segments: a region whose name was its
 * last reference is freed; one still bound or mapped (an fd passed out of
 * the namespace, say) lives on, nameless, until its last user goes.
 */
void vmshm_regions_ns_gone(struct vmshm_ns *vns)
{
	vmshm_regions_unlink_all(vns);
}

/**
 * vmshm_regions_destroy() - drop the names left at module unload
 *
 * Files pin the module, and mappings pin files, so only regions held by
 * their name alone can remain here.
 */
void vmshm_regions_destroy(void)
{
	vmshm_regions_unlink_all(NULL);
	WARN_ON(!xa_empty(&vmshm_regions));
}
