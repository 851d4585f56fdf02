/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmshm tracepoints: region lifetime, faults, and the wait/wake protocol.
 *
 * Enable them in tracefs (events/vmshm/) or with perf trace -e 'vmshm:*'.
 * A call site passes only what it already holds: the region, the ioctl
 * argument, a result.  Everything else is read in TP_fast_assign(), which
 * runs only while the event is enabled, so a disabled event costs its
 * static branch and nothing more.  Every event has the region's id, to
 * filter on ("id == 3").
 *
 * The name is a fixed array rather than a __string(): names are at most
 * VMSHM_NAME_MAX bytes, the two events that carry one are rare, and
 * __assign_str() changed its arguments in 6.10.
 */
#if !defined(_VMSHM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VMSHM_TRACE_H

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "vmshm.h"

#undef TRACE_SYSTEM
#define TRACE_SYSTEM vmshm

TRACE_EVENT(vmshm_region_create,
	    TP_PROTO(const struct vmshm_region *r, u32 flags),
	    TP_ARGS(r, flags),
	    TP_STRUCT__entry(__field(u32, id)
			     __array(char, name, VMSHM_NAME_MAX)
			     __field(u64, size)
			     __field(u32, flags)
			     __field(umode_t, mode)
	    ),
	    TP_fast_assign(__entry->id = r->id;
			   strscpy_pad(__entry->name, vmshm_shown_name(r->name),
				       sizeof(__entry->name));
			   __entry->size = r->size;
			   __entry->flags = flags;
			   __entry->mode = r->mode;
	    ),
	    TP_printk("id=%u name=%s size=%llu flags=%#x mode=%#o",
		      __entry->id, __entry->name, __entry->size,
		      __entry->flags, __entry->mode)
);

TRACE_EVENT(vmshm_region_destroy,
	    TP_PROTO(const struct vmshm_region *r,
		     const struct vmshm_pages *pages),
	    TP_ARGS(r, pages),
	    TP_STRUCT__entry(__field(u32, id)
			     __array(char, name, VMSHM_NAME_MAX)
			     __field(u64, size)
			     __field(unsigned long, resident)
			     __field(unsigned long, swapped)
			     __field(u64, faults)
			     __field(u64, majflt)
			     __field(u64, waits)
			     __field(u64, wakes)
			     __field(u64, timeouts)
	    ),
	    TP_fast_assign(__entry->id = r->id;
			   strscpy_pad(__entry->name, vmshm_shown_name(r->name),
				       sizeof(__entry->name));
			   __entry->size = r->size;
			   __entry->resident = pages->resident;
			   __entry->swapped = pages->swapped;
			   __entry->faults = atomic64_read(&r->faults);
			   __entry->majflt = atomic64_read(&r->majflt);
			   __entry->waits = atomic64_read(&r->waits);
			   __entry->wakes = atomic64_read(&r->wakes);
			   __entry->timeouts = atomic64_read(&r->timeouts);
	    ),
	    TP_printk("id=%u name=%s size=%llu resident=%lu swapped=%lu faults=%llu majflt=%llu waits=%llu wakes=%llu timeouts=%llu",
		      __entry->id, __entry->name, __entry->size,
		      __entry->resident, __entry->swapped, __entry->faults,
		      __entry->majflt, __entry->waits, __entry->wakes,
		      __entry->timeouts)
);

/*
 * The outcomes of a fault on a region, from what shmem's handler
 * returned.  vm_fault_t is __bitwise, which TRACE_DEFINE_ENUM() cannot
 * take, so the values are spelt out for the tools that parse the event's
 * format, and checked in trace.c.
 */
#define VMSHM_TRACE_VM_FAULT_OOM	0x1
#define VMSHM_TRACE_VM_FAULT_SIGBUS	0x2
#define VMSHM_TRACE_VM_FAULT_MAJOR	0x4
#define VMSHM_TRACE_VM_FAULT_RETRY	0x400

#ifndef VMSHM_TRACE_ONCE
#define VMSHM_TRACE_ONCE
/* One outcome: an error, a retry, a major fault, or 0 for a minor one. */
static inline unsigned int vmshm_trace_fault_result(vm_fault_t ret)
{
	if (ret & VM_FAULT_OOM)
		return VMSHM_TRACE_VM_FAULT_OOM;
	if (ret & VM_FAULT_ERROR)
		return VMSHM_TRACE_VM_FAULT_SIGBUS;
	if (ret & VM_FAULT_RETRY)
		return VMSHM_TRACE_VM_FAULT_RETRY;
	if (ret & VM_FAULT_MAJOR)
		return VMSHM_TRACE_VM_FAULT_MAJOR;
	return 0;
}
#endif /* VMSHM_TRACE_ONCE: the part read once, not per pass */

