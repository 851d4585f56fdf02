#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the out-of-tree module for one kernel with W=1; any compiler warning
# fails the build.  Each kernel builds in its own copy of the sources,
# $BUILD/kmod-RELEASE, so two kernels never share object files.
#
# Usage: scripts/build-kmod.sh [--path] 6.1|6.12|debug|RELEASE
#   --path      build nothing, print where the last good vmshm.ko is
#   -h, --help  show this text
#
# On success the last line of stdout is the path of vmshm.ko, replaced
# atomically by each good build so that a reader never sees half a file.
# The compiler output is shown only on failure.
#
# Environment:
#   VMSHM_KMOD_SRC  module source directory (default: $VMSHM_TOP/kmod),
#                   built in $BUILD/kmod-RELEASE@NAME; a throwaway module
#                   must also build a vmshm.ko.

# shellcheck source-path=SCRIPTDIR
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }
die() { echo "build-kmod: $*" >&2; exit 1; }

path_only=
case "${1:-}" in
-h | --help) usage; exit 0 ;;
--path) path_only=1; shift ;;
esac
case "${1:-}" in
'' | -*) usage >&2; exit 2 ;;
esac

# vm-run.sh exports the environment: do not pay for setup.sh twice.
# shellcheck source=env.sh
declare -F kernel_release >/dev/null || . "$(dirname "$0")/env.sh"
rel=$(kernel_release "$1") || exit 1
src=$(realpath -e "${VMSHM_KMOD_SRC:-$VMSHM_TOP/kmod}") ||
	die "${VMSHM_KMOD_SRC:-$VMSHM_TOP/kmod}: no such module source directory"
dst=$BUILD/kmod-$rel
[ -z "${VMSHM_KMOD_SRC:-}" ] || dst+=@$(basename "$src")
out=$dst/out/vmshm.ko

if [ -n "$path_only" ]; then
	[ -f "$out" ] || die "$out: not built yet"
	echo "$out"
	exit 0
fi
[ -f "$src/Kbuild" ] || [ -f "$src/Makefile" ] || die "$src: no Kbuild or Makefile"
kdir=$(kernel_kdir "$rel")
[ -d "$kdir" ] || die "$kdir: headers for $rel not installed"

mkdir -p "$BUILD"
exec 9>"$dst.lock"
flock 9

# Another source with the same name starts from scratch; otherwise copy with
# timestamps kept so make stays incremental, and drop deleted sources.
if [ "$(cat "$dst/.vmshm-src" 2>/dev/null)" != "$src" ]; then
	rm -rf "$dst"
	mkdir -p "$dst"
	echo "$src" >"$dst/.vmshm-src"
fi
(cd "$dst" && find . -path ./out -prune -o -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) ! -name '*.mod.c' -print) |
	while read -r f; do
		[ -e "$src/$f" ] || rm -f "$dst/$f"
	done
cp -a "$src/." "$dst/"

log=$dst/.build.log
ok=1
# A parent make -jN would make kbuild warn about its jobserver.
MAKEFLAGS= make -C "$kdir" M="$dst" W=1 modules >"$log" 2>&1 || ok=
if grep -q 'warning:' "$log"; then
	# make would not recompile these objects, and so not warn, next time.
	find "$dst" ! -path "$dst/out/*" \( -name '*.o' -o -name '*.ko' \) -delete
	if [ -n "$ok" ]; then
		grep 'warning:' "$log" >&2
		die "$dst: build for $rel has warnings (full log: $log)"
	fi
fi
[ -n "$ok" ] || { cat "$log" >&2; die "$dst: build for $rel failed"; }
[ -f "$dst/vmshm.ko" ] || die "$dst/vmshm.ko: not produced by the build"
mkdir -p "$dst/out"
cp "$dst/vmshm.ko" "$out.tmp"
mv -f "$out.tmp" "$out"
echo "$out"
