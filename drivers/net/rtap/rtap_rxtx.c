/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * The data path: the burst functions and what they call per packet, nothing
 * else. No logging, no allocation but mbufs, no control call, and at most one
 * io_uring enter per burst. Everything a burst needs was cached in its ring
 * when the queue was set up or started (rtap_queue.c).
 *
 * rx: up to RTAP_RX_READS one-shot reads in flight into fresh mbufs (chains
 * when scattering), the virtio-net header landing in the headroom just
 * before the packet data. A burst collects completions, refills in bulk and
 * submits once. Reads are only ever posted here, by the polling lcore, so
 * their completion work runs on it and never on the control thread.
 *
 * tx: one write per packet, the header in the headroom when the mbuf is ours
 * alone, else in a per-slot header through an iovec. A burst reaps
 * completions before and after its single submit, so mbufs go back to their
 * pool at once and the counters are current when it returns.
 */

#include <errno.h>
#include <limits.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_net.h>
#include <ethdev_driver.h>

#include "rtap.h"
#include "rtap_vnet.h"

static inline void
rtap_sqe_fixed(struct io_uring_sqe *sqe, uint16_t slot)
{
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, slot);
}

/* ---- rx ---- */

struct rtap_rx_tally {
	uint64_t bytes;
	uint64_t errors;
	uint64_t truncated;
};

/*
 * Mbufs for up to @n reads into r->scratch; returns for how many reads. Short
 * of mbufs, it takes as many whole reads as the pool has, and counts what the
 * first read it could not fill lacked (rx_nombuf: mbufs asked for, not had).
 */
static inline unsigned int
rtap_rx_alloc(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq, unsigned int n)
{
	unsigned int segs = r->nb_segs, got, k;
	struct rte_mbuf **slot;

	if (likely(rte_pktmbuf_alloc_bulk(r->mp, r->scratch, n * segs) == 0))
		return n;
	for (got = 0; got < n; got++)
		if (rte_pktmbuf_alloc_bulk(r->mp, &r->scratch[got * segs], segs) != 0)
			break;
	if (got == n)
		return n;
	slot = &r->scratch[got * segs];
	for (k = 0; k < segs; k++) {
		slot[k] = rte_pktmbuf_alloc(r->mp);
		if (slot[k] == NULL)
			break;
	}
	rxq->stats.nombuf += segs - k;
	if (k > 0)
		rte_pktmbuf_free_bulk(slot, k);
	return got;
}

/* Post a read on every free slot, as far as mbufs and the SQ allow. */
static inline unsigned int
rtap_rx_post(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq)
{
	struct rtap_ring *ring = &r->ring;
	unsigned int n = RTE_MIN((unsigned int)ring->nb_free, io_uring_sq_space_left(&ring->io));
	unsigned int segs = r->nb_segs, i, got;

	if (n == 0)
		return 0;
	got = rtap_rx_alloc(r, rxq, n);
	for (i = 0; i < got; i++) {
		struct rte_mbuf **chain = &r->scratch[i * segs];
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring->io);
		uint16_t slot = rtap_slot_get(ring, chain[0]);

		if (likely(segs == 1)) {
			io_uring_prep_read(sqe, 0, rtap_vnet_rx_hdr(chain[0]),
					   RTAP_VNET_HDR_LEN + r->seg_room, 0);
		} else {
			struct iovec *iov = &r->iov[(size_t)slot * r->max_segs];
			unsigned int k;

			rtap_rx_chain_link(chain, segs);
			iov[0].iov_base = rtap_vnet_rx_hdr(chain[0]);
			iov[0].iov_len = RTAP_VNET_HDR_LEN + r->seg_room;
			for (k = 1; k < segs; k++) {
				iov[k].iov_base = rte_pktmbuf_mtod(chain[k], void *);
				iov[k].iov_len = r->seg_room;
			}
			io_uring_prep_readv(sqe, 0, iov, segs, 0);
		}
		rtap_sqe_fixed(sqe, slot);
	}
	return got;
}

/*
 * Keep the reads in flight, then at most one enter into the kernel, which
 * under COOP_TASKRUN also runs the completion work the kernel flagged (its
 * completions are collected by the next burst).
 */
static inline void
rtap_rx_refill(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq)
{
	struct io_uring *io = &r->ring.io;

	if (r->ring.nb_free > 0 && rtap_rx_post(r, rxq) > 0) {
		if (r->coop)
			io_uring_submit_and_get_events(io);
		else
			io_uring_submit(io);
	} else if (r->coop && (IO_URING_READ_ONCE(*io->sq.kflags) & IORING_SQ_TASKRUN)) {
		io_uring_get_events(io);
	}
}

