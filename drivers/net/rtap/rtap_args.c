/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * The devargs parser: a string from the application in, struct rtap_args
 * out, nothing else touched. Its own file so that devtools/fuzz can run it
 * with no EAL and no interface.
 */

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_kvargs.h>
#include <rte_string_fns.h>

#include "rtap.h"

#define RTAP_DEFAULT_IFNAME "rtap%d"

static const char * const rtap_valid_args[] = {
	RTAP_ARG_IFACE, RTAP_ARG_MAC, RTAP_ARG_PERSIST, RTAP_ARG_IO_MODE, RTAP_ARG_TXQLEN,
	RTAP_ARG_FDS,	NULL,
};

/* A devarg value in a log line: at most RTAP_ARG_SHOW characters of it. */
#define RTAP_ARG_SHOW	64
#define RTAP_ARG_FMT	"%.64s%s"
#define RTAP_ARG_VAL(v) (v), strlen(v) > RTAP_ARG_SHOW ? "..." : ""

static int
rtap_parse_iface(const char *key, const char *value, void *opaque)
{
	struct rtap_args *args = opaque;
	const char *pct;

	if (value == NULL || *value == '\0') {
		PMD_LOG(ERR, "%s: empty interface name", key);
		return -EINVAL;
	}
	if (strlen(value) >= IFNAMSIZ) {
		PMD_LOG(ERR, "%s=" RTAP_ARG_FMT ": interface names are at most %d characters", key,
			RTAP_ARG_VAL(value), IFNAMSIZ - 1);
		return -EINVAL;
	}
	if (strpbrk(value, "/: \t\n") != NULL || strcmp(value, ".") == 0 ||
	    strcmp(value, "..") == 0) {
		PMD_LOG(ERR, "%s=%s: not a valid interface name", key, value);
		return -EINVAL;
	}
	/* The kernel numbers a name with one "%d" in it, and takes no other '%'. */
	pct = strchr(value, '%');
	if (pct != NULL && (pct[1] != 'd' || strchr(pct + 2, '%') != NULL)) {
		PMD_LOG(ERR,
			"%s=%s: a name may hold one %%d (for the kernel's number) and no other %%",
			key, value);
		return -EINVAL;
	}
	strlcpy(args->ifname, value, sizeof(args->ifname));
	return 0;
}

static int
rtap_parse_mac(const char *key, const char *value, void *opaque)
{
	struct rtap_args *args = opaque;

	if (value == NULL || rte_ether_unformat_addr(value, &args->mac) < 0 ||
	    strlen(value) != RTE_ETHER_ADDR_FMT_SIZE - 1) {
		PMD_LOG(ERR, "%s=" RTAP_ARG_FMT ": expected xx:xx:xx:xx:xx:xx", key,
			RTAP_ARG_VAL(value ? value : ""));
		return -EINVAL;
	}
	if (!rte_is_valid_assigned_ether_addr(&args->mac)) {
		PMD_LOG(ERR, "%s=%s: not a unicast address", key, value);
		return -EINVAL;
	}
	args->has_mac = true;
	return 0;
}

/* A boolean devarg: "0", "1", or the bare key for 1. */
static int
rtap_parse_persist(const char *key, const char *value, void *opaque)
{
	struct rtap_args *args = opaque;

	if (value == NULL || strcmp(value, "1") == 0) {
		args->persist = true;
		return 0;
	}
	if (strcmp(value, "0") == 0) {
		args->persist = false;
		return 0;
	}
	PMD_LOG(ERR, "%s=" RTAP_ARG_FMT ": expected 0 or 1", key, RTAP_ARG_VAL(value));
	return -EINVAL;
}

static int
rtap_parse_io_mode(const char *key, const char *value, void *opaque)
{
	struct rtap_args *args = opaque;

	if (value != NULL && strcmp(value, "coop") == 0) {
		args->sqpoll = false;
		return 0;
	}
	if (value != NULL && strcmp(value, "sqpoll") == 0) {
		args->sqpoll = true;
		return 0;
	}
	PMD_LOG(ERR, "%s=" RTAP_ARG_FMT ": expected coop or sqpoll", key,
		RTAP_ARG_VAL(value ? value : ""));
	return -EINVAL;
}

static int
rtap_parse_txqlen(const char *key, const char *value, void *opaque)
{
	struct rtap_args *args = opaque;
	unsigned long n;
	char *end;

	errno = 0;
	n = value != NULL && isdigit((unsigned char)*value) ? strtoul(value, &end, 10) : 0;
	if (n == 0 || errno != 0 || *end != '\0' || n > RTAP_MAX_TXQLEN) {
		PMD_LOG(ERR, "%s=" RTAP_ARG_FMT ": expected a frame count from 1 to %u", key,
			RTAP_ARG_VAL(value ? value : ""), RTAP_MAX_TXQLEN);
		return -EINVAL;
	}
	args->txqlen = (unsigned int)n;
	return 0;
}

