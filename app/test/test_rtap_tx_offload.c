/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Tx offloads: checksum, TSO/USO and malformed requests, checked by what the
 * kernel makes of them; and LRO end to end, received and sent again as TSO.
 *
 * A packet the port sends with NEEDS_CSUM or a GSO request becomes a
 * CHECKSUM_PARTIAL (and GSO) skb, which the kernel trusts on local delivery:
 * a socket receiving it proves nothing about the checksum field. So the
 * cases route through a namespace R that forwards out a veth with tx
 * checksumming off; there the kernel finishes every checksum and segments
 * in software, exactly from the metadata the driver wrote. The other end of
 * the veth, in namespace S, validates what arrives like any host (counted in
 * its own /proc/net/snmp) and is where the test captures the frames
 * (rtu_topo_routed(), drawn in rtap_test_util.h).
 *
 * VLAN and QinQ insertion go the same way, through VLAN interfaces on the
 * port's interface in R: the frames reach them only with the right tags,
 * and the checksums and segments S gets only with the offsets moved by them.
 *
 * LRO runs a real TCP transfer between two namespaces (rtu_topo_pair())
 * through a forwarder in the test that turns LRO frames back into TSO
 * requests.
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_net.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define TSO_PAYLOAD    20000
#define TSO_SEGSZ      1400
#define USO_PAYLOAD    8000
#define LRO_BYTES      (16u << 20)
#define LRO_TIMEOUT_MS 20000
#define SPORT	       40000
#define DPORT	       5555

static const struct rte_ether_addr host_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };

static struct rtu_fixture fx = { .pkt_fd = -1 };
static struct rtu_fixture fx2 = { .pkt_fd = -1 };
static struct rtu_topo topo;
static int cap_fd = -1; /* AF_PACKET on the veth in S */
static int sock_fd[4] = { -1, -1, -1, -1 };
/* Tags the packets of a case ask for (RTE_MBUF_F_TX_VLAN/QINQ; VLAN_TCI and OUTER_TCI). */
static uint64_t tx_vlan_fl;
#define VLAN_TCI  (0xa000 | 100) /* PCP 5, VID 100 */
#define OUTER_TCI 10
/* Where the cases' frames go: the port's own address (R's), unless a case says. */
static const struct rte_ether_addr *tx_dst;

static const struct rte_ether_addr *
tx_dst_mac(void)
{
	return tx_dst != NULL ? tx_dst : &fx.mac;
}

/* The tags a captured frame carried: its outer tag from the metadata, an inner one inlined. */
struct tags {
	bool outer_valid;
	uint16_t outer_tpid, outer_tci;
	bool inner_valid;
	uint16_t inner_tci;
};
static ssize_t
cap_recv_tags(int fd, uint8_t *buf, size_t len, unsigned int timeout_ms, struct tags *t);
static bool tags_ok(const struct tags *t);
static unsigned int bad_tags;
static uint8_t frame[RTU_MAX_FRAME];
static uint8_t rbuf[RTU_MAX_FRAME];

/* The case's kernel-side sockets and the capture in S. */
static void
close_sockets(void)
{
	rtu_close_fds(&cap_fd, 1);
	rtu_close_fds(sock_fd, RTE_DIM(sock_fd));
	tx_vlan_fl = 0;
	tx_dst = NULL;
}

/* Sockets, ports (checks included), namespaces. */
static int
tx_finish(void)
{
	int ret = TEST_SUCCESS;

	close_sockets();
	if (rtu_fixture_finish(&fx2) != TEST_SUCCESS)
		ret = TEST_FAILED;
	if (rtu_fixture_finish(&fx) != TEST_SUCCESS)
		ret = TEST_FAILED;
	rtu_topo_destroy(&topo);
	return ret;
}

static void
tx_teardown(void)
{
	tx_finish();
}

/* ---- test frames ---- */

struct flow {
	bool v6;
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t sport;
	uint16_t dport;
};

/* The port's side and S in the address plan of rtu_topo_routed(), as frames carry them. */
static struct in_addr ip4_port, ip4_s;
static struct in6_addr ip6_port, ip6_s;

static inline uint8_t
pat(uint32_t seed, size_t i)
{
	return (uint8_t)(seed * 13 + i * 7 + (i >> 8) + (i >> 16));
}

static size_t
l3_len_of(const struct flow *f)
{
	return f->v6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
}

static size_t
l4_len_of(const struct flow *f)
{
	return f->proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) : sizeof(struct rte_udp_hdr);
}

/*
 * Ethernet/IP/L4 frame from the port's side (10.77.1.2 or fd77:1::2) to S
 * with @payload pattern bytes, every checksum correct. Returns its length.
 */
static size_t
build_frame(uint8_t *buf, const struct rte_ether_addr *dst, const struct flow *f, size_t payload,
	    uint32_t seed)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	size_t l3 = l3_len_of(f), l4len = l4_len_of(f);
	size_t len = sizeof(*eth) + l3 + l4len + payload;
	uint8_t *l4 = buf + sizeof(*eth) + l3, *data = l4 + l4len;
	size_t i;

	memset(buf, 0, sizeof(*eth) + l3 + l4len);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(&host_mac, &eth->src_addr);
	for (i = 0; i < payload; i++)
		data[i] = pat(seed, i);
	if (f->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)l4;

		tcp->src_port = rte_cpu_to_be_16(f->sport);
		tcp->dst_port = rte_cpu_to_be_16(f->dport);
		tcp->sent_seq = rte_cpu_to_be_32(1000000 * seed);
		tcp->recv_ack = rte_cpu_to_be_32(1);
		tcp->data_off = 5 << 4;
		tcp->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
		tcp->rx_win = rte_cpu_to_be_16(65535);
	} else {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;

		udp->src_port = rte_cpu_to_be_16(f->sport);
		udp->dst_port = rte_cpu_to_be_16(f->dport);
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(l4len + payload));
	}
	if (f->v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l4len + payload));
		ip->proto = f->proto;
		ip->hop_limits = 64;
		/* &: an array up to 24.07, struct rte_ipv6_addr since */
		memcpy(&ip->src_addr, &ip6_port, sizeof(ip->src_addr));
		memcpy(&ip->dst_addr, &ip6_s, sizeof(ip->dst_addr));
		if (f->proto == IPPROTO_TCP)
			((struct rte_tcp_hdr *)l4)->cksum = rte_ipv6_udptcp_cksum(ip, l4);
		else
			((struct rte_udp_hdr *)l4)->dgram_cksum = rte_ipv6_udptcp_cksum(ip, l4);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4len + payload));
		ip->packet_id = rte_cpu_to_be_16((uint16_t)seed);
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = f->proto;
		ip->src_addr = ip4_port.s_addr;
		ip->dst_addr = ip4_s.s_addr;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (f->proto == IPPROTO_TCP)
			((struct rte_tcp_hdr *)l4)->cksum = rte_ipv4_udptcp_cksum(ip, l4);
		else
			((struct rte_udp_hdr *)l4)->dgram_cksum = rte_ipv4_udptcp_cksum(ip, l4);
	}
	return len;
}

/* Where the L4 checksum of a build_frame() frame is. */
static unaligned_uint16_t *
l4_cksum_ptr(uint8_t *buf, const struct flow *f)
{
	uint8_t *l4 = buf + RTE_ETHER_HDR_LEN + l3_len_of(f);

	return (unaligned_uint16_t *)(l4 +
				      (f->proto == IPPROTO_TCP ?
					       offsetof(struct rte_tcp_hdr, cksum) :
					       offsetof(struct rte_udp_hdr, dgram_cksum)));
}

/* Offload flags and header lengths for @f (TSO/USO when segsz != 0). */
static void
mbuf_offload(struct rte_mbuf *m, const struct flow *f, uint64_t extra, uint16_t segsz)
{
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = l3_len_of(f);
	m->l4_len = l4_len_of(f);
	m->ol_flags = extra | tx_vlan_fl | (f->v6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4);
	m->vlan_tci = VLAN_TCI;
	m->vlan_tci_outer = OUTER_TCI;
	m->ol_flags |= f->proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	if (segsz != 0) {
		m->ol_flags |=
			f->proto == IPPROTO_TCP ? RTE_MBUF_F_TX_TCP_SEG : RTE_MBUF_F_TX_UDP_SEG;
		m->tso_segsz = segsz;
	}
}

