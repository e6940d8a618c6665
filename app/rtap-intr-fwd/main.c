/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * dpdk-rtap-intr-fwd: an interrupt-driven forwarder between ports 0 and 1.
 *
 *   dpdk-rtap-intr-fwd [EAL options] -- [--poll] [--queues N] [--idle-polls N] ...
 *
 * Every frame received on queue q of one port leaves on queue q of the
 * other. Queue index q belongs to the q-th lcore of the EAL core list (the
 * main lcore first), which serves it on both ports, so no queue is shared.
 *
 * An lcore polls while frames come. After --idle-polls empty polls in a row
 * it enables the rx interrupts of its two queues, polls them once more (a
 * frame that completed after the last empty poll but before the enable
 * raised no interrupt and would wait for the next one), and sleeps in
 * rte_epoll_wait() on its thread's epoll instance. On wake-up it disables
 * the interrupts and polls again. With --poll it never sleeps.
 *
 * Only the public ethdev and EAL API is used, so the program runs on any
 * PMD: where rx interrupts cannot be had (the port rejects intr_conf.rxq,
 * has no interrupt vector, or rte_eth_dev_rx_intr_enable() fails) the lcore
 * says why on one line and polls instead. Link-state (and removal) events
 * are requested whenever the port advertises them and printed as they come;
 * a removed port ends the program.
 *
 * SIGINT or SIGTERM wakes every lcore (an eventfd in each lcore's epoll
 * set), the ports are stopped and closed, the counters printed, last as one
 * JSON line starting with "summary ".
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_epoll.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define FWD_NB_PORTS	 2
#define FWD_BURST	 32
#define FWD_TX_RETRIES	 4
#define FWD_MAX_QUEUES	 64
#define FWD_MBUF_CACHE	 256
#define FWD_DEFAULT_IDLE 300
#define FWD_DEFAULT_DESC 512
#define FWD_MIN_MBUFS	 8191
#define FWD_EV_QUIT	 ((void *)0)

enum fwd_mode {
	FWD_MODE_INTR,
	FWD_MODE_POLL,
};

struct fwd_conf {
	bool poll;	     /* --poll: never sleep, no rx interrupts requested */
	bool lsc;	     /* request link-state events where the port has them */
	uint16_t nb_queues;  /* queues per port, one lcore each */
	uint32_t idle_polls; /* empty polls in a row before sleeping */
	uint16_t nb_rxd;
	uint16_t nb_txd;
	uint32_t nb_mbufs; /* 0: computed */
};

/* What a port was configured with. */
struct fwd_port {
	bool rxq_intr;		  /* intr_conf.rxq accepted */
	bool lsc;		  /* intr_conf.lsc set */
	bool rmv;		  /* intr_conf.rmv set */
	uint64_t lsc_events;	  /* written by the interrupt thread */
	uint64_t rx, tx, dropped; /* summed from the lcores at exit */
	struct rte_eth_stats stats;
};

struct fwd_counters {
	uint64_t rx[FWD_NB_PORTS];	/* received on port i */
	uint64_t tx[FWD_NB_PORTS];	/* sent on port i */
	uint64_t dropped[FWD_NB_PORTS]; /* received on port i, not sent */
	uint64_t polls;			/* polls of both queues */
	uint64_t empty_polls;
	uint64_t sleeps;    /* rte_epoll_wait() calls */
	uint64_t wakeups;   /* ... that returned an rx event */
	uint64_t spurious;  /* wake-ups whose first poll found nothing */
	uint64_t rechecked; /* frames found by the poll right after the enable */
};

struct fwd_worker {
	unsigned int lcore_id;
	uint16_t queue;
	enum fwd_mode mode;
	char why[160]; /* why the lcore polls */
	struct fwd_counters cnt;
	struct rte_epoll_event quit_ev; /* the quit eventfd in this thread's epoll set */
	bool quit_added;
	bool intr_added[FWD_NB_PORTS];
} __rte_cache_aligned;

static struct fwd_conf fwd_conf = {
	.lsc = true,
	.nb_queues = 1,
	.idle_polls = FWD_DEFAULT_IDLE,
	.nb_rxd = FWD_DEFAULT_DESC,
	.nb_txd = FWD_DEFAULT_DESC,
};

