#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Profile vmshm-bench jobs in the guest: `perf record -e cpu-clock -a`
# over the whole guest while the jobs run (TCG has no PMU: these are
# timer samples), then perf report's top symbols, kernel and user, with
# the command that owns them.  The profiles quoted in
# Documentation/bench/README.md come from this.
#
# Usage: scripts/profile.sh [options] ONLY [-- BENCH-OPTIONS]
#   ONLY          vmshm-bench --only words, such as
#                 pingpong/vmshm-ring-spin/same-vcpu or stream/vmshm-xport
#   --kernel K    6.1 (default), 6.12 or debug
#   --top N       print the top N symbols (default 30)
#   -h, --help    show this text
# BENCH-OPTIONS go to vmshm-bench after --quick, e.g. --rounds=8
# --rts=20000: the samples cover the whole run, set-up included, so give
# the measured part the time.  The guest boots as `make bench`'s does.
#
# Needs the host's perf (linux-perf), which it copies with its libraries
# into $BUILD/profile for the guest.  Leaves $BUILD/profile/perf-K.data
# for `perf report -i` with other sort keys, inside a guest of that kernel
# (the kernel's symbols come from its /proc/kallsyms).
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }
usage_err() { echo "profile: $*" >&2; exit 2; }
die() { echo "profile: $*" >&2; exit 1; }

kernel=6.1 top=30
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel | --top)
		[ $# -ge 2 ] || usage_err "option $1 needs a value (see scripts/profile.sh --help)"
		if [ "$1" = --kernel ]; then kernel=$2; else top=$2; fi
		shift 2 ;;
	-h | --help) usage; exit 0 ;;
	-*) usage_err "unknown option '$1' (see scripts/profile.sh --help)" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] ||
	usage_err "no jobs given: expected vmshm-bench --only words, such as stream/vmshm-xport"
only=$1
shift
if [ $# -gt 0 ]; then
	[ "$1" = -- ] || usage_err "unexpected argument '$1' (bench options follow --)"
	shift
fi
[[ $top =~ ^[1-9][0-9]*$ ]] ||
	usage_err "bad value '$top' for --top: expected a positive number of symbols"
perf=$(command -v perf) ||
	die "perf not found: expected the host's perf (apt-get install linux-perf)"
# Its libraries: the guest has busybox only.
libs=$(ldd "$perf" 2>/dev/null |
	awk '$1 ~ /^\// { print $1 } $2 == "=>" && $3 ~ /^\// { print $3 }') || :
[[ $libs == */ld-linux-x86-64.so.2* ]] ||
	die "ldd $perf: expected a dynamically linked x86-64 perf, found no loader"

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=env.sh
. "$here/env.sh"
cd "$VMSHM_TOP"

# perf runs in the guest under its own loader and libraries.
dir=$BUILD/profile
rm -rf "$dir/lib" && mkdir -p "$dir/lib"
cp "$perf" "$dir/perf"
for lib in $libs; do cp -L "$lib" "$dir/lib/"; done

make -s -C user bench/vmshm-bench >/dev/null
scripts/vm-run.sh --kernel "$kernel" --timeout 1200 --append "$BENCH_APPEND" -- \
	sh scripts/profile-guest.sh "$dir" "$kernel" "$top" \
	user/bench/vmshm-bench --quick --only="$only" -o "$dir/bench-$kernel.csv" "$@"
