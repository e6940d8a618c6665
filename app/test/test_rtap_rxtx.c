/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/* Data path on one queue pair: bytes, segmentation, sizes and exact counters. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include <rte_ethdev.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define JUMBO_MTU 9000

static struct rtu_fixture fx;
static uint8_t frame[RTU_MAX_FRAME];
static uint8_t rbuf[RTU_MAX_FRAME];

static int
rxtx_setup(void)
{
	return rtu_fixture_setup(&fx, 1, NULL, 2047, 1023);
}

static int
rxtx_setup_jumbo(void)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = JUMBO_MTU;
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	return rtu_fixture_setup(&fx, 1, &conf, 2047, 1023);
}

static void
rxtx_teardown(void)
{
	rtu_fixture_finish(&fx);
}

/* Receives the test frame seq (len bytes built by rtu_frame_fill) and compares it. */
static int
expect_rx(uint32_t seq, size_t len, unsigned int *nb_segs)
{
	struct rte_mbuf *m = NULL;
	unsigned int stray = 0;
	int ret;

	if (rtu_rx_wait(fx.port.port_id, 0, &m, 1, 1, RTU_TIMEOUT_MS, &stray) != 1) {
		printf("  frame %u (%zu bytes) not received (%u other frames)\n", seq, len, stray);
		return TEST_FAILED;
	}
	if (rtu_mbuf_seq(m) != seq) {
		printf("  received frame %" PRId64 " (%u bytes), expected %u\n", rtu_mbuf_seq(m),
		       m->pkt_len, seq);
		rte_pktmbuf_free(m);
		return TEST_FAILED;
	}
	rtu_frame_fill(frame, len, &fx.mac, &fx.peer, seq);
	ret = rtu_mbuf_compare(m, frame, len);
	if (nb_segs != NULL)
		*nb_segs = m->nb_segs;
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(ret, "frame %u (%zu bytes) differs", seq, len);
	return TEST_SUCCESS;
}

/* Receives frame seq on the AF_PACKET socket and compares it. */
static int
expect_kernel(uint32_t seq, size_t len)
{
	ssize_t n;

	rtu_frame_fill(frame, len, &fx.peer, &fx.mac, seq);
	n = rtu_pkt_recv(fx.pkt_fd, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);
	TEST_ASSERT(n > 0, "frame %u (%zu bytes) not seen by the kernel (%zd)", seq, len, n);
	TEST_ASSERT_EQUAL(rtu_frame_seq(rbuf, n), (int64_t)seq, "kernel got frame %" PRId64,
			  rtu_frame_seq(rbuf, n));
	TEST_ASSERT_EQUAL((size_t)n, len, "frame %u: kernel got %zd bytes", seq, n);
	TEST_ASSERT_SUCCESS(memcmp(rbuf, frame, len), "frame %u: kernel got other bytes", seq);
	return TEST_SUCCESS;
}

static int
send_kernel(uint32_t seq, size_t len)
{
	int ret;

	rtu_frame_fill(frame, len, &fx.mac, &fx.peer, seq);
	ret = rtu_pkt_send(fx.pkt_fd, frame, len);
	TEST_ASSERT_SUCCESS(ret, "AF_PACKET send of %zu bytes: %s", len, strerror(-ret));
	return TEST_SUCCESS;
}

/* tx_burst of frame seq as an nb_segs chain; waits until the port takes it. */
static int
send_port(uint32_t seq, size_t len, unsigned int nb_segs)
{
	struct rte_mbuf *m;

	rtu_frame_fill(frame, len, &fx.peer, &fx.mac, seq);
	m = rtu_mbuf_from(fx.tx_pool, frame, len, nb_segs);
	TEST_ASSERT_NOT_NULL(m, "cannot build a %u-segment %zu-byte mbuf", nb_segs, len);
	if (rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS) != 1) {
		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "tx_burst never took frame %u", seq);
	}
	return TEST_SUCCESS;
}

static const size_t sizes[] = { 60, 61, 64, 65, 128, 255, 500, 1000, 1499, 1513, 1514 };

static int
test_rx_identical(void)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(sizes); i++)
		TEST_ASSERT_SUCCESS(send_kernel(i, sizes[i]), "send");
	for (i = 0; i < RTE_DIM(sizes); i++)
		TEST_ASSERT_SUCCESS(expect_rx(i, sizes[i], NULL), "rx of %zu bytes", sizes[i]);
	return rtu_fixture_finish(&fx);
}

