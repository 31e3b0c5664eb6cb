// SPDX-License-Identifier: GPL-2.0-only
/*
 * Selftest of what a user-space caller of the sample's drivers waits for
 * while root interferes with the pipes of the unsealed control
 * (sample_unsealed), the way only a process, not a KUnit kthread, can see:
 *
 * - root holds the mutex of the handler's reply pipe, by writing into the
 *   handler's /proc/PID/fd/1 from a userfaultfd page that nobody serves. A
 *   request must come back within its deadline and the stop's wait, and
 *   removing sample_loader within the stop's wait: the final fput() of the
 *   pipes, which waits for that mutex, must not be the caller's.
 * - root's fanotify listener marks both pipes of the handler, permission
 *   and notification events, and never answers. A request and removing
 *   sample_loader must be just as bounded. Controls on a regular file show
 *   that the listener gets events and that an unanswered permission event
 *   holds up whoever caused it.
 *
 * Each call is made by a child process; if it is not back well after its
 * bound, the test frees what holds it and reports the time it took.
 *
 * Needs root, the sample_mgr module loaded, sample_loader loadable by
 * modprobe, and a kernel with userfaultfd and fanotify permission events.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../kselftest.h"
#include "sample_umd_test.h"

/* The sample's deadline and stop wait: the library's defaults. */
#define TIMEOUT_MS	5000	/* UMD_MGMT_DEFAULT_TIMEOUT_MS */
#define STOP_WAIT_MS	1000	/* UMD_MGMT_STOP_WAIT_MS */
/* What a call may take beyond its bound, on a slow emulated guest. */
#define SLACK_MS	1000
/* When the test stops waiting for a call and frees what holds it. */
#define GIVE_UP_MS	(TIMEOUT_MS + STOP_WAIT_MS + 5000)

#define CONTROL_FILE	"/tmp/umd_bounded_control"

struct timed {
	long long ms;	/* from the call to the caller's exit */
	int err;	/* its errno, 0, or SETUP_FAILED */
	bool rescued;	/* whether the test had to free it */
};

/* The call a child makes: returns 0 or an errno. */
static int call_request(const void *arg)
{
	return write_file(UNSEALED_FILE, arg);
}

static int call_unload(const void *arg)
{
	return syscall(__NR_delete_module, LOADER, O_NONBLOCK) ? errno : 0;
}

/*
 * Make @call in a child and time it until the child is gone. If it is not
 * gone after GIVE_UP_MS, call @rescue(@ctx), which must free it.
 */
static struct timed timed_call(int (*call)(const void *), const void *arg,
			       void (*rescue)(void *), void *ctx)
{
	struct timed t = { .err = SETUP_FAILED };
	long long start = now_us();
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return t;
	if (!pid)
		_exit(call(arg));
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (!t.rescued && now_us() - start > GIVE_UP_MS * 1000LL) {
			rescue(ctx);
			t.rescued = true;
		}
		usleep(5000);
	}
	t.ms = (now_us() - start) / 1000;
	t.err = WIFEXITED(status) ? WEXITSTATUS(status) : SETUP_FAILED;
	return t;
}

/* Start the control's handler if it is not running; its pid, or 0. */
static pid_t control_running(void)
{
	pid_t pid = handler_pid(UNSEALED_COMM);

	if (pid <= 0 && !write_value(UNSEALED_FILE, "0"))
		pid = handler_pid(UNSEALED_COMM);
	return pid > 0 ? pid : 0;
}

/* Whether the control serves requests again, with sample_loader loaded. */
static bool control_recovers(void)
{
	return write_value(UNSEALED_FILE, "9") == 0 && loader_loaded() &&
	       handler_pid(UNSEALED_COMM) > 0;
}

/*
 * The holder: a process that writes into a handler's stdout from a page
 * that faults into its own userfaultfd, which it never serves. pipe_write()
 * holds the pipe's mutex while it copies, so the holder holds it until it
 * is killed.
 */
struct holder_write {
	int fd;
	void *page;
	size_t len;
};

static void *holder_writer(void *arg)
{
	struct holder_write *w = arg;

	if (write(w->fd, w->page, w->len) < 0)
		return NULL;
	return NULL;
}

/* Runs in the holder; tells @sync 'L' once the mutex is held, else 'E'. */
static void hold(pid_t handler, int sync)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long page_size = sysconf(_SC_PAGESIZE);
	struct holder_write w = { .len = page_size };
	struct uffd_msg msg;
	char path[64];
	pthread_t thread;
	int uffd;

	snprintf(path, sizeof(path), "/proc/%d/fd/1", handler);
	w.fd = open(path, O_WRONLY);
	/* Kernel-mode faults too: not UFFD_USER_MODE_ONLY, which needs root. */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	w.page = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w.fd < 0 || uffd < 0 || w.page == MAP_FAILED ||
	    ioctl(uffd, UFFDIO_API, &api))
		goto fail;
	reg.range.start = (unsigned long)w.page;
	reg.range.len = page_size;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) ||
	    pthread_create(&thread, NULL, holder_writer, &w))
		goto fail;
	/* The fault comes from pipe_write()'s copy, under the mutex. */
	if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		goto fail;
	if (write(sync, "L", 1) != 1)
		_exit(1);
	for (;;)
		pause();