/* tx_prepare (unless !prepare) and tx_burst of one packet; the port owns it afterwards. */
static int
send_mbuf(const struct rtu_fixture *f, struct rte_mbuf *m, bool prepare)
{
	if (prepare && rte_eth_tx_prepare(f->port.port_id, 0, &m, 1) != 1) {
		int err = rte_errno;

		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "rte_eth_tx_prepare refused a valid packet: %s", strerror(err));
	}
	if (rtu_tx_all(f->port.port_id, 0, &m, 1, RTU_TIMEOUT_MS) != 1) {
		rte_pktmbuf_free(m);
		TEST_ASSERT(false, "tx_burst never took the packet");
	}
	return TEST_SUCCESS;
}

/* Destination port of a captured frame of family @v6 and protocol @proto, else 0. */
static uint16_t
frame_dport(const uint8_t *buf, size_t n, bool v6, uint8_t proto)
{
	const struct rte_ether_hdr *eth = (const void *)buf;
	size_t l3;
	uint8_t p;

	if (n < sizeof(*eth) + sizeof(struct rte_ipv4_hdr))
		return 0;
	if (v6) {
		const struct rte_ipv6_hdr *ip = (const void *)(eth + 1);

		if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
			return 0;
		p = ip->proto;
		l3 = sizeof(*ip);
	} else {
		const struct rte_ipv4_hdr *ip = (const void *)(eth + 1);

		if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
			return 0;
		p = ip->next_proto_id;
		l3 = rte_ipv4_hdr_len(ip);
	}
	if (p != proto || n < sizeof(*eth) + l3 + 4)
		return 0;
	/* Ports sit at the same place in TCP and UDP. */
	return rte_be_to_cpu_16(((const struct rte_udp_hdr *)(buf + sizeof(*eth) + l3))->dst_port);
}

/*
 * Next frame on the capture socket of protocol @proto to @dport (others are
 * skipped). Returns its length, 0 on timeout.
 */
static ssize_t
cap_next(int fd, bool v6, uint8_t proto, uint16_t dport, uint8_t *buf, size_t len,
	 unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;

	for (;;) {
		uint64_t now = rtu_now_ms();
		struct tags t;
		ssize_t n;

		if (now >= deadline)
			return 0;
		if (tx_vlan_fl != 0)
			n = cap_recv_tags(fd, buf, len, (unsigned int)(deadline - now), &t);
		else
			n = rtu_pkt_recv(fd, buf, len, (unsigned int)(deadline - now));
		if (n <= 0)
			return n;
		if (frame_dport(buf, n, v6, proto) == dport) {
			if (tx_vlan_fl != 0 && !tags_ok(&t) && bad_tags++ == 0)
				printf("  a frame to port %u with tags %#x/%#x (%svalid), inner "
				       "%#x (%svalid)\n",
				       dport, t.outer_tpid, t.outer_tci, t.outer_valid ? "" : "in",
				       t.inner_tci, t.inner_valid ? "" : "in");
			return n;
		}
	}
}

struct seen {
	uint32_t tcp_seq;
	uint16_t ip_len;
	uint16_t l4_csum;
	uint16_t l4_csum_ok; /* what it should be */
	uint8_t tcp_flags;
	size_t payload;
	const uint8_t *data;
};

/*
 * Checks a frame captured in S: IPv4 header checksum, L4 checksum (full, as
 * the kernel finished it); fills @s. 0 if both checksums are right.
 */
static int
check_frame(uint8_t *buf, size_t n, const struct flow *f, struct seen *s)
{
	uint8_t *l3 = buf + RTE_ETHER_HDR_LEN, *l4;
	size_t l3len, l4len;
	unaligned_uint16_t *csum;
	uint16_t saved;
	int bad = 0;

	memset(s, 0, sizeof(*s));
	if (f->v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;

		l3len = sizeof(*ip);
		s->ip_len = rte_be_to_cpu_16(ip->payload_len);
		if (RTE_ETHER_HDR_LEN + l3len + s->ip_len > n)
			return -1;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		l3len = rte_ipv4_hdr_len(ip);
		s->ip_len = rte_be_to_cpu_16(ip->total_length);
		if ((size_t)RTE_ETHER_HDR_LEN + s->ip_len > n)
			return -1;
		if (rte_raw_cksum(ip, l3len) != 0xffff) {
			printf("  IPv4 header checksum 0x%04x wrong\n",
			       rte_be_to_cpu_16(ip->hdr_checksum));
			bad = -1;
		}
	}
	l4 = l3 + l3len;
	if (f->proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)l4;

		l4len = (tcp->data_off >> 4) * 4;
		s->tcp_seq = rte_be_to_cpu_32(tcp->sent_seq);
		s->tcp_flags = tcp->tcp_flags;
		csum = (unaligned_uint16_t *)(l4 + offsetof(struct rte_tcp_hdr, cksum));
	} else {
		l4len = sizeof(struct rte_udp_hdr);
		csum = (unaligned_uint16_t *)(l4 + offsetof(struct rte_udp_hdr, dgram_cksum));
	}
	s->data = l4 + l4len;
	s->payload = f->v6 ? s->ip_len - l4len : s->ip_len - l3len - l4len;
	s->l4_csum = rte_be_to_cpu_16(*csum);
	saved = *csum;
	*csum = 0;
	s->l4_csum_ok =
		rte_be_to_cpu_16(f->v6 ? rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)l3, l4) :
					 rte_ipv4_udptcp_cksum((struct rte_ipv4_hdr *)l3, l4));
	*csum = saved;
	if (s->l4_csum != s->l4_csum_ok)
		bad = -1;
	return bad;
}

/* The @len bytes at @data are pattern @seed from offset @off. */
static int
check_payload(const uint8_t *data, size_t len, uint32_t seed, size_t off)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] != pat(seed, off + i)) {
			printf("  payload byte %zu is 0x%02x, expected 0x%02x\n", off + i, data[i],
			       pat(seed, off + i));
			return -1;
		}
	}
	return 0;
}

/* Captures the frame of flow @f built from @seed and checks checksums and payload. */
static int
expect_forwarded(const struct flow *f, uint32_t seed, size_t payload, bool expect_good)
{
	struct seen s;
	ssize_t n;
	int ok;

	n = cap_next(cap_fd, f->v6, f->proto, f->dport, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);
	TEST_ASSERT(n > 0, "%s/%s frame %u (%zu bytes payload) never came out of R",
		    f->v6 ? "IPv6" : "IPv4", f->proto == IPPROTO_TCP ? "TCP" : "UDP", seed,
		    payload);
	ok = check_frame(rbuf, n, f, &s);
	TEST_ASSERT_EQUAL(s.payload, payload, "frame %u: payload %zu bytes", seed, s.payload);
	TEST_ASSERT_SUCCESS(check_payload(s.data, s.payload, seed, 0), "frame %u payload", seed);
	if (expect_good)
		TEST_ASSERT_SUCCESS(ok, "frame %u: L4 checksum 0x%04x, correct is 0x%04x", seed,
				    s.l4_csum, s.l4_csum_ok);
	else
		TEST_ASSERT(ok != 0, "frame %u: a wrong checksum went unnoticed (0x%04x)", seed,
			    s.l4_csum);
	return TEST_SUCCESS;
}

/* A UDP socket in S bound to @dport, with a receive timeout. */
static int
udp_listen_s(bool v6, uint16_t dport)
{
	return rtu_ns_udp_bind(topo.ns_s, v6 ? "::" : "0.0.0.0", dport, RTU_TIMEOUT_MS);
}

/* ---- setups ---- */