static int
test_tx_identical(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(sizes); i++)
		TEST_ASSERT_SUCCESS(send_port(i, sizes[i], 1), "tx");
	for (i = 0; i < RTE_DIM(sizes); i++)
		TEST_ASSERT_SUCCESS(expect_kernel(i, sizes[i]), "tx of %zu bytes", sizes[i]);
	ret = rte_eth_tx_done_cleanup(fx.port.port_id, 0, 0);
	TEST_ASSERT(ret >= 0, "tx_done_cleanup: %s", strerror(-ret));
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "%u tx mbufs never freed", rtu_mempool_in_use(fx.tx_pool));
	return rtu_fixture_finish(&fx);
}

static int
test_tx_multiseg(void)
{
	struct rte_mbuf *m, *tail;
	uint8_t *p;

	TEST_ASSERT_SUCCESS(send_port(1, 1000, 3), "3 segments");
	TEST_ASSERT_SUCCESS(expect_kernel(1, 1000), "3-segment frame");
	TEST_ASSERT_SUCCESS(send_port(2, 60, 3), "3 small segments");
	TEST_ASSERT_SUCCESS(expect_kernel(2, 60), "3-segment 60-byte frame");
	TEST_ASSERT_SUCCESS(send_port(3, 1514, 7), "7 segments");
	TEST_ASSERT_SUCCESS(expect_kernel(3, 1514), "7-segment frame");

	/* Uneven chain: header alone, one byte, the rest. */
	rtu_frame_fill(frame, 300, &fx.peer, &fx.mac, 4);
	m = rtu_mbuf_from(fx.tx_pool, frame, 14, 1);
	TEST_ASSERT_NOT_NULL(m, "alloc");
	tail = rtu_mbuf_from(fx.tx_pool, frame + 14, 1, 1);
	if (tail == NULL || rte_pktmbuf_chain(m, tail) != 0 ||
	    (tail = rtu_mbuf_from(fx.tx_pool, frame + 15, 285, 1)) == NULL ||
	    rte_pktmbuf_chain(m, tail) != 0) {
		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "cannot build the uneven chain");
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	TEST_ASSERT_EQUAL(p[0], frame[0], "chain built wrong");
	if (rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS) != 1) {
		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "tx_burst never took the uneven chain");
	}
	TEST_ASSERT_SUCCESS(expect_kernel(4, 300), "uneven 3-segment frame");
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "%u tx mbufs never freed", rtu_mempool_in_use(fx.tx_pool));
	return rtu_fixture_finish(&fx);
}

static int
test_rx_jumbo_scatter(void)
{
	struct rte_eth_dev_info info;
	unsigned int segs = 0;
	int kmtu = 0;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "infos_get");
	TEST_ASSERT(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER, "no scatter capability");
	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(fx.port.ifname, &kmtu), "SIOCGIFMTU");
	TEST_ASSERT_EQUAL(kmtu, JUMBO_MTU, "kernel MTU %d", kmtu);

	TEST_ASSERT_SUCCESS(send_kernel(1, 8000), "send 8000");
	TEST_ASSERT_SUCCESS(send_kernel(2, JUMBO_MTU + RTE_ETHER_HDR_LEN), "send MTU-sized");
	TEST_ASSERT_SUCCESS(send_kernel(3, 100), "send small");
	TEST_ASSERT_SUCCESS(expect_rx(1, 8000, &segs), "8000-byte frame");
	TEST_ASSERT(segs >= 4, "8000 bytes in %u segments of 2 KiB", segs);
	TEST_ASSERT_SUCCESS(expect_rx(2, JUMBO_MTU + RTE_ETHER_HDR_LEN, &segs), "MTU-sized frame");
	TEST_ASSERT_SUCCESS(expect_rx(3, 100, &segs), "small frame after jumbo ones");
	TEST_ASSERT_EQUAL(segs, 1U, "100 bytes in %u segments", segs);

	/* And the other way: a jumbo chain out. */
	TEST_ASSERT_SUCCESS(send_port(4, 8000, 5), "tx 8000 in 5 segments");
	TEST_ASSERT_SUCCESS(expect_kernel(4, 8000), "8000-byte chain to the kernel");
	return rtu_fixture_finish(&fx);
}

