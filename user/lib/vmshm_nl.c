// SPDX-License-Identifier: GPL-2.0
/*
 * libvmshm-nl: requests, dumps and events of the "vmshm" generic netlink
 * family, over libnl-3 and libnl-genl-3.
 *
 * One struct nl_cb per handle routes every message to the request in
 * flight (struct vmshm_nl_req).  The handlers never stop in the middle of
 * a reply: a failed parse or a callback's error is recorded and the rest
 * is drained, so the next request starts on a clean socket.
 *
 * Errors come back as the kernel's errno, not as libnl's NLE_* codes: the
 * error handler records nlmsgerr.error (and the payload of NLMSG_DONE,
 * where a failed dump puts its error) together with the extended ACK
 * message.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "symver.h"
#include "vmshm_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

#ifndef __always_unused
#define __always_unused	__attribute__((__unused__))
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/**
 * struct vmshm_nl - a handle: one netlink socket bound to the family
 * @sock: the libnl socket
 * @cb: handlers, all taking the handle as argument
 * @family: the family id resolved at open
 * @req: the request whose replies are being received, or NULL
 * @extack: the extended ACK message of the last failed request
 */
struct vmshm_nl {
	struct nl_sock *sock;
	struct nl_cb *cb;
	int family;
	struct vmshm_nl_req *req;
	char extack[128];
};

enum vmshm_nl_kind { VMSHM_NL_U32, VMSHM_NL_U64, VMSHM_NL_STR };

/* Where attribute @attr goes in a reply object. */
struct vmshm_nl_field {
	uint16_t attr;
	uint16_t kind;
	uint16_t offset;
	uint16_t size;
};

#define FIELD(type, attr, kind, member)					\
	{ VMSHM_A_##attr, VMSHM_NL_##kind, offsetof(type, member),	\
	  sizeof(((type *)0)->member) }
#define REGION(attr, kind, member) \
	FIELD(struct vmshm_nl_region, attr, kind, member)
#define MAPPING(attr, kind, member) \
	FIELD(struct vmshm_nl_mapping, attr, kind, member)
#define STATS(attr, kind, member) \
	FIELD(struct vmshm_nl_stats, attr, kind, member)
#define RUN(attr, kind, member) \
	FIELD(struct vmshm_nl_page_run, attr, kind, member)
#define EVENT(attr, kind, member) \
	FIELD(struct vmshm_nl_event, attr, kind, member)

static const struct vmshm_nl_field vmshm_nl_region_fields[] = {
	REGION(REGION_ID, U32, id),
	REGION(REGION_NAME, STR, name),
	REGION(REGION_FLAGS, U32, flags),
	REGION(REGION_SIZE, U64, size),
	REGION(REGION_MODE, U32, mode),
	REGION(REGION_UID, U32, uid),
	REGION(REGION_GID, U32, gid),
	REGION(REGION_CPID, U32, cpid),
	REGION(REGION_LPID, U32, lpid),
	REGION(REGION_RESIDENT, U64, resident),
	REGION(REGION_MAPPINGS, U32, mappings),
	REGION(REGION_ATTACHED, U32, attached),
	REGION(REGION_FAULTS, U64, faults),
	REGION(REGION_WAITS, U64, waits),
	REGION(REGION_WAKES, U64, wakes),
	REGION(REGION_TIMEOUTS, U64, timeouts),
	REGION(REGION_SWAPPED, U64, swapped),
	REGION(REGION_HUGE, U64, huge),
	REGION(REGION_MAJFLT, U64, majflt),
};

static const struct vmshm_nl_field vmshm_nl_mapping_fields[] = {
	MAPPING(REGION_ID, U32, region_id),
	MAPPING(MAP_PID, U32, pid),
	MAPPING(MAP_COMM, STR, comm),
	MAPPING(MAP_START, U64, start),
	MAPPING(MAP_END, U64, end),
	MAPPING(MAP_PROT, U32, prot),
	MAPPING(MAP_RESIDENT, U64, resident),
	MAPPING(MAP_FAULTS, U64, faults),
	MAPPING(MAP_MAJFLT, U64, majflt),
	MAPPING(MAP_PGOFF, U64, pgoff),
	MAPPING(MAP_PAGES, U64, pages),
};