static int
tx_suite_setup(void)
{
	int ret = rtu_check_env();

	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT(inet_pton(AF_INET, RTU_TOPO_PORT_IP4, &ip4_port) == 1 &&
			    inet_pton(AF_INET, RTU_TOPO_S_IP4, &ip4_s) == 1 &&
			    inet_pton(AF_INET6, RTU_TOPO_PORT_IP6, &ip6_port) == 1 &&
			    inet_pton(AF_INET6, RTU_TOPO_S_IP6, &ip6_s) == 1,
		    "address plan");
	return TEST_SUCCESS;
}

static int
tx_setup(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rtu_fixture_setup(&fx, 1, NULL, 1023, 2047);
	if (ret != TEST_SUCCESS)
		return ret;
	/* Reconfigure with every tx offload the port has. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "info");
	/*
	 * Every offload the port offers but MBUF_FAST_FREE, which is a promise
	 * (one pool, no clones or extra references) these cases break on purpose.
	 */
	conf.txmode.offloads = info.tx_offload_capa & ~RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, &conf, fx.rx_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	return TEST_SUCCESS;
}

static int
tx_topo_setup(void)
{
	int ret = tx_setup();

	if (ret != TEST_SUCCESS)
		return ret;
	ret = rtu_topo_routed(&topo, fx.port.ifname, &host_mac, RTU_TOPO_VETH | RTU_TOPO_IPV6);
	if (ret != TEST_SUCCESS)
		return ret;
	cap_fd = rtu_ns_pkt_open(topo.ns_s, topo.veth_s, ETH_P_ALL);
	TEST_ASSERT(cap_fd >= 0, "AF_PACKET on %s: %s", topo.veth_s, strerror(-cap_fd));
	return TEST_SUCCESS;
}

/* ---- tx cases ---- */

static const struct flow tcp4 = { false, IPPROTO_TCP, SPORT, DPORT };
static const struct flow tcp6 = { true, IPPROTO_TCP, SPORT, DPORT };
static const struct flow udp4 = { false, IPPROTO_UDP, SPORT, DPORT };
static const struct flow udp6 = { true, IPPROTO_UDP, SPORT, DPORT };

/*
 * One packet of @f with @payload bytes, its checksums spoiled, sent with
 * checksum offload through tx_prepare; as @nb_segs segments.
 */
static int
send_cksum(const struct flow *f, size_t payload, uint32_t seed, unsigned int nb_segs)
{
	struct rte_mbuf *m;
	size_t len;

	len = build_frame(frame, tx_dst_mac(), f, payload, seed);
	*l4_cksum_ptr(frame, f) = rte_cpu_to_be_16(0xdead);
	if (!f->v6)
		((struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN))->hdr_checksum = 0xbeef;
	m = rtu_mbuf_from(fx.tx_pool, frame, len, nb_segs);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT(m->data_len >= RTE_ETHER_HDR_LEN + l3_len_of(f) + l4_len_of(f),
		    "headers split");
	mbuf_offload(m, f, f->v6 ? 0 : RTE_MBUF_F_TX_IP_CKSUM, 0);
	return send_mbuf(&fx, m, true);
}

static const size_t cksum_sizes[] = { 0, 1, 17, 100, 1000, 1400 };

/*
 * Control for the checksum cases: checksum offload with a field that is not
 * the pseudo-header sum (tx_prepare skipped), to a closed port of S, which
 * validates it at once. The frame must come out of R with a bad checksum.
 */
static int
send_control(const struct flow *f, uint32_t seed)
{
	struct flow c = *f;
	struct rte_mbuf *m;
	size_t len;

	c.dport = f->dport + 2;
	len = build_frame(frame, &fx.mac, &c, 100, seed);
	*l4_cksum_ptr(frame, &c) = rte_cpu_to_be_16(0x1234);
	m = rtu_mbuf_from(fx.tx_pool, frame, len, 1);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	mbuf_offload(m, &c, 0, 0);
	TEST_ASSERT_SUCCESS(send_mbuf(&fx, m, false), "send control");
	TEST_ASSERT_SUCCESS(expect_forwarded(&c, seed, 100, false), "control frame");
	return TEST_SUCCESS;
}

static int
test_tx_tcp_cksum(const struct flow *f)
{
	int64_t errs0, errs;
	uint32_t seed = 1;
	unsigned int i;

	errs0 = rtu_ns_counter(topo.ns_s, "snmp", "Tcp", "InCsumErrors");
	TEST_ASSERT(errs0 >= 0, "no Tcp InCsumErrors in %s", topo.ns_s);
	for (i = 0; i < RTE_DIM(cksum_sizes); i++, seed++) {
		TEST_ASSERT_SUCCESS(send_cksum(f, cksum_sizes[i], seed, 1), "send");
		TEST_ASSERT_SUCCESS(expect_forwarded(f, seed, cksum_sizes[i], true), "%zu bytes",
				    cksum_sizes[i]);
	}
	/* Headers in the first segment, payload over three. */
	TEST_ASSERT_SUCCESS(send_cksum(f, 1400, seed, 3), "send chain");
	TEST_ASSERT_SUCCESS(expect_forwarded(f, seed, 1400, true), "3-segment packet");
	seed++;

	/*
	 * Control: the same offload with no pseudo-header sum in the field
	 * (tx_prepare skipped). S must see a bad checksum and count it: the
	 * method above would catch a driver getting it wrong.
	 */
	TEST_ASSERT_SUCCESS(send_control(f, seed), "control");
	errs = rtu_ns_counter_wait(topo.ns_s, "snmp", "Tcp", "InCsumErrors", errs0 + 1,
				   RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(errs, errs0 + 1,
			  "S counted %" PRId64 " TCP checksum errors, expected only the control's",
			  errs - errs0);
	return tx_finish();
}

/*
 * Found by devtools/fuzz.sh (fuzz_tx): a packet at an odd data offset got
 * its virtio-net header through a misaligned pointer in the headroom (UBSan
 * in the sanitizer build). It must go out with its checksums right, the
 * header then in the slot.
 */
static int
test_regress_tx_odd_offset(void)
{
	uint32_t seed = 77;
	struct rte_mbuf *m;
	size_t len;
	char *p;

	len = build_frame(frame, &fx.mac, &tcp4, 300, seed);
	*l4_cksum_ptr(frame, &tcp4) = rte_cpu_to_be_16(0xdead);
	((struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN))->hdr_checksum = 0xbeef;
	m = rtu_mbuf_from(fx.tx_pool, frame, len, 1);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	/* One byte earlier in the buffer: an odd data offset, the same bytes. */
	p = rte_pktmbuf_prepend(m, 1);
	TEST_ASSERT_NOT_NULL(p, "prepend");
	memmove(p, p + 1, len);
	rte_pktmbuf_trim(m, 1);
	TEST_ASSERT(m->data_off & 1, "data offset %u is even", m->data_off);
	mbuf_offload(m, &tcp4, RTE_MBUF_F_TX_IP_CKSUM, 0);
	TEST_ASSERT_SUCCESS(send_mbuf(&fx, m, true), "send");
	TEST_ASSERT_SUCCESS(expect_forwarded(&tcp4, seed, 300, true), "odd-offset packet");
	return tx_finish();
}

static int
test_tx_tcp4_cksum(void)
{
	return test_tx_tcp_cksum(&tcp4);
}

static int
test_tx_tcp6_cksum(void)
{
	return test_tx_tcp_cksum(&tcp6);
}

/* Receives one datagram of @len bytes of pattern @seed on @fd. */
static int
expect_datagram(int fd, uint32_t seed, size_t len)
{
	ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);

	TEST_ASSERT(n >= 0, "datagram %u (%zu bytes) never reached the socket in S: %s", seed, len,
		    strerror(errno));
	TEST_ASSERT_EQUAL((size_t)n, len, "datagram %u: %zd bytes", seed, n);
	TEST_ASSERT_SUCCESS(check_payload(rbuf, len, seed, 0), "datagram %u", seed);
	return TEST_SUCCESS;
}

