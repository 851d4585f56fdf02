/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transports between parent and child.  The parent creates the channel and
 * sends lines; the child attaches by name, receives them and, in
 * interactive mode, sends one result back per line.  Both directions carry
 * lines in pieces, so a line of any length goes through.
 *
 *   vmshm        two rings in a /dev/vmshm region (lib/ring.h)
 *   futex        the same rings in POSIX shm, futex wait/wake; for host
 *                tests without the module, peer death seen by polling
 *   posix-flags  the lab's protocol: one 4096-byte struct per direction,
 *                a data_ready flag polled with usleep(1000)
 *
 * The channel also holds the receiver's account of its output (struct
 * xport_status), which the creator reads once the receiver has gone: how
 * many result lines the receiver's output holds is learnt from there, not
 * from the output itself.
 *
 * Every function returns 0 or -errno, and prints nothing.
 */
#ifndef _VMSHM_XPORT_H
#define _VMSHM_XPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XPORT_NOWAIT	0x1U	/* recv(): -EAGAIN instead of waiting */
#define XPORT_LINES	0x2U	/* recv(): whole lines at once may come */
#define XPORT_EOF	1		/* recv(): the peer closed its side */
/* Default xport_cfg.spin: RING_SPIN_DEFAULT, see lib/ring.h. */
#define XPORT_SPIN_DEFAULT	100U

struct xport;

/* struct xport_status.state */
enum xport_state {
	XPORT_RUNNING,		/* the receiver is at work, or died unaccounted */
	XPORT_CLOSED,		/* the receiver closed its output itself */
	XPORT_RECOVERED,	/* it died; its guard cut the output to whole lines */
	__XPORT_STATE_MAX,
};

/**
 * struct xport_status - the receiver's account of its output
 * @lines: lines received whole and summed
 * @results: result lines in the output, each whole
 * @state: an enum xport_state
 * @__reserved: zero
 *
 * Lives in the channel's shared memory, zeroed by the creator.  Only the
 * receiver's side writes it, the creator reads it; @results counts what
 * is in the output once @state is no longer XPORT_RUNNING.
 */
struct xport_status {
	uint64_t lines;
	uint64_t results;
	uint32_t state;
	uint32_t __reserved;
};

/**
 * struct xport_piece - part of a line, as received
 * @data: bytes, without the newline; valid until recv_done()
 * @len: how many
 * @eol: this piece ends its line
 * @lines: only with XPORT_LINES: @data holds @nlines whole lines, each
 *	ended by its '\n', which @len counts (@eol is set too)
 * @lens: with @lines: the length of each line, its '\n' included, as the
 *	sender found it; line k starts where lines 0..k-1 end
 * @nlines: with @lines: how many lines
 *
 * The sender already had to find every line, so the receiver of a piece
 * of whole lines need not look for them again.
 */
struct xport_piece {
	const char *data;
	size_t len;
	bool eol;
	bool lines;
	const uint16_t *lens;
	size_t nlines;
};

/**
 * struct xport_ops - a transport
 * @send: queue a piece of the current outgoing line; @eol ends the line
 * @send_lines: xport_send_lines(), with @x's ops checked; NULL when the
 *	transport sends line by line only
 * @flush: make everything queued visible to the peer
 * @close: send end-of-stream (flushes); never waits for ring space
 * @recv: the next incoming piece; 0, XPORT_EOF, -EAGAIN (XPORT_NOWAIT),
 *	-EPIPE (the peer has gone and nothing is left), -EINTR, -EBADMSG
 * @recv_done: release the piece recv() returned
 * @peer_ready: the peer has attached; the name may go now
 * @stats: one line of transport counters for -v, into @buf, through
 *	xport_format_stats() so that every transport uses the same words
 * @destroy: unmap, close, unlink what the creator owns; frees @x
 *
 * Waiting calls return -EINTR when a signal arrives and cfg->stop is set,
 * and -EPIPE as soon as the peer is known to be gone.  A send that fails
 * may have sent part of the line: the stream is then only fit for close().
 */
struct xport_ops {
	int (*send)(struct xport *x, const char *buf, size_t len, bool eol);
	ssize_t (*send_lines)(struct xport *x, const char *buf, size_t len,
			      uint64_t *lines);
	int (*flush)(struct xport *x);
	int (*close)(struct xport *x);
	int (*recv)(struct xport *x, struct xport_piece *p, unsigned int flags);
	int (*recv_done)(struct xport *x);
	int (*peer_ready)(struct xport *x);
	void (*stats)(struct xport *x, char *buf, size_t size);
	void (*destroy)(struct xport *x);
};

/**
 * struct xport_cfg - how to set a transport up
 * @kind: "vmshm", "futex" or "posix-flags"
 * @name: channel name (a vmshm region name; "/" + name for POSIX shm)
 * @region_size: bytes of the channel, for the creator of a ring transport
 * @spin: ring transports: most polls before sleeping, while the peer runs
 *	on another CPU (on ours, yields to it); 0 for neither
 * @lazy: ring transports: leave the channel's pages to fault in on first
 *	touch (demand paging) instead of faulting them all in at set-up
 * @peer_alive: for transports without a kernel peer-gone signal: returns
 *	false once the peer has died; may be NULL
 * @peer_arg: its argument
 * @stop: waits interrupted by a signal give up with -EINTR only once this
 *	is set; otherwise they go on.  May be NULL (always give up).
 */
struct xport_cfg {
	const char *kind;
	const char *name;
	uint64_t region_size;
	unsigned int spin;
	bool lazy;
	bool (*peer_alive)(void *arg);
	void *peer_arg;
	volatile sig_atomic_t *stop;
};

/**
 * struct xport - a transport endpoint
 * @ops: its operations
 * @kind: its kind, for messages
 * @poll_fd: an fd that polls EPOLLHUP once the peer has gone, or -1
 * @size: bytes of shared memory in use
 * @status: the receiver's account, in the shared memory
 */
struct xport {
	const struct xport_ops *ops;
	const char *kind;
	int poll_fd;
	uint64_t size;
	struct xport_status *status;
};

#define XPORT_KINDS	"vmshm|posix-flags|futex"

void xport_format_stats(char *buf, size_t size, uint64_t sent,
			uint64_t received, uint64_t waits, uint64_t wakes,
			uint64_t wakes_skipped, uint64_t spin_hits);
ssize_t xport_send_lines(struct xport *x, const char *buf, size_t len,
			 uint64_t *lines);
void xport_populate(void *mem, size_t size);
int xport_create(const struct xport_cfg *cfg, struct xport **x);
int xport_attach(const struct xport_cfg *cfg, struct xport **x);
bool xport_kind_valid(const char *kind);
void xport_set_status(struct xport *x, const struct xport_status *st);
int xport_get_status(struct xport *x, struct xport_status *st);

/* One implementation per file. */
int xport_ring_create(const struct xport_cfg *cfg, struct xport **x);
int xport_ring_attach(const struct xport_cfg *cfg, struct xport **x);
int64_t xport_ring_sys(struct xport *x);
int posix_flags_create(const struct xport_cfg *cfg, struct xport **x);
int posix_flags_attach(const struct xport_cfg *cfg, struct xport **x);

#endif /* _VMSHM_XPORT_H */
