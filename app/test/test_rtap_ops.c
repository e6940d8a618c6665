/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/* Control operations: each checks what ethdev reports against what the kernel shows. */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include <rte_ethdev.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

/* The ring size rtu_port_setup() asks for with 0 (the driver's default). */
#define RTAP_TEST_DEFAULT_DESC 512

static struct rtu_fixture fx;
static struct rtu_port extra;	    /* ports a case creates besides the fixture's */
static char persist_name[IFNAMSIZ]; /* a persistent interface to delete */

static int
ops_setup(void)
{
	return rtu_fixture_setup(&fx, 1, NULL, 1023, 255);
}

static void
ops_teardown(void)
{
	rtu_port_destroy(&extra);
	rtu_fixture_finish(&fx);
	if (persist_name[0] != '\0' && rtu_if_exists(persist_name))
		rtu_run("ip link del %s", persist_name);
	persist_name[0] = '\0';
}

/* Kernel frame in → rx_burst on queue 0, identical bytes. */
static int
rx_one(uint32_t seq)
{
	uint8_t frame[128];
	struct rte_mbuf *m = NULL;
	unsigned int n;
	int ret;

	rtu_frame_fill(frame, sizeof(frame), &fx.mac, &fx.peer, seq);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, sizeof(frame)), "AF_PACKET send");
	n = rtu_rx_wait(fx.port.port_id, 0, &m, 1, 1, RTU_TIMEOUT_MS, NULL);
	TEST_ASSERT_EQUAL(n, 1U, "frame %u sent by the kernel not received", seq);
	if (rtu_mbuf_seq(m) != seq) {
		printf("  received frame %" PRId64 " instead of %u\n", rtu_mbuf_seq(m), seq);
		rte_pktmbuf_free(m);
		return TEST_FAILED;
	}
	ret = rtu_mbuf_compare(m, frame, sizeof(frame));
	rte_pktmbuf_free(m);
	TEST_ASSERT_SUCCESS(ret, "frame %u differs", seq);
	return TEST_SUCCESS;
}

/* tx_burst on queue 0 → AF_PACKET, identical bytes. */
static int
tx_one(uint32_t seq)
{
	uint8_t frame[128], buf[256];
	struct rte_mbuf *m;
	ssize_t len;

	rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, seq);
	m = rtu_mbuf_from(fx.tx_pool, frame, sizeof(frame), 1);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	if (rte_eth_tx_burst(fx.port.port_id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "tx_burst did not take the frame");
	}
	len = rtu_pkt_recv(fx.pkt_fd, buf, sizeof(buf), RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(len, (ssize_t)sizeof(frame), "kernel got %zd bytes", len);
	TEST_ASSERT_SUCCESS(memcmp(buf, frame, sizeof(frame)), "kernel got other bytes");
	return TEST_SUCCESS;
}

static int
link_status(uint8_t *status)
{
	struct rte_eth_link link;
	int ret;

	memset(&link, 0, sizeof(link));
	ret = rte_eth_link_get_nowait(fx.port.port_id, &link);
	*status = link.link_status;
	return ret;
}

static int
test_infos_get(void)
{
	struct rte_eth_dev_info info;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "infos_get");
	TEST_ASSERT_EQUAL(info.max_rx_queues, 255, "max_rx_queues %u", info.max_rx_queues);
	TEST_ASSERT_EQUAL(info.max_tx_queues, 255, "max_tx_queues %u", info.max_tx_queues);
	TEST_ASSERT_EQUAL(info.if_index, (uint32_t)rtu_if_index(fx.port.ifname),
			  "if_index %u, kernel says %d", info.if_index,
			  rtu_if_index(fx.port.ifname));
	TEST_ASSERT_NOT_NULL(info.driver_name, "no driver name");
	TEST_ASSERT_SUCCESS(strcmp(info.driver_name, rtu_driver()), "driver_name %s",
			    info.driver_name);
	TEST_ASSERT(info.max_mtu >= 9000, "max_mtu %u", info.max_mtu);
	return rtu_fixture_finish(&fx);
}

static int
test_mac_matches_kernel(void)
{
	struct rte_ether_addr kmac;

	TEST_ASSERT_SUCCESS(rtu_if_get_mac(fx.port.ifname, &kmac), "SIOCGIFHWADDR");
	TEST_ASSERT(rte_is_same_ether_addr(&kmac, &fx.mac), "port MAC is not the kernel's");
	TEST_ASSERT(rte_is_valid_assigned_ether_addr(&fx.mac), "port MAC not a unicast address");
	return rtu_fixture_finish(&fx);
}