static struct fwd_port fwd_ports[FWD_NB_PORTS];
static struct fwd_worker fwd_workers[FWD_MAX_QUEUES];
static struct rte_mempool *fwd_pool;
static volatile int fwd_quit;
static int fwd_quit_fd = -1;

static void
fwd_request_quit(void)
{
	uint64_t one = 1;
	ssize_t ret;

	fwd_quit = 1;
	/* async-signal-safe; the eventfd stays readable: every sleeper wakes */
	ret = write(fwd_quit_fd, &one, sizeof(one));
	RTE_SET_USED(ret);
}

static void
fwd_on_signal(int sig)
{
	RTE_SET_USED(sig);
	fwd_request_quit();
}

static void
fwd_usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [options]\n"
	       "Forwards between ports 0 and 1, queue q on the q-th lcore (main lcore first),\n"
	       "sleeping on rx interrupts when idle.\n"
	       "  --poll            never sleep (busy polling, no rx interrupts requested)\n"
	       "  --queues N        queues per port, one lcore each (default 1, max %d)\n"
	       "  --idle-polls N    empty polls in a row before sleeping (default %d)\n"
	       "  --rxd N, --txd N  descriptors per queue (default %d)\n"
	       "  --mbufs N         mbufs in the pool (default: enough for all queues)\n"
	       "  --no-lsc          do not ask for link-state events\n"
	       "  --help\n",
	       prog, FWD_MAX_QUEUES, FWD_DEFAULT_IDLE, FWD_DEFAULT_DESC);
}

static int
fwd_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
fwd_parse_args(int argc, char **argv)
{
	enum {
		OPT_POLL = 256,
		OPT_QUEUES,
		OPT_IDLE,
		OPT_RXD,
		OPT_TXD,
		OPT_MBUFS,
		OPT_NO_LSC,
		OPT_HELP,
	};
	static const struct option opts[] = {
		{ "poll", no_argument, NULL, OPT_POLL },
		{ "queues", required_argument, NULL, OPT_QUEUES },
		{ "idle-polls", required_argument, NULL, OPT_IDLE },
		{ "rxd", required_argument, NULL, OPT_RXD },
		{ "txd", required_argument, NULL, OPT_TXD },
		{ "mbufs", required_argument, NULL, OPT_MBUFS },
		{ "no-lsc", no_argument, NULL, OPT_NO_LSC },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_POLL:
			fwd_conf.poll = true;
			break;
		case OPT_QUEUES:
			if (fwd_parse_uint(optarg, 1, FWD_MAX_QUEUES, &v) < 0)
				goto bad;
			fwd_conf.nb_queues = (uint16_t)v;
			break;
		case OPT_IDLE:
			if (fwd_parse_uint(optarg, 1, UINT32_MAX, &v) < 0)
				goto bad;
			fwd_conf.idle_polls = (uint32_t)v;
			break;
		case OPT_RXD:
		case OPT_TXD:
			if (fwd_parse_uint(optarg, 1, UINT16_MAX, &v) < 0)
				goto bad;
			if (opt == OPT_RXD)
				fwd_conf.nb_rxd = (uint16_t)v;
			else
				fwd_conf.nb_txd = (uint16_t)v;
			break;
		case OPT_MBUFS:
			if (fwd_parse_uint(optarg, 1, UINT32_MAX, &v) < 0)
				goto bad;
			fwd_conf.nb_mbufs = (uint32_t)v;
			break;
		case OPT_NO_LSC:
			fwd_conf.lsc = false;
			break;
		case OPT_HELP:
			fwd_usage(argv[0]);
			exit(0);
		default:
			fwd_usage(argv[0]);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument: %s\n", argv[optind]);
		fwd_usage(argv[0]);
		return -EINVAL;
	}
	return 0;

bad:
	fprintf(stderr, "bad value for --%s: %s\n", opts[opt - OPT_POLL].name, optarg);
	return -EINVAL;
}

/* ------------------------------------------------------------ events */