/*
 * One completed read into @m, @res bytes with the header. Returns true when
 * @m is a packet for the application, else frees it.
 */
static inline bool
rtap_rx_complete(struct rtap_rx_ring *r, struct rte_mbuf *m, int32_t res, struct rtap_rx_tally *t)
{
	if (likely(res > RTAP_VNET_HDR_LEN && (uint32_t)(res - RTAP_VNET_HDR_LEN) < r->capacity)) {
		uint32_t len = res - RTAP_VNET_HDR_LEN;

		if (likely(r->nb_segs == 1)) {
			m->data_len = (uint16_t)len;
			m->pkt_len = len;
		} else {
			rtap_rx_chain_trim(m, len, r->seg_room);
		}
		m->port = r->rxq->port_id;
		if (r->ol != 0 && unlikely(rtap_vnet_rx(rtap_vnet_rx_hdr(m), m, r->ol) < 0)) {
			rte_pktmbuf_free(m);
			t->errors++;
			return false;
		}
		t->bytes += len;
		return true;
	}
	rte_pktmbuf_free(m);
	if (res >= RTAP_VNET_HDR_LEN)
		t->truncated++; /* filled the whole buffer: too big, dropped, never cut */
	else
		t->errors++;
	return false;
}

/* Errors that end a read; counted unless they are teardown or a gone device. */
static inline void
rtap_rx_error(struct rtap_rx_ring *r, int32_t res, struct rtap_rx_tally *t)
{
	if (res == -EBADFD)
		r->ring.dead = true; /* interface deleted: post nothing more */
	else if (res != -ECANCELED && res != -EAGAIN)
		t->errors++; /* -EAGAIN: another read took the frame (some kernels) */
}

uint16_t
rtap_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct rtap_rx_queue *rxq = queue;
	struct rtap_rx_ring *r = rtap_proc(&rte_eth_devices[rxq->port_id])->rx[rxq->queue_id];
	struct rtap_rx_tally t = { 0 };
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0;
	uint16_t nb_rx = 0;

	if (unlikely(r == NULL || !rtap_ring_running(&r->ring)))
		return 0;

	io_uring_for_each_cqe(&r->ring.io, head, cqe) {
		struct rte_mbuf *m;

		if (nb_rx == nb_pkts)
			break;
		seen++;
		if (unlikely(cqe->user_data >= r->ring.nb_slots))
			continue; /* not a read: a cancel left over from a stop */
		m = rtap_slot_put(&r->ring, (uint16_t)cqe->user_data);
		if (unlikely(cqe->res < 0)) {
			rte_pktmbuf_free(m);
			rtap_rx_error(r, cqe->res, &t);
		} else if (rtap_rx_complete(r, m, cqe->res, &t)) {
			pkts[nb_rx++] = m;
		}
	}
	io_uring_cq_advance(&r->ring.io, seen);

	if (likely(!r->ring.dead))
		rtap_rx_refill(r, rxq);
	rxq->stats.packets += nb_rx;
	rxq->stats.bytes += t.bytes;
	rxq->stats.errors += t.errors;
	rxq->stats.truncated += t.truncated;
	return nb_rx;
}

/* ---- tx ---- */

/*
 * Give @n completed mbufs back. With MBUF_FAST_FREE (one pool, refcnt 1,
 * direct) a single-segment mbuf needs no reference or chain handling: it
 * goes back to its pool as it is.
 */
static inline void
rtap_tx_free(struct rtap_tx_ring *r, unsigned int n)
{
	unsigned int i, k = 0;

	if (!r->fast_free || n == 0) {
		rte_pktmbuf_free_bulk(r->done, n);
		return;
	}
	for (i = 0; i < n; i++) {
		if (likely(r->done[i]->nb_segs == 1))
			r->done[k++] = r->done[i];
		else
			rte_pktmbuf_free(r->done[i]);
	}
	if (k > 0)
		rte_mempool_put_bulk(r->done[0]->pool, (void **)r->done, k);
}

