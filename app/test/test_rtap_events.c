/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Events and interrupts: link-state (LSC) and removal (RMV) events raised
 * by what is done to the interface from outside, the carrier following the
 * port, and Rx-queue interrupts waking a sleeping lcore, LSC and Rx
 * interrupts enabled together. Every wait has a deadline and fails when the
 * event does not come; a non-event is asserted over a bounded window.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>

#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define NB_Q	    4
#define QUIET_MS    2000 /* how long "nothing happens" is watched */
#define SETTLE_MS   300	 /* after an event: no second one for the same change */
#define MAX_EVENTS  8
#define LINK_UNSEEN 0xff

static struct rtu_fixture fx;

/* What the event callbacks saw (they run on DPDK's interrupt thread). */
static struct {
	unsigned int lsc;
	unsigned int rmv;
	uint8_t status; /* link status read inside the last LSC callback */
} seen;

static int
event_cb(uint16_t port_id, enum rte_eth_event_type type, void *arg __rte_unused,
	 void *ret_param __rte_unused)
{
	struct rte_eth_link link;

	if (type == RTE_ETH_EVENT_INTR_LSC) {
		if (rte_eth_link_get_nowait(port_id, &link) == 0)
			__atomic_store_n(&seen.status, link.link_status, __ATOMIC_RELAXED);
		__atomic_fetch_add(&seen.lsc, 1, __ATOMIC_RELEASE);
	} else if (type == RTE_ETH_EVENT_INTR_RMV) {
		__atomic_fetch_add(&seen.rmv, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

static unsigned int
lsc_count(void)
{
	return __atomic_load_n(&seen.lsc, __ATOMIC_ACQUIRE);
}

static unsigned int
rmv_count(void)
{
	return __atomic_load_n(&seen.rmv, __ATOMIC_ACQUIRE);
}

/* Polls until *counter reaches want; 0 or -ETIMEDOUT. */
static int
wait_count(unsigned int (*counter)(void), unsigned int want, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;

	while (counter() < want) {
		if (rtu_now_ms() >= deadline)
			return -ETIMEDOUT;
		usleep(1000);
	}
	return 0;
}

/* Over @ms, the counter must stay at @want. */
static int
stays(unsigned int (*counter)(void), unsigned int want, unsigned int ms)
{
	uint64_t end = rtu_now_ms() + ms;

	while (rtu_now_ms() < end) {
		if (counter() != want)
			return -1;
		usleep(5000);
	}
	return 0;
}

static int
events_setup(uint16_t nb_queues, bool rxq)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.lsc = 1;
	conf.intr_conf.rmv = 1;
	conf.intr_conf.rxq = rxq;
	memset(&seen, 0, sizeof(seen));
	seen.status = LINK_UNSEEN;
	ret = rtu_fixture_setup(&fx, nb_queues, &conf, 2047 * nb_queues, 1023);
	if (ret != TEST_SUCCESS)
		return ret;
	if (rte_eth_dev_callback_register(fx.port.port_id, RTE_ETH_EVENT_INTR_LSC, event_cb,
					  NULL) != 0 ||
	    rte_eth_dev_callback_register(fx.port.port_id, RTE_ETH_EVENT_INTR_RMV, event_cb,
					  NULL) != 0) {
		printf("  rte_eth_dev_callback_register failed\n");
		return TEST_FAILED;
	}
	/*
	 * The start's own link-up may reach the callback just after it is
	 * registered (the kernel's link watch runs late): wait for the link,
	 * then count from zero what the cases do.
	 */
	{
		struct rte_eth_link link;

		rte_eth_link_get(fx.port.port_id, &link);
	}
	usleep(SETTLE_MS * 1000);
	memset(&seen, 0, sizeof(seen));
	seen.status = LINK_UNSEEN;
	return TEST_SUCCESS;
}

static void
events_unregister(void)
{
	rte_eth_dev_callback_unregister(fx.port.port_id, RTE_ETH_EVENT_INTR_LSC, event_cb, NULL);
	rte_eth_dev_callback_unregister(fx.port.port_id, RTE_ETH_EVENT_INTR_RMV, event_cb, NULL);
}

static void
events_teardown(void)
{
	if (fx.fds_before != 0)
		events_unregister();
	rtu_fixture_finish(&fx);
}

static int
link_status(void)
{
	struct rte_eth_link link;

	if (rte_eth_link_get_nowait(fx.port.port_id, &link) != 0)
		return -1;
	return link.link_status;
}

/* ip link set IF down, then up: one event each, with the new status readable in it. */
static int
test_lsc_down_up(void)
{
	TEST_ASSERT_SUCCESS(events_setup(1, false), "setup");
	TEST_ASSERT_EQUAL(link_status(), RTE_ETH_LINK_UP, "link down after start");
	TEST_ASSERT_SUCCESS(stays(lsc_count, 0, SETTLE_MS), "an event nobody caused");

	TEST_ASSERT_EQUAL(rtu_run("ip link set %s down", fx.port.ifname), 0, "ip link down");
	TEST_ASSERT_SUCCESS(wait_count(lsc_count, 1, RTU_TIMEOUT_MS), "no LSC event for down");
	TEST_ASSERT_EQUAL(seen.status, RTE_ETH_LINK_DOWN, "callback saw status %u", seen.status);
	TEST_ASSERT_SUCCESS(stays(lsc_count, 1, SETTLE_MS), "more than one event for one change");
	TEST_ASSERT_EQUAL(link_status(), RTE_ETH_LINK_DOWN, "link not down");

	TEST_ASSERT_EQUAL(rtu_run("ip link set %s up", fx.port.ifname), 0, "ip link up");
	TEST_ASSERT_SUCCESS(wait_count(lsc_count, 2, RTU_TIMEOUT_MS), "no LSC event for up");
	TEST_ASSERT_EQUAL(seen.status, RTE_ETH_LINK_UP, "callback saw status %u", seen.status);
	TEST_ASSERT_SUCCESS(stays(lsc_count, 2, SETTLE_MS), "more than one event for one change");

	/* A change that is no change of status raises nothing. */
	TEST_ASSERT_EQUAL(rtu_run("ip link set %s mtu 1400", fx.port.ifname), 0, "mtu");
	TEST_ASSERT_SUCCESS(stays(lsc_count, 2, SETTLE_MS), "an event for an MTU change");
	return TEST_SUCCESS;
}

/* The kernel's carrier: on while the port is started, off while stopped. */
static int
test_carrier_follows_port(void)
{
	uint64_t carrier = 9;

	TEST_ASSERT_SUCCESS(events_setup(2, false), "setup");
	TEST_ASSERT_SUCCESS(rtu_if_sysfs(fx.port.ifname, "carrier", &carrier), "carrier");
	TEST_ASSERT_EQUAL(carrier, 1ULL, "no carrier on a started port");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	TEST_ASSERT_SUCCESS(rtu_if_sysfs(fx.port.ifname, "carrier", &carrier), "carrier");
	TEST_ASSERT_EQUAL(carrier, 0ULL, "carrier on a stopped port");
	TEST_ASSERT_EQUAL(link_status(), RTE_ETH_LINK_DOWN, "link up on a stopped port");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(fx.port.port_id), "start");
	TEST_ASSERT_SUCCESS(rtu_if_sysfs(fx.port.ifname, "carrier", &carrier), "carrier");
	TEST_ASSERT_EQUAL(carrier, 1ULL, "no carrier after a restart");
	TEST_ASSERT_EQUAL(link_status(), RTE_ETH_LINK_UP, "link down after a restart");
	return TEST_SUCCESS;
}

/* ip link del under a running port: RMV once; bursts stop cleanly; close leaves nothing. */
static int
test_rmv_on_delete(void)
{
	struct rte_mbuf *pkts[RTU_BURST], *m;
	unsigned int i;
	uint8_t frame[64];

	TEST_ASSERT_SUCCESS(events_setup(2, false), "setup");
	TEST_ASSERT_EQUAL(rtu_run("ip link del %s", fx.port.ifname), 0, "ip link del");
	TEST_ASSERT_SUCCESS(wait_count(rmv_count, 1, RTU_TIMEOUT_MS), "no RMV event");
	TEST_ASSERT_SUCCESS(stays(rmv_count, 1, SETTLE_MS), "more than one RMV event");
	TEST_ASSERT_EQUAL(link_status(), RTE_ETH_LINK_DOWN, "link up after deletion");
	TEST_ASSERT(lsc_count() >= 1, "the link went down without an LSC event");

	for (i = 0; i < 100; i++) {
		TEST_ASSERT_EQUAL(rte_eth_rx_burst(fx.port.port_id, i % 2, pkts, RTU_BURST), 0,
				  "a frame from a deleted interface");
		m = rtu_mbuf_from(fx.tx_pool, frame,
				  rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, i), 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		if (rte_eth_tx_burst(fx.port.port_id, i % 2, &m, 1) != 1)
			rte_pktmbuf_free(m);
	}
	events_unregister();
	close(fx.pkt_fd);
	fx.pkt_fd = -1;
	/* closes the port: no fd, mbuf or interface left */
	return rtu_fixture_finish(&fx);
}

/*
 * A move to another network namespace sends RTM_DELLINK too: it is not a
 * removal. The port follows the interface (events from the new namespace,
 * traffic through it).
 */
static int
test_netns_move_not_rmv(void)
{
	char ns[32];
	uint8_t frame[64];
	struct rte_mbuf *pkts[RTU_BURST];
	unsigned int n, stray = 0, lsc;
	int fd, ret = TEST_FAILED;

	snprintf(ns, sizeof(ns), "rtu%dev", (int)getpid());
	TEST_ASSERT_SUCCESS(events_setup(1, false), "setup");
	TEST_ASSERT_EQUAL(rtu_run("ip netns add %s", ns), 0, "ip netns add %s", ns);
	if (rtu_run("ip link set %s netns %s", fx.port.ifname, ns) != 0) {
		printf("  ip link set netns failed\n");
		goto out;
	}
	/* The move takes the interface down: one LSC event, no RMV. */
	if (wait_count(lsc_count, 1, RTU_TIMEOUT_MS) != 0) {
		printf("  no LSC event for the move\n");
		goto out;
	}
	if (stays(rmv_count, 0, SETTLE_MS) != 0) {
		printf("  a move was reported as a removal\n");
		goto out;
	}
	lsc = lsc_count();
	/* Up in the new namespace: the event comes from there. */
	rtu_run("ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=1", ns, fx.port.ifname);
	if (rtu_run("ip -n %s link set %s up", ns, fx.port.ifname) != 0 ||
	    wait_count(lsc_count, lsc + 1, RTU_TIMEOUT_MS) != 0 || link_status() != 1) {
		printf("  no LSC event (or link down) after up in the new namespace\n");
		goto out;
	}
	fd = rtu_ns_pkt_open(ns, fx.port.ifname, 0);
	if (fd < 0) {
		printf("  AF_PACKET in %s: %s\n", ns, strerror(-fd));
		goto out;
	}
	rtu_pkt_send(fd, frame, rtu_frame_fill(frame, sizeof(frame), &fx.mac, &fx.peer, 7));
	close(fd);
	n = rtu_rx_wait(fx.port.port_id, 0, pkts, RTE_DIM(pkts), 1, RTU_TIMEOUT_MS, &stray);
	rtu_free_bulk(pkts, RTE_MIN(n, RTE_DIM(pkts)));
	if (n != 1) {
		printf("  no traffic after the move (%u frames)\n", n);
		goto out;
	}
	if (rmv_count() != 0) {
		printf("  %u RMV events for a move\n", rmv_count());
		goto out;
	}
	ret = TEST_SUCCESS;
out:
	/* Close the port (it deletes the interface it created) before the namespace. */
	events_unregister();
	close(fx.pkt_fd);
	fx.pkt_fd = -1;
	if (rtu_fixture_finish(&fx) != TEST_SUCCESS)
		ret = TEST_FAILED;
	rtu_run("ip netns del %s", ns);
	return ret;
}

/* ---- Rx interrupts ---- */

struct sleeper {
	uint16_t port_id;
	int epfd;
	int timeout_ms;
	volatile int ready; /* set just before the sleep */
	int nb;		    /* events rte_epoll_wait returned */
	uintptr_t queue;    /* the queue of the first event */
};

/* On a worker lcore: post reads, arm every queue, sleep. */
static int
sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct rte_epoll_event ev[MAX_EVENTS];
	struct rte_mbuf *pkts[RTU_BURST];
	uint16_t q, n;

	for (q = 0; q < NB_Q; q++) {
		n = rte_eth_rx_burst(s->port_id, q, pkts, RTU_BURST);
		rtu_free_bulk(pkts, n);
		if (rte_eth_dev_rx_intr_enable(s->port_id, q) != 0)
			return -1;
	}
	__atomic_store_n(&s->ready, 1, __ATOMIC_RELEASE);
	s->nb = rte_epoll_wait(s->epfd, ev, MAX_EVENTS, s->timeout_ms);
	s->queue = s->nb > 0 ? (uintptr_t)ev[0].epdata.data : UINTPTR_MAX;
	for (q = 0; q < NB_Q; q++)
		rte_eth_dev_rx_intr_disable(s->port_id, q);
	return 0;
}

