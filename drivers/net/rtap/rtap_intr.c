/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Events and interrupts: the port's link as the kernel sees it, link-state
 * (LSC) and removal (RMV) events, and Rx-queue interrupts.
 *
 * Link: up while the port is started and the interface is up and running
 * (its carrier follows the port: TUNSETCARRIER on at start, off at stop).
 *
 * LSC/RMV: an rtnetlink socket subscribed to link notifications, created in
 * the interface's network namespace, is an interrupt source on DPDK's
 * interrupt thread. Messages about our interface's index update the link
 * and raise RTE_ETH_EVENT_INTR_LSC once per change of status. RTM_DELLINK
 * means deletion or a move to another namespace: TUNGETDEVNETNS on the
 * keep-alive fd tells them apart (EBADFD: deleted, raise
 * RTE_ETH_EVENT_INTR_RMV once; another namespace: subscribe again there).
 *
 * Rx interrupts: one eventfd per rx queue, registered with the queue's
 * io_uring, which signals it whenever a completion is posted, in every ring
 * mode (task work that completes a read also wakes a thread sleeping in
 * epoll_wait). The eventfds form the port's interrupt vector.
 * rx_queue_intr_enable() clears the eventfd and, when a completion is
 * already waiting or no read is in flight to produce one, signals it again,
 * so a frame that came between the last empty burst and the sleep wakes the
 * sleeper. The kernel posts a completion before it signals, so the check
 * after the clear sees every completion the clear consumed a signal of.
 *
 * Threads: the netlink callback and the resubscription run on DPDK's
 * interrupt thread; everything else on the control thread, except
 * rx_queue_intr_enable/disable, which run on the lcore polling the queue.
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <rte_alarm.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <ethdev_driver.h>

#include "rtap.h"

/* <net/if.h> stops at the flags SIOCGIFFLAGS can carry; rtnetlink has more. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef TUNSETCARRIER
#define TUNSETCARRIER _IOW('T', 226, int)
#endif

/*
 * A TAP has no speed. Like other virtual ports (net_tap, af_packet), the
 * port reports 10 Gbit/s while up, so applications that print or weigh
 * speeds see a number; it limits nothing.
 */
#define RTAP_LINK_SPEED RTE_ETH_SPEED_NUM_10G

static const struct rte_eth_link rtap_link_down_value = {
	.link_speed = RTE_ETH_SPEED_NUM_NONE,
	.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
	.link_autoneg = RTE_ETH_LINK_FIXED,
	.link_status = RTE_ETH_LINK_DOWN,
};

const struct rte_eth_link *
rtap_link_down(void)
{
	return &rtap_link_down_value;
}

/*
 * Set the link from the interface's flags (the rtnetlink ones: IFF_LOWER_UP,
 * the carrier, follows TUNSETCARRIER at once, while IFF_RUNNING waits for
 * the kernel's link watch); raise LSC when its status changed and the
 * application asked for the event. Returns 0 if it changed.
 */
static int
rtap_link_set(struct rte_eth_dev *dev, unsigned int flags, bool notify)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rte_eth_link link = rtap_link_down_value;
	int changed;

	if (__atomic_load_n(&pmd->started, __ATOMIC_ACQUIRE) && !pmd->gone && (flags & IFF_UP) &&
	    (flags & IFF_LOWER_UP)) {
		link.link_status = RTE_ETH_LINK_UP;
		link.link_speed = RTAP_LINK_SPEED;
	}
	changed = rte_eth_linkstatus_set(dev, &link);
	if (changed == 0 && notify && dev->data->dev_conf.intr_conf.lsc)
		rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_LSC, NULL);
	return changed;
}

/* The link from the kernel now (ethdev's link_update, and after start/stop). */
int
rtap_link_update(struct rte_eth_dev *dev, int wait_to_complete __rte_unused)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	unsigned int flags = 0;

	if (pmd->gone || rtap_ifctl_get_link(pmd->keep_fd, &flags) < 0)
		flags = 0;
	rtap_link_set(dev, flags, false);
	return 0;
}

