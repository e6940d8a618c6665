/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Rx offloads: the checksum state rx reports (mbuf L4 flags) for what a
 * kernel in namespace R sends the port from its sockets, with TCP/UDP
 * checksum offload on (finished checksums), with LRO (partial ones, NONE),
 * off, over scattered mbufs and after reconfiguration; and a restart keeping
 * R's neighbour of the port. The port's interface is in R
 * (rtu_topo_routed() without S).
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

#define DPORT 5555

/* The port's side as R knows it. */
static const struct rte_ether_addr host_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

static struct rtu_fixture fx = { .pkt_fd = -1 };
static struct rtu_topo topo;
static int sock_fd[2] = { -1, -1 };
static uint8_t frame[RTU_MAX_FRAME];

/* Sockets, the port (checks included), namespaces. */
static int
rx_finish(void)
{
	int ret;

	rtu_close_fds(sock_fd, RTE_DIM(sock_fd));
	ret = rtu_fixture_finish(&fx);
	rtu_topo_destroy(&topo);
	return ret;
}

static void
rx_teardown(void)
{
	rx_finish();
}

static int
rx_setup_topo(uint64_t offloads, uint16_t data_room, unsigned int topo_flags)
{
	struct rte_ether_addr host;
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = offloads;
	ret = rtu_fixture_setup(&fx, 1, NULL, 2047, 511);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	if (data_room != 0) {
		/* Rebuild the queue on small mbufs; the fixture checks and frees rx_pool. */
		static unsigned int n;
		struct rte_mempool *old = fx.rx_pool;
		char name[RTE_MEMPOOL_NAMESIZE];

		snprintf(name, sizeof(name), "ofl_small%u", n++);
		fx.rx_pool = rtu_pool_create(name, 2047, data_room);
		TEST_ASSERT_NOT_NULL(fx.rx_pool, "pool");
		TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 0), "setup");
		TEST_ASSERT(rte_mempool_full(old), "%u mbufs of the first pool held",
			    rtu_mempool_in_use(old));
		rte_mempool_free(old);
	} else {
		TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 0), "setup");
	}
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	/* The port plays the host R knows by host_mac: it answers to that address too. */
	host = host_mac;
	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(fx.port.port_id, &host, 0), "mac_addr_add");
	return rtu_topo_routed(&topo, fx.port.ifname, &host_mac, topo_flags);
}

static int
rx_setup(uint64_t offloads, uint16_t data_room)
{
	return rx_setup_topo(offloads, data_room, 0);
}

/* What testpmd's --enable-rx-cksum asks for, with IPv6 in R too. */
static int
rx_setup_cksum_all(void)
{
	return rx_setup_topo(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
				     RTE_ETH_RX_OFFLOAD_UDP_CKSUM,
			     0, RTU_TOPO_IPV6);
}

static int
rx_setup_cksum(void)
{
	return rx_setup(RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM, 0);
}

static int
rx_setup_cksum_lro(void)
{
	return rx_setup(RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
				RTE_ETH_RX_OFFLOAD_TCP_LRO,
			0);
}

static int
rx_setup_none(void)
{
	return rx_setup(0, 0);
}

static int
rx_setup_tcp_lro_small(void)
{
	return rx_setup(RTE_ETH_RX_OFFLOAD_TCP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_LRO, 512);
}

struct rx_got {
	uint64_t l4_flags;
	bool partial_ok; /* the field holds the pseudo-header sum */
	bool full_ok;	 /* the checksum is complete and right */
	uint16_t nb_segs;
	uint32_t len;
};

/* Waits for the first IPv4 frame of @proto to @dport from R and classifies it. */
/*
 * What arrived of each flow since the last rx_send_from_r(): both of its
 * frames may come in one burst, and the one not yet asked for must not be
 * lost.
 */
static struct {
	bool valid;
	uint8_t proto;
	uint16_t dport;
	struct rx_got g;
} rx_seen[4];

