/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Mbuf pool exhaustion, on a real port: the application holds every mbuf
 * of the pool while frames arrive, or sends with nothing left in it.
 * rx_nombuf counts exactly the mbufs asked for and not had (the guide: per
 * burst that finds a free read slot, the mbufs of the first read it could
 * not post); receive resumes when mbufs come back; transmit needs no mbuf
 * of its own and gives back every mbuf it took, sent or failed.
 * And what a queue costs in heap memory, for the guide's Limits section.
 * (Interface faults under traffic are test/test_faults.py's.)
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <ethdev_driver.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

#define POOL_N 1023
#define FRAMES 10
#define POLLS  50

static struct rtu_fixture fx;
static struct rte_mbuf *held[POOL_N + RTU_BURST];
static unsigned int nb_held;

static void
release_held(void)
{
	rtu_free_bulk(held, nb_held);
	nb_held = 0;
}

static void
faults_teardown(void)
{
	release_held();
	rtu_fixture_finish(&fx);
}

/* Take every mbuf left in @mp. */
static void
exhaust(struct rte_mempool *mp)
{
	struct rte_mbuf *m;

	while (nb_held < RTE_DIM(held) && (m = rte_pktmbuf_alloc(mp)) != NULL)
		held[nb_held++] = m;
}

static uint64_t
nombuf(void)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(fx.port.port_id, &st) != 0)
		return UINT64_MAX;
	return st.rx_nombuf;
}

static int
send_frames(uint32_t first, unsigned int n)
{
	uint8_t frame[256];
	unsigned int i;

	for (i = 0; i < n; i++) {
		rtu_frame_fill(frame, 100, &fx.mac, &fx.peer, first + i);
		if (rtu_pkt_send(fx.pkt_fd, frame, 100) != 0)
			return -1;
	}
	return 0;
}

/*
 * One case: reads posted, the pool emptied by the application, FRAMES
 * frames from the kernel. They arrive (the reads had their mbufs) and are
 * held too; from the burst that first finds a free slot on, every burst adds
 * exactly the mbufs of one read to rx_nombuf. Then the mbufs go back: the next burst
 * posts reads, rx_nombuf stops, and new frames arrive.
 */
static int
exhaustion_case(struct rte_eth_conf *conf)
{
	struct rte_eth_dev *dev;
	const struct rtap_ring *ring;
	struct rte_mbuf *burst[RTU_BURST];
	uint64_t base, polls = 0, grown;
	uint64_t deadline;
	unsigned int got = 0, i;
	uint16_t per_read, n;

	TEST_ASSERT_SUCCESS(rtu_fixture_setup(&fx, 1, conf, POOL_N, 255), "fixture");
	dev = &rte_eth_devices[fx.port.port_id];
	rtap_rx_capacity(dev, fx.rx_pool, dev->data->mtu, &per_read);
	/* Read slots the driver could not fill: the bursts that find one count (EAGAIN too). */
	ring = &rtap_proc(dev)->rx[0]->ring;

	/* The first burst posts RTAP_RX_READS reads; then the application takes the rest. */
	n = rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST);
	rtu_free_bulk(burst, n);
	exhaust(fx.rx_pool);
	TEST_ASSERT_EQUAL(rte_mempool_avail_count(fx.rx_pool), 0u, "pool not empty");
	base = nombuf();
	TEST_ASSERT_SUCCESS(send_frames(0, FRAMES), "send");

	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (got < FRAMES && rtu_now_ms() < deadline) {
		n = rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST);
		if (ring->nb_free > 0)
			polls++; /* this burst had free slots and no mbuf to post */
		for (i = 0; i < n; i++)
			held[nb_held++] = burst[i];
		got += n;
	}
	TEST_ASSERT_EQUAL(got, (unsigned int)FRAMES, "%u of %u frames with the pool empty", got,
			  FRAMES);
	for (i = 0; i < POLLS; i++, polls++) {
		TEST_ASSERT_EQUAL(rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST), 0,
				  "a frame out of nowhere");
		TEST_ASSERT(ring->nb_free > 0, "no free read slot");
	}
	grown = nombuf() - base;
	printf("  %" PRIu64 " bursts with free slots and no mbufs: rx_nombuf +%" PRIu64
	       " (%u mbufs per read)\n",
	       polls, grown, per_read);
	TEST_ASSERT_EQUAL(grown, polls * per_read,
			  "rx_nombuf +%" PRIu64 " over %" PRIu64 " bursts of %u-mbuf reads", grown,
			  polls, per_read);

	/* The mbufs come back: reads are posted again, nothing more is counted. */
	release_held();
	n = rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST);
	rtu_free_bulk(burst, n);
	base = nombuf();
	TEST_ASSERT_SUCCESS(send_frames(100, FRAMES), "send");
	got = 0;
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (got < FRAMES && rtu_now_ms() < deadline) {
		n = rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST);
		for (i = 0; i < n; i++)
			got += rtu_mbuf_seq(burst[i]) >= 100;
		rtu_free_bulk(burst, n);
	}
	TEST_ASSERT_EQUAL(got, (unsigned int)FRAMES, "rx did not resume: %u of %u frames", got,
			  FRAMES);
	TEST_ASSERT_EQUAL(nombuf(), base, "rx_nombuf grew with mbufs in the pool");
	return rtu_fixture_finish(&fx);
}