/* Every rx queue's interrupt fd in one epoll set; an event's data names its queue. */
static int
arm_queues(int epfd)
{
	uint16_t q;

	for (q = 0; q < NB_Q; q++) {
		int fd = rte_eth_dev_rx_intr_ctl_q_get_fd(fx.port.port_id, q);

		TEST_ASSERT(fd >= 0, "rx queue %u has no interrupt fd: %d", q, fd);
		TEST_ASSERT_SUCCESS(rte_eth_dev_rx_intr_ctl_q(fx.port.port_id, q, epfd,
							      RTE_INTR_EVENT_ADD,
							      (void *)(uintptr_t)q),
				    "rx_intr_ctl_q(%u)", q);
	}
	return TEST_SUCCESS;
}

/* Test frames an rx queue holds now (a few bursts). */
static unsigned int
queue_holds(uint16_t q)
{
	struct rte_mbuf *pkts[RTU_BURST];
	unsigned int i, k, n = 0;
	uint16_t got;

	for (i = 0; i < 4; i++) {
		got = rte_eth_rx_burst(fx.port.port_id, q, pkts, RTU_BURST);
		for (k = 0; k < got; k++)
			if (rtu_mbuf_seq(pkts[k]) >= 0)
				n++;
		rtu_free_bulk(pkts, got);
	}
	return n;
}