/* The carrier follows the port; a kernel or fd that refuses keeps it as it is. */
int
rtap_carrier_set(struct rte_eth_dev *dev, bool on)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	int val = on;

	if (ioctl(pmd->keep_fd, TUNSETCARRIER, &val) < 0) {
		int err = errno;

		/* EPERM: carrier on needs an attached queue (all queues deferred). */
		PMD_LOG(DEBUG, "ioctl(TUNSETCARRIER, %s, %d): %s", pmd->ifname, val, strerror(err));
		return -err;
	}
	return 0;
}

/* ---- link-state and removal events ---- */

/* Inode of the network namespace behind @nsfd (0 if unknown). */
static ino_t
rtap_ns_ino(int nsfd)
{
	struct stat st;

	return fstat(nsfd, &st) == 0 ? st.st_ino : 0;
}

/* The namespace the interface is in now: its inode, 0 if unknown, -1 if it is gone. */
static long long
rtap_iface_ns(int keep_fd)
{
	long long ino;
	int nsfd;

	nsfd = ioctl(keep_fd, TUNGETDEVNETNS);
	if (nsfd < 0)
		return errno == EBADFD ? -1 : 0;
	ino = (long long)rtap_ns_ino(nsfd);
	close(nsfd);
	return ino;
}

/* A non-blocking rtnetlink socket on link notifications, in the interface's namespace. */
static int
rtap_nl_open(int keep_fd, ino_t *ns)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int saved, fd, ret;

	saved = rtap_ns_enter(keep_fd);
	if (saved < 0 && saved != RTAP_NS_SAME)
		return saved;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	ret = fd < 0 ? -errno : 0;
	rtap_ns_leave(saved);
	if (ret < 0) {
		PMD_LOG(ERR, "socket(AF_NETLINK, NETLINK_ROUTE): %s", strerror(-ret));
		return ret;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "bind(NETLINK_ROUTE, RTMGRP_LINK): %s", strerror(-ret));
		close(fd);
		return ret;
	}
	*ns = (ino_t)RTE_MAX(rtap_iface_ns(keep_fd), 0LL);
	return fd;
}

static void rtap_nl_event(void *arg);

/* The interface left, or was deleted: which, and what follows. */
static void
rtap_iface_left(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	long long ns = rtap_iface_ns(pmd->keep_fd);

	if (ns < 0) {
		if (pmd->gone)
			return;
		PMD_LOG(INFO, "%s: interface deleted", pmd->ifname);
		pmd->gone = true;
		rtap_link_set(dev, 0, true);
		if (dev->data->dev_conf.intr_conf.rmv)
			rte_eth_dev_callback_process(dev, RTE_ETH_EVENT_INTR_RMV, NULL);
		return;
	}
	if ((ino_t)ns == proc->nl_ns)
		return; /* a namesake's deletion, or a stale message */
	/* Moved: subscribe again where it is, out of this callback. */
	PMD_LOG(INFO, "%s: interface moved to another network namespace", pmd->ifname);
	rtap_link_set(dev, 0, true);
	rte_eal_alarm_set(1, rtap_lsc_resubscribe, dev);
}

/*
 * Netlink callback (interrupt thread): every message of the batch, those
 * about our interface only. A missed batch (ENOBUFS) is made good by reading
 * the flags again.
 */
static void
rtap_nl_event(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	char buf[16384] __rte_aligned(NLMSG_ALIGNTO);
	bool left = false, seen = false;
	unsigned int flags = 0;
	ssize_t len;

	if (proc == NULL)
		return;
	for (;;) {
		struct nlmsghdr *nh;

		len = recv(proc->nl_fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == ENOBUFS) {
				rtap_link_update(dev, 0);
				continue;
			}
			break; /* EAGAIN: all read */
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			const struct ifinfomsg *ifi = NLMSG_DATA(nh);

			if ((nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK) ||
			    nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
			    ifi->ifi_index != pmd->if_index)
				continue;
			if (nh->nlmsg_type == RTM_DELLINK) {
				left = true;
			} else {
				flags = ifi->ifi_flags;
				seen = true;
			}
		}
	}
	if (left)
		rtap_iface_left(dev);
	else if (seen)
		rtap_link_set(dev, flags, true);
}

