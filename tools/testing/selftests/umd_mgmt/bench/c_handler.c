// SPDX-License-Identifier: GPL-2.0-only
/*
 * An echo UMD Handler written in C against glibc, linked statically: the
 * comparison point for the size and start-up time of the Rust fixture's
 * echo mode. Like it, it answers each 4-byte request with itself.
 */
#include <stdint.h>
#include <unistd.h>

static int read_all(void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(0, (char *)buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int write_all(const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(1, (const char *)buf + done, len - done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

int main(void)
{
	uint32_t request;

	while (!read_all(&request, sizeof(request)))
		if (write_all(&request, sizeof(request)))
			return 1;
	return 0;
}
