#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the vmshm debug kernel (KASAN, lockdep, kmemleak, KFENCE, fault
# injection) from the linux-source-6.12 tree: x86_64 defconfig, then the
# fragment scripts/debug.config merged over it, then olddefconfig.  Every
# option of the fragment is checked in the final .config; one that did not
# take fails the build.  The 9p, virtio and console drivers are built in,
# so the guest loads vmshm.ko and nothing else.
#
# The result is cached outside the repository, keyed by the source package
# version and the fragment's hash:
#   /var/cache/vmshm/debug-kernel-<source version>-<sha256[:12]>/
# It is a kernel O= build directory: arch/x86/boot/bzImage, Module.symvers
# and the prepared tree that out-of-tree modules build against.  A second
# run with nothing changed only prints the path.
#
# Usage: scripts/debug-kernel.sh [--path | --force]
#   --path      build nothing; print the directory if it is complete
#   --force     rebuild (incrementally) even when the cache is complete
#   -h, --help  show this text
#
# The last line of stdout is the build directory.  The compiler output goes
# to <dir>/build.log and is shown (its tail) only on failure.
# Environment: VMSHM_CACHE (default /var/cache/vmshm), VMSHM_JOBS (make -j,
# default: number of CPUs).
set -euo pipefail

usage() { sed -n '4,25s/^# \{0,1\}//p' "$0"; }
log() { echo "debug-kernel: $*" >&2; }
die() { echo "debug-kernel: error: $*" >&2; exit 1; }

mode=build
case "${1:-}" in
'') ;;
--path) mode=path ;;
--force) mode=force ;;
-h | --help) usage; exit 0 ;;
*) usage >&2; exit 2 ;;
esac

# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
dir=$(debug_kernel_dir)
fragment=$VMSHM_TOP/scripts/debug.config
done_mark=$dir/.vmshm-complete

if [ "$mode" = path ]; then
	[ -f "$done_mark" ] || die "$dir: not built yet (run scripts/debug-kernel.sh)"
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
if [ "$mode" = build ] && [ -f "$done_mark" ]; then
	echo "$dir"
	exit 0
fi
rm -f "$done_mark"

# kmake ARGS...: make in the O= directory, output appended to build.log.
kmake() {
	make -C "$SRC_TREE" O="$dir" "$@" >>"$dir/build.log" 2>&1 || {
		tail -n 40 "$dir/build.log" >&2
		die "make $*: failed (full log: $dir/build.log)"
	}
}

# Every CONFIG_X=V of the fragment must be in .config; =n also passes when
# the option is unset or not visible at all.
verify_config() {
	local config=$dir/.config line opt want bad=0

	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		opt=${line%%=*} want=${line#*=}
		if [ "$want" = n ]; then
			if grep -q "^$opt=" "$config"; then
				log "$opt: asked for n, got $(grep "^$opt=" "$config")"
				bad=1
			fi
		elif ! grep -qxF "$opt=$want" "$config"; then
			log "$opt: asked for $want, got $(grep -E "^(# )?${opt}[= ]" "$config" || echo 'nothing (dependency missing?)')"
			bad=1
		fi
	done <"$fragment"
	[ "$bad" = 0 ] || die "$dir/.config: the fragment $fragment did not take"
}

configure() {
	log "configuring $dir from $SRC_TREE"
	kmake defconfig
	KCONFIG_CONFIG=$dir/.config "$SRC_TREE/scripts/kconfig/merge_config.sh" \
		-m -O "$dir" "$dir/.config" "$fragment" >>"$dir/build.log" 2>&1 ||
		die "merge_config.sh: failed (log: $dir/build.log)"
	kmake olddefconfig
	verify_config
}

: >"$dir/build.log"
cp "$fragment" "$dir/debug.config"
configure
jobs=${VMSHM_JOBS:-$(nproc)}
log "building bzImage and modules with -j$jobs (log: $dir/build.log)"
start=$(date +%s)
kmake -j"$jobs" bzImage modules
secs=$(($(date +%s) - start))
for f in arch/x86/boot/bzImage Module.symvers include/config/kernel.release; do
	[ -s "$dir/$f" ] || die "$dir/$f: not produced by the build"
done
release=$(cat "$dir/include/config/kernel.release")
printf 'release=%s\nbuild_seconds=%s\nbuilt=%s\n' "$release" "$secs" \
	"$(date -u +%FT%TZ)" >"$done_mark"
log "built $release in $((secs / 60)) min $((secs % 60)) s"
echo "$dir"