static const struct vmshm_nl_field vmshm_nl_stats_fields[] = {
	STATS(STATS_REGIONS, U32, regions),
	STATS(STATS_RESERVED_PAGES, U64, reserved_pages),
	STATS(STATS_PAGES, U64, pages),
	STATS(STATS_REJECTED, U64, rejected),
	STATS(STATS_MAX_REGIONS, U32, max_regions),
	STATS(STATS_MAX_REGION_SIZE, U64, max_region_size),
	STATS(STATS_MAX_TOTAL_PAGES, U64, max_total_pages),
	STATS(STATS_SWAPPED_PAGES, U64, swapped_pages),
	STATS(STATS_USER_REGIONS, U32, user_regions),
	STATS(STATS_USER_PAGES, U64, user_pages),
	STATS(STATS_MAX_USER_REGIONS, U32, max_user_regions),
	STATS(STATS_MAX_USER_PAGES, U64, max_user_pages),
};

static const struct vmshm_nl_field vmshm_nl_run_fields[] = {
	RUN(REGION_ID, U32, region_id),
	RUN(PAGE_FLAGS, U32, flags),
	RUN(PAGE_INDEX, U64, index),
	RUN(PAGE_COUNT, U64, count),
	RUN(PAGE_PFN, U64, pfn),
};

static const struct vmshm_nl_field vmshm_nl_event_fields[] = {
	EVENT(EVENT_TYPE, U32, type),
	EVENT(EVENT_PID, U32, pid),
	EVENT(REGION_ID, U32, region_id),
	EVENT(REGION_NAME, STR, name),
};

/**
 * struct vmshm_nl_layout - how to decode one kind of reply
 * @cmd: the genetlink command the kernel puts on it
 * @required: an attribute without which the message is malformed, or 0
 * @fields: where each attribute goes
 * @nr_fields: entries in @fields
 */
struct vmshm_nl_layout {
	uint8_t cmd;
	uint16_t required;
	const struct vmshm_nl_field *fields;
	size_t nr_fields;
};

#define LAYOUT(c, req, f) {						\
	.cmd = VMSHM_NL_CMD_##c, .required = req, .fields = f,		\
	.nr_fields = ARRAY_SIZE(f) }

static const struct vmshm_nl_layout vmshm_nl_region_layout =
	LAYOUT(GET_REGION, VMSHM_A_REGION_ID, vmshm_nl_region_fields);
static const struct vmshm_nl_layout vmshm_nl_mapping_layout =
	LAYOUT(GET_MAPPINGS, VMSHM_A_REGION_ID, vmshm_nl_mapping_fields);
static const struct vmshm_nl_layout vmshm_nl_stats_layout =
	LAYOUT(GET_STATS, 0, vmshm_nl_stats_fields);
static const struct vmshm_nl_layout vmshm_nl_run_layout =
	LAYOUT(GET_PAGES, VMSHM_A_PAGE_INDEX, vmshm_nl_run_fields);
static const struct vmshm_nl_layout vmshm_nl_event_layout =
	LAYOUT(EVENT, VMSHM_A_EVENT_TYPE, vmshm_nl_event_fields);

/**
 * struct vmshm_nl_walk - where decoded replies go
 * @layout: how to decode them
 * @obj: the object being decoded
 * @region_cb: called with each region, if set
 * @mapping_cb: called with each mapping, if set
 * @run_cb: called with each run of pages, if set
 * @arg: passed to the callbacks
 * @out: without a callback, the (single) object is copied here
 * @out_size: bytes copied to @out: the caller's size of the object
 */
struct vmshm_nl_walk {
	const struct vmshm_nl_layout *layout;
	union {
		struct vmshm_nl_region region;
		struct vmshm_nl_mapping mapping;
		struct vmshm_nl_stats stats;
		struct vmshm_nl_event event;
		struct vmshm_nl_page_run run;
	} obj;
	vmshm_nl_region_cb region_cb;
	vmshm_nl_mapping_cb mapping_cb;
	vmshm_nl_page_run_cb run_cb;
	void *arg;
	void *out;
	size_t out_size;
};

