/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * The raw ceiling of the net_rtap benchmark: what one core gets out of a TAP
 * opened like net_rtap opens it (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE |
 * IFF_VNET_HDR, a 10-byte virtio-net header in front of every frame, the fd
 * O_NONBLOCK), with no DPDK at all. The io_uring modes set the ring up like
 * the driver (IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, the TAP
 * as fixed file 0) and busy-poll it like a DPDK lcore: at most one
 * io_uring_submit_and_get_events() per loop, never a blocking wait.
 *
 *   raw_uring write -i NAME [-s SIZE] [-t SECONDS] [-b BATCH] [-R RING] [-N] [-B]
 *		    [-c CPU] [-u]
 *	Write BATCH frames per io_uring_enter for SECONDS (after a short
 *	warm-up) and count what the kernel received (the TAP's rx_packets).
 *
 *   raw_uring read -i NAME [-M | -S] [-P] [-b BATCH] [-R RING] [-N] [-B] [-c CPU]
 *		   [-q TXQUEUELEN] [-u]
 *	Drain COUNT frames the caller queued on the TAP and time it, from "go"
 *	to the last frame; stop early when no frame comes for
 *	RAW_DRAIN_IDLE_MS. Default: BATCH one-shot reads kept in flight, as
 *	net_rtap's default rx engine; reads that find the queue empty complete
 *	with -EAGAIN and are posted again. -M: one multishot read
 *	(IORING_OP_READ_MULTISHOT, kernel 6.7+) over a ring of RAW_MSHOT_BUFS
 *	provided buffers, re-armed whenever it ends. -S: no io_uring, one
 *	non-blocking readv() per frame (what net_tap does).
 *
 * Variants of the io_uring set-up, for ablations (the defaults are
 * net_rtap's; devtools/bench/raw_matrix.py runs them side by side):
 *   -R coop	IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG (default):
 *		enter with nothing posted only when the kernel flagged work.
 *   -R defer	IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN:
 *		completion work runs only inside an enter and nothing flags it,
 *		so every loop enters (io_uring_get_events() when nothing was
 *		posted).
 *   -R plain	no setup flags: the kernel interrupts the thread to run
 *		completion work; plain io_uring_submit(), no enter when
 *		nothing was posted.
 *   -N		the TAP's descriptor in every SQE instead of fixed file 0.
 *   -B		the buffers registered (io_uring_register_buffers()), read
 *		and written with IORING_OP_READ_FIXED / IORING_OP_WRITE_FIXED.
 *   -b BATCH	1..RAW_MAX_BATCH (256), default 32.
 *   -P		(read) open the TAP as net_tap does: a 4-byte packet
 *		information header instead of the virtio-net header.
 * -M takes -R and -N (it reads into provided buffers and keeps one read
 * armed, so -B and -b do not apply); -S takes none of them but -P.
 *
 * Both create the TAP, print a {"ready": NAME} line and wait for "go" (write)
 * or "go COUNT" (read) on stdin, so that the caller can configure the link
 * (and fill the queue) first. With -u the program sets the queue length and
 * brings the link up itself (standalone use: "echo go | raw_uring write -u ...").
 * The TAP stays until stdin is closed (so the caller can still read its
 * counters), then goes away with the program.
 * Prints one JSON object on stdout, "mode" being "write", "read",
 * "read-mshot" or "read-readv"; "ring" (coop, defer, plain; none for -S),
 * "fixed_file", "fixed_buffers" and "batch" name the variant; "eagain"
 * counts -EAGAIN results (not errors); "tsc" and "cycles_per_packet" are TSC
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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#include "bench_util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

static const uint8_t raw_dst[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x00 };
static const uint8_t raw_src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0xa2 };

#define RAW_VNET_HDR_LEN  ((int)sizeof(struct virtio_net_hdr))
#define RAW_TUN_FLAGS	  (IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR)
#define RAW_MAX_BATCH	  256
#define RAW_BUF_SIZE	  2048
#define RAW_MAX_FRAME	  (RAW_BUF_SIZE - RAW_VNET_HDR_LEN)
#define RAW_WARMUP_S	  0.3
#define RAW_DRAIN_IDLE_MS 1000
#define RAW_MSHOT_BUFS	  256
#define RAW_BGID	  0
#define RAW_DIM(a)	  (sizeof(a) / sizeof((a)[0]))
/* Not in older liburing headers; kernel ABI number (6.7+). */
#define RAW_OP_READ_MULTISHOT 49

enum raw_mode {
	RAW_WRITE,
	RAW_READ,	/* one-shot io_uring reads */
	RAW_READ_MSHOT, /* one multishot io_uring read, provided buffers */
	RAW_READ_READV, /* readv() system calls */
};

/* The ring's setup flags (-R), and how the loop enters it. */
enum raw_ring {
	RAW_RING_COOP,	/* COOP_TASKRUN | TASKRUN_FLAG: net_rtap's default */
	RAW_RING_DEFER, /* SINGLE_ISSUER | DEFER_TASKRUN */
	RAW_RING_PLAIN, /* no flags */
};

static const char * const raw_ring_names[] = {
	[RAW_RING_COOP] = "coop",
	[RAW_RING_DEFER] = "defer",
	[RAW_RING_PLAIN] = "plain",
};

struct raw_conf {
	enum raw_mode mode;
	const char *ifname;
	unsigned int size;
	double seconds;
	unsigned int batch;
	int cpu;
	unsigned int txqlen;
	bool link_up;
	enum raw_ring ring;
	bool fixed_file;    /* the TAP as fixed file 0 (not -N) */
	bool fixed_buffers; /* -B */
	bool ring_opts;	    /* -R, -N or -B given */
	bool pi;	    /* -P: packet information, no virtio-net header */
	/* Set by raw_ring_init(): the TAP in an SQE. */
	int sqe_fd;
	uint8_t sqe_flags;
};

static void
raw_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s write -i NAME [-s SIZE] [-t SECONDS] [-b BATCH] [-R RING] [-N] [-B]\n"
		"                  [-c CPU] [-u]\n"
		"       %s read -i NAME [-M | -S] [-P] [-b BATCH] [-R RING] [-N] [-B] [-c CPU]\n"
		"                  [-q TXQUEUELEN] [-u]\n"
		"RING: coop (default), defer or plain; -N: no fixed file; -B: registered buffers\n"
		"-P: packet information instead of the virtio-net header (read, not -M)\n"
		"(-M takes -R and -N, -S none of them but -P); BATCH: 1..%d\n"
		"then \"go\" (write) or \"go COUNT\" (read) on stdin\n",
		prog, prog, RAW_MAX_BATCH);
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

