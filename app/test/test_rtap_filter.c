/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Receive filtering as a NIC does it: what arrives with promiscuous mode on
 * and off, all-multicast on and off, for frames to the port's own address,
 * to added unicast addresses, to a foreign one, broadcast, and listed and
 * unlisted multicast groups. The matrix runs on the kernel's filter
 * (TUNSETTXFILTER, which drops before the copy and counts in imissed) and
 * off it (nine added addresses: more unicast than the kernel holds, so the
 * driver filters alone and counts in `filtered`), and with multicast groups
 * the kernel only hashes, where the driver catches what the hash lets
 * through. Changes are made on the running port and hold for the next frame;
 * the kernel stack's own frames to the port's address arrive; a restart keeps
 * the set; closing leaves the interface unfiltered.
 *
 * Frames come from an AF_PACKET socket on the interface. The last frame of
 * every round goes to the port's own address: one queue delivers in order,
 * so when it is in, every frame sent before it was either received or
 * dropped.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <rte_ethdev.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

#define NB_ADDED_MAX 9

static struct rtu_fixture fx = { .pkt_fd = -1 };
static struct rtu_topo topo;
static char persist_name[IFNAMSIZ];
static int tun_fd = -1;
static uint8_t frame[2048];

static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const struct rte_ether_addr foreign = { { 0x02, 0xbb, 0x00, 0x00, 0x00, 0x01 } };
static const struct rte_ether_addr mc_listed = { { 0x01, 0x00, 0x5e, 0x01, 0x02, 0x03 } };
static const struct rte_ether_addr mc_other = { { 0x01, 0x00, 0x5e, 0x09, 0x09, 0x09 } };
static const struct rte_ether_addr mc6_other = { { 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 } };

/* The i-th address the tests add (0-based). */
static struct rte_ether_addr
added(unsigned int i)
{
	return (struct rte_ether_addr){ { 0x02, 0xaa, 0x00, 0x00, 0x00, (uint8_t)(i + 1) } };
}

static int
filter_setup(void)
{
	int ret = rtu_check_env();

	if (ret != TEST_SUCCESS)
		return ret;
	if (!rtu_driver_is_rtap())
		TEST_SKIP("net_rtap's filter and counters");
	return rtu_fixture_setup(&fx, 1, NULL, 1023, 127);
}

static int
filter_finish(void)
{
	int ret;

	if (tun_fd >= 0) {
		close(tun_fd);
		tun_fd = -1;
	}
	ret = rtu_fixture_finish(&fx);
	rtu_topo_destroy(&topo);
	if (persist_name[0] != '\0' && rtu_if_exists(persist_name))
		rtu_run("ip link del %s", persist_name);
	persist_name[0] = '\0';
	return ret;
}

static void
filter_teardown(void)
{
	filter_finish();
}

/* One frame to each destination of a round, with the outcome expected. */
struct dest {
	struct rte_ether_addr mac;
	const char *what;
	bool pass;
};

/*
 * Sends one test frame to each of @d, then one to the port's own address,
 * and checks that exactly those expected arrive. The dropped ones must be
 * counted: in imissed (the kernel's filter) or in `filtered` (the
 * driver's), as @kernel_drops and @sw_drops say (-1: either).
 */
