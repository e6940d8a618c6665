/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * The MTU on receive, as a NIC enforces it: a frame whose L2 payload (what
 * follows the Ethernet header and up to two VLAN tags) is the MTU arrives,
 * one byte more is dropped and counted in ierrors. At MTU 1500, 1280 and
 * 9000, set on a stopped port and on a started one.
 *
 * The kernel would not send a frame over its own MTU, so the test raises the
 * interface's MTU behind the port's back (SIOCSIFMTU, as `ip link` does)
 * after setting the port's: the driver holds the port's MTU, whatever the
 * interface says since.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <rte_ethdev.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

#define MTU_MAX	 9000
#define ROOM	 (MTU_MAX + 256) /* one mbuf holds the largest frame: no chains */
#define NB_MBUFS 511

static struct rtu_fixture fx = { .pkt_fd = -1 };
static uint8_t frame[MTU_MAX + 512];

/* A started port whose buffers hold MTU 9000 frames, and a socket on its interface. */
static int
mtu_setup(void)
{
	struct rte_eth_conf conf;
	struct rte_mempool *old;
	static unsigned int n;
	char name[RTE_MEMPOOL_NAMESIZE];
	int ret;

	ret = rtu_check_env();
	if (ret != TEST_SUCCESS)
		return ret;
	ret = rtu_fixture_setup(&fx, 1, NULL, NB_MBUFS, 127);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	/* The fixture checks and frees its rx pool: swap in one of big mbufs. */
	old = fx.rx_pool;
	snprintf(name, sizeof(name), "mtu_big%u", n++);
	fx.rx_pool = rtu_pool_create(name, NB_MBUFS, ROOM);
	TEST_ASSERT_NOT_NULL(fx.rx_pool, "pool");
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = MTU_MAX;
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 0), "setup");
	TEST_ASSERT(rte_mempool_full(old), "%u mbufs of the first pool held",
		    rtu_mempool_in_use(old));
	rte_mempool_free(old);
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	return TEST_SUCCESS;
}

static void
mtu_teardown(void)
{
	rtu_fixture_finish(&fx);
}