/**
 * struct vmshm_nl_req - a request in flight
 * @seq: its sequence number; 0 while waiting for events
 * @walk: how to decode the replies, NULL to only count them
 * @err: the first error: the kernel's, a parse error or a callback's
 * @count: replies received
 * @intr: a reply was flagged NLM_F_DUMP_INTR
 * @done: the ACK, the error or NLMSG_DONE came
 */
struct vmshm_nl_req {
	uint32_t seq;
	struct vmshm_nl_walk *walk;
	int err;
	int count;
	bool intr;
	bool done;
};

/* libnl's error codes, for the calls that do not carry the kernel's. */
static int vmshm_nl_errno(int nlerr)
{
	static const int map[][2] = {
		{ NLE_NOMEM, ENOMEM }, { NLE_BAD_SOCK, EBADF },
		{ NLE_AGAIN, EAGAIN }, { NLE_INTR, EINTR },
		{ NLE_PERM, EPERM }, { NLE_NOACCESS, EACCES },
		{ NLE_INVAL, EINVAL }, { NLE_RANGE, ERANGE },
		{ NLE_MSGSIZE, EMSGSIZE }, { NLE_OPNOTSUPP, EOPNOTSUPP },
		{ NLE_OBJ_NOTFOUND, ENOENT }, { NLE_BUSY, EBUSY },
		{ NLE_AF_NOSUPPORT, EAFNOSUPPORT },
		{ NLE_PROTO_MISMATCH, EPROTONOSUPPORT },
		{ NLE_MSG_TRUNC, EMSGSIZE }, { NLE_MSG_OVERFLOW, ENOBUFS },
		{ NLE_SEQ_MISMATCH, EPROTO }, { NLE_PARSE_ERR, EBADMSG },
		{ NLE_DUMP_INTR, EINTR },
	};
	size_t i;

	if (nlerr < 0)
		nlerr = -nlerr;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i][0] == nlerr)
			return -map[i][1];
	return -EIO;
}

/* Decode @tb into @obj; attributes the kernel did not send stay zero. */
static int vmshm_nl_fill(struct nlattr **tb,
			 const struct vmshm_nl_layout *layout, void *obj)
{
	const struct vmshm_nl_field *f = layout->fields;
	size_t i;

	if (layout->required && !tb[layout->required])
		return -EBADMSG;
	for (i = 0; i < layout->nr_fields; i++, f++) {
		struct nlattr *a = tb[f->attr];
		char *dst = (char *)obj + f->offset;

		if (!a)
			continue;
		if (f->kind == VMSHM_NL_STR) {
			nla_strlcpy(dst, a, f->size);
			continue;
		}
		if (nla_len(a) != f->size)
			return -EBADMSG;
		memcpy(dst, nla_data(a), f->size);
	}
	return 0;
}

static int vmshm_nl_deliver(struct vmshm_nl_walk *w, struct nlattr **tb)
{
	int ret;

	memset(&w->obj, 0, sizeof(w->obj));
	ret = vmshm_nl_fill(tb, w->layout, &w->obj);
	if (ret)
		return ret;
	if (w->region_cb)
		return w->region_cb(&w->obj.region, w->arg);
	if (w->mapping_cb)
		return w->mapping_cb(&w->obj.mapping, w->arg);
	if (w->run_cb)
		return w->run_cb(&w->obj.run, w->arg);
	if (w->out)
		memcpy(w->out, &w->obj, w->out_size);
	return 0;
}

/* Keep the NLMSGERR_ATTR_MSG of an error or NLMSG_DONE message. */
static void vmshm_nl_save_extack(struct vmshm_nl *nl,
				 const struct nlmsghdr *nlh, size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= nlh->nlmsg_len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(nl->extack, tb[NLMSGERR_ATTR_MSG],
			    sizeof(nl->extack));
}

static int vmshm_nl_on_seq(struct nl_msg *msg, void *arg)
{
	struct vmshm_nl *nl = arg;

	/* Leftovers of an earlier request, or events on a request. */
	return nlmsg_hdr(msg)->nlmsg_seq == nl->req->seq ? NL_OK : NL_SKIP;
}