static int
run_sleeper(struct sleeper *s, bool send)
{
	unsigned int lcore = rte_get_next_lcore(-1, 1, 0);
	uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	uint8_t frame[64];

	TEST_ASSERT(lcore < RTE_MAX_LCORE, "no worker lcore");
	s->ready = 0;
	TEST_ASSERT_SUCCESS(rte_eal_remote_launch(sleeper_main, s, lcore), "launch");
	while (!__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) && rtu_now_ms() < deadline)
		usleep(100);
	TEST_ASSERT(s->ready, "the worker never got ready");
	/* No pause: a frame before the sleep must wake it as well as one during it. */
	if (send)
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame,
						 rtu_frame_fill(frame, sizeof(frame), &fx.mac,
								&fx.peer, 1)),
				    "send");
	TEST_ASSERT_SUCCESS(rte_eal_wait_lcore(lcore), "the worker failed to arm the queues");
	return TEST_SUCCESS;
}

/*
 * LSC and Rx interrupts on 4 queues together: a sleeping lcore stays asleep
 * without traffic, wakes for a frame on the queue it arrived on only, and
 * link events keep coming; and again after a restart.
 */
static int
test_rxq_intr_with_lsc(void)
{
	struct sleeper s = { .timeout_ms = QUIET_MS };
	struct rte_mbuf *pkts[RTU_BURST];
	unsigned int round, stray = 0, n, got;
	int epfd = -1;
	uint16_t q;

	TEST_ASSERT_SUCCESS(events_setup(NB_Q, true), "setup");
	s.port_id = fx.port.port_id;
	for (round = 0; round < 2; round++) {
		epfd = epoll_create1(EPOLL_CLOEXEC);
		TEST_ASSERT(epfd >= 0, "epoll_create1");
		s.epfd = epfd;
		if (arm_queues(epfd) != TEST_SUCCESS)
			goto fail;

		/* Nothing to receive: asleep for the whole window. */
		s.timeout_ms = QUIET_MS;
		if (run_sleeper(&s, false) != TEST_SUCCESS)
			goto fail;
		if (s.nb != 0) {
			printf("  round %u: woke without traffic (%d events, queue %" PRIuPTR ")\n",
			       round, s.nb, s.queue);
			goto fail;
		}

		/* One frame: a wake, for the queue that has it, and only that one. */
		s.timeout_ms = RTU_TIMEOUT_MS;
		if (run_sleeper(&s, true) != TEST_SUCCESS)
			goto fail;
		if (s.nb != 1 || s.queue >= NB_Q) {
			printf("  round %u: %d events for one frame\n", round, s.nb);
			goto fail;
		}
		got = 0;
		for (q = 0; q < NB_Q; q++) {
			if (q == s.queue) {
				n = rtu_rx_wait(fx.port.port_id, q, pkts, RTE_DIM(pkts), 1,
						RTU_TIMEOUT_MS, &stray);
				rtu_free_bulk(pkts, RTE_MIN(n, RTE_DIM(pkts)));
			} else {
				n = queue_holds(q);
			}
			if ((q == s.queue) != (n == 1)) {
				printf("  round %u: woke for queue %" PRIuPTR ", queue %u has %u\n",
				       round, s.queue, q, n);
				goto fail;
			}
			got += n;
		}
		if (got != 1)
			goto fail;

		/* Link events still come with Rx interrupts on. */
		n = lsc_count();
		rtu_run("ip link set %s down", fx.port.ifname);
		if (wait_count(lsc_count, n + 1, RTU_TIMEOUT_MS) != 0) {
			printf("  round %u: no LSC event with Rx interrupts on\n", round);
			goto fail;
		}
		rtu_run("ip link set %s up", fx.port.ifname);
		if (wait_count(lsc_count, n + 2, RTU_TIMEOUT_MS) != 0)
			goto fail;

		close(epfd);
		epfd = -1;
		/* Again after a restart: new eventfds, added again. */
		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
		TEST_ASSERT_SUCCESS(rte_eth_dev_start(fx.port.port_id), "start");
	}
	return TEST_SUCCESS;
fail:
	if (epfd >= 0)
		close(epfd);
	return TEST_FAILED;
}

