/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_H_
#define _RTAP_H_

/*
 * The driver's one private header: constants, the structs every file shares,
 * log macros, and the prototypes of each file, grouped by file. Calls go
 * down the list of files only: ethdev -> queue -> rxtx; ethdev and queue ->
 * ifctl -> tun. rtap_vnet.h holds the pure header/mbuf functions.
 *
 * Who touches what:
 * - struct rtap_pmd (dev_private, shared memory): written by the primary's
 *   control thread only (but for the counter baseline, below); read anywhere.
 * - struct rtap_rx_queue / rtap_tx_queue (shared memory): configuration is
 *   written by the control thread while the queue is stopped; `stats` is
 *   written by the one lcore that polls the queue, and only read elsewhere;
 *   `reset` (the baseline stats_get subtracts) is written by stats_reset, in
 *   whichever process calls it, and never touched by an lcore. The same goes
 *   for the kernel counter baseline in struct rtap_pmd. Two processes
 *   resetting at the same moment may each keep their own baseline.
 * - struct rtap_proc and the rings (process_private, this process only):
 *   a ring is set up, started, stopped and released by the control thread;
 *   ethdev's rule is that no lcore polls a queue while it is stopped or
 *   released, and the application must keep it (the driver cannot).
 *   `started` is published with release semantics after the rest of the
 *   ring is set, and read with acquire by the bursts; between start and
 *   stop the ring belongs to the polling lcore alone.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <net/if.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <liburing.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <ethdev_driver.h>

#include "rtap_compat.h"

extern int rtap_logtype;

#define PMD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, rtap_logtype, "%s(): " fmt "\n", __func__, ##__VA_ARGS__)

/* Same as PMD_LOG, with strerror(errno) appended. */
#define PMD_LOG_ERRNO(level, fmt, ...) \
	rte_log(RTE_LOG_##level, rtap_logtype, "%s(): " fmt ": %s\n", __func__, ##__VA_ARGS__, \
		strerror(errno))

/* The kernel allows 256 queues per TAP; the keep-alive fd holds one of them. */
#define RTAP_MAX_QUEUES	  255
#define RTAP_VNET_HDR_LEN ((uint16_t)sizeof(struct virtio_net_hdr))
#define RTAP_MIN_DESC	  32
#define RTAP_MAX_DESC	  4096
#define RTAP_DEFAULT_DESC 512
#define RTAP_TX_MAX_SEGS  40 /* a 64 KiB frame in 2 KiB mbufs, with room to spare */
#define RTAP_RX_MAX_SEGS  64

/*
 * The interface's txqueuelen: frames the kernel holds for each rx queue
 * while the lcore is away. Raised to the default unless set by devarg.
 */
#define RTAP_DEFAULT_TXQLEN 4096u
#define RTAP_MAX_TXQLEN	    (1u << 20)

/*
 * Reads in flight per rx queue. Every pending read is woken for every frame
 * the kernel queues, so more of them only add work (see the guide's
 * Performance section); the rx ring and its slots are sized by this, not by
 * the descriptor count.
 */
#define RTAP_RX_READS 32

/*
 * Largest frame a TAP carries: its max MTU (65535 - ETH_HLEN) plus Ethernet
 * and two VLAN tags (QinQ: the kernel may insert the outer one).
 */
#define RTAP_MAX_MTU	    (UINT16_MAX - RTE_ETHER_HDR_LEN)
#define RTAP_FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + 2 * RTE_VLAN_HLEN)

/* UDP segmentation (kernel 6.2+); older headers lack the constants. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

/* Largest frame the kernel hands over with TSO/USO negotiated: 64 KiB of IP + L2 headers. */
#define RTAP_LRO_MAX_FRAME (UINT16_MAX + RTAP_FRAME_OVERHEAD)

/* Rx offload work a queue does per packet, from what the application enabled. */
#define RTAP_RX_OL_TCP (1u << 0) /* report TCP checksum state in ol_flags */
#define RTAP_RX_OL_UDP (1u << 1) /* report UDP checksum state in ol_flags */
#define RTAP_RX_OL_LRO (1u << 2) /* GSO frames and partial checksums arrive */
#define RTAP_RX_OL_IP  (1u << 3) /* verify IPv4 header checksums in software */

/*
 * Per-queue counters, in shared memory so every process can read them.
 * Written only by the lcore polling the queue (plain adds, once per burst).
 */
struct rtap_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
	uint64_t nombuf;    /* rx: mbufs asked for and not had */
	uint64_t truncated; /* rx: frames larger than the posted buffer (dropped) */
};

/* Shared part of an rx queue: configuration and counters. */
struct rtap_rx_queue {
	struct rte_mempool *mp;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;
	bool deferred_start;
	struct rtap_queue_stats stats;
	/* stats at the last reset; written by the control thread only */
	struct rtap_queue_stats reset;
};

/* Shared part of a tx queue. */
struct rtap_tx_queue {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;
	bool deferred_start;
	struct rtap_queue_stats stats;
	struct rtap_queue_stats reset;
};

