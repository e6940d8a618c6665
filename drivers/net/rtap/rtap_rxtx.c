/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Queue setup and the data path.
 *
 * Each rx queue and each tx queue has its own io_uring, owned by the process
 * that set it up (rings are mmaps and fds: they mean nothing elsewhere). The
 * queue structs ethdev hands to the burst functions live in shared memory and
 * hold the configuration and counters; the burst functions find their ring
 * through the port's process_private.
 *
 * rx: every free slot has a read in flight into a fresh mbuf (a chain when
 * scattering), with the virtio-net header landing in the headroom just before
 * the packet data. rx_burst reaps completions, refills in bulk and submits
 * once.
 *
 * tx: one write per packet, the header in the headroom when the mbuf is ours
 * alone, else in a per-slot header through an iovec. tx_burst reaps
 * completions before and after its single submit, so mbufs go back to their
 * pool at once and the counters are current when it returns.
 *
 * Nothing here allocates, logs or makes a syscall on the data path beyond the
 * one io_uring_enter per burst.
 */

#include <errno.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <ethdev_driver.h>

#include "rtap.h"

#define RTAP_CANCEL_TAG	  UINT64_MAX
#define RTAP_DRAIN_TIMEOUT_MS 1000

static inline struct rtap_proc *
rtap_proc_of(uint16_t port_id)
{
	return rte_eth_devices[port_id].process_private;
}

/* Frame bytes one read holds for @mtu, and how many mbufs it takes. */
uint32_t
rtap_rx_capacity(const struct rte_eth_dev *dev, struct rte_mempool *mp, uint16_t mtu,
		 uint16_t *nb_segs)
{
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	uint32_t frame = (uint32_t)mtu + RTAP_FRAME_OVERHEAD;
	uint32_t segs = 1;

	/* One byte more than the largest frame, so a full read means "too big". */
	if (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER)
		segs = RTE_MIN((frame + room) / room, (uint32_t)RTAP_RX_MAX_SEGS);
	*nb_segs = segs;
	return segs * room;
}

uint32_t
rtap_rx_posted_capacity(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = ((struct rtap_proc *)dev->process_private)->rx[queue_id];

	return r != NULL ? r->capacity : 0;
}

/* Queue state changes: the pair's fd carries traffic while either queue runs. */
static int
rtap_pair_update(struct rte_eth_dev *dev, uint16_t queue_id)
{
	bool running = dev->data->rx_queue_state[queue_id] == RTE_ETH_QUEUE_STATE_STARTED ||
		       dev->data->tx_queue_state[queue_id] == RTE_ETH_QUEUE_STATE_STARTED;

	return rtap_queue_attach(dev, queue_id, running);
}

/*
 * Cancel everything in flight on @io and reap until nothing is left, handing
 * each completed slot to @done. Bounded: a ring that does not drain in time is
 * reported and left to io_uring_queue_exit().
 */
static void
rtap_ring_drain(struct io_uring *io, uint16_t *in_flight, const char *what,
		void (*done)(void *ctx, uint64_t slot), void *ctx)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned int waited = 0;
	int ret;

	if (*in_flight == 0)
		return;
	sqe = io_uring_get_sqe(io);
	if (sqe != NULL) {
		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
		io_uring_sqe_set_data64(sqe, RTAP_CANCEL_TAG);
	}
	io_uring_submit(io);
	while (*in_flight > 0 && waited < RTAP_DRAIN_TIMEOUT_MS) {
		ret = io_uring_wait_cqe_timeout(io, &cqe, &ts);
		if (ret == -ETIME) {
			waited += 10;
			continue;
		}
		if (ret < 0 && ret != -EINTR) {
			PMD_LOG(ERR, "%s: io_uring_wait_cqe: %s", what, strerror(-ret));
			break;
		}
		if (ret < 0)
			continue;
		if (cqe->user_data != RTAP_CANCEL_TAG) {
			done(ctx, cqe->user_data);
			(*in_flight)--;
		}
		io_uring_cqe_seen(io, cqe);
	}
	if (*in_flight > 0)
		PMD_LOG(ERR, "%s: %u requests still in flight after %u ms", what, *in_flight,
			RTAP_DRAIN_TIMEOUT_MS);
}

