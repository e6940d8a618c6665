/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Several queue pairs: the kernel spreads flows over the attached queues
 * (automq hashing), every queue delivers, counters add up per queue.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <rte_ethdev.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define NB_Q	 4
#define NB_FLOWS 256
#define MAX_Q	 255
#define SPORT	 10000
#define DPORT	 4789

static struct rtu_fixture fx;
static int udp_fd = -1;
static struct rtu_port big;
static struct rte_mempool *big_pool;
static int big_fds = -1;
static uint8_t frame[2048];

struct mq_count {
	unsigned int pkts[MAX_Q];
	uint64_t bytes[MAX_Q];
	unsigned int stray[MAX_Q];
	int16_t flow_q[NB_FLOWS]; /* queue each flow arrived on, -1 before */
	unsigned int moved;	  /* frames of a flow arriving on another queue */
	unsigned int total;
};

static int
mq_suite_setup(void)
{
	struct rlimit rl;
	int ret;

	ret = rtu_check_env();
	if (ret != TEST_SUCCESS)
		return ret;
	/* 255 queue pairs: a TAP fd and two rings each. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
		rl.rlim_cur = RTE_MIN((rlim_t)4096, rl.rlim_max);
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	return TEST_SUCCESS;
}

static int
mq_setup(void)
{
	int ret = rtu_fixture_setup(&fx, NB_Q, NULL, 4095, 1023);

	if (ret != TEST_SUCCESS)
		return ret;
	udp_fd = rtu_pkt_open(fx.port.ifname, 0);
	TEST_ASSERT(udp_fd >= 0, "AF_PACKET send socket: %s", strerror(-udp_fd));
	return TEST_SUCCESS;
}

/* Closes the send socket, then the fixture's checks. */
static int
mq_finish(void)
{
	if (udp_fd >= 0)
		close(udp_fd);
	udp_fd = -1;
	return rtu_fixture_finish(&fx);
}

static void
mq_teardown(void)
{
	rtu_port_destroy(&big);
	rte_mempool_free(big_pool);
	big_pool = NULL;
	mq_finish();
}

/* NB_FLOWS UDP flows (source ports), rounds frames each; seq = base + flow * rounds + r. */
static int
send_flows(int fd, const struct rte_ether_addr *dst, uint32_t base, unsigned int rounds)
{
	struct rte_ether_addr src = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };
	unsigned int f, r;
	size_t len;
	int ret;

	for (r = 0; r < rounds; r++) {
		for (f = 0; f < NB_FLOWS; f++) {
			len = rtu_frame_udp4(frame, 100 + f % 64, dst, &src, SPORT + f, DPORT,
					     base + f * rounds + r);
			ret = rtu_pkt_send(fd, frame, len);
			TEST_ASSERT_SUCCESS(ret, "send flow %u: %s", f, strerror(-ret));
		}
	}
	return TEST_SUCCESS;
}

static void
count_init(struct mq_count *c)
{
	memset(c, 0, sizeof(*c));
	memset(c->flow_q, 0xff, sizeof(c->flow_q));
}

/* Polls the queues not in skip until want frames arrived or the deadline. */
static void
poll_queues(uint16_t port_id, uint16_t nb_q, uint64_t skip, struct mq_count *c, uint32_t base,
	    unsigned int rounds, unsigned int want)
{
	uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	struct rte_mbuf *burst[RTU_BURST];
	uint16_t q, n, i;

	while (c->total < want && rtu_now_ms() < deadline) {
		for (q = 0; q < nb_q; q++) {
			if (q < 64 && (skip & (1ULL << q)))
				continue;
			n = rte_eth_rx_burst(port_id, q, burst, RTU_BURST);
			for (i = 0; i < n; i++) {
				int64_t seq = rtu_udp4_seq(burst[i]);
				unsigned int flow;

				c->bytes[q] += burst[i]->pkt_len;
				if (seq < base || seq >= base + NB_FLOWS * rounds) {
					c->stray[q]++;
				} else {
					flow = (seq - base) / rounds;
					if (c->flow_q[flow] >= 0 && c->flow_q[flow] != q)
						c->moved++;
					c->flow_q[flow] = q;
					c->pkts[q]++;
					c->total++;
				}
				rte_pktmbuf_free(burst[i]);
			}
		}
	}
}

