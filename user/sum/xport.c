// SPDX-License-Identifier: GPL-2.0
/*
 * Transport selection by name.
 */
#include <errno.h>
#include <string.h>

#include "xport.h"

/**
 * xport_kind_valid() - is @kind a transport name?
 * @kind: "vmshm", "futex" or "posix-flags"
 *
 * Return: true if so.
 */
bool xport_kind_valid(const char *kind)
{
	return !strcmp(kind, "vmshm") || !strcmp(kind, "futex") ||
	       !strcmp(kind, "posix-flags");
}

/**
 * xport_create() - create a channel, as the parent
 * @cfg: kind, name, size, ...
 * @x: receives the endpoint
 *
 * Return: 0, -EINVAL for an unknown kind, or the transport's -errno.
 */
int xport_create(const struct xport_cfg *cfg, struct xport **x)
{
	if (!xport_kind_valid(cfg->kind))
		return -EINVAL;
	if (!strcmp(cfg->kind, "posix-flags"))
		return posix_flags_create(cfg, x);
	return xport_ring_create(cfg, x);
}

/**
 * xport_attach() - attach to a channel by name, as the child
 * @cfg: kind and name
 * @x: receives the endpoint
 *
 * Return: 0, -EINVAL for an unknown kind, or the transport's -errno.
 */
int xport_attach(const struct xport_cfg *cfg, struct xport **x)
{
	if (!xport_kind_valid(cfg->kind))
		return -EINVAL;
	if (!strcmp(cfg->kind, "posix-flags"))
		return posix_flags_attach(cfg, x);
	return xport_ring_attach(cfg, x);
}
