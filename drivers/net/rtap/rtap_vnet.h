/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_VNET_H_
#define _RTAP_VNET_H_

/*
 * The virtio-net header and the mbuf: pure functions, no I/O, no state, so
 * that they are unit-tested and fuzzed on hand-built mbufs with no TAP.
 *
 * rx: the kernel's header -> ol_flags, checksum completion, LRO fields; the
 *     mbuf chains a scattered read fills.
 * tx: one validation of an mbuf's offload request (used by tx_burst and
 *     tx_prepare alike, so prepare never approves what the burst drops),
 *     then ol_flags -> header, with the header fix-ups the kernel expects.
 *
 * The header's 16-bit fields are little-endian: the driver pins the TAP to
 * little-endian headers (TUNSETVNETLE) whatever its last owner left.
 */

#include <assert.h>
#include <stdalign.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "rtap.h"

/* What segmentation rewrites (the checksum field) lies within the minimum L4 header. */
static_assert(offsetof(struct rte_tcp_hdr, cksum) + 2 <= sizeof(struct rte_tcp_hdr), "tcp");
static_assert(offsetof(struct rte_udp_hdr, dgram_cksum) + 2 <= sizeof(struct rte_udp_hdr), "udp");
static_assert(offsetof(struct rtap_tx_hdr, copy) == RTAP_VNET_HDR_LEN,
	      "the header copy must follow the virtio-net header");

/* ---- rx ---- */

/* Where a read into @m starts: the header lands just before the packet data. */
static inline struct virtio_net_hdr *
rtap_vnet_rx_hdr(struct rte_mbuf *m)
{
	return (struct virtio_net_hdr *)(rte_pktmbuf_mtod(m, char *) - RTAP_VNET_HDR_LEN);
}

/*
 * Ones' complement sum of the @len bytes at @p taken as 16-bit words in
 * memory order (a last odd byte as the first byte of a word), folded to 16
 * bits: the value __rte_raw_cksum_reduce(__rte_raw_cksum()) gives, eight
 * bytes a step instead of two. Two 16-bit words sum as the 32-bit word they
 * make up, since 2^16 is 1 in ones' complement arithmetic; 64-bit sums of
 * 32-bit words cannot overflow below 2^32 words. Any alignment.
 */
static inline uint16_t
rtap_vnet_raw_sum(const uint8_t *p, uint32_t len)
{
	uint64_t s0 = 0, s1 = 0;
	uint16_t w;

	for (; len >= 16; p += 16, len -= 16) {
		uint64_t a, b;

		memcpy(&a, p, sizeof(a));
		memcpy(&b, p + 8, sizeof(b));
		s0 += (a & UINT32_MAX) + (a >> 32);
		s1 += (b & UINT32_MAX) + (b >> 32);
	}
	s0 += s1;
	for (; len >= 2; p += 2, len -= 2) {
		memcpy(&w, p, sizeof(w));
		s0 += w;
	}
	if (len != 0) {
		w = 0;
		memcpy(&w, p, 1);
		s0 += w;
	}
	while (s0 >> 16)
		s0 = (s0 & 0xffff) + (s0 >> 16);
	return (uint16_t)s0;
}

/*
 * Ones' complement sum of @len bytes of the chain @m from @off. Each
 * segment's sum is folded to 16 bits before it is added, byte-swapped when
 * the segment starts at an odd position of the stream. (DPDK 22.11's
 * rte_raw_cksum_mbuf() drops the carries of odd-placed segments.)
 */
static inline int
rtap_vnet_sum_chain(const struct rte_mbuf *m, uint32_t off, uint32_t len, uint16_t *out)
{
	uint64_t sum = 0;
	uint32_t done = 0;

	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	for (; m != NULL && len > 0; m = m->next, off = 0) {
		uint32_t n = RTE_MIN(len, (uint32_t)m->data_len - off);
		uint32_t s = rtap_vnet_raw_sum(rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);

		if (done & 1)
			s = ((s & 0xff) << 8) | (s >> 8);
		sum += s;
		done += n;
		len -= n;
	}
	if (len > 0)
		return -EINVAL;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	*out = (uint16_t)sum;
	return 0;
}

/*
 * A partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM): the data is intact and
 * the field at @start + @offset holds the pseudo-header sum. Finish it.
 * The field must lie in the first segment.
 */
static inline int
rtap_vnet_csum_complete(struct rte_mbuf *m, uint16_t start, uint16_t offset)
{
	uint16_t csum;

	if ((uint32_t)start + offset + sizeof(csum) > m->data_len)
		return -EINVAL;
	if (rtap_vnet_sum_chain(m, start, m->pkt_len - start, &csum) < 0)
		return -EINVAL;
	if (likely(csum != 0xffff))
		csum = ~csum;
	/* The field may sit at any byte offset. */
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, start + offset), &csum, sizeof(csum));
	return 0;
}

/* Pseudo-header sum (not complemented) of an IPv4 or IPv6 header @l3 over @l4_len bytes. */
static inline uint16_t
rtap_vnet_phdr(const uint8_t *l3, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint32_t sum;

	/* By offset, not by member type: the address types differ between DPDK releases. */
	if (!v6)
		sum = __rte_raw_cksum(l3 + offsetof(struct rte_ipv4_hdr, src_addr), 8, 0);
	else
		sum = __rte_raw_cksum(l3 + offsetof(struct rte_ipv6_hdr, src_addr), 32, 0);
	sum += rte_cpu_to_be_16(proto);
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16)) + rte_cpu_to_be_16((uint16_t)l4_len);
	return __rte_raw_cksum_reduce(sum);
}