static int
rtap_ring_init(struct io_uring *io, uint16_t nb_desc, const char *what)
{
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	ret = io_uring_queue_init_params(rte_align32pow2(nb_desc), io, &p);
	if (ret < 0) {
		PMD_LOG(ERR, "%s: io_uring_queue_init(%u): %s", what, nb_desc, strerror(-ret));
		return ret;
	}
	/* Iovecs are read at submission; queue-owned storage relies on it too. */
	if (!(p.features & IORING_FEAT_SUBMIT_STABLE)) {
		PMD_LOG(ERR, "%s: kernel io_uring lacks IORING_FEAT_SUBMIT_STABLE", what);
		io_uring_queue_exit(io);
		return -ENOTSUP;
	}
	return 0;
}

/* ---- rx ---- */

static void
rtap_rx_slot_done(void *ctx, uint64_t slot)
{
	struct rtap_rx_ring *r = ctx;

	rte_pktmbuf_free(r->slot_mbuf[slot]);
	r->slot_mbuf[slot] = NULL;
	r->free_slots[r->nb_free++] = (uint16_t)slot;
}

/* Post a read on every free slot (as far as mbufs allow) and submit once. */
static void
rtap_rx_refill(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq)
{
	uint16_t segs = r->nb_segs;
	bool posted = false;

	while (r->nb_free > 0) {
		uint16_t n = RTE_MIN(r->nb_free, (uint16_t)RTAP_REFILL_BATCH);
		uint16_t i, k;

		if (unlikely(rte_pktmbuf_alloc_bulk(r->mp, r->scratch, n * segs) != 0)) {
			rxq->stats.nombuf += n;
			break;
		}
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&r->io);
			struct rte_mbuf *head = r->scratch[i * segs];
			uint16_t slot = r->free_slots[--r->nb_free];
			char *start = rte_pktmbuf_mtod(head, char *) - RTAP_VNET_HDR_LEN;

			if (likely(segs == 1)) {
				io_uring_prep_read(sqe, r->fd, start, RTAP_VNET_HDR_LEN + r->seg_room,
						   0);
			} else {
				struct iovec *iov = &r->iov[(size_t)slot * r->max_segs];
				struct rte_mbuf *prev = head;

				iov[0].iov_base = start;
				iov[0].iov_len = RTAP_VNET_HDR_LEN + r->seg_room;
				for (k = 1; k < segs; k++) {
					struct rte_mbuf *seg = r->scratch[i * segs + k];

					prev->next = seg;
					prev = seg;
					iov[k].iov_base = rte_pktmbuf_mtod(seg, void *);
					iov[k].iov_len = r->seg_room;
				}
				io_uring_prep_readv(sqe, r->fd, iov, segs, 0);
			}
			io_uring_sqe_set_data64(sqe, slot);
			r->slot_mbuf[slot] = head;
		}
		posted = true;
	}
	if (posted)
		io_uring_submit(&r->io);
}

/* Trim a chain to @len bytes of frame; the unused tail goes back to the pool. */
static inline void
rtap_rx_chain_finish(struct rte_mbuf *head, uint32_t len, uint16_t room)
{
	struct rte_mbuf *seg = head, *last = head;
	uint16_t n = 0;

	head->pkt_len = len;
	while (len > 0) {
		seg->data_len = RTE_MIN(len, (uint32_t)room);
		len -= seg->data_len;
		last = seg;
		seg = seg->next;
		n++;
	}
	last->next = NULL;
	head->nb_segs = n;
	if (seg != NULL)
		rte_pktmbuf_free(seg);
}

