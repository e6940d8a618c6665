/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/* Refused devargs and kernel-side failures: errors are reported, nothing leaks. */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/resource.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "rtap.h"
#include "rtap_test.h"
#include "rtap_test_util.h"

static struct rtu_fixture fx;
static struct rtu_iflist iflist_before, iflist_after;
static char kernel_if[IFNAMSIZ]; /* interface a case made with ip(8) */

static int
err_setup(void)
{
	return rtu_fixture_setup(&fx, 1, NULL, 1023, 511);
}

static int
bare_setup(void)
{
	return TEST_SUCCESS;
}

static void
err_teardown(void)
{
	rtu_fixture_finish(&fx);
	if (kernel_if[0] != '\0' && rtu_if_exists(kernel_if))
		rtu_run("ip link del %s", kernel_if);
	kernel_if[0] = '\0';
}

/* rte_vdev_init(devargs) must fail, leaving no port, fd or interface. */
static int
expect_probe_failure(const char *devargs)
{
	char vdev[RTE_DEV_NAME_MAX_LEN];
	static unsigned int n;
	uint16_t port_id;
	int fds, ret;

	snprintf(vdev, sizeof(vdev), "%s%u", rtu_driver(), 900 + n++);
	fds = rtu_count_fds();
	TEST_ASSERT_SUCCESS(rtu_iflist_get(&iflist_before), "if_nameindex");
	ret = rte_vdev_init(vdev, devargs);
	if (ret == 0) {
		rte_vdev_uninit(vdev);
		TEST_ASSERT(false, "\"%s\" accepted", devargs);
	}
	TEST_ASSERT(rte_eth_dev_get_port_by_name(vdev, &port_id) != 0,
		    "\"%s\" refused but left port %u", devargs, port_id);
	TEST_ASSERT_EQUAL(rtu_count_fds(), fds, "\"%s\": %d fds before, %d after", devargs, fds,
			  rtu_count_fds());
	TEST_ASSERT_SUCCESS(rtu_iflist_get(&iflist_after), "if_nameindex");
	TEST_ASSERT_EQUAL(rtu_iflist_compare(&iflist_before, &iflist_after), 0,
			  "\"%s\" changed the interface list", devargs);
	return TEST_SUCCESS;
}

static int
test_bad_devargs(void)
{
	static const char * const bad[] = {
		"foo=1",
		"iface=",
		"iface=rtu0123456789abcdef",
		"mac=zz:zz:zz:zz:zz:zz",
		"mac=01:02:03",
		"mac=02:00:00:00:00:01:02",
		"mac=",
		"mac=01:00:5e:00:00:01",
		"mac=ff:ff:ff:ff:ff:ff",
		"persist=2",
		"persist=yes",
		"txqueuelen=0",
		"txqueuelen=",
		"txqueuelen=-1",
		"txqueuelen=12x",
		"txqueuelen=1048577",
		"txqueuelen=99999999999999999999",
	};
	char ifname[IFNAMSIZ], args[128];
	unsigned int i;

	for (i = 0; i < RTE_DIM(bad); i++) {
		/* With a valid iface too, so only the bad key is to blame. */
		if (strncmp(bad[i], "iface=", 6) == 0) {
			snprintf(args, sizeof(args), "%s", bad[i]);
		} else {
			rtu_ifname(ifname);
			snprintf(args, sizeof(args), "iface=%s,%s", ifname, bad[i]);
		}
		TEST_ASSERT_SUCCESS(expect_probe_failure(args), "devargs \"%s\"", args);
	}
	/* The same ones alone (default interface name). */
	for (i = 0; i < RTE_DIM(bad); i++)
		TEST_ASSERT_SUCCESS(expect_probe_failure(bad[i]), "devargs \"%s\"", bad[i]);
	return TEST_SUCCESS;
}

/*
 * Found by devtools/fuzz.sh (fuzz_args): a value a handler refused made the
 * parser return kvargs' -1 (-EPERM) instead of -EINVAL, so the probe failed
 * with "Operation not permitted" for a typo.
 */
