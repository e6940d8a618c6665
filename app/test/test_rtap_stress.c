/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/* Sustained traffic with scarce mbufs, and repeated create/start/stop/close cycles. */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define TX_TOTAL     50000
#define TX_POOL	     511
#define RX_TOTAL     20000
#define CYCLES	     100
#define STALL_MS     2000
#define STRESS_ETYPE 0x88b6 /* not RTU_ETHERTYPE: the fixture's socket ignores these */

static struct rtu_fixture fx;
static struct rtu_port cyc;
static struct rte_mempool *cyc_pool;
static uint8_t frame[2048];

static int
stress_setup(void)
{
	return rtu_fixture_setup(&fx, 1, NULL, 2047, 1023);
}

static int
stress_setup_small_tx(void)
{
	return rtu_fixture_setup(&fx, 1, NULL, 2047, TX_POOL);
}

static int
cycles_setup(void)
{
	return TEST_SUCCESS;
}

static void
stress_teardown(void)
{
	rtu_port_destroy(&cyc);
	rte_mempool_free(cyc_pool);
	cyc_pool = NULL;
	rtu_fixture_finish(&fx);
}

static uint64_t
heap_allocated(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

static int
test_tx_sustained_small_pool(void)
{
	const size_t len = 64;
	struct rte_mbuf *pending[RTU_BURST];
	uint64_t start = rtu_now_ms(), last = start, now;
	uint64_t kpkts = 0, kdrop = 0;
	unsigned int nb_pending = 0, sent = 0, i;
	struct rte_eth_stats st;
	struct rte_ether_hdr *eth;
	uint16_t k;

	rtu_frame_fill(frame, len, &fx.peer, &fx.mac, 0);
	eth = (struct rte_ether_hdr *)frame;
	eth->ether_type = rte_cpu_to_be_16(STRESS_ETYPE);

	while (sent < TX_TOTAL) {
		now = rtu_now_ms();
		if (now - last > STALL_MS) {
			rtu_free_bulk(pending, nb_pending);
			TEST_ASSERT(false,
				    "tx stalled at %u of %u packets: %u mbufs in flight, "
				    "pool %u/%u",
				    sent, TX_TOTAL, rtu_mempool_in_use(fx.tx_pool),
				    rte_mempool_avail_count(fx.tx_pool), TX_POOL);
		}
		/* Top up the burst from the pool; it runs dry until completions are reaped. */
		while (nb_pending < RTU_BURST && sent + nb_pending < TX_TOTAL) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(fx.tx_pool);

			if (m == NULL)
				break;
			memcpy(rte_pktmbuf_append(m, len), frame, len);
			pending[nb_pending++] = m;
		}
		k = rte_eth_tx_burst(fx.port.port_id, 0, pending, nb_pending);
		if (k > 0) {
			sent += k;
			last = now;
			nb_pending -= k;
			for (i = 0; i < nb_pending; i++)
				pending[i] = pending[i + k];
		}
	}
	printf("  %u packets in %" PRIu64 " ms with a %u-mbuf pool\n", sent, rtu_now_ms() - start,
	       TX_POOL);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "%u mbufs never freed after tx", rtu_mempool_in_use(fx.tx_pool));
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.opackets, (uint64_t)TX_TOTAL,
			  "opackets %" PRIu64 " (oerrors %" PRIu64 ")", st.opackets, st.oerrors);
	TEST_ASSERT_EQUAL(st.obytes, (uint64_t)TX_TOTAL * len, "obytes %" PRIu64, st.obytes);
	TEST_ASSERT_EQUAL(st.oerrors, 0ULL, "oerrors %" PRIu64, st.oerrors);
	/*
	 * What the kernel counted: the TAP counts every frame written in rx_packets
	 * (rx_dropped also counts them, as no protocol takes STRESS_ETYPE).
	 */
	TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_packets", &kpkts), "sysfs");
	TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_dropped", &kdrop), "sysfs");
	TEST_ASSERT_EQUAL(kpkts, (uint64_t)TX_TOTAL,
			  "kernel rx_packets %" PRIu64 " (rx_dropped %" PRIu64 ")", kpkts, kdrop);
	return rtu_fixture_finish(&fx);
}