/* Classifies an IPv4 TCP or UDP frame from R into rx_seen (the first of each flow). */
static void
rx_note(const struct rte_mbuf *m)
{
	uint8_t hbuf[RTE_ETHER_HDR_LEN + 60 + 20];
	const struct rte_ether_hdr *eth;
	const struct rte_ipv4_hdr *ip;
	const struct rte_udp_hdr *l4;
	struct rte_ipv4_hdr iph;
	uint16_t field, phdr;
	unsigned int k;
	size_t l3;

	if (m->pkt_len < sizeof(hbuf) - 60)
		return;
	eth = rte_pktmbuf_read(m, 0, RTE_MIN(sizeof(hbuf), (size_t)m->pkt_len), hbuf);
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return;
	ip = (const void *)(eth + 1);
	l3 = rte_ipv4_hdr_len(ip);
	l4 = (const void *)((const uint8_t *)ip + l3);
	if (ip->next_proto_id != IPPROTO_TCP && ip->next_proto_id != IPPROTO_UDP)
		return;
	for (k = 0; k < RTE_DIM(rx_seen); k++) {
		if (rx_seen[k].valid && rx_seen[k].proto == ip->next_proto_id &&
		    rx_seen[k].dport == rte_be_to_cpu_16(l4->dst_port))
			return;
		if (!rx_seen[k].valid)
			break;
	}
	if (k == RTE_DIM(rx_seen))
		return;
	rx_seen[k].valid = true;
	rx_seen[k].proto = ip->next_proto_id;
	rx_seen[k].dport = rte_be_to_cpu_16(l4->dst_port);
	rx_seen[k].g.l4_flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	rx_seen[k].g.nb_segs = m->nb_segs;
	rx_seen[k].g.len = m->pkt_len;
	memcpy(&iph, ip, sizeof(iph));
	field = ip->next_proto_id == IPPROTO_TCP ? ((const struct rte_tcp_hdr *)l4)->cksum :
						   l4->dgram_cksum;
	phdr = rte_ipv4_phdr_cksum(&iph, 0);
	rx_seen[k].g.partial_ok = field == phdr;
	rx_seen[k].g.full_ok =
		rte_ipv4_udptcp_cksum_mbuf_verify(m, ip, RTE_ETHER_HDR_LEN + l3) == 0;
}

/* Waits for the first IPv4 frame of @proto to @dport from R and classifies it. */
static int
rx_expect_within(uint8_t proto, uint16_t dport, struct rx_got *g, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	struct rte_mbuf *pkts[RTU_BURST];
	uint16_t n, i;
	unsigned int k;

	for (;;) {
		for (k = 0; k < RTE_DIM(rx_seen); k++) {
			if (rx_seen[k].valid && rx_seen[k].proto == proto &&
			    rx_seen[k].dport == dport) {
				*g = rx_seen[k].g;
				return TEST_SUCCESS;
			}
		}
		if (rtu_now_ms() >= deadline)
			break;
		n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);
		for (i = 0; i < n; i++) {
			rx_note(pkts[i]);
			rte_pktmbuf_free(pkts[i]);
		}
	}
	memset(g, 0, sizeof(*g));
	printf("  no %s frame to port %u arrived from R\n", proto == IPPROTO_TCP ? "TCP" : "UDP",
	       dport);
	return TEST_FAILED;
}

static int
rx_expect(uint8_t proto, uint16_t dport, struct rx_got *g)
{
	return rx_expect_within(proto, dport, g, RTU_TIMEOUT_MS);
}

/* From a socket in R towards the port: one UDP datagram and a TCP SYN. */
static int
rx_send_from_r(size_t udp_payload)
{
	int fd;

	memset(rx_seen, 0, sizeof(rx_seen));
	memset(frame, 0x5a, udp_payload);
	fd = sock_fd[0] = rtu_ns_udp_send(topo.ns_r, RTU_TOPO_PORT_IP4, DPORT, frame, udp_payload);
	TEST_ASSERT(fd >= 0, "UDP datagram from R: %s", strerror(-fd));
	fd = sock_fd[1] = rtu_ns_tcp_connect(topo.ns_r, RTU_TOPO_PORT_IP4, DPORT + 1);
	TEST_ASSERT(fd >= 0, "TCP connect from R: %s", strerror(-fd));
	return TEST_SUCCESS;
}