/*
 * The 16-bit field at @off of @m's first segment (big-endian, as it is), read
 * by bytes: frame bytes may sit at any address. The caller checks data_len.
 */
static inline rte_be16_t
rtap_vnet_be16(const struct rte_mbuf *m, uint32_t off)
{
	rte_be16_t v;

	memcpy(&v, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), sizeof(v));
	return v;
}

/* The type field before a frame's L3 header or tag at @off: the EtherType or a TPID. */
#define RTAP_VNET_TYPE_AT(m, off) rtap_vnet_be16(m, -2 + (off))

/*
 * The EtherType after the Ethernet header and up to two VLAN tags (802.1Q or
 * 802.1ad) of @m, and where the L3 header starts. -EINVAL when the frame
 * ends first.
 */
static inline int
rtap_vnet_l2(const struct rte_mbuf *m, uint16_t *type, uint32_t *l3_off)
{
	uint32_t off = RTE_ETHER_HDR_LEN;
	uint16_t t;
	int tags;

	if (m->data_len < off)
		return -EINVAL;
	t = RTAP_VNET_TYPE_AT(m, off);
	for (tags = 0; tags < 2; tags++) {
		if (t != RTE_BE16(RTE_ETHER_TYPE_VLAN) && t != RTE_BE16(RTE_ETHER_TYPE_QINQ))
			break;
		if (m->data_len < off + RTE_VLAN_HLEN)
			return -EINVAL;
		off += RTE_VLAN_HLEN;
		t = RTAP_VNET_TYPE_AT(m, off);
	}
	*type = t;
	*l3_off = off;
	return 0;
}

#define RTAP_RX_IP_BAD RTE_MBUF_F_RX_IP_CKSUM_BAD
#define RTAP_RX_L4_BAD RTE_MBUF_F_RX_L4_CKSUM_BAD

