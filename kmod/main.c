// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm: named regions of mmap-able kernel pages with wait-queue
 * notification.  Module init/exit, the misc device, file operations and
 * the ioctl dispatch table.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vmshm.h"

unsigned long vmshm_max_region_size = 64UL << 20;
module_param_named(max_region_size, vmshm_max_region_size, ulong, 0644);
MODULE_PARM_DESC(max_region_size,
		 "Largest region in bytes; CREATE fails with EFBIG above it (default 64 MiB)");

unsigned int vmshm_max_regions = 256;
module_param_named(max_regions, vmshm_max_regions, uint, 0644);
MODULE_PARM_DESC(max_regions,
		 "Most regions at once; CREATE fails with ENOSPC beyond it (default 256)");

unsigned long vmshm_max_total_pages = 65536;
module_param_named(max_total_pages, vmshm_max_total_pages, ulong, 0644);
MODULE_PARM_DESC(max_total_pages,
		 "Most pages reserved by all regions; CREATE fails with ENOSPC beyond it (default 65536)");

static long vmshm_ioctl_get_info(struct vmshm_file *vf, void *arg)
{
	struct vmshm_info *info = arg;
	unsigned int nr_regions;
	unsigned long reserved;
	struct vmshm_pages pages;

	if (info->flags)
		return -EOPNOTSUPP;
	info->out_version = VMSHM_VERSION;
	info->out_page_size = PAGE_SIZE;
	info->out_max_region_size = READ_ONCE(vmshm_max_region_size);
	info->out_max_total_pages = READ_ONCE(vmshm_max_total_pages);
	info->out_max_regions = READ_ONCE(vmshm_max_regions);
	vmshm_regions_count(&nr_regions, &reserved, &pages);
	info->out_nr_regions = nr_regions;
	info->out_reserved_pages = reserved;
	info->out_nr_pages = pages.resident;
	info->out_swapped_pages = pages.swapped;
	return 0;
}

union vmshm_ucmd_buffer {
	struct vmshm_info info;
	struct vmshm_create create;
	struct vmshm_attach attach;
	struct vmshm_unlink unlink;
	struct vmshm_wait wait;
	struct vmshm_wake wake;
	struct vmshm_stat stat;
};

/**
 * struct vmshm_ioctl_op - one entry of the dispatch table
 * @size: sizeof the kernel's struct
 * @min_size: the smallest size user space may pass (first version)
 * @ioctl_num: the full ioctl number, to reject foreign direction/size bits
 * @needs_region: the fd must be bound (else -ENODEV)
 * @copy_out: write the struct back on success
 * @execute: the handler
 */
struct vmshm_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	unsigned int ioctl_num;
	bool needs_region;
	bool copy_out;
	long (*execute)(struct vmshm_file *vf, void *arg);
};

#define VMSHM_IOCTL_OP(_ioctl, _fn, _struct, _last, _region, _out)	\
	[_IOC_NR(_ioctl) - VMSHM_CMD_BASE] = {				\
		.size = sizeof(_struct),				\
		.min_size = offsetofend(_struct, _last),		\
		.ioctl_num = _ioctl,					\
		.needs_region = _region,				\
		.copy_out = _out,					\
		.execute = _fn,						\
	}

static const struct vmshm_ioctl_op vmshm_ioctl_ops[] = {
	VMSHM_IOCTL_OP(VMSHM_GET_INFO, vmshm_ioctl_get_info, struct vmshm_info,
		       out_nr_pages, false, true),
	VMSHM_IOCTL_OP(VMSHM_CREATE, vmshm_ioctl_create, struct vmshm_create,
		       __reserved2, false, true),
	VMSHM_IOCTL_OP(VMSHM_ATTACH, vmshm_ioctl_attach, struct vmshm_attach,
		       __reserved, false, true),
	VMSHM_IOCTL_OP(VMSHM_UNLINK, vmshm_ioctl_unlink, struct vmshm_unlink,
		       name, false, false),
	VMSHM_IOCTL_OP(VMSHM_WAIT, vmshm_ioctl_wait, struct vmshm_wait,
		       sleepers_offset, true, false),
	VMSHM_IOCTL_OP(VMSHM_WAKE, vmshm_ioctl_wake, struct vmshm_wake,
		       __reserved, true, true),
	VMSHM_IOCTL_OP(VMSHM_STAT, vmshm_ioctl_stat, struct vmshm_stat,
		       out_gid, true, true),
};

