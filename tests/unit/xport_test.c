// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the transports' whole-line path (user/sum/xport.c,
 * xport_ring.c): xport_line_run(), xport_send_lines() into packed records
 * and its errors, and XPORT_LINES receives, on the "futex" ring transport
 * in one process (the ring is big enough that nothing waits), and a
 * corrupt record of lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "xport.h"
#include "xorshift.h"

#define XT_SIZE		(256 * 1024)
#define XT_TEXT		(48 * 1024)

FIXTURE(xt)
{
	struct xport *tx;
	struct xport *rx;
	char name[32];
};

FIXTURE_SETUP(xt)
{
	struct xport_cfg cfg = { .kind = "futex", .region_size = XT_SIZE };

	snprintf(self->name, sizeof(self->name), "xport-test-%d", getpid());
	cfg.name = self->name;
	ASSERT_EQ(0, xport_create(&cfg, &self->tx));
	ASSERT_EQ(0, xport_attach(&cfg, &self->rx));
	ASSERT_EQ(0, self->tx->ops->peer_ready(self->tx));
}

FIXTURE_TEARDOWN(xt)
{
	self->rx->ops->destroy(self->rx);
	self->tx->ops->destroy(self->tx);
}

/* Lines of 1 to 80 bytes, and every 16th one longer than a record. */
static size_t make_text(char *buf, size_t size, uint64_t *lines)
{
	unsigned long long rng = 7;
	size_t len = 0, n;

	*lines = 0;
	for (;;) {
		n = 1 + xorshift64(&rng) % 80;
		if (!(*lines % 16))
			n = 4096 + xorshift64(&rng) % 3000;
		if (len + n + 1 > size)
			return len;
		memset(buf + len, '0' + *lines % 10, n);
		len += n;
		buf[len++] = '\n';
		++*lines;
	}
}

/* Receive everything, alternately by piece and by whole lines. */
static size_t drain(struct __test_metadata *_metadata, struct xport *rx,
		    char *out, size_t size, uint64_t *packed)
{
	struct xport_piece p;
	unsigned int i = 0;
	size_t len = 0;
	int ret;

	*packed = 0;
	while ((ret = rx->ops->recv(rx, &p, i++ % 2 ? XPORT_LINES : 0)) == 0) {
		ASSERT_LE(len + p.len + 1, size);
		memcpy(out + len, p.data, p.len);
		len += p.len;
		if (p.lines) {
			ASSERT_EQ('\n', p.data[p.len - 1]);
			++*packed;
		} else if (p.eol) {
			out[len++] = '\n';
		}
		ASSERT_EQ(0, rx->ops->recv_done(rx));
	}
	EXPECT_EQ(XPORT_EOF, ret);
	return len;
}

TEST_F(xt, send_lines_round_trip)
{
	static char text[XT_TEXT], out[XT_TEXT];
	uint64_t lines, packed;
	size_t len = make_text(text, sizeof(text), &lines), got;

	ASSERT_EQ(0, xport_send_lines(self->tx, text, len));
	ASSERT_EQ(0, self->tx->ops->close(self->tx));
	got = drain(_metadata, self->rx, out, sizeof(out), &packed);
	ASSERT_EQ(len, got);
	EXPECT_EQ(0, memcmp(text, out, len));
	/* Short lines went several to a record. */
	EXPECT_GT(packed, 0);
}

TEST_F(xt, send_lines_after_pieces)
{
	static const char text[] = "1 2\n3\n";
	char out[64];
	uint64_t packed;

	ASSERT_EQ(0, self->tx->ops->send(self->tx, "4", 1, true));
	ASSERT_EQ(0, xport_send_lines(self->tx, text, strlen(text)));
	ASSERT_EQ(0, self->tx->ops->send(self->tx, "5", 1, true));
	ASSERT_EQ(0, self->tx->ops->close(self->tx));
	ASSERT_EQ(10, drain(_metadata, self->rx, out, sizeof(out), &packed));
	EXPECT_EQ(0, memcmp("4\n1 2\n3\n5\n", out, 10));
}

TEST_F(xt, send_lines_unended)
{
	EXPECT_EQ(-EINVAL, xport_send_lines(self->tx, "1\n2", 3));
}

