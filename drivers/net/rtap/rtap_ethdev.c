/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * net_rtap: a Linux TAP interface as an ethdev port, with packets moved
 * through io_uring. This file: probe/remove, the ops tables
 * (primary and secondary), configure/start/stop/close, info, link, stats.
 * The devargs parser is rtap_args.c.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <net/if.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <bus_vdev_driver.h>

#include "rtap.h"

RTE_LOG_REGISTER_DEFAULT(rtap_logtype, NOTICE);

static int
rtap_dev_configure(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_eth_dev_data *data = dev->data;
	uint16_t cur;
	int ret;

	/* Queues beyond the new counts were released by ethdev; fds follow the rx count. */
	rtap_queues_reconfigure(dev);
	ret = rtap_fds_check(dev);
	if (ret < 0)
		return ret;

	ret = rtap_ifctl_get_mtu(pmd->keep_fd, &cur);
	if (ret < 0)
		return ret;
	/*
	 * ethdev turns rxmode.mtu 0 into RTE_ETHER_MTU before we see it. For a
	 * kernel interface the natural default is the MTU it has: keep that
	 * (rte_eth_dev_set_mtu() changes it).
	 */
	if (data->mtu == RTE_ETHER_MTU && cur != RTE_ETHER_MTU) {
		PMD_LOG(INFO, "%s: keeping the interface's MTU %u", pmd->ifname, cur);
		data->mtu = cur;
		data->dev_conf.rxmode.mtu = cur;
	} else if (data->mtu != cur) {
		ret = rtap_ifctl_set_mtu(pmd->keep_fd, data->mtu);
		if (ret < 0)
			return ret;
	}
	pmd->mtu = data->mtu;
	return 0;
}

static int
rtap_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	info->if_index = pmd->if_index;
	info->max_mac_addrs = RTAP_MAX_MAC_ADDRS;
	/* fds=: one rx queue per inherited fd, as the driver cannot open more */
	info->max_rx_queues = pmd->nb_inherited > 0 ? pmd->nb_inherited : RTAP_MAX_QUEUES;
	info->max_tx_queues = RTAP_MAX_QUEUES;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = RTAP_MAX_MTU;
	/* The usual L2 overhead (testpmd derives MTUs from it); buffers hold a QinQ tag more. */
	info->max_rx_pktlen = RTAP_MAX_MTU + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN;
	info->min_rx_bufsize = RTE_ETHER_MIN_LEN;
	info->max_lro_pkt_size = RTAP_LRO_MAX_FRAME;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_SCATTER | RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_UDP_CKSUM | RTE_ETH_RX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_LRO | RTE_ETH_RX_OFFLOAD_VLAN_STRIP |
		RTE_ETH_RX_OFFLOAD_VLAN_FILTER;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE |
		RTE_ETH_TX_OFFLOAD_VLAN_INSERT | RTE_ETH_TX_OFFLOAD_QINQ_INSERT;
	if (pmd->has_uso)
		info->tx_offload_capa |= RTE_ETH_TX_OFFLOAD_UDP_TSO;
	info->rx_queue_offload_capa = 0;
	info->tx_queue_offload_capa = RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* A virtual port's conventional speed (see rtap_intr.c). */
	info->speed_capa = RTE_ETH_LINK_SPEED_10G;
	/* A stopped queue of a started port may be set up again. */
	info->dev_capa =
		RTE_ETH_DEV_CAPA_RUNTIME_RX_QUEUE_SETUP | RTE_ETH_DEV_CAPA_RUNTIME_TX_QUEUE_SETUP;
	info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = RTAP_MAX_DESC,
		.nb_min = RTAP_MIN_DESC,
		.nb_align = 1,
		.nb_seg_max = RTAP_RX_MAX_SEGS,
		.nb_mtu_seg_max = RTAP_RX_MAX_SEGS,
	};
	info->tx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = RTAP_MAX_DESC,
		.nb_min = RTAP_MIN_DESC,
		.nb_align = 1,
		.nb_seg_max = RTAP_TX_MAX_SEGS,
		.nb_mtu_seg_max = RTAP_TX_MAX_SEGS,
	};
	info->default_rxportconf.ring_size = RTAP_DEFAULT_DESC;
	info->default_txportconf.ring_size = RTAP_DEFAULT_DESC;
	info->default_rxportconf.nb_queues = 1;
	info->default_txportconf.nb_queues = 1;
	info->default_rxportconf.burst_size = 32;
	info->default_txportconf.burst_size = 32;
	return 0;
}

