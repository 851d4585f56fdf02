// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the transports' whole-line path (user/sum/xport.c,
 * xport_ring.c): xport_send_lines() into packed records, where its run
 * stops, and its errors, and XPORT_LINES receives with the lines' lengths,
 * on the "futex" ring transport in one process (the ring is big enough
 * that nothing waits), and corrupt records of lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ring.h"
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
			size_t i, sum = 0;

			for (i = 0; i < p.nlines; i++) {
				sum += p.lens[i];
				ASSERT_LE(sum, p.len);
				ASSERT_EQ('\n', p.data[sum - 1]);
				ASSERT_EQ(NULL, memchr(p.data + sum - p.lens[i],
						       '\n', p.lens[i] - 1));
			}
			ASSERT_EQ(p.len, sum);
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
	uint64_t lines, packed, sent = 0;
	size_t len = make_text(text, sizeof(text), &lines), got;

	ASSERT_EQ(len, xport_send_lines(self->tx, text, len, &sent));
	EXPECT_EQ(lines, sent);
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
	uint64_t packed, sent = 0;
	char out[64];

	ASSERT_EQ(0, self->tx->ops->send(self->tx, "4", 1, true));
	ASSERT_EQ(6, xport_send_lines(self->tx, text, strlen(text), &sent));
	EXPECT_EQ(2, sent);
	ASSERT_EQ(0, self->tx->ops->send(self->tx, "5", 1, true));
	ASSERT_EQ(0, self->tx->ops->close(self->tx));
	ASSERT_EQ(10, drain(_metadata, self->rx, out, sizeof(out), &packed));
	EXPECT_EQ(0, memcmp("4\n1 2\n3\n5\n", out, 10));
}

/* The run stops before an empty line and before an unended one. */
TEST_F(xt, send_lines_run)
{
	uint64_t lines = 0;

	EXPECT_EQ(6, xport_send_lines(self->tx, "1\n2 3\nx", 7, &lines));
	EXPECT_EQ(2, lines);
	EXPECT_EQ(2, xport_send_lines(self->tx, "1\n\n2\n", 5, &lines));
	EXPECT_EQ(3, lines);
	EXPECT_EQ(0, xport_send_lines(self->tx, "\n1\n", 3, &lines));
	EXPECT_EQ(0, xport_send_lines(self->tx, "12", 2, &lines));
	EXPECT_EQ(0, xport_send_lines(self->tx, "", 0, &lines));
	EXPECT_EQ(3, lines);
}

TEST_F(xt, send_lines_mid_line)
{
	uint64_t lines = 0;

	ASSERT_EQ(0, self->tx->ops->send(self->tx, "1", 1, false));
	EXPECT_EQ(-EINVAL, xport_send_lines(self->tx, "2\n", 2, &lines));
	EXPECT_EQ(0, lines);
}

/* A channel, and its shared memory mapped as a corrupt peer would. */
struct raw {
	struct xport *tx;
	struct xport *rx;
	char *mem;
};

