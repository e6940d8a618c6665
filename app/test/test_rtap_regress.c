/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Regression tests for defects a code review found in the driver. Each case
 * names its defect. They use only the public ethdev/EAL API, the kernel side
 * of the TAP (ioctls, AF_PACKET, ip(8), sysfs, /proc) and log capture, so
 * they run unchanged against any implementation of the driver.
 *
 * test_restart_leftover_cancel may crash the process on a driver with the
 * defect it checks: it runs last.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <sys/socket.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_vxlan.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define RTAP_TEST_VNET_LEN ((int)sizeof(struct virtio_net_hdr))

/* The driver's documented bound on one-shot reads in flight per rx queue. */
#define RG_MAX_READS 32

static struct rtu_fixture fx;
static char kernel_if[IFNAMSIZ];  /* interface a case made itself */
static int tun_fd = -1;		  /* the case's own fd on a TAP it made */
static struct rtu_port bare_port; /* a port a case drives by hand */
static struct rte_mempool *bare_pool;
static uint16_t rg_nb_desc; /* ring size rg_fixture_setup() uses (0: the default) */

/* ---- helpers ---- */

/* rtu_fixture_setup() with extra devargs for the port. */
static int
rg_fixture_setup(struct rtu_fixture *f, uint16_t nb_queues, const struct rte_eth_conf *conf,
		 unsigned int rx_n, unsigned int tx_n, const char *devargs)
{
	static unsigned int pool_counter;
	char name[RTE_MEMPOOL_NAMESIZE];
	int ret;

	memset(f, 0, sizeof(*f));
	f->pkt_fd = -1;
	f->fds_before = rtu_count_fds();
	snprintf(name, sizeof(name), "rg_rx%u", pool_counter);
	f->rx_pool = rtu_pool_create(name, rx_n, RTE_MBUF_DEFAULT_DATAROOM);
	snprintf(name, sizeof(name), "rg_tx%u", pool_counter++);
	f->tx_pool = rtu_pool_create(name, tx_n, RTE_MBUF_DEFAULT_DATAROOM);
	if (f->rx_pool == NULL || f->tx_pool == NULL)
		return TEST_FAILED;
	f->peer = (struct rte_ether_addr){ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
	ret = rtu_port_probe(&f->port, devargs);
	if (ret != 0) {
		printf("  rte_vdev_init(%s, iface=%s,%s): %s\n", f->port.vdev, f->port.ifname,
		       devargs != NULL ? devargs : "", strerror(-ret));
		return TEST_FAILED;
	}
	if (rtu_port_setup(&f->port, nb_queues, conf, f->rx_pool, rg_nb_desc) != 0)
		return TEST_FAILED;
	if (rtu_port_start(&f->port) != 0)
		return TEST_FAILED;
	if (rtu_port_mac(&f->port, &f->mac) != 0)
		return TEST_FAILED;
	f->pkt_fd = rtu_pkt_open(f->port.ifname, RTU_ETHERTYPE);
	if (f->pkt_fd < 0) {
		printf("  AF_PACKET socket on %s: %s\n", f->port.ifname, strerror(-f->pkt_fd));
		return TEST_FAILED;
	}
	return TEST_SUCCESS;
}

static int
bare_setup(void)
{
	return TEST_SUCCESS;
}

static void
rg_teardown(void)
{
	rtu_fixture_finish(&fx);
	rg_nb_desc = 0;
	if (bare_port.probed) {
		if (bare_port.started)
			rte_eth_dev_stop(bare_port.port_id);
		rte_eth_dev_close(bare_port.port_id);
		rte_vdev_uninit(bare_port.vdev);
		bare_port.probed = false;
		bare_port.started = false;
	}
	rte_mempool_free(bare_pool);
	bare_pool = NULL;
	if (tun_fd >= 0) {
		ioctl(tun_fd, TUNSETPERSIST, 0UL);
		close(tun_fd);
		tun_fd = -1;
		if (kernel_if[0] != '\0')
			rtu_if_wait_gone(kernel_if, 2000);
	}
	if (kernel_if[0] != '\0' && rtu_if_exists(kernel_if))
		rtu_run("ip link del %s", kernel_if);
	kernel_if[0] = '\0';
}

/* Stops, closes and removes a port driven by hand; its interface may stay. */
static void
bare_port_remove(struct rtu_port *p)
{
	if (!p->probed)
		return;
	if (p->started)
		rte_eth_dev_stop(p->port_id);
	p->started = false;
	rte_eth_dev_close(p->port_id);
	rte_vdev_uninit(p->vdev);
	p->probed = false;
}

/* Log capture: everything EAL and the driver log goes to a memory stream. */
static FILE *cap_file;
static char *cap_buf;
static size_t cap_len;

static void
cap_begin(void)
{
	cap_buf = NULL;
	cap_len = 0;
	cap_file = open_memstream(&cap_buf, &cap_len);
	RTE_VERIFY(cap_file != NULL);
	rte_openlog_stream(cap_file);
}

/* Ends the capture; returns the text (free() it). */
static char *
cap_end(void)
{
	rte_openlog_stream(NULL);
	fclose(cap_file);
	cap_file = NULL;
	return cap_buf != NULL ? cap_buf : strdup("");
}

/* Length of the longest line of @text. */
static size_t
longest_line(const char *text)
{
	size_t best = 0;

	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);

		best = RTE_MAX(best, len);
		text += len + (nl != NULL);
	}
	return best;
}

