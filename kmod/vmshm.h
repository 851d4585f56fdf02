/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmshm internal definitions.
 *
 * Object model:
 *
 *   struct vmshm_file    one per open() of /dev/vmshm; bound to at most one
 *          |             region by CREATE or ATTACH, for its whole life
 *          v  (counted reference)
 *   struct vmshm_region  the name, the wait queues and the counters
 *          |
 *          v  (counted reference)
 *   shmem file           the pages, on a private tmpfs mount (shmem.c)
 *          ^
 *          |  (vm_file: the VMA maps the shmem file, as a SysV
 *          |   segment's VMA does)
 *   VMA --vm_private_data--> struct vmshm_mapping, one per VMA, for fault
 *                        counts and /proc/vmshm; it holds the vmshm_file
 *                        the VMA was mapped through (a counted file
 *                        reference), which holds the region and, through
 *                        its f_op, this module
 *
 * Users and references are counted apart.  The users of a region are its
 * bound files (@nr_attach; a mapping holds its vmshm_file, so it counts
 * through it).  References (@ref) also come from lookups that only read: netlink,
 * /proc.  A persistent name holds a "link" reference until VMSHM_UNLINK;
 * a transient name holds none, and goes when the last user does.
 *
 * Lock order: vmshm_lock, then vmshm_region.lock.  Neither is held while
 * taking mmap_lock; ->close() runs under mmap_lock and takes
 * vmshm_region.lock only.
 */
#ifndef _VMSHM_INTERNAL_H
#define _VMSHM_INTERNAL_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include <linux/sched/user.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/vmshm.h>

struct ipc_namespace;
struct pid_namespace;
struct sk_buff;
struct user_namespace;

#define VMSHM_MOD_VERSION	"1.0"

/* Module parameters (main.c), read with READ_ONCE() as root may change them. */
extern unsigned long vmshm_max_region_size;
extern unsigned int vmshm_max_regions;
extern unsigned long vmshm_max_total_pages;
extern unsigned int vmshm_max_user_regions;
extern unsigned long vmshm_max_user_pages;

/*
 * All regions by id, named or not.  Entries are inserted and erased under
 * vmshm_lock, which also protects vmshm_region.linked and the counters
 * below, so holding it keeps every region in the table alive.
 */
extern struct xarray vmshm_regions;
extern struct mutex vmshm_lock;

/**
 * struct vmshm_stats - module-wide counters
 * @nr_regions: regions in vmshm_regions; protected by vmshm_lock
 * @reserved_pages: pages reserved by all regions; protected by vmshm_lock
 * @rejected: CREATE calls refused by a limit
 * @gen: advanced whenever a region enters or leaves the table, so that a
 *	netlink dump can flag itself inconsistent; protected by vmshm_lock
 */
struct vmshm_stats {
	unsigned int nr_regions;
	unsigned int gen;
	unsigned long reserved_pages;
	atomic_long_t rejected;
};

extern struct vmshm_stats vmshm_stats;

/**
 * struct vmshm_ns - vmshm's state for one IPC namespace (ns.c)
 * @node: in the hash of live namespaces, keyed by @ipc_ns; added and
 *	removed under that hash's lock, walked under RCU by the probe that
 *	sees the namespace die
 * @ipc_ns: the namespace; only compared, never dereferenced after it died
 * @user_ns: the user namespace that owns it, counted: CAP_SYS_ADMIN and
 *	CAP_IPC_OWNER over a region are checked there
 * @names: the linked regions of the namespace by name; changed under
 *	vmshm_lock, looked up under it or under RCU
 * @ref: one per region of the namespace, plus the hash's
 * @dead: set once, by that probe: lookups skip the entry from then on, so
 *	a namespace allocated later at the same address starts empty
 * @dead_node: on the list of dead entries that a work item unhashes,
 *	dropping the names of their regions
 * @rcu: frees the entry after the probe's walkers are gone
 */
struct vmshm_ns {
	struct hlist_node node;
	struct ipc_namespace *ipc_ns;
	struct user_namespace *user_ns;
	struct rhashtable names;
	struct kref ref;
	unsigned long dead;
	struct llist_node dead_node;
	struct rcu_head rcu;
};

/**
 * struct vmshm_user - what one user holds, for the per-user limits
 * @node: in the hash of users, keyed by @uid
 * @uid: the user, as the initial user namespace knows it, so that a new
 *	user namespace does not bring a new allowance
 * @nr_regions: regions created by this user that exist now
 * @nr_pages: pages those regions reserve
 *
 * Everything here is protected by vmshm_lock; an entry goes when its
 * counts reach zero.
 */
struct vmshm_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int nr_regions;
	unsigned long nr_pages;
};

