/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/* Helpers the benchmark's C programs (gen.c, raw_uring.c) share. */

#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Monotonic time in seconds. */
static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Pin the calling thread to @cpu (nothing when negative); 0 or -errno. */
static inline int
bench_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0) {
		int err = errno;

		fprintf(stderr, "sched_setaffinity(%d): %s\n", cpu, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * An Ethernet + IPv4 + UDP frame of @size bytes (198.18.0.1:9 ->
 * 198.18.0.2:9, zero payload) into @buf, IPv4 checksum included.
 */
static inline void
bench_udp4_frame(uint8_t *buf, unsigned int size, const uint8_t dst[6], const uint8_t src[6])
{
	static const uint8_t addrs[8] = { 198, 18, 0, 1, 198, 18, 0, 2 };
	uint16_t l3 = (uint16_t)(size - 14);
	uint8_t *ip = buf + 14, *udp = ip + 20;
	uint32_t sum = 0;
	unsigned int i;

	memset(buf, 0, size);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = 0x08; /* IPv4 */
	ip[0] = 0x45;
	ip[2] = l3 >> 8;
	ip[3] = l3 & 0xff;
	ip[8] = 64;
	ip[9] = 17; /* UDP */
	memcpy(ip + 12, addrs, sizeof(addrs));
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	ip[10] = sum >> 8;
	ip[11] = sum & 0xff;
	udp[1] = 9;
	udp[3] = 9;
	udp[4] = (l3 - 20) >> 8;
	udp[5] = (l3 - 20) & 0xff;
}

#endif /* BENCH_UTIL_H */
