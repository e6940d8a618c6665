/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

static unsigned int ifname_counter;
static unsigned int vdev_counter;
static unsigned int ns_seq;

uint64_t
rtu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
rtu_run(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 16, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(cmd) - 16)
		return -1;
	strcat(cmd, " >/dev/null 2>&1");
	ret = system(cmd);
	if (ret == -1 || !WIFEXITED(ret))
		return -1;
	return WEXITSTATUS(ret);
}

void
rtu_ifname(char name[IFNAMSIZ])
{
	snprintf(name, IFNAMSIZ, "rtu%uq%u", (unsigned int)getpid() % 10000000,
		 ifname_counter++ % 10000);
}

static int
ifreq_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	if (ioctl(fd, req, ifr) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

bool
rtu_if_exists(const char *ifname)
{
	return if_nametoindex(ifname) != 0;
}

int
rtu_if_index(const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	return idx == 0 ? -errno : (int)idx;
}

int
rtu_if_get_flags(const char *ifname, unsigned int *flags)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);
	if (ret == 0)
		*flags = (unsigned short)ifr.ifr_flags;
	return ret;
}

int
rtu_if_set_flags(const char *ifname, unsigned int set, unsigned int clear)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);
	if (ret != 0)
		return ret;
	ifr.ifr_flags = (short)(((unsigned short)ifr.ifr_flags | set) & ~clear);
	return ifreq_ioctl(ifname, SIOCSIFFLAGS, &ifr);
}

int
rtu_if_get_mtu(const char *ifname, int *mtu)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(ifname, SIOCGIFMTU, &ifr);
	if (ret == 0)
		*mtu = ifr.ifr_mtu;
	return ret;
}

int
rtu_if_set_mtu(const char *ifname, int mtu)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_mtu = mtu;
	return ifreq_ioctl(ifname, SIOCSIFMTU, &ifr);
}

int
rtu_if_get_mac(const char *ifname, struct rte_ether_addr *mac)
{
	struct ifreq ifr;
	int ret;

	memset(&ifr, 0, sizeof(ifr));
	ret = ifreq_ioctl(ifname, SIOCGIFHWADDR, &ifr);
	if (ret == 0)
		memcpy(mac->addr_bytes, ifr.ifr_hwaddr.sa_data, RTE_ETHER_ADDR_LEN);
	return ret;
}

/* A number from the interface's sysfs directory, /sys/class/net/IF/ATTR. */
int
rtu_if_sysfs(const char *ifname, const char *attr, uint64_t *val)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*val = strtoull(buf, NULL, 10);
	return 0;
}

/* One of the interface's kernel counters, /sys/class/net/IF/statistics/NAME. */
int
rtu_if_stat(const char *ifname, const char *name, uint64_t *val)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "statistics/%s", name);
	return rtu_if_sysfs(ifname, attr, val);
}

/* Silences IPv6 (router solicitations, MLD, DAD) on the interface. */
int
rtu_if_disable_ipv6(const char *ifname)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 at all */
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* 0 once the interface is gone, -ETIMEDOUT if it is still there after timeout_ms. */
int
rtu_if_wait_gone(const char *ifname, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;

	for (;;) {
		if (!rtu_if_exists(ifname))
			return 0;
		if (rtu_now_ms() >= deadline)
			return -ETIMEDOUT;
		/* Polling the kernel's state, not synchronising with our own code. */
		poll(NULL, 0, 1);
	}
}

static int
scan_fds(bool print)
{
	char path[300], target[256];
	struct dirent *de;
	int n = 0, dfd;
	ssize_t len;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return -errno;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dfd)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (strncmp(target, "/memfd:", 7) == 0 || strstr(target, "hugepage") != NULL)
			continue;
		if (print)
			printf("    fd %s -> %s\n", de->d_name, target);
		n++;
	}
	closedir(d);
	return n;
}

int
rtu_count_fds(void)
{
	return scan_fds(false);
}

void
rtu_dump_fds(void)
{
	scan_fds(true);
}

int
rtu_count_threads(const char *prefix)
{
	char path[300], comm[64];
	struct dirent *de;
	int n = 0, fd;
	ssize_t len;
	DIR *d;

	d = opendir("/proc/self/task");
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (prefix == NULL) {
			n++;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		if (len > 0 && strncmp(comm, prefix, strlen(prefix)) == 0)
			n++;
	}
	closedir(d);
	return n;
}

int
rtu_iflist_get(struct rtu_iflist *l)
{
	struct if_nameindex *ifs, *i;

	ifs = if_nameindex();
	if (ifs == NULL)
		return -errno;
	l->n = 0;
	for (i = ifs; i->if_index != 0 && l->n < RTU_MAX_IFACES; i++)
		snprintf(l->names[l->n++], IFNAMSIZ, "%s", i->if_name);
	if_freenameindex(ifs);
	return 0;
}

/*
 * Interfaces this process may create: its own "rtu<pid>q" names and the
 * driver's default "rtap%d" (other programs' interfaces come and go).
 */
static bool
iflist_relevant(const char *name)
{
	char prefix[IFNAMSIZ];

	snprintf(prefix, sizeof(prefix), "rtu%uq", (unsigned int)getpid() % 10000000);
	return strncmp(name, prefix, strlen(prefix)) == 0 || strncmp(name, "rtap", 4) == 0;
}