static int
test_rx_exhaustion(void)
{
	return exhaustion_case(NULL);
}

/* Scattered reads: a read takes several mbufs, and counts them all. */
static int
test_rx_exhaustion_scatter(void)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.rxmode.mtu = 9000;
	return exhaustion_case(&conf);
}

/*
 * Transmit with the pool empty: tx takes no mbuf of its own, and every mbuf
 * it is given goes back, sent (interface up) or failed (interface down).
 */
static int
test_tx_exhaustion(void)
{
	struct rte_mbuf *pkts[RTU_BURST];
	struct rte_eth_stats st0, st;
	uint8_t frame[256];
	unsigned int i, round, sent;
	uint64_t deadline;

	TEST_ASSERT_SUCCESS(rtu_fixture_setup(&fx, 1, NULL, POOL_N, 255), "fixture");
	for (round = 0; round < 2; round++) {
		if (round == 1)
			TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, 0, IFF_UP), "down");
		TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st0), "stats");
		rtu_frame_fill(frame, 100, &fx.peer, &fx.mac, round);
		for (i = 0; i < RTU_BURST; i++) {
			pkts[i] = rtu_mbuf_from(fx.tx_pool, frame, 100, 1 + i % 3);
			TEST_ASSERT_NOT_NULL(pkts[i], "mbuf");
		}
		exhaust(fx.tx_pool);
		TEST_ASSERT_EQUAL(rte_mempool_avail_count(fx.tx_pool), 0u, "tx pool not empty");
		sent = rtu_tx_all(fx.port.port_id, 0, pkts, RTU_BURST, RTU_TIMEOUT_MS);
		TEST_ASSERT_EQUAL(sent, (unsigned int)RTU_BURST, "%u of %u taken", sent, RTU_BURST);
		/* everything comes back while the application still holds the rest */
		deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
		do
			rte_eth_tx_done_cleanup(fx.port.port_id, 0, 0);
		while (rte_mempool_in_use_count(fx.tx_pool) > nb_held && rtu_now_ms() < deadline);
		TEST_ASSERT_EQUAL(rte_mempool_in_use_count(fx.tx_pool), nb_held,
				  "round %u: %u mbufs in use, the application holds %u", round,
				  rte_mempool_in_use_count(fx.tx_pool), nb_held);
		TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
		if (round == 0)
			TEST_ASSERT_EQUAL(st.opackets - st0.opackets, (uint64_t)RTU_BURST,
					  "opackets +%" PRIu64, st.opackets - st0.opackets);
		else
			TEST_ASSERT_EQUAL(st.oerrors - st0.oerrors, (uint64_t)RTU_BURST,
					  "interface down: oerrors +%" PRIu64,
					  st.oerrors - st0.oerrors);
		release_held();
	}
	TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, IFF_UP, 0), "up");
	return rtu_fixture_finish(&fx);
}

