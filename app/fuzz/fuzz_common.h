/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * What the libFuzzer targets share: a reader over the fuzzer's bytes that
 * never fails (past the end it yields zeros), an EAL brought up once for an
 * mbuf pool, ASan poisoning of an mbuf's buffer around the bytes a function
 * may touch, and the one way a target reports a broken property (abort, so
 * that libFuzzer keeps the input as a crash).
 */

#ifndef _RTAP_FUZZ_COMMON_H_
#define _RTAP_FUZZ_COMMON_H_

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define FUZZ_ASSERT(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

struct fuzz_in {
	const uint8_t *p;
	size_t len;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->len > 0) {
		v = *in->p++;
		in->len--;
	}
	return v;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | fuzz_u8(in) << 8);
}

static inline uint64_t
fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v |= (uint64_t)fuzz_u8(in) << (8 * i);
	return v;
}

/*
 * EAL once per process, for mempools only: no hugepages, no shared files
 * (--no-huge, --no-shconf; --in-memory is refused with --no-huge), no
 * devices, one lcore, quiet. Returns the pool (@n mbufs), or exits.
 */
static inline struct rte_mempool *
fuzz_eal_pool(const char *prog, unsigned int n, uint16_t data_room)
{
	static const char * const args[] = {
		"--no-huge",
		"-m",
		"128",
		"--no-shconf",
		"-l",
		"0",
		"--no-pci",
		"--no-telemetry",
		"--log-level=error",
	};
	char *argv[RTE_DIM(args) + 1];
	struct rte_mempool *mp;
	unsigned int i;

	argv[0] = (char *)(uintptr_t)prog;
	for (i = 0; i < RTE_DIM(args); i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "fuzz: rte_eal_init: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	mp = rte_pktmbuf_pool_create("fuzz_mp", n, 0, 0, data_room, SOCKET_ID_ANY);
	if (mp == NULL) {
		fprintf(stderr, "fuzz: mbuf pool: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	return mp;
}

/* Make @m's buffer inaccessible but for [data - @before, data + @after). */
static inline void
fuzz_poison(const struct rte_mbuf *m, uint32_t before, uint32_t after)
{
	uint8_t *buf = m->buf_addr;
	uint32_t lo = m->data_off >= before ? m->data_off - before : 0;
	uint32_t hi = RTE_MIN((uint32_t)m->data_off + after, (uint32_t)m->buf_len);

	ASAN_POISON_MEMORY_REGION(buf, lo);
	ASAN_POISON_MEMORY_REGION(buf + hi, m->buf_len - hi);
}

static inline void
fuzz_unpoison(const struct rte_mbuf *m)
{
	ASAN_UNPOISON_MEMORY_REGION(m->buf_addr, m->buf_len);
}

/* Every mbuf an input took went back: a leak is a crash. */
static inline void
fuzz_pool_empty(const struct rte_mempool *mp)
{
	unsigned int n = rte_mempool_in_use_count(mp);

	FUZZ_ASSERT(n == 0, "%u mbufs not returned to the pool", n);
}

/* RFC 1071 sum of @len bytes as big-endian words, folded; byte-wise, unlike DPDK's. */
static inline uint16_t
fuzz_ref_sum(const uint8_t *p, uint32_t len, uint64_t sum)
{
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint64_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint64_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

#endif /* _RTAP_FUZZ_COMMON_H_ */
