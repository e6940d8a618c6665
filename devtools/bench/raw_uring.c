/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * The raw io_uring ceiling of the net_rtap benchmark: what one core gets out
 * of a TAP opened like net_rtap opens it (IFF_TAP | IFF_NO_PI |
 * IFF_MULTI_QUEUE | IFF_VNET_HDR, a 10-byte virtio-net header in front of
 * every frame), with batched io_uring requests and no DPDK at all.
 *
 *   raw_uring write -i NAME [-s SIZE] [-t SECONDS] [-b BATCH] [-c CPU] [-u]
 *	Write BATCH frames per io_uring_enter for SECONDS (after a short
 *	warm-up) and count what the kernel received (the TAP's rx_packets).
 *
 *   raw_uring read -i NAME [-b BATCH] [-c CPU] [-q TXQUEUELEN] [-u]
 *	Drain COUNT frames the caller queued on the TAP with BATCH reads per
 *	io_uring_enter, and time it.
 *
 * Both create the TAP, print a {"ready": NAME} line and wait for "go" (write)
 * or "go COUNT" (read) on stdin, so that the caller can configure the link
 * (and fill the queue) first. With -u the program sets the queue length and
 * brings the link up itself (standalone use: "echo go | raw_uring write -u ...").
 * The TAP stays until stdin is closed (so the caller can still read its
 * counters), then goes away with the program.
 * Prints one JSON object on stdout; "tsc" and "cycles_per_packet" are TSC
 * ticks (x86) or nanoseconds elsewhere.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#define RAW_VNET_HDR_LEN  ((int)sizeof(struct virtio_net_hdr))
#define RAW_TUN_FLAGS	  (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR)
#define RAW_MAX_BATCH	  256
#define RAW_BUF_SIZE	  2048
#define RAW_MAX_FRAME	  (RAW_BUF_SIZE - RAW_VNET_HDR_LEN)
#define RAW_WARMUP_S	  0.3
#define RAW_DRAIN_IDLE_MS 1000

struct raw_conf {
	bool write;
	const char *ifname;
	unsigned int size;
	double seconds;
	unsigned int batch;
	int cpu;
	unsigned int txqlen;
	bool link_up;
};

static void
raw_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s write -i NAME [-s SIZE] [-t SECONDS] [-b BATCH] [-c CPU] [-u]\n"
		"       %s read -i NAME [-b BATCH] [-c CPU] [-q TXQUEUELEN] [-u]\n"
		"then \"go\" (write) or \"go COUNT\" (read) on stdin\n",
		prog, prog);
}

static double
raw_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static uint64_t
raw_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
#endif
}

static int
raw_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		fprintf(stderr, "sched_setaffinity(%d): %s\n", cpu, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Create (or attach to) the TAP named @name with net_rtap's flags. */
static int
raw_tap_open(const char *name)
{
	int hdr_len = RAW_VNET_HDR_LEN;
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "open(/dev/net/tun): %s\n", strerror(errno));
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = RAW_TUN_FLAGS;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "ioctl(TUNSETIFF, %s): %s\n", name, strerror(errno));
		goto fail;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
		fprintf(stderr, "ioctl(TUNSETVNETHDRSZ): %s\n", strerror(errno));
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return -1;
}