TRACE_EVENT(vmshm_fault,
	    TP_PROTO(u32 id, const struct vm_fault *vmf, vm_fault_t result),
	    TP_ARGS(id, vmf, result),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(unsigned int, result)
			     __field(pgoff_t, pgoff)
			     __field(unsigned long, address)
	    ),
	    TP_fast_assign(__entry->id = id;
			   __entry->result = vmshm_trace_fault_result(result);
			   __entry->pgoff = vmf->pgoff;
			   __entry->address = vmf->address;
	    ),
	    TP_printk("id=%u pgoff=%lu address=%#lx result=%s",
		      __entry->id, __entry->pgoff, __entry->address,
		      __print_symbolic(__entry->result,
				       { 0, "OK" },
				       { VMSHM_TRACE_VM_FAULT_MAJOR, "MAJOR" },
				       { VMSHM_TRACE_VM_FAULT_RETRY, "RETRY" },
				       { VMSHM_TRACE_VM_FAULT_OOM, "OOM" },
				       { VMSHM_TRACE_VM_FAULT_SIGBUS, "SIGBUS" }))
);

TRACE_EVENT(vmshm_wait_begin,
	    TP_PROTO(const struct vmshm_region *r, const struct vmshm_wait *w),
	    TP_ARGS(r, w),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(u32, flags)
			     __field(u64, offset)
			     __field(u32, expected)
			     __field(s64, timeout_ns)
			     __field(s64, seq)
	    ),
	    TP_fast_assign(__entry->id = r->id;
			   __entry->flags = w->flags;
			   __entry->offset = w->offset;
			   __entry->expected = w->expected;
			   /* What is left of the deadline; 0 without one. */
			   __entry->timeout_ns =
				w->flags & VMSHM_WAIT_DEADLINE ?
				(s64)(w->deadline_ns - ktime_get_ns()) : 0;
			   __entry->seq = atomic64_read(&r->seq);
	    ),
	    TP_printk("id=%u offset=%llu expected=%u flags=%#x timeout_ns=%lld seq=%lld",
		      __entry->id, __entry->offset, __entry->expected,
		      __entry->flags, __entry->timeout_ns, __entry->seq)
);

TRACE_EVENT(vmshm_wait_end,
	    TP_PROTO(const struct vmshm_region *r, const struct vmshm_wait *w,
		     long ret),
	    TP_ARGS(r, w, ret),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(int, ret)
			     __field(u64, offset)
			     __field(s64, seq)
	    ),
	    TP_fast_assign(__entry->id = r->id;
			   __entry->ret = ret;
			   __entry->offset = w->offset;
			   __entry->seq = atomic64_read(&r->seq);
	    ),
	    TP_printk("id=%u offset=%llu ret=%d seq=%lld",
		      __entry->id, __entry->offset, __entry->ret, __entry->seq)
);

/* ret: 1 a wake came, -EAGAIN the word moved, 0 nothing came (then sleeps). */
TRACE_EVENT(vmshm_wait_spin,
	    TP_PROTO(const struct vmshm_region *r, long ret, u64 spun_ns),
	    TP_ARGS(r, ret, spun_ns),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(int, ret)
			     __field(u64, spun_ns)
	    ),
	    TP_fast_assign(__entry->id = r->id;
			   __entry->ret = ret;
			   __entry->spun_ns = spun_ns;
	    ),
	    TP_printk("id=%u ret=%d spun_ns=%llu",
		      __entry->id, __entry->ret, __entry->spun_ns)
);

TRACE_EVENT(vmshm_wake,
	    TP_PROTO(const struct vmshm_region *r, s64 seq, bool all,
		     int nr_woken),
	    TP_ARGS(r, seq, all, nr_woken),
	    TP_STRUCT__entry(__field(u32, id)
			     __field(int, nr_woken)
			     __field(s64, seq)
			     __field(bool, all)
	    ),
	    TP_fast_assign(__entry->id = r->id;
			   __entry->nr_woken = nr_woken;
			   __entry->seq = seq;
			   __entry->all = all;
	    ),
	    TP_printk("id=%u seq=%lld all=%d nr_woken=%d",
		      __entry->id, __entry->seq, __entry->all,
		      __entry->nr_woken)
);

#endif /* _VMSHM_TRACE_H */

/* Out of the tree, "." is the module's directory: see Kbuild. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace

/* This part must be outside the include guard. */
#include <trace/define_trace.h>