/*
 * A port restart must leave the kernel side's configuration alone. ethdev
 * replays the MAC (mac_addr_set) on every rte_eth_dev_start(); the kernel
 * announces NETDEV_CHANGEADDR for any SIOCSIFHWADDR, even to the same
 * address, and that flushes every neighbour of the interface, permanent
 * ones included.
 */
static int
test_restart_keeps_neighbours(void)
{
	TEST_ASSERT(rtu_topo_has_port_neigh(&topo), "no neighbour entry to begin with");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	TEST_ASSERT(rtu_topo_has_port_neigh(&topo),
		    "rte_eth_dev_start() flushed the permanent neighbour 10.77.1.2 of %s",
		    fx.port.ifname);
	return rx_finish();
}

/*
 * Rx TCP and UDP checksum offloads on, no LRO: the kernel must complete every
 * checksum (no TUN_F_CSUM), so a forwarder never sends a partial one on.
 */
static int
test_rx_cksum_complete_offloaded(void)
{
	struct rx_got g;

	TEST_ASSERT_SUCCESS(rx_send_from_r(200), "send");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_UDP, DPORT, &g), "UDP");
	TEST_ASSERT(g.full_ok, "UDP from a local socket: checksum not complete");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
			  "UDP checked by the driver: L4 flags 0x%" PRIx64, g.l4_flags);
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_TCP, DPORT + 1, &g), "TCP");
	TEST_ASSERT(g.full_ok, "TCP SYN: checksum not complete");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
			  "TCP SYN checked by the driver: L4 flags 0x%" PRIx64, g.l4_flags);
	return rx_finish();
}

/*
 * The LRO recipe: LRO with TCP and UDP checksum offloads. The kernel hands
 * over partial checksums (TUN_F_CSUM comes with TSO), reported as NONE.
 */
static int
test_rx_cksum_none_lro(void)
{
	struct rx_got g;

	TEST_ASSERT_SUCCESS(rx_send_from_r(200), "send");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_UDP, DPORT, &g), "UDP");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE,
			  "UDP from a local socket: L4 flags 0x%" PRIx64 ", expected NONE",
			  g.l4_flags);
	TEST_ASSERT(g.partial_ok, "UDP: the checksum field is not the pseudo-header sum");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_TCP, DPORT + 1, &g), "TCP");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE,
			  "TCP SYN: L4 flags 0x%" PRIx64 ", expected NONE", g.l4_flags);
	TEST_ASSERT(g.partial_ok, "TCP: the checksum field is not the pseudo-header sum");
	return rx_finish();
}

/* No rx offloads: the kernel must hand finished frames (TUNSETOFFLOAD 0). */
static int
test_rx_cksum_complete(void)
{
	struct rx_got g;

	TEST_ASSERT_SUCCESS(rx_send_from_r(200), "send");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_UDP, DPORT, &g), "UDP");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, "UDP: L4 flags 0x%" PRIx64,
			  g.l4_flags);
	TEST_ASSERT(g.full_ok, "UDP: checksum not complete with no rx offloads");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_TCP, DPORT + 1, &g), "TCP");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, "TCP: L4 flags 0x%" PRIx64,
			  g.l4_flags);
	TEST_ASSERT(g.full_ok, "TCP: checksum not complete with no rx offloads");
	return rx_finish();
}

/*
 * LRO with the TCP checksum offload only, scattered small mbufs: TCP partial
 * → NONE; a partial UDP checksum over a chain is completed by the driver →
 * GOOD.
 */
