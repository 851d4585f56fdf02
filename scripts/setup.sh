#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything vmshm needs from Debian's registry: both test kernels
# with headers, QEMU, busybox, libnl, the 6.12 source tree (for the kselftest
# harness, checkpatch.pl and kernel-doc), the analysis tools, dkms and
# trinity (the syscall fuzzer of make check-debug).
#
# Versions are resolved at run time.  The script is idempotent: when every
# package is present it only re-resolves names and exits in about a second.
#
# Usage: scripts/setup.sh [--print-env]
#   --print-env  also print shell assignments describing the installed
#                kernels and source tree (used by scripts/env.sh).
set -euo pipefail

CACHE=${VMSHM_CACHE:-/var/cache/vmshm}
export DEBIAN_FRONTEND=noninteractive

log() { [ -n "${VMSHM_QUIET:-}" ] || echo "setup: $*" >&2; }
die() { echo "setup: error: $*" >&2; exit 1; }

have_pkg() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# The kernel that Debian's linux-image-amd64 meta-package points at (6.1).
resolve_61() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.1\.[^ ]*-amd64\)$/\1/p' | head -n1
}

# The newest 6.12 backport flavour "6.12.N+deb12-amd64" that has headers,
# preferring one that is already installed.
resolve_612() {
	local v
	v=$(dpkg-query -W -f='${Package} ${Status}\n' 'linux-image-6.12.*+deb12-amd64' 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\) install ok installed$/\1/p' |
		sort -V | tail -n1)
	if [ -z "$v" ]; then
		v=$(apt-cache pkgnames linux-image-6.12 2>/dev/null |
			sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)$/\1/p' |
			sort -V | tail -n1)
	fi
	echo "$v"
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	log "apt-get update"
	apt-get update -qq >/dev/null
	apt_updated=1
}

TOOLS=(build-essential pkg-config kmod cpio xz-utils busybox-static
	qemu-system-x86 libnl-3-dev libnl-genl-3-dev sparse flex bison bc
	libelf-dev libssl-dev dwarves python3 python3-docutils mandoc
	gnuplot-nox graphviz python3-yaml python3-jsonschema linux-source-6.12 dkms
	trinity)

resolve_kernels() {
	K61=$(resolve_61)
	K612=$(resolve_612)
	if [ -z "$K61" ] || [ -z "$K612" ]; then
		apt_update
		K61=$(resolve_61)
		K612=$(resolve_612)
	fi
	[ -n "$K61" ] || die "cannot resolve the 6.1 kernel from linux-image-amd64"
	[ -n "$K612" ] || die "cannot resolve a linux-image-6.12.*+deb12-amd64 package"
}

# linux-source-6.12 ships a tarball; unpack it once into the cache.
source_tree() {
	local tarball
	tarball=$(ls /usr/src/linux-source-6.12*.tar.xz 2>/dev/null | sort -V | tail -n1)
	[ -n "$tarball" ] || die "linux-source-6.12 tarball not found in /usr/src"
	SRC_VERSION=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	SRC_TREE=$CACHE/$(basename "$tarball" .tar.xz)-$SRC_VERSION
	if [ ! -f "$SRC_TREE/.unpacked" ]; then
		log "unpacking $tarball"
		rm -rf "$SRC_TREE" && mkdir -p "$SRC_TREE"
		tar -xJf "$tarball" -C "$SRC_TREE" --strip-components=1
		touch "$SRC_TREE/.unpacked"
	fi
}

main() {
	resolve_kernels
	local want=("${TOOLS[@]}"
		"linux-image-$K61" "linux-headers-$K61"
		"linux-image-$K612" "linux-headers-$K612")
	local missing=() p
	for p in "${want[@]}"; do
		have_pkg "$p" || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		[ "$(id -u)" = 0 ] || die "need root to install: ${missing[*]}"
		apt_update
		log "installing ${missing[*]}"
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	mkdir -p "$CACHE"
	source_tree
	for p in "$K61" "$K612"; do
		[ -r "/boot/vmlinuz-$p" ] || die "/boot/vmlinuz-$p missing after install"
		[ -d "/lib/modules/$p/build" ] || die "headers for $p missing after install"
	done
	if [ "${1:-}" = --print-env ]; then
		printf 'K61=%q\nK612=%q\nSRC_TREE=%q\nSRC_VERSION=%q\n' \
			"$K61" "$K612" "$SRC_TREE" "$SRC_VERSION"
	fi
}

main "$@"
