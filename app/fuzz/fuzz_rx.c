/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * libFuzzer target: the rx header path. The kernel's side of a read is
 * hostile input: a virtio-net header and frame bytes, scattered over a chain
 * of fuzzer-chosen segment count and size as a readv would, then what
 * rtap_rx_complete() does with them (rtap_rx_chain_link/trim, rtap_vnet_rx).
 *
 * Input: [0] rx offload work (RTAP_RX_OL_*, VLAN strip and filter too),
 * [1] segments per read - 1, [2..3] segment room - 1 (le16), [4..13] the
 * virtio-net header, [14..15] the port's MTU (le16), [16..23] a pattern for
 * the VLAN filter table, then the frame (its length is the read's result
 * minus the header). Besides rtap_vnet_rx(): the MTU check
 * (rtap_vnet_rx_oversize), the VLAN filter and VLAN stripping, in
 * rtap_rx_complete()'s order (the address filter, rtap_filter.c, is not a
 * header function and is left out).
 *
 * Properties: no access outside the header and the frame's bytes of each
 * segment (the rest of every buffer is ASan-poisoned); the chain is exact
 * (nb_segs, pkt_len, data_len, no empty segment); the frame's bytes are
 * unchanged (when accepted) but for a completed checksum field, which holds the RFC 1071
 * value of a byte-wise reference; ol_flags only what rx may set; every mbuf
 * back in the pool.
 */

#include <inttypes.h>

#include "fuzz_common.h"
#include "rtap_vnet.h"

#define NB_MBUF (2 * RTAP_RX_MAX_SEGS)

static struct rte_mempool *pool;
static uint16_t room;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv)
{
	pool = fuzz_eal_pool((*argv)[0], NB_MBUF, RTE_MBUF_DEFAULT_BUF_SIZE);
	room = rte_pktmbuf_data_room_size(pool) - RTE_PKTMBUF_HEADROOM;
	return 0;
}

