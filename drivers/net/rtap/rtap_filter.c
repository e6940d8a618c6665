/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Receive filtering, the control side. With promiscuous mode off the port
 * receives what a NIC would: frames to its own and its added unicast
 * addresses (mac_addr_add), broadcast, and the groups of its multicast list
 * (set_mc_addr_list), or every group with all-multicast on. A TAP filters
 * nothing by itself, so the set is put in force in two places:
 *
 * - the kernel's TUNSETTXFILTER drops what it can before copying it to a
 *   queue: it holds RTAP_TUN_FILTER_EXACT addresses exactly and the
 *   multicast ones beyond them in a 64-bin hash, and cannot take more
 *   unicast addresses than it holds exactly (it then filters nothing).
 *   Whatever it drops, it counts in the interface's tx_dropped, which is
 *   the port's imissed;
 * - the filter each rx burst checks (struct rtap_filter, rtap_vnet.h's
 *   rtap_vnet_rx_filter_match()) is exact and in force whenever promiscuous
 *   mode is off: it drops what the kernel's hash lets through, what was
 *   already queued when the set changed, and everything the kernel cannot
 *   filter, and counts it (`filtered`).
 *
 * So the port behaves the same on and off the kernel's filter, and with
 * promiscuous mode on (testpmd's default) neither filter is in force. Every
 * change is in force for the next burst when the op returns. Ports start
 * non-promiscuous, as DPDK ports do. Primary, control thread only.
 */

#include <errno.h>
#include <net/if.h>

#include <rte_ether.h>
#include <ethdev_driver.h>

#include "rtap.h"
#include "rtap_vnet.h"

/* Rewrite the bursts' table (a seqlock, see struct rtap_filter), then turn it on or off. */
static void
rtap_filter_publish(struct rtap_filter *f, bool on, bool allmulti, const uint64_t *addr,
		    uint16_t nb_addr)
{
	uint32_t seq = f->seq;

	__atomic_store_n(&f->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(f->addr, addr, (size_t)nb_addr * sizeof(addr[0]));
	f->nb_addr = nb_addr;
	f->allmulti = allmulti;
	__atomic_store_n(&f->seq, seq + 2, __ATOMIC_RELEASE);
	__atomic_store_n(&f->on, on, __ATOMIC_RELEASE);
}

/*
 * Put the port's receive filter in force from pmd's state: the bursts'
 * table first, then the kernel's filter (unicast addresses first, as the
 * kernel holds the first ones exactly, then broadcast and the groups).
 */
static int
rtap_filter_apply(struct rte_eth_dev *dev)
{
	static const struct rte_ether_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_ether_addr ktab[RTAP_MAX_MAC_ADDRS + RTAP_MAX_MC_ADDRS + 1];
	uint64_t keys[RTAP_MAX_MAC_ADDRS + RTAP_MAX_MC_ADDRS];
	unsigned int nk = 0, nuc = 0, i;
	uint16_t n = 0;
	int ret;

	for (i = 0; i < RTAP_MAX_MAC_ADDRS; i++) {
		const struct rte_ether_addr *a = &pmd->mac_tab[i];

		if (rte_is_zero_ether_addr(a))
			continue;
		keys[n++] = rtap_mac_key(a->addr_bytes);
		if (!rte_is_multicast_ether_addr(a)) {
			ktab[nk++] = *a;
			nuc++;
		}
	}
	ktab[nk++] = bcast;
	for (i = 0; i < RTAP_MAX_MAC_ADDRS; i++)
		if (rte_is_multicast_ether_addr(&pmd->mac_tab[i]))
			ktab[nk++] = pmd->mac_tab[i];
	for (i = 0; i < pmd->nb_mc; i++) {
		keys[n++] = rtap_mac_key(pmd->mc_tab[i].addr_bytes);
		ktab[nk++] = pmd->mc_tab[i];
	}
	rtap_filter_publish(&pmd->filter, !pmd->promisc, pmd->allmulti, keys, n);

	/* More unicast addresses than the kernel holds exactly: the bursts filter alone. */
	if (pmd->promisc || nuc > RTAP_TUN_FILTER_EXACT)
		nk = 0;
	if (nk == 0 && pmd->tun_filter == 0)
		return 0;
	ret = rtap_tun_set_txfilter(pmd->keep_fd, pmd->allmulti, ktab, nk, pmd->ifname);
	if (ret < 0) {
		/* A stale kernel filter would drop what the port now takes: none at all. */
		if (nk != 0 &&
		    rtap_tun_set_txfilter(pmd->keep_fd, false, NULL, 0, pmd->ifname) == 0)
			pmd->tun_filter = 0;
		return ret;
	}
	pmd->tun_filter = nk;
	PMD_LOG(DEBUG, "%s: %s, %u addresses, %u in the kernel's filter", pmd->ifname,
		pmd->promisc	      ? "promiscuous" :
			pmd->allmulti ? "all-multicast" :
					"filtering",
		n, nk);
	return 0;
}

/* At probe: a port starts non-promiscuous, answering to its own address. */
int
rtap_filter_init(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	memset(pmd->mac_tab, 0, sizeof(pmd->mac_tab));
	pmd->mac_tab[0] = pmd->mac;
	pmd->nb_mc = 0;
	pmd->promisc = false;
	pmd->allmulti = false;
	/* A previous owner's filter, if any, counts as in force: replace it. */
	pmd->tun_filter = 1;
	return rtap_filter_apply(dev);
}

/* At close: the interface is left unfiltered for whoever uses it next. */
void
rtap_filter_fini(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	if (pmd->tun_filter != 0 && !pmd->gone &&
	    rtap_tun_set_txfilter(pmd->keep_fd, false, NULL, 0, pmd->ifname) == 0)
		pmd->tun_filter = 0;
}

/* The port's own address changed (mac_addr_set): ethdev's index 0. */
int
rtap_filter_set_mac(struct rte_eth_dev *dev, const struct rte_ether_addr *mac)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	pmd->mac_tab[0] = *mac;
	return rtap_filter_apply(dev);
}

/*
 * Promiscuous or all-multicast mode on or off: the port's filter first; then
 * the interface's flag, so the kernel side sees the mode too (a bridge,
 * tcpdump). Changing the flag takes CAP_NET_ADMIN, which a port on a TAP
 * made for its user lacks: the mode is the port's all the same, and the
 * flag is left as it is.
 */
static int
rtap_set_mode(struct rte_eth_dev *dev, unsigned int flag, bool on)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	bool *mode = flag == IFF_PROMISC ? &pmd->promisc : &pmd->allmulti;
	bool old = *mode;
	int ret;

	*mode = on;
	ret = rtap_filter_apply(dev);
	if (ret == 0 && !rtap_net_admin()) {
		PMD_LOG(INFO,
			"%s: %s %s; the interface's flag is left as it is (needs CAP_NET_ADMIN)",
			pmd->ifname, flag == IFF_PROMISC ? "promiscuous" : "all-multicast",
			on ? "on" : "off");
		return 0;
	}
	if (ret == 0)
		ret = rtap_ifctl_change_flags(pmd->keep_fd, on ? flag : 0, on ? 0 : flag);
	if (ret < 0) {
		*mode = old;
		rtap_filter_apply(dev);
	}
	return ret;
}