/**
 * struct vmshm_pages - where a range of region pages is
 * @resident: pages in memory
 * @huge: pages in memory that are part of a huge page
 * @swapped: pages in swap
 *
 * Filled by vmshm_shmem_count(); a page not counted was never touched.
 */
struct vmshm_pages {
	unsigned long resident;
	unsigned long huge;
	unsigned long swapped;
};

/**
 * struct vmshm_region - a named shared region, backed by a shmem file
 * @ref: references: one per bound vmshm_file, one per lookup in progress,
 *	plus the link reference of a persistent name
 * @id: unique id, the key in vmshm_regions and the netlink dump cursor
 * @linked: the name can be found by ATTACH: it is in @ns's name table;
 *	written under vmshm_lock, which lookups hold; the views read it
 *	with READ_ONCE()
 * @name_node: in @ns's name table while @linked
 * @transient: the name holds no reference and goes with the last user
 * @ns: the IPC namespace the name lives in, counted
 * @user: the user charged for the region, under vmshm_lock
 * @flags: VMSHM_CREATE_HUGE and VMSHM_CREATE_LOCKED, as created
 * @name: NUL-terminated name, empty for an anonymous region
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @nr_pages: @size in pages
 * @filp: the shmem file that holds the pages
 * @mlock_user: the user charged for a locked region's pages, or NULL
 * @uid: owner's effective uid at creation
 * @gid: owner's effective gid at creation
 * @mode: permission bits
 * @cpid: the creating process, counted
 * @lpid: the last process to attach, detach or map, counted; protected
 *	by @lock
 * @wq: poll() sleeps here, woken under its lock; see notify.c for why no
 *	wakeup is lost
 * @wait_wq: VMSHM_WAIT and read() sleep here, woken outside its lock
 *	(notify.c)
 * @seq: event counter, advanced by every VMSHM_WAKE
 * @nr_attach: users: bound vmshm_files; raised only under vmshm_lock, and
 *	brought to zero only under it (vmshm_file_detach())
 * @attach_gen: advanced on every bind, to tell whether a peer came
 * @faults: page faults on all mappings, minor and major
 * @majflt: major faults on all mappings: pages read back from swap
 * @waits: VMSHM_WAIT calls that slept
 * @wakes: VMSHM_WAKE calls
 * @timeouts: VMSHM_WAIT calls that timed out
 * @lock: protects @mappings, @nr_mappings, @lpid and the vmshm_mapping
 *	owners
 * @mappings: list of vmshm_mapping.node
 * @nr_mappings: entries on @mappings
 */
struct vmshm_region {
	struct kref ref;
	u32 id;
	bool linked;
	bool transient;
	struct rhash_head name_node;
	struct vmshm_ns *ns;
	struct vmshm_user *user;
	u32 flags;
	char name[VMSHM_NAME_MAX];
	u64 size;
	pgoff_t nr_pages;
	struct file *filp;
	struct user_struct *mlock_user;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	struct pid *cpid;
	struct pid *lpid;
	wait_queue_head_t wq;
	wait_queue_head_t wait_wq;
	atomic64_t seq;
	atomic_t nr_attach;
	atomic64_t attach_gen;
	atomic64_t faults;
	atomic64_t majflt;
	atomic64_t waits;
	atomic64_t wakes;
	atomic64_t timeouts;
	spinlock_t lock;		/* protects the mapping list */
	struct list_head mappings;
	unsigned int nr_mappings;
};

/**
 * struct vmshm_file - per open file state
 * @region: the bound region, NULL until CREATE or ATTACH; written once
 *	under vmshm_lock, read with smp_load_acquire()
 * @flags: VMSHM_ATTACH_* flags of the binding
 * @seen: event counter value last returned by read()
 * @bind_gen: region attach_gen right after this file was bound
 * @had_peer: another file was bound when this one was
 */
struct vmshm_file {
	struct vmshm_region *region;
	u32 flags;
	atomic64_t seen;
	s64 bind_gen;
	bool had_peer;
};

/**
 * struct vmshm_mapping - one VMA of a region
 * @node: entry on vmshm_region.mappings
 * @region: the region, kept alive by @file
 * @file: the /dev/vmshm file the VMA was mapped through, referenced, so
 *	that the region and the module outlive the VMA (its vm_file is the
 *	region's shmem file)
 * @shmem_ops: shmem's vm_operations, which vmshm's wrap and call through
 * @vma: the VMA; valid while on the list, as ->close() unlinks it first
 * @uid: effective uid of the task that created the mapping
 * @pid: the owning process, counted; NULL until known (a VMA copied by
 *	fork is opened in the parent and claimed on the child's first
 *	fault); protected by vmshm_region.lock
 * @comm: that process's command name; protected by vmshm_region.lock
 * @faults: page faults taken through this VMA
 * @majflt: of which major faults
 */
