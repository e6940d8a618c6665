/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_H_
#define _RTAP_H_

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <net/if.h>
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

struct rte_eth_dev;

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
#define RTAP_REFILL_BATCH 64 /* reads set up per mbuf bulk allocation */

/*
 * The interface's txqueuelen: frames the kernel holds for each rx queue
 * while the lcore is away. Raised to the default unless set by devarg.
 */
#define RTAP_DEFAULT_TXQLEN 4096u
#define RTAP_MAX_TXQLEN	    (1u << 20)

/*
 * One-shot reads in flight per queue. Every pending read is woken for every
 * frame the kernel queues, so more of them only add work.
 */
#define RTAP_ONESHOT_READS 32
/* Largest frame a TAP carries: its max MTU (65535 - ETH_HLEN) plus Ethernet and a VLAN tag. */
#define RTAP_MAX_MTU	    (UINT16_MAX - RTE_ETHER_HDR_LEN)
#define RTAP_FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)

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

/* Largest frame the kernel hands over with TSO/USO negotiated: 64 KiB of IP + Ethernet + VLAN. */
#define RTAP_LRO_MAX_FRAME (UINT16_MAX + RTAP_FRAME_OVERHEAD)

/* Rx offload work a queue does per packet, from what the application enabled. */
#define RTAP_RX_OL_TCP (1u << 0) /* report TCP checksum state in ol_flags */
#define RTAP_RX_OL_UDP (1u << 1) /* report UDP checksum state in ol_flags */
#define RTAP_RX_OL_LRO (1u << 2) /* GSO frames and partial checksums arrive */
#define RTAP_RX_OL_IP  (1u << 3) /* verify IPv4 header checksums in software */

/*
 * How a queue's io_uring delivers completions (devarg io_mode). The zero
 * value is the default, chosen by the benchmark (see the guide).
 */
enum rtap_io_mode {
	RTAP_IO_COOP,	/* COOP_TASKRUN: reads complete when the poller asks */
	RTAP_IO_NOTIFY, /* the kernel interrupts the polling thread to complete reads */
	RTAP_IO_SQPOLL, /* a kernel thread per port submits and completes */
};

/* How rx keeps reads in flight (devarg rx_engine); the zero value is the default. */
enum rtap_rx_engine {
	RTAP_RX_ONESHOT,   /* up to RTAP_ONESHOT_READS one-shot reads */
	RTAP_RX_MULTISHOT, /* one multishot read over provided mbufs, where frames fit one */
};

/* Per-queue counters; live in shared memory so every process can read them. */
struct rtap_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
	uint64_t nombuf;    /* rx: mbuf allocation failures */
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
};

/* Shared part of a tx queue. */
struct rtap_tx_queue {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;
	bool deferred_start;
	struct rtap_queue_stats stats;
};

/*
 * Per-process rx state: the io_uring and the reads in flight. Never in
 * shared memory: ring mmaps and fds only mean something in their process.
 */
