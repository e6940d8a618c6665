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
 * rx has two engines, chosen when the port starts. One-shot (the default):
 * up to RTAP_ONESHOT_READS reads in flight into fresh mbufs or chains;
 * rx_burst refills and submits once. Multishot (rx_engine=multishot, frames
 * that fit one mbuf, kernel 6.7+): one multishot read stays in flight over a
 * ring of provided buffers (the data rooms of free mbufs); rx_burst refills
 * the ring with no submission at all.
 * Either way the virtio-net header lands in the headroom just before the
 * packet data.
 *
 * tx: one write per packet, the header in the headroom when the mbuf is ours
 * alone, else in a per-slot header through an iovec. tx_burst reaps
 * completions before and after its single submit, so mbufs go back to their
 * pool at once and the counters are current when it returns.
 *
 * Nothing here allocates, logs or makes a syscall on the data path beyond the
 * one io_uring_enter per burst.
 */

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>
#include <ethdev_driver.h>

#include "rtap.h"

static_assert(offsetof(struct rtap_tx_hdr, copy) == RTAP_VNET_HDR_LEN,
	      "the header copy must follow the virtio-net header");

#define RTAP_CANCEL_TAG	      UINT64_MAX
#define RTAP_MSHOT_TAG	      (UINT64_MAX - 1)
#define RTAP_DRAIN_TIMEOUT_MS 1000
#define RTAP_RX_BGID	      0
#define RTAP_SQ_IDLE_MS	      1000
/* Not in older liburing headers; kernel ABI number (6.7+). */
#define RTAP_OP_READ_MULTISHOT 49

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
 * Cancel everything in flight on @io and reap until nothing is left; @done
 * handles each CQE and says how many requests it finished. Bounded: a ring
 * that does not drain in time is reported and left to io_uring_queue_exit().
 */
static void
rtap_ring_drain(struct io_uring *io, unsigned int in_flight, const char *what,
		unsigned int (*done)(void *ctx, const struct io_uring_cqe *cqe), void *ctx)
{
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	unsigned int waited = 0;
	int ret;

	if (in_flight == 0)
		return;
	sqe = io_uring_get_sqe(io);
	if (sqe != NULL) {
		io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY | IORING_ASYNC_CANCEL_ALL);
		io_uring_sqe_set_data64(sqe, RTAP_CANCEL_TAG);
	}
	io_uring_submit(io);
	while (in_flight > 0 && waited < RTAP_DRAIN_TIMEOUT_MS) {
		ret = io_uring_wait_cqe_timeout(io, &cqe, &ts);
		if (ret == -ETIME) {
			waited += 10;
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret < 0) {
			PMD_LOG(ERR, "%s: io_uring_wait_cqe: %s", what, strerror(-ret));
			break;
		}
		if (cqe->user_data != RTAP_CANCEL_TAG)
			in_flight -= RTE_MIN(in_flight, done(ctx, cqe));
		io_uring_cqe_seen(io, cqe);
	}
	if (in_flight > 0)
		PMD_LOG(ERR, "%s: %u requests still in flight after %u ms", what, in_flight,
			RTAP_DRAIN_TIMEOUT_MS);
}

/*
 * Create a queue's ring in the port's io mode, with the queue pair's fd as
 * fixed file 0 (no file lookup and reference per request).
 */
static int
rtap_ring_init(struct rte_eth_dev *dev, struct io_uring *io, uint16_t nb_desc, int fd,
	       const char *what)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = dev->process_private;
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	switch (pmd->io_mode) {
	case RTAP_IO_COOP:
		p.flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
		break;
	case RTAP_IO_SQPOLL:
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = RTAP_SQ_IDLE_MS;
		/* One kernel thread serves every ring of the port. */
		if (proc->sq_fd >= 0) {
			p.flags |= IORING_SETUP_ATTACH_WQ;
			p.wq_fd = proc->sq_fd;
		}
		break;
	default:
		break;
	}
	ret = io_uring_queue_init_params(rte_align32pow2(nb_desc), io, &p);
	if (ret < 0) {
		PMD_LOG(ERR, "%s: io_uring_queue_init(%u, flags %#x): %s", what, nb_desc, p.flags,
			strerror(-ret));
		return ret;
	}
	/* Iovecs are read at submission; queue-owned storage relies on it too. */
	if (!(p.features & IORING_FEAT_SUBMIT_STABLE)) {
		PMD_LOG(ERR, "%s: kernel io_uring lacks IORING_FEAT_SUBMIT_STABLE", what);
		ret = -ENOTSUP;
		goto fail;
	}
	ret = io_uring_register_files(io, &fd, 1);
	if (ret < 0) {
		PMD_LOG(ERR, "%s: io_uring_register_files: %s", what, strerror(-ret));
		goto fail;
	}
	if (pmd->io_mode == RTAP_IO_SQPOLL && proc->sq_fd < 0)
		proc->sq_fd = io->ring_fd;
	return 0;
