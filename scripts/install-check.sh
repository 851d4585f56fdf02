#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check "make install" and "make uninstall" in a temporary DESTDIR:
#
#   make install       make install (the module for 6.1) and install-kmod
#                      for 6.12 succeed; each vmshm.ko has its vermagic
#   installed files    exactly the expected files, nothing missing or extra
#   LIB.so.1           libvmshm.so.1 and libvmshm-nl.so.1 carry that
#                      soname, LIB.so links to them, and each exports
#                      exactly what its installed headers declare
#   pkg-config vmshm   pkg-config finds vmshm.pc in DESTDIR; a program
#                      builds against the installed header, needs
#                      libvmshm.so.1 and runs; with --static it links
#                      libvmshm.a and needs no shared library
#   pkg-config vmshm-nl  the same for vmshm-nl.pc and libvmshm-nl, whose
#                      libnl-genl-3.0 is a private requirement
#   vmshm-parent       the installed vmshm-parent runs vmshm-child from
#                      its own directory and sums (futex: no module needed)
#   make uninstall     make uninstall leaves no file in DESTDIR
#
# Prints one line per check, the details of a failing one under it, and a
# closing "N passed, N failed, N skipped" line; exits 1 on any failure.
# The module comes from scripts/build-kmod.sh, built now unless cached.
#
# Usage: scripts/install-check.sh
set -euo pipefail

usage() { sed -n '4,26s/^# \{0,1\}//p' "$0"; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
'') ;;
*) usage >&2; exit 2 ;;
esac

# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
# A parent make's jobserver and flags do not belong to these makes.
unset MAKEFLAGS MFLAGS MAKELEVEL

# shellcheck source=checks.sh
. scripts/checks.sh
checks_begin install-check
root=$tmp/root
PREFIX=/usr/local

# ko_suffix RELEASE -> what modules_install appends to vmshm.ko: the
# .config's module compression, unless it does not cover every module.
ko_suffix() {
	local config=/lib/modules/$1/build/.config
	grep -q '^# CONFIG_MODULE_COMPRESS_ALL is not set' "$config" && return
	sed -n 's/^CONFIG_MODULE_COMPRESS_GZIP=y$/.gz/p
		s/^CONFIG_MODULE_COMPRESS_XZ=y$/.xz/p
		s/^CONFIG_MODULE_COMPRESS_ZSTD=y$/.zst/p' "$config"
}

