/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmshm: named regions of shared memory (shmem, as SysV shm uses) mapped
 * through mmap, with wait-queue notification.  This is the only copy of
 * the user API: the module, libvmshm, the tools and the tests all
 * include it.
 *
 * General ioctl rules, for every VMSHM_* ioctl:
 *
 *  - The argument is a pointer to a struct whose first member is
 *    "__u32 size", set by the caller to sizeof() the struct it was built
 *    with.  Older and newer layouts are accepted through
 *    copy_struct_from_user(); output members ("out_*") are written only up
 *    to the caller's size.
 *  - Members named __reserved must be zero.
 *
 * Errors shared by all ioctls:
 *
 *  ENOTTY      unknown ioctl number.
 *  EFAULT      the argument pointer (or a user pointer inside it) is bad.
 *  EINVAL      size is smaller than the first version of the struct, a
 *              __reserved member is not zero, or a value is out of range.
 *  E2BIG       size is larger than the kernel's struct and the extra bytes
 *              are not zero.
 *  EOPNOTSUPP  a flag bit this kernel does not know is set.
 *  ENODEV      the ioctl needs a region, but this fd has none bound.
 *  EBUSY       CREATE or ATTACH on an fd that already has a region bound.
 *
 * Errors of the region ioctls:
 *
 *  EEXIST        CREATE: the name is taken.
 *  ENOENT        ATTACH, UNLINK: no region has this name.
 *  EACCES        ATTACH: the mode bits of the region deny the access.
 *  EPERM         UNLINK: the caller neither owns nor created the region, and
 *                lacks CAP_SYS_ADMIN in the user namespace that owns the
 *                region's IPC namespace.
 *  ENAMETOOLONG  the name has no NUL within VMSHM_NAME_MAX bytes.
 *  EFBIG         CREATE: size exceeds the max_region_size module parameter.
 *  ENOSPC        CREATE: max_regions regions exist already, or the region
 *                would take the pages reserved by all regions past the
 *                max_total_pages module parameter.
 *  ENOMEM        the kernel could not allocate memory; CREATE with
 *                VMSHM_CREATE_LOCKED: the region would take the creator's
 *                locked memory past RLIMIT_MEMLOCK.
 *  EPERM         CREATE with VMSHM_CREATE_LOCKED: RLIMIT_MEMLOCK is 0 and
 *                the caller lacks CAP_IPC_LOCK.
 *  EDQUOT        CREATE: the caller's user (its effective uid) already
 *                has max_user_regions regions, or the region would take
 *                the pages reserved by that user's regions past
 *                max_user_pages.
 *  EOPNOTSUPP    CREATE, ATTACH, UNLINK outside the initial IPC namespace
 *                on a kernel where vmshm cannot follow IPC namespaces
 *                (no kprobes or no SysV IPC); the kernel log says so.
 *
 * Namespaces: a region's name lives in the IPC namespace of its creator.
 * ATTACH and UNLINK find names in the caller's IPC namespace only, and
 * /proc/vmshm and netlink list only the regions of the reader's.  An fd
 * passed to another namespace keeps its binding.  When an IPC namespace
 * dies, its names go, as shm_exit_ns() removes SysV segments; fds and
 * mappings still open keep their region until they close.  Pids are shown
 * as the reader's pid namespace sees them, 0 for a process outside it. *
 * Version 3 backs every region with a shmem file, as SysV shm does:
 * regions swap, can use huge pages, map MAP_PRIVATE (copy-on-write) and
 * carry futexes.  It removed VMSHM_CREATE_PREFAULT and
 * VMSHM_ATTACH_PREFAULT (now EOPNOTSUPP): MAP_POPULATE and
 * MADV_POPULATE_WRITE on the mapping do the same for any file.
 */
#ifndef _UAPI_LINUX_VMSHM_H
#define _UAPI_LINUX_VMSHM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMSHM_DEVICE		"/dev/vmshm"
#define VMSHM_VERSION		3

