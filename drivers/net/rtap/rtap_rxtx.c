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

/*
 * What a burst counts per packet, added to the queue's shared counters once
 * at its end: the packet's size bucket and whether its destination is a
 * group address (one test of a byte the kernel has just written) always;
 * offload outcomes only on the paths that do offload work.
 */
struct rtap_rx_tally {
	const struct rtap_filter *filter; /* NULL with promiscuous mode on */
	uint32_t max_len;		  /* the ring's, read once per burst */
	unsigned int ol;		  /* the ring's RTAP_RX_OL_*, read once per burst */
	uint64_t bytes;
	uint32_t errors;
	uint32_t truncated;
	uint32_t size[RTAP_NB_SIZES];
	uint32_t mcast;
	uint32_t bcast;
	uint32_t bad_hdr;
	uint32_t multiseg;
	uint32_t enters;
	uint32_t submits;
	uint32_t olc[RTAP_RXX_LRO - RTAP_RXX_L4_GOOD + 1]; /* outcomes: RTAP_RXX_L4_GOOD... */
	uint32_t csum_bad;
	uint32_t oversize;
	uint32_t filtered;
	uint32_t nombuf;
};

/* The checksum and LRO outcome of a packet an rx offload looked at. */
static inline void
rtap_rx_count_ol(struct rtap_rx_tally *t, const struct rte_mbuf *m)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	uint64_t ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;

	if (l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD)
		t->olc[RTAP_RXX_L4_GOOD - RTAP_RXX_L4_GOOD]++;
	else if (l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		t->olc[RTAP_RXX_L4_BAD - RTAP_RXX_L4_GOOD]++;
	else if (l4 == RTE_MBUF_F_RX_L4_CKSUM_NONE)
		t->olc[RTAP_RXX_L4_NONE - RTAP_RXX_L4_GOOD]++;
	if (ip == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
		t->olc[RTAP_RXX_IP_GOOD - RTAP_RXX_L4_GOOD]++;
	else if (ip == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		t->olc[RTAP_RXX_IP_BAD - RTAP_RXX_L4_GOOD]++;
	if (m->ol_flags & RTE_MBUF_F_RX_LRO)
		t->olc[RTAP_RXX_LRO - RTAP_RXX_L4_GOOD]++;
}

/*
 * Mbufs for up to @n reads into r->scratch; returns for how many reads. Short
 * of mbufs, it takes as many whole reads as the pool has, and counts what the
 * first read it could not fill lacked (rx_nombuf: mbufs asked for, not had).
 */
static inline unsigned int
rtap_rx_alloc(struct rtap_rx_ring *r, struct rtap_rx_tally *t, unsigned int n)
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
	t->nombuf += segs - k;
	if (k > 0)
		rte_pktmbuf_free_bulk(slot, k);
	return got;
}

/* Post a read on every free slot, as far as mbufs and the SQ allow. */
static inline unsigned int
rtap_rx_post(struct rtap_rx_ring *r, struct rtap_rx_tally *t)
{
	struct rtap_ring *ring = &r->ring;
	unsigned int n = RTE_MIN((unsigned int)ring->nb_free, io_uring_sq_space_left(&ring->io));
	unsigned int segs = r->nb_segs, i, got;

	if (n == 0)
		return 0;
	got = rtap_rx_alloc(r, t, n);
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
 * completions are collected by the next burst). Under SQPOLL a submit enters
 * only to wake the kernel thread.
 */
static inline void
rtap_rx_refill(struct rtap_rx_ring *r, struct rtap_rx_tally *t)
{
	struct io_uring *io = &r->ring.io;
	unsigned int n;

	if (r->ring.nb_free > 0 && (n = rtap_rx_post(r, t)) > 0) {
		t->submits = n;
		if (r->coop) {
			io_uring_submit_and_get_events(io);
			t->enters = 1;
		} else {
			t->enters = !!(IO_URING_READ_ONCE(*io->sq.kflags) & IORING_SQ_NEED_WAKEUP);
			io_uring_submit(io);
		}
	} else if (r->coop && (IO_URING_READ_ONCE(*io->sq.kflags) & IORING_SQ_TASKRUN)) {
		io_uring_get_events(io);
		t->enters = 1;
	}
}

/*
 * Does the port's receive filter take @m? Its table is a seqlock (struct
 * rtap_filter): read again if the control thread rewrote it meanwhile.
 */
static inline bool
rtap_rx_filter_pass(const struct rtap_filter *f, const struct rte_mbuf *m)
{
	uint64_t dst = rtap_mac_key(rte_pktmbuf_mtod(m, const uint8_t *));
	uint32_t seq;
	bool pass;

	do {
		seq = __atomic_load_n(&f->seq, __ATOMIC_ACQUIRE);
		pass = rtap_vnet_rx_filter_match(f, dst);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (unlikely((seq & 1) != 0 || seq != __atomic_load_n(&f->seq, __ATOMIC_RELAXED)));
	return pass;
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
			t->multiseg += m->nb_segs > 1;
		}
		m->port = r->rxq->port_id;
		/* Promiscuous mode off: the port's addresses only (rtap_filter.c). */
		if (unlikely(t->filter != NULL) && !rtap_rx_filter_pass(t->filter, m)) {
			rte_pktmbuf_free(m);
			t->filtered++;
			return false;
		}
		/* The MTU, as a NIC enforces it (a frame of the MTU never gets here). */
		if (unlikely(len > t->max_len) &&
		    rtap_vnet_rx_oversize(rtap_vnet_rx_hdr(m), m, t->max_len)) {
			rte_pktmbuf_free(m);
			t->oversize++;
			return false;
		}
		if (t->ol != 0) {
			if (unlikely(t->ol & RTAP_RX_OL_VLAN_FILTER) &&
			    !rtap_vnet_rx_vlan_pass(m, r->vlan_tab)) {
				rte_pktmbuf_free(m);
				t->filtered++;
				return false;
			}
			if (unlikely(rtap_vnet_rx(rtap_vnet_rx_hdr(m), m, t->ol) < 0)) {
				rte_pktmbuf_free(m);
				t->errors++;
				t->bad_hdr++;
				return false;
			}
			t->csum_bad += rtap_vnet_rx_csum_bad(m->ol_flags);
			rtap_rx_count_ol(t, m);
		}
		/* Sizes and group addresses as on the wire, before the tag goes. */
		rtap_tally_frame(t->size, &t->mcast, &t->bcast, m);
		/* Last: the checks above read the frame as the kernel sent it. */
		if (unlikely(t->ol & RTAP_RX_OL_VLAN_STRIP))
			rtap_vnet_rx_vlan_strip(m);
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
	unsigned int head, seen = 0, i;
	uint16_t nb_rx = 0;
	uint64_t *xs;

	if (unlikely(r == NULL || !rtap_ring_running(&r->ring)))
		return 0;
	t.max_len = __atomic_load_n(&r->max_len, __ATOMIC_RELAXED);
	t.ol = __atomic_load_n(&r->ol, __ATOMIC_RELAXED);
	if (__atomic_load_n(&r->filter->on, __ATOMIC_ACQUIRE))
		t.filter = r->filter;

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
		rtap_rx_refill(r, &t);
	/* an empty poll that posted nothing has nothing to count */
	if (seen == 0 && t.submits == 0 && t.enters == 0 && t.nombuf == 0)
		return 0;
	rtap_count_begin(&rxq->seq);
	rxq->stats.packets += nb_rx;
	rxq->stats.bytes += t.bytes;
	rxq->stats.errors += t.errors;
	rxq->stats.truncated += t.truncated;
	xs = rxq->xs.v;
	for (i = 0; i < RTAP_NB_SIZES; i++)
		xs[RTAP_RXX_SIZE + i] += t.size[i];
	xs[RTAP_RXX_MCAST] += t.mcast;
	xs[RTAP_RXX_BCAST] += t.bcast;
	xs[RTAP_RXX_BAD_HDR] += t.bad_hdr;
	xs[RTAP_RXX_MULTISEG] += t.multiseg;
	xs[RTAP_RXX_SUBMITS] += t.submits;
	xs[RTAP_RXX_ENTERS] += t.enters;
	xs[RTAP_RXX_CQES] += seen;
	if (t.ol != 0)
		for (i = 0; i < RTE_DIM(t.olc); i++)
			xs[RTAP_RXX_L4_GOOD + i] += t.olc[i];
	rxq->stats.csum_bad += t.csum_bad;
	rxq->stats.oversize += t.oversize;
	rxq->stats.filtered += t.filtered;
	rxq->stats.nombuf += t.nombuf;
	rtap_count_end(&rxq->seq);
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
	uint32_t size[RTAP_NB_SIZES] = { 0 }, mcast = 0, bcast = 0, down = 0, gone = 0;
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0, n = 0, i;
	uint64_t *xs;

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
			rtap_tally_frame(size, &mcast, &bcast, m);
		} else {
			errors++; /* -EIO: interface down; -EINVAL: bad frame */
			if (cqe->res == -EIO) {
				down++;
			} else if (cqe->res == -EBADFD) {
				gone++;
				r->ring.dead = true;
			}
		}
	}
	if (seen == 0)
		return 0;
	io_uring_cq_advance(&r->ring.io, seen);
	rtap_tx_free(r, n);
	rtap_count_begin(&txq->seq);
	txq->stats.packets += packets;
	txq->stats.bytes += bytes;
	txq->stats.errors += errors;
	xs = txq->xs.v;
	for (i = 0; i < RTAP_NB_SIZES; i++)
		xs[RTAP_TXX_SIZE + i] += size[i];
	xs[RTAP_TXX_MCAST] += mcast;
	xs[RTAP_TXX_BCAST] += bcast;
	xs[RTAP_TXX_LINK_DOWN] += down;
	xs[RTAP_TXX_GONE] += gone;
	xs[RTAP_TXX_CQES] += seen;
	rtap_count_end(&txq->seq);
	return n;
}

