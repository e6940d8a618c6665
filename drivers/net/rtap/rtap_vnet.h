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
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
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
 * A partial checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM): the data is intact and
 * the field at @start + @offset holds the pseudo-header sum. Finish it.
 * The field must lie in the first segment.
 */
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
		uint32_t s = __rte_raw_cksum_reduce(
			__rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const void *, off), n, 0));

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

/*
 * The header says nothing of IPv4 header checksums, and bridged frames reach
 * us unchecked: verify an IPv4 header (after up to two VLAN tags) in software.
 * 0 for frames that are not IPv4.
 */
static inline uint64_t
rtap_vnet_ipv4_verdict(const struct rte_mbuf *m)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t off = RTE_ETHER_HDR_LEN;
	uint32_t ihl;
	uint16_t type;
	int tags;

	/* Frame bytes may sit at any address: read the fields by bytes. */
	if (m->data_len < off)
		return 0;
	memcpy(&type, p + offsetof(struct rte_ether_hdr, ether_type), sizeof(type));
	for (tags = 0; tags < 2; tags++) {
		if (type != RTE_BE16(RTE_ETHER_TYPE_VLAN) && type != RTE_BE16(RTE_ETHER_TYPE_QINQ))
			break;
		if (m->data_len < off + RTE_VLAN_HLEN)
			return 0;
		memcpy(&type, p + off + offsetof(struct rte_vlan_hdr, eth_proto), sizeof(type));
		off += RTE_VLAN_HLEN;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    m->data_len < off + sizeof(struct rte_ipv4_hdr))
		return 0;
	ihl = (uint32_t)(p[off] & RTE_IPV4_HDR_IHL_MASK) * 4;
	if ((p[off] >> 4) != 4 || ihl < sizeof(struct rte_ipv4_hdr) || m->data_len < off + ihl)
		return RTE_MBUF_F_RX_IP_CKSUM_BAD;
	return rte_raw_cksum(p + off, ihl) == 0xffff ? RTE_MBUF_F_RX_IP_CKSUM_GOOD :
						       RTE_MBUF_F_RX_IP_CKSUM_BAD;
}

/*
 * Apply the kernel's header @h to the received frame @m (pkt_len and the
 * chain already set), for a queue doing RTAP_RX_OL_* work @ol. A partial
 * checksum is reported as RTE_MBUF_F_RX_L4_CKSUM_NONE when the application
 * enabled that protocol's checksum offload, else completed in software.
 * Returns 0, or -EINVAL for a header that does not fit the frame (the frame
 * is then dropped and counted).
 */
static inline int
rtap_vnet_rx(const struct virtio_net_hdr *h, struct rte_mbuf *m, unsigned int ol)
{
	uint64_t fl = 0;

	if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint16_t start = rte_le_to_cpu_16(h->csum_start);
		uint16_t offset = rte_le_to_cpu_16(h->csum_offset);
		bool tcp = offset == offsetof(struct rte_tcp_hdr, cksum);
		bool udp = offset == offsetof(struct rte_udp_hdr, dgram_cksum);

		if ((uint32_t)start + offset + sizeof(uint16_t) > m->data_len)
			return -EINVAL;
		if ((tcp && (ol & RTAP_RX_OL_TCP)) || (udp && (ol & RTAP_RX_OL_UDP)))
			fl |= RTE_MBUF_F_RX_L4_CKSUM_NONE;
		else if (rtap_vnet_csum_complete(m, start, offset) < 0)
			return -EINVAL;
		else if (ol & (RTAP_RX_OL_TCP | RTAP_RX_OL_UDP))
			fl |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	} else if ((h->flags & VIRTIO_NET_HDR_F_DATA_VALID) &&
		   (ol & (RTAP_RX_OL_TCP | RTAP_RX_OL_UDP))) {
		fl |= RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	}
	if (ol & RTAP_RX_OL_IP)
		fl |= rtap_vnet_ipv4_verdict(m);
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
	if (!(fl & RTAP_TX_OL_MASK))
		return 0;
	/* Headers must be in the first segment, and fit the copy a shared mbuf needs. */
	hdr_len = rtap_vnet_tx_hdr_len(m);
	if (hdr_len > m->data_len || (rtap_vnet_tx_rewrites(m) && hdr_len > RTAP_TX_HDR_COPY))
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
	uint32_t sum;

	/* By offset, not by member type: the address types differ between DPDK releases. */
	if (fl & RTE_MBUF_F_TX_IPV4)
		sum = __rte_raw_cksum(l3 + offsetof(struct rte_ipv4_hdr, src_addr), 8, 0);
	else
		sum = __rte_raw_cksum(l3 + offsetof(struct rte_ipv6_hdr, src_addr), 32, 0);
	sum += rte_cpu_to_be_16(proto);
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16)) + rte_cpu_to_be_16((uint16_t)l4_len);
	return __rte_raw_cksum_reduce(sum);
}

/*
 * Fill @vh for @m, which rtap_vnet_tx_check() accepted. @hdrs holds the
 * packet's first rtap_vnet_tx_hdr_len() bytes, writable: the IPv4 checksum is
 * computed there (the kernel does not), and for segmentation the
 * pseudo-header sum is rewritten the way the kernel's GSO expects it.
 */
static inline void
rtap_vnet_tx(struct virtio_net_hdr *vh, const struct rte_mbuf *m, uint8_t *hdrs)
{
	uint64_t fl = m->ol_flags;
	uint64_t l4 = fl & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l3_off = rtap_vnet_tx_l3_off(m);
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
				  m->pkt_len - l4_off);
	memcpy(hdrs + l4_off + offset, &phdr, sizeof(phdr));
}

#endif /* _RTAP_VNET_H_ */