static bool
iflist_has(const struct rtu_iflist *l, const char *name)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return true;
	return false;
}

int
rtu_iflist_compare(const struct rtu_iflist *before, const struct rtu_iflist *after)
{
	unsigned int i;
	int diff = 0;

	for (i = 0; i < after->n; i++) {
		if (iflist_relevant(after->names[i]) && !iflist_has(before, after->names[i])) {
			printf("  interface %s appeared\n", after->names[i]);
			diff++;
		}
	}
	for (i = 0; i < before->n; i++) {
		if (iflist_relevant(before->names[i]) && !iflist_has(after, before->names[i])) {
			printf("  interface %s disappeared\n", before->names[i]);
			diff++;
		}
	}
	return diff;
}

int
rtu_pkt_open(const char *ifname, uint16_t ethertype)
{
	struct sockaddr_ll sll;
	int fd, size = 8 << 20;

	/* Protocol 0 until bound: no frame from another interface sneaks in. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ethertype);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int
rtu_pkt_send(int fd, const void *frame, size_t len)
{
	const struct rte_ether_hdr *eth = frame;
	struct sockaddr_ll sll;
	socklen_t slen = sizeof(sll);
	ssize_t n;

	/* Send with the frame's EtherType as protocol so the kernel parses (and hashes) it. */
	memset(&sll, 0, sizeof(sll));
	if (getsockname(fd, (struct sockaddr *)&sll, &slen) < 0)
		return -errno;
	sll.sll_protocol = eth->ether_type;
	sll.sll_halen = RTE_ETHER_ADDR_LEN;
	memcpy(sll.sll_addr, eth->dst_addr.addr_bytes, RTE_ETHER_ADDR_LEN);
	n = sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (n < 0 && errno == ENETDOWN) {
		int err;

		/*
		 * A packet socket keeps ENETDOWN pending from the last time its
		 * interface went down: clear it and try again.
		 */
		slen = sizeof(err);
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &slen);
		n = sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	}
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

ssize_t
rtu_pkt_recv(int fd, void *buf, size_t len, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct sockaddr_ll sll;
	socklen_t slen;
	ssize_t n;
	int ret;

	for (;;) {
		uint64_t now = rtu_now_ms();

		if (now >= deadline)
			return 0;
		ret = poll(&pfd, 1, (int)(deadline - now));
		if (ret < 0 && errno != EINTR)
			return -errno;
		if (ret <= 0)
			continue;
		slen = sizeof(sll);
		n = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&sll, &slen);
		if (n < 0) {
			/* ENETDOWN: pending from an earlier link down, now consumed. */
			if (errno == EAGAIN || errno == EINTR || errno == ENETDOWN)
				continue;
			return -errno;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		return n;
	}
}

void
rtu_pkt_drain(int fd)
{
	uint8_t buf[64];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

static void
fill_pattern(uint8_t *p, size_t len, uint32_t seq)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seq * 7 + i + (i >> 8));
}

size_t
rtu_frame_fill(uint8_t *buf, size_t len, const struct rte_ether_addr *dst,
	       const struct rte_ether_addr *src, uint32_t seq)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rtu_hdr *h = (struct rtu_hdr *)(eth + 1);
	size_t hlen = sizeof(*eth) + sizeof(*h);

	RTE_VERIFY(len >= RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTU_ETHERTYPE);
	h->magic = rte_cpu_to_be_32(RTU_MAGIC);
	h->seq = rte_cpu_to_be_32(seq);
	fill_pattern(buf + hlen, len - hlen, seq);
	return len;
}

int64_t
rtu_frame_seq(const uint8_t *buf, size_t len)
{
	const struct rte_ether_hdr *eth = (const struct rte_ether_hdr *)buf;
	const struct rtu_hdr *h = (const struct rtu_hdr *)(eth + 1);

	if (len < sizeof(*eth) + sizeof(*h) || eth->ether_type != rte_cpu_to_be_16(RTU_ETHERTYPE) ||
	    h->magic != rte_cpu_to_be_32(RTU_MAGIC))
		return -1;
	return rte_be_to_cpu_32(h->seq);
}

size_t
rtu_frame_udp4(uint8_t *buf, size_t len, const struct rte_ether_addr *dst,
	       const struct rte_ether_addr *src, uint16_t sport, uint16_t dport, uint32_t seq)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct rtu_hdr *h = (struct rtu_hdr *)(udp + 1);
	size_t hlen = sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + sizeof(*h);

	RTE_VERIFY(len >= hlen && len >= RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	memset(buf, 0, hlen);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len - sizeof(*eth));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	/* DPDK 22.11's RTE_IPV4() shifts its int argument: 198 << 24 overflows. */
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(len - sizeof(*eth) - sizeof(*ip));
	h->magic = rte_cpu_to_be_32(RTU_MAGIC);
	h->seq = rte_cpu_to_be_32(seq);
	fill_pattern(buf + hlen, len - hlen, seq);
	udp->dgram_cksum = 0; /* optional in IPv4 */
	return len;
}