/* Create (or attach to) the TAP named @name with net_rtap's flags (or net_tap's). */
static int
raw_tap_open(const char *name, bool pi)
{
	int hdr_len = RAW_VNET_HDR_LEN;
	struct ifreq ifr;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "open(/dev/net/tun): %s\n", strerror(errno));
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = pi ? IFF_TAP | IFF_MULTI_QUEUE : RAW_TUN_FLAGS;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "ioctl(TUNSETIFF, %s): %s\n", name, strerror(errno));
		goto fail;
	}
	if (!pi && ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0) {
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
	if (conf->mode != RAW_WRITE && n != 1) {
		fprintf(stderr, "read: expected \"go COUNT\" on stdin\n");
		return -EINVAL;
	}
	return 0;
}

/* The variant's JSON members, with a trailing ", ". */
static void
raw_print_variant(const struct raw_conf *conf, unsigned int batch)
{
	const char *ring = conf->mode == RAW_READ_READV ? "none" : raw_ring_names[conf->ring];

	printf("\"ring\": \"%s\", \"fixed_file\": %s, \"fixed_buffers\": %s, \"batch\": %u, "
	       "\"header\": \"%s\", ",
	       ring, conf->fixed_file ? "true" : "false", conf->fixed_buffers ? "true" : "false",
	       batch, conf->pi ? "pi" : "vnet");
}

/* Results that carried no frame: -EAGAIN (no frame there) apart from errors. */
struct raw_tally {
	uint64_t errors;
	uint64_t eagain;
	int first_err;
};

static void
raw_tally_fail(struct raw_tally *t, int res)
{
	if (res == -EAGAIN) {
		t->eagain++;
		return;
	}
	t->errors++;
	if (t->first_err == 0)
		t->first_err = res;
}

