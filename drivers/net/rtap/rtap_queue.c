/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Queue lifecycle: the TAP fds the queues use, the io_uring of each queue
 * (init, drain, exit), and queue setup, start, stop and release. Control
 * thread only: ethdev calls these while no lcore polls the queue.
 *
 * The TAP has one fd per rx queue (at least one): the kernel steers frames
 * only to fds someone reads. Rx queue i reads fd i; tx queue j writes on fd
 * j mod that count, so tx queues share fds when there are more of them. An
 * fd is opened on the first setup of a queue that uses it, and attached to
 * the interface while any queue using it runs. With fds= the fds are the
 * ones inherited, open from probe to close whatever the queue count.
 * Each queue has its own ring with that fd as fixed file 0. Starting a
 * queue posts nothing: the polling lcore's first burst does, so that the
 * completion work of every read runs on the lcore and not here. Stopping
 * cancels what is in flight and reaps until every request and the cancel
 * itself have completed.
 */

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>
#include <ethdev_driver.h>

#include "rtap.h"

#define RTAP_DRAIN_TIMEOUT_MS 1000
#define RTAP_DRAIN_STEP_MS    10
#define RTAP_SQ_IDLE_MS	      1000

pthread_mutex_t rtap_fd_lock = PTHREAD_MUTEX_INITIALIZER;

struct rtap_proc *
rtap_proc_alloc(int socket_id)
{
	struct rtap_proc *proc;
	unsigned int q;

	proc = rte_zmalloc_socket("rtap_proc", sizeof(*proc), RTE_CACHE_LINE_SIZE, socket_id);
	if (proc == NULL)
		return NULL;
	for (q = 0; q < RTAP_MAX_QUEUES; q++) {
		proc->qfd[q] = -1;
		proc->rxq_efd[q] = -1;
	}
	proc->nl_fd = -1;
	return proc;
}

/* Free this process's state; the rte_mp thread (rtap_mp.c) sees it gone. */
void
rtap_proc_free(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);

	pthread_mutex_lock(&rtap_fd_lock);
	dev->process_private = NULL;
	pthread_mutex_unlock(&rtap_fd_lock);
	rte_free(proc);
}

/* ---- TAP fds ---- */

/* Fd @queue_id, opened (detached) on first use. Returns it or -errno. */
static int
rtap_queue_fd(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	char ifname[IFNAMSIZ];
	int saved, fd, ret;

	if (proc->qfd[queue_id] >= 0)
		return proc->qfd[queue_id];
	if (pmd->nb_inherited > 0) {
		/* dev_infos_get() allows no more rx queues than fds= gave */
		PMD_LOG(ERR, "%s: queue %u: fds= gave %u queue fds", pmd->ifname, queue_id,
			pmd->nb_inherited);
		return -EINVAL;
	}

	/* The interface may have been renamed or moved to another netns since probe. */
	ret = rtap_tun_get_name(pmd->keep_fd, ifname);
	if (ret < 0) {
		PMD_LOG(ERR, "%s: interface is gone: %s", pmd->ifname, strerror(-ret));
		return ret;
	}
	saved = rtap_ns_enter(pmd->keep_fd);
	if (saved < 0 && saved != RTAP_NS_SAME)
		return saved;
	fd = rtap_tun_open(ifname, NULL);
	rtap_ns_leave(saved);
	if (fd < 0)
		return fd;

	/* A new queue is attached: keep the kernel from steering traffic to it yet. */
	ret = rtap_tun_set_queue(fd, false, ifname);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	pthread_mutex_lock(&rtap_fd_lock);
	proc->qfd[queue_id] = fd;
	proc->attached[queue_id] = false;
	__atomic_add_fetch(&pmd->fd_gen, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&rtap_fd_lock);
	PMD_LOG(DEBUG, "%s: queue fd %u is %d", ifname, queue_id, fd);
	return fd;
}

static int
rtap_queue_attach(struct rte_eth_dev *dev, uint16_t queue_id, bool attach)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	char ifname[IFNAMSIZ];
	int fd = proc->qfd[queue_id];
	int ret;

	if (fd < 0)
		return -EBADF;
	if (proc->attached[queue_id] == attach)
		return 0;
	/* Detaching from a deleted interface: it is as detached as it gets. */
	if (!attach && rtap_tun_get_name(fd, ifname) == -EBADFD) {
		proc->attached[queue_id] = false;
		return 0;
	}
	ret = rtap_tun_set_queue(fd, attach, pmd->ifname);
	if (ret == 0)
		proc->attached[queue_id] = attach;
	return ret;
}

/* How many TAP fds the port's queues use: one per rx queue, at least one. */
uint16_t
rtap_nb_fds(const struct rte_eth_dev *dev)
{
	return RTE_MAX(dev->data->nb_rx_queues, (uint16_t)1);
}

/* The fd tx queue @queue_id writes on. */
uint16_t
rtap_tx_fd_index(const struct rte_eth_dev *dev, uint16_t queue_id)
{
	return queue_id % rtap_nb_fds(dev);
}

