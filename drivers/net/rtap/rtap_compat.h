/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_COMPAT_H_
#define _RTAP_COMPAT_H_

/*
 * What differs between the DPDK releases net_rtap builds against (22.11,
 * 24.11, 25.11), where a feature test decides it. The RTAP_HAVE_* macros
 * come from meson.build's feature tests, never from a version number; the
 * guide's "Supported platforms" section lists the releases tested.
 */

#include <rte_common.h>

/*
 * A key given without a value ("persist"): rte_kvargs_process() passes the
 * handler a NULL value up to 23.07 and fails with -1 from 23.11 on, where
 * rte_kvargs_process_opt() keeps the old behaviour.
 */
#ifdef RTAP_HAVE_KVARGS_PROCESS_OPT
#define rtap_kvargs_process rte_kvargs_process_opt
#else
#define rtap_kvargs_process rte_kvargs_process
#endif

/*
 * Per-queue counters: arrays in struct rte_eth_stats up to 25.07; from
 * 25.11 on, struct eth_queue_stats, a third stats_get argument that may be
 * NULL (ethdev passes one only for the per-queue xstats). Declare the op as
 *   rtap_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats
 *                  RTAP_QSTATS_PARAM)
 * and fill the per-queue arrays through RTAP_QSTATS(stats) when not NULL.
 */
#ifdef RTAP_HAVE_ETH_QUEUE_STATS
#define RTAP_QSTATS_PARAM    , struct eth_queue_stats *qstats
#define RTAP_QSTATS(stats)   (qstats)
#define rtap_eth_queue_stats eth_queue_stats
#else
#define RTAP_QSTATS_PARAM
#define RTAP_QSTATS(stats)   (stats)
#define rtap_eth_queue_stats rte_eth_stats
#endif

/* rte_eth_rx_queue_count()'s driver op returns int from 25.11 on, uint32_t before. */
#ifdef RTAP_HAVE_RX_QUEUE_COUNT_INT
#define RTAP_RX_QUEUE_COUNT_RET int
#else
#define RTAP_RX_QUEUE_COUNT_RET uint32_t
#endif

/* ICMP type names: RTE_ICMP_TYPE_* since 24.11 (RTE_IP_ICMP_* deprecated). */
#include <rte_icmp.h>
#ifndef RTE_ICMP_TYPE_ECHO_REQUEST
#define RTE_ICMP_TYPE_ECHO_REQUEST RTE_IP_ICMP_ECHO_REQUEST
#endif

/* Packed structs: __rte_packed_begin/_end since 25.03, __rte_packed before. */
#ifndef __rte_packed_begin
#define __rte_packed_begin
#define __rte_packed_end __rte_packed
#endif

#endif /* _RTAP_COMPAT_H_ */
