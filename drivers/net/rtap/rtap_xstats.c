/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Extended statistics: names and values of the port's counters beyond
 * rte_eth_stats, in DPDK's naming (rx_q0_packets, rx_size_65_to_127_packets,
 * ...). ethdev adds the basic ones (rx_good_packets, ...) before these.
 *
 * Every counter is per queue, in shared memory, written by the one lcore
 * polling the queue once per burst (rtap_rxtx.c) inside its seqcount
 * (rtap_count_begin()); here a queue's counters are copied together as of
 * one moment between bursts, and summed per port where the name has no
 * queue. A reset moves the baselines (reset, xs_reset, kernel_base) to such
 * a copy, never the lcore's counters, so it is exact, its baselines agree
 * with one another, and it never stalls an lcore. Reading takes no lock;
 * the kernel's counters are one netlink query.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_pause.h>

#include <rte_ethdev.h>
#include <ethdev_driver.h>

#include "rtap.h"

static const char * const rtap_size_names[RTAP_NB_SIZES] = {
	"size_64",	    "size_65_to_127",	 "size_128_to_255",   "size_256_to_511",
	"size_512_to_1023", "size_1024_to_1522", "size_1523_to_9022", "size_9023_to_max",
};

/* What a port-wide name is computed from. */
enum rtap_xkind {
	RTAP_X_RX,	    /* the sum of one rx counter (idx: RTAP_RXX_*) */
	RTAP_X_TX,	    /* the sum of one tx counter (idx: RTAP_TXX_*) */
	RTAP_X_RX_UCAST,    /* delivered - multicast (broadcast included) */
	RTAP_X_RX_MCAST,    /* multicast without broadcast */
	RTAP_X_TX_UCAST,    /* sent - multicast */
	RTAP_X_TX_MCAST,    /* multicast without broadcast */
	RTAP_X_RX_TRUNC,    /* frames larger than the buffers, dropped */
	RTAP_X_RX_MTU,	    /* frames over the port's MTU, dropped */
	RTAP_X_RX_FILTERED, /* frames the receive filters (MAC, VLAN) dropped */
	RTAP_X_RX_READERR,  /* reads that failed, for other reasons than a bad header */
	RTAP_X_RX_NOMBUF,   /* mbufs asked for and not had */
	RTAP_X_TX_OTHERERR, /* writes the kernel refused for other reasons */
	RTAP_X_KERNEL,	    /* the interface's counter (idx: offset in rtnl_link_stats64) */
};

struct rtap_xname {
	const char *name;
	uint8_t kind;
	uint16_t idx;
};

#define RTAP_K(field) offsetof(struct rtnl_link_stats64, field)