fail:
	io_uring_queue_exit(io);
	return ret;
}

/*
 * Tear a ring down. The ring's own release is asynchronous and would keep the
 * registered TAP fd (and so the interface) alive for a while: drop the file
 * table first, which is synchronous.
 */
static void
rtap_ring_exit(struct io_uring *io)
{
	int ret = io_uring_unregister_files(io);

	if (ret < 0 && ret != -ENXIO)
		PMD_LOG(ERR, "io_uring_unregister_files: %s", strerror(-ret));
	io_uring_queue_exit(io);
}

static inline void
rtap_sqe_fixed(struct io_uring_sqe *sqe)
{
	sqe->flags |= IOSQE_FIXED_FILE;
}

/* Does this kernel have multishot read and provided buffer rings? Asked once. */
static bool
rtap_multishot_supported(struct io_uring *io)
{
	static int supported = -1;
	struct io_uring_probe *probe;

	if (supported >= 0)
		return supported;
	probe = io_uring_get_probe_ring(io);
	supported = probe != NULL && io_uring_opcode_supported(probe, RTAP_OP_READ_MULTISHOT);
	io_uring_free_probe(probe);
	return supported;
}

/* ---- rx ---- */

static inline void
rtap_rx_slot_free(struct rtap_rx_ring *r, uint16_t slot)
{
	rte_pktmbuf_free(r->slot_mbuf[slot]);
	r->slot_mbuf[slot] = NULL;
	r->free_slots[r->nb_free++] = slot;
}

static unsigned int
rtap_rx_drain_cqe(void *ctx, const struct io_uring_cqe *cqe)
{
	struct rtap_rx_ring *r = ctx;

	if (!r->multishot) {
		rtap_rx_slot_free(r, (uint16_t)cqe->user_data);
		return 1;
	}
	if (cqe->flags & IORING_CQE_F_BUFFER)
		rtap_rx_slot_free(r, cqe->flags >> IORING_CQE_BUFFER_SHIFT);
	return (cqe->flags & IORING_CQE_F_MORE) ? 0 : 1;
}

/* Where a read into @m starts: the header just before the packet data. */
static inline void *
rtap_rx_buf(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, char *) - RTAP_VNET_HDR_LEN;
}

/* One-shot engine: post a read on every free slot (as far as mbufs allow). */
static bool
rtap_rx_post_reads(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq)
{
	uint16_t segs = r->nb_segs;
	uint16_t in_flight = r->nb_desc - r->nb_free;
	bool posted = false;

	while (in_flight < r->nb_reads) {
		/* Under SQPOLL the SQ can be full while the kernel thread lags. */
		uint16_t n = RTE_MIN((unsigned int)(r->nb_reads - in_flight),
				     io_uring_sq_space_left(&r->io));
		uint16_t i, k;

		if (n == 0)
			break;

		if (unlikely(rte_pktmbuf_alloc_bulk(r->mp, r->scratch, n * segs) != 0)) {
			rxq->stats.nombuf += n;
			break;
		}
		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&r->io);
			struct rte_mbuf *head = r->scratch[i * segs];
			uint16_t slot = r->free_slots[--r->nb_free];

			if (likely(segs == 1)) {
				io_uring_prep_read(sqe, 0, rtap_rx_buf(head),
						   RTAP_VNET_HDR_LEN + r->seg_room, 0);
			} else {
				struct iovec *iov = &r->iov[(size_t)slot * r->max_segs];
				struct rte_mbuf *prev = head;

				iov[0].iov_base = rtap_rx_buf(head);
				iov[0].iov_len = RTAP_VNET_HDR_LEN + r->seg_room;
				for (k = 1; k < segs; k++) {
					struct rte_mbuf *seg = r->scratch[i * segs + k];

					prev->next = seg;
					prev = seg;
					iov[k].iov_base = rte_pktmbuf_mtod(seg, void *);
					iov[k].iov_len = r->seg_room;
				}
				io_uring_prep_readv(sqe, 0, iov, segs, 0);
			}
			rtap_sqe_fixed(sqe);
			io_uring_sqe_set_data64(sqe, slot);
			r->slot_mbuf[slot] = head;
		}
		in_flight += n;
		posted = true;
	}
	return posted;
}

