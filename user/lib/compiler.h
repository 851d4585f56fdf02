/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's attribute shorthands, for userspace builds that lack
 * <linux/compiler_attributes.h>.  Each is defined only if missing.
 */
#ifndef _VMSHM_COMPILER_H
#define _VMSHM_COMPILER_H

#include <stddef.h>

#ifndef __aligned
#define __aligned(x)		__attribute__((__aligned__(x)))
#endif
#ifndef __printf
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#endif
#ifndef __used
#define __used			__attribute__((__used__))
#endif
#ifndef __section
#define __section(s)		__attribute__((__section__(s)))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#endif /* _VMSHM_COMPILER_H */
