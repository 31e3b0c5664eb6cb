// SPDX-License-Identifier: GPL-2.0-only
/*
 * UMD Manager of the sample UMD.
 *
 * Writing an offset to /sys/kernel/security/sample_umd asks the UMD Handler
 * for its 128 KiB reply to that offset; the write succeeds only if the
 * handler set the byte at that offset to 1 and left every other byte zero.
 * The first request brings in the UMD Loader, sample_loader, through
 * request_module(). /sys/kernel/security/sample_umd_stats shows the library's
 * counters for it.
 *
 * That handler is sealed (UMD_MGMT_SEALED). sample_unsealed and
 * sample_unsealed_stats do the same for a second driver running the same
 * handler unsealed: a control for tests of the seal.
 */
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "sample_umd.h"

/* Set up the way a seed-era caller does: fields and a static mutex. */
struct umd_mgmt sample_mgmt = {
	.info.driver_name = "sample_umd",
	.kmod = "sample_loader",
	.flags = UMD_MGMT_SEALED,
	.lock = __MUTEX_INITIALIZER(sample_mgmt.lock),
};
EXPORT_SYMBOL_GPL(sample_mgmt);

struct umd_mgmt sample_unsealed_mgmt = {
	.info.driver_name = "sample_unsealed",
	.kmod = "sample_loader",
	.lock = __MUTEX_INITIALIZER(sample_unsealed_mgmt.lock),
};
EXPORT_SYMBOL_GPL(sample_unsealed_mgmt);

static bool reply_marks(const u8 *reply, u32 offset)
{
	if (offset >= SAMPLE_UMD_REPLY_LEN)
		return false;
	return reply[offset] == 1 && !memchr_inv(reply, 0, offset) &&
	       !memchr_inv(reply + offset + 1, 0,
			   SAMPLE_UMD_REPLY_LEN - offset - 1);
}

/* Each file's driver is the data it was created with. */
static struct umd_mgmt *sample_mgmt_of(struct file *file)
{
	return file_inode(file)->i_private;
}

static ssize_t sample_umd_write(struct file *file, const char __user *buf,
				size_t count, loff_t *ppos)
{
	u32 offset;
	u8 *reply;
	int err;

	err = kstrtou32_from_user(buf, count, 0, &offset);
	if (err)
		return err;

	reply = kvmalloc(SAMPLE_UMD_REPLY_LEN, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;

	err = umd_mgmt_send_recv(sample_mgmt_of(file), &offset, sizeof(offset),
				 reply, SAMPLE_UMD_REPLY_LEN);
	if (!err && !reply_marks(reply, offset))
		err = -EINVAL;

	kvfree(reply);
	return err ? err : count;
}

/* An open file pins the module, so that rmmod cannot pull its code away. */
static const struct file_operations sample_umd_fops = {
	.owner = THIS_MODULE,
	.write = sample_umd_write,
};

static ssize_t sample_umd_stats_read(struct file *file, char __user *buf,
				     size_t count, loff_t *ppos)
{
	struct umd_mgmt_stats stats;
	char text[256];
	int len;

	umd_mgmt_get_stats(sample_mgmt_of(file), &stats);
	len = scnprintf(text, sizeof(text),
			"requests %llu\nfailures %llu\ntimeouts %llu\nstarts %llu\nrestarts %llu\nlast_error %d\npid %d\n",
			stats.requests, stats.failures, stats.timeouts,
			stats.starts, stats.restarts, stats.last_error,
			stats.pid);
	return simple_read_from_buffer(buf, count, ppos, text, len);
}

static const struct file_operations sample_umd_stats_fops = {
	.owner = THIS_MODULE,
	.read = sample_umd_stats_read,
};

static struct sample_file {
	const char *name;
	umode_t mode;
	struct umd_mgmt *mgmt;
	const struct file_operations *fops;
	struct dentry *dentry;
} sample_files[] = {
	{ "sample_umd", 0200, &sample_mgmt, &sample_umd_fops },
	{ "sample_umd_stats", 0400, &sample_mgmt, &sample_umd_stats_fops },
	{ "sample_unsealed", 0200, &sample_unsealed_mgmt, &sample_umd_fops },
	{ "sample_unsealed_stats", 0400, &sample_unsealed_mgmt,
	  &sample_umd_stats_fops },
};

static void sample_files_remove(int n)
{
	while (n--)
		securityfs_remove(sample_files[n].dentry);
}

static int __init sample_mgr_init(void)
{
	struct sample_file *f;
	int i;

	for (i = 0; i < ARRAY_SIZE(sample_files); i++) {
		f = &sample_files[i];
		f->dentry = securityfs_create_file(f->name, f->mode, NULL,
						   f->mgmt, f->fops);
		if (IS_ERR(f->dentry)) {
			sample_files_remove(i);
			return PTR_ERR(f->dentry);
		}
	}
	return 0;
}

static void __exit sample_mgr_exit(void)
{
	sample_files_remove(ARRAY_SIZE(sample_files));
}

module_init(sample_mgr_init);
module_exit(sample_mgr_exit);
MODULE_DESCRIPTION("UMD Manager of the sample UMD");
MODULE_LICENSE("GPL");
