/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * Wake-up latency probe of the net_rtap benchmark (S5).
 *
 * Writes one frame every GAP microseconds into interface -o (the kernel
 * side of the forwarder's port 0) through an AF_PACKET socket and waits for
 * it to come out of interface -i (the kernel side of port 1), where a second
 * AF_PACKET socket bound to the probe's EtherType receives it. The gap is
 * long against the forwarder's idle threshold, so in interrupt mode every
 * frame finds it asleep.
 *
 * Latency of a frame: from just before its send() to the kernel's receive
 * timestamp on -i (SO_TIMESTAMPNS, taken when the forwarder's write entered
 * the stack), both CLOCK_REALTIME; the time at which this program's own
 * recvmsg() returned is reported too (user_*: adds this program's wake-up).
 * The first -w frames warm up and are not counted. A frame not back when
 * the run ends (plus 200 ms) is lost.
 *
 * Prints one JSON object on stdout: counts and min/median/p90/p99/max in
 * microseconds.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <poll.h>
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

#define WAKE_ETHERTYPE 0x88b5 /* IEEE local experimental */
#define WAKE_MAGIC     0x52574b31u
#define WAKE_MAX_FRAME 1514
#define WAKE_GRACE_NS  200000000LL

struct wake_conf {
	const char *out_if;
	const char *in_if;
	unsigned int count;
	unsigned int warmup;
	unsigned int gap_us;
	unsigned int size;
	int cpu;
};

/* Per frame: send time (realtime ns), kernel and user receive latencies (ns, -1: not back). */
struct wake_sample {
	int64_t sent_rt;
	int64_t lat_ns;
	int64_t user_lat_ns;
};

static volatile sig_atomic_t wake_stop;

static void
wake_on_signal(int sig)
{
	(void)sig;
	wake_stop = 1;
}

static int64_t
wake_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
wake_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -o OUT_IF -i IN_IF [-n COUNT] [-w WARMUP] [-g GAP_US] [-s SIZE]\n"
		"          [-c CPU]\n"
		"  COUNT frames measured (default 2000) after WARMUP (default 20), one every\n"
		"  GAP_US microseconds (default 2000); SIZE 60..%d bytes (default 60); CPU to\n"
		"  pin to (default 0, -1: none)\n",
		prog, WAKE_MAX_FRAME);
}

static int
wake_parse_args(int argc, char **argv, struct wake_conf *conf)
{
	int opt;

	memset(conf, 0, sizeof(*conf));
	conf->count = 2000;
	conf->warmup = 20;
	conf->gap_us = 2000;
	conf->size = 60;
	while ((opt = getopt(argc, argv, "o:i:n:w:g:s:c:h")) != -1) {
		switch (opt) {
		case 'o':
			conf->out_if = optarg;
			break;
		case 'i':
			conf->in_if = optarg;
			break;
		case 'n':
			conf->count = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			conf->warmup = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'g':
			conf->gap_us = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			conf->size = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			conf->cpu = atoi(optarg);
			break;
		default:
			return -EINVAL;
		}
	}
	if (conf->out_if == NULL || conf->in_if == NULL || conf->count == 0 || conf->gap_us == 0 ||
	    conf->size < ETH_ZLEN || conf->size > WAKE_MAX_FRAME)
		return -EINVAL;
	return 0;
}

/* An AF_PACKET socket bound to @ifname; @proto 0 sends only. */
static int
wake_socket(const char *ifname, uint16_t proto)
{
	struct sockaddr_ll sll;
	int fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(proto));
	if (fd < 0) {
		fprintf(stderr, "socket(AF_PACKET): %s\n", strerror(errno));
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "if_nametoindex(%s): %s\n", ifname, strerror(errno));
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "bind(%s): %s\n", ifname, strerror(errno));
		goto fail;
	}
	if (proto != 0 && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0) {
		fprintf(stderr, "setsockopt(SO_TIMESTAMPNS): %s\n", strerror(errno));
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return -1;
}

/*
 * Take every probe frame queued on @fd (non-blocking); fills the samples of
 * the frames it finds. Returns the number of probe frames taken.
 */
static unsigned int
wake_receive(int fd, struct wake_sample *s, unsigned int total, uint32_t run_id, uint64_t *dups,
	     uint64_t *foreign)
{
	uint8_t buf[WAKE_MAX_FRAME + 64];
	char ctrl[CMSG_SPACE(sizeof(struct timespec))];
	unsigned int taken = 0;

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = ctrl,
				      .msg_controllen = sizeof(ctrl) };
		struct cmsghdr *cm;
		int64_t kernel_rt = -1, user_rt;
		uint32_t magic, id, seq;
		ssize_t n;

		n = recvmsg(fd, &msg, MSG_DONTWAIT);
		if (n < 0)
			return taken;
		user_rt = wake_clock_ns(CLOCK_REALTIME);
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				kernel_rt = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
			}
		}
		if (n < ETH_HLEN + 12) {
			(*foreign)++;
			continue;
		}
		memcpy(&magic, buf + ETH_HLEN, 4);
		memcpy(&id, buf + ETH_HLEN + 4, 4);
		memcpy(&seq, buf + ETH_HLEN + 8, 4);
		magic = ntohl(magic);
		id = ntohl(id);
		seq = ntohl(seq);
		if (magic != WAKE_MAGIC || id != run_id || seq >= total) {
			(*foreign)++;
			continue;
		}
		if (s[seq].lat_ns >= 0) {
			(*dups)++;
			continue;
		}
		s[seq].user_lat_ns = user_rt - s[seq].sent_rt;
		s[seq].lat_ns = (kernel_rt > 0 ? kernel_rt : user_rt) - s[seq].sent_rt;
		taken++;
	}
}