static const struct rtap_xname rtap_port_xstats[] = {
	{ "rx_unicast_packets", RTAP_X_RX_UCAST, 0 },
	{ "rx_multicast_packets", RTAP_X_RX_MCAST, 0 },
	{ "rx_broadcast_packets", RTAP_X_RX, RTAP_RXX_BCAST },
	{ "rx_l4_csum_good_packets", RTAP_X_RX, RTAP_RXX_L4_GOOD },
	{ "rx_l4_csum_bad_packets", RTAP_X_RX, RTAP_RXX_L4_BAD },
	{ "rx_l4_csum_none_packets", RTAP_X_RX, RTAP_RXX_L4_NONE },
	{ "rx_ip_csum_good_packets", RTAP_X_RX, RTAP_RXX_IP_GOOD },
	{ "rx_ip_csum_bad_packets", RTAP_X_RX, RTAP_RXX_IP_BAD },
	{ "rx_lro_packets", RTAP_X_RX, RTAP_RXX_LRO },
	{ "rx_multi_segment_packets", RTAP_X_RX, RTAP_RXX_MULTISEG },
	{ "rx_oversize_dropped", RTAP_X_RX_TRUNC, 0 },
	{ "rx_mtu_dropped", RTAP_X_RX_MTU, 0 },
	{ "rx_filtered_dropped", RTAP_X_RX_FILTERED, 0 },
	{ "rx_malformed_header_dropped", RTAP_X_RX, RTAP_RXX_BAD_HDR },
	{ "rx_read_errors", RTAP_X_RX_READERR, 0 },
	{ "tx_unicast_packets", RTAP_X_TX_UCAST, 0 },
	{ "tx_multicast_packets", RTAP_X_TX_MCAST, 0 },
	{ "tx_broadcast_packets", RTAP_X_TX, RTAP_TXX_BCAST },
	{ "tx_l4_csum_requests", RTAP_X_TX, RTAP_TXX_L4_CSUM },
	{ "tx_ip_csum_requests", RTAP_X_TX, RTAP_TXX_IP_CSUM },
	{ "tx_tso_requests", RTAP_X_TX, RTAP_TXX_TSO },
	{ "tx_uso_requests", RTAP_X_TX, RTAP_TXX_USO },
	{ "tx_multi_segment_packets", RTAP_X_TX, RTAP_TXX_MULTISEG },
	{ "tx_malformed_request_dropped", RTAP_X_TX, RTAP_TXX_BAD_REQ },
	{ "tx_link_down_dropped", RTAP_X_TX, RTAP_TXX_LINK_DOWN },
	{ "tx_interface_gone_dropped", RTAP_X_TX, RTAP_TXX_GONE },
	{ "tx_other_errors", RTAP_X_TX_OTHERERR, 0 },
	/* the kernel's view: its rx is what the port transmitted */
	{ "kernel_rx_packets", RTAP_X_KERNEL, RTAP_K(rx_packets) },
	{ "kernel_rx_bytes", RTAP_X_KERNEL, RTAP_K(rx_bytes) },
	{ "kernel_rx_errors", RTAP_X_KERNEL, RTAP_K(rx_errors) },
	{ "kernel_rx_dropped", RTAP_X_KERNEL, RTAP_K(rx_dropped) },
	{ "kernel_tx_packets", RTAP_X_KERNEL, RTAP_K(tx_packets) },
	{ "kernel_tx_bytes", RTAP_X_KERNEL, RTAP_K(tx_bytes) },
	{ "kernel_tx_errors", RTAP_X_KERNEL, RTAP_K(tx_errors) },
	{ "kernel_tx_dropped", RTAP_X_KERNEL, RTAP_K(tx_dropped) },
};

/* Per-queue names: "rx_q<N>_<suffix>". */
enum rtap_qkind {
	RTAP_Q_PACKETS,
	RTAP_Q_BYTES,
	RTAP_Q_ERRORS,
	RTAP_Q_NOMBUF, /* rx only */
	RTAP_Q_X,      /* an xstat of the queue (idx) */
};

struct rtap_qname {
	const char *suffix;
	uint8_t kind;
	uint16_t idx;
};

static const struct rtap_qname rtap_rxq_xstats[] = {
	{ "packets", RTAP_Q_PACKETS, 0 },
	{ "bytes", RTAP_Q_BYTES, 0 },
	{ "errors", RTAP_Q_ERRORS, 0 },
	{ "mbuf_allocation_errors", RTAP_Q_NOMBUF, 0 },
	{ "io_submits", RTAP_Q_X, RTAP_RXX_SUBMITS },
	{ "io_enters", RTAP_Q_X, RTAP_RXX_ENTERS },
	{ "io_completions", RTAP_Q_X, RTAP_RXX_CQES },
};

static const struct rtap_qname rtap_txq_xstats[] = {
	{ "packets", RTAP_Q_PACKETS, 0 },
	{ "bytes", RTAP_Q_BYTES, 0 },
	{ "errors", RTAP_Q_ERRORS, 0 },
	{ "io_submits", RTAP_Q_X, RTAP_TXX_SUBMITS },
	{ "io_enters", RTAP_Q_X, RTAP_TXX_ENTERS },
	{ "io_completions", RTAP_Q_X, RTAP_TXX_CQES },
};

