// SPDX-License-Identifier: GPL-2.0
/*
 * Ping-pong over vmshm, three ways:
 *
 *   vmshm-wait       a message counter per direction in one region;
 *                    VMSHM_WAIT on it, VMSHM_WAKE after every store (no
 *                    wakeup suppression: the futex variant's twin)
 *   vmshm-wait-wake  the same, but each side stores, then wakes the peer
 *                    and waits for the answer in one VMSHM_WAIT_WAKE
 *   vmshm-wait-spin  the same with VMSHM_WAIT_SPIN: after the wake, the
 *                    kernel watches for the answer while the peer it woke
 *                    runs on another CPU, for up to 50 us, then sleeps
 *   vmshm-poll       the same counters, but the receiver sleeps in poll()
 *                    and consumes the event with read().  The event counter
 *                    is per region and a process would see its own wakes,
 *                    so each direction has its own region, as it would
 *                    have its own eventfd.
 *   vmshm-ring       the transport of parent and child: a ring pair with
 *                    wakeup suppression (VMSHM_WAIT_SLEEPERS); one empty
 *                    record per message, sent by ring_call(), which wakes
 *                    the peer and waits in one VMSHM_WAIT_WAKE.
 *                    vmshm-ring-spin polls up to cfg->spin times before
 *                    it sleeps, as parent and child do by default: only
 *                    while the peer last ran on another CPU, for a budget
 *                    that adapts to its hit rate (lib/ring.h); on the
 *                    peer's CPU it yields to it, up to RING_YIELDS times.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "chan.h"

#define WORD_REGION	4096

static int vwait_open(struct end *e, bool create)
{
	struct vreg *v = calloc(1, sizeof(*v));
	int ret;

	if (!v)
		return -ENOMEM;
	ret = create ? vreg_create(v, e->name, WORD_REGION, 0) :
		       vreg_attach(v, e->name, 0);
	if (ret) {
		free(v);
		return ret;
	}
	e->priv = v;
	e->mem = v->mem;
	return 0;
}

static int vwait_create(struct end *e)
{
	return vwait_open(e, true);
}

static int vwait_attach(struct end *e)
{
	return vwait_open(e, false);
}

static int vwait_kstat(struct end *e, uint64_t *waits, uint64_t *wakes)
{
	return vreg_kstat(e->priv, waits, wakes);
}

static void vwait_close(struct end *e)
{
	vreg_close(e->priv);
	free(e->priv);
	e->priv = NULL;
}

static int vwait_send(struct end *e)
{
	struct vreg *v = e->priv;

	atomic_store_explicit(tx_word(e), ++e->seq, memory_order_release);
	e->nsys++;
	return vmshm_wake(v->fd, false);
}

/* Wait for the peer's next message; with @wake, wake it first. */
static int vwait_wait(struct end *e, uint32_t wake)
{
	struct vreg *v = e->priv;
	uint64_t off = (char *)rx_word(e) - (char *)v->mem;
	uint32_t val;
	int ret;

	for (;;) {
		val = atomic_load_explicit(rx_word(e), memory_order_acquire);
		if (val != e->rcvd)
			break;
		e->nsys++;
		ret = vmshm_wait(v->fd, off, val, VMSHM_NO_DEADLINE,
				 VMSHM_NO_SLEEPERS, wake);
		if (ret && ret != -EAGAIN && ret != -EINTR)
			return ret;
		wake = 0;
	}
	if (wake) {
		/* The answer was there already: the wake still is owed. */
		e->nsys++;
		ret = vmshm_wake(v->fd, false);
		if (ret)
			return ret;
	}
	e->rcvd = val;
	return 0;
}

static int vwait_recv(struct end *e)
{
	return vwait_wait(e, 0);
}

/* The message and the wait for the answer in one VMSHM_WAIT_WAKE. */
static int vwait_call_flags(struct end *e, uint32_t flags)
{
	atomic_store_explicit(tx_word(e), ++e->seq, memory_order_release);
	return vwait_wait(e, VMSHM_WAIT_WAKE | flags);
}

static int vwait_call(struct end *e)
{
	return vwait_call_flags(e, 0);
}

/* The same, spinning in the kernel while the woken peer runs. */
static int vwait_call_spin(struct end *e)
{
	return vwait_call_flags(e, VMSHM_WAIT_SPIN);
}

const struct pp_ops pp_vmshm_wait = {
	.name = "vmshm-wait",
	.chan = { .create = vwait_create, .attach = vwait_attach,
		  .kstat = vwait_kstat, .close = vwait_close },
	.send = vwait_send,
	.recv = vwait_recv,
};

const struct pp_ops pp_vmshm_wait_wake = {
	.name = "vmshm-wait-wake",
	.chan = { .create = vwait_create, .attach = vwait_attach,
		  .kstat = vwait_kstat, .close = vwait_close },
	.send = vwait_send,
	.recv = vwait_recv,
	.call = vwait_call,
};

const struct pp_ops pp_vmshm_wait_spin = {
	.name = "vmshm-wait-spin",
	.chan = { .create = vwait_create, .attach = vwait_attach,
		  .kstat = vwait_kstat, .close = vwait_close },
	.send = vwait_send,
	.recv = vwait_recv,
	.call = vwait_call_spin,
};