/* This process's io_uring fds; returns how many (at most max). */
static int
iou_fds(int *fds, int max)
{
	char path[300], target[64];
	struct dirent *de;
	int n = 0;
	ssize_t len;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL && n < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, "anon_inode:[io_uring]") == 0)
			fds[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

/* A "Name:\tvalue" field of /proc/self/fdinfo/FD; -1 when absent. */
static int64_t
fdinfo_field(int fd, const char *name)
{
	char path[64], line[256];
	size_t nlen = strlen(name);
	int64_t val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
			val = strtoll(line + nlen + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return val;
}

static bool
int_in(const int *set, int n, int v)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/*
 * Sum of SqTail over the io_uring fds not in before[]: the requests ever
 * submitted to the rings the port made.
 */
static int64_t
new_rings_sq_tail(const int *before, int nb_before, int *nb_new)
{
	int fds[256], n, i;
	int64_t sum = 0;

	n = iou_fds(fds, RTE_DIM(fds));
	*nb_new = 0;
	for (i = 0; i < n; i++) {
		int64_t v;

		if (int_in(before, nb_before, fds[i]))
			continue;
		(*nb_new)++;
		v = fdinfo_field(fds[i], "SqTail");
		if (v > 0)
			sum += v;
	}
	return sum;
}

static int
count_sysfs_queues(const char *ifname, const char *prefix)
{
	char path[128];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Sends n test frames from the kernel side, seq first..first+n-1. */
static int
kernel_send(const struct rtu_fixture *f, uint32_t first, unsigned int n, size_t len)
{
	uint8_t frame[2048];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		rtu_frame_fill(frame, len, &f->mac, &f->peer, first + i);
		ret = rtu_pkt_send(f->pkt_fd, frame, len);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/*
 * Polls rx_burst on every queue until the frames with seq first..first+n-1
 * all arrived or timeout_ms; returns how many distinct ones did.
 */
static unsigned int
rx_wait_seqs(uint16_t port_id, uint16_t nb_queues, uint32_t first, unsigned int n,
	     unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	struct rte_mbuf *burst[RTU_BURST];
	static uint8_t seen[4096];
	unsigned int got = 0;
	uint16_t q, k, i;

	RTE_VERIFY(n <= RTE_DIM(seen));
	memset(seen, 0, n);
	while (got < n && rtu_now_ms() < deadline) {
		for (q = 0; q < nb_queues; q++) {
			k = rte_eth_rx_burst(port_id, q, burst, RTU_BURST);
			for (i = 0; i < k; i++) {
				int64_t s = rtu_mbuf_seq(burst[i]);

				if (s >= first && s < (int64_t)first + n && !seen[s - first]) {
					seen[s - first] = 1;
					got++;
				}
				rte_pktmbuf_free(burst[i]);
			}
		}
	}
	return got;
}

/* Polls the kernel counter until it reaches want or timeout_ms; returns its value. */
static uint64_t
wait_if_stat(const char *ifname, const char *stat, uint64_t want, unsigned int timeout_ms)
{
	uint64_t deadline = rtu_now_ms() + timeout_ms;
	uint64_t v = 0;

	for (;;) {
		if (rtu_if_stat(ifname, stat, &v) == 0 && v >= want)
			return v;
		if (rtu_now_ms() >= deadline)
			return v;
		usleep(1000);
	}
}

/* ---- cases ---- */

/*
 * Defect 2: reads are submitted from the control thread at queue start.
 * Expected: after rte_eth_dev_start and before any rx_burst, no request has
 * been submitted to any io_uring the port made (SqTail of every new ring in
 * /proc/self/fdinfo is 0); after the first rx_burst, reads are in flight.
 */
static int
test_no_submit_before_first_burst(void)
{
	int before[256], nb_before, nb_new;
	struct rte_mbuf *burst[RTU_BURST];
	int64_t sq;
	uint16_t n;

	nb_before = iou_fds(before, RTE_DIM(before));
	TEST_ASSERT(nb_before >= 0, "cannot list /proc/self/fd");
	if (rg_fixture_setup(&fx, 1, NULL, 1023, 511, NULL) != TEST_SUCCESS)
		return TEST_FAILED;

	sq = new_rings_sq_tail(before, nb_before, &nb_new);
	printf("  after start: %d new io_uring fds, %" PRId64 " requests submitted\n", nb_new, sq);
	TEST_ASSERT_EQUAL(sq, 0,
			  "%" PRId64 " requests submitted to the port's rings by rte_eth_dev_start "
			  "(the control thread), before any rx_burst",
			  sq);

	n = rte_eth_rx_burst(fx.port.port_id, 0, burst, RTU_BURST);
	rtu_free_bulk(burst, n);
	sq = new_rings_sq_tail(before, nb_before, &nb_new);
	printf("  after the first rx_burst: %d new io_uring fds, %" PRId64 " requests\n", nb_new,
	       sq);
	TEST_ASSERT(sq > 0, "no read in flight after the first rx_burst");
	return rtu_fixture_finish(&fx);
}

/* Traffic both ways on every queue of fx's port. */
static int
check_traffic(struct rtu_fixture *f, uint16_t nb_queues, uint32_t seq)
{
	uint8_t frame[128], buf[RTU_MAX_FRAME];
	struct rte_mbuf *m;
	unsigned int got;
	uint64_t deadline;
	uint16_t q;
	int64_t s;

	/* kernel -> port: frames spread over the queues by the kernel's flow hash. */
	TEST_ASSERT_SUCCESS(kernel_send(f, seq, 64, 128), "send from the kernel side");
	got = rx_wait_seqs(f->port.port_id, nb_queues, seq, 64, RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(got, 64u, "%u of 64 frames from the kernel arrived", got);

	/* port -> kernel, on each tx queue. */
	for (q = 0; q < nb_queues; q++) {
		rtu_pkt_drain(f->pkt_fd);
		rtu_frame_fill(frame, sizeof(frame), &f->peer, &f->mac, seq + 1000 + q);
		m = rtu_mbuf_from(f->tx_pool, frame, sizeof(frame), 1);
		TEST_ASSERT_NOT_NULL(m, "mbuf");
		TEST_ASSERT_EQUAL(rtu_tx_all(f->port.port_id, q, &m, 1, RTU_TIMEOUT_MS), 1u,
				  "tx queue %u took nothing", q);
		deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
		s = -1;
		while (s != seq + 1000 + q && rtu_now_ms() < deadline) {
			ssize_t len = rtu_pkt_recv(f->pkt_fd, buf, sizeof(buf), 100);

			if (len > 0)
				s = rtu_frame_seq(buf, len);
		}
		TEST_ASSERT_EQUAL(s, (int64_t)(seq + 1000 + q),
				  "frame sent on tx queue %u never reached the kernel", q);
	}
	return rtu_tx_reap_until_full(f->port.port_id, nb_queues, f->tx_pool, RTU_TIMEOUT_MS);
}

/*
 * Defect 3: under io_mode=sqpoll the fd of the ring whose kernel thread the
 * others share is never cleared when that ring exits; the next queue setup
 * attaches to a closed (or reused) fd. With 2 queue pairs, start/stop, then
 * set up the queues again (ring 0, the first, is released first) and
 * reconfigure: every setup must succeed and traffic must flow both ways.
 */
static int
test_sqpoll_resetup(void)
{
	uint16_t port, q;
	int ret;

	if (rg_fixture_setup(&fx, 2, NULL, 2047, 1023, "io_mode=sqpoll") != TEST_SUCCESS)
		return TEST_FAILED;
	port = fx.port.port_id;
	TEST_ASSERT_SUCCESS(check_traffic(&fx, 2, 0), "traffic before any re-setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	fx.port.started = false;

	/* Same configuration: ethdev releases each queue before setting it up again. */
	for (q = 0; q < 2; q++) {
		ret = rte_eth_rx_queue_setup(port, q, 512, SOCKET_ID_ANY, NULL, fx.rx_pool);
		TEST_ASSERT_SUCCESS(ret, "rx queue %u set up again after the first ring exited", q);
		ret = rte_eth_tx_queue_setup(port, q, 512, SOCKET_ID_ANY, NULL);
		TEST_ASSERT_SUCCESS(ret, "tx queue %u set up again", q);
	}
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start after re-setup");
	TEST_ASSERT_SUCCESS(check_traffic(&fx, 2, 2000), "traffic after re-setup");
	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
	fx.port.started = false;

	/* Down to one pair and back to two. */
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, NULL, fx.rx_pool, 0), "1 queue pair");
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 2, NULL, fx.rx_pool, 0),
			    "2 queue pairs again");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start after reconfigure");
	TEST_ASSERT_SUCCESS(check_traffic(&fx, 2, 4000), "traffic after reconfigure");
	return rtu_fixture_finish(&fx);
}

/* Hugepage heap bytes allocated, over every socket. */
static uint64_t
heap_allocated(void)
{
	struct rte_malloc_socket_stats st;
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/*
 * Defect 5 (memory): an rx queue with nb_desc=4096 and
 * RTE_ETH_RX_OFFLOAD_SCATTER allocates ~4 MiB of iovecs (nb_desc x 64
 * segments). The driver keeps at most 32 reads in flight, so the queue needs
 * iovecs for those only: its hugepage heap use must stay under 256 KiB.
 */
static int
test_rx_queue_memory(void)
{
	struct rte_eth_conf conf;
	uint64_t before, after;
	int ret;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	bare_pool = rtu_pool_create("rg_mem", 2047, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(bare_pool, "pool");
	TEST_ASSERT_SUCCESS(rtu_port_probe(&bare_port, NULL), "probe");
	TEST_ASSERT_SUCCESS(rte_eth_dev_configure(bare_port.port_id, 1, 1, &conf), "configure");
	before = heap_allocated();
	ret = rte_eth_rx_queue_setup(bare_port.port_id, 0, 4096, SOCKET_ID_ANY, NULL, bare_pool);
	after = heap_allocated();
	TEST_ASSERT_SUCCESS(ret, "rx queue with 4096 descriptors and scatter");
	printf("  rx queue setup (4096 desc, scatter): %" PRIu64 " bytes of hugepage heap\n",
	       after - before);
	TEST_ASSERT(after - before < 256 * 1024,
		    "one rx queue takes %" PRIu64 " KiB of hugepage memory",
		    (after - before) >> 10);
	bare_port_remove(&bare_port);
	return TEST_SUCCESS;
}

/*
 * Defect 5 (LRO): with RTE_ETH_RX_OFFLOAD_TCP_LRO one read is a chain for a
 * 64 KiB frame (~33 default mbufs). Refill asks for 32 reads' worth (~1056
 * mbufs) in one bulk allocation; from a 600-mbuf pool that always fails and
 * nothing is ever posted: rx stalls. Frames sent from the kernel must still
 * arrive.
 */
static int
test_lro_small_pool_rx(void)
{
	struct rte_eth_conf conf;
	unsigned int got;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_TCP_LRO;
	if (rg_fixture_setup(&fx, 1, &conf, 600, 511, NULL) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_SUCCESS(kernel_send(&fx, 0, 10, 100), "send");
	got = rx_wait_seqs(fx.port.port_id, 1, 0, 10, RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(got, 10u, "%u of 10 frames arrived with LRO and a 600-mbuf pool", got);
	return rtu_fixture_finish(&fx);
}

/*
 * Defect 5 (LRO, rx_nombuf): with the pool exhausted, each empty poll must
 * add at most the mbufs of one read to rx_nombuf. Bound: a poll that cannot
 * fill the next read stops there, so at most that read's mbufs count as
 * failed allocations. Here mbufs have 16 KiB of room, so one 64 KiB LRO
 * read takes 5 of them; a 100-mbuf pool holds 20 reads, fewer than the 32
 * the driver may keep in flight, so the pool is exhausted while the port
 * idles. The defect counts 32 per poll (the whole failed bulk request).
 */
static int
test_lro_nombuf_per_poll(void)
{
	const uint16_t room = 16384;
	const unsigned int polls = 200;
	uint16_t per_read =
		(RTE_IPV4_MAX_PKT_LEN + RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN + room) / room;
	struct rte_mbuf *burst[RTU_BURST];
	struct rte_eth_stats st0, st1;
	struct rte_eth_conf conf;
	unsigned int i, got;
	uint64_t grown;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_TCP_LRO;
	bare_pool = rtu_pool_create("rg_lro", 100, room);
	TEST_ASSERT_NOT_NULL(bare_pool, "pool");
	TEST_ASSERT_SUCCESS(rtu_port_probe(&bare_port, NULL), "probe");
	TEST_ASSERT_SUCCESS(rtu_port_setup(&bare_port, 1, &conf, bare_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&bare_port), "start");
	fx.peer = (struct rte_ether_addr){ { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
	TEST_ASSERT_SUCCESS(rtu_port_mac(&bare_port, &fx.mac), "mac");
	fx.pkt_fd = rtu_pkt_open(bare_port.ifname, RTU_ETHERTYPE);
	TEST_ASSERT(fx.pkt_fd >= 0, "AF_PACKET socket");

	/* Let the driver post what the pool allows. */
	for (i = 0; i < 10; i++) {
		uint16_t n = rte_eth_rx_burst(bare_port.port_id, 0, burst, RTU_BURST);

		rtu_free_bulk(burst, n);
	}
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(bare_port.port_id, &st0), "stats");
	for (i = 0; i < polls; i++) {
		uint16_t n = rte_eth_rx_burst(bare_port.port_id, 0, burst, RTU_BURST);

		rtu_free_bulk(burst, n);
	}
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(bare_port.port_id, &st1), "stats");
	grown = st1.rx_nombuf - st0.rx_nombuf;
	printf("  rx_nombuf grew by %" PRIu64 " over %u empty polls (%u mbufs per read)\n", grown,
	       polls, per_read);
	TEST_ASSERT(grown <= (uint64_t)polls * per_read,
		    "rx_nombuf grew by %" PRIu64 " in %u polls: more than one read (%u mbufs) "
		    "per poll",
		    grown, polls, per_read);

	/* And frames still arrive. */
	TEST_ASSERT_SUCCESS(kernel_send(&fx, 0, 10, 100), "send");
	got = rx_wait_seqs(bare_port.port_id, 1, 0, 10, RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(got, 10u, "%u of 10 frames arrived", got);
	close(fx.pkt_fd);
	fx.pkt_fd = -1;
	return TEST_SUCCESS;
}

/*
 * Defect 6: a failed rte_eth_dev_start leaves the interface administratively
 * up and/or queues attached. 2 pairs configured, pair 0 set up and only rx
 * queue 1: start must fail, and afterwards the interface must still be down
 * and have as many (attached) queues as before the start.
 */
static int
test_failed_start_leaves_nothing(void)
{
	struct rte_eth_conf conf;
	unsigned int flags = 0;
	int txq0, rxq0, txq1, rxq1, ret;
	uint16_t port;

	bare_pool = rtu_pool_create("rg_fs", 2047, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(bare_pool, "pool");
	TEST_ASSERT_SUCCESS(rtu_port_probe(&bare_port, NULL), "probe");
	port = bare_port.port_id;
	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT_SUCCESS(rte_eth_dev_configure(port, 2, 2, &conf), "configure");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, bare_pool),
			    "rx 0");
	TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL), "tx 0");
	TEST_ASSERT_SUCCESS(rte_eth_rx_queue_setup(port, 1, 512, SOCKET_ID_ANY, NULL, bare_pool),
			    "rx 1");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(bare_port.ifname, &flags), "flags");
	TEST_ASSERT(!(flags & IFF_UP), "interface up before the first start");
	txq0 = count_sysfs_queues(bare_port.ifname, "tx-");
	rxq0 = count_sysfs_queues(bare_port.ifname, "rx-");

	ret = rte_eth_dev_start(port);
	if (ret == 0)
		bare_port.started = true;
	TEST_ASSERT(ret != 0, "start succeeded with tx queue 1 not set up");

	TEST_ASSERT_SUCCESS(rtu_if_get_flags(bare_port.ifname, &flags), "flags");
	txq1 = count_sysfs_queues(bare_port.ifname, "tx-");
	rxq1 = count_sysfs_queues(bare_port.ifname, "rx-");
	printf("  after the failed start: %s, tx queues %d (before %d), rx queues %d (before %d)\n",
	       (flags & IFF_UP) ? "UP" : "down", txq1, txq0, rxq1, rxq0);
	TEST_ASSERT(!(flags & IFF_UP), "the failed start left %s administratively up",
		    bare_port.ifname);
	TEST_ASSERT(txq1 == txq0 && rxq1 == rxq0,
		    "the failed start left queues attached (tx %d -> %d, rx %d -> %d)", txq0, txq1,
		    rxq0, rxq1);

	/* And it recovers once the missing queue is there. */
	TEST_ASSERT_SUCCESS(rte_eth_tx_queue_setup(port, 1, 512, SOCKET_ID_ANY, NULL), "tx 1");
	TEST_ASSERT_SUCCESS(rtu_port_start(&bare_port), "start with every queue set up");
	bare_port_remove(&bare_port);
	TEST_ASSERT_SUCCESS(rtu_if_wait_gone(bare_port.ifname, 2000), "interface left behind");
	return TEST_SUCCESS;
}

/* A 400-byte IPv4/TCP frame at @l2_len with @ihl and @doff (32-bit words). */
static struct rte_mbuf *
hostile_tcp(struct rte_mempool *mp, const struct rtu_fixture *f, unsigned int l2_len,
	    unsigned int ihl, unsigned int doff)
{
	/*
	 * The IP and TCP headers are written in l3 and copied to @l2_len, which
	 * may be odd: struct rte_ipv4_hdr is 2-byte aligned since DPDK 24.11.
	 */
	uint8_t buf[400] __rte_aligned(8), l3[400] __rte_aligned(8);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(l3 + ihl * 4);

	memset(buf, 0, sizeof(buf));
	memset(l3, 0, sizeof(l3));
	rte_ether_addr_copy(&f->peer, &eth->dst_addr);
	rte_ether_addr_copy(&f->mac, &eth->src_addr);
	eth->ether_type =
		rte_cpu_to_be_16(l2_len == RTE_ETHER_HDR_LEN ? RTE_ETHER_TYPE_IPV4 : RTU_ETHERTYPE);
	ip->version_ihl = 0x40 | ihl;
	ip->total_length = rte_cpu_to_be_16(sizeof(buf) - l2_len);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 2));
	tcp->src_port = rte_cpu_to_be_16(1000);
	tcp->dst_port = rte_cpu_to_be_16(2000);
	tcp->data_off = doff << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG;
	memcpy(buf + l2_len, l3, sizeof(buf) - l2_len);
	return rtu_mbuf_from(mp, buf, sizeof(buf), 1);
}

/*
 * rte_eth_tx_prepare() on one packet: if it accepts, rte_eth_tx_burst must
 * send it (opackets + 1, oerrors unchanged); if it refuses, rte_errno is set.
 */
static int
prepare_then_send(struct rtu_fixture *f, struct rte_mbuf *m, const char *what, bool shared)
{
	struct rte_eth_stats st0, st1;
	uint16_t port = f->port.port_id;
	uint16_t ok;

	rte_errno = 0;
	ok = rte_eth_tx_prepare(port, 0, &m, 1);
	if (ok == 0) {
		printf("  %s: refused by tx_prepare (%s)\n", what, rte_strerror(rte_errno));
		rte_pktmbuf_free(m);
		if (shared)
			rte_pktmbuf_free(m);
		TEST_ASSERT(rte_errno != 0, "%s: tx_prepare refused it without rte_errno", what);
		return TEST_SUCCESS;
	}
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st0), "stats");
	TEST_ASSERT_EQUAL(rtu_tx_all(port, 0, &m, 1, RTU_TIMEOUT_MS), 1u,
			  "%s: tx_burst took nothing", what);
	if (shared)
		rte_pktmbuf_free(m); /* our reference */
	rtu_tx_reap_until_full(port, 1, f->tx_pool, RTU_TIMEOUT_MS);
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st1), "stats");
	printf("  %s: accepted by tx_prepare; tx_burst: opackets +%" PRIu64 ", oerrors +%" PRIu64
	       "\n",
	       what, st1.opackets - st0.opackets, st1.oerrors - st0.oerrors);
	TEST_ASSERT_EQUAL(st1.oerrors, st0.oerrors,
			  "%s: tx_prepare accepted the packet, tx_burst dropped it", what);
	TEST_ASSERT_EQUAL(st1.opackets, st0.opackets + 1, "%s: not sent", what);
	return TEST_SUCCESS;
}