/*
 * Fd @fd carries traffic while any queue using it runs, in any process (the
 * queue states are shared). The primary's call; the caller holds
 * rtap_fd_lock (rtap_mp.c calls it for a secondary's queues).
 */
int
rtap_queue_fd_sync(struct rte_eth_dev *dev, uint16_t fd)
{
	const struct rte_eth_dev_data *data = dev->data;
	bool running =
		fd < data->nb_rx_queues && data->rx_queue_state[fd] == RTE_ETH_QUEUE_STATE_STARTED;
	uint16_t j;

	for (j = fd; !running && j < data->nb_tx_queues; j += rtap_nb_fds(dev))
		running = data->tx_queue_state[j] == RTE_ETH_QUEUE_STATE_STARTED;
	return rtap_queue_attach(dev, fd, running);
}

/* A secondary's fds are copies of the primary's files: the primary attaches them. */
static int
rtap_fd_update(struct rte_eth_dev *dev, uint16_t fd)
{
	int ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0; /* rtap_mp.c asks the primary */
	pthread_mutex_lock(&rtap_fd_lock);
	ret = rtap_queue_fd_sync(dev, fd);
	pthread_mutex_unlock(&rtap_fd_lock);
	return ret;
}

/* Close the fds @from and up (the rings that used them are gone). */
void
rtap_queue_fds_close(struct rte_eth_dev *dev, uint16_t from)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	bool primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
	uint16_t q;

	/* Inherited fds cannot be opened again: only the port's close closes them. */
	if (from > 0 && primary)
		from = RTE_MAX(from, pmd->nb_inherited);
	pthread_mutex_lock(&rtap_fd_lock);
	for (q = from; q < RTAP_MAX_QUEUES; q++) {
		if (proc->qfd[q] < 0)
			continue;
		close(proc->qfd[q]);
		proc->qfd[q] = -1;
		proc->attached[q] = false;
		if (primary)
			__atomic_add_fetch(&pmd->fd_gen, 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&rtap_fd_lock);
}

/* ---- rings ---- */

/* Under SQPOLL every ring of the port shares one kernel thread: any live ring's. */
static int
rtap_sq_owner_fd(const struct rtap_proc *proc)
{
	unsigned int q;

	for (q = 0; q < RTAP_MAX_QUEUES; q++) {
		if (proc->rx[q] != NULL)
			return proc->rx[q]->ring.io.ring_fd;
		if (proc->tx[q] != NULL)
			return proc->tx[q]->ring.io.ring_fd;
	}
	return -1;
}

/*
 * Set up a ring of @entries SQEs over @fd (fixed file 0) with @nb_slots
 * request slots, in the port's io mode.
 */
static int
rtap_ring_init(struct rte_eth_dev *dev, struct rtap_ring *r, unsigned int entries,
	       uint16_t nb_slots, int fd, int socket_id, const char *what, uint16_t queue_id)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct io_uring_params p;
	uint16_t i;
	int ret;

	r->free_slots = rte_malloc_socket("rtap_slots", nb_slots * sizeof(uint16_t), 0, socket_id);
	r->slot_mbuf = rte_zmalloc_socket("rtap_slot_mbufs", nb_slots * sizeof(struct rte_mbuf *),
					  0, socket_id);
	if (r->free_slots == NULL || r->slot_mbuf == NULL) {
		PMD_LOG(ERR, "%s queue %u: out of memory", what, queue_id);
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < nb_slots; i++)
		r->free_slots[i] = nb_slots - 1 - i;
	r->nb_slots = nb_slots;
	r->nb_free = nb_slots;

	memset(&p, 0, sizeof(p));
	if (pmd->sqpoll) {
		int owner = rtap_sq_owner_fd(rtap_proc(dev));

		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = RTAP_SQ_IDLE_MS;
		if (owner >= 0) {
			p.flags |= IORING_SETUP_ATTACH_WQ;
			p.wq_fd = owner;
		}
	} else {
		/* Completion work waits for the poller's next enter: no interrupts. */
		p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
	}
	ret = io_uring_queue_init_params(rte_align32pow2(entries), &r->io, &p);
	if (ret < 0) {
		PMD_LOG(ERR, "%s queue %u: io_uring_queue_init(%u, flags %#x): %s", what, queue_id,
			entries, p.flags, strerror(-ret));
		goto fail;
	}
	/* Iovecs are read at submission; queue-owned storage relies on it too. */
	if (!(p.features & IORING_FEAT_SUBMIT_STABLE)) {
		PMD_LOG(ERR, "%s queue %u: kernel io_uring lacks IORING_FEAT_SUBMIT_STABLE", what,
			queue_id);
		ret = -ENOTSUP;
		goto fail_ring;
	}
	ret = io_uring_register_files(&r->io, &fd, 1);
	if (ret < 0) {
		PMD_LOG(ERR, "%s queue %u: io_uring_register_files: %s", what, queue_id,
			strerror(-ret));
		goto fail_ring;
	}
	r->fd = fd;
	return 0;

fail_ring:
	io_uring_queue_exit(&r->io);
fail:
	rte_free(r->free_slots);
	rte_free(r->slot_mbuf);
	r->free_slots = NULL;
	r->slot_mbuf = NULL;
	return ret;
}