/* A region name, including its NUL.  Allowed bytes: ASCII [A-Za-z0-9._-]. */
#define VMSHM_NAME_MAX		64

/*
 * 0xD3 is neither listed in Documentation/userspace-api/ioctl/ioctl-number.rst
 * nor used by any ioctl in the 6.12 tree.
 */
#define VMSHM_TYPE		0xD3

enum {
	VMSHM_CMD_BASE = 0x80,
	VMSHM_CMD_GET_INFO = VMSHM_CMD_BASE,
	VMSHM_CMD_CREATE,
	VMSHM_CMD_ATTACH,
	VMSHM_CMD_UNLINK,
	VMSHM_CMD_WAIT,
	VMSHM_CMD_WAKE,
	VMSHM_CMD_STAT,
};

/**
 * struct vmshm_info - ioctl(VMSHM_GET_INFO)
 * @size: sizeof(struct vmshm_info)
 * @flags: must be 0
 * @out_version: VMSHM_VERSION of the running module
 * @out_page_size: size of one region page in bytes
 * @out_max_region_size: max_region_size module parameter, in bytes
 * @out_max_total_pages: max_total_pages module parameter
 * @out_max_regions: max_regions module parameter
 * @out_nr_regions: regions that exist now, named or anonymous
 * @out_reserved_pages: pages reserved by all regions (their sizes, rounded
 *	up to pages); counted against max_total_pages
 * @out_nr_pages: pages of all regions in memory now
 * @out_swapped_pages: pages of all regions in swap now
 * @out_user_regions: regions the caller's user created that exist now
 * @out_max_user_regions: max_user_regions module parameter
 * @out_user_pages: pages reserved by those regions
 * @out_max_user_pages: max_user_pages module parameter
 *
 * Works on any fd of /dev/vmshm, bound or not.  The counters let a test
 * prove that every page came back after the last region went away.
 */
struct vmshm_info {
	__u32 size;
	__u32 flags;
	__u32 out_version;
	__u32 out_page_size;
	__aligned_u64 out_max_region_size;
	__aligned_u64 out_max_total_pages;
	__u32 out_max_regions;
	__u32 out_nr_regions;
	__aligned_u64 out_reserved_pages;
	__aligned_u64 out_nr_pages;
	__aligned_u64 out_swapped_pages;
	__u32 out_user_regions;
	__u32 out_max_user_regions;
	__aligned_u64 out_user_pages;
	__aligned_u64 out_max_user_pages;
};

#define VMSHM_GET_INFO		_IO(VMSHM_TYPE, VMSHM_CMD_GET_INFO)

/* Flags of struct vmshm_create. */
#define VMSHM_CREATE_ANON	(1U << 0)  /* no name: reachable only via the fd */
#define VMSHM_CREATE_TRANSIENT	(1U << 1)  /* name goes with the last user */
/* (1U << 2) was VMSHM_CREATE_PREFAULT, removed in version 3. */
#define VMSHM_CREATE_HUGE	(1U << 3)  /* transparent huge pages */
#define VMSHM_CREATE_LOCKED	(1U << 4)  /* never swapped, like SHM_LOCK */