/*
 * One poll of the ring, as net_rtap's rx burst does it: submit what was
 * posted and run the completion work in the same enter; with nothing posted,
 * enter only when the kernel flagged work (IORING_SQ_TASKRUN). Never waits.
 * DEFER_TASKRUN: no flag tells, so always enter. No flags (as io_mode=notify):
 * the kernel runs the completion work on its own, so only submit.
 */
static int
raw_enter(const struct raw_conf *conf, struct io_uring *ring, bool posted)
{
	int ret = 0;

	if (conf->ring == RAW_RING_PLAIN)
		ret = posted ? io_uring_submit(ring) : 0;
	else if (posted)
		ret = io_uring_submit_and_get_events(ring);
	else if (conf->ring == RAW_RING_DEFER ||
		 (IO_URING_READ_ONCE(*ring->sq.kflags) & IORING_SQ_TASKRUN))
		ret = io_uring_get_events(ring);
	/* Transient: interrupted, or completions backed up (reaped next loop). */
	if (ret == -EINTR || ret == -EAGAIN || ret == -EBUSY)
		ret = 0;
	if (ret < 0)
		fprintf(stderr, "io_uring_enter: %s\n", strerror(-ret));
	return ret;
}

/* Collect every completion present; returns the number of successful ones. */
static unsigned int
raw_reap(struct io_uring *ring, unsigned int *done, struct raw_tally *t)
{
	struct io_uring_cqe *cqe;
	unsigned int head, seen = 0, ok = 0;

	io_uring_for_each_cqe(ring, head, cqe) {
		seen++;
		if (cqe->res > RAW_VNET_HDR_LEN)
			ok++;
		else
			raw_tally_fail(t, cqe->res);
	}
	io_uring_cq_advance(ring, seen);
	*done += seen;
	return ok;
}

/* -B: register @n buffers of @len bytes from @base (buf_index i: the i-th). */
static int
raw_register_buffers(const struct raw_conf *conf, struct io_uring *ring, uint8_t *base, size_t len,
		     unsigned int n)
{
	struct iovec iov[RAW_MAX_BATCH];
	unsigned int i;
	int ret;

	if (!conf->fixed_buffers)
		return 0;
	for (i = 0; i < n; i++) {
		iov[i].iov_base = base + i * len;
		iov[i].iov_len = len;
	}
	ret = io_uring_register_buffers(ring, iov, n);
	if (ret < 0)
		fprintf(stderr, "io_uring_register_buffers: %s\n", strerror(-ret));
	return ret;
}