/* Give back every completed request in the CQ; returns how many slots that was. */
static unsigned int
rtap_ring_reap(struct rtap_ring *r, bool *cancel_seen)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0, n = 0;

	io_uring_for_each_cqe(&r->io, head, cqe) {
		seen++;
		if (cqe->user_data == RTAP_CANCEL_TAG) {
			*cancel_seen = true;
		} else if (cqe->user_data < r->nb_slots) {
			rte_pktmbuf_free(rtap_slot_put(r, (uint16_t)cqe->user_data));
			n++;
		}
	}
	io_uring_cq_advance(&r->io, seen);
	return n;
}

/*
 * The reads a drain cancels were posted by the polling lcore, and their
 * completion work runs on that thread only: under COOP_TASKRUN when it next
 * enters the kernel or returns to user space from an interrupt. An lcore
 * spinning in user space on a tickless core may do neither for a long time,
 * so the drain interrupts every thread of this process that is running
 * (an expedited private membarrier: an IPI, returning from which runs the
 * pending work). Registered once per process; without it, the drain waits.
 */
static void
rtap_kick_pollers(void)
{
	static int registered; /* 0 not yet, 1 yes, -1 not available */

	if (registered == 0) {
		long ret =
			syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);

		registered = ret == 0 ? 1 : -1;
	}
	if (registered > 0)
		syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}

/*
 * Cancel everything in flight and reap until every busy slot and the cancel
 * itself have completed, so no completion is left for a later burst. Bounded:
 * returns how many requests are still in flight after RTAP_DRAIN_TIMEOUT_MS
 * (0 normally); their mbufs are left to the kernel, never freed.
 */
static unsigned int
rtap_ring_drain(struct rtap_ring *r, const char *what, uint16_t queue_id)
{
	struct __kernel_timespec ts = { .tv_nsec = RTAP_DRAIN_STEP_MS * 1000 * 1000 };
	uint64_t deadline =
		rte_get_timer_cycles() + rte_get_timer_hz() * RTAP_DRAIN_TIMEOUT_MS / 1000;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	bool cancel_seen = false;
	int ret;

	rtap_ring_reap(r, &cancel_seen);
	if (rtap_ring_busy(r) == 0)
		return 0;

	sqe = io_uring_get_sqe(&r->io);
	if (sqe == NULL) {
		io_uring_submit(&r->io); /* make room: under SQPOLL the SQ may be full */
		sqe = io_uring_get_sqe(&r->io);
	}
	if (sqe == NULL) {
		PMD_LOG(ERR, "%s queue %u: no submission entry for the cancel", what, queue_id);
		return rtap_ring_busy(r);
	}
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
	io_uring_sqe_set_data64(sqe, RTAP_CANCEL_TAG);
	ret = io_uring_submit(&r->io);
	if (ret < 0) {
		PMD_LOG(ERR, "%s queue %u: io_uring_submit(cancel): %s", what, queue_id,
			strerror(-ret));
		return rtap_ring_busy(r);
	}

	while (rtap_ring_busy(r) > 0 || !cancel_seen) {
		if (rte_get_timer_cycles() >= deadline) {
			PMD_LOG(ERR,
				"%s queue %u: %u requests still in flight after %u ms: left to the kernel",
				what, queue_id, rtap_ring_busy(r), RTAP_DRAIN_TIMEOUT_MS);
			break;
		}
		rtap_kick_pollers();
		ret = io_uring_wait_cqe_timeout(&r->io, &cqe, &ts);
		if (ret < 0 && ret != -ETIME && ret != -EINTR) {
			PMD_LOG(ERR, "%s queue %u: io_uring_wait_cqe: %s", what, queue_id,
				strerror(-ret));
			break;
		}
		rtap_ring_reap(r, &cancel_seen);
	}
	return rtap_ring_busy(r);
}

/*
 * Tear a ring down. The ring's own release is asynchronous and would keep the
 * registered TAP fd (and so the interface) alive for a while: drop the file
 * table first, which is synchronous, unless requests are still in flight
 * (it would wait for them). Their mbufs stay with the kernel.
 */
static void
rtap_ring_exit(struct rtap_ring *r, const char *what, uint16_t queue_id)
{
	if (rtap_ring_busy(r) == 0) {
		int ret = io_uring_unregister_files(&r->io);

		if (ret < 0 && ret != -ENXIO)
			PMD_LOG(ERR, "%s queue %u: io_uring_unregister_files: %s", what, queue_id,
				strerror(-ret));
	}
	io_uring_queue_exit(&r->io);
	rte_free(r->free_slots);
	rte_free(r->slot_mbuf);
}

/* ---- rx ---- */