static int
test_rx_oversize_not_truncated(void)
{
	const size_t big = 6000, small = 100;
	uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	struct rte_mbuf *burst[RTU_BURST];
	struct rte_eth_stats st;
	bool got_big = false, got_small = false;
	int result = TEST_SUCCESS;
	uint16_t n, i;

	/* The kernel MTU raised behind the port's back: buffers are MTU 1500-sized. */
	TEST_ASSERT_SUCCESS(rtu_if_set_mtu(fx.port.ifname, JUMBO_MTU), "SIOCSIFMTU");
	TEST_ASSERT_SUCCESS(send_kernel(1, big), "send big");
	TEST_ASSERT_SUCCESS(send_kernel(2, small), "send small");

	while (!got_small && rtu_now_ms() < deadline) {
		n = rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST);
		for (i = 0; i < n; i++) {
			int64_t seq = rtu_mbuf_seq(burst[i]);

			if (seq == 1) {
				rtu_frame_fill(frame, big, &fx.mac, &fx.peer, 1);
				got_big = true;
				if (rtu_mbuf_compare(burst[i], frame, big) != 0) {
					printf("  oversized frame delivered as %u bytes in %u "
					       "segments\n",
					       burst[i]->pkt_len, burst[i]->nb_segs);
					result = TEST_FAILED;
				}
			} else if (seq == 2) {
				got_small = true;
			}
			rte_pktmbuf_free(burst[i]);
		}
	}
	TEST_ASSERT_SUCCESS(result, "oversized frame truncated");
	TEST_ASSERT(got_small, "frame after the oversized one never arrived");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	printf("  %zu-byte frame into MTU 1500 buffers: %s\n", big,
	       got_big ? "delivered whole" : "dropped");
	if (got_big) {
		TEST_ASSERT_EQUAL(st.ipackets, 2ULL, "delivered whole: ipackets %" PRIu64,
				  st.ipackets);
	} else {
		TEST_ASSERT_EQUAL(st.ierrors, 1ULL, "dropped: ierrors %" PRIu64, st.ierrors);
		TEST_ASSERT_EQUAL(st.ipackets, 1ULL, "dropped: ipackets %" PRIu64, st.ipackets);
		TEST_ASSERT_EQUAL(st.ibytes, (uint64_t)small, "dropped: ibytes %" PRIu64,
				  st.ibytes);
	}
	return rtu_fixture_finish(&fx);
}

static int
test_stats_exact(void)
{
	const unsigned int nb_rx = 20, nb_tx = 15;
	uint64_t ibytes = 0, obytes = 0;
	struct rte_eth_stats st;
	struct rtu_qstats qs;
	unsigned int i, stray = 0;
	struct rte_mbuf *pkts[32];
	unsigned int n;
	size_t len;

	for (i = 0; i < nb_rx; i++) {
		len = 60 + i * 71;
		ibytes += len;
		TEST_ASSERT_SUCCESS(send_kernel(i, len), "send");
	}
	n = rtu_rx_wait(fx.port.port_id, 0, pkts, RTE_DIM(pkts), nb_rx, RTU_TIMEOUT_MS, &stray);
	rtu_free_bulk(pkts, RTE_MIN(n, RTE_DIM(pkts)));
	TEST_ASSERT_EQUAL(n, nb_rx, "received %u of %u", n, nb_rx);
	for (i = 0; i < nb_tx; i++) {
		len = 60 + i * 97;
		obytes += len;
		TEST_ASSERT_SUCCESS(send_port(i, len, 1 + i % 3), "tx");
	}
	for (i = 0; i < nb_tx; i++)
		TEST_ASSERT_SUCCESS(expect_kernel(i, 60 + i * 97), "tx frame %u", i);

	/* Tx counters are exact once tx_burst returned (SQPOLL: once reaped). */
	if (rtu_tx_async())
		TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool,
							   RTU_TIMEOUT_MS),
				    "tx completions");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(stray, 0U, "%u frames not sent by the test arrived", stray);
	TEST_ASSERT_EQUAL(st.ipackets, (uint64_t)nb_rx, "ipackets %" PRIu64, st.ipackets);
	TEST_ASSERT_EQUAL(st.ibytes, ibytes, "ibytes %" PRIu64 ", sent %" PRIu64, st.ibytes,
			  ibytes);
	TEST_ASSERT_EQUAL(st.opackets, (uint64_t)nb_tx, "opackets %" PRIu64, st.opackets);
	TEST_ASSERT_EQUAL(st.obytes, obytes, "obytes %" PRIu64 ", sent %" PRIu64, st.obytes,
			  obytes);
	TEST_ASSERT_EQUAL(st.ierrors + st.oerrors + st.rx_nombuf, 0ULL,
			  "errors: ierrors %" PRIu64 " oerrors %" PRIu64 " rx_nombuf %" PRIu64,
			  st.ierrors, st.oerrors, st.rx_nombuf);
	TEST_ASSERT_SUCCESS(rtu_queue_stats(fx.port.port_id, 0, &qs), "queue 0 xstats");
	TEST_ASSERT_EQUAL(qs.ipackets, st.ipackets, "rx_q0_packets %" PRIu64, qs.ipackets);
	TEST_ASSERT_EQUAL(qs.ibytes, st.ibytes, "rx_q0_bytes %" PRIu64, qs.ibytes);
	TEST_ASSERT_EQUAL(qs.opackets, st.opackets, "tx_q0_packets %" PRIu64, qs.opackets);
	TEST_ASSERT_EQUAL(qs.obytes, st.obytes, "tx_q0_bytes %" PRIu64, qs.obytes);
	return rtu_fixture_finish(&fx);
}

