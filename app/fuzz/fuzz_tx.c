/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * libFuzzer target: the tx path. The application's side is hostile input:
 * an mbuf chain with arbitrary ol_flags, l2_len..l4_len, outer lengths,
 * tso_segsz, segment layout (headroom, lengths, up to past
 * RTAP_TX_MAX_SEGS), a shared (refcnt 2) or indirect first segment. It goes
 * through rtap_vnet_tx_check() and, when accepted, rtap_vnet_tx() the ways
 * rtap_tx_iov() calls it, VLAN tags (RTE_MBUF_F_TX_VLAN/QINQ) inserted in
 * place or in the slot's copy.
 *
 * Input: [0] segments - 1, [1] kind (bit 0: refcnt 2, bit 1: indirect
 * first segment, bit 2: indirect second segment), [2..3] a selector of
 * offload flags (table below), [4..11] raw ol_flags XORed in, [12] l2_len,
 * [13..14] l3_len, [15] l4_len, [16..17] tso_segsz, [18] outer_l2_len,
 * [19..20] outer_l3_len, [21..22] vlan_tci, [23..24] vlan_tci_outer, then
 * per segment [headroom u8][data_len le16],
 * then the packet's bytes (repeated as needed).
 *
 * Properties: rtap_vnet_tx_check() reads only the first segment's data;
 * rtap_vnet_tx() reads and writes only [0, rtap_vnet_tx_hdr_len) of its
 * header buffer (an exact-size heap copy: ASan's redzone is the guard) and
 * its virtio_net_hdr; in the mbuf's own headroom it touches only the header
 * and the packet's first hdr_len bytes, and never a shared packet's bytes;
 * what it accepts the kernel takes (csum_start + csum_offset + 2 <= length,
 * hdr_len <= length, gso_size != 0); the IPv4 checksum and the GSO
 * pseudo-header sum equal a byte-wise reference; every mbuf back in the pool.
 */

#include <inttypes.h>

#include "fuzz_common.h"
#include "rtap_vnet.h"

#define NB_MBUF	 256
#define MAX_SEGS (RTAP_TX_MAX_SEGS + 2)

static struct rte_mempool *pool;

static const uint64_t flag_table[16] = {
	RTE_MBUF_F_TX_IP_CKSUM,	  RTE_MBUF_F_TX_TCP_CKSUM,	RTE_MBUF_F_TX_UDP_CKSUM,
	RTE_MBUF_F_TX_SCTP_CKSUM, RTE_MBUF_F_TX_TCP_SEG,	RTE_MBUF_F_TX_UDP_SEG,
	RTE_MBUF_F_TX_IPV4,	  RTE_MBUF_F_TX_IPV6,		RTE_MBUF_F_TX_OUTER_IPV4,
	RTE_MBUF_F_TX_OUTER_IPV6, RTE_MBUF_F_TX_OUTER_IP_CKSUM, RTE_MBUF_F_TX_TUNNEL_VXLAN,
	RTE_MBUF_F_TX_TUNNEL_GRE, RTE_MBUF_F_TX_VLAN,		RTE_MBUF_F_TX_OUTER_UDP_CKSUM,
	RTE_MBUF_F_TX_QINQ,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv)
{
	pool = fuzz_eal_pool((*argv)[0], NB_MBUF, RTE_MBUF_DEFAULT_BUF_SIZE);
	return 0;
}

/* A segment: @headroom, @len bytes from the packet source @src (cycled). */
static struct rte_mbuf *
seg_make(uint8_t headroom, uint16_t len, bool indirect, struct fuzz_in *src)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *d = m;
	uint16_t i;

	FUZZ_ASSERT(m != NULL, "pool empty");
	if (indirect) {
		d = rte_pktmbuf_alloc(pool);
		FUZZ_ASSERT(d != NULL, "pool empty");
	}
	d->data_off = RTE_MIN((uint16_t)headroom, d->buf_len);
	d->data_len = len % (d->buf_len - d->data_off + 1);
	for (i = 0; i < d->data_len;) {
		uint16_t n = (uint16_t)RTE_MIN((size_t)(d->data_len - i), src->len);

		if (n == 0) {
			memset(rte_pktmbuf_mtod_offset(d, uint8_t *, i), 0, d->data_len - i);
			break;
		}
		memcpy(rte_pktmbuf_mtod_offset(d, uint8_t *, i), src->p, n);
		i += n;
	}
	if (indirect) {
		rte_pktmbuf_attach(m, d);
		rte_pktmbuf_free(d); /* m holds the only reference now */
	}
	m->pkt_len = m->data_len;
	return m;
}

