/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Multi-process: the primary hands its queue fds (one TAP fd per rx queue,
 * tx queue j writing on fd j mod their count, see rtap_queue.c) to
 * secondaries over rte_mp, and a secondary runs queues of its own on
 * copies of them.
 *
 * The primary owns every kernel object (the interface, the keep-alive fd,
 * the queue fds and whether each is attached). At probe it registers one
 * action for all its ports (unregistered when its last port closes), which
 * the rte_mp thread runs:
 * - RTAP_MP_OP_FDS: the open queue fds from fd `queue` on, at most
 *   RTE_MP_MAX_FD_NUM per reply (8 on DPDK 22.11, more where the DPDK
 *   allows), with a bitmap of the fd indexes they are and the index the
 *   next page starts at; a secondary pages until none is left, so all 255
 *   can be shared. Each reply carries the port's fd generation
 *   (pmd->fd_gen, bumped whenever the primary opens or closes a queue fd);
 *   a page of another generation makes the secondary start over.
 * - RTAP_MP_OP_ATTACH: attach or detach fd `queue` as the shared states of
 *   the queues using it now say (a secondary started or stopped one).
 * - RTAP_MP_OP_KSTATS: the interface's counters, which the primary reads
 *   wherever the interface is (a secondary's namespace may not have it).
 * Both run under rtap_fd_lock, which the primary's control thread holds
 * whenever it changes a queue fd or its attachment.
 *
 * A secondary asks for all the fds when it attaches to the port, and again
 * at a queue start when the shared fd generation is not the one its copies
 * are from: a versioned pull at control time, not a push from the primary,
 * since only the secondary's control thread may replace what its lcores
 * use, and the data path makes no control calls. Its rings are its own
 * (io_uring mmaps and fds mean nothing in another process) and are built at
 * every queue start from the queue's configuration in shared memory, so a
 * queue the primary set up again (descriptors, mempool, MTU, offloads)
 * reaches the secondary at its next start.
 *
 * One poller per queue: a secondary starts only queues that are stopped in
 * the shared state (ethdev skips the op for a started one), e.g. started
 * deferred in the primary; the primary's burst on such a queue returns at
 * once (its ring is not started there) and touches no counter. A secondary
 * stops only the queues it started. The primary's port stop takes every
 * queue back, a dead secondary's included.
 */

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_string_fns.h>
#include <ethdev_driver.h>

#include "rtap.h"

#define RTAP_MP_NAME	  "net_rtap_mp"
#define RTAP_MP_TIMEOUT_S 5
#define RTAP_MP_RETRIES	  3 /* paging restarts when the primary's fds change meanwhile */

enum rtap_mp_op {
	RTAP_MP_OP_FDS = 1,
	RTAP_MP_OP_ATTACH = 2,
	RTAP_MP_OP_KSTATS = 3,
};

struct rtap_mp_req {
	uint16_t op;
	uint16_t queue; /* FDS: the first fd index to look at; ATTACH: the fd index */
	char port[RTE_ETH_NAME_MAX_LEN];
};

struct rtap_mp_rep {
	int32_t ret; /* 0 or -errno */
	uint32_t fd_gen;
	uint16_t next;				/* FDS: where the next page starts */
	uint8_t has[(RTAP_MAX_QUEUES + 7) / 8]; /* FDS: the indexes of this page's fds */
};

/* RTAP_MP_OP_KSTATS's reply */
struct rtap_mp_krep {
	int32_t ret;
	struct rtnl_link_stats64 stats;
};

static_assert(sizeof(struct rtap_mp_req) <= RTE_MP_MAX_PARAM_LEN, "rte_mp request too long");
static_assert(sizeof(struct rtap_mp_rep) <= RTE_MP_MAX_PARAM_LEN, "rte_mp reply too long");
static_assert(sizeof(struct rtap_mp_krep) <= RTE_MP_MAX_PARAM_LEN, "rte_mp reply too long");

static unsigned int rtap_mp_users; /* primary ports that registered the action */

/* ---- the primary ---- */

static void
rtap_mp_fill_fds(struct rte_eth_dev *dev, uint16_t first, struct rte_mp_msg *out)
{
	struct rtap_mp_rep *rep = (struct rtap_mp_rep *)out->param;
	const struct rtap_proc *proc = rtap_proc(dev);
	uint16_t q;

	for (q = first; q < RTAP_MAX_QUEUES && out->num_fds < RTE_MP_MAX_FD_NUM; q++) {
		if (proc->qfd[q] < 0)
			continue;
		out->fds[out->num_fds++] = proc->qfd[q];
		rep->has[q / 8] |= 1u << (q % 8);
	}
	rep->next = q;
}

static int
rtap_mp_serve(const struct rte_mp_msg *msg, const void *peer)
{
	const struct rtap_mp_req *req = (const struct rtap_mp_req *)msg->param;
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rtap_mp_rep *rep;
	struct rte_eth_dev *dev;
	struct rte_mp_msg out;
	int ret;

	memset(&out, 0, sizeof(out));
	strlcpy(out.name, msg->name, sizeof(out.name));
	out.len_param = sizeof(*rep);
	rep = (struct rtap_mp_rep *)out.param;
	if (msg->len_param != sizeof(*req)) {
		rep->ret = -EINVAL;
		return rte_mp_reply(&out, peer);
	}
	strlcpy(name, req->port, sizeof(name));

	/* The fds stay open until sent: the control thread closes none meanwhile. */
	pthread_mutex_lock(&rtap_fd_lock);
	dev = rte_eth_dev_allocated(name);
	if (dev == NULL || dev->process_private == NULL || dev->dev_ops == NULL ||
	    dev->dev_ops->rx_queue_setup != rtap_rx_queue_setup) {
		rep->ret = -ENODEV;
	} else if (req->op == RTAP_MP_OP_KSTATS) {
		struct rtap_mp_krep *krep = (struct rtap_mp_krep *)out.param;
		struct rtap_pmd *pmd = dev->data->dev_private;

		out.len_param = sizeof(*krep);
		krep->ret = rtap_ifctl_get_stats(pmd->keep_fd, &krep->stats);
	} else {
		struct rtap_pmd *pmd = dev->data->dev_private;

		rep->fd_gen = __atomic_load_n(&pmd->fd_gen, __ATOMIC_ACQUIRE);
		if (req->op == RTAP_MP_OP_FDS && req->queue < RTAP_MAX_QUEUES)
			rtap_mp_fill_fds(dev, req->queue, &out);
		else if (req->op == RTAP_MP_OP_ATTACH && req->queue < rtap_nb_fds(dev))
			rep->ret = rtap_queue_fd_sync(dev, req->queue);
		else
			rep->ret = -EINVAL;
	}
	ret = rte_mp_reply(&out, peer);
	pthread_mutex_unlock(&rtap_fd_lock);
	return ret;
}

int
rtap_mp_primary_init(void)
{
	if (rtap_mp_users++ > 0)
		return 0;
	if (rte_mp_action_register(RTAP_MP_NAME, rtap_mp_serve) < 0 && rte_errno != EEXIST) {
		/* ENOTSUP: no multi-process (--in-memory): no secondary can come */
		if (rte_errno != ENOTSUP)
			PMD_LOG(WARNING,
				"rte_mp_action_register(%s): %s: secondaries get no data path",
				RTAP_MP_NAME, rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

void
rtap_mp_primary_uninit(void)
{
	if (rtap_mp_users == 0 || --rtap_mp_users > 0)
		return;
	rte_mp_action_unregister(RTAP_MP_NAME);
}

/* ---- a secondary ---- */

static void
rtap_mp_close_fds(const struct rte_mp_msg *msg)
{
	int i;

	for (i = 0; i < msg->num_fds; i++)
		close(msg->fds[i]);
}

/* One request to the primary; its reply (and any fds in it) in @out. */
static int
rtap_mp_request(struct rte_eth_dev *dev, uint16_t op, uint16_t queue, struct rte_mp_msg *out)
{
	int want = op == RTAP_MP_OP_KSTATS ? (int)sizeof(struct rtap_mp_krep) :
					     (int)sizeof(struct rtap_mp_rep);
	struct timespec ts = { .tv_sec = RTAP_MP_TIMEOUT_S };
	struct rte_mp_reply reply;
	struct rtap_mp_req *req;
	struct rte_mp_msg msg;
	int ret;

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, RTAP_MP_NAME, sizeof(msg.name));
	msg.len_param = sizeof(*req);
	req = (struct rtap_mp_req *)msg.param;
	req->op = op;
	req->queue = queue;
	strlcpy(req->port, dev->data->name, sizeof(req->port));

	memset(&reply, 0, sizeof(reply));
	ret = rte_mp_request_sync(&msg, &reply, &ts);
	if (ret < 0 || reply.nb_received != 1) {
		ret = ret < 0 ? -rte_errno : -ETIMEDOUT;
		PMD_LOG(ERR, "port %s: no answer from the primary (%s): is its net_rtap too old?",
			dev->data->name, strerror(-ret));
		if (reply.nb_received > 0)
			rtap_mp_close_fds(&reply.msgs[0]);
		free(reply.msgs);
		return ret;
	}
	*out = reply.msgs[0];
	free(reply.msgs);
	if (out->len_param != want && out->len_param != (int)sizeof(struct rtap_mp_rep)) {
		rtap_mp_close_fds(out);
		PMD_LOG(ERR, "port %s: malformed reply from the primary", dev->data->name);
		return -EPROTO;
	}
	ret = ((struct rtap_mp_rep *)out->param)->ret; /* first in every reply */
	if (ret == 0 && out->len_param != want) {
		rtap_mp_close_fds(out);
		PMD_LOG(ERR, "port %s: malformed reply from the primary", dev->data->name);
		return -EPROTO;
	}
	if (ret < 0) {
		rtap_mp_close_fds(out);
		PMD_LOG(ERR, "port %s: the primary refused: %s", dev->data->name, strerror(-ret));
	}
	return ret;
}

static void
rtap_mp_fds_drop(int *fds)
{
	unsigned int q;

	for (q = 0; q < RTAP_MAX_QUEUES; q++) {
		if (fds[q] >= 0)
			close(fds[q]);
		fds[q] = -1;
	}
}

/* One pass over the primary's fds, page by page; -EAGAIN when they changed meanwhile. */
static int
rtap_mp_page_fds(struct rte_eth_dev *dev, int *fds, uint32_t *gen)
{
	uint16_t first = 0, q;
	unsigned int pages = 0;

	while (first < RTAP_MAX_QUEUES) {
		const struct rtap_mp_rep *rep;
		struct rte_mp_msg msg;
		int k = 0, ret;

		ret = rtap_mp_request(dev, RTAP_MP_OP_FDS, first, &msg);
		if (ret < 0)
			return ret;
		rep = (const struct rtap_mp_rep *)msg.param;
		if (pages++ > 0 && rep->fd_gen != *gen) {
			rtap_mp_close_fds(&msg);
			return -EAGAIN;
		}
		*gen = rep->fd_gen;
		if (rep->next <= first || rep->next > RTAP_MAX_QUEUES) {
			rtap_mp_close_fds(&msg);
			PMD_LOG(ERR, "port %s: malformed fd page from the primary",
				dev->data->name);
			return -EPROTO;
		}
		for (q = first; q < rep->next && k < msg.num_fds; q++)
			if (rep->has[q / 8] & (1u << (q % 8)))
				fds[q] = msg.fds[k++];
		while (k < msg.num_fds)
			close(msg.fds[k++]); /* more fds than indexes: not ours to keep */
		first = rep->next;
	}
	PMD_LOG(DEBUG, "port %s: queue fds in %u pages of up to %d", dev->data->name, pages,
		RTE_MP_MAX_FD_NUM);
	return 0;
}

/*
 * Copies of every queue fd the primary has open, replacing this process's.
 * Rings keep the files they registered, so replacing the numbers is safe
 * while queues run.
 */
static int
rtap_mp_fetch_fds(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);
	int fds[RTAP_MAX_QUEUES];
	uint32_t gen = 0;
	unsigned int q, attempt;
	int ret = -EAGAIN;

	for (q = 0; q < RTAP_MAX_QUEUES; q++)
		fds[q] = -1;
	for (attempt = 0; attempt < RTAP_MP_RETRIES && ret == -EAGAIN; attempt++) {
		rtap_mp_fds_drop(fds);
		ret = rtap_mp_page_fds(dev, fds, &gen);
	}
	if (ret < 0) {
		rtap_mp_fds_drop(fds);
		return ret;
	}
	rtap_queue_fds_close(dev, 0);
	for (q = 0; q < RTAP_MAX_QUEUES; q++)
		proc->qfd[q] = fds[q];
	proc->fd_gen = gen;
	return 0;
}

int
rtap_mp_secondary_attach(struct rte_eth_dev *dev)
{
	int ret = rtap_mp_fetch_fds(dev);

	if (ret < 0)
		PMD_LOG(NOTICE, "port %s: no queue fds from the primary yet: %s", dev->data->name,
			strerror(-ret));
	return ret;
}

/* Fd @queue_id as the primary has it now. */
static int
rtap_mp_queue_fd(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	int ret;

	if (proc->fd_gen != __atomic_load_n(&pmd->fd_gen, __ATOMIC_ACQUIRE) ||
	    proc->qfd[queue_id] < 0) {
		ret = rtap_mp_fetch_fds(dev);
		if (ret < 0)
			return ret;
	}
	if (proc->qfd[queue_id] < 0) {
		PMD_LOG(ERR, "port %s: queue fd %u is not open in the primary (not set up)",
			dev->data->name, queue_id);
		return -EINVAL;
	}
	return 0;
}

/* Ask the primary to attach or detach fd @fd as the shared queue states say. */
static int
rtap_mp_attach(struct rte_eth_dev *dev, uint16_t fd)
{
	struct rte_mp_msg msg;
	int ret;

	ret = rtap_mp_request(dev, RTAP_MP_OP_ATTACH, fd, &msg);
	if (ret == 0)
		rtap_mp_close_fds(&msg);
	return ret;
}

/* The interface's counters, read by the primary. */
int
rtap_mp_kernel_stats(struct rte_eth_dev *dev, struct rtnl_link_stats64 *k)
{
	struct rte_mp_msg msg;
	int ret;

	ret = rtap_mp_request(dev, RTAP_MP_OP_KSTATS, 0, &msg);
	if (ret < 0)
		return ret;
	rtap_mp_close_fds(&msg);
	memcpy(k, &((const struct rtap_mp_krep *)msg.param)->stats, sizeof(*k));
	return 0;
}

/*
 * ethdev of 22.11 points a secondary's fast-path queue arrays at the shared
 * ones when the port is probed there, and never again, while the primary
 * allocates them at its first configure and reallocates them when the queue
 * counts change: a port hotplugged before the primary configured it had
 * NULL there (the first burst crashed). Point them again at every queue
 * start, when this process's lcores cannot be using a queue that moved.
 */
static void
rtap_mp_fp_refresh(struct rte_eth_dev *dev)
{
	struct rte_eth_fp_ops *fpo = &rte_eth_fp_ops[dev->data->port_id];

	__atomic_store_n(&fpo->rxq.data, dev->data->rx_queues, __ATOMIC_RELEASE);
	__atomic_store_n(&fpo->txq.data, dev->data->tx_queues, __ATOMIC_RELEASE);
}

static int
rtap_mp_not_ours(struct rte_eth_dev *dev, const char *what, uint16_t queue_id)
{
	PMD_LOG(ERR,
		"port %s: %s queue %u was not started by this process: stop it where it runs (the primary, or the secondary that started it)",
		dev->data->name, what, queue_id);
	return -E_RTE_SECONDARY;
}

int
rtap_mp_rx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_queue *rxq = dev->data->rx_queues[queue_id];
	uint16_t fd = queue_id;
	const char *ops;
	int ret;

	if (rxq == NULL)
		return -EINVAL;
	ret = rtap_mp_queue_fd(dev, fd);
	if (ret < 0)
		return ret;
	/* Mbufs come from the primary's pool through this process's table of pool drivers. */
	ops = rte_mempool_get_ops(rxq->mp->ops_index)->name;
	if (strcmp(ops, rxq->mp_ops) != 0) {
		PMD_LOG(ERR,
			"rx queue %u: pool %s has mempool ops %s in the primary, index %d is %s here: load the same mempool drivers in the same order in both processes (see the guide)",
			queue_id, rxq->mp->name, rxq->mp_ops, rxq->mp->ops_index, ops);
		return -EXDEV;
	}
	rtap_mp_fp_refresh(dev);
	rtap_rx_ring_destroy(dev, queue_id); /* a ring of an earlier start */
	ret = rtap_rx_ring_create(dev, queue_id);
	if (ret < 0)
		return ret;
	dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_mp_attach(dev, fd);
	if (ret == 0)
		ret = rtap_rx_queue_start(dev, queue_id);
	if (ret < 0) {
		dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		rtap_mp_attach(dev, fd);
		rtap_rx_ring_destroy(dev, queue_id);
	}
	return ret;
}

int
rtap_mp_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = rtap_proc(dev)->rx[queue_id];
	uint16_t fd = queue_id;

	if (r == NULL || !r->ring.started)
		return rtap_mp_not_ours(dev, "rx", queue_id);
	rtap_rx_queue_stop(dev, queue_id);
	return rtap_mp_attach(dev, fd);
}

