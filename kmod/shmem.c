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
#include <linux/shmem_fs.h>
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

/**
 * vmshm_shmem_page() - the page at an index, for the kernel to use
 * @filp: the region's shmem file
 * @idx: page index, below the region's size
 *
 * Allocates the page, or reads it back from swap, as a fault would.  The
 * reference keeps it in memory: reclaim may move it to the swap cache,
 * but cannot free it, so a kernel pointer to it stays the page every
 * mapping sees.  A kernel write to it must be followed by
 * set_page_dirty_lock(), or reclaim may drop the write.
 *
 * Return: the page with a reference (put_page() it), or an ERR_PTR().
 */
struct page *vmshm_shmem_page(struct file *filp, pgoff_t idx)
{
	struct address_space *mapping = filp->f_mapping;

	return shmem_read_mapping_page_gfp(mapping, idx,
					   mapping_gfp_mask(mapping));
}