/* The chain's bytes, flat, into @out (at least pkt_len bytes). */
static void
chain_bytes(const struct rte_mbuf *m, uint8_t *out)
{
	for (; m != NULL; m = m->next) {
		memcpy(out, rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
		out += m->data_len;
	}
}

static void
check_chain(const struct rte_mbuf *head, uint32_t len, uint16_t seg_room)
{
	const struct rte_mbuf *m;
	uint32_t sum = 0;
	uint16_t n = 0;

	FUZZ_ASSERT(head->pkt_len == len, "pkt_len %u, frame %u", head->pkt_len, len);
	for (m = head; m != NULL; m = m->next) {
		FUZZ_ASSERT(m->data_len > 0 && m->data_len <= seg_room, "segment %u: data_len %u",
			    n, m->data_len);
		sum += m->data_len;
		n++;
	}
	FUZZ_ASSERT(n == head->nb_segs, "nb_segs %u, chain of %u", head->nb_segs, n);
	FUZZ_ASSERT(sum == len, "data_len sum %u, pkt_len %u", sum, len);
}

/*
 * A frame the VLAN filter let through: untagged, priority-tagged, 802.1ad, or
 * its VID set. Judged on the frame as it came (@p), as the filter saw it:
 * a checksum the kernel's header asks to complete may land in the tag.
 */
static void
check_vlan_filter(const uint8_t *p, uint16_t seg0_len, unsigned int ol, const uint64_t *tab)
{
	uint16_t vid;

	if (!(ol & RTAP_RX_OL_VLAN_FILTER) || seg0_len < RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN ||
	    p[12] != 0x81 || p[13] != 0x00)
		return;
	vid = (uint16_t)((p[14] << 8 | p[15]) & RTE_VLAN_ID_MASK);
	FUZZ_ASSERT(vid == 0 || ((tab[vid / 64] >> (vid % 64)) & 1), "VID %u not in the table",
		    vid);
}

/*
 * VLAN stripping of the accepted frame @m (@len bytes): an outer
 * 802.1Q tag in the first segment goes into vlan_tci and out of the data
 * (the addresses move over it), anything else stays as it was. Only the
 * tag's bytes and the addresses may be touched.
 */
static void
check_strip(struct rte_mbuf *m, uint32_t len, uint16_t seg_room)
{
	static uint8_t bytes[RTAP_RX_MAX_SEGS * RTE_MBUF_DEFAULT_DATAROOM];
	static uint8_t now[RTAP_RX_MAX_SEGS * RTE_MBUF_DEFAULT_DATAROOM];
	uint64_t fl = m->ol_flags;
	bool tagged;

	chain_bytes(m, bytes);
	tagged = m->data_len >= RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN && bytes[12] == 0x81 &&
		bytes[13] == 0x00;

	fuzz_poison(m, 0, RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN);
	rtap_vnet_rx_vlan_strip(m);
	fuzz_unpoison(m);
	chain_bytes(m, now);
	if (!tagged) {
		FUZZ_ASSERT(m->pkt_len == len && m->ol_flags == fl && memcmp(now, bytes, len) == 0,
			    "an untagged frame stripped");
		return;
	}
	FUZZ_ASSERT(m->pkt_len == len - RTE_VLAN_HLEN, "stripped to %u of %u bytes", m->pkt_len,
		    len);
	FUZZ_ASSERT((m->ol_flags & (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED)) ==
				    (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED) &&
			    m->vlan_tci == (uint16_t)(bytes[14] << 8 | bytes[15]),
		    "tag not in vlan_tci");
	FUZZ_ASSERT(memcmp(now, bytes, 2 * RTE_ETHER_ADDR_LEN) == 0 &&
			    memcmp(now + 12, bytes + 16, len - 16) == 0,
		    "stripped frame bytes wrong");
	check_chain(m, len - RTE_VLAN_HLEN, seg_room);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t before[RTAP_RX_MAX_SEGS * RTE_MBUF_DEFAULT_DATAROOM];
	static uint8_t after[RTAP_RX_MAX_SEGS * RTE_MBUF_DEFAULT_DATAROOM];
	struct rte_mbuf *chain[RTAP_RX_MAX_SEGS + 1], *m;
	struct fuzz_in in = { data, size };
	static uint64_t vlan_tab[RTAP_VLAN_TAB_WORDS];
	struct virtio_net_hdr vh;
	uint16_t nb_segs, seg_room, k;
	uint32_t len, capacity, done, max_len;
	uint64_t pattern;
	const uint8_t *frame;
	uint64_t allowed;
	unsigned int ol;
	bool drop;
	int ret;

	ol = fuzz_u8(&in) &
		(RTAP_RX_OL_TCP | RTAP_RX_OL_UDP | RTAP_RX_OL_LRO | RTAP_RX_OL_IP |
		 RTAP_RX_OL_VLAN_STRIP | RTAP_RX_OL_VLAN_FILTER);
	nb_segs = 1 + fuzz_u8(&in) % RTAP_RX_MAX_SEGS;
	seg_room = 1 + fuzz_u16(&in) % room;
	for (k = 0; k < sizeof(vh); k++)
		((uint8_t *)&vh)[k] = fuzz_u8(&in);
	/* The port's longest untagged frame (MTU + Ethernet header), its VLAN filter table. */
	max_len = RTE_ETHER_HDR_LEN + fuzz_u16(&in);
	pattern = fuzz_u64(&in);
	for (k = 0; k < RTAP_VLAN_TAB_WORDS; k++)
		vlan_tab[k] = pattern ^ ((uint64_t)k * 0x9e3779b97f4a7c15ull);
	frame = in.p;
	len = (uint32_t)RTE_MIN(in.len, sizeof(before));
	capacity = (uint32_t)nb_segs * seg_room;

	if (rte_pktmbuf_alloc_bulk(pool, chain, nb_segs) != 0)
		FUZZ_ASSERT(0, "pool empty at the start of an input");
	/* What the kernel's readv does: the header, then each segment's room in turn. */
	memcpy(rtap_vnet_rx_hdr(chain[0]), &vh, sizeof(vh));
	for (k = 0, done = 0; k < nb_segs && done < len; k++) {
		uint32_t n = RTE_MIN(len - done, (uint32_t)seg_room);

		memcpy(rte_pktmbuf_mtod(chain[k], uint8_t *), frame + done, n);
		done += n;
	}
	if (nb_segs > 1)
		rtap_rx_chain_link(chain, nb_segs);
	m = chain[0];

	/* rtap_rx_complete(): a frame that fills the buffer is dropped, never cut. */
	if (len == 0 || len >= capacity) {
		rte_pktmbuf_free(m);
		fuzz_pool_empty(pool);
		return 0;
	}
	if (nb_segs == 1) {
		m->data_len = (uint16_t)len;
		m->pkt_len = len;
	} else {
		rtap_rx_chain_trim(m, len, seg_room);
	}
	check_chain(m, len, seg_room);
	chain_bytes(m, before);
	FUZZ_ASSERT(memcmp(before, frame, len) == 0, "the chain does not hold the frame");
	/* The tail trim freed is back in the pool: only the chain is out. */
	FUZZ_ASSERT(rte_mempool_in_use_count(pool) == m->nb_segs, "%u mbufs out for %u segments",
		    rte_mempool_in_use_count(pool), m->nb_segs);

	for (chain[0] = m, k = 0; chain[k] != NULL; k++) {
		fuzz_poison(chain[k], k == 0 ? RTAP_VNET_HDR_LEN : 0, chain[k]->data_len);
		chain[k + 1] = chain[k]->next;
	}
	/* The MTU check, the VLAN filter, then the header: rtap_rx_complete()'s order. */
	drop = len > max_len && rtap_vnet_rx_oversize(rtap_vnet_rx_hdr(m), m, max_len);
	if (!drop && (ol & RTAP_RX_OL_VLAN_FILTER))
		drop = !rtap_vnet_rx_vlan_pass(m, vlan_tab);
	ret = drop ? 0 : rtap_vnet_rx(rtap_vnet_rx_hdr(m), m, ol);
	for (k = 0; chain[k] != NULL; k++)
		fuzz_unpoison(chain[k]);
	if (drop) {
		/* Dropped unread by the header: untouched. */
		chain_bytes(m, after);
		FUZZ_ASSERT(memcmp(after, frame, len) == 0 && m->ol_flags == 0,
			    "a dropped frame changed");
		rte_pktmbuf_free(m);
		fuzz_pool_empty(pool);
		return 0;
	}

	check_chain(m, len, seg_room);
	if (ret != 0) {
		/* Refused: the burst frees the frame, whatever its bytes now are. */
		FUZZ_ASSERT(ret == -EINVAL, "rtap_vnet_rx: %d", ret);
		rte_pktmbuf_free(m);
		fuzz_pool_empty(pool);
		return 0;
	}
	allowed = RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_LRO;
	check_vlan_filter(frame, m->data_len, ol, vlan_tab);
	FUZZ_ASSERT((m->ol_flags & ~allowed) == 0, "ol_flags %#" PRIx64, m->ol_flags);
	chain_bytes(m, after);
	if ((vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_NONE) {
		/* Completed in software: the field and nothing else changed, to the reference. */
		uint32_t start = rte_le_to_cpu_16(vh.csum_start);
		uint32_t field = start + rte_le_to_cpu_16(vh.csum_offset);
		uint16_t s = fuzz_ref_sum(frame + start, len - start, 0);
		uint16_t want = s == 0xffff ? 0xffff : (uint16_t)~s;

		FUZZ_ASSERT(field + 2 <= m->data_len, "field %u beyond the first segment", field);
		FUZZ_ASSERT((uint16_t)(after[field] << 8 | after[field + 1]) == want,
			    "checksum %02x%02x, reference %04x", after[field], after[field + 1],
			    want);
		memcpy(after + field, frame + field, 2);
	}
	FUZZ_ASSERT(memcmp(after, frame, len) == 0, "frame bytes changed");
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		FUZZ_ASSERT((m->ol_flags & RTE_MBUF_F_RX_LRO) && m->tso_segsz != 0 &&
				    m->tso_segsz == rte_le_to_cpu_16(vh.gso_size),
			    "GSO frame without LRO fields");
	else
		FUZZ_ASSERT(!(m->ol_flags & RTE_MBUF_F_RX_LRO), "LRO without GSO");
	if (ol & RTAP_RX_OL_VLAN_STRIP)
		check_strip(m, len, seg_room);

	rte_pktmbuf_free(m);
	fuzz_pool_empty(pool);
	return 0;
}