int64_t
rtu_udp4_seq(const struct rte_mbuf *m)
{
	const size_t off = sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
		sizeof(struct rte_udp_hdr);
	const struct rte_ether_hdr *eth;
	struct rtu_hdr hbuf;
	const struct rtu_hdr *h;

	if (m->pkt_len < off + sizeof(*h))
		return -1;
	eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (m->data_len < sizeof(*eth) || eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		return -1;
	h = rte_pktmbuf_read(m, off, sizeof(hbuf), &hbuf);
	if (h == NULL || h->magic != rte_cpu_to_be_32(RTU_MAGIC))
		return -1;
	return rte_be_to_cpu_32(h->seq);
}

struct rte_mbuf *
rtu_mbuf_from(struct rte_mempool *mp, const void *data, size_t len, unsigned int nb_segs)
{
	const uint8_t *p = data;
	struct rte_mbuf *head = NULL, *m;
	size_t off = 0;
	unsigned int i;

	if (nb_segs == 0)
		nb_segs = 1;
	for (i = 0; i < nb_segs; i++) {
		size_t seg = (len - off) / (nb_segs - i);
		char *dst;

		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			goto fail;
		dst = rte_pktmbuf_append(m, seg);
		if (dst == NULL && seg != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
		memcpy(dst, p + off, seg);
		off += seg;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0) {
			rte_pktmbuf_free(m);
			goto fail;
		}
	}
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

int
rtu_mbuf_compare(const struct rte_mbuf *m, const void *data, size_t len)
{
	const uint8_t *p = data;
	const struct rte_mbuf *seg;
	size_t off = 0, sum = 0;
	unsigned int nb = 0;

	for (seg = m; seg != NULL; seg = seg->next) {
		sum += seg->data_len;
		nb++;
	}
	if (nb != m->nb_segs || sum != m->pkt_len) {
		printf("  inconsistent mbuf chain: nb_segs %u (counted %u), pkt_len %u (sum %zu)\n",
		       m->nb_segs, nb, m->pkt_len, sum);
		return -1;
	}
	if (m->pkt_len != len) {
		printf("  length %u, expected %zu\n", m->pkt_len, len);
		return -1;
	}
	for (seg = m; seg != NULL; seg = seg->next) {
		const uint8_t *d = rte_pktmbuf_mtod(seg, const uint8_t *);
		uint16_t i;

		for (i = 0; i < seg->data_len; i++, off++) {
			if (d[i] != p[off]) {
				printf("  byte %zu differs: 0x%02x, expected 0x%02x\n", off, d[i],
				       p[off]);
				return -1;
			}
		}
	}
	return 0;
}

int64_t
rtu_mbuf_seq(const struct rte_mbuf *m)
{
	if (m->data_len < sizeof(struct rte_ether_hdr) + sizeof(struct rtu_hdr))
		return -1;
	return rtu_frame_seq(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
}

unsigned int
rtu_mempool_in_use(const struct rte_mempool *mp)
{
	return mp->size - rte_mempool_avail_count(mp);
}

const char *
rtu_driver(void)
{
	const char *d = getenv("RTAP_TEST_DRIVER");

	return d != NULL && d[0] != '\0' ? d : "net_rtap";
}

bool
rtu_driver_is_rtap(void)
{
	return strcmp(rtu_driver(), "net_rtap") == 0;
}

int
rtu_port_probe_raw(struct rtu_port *p, const char *devargs)
{
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->vdev, sizeof(p->vdev), "%s%u", rtu_driver(), 100 + vdev_counter++);
	ret = rte_vdev_init(p->vdev, devargs);
	if (ret != 0)
		return ret < 0 ? ret : -ret;
	p->probed = true;
	ret = rte_eth_dev_get_port_by_name(p->vdev, &p->port_id);
	if (ret != 0) {
		printf("  %s probed but has no ethdev port\n", p->vdev);
		return ret;
	}
	return 0;
}

int
rtu_port_probe(struct rtu_port *p, const char *extra_devargs)
{
	char ifname[IFNAMSIZ];
	char args[256];
	int ret;

	/* RTAP_TEST_DEVARGS: devargs every port gets, to run a suite in another mode. */
	const char *common = getenv("RTAP_TEST_DEVARGS");

	rtu_ifname(ifname);
	snprintf(args, sizeof(args), "iface=%s%s%s%s%s", ifname,
		 common != NULL && common[0] != '\0' ? "," : "", common != NULL ? common : "",
		 extra_devargs != NULL && extra_devargs[0] != '\0' ? "," : "",
		 extra_devargs != NULL ? extra_devargs : "");
	ret = rtu_port_probe_raw(p, args);
	snprintf(p->ifname, sizeof(p->ifname), "%s", ifname);
	if (ret != 0)
		return ret;
	if (!rtu_if_exists(ifname)) {
		printf("  %s probed but interface %s does not exist\n", p->vdev, ifname);
		return -ENODEV;
	}
	ret = rtu_if_disable_ipv6(ifname);
	if (ret != 0)
		printf("  cannot disable IPv6 on %s: %s\n", ifname, strerror(-ret));
	return 0;
}

int
rtu_port_setup(struct rtu_port *p, uint16_t nb_queues, const struct rte_eth_conf *conf,
	       struct rte_mempool *mp, uint16_t nb_desc)
{
	struct rte_eth_conf def_conf;
	uint16_t q;
	int ret;

	if (conf == NULL) {
		memset(&def_conf, 0, sizeof(def_conf));
		conf = &def_conf;
	}
	if (nb_desc == 0)
		nb_desc = 512;
	ret = rte_eth_dev_configure(p->port_id, nb_queues, nb_queues, conf);
	if (ret != 0) {
		printf("  rte_eth_dev_configure(%u queues): %s\n", nb_queues, strerror(-ret));
		return ret;
	}
	p->nb_queues = nb_queues;
	for (q = 0; q < nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(p->port_id, q, nb_desc, SOCKET_ID_ANY, NULL, mp);
		if (ret != 0) {
			printf("  rte_eth_rx_queue_setup(%u): %s\n", q, strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(p->port_id, q, nb_desc, SOCKET_ID_ANY, NULL);
		if (ret != 0) {
			printf("  rte_eth_tx_queue_setup(%u): %s\n", q, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
rtu_port_start(struct rtu_port *p)
{
	int ret;

	ret = rte_eth_dev_start(p->port_id);
	if (ret != 0) {
		printf("  rte_eth_dev_start: %s\n", strerror(-ret));
		return ret;
	}
	p->started = true;
	return 0;
}

int
rtu_port_destroy(struct rtu_port *p)
{
	int ret, result = TEST_SUCCESS;

	if (!p->probed)
		return TEST_SUCCESS;
	if (p->started) {
		ret = rte_eth_dev_stop(p->port_id);
		if (ret != 0) {
			printf("  rte_eth_dev_stop(%u): %s\n", p->port_id, strerror(-ret));
			result = TEST_FAILED;
		}
		p->started = false;
	}
	if (rte_eth_dev_is_valid_port(p->port_id)) {
		ret = rte_eth_dev_close(p->port_id);
		if (ret != 0) {
			printf("  rte_eth_dev_close(%u): %s\n", p->port_id, strerror(-ret));
			result = TEST_FAILED;
		}
	}
	ret = rte_vdev_uninit(p->vdev);
	if (ret != 0) {
		printf("  rte_vdev_uninit(%s): %s\n", p->vdev, strerror(-ret));
		result = TEST_FAILED;
	}
	p->probed = false;
	if (p->ifname[0] != '\0' && rtu_if_exists(p->ifname)) {
		if (rtu_if_wait_gone(p->ifname, 2000) == 0) {
			printf("  interface %s still existed when rte_vdev_uninit returned\n",
			       p->ifname);
		} else {
			printf("  interface %s left behind after close; deleting it\n", p->ifname);
			rtu_run("ip link del %s", p->ifname);
		}
		result = TEST_FAILED;
	}
	return result;
}

int
rtu_port_mac(const struct rtu_port *p, struct rte_ether_addr *mac)
{
	return rte_eth_macaddr_get(p->port_id, mac);
}

int
rtu_rtap_rx_counters(uint16_t port_id, struct rtap_queue_stats *sum)
{
	const struct rte_eth_dev_data *data;
	uint16_t q;

	memset(sum, 0, sizeof(*sum));
	if (!rte_eth_dev_is_valid_port(port_id) || !rtu_driver_is_rtap())
		return -ENOTSUP;
	data = rte_eth_devices[port_id].data;
	for (q = 0; q < data->nb_rx_queues; q++) {
		const struct rtap_rx_queue *rxq = data->rx_queues[q];
		struct rtap_queue_stats st;
		struct rtap_rx_xstats xs;
		uint64_t *out = (uint64_t *)sum;
		const uint64_t *in = (const uint64_t *)&st;
		size_t i;

		if (rxq == NULL)
			continue;
		rtap_rxq_counters(rxq, &st, &xs);
		/* Every field is a uint64_t counter: add them all. */
		for (i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
			out[i] += in[i];
	}
	return 0;
}

static int
rtu_xstat(uint16_t port_id, const char *fmt, uint16_t queue_id, uint64_t *value)
{
	char name[RTE_ETH_XSTATS_NAME_SIZE];
	uint64_t id;
	int ret;

	snprintf(name, sizeof(name), fmt, queue_id);
	ret = rte_eth_xstats_get_id_by_name(port_id, name, &id);
	if (ret < 0)
		return ret == -EINVAL ? -ENOENT : ret;
	ret = rte_eth_xstats_get_by_id(port_id, &id, value, 1);
	return ret == 1 ? 0 : (ret < 0 ? ret : -EIO);
}

int
rtu_queue_stats(uint16_t port_id, uint16_t queue_id, struct rtu_qstats *qs)
{
	int ret;

	ret = rtu_xstat(port_id, "rx_q%u_packets", queue_id, &qs->ipackets);
	if (ret == 0)
		ret = rtu_xstat(port_id, "rx_q%u_bytes", queue_id, &qs->ibytes);
	if (ret == 0)
		ret = rtu_xstat(port_id, "rx_q%u_errors", queue_id, &qs->ierrors);
	if (ret == 0)
		ret = rtu_xstat(port_id, "tx_q%u_packets", queue_id, &qs->opackets);
	if (ret == 0)
		ret = rtu_xstat(port_id, "tx_q%u_bytes", queue_id, &qs->obytes);
	return ret;
}

unsigned int
rtu_rx_wait(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **pkts, unsigned int max,
	    unsigned int want, unsigned int timeout_ms, unsigned int *stray)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	struct rte_mbuf *burst[RTU_BURST];
	unsigned int got = 0;
	uint16_t n, i;

	while (got < want) {
		/* Never take more than asked: what stays queued is for the next call. */
		uint16_t room = RTE_MIN(want - got, (unsigned int)RTU_BURST);

		n = rte_eth_rx_burst(port_id, queue_id, burst, room);
		for (i = 0; i < n; i++) {
			if (rtu_mbuf_seq(burst[i]) < 0 && rtu_udp4_seq(burst[i]) < 0) {
				if (stray != NULL)
					(*stray)++;
				rte_pktmbuf_free(burst[i]);
			} else if (got < max) {
				pkts[got++] = burst[i];
			} else {
				got++;
				rte_pktmbuf_free(burst[i]);
			}
		}
		if (rtu_now_ms() >= deadline)
			break;
	}
	return got;
}

unsigned int
rtu_rx_drain(uint16_t port_id, uint16_t nb_queues)
{
	struct rte_mbuf *burst[RTU_BURST];
	unsigned int total = 0;
	uint16_t q, n;

	for (q = 0; q < nb_queues; q++) {
		do {
			n = rte_eth_rx_burst(port_id, q, burst, RTU_BURST);
			rtu_free_bulk(burst, n);
			total += n;
		} while (n > 0);
	}
	return total;
}

unsigned int
rtu_tx_all(uint16_t port_id, uint16_t queue_id, struct rte_mbuf **pkts, unsigned int n,
	   unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	unsigned int sent = 0;

	while (sent < n) {
		uint16_t chunk = RTE_MIN(n - sent, (unsigned int)UINT16_MAX);

		sent += rte_eth_tx_burst(port_id, queue_id, pkts + sent, chunk);
		if (sent < n && rtu_now_ms() >= deadline)
			break;
	}
	return sent;
}

int
rtu_tx_reap_until_full(uint16_t port_id, uint16_t nb_queues, struct rte_mempool *mp,
		       unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	struct rte_mbuf *none[1];
	uint16_t q;

	for (;;) {
		if (rte_mempool_full(mp))
			return 0;
		if (rtu_now_ms() >= deadline)
			return -ETIMEDOUT;
		for (q = 0; q < nb_queues; q++) {
			rte_eth_tx_burst(port_id, q, none, 0);
			rte_eth_tx_done_cleanup(port_id, q, 0);
		}
	}
}

void
rtu_free_bulk(struct rte_mbuf **pkts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		rte_pktmbuf_free(pkts[i]);
}

void
rtu_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int
rtu_check_env(void)
{
	if (geteuid() != 0)
		TEST_SKIP("needs root (CAP_NET_ADMIN) to create TAP interfaces");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		TEST_SKIP("/dev/net/tun: %s", strerror(errno));
	return TEST_SUCCESS;
}

struct rte_mempool *
rtu_pool_create(const char *name, unsigned int n, uint16_t data_room)
{
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create(name, n, 0, 0, data_room + RTE_PKTMBUF_HEADROOM,
				     SOCKET_ID_ANY);
	if (mp == NULL)
		printf("  cannot create mempool %s: %s\n", name, rte_strerror(rte_errno));
	return mp;
}

int
rtu_fixture_setup(struct rtu_fixture *f, uint16_t nb_queues, const struct rte_eth_conf *conf,
		  unsigned int rx_n, unsigned int tx_n)
{
	static unsigned int pool_counter;
	char name[RTE_MEMPOOL_NAMESIZE];
	int ret;

	memset(f, 0, sizeof(*f));
	f->pkt_fd = -1;
	f->fds_before = rtu_count_fds();
	snprintf(name, sizeof(name), "rtu_rx%u", pool_counter);
	f->rx_pool = rtu_pool_create(name, rx_n, RTE_MBUF_DEFAULT_DATAROOM);
	snprintf(name, sizeof(name), "rtu_tx%u", pool_counter++);
	f->tx_pool = rtu_pool_create(name, tx_n, RTE_MBUF_DEFAULT_DATAROOM);
	if (f->rx_pool == NULL || f->tx_pool == NULL)
		return TEST_FAILED;
	f->peer = (struct rte_ether_addr){ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
	ret = rtu_port_probe(&f->port, NULL);
	if (ret != 0) {
		printf("  rte_vdev_init(%s, iface=%s): %s\n", f->port.vdev, f->port.ifname,
		       strerror(-ret));
		return TEST_FAILED;
	}
	if (rtu_port_setup(&f->port, nb_queues, conf, f->rx_pool, 0) != 0)
		return TEST_FAILED;
	if (rtu_port_start(&f->port) != 0)
		return TEST_FAILED;
	ret = rtu_port_mac(&f->port, &f->mac);
	if (ret != 0) {
		printf("  rte_eth_macaddr_get: %s\n", strerror(-ret));
		return TEST_FAILED;
	}
	f->pkt_fd = rtu_pkt_open(f->port.ifname, RTU_ETHERTYPE);
	if (f->pkt_fd < 0) {
		printf("  AF_PACKET socket on %s: %s\n", f->port.ifname, strerror(-f->pkt_fd));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

int
rtu_fixture_finish(struct rtu_fixture *f)
{
	int result = TEST_SUCCESS;
	int fds;

	if (f->pkt_fd >= 0) {
		close(f->pkt_fd);
		f->pkt_fd = -1;
	}
	if (f->fds_before == 0)
		return TEST_SUCCESS; /* never set up, or already finished */
	if (rtu_port_destroy(&f->port) != TEST_SUCCESS)
		result = TEST_FAILED;
	if (f->rx_pool != NULL && !rte_mempool_full(f->rx_pool)) {
		printf("  %u mbufs of %s not returned after close\n",
		       rtu_mempool_in_use(f->rx_pool), f->rx_pool->name);
		result = TEST_FAILED;
	}
	if (f->tx_pool != NULL && !rte_mempool_full(f->tx_pool)) {
		printf("  %u mbufs of %s not returned after close\n",
		       rtu_mempool_in_use(f->tx_pool), f->tx_pool->name);
		result = TEST_FAILED;
	}
	/* Whatever a failed case still holds goes with its pool. */
	rte_mempool_free(f->rx_pool);
	rte_mempool_free(f->tx_pool);
	f->rx_pool = NULL;
	f->tx_pool = NULL;
	fds = rtu_count_fds();
	if (fds != f->fds_before) {
		printf("  %d fds open after close, %d before the port was created:\n", fds,
		       f->fds_before);
		rtu_dump_fds();
		result = TEST_FAILED;
	}
	f->fds_before = 0;
	return result;
}

/* ip netns del; 0 or its exit status. */
static int
ns_delete(const char *ns)
{
	return rtu_run("ip netns del %s", ns);
}

/* A fresh namespace "rtu<pid>n<k>" with lo up, its name in name; 0, or -1 and nothing left. */
static int
ns_create(char name[RTU_NS_NAMESIZE])
{
	snprintf(name, RTU_NS_NAMESIZE, "rtu%un%u", (unsigned int)getpid(), ns_seq++);
	if (rtu_run("ip netns add %s", name) != 0)
		return -1;
	if (rtu_run("ip -n %s link set lo up", name) != 0) {
		ns_delete(name);
		return -1;
	}
	return 0;
}

/* Enters ns on the calling thread only; returns the fd for ns_leave(), or -errno. */
static int
ns_enter(const char *ns)
{
	char path[128];
	int self, fd, ret = 0;

	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (ret != 0) {
		close(self);
		return ret;
	}
	return self;
}

/* Back to the namespace ns_enter() came from (aborts if it cannot); closes self. */
static void
ns_leave(int self)
{
	if (setns(self, CLONE_NEWNET) < 0)
		RTE_VERIFY(0); /* cannot go on in the wrong namespace */
	close(self);
}

/* socket(2) in ns (SOCK_CLOEXEC added); it stays there whatever thread uses it. */
static int
ns_socket(const char *ns, int domain, int type, int proto)
{
	int self = ns_enter(ns), fd;

	if (self < 0)
		return self;
	fd = socket(domain, type | SOCK_CLOEXEC, proto);
	if (fd < 0)
		fd = -errno;
	ns_leave(self);
	return fd;
}

int
rtu_ns_pkt_open(const char *ns, const char *ifname, uint16_t ethertype)
{
	int self = ns_enter(ns), fd;

	if (self < 0)
		return self;
	fd = rtu_pkt_open(ifname, ethertype);
	ns_leave(self);
	return fd;
}

/* rtu_if_get_mac() on ifname in ns. */
static int
ns_if_get_mac(const char *ns, const char *ifname, struct rte_ether_addr *mac)
{
	int self = ns_enter(ns), ret;

	if (self < 0)
		return self;
	ret = rtu_if_get_mac(ifname, mac);
	ns_leave(self);
	return ret;
}

/* Moves ifname from the current namespace into ns; 0 or the exit status of ip(8). */
static int
ns_move_if(const char *ifname, const char *ns)
{
	return rtu_run("ip link set dev %s netns %s", ifname, ns);
}

int
rtu_ns_if_wait_carrier(const char *ns, const char *ifname, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;

	while (rtu_run("ip -n %s -o link show dev %s | grep -q LOWER_UP", ns, ifname) != 0) {
		if (rtu_now_ms() >= deadline) {
			char cmd[256];

			snprintf(cmd, sizeof(cmd), "ip -n %s link show dev %s", ns, ifname);
			if (system(cmd) != 0)
				printf("  %s failed\n", cmd);
			return -ETIMEDOUT;
		}
		/* Polling the kernel's state, not synchronising with our own code. */
		poll(NULL, 0, 5);
	}
	return 0;
}

int64_t
rtu_ns_counter(const char *ns, const char *file, const char *proto, const char *field)
{
	static char text[16384];
	char path[64], hdr[64], *save = NULL, *line, *names = NULL;
	int64_t val = -1;
	size_t len;
	ssize_t n;
	int self, fd;

	self = ns_enter(ns);
	if (self < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/thread-self/net/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ns_leave(self);
	if (fd < 0)
		return -1;
	for (len = 0; len < sizeof(text) - 1; len += n) {
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n <= 0)
			break;
	}
	close(fd);
	if (len == 0)
		return -1;
	text[len] = '\0';
	snprintf(hdr, sizeof(hdr), "%s:", proto != NULL ? proto : "");
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (proto == NULL) {
			size_t fl = strlen(field);

			if (strncmp(line, field, fl) == 0 && (line[fl] == ' ' || line[fl] == '\t'))
				return strtoll(line + fl, NULL, 10);
			continue;
		}
		if (strncmp(line, hdr, strlen(hdr)) != 0)
			continue;
		if (names == NULL) {
			names = line;
			continue;
		}
		/* Values line: walk both in step. */
		{
			char *s1 = NULL, *s2 = NULL, *k, *v;

			k = strtok_r(names + strlen(hdr), " ", &s1);
			v = strtok_r(line + strlen(hdr), " ", &s2);
			while (k != NULL && v != NULL) {
				if (strcmp(k, field) == 0)
					val = strtoll(v, NULL, 10);
				k = strtok_r(NULL, " ", &s1);
				v = strtok_r(NULL, " ", &s2);
			}
		}
		return val;
	}
	return val;
}

int64_t
rtu_ns_counter_wait(const char *ns, const char *file, const char *proto, const char *field,
		    int64_t want, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	int64_t v;

	for (;;) {
		v = rtu_ns_counter(ns, file, proto, field);
		if (v >= want || rtu_now_ms() >= deadline)
			return v;
		/* Polling kernel state, not synchronising with our own code. */
		poll(NULL, 0, 2);
	}
}

/* ip:port as a socket address of the family ip is written in; the family or -EINVAL. */
static int
sockaddr_of(const char *ip, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	printf("  %s is no IP address\n", ip);
	return -EINVAL;
}

/* Closes fd and returns -errno of the call that failed before. */
static int
close_failed(int fd)
{
	int ret = -errno;

	close(fd);
	return ret;
}

/* A socket in ns of the family of ip, and ip:port in ss. */
static int
ns_socket_for(const char *ns, const char *ip, uint16_t port, int type, struct sockaddr_storage *ss,
	      socklen_t *len)
{
	int family = sockaddr_of(ip, port, ss, len);

	if (family < 0)
		return family;
	return ns_socket(ns, family, type, 0);
}

int
rtu_ns_udp_bind(const char *ns, const char *ip, uint16_t port, unsigned int timeout_ms)
{
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = timeout_ms % 1000 * 1000 };
	struct sockaddr_storage ss;
	int fd, size = 4 << 20;
	socklen_t len;

	fd = ns_socket_for(ns, ip, port, SOCK_DGRAM, &ss, &len);
	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return close_failed(fd);
	return fd;
}

int
rtu_ns_udp_send(const char *ns, const char *ip, uint16_t port, const void *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	ssize_t n;
	int fd;

	fd = ns_socket_for(ns, ip, port, SOCK_DGRAM, &ss, &slen);
	if (fd < 0)
		return fd;
	n = sendto(fd, data, len, 0, (struct sockaddr *)&ss, slen);
	if (n < 0)
		return close_failed(fd);
	if ((size_t)n != len) {
		close(fd);
		return -EMSGSIZE;
	}
	return fd;
}

int
rtu_ns_tcp_listen(const char *ns, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	fd = ns_socket_for(ns, ip, port, SOCK_STREAM | SOCK_NONBLOCK, &ss, &len);
	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1) < 0)
		return close_failed(fd);
	return fd;
}

int
rtu_ns_tcp_connect(const char *ns, const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	fd = ns_socket_for(ns, ip, port, SOCK_STREAM | SOCK_NONBLOCK, &ss, &len);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&ss, len) == 0) {
		close(fd);
		return -EISCONN;
	}
	if (errno != EINPROGRESS)
		return close_failed(fd);
	return fd;
}

/* R's end of the veth of rtu_topo_routed(), the gateway of S. */
#define TOPO_R_FWD_IP4 "10.77.2.1"
#define TOPO_R_FWD_IP6 "fd77:2::1"

static void
mac_str(const struct rte_ether_addr *mac, char *buf, size_t len)
{
	rte_ether_format_addr(buf, (uint16_t)len, mac);
}

int
rtu_topo_set_port_neigh(const struct rtu_topo *t)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	mac_str(&t->port_mac, mac, sizeof(mac));
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh replace " RTU_TOPO_PORT_IP4
				    " lladdr %s dev %s nud permanent",
				    t->ns_r, mac, t->port_if),
			    "neigh");
	if (t->flags & RTU_TOPO_IPV6)
		TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh replace " RTU_TOPO_PORT_IP6
					    " lladdr %s dev %s nud permanent",
					    t->ns_r, mac, t->port_if),
				    "neigh6");
	return TEST_SUCCESS;
}