static int
raw_write(const struct raw_conf *conf, struct io_uring *ring)
{
	static uint8_t buf[RAW_VNET_HDR_LEN + RAW_MAX_FRAME];
	uint64_t tsc0 = 0, tsc1, pkts_window = 0, go = 0;
	struct raw_tally t = { 0 };
	int64_t k0 = -1, k1;
	double t_start, t0 = 0, t1;
	bool measuring = false;

	if (conf->size < 60 || conf->size > RAW_MAX_FRAME) {
		fprintf(stderr, "frame size %u out of 60..%d\n", conf->size, RAW_MAX_FRAME);
		return -EINVAL;
	}
	/* to testpmd's txonly default peer; the virtio-net header stays zero */
	bench_udp4_frame(buf + RAW_VNET_HDR_LEN, conf->size, raw_dst, raw_src);
	if (raw_register_buffers(conf, ring, buf, sizeof(buf), 1) < 0)
		return -EIO;
	if (raw_handshake(conf, &go) < 0)
		return -EINVAL;

	t_start = bench_now();
	for (;;) {
		unsigned int i, done = 0;
		double now;

		for (i = 0; i < conf->batch; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			unsigned int len = RAW_VNET_HDR_LEN + conf->size;

			if (conf->fixed_buffers)
				io_uring_prep_write_fixed(sqe, conf->sqe_fd, buf, len, 0, 0);
			else
				io_uring_prep_write(sqe, conf->sqe_fd, buf, len, 0);
			sqe->flags |= conf->sqe_flags;
		}
		/* TAP writes complete in the submit; poll (never wait) for any late one. */
		if (raw_enter(conf, ring, true) < 0)
			return -EIO;
		for (;;) {
			unsigned int ok = raw_reap(ring, &done, &t);

			if (measuring)
				pkts_window += ok;
			if (done >= conf->batch)
				break;
			if (raw_enter(conf, ring, true) < 0)
				return -EIO;
		}
		if (t.errors > 1000) {
			fprintf(stderr, "write: %" PRIu64 " errors, first %s\n", t.errors,
				strerror(-t.first_err));
			return -EIO;
		}
		now = bench_now();
		if (!measuring && now - t_start >= RAW_WARMUP_S) {
			measuring = true;
			k0 = raw_counter(conf->ifname, "rx_packets");
			t0 = bench_now();
			tsc0 = raw_tsc();
		} else if (measuring && now - t0 >= conf->seconds) {
			break;
		}
	}
	tsc1 = raw_tsc();
	t1 = bench_now();
	k1 = raw_counter(conf->ifname, "rx_packets");

	printf("{\"mode\": \"write\", \"ifname\": \"%s\", \"size\": %u, ", conf->ifname,
	       conf->size);
	raw_print_variant(conf, conf->batch);
	printf("\"seconds\": %.6f, \"packets\": %" PRIu64 ", \"kernel_packets\": %" PRId64
	       ", \"pps\": %.1f, \"errors\": %" PRIu64 ", \"eagain\": %" PRIu64
	       ", \"tsc\": %" PRIu64 ", \"cycles_per_packet\": %.1f}\n",
	       t1 - t0, pkts_window, k1 - k0, (k1 - k0) / (t1 - t0), t.errors, t.eagain,
	       tsc1 - tsc0, pkts_window ? (double)(tsc1 - tsc0) / pkts_window : 0.0);
	return 0;
}

/* A drain's progress and timing: from "go" to the last frame taken. */
struct raw_drain {
	uint64_t target;
	uint64_t got;
	uint64_t tsc0, tsc1;
	double t0, t1;
	struct raw_tally tally;
	uint64_t rearms; /* multishot: CQEs without IORING_CQE_F_MORE (read ended) */
};

static void
raw_drain_start(struct raw_drain *d)
{
	d->t0 = d->t1 = bench_now();
	d->tsc0 = d->tsc1 = raw_tsc();
}

/* @n frames were just taken: they end the drain so far. */
static void
raw_drain_frames(struct raw_drain *d, unsigned int n)
{
	d->got += n;
	d->tsc1 = raw_tsc();
	d->t1 = bench_now();
}

/* Has the queue stayed empty for RAW_DRAIN_IDLE_MS? (a clock check, no wait) */
static bool
raw_drain_idle(const struct raw_drain *d)
{
	return bench_now() - d->t1 >= RAW_DRAIN_IDLE_MS / 1000.0;
}

static void
raw_drain_report(const struct raw_conf *conf, const struct raw_drain *d, const char *mode,
		 unsigned int batch)
{
	double s = d->t1 - d->t0;

	if (d->tally.errors > 0)
		fprintf(stderr, "%s: %" PRIu64 " errors, first %s\n", mode, d->tally.errors,
			strerror(-d->tally.first_err));
	printf("{\"mode\": \"%s\", \"ifname\": \"%s\", ", mode, conf->ifname);
	raw_print_variant(conf, batch);
	printf("\"target\": %" PRIu64 ", \"packets\": %" PRIu64 ", \"seconds\": %.6f"
	       ", \"pps\": %.1f, \"errors\": %" PRIu64 ", \"eagain\": %" PRIu64
	       ", \"rearms\": %" PRIu64 ", \"tsc\": %" PRIu64 ", \"cycles_per_packet\": %.1f"
	       ", \"tx_dropped\": %" PRId64 "}\n",
	       d->target, d->got, s, d->got && s > 0 ? d->got / s : 0.0, d->tally.errors,
	       d->tally.eagain, d->rearms, d->tsc1 - d->tsc0,
	       d->got ? (double)(d->tsc1 - d->tsc0) / d->got : 0.0,
	       raw_counter(conf->ifname, "tx_dropped"));
}