static int vmshm_nl_on_valid(struct nl_msg *msg, void *arg)
{
	struct vmshm_nl *nl = arg;
	struct vmshm_nl_req *req = nl->req;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[VMSHM_A_MAX + 1];
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	if (req->walk && gnlh->cmd != req->walk->layout->cmd)
		return NL_SKIP;
	req->count++;
	if (!req->walk || req->err)
		return NL_OK;
	ret = nla_parse(tb, VMSHM_A_MAX, genlmsg_attrdata(gnlh, 0),
			genlmsg_attrlen(gnlh, 0), NULL);
	ret = ret ? -EBADMSG : vmshm_nl_deliver(req->walk, tb);
	if (ret)
		req->err = ret;
	return NL_OK;
}

/* A dump ends with NLMSG_DONE, whose payload is the dump's error. */
static int vmshm_nl_on_finish(struct nl_msg *msg, void *arg)
{
	struct vmshm_nl *nl = arg;
	struct vmshm_nl_req *req = nl->req;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	if (nlmsg_datalen(nlh) >= (int)sizeof(err)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0 && !req->err) {
			req->err = err;
			vmshm_nl_save_extack(nl, nlh, NLMSG_HDRLEN +
					     NLMSG_ALIGN(sizeof(err)));
		}
	}
	req->done = true;
	return NL_STOP;
}

/* Any message, NLMSG_DONE included, of a dump that was inconsistent. */
static int vmshm_nl_on_dump_intr(struct nl_msg *msg __always_unused,
				 void *arg)
{
	struct vmshm_nl *nl = arg;

	/* Without this handler libnl fails the whole dump. */
	nl->req->intr = true;
	return NL_OK;
}

static int vmshm_nl_on_ack(struct nl_msg *msg __always_unused, void *arg)
{
	struct vmshm_nl *nl = arg;

	nl->req->done = true;
	return NL_STOP;
}

static int vmshm_nl_on_error(struct sockaddr_nl *who __always_unused,
			     struct nlmsgerr *e,
			     void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct vmshm_nl *nl = arg;
	size_t payload = sizeof(*e);

	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (!nl->req->err) {
		nl->req->err = e->error;
		vmshm_nl_save_extack(nl, nlh, NLMSG_HDRLEN + NLMSG_ALIGN(payload));
	}
	nl->req->done = true;
	return NL_STOP;
}

static void vmshm_nl_set_handlers(struct vmshm_nl *nl)
{
	nl_cb_set(nl->cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vmshm_nl_on_seq, nl);
	nl_cb_set(nl->cb, NL_CB_VALID, NL_CB_CUSTOM, vmshm_nl_on_valid, nl);
	nl_cb_set(nl->cb, NL_CB_FINISH, NL_CB_CUSTOM, vmshm_nl_on_finish, nl);
	nl_cb_set(nl->cb, NL_CB_ACK, NL_CB_CUSTOM, vmshm_nl_on_ack, nl);
	nl_cb_set(nl->cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, vmshm_nl_on_dump_intr,
		  nl);
	nl_cb_err(nl->cb, NL_CB_CUSTOM, vmshm_nl_on_error, nl);
}

/**
 * vmshm_nl_open() - open a netlink socket bound to the "vmshm" family
 * @nlp: receives the handle, to be freed with vmshm_nl_close()
 *
 * Extended ACK messages are requested (NETLINK_EXT_ACK), and errors do not
 * echo the request (NETLINK_CAP_ACK).
 *
 * Return: 0, -ENOENT when the family is not registered (vmshm.ko is not
 * loaded), or another -errno.
 */
int vmshm_nl_open(struct vmshm_nl **nlp)
{
	struct vmshm_nl *nl;
	int one = 1, fd, ret;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		ret = -ENOMEM;
		goto err_free_nl;
	}
	ret = genl_connect(nl->sock);
	if (ret) {
		ret = vmshm_nl_errno(ret);
		goto err_free_sock;
	}
	fd = nl_socket_get_fd(nl->sock);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		ret = -errno;
		goto err_free_sock;
	}
	nl->family = genl_ctrl_resolve(nl->sock, VMSHM_GENL_NAME);
	if (nl->family < 0) {
		ret = vmshm_nl_errno(nl->family);
		goto err_free_sock;
	}
	nl->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nl->cb) {
		ret = -ENOMEM;
		goto err_free_sock;
	}
	vmshm_nl_set_handlers(nl);
	*nlp = nl;
	return 0;