/* Multishot engine: hand the kernel fresh buffers; no submission needed. */
static void
rtap_rx_provide(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq)
{
	uint32_t len = RTAP_VNET_HDR_LEN + r->seg_room;

	while (r->nb_free > 0) {
		uint16_t n = RTE_MIN(r->nb_free, (uint16_t)RTAP_REFILL_BATCH);
		uint16_t i;

		if (unlikely(rte_pktmbuf_alloc_bulk(r->mp, r->scratch, n) != 0)) {
			rxq->stats.nombuf += n;
			break;
		}
		for (i = 0; i < n; i++) {
			uint16_t bid = r->free_slots[--r->nb_free];

			r->slot_mbuf[bid] = r->scratch[i];
			io_uring_buf_ring_add(r->br, rtap_rx_buf(r->scratch[i]), len, bid,
					      r->br_mask, i);
		}
		io_uring_buf_ring_advance(r->br, n);
	}
}

/* (Re)start the multishot read once it has buffers to read into. */
static bool
rtap_rx_arm(struct rtap_rx_ring *r)
{
	struct io_uring_sqe *sqe;

	if (r->armed || r->nb_free == r->nb_desc)
		return false;
	sqe = io_uring_get_sqe(&r->io);
	if (unlikely(sqe == NULL))
		return false;
	io_uring_prep_rw(RTAP_OP_READ_MULTISHOT, sqe, 0, NULL, 0, 0);
	rtap_sqe_fixed(sqe);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = RTAP_RX_BGID;
	io_uring_sqe_set_data64(sqe, RTAP_MSHOT_TAG);
	r->armed = true;
	return true;
}

/*
 * Keep the ring fed: mbufs for every free slot, then at most one enter into
 * the kernel, which under COOP_TASKRUN also completes the reads the kernel
 * flagged (their completions are collected by the next burst).
 */
static inline void
rtap_rx_refill(struct rtap_rx_ring *r, struct rtap_rx_queue *rxq)
{
	bool submit;

	if (r->multishot) {
		if (r->nb_free > 0)
			rtap_rx_provide(r, rxq);
		submit = rtap_rx_arm(r);
	} else {
		submit = r->nb_desc - r->nb_free < r->nb_reads && rtap_rx_post_reads(r, rxq);
	}
	if (submit) {
		/* Under COOP_TASKRUN, run the flagged completion work in the same enter. */
		if (r->coop)
			io_uring_submit_and_get_events(&r->io);
		else
			io_uring_submit(&r->io);
	} else if (r->coop && (IO_URING_READ_ONCE(*r->io.sq.kflags) & IORING_SQ_TASKRUN)) {
		io_uring_get_events(&r->io);
	}
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

struct rtap_rx_tally {
	uint64_t bytes;
	uint64_t errors;
	uint64_t truncated;
};

/*
 * Partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM): the data is intact and the
 * checksum field holds the pseudo-header sum. Finish it in software.
 */
static int
rtap_rx_csum_complete(struct rte_mbuf *m, uint16_t start, uint16_t offset)
{
	uint16_t csum;

	if ((uint32_t)start + offset + sizeof(csum) > m->data_len)
		return -EINVAL;
	if (rte_raw_cksum_mbuf(m, start, m->pkt_len - start, &csum) < 0)
		return -EINVAL;
	if (likely(csum != 0xffff))
		csum = ~csum;
	*rte_pktmbuf_mtod_offset(m, uint16_t *, start + offset) = csum;
	return 0;
}

/*
 * The virtio-net header says nothing of IPv4 header checksums, and bridged
 * frames reach us unchecked: verify the header (20 to 60 bytes) in software.
 */
static inline uint64_t
rtap_rx_ipv4_cksum(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	uint16_t type = eth->ether_type;
	uint32_t off = sizeof(*eth);
	uint32_t ihl;

	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN) && m->data_len >= off + RTE_VLAN_HLEN) {
		type = ((const struct rte_vlan_hdr *)(eth + 1))->eth_proto;
		off += RTE_VLAN_HLEN;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || m->data_len < off + sizeof(*ip))
		return 0;
	ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *, off);
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4;
	if (ihl < sizeof(*ip) || m->data_len < off + ihl)
		return RTE_MBUF_F_RX_IP_CKSUM_BAD;
	return rte_raw_cksum(ip, ihl) == 0xffff ? RTE_MBUF_F_RX_IP_CKSUM_GOOD :
						  RTE_MBUF_F_RX_IP_CKSUM_BAD;
}

/*
 * Turn the virtio-net header in front of @m into mbuf flags. A partial
 * checksum is reported as RTE_MBUF_F_RX_L4_CKSUM_NONE when the application
 * enabled that protocol's checksum offload, else completed in software.
 */