static int
test_start_stop_restart(void)
{
	unsigned int flags;
	uint8_t status;

	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(flags & IFF_UP, "dev_start did not bring %s up", fx.port.ifname);
	TEST_ASSERT_SUCCESS(rx_one(1), "rx before stop");

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "first stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(link_status(&status), "link_get");
	TEST_ASSERT_EQUAL(status, RTE_ETH_LINK_DOWN, "link up on a stopped port");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(flags & IFF_UP, "dev_stop took %s down", fx.port.ifname);

	/* Start again with the queues set up the first time. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(fx.port.port_id), "second start");
	fx.port.started = true;
	TEST_ASSERT_SUCCESS(link_status(&status), "link_get");
	TEST_ASSERT_EQUAL(status, RTE_ETH_LINK_UP, "link down after restart");
	TEST_ASSERT_SUCCESS(rx_one(2), "rx after restart");
	TEST_ASSERT_SUCCESS(tx_one(3), "tx after restart");

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "second stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(fx.port.port_id), "third start");
	TEST_ASSERT_SUCCESS(rx_one(4), "rx after second restart");
	return rtu_fixture_finish(&fx);
}

static int
test_link_update(void)
{
	struct rte_eth_link link;
	unsigned int flags;

	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(flags & IFF_UP, "kernel interface not up after start");
	memset(&link, 0, sizeof(link));
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(fx.port.port_id, &link), "link_get_nowait");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_UP, "link down after start");
	memset(&link, 0, sizeof(link));
	TEST_ASSERT_SUCCESS(rte_eth_link_get(fx.port.port_id, &link), "link_get");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_UP, "link down after start (wait)");
	return rtu_fixture_finish(&fx);
}

static int
test_set_link_down_up(void)
{
	unsigned int flags;
	uint8_t status;

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_down(fx.port.port_id), "set_link_down");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(!(flags & IFF_UP), "kernel interface still up");
	TEST_ASSERT_SUCCESS(link_status(&status), "link_get");
	TEST_ASSERT_EQUAL(status, RTE_ETH_LINK_DOWN, "link still reported up");

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_up(fx.port.port_id), "set_link_up");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(flags & IFF_UP, "kernel interface still down");
	TEST_ASSERT_SUCCESS(link_status(&status), "link_get");
	TEST_ASSERT_EQUAL(status, RTE_ETH_LINK_UP, "link still reported down");

	/* The kernel side changes too: link follows IFF_UP set behind our back. */
	TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, 0, IFF_UP), "ifdown from the kernel");
	TEST_ASSERT_SUCCESS(link_status(&status), "link_get");
	TEST_ASSERT_EQUAL(status, RTE_ETH_LINK_DOWN, "link up while the kernel says down");
	TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, IFF_UP, 0), "ifup from the kernel");
	TEST_ASSERT_SUCCESS(link_status(&status), "link_get");
	TEST_ASSERT_EQUAL(status, RTE_ETH_LINK_UP, "link down while the kernel says up");
	TEST_ASSERT_SUCCESS(rx_one(1), "rx after link down/up");
	return rtu_fixture_finish(&fx);
}

static int
test_mtu_set(void)
{
	uint16_t mtu = 0;
	int kmtu = 0, ret;

	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(fx.port.ifname, &kmtu), "SIOCGIFMTU");
	TEST_ASSERT_EQUAL(kmtu, RTE_ETHER_MTU, "kernel MTU %d at start", kmtu);

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(fx.port.port_id, 1400), "set_mtu 1400");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(fx.port.port_id, &mtu), "get_mtu");
	TEST_ASSERT_EQUAL(mtu, 1400, "ethdev MTU %u", mtu);
	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(fx.port.ifname, &kmtu), "SIOCGIFMTU");
	TEST_ASSERT_EQUAL(kmtu, 1400, "kernel MTU %d", kmtu);

	/* 2048-byte mbufs, no scatter: a 9000-byte frame cannot be received. */
	ret = rte_eth_dev_set_mtu(fx.port.port_id, 9000);
	TEST_ASSERT(ret < 0, "MTU 9000 accepted with 2 KiB mbufs and no scatter");
	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(fx.port.ifname, &kmtu), "SIOCGIFMTU");
	TEST_ASSERT_EQUAL(kmtu, 1400, "kernel MTU changed to %d by a refused set_mtu", kmtu);
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(fx.port.port_id, &mtu), "get_mtu");
	TEST_ASSERT_EQUAL(mtu, 1400, "ethdev MTU %u after a refused set_mtu", mtu);

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mtu(fx.port.port_id, 2000), "set_mtu 2000");
	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(fx.port.ifname, &kmtu), "SIOCGIFMTU");
	TEST_ASSERT_EQUAL(kmtu, 2000, "kernel MTU %d", kmtu);
	TEST_ASSERT_SUCCESS(rx_one(1), "rx after MTU changes");
	return rtu_fixture_finish(&fx);
}

