// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm mappings: mmap(), and the vm_operations that wrap shmem's.
 *
 * As ipc/shm.c does for a SysV segment, mmap() of a bound /dev/vmshm file
 * maps the region's shmem file: vma_set_file() makes it the VMA's
 * vm_file, shmem's ->mmap() sets its vm_ops, and vmshm's vm_ops wrap
 * those, to keep a record per VMA and count its faults.  Every other
 * callback goes through to shmem's, so fault-around, THP, NUMA policy,
 * swap, copy-on-write for MAP_PRIVATE and futex keys all behave as they
 * do for tmpfs.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "trace.h"
#include "vmshm.h"

/* Called with vmshm_region.lock held. */
static void vmshm_mapping_claim(struct vmshm_mapping *map)
{
	map->pid = get_pid(task_tgid(current));
	get_task_comm(map->comm, current);
}

/* Take over @file's reference and @shmem_ops, and list @map as @vma's. */
static void vmshm_mapping_add(struct vmshm_mapping *map, struct file *file,
			      const struct vm_operations_struct *shmem_ops,
			      struct vm_area_struct *vma)
{
	struct vmshm_file *vf = file->private_data;
	struct vmshm_region *r = vf->region;

	map->region = r;
	map->file = file;
	map->shmem_ops = shmem_ops;
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
	vmshm_region_touch(r);
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
	vmshm_mapping_add(map, get_file(old->file), old->shmem_ops, vma);
	if (old->shmem_ops->open)
		old->shmem_ops->open(vma);
}

/*
 * The file reference goes last: it may be the last one, whose release
 * (deferred by fput() to the return to user space, or to a worker) can
 * drop the region and then the module.
 */
static void vmshm_vm_close(struct vm_area_struct *vma)
{
	struct vmshm_mapping *map = vma->vm_private_data;
	struct vmshm_region *r = map->region;
	struct file *file = map->file;

	if (map->shmem_ops->close)
		map->shmem_ops->close(vma);
	spin_lock(&r->lock);
	list_del(&map->node);
	r->nr_mappings--;
	spin_unlock(&r->lock);
	put_pid(map->pid);
	kfree(map);
	fput(file);
}

/*
 * A fault that ended here, not one to be retried: count it if it mapped a
 * page, and claim a VMA copied by fork.
 */
static void vmshm_mapping_fault(struct vmshm_mapping *map,
				struct vm_fault *vmf, vm_fault_t ret)
{
	struct vmshm_region *r = map->region;

	trace_vmshm_fault(r->id, vmf, ret);
	if (ret & VM_FAULT_ERROR)
		return;
	atomic64_inc(&r->faults);
	atomic64_inc(&map->faults);
	if (ret & VM_FAULT_MAJOR) {
		atomic64_inc(&r->majflt);
		atomic64_inc(&map->majflt);
	}
	if (unlikely(!READ_ONCE(map->pid)) && vmf->vma->vm_mm == current->mm) {
		spin_lock(&r->lock);
		if (!map->pid)
			vmshm_mapping_claim(map);
		spin_unlock(&r->lock);
	}
}

/*
 * shmem's ->fault() returns VM_FAULT_MAJOR when it had to read the page
 * back from swap, as it does for the task's own counters.
 *
 * VM_FAULT_RETRY comes when shmem let go of the mmap or VMA lock to wait
 * (for a hole punch to finish, in shmem_falloc_wait()): the VMA may have
 * been unmapped meanwhile, and @map and the region freed with it, so
 * neither is touched again; the trace takes the id read before.  The
 * fault is counted when it is taken again and maps the page.
 */
static vm_fault_t vmshm_vm_fault(struct vm_fault *vmf)
{
	struct vmshm_mapping *map = vmf->vma->vm_private_data;
	u32 id = map->region->id;
	vm_fault_t ret = map->shmem_ops->fault(vmf);

	if (ret & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)) {
		trace_vmshm_fault(id, vmf, ret);
		return ret;
	}
	vmshm_mapping_fault(map, vmf, ret);
	return ret;
}

/*
 * Fault-around: a read fault first maps the pages around the address that
 * are already in memory.  When that maps the faulting address too, it is
 * the whole fault (VM_FAULT_NOPAGE) and ->fault() is not called, so count
 * it here; otherwise ->fault() follows and counts it.
 */
static vm_fault_t vmshm_vm_map_pages(struct vm_fault *vmf, pgoff_t start,
				     pgoff_t end)
{
	struct vmshm_mapping *map = vmf->vma->vm_private_data;
	vm_fault_t ret = map->shmem_ops->map_pages(vmf, start, end);

	if (ret & VM_FAULT_NOPAGE)
		vmshm_mapping_fault(map, vmf, 0);
	return ret;
}

#ifdef CONFIG_NUMA
static int vmshm_vm_set_policy(struct vm_area_struct *vma,
			       struct mempolicy *mpol)
{
	struct vmshm_mapping *map = vma->vm_private_data;

	return map->shmem_ops->set_policy ?
	       map->shmem_ops->set_policy(vma, mpol) : 0;
}

/* The interleave index argument came with 6.7. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
static struct mempolicy *vmshm_vm_get_policy(struct vm_area_struct *vma,
					     unsigned long addr)
{
	struct vmshm_mapping *map = vma->vm_private_data;

	return map->shmem_ops->get_policy ?
	       map->shmem_ops->get_policy(vma, addr) : NULL;
}
#else
static struct mempolicy *vmshm_vm_get_policy(struct vm_area_struct *vma,
					     unsigned long addr, pgoff_t *ilx)
{
	struct vmshm_mapping *map = vma->vm_private_data;

	return map->shmem_ops->get_policy ?
	       map->shmem_ops->get_policy(vma, addr, ilx) : NULL;
}
#endif
#endif /* CONFIG_NUMA */