/* Set the queue length (when @txqlen > 0) and bring the interface up. */
static int
raw_link_up(const char *name, unsigned int txqlen)
{
	struct ifreq ifr;
	int sock, ret = -1;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		fprintf(stderr, "socket(AF_INET): %s\n", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (txqlen > 0) {
		ifr.ifr_qlen = (int)txqlen;
		if (ioctl(sock, SIOCSIFTXQLEN, &ifr) < 0) {
			fprintf(stderr, "ioctl(SIOCSIFTXQLEN, %u): %s\n", txqlen, strerror(errno));
			goto out;
		}
	}
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0) {
		fprintf(stderr, "ioctl(SIOCGIFFLAGS): %s\n", strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0) {
		fprintf(stderr, "ioctl(SIOCSIFFLAGS): %s\n", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	close(sock);
	return ret;
}

static int64_t
raw_counter(const char *ifname, const char *name)
{
	char path[128];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname, name);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Ethernet (to testpmd's txonly default peer) + IPv4 + UDP, zero payload. */
static void
raw_build_frame(uint8_t *frame, unsigned int size)
{
	static const uint8_t head[] = {
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* dst */
		0x02, 0x00, 0x00, 0x00, 0x00, 0xa2, /* src */
		0x08, 0x00,			    /* IPv4 */
	};
	uint16_t l3 = (uint16_t)(size - sizeof(head));
	uint8_t *ip = frame + sizeof(head);
	uint32_t sum = 0;
	unsigned int i;

	memset(frame, 0, size);
	memcpy(frame, head, sizeof(head));
	ip[0] = 0x45;
	ip[2] = l3 >> 8;
	ip[3] = l3 & 0xff;
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){ 198, 18, 0, 1, 198, 18, 0, 2 }, 8);
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	ip[10] = sum >> 8;
	ip[11] = sum & 0xff;
	ip[20] = 0;
	ip[21] = 9;
	ip[22] = 0;
	ip[23] = 9;
	ip[24] = (l3 - 20) >> 8;
	ip[25] = (l3 - 20) & 0xff;
}

/* Tell the caller the TAP exists and wait for "go [COUNT]". */
static int
raw_handshake(const struct raw_conf *conf, uint64_t *count)
{
	char line[64];
	int n;

	printf("{\"ready\": \"%s\"}\n", conf->ifname);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL || strncmp(line, "go", 2) != 0) {
		fprintf(stderr, "expected \"go\" on stdin\n");
		return -EINVAL;
	}
	n = sscanf(line, "go %" SCNu64, count);
	if (!conf->write && n != 1) {
		fprintf(stderr, "read: expected \"go COUNT\" on stdin\n");
		return -EINVAL;
	}
	return 0;
}

/* Collect every completion present; returns the number of successful ones. */
static unsigned int
raw_reap(struct io_uring *ring, unsigned int *done, uint64_t *errors, int *first_err)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0, ok = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		seen++;
		if (cqe->res > RAW_VNET_HDR_LEN) {
			ok++;
		} else {
			(*errors)++;
			if (*first_err == 0)
				*first_err = cqe->res;
		}
	}
	io_uring_cq_advance(ring, seen);
	*done += seen;
	return ok;
}

static int
raw_write(const struct raw_conf *conf, int fd, struct io_uring *ring)
{
	static uint8_t buf[RAW_VNET_HDR_LEN + RAW_MAX_FRAME];
	uint64_t errors = 0, tsc0 = 0, tsc1, pkts_window = 0, go = 0;
	int64_t k0 = -1, k1;
	double t_start, t0 = 0, t1;
	bool measuring = false;
	int first_err = 0;

	if (conf->size < 60 || conf->size > RAW_MAX_FRAME) {
		fprintf(stderr, "frame size %u out of 60..%d\n", conf->size, RAW_MAX_FRAME);
		return -EINVAL;
	}
	raw_build_frame(buf + RAW_VNET_HDR_LEN, conf->size); /* header stays zero */
	if (raw_handshake(conf, &go) < 0)
		return -EINVAL;

	t_start = raw_now();
	for (;;) {
		unsigned int i, done = 0;
		double now;
		int ret;

		for (i = 0; i < conf->batch; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			io_uring_prep_write(sqe, fd, buf, RAW_VNET_HDR_LEN + conf->size, 0);
		}
		ret = io_uring_submit_and_wait(ring, conf->batch);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "io_uring_submit_and_wait: %s\n", strerror(-ret));
			return ret;
		}
		while (done < conf->batch) {
			unsigned int ok = raw_reap(ring, &done, &errors, &first_err);

			if (measuring)
				pkts_window += ok;
			if (done < conf->batch) {
				struct io_uring_cqe *cqe;

				ret = io_uring_wait_cqe(ring, &cqe);
				if (ret < 0 && ret != -EINTR)
					return ret;
			}
		}
		if (errors > 1000) {
			fprintf(stderr, "write: %" PRIu64 " errors, first %s\n", errors,
				strerror(-first_err));
			return -EIO;
		}
		now = raw_now();
		if (!measuring && now - t_start >= RAW_WARMUP_S) {
			measuring = true;
			k0 = raw_counter(conf->ifname, "rx_packets");
			t0 = raw_now();
			tsc0 = raw_tsc();
		} else if (measuring && now - t0 >= conf->seconds) {
			break;
		}
	}
	tsc1 = raw_tsc();
	t1 = raw_now();
	k1 = raw_counter(conf->ifname, "rx_packets");

	printf("{\"mode\": \"write\", \"ifname\": \"%s\", \"size\": %u, \"batch\": %u, "
	       "\"seconds\": %.6f, \"packets\": %" PRIu64 ", \"kernel_packets\": %" PRId64
	       ", \"pps\": %.1f, \"errors\": %" PRIu64 ", \"tsc\": %" PRIu64
	       ", \"cycles_per_packet\": %.1f}\n",
	       conf->ifname, conf->size, conf->batch, t1 - t0, pkts_window, k1 - k0,
	       (k1 - k0) / (t1 - t0), errors, tsc1 - tsc0,
	       pkts_window ? (double)(tsc1 - tsc0) / pkts_window : 0.0);
	return 0;
}