static int
wake_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Quantile q of n sorted values (nearest rank), in microseconds. */
static double
wake_quantile_us(const int64_t *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return -1;
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return (double)v[i] / 1000.0;
}

static void
wake_print_stats(const char *prefix, int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), wake_cmp);
	printf(", \"%smin_us\": %.1f, \"%smedian_us\": %.1f, \"%sp90_us\": %.1f, "
	       "\"%sp99_us\": %.1f, \"%smax_us\": %.1f",
	       prefix, wake_quantile_us(v, n, 0), prefix, wake_quantile_us(v, n, 0.5), prefix,
	       wake_quantile_us(v, n, 0.9), prefix, wake_quantile_us(v, n, 0.99), prefix,
	       wake_quantile_us(v, n, 1));
}

int
main(int argc, char **argv)
{
	static uint8_t frame[WAKE_MAX_FRAME];
	uint64_t dups = 0, foreign = 0, late = 0, send_errors = 0;
	struct wake_sample *s;
	struct wake_conf conf;
	int64_t *lat, *ulat, next, end;
	unsigned int total, i;
	size_t n = 0;
	uint32_t run_id, v;
	int out_fd, in_fd;

	if (wake_parse_args(argc, argv, &conf) < 0) {
		wake_usage(argv[0]);
		return 2;
	}
	if (bench_pin(conf.cpu) < 0)
		return 1;
	out_fd = wake_socket(conf.out_if, 0);
	in_fd = wake_socket(conf.in_if, WAKE_ETHERTYPE);
	if (out_fd < 0 || in_fd < 0)
		return 1;
	signal(SIGINT, wake_on_signal);
	signal(SIGTERM, wake_on_signal);

	total = conf.warmup + conf.count;
	s = calloc(total, sizeof(*s));
	lat = calloc(total, sizeof(*lat));
	ulat = calloc(total, sizeof(*ulat));
	if (s == NULL || lat == NULL || ulat == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	for (i = 0; i < total; i++)
		s[i].lat_ns = s[i].user_lat_ns = -1;

	/* broadcast, so that every receiver takes it as addressed to it */
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, ETH_ALEN);
	memcpy(frame + ETH_ALEN, "\x02\x00\x00\x00\x00\xa5", ETH_ALEN);
	frame[12] = WAKE_ETHERTYPE >> 8;
	frame[13] = WAKE_ETHERTYPE & 0xff;
	run_id = (uint32_t)getpid();
	v = htonl(WAKE_MAGIC);
	memcpy(frame + ETH_HLEN, &v, 4);
	v = htonl(run_id);
	memcpy(frame + ETH_HLEN + 4, &v, 4);

	next = wake_clock_ns(CLOCK_MONOTONIC);
	for (i = 0; i < total && !wake_stop; i++) {
		int64_t now;

		v = htonl(i);
		memcpy(frame + ETH_HLEN + 8, &v, 4);
		s[i].sent_rt = wake_clock_ns(CLOCK_REALTIME);
		if (send(out_fd, frame, conf.size, 0) != (ssize_t)conf.size)
			send_errors++;
		next += (int64_t)conf.gap_us * 1000;
		/* receive until the next frame is due */
		while (!wake_stop && (now = wake_clock_ns(CLOCK_MONOTONIC)) < next) {
			struct timespec left = { .tv_sec = (next - now) / 1000000000LL,
						 .tv_nsec = (next - now) % 1000000000LL };
			struct pollfd pfd = { .fd = in_fd, .events = POLLIN };

			if (ppoll(&pfd, 1, &left, NULL) > 0)
				wake_receive(in_fd, s, total, run_id, &dups, &foreign);
		}
	}
	/* the stragglers */
	end = wake_clock_ns(CLOCK_MONOTONIC) + WAKE_GRACE_NS;
	for (;;) {
		int64_t now = wake_clock_ns(CLOCK_MONOTONIC);
		struct timespec left;
		struct pollfd pfd = { .fd = in_fd, .events = POLLIN };

		if (now >= end || wake_stop)
			break;
		left.tv_sec = (end - now) / 1000000000LL;
		left.tv_nsec = (end - now) % 1000000000LL;
		if (ppoll(&pfd, 1, &left, NULL) > 0)
			wake_receive(in_fd, s, total, run_id, &dups, &foreign);
	}
	close(out_fd);
	close(in_fd);

	for (i = conf.warmup; i < total; i++) {
		if (s[i].lat_ns < 0)
			continue;
		if (s[i].lat_ns > (int64_t)conf.gap_us * 1000)
			late++;
		lat[n] = s[i].lat_ns;
		ulat[n] = s[i].user_lat_ns;
		n++;
	}
	printf("{\"out_if\": \"%s\", \"in_if\": \"%s\", \"gap_us\": %u, \"size\": %u, "
	       "\"warmup\": %u, \"sent\": %u, \"received\": %zu, \"lost\": %zu, "
	       "\"late\": %" PRIu64 ", \"duplicates\": %" PRIu64 ", \"foreign\": %" PRIu64
	       ", \"send_errors\": %" PRIu64,
	       conf.out_if, conf.in_if, conf.gap_us, conf.size, conf.warmup,
	       i > conf.warmup ? i - conf.warmup : 0, n,
	       (i > conf.warmup ? i - conf.warmup : 0) - n, late, dups, foreign, send_errors);
	wake_print_stats("", lat, n);
	wake_print_stats("user_", ulat, n);
	printf("}\n");
	free(s);
	free(lat);
	free(ulat);
	return 0;
}