uint16_t
rtap_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct rtap_rx_queue *rxq = queue;
	struct rtap_rx_ring *r = rtap_proc_of(rxq->port_id)->rx[rxq->queue_id];
	uint64_t bytes = 0, errors = 0, truncated = 0;
	struct io_uring_cqe *cqe;
	uint16_t nb_rx = 0;
	unsigned int head, seen = 0;

	if (unlikely(r == NULL || !r->started))
		return 0;

	io_uring_for_each_cqe(&r->io, head, cqe) {
		uint16_t slot = (uint16_t)cqe->user_data;
		struct rte_mbuf *m = r->slot_mbuf[slot];
		int32_t res = cqe->res;

		if (nb_rx == nb_pkts)
			break;
		seen++;
		r->slot_mbuf[slot] = NULL;
		r->free_slots[r->nb_free++] = slot;

		if (likely(res > RTAP_VNET_HDR_LEN &&
			   (uint32_t)(res - RTAP_VNET_HDR_LEN) < r->capacity)) {
			uint32_t len = res - RTAP_VNET_HDR_LEN;

			if (likely(r->nb_segs == 1)) {
				m->data_len = (uint16_t)len;
				m->pkt_len = len;
			} else {
				rtap_rx_chain_finish(m, len, r->seg_room);
			}
			m->port = rxq->port_id;
			bytes += len;
			pkts[nb_rx++] = m;
			continue;
		}

		rte_pktmbuf_free(m);
		if (res >= RTAP_VNET_HDR_LEN && (uint32_t)(res - RTAP_VNET_HDR_LEN) >= r->capacity)
			truncated++;	/* bigger than the buffer: dropped, never cut */
		else if (res == -EBADFD)
			r->dead = true;	/* interface deleted */
		else if (res != -ECANCELED)
			errors++;
	}
	io_uring_cq_advance(&r->io, seen);

	if (likely(!r->dead) && r->nb_free > 0)
		rtap_rx_refill(r, rxq);

	rxq->stats.packets += nb_rx;
	rxq->stats.bytes += bytes;
	rxq->stats.errors += errors;
	rxq->stats.truncated += truncated;
	return nb_rx;
}

static void
rtap_rx_ring_free(struct rtap_rx_ring *r)
{
	if (r == NULL)
		return;
	rte_free(r->free_slots);
	rte_free(r->slot_mbuf);
	rte_free(r->iov);
	rte_free(r->scratch);
	rte_free(r);
}

int
rtap_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *conf,
		    struct rte_mempool *mp)
{
	struct rtap_proc *proc = dev->process_private;
	struct rtap_rx_queue *rxq = NULL;
	struct rtap_rx_ring *r = NULL;
	uint16_t room, segs, max_segs, i;
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

	max_segs = (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER) ?
			   RTAP_RX_MAX_SEGS :
			   1;
	rxq = rte_zmalloc_socket("rtap_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket_id);
	r = rte_zmalloc_socket("rtap_rx_ring", sizeof(*r), RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL || r == NULL)
		goto nomem;
	r->free_slots = rte_malloc_socket("rtap_rx_slots", nb_desc * sizeof(uint16_t), 0,
					  socket_id);
	r->slot_mbuf = rte_zmalloc_socket("rtap_rx_mbufs", nb_desc * sizeof(struct rte_mbuf *),
					  0, socket_id);
	r->scratch = rte_malloc_socket("rtap_rx_scratch",
				       RTAP_REFILL_BATCH * max_segs * sizeof(struct rte_mbuf *), 0,
				       socket_id);
	if (max_segs > 1)
		r->iov = rte_malloc_socket("rtap_rx_iov",
					   (size_t)nb_desc * max_segs * sizeof(struct iovec), 0,
					   socket_id);
	if (r->free_slots == NULL || r->slot_mbuf == NULL || r->scratch == NULL ||
	    (max_segs > 1 && r->iov == NULL))
		goto nomem;

	ret = rtap_ring_init(&r->io, nb_desc, "rx");
	if (ret < 0)
		goto fail;

	rxq->mp = mp;
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = queue_id;
	rxq->nb_desc = nb_desc;
	rxq->deferred_start = conf != NULL && conf->rx_deferred_start;
	r->rxq = rxq;
	r->mp = mp;
	r->fd = fd;
	r->nb_desc = nb_desc;
	r->max_segs = max_segs;
	r->seg_room = room;
	r->nb_segs = segs;
	r->capacity = cap;
	for (i = 0; i < nb_desc; i++)
		r->free_slots[i] = nb_desc - 1 - i;
	r->nb_free = nb_desc;

	proc->rx[queue_id] = r;
	dev->data->rx_queues[queue_id] = rxq;
	return 0;

nomem:
	PMD_LOG(ERR, "rx queue %u: out of memory", queue_id);
	ret = -ENOMEM;
fail:
	rtap_rx_ring_free(r);
	rte_free(rxq);
	return ret;
}

int
rtap_rx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = ((struct rtap_proc *)dev->process_private)->rx[queue_id];
	struct rtap_rx_queue *rxq = dev->data->rx_queues[queue_id];
	uint32_t cap;
	uint16_t segs;
	int ret;

