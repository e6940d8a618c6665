/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * The kernel interface: flags, MTU, txqueuelen, index and counters, through
 * SIOC* ioctls and one rtnetlink request. Knows nothing of ethdev.
 *
 * The interface may live in another network namespace than the application
 * (a user moves it with "ip link set X netns NS"), and may have been renamed,
 * so each call asks the keep-alive TUN fd for the interface's current name and
 * namespace (TUNGETIFF, TUNGETDEVNETNS) and talks to it through a socket
 * created in that namespace.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <rte_string_fns.h>

#include "rtap.h"

/* What an EPERM from a SIOCS* ioctl means, for the log line. */
#define RTAP_NEEDS_CAP(err) ((err) == EPERM ? " (needs CAP_NET_ADMIN)" : "")

/*
 * May this process change the interface (MTU, flags, txqueuelen)? That takes
 * CAP_NET_ADMIN in its effective set. Asked so that a port used without it
 * (a TAP made for its user, see the guide) skips what would only fail.
 */
bool
rtap_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return true; /* unknown: try, and report what the kernel says */
	return (data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32))) != 0;
}

/* Is the namespace behind @nsfd the one this thread is in? */
static bool
rtap_ns_is_current(int nsfd)
{
	struct stat a, b;

	if (fstat(nsfd, &a) < 0 || stat("/proc/thread-self/ns/net", &b) < 0)
		return true;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Switch this thread into the network namespace of the interface behind
 * @keep_fd. Returns an fd to give back to rtap_ns_leave(), RTAP_NS_SAME when
 * no switch was needed, or -errno.
 */
int
rtap_ns_enter(int keep_fd)
{
	int nsfd, selffd, ret;

	nsfd = ioctl(keep_fd, TUNGETDEVNETNS);
	if (nsfd < 0) {
		ret = -errno;
		if (ret == -EBADFD)
			return ret; /* interface deleted */
		/* A kernel without TUNGETDEVNETNS, or no right to ask: stay. */
		return RTAP_NS_SAME;
	}
	if (rtap_ns_is_current(nsfd)) {
		close(nsfd);
		return RTAP_NS_SAME;
	}
	selffd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (selffd < 0) {
		ret = -errno;
		PMD_LOG_ERRNO(ERR, "open(/proc/thread-self/ns/net)");
		close(nsfd);
		return ret;
	}
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "setns(interface netns): %s", strerror(-ret));
		close(selffd);
		close(nsfd);
		return ret;
	}
	close(nsfd);
	return selffd;
}

void
rtap_ns_leave(int saved)
{
	if (saved < 0)
		return;
	if (setns(saved, CLONE_NEWNET) < 0)
		PMD_LOG_ERRNO(CRIT, "setns(back to own netns)");
	close(saved);
}

/*
 * A socket of the given kind in the namespace the interface is in (it stays
 * bound to that namespace), and the interface's current name. Returns the
 * socket or -errno.
 */
static int
rtap_ns_socket(int keep_fd, int domain, int type, int protocol, char *ifname)
{
	int saved, sock, ret;

	ret = rtap_tun_get_name(keep_fd, ifname);
	if (ret < 0)
		return ret;
	saved = rtap_ns_enter(keep_fd);
	if (saved < 0 && saved != RTAP_NS_SAME)
		return saved;
	sock = socket(domain, type | SOCK_CLOEXEC, protocol);
	ret = sock < 0 ? -errno : sock;
	rtap_ns_leave(saved);
	if (ret < 0)
		PMD_LOG(ERR, "socket(%d, %d, %d) for %s: %s", domain, type, protocol, ifname,
			strerror(-ret));
	return ret;
}

/* A datagram socket for SIOC* ioctls on the interface. */
static int
rtap_ctl_socket(int keep_fd, char *ifname)
{
	return rtap_ns_socket(keep_fd, AF_INET, SOCK_DGRAM, 0, ifname);
}