/*
 * Addresses of other users' mappings would defeat their ASLR: only the
 * mapping's user and CAP_SYS_ADMIN see them.
 */
static bool vmshm_mapping_visible(const struct vmshm_mapping *map,
				  const struct vmshm_viewer *viewer)
{
	return viewer->admin || uid_eq(viewer->uid, map->uid);
}

/* Region pages in memory under a mapping; vmshm_region.lock held. */
static unsigned long vmshm_mapping_resident(struct vmshm_mapping *map)
{
	struct vm_area_struct *vma = map->vma;
	struct vmshm_region *r = map->region;
	unsigned long pgoff = READ_ONCE(vma->vm_pgoff);
	unsigned long nr = (READ_ONCE(vma->vm_end) -
			    READ_ONCE(vma->vm_start)) >> PAGE_SHIFT;
	struct vmshm_pages pages;

	/* A split racing with us can tear the window: clamp it. */
	pgoff = min_t(unsigned long, pgoff, r->nr_pages);
	nr = min_t(unsigned long, nr, r->nr_pages - pgoff);
	vmshm_shmem_count(r->filp, pgoff, nr, &pages);
	return pages.resident;
}

/**
 * vmshm_mapping_snap() - read a mapping for a view
 * @map: the mapping
 * @viewer: who will see it: the address range reads as zeros unless
 *	the mapping is theirs or they are an administrator, and the pid is
 *	in their pid namespace
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
	/* A process outside the reader's pid namespace shows as 0, nameless. */
	s->pid = pid_nr_ns(map->pid, viewer->pid_ns);
	if (s->pid)
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
	s->pgoff = READ_ONCE(vma->vm_pgoff);
	s->pages = vma_pages(vma);
	s->prot = (flags & VM_READ ? PROT_READ : 0) |
		  (flags & VM_WRITE ? PROT_WRITE : 0) |
		  (flags & VM_EXEC ? PROT_EXEC : 0);
	s->shared = flags & VM_MAYSHARE;
	s->resident = vmshm_mapping_resident(map);
	s->faults = atomic64_read(&map->faults);
	s->majflt = atomic64_read(&map->majflt);
}

static const struct vm_operations_struct vmshm_vm_ops = {
	.open = vmshm_vm_open,
	.close = vmshm_vm_close,
	.fault = vmshm_vm_fault,
	.map_pages = vmshm_vm_map_pages,
#ifdef CONFIG_NUMA
	.set_policy = vmshm_vm_set_policy,
	.get_policy = vmshm_vm_get_policy,
#endif
};

/**
 * vmshm_get_unmapped_area() - choose the address of a new mapping
 * @file: the /dev/vmshm file
 * @addr: the address hint
 * @len: length in bytes
 * @pgoff: first region page
 * @flags: mmap() flags
 *
 * shmem's choice, as shm_get_unmapped_area() defers to it: for a huge
 * region, an address at which the window can be PMD-mapped.
 *
 * Return: the address, or -ENODEV when the file is not bound.
 */
unsigned long vmshm_get_unmapped_area(struct file *file, unsigned long addr,
				      unsigned long len, unsigned long pgoff,
				      unsigned long flags)
{
	struct vmshm_region *r = vmshm_file_region(file->private_data);

	if (!r)
		return -ENODEV;
	return r->filp->f_op->get_unmapped_area(r->filp, addr, len, pgoff,
						flags);
}

/**
 * vmshm_mmap() - map a window of the bound region
 * @file: the /dev/vmshm file, bound
 * @vma: the new VMA; vm_pgoff selects the first region page
 *
 * A MAP_PRIVATE mapping is copy-on-write, as for any file: a read-only
 * attachment may map it writable, as a file opened O_RDONLY may.
 *
 * Context: mmap_lock held for writing.
 * Return: 0; -ENODEV when unbound; -EINVAL for a window outside the
 * region; -EACCES for a writable shared mapping of a read-only
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
	/* Written so that neither side can overflow. */
	if (vma->vm_pgoff >= r->nr_pages ||
	    vma_pages(vma) > r->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	/*
	 * VM_MAYSHARE, not VM_SHARED: the mm core clears VM_SHARED from a
	 * MAP_SHARED mapping of a file opened O_RDONLY, which may still map
	 * the region for reading.
	 */
	if ((vf->flags & VMSHM_ATTACH_RDONLY) &&
	    (vma->vm_flags & VM_MAYSHARE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}

	map = kzalloc(sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map)
		return -ENOMEM;
	/* From here on, the core puts whatever vm_file is if we fail. */
	vma_set_file(vma, r->filp);
	ret = call_mmap(r->filp, vma);
	if (ret)
		goto err_free_map;
	/*
	 * VM_DONTEXPAND makes mremap() refuse to grow the VMA, and being in
	 * VM_SPECIAL it also keeps the VMA from ever being merged, so every
	 * vmshm_mapping is freed by the ->close() of its own VMA.
	 */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vmshm_mapping_add(map, get_file(file), vma->vm_ops, vma);
	vma->vm_ops = &vmshm_vm_ops;
	return 0;

err_free_map:
	kfree(map);
	return ret;
}