static int
test_mac_addr_set(void)
{
	struct rte_ether_addr mac = { { 0x02, 0x52, 0x54, 0x00, 0x12, 0x34 } };
	struct rte_ether_addr got, kmac;

	TEST_ASSERT_SUCCESS(rte_eth_dev_default_mac_addr_set(fx.port.port_id, &mac),
			    "mac_addr_set");
	TEST_ASSERT_SUCCESS(rtu_if_get_mac(fx.port.ifname, &kmac), "SIOCGIFHWADDR");
	TEST_ASSERT(rte_is_same_ether_addr(&kmac, &mac), "kernel MAC did not follow");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(fx.port.port_id, &got), "macaddr_get");
	TEST_ASSERT(rte_is_same_ether_addr(&got, &mac), "ethdev MAC did not follow");
	fx.mac = mac;
	TEST_ASSERT_SUCCESS(rx_one(1), "rx after MAC change");
	TEST_ASSERT_SUCCESS(tx_one(2), "tx after MAC change");
	return rtu_fixture_finish(&fx);
}

static int
test_promiscuous(void)
{
	unsigned int flags;

	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(fx.port.port_id), "promisc enable");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(fx.port.port_id), 1, "ethdev promisc off");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(flags & IFF_PROMISC, "kernel IFF_PROMISC not set");
	TEST_ASSERT_SUCCESS(rte_eth_promiscuous_disable(fx.port.port_id), "promisc disable");
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(fx.port.port_id), 0, "ethdev promisc on");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(!(flags & IFF_PROMISC), "kernel IFF_PROMISC still set");
	return rtu_fixture_finish(&fx);
}

static int
test_allmulticast(void)
{
	unsigned int flags;

	TEST_ASSERT_SUCCESS(rte_eth_allmulticast_enable(fx.port.port_id), "allmulti enable");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(fx.port.port_id), 1, "ethdev allmulti off");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(flags & IFF_ALLMULTI, "kernel IFF_ALLMULTI not set");
	TEST_ASSERT_SUCCESS(rte_eth_allmulticast_disable(fx.port.port_id), "allmulti disable");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(fx.port.port_id), 0, "ethdev allmulti on");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(!(flags & IFF_ALLMULTI), "kernel IFF_ALLMULTI still set");
	return rtu_fixture_finish(&fx);
}

static int
test_stats_get_reset(void)
{
	struct rte_eth_stats st;
	struct rtu_qstats qs;

	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.ipackets + st.opackets + st.ierrors + st.oerrors, 0ULL,
			  "fresh port has counters");
	TEST_ASSERT_SUCCESS(rx_one(1), "rx");
	TEST_ASSERT_SUCCESS(rx_one(2), "rx");
	TEST_ASSERT_SUCCESS(tx_one(3), "tx");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.ipackets, 2ULL, "ipackets %" PRIu64, st.ipackets);
	TEST_ASSERT_EQUAL(st.ibytes, 256ULL, "ibytes %" PRIu64, st.ibytes);
	TEST_ASSERT_EQUAL(st.opackets, 1ULL, "opackets %" PRIu64, st.opackets);
	TEST_ASSERT_EQUAL(st.obytes, 128ULL, "obytes %" PRIu64, st.obytes);

	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats_reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.ipackets + st.ibytes + st.opackets + st.obytes, 0ULL,
			  "counters not reset");
	TEST_ASSERT_SUCCESS(rtu_queue_stats(fx.port.port_id, 0, &qs), "queue 0 xstats");
	TEST_ASSERT_EQUAL(qs.ipackets + qs.ibytes + qs.opackets + qs.obytes, 0ULL,
			  "queue counters not reset");
	TEST_ASSERT_EQUAL(st.ierrors + st.oerrors + st.rx_nombuf + st.imissed, 0ULL,
			  "error counters not zero");

	/* Counting resumes from zero. */
	TEST_ASSERT_SUCCESS(rx_one(4), "rx after reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.ipackets, 1ULL, "ipackets %" PRIu64 " after reset", st.ipackets);
	TEST_ASSERT_SUCCESS(rtu_queue_stats(fx.port.port_id, 0, &qs), "queue 0 xstats");
	TEST_ASSERT_EQUAL(qs.ipackets, 1ULL, "rx_q0_packets %" PRIu64, qs.ipackets);
	return rtu_fixture_finish(&fx);
}