int
rtap_promiscuous_enable(struct rte_eth_dev *dev)
{
	return rtap_set_mode(dev, IFF_PROMISC, true);
}

int
rtap_promiscuous_disable(struct rte_eth_dev *dev)
{
	return rtap_set_mode(dev, IFF_PROMISC, false);
}

int
rtap_allmulticast_enable(struct rte_eth_dev *dev)
{
	return rtap_set_mode(dev, IFF_ALLMULTI, true);
}

int
rtap_allmulticast_disable(struct rte_eth_dev *dev)
{
	return rtap_set_mode(dev, IFF_ALLMULTI, false);
}

/* ethdev has found @index free (or holding @mac) among max_mac_addrs. */
int
rtap_mac_addr_add(struct rte_eth_dev *dev, struct rte_ether_addr *mac, uint32_t index,
		  uint32_t vmdq)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_ether_addr old;
	int ret;

	if (index >= RTAP_MAX_MAC_ADDRS)
		return -EINVAL;
	if (vmdq != 0) {
		PMD_LOG(ERR, "%s: no VMDq pools (pool %u)", pmd->ifname, vmdq);
		return -ENOTSUP;
	}
	old = pmd->mac_tab[index];
	pmd->mac_tab[index] = *mac;
	ret = rtap_filter_apply(dev);
	if (ret < 0) {
		pmd->mac_tab[index] = old;
		rtap_filter_apply(dev);
	}
	return ret;
}