int
rtap_mp_tx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	uint16_t fd = rtap_tx_fd_index(dev, queue_id);
	int ret;

	if (dev->data->tx_queues[queue_id] == NULL)
		return -EINVAL;
	ret = rtap_mp_queue_fd(dev, fd);
	if (ret < 0)
		return ret;
	rtap_mp_fp_refresh(dev);
	rtap_tx_ring_destroy(dev, queue_id);
	ret = rtap_tx_ring_create(dev, queue_id);
	if (ret < 0)
		return ret;
	dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_mp_attach(dev, fd);
	if (ret == 0)
		ret = rtap_tx_queue_start(dev, queue_id);
	if (ret < 0) {
		dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		rtap_mp_attach(dev, fd);
		rtap_tx_ring_destroy(dev, queue_id);
	}
	return ret;
}

int
rtap_mp_tx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_tx_ring *r = rtap_proc(dev)->tx[queue_id];
	uint16_t fd = rtap_tx_fd_index(dev, queue_id);

	if (r == NULL || !r->ring.started)
		return rtap_mp_not_ours(dev, "tx", queue_id);
	rtap_tx_queue_stop(dev, queue_id);
	return rtap_mp_attach(dev, fd);
}

/* A secondary closing the port: its queues stopped (the primary told), its rings gone. */
void
rtap_mp_secondary_close(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);
	uint16_t q;

	for (q = 0; q < RTAP_MAX_QUEUES; q++) {
		if (proc->rx[q] != NULL && proc->rx[q]->ring.started)
			rtap_mp_rx_queue_stop(dev, q);
		if (proc->tx[q] != NULL && proc->tx[q]->ring.started)
			rtap_mp_tx_queue_stop(dev, q);
		rtap_rx_ring_destroy(dev, q);
		rtap_tx_ring_destroy(dev, q);
	}
}