/* Frame bytes one read holds for @mtu, and how many mbufs it takes. */
uint32_t
rtap_rx_capacity(const struct rte_eth_dev *dev, struct rte_mempool *mp, uint16_t mtu,
		 uint16_t *nb_segs)
{
	uint64_t offloads = dev->data->dev_conf.rxmode.offloads;
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint32_t frame = (uint32_t)mtu + RTAP_FRAME_OVERHEAD;
	uint32_t segs = 1;

	/* LRO frames are up to 64 KiB whatever the MTU, and so always chains. */
	if (offloads & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		frame = RTE_MAX(frame, (uint32_t)RTAP_LRO_MAX_FRAME);
	/* One byte more than the largest frame, so a full read means "too big". */
	if (offloads & (RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_LRO))
		segs = RTE_MIN((frame + room) / room, (uint32_t)RTAP_RX_MAX_SEGS);
	*nb_segs = segs;
	return segs * room;
}

uint32_t
rtap_rx_posted_capacity(const struct rte_eth_dev *dev, uint16_t queue_id)
{
	const struct rtap_rx_ring *r = rtap_proc(dev)->rx[queue_id];

	return r != NULL ? r->capacity : 0;
}

/* What an rx queue does with the virtio-net header, from the enabled offloads. */
static uint8_t
rtap_rx_offload_mode(const struct rte_eth_dev *dev)
{
	uint64_t rx = dev->data->dev_conf.rxmode.offloads;
	uint8_t ol = 0;

	if (rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		ol |= RTAP_RX_OL_TCP;
	if (rx & RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
		ol |= RTAP_RX_OL_UDP;
	if (rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		ol |= RTAP_RX_OL_IP;
	/* LRO needs partial checksums from the kernel: headers must be read. */
	if (rx & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		ol |= RTAP_RX_OL_LRO;
	if (rx & RTE_ETH_RX_OFFLOAD_VLAN_STRIP)
		ol |= RTAP_RX_OL_VLAN_STRIP;
	if (rx & RTE_ETH_RX_OFFLOAD_VLAN_FILTER)
		ol |= RTAP_RX_OL_VLAN_FILTER;
	return ol;
}

static void
rtap_rx_ring_free(struct rtap_rx_ring *r)
{
	if (r == NULL)
		return;
	rte_free(r->iov);
	rte_free(r->scratch);
	rte_free(r);
}

/*
 * This process's ring of rx queue @queue_id (set up, its fd open here): the
 * primary's at queue setup, a secondary's when it starts the queue.
 */
int
rtap_rx_ring_create(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_queue *rxq = dev->data->rx_queues[queue_id];
	struct rtap_proc *proc = rtap_proc(dev);
	int socket_id = rte_eal_process_type() == RTE_PROC_PRIMARY ? dev->device->numa_node :
								     (int)rte_socket_id();
	struct rtap_rx_ring *r;
	uint16_t room, segs, max_segs, nb_slots;
	int fd = proc->qfd[queue_id];
	int ret;

	if (rxq == NULL || fd < 0)
		return -EINVAL;
	if (socket_id < 0)
		socket_id = SOCKET_ID_ANY;
	room = rte_pktmbuf_data_room_size(rxq->mp) - RTE_PKTMBUF_HEADROOM;
	/* Scattered rx and LRO read into chains. */
	max_segs = 1;
	if (dev->data->dev_conf.rxmode.offloads &
	    (RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_LRO))
		max_segs = RTAP_RX_MAX_SEGS;
	/* nb_desc bounds what is pinned; reads in flight are capped (see rtap.h). */
	nb_slots = RTE_MIN(rxq->nb_desc, (uint16_t)RTAP_RX_READS);
	r = rte_zmalloc_socket("rtap_rx_ring", sizeof(*r), RTE_CACHE_LINE_SIZE, socket_id);
	if (r == NULL)
		goto nomem;
	r->scratch = rte_malloc_socket("rtap_rx_scratch",
				       (size_t)nb_slots * max_segs * sizeof(struct rte_mbuf *), 0,
				       socket_id);
	if (r->scratch == NULL)
		goto nomem;
	if (max_segs > 1) {
		r->iov = rte_malloc_socket("rtap_rx_iov",
					   (size_t)nb_slots * max_segs * sizeof(struct iovec), 0,
					   socket_id);
		if (r->iov == NULL)
			goto nomem;
	}
	/* Room in the SQ for every read and the drain's cancel. */
	ret = rtap_ring_init(dev, &r->ring, 2u * nb_slots, nb_slots, fd, socket_id, "rx", queue_id);
	if (ret < 0)
		goto fail;

	r->rxq = rxq;
	r->mp = rxq->mp;
	r->max_segs = max_segs;
	r->seg_room = room;
	r->capacity = rtap_rx_capacity(dev, rxq->mp, dev->data->mtu, &segs);
	r->nb_segs = segs;
	r->coop = !((struct rtap_pmd *)dev->data->dev_private)->sqpoll;
	r->filter = &((struct rtap_pmd *)dev->data->dev_private)->filter;
	r->vlan_tab = ((struct rtap_pmd *)dev->data->dev_private)->vlan_tab;
	/* Set up again on a started port with Rx interrupts: the queue's eventfd follows. */
	if (proc->rxq_efd[queue_id] >= 0)
		io_uring_register_eventfd(&r->ring.io, proc->rxq_efd[queue_id]);
	proc->rx[queue_id] = r;
	return 0;

nomem:
	PMD_LOG(ERR, "rx queue %u: out of memory", queue_id);
	ret = -ENOMEM;
fail:
	rtap_rx_ring_free(r);
	return ret;
}

int
rtap_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct rtap_rx_queue *rxq;
	uint16_t room, segs;
	uint32_t cap;
	int fd, ret;

	if (rte_pktmbuf_data_room_size(mp) <= RTE_PKTMBUF_HEADROOM + RTE_ETHER_MIN_LEN) {
		PMD_LOG(ERR, "rx queue %u: mbufs of %s have no room for a frame", queue_id,
			mp->name);
		return -EINVAL;
	}
	room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	cap = rtap_rx_capacity(dev, mp, dev->data->mtu, &segs);
	if ((uint32_t)dev->data->mtu + RTAP_FRAME_OVERHEAD >= cap) {
		PMD_LOG(ERR,
			"rx queue %u: MTU %u frames do not fit in %u-byte mbufs of %s: enable RTE_ETH_RX_OFFLOAD_SCATTER or use larger mbufs",
			queue_id, dev->data->mtu, room, mp->name);
		return -EINVAL;
	}
	if (nb_desc == 0)
		nb_desc = RTAP_DEFAULT_DESC;
	if (nb_desc < RTAP_MIN_DESC || nb_desc > RTAP_MAX_DESC) {
		PMD_LOG(ERR, "rx queue %u: %u descriptors, expected %u to %u", queue_id, nb_desc,
			RTAP_MIN_DESC, RTAP_MAX_DESC);
		return -EINVAL;
	}

	fd = rtap_queue_fd(dev, queue_id);
	if (fd < 0)
		return fd;

	rxq = rte_zmalloc_socket("rtap_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL) {
		PMD_LOG(ERR, "rx queue %u: out of memory", queue_id);
		return -ENOMEM;
	}
	rxq->mp = mp;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = queue_id;
	rxq->nb_desc = nb_desc;
	rxq->deferred_start = conf != NULL && conf->rx_deferred_start;
	strlcpy(rxq->mp_ops, rte_mempool_get_ops(mp->ops_index)->name, sizeof(rxq->mp_ops));
	dev->data->rx_queues[queue_id] = rxq;
	ret = rtap_rx_ring_create(dev, queue_id);
	if (ret < 0) {
		dev->data->rx_queues[queue_id] = NULL;
		rte_free(rxq);
	}
	return ret;
}

int
rtap_rx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = rtap_proc(dev)->rx[queue_id];
	uint32_t cap;
	uint16_t segs;
	int ret;

	if (r == NULL)
		return -EINVAL;
	if (r->ring.started)
		return 0;
	/* Reads a timed-out drain left must be gone before the geometry changes. */
	if (rtap_ring_busy(&r->ring) > 0 && rtap_ring_drain(&r->ring, "rx", queue_id) > 0)
		return -EBUSY;

	/* Size the reads for the MTU in force now. */
	cap = rtap_rx_capacity(dev, r->mp, dev->data->mtu, &segs);
	if ((uint32_t)dev->data->mtu + RTAP_FRAME_OVERHEAD >= cap || segs > r->max_segs) {
		PMD_LOG(ERR, "rx queue %u: MTU %u frames do not fit the queue's buffers", queue_id,
			dev->data->mtu);
		return -EINVAL;
	}
	r->nb_segs = segs;
	r->capacity = cap;
	r->ol = rtap_rx_offload_mode(dev);
	r->max_len = (uint32_t)dev->data->mtu + RTE_ETHER_HDR_LEN;

	dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_fd_update(dev, queue_id);
	if (ret < 0) {
		dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		return ret;
	}
	r->ring.dead = false;
	rtap_count_reset_seq(&r->rxq->seq);
	/* Handed to the lcore, whose first burst posts the reads. */
	__atomic_store_n(&r->ring.started, true, __ATOMIC_RELEASE);
	return 0;
}

int
rtap_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = rtap_proc(dev)->rx[queue_id];

	if (r == NULL)
		return -EINVAL;
	__atomic_store_n(&r->ring.started, false, __ATOMIC_RELEASE);
	rtap_ring_drain(&r->ring, "rx", queue_id);
	dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
	rtap_fd_update(dev, queue_id);
	return 0;
}

/* Drop this process's ring of rx queue @queue_id (stopped first if it runs here). */
void
rtap_rx_ring_destroy(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_proc *proc = rtap_proc(dev);
	struct rtap_rx_ring *r = proc != NULL ? proc->rx[queue_id] : NULL;

	if (r == NULL)
		return;
	if (r->ring.started || rtap_ring_busy(&r->ring) > 0)
		rtap_rx_queue_stop(dev, queue_id);
	rtap_ring_exit(&r->ring, "rx", queue_id);
	rtap_rx_ring_free(r);
	proc->rx[queue_id] = NULL;
}

void
rtap_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	rtap_rx_ring_destroy(dev, queue_id);
	rte_free(dev->data->rx_queues[queue_id]);
	dev->data->rx_queues[queue_id] = NULL;
}

/* ---- tx ---- */

static void
rtap_tx_ring_free(struct rtap_tx_ring *r)
{
	if (r == NULL)
		return;
	rte_free(r->done);
	rte_free(r->iov);
	rte_free(r->hdr);
	rte_free(r);
}

/* This process's ring of tx queue @queue_id, as rtap_rx_ring_create(). */
int
rtap_tx_ring_create(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_tx_queue *txq = dev->data->tx_queues[queue_id];
	struct rtap_proc *proc = rtap_proc(dev);
	int socket_id = rte_eal_process_type() == RTE_PROC_PRIMARY ? dev->device->numa_node :
								     (int)rte_socket_id();
	int fd = proc->qfd[rtap_tx_fd_index(dev, queue_id)];
	struct rtap_tx_ring *r;
	uint16_t nb_desc;
	int ret;

	if (txq == NULL || fd < 0)
		return -EINVAL;
	if (socket_id < 0)
		socket_id = SOCKET_ID_ANY;
	nb_desc = txq->nb_desc;
	r = rte_zmalloc_socket("rtap_tx_ring", sizeof(*r), RTE_CACHE_LINE_SIZE, socket_id);
	if (r == NULL)
		goto nomem;
	r->done = rte_malloc_socket("rtap_tx_done", nb_desc * sizeof(struct rte_mbuf *), 0,
				    socket_id);
	r->iov = rte_malloc_socket("rtap_tx_iov",
				   (size_t)nb_desc * RTAP_TX_IOVS * sizeof(struct iovec), 0,
				   socket_id);
	r->hdr = rte_zmalloc_socket("rtap_tx_hdr", nb_desc * sizeof(struct rtap_tx_hdr), 0,
				    socket_id);
	if (r->done == NULL || r->iov == NULL || r->hdr == NULL)
		goto nomem;

	/* One SQE more than slots: the drain's cancel fits even with every slot queued. */
	ret = rtap_ring_init(dev, &r->ring, nb_desc + 1u, nb_desc, fd, socket_id, "tx", queue_id);
	if (ret < 0)
		goto fail;
	r->txq = txq;
	r->sqpoll = ((struct rtap_pmd *)dev->data->dev_private)->sqpoll;
	r->fd_index = rtap_tx_fd_index(dev, queue_id);
	r->fast_free = txq->fast_free;
	proc->tx[queue_id] = r;
	return 0;

nomem:
	PMD_LOG(ERR, "tx queue %u: out of memory", queue_id);
	ret = -ENOMEM;
fail:
	rtap_tx_ring_free(r);
	return ret;
}

int
rtap_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct rtap_tx_queue *txq;
	int fd, ret;

	if (nb_desc == 0)
		nb_desc = RTAP_DEFAULT_DESC;
	if (nb_desc < RTAP_MIN_DESC || nb_desc > RTAP_MAX_DESC) {
		PMD_LOG(ERR, "tx queue %u: %u descriptors, expected %u to %u", queue_id, nb_desc,
			RTAP_MIN_DESC, RTAP_MAX_DESC);
		return -EINVAL;
	}

	fd = rtap_queue_fd(dev, rtap_tx_fd_index(dev, queue_id));
	if (fd < 0)
		return fd;

	txq = rte_zmalloc_socket("rtap_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL) {
		PMD_LOG(ERR, "tx queue %u: out of memory", queue_id);
		return -ENOMEM;
	}
	txq->port_id = dev->data->port_id;
	txq->queue_id = queue_id;
	txq->nb_desc = nb_desc;
	txq->deferred_start = conf != NULL && conf->tx_deferred_start;
	txq->fast_free =
		((dev->data->dev_conf.txmode.offloads | (conf != NULL ? conf->offloads : 0)) &
		 RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE) != 0;
	dev->data->tx_queues[queue_id] = txq;
	ret = rtap_tx_ring_create(dev, queue_id);
	if (ret < 0) {
		dev->data->tx_queues[queue_id] = NULL;
		rte_free(txq);
	}
	return ret;
}