#define RTAP_NB_PORT_XSTATS  (2 * RTAP_NB_SIZES + RTE_DIM(rtap_port_xstats))
#define RTAP_NB_QUEUE_XSTATS (RTE_DIM(rtap_rxq_xstats) + RTE_DIM(rtap_txq_xstats))

/*
 * a - b for counters that come from different loads: each counter is read
 * once, counts of a subset (multicast) are read before their superset
 * (packets) and reset after it, so this is never negative but for the
 * stores of one burst reordered; then it is 0, not 2^64 - 1.
 */
static inline uint64_t
rtap_sub(uint64_t a, uint64_t b)
{
	return a >= b ? a - b : 0;
}

/*
 * A reader that finds the lcore between its seqcount's stores retries; an
 * lcore descheduled there would hold it up, so after this many tries the
 * copy is taken as it is (off by at most that one burst).
 */
#define RTAP_COPY_TRIES 10000

static void
rtap_qstats_load(const struct rtap_queue_stats *now, struct rtap_queue_stats *out)
{
	out->packets = __atomic_load_n(&now->packets, __ATOMIC_RELAXED);
	out->bytes = __atomic_load_n(&now->bytes, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&now->errors, __ATOMIC_RELAXED);
	out->nombuf = __atomic_load_n(&now->nombuf, __ATOMIC_RELAXED);
	out->truncated = __atomic_load_n(&now->truncated, __ATOMIC_RELAXED);
	out->csum_bad = __atomic_load_n(&now->csum_bad, __ATOMIC_RELAXED);
	out->oversize = __atomic_load_n(&now->oversize, __ATOMIC_RELAXED);
	out->filtered = __atomic_load_n(&now->filtered, __ATOMIC_RELAXED);
}

/* A queue's basic and @nxs extended counters, copied between two bursts. */
static void
rtap_counters_copy(const uint32_t *seq, const struct rtap_queue_stats *stats, const uint64_t *xs,
		   unsigned int nxs, struct rtap_queue_stats *stats_out, uint64_t *xs_out)
{
	unsigned int tries, i;
	uint32_t s;

	for (tries = 0; tries < RTAP_COPY_TRIES; tries++) {
		s = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
		rtap_qstats_load(stats, stats_out);
		for (i = 0; i < nxs; i++)
			xs_out[i] = __atomic_load_n(&xs[i], __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if ((s & 1) == 0 && __atomic_load_n(seq, __ATOMIC_RELAXED) == s)
			return;
		rte_pause();
	}
}

/*
 * now - base, counter by counter; 0 rather than a wrap where a reset in
 * another process moved the baseline past a copy taken just before it.
 */
static void
rtap_since(struct rtap_queue_stats *st, const struct rtap_queue_stats *base, uint64_t *xs,
	   const uint64_t *xbase, unsigned int nxs)
{
	unsigned int i;

	st->packets = rtap_sub(st->packets, base->packets);
	st->bytes = rtap_sub(st->bytes, base->bytes);
	st->errors = rtap_sub(st->errors, base->errors);
	st->nombuf = rtap_sub(st->nombuf, base->nombuf);
	st->truncated = rtap_sub(st->truncated, base->truncated);
	st->csum_bad = rtap_sub(st->csum_bad, base->csum_bad);
	st->oversize = rtap_sub(st->oversize, base->oversize);
	st->filtered = rtap_sub(st->filtered, base->filtered);
	for (i = 0; i < nxs; i++)
		xs[i] = rtap_sub(xs[i], xbase[i]);
}

void
rtap_rxq_counters(const struct rtap_rx_queue *rxq, struct rtap_queue_stats *st,
		  struct rtap_rx_xstats *xs)
{
	rtap_counters_copy(&rxq->seq, &rxq->stats, rxq->xs.v, RTAP_RXX_NB, st, xs->v);
	rtap_since(st, &rxq->reset, xs->v, rxq->xs_reset.v, RTAP_RXX_NB);
}

void
rtap_txq_counters(const struct rtap_tx_queue *txq, struct rtap_queue_stats *st,
		  struct rtap_tx_xstats *xs)
{
	rtap_counters_copy(&txq->seq, &txq->stats, txq->xs.v, RTAP_TXX_NB, st, xs->v);
	rtap_since(st, &txq->reset, xs->v, txq->xs_reset.v, RTAP_TXX_NB);
}

/*
 * The interface's counters now: in the primary through the keep-alive fd
 * (in whatever namespace the interface is); a secondary asks the primary,
 * or, failing that, looks the interface up by name and index in its own
 * namespace. The last ones read when all that fails (interface gone).
 */
int
rtap_kernel_stats(struct rte_eth_dev *dev, struct rtnl_link_stats64 *k)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	int ret;

	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		ret = rtap_ifctl_get_stats(pmd->keep_fd, k);
	else if (rtap_mp_kernel_stats(dev, k) == 0)
		ret = 0;
	else
		ret = rtap_ifctl_get_stats_here(pmd->ifname, pmd->if_index, k);
	if (ret == 0)
		pmd->kernel_last = *k;
	else
		*k = pmd->kernel_last;
	return ret;
}