/* "link up, 10000 Mbps, full-duplex" (rte_eth_link_to_str() is experimental in 22.11) */
static void
fwd_link_str(char *buf, size_t len, const struct rte_eth_link *link)
{
	if (link->link_status == RTE_ETH_LINK_DOWN) {
		snprintf(buf, len, "link down");
		return;
	}
	if (link->link_speed == RTE_ETH_SPEED_NUM_UNKNOWN)
		snprintf(buf, len, "link up, speed unknown, %s",
			 link->link_duplex ? "full-duplex" : "half-duplex");
	else
		snprintf(buf, len, "link up, %u Mbps, %s", link->link_speed,
			 link->link_duplex ? "full-duplex" : "half-duplex");
}

static int
fwd_on_event(uint16_t port, enum rte_eth_event_type type, void *cb_arg, void *ret_param)
{
	char text[64] = "link unknown";
	struct rte_eth_link link;

	RTE_SET_USED(cb_arg);
	RTE_SET_USED(ret_param);
	switch (type) {
	case RTE_ETH_EVENT_INTR_LSC:
		if (port < FWD_NB_PORTS)
			__atomic_fetch_add(&fwd_ports[port].lsc_events, 1, __ATOMIC_RELAXED);
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(port, &link) == 0)
			fwd_link_str(text, sizeof(text), &link);
		printf("port %u: link state change event: %s\n", port, text);
		break;
	case RTE_ETH_EVENT_INTR_RMV:
		printf("port %u: device removal event: stopping\n", port);
		fwd_request_quit();
		break;
	default:
		break;
	}
	return 0;
}

/* ------------------------------------------------------------- ports */

static int
fwd_port_configure(uint16_t port, struct rte_eth_conf *conf)
{
	int ret;

	ret = rte_eth_dev_configure(port, fwd_conf.nb_queues, fwd_conf.nb_queues, conf);
	if (ret < 0 && conf->intr_conf.rxq) {
		printf("port %u: configure with rx interrupts failed (%s): without them, "
		       "polling\n",
		       port, rte_strerror(-ret));
		conf->intr_conf.rxq = 0;
		ret = rte_eth_dev_configure(port, fwd_conf.nb_queues, fwd_conf.nb_queues, conf);
	}
	return ret;
}

static void
fwd_port_init(uint16_t port)
{
	struct fwd_port *fp = &fwd_ports[port];
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_ether_addr mac;
	uint32_t flags;
	uint16_t q;
	int socket, ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: info: %s\n", port, rte_strerror(-ret));
	if (fwd_conf.nb_queues > info.max_rx_queues || fwd_conf.nb_queues > info.max_tx_queues)
		rte_exit(EXIT_FAILURE, "port %u (%s): %u queues asked, %u rx / %u tx possible\n",
			 port, info.driver_name, fwd_conf.nb_queues, info.max_rx_queues,
			 info.max_tx_queues);
	flags = info.dev_flags != NULL ? *info.dev_flags : 0;

	memset(&conf, 0, sizeof(conf));
	/* ethdev refuses lsc/rmv for a port that does not advertise them */
	conf.intr_conf.lsc = fwd_conf.lsc && (flags & RTE_ETH_DEV_INTR_LSC) ? 1 : 0;
	conf.intr_conf.rmv = fwd_conf.lsc && (flags & RTE_ETH_DEV_INTR_RMV) ? 1 : 0;
	conf.intr_conf.rxq = fwd_conf.poll ? 0 : 1;
	ret = fwd_port_configure(port, &conf);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: configure: %s\n", port, rte_strerror(-ret));
	fp->rxq_intr = conf.intr_conf.rxq;
	fp->lsc = conf.intr_conf.lsc;
	fp->rmv = conf.intr_conf.rmv;

	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &fwd_conf.nb_rxd, &fwd_conf.nb_txd);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: descriptors: %s\n", port, rte_strerror(-ret));
	socket = rte_eth_dev_socket_id(port);
	for (q = 0; q < fwd_conf.nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, fwd_conf.nb_rxd, socket, NULL, fwd_pool);
		if (ret < 0)
			rte_exit(EXIT_FAILURE, "port %u: rx queue %u: %s\n", port, q,
				 rte_strerror(-ret));
		ret = rte_eth_tx_queue_setup(port, q, fwd_conf.nb_txd, socket, NULL);
		if (ret < 0)
			rte_exit(EXIT_FAILURE, "port %u: tx queue %u: %s\n", port, q,
				 rte_strerror(-ret));
	}
	if (fp->lsc)
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC, fwd_on_event, NULL);
	if (fp->rmv)
		rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_RMV, fwd_on_event, NULL);

	ret = rte_eth_dev_start(port);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: start: %s\n", port, rte_strerror(-ret));
	/* a TAP hands over every frame anyway; other ports may filter */
	ret = rte_eth_promiscuous_enable(port);
	if (ret < 0 && ret != -ENOTSUP)
		printf("port %u: promiscuous mode: %s\n", port, rte_strerror(-ret));

	memset(&mac, 0, sizeof(mac));
	rte_eth_macaddr_get(port, &mac);
	printf("port %u: %s, " RTE_ETHER_ADDR_PRT_FMT ", %u queue(s) of %u/%u descriptors, "
	       "rx interrupts %s, link-state events %s\n",
	       port, info.driver_name, RTE_ETHER_ADDR_BYTES(&mac), fwd_conf.nb_queues,
	       fwd_conf.nb_rxd, fwd_conf.nb_txd,
	       fp->rxq_intr ? "configured" : (fwd_conf.poll ? "off (--poll)" : "unavailable"),
	       fp->lsc ? "on" : (fwd_conf.lsc ? "unavailable (no RTE_ETH_DEV_INTR_LSC)" : "off"));
}

