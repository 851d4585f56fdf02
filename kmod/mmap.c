// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm mappings: mmap(), the vm_operations and the fault handler.
 *
 * Pages are ordinary, reference-counted order-0 pages, installed either
 * lazily by ->fault() or all at once by vm_insert_pages() when the binding
 * asked to prefault.  No PFNMAP: the core mm sees real pages, so smaps,
 * GUP and the rmap count them, and a pinned page outlives the region.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "trace.h"
#include "vmshm.h"

static void vmshm_mapping_claim(struct vmshm_mapping *map)
{
	map->pid = task_tgid_nr(current);
	get_task_comm(map->comm, current);
}

static void vmshm_mapping_add(struct vmshm_region *r, struct vmshm_mapping *map,
			      struct vm_area_struct *vma)
{
	map->region = r;
	map->vma = vma;
	map->uid = current_euid();
	vma->vm_private_data = map;

	spin_lock(&r->lock);
	/* fork opens the child's VMA in the parent: claim it on first fault */
	if (vma->vm_mm == current->mm)
		vmshm_mapping_claim(map);
	list_add_tail(&map->node, &r->mappings);
	r->nr_mappings++;
	spin_unlock(&r->lock);
	WRITE_ONCE(r->lpid, task_tgid_nr(current));
}

static void vmshm_mapping_del(struct vmshm_mapping *map)
{
	struct vmshm_region *r = map->region;

	spin_lock(&r->lock);
	list_del(&map->node);
	r->nr_mappings--;
	spin_unlock(&r->lock);
	kfree(map);
}

/*
 * A VMA was copied: split by munmap()/mprotect(), duplicated by fork(), or
 * moved by mremap().  ->open() cannot fail, and the new VMA needs its own
 * record, so the small allocation may not fail either.
 */
static void vmshm_vm_open(struct vm_area_struct *vma)
{
	struct vmshm_mapping *old = vma->vm_private_data;
	struct vmshm_mapping *map;

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
	vmshm_mapping_add(old->region, map, vma);
}

static void vmshm_vm_close(struct vm_area_struct *vma)
{
	vmshm_mapping_del(vma->vm_private_data);
}