static int
test_regress_devargs_einval(void)
{
	static const char * const bad[] = {
		"io_mode",   "io_mode=x", "mac=zz",   "persist=2",	 "txqueuelen=0",
		"iface=a/b", "foo=1",	  ",iface=x", "iface=a,iface=b",
	};
	struct rtap_args args;
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(bad); i++) {
		ret = rtap_parse_args("net_rtap_test", bad[i], &args);
		TEST_ASSERT_EQUAL(ret, -EINVAL, "\"%s\": %d, not -EINVAL", bad[i], ret);
	}
	TEST_ASSERT_SUCCESS(rtap_parse_args("net_rtap_test", "io_mode=sqpoll,persist", &args),
			    "valid devargs");
	TEST_ASSERT(args.sqpoll && args.persist, "values not taken");
	return TEST_SUCCESS;
}

/* An interface that is not a multi-queue TAP cannot be taken, and is left alone. */
static int
existing_interface(const char *create_fmt, const char *what)
{
	char args[64];
	int idx;

	rtu_ifname(kernel_if);
	if (rtu_run(create_fmt, kernel_if) != 0)
		TEST_SKIP("cannot create a %s interface", what);
	idx = rtu_if_index(kernel_if);
	TEST_ASSERT(idx > 0, "%s %s not there", what, kernel_if);
	snprintf(args, sizeof(args), "iface=%s", kernel_if);
	TEST_ASSERT_SUCCESS(expect_probe_failure(args), "probe over a %s", what);
	TEST_ASSERT_EQUAL(rtu_if_index(kernel_if), idx, "%s %s deleted or replaced", what,
			  kernel_if);
	TEST_ASSERT_SUCCESS(rtu_run("ip link del %s", kernel_if), "ip link del");
	kernel_if[0] = '\0';
	return TEST_SUCCESS;
}

static int
test_existing_dummy(void)
{
	/* No dummy module on some kernels: a bridge is as foreign to TUN. */
	if (rtu_run("modprobe -q dummy") != 0)
		return existing_interface("ip link add %s type bridge", "bridge");
	return existing_interface("ip link add %s type dummy", "dummy");
}

static int
test_existing_single_queue_tap(void)
{
	return existing_interface("ip tuntap add %s mode tap", "single-queue TAP");
}

static int
test_iface_deleted(void)
{
	struct rte_mbuf *pkts[16];
	struct rte_eth_stats st;
	struct rte_eth_link link;
	uint64_t t0, worst = 0;
	unsigned int i, taken;
	uint8_t frame[128];

	TEST_ASSERT_SUCCESS(rtu_run("ip link del %s", fx.port.ifname), "ip link del");
	TEST_ASSERT(!rtu_if_exists(fx.port.ifname), "interface still there");

	/* rx: nothing, promptly, every time. */
	for (i = 0; i < 1000; i++) {
		uint16_t n;

		t0 = rtu_now_ms();
		n = rte_eth_rx_burst(fx.port.port_id, 0, pkts, RTE_DIM(pkts));
		worst = RTE_MAX(worst, rtu_now_ms() - t0);
		rtu_free_bulk(pkts, n);
		TEST_ASSERT_EQUAL(n, 0, "rx_burst returned %u frames from a deleted interface", n);
	}
	TEST_ASSERT(worst < 100, "an rx_burst took %" PRIu64 " ms", worst);

	/* tx: taken, freed, counted as errors. */
	rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, 1);
	for (i = 0; i < RTE_DIM(pkts); i++) {
		pkts[i] = rtu_mbuf_from(fx.tx_pool, frame, sizeof(frame), 1);
		TEST_ASSERT_NOT_NULL(pkts[i], "alloc");
	}
	t0 = rtu_now_ms();
	taken = rtu_tx_all(fx.port.port_id, 0, pkts, RTE_DIM(pkts), RTU_TIMEOUT_MS);
	rtu_free_bulk(pkts + taken, RTE_DIM(pkts) - taken);
	TEST_ASSERT_EQUAL(taken, (unsigned int)RTE_DIM(pkts), "tx_burst took %u of %u", taken,
			  (unsigned int)RTE_DIM(pkts));
	TEST_ASSERT(rtu_now_ms() - t0 < 1000, "tx took %" PRIu64 " ms", rtu_now_ms() - t0);
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "%u tx mbufs never freed", rtu_mempool_in_use(fx.tx_pool));
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.oerrors, (uint64_t)RTE_DIM(pkts), "oerrors %" PRIu64, st.oerrors);
	TEST_ASSERT_EQUAL(st.opackets, 0ULL, "opackets %" PRIu64, st.opackets);

	memset(&link, 0, sizeof(link));
	link.link_status = RTE_ETH_LINK_UP;
	TEST_ASSERT_SUCCESS(rte_eth_link_get_nowait(fx.port.port_id, &link), "link_get");
	TEST_ASSERT_EQUAL(link.link_status, RTE_ETH_LINK_DOWN, "link up on a deleted interface");

	/* Close works and leaks nothing (fixture checks fds and pools). */
	return rtu_fixture_finish(&fx);
}