/* Does @fl hold a BAD verdict (IP or L4)? BAD and NONE share bits: compare the fields. */
static inline bool
rtap_vnet_rx_csum_bad(uint64_t fl)
{
	return (fl & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD ||
		(fl & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD;
}

/*
 * rte_pktmbuf_read() of a header the caller reads through its struct: where
 * it lies whole in the segment but at an odd address it is copied to @buf
 * too, as DPDK's header structs are 2-byte aligned since 24.11 (and a frame
 * may start anywhere).
 */
static inline const void *
rtap_vnet_read_hdr(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *buf)
{
	const void *p = rte_pktmbuf_read(m, off, len, buf);

	if (p != NULL && p != buf && ((uintptr_t)p & 1) != 0) {
		memcpy(buf, p, len);
		return buf;
	}
	return p;
}

/*
 * Where the IPv6 header @ip6 at @off of @m leads: the upper-layer header
 * after the extension headers whose length the checksum does not depend on
 * (hop-by-hop, destination options, a routing header with no segment left).
 * Returns the protocol with its offset and length in @l4_off and @l4_len,
 * or 0 when there is no L4 checksum to check (a fragment, a routing header
 * still on its way, a jumbogram, or headers that do not fit).
 */
static inline uint8_t
rtap_vnet_ipv6_l4(const struct rte_mbuf *m, const struct rte_ipv6_hdr *ip6, uint32_t off,
		  uint32_t *l4_off, uint32_t *l4_len)
{
	uint32_t len = rte_be_to_cpu_16(ip6->payload_len);
	uint8_t proto = ip6->proto;
	int n;

	off += sizeof(*ip6);
	for (n = 0; n < 8 && len > 0; n++) {
		uint8_t buf[4];
		const uint8_t *ext;
		uint32_t ext_len;

		if (proto != IPPROTO_HOPOPTS && proto != IPPROTO_DSTOPTS &&
		    proto != IPPROTO_ROUTING)
			break;
		ext = rte_pktmbuf_read(m, off, sizeof(buf), buf);
		if (ext == NULL)
			return 0;
		ext_len = ((uint32_t)ext[1] + 1) * 8;
		/* The pseudo-header names the final destination: not in the header yet. */
		if ((proto == IPPROTO_ROUTING && ext[3] != 0) || ext_len > len)
			return 0;
		proto = ext[0];
		off += ext_len;
		len -= ext_len;
	}
	if (len == 0 || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return 0; /* a jumbogram (payload length 0), a fragment, nothing to check */
	*l4_off = off;
	*l4_len = len;
	return proto;
}

/*
 * The TCP or UDP checksum of the segment at @l4_off, @l4_len bytes long as
 * its IP header says, with the pseudo-header of the IPv4 or IPv6 (@v6)
 * header @l3: GOOD or BAD. A zero UDP checksum over IPv4 is "none sent",
 * which is valid (GOOD); over IPv6 it is not allowed (BAD).
 */
static inline uint64_t
rtap_vnet_l4_verdict(const struct rte_mbuf *m, const uint8_t *l3, bool v6, uint8_t proto,
		     uint32_t l4_off, uint32_t l4_len)
{
	uint16_t sum;

	if ((uint64_t)l4_off + l4_len > m->pkt_len)
		return RTE_MBUF_F_RX_L4_CKSUM_BAD; /* cut short */
	if (proto == IPPROTO_TCP) {
		if (l4_len < sizeof(struct rte_tcp_hdr))
			return RTE_MBUF_F_RX_L4_CKSUM_BAD;
	} else {
		struct rte_udp_hdr ubuf;
		const struct rte_udp_hdr *uh;
		uint32_t ulen;

		uh = l4_len < sizeof(*uh) ? NULL :
					    rtap_vnet_read_hdr(m, l4_off, sizeof(*uh), &ubuf);
		if (uh == NULL)
			return RTE_MBUF_F_RX_L4_CKSUM_BAD;
		ulen = rte_be_to_cpu_16(uh->dgram_len);
		if (ulen < sizeof(*uh) || ulen > l4_len)
			return RTE_MBUF_F_RX_L4_CKSUM_BAD;
		if (uh->dgram_cksum == 0)
			return v6 ? RTE_MBUF_F_RX_L4_CKSUM_BAD : RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		l4_len = ulen; /* what follows the datagram is padding */
	}
	if (rtap_vnet_sum_chain(m, l4_off, l4_len, &sum) < 0)
		return RTE_MBUF_F_RX_L4_CKSUM_BAD;
	sum = __rte_raw_cksum_reduce((uint32_t)sum + rtap_vnet_phdr(l3, v6, proto, l4_len));
	return sum == 0xffff ? RTE_MBUF_F_RX_L4_CKSUM_GOOD : RTE_MBUF_F_RX_L4_CKSUM_BAD;
}

/*
 * The checksum verdicts the driver computes itself, for a frame the kernel
 * said nothing about (bridged, or sent by AF_PACKET): with @ip, the IPv4
 * header's (RTE_MBUF_F_RX_IP_CKSUM_GOOD/BAD; nothing for IPv6, which has no
 * header checksum); with @l4, the TCP or UDP checksum's over IPv4 or IPv6
 * (RTE_MBUF_F_RX_L4_CKSUM_GOOD/BAD). Up to two VLAN tags are looked through.
 * A frame too short for its IP header gets no verdict; an IPv4 header with
 * a wrong version or length is BAD and its L4 not judged. Fragments and
 * other frames whose L4 checksum cannot be checked on their own (see
 * rtap_vnet_ipv6_l4()) get no L4 verdict; a TCP or UDP segment that does
 * not fit its frame or its own length fields is BAD.
 */
static inline uint64_t
rtap_vnet_rx_verdict(const struct rte_mbuf *m, bool ip, bool l4)
{
	union {
		struct rte_ipv4_hdr v4;
		struct rte_ipv6_hdr v6;
		uint8_t b[60];
	} hbuf;
	const uint8_t *l3;
	uint32_t off, l4_off, l4_len;
	uint64_t fl = 0;
	uint16_t type;
	uint8_t proto;

	if (rtap_vnet_l2(m, &type, &off) < 0)
		return 0;
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV4)) {
		const struct rte_ipv4_hdr *ip4;
		uint32_t ihl, tot;

		ip4 = rtap_vnet_read_hdr(m, off, sizeof(*ip4), &hbuf);
		if (ip4 == NULL)
			return 0;
		ihl = (uint32_t)(ip4->version_ihl & RTE_IPV4_HDR_IHL_MASK) * 4;
		if ((ip4->version_ihl >> 4) != 4 || ihl < sizeof(*ip4))
			return ip ? RTE_MBUF_F_RX_IP_CKSUM_BAD : 0;
		ip4 = rtap_vnet_read_hdr(m, off, ihl, &hbuf);
		if (ip4 == NULL)
			return ip ? RTE_MBUF_F_RX_IP_CKSUM_BAD : 0;
		if (ip)
			fl = rte_raw_cksum(ip4, ihl) == 0xffff ? RTE_MBUF_F_RX_IP_CKSUM_GOOD :
								 RTE_MBUF_F_RX_IP_CKSUM_BAD;
		proto = ip4->next_proto_id;
		if (!l4 || (proto != IPPROTO_TCP && proto != IPPROTO_UDP) ||
		    (ip4->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0)
			return fl; /* a fragment: the checksum covers the whole datagram */
		tot = rte_be_to_cpu_16(ip4->total_length);
		if (tot < ihl)
			return fl | RTE_MBUF_F_RX_L4_CKSUM_BAD;
		l3 = (const uint8_t *)ip4;
		return fl | rtap_vnet_l4_verdict(m, l3, false, proto, off + ihl, tot - ihl);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6) && l4) {
		const struct rte_ipv6_hdr *ip6;

		ip6 = rtap_vnet_read_hdr(m, off, sizeof(*ip6), &hbuf);
		if (ip6 == NULL || (rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
			return 0;
		proto = rtap_vnet_ipv6_l4(m, ip6, off, &l4_off, &l4_len);
		if (proto == 0)
			return 0;
		return rtap_vnet_l4_verdict(m, (const uint8_t *)ip6, true, proto, l4_off, l4_len);
	}
	return 0;
}

/*
 * The header says nothing of IPv4 header checksums, and bridged frames reach
 * us unchecked: verify an IPv4 header (after up to two VLAN tags) in software.
 * 0 for frames that are not IPv4.
 */
static inline uint64_t
rtap_vnet_ipv4_verdict(const struct rte_mbuf *m)
{
	return rtap_vnet_rx_verdict(m, true, false);
}

/*
 * Apply the kernel's header @h to the received frame @m (pkt_len and the
 * chain already set), for a queue doing RTAP_RX_OL_* work @ol. A partial
 * checksum is handed on as RTE_MBUF_F_RX_L4_CKSUM_NONE only to an
 * application that enabled LRO (the only offload that negotiates partial
 * checksums) and that protocol's checksum offload; any other is completed
 * in software, so that a frame forwarded as it is carries a valid checksum.
 * With a TCP or UDP checksum offload on, every TCP and UDP frame gets GOOD
 * or BAD: from the kernel's DATA_VALID or NEEDS_CSUM, else checked here
 * (rtap_vnet_rx_verdict(), which also judges IPv4 headers for
 * RTAP_RX_OL_IP). Returns 0, or -EINVAL for a header that does not fit the
 * frame (the frame is then dropped and counted).
 */
static inline int
rtap_vnet_rx(const struct virtio_net_hdr *h, struct rte_mbuf *m, unsigned int ol)
{
	bool l4 = (ol & (RTAP_RX_OL_TCP | RTAP_RX_OL_UDP)) != 0;
	uint64_t fl = 0;

	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t start = rte_le_to_cpu_16(h->csum_start);
		uint16_t offset = rte_le_to_cpu_16(h->csum_offset);
		bool tcp = offset == offsetof(struct rte_tcp_hdr, cksum);
		bool udp = offset == offsetof(struct rte_udp_hdr, dgram_cksum);

		if ((uint32_t)start + offset + sizeof(uint16_t) > m->data_len)
			return -EINVAL;
		if ((ol & RTAP_RX_OL_LRO) &&
		    ((tcp && (ol & RTAP_RX_OL_TCP)) || (udp && (ol & RTAP_RX_OL_UDP))))
			fl |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		else if (rtap_vnet_csum_complete(m, start, offset) < 0)
			return -EINVAL;
		else if (l4)
			fl |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		l4 = false; /* the kernel vouches for the data */
	} else if ((h->flags & VIRTIO_NET_HDR_F_DATA_VALID) && l4) {
		fl |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
		l4 = false;
	}
	/* What the kernel said nothing about (a bridged or AF_PACKET frame) is checked here. */
	if ((ol & RTAP_RX_OL_IP) || l4)
		fl |= rtap_vnet_rx_verdict(m, (ol & RTAP_RX_OL_IP) != 0, l4);
	/* hdr_len is not the header length on rx: never used. */
	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		uint8_t type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
		uint16_t size = rte_le_to_cpu_16(h->gso_size);

		if ((type != VIRTIO_NET_HDR_GSO_TCPV4 && type != VIRTIO_NET_HDR_GSO_TCPV6 &&
		     type != VIRTIO_NET_HDR_GSO_UDP_L4) ||
		    size == 0)
			return -EINVAL;
		fl |= RTE_MBUF_F_RX_LRO;
		m->tso_segsz = size;
	}
	m->ol_flags |= fl;
	return 0;
}

/*
 * Is @m, @len bytes long with the kernel's header @h, over the port MTU?
 * @max_len is the longest frame the MTU allows without a VLAN tag (MTU plus
 * the Ethernet header); each of up to two tags (802.1Q or 802.1ad) adds
 * one, so the limit applies to what a tag carries. GSO super-frames (LRO)
 * are not held to it. Called only for frames longer than @max_len.
 */
static inline bool
rtap_vnet_rx_oversize(const struct virtio_net_hdr *h, const struct rte_mbuf *m, uint32_t max_len)
{
	uint32_t off = RTE_ETHER_HDR_LEN;
	uint16_t t;
	int tags;

	if (h->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return false;
	if (m->data_len >= off) {
		t = RTAP_VNET_TYPE_AT(m, off);
		for (tags = 0; tags < 2; tags++) {
			if ((t != RTE_BE16(RTE_ETHER_TYPE_VLAN) &&
			     t != RTE_BE16(RTE_ETHER_TYPE_QINQ)) ||
			    m->data_len < off + RTE_VLAN_HLEN)
				break;
			off += RTE_VLAN_HLEN;
			t = RTAP_VNET_TYPE_AT(m, off);
			max_len += RTE_VLAN_HLEN;
		}
	}
	return m->pkt_len > max_len;
}

/*
 * The TCI of @m's outer 802.1Q tag (TPID 0x8100), in host order, or -1 when
 * it has none: untagged, or its outer tag is another TPID (802.1ad).
 */
static inline int32_t
rtap_vnet_rx_vlan_tci(const struct rte_mbuf *m)
{
	if (m->data_len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN ||
	    RTAP_VNET_TYPE_AT(m, RTE_ETHER_HDR_LEN) != RTE_BE16(RTE_ETHER_TYPE_VLAN))
		return -1;
	return rte_be_to_cpu_16(rtap_vnet_be16(m, RTE_ETHER_HDR_LEN));
}

/*
 * The VLAN filter (RTE_ETH_RX_OFFLOAD_VLAN_FILTER): does @tab, a bit per VLAN
 * ID, let @m through? Frames without an 802.1Q outer tag and priority-tagged
 * ones (VID 0) always pass. The control thread sets and clears bits under a
 * reader: each word is read once.
 */
static inline bool
rtap_vnet_rx_vlan_pass(const struct rte_mbuf *m, const uint64_t *tab)
{
	int32_t tci = rtap_vnet_rx_vlan_tci(m);
	uint16_t vid;

	if (tci < 0)
		return true;
	vid = (uint16_t)tci & RTE_VLAN_ID_MASK;
	return vid == 0 || ((__atomic_load_n(&tab[vid / 64], __ATOMIC_RELAXED) >> (vid % 64)) & 1);
}

/*
 * RTE_ETH_RX_OFFLOAD_VLAN_STRIP: an outer 802.1Q tag moves into vlan_tci
 * (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED) and out of the data: the
 * addresses move 4 bytes up, over it. Other frames are left as they are.
 */
static inline void
rtap_vnet_rx_vlan_strip(struct rte_mbuf *m)
{
	int32_t tci = rtap_vnet_rx_vlan_tci(m);
	uint8_t *p;

	if (tci < 0)
		return;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memmove(p + RTE_VLAN_HLEN, p, 2 * RTE_ETHER_ADDR_LEN);
	rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
	m->vlan_tci = (uint16_t)tci;
	m->ol_flags |= RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
}

/*
 * A MAC address as the key the receive filter compares (struct
 * rtap_filter): its six bytes in a uint64_t, in memory order, so that the
 * I/G (multicast) bit of the first byte is bit 0 of the key on a
 * little-endian CPU and bit 56 on a big-endian one.
 */
static inline uint64_t
rtap_mac_key(const uint8_t *a)
{
	uint64_t k = 0;

	memcpy(&k, a, RTE_ETHER_ADDR_LEN);
	return k;
}

static inline bool
rtap_mac_key_is_multicast(uint64_t k)
{
	return (((const uint8_t *)&k)[0] & 1) != 0;
}

/*
 * Does the receive filter @f (promiscuous off) take a frame to @dst? Its
 * own and added addresses and its multicast list exactly, broadcast, and
 * with all-multicast every group. @f may change under a reader: the count is
 * bounded, so a torn read (which the caller's seqlock retries) stays in the
 * table.
 */
static inline bool
rtap_vnet_rx_filter_match(const struct rtap_filter *f, uint64_t dst)
{
	uint16_t n = RTE_MIN(f->nb_addr, (uint16_t)RTE_DIM(f->addr));
	uint16_t i;

	if (rtap_mac_key_is_multicast(dst)) {
		static const uint8_t bcast[RTE_ETHER_ADDR_LEN] = { 0xff, 0xff, 0xff,
								   0xff, 0xff, 0xff };

		if (f->allmulti || dst == rtap_mac_key(bcast))
			return true;
	}
	for (i = 0; i < n; i++)
		if (f->addr[i] == dst)
			return true;
	return false;
}

/*
 * Link @n fresh mbufs into the chain one scattered read fills. The chain is
 * valid as it stands (nb_segs, pkt_len, data_len), so freeing it unread is
 * correct, in mbuf debug builds too.
 */
static inline void
rtap_rx_chain_link(struct rte_mbuf **segs, uint16_t n)
{
	struct rte_mbuf *head = segs[0];
	uint16_t k;

	for (k = 1; k < n; k++)
		segs[k - 1]->next = segs[k];
	head->nb_segs = n;
	head->pkt_len = 0;
}

/*
 * Trim a chain to @len (> 0: a read returns at least one byte of frame)
 * bytes in segments of @room; the unused tail is freed.
 */
static inline void
rtap_rx_chain_trim(struct rte_mbuf *head, uint32_t len, uint16_t room)
{
	struct rte_mbuf *seg = head, *last = head;
	uint16_t n = 0;

	head->pkt_len = len;
	while (len > 0 && seg != NULL) {
		seg->data_len = RTE_MIN(len, (uint32_t)room);
		len -= seg->data_len;
		last = seg;
		seg = seg->next;
		n++;
	}
	last->next = NULL;
	head->nb_segs = n;
	if (seg != NULL) {
		struct rte_mbuf *t;

		/* The tail is a valid chain of its own before it goes back. */
		for (t = seg, n = 0; t != NULL; t = t->next)
			n++;
		seg->nb_segs = n;
		seg->pkt_len = 0;
		rte_pktmbuf_free(seg);
	}
}

/* ---- tx ---- */

/* Tx offload flags the data path acts on. */
#define RTAP_TX_OL_MASK \
	(RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | RTE_MBUF_F_TX_TCP_SEG | \
	 RTE_MBUF_F_TX_UDP_SEG)
#define RTAP_TX_SEG_MASK (RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG)
/* VLAN insertion (RTE_ETH_TX_OFFLOAD_VLAN_INSERT, QINQ_INSERT), done by the driver. */
#define RTAP_TX_VLAN_MASK (RTE_MBUF_F_TX_VLAN | RTE_MBUF_F_TX_QINQ)

/*
 * Bytes of tags @m asks for before its EtherType: RTE_MBUF_F_TX_QINQ is two
 * (vlan_tci_outer in an 802.1ad tag, then vlan_tci in an 802.1Q one, with
 * or without RTE_MBUF_F_TX_VLAN), RTE_MBUF_F_TX_VLAN alone one (vlan_tci,
 * 802.1Q).
 */
static inline uint32_t
rtap_vnet_tx_vlan_len(const struct rte_mbuf *m)
{
	if (m->ol_flags & RTE_MBUF_F_TX_QINQ)
		return 2 * RTE_VLAN_HLEN;
	return (m->ol_flags & RTE_MBUF_F_TX_VLAN) ? RTE_VLAN_HLEN : 0;
}

/* Writes the rtap_vnet_tx_vlan_len() bytes of @m's tags at @p. */
static inline void
rtap_vnet_tx_vlan_tags(const struct rte_mbuf *m, uint8_t *p)
{
	/* A tag on the wire: its TPID (where the EtherType was), then its TCI. */
	rte_be16_t tag[2];

	if (m->ol_flags & RTE_MBUF_F_TX_QINQ) {
		tag[0] = RTE_BE16(RTE_ETHER_TYPE_QINQ);
		tag[1] = rte_cpu_to_be_16(m->vlan_tci_outer);
		memcpy(p, tag, sizeof(tag));
		p += sizeof(tag);
	}
	tag[0] = RTE_BE16(RTE_ETHER_TYPE_VLAN);
	tag[1] = rte_cpu_to_be_16(m->vlan_tci);
	memcpy(p, tag, sizeof(tag));
}

/*
 * Insert @m's tags in place, in its headroom (the caller checked that @m is
 * ours alone, with rtap_vnet_tx_vlan_len() bytes of room more than the
 * virtio-net header's): the addresses move down, the tags fill the gap, and
 * the offload request's offsets move with them (l2_len, or outer_l2_len for
 * a tunnel). The request is then an untagged frame's with no VLAN flag.
 */
static inline void
rtap_vnet_tx_vlan_insert(struct rte_mbuf *m)
{
	uint32_t ins = rtap_vnet_tx_vlan_len(m);
	uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, (uint16_t)ins);

	memmove(p, p + ins, 2 * RTE_ETHER_ADDR_LEN);
	rtap_vnet_tx_vlan_tags(m, p + 2 * RTE_ETHER_ADDR_LEN);
	if (m->ol_flags & RTE_MBUF_F_TX_TUNNEL_MASK)
		m->outer_l2_len += ins;
	else
		m->l2_len += ins;
	m->ol_flags &= ~RTAP_TX_VLAN_MASK;
}

/* Offset of the L3 header an offload request of @m is about (inner, for a tunnel). */
static inline uint32_t
rtap_vnet_tx_l3_off(const struct rte_mbuf *m)
{
	uint32_t off = m->l2_len;

	if (m->ol_flags & RTE_MBUF_F_TX_TUNNEL_MASK)
		off += (uint32_t)m->outer_l2_len + m->outer_l3_len;
	return off;
}

/* Bytes of L2-L4 headers an offload request of @m covers (outer headers included). */
static inline uint32_t
rtap_vnet_tx_hdr_len(const struct rte_mbuf *m)
{
	uint32_t len = rtap_vnet_tx_l3_off(m) + m->l3_len;

	if (m->ol_flags & (RTE_MBUF_F_TX_L4_MASK | RTAP_TX_SEG_MASK))
		len += m->l4_len;
	return len;
}

/* Does the request make the driver rewrite the packet's headers? */
static inline bool
rtap_vnet_tx_rewrites(const struct rte_mbuf *m)
{
	return (m->ol_flags & (RTE_MBUF_F_TX_IP_CKSUM | RTAP_TX_SEG_MASK)) != 0;
}

/*
 * May the virtio-net header (and offload fix-ups) go into @m's own bytes?
 * Only when the packet is ours alone, has the headroom, and the header
 * there is aligned as struct virtio_net_hdr must be (an odd data offset,
 * e.g. after rte_pktmbuf_adj() of an odd length, would make every header
 * field access misaligned); else the slot's header is used.
 */
static inline bool
rtap_vnet_tx_in_headroom(const struct rte_mbuf *m)
{
	uintptr_t hdr = rte_pktmbuf_mtod(m, uintptr_t) - RTAP_VNET_HDR_LEN;

	return RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1 &&
		rte_pktmbuf_headroom(m) >= RTAP_VNET_HDR_LEN &&
		hdr % alignof(struct virtio_net_hdr) == 0;
}

/*
 * Can the kernel carry out what @m asks for? The one validation for
 * tx_prepare and tx_burst. 0 or -EINVAL.
 */
static inline int
rtap_vnet_tx_check(const struct rte_mbuf *m)
{
	uint64_t fl = m->ol_flags;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l4_off = rtap_vnet_tx_l3_off(m) + m->l3_len;
	uint32_t hdr_len;

	if (m->nb_segs > RTAP_TX_MAX_SEGS)
		return -EINVAL;
	/* Tags go after the addresses, which must be in the first segment. */
	if ((fl & RTAP_TX_VLAN_MASK) && m->data_len < 2 * RTE_ETHER_ADDR_LEN)
		return -EINVAL;
	if (!(fl & RTAP_TX_OL_MASK))
		return 0;
	/*
	 * Tags go after the addresses and move what follows by their length:
	 * the (outer, for a tunnel) L2 header must hold the addresses, or the
	 * offsets would not move with the bytes, and tags inserted in place add
	 * to l2_len (outer_l2_len), a 7-bit field: past it the offloads would be
	 * done at a wrapped offset.
	 */
	if (fl & RTAP_TX_VLAN_MASK) {
		uint32_t l2 = (fl & RTE_MBUF_F_TX_TUNNEL_MASK) ? m->outer_l2_len : m->l2_len;

		if (l2 < 2 * RTE_ETHER_ADDR_LEN ||
		    l2 + rtap_vnet_tx_vlan_len(m) >= (1u << RTE_MBUF_L2_LEN_BITS))
			return -EINVAL;
	}
	/*
	 * Headers must be in the first segment, and fit (with the tags to
	 * insert) the copy a shared mbuf needs.
	 */
	hdr_len = rtap_vnet_tx_hdr_len(m);
	if (hdr_len > m->data_len ||
	    (rtap_vnet_tx_rewrites(m) && hdr_len + rtap_vnet_tx_vlan_len(m) > RTAP_TX_HDR_COPY))
		return -EINVAL;
	/* The IPv4 checksum covers IHL words: exactly the l3_len bytes checked above. */
	if (fl & RTE_MBUF_F_TX_IP_CKSUM) {
		/* Bytes, not struct rte_ipv4_hdr (2-byte aligned from 24.11): l2_len may be odd. */
		const uint8_t *ip;

		if (!(fl & RTE_MBUF_F_TX_IPV4) || m->l3_len < sizeof(struct rte_ipv4_hdr))
			return -EINVAL;
		ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, rtap_vnet_tx_l3_off(m));
		if ((uint32_t)(ip[0] & RTE_IPV4_HDR_IHL_MASK) * 4 != m->l3_len)
			return -EINVAL;
	}
	/*
	 * Segmentation rewrites the L4 checksum field from the IP addresses:
	 * both must lie within the headers (and so within the copy).
	 */
	if (fl & RTAP_TX_SEG_MASK) {
		bool tcp = (fl & RTE_MBUF_F_TX_TCP_SEG) != 0;

		if ((fl & RTAP_TX_SEG_MASK) == RTAP_TX_SEG_MASK || m->tso_segsz == 0 ||
		    (fl & RTE_MBUF_F_TX_TUNNEL_MASK) ||
		    !(fl & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)))
			return -EINVAL;
		if (tcp ? m->l4_len < sizeof(struct rte_tcp_hdr) :
			  m->l4_len != sizeof(struct rte_udp_hdr))
			return -EINVAL;
		if (m->l3_len < ((fl & RTE_MBUF_F_TX_IPV4) ? sizeof(struct rte_ipv4_hdr) :
							     sizeof(struct rte_ipv6_hdr)))
			return -EINVAL;
		l4 = tcp ? RTE_MBUF_F_TX_TCP_CKSUM : RTE_MBUF_F_TX_UDP_CKSUM;
	}
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM || l4 == RTE_MBUF_F_TX_UDP_CKSUM) {
		uint32_t offset = l4 == RTE_MBUF_F_TX_TCP_CKSUM ?
			offsetof(struct rte_tcp_hdr, cksum) :
			offsetof(struct rte_udp_hdr, dgram_cksum);

		if (m->l3_len == 0 || l4_off + offset + sizeof(uint16_t) > m->pkt_len ||
		    l4_off > UINT16_MAX)
			return -EINVAL;
	} else if (l4 != 0) {
		return -EINVAL; /* SCTP: not in the virtio-net header */
	}
	return 0;
}