/* The reference pseudo-header sum, byte-wise, of the IP header at @l3. */
static uint16_t
ref_phdr(const uint8_t *l3, uint64_t fl, uint8_t proto, uint32_t l4_len)
{
	uint64_t sum = proto + (l4_len >> 16) + (l4_len & 0xffff);

	if (fl & RTE_MBUF_F_TX_IPV4)
		return fuzz_ref_sum(l3 + 12, 8, sum);
	return fuzz_ref_sum(l3 + 8, 32, sum);
}

/*
 * What the kernel (tun_get_user, virtio_net_hdr_to_skb) and the reference say
 * of @vh, for @m going out with @ins bytes of VLAN tags inserted after its
 * addresses; @hdrs holds the outgoing frame's headers.
 */
static void
check_hdr(const struct virtio_net_hdr *vh, const struct rte_mbuf *m, const uint8_t *hdrs,
	  uint32_t ins)
{
	uint64_t fl = m->ol_flags;
	uint32_t l3_off = rtap_vnet_tx_l3_off(m) + ins, l4_off = l3_off + m->l3_len;
	uint32_t len = m->pkt_len + ins; /* what the kernel gets */
	uint16_t start = rte_le_to_cpu_16(vh->csum_start);
	uint16_t offset = rte_le_to_cpu_16(vh->csum_offset);

	if (fl & RTE_MBUF_F_TX_IP_CKSUM)
		FUZZ_ASSERT(fuzz_ref_sum(hdrs + l3_off, m->l3_len, 0) == 0xffff,
			    "IPv4 header checksum wrong");
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)) {
		FUZZ_ASSERT(vh->flags == 0 && vh->gso_type == 0 && start == 0 && offset == 0,
			    "header fields without a checksum request");
		return;
	}
	FUZZ_ASSERT(vh->flags == VIRTIO_NET_HDR_F_NEEDS_CSUM, "flags %#x", vh->flags);
	FUZZ_ASSERT(start == l4_off, "csum_start %u, L4 at %u", start, l4_off);
	FUZZ_ASSERT(offset == offsetof(struct rte_tcp_hdr, cksum) ||
			    offset == offsetof(struct rte_udp_hdr, dgram_cksum),
		    "csum_offset %u", offset);
	FUZZ_ASSERT((uint32_t)start + offset + 2 <= len,
		    "checksum field at %u beyond the %u-byte frame: the kernel refuses it",
		    start + offset, len);
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		FUZZ_ASSERT(!(fl & RTAP_TX_SEG_MASK), "segmentation asked, none in the header");
		return;
	}
	FUZZ_ASSERT(fl & RTAP_TX_SEG_MASK, "gso_type %u unasked", vh->gso_type);
	FUZZ_ASSERT(vh->gso_size != 0 && rte_le_to_cpu_16(vh->gso_size) == m->tso_segsz,
		    "gso_size %u", rte_le_to_cpu_16(vh->gso_size));
	FUZZ_ASSERT(rte_le_to_cpu_16(vh->hdr_len) == l4_off + m->l4_len &&
			    rte_le_to_cpu_16(vh->hdr_len) <= m->data_len + ins,
		    "hdr_len %u", rte_le_to_cpu_16(vh->hdr_len));
	if (fl & RTE_MBUF_F_TX_TCP_SEG) {
		FUZZ_ASSERT(offset == offsetof(struct rte_tcp_hdr, cksum), "TSO offset %u", offset);
		FUZZ_ASSERT(vh->gso_type ==
				    ((fl & RTE_MBUF_F_TX_IPV4) ? VIRTIO_NET_HDR_GSO_TCPV4 :
								 VIRTIO_NET_HDR_GSO_TCPV6),
			    "gso_type %u", vh->gso_type);
	} else {
		FUZZ_ASSERT(offset == offsetof(struct rte_udp_hdr, dgram_cksum) &&
				    vh->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4,
			    "USO gso_type %u offset %u", vh->gso_type, offset);
	}
	FUZZ_ASSERT((uint16_t)(hdrs[start + offset] << 8 | hdrs[start + offset + 1]) ==
			    ref_phdr(hdrs + l3_off, fl,
				     (fl & RTE_MBUF_F_TX_TCP_SEG) ? IPPROTO_TCP : IPPROTO_UDP,
				     len - l4_off),
		    "pseudo-header sum differs from the reference");
}

/* The first @n bytes of @m's first segment as they go out (@ins bytes of tags inserted). */
static void
outgoing(const struct rte_mbuf *m, uint32_t ins, uint8_t *out, uint32_t n)
{
	static uint8_t frame[RTE_MBUF_DEFAULT_BUF_SIZE + 2 * RTE_VLAN_HLEN];
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t addrs = 2 * RTE_ETHER_ADDR_LEN;

	if (ins == 0) {
		memcpy(frame, data, m->data_len);
	} else {
		memcpy(frame, data, addrs);
		rtap_vnet_tx_vlan_tags(m, frame + addrs);
		memcpy(frame + addrs + ins, data + addrs, m->data_len - addrs);
	}
	FUZZ_ASSERT(n <= m->data_len + ins, "%u header bytes of a %u-byte segment", n,
		    m->data_len + ins);
	memcpy(out, frame, n);
}