bool
rtu_topo_has_port_neigh(const struct rtu_topo *t)
{
	return rtu_run("ip -n %s neigh show " RTU_TOPO_PORT_IP4
		       " dev %s nud permanent | grep -q lladdr",
		       t->ns_r, t->port_if) == 0;
}

/* S behind a veth from R, R forwarding, as drawn in the header. */
static int
topo_veth(struct rtu_topo *t)
{
	bool ipv6 = t->flags & RTU_TOPO_IPV6;
	struct rte_ether_addr veth_s_mac;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	const char *r = t->ns_r, *s;

	TEST_ASSERT_SUCCESS(ns_create(t->ns_s), "ip netns add %s", t->ns_s);
	t->made_s = true;
	s = t->ns_s;
	rtu_ifname(t->veth_r);
	rtu_ifname(t->veth_s);
	TEST_ASSERT_SUCCESS(rtu_run("ip link add %s netns %s type veth peer name %s netns %s",
				    t->veth_r, r, t->veth_s, s),
			    "veth");
	/* No checksum offload on the way out of R: the kernel finishes (and segments) it all. */
	TEST_ASSERT_SUCCESS(rtu_run("ip netns exec %s ethtool -K %s tx off", r, t->veth_r),
			    "ethtool -K %s tx off", t->veth_r);
	TEST_ASSERT_SUCCESS(rtu_run("ip netns exec %s sysctl -qw net.ipv4.ip_forward=1 "
				    "net.ipv6.conf.all.forwarding=%d",
				    r, ipv6 ? 1 : 0),
			    "forwarding");
	TEST_ASSERT_SUCCESS(rtu_run("ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=%d",
				    s, t->veth_s, ipv6 ? 0 : 1),
			    "sysctl in %s", s);
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " TOPO_R_FWD_IP4 "/24 dev %s", r, t->veth_r),
			    "addr");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " RTU_TOPO_S_IP4 "/24 dev %s", s, t->veth_s),
			    "addr");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s up", r, t->veth_r), "up");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s up", s, t->veth_s), "up");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s route add default via " TOPO_R_FWD_IP4, s), "route");
	TEST_ASSERT_SUCCESS(ns_if_get_mac(s, t->veth_s, &veth_s_mac), "MAC of %s", t->veth_s);
	mac_str(&veth_s_mac, mac, sizeof(mac));
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh replace " RTU_TOPO_S_IP4
				    " lladdr %s dev %s nud permanent",
				    r, mac, t->veth_r),
			    "neigh");
	if (ipv6) {
		TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " TOPO_R_FWD_IP6 "/64 dev %s nodad",
					    r, t->veth_r),
				    "addr6");
		TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " RTU_TOPO_S_IP6 "/64 dev %s nodad",
					    s, t->veth_s),
				    "addr6");
		TEST_ASSERT_SUCCESS(rtu_run("ip -n %s -6 route add default via " TOPO_R_FWD_IP6, s),
				    "route6");
		TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh replace " RTU_TOPO_S_IP6
					    " lladdr %s dev %s nud permanent",
					    r, mac, t->veth_r),
				    "neigh6");
	}
	return TEST_SUCCESS;
}