/* Queues the kernel has attached: the TAP's tx-N queues in sysfs. */
static int
kernel_queues(const char *ifname)
{
	char path[128];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/tx-%d", ifname, n);
		if (access(path, F_OK) != 0)
			return n;
		n++;
	}
}

/* Configure nb_rx/nb_tx queues, set them all up and start. */
static int
setup_counts(uint16_t nb_rx, uint16_t nb_tx)
{
	uint16_t id = fx.port.port_id, q;
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_SUCCESS(rte_eth_dev_configure(id, nb_rx, nb_tx, &conf), "configure(%u, %u)",
			    nb_rx, nb_tx);
	for (q = 0; q < nb_rx; q++)
		TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(id, q, 0, SOCKET_ID_ANY, NULL,
							   fx.rx_pool),
				    "rx queue %u", q);
	for (q = 0; q < nb_tx; q++)
		TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(id, q, 0, SOCKET_ID_ANY, NULL),
				    "tx queue %u", q);
	TEST_ASSERT_SUCCESS(rte_eth_dev_start(id), "start (%u rx, %u tx)", nb_rx, nb_tx);
	fx.port.started = true;
	return TEST_SUCCESS;
}

/* Frame @seq on tx queue @q reaches the kernel intact. */
static int
tx_on(uint16_t q, uint32_t seq)
{
	uint8_t frame[128], buf[256];
	struct rte_mbuf *m;
	ssize_t len;

	rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, seq);
	m = rtu_mbuf_from(fx.tx_pool, frame, sizeof(frame), 1);
	TEST_ASSERT_NOT_NULL(m, "mbuf alloc");
	if (rte_eth_tx_burst(fx.port.port_id, q, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "tx queue %u did not take the frame", q);
	}
	len = rtu_pkt_recv(fx.pkt_fd, buf, sizeof(buf), RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(len, (ssize_t)sizeof(frame), "tx queue %u: kernel got %zd bytes", q, len);
	TEST_ASSERT_SUCCESS(memcmp(buf, frame, sizeof(frame)), "tx queue %u: other bytes", q);
	return TEST_SUCCESS;
}

/* Frames from the kernel arrive, on whichever rx queue it picks. */
static int
rx_any(uint16_t nb_rx, uint32_t seq)
{
	uint8_t frame[128];
	struct rte_mbuf *pkts[RTU_BURST];
	uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	unsigned int got = 0, k, n;
	uint16_t q;

	rtu_frame_fill(frame, sizeof(frame), &fx.mac, &fx.peer, seq);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, sizeof(frame)), "AF_PACKET send");
	while (got == 0 && rtu_now_ms() < deadline) {
		for (q = 0; q < nb_rx; q++) {
			n = rte_eth_rx_burst(fx.port.port_id, q, pkts, RTU_BURST);
			for (k = 0; k < n; k++)
				got += rtu_mbuf_seq(pkts[k]) == seq;
			rtu_free_bulk(pkts, n);
		}
	}
	TEST_ASSERT_EQUAL(got, 1U, "frame %u from the kernel: received %u times", seq, got);
	return TEST_SUCCESS;
}

/*
 * Rx and tx queue counts need not match (OVS asks for one tx queue per PMD
 * thread plus one): the TAP gets one fd per rx queue and tx queues share
 * them. 1 rx with 3 tx, then 3 rx with 1 tx, traffic both ways on every
 * queue; the kernel attaches exactly the rx queue count.
 */