static int
test_rx_cksum_sw_complete(void)
{
	struct rx_got g;

	TEST_ASSERT_SUCCESS(rx_send_from_r(1400), "send");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_UDP, DPORT, &g), "UDP");
	TEST_ASSERT(g.nb_segs > 1, "1442-byte frame in %u segments of 512 bytes", g.nb_segs);
	TEST_ASSERT(g.full_ok, "UDP: the driver did not complete the partial checksum");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
			  "UDP completed in software: L4 flags 0x%" PRIx64 ", expected GOOD",
			  g.l4_flags);
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_TCP, DPORT + 1, &g), "TCP");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE,
			  "TCP SYN: L4 flags 0x%" PRIx64 ", expected NONE", g.l4_flags);
	return rx_finish();
}

/* Offloads follow reconfiguration: LRO and cksum on, then off again on the same port. */
static int
test_rx_cksum_reconfigure(void)
{
	struct rte_eth_conf conf;
	struct rx_got g;

	TEST_ASSERT_SUCCESS(rx_send_from_r(200), "send");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_UDP, DPORT, &g), "UDP");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_NONE, "flags 0x%" PRIx64, g.l4_flags);
	rtu_close_fds(sock_fd, RTE_DIM(sock_fd));

	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	/*
	 * Restarting flushes R's neighbours (see test_restart_keeps_neighbours):
	 * put the port's back so this case checks the offloads alone.
	 */
	if (!rtu_topo_has_port_neigh(&topo))
		TEST_ASSERT_SUCCESS(rtu_topo_set_port_neigh(&topo), "neigh");
	TEST_ASSERT_SUCCESS(rtu_ns_if_wait_carrier(topo.ns_r, fx.port.ifname, RTU_TIMEOUT_MS),
			    "link up again in R");
	rtu_rx_drain(fx.port.port_id, 1);
	TEST_ASSERT_SUCCESS(rx_send_from_r(200), "send");
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_UDP, DPORT, &g), "UDP after the restart");
	TEST_ASSERT_EQUAL(g.l4_flags, RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN,
			  "offloads off again: flags 0x%" PRIx64, g.l4_flags);
	TEST_ASSERT(g.full_ok, "offloads off again: the kernel still hands partial checksums");
	return rx_finish();
}

/* ---- checksum verdicts on frames the kernel says nothing about ---- */

#define IP_FL(v) (RTE_MBUF_F_RX_IP_CKSUM_MASK & (v))
#define L4_FL(v) (RTE_MBUF_F_RX_L4_CKSUM_MASK & (v))

/* The TCP/UDP destination port of @m (IPv4 or IPv6 after up to two tags), or -1. */
static int
frame_dport(const struct rte_mbuf *m, uint8_t *proto, uint8_t *ipv)
{
	uint8_t buf[128];
	const uint8_t *p = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(buf)), buf);
	uint32_t off = 12, len = RTE_MIN(m->pkt_len, sizeof(buf));
	uint16_t type;
	int tags;

	if (p == NULL || len < 14)
		return -1;
	for (tags = 0; tags < 3; tags++) {
		type = (uint16_t)(p[off] << 8 | p[off + 1]);
		if ((type != RTE_ETHER_TYPE_VLAN && type != RTE_ETHER_TYPE_QINQ) || tags == 2)
			break;
		off += 4;
	}
	off += 2;
	if (type == RTE_ETHER_TYPE_IPV4 && len >= off + 20) {
		*ipv = 4;
		*proto = p[off + 9];
		off += (p[off] & 0xf) * 4;
	} else if (type == RTE_ETHER_TYPE_IPV6 && len >= off + 40) {
		*ipv = 6;
		*proto = p[off + 6];
		off += 40;
	} else {
		return -1;
	}
	if ((*proto != IPPROTO_TCP && *proto != IPPROTO_UDP) || len < off + 4)
		return -1;
	return p[off + 2] << 8 | p[off + 3];
}