int
rtu_topo_routed(struct rtu_topo *t, const char *ifname, const struct rte_ether_addr *mac,
		unsigned int flags)
{
	bool ipv6 = flags & RTU_TOPO_IPV6;
	const char *r;

	memset(t, 0, sizeof(*t));
	t->flags = flags;
	snprintf(t->port_if, sizeof(t->port_if), "%s", ifname);
	rte_ether_addr_copy(mac, &t->port_mac);
	TEST_ASSERT_SUCCESS(ns_create(t->ns_r), "ip netns add %s", t->ns_r);
	t->made_r = true;
	r = t->ns_r;
	TEST_ASSERT_SUCCESS(ns_move_if(ifname, r), "move %s to %s", ifname, r);
	TEST_ASSERT_SUCCESS(rtu_run("ip netns exec %s sysctl -qw net.ipv6.conf.%s.disable_ipv6=%d "
				    "net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.%s.rp_filter=0",
				    r, ifname, ipv6 ? 0 : 1, ifname),
			    "sysctl in %s", r);
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " RTU_TOPO_R_IP4 "/24 dev %s", r, ifname),
			    "addr");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s up", r, ifname), "up");
	if (ipv6)
		TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " RTU_TOPO_R_IP6 "/64 dev %s nodad",
					    r, ifname),
				    "addr6");
	TEST_ASSERT_SUCCESS(rtu_topo_set_port_neigh(t), "neighbours of the port's side");
	if (!(flags & RTU_TOPO_VETH))
		return TEST_SUCCESS;
	return topo_veth(t);
}