	if (r == NULL || rxq == NULL)
		return -EINVAL;
	if (r->started)
		return 0;

	/* Size the reads for the MTU in force now. */
	cap = rtap_rx_capacity(dev, r->mp, dev->data->mtu, &segs);
	if ((uint32_t)dev->data->mtu + RTAP_FRAME_OVERHEAD >= cap || segs > r->max_segs) {
		PMD_LOG(ERR, "rx queue %u: MTU %u frames do not fit the queue's buffers",
			queue_id, dev->data->mtu);
		return -EINVAL;
	}
	r->nb_segs = segs;
	r->capacity = cap;

	dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_pair_update(dev, queue_id);
	if (ret < 0) {
		dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		return ret;
	}
	r->dead = false;
	r->started = true;
	rtap_rx_refill(r, rxq);
	return 0;
}

int
rtap_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = ((struct rtap_proc *)dev->process_private)->rx[queue_id];
	uint16_t in_flight;

	if (r == NULL)
		return -EINVAL;
	r->started = false;
	in_flight = r->nb_desc - r->nb_free;
	rtap_ring_drain(&r->io, &in_flight, "rx", rtap_rx_slot_done, r);
	dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
	rtap_pair_update(dev, queue_id);
	return 0;
}

void
rtap_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_proc *proc = dev->process_private;
	struct rtap_rx_ring *r = proc != NULL ? proc->rx[queue_id] : NULL;

	if (r != NULL) {
		if (r->nb_free != r->nb_desc)
			rtap_rx_queue_stop(dev, queue_id);
		/*
		 * A request the drain could not collect may still write into its
		 * mbuf: leave such mbufs to the kernel rather than free them.
		 */
		io_uring_queue_exit(&r->io);
		rtap_rx_ring_free(r);
		proc->rx[queue_id] = NULL;
	}
	rte_free(dev->data->rx_queues[queue_id]);
	dev->data->rx_queues[queue_id] = NULL;
}

/* ---- tx ---- */

/* Free what the kernel has finished with; returns how many mbufs that was. */
static inline uint16_t
rtap_tx_reap(struct rtap_tx_ring *r, struct rtap_tx_queue *txq)
{
	uint64_t packets = 0, bytes = 0, errors = 0;
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;

	io_uring_for_each_cqe(&r->io, head, cqe) {
		uint16_t slot = (uint16_t)cqe->user_data;
		struct rte_mbuf *m = r->slot_mbuf[slot];

		r->slot_mbuf[slot] = NULL;
		r->free_slots[r->nb_free++] = slot;
		r->done[seen++] = m;
		if (likely(cqe->res > 0)) {
			packets++;
			bytes += m->pkt_len;
		} else {
			errors++;	/* -EIO: interface down; -EINVAL: bad frame */
			if (cqe->res == -EBADFD)
				r->dead = true;
		}
	}
	if (seen == 0)
		return 0;
	io_uring_cq_advance(&r->io, seen);
	rte_pktmbuf_free_bulk(r->done, seen);
	txq->stats.packets += packets;
	txq->stats.bytes += bytes;
	txq->stats.errors += errors;
	return seen;
}

/* May the virtio-net header be written into the packet's own headroom? */
static inline bool
rtap_tx_headroom_ok(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
	       rte_pktmbuf_headroom(m) >= RTAP_VNET_HDR_LEN;
}

