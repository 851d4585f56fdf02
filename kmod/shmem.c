// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm backing store: every region is a shmem file, as every SysV shm
 * segment is (ipc/shm.c), so its pages swap, can be huge, are charged to
 * the memory cgroup of the task that touched them, carry page->mapping
 * for futexes and rmap, and are freed by shmem when the file goes.
 *
 * The files live on two tmpfs mounts private to the module, made at load
 * and unmounted at unload, as DRM's i915_gemfs.c does: one without huge
 * pages, one with huge=within_size for VMSHM_CREATE_HUGE.  Nothing else
 * can reach them: they have no mount point, and the files no name in
 * any directory.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/shmem_fs.h>
#include <linux/version.h>
#include <linux/xarray.h>

#include "vmshm.h"

/* Written once at load, before /dev/vmshm exists, and read-only after. */
static struct vfsmount *vmshm_mnt;
static struct vfsmount *vmshm_huge_mnt;

static struct vfsmount *vmshm_shmem_mount(const char *huge)
{
	struct file_system_type *type;
	struct fs_context *fc;
	struct vfsmount *mnt;
	int ret;

	type = get_fs_type("tmpfs");
	if (!type)
		return ERR_PTR(-ENODEV);
	fc = fs_context_for_mount(type, SB_KERNMOUNT);
	if (IS_ERR(fc))
		return ERR_CAST(fc);
	ret = vfs_parse_fs_string(fc, "source", "vmshm", strlen("vmshm"));
	if (!ret)
		ret = vfs_parse_fs_string(fc, "huge", huge, strlen(huge));
	mnt = ret ? ERR_PTR(ret) : fc_mount(fc);
	put_fs_context(fc);
	return mnt;
}

/**
 * vmshm_shmem_init() - mount the private tmpfs instances
 *
 * Without THP in the kernel the huge mount cannot be made; huge regions
 * then use base pages, as the UAPI header promises.
 *
 * Return: 0 or a negative errno.
 */
int vmshm_shmem_init(void)
{
	vmshm_mnt = vmshm_shmem_mount("never");
	if (IS_ERR(vmshm_mnt))
		return PTR_ERR(vmshm_mnt);
	vmshm_huge_mnt = vmshm_shmem_mount("within_size");
	if (IS_ERR(vmshm_huge_mnt)) {
		pr_info("vmshm: no huge page tmpfs (%ld), huge regions use base pages\n",
			PTR_ERR(vmshm_huge_mnt));
		vmshm_huge_mnt = NULL;
	}
	return 0;
}

/**
 * vmshm_shmem_exit() - unmount the private tmpfs instances
 *
 * Files still open (their last fput() may be deferred) hold the mount
 * until they are released.
 */
void vmshm_shmem_exit(void)
{
	if (vmshm_huge_mnt)
		kern_unmount(vmshm_huge_mnt);
	kern_unmount(vmshm_mnt);
}

/**
 * vmshm_shmem_file() - make the shmem file behind a region
 * @name: the region name, "" for an anonymous region
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @huge: use the huge page mount
 *
 * The file is named "vmshm:NAME", so that /proc/PID/maps and smaps show
 * "/vmshm:NAME (deleted)" for a mapping, as they show "/memfd:NAME" for a
 * memfd.  VM_NORESERVE: pages are accounted when first touched, not all
 * at once, as before the move to shmem; max_total_pages bounds the whole.
 *
 * Return: the file or an ERR_PTR().
 */
struct file *vmshm_shmem_file(const char *name, loff_t size, bool huge)
{
	char fname[sizeof("vmshm:") + VMSHM_NAME_MAX];
	struct vfsmount *mnt = huge && vmshm_huge_mnt ? vmshm_huge_mnt :
							vmshm_mnt;

	snprintf(fname, sizeof(fname), "vmshm:%s", vmshm_shown_name(name));
	return shmem_file_setup_with_mnt(mnt, fname, size, VM_NORESERVE);
}

