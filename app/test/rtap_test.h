/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

#ifndef _RTAP_TEST_H_
#define _RTAP_TEST_H_

/*
 * A small unit-test framework with the names and semantics of DPDK's
 * app/test (which installs no header): cases grouped in suites with setup
 * and teardown, assertion macros that log file:line and return TEST_FAILED
 * from the enclosing function, and commands selected by DPDK_TEST.
 */

#include <stdio.h>
#include <sys/queue.h>

#include <rte_common.h>

#define TEST_SUCCESS 0
#define TEST_FAILED  -1
#define TEST_SKIPPED 77

#define RTAP_TEST_TRACE(fmt, ...) printf("  %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

#define TEST_ASSERT(cond, msg, ...) \
	do { \
		if (!(cond)) { \
			RTAP_TEST_TRACE("assertion \"%s\" failed: " msg, #cond, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_EQUAL(a, b, msg, ...) \
	do { \
		if (!((a) == (b))) { \
			RTAP_TEST_TRACE("%s != %s: " msg, #a, #b, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_NOT_EQUAL(a, b, msg, ...) \
	do { \
		if ((a) == (b)) { \
			RTAP_TEST_TRACE("%s == %s: " msg, #a, #b, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

/* Success is 0; anything else (e.g. -errno) fails and is printed. */
#define TEST_ASSERT_SUCCESS(val, msg, ...) \
	do { \
		long long _rtap_v = (long long)(val); \
		if (_rtap_v != 0) { \
			RTAP_TEST_TRACE("%s returned %lld: " msg, #val, _rtap_v, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_FAIL(val, msg, ...) \
	do { \
		if ((val) == 0) { \
			RTAP_TEST_TRACE("%s succeeded: " msg, #val, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_NULL(val, msg, ...) \
	do { \
		if ((val) != NULL) { \
			RTAP_TEST_TRACE("%s is not NULL: " msg, #val, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

#define TEST_ASSERT_NOT_NULL(val, msg, ...) \
	do { \
		if ((val) == NULL) { \
			RTAP_TEST_TRACE("%s is NULL: " msg, #val, ##__VA_ARGS__); \
			return TEST_FAILED; \
		} \
	} while (0)

/* Skip the current case (or suite, from a suite setup). */
#define TEST_SKIP(msg, ...) \
	do { \
		RTAP_TEST_TRACE("skipped: " msg, ##__VA_ARGS__); \
		return TEST_SKIPPED; \
	} while (0)

struct unit_test_case {
	int (*setup)(void);
	void (*teardown)(void);
	int (*testcase)(void);
	const char *name;
};

/* clang-format off */
#define TEST_CASE(fn) {NULL, NULL, fn, #fn}
#define TEST_CASE_ST(setup, teardown, fn) {setup, teardown, fn, #fn}
#define TEST_CASES_END() {NULL, NULL, NULL, NULL}
/* clang-format on */

struct unit_test_suite {
	const char *suite_name;
	int (*setup)(void);
	void (*teardown)(void);
	struct unit_test_case unit_test_cases[];
};

/* Runs every case of the suite, prints the summary; TEST_SUCCESS if none failed. */
int unit_test_suite_runner(struct unit_test_suite *suite);

typedef int(test_callback)(void);

struct test_command {
	TAILQ_ENTRY(test_command) next;
	const char *command;
	test_callback *callback;
};

void add_test_command(struct test_command *t);

#define REGISTER_TEST_COMMAND(cmd, func) \
	static struct test_command test_struct_##cmd = { \
		.command = RTE_STR(cmd), \
		.callback = func, \
	}; \
	RTE_INIT(test_register_##cmd) \
	{ \
		add_test_command(&test_struct_##cmd); \
	}

#endif /* _RTAP_TEST_H_ */
