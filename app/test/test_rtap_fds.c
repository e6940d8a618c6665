/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * fds=: queue fds a parent opened. The suite plays the parent: it opens the
 * queues of a multi-queue TAP itself and hands their numbers to the port,
 * which must use them as they are (every queue carries traffic, a
 * reconfigure keeps them), close them at close, and refuse what is not
 * one TAP's queues with nothing changed.
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>

#include "rtap_test.h"
#include "rtap_test_util.h"

#define NB_FDS	 3
#define NB_FLOWS 128
#define SPORT	 20000
#define DPORT	 4789

static struct rtu_port port;
static struct rte_mempool *pool;
static char tap[IFNAMSIZ], tap2[IFNAMSIZ];
static int qfd[NB_FDS + 1] = { -1, -1, -1, -1 };
static int other_fd = -1; /* a queue of another TAP */
static uint8_t frame[256];

/* Opens one queue of multi-queue TAP @name with @flags (created by the first). */
static int
tap_queue_open(const char *name, short flags)
{
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = flags;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

#define MQ_TAP (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR)

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int
fds_setup(void)
{
	unsigned int i;

	rtu_ifname(tap);
	for (i = 0; i < NB_FDS; i++) {
		qfd[i] = tap_queue_open(tap, MQ_TAP);
		TEST_ASSERT(qfd[i] >= 0, "queue %u of %s: %s", i, tap, strerror(-qfd[i]));
	}
	pool = rtu_pool_create("fds_pool", 2047, RTE_MBUF_DEFAULT_BUF_SIZE);
	TEST_ASSERT_NOT_NULL(pool, "mempool");
	return TEST_SUCCESS;
}

static void
fds_teardown(void)
{
	unsigned int i;

	rtu_port_destroy(&port);
	for (i = 0; i < RTE_DIM(qfd); i++) {
		if (qfd[i] >= 0 && fd_open(qfd[i]))
			close(qfd[i]);
		qfd[i] = -1;
	}
	if (other_fd >= 0)
		close(other_fd);
	other_fd = -1;
	/* Not persistent: the TAPs went with their last fds. */
	if (tap[0] != '\0' && rtu_if_wait_gone(tap, 2000) != 0)
		rtu_run("ip link del %s", tap);
	if (tap2[0] != '\0' && rtu_if_wait_gone(tap2, 2000) != 0)
		rtu_run("ip link del %s", tap2);
	tap[0] = tap2[0] = '\0';
	rte_mempool_free(pool);
	pool = NULL;
}

/* "fds=a:b:c" of the first @n of qfd[]. */
static void
fds_devargs(char *buf, size_t len, unsigned int n)
{
	size_t off = snprintf(buf, len, "fds=");
	unsigned int i;

	for (i = 0; i < n; i++)
		off += snprintf(buf + off, len - off, "%s%d", i ? ":" : "", qfd[i]);
}

/* Flows from the kernel reach every one of @nb_q queues; frames sent on each reach the kernel. */
static int
traffic_all_queues(uint16_t nb_q)
{
	struct rte_ether_addr mac, src = { { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0f } };
	unsigned int got[NB_FDS] = { 0 }, total = 0, f;
	struct rte_mbuf *burst[RTU_BURST];
	uint64_t deadline;
	uint16_t q, n;
	int sock, ret;

	TEST_ASSERT_SUCCESS(rtu_port_mac(&port, &mac), "mac");
	sock = rtu_pkt_open(tap, RTU_ETHERTYPE);
	TEST_ASSERT(sock >= 0, "AF_PACKET on %s: %s", tap, strerror(-sock));
	for (f = 0; f < NB_FLOWS; f++) {
		size_t len = rtu_frame_udp4(frame, 100, &mac, &src, SPORT + f, DPORT, f);

		ret = rtu_pkt_send(sock, frame, len);
		if (ret != 0) {
			close(sock);
			TEST_ASSERT(false, "send flow %u: %s", f, strerror(-ret));
		}
	}
	deadline = rtu_now_ms() + RTU_TIMEOUT_MS;
	while (total < NB_FLOWS && rtu_now_ms() < deadline) {
		for (q = 0; q < nb_q; q++) {
			n = rte_eth_rx_burst(port.port_id, q, burst, RTU_BURST);
			for (f = 0; f < n; f++)
				got[q] += rtu_udp4_seq(burst[f]) >= 0;
			total += n;
			rtu_free_bulk(burst, n);
		}
	}
	for (q = 0; q < nb_q; q++) {
		if (got[q] == 0) {
			close(sock);
			TEST_ASSERT(false, "queue %u of %u received none of %u flows (%u in all)",
				    q, nb_q, NB_FLOWS, total);
		}
	}
	rtu_pkt_drain(sock);
	/* and the other way, one frame per queue */
	for (q = 0; q < nb_q; q++) {
		uint8_t buf[256];
		struct rte_mbuf *m;
		ssize_t len;

		rtu_frame_fill(frame, 64, &src, &mac, 1000 + q);
		m = rtu_mbuf_from(pool, frame, 64, 1);
		if (m == NULL || rtu_tx_all(port.port_id, q, &m, 1, RTU_TIMEOUT_MS) != 1) {
			close(sock);
			TEST_ASSERT(false, "tx on queue %u", q);
		}
		do {
			len = rtu_pkt_recv(sock, buf, sizeof(buf), RTU_TIMEOUT_MS);
		} while (len > 0 && rtu_frame_seq(buf, (size_t)len) != 1000 + q);
		if (len <= 0) {
			close(sock);
			TEST_ASSERT(false, "the kernel never saw queue %u's frame", q);
		}
	}
	close(sock);
	return TEST_SUCCESS;
}

static int
restart(uint16_t nb_q)
{
	if (port.started) {
		TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port.port_id), "stop");
		port.started = false;
	}
	TEST_ASSERT_SUCCESS(rtu_port_setup(&port, nb_q, NULL, pool, 256), "%u queues", nb_q);
	TEST_ASSERT_SUCCESS(rtu_port_start(&port), "start with %u queues", nb_q);
	return TEST_SUCCESS;
}