static void raw_open(struct __test_metadata *_metadata, struct raw *w)
{
	struct xport_cfg cfg = { .kind = "futex", .region_size = XT_SIZE };
	char name[32], path[40];
	int fd;

	snprintf(name, sizeof(name), "xport-test-raw-%d", getpid());
	snprintf(path, sizeof(path), "/%s", name);
	cfg.name = name;
	ASSERT_EQ(0, xport_create(&cfg, &w->tx));
	ASSERT_EQ(0, xport_attach(&cfg, &w->rx));
	fd = shm_open(path, O_RDWR, 0);
	ASSERT_LE(0, fd);
	w->mem = mmap(NULL, XT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	close(fd);
	ASSERT_NE(MAP_FAILED, w->mem);
}

static void raw_close(struct raw *w)
{
	munmap(w->mem, XT_SIZE);
	w->rx->ops->destroy(w->rx);
	w->tx->ops->destroy(w->tx);
}

/*
 * Send "4242\n" and "7\n" as one record of lines, let @corrupt change it
 * in the shared memory, and expect both kinds of receive to refuse it.
 */
static void corrupt_record(struct __test_metadata *_metadata,
			   void (*corrupt)(char *rec))
{
	struct xport_piece p;
	uint64_t lines = 0;
	struct raw w;
	char *hit;

	raw_open(_metadata, &w);
	ASSERT_EQ(7, xport_send_lines(w.tx, "4242\n7\n", 7, &lines));
	ASSERT_EQ(0, w.tx->ops->flush(w.tx));
	/* The text, a pad byte, lengths 5 and 2, and the count 2. */
	hit = memmem(w.mem, XT_SIZE, "4242\n7\n\0\5\0\2\0\2\0", 14);
	ASSERT_NE(NULL, hit);
	corrupt(hit);
	EXPECT_EQ(-EBADMSG, w.rx->ops->recv(w.rx, &p, XPORT_LINES));
	EXPECT_EQ(-EBADMSG, w.rx->ops->recv(w.rx, &p, 0));
	raw_close(&w);
}

static void unend_line(char *rec)
{
	rec[4] = '2';
}

static void zero_lines(char *rec)
{
	rec[12] = 0;
}

static void too_many_lines(char *rec)
{
	rec[12] = 9;
}

static void line_too_long(char *rec)
{
	rec[8] = 3;
}

static void line_too_short(char *rec)
{
	rec[8] = 4;
}

static void empty_line(char *rec)
{
	rec[8] = 0;
}

/* A line whose last byte is not '\n'. */
TEST(lines_record_unended)
{
	corrupt_record(_metadata, unend_line);
}

/* A count of no lines, and one the record cannot hold. */
TEST(lines_record_bad_count)
{
	corrupt_record(_metadata, zero_lines);
	corrupt_record(_metadata, too_many_lines);
}

/* Lengths that run past the text, fall short of it, or are zero. */
TEST(lines_record_bad_lengths)
{
	corrupt_record(_metadata, line_too_long);
	corrupt_record(_metadata, line_too_short);
	corrupt_record(_metadata, empty_line);
}

/*
 * A well-formed record of more lines than any chunk holds, pushed into the
 * forward ring by a second producer on the same memory: the receiver's
 * copy of the table has room for a chunk's lines only.
 */
TEST(lines_record_too_many_lines)
{
	static char rec[2 * 4096 + 8];
	uint16_t n = 4096 / 2 + 1, one = 1;
	struct ring fwd, rev;
	struct xport_piece p;
	size_t len = 0, i;
	struct raw w;

	raw_open(_metadata, &w);
	ASSERT_EQ(0, ring_pair_open(w.mem, XT_SIZE, true, &ring_futex_ops,
				    NULL, &fwd, &rev));
	/* n empty lines, a pad byte, n lengths of 1, and the count. */
	memset(rec, '\n', n);
	len = n + n % 2;
	for (i = 0; i < n; i++, len += sizeof(one))
		memcpy(rec + len, &one, sizeof(one));
	memcpy(rec + len, &n, sizeof(n));
	len += sizeof(n);
	ASSERT_EQ(0, ring_push(&fwd, 4, rec, len, RING_NOWAIT));
	ASSERT_EQ(0, ring_flush(&fwd));
	EXPECT_EQ(-EBADMSG, w.rx->ops->recv(w.rx, &p, XPORT_LINES));
	raw_close(&w);
}

TEST(send_lines_posix_flags)
{
	struct xport_cfg cfg = { .kind = "posix-flags" };
	struct xport *x;
	char name[32];

	snprintf(name, sizeof(name), "xport-test-pf-%d", getpid());
	cfg.name = name;
	ASSERT_EQ(0, xport_create(&cfg, &x));
	uint64_t lines = 0;

	EXPECT_EQ(-EOPNOTSUPP, xport_send_lines(x, "1\n", 2, &lines));
	x->ops->destroy(x);
}

/* Where xport_send_lines()'s run must stop, one byte at a time. */
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
 * then an empty line, and an unended last line, against the reference;
 * what arrives is the run, byte for byte.  One block in four has random
 * bytes between the '\n's, so that bytes one bit away from '\n' (0x0b,
 * 0x8a, ...) come up too.
 */
TEST_F(xt, send_lines_random)
{
	static char buf[16384], out[16384 + 1];
	unsigned long long seed = 0x5eed;
	unsigned int trial;

	for (trial = 0; trial < 4000; trial++) {
		size_t len = xorshift64(&seed) % (trial < 2000 ? 200 : sizeof(buf));
		uint64_t got = 0, want = 0;
		bool noise = !(trial % 4);
		size_t i, run, n = 0, gap = 0;
		struct xport_piece p;
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
		run = line_run_ref(buf, len, &want);
		ASSERT_EQ(run, xport_send_lines(self->tx, buf, len, &got))
			TH_LOG("trial %u", trial);
		ASSERT_EQ(want, got) TH_LOG("trial %u, %zu bytes", trial, len);
		ASSERT_EQ(0, self->tx->ops->flush(self->tx));
		while (n < run) {
			ASSERT_EQ(0, self->rx->ops->recv(self->rx, &p,
							 XPORT_LINES));
			ASSERT_TRUE(p.lines);
			ASSERT_LE(n + p.len, run);
			memcpy(out + n, p.data, p.len);
			n += p.len;
			ASSERT_EQ(0, self->rx->ops->recv_done(self->rx));
		}
		ASSERT_EQ(0, memcmp(buf, out, run)) TH_LOG("trial %u", trial);
	}
}

TEST_HARNESS_MAIN