/* One SIOC* ioctl on the interface; @ifr gets the name filled in. */
static int
rtap_ctl_ioctl(int keep_fd, unsigned long req, const char *what, struct ifreq *ifr)
{
	char ifname[IFNAMSIZ];
	int sock, ret = 0;

	sock = rtap_ctl_socket(keep_fd, ifname);
	if (sock < 0)
		return sock;
	strlcpy(ifr->ifr_name, ifname, IFNAMSIZ);
	if (ioctl(sock, req, ifr) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "ioctl(%s, %s): %s%s", what, ifname, strerror(-ret),
			RTAP_NEEDS_CAP(-ret));
	}
	close(sock);
	return ret;
}

int
rtap_ifctl_get_flags(int keep_fd, unsigned int *flags)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = rtap_ctl_ioctl(keep_fd, SIOCGIFFLAGS, "SIOCGIFFLAGS", &ifr);
	if (ret == 0)
		*flags = (unsigned short)ifr.ifr_flags;
	return ret;
}

int
rtap_ifctl_change_flags(int keep_fd, unsigned int set, unsigned int clear)
{
	char ifname[IFNAMSIZ];
	struct ifreq ifr;
	int sock, ret = 0;

	sock = rtap_ctl_socket(keep_fd, ifname);
	if (sock < 0)
		return sock;
	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "ioctl(SIOCGIFFLAGS, %s): %s", ifname, strerror(-ret));
		goto out;
	}
	if ((((unsigned int)ifr.ifr_flags | set) & ~clear) == (unsigned int)ifr.ifr_flags)
		goto out;
	ifr.ifr_flags = (ifr.ifr_flags | set) & ~clear;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "ioctl(SIOCSIFFLAGS, %s, %#x): %s%s", ifname,
			(unsigned short)ifr.ifr_flags, strerror(-ret), RTAP_NEEDS_CAP(-ret));
	}
out:
	close(sock);
	return ret;
}

int
rtap_ifctl_set_mtu(int keep_fd, uint16_t mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = mtu;
	return rtap_ctl_ioctl(keep_fd, SIOCSIFMTU, "SIOCSIFMTU", &ifr);
}

int
rtap_ifctl_get_mtu(int keep_fd, uint16_t *mtu)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = rtap_ctl_ioctl(keep_fd, SIOCGIFMTU, "SIOCGIFMTU", &ifr);
	if (ret == 0)
		*mtu = ifr.ifr_mtu;
	return ret;
}

int
rtap_ifctl_set_txqlen(int keep_fd, unsigned int qlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_qlen = (int)qlen;
	return rtap_ctl_ioctl(keep_fd, SIOCSIFTXQLEN, "SIOCSIFTXQLEN", &ifr);
}

int
rtap_ifctl_get_txqlen(int keep_fd, unsigned int *qlen)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = rtap_ctl_ioctl(keep_fd, SIOCGIFTXQLEN, "SIOCGIFTXQLEN", &ifr);
	if (ret == 0)
		*qlen = (unsigned int)ifr.ifr_qlen;
	return ret;
}

int
rtap_ifctl_get_ifindex(int keep_fd, int *if_index)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = rtap_ctl_ioctl(keep_fd, SIOCGIFINDEX, "SIOCGIFINDEX", &ifr);
	if (ret == 0)
		*if_index = ifr.ifr_ifindex;
	return ret;
}

/* The MAC address of the interface of that name where the ioctls reach it. */
int
rtap_ifctl_get_mac(int keep_fd, struct rte_ether_addr *mac)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = rtap_ctl_ioctl(keep_fd, SIOCGIFHWADDR, "SIOCGIFHWADDR", &ifr);
	if (ret == 0)
		memcpy(mac->addr_bytes, ifr.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
	return ret;
}

/*
 * The counters (IFLA_STATS64) of interface @ifname over the rtnetlink socket
 * @sock, with its index in *@if_index and its flags in *@flags. 0 or -errno.
 */