/*
 * Defect 7: tx_prepare approves packets tx_burst then drops (counted in
 * oerrors). For each hostile mbuf, either prepare refuses it (rte_errno set)
 * or tx_burst sends it.
 */
static int
test_tx_prepare_agrees_with_burst(void)
{
	struct rte_eth_conf conf;
	struct rte_mbuf *m;
	int failed = 0;

	memset(&conf, 0, sizeof(conf));
	conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_TCP_CKSUM |
		RTE_ETH_TX_OFFLOAD_TCP_TSO | RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (rg_fixture_setup(&fx, 1, &conf, 1023, 511, NULL) != TEST_SUCCESS)
		return TEST_FAILED;

	/* Tunnel flags with TSO: outer Ethernet/IPv4/UDP/VXLAN, inner Ethernet/IPv4/TCP. */
	m = hostile_tcp(fx.tx_pool, &fx, RTE_ETHER_HDR_LEN, 5, 5);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	m->ol_flags = RTE_MBUF_F_TX_TUNNEL_VXLAN | RTE_MBUF_F_TX_OUTER_IPV4 |
		RTE_MBUF_F_TX_TCP_SEG | RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	m->outer_l2_len = RTE_ETHER_HDR_LEN;
	m->outer_l3_len = 20;
	m->l2_len = 8 + 8 + RTE_ETHER_HDR_LEN;
	m->l3_len = 20;
	m->l4_len = 20;
	m->tso_segsz = 100;
	if (prepare_then_send(&fx, m, "tunnel + TSO", false) != TEST_SUCCESS)
		failed++;

	/* 247 bytes of headers on a shared mbuf, with an IPv4 checksum request. */
	m = hostile_tcp(fx.tx_pool, &fx, 127, 15, 15);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	m->l2_len = 127;
	m->l3_len = 60;
	m->l4_len = 60;
	rte_mbuf_refcnt_update(m, 1);
	if (prepare_then_send(&fx, m, "247-byte headers, refcnt 2, IP checksum", true) !=
	    TEST_SUCCESS)
		failed++;

	/* RTE_MBUF_F_TX_IP_CKSUM without RTE_MBUF_F_TX_IPV4. */
	m = hostile_tcp(fx.tx_pool, &fx, RTE_ETHER_HDR_LEN, 5, 5);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	m->ol_flags = RTE_MBUF_F_TX_IP_CKSUM;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = 20;
	if (prepare_then_send(&fx, m, "IP checksum without IPV4", false) != TEST_SUCCESS)
		failed++;

	/* L4 checksum request with l3_len 0. */
	m = hostile_tcp(fx.tx_pool, &fx, RTE_ETHER_HDR_LEN, 5, 5);
	TEST_ASSERT_NOT_NULL(m, "mbuf");
	m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
	m->l2_len = RTE_ETHER_HDR_LEN;
	m->l3_len = 0;
	m->l4_len = 20;
	if (prepare_then_send(&fx, m, "TCP checksum with l3_len 0", false) != TEST_SUCCESS)
		failed++;

	TEST_ASSERT_EQUAL(failed, 0, "%d of 4 hostile packets accepted by tx_prepare and dropped",
			  failed);
	return rtu_fixture_finish(&fx);
}

