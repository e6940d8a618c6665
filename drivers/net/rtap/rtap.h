/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_H_
#define _RTAP_H_

/*
 * The driver's one private header: constants, the structs every file shares,
 * log macros, and the prototypes of each file, grouped by file. Calls go
 * down the list of files only: ethdev -> intr; ethdev -> xstats -> mp ->
 * filter -> queue -> rxtx (ethdev calls each of them); all but rxtx ->
 * ifctl -> tun. rtap_vnet.h holds the pure header/mbuf functions.
 *
 * Who touches what:
 * - struct rtap_pmd (dev_private, shared memory): written by the primary's
 *   control thread only, but for the counter baselines and last kernel
 *   counters (below, any process) and fd_gen (the primary, under
 *   rtap_fd_lock); read anywhere.
 * - struct rtap_rx_queue / rtap_tx_queue (shared memory): configuration is
 *   written by the control thread while the queue is stopped; `stats` is
 *   written by the one lcore that polls the queue, and only read elsewhere;
 *   the same goes for `xs` (the extended counters). `reset` and `xs_reset`
 *   (the baselines stats_get and xstats_get subtract) are written by
 *   stats_reset/xstats_reset, in whichever process calls it, and never
 *   touched by an lcore. The same goes for the kernel counter baselines in
 *   struct rtap_pmd. Two processes resetting at the same moment may each
 *   keep their own baseline. Exactly one lcore, in one process, polls a
 *   queue: the process that started it (rtap_mp.c: a secondary starts only
 *   queues the primary left stopped).
 * - the queue state arrays (dev->data->rx/tx_queue_state, shared): set by
 *   the process that starts or stops the queue, and by the primary's port
 *   stop for every queue (it takes a secondary's back); a STARTED queue
 *   whose ring is not started here runs in another process.
 * - struct rtap_proc and the rings (process_private, this process only):
 *   a ring is set up, started, stopped and released by the control thread;
 *   ethdev's rule is that no lcore polls a queue while it is stopped or
 *   released, and the application must keep it (the driver cannot).
 *   `started` is published with release semantics after the rest of the
 *   ring is set, and read with acquire by the bursts; between start and
 *   stop the ring belongs to the polling lcore alone. In the primary, the
 *   qfd and attached arrays, and process_private itself, are also used by
 *   the rte_mp thread (rtap_mp.c, serving secondaries): whoever changes
 *   them, or frees process_private, holds rtap_fd_lock.
 *   What a control call changes on a started port: an rx ring's `max_len`
 *   (rte_eth_dev_set_mtu()) and `ol` (rte_eth_dev_set_vlan_offload()) are
 *   rewritten by the control thread with plain aligned stores (relaxed
 *   atomics), and the lcore reads each once per burst; a burst under way
 *   may finish with the old value. The receive filters the bursts read
 *   live in struct rtap_pmd (see there).
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

#include <pthread.h>

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

/*
 * Receive filtering (rtap_filter.c): addresses the port answers to, by
 * ethdev's index (0 is its own), and the multicast groups of its list. The
 * kernel's TUNSETTXFILTER holds RTAP_TUN_FILTER_EXACT addresses exactly and
 * hashes further multicast ones.
 */
#define RTAP_MAX_MAC_ADDRS    16
#define RTAP_MAX_MC_ADDRS     64
#define RTAP_TUN_FILTER_EXACT 8

/*
 * The filter the rx bursts apply (in struct rtap_pmd, shared memory),
 * written only by the primary's control thread. `on` (promiscuous off) is
 * read once per burst; the table is a seqlock: `seq` is odd while the
 * control thread rewrites addr/nb_addr/allmulti, and a burst checking a
 * frame reads them between two equal even values of `seq`. Addresses are
 * keys of rtap_mac_key() (rtap_vnet.h); broadcast is always accepted.
 */
struct rtap_filter {
	uint32_t seq;
	bool on;
	bool allmulti;
	uint16_t nb_addr;
	uint64_t addr[RTAP_MAX_MAC_ADDRS + RTAP_MAX_MC_ADDRS];
};