/*
 * TUN_F_* for the rx offloads the application enabled. Only LRO opts into
 * frames the kernel left unfinished: whole GSO frames and, with them (the
 * kernel needs TUN_F_CSUM for TSO), partial checksums. An application that
 * takes LRO super-frames already hands segmentation metadata back on
 * transmit, so it also asks for the checksum (RTE_MBUF_F_RX_L4_CKSUM_NONE).
 * The rx checksum offloads alone negotiate nothing: a forwarder that
 * enables them (as OVS does) must not receive partial checksums and send
 * them on as they are; the kernel completes every checksum and the driver
 * verifies (rtap_vnet_rx()).
 */
static int
rtap_set_kernel_offloads(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	uint64_t rx = dev->data->dev_conf.rxmode.offloads;
	unsigned int flags = 0;
	int ret;

	if (rx & RTE_ETH_RX_OFFLOAD_TCP_LRO)
		flags |= TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
	if (flags == pmd->tun_offload)
		return 0;
	ret = rtap_tun_set_offload(pmd->keep_fd, flags, pmd->ifname, false);
	if (ret == 0)
		pmd->tun_offload = flags;
	return ret;
}

/*
 * Bring the interface up with the port. Without CAP_NET_ADMIN (a TAP made
 * for this user) the port starts all the same: the link is down until
 * someone brings the interface up, which the link events report.
 */
static int
rtap_bring_up(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	unsigned int flags;
	int ret;

	ret = rtap_ifctl_get_flags(pmd->keep_fd, &flags);
	if (ret < 0)
		return ret;
	if (flags & IFF_UP)
		return 0;
	if (!rtap_net_admin()) {
		PMD_LOG(WARNING,
			"%s: interface down, and bringing it up needs CAP_NET_ADMIN: the link is down until it is up",
			pmd->ifname);
		return 0;
	}
	return rtap_ifctl_change_flags(pmd->keep_fd, IFF_UP, 0);
}

static int
rtap_dev_start(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	int ret;

	/* The kernel hands over only what the application enabled. */
	ret = rtap_set_kernel_offloads(dev);
	if (ret < 0)
		return ret;
	ret = rtap_queues_start(dev);
	if (ret < 0)
		return ret;
	ret = rtap_rxq_intr_start(dev);
	if (ret < 0)
		goto fail_queues;
	/*
	 * Like a cable plugged in: the kernel side gets a carrier and comes up
	 * with the port, once its queues are attached, so nothing it sends is
	 * dropped for want of a queue, and a failed start leaves the interface
	 * as it was.
	 */
	__atomic_store_n(&pmd->started, true, __ATOMIC_RELEASE);
	rtap_carrier_set(dev, true);
	ret = rtap_bring_up(dev);
	if (ret < 0)
		goto fail_carrier;
	/* The port is started when the kernel side can carry traffic. */
	rtap_link_update(dev, 1);
	return 0;

fail_carrier:
	__atomic_store_n(&pmd->started, false, __ATOMIC_RELEASE);
	rtap_carrier_set(dev, false);
	rtap_rxq_intr_stop(dev);
fail_queues:
	rtap_queues_stop(dev);
	return ret;
}

static int
rtap_dev_stop(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	/* The cable is pulled: no carrier, so the kernel side sees the port is gone. */
	__atomic_store_n(&pmd->started, false, __ATOMIC_RELEASE);
	if (!pmd->gone)
		rtap_carrier_set(dev, false);
	rtap_queues_stop(dev);
	rtap_rxq_intr_stop(dev);
	rte_eth_linkstatus_set(dev, rtap_link_down());
	return 0;
}

static int
rtap_dev_set_link(struct rte_eth_dev *dev, bool up)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	int ret;

	ret = rtap_ifctl_change_flags(pmd->keep_fd, up ? IFF_UP : 0, up ? 0 : IFF_UP);
	if (ret < 0)
		return ret;
	rtap_link_update(dev, 0);
	return 0;
}

static int
rtap_dev_set_link_up(struct rte_eth_dev *dev)
{
	return rtap_dev_set_link(dev, true);
}

static int
rtap_dev_set_link_down(struct rte_eth_dev *dev)
{
	return rtap_dev_set_link(dev, false);
}