/* Worker of the stats reset race: transmits as fast as it can until told to stop. */
struct race_ctx {
	uint16_t port_id;
	struct rte_mempool *mp;
	struct rte_ether_addr src, dst;
	atomic_bool stop;
	atomic_uint_fast64_t sent; /* packets tx_burst accepted, published after each burst */
};

#define RACE_BURST 4
#define RACE_DESC  32

static int
race_worker(void *arg)
{
	struct race_ctx *c = arg;
	struct rte_mbuf *pkts[RACE_BURST];
	uint8_t frame[64];
	uint16_t i, n;

	rtu_frame_fill(frame, sizeof(frame), &c->dst, &c->src, 0);
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		if (rte_pktmbuf_alloc_bulk(c->mp, pkts, RACE_BURST) != 0) {
			rte_eth_tx_done_cleanup(c->port_id, 0, 0);
			continue;
		}
		for (i = 0; i < RACE_BURST; i++)
			memcpy(rte_pktmbuf_append(pkts[i], sizeof(frame)), frame, sizeof(frame));
		n = rte_eth_tx_burst(c->port_id, 0, pkts, RACE_BURST);
		rtu_free_bulk(pkts + n, RACE_BURST - n);
		atomic_fetch_add_explicit(&c->sent, n, memory_order_release);
	}
	return 0;
}