/*
 * The port runs on the parent's fds, one left detached by the parent: each
 * queue carries traffic both ways; fewer queues and then as many again work
 * on the same fds; no more rx queues than fds; the port's close closes them
 * and, as they were the TAP's last, the TAP goes.
 */
static int
test_fds_inherited(void)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct ifreq ifr;
	char args[128];
	unsigned int i;
	int before;

	/* one queue detached by its opener, as a parent may leave it */
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_DETACH_QUEUE;
	TEST_ASSERT_SUCCESS(ioctl(qfd[1], TUNSETQUEUE, &ifr), "detach queue 1");
	before = rtu_count_fds();
	fds_devargs(args, sizeof(args), NB_FDS);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&port, args), "probe with %s", args);
	snprintf(port.ifname, sizeof(port.ifname), "%s", tap);
	/* a dup of the first for the keep-alive fd, nothing opened by name */
	TEST_ASSERT_EQUAL(rtu_count_fds(), before + 1 + 1, "%d fds after probe, %d before",
			  rtu_count_fds(), before);
	TEST_ASSERT_SUCCESS(rte_eth_dev_info_get(port.port_id, &info), "info");
	TEST_ASSERT_EQUAL((int)info.if_index, rtu_if_index(tap), "if_index %u, %s is %d",
			  info.if_index, tap, rtu_if_index(tap));
	TEST_ASSERT_EQUAL(info.max_rx_queues, NB_FDS, "max_rx_queues %u", info.max_rx_queues);

	TEST_ASSERT_SUCCESS(restart(NB_FDS), "start");
	TEST_ASSERT_SUCCESS(traffic_all_queues(NB_FDS), "%u queues", NB_FDS);
	TEST_ASSERT_SUCCESS(restart(1), "restart");
	for (i = 0; i < NB_FDS; i++)
		TEST_ASSERT(fd_open(qfd[i]), "fd %d closed with 1 queue configured", qfd[i]);
	TEST_ASSERT_SUCCESS(traffic_all_queues(1), "1 queue");
	TEST_ASSERT_SUCCESS(restart(NB_FDS), "restart");
	TEST_ASSERT_SUCCESS(traffic_all_queues(NB_FDS), "%u queues again", NB_FDS);

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(port.port_id), "stop");
	port.started = false;
	memset(&conf, 0, sizeof(conf));
	TEST_ASSERT(rte_eth_dev_configure(port.port_id, NB_FDS + 1, NB_FDS + 1, &conf) < 0,
		    "%u rx queues on %u fds", NB_FDS + 1, NB_FDS);

	/* a TAP of the suite's fds, not created by the port: rtu_port_destroy must not find it */
	port.ifname[0] = '\0';
	TEST_ASSERT_SUCCESS(rtu_port_destroy(&port), "close");
	for (i = 0; i < NB_FDS; i++) {
		TEST_ASSERT(!fd_open(qfd[i]), "fd %d open after close", qfd[i]);
		qfd[i] = -1;
	}
	TEST_ASSERT_EQUAL(rtu_count_fds(), before - NB_FDS, "%d fds after close, %d before",
			  rtu_count_fds(), before);
	TEST_ASSERT_SUCCESS(rtu_if_wait_gone(tap, RTU_TIMEOUT_MS), "%s outlived its fds", tap);
	tap[0] = '\0';
	return TEST_SUCCESS;
}