/*
 * What rx and tx rings share: the io_uring, the queue pair's TAP fd (fixed
 * file 0), and the slots requests are tagged with. A request's user_data is
 * its slot number; anything at or above nb_slots (the drain's cancel) is no
 * slot and every consumer skips it.
 */
struct rtap_ring {
	struct io_uring io;
	int fd;
	bool started;
	bool dead; /* interface gone: nothing is posted any more */
	uint16_t nb_slots;
	uint16_t nb_free;
	uint16_t *free_slots;	     /* stack of nb_free slot numbers */
	struct rte_mbuf **slot_mbuf; /* the mbuf (chain head) of each busy slot */
};

/* Not UINT64_MAX: liburing reserves that for its own timeouts. */
#define RTAP_CANCEL_TAG (UINT64_MAX - 1)

static inline uint16_t
rtap_slot_get(struct rtap_ring *r, struct rte_mbuf *m)
{
	uint16_t slot = r->free_slots[--r->nb_free];

	r->slot_mbuf[slot] = m;
	return slot;
}

static inline struct rte_mbuf *
rtap_slot_put(struct rtap_ring *r, uint16_t slot)
{
	struct rte_mbuf *m = r->slot_mbuf[slot];

	r->slot_mbuf[slot] = NULL;
	r->free_slots[r->nb_free++] = slot;
	return m;
}

static inline unsigned int
rtap_ring_busy(const struct rtap_ring *r)
{
	return r->nb_slots - r->nb_free;
}

/* The lcore's test: has the control thread handed the ring over? */
static inline bool
rtap_ring_running(const struct rtap_ring *r)
{
	return __atomic_load_n(&r->started, __ATOMIC_ACQUIRE);
}

/*
 * Per-process rx state: the ring and what the reads in flight need. Never in
 * shared memory: ring mmaps and fds only mean something in their process.
 */
struct rtap_rx_ring {
	struct rtap_ring ring;
	struct rtap_rx_queue *rxq;
	struct rte_mempool *mp;
	bool coop;		   /* task work waits for the poller's next enter */
	uint8_t ol;		   /* RTAP_RX_OL_* */
	uint16_t nb_segs;	   /* mbufs per read (1 unless scattering) */
	uint16_t max_segs;	   /* iovecs per slot */
	uint16_t seg_room;	   /* data room of one mbuf after the headroom */
	uint32_t capacity;	   /* frame bytes one read can hold */
	struct iovec *iov;	   /* nb_slots * max_segs iovecs for scattered reads */
	struct rte_mbuf **scratch; /* RTAP_RX_READS * max_segs mbufs for bulk refill */
};

/*
 * A packet's virtio-net header, followed by a copy of its L2-L4 headers when
 * an offload must change them (IPv4 checksum, TSO pseudo-header) and the
 * packet's own bytes are shared.
 */
#define RTAP_TX_HDR_COPY 246
struct rtap_tx_hdr {
	struct virtio_net_hdr vh;
	uint8_t copy[RTAP_TX_HDR_COPY]; /* must follow vh with no gap: one iovec covers both */
};

/* iovecs per tx slot: header, the first segment's rest, the other segments. */
#define RTAP_TX_IOVS (RTAP_TX_MAX_SEGS + 2)

/* Per-process tx state. */
struct rtap_tx_ring {
	struct rtap_ring ring;
	struct rtap_tx_queue *txq;
	uint16_t fd_index;	 /* the TAP fd it writes on (rx queue count dependent) */
	bool fast_free;		 /* MBUF_FAST_FREE: one pool, refcnt 1, direct */
	struct rte_mbuf **done;	 /* completed mbufs, freed in bulk */
	struct iovec *iov;	 /* nb_slots * RTAP_TX_IOVS */
	struct rtap_tx_hdr *hdr; /* per-slot header when the headroom can't be used */
};

/* dev->process_private */
struct rtap_proc {
	int qfd[RTAP_MAX_QUEUES]; /* TAP fd of each rx queue (tx queues share them), or -1 */
	bool attached[RTAP_MAX_QUEUES];
	struct rtap_rx_ring *rx[RTAP_MAX_QUEUES];
	struct rtap_tx_ring *tx[RTAP_MAX_QUEUES];
	/* link events (rtap_intr.c): rtnetlink socket, its namespace, its source */
	int nl_fd;
	ino_t nl_ns;
	struct rte_intr_handle *lsc_intr;
	/* Rx interrupts: the port's vector, an eventfd per rx queue (-1: none) */
	struct rte_intr_handle *rxq_intr;
	int rxq_efd[RTAP_MAX_QUEUES];
};

static inline struct rtap_proc *
rtap_proc(const struct rte_eth_dev *dev)
{
	return dev->process_private;
}