/*
 * Defect 8: rte_eth_stats_reset races the lcore's counter updates (a plain
 * memset against the lcore's read-modify-write): the lcore writes back the
 * pre-reset total. A worker lcore transmits at full rate while the main lcore
 * lets opackets grow well past the ring size, resets, and reads the stats at
 * once. Whatever opackets shows then was counted after the reset, so it is at
 * most what tx_burst accepted between just before the reset and just after
 * the read, plus two bursts (in progress at either end) and the ring size
 * (completions still pending at the reset): a bound by counts, not by time.
 * The counters grow to 16 ring sizes between resets. Repeated for up to 10 s.
 */
static int
test_stats_reset_race(void)
{
	const uint64_t grow_to = 16 * RACE_DESC;
	struct race_ctx *c;
	struct rte_eth_stats st;
	uint64_t deadline, trials = 0, bad = 0, s0, s1, bound = 0, seen = 0;
	unsigned int worker;
	int ret;

	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE)
		TEST_SKIP("needs a worker lcore (-l 0-1)");
	rg_nb_desc = RACE_DESC;
	if (rg_fixture_setup(&fx, 1, NULL, 1023, 1023, NULL) != TEST_SUCCESS)
		return TEST_FAILED;
	c = calloc(1, sizeof(*c));
	TEST_ASSERT_NOT_NULL(c, "calloc");
	c->port_id = fx.port.port_id;
	c->mp = fx.tx_pool;
	c->src = fx.mac;
	c->dst = fx.peer;
	ret = rte_eal_remote_launch(race_worker, c, worker);
	if (ret != 0) {
		free(c);
		TEST_ASSERT_SUCCESS(ret, "rte_eal_remote_launch");
	}

	deadline = rtu_now_ms() + 10000;
	while (rtu_now_ms() < deadline && bad == 0) {
		/* Let the counters grow far beyond any legitimate post-reset value. */
		do {
			rte_eth_stats_get(c->port_id, &st);
		} while (st.opackets < grow_to && rtu_now_ms() < deadline);
		if (st.opackets < grow_to)
			break;
		s0 = atomic_load_explicit(&c->sent, memory_order_acquire);
		rte_eth_stats_reset(c->port_id);
		rte_eth_stats_get(c->port_id, &st);
		s1 = atomic_load_explicit(&c->sent, memory_order_acquire);
		trials++;
		bound = s1 - s0 + 2 * RACE_BURST + RACE_DESC;
		if (st.opackets > bound) {
			bad++;
			seen = st.opackets;
		}
	}
	atomic_store(&c->stop, true);
	rte_eal_wait_lcore(worker);
	printf("  %" PRIu64 " resets under load\n", trials);
	free(c);
	TEST_ASSERT(trials > 0, "opackets never reached %" PRIu64 " in 10 s", grow_to);
	TEST_ASSERT_EQUAL(bad, 0,
			  "after rte_eth_stats_reset opackets read %" PRIu64
			  ", more than the %" PRIu64 " sent since: the reset was undone",
			  seen, bound);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "tx mbufs not returned");
	return rtu_fixture_finish(&fx);
}

/*
 * Defect 9: rte_eth_tx_done_cleanup ignores free_cnt. Under io_mode=sqpoll
 * the kernel thread completes writes after tx_burst returns: with N of them
 * completed (the kernel received them) and not yet reaped,
 * tx_done_cleanup(port, 0, 1) must free at most 1; polling
 * tx_done_cleanup(port, 0, 0) must then free everything (deadline).
 */
static int
test_tx_done_cleanup_free_cnt(void)
{
	const unsigned int n = 32;
	struct rte_mbuf *pkts[32];
	uint8_t frame[64];
	unsigned int i, attempt, pending = 0, after;
	uint64_t base = 0, deadline;
	int ret = 0;

	if (rg_fixture_setup(&fx, 1, NULL, 1023, 511, "io_mode=sqpoll") != TEST_SUCCESS)
		return TEST_FAILED;
	rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, 1);
	for (attempt = 0; attempt < 20 && pending < 2; attempt++) {
		TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool,
							   RTU_TIMEOUT_MS),
				    "tx pool not full");
		TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "rx_packets", &base), "stat");
		for (i = 0; i < n; i++) {
			pkts[i] = rtu_mbuf_from(fx.tx_pool, frame, sizeof(frame), 1);
			TEST_ASSERT_NOT_NULL(pkts[i], "mbuf");
		}
		TEST_ASSERT_EQUAL(rtu_tx_all(fx.port.port_id, 0, pkts, n, RTU_TIMEOUT_MS), n,
				  "tx_burst");
		/* The kernel counts each frame as it takes it: the write has completed. */
		TEST_ASSERT(wait_if_stat(fx.port.ifname, "rx_packets", base + n, RTU_TIMEOUT_MS) >=
				    base + n,
			    "the kernel did not receive the %u frames", n);
		pending = rtu_mempool_in_use(fx.tx_pool);
	}
	if (pending < 2)
		TEST_SKIP("tx_burst reaped every completion itself in 20 tries");

	ret = rte_eth_tx_done_cleanup(fx.port.port_id, 0, 1);
	after = rtu_mempool_in_use(fx.tx_pool);
	printf("  %u completed writes pending; tx_done_cleanup(free_cnt 1) returned %d and freed "
	       "%u mbufs\n",
	       pending, ret, pending - after);
	TEST_ASSERT(ret >= 0 && ret <= 1, "tx_done_cleanup(free_cnt 1) returned %d", ret);
	TEST_ASSERT(pending - after <= 1, "tx_done_cleanup(free_cnt 1) freed %u mbufs",
		    pending - after);

	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (!rte_mempool_full(fx.tx_pool) && rtu_now_ms() < deadline)
		rte_eth_tx_done_cleanup(fx.port.port_id, 0, 0);
	TEST_ASSERT(rte_mempool_full(fx.tx_pool),
		    "%u mbufs still held after polling tx_done_cleanup(0) under sqpoll",
		    rtu_mempool_in_use(fx.tx_pool));
	return rtu_fixture_finish(&fx);
}

/*
 * Defect 10: the virtio-net header byte order is assumed. A persistent TAP
 * made here with TUNSETVNETLE 0 (and TUNSETVNETBE 1 where the kernel has
 * it), then taken by the port: the driver must pin little-endian headers
 * (TUNGETVNETLE 1, TUNGETVNETBE 0).
 */
static int
test_vnet_hdr_byte_order(void)
{
	struct ifreq ifr;
	int le = 0, be = 1, got;
	bool has_be;
	char args[64];

	rtu_ifname(kernel_if);
	tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(tun_fd >= 0, "open /dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", kernel_if);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR;
	TEST_ASSERT(ioctl(tun_fd, TUNSETIFF, &ifr) == 0, "TUNSETIFF: %s", strerror(errno));
	TEST_ASSERT(ioctl(tun_fd, TUNSETPERSIST, 1UL) == 0, "TUNSETPERSIST: %s", strerror(errno));
	TEST_ASSERT(ioctl(tun_fd, TUNSETVNETLE, &le) == 0, "TUNSETVNETLE 0: %s", strerror(errno));
	has_be = ioctl(tun_fd, TUNSETVNETBE, &be) == 0;
	printf("  TUNSETVNETBE 1 %s\n", has_be ? "accepted" : "not supported by this kernel");
	rtu_if_disable_ipv6(kernel_if);

	bare_pool = rtu_pool_create("rg_le", 1023, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(bare_pool, "pool");
	snprintf(args, sizeof(args), "iface=%s", kernel_if);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&bare_port, args), "probe %s", args);
	TEST_ASSERT_SUCCESS(rtu_port_setup(&bare_port, 1, NULL, bare_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&bare_port), "start");

	got = -1;
	TEST_ASSERT(ioctl(tun_fd, TUNGETVNETLE, &got) == 0, "TUNGETVNETLE: %s", strerror(errno));
	printf("  with the port started: TUNGETVNETLE %d\n", got);
	TEST_ASSERT_EQUAL(got, 1, "the port runs with vnet LE %d (header byte order not pinned)",
			  got);
	if (has_be) {
		got = -1;
		TEST_ASSERT(ioctl(tun_fd, TUNGETVNETBE, &got) == 0, "TUNGETVNETBE: %s",
			    strerror(errno));
		TEST_ASSERT_EQUAL(got, 0, "the port runs with vnet BE %d", got);
	}
	bare_port_remove(&bare_port);
	return TEST_SUCCESS;
}