/* The one /dev/net/tun fd open here that the suite did not open: the port's keep-alive fd. */
static int
port_keep_fd(void)
{
	char path[64], target[64];
	int fd, found = -1;
	unsigned int i;
	ssize_t n;

	for (fd = 0; fd < 1024; fd++) {
		for (i = 0; i < RTE_DIM(qfd); i++)
			if (qfd[i] == fd)
				break;
		if (i < RTE_DIM(qfd) || fd == other_fd)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, "/dev/net/tun") == 0) {
			if (found >= 0)
				return -1;
			found = fd;
		}
	}
	return found;
}

/* The probe refuses @devargs; the fds are open and every interface is as it was. */
static int
refused(const char *devargs)
{
	struct rtu_iflist ifs_before, ifs_after;
	struct rtu_port p;
	unsigned int i;
	int before = rtu_count_fds();

	TEST_ASSERT_SUCCESS(rtu_iflist_get(&ifs_before), "if_nameindex");
	if (rtu_port_probe_raw(&p, devargs) == 0) {
		rtu_port_destroy(&p);
		TEST_ASSERT(false, "\"%s\" accepted", devargs);
	}
	if (p.probed)
		rte_vdev_uninit(p.vdev);
	TEST_ASSERT_EQUAL(rtu_count_fds(), before, "\"%s\": %d fds before, %d after", devargs,
			  before, rtu_count_fds());
	for (i = 0; i < RTE_DIM(qfd); i++)
		TEST_ASSERT(qfd[i] < 0 || fd_open(qfd[i]), "\"%s\" closed fd %d", devargs, qfd[i]);
	TEST_ASSERT_SUCCESS(rtu_iflist_get(&ifs_after), "if_nameindex");
	TEST_ASSERT_EQUAL(rtu_iflist_compare(&ifs_before, &ifs_after), 0,
			  "\"%s\" changed the interface list", devargs);
	return TEST_SUCCESS;
}