/**
 * struct vmshm_create - ioctl(VMSHM_CREATE)
 * @size: sizeof(struct vmshm_create)
 * @flags: VMSHM_CREATE_* bits
 * @region_size: size in bytes, 1 to max_region_size; rounded up to pages
 * @mode: permission bits (0 to 0777); the caller's umask is applied
 * @__reserved: must be 0
 * @name: NUL-terminated name, bytes after the NUL zero; must be empty with
 *	VMSHM_CREATE_ANON and non-empty without it
 * @out_id: the region's id, unique while the module is loaded
 * @__reserved2: must be 0
 *
 * Creates a region and binds this fd to it read-write, like
 * shm_open(O_CREAT | O_EXCL | O_RDWR).  The creator's effective uid and gid
 * own it.  A named region lives until VMSHM_UNLINK removes its name and its
 * last fd and mapping are gone, like POSIX shm.  With
 * VMSHM_CREATE_TRANSIENT the name instead disappears by itself when the
 * last fd and mapping go, so a crashed program leaves nothing behind.
 * An anonymous region is shared only by passing its fd on (fork, exec,
 * SCM_RIGHTS).
 *
 * Pages are allocated on first touch and charged to the memory cgroup of
 * the process that touched them.  Unless the region is locked they may be
 * swapped out under memory pressure; the next touch brings them back with
 * a major fault.
 *
 * VMSHM_CREATE_HUGE backs the region with transparent huge pages (PMD
 * size, 2 MiB on x86-64) wherever a whole huge page fits below the
 * region's size; the part past the last huge page boundary uses base
 * pages, so any size is accepted.  mmap() aligns the mappings of a huge
 * region so that they can be PMD-mapped.  When THP is unavailable or
 * disabled for shmem (/sys/kernel/mm/transparent_hugepage/shmem_enabled
 * "deny"), the region silently uses base pages.
 *
 * VMSHM_CREATE_LOCKED keeps every page of the region in memory, as
 * shmctl(SHM_LOCK) does.  Like SHM_LOCK, the region's whole size is
 * charged to the creator's RLIMIT_MEMLOCK, in the per-user locked memory
 * count that io_uring also uses, until the region is destroyed; callers
 * with CAP_IPC_LOCK are not charged.
 *
 * Errors: EEXIST, EINVAL (bad name, zero size, mode > 0777, ANON with a
 * name, TRANSIENT with ANON), ENAMETOOLONG, EFBIG, ENOSPC, EDQUOT, ENOMEM,
 * EPERM, EBUSY, EOPNOTSUPP.
 */
struct vmshm_create {
	__u32 size;
	__u32 flags;
	__aligned_u64 region_size;
	__u32 mode;
	__u32 __reserved;
	char name[VMSHM_NAME_MAX];
	__u32 out_id;
	__u32 __reserved2;
};

#define VMSHM_CREATE		_IO(VMSHM_TYPE, VMSHM_CMD_CREATE)

/* Flags of struct vmshm_attach. */
#define VMSHM_ATTACH_RDONLY	(1U << 0)  /* read-only; no writable mapping */
/* (1U << 1) was VMSHM_ATTACH_PREFAULT, removed in version 3. */

/**
 * struct vmshm_attach - ioctl(VMSHM_ATTACH)
 * @size: sizeof(struct vmshm_attach)
 * @flags: VMSHM_ATTACH_* bits
 * @name: NUL-terminated name of an existing region, bytes after NUL zero
 * @out_size: the region's size in bytes (a multiple of the page size)
 * @out_id: the region's id
 * @__reserved: must be 0
 *
 * Binds this fd to the named region.  Access is checked as for System V
 * IPC (ipc_perm): the owner's bits apply when the caller's effective uid is
 * the owner or creator, the group bits when the caller is in the group, the
 * other bits otherwise; CAP_IPC_OWNER in the user namespace that owns the
 * region's IPC namespace overrides.  Read-write needs the w and r bits,
 * read-only the r bit.
 *
 * A read-only attachment refuses shared PROT_WRITE mappings with EACCES
 * and can never make a shared mapping writable with mprotect().  Like a
 * file opened O_RDONLY, it may map MAP_PRIVATE with PROT_WRITE: writes go
 * to private copy-on-write pages that no other process sees.
 *
 * Errors: ENOENT, EACCES, EINVAL, ENAMETOOLONG, EBUSY.
 */
struct vmshm_attach {
	__u32 size;
	__u32 flags;
	char name[VMSHM_NAME_MAX];
	__aligned_u64 out_size;
	__u32 out_id;
	__u32 __reserved;
};