static int
test_rx_sustained(void)
{
	const unsigned int batch = 256;
	uint64_t start = rtu_now_ms(), elapsed;
	struct rte_eth_stats st;
	unsigned int sent = 0, got = 0, n, i;
	int workers;
	uint64_t bytes = 0;
	int ret;

	while (sent < RX_TOTAL) {
		unsigned int k = RTE_MIN(batch, RX_TOTAL - sent);

		for (i = 0; i < k; i++) {
			size_t len = 60 + (sent % 16) * 90;

			rtu_frame_fill(frame, len, &fx.mac, &fx.peer, sent++);
			bytes += len;
			ret = rtu_pkt_send(fx.pkt_fd, frame, len);
			TEST_ASSERT_SUCCESS(ret, "send %u: %s", sent, strerror(-ret));
		}
		/* Each batch has its deadline: a stuck rx fails here, however loaded the machine. */
		n = rtu_rx_wait(fx.port.port_id, 0, NULL, 0, k, RTU_TIMEOUT_MS, NULL);
		got += n;
		TEST_ASSERT_EQUAL(got, sent, "received %u of %u", got, sent);
	}
	elapsed = rtu_now_ms() - start;
	workers = rtu_count_threads("iou-wrk");
	printf("  %u frames received in %" PRIu64 " ms; %d io_uring worker threads\n", got, elapsed,
	       workers);
	/* A worker per posted read is a kernel thread per descriptor (512 per queue here). */
	TEST_ASSERT(workers < 64, "%d io_uring worker threads for one queue pair", workers);
	TEST_ASSERT_EQUAL(got, (unsigned int)RX_TOTAL,
			  "only %u of %u frames (batches of %u) in %" PRIu64 " ms", got, RX_TOTAL,
			  batch, elapsed);
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.ipackets, (uint64_t)RX_TOTAL, "ipackets %" PRIu64, st.ipackets);
	TEST_ASSERT_EQUAL(st.ibytes, bytes, "ibytes %" PRIu64 ", sent %" PRIu64, st.ibytes, bytes);
	TEST_ASSERT_EQUAL(st.rx_nombuf + st.ierrors, 0ULL, "rx_nombuf %" PRIu64 " ierrors %" PRIu64,
			  st.rx_nombuf, st.ierrors);
	return rtu_fixture_finish(&fx);
}

/* One probe/configure/start/stop/close cycle with 2 queue pairs; 0 or TEST_FAILED. */
static int
cycle(unsigned int i)
{
	int ret;

	ret = rtu_port_probe(&cyc, NULL);
	TEST_ASSERT_SUCCESS(ret, "cycle %u: probe: %s", i, strerror(-ret));
	TEST_ASSERT_SUCCESS(rtu_port_setup(&cyc, 2, NULL, cyc_pool, 64), "cycle %u: setup", i);
	TEST_ASSERT_SUCCESS(rtu_port_start(&cyc), "cycle %u: start", i);
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(cyc.port_id), "cycle %u: stop", i);
	cyc.started = false;
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&cyc), "cycle %u: close", i);
	TEST_ASSERT(rte_mempool_full(cyc_pool), "cycle %u: %u mbufs not returned", i,
		    rtu_mempool_in_use(cyc_pool));
	return TEST_SUCCESS;
}