static int
test_unequal_queue_counts(void)
{
	uint16_t id = fx.port.port_id, q;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(setup_counts(1, 3), "1 rx, 3 tx");
	TEST_ASSERT_EQUAL(kernel_queues(fx.port.ifname), 1, "kernel queues with 1 rx queue");
	for (q = 0; q < 3; q++)
		TEST_ASSERT_SUCCESS(tx_on(q, 10 + q), "1 rx, 3 tx");
	TEST_ASSERT_SUCCESS(rx_any(1, 20), "1 rx, 3 tx");

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(setup_counts(3, 1), "3 rx, 1 tx");
	TEST_ASSERT_EQUAL(kernel_queues(fx.port.ifname), 3, "kernel queues with 3 rx queues");
	TEST_ASSERT_SUCCESS(tx_on(0, 30), "3 rx, 1 tx");
	for (q = 0; q < 6; q++)
		TEST_ASSERT_SUCCESS(rx_any(3, 40 + q), "3 rx, 1 tx");

	/* Back to pairs; a tx queue whose fd changed must be set up again. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(setup_counts(2, 2), "2 rx, 2 tx");
	TEST_ASSERT_SUCCESS(tx_on(1, 50), "2 rx, 2 tx");
	return rtu_fixture_finish(&fx);
}

/* rxq_info_get / txq_info_get report the set-up; scattered rx shows as such. */
static int
test_queue_info(void)
{
	struct rte_eth_rxq_info rxi;
	struct rte_eth_txq_info txi;
	struct rte_eth_conf conf;
	uint16_t id = fx.port.port_id;

	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_info_get(id, 0, &rxi), "rxq_info_get");
	TEST_ASSERT_EQUAL(rxi.mp, fx.rx_pool, "rx pool");
	TEST_ASSERT_EQUAL(rxi.nb_desc, RTAP_TEST_DEFAULT_DESC, "rx nb_desc %u", rxi.nb_desc);
	TEST_ASSERT_EQUAL(rxi.scattered_rx, 0, "scattered without scatter");
	TEST_ASSERT_SUCCESS(rte_eth_tx_queue_info_get(id, 0, &txi), "txq_info_get");
	TEST_ASSERT_EQUAL(txi.nb_desc, RTAP_TEST_DEFAULT_DESC, "tx nb_desc %u", txi.nb_desc);

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(id), "stop");
	fx.port.started = false;
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	conf.rxmode.mtu = 9000;
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 1024), "scatter");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_info_get(id, 0, &rxi), "rxq_info_get");
	TEST_ASSERT_EQUAL(rxi.scattered_rx, 1, "MTU 9000 in 2 KiB mbufs is not scattered");
	TEST_ASSERT_EQUAL(rxi.nb_desc, 1024, "rx nb_desc %u", rxi.nb_desc);
	return rtu_fixture_finish(&fx);
}

/*
 * RTE_ETH_DEV_CAPA_RUNTIME_RX/TX_QUEUE_SETUP: a stopped queue of a started
 * port is set up again with another ring size and pool, started, and used.
 */
static int
test_runtime_queue_setup(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_rxq_info rxi;
	struct rte_eth_txq_info txi;
	struct rte_mempool *mp;
	uint16_t id = fx.port.port_id;
	int ret = TEST_FAILED;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(id, &info), "info");
	TEST_ASSERT(info.dev_capa & RTE_ETH_DEV_CAPA_RUNTIME_RX_QUEUE_SETUP, "no runtime rx setup");
	TEST_ASSERT(info.dev_capa & RTE_ETH_DEV_CAPA_RUNTIME_TX_QUEUE_SETUP, "no runtime tx setup");
	mp = rtu_pool_create("ops_rt", 1023, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	if (rte_eth_dev_rx_queue_stop(id, 0) != 0 || rte_eth_dev_tx_queue_stop(id, 0) != 0 ||
	    rte_eth_rx_queue_setup(id, 0, 1024, SOCKET_ID_ANY, NULL, mp) != 0 ||
	    rte_eth_tx_queue_setup(id, 0, 2048, SOCKET_ID_ANY, NULL) != 0 ||
	    rte_eth_dev_rx_queue_start(id, 0) != 0 || rte_eth_dev_tx_queue_start(id, 0) != 0) {
		printf("  runtime queue setup on a started port failed\n");
		goto out;
	}
	if (rte_eth_rx_queue_info_get(id, 0, &rxi) != 0 || rxi.mp != mp || rxi.nb_desc != 1024 ||
	    rte_eth_tx_queue_info_get(id, 0, &txi) != 0 || txi.nb_desc != 2048) {
		printf("  queue info does not show the new set-up\n");
		goto out;
	}
	if (rx_one(70) != TEST_SUCCESS || tx_one(71) != TEST_SUCCESS)
		goto out;
	ret = TEST_SUCCESS;
out:
	if (rtu_fixture_finish(&fx) != TEST_SUCCESS)
		ret = TEST_FAILED;
	rte_mempool_free(mp);
	return ret;
}