static uint64_t
rtap_kernel_field(const struct rtnl_link_stats64 *k, uint16_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)k + off, sizeof(v));
	return v;
}

/* The port's rx and tx sums since the last reset. */
struct rtap_xsums {
	uint64_t rx[RTAP_RXX_NB];
	uint64_t tx[RTAP_TXX_NB];
	uint64_t rx_packets, rx_errors, rx_truncated, rx_nombuf, rx_oversize, rx_filtered;
	uint64_t tx_packets, tx_errors;
};

/* Each queue's counters since the last reset, copied once per read. */
struct rtap_qcopy {
	struct rtap_queue_stats *rx, *tx;
	struct rtap_rx_xstats *rxx;
	struct rtap_tx_xstats *txx;
};

/* Copies of every queue's counters, in one allocation to free(c->rx). */
static int
rtap_qcopy_take(const struct rte_eth_dev_data *data, struct rtap_qcopy *c)
{
	uint16_t nrx = data->nb_rx_queues, ntx = data->nb_tx_queues, q;
	uint8_t *p;

	/* every part a multiple of 8 bytes: each array stays aligned */
	p = calloc(1,
		   nrx * (sizeof(*c->rx) + sizeof(*c->rxx)) +
			   ntx * (sizeof(*c->tx) + sizeof(*c->txx)) + 1);
	if (p == NULL)
		return -ENOMEM;
	c->rx = (struct rtap_queue_stats *)p;
	c->tx = c->rx + nrx;
	c->rxx = (struct rtap_rx_xstats *)(c->tx + ntx);
	c->txx = (struct rtap_tx_xstats *)(c->rxx + nrx);
	for (q = 0; q < nrx; q++)
		if (data->rx_queues[q] != NULL)
			rtap_rxq_counters(data->rx_queues[q], &c->rx[q], &c->rxx[q]);
	for (q = 0; q < ntx; q++)
		if (data->tx_queues[q] != NULL)
			rtap_txq_counters(data->tx_queues[q], &c->tx[q], &c->txx[q]);
	return 0;
}

static void
rtap_xsums(const struct rte_eth_dev *dev, const struct rtap_qcopy *c, struct rtap_xsums *s)
{
	const struct rte_eth_dev_data *data = dev->data;
	unsigned int i;
	uint16_t q;

	memset(s, 0, sizeof(*s));
	for (q = 0; q < data->nb_rx_queues; q++) {
		for (i = 0; i < RTAP_RXX_NB; i++)
			s->rx[i] += c->rxx[q].v[i];
		s->rx_packets += c->rx[q].packets;
		s->rx_errors += c->rx[q].errors;
		s->rx_truncated += c->rx[q].truncated;
		s->rx_nombuf += c->rx[q].nombuf;
		s->rx_oversize += c->rx[q].oversize;
		s->rx_filtered += c->rx[q].filtered;
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		for (i = 0; i < RTAP_TXX_NB; i++)
			s->tx[i] += c->txx[q].v[i];
		s->tx_packets += c->tx[q].packets;
		s->tx_errors += c->tx[q].errors;
	}
}

