// SPDX-License-Identifier: GPL-2.0
/*
 * vmshm generic netlink family: regions, mappings and counters for
 * programs, and region events for the sockets that subscribe.  It reads
 * the same structures as /proc/vmshm, under the same locks, so the two
 * views agree.
 *
 * Dump cursors are ids and list positions, never pointers: a dump that
 * resumes after the table changed at worst skips or repeats an entry, and
 * says so with NLM_F_DUMP_INTR.
 */
#include <linux/capability.h>
#include <linux/list.h>
#include <linux/mman.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "vmshm.h"

/* Sockets one user may subscribe at once: SUBSCRIBE fails with EDQUOT. */
#define VMSHM_NL_MAX_USER_SUBSCRIBERS	64

/**
 * struct vmshm_nl_sub - a socket subscribed to region events
 * @node: in vmshm_nl_subs
 * @net: the socket's network namespace, not counted: the socket keeps it
 *	alive, and its NETLINK_URELEASE removes this entry first
 * @portid: the socket's port id
 * @uid: the subscriber's effective uid, for VMSHM_NL_MAX_USER_SUBSCRIBERS
 * @ns: the subscriber's IPC namespace state, counted: the socket hears
 *	the events of its regions only
 * @pid_ns: the subscriber's pid namespace, counted: the pids it is shown
 *
 * Events could not be multicast: a module cannot filter the listeners of
 * a group on 6.1 (no netlink_broadcast_filtered() export, no bind hook),
 * so each subscriber gets its own unicast copy.
 */
struct vmshm_nl_sub {
	struct list_head node;
	struct net *net;
	u32 portid;
	kuid_t uid;
	struct vmshm_ns *ns;
	struct pid_namespace *pid_ns;
};

/*
 * Protects vmshm_nl_subs.  Taken by SUBSCRIBE, by the region event
 * notifier while it sends (it may sleep), and by the release of a generic
 * netlink socket; nested inside the notifier chains' rwsems only.
 */
static DEFINE_MUTEX(vmshm_nl_subs_lock);
/*
 * struct vmshm_nl_sub.node, changed and walked under vmshm_nl_subs_lock.
 * The region event notifier also reads it without the lock, with
 * list_empty() only, to skip the lock when nobody listens.
 */
static LIST_HEAD(vmshm_nl_subs);