static int
rtap_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_eth_dev_data *data = dev->data;
	uint32_t frame = (uint32_t)mtu + RTAP_FRAME_OVERHEAD;
	uint16_t q;
	int ret;

	/* Every rx queue's buffers must hold a full frame of the new MTU. */
	for (q = 0; q < data->nb_rx_queues; q++) {
		struct rtap_rx_queue *rxq = data->rx_queues[q];
		uint16_t segs;
		uint32_t cap;

		if (rxq == NULL)
			continue;
		cap = rtap_rx_capacity(dev, rxq->mp, mtu, &segs);
		if (frame >= cap) {
			PMD_LOG(ERR,
				"%s: MTU %u needs %u-byte frames, rx queue %u holds %u: enable RTE_ETH_RX_OFFLOAD_SCATTER or use larger mbufs",
				pmd->ifname, mtu, frame, q, cap - 1);
			return -EINVAL;
		}
		if (data->dev_started && rtap_rx_posted_capacity(dev, q) <= frame) {
			PMD_LOG(ERR,
				"%s: MTU %u needs larger posted rx buffers: stop the port first",
				pmd->ifname, mtu);
			return -EBUSY;
		}
	}

	ret = rtap_ifctl_set_mtu(pmd->keep_fd, mtu);
	if (ret < 0)
		return ret;
	pmd->mtu = mtu;
	/* Enforced on receive from the next burst: a stopped queue takes it at start. */
	rtap_rx_queues_set_mtu(dev, mtu);
	return 0;
}

/* No pause frames on a TAP: flow control is off and stays off. */
static int
rtap_flow_ctrl_get(struct rte_eth_dev *dev __rte_unused, struct rte_eth_fc_conf *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->mode = RTE_ETH_FC_NONE;
	fc->autoneg = 0;
	return 0;
}

static int
rtap_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *mac)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_ether_addr cur;
	int ret;

	/*
	 * ethdev replays the address at every start. Setting it, even to the
	 * same value, makes the kernel flush the interface's neighbours
	 * (permanent ones too): only touch it when it changes.
	 */
	if (!(rtap_tun_get_mac(pmd->keep_fd, &cur) == 0 && rte_is_same_ether_addr(&cur, mac))) {
		ret = rtap_tun_set_mac(pmd->keep_fd, mac, pmd->ifname);
		if (ret < 0)
			return ret;
	}
	pmd->mac = *mac;
	/* The receive filter answers to the new address (and the kernel's frames to it). */
	if (!rte_is_same_ether_addr(&pmd->mac_tab[0], mac))
		return rtap_filter_set_mac(dev, mac);
	return 0;
}

/* ---- statistics ---- */

/*
 * The kernel's count of frames it could not queue to us, read now (see
 * rtap_kernel_stats()), or the last value read when it can't be.
 */
static uint64_t
rtap_kernel_tx_dropped(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtnl_link_stats64 k;

	if (rtap_kernel_stats(dev, &k) == 0)
		pmd->kernel_tx_dropped_last = k.tx_dropped;
	return pmd->kernel_tx_dropped_last;
}

static int
rtap_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats RTAP_QSTATS_PARAM)
{
	struct rtap_eth_queue_stats *qs = RTAP_QSTATS(stats);
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_eth_dev_data *data = dev->data;
	uint64_t dropped = rtap_kernel_tx_dropped(dev);
	struct rtap_queue_stats s;
	union {
		struct rtap_rx_xstats rx;
		struct rtap_tx_xstats tx;
	} xs;
	uint16_t q;

	stats->imissed =
		dropped >= pmd->kernel_tx_dropped_base ? dropped - pmd->kernel_tx_dropped_base : 0;
	for (q = 0; q < data->nb_rx_queues; q++) {
		const struct rtap_rx_queue *rxq = data->rx_queues[q];

		if (rxq == NULL)
			continue;
		rtap_rxq_counters(rxq, &s, &xs.rx);
		stats->ipackets += s.packets;
		stats->ibytes += s.bytes;
		stats->ierrors += s.errors + s.truncated + s.oversize;
		stats->rx_nombuf += s.nombuf;
		if (qs != NULL && q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_ipackets[q] = s.packets;
			qs->q_ibytes[q] = s.bytes;
			qs->q_errors[q] = s.errors + s.truncated + s.oversize;
		}
	}
	for (q = 0; q < data->nb_tx_queues; q++) {
		const struct rtap_tx_queue *txq = data->tx_queues[q];

		if (txq == NULL)
			continue;
		rtap_txq_counters(txq, &s, &xs.tx);
		stats->opackets += s.packets;
		stats->obytes += s.bytes;
		stats->oerrors += s.errors;
		if (qs != NULL && q < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			qs->q_opackets[q] = s.packets;
			qs->q_obytes[q] = s.bytes;
		}
	}
	return 0;
}

static int
rtap_stats_reset(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	pmd->kernel_tx_dropped_base = rtap_kernel_tx_dropped(dev);
	/* every queue's baselines, basic and extended, from one copy each */
	rtap_xstats_rebase(dev);
	return 0;
}

/* ---- close ---- */

/*
 * The primary owns the kernel objects: it drains and releases the rings,
 * closes the queue fds and finally the keep-alive fd (which deletes the
 * interface unless it persists). A secondary only drops its own state.
 */
