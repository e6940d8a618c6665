/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Extended statistics: names, and exact values for a known traffic mix
 * (every size bucket, unicast/multicast/broadcast both ways, multi-segment
 * packets, offload outcomes and requests, drops by reason, io_uring
 * counters, the kernel's own counters), and a reset racing an lcore that
 * transmits at full rate.
 */

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define XS_MTU 16000

static struct rtu_fixture fx;
static uint8_t frame[XS_MTU + 64];
static uint8_t rbuf[XS_MTU + 64];

static const struct rte_ether_addr xs_mcast = { { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 } };
static const struct rte_ether_addr xs_bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static void
xs_teardown(void)
{
	rtu_fixture_finish(&fx);
}

/*
 * The fixture, promiscuous: these cases count multicast and foreign frames
 * of every kind, not what the receive filter lets through (rtap_filter_autotest).
 */
static int
xs_fixture(uint16_t nb_queues, const struct rte_eth_conf *conf, unsigned int rx_n,
	   unsigned int tx_n)
{
	int ret = rtu_fixture_setup(&fx, nb_queues, conf, rx_n, tx_n);

	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(fx.port.port_id), "promiscuous");
	return TEST_SUCCESS;
}

static int
xs_setup_jumbo(void)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = XS_MTU;
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	return xs_fixture(1, &conf, 4095, 2047);
}

static int
xs_setup_offload(void)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO;
	return xs_fixture(1, &conf, 2047, 1023);
}

static int
xs_setup_plain(void)
{
	return xs_fixture(1, NULL, 2047, 1023);
}

