/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Symbol versions of libvmshm.so.1 and libvmshm-nl.so.1, for the library
 * sources only (not installed).
 *
 * When a struct that the caller allocates grows, a program built against
 * the old header passes the old, smaller struct.  The function that fills
 * it then keeps two versions, as glibc's do: the old version node binds a
 * variant that writes only the old size, and the new node becomes the
 * default that programs built from now on link to.  user/Makefile
 * defines VMSHM_SHARED for the objects of the shared libraries only; the
 * archives (.a) are linked with the program they were built with, so
 * they carry the new version alone.
 */
#ifndef _VMSHM_SYMVER_H
#define _VMSHM_SYMVER_H

#ifdef VMSHM_SHARED
/* @impl is exported as @sym in version node @node, which it was before. */
#define VMSHM_SYMVER_OLD(impl, sym, node) \
	__asm__(".symver " #impl ", " #sym "@" #node)
/* @sym becomes @sym@@@node: the version that new programs link to. */
#define VMSHM_SYMVER_DEFAULT(sym, node) \
	__asm__(".symver " #sym ", " #sym "@@@" #node)
#endif

#endif /* _VMSHM_SYMVER_H */