static int
test_tx_udp_cksum(const struct flow *f)
{
	const char *file = f->v6 ? "snmp6" : "snmp";
	const char *proto = f->v6 ? NULL : "Udp";
	const char *field = f->v6 ? "Udp6InCsumErrors" : "InCsumErrors";
	int64_t errs0, errs;
	uint32_t seed = 1;
	unsigned int i;
	int fd;

	fd = sock_fd[0] = udp_listen_s(f->v6, f->dport);
	TEST_ASSERT(fd >= 0, "UDP socket in S: %s", strerror(-fd));
	errs0 = rtu_ns_counter(topo.ns_s, file, proto, field);
	TEST_ASSERT(errs0 >= 0, "no %s in %s", field, topo.ns_s);
	for (i = 0; i < RTE_DIM(cksum_sizes); i++, seed++) {
		TEST_ASSERT_SUCCESS(send_cksum(f, cksum_sizes[i], seed, 1), "send");
		TEST_ASSERT_SUCCESS(expect_forwarded(f, seed, cksum_sizes[i], true), "%zu bytes",
				    cksum_sizes[i]);
		TEST_ASSERT_SUCCESS(expect_datagram(fd, seed, cksum_sizes[i]), "socket");
	}
	TEST_ASSERT_SUCCESS(send_cksum(f, 1400, seed, 4), "send chain");
	TEST_ASSERT_SUCCESS(expect_forwarded(f, seed, 1400, true), "4-segment packet");
	TEST_ASSERT_SUCCESS(expect_datagram(fd, seed, 1400), "socket");
	seed++;

	/* Control: no pseudo-header sum; S drops and counts it (at a closed port: at once). */
	TEST_ASSERT_SUCCESS(send_control(f, seed), "control");
	errs = rtu_ns_counter_wait(topo.ns_s, file, proto, field, errs0 + 1, RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(errs, errs0 + 1, "S counted %" PRId64 " UDP checksum errors, expected 1",
			  errs - errs0);
	return tx_finish();
}

static int
test_tx_udp4_cksum(void)
{
	return test_tx_udp_cksum(&udp4);
}

static int
test_tx_udp6_cksum(void)
{
	return test_tx_udp_cksum(&udp6);
}

/* IPv4 header checksum alone (UDP without checksum), own and shared mbufs. */
static int
test_tx_ipv4_cksum(void)
{
	struct rte_mbuf *m, *clone;
	int64_t hdr0, hdr;
	uint32_t seed;
	size_t len;
	int fd;

	fd = sock_fd[0] = udp_listen_s(false, DPORT);
	TEST_ASSERT(fd >= 0, "UDP socket in S: %s", strerror(-fd));
	hdr0 = rtu_ns_counter(topo.ns_r, "snmp", "Ip", "InHdrErrors");
	for (seed = 1; seed <= 4; seed++) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN);
		uint8_t before[64];

		len = build_frame(frame, &fx.mac, &udp4, 300, seed);
		*l4_cksum_ptr(frame, &udp4) = 0; /* no UDP checksum */
		ip->hdr_checksum = rte_cpu_to_be_16(0xbeef);
		m = rtu_mbuf_from(fx.tx_pool, frame, len, seed == 3 ? 2 : 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		m->l2_len = RTE_ETHER_HDR_LEN;
		m->l3_len = sizeof(*ip);
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
		clone = NULL;
		if (seed == 2) {
			/* Shared: the driver must fix a copy of the header, not the packet. */
			clone = rte_pktmbuf_clone(m, fx.tx_pool);
			TEST_ASSERT_NOT_NULL(clone, "clone");
			/* (The clone took m's offload fields; it must keep its own flags.) */
			memcpy(before, rte_pktmbuf_mtod(m, void *), sizeof(before));
			TEST_ASSERT_SUCCESS(send_mbuf(&fx, clone, false), "send clone");
		} else if (seed == 4) {
			/* Direct but referenced twice: just as shared. */
			rte_mbuf_refcnt_update(m, 1);
			clone = m;
			memcpy(before, rte_pktmbuf_mtod(m, void *), sizeof(before));
			TEST_ASSERT_SUCCESS(send_mbuf(&fx, m, false), "send shared");
		} else {
			TEST_ASSERT_SUCCESS(send_mbuf(&fx, m, false), "send");
		}
		if (expect_datagram(fd, seed, 300) != TEST_SUCCESS) {
			if (clone != NULL)
				rte_pktmbuf_free(m);
			TEST_ASSERT(false, "IP checksum offload, packet %u", seed);
		}
		if (clone != NULL) {
			/* Written (S has it): the shared bytes must be as they were. */
			int diff = memcmp(before, rte_pktmbuf_mtod(m, void *), sizeof(before));

			rte_pktmbuf_free(m);
			TEST_ASSERT_SUCCESS(diff, "tx modified the bytes of a shared mbuf");
		}
	}
	/* Control: the same packet with no offload is dropped by R. */
	len = build_frame(frame, &fx.mac, &udp4, 300, seed);
	*l4_cksum_ptr(frame, &udp4) = 0;
	((struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN))->hdr_checksum =
		rte_cpu_to_be_16(0xbeef);
	m = rtu_mbuf_from(fx.tx_pool, frame, len, 1);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	TEST_ASSERT_SUCCESS(send_mbuf(&fx, m, false), "send control");
	hdr = rtu_ns_counter_wait(topo.ns_r, "snmp", "Ip", "InHdrErrors", hdr0 + 1, RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(hdr, hdr0 + 1, "R counted %" PRId64 " IP header errors, expected 1",
			  hdr - hdr0);
	return tx_finish();
}

/*
 * A TSO super-packet of TSO_PAYLOAD bytes; S must see ceil(payload/segsz)
 * segments of the right sizes, sequence numbers, checksums and bytes.
 * @shared sends a clone and checks the original bytes stayed as they were.
 */
static int
tso_one(const struct flow *f, uint32_t seed, size_t payload, uint16_t segsz, unsigned int nb_segs,
	bool shared)
{
	unsigned int nb = (payload + segsz - 1) / segsz, i;
	uint32_t seq0 = 1000000 * seed;
	struct rte_mbuf *m, *orig = NULL;
	uint8_t before[128];
	size_t len, off = 0;

	len = build_frame(frame, tx_dst_mac(), f, payload, seed);
	*l4_cksum_ptr(frame, f) = rte_cpu_to_be_16(0xdead);
	if (!f->v6)
		((struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN))->hdr_checksum = 0xbeef;
	m = rtu_mbuf_from(fx.tx_pool, frame, len, nb_segs);
	TEST_ASSERT_NOT_NULL(m, "mbuf of %zu bytes in %u segments", len, nb_segs);
	mbuf_offload(m, f, f->v6 ? 0 : RTE_MBUF_F_TX_IP_CKSUM, segsz);
	if (shared) {
		if (rte_eth_tx_prepare(fx.port.port_id, 0, &m, 1) != 1) {
			rte_pktmbuf_free(m);
			TEST_ASSERT(false, "tx_prepare: %s", strerror(rte_errno));
		}
		orig = m;
		memcpy(before, rte_pktmbuf_mtod(orig, void *), sizeof(before));
		/* The clone takes the offload fields along (and RTE_MBUF_F_INDIRECT). */
		m = rte_pktmbuf_clone(orig, fx.tx_pool);
		if (m == NULL) {
			rte_pktmbuf_free(orig);
			TEST_ASSERT(false, "clone");
		}
	}
	if (send_mbuf(&fx, m, !shared) != TEST_SUCCESS) {
		rte_pktmbuf_free(orig);
		return TEST_FAILED;
	}
	for (i = 0; i < nb; i++) {
		size_t want = RTE_MIN((size_t)segsz, payload - off);
		struct seen s;
		ssize_t n;
		int ok;

		n = cap_next(cap_fd, f->v6, f->proto, f->dport, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);
		if (n <= 0)
			rte_pktmbuf_free(orig);
		TEST_ASSERT(n > 0, "%s segment %u of %u never came out of R",
			    f->proto == IPPROTO_TCP ? "TSO" : "USO", i + 1, nb);
		ok = check_frame(rbuf, n, f, &s);
		if (ok != 0 || s.payload != want)
			rte_pktmbuf_free(orig);
		TEST_ASSERT_SUCCESS(ok, "segment %u: L4 checksum 0x%04x, correct 0x%04x (diff %d)",
				    i + 1, s.l4_csum, s.l4_csum_ok,
				    (int)s.l4_csum_ok - (int)s.l4_csum);
		TEST_ASSERT_EQUAL(s.payload, want, "segment %u: %zu bytes of payload", i + 1,
				  s.payload);
		if (f->proto == IPPROTO_TCP) {
			TEST_ASSERT_EQUAL(s.tcp_seq, seq0 + (uint32_t)off, "segment %u: seq %u",
					  i + 1, s.tcp_seq);
			TEST_ASSERT_EQUAL(!!(s.tcp_flags & RTE_TCP_PSH_FLAG), i == nb - 1,
					  "segment %u of %u: flags 0x%02x", i + 1, nb, s.tcp_flags);
		}
		TEST_ASSERT_SUCCESS(check_payload(s.data, s.payload, seed, off), "segment %u",
				    i + 1);
		off += want;
	}
	if (orig != NULL) {
		int diff = memcmp(before, rte_pktmbuf_mtod(orig, void *), sizeof(before));

		rte_pktmbuf_free(orig);
		TEST_ASSERT_SUCCESS(diff, "tx modified the headers of a shared mbuf");
	}
	return TEST_SUCCESS;
}

/* Nothing more of the flow reaches S after its segments: a fence frame comes first. */
static int
expect_nothing_more(const struct flow *f)
{
	struct flow fence = *f;
	struct rte_mbuf *m;
	uint16_t dport;
	size_t len;
	ssize_t n;

	fence.dport = f->dport + 1;
	len = build_frame(frame, tx_dst_mac(), &fence, 10, 99);
	m = rtu_mbuf_from(fx.tx_pool, frame, len, 1);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	mbuf_offload(m, &fence, 0, 0);
	m->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK; /* no checksum asked: it is right already */
	TEST_ASSERT_SUCCESS(send_mbuf(&fx, m, false), "fence");
	for (;;) {
		struct tags t;

		if (tx_vlan_fl != 0)
			n = cap_recv_tags(cap_fd, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS, &t);
		else
			n = rtu_pkt_recv(cap_fd, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);
		TEST_ASSERT(n > 0, "fence frame never arrived");
		dport = frame_dport(rbuf, n, f->v6, f->proto);
		if (dport == fence.dport)
			return TEST_SUCCESS;
		TEST_ASSERT(dport != f->dport, "an extra frame of the flow reached S (%zd bytes)",
			    n);
	}
}

static int
test_tx_tso(const struct flow *f)
{
	struct rte_eth_dev_info info;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "info");
	TEST_ASSERT(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_TSO, "no TCP_TSO capability");
	/* 20000 bytes in 12 mbufs of under 2 KiB. */
	TEST_ASSERT_SUCCESS(tso_one(f, 1, TSO_PAYLOAD, TSO_SEGSZ, 12, false), "TSO");
	/* Not a multiple of the segment size, other segment size. */
	TEST_ASSERT_SUCCESS(tso_one(f, 2, 5001, 1000, 4, false), "TSO 5001/1000");
	/* Smaller than one segment: one segment. */
	TEST_ASSERT_SUCCESS(tso_one(f, 3, 500, TSO_SEGSZ, 1, false), "TSO of one segment");
	/* Shared mbuf: headers copied, the packet untouched. */
	TEST_ASSERT_SUCCESS(tso_one(f, 4, 9000, TSO_SEGSZ, 6, true), "TSO of a clone");
	TEST_ASSERT_SUCCESS(expect_nothing_more(f), "extra segments");
	return tx_finish();
}