/* rx_queue_count and the descriptor status functions follow the rings. */
static int
test_descriptor_status(void)
{
	struct rte_mbuf *pkts[RTU_BURST];
	uint8_t frame[128];
	uint16_t id = fx.port.port_id;
	uint64_t deadline;
	int count = 0;

	/* The first burst posts the reads; frames then complete them. */
	TEST_ASSERT_EQUAL(rte_eth_rx_burst(id, 0, pkts, RTU_BURST), 0, "a frame nobody sent");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(id, 0, 0), RTE_ETH_RX_DESC_AVAIL,
			  "a posted read is not AVAIL");
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(id, 0, 100), RTE_ETH_RX_DESC_UNAVAIL,
			  "more reads than are ever posted");
	TEST_ASSERT(rte_eth_rx_descriptor_status(id, 0, RTAP_TEST_DEFAULT_DESC) < 0,
		    "an offset beyond nb_desc");
	rtu_frame_fill(frame, sizeof(frame), &fx.mac, &fx.peer, 80);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, sizeof(frame)), "send");
	rtu_frame_fill(frame, sizeof(frame), &fx.mac, &fx.peer, 81);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, sizeof(frame)), "send");
	/* COOP: completion work waits for this thread's next kernel entry. */
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while ((count = rte_eth_rx_queue_count(id, 0)) < 2 && rtu_now_ms() < deadline)
		usleep(1000);
	TEST_ASSERT_EQUAL(count, 2, "rx_queue_count %d with two frames read", count);
	TEST_ASSERT_EQUAL(rte_eth_rx_descriptor_status(id, 0, 1), RTE_ETH_RX_DESC_DONE,
			  "a completed read is not DONE");
	TEST_ASSERT_EQUAL(rtu_rx_wait(id, 0, pkts, RTU_BURST, 2, RTU_TIMEOUT_MS, NULL), 2U, "rx");
	rtu_free_bulk(pkts, 2);
	TEST_ASSERT_EQUAL(rte_eth_rx_queue_count(id, 0), 0, "frames left after the burst");

	TEST_ASSERT_SUCCESS(tx_one(82), "tx");
	TEST_ASSERT_EQUAL(rte_eth_tx_descriptor_status(id, 0, 0), RTE_ETH_TX_DESC_DONE,
			  "a completed write is not DONE");
	TEST_ASSERT(rte_eth_tx_descriptor_status(id, 0, RTAP_TEST_DEFAULT_DESC) < 0,
		    "an offset beyond nb_desc");
	return rtu_fixture_finish(&fx);
}

/* MBUF_FAST_FREE on a tx queue: mbufs go back to their pool, chains too. */
static int
test_tx_fast_free(void)
{
	struct rte_eth_txconf txc;
	struct rte_eth_dev_info info;
	uint16_t id = fx.port.port_id;
	unsigned int i;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(id, &info), "info");
	TEST_ASSERT(info.tx_queue_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE,
		    "MBUF_FAST_FREE not offered");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_stop(id, 0), "stop");
	txc = info.default_txconf;
	txc.offloads = RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(id, 0, 0, SOCKET_ID_ANY, &txc), "setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(id, 0), "start");
	for (i = 0; i < 100; i++)
		TEST_ASSERT_SUCCESS(tx_one(100 + i), "tx %u", i);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "mbufs not back in the pool");
	return rtu_fixture_finish(&fx);
}

/* No flow control; a conventional speed while the link is up, none while down. */
static int
test_flow_ctrl_and_speed(void)
{
	struct rte_eth_fc_conf fc;
	struct rte_eth_link link;
	uint16_t id = fx.port.port_id;

	memset(&fc, 0xff, sizeof(fc));
	TEST_ASSERT_SUCCESS(rte_eth_dev_flow_ctrl_get(id, &fc), "flow_ctrl_get");
	TEST_ASSERT_EQUAL(fc.mode, RTE_ETH_FC_NONE, "flow control mode %d", fc.mode);
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(id, &link), "link");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_UP, "link down");
	TEST_ASSERT_EQUAL(link.link_speed, RTE_ETH_SPEED_NUM_10G, "speed %u", link.link_speed);
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(id, &link), "link");
	TEST_ASSERT_EQUAL(link.link_speed, RTE_ETH_SPEED_NUM_NONE, "speed %u", link.link_speed);
	return rtu_fixture_finish(&fx);
}