static void
accepted(struct rte_mbuf *m)
{
	static uint8_t pkt_before[RTE_MBUF_DEFAULT_BUF_SIZE];
	uint8_t *data = rte_pktmbuf_mtod(m, uint8_t *);
	bool offload = (m->ol_flags & RTAP_TX_OL_MASK) != 0;
	bool rewrites = rtap_vnet_tx_rewrites(m);
	uint32_t hdr_len = rtap_vnet_tx_hdr_len(m);
	uint32_t ins = rtap_vnet_tx_vlan_len(m);
	uint32_t touch = offload ? hdr_len + ins : 0; /* bytes rtap_vnet_tx may use */
	struct virtio_net_hdr *vh;
	uint8_t *ref;
	bool own;

	if (offload) {
		FUZZ_ASSERT(hdr_len <= m->data_len, "headers (%u) past the first segment (%u)",
			    hdr_len, m->data_len);
		if (rewrites)
			FUZZ_ASSERT(hdr_len + ins <= RTAP_TX_HDR_COPY,
				    "headers and tags (%u) past the copy", hdr_len + ins);
	}
	if (ins != 0)
		FUZZ_ASSERT(m->data_len >= 2 * RTE_ETHER_ADDR_LEN, "tags after missing addresses");
	FUZZ_ASSERT(m->nb_segs + 1 <= RTAP_TX_IOVS, "%u segments: more iovecs than a slot has",
		    m->nb_segs);

	/* The outgoing headers in a buffer of exactly hdr_len + tags (none without an offload). */
	ref = malloc(touch);
	vh = malloc(sizeof(*vh));
	FUZZ_ASSERT(ref != NULL && vh != NULL, "malloc");
	outgoing(m, ins, ref, touch);
	rtap_vnet_tx(vh, m, ref, ins);
	check_hdr(vh, m, ref, ins);

	/* rtap_tx_iov(): in the packet's own headroom, or in the slot's copy, or on a shared packet. */
	own = rtap_vnet_tx_in_headroom(m);
	if (ins != 0 && own && rte_pktmbuf_headroom(m) >= RTAP_VNET_HDR_LEN + ins) {
		/* The tags go in place: only the headroom they take and the addresses move. */
		uint32_t pkt_len = m->pkt_len, data_len = m->data_len;
		uint32_t l3_off = rtap_vnet_tx_l3_off(m);

		fuzz_poison(m, ins, 2 * RTE_ETHER_ADDR_LEN);
		rtap_vnet_tx_vlan_insert(m);
		fuzz_unpoison(m);
		FUZZ_ASSERT(!(m->ol_flags & RTAP_TX_VLAN_MASK) && m->pkt_len == pkt_len + ins &&
				    m->data_len == data_len + ins,
			    "tags inserted, the mbuf does not follow");
		/* The offload request's offsets move with the tags (lengths are bitfields). */
		FUZZ_ASSERT(!offload || rtap_vnet_tx_l3_off(m) == l3_off + ins,
			    "L3 offset %u after inserting %u bytes of tags at %u",
			    rtap_vnet_tx_l3_off(m), ins, l3_off);
		FUZZ_ASSERT(rtap_vnet_tx_in_headroom(m), "headroom lost to the tags");
		data = rte_pktmbuf_mtod(m, uint8_t *);
		ins = 0;
	} else if (ins != 0) {
		own = false;
	}
	memcpy(pkt_before, data, m->data_len);
	if (own) {
		fuzz_poison(m, RTAP_VNET_HDR_LEN, touch);
		rtap_vnet_tx((struct virtio_net_hdr *)(data - RTAP_VNET_HDR_LEN), m, data, 0);
		fuzz_unpoison(m);
		FUZZ_ASSERT(memcmp(data - RTAP_VNET_HDR_LEN, vh, sizeof(*vh)) == 0 &&
				    memcmp(data, ref, touch) == 0,
			    "in the headroom, a different result");
		FUZZ_ASSERT(memcmp(data + touch, pkt_before + touch, m->data_len - touch) == 0,
			    "bytes past the headers written");
	} else if (ins != 0 || rewrites) {
		/* The slot's copy, as rtap_tx_iov() fills it: exactly skip + ins bytes. */
		uint32_t skip = rewrites ? hdr_len : 0;
		struct virtio_net_hdr vh2;
		uint8_t *copy;

		if (ins != 0)
			skip = RTE_MAX(skip, 2u * RTE_ETHER_ADDR_LEN);
		FUZZ_ASSERT(skip + ins <= RTAP_TX_HDR_COPY, "%u bytes for a %u-byte copy",
			    skip + ins, RTAP_TX_HDR_COPY);
		copy = malloc(skip + ins);
		FUZZ_ASSERT(copy != NULL, "malloc");
		outgoing(m, ins, copy, skip + ins);
		fuzz_poison(m, 0, 0);
		rtap_vnet_tx(&vh2, m, copy, ins);
		fuzz_unpoison(m);
		FUZZ_ASSERT(memcmp(&vh2, vh, sizeof(vh2)) == 0, "in the copy, a different header");
		FUZZ_ASSERT(memcmp(copy, ref, RTE_MIN(touch, skip + ins)) == 0,
			    "in the copy, different headers");
		FUZZ_ASSERT(memcmp(data, pkt_before, m->data_len) == 0,
			    "a shared packet's bytes were written");
		free(copy);
	} else {
		struct virtio_net_hdr vh2;

		fuzz_poison(m, 0, touch);
		rtap_vnet_tx(&vh2, m, data, 0);
		fuzz_unpoison(m);
		FUZZ_ASSERT(memcmp(data, pkt_before, m->data_len) == 0,
			    "a shared packet's bytes were written");
		FUZZ_ASSERT(memcmp(&vh2, vh, sizeof(vh2)) == 0, "a different header");
	}
	free(ref);
	free(vh);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct rte_mbuf *segs[MAX_SEGS], *m;
	uint8_t headroom[MAX_SEGS];
	uint16_t seg_len[MAX_SEGS];
	uint16_t nb_segs, sel, k, vlan_tci, vlan_tci_outer;
	uint64_t fl = 0;
	uint8_t kind;
	int ret;

	nb_segs = 1 + fuzz_u8(&in) % MAX_SEGS;
	kind = fuzz_u8(&in);
	sel = fuzz_u16(&in);
	for (k = 0; k < 16; k++)
		if (sel & (1u << k))
			fl |= flag_table[k];
	fl ^= fuzz_u64(&in);
	/* How the mbuf is attached is the mbuf library's, not the application's, to say. */
	fl &= ~(RTE_MBUF_F_INDIRECT | RTE_MBUF_F_EXTERNAL);

	/* A scratch mbuf holds the lengths: the bitfields cut them as an application's would. */
	segs[0] = rte_pktmbuf_alloc(pool);
	FUZZ_ASSERT(segs[0] != NULL, "pool empty");
	m = segs[0];
	m->l2_len = fuzz_u8(&in);
	m->l3_len = fuzz_u16(&in);
	m->l4_len = fuzz_u8(&in);
	m->tso_segsz = fuzz_u16(&in);
	m->outer_l2_len = fuzz_u8(&in);
	m->outer_l3_len = fuzz_u16(&in);
	vlan_tci = fuzz_u16(&in);
	vlan_tci_outer = fuzz_u16(&in);
	for (k = 0; k < nb_segs; k++) {
		headroom[k] = fuzz_u8(&in);
		seg_len[k] = fuzz_u16(&in);
	}
	{
		uint64_t tx_offload = m->tx_offload;

		rte_pktmbuf_free(m);
		for (k = 0; k < nb_segs; k++)
			segs[k] = seg_make(headroom[k], seg_len[k],
					   (k == 0 && (kind & 2)) || (k == 1 && (kind & 4)), &in);
		m = segs[0];
		for (k = 1; k < nb_segs; k++) {
			segs[k - 1]->next = segs[k];
			m->pkt_len += segs[k]->data_len;
		}
		m->nb_segs = nb_segs;
		m->tx_offload = tx_offload;
		m->vlan_tci = vlan_tci;
		m->vlan_tci_outer = vlan_tci_outer;
		m->ol_flags |= fl;
	}
	if (kind & 1)
		rte_mbuf_refcnt_set(m, 2);

	for (k = 0; k < nb_segs; k++)
		fuzz_poison(segs[k], 0, segs[k]->data_len);
	ret = rtap_vnet_tx_check(m);
	for (k = 0; k < nb_segs; k++)
		fuzz_unpoison(segs[k]);

	if (nb_segs > RTAP_TX_MAX_SEGS)
		FUZZ_ASSERT(ret < 0, "%u segments accepted", nb_segs);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL, "rtap_vnet_tx_check: %d", ret);
	if (ret == 0)
		accepted(m);

	if (kind & 1)
		rte_mbuf_refcnt_set(m, 1);
	rte_pktmbuf_free(m);
	fuzz_pool_empty(pool);
	return 0;
}