/* Rx offload work a queue does per packet, from what the application enabled. */
#define RTAP_RX_OL_TCP	       (1u << 0) /* report TCP checksum state in ol_flags */
#define RTAP_RX_OL_UDP	       (1u << 1) /* report UDP checksum state in ol_flags */
#define RTAP_RX_OL_LRO	       (1u << 2) /* GSO frames and partial checksums arrive */
#define RTAP_RX_OL_IP	       (1u << 3) /* verify IPv4 header checksums in software */
#define RTAP_RX_OL_VLAN_STRIP  (1u << 4) /* strip an outer 802.1Q tag into vlan_tci */
#define RTAP_RX_OL_VLAN_FILTER (1u << 5) /* drop 802.1Q VIDs not in the port's table */

/* The VLAN filter's table (struct rtap_pmd): a bit per VLAN ID. */
#define RTAP_VLAN_TAB_WORDS ((RTE_ETHER_MAX_VLAN_ID + 1) / 64)

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
	uint64_t csum_bad;  /* rx: frames delivered with an IP or L4 checksum BAD */
	uint64_t oversize;  /* rx: frames over the port MTU (dropped, in ierrors) */
	uint64_t filtered;  /* rx: frames the port's receive filter dropped (software) */
};

/*
 * A queue's counters' sequence (a seqcount with one writer): the polling
 * lcore makes it odd before it adds a burst's counts and even after, so
 * that readers in any process (stats and xstats get and reset,
 * rtap_xstats.c) copy a queue's counters as of one moment between two
 * bursts, and a reset's baselines agree with one another. Two stores a
 * burst, no atomic read-modify-write.
 */
static inline void
rtap_count_begin(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static inline void
rtap_count_end(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE);
}

/*
 * At queue start, with no lcore on the queue: a poller killed between its
 * two stores (a secondary's SIGKILL) left the sequence odd, which would
 * hold every reader up to its retry bound; make it even again.
 */
static inline void
rtap_count_reset_seq(uint32_t *seq)
{
	uint32_t s = __atomic_load_n(seq, __ATOMIC_RELAXED);

	if (s & 1)
		__atomic_store_n(seq, s + 1, __ATOMIC_RELEASE);
}

/*
 * Extended counters of a queue (rtap_xstats.c names them), in shared memory
 * beside the basic ones and written the same way: by the polling lcore,
 * once per burst, from tallies it keeps in locals per packet.
 */
#define RTAP_NB_SIZES 8 /* 64, 65-127, ..., 1024-1522, 1523-9022, 9023-max */
enum rtap_rx_xstat {
	RTAP_RXX_SIZE,					/* RTAP_NB_SIZES buckets */
	RTAP_RXX_MCAST = RTAP_RXX_SIZE + RTAP_NB_SIZES, /* broadcast included */
	RTAP_RXX_BCAST,
	RTAP_RXX_L4_GOOD, /* offload counters: only with rx offloads enabled */
	RTAP_RXX_L4_BAD,
	RTAP_RXX_L4_NONE,
	RTAP_RXX_IP_GOOD,
	RTAP_RXX_IP_BAD,
	RTAP_RXX_LRO,
	RTAP_RXX_MULTISEG,
	RTAP_RXX_BAD_HDR, /* malformed virtio-net header: dropped (in errors) */
	RTAP_RXX_SUBMITS, /* reads submitted */
	RTAP_RXX_ENTERS,  /* io_uring_enter() calls */
	RTAP_RXX_CQES,	  /* completions reaped */
	RTAP_RXX_NB
};