/*
 * Defect 11: after "ip link del" of a running port's interface, imissed falls
 * back to 0 (the kernel counters cannot be read any more). With txqueuelen=1
 * and frames sent while nobody polls, imissed > 0; it must read the same
 * after the interface is deleted from the kernel side.
 */
static int
test_imissed_after_link_del(void)
{
	struct rte_eth_stats st;
	uint64_t deadline, missed;

	if (rg_fixture_setup(&fx, 1, NULL, 1023, 511, "txqueuelen=1") != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_SUCCESS(kernel_send(&fx, 0, 300, 60), "send");
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	do {
		TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
	} while (st.imissed == 0 && rtu_now_ms() < deadline);
	TEST_ASSERT(st.imissed > 0, "no imissed with txqueuelen=1 and 300 frames not polled");
	/* Frames may still be dropped in flight: read until it is stable between two reads. */
	do {
		missed = st.imissed;
		TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats");
	} while (st.imissed != missed);
	printf("  imissed %" PRIu64 " before ip link del\n", missed);

	TEST_ASSERT_EQUAL(rtu_run("ip link del %s", fx.port.ifname), 0, "ip link del");
	TEST_ASSERT_SUCCESS(rtu_if_wait_gone(fx.port.ifname, RTU_TIMEOUT_MS), "still there");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats after link del");
	printf("  imissed %" PRIu64 " after ip link del\n", st.imissed);
	TEST_ASSERT_EQUAL(st.imissed, missed, "imissed %" PRIu64 " before, %" PRIu64 " after",
			  missed, st.imissed);
	close(fx.pkt_fd);
	fx.pkt_fd = -1;
	return rtu_fixture_finish(&fx);
}

/*
 * Review defect: after ip link del, stopping the port detached its queues
 * with TUNSETQUEUE, which the kernel answers EINVAL (not EBADFD) for a
 * deleted interface: every stop logged a failure that is not one. The stop
 * must be quiet and the port must still close cleanly.
 */
static int
test_stop_after_link_del_is_quiet(void)
{
	char *log;
	bool noisy;

	if (rg_fixture_setup(&fx, 2, NULL, 2047, 511, NULL) != TEST_SUCCESS)
		return TEST_FAILED;
	TEST_ASSERT_EQUAL(rtu_run("ip link del %s", fx.port.ifname), 0, "ip link del");
	TEST_ASSERT_SUCCESS(rtu_if_wait_gone(fx.port.ifname, RTU_TIMEOUT_MS), "still there");
	cap_begin();
	rte_eth_dev_stop(fx.port.port_id);
	log = cap_end();
	noisy = strstr(log, "TUNSETQUEUE") != NULL;
	if (noisy)
		printf("  stop logged:\n%s", log);
	free(log);
	fx.port.started = false;
	TEST_ASSERT(!noisy, "stopping a port whose interface is gone logged a TUNSETQUEUE failure");
	close(fx.pkt_fd);
	fx.pkt_fd = -1;
	return rtu_fixture_finish(&fx);
}

/*
 * rte_vdev_init(devargs) must fail, leaving no port, fd or interface; the log
 * it wrote is returned (free() it).
 */
static int
refuse(const char *devargs, char **log)
{
	struct rtu_iflist *before, *after;
	char vdev[RTE_DEV_NAME_MAX_LEN];
	static unsigned int n;
	uint16_t port_id;
	int fds, ret, diff;

	before = malloc(sizeof(*before));
	after = malloc(sizeof(*after));
	RTE_VERIFY(before != NULL && after != NULL);
	snprintf(vdev, sizeof(vdev), "%s%u", rtu_driver(), 950 + n++);
	fds = rtu_count_fds();
	rtu_iflist_get(before);
	cap_begin();
	ret = rte_vdev_init(vdev, devargs);
	*log = cap_end();
	if (ret == 0)
		rte_vdev_uninit(vdev);
	rtu_iflist_get(after);
	diff = rtu_iflist_compare(before, after);
	free(before);
	free(after);
	TEST_ASSERT(ret != 0, "\"%.60s\" accepted", devargs);
	TEST_ASSERT(rte_eth_dev_get_port_by_name(vdev, &port_id) != 0,
		    "\"%.60s\" refused but left port %u", devargs, port_id);
	TEST_ASSERT_EQUAL(rtu_count_fds(), fds, "\"%.60s\": %d fds before, %d after", devargs, fds,
			  rtu_count_fds());
	TEST_ASSERT_EQUAL(diff, 0, "\"%.60s\" changed the interface list", devargs);
	return TEST_SUCCESS;
}

/*
 * Defect 12: devargs. iface=x%d%d and iface=x% must be refused with a log
 * line about the name itself (not "taken by an interface that is not a
 * multi-queue TAP"); iface=x,,, must be refused; a 10,000-character value
 * must not be echoed whole (every log line under 512 characters). No
 * refusal leaves an fd or an interface behind.
 */
static int
test_devargs_names(void)
{
	static const char * const bad_names[] = { "rtx%d%d", "rtx%" };
	char args[64], *log = NULL, *big;
	unsigned int i;
	int failed = 0;

	for (i = 0; i < RTE_DIM(bad_names); i++) {
		snprintf(args, sizeof(args), "iface=%s", bad_names[i]);
		if (refuse(args, &log) != TEST_SUCCESS) {
			failed++;
		} else if (strstr(log, "multi-queue TAP") != NULL ||
			   strstr(log, bad_names[i]) == NULL) {
			printf("  %s: misleading or missing log:\n%s", args, log);
			failed++;
		} else {
			printf("  %s refused:\n%s", args, log);
		}
		free(log);
		log = NULL;
	}

	rtu_ifname(kernel_if);
	snprintf(args, sizeof(args), "iface=%s,,,", kernel_if);
	if (refuse(args, &log) != TEST_SUCCESS)
		failed++;
	free(log);
	log = NULL;
	if (rtu_if_exists(kernel_if))
		rtu_run("ip link del %s", kernel_if);
	kernel_if[0] = '\0';

	big = malloc(10000 + 8);
	TEST_ASSERT_NOT_NULL(big, "malloc");
	strcpy(big, "iface=");
	memset(big + 6, 'a', 10000);
	big[10006] = '\0';
	if (refuse(big, &log) != TEST_SUCCESS) {
		failed++;
	} else if (longest_line(log) >= 512) {
		printf("  a 10000-character iface: a log line of %zu characters\n",
		       longest_line(log));
		failed++;
	}
	free(log);
	free(big);
	TEST_ASSERT_EQUAL(failed, 0, "%d of 4 devargs checks failed", failed);
	return TEST_SUCCESS;
}

/*
 * Defect 13: QinQ. A frame with two VLAN tags (0x88a8 then 0x8100) and an L2
 * payload of exactly the MTU (1500) is 1522 bytes; the driver sizes reads for
 * one tag (1518), so with scattered 760-byte mbufs (two per read: 1520) it is
 * dropped as too big. It must arrive intact.
 *
 * Sent from the kernel side with AF_PACKET. A packet socket refuses frames
 * longer than MTU + Ethernet + one tag, unless it carries a virtio-net header
 * with a GSO type: so the frame is QinQ/IPv4/TCP behind a TCPV4 header whose
 * gso_size exceeds the payload, which the kernel then sends as a plain frame.
 */
static int
test_qinq_full_mtu(void)
{
	const uint16_t room = 760;
	uint8_t pkt[RTAP_TEST_VNET_LEN + 1522];
	uint8_t *frame = pkt + RTAP_TEST_VNET_LEN;
	uint8_t expect[1522];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)pkt;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(frame + 22);
	struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)(ip + 1);
	struct rte_mbuf *burst[RTU_BURST];
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	struct sockaddr_ll sll;
	unsigned int frames = 0, good = 0, i;
	uint64_t deadline;
	int fd, one = 1;
	ssize_t sent;
	uint16_t n, k;

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	bare_pool = rtu_pool_create("rg_qinq", 1023, room);
	TEST_ASSERT_NOT_NULL(bare_pool, "pool");
	TEST_ASSERT_SUCCESS(rtu_port_probe(&bare_port, NULL), "probe");
	TEST_ASSERT_SUCCESS(rtu_port_setup(&bare_port, 1, &conf, bare_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&bare_port), "start");
	TEST_ASSERT_SUCCESS(rtu_port_mac(&bare_port, &mac), "mac");

	memset(pkt, 0, sizeof(pkt));
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->gso_size = 60000; /* more than the payload: not segmented */
	memcpy(frame, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x01", RTE_ETHER_ADDR_LEN);
	frame[12] = 0x88;
	frame[13] = 0xa8;
	frame[15] = 100;
	frame[16] = 0x81;
	frame[17] = 0x00;
	frame[19] = 200;
	frame[20] = 0x08;
	frame[21] = 0x00;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(RTE_ETHER_MTU);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 1));
	ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198u, 18, 0, 2));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	tcp->src_port = rte_cpu_to_be_16(1000);
	tcp->dst_port = rte_cpu_to_be_16(2000);
	tcp->data_off = 5 << 4;
	tcp->tcp_flags = RTE_TCP_ACK_FLAG;
	for (i = 22 + 40; i < 1522; i++)
		frame[i] = (uint8_t)(i * 7);
	/*
	 * A partial checksum, which the kernel completes in software (the TAP
	 * takes no checksum offload): what arrives has the full one.
	 */
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = 22 + sizeof(*ip);
	vh->csum_offset = offsetof(struct rte_tcp_hdr, cksum);
	tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	memcpy(expect, frame, sizeof(expect));
	tcp->cksum = rte_ipv4_phdr_cksum(ip, 0);

	fd = rtu_pkt_open(bare_port.ifname, 0);
	TEST_ASSERT(fd >= 0, "AF_PACKET on %s", bare_port.ifname);
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
		close(fd);
		TEST_ASSERT(false, "PACKET_VNET_HDR: %s", strerror(errno));
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_QINQ);
	sll.sll_ifindex = rtu_if_index(bare_port.ifname);
	sll.sll_halen = RTE_ETHER_ADDR_LEN;
	memcpy(sll.sll_addr, mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	sent = sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sll, sizeof(sll));
	if (sent < 0)
		printf("  sendto: %s\n", strerror(errno));
	close(fd);
	TEST_ASSERT_EQUAL(sent, (ssize_t)sizeof(pkt), "the kernel did not send the QinQ frame");

	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (good == 0 && rtu_now_ms() < deadline) {
		n = rte_eth_rx_burst(bare_port.port_id, 0, burst, RTU_BURST);
		for (k = 0; k < n; k++) {
			frames++;
			if (burst[k]->pkt_len == 1522 &&
			    rtu_mbuf_compare(burst[k], expect, 1522) == 0)
				good++;
			rte_pktmbuf_free(burst[k]);
		}
	}
	if (good == 0) {
		struct rte_eth_stats st;

		rte_eth_stats_get(bare_port.port_id, &st);
		printf("  %u other frames; ierrors %" PRIu64 "\n", frames, st.ierrors);
	}
	TEST_ASSERT_EQUAL(good, 1u, "the 1522-byte QinQ frame did not arrive intact");
	bare_port_remove(&bare_port);
	return TEST_SUCCESS;
}