int
rtap_tx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_tx_ring *r = rtap_proc(dev)->tx[queue_id];
	int ret;

	if (r == NULL)
		return -EINVAL;
	if (r->ring.started)
		return 0;
	dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_fd_update(dev, rtap_tx_fd_index(dev, queue_id));
	if (ret < 0) {
		dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		return ret;
	}
	r->ring.dead = false;
	rtap_count_reset_seq(&r->txq->seq);
	__atomic_store_n(&r->ring.started, true, __ATOMIC_RELEASE);
	return 0;
}

int
rtap_tx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_tx_ring *r = rtap_proc(dev)->tx[queue_id];

	if (r == NULL)
		return -EINVAL;
	__atomic_store_n(&r->ring.started, false, __ATOMIC_RELEASE);
	/* Writes that completed are counted (SQPOLL completes them late); the rest cancelled. */
	rtap_tx_done_cleanup(r->txq, 0);
	rtap_ring_drain(&r->ring, "tx", queue_id);
	dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
	rtap_fd_update(dev, rtap_tx_fd_index(dev, queue_id));
	return 0;
}

/* Drop this process's ring of tx queue @queue_id (stopped first if it runs here). */
void
rtap_tx_ring_destroy(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_proc *proc = rtap_proc(dev);
	struct rtap_tx_ring *r = proc != NULL ? proc->tx[queue_id] : NULL;

	if (r == NULL)
		return;
	if (r->ring.started || rtap_ring_busy(&r->ring) > 0)
		rtap_tx_queue_stop(dev, queue_id);
	rtap_ring_exit(&r->ring, "tx", queue_id);
	rtap_tx_ring_free(r);
	proc->tx[queue_id] = NULL;
}