/**
 * vmshm_shmem_count() - where the pages of a range are
 * @filp: the region's shmem file
 * @first: first page index
 * @nr: number of pages
 * @p: filled in: pages in memory, those of them in huge pages, pages in
 *	swap
 *
 * Walks the page cache under RCU, as shmem_partial_swap_usage() does.  A
 * large folio or a large swap entry is one multi-index entry, so the walk
 * costs one step per folio; its size comes from the entry's order in the
 * tree, never from the folio, which may be freed under us.  The counts
 * are a snapshot: pages may come and go while the walk runs.
 *
 * Context: any; does not sleep.
 */
void vmshm_shmem_count(struct file *filp, pgoff_t first, pgoff_t nr,
		       struct vmshm_pages *p)
{
	XA_STATE(xas, &filp->f_mapping->i_pages, first);
	pgoff_t last = first + nr - 1;
	void *entry;

	memset(p, 0, sizeof(*p));
	if (!nr)
		return;
	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		unsigned long size, base, n;

		if (xas_retry(&xas, entry))
			continue;
		size = 1UL << xas_get_order(&xas);
		base = round_down(xas.xa_index, size);
		n = min(base + size - 1, last) - max(base, first) + 1;
		if (xa_is_value(entry)) {
			p->swapped += n;
		} else {
			p->resident += n;
			if (size > 1)
				p->huge += n;
		}
	}
	rcu_read_unlock();
}

/* Mapped more than once: by two processes, or twice in one. */
static bool vmshm_page_shared(struct folio *folio, pgoff_t idx)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
	return page_mapcount(folio_file_page(folio, idx)) > 1;
#else
	/* page_mapcount() is gone: the folio's estimate, as smaps uses. */
	return folio_likely_mapped_shared(folio);
#endif
}

/* Add one page to @run, or emit @run and start a new one with it. */
static int vmshm_run_add(struct vmshm_page_run *run, pgoff_t idx, u32 flags,
			 unsigned long pfn, vmshm_page_run_fn fn, void *arg)
{
	int ret;

	if (run->nr && run->index + run->nr == idx && run->flags == flags &&
	    (!(flags & VMSHM_PAGE_F_RESIDENT) || run->pfn + run->nr == pfn)) {
		run->nr++;
		return 0;
	}
	if (run->nr) {
		ret = fn(run, arg);
		if (ret)
			return ret;
	}
	*run = (struct vmshm_page_run){ .index = idx, .nr = 1,
					.flags = flags, .pfn = pfn };
	return 0;
}

/* The pages of one page cache entry from @first to @last, into @run. */
static int vmshm_runs_entry(struct xa_state *xas, void *entry, pgoff_t first,
			    pgoff_t last, bool pfns, struct vmshm_page_run *run,
			    vmshm_page_run_fn fn, void *arg)
{
	unsigned long size = 1UL << xas_get_order(xas);
	pgoff_t base = round_down(xas->xa_index, size);
	pgoff_t idx, end = min(base + size - 1, last);
	struct folio *folio = entry;
	unsigned long pfn = 0;
	u32 flags;
	int ret = 0;

	for (idx = max(base, first); idx <= end && !ret; idx++) {
		if (xa_is_value(entry)) {
			flags = VMSHM_PAGE_F_SWAP;
		} else {
			flags = VMSHM_PAGE_F_RESIDENT;
			if (size > 1)
				flags |= VMSHM_PAGE_F_HUGE;
			if (vmshm_page_shared(folio, idx))
				flags |= VMSHM_PAGE_F_SHARED;
			/* Without pfns, runs of any frames merge. */
			pfn = pfns ? page_to_pfn(folio_file_page(folio, idx)) :
				     run->pfn + run->nr;
		}
		ret = vmshm_run_add(run, idx, flags, pfn, fn, arg);
	}
	return ret;
}