/*
 * Defect 14: rxmode.mtu 0 in rte_eth_dev_configure silently lowers an
 * existing interface's MTU. A TAP made with ip tuntap, MTU 9000, taken by the
 * port, configured with mtu 0 and scattered queues: the kernel MTU must
 * still be 9000 and rte_eth_dev_get_mtu must report 9000.
 */
static int
test_mtu_zero_keeps_interface_mtu(void)
{
	struct rte_eth_conf conf;
	uint16_t mtu = 0;
	int kmtu = 0;
	char args[64];

	rtu_ifname(kernel_if);
	TEST_ASSERT_EQUAL(rtu_run("ip tuntap add mode tap multi_queue vnet_hdr name %s", kernel_if),
			  0, "ip tuntap add");
	TEST_ASSERT_EQUAL(rtu_run("ip link set %s mtu 9000", kernel_if), 0, "mtu 9000");
	rtu_if_disable_ipv6(kernel_if);
	bare_pool = rtu_pool_create("rg_mtu", 2047, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(bare_pool, "pool");
	snprintf(args, sizeof(args), "iface=%s", kernel_if);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&bare_port, args), "probe %s", args);

	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = 0;
	conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER;
	TEST_ASSERT_SUCCESS(rtu_port_setup(&bare_port, 1, &conf, bare_pool, 0), "setup");
	TEST_ASSERT_SUCCESS(rtu_port_start(&bare_port), "start");
	TEST_ASSERT_SUCCESS(rtu_if_get_mtu(kernel_if, &kmtu), "kernel MTU");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(bare_port.port_id, &mtu), "get_mtu");
	printf("  kernel MTU %d, rte_eth_dev_get_mtu %u\n", kmtu, mtu);
	TEST_ASSERT_EQUAL(kmtu, 9000, "configure with mtu 0 changed the interface MTU to %d", kmtu);
	TEST_ASSERT_EQUAL(mtu, 9000, "rte_eth_dev_get_mtu reports %u", mtu);
	bare_port_remove(&bare_port);
	return TEST_SUCCESS;
}

/*
 * Defect 1 (critical): a leftover io_uring cancel completion survives the
 * queue drain when every read had completed before the cancel; after a
 * restart a burst takes it for slot 65535 (its user_data truncated) and
 * corrupts memory. Each round: the kernel sends more frames than the driver
 * keeps reads in flight while nobody polls (the reads complete and their
 * completions wait), stop, start, then frames must arrive with no rx error;
 * at the end every mbuf is back. In each io mode. A driver with the defect
 * may crash here.
 */