void
rtap_mac_addr_remove(struct rte_eth_dev *dev, uint32_t index)
{
	struct rtap_pmd *pmd = dev->data->dev_private;

	/* ethdev never removes the port's own address (index 0). */
	if (index == 0 || index >= RTAP_MAX_MAC_ADDRS)
		return;
	memset(&pmd->mac_tab[index], 0, sizeof(pmd->mac_tab[index]));
	rtap_filter_apply(dev);
}

int
rtap_set_mc_addr_list(struct rte_eth_dev *dev, struct rte_ether_addr *mc, uint32_t nb_mc)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_ether_addr old[RTAP_MAX_MC_ADDRS];
	uint16_t nb_old = pmd->nb_mc;
	uint32_t i;
	int ret;

	if (nb_mc > RTAP_MAX_MC_ADDRS) {
		PMD_LOG(ERR, "%s: %u multicast addresses, at most %u", pmd->ifname, nb_mc,
			RTAP_MAX_MC_ADDRS);
		return -ENOSPC;
	}
	for (i = 0; i < nb_mc; i++) {
		if (!rte_is_multicast_ether_addr(&mc[i])) {
			PMD_LOG(ERR, "%s: " RTE_ETHER_ADDR_PRT_FMT " is not a multicast address",
				pmd->ifname, RTE_ETHER_ADDR_BYTES(&mc[i]));
			return -EINVAL;
		}
	}
	memcpy(old, pmd->mc_tab, sizeof(old));
	if (nb_mc > 0)
		memcpy(pmd->mc_tab, mc, nb_mc * sizeof(mc[0]));
	pmd->nb_mc = (uint16_t)nb_mc;
	ret = rtap_filter_apply(dev);
	if (ret < 0) {
		memcpy(pmd->mc_tab, old, sizeof(old));
		pmd->nb_mc = nb_old;
		rtap_filter_apply(dev);
	}
	return ret;
}

/*
 * The VLAN filter's table (RTE_ETH_RX_OFFLOAD_VLAN_FILTER; ethdev refuses
 * this with the offload off). A bit per VLAN ID, set and cleared atomically
 * under the bursts that read it.
 */
int
rtap_vlan_filter_set(struct rte_eth_dev *dev, uint16_t vlan_id, int on)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	uint64_t bit = UINT64_C(1) << (vlan_id % 64);

	if (vlan_id > RTE_ETHER_MAX_VLAN_ID)
		return -EINVAL;
	if (on)
		__atomic_fetch_or(&pmd->vlan_tab[vlan_id / 64], bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&pmd->vlan_tab[vlan_id / 64], ~bit, __ATOMIC_RELAXED);
	return 0;
}

/*
 * VLAN strip or filter turned on or off (ethdev has rewritten rxmode.offloads
 * and checked them against the capabilities): started queues follow.
 */
int
rtap_vlan_offload_set(struct rte_eth_dev *dev, int mask)
{
	if (mask & (RTE_ETH_VLAN_STRIP_MASK | RTE_ETH_VLAN_FILTER_MASK))
		rtap_rx_queues_set_offloads(dev);
	return 0;
}