/* Without intr_conf.rxq there is no vector: enabling fails cleanly. */
static int
test_rxq_intr_needs_conf(void)
{
	TEST_ASSERT_SUCCESS(events_setup(1, false), "setup");
	TEST_ASSERT(rte_eth_dev_rx_intr_enable(fx.port.port_id, 0) != 0,
		    "rx interrupts enabled without intr_conf.rxq");
	TEST_ASSERT(rte_eth_dev_rx_intr_ctl_q_get_fd(fx.port.port_id, 0) < 0,
		    "an interrupt fd without intr_conf.rxq");
	return TEST_SUCCESS;
}

static int
events_suite_setup(void)
{
	int ret = rtu_check_env();

	if (ret != TEST_SUCCESS)
		return ret;
	if (rte_lcore_count() < 2)
		TEST_SKIP("needs two lcores");
	return TEST_SUCCESS;
}

static struct unit_test_suite events_suite = {
	.suite_name = "rtap events",
	.setup = events_suite_setup,
	.unit_test_cases = {
		TEST_CASE_ST(NULL, events_teardown, test_lsc_down_up),
		TEST_CASE_ST(NULL, events_teardown, test_carrier_follows_port),
		TEST_CASE_ST(NULL, events_teardown, test_rmv_on_delete),
		TEST_CASE_ST(NULL, events_teardown, test_netns_move_not_rmv),
		TEST_CASE_ST(NULL, events_teardown, test_rxq_intr_with_lsc),
		TEST_CASE_ST(NULL, events_teardown, test_rxq_intr_needs_conf),
		TEST_CASES_END(),
	},
};

static int
test_rtap_events(void)
{
	return unit_test_suite_runner(&events_suite);
}

REGISTER_TEST_COMMAND(rtap_events_autotest, test_rtap_events);