/* One-shot reads: BATCH in flight, each free slot posted again every loop. */
static int
raw_read(const struct raw_conf *conf, struct io_uring *ring)
{
	static uint8_t bufs[RAW_MAX_BATCH][RAW_BUF_SIZE];
	uint16_t free_slots[RAW_MAX_BATCH];
	struct raw_drain d = { 0 };
	unsigned int nb_free = 0;

	while (nb_free < conf->batch) {
		free_slots[nb_free] = (uint16_t)nb_free;
		nb_free++;
	}
	if (raw_register_buffers(conf, ring, bufs[0], RAW_BUF_SIZE, conf->batch) < 0)
		return -EIO;
	if (raw_handshake(conf, &d.target) < 0)
		return -EINVAL;

	raw_drain_start(&d);
	while (d.got < d.target) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0, frames = 0;
		bool posted = false;

		io_uring_for_each_cqe(ring, head, cqe) {
			seen++;
			free_slots[nb_free++] = (uint16_t)cqe->user_data;
			if (cqe->res > RAW_VNET_HDR_LEN)
				frames++;
			else
				raw_tally_fail(&d.tally, cqe->res);
		}
		io_uring_cq_advance(ring, seen);
		if (frames > 0)
			raw_drain_frames(&d, frames);
		else if (raw_drain_idle(&d))
			break; /* the queue ran dry before COUNT */

		while (nb_free > 0) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			uint16_t slot = free_slots[--nb_free];

			if (conf->fixed_buffers)
				io_uring_prep_read_fixed(sqe, conf->sqe_fd, bufs[slot],
							 RAW_BUF_SIZE, 0, slot);
			else
				io_uring_prep_read(sqe, conf->sqe_fd, bufs[slot], RAW_BUF_SIZE, 0);
			sqe->flags |= conf->sqe_flags;
			io_uring_sqe_set_data64(sqe, slot);
			posted = true;
		}
		if (raw_enter(conf, ring, posted) < 0)
			return -EIO;
	}
	raw_drain_report(conf, &d, "read", conf->batch);
	return 0;
}

/* The provided-buffer ring of the multishot read (freed after the ring). */
static struct io_uring_buf_ring *raw_br;

static int
raw_mshot_setup(struct io_uring *ring, uint8_t (*bufs)[RAW_BUF_SIZE])
{
	struct io_uring_buf_reg reg;
	struct io_uring_probe *probe;
	int mask = io_uring_buf_ring_mask(RAW_MSHOT_BUFS);
	bool supported;
	int i, ret;

	probe = io_uring_get_probe_ring(ring);
	supported = probe != NULL && io_uring_opcode_supported(probe, RAW_OP_READ_MULTISHOT);
	io_uring_free_probe(probe);
	if (!supported) {
		fprintf(stderr, "this kernel has no multishot read (6.7+)\n");
		return -ENOTSUP;
	}
	/* Shared with the kernel: page aligned. */
	raw_br = aligned_alloc(4096, RAW_MSHOT_BUFS * sizeof(struct io_uring_buf));
	if (raw_br == NULL)
		return -ENOMEM;
	io_uring_buf_ring_init(raw_br);
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uintptr_t)raw_br;
	reg.ring_entries = RAW_MSHOT_BUFS;
	reg.bgid = RAW_BGID;
	ret = io_uring_register_buf_ring(ring, &reg, 0);
	if (ret < 0) {
		fprintf(stderr, "io_uring_register_buf_ring: %s\n", strerror(-ret));
		return ret;
	}
	for (i = 0; i < RAW_MSHOT_BUFS; i++)
		io_uring_buf_ring_add(raw_br, bufs[i], RAW_BUF_SIZE, (unsigned short)i, mask, i);
	io_uring_buf_ring_advance(raw_br, RAW_MSHOT_BUFS);
	return 0;
}