static int
test_queue_start_stop(void)
{
	uint8_t frame[128];
	uint16_t id = fx.port.port_id;
	struct rte_mbuf *m;
	unsigned int n;

	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_stop(id, 0), "rx_queue_stop");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_stop(id, 0), "tx_queue_stop");
	/* No queue attached: the kernel drops what it sends now. */
	rtu_frame_fill(frame, sizeof(frame), &fx.mac, &fx.peer, 100);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, sizeof(frame)), "AF_PACKET send");

	TEST_ASSERT_SUCCESS(rte_eth_dev_rx_queue_start(id, 0), "rx_queue_start");
	TEST_ASSERT_SUCCESS(rte_eth_dev_tx_queue_start(id, 0), "tx_queue_start");
	TEST_ASSERT_SUCCESS(rx_one(1), "rx after queue restart");
	TEST_ASSERT_SUCCESS(tx_one(2), "tx after queue restart");
	n = rtu_rx_wait(id, 0, &m, 1, 1, 100, NULL);
	if (n > 0)
		rte_pktmbuf_free(m);
	TEST_ASSERT_EQUAL(n, 0U, "frame sent while the queue was stopped was received");
	return rtu_fixture_finish(&fx);
}

static int
test_devargs_mac(void)
{
	struct rte_ether_addr mac = { { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee } };
	struct rte_ether_addr got, kmac;

	TEST_ASSERT_SUCCESS(rtu_port_probe(&extra, "mac=02:aa:bb:cc:dd:ee"), "probe with mac=");
	TEST_ASSERT_SUCCESS(rtu_if_get_mac(extra.ifname, &kmac), "SIOCGIFHWADDR");
	TEST_ASSERT(rte_is_same_ether_addr(&kmac, &mac), "kernel MAC is not the devargs one");
	TEST_ASSERT_SUCCESS(rte_eth_macaddr_get(extra.port_id, &got), "macaddr_get");
	TEST_ASSERT(rte_is_same_ether_addr(&got, &mac), "port MAC is not the devargs one");
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");
	return rtu_fixture_finish(&fx);
}

static int
test_persist(void)
{
	char args[64];
	char name[IFNAMSIZ];
	int idx;

	/* Bare "persist" means persist=1: the interface outlives the port. */
	TEST_ASSERT_SUCCESS(rtu_port_probe(&extra, "persist"), "probe with persist");
	snprintf(name, sizeof(name), "%s", extra.ifname);
	snprintf(persist_name, sizeof(persist_name), "%s", name);
	idx = rtu_if_index(name);
	extra.ifname[0] = '\0'; /* not expected to disappear */
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");
	TEST_ASSERT(rtu_if_exists(name), "persistent interface %s deleted on close", name);

	/* A later port attaches to it. */
	snprintf(args, sizeof(args), "iface=%s,persist=1", name);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&extra, args), "re-attach to %s", name);
	TEST_ASSERT_EQUAL(rtu_if_index(name), idx, "interface recreated, not re-attached");
	TEST_ASSERT_SUCCESS(rtu_port_setup(&extra, 1, NULL, fx.rx_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&extra), "start");
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");
	TEST_ASSERT(rtu_if_exists(name), "persistent interface %s deleted on close", name);
	TEST_ASSERT_SUCCESS(rtu_run("ip link del %s", name), "ip link del %s", name);
	return rtu_fixture_finish(&fx);
}

static uint64_t
txqlen(const char *ifname)
{
	uint64_t v = 0;

	if (rtu_if_sysfs(ifname, "tx_queue_len", &v) < 0)
		return UINT64_MAX;
	return v;
}

/*
 * The kernel's rx backlog (the interface's txqueuelen): raised to 4096 by
 * default, never lowered unless asked, set exactly by txqueuelen=N.
 */