static const struct nla_policy vmshm_nl_policy[VMSHM_A_MAX + 1] = {
	[VMSHM_A_REGION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[VMSHM_A_REGION_NAME] = { .type = NLA_NUL_STRING,
				  .len = VMSHM_NAME_MAX - 1 },
	[VMSHM_A_PAGE_PFNS] = { .type = NLA_FLAG },
};

static struct genl_family vmshm_nl_family;

static int vmshm_nl_put_region(struct sk_buff *skb,
			       const struct vmshm_region_snap *s)
{
	struct user_namespace *ns = current_user_ns();

	if (nla_put_u32(skb, VMSHM_A_REGION_ID, s->id) ||
	    nla_put_string(skb, VMSHM_A_REGION_NAME, s->name) ||
	    nla_put_u32(skb, VMSHM_A_REGION_FLAGS, s->flags) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_SIZE, s->size, VMSHM_A_PAD) ||
	    nla_put_u32(skb, VMSHM_A_REGION_MODE, s->mode) ||
	    nla_put_u32(skb, VMSHM_A_REGION_UID, from_kuid_munged(ns, s->uid)) ||
	    nla_put_u32(skb, VMSHM_A_REGION_GID, from_kgid_munged(ns, s->gid)) ||
	    nla_put_u32(skb, VMSHM_A_REGION_CPID, s->cpid) ||
	    nla_put_u32(skb, VMSHM_A_REGION_LPID, s->lpid) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_RESIDENT, s->pages.resident,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_SWAPPED, s->pages.swapped,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_HUGE, s->pages.huge,
			      VMSHM_A_PAD) ||
	    nla_put_u32(skb, VMSHM_A_REGION_MAPPINGS, s->nr_mappings) ||
	    nla_put_u32(skb, VMSHM_A_REGION_ATTACHED, s->nr_attach) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_FAULTS, s->faults,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_MAJFLT, s->majflt,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_WAITS, s->waits,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_WAKES, s->wakes,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_REGION_TIMEOUTS, s->timeouts,
			      VMSHM_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int vmshm_nl_fill_region(struct sk_buff *skb, struct vmshm_region *r,
				u32 portid, u32 seq, int flags,
				struct netlink_callback *cb)
{
	const struct vmshm_viewer viewer = {
		.pid_ns = task_active_pid_ns(current),
	};
	struct vmshm_region_snap snap;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &vmshm_nl_family, flags,
			  VMSHM_NL_CMD_GET_REGION);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	vmshm_region_snap(r, &viewer, &snap);
	if (vmshm_nl_put_region(skb, &snap)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The region of the requester's IPC namespace with the id or name
 * attribute of the request, referenced.  A request runs in the context of
 * the process that sent it (a dump, of the one that reads it), whatever
 * network namespace its socket is in.
 */
static struct vmshm_region *vmshm_nl_get(u32 id, const char *name)
{
	struct vmshm_region *r;
	struct vmshm_ns *vns;

	vns = vmshm_ns_get(false);
	if (IS_ERR_OR_NULL(vns))
		return NULL;
	r = vmshm_region_get(vns, id, name);
	vmshm_ns_put(vns);
	return r;
}

static struct vmshm_region *vmshm_nl_lookup(struct nlattr **attrs,
					    struct netlink_ext_ack *extack)
{
	struct vmshm_region *r;

	if (attrs[VMSHM_A_REGION_ID])
		r = vmshm_nl_get(nla_get_u32(attrs[VMSHM_A_REGION_ID]), NULL);
	else if (attrs[VMSHM_A_REGION_NAME])
		r = vmshm_nl_get(0, nla_data(attrs[VMSHM_A_REGION_NAME]));
	else
		return ERR_PTR(-EINVAL);
	if (!r) {
		NL_SET_ERR_MSG(extack, "no such region");
		return ERR_PTR(-ENOENT);
	}
	return r;
}

/*
 * The region a dump of one region is about: looked up from the request
 * on the first pass, which keeps its id in cb->args[0], and by that id on
 * the next ones.  Return: a counted reference; NULL when the region went
 * between two passes, which ends the dump; an ERR_PTR on the first pass.
 */
static struct vmshm_region *vmshm_nl_dump_region(struct netlink_callback *cb)
{
	struct vmshm_region *r;

	if (cb->args[0])
		return vmshm_nl_get(cb->args[0], NULL);
	r = vmshm_nl_lookup(vmshm_dump_attrs(cb), cb->extack);
	if (IS_ERR(r)) {
		if (PTR_ERR(r) == -EINVAL)
			NL_SET_ERR_MSG(cb->extack,
				       "region id or name attribute required");
		return r;
	}
	cb->args[0] = r->id;
	return r;
}

static int vmshm_nl_get_region_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct vmshm_region *r;
	struct sk_buff *msg;
	int ret;

	r = vmshm_nl_lookup(info->attrs, info->extack);
	if (IS_ERR(r)) {
		if (PTR_ERR(r) == -EINVAL)
			NL_SET_ERR_MSG(info->extack,
				       "region id or name attribute required");
		return PTR_ERR(r);
	}
	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto err_put_region;
	}
	ret = vmshm_nl_fill_region(msg, r, info->snd_portid, info->snd_seq, 0,
				   NULL);
	if (ret)
		goto err_free_msg;
	vmshm_region_put(r);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
err_put_region:
	vmshm_region_put(r);
	return ret;
}

/* cb->args[0]: the id to resume at. */
static int vmshm_nl_get_region_dumpit(struct sk_buff *skb,
				      struct netlink_callback *cb)
{
	unsigned long id = cb->args[0];
	struct vmshm_region *r;
	struct vmshm_ns *vns;
	int ret = 0;

	/* The regions of the reader's IPC namespace only. */
	vns = vmshm_ns_get(false);
	if (IS_ERR_OR_NULL(vns))
		return PTR_ERR_OR_ZERO(vns);
	mutex_lock(&vmshm_lock);
	cb->seq = vmshm_stats.gen;
	xa_for_each_start(&vmshm_regions, id, r, id) {
		if (r->ns != vns)
			continue;
		ret = vmshm_nl_fill_region(skb, r, NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI, cb);
		if (ret)
			break;
	}
	mutex_unlock(&vmshm_lock);
	vmshm_ns_put(vns);
	cb->args[0] = id;
	/* A full skb with something in it: come back for the rest. */
	return ret && skb->len ? skb->len : ret;
}

