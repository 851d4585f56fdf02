#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the reliability lane.  Builds the debug kernel if it is
# missing (scripts/debug-kernel.sh: KASAN, lockdep, kmemleak, KFENCE, fault
# injection), then boots it once and runs, in the guest
# (scripts/check-debug-guest.sh): the whole selftest suite, fail-nth sweep
# included; vmshm_fuzz for OPS operations; trinity against /dev/vmshm as
# nobody for TRINITY_OPS syscalls, then an unload and reload of vmshm; and a
# kmemleak scan that fails on any report.  vm-run.sh fails the run on any
# splat or bad taint in the kernel log.
#
# Prints the KTAP of the guest, its totals, the wall time and a closing
# "N passed, N failed" line; exits non-zero on any failure.
#
# Usage: scripts/check-debug.sh [-n OPS] [-t SECONDS] [-p PROCS] [-T TRINITY_OPS]
#   -n OPS          fuzz operations (default 1000000)
#   -t SECONDS      fuzz time bound, also trinity's (default 2400); both
#                   stop cleanly there, short of their count
#   -p PROCS        fuzz and trinity processes (default 2)
#   -T TRINITY_OPS  trinity syscalls (default 5000, about 4 min: a minute
#                   to start, then some 30 syscalls/s); 0 skips trinity
#   -h, --help      show this text
# Environment: VMSHM_CHECK_TIMEOUT  seconds for the whole VM run
#   (default: twice the time bound + 3000: the suite alone takes some
#   33 minutes on this kernel under TCG)
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }

ops=1000000 secs=2400 procs=2 trinity_ops=5000
while getopts "n:t:p:T:h" opt; do
	case $opt in
	n) ops=$OPTARG ;;
	t) secs=$OPTARG ;;
	p) procs=$OPTARG ;;
	T) trinity_ops=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { usage >&2; exit 2; }
for v in "$ops" "$secs" "$procs" "$trinity_ops"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "check-debug: $v: not a number" >&2; exit 2; }
done

# shellcheck source=env.sh
. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
t0=$(date +%s)

fail_early() {
	echo "check-debug: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

echo "== build"
make -s all || fail_early "userspace and selftest build failed"
scripts/debug-kernel.sh >/dev/null || fail_early "debug kernel build failed"
release=$(kernel_release debug) || fail_early "no debug kernel"

# trinity runs from the 9p share through its own loader and libc, since
# the busybox guest has neither.
trinity_dir=-
if [ "$trinity_ops" -gt 0 ] && command -v trinity >/dev/null; then
	trinity_dir=$BUILD/trinity
	rm -rf "$trinity_dir" && mkdir -p "$trinity_dir"
	cp "$(command -v trinity)" "$trinity_dir/trinity"
	ldd "$trinity_dir/trinity" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do cp -L "$lib" "$trinity_dir/"; done
	[ -x "$trinity_dir/ld-linux-x86-64.so.2" ] ||
		fail_early "$trinity_dir: no ld-linux-x86-64.so.2 copied from ldd"
fi

echo "== suite, fuzz, trinity and kmemleak on $release"
log=$BUILD/check-debug-$release.log
set +e
scripts/vm-run.sh --kernel debug --timeout "${VMSHM_CHECK_TIMEOUT:-$((2 * secs + 3000))}" \
	-- sh scripts/check-debug-guest.sh "$ops" "$secs" "$procs" "$trinity_dir" \
	"$trinity_ops" 2>&1 </dev/null | tee "$log"
rc=${PIPESTATUS[0]}
set -e

totals=$(sed -n 's/^# Totals: //p' "$log" | tail -n 1)
p=0 f=0 s=0
for kv in $totals; do
	case $kv in
	pass:*) p=${kv#pass:} ;;
	fail:* | error:*) f=$((f + ${kv#*:})) ;;
	skip:*) s=${kv#skip:} ;;
	esac
done
# A splat, a timeout or a dead guest fails the lane even if no test did.
if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
	f=1
fi
if [ "$f" -ne 0 ]; then
	echo "== failed in the guest"
	ktap_failures "$log"
fi
echo "== summary"
echo "# kernel $release: ${totals:-no totals} (vm exit $rc, $(($(date +%s) - t0)) s wall, log $log)"
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
