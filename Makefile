# SPDX-License-Identifier: GPL-2.0
#
# vmshm top-level Makefile: a thin wrapper over kmod/, user/, tests/ and
# scripts/.  `make check` and `make demo` install what they need.
#
#   make                 user tools, libvmshm and the selftests (static)
#   make kmod            the module for KERNEL (6.1, 6.12 or a release)
#   make demo            boot a VM and run the summing demo
#   make tour            the virtual-memory tour in a VM (CHAPTER=N, KERNEL=6.12)
#   make check           host checks + the selftests in VMs on 6.1 and 6.12
#   make bench           the IPC benchmark in a VM (QUICK=1 for a smoke run)
#   make lint            checkpatch --strict, kernel-doc, sparse, W=1 builds
#   make check-debug     the suite on a KASAN/lockdep/kmemleak kernel
#   make install         module (DKMS-free), tools, headers, libraries, man pages
#   make install-dkms    the module's sources for DKMS instead (dkms.conf)

# scripts/env.sh is bash (BASH_SOURCE); Debian's /bin/sh is dash.
SHELL := /bin/bash
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

# The reliability lane; FUZZ_OPS, FUZZ_SECONDS, TRINITY_OPS: see
# scripts/check-debug.sh.
check-debug:
	scripts/check-debug.sh $(if $(FUZZ_OPS),-n $(FUZZ_OPS)) \
		$(if $(FUZZ_SECONDS),-t $(FUZZ_SECONDS)) \
		$(if $(TRINITY_OPS),-T $(TRINITY_OPS))

lint:
	scripts/lint.sh

demo:
	scripts/demo.sh $(KERNEL)

tour:
	scripts/tour.sh $(KERNEL) $(CHAPTER)

# Both kernels unless KERNEL is given; QUICK=1 is a smoke run on 6.1.
bench:
	scripts/bench.sh $(if $(filter-out 0,$(QUICK)),--quick) \
		$(if $(filter command line environment,$(origin KERNEL)),--kernel $(KERNEL))

clean:
	$(MAKE) -C user clean
	$(MAKE) -C tests clean
	rm -rf build

.PHONY: all user tests kmod setup check check-debug lint demo tour clean

# make install: each part has its own target, as in v4l2loopback.
#
#   install-kmod     vmshm.ko in DESTDIR/lib/modules/RELEASE/extra, then depmod
#                    (not with DESTDIR).  RELEASE: KERNEL when given, else the
#                    running kernel if its headers are installed, else 6.1.
#   install-utils    user/vmshmctl/vmshmctl, and user/sum/parent and
#                    user/sum/child as vmshm-parent and vmshm-child (too
#                    generic names for BINDIR; the parent runs either child
#                    name next to it), those that exist, in BINDIR
#   install-headers  the UAPI header as INCLUDEDIR/linux/vmshm.h
#   install-lib      libvmshm and libvmshm-nl in LIBDIR: the archives
#                    (.a), the shared libraries (.so.1, their sonames) and
#                    the .so links the linker looks for, then ldconfig (not
#                    with DESTDIR); libvmshm.h, vmshm_nl.h and the headers
#                    they include in INCLUDEDIR/vmshm (ring.h is too generic
#                    a name for INCLUDEDIR itself); vmshm.pc and vmshm-nl.pc
#                    for pkg-config in PKGCONFIGDIR
#   install-man      Documentation/man/*.[1-8] in MANDIR/manN
#   install-udev     60-vmshm.rules in UDEVRULESDIR (see that file), and the
#                    "vmshm" group when it is missing (not with DESTDIR)
#   install-doc      Documentation/vmshm.rst and the modprobe.d example
#                    vmshm.conf.example in DOCDIR; nothing in /etc/modprobe.d
#
# uninstall and uninstall-PART remove exactly those files.  DKMS users
# skip install-kmod: see dkms.conf.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/vmshm
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# udev reads rules from /lib (the distribution's) and /etc (the admin's),
# never from /usr/local: a PREFIX=/usr install is a package, others local.
ifeq ($(PREFIX),/usr)
UDEVRULESDIR ?= /lib/udev/rules.d
else
UDEVRULESDIR ?= /etc/udev/rules.d
endif
INSTALL ?= install
VERSION := $(shell sed -n 's/^\#define VMSHM_MOD_VERSION[[:space:]]*"\(.*\)"$$/\1/p' kmod/vmshm.h)

ifeq ($(origin KERNEL),file)
INSTALL_KERNEL := $(shell r=$$(uname -r); [ -d /lib/modules/$$r/build ] && echo $$r)
endif
INSTALL_KERNEL := $(or $(INSTALL_KERNEL),$(KERNEL))

INSTALL_PARTS := kmod utils headers lib man udev doc
# user/PATH:INSTALLED-NAME
INSTALL_PROGS := sum/parent:vmshm-parent sum/child:vmshm-child \
		 vmshmctl/vmshmctl:vmshmctl
INSTALLED_PROGS = $(foreach p,$(INSTALL_PROGS),$(lastword $(subst :, ,$(p))))
# The libraries' headers and those they include with quotes, recursively.
lib_headers = $(foreach h,$(1),$(h) $(call lib_headers,$(addprefix user/lib/,\
	$(shell sed -n 's/^\#include "\(.*\)"$$/\1/p' $(h)))))