static int
restart_rounds(const char *devargs)
{
	struct rte_mbuf *burst[RTU_BURST];
	struct rte_eth_stats st;
	unsigned int round, got;
	uint64_t base, now;
	uint16_t port, n;

	if (rg_fixture_setup(&fx, 1, NULL, 2047, 511, devargs) != TEST_SUCCESS)
		return TEST_FAILED;
	port = fx.port.port_id;
	for (round = 0; round < 8; round++) {
		uint32_t seq = round * 1000;

		/* One poll so reads are in flight (a driver may post them only from rx_burst). */
		n = rte_eth_rx_burst(port, 0, burst, RTU_BURST);
		rtu_free_bulk(burst, n);
		TEST_ASSERT_SUCCESS(rtu_if_stat(fx.port.ifname, "tx_packets", &base), "stat");
		TEST_ASSERT_SUCCESS(kernel_send(&fx, seq, 2 * RG_MAX_READS, 60), "send");
		/* The kernel counts a frame when a read takes it. */
		now = wait_if_stat(fx.port.ifname, "tx_packets", base + RG_MAX_READS,
				   RTU_TIMEOUT_MS);
		TEST_ASSERT(now > base, "%s round %u: no read completed", devargs, round);
		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port), "stop");
		fx.port.started = false;
		TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");

		TEST_ASSERT_SUCCESS(kernel_send(&fx, seq + 500, 16, 60), "send");
		got = rx_wait_seqs(port, 1, seq + 500, 16, RTU_TIMEOUT_MS);
		TEST_ASSERT_SUCCESS(rte_eth_stats_get(port, &st), "stats");
		TEST_ASSERT_EQUAL(got, 16u, "%s round %u: %u of 16 frames after the restart",
				  devargs, round, got);
		TEST_ASSERT_EQUAL(st.ierrors, 0,
				  "%s round %u: %" PRIu64 " rx errors after the restart (a stale "
				  "completion taken for a read)",
				  devargs, round, st.ierrors);
	}
	return rtu_fixture_finish(&fx);
}

static int
test_restart_leftover_cancel(void)
{
	static const char * const modes[] = { "io_mode=coop", "io_mode=sqpoll" };
	unsigned int i;

	for (i = 0; i < RTE_DIM(modes); i++) {
		printf("  %s\n", modes[i]);
		TEST_ASSERT_SUCCESS(restart_rounds(modes[i]), "%s", modes[i]);
	}
	return TEST_SUCCESS;
}

/*
 * Defect 4 (secondary processes), the secondary's half; test/test_regress.py
 * runs it against a testpmd primary:
 *   dpdk-test-rtap --proc-type=secondary --file-prefix=P -- rtap_regress_secondary
 * A secondary has none of the primary's fds (its fd numbers mean other files
 * or nothing here): a control op such as MTU set must fail with an error
 * rather than act on whatever those numbers are in this process. The caller
 * checks the kernel MTU did not change.
 */
static int
secondary_setup(void)
{
	if (rte_eal_process_type() != RTE_PROC_SECONDARY)
		TEST_SKIP("run as a secondary of a process with a net_rtap port 0");
	return TEST_SUCCESS;
}

static int
test_secondary_mtu_refused(void)
{
	uint16_t port = RTE_MAX_ETHPORTS, p, mtu = 0;
	int ret;

	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p, &info) == 0 && info.driver_name != NULL &&
		    strstr(info.driver_name, "rtap") != NULL) {
			port = p;
			break;
		}
	}
	TEST_ASSERT(port != RTE_MAX_ETHPORTS, "no net_rtap port in the primary");
	TEST_ASSERT_SUCCESS(rte_eth_dev_get_mtu(port, &mtu), "get_mtu");
	ret = rte_eth_dev_set_mtu(port, mtu - 100);
	printf("  secondary: rte_eth_dev_set_mtu(%u, %u) returned %d\n", port, mtu - 100, ret);
	TEST_ASSERT(ret != 0, "a secondary set the MTU of port %u", port);
	return TEST_SUCCESS;
}

/*
 * Review finding: ethdev rewrites the shared queue arrays before it calls
 * dev_configure and the queue setup ops, so a secondary's refusal inside
 * those ops came too late: the primary's queues were gone. Both must fail
 * and leave the port as it was; the caller then starts it in the primary.
 */
static int
test_secondary_configure_refused(void)
{
	struct rte_eth_conf conf;
	struct rte_mempool *mp;
	uint16_t port = RTE_MAX_ETHPORTS, p;
	int ret;

	RTE_ETH_FOREACH_DEV(p) {
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p, &info) == 0 && info.driver_name != NULL &&
		    strstr(info.driver_name, "rtap") != NULL) {
			port = p;
			break;
		}
	}
	TEST_ASSERT(port != RTE_MAX_ETHPORTS, "no net_rtap port in the primary");
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	printf("  secondary: rte_eth_dev_configure(%u) returned %d\n", port, ret);
	TEST_ASSERT(ret != 0, "a secondary configured port %u", port);
	mp = rtu_pool_create("rg_sec", 1023, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	ret = rte_eth_rx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL, mp);
	printf("  secondary: rte_eth_rx_queue_setup(%u, 0) returned %d\n", port, ret);
	TEST_ASSERT(ret != 0, "a secondary set up rx queue 0 of port %u", port);
	ret = rte_eth_tx_queue_setup(port, 0, 512, SOCKET_ID_ANY, NULL);
	printf("  secondary: rte_eth_tx_queue_setup(%u, 0) returned %d\n", port, ret);
	TEST_ASSERT(ret != 0, "a secondary set up tx queue 0 of port %u", port);
	rte_mempool_free(mp);
	return TEST_SUCCESS;
}

static struct unit_test_suite secondary_suite = {
	.suite_name = "rtap regressions, secondary process",
	.setup = secondary_setup,
	.unit_test_cases = {
		TEST_CASE(test_secondary_mtu_refused),
		TEST_CASE(test_secondary_configure_refused),
		TEST_CASES_END(),
	},
};

static int
test_rtap_regress_secondary(void)
{
	return unit_test_suite_runner(&secondary_suite);
}

REGISTER_TEST_COMMAND(rtap_regress_secondary, test_rtap_regress_secondary);

static struct unit_test_suite regress_suite = {
	.suite_name = "rtap regressions",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(bare_setup, rg_teardown, test_no_submit_before_first_burst),
		TEST_CASE_ST(bare_setup, rg_teardown, test_sqpoll_resetup),
		TEST_CASE_ST(bare_setup, rg_teardown, test_rx_queue_memory),
		TEST_CASE_ST(bare_setup, rg_teardown, test_lro_small_pool_rx),
		TEST_CASE_ST(bare_setup, rg_teardown, test_lro_nombuf_per_poll),
		TEST_CASE_ST(bare_setup, rg_teardown, test_failed_start_leaves_nothing),
		TEST_CASE_ST(bare_setup, rg_teardown, test_tx_prepare_agrees_with_burst),
		TEST_CASE_ST(bare_setup, rg_teardown, test_stats_reset_race),
		TEST_CASE_ST(bare_setup, rg_teardown, test_tx_done_cleanup_free_cnt),
		TEST_CASE_ST(bare_setup, rg_teardown, test_vnet_hdr_byte_order),
		TEST_CASE_ST(bare_setup, rg_teardown, test_imissed_after_link_del),
		TEST_CASE_ST(bare_setup, rg_teardown, test_stop_after_link_del_is_quiet),
		TEST_CASE_ST(bare_setup, rg_teardown, test_devargs_names),
		TEST_CASE_ST(bare_setup, rg_teardown, test_qinq_full_mtu),
		TEST_CASE_ST(bare_setup, rg_teardown, test_mtu_zero_keeps_interface_mtu),
		TEST_CASE_ST(bare_setup, rg_teardown, test_restart_leftover_cancel),
		TEST_CASES_END(),
	},
};

static int
test_rtap_regress(void)
{
	return unit_test_suite_runner(&regress_suite);
}

REGISTER_TEST_COMMAND(rtap_regress_autotest, test_rtap_regress);
