# SPDX-License-Identifier: GPL-2.0
# Sourced by the other scripts: installs what is missing (scripts/setup.sh)
# and exports the resolved kernel versions and source tree.
#
#   K61 K612     kernel release strings of the two test kernels
#   SRC_TREE     unpacked linux-source-6.12 tree
#   KSFT_DIR     its tools/testing/selftests (kselftest_harness.h)
#   VMSHM_TOP    the project's top directory
#   BUILD        $VMSHM_TOP/build, where per-kernel artefacts go
#   BENCH_APPEND kernel command line of measured guests (bench, profile):
#                slab and page debugging off, so that faults and system
#                calls cost what they cost on a production kernel

VMSHM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval "$(VMSHM_QUIET=${VMSHM_QUIET:-} "$VMSHM_TOP/scripts/setup.sh" --print-env)" ||
	{ echo "env: scripts/setup.sh failed" >&2; exit 1; }
KSFT_DIR=$SRC_TREE/tools/testing/selftests
BUILD=$VMSHM_TOP/build
BENCH_APPEND="slub_debug=- page_poison=0 kfence.sample_interval=0"
export K61 K612 SRC_TREE SRC_VERSION KSFT_DIR VMSHM_TOP BUILD

# kernel_release 6.1|6.12|debug|RELEASE -> the release string, or fail.
# "debug" is the kernel scripts/debug-kernel.sh built, which must exist.
kernel_release() {
	case "$1" in
	6.1) echo "$K61" ;;
	6.12) echo "$K612" ;;
	debug) debug_kernel_release ;;
	*)
		if [ "$1" != "$(debug_kernel_release 2>/dev/null)" ] &&
		   [ ! -r "/boot/vmlinuz-$1" ]; then
			echo "env: no kernel $1 in /boot" >&2
			return 1
		fi
		echo "$1" ;;
	esac
}

# debug_kernel_dir -> the O= build directory of the debug kernel that
# scripts/debug-kernel.sh builds from $SRC_TREE and scripts/debug.config,
# keyed by both, so that a new source or fragment means a new kernel.
debug_kernel_dir() {
	local hash

	hash=$(sha256sum "$VMSHM_TOP/scripts/debug.config" | cut -c1-12) || return 1
	echo "${VMSHM_CACHE:-/var/cache/vmshm}/debug-kernel-$SRC_VERSION-$hash"
}

# debug_kernel_release -> the debug kernel's release string, or fail when
# it has not been built (completely) yet.
debug_kernel_release() {
	local dir

	dir=$(debug_kernel_dir) || return 1
	[ -f "$dir/.vmshm-complete" ] ||
		{ echo "env: no debug kernel in $dir: run scripts/debug-kernel.sh" >&2; return 1; }
	cat "$dir/include/config/kernel.release"
}

# kernel_is_debug RELEASE: true for the debug kernel's release.
kernel_is_debug() {
	[ "$1" = "$(debug_kernel_release 2>/dev/null)" ]
}

# kernel_kdir|kernel_image|kernel_config RELEASE -> where modules build
# against it, its bzImage, its .config: the debug kernel's O= tree, or the
# installed Debian packages.
kernel_kdir() {
	if kernel_is_debug "$1"; then debug_kernel_dir; else echo "/lib/modules/$1/build"; fi
}

kernel_image() {
	if kernel_is_debug "$1"; then
		echo "$(debug_kernel_dir)/arch/x86/boot/bzImage"
	else
		echo "/boot/vmlinuz-$1"
	fi
}

kernel_config() {
	if kernel_is_debug "$1"; then
		echo "$(debug_kernel_dir)/.config"
	else
		echo "/boot/config-$1"
	fi
}

# ktap_failures LOG...: every "not ok" line of the KTAP logs given, each
# with the five lines before it, where kselftest_harness prints the
# assertion that failed; for the end of a run, which is what CI keeps.
# A kernel report that vm-run.sh printed is summed up too, since its
# first lines scroll out of CI's view behind the trace: the test that ran,
# the report's first two lines, where it hit (RIP) and the trace's
# frames, without the "? " guesses, 10 at most: CI keeps some 24 lines.
ktap_failures() {
	grep -h -B5 -E '^(# )*not ok' "$@" || true
	awk 'FNR == 1 { n = 0; rip = 0; frames = 0 }
	!/^vm-run: \[/ { next }
	++n <= 3 { print; next }
	/ RIP: / && !rip++ { print; next }
	/^vm-run: \[ *[0-9.]+\]  [[:alnum:]_.]+\+0x/ && frames++ < 10 { print }
	' "$@"
}

# build-kmod.sh, run by vm-run.sh, uses these without sourcing us again.
export -f kernel_release debug_kernel_dir debug_kernel_release kernel_is_debug \
	kernel_kdir kernel_image kernel_config