/* The xstat called @name, through rte_eth_xstats_get_by_id(); -1 when there is none. */
static int64_t
xs_get(uint16_t port, const char *name)
{
	uint64_t id, value;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return -1;
	if (rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		return -1;
	return (int64_t)value;
}

#define XS_EXPECT(name, want) \
	do { \
		int64_t v_ = xs_get(fx.port.port_id, name); \
		TEST_ASSERT_EQUAL(v_, (int64_t)(want), "%s is %" PRId64 ", expected %" PRId64, \
				  name, v_, (int64_t)(want)); \
	} while (0)

/* The bucket names and the sizes that must land in each, independent of the driver's mapping. */
static const char * const xs_buckets[] = {
	"size_64",	    "size_65_to_127",	 "size_128_to_255",   "size_256_to_511",
	"size_512_to_1023", "size_1024_to_1522", "size_1523_to_9022", "size_9023_to_max",
};

static unsigned int
xs_bucket_of(size_t len)
{
	static const size_t upper[] = { 64, 127, 255, 511, 1023, 1522, 9022 };
	unsigned int b;

	for (b = 0; b < RTE_DIM(upper); b++)
		if (len <= upper[b])
			return b;
	return RTE_DIM(upper);
}

/* Sizes on every bucket edge, up to the MTU's largest frame. */
static const size_t xs_sizes[] = { 60,	 64,   65,   127,  128,	 255,  256,  511,   512,
				   1023, 1024, 1522, 1523, 4000, 9022, 9023, 12000, XS_MTU + 14 };

static const struct rte_ether_addr *
xs_dst(unsigned int i, const struct rte_ether_addr *ucast)
{
	return i % 3 == 0 ? ucast : i % 3 == 1 ? &xs_mcast : &xs_bcast;
}

/*
 * Every size bucket (frames on each edge, jumbo and beyond 9022 bytes) with
 * unicast, multicast and broadcast destinations, both ways, single and
 * multi-segment: each xstat counts exactly what was sent.
 */
static int
test_xstats_sizes_and_casts(void)
{
	uint64_t rx_b[RTE_DIM(xs_buckets)] = { 0 }, tx_b[RTE_DIM(xs_buckets)] = { 0 };
	uint64_t rx_cast[3] = { 0 }, tx_cast[3] = { 0 }, rx_multi = 0, tx_multi = 0;
	const unsigned int n = RTE_DIM(xs_sizes);
	uint16_t room = rte_pktmbuf_data_room_size(fx.rx_pool) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *pkts[64];
	unsigned int i, got, stray = 0;
	char name[RTE_ETH_XSTATS_NAME_SIZE];
	uint64_t submits;

	TEST_ASSERT_SUCCESS(rte_eth_xstats_reset(fx.port.port_id), "xstats_reset");
	for (i = 0; i < n; i++) {
		size_t len = xs_sizes[i];

		rtu_frame_fill(frame, len, xs_dst(i, &fx.mac), &fx.peer, i);
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, len), "send %zu bytes", len);
		rx_b[xs_bucket_of(len)]++;
		rx_cast[i % 3]++;
		rx_multi += len > room;
	}
	got = rtu_rx_wait(fx.port.port_id, 0, pkts, RTE_DIM(pkts), n, RTU_TIMEOUT_MS, &stray);
	rtu_free_bulk(pkts, RTE_MIN(got, RTE_DIM(pkts)));
	TEST_ASSERT_EQUAL(got, n, "received %u of %u", got, n);
	TEST_ASSERT_EQUAL(stray, 0U, "%u frames the test did not send", stray);

	for (i = 0; i < n; i++) {
		size_t len = xs_sizes[i];
		unsigned int segs = i % 2 == 0 ? 1 : 2;
		struct rte_mbuf *m;

		segs = RTE_MAX(segs, (unsigned int)((len + 1999) / 2000));
		rtu_frame_fill(frame, len, xs_dst(i, &fx.peer), &fx.mac, 100 + i);
		m = rtu_mbuf_from(fx.tx_pool, frame, len, segs);
		TEST_ASSERT_NOT_NULL(m, "mbuf of %zu bytes", len);
		TEST_ASSERT_EQUAL(rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS), 1U,
				  "tx %zu bytes", len);
		tx_b[xs_bucket_of(len)]++;
		tx_cast[i % 3]++;
		tx_multi += segs > 1;
	}
	for (i = 0; i < n; i++) {
		ssize_t r = rtu_pkt_recv(fx.pkt_fd, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);

		TEST_ASSERT(r > 0, "the kernel got %u of %u frames", i, n);
	}
	if (rtu_tx_async())
		TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool,
							   RTU_TIMEOUT_MS),
				    "tx completions");

	for (i = 0; i < RTE_DIM(xs_buckets); i++) {
		snprintf(name, sizeof(name), "rx_%s_packets", xs_buckets[i]);
		XS_EXPECT(name, rx_b[i]);
		snprintf(name, sizeof(name), "tx_%s_packets", xs_buckets[i]);
		XS_EXPECT(name, tx_b[i]);
	}
	XS_EXPECT("rx_unicast_packets", rx_cast[0]);
	XS_EXPECT("rx_multicast_packets", rx_cast[1]);
	XS_EXPECT("rx_broadcast_packets", rx_cast[2]);
	XS_EXPECT("tx_unicast_packets", tx_cast[0]);
	XS_EXPECT("tx_multicast_packets", tx_cast[1]);
	XS_EXPECT("tx_broadcast_packets", tx_cast[2]);
	XS_EXPECT("rx_multi_segment_packets", rx_multi);
	XS_EXPECT("tx_multi_segment_packets", tx_multi);
	XS_EXPECT("rx_q0_packets", n);
	XS_EXPECT("tx_q0_packets", n);
	XS_EXPECT("rx_q0_errors", 0);
	XS_EXPECT("tx_q0_errors", 0);
	/* one write per packet, each completed; every read completion reaped */
	XS_EXPECT("tx_q0_io_submits", n);
	XS_EXPECT("tx_q0_io_completions", n);
	TEST_ASSERT(xs_get(fx.port.port_id, "rx_q0_io_completions") >= (int64_t)n,
		    "rx completions");
	submits = (uint64_t)xs_get(fx.port.port_id, "rx_q0_io_submits");
	TEST_ASSERT(submits >= n, "rx submits %" PRIu64, submits);
	TEST_ASSERT(xs_get(fx.port.port_id, "rx_q0_io_enters") > 0, "rx enters");
	/* the kernel's view: it received what the port sent, and sent at least ours */
	XS_EXPECT("kernel_rx_packets", n);
	TEST_ASSERT(xs_get(fx.port.port_id, "kernel_tx_packets") >= (int64_t)n, "kernel_tx");
	XS_EXPECT("kernel_rx_dropped", 0);
	XS_EXPECT("kernel_tx_dropped", 0);

	/* a reset starts every counter from 0 */
	TEST_ASSERT_SUCCESS(rte_eth_xstats_reset(fx.port.port_id), "xstats_reset");
	XS_EXPECT("rx_size_9023_to_max_packets", 0);
	XS_EXPECT("tx_broadcast_packets", 0);
	XS_EXPECT("tx_q0_io_submits", 0);
	XS_EXPECT("kernel_rx_packets", 0);
	return rtu_fixture_finish(&fx);
}

