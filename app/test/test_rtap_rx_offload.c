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
rx_setup(uint64_t offloads, uint16_t data_room)
{
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
	return rtu_topo_routed(&topo, fx.port.ifname, &host_mac, 0);
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
static int
rx_expect_within(uint8_t proto, uint16_t dport, struct rx_got *g, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	struct rte_mbuf *pkts[RTU_BURST];
	bool found = false;
	uint16_t n, i;

	memset(g, 0, sizeof(*g));
	while (!found && rtu_now_ms() < deadline) {
		n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			uint8_t hbuf[RTE_ETHER_HDR_LEN + 60 + 20];
			const struct rte_ether_hdr *eth;
			const struct rte_ipv4_hdr *ip;
			const struct rte_udp_hdr *l4;
			struct rte_ipv4_hdr iph;
			uint16_t field, phdr;
			size_t l3;

			eth = rte_pktmbuf_read(m, 0,
					       sizeof(hbuf) < m->pkt_len ? sizeof(hbuf) :
									   m->pkt_len,
					       hbuf);
			if (found || m->pkt_len < sizeof(hbuf) - 60 ||
			    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
				goto next;
			ip = (const void *)(eth + 1);
			l3 = rte_ipv4_hdr_len(ip);
			l4 = (const void *)((const uint8_t *)ip + l3);
			if (ip->next_proto_id != proto || l4->dst_port != rte_cpu_to_be_16(dport))
				goto next;
			found = true;
			g->l4_flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
			g->nb_segs = m->nb_segs;
			g->len = m->pkt_len;
			memcpy(&iph, ip, sizeof(iph));
			field = proto == IPPROTO_TCP ? ((const struct rte_tcp_hdr *)l4)->cksum :
						       l4->dgram_cksum;
			phdr = rte_ipv4_phdr_cksum(&iph, 0);
			g->partial_ok = field == phdr;
			g->full_ok = rte_ipv4_udptcp_cksum_mbuf_verify(m, ip,
								       RTE_ETHER_HDR_LEN + l3) == 0;
next:
			rte_pktmbuf_free(m);
		}
	}
	if (!found)
		printf("  no %s frame to port %u arrived from R\n",
		       proto == IPPROTO_TCP ? "TCP" : "UDP", dport);
	return found ? TEST_SUCCESS : TEST_FAILED;
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
	TEST_ASSERT_SUCCESS(rx_expect(IPPROTO_TCP, DPORT + 1, &g), "TCP");
	TEST_ASSERT(g.full_ok, "TCP SYN: checksum not complete");
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
		TEST_CASES_END(),
	},
};

static int
test_rtap_rx_offload(void)
{
	return unit_test_suite_runner(&rx_offload_suite);
}

REGISTER_TEST_COMMAND(rtap_rx_offload_autotest, test_rtap_rx_offload);