#define VMSHM_ATTACH		_IO(VMSHM_TYPE, VMSHM_CMD_ATTACH)

/**
 * struct vmshm_unlink - ioctl(VMSHM_UNLINK)
 * @size: sizeof(struct vmshm_unlink)
 * @flags: must be 0
 * @name: NUL-terminated name, bytes after the NUL zero
 *
 * Removes the name, like shm_unlink().  Attached fds and mappings keep
 * working; the memory is freed when the last of them goes.  Allowed to the
 * region's owner and creator and to CAP_SYS_ADMIN in the user namespace
 * that owns the region's IPC namespace; netlink's UNLINK has the same
 * rule.  Works on any fd of /dev/vmshm, bound or not.
 *
 * Errors: ENOENT, EPERM, EINVAL, ENAMETOOLONG.
 */
struct vmshm_unlink {
	__u32 size;
	__u32 flags;
	char name[VMSHM_NAME_MAX];
};

#define VMSHM_UNLINK		_IO(VMSHM_TYPE, VMSHM_CMD_UNLINK)

/* Flags of struct vmshm_wait. */
#define VMSHM_WAIT_DEADLINE	(1U << 0)  /* @deadline_ns is valid */
#define VMSHM_WAIT_SLEEPERS	(1U << 1)  /* maintain @sleepers_offset */
#define VMSHM_WAIT_WAKE		(1U << 2)  /* VMSHM_WAKE first, then wait */
#define VMSHM_WAIT_WAKE_ALL	(1U << 3)  /* ... with VMSHM_WAKE_ALL */
#define VMSHM_WAIT_SPIN		(1U << 4)  /* ... and spin while it answers */

/**
 * struct vmshm_wait - ioctl(VMSHM_WAIT)
 * @size: sizeof(struct vmshm_wait)
 * @flags: VMSHM_WAIT_* bits
 * @offset: byte offset in the region of a naturally aligned __u32
 * @expected: the value the caller last saw at @offset
 * @__reserved: must be 0
 * @deadline_ns: with VMSHM_WAIT_DEADLINE, an ABSOLUTE CLOCK_MONOTONIC time
 *	in nanoseconds at which the wait gives up; without it, no timeout
 * @sleepers_offset: with VMSHM_WAIT_SLEEPERS, byte offset of an aligned
 *	__u32 in the region that the kernel increments before it checks
 *	@offset and decrements when the wait ends
 *
 * Sleeps, futex-style, until the __u32 at @offset differs from @expected
 * or a VMSHM_WAKE on the same region picks this waiter.  The value is
 * checked after the caller is queued, so a waker that stores a new value
 * and then calls VMSHM_WAKE can never be missed (see kmod/notify.c).
 *
 * Wakeup suppression: with VMSHM_WAIT_SLEEPERS, the word at
 * @sleepers_offset counts the tasks inside VMSHM_WAIT for it.  A waker
 * that stores its value, issues a full fence and then reads zero there may
 * skip VMSHM_WAKE: any waiter that came later will see the new value.
 *
 * Wake and wait in one call: with VMSHM_WAIT_WAKE, the ioctl first does
 * what VMSHM_WAKE does (with VMSHM_WAIT_WAKE_ALL too, what VMSHM_WAKE_ALL
 * does; alone, that flag is EINVAL), then waits as above, after letting a
 * task the wake made runnable on this CPU run first (so its answer may
 * end the call with EAGAIN before it sleeps).  A process that
 * sends a request and waits for the answer, or answers and waits for the
 * next request, saves one system call per message.
 *
 * Spin while the peer answers: with VMSHM_WAIT_SPIN too (alone, or without
 * VMSHM_WAIT_WAKE, it is EINVAL; with VMSHM_WAIT_WAKE_ALL it does
 * nothing), a wake-one that picked a sleeper watches the word and the
 * event counter, before it sleeps, for as long as the task it woke is
 * runnable on another CPU and nothing else wants this one, for at most
 * about 50 microseconds.  An answer that comes in that time ends the call
 * without a sleep (EAGAIN, or 0 for a wake), and the answering side, if
 * it uses VMSHM_WAIT_SLEEPERS, sees no sleeper to wake.  With the peer on
 * this CPU, asleep, or nobody woken, it sleeps at once, as without the
 * flag.  A module without it says EOPNOTSUPP.  Argument errors
 * (EINVAL, EBADF, EOPNOTSUPP) are reported before the wake; after any
 * other error (ENOMEM included: the word's page is looked up after the
 * wake, off the peer's path) the wake has happened, and a restarted call
 * wakes again (a spurious wake-up, which waiters tolerate).
 *
 * The deadline is absolute so that a wait interrupted by a signal can be
 * restarted with the same arguments without stretching the timeout.  A
 * signal whose handler has SA_RESTART restarts the wait transparently;
 * otherwise the ioctl fails with EINTR.
 *
 * Returns 0 when woken (possibly spuriously: recheck the value).
 *
 * Errors: EAGAIN (the value differs from @expected), ETIMEDOUT, EINTR,
 * EPIPE (every other attachment of the region has gone, and the word
 * still holds @expected with no wake since: a last answer is never lost),
 * EINVAL (offset out of range or misaligned; VMSHM_WAIT_WAKE_ALL or
 * VMSHM_WAIT_SPIN without VMSHM_WAIT_WAKE), EBADF (VMSHM_WAIT_SLEEPERS or
 * VMSHM_WAIT_WAKE on a read-only attachment), EOPNOTSUPP (unknown flags),
 * ENOMEM, ENODEV.
 */