/* IPv4 + UDP (or TCP) frame of @payload bytes for the offload case. */
static size_t
xs_l4_frame(uint8_t *buf, uint8_t proto, size_t payload, bool good_ip)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	size_t l4 = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	size_t len = sizeof(*eth) + sizeof(*ip) + l4 + payload;
	size_t i;

	memset(buf, 0, sizeof(*eth) + sizeof(*ip) + l4);
	rte_ether_addr_copy(&fx.peer, &eth->dst_addr);
	rte_ether_addr_copy(&fx.mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (!good_ip)
		ip->hdr_checksum ^= 0x5a5a;
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);

		tcp->src_port = rte_cpu_to_be_16(5000);
		tcp->dst_port = rte_cpu_to_be_16(5001);
		tcp->data_off = 5 << 4;
		tcp->tcp_flags = RTE_TCP_ACK_FLAG;
		tcp->rx_win = rte_cpu_to_be_16(1000);
	} else {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		udp->src_port = rte_cpu_to_be_16(5000);
		udp->dst_port = rte_cpu_to_be_16(5001);
		udp->dgram_len = rte_cpu_to_be_16(l4 + payload);
	}
	for (i = len - payload; i < len; i++)
		buf[i] = (uint8_t)i;
	return len;
}

/* Transmit one offload request, with its pseudo-header prepared. */
static int
xs_tx_offload(uint8_t proto, size_t payload, uint64_t flags, uint16_t segsz, unsigned int segs)
{
	size_t len = xs_l4_frame(frame, proto, payload, true);
	struct rte_mbuf *m = rtu_mbuf_from(fx.tx_pool, frame, len, segs);

	TEST_ASSERT_NOT_NULL(m, "mbuf");
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->l4_len = proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | flags;
	m->tso_segsz = segsz;
	TEST_ASSERT_EQUAL(rte_eth_tx_prepare(fx.port.port_id, 0, &m, 1), 1, "tx_prepare");
	TEST_ASSERT_EQUAL(rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS), 1U, "tx");
	return TEST_SUCCESS;
}

/*
 * Offload outcomes on rx (IPv4 header checks good and bad, a locally
 * generated UDP datagram, checksummed by the kernel) and
 * requests on tx (L4 checksum, IPv4 checksum, TSO, multi-segment).
 */
