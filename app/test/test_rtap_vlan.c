/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * VLAN on receive, end to end through a TAP, with the checksum offloads on:
 * RTE_ETH_RX_OFFLOAD_VLAN_STRIP (the outer 802.1Q tag into vlan_tci, out of
 * the data) and RTE_ETH_RX_OFFLOAD_VLAN_FILTER (VIDs not added with
 * rte_eth_dev_vlan_filter() dropped and counted), each changed on the
 * running port with rte_eth_dev_set_vlan_offload(), and the checksum
 * verdicts of tagged frames. Transmit (VLAN and QinQ insertion) is in the tx
 * offload suite.
 *
 * The frames are sent by an AF_PACKET socket on the interface: this kernel
 * may have no VLAN interfaces (CONFIG_VLAN_8021Q) to make them. The last
 * frame of a round is untagged: one queue delivers in order, so once it is
 * in, every frame before it was received or dropped.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

#define PCP3	  0x6000
#define LAST_PORT 9999

static struct rtu_fixture fx = { .pkt_fd = -1 };
static uint8_t frame[2048];

static int
vlan_setup(void)
{
	struct rte_eth_conf conf;
	int ret;

	ret = rtu_check_env();
	if (ret != TEST_SUCCESS)
		return ret;
	if (!rtu_driver_is_rtap())
		TEST_SKIP("net_rtap's counters");
	ret = rtu_fixture_setup(&fx, 1, NULL, 1023, 127);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_VLAN_STRIP | RTE_ETH_RX_OFFLOAD_VLAN_FILTER |
		RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fx.port.port_id, 100, 1), "VID 100");
	return TEST_SUCCESS;
}

static void
vlan_teardown(void)
{
	rtu_fixture_finish(&fx);
}

/* What a frame of a round is, and what must become of it. */
struct vframe {
	uint8_t proto;	  /* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t tpid[2]; /* tags, outer first; 0: none */
	uint16_t tci[2];
	bool bad_csum; /* the L4 checksum spoiled */
	bool pass;     /* must arrive */
	bool stripped; /* with its outer tag in vlan_tci */
	const char *what;
};

/*
 * An IPv4 frame of @v to the port, to @dport, with right checksums (but for
 * bad_csum); the same frame without its tags in @untagged. Returns its length.
 */