struct vmshm_mapping {
	struct list_head node;
	struct vmshm_region *region;
	struct file *file;
	const struct vm_operations_struct *shmem_ops;
	struct vm_area_struct *vma;
	kuid_t uid;
	struct pid *pid;
	char comm[TASK_COMM_LEN];
	atomic64_t faults;
	atomic64_t majflt;
};

/**
 * struct vmshm_region_snap - one reading of a region, for the views
 * @id: vmshm_region.id
 * @flags: VMSHM_REGION_F_* bits
 * @name: the name, empty for an anonymous region
 * @size: size in bytes
 * @mode: permission bits
 * @uid: owner; each view maps it into its reader's user namespace
 * @gid: owning group, likewise
 * @cpid: the creator, in the reader's pid namespace, 0 outside it
 * @lpid: the last process to attach, detach or map, likewise
 * @pages: where its pages are
 * @nr_mappings: mappings in all processes
 * @nr_attach: bound files
 * @seq: event counter
 * @faults: page faults on all mappings
 * @majflt: major faults on all mappings
 * @waits: VMSHM_WAIT calls that slept
 * @wakes: VMSHM_WAKE calls
 * @timeouts: VMSHM_WAIT calls that timed out
 *
 * VMSHM_STAT, fdinfo, /proc/vmshm and netlink all print from this, filled
 * by vmshm_region_snap_locked(), so a new counter is added in one place.
 */
struct vmshm_region_snap {
	u32 id;
	u32 flags;
	char name[VMSHM_NAME_MAX];
	u64 size;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;
	pid_t cpid;
	pid_t lpid;
	struct vmshm_pages pages;
	unsigned int nr_mappings;
	unsigned int nr_attach;
	s64 seq;
	s64 faults;
	s64 majflt;
	s64 waits;
	s64 wakes;
	s64 timeouts;
};

/**
 * struct vmshm_mapping_snap - one reading of a mapping, for the views
 * @pid: the owning process in the reader's pid namespace; 0 until known,
 *	or when outside it
 * @comm: its command name, empty while @pid is 0
 * @start: first address, 0 when hidden from the reader
 * @end: end address, 0 when hidden from the reader
 * @pgoff: the region page at @start, shown to every reader
 * @pages: pages the mapping spans, shown to every reader
 * @prot: PROT_READ, PROT_WRITE and PROT_EXEC bits
 * @shared: a MAP_SHARED mapping
 * @resident: region pages in memory in the mapping's window
 * @faults: page faults taken through this mapping
 * @majflt: of which major faults
 */
struct vmshm_mapping_snap {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long start;
	unsigned long end;
	pgoff_t pgoff;
	unsigned long pages;
	u32 prot;
	bool shared;
	unsigned long resident;
	s64 faults;
	s64 majflt;
};

/**
 * struct vmshm_viewer - who reads a view, to decide what it may see
 * @uid: the reader's effective uid
 * @admin: the reader has CAP_SYS_ADMIN
 * @pid_ns: the pid namespace the reader's pids are in
 */
struct vmshm_viewer {
	kuid_t uid;
	bool admin;
	struct pid_namespace *pid_ns;
};

/**
 * struct vmshm_region_event - what a region event tells its listeners
 * @id: the region id, 0 if the region never existed (a rejection)
 * @name: the region name, "" for an anonymous region
 * @ns: the IPC namespace whose listeners are told: the region's, or for a
 *	rejection the one the region would have been created in
 *
 * Passed with an enum vmshm_event_type as the action of the region
 * notifier chain (vmshm_region_notifier_register()).
 */
struct vmshm_region_event {
	u32 id;
	const char *name;
	struct vmshm_ns *ns;
};

/*
 * The name a view shows: "(anon)" for an anonymous region.  Parentheses
 * are not allowed in names, so the two cannot be confused.
 */
static inline const char *vmshm_shown_name(const char *name)
{
	return name[0] ? name : "(anon)";
}

static inline struct vmshm_region *vmshm_file_region(struct vmshm_file *vf)
{
	/* Pairs with smp_store_release() in vmshm_bind_locked(). */
	return smp_load_acquire(&vf->region);
}

/* vm_flags became write-protected in 6.3; older kernels write it directly. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * Names: a handler of ioctl VMSHM_FOO is vmshm_ioctl_foo(); every other
 * function is named after the object it works on (vmshm_region_*,
 * vmshm_file_*, vmshm_mapping_*, vmshm_nl_*).  libvmshm's wrappers are
 * vmshm_foo(), so no name exists on both sides.
 */