/* dev->data->dev_private */
struct rtap_pmd {
	char ifname[IFNAMSIZ]; /* the kernel's name at probe */
	int keep_fd;	       /* keep-alive fd: holds the interface, detached */
	int if_index;
	bool persist;
	bool created;		  /* we created the interface (not attached to one) */
	bool started;		  /* between dev_start and dev_stop (ethdev's flag lags) */
	bool gone;		  /* the interface was deleted */
	bool sqpoll;		  /* devarg io_mode=sqpoll */
	bool has_uso;		  /* kernel takes TUN_F_USO4/6 (and so UDP GSO) */
	unsigned int tun_offload; /* TUN_F_* in force */
	uint16_t mtu;
	struct rte_ether_addr mac;
	/*
	 * The kernel's tx_dropped counts frames it could not queue to us: that
	 * is imissed, counted from the value at the last reset. The last value
	 * read is kept for when the interface is gone.
	 */
	uint64_t kernel_tx_dropped_base;
	uint64_t kernel_tx_dropped_last;
};

/* rtap_tun.c: one small function per TUN ioctl; 0 or -errno, logged. */
int rtap_tun_features(int fd, unsigned int *features);
int rtap_tun_open(const char *name, char *actual);
int rtap_tun_set_queue(int fd, bool attach, const char *ifname);
int rtap_tun_set_persist(int fd, bool persist, const char *ifname);
int rtap_tun_set_vnet_le(int fd, const char *ifname);
int rtap_tun_get_name(int fd, char *name);
int rtap_tun_get_mac(int fd, struct rte_ether_addr *mac);
int rtap_tun_set_mac(int fd, const struct rte_ether_addr *mac, const char *ifname);
int rtap_tun_set_offload(int fd, unsigned int flags, const char *ifname, bool probe);

/* rtap_ifctl.c: the kernel interface's state, in the interface's own netns. */
#define RTAP_NS_SAME (-1000)
int rtap_ns_enter(int keep_fd);
void rtap_ns_leave(int saved);
int rtap_ifctl_get_flags(int keep_fd, unsigned int *flags);
int rtap_ifctl_change_flags(int keep_fd, unsigned int set, unsigned int clear);
int rtap_ifctl_set_mtu(int keep_fd, uint16_t mtu);
int rtap_ifctl_get_mtu(int keep_fd, uint16_t *mtu);
int rtap_ifctl_set_txqlen(int keep_fd, unsigned int qlen);
int rtap_ifctl_get_txqlen(int keep_fd, unsigned int *qlen);
int rtap_ifctl_get_ifindex(int keep_fd, int *if_index);
int rtap_ifctl_get_stats(int keep_fd, struct rtnl_link_stats64 *stats);
int rtap_ifctl_get_link(int keep_fd, unsigned int *flags);
bool rtap_net_admin(void);
int rtap_ifctl_get_stats_here(const char *ifname, int if_index, struct rtnl_link_stats64 *stats);

/* rtap_intr.c: the link, link-state and removal events, Rx interrupts. */
const struct rte_eth_link *rtap_link_down(void);
int rtap_link_update(struct rte_eth_dev *dev, int wait_to_complete);
int rtap_carrier_set(struct rte_eth_dev *dev, bool on);
int rtap_lsc_init(struct rte_eth_dev *dev);
void rtap_lsc_fini(struct rte_eth_dev *dev);
void rtap_lsc_resubscribe(void *dev);
int rtap_rxq_intr_init(struct rte_eth_dev *dev);
void rtap_rxq_intr_fini(struct rte_eth_dev *dev);
int rtap_rxq_intr_start(struct rte_eth_dev *dev);
void rtap_rxq_intr_stop(struct rte_eth_dev *dev);
int rtap_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t queue_id);

/* rtap_queue.c: queue lifecycle, rings, queue pair fds. */
int rtap_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_rxconf *conf,
			struct rte_mempool *mp);
int rtap_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id, uint16_t nb_desc,
			unsigned int socket_id, const struct rte_eth_txconf *conf);
void rtap_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
void rtap_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_rx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_tx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_tx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_queues_start(struct rte_eth_dev *dev);
void rtap_queues_stop(struct rte_eth_dev *dev);
void rtap_queues_release(struct rte_eth_dev *dev);
void rtap_queue_fds_close(struct rte_eth_dev *dev, uint16_t from);
void rtap_queues_reconfigure(struct rte_eth_dev *dev);
uint16_t rtap_nb_fds(const struct rte_eth_dev *dev);
void rtap_rxq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_rxq_info *qinfo);
void rtap_txq_info_get(struct rte_eth_dev *dev, uint16_t queue_id, struct rte_eth_txq_info *qinfo);
uint32_t rtap_rx_capacity(const struct rte_eth_dev *dev, struct rte_mempool *mp, uint16_t mtu,
			  uint16_t *nb_segs);
uint32_t rtap_rx_posted_capacity(const struct rte_eth_dev *dev, uint16_t queue_id);
struct rtap_proc *rtap_proc_alloc(int socket_id);

/* rtap_rxtx.c: the burst functions. */
uint16_t rtap_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t rtap_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t rtap_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
int rtap_tx_done_cleanup(void *txq, uint32_t free_cnt);
RTAP_RX_QUEUE_COUNT_RET rtap_rx_queue_count(void *rxq);
int rtap_rx_descriptor_status(void *rxq, uint16_t offset);
int rtap_tx_descriptor_status(void *txq, uint16_t offset);

#endif /* _RTAP_H_ */
