// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sample UMD Handler written in C against glibc, linked statically: the
 * comparison point for the Rust handler's size and start-up time. Like it,
 * it answers a u32 offset with 128 KiB in which only that byte is 1, or, when
 * its name ends in "_echo", echoes each 4-byte request.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#define REPLY_LEN (128 * 1024)

static unsigned char reply[REPLY_LEN];

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

int main(int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : "";
	size_t len = strlen(name);
	int echo = len >= 5 && !strcmp(name + len - 5, "_echo");
	uint32_t offset;

	while (!read_all(&offset, sizeof(offset))) {
		if (echo) {
			if (write_all(&offset, sizeof(offset)))
				return 1;
			continue;
		}
		memset(reply, 0, sizeof(reply));
		if (offset < REPLY_LEN)
			reply[offset] = 1;
		if (write_all(reply, sizeof(reply)))
			return 1;
	}
	return 0;
}
