#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vmshm-bench's usage errors: one line naming the value expected, exit
# status 2, and not the usage text.  Runs on the host: no option is used.
bench=$(dirname "$0")/../../user/bench/vmshm-bench
nr=0
failed=0

# check NAME WANT_LINE ARGS...
check() {
	name=$1
	want=$2
	shift 2
	err=$("$bench" "$@" 2>&1 >/dev/null)
	rc=$?
	nr=$((nr + 1))
	if [ "$rc" -eq 2 ] && [ "$err" = "$want" ]; then
		echo "ok $nr bench_usage_$name"
		return
	fi
	echo "# exit status $rc, stderr: $err"
	echo "# want: $want"
	echo "not ok $nr bench_usage_$name"
	failed=$((failed + 1))
}

echo "KTAP version 1"
echo "1..6"
check rounds "vmshm-bench: bad value '1' for --rounds: expected a number of rounds from 2" \
	--rounds 1
check pages "vmshm-bench: bad value '1,2,3,4,5' for --pages: expected up to 4 page counts from 1 to 1073741824, separated by commas" \
	--pages=1,2,3,4,5
check ring_size "vmshm-bench: bad value '0' for --ring-size: expected a size in bytes with an optional K, M or G suffix, such as 64K" \
	--ring-size=0
check missing "vmshm-bench: option --seed needs a value: a number" --seed
check unknown "vmshm-bench: unknown option '--colour' (see vmshm-bench --help)" --colour
check operand "vmshm-bench: unexpected argument 'extra' (see vmshm-bench --help)" extra
[ "$failed" -eq 0 ]
