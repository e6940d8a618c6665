/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_TEST_UTIL_H_
#define _RTAP_TEST_UTIL_H_

/*
 * Helpers shared by the suites: the kernel side of a TAP (ioctls, AF_PACKET,
 * ip(8)), network namespaces and veth topologies around a port, test frames,
 * mbuf chains, and ports created through the vdev bus.
 * Functions return 0 (or a count) on success and -errno on failure, except
 * where TEST_SUCCESS/TEST_FAILED is said.
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

#include "rtap_compat.h"

/* IEEE 802 local experimental EtherType: nothing in the kernel speaks it. */
#define RTU_ETHERTYPE  0x88b5
#define RTU_MAGIC      0x72746170 /* "rtap" */
#define RTU_TIMEOUT_MS 3000
#define RTU_BURST      32
#define RTU_MAX_IFACES 1024
/* Largest frame the helpers handle (AF_PACKET receive buffer). */
#define RTU_MAX_FRAME 65536

/* Test header, right after the Ethernet header of every test frame. */
struct __rte_packed_begin rtu_hdr {
	rte_be32_t magic;
	rte_be32_t seq;
} __rte_packed_end;

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
/* Silence IPv6 (router solicitations, MLD, DAD) on the interface. */
int rtu_if_disable_ipv6(const char *ifname);
/* 0 once the interface is gone, -ETIMEDOUT if it is still there after timeout_ms. */
int rtu_if_wait_gone(const char *ifname, unsigned int timeout_ms);
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
 * The driver's own receive counters of a net_rtap port (struct
 * rtap_queue_stats in rtap.h), summed over its rx queues since the last
 * stats reset: those that no ethdev counter reports (csum_bad, ...), read
 * from the queues until xstats name them. -ENOTSUP for another driver.
 */
struct rtap_queue_stats;
int rtu_rtap_rx_counters(uint16_t port_id, struct rtap_queue_stats *sum);

/*
 * One queue's counters as applications read them on every DPDK release: the
 * per-queue xstats (rx_q<N>_packets, ...). From 25.11 on they are no longer
 * in struct rte_eth_stats. -ENOENT for a queue ethdev names no xstats for
 * (beyond RTE_ETHDEV_QUEUE_STAT_CNTRS).
 */
struct rtu_qstats {
	uint64_t ipackets;
	uint64_t ibytes;
	uint64_t ierrors;
	uint64_t opackets;
	uint64_t obytes;
};
int rtu_queue_stats(uint16_t port_id, uint16_t queue_id, struct rtu_qstats *qs);

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
/* Closes the fds of the array that are open (>= 0) and sets every one to -1. */
void rtu_close_fds(int *fds, unsigned int n);

/*
 * Do tx completions arrive after tx_burst returns (io_mode=sqpoll in
 * RTAP_TEST_DEVARGS)? In the default mode they are collected inside it.
 */
bool rtu_tx_async(void);

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

/*
 * Network namespaces, for cases that need a kernel on the other side of a
 * port: sockets that talk to it like a remote host, or a router that
 * finishes and validates what it sends (a socket in the port's own namespace
 * trusts a CHECKSUM_PARTIAL skb and proves nothing). The rtu_topo_*()
 * functions below create them, named "rtu<pid>n<k>", and delete them. What
 * follows works in a namespace ns from the current thread, which stays where
 * it is; commands in ns: rtu_run("ip -n NS ...") or
 * rtu_run("ip netns exec NS ...").
 */
#define RTU_NS_NAMESIZE 32

/* rtu_pkt_open() on ifname in ns (ETH_P_ALL: every frame arriving there). */
int rtu_ns_pkt_open(const char *ns, const char *ifname, uint16_t ethertype);
/*
 * Polls until ifname in ns has its carrier (LOWER_UP: the kernel sets it
 * asynchronously); 0, or -ETIMEDOUT after timeout_ms (the link is printed).
 */
int rtu_ns_if_wait_carrier(const char *ns, const char *ifname, unsigned int timeout_ms);
/*
 * A counter of ns from /proc/net/FILE: "snmp" and "netstat" have lines
 * "Proto: names" then "Proto: values"; "snmp6" has lines "Name value" (give
 * proto NULL). -1 if there is no such counter.
 */
int64_t rtu_ns_counter(const char *ns, const char *file, const char *proto, const char *field);
/* Polls rtu_ns_counter() until it reached want or timeout_ms; its last value. */
int64_t rtu_ns_counter_wait(const char *ns, const char *file, const char *proto, const char *field,
			    int64_t want, unsigned int timeout_ms);

/*
 * Kernel-side sockets in a namespace; ip is an IPv4 or IPv6 address in text
 * ("0.0.0.0" or "::" to bind to any). Each returns the fd or -errno.
 */