static uint64_t
rtap_port_value(const struct rtap_xname *x, const struct rtap_xsums *s,
		const struct rtnl_link_stats64 *k, const struct rtnl_link_stats64 *kbase)
{
	uint64_t now, base;

	switch (x->kind) {
	case RTAP_X_RX:
		return s->rx[x->idx];
	case RTAP_X_TX:
		return s->tx[x->idx];
	case RTAP_X_RX_UCAST:
		return rtap_sub(s->rx_packets, s->rx[RTAP_RXX_MCAST]);
	case RTAP_X_RX_MCAST:
		return rtap_sub(s->rx[RTAP_RXX_MCAST], s->rx[RTAP_RXX_BCAST]);
	case RTAP_X_TX_UCAST:
		return rtap_sub(s->tx_packets, s->tx[RTAP_TXX_MCAST]);
	case RTAP_X_TX_MCAST:
		return rtap_sub(s->tx[RTAP_TXX_MCAST], s->tx[RTAP_TXX_BCAST]);
	case RTAP_X_RX_TRUNC:
		return s->rx_truncated;
	case RTAP_X_RX_MTU:
		return s->rx_oversize;
	case RTAP_X_RX_FILTERED:
		return s->rx_filtered;
	case RTAP_X_RX_READERR:
		return rtap_sub(s->rx_errors, s->rx[RTAP_RXX_BAD_HDR]);
	case RTAP_X_RX_NOMBUF:
		return s->rx_nombuf;
	case RTAP_X_TX_OTHERERR:
		return rtap_sub(s->tx_errors,
				s->tx[RTAP_TXX_BAD_REQ] + s->tx[RTAP_TXX_LINK_DOWN] +
					s->tx[RTAP_TXX_GONE]);
	case RTAP_X_KERNEL:
		now = rtap_kernel_field(k, x->idx);
		base = rtap_kernel_field(kbase, x->idx);
		return rtap_sub(now, base);
	}
	return 0;
}

static uint64_t
rtap_rxq_value(const struct rtap_qname *x, const struct rtap_queue_stats *st,
	       const struct rtap_rx_xstats *xs)
{
	switch (x->kind) {
	case RTAP_Q_PACKETS:
		return st->packets;
	case RTAP_Q_BYTES:
		return st->bytes;
	case RTAP_Q_ERRORS: /* as q_errors: truncated and over-MTU frames are errors too */
		return st->errors + st->truncated + st->oversize;
	case RTAP_Q_NOMBUF:
		return st->nombuf;
	default:
		return xs->v[x->idx];
	}
}

static uint64_t
rtap_txq_value(const struct rtap_qname *x, const struct rtap_queue_stats *st,
	       const struct rtap_tx_xstats *xs)
{
	switch (x->kind) {
	case RTAP_Q_PACKETS:
		return st->packets;
	case RTAP_Q_BYTES:
		return st->bytes;
	case RTAP_Q_ERRORS:
		return st->errors;
	default:
		return xs->v[x->idx];
	}
}

static unsigned int
rtap_xstats_count(const struct rte_eth_dev *dev)
{
	return RTAP_NB_PORT_XSTATS + dev->data->nb_rx_queues * RTE_DIM(rtap_rxq_xstats) +
		dev->data->nb_tx_queues * RTE_DIM(rtap_txq_xstats);
}