/* Waits for the frame of @proto over IPv@ipv to @dport; its ol_flags in *@fl. */
static int
rx_wait_dport(uint8_t ipv, uint8_t proto, uint16_t dport, uint64_t *fl)
{
	uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	struct rte_mbuf *pkts[RTU_BURST];
	bool found = false;
	uint16_t n, i;

	while (!found && rtu_now_ms() < deadline) {
		n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);
		for (i = 0; i < n; i++) {
			uint8_t p, v;

			if (!found && frame_dport(pkts[i], &p, &v) == dport && p == proto &&
			    v == ipv) {
				*fl = pkts[i]->ol_flags;
				found = true;
			}
			rte_pktmbuf_free(pkts[i]);
		}
	}
	if (!found)
		printf("  no IPv%u proto %u frame to port %u arrived\n", ipv, proto, dport);
	return found ? TEST_SUCCESS : TEST_FAILED;
}

/*
 * Frames from R's kernel stack, IPv4 and IPv6, with every rx checksum
 * offload on: the kernel completed the checksums and says nothing (no
 * TUN_F_CSUM), the driver checks: GOOD; IPv6 has no header verdict.
 */
static int
test_rx_verdict_kernel(void)
{
	static const char * const dst[] = { RTU_TOPO_PORT_IP4, RTU_TOPO_PORT_IP6 };
	struct rtap_queue_stats c;
	unsigned int k;
	uint64_t fl;
	int fd;

	for (k = 0; k < RTE_DIM(dst); k++) {
		uint8_t ipv = k == 0 ? 4 : 6;
		uint16_t port = (uint16_t)(DPORT + 10 * k);

		memset(frame, 0x3c, 999);
		fd = rtu_ns_udp_send(topo.ns_r, dst[k], port, frame, 999);
		TEST_ASSERT(fd >= 0, "UDP to %s: %s", dst[k], strerror(-fd));
		close(fd);
		TEST_ASSERT_SUCCESS(rx_wait_dport(ipv, IPPROTO_UDP, port, &fl), "UDP, IPv%u", ipv);
		TEST_ASSERT_EQUAL(L4_FL(fl), RTE_MBUF_F_RX_L4_CKSUM_GOOD,
				  "UDP over IPv%u from R: flags %#" PRIx64, ipv, fl);
		TEST_ASSERT_EQUAL(IP_FL(fl),
				  ipv == 4 ? RTE_MBUF_F_RX_IP_CKSUM_GOOD :
					     RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN,
				  "UDP over IPv%u from R: flags %#" PRIx64, ipv, fl);
		fd = rtu_ns_tcp_connect(topo.ns_r, dst[k], port + 1);
		TEST_ASSERT(fd >= 0, "TCP to %s: %s", dst[k], strerror(-fd));
		sock_fd[k] = fd;
		TEST_ASSERT_SUCCESS(rx_wait_dport(ipv, IPPROTO_TCP, port + 1, &fl), "TCP, IPv%u",
				    ipv);
		TEST_ASSERT_EQUAL(L4_FL(fl), RTE_MBUF_F_RX_L4_CKSUM_GOOD,
				  "TCP SYN over IPv%u from R: flags %#" PRIx64, ipv, fl);
	}
	TEST_ASSERT_SUCCESS(rtu_rtap_rx_counters(fx.port.port_id, &c), "counters");
	TEST_ASSERT_EQUAL(c.csum_bad, 0, "%" PRIu64 " bad checksums counted", c.csum_bad);
	return rx_finish();
}

enum spoil {
	SPOIL_NONE,
	SPOIL_IP,
	SPOIL_L4,
	SPOIL_PAYLOAD
};

/*
 * A frame to the port as AF_PACKET sends it: IPv@ipv, @proto to @dport,
 * @nb_tags VLAN tags, right checksums, then the one @spoil names wrong.
 */
