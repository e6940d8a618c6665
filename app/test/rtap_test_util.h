/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_TEST_UTIL_H_
#define _RTAP_TEST_UTIL_H_

/*
 * Helpers shared by the suites: the kernel side of a TAP (ioctls, AF_PACKET,
 * ip(8)), test frames, mbuf chains, and ports created through the vdev bus.
 * Functions return 0 (or a count) on success and -errno on failure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/types.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

/* IEEE 802 local experimental EtherType: nothing in the kernel speaks it. */
#define RTU_ETHERTYPE  0x88b5
#define RTU_MAGIC      0x72746170 /* "rtap" */
#define RTU_TIMEOUT_MS 3000
#define RTU_BURST      32
#define RTU_MAX_IFACES 1024
/* Largest frame the helpers handle (AF_PACKET receive buffer). */
#define RTU_MAX_FRAME 65536

/* Test header, right after the Ethernet header of every test frame. */
struct rtu_hdr {
	rte_be32_t magic;
	rte_be32_t seq;
} __rte_packed;

uint64_t rtu_now_ms(void);

/* system() on a formatted command; its exit status, or -1. Output is discarded. */
int rtu_run(const char *fmt, ...) __rte_format_printf(1, 2);

/* A fresh interface name "rtu<pid>q<n>" (starts with "rt", < IFNAMSIZ). */
void rtu_ifname(char name[IFNAMSIZ]);

/* Kernel view of an interface, through ioctls. */
bool rtu_if_exists(const char *ifname);
int rtu_if_index(const char *ifname);
int rtu_if_get_flags(const char *ifname, unsigned int *flags);
int rtu_if_set_flags(const char *ifname, unsigned int set, unsigned int clear);
int rtu_if_get_mtu(const char *ifname, int *mtu);
int rtu_if_set_mtu(const char *ifname, int mtu);
int rtu_if_get_mac(const char *ifname, struct rte_ether_addr *mac);
int rtu_if_stat(const char *ifname, const char *name, uint64_t *val);
/* A number from /sys/class/net/IF/ATTR (e.g. "tx_queue_len"). */
int rtu_if_sysfs(const char *ifname, const char *attr, uint64_t *val);

/*
 * Open file descriptors of this process, leaving out EAL's hugepage memfds
 * (their number follows the heap, not the driver).
 */
int rtu_count_fds(void);
/* Prints the fds counted by rtu_count_fds() (to diagnose a leak). */
void rtu_dump_fds(void);
/* Threads of this process whose name starts with prefix (NULL: all), e.g. "iou-wrk". */
int rtu_count_threads(const char *prefix);

/* Snapshot of the interface names of the current netns. */
struct rtu_iflist {
	unsigned int n;
	char names[RTU_MAX_IFACES][IFNAMSIZ];
};
int rtu_iflist_get(struct rtu_iflist *l);
/*
 * Number of differences (0: equal) among the names this process may create
 * ("rtu<pid>q*" and "rtap*"); prints what was added or removed.
 */
int rtu_iflist_compare(const struct rtu_iflist *before, const struct rtu_iflist *after);

/*
 * AF_PACKET socket bound to ifname, receiving frames of the given EtherType
 * (0: receive nothing, send only). Returns the fd or -errno.
 */
int rtu_pkt_open(const char *ifname, uint16_t ethertype);
/* Sends one frame; 0 or -errno. */
int rtu_pkt_send(int fd, const void *frame, size_t len);
/*
 * Receives one frame arriving on the interface (outgoing copies are skipped)
 * within timeout_ms. Returns its length (truncated to len), 0 on timeout, -errno.
 */
ssize_t rtu_pkt_recv(int fd, void *buf, size_t len, unsigned int timeout_ms);
/* Discards everything queued on the socket. */
void rtu_pkt_drain(int fd);

/*
 * Test frame of len bytes (>= 60): dst, src, RTU_ETHERTYPE, struct rtu_hdr with
 * seq, then a pattern derived from seq. Returns len.
 */
size_t rtu_frame_fill(uint8_t *buf, size_t len, const struct rte_ether_addr *dst,
		      const struct rte_ether_addr *src, uint32_t seq);
/* seq of a test frame, or -1 when buf is not one. */
int64_t rtu_frame_seq(const uint8_t *buf, size_t len);
/* IPv4/UDP frame of len bytes with the given ports; RTU_MAGIC and seq in the payload. */
size_t
rtu_frame_udp4(uint8_t *buf, size_t len, const struct rte_ether_addr *dst,
	       const struct rte_ether_addr *src, uint16_t sport, uint16_t dport, uint32_t seq);
/* seq of an rtu_frame_udp4() frame, or -1. */
int64_t rtu_udp4_seq(const struct rte_mbuf *m);