fail:
	ksft_print_msg("holder: %s\n", strerror(errno));
	if (write(sync, "E", 1) != 1)
		_exit(1);
	_exit(1);
}

/* Fork a holder of @handler's reply pipe mutex: its pid, or 0. */
static pid_t hold_reply_pipe(pid_t handler)
{
	struct pollfd pfd = { .events = POLLIN };
	int sync[2];
	char c = 0;
	pid_t pid;

	if (pipe(sync))
		return 0;
	pid = fork();
	if (!pid) {
		close(sync[0]);
		hold(handler, sync[1]);
	}
	close(sync[1]);
	pfd.fd = sync[0];
	if (pid > 0 && (poll(&pfd, 1, 5000) != 1 || read(sync[0], &c, 1) != 1 ||
			c != 'L')) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = 0;
	}
	close(sync[0]);
	return pid > 0 ? pid : 0;
}

static void kill_holder(void *ctx)
{
	pid_t *holder = ctx;

	if (*holder > 0) {
		kill(*holder, SIGKILL);
		waitpid(*holder, NULL, 0);
		*holder = 0;
	}
}

static void report(const char *what, struct timed t, long long bound_ms)
{
	ksft_print_msg("bounded: %s: %s in %lld ms (bound %lld ms)%s\n", what,
		       err_name(t.err), t.ms, bound_ms,
		       t.rescued ? ", back only once the test freed it" : "");
}

/*
 * @call made while a holder holds the mutex of the control's reply pipe;
 * @gone says whether the handler was gone once the holder let go.
 */
static struct timed call_pipe_held(int (*call)(const void *),
				   const void *arg, bool *gone)
{
	pid_t handler = control_running(), holder = 0;
	struct timed t = { .err = SETUP_FAILED };

	if (handler)
		holder = hold_reply_pipe(handler);
	if (holder)
		t = timed_call(call, arg, kill_holder, &holder);
	kill_holder(&holder);
	*gone = handler && wait_gone(handler, 5000);
	return t;
}

static void test_request_pipe_held(void)
{
	long long bound = TIMEOUT_MS + STOP_WAIT_MS + SLACK_MS;
	struct timed t;
	bool gone;

	t = call_pipe_held(call_request, "1", &gone);
	report("request, reply pipe's mutex held by root", t, bound);
	/*
	 * pipe_write() adds the holder's buffer before it copies into it, so
	 * the library sees bytes no request asked for and stops the handler
	 * at once (EPROTO); a writer that held the mutex without that would
	 * leave the request to its deadline (ETIMEDOUT). Either way the
	 * handler is stopped with the mutex held.
	 */
	ksft_test_result((t.err == EPROTO || t.err == ETIMEDOUT) &&
			 !t.rescued && t.ms < bound && gone &&
			 control_recovers(),
			 "a request with the reply pipe's mutex held fails within deadline + stop wait\n");
}

static void test_unload_pipe_held(void)
{
	long long bound = STOP_WAIT_MS + SLACK_MS;
	struct timed t;
	bool gone;

	t = call_pipe_held(call_unload, NULL, &gone);
	report("rmmod " LOADER ", reply pipe's mutex held by root", t, bound);
	ksft_test_result(!t.err && !t.rescued && t.ms < bound && gone &&
			 control_recovers(),
			 "removing %s with the reply pipe's mutex held returns within the stop wait\n",
			 LOADER);
}

/* fanotify: what the listener saw, and the permission events it allowed. */
struct listener {
	int fd;
	int events;
	int perm_events;
};

/* Read and count the events queued; allow each permission event. */
static void drain(struct listener *l)
{
	union {
		struct fanotify_event_metadata first;
		char buf[4096];
	} events;
	struct fanotify_event_metadata *ev;
	struct fanotify_response resp;
	ssize_t len;

	while ((len = read(l->fd, events.buf, sizeof(events.buf))) > 0) {
		for (ev = &events.first; FAN_EVENT_OK(ev, len);
		     ev = FAN_EVENT_NEXT(ev, len)) {
			l->events++;
			if (ev->mask & (FAN_ACCESS_PERM | FAN_OPEN_PERM)) {
				l->perm_events++;
				resp.fd = ev->fd;
				resp.response = FAN_ALLOW;
				if (write(l->fd, &resp, sizeof(resp)) < 0)
					ksft_print_msg("fanotify: no response: %s\n",
						       strerror(errno));
			}
			if (ev->fd >= 0)
				close(ev->fd);
		}
	}
}

