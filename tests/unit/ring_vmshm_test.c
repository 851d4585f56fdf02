// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of libvmshm's ring ops (user/lib/ring_vmshm.c) against a fake
 * ioctl(): what reaches the kernel, in which order, and what happens when
 * a module without VMSHM_WAIT_WAKE answers EOPNOTSUPP.  The fake replaces
 * libc's ioctl() for this program, so no module and no VM are needed.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libvmshm.h"
#include "unit.h"

#define FAKE_FD		42
#define FAKE_MAX	8

/* One ioctl as the fake saw it. */
struct fake_call {
	unsigned long cmd;
	uint32_t flags;
	uint64_t offset;
	uint64_t sleepers_offset;
};

static struct {
	bool no_wake_wait;	/* answer EOPNOTSUPP to VMSHM_WAIT_WAKE */
	int wait_ret;		/* what VMSHM_WAIT returns, as -errno */
	int wake_ret;		/* what VMSHM_WAKE returns, as -errno */
	bool bad_struct;	/* a size or reserved field was wrong */
	int n;
	struct fake_call call[FAKE_MAX];
} fake;

static void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

static int fake_answer(int ret)
{
	if (ret >= 0)
		return ret;
	errno = -ret;
	return -1;
}

int ioctl(int fd, unsigned long cmd, ...)
{
	struct fake_call *c = &fake.call[fake.n < FAKE_MAX ? fake.n : 0];
	struct vmshm_wait *w;
	struct vmshm_wake *k;
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd != FAKE_FD)
		return fake_answer(-EBADF);
	if (fake.n < FAKE_MAX)
		fake.n++;
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	if (cmd == VMSHM_WAKE) {
		k = arg;
		c->flags = k->flags;
		fake.bad_struct |= k->size != sizeof(*k) || k->__reserved;
		return fake_answer(fake.wake_ret);
	}
	if (cmd != VMSHM_WAIT)
		return fake_answer(-ENOTTY);
	w = arg;
	c->flags = w->flags;
	c->offset = w->offset;
	c->sleepers_offset = w->sleepers_offset;
	fake.bad_struct |= w->size != sizeof(*w) || w->__reserved;
	if (fake.no_wake_wait && (w->flags & VMSHM_WAIT_WAKE))
		return fake_answer(-EOPNOTSUPP);
	return fake_answer(fake.wait_ret);
}

/* A "mapping" with the wait word at 64, the sleepers word at 68. */
static _Alignas(4096) unsigned char region[4096];
#define WORD		((_Atomic uint32_t *)(region + 64))
#define SLEEPERS	((_Atomic uint32_t *)(region + 68))
#define WAKE_WORD	((_Atomic uint32_t *)(region + 128))

static int wake_wait(struct vmshm_ring_ctx *c)
{
	return vmshm_ring_ops.wake_wait(c, WAKE_WORD, WORD, 7, SLEEPERS, 0);
}

static bool is_wait(const struct fake_call *c, uint32_t flags)
{
	return c->cmd == VMSHM_WAIT && c->flags == flags && c->offset == 64 &&
	       c->sleepers_offset == 68;
}

UNIT_TEST(wake_wait_is_one_ioctl)
{
	struct vmshm_ring_ctx c;

	fake_reset();
	vmshm_ring_ctx_init(&c, FAKE_FD, region, sizeof(region), false);
	CHECK_EQ(wake_wait(&c), 0);
	CHECK_EQ(fake.n, 1);
	CHECK(is_wait(&fake.call[0], VMSHM_WAIT_WAKE | VMSHM_WAIT_SLEEPERS));
	CHECK(!c.no_wake_wait);
	CHECK(!fake.bad_struct);
}

UNIT_TEST(wake_wait_all_sets_wake_all)
{
	struct vmshm_ring_ctx c;

	fake_reset();
	vmshm_ring_ctx_init(&c, FAKE_FD, region, sizeof(region), true);
	CHECK_EQ(wake_wait(&c), 0);
	CHECK_EQ(fake.n, 1);
	CHECK(is_wait(&fake.call[0], VMSHM_WAIT_WAKE | VMSHM_WAIT_WAKE_ALL |
				     VMSHM_WAIT_SLEEPERS));
}

/* An older module: the first call learns, every later one uses two. */
UNIT_TEST(wake_wait_falls_back_on_eopnotsupp)
{
	struct vmshm_ring_ctx c;

	fake_reset();
	fake.no_wake_wait = true;
	fake.wait_ret = -EAGAIN;
	vmshm_ring_ctx_init(&c, FAKE_FD, region, sizeof(region), true);
	CHECK_EQ(wake_wait(&c), -EAGAIN);
	CHECK(c.no_wake_wait);
	if (!CHECK_EQ(fake.n, 3))
		return;
	CHECK(is_wait(&fake.call[0], VMSHM_WAIT_WAKE | VMSHM_WAIT_WAKE_ALL |
				     VMSHM_WAIT_SLEEPERS));
	CHECK(fake.call[1].cmd == VMSHM_WAKE &&
	      fake.call[1].flags == VMSHM_WAKE_ALL);
	CHECK(is_wait(&fake.call[2], VMSHM_WAIT_SLEEPERS));

	fake.n = 0;
	fake.wait_ret = 0;
	CHECK_EQ(wake_wait(&c), 0);
	if (!CHECK_EQ(fake.n, 2))
		return;
	CHECK(fake.call[0].cmd == VMSHM_WAKE);
	CHECK(is_wait(&fake.call[1], VMSHM_WAIT_SLEEPERS));
	CHECK(!fake.bad_struct);
}

/* The fallback's wake fails: no wait follows, and its error is returned. */
UNIT_TEST(wake_wait_fallback_stops_at_failed_wake)
{
	struct vmshm_ring_ctx c;

	fake_reset();
	fake.no_wake_wait = true;
	fake.wake_ret = -EBADF;
	vmshm_ring_ctx_init(&c, FAKE_FD, region, sizeof(region), false);
	CHECK_EQ(wake_wait(&c), -EBADF);
	CHECK_EQ(fake.n, 2);
	CHECK(fake.call[1].cmd == VMSHM_WAKE && !fake.call[1].flags);
}

/* Any other error of the fused call is the caller's, not a fallback. */
UNIT_TEST(wake_wait_other_errors_are_returned)
{
	static const int errs[] = { -ETIMEDOUT, -EINTR, -EINVAL, -EPIPE };
	struct vmshm_ring_ctx c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errs); i++) {
		fake_reset();
		fake.wait_ret = errs[i];
		vmshm_ring_ctx_init(&c, FAKE_FD, region, sizeof(region), false);
		CHECK_EQ(wake_wait(&c), errs[i]);
		CHECK_EQ(fake.n, 1);
		CHECK(!c.no_wake_wait);
	}
}

/* A word outside the mapping never reaches the kernel. */
UNIT_TEST(wake_wait_word_outside_mapping)
{
	struct vmshm_ring_ctx c;

	fake_reset();
	vmshm_ring_ctx_init(&c, FAKE_FD, region, 64, false);
	CHECK_EQ(wake_wait(&c), -EINVAL);
	vmshm_ring_ctx_init(&c, FAKE_FD, region + 65, 1024, false);
	CHECK_EQ(wake_wait(&c), -EINVAL);
	CHECK_EQ(fake.n, 0);
}
