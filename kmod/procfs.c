// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vmshm: one row per region in the style of /proc/sysvipc/shm, and
 * under each one an indented row per mapping.  Two header lines label the
 * columns of each kind of row.  Modes are octal with a leading 0, and
 * addresses hex with "0x", as everywhere vmshm prints them.
 *
 * The iterator holds vmshm_lock from ->start() to ->stop(), which keeps
 * every region in the table alive; the position is the region id, so a
 * reader resuming after a partial read never follows a stale pointer.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/user_namespace.h>

#include "vmshm.h"

/*
 * Flag bits above the mode, at the values /proc/sysvipc/shm uses: SHM_DEST
 * for a segment whose key is gone, SHM_LOCKED, SHM_HUGETLB.
 */
#define VMSHM_PERM_UNLINKED	01000
#define VMSHM_PERM_LOCKED	02000
#define VMSHM_PERM_HUGE		04000

static struct proc_dir_entry *vmshm_proc;

/**
 * struct vmshm_seq - the state of one read of /proc/vmshm
 * @vns: the reader's IPC namespace, whose regions alone are listed; NULL
 *	when it has none; taken in ->start() and dropped in ->stop()
 */
struct vmshm_seq {
	struct vmshm_ns *vns;
};

/* The first region of the reader's namespace from @id on, or NULL. */
static struct vmshm_region *vmshm_seq_find(struct vmshm_seq *st,
					   unsigned long *id)
{
	struct vmshm_region *r;

	if (!st->vns)
		return NULL;
	for (r = xa_find(&vmshm_regions, id, ULONG_MAX, XA_PRESENT); r;
	     r = xa_find_after(&vmshm_regions, id, ULONG_MAX, XA_PRESENT))
		if (r->ns == st->vns)
			return r;
	return NULL;
}

static void *vmshm_seq_start(struct seq_file *m, loff_t *pos)
	__acquires(&vmshm_lock)
{
	struct vmshm_seq *st = m->private;
	unsigned long id = *pos;
	struct vmshm_ns *vns = vmshm_ns_get(false);

	st->vns = IS_ERR(vns) ? NULL : vns;
	mutex_lock(&vmshm_lock);
	__acquire(&vmshm_lock);	/* sparse does not track mutexes */
	if (!id)
		return SEQ_START_TOKEN;
	return vmshm_seq_find(st, &id);
}

static void *vmshm_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	unsigned long id = v == SEQ_START_TOKEN ? 0 :
			   ((struct vmshm_region *)v)->id + 1;
	void *next = vmshm_seq_find(m->private, &id);

	/* The position is the id, so that ->start() resumes right here. */
	*pos = next ? id : *pos + 1;
	return next;
}

static void vmshm_seq_stop(struct seq_file *m, void *v)
	__releases(&vmshm_lock)
{
	struct vmshm_seq *st = m->private;

	mutex_unlock(&vmshm_lock);
	__release(&vmshm_lock);	/* sparse does not track mutexes */
	vmshm_ns_put(st->vns);
	st->vns = NULL;
}

/*
 * The second header line, with the widths of vmshm_show_mapping()'s
 * columns: addresses are "0x" and 16 hex digits, as YNL's hex display-hint
 * prints them, and the escaped command name is padded to 16.
 */
#define VMSHM_PROC_MAP_HEADER	"  %7s %-16s %-18s %-18s %4s %9s %10s %10s\n"
#define VMSHM_PROC_COMM_WIDTH	16

static void vmshm_show_mapping(struct seq_file *m,
			       const struct vmshm_mapping_snap *s)
{
	seq_printf(m, "  %7d ", s->pid);
	/* comm is chosen by the task: escape it as /proc/mounts does. */
	seq_setwidth(m, VMSHM_PROC_COMM_WIDTH);
	if (s->pid)
		seq_escape(m, s->comm, " \t\n\\");
	else
		seq_puts(m, "-");
	seq_pad(m, 0);
	seq_printf(m, " 0x%016lx 0x%016lx %c%c%c%c %9lu %10lld %10lld\n",
		   s->start, s->end,
		   s->prot & PROT_READ ? 'r' : '-',
		   s->prot & PROT_WRITE ? 'w' : '-',
		   s->prot & PROT_EXEC ? 'x' : '-', s->shared ? 's' : 'p',
		   s->resident, s->faults, s->majflt);
}

static void vmshm_show_region(struct seq_file *m,
			      const struct vmshm_region_snap *s)
{
	struct user_namespace *ns = seq_user_ns(m);

	seq_printf(m, "%-24s %6u %#6o %12llu %9lu %8u %7d %7d %6u %6u %10lld %10lld %10lld %10lld %10lu %10lu %10lld\n",
		   vmshm_shown_name(s->name), s->id,
		   s->mode |
		   (s->flags & VMSHM_REGION_F_UNLINKED ? VMSHM_PERM_UNLINKED : 0) |
		   (s->flags & VMSHM_REGION_F_LOCKED ? VMSHM_PERM_LOCKED : 0) |
		   (s->flags & VMSHM_REGION_F_HUGE ? VMSHM_PERM_HUGE : 0),
		   s->size, s->pages.resident, s->nr_mappings, s->cpid, s->lpid,
		   from_kuid_munged(ns, s->uid), from_kgid_munged(ns, s->gid),
		   s->faults, s->waits, s->wakes, s->timeouts,
		   s->pages.swapped, s->pages.huge, s->majflt);
}

static int vmshm_seq_show(struct seq_file *m, void *v)
{
	const struct vmshm_viewer viewer = {
		.uid = m->file->f_cred->euid,
		.admin = file_ns_capable(m->file, &init_user_ns, CAP_SYS_ADMIN),
		.pid_ns = proc_pid_ns(file_inode(m->file)->i_sb),
	};
	struct vmshm_region_snap rs;
	struct vmshm_mapping_snap ms;
	struct vmshm_region *r = v;
	struct vmshm_mapping *map;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%-24s %6s %6s %12s %9s %8s %7s %7s %6s %6s %10s %10s %10s %10s %10s %10s %10s\n",
			   "name", "id", "perms", "size", "resident",
			   "mappings", "cpid", "lpid", "uid", "gid", "faults",
			   "waits", "wakes", "timeouts", "swapped", "huge",
			   "majflt");
		seq_printf(m, VMSHM_PROC_MAP_HEADER, "pid", "comm", "start", "end",
			   "prot", "resident", "faults", "majflt");
		return 0;
	}

	spin_lock(&r->lock);
	vmshm_region_snap_locked(r, &viewer, &rs);
	vmshm_show_region(m, &rs);
	list_for_each_entry(map, &r->mappings, node) {
		vmshm_mapping_snap(map, &viewer, &ms);
		vmshm_show_mapping(m, &ms);
	}
	spin_unlock(&r->lock);
	return 0;
}

static const struct seq_operations vmshm_seq_ops = {
	.start = vmshm_seq_start,
	.next = vmshm_seq_next,
	.stop = vmshm_seq_stop,
	.show = vmshm_seq_show,
};

/**
 * vmshm_procfs_init() - create /proc/vmshm
 *
 * Return: 0 or -ENOMEM.
 */
int vmshm_procfs_init(void)
{
	vmshm_proc = proc_create_seq_private("vmshm", 0444, NULL,
					     &vmshm_seq_ops,
					     sizeof(struct vmshm_seq), NULL);
	return vmshm_proc ? 0 : -ENOMEM;
}

/**
 * vmshm_procfs_exit() - remove /proc/vmshm, waiting for readers in flight
 */
void vmshm_procfs_exit(void)
{
	proc_remove(vmshm_proc);
}
