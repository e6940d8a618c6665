/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The net_rtap authors
 */

/*
 * dpdk-test-rtap: runs the net_rtap unit-test suites.
 *
 *   DPDK_TEST=rtap_ops_autotest dpdk-test-rtap [EAL args]
 *   dpdk-test-rtap [EAL args] -- rtap_ops_autotest [rtap_rxtx_autotest ...]
 *
 * With no EAL arguments a private in-memory EAL on lcores 0-1 is used.
 * rtap_autotest runs every registered suite; RTAP_TEST_CASE=substring restricts
 * the cases run to those whose name contains it. The exit status is 0 when no
 * case failed, 77 (meson's "skipped") when nothing ran, 1 otherwise.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "rtap_test.h"

#define ALL_COMMAND  "rtap_autotest"
#define MAX_EAL_ARGS 64

/* EAL's arguments when none are given (the file prefix is added to them). */
static const char * const default_eal_args[] = {
	"-l", "0-1", "--in-memory", "--no-pci", "--log-level=pmd.net.rtap:info",
};

static TAILQ_HEAD(test_command_list, test_command) commands = TAILQ_HEAD_INITIALIZER(commands);

/* Totals over every suite run by this process. */
static unsigned int total_failed;
static unsigned int total_passed;

void
add_test_command(struct test_command *t)
{
	TAILQ_INSERT_TAIL(&commands, t, next);
}

static const char *
case_result(int ret)
{
	if (ret == TEST_SUCCESS)
		return "succeeded";
	if (ret == TEST_SKIPPED)
		return "skipped";
	return "failed";
}

int
unit_test_suite_runner(struct unit_test_suite *suite)
{
	unsigned int total = 0, skipped = 0, passed = 0, failed = 0;
	const char *only = getenv("RTAP_TEST_CASE");
	const struct unit_test_case *tc;
	int suite_ret = TEST_SUCCESS;
	int ret;

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite : %s\n", suite->suite_name);
	printf(" + ------------------------------------------------------- +\n");
	fflush(stdout);

	if (suite->setup != NULL) {
		suite_ret = suite->setup();
		if (suite_ret != TEST_SUCCESS && suite_ret != TEST_SKIPPED)
			suite_ret = TEST_FAILED;
		if (suite_ret != TEST_SUCCESS)
			printf(" + Suite setup %s: every case counts as %s\n",
			       suite_ret == TEST_SKIPPED ? "skipped" : "failed",
			       case_result(suite_ret));
	}

	for (tc = suite->unit_test_cases; tc->testcase != NULL; tc++) {
		/* RTAP_TEST_CASE=substring runs only the matching cases (debugging). */
		if (only != NULL && only[0] != '\0' && strstr(tc->name, only) == NULL)
			continue;
		total++;
		ret = suite_ret;
		if (ret == TEST_SUCCESS) {
			if (tc->setup != NULL)
				ret = tc->setup();
			if (ret == TEST_SUCCESS)
				ret = tc->testcase();
			else if (ret != TEST_SKIPPED)
				printf("  setup of %s failed\n", tc->name);
			/* Teardowns are idempotent: they undo whatever setup got to do. */
			if (tc->teardown != NULL)
				tc->teardown();
		}
		if (ret == TEST_SUCCESS)
			passed++;
		else if (ret == TEST_SKIPPED)
			skipped++;
		else
			failed++;
		printf(" + TestCase [%2u] : %s %s\n", total - 1, tc->name, case_result(ret));
		fflush(stdout);
	}

	if (suite->teardown != NULL && suite_ret == TEST_SUCCESS)
		suite->teardown();

	printf(" + ------------------------------------------------------- +\n");
	printf(" + Test Suite Summary : %s\n", suite->suite_name);
	printf(" + ------------------------------------------------------- +\n");
	printf(" + Tests Total :       %u\n", total);
	printf(" + Tests Skipped :     %u\n", skipped);
	printf(" + Tests Passed :      %u\n", passed);
	printf(" + Tests Failed :      %u\n", failed);
	printf(" + ------------------------------------------------------- +\n");
	fflush(stdout);

	total_passed += passed;
	total_failed += failed;
	return failed == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static struct test_command *
find_command(const char *name)
{
	struct test_command *t;

	TAILQ_FOREACH(t, &commands, next)
		if (strcmp(t->command, name) == 0)
			return t;
	return NULL;
}

static void
list_commands(void)
{
	struct test_command *t;

	printf("Available tests: %s", ALL_COMMAND);
	TAILQ_FOREACH(t, &commands, next)
		printf(" %s", t->command);
	printf("\n");
}

static int
run_command(const char *name)
{
	struct test_command *t;
	int ret = TEST_SUCCESS;

	if (strcmp(name, ALL_COMMAND) == 0) {
		TAILQ_FOREACH(t, &commands, next) {
			printf("=== %s ===\n", t->command);
			if (t->callback() == TEST_FAILED)
				ret = TEST_FAILED;
		}
		return ret;
	}
	t = find_command(name);
	if (t == NULL) {
		printf("Unknown test: %s\n", name);
		list_commands();
		return -1;
	}
	return t->callback() == TEST_FAILED ? TEST_FAILED : TEST_SUCCESS;
}

int
main(int argc, char **argv)
{
	static char prefix[64];
	char *eal_argv[MAX_EAL_ARGS];
	const char *env_cmd;
	int eal_argc = 0;
	int first_cmd = argc;
	int nb_eal = argc;
	int ret = 0;
	int i;

	/* Our own arguments follow "--"; EAL's come before. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			nb_eal = i;
			first_cmd = i + 1;
			break;
		}
	}

	eal_argv[eal_argc++] = argv[0];
	if (nb_eal > 1) {
		if (nb_eal >= MAX_EAL_ARGS) {
			fprintf(stderr, "too many EAL arguments\n");
			return 1;
		}
		for (i = 1; i < nb_eal; i++)
			eal_argv[eal_argc++] = argv[i];
	} else {
		snprintf(prefix, sizeof(prefix), "--file-prefix=rtap_test_%d", (int)getpid());
		for (i = 0; i < (int)RTE_DIM(default_eal_args); i++)
			eal_argv[eal_argc++] = (char *)(uintptr_t)default_eal_args[i];
		eal_argv[eal_argc++] = prefix;
	}
	eal_argv[eal_argc] = NULL;

	/* Unbuffered enough that a crash still shows which case was running. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}

	env_cmd = getenv("DPDK_TEST");
	if (first_cmd < argc) {
		for (i = first_cmd; i < argc; i++)
			if (run_command(argv[i]) != TEST_SUCCESS)
				ret = -1;
	} else if (env_cmd != NULL && env_cmd[0] != '\0') {
		if (run_command(env_cmd) != TEST_SUCCESS)
			ret = -1;
	} else {
		printf("Set DPDK_TEST or name tests after \"--\".\n");
		list_commands();
		ret = -1;
	}

	rte_eal_cleanup();

	if (ret != 0 || total_failed != 0)
		return 1;
	if (total_passed == 0)
		return TEST_SKIPPED;
	return 0;
}