static int
round_check(const struct dest *d, unsigned int n, int kernel_drops, int sw_drops, const char *cell)
{
	struct rte_mbuf *pkts[RTU_BURST];
	struct rtap_queue_stats c;
	struct rte_eth_stats st;
	uint64_t deadline, got = 0, want = 0;
	unsigned int i, dropped = 0;
	bool last = false;

	RTE_VERIFY(n < 63);
	rtu_rx_drain(fx.port.port_id, 1);
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats reset");
	for (i = 0; i <= n; i++) {
		const struct rte_ether_addr *dst = i < n ? &d[i].mac : &fx.mac;

		rtu_frame_fill(frame, 100, dst, &fx.peer, i);
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, 100), "send");
		if (i == n || d[i].pass)
			want |= UINT64_C(1) << i;
		else
			dropped++;
	}
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (!last && rtu_now_ms() < deadline) {
		uint16_t k, nb = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);

		for (k = 0; k < nb; k++) {
			int64_t s = rtu_mbuf_seq(pkts[k]);

			if (s >= 0 && s <= n) {
				got |= UINT64_C(1) << s;
				last = last || s == n;
			}
			rte_pktmbuf_free(pkts[k]);
		}
	}
	TEST_ASSERT(last, "%s: the frame to the port's own address never arrived", cell);
	for (i = 0; i < n; i++)
		if (((got >> i) & 1) != d[i].pass)
			printf("  %s: frame to %s (" RTE_ETHER_ADDR_PRT_FMT ") %s\n", cell,
			       d[i].what, RTE_ETHER_ADDR_BYTES(&d[i].mac),
			       d[i].pass ? "dropped" : "received");
	TEST_ASSERT_EQUAL(got, want, "%s: received %#" PRIx64 ", expected %#" PRIx64, cell, got,
			  want);

	/* Drops are counted; the kernel's count may trail its drops for a moment. */
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	do {
		TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
		TEST_ASSERT_SUCCESS(rtu_rtap_rx_counters(fx.port.port_id, &c), "counters");
	} while (st.imissed + c.filtered < dropped && rtu_now_ms() < deadline);
	TEST_ASSERT_EQUAL(st.imissed + c.filtered, (uint64_t)dropped,
			  "%s: %u dropped, imissed %" PRIu64 " + filtered %" PRIu64, cell, dropped,
			  st.imissed, c.filtered);
	if (kernel_drops >= 0)
		TEST_ASSERT_EQUAL(st.imissed, (uint64_t)kernel_drops,
				  "%s: imissed (the kernel's filter) %" PRIu64, cell, st.imissed);
	if (sw_drops >= 0)
		TEST_ASSERT_EQUAL(c.filtered, (uint64_t)sw_drops,
				  "%s: filtered (the driver's) %" PRIu64, cell, c.filtered);
	TEST_ASSERT_EQUAL(st.ierrors, 0ULL, "%s: ierrors %" PRIu64, cell, st.ierrors);
	return TEST_SUCCESS;
}

static int
set_modes(bool promisc, bool allmulti)
{
	uint16_t port = fx.port.port_id;

	TEST_ASSERT_SUCCESS(promisc ? rte_eth_promiscuous_enable(port) :
				      rte_eth_promiscuous_disable(port),
			    "promiscuous %d", promisc);
	TEST_ASSERT_SUCCESS(allmulti ? rte_eth_allmulticast_enable(port) :
				       rte_eth_allmulticast_disable(port),
			    "all-multicast %d", allmulti);
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(port), promisc, "promiscuous");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(port), allmulti, "all-multicast");
	return TEST_SUCCESS;
}

/*
 * The matrix with @nb_added unicast addresses added: each of the four
 * promiscuous x all-multicast modes, set on the running port, then a round.
 * @kernel: the kernel's filter can hold the set (every drop in imissed),
 * else the driver drops alone (every drop in `filtered`).
 */
static int
matrix(unsigned int nb_added, bool kernel)
{
	struct rte_ether_addr mc = mc_listed;
	struct dest d[NB_ADDED_MAX + 8];
	unsigned int i, mode;

	for (i = 0; i < nb_added; i++) {
		struct rte_ether_addr a = added(i);

		TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(fx.port.port_id, &a, 0),
				    "mac_addr_add %u", i);
	}
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, &mc, 1), "mc list");
	for (mode = 0; mode < 4; mode++) {
		bool promisc = mode & 1, allmulti = mode & 2;
		unsigned int n = 0, drops = 0;
		char cell[96];

		TEST_ASSERT_SUCCESS(set_modes(promisc, allmulti), "modes");
		d[n++] = (struct dest){ fx.mac, "its own address", true };
		for (i = 0; i < nb_added; i++)
			d[n++] = (struct dest){ added(i), "an added address", true };
		d[n++] = (struct dest){ foreign, "a foreign unicast", promisc };
		d[n++] = (struct dest){ bcast, "broadcast", true };
		d[n++] = (struct dest){ mc_listed, "a listed group", true };
		d[n++] = (struct dest){ mc_other, "an unlisted group", promisc || allmulti };
		d[n++] = (struct dest){ mc6_other, "an unlisted IPv6 group", promisc || allmulti };
		for (i = 0; i < n; i++)
			drops += !d[i].pass;
		snprintf(cell, sizeof(cell), "%u added, promiscuous %s, all-multicast %s", nb_added,
			 promisc ? "on" : "off", allmulti ? "on" : "off");
		TEST_ASSERT_SUCCESS(round_check(d, n, kernel ? (int)drops : 0,
						kernel ? 0 : (int)drops, cell),
				    "%s", cell);
	}
	return TEST_SUCCESS;
}