int
rtu_topo_pair(struct rtu_topo *t, const char *if_a, const struct rte_ether_addr *mac_a,
	      const char *if_b, const struct rte_ether_addr *mac_b)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	memset(t, 0, sizeof(*t));
	TEST_ASSERT_SUCCESS(ns_create(t->ns_r), "netns");
	t->made_r = true;
	TEST_ASSERT_SUCCESS(ns_create(t->ns_s), "netns");
	t->made_s = true;
	TEST_ASSERT_SUCCESS(ns_move_if(if_a, t->ns_r), "move");
	TEST_ASSERT_SUCCESS(ns_move_if(if_b, t->ns_s), "move");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " RTU_TOPO_A_IP4 "/24 dev %s", t->ns_r,
				    if_a),
			    "addr");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s addr add " RTU_TOPO_B_IP4 "/24 dev %s", t->ns_s,
				    if_b),
			    "addr");
	mac_str(mac_b, mac, sizeof(mac));
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh replace " RTU_TOPO_B_IP4
				    " lladdr %s dev %s nud permanent",
				    t->ns_r, mac, if_a),
			    "neigh");
	mac_str(mac_a, mac, sizeof(mac));
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s neigh replace " RTU_TOPO_A_IP4
				    " lladdr %s dev %s nud permanent",
				    t->ns_s, mac, if_b),
			    "neigh");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s up", t->ns_r, if_a), "up");
	TEST_ASSERT_SUCCESS(rtu_run("ip -n %s link set %s up", t->ns_s, if_b), "up");
	return TEST_SUCCESS;
}

void
rtu_topo_destroy(struct rtu_topo *t)
{
	if (t->made_s)
		ns_delete(t->ns_s);
	if (t->made_r)
		ns_delete(t->ns_r);
	t->made_r = t->made_s = false;
}

bool
rtu_tx_async(void)
{
	const char *common = getenv("RTAP_TEST_DEVARGS");

	return common != NULL && strstr(common, "io_mode=sqpoll") != NULL;
}