static int
rtap_dev_close(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);

	if (proc == NULL)
		return 0;

	if (rte_eal_process_type() == RTE_PROC_PRIMARY) {
		PMD_LOG(INFO, "%s: closing%s", pmd->ifname,
			pmd->persist ? " (interface kept)" : "");
		if (dev->data->dev_started) {
			rtap_dev_stop(dev);
			dev->data->dev_started = 0;
		}
		rtap_queues_release(dev);
		rtap_lsc_fini(dev);
		rtap_rxq_intr_fini(dev);
	} else {
		rtap_mp_secondary_close(dev);
	}
	rtap_queue_fds_close(dev, 0);
	/* Gone for the rte_mp thread too before the keep-alive fd it may use is closed. */
	rtap_proc_free(dev);

	if (rte_eal_process_type() == RTE_PROC_PRIMARY) {
		if (pmd->keep_fd >= 0) {
			rtap_filter_fini(dev);
			close(pmd->keep_fd);
			pmd->keep_fd = -1;
		}
		rtap_mp_primary_uninit();
	}
	return 0;
}

static const struct eth_dev_ops rtap_ops = {
	.dev_configure = rtap_dev_configure,
	.dev_start = rtap_dev_start,
	.dev_stop = rtap_dev_stop,
	.dev_close = rtap_dev_close,
	.dev_set_link_up = rtap_dev_set_link_up,
	.dev_set_link_down = rtap_dev_set_link_down,
	.dev_infos_get = rtap_dev_infos_get,
	.link_update = rtap_link_update,
	.promiscuous_enable = rtap_promiscuous_enable,
	.promiscuous_disable = rtap_promiscuous_disable,
	.allmulticast_enable = rtap_allmulticast_enable,
	.allmulticast_disable = rtap_allmulticast_disable,
	.mtu_set = rtap_mtu_set,
	.mac_addr_set = rtap_mac_addr_set,
	.mac_addr_add = rtap_mac_addr_add,
	.mac_addr_remove = rtap_mac_addr_remove,
	.set_mc_addr_list = rtap_set_mc_addr_list,
	.vlan_filter_set = rtap_vlan_filter_set,
	.vlan_offload_set = rtap_vlan_offload_set,
	.stats_get = rtap_stats_get,
	.stats_reset = rtap_stats_reset,
	.xstats_get = rtap_xstats_get,
	.xstats_get_names = rtap_xstats_get_names,
	.xstats_reset = rtap_stats_reset,
	.rx_queue_setup = rtap_rx_queue_setup,
	.tx_queue_setup = rtap_tx_queue_setup,
	.rx_queue_release = rtap_rx_queue_release,
	.tx_queue_release = rtap_tx_queue_release,
	.rx_queue_start = rtap_rx_queue_start,
	.rx_queue_stop = rtap_rx_queue_stop,
	.tx_queue_start = rtap_tx_queue_start,
	.tx_queue_stop = rtap_tx_queue_stop,
	.tx_done_cleanup = rtap_tx_done_cleanup,
	.rx_queue_intr_enable = rtap_rx_queue_intr_enable,
	.rx_queue_intr_disable = rtap_rx_queue_intr_disable,
	.rxq_info_get = rtap_rxq_info_get,
	.txq_info_get = rtap_txq_info_get,
	.flow_ctrl_get = rtap_flow_ctrl_get,
};

/*
 * A secondary process shares the port's memory but not the primary's fds:
 * every fd number in it means something else here. It reads infos, link
 * state and statistics and resets the latter, and starts, polls and stops
 * queues the primary left stopped, on copies of the queue fds the primary
 * sends it (rtap_mp.c); other control operations are refused with
 * -E_RTE_SECONDARY, never performed on another process's fds.
 * configure and queue setup have no op at all: ethdev rewrites the shared
 * queue arrays before it calls those ops, so only a missing op (-ENOTSUP,
 * checked first) leaves the primary's queues alone.
 */
static int
rtap_secondary_refuse(struct rte_eth_dev *dev)
{
	PMD_LOG(ERR, "port %u: not from a secondary process", dev->data->port_id);
	return -E_RTE_SECONDARY;
}

static int
rtap_secondary_refuse_queue(struct rte_eth_dev *dev, uint16_t queue_id __rte_unused)
{
	return rtap_secondary_refuse(dev);
}

static int
rtap_secondary_refuse_mac(struct rte_eth_dev *dev, struct rte_ether_addr *mac __rte_unused)
{
	return rtap_secondary_refuse(dev);
}