struct vmshm_wait {
	__u32 size;
	__u32 flags;
	__aligned_u64 offset;
	__u32 expected;
	__u32 __reserved;
	__aligned_u64 deadline_ns;
	__aligned_u64 sleepers_offset;
};

#define VMSHM_WAIT		_IO(VMSHM_TYPE, VMSHM_CMD_WAIT)

/* Flags of struct vmshm_wake. */
#define VMSHM_WAKE_ALL		(1U << 0)  /* wake every waiter, not one */

/**
 * struct vmshm_wake - ioctl(VMSHM_WAKE)
 * @size: sizeof(struct vmshm_wake)
 * @flags: VMSHM_WAKE_* bits
 * @out_seq: the region's event counter after this wake
 * @__reserved: must be 0
 *
 * Wakes one task sleeping in VMSHM_WAIT on the region (all of them with
 * VMSHM_WAKE_ALL), and every poll()/read() waiter.  Each wake advances the
 * region's event counter, which read() returns and poll() compares.
 *
 * Errors: ENODEV, EBADF (the fd is attached read-only).
 */
struct vmshm_wake {
	__u32 size;
	__u32 flags;
	__aligned_u64 out_seq;
	__aligned_u64 __reserved;
};

#define VMSHM_WAKE		_IO(VMSHM_TYPE, VMSHM_CMD_WAKE)

/**
 * struct vmshm_stat - ioctl(VMSHM_STAT)
 * @size: sizeof(struct vmshm_stat)
 * @flags: must be 0
 * @out_id: region id
 * @out_mode: permission bits
 * @out_size: size in bytes
 * @out_resident: pages in memory now
 * @out_faults: page faults taken on the region's mappings
 * @out_waits: VMSHM_WAIT calls that slept
 * @out_wakes: VMSHM_WAKE calls
 * @out_timeouts: VMSHM_WAIT calls that ended with ETIMEDOUT
 * @out_seq: the event counter
 * @out_nr_attach: attached open files (each open() of /dev/vmshm bound
 *	to the region counts once, however many fds and mappings share it)
 * @out_nr_mappings: mappings (VMAs) in all processes
 * @out_uid: owner's uid, in the caller's user namespace
 * @out_gid: owner's gid, in the caller's user namespace
 * @out_swapped: pages in swap now
 * @out_huge: pages in memory that are part of a huge page
 * @out_majflt: major faults: pages brought back from swap by a fault
 * @out_flags: VMSHM_REGION_F_* bits
 * @__reserved: 0
 *
 * Reports the counters of the region bound to this fd, the same numbers
 * /proc/vmshm shows.  @out_resident counts the pages in memory; a page is
 * in memory, in swap, or not allocated yet.  @out_faults counts minor and
 * major faults.
 */