/* What the packets of a burst's slow path asked for, indexed by RTAP_TXX_* - L4_CSUM. */
struct rtap_tx_ol_tally {
	uint32_t n[RTAP_TXX_MULTISEG - RTAP_TXX_L4_CSUM + 1];
};

static inline void
rtap_tx_count_ol(struct rtap_tx_ol_tally *t, const struct rte_mbuf *m)
{
	uint64_t fl = m->ol_flags;

	if (fl & RTE_MBUF_F_TX_TCP_SEG)
		t->n[RTAP_TXX_TSO - RTAP_TXX_L4_CSUM]++;
	else if (fl & RTE_MBUF_F_TX_UDP_SEG)
		t->n[RTAP_TXX_USO - RTAP_TXX_L4_CSUM]++;
	else if (fl & RTE_MBUF_F_TX_L4_MASK)
		t->n[RTAP_TXX_L4_CSUM - RTAP_TXX_L4_CSUM]++;
	if (fl & RTE_MBUF_F_TX_IP_CKSUM)
		t->n[RTAP_TXX_IP_CSUM - RTAP_TXX_L4_CSUM]++;
	if (m->nb_segs > 1)
		t->n[RTAP_TXX_MULTISEG - RTAP_TXX_L4_CSUM]++;
}

/* May the virtio-net header (and offload fix-ups) go into the packet's own bytes? */
static inline bool
rtap_tx_headroom_ok(const struct rte_mbuf *m)
{
	return rtap_vnet_tx_in_headroom(m);
}