/*
 * Subscribe to the interface's link notifications where it is now. Called
 * at probe (control thread) and, after a move, from an alarm on the
 * interrupt thread (not from inside the netlink callback, which may not
 * unregister itself).
 */
void
rtap_lsc_resubscribe(void *arg)
{
	struct rte_eth_dev *dev = arg;
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	unsigned int flags = 0;
	ino_t ns = 0;
	int fd, ret;

	if (proc == NULL || proc->lsc_intr == NULL)
		return;
	if (proc->nl_fd >= 0) {
		rte_intr_callback_unregister(proc->lsc_intr, rtap_nl_event, dev);
		close(proc->nl_fd);
		proc->nl_fd = -1;
	}
	fd = rtap_nl_open(pmd->keep_fd, &ns);
	if (fd < 0)
		return;
	ret = rte_intr_fd_set(proc->lsc_intr, fd);
	if (ret == 0)
		ret = rte_intr_callback_register(proc->lsc_intr, rtap_nl_event, dev);
	if (ret < 0) {
		PMD_LOG(ERR, "%s: rte_intr_callback_register(link events): %s", pmd->ifname,
			strerror(-ret));
		close(fd);
		return;
	}
	proc->nl_fd = fd;
	proc->nl_ns = ns;
	/* The index may change with the namespace; the link may have changed meanwhile. */
	rtap_ifctl_get_ifindex(pmd->keep_fd, &pmd->if_index);
	if (rtap_ifctl_get_link(pmd->keep_fd, &flags) < 0)
		flags = 0;
	rtap_link_set(dev, flags, true);
}

/* At probe (primary): the interrupt source for link events. */
int
rtap_lsc_init(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);

	proc->nl_fd = -1;
	proc->lsc_intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (proc->lsc_intr == NULL || rte_intr_type_set(proc->lsc_intr, RTE_INTR_HANDLE_EXT) < 0) {
		PMD_LOG(ERR, "cannot allocate the link event interrupt handle");
		rte_intr_instance_free(proc->lsc_intr);
		proc->lsc_intr = NULL;
		return -ENOMEM;
	}
	rtap_lsc_resubscribe(dev);
	if (proc->nl_fd < 0) {
		rte_intr_instance_free(proc->lsc_intr);
		proc->lsc_intr = NULL;
		return -EIO;
	}
	return 0;
}

/* At close: no callback runs after this returns. */
void
rtap_lsc_fini(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);

	if (proc->lsc_intr == NULL)
		return;
	rte_eal_alarm_cancel(rtap_lsc_resubscribe, dev);
	if (proc->nl_fd >= 0) {
		rte_intr_callback_unregister_sync(proc->lsc_intr, rtap_nl_event, dev);
		close(proc->nl_fd);
		proc->nl_fd = -1;
	}
	rte_intr_instance_free(proc->lsc_intr);
	proc->lsc_intr = NULL;
}

/* ---- Rx interrupts ---- */

/* At probe: the port's interrupt handle, which holds the rx queues' eventfds. */
int
rtap_rxq_intr_init(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);

	proc->rxq_intr = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (proc->rxq_intr == NULL || rte_intr_type_set(proc->rxq_intr, RTE_INTR_HANDLE_VDEV) < 0 ||
	    rte_intr_efd_counter_size_set(proc->rxq_intr, sizeof(uint64_t)) < 0) {
		PMD_LOG(ERR, "cannot allocate the rx interrupt handle");
		rte_intr_instance_free(proc->rxq_intr);
		proc->rxq_intr = NULL;
		return -ENOMEM;
	}
	dev->intr_handle = proc->rxq_intr;
	return 0;
}

void
rtap_rxq_intr_fini(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);

	if (proc->rxq_intr == NULL)
		return;
	rtap_rxq_intr_stop(dev);
	if (dev->intr_handle == proc->rxq_intr)
		dev->intr_handle = NULL;
	rte_intr_instance_free(proc->rxq_intr);
	proc->rxq_intr = NULL;
}