LIB_HEADERS = $(sort $(call lib_headers,user/lib/libvmshm.h user/lib/vmshm_nl.h))
LIBS := libvmshm.a libvmshm-nl.a
SHLIBS := libvmshm.so.1 libvmshm-nl.so.1
PC_FILES := vmshm.pc vmshm-nl.pc
MAN_PAGES := $(wildcard Documentation/man/*.[1-8])

install: $(addprefix install-,$(INSTALL_PARTS))
uninstall: $(addprefix uninstall-,$(INSTALL_PARTS))

install-kmod:
	DESTDIR="$(DESTDIR)" scripts/install-kmod.sh install $(INSTALL_KERNEL)

uninstall-kmod:
	DESTDIR="$(DESTDIR)" scripts/install-kmod.sh uninstall $(INSTALL_KERNEL)

install-utils: user
	@for p in $(INSTALL_PROGS); do \
		[ ! -x user/$${p%%:*} ] || \
		$(INSTALL) -v -D -m 755 user/$${p%%:*} \
			$(DESTDIR)$(BINDIR)/$${p#*:} || exit; \
	done

uninstall-utils:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALLED_PROGS))

install-headers:
	$(INSTALL) -v -D -m 644 kmod/include/uapi/linux/vmshm.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/vmshm.h

uninstall-headers:
	rm -f $(DESTDIR)$(INCLUDEDIR)/linux/vmshm.h

install-lib: user
	$(INSTALL) -v -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/vmshm \
		$(DESTDIR)$(PKGCONFIGDIR)
	$(INSTALL) -v -m 644 $(addprefix user/lib/,$(LIBS) $(SHLIBS)) \
		$(DESTDIR)$(LIBDIR)/
	@for so in $(SHLIBS); do \
		ln -sfv $$so $(DESTDIR)$(LIBDIR)/$${so%.*} || exit; \
	done
	$(INSTALL) -v -m 644 $(LIB_HEADERS) $(DESTDIR)$(INCLUDEDIR)/vmshm/
	@for pc in $(PC_FILES); do \
		echo "packaging/$$pc.in -> $(DESTDIR)$(PKGCONFIGDIR)/$$pc"; \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		    packaging/$$pc.in >$(DESTDIR)$(PKGCONFIGDIR)/$$pc || exit; \
	done
	if [ -z "$(DESTDIR)" ]; then ldconfig; fi

uninstall-lib:
	rm -f $(addprefix $(DESTDIR)$(LIBDIR)/,$(LIBS) $(SHLIBS) $(SHLIBS:.1=))
	rm -f $(addprefix $(DESTDIR)$(PKGCONFIGDIR)/,$(PC_FILES))
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/vmshm/,$(notdir $(LIB_HEADERS)))
	[ ! -d $(DESTDIR)$(INCLUDEDIR)/vmshm ] || \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(INCLUDEDIR)/vmshm
	if [ -z "$(DESTDIR)" ]; then ldconfig; fi

install-man:
	@for f in $(MAN_PAGES); do \
		$(INSTALL) -v -D -m 644 $$f \
			$(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/} || exit; \
	done

uninstall-man:
	@for f in $(MAN_PAGES); do \
		rm -fv $(DESTDIR)$(MANDIR)/man$${f##*.}/$${f##*/}; \
	done

install-udev:
	$(INSTALL) -v -D -m 644 packaging/udev/60-vmshm.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-vmshm.rules
	@if [ -z "$(DESTDIR)" ]; then \
		getent group vmshm >/dev/null || groupadd --system vmshm; \
		udevadm control --reload-rules 2>/dev/null || true; \
	fi

# The "vmshm" group stays: users may still be in it.
uninstall-udev:
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-vmshm.rules

install-doc:
	$(INSTALL) -v -D -m 644 Documentation/vmshm.rst $(DESTDIR)$(DOCDIR)/vmshm.rst
	$(INSTALL) -v -m 644 packaging/modprobe.d/vmshm.conf.example $(DESTDIR)$(DOCDIR)/

uninstall-doc:
	rm -f $(DESTDIR)$(DOCDIR)/vmshm.rst $(DESTDIR)$(DOCDIR)/vmshm.conf.example
	[ ! -d $(DESTDIR)$(DOCDIR) ] || \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DOCDIR)

# DKMS instead of install-kmod: the module sources and dkms.conf in
# /usr/src/vmshm-VERSION, registered with "dkms add" (not with DESTDIR).
# DKMS then builds and installs the module for each kernel with headers.
DKMS_SRC := /usr/src/vmshm-$(VERSION)

install-dkms:
	rm -rf $(DESTDIR)$(DKMS_SRC)
	$(INSTALL) -v -d $(DESTDIR)$(DKMS_SRC)
	$(INSTALL) -v -m 644 dkms.conf $(DESTDIR)$(DKMS_SRC)/
	cd kmod && find . \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
		! -name '*.mod.c' | tar -cf - -T - | tar -C $(DESTDIR)$(DKMS_SRC) -xf - \
		--transform 's|^\./|kmod/|' --no-same-owner
	if [ -z "$(DESTDIR)" ]; then dkms add vmshm/$(VERSION); fi

uninstall-dkms:
	if [ -z "$(DESTDIR)" ] && dkms status vmshm/$(VERSION) | grep -q .; then \
		dkms remove vmshm/$(VERSION) --all; \
	fi
	rm -rf $(DESTDIR)$(DKMS_SRC)

.PHONY: install uninstall $(foreach p,$(INSTALL_PARTS),install-$(p) uninstall-$(p))
.PHONY: install-dkms uninstall-dkms