/* What is not a queue of one multi-queue TAP each is refused, nothing taken or changed. */
static int
test_fds_refused(void)
{
	static const char * const syntax[] = {
		"fds=",	   "fds",     "fds=:3",	  "fds=3:",  "fds=3::4",	"fds=-1",
		"fds=3:x", "fds=0x3", "fds=3:+4", "fds=3:3", "fds=99999999999",
	};
	char args[128];
	int pipefd[2], closed;
	unsigned int i;

	TEST_ASSERT_SUCCESS(pipe2(pipefd, O_CLOEXEC), "pipe");
	rtu_ifname(tap2);
	other_fd = tap_queue_open(tap2, MQ_TAP);
	TEST_ASSERT(other_fd >= 0, "TAP %s: %s", tap2, strerror(-other_fd));
	qfd[NB_FDS] = dup(qfd[0]);

	for (i = 0; i < RTE_DIM(syntax); i++)
		TEST_ASSERT_SUCCESS(refused(syntax[i]), "%s", syntax[i]);
	/* the number the next open would get: not open */
	closed = dup(pipefd[0]);
	close(closed);
	snprintf(args, sizeof(args), "fds=%d", closed);
	TEST_ASSERT_SUCCESS(refused(args), "a closed fd");
	snprintf(args, sizeof(args), "fds=%d", pipefd[0]);
	TEST_ASSERT_SUCCESS(refused(args), "a pipe");
	snprintf(args, sizeof(args), "fds=%d:%d", qfd[0], qfd[NB_FDS]);
	TEST_ASSERT_SUCCESS(refused(args), "a dup");
	snprintf(args, sizeof(args), "fds=%d:%d", qfd[0], other_fd);
	TEST_ASSERT_SUCCESS(refused(args), "two TAPs");
	snprintf(args, sizeof(args), "fds=%d,iface=%s", qfd[0], tap);
	TEST_ASSERT_SUCCESS(refused(args), "fds and iface");
	close(pipefd[0]);
	close(pipefd[1]);

	/* a single-queue TAP: the driver's flags are not its flags */
	close(other_fd);
	TEST_ASSERT_SUCCESS(rtu_if_wait_gone(tap2, RTU_TIMEOUT_MS), "%s", tap2);
	other_fd = tap_queue_open(tap2, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	TEST_ASSERT(other_fd >= 0, "single-queue TAP %s: %s", tap2, strerror(-other_fd));
	snprintf(args, sizeof(args), "fds=%d", other_fd);
	TEST_ASSERT_SUCCESS(refused(args), "a single-queue TAP");

	/* and after all that the fds still make a port */
	fds_devargs(args, sizeof(args), NB_FDS);
	TEST_ASSERT_SUCCESS(rtu_port_probe_raw(&port, args), "probe with %s", args);
	TEST_ASSERT_SUCCESS(restart(NB_FDS), "start");
	TEST_ASSERT_SUCCESS(traffic_all_queues(NB_FDS), "%u queues", NB_FDS);

	/* whose fds no second port may take, its queue fd or its keep-alive dup */
	snprintf(args, sizeof(args), "fds=%d", qfd[1]);
	TEST_ASSERT_SUCCESS(refused(args), "another port's queue fd");
	closed = port_keep_fd();
	TEST_ASSERT(closed >= 0, "no keep-alive fd of the port found");
	snprintf(args, sizeof(args), "fds=%d", closed);
	TEST_ASSERT_SUCCESS(refused(args), "another port's keep-alive fd");
	TEST_ASSERT_SUCCESS(traffic_all_queues(NB_FDS), "the first port after the refusals");
	return TEST_SUCCESS;
}

static struct unit_test_suite fds_suite = {
	.suite_name = "rtap fds",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(fds_setup, fds_teardown, test_fds_inherited),
		TEST_CASE_ST(fds_setup, fds_teardown, test_fds_refused),
		TEST_CASES_END(),
	},
};

static int
test_rtap_fds(void)
{
	if (!rtu_driver_is_rtap())
		return TEST_SKIPPED;
	return unit_test_suite_runner(&fds_suite);
}

REGISTER_TEST_COMMAND(rtap_fds_autotest, test_rtap_fds);