static int
test_xstats_offloads(void)
{
	const unsigned int good_ip = 3, bad_ip = 2;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(5001) };
	struct rte_mbuf *pkts[16];
	unsigned int i, got, stray = 0;
	char payload[100] = { 0 };
	int ipfd, udp, ret;

	TEST_ASSERT_SUCCESS(rte_eth_xstats_reset(fx.port.port_id), "xstats_reset");
	ipfd = rtu_pkt_open(fx.port.ifname, ETH_P_IP);
	TEST_ASSERT(ipfd >= 0, "AF_PACKET socket: %s", strerror(-ipfd));
	for (i = 0; i < good_ip + bad_ip; i++) {
		size_t len = xs_l4_frame(frame, IPPROTO_UDP, 50, i < good_ip);
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;

		rte_ether_addr_copy(&fx.mac, &eth->dst_addr);
		rte_ether_addr_copy(&fx.peer, &eth->src_addr);
		ret = rtu_pkt_send(ipfd, frame, len);
		if (ret != 0)
			break;
	}
	close(ipfd);
	TEST_ASSERT_SUCCESS(ret, "send: %s", strerror(-ret));
	/* The kernel's own UDP: its checksum completed by the kernel, reported GOOD. */
	TEST_ASSERT_SUCCESS(rtu_run("ip addr add 198.18.7.1/24 dev %s", fx.port.ifname), "addr");
	TEST_ASSERT_SUCCESS(rtu_run("ip neigh replace 198.18.7.2 lladdr " RTE_ETHER_ADDR_PRT_FMT
				    " dev %s nud permanent",
				    RTE_ETHER_ADDR_BYTES(&fx.peer), fx.port.ifname),
			    "neigh");
	to.sin_addr.s_addr = inet_addr("198.18.7.2");
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	TEST_ASSERT(udp >= 0, "socket");
	ret = (int)sendto(udp, payload, sizeof(payload), 0, (struct sockaddr *)&to, sizeof(to));
	close(udp);
	TEST_ASSERT_EQUAL(ret, (int)sizeof(payload), "sendto");

	got = 0;
	while (got < good_ip + bad_ip + 1) {
		unsigned int k = rtu_rx_wait(fx.port.port_id, 0, pkts, RTE_DIM(pkts), 1,
					     RTU_TIMEOUT_MS, &stray);

		if (k == 0)
			break;
		rtu_free_bulk(pkts, k);
		got += k;
	}
	/* rtu_rx_wait counts its own frames; the others arrive as stray */
	TEST_ASSERT_EQUAL(got + stray, good_ip + bad_ip + 1, "received %u + %u", got, stray);
	XS_EXPECT("rx_ip_csum_good_packets", good_ip + 1);
	XS_EXPECT("rx_ip_csum_bad_packets", bad_ip);
	/*
	 * With checksum offloads alone the kernel completes its own checksums
	 * (partial ones reach the port only with LRO): every UDP frame here
	 * has a verdict, GOOD (the AF_PACKET frames' UDP sums are right).
	 */
	XS_EXPECT("rx_l4_csum_good_packets", good_ip + bad_ip + 1);
	XS_EXPECT("rx_l4_csum_none_packets", 0);
	XS_EXPECT("rx_l4_csum_bad_packets", 0);
	XS_EXPECT("rx_lro_packets", 0);

	TEST_ASSERT_SUCCESS(xs_tx_offload(IPPROTO_UDP, 200, RTE_MBUF_F_TX_UDP_CKSUM, 0, 1), "udp");
	TEST_ASSERT_SUCCESS(xs_tx_offload(IPPROTO_TCP, 200,
					  RTE_MBUF_F_TX_TCP_CKSUM | RTE_MBUF_F_TX_IP_CKSUM, 0, 2),
			    "tcp");
	TEST_ASSERT_SUCCESS(xs_tx_offload(IPPROTO_TCP, 3000,
					  RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IP_CKSUM, 1000, 3),
			    "tso");
	if (rtu_tx_async())
		TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool,
							   RTU_TIMEOUT_MS),
				    "tx completions");
	XS_EXPECT("tx_l4_csum_requests", 2);
	XS_EXPECT("tx_ip_csum_requests", 2);
	XS_EXPECT("tx_tso_requests", 1);
	XS_EXPECT("tx_uso_requests", 0);
	XS_EXPECT("tx_multi_segment_packets", 2);
	XS_EXPECT("tx_q0_packets", 3);
	XS_EXPECT("tx_q0_errors", 0);
	/* the kernel counts one packet per write, a TSO super-frame included */
	XS_EXPECT("kernel_rx_packets", 3);
	return rtu_fixture_finish(&fx);
}

