/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Thin wrappers around the TUN character device ioctls. Each one logs the
 * ioctl by name with the error, cleans up what it opened, and returns
 * 0 or -errno.
 */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>

#include <rte_string_fns.h>

#include "rtap.h"

static const char tun_path[] = "/dev/net/tun";

#define RTAP_TUN_FLAGS (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR)

int
rtap_tun_features(int fd, unsigned int *features)
{
	if (ioctl(fd, TUNGETFEATURES, features) < 0) {
		int err = errno;

		PMD_LOG_ERRNO(ERR, "ioctl(TUNGETFEATURES)");
		return -err;
	}
	return 0;
}

/*
 * Open one queue of the TAP called @name (created if it does not exist).
 * The kernel's name for it (with %d filled in) goes to @actual.
 * Returns the fd or -errno.
 */
int
rtap_tun_open(const char *name, char *actual)
{
	unsigned int features;
	struct ifreq ifr;
	int hdr_len = RTAP_VNET_HDR_LEN;
	int fd, ret;

	/*
	 * Non-blocking: io_uring still waits for data by polling, but a read
	 * that loses the race for a frame is re-armed (or, on some kernels,
	 * comes back -EAGAIN) instead of parking an io-wq thread in a
	 * blocking read.
	 */
	fd = open(tun_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		PMD_LOG_ERRNO(ERR, "open(%s)", tun_path);
		return ret;
	}

	ret = rtap_tun_features(fd, &features);
	if (ret < 0)
		goto fail;
	if ((features & RTAP_TUN_FLAGS) != RTAP_TUN_FLAGS) {
		PMD_LOG(ERR, "kernel TUN lacks features %#x (has %#x)", RTAP_TUN_FLAGS & ~features,
			features);
		ret = -ENOTSUP;
		goto fail;
	}

	memset(&ifr, 0, sizeof(ifr));
	strlcpy(ifr.ifr_name, name, IFNAMSIZ);
	ifr.ifr_flags = RTAP_TUN_FLAGS;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		if (ret == -EINVAL || ret == -EBUSY)
			PMD_LOG(ERR,
				"ioctl(TUNSETIFF, %s): %s: the name is taken by an interface that is not a multi-queue TAP with these flags",
				name, strerror(-ret));
		else
			PMD_LOG(ERR, "ioctl(TUNSETIFF, %s): %s", name, strerror(-ret));
		goto fail;
	}

	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		ret = -errno;
		PMD_LOG(ERR, "ioctl(TUNSETVNETHDRSZ, %s): %s", ifr.ifr_name, strerror(-ret));
		goto fail;
	}

	if (actual != NULL)
		strlcpy(actual, ifr.ifr_name, IFNAMSIZ);
	return fd;

fail:
	close(fd);
	return ret;
}

/*
 * Check @fd, a queue of a TAP that another process opened (fds=): it must
 * be an open TUN file on a multi-queue TAP with virtio-net headers and no
 * packet info. The TAP's name goes to @name. Changes nothing but the TAP's
 * header size (device wide, what the driver sets anyway). Needs no
 * capability: the file is the permission. 0 or -errno, logged.
 */
int
rtap_tun_adopt(int fd, char *name)
{
	int hdr_len = RTAP_VNET_HDR_LEN;
	struct ifreq ifr;
	int err;

	if (fcntl(fd, F_GETFD) < 0) {
		err = errno;
		PMD_LOG(ERR, "fds: fd %d: %s (not inherited?)", fd, strerror(err));
		return -err;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		err = errno;
		if (err == EBADFD)
			PMD_LOG(ERR, "fds: fd %d is a TUN file of no interface (its TAP is gone)",
				fd);
		else
			PMD_LOG(ERR, "fds: fd %d is not a TUN/TAP file (TUNGETIFF: %s)", fd,
				strerror(err));
		return err == EBADFD ? -ENODEV : -EINVAL;
	}
	if (((unsigned int)ifr.ifr_flags & RTAP_TUN_FLAGS) != RTAP_TUN_FLAGS) {
		PMD_LOG(ERR,
			"fds: fd %d: %s is not a multi-queue TAP with vnet_hdr and no packet info (flags %#x; ip tuntap add mode tap multi_queue vnet_hdr makes one)",
			fd, ifr.ifr_name, (unsigned int)ifr.ifr_flags & 0xffff);
		return -EINVAL;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		err = errno;
		PMD_LOG(ERR, "ioctl(TUNSETVNETHDRSZ, %s): %s", ifr.ifr_name, strerror(err));
		return -err;
	}
	strlcpy(name, ifr.ifr_name, IFNAMSIZ);
	return 0;
}

int
rtap_tun_set_queue(int fd, bool attach, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	if (ioctl(fd, TUNSETQUEUE, &ifr) < 0) {
		int err = errno;

		PMD_LOG(ERR, "ioctl(TUNSETQUEUE, %s, %s): %s", ifname, attach ? "attach" : "detach",
			strerror(err));
		return -err;
	}
	return 0;
}