/* Pseudo-header sum (not complemented) over an L4 length of @l4_len bytes. */
static inline uint16_t
rtap_vnet_gso_phdr(const uint8_t *l3, uint64_t fl, uint8_t proto, uint32_t l4_len)
{
	return rtap_vnet_phdr(l3, !(fl & RTE_MBUF_F_TX_IPV4), proto, l4_len);
}

/*
 * rte_eth_tx_prepare()'s checksum work, as rte_net_intel_cksum_prepare()
 * does it (the IPv4 header checksum zeroed, the TCP or UDP checksum field
 * set to the pseudo-header sum, without the length for segmentation; -ENOTSUP
 * for headers beyond the first segment). DPDK's goes through its header
 * structs, 2-byte aligned since 24.11: a packet without outer headers whose
 * IP header sits at an odd address is prepared here, by bytes. So is UDP
 * segmentation, which DPDK's prepares since 24.11 only (the UDP checksum
 * field set as for TCP segmentation): the same on every release.
 */
static inline int
rtap_vnet_tx_prepare(struct rte_mbuf *m)
{
	const uint64_t outer =
		RTE_MBUF_F_TX_OUTER_IPV4 | RTE_MBUF_F_TX_OUTER_IPV6 | RTE_MBUF_F_TX_TUNNEL_MASK;
	const uint64_t seg = RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_UDP_SEG;
	uint64_t fl = m->ol_flags;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	bool v4 = (fl & RTE_MBUF_F_TX_IPV4) != 0;
	uint16_t len = 0, phdr, off;
	uint8_t *l3, proto;
	size_t len_off;

	l3 = rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len);
	if ((((uintptr_t)l3 & 1) == 0 && !(fl & RTE_MBUF_F_TX_UDP_SEG)) || (fl & outer))
		return rte_net_intel_cksum_prepare(m);
	if (!(fl & (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK | seg)))
		return 0;
	if (rte_pktmbuf_data_len(m) < (uint32_t)m->l2_len + m->l3_len + m->l4_len)
		return -ENOTSUP;
	if (v4 && (fl & RTE_MBUF_F_TX_IP_CKSUM))
		memset(l3 + offsetof(struct rte_ipv4_hdr, hdr_checksum), 0, sizeof(rte_be16_t));
	if (l4 == RTE_MBUF_F_TX_UDP_CKSUM || (fl & RTE_MBUF_F_TX_UDP_SEG))
		off = offsetof(struct rte_udp_hdr, dgram_cksum);
	else if (l4 == RTE_MBUF_F_TX_TCP_CKSUM || (fl & RTE_MBUF_F_TX_TCP_SEG))
		off = offsetof(struct rte_tcp_hdr, cksum);
	else
		return 0;
	proto = v4 ? l3[offsetof(struct rte_ipv4_hdr, next_proto_id)] :
		     l3[offsetof(struct rte_ipv6_hdr, proto)];
	if (!(fl & seg)) {
		len_off = v4 ? offsetof(struct rte_ipv4_hdr, total_length) :
			       offsetof(struct rte_ipv6_hdr, payload_len);
		len = rte_be_to_cpu_16(rtap_vnet_be16(m, m->l2_len + len_off));
		if (v4)
			len = (uint16_t)(len - (l3[0] & RTE_IPV4_HDR_IHL_MASK) * 4);
	}
	phdr = rtap_vnet_phdr(l3, !v4, proto, len);
	memcpy(l3 + m->l3_len + off, &phdr, sizeof(phdr));
	return 0;
}

