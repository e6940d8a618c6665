/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * What the xstats classification costs a burst, in isolation: cycles per
 * packet of the driver's own rtap_tally_frame() and the once-per-burst adds
 * of rtap_rxtx.c, on bursts of 32 mbufs of 32 sizes (every bucket, the
 * worst case for its branches) and every fifth destination a group address,
 * against the same loop without them. Build and run from the repository:
 *
 *   cc -O2 -Idrivers/net/rtap -I/usr/local/include/dpdk-sdk/$(pkg-config --modversion libdpdk) \
 *      $(pkg-config --cflags libdpdk) devtools/bench/tally_cost.c -o build/tally_cost \
 *      $(pkg-config --libs libdpdk)
 *   build/tally_cost --no-pci --in-memory -l 1
 */

#include <stdio.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>

#include "rtap.h"

#define BURST 32
#define ITERS 2000000u

static uint64_t xs[RTAP_RXX_NB];

static double
run(struct rte_mbuf **m, bool tally)
{
	uint64_t t0, t1, sink = 0;
	unsigned int it, i;

	t0 = rte_rdtsc_precise();
	for (it = 0; it < ITERS; it++) {
		uint32_t size[RTAP_NB_SIZES] = { 0 }, mc = 0, bc = 0;
		uint64_t bytes = 0;

		for (i = 0; i < BURST; i++) {
			bytes += m[i]->pkt_len;
			if (tally)
				rtap_tally_frame(size, &mc, &bc, m[i]);
		}
		sink += bytes;
		if (tally) {
			for (i = 0; i < RTAP_NB_SIZES; i++)
				xs[RTAP_RXX_SIZE + i] += size[i];
			xs[RTAP_RXX_MCAST] += mc;
			xs[RTAP_RXX_BCAST] += bc;
			xs[RTAP_RXX_SUBMITS] += BURST;
			xs[RTAP_RXX_ENTERS] += 1;
			xs[RTAP_RXX_CQES] += BURST;
		}
		asm volatile("" : : "r"(sink) : "memory");
	}
	t1 = rte_rdtsc_precise();
	return (double)(t1 - t0) / ((double)ITERS * BURST);
}

int
main(int argc, char **argv)
{
	struct rte_mbuf *m[BURST];
	struct rte_mempool *mp;
	unsigned int i, rep;

	if (rte_eal_init(argc, argv) < 0)
		return 1;
	mp = rte_pktmbuf_pool_create("tally", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL || rte_pktmbuf_alloc_bulk(mp, m, BURST) != 0)
		return 1;
	for (i = 0; i < BURST; i++) {
		uint8_t *d = (uint8_t *)rte_pktmbuf_append(m[i], 60 + i * 60);

		memset(d, 0, 60);
		d[0] = i % 5 == 0 ? 0x01 : 0x02;
	}
	for (rep = 0; rep < 3; rep++) {
		double without = run(m, false), with = run(m, true);

		printf("cycles per packet: %.2f without, %.2f with the tally: %.2f more\n", without,
		       with, with - without);
	}
	rte_pktmbuf_free_bulk(m, BURST);
	rte_mempool_free(mp);
	return rte_eal_cleanup();
}