TEST_F(xt, send_lines_mid_line)
{
	ASSERT_EQ(0, self->tx->ops->send(self->tx, "1", 1, false));
	EXPECT_EQ(-EINVAL, xport_send_lines(self->tx, "2\n", 2));
}

/* A record of lines whose last byte is not '\n', as a corrupt peer wrote. */
TEST(lines_record_unended)
{
	struct xport_cfg cfg = { .kind = "futex", .region_size = XT_SIZE };
	char name[32], path[40], *m, *hit;
	struct xport *tx, *rx;
	struct xport_piece p;
	int fd;

	snprintf(name, sizeof(name), "xport-test-bad-%d", getpid());
	snprintf(path, sizeof(path), "/%s", name);
	cfg.name = name;
	ASSERT_EQ(0, xport_create(&cfg, &tx));
	ASSERT_EQ(0, xport_attach(&cfg, &rx));
	ASSERT_EQ(0, xport_send_lines(tx, "4242\n", 5));
	ASSERT_EQ(0, tx->ops->flush(tx));
	fd = shm_open(path, O_RDWR, 0);
	ASSERT_LE(0, fd);
	m = mmap(NULL, XT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	hit = memmem(m, XT_SIZE, "4242\n", 5);
	ASSERT_NE(NULL, hit);
	hit[4] = '2';
	EXPECT_EQ(-EBADMSG, rx->ops->recv(rx, &p, XPORT_LINES));
	EXPECT_EQ(-EBADMSG, rx->ops->recv(rx, &p, 0));
	munmap(m, XT_SIZE);
	close(fd);
	rx->ops->destroy(rx);
	tx->ops->destroy(tx);
}

TEST(send_lines_posix_flags)
{
	struct xport_cfg cfg = { .kind = "posix-flags" };
	struct xport *x;
	char name[32];

	snprintf(name, sizeof(name), "xport-test-pf-%d", getpid());
	cfg.name = name;
	ASSERT_EQ(0, xport_create(&cfg, &x));
	EXPECT_EQ(-EOPNOTSUPP, xport_send_lines(x, "1\n", 2));
	x->ops->destroy(x);
}

TEST(line_run)
{
	uint64_t lines = 0;

	EXPECT_EQ(6, xport_line_run("1\n2 3\nx", 7, &lines));
	EXPECT_EQ(2, lines);
	EXPECT_EQ(2, xport_line_run("1\n\n2\n", 5, &lines));
	EXPECT_EQ(3, lines);
	EXPECT_EQ(0, xport_line_run("\n1\n", 3, &lines));
	EXPECT_EQ(0, xport_line_run("12", 2, &lines));
	EXPECT_EQ(0, xport_line_run("", 0, &lines));
	EXPECT_EQ(3, lines);
}

/* What xport_line_run() must return, one byte at a time. */
static size_t line_run_ref(const char *buf, size_t len, uint64_t *lines)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i == run)		/* an empty line */
			break;
		++*lines;
		run = i + 1;
	}
	return run;
}

/*
 * Blocks of up to 16 KiB with '\n's spaced 1 to 80 bytes apart, now and
 * then an empty line, and an unended last line, against the reference.
 * One block in four has random bytes between the '\n's, so that bytes
 * one bit away from '\n' (0x0b, 0x8a, ...) come up too.
 */
TEST(line_run_random)
{
	static char buf[16384];
	unsigned long long seed = 0x5eed;
	unsigned int trial;

	for (trial = 0; trial < 4000; trial++) {
		size_t len = xorshift64(&seed) % (trial < 2000 ? 200 : sizeof(buf));
		uint64_t got = 0, want = 0;
		bool noise = !(trial % 4);
		size_t i, gap = 0;
		char c;

		for (i = 0; i < len; i++) {
			if (!gap) {
				gap = 1 + xorshift64(&seed) % 80;
				/* 1 in 64 lines empty: '\n' right after one */
				if (!(xorshift64(&seed) % 64))
					gap = 1;
			}
			c = noise ? (char)xorshift64(&seed) : (char)('0' + i % 10);
			buf[i] = --gap ? c : '\n';
		}
		ASSERT_EQ(line_run_ref(buf, len, &want),
			  xport_line_run(buf, len, &got)) TH_LOG("trial %u", trial);
		ASSERT_EQ(want, got) TH_LOG("trial %u, %zu bytes", trial, len);
	}
}

TEST_HARNESS_MAIN