/* A fresh port: non-promiscuous, 16 addresses, its own frames only. */
static int
test_filter_default(void)
{
	struct rte_eth_dev_info info;
	const struct dest d[] = {
		{ foreign, "a foreign unicast", false },
		{ bcast, "broadcast", true },
		{ mc_other, "an unlisted group", false },
	};

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "info");
	TEST_ASSERT_EQUAL(info.max_mac_addrs, RTAP_MAX_MAC_ADDRS, "max_mac_addrs %u",
			  info.max_mac_addrs);
	TEST_ASSERT_EQUAL(rte_eth_promiscuous_get(fx.port.port_id), 0, "promiscuous at start");
	TEST_ASSERT_EQUAL(rte_eth_allmulticast_get(fx.port.port_id), 0, "all-multicast at start");
	TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 2, 0, "a fresh port"), "round");
	return filter_finish();
}

/* One added address: the kernel's filter holds the set and drops the rest. */
static int
test_filter_matrix_kernel(void)
{
	TEST_ASSERT_SUCCESS(matrix(1, true), "matrix");
	return filter_finish();
}

/* Nine added (ten unicast): beyond the kernel's exact eight, the driver filters alone. */
static int
test_filter_matrix_software(void)
{
	TEST_ASSERT_SUCCESS(matrix(NB_ADDED_MAX, false), "matrix");
	/* Back to one: the kernel's filter again. */
	for (unsigned int i = 1; i < NB_ADDED_MAX; i++) {
		struct rte_ether_addr a = added(i);

		TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_remove(fx.port.port_id, &a), "remove");
	}
	TEST_ASSERT_SUCCESS(set_modes(false, false), "modes");
	{
		const struct dest d[] = {
			{ added(0), "an added address", true },
			{ added(1), "a removed address", false },
			{ added(8), "a removed address", false },
			{ foreign, "a foreign unicast", false },
		};

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 3, 0, "one added again"), "round");
	}
	return filter_finish();
}

/* The kernel's multicast hash: a bin of the 64, as the kernel computes it (ether_crc >> 26). */
static unsigned int
kernel_hash_bin(const struct rte_ether_addr *a)
{
	uint32_t crc = 0xffffffff, rev = 0;
	unsigned int i, b;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++) {
		crc ^= a->addr_bytes[i];
		for (b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	for (b = 0; b < 32; b++)
		rev |= ((crc >> b) & 1) << (31 - b);
	return rev >> 26;
}

/*
 * Ten groups listed: with the own, added and broadcast addresses the kernel
 * holds the first eight exactly and hashes the rest. An unlisted group in the
 * bin of a hashed one passes the kernel; the driver drops it (`filtered`).
 * One in an empty bin the kernel drops (imissed).
 */
static int
test_filter_multicast_hash(void)
{
	struct rte_ether_addr mc[10], a = added(0), hit, miss;
	uint64_t bins = 0;
	unsigned int i, found = 0;

	TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(fx.port.port_id, &a, 0), "mac_addr_add");
	for (i = 0; i < RTE_DIM(mc); i++)
		mc[i] = (struct rte_ether_addr){ { 0x01, 0x00, 0x5e, 0x10, 0x00, (uint8_t)i } };
	/* own, added, broadcast, mc[0..4] exactly; mc[5..9] hashed. */
	for (i = 5; i < RTE_DIM(mc); i++)
		bins |= UINT64_C(1) << kernel_hash_bin(&mc[i]);
	for (i = 0; i < 256 && found != 3; i++) {
		struct rte_ether_addr c = { { 0x01, 0x00, 0x5e, 0x20, 0x00, (uint8_t)i } };

		if (!(found & 1) && ((bins >> kernel_hash_bin(&c)) & 1)) {
			hit = c;
			found |= 1;
		} else if (!(found & 2) && !((bins >> kernel_hash_bin(&c)) & 1)) {
			miss = c;
			found |= 2;
		}
	}
	TEST_ASSERT_EQUAL(found, 3u, "no unlisted group for both cases");
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, mc, RTE_DIM(mc)),
			    "mc list");
	{
		const struct dest d[] = {
			{ mc[0], "a group held exactly", true },
			{ mc[9], "a hashed group", true },
			{ hit, "an unlisted group in a hashed group's bin", false },
			{ miss, "an unlisted group in an empty bin", false },
			{ bcast, "broadcast", true },
		};

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 1, 1, "hashed groups"), "round");
	}
	return filter_finish();
}

