#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of scripts/profile.sh (busybox sh): record the whole
# guest while the command runs, then print the top symbols.
#
# Usage: scripts/profile-guest.sh DIR KERNEL TOP CMD [ARGS...]
set -eu

dir=$1 kernel=$2 top=$3
shift 3
perf() {
	"$dir/lib/ld-linux-x86-64.so.2" --library-path "$dir/lib" "$dir/perf" "$@"
}
# In the guest's RAM while recording: 9p writes would show in the profile.
data=/tmp/perf-$kernel.data

perf record -q -e cpu-clock -a -o "$data" -- "$@" >/dev/null
echo "== $kernel: $(uname -r), cpu-clock samples over both vCPUs"
echo "== (swapper is the idle task; ld-linux-x86-64 is perf itself)"
perf report -i "$data" --stdio --sort comm,sym 2>/dev/null |
	grep -v '^#' | grep -v '^$' | head -n "$top"
cp "$data" "$dir/"
