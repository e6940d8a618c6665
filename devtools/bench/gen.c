/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Kernel-side traffic generator of the net_rtap benchmark.
 *
 * Floods one interface with identical IPv4/UDP frames of a fixed size through
 * an AF_PACKET socket with PACKET_QDISC_BYPASS and sendmmsg(), pinned to one
 * CPU, for a fixed time (-t) or a fixed number of frames (-n). On a TAP the
 * frames go to the process that has the TAP open (the PMD under test); on a
 * veth they come out of the peer.
 *
 * With the qdisc bypassed, a frame the device refuses (a TAP whose queue is
 * full) fails its send with ENOBUFS; sendmmsg() then returns short and the
 * frame is gone. Such frames are counted as "refused": offered = sent +
 * refused. The benchmark cross-checks both against the kernel's counters.
 *
 * Prints one JSON object on stdout.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

#define GEN_MAX_BATCH 1024
#define GEN_MAX_FRAME 9018

static volatile sig_atomic_t gen_stop;

struct gen_conf {
	const char *ifname;
	unsigned int size;
	double seconds;
	uint64_t count;
	int cpu;
	unsigned int batch;
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
};

static void
gen_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -i IFNAME [-s SIZE] (-t SECONDS | -n COUNT) [-c CPU] [-b BATCH]\n"
		"          [-d DST_MAC] [-S SRC_MAC]\n"
		"  SIZE: frame bytes without FCS, 60..%d (default 64)\n"
		"  CPU: core to pin to (default 0, -1: no pinning); BATCH: frames per\n"
		"  sendmmsg (default 64)\n",
		prog, GEN_MAX_FRAME);
}

static void
gen_on_signal(int sig)
{
	(void)sig;
	gen_stop = 1;
}

static int
gen_parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[ETH_ALEN];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < ETH_ALEN; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int
gen_open(const struct gen_conf *conf)
{
	struct sockaddr_ll sll;
	int one = 1, sndbuf = 4 << 20;
	int fd;

	/* Protocol 0: the socket sends only and never queues what it sees. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "socket(AF_PACKET): %s\n", strerror(errno));
		return -errno;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(conf->ifname);
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "if_nametoindex(%s): %s\n", conf->ifname, strerror(errno));
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "bind(%s): %s\n", conf->ifname, strerror(errno));
		goto fail;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0) {
		fprintf(stderr, "setsockopt(PACKET_QDISC_BYPASS): %s\n", strerror(errno));
		goto fail;
	}
	/* Best effort: a larger send buffer only matters on veth. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		fprintf(stderr, "setsockopt(SO_SNDBUFFORCE): %s (ignored)\n", strerror(errno));
	return fd;

fail:
	close(fd);
	return -1;
}

static int
gen_parse_args(int argc, char **argv, struct gen_conf *conf)
{
	static const uint8_t src[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xa1 };
	static const uint8_t dst[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xb1 };
	int opt;

	memset(conf, 0, sizeof(*conf));
	conf->size = 64;
	conf->batch = 64;
	memcpy(conf->src, src, ETH_ALEN);
	memcpy(conf->dst, dst, ETH_ALEN);
	while ((opt = getopt(argc, argv, "i:s:t:n:c:b:d:S:h")) != -1) {
		switch (opt) {
		case 'i':
			conf->ifname = optarg;
			break;
		case 's':
			conf->size = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 't':
			conf->seconds = strtod(optarg, NULL);
			break;
		case 'n':
			conf->count = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			conf->cpu = atoi(optarg);
			break;
		case 'b':
			conf->batch = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			if (gen_parse_mac(optarg, conf->dst) < 0)
				return -EINVAL;
			break;
		case 'S':
			if (gen_parse_mac(optarg, conf->src) < 0)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	if (conf->ifname == NULL || conf->size < ETH_ZLEN || conf->size > GEN_MAX_FRAME ||
	    conf->batch == 0 || conf->batch > GEN_MAX_BATCH ||
	    (conf->seconds <= 0 && conf->count == 0))
		return -EINVAL;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct mmsghdr msgs[GEN_MAX_BATCH];
	static uint8_t frame[GEN_MAX_FRAME];
	uint64_t sent = 0, refused = 0, errors = 0, calls = 0;
	struct gen_conf conf;
	struct iovec iov;
	double t0, t1, deadline;
	unsigned int i;
	int fd, first_errno = 0;

	if (gen_parse_args(argc, argv, &conf) < 0) {
		gen_usage(argv[0]);
		return 2;
	}
	if (bench_pin(conf.cpu) < 0)
		return 1;
	fd = gen_open(&conf);
	if (fd < 0)
		return 1;
	signal(SIGINT, gen_on_signal);
	signal(SIGTERM, gen_on_signal);

	bench_udp4_frame(frame, conf.size, conf.dst, conf.src);
	iov.iov_base = frame;
	iov.iov_len = conf.size;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < conf.batch; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	t0 = bench_now();
	deadline = conf.seconds > 0 ? t0 + conf.seconds : 0;
	while (!gen_stop) {
		uint64_t left = conf.count > 0 ? conf.count - (sent + refused) : conf.batch;
		unsigned int n = left < conf.batch ? (unsigned int)left : conf.batch;
		int ret;

		if (n == 0)
			break;
		ret = sendmmsg(fd, msgs, n, 0);
		calls++;
		if (ret < 0) {
			if (errno == ENOBUFS) {
				refused++; /* the first frame was dropped */
			} else if (errno != EINTR && errno != EAGAIN) {
				if (first_errno == 0)
					first_errno = errno;
				if (++errors > 1000)
					break;
			}
		} else {
			sent += (uint64_t)ret;
			/* A short return means frame number ret failed and was dropped. */
			if ((unsigned int)ret < n)
				refused++;
		}
		if (deadline > 0 && (calls & 15) == 0 && bench_now() >= deadline)
			break;
	}
	t1 = bench_now();
	close(fd);

	printf("{\"ifname\": \"%s\", \"size\": %u, \"cpu\": %d, \"batch\": %u, "
	       "\"seconds\": %.6f, \"sent\": %" PRIu64 ", \"refused\": %" PRIu64
	       ", \"offered\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"error\": \"%s\", "
	       "\"offered_pps\": %.1f}\n",
	       conf.ifname, conf.size, conf.cpu, conf.batch, t1 - t0, sent, refused, sent + refused,
	       errors, first_errno ? strerror(first_errno) : "", (sent + refused) / (t1 - t0));
	return errors > 1000 ? 1 : 0;
}