static int vmshm_nl_put_mapping(struct sk_buff *skb, u32 id,
				const struct vmshm_mapping_snap *s)
{
	if (nla_put_u32(skb, VMSHM_A_REGION_ID, id) ||
	    nla_put_u32(skb, VMSHM_A_MAP_PID, s->pid) ||
	    nla_put_string(skb, VMSHM_A_MAP_COMM, s->comm) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_START, s->start, VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_END, s->end, VMSHM_A_PAD) ||
	    nla_put_u32(skb, VMSHM_A_MAP_PROT, s->prot) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_RESIDENT, s->resident,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_FAULTS, s->faults, VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_MAJFLT, s->majflt, VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_PGOFF, s->pgoff, VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_MAP_PAGES, s->pages, VMSHM_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* Fill from the cb->args[1]-th mapping on, advancing cb->args[1]. */
static void vmshm_nl_fill_mappings(struct sk_buff *skb,
				   struct netlink_callback *cb,
				   struct vmshm_region *r)
{
	const struct vmshm_viewer viewer = {
		.uid = NETLINK_CB(cb->skb).creds.uid,
		.admin = netlink_capable(cb->skb, CAP_SYS_ADMIN),
		.pid_ns = task_active_pid_ns(current),
	};
	struct vmshm_mapping_snap snap;
	struct vmshm_mapping *map;
	long i = 0;
	void *hdr;

	spin_lock(&r->lock);
	list_for_each_entry(map, &r->mappings, node) {
		if (i++ < cb->args[1])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vmshm_nl_family,
				  NLM_F_MULTI, VMSHM_NL_CMD_GET_MAPPINGS);
		if (!hdr)
			break;
		vmshm_mapping_snap(map, &viewer, &snap);
		if (vmshm_nl_put_mapping(skb, r->id, &snap)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[1] = i;
	}
	spin_unlock(&r->lock);
}

/* cb->args[0]: region id, looked up again on every pass; [1]: position. */
static int vmshm_nl_get_mappings_dumpit(struct sk_buff *skb,
					struct netlink_callback *cb)
{
	struct vmshm_region *r = vmshm_nl_dump_region(cb);

	if (IS_ERR_OR_NULL(r))
		return PTR_ERR_OR_ZERO(r);
	vmshm_nl_fill_mappings(skb, cb, r);
	vmshm_region_put(r);
	return skb->len;
}

/**
 * struct vmshm_nl_pages - one pass of a pages dump
 * @skb: the message being filled
 * @cb: the dump; cb->args[1] is set past each run that fits
 * @id: the region's id
 * @pfns: put the runs' frames
 */
struct vmshm_nl_pages {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	u32 id;
	bool pfns;
};

/* One run, one message; -EMSGSIZE when the skb is full. */
static int vmshm_nl_put_run(const struct vmshm_page_run *run, void *arg)
{
	struct vmshm_nl_pages *p = arg;
	struct sk_buff *skb = p->skb;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(p->cb->skb).portid,
			  p->cb->nlh->nlmsg_seq, &vmshm_nl_family, NLM_F_MULTI,
			  VMSHM_NL_CMD_GET_PAGES);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VMSHM_A_REGION_ID, p->id) ||
	    nla_put_u64_64bit(skb, VMSHM_A_PAGE_INDEX, run->index, VMSHM_A_PAD) ||
	    nla_put_u64_64bit(skb, VMSHM_A_PAGE_COUNT, run->nr, VMSHM_A_PAD) ||
	    nla_put_u32(skb, VMSHM_A_PAGE_FLAGS, run->flags) ||
	    (p->pfns && (run->flags & VMSHM_PAGE_F_RESIDENT) &&
	     nla_put_u64_64bit(skb, VMSHM_A_PAGE_PFN, run->pfn, VMSHM_A_PAD))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	p->cb->args[1] = run->index + run->nr;
	return 0;
}