struct vmshm_stat {
	__u32 size;
	__u32 flags;
	__u32 out_id;
	__u32 out_mode;
	__aligned_u64 out_size;
	__aligned_u64 out_resident;
	__aligned_u64 out_faults;
	__aligned_u64 out_waits;
	__aligned_u64 out_wakes;
	__aligned_u64 out_timeouts;
	__aligned_u64 out_seq;
	__u32 out_nr_attach;
	__u32 out_nr_mappings;
	__u32 out_uid;
	__u32 out_gid;
	__aligned_u64 out_swapped;
	__aligned_u64 out_huge;
	__aligned_u64 out_majflt;
	__u32 out_flags;
	__u32 __reserved;
};

#define VMSHM_STAT		_IO(VMSHM_TYPE, VMSHM_CMD_STAT)

/*
 * Generic netlink family "vmshm": a structured, read-mostly view of the
 * same state as /proc/vmshm, plus region events for subscribed sockets.
 *
 * Requests are validated strictly: an unknown attribute, a wrong length or
 * a non-zero reserved header field fails with EINVAL and an extack message,
 * a VMSHM_A_REGION_ID of 0 with ERANGE; an unknown command fails with
 * EOPNOTSUPP.
 *
 * VMSHM_NL_CMD_GET_REGION
 *	doit: by VMSHM_A_REGION_ID or VMSHM_A_REGION_NAME (ENOENT if absent,
 *	EINVAL without either); dump: every region, ordered by id, marked
 *	NLM_F_DUMP_INTR when regions came or went while it ran.
 * VMSHM_NL_CMD_GET_MAPPINGS
 *	dump: the mappings of the region given by VMSHM_A_REGION_ID or
 *	VMSHM_A_REGION_NAME, one message each.  VMSHM_A_MAP_START/END are 0
 *	for other users' mappings unless the requester has CAP_SYS_ADMIN,
 *	as in /proc/vmshm.  VMSHM_A_MAP_PGOFF, the region page the
 *	mapping starts at, and VMSHM_A_MAP_PAGES, its length, are shown to
 *	everyone.
 * VMSHM_NL_CMD_GET_STATS
 *	doit: module-wide counters and limits.
 * VMSHM_NL_CMD_UNLINK
 *	doit: remove VMSHM_A_REGION_NAME, with the rule of the VMSHM_UNLINK
 *	ioctl (EPERM otherwise); a capability must also be held by the
 *	opener of the socket.
 * VMSHM_NL_CMD_GET_PAGES
 *	dump: where the pages of the region given by VMSHM_A_REGION_ID or
 *	VMSHM_A_REGION_NAME are, one message per run of pages in the same
 *	state: VMSHM_A_REGION_ID, VMSHM_A_PAGE_INDEX, VMSHM_A_PAGE_COUNT and
 *	VMSHM_A_PAGE_FLAGS (VMSHM_PAGE_F_*), in index order.  Pages in no
 *	run are not allocated yet.  With VMSHM_A_PAGE_PFNS in the request,
 *	runs of pages in memory also carry VMSHM_A_PAGE_PFN, the frame of
 *	their first page (the others follow it); the request then needs
 *	CAP_SYS_ADMIN, as /proc/PID/pagemap does to show frames (EPERM).
 *	A snapshot: pages may move while it is taken.
 * VMSHM_NL_CMD_EVENT
 *	sent by the kernel only, unicast to subscribed sockets:
 *	VMSHM_A_EVENT_TYPE, VMSHM_A_EVENT_PID, VMSHM_A_REGION_ID and
 *	VMSHM_A_REGION_NAME.  Best effort: events lost to a full socket
 *	show as ENOBUFS on it.
 * VMSHM_NL_CMD_SUBSCRIBE
 *	doit: send VMSHM_NL_CMD_EVENT messages to the requesting socket from
 *	now until it is closed, for the regions of the sender's IPC
 *	namespace, with pids in the sender's pid namespace.  EALREADY if the
 *	socket is subscribed, EDQUOT past 64 subscribed sockets per
 *	user.  Events that happen while the request
 *	is in flight may or may not be reported.
 *
 * Namespaces: the family works in every network namespace.  A request
 * sees the regions of the IPC namespace of the process that sends it (for
 * a dump, that reads it), and pids in its pid namespace.  Events follow
 * the same rule, fixed when the socket subscribes: a socket hears the
 * events of the regions of its subscriber's IPC namespace only, whatever
 * network namespace it is in.
 *
 * Version 2: events by VMSHM_NL_CMD_SUBSCRIBE, per IPC namespace; version
 * 1 multicast them to an "events" group per network namespace.
 */