/* One multishot read; each buffer goes back to the ring once its CQE is seen. */
static int
raw_read_mshot(const struct raw_conf *conf, struct io_uring *ring)
{
	static uint8_t bufs[RAW_MSHOT_BUFS][RAW_BUF_SIZE];
	int mask = io_uring_buf_ring_mask(RAW_MSHOT_BUFS);
	struct raw_drain d = { 0 };
	bool armed = false;
	int ret;

	ret = raw_mshot_setup(ring, bufs);
	if (ret < 0)
		return ret;
	if (raw_handshake(conf, &d.target) < 0)
		return -EINVAL;

	raw_drain_start(&d);
	while (d.got < d.target) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0, frames = 0, added = 0;
		bool posted = false;

		io_uring_for_each_cqe(ring, head, cqe) {
			seen++;
			if (!(cqe->flags & IORING_CQE_F_MORE)) {
				armed = false;
				d.rearms++;
			}
			if (cqe->flags & IORING_CQE_F_BUFFER) {
				unsigned short bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

				io_uring_buf_ring_add(raw_br, bufs[bid], RAW_BUF_SIZE, bid, mask,
						      (int)added++);
			}
			if (cqe->res > RAW_VNET_HDR_LEN)
				frames++;
			else if (cqe->res != -ENOBUFS) /* out of buffers: just re-armed */
				raw_tally_fail(&d.tally, cqe->res);
		}
		io_uring_cq_advance(ring, seen);
		if (added > 0)
			io_uring_buf_ring_advance(raw_br, (int)added);
		if (frames > 0)
			raw_drain_frames(&d, frames);
		else if (raw_drain_idle(&d))
			break;

		if (!armed) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

			io_uring_prep_rw(RAW_OP_READ_MULTISHOT, sqe, conf->sqe_fd, NULL, 0, 0);
			sqe->flags |= conf->sqe_flags | IOSQE_BUFFER_SELECT;
			sqe->buf_group = RAW_BGID;
			armed = posted = true;
		}
		if (raw_enter(conf, ring, posted) < 0)
			return -EIO;
	}
	raw_drain_report(conf, &d, "read-mshot", RAW_MSHOT_BUFS);
	return 0;
}

/*
 * Plain system calls: one non-blocking readv() per frame. The time is taken
 * at the end of a run of frames (reaching COUNT, or the first -EAGAIN after
 * it), not per frame.
 */
static int
raw_read_readv(const struct raw_conf *conf, int fd)
{
	static uint8_t buf[RAW_BUF_SIZE];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct raw_drain d = { 0 };
	unsigned int pending = 0;

	if (raw_handshake(conf, &d.target) < 0)
		return -EINVAL;

	raw_drain_start(&d);
	while (d.got + pending < d.target) {
		ssize_t n = readv(fd, &iov, 1);
		int res = n < 0 ? -errno : (int)n;

		if (res > RAW_VNET_HDR_LEN) {
			pending++;
			continue;
		}
		if (pending > 0) {
			raw_drain_frames(&d, pending);
			pending = 0;
		}
		if (res == -EINTR)
			continue;
		raw_tally_fail(&d.tally, res);
		if (res == -EAGAIN && raw_drain_idle(&d))
			break;
	}
	if (pending > 0)
		raw_drain_frames(&d, pending);
	raw_drain_report(conf, &d, "read-readv", 1);
	return 0;
}

static int
raw_parse_args(int argc, char **argv, struct raw_conf *conf)
{
	unsigned int i;
	int opt;

	memset(conf, 0, sizeof(*conf));
	conf->size = 64;
	conf->seconds = 2;
	conf->batch = 32;
	conf->cpu = 1;
	conf->txqlen = 100000;
	conf->ring = RAW_RING_COOP;
	conf->fixed_file = true;
	if (argc < 2)
		return -EINVAL;
	if (strcmp(argv[1], "write") == 0)
		conf->mode = RAW_WRITE;
	else if (strcmp(argv[1], "read") == 0)
		conf->mode = RAW_READ;
	else
		return -EINVAL;
	optind = 2;
	while ((opt = getopt(argc, argv, "i:s:t:b:c:q:R:NBuMSPh")) != -1) {
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
		case 'R':
			for (i = 0; i < RAW_DIM(raw_ring_names); i++)
				if (strcmp(optarg, raw_ring_names[i]) == 0)
					break;
			if (i == RAW_DIM(raw_ring_names))
				return -EINVAL;
			conf->ring = (enum raw_ring)i;
			conf->ring_opts = true;
			break;
		case 'N':
			conf->fixed_file = false;
			conf->ring_opts = true;
			break;
		case 'B':
			conf->fixed_buffers = true;
			conf->ring_opts = true;
			break;
		case 'P':
			conf->pi = true;
			break;
		case 'M':
		case 'S':
			if (conf->mode != RAW_READ)
				return -EINVAL; /* read only, one of the two */
			conf->mode = opt == 'M' ? RAW_READ_MSHOT : RAW_READ_READV;
			break;
		default:
			return -EINVAL;
		}
	}
	if (conf->ifname == NULL || strlen(conf->ifname) >= IFNAMSIZ || conf->batch == 0 ||
	    conf->batch > RAW_MAX_BATCH || conf->seconds <= 0)
		return -EINVAL;
	/* Variants that do not apply: -B to -M, any of them to -S. */
	if ((conf->mode == RAW_READ_MSHOT && conf->fixed_buffers) ||
	    (conf->mode == RAW_READ_READV && conf->ring_opts))
		return -EINVAL;
	if (conf->pi && conf->mode != RAW_READ && conf->mode != RAW_READ_READV)
		return -EINVAL; /* -P: one-shot or readv reads only */
	if (conf->mode == RAW_READ_READV)
		conf->fixed_file = false;
	return 0;
}