/* mac_addr_add/remove and set_mc_addr_list on the running port; limits; a restart. */
static int
test_filter_changes(void)
{
	struct rte_ether_addr many[RTAP_MAX_MC_ADDRS + 1], uc = foreign, a;
	unsigned int i;

	/* The list is replaced whole, and emptied. */
	for (i = 0; i < RTE_DIM(many); i++)
		many[i] = (struct rte_ether_addr){ { 0x01, 0x00, 0x5e, 0x30, 0x00, (uint8_t)i } };
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, many, 2), "mc list");
	{
		const struct dest d[] = {
			{ many[0], "a listed group", true },
			{ many[1], "a listed group", true },
			{ many[2], "an unlisted group", false },
		};

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 1, 0, "two groups"), "round");
	}
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, &many[2], 1), "mc list");
	{
		const struct dest d[] = {
			{ many[0], "a group no longer listed", false },
			{ many[2], "the listed group", true },
		};

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 1, 0, "another group"), "round");
	}
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, NULL, 0), "flush");
	{
		const struct dest d[] = { { many[2], "a flushed group", false } };

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 1, 0, "no group"), "round");
	}
	/* Limits: a unicast group, too many groups, VMDq pools, a full table. */
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mc_addr_list(fx.port.port_id, &uc, 1), -EINVAL,
			  "a unicast address as a group");
	TEST_ASSERT_EQUAL(rte_eth_dev_set_mc_addr_list(fx.port.port_id, many, RTE_DIM(many)),
			  -ENOSPC, "%u groups", (unsigned int)RTE_DIM(many));
	a = added(0);
	TEST_ASSERT_EQUAL(rte_eth_dev_mac_addr_add(fx.port.port_id, &a, 1), -ENOTSUP, "pool 1");
	for (i = 0; i < RTAP_MAX_MAC_ADDRS - 1; i++) {
		a = added(i);
		TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(fx.port.port_id, &a, 0),
				    "mac_addr_add %u", i);
	}
	a = added(RTAP_MAX_MAC_ADDRS);
	TEST_ASSERT_EQUAL(rte_eth_dev_mac_addr_add(fx.port.port_id, &a, 0), -ENOSPC, "address %u",
			  RTAP_MAX_MAC_ADDRS + 1);
	for (i = 1; i < RTAP_MAX_MAC_ADDRS - 1; i++) {
		a = added(i);
		TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_remove(fx.port.port_id, &a), "remove");
	}
	/* A restart keeps the addresses (ethdev replays them), the list and the mode. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, many, 1), "mc list");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	{
		const struct dest d[] = {
			{ added(0), "an added address", true },
			{ added(1), "a removed address", false },
			{ many[0], "a listed group", true },
			{ many[1], "an unlisted group", false },
			{ foreign, "a foreign unicast", false },
		};

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 3, 0, "after a restart"), "round");
	}
	return filter_finish();
}

/*
 * A change holds for frames the kernel had already queued (the kernel's
 * filter never saw them: the driver drops them), and one made on a stopped
 * port holds from its start.
 */