enum rtap_tx_xstat {
	RTAP_TXX_SIZE,
	RTAP_TXX_MCAST = RTAP_TXX_SIZE + RTAP_NB_SIZES,
	RTAP_TXX_BCAST,
	RTAP_TXX_L4_CSUM, /* offload requests submitted */
	RTAP_TXX_IP_CSUM,
	RTAP_TXX_TSO,
	RTAP_TXX_USO,
	RTAP_TXX_MULTISEG,
	RTAP_TXX_BAD_REQ,   /* malformed request: dropped before the kernel (in errors) */
	RTAP_TXX_LINK_DOWN, /* the kernel refused it: interface down (-EIO) */
	RTAP_TXX_GONE,	    /* interface deleted (-EBADFD, and what came after) */
	RTAP_TXX_SUBMITS,
	RTAP_TXX_ENTERS,
	RTAP_TXX_CQES,
	RTAP_TXX_NB
};

struct rtap_rx_xstats {
	uint64_t v[RTAP_RXX_NB];
};

struct rtap_tx_xstats {
	uint64_t v[RTAP_TXX_NB];
};

/* The size bucket of a frame of @len bytes (RFC 2819's, then jumbo and LRO). */
static inline unsigned int
rtap_size_bucket(uint32_t len)
{
	if (len <= 64)
		return 0;
	if (likely(len <= 1522)) /* 65-127: 1, 128-255: 2, ..., 1024-1522: 5 */
		return 26u - (unsigned int)__builtin_clz(len);
	return len <= 9022 ? 6 : 7;
}

/*
 * Size bucket and group-address counts of one packet (rx or tx), into a
 * burst's tallies (devtools/bench/tally_cost.c measures it).
 */
static inline void
rtap_tally_frame(uint32_t *size, uint32_t *mcast, uint32_t *bcast, const struct rte_mbuf *m)
{
	/* By bytes: an application's packet may start at any address (odd data offsets). */
	const uint8_t *dst = rte_pktmbuf_mtod(m, const uint8_t *);

	size[rtap_size_bucket(m->pkt_len)]++;
	if (unlikely(dst[0] & 0x01)) { /* the group bit: multicast */
		(*mcast)++;
		if ((dst[0] & dst[1] & dst[2] & dst[3] & dst[4] & dst[5]) == 0xff)
			(*bcast)++;
	}
}

/* Shared part of an rx queue: configuration and counters. */
struct rtap_rx_queue {
	struct rte_mempool *mp;
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;
	bool deferred_start;
	/* the pool's mempool ops as the primary names them (a secondary checks its own) */
	char mp_ops[RTE_MEMPOOL_OPS_NAMESIZE];
	uint32_t seq; /* of stats and xs: rtap_count_begin() */
	struct rtap_queue_stats stats;
	struct rtap_rx_xstats xs;
	/* stats at the last reset; written by the control thread only */
	struct rtap_queue_stats reset;
	struct rtap_rx_xstats xs_reset;
};

/* Shared part of a tx queue. */
struct rtap_tx_queue {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;
	bool deferred_start;
	bool fast_free; /* MBUF_FAST_FREE asked for at setup (each process's ring copies it) */
	uint32_t seq;	/* of stats and xs: rtap_count_begin() */
	struct rtap_queue_stats stats;
	struct rtap_tx_xstats xs;
	struct rtap_queue_stats reset;
	struct rtap_tx_xstats xs_reset;
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
	bool coop;			  /* task work waits for the poller's next enter */
	uint8_t ol;			  /* RTAP_RX_OL_* */
	uint32_t max_len;		  /* longest untagged frame the MTU allows (see above) */
	const struct rtap_filter *filter; /* the port's (struct rtap_pmd) */
	const uint64_t *vlan_tab;	  /* the port's VLAN filter (struct rtap_pmd) */
	uint16_t nb_segs;		  /* mbufs per read (1 unless scattering) */
	uint16_t max_segs;		  /* iovecs per slot */
	uint16_t seg_room;		  /* data room of one mbuf after the headroom */
	uint32_t capacity;		  /* frame bytes one read can hold */
	struct iovec *iov;		  /* nb_slots * max_segs iovecs for scattered reads */
	struct rte_mbuf **scratch;	  /* RTAP_RX_READS * max_segs mbufs for bulk refill */
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
	bool sqpoll;		 /* submits enter the kernel only to wake its thread */
};