static int
test_tx_tso4(void)
{
	return test_tx_tso(&tcp4);
}

static int
test_tx_tso6(void)
{
	return test_tx_tso(&tcp6);
}

/* UDP segmentation: separate datagrams at a socket in S. */
static int
test_tx_uso(const struct flow *f)
{
	const char *file = f->v6 ? "snmp6" : "snmp";
	const char *proto = f->v6 ? NULL : "Udp";
	const char *field = f->v6 ? "Udp6InCsumErrors" : "InCsumErrors";
	unsigned int nb = (USO_PAYLOAD + TSO_SEGSZ - 1) / TSO_SEGSZ, i;
	struct rte_eth_dev_info info;
	int64_t errs0, errs;
	int fd;

	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "info");
	if (!(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_TSO))
		TEST_SKIP("no UDP_TSO capability (kernel without TUN_F_USO4/6)");
	fd = sock_fd[0] = udp_listen_s(f->v6, f->dport);
	TEST_ASSERT(fd >= 0, "UDP socket in S: %s", strerror(-fd));
	errs0 = rtu_ns_counter(topo.ns_s, file, proto, field);
	TEST_ASSERT_SUCCESS(tso_one(f, 1, USO_PAYLOAD, TSO_SEGSZ, 5, false), "USO");
	for (i = 0; i < nb; i++) {
		size_t want = RTE_MIN((size_t)TSO_SEGSZ, USO_PAYLOAD - i * TSO_SEGSZ);
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);

		TEST_ASSERT(n >= 0, "datagram %u of %u never reached the socket: %s", i + 1, nb,
			    strerror(errno));
		TEST_ASSERT_EQUAL((size_t)n, want, "datagram %u: %zd bytes", i + 1, n);
		TEST_ASSERT_SUCCESS(check_payload(rbuf, want, 1, i * TSO_SEGSZ), "datagram %u",
				    i + 1);
	}
	errs = rtu_ns_counter(topo.ns_s, file, proto, field);
	TEST_ASSERT_EQUAL(errs, errs0, "S counted UDP checksum errors");
	return tx_finish();
}

static int
test_tx_uso4(void)
{
	return test_tx_uso(&udp4);
}

static int
test_tx_uso6(void)
{
	return test_tx_uso(&udp6);
}

/* ---- VLAN and QinQ insertion ---- */

/*
 * The kernel here may have no VLAN interfaces (CONFIG_VLAN_8021Q), so the
 * tagged frames cross R by a bridge between the port's interface and the
 * veth: the kernel takes the outer tag off on receive, finishes checksums
 * and segments at the veth (tx checksumming off) from the driver's offsets,
 * and S's capture gets the outer tag as packet metadata (PACKET_AUXDATA) and
 * an inner one in the data. Frames go to an address the bridge floods.
 */
static const struct rte_ether_addr flood_mac = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x99 } };

static int
bridge_r(void)
{
	const char *r = topo.ns_r;
	char br[IFNAMSIZ];
	int on = 1;

	rtu_ifname(br);
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link add %s type bridge", r, br), "bridge");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s master %s", r, fx.port.ifname, br),
			    "enslave");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s master %s", r, topo.veth_r, br),
			    "enslave");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s up", r, br), "up");
	TEST_ASSERT_SUCCESS(setsockopt(cap_fd, SOL_PACKET, PACKET_AUXDATA, &on, sizeof(on)),
			    "PACKET_AUXDATA");
	tx_dst = &flood_mac;
	return TEST_SUCCESS;
}

/*
 * The next frame on the capture socket, with its tags in @t and an inner
 * 802.1Q tag taken out of the data, so the frame reads as untagged.
 */
static ssize_t
cap_recv_tags(int fd, uint8_t *buf, size_t len, unsigned int timeout_ms, struct tags *t)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} cbuf;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct sockaddr_ll sll;
		struct msghdr msg = {
			.msg_name = &sll,
			.msg_namelen = sizeof(sll),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = &cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		uint64_t now = rtu_now_ms();
		struct cmsghdr *c;
		ssize_t n;

		if (now >= deadline)
			return 0;
		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0 || sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		memset(t, 0, sizeof(*t));
		for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
			struct tpacket_auxdata aux;

			if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			t->outer_valid = (aux.tp_status & TP_STATUS_VLAN_VALID) != 0;
			t->outer_tci = aux.tp_vlan_tci;
			t->outer_tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ?
				aux.tp_vlan_tpid :
				RTE_ETHER_TYPE_VLAN;
		}
		if (n >= RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN && buf[12] == 0x81 && buf[13] == 0x00) {
			t->inner_valid = true;
			t->inner_tci = (uint16_t)(buf[14] << 8 | buf[15]);
			memmove(buf + 12, buf + 16, n - 16);
			n -= RTE_VLAN_HLEN;
		}
		return n;
	}
}