static int
rtap_rx_offload(const struct rtap_rx_ring *r, struct rte_mbuf *m)
{
	const struct virtio_net_hdr *h = rtap_rx_buf(m);
	uint64_t ol = 0;

	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		bool tcp = h->csum_offset == offsetof(struct rte_tcp_hdr, cksum);
		bool udp = h->csum_offset == offsetof(struct rte_udp_hdr, dgram_cksum);

		if ((tcp && (r->ol & RTAP_RX_OL_TCP)) || (udp && (r->ol & RTAP_RX_OL_UDP)))
			ol |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		else if (rtap_rx_csum_complete(m, h->csum_start, h->csum_offset) < 0)
			return -EINVAL;
		else if (r->ol & (RTAP_RX_OL_TCP | RTAP_RX_OL_UDP))
			ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	} else if ((h->flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
		   (r->ol & (RTAP_RX_OL_TCP | RTAP_RX_OL_UDP))) {
		ol |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (r->ol & RTAP_RX_OL_IP)
		ol |= rtap_rx_ipv4_cksum(m);
	/* hdr_len is not the header length on rx: never used. */
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		ol |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = h->gso_size;
	}
	m->ol_flags |= ol;
	return 0;
}

/* What an rx queue does with the virtio-net header, from the enabled offloads. */
unsigned int
rtap_rx_offload_mode(const struct rte_eth_dev *dev)
{
	uint64_t rx = dev->data->dev_conf.rxmode.offloads;
	unsigned int ol = 0;

	if (rx & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		ol |= RTAP_RX_OL_TCP;
	if (rx & RTE_ETH_RX_OFFLOAD_UDP_CKSUM)
		ol |= RTAP_RX_OL_UDP;
	if (rx & RTE_ETH_RX_OFFLOAD_IPV4_CKSUM)
		ol |= RTAP_RX_OL_IP;
	/* LRO needs partial checksums from the kernel: headers must be read. */
	if (rx & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		ol |= RTAP_RX_OL_LRO;
	return ol;
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
			rtap_rx_chain_finish(m, len, r->seg_room);
		}
		m->port = r->rxq->port_id;
		if (r->ol != 0 && unlikely(rtap_rx_offload(r, m) < 0)) {
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

static inline void
rtap_rx_account(struct rtap_rx_queue *rxq, uint16_t nb_rx, const struct rtap_rx_tally *t)
{
	rxq->stats.packets += nb_rx;
	rxq->stats.bytes += t->bytes;
	rxq->stats.errors += t->errors;
	rxq->stats.truncated += t->truncated;
}

/* Errors that end a read; counted unless they are teardown or a gone device. */
static inline void
rtap_rx_error(struct rtap_rx_ring *r, int32_t res, struct rtap_rx_tally *t)
{
	if (res == -EBADFD)
		r->dead = true; /* interface deleted */
	else if (res != -ECANCELED && res != -ENOBUFS && res != -EAGAIN)
		t->errors++; /* -EAGAIN: another read took the frame (some kernels) */
}

/*
 * The rx burst, one body for both engines; @multishot is a constant in each
 * caller, so each engine gets its own loop with no per-packet mode test.
 */
static __rte_always_inline uint16_t
rtap_rx_burst_common(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts, const bool multishot)
{
	struct rtap_rx_queue *rxq = queue;
	struct rtap_rx_ring *r = rtap_proc_of(rxq->port_id)->rx[rxq->queue_id];
	struct rtap_rx_tally t = { 0 };
	struct io_uring_cqe *cqe;
	uint16_t nb_rx = 0;
	unsigned int head, seen = 0;

	if (unlikely(r == NULL || !r->started))
		return 0;

	io_uring_for_each_cqe(&r->io, head, cqe) {
		uint16_t slot;
		struct rte_mbuf *m;

		if (nb_rx == nb_pkts)
			break;
		seen++;
		if (multishot) {
			if (unlikely(!(cqe->flags & IORING_CQE_F_MORE)))
				r->armed = false; /* ended: re-armed below */
			if (unlikely(!(cqe->flags & IORING_CQE_F_BUFFER))) {
				rtap_rx_error(r, cqe->res, &t);
				continue;
			}
			slot = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		} else {
			slot = (uint16_t)cqe->user_data;
		}
		m = r->slot_mbuf[slot];
		r->slot_mbuf[slot] = NULL;
		r->free_slots[r->nb_free++] = slot;
		if (unlikely(cqe->res < 0)) {
			rte_pktmbuf_free(m);
			rtap_rx_error(r, cqe->res, &t);
		} else if (rtap_rx_complete(r, m, cqe->res, &t)) {
			pkts[nb_rx++] = m;
		}
	}
	io_uring_cq_advance(&r->io, seen);

	if (likely(!r->dead))
		rtap_rx_refill(r, rxq);
	rtap_rx_account(rxq, nb_rx, &t);
	return nb_rx;
}

uint16_t
rtap_rx_burst(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rtap_rx_burst_common(queue, pkts, nb_pkts, false);
}

uint16_t
rtap_rx_burst_multishot(void *queue, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	return rtap_rx_burst_common(queue, pkts, nb_pkts, true);
}

static void
rtap_rx_ring_free(struct rtap_rx_ring *r)
{
	if (r == NULL)
		return;
	free(r->br);
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

	/* Scattered rx and LRO read into chains. */
	max_segs = 1;
	if (dev->data->dev_conf.rxmode.offloads &
	    (RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_TCP_LRO))
		max_segs = RTAP_RX_MAX_SEGS;
	rxq = rte_zmalloc_socket("rtap_rxq", sizeof(*rxq), RTE_CACHE_LINE_SIZE, socket_id);
	r = rte_zmalloc_socket("rtap_rx_ring", sizeof(*r), RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL || r == NULL)
		goto nomem;
	r->free_slots =
		rte_malloc_socket("rtap_rx_slots", nb_desc * sizeof(uint16_t), 0, socket_id);
	r->slot_mbuf = rte_zmalloc_socket("rtap_rx_mbufs", nb_desc * sizeof(struct rte_mbuf *), 0,
					  socket_id);
	r->scratch = rte_malloc_socket("rtap_rx_scratch",
				       RTAP_REFILL_BATCH * max_segs * sizeof(struct rte_mbuf *), 0,
				       socket_id);
	if (max_segs > 1)
		r->iov = rte_malloc_socket("rtap_rx_iov",
					   (size_t)nb_desc * max_segs * sizeof(struct iovec), 0,
					   socket_id);
	/* The provided-buffer ring is shared with the kernel: page aligned, process memory. */
	r->br_mask = io_uring_buf_ring_mask(rte_align32pow2(nb_desc));
	if (posix_memalign((void **)&r->br, sysconf(_SC_PAGESIZE),
			   (r->br_mask + 1) * sizeof(struct io_uring_buf)) != 0)
		r->br = NULL;
	if (r->free_slots == NULL || r->slot_mbuf == NULL || r->scratch == NULL ||
	    (max_segs > 1 && r->iov == NULL) || r->br == NULL)
		goto nomem;

	ret = rtap_ring_init(dev, &r->io, nb_desc, fd, "rx");
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
	r->coop = ((struct rtap_pmd *)dev->data->dev_private)->io_mode == RTAP_IO_COOP;
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

/* Which engine a queue of @dev uses with @nb_segs mbufs per frame. */
static bool
rtap_rx_use_multishot(struct rte_eth_dev *dev, struct rtap_rx_ring *r, uint16_t nb_segs)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	if (pmd->rx_engine != RTAP_RX_MULTISHOT || nb_segs > 1)
		return false;
	return rtap_multishot_supported(&r->io);
}

/*
 * Pick the port's rx burst function at start: multishot when it was asked
 * for, every queue's frames fit in one mbuf and the kernel has multishot read.
 */
void
rtap_rx_select_burst(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = dev->process_private;
	bool multishot = dev->data->nb_rx_queues > 0;
	uint16_t q, segs;

	for (q = 0; q < dev->data->nb_rx_queues && multishot; q++) {
		struct rtap_rx_ring *r = proc->rx[q];

		if (r == NULL)
			continue;
		rtap_rx_capacity(dev, r->mp, dev->data->mtu, &segs);
		multishot = rtap_rx_use_multishot(dev, r, segs);
	}
	dev->rx_pkt_burst = multishot ? rtap_rx_burst_multishot : rtap_rx_burst;
}

static int
rtap_rx_multishot_setup(struct rtap_rx_ring *r)
{
	struct io_uring_buf_reg reg = {
		.ring_addr = (uintptr_t)r->br,
		.ring_entries = r->br_mask + 1,
		.bgid = RTAP_RX_BGID,
	};
	int ret;

	io_uring_buf_ring_init(r->br);
	ret = io_uring_register_buf_ring(&r->io, &reg, 0);
	if (ret < 0)
		PMD_LOG(ERR, "rx queue %u: io_uring_register_buf_ring: %s", r->rxq->queue_id,
			strerror(-ret));
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
		PMD_LOG(ERR, "rx queue %u: MTU %u frames do not fit the queue's buffers", queue_id,
			dev->data->mtu);
		return -EINVAL;
	}
	if (rtap_rx_use_multishot(dev, r, segs) != (dev->rx_pkt_burst == rtap_rx_burst_multishot)) {
		PMD_LOG(ERR, "rx queue %u: the port's rx engine changed: restart the port",
			queue_id);
		return -EINVAL;
	}
	r->nb_segs = segs;
	r->capacity = cap;
	r->multishot = dev->rx_pkt_burst == rtap_rx_burst_multishot;
	r->nb_reads = RTE_MIN(r->nb_desc, (uint16_t)RTAP_ONESHOT_READS);
	r->ol = rtap_rx_offload_mode(dev);
	if (r->multishot) {
		ret = rtap_rx_multishot_setup(r);
		if (ret < 0)
			return ret;
	}

	dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STARTED;
	ret = rtap_pair_update(dev, queue_id);
	if (ret < 0) {
		dev->data->rx_queue_state[queue_id] = RTE_ETH_QUEUE_STATE_STOPPED;
		if (r->multishot)
			io_uring_unregister_buf_ring(&r->io, RTAP_RX_BGID);
		return ret;
	}
	r->dead = false;
	r->armed = false;
	r->started = true;
	rtap_rx_refill(r, rxq);
	return 0;
}

int
rtap_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_rx_ring *r = ((struct rtap_proc *)dev->process_private)->rx[queue_id];
	uint16_t slot;

	if (r == NULL)
		return -EINVAL;
	if (r->multishot) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;

		rtap_ring_drain(&r->io, r->armed ? 1 : 0, "rx", rtap_rx_drain_cqe, r);
		r->armed = false;
		/* Frames read but not yet collected go back to the pool. */
		io_uring_for_each_cqe(&r->io, head, cqe) {
			rtap_rx_drain_cqe(r, cqe);
			seen++;
		}
		io_uring_cq_advance(&r->io, seen);
		/* The read is over: buffers still in the ring are ours again. */
		for (slot = 0; slot < r->nb_desc; slot++)
			if (r->slot_mbuf[slot] != NULL)
				rtap_rx_slot_free(r, slot);
		if (r->started)
			io_uring_unregister_buf_ring(&r->io, RTAP_RX_BGID);
	} else {
		rtap_ring_drain(&r->io, r->nb_desc - r->nb_free, "rx", rtap_rx_drain_cqe, r);
	}
	r->started = false;
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
		if (r->started)
			rtap_rx_queue_stop(dev, queue_id);
		/*
		 * A request the drain could not collect may still write into its
		 * mbuf: leave such mbufs to the kernel rather than free them.
		 */
		rtap_ring_exit(&r->io);
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
			errors++; /* -EIO: interface down; -EINVAL: bad frame */
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

/* May the virtio-net header (and offload fix-ups) go into the packet's own bytes? */
static inline bool
rtap_tx_headroom_ok(const struct rte_mbuf *m)
{
	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
		rte_pktmbuf_headroom(m) >= RTAP_VNET_HDR_LEN;
}

/* Bytes of L2-L4 headers an offload request of @m covers (outer headers included). */
static inline uint32_t
rtap_tx_hdr_len(const struct rte_mbuf *m)
{
	uint32_t len = (uint32_t)m->l2_len + m->l3_len;

	if (m->ol_flags & RTE_MBUF_F_TX_TUNNEL_MASK)
		len += (uint32_t)m->outer_l2_len + m->outer_l3_len;
	if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))
		len += m->l4_len;
	return len;
}