struct rtap_rx_ring {
	struct io_uring io;
	struct rtap_rx_queue *rxq;
	struct rte_mempool *mp;
	int fd; /* the queue pair's TAP fd (registered as fixed file 0) */
	bool started;
	bool dead;		      /* interface gone: nothing is posted any more */
	bool multishot;		      /* this run reads with one multishot read */
	bool armed;		      /* the multishot read is in flight */
	bool coop;		      /* task work waits for io_uring_get_events() */
	struct io_uring_buf_ring *br; /* provided buffers for the multishot read */
	uint16_t br_mask;
	uint16_t nb_desc;
	uint16_t nb_free;	     /* slots with no read in flight */
	uint16_t max_segs;	     /* iovecs per slot */
	uint16_t nb_reads;	     /* one-shot engine: reads kept in flight */
	uint8_t ol;		     /* RTAP_RX_OL_* */
	uint16_t nb_segs;	     /* mbufs per read (1 unless scattering) */
	uint16_t seg_room;	     /* data room of one mbuf after the headroom */
	uint32_t capacity;	     /* frame bytes one read can hold */
	uint16_t *free_slots;	     /* stack of nb_free slot numbers */
	struct rte_mbuf **slot_mbuf; /* head of the chain each slot reads into */
	struct iovec *iov;	     /* nb_desc * nb_segs iovecs for scattered reads */
	struct rte_mbuf **scratch;   /* RTAP_REFILL_BATCH * max_segs mbufs for bulk refill */
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

/* Tx offload flags the data path acts on. */
#define RTAP_TX_OL_MASK \
	(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | \
	 RTE_MBUF_F_TX_UDP_SEG)

/* Per-process tx state. */
struct rtap_tx_ring {
	struct io_uring io;
	struct rtap_tx_queue *txq;
	int fd;
	bool started;
	bool dead;
	uint16_t nb_desc;
	uint16_t nb_free;
	uint16_t *free_slots;
	struct rte_mbuf **slot_mbuf;
	struct rte_mbuf **done;	 /* completed mbufs, freed in bulk */
	struct iovec *iov;	 /* nb_desc * RTAP_TX_IOVS */
	struct rtap_tx_hdr *hdr; /* per-slot header when the headroom can't be used */
};

/* dev->process_private */
struct rtap_proc {
	int sq_fd;		  /* SQPOLL: ring whose kernel thread the others share */
	int qfd[RTAP_MAX_QUEUES]; /* queue pair fds, -1 when not open */
	bool attached[RTAP_MAX_QUEUES];
	struct rtap_rx_ring *rx[RTAP_MAX_QUEUES];
	struct rtap_tx_ring *tx[RTAP_MAX_QUEUES];
};

/* dev->data->dev_private */
struct rtap_pmd {
	char ifname[IFNAMSIZ]; /* name asked for, as given in devargs */
	int keep_fd;	       /* keep-alive fd: holds the interface, detached */
	int if_index;
	bool persist;
	bool created;		  /* we created the interface (not attached to one) */
	bool napi;		  /* IFF_NAPI on every fd */
	bool has_uso;		  /* kernel takes TUN_F_USO4/6 (and so UDP GSO) */
	unsigned int tun_offload; /* TUN_F_* in force */
	enum rtap_io_mode io_mode;
	enum rtap_rx_engine rx_engine;
	uint16_t mtu;
	struct rte_ether_addr mac;
	/*
	 * Kernel counters at the last stats reset. The kernel's tx_dropped
	 * counts frames it could not queue to us: that is our imissed.
	 */
	uint64_t kernel_tx_dropped_base;
};

/* rtap_tun.c: one small function per TUN ioctl; 0 or -errno, logged. */
int rtap_tun_features(int fd, unsigned int *features);
int rtap_tun_open(const char *name, char *actual, bool napi);
int rtap_tun_set_queue(int fd, bool attach, const char *ifname);
int rtap_tun_set_persist(int fd, bool persist, const char *ifname);
int rtap_tun_get_name(int fd, char *name);
int rtap_tun_get_mac(int fd, struct rte_ether_addr *mac);
int rtap_tun_set_mac(int fd, const struct rte_ether_addr *mac, const char *ifname);
int rtap_tun_set_offload(int fd, unsigned int flags, const char *ifname, bool probe);

/* rtap_netlink.c: kernel interface state, in the interface's own netns. */
#define RTAP_NS_SAME (-1000)
int rtap_ns_enter(int keep_fd);
void rtap_ns_leave(int saved);
int rtap_nl_get_flags(int keep_fd, unsigned int *flags);
int rtap_nl_change_flags(int keep_fd, unsigned int set, unsigned int clear);
int rtap_nl_set_mtu(int keep_fd, uint16_t mtu);
int rtap_nl_get_mtu(int keep_fd, uint16_t *mtu);
int rtap_nl_set_txqlen(int keep_fd, unsigned int qlen);
int rtap_nl_get_txqlen(int keep_fd, unsigned int *qlen);
int rtap_nl_get_ifindex(int keep_fd, int *if_index);
int rtap_nl_get_stats(int keep_fd, struct rtnl_link_stats64 *stats);

/* rtap_rxtx.c: queue setup and the data path. */
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
int rtap_tx_done_cleanup(void *txq, uint32_t free_cnt);
uint16_t rtap_rx_burst(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t rtap_rx_burst_multishot(void *rxq, struct rte_mbuf **pkts, uint16_t nb_pkts);
void rtap_rx_select_burst(struct rte_eth_dev *dev);
uint16_t rtap_tx_burst(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
uint16_t rtap_tx_prepare(void *txq, struct rte_mbuf **pkts, uint16_t nb_pkts);
unsigned int rtap_rx_offload_mode(const struct rte_eth_dev *dev);
uint32_t rtap_rx_capacity(const struct rte_eth_dev *dev, struct rte_mempool *mp, uint16_t mtu,
			  uint16_t *nb_segs);
uint32_t rtap_rx_posted_capacity(struct rte_eth_dev *dev, uint16_t queue_id);

/* rtap_ethdev.c */
int rtap_queue_fd(struct rte_eth_dev *dev, uint16_t queue_id);
int rtap_queue_attach(struct rte_eth_dev *dev, uint16_t queue_id, bool attach);

#endif /* _RTAP_H_ */