/* Free up to @max requests the kernel has finished with; returns how many. */
static inline unsigned int
rtap_tx_reap(struct rtap_tx_ring *r, struct rtap_tx_queue *txq, unsigned int max)
{
	uint64_t packets = 0, bytes = 0, errors = 0;
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0, n = 0;

	io_uring_for_each_cqe(&r->ring.io, head, cqe) {
		struct rte_mbuf *m;

		if (n == max)
			break;
		seen++;
		if (unlikely(cqe->user_data >= r->ring.nb_slots))
			continue;
		m = rtap_slot_put(&r->ring, (uint16_t)cqe->user_data);
		r->done[n++] = m;
		if (likely(cqe->res > 0)) {
			packets++;
			bytes += m->pkt_len;
		} else {
			errors++; /* -EIO: interface down; -EINVAL: bad frame */
			if (cqe->res == -EBADFD)
				r->ring.dead = true;
		}
	}
	if (seen == 0)
		return 0;
	io_uring_cq_advance(&r->ring.io, seen);
	rtap_tx_free(r, n);
	txq->stats.packets += packets;
	txq->stats.bytes += bytes;
	txq->stats.errors += errors;
	return n;
}

/* May the virtio-net header (and offload fix-ups) go into the packet's own bytes? */
static inline bool
rtap_tx_headroom_ok(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
		rte_pktmbuf_headroom(m) >= RTAP_VNET_HDR_LEN;
}

/*
 * Build the write of @m into slot @slot's iovecs: the virtio-net header in the
 * headroom when the packet is ours alone, else in the slot, with a copy of
 * the headers when an offload must change them. Returns the iovec count or
 * -EINVAL for a request the kernel could not carry out.
 */
static inline int
rtap_tx_iov(struct rtap_tx_ring *r, uint16_t slot, struct rte_mbuf *m)
{
	struct iovec *iov = &r->iov[(size_t)slot * RTAP_TX_IOVS];
	struct rtap_tx_hdr *th = &r->hdr[slot];
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	bool own = rtap_tx_headroom_ok(m);
	struct virtio_net_hdr *vh = own ? (void *)(data - RTAP_VNET_HDR_LEN) : &th->vh;
	uint8_t *hdrs = data;
	uint32_t skip = 0;
	struct rte_mbuf *seg;
	int n;

	if (unlikely(rtap_vnet_tx_check(m) < 0))
		return -EINVAL;
	if (!own && rtap_vnet_tx_rewrites(m)) {
		skip = rtap_vnet_tx_hdr_len(m);
		memcpy(th->copy, data, skip);
		hdrs = th->copy;
	}
	rtap_vnet_tx(vh, m, hdrs);

	if (own) {
		iov[0].iov_base = vh;
		iov[0].iov_len = RTAP_VNET_HDR_LEN + m->data_len;
		n = 1;
	} else {
		iov[0].iov_base = th;
		iov[0].iov_len = RTAP_VNET_HDR_LEN + skip;
		n = 1;
		if (m->data_len > skip) {
			iov[1].iov_base = data + skip;
			iov[1].iov_len = m->data_len - skip;
			n = 2;
		}
	}
	for (seg = m->next; seg != NULL; seg = seg->next, n++) {
		iov[n].iov_base = rte_pktmbuf_mtod(seg, void *);
		iov[n].iov_len = seg->data_len;
	}
	return n;
}

uint16_t
rtap_tx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	struct rtap_tx_queue *txq = queue;
	struct rtap_tx_ring *r = rtap_proc(&rte_eth_devices[txq->port_id])->tx[txq->queue_id];
	struct rtap_ring *ring;
	uint16_t i, n, nb_sqe = 0;
	uint64_t dropped = 0;

	if (unlikely(r == NULL || !rtap_ring_running(&r->ring)))
		return 0;
	ring = &r->ring;

	rtap_tx_reap(r, txq, UINT_MAX);

	if (unlikely(ring->dead)) {
		/* The interface is gone: nothing will take these. */
		rte_pktmbuf_free_bulk(pkts, nb_pkts);
		txq->stats.errors += nb_pkts;
		return nb_pkts;
	}

	/* A full ring, or under SQPOLL a full SQ, is back-pressure: take fewer. */
	n = (uint16_t)RTE_MIN(RTE_MIN((unsigned int)nb_pkts, (unsigned int)ring->nb_free),
			      io_uring_sq_space_left(&ring->io));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct io_uring_sqe *sqe;

		if (likely(m->nb_segs == 1 && !(m->ol_flags & RTAP_TX_OL_MASK) &&
			   rtap_tx_headroom_ok(m))) {
			char *hdr = rte_pktmbuf_mtod(m, char *) - RTAP_VNET_HDR_LEN;

			memset(hdr, 0, RTAP_VNET_HDR_LEN);
			sqe = io_uring_get_sqe(&ring->io);
			io_uring_prep_write(sqe, 0, hdr, m->data_len + RTAP_VNET_HDR_LEN, 0);
		} else {
			uint16_t slot = ring->free_slots[ring->nb_free - 1];
			int nvec = rtap_tx_iov(r, slot, m);

			if (unlikely(nvec < 0)) {
				/* Nothing the kernel could carry out: count it, drop it. */
				rte_pktmbuf_free(m);
				dropped++;
				continue;
			}
			sqe = io_uring_get_sqe(&ring->io);
			io_uring_prep_writev(sqe, 0, &r->iov[(size_t)slot * RTAP_TX_IOVS], nvec, 0);
		}
		rtap_sqe_fixed(sqe, rtap_slot_get(ring, m));
		nb_sqe++;
	}

	if (nb_sqe > 0) {
		io_uring_submit(&ring->io);
		/* TAP writes complete during the submit: collect them now. */
		rtap_tx_reap(r, txq, UINT_MAX);
	}
	if (unlikely(dropped))
		txq->stats.errors += dropped;
	return n;
}