/*
 * cb->args[0]: region id, looked up again on every pass; [1]: the page
 * to resume at; [2]: frames were asked for.  Frames need CAP_SYS_ADMIN
 * over the initial user namespace, held by the socket's opener and by
 * the reader, as /proc/PID/pagemap needs it of its opener.
 */
static int vmshm_nl_get_pages_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct nlattr **attrs = vmshm_dump_attrs(cb);
	struct vmshm_nl_pages p = { .skb = skb, .cb = cb };
	struct vmshm_region *r;

	if (!cb->args[0] && nla_get_flag(attrs[VMSHM_A_PAGE_PFNS])) {
		if (!netlink_capable(cb->skb, CAP_SYS_ADMIN)) {
			NL_SET_ERR_MSG(cb->extack,
				       "page frame numbers need CAP_SYS_ADMIN");
			return -EPERM;
		}
		cb->args[2] = 1;
	}
	r = vmshm_nl_dump_region(cb);
	if (IS_ERR_OR_NULL(r))
		return PTR_ERR_OR_ZERO(r);
	p.id = r->id;
	p.pfns = cb->args[2];
	if (cb->args[1] < r->nr_pages)
		vmshm_shmem_runs(r->filp, cb->args[1], r->nr_pages - 1, p.pfns,
				 vmshm_nl_put_run, &p);
	vmshm_region_put(r);
	return skb->len;
}

static int vmshm_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	unsigned long reserved, user_pages;
	unsigned int nr_regions, user_regions;
	struct vmshm_pages pages;
	struct sk_buff *msg;
	void *hdr;

	msg = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vmshm_nl_family, 0,
				VMSHM_NL_CMD_GET_STATS);
	if (!hdr)
		goto err_free_msg;

	vmshm_regions_count(&nr_regions, &reserved, &pages);
	vmshm_user_usage(&user_regions, &user_pages);
	if (nla_put_u32(msg, VMSHM_A_STATS_REGIONS, nr_regions) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_RESERVED_PAGES, reserved,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_PAGES, pages.resident,
			      VMSHM_A_PAD) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_SWAPPED_PAGES, pages.swapped,
			      VMSHM_A_PAD) ||
	    nla_put_u32(msg, VMSHM_A_STATS_USER_REGIONS, user_regions) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_USER_PAGES, user_pages,
			      VMSHM_A_PAD) ||
	    nla_put_u32(msg, VMSHM_A_STATS_MAX_USER_REGIONS,
			READ_ONCE(vmshm_max_user_regions)) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_MAX_USER_PAGES,
			      READ_ONCE(vmshm_max_user_pages), VMSHM_A_PAD) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_REJECTED,
			      atomic_long_read(&vmshm_stats.rejected),
			      VMSHM_A_PAD) ||
	    nla_put_u32(msg, VMSHM_A_STATS_MAX_REGIONS,
			READ_ONCE(vmshm_max_regions)) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_MAX_REGION_SIZE,
			      READ_ONCE(vmshm_max_region_size), VMSHM_A_PAD) ||
	    nla_put_u64_64bit(msg, VMSHM_A_STATS_MAX_TOTAL_PAGES,
			      READ_ONCE(vmshm_max_total_pages), VMSHM_A_PAD))
		goto err_free_msg;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int vmshm_nl_unlink_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, VMSHM_A_REGION_NAME))
		return -EINVAL;
	ret = vmshm_region_unlink(nla_data(info->attrs[VMSHM_A_REGION_NAME]),
				  skb);
	/* Who else may: the rule of vmshm_may_unlink(). */
	if (ret == -EPERM)
		NL_SET_ERR_MSG(info->extack,
			       "only the region's owner, or CAP_SYS_ADMIN in the user namespace owning its IPC namespace, may unlink it");
	else if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "no such region");
	return ret;
}

static void vmshm_nl_sub_free(struct vmshm_nl_sub *sub)
{
	put_pid_ns(sub->pid_ns);
	vmshm_ns_put(sub->ns);
	kfree(sub);
}

