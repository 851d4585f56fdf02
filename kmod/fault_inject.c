// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm fault injection, on kernels with CONFIG_FAULT_INJECTION_DEBUG_FS
 * (the debug lane's kernel).  Races that need a window wider than TCG
 * gives are opened here on demand, and only here; so are the failures
 * that no test could cause otherwise.
 *
 * /sys/kernel/debug/vmshm_wait_race/ is a standard fault attribute
 * (Documentation/fault-injection/fault-injection.rst) with one extra file:
 * when the attribute fires, a VMSHM_WAIT whose deadline has passed sleeps
 * delay_ms after its last recheck and before it leaves the wait queue,
 * the window in which a wake-one can pick a waiter that is giving up
 * (notify.c).  /sys/kernel/debug/vmshm_wait_gone_race/ is another, with
 * its own delay_ms: when it fires, a task looking for peers
 * (vmshm_file_peer_gone()) busy-waits delay_ms between its loads of the
 * bind generation and of the count of attached files (it may be a queued
 * VMSHM_WAIT, no longer TASK_RUNNING, so it must not sleep).  For a
 * VMSHM_WAIT that found neither a wake nor a new value, that is the window
 * in which the last peer can store its answer and leave, and the one in
 * which a first peer can attach.  Only tasks
 * whose /proc/PID/make-it-fail is 1 are ever delayed: should_fail()
 * also counts its call sites against a task's fail-nth, and a fail-nth
 * sweep (fail_nth_test) must neither land on a delay nor see one.  The
 * attributes start quiet (verbose 0).
 *
 * /sys/kernel/debug/vmshm_fail_link_name/, when it fires, makes
 * vmshm_ns_link_name() fail with ENOMEM as if the name table could not
 * grow, which no test can cause otherwise: the table only allocates when
 * it is resized.  Same rules: marked tasks only, quiet at first.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/sched.h>

#include "vmshm.h"

static DECLARE_FAULT_ATTR(vmshm_wait_race_attr);
/* Written through debugfs only; read once per injection. */
static u32 vmshm_wait_race_delay_ms = 100;
static struct dentry *vmshm_wait_race_dir;

static DECLARE_FAULT_ATTR(vmshm_wait_gone_race_attr);
/* Written through debugfs only; read once per injection. */
static u32 vmshm_wait_gone_race_delay_ms = 100;
static struct dentry *vmshm_wait_gone_race_dir;

static DECLARE_FAULT_ATTR(vmshm_link_name_attr);
static struct dentry *vmshm_link_name_dir;

/**
 * vmshm_fault_wait_race() - widen the window before a timed-out waiter
 * leaves the queue, when the fault attribute says so
 *
 * Context: may sleep; the caller is still queued, in TASK_RUNNING.
 */
void vmshm_fault_wait_race(void)
{
	if (!current->make_it_fail)
		return;
	if (should_fail(&vmshm_wait_race_attr, 1))
		msleep(READ_ONCE(vmshm_wait_race_delay_ms));
}

/**
 * vmshm_fault_wait_gone_race() - widen the window between a look at the
 * bind generation and one at the count of peers, when the fault attribute
 * says so
 *
 * Context: any; the caller may be queued, in TASK_INTERRUPTIBLE.
 */
void vmshm_fault_wait_gone_race(void)
{
	if (!current->make_it_fail)
		return;
	if (should_fail(&vmshm_wait_gone_race_attr, 1))
		mdelay(READ_ONCE(vmshm_wait_gone_race_delay_ms));
}

/**
 * vmshm_fault_link_name() - whether linking a region's name should fail
 *
 * Return: true when the fault attribute fires for the current task.
 */
bool vmshm_fault_link_name(void)
{
	return current->make_it_fail &&
	       should_fail(&vmshm_link_name_attr, 1);
}

/**
 * vmshm_fault_init() - create the debugfs attributes
 *
 * Fault injection is a debugging aid, so a failure here is not fatal: the
 * module loads without it.
 */
void vmshm_fault_init(void)
{
	struct dentry *dir;

	vmshm_link_name_attr.verbose = 0;
	dir = fault_create_debugfs_attr("vmshm_fail_link_name", NULL,
					&vmshm_link_name_attr);
	if (!IS_ERR(dir))
		vmshm_link_name_dir = dir;

	vmshm_wait_gone_race_attr.verbose = 0;
	dir = fault_create_debugfs_attr("vmshm_wait_gone_race", NULL,
					&vmshm_wait_gone_race_attr);
	if (!IS_ERR(dir)) {
		debugfs_create_u32("delay_ms", 0600, dir,
				   &vmshm_wait_gone_race_delay_ms);
		vmshm_wait_gone_race_dir = dir;
	}

	vmshm_wait_race_attr.verbose = 0;
	dir = fault_create_debugfs_attr("vmshm_wait_race", NULL,
					&vmshm_wait_race_attr);
	if (IS_ERR(dir))
		return;
	debugfs_create_u32("delay_ms", 0600, dir, &vmshm_wait_race_delay_ms);
	vmshm_wait_race_dir = dir;
}

/**
 * vmshm_fault_exit() - remove the debugfs attributes
 */
void vmshm_fault_exit(void)
{
	debugfs_remove_recursive(vmshm_wait_race_dir);
	debugfs_remove_recursive(vmshm_wait_gone_race_dir);
	debugfs_remove_recursive(vmshm_link_name_dir);
}