static bool
tags_ok(const struct tags *t)
{
	if (tx_vlan_fl & RTE_MBUF_F_TX_QINQ)
		return t->outer_valid && t->outer_tpid == RTE_ETHER_TYPE_QINQ &&
			t->outer_tci == OUTER_TCI && t->inner_valid && t->inner_tci == VLAN_TCI;
	return t->outer_valid && t->outer_tpid == RTE_ETHER_TYPE_VLAN && t->outer_tci == VLAN_TCI &&
		!t->inner_valid;
}

/*
 * UDP with checksum offloads and a tag asked for, own and shared (a clone,
 * and an mbuf referenced twice, whose bytes must stay as they were).
 */
static int
vlan_udp(const struct flow *f, uint32_t seed)
{
	static const size_t sizes[] = { 0, 100, 1400 };
	unsigned int i, how;

	for (i = 0; i < RTE_DIM(sizes); i++, seed++) {
		TEST_ASSERT_SUCCESS(send_cksum(f, sizes[i], seed, i == 2 ? 3 : 1), "send");
		TEST_ASSERT_SUCCESS(expect_forwarded(f, seed, sizes[i], true), "%zu bytes",
				    sizes[i]);
	}
	for (how = 0; how < 2; how++, seed++) {
		struct rte_mbuf *m, *tx;
		uint8_t before[64];
		size_t len;
		int diff;

		len = build_frame(frame, tx_dst_mac(), f, 500, seed);
		*l4_cksum_ptr(frame, f) = rte_cpu_to_be_16(0xdead);
		if (!f->v6)
			((struct rte_ipv4_hdr *)(frame + RTE_ETHER_HDR_LEN))->hdr_checksum = 0xbeef;
		m = rtu_mbuf_from(fx.tx_pool, frame, len, 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		mbuf_offload(m, f, f->v6 ? 0 : RTE_MBUF_F_TX_IP_CKSUM, 0);
		if (rte_eth_tx_prepare(fx.port.port_id, 0, &m, 1) != 1) {
			rte_pktmbuf_free(m);
			TEST_ASSERT(false, "tx_prepare: %s", strerror(rte_errno));
		}
		memcpy(before, rte_pktmbuf_mtod(m, void *), sizeof(before));
		if (how == 0) {
			tx = rte_pktmbuf_clone(m, fx.tx_pool);
			if (tx == NULL)
				rte_pktmbuf_free(m);
			TEST_ASSERT_NOT_NULL(tx, "clone");
		} else {
			rte_mbuf_refcnt_update(m, 1);
			tx = m;
		}
		if (send_mbuf(&fx, tx, false) != TEST_SUCCESS ||
		    expect_forwarded(f, seed, 500, true) != TEST_SUCCESS) {
			rte_pktmbuf_free(m);
			TEST_ASSERT(false, "shared mbuf (%s)", how == 0 ? "clone" : "refcnt 2");
		}
		diff = memcmp(before, rte_pktmbuf_mtod(m, void *), sizeof(before));
		rte_pktmbuf_free(m);
		TEST_ASSERT_SUCCESS(diff, "tx modified the bytes of a shared mbuf");
	}
	return TEST_SUCCESS;
}

/* Tags with checksum offloads and TSO, IPv4 and IPv6, own and shared mbufs. */
static int
test_tx_vlan(uint64_t fl)
{
	TEST_ASSERT_SUCCESS(bridge_r(), "bridge in R");
	tx_vlan_fl = fl;
	bad_tags = 0;
	TEST_ASSERT_SUCCESS(vlan_udp(&udp4, 1), "UDP over IPv4");
	TEST_ASSERT_SUCCESS(vlan_udp(&udp6, 11), "UDP over IPv6");
	TEST_ASSERT_SUCCESS(tso_one(&tcp4, 21, TSO_PAYLOAD, TSO_SEGSZ, 12, false), "TSO");
	TEST_ASSERT_SUCCESS(tso_one(&tcp4, 22, 9000, TSO_SEGSZ, 6, true), "TSO of a clone");
	TEST_ASSERT_SUCCESS(tso_one(&tcp6, 23, 5001, 1000, 4, false), "TSO over IPv6");
	TEST_ASSERT_SUCCESS(expect_nothing_more(&tcp6), "extra segments");
	TEST_ASSERT_EQUAL(bad_tags, 0u, "%u frames with wrong tags", bad_tags);
	return tx_finish();
}

static int
test_tx_vlan_insert(void)
{
	return test_tx_vlan(RTE_MBUF_F_TX_VLAN);
}

static int
test_tx_qinq_insert(void)
{
	return test_tx_vlan(RTE_MBUF_F_TX_QINQ | RTE_MBUF_F_TX_VLAN);
}

/* ---- malformed requests ---- */

enum bad_kind {
	BAD_SEGSZ_0,
	BAD_L4LEN_0,
	BAD_NO_IP_FLAG,
	BAD_HDRS_SPLIT,
	BAD_SCTP,
	BAD_TUNNEL_TSO,
	BAD_IPCKSUM_NO_IPV4,
	BAD_L3_BEYOND,
	BAD_NB,
};

static const char * const bad_name[BAD_NB] = {
	"TSO with tso_segsz 0",
	"TSO with l4_len 0",
	"TSO without TX_IPV4/IPV6",
	"TSO with headers beyond the first segment",
	"SCTP checksum",
	"TSO in a tunnel",
	"IP checksum without TX_IPV4",
	"L4 checksum beyond the packet",
};

static struct rte_mbuf *
bad_mbuf(enum bad_kind k)
{
	struct rte_mbuf *m;
	size_t len;

	len = build_frame(frame, &fx.mac, &tcp4, 3000, 50 + k);
	if (k == BAD_HDRS_SPLIT) {
		/* 40 bytes first: the TCP header straddles two segments. */
		struct rte_mbuf *rest = rtu_mbuf_from(fx.tx_pool, frame + 40, len - 40, 2);

		m = rtu_mbuf_from(fx.tx_pool, frame, 40, 1);
		if (m == NULL || rest == NULL || rte_pktmbuf_chain(m, rest) != 0) {
			rte_pktmbuf_free(m);
			rte_pktmbuf_free(rest);
			return NULL;
		}
	} else {
		m = rtu_mbuf_from(fx.tx_pool, frame, k == BAD_L3_BEYOND ? 600 : len,
				  k == BAD_L3_BEYOND ? 1 : 2);
	}
	if (m == NULL)
		return NULL;
	mbuf_offload(m, &tcp4, RTE_MBUF_F_TX_IP_CKSUM, TSO_SEGSZ);
	switch (k) {
	case BAD_SEGSZ_0:
		m->tso_segsz = 0;
		break;
	case BAD_L4LEN_0:
		m->l4_len = 0;
		break;
	case BAD_NO_IP_FLAG:
		m->ol_flags &= ~(RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
		break;
	case BAD_HDRS_SPLIT:
		break;
	case BAD_SCTP:
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_SCTP_CKSUM;
		break;
	case BAD_TUNNEL_TSO:
		m->ol_flags |= RTE_MBUF_F_TX_TUNNEL_VXLAN | RTE_MBUF_F_TX_OUTER_IPV4;
		m->outer_l2_len = 0;
		m->outer_l3_len = 0;
		break;
	case BAD_IPCKSUM_NO_IPV4:
		m->ol_flags = RTE_MBUF_F_TX_IP_CKSUM;
		break;
	case BAD_L3_BEYOND:
		m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		/* 600 bytes: the checksum field would be at 643. */
		m->l2_len = 127;
		m->l3_len = 500;
		break;
	default:
		break;
	}
	return m;
}

static int
test_tx_malformed(void)
{
	struct rte_mbuf *pkts[BAD_NB + 1];
	uint64_t krx0, krx1, kdrop0, kdrop1;
	struct rte_eth_stats st0, st1;
	unsigned int i, nb_bad = BAD_NB;
	uint16_t n;
	ssize_t got;
	int fd;

	fd = sock_fd[0] = rtu_pkt_open(fx.port.ifname, ETH_P_ALL);
	TEST_ASSERT(fd >= 0, "AF_PACKET: %s", strerror(-fd));
	TEST_ASSERT_SUCCESS(rtu_if_set_flags(fx.port.ifname, IFF_UP, 0), "up");

	/* tx_prepare turns down what it can check. */
	for (i = 0; i < BAD_NB; i++) {
		struct rte_mbuf *m = bad_mbuf(i);

		TEST_ASSERT_NOT_NULL(m, "mbuf");
		if (i == BAD_SEGSZ_0 || i == BAD_L4LEN_0 || i == BAD_HDRS_SPLIT || i == BAD_SCTP) {
			rte_errno = 0;
			n = rte_eth_tx_prepare(fx.port.port_id, 0, &m, 1);
			rte_pktmbuf_free(m);
			TEST_ASSERT_EQUAL(n, 0, "tx_prepare accepted: %s", bad_name[i]);
			TEST_ASSERT_NOT_EQUAL(rte_errno, 0, "tx_prepare: no rte_errno for %s",
					      bad_name[i]);
		} else {
			rte_pktmbuf_free(m);
		}
	}

	TEST_ASSERT_SUCCESS(rte_eth_stats_reset(fx.port.port_id), "stats_reset");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st0), "stats");
	TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_packets", &krx0), "sysfs");
	TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_dropped", &kdrop0), "sysfs");
	rtu_pkt_drain(fd);
	/* Every bad one, then a good frame, in one burst. */
	for (i = 0; i < nb_bad; i++) {
		pkts[i] = bad_mbuf(i);
		TEST_ASSERT_NOT_NULL(pkts[i], "mbuf");
	}
	rtu_frame_fill(frame, 100, &fx.peer, &fx.mac, 7);
	pkts[nb_bad] = rtu_mbuf_from(fx.tx_pool, frame, 100, 1);
	TEST_ASSERT_NOT_NULL(pkts[nb_bad], "mbuf");
	n = rtu_tx_all(fx.port.port_id, 0, pkts, nb_bad + 1, RTU_TIMEOUT_MS);
	if (n != nb_bad + 1)
		rtu_free_bulk(pkts + n, nb_bad + 1 - n);
	TEST_ASSERT_EQUAL(n, nb_bad + 1, "tx_burst took %u of %u", n, nb_bad + 1);

	/* The good frame is the first and only thing the kernel sees. */
	got = rtu_pkt_recv(fd, rbuf, sizeof(rbuf), RTU_TIMEOUT_MS);
	TEST_ASSERT(got > 0, "the valid frame after the bad ones never arrived");
	TEST_ASSERT_EQUAL(rtu_frame_seq(rbuf, got), 7,
			  "the kernel got another frame first (%zd bytes)", got);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "%u tx mbufs not freed", rtu_mempool_in_use(fx.tx_pool));
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st1), "stats");
	TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_packets", &krx1), "sysfs");
	TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_dropped", &kdrop1), "sysfs");
	TEST_ASSERT_EQUAL(st1.oerrors - st0.oerrors, (uint64_t)nb_bad,
			  "oerrors +%" PRIu64 " for %u malformed requests",
			  st1.oerrors - st0.oerrors, nb_bad);
	TEST_ASSERT_EQUAL(st1.opackets - st0.opackets, 1ULL, "opackets +%" PRIu64,
			  st1.opackets - st0.opackets);
	TEST_ASSERT_EQUAL(krx1 - krx0, 1ULL, "kernel rx_packets +%" PRIu64, krx1 - krx0);
	TEST_ASSERT_EQUAL(kdrop1 - kdrop0, 0ULL, "kernel rx_dropped +%" PRIu64, kdrop1 - kdrop0);
	return tx_finish();
}