void
rtap_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	rtap_tx_ring_destroy(dev, queue_id);
	rte_free(dev->data->tx_queues[queue_id]);
	dev->data->tx_queues[queue_id] = NULL;
}

/* ---- the port's queues together ---- */

/*
 * Stop every queue that runs, here or, by the shared state, in a
 * secondary: the primary takes those back (their fd detached, a live
 * secondary's ring sees the interface gone), so that a secondary that died
 * with queues started leaves nothing attached.
 */
void
rtap_queues_stop(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);
	struct rte_eth_dev_data *data = dev->data;
	uint16_t q;

	for (q = 0; q < data->nb_rx_queues; q++)
		if (proc->rx[q] != NULL &&
		    (proc->rx[q]->ring.started ||
		     data->rx_queue_state[q] == RTE_ETH_QUEUE_STATE_STARTED))
			rtap_rx_queue_stop(dev, q);
	for (q = 0; q < data->nb_tx_queues; q++)
		if (proc->tx[q] != NULL &&
		    (proc->tx[q]->ring.started ||
		     data->tx_queue_state[q] == RTE_ETH_QUEUE_STATE_STARTED))
			rtap_tx_queue_stop(dev, q);
}

/*
 * A new MTU on a started port: the rings of this process enforce it from
 * their lcore's next burst (rtap.h: a plain store the lcore reads). Rings
 * not started take it at their start.
 */
