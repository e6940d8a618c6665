/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * A secondary process with a data path, driven line by line on stdin by
 * test/test_mp.py (which runs testpmd as the primary):
 *   dpdk-test-rtap --proc-type=secondary --file-prefix=P -- rtap_mp_secondary
 * It attaches to the primary's first net_rtap port and prints
 *   PORT <id> QUEUES <n> FDS <fds this process got from the primary>
 * then obeys, each command answered by lines ending in "OK" or "FAIL ...":
 *   start Q...         start rx and tx queue Q (the primary left them stopped)
 *   stop Q...          stop them again
 *   tx Q N             transmit N UDP frames on queue Q (rtu_frame_udp4, source
 *                      port 1000+Q, destination port 2000, seq Q << 16 | i,
 *                      to the interface's own MAC from RTAP_MP_PEER)
 *   rx N MS            receive on every started queue until N frames of the
 *                      kernel's reverse flows (sport 2000, dport 1000+Q, the
 *                      same layout) arrived or MS ms passed; each is compared
 *                      byte for byte; prints "RXQ Q count" per queue
 *   flood              transmit and receive on the started queues until killed
 *   port P             use port P from now on (a port hotplugged into the primary);
 *                      prints "PORT ..." as at the start
 *   fds                print "FDS n GEN g": fds now, and the primary's fd generation
 *                      they are from
 *   ring Q             print "RING Q tx <descriptors> rx <reads> ol <RTAP_RX_OL_*> ..."
 *                      of this process's rings, the shared tx descriptor count
 *                      and queue states
 *   quit               close the port and exit
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

#define MP_FRAME_LEN 128
#define MP_SPORT     1000
#define MP_DPORT     2000
#define MP_PEER	     "02:00:00:00:00:02"

struct mp_ctx {
	uint16_t port;
	struct rte_ether_addr mac, peer;
	struct rte_mempool *mp;
	bool started[RTAP_MAX_QUEUES];
};

static unsigned int
mp_fds(uint16_t port)
{
	const struct rtap_proc *proc = rte_eth_devices[port].process_private;
	unsigned int q, n = 0;

	if (proc == NULL)
		return 0;
	for (q = 0; q < RTAP_MAX_QUEUES; q++)
		n += proc->qfd[q] >= 0;
	return n;
}

static int
mp_find_port(uint16_t *port)
{
	uint16_t p;

	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p, &info) == 0 && info.driver_name != NULL &&
		    strstr(info.driver_name, "rtap") != NULL) {
			*port = p;
			return 0;
		}
	}
	return -1;
}