static int
test_filter_queued_and_stopped(void)
{
	struct rte_mbuf *pkts[RTU_BURST];
	struct rtap_queue_stats c;
	struct rte_eth_stats st;
	uint64_t deadline;
	unsigned int i, own = 0, other = 0;

	TEST_ASSERT_SUCCESS(set_modes(true, false), "promiscuous");
	/* Queued with promiscuous mode on: no kernel filter, and no burst takes them yet. */
	for (i = 0; i < 10; i++) {
		rtu_frame_fill(frame, 100, i < 5 ? &foreign : &fx.mac, &fx.peer, i);
		TEST_ASSERT_SUCCESS(rtu_pkt_send(fx.pkt_fd, frame, 100), "send");
	}
	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats reset");
	TEST_ASSERT_SUCCESS(set_modes(false, false), "promiscuous off");
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (own < 5 && rtu_now_ms() < deadline) {
		uint16_t k, n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);

		for (k = 0; k < n; k++) {
			int64_t s = rtu_mbuf_seq(pkts[k]);

			if (s >= 5 && s < 10)
				own++;
			else if (s >= 0 && s < 5)
				other++;
			rte_pktmbuf_free(pkts[k]);
		}
	}
	TEST_ASSERT_EQUAL(own, 5u, "%u of the 5 frames to the port's address", own);
	TEST_ASSERT_EQUAL(other, 0u, "%u frames to a foreign address queued before the change",
			  other);
	/* Dropped by the driver (or, had the kernel not queued them yet, by its filter). */
	TEST_ASSERT_SUCCESS(rtu_rtap_rx_counters(fx.port.port_id, &c), "counters");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
	TEST_ASSERT_EQUAL(c.filtered + st.imissed, 5ULL,
			  "filtered %" PRIu64 " + imissed %" PRIu64 " for 5 dropped", c.filtered,
			  st.imissed);
	printf("  5 frames queued before the change: %" PRIu64 " dropped by the driver\n",
	       c.filtered);

	/* Changed while stopped: in force at the start. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	{
		struct rte_ether_addr a = added(3), mc = mc_listed;

		TEST_ASSERT_SUCCESS(rte_eth_dev_mac_addr_add(fx.port.port_id, &a, 0), "add");
		TEST_ASSERT_SUCCESS(rte_eth_dev_set_mc_addr_list(fx.port.port_id, &mc, 1), "list");
		TEST_ASSERT_SUCCESS(rte_eth_allmulticast_enable(fx.port.port_id), "all-multicast");
	}
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	{
		const struct dest d[] = {
			{ added(3), "an address added while stopped", true },
			{ mc_other, "a group, all-multicast set while stopped", true },
			{ foreign, "a foreign unicast", false },
		};

		TEST_ASSERT_SUCCESS(round_check(d, RTE_DIM(d), 1, 0, "set while stopped"), "round");
	}
	return filter_finish();
}

/*
 * The kernel stack's own frames to the port's address arrive with
 * promiscuous mode off (R knows the port's side by that address), and follow
 * a change of it; its ARP broadcasts arrive; frames to another host do not.
 */
static int
test_filter_kernel_frames(void)
{
	struct rte_ether_addr mac2 = { { 0x02, 0x52, 0x54, 0x00, 0x77, 0x01 } };
	struct rtu_hdr h = { rte_cpu_to_be_32(RTU_MAGIC), 0 };
	struct rte_mbuf *pkts[RTU_BURST];
	int fd;

	/* The datagrams carry a test header: rtu_rx_wait() counts them. */
	memcpy(frame, &h, sizeof(h));
	TEST_ASSERT_SUCCESS(rtu_topo_routed(&topo, fx.port.ifname, &fx.mac, 0), "topology");
	fd = rtu_ns_udp_send(topo.ns_r, RTU_TOPO_PORT_IP4, 5555, frame, 100);
	TEST_ASSERT(fd >= 0, "UDP from R: %s", strerror(-fd));
	close(fd);
	TEST_ASSERT_EQUAL(rtu_rx_wait(fx.port.port_id, 0, pkts, 1, 1, RTU_TIMEOUT_MS, NULL), 1u,
			  "R's datagram to the port's own address");
	rtu_free_bulk(pkts, 1);

	/* Another host's address: not ours. */
	topo.port_mac = foreign;
	TEST_ASSERT_SUCCESS(rtu_topo_set_port_neigh(&topo), "neighbour");
	rtu_rx_drain(fx.port.port_id, 1);
	fd = rtu_ns_udp_send(topo.ns_r, RTU_TOPO_PORT_IP4, 5555, frame, 100);
	TEST_ASSERT(fd >= 0, "UDP from R: %s", strerror(-fd));
	close(fd);
	TEST_ASSERT_EQUAL(rtu_rx_wait(fx.port.port_id, 0, pkts, 1, 1, 500, NULL), 0u,
			  "R's datagram to another host arrived");

	/* The port's address changes: R's frames to the new one arrive. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_default_mac_addr_set(fx.port.port_id, &mac2), "mac set");
	topo.port_mac = mac2;
	TEST_ASSERT_SUCCESS(rtu_topo_set_port_neigh(&topo), "neighbour");
	fd = rtu_ns_udp_send(topo.ns_r, RTU_TOPO_PORT_IP4, 5555, frame, 100);
	TEST_ASSERT(fd >= 0, "UDP from R: %s", strerror(-fd));
	close(fd);
	TEST_ASSERT_EQUAL(rtu_rx_wait(fx.port.port_id, 0, pkts, 1, 1, RTU_TIMEOUT_MS, NULL), 1u,
			  "R's datagram to the port's new address");
	rtu_free_bulk(pkts, 1);

	/* An address R must resolve: its ARP request is broadcast, and arrives. */
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh flush dev %s", topo.ns_r, fx.port.ifname),
			    "flush");
	rtu_rx_drain(fx.port.port_id, 1);
	fd = rtu_ns_udp_send(topo.ns_r, "10.77.1.3", 5555, frame, 100);
	TEST_ASSERT(fd >= 0, "UDP from R: %s", strerror(-fd));
	close(fd);
	{
		uint64_t deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
		bool arp = false;

		while (!arp && rtu_now_ms() < deadline) {
			uint16_t i, n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTU_BURST);

			for (i = 0; i < n; i++) {
				const struct rte_ether_hdr *eth =
					rte_pktmbuf_mtod(pkts[i], const struct rte_ether_hdr *);

				arp = arp ||
					(eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP) &&
					 rte_is_broadcast_ether_addr(&eth->dst_addr));
				rte_pktmbuf_free(pkts[i]);
			}
		}
		TEST_ASSERT(arp, "no ARP broadcast from R");
	}
	return filter_finish();
}

