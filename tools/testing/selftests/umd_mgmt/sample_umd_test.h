/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the sample UMD's selftests share: the securityfs files of its two
 * drivers (sample_umd, sealed, and sample_unsealed, its control), and
 * helpers that write to them and watch, from user space, the handler
 * processes and the loader module behind them.
 */
#ifndef _SAMPLE_UMD_TEST_H
#define _SAMPLE_UMD_TEST_H

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kselftest.h"

#define SAMPLE_FILE "/sys/kernel/security/sample_umd"
#define SAMPLE_STATS_FILE "/sys/kernel/security/sample_umd_stats"
#define SAMPLE_COMM "sample_umd"
#define UNSEALED_FILE "/sys/kernel/security/sample_unsealed"
#define UNSEALED_STATS_FILE "/sys/kernel/security/sample_unsealed_stats"
#define UNSEALED_COMM "sample_unsealed"
#define LOADER "sample_loader"

/* An attempt or a call that could not be made: never a pass. */
#define SETUP_FAILED (-1)

/* "ok", the errno's name, or "setup-failed". */
static inline const char *err_name(int err)
{
	const char *name;

	if (!err)
		return "ok";
	if (err == SETUP_FAILED)
		return "setup-failed";
	name = strerrorname_np(err);
	return name ? name : "E?";
}

static inline long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Write @val to @path: 0 on success, else the errno. */
static inline int write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	n = write(fd, val, strlen(val));
	err = n < 0 ? errno : 0;
	close(fd);
	return err;
}

/* Write @val to the sample file @path, logging the result. */
static inline int write_value(const char *path, const char *val)
{
	long long start = now_us();
	int err = write_file(path, val);

	ksft_print_msg("write \"%s\" to %s: %s, %lld us\n", val,
		       strrchr(path, '/') + 1, err ? strerror(err) : "ok",
		       now_us() - start);
	return err;
}

/* A bool parameter of the umd_seal LSM (Y or N) at @path. */
static inline bool read_seal_param(const char *path)
{
	char val[8] = "";
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		ksft_exit_fail_msg("%s: %s: the kernel needs the umd_seal LSM\n",
				   path, strerror(errno));
	if (!fgets(val, sizeof(val), f))
		val[0] = '\0';
	fclose(f);
	if (val[0] != 'Y' && val[0] != 'N')
		ksft_exit_fail_msg("%s reads \"%s\"\n", path, val);
	return val[0] == 'Y';
}

/* The state letter of process @pid (R, S, T, Z...), 0 if it is gone. */
static inline char proc_state(pid_t pid)
{
	char path[64], stat[256], *state;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(stat, sizeof(stat), f))
		stat[0] = '\0';
	fclose(f);
	state = strrchr(stat, ')');
	return state && state[1] == ' ' ? state[2] : 0;
}

/* Whether process @pid exists and is not a zombie. */
static inline bool alive(pid_t pid)
{
	char state = proc_state(pid);

	return state && state != 'Z' && state != 'X';
}

/* The pid of the handler named @name: 0 if none runs, -1 if several do. */
static inline pid_t handler_pid(const char *name)
{
	char path[300], comm[32], want[32];
	struct dirent *d;
	pid_t found = 0;
	DIR *proc;
	FILE *f;

	snprintf(want, sizeof(want), "%s\n", name);
	proc = opendir("/proc");
	if (!proc)
		ksft_exit_fail_msg("cannot open /proc: %s\n", strerror(errno));
	while ((d = readdir(proc))) {
		if (!isdigit(d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, want) &&
		    alive(atoi(d->d_name)))
			found = found ? -1 : atoi(d->d_name);
		fclose(f);
	}
	closedir(proc);
	return found;
}

/* Wait up to @ms for @pid to be gone. */
static inline bool wait_gone(pid_t pid, int ms)
{
	int i;

	for (i = 0; i < ms / 10 && alive(pid); i++)
		usleep(10000);
	return !alive(pid);
}

static inline bool loader_loaded(void)
{
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/modules", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, LOADER " ", strlen(LOADER) + 1))
			found = true;
	fclose(f);
	return found;
}

#endif /* _SAMPLE_UMD_TEST_H */