/* Region 0 carries the parent's messages, region 1 the child's. */
static int vpoll_open(struct end *e, bool create)
{
	struct vreg *v = calloc(2, sizeof(*v));
	char name[VMSHM_NAME_MAX];
	int i, ret = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < 2 && !ret; i++) {
		snprintf(name, sizeof(name), "%.50s-%d", e->name, i);
		ret = create ? vreg_create(&v[i], name, WORD_REGION, 0) :
			       vreg_attach(&v[i], name, 0);
	}
	if (ret) {
		vreg_close(&v[0]);
		free(v);
		return ret;
	}
	e->priv = v;
	return 0;
}

static int vpoll_create(struct end *e)
{
	return vpoll_open(e, true);
}

static int vpoll_attach(struct end *e)
{
	return vpoll_open(e, false);
}

static int vpoll_kstat(struct end *e, uint64_t *waits, uint64_t *wakes)
{
	struct vreg *v = e->priv;
	uint64_t w[2], k[2];
	int ret = vreg_kstat(&v[0], &w[0], &k[0]);

	if (!ret)
		ret = vreg_kstat(&v[1], &w[1], &k[1]);
	*waits = w[0] + w[1];
	*wakes = k[0] + k[1];
	return ret;
}

static void vpoll_close(struct end *e)
{
	struct vreg *v = e->priv;

	vreg_close(&v[0]);
	vreg_close(&v[1]);
	free(v);
	e->priv = NULL;
}

static int vpoll_send(struct end *e)
{
	struct vreg *v = (struct vreg *)e->priv + !e->parent;

	atomic_store_explicit((atomic_uint *)v->mem, ++e->seq,
			      memory_order_release);
	e->nsys++;
	return vmshm_wake(v->fd, false);
}

/* Sleep in poll(), consume the event, then look at the counter. */
static int vpoll_recv(struct end *e)
{
	struct vreg *v = (struct vreg *)e->priv + e->parent;
	struct pollfd pfd = { .fd = v->fd, .events = POLLIN };
	uint32_t val;
	uint64_t seq;
	int ret;

	for (;;) {
		e->nsys++;
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!(pfd.revents & POLLIN))
			return -EPIPE;
		e->nsys++;
		ret = vmshm_read_event(v->fd, &seq);
		if (ret)
			return ret;
		val = atomic_load_explicit((atomic_uint *)v->mem,
					   memory_order_acquire);
		if (val != e->rcvd)
			break;
	}
	e->rcvd = val;
	return 0;
}

const struct pp_ops pp_vmshm_poll = {
	.name = "vmshm-poll",
	.chan = { .create = vpoll_create, .attach = vpoll_attach,
		  .kstat = vpoll_kstat, .close = vpoll_close },
	.send = vpoll_send,
	.recv = vpoll_recv,
};

static int vring_send(struct end *e)
{
	struct ring_chan *c = e->priv;
	int ret = ring_push(&c->tx, 1, "", 0, 0);

	return ret ? ret : ring_flush(&c->tx);
}

/* ring_call(): the record and the wait for the answer, one system call. */
static int vring_call(struct end *e)
{
	struct ring_chan *c = e->priv;
	struct ring_rec rec;
	int ret;

	ret = ring_call(&c->tx, 1, "", 0, &c->rx, &rec);
	while (ret == -EINTR)
		ret = ring_peek(&c->rx, &rec, 0);
	if (ret)
		return ret == RING_EOF ? -EPIPE : ret;
	return ring_consume(&c->rx);
}

static int vring_recv(struct end *e)
{
	struct ring_chan *c = e->priv;
	struct ring_rec rec;
	int ret;

	do {
		ret = ring_peek(&c->rx, &rec, 0);
	} while (ret == -EINTR);
	if (ret)
		return ret == RING_EOF ? -EPIPE : ret;
	return ring_consume(&c->rx);
}

const struct pp_ops pp_vmshm_ring = {
	.name = "vmshm-ring",
	.chan = { .create = ring_chan_create, .attach = ring_chan_attach,
		  .kstat = ring_chan_kstat, .close = ring_chan_close },
	.send = vring_send,
	.recv = vring_recv,
	.call = vring_call,
	.own_sys = ring_chan_sys,
};

static int vring_spin(struct end *e, int ret)
{
	struct ring_chan *c = e->priv;

	if (ret)
		return ret;
	ring_set_spin(&c->tx, e->cfg->spin);
	ring_set_spin(&c->rx, e->cfg->spin);
	return 0;
}

static int vring_spin_create(struct end *e)
{
	return vring_spin(e, ring_chan_create(e));
}

static int vring_spin_attach(struct end *e)
{
	return vring_spin(e, ring_chan_attach(e));
}

const struct pp_ops pp_vmshm_ring_spin = {
	.name = "vmshm-ring-spin",
	.chan = { .create = vring_spin_create, .attach = vring_spin_attach,
		  .kstat = ring_chan_kstat, .close = ring_chan_close },
	.send = vring_send,
	.recv = vring_recv,
	.call = vring_call,
	.own_sys = ring_chan_sys,
};