#define VMSHM_GENL_NAME		"vmshm"
#define VMSHM_GENL_VERSION	2

enum vmshm_genl_cmd {
	VMSHM_NL_CMD_UNSPEC,
	VMSHM_NL_CMD_GET_REGION,
	VMSHM_NL_CMD_GET_MAPPINGS,
	VMSHM_NL_CMD_GET_STATS,
	VMSHM_NL_CMD_UNLINK,
	VMSHM_NL_CMD_EVENT,
	VMSHM_NL_CMD_GET_PAGES,
	VMSHM_NL_CMD_SUBSCRIBE,

	/* private */
	__VMSHM_NL_CMD_MAX,
	VMSHM_NL_CMD_MAX = __VMSHM_NL_CMD_MAX - 1
};

/* Values of VMSHM_A_REGION_FLAGS. */
#define VMSHM_REGION_F_ANON		(1U << 0)
#define VMSHM_REGION_F_TRANSIENT	(1U << 1)
#define VMSHM_REGION_F_UNLINKED		(1U << 2)
#define VMSHM_REGION_F_HUGE		(1U << 3)
#define VMSHM_REGION_F_LOCKED		(1U << 4)

/* Values of VMSHM_A_PAGE_FLAGS. */
#define VMSHM_PAGE_F_RESIDENT		(1U << 0)	/* in memory */
#define VMSHM_PAGE_F_SWAP		(1U << 1)	/* in swap */
#define VMSHM_PAGE_F_HUGE		(1U << 2)	/* part of a huge page */
#define VMSHM_PAGE_F_SHARED		(1U << 3)	/* mapped more than once */

/* Values of VMSHM_A_EVENT_TYPE. */
enum vmshm_event_type {
	VMSHM_EVENT_UNSPEC,
	VMSHM_EVENT_CREATED,	/* the creator is attached too */
	VMSHM_EVENT_UNLINKED,
	VMSHM_EVENT_DESTROYED,	/* the memory is freed */
	VMSHM_EVENT_ATTACHED,
	VMSHM_EVENT_DETACHED,	/* an attached file was closed */
	VMSHM_EVENT_REJECTED,	/* a CREATE refused by a limit (ENOSPC) */

	/* private */
	__VMSHM_EVENT_MAX,
	VMSHM_EVENT_MAX = __VMSHM_EVENT_MAX - 1
};