/* dev->process_private */
struct rtap_proc {
	int qfd[RTAP_MAX_QUEUES];	/* TAP fd of each rx queue (tx queues share them), or -1 */
	bool attached[RTAP_MAX_QUEUES]; /* primary only: the secondaries' copies share it */
	uint32_t fd_gen;		/* secondary: the primary's fd_gen its qfd are from */
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
	/*
	 * fds=: how many queue fds the port was handed (proc->qfd[0..n-1] of
	 * the primary, open from probe to close; keep_fd is a dup of the
	 * first); 0 when the port opens its own. Set at probe, read-only after.
	 */
	uint16_t nb_inherited;
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
	/* the kernel interface's counters for xstats: at the last reset, last read */
	struct rtnl_link_stats64 kernel_base;
	struct rtnl_link_stats64 kernel_last;
	/*
	 * Bumped (under rtap_fd_lock) whenever the primary opens or closes a
	 * queue fd: a secondary whose copies are older asks again.
	 */
	uint32_t fd_gen;
	/*
	 * Receive filtering (rtap_filter.c): what the application asked for,
	 * the kernel's share of it, and what the bursts check.
	 */
	struct rte_ether_addr mac_tab[RTAP_MAX_MAC_ADDRS]; /* by ethdev index; zero: unused */
	struct rte_ether_addr mc_tab[RTAP_MAX_MC_ADDRS];   /* set_mc_addr_list() */
	uint16_t nb_mc;
	bool promisc;
	bool allmulti;
	unsigned int tun_filter; /* addresses in the kernel's TUNSETTXFILTER (0: none) */
	struct rtap_filter filter;
	/* VLAN IDs the VLAN filter lets through; each word written atomically. */
	uint64_t vlan_tab[RTAP_VLAN_TAB_WORDS];
};

/* rtap_args.c: the devargs. */
#define RTAP_ARG_IFACE	 "iface"
#define RTAP_ARG_MAC	 "mac"
#define RTAP_ARG_PERSIST "persist"
#define RTAP_ARG_IO_MODE "io_mode"
#define RTAP_ARG_TXQLEN	 "txqueuelen"
#define RTAP_ARG_FDS	 "fds"

struct rtap_args {
	char ifname[IFNAMSIZ];
	struct rte_ether_addr mac;
	bool has_mac;
	bool persist;
	bool sqpoll;
	unsigned int txqlen; /* 0: not given */
	uint16_t nb_fds;     /* fds=: TAP queue fds the application inherited */
	int fds[RTAP_MAX_QUEUES];
};

/* Parse @params (may be NULL) for device @name into @args; 0 or -EINVAL, logged. */
int rtap_parse_args(const char *name, const char *params, struct rtap_args *args);

/* rtap_tun.c: one small function per TUN ioctl; 0 or -errno, logged. */
int rtap_tun_features(int fd, unsigned int *features);
int rtap_tun_open(const char *name, char *actual);
int rtap_tun_adopt(int fd, char *name);
int rtap_tun_set_queue(int fd, bool attach, const char *ifname);
int rtap_tun_try_queue(int fd, bool attach);
int rtap_tun_set_persist(int fd, bool persist, const char *ifname);
int rtap_tun_set_vnet_le(int fd, const char *ifname);
int rtap_tun_get_name(int fd, char *name);
int rtap_tun_get_mac(int fd, struct rte_ether_addr *mac);
int rtap_tun_set_mac(int fd, const struct rte_ether_addr *mac, const char *ifname);
int rtap_tun_set_offload(int fd, unsigned int flags, const char *ifname, bool probe);
int rtap_tun_set_txfilter(int fd, bool allmulti, const struct rte_ether_addr *addr,
			  unsigned int nb_addr, const char *ifname);

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
int rtap_ifctl_get_mac(int keep_fd, struct rte_ether_addr *mac);
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