/* At start, with intr_conf.rxq: an eventfd per rx queue, on its ring and in the vector. */
int
rtap_rxq_intr_start(struct rte_eth_dev *dev)
{
	struct rtap_pmd *pmd = dev->data->dev_private;
	struct rtap_proc *proc = rtap_proc(dev);
	uint16_t nb = dev->data->nb_rx_queues, q;
	int ret;

	if (!dev->data->dev_conf.intr_conf.rxq || proc->rxq_intr == NULL)
		return 0;
	ret = rte_intr_vec_list_alloc(proc->rxq_intr, "rtap_rxq_vec", nb);
	if (ret < 0) {
		PMD_LOG(ERR, "%s: rte_intr_vec_list_alloc(%u): %s", pmd->ifname, nb,
			strerror(rte_errno));
		return -ENOMEM;
	}
	for (q = 0; q < nb; q++) {
		struct rtap_rx_ring *r = proc->rx[q];
		int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

		if (efd < 0) {
			ret = -errno;
			PMD_LOG(ERR, "%s: eventfd for rx queue %u: %s", pmd->ifname, q,
				strerror(-ret));
			goto fail;
		}
		proc->rxq_efd[q] = efd;
		ret = io_uring_register_eventfd(&r->ring.io, efd);
		if (ret < 0) {
			PMD_LOG(ERR, "%s: rx queue %u: io_uring_register_eventfd: %s", pmd->ifname,
				q, strerror(-ret));
			goto fail;
		}
		rte_intr_efds_index_set(proc->rxq_intr, q, efd);
		rte_intr_vec_list_index_set(proc->rxq_intr, q, RTE_INTR_VEC_RXTX_OFFSET + q);
	}
	rte_intr_nb_efd_set(proc->rxq_intr, nb);
	rte_intr_max_intr_set(proc->rxq_intr, nb + 1);
	return 0;
fail:
	rtap_rxq_intr_stop(dev);
	return ret;
}

/* At stop: the eventfds leave the rings and the vector (and any epoll set). */
void
rtap_rxq_intr_stop(struct rte_eth_dev *dev)
{
	struct rtap_proc *proc = rtap_proc(dev);
	uint16_t q;

	if (proc->rxq_intr == NULL)
		return;
	/*
	 * Out of every epoll set the application added them to: else the next
	 * start's rte_eth_dev_rx_intr_ctl_q() finds the old entries and, as
	 * ethdev ignores -EEXIST, silently adds nothing.
	 */
	rte_intr_free_epoll_fd(proc->rxq_intr);
	for (q = 0; q < RTAP_MAX_QUEUES; q++) {
		if (proc->rxq_efd[q] < 0)
			continue;
		if (proc->rx[q] != NULL)
			io_uring_unregister_eventfd(&proc->rx[q]->ring.io);
		close(proc->rxq_efd[q]);
		proc->rxq_efd[q] = -1;
		rte_intr_efds_index_set(proc->rxq_intr, q, -1);
	}
	rte_intr_nb_efd_set(proc->rxq_intr, 0);
	rte_intr_vec_list_free(proc->rxq_intr);
}

/*
 * The lcore is about to sleep on the queue's eventfd: clear it, then make
 * sure a completion that is already there (or the lack of any read that
 * could complete) wakes it at once.
 */
int
rtap_rx_queue_intr_enable(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct rtap_proc *proc = rtap_proc(dev);
	struct rtap_rx_ring *r = proc->rx[queue_id];
	int efd = proc->rxq_efd[queue_id];
	eventfd_t val;

	if (r == NULL || efd < 0)
		return -EINVAL;
	eventfd_read(efd, &val); /* EAGAIN when it was clear */
	if (io_uring_cq_ready(&r->ring.io) > 0 ||
	    (IO_URING_READ_ONCE(*r->ring.io.sq.kflags) & IORING_SQ_TASKRUN) ||
	    rtap_ring_busy(&r->ring) == 0 || r->ring.dead)
		eventfd_write(efd, 1);
	return 0;
}

/* Awake: the eventfd may keep counting while the lcore polls; nothing to do. */
int
rtap_rx_queue_intr_disable(struct rte_eth_dev *dev, uint16_t queue_id)
{
	return rtap_proc(dev)->rxq_efd[queue_id] >= 0 ? 0 : -EINVAL;
}