static size_t
vframe_build(uint8_t *buf, const struct vframe *v, uint16_t dport, uint8_t *untagged,
	     size_t *untagged_len)
{
	uint32_t l4_hdr = v->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : 8;
	uint32_t payload = 200, i, tags = 0;
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)untagged;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	uint8_t *l4 = (uint8_t *)(ip + 1);
	size_t len = sizeof(*eth) + sizeof(*ip) + l4_hdr + payload;
	uint16_t ck;

	memset(untagged, 0, len);
	eth->dst_addr = fx.mac;
	eth->src_addr = fx.peer;
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(sizeof(*ip) + l4_hdr + payload);
	ip->time_to_live = 64;
	ip->next_proto_id = v->proto;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(10, 77, 5, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(10, 77, 5, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	for (i = 0; i < payload; i++)
		l4[l4_hdr + i] = (uint8_t)(i + dport);
	if (v->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->src_port = RTE_BE16(40000);
		th->dst_port = rte_cpu_to_be_16(dport);
		th->data_off = (sizeof(*th) / 4) << 4;
		th->tcp_flags = RTE_TCP_ACK_FLAG;
		ck = rte_ipv4_udptcp_cksum(ip, l4);
		if (v->bad_csum)
			ck ^= RTE_BE16(0x0101);
		memcpy(l4 + offsetof(struct rte_tcp_hdr, cksum), &ck, sizeof(ck));
	} else {
		struct rte_udp_hdr *uh = (struct rte_udp_hdr *)l4;

		uh->src_port = RTE_BE16(40000);
		uh->dst_port = rte_cpu_to_be_16(dport);
		uh->dgram_len = rte_cpu_to_be_16(l4_hdr + payload);
		ck = rte_ipv4_udptcp_cksum(ip, l4);
		if (v->bad_csum)
			ck ^= RTE_BE16(0x0101);
		memcpy(l4 + offsetof(struct rte_udp_hdr, dgram_cksum), &ck, sizeof(ck));
	}
	*untagged_len = len;
	/* The tags after the addresses. */
	memcpy(buf, untagged, 2 * RTE_ETHER_ADDR_LEN);
	for (i = 0; i < 2 && v->tpid[i] != 0; i++, tags++) {
		rte_be16_t tag[2] = { rte_cpu_to_be_16(v->tpid[i]), rte_cpu_to_be_16(v->tci[i]) };

		memcpy(buf + 2 * RTE_ETHER_ADDR_LEN + i * RTE_VLAN_HLEN, tag, sizeof(tag));
	}
	memcpy(buf + 2 * RTE_ETHER_ADDR_LEN + tags * RTE_VLAN_HLEN,
	       untagged + 2 * RTE_ETHER_ADDR_LEN, len - 2 * RTE_ETHER_ADDR_LEN);
	return len + tags * RTE_VLAN_HLEN;
}

/* The UDP/TCP destination port of an IPv4 frame behind up to two tags, or -1. */
static int
frame_dport(const struct rte_mbuf *m, unsigned int *tags)
{
	uint8_t buf[96];
	const uint8_t *p = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(buf)), buf);
	uint32_t off = 12, len = RTE_MIN(m->pkt_len, sizeof(buf));

	*tags = 0;
	if (p == NULL)
		return -1;
	while (*tags < 2 && len >= off + 4 &&
	       ((p[off] << 8 | p[off + 1]) == RTE_ETHER_TYPE_VLAN ||
		(p[off] << 8 | p[off + 1]) == RTE_ETHER_TYPE_QINQ)) {
		off += 4;
		(*tags)++;
	}
	if (len < off + 2 + 20 + 4 || (p[off] << 8 | p[off + 1]) != RTE_ETHER_TYPE_IPV4)
		return -1;
	off += 2 + (p[off + 2] & 0xf) * 4;
	return p[off + 2] << 8 | p[off + 3];
}

/*
 * Sends @v[0..@n), then an untagged frame, and checks what arrives: which,
 * with which tags left in the data, vlan_tci and flags, checksum verdicts
 * (GOOD, or BAD where spoiled), the bytes of the stripped ones; and the
 * counters: the filtered ones in `filtered`, the spoiled in csum_bad.
 */