/* rtap_filter.c: receive filtering, the control side (ops and the kernel's filter). */
int rtap_filter_init(struct rte_eth_dev *dev);
void rtap_filter_fini(struct rte_eth_dev *dev);
int rtap_filter_set_mac(struct rte_eth_dev *dev, const struct rte_ether_addr *mac);
int rtap_promiscuous_enable(struct rte_eth_dev *dev);
int rtap_promiscuous_disable(struct rte_eth_dev *dev);
int rtap_allmulticast_enable(struct rte_eth_dev *dev);
int rtap_allmulticast_disable(struct rte_eth_dev *dev);
int rtap_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		      uint32_t vmdq);
void rtap_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index);
int rtap_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *mc, uint32_t nb_mc);
int rtap_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on);
int rtap_vlan_offload_set(struct rte_eth_dev *dev, int mask);

/* rtap_queue.c: queue lifecycle, rings, queue fds. */
extern pthread_mutex_t rtap_fd_lock; /* process_private qfd/attached vs the mp thread */
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
void rtap_rx_queues_set_mtu(struct rte_eth_dev *dev, uint16_t mtu);
void rtap_rx_queues_set_offloads(struct rte_eth_dev *dev);
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
void rtap_proc_free(struct rte_eth_dev *dev);
int rtap_queue_fd_sync(struct rte_eth_dev *dev, uint16_t fd);
uint16_t rtap_tx_fd_index(const struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_rx_ring_create(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_tx_ring_create(struct rte_eth_dev *dev, uint16_t queue_id);
void rtap_rx_ring_destroy(struct rte_eth_dev *dev, uint16_t queue_id);
void rtap_tx_ring_destroy(struct rte_eth_dev *dev, uint16_t queue_id);

/* rtap_mp.c: the primary's fd service and a secondary's queues (rte_mp). */
int rtap_mp_primary_init(void);
void rtap_mp_primary_uninit(void);
int rtap_mp_secondary_attach(struct rte_eth_dev *dev);
void rtap_mp_secondary_close(struct rte_eth_dev *dev);
int rtap_mp_kernel_stats(struct rte_eth_dev *dev, struct rtnl_link_stats64 *k);
int rtap_mp_rx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_mp_rx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_mp_tx_queue_start(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_mp_tx_queue_stop(struct rte_eth_dev *dev, uint16_t queue_id);

/* rtap_xstats.c: extended statistics. */
int rtap_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int
rtap_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names, unsigned int n);
void rtap_xstats_rebase(struct rte_eth_dev *dev);
/* A queue's counters since the last reset, all as of one moment between bursts. */
void rtap_rxq_counters(const struct rtap_rx_queue *rxq, struct rtap_queue_stats *st,
		       struct rtap_rx_xstats *xs);
void rtap_txq_counters(const struct rtap_tx_queue *txq, struct rtap_queue_stats *st,
		       struct rtap_tx_xstats *xs);
int rtap_kernel_stats(struct rte_eth_dev *dev, struct rtnl_link_stats64 *k);
/*
 * Fds the driver opens for a moment, on top of those it holds: a control
 * call (MTU, flags, link up at start) opens a socket and, when the interface
 * is in another network namespace, an fd of its own namespace to come back
 * to (2); the interrupt thread's link-event handler may do the same at the
 * same time (2).
 */
#define RTAP_FDS_TRANSIENT 4u
unsigned int rtap_queue_fds_needed(uint16_t nb_rx, uint16_t nb_tx, bool rxq_intr);
int rtap_fds_check(struct rte_eth_dev *dev);

/* rtap_rxtx.c: the burst functions. */
uint16_t rtap_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t rtap_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t rtap_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
int rtap_tx_done_cleanup(void *txq, uint32_t free_cnt);
RTAP_RX_QUEUE_COUNT_RET rtap_rx_queue_count(void *rxq);
int rtap_rx_descriptor_status(void *rxq, uint16_t offset);
int rtap_tx_descriptor_status(void *txq, uint16_t offset);

#endif /* _RTAP_H_ */