/*
 * Drops by reason: a malformed tx request (TSO without a segment size), tx
 * while the interface is down, an rx frame larger than the buffers (the MTU
 * raised behind the driver's back), tx after the interface was deleted.
 */
static int
test_xstats_drops(void)
{
	const unsigned int nb_down = 3, nb_gone = 2;
	struct rte_mbuf *m, *pkts[8];
	unsigned int i;
	size_t len;

	TEST_ASSERT_SUCCESS(rte_eth_xstats_reset(fx.port.port_id), "xstats_reset");

	len = xs_l4_frame(frame, IPPROTO_TCP, 3000, true);
	m = rtu_mbuf_from(fx.tx_pool, frame, len, 2);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(struct rte_ipv4_hdr);
	m->l4_len = sizeof(struct rte_tcp_hdr);
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_SEG;
	m->tso_segsz = 0;
	TEST_ASSERT_EQUAL(rte_eth_tx_burst(fx.port.port_id, 0, &m, 1), 1, "tx (dropped)");
	XS_EXPECT("tx_malformed_request_dropped", 1);

	TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, 0, IFF_UP), "down");
	for (i = 0; i < nb_down; i++) {
		rtu_frame_fill(frame, 100, &fx.peer, &fx.mac, i);
		m = rtu_mbuf_from(fx.tx_pool, frame, 100, 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		TEST_ASSERT_EQUAL(rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS), 1U, "tx");
	}
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "tx completions");
	XS_EXPECT("tx_link_down_dropped", nb_down);
	TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, IFF_UP, 0), "up");

	/* 1500-byte buffers of MTU 1500; the kernel now sends 3000-byte frames */
	TEST_ASSERT_SUCCESS(rtu_if_set_mtu(fx.port.ifname, 4000), "mtu");
	rtu_frame_fill(frame, 3000, &fx.mac, &fx.peer, 7);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, 3000), "send");
	{
		uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;

		while (xs_get(fx.port.port_id, "rx_oversize_dropped") < 1 &&
		       rtu_now_ms() < deadline) {
			uint16_t k = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTE_DIM(pkts));

			rtu_free_bulk(pkts, k);
		}
	}
	XS_EXPECT("rx_oversize_dropped", 1);
	XS_EXPECT("rx_q0_errors", 1);
	XS_EXPECT("rx_q0_packets", 0);
	XS_EXPECT("tx_q0_errors", 1 + nb_down);
	XS_EXPECT("tx_other_errors", 0);

	/* the interface deleted under the port: what is sent now goes nowhere */
	TEST_ASSERT_SUCCESS(rtu_run("ip link del dev %s", fx.port.ifname), "link del");
	TEST_ASSERT_SUCCESS(rtu_if_wait_gone(fx.port.ifname, RTU_TIMEOUT_MS), "gone");
	for (i = 0; i < nb_gone; i++) {
		rtu_frame_fill(frame, 100, &fx.peer, &fx.mac, i);
		m = rtu_mbuf_from(fx.tx_pool, frame, 100, 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		TEST_ASSERT_EQUAL(rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS), 1U, "tx");
	}
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "tx completions");
	XS_EXPECT("tx_interface_gone_dropped", nb_gone);
	XS_EXPECT("tx_q0_errors", 1 + nb_down + nb_gone);
	return rtu_fixture_finish(&fx);
}