static int
rtap_secondary_refuse_mac_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac __rte_unused,
			      uint32_t index __rte_unused, uint32_t vmdq __rte_unused)
{
	return rtap_secondary_refuse(dev);
}

/* No error to return: refused all the same, with a word, and nothing done. */
static void
rtap_secondary_refuse_mac_remove(struct rte_eth_dev *dev, uint32_t index __rte_unused)
{
	rtap_secondary_refuse(dev);
}

static int
rtap_secondary_refuse_mc(struct rte_eth_dev *dev, struct rte_ether_addr *mc __rte_unused,
			 uint32_t nb_mc __rte_unused)
{
	return rtap_secondary_refuse(dev);
}

static int
rtap_secondary_refuse_vlan(struct rte_eth_dev *dev, uint16_t vlan_id __rte_unused,
			   int on __rte_unused)
{
	return rtap_secondary_refuse(dev);
}

static int
rtap_secondary_refuse_vlan_offload(struct rte_eth_dev *dev, int mask __rte_unused)
{
	return rtap_secondary_refuse(dev);
}

/* The link as the primary last saw it: reading it must not change it. */
static int
rtap_secondary_link_update(struct rte_eth_dev *dev __rte_unused, int wait_to_complete __rte_unused)
{
	return 0;
}

static const struct eth_dev_ops rtap_secondary_ops = {
	.dev_start = rtap_secondary_refuse,
	.dev_stop = rtap_secondary_refuse,
	.dev_close = rtap_dev_close,
	.dev_set_link_up = rtap_secondary_refuse,
	.dev_set_link_down = rtap_secondary_refuse,
	.dev_infos_get = rtap_dev_infos_get,
	.link_update = rtap_secondary_link_update,
	.promiscuous_enable = rtap_secondary_refuse,
	.promiscuous_disable = rtap_secondary_refuse,
	.allmulticast_enable = rtap_secondary_refuse,
	.allmulticast_disable = rtap_secondary_refuse,
	.mtu_set = rtap_secondary_refuse_queue,
	.mac_addr_set = rtap_secondary_refuse_mac,
	.mac_addr_add = rtap_secondary_refuse_mac_add,
	.mac_addr_remove = rtap_secondary_refuse_mac_remove,
	.set_mc_addr_list = rtap_secondary_refuse_mc,
	.vlan_filter_set = rtap_secondary_refuse_vlan,
	.vlan_offload_set = rtap_secondary_refuse_vlan_offload,
	.stats_get = rtap_stats_get,
	.stats_reset = rtap_stats_reset,
	.xstats_get = rtap_xstats_get,
	.xstats_get_names = rtap_xstats_get_names,
	.xstats_reset = rtap_stats_reset,
	.rx_queue_start = rtap_mp_rx_queue_start,
	.rx_queue_stop = rtap_mp_rx_queue_stop,
	.tx_queue_start = rtap_mp_tx_queue_start,
	.tx_queue_stop = rtap_mp_tx_queue_stop,
	.tx_done_cleanup = rtap_tx_done_cleanup,
	.rxq_info_get = rtap_rxq_info_get,
	.txq_info_get = rtap_txq_info_get,
};

/* ---- probe and remove ---- */

/*
 * The kernel queues frames for an rx queue up to the interface's txqueuelen
 * and drops the rest (imissed). Its default, 1000, is about 1.5 ms of a
 * 0.7 Mpps flood: less than an lcore loses to an interrupt burst or, in a
 * VM, a descheduled vCPU. So a shorter queue is raised to
 * RTAP_DEFAULT_TXQLEN (frames cost kernel memory only while they wait); a
 * longer one someone chose is kept. txqueuelen=N sets N exactly.
 */
static int
rtap_set_txqlen(struct rtap_pmd *pmd, unsigned int asked)
{
	unsigned int cur;
	int ret;

	ret = rtap_ifctl_get_txqlen(pmd->keep_fd, &cur);
	if (ret < 0)
		return ret;
	if (asked == 0 && cur >= RTAP_DEFAULT_TXQLEN)
		return 0;
	if (asked == cur)
		return 0;
	if (asked == 0 && !rtap_net_admin()) {
		/* A TAP made for this user: its admin chose the queue length. */
		PMD_LOG(INFO, "%s: keeping txqueuelen %u (raising it needs CAP_NET_ADMIN)",
			pmd->ifname, cur);
		return 0;
	}
	ret = rtap_ifctl_set_txqlen(pmd->keep_fd, asked != 0 ? asked : RTAP_DEFAULT_TXQLEN);
	if (ret < 0 && asked == 0) {
		/* e.g. a persistent TAP we may use but not configure */
		PMD_LOG(WARNING, "%s: keeping txqueuelen %u", pmd->ifname, cur);
		return 0;
	}
	return ret;
}

