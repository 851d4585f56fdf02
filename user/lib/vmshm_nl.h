/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmshm-nl: the "vmshm" generic netlink family from C.
 *
 * A separate archive, lib/libvmshm-nl.a, because it needs libnl-3 and
 * libnl-genl-3: programs that only use /dev/vmshm link libvmshm.a alone.
 * Link order: libvmshm-nl.a, then `pkg-config --libs --static
 * libnl-genl-3.0`.  This header does not include libnl's, so callers need
 * no libnl compiler flags.
 *
 * As in libvmshm, every function returns 0 (or a documented non-negative
 * value) on success and a negative errno on failure, and none prints.
 * The errno values are the kernel's (see <linux/vmshm.h>); when the kernel
 * attached an extended ACK message to an error, vmshm_nl_extack() returns
 * it until the next request.
 *
 * The structs below only grow at their end: a program built against an
 * older header keeps working with this library (see libvmshm-nl.map).
 *
 * A handle is not thread safe.  A handle subscribed to events should be
 * used for events only: events that arrive while it waits for a reply
 * are dropped.
 */
#ifndef _VMSHM_NL_H
#define _VMSHM_NL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/vmshm.h>

/* Task command names, including the NUL (TASK_COMM_LEN). */
#define VMSHM_NL_COMM_MAX	16

/* vmshm_nl_dump_regions(): the kernel flagged the dump NLM_F_DUMP_INTR. */
#define VMSHM_NL_DUMP_INTR	1

struct vmshm_nl;

/**
 * struct vmshm_nl_region - one region (VMSHM_NL_CMD_GET_REGION)
 * @id: region id
 * @name: name, "" for an anonymous region
 * @flags: VMSHM_REGION_F_* bits
 * @mode: permission bits
 * @uid: owner's uid
 * @gid: owner's gid
 * @cpid: creator's pid
 * @lpid: pid of the last task to attach, detach or map
 * @mappings: mappings in all processes
 * @attached: bound open files
 * @size: size in bytes
 * @resident: pages in memory
 * @faults: page faults on its mappings, minor and major
 * @waits: VMSHM_WAIT calls that slept
 * @wakes: VMSHM_WAKE calls
 * @timeouts: VMSHM_WAIT calls that timed out
 * @swapped: pages in swap
 * @huge: pages in memory that are part of a huge page
 * @majflt: major faults: pages brought back from swap by a fault
 */
struct vmshm_nl_region {
	uint32_t id;
	char name[VMSHM_NAME_MAX];
	uint32_t flags;
	uint32_t mode;
	uint32_t uid;
	uint32_t gid;
	uint32_t cpid;
	uint32_t lpid;
	uint32_t mappings;
	uint32_t attached;
	uint64_t size;
	uint64_t resident;
	uint64_t faults;
	uint64_t waits;
	uint64_t wakes;
	uint64_t timeouts;
	uint64_t swapped;
	uint64_t huge;
	uint64_t majflt;
};

/**
 * struct vmshm_nl_mapping - one mapping (VMSHM_NL_CMD_GET_MAPPINGS)
 * @region_id: the region's id
 * @pid: owning process, 0 until known
 * @prot: PROT_READ/PROT_WRITE/PROT_EXEC bits
 * @comm: owner's command name, "" while @pid is 0
 * @start: first address, 0 when hidden (another user's mapping)
 * @end: address past the end, 0 when hidden
 * @resident: pages of its window in memory
 * @faults: page faults taken through it, minor and major
 * @majflt: major faults taken through it
 * @pgoff: the region page at @start
 * @pages: pages it spans (with @pgoff, 0 from an older module)
 */
struct vmshm_nl_mapping {
	uint32_t region_id;
	uint32_t pid;
	uint32_t prot;
	char comm[VMSHM_NL_COMM_MAX];
	uint64_t start;
	uint64_t end;
	uint64_t resident;
	uint64_t faults;
	uint64_t majflt;
	uint64_t pgoff;
	uint64_t pages;
};