/* TUNSETQUEUE whose failure the caller judges: 0 or -errno, not logged. */
int
rtap_tun_try_queue(int fd, bool attach)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = attach ? IFF_ATTACH_QUEUE : IFF_DETACH_QUEUE;
	return ioctl(fd, TUNSETQUEUE, &ifr) < 0 ? -errno : 0;
}

/*
 * Pin the virtio-net header to little-endian. A TAP's byte order is device
 * wide and survives its owners: a persistent TAP may have been left
 * big-endian (TUNSETVNETBE, on kernels built with cross-endian support).
 */
int
rtap_tun_set_vnet_le(int fd, const char *ifname)
{
	int on = 1, off = 0;

	if (ioctl(fd, TUNSETVNETLE, &on) < 0) {
		int err = errno;

		PMD_LOG(ERR, "ioctl(TUNSETVNETLE, %s): %s", ifname, strerror(err));
		return -err;
	}
	/* Without cross-endian support the kernel has no BE mode to leave: -EINVAL. */
	if (ioctl(fd, TUNSETVNETBE, &off) < 0 && errno != EINVAL) {
		int err = errno;

		PMD_LOG(ERR, "ioctl(TUNSETVNETBE, %s, 0): %s", ifname, strerror(err));
		return -err;
	}
	return 0;
}

int
rtap_tun_set_persist(int fd, bool persist, const char *ifname)
{
	if (ioctl(fd, TUNSETPERSIST, persist ? 1UL : 0UL) < 0) {
		int err = errno;

		PMD_LOG(ERR, "ioctl(TUNSETPERSIST, %s, %d): %s", ifname, persist, strerror(err));
		return -err;
	}
	return 0;
}

/* The interface's current name: it follows renames and netns moves. */
int
rtap_tun_get_name(int fd, char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		int err = errno;

		/* EBADFD: the interface was deleted; the caller decides how loud to be. */
		if (err != EBADFD)
			PMD_LOG_ERRNO(ERR, "ioctl(TUNGETIFF)");
		return -err;
	}
	strlcpy(name, ifr.ifr_name, IFNAMSIZ);
	return 0;
}

int
rtap_tun_get_mac(int fd, struct rte_ether_addr *mac)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		int err = errno;

		PMD_LOG_ERRNO(ERR, "ioctl(SIOCGIFHWADDR)");
		return -err;
	}
	memcpy(mac->addr_bytes, ifr.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
	return 0;
}

int
rtap_tun_set_mac(int fd, const struct rte_ether_addr *mac, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
	memcpy(ifr.ifr_hwaddr.sa_data, mac->addr_bytes, RTE_ETHER_ADDR_LEN);
	if (ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
		int err = errno;

		PMD_LOG(ERR, "ioctl(SIOCSIFHWADDR, %s): %s", ifname, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * What the kernel may hand us (TUN_F_*): device wide, whichever fd sets it.
 * -EINVAL means the kernel does not know a bit; @probe keeps that quiet.
 */
int
rtap_tun_set_offload(int fd, unsigned int flags, const char *ifname, bool probe)
{
	if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)flags) < 0) {
		int err = errno;

		if (!(probe && err == EINVAL))
			PMD_LOG(ERR, "ioctl(TUNSETOFFLOAD, %s, %#x): %s", ifname, flags,
				strerror(err));
		return -err;
	}
	return 0;
}

/*
 * The kernel's filter of what it hands the TAP's readers (TUNSETTXFILTER,
 * device wide): @nb_addr exact destination addresses, the first
 * RTAP_TUN_FILTER_EXACT exactly and the rest (multicast only) by a 64-bin
 * hash; with @allmulti every multicast destination. 0 addresses: no filter.
 * A unicast address beyond the exact ones leaves the kernel with no filter:
 * the caller does not ask for that.
 */
int
rtap_tun_set_txfilter(int fd, bool allmulti, const struct rte_ether_addr *addr,
		      unsigned int nb_addr, const char *ifname)
{
	union {
		struct tun_filter f;
		uint8_t b[sizeof(struct tun_filter) +
			  (RTAP_MAX_MAC_ADDRS + RTAP_MAX_MC_ADDRS + 1) * RTE_ETHER_ADDR_LEN];
	} buf;
	unsigned int i;

	if (nb_addr > RTAP_MAX_MAC_ADDRS + RTAP_MAX_MC_ADDRS + 1)
		return -EINVAL;
	memset(&buf, 0, sizeof(buf));
	buf.f.flags = allmulti ? TUN_FLT_ALLMULTI : 0;
	buf.f.count = (uint16_t)nb_addr;
	for (i = 0; i < nb_addr; i++)
		memcpy(buf.b + sizeof(buf.f) + i * RTE_ETHER_ADDR_LEN, addr[i].addr_bytes,
		       RTE_ETHER_ADDR_LEN);
	if (ioctl(fd, TUNSETTXFILTER, &buf) < 0) {
		int err = errno;

		PMD_LOG(ERR, "ioctl(TUNSETTXFILTER, %s, %u addresses): %s", ifname, nb_addr,
			strerror(err));
		return -err;
	}
	return 0;
}