static size_t
inj_frame(uint8_t *buf, const struct rte_ether_addr *dst, uint8_t ipv, uint8_t proto,
	  unsigned int nb_tags, uint16_t dport, enum spoil spoil)
{
	static const struct rte_ether_addr src = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x07 } };
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	uint32_t l4_hdr = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : 8;
	uint32_t payload = 300, off = sizeof(*eth), l3_off, l4_off, i;
	uint8_t *l4, *l4_ck;
	uint16_t ck;

	memset(buf, 0, 1024);
	eth->dst_addr = *dst;
	eth->src_addr = src;
	for (i = 0; i < nb_tags; i++) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(buf + off);

		*(rte_be16_t *)(buf + off - 2) = rte_cpu_to_be_16(
			i == 0 && nb_tags == 2 ? RTE_ETHER_TYPE_QINQ : RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(100 + i);
		off += sizeof(*vh);
	}
	*(rte_be16_t *)(buf + off - 2) =
		rte_cpu_to_be_16(ipv == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	l3_off = off;
	l4_off = l3_off + (ipv == 4 ? sizeof(struct rte_ipv4_hdr) : sizeof(struct rte_ipv6_hdr));
	l4 = buf + l4_off;
	for (i = 0; i < payload; i++)
		l4[l4_hdr + i] = (uint8_t)(i * 7 + dport);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = rte_cpu_to_be_16(40000);
		th->dst_port = rte_cpu_to_be_16(dport);
		th->sent_seq = rte_cpu_to_be_32(1);
		th->data_off = (sizeof(*th) / 4) << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG;
		th->rx_win = rte_cpu_to_be_16(1000);
		l4_ck = l4 + offsetof(struct rte_tcp_hdr, cksum);
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = rte_cpu_to_be_16(40000);
		uh->dst_port = rte_cpu_to_be_16(dport);
		uh->dgram_len = rte_cpu_to_be_16(l4_hdr + payload);
		l4_ck = l4 + offsetof(struct rte_udp_hdr, dgram_cksum);
	}
	if (ipv == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(buf + l3_off);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4_hdr + payload);
		ip->time_to_live = 64;
		ip->next_proto_id = proto;
		ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 77, 1, 1));
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 77, 1, 2));
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		ck = rte_ipv4_udptcp_cksum(ip, l4);
		if (spoil == SPOIL_IP)
			ip->hdr_checksum ^= rte_cpu_to_be_16(0x0100);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(buf + l3_off);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16(l4_hdr + payload);
		ip6->proto = proto;
		ip6->hop_limits = 64;
		memcpy((uint8_t *)ip6 + 8, (const uint8_t[16]){ 0xfd, 0x77, 0, 1, [15] = 1 }, 16);
		memcpy((uint8_t *)ip6 + 24, (const uint8_t[16]){ 0xfd, 0x77, 0, 1, [15] = 2 }, 16);
		ck = rte_ipv6_udptcp_cksum(ip6, l4);
	}
	if (spoil == SPOIL_L4)
		ck ^= rte_cpu_to_be_16(0x0001);
	memcpy(l4_ck, &ck, sizeof(ck));
	if (spoil == SPOIL_PAYLOAD)
		l4[l4_hdr + payload - 1] ^= 0x80;
	return l4_off + l4_hdr + payload;
}

/*
 * Frames an AF_PACKET socket in R puts on the interface reach the port with
 * no word from the kernel: good and corrupted IPv4 headers, TCP and UDP
 * over IPv4 and IPv6, untagged, tagged and QinQ, all judged by the driver;
 * the BAD ones counted (csum_bad).
 */