enum vmshm_genl_attr {
	VMSHM_A_UNSPEC,
	VMSHM_A_PAD,
	VMSHM_A_REGION_ID,		/* u32 */
	VMSHM_A_REGION_NAME,		/* string, "" for anonymous */
	VMSHM_A_REGION_FLAGS,		/* u32, VMSHM_REGION_F_* */
	VMSHM_A_REGION_SIZE,		/* u64, bytes */
	VMSHM_A_REGION_MODE,		/* u32 */
	VMSHM_A_REGION_UID,		/* u32 */
	VMSHM_A_REGION_GID,		/* u32 */
	VMSHM_A_REGION_CPID,		/* u32 */
	VMSHM_A_REGION_LPID,		/* u32 */
	VMSHM_A_REGION_RESIDENT,	/* u64, pages in memory */
	VMSHM_A_REGION_MAPPINGS,	/* u32 */
	VMSHM_A_REGION_ATTACHED,	/* u32, bound files */
	VMSHM_A_REGION_FAULTS,		/* u64 */
	VMSHM_A_REGION_WAITS,		/* u64 */
	VMSHM_A_REGION_WAKES,		/* u64 */
	VMSHM_A_REGION_TIMEOUTS,	/* u64 */
	VMSHM_A_MAP_PID,		/* u32, 0 until known */
	VMSHM_A_MAP_COMM,		/* string */
	VMSHM_A_MAP_START,		/* u64 */
	VMSHM_A_MAP_END,		/* u64 */
	VMSHM_A_MAP_PROT,		/* u32, PROT_READ/WRITE/EXEC bits */
	VMSHM_A_MAP_RESIDENT,		/* u64, pages in memory in its window */
	VMSHM_A_MAP_FAULTS,		/* u64 */
	VMSHM_A_STATS_REGIONS,		/* u32 */
	VMSHM_A_STATS_RESERVED_PAGES,	/* u64 */
	VMSHM_A_STATS_PAGES,		/* u64 */
	VMSHM_A_STATS_REJECTED,		/* u64, CREATEs refused by a limit */
	VMSHM_A_STATS_MAX_REGIONS,	/* u32 */
	VMSHM_A_STATS_MAX_REGION_SIZE,	/* u64 */
	VMSHM_A_STATS_MAX_TOTAL_PAGES,	/* u64 */
	VMSHM_A_EVENT_TYPE,		/* u32, enum vmshm_event_type */
	VMSHM_A_EVENT_PID,		/* u32, the task that caused it */
	VMSHM_A_REGION_SWAPPED,		/* u64, pages in swap */
	VMSHM_A_REGION_HUGE,		/* u64, pages in huge pages */
	VMSHM_A_REGION_MAJFLT,		/* u64, faults that read swap */
	VMSHM_A_MAP_MAJFLT,		/* u64 */
	VMSHM_A_STATS_SWAPPED_PAGES,	/* u64 */
	VMSHM_A_STATS_USER_REGIONS,	/* u32, the requester's user's */
	VMSHM_A_STATS_USER_PAGES,	/* u64, the requester's user's */
	VMSHM_A_STATS_MAX_USER_REGIONS,	/* u32 */
	VMSHM_A_STATS_MAX_USER_PAGES,	/* u64 */
	VMSHM_A_PAGE_INDEX,		/* u64, first page of a run */
	VMSHM_A_PAGE_COUNT,		/* u64, pages in the run */
	VMSHM_A_PAGE_FLAGS,		/* u32, VMSHM_PAGE_F_* */
	VMSHM_A_PAGE_PFN,		/* u64, frame of the first page */
	VMSHM_A_PAGE_PFNS,		/* flag: request frame numbers */
	VMSHM_A_MAP_PGOFF,		/* u64, region page at MAP_START */
	VMSHM_A_MAP_PAGES,		/* u64, pages the mapping spans */

	/* private */
	__VMSHM_A_MAX,
	VMSHM_A_MAX = __VMSHM_A_MAX - 1
};

#endif /* _UAPI_LINUX_VMSHM_H */