/* Is @fd one that a net_rtap port of this process holds already? */
static bool
rtap_fd_in_use(int fd)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		const struct rte_eth_dev *dev = &rte_eth_devices[port];
		const struct rtap_pmd *pmd = dev->data->dev_private;
		unsigned int q;

		if (dev->dev_ops != &rtap_ops || dev->process_private == NULL)
			continue;
		if (pmd->keep_fd == fd)
			return true;
		for (q = 0; q < RTAP_MAX_QUEUES; q++)
			if (rtap_proc(dev)->qfd[q] == fd)
				return true;
	}
	return false;
}

/*
 * fds=: take the queue fds a parent opened (QEMU's tap fds= model: a
 * privileged helper creates the TAP, a sandboxed application that may not
 * open /dev/net/tun runs it). Each must be a queue of the same multi-queue
 * TAP, none another port's, and a file of its own: a dup of another would
 * be one queue. All end detached, as the driver's own are until their
 * queue starts, non-blocking and close-on-exec. Returns the keep-alive fd
 * (a dup of the first) or -errno; on failure the fds stay open (detached
 * if the failure came after the checks) and the port holds none of them.
 */
static int
rtap_adopt_fds(struct rte_eth_dev *dev, const struct rtap_args *args)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	char name[IFNAMSIZ];
	unsigned int i;
	int ret, fd, fl;

	for (i = 0; i < args->nb_fds; i++) {
		if (rtap_fd_in_use(args->fds[i])) {
			PMD_LOG(ERR, "fds: fd %d belongs to another net_rtap port", args->fds[i]);
			return -EBUSY;
		}
		ret = rtap_tun_adopt(args->fds[i], i == 0 ? pmd->ifname : name);
		if (ret < 0)
			return ret;
		if (i > 0 && strcmp(name, pmd->ifname) != 0) {
			PMD_LOG(ERR, "fds: fd %d is a queue of %s, fd %d of %s: give one TAP's",
				args->fds[i], name, args->fds[0], pmd->ifname);
			return -EINVAL;
		}
	}
	/*
	 * Attached or detached as the parent left them: attach all (-EINVAL:
	 * attached already), then detach one by one. A detach refused with
	 * -EINVAL means that file was detached a moment ago, through an
	 * earlier fd of the list.
	 */
	for (i = 0; i < args->nb_fds; i++) {
		ret = rtap_tun_try_queue(args->fds[i], true);
		if (ret < 0 && ret != -EINVAL) {
			PMD_LOG(ERR, "ioctl(TUNSETQUEUE, %s, attach fd %d): %s", pmd->ifname,
				args->fds[i], strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < args->nb_fds; i++) {
		ret = rtap_tun_try_queue(args->fds[i], false);
		if (ret < 0) {
			if (ret == -EINVAL)
				PMD_LOG(ERR,
					"fds: fd %d is the same file as an fd before it (a dup): each queue needs one of its own",
					args->fds[i]);
			else
				PMD_LOG(ERR, "ioctl(TUNSETQUEUE, %s, detach fd %d): %s",
					pmd->ifname, args->fds[i], strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < args->nb_fds; i++) {
		fl = fcntl(args->fds[i], F_GETFL);
		if (fl < 0 || fcntl(args->fds[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(args->fds[i], F_SETFD, FD_CLOEXEC) < 0) {
			ret = -errno;
			PMD_LOG(ERR, "fds: fd %d: fcntl: %s", args->fds[i], strerror(-ret));
			return ret;
		}
	}
	fd = fcntl(args->fds[0], F_DUPFD_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		PMD_LOG_ERRNO(ERR, "fds: dup of fd %d", args->fds[0]);
		return ret;
	}
	for (i = 0; i < args->nb_fds; i++)
		proc->qfd[i] = args->fds[i];
	pmd->nb_inherited = args->nb_fds;
	PMD_LOG(INFO, "%s: %u queue fds inherited", pmd->ifname, args->nb_fds);
	return fd;
}

/* A failed probe gives the inherited fds back: open, the port holding none. */
static void
rtap_unadopt_fds(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	unsigned int i;

	for (i = 0; i < pmd->nb_inherited; i++)
		proc->qfd[i] = -1;
	pmd->nb_inherited = 0;
}

/*
 * An inherited TAP may sit in another network namespace, which only
 * CAP_NET_ADMIN lets the driver enter (rtap_ns_enter()); without it the
 * SIOC* calls reach whatever interface of that name this namespace has.
 * That it is the TAP shows in its MAC address, which the TAP's own fd
 * tells: a different one, or none, is refused.
 */
static int
rtap_check_same_netns(const struct rtap_pmd *pmd)
{
	struct rte_ether_addr there;

	if (rtap_ifctl_get_mac(pmd->keep_fd, &there) == 0 &&
	    rte_is_same_ether_addr(&there, &pmd->mac))
		return 0;
	PMD_LOG(ERR,
		"fds: %s is not the interface of that name in this network namespace: run the application in the TAP's namespace (or with CAP_NET_ADMIN)",
		pmd->ifname);
	return -ENODEV;
}

/* Create (or re-attach to) the interface and leave the keep-alive fd detached. */
static int
rtap_create(struct rte_eth_dev *dev, const struct rtap_args *args)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtnl_link_stats64 kstats;
	bool existed;
	int ret;

	existed = strchr(args->ifname, '%') == NULL && if_nametoindex(args->ifname) != 0;
	existed = existed || args->nb_fds > 0;

	pmd->sqpoll = args->sqpoll;
	if (args->nb_fds > 0)
		pmd->keep_fd = rtap_adopt_fds(dev, args);
	else
		pmd->keep_fd = rtap_tun_open(args->ifname, pmd->ifname);
	if (pmd->keep_fd < 0)
		return pmd->keep_fd;
	pmd->created = !existed;
	pmd->persist = args->persist;

	ret = rtap_tun_set_vnet_le(pmd->keep_fd, pmd->ifname);
	if (ret < 0)
		goto fail;
	if (args->has_mac) {
		ret = rtap_tun_set_mac(pmd->keep_fd, &args->mac, pmd->ifname);
		if (ret < 0)
			goto fail;
	}
	ret = rtap_tun_get_mac(pmd->keep_fd, &pmd->mac);
	if (ret < 0)
		goto fail;
	if (pmd->nb_inherited > 0) {
		ret = rtap_check_same_netns(pmd);
		if (ret < 0)
			goto fail;
	}
	ret = rtap_ifctl_get_ifindex(pmd->keep_fd, &pmd->if_index);
	if (ret < 0)
		goto fail;
	ret = rtap_ifctl_get_mtu(pmd->keep_fd, &pmd->mtu);
	if (ret < 0)
		goto fail;
	ret = rtap_set_txqlen(pmd, args->txqlen);
	if (ret < 0)
		goto fail;
	/* A re-attached interface has a history: imissed starts from zero. */
	if (rtap_ifctl_get_stats(pmd->keep_fd, &kstats) == 0) {
		pmd->kernel_tx_dropped_base = kstats.tx_dropped;
		pmd->kernel_tx_dropped_last = kstats.tx_dropped;
		pmd->kernel_base = kstats;
		pmd->kernel_last = kstats;
	}

	/* Start with no offloads; learn whether the kernel knows UDP segmentation. */
	pmd->has_uso = rtap_tun_set_offload(pmd->keep_fd, TUN_F_CSUM | TUN_F_USO4 | TUN_F_USO6,
					    pmd->ifname, true) == 0;
	ret = rtap_tun_set_offload(pmd->keep_fd, 0, pmd->ifname, false);
	if (ret < 0)
		goto fail;
	pmd->tun_offload = 0;

	/*
	 * persist=1 keeps the interface after close. persist=0 on an interface
	 * we did not create leaves it as its owner made it.
	 */
	if (args->persist) {
		ret = rtap_tun_set_persist(pmd->keep_fd, true, pmd->ifname);
		if (ret < 0)
			goto fail;
	}

	/*
	 * The keep-alive fd holds the interface but carries no traffic (an
	 * inherited one shares its file with queue 0's fd: detached already).
	 */
	if (pmd->nb_inherited == 0) {
		ret = rtap_tun_set_queue(pmd->keep_fd, false, pmd->ifname);
		if (ret < 0)
			goto fail_persist;
	}
	return 0;

fail_persist:
	if (args->persist && pmd->created)
		rtap_tun_set_persist(pmd->keep_fd, false, pmd->ifname);
fail:
	close(pmd->keep_fd);
	pmd->keep_fd = -1;
	rtap_unadopt_fds(dev);
	return ret;
}

/* The data path functions, the same in every process. */
static void
rtap_set_fast_path(struct rte_eth_dev *dev)
{
	dev->rx_pkt_burst = rtap_rx_burst;
	dev->tx_pkt_burst = rtap_tx_burst;
	dev->tx_pkt_prepare = rtap_tx_prepare;
	dev->rx_queue_count = rtap_rx_queue_count;
	dev->rx_descriptor_status = rtap_rx_descriptor_status;
	dev->tx_descriptor_status = rtap_tx_descriptor_status;
}

static int
rtap_probe_secondary(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_attach_secondary(name);
	if (dev == NULL) {
		PMD_LOG(ERR, "%s: cannot attach to the primary's port", name);
		return -ENODEV;
	}
	dev->process_private = rtap_proc_alloc(rte_socket_id());
	if (dev->process_private == NULL) {
		rte_eth_dev_release_port(dev);
		return -ENOMEM;
	}
	dev->dev_ops = &rtap_secondary_ops;
	dev->device = &vdev->device;
	/* Queue fds from the primary; without them queue start fails, and says why. */
	rtap_mp_secondary_attach(dev);
	rtap_set_fast_path(dev);
	rte_eth_dev_probing_finish(dev);
	return 0;
}

static int
rtap_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev_data *data;
	struct rte_eth_dev *dev;
	struct rtap_args args;
	struct rtap_pmd *pmd;
	int ret;

	if (rte_eal_process_type() == RTE_PROC_SECONDARY)
		return rtap_probe_secondary(vdev);

	ret = rtap_parse_args(name, rte_vdev_device_args(vdev), &args);
	if (ret < 0)
		return ret;

	dev = rte_eth_vdev_allocate(vdev, sizeof(*pmd));
	if (dev == NULL) {
		PMD_LOG(ERR, "%s: cannot allocate the ethdev", name);
		return -ENOMEM;
	}
	data = dev->data;
	pmd = data->dev_private;
	pmd->keep_fd = -1;

	dev->process_private = rtap_proc_alloc(vdev->device.numa_node);
	data->mac_addrs =
		rte_zmalloc_socket(name, RTAP_MAX_MAC_ADDRS * sizeof(struct rte_ether_addr), 0,
				   vdev->device.numa_node);
	if (dev->process_private == NULL || data->mac_addrs == NULL) {
		PMD_LOG(ERR, "%s: out of memory", name);
		ret = -ENOMEM;
		goto fail;
	}

	ret = rtap_create(dev, &args);
	if (ret < 0)
		goto fail;
	/* No carrier until the port starts; then events about the interface. */
	rtap_carrier_set(dev, false);
	ret = rtap_filter_init(dev);
	if (ret == 0)
		ret = rtap_rxq_intr_init(dev);
	if (ret == 0)
		ret = rtap_lsc_init(dev);
	if (ret < 0)
		goto fail_created;
	/* Secondaries ask this process for the queue fds; without it they only read. */
	rtap_mp_primary_init();

	*data->mac_addrs = pmd->mac;
	data->mtu = pmd->mtu;
	/* no RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS: rtap_xstats.c names every queue's */
	data->dev_flags |= RTE_ETH_DEV_INTR_LSC | RTE_ETH_DEV_INTR_RMV;
	data->dev_link = *rtap_link_down();
	dev->dev_ops = &rtap_ops;
	rtap_set_fast_path(dev);

	rte_eth_dev_probing_finish(dev);
	PMD_LOG(INFO, "%s: interface %s (index %d) " RTE_ETHER_ADDR_PRT_FMT "%s", name, pmd->ifname,
		pmd->if_index, RTE_ETHER_ADDR_BYTES(&pmd->mac),
		pmd->created ? "" : ", existing interface");
	return 0;

fail_created:
	rtap_rxq_intr_fini(dev);
	rtap_filter_fini(dev);
	if (args.persist && pmd->created)
		rtap_tun_set_persist(pmd->keep_fd, false, pmd->ifname);
	close(pmd->keep_fd);
	pmd->keep_fd = -1;
	rtap_unadopt_fds(dev);
fail:
	rte_free(dev->process_private);
	dev->process_private = NULL;
	rte_eth_dev_release_port(dev);
	return ret;
}

static int
rtap_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev;

	dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));
	if (dev == NULL)
		return 0; /* already closed and released */
	rtap_dev_close(dev);
	rte_eth_dev_release_port(dev);
	return 0;
}

static struct rte_vdev_driver rtap_vdev_drv = {
	.probe = rtap_probe,
	.remove = rtap_remove,
};

RTE_PMD_REGISTER_VDEV(net_rtap, rtap_vdev_drv);
RTE_PMD_REGISTER_ALIAS(net_rtap, eth_rtap);
RTE_PMD_REGISTER_PARAM_STRING(net_rtap,
			      RTAP_ARG_IFACE
			      "=<string> " RTAP_ARG_MAC "=xx:xx:xx:xx:xx:xx " RTAP_ARG_PERSIST
			      "=<0|1> " RTAP_ARG_IO_MODE "=coop|sqpoll " RTAP_ARG_TXQLEN
			      "=<1-1048576> " RTAP_ARG_FDS "=<fd[:fd...]>");