err_free_sock:
	nl_socket_free(nl->sock);
err_free_nl:
	free(nl);
	return ret;
}

/**
 * vmshm_nl_close() - close the socket and free the handle
 * @nl: the handle, or NULL
 */
void vmshm_nl_close(struct vmshm_nl *nl)
{
	if (!nl)
		return;
	nl_cb_put(nl->cb);
	nl_socket_free(nl->sock);
	free(nl);
}

/**
 * vmshm_nl_fd() - the socket's file descriptor, to poll() for events
 * @nl: the handle
 *
 * Return: the fd, owned by the handle.
 */
int vmshm_nl_fd(const struct vmshm_nl *nl)
{
	return nl_socket_get_fd(nl->sock);
}

/**
 * vmshm_nl_extack() - the kernel's message about the last failed request
 * @nl: the handle
 *
 * Return: the extended ACK message (NLMSGERR_ATTR_MSG), or NULL when the
 * last request succeeded or the kernel gave none.
 */
const char *vmshm_nl_extack(const struct vmshm_nl *nl)
{
	return nl->extack[0] ? nl->extack : NULL;
}

static struct nl_msg *vmshm_nl_msg(struct vmshm_nl *nl, uint8_t cmd,
				   int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, VMSHM_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Send @msg (consumed) and receive until its ACK, error or NLMSG_DONE. */
static int vmshm_nl_run(struct vmshm_nl *nl, struct nl_msg *msg,
			struct vmshm_nl_req *req)
{
	int ret;

	nl->extack[0] = '\0';
	ret = nl_send_auto(nl->sock, msg);
	req->seq = nlmsg_hdr(msg)->nlmsg_seq;
	nlmsg_free(msg);
	if (ret < 0)
		return vmshm_nl_errno(ret);
	nl->req = req;
	while (!req->done) {
		ret = nl_recvmsgs(nl->sock, nl->cb);
		if (ret < 0 && !req->err)
			req->err = vmshm_nl_errno(ret);
		if (ret < 0)
			break;
	}
	nl->req = NULL;
	return req->err;
}

/* A request that names a region by @id or, when @id is 0, by @name. */
static int vmshm_nl_request(struct vmshm_nl *nl, uint8_t cmd, int flags,
			    uint32_t id, const char *name,
			    struct vmshm_nl_req *req)
{
	struct nl_msg *msg;
	int ret = 0;

	if (!id && name && strnlen(name, VMSHM_NAME_MAX) == VMSHM_NAME_MAX)
		return -ENAMETOOLONG;
	msg = vmshm_nl_msg(nl, cmd, flags);
	if (!msg)
		return -ENOMEM;
	if (id)
		ret = nla_put_u32(msg, VMSHM_A_REGION_ID, id);
	else if (name)
		ret = nla_put_string(msg, VMSHM_A_REGION_NAME, name);
	if (ret) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return vmshm_nl_run(nl, msg, req);
}

/* A doit request with one reply, of which @size bytes go to @out. */
static int vmshm_nl_get_one(struct vmshm_nl *nl, uint8_t cmd, uint32_t id,
			    const char *name,
			    const struct vmshm_nl_layout *layout, void *out,
			    size_t size)
{
	struct vmshm_nl_walk walk = {
		.layout = layout, .out = out, .out_size = size,
	};
	struct vmshm_nl_req req = { .walk = &walk };
	int ret;

	ret = vmshm_nl_request(nl, cmd, 0, id, name, &req);
	if (!ret && !req.count)
		ret = -ENODATA;
	return ret;
}

/**
 * vmshm_nl_dump_regions() - every region, in id order
 * @nl: the handle
 * @cb: called with each region; a negative return stops the calls, and
 *	vmshm_nl_dump_regions() returns it
 * @arg: passed to @cb
 *
 * Regions created or destroyed while the dump runs may be missed or seen
 * twice; the kernel then flags the dump, and the caller may retry.
 *
 * Return: 0, VMSHM_NL_DUMP_INTR when the dump was inconsistent, or -errno.
 */
int vmshm_nl_dump_regions(struct vmshm_nl *nl, vmshm_nl_region_cb cb,
			  void *arg)
{
	struct vmshm_nl_walk walk = {
		.layout = &vmshm_nl_region_layout, .region_cb = cb, .arg = arg,
	};
	struct vmshm_nl_req req = { .walk = &walk };
	int ret;

	ret = vmshm_nl_request(nl, VMSHM_NL_CMD_GET_REGION, NLM_F_DUMP, 0,
			       NULL, &req);
	if (ret)
		return ret;
	return req.intr ? VMSHM_NL_DUMP_INTR : 0;
}

/**
 * vmshm_nl_get_region() - one region, by id or by name
 * @nl: the handle
 * @id: the region id, or 0 to look up @name
 * @name: the name, used when @id is 0
 * @r: receives the region
 *
 * Return: 0, -ENOENT when there is no such region, or -errno.
 */
int vmshm_nl_get_region(struct vmshm_nl *nl, uint32_t id, const char *name,
			struct vmshm_nl_region *r)
{
	return vmshm_nl_get_one(nl, VMSHM_NL_CMD_GET_REGION, id, name,
				&vmshm_nl_region_layout, r, sizeof(*r));
}

/**
 * vmshm_nl_dump_mappings() - the mappings of one region
 * @nl: the handle
 * @id: the region id, or 0 to look up @name
 * @name: the name, used when @id is 0
 * @cb: called with each mapping; a negative return stops the calls, and
 *	vmshm_nl_dump_mappings() returns it
 * @arg: passed to @cb
 *
 * Return: 0, -ENOENT when there is no such region, or -errno.
 */
int vmshm_nl_dump_mappings(struct vmshm_nl *nl, uint32_t id,
			   const char *name, vmshm_nl_mapping_cb cb,
			   void *arg)
{
	struct vmshm_nl_walk walk = {
		.layout = &vmshm_nl_mapping_layout, .mapping_cb = cb,
		.arg = arg,
	};
	struct vmshm_nl_req req = { .walk = &walk };

	return vmshm_nl_request(nl, VMSHM_NL_CMD_GET_MAPPINGS, NLM_F_DUMP, id,
				name, &req);
}

/**
 * vmshm_nl_dump_pages() - where the pages of one region are
 * @nl: the handle
 * @id: the region id, or 0 to look up @name
 * @name: the name, used when @id is 0
 * @pfns: ask for the frames of the pages in memory (CAP_SYS_ADMIN)
 * @cb: called with each run of pages in the same state, in index order;
 *	a negative return stops the calls, and vmshm_nl_dump_pages()
 *	returns it
 * @arg: passed to @cb
 *
 * Pages in no run are not allocated.
 *
 * Return: 0, -ENOENT when there is no such region, -EPERM when @pfns is
 * set without CAP_SYS_ADMIN, or -errno.
 */
int vmshm_nl_dump_pages(struct vmshm_nl *nl, uint32_t id, const char *name,
			int pfns, vmshm_nl_page_run_cb cb, void *arg)
{
	struct vmshm_nl_walk walk = {
		.layout = &vmshm_nl_run_layout, .run_cb = cb, .arg = arg,
	};
	struct vmshm_nl_req req = { .walk = &walk };
	struct nl_msg *msg;
	int ret = 0;

	if (!id && (!name || strnlen(name, VMSHM_NAME_MAX) == VMSHM_NAME_MAX))
		return name ? -ENAMETOOLONG : -EINVAL;
	msg = vmshm_nl_msg(nl, VMSHM_NL_CMD_GET_PAGES, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (id)
		ret = nla_put_u32(msg, VMSHM_A_REGION_ID, id);
	else
		ret = nla_put_string(msg, VMSHM_A_REGION_NAME, name);
	if (!ret && pfns)
		ret = nla_put_flag(msg, VMSHM_A_PAGE_PFNS);
	if (ret) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return vmshm_nl_run(nl, msg, &req);
}

/**
 * vmshm_nl_get_stats() - module-wide counters and limits
 * @nl: the handle
 * @st: receives them
 *
 * Return: 0 or -errno.
 */
int vmshm_nl_get_stats(struct vmshm_nl *nl, struct vmshm_nl_stats *st)
{
	return vmshm_nl_get_one(nl, VMSHM_NL_CMD_GET_STATS, 0, NULL,
				&vmshm_nl_stats_layout, st, sizeof(*st));
}

#ifdef VMSHM_SHARED
/*
 * VMSHM_NL_1.0, for programs built before VMSHM_VERSION 3 added members
 * at the end of the structs (see symver.h).  Their get_region() and
 * get_stats() objects are shorter; a dump's callback reads the object in
 * place and never past the members it knows, so the dumps need no other
 * code.  New programs link to VMSHM_NL_1.1, which an older library lacks:
 * they never read the new members from a library that has none.
 */
int vmshm_nl_get_region_v1_0(struct vmshm_nl *nl, uint32_t id,
			     const char *name, struct vmshm_nl_region *r);
int vmshm_nl_get_region_v1_0(struct vmshm_nl *nl, uint32_t id,
			     const char *name, struct vmshm_nl_region *r)
{
	return vmshm_nl_get_one(nl, VMSHM_NL_CMD_GET_REGION, id, name,
				&vmshm_nl_region_layout, r,
				offsetof(struct vmshm_nl_region, swapped));
}

int vmshm_nl_get_stats_v1_0(struct vmshm_nl *nl, struct vmshm_nl_stats *st);
int vmshm_nl_get_stats_v1_0(struct vmshm_nl *nl, struct vmshm_nl_stats *st)
{
	return vmshm_nl_get_one(nl, VMSHM_NL_CMD_GET_STATS, 0, NULL,
				&vmshm_nl_stats_layout, st,
				offsetof(struct vmshm_nl_stats, swapped_pages));
}

int vmshm_nl_dump_regions_v1_0(struct vmshm_nl *nl, vmshm_nl_region_cb cb,
			       void *arg);
int vmshm_nl_dump_regions_v1_0(struct vmshm_nl *nl, vmshm_nl_region_cb cb,
			       void *arg)
{
	return vmshm_nl_dump_regions(nl, cb, arg);
}

int vmshm_nl_dump_mappings_v1_0(struct vmshm_nl *nl, uint32_t id,
				const char *name, vmshm_nl_mapping_cb cb,
				void *arg);
int vmshm_nl_dump_mappings_v1_0(struct vmshm_nl *nl, uint32_t id,
				const char *name, vmshm_nl_mapping_cb cb,
				void *arg)
{
	return vmshm_nl_dump_mappings(nl, id, name, cb, arg);
}

VMSHM_SYMVER_OLD(vmshm_nl_get_region_v1_0, vmshm_nl_get_region, VMSHM_NL_1.0);
VMSHM_SYMVER_DEFAULT(vmshm_nl_get_region, VMSHM_NL_1.1);
VMSHM_SYMVER_OLD(vmshm_nl_get_stats_v1_0, vmshm_nl_get_stats, VMSHM_NL_1.0);
VMSHM_SYMVER_DEFAULT(vmshm_nl_get_stats, VMSHM_NL_1.1);
VMSHM_SYMVER_OLD(vmshm_nl_dump_regions_v1_0, vmshm_nl_dump_regions,
		 VMSHM_NL_1.0);
VMSHM_SYMVER_DEFAULT(vmshm_nl_dump_regions, VMSHM_NL_1.1);
VMSHM_SYMVER_OLD(vmshm_nl_dump_mappings_v1_0, vmshm_nl_dump_mappings,
		 VMSHM_NL_1.0);
VMSHM_SYMVER_DEFAULT(vmshm_nl_dump_mappings, VMSHM_NL_1.1);
#endif

/**
 * vmshm_nl_unlink() - remove a region's name (needs CAP_NET_ADMIN)
 * @nl: the handle
 * @name: the name
 *
 * Return: 0, -ENOENT, -EPERM or another -errno.
 */
int vmshm_nl_unlink(struct vmshm_nl *nl, const char *name)
{
	struct vmshm_nl_req req = { 0 };

	return vmshm_nl_request(nl, VMSHM_NL_CMD_UNLINK, 0, 0, name, &req);
}

/**
 * vmshm_nl_raw() - send any command with any attributes
 * @nl: the handle
 * @cmd: the genetlink command, valid or not
 * @nlflags: extra netlink flags, e.g. NLM_F_DUMP
 * @attrs: attributes, copied as they are after the genetlink header
 * @len: bytes at @attrs
 *
 * For tests of malformed requests; the replies are counted, not decoded.
 * It needs the handle's insides, so it lives here, but it is not part of
 * the API: vmshm_nl.h does not declare it, tests/vmshm_nl_test.h does.
 *
 * Return: the number of replies, or -errno.
 */
int vmshm_nl_raw(struct vmshm_nl *nl, uint8_t cmd, uint16_t nlflags,
		 const void *attrs, size_t len)
{
	struct vmshm_nl_req req = { 0 };
	struct nl_msg *msg;
	int ret;

	msg = vmshm_nl_msg(nl, cmd, nlflags);
	if (!msg)
		return -ENOMEM;
	if (len && nlmsg_append(msg, (void *)attrs, len, NLMSG_ALIGNTO)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = vmshm_nl_run(nl, msg, &req);
	return ret ? ret : req.count;
}

/**
 * vmshm_nl_subscribe_events() - join the "events" multicast group
 * @nl: the handle, to be used for events only from now on
 *
 * Return: 0 or -errno.
 */
int vmshm_nl_subscribe_events(struct vmshm_nl *nl)
{
	int grp, ret;

	grp = genl_ctrl_resolve_grp(nl->sock, VMSHM_GENL_NAME,
				    VMSHM_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return vmshm_nl_errno(grp);
	ret = nl_socket_add_membership(nl->sock, grp);
	return ret ? vmshm_nl_errno(ret) : 0;
}

static int vmshm_nl_ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* Receive what is queued; a lost-events overflow reads as ENOBUFS. */
static int vmshm_nl_recv_event(struct vmshm_nl *nl, struct vmshm_nl_req *req)
{
	int ret = nl_recvmsgs(nl->sock, nl->cb);

	/* nl_recv() turns ENOBUFS into NLE_NOMEM. */
	if (ret == -NLE_NOMEM)
		return -ENOBUFS;
	if (ret < 0)
		return vmshm_nl_errno(ret);
	return req->err;
}

/**
 * vmshm_nl_next_event() - wait for the next event
 * @nl: a handle subscribed with vmshm_nl_subscribe_events()
 * @ev: receives the event
 * @timeout_ms: how long to wait; -1 for ever, 0 not at all
 *
 * Return: 0 with @ev filled in; -ETIMEDOUT; -EINTR when a signal came;
 * -ENOBUFS when the socket overflowed and events were lost (the next call
 * goes on with the events after the gap); or another -errno.
 */
int vmshm_nl_next_event(struct vmshm_nl *nl, struct vmshm_nl_event *ev,
			int timeout_ms)
{
	struct vmshm_nl_walk walk = {
		.layout = &vmshm_nl_event_layout, .out = ev,
		.out_size = sizeof(*ev),
	};
	struct vmshm_nl_req req = { .walk = &walk };
	struct pollfd pfd = { .fd = vmshm_nl_fd(nl), .events = POLLIN };
	struct timespec deadline;
	int ret = 0, wait = timeout_ms;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	nl->req = &req;
	while (!ret && !req.count) {
		if (timeout_ms > 0)
			wait = vmshm_nl_ms_left(&deadline);
		ret = poll(&pfd, 1, wait);
		if (ret < 0)
			ret = -errno;
		else if (!ret)
			ret = -ETIMEDOUT;
		else
			ret = vmshm_nl_recv_event(nl, &req);
	}
	nl->req = NULL;
	return ret;
}

/**
 * vmshm_nl_event_name() - the lower-case name of an event type
 * @type: enum vmshm_event_type
 *
 * Return: "created", "unlinked", ..., or "unknown".
 */
const char *vmshm_nl_event_name(uint32_t type)
{
	static const char *const names[] = {
		[VMSHM_EVENT_CREATED] = "created",
		[VMSHM_EVENT_UNLINKED] = "unlinked",
		[VMSHM_EVENT_DESTROYED] = "destroyed",
		[VMSHM_EVENT_ATTACHED] = "attached",
		[VMSHM_EVENT_DETACHED] = "detached",
		[VMSHM_EVENT_REJECTED] = "rejected",
	};

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}