/*
 * Closing the port clears the kernel's filter: the next user of a persistent
 * interface (here a plain TAP reader) gets every frame.
 */
static int
test_filter_close_clears(void)
{
	struct rtu_port p;
	struct ifreq ifr;
	uint8_t buf[256];
	int on = 1, fd;
	bool seen = false;
	uint64_t deadline;

	TEST_ASSERT_SUCCESS(rtu_fixture_finish(&fx), "the fixture's port is not needed");
	TEST_ASSERT_SUCCESS(rtu_port_probe(&p, "persist=1"), "probe");
	snprintf(persist_name, sizeof(persist_name), "%s", p.ifname);
	p.ifname[0] = '\0'; /* it stays */
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&p), "close");
	TEST_ASSERT(rtu_if_exists(persist_name), "%s gone", persist_name);

	tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	TEST_ASSERT(tun_fd >= 0, "open /dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", persist_name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR;
	TEST_ASSERT_SUCCESS(ioctl(tun_fd, TUNSETIFF, &ifr), "TUNSETIFF: %s", strerror(errno));
	TEST_ASSERT_SUCCESS(ioctl(tun_fd, TUNSETCARRIER, &on), "TUNSETCARRIER: %s",
			    strerror(errno));
	TEST_ASSERT_SUCCESS(rtu_if_set_flags(persist_name, IFF_UP, 0), "up");
	fd = fx.pkt_fd = rtu_pkt_open(persist_name, RTU_ETHERTYPE);
	TEST_ASSERT(fd >= 0, "AF_PACKET: %s", strerror(-fd));
	rtu_frame_fill(frame, 100, &foreign, &bcast, 42);
	TEST_ASSERT_SUCCESS(rtu_pkt_send(fd, frame, 100), "send");
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (!seen && rtu_now_ms() < deadline) {
		struct pollfd pfd = { .fd = tun_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(tun_fd, buf, sizeof(buf));
		seen = n > RTAP_VNET_HDR_LEN &&
			rtu_frame_seq(buf + RTAP_VNET_HDR_LEN, n - RTAP_VNET_HDR_LEN) == 42;
	}
	close(fd);
	fx.pkt_fd = -1;
	TEST_ASSERT(seen, "a frame to a foreign address did not reach the TAP's next reader");
	return filter_finish();
}

#define CASE(fn) TEST_CASE_ST(filter_setup, filter_teardown, fn)

static struct unit_test_suite filter_suite = {
	.suite_name = "rtap receive filter",
	.unit_test_cases = {
		CASE(test_filter_default),
		CASE(test_filter_matrix_kernel),
		CASE(test_filter_matrix_software),
		CASE(test_filter_multicast_hash),
		CASE(test_filter_changes),
		CASE(test_filter_queued_and_stopped),
		CASE(test_filter_kernel_frames),
		CASE(test_filter_close_clears),
		TEST_CASES_END(),
	},
};

static int
test_rtap_filter(void)
{
	return unit_test_suite_runner(&filter_suite);
}

REGISTER_TEST_COMMAND(rtap_filter_autotest, test_rtap_filter);