static void
fwd_port_fini(uint16_t port)
{
	struct fwd_port *fp = &fwd_ports[port];
	int ret;

	rte_eth_stats_get(port, &fp->stats);
	ret = rte_eth_dev_stop(port);
	if (ret < 0)
		printf("port %u: stop: %s\n", port, rte_strerror(-ret));
	if (fp->lsc)
		rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_LSC, fwd_on_event, NULL);
	if (fp->rmv)
		rte_eth_dev_callback_unregister(port, RTE_ETH_EVENT_INTR_RMV, fwd_on_event, NULL);
	ret = rte_eth_dev_close(port);
	if (ret < 0)
		printf("port %u: close: %s\n", port, rte_strerror(-ret));
}

/* ----------------------------------------------------------- the lcores */

/* Forward one burst from rx port @in to the other port; returns frames received. */
static uint16_t
fwd_burst(struct fwd_worker *w, uint16_t in)
{
	struct rte_mbuf *pkts[FWD_BURST];
	uint16_t out = in ^ 1;
	uint16_t nb_rx, sent, retry;

	nb_rx = rte_eth_rx_burst(in, w->queue, pkts, FWD_BURST);
	if (nb_rx == 0)
		return 0;
	sent = rte_eth_tx_burst(out, w->queue, pkts, nb_rx);
	for (retry = 0; sent < nb_rx && retry < FWD_TX_RETRIES; retry++)
		sent += rte_eth_tx_burst(out, w->queue, pkts + sent, nb_rx - sent);
	if (sent < nb_rx) {
		rte_pktmbuf_free_bulk(pkts + sent, nb_rx - sent);
		w->cnt.dropped[in] += nb_rx - sent;
	}
	w->cnt.rx[in] += nb_rx;
	w->cnt.tx[out] += sent;
	return nb_rx;
}

static unsigned int
fwd_poll(struct fwd_worker *w)
{
	unsigned int n;

	n = fwd_burst(w, 0);
	n += fwd_burst(w, 1);
	w->cnt.polls++;
	if (n == 0)
		w->cnt.empty_polls++;
	return n;
}

static void fwd_to_polling(struct fwd_worker *w, const char *fmt, ...) __rte_format_printf(2, 3);

/* Give up on interrupts for this lcore: say why, undo what was set up. */
static void
fwd_to_polling(struct fwd_worker *w, const char *fmt, ...)
{
	va_list ap;
	uint16_t p;

	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	w->mode = FWD_MODE_POLL;
	for (p = 0; p < FWD_NB_PORTS; p++) {
		if (!w->intr_added[p])
			continue;
		rte_eth_dev_rx_intr_ctl_q(p, w->queue, RTE_EPOLL_PER_THREAD, RTE_INTR_EVENT_DEL,
					  NULL);
		w->intr_added[p] = false;
	}
}