/* Names: DPDK's conventions, every queue's, none twice, ids in order. */
static int
test_xstats_names(void)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *values = NULL;
	int n, i, j, found = 0;
	int result = TEST_FAILED;

	n = rte_eth_xstats_get_names(fx.port.port_id, NULL, 0);
	TEST_ASSERT(n > 0, "xstats_get_names: %d", n);
	names = calloc(n, sizeof(*names));
	values = calloc(n, sizeof(*values));
	if (names == NULL || values == NULL)
		goto out;
	if (rte_eth_xstats_get_names(fx.port.port_id, names, n) != n ||
	    rte_eth_xstats_get(fx.port.port_id, values, n) != n) {
		printf("  xstats count changed\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (values[i].id != (uint64_t)i) {
			printf("  xstat %d has id %" PRIu64 "\n", i, values[i].id);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(names[i].name, names[j].name) == 0) {
				printf("  %s twice\n", names[i].name);
				goto out;
			}
		}
		found += strcmp(names[i].name, "rx_q3_packets") == 0 ||
			strcmp(names[i].name, "tx_q3_io_completions") == 0 ||
			strcmp(names[i].name, "rx_size_65_to_127_packets") == 0 ||
			strcmp(names[i].name, "tx_broadcast_packets") == 0 ||
			strcmp(names[i].name, "kernel_tx_dropped") == 0;
	}
	if (found != 5) {
		printf("  %d of the 5 names looked for\n", found);
		goto out;
	}
	result = TEST_SUCCESS;
out:
	free(names);
	free(values);
	if (result != TEST_SUCCESS)
		return result;
	return rtu_fixture_finish(&fx);
}

static int
xs_setup_4q(void)
{
	return xs_fixture(4, NULL, 2047, 1023);
}

struct xs_race {
	uint16_t port_id;
	struct rte_mempool *mp;
	struct rte_ether_addr src, dst;
	atomic_bool stop;
	atomic_uint_fast64_t sent;
};

#define XS_BURST 4

static int
xs_race_worker(void *arg)
{
	struct xs_race *c = arg;
	struct rte_mbuf *pkts[XS_BURST];
	uint8_t buf[64];
	uint16_t i, n;

	rtu_frame_fill(buf, sizeof(buf), &c->dst, &c->src, 0);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (rte_pktmbuf_alloc_bulk(c->mp, pkts, XS_BURST) != 0) {
			rte_eth_tx_done_cleanup(c->port_id, 0, 0);
			continue;
		}
		for (i = 0; i < XS_BURST; i++)
			memcpy(rte_pktmbuf_append(pkts[i], sizeof(buf)), buf, sizeof(buf));
		n = rte_eth_tx_burst(c->port_id, 0, pkts, XS_BURST);
		rtu_free_bulk(pkts + n, XS_BURST - n);
		atomic_fetch_add_explicit(&c->sent, n, memory_order_release);
	}
	return 0;
}

/* Counters of the same frames on the worker's queue (tx_good_packets last: ethdev's). */
static const char * const xs_watch[] = { "tx_q0_packets", "tx_size_64_packets",
					 "tx_unicast_packets", "tx_q0_io_completions",
					 "tx_good_packets" };

/* The ids of xs_watch, then xs_race_worker() on the next lcore (*@cp to free). */
static int
xs_race_launch(uint64_t *ids, struct xs_race **cp, unsigned int *worker)
{
	struct xs_race *c;
	unsigned int i;
	int ret;

	*worker = rte_get_next_lcore(-1, 1, 0);
	if (*worker >= RTE_MAX_LCORE)
		TEST_SKIP("needs a worker lcore (-l 0-1)");
	for (i = 0; i < RTE_DIM(xs_watch); i++)
		TEST_ASSERT_SUCCESS(rte_eth_xstats_get_id_by_name(fx.port.port_id, xs_watch[i],
								  &ids[i]),
				    "%s", xs_watch[i]);
	c = calloc(1, sizeof(*c));
	TEST_ASSERT_NOT_NULL(c, "calloc");
	c->port_id = fx.port.port_id;
	c->mp = fx.tx_pool;
	c->src = fx.mac;
	c->dst = fx.peer;
	ret = rte_eal_remote_launch(xs_race_worker, c, *worker);
	if (ret != 0) {
		free(c);
		TEST_ASSERT_SUCCESS(ret, "rte_eal_remote_launch");
	}
	*cp = c;
	return TEST_SUCCESS;
}