/* Subscribe the requesting socket to the events of the sender's view. */
static int vmshm_nl_subscribe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	unsigned int nr_user = 0;
	struct vmshm_nl_sub *sub, *old;
	int ret;

	sub = kzalloc(sizeof(*sub), GFP_KERNEL_ACCOUNT);
	if (!sub)
		return -ENOMEM;
	sub->ns = vmshm_ns_get(true);
	if (IS_ERR(sub->ns)) {
		ret = PTR_ERR(sub->ns);
		kfree(sub);
		return ret;
	}
	sub->net = net;
	sub->portid = info->snd_portid;
	sub->uid = current_euid();
	sub->pid_ns = get_pid_ns(task_active_pid_ns(current));

	mutex_lock(&vmshm_nl_subs_lock);
	list_for_each_entry(old, &vmshm_nl_subs, node) {
		if (net_eq(old->net, net) && old->portid == sub->portid) {
			NL_SET_ERR_MSG(info->extack,
				       "this socket is already subscribed");
			ret = -EALREADY;
			goto err_unlock;
		}
		nr_user += uid_eq(old->uid, sub->uid);
	}
	if (nr_user >= VMSHM_NL_MAX_USER_SUBSCRIBERS) {
		NL_SET_ERR_MSG(info->extack,
			       "at most 64 subscribed sockets per user");
		ret = -EDQUOT;
		goto err_unlock;
	}
	list_add_tail(&sub->node, &vmshm_nl_subs);
	mutex_unlock(&vmshm_nl_subs_lock);
	return 0;

err_unlock:
	mutex_unlock(&vmshm_nl_subs_lock);
	vmshm_nl_sub_free(sub);
	return ret;
}

/*
 * Send one event to @sub, with the pid of the task that caused it as
 * @sub's pid namespace sees it (0 outside it).
 *
 * Return: genlmsg_unicast()'s result, or -ENOMEM/-EMSGSIZE.
 */
static int vmshm_nl_send_event(struct vmshm_nl_sub *sub, unsigned long type,
			       const struct vmshm_region_event *ev)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &vmshm_nl_family, 0, VMSHM_NL_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, VMSHM_A_EVENT_TYPE, type) ||
	    nla_put_u32(msg, VMSHM_A_EVENT_PID,
			pid_nr_ns(task_tgid(current), sub->pid_ns)) ||
	    nla_put_u32(msg, VMSHM_A_REGION_ID, ev->id) ||
	    nla_put_string(msg, VMSHM_A_REGION_NAME, ev->name)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_unicast(sub->net, msg, sub->portid);
}

/*
 * A region event, unicast to each socket subscribed from the region's IPC
 * namespace, whatever network namespace it is in.  Events are best
 * effort: one that cannot be allocated is dropped, one that finds the
 * socket full is dropped and the socket reads ENOBUFS.  A socket that is
 * gone (ECONNREFUSED, before its NETLINK_URELEASE came) is unsubscribed.
 * Runs in the context of the task that caused the event, which may sleep.
 */
static int vmshm_nl_region_event(struct notifier_block *nb,
				 unsigned long type, void *data)
{
	const struct vmshm_region_event *ev = data;
	struct vmshm_nl_sub *sub, *tmp;

	/*
	 * Most events have no listener: spare them the mutex.  list_empty()
	 * reads the head with READ_ONCE(), paired with the WRITE_ONCE() of
	 * list_add_tail() and list_del(), and decides nothing but whether to
	 * look under the lock.  A SUBSCRIBE that races with this check may
	 * miss this one event, as it would had the event come a moment
	 * sooner; a socket whose SUBSCRIBE returned before the event began
	 * is on the list here (the mutex's release orders its
	 * list_add_tail() before the reply), so it hears the event.
	 */
	if (list_empty(&vmshm_nl_subs))
		return NOTIFY_DONE;

	mutex_lock(&vmshm_nl_subs_lock);
	list_for_each_entry_safe(sub, tmp, &vmshm_nl_subs, node) {
		if (sub->ns != ev->ns)
			continue;
		if (vmshm_nl_send_event(sub, type, ev) == -ECONNREFUSED) {
			list_del(&sub->node);
			vmshm_nl_sub_free(sub);
		}
	}
	mutex_unlock(&vmshm_nl_subs_lock);
	return NOTIFY_DONE;
}

static struct notifier_block vmshm_nl_notifier = {
	.notifier_call = vmshm_nl_region_event,
};