static int
check_stats(uint16_t port_id, const struct mq_count *c, uint16_t nb_q)
{
	struct rte_eth_stats st;
	struct rtu_qstats qs;
	uint64_t sum = 0;
	uint16_t q;
	int ret = 0;

	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port_id, &st), "stats_get");
	for (q = 0; q < nb_q; q++) {
		ret = rtu_queue_stats(port_id, q, &qs);
		if (ret == -ENOENT)
			break; /* ethdev's per-queue xstats end at RTE_ETHDEV_QUEUE_STAT_CNTRS */
		TEST_ASSERT_SUCCESS(ret, "queue %u: xstats: %s", q, strerror(-ret));
		TEST_ASSERT_EQUAL(qs.ipackets, (uint64_t)(c->pkts[q] + c->stray[q]),
				  "queue %u: rx_q%u_packets %" PRIu64 ", received %u", q, q,
				  qs.ipackets, c->pkts[q] + c->stray[q]);
		TEST_ASSERT_EQUAL(qs.ibytes, c->bytes[q],
				  "queue %u: rx_q%u_bytes %" PRIu64 ", received %" PRIu64, q, q,
				  qs.ibytes, c->bytes[q]);
		sum += qs.ipackets;
	}
	if (q == nb_q)
		TEST_ASSERT_EQUAL(sum, st.ipackets,
				  "sum of q_ipackets %" PRIu64 ", ipackets %" PRIu64, sum,
				  st.ipackets);
	sum = 0;
	for (q = 0; q < nb_q; q++)
		sum += c->pkts[q] + c->stray[q];
	TEST_ASSERT_EQUAL(st.ipackets, sum, "ipackets %" PRIu64 ", received %" PRIu64, st.ipackets,
			  sum);
	TEST_ASSERT_EQUAL(st.ierrors, 0ULL, "ierrors %" PRIu64, st.ierrors);
	return TEST_SUCCESS;
}

static int
test_mq_rx_spread(void)
{
	struct mq_count c;
	uint16_t q;

	count_init(&c);
	TEST_ASSERT_SUCCESS(send_flows(udp_fd, &fx.mac, 0, 2), "send");
	poll_queues(fx.port.port_id, NB_Q, 0, &c, 0, 2, NB_FLOWS * 2);
	TEST_ASSERT_EQUAL(c.total, NB_FLOWS * 2U, "received %u of %u", c.total, NB_FLOWS * 2);
	for (q = 0; q < NB_Q; q++)
		TEST_ASSERT(c.pkts[q] > 0, "queue %u received nothing (%u/%u/%u/%u)", q, c.pkts[0],
			    c.pkts[1], c.pkts[2], c.pkts[3]);
	TEST_ASSERT_EQUAL(c.moved, 0U, "%u frames arrived on another queue than their flow",
			  c.moved);
	TEST_ASSERT_SUCCESS(check_stats(fx.port.port_id, &c, NB_Q), "stats");
	return mq_finish();
}