/*
 * rte_eth_xstats_reset while a worker lcore transmits 64-byte frames at full
 * rate: right after each reset, every counter read counts at most what
 * tx_burst accepted since just before it (plus the bursts in progress and
 * the completions pending at either end), never the pre-reset total; the
 * derived counters never go negative. Once the worker stopped, the counters
 * agree exactly: buckets, casts and io completions sum to tx_q0_packets, and
 * a last reset followed by a known count reads that count.
 */
static int
test_xstats_reset_race(void)
{
	const uint64_t grow_to = 16 * 512;
	uint64_t ids[RTE_DIM(xs_watch)], vals[RTE_DIM(xs_watch)];
	uint64_t deadline, trials = 0, bad = 0, s0, s1, bound = 0, seen = 0;
	struct xs_race *c;
	unsigned int worker, i;
	int ret;

	ret = xs_race_launch(ids, &c, &worker);
	if (ret != TEST_SUCCESS)
		return ret;

	deadline = rtu_now_ms() + 10000;
	while (rtu_now_ms() < deadline && bad == 0) {
		do {
			rte_eth_xstats_get_by_id(c->port_id, ids, vals, 1);
		} while (vals[0] < grow_to && rtu_now_ms() < deadline);
		if (vals[0] < grow_to)
			break;
		s0 = atomic_load_explicit(&c->sent, memory_order_acquire);
		rte_eth_xstats_reset(c->port_id);
		rte_eth_xstats_get_by_id(c->port_id, ids, vals, RTE_DIM(ids));
		s1 = atomic_load_explicit(&c->sent, memory_order_acquire);
		trials++;
		bound = s1 - s0 + 2 * XS_BURST + 512;
		for (i = 0; i < RTE_DIM(xs_watch); i++) {
			if (vals[i] > bound) {
				bad++;
				seen = vals[i];
				printf("  %s read %" PRIu64 " after a reset, bound %" PRIu64 "\n",
				       xs_watch[i], vals[i], bound);
			}
		}
	}
	atomic_store(&c->stop, true);
	rte_eal_wait_lcore(worker);
	printf("  %" PRIu64 " resets under load\n", trials);
	free(c);
	TEST_ASSERT(trials > 0, "tx_q0_packets never reached %" PRIu64 " in 10 s", grow_to);
	TEST_ASSERT_EQUAL(bad, 0, "a counter read %" PRIu64 " after xstats_reset: undone", seen);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "tx mbufs not returned");

	/* quiet now: the counters agree exactly */
	rte_eth_xstats_get_by_id(fx.port.port_id, ids, vals, RTE_DIM(ids));
	for (i = 1; i < RTE_DIM(xs_watch); i++)
		TEST_ASSERT_EQUAL(vals[i], vals[0], "%s %" PRIu64 " != tx_q0_packets %" PRIu64,
				  xs_watch[i], vals[i], vals[0]);
	TEST_ASSERT_SUCCESS(rte_eth_xstats_reset(fx.port.port_id), "reset");
	for (i = 0; i < 10; i++) {
		struct rte_mbuf *m;

		rtu_frame_fill(frame, 64, &fx.peer, &fx.mac, i);
		m = rtu_mbuf_from(fx.tx_pool, frame, 64, 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		TEST_ASSERT_EQUAL(rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS), 1U, "tx");
	}
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "tx completions");
	rte_eth_xstats_get_by_id(fx.port.port_id, ids, vals, RTE_DIM(ids));
	for (i = 0; i < RTE_DIM(xs_watch); i++)
		TEST_ASSERT_EQUAL(vals[i], 10ULL, "%s %" PRIu64 " after 10 frames", xs_watch[i],
				  vals[i]);
	return rtu_fixture_finish(&fx);
}