static void
fwd_report_mode(const struct fwd_worker *w)
{
	if (w->mode == FWD_MODE_INTR)
		printf("lcore %u queue %u: mode=interrupt (sleeps after %u empty polls)\n",
		       w->lcore_id, w->queue, fwd_conf.idle_polls);
	else
		printf("lcore %u queue %u: mode=poll (%s)\n", w->lcore_id, w->queue, w->why);
}

/* Enable (on) or disable the rx interrupts of the lcore's queues. */
static int
fwd_intr_set(struct fwd_worker *w, bool on)
{
	uint16_t p, failed;
	int ret;

	for (p = 0; p < FWD_NB_PORTS; p++) {
		ret = on ? rte_eth_dev_rx_intr_enable(p, w->queue) :
			   rte_eth_dev_rx_intr_disable(p, w->queue);
		if (ret < 0)
			goto fail;
	}
	return 0;

fail:
	failed = p;
	/* leave none enabled */
	while (on && p-- > 0)
		rte_eth_dev_rx_intr_disable(p, w->queue);
	fwd_to_polling(w, "rte_eth_dev_rx_intr_%s(port %u, queue %u): %s",
		       on ? "enable" : "disable", failed, w->queue, rte_strerror(-ret));
	return ret;
}

/* Set up interrupt mode on the lcore's own thread (its epoll instance is per thread). */
static void
fwd_worker_init(struct fwd_worker *w)
{
	uint16_t p;
	int ret;

	if (fwd_conf.poll) {
		fwd_to_polling(w, "--poll");
		return;
	}
	for (p = 0; p < FWD_NB_PORTS; p++) {
		if (!fwd_ports[p].rxq_intr) {
			fwd_to_polling(w, "port %u: no rx interrupts configured", p);
			return;
		}
	}
	w->quit_ev.epdata.event = EPOLLIN; /* level-triggered: nobody reads it */
	w->quit_ev.epdata.data = FWD_EV_QUIT;
	ret = rte_epoll_ctl(RTE_EPOLL_PER_THREAD, EPOLL_CTL_ADD, fwd_quit_fd, &w->quit_ev);
	if (ret < 0) {
		fwd_to_polling(w, "rte_epoll_ctl(quit eventfd): %d", ret);
		return;
	}
	w->quit_added = true;
	for (p = 0; p < FWD_NB_PORTS; p++) {
		/* the event's data: port + 1, so that no rx event looks like quit */
		ret = rte_eth_dev_rx_intr_ctl_q(p, w->queue, RTE_EPOLL_PER_THREAD,
						RTE_INTR_EVENT_ADD, (void *)(uintptr_t)(p + 1));
		if (ret < 0) {
			fwd_to_polling(w, "rte_eth_dev_rx_intr_ctl_q(port %u, queue %u): %s", p,
				       w->queue, rte_strerror(-ret));
			return;
		}
		w->intr_added[p] = true;
	}
	/* a driver without rx_queue_intr_enable fails here, before any sleep */
	if (fwd_intr_set(w, true) < 0 || fwd_intr_set(w, false) < 0)
		return;
	w->mode = FWD_MODE_INTR;
}

static void
fwd_worker_fini(struct fwd_worker *w)
{
	uint16_t p;

	for (p = 0; p < FWD_NB_PORTS; p++) {
		if (w->intr_added[p])
			rte_eth_dev_rx_intr_ctl_q(p, w->queue, RTE_EPOLL_PER_THREAD,
						  RTE_INTR_EVENT_DEL, NULL);
		w->intr_added[p] = false;
	}
	if (w->quit_added)
		rte_epoll_ctl(RTE_EPOLL_PER_THREAD, EPOLL_CTL_DEL, fwd_quit_fd, &w->quit_ev);
	w->quit_added = false;
}