static int
rtap_ifctl_link_stats(int sock, const char *ifname, int *if_index, unsigned int *flags,
		      struct rtnl_link_stats64 *stats)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[RTA_SPACE(IFNAMSIZ)];
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rtattr *rta;
	char buf[8192];
	ssize_t len;
	int ret;
	struct nlmsghdr *nh;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = IFLA_IFNAME;
	rta->rta_len = RTA_LENGTH(strlen(ifname) + 1);
	memcpy(RTA_DATA(rta), ifname, strlen(ifname) + 1);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi)) + RTA_ALIGN(rta->rta_len);

	if (sendto(sock, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "RTM_GETLINK %s: send: %s", ifname, strerror(-ret));
		return ret;
	}
	len = recv(sock, buf, sizeof(buf), 0);
	if (len < 0) {
		ret = -errno;
		PMD_LOG(ERR, "RTM_GETLINK %s: recv: %s", ifname, strerror(-ret));
		return ret;
	}
	ret = -ENODATA;
	for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len); nh = NLMSG_NEXT(nh, len)) {
		struct ifinfomsg *ifi;
		int alen;

		if (nh->nlmsg_type == NLMSG_ERROR) {
			/* -ENODEV: no such interface here; the caller decides how loud to be. */
			ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
			break;
		}
		if (nh->nlmsg_type != RTM_NEWLINK)
			continue;
		ifi = NLMSG_DATA(nh);
		*if_index = ifi->ifi_index;
		*flags = ifi->ifi_flags;
		alen = IFLA_PAYLOAD(nh);
		for (rta = IFLA_RTA(ifi); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == IFLA_STATS64 && RTA_PAYLOAD(rta) >= sizeof(*stats)) {
				memcpy(stats, RTA_DATA(rta), sizeof(*stats));
				ret = 0;
			}
		}
		break;
	}
	return ret;
}

/* The interface's counters, asked by name in the interface's namespace. */
int
rtap_ifctl_get_stats(int keep_fd, struct rtnl_link_stats64 *stats)
{
	char ifname[IFNAMSIZ];
	unsigned int flags;
	int sock, if_index, ret;

	sock = rtap_ns_socket(keep_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, ifname);
	if (sock < 0)
		return sock;
	ret = rtap_ifctl_link_stats(sock, ifname, &if_index, &flags, stats);
	if (ret < 0)
		PMD_LOG(ERR, "RTM_GETLINK %s: %s", ifname, strerror(-ret));
	close(sock);
	return ret;
}

/*
 * The counters of interface @ifname with index @if_index as seen from this
 * thread's namespace, for a process without the keep-alive fd (a
 * secondary). -ENODEV when no such interface is here (it moved or is gone).
 */
int
rtap_ifctl_get_stats_here(const char *ifname, int if_index, struct rtnl_link_stats64 *stats)
{
	unsigned int flags;
	int sock, index = -1, ret;

	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sock < 0) {
		ret = -errno;
		PMD_LOG(ERR, "socket(AF_NETLINK): %s", strerror(-ret));
		return ret;
	}
	ret = rtap_ifctl_link_stats(sock, ifname, &index, &flags, stats);
	close(sock);
	if (ret == 0 && index != if_index)
		ret = -ENODEV; /* a namesake, not our interface */
	return ret;
}

/*
 * The interface's flags as rtnetlink gives them: all 32 bits, IFF_LOWER_UP
 * (the carrier) included, which SIOCGIFFLAGS cannot return. 0 or -errno
 * (-EBADFD: the interface is gone).
 */
int
rtap_ifctl_get_link(int keep_fd, unsigned int *flags)
{
	struct rtnl_link_stats64 stats;
	char ifname[IFNAMSIZ];
	int sock, if_index, ret;

	sock = rtap_ns_socket(keep_fd, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, ifname);
	if (sock < 0)
		return sock;
	ret = rtap_ifctl_link_stats(sock, ifname, &if_index, flags, &stats);
	if (ret < 0 && ret != -ENODEV)
		PMD_LOG(ERR, "RTM_GETLINK %s: %s", ifname, strerror(-ret));
	close(sock);
	return ret;
}