/* ---- LRO: a TCP transfer through a forwarder in the test ---- */

struct lro_stats {
	uint64_t lro_frames;
	uint32_t lro_max_len;
	uint16_t lro_max_segs;
	uint16_t lro_segsz;
	uint64_t partial;
	uint64_t prep_failed;
	uint64_t tx_dropped;
	uint64_t frames;
};

/* An xstat by name (UINT64_MAX when there is none). */
static uint64_t
lro_xstat(uint16_t port, const char *name)
{
	uint64_t id, value;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		return UINT64_MAX;
	return value;
}

/* What a forwarding application does with what rx gives it, before tx_prepare. */
static void
lro_mark(struct rte_mbuf *m, struct lro_stats *st)
{
	struct rte_net_hdr_lens hl;
	uint32_t ptype;
	uint64_t ol = 0;
	bool v4, tcp, udp;

	ptype = rte_net_get_ptype(m, &hl,
				  RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK | RTE_PTYPE_L4_MASK);
	v4 = RTE_ETH_IS_IPV4_HDR(ptype);
	tcp = (ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_TCP;
	udp = (ptype & RTE_PTYPE_L4_MASK) == RTE_PTYPE_L4_UDP;
	m->l2_len = hl.l2_len;
	m->l3_len = hl.l3_len;
	m->l4_len = hl.l4_len;
	st->frames++;
	if ((m->ol_flags & RTE_MBUF_F_RX_LRO) && tcp) {
		st->lro_frames++;
		st->lro_max_len = RTE_MAX(st->lro_max_len, m->pkt_len);
		st->lro_max_segs = RTE_MAX(st->lro_max_segs, m->nb_segs);
		st->lro_segsz = m->tso_segsz;
		ol = RTE_MBUF_F_TX_TCP_SEG |
			(v4 ? RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM : RTE_MBUF_F_TX_IPV6);
	} else if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE &&
		   (tcp || udp)) {
		st->partial++;
		ol = (tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM) |
			(v4 ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6);
	}
	m->ol_flags = ol;
}

static void
lro_fwd(uint16_t from, uint16_t to, struct lro_stats *st)
{
	struct rte_mbuf *pkts[RTU_BURST];
	uint16_t n, i, k, sent = 0;

	n = rte_eth_rx_burst(from, 0, pkts, RTU_BURST);
	if (n == 0) {
		rte_eth_tx_burst(to, 0, pkts, 0); /* reap */
		return;
	}
	for (i = 0; i < n; i++)
		lro_mark(pkts[i], st);
	k = 0;
	while (k < n) {
		uint16_t ok = rte_eth_tx_prepare(to, 0, pkts + k, n - k);

		k += ok;
		if (k < n) {
			st->prep_failed++;
			rte_pktmbuf_free(pkts[k]);
			memmove(pkts + k, pkts + k + 1, (n - k - 1) * sizeof(pkts[0]));
			n--;
		}
	}
	for (i = 0; i < 100 && sent < n; i++)
		sent += rte_eth_tx_burst(to, 0, pkts + sent, n - sent);
	if (sent < n) {
		st->tx_dropped += n - sent;
		rtu_free_bulk(pkts + sent, n - sent);
	}
}

/* The byte stream: a pseudo-random block of prime length, repeated. */
#define STREAM_PERIOD 1048573
static uint8_t stream[STREAM_PERIOD + 65536];

static void
stream_init(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < sizeof(stream); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		stream[i] = (uint8_t)(x >> 24);
	}
	memcpy(stream + STREAM_PERIOD, stream, sizeof(stream) - STREAM_PERIOD);
}