/* Idle: arm the interrupts, look once more, sleep, disarm. */
static void
fwd_sleep(struct fwd_worker *w)
{
	struct rte_epoll_event ev[FWD_NB_PORTS + 1];
	bool rx_event = false;
	int n, i;

	if (fwd_intr_set(w, true) < 0) {
		fwd_report_mode(w);
		return;
	}
	/*
	 * A frame that completed between the last empty poll and the enable
	 * raised no interrupt: sleeping now could leave it waiting for the
	 * next frame.
	 */
	if (fwd_poll(w) > 0) {
		w->cnt.rechecked++;
		fwd_intr_set(w, false);
		return;
	}
	w->cnt.sleeps++;
	n = rte_epoll_wait(RTE_EPOLL_PER_THREAD, ev, RTE_DIM(ev), -1);
	if (fwd_intr_set(w, false) < 0) {
		fwd_report_mode(w);
		return;
	}
	if (n < 0) {
		fwd_to_polling(w, "rte_epoll_wait: %d", n);
		fwd_report_mode(w);
		return;
	}
	for (i = 0; i < n; i++)
		rx_event |= ev[i].epdata.data != FWD_EV_QUIT;
	if (!rx_event)
		return; /* quit */
	w->cnt.wakeups++;
	if (fwd_poll(w) == 0)
		w->cnt.spurious++;
}

static int
fwd_worker_main(void *arg)
{
	struct fwd_worker *w = arg;
	uint32_t idle = 0;

	fwd_worker_init(w);
	fwd_report_mode(w);

	while (!fwd_quit) {
		if (fwd_poll(w) > 0) {
			idle = 0;
			continue;
		}
		if (w->mode != FWD_MODE_INTR || ++idle < fwd_conf.idle_polls)
			continue;
		fwd_sleep(w);
		idle = 0;
	}
	fwd_worker_fini(w);
	return 0;
}

/* ------------------------------------------------------------- main */