static int
test_link_down_tx_oerrors(void)
{
	struct rte_mbuf *pkts[10];
	struct rte_eth_stats st;
	uint8_t frame[128], buf[256];
	unsigned int i, taken;
	unsigned int flags;
	ssize_t n;

	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_down(fx.port.port_id), "set_link_down");
	TEST_ASSERT_SUCCESS(rtu_if_get_flags(fx.port.ifname, &flags), "SIOCGIFFLAGS");
	TEST_ASSERT(!(flags & IFF_UP), "kernel interface still up");

	rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, 1);
	for (i = 0; i < RTE_DIM(pkts); i++) {
		pkts[i] = rtu_mbuf_from(fx.tx_pool, frame, sizeof(frame), 1);
		TEST_ASSERT_NOT_NULL(pkts[i], "alloc");
	}
	taken = rtu_tx_all(fx.port.port_id, 0, pkts, RTE_DIM(pkts), RTU_TIMEOUT_MS);
	rtu_free_bulk(pkts + taken, RTE_DIM(pkts) - taken);
	TEST_ASSERT_EQUAL(taken, (unsigned int)RTE_DIM(pkts), "tx_burst took %u of %u", taken,
			  (unsigned int)RTE_DIM(pkts));
	TEST_ASSERT_SUCCESS(rtu_tx_reap_until_full(fx.port.port_id, 1, fx.tx_pool, RTU_TIMEOUT_MS),
			    "%u tx mbufs never freed", rtu_mempool_in_use(fx.tx_pool));
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.oerrors, (uint64_t)RTE_DIM(pkts), "oerrors %" PRIu64, st.oerrors);
	TEST_ASSERT_EQUAL(st.opackets, 0ULL, "opackets %" PRIu64, st.opackets);

	/* Up again, tx works again. */
	TEST_ASSERT_SUCCESS(rte_eth_dev_set_link_up(fx.port.port_id), "set_link_up");
	rtu_frame_fill(frame, sizeof(frame), &fx.peer, &fx.mac, 2);
	pkts[0] = rtu_mbuf_from(fx.tx_pool, frame, sizeof(frame), 1);
	TEST_ASSERT_NOT_NULL(pkts[0], "alloc");
	if (rtu_tx_all(fx.port.port_id, 0, pkts, 1, RTU_TIMEOUT_MS) != 1) {
		rte_pktmbuf_free(pkts[0]);
		TEST_ASSERT(false, "tx_burst after link up");
	}
	n = rtu_pkt_recv(fx.pkt_fd, buf, sizeof(buf), RTU_TIMEOUT_MS);
	TEST_ASSERT_EQUAL(n, (ssize_t)sizeof(frame), "kernel got %zd bytes after link up", n);
	TEST_ASSERT_EQUAL(rtu_frame_seq(buf, n), 2, "kernel got frame %" PRId64,
			  rtu_frame_seq(buf, n));
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(fx.port.port_id, &st), "stats_get");
	TEST_ASSERT_EQUAL(st.opackets, 1ULL, "opackets %" PRIu64 " after link up", st.opackets);
	return rtu_fixture_finish(&fx);
}