static void release_listener(void *ctx)
{
	struct listener *l = ctx;

	/* Closing the group allows every permission event it holds. */
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

#define PERM_MASK	(FAN_ACCESS_PERM | FAN_OPEN_PERM)
#define NOTIFY_MASK	(FAN_ACCESS | FAN_MODIFY | FAN_CLOSE | FAN_OPEN)

static int listen_on(struct listener *l, const char *path, uint64_t mask)
{
	return fanotify_mark(l->fd, FAN_MARK_ADD, mask, AT_FDCWD, path) ?
	       errno : 0;
}

/* Both pipes of @handler, both kinds of events. */
static int listen_on_pipes(struct listener *l, pid_t handler)
{
	char path[64];
	int fd, err = 0;

	for (fd = 0; fd <= 1 && !err; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", handler, fd);
		err = listen_on(l, path, PERM_MASK | NOTIFY_MASK);
	}
	return err;
}

static bool new_listener(struct listener *l)
{
	l->events = 0;
	l->perm_events = 0;
	l->fd = fanotify_init(FAN_CLASS_CONTENT | FAN_NONBLOCK | FAN_CLOEXEC,
			      O_RDONLY);
	if (l->fd < 0)
		ksft_print_msg("fanotify_init: %s\n", strerror(errno));
	return l->fd >= 0;
}

/*
 * The controls: on a regular file, the listener gets notification events,
 * and a permission event holds up the reader until it is answered.
 */
static void test_fanotify_control(void)
{
	struct listener l;
	bool held = false, got_notified = false;
	char c;
	int fd, status;
	pid_t reader;

	fd = open(CONTROL_FILE, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) || !new_listener(&l))
		ksft_exit_fail_msg("fanotify control: %s\n", strerror(errno));

	if (!listen_on(&l, CONTROL_FILE, FAN_MODIFY) &&
	    !write_file(CONTROL_FILE, "y")) {
		drain(&l);
		got_notified = l.events == 1;
	}

	if (!listen_on(&l, CONTROL_FILE, FAN_ACCESS_PERM)) {
		reader = fork();
		if (!reader) {
			fd = open(CONTROL_FILE, O_RDONLY);
			_exit(fd >= 0 && read(fd, &c, 1) == 1 ? 0 : 1);
		}
		/* Still reading 500 ms on: held by the unanswered event. */
		usleep(500000);
		held = reader > 0 && waitpid(reader, &status, WNOHANG) == 0;
		l.perm_events = 0;
		drain(&l);
		held = held && l.perm_events == 1 &&
		       waitpid(reader, &status, 0) == reader &&
		       WIFEXITED(status) && !WEXITSTATUS(status);
	}
	release_listener(&l);
	unlink(CONTROL_FILE);
	ksft_print_msg("bounded: fanotify control: notified %s, reader held until allowed %s\n",
		       got_notified ? "yes" : "no", held ? "yes" : "no");
	ksft_test_result(got_notified && held,
			 "fanotify notifies on a regular file, and its permission events hold the reader\n");
}

/* @call made while a listener that never answers marks both pipes. */
static void test_fanotify(const char *what, int (*call)(const void *),
			  const void *arg, long long bound)
{
	pid_t handler = control_running();
	struct timed t = { .err = SETUP_FAILED };
	struct listener l = { .fd = -1 };
	int err = SETUP_FAILED;

	if (handler && new_listener(&l))
		err = listen_on_pipes(&l, handler);
	if (!err)
		t = timed_call(call, arg, release_listener, &l);
	if (l.fd >= 0)
		drain(&l);
	release_listener(&l);
	ksft_print_msg("bounded: fanotify on both pipes of pid %d: %s, %d events, %d to allow\n",
		       handler, err_name(err), l.events, l.perm_events);
	report(what, t, bound);
	ksft_test_result(!err && !t.err && !t.rescued && t.ms < bound &&
			 control_recovers(),
			 "%s, both pipes marked by a fanotify listener that never answers, is bounded\n",
			 what);
}

int main(void)
{
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (access(UNSEALED_FILE, W_OK))
		ksft_exit_skip(UNSEALED_FILE " missing: load sample_mgr\n");
	ksft_set_plan(5);

	test_request_pipe_held();
	test_unload_pipe_held();
	test_fanotify_control();
	test_fanotify("request", call_request, "2",
		      TIMEOUT_MS + STOP_WAIT_MS + SLACK_MS);
	test_fanotify("rmmod " LOADER, call_unload, NULL,
		      STOP_WAIT_MS + SLACK_MS);

	ksft_finished();
}
