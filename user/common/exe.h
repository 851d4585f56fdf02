/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the running program lives, to find its siblings: the parent runs
 * the child from its own folder, and the selftests find the programs
 * they drive.  Used by user/sum/parent.c and tests/.
 */
#ifndef _VMSHM_EXE_H
#define _VMSHM_EXE_H

#include <stddef.h>

int vmshm_exe_relpath(char *buf, size_t size, const char *rel);

#endif /* _VMSHM_EXE_H */