/* region.c */
long vmshm_ioctl_create(struct vmshm_file *vf, void *arg);
long vmshm_ioctl_attach(struct vmshm_file *vf, void *arg);
long vmshm_ioctl_unlink(struct vmshm_file *vf, void *arg);
long vmshm_ioctl_stat(struct vmshm_file *vf, void *arg);
int vmshm_region_unlink(const char *name, const struct sk_buff *skb);
struct vmshm_region *vmshm_region_get(struct vmshm_ns *vns, u32 id,
				      const char *name);
void vmshm_region_touch(struct vmshm_region *r);
void vmshm_regions_ns_gone(struct vmshm_ns *vns);
void vmshm_user_usage(unsigned int *nr_regions, unsigned long *nr_pages);
void vmshm_region_put(struct vmshm_region *r);
void vmshm_region_snap_locked(struct vmshm_region *r,
			      const struct vmshm_viewer *viewer,
			      struct vmshm_region_snap *s);
void vmshm_region_snap(struct vmshm_region *r,
		       const struct vmshm_viewer *viewer,
		       struct vmshm_region_snap *s);
int vmshm_region_notifier_register(struct notifier_block *nb);
int vmshm_region_notifier_unregister(struct notifier_block *nb);
void vmshm_regions_count(unsigned int *nr_regions,
			 unsigned long *reserved_pages,
			 struct vmshm_pages *pages);
void vmshm_file_detach(struct vmshm_file *vf);
void vmshm_regions_destroy(void);

/* mmap.c */
unsigned long vmshm_get_unmapped_area(struct file *file, unsigned long addr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags);
int vmshm_mmap(struct file *file, struct vm_area_struct *vma);
void vmshm_mapping_snap(struct vmshm_mapping *map,
			const struct vmshm_viewer *viewer,
			struct vmshm_mapping_snap *s);

/* notify.c */
long vmshm_ioctl_wait(struct vmshm_file *vf, void *arg);
long vmshm_ioctl_wake(struct vmshm_file *vf, void *arg);
__poll_t vmshm_poll(struct file *file, struct poll_table_struct *pt);
ssize_t vmshm_read(struct file *file, char __user *buf, size_t count,
		   loff_t *ppos);
bool vmshm_file_peer_gone(struct vmshm_file *vf);

/* netlink.c */
int vmshm_netlink_init(void);
void vmshm_netlink_exit(void);

/* netlink dumps: the parsed request attributes moved in 6.2 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define vmshm_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#else
#define vmshm_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#endif

/* fault_inject.c: debug kernels only */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
void vmshm_fault_init(void);
void vmshm_fault_exit(void);
void vmshm_fault_wait_race(void);
void vmshm_fault_wait_gone_race(void);
bool vmshm_fault_link_name(void);
#else
static inline void vmshm_fault_init(void) { }
static inline void vmshm_fault_exit(void) { }
static inline void vmshm_fault_wait_race(void) { }
static inline void vmshm_fault_wait_gone_race(void) { }
static inline bool vmshm_fault_link_name(void) { return false; }
#endif

/* ns.c */
int vmshm_ns_init(void);
void vmshm_ns_exit(void);
struct vmshm_ns *vmshm_ns_get(bool create);
void vmshm_ns_put(struct vmshm_ns *vns);
struct vmshm_region *vmshm_ns_find_name(struct vmshm_ns *vns,
					const char *name);
int vmshm_ns_link_name(struct vmshm_region *r);
void vmshm_ns_unlink_name(struct vmshm_region *r);

/* shmem.c */
int vmshm_shmem_init(void);
void vmshm_shmem_exit(void);
struct file *vmshm_shmem_file(const char *name, loff_t size, bool huge);
void vmshm_shmem_count(struct file *filp, pgoff_t first, pgoff_t nr,
		       struct vmshm_pages *p);
struct page *vmshm_shmem_page(struct file *filp, pgoff_t idx);

/**
 * struct vmshm_page_run - pages of a region in the same state
 * @index: first page index
 * @nr: number of pages
 * @flags: VMSHM_PAGE_F_* bits
 * @pfn: frame of the first page, when in memory and asked for; the
 *	others follow it
 */
struct vmshm_page_run {
	pgoff_t index;
	unsigned long nr;
	u32 flags;
	unsigned long pfn;
};

typedef int (*vmshm_page_run_fn)(const struct vmshm_page_run *run, void *arg);
int vmshm_shmem_runs(struct file *filp, pgoff_t first, pgoff_t last,
		     bool pfns, vmshm_page_run_fn fn, void *arg);
void vmshm_shmem_dirty(struct page *page);

/* procfs.c */
int vmshm_procfs_init(void);
void vmshm_procfs_exit(void);

#endif /* _VMSHM_INTERNAL_H */