static int
test_too_many_queues(void)
{
	struct rte_eth_conf conf;
	int ret;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(fx.port.port_id, 256, 256, &conf);
	TEST_ASSERT(ret < 0, "256 queue pairs accepted");
	/* Refused, the port keeps working with a valid configuration. */
	TEST_ASSERT_SUCCESS(rtu_port_setup(&fx.port, 1, NULL, fx.rx_pool, 0), "reconfigure");
	TEST_ASSERT_SUCCESS(rtu_port_start(&fx.port), "start");
	return rtu_fixture_finish(&fx);
}

/*
 * Open fds numbered below @limit, EAL's memory fds too (rtu_count_fds()
 * leaves those out): the ones that take a number open() could give.
 */
static int
count_fds_below(long limit)
{
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d) &&
		    atol(de->d_name) < limit)
			n++;
	closedir(d);
	return n;
}

static int
count_all_fds(void)
{
	return count_fds_below(LONG_MAX);
}

/* The lowest RLIMIT_NOFILE under which @need more fds can be opened. */
static long
limit_for(unsigned int need)
{
	long l = count_all_fds() + need, next;

	while ((next = count_fds_below(l) + need) != l)
		l = next;
	return l;
}

/* rte_eth_dev_configure() with the driver's log lines captured into @log. */
static int
configure_logged(uint16_t port_id, uint16_t nb, const struct rte_eth_conf *conf, char *log,
		 size_t len)
{
	FILE *saved = rte_log_get_stream(), *f = fmemopen(log, len, "w");
	int ret;

	memset(log, 0, len);
	if (f != NULL)
		rte_openlog_stream(f);
	ret = rte_eth_dev_configure(port_id, nb, nb, conf);
	if (f != NULL) {
		rte_openlog_stream(saved);
		fclose(f);
	}
	log[len - 1] = '\0';
	return ret;
}

/*
 * RLIMIT_NOFILE too low for the queue count: configure refuses with -EMFILE
 * and a line naming the limit and the fds needed, opening nothing. At
 * exactly the limit (the queue fds and RTAP_FDS_TRANSIENT for the fds the
 * control and interrupt threads open for a moment) the configuration sets
 * up and starts, and holds exactly
 * the fds the guide counts: per rx queue a TAP fd and an io_uring fd (and an
 * eventfd with Rx interrupts), per tx queue an io_uring fd, per port 2.
 */
static int
fd_limit_case(bool rxq_intr)
{
	const uint16_t nb = 8;
	unsigned int need = nb + nb + nb + (rxq_intr ? nb : 0);
	struct rte_mempool *mp = NULL;
	struct rte_eth_conf conf;
	struct rlimit saved, rl;
	struct rtu_port p = { 0 };
	int before, probed, ret, result = TEST_FAILED;
	char log[1024], want[64], want_n[32];

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = rxq_intr;
	TEST_ASSERT_SUCCESS(getrlimit(RLIMIT_NOFILE, &saved), "getrlimit");
	mp = rtu_pool_create("rtap_fdlim", 1023, RTE_MBUF_DEFAULT_DATAROOM);
	TEST_ASSERT_NOT_NULL(mp, "pool");
	before = count_all_fds();
	if (rtu_port_probe(&p, NULL) != 0)
		goto out;
	probed = count_all_fds();
	if (probed - before != 2) {
		printf("  the port holds %d fds after probe, not 2\n", probed - before);
		goto out;
	}

	/* One below what the configuration needs: refused, nothing opened. */
	rl = saved;
	rl.rlim_cur = (rlim_t)limit_for(need + RTAP_FDS_TRANSIENT) - 1;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		goto out;
	ret = configure_logged(p.port_id, nb, &conf, log, sizeof(log));
	snprintf(want, sizeof(want), "RLIMIT_NOFILE is %lu: raise", (unsigned long)rl.rlim_cur);
	snprintf(want_n, sizeof(want_n), "need %u fds", need);
	if (ret != -EMFILE || strstr(log, want) == NULL || strstr(log, want_n) == NULL) {
		printf("  limit %lu: configure returned %d, log: %s\n", (unsigned long)rl.rlim_cur,
		       ret, log);
		goto out;
	}
	if (count_all_fds() != probed) {
		printf("  a refused configure left %d fds open\n", count_all_fds() - probed);
		goto out;
	}

	/* Exactly enough: it sets up and starts, with exactly that many fds. */
	rl.rlim_cur = (rlim_t)limit_for(need + RTAP_FDS_TRANSIENT);
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		goto out;
	/* Few descriptors: queue memory fits the heap as it is (EAL fds for new pages would count). */
	ret = rtu_port_setup(&p, nb, &conf, mp, RTAP_MIN_DESC);
	if (ret == 0)
		ret = rtu_port_start(&p);
	if (ret != 0) {
		printf("  at limit %lu (%u more fds): %s\n", (unsigned long)rl.rlim_cur, need,
		       strerror(-ret));
		goto out;
	}
	if (count_all_fds() != probed + (int)need) {
		printf("  %u queue pairs%s hold %d fds, expected %u\n", nb,
		       rxq_intr ? " with Rx interrupts" : "", count_all_fds() - probed, need);
		goto out;
	}
	result = TEST_SUCCESS;
out:
	setrlimit(RLIMIT_NOFILE, &saved);
	if (rtu_port_destroy(&p) != TEST_SUCCESS)
		result = TEST_FAILED;
	if (result == TEST_SUCCESS && count_all_fds() != before) {
		printf("  %d fds left after close\n", count_all_fds() - before);
		result = TEST_FAILED;
	}
	rte_mempool_free(mp);
	return result;
}