/*
 * Build the write of @m into slot @slot's iovecs: the virtio-net header (and
 * VLAN tags) in the headroom when the packet is ours alone, else in the
 * slot, with a copy of the headers when an offload must change them or tags
 * go in between. Returns the iovec count or -EINVAL for a request the kernel
 * could not carry out.
 */
static inline int
rtap_tx_iov(struct rtap_tx_ring *r, uint16_t slot, struct rte_mbuf *m)
{
	struct iovec *iov = &r->iov[(size_t)slot * RTAP_TX_IOVS];
	struct rtap_tx_hdr *th = &r->hdr[slot];
	uint32_t ins = rtap_vnet_tx_vlan_len(m);
	bool own = rtap_tx_headroom_ok(m);
	struct virtio_net_hdr *vh;
	uint8_t *data, *hdrs;
	uint32_t skip = 0;
	struct rte_mbuf *seg;
	int n;

	if (unlikely(rtap_vnet_tx_check(m) < 0))
		return -EINVAL;
	if (unlikely(ins != 0)) {
		if (own && rte_pktmbuf_headroom(m) >= RTAP_VNET_HDR_LEN + ins) {
			rtap_vnet_tx_vlan_insert(m);
			ins = 0;
		} else {
			own = false; /* the tags go in the slot's copy */
		}
	}
	data = rte_pktmbuf_mtod(m, uint8_t *);
	vh = own ? (void *)(data - RTAP_VNET_HDR_LEN) : &th->vh;
	hdrs = data;
	if (!own && (ins != 0 || rtap_vnet_tx_rewrites(m))) {
		const uint32_t addrs = 2 * RTE_ETHER_ADDR_LEN;

		skip = rtap_vnet_tx_rewrites(m) ? rtap_vnet_tx_hdr_len(m) : 0;
		if (ins != 0) {
			/* The addresses, the tags, then the rest of the headers. */
			skip = RTE_MAX(skip, addrs);
			memcpy(th->copy, data, addrs);
			rtap_vnet_tx_vlan_tags(m, th->copy + addrs);
			memcpy(th->copy + addrs + ins, data + addrs, skip - addrs);
		} else {
			memcpy(th->copy, data, skip);
		}
		hdrs = th->copy;
	}
	rtap_vnet_tx(vh, m, hdrs, ins);

	if (own) {
		iov[0].iov_base = vh;
		iov[0].iov_len = RTAP_VNET_HDR_LEN + m->data_len;
		n = 1;
	} else {
		iov[0].iov_base = th;
		iov[0].iov_len = RTAP_VNET_HDR_LEN + skip + ins;
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
	struct rtap_tx_ol_tally ol = { { 0 } };
	struct rtap_ring *ring;
	uint16_t i, n, nb_sqe = 0;
	uint64_t dropped = 0;
	bool slow = false;

	if (unlikely(r == NULL || !rtap_ring_running(&r->ring)))
		return 0;
	ring = &r->ring;

	rtap_tx_reap(r, txq, UINT_MAX);

	if (unlikely(ring->dead)) {
		/* The interface is gone: nothing will take these. */
		rte_pktmbuf_free_bulk(pkts, nb_pkts);
		rtap_count_begin(&txq->seq);
		txq->stats.errors += nb_pkts;
		txq->xs.v[RTAP_TXX_GONE] += nb_pkts;
		rtap_count_end(&txq->seq);
		return nb_pkts;
	}

	/* A full ring, or under SQPOLL a full SQ, is back-pressure: take fewer. */
	n = (uint16_t)RTE_MIN(RTE_MIN((unsigned int)nb_pkts, (unsigned int)ring->nb_free),
			      io_uring_sq_space_left(&ring->io));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct io_uring_sqe *sqe;

		if (likely(m->nb_segs == 1 &&
			   !(m->ol_flags & (RTAP_TX_OL_MASK | RTAP_TX_VLAN_MASK)) &&
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
			rtap_tx_count_ol(&ol, m);
			slow = true;
			sqe = io_uring_get_sqe(&ring->io);
			io_uring_prep_writev(sqe, 0, &r->iov[(size_t)slot * RTAP_TX_IOVS], nvec, 0);
		}
		rtap_sqe_fixed(sqe, rtap_slot_get(ring, m));
		nb_sqe++;
	}

	if (nb_sqe > 0) {
		/* Under SQPOLL the submit enters the kernel only to wake its thread. */
		uint32_t enters = !r->sqpoll ||
			(IO_URING_READ_ONCE(*ring->io.sq.kflags) & IORING_SQ_NEED_WAKEUP);

		io_uring_submit(&ring->io);
		rtap_count_begin(&txq->seq);
		txq->xs.v[RTAP_TXX_ENTERS] += enters;
		txq->xs.v[RTAP_TXX_SUBMITS] += nb_sqe;
		txq->stats.errors += dropped;
		txq->xs.v[RTAP_TXX_BAD_REQ] += dropped;
		if (slow)
			for (i = 0; i < RTE_DIM(ol.n); i++)
				txq->xs.v[RTAP_TXX_L4_CSUM + i] += ol.n[i];
		rtap_count_end(&txq->seq);
		/* TAP writes complete during the submit: collect them now. */
		rtap_tx_reap(r, txq, UINT_MAX);
	} else if (unlikely(dropped)) {
		rtap_count_begin(&txq->seq);
		txq->stats.errors += dropped;
		txq->xs.v[RTAP_TXX_BAD_REQ] += dropped;
		rtap_count_end(&txq->seq);
	}
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
		ret = rtap_vnet_tx_prepare(m);
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
		rtap_count_begin(&txq->seq);
		txq->xs.v[RTAP_TXX_ENTERS]++;
		rtap_count_end(&txq->seq);
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