void
rtap_rx_queues_set_mtu(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct rtap_proc *proc = rtap_proc(dev);
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (proc->rx[q] != NULL)
			__atomic_store_n(&proc->rx[q]->max_len, (uint32_t)mtu + RTE_ETHER_HDR_LEN,
					 __ATOMIC_RELAXED);
}

/*
 * The VLAN offloads changed on a started port (rte_eth_dev_set_vlan_offload()
 * has rewritten rxmode.offloads): the rings of this process act on them from
 * their lcore's next burst, as for the MTU.
 */
void
rtap_rx_queues_set_offloads(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);
	uint8_t ol = rtap_rx_offload_mode(dev);
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		if (proc->rx[q] != NULL)
			__atomic_store_n(&proc->rx[q]->ol, ol, __ATOMIC_RELAXED);
}

/* Start every queue not deferred; on failure, none is left running. */
int
rtap_queues_start(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_eth_dev_data *data = dev->data;
	uint16_t q;
	int ret = 0;

	for (q = 0; q < data->nb_rx_queues; q++) {
		if (data->rx_queues[q] == NULL) {
			PMD_LOG(ERR, "%s: rx queue %u is not set up", pmd->ifname, q);
			return -EINVAL;
		}
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		if (data->tx_queues[q] == NULL) {
			PMD_LOG(ERR, "%s: tx queue %u is not set up", pmd->ifname, q);
			return -EINVAL;
		}
	}
	for (q = 0; q < data->nb_rx_queues && ret == 0; q++)
		if (!((const struct rtap_rx_queue *)data->rx_queues[q])->deferred_start)
			ret = rtap_rx_queue_start(dev, q);
	for (q = 0; q < data->nb_tx_queues && ret == 0; q++)
		if (!((const struct rtap_tx_queue *)data->tx_queues[q])->deferred_start)
			ret = rtap_tx_queue_start(dev, q);
	if (ret < 0)
		rtap_queues_stop(dev);
	return ret;
}

/* Release every queue: rings drained and gone before any fd they use is closed. */
void
rtap_queues_release(struct rte_eth_dev *dev)
{
	uint16_t q;

	for (q = 0; q < dev->data->nb_rx_queues; q++)
		rtap_rx_queue_release(dev, q);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		rtap_tx_queue_release(dev, q);
}

/*
 * After a reconfigure: a tx queue ethdev kept whose fd changes with the new
 * rx queue count is released (it must be set up again; start says so), and
 * fds no queue uses any more are closed.
 */
void
rtap_queues_reconfigure(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);
	uint16_t q;

	for (q = 0; q < dev->data->nb_tx_queues; q++)
		if (proc->tx[q] != NULL && proc->tx[q]->fd_index != rtap_tx_fd_index(dev, q))
			rtap_tx_queue_release(dev, q);
	rtap_queue_fds_close(dev, rtap_nb_fds(dev));
}

/* ---- the fd budget ---- */

/*
 * Fds the queues of a configuration hold while the port runs: one TAP fd
 * per rx queue (at least one), one io_uring fd per rx and per tx queue, and
 * with Rx interrupts one eventfd per rx queue. The port's own two (the
 * keep-alive TAP fd and the rtnetlink socket) are held from probe on.
 */