int
rtap_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names, unsigned int n)
{
	unsigned int count = rtap_xstats_count(dev), i, j = 0;
	uint16_t q;

	if (names == NULL || n < count)
		return (int)count;
	for (i = 0; i < RTAP_NB_SIZES; i++)
		snprintf(names[j++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_%s_packets",
			 rtap_size_names[i]);
	for (i = 0; i < RTAP_NB_SIZES; i++)
		snprintf(names[j++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_%s_packets",
			 rtap_size_names[i]);
	for (i = 0; i < RTE_DIM(rtap_port_xstats); i++)
		snprintf(names[j++].name, RTE_ETH_XSTATS_NAME_SIZE, "%s", rtap_port_xstats[i].name);
	for (q = 0; q < dev->data->nb_rx_queues; q++)
		for (i = 0; i < RTE_DIM(rtap_rxq_xstats); i++)
			snprintf(names[j++].name, RTE_ETH_XSTATS_NAME_SIZE, "rx_q%u_%s", q,
				 rtap_rxq_xstats[i].suffix);
	for (q = 0; q < dev->data->nb_tx_queues; q++)
		for (i = 0; i < RTE_DIM(rtap_txq_xstats); i++)
			snprintf(names[j++].name, RTE_ETH_XSTATS_NAME_SIZE, "tx_q%u_%s", q,
				 rtap_txq_xstats[i].suffix);
	return (int)j;
}

int
rtap_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	const struct rte_eth_dev_data *data = dev->data;
	unsigned int count = rtap_xstats_count(dev), i, j = 0;
	struct rtnl_link_stats64 k;
	struct rtap_qcopy qc, *c = &qc;
	struct rtap_xsums s;
	uint16_t q;
	int ret;

	if (xstats == NULL || n < count)
		return (int)count;
	ret = rtap_qcopy_take(data, c);
	if (ret < 0)
		return ret;
	rtap_xsums(dev, c, &s);
	rtap_kernel_stats(dev, &k);
	for (i = 0; i < RTAP_NB_SIZES; i++, j++)
		xstats[j].value = s.rx[RTAP_RXX_SIZE + i];
	for (i = 0; i < RTAP_NB_SIZES; i++, j++)
		xstats[j].value = s.tx[RTAP_TXX_SIZE + i];
	for (i = 0; i < RTE_DIM(rtap_port_xstats); i++, j++)
		xstats[j].value = rtap_port_value(&rtap_port_xstats[i], &s, &k, &pmd->kernel_base);
	for (q = 0; q < data->nb_rx_queues; q++)
		for (i = 0; i < RTE_DIM(rtap_rxq_xstats); i++, j++)
			xstats[j].value =
				rtap_rxq_value(&rtap_rxq_xstats[i], &c->rx[q], &c->rxx[q]);
	for (q = 0; q < data->nb_tx_queues; q++)
		for (i = 0; i < RTE_DIM(rtap_txq_xstats); i++, j++)
			xstats[j].value =
				rtap_txq_value(&rtap_txq_xstats[i], &c->tx[q], &c->txx[q]);
	free(c->rx);
	for (i = 0; i < j; i++)
		xstats[i].id = i;
	return (int)j;
}

/*
 * Move every baseline, basic and extended, to one copy per queue of its
 * counters: what is read next counts from here, and nothing an lcore writes
 * is touched. The kernel's counters' baseline moves too.
 */
void
rtap_xstats_rebase(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_eth_dev_data *data = dev->data;
	struct rtnl_link_stats64 k;
	uint16_t q;

	for (q = 0; q < data->nb_rx_queues; q++) {
		struct rtap_rx_queue *rxq = data->rx_queues[q];
		struct rtap_queue_stats st;
		struct rtap_rx_xstats xs;

		if (rxq == NULL)
			continue;
		rtap_counters_copy(&rxq->seq, &rxq->stats, rxq->xs.v, RTAP_RXX_NB, &st, xs.v);
		rxq->reset = st;
		rxq->xs_reset = xs;
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		struct rtap_tx_queue *txq = data->tx_queues[q];
		struct rtap_queue_stats st;
		struct rtap_tx_xstats xs;

		if (txq == NULL)
			continue;
		rtap_counters_copy(&txq->seq, &txq->stats, txq->xs.v, RTAP_TXX_NB, &st, xs.v);
		txq->reset = st;
		txq->xs_reset = xs;
	}
	rtap_kernel_stats(dev, &k);
	pmd->kernel_base = k;
}