static int
round_check(const struct vframe *v, unsigned int n, const char *what)
{
	static uint8_t untagged[16][2048];
	static size_t ulen[16];
	struct rte_mbuf *pkts[RTU_BURST];
	struct rtap_queue_stats c;
	unsigned int i, got = 0, want = 0, filtered = 0, bad = 0;
	uint64_t deadline;
	bool last = false;

	RTE_VERIFY(n < RTE_DIM(untagged));
	rtu_rx_drain(fx.port.port_id, 1);
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats reset");
	for (i = 0; i < n; i++) {
		size_t len = vframe_build(frame, &v[i], 7000 + i, untagged[i], &ulen[i]);

		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, len), "send");
		if (v[i].pass)
			want |= 1u << i;
		else
			filtered++;
		bad += v[i].pass && v[i].bad_csum;
	}
	{
		const struct vframe end = { .proto = IPPROTO_UDP, .pass = true };
		size_t len = vframe_build(frame, &end, LAST_PORT, untagged[n], &ulen[n]);

		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, len), "send the last");
	}
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (!last && rtu_now_ms() < deadline) {
		uint16_t k, nb = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);

		for (k = 0; k < nb; k++) {
			struct rte_mbuf *m = pkts[k];
			unsigned int tags, tags_sent;
			int d = frame_dport(m, &tags);
			uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
			uint64_t ip = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
			const struct vframe *e;

			if (d == LAST_PORT)
				last = true;
			if (d < 7000 || d >= 7000 + (int)n) {
				rte_pktmbuf_free(m);
				continue;
			}
			i = d - 7000;
			e = &v[i];
			got |= 1u << i;
			tags_sent = (e->tpid[0] != 0) + (e->tpid[1] != 0);
			TEST_ASSERT_EQUAL(tags, tags_sent - (e->stripped ? 1 : 0),
					  "%s: %s: %u tags left", what, e->what, tags);
			TEST_ASSERT_EQUAL(!!(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED),
					  e->stripped, "%s: %s: flags %#" PRIx64, what, e->what,
					  m->ol_flags);
			TEST_ASSERT_EQUAL(!!(m->ol_flags & RTE_MBUF_F_RX_VLAN), e->stripped,
					  "%s: %s: flags %#" PRIx64, what, e->what, m->ol_flags);
			if (e->stripped) {
				TEST_ASSERT_EQUAL(m->vlan_tci, e->tci[0], "%s: %s: vlan_tci %#x",
						  what, e->what, m->vlan_tci);
				if (tags_sent == 1)
					TEST_ASSERT_SUCCESS(rtu_mbuf_compare(m, untagged[i],
									     ulen[i]),
							    "%s: %s: not the untagged frame", what,
							    e->what);
			}
			TEST_ASSERT_EQUAL(ip, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
					  "%s: %s: IP flags %#" PRIx64, what, e->what, ip);
			TEST_ASSERT_EQUAL(l4,
					  e->bad_csum ? RTE_MBUF_F_RX_L4_CKSUM_BAD :
							RTE_MBUF_F_RX_L4_CKSUM_GOOD,
					  "%s: %s: L4 flags %#" PRIx64, what, e->what, l4);
			rte_pktmbuf_free(m);
		}
	}
	TEST_ASSERT(last, "%s: the untagged frame at the end never arrived", what);
	for (i = 0; i < n; i++)
		if (((got >> i) & 1) != v[i].pass)
			printf("  %s: %s %s\n", what, v[i].what,
			       v[i].pass ? "dropped" : "received");
	TEST_ASSERT_EQUAL(got, want, "%s: received %#x, expected %#x", what, got, want);
	TEST_ASSERT_SUCCESS(rtu_rtap_rx_counters(fx.port.port_id, &c), "counters");
	TEST_ASSERT_EQUAL(c.filtered, (uint64_t)filtered, "%s: filtered %" PRIu64, what,
			  c.filtered);
	TEST_ASSERT_EQUAL(c.csum_bad, (uint64_t)bad, "%s: csum_bad %" PRIu64, what, c.csum_bad);
	return TEST_SUCCESS;
}

#define Q  RTE_ETHER_TYPE_VLAN
#define AD RTE_ETHER_TYPE_QINQ

/*
 * Strip and filter on, VID 100 in the table, checksum offloads on: the
 * frames of each kind, then the filter changed, then strip and filter
 * turned off, on the running port.
 */