# The files make install must produce: update this list with the Makefile.
expected_files() {
	local rel
	for rel in "$K61" "$K612"; do
		echo "lib/modules/$rel/extra/vmshm.ko$(ko_suffix "$rel")"
	done
	cat <<-EOF
	etc/udev/rules.d/60-vmshm.rules
	${PREFIX#/}/bin/vmshm-child
	${PREFIX#/}/bin/vmshm-parent
	${PREFIX#/}/bin/vmshmctl
	${PREFIX#/}/include/linux/vmshm.h
	${PREFIX#/}/include/vmshm/compiler.h
	${PREFIX#/}/include/vmshm/libvmshm.h
	${PREFIX#/}/include/vmshm/ring.h
	${PREFIX#/}/include/vmshm/vmshm_nl.h
	${PREFIX#/}/lib/libvmshm-nl.a
	${PREFIX#/}/lib/libvmshm-nl.so
	${PREFIX#/}/lib/libvmshm-nl.so.1
	${PREFIX#/}/lib/libvmshm.a
	${PREFIX#/}/lib/libvmshm.so
	${PREFIX#/}/lib/libvmshm.so.1
	${PREFIX#/}/lib/pkgconfig/vmshm-nl.pc
	${PREFIX#/}/lib/pkgconfig/vmshm.pc
	${PREFIX#/}/share/doc/vmshm/vmshm.conf.example
	${PREFIX#/}/share/doc/vmshm/vmshm.rst
	${PREFIX#/}/share/man/man1/vmshm-child.1
	${PREFIX#/}/share/man/man1/vmshm-parent.1
	${PREFIX#/}/share/man/man4/vmshm.4
	${PREFIX#/}/share/man/man8/vmshmctl.8
	EOF
}

# Every non-directory under DESTDIR, relative to it.
installed_files() {
	find "$root" ! -type d -printf '%P\n' | LC_ALL=C sort
}

do_install() {
	local rel ko vermagic
	# run() calls this in a condition, where set -e does not apply.
	make install DESTDIR="$root" PREFIX="$PREFIX" KERNEL=6.1 || return 1
	make install-kmod DESTDIR="$root" PREFIX="$PREFIX" KERNEL=6.12 || return 1
	for rel in "$K61" "$K612"; do
		ko=$root/lib/modules/$rel/extra/vmshm.ko$(ko_suffix "$rel")
		[ -f "$ko" ] || { echo "install-check: $ko: not installed"; return 1; }
		vermagic=$(modinfo -F vermagic "$ko") ||
			{ echo "install-check: $ko: modinfo cannot read it"; return 1; }
		[ "${vermagic%% *}" = "$rel" ] ||
			{ echo "install-check: $ko: vermagic \"$vermagic\", not $rel"; return 1; }
	done
}

check_files() {
	expected_files | LC_ALL=C sort >"$tmp/expected"
	installed_files >"$tmp/installed"
	diff -u --label expected --label installed "$tmp/expected" "$tmp/installed"
}

# build_against PC PROGRAM.c [--static]: compile and link with pkg-config's
# flags for PC in DESTDIR, check what the program links, and run it.  By
# default it must need the shared library's soname; with --static it is
# linked -static against the archive and needs nothing.
# PKG_CONFIG_SYSROOT_DIR prefixes the paths of every package, also of
# libnl-genl-3.0 that vmshm-nl requires from the system; its -I and -L then
# name directories that do not exist, which the compiler skips, and
# -lnl-genl-3 is found in the system paths.
build_against() {
	local pc=$1 src=$2 static=${3:-} flags prog needed
	# shellcheck disable=SC2086 # no argument when $static is empty
	flags=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$root$PREFIX/lib/pkgconfig \
		pkg-config $static --cflags --libs "$pc") ||
		{ echo "install-check: pkg-config does not find $pc in $root"; return 1; }
	echo "pkg-config ${static:+$static }--cflags --libs $pc: $flags"
	case " $flags " in
	*" -I$root$PREFIX/include/vmshm "*" -L$root$PREFIX/lib "*) ;;
	*) echo "install-check: $pc: flags do not point into $root$PREFIX"; return 1 ;;
	esac
	prog=$tmp/$pc-prog${static:+-static}
	# shellcheck disable=SC2086 # word splitting of the flags on purpose
	cc -std=gnu11 -Wall -Wextra -Werror ${static:+-static} -o "$prog" "$src" $flags ||
		{ echo "install-check: $src does not build against the installed $pc"; return 1; }
	needed=$(readelf -dW "$prog" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')
	echo "$prog needs: ${needed:-nothing}"
	if [ -n "$static" ]; then
		[ -z "$needed" ] ||
			{ echo "install-check: the -static program needs shared libraries"; return 1; }
	else
		grep -qx "lib$pc.so.1" <<<"$needed" ||
			{ echo "install-check: the program does not need lib$pc.so.1"; return 1; }
	fi
	LD_LIBRARY_PATH=$root$PREFIX/lib "$prog" ||
		{ echo "install-check: the program built against $pc failed"; return 1; }
}

write_progs() {
	cat >"$tmp/vmshm-prog.c" <<-'EOF'
	#include <stdio.h>
	#include <libvmshm.h>

	int main(void)
	{
		char name[VMSHM_NAME_MAX] = "install-check";
		int fd = vmshm_open();	/* -errno without the module */

		printf("vmshm_open: %d, now %llu ns, name %s\n", fd,
		       (unsigned long long)vmshm_now_ns(), name);
		return vmshm_now_ns() ? 0 : 1;
	}
	EOF
	cat >"$tmp/vmshm-nl-prog.c" <<-'EOF'
	#include <stdio.h>
	#include <string.h>
	#include <vmshm_nl.h>

	int main(void)
	{
		struct vmshm_nl *nl;
		int ret = vmshm_nl_open(&nl);	/* -errno without the module */

		if (!ret)
			vmshm_nl_close(nl);
		printf("vmshm_nl_open: %d, event 1 is %s\n", ret,
		       vmshm_nl_event_name(VMSHM_EVENT_CREATED));
		return strcmp(vmshm_nl_event_name(VMSHM_EVENT_CREATED), "created");
	}
	EOF
}

check_pc_vmshm_nl_requires() {
	local req
	req=$(PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$root$PREFIX/lib/pkgconfig \
		pkg-config --print-requires-private vmshm-nl)
	[ "$req" = libnl-genl-3.0 ] ||
		{ echo "install-check: vmshm-nl requires \"$req\" privately, not libnl-genl-3.0"; return 1; }
}

# From another directory, so that only the installed vmshm-child can run.
check_parent() {
	local bin=$root$PREFIX/bin got
	(cd "$tmp" && printf '1 2\n3.5 -1\n\n9\n' |
		"$bin/vmshm-parent" --transport=futex -o "$tmp/results.txt") || return 1
	got=$(cat "$tmp/results.txt")
	[ "$got" = $'3\n2.5' ] ||
		{ echo "install-check: results \"$got\", expected \"3\" and \"2.5\""; return 1; }
}

do_uninstall() {
	make uninstall DESTDIR="$root" PREFIX="$PREFIX" KERNEL=6.1 || return 1
	make uninstall-kmod DESTDIR="$root" PREFIX="$PREFIX" KERNEL=6.12 || return 1
	installed_files >"$tmp/left"
	if [ -s "$tmp/left" ]; then
		echo "install-check: make uninstall left these files in $root:"
		cat "$tmp/left"
		return 1
	fi
}

run "make install" do_install
run "installed files" check_files
run "libvmshm.so.1: soname, exports" check_shlib "$root$PREFIX/lib" \
	"$root$PREFIX/include/vmshm" libvmshm libvmshm.h ring.h compiler.h
run "libvmshm-nl.so.1: soname, exports" check_shlib "$root$PREFIX/lib" \
	"$root$PREFIX/include/vmshm" libvmshm-nl vmshm_nl.h
write_progs
run "pkg-config vmshm" build_against vmshm "$tmp/vmshm-prog.c"
run "pkg-config --static vmshm" build_against vmshm "$tmp/vmshm-prog.c" --static
run "pkg-config vmshm-nl" build_against vmshm-nl "$tmp/vmshm-nl-prog.c"
run "pkg-config --static vmshm-nl" build_against vmshm-nl "$tmp/vmshm-nl-prog.c" --static
run "vmshm-nl.pc: libnl only for static links" check_pc_vmshm_nl_requires
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	run "vmshm-parent runs vmshm-child" check_parent
else
	echo "install-check: /dev/shm is not a writable directory: cannot run the futex transport"
	result "vmshm-parent runs vmshm-child" skip
fi
run "make uninstall" do_uninstall

checks_end