static int
test_create_destroy_cycles(void)
{
	struct rtu_iflist *before, *after;
	uint64_t heap_before, heap_after, start;
	int fds_before, fds_after, diff;
	unsigned int i;

	cyc_pool = rtu_pool_create("rtu_cyc", 1023, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(cyc_pool, "pool");
	/* Warm-up: ethdev's first allocations stay. */
	TEST_ASSERT_SUCCESS(cycle(0), "warm-up cycle");

	before = malloc(sizeof(*before));
	after = malloc(sizeof(*after));
	if (before == NULL || after == NULL || rtu_iflist_get(before) != 0) {
		free(before);
		free(after);
		TEST_ASSERT(false, "no memory for interface lists");
	}
	fds_before = rtu_count_fds();
	heap_before = heap_allocated();
	start = rtu_now_ms();
	for (i = 1; i <= CYCLES; i++) {
		if (cycle(i) != TEST_SUCCESS) {
			free(before);
			free(after);
			return TEST_FAILED;
		}
	}
	printf("  %u cycles in %" PRIu64 " ms\n", CYCLES, rtu_now_ms() - start);
	fds_after = rtu_count_fds();
	heap_after = heap_allocated();
	diff = rtu_iflist_get(after) == 0 ? rtu_iflist_compare(before, after) : -1;
	free(before);
	free(after);
	if (fds_after != fds_before)
		rtu_dump_fds();
	TEST_ASSERT_EQUAL(fds_after, fds_before, "%d fds open before the cycles, %d after",
			  fds_before, fds_after);
	TEST_ASSERT_EQUAL(diff, 0, "interface list changed");
	TEST_ASSERT_EQUAL(heap_after, heap_before,
			  "DPDK heap: %" PRIu64 " bytes allocated before, %" PRIu64 " after",
			  heap_before, heap_after);
	return TEST_SUCCESS;
}

static int
test_start_stop_cycles(void)
{
	struct rte_mbuf *m;
	uint8_t buf[256];
	int fds_first = -1;
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 50; i++) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop %u", i);
		fx.port.started = false;
		TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start %u", i);
		if (i == 0)
			fds_first = rtu_count_fds();

		rtu_frame_fill(frame, 100, &fx.mac, &fx.peer, i);
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, 100), "send");
		TEST_ASSERT_EQUAL(rtu_rx_wait(fx.port.port_id, 0, &m, 1, 1, RTU_TIMEOUT_MS, NULL),
				  1U, "cycle %u: nothing received", i);
		rte_pktmbuf_free(m);

		rtu_frame_fill(frame, 100, &fx.peer, &fx.mac, i);
		m = rtu_mbuf_from(fx.tx_pool, frame, 100, 1);
		TEST_ASSERT_NOT_NULL(m, "alloc");
		if (rtu_tx_all(fx.port.port_id, 0, &m, 1, RTU_TIMEOUT_MS) != 1) {
			rte_pktmbuf_free(m);
			TEST_ASSERT(false, "cycle %u: tx stalled", i);
		}
		n = rtu_pkt_recv(fx.pkt_fd, buf, sizeof(buf), RTU_TIMEOUT_MS);
		TEST_ASSERT_EQUAL(n, (ssize_t)100, "cycle %u: kernel got %zd", i, n);
	}
	TEST_ASSERT_EQUAL(rtu_count_fds(), fds_first, "fds grew from %d to %d over 50 restarts",
			  fds_first, rtu_count_fds());
	return rtu_fixture_finish(&fx);
}

static struct unit_test_suite stress_suite = {
	.suite_name = "rtap stress",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(stress_setup_small_tx, stress_teardown, test_tx_sustained_small_pool),
		TEST_CASE_ST(stress_setup, stress_teardown, test_rx_sustained),
		TEST_CASE_ST(cycles_setup, stress_teardown, test_create_destroy_cycles),
		TEST_CASE_ST(stress_setup, stress_teardown, test_start_stop_cycles),
		TEST_CASES_END(),
	},
};

static int
test_rtap_stress(void)
{
	return unit_test_suite_runner(&stress_suite);
}

REGISTER_TEST_COMMAND(rtap_stress_autotest, test_rtap_stress);