unsigned int
rtap_queue_fds_needed(uint16_t nb_rx, uint16_t nb_tx, bool rxq_intr)
{
	return RTE_MAX(nb_rx, (uint16_t)1) + nb_rx + nb_tx + (rxq_intr ? nb_rx : 0);
}

/* Queue fds the port holds now (in this process). */
static unsigned int
rtap_queue_fds_held(const struct rte_eth_dev *dev)
{
	const struct rtap_proc *proc = rtap_proc(dev);
	unsigned int q, n = 0;

	for (q = 0; q < RTAP_MAX_QUEUES; q++) {
		n += proc->qfd[q] >= 0;
		n += proc->rx[q] != NULL;
		n += proc->tx[q] != NULL;
		n += proc->rxq_efd[q] >= 0;
	}
	return n;
}

/* Open fds numbered below @limit (the ones that take a number open() could use). */
static int
rtap_fds_open_below(unsigned long limit)
{
	struct dirent *e;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		char *end;
		unsigned long fd = strtoul(e->d_name, &end, 10);

		if (e->d_name[0] != '.' && *end == '\0' && fd < limit && (int)fd != dirfd(d))
			n++;
	}
	closedir(d);
	return n;
}

/*
 * At configure: can this process open the fds the new configuration needs
 * under RLIMIT_NOFILE? Refused with -EMFILE and a log line naming the limit
 * and the count, rather than a queue setup or the start failing halfway
 * through. Exact for this process as it is now: open fds below the limit
 * (the only ones that take a number open() could give), less the queue fds
 * the port already holds, plus what the configuration holds, plus
 * RTAP_FDS_TRANSIENT (see rtap.h). EAL's own fds (a hugepage file or memfd
 * when the heap grows) are not counted.
 */
int
rtap_fds_check(struct rte_eth_dev *dev)
{
	const struct rte_eth_dev_data *data = dev->data;
	const struct rtap_pmd *pmd = data->dev_private;
	bool intr = data->dev_conf.intr_conf.rxq != 0;
	unsigned int need = rtap_queue_fds_needed(data->nb_rx_queues, data->nb_tx_queues, intr);
	/* fds= beyond the rx queues: held (and counted in held) all the same */
	unsigned int tap_fds = RTE_MAX(data->nb_rx_queues, 1);
	unsigned int spare = pmd->nb_inherited > tap_fds ? pmd->nb_inherited - tap_fds : 0;
	unsigned int held = rtap_queue_fds_held(dev);
	struct rlimit rl;
	int open_now;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 0;
	open_now = rtap_fds_open_below(rl.rlim_cur);
	if (open_now < 0)
		return 0; /* no /proc: the setups will say it if it comes to that */
	need += spare;
	if ((unsigned long)open_now - held + need + RTAP_FDS_TRANSIENT <= rl.rlim_cur)
		return 0;
	PMD_LOG(ERR,
		"%s: %u rx and %u tx queues need %u fds (per rx queue 1 TAP + 1 io_uring%s, per tx queue 1 io_uring) and %u for a moment, %u of them not yet open; %d fds are open and RLIMIT_NOFILE is %lu: raise it to at least %lu (EAL raises the soft limit, ulimit -n, to the hard one, ulimit -Hn, at init)",
		pmd->ifname, data->nb_rx_queues, data->nb_tx_queues, need,
		intr ? " + 1 eventfd" : "", RTAP_FDS_TRANSIENT, need - held, open_now,
		(unsigned long)rl.rlim_cur,
		(unsigned long)open_now - held + need + RTAP_FDS_TRANSIENT);
	return -EMFILE;
}

/* rte_eth_rx_queue_info_get(): what the queue was set up with. */
void
rtap_rxq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_rxq_info *qinfo)
{
	const struct rtap_rx_queue *rxq = dev->data->rx_queues[queue_id];
	const struct rtap_rx_ring *r = rtap_proc(dev)->rx[queue_id];

	qinfo->mp = rxq->mp;
	qinfo->nb_desc = rxq->nb_desc;
	qinfo->scattered_rx = r != NULL && r->nb_segs > 1;
	qinfo->rx_buf_size = r != NULL ? r->seg_room : 0;
	qinfo->conf.rx_deferred_start = rxq->deferred_start;
	qinfo->conf.offloads = dev->data->dev_conf.rxmode.offloads;
	qinfo->queue_state = dev->data->rx_queue_state[queue_id];
}

void
rtap_txq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_txq_info *qinfo)
{
	const struct rtap_tx_queue *txq = dev->data->tx_queues[queue_id];
	const struct rtap_tx_ring *r = rtap_proc(dev)->tx[queue_id];

	qinfo->nb_desc = txq->nb_desc;
	qinfo->conf.tx_deferred_start = txq->deferred_start;
	qinfo->conf.offloads = dev->data->dev_conf.txmode.offloads |
		(r != NULL && r->fast_free ? RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE : 0);
	qinfo->queue_state = dev->data->tx_queue_state[queue_id];
}