/* Bytes of the rte_malloc heap in use (all sockets), element overhead included. */
static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	size_t sum = 0;
	int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats(s, &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* Heap bytes one rx queue, then one tx queue, of @nb_desc take, on a fresh port. */
static int
queue_memory(struct rte_mempool *mp, uint64_t offloads, uint16_t mtu, uint16_t nb_desc, size_t *rx,
	     size_t *tx)
{
	struct rtu_port p = { 0 };
	struct rte_eth_conf conf;
	size_t h0, h1, h2;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = offloads;
	conf.rxmode.mtu = mtu;
	TEST_ASSERT_SUCCESS(rtu_port_probe(&p, NULL), "probe");
	ret = rte_eth_dev_configure(p.port_id, 1, 1, &conf);
	h0 = heap_used();
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(p.port_id, 0, nb_desc, SOCKET_ID_ANY, NULL, mp);
	h1 = heap_used();
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(p.port_id, 0, nb_desc, SOCKET_ID_ANY, NULL);
	h2 = heap_used();
	*rx = h1 - h0;
	*tx = h2 - h1;
	if (rtu_port_destroy(&p) != TEST_SUCCESS)
		ret = -EIO;
	TEST_ASSERT_SUCCESS(ret, "%u descriptors: configure or queue setup", nb_desc);
	return TEST_SUCCESS;
}

/*
 * Memory per queue (the guide's Limits): heap bytes of queue setup, measured
 * with rte_malloc_get_socket_stats(). An rx queue's is set by its
 * RTAP_RX_READS reads, not its descriptor count; a tx queue's grows with
 * its descriptors (per descriptor an iovec array, a header copy, slot
 * bookkeeping). The io_uring rings are kernel memory, not in the heap.
 */
static int
test_queue_memory(void)
{
	static const uint16_t descs[] = { RTAP_MIN_DESC, RTAP_DEFAULT_DESC, RTAP_MAX_DESC };
	size_t rx[RTE_DIM(descs)], tx[RTE_DIM(descs)], rx_sc, tx_sc;
	struct rte_mempool *mp;
	unsigned int i;
	int ret = TEST_SUCCESS;

	mp = rtu_pool_create("rtap_qmem", 1023, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	for (i = 0; i < RTE_DIM(descs) && ret == TEST_SUCCESS; i++) {
		ret = queue_memory(mp, 0, RTE_ETHER_MTU, descs[i], &rx[i], &tx[i]);
		printf("  %4u descriptors: rx queue %zu bytes, tx queue %zu bytes\n", descs[i],
		       rx[i], tx[i]);
	}
	if (ret == TEST_SUCCESS) {
		ret = queue_memory(mp, RTE_ETH_RX_OFFLOAD_SCATTER, 9000, RTAP_DEFAULT_DESC, &rx_sc,
				   &tx_sc);
		printf("  scattered rx (64 iovecs per read), %u descriptors: rx queue %zu bytes\n",
		       RTAP_DEFAULT_DESC, rx_sc);
	}
	rte_mempool_free(mp);
	TEST_ASSERT_SUCCESS(ret, "setup");
	for (i = 1; i < RTE_DIM(descs); i++) {
		TEST_ASSERT_EQUAL(rx[i], rx[0],
				  "rx queue memory follows the descriptors: %zu at %u, %zu at %u",
				  rx[i], descs[i], rx[0], descs[0]);
		TEST_ASSERT(tx[i] > tx[i - 1], "tx queue memory does not grow with descriptors");
	}
	printf("  tx: %zu bytes per descriptor\n",
	       (tx[RTE_DIM(descs) - 1] - tx[1]) / (descs[RTE_DIM(descs) - 1] - descs[1]));
	TEST_ASSERT(rx_sc > rx[1], "scattered rx takes no iovec memory");
	return TEST_SUCCESS;
}

static struct unit_test_suite faults_suite = {
	.suite_name = "rtap faults",
	.unit_test_cases = {
		TEST_CASE_ST(NULL, faults_teardown, test_rx_exhaustion),
		TEST_CASE_ST(NULL, faults_teardown, test_rx_exhaustion_scatter),
		TEST_CASE_ST(NULL, faults_teardown, test_tx_exhaustion),
		TEST_CASE_ST(NULL, faults_teardown, test_queue_memory),
		TEST_CASES_END(),
	},
};

static int
test_rtap_faults(void)
{
	return unit_test_suite_runner(&faults_suite);
}

REGISTER_TEST_COMMAND(rtap_faults_autotest, test_rtap_faults);