static int
test_txqueuelen(void)
{
	char args[64], name[IFNAMSIZ];

	if (!rtu_driver_is_rtap())
		TEST_SKIP("txqueuelen is a net_rtap devarg");
	TEST_ASSERT_EQUAL(txqlen(fx.port.ifname), 4096U, "default txqueuelen %" PRIu64,
			  txqlen(fx.port.ifname));
	TEST_ASSERT_SUCCESS(rtu_port_probe(&extra, "txqueuelen=300"), "probe with txqueuelen=");
	TEST_ASSERT_EQUAL(txqlen(extra.ifname), 300U, "txqueuelen=300 gave %" PRIu64,
			  txqlen(extra.ifname));
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");

	/* A longer queue on an interface we attach to is kept... */
	TEST_ASSERT_SUCCESS(rtu_port_probe(&extra, "persist=1"), "probe with persist");
	snprintf(name, sizeof(name), "%s", extra.ifname);
	snprintf(persist_name, sizeof(persist_name), "%s", name);
	extra.ifname[0] = '\0'; /* not expected to disappear */
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");
	TEST_ASSERT_SUCCESS(rtu_run("ip link set %s txqueuelen 8000", name), "ip link set");
	snprintf(args, sizeof(args), "iface=%s,persist=1", name);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&extra, args), "re-attach to %s", name);
	TEST_ASSERT_EQUAL(txqlen(name), 8000U, "txqueuelen 8000 became %" PRIu64, txqlen(name));
	extra.ifname[0] = '\0';
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");

	/* ...and lowered only when asked. */
	snprintf(args, sizeof(args), "iface=%s,persist=1,txqueuelen=2000", name);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&extra, args), "re-attach to %s", name);
	TEST_ASSERT_EQUAL(txqlen(name), 2000U, "txqueuelen=2000 gave %" PRIu64, txqlen(name));
	extra.ifname[0] = '\0';
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");
	TEST_ASSERT_SUCCESS(rtu_run("ip link del %s", name), "ip link del %s", name);
	return rtu_fixture_finish(&fx);
}

static int
test_default_iface_name(void)
{
	struct rte_eth_dev_info info;
	char name[IFNAMSIZ];

	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&extra, ""), "probe without devargs");
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(extra.port_id, &info), "infos_get");
	TEST_ASSERT_NOT_NULL(if_indextoname(info.if_index, name), "if_index %u unknown",
			     info.if_index);
	snprintf(extra.ifname, sizeof(extra.ifname), "%s", name);
	TEST_ASSERT_SUCCESS(strncmp(name, "rtap", 4), "default name %s is not rtap%%d", name);
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&extra), "close");
	return rtu_fixture_finish(&fx);
}

static struct unit_test_suite ops_suite = {
	.suite_name = "rtap ops",
	.setup = rtu_check_env,
	.teardown = NULL,
	.unit_test_cases = {
		TEST_CASE_ST(ops_setup, ops_teardown, test_infos_get),
		TEST_CASE_ST(ops_setup, ops_teardown, test_mac_matches_kernel),
		TEST_CASE_ST(ops_setup, ops_teardown, test_start_stop_restart),
		TEST_CASE_ST(ops_setup, ops_teardown, test_link_update),
		TEST_CASE_ST(ops_setup, ops_teardown, test_set_link_down_up),
		TEST_CASE_ST(ops_setup, ops_teardown, test_mtu_set),
		TEST_CASE_ST(ops_setup, ops_teardown, test_mac_addr_set),
		TEST_CASE_ST(ops_setup, ops_teardown, test_promiscuous),
		TEST_CASE_ST(ops_setup, ops_teardown, test_allmulticast),
		TEST_CASE_ST(ops_setup, ops_teardown, test_stats_get_reset),
		TEST_CASE_ST(ops_setup, ops_teardown, test_unequal_queue_counts),
		TEST_CASE_ST(ops_setup, ops_teardown, test_queue_info),
		TEST_CASE_ST(ops_setup, ops_teardown, test_runtime_queue_setup),
		TEST_CASE_ST(ops_setup, ops_teardown, test_descriptor_status),
		TEST_CASE_ST(ops_setup, ops_teardown, test_tx_fast_free),
		TEST_CASE_ST(ops_setup, ops_teardown, test_flow_ctrl_and_speed),
		TEST_CASE_ST(ops_setup, ops_teardown, test_queue_start_stop),
		TEST_CASE_ST(ops_setup, ops_teardown, test_devargs_mac),
		TEST_CASE_ST(ops_setup, ops_teardown, test_persist),
		TEST_CASE_ST(ops_setup, ops_teardown, test_default_iface_name),
		TEST_CASE_ST(ops_setup, ops_teardown, test_txqueuelen),
		TEST_CASES_END(),
	},
};

static int
test_rtap_ops(void)
{
	return unit_test_suite_runner(&ops_suite);
}

REGISTER_TEST_COMMAND(rtap_ops_autotest, test_rtap_ops);
