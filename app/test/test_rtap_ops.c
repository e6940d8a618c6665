/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/* Control operations: each checks what ethdev reports against what the kernel shows. */

#include <errno.h>
#include <string.h>
#include <net/if.h>

#include <rte_ethdev.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

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

static int
test_configure_unequal_queues(void)
{
	struct rte_eth_conf conf;
	uint16_t id = fx.port.port_id;
	int ret;

	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(id), "stop");
	fx.port.started = false;
	ret = rte_eth_dev_configure(id, 2, 1, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "configure(2 rx, 1 tx) returned %d", ret);
	ret = rte_eth_dev_configure(id, 1, 2, &conf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "configure(1 rx, 2 tx) returned %d", ret);
	/* The port still works after the refusals. */
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 2, NULL, fx.rx_pool, 0), "reconfigure 2+2");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	TEST_ASSERT_SUCCESS(tx_one(1), "tx after reconfigure");
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
		TEST_CASE_ST(ops_setup, ops_teardown, test_configure_unequal_queues),
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