static int
lro_setup(void)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	unsigned int p;
	int ret;

	ret = rtu_fixture_setup(&fx, 1, NULL, 8191, 2047);
	if (ret == TEST_SUCCESS)
		ret = rtu_fixture_setup(&fx2, 1, NULL, 8191, 2047);
	if (ret != TEST_SUCCESS)
		return ret;
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(fx.port.port_id, &info), "info");
	TEST_ASSERT(info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_LRO, "no TCP_LRO capability");
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	conf.rxmode.max_lro_pkt_size = info.max_lro_pkt_size;
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	for (p = 0; p < 2; p++) {
		struct rtu_fixture *f = p == 0 ? &fx : &fx2;

		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(f->port.port_id), "stop");
		f->port.started = false;
		TEST_ASSERT_SUCCESS(rtu_port_setup(&f->port, 1, &conf, f->rx_pool, 0), "setup");
		TEST_ASSERT_SUCCESS(rtu_port_start(&f->port), "start");
		/* A forwarder takes frames to the other side's address, as a NIC would. */
		TEST_ASSERT_SUCCESS(rte_eth_promiscuous_enable(f->port.port_id), "promiscuous");
	}
	/* R: A 10.77.3.1 -- fwd -- B 10.77.3.2 (S). */
	return rtu_topo_pair(&topo, fx.port.ifname, &fx.mac, fx2.port.ifname, &fx2.mac);
}

static int
test_lro_forward(void)
{
	uint64_t deadline, sent = 0, rcvd = 0, t0, t1;
	int64_t retrans0, out0, retrans, out, csum_err0, csum_err;
	struct rte_eth_stats sa, sb;
	struct lro_stats st;
	int lfd, cfd, afd = -1;
	size_t i;

	memset(&st, 0, sizeof(st));
	stream_init();
	lfd = sock_fd[0] = rtu_ns_tcp_listen(topo.ns_s, RTU_TOPO_B_IP4, DPORT);
	TEST_ASSERT(lfd >= 0, "listening socket in S: %s", strerror(-lfd));
	retrans0 = rtu_ns_counter(topo.ns_r, "snmp", "Tcp", "RetransSegs");
	out0 = rtu_ns_counter(topo.ns_r, "snmp", "Tcp", "OutSegs");
	csum_err0 = rtu_ns_counter(topo.ns_s, "snmp", "Tcp", "InCsumErrors");
	cfd = sock_fd[1] = rtu_ns_tcp_connect(topo.ns_r, RTU_TOPO_B_IP4, DPORT);
	TEST_ASSERT(cfd >= 0, "connect from R: %s", strerror(-cfd));

	t0 = rtu_now_ms();
	deadline = t0 + LRO_TIMEOUT_MS;
	while (rcvd < LRO_BYTES && rtu_now_ms() < deadline) {
		ssize_t n;

		lro_fwd(fx.port.port_id, fx2.port.port_id, &st);
		lro_fwd(fx2.port.port_id, fx.port.port_id, &st);
		if (afd < 0) {
			afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (afd >= 0)
				sock_fd[2] = afd;
			continue;
		}
		if (sent < LRO_BYTES) {
			size_t chunk = RTE_MIN((size_t)65536, (size_t)(LRO_BYTES - sent));

			n = send(cfd, stream + sent % STREAM_PERIOD, chunk,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				sent += n;
			else
				TEST_ASSERT(errno == EAGAIN || errno == ENOTCONN, "send: %s",
					    strerror(errno));
		}
		n = recv(afd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n > 0) {
			const uint8_t *want = stream + rcvd % STREAM_PERIOD;

			if (memcmp(rbuf, want, n) != 0) {
				for (i = 0; rbuf[i] == want[i]; i++)
					;
				TEST_ASSERT(false,
					    "byte %" PRIu64
					    " of the stream differs: 0x%02x, sent 0x%02x",
					    rcvd + i, rbuf[i], want[i]);
			}
			rcvd += n;
		} else {
			TEST_ASSERT(n < 0 && errno == EAGAIN, "recv: %zd %s", n, strerror(errno));
		}
	}
	t1 = rtu_now_ms();
	retrans = rtu_ns_counter(topo.ns_r, "snmp", "Tcp", "RetransSegs") - retrans0;
	out = rtu_ns_counter(topo.ns_r, "snmp", "Tcp", "OutSegs") - out0;
	csum_err = rtu_ns_counter(topo.ns_s, "snmp", "Tcp", "InCsumErrors") - csum_err0;
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &sa), "stats");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx2.port.port_id, &sb), "stats");
	printf("  %" PRIu64 " of %u bytes in %" PRIu64 " ms (%.0f Mbit/s): %" PRIu64
	       " frames, %" PRIu64 " LRO (largest %u bytes in %u segments, gso_size %u), %" PRIu64
	       " partial; sender: %" PRId64 " segments, %" PRId64 " retransmitted\n",
	       rcvd, LRO_BYTES, t1 - t0, (t1 > t0 ? rcvd * 8.0 / (t1 - t0) / 1000 : 0), st.frames,
	       st.lro_frames, st.lro_max_len, st.lro_max_segs, st.lro_segsz, st.partial, out,
	       retrans);
	TEST_ASSERT_EQUAL(rcvd, (uint64_t)LRO_BYTES, "transfer incomplete after %u ms",
			  LRO_TIMEOUT_MS);
	TEST_ASSERT(st.lro_frames > 0, "no frame carried RTE_MBUF_F_RX_LRO");
	/* xstats count what the forwarder saw: every LRO frame, each sent on as TSO */
	TEST_ASSERT_EQUAL(lro_xstat(fx.port.port_id, "rx_lro_packets") +
				  lro_xstat(fx2.port.port_id, "rx_lro_packets"),
			  st.lro_frames, "rx_lro_packets");
	if (st.tx_dropped == 0)
		TEST_ASSERT_EQUAL(lro_xstat(fx.port.port_id, "tx_tso_requests") +
					  lro_xstat(fx2.port.port_id, "tx_tso_requests"),
				  st.lro_frames, "tx_tso_requests");
	TEST_ASSERT(st.lro_max_len > RTE_ETHER_MAX_LEN, "largest LRO frame %u bytes",
		    st.lro_max_len);
	TEST_ASSERT(st.lro_segsz > 0 && st.lro_segsz <= 1460, "LRO tso_segsz %u", st.lro_segsz);
	TEST_ASSERT_EQUAL(st.prep_failed, 0ULL, "tx_prepare refused %" PRIu64 " frames",
			  st.prep_failed);
	TEST_ASSERT_EQUAL(sa.oerrors + sb.oerrors + sa.ierrors + sb.ierrors, 0ULL,
			  "errors: A oerrors %" PRIu64 " ierrors %" PRIu64 ", B oerrors %" PRIu64
			  " ierrors %" PRIu64,
			  sa.oerrors, sa.ierrors, sb.oerrors, sb.ierrors);
	TEST_ASSERT_EQUAL(csum_err, 0, "receiver counted %" PRId64 " checksum errors", csum_err);
	TEST_ASSERT(retrans * 100 <= out, "%" PRId64 " of %" PRId64 " segments retransmitted",
		    retrans, out);
	close_sockets();
	/* Let the FIN/RST exchange pass so nothing stays queued in the ports. */
	rtu_rx_drain(fx.port.port_id, 1);
	rtu_rx_drain(fx2.port.port_id, 1);
	return tx_finish();
}

static struct unit_test_suite tx_offload_suite = {
	.suite_name = "rtap tx offload",
	.setup = tx_suite_setup,
	.unit_test_cases = {
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_tcp4_cksum),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_tcp6_cksum),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_udp4_cksum),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_udp6_cksum),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_ipv4_cksum),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_regress_tx_odd_offset),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_tso4),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_tso6),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_uso4),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_uso6),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_vlan_insert),
		TEST_CASE_ST(tx_topo_setup, tx_teardown, test_tx_qinq_insert),
		TEST_CASE_ST(tx_setup, tx_teardown, test_tx_malformed),
		TEST_CASE_ST(lro_setup, tx_teardown, test_lro_forward),
		TEST_CASES_END(),
	},
};

static int
test_rtap_tx_offload(void)
{
	return unit_test_suite_runner(&tx_offload_suite);
}

REGISTER_TEST_COMMAND(rtap_tx_offload_autotest, test_rtap_tx_offload);
