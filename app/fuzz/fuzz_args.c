/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * libFuzzer target: the devargs parser, rtap_parse_args() of rtap_args.c,
 * linked alone (no EAL: kvargs and the MAC parser need none). The input is
 * the devargs string (cut at its first NUL, as a C string would be).
 *
 * Properties: no memory error or leak (kvargs allocates); a success leaves
 * a NUL-terminated interface name the kernel could take (a %d at most once),
 * a unicast MAC when one was given, a txqueuelen in range; a failure
 * returns -EINVAL; parsing twice gives the same result.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "fuzz_common.h"
#include "rtap.h"

/* rtap_ethdev.c registers the driver's log type; here the parser is alone. */
int rtap_logtype;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	/* The log lines are formatted (their code runs), and thrown away. */
	FILE *null = fopen("/dev/null", "w");

	if (null != NULL)
		rte_openlog_stream(null);
	rtap_logtype = RTE_LOGTYPE_USER1;
	rte_log_set_level(rtap_logtype, RTE_LOG_DEBUG);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtap_args a, b;
	char *params;
	int ret, ret2;

	params = malloc(size + 1);
	if (params == NULL)
		return 0;
	memcpy(params, data, size);
	params[size] = '\0';

	ret = rtap_parse_args("net_rtap_fuzz", params, &a);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL, "rtap_parse_args: %d", ret);
	if (ret == 0) {
		size_t n = strnlen(a.ifname, sizeof(a.ifname));
		const char *pct = strchr(a.ifname, '%');

		FUZZ_ASSERT(n > 0 && n < sizeof(a.ifname), "interface name of %zu bytes", n);
		FUZZ_ASSERT(strpbrk(a.ifname, "/: \t\n") == NULL && strcmp(a.ifname, ".") != 0 &&
				    strcmp(a.ifname, "..") != 0,
			    "invalid name \"%s\" accepted", a.ifname);
		FUZZ_ASSERT(pct == NULL || (pct[1] == 'd' && strchr(pct + 2, '%') == NULL),
			    "name \"%s\": stray %%", a.ifname);
		FUZZ_ASSERT(!a.has_mac || rte_is_valid_assigned_ether_addr(&a.mac),
			    "MAC not unicast");
		FUZZ_ASSERT(a.txqlen <= RTAP_MAX_TXQLEN, "txqueuelen %u", a.txqlen);
	}
	ret2 = rtap_parse_args("net_rtap_fuzz", params, &b);
	FUZZ_ASSERT(ret2 == ret, "a second parse returned %d, the first %d", ret2, ret);
	if (ret == 0)
		FUZZ_ASSERT(strcmp(a.ifname, b.ifname) == 0 && a.has_mac == b.has_mac &&
				    (!a.has_mac || rte_is_same_ether_addr(&a.mac, &b.mac)) &&
				    a.persist == b.persist && a.sqpoll == b.sqpoll &&
				    a.txqlen == b.txqlen,
			    "a second parse differs");
	free(params);
	return 0;
}