/* Pseudo-header sum (not complemented) for an L4 length of @l4_len bytes. */
static inline uint16_t
rtap_tx_gso_phdr(const uint8_t *l3, uint64_t fl, uint8_t proto, uint32_t l4_len)
{
	uint32_t sum;

	if (fl & RTE_MBUF_F_TX_IPV4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		sum = __rte_raw_cksum(&ip->src_addr, 2 * sizeof(ip->src_addr), 0);
	} else {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)l3;

		sum = __rte_raw_cksum(ip6->src_addr, 2 * sizeof(ip6->src_addr), 0);
	}
	sum += rte_cpu_to_be_16(proto);
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16)) + rte_cpu_to_be_16((uint16_t)l4_len);
	return __rte_raw_cksum_reduce(sum);
}

/*
 * Fill @vh for @m's offload requests. @hdrs holds the packet's first @avail
 * bytes, writable: the IPv4 checksum is computed there (the kernel does not),
 * and for segmentation the pseudo-header sum is rewritten the way the kernel's
 * GSO expects it. Returns 0 or -EINVAL for a
 * request the kernel could not carry out.
 */
static int
rtap_tx_offload(struct virtio_net_hdr *vh, const struct rte_mbuf *m, uint8_t *hdrs, uint32_t avail)
{
	uint64_t fl = m->ol_flags;
	uint32_t l3_off = m->l2_len, l4_off, offset = 0;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;

	if (fl & RTE_MBUF_F_TX_TUNNEL_MASK)
		l3_off += (uint32_t)m->outer_l2_len + m->outer_l3_len;
	l4_off = l3_off + m->l3_len;
	memset(vh, 0, sizeof(*vh));

	if (fl & RTE_MBUF_F_TX_IP_CKSUM) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(hdrs + l3_off);

		if (!(fl & RTE_MBUF_F_TX_IPV4) || m->l3_len < sizeof(*ip) || l4_off > avail)
			return -EINVAL;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}

	/* Segmentation implies the L4 checksum (DPDK's definition of the flags). */
	if (fl & RTE_MBUF_F_TX_TCP_SEG)
		l4 = RTE_MBUF_F_TX_TCP_CKSUM;
	else if (fl & RTE_MBUF_F_TX_UDP_SEG)
		l4 = RTE_MBUF_F_TX_UDP_CKSUM;
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM)
		offset = offsetof(struct rte_tcp_hdr, cksum);
	else if (l4 == RTE_MBUF_F_TX_UDP_CKSUM)
		offset = offsetof(struct rte_udp_hdr, dgram_cksum);
	else if (l4 != 0)
		return -EINVAL; /* SCTP: not in the virtio-net header */
	if (l4 != 0) {
		if (m->l3_len == 0 || l4_off + offset + sizeof(uint16_t) > m->pkt_len)
			return -EINVAL;
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->csum_start = l4_off;
		vh->csum_offset = offset;
	}

	if (fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) {
		uint16_t *csum = (uint16_t *)(hdrs + l4_off + offset);

		if (m->tso_segsz == 0 || m->l4_len == 0 || l4_off + m->l4_len > avail ||
		    (fl & RTE_MBUF_F_TX_TUNNEL_MASK) ||
		    !(fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)))
			return -EINVAL;
		if (fl & RTE_MBUF_F_TX_TCP_SEG)
			vh->gso_type = (fl & RTE_MBUF_F_TX_IPV4) ? VIRTIO_NET_HDR_GSO_TCPV4 :
								   VIRTIO_NET_HDR_GSO_TCPV6;
		else
			vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		vh->gso_size = m->tso_segsz;
		vh->hdr_len = l4_off + m->l4_len;
		/*
		 * The kernel's GSO wants the pseudo-header sum over the whole
		 * L4 length; DPDK versions differ on whether the application's
		 * sum has it. Write the kernel's from the IP header.
		 */
		*csum = rtap_tx_gso_phdr(hdrs + l3_off, fl,
					 (fl & RTE_MBUF_F_TX_TCP_SEG) ? IPPROTO_TCP : IPPROTO_UDP,
					 m->pkt_len - l4_off);
	}
	return 0;
}