static void
mp_start(struct mp_ctx *c, char *args)
{
	char *tok, *save = NULL;
	int fails = 0;

	for (tok = strtok_r(args, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		uint16_t q = (uint16_t)atoi(tok);
		int r1 = rte_eth_dev_rx_queue_start(c->port, q);
		int r2 = rte_eth_dev_tx_queue_start(c->port, q);

		printf("START %u rx %d tx %d\n", q, r1, r2);
		if (r1 != 0 || r2 != 0)
			fails++;
		else
			c->started[q] = true;
	}
	printf(fails ? "FAIL start\n" : "OK\n");
}

static void
mp_stop(struct mp_ctx *c, char *args)
{
	char *tok, *save = NULL;
	int fails = 0;

	for (tok = strtok_r(args, " \t\n", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		uint16_t q = (uint16_t)atoi(tok);
		int r1 = rte_eth_dev_rx_queue_stop(c->port, q);
		int r2 = rte_eth_dev_tx_queue_stop(c->port, q);

		printf("STOP %u rx %d tx %d\n", q, r1, r2);
		fails += r1 != 0 || r2 != 0;
		c->started[q] = false;
	}
	printf(fails ? "FAIL stop\n" : "OK\n");
}

static struct rte_mbuf *
mp_frame(struct mp_ctx *c, uint16_t q, uint32_t i)
{
	uint8_t frame[MP_FRAME_LEN];

	rtu_frame_udp4(frame, sizeof(frame), &c->mac, &c->peer, MP_SPORT + q, MP_DPORT,
		       (uint32_t)q << 16 | i);
	return rtu_mbuf_from(c->mp, frame, sizeof(frame), 1);
}

static void
mp_tx(struct mp_ctx *c, uint16_t q, unsigned int n)
{
	uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	unsigned int sent = 0;

	while (sent < n && rtu_now_ms() < deadline) {
		struct rte_mbuf *m = mp_frame(c, q, sent);

		if (m == NULL) {
			rte_eth_tx_done_cleanup(c->port, q, 0);
			continue;
		}
		if (rte_eth_tx_burst(c->port, q, &m, 1) == 1)
			sent++;
		else
			rte_pktmbuf_free(m);
	}
	printf("TX %u %u\n", q, sent);
	printf(sent == n ? "OK\n" : "FAIL tx\n");
}

/* A frame of the kernel's reverse flow of queue q, as it must arrive. */
static int
mp_check(struct mp_ctx *c, const struct rte_mbuf *m, uint16_t *flow_q)
{
	uint8_t want[MP_FRAME_LEN];
	const struct rte_udp_hdr *udp;
	struct rte_udp_hdr ubuf;
	int64_t seq = rtu_udp4_seq(m);

	if (seq < 0 || m->pkt_len != MP_FRAME_LEN)
		return -1;
	udp = rte_pktmbuf_read(m, sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr),
			       sizeof(ubuf), &ubuf);
	*flow_q = rte_be_to_cpu_16(udp->dst_port) - MP_SPORT;
	rtu_frame_udp4(want, sizeof(want), &c->peer, &c->mac, MP_DPORT, MP_SPORT + *flow_q,
		       (uint32_t)seq);
	return rtu_mbuf_compare(m, want, sizeof(want));
}

static void
mp_rx(struct mp_ctx *c, unsigned int n, unsigned int ms)
{
	static unsigned int count[RTAP_MAX_QUEUES];
	uint64_t deadline = rtu_now_ms() + ms;
	unsigned int total = 0, bad = 0, misrouted = 0, q;
	struct rte_mbuf *pkts[RTU_BURST];

	memset(count, 0, sizeof(count));
	while (total < n && rtu_now_ms() < deadline) {
		for (q = 0; q < RTAP_MAX_QUEUES; q++) {
			uint16_t k, nb;

			if (!c->started[q])
				continue;
			nb = rte_eth_rx_burst(c->port, q, pkts, RTU_BURST);
			for (k = 0; k < nb; k++) {
				uint16_t flow_q = 0;

				if (mp_check(c, pkts[k], &flow_q) != 0) {
					bad++; /* not the test's: the kernel's own traffic */
				} else {
					total++;
					count[q]++;
					misrouted += flow_q != q;
				}
			}
			rtu_free_bulk(pkts, nb);
		}
	}
	for (q = 0; q < RTAP_MAX_QUEUES; q++)
		if (c->started[q])
			printf("RXQ %u %u\n", q, count[q]);
	printf("RX total %u other %u misrouted %u\n", total, bad, misrouted);
	printf(total >= n ? "OK\n" : "FAIL rx\n");
}

/* Until killed: every started queue sends a burst and drains what came. */
static void
mp_flood(struct mp_ctx *c)
{
	struct rte_mbuf *pkts[RTU_BURST];
	uint32_t seq = 0;
	uint16_t q, k, nb;

	printf("FLOODING\n");
	fflush(stdout);
	for (;;) {
		for (q = 0; q < RTAP_MAX_QUEUES; q++) {
			if (!c->started[q])
				continue;
			for (k = 0; k < RTU_BURST; k++) {
				pkts[k] = mp_frame(c, q, seq++ & 0xffff);
				if (pkts[k] == NULL)
					break;
			}
			nb = rte_eth_tx_burst(c->port, q, pkts, k);
			rtu_free_bulk(pkts + nb, k - nb);
			nb = rte_eth_rx_burst(c->port, q, pkts, RTU_BURST);
			rtu_free_bulk(pkts, nb);
		}
	}
}

static int
test_rtap_mp_secondary(void)
{
	struct mp_ctx *c;
	char line[512];

	if (rte_eal_process_type() != RTE_PROC_SECONDARY) {
		printf("run as a secondary of a process with a net_rtap port\n");
		return TEST_SKIPPED;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	c = calloc(1, sizeof(*c));
	TEST_ASSERT_NOT_NULL(c, "calloc");
	TEST_ASSERT_SUCCESS(mp_find_port(&c->port), "no net_rtap port in the primary");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(c->port, &c->mac), "macaddr_get");
	TEST_ASSERT_SUCCESS(rte_ether_unformat_addr(getenv("RTAP_MP_PEER") ?
							    getenv("RTAP_MP_PEER") :
							    MP_PEER,
						    &c->peer),
			    "RTAP_MP_PEER");
	/* This process's own pool: what it transmits goes back here. */
	c->mp = rtu_pool_create("mp_sec", 4095, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(c->mp, "pool");
	printf("PORT %u QUEUES %u FDS %u\n", c->port, rte_eth_devices[c->port].data->nb_rx_queues,
	       mp_fds(c->port));

	while (fgets(line, sizeof(line), stdin) != NULL) {
		unsigned int a = 0, b = 0;

		if (strncmp(line, "start", 5) == 0) {
			mp_start(c, line + 5);
		} else if (strncmp(line, "stop", 4) == 0) {
			mp_stop(c, line + 4);
		} else if (sscanf(line, "tx %u %u", &a, &b) == 2) {
			mp_tx(c, (uint16_t)a, b);
		} else if (sscanf(line, "rx %u %u", &a, &b) == 2) {
			mp_rx(c, a, b);
		} else if (strncmp(line, "flood", 5) == 0) {
			mp_flood(c);
		} else if (sscanf(line, "ring %u", &a) == 1 && a < RTAP_MAX_QUEUES) {
			const struct rtap_proc *proc = rte_eth_devices[c->port].process_private;

			const struct rte_eth_dev_data *data = rte_eth_devices[c->port].data;
			const struct rtap_tx_queue *txq = data->tx_queues[a];

			printf("RING %u tx %u rx %u ol %u shared tx desc %u state rx %u tx %u\nOK\n",
			       a, proc->tx[a] != NULL ? proc->tx[a]->ring.nb_slots : 0,
			       proc->rx[a] != NULL ? proc->rx[a]->ring.nb_slots : 0,
			       proc->rx[a] != NULL ? proc->rx[a]->ol : 0,
			       txq != NULL ? txq->nb_desc : 0, data->rx_queue_state[a],
			       data->tx_queue_state[a]);
		} else if (sscanf(line, "port %u", &a) == 1) {
			if (a >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)a) ||
			    rte_eth_macaddr_get((uint16_t)a, &c->mac) != 0) {
				printf("FAIL no port %u\n", a);
				continue;
			}
			c->port = (uint16_t)a;
			memset(c->started, 0, sizeof(c->started));
			printf("PORT %u QUEUES %u FDS %u\nOK\n", c->port,
			       rte_eth_devices[c->port].data->nb_rx_queues, mp_fds(c->port));
		} else if (strncmp(line, "fds", 3) == 0) {
			const struct rtap_proc *proc = rte_eth_devices[c->port].process_private;

			printf("FDS %u GEN %u\nOK\n", mp_fds(c->port), proc->fd_gen);
		} else if (strncmp(line, "quit", 4) == 0) {
			break;
		} else {
			printf("FAIL unknown command: %s", line);
		}
	}
	printf("CLOSE %d\n", rte_eth_dev_close(c->port));
	rte_mempool_free(c->mp);
	free(c);
	return TEST_SUCCESS;
}

REGISTER_TEST_COMMAND(rtap_mp_secondary, test_rtap_mp_secondary);
