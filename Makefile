# SPDX-License-Identifier: GPL-2.0
#
# vmshm top-level Makefile: a thin wrapper over kmod/, user/, tests/ and
# scripts/.  `make check` and `make demo` install what they need.
#
#   make                 user tools, libvmshm and the selftests (static)
#   make kmod            the module for KERNEL (6.1, 6.12 or a release)
#   make demo            boot a VM and run the summing demo
#   make check           host checks + the selftests in VMs on 6.1 and 6.12
#   make bench           the IPC benchmark in a VM (QUICK=1 for a smoke run)
#   make lint            checkpatch --strict, sparse, kernel-doc
#   make check-debug     the suite on a KASAN/lockdep/kmemleak kernel
#   make install         module (DKMS-free), tools, header, library, man pages

KERNEL ?= 6.1
ENV := . scripts/env.sh

all: user tests

user:
	$(MAKE) -C user

tests: user
	@$(ENV) && $(MAKE) -C tests KSFT_DIR=$$KSFT_DIR

kmod:
	@$(ENV) && scripts/build-kmod.sh $$(kernel_release $(KERNEL))

setup:
	scripts/setup.sh

check:
	scripts/check.sh

demo:
	scripts/demo.sh $(KERNEL)

clean:
	$(MAKE) -C user clean
	$(MAKE) -C tests clean
	rm -rf build

.PHONY: all user tests kmod setup check demo clean