/**
 * struct vmshm_nl_stats - module counters (VMSHM_NL_CMD_GET_STATS)
 * @regions: regions that exist
 * @max_regions: the max_regions parameter
 * @reserved_pages: pages reserved by all regions
 * @pages: pages of all regions in memory
 * @rejected: CREATE calls refused by a limit
 * @max_region_size: the max_region_size parameter, in bytes
 * @max_total_pages: the max_total_pages parameter
 * @swapped_pages: pages of all regions in swap
 * @user_regions: regions the caller's user created that exist
 * @max_user_regions: the max_user_regions parameter
 * @user_pages: pages those regions reserve
 * @max_user_pages: the max_user_pages parameter
 */
struct vmshm_nl_stats {
	uint32_t regions;
	uint32_t max_regions;
	uint64_t reserved_pages;
	uint64_t pages;
	uint64_t rejected;
	uint64_t max_region_size;
	uint64_t max_total_pages;
	uint64_t swapped_pages;
	uint32_t user_regions;
	uint32_t max_user_regions;
	uint64_t user_pages;
	uint64_t max_user_pages;
};

/**
 * struct vmshm_nl_event - one message of the "events" group
 * @type: enum vmshm_event_type
 * @pid: the process that caused it
 * @region_id: the region, 0 for VMSHM_EVENT_REJECTED
 * @name: the region's name, "" for an anonymous region
 */
struct vmshm_nl_event {
	uint32_t type;
	uint32_t pid;
	uint32_t region_id;
	char name[VMSHM_NAME_MAX];
};

/**
 * struct vmshm_nl_page_run - pages in one state (VMSHM_NL_CMD_GET_PAGES)
 * @region_id: the region's id
 * @flags: VMSHM_PAGE_F_* bits
 * @index: first page index
 * @count: pages in the run
 * @pfn: frame of the first page when asked for and in memory, else 0;
 *	the others follow it
 */
struct vmshm_nl_page_run {
	uint32_t region_id;
	uint32_t flags;
	uint64_t index;
	uint64_t count;
	uint64_t pfn;
};

typedef int (*vmshm_nl_region_cb)(const struct vmshm_nl_region *r,
				  void *arg);
typedef int (*vmshm_nl_mapping_cb)(const struct vmshm_nl_mapping *m,
				   void *arg);
typedef int (*vmshm_nl_page_run_cb)(const struct vmshm_nl_page_run *run,
				    void *arg);

int vmshm_nl_open(struct vmshm_nl **nlp);
void vmshm_nl_close(struct vmshm_nl *nl);
int vmshm_nl_fd(const struct vmshm_nl *nl);
const char *vmshm_nl_extack(const struct vmshm_nl *nl);

int vmshm_nl_dump_regions(struct vmshm_nl *nl, vmshm_nl_region_cb cb,
			  void *arg);
int vmshm_nl_get_region(struct vmshm_nl *nl, uint32_t id, const char *name,
			struct vmshm_nl_region *r);
int vmshm_nl_dump_mappings(struct vmshm_nl *nl, uint32_t id,
			   const char *name, vmshm_nl_mapping_cb cb,
			   void *arg);
int vmshm_nl_dump_pages(struct vmshm_nl *nl, uint32_t id, const char *name,
			int pfns, vmshm_nl_page_run_cb cb, void *arg);
int vmshm_nl_get_stats(struct vmshm_nl *nl, struct vmshm_nl_stats *st);
int vmshm_nl_unlink(struct vmshm_nl *nl, const char *name);

int vmshm_nl_subscribe_events(struct vmshm_nl *nl);
int vmshm_nl_next_event(struct vmshm_nl *nl, struct vmshm_nl_event *ev,
			int timeout_ms);
const char *vmshm_nl_event_name(uint32_t type);

#endif /* _VMSHM_NL_H */