static void
fwd_print_summary(unsigned int nb_workers)
{
	struct fwd_counters *c;
	unsigned int i;
	uint16_t p;

	for (i = 0; i < nb_workers; i++) {
		c = &fwd_workers[i].cnt;
		for (p = 0; p < FWD_NB_PORTS; p++) {
			fwd_ports[p].rx += c->rx[p];
			fwd_ports[p].tx += c->tx[p];
			fwd_ports[p].dropped += c->dropped[p];
		}
	}
	for (p = 0; p < FWD_NB_PORTS; p++) {
		struct fwd_port *fp = &fwd_ports[p];

		printf("port %u: rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64
		       " link-events %" PRIu64 " (ethdev: ipackets %" PRIu64 " opackets %" PRIu64
		       " imissed %" PRIu64 " ierrors %" PRIu64 " oerrors %" PRIu64 ")\n",
		       p, fp->rx, fp->tx, fp->dropped, fp->lsc_events, fp->stats.ipackets,
		       fp->stats.opackets, fp->stats.imissed, fp->stats.ierrors, fp->stats.oerrors);
	}
	for (i = 0; i < nb_workers; i++) {
		struct fwd_worker *w = &fwd_workers[i];

		c = &w->cnt;
		printf("lcore %u queue %u: mode=%s polls %" PRIu64 " empty %" PRIu64
		       " sleeps %" PRIu64 " wakeups %" PRIu64 " spurious %" PRIu64
		       " rechecked %" PRIu64 "\n",
		       w->lcore_id, w->queue, w->mode == FWD_MODE_INTR ? "interrupt" : "poll",
		       c->polls, c->empty_polls, c->sleeps, c->wakeups, c->spurious, c->rechecked);
	}
	/* the same as one JSON line, for scripts */
	printf("summary {\"ports\": [");
	for (p = 0; p < FWD_NB_PORTS; p++) {
		struct fwd_port *fp = &fwd_ports[p];

		printf("%s{\"rx\": %" PRIu64 ", \"tx\": %" PRIu64 ", \"dropped\": %" PRIu64
		       ", \"link_events\": %" PRIu64 ", \"rxq_intr\": %s, \"lsc\": %s}",
		       p ? ", " : "", fp->rx, fp->tx, fp->dropped, fp->lsc_events,
		       fp->rxq_intr ? "true" : "false", fp->lsc ? "true" : "false");
	}
	printf("], \"lcores\": [");
	for (i = 0; i < nb_workers; i++) {
		struct fwd_worker *w = &fwd_workers[i];

		c = &w->cnt;
		printf("%s{\"lcore\": %u, \"queue\": %u, \"mode\": \"%s\", \"polls\": %" PRIu64
		       ", \"empty_polls\": %" PRIu64 ", \"sleeps\": %" PRIu64
		       ", \"wakeups\": %" PRIu64 ", \"spurious\": %" PRIu64
		       ", \"rechecked\": %" PRIu64 "}",
		       i ? ", " : "", w->lcore_id, w->queue,
		       w->mode == FWD_MODE_INTR ? "interrupt" : "poll", c->polls, c->empty_polls,
		       c->sleeps, c->wakeups, c->spurious, c->rechecked);
	}
	printf("]}\n");
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	unsigned int lcore, nb_workers, i;
	uint32_t nb_mbufs;
	uint16_t p;
	int ret;

	/* output goes to pipes (tests, the benchmark): one line at a time */
	setvbuf(stdout, NULL, _IOLBF, 0);

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	argv[0] = argv[-ret];
	if (fwd_parse_args(argc, argv) < 0)
		rte_exit(EXIT_FAILURE, "bad arguments\n");

	fwd_quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fwd_quit_fd < 0)
		rte_exit(EXIT_FAILURE, "eventfd: %s\n", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fwd_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	for (p = 0; p < FWD_NB_PORTS; p++)
		if (!rte_eth_dev_is_valid_port(p))
			rte_exit(EXIT_FAILURE, "port %u missing: give two ports (--vdev ...)\n", p);
	if (rte_lcore_count() < fwd_conf.nb_queues)
		rte_exit(EXIT_FAILURE, "%u queues need %u lcores, -l gave %u\n", fwd_conf.nb_queues,
			 fwd_conf.nb_queues, rte_lcore_count());

	nb_mbufs = FWD_NB_PORTS * fwd_conf.nb_queues * (fwd_conf.nb_rxd + fwd_conf.nb_txd) +
		rte_lcore_count() * (FWD_MBUF_CACHE + FWD_BURST);
	if (fwd_conf.nb_mbufs)
		nb_mbufs = fwd_conf.nb_mbufs;
	else
		nb_mbufs = RTE_MAX(nb_mbufs, (uint32_t)FWD_MIN_MBUFS);
	fwd_pool = rte_pktmbuf_pool_create("fwd_pool", nb_mbufs, FWD_MBUF_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (fwd_pool == NULL)
		rte_exit(EXIT_FAILURE, "mbuf pool of %u: %s\n", nb_mbufs, rte_strerror(rte_errno));

	for (p = 0; p < FWD_NB_PORTS; p++)
		fwd_port_init(p);

	/* queue 0 on the main lcore, queue i on the i-th worker lcore */
	nb_workers = fwd_conf.nb_queues;
	fwd_workers[0].lcore_id = rte_get_main_lcore();
	i = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (i == nb_workers)
			break;
		fwd_workers[i].lcore_id = lcore;
		fwd_workers[i].queue = (uint16_t)i;
		i++;
	}
	printf("forwarding port 0 <-> port 1 (%s), Ctrl-C to stop\n",
	       fwd_conf.poll ? "polling" : "interrupts when idle");
	for (i = 1; i < nb_workers; i++) {
		ret = rte_eal_remote_launch(fwd_worker_main, &fwd_workers[i],
					    fwd_workers[i].lcore_id);
		if (ret < 0)
			rte_exit(EXIT_FAILURE, "launch on lcore %u: %d\n", fwd_workers[i].lcore_id,
				 ret);
	}
	fwd_worker_main(&fwd_workers[0]);
	rte_eal_mp_wait_lcore();

	printf("stopping\n");
	for (p = 0; p < FWD_NB_PORTS; p++)
		fwd_port_fini(p);
	fwd_print_summary(nb_workers);
	rte_mempool_free(fwd_pool);
	close(fwd_quit_fd);
	rte_eal_cleanup();
	return 0;
}
