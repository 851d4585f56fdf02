#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check that DKMS builds the module from what "make install-dkms" ships:
#
#   dkms add     the sources and dkms.conf that install-dkms copies (into a
#                temporary DESTDIR) register as vmshm/VERSION
#   dkms build   for the 6.1 and the 6.12 kernel: vmshm.ko is built, and
#                modinfo shows that kernel's vermagic and VERSION
#   dkms remove  --all unregisters every build
#   userspace    the README's other half of a DKMS install (install-utils
#                install-headers install-lib install-man install-udev
#                install-doc) installs no vmshm.ko, and the shared
#                libraries with their sonames and exactly their API;
#                install-dkms ships no userspace source
#
# Everything happens in a temporary directory, passed to dkms with
# --sourcetree, --dkmstree and --installtree: nothing is left in /usr/src
# or /var/lib/dkms.  (dkms signs what it builds with its own key pair,
# /var/lib/dkms/mok.key and mok.pub, and creates that pair on its first
# build on a machine, as for any DKMS package.)
#
# Prints one line per check, the details of a failing one under it, and a
# closing "N passed, N failed, N skipped" line; exits 1 on any failure.
# Without dkms it prints why and reports one skipped check.
#
# Usage: scripts/dkms-check.sh
set -euo pipefail

usage() { sed -n '4,27s/^# \{0,1\}//p' "$0"; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
'') ;;
*) usage >&2; exit 2 ;;
esac

# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
unset MAKEFLAGS MFLAGS MAKELEVEL

if ! command -v dkms >/dev/null; then
	echo "dkms-check: skip: dkms is not installed (scripts/setup.sh installs it)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
[ -n "$ver" ] || { echo "dkms-check: dkms.conf: no PACKAGE_VERSION"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
mod=vmshm/$ver

# shellcheck source=checks.sh
. scripts/checks.sh
checks_begin dkms-check
trees=(--sourcetree "$tmp/stage/usr/src" --dkmstree "$tmp/dkms"
	--installtree "$tmp/install")
mkdir -p "$tmp/dkms" "$tmp/install"

dkms_add() {
	# run() calls this in a condition, where set -e does not apply.
	make install-dkms DESTDIR="$tmp/stage" || return 1
	[ -f "$tmp/stage/usr/src/vmshm-$ver/dkms.conf" ] ||
		{ echo "dkms-check: install-dkms did not copy dkms.conf"; return 1; }
	dkms add "${trees[@]}" "$mod" || return 1
	dkms status "${trees[@]}" "$mod" | grep -q ': added$' ||
		{ echo "dkms-check: dkms status does not show $mod as added"; return 1; }
}

# dkms_build RELEASE
dkms_build() {
	local rel=$1 ko vermagic modver
	if ! dkms build "${trees[@]}" "$mod" -k "$rel"; then
		tail -n 30 "$tmp/dkms/vmshm/$ver/build/make.log" 2>/dev/null
		echo "dkms-check: dkms build for $rel failed"
		return 1
	fi
	ko=$(find "$tmp/dkms/vmshm/$ver/$rel" -path '*/module/vmshm.ko*' -print -quit)
	[ -n "$ko" ] || { echo "dkms-check: no vmshm.ko in the dkms tree for $rel"; return 1; }
	vermagic=$(modinfo -F vermagic "$ko") ||
		{ echo "dkms-check: $ko: modinfo cannot read it"; return 1; }
	modver=$(modinfo -F version "$ko")
	echo "$ko: vermagic $vermagic, version $modver"
	[ "${vermagic%% *}" = "$rel" ] ||
		{ echo "dkms-check: $ko: vermagic \"$vermagic\", not $rel"; return 1; }
	[ "$modver" = "$ver" ] ||
		{ echo "dkms-check: $ko: version \"$modver\", dkms.conf says $ver"; return 1; }
}

dkms_remove() {
	dkms remove "${trees[@]}" "$mod" --all || return 1
	if [ -n "$(dkms status "${trees[@]}" "$mod")" ]; then
		dkms status "${trees[@]}" "$mod"
		echo "dkms-check: $mod still registered after dkms remove --all"
		return 1
	fi
}

# What DKMS users install besides the module sources, into the same
# staging root: everything but install-kmod.
dkms_userspace() {
	local stage=$tmp/stage prefix=/usr/local ko
	make install-utils install-headers install-lib install-man install-udev \
		install-doc DESTDIR="$stage" PREFIX="$prefix" || return 1
	ko=$(find "$stage" -name 'vmshm.ko*' -print -quit)
	[ -z "$ko" ] || { echo "dkms-check: $ko installed beside DKMS"; return 1; }
	[ -d "$stage/usr/src/vmshm-$ver/kmod" ] ||
		{ echo "dkms-check: no module sources in $stage/usr/src/vmshm-$ver"; return 1; }
	if find "$stage/usr/src/vmshm-$ver" -path '*/user/*' | grep .; then
		echo "dkms-check: install-dkms ships userspace sources"
		return 1
	fi
	check_shlib "$stage$prefix/lib" "$stage$prefix/include/vmshm" \
		libvmshm libvmshm.h ring.h compiler.h || return 1
	check_shlib "$stage$prefix/lib" "$stage$prefix/include/vmshm" \
		libvmshm-nl vmshm_nl.h
}

run "dkms add $mod" dkms_add
for rel in "$K61" "$K612"; do
	run "dkms build $rel" dkms_build "$rel"
done
run "dkms remove --all" dkms_remove
run "userspace beside DKMS" dkms_userspace

checks_end