/* A netlink socket is closed: drop its subscription, if it has one. */
static int vmshm_nl_sock_release(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	const struct netlink_notify *n = data;
	struct vmshm_nl_sub *sub;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	mutex_lock(&vmshm_nl_subs_lock);
	list_for_each_entry(sub, &vmshm_nl_subs, node) {
		if (net_eq(sub->net, n->net) && sub->portid == n->portid) {
			list_del(&sub->node);
			vmshm_nl_sub_free(sub);
			break;
		}
	}
	mutex_unlock(&vmshm_nl_subs_lock);
	return NOTIFY_DONE;
}

static struct notifier_block vmshm_nl_sock_notifier = {
	.notifier_call = vmshm_nl_sock_release,
};

static const struct genl_small_ops vmshm_nl_ops[] = {
	{
		.cmd = VMSHM_NL_CMD_GET_REGION,
		.doit = vmshm_nl_get_region_doit,
		.dumpit = vmshm_nl_get_region_dumpit,
	},
	{
		.cmd = VMSHM_NL_CMD_GET_MAPPINGS,
		.dumpit = vmshm_nl_get_mappings_dumpit,
	},
	{
		.cmd = VMSHM_NL_CMD_GET_STATS,
		.doit = vmshm_nl_get_stats_doit,
	},
	{
		.cmd = VMSHM_NL_CMD_GET_PAGES,
		.dumpit = vmshm_nl_get_pages_dumpit,
	},
	{
		/* The ioctl's permission rule: see vmshm_may_unlink(). */
		.cmd = VMSHM_NL_CMD_UNLINK,
		.doit = vmshm_nl_unlink_doit,
	},
	{
		/* Events of the sender's IPC namespace: vmshm_nl_sub. */
		.cmd = VMSHM_NL_CMD_SUBSCRIBE,
		.doit = vmshm_nl_subscribe_doit,
	},
};

static struct genl_family vmshm_nl_family __ro_after_init = {
	.name = VMSHM_GENL_NAME,
	.version = VMSHM_GENL_VERSION,
	.maxattr = VMSHM_A_MAX,
	.policy = vmshm_nl_policy,
	/* Strict attribute and header checks for every command. */
	.resv_start_op = VMSHM_NL_CMD_GET_REGION,
	.parallel_ops = true,
	/* Requests see their sender's IPC namespace: see vmshm_nl_get(). */
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = vmshm_nl_ops,
	.n_small_ops = ARRAY_SIZE(vmshm_nl_ops),
};

/**
 * vmshm_netlink_init() - watch socket releases, register the family, then
 *	listen to region events
 *
 * Return: 0 or a negative errno.
 */
int vmshm_netlink_init(void)
{
	int ret;

	ret = netlink_register_notifier(&vmshm_nl_sock_notifier);
	if (ret)
		return ret;
	ret = genl_register_family(&vmshm_nl_family);
	if (ret)
		goto err_unregister_sock_notifier;
	ret = vmshm_region_notifier_register(&vmshm_nl_notifier);
	if (ret)
		goto err_unregister_family;
	return 0;

err_unregister_family:
	genl_unregister_family(&vmshm_nl_family);
err_unregister_sock_notifier:
	netlink_unregister_notifier(&vmshm_nl_sock_notifier);
	return ret;
}

/**
 * vmshm_netlink_exit() - stop sending events, unregister the family, then
 *	drop the subscriptions left
 *
 * No event is in flight once the notifier is unregistered; the regions
 * destroyed at unload send none.  Dumps in flight hold the module, so
 * none can be running.  Requests in flight hold genetlink's cb_lock for
 * reading, which unregistering takes for writing: once the family is
 * gone, none holds a region reference and no SUBSCRIBE can add an entry.
 * Subscriptions hold no module reference: sockets still open when the
 * module goes lose theirs here, and hear nothing more.
 */
void vmshm_netlink_exit(void)
{
	struct vmshm_nl_sub *sub, *tmp;

	vmshm_region_notifier_unregister(&vmshm_nl_notifier);
	genl_unregister_family(&vmshm_nl_family);
	netlink_unregister_notifier(&vmshm_nl_sock_notifier);
	list_for_each_entry_safe(sub, tmp, &vmshm_nl_subs, node) {
		list_del(&sub->node);
		vmshm_nl_sub_free(sub);
	}
}