/*
 * rte_eth_tx_prepare(): refuse what tx_burst would drop (the same check) and
 * fill the pseudo-header checksums the offloads need, as DPDK defines them.
 */
uint16_t
rtap_tx_prepare(void *queue __rte_unused, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t i;
	int ret;

	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];

		if (rtap_vnet_tx_check(m) < 0) {
			rte_errno = EINVAL;
			return i;
		}
#ifdef RTE_LIBRTE_ETHDEV_DEBUG
		ret = rte_validate_tx_offload(m);
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
#endif
		ret = rte_net_intel_cksum_prepare(m);
		if (ret != 0) {
			rte_errno = -ret;
			return i;
		}
	}
	return i;
}

/*
 * rte_eth_tx_done_cleanup(): free up to @free_cnt (0: all) transmitted mbufs.
 * What the kernel finished but has not yet posted (task work, or an SQPOLL
 * thread) is collected with one enter.
 */
int
rtap_tx_done_cleanup(void *queue, uint32_t free_cnt)
{
	struct rtap_tx_queue *txq = queue;
	struct rtap_tx_ring *r = rtap_proc(&rte_eth_devices[txq->port_id])->tx[txq->queue_id];
	unsigned int max = free_cnt == 0 ? UINT_MAX : free_cnt;
	unsigned int n;

	if (r == NULL)
		return -ENODEV;
	n = rtap_tx_reap(r, txq, max);
	if (n < max && rtap_ring_busy(&r->ring) > 0) {
		io_uring_get_events(&r->ring.io);
		n += rtap_tx_reap(r, txq, max - n);
	}
	return (int)RTE_MIN(n, (unsigned int)INT_MAX);
}

/* rte_eth_rx_queue_count(): frames read and waiting for a burst. */
RTAP_RX_QUEUE_COUNT_RET
rtap_rx_queue_count(void *queue)
{
	struct rtap_rx_queue *rxq = queue;
	struct rtap_rx_ring *r = rtap_proc(&rte_eth_devices[rxq->port_id])->rx[rxq->queue_id];

	return r != NULL ? (RTAP_RX_QUEUE_COUNT_RET)io_uring_cq_ready(&r->ring.io) : 0;
}

/*
 * rte_eth_rx_descriptor_status(): the first completions are DONE, reads in
 * flight AVAIL; the rest of nb_desc is not posted (at most RTAP_RX_READS are).
 */
int
rtap_rx_descriptor_status(void *queue, uint16_t offset)
{
	struct rtap_rx_queue *rxq = queue;
	struct rtap_rx_ring *r = rtap_proc(&rte_eth_devices[rxq->port_id])->rx[rxq->queue_id];

	if (offset >= rxq->nb_desc)
		return -EINVAL;
	if (r == NULL)
		return RTE_ETH_RX_DESC_UNAVAIL;
	if (offset < io_uring_cq_ready(&r->ring.io))
		return RTE_ETH_RX_DESC_DONE;
	if (offset < rtap_ring_busy(&r->ring))
		return RTE_ETH_RX_DESC_AVAIL;
	return RTE_ETH_RX_DESC_UNAVAIL;
}

/* rte_eth_tx_descriptor_status(): writes not yet reaped are FULL, the rest DONE. */
int
rtap_tx_descriptor_status(void *queue, uint16_t offset)
{
	struct rtap_tx_queue *txq = queue;
	struct rtap_tx_ring *r = rtap_proc(&rte_eth_devices[txq->port_id])->tx[txq->queue_id];

	if (offset >= txq->nb_desc)
		return -EINVAL;
	if (r != NULL && offset < rtap_ring_busy(&r->ring))
		return RTE_ETH_TX_DESC_FULL;
	return RTE_ETH_TX_DESC_DONE;
}