static int
test_vlan_strip_filter(void)
{
	const struct vframe r1[] = {
		{ IPPROTO_UDP, { Q }, { PCP3 | 100 }, false, true, true, "UDP in VID 100" },
		{ IPPROTO_TCP, { Q }, { PCP3 | 100 }, false, true, true, "TCP in VID 100" },
		{ IPPROTO_UDP, { Q }, { PCP3 | 100 }, true, true, true, "bad UDP in VID 100" },
		{ IPPROTO_TCP, { Q }, { 100 }, true, true, true, "bad TCP in VID 100" },
		{ IPPROTO_UDP, { Q }, { PCP3 | 200 }, false, false, false, "UDP in VID 200" },
		{ IPPROTO_UDP, { 0 }, { 0 }, false, true, false, "untagged UDP" },
		{ IPPROTO_UDP, { Q }, { PCP3 }, false, true, true, "priority-tagged UDP" },
		{ IPPROTO_TCP, { AD, Q }, { 200, 100 }, false, true, false, "QinQ (802.1ad)" },
		{ IPPROTO_UDP, { Q, Q }, { 100, 300 }, false, true, true, "two 802.1Q tags" },
	};
	const struct vframe r2[] = {
		{ IPPROTO_UDP, { Q }, { 100 }, false, true, true, "UDP in VID 100" },
		{ IPPROTO_UDP, { Q }, { 200 }, false, true, true, "UDP in VID 200 (added)" },
		{ IPPROTO_UDP, { Q }, { 201 }, false, false, false, "UDP in VID 201" },
	};
	const struct vframe r3[] = {
		{ IPPROTO_UDP, { Q }, { 200 }, false, false, false, "UDP in VID 200 (removed)" },
	};
	const struct vframe r4[] = {
		{ IPPROTO_UDP, { Q }, { 100 }, false, true, false, "UDP in VID 100, not stripped" },
		{ IPPROTO_TCP,
		  { Q },
		  { 100 },
		  true,
		  true,
		  false,
		  "bad TCP in VID 100, not stripped" },
		{ IPPROTO_UDP, { Q }, { 200 }, false, false, false, "UDP in VID 200" },
	};
	const struct vframe r5[] = {
		{ IPPROTO_UDP, { Q }, { 200 }, false, true, false, "UDP in VID 200, no filter" },
		{ IPPROTO_UDP, { Q }, { 4095 }, false, true, false, "UDP in VID 4095, no filter" },
	};
	uint16_t port = fx.port.port_id;

	TEST_ASSERT_SUCCESS(round_check(r1, RTE_DIM(r1), "strip and filter"), "round 1");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(port, 200, 1), "add VID 200");
	TEST_ASSERT_SUCCESS(round_check(r2, RTE_DIM(r2), "VID 200 added"), "round 2");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(port, 200, 0), "remove VID 200");
	TEST_ASSERT_SUCCESS(round_check(r3, RTE_DIM(r3), "VID 200 removed"), "round 3");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_offload(port, RTE_ETH_VLAN_FILTER_OFFLOAD),
			    "strip off");
	TEST_ASSERT_SUCCESS(round_check(r4, RTE_DIM(r4), "strip off"), "round 4");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_offload(port, 0), "filter off");
	TEST_ASSERT_SUCCESS(round_check(r5, RTE_DIM(r5), "filter off"), "round 5");
	/* Back on, and across a restart: the table is kept. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_vlan_offload(port,
							 RTE_ETH_VLAN_FILTER_OFFLOAD |
								 RTE_ETH_VLAN_STRIP_OFFLOAD),
			    "both on");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	TEST_ASSERT_SUCCESS(round_check(r1, RTE_DIM(r1), "after a restart"), "round 6");
	return rtu_fixture_finish(&fx);
}

/* The capabilities, and what ethdev refuses. */
static int
test_vlan_caps(void)
{
	struct rte_eth_dev_info info;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "info");
	TEST_ASSERT(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_STRIP, "VLAN_STRIP");
	TEST_ASSERT(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_FILTER, "VLAN_FILTER");
	TEST_ASSERT(!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_QINQ_STRIP), "QINQ_STRIP");
	TEST_ASSERT(!(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_VLAN_EXTEND), "VLAN_EXTEND");
	TEST_ASSERT(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_VLAN_INSERT, "VLAN_INSERT");
	TEST_ASSERT(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_QINQ_INSERT, "QINQ_INSERT");
	TEST_ASSERT_NOT_EQUAL(rte_eth_dev_set_vlan_offload(fx.port.port_id,
							   RTE_ETH_QINQ_STRIP_OFFLOAD),
			      0, "QinQ strip accepted");
	TEST_ASSERT_SUCCESS(rte_eth_dev_vlan_filter(fx.port.port_id, 4095, 1), "VID 4095");
	TEST_ASSERT_NOT_EQUAL(rte_eth_dev_vlan_filter(fx.port.port_id, 4096, 1), 0, "VID 4096");
	return rtu_fixture_finish(&fx);
}

static struct unit_test_suite vlan_suite = {
	.suite_name = "rtap vlan",
	.unit_test_cases = {
		TEST_CASE_ST(vlan_setup, vlan_teardown, test_vlan_strip_filter),
		TEST_CASE_ST(vlan_setup, vlan_teardown, test_vlan_caps),
		TEST_CASES_END(),
	},
};

static int
test_rtap_vlan(void)
{
	return unit_test_suite_runner(&vlan_suite);
}

REGISTER_TEST_COMMAND(rtap_vlan_autotest, test_rtap_vlan);