/*
 * A ring set up like net_rtap's (io_mode=coop, the default), the TAP as fixed
 * file 0; or the variant -R and -N ask for. DEFER_TASKRUN binds the ring to
 * this thread, the one that polls it.
 */
static int
raw_ring_init(struct raw_conf *conf, struct io_uring *ring, int fd)
{
	static const unsigned int flags[] = {
		[RAW_RING_COOP] = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
		[RAW_RING_DEFER] = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		[RAW_RING_PLAIN] = 0,
	};
	struct io_uring_params p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.flags = flags[conf->ring];
	ret = io_uring_queue_init_params(2 * RAW_MAX_BATCH, ring, &p);
	if (ret < 0) {
		fprintf(stderr, "io_uring_queue_init(flags %#x): %s\n", p.flags, strerror(-ret));
		return ret;
	}
	conf->sqe_fd = fd;
	conf->sqe_flags = 0;
	if (!conf->fixed_file)
		return 0;
	conf->sqe_fd = 0;
	conf->sqe_flags = IOSQE_FIXED_FILE;
	ret = io_uring_register_files(ring, &fd, 1);
	if (ret < 0) {
		fprintf(stderr, "io_uring_register_files: %s\n", strerror(-ret));
		io_uring_queue_exit(ring);
	}
	return ret;
}

int
main(int argc, char **argv)
{
	struct raw_conf conf;
	struct io_uring ring;
	bool uring;
	int fd, ret;

	if (raw_parse_args(argc, argv, &conf) < 0) {
		raw_usage(argv[0]);
		return 2;
	}
	if (bench_pin(conf.cpu) < 0)
		return 1;
	fd = raw_tap_open(conf.ifname, conf.pi);
	if (fd < 0)
		return 1;
	if (conf.link_up && raw_link_up(conf.ifname, conf.mode == RAW_WRITE ? 0 : conf.txqlen) < 0)
		goto fail_fd;
	uring = conf.mode != RAW_READ_READV;
	if (uring && raw_ring_init(&conf, &ring, fd) < 0)
		goto fail_fd;
	switch (conf.mode) {
	case RAW_WRITE:
		ret = raw_write(&conf, &ring);
		break;
	case RAW_READ:
		ret = raw_read(&conf, &ring);
		break;
	case RAW_READ_MSHOT:
		ret = raw_read_mshot(&conf, &ring);
		break;
	default:
		ret = raw_read_readv(&conf, fd);
		break;
	}
	fflush(stdout);
	/* Keep the TAP (and its counters) until the caller closes our stdin. */
	while (ret == 0 && fgetc(stdin) != EOF)
		;
	if (uring) {
		/* The ring's release is asynchronous: let go of the TAP first. */
		if (conf.fixed_file)
			io_uring_unregister_files(&ring);
		io_uring_queue_exit(&ring);
	}
	free(raw_br);
	close(fd);
	return ret < 0 ? 1 : 0;

fail_fd:
	close(fd);
	return 1;
}
