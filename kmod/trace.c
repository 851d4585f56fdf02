// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm tracepoints: the one place that instantiates them (trace.h).
 */
#include <linux/build_bug.h>
#include <linux/mm_types.h>

#define CREATE_TRACE_POINTS
#include "trace.h"

static_assert(VMSHM_TRACE_VM_FAULT_OOM == (__force unsigned int)VM_FAULT_OOM);
static_assert(VMSHM_TRACE_VM_FAULT_SIGBUS ==
	      (__force unsigned int)VM_FAULT_SIGBUS);
static_assert(VMSHM_TRACE_VM_FAULT_MAJOR ==
	      (__force unsigned int)VM_FAULT_MAJOR);
static_assert(VMSHM_TRACE_VM_FAULT_RETRY ==
	      (__force unsigned int)VM_FAULT_RETRY);