uint16_t
rtap_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct rtap_tx_queue *txq = queue;
	struct rtap_tx_ring *r = rtap_proc_of(txq->port_id)->tx[txq->queue_id];
	uint16_t i, n, nb_sqe = 0;
	uint64_t dropped = 0;

	if (unlikely(r == NULL || !r->started))
		return 0;

	rtap_tx_reap(r, txq);

	if (unlikely(r->dead)) {
		/* The interface is gone: nothing will take these. */
		rte_pktmbuf_free_bulk(pkts, nb_pkts);
		txq->stats.errors += nb_pkts;
		return nb_pkts;
	}

	n = RTE_MIN(nb_pkts, r->nb_free);
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct io_uring_sqe *sqe;
		uint16_t slot;

		if (unlikely(m->nb_segs > RTAP_TX_MAX_SEGS)) {
			rte_pktmbuf_free(m);
			dropped++;
			continue;
		}
		sqe = io_uring_get_sqe(&r->io);
		slot = r->free_slots[--r->nb_free];

		if (likely(m->nb_segs == 1 && rtap_tx_headroom_ok(m))) {
			char *hdr = rte_pktmbuf_mtod(m, char *) - RTAP_VNET_HDR_LEN;

			memset(hdr, 0, RTAP_VNET_HDR_LEN);
			io_uring_prep_write(sqe, r->fd, hdr, m->data_len + RTAP_VNET_HDR_LEN, 0);
		} else {
			struct iovec *iov = &r->iov[(size_t)slot * (RTAP_TX_MAX_SEGS + 1)];
			struct rte_mbuf *seg = m;
			unsigned int k = 0;

			if (rtap_tx_headroom_ok(m)) {
				iov[0].iov_base = rte_pktmbuf_mtod(m, char *) - RTAP_VNET_HDR_LEN;
				iov[0].iov_len = RTAP_VNET_HDR_LEN + m->data_len;
				memset(iov[0].iov_base, 0, RTAP_VNET_HDR_LEN);
				seg = m->next;
			} else {
				iov[0].iov_base = &r->hdr[slot];
				iov[0].iov_len = RTAP_VNET_HDR_LEN;
			}
			for (k = 1; seg != NULL; seg = seg->next, k++) {
				iov[k].iov_base = rte_pktmbuf_mtod(seg, void *);
				iov[k].iov_len = seg->data_len;
			}
			io_uring_prep_writev(sqe, r->fd, iov, k, 0);
		}
		io_uring_sqe_set_data64(sqe, slot);
		r->slot_mbuf[slot] = m;
		nb_sqe++;
	}

	if (nb_sqe > 0) {
		io_uring_submit(&r->io);
		/* TAP writes complete during the submit: collect them now. */
		rtap_tx_reap(r, txq);
	}
	if (unlikely(dropped))
		txq->stats.errors += dropped;
	return n;
}

int
rtap_tx_done_cleanup(void *queue, uint32_t free_cnt __rte_unused)
{
	struct rtap_tx_queue *txq = queue;
	struct rtap_tx_ring *r = rtap_proc_of(txq->port_id)->tx[txq->queue_id];

	if (r == NULL)
		return -ENODEV;
	return rtap_tx_reap(r, txq);
}

static void
rtap_tx_slot_done(void *ctx, uint64_t slot)
{
	struct rtap_tx_ring *r = ctx;

	rte_pktmbuf_free(r->slot_mbuf[slot]);
	r->slot_mbuf[slot] = NULL;
	r->free_slots[r->nb_free++] = (uint16_t)slot;
}

static void
rtap_tx_ring_free(struct rtap_tx_ring *r)
{
	if (r == NULL)
		return;
	rte_free(r->free_slots);
	rte_free(r->slot_mbuf);
	rte_free(r->done);
	rte_free(r->iov);
	rte_free(r->hdr);
	rte_free(r);
}