static int
test_rx_bulk_refill(void)
{
	const unsigned int per_round = 400, rounds = 4;
	struct rte_mbuf *pkts[400];
	unsigned int r, i, n;
	uint32_t seq = 0;
	int result = TEST_SUCCESS;

	for (r = 0; r < rounds; r++) {
		uint32_t first = seq;

		for (i = 0; i < per_round; i++)
			TEST_ASSERT_SUCCESS(send_kernel(seq++, 60 + (i % 8) * 100), "send");
		n = rtu_rx_wait(fx.port.port_id, 0, pkts, RTE_DIM(pkts), per_round, RTU_TIMEOUT_MS,
				NULL);
		for (i = 0; i < RTE_MIN(n, per_round); i++) {
			if (result == TEST_SUCCESS && rtu_mbuf_seq(pkts[i]) != first + i) {
				printf("  round %u: position %u holds frame %" PRId64
				       ", expected %u\n",
				       r, i, rtu_mbuf_seq(pkts[i]), first + i);
				result = TEST_FAILED;
			}
		}
		rtu_free_bulk(pkts, RTE_MIN(n, per_round));
		TEST_ASSERT_EQUAL(n, per_round, "round %u: received %u of %u", r, n, per_round);
		TEST_ASSERT_SUCCESS(result, "frames out of order");
	}
	return rtu_fixture_finish(&fx);
}

static int
test_tx_bulk_order(void)
{
	const unsigned int total = 2000;
	struct rte_mbuf *pkts[RTU_BURST];
	unsigned int i, sent, got, taken;
	ssize_t n;

	for (sent = 0; sent < total;) {
		unsigned int k = RTE_MIN(total - sent, (unsigned int)RTU_BURST);

		for (i = 0; i < k; i++) {
			rtu_frame_fill(frame, 100, &fx.peer, &fx.mac, sent + i);
			pkts[i] = rtu_mbuf_from(fx.tx_pool, frame, 100, 1);
			if (pkts[i] == NULL) {
				/* Pool dry: completions not reaped. */
				rtu_free_bulk(pkts, i);
				TEST_ASSERT(false, "tx pool dry after %u packets", sent);
			}
		}
		taken = rtu_tx_all(fx.port.port_id, 0, pkts, k, RTU_TIMEOUT_MS);
		if (taken != k) {
			rtu_free_bulk(pkts + taken, k - taken);
			TEST_ASSERT(false, "tx stalled after %u packets", sent + taken);
		}
		sent += k;
	}
	for (got = 0; got < total; got++) {
		n = rtu_pkt_recv(fx.pkt_fd, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);
		TEST_ASSERT(n > 0, "kernel saw %u of %u frames", got, total);
		TEST_ASSERT_EQUAL(rtu_frame_seq(rbuf, n), (int64_t)got,
				  "frame %" PRId64 " arrived in position %u (reordered)",
				  rtu_frame_seq(rbuf, n), got);
	}
	return rtu_fixture_finish(&fx);
}

static struct unit_test_suite rxtx_suite = {
	.suite_name = "rtap rxtx",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_rx_identical),
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_tx_identical),
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_tx_multiseg),
		TEST_CASE_ST(rxtx_setup_jumbo, rxtx_teardown, test_rx_jumbo_scatter),
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_rx_oversize_not_truncated),
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_stats_exact),
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_rx_bulk_refill),
		TEST_CASE_ST(rxtx_setup, rxtx_teardown, test_tx_bulk_order),
		TEST_CASES_END(),
	},
};

static int
test_rtap_rxtx(void)
{
	return unit_test_suite_runner(&rxtx_suite);
}

REGISTER_TEST_COMMAND(rtap_rxtx_autotest, test_rtap_rxtx);
