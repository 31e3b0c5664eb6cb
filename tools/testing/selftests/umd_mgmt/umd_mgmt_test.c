// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftest of the sample UMD: drives the UMD Manager's securityfs file the
 * way a user does, and watches from user space the UMD Handler process and
 * the UMD Loader module that the library manages behind it.
 *
 * The handler is sealed against user space: the kill test uses instead the
 * unsealed control driver that sample_mgr also provides.
 *
 * Needs root and the sample_mgr module loaded; sample_loader must be
 * loadable by modprobe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"
#include "sample_umd_test.h"

/* The counter @name of the stats file @file, -1 if missing. */
static long long stat_of(const char *file, const char *name)
{
	char key[32];
	long long val;
	FILE *f;

	f = fopen(file, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%31s %lld", key, &val) == 2) {
		if (!strcmp(key, name)) {
			fclose(f);
			return val;
		}
	}
	fclose(f);
	return -1;
}

/* Whether field @name of /proc/@pid/status reads @want; logs what it reads. */
static bool status_is(pid_t pid, const char *name, const char *want)
{
	char path[64], line[256], val[64] = "";
	size_t len = strlen(name);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			sscanf(line + len + 1, "%63s", val);
	fclose(f);
	ksft_print_msg("handler pid %d: %s %s\n", pid, name, val);
	return !strcmp(val, want);
}

static void test_least_privilege(void)
{
	static const char * const caps[] = {
		"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb",
	};
	pid_t pid = handler_pid(SAMPLE_COMM);
	bool ok = pid > 0;
	int i;

	for (i = 0; i < 5; i++)
		ok &= status_is(pid, caps[i], "0000000000000000");
	ok &= status_is(pid, "NoNewPrivs", "1");
	/* 1 is strict mode: read, write and exit only. */
	ok &= status_is(pid, "Seccomp", "1");
	/* The library's default user and group, not root. */
	ok &= status_is(pid, "Uid", "65534");
	ok &= status_is(pid, "Gid", "65534");
	ksft_test_result(ok, "handler runs as 65534:65534, no caps, no_new_privs, seccomp\n");
}

/*
 * An open file of the manager pins its module: with the loader, which
 * depends on it, gone, removing the manager fails instead of leaving the
 * open file with code that is gone. A write through the open file brings
 * the loader back.
 */
static void test_open_file_pins_manager(void)
{
	int fd = open(SAMPLE_FILE, O_WRONLY), err = 0;
	bool ok = fd >= 0;

	ok = ok && !syscall(__NR_delete_module, LOADER, O_NONBLOCK) &&
	     !loader_loaded();
	if (ok && syscall(__NR_delete_module, "sample_mgr", O_NONBLOCK))
		err = errno;
	ksft_print_msg("removing sample_mgr with its file open, %s gone: %s\n",
		       LOADER, err ? strerror(err) : "removed");
	ok = ok && (err == EWOULDBLOCK || err == EBUSY);
	ok = ok && write(fd, "5", 1) == 1 && loader_loaded();
	if (fd >= 0)
		close(fd);
	ksft_test_result(ok, "an open file pins sample_mgr, also with %s gone\n",
			 LOADER);
}

static void test_stats(void)
{
	pid_t pid = handler_pid(SAMPLE_COMM);

	ksft_print_msg("stats: requests %lld, failures %lld, restarts %lld, pid %lld\n",
		       stat_of(SAMPLE_STATS_FILE, "requests"),
		       stat_of(SAMPLE_STATS_FILE, "failures"),
		       stat_of(SAMPLE_STATS_FILE, "restarts"),
		       stat_of(SAMPLE_STATS_FILE, "pid"));
	/* The restart is the control's, killed by test_restart_after_kill(). */
	ksft_print_msg("stats of %s: restarts %lld\n", UNSEALED_COMM,
		       stat_of(UNSEALED_STATS_FILE, "restarts"));
	/* Offsets 0, 1, 131071, 131072 and, after the reload, 131071. */
	ksft_test_result(pid > 0 && stat_of(SAMPLE_STATS_FILE, "pid") == pid &&
			 stat_of(SAMPLE_STATS_FILE, "requests") >= 5 &&
			 stat_of(UNSEALED_STATS_FILE, "restarts") >= 1,
			 "stats show the requests, the restart and the handler pid\n");
}

static void test_accepts(const char *val)
{
	ksft_test_result(write_value(SAMPLE_FILE, val) == 0,
			 "offset %s accepted\n", val);
}

static void test_rejects(const char *val)
{
	int err = write_value(SAMPLE_FILE, val);

	ksft_test_result(err == EINVAL, "\"%s\" rejected with EINVAL (got %s)\n",
			 val, err ? strerror(err) : "success");
}

/* On the unsealed control: a sealed handler cannot be killed from here. */
static void test_restart_after_kill(void)
{
	pid_t before = handler_pid(UNSEALED_COMM), after;
	bool ok;

	ok = before > 0 && !kill(before, SIGKILL) && wait_gone(before, 5000);
	ok = ok && handler_pid(UNSEALED_COMM) == 0;
	ok = ok && write_value(UNSEALED_FILE, "7") == 0;
	after = handler_pid(UNSEALED_COMM);
	ksft_print_msg("handler pid %d (%s) killed, restarted as pid %d\n",
		       before, UNSEALED_COMM, after);
	ksft_test_result(ok && after > 0 && after != before,
			 "handler killed with SIGKILL is restarted by the next write\n");
}

static void test_reload_after_unload(void)
{
	pid_t before = handler_pid(SAMPLE_COMM), after;
	pid_t control = handler_pid(UNSEALED_COMM);
	bool ok;

	ok = before > 0 && control > 0 && loader_loaded();
	ok = ok && !syscall(__NR_delete_module, LOADER, O_NONBLOCK);
	ok = ok && !loader_loaded() && wait_gone(before, 5000) &&
	     wait_gone(control, 5000) && handler_pid(SAMPLE_COMM) == 0 &&
	     handler_pid(UNSEALED_COMM) == 0;
	ksft_test_result(ok, "removing %s stops handler pids %d and %d (%s)\n",
			 LOADER, before, control, UNSEALED_COMM);

	ok = write_value(SAMPLE_FILE, "131071") == 0 && loader_loaded();
	after = handler_pid(SAMPLE_COMM);
	ksft_print_msg("%s loaded again, handler pid %d\n", LOADER, after);
	ksft_test_result(ok && after > 0 && after != before,
			 "a write after removal loads %s again\n", LOADER);
}

int main(void)
{
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (access(SAMPLE_FILE, W_OK))
		ksft_exit_skip(SAMPLE_FILE " missing: load sample_mgr\n");
	ksft_set_plan(13);

	test_accepts("0");
	ksft_print_msg("%s loaded: %s, handler pid %d\n", LOADER,
		       loader_loaded() ? "yes" : "no",
		       handler_pid(SAMPLE_COMM));
	test_accepts("1");
	test_accepts("131071");
	test_rejects("131072");
	test_rejects("-1");
	test_rejects("abc");
	test_restart_after_kill();
	test_reload_after_unload();
	ksft_test_result(handler_pid(SAMPLE_COMM) > 0,
			 "exactly one handler runs\n");
	test_least_privilege();
	test_stats();
	test_open_file_pins_manager();

	ksft_finished();
}