int
rtap_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_txconf *conf)
{
	struct rtap_proc *proc = dev->process_private;
	struct rtap_tx_queue *txq = NULL;
	struct rtap_tx_ring *r = NULL;
	uint16_t i;
	int fd, ret;

	if (nb_desc == 0)
		nb_desc = RTAP_DEFAULT_DESC;
	if (nb_desc < RTAP_MIN_DESC || nb_desc > RTAP_MAX_DESC) {
		PMD_LOG(ERR, "tx queue %u: %u descriptors, expected %u to %u", queue_id, nb_desc,
			RTAP_MIN_DESC, RTAP_MAX_DESC);
		return -EINVAL;
	}

	fd = rtap_queue_fd(dev, queue_id);
	if (fd < 0)
		return fd;

	txq = rte_zmalloc_socket("rtap_txq", sizeof(*txq), RTE_CACHE_LINE_SIZE, socket_id);
	r = rte_zmalloc_socket("rtap_tx_ring", sizeof(*r), RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL || r == NULL)
		goto nomem;
	r->free_slots = rte_malloc_socket("rtap_tx_slots", nb_desc * sizeof(uint16_t), 0,
					  socket_id);
	r->slot_mbuf = rte_zmalloc_socket("rtap_tx_mbufs", nb_desc * sizeof(struct rte_mbuf *),
					  0, socket_id);
	r->done = rte_malloc_socket("rtap_tx_done", nb_desc * sizeof(struct rte_mbuf *), 0,
				    socket_id);
	r->iov = rte_malloc_socket("rtap_tx_iov",
				   (size_t)nb_desc * (RTAP_TX_MAX_SEGS + 1) * sizeof(struct iovec),
				   0, socket_id);
	/* Zeroed once: no offloads yet, so every header stays all zero. */
	r->hdr = rte_zmalloc_socket("rtap_tx_hdr", nb_desc * sizeof(struct virtio_net_hdr), 0,
				    socket_id);
	if (r->free_slots == NULL || r->slot_mbuf == NULL || r->done == NULL || r->iov == NULL ||
	    r->hdr == NULL)
		goto nomem;

	ret = rtap_ring_init(&r->io, nb_desc, "tx");
	if (ret < 0)
		goto fail;

	txq->port_id = dev->data->port_id;
	txq->queue_id = queue_id;
	txq->nb_desc = nb_desc;
	txq->deferred_start = conf != NULL && conf->tx_deferred_start;
	r->txq = txq;
	r->fd = fd;
	r->nb_desc = nb_desc;
	for (i = 0; i < nb_desc; i++)
		r->free_slots[i] = nb_desc - 1 - i;
	r->nb_free = nb_desc;

	proc->tx[queue_id] = r;
	dev->data->tx_queues[queue_id] = txq;
	return 0;

nomem:
	PMD_LOG(ERR, "tx queue %u: out of memory", queue_id);
	ret = -ENOMEM;
fail:
	rtap_tx_ring_free(r);
	rte_free(txq);
	return ret;
}

int
rtap_tx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_tx_ring *r = ((struct rtap_proc *)dev->process_private)->tx[queue_id];
	int ret;

	if (r == NULL)
		return -EINVAL;
	if (r->started)
		return 0;
	dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_pair_update(dev, queue_id);
	if (ret < 0) {
		dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		return ret;
	}
	r->dead = false;
	r->started = true;
	return 0;
}

int
rtap_tx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_tx_ring *r = ((struct rtap_proc *)dev->process_private)->tx[queue_id];
	uint16_t in_flight;

	if (r == NULL)
		return -EINVAL;
	r->started = false;
	rtap_tx_reap(r, r->txq);
	in_flight = r->nb_desc - r->nb_free;
	rtap_ring_drain(&r->io, &in_flight, "tx", rtap_tx_slot_done, r);
	dev->data->tx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
	rtap_pair_update(dev, queue_id);
	return 0;
}

void
rtap_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_proc *proc = dev->process_private;
	struct rtap_tx_ring *r = proc != NULL ? proc->tx[queue_id] : NULL;

	if (r != NULL) {
		if (r->nb_free != r->nb_desc)
			rtap_tx_queue_stop(dev, queue_id);
		io_uring_queue_exit(&r->io);
		rtap_tx_ring_free(r);
		proc->tx[queue_id] = NULL;
	}
	rte_free(dev->data->tx_queues[queue_id]);
	dev->data->tx_queues[queue_id] = NULL;
}
