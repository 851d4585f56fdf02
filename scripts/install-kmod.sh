#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make install-kmod / uninstall-kmod: put vmshm.ko into, or take it out of,
# DESTDIR/lib/modules/RELEASE/extra.  Installing builds the module with
# scripts/build-kmod.sh (W=1) and copies it with kbuild's modules_install,
# which also signs and compresses it as the kernel's .config asks.  Without
# DESTDIR, depmod then refreshes the module index; with DESTDIR nothing
# runs depmod: a package does that on the target system.
#
# Usage: scripts/install-kmod.sh install|uninstall 6.1|6.12|RELEASE
#   DESTDIR  staging root (default: empty, the running system)
set -euo pipefail

die() { echo "install-kmod: $*" >&2; exit 1; }

[ $# -eq 2 ] || { sed -n '4,12s/^# \{0,1\}//p' "$0" >&2; exit 2; }
action=$1
top=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
# A parent make's jobserver flags do not belong to the kbuild runs below.
unset MAKEFLAGS MFLAGS MAKELEVEL

# 6.1 and 6.12 are names for the test kernels (scripts/env.sh); anything
# else is a release whose headers must be installed.
case $2 in
6.1 | 6.12) rel=$(. "$top/scripts/env.sh" && kernel_release "$2") ;;
*) rel=$2 ;;
esac
kdir=/lib/modules/$rel/build
moddir=$DESTDIR/lib/modules/$rel/extra

depmod_if_live() {
	if [ -z "$DESTDIR" ]; then
		echo "  DEPMOD  $rel"
		depmod -a "$rel"
	fi
}

case $action in
install)
	[ -d "$kdir" ] || die "$kdir: no headers for $rel"
	ko=$("$top/scripts/build-kmod.sh" "$rel" | tail -n1)
	# Debian's .config names a signing key that its headers do not ship:
	# then install unsigned (DKMS signs with its own MOK key) rather than
	# let sign-file fail noisily.
	key=$(sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"$/\1/p' "$kdir/.config")
	case $key in
	'' | pkcs11:* | /*) ;;
	*) key=$kdir/$key ;;
	esac
	nosign=()
	if [ -n "$key" ] && [ "${key#pkcs11:}" = "$key" ] && [ ! -r "$key" ]; then
		echo "  (no signing key $key: the module is installed unsigned)"
		nosign=(CONFIG_MODULE_SIG_ALL=)
	fi
	out=$(make -C "$kdir" M="$(dirname "$(dirname "$ko")")" \
		INSTALL_MOD_PATH="$DESTDIR" INSTALL_MOD_DIR=extra \
		"${nosign[@]}" modules_install 2>&1) ||
		{ echo "$out" >&2; die "modules_install for $rel failed"; }
	# kbuild's own depmod step needs System.map, which headers lack: it
	# says so and skips, and depmod_if_live does the job instead.
	grep -Ev "^make(\[[0-9]+\])?: (Entering|Leaving) directory|^  DEPMOD |missing 'System.map' file" \
		<<<"$out" || true
	ls "$moddir"/vmshm.ko* >/dev/null 2>&1 || die "$moddir: no vmshm.ko after modules_install"
	depmod_if_live
	;;
uninstall)
	rm -fv "$moddir"/vmshm.ko "$moddir"/vmshm.ko.{gz,xz,zst}
	[ ! -d "$moddir" ] || rmdir --ignore-fail-on-non-empty "$moddir"
	[ ! -d "/lib/modules/$rel" ] || depmod_if_live
	;;
*)
	die "unknown action $action (install or uninstall)"
	;;
esac
