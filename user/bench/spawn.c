// SPDX-License-Identifier: GPL-2.0
/*
 * Child processes: fork, pin to a CPU, wait until the parent has created
 * the channel, attach, say so, run the measured loop, exit.
 *
 * Two pipes order the start-up, so that the child attaches by name only
 * once the objects exist and the parent starts its clock only once the
 * child is attached:
 *
 *   parent                       child
 *   prefork (fds)
 *   fork ----------------------> pin CPU, read(go)
 *   create (named objects)
 *   write(go) -----------------> attach by name
 *   read(ready) <--------------- write(ready)
 *   timed loop <---------------> loop
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

struct ctl *ctl;

/**
 * ctl_init() - map the control block, shared with every child
 *
 * Return: 0 or -errno.
 */
int ctl_init(void)
{
	void *p = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	ctl = p;
	return 0;
}

static void end_init(struct end *e, const struct bench_cfg *cfg,
		     const char *variant)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "bench-%d-%.40s", (int)getpid(),
		 variant);
	e->cfg = cfg;
	memset(e->fd, -1, sizeof(e->fd));
}

/**
 * chan_open() - set up a channel and a child attached to it
 * @c: the channel; @c->ops and @c->variant are set, the rest is filled in
 * @cfg: the configuration
 * @pl: where the child runs; the parent is on CPU 0
 * @fns: what the child runs
 * @arg: their argument, which holds @c
 *
 * Names the channel after this pid, so that runs never collide, and
 * clears the control block.  On failure nothing is left.
 *
 * Return: 0, or -errno after printing why.
 */
int chan_open(struct chan *c, const struct bench_cfg *cfg, enum placement pl,
	      const struct child_fns *fns, void *arg)
{
	int ret;

	end_init(&c->e, cfg, c->variant);
	memset(ctl, 0, sizeof(*ctl));
	ret = c->ops->prefork ? c->ops->prefork(&c->e) : 0;
	if (!ret)
		ret = child_start(&c->child, placement_cpu(pl), fns, arg);
	if (ret) {
		err_msg("%s: cannot start a child: %s", c->variant,
			strerror(-ret));
		return ret;
	}
	c->e.parent = true;
	ret = c->ops->create(&c->e);
	if (ret) {
		err_msg("%s: cannot create %s: %s", c->variant, c->e.name,
			strerror(-ret));
		child_kill(&c->child);
		return ret;
	}
	ret = child_go(&c->child);
	if (ret)
		chan_close(c, ret);
	return ret;
}

/**
 * chan_close() - close this side; after a failure, kill the child first
 * @c: the channel
 * @err: 0, or the -errno the run failed with, which is printed
 */
void chan_close(struct chan *c, int err)
{
	if (err) {
		err_msg("%s: %s", c->variant, strerror(-err));
		child_kill(&c->child);
	}
	c->ops->close(&c->e);
}

/**
 * chan_child_attach() - child: attach to the channel
 * @arg: a job whose first member is its struct chan
 *
 * Return: 0 or -errno, after printing why.
 */
int chan_child_attach(void *arg)
{
	struct chan *c = arg;
	int ret = c->ops->attach(&c->e);

	if (ret)
		err_msg("%s: child cannot attach to %s: %s", c->variant,
			c->e.name, strerror(-ret));
	return ret;
}

/**
 * chan_own_sys() - the system calls this side's transport issued so far
 * @c: the channel
 *
 * Return: the count, or -1 if the transport cannot know.
 */
int64_t chan_own_sys(struct chan *c)
{
	return c->own_sys ? c->own_sys(&c->e) : c->e.nsys;
}

/**
 * nr_cpus() - CPUs this process may run on
 *
 * Return: their number, at least 1.
 */
int nr_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

/**
 * pin_cpu() - run the calling process on @cpu only
 * @cpu: the CPU
 *
 * Return: 0 or -errno.
 */
int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/**
 * placement_cpu() - the child's CPU; the parent always runs on CPU 0
 * @pl: the placement
 *
 * Return: 0 for the same vCPU, 1 for different vCPUs.
 */
int placement_cpu(enum placement pl)
{
	return pl == PL_CROSS ? 1 : 0;
}

static void child_main(int go, int ready, int cpu,
		       const struct child_fns *fns, void *arg)
{
	char c;
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ret = pin_cpu(cpu);
	if (ret) {
		err_msg("child: cpu %d: %s", cpu, strerror(-ret));
		_exit(1);
	}
	if (read(go, &c, 1) != 1)
		_exit(1);
	ret = fns->attach(arg);
	if (ret) {
		if (write(ready, "e", 1) < 0)
			_exit(1);
		_exit(1);
	}
	if (write(ready, "r", 1) != 1)
		_exit(1);
	_exit(fns->run(arg) ? 1 : 0);
}

/**
 * child_start() - fork a child that waits for child_go()
 * @c: receives the child
 * @cpu: the CPU to pin it to
 * @fns: what it runs
 * @arg: their argument, as copied by fork()
 *
 * Return: 0 or -errno.
 */
int child_start(struct child *c, int cpu, const struct child_fns *fns,
		void *arg)
{
	int go[2], ready[2], ret;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(ready, O_CLOEXEC)) {
		ret = -errno;
		goto err_close_go;
	}
	c->pid = fork();
	if (c->pid < 0) {
		ret = -errno;
		goto err_close_ready;
	}
	if (!c->pid) {
		close(go[1]);
		close(ready[0]);
		child_main(go[0], ready[1], cpu, fns, arg);
	}
	close(go[0]);
	close(ready[1]);
	c->go = go[1];
	c->ready = ready[0];
	return 0;

err_close_ready:
	close(ready[0]);
	close(ready[1]);
err_close_go:
	close(go[0]);
	close(go[1]);
	return ret;
}

/**
 * child_go() - let the child attach, and wait until it has
 * @c: the child
 *
 * Return: 0, or -EPIPE if it failed to attach or died.
 */
int child_go(struct child *c)
{
	char r = 0;

	if (write(c->go, "g", 1) != 1)
		return -EPIPE;
	while (read(c->ready, &r, 1) < 0 && errno == EINTR)
		;
	return r == 'r' ? 0 : -EPIPE;
}

/**
 * child_finish() - reap the child once its loop has ended
 * @c: the child; finishing it twice is a no-op
 *
 * Return: 0 if it exited with status 0, else -EPIPE.
 */
int child_finish(struct child *c)
{
	int status = 0;

	if (c->go >= 0)
		close(c->go);
	if (c->ready >= 0)
		close(c->ready);
	c->go = -1;
	c->ready = -1;
	if (c->pid <= 0)
		return 0;
	while (waitpid(c->pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	c->pid = 0;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EPIPE;
}

/**
 * child_kill() - kill and reap the child after a failure
 * @c: the child
 */
void child_kill(struct child *c)
{
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	child_finish(c);
}