/**
 * vmshm_shmem_runs() - the state of each page of a range, in runs
 * @filp: the region's shmem file
 * @first: first page index
 * @last: last page index
 * @pfns: fill in vmshm_page_run.pfn, and break runs where frames jump
 * @fn: called with each run of pages in the same state, in index order;
 *	pages in no run are not allocated.  It runs under rcu_read_lock()
 *	and must not sleep; a non-zero return stops the walk.
 * @arg: passed to @fn
 *
 * Walks the page cache as vmshm_shmem_count() does, but holds a reference
 * on each folio while it reads its mapcount and frame, as
 * filemap_get_entry() does, so that a folio freed and reused under the
 * walk is looked up again.  The RCU read side is left every
 * XA_CHECK_SCHED entries to let others run.
 *
 * Context: may sleep.
 * Return: 0, or the first non-zero return of @fn.
 */
int vmshm_shmem_runs(struct file *filp, pgoff_t first, pgoff_t last,
		     bool pfns, vmshm_page_run_fn fn, void *arg)
{
	XA_STATE(xas, &filp->f_mapping->i_pages, first);
	struct vmshm_page_run run = { };
	unsigned int n = 0;
	struct folio *folio;
	void *entry;
	int ret = 0;

	rcu_read_lock();
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry))
			continue;
		folio = xa_is_value(entry) ? NULL : entry;
		if (folio && !folio_try_get(folio)) {
			xas_reset(&xas);
			continue;
		}
		if (folio && unlikely(folio != xas_reload(&xas))) {
			folio_put(folio);
			xas_reset(&xas);
			continue;
		}
		ret = vmshm_runs_entry(&xas, entry, first, last, pfns, &run,
				       fn, arg);
		if (folio)
			folio_put(folio);
		if (ret)
			break;
		if (++n % XA_CHECK_SCHED == 0) {
			xas_pause(&xas);
			rcu_read_unlock();
			cond_resched();
			rcu_read_lock();
		}
	}
	if (!ret && run.nr)
		ret = fn(&run, arg);
	rcu_read_unlock();
	return ret;
}

/**
 * vmshm_shmem_page() - the page at an index, for the kernel to use
 * @filp: the region's shmem file
 * @idx: page index, below the region's size
 *
 * A page in memory is found without its lock, as get_futex_key() finds
 * one: this runs on every VMSHM_WAIT.  Otherwise shmem allocates the
 * page, or reads it back from swap, as a fault would.  The reference
 * keeps it in memory: reclaim may move it to the swap cache, but cannot
 * free it, so a kernel pointer to it stays the page every mapping sees.
 * A kernel write to it must be followed by vmshm_shmem_dirty(), or
 * reclaim may drop the write.
 *
 * Return: the page with a reference (put_page() it), or an ERR_PTR().
 */
struct page *vmshm_shmem_page(struct file *filp, pgoff_t idx)
{
	struct address_space *mapping = filp->f_mapping;
	struct folio *folio;

	/* NULL on a miss before 6.3, an ERR_PTR() since. */
	folio = __filemap_get_folio(mapping, idx, 0, 0);
	if (!IS_ERR_OR_NULL(folio)) {
		if (folio_test_uptodate(folio))
			return folio_file_page(folio, idx);
		/* fallocate()d, never written: let shmem clear it. */
		folio_put(folio);
	}
	return shmem_read_mapping_page_gfp(mapping, idx,
					   mapping_gfp_mask(mapping));
}

/**
 * vmshm_shmem_dirty() - tell reclaim the kernel wrote to a page
 * @page: a page from vmshm_shmem_page(), still referenced
 *
 * Writeback clears the dirty bit before it copies the page out, so a
 * page found dirty after the write will be copied out with it: only a
 * clean page needs the lock that set_page_dirty_lock() takes.
 */
void vmshm_shmem_dirty(struct page *page)
{
	if (!PageDirty(page))
		set_page_dirty_lock(page);
}