/* A test frame with @nb_tags VLAN tags whose L2 payload is @payload bytes. */
static size_t
tagged_frame(uint8_t *buf, unsigned int nb_tags, uint32_t payload, uint32_t seq)
{
	size_t hdr = RTE_ETHER_HDR_LEN + nb_tags * RTE_VLAN_HLEN;
	size_t len = RTE_MAX(hdr + payload, (size_t)RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	unsigned int i;

	/* A plain test frame, then the tags pushed in after the addresses. */
	rtu_frame_fill(buf, len - nb_tags * RTE_VLAN_HLEN, &fx.mac, &fx.peer, seq);
	memmove(buf + hdr - 2, buf + RTE_ETHER_HDR_LEN - 2,
		len - nb_tags * RTE_VLAN_HLEN - (RTE_ETHER_HDR_LEN - 2));
	for (i = 0; i < nb_tags; i++) {
		uint8_t *tag = buf + 2 * RTE_ETHER_ADDR_LEN + i * RTE_VLAN_HLEN;
		uint16_t tpid = i == 0 && nb_tags == 2 ? RTE_ETHER_TYPE_QINQ : RTE_ETHER_TYPE_VLAN;

		tag[0] = tpid >> 8;
		tag[1] = tpid & 0xff;
		tag[2] = 0;
		tag[3] = 10 + i;
	}
	return len;
}

/* seq of a test frame behind up to two tags, or -1. */
static int64_t
tagged_seq(const struct rte_mbuf *m)
{
	uint8_t buf[64];
	const uint8_t *p = rte_pktmbuf_read(m, 0, RTE_MIN(m->pkt_len, sizeof(buf)), buf);
	size_t off = 2 * RTE_ETHER_ADDR_LEN;

	if (p == NULL)
		return -1;
	while (off + 2 <= m->pkt_len && off < 2 * RTE_ETHER_ADDR_LEN + 2 * RTE_VLAN_HLEN &&
	       ((p[off] << 8 | p[off + 1]) == RTE_ETHER_TYPE_VLAN ||
		(p[off] << 8 | p[off + 1]) == RTE_ETHER_TYPE_QINQ))
		off += RTE_VLAN_HLEN;
	if (off + 2 + sizeof(struct rtu_hdr) > m->pkt_len ||
	    (p[off] << 8 | p[off + 1]) != RTU_ETHERTYPE)
		return -1;
	return rtu_frame_seq(p + off - 2 * RTE_ETHER_ADDR_LEN,
			     RTE_MIN(m->pkt_len, sizeof(buf)) - (off - 2 * RTE_ETHER_ADDR_LEN));
}

/*
 * Sends frames of the MTU and of one byte more, untagged, tagged and QinQ,
 * then a small one, and checks that exactly the first three of each pair and
 * the last arrive, whole, and the others are counted.
 */
static int
check_boundary(uint16_t mtu, const char *when)
{
	struct rte_mbuf *pkts[RTU_BURST];
	struct rtap_queue_stats c;
	struct rte_eth_stats st;
	uint64_t deadline;
	unsigned int tags, got = 0, want = 0;
	bool last = false;
	uint32_t seq;
	int kmtu;

	/* The interface takes more than the port: the kernel lets the test send it. */
	TEST_ASSERT_SUCCESS(rtu_if_set_mtu(fx.port.ifname, mtu + 100), "SIOCSIFMTU");
	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(fx.port.ifname, &kmtu), "SIOCGIFMTU");
	TEST_ASSERT_EQUAL(kmtu, mtu + 100, "kernel MTU");
	rtu_rx_drain(fx.port.port_id, 1);
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats reset");
	for (tags = 0, seq = 0; tags <= 2; tags++) {
		size_t len;

		len = tagged_frame(frame, tags, mtu, seq++);
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, len), "send %zu", len);
		want |= 1u << (seq - 1);
		len = tagged_frame(frame, tags, mtu + 1u, seq++);
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, len), "send %zu", len);
	}
	/* One queue, in order: once this one is in, the others were seen. */
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, tagged_frame(frame, 0, 100, seq)),
			    "send the last");
	want |= 1u << seq;

	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (!last && rtu_now_ms() < deadline) {
		uint16_t n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST), i;

		for (i = 0; i < n; i++) {
			int64_t s = tagged_seq(pkts[i]);

			if (s >= 0 && s <= seq) {
				got |= 1u << s;
				last = last || s == seq;
				if (s != seq && (s & 1) == 0 &&
				    pkts[i]->pkt_len != RTE_ETHER_HDR_LEN + (s / 2) * 4u + mtu)
					printf("  frame %" PRId64 ": %u bytes\n", s,
					       pkts[i]->pkt_len);
			}
			rte_pktmbuf_free(pkts[i]);
		}
	}
	TEST_ASSERT(last, "MTU %u, %s: the last frame never arrived", mtu, when);
	TEST_ASSERT_EQUAL(got, want, "MTU %u, %s: frames %#x arrived, expected %#x", mtu, when, got,
			  want);
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
	TEST_ASSERT_SUCCESS(rtu_rtap_rx_counters(fx.port.port_id, &c), "counters");
	TEST_ASSERT_EQUAL(st.ierrors, 3ULL, "MTU %u, %s: ierrors %" PRIu64, mtu, when, st.ierrors);
	TEST_ASSERT_EQUAL(c.oversize, 3ULL, "MTU %u, %s: oversize %" PRIu64, mtu, when, c.oversize);
	TEST_ASSERT(st.ipackets >= 4, "MTU %u, %s: ipackets %" PRIu64, mtu, when, st.ipackets);
	return TEST_SUCCESS;
}

/* rte_eth_dev_set_mtu() on the started port: the limit follows at once. */
static int
test_mtu_started(void)
{
	static const uint16_t mtus[] = { 1500, 1280, 9000, 1500 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(mtus); i++) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(fx.port.port_id, mtus[i]), "MTU %u",
				    mtus[i]);
		TEST_ASSERT_SUCCESS(check_boundary(mtus[i], "started"), "MTU %u", mtus[i]);
	}
	return rtu_fixture_finish(&fx);
}

/* Set while stopped, enforced from the start. */
static int
test_mtu_stopped(void)
{
	static const uint16_t mtus[] = { 1500, 1280, 9000 };
	unsigned int i;

	for (i = 0; i < RTE_DIM(mtus); i++) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
		fx.port.started = false;
		TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(fx.port.port_id, mtus[i]), "MTU %u",
				    mtus[i]);
		TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
		TEST_ASSERT_SUCCESS(check_boundary(mtus[i], "set while stopped"), "MTU %u",
				    mtus[i]);
	}
	return rtu_fixture_finish(&fx);
}

static struct unit_test_suite mtu_suite = {
	.suite_name = "rtap mtu",
	.unit_test_cases = {
		TEST_CASE_ST(mtu_setup, mtu_teardown, test_mtu_started),
		TEST_CASE_ST(mtu_setup, mtu_teardown, test_mtu_stopped),
		TEST_CASES_END(),
	},
};

static int
test_rtap_mtu(void)
{
	return unit_test_suite_runner(&mtu_suite);
}

REGISTER_TEST_COMMAND(rtap_mtu_autotest, test_rtap_mtu);