/* Chain of nb_segs mbufs holding data (split as evenly as possible). */
struct rte_mbuf *
rtu_mbuf_from(struct rte_mempool *mp, const void *data, size_t len, unsigned int nb_segs);
/* 0 when the (possibly chained) mbuf holds exactly data; prints the first difference. */
int rtu_mbuf_compare(const struct rte_mbuf *m, const void *data, size_t len);
/* seq of a test frame in an mbuf, or -1. */
int64_t rtu_mbuf_seq(const struct rte_mbuf *m);
/* Mbufs of a pool not in the pool (in flight or leaked). */
unsigned int rtu_mempool_in_use(const struct rte_mempool *mp);

/* A port created through the vdev bus. */
struct rtu_port {
	char vdev[RTE_DEV_NAME_MAX_LEN];
	char ifname[IFNAMSIZ];
	uint16_t port_id;
	uint16_t nb_queues;
	bool probed;
	bool started;
};

/* Driver under test: net_rtap, or $RTAP_TEST_DRIVER (e.g. net_tap to debug the tests). */
const char *rtu_driver(void);
bool rtu_driver_is_rtap(void);

/* rte_vdev_init(net_rtapN, "iface=<fresh name>[,extra]"); disables IPv6 on it. */
int rtu_port_probe(struct rtu_port *p, const char *extra_devargs);
/* Same with devargs used verbatim (no iface added, no IPv6 change). */
int rtu_port_probe_raw(struct rtu_port *p, const char *devargs);
/* configure (conf may be NULL) + nb_queues rx/tx queue pairs from mp. */
int rtu_port_setup(struct rtu_port *p, uint16_t nb_queues, const struct rte_eth_conf *conf,
		   struct rte_mempool *mp, uint16_t nb_desc);
int rtu_port_start(struct rtu_port *p);
/*
 * stop, close, rte_vdev_uninit, then check the interface is gone.
 * Idempotent: does nothing for a port never probed. 0 or TEST_FAILED.
 */
int rtu_port_destroy(struct rtu_port *p);
/* Port MAC as ethdev reports it. */
int rtu_port_mac(const struct rtu_port *p, struct rte_ether_addr *mac);

/*
 * Polls rx_burst on queue until want test frames (RTU_ETHERTYPE or
 * rtu_frame_udp4) arrived or timeout_ms elapsed, never taking more than want
 * from the queue; stores at most max of them in pkts (the rest are freed).
 * Other frames are freed and counted in *stray when stray is not NULL.
 * Returns the number of test frames received.
 */
unsigned int
rtu_rx_wait(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **pkts, unsigned int max,
	    unsigned int want, unsigned int timeout_ms, unsigned int *stray);
/* Frees whatever the port's queues hold now; returns how many. */
unsigned int rtu_rx_drain(uint16_t port_id, uint16_t nb_queues);
/* tx_burst until all n packets are accepted or timeout_ms; returns how many were. */
unsigned int rtu_tx_all(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **pkts, unsigned int n,
			unsigned int timeout_ms);
/*
 * Reaps tx completions (tx_burst with no packets, tx_done_cleanup) on every
 * queue until mp is full again or timeout_ms; 0 or -ETIMEDOUT.
 */
int rtu_tx_reap_until_full(uint16_t port_id, uint16_t nb_queues, struct rte_mempool *mp,
			   unsigned int timeout_ms);

void rtu_free_bulk(struct rte_mbuf **pkts, unsigned int n);

/* Checks the suites share: need root and /dev/net/tun, else TEST_SKIPPED. */
int rtu_check_env(void);
/* Packet pool with room for frames of data_room bytes; NULL on failure (printed). */
struct rte_mempool *rtu_pool_create(const char *name, unsigned int n, uint16_t data_room);

/*
 * The usual case fixture: fd baseline, its own rx and tx pools (rx_n and tx_n
 * mbufs of RTE_MBUF_DEFAULT_DATAROOM), a started port with nb_queues queue
 * pairs, an AF_PACKET socket on its interface for RTU_ETHERTYPE frames, the
 * port's MAC and a peer MAC for kernel-side frames.
 */
struct rtu_fixture {
	struct rtu_port port;
	struct rte_mempool *rx_pool;
	struct rte_mempool *tx_pool;
	struct rte_ether_addr mac;  /* port (and kernel interface) MAC */
	struct rte_ether_addr peer; /* source of kernel-side frames */
	int pkt_fd;
	int fds_before;
};

int rtu_fixture_setup(struct rtu_fixture *f, uint16_t nb_queues, const struct rte_eth_conf *conf,
		      unsigned int rx_n, unsigned int tx_n);
/*
 * Closes the socket and the port and checks nothing is left: interface gone,
 * both pools full (then frees them), fd count back to the baseline.
 * TEST_SUCCESS or TEST_FAILED.
 * Idempotent (the teardown calls it again after a failed case).
 */
int rtu_fixture_finish(struct rtu_fixture *f);

#endif /* _RTAP_TEST_UTIL_H_ */