static vm_fault_t vmshm_vm_fault(struct vm_fault *vmf)
{
	struct vmshm_mapping *map = vmf->vma->vm_private_data;
	struct vmshm_region *r = map->region;
	struct page *page;

	if (vmf->pgoff >= r->nr_pages) {
		trace_vmshm_fault(r, vmf, VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	page = vmshm_region_page(r, vmf->pgoff);
	if (!page) {
		trace_vmshm_fault(r, vmf, VM_FAULT_OOM);
		return VM_FAULT_OOM;
	}
	get_page(page);
	vmf->page = page;

	atomic64_inc(&r->faults);
	atomic64_inc(&map->faults);
	if (unlikely(!READ_ONCE(map->pid)) && vmf->vma->vm_mm == current->mm) {
		spin_lock(&r->lock);
		if (!map->pid)
			vmshm_mapping_claim(map);
		spin_unlock(&r->lock);
	}
	trace_vmshm_fault(r, vmf, 0);
	return 0;
}

/*
 * Addresses of other users' mappings would defeat their ASLR: only the
 * mapping's user and CAP_SYS_ADMIN see them.
 */
static bool vmshm_mapping_visible(const struct vmshm_mapping *map,
				  const struct vmshm_viewer *viewer)
{
	return viewer->admin || uid_eq(viewer->uid, map->uid);
}

/* Allocated region pages under a mapping; vmshm_region.lock held. */
static unsigned long vmshm_mapping_resident(struct vmshm_mapping *map)
{
	struct vm_area_struct *vma = map->vma;
	struct vmshm_region *r = map->region;
	unsigned long pgoff = READ_ONCE(vma->vm_pgoff);
	unsigned long nr = (READ_ONCE(vma->vm_end) -
			    READ_ONCE(vma->vm_start)) >> PAGE_SHIFT;

	/* A split racing with us can tear the window: clamp it. */
	pgoff = min_t(unsigned long, pgoff, r->nr_pages);
	nr = min_t(unsigned long, nr, r->nr_pages - pgoff);
	return vmshm_region_resident(r, pgoff, nr);
}

/**
 * vmshm_mapping_snap() - read a mapping for a view
 * @map: the mapping
 * @viewer: who will see it: the address range reads as zeros unless
 *	the mapping is theirs or they are an administrator
 * @s: filled in
 *
 * Context: vmshm_region.lock held, which keeps the VMA alive.
 */
void vmshm_mapping_snap(struct vmshm_mapping *map,
			const struct vmshm_viewer *viewer,
			struct vmshm_mapping_snap *s)
{
	struct vm_area_struct *vma = map->vma;
	vm_flags_t flags = READ_ONCE(vma->vm_flags);

	lockdep_assert_held(&map->region->lock);
	s->pid = map->pid;
	if (map->pid)
		memcpy(s->comm, map->comm, sizeof(s->comm));
	else
		s->comm[0] = 0;
	if (vmshm_mapping_visible(map, viewer)) {
		s->start = READ_ONCE(vma->vm_start);
		s->end = READ_ONCE(vma->vm_end);
	} else {
		s->start = 0;
		s->end = 0;
	}
	s->prot = (flags & VM_READ ? PROT_READ : 0) |
		  (flags & VM_WRITE ? PROT_WRITE : 0) |
		  (flags & VM_EXEC ? PROT_EXEC : 0);
	s->shared = flags & VM_MAYSHARE;
	s->resident = vmshm_mapping_resident(map);
	s->faults = atomic64_read(&map->faults);
}

static const struct vm_operations_struct vmshm_vm_ops = {
	.open = vmshm_vm_open,
	.close = vmshm_vm_close,
	.fault = vmshm_vm_fault,
};

/* Allocate and map every page of the VMA now, so it never faults. */
static int vmshm_prefault(struct vmshm_region *r, struct vm_area_struct *vma)
{
	pgoff_t i, first = vma->vm_pgoff;
	unsigned long nr = vma_pages(vma);

	for (i = first; i < first + nr; i++)
		if (!vmshm_region_page(r, i))
			return -ENOMEM;
	return vm_insert_pages(vma, vma->vm_start, &r->pages[first], &nr);
}

/**
 * vmshm_mmap() - map a window of the bound region
 * @file: the /dev/vmshm file, bound
 * @vma: the new VMA; vm_pgoff selects the first region page
 *
 * Context: mmap_lock held for writing.
 * Return: 0; -ENODEV when unbound; -EINVAL for MAP_PRIVATE or a window
 * outside the region; -EACCES for a writable mapping of a read-only
 * attachment; -ENOMEM.
 */
int vmshm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vmshm_file *vf = file->private_data;
	struct vmshm_region *r = vmshm_file_region(vf);
	struct vmshm_mapping *map;
	int ret;

	if (!r)
		return -ENODEV;
	/*
	 * VM_MAYSHARE, not VM_SHARED: the mm core clears VM_SHARED from a
	 * MAP_SHARED mapping of a file opened O_RDONLY, which may still map
	 * the region for reading.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/* Written so that neither side can overflow. */
	if (vma->vm_pgoff >= r->nr_pages ||
	    vma_pages(vma) > r->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	if (vf->flags & VMSHM_ATTACH_RDONLY) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	/*
	 * VM_DONTEXPAND makes mremap() refuse to grow the VMA, and being in
	 * VM_SPECIAL it also keeps the VMA from ever being merged, so every
	 * vmshm_mapping is freed by the ->close() of its own VMA.
	 */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &vmshm_vm_ops;
	vmshm_mapping_add(r, map, vma);

	if (vf->flags & VMSHM_ATTACH_PREFAULT) {
		ret = vmshm_prefault(r, vma);
		if (ret)
			goto err_del_mapping;
	}
	return 0;

err_del_mapping:
	/* A failing ->mmap() is not followed by ->close(). */
	vmshm_mapping_del(map);
	return ret;
}