/*
 * Resets back to back for 2 s, alternately stats and xstats, while a worker
 * lcore transmits, each followed by a read: a queue's counters are copied
 * as of one moment between bursts, and a reset's baselines too, so the
 * xstats that count the same frames agree exactly after every reset, under
 * load (a baseline or a read of tx_q0_packets a burst apart from
 * tx_q0_io_completions' would set them apart, a baseline for good), and
 * the basic counters too once the worker stopped.
 */
static int
test_xstats_reset_storm(void)
{
	uint64_t ids[RTE_DIM(xs_watch)], vals[RTE_DIM(xs_watch)];
	uint64_t deadline, resets = 0, apart = 0;
	struct rte_eth_stats st;
	struct xs_race *c;
	unsigned int worker, i;
	int ret;

	ret = xs_race_launch(ids, &c, &worker);
	if (ret != TEST_SUCCESS)
		return ret;
	deadline = rtu_now_ms() + 2000;
	while (rtu_now_ms() < deadline && apart == 0) {
		if (resets++ & 1)
			rte_eth_xstats_reset(fx.port.port_id);
		else
			rte_eth_stats_reset(fx.port.port_id);
		/* all but tx_good_packets: ethdev reads that one through stats_get */
		rte_eth_xstats_get_by_id(fx.port.port_id, ids, vals, RTE_DIM(ids) - 1);
		for (i = 1; i < RTE_DIM(ids) - 1; i++) {
			if (vals[i] != vals[0] && apart++ == 0)
				printf("  after reset %" PRIu64 ": %s %" PRIu64
				       " != tx_q0_packets %" PRIu64 "\n",
				       resets, xs_watch[i], vals[i], vals[0]);
		}
	}
	atomic_store(&c->stop, true);
	rte_eal_wait_lcore(worker);
	printf("  %" PRIu64 " resets, %" PRIu64 " frames sent\n", resets, atomic_load(&c->sent));
	free(c);
	TEST_ASSERT_EQUAL(apart, 0, "counters of the same frames apart under load");
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "tx mbufs not returned");
	rte_eth_xstats_get_by_id(fx.port.port_id, ids, vals, RTE_DIM(ids));
	TEST_ASSERT(vals[0] > 0, "nothing counted after the last reset");
	for (i = 1; i < RTE_DIM(xs_watch); i++)
		TEST_ASSERT_EQUAL(vals[i], vals[0], "%s %" PRIu64 " != tx_q0_packets %" PRIu64,
				  xs_watch[i], vals[i], vals[0]);
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
	TEST_ASSERT_EQUAL(st.opackets, vals[0], "opackets %" PRIu64 " != tx_q0_packets %" PRIu64,
			  st.opackets, vals[0]);
	return TEST_SUCCESS;
}

static struct unit_test_suite xstats_suite = {
	.suite_name = "rtap extended statistics",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(xs_setup_4q, xs_teardown, test_xstats_names),
		TEST_CASE_ST(xs_setup_jumbo, xs_teardown, test_xstats_sizes_and_casts),
		TEST_CASE_ST(xs_setup_offload, xs_teardown, test_xstats_offloads),
		TEST_CASE_ST(xs_setup_plain, xs_teardown, test_xstats_drops),
		TEST_CASE_ST(xs_setup_plain, xs_teardown, test_xstats_reset_race),
		TEST_CASE_ST(xs_setup_plain, xs_teardown, test_xstats_reset_storm),
		TEST_CASES_END(),
	},
};

static int
test_rtap_xstats(void)
{
	return unit_test_suite_runner(&xstats_suite);
}

REGISTER_TEST_COMMAND(rtap_xstats_autotest, test_rtap_xstats);