/* UDP socket bound to ip:port, 4 MiB receive buffer, receive timeout timeout_ms. */
int rtu_ns_udp_bind(const char *ns, const char *ip, uint16_t port, unsigned int timeout_ms);
/* UDP socket that has sent one datagram of len bytes to ip:port. */
int rtu_ns_udp_send(const char *ns, const char *ip, uint16_t port, const void *data, size_t len);
/* Non-blocking TCP socket listening on ip:port (SO_REUSEADDR, backlog 1). */
int rtu_ns_tcp_listen(const char *ns, const char *ip, uint16_t port);
/*
 * Non-blocking TCP socket whose connection to ip:port is under way (connect()
 * said EINPROGRESS; a connection made at once is -EISCONN): the SYN is out.
 */
int rtu_ns_tcp_connect(const char *ns, const char *ip, uint16_t port);

/*
 * Topologies around ports, in fresh namespaces R and S. The port's side of
 * an interface is never configured in the kernel: the test plays it with its
 * own frames, or forwards between two ports.
 *
 * rtu_topo_routed(): the port's interface in R, S behind a veth (with
 * RTU_TOPO_VETH), R forwarding between them:
 *
 *   port --tap-- [R: 10.77.1.1, fd77:1::1 | fwd | 10.77.2.1] --veth-- [S: 10.77.2.2]
 *   (the port plays 10.77.1.2 / fd77:1::2; S has fd77:2::2 with RTU_TOPO_IPV6)
 *
 * R's end of the veth has tx checksum offload off, so the kernel finishes
 * every checksum and segments in software what R forwards from the port;
 * S validates what arrives like any host (counted in its own /proc/net/snmp).
 *
 * rtu_topo_pair(): two ports' interfaces, A's in R and B's in S, each knowing
 * the other's MAC; what goes between them crosses the test (e.g. a forwarder):
 *
 *   [R: 10.77.3.1] --tap-- port A <-> test <-> port B --tap-- [S: 10.77.3.2]
 */
#define RTU_TOPO_PORT_IP4 "10.77.1.2"
#define RTU_TOPO_PORT_IP6 "fd77:1::2"
#define RTU_TOPO_R_IP4	  "10.77.1.1"
#define RTU_TOPO_R_IP6	  "fd77:1::1"
#define RTU_TOPO_S_IP4	  "10.77.2.2"
#define RTU_TOPO_S_IP6	  "fd77:2::2"
#define RTU_TOPO_A_IP4	  "10.77.3.1"
#define RTU_TOPO_B_IP4	  "10.77.3.2"

/* rtu_topo_routed() flags */
#define RTU_TOPO_VETH (1u << 0) /* S behind a veth, R forwarding */
#define RTU_TOPO_IPV6 (1u << 1) /* IPv6 addresses and forwarding too */

/* Namespaces and links of one case; rtu_topo_destroy() undoes them. */
struct rtu_topo {
	char ns_r[RTU_NS_NAMESIZE];
	char ns_s[RTU_NS_NAMESIZE];	/* with RTU_TOPO_VETH, or rtu_topo_pair() */
	char veth_r[IFNAMSIZ];		/* with RTU_TOPO_VETH: the veth's end in R */
	char veth_s[IFNAMSIZ];		/* and in S */
	char port_if[IFNAMSIZ];		/* rtu_topo_routed(): the port's interface (in R) */
	struct rte_ether_addr port_mac; /* and the MAC R sends to for the port's side */
	unsigned int flags;
	bool made_r, made_s;
};

/*
 * Moves ifname into a fresh namespace R (10.77.1.1/24; fd77:1::1/64 with
 * RTU_TOPO_IPV6) with a permanent neighbour for the port's side at mac; with
 * RTU_TOPO_VETH, S and the forwarding veth as drawn above.
 * TEST_SUCCESS or TEST_FAILED; call rtu_topo_destroy() in either case.
 */
int rtu_topo_routed(struct rtu_topo *t, const char *ifname, const struct rte_ether_addr *mac,
		    unsigned int flags);
/* (Re)sets the permanent neighbours of the port's side in R; TEST_SUCCESS or TEST_FAILED. */
int rtu_topo_set_port_neigh(const struct rtu_topo *t);
/* Whether R still has the permanent IPv4 neighbour of the port's side. */
bool rtu_topo_has_port_neigh(const struct rtu_topo *t);
/*
 * if_a into a fresh R as 10.77.3.1/24, if_b into a fresh S as 10.77.3.2/24,
 * each with a permanent neighbour for the other (mac_a, mac_b), both up.
 * TEST_SUCCESS or TEST_FAILED; call rtu_topo_destroy() in either case.
 */
int rtu_topo_pair(struct rtu_topo *t, const char *if_a, const struct rte_ether_addr *mac_a,
		  const char *if_b, const struct rte_ether_addr *mac_b);
/*
 * Deletes the namespaces t made (and what is in them). Call it after the
 * ports whose interfaces are there are closed: deleting a namespace would
 * unregister a TAP still in use. Idempotent.
 */
void rtu_topo_destroy(struct rtu_topo *t);

#endif /* _RTAP_TEST_UTIL_H_ */
