// SPDX-License-Identifier: GPL-2.0
/*
 * The shared libraries keep programs built against an older header
 * working: vmshm_stat() and vmshm_get_info() of version VMSHM_1.0 write
 * only the structs of VMSHM_VERSION 2, those of VMSHM_1.1 (the default)
 * the whole structs, and libvmshm-nl keeps both versions of each function
 * whose struct grew.  The libraries are the ones user/Makefile built,
 * opened with dlopen(); no module is needed: the ioctl fails with ENOTTY
 * on /dev/null after the library has filled the struct in.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "exe.h"
#include "kselftest_harness.h"

#include <linux/vmshm.h>

#define GUARD	0xa5

typedef int (*sized_fn)(int fd, void *arg);

/* dlopen() the library @name that user/Makefile built. */
static void *open_lib(const char *name)
{
	char rel[64], path[PATH_MAX];

	snprintf(rel, sizeof(rel), "../../user/lib/%s", name);
	if (vmshm_exe_relpath(path, sizeof(path), rel))
		return NULL;
	return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

/*
 * Call @fn on a buffer of GUARD bytes; return how many bytes from the
 * start it changed: the size it set and the zeroes after it.
 */
static size_t bytes_written(sized_fn fn, int fd, uint32_t *size, int *ret)
{
	unsigned char buf[256];
	size_t n = sizeof(buf);

	memset(buf, GUARD, sizeof(buf));
	*ret = fn(fd, buf);
	memcpy(size, buf, sizeof(*size));
	while (n && buf[n - 1] == GUARD)
		n--;
	return n;
}

FIXTURE(abi) {
	void *lib;
	int fd;
};

FIXTURE_SETUP(abi)
{
	self->lib = open_lib("libvmshm.so.1");
	ASSERT_NE(NULL, self->lib) TH_LOG("%s: run make in user/", dlerror());
	self->fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(abi)
{
	close(self->fd);
	dlclose(self->lib);
}

/* @sym of @version writes @want bytes, its size first. */
#define ASSERT_WRITES(_sym, _version, _want) do {			\
	sized_fn __fn = (sized_fn)dlvsym(self->lib, _sym, _version);	\
	uint32_t __size;						\
	int __ret;							\
									\
	ASSERT_NE(NULL, __fn) TH_LOG("%s@%s", _sym, _version);		\
	ASSERT_EQ((size_t)(_want),					\
		  bytes_written(__fn, self->fd, &__size, &__ret))	\
		TH_LOG("%s@%s", _sym, _version);			\
	ASSERT_EQ((uint32_t)(_want), __size);				\
	ASSERT_EQ(-ENOTTY, __ret);					\
} while (0)

TEST_F(abi, stat_keeps_the_old_size)
{
	ASSERT_WRITES("vmshm_stat", "VMSHM_1.0",
		      offsetof(struct vmshm_stat, out_swapped));
	ASSERT_WRITES("vmshm_stat", "VMSHM_1.1", sizeof(struct vmshm_stat));
}

TEST_F(abi, get_info_keeps_the_old_size)
{
	ASSERT_WRITES("vmshm_get_info", "VMSHM_1.0",
		      offsetof(struct vmshm_info, out_swapped_pages));
	ASSERT_WRITES("vmshm_get_info", "VMSHM_1.1",
		      sizeof(struct vmshm_info));
}

/*
 * Each function whose struct grew has both versions; those that copy the
 * struct out to the caller have two different ones.
 */
TEST(nl_versions)
{
	static const struct { const char *sym; bool copies; } f[] = {
		{ "vmshm_nl_get_region", true },
		{ "vmshm_nl_get_stats", true },
		{ "vmshm_nl_dump_regions", false },
		{ "vmshm_nl_dump_mappings", false },
	};
	void *lib = open_lib("libvmshm-nl.so.1"), *old, *cur;
	size_t i;

	ASSERT_NE(NULL, lib) TH_LOG("%s: run make in user/", dlerror());
	for (i = 0; i < ARRAY_SIZE(f); i++) {
		old = dlvsym(lib, f[i].sym, "VMSHM_NL_1.0");
		cur = dlvsym(lib, f[i].sym, "VMSHM_NL_1.1");
		ASSERT_NE(NULL, old) TH_LOG("%s@VMSHM_NL_1.0", f[i].sym);
		ASSERT_NE(NULL, cur) TH_LOG("%s@VMSHM_NL_1.1", f[i].sym);
		/* The default version is the one dlsym() finds. */
		ASSERT_EQ(cur, dlsym(lib, f[i].sym));
		if (f[i].copies)
			ASSERT_NE(old, cur) TH_LOG("%s", f[i].sym);
	}
	dlclose(lib);
}

TEST_HARNESS_MAIN