/*
 * Build the write of @m into slot @slot's iovecs: the virtio-net header in the
 * headroom when the packet is ours alone, else in the slot, with a copy of
 * the headers when an offload must change them. Returns the iovec count or
 * -EINVAL.
 */
static int
rtap_tx_iov(struct rtap_tx_ring *r, uint16_t slot, struct rte_mbuf *m)
{
	struct iovec *iov = &r->iov[(size_t)slot * RTAP_TX_IOVS];
	struct rtap_tx_hdr *th = &r->hdr[slot];
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	bool own = rtap_tx_headroom_ok(m);
	struct virtio_net_hdr *vh = own ? (void *)(data - RTAP_VNET_HDR_LEN) : &th->vh;
	uint8_t *hdrs = data;
	uint32_t avail = m->data_len, skip = 0;
	struct rte_mbuf *seg;
	int n;

	if (!own &&
	    (m->ol_flags &
	     (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG))) {
		skip = rtap_tx_hdr_len(m);
		if (skip > m->data_len || skip > RTAP_TX_HDR_COPY)
			return -EINVAL;
		memcpy(th->copy, data, skip);
		hdrs = th->copy;
		avail = skip;
	}
	if (m->ol_flags & RTAP_TX_OL_MASK) {
		if (rtap_tx_offload(vh, m, hdrs, avail) < 0)
			return -EINVAL;
	} else {
		memset(vh, 0, sizeof(*vh));
	}

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

	/* A full ring, or under SQPOLL a full SQ, is back-pressure: take fewer. */
	n = (uint16_t)RTE_MIN(RTE_MIN((unsigned int)nb_pkts, (unsigned int)r->nb_free),
			      io_uring_sq_space_left(&r->io));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct io_uring_sqe *sqe;
		uint16_t slot = r->free_slots[r->nb_free - 1];

		if (likely(m->nb_segs == 1 && !(m->ol_flags & RTAP_TX_OL_MASK) &&
			   rtap_tx_headroom_ok(m))) {
			char *hdr = rte_pktmbuf_mtod(m, char *) - RTAP_VNET_HDR_LEN;

			memset(hdr, 0, RTAP_VNET_HDR_LEN);
			sqe = io_uring_get_sqe(&r->io);
			io_uring_prep_write(sqe, 0, hdr, m->data_len + RTAP_VNET_HDR_LEN, 0);
		} else {
			int nvec =
				m->nb_segs <= RTAP_TX_MAX_SEGS ? rtap_tx_iov(r, slot, m) : -EINVAL;

			if (unlikely(nvec < 0)) {
				/* Nothing the kernel could carry out: count it, drop it. */
				rte_pktmbuf_free(m);
				dropped++;
				continue;
			}
			sqe = io_uring_get_sqe(&r->io);
			io_uring_prep_writev(sqe, 0, &r->iov[(size_t)slot * RTAP_TX_IOVS], nvec, 0);
		}
		rtap_sqe_fixed(sqe);
		io_uring_sqe_set_data64(sqe, slot);
		r->nb_free--;
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

/*
 * rte_eth_tx_prepare(): check what tx_burst cannot carry and fill the
 * pseudo-header checksums the offloads need, the way DPDK defines them.
 */
uint16_t
rtap_tx_prepare(void *queue __rte_unused, struct rte_mbuf **pkts, uint16_t nb_pkts)
{
	uint16_t i;
	int ret;

	for (i = 0; i < nb_pkts; i++) {
		struct rte_mbuf *m = pkts[i];
		uint64_t fl = m->ol_flags;

		if (m->nb_segs > RTAP_TX_MAX_SEGS ||
		    ((fl & (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)) &&
		     (m->tso_segsz == 0 || m->l4_len == 0)) ||
		    (fl & RTE_MBUF_F_TX_L4_MASK) == RTE_MBUF_F_TX_SCTP_CKSUM ||
		    ((fl & RTAP_TX_OL_MASK) && rtap_tx_hdr_len(m) > m->data_len)) {
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

int
rtap_tx_done_cleanup(void *queue, uint32_t free_cnt __rte_unused)
{
	struct rtap_tx_queue *txq = queue;
	struct rtap_tx_ring *r = rtap_proc_of(txq->port_id)->tx[txq->queue_id];

	if (r == NULL)
		return -ENODEV;
	return rtap_tx_reap(r, txq);
}

static unsigned int
rtap_tx_drain_cqe(void *ctx, const struct io_uring_cqe *cqe)
{
	struct rtap_tx_ring *r = ctx;
	uint16_t slot = (uint16_t)cqe->user_data;

	rte_pktmbuf_free(r->slot_mbuf[slot]);
	r->slot_mbuf[slot] = NULL;
	r->free_slots[r->nb_free++] = slot;
	return 1;
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
	r->free_slots =
		rte_malloc_socket("rtap_tx_slots", nb_desc * sizeof(uint16_t), 0, socket_id);
	r->slot_mbuf = rte_zmalloc_socket("rtap_tx_mbufs", nb_desc * sizeof(struct rte_mbuf *), 0,
					  socket_id);
	r->done = rte_malloc_socket("rtap_tx_done", nb_desc * sizeof(struct rte_mbuf *), 0,
				    socket_id);
	r->iov = rte_malloc_socket("rtap_tx_iov",
				   (size_t)nb_desc * RTAP_TX_IOVS * sizeof(struct iovec), 0,
				   socket_id);
	r->hdr = rte_zmalloc_socket("rtap_tx_hdr", nb_desc * sizeof(struct rtap_tx_hdr), 0,
				    socket_id);
	if (r->free_slots == NULL || r->slot_mbuf == NULL || r->done == NULL || r->iov == NULL ||
	    r->hdr == NULL)
		goto nomem;

	ret = rtap_ring_init(dev, &r->io, nb_desc, fd, "tx");
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

	if (r == NULL)
		return -EINVAL;
	r->started = false;
	rtap_tx_reap(r, r->txq);
	rtap_ring_drain(&r->io, r->nb_desc - r->nb_free, "tx", rtap_tx_drain_cqe, r);
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
		if (r->started || r->nb_free != r->nb_desc)
			rtap_tx_queue_stop(dev, queue_id);
		rtap_ring_exit(&r->io);
		rtap_tx_ring_free(r);
		proc->tx[queue_id] = NULL;
	}
	rte_free(dev->data->tx_queues[queue_id]);
	dev->data->tx_queues[queue_id] = NULL;
}