static int
test_rx_verdict_injected(void)
{
	static const struct {
		uint8_t ipv, proto;
		enum spoil spoil;
	} kinds[] = {
		{ 4, IPPROTO_UDP, SPOIL_NONE },	   { 4, IPPROTO_UDP, SPOIL_IP },
		{ 4, IPPROTO_UDP, SPOIL_L4 },	   { 4, IPPROTO_TCP, SPOIL_NONE },
		{ 4, IPPROTO_TCP, SPOIL_PAYLOAD }, { 4, IPPROTO_TCP, SPOIL_IP },
		{ 6, IPPROTO_UDP, SPOIL_NONE },	   { 6, IPPROTO_UDP, SPOIL_PAYLOAD },
		{ 6, IPPROTO_TCP, SPOIL_NONE },	   { 6, IPPROTO_TCP, SPOIL_L4 },
	};
	struct rtap_queue_stats c;
	unsigned int k, tags, bad = 0;
	uint64_t fl;
	int fd;

	fd = sock_fd[0] = rtu_ns_pkt_open(topo.ns_r, fx.port.ifname, 0);
	TEST_ASSERT(fd >= 0, "AF_PACKET socket in R: %s", strerror(-fd));
	rtu_rx_drain(fx.port.port_id, 1);
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats reset");
	for (tags = 0; tags <= 2; tags++) {
		for (k = 0; k < RTE_DIM(kinds); k++) {
			uint16_t dport = (uint16_t)(7000 + tags * 100 + k);
			size_t len = inj_frame(frame, &fx.mac, kinds[k].ipv, kinds[k].proto, tags,
					       dport, kinds[k].spoil);
			uint64_t ip_exp = RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN;
			uint64_t l4_exp = RTE_MBUF_F_RX_L4_CKSUM_GOOD;

			if (kinds[k].ipv == 4)
				ip_exp = kinds[k].spoil == SPOIL_IP ? RTE_MBUF_F_RX_IP_CKSUM_BAD :
								      RTE_MBUF_F_RX_IP_CKSUM_GOOD;
			if (kinds[k].spoil == SPOIL_L4 || kinds[k].spoil == SPOIL_PAYLOAD)
				l4_exp = RTE_MBUF_F_RX_L4_CKSUM_BAD;
			bad += kinds[k].spoil != SPOIL_NONE;
			TEST_ASSERT_SUCCESS(rtu_pkt_send(fd, frame, len), "send");
			TEST_ASSERT_SUCCESS(rx_wait_dport(kinds[k].ipv, kinds[k].proto, dport, &fl),
					    "case %u, %u tags", k, tags);
			TEST_ASSERT_EQUAL(
				IP_FL(fl), ip_exp,
				"case %u (IPv%u proto %u spoil %d), %u tags: flags %#" PRIx64, k,
				kinds[k].ipv, kinds[k].proto, kinds[k].spoil, tags, fl);
			TEST_ASSERT_EQUAL(
				L4_FL(fl), l4_exp,
				"case %u (IPv%u proto %u spoil %d), %u tags: flags %#" PRIx64, k,
				kinds[k].ipv, kinds[k].proto, kinds[k].spoil, tags, fl);
		}
	}
	TEST_ASSERT_SUCCESS(rtu_rtap_rx_counters(fx.port.port_id, &c), "counters");
	TEST_ASSERT_EQUAL(c.csum_bad, bad, "%" PRIu64 " bad checksums counted, %u sent", c.csum_bad,
			  bad);
	return rx_finish();
}

static struct unit_test_suite rx_offload_suite = {
	.suite_name = "rtap rx offload",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(rx_setup_cksum, rx_teardown, test_rx_cksum_complete_offloaded),
		TEST_CASE_ST(rx_setup_cksum_lro, rx_teardown, test_rx_cksum_none_lro),
		TEST_CASE_ST(rx_setup_none, rx_teardown, test_rx_cksum_complete),
		TEST_CASE_ST(rx_setup_tcp_lro_small, rx_teardown, test_rx_cksum_sw_complete),
		TEST_CASE_ST(rx_setup_cksum_lro, rx_teardown, test_rx_cksum_reconfigure),
		TEST_CASE_ST(rx_setup_none, rx_teardown, test_restart_keeps_neighbours),
		TEST_CASE_ST(rx_setup_cksum_all, rx_teardown, test_rx_verdict_kernel),
		TEST_CASE_ST(rx_setup_cksum_all, rx_teardown, test_rx_verdict_injected),
		TEST_CASES_END(),
	},
};

static int
test_rtap_rx_offload(void)
{
	return unit_test_suite_runner(&rx_offload_suite);
}

REGISTER_TEST_COMMAND(rtap_rx_offload_autotest, test_rtap_rx_offload);