/*
 * Fill @vh for @m, which rtap_vnet_tx_check() accepted. @hdrs holds the
 * packet's first rtap_vnet_tx_hdr_len() bytes as they go out, writable, with
 * @ins bytes of VLAN tags inserted after the addresses (their offsets move
 * by as much): the IPv4 checksum is computed there (the kernel does not),
 * and for segmentation the pseudo-header sum is rewritten the way the
 * kernel's GSO expects it.
 */
static inline void
rtap_vnet_tx(struct virtio_net_hdr *vh, const struct rte_mbuf *m, uint8_t *hdrs, uint32_t ins)
{
	uint64_t fl = m->ol_flags;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l3_off = rtap_vnet_tx_l3_off(m) + ins;
	uint32_t l4_off = l3_off + m->l3_len;
	uint32_t offset;
	uint16_t phdr;

	memset(vh, 0, sizeof(*vh));
	if (fl & RTE_MBUF_F_TX_IP_CKSUM) {
		/* rte_ipv4_cksum() on bytes: the header may sit at an odd offset (above). */
		uint8_t *ip = hdrs + l3_off;
		uint16_t cksum = 0;

		memcpy(ip + offsetof(struct rte_ipv4_hdr, hdr_checksum), &cksum, sizeof(cksum));
		cksum = (uint16_t)~rte_raw_cksum(ip, (ip[0] & RTE_IPV4_HDR_IHL_MASK) * 4u);
		memcpy(ip + offsetof(struct rte_ipv4_hdr, hdr_checksum), &cksum, sizeof(cksum));
	}
	/* Segmentation implies the L4 checksum (DPDK's definition of the flags). */
	if (fl & RTE_MBUF_F_TX_TCP_SEG)
		l4 = RTE_MBUF_F_TX_TCP_CKSUM;
	else if (fl & RTE_MBUF_F_TX_UDP_SEG)
		l4 = RTE_MBUF_F_TX_UDP_CKSUM;
	if (l4 == 0)
		return;
	offset = l4 == RTE_MBUF_F_TX_TCP_CKSUM ? offsetof(struct rte_tcp_hdr, cksum) :
						 offsetof(struct rte_udp_hdr, dgram_cksum);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = rte_cpu_to_le_16((uint16_t)l4_off);
	vh->csum_offset = rte_cpu_to_le_16((uint16_t)offset);
	if (!(fl & RTAP_TX_SEG_MASK))
		return;
	if (fl & RTE_MBUF_F_TX_TCP_SEG)
		vh->gso_type = (fl & RTE_MBUF_F_TX_IPV4) ? VIRTIO_NET_HDR_GSO_TCPV4 :
							   VIRTIO_NET_HDR_GSO_TCPV6;
	else
		vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh->gso_size = rte_cpu_to_le_16(m->tso_segsz);
	vh->hdr_len = rte_cpu_to_le_16((uint16_t)(l4_off + m->l4_len));
	/*
	 * The kernel's GSO wants the pseudo-header sum over the whole L4
	 * length; DPDK releases differ on whether the application's sum has
	 * it. Write the kernel's, from the IP header.
	 */
	phdr = rtap_vnet_gso_phdr(hdrs + l3_off, fl,
				  (fl & RTE_MBUF_F_TX_TCP_SEG) ? IPPROTO_TCP : IPPROTO_UDP,
				  m->pkt_len - (l4_off - ins));
	memcpy(hdrs + l4_off + offset, &phdr, sizeof(phdr));
}

#endif /* _RTAP_VNET_H_ */
