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
#include <sys/mman.h>

#include "kselftest_harness.h"

#include "libvmshm.h"
#include "vmshm_util.h"

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

/* Where the words lie in the fake "mapping", a page of anonymous memory. */
#define WORD		64
#define SLEEPERS	68
#define WAKE_WORD	128

FIXTURE(fake) {
	unsigned char *map;
	size_t size;
	struct vmshm_ring_ctx c;
};

FIXTURE_SETUP(fake)
{
	fake_reset();
	self->size = page_size();
	self->map = mmap(NULL, self->size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->map);
}

FIXTURE_TEARDOWN(fake)
{
	munmap(self->map, self->size);
}

static _Atomic uint32_t *word_at(FIXTURE_DATA(fake) *self, size_t off)
{
	return (_Atomic uint32_t *)(self->map + off);
}

static int wake_wait(FIXTURE_DATA(fake) *self)
{
	return vmshm_ring_ops.wake_wait(&self->c, word_at(self, WAKE_WORD),
					word_at(self, WORD), 7,
					word_at(self, SLEEPERS), 0);
}

static bool is_wait(const struct fake_call *c, uint32_t flags)
{
	return c->cmd == VMSHM_WAIT && c->flags == flags &&
	       c->offset == WORD && c->sleepers_offset == SLEEPERS;
}

TEST_F(fake, wake_wait_is_one_ioctl)
{
	vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map, self->size, false);
	EXPECT_EQ(0, wake_wait(self));
	EXPECT_EQ(1, fake.n);
	EXPECT_TRUE(is_wait(&fake.call[0],
			    VMSHM_WAIT_WAKE | VMSHM_WAIT_SLEEPERS));
	EXPECT_FALSE(self->c.no_wake_wait);
	EXPECT_FALSE(fake.bad_struct);
}

TEST_F(fake, wake_wait_all_sets_wake_all)
{
	vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map, self->size, true);
	EXPECT_EQ(0, wake_wait(self));
	EXPECT_EQ(1, fake.n);
	EXPECT_TRUE(is_wait(&fake.call[0], VMSHM_WAIT_WAKE |
				VMSHM_WAIT_WAKE_ALL | VMSHM_WAIT_SLEEPERS));
}

/* An older module: the first call learns, every later one uses two. */
TEST_F(fake, wake_wait_falls_back_on_eopnotsupp)
{
	fake.no_wake_wait = true;
	fake.wait_ret = -EAGAIN;
	vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map, self->size, true);
	EXPECT_EQ(-EAGAIN, wake_wait(self));
	EXPECT_TRUE(self->c.no_wake_wait);
	ASSERT_EQ(3, fake.n);
	EXPECT_TRUE(is_wait(&fake.call[0], VMSHM_WAIT_WAKE |
				VMSHM_WAIT_WAKE_ALL | VMSHM_WAIT_SLEEPERS));
	EXPECT_TRUE(fake.call[1].cmd == VMSHM_WAKE &&
		    fake.call[1].flags == VMSHM_WAKE_ALL);
	EXPECT_TRUE(is_wait(&fake.call[2], VMSHM_WAIT_SLEEPERS));

	fake.n = 0;
	fake.wait_ret = 0;
	EXPECT_EQ(0, wake_wait(self));
	ASSERT_EQ(2, fake.n);
	EXPECT_TRUE(fake.call[0].cmd == VMSHM_WAKE);
	EXPECT_TRUE(is_wait(&fake.call[1], VMSHM_WAIT_SLEEPERS));
	EXPECT_FALSE(fake.bad_struct);
}

/* The fallback's wake fails: no wait follows, and its error is returned. */
TEST_F(fake, wake_wait_fallback_stops_at_failed_wake)
{
	fake.no_wake_wait = true;
	fake.wake_ret = -EBADF;
	vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map, self->size, false);
	EXPECT_EQ(-EBADF, wake_wait(self));
	EXPECT_EQ(2, fake.n);
	EXPECT_TRUE(fake.call[1].cmd == VMSHM_WAKE && !fake.call[1].flags);
}

/* Any other error of the fused call is the caller's, not a fallback. */
TEST_F(fake, wake_wait_other_errors_are_returned)
{
	static const int errs[] = { -ETIMEDOUT, -EINTR, -EINVAL, -EPIPE };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(errs); i++) {
		fake_reset();
		fake.wait_ret = errs[i];
		vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map, self->size,
				    false);
		EXPECT_EQ(errs[i], wake_wait(self));
		EXPECT_EQ(1, fake.n);
		EXPECT_FALSE(self->c.no_wake_wait);
	}
}

/* A word outside the mapping never reaches the kernel. */
TEST_F(fake, wake_wait_word_outside_mapping)
{
	vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map, 64, false);
	EXPECT_EQ(-EINVAL, wake_wait(self));
	vmshm_ring_ctx_init(&self->c, FAKE_FD, self->map + 65, 1024, false);
	EXPECT_EQ(-EINVAL, wake_wait(self));
	EXPECT_EQ(0, fake.n);
}

TEST_HARNESS_MAIN