static int
test_mq_queue_stop(void)
{
	struct rtu_qstats qs;
	struct mq_count c;
	uint16_t id = fx.port.port_id, q;

	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_stop(id, 1), "rx_queue_stop(1)");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_stop(id, 1), "tx_queue_stop(1)");

	/* Every frame reaches one of the three queues still attached. */
	count_init(&c);
	TEST_ASSERT_SUCCESS(send_flows(udp_fd, &fx.mac, 0, 1), "send");
	poll_queues(id, NB_Q, 1ULL << 1, &c, 0, 1, NB_FLOWS);
	TEST_ASSERT_EQUAL(c.total, (unsigned int)NB_FLOWS,
			  "queue 1 stopped: received %u of %u (%u/-/%u/%u)", c.total, NB_FLOWS,
			  c.pkts[0], c.pkts[2], c.pkts[3]);
	TEST_ASSERT_SUCCESS(rtu_queue_stats(id, 1, &qs), "queue 1 xstats");
	TEST_ASSERT_EQUAL(qs.ipackets, 0ULL, "stopped queue counted %" PRIu64, qs.ipackets);
	TEST_ASSERT_SUCCESS(check_stats(id, &c, NB_Q), "stats with queue 1 stopped");

	/* Restarted, it takes its share again. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(id, 1), "rx_queue_start(1)");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(id, 1), "tx_queue_start(1)");
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(id), "stats_reset");
	count_init(&c);
	TEST_ASSERT_SUCCESS(send_flows(udp_fd, &fx.mac, 1000, 1), "send");
	poll_queues(id, NB_Q, 0, &c, 1000, 1, NB_FLOWS);
	TEST_ASSERT_EQUAL(c.total, (unsigned int)NB_FLOWS, "after restart: received %u of %u",
			  c.total, NB_FLOWS);
	for (q = 0; q < NB_Q; q++)
		TEST_ASSERT(c.pkts[q] > 0, "after restart queue %u received nothing", q);
	TEST_ASSERT_SUCCESS(check_stats(id, &c, NB_Q), "stats after restart");
	return mq_finish();
}

static int
test_mq_tx_all_queues(void)
{
	const unsigned int per_q = 100;
	uint8_t seen[NB_Q * 100];
	struct rte_eth_stats st;
	struct rtu_qstats qs;
	struct rte_mbuf *m;
	unsigned int i, got;
	uint8_t buf[256];
	uint16_t q;
	ssize_t n;

	for (q = 0; q < NB_Q; q++) {
		for (i = 0; i < per_q; i++) {
			rtu_frame_fill(frame, 120, &fx.peer, &fx.mac, q * per_q + i);
			m = rtu_mbuf_from(fx.tx_pool, frame, 120, 1);
			TEST_ASSERT_NOT_NULL(m, "alloc");
			if (rtu_tx_all(fx.port.port_id, q, &m, 1, RTU_TIMEOUT_MS) != 1) {
				rte_pktmbuf_free(m);
				TEST_ASSERT(false, "queue %u stalled", q);
			}
		}
	}
	memset(seen, 0, sizeof(seen));
	for (got = 0; got < NB_Q * per_q; got++) {
		int64_t seq;

		n = rtu_pkt_recv(fx.pkt_fd, buf, sizeof(buf), RTU_TIMEOUT_MS);
		TEST_ASSERT(n > 0, "kernel saw %u of %u frames", got, NB_Q * per_q);
		seq = rtu_frame_seq(buf, n);
		TEST_ASSERT(seq >= 0 && seq < NB_Q * per_q, "unexpected frame %" PRId64, seq);
		TEST_ASSERT(!seen[seq], "frame %" PRId64 " twice", seq);
		seen[seq] = 1;
	}
	if (rtu_tx_async())
		TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, NB_Q, fx.tx_pool,
							   RTU_TIMEOUT_MS),
				    "tx completions");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	for (q = 0; q < NB_Q; q++) {
		TEST_ASSERT_SUCCESS(rtu_queue_stats(fx.port.port_id, q, &qs), "queue %u xstats", q);
		TEST_ASSERT_EQUAL(qs.opackets, (uint64_t)per_q, "queue %u: tx_q%u_packets %" PRIu64,
				  q, q, qs.opackets);
		TEST_ASSERT_EQUAL(qs.obytes, per_q * 120ULL, "queue %u: tx_q%u_bytes %" PRIu64, q,
				  q, qs.obytes);
	}
	TEST_ASSERT_EQUAL(st.opackets, NB_Q * (uint64_t)per_q, "opackets %" PRIu64, st.opackets);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, NB_Q, fx.tx_pool,
						   RTU_TIMEOUT_MS),
			    "%u tx mbufs never freed", rtu_mempool_in_use(fx.tx_pool));
	return mq_finish();
}

static int
max_setup(void)
{
	big_fds = rtu_count_fds();
	return TEST_SUCCESS;
}

static int
test_mq_max_queues(void)
{
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	struct mq_count c;
	unsigned int used = 0;
	uint16_t q;
	int fd, ret;

	big_pool = rtu_pool_create("rtu_max", 16383, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(big_pool, "pool");
	TEST_ASSERT_SUCCESS(rtu_port_probe(&big, NULL), "probe");
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(big.port_id, MAX_Q + 1, MAX_Q + 1, &conf);
	TEST_ASSERT(ret < 0, "configure with 256 queue pairs accepted");
	TEST_ASSERT_SUCCESS(rtu_port_setup(&big, MAX_Q, NULL, big_pool, 32), "255 queue pairs");
	TEST_ASSERT_SUCCESS(rtu_port_start(&big), "start with 255 queue pairs");
	TEST_ASSERT_SUCCESS(rtu_port_mac(&big, &mac), "mac");

	fd = rtu_pkt_open(big.ifname, 0);
	TEST_ASSERT(fd >= 0, "AF_PACKET: %s", strerror(-fd));
	count_init(&c);
	ret = send_flows(fd, &mac, 0, 1);
	close(fd);
	TEST_ASSERT_SUCCESS(ret, "send");
	poll_queues(big.port_id, MAX_Q, 0, &c, 0, 1, NB_FLOWS);
	TEST_ASSERT_EQUAL(c.total, (unsigned int)NB_FLOWS, "received %u of %u", c.total, NB_FLOWS);
	for (q = 0; q < MAX_Q; q++)
		used += c.pkts[q] > 0;
	/* 256 flows hashed over 255 queues land on ~160 of them. */
	TEST_ASSERT(used >= 64, "only %u queues received anything", used);
	TEST_ASSERT_SUCCESS(check_stats(big.port_id, &c, MAX_Q), "stats");

	TEST_ASSERT_SUCCESS(rtu_port_destroy(&big), "close");
	TEST_ASSERT(rte_mempool_full(big_pool), "%u mbufs not returned",
		    rtu_mempool_in_use(big_pool));
	rte_mempool_free(big_pool);
	big_pool = NULL;
	TEST_ASSERT_EQUAL(rtu_count_fds(), big_fds, "fds: %d after, %d before", rtu_count_fds(),
			  big_fds);
	return TEST_SUCCESS;
}

static struct unit_test_suite mq_suite = {
	.suite_name = "rtap multiqueue",
	.setup = mq_suite_setup,
	.unit_test_cases = {
		TEST_CASE_ST(mq_setup, mq_teardown, test_mq_rx_spread),
		TEST_CASE_ST(mq_setup, mq_teardown, test_mq_queue_stop),
		TEST_CASE_ST(mq_setup, mq_teardown, test_mq_tx_all_queues),
		TEST_CASE_ST(max_setup, mq_teardown, test_mq_max_queues),
		TEST_CASES_END(),
	},
};

static int
test_rtap_multiqueue(void)
{
	return unit_test_suite_runner(&mq_suite);
}

REGISTER_TEST_COMMAND(rtap_multiqueue_autotest, test_rtap_multiqueue);