static int
test_fd_limit(void)
{
	TEST_ASSERT_SUCCESS(fd_limit_case(false), "without Rx interrupts");
	TEST_ASSERT_SUCCESS(fd_limit_case(true), "with Rx interrupts");
	return TEST_SUCCESS;
}

/* MTU 9000 with 2 KiB mbufs and no scatter cannot work: setup or start says so. */
static int
test_mtu_without_scatter(void)
{
	struct rte_eth_conf conf;
	int ret;

	TEST_ASSERT_SUCCESS(rte_eth_dev_stop(fx.port.port_id), "stop");
	fx.port.started = false;
	memset(&conf, 0, sizeof(conf));
	conf.rxmode.mtu = 9000;
	ret = rte_eth_dev_configure(fx.port.port_id, 1, 1, &conf);
	if (ret == 0) {
		ret = rte_eth_rx_queue_setup(fx.port.port_id, 0, 512, SOCKET_ID_ANY, NULL,
					     fx.rx_pool);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(fx.port.port_id, 0, 512, SOCKET_ID_ANY, NULL);
		if (ret == 0) {
			ret = rte_eth_dev_start(fx.port.port_id);
			if (ret == 0)
				fx.port.started = true;
		}
	}
	TEST_ASSERT(ret < 0, "MTU 9000 with 2 KiB mbufs and no scatter accepted");
	return rtu_fixture_finish(&fx);
}

static struct unit_test_suite errors_suite = {
	.suite_name = "rtap errors",
	.setup = rtu_check_env,
	.unit_test_cases = {
		TEST_CASE_ST(bare_setup, err_teardown, test_bad_devargs),
		TEST_CASE_ST(bare_setup, err_teardown, test_regress_devargs_einval),
		TEST_CASE_ST(bare_setup, err_teardown, test_existing_dummy),
		TEST_CASE_ST(bare_setup, err_teardown, test_existing_single_queue_tap),
		TEST_CASE_ST(err_setup, err_teardown, test_iface_deleted),
		TEST_CASE_ST(err_setup, err_teardown, test_link_down_tx_oerrors),
		TEST_CASE_ST(err_setup, err_teardown, test_too_many_queues),
		TEST_CASE_ST(err_setup, err_teardown, test_mtu_without_scatter),
		TEST_CASE_ST(bare_setup, err_teardown, test_fd_limit),
		TEST_CASES_END(),
	},
};

static int
test_rtap_errors(void)
{
	return unit_test_suite_runner(&errors_suite);
}

REGISTER_TEST_COMMAND(rtap_errors_autotest, test_rtap_errors);