static int
raw_read(const struct raw_conf *conf, int fd, struct io_uring *ring)
{
	static uint8_t bufs[RAW_MAX_BATCH][RAW_BUF_SIZE];
	struct __kernel_timespec idle = { .tv_sec = RAW_DRAIN_IDLE_MS / 1000, .tv_nsec = 0 };
	uint64_t target = 0, got = 0, errors = 0, tsc0, tsc1 = 0;
	unsigned int in_flight = 0, next = 0;
	double t0, t1 = 0;
	int first_err = 0;

	if (raw_handshake(conf, &target) < 0)
		return -EINVAL;

	t0 = raw_now();
	tsc0 = raw_tsc();
	while (got < target) {
		struct io_uring_cqe *cqe;
		unsigned int done = 0;
		int ret;

		/* Keep BATCH reads in flight; refill and submit once per round. */
		for (; in_flight < conf->batch; in_flight++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			io_uring_prep_read(sqe, fd, bufs[next], RAW_BUF_SIZE, 0);
			next = (next + 1) % conf->batch;
		}
		ret = io_uring_submit(ring);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "io_uring_submit: %s\n", strerror(-ret));
			return ret;
		}
		ret = io_uring_wait_cqe_timeout(ring, &cqe, &idle);
		if (ret == -ETIME)
			break; /* the queue ran dry before COUNT */
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "io_uring_wait_cqe_timeout: %s\n", strerror(-ret));
			return ret;
		}
		got += raw_reap(ring, &done, &errors, &first_err);
		in_flight -= done;
		tsc1 = raw_tsc();
		t1 = raw_now();
	}

	printf("{\"mode\": \"read\", \"ifname\": \"%s\", \"batch\": %u, \"target\": %" PRIu64
	       ", \"packets\": %" PRIu64 ", \"seconds\": %.6f, \"pps\": %.1f, \"errors\": %" PRIu64
	       ", \"tsc\": %" PRIu64 ", \"cycles_per_packet\": %.1f, \"tx_dropped\": %" PRId64
	       "}\n",
	       conf->ifname, conf->batch, target, got, t1 - t0, got ? got / (t1 - t0) : 0.0, errors,
	       tsc1 - tsc0, got ? (double)(tsc1 - tsc0) / got : 0.0,
	       raw_counter(conf->ifname, "tx_dropped"));
	return 0;
}

static int
raw_parse_args(int argc, char **argv, struct raw_conf *conf)
{
	int opt;

	memset(conf, 0, sizeof(*conf));
	conf->size = 64;
	conf->seconds = 2;
	conf->batch = 32;
	conf->cpu = 1;
	conf->txqlen = 100000;
	if (argc < 2)
		return -EINVAL;
	if (strcmp(argv[1], "write") == 0)
		conf->write = true;
	else if (strcmp(argv[1], "read") != 0)
		return -EINVAL;
	optind = 2;
	while ((opt = getopt(argc, argv, "i:s:t:b:c:q:uh")) != -1) {
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
		case 'b':
			conf->batch = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			conf->cpu = atoi(optarg);
			break;
		case 'q':
			conf->txqlen = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'u':
			conf->link_up = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (conf->ifname == NULL || strlen(conf->ifname) >= IFNAMSIZ || conf->batch == 0 ||
	    conf->batch > RAW_MAX_BATCH || conf->seconds <= 0)
		return -EINVAL;
	return 0;
}

int
main(int argc, char **argv)
{
	struct raw_conf conf;
	struct io_uring ring;
	int fd, ret;

	if (raw_parse_args(argc, argv, &conf) < 0) {
		raw_usage(argv[0]);
		return 2;
	}
	if (raw_pin(conf.cpu) < 0)
		return 1;
	fd = raw_tap_open(conf.ifname);
	if (fd < 0)
		return 1;
	if (conf.link_up && raw_link_up(conf.ifname, conf.write ? 0 : conf.txqlen) < 0)
		goto fail_fd;
	/* Default ring flags, as the driver uses. */
	ret = io_uring_queue_init(2 * RAW_MAX_BATCH, &ring, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init: %s\n", strerror(-ret));
		goto fail_fd;
	}
	ret = conf.write ? raw_write(&conf, fd, &ring) : raw_read(&conf, fd, &ring);
	fflush(stdout);
	/* Keep the TAP (and its counters) until the caller closes our stdin. */
	while (ret == 0 && fgetc(stdin) != EOF)
		;
	io_uring_queue_exit(&ring);
	close(fd);
	return ret < 0 ? 1 : 0;

fail_fd:
	close(fd);
	return 1;
}