/*
 * fds=A:B:...: TAP queue fds a parent opened for the application, one per
 * rx queue (colons, as kvargs splits at commas). Only the syntax here: the
 * probe checks that each is a queue of one multi-queue TAP.
 */
static int
rtap_parse_fds(const char *key, const char *value, void *opaque)
{
	struct rtap_args *args = opaque;
	const char *p = value != NULL ? value : "";
	unsigned int i;

	args->nb_fds = 0;
	while (p != NULL) {
		unsigned long n;
		char *end;

		errno = 0;
		n = isdigit((unsigned char)*p) ? strtoul(p, &end, 10) : ULONG_MAX;
		if (n > INT_MAX || errno != 0 || (*end != '\0' && *end != ':')) {
			PMD_LOG(ERR, "%s=" RTAP_ARG_FMT ": expected fd numbers separated by ':'",
				key, RTAP_ARG_VAL(value ? value : ""));
			return -EINVAL;
		}
		if (args->nb_fds == RTAP_MAX_QUEUES) {
			PMD_LOG(ERR, "%s: more than %u fds (one per rx queue)", key,
				RTAP_MAX_QUEUES);
			return -EINVAL;
		}
		for (i = 0; i < args->nb_fds; i++) {
			if (args->fds[i] == (int)n) {
				PMD_LOG(ERR, "%s: fd %lu given twice", key, n);
				return -EINVAL;
			}
		}
		args->fds[args->nb_fds++] = (int)n;
		p = *end == ':' ? end + 1 : NULL;
	}
	return 0;
}

int
rtap_parse_args(const char *name, const char *params, struct rtap_args *args)
{
	static const struct {
		const char *key;
		arg_handler_t handler;
	} parsers[] = {
		{ RTAP_ARG_IFACE, rtap_parse_iface },	  { RTAP_ARG_MAC, rtap_parse_mac },
		{ RTAP_ARG_PERSIST, rtap_parse_persist }, { RTAP_ARG_IO_MODE, rtap_parse_io_mode },
		{ RTAP_ARG_TXQLEN, rtap_parse_txqlen },	  { RTAP_ARG_FDS, rtap_parse_fds },
	};
	struct rte_kvargs *kvlist;
	unsigned int i;
	size_t len;
	int ret = 0;

	memset(args, 0, sizeof(*args));
	strlcpy(args->ifname, RTAP_DEFAULT_IFNAME, sizeof(args->ifname));
	if (params == NULL || *params == '\0')
		return 0;

	/* kvargs skips empty items; a stray comma is a typo worth a word. */
	len = strlen(params);
	if (params[0] == ',' || params[len - 1] == ',' || strstr(params, ",,") != NULL) {
		PMD_LOG(ERR, "%s: empty item in devargs \"" RTAP_ARG_FMT "\"", name,
			RTAP_ARG_VAL(params));
		return -EINVAL;
	}
	kvlist = rte_kvargs_parse(params, rtap_valid_args);
	if (kvlist == NULL) {
		PMD_LOG(ERR,
			"%s: invalid devargs \"" RTAP_ARG_FMT "\" (valid keys: %s %s %s %s %s %s)",
			name, RTAP_ARG_VAL(params), RTAP_ARG_IFACE, RTAP_ARG_MAC, RTAP_ARG_PERSIST,
			RTAP_ARG_IO_MODE, RTAP_ARG_TXQLEN, RTAP_ARG_FDS);
		return -EINVAL;
	}
	for (i = 0; i < RTE_DIM(parsers) && ret == 0; i++) {
		if (rte_kvargs_count(kvlist, parsers[i].key) > 1) {
			PMD_LOG(ERR, "%s: %s given more than once", name, parsers[i].key);
			ret = -EINVAL;
			break;
		}
		/* kvargs returns -1 for any handler's failure: the handlers' error is -EINVAL. */
		ret = rtap_kvargs_process(kvlist, parsers[i].key, parsers[i].handler, args);
		if (ret != 0)
			ret = -EINVAL;
	}
	if (ret == 0 && args->nb_fds > 0 && rte_kvargs_count(kvlist, RTAP_ARG_IFACE) > 0) {
		PMD_LOG(ERR, "%s: %s and %s exclude each other: the fds name the interface", name,
			RTAP_ARG_IFACE, RTAP_ARG_FDS);
		ret = -EINVAL;
	}
	rte_kvargs_free(kvlist);
	return ret;
}