static long vmshm_fops_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct vmshm_file *vf = file->private_data;
	void __user *uarg = (void __user *)arg;
	const struct vmshm_ioctl_op *op;
	union vmshm_ucmd_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	u32 user_size;
	long ret;

	if (_IOC_TYPE(cmd) != VMSHM_TYPE || nr < VMSHM_CMD_BASE ||
	    nr - VMSHM_CMD_BASE >= ARRAY_SIZE(vmshm_ioctl_ops))
		return -ENOTTY;
	op = &vmshm_ioctl_ops[nr - VMSHM_CMD_BASE];
	if (op->ioctl_num != cmd)
		return -ENOTTY;

	if (get_user(user_size, (u32 __user *)uarg))
		return -EFAULT;
	if (user_size < op->min_size)
		return -EINVAL;
	ret = copy_struct_from_user(&buf, op->size, uarg, user_size);
	if (ret)
		return ret;
	if (op->needs_region && !vmshm_file_region(vf))
		return -ENODEV;

	ret = op->execute(vf, &buf);
	if (!ret && op->copy_out &&
	    copy_to_user(uarg, &buf, min_t(u32, op->size, user_size)))
		return -EFAULT;
	return ret;
}

static int vmshm_fops_open(struct inode *inode, struct file *file)
{
	struct vmshm_file *vf;

	vf = kzalloc(sizeof(*vf), GFP_KERNEL_ACCOUNT);
	if (!vf)
		return -ENOMEM;
	file->private_data = vf;
	return 0;
}

static int vmshm_fops_release(struct inode *inode, struct file *file)
{
	struct vmshm_file *vf = file->private_data;

	if (vf->region)
		vmshm_file_detach(vf);
	kfree(vf);
	return 0;
}

static void vmshm_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct vmshm_file *vf = file->private_data;
	struct vmshm_region *r = vmshm_file_region(vf);
	struct vmshm_region_snap snap;

	if (!r)
		return;
	vmshm_region_snap(r, &snap);
	seq_printf(m, "vmshm-region:\t%s\nvmshm-id:\t%u\n",
		   vmshm_shown_name(snap.name), snap.id);
	seq_printf(m, "vmshm-access:\t%s\nvmshm-seen:\t%lld\n",
		   vf->flags & VMSHM_ATTACH_RDONLY ? "ro" : "rw",
		   atomic64_read(&vf->seen));
	seq_printf(m, "vmshm-resident:\t%lu\nvmshm-swapped:\t%lu\nvmshm-huge:\t%lu\n",
		   snap.pages.resident, snap.pages.swapped, snap.pages.huge);
	seq_printf(m, "vmshm-faults:\t%lld\nvmshm-majflt:\t%lld\n",
		   snap.faults, snap.majflt);
	seq_printf(m, "vmshm-flags:\t%s\n",
		   (snap.flags & VMSHM_REGION_F_HUGE) ?
		   ((snap.flags & VMSHM_REGION_F_LOCKED) ? "huge,locked" : "huge") :
		   ((snap.flags & VMSHM_REGION_F_LOCKED) ? "locked" : "-"));
}

static const struct file_operations vmshm_fops = {
	.owner = THIS_MODULE,
	.open = vmshm_fops_open,
	.release = vmshm_fops_release,
	.read = vmshm_read,
	.poll = vmshm_poll,
	.mmap = vmshm_mmap,
	.get_unmapped_area = vmshm_get_unmapped_area,
	.unlocked_ioctl = vmshm_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.show_fdinfo = vmshm_show_fdinfo,
	.llseek = noop_llseek,
};

/* World-accessible like /dev/shm: each region carries its own mode. */
static struct miscdevice vmshm_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vmshm",
	.fops = &vmshm_fops,
	.mode = 0666,
};

static int __init vmshm_init(void)
{
	int ret;

	vmshm_fault_init();
	ret = vmshm_shmem_init();
	if (ret)
		goto err_fault_exit;
	ret = vmshm_netlink_init();
	if (ret)
		goto err_shmem_exit;
	ret = vmshm_procfs_init();
	if (ret)
		goto err_netlink_exit;
	ret = misc_register(&vmshm_miscdev);
	if (ret)
		goto err_procfs_exit;
	return 0;

err_procfs_exit:
	vmshm_procfs_exit();
err_netlink_exit:
	vmshm_netlink_exit();
err_shmem_exit:
	vmshm_shmem_exit();
err_fault_exit:
	vmshm_fault_exit();
	return ret;
}

/*
 * The mirror of init.  Regions left by name go last: by then no file,
 * /proc reader or netlink request can hold a reference to one (the family
 * is unregistered only once the requests in flight have returned), and
 * their DESTROYED events, with nobody left to hear them, are not sent.
 */
static void __exit vmshm_exit(void)
{
	misc_deregister(&vmshm_miscdev);
	vmshm_procfs_exit();
	vmshm_netlink_exit();
	vmshm_regions_destroy();
	vmshm_shmem_exit();
	vmshm_fault_exit();
}

module_init(vmshm_init);
module_exit(vmshm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The vmshm authors");
MODULE_DESCRIPTION("Named shared memory regions with wait-queue notification");
MODULE_VERSION(VMSHM_MOD_VERSION);
