#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the vmshm selftests (busybox sh is enough) and print KTAP: one
# top-level test per program, its own KTAP output nested under "# ".
# The last line sums the harness totals of every program:
#   # Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:E
# A program that dies before printing its totals counts as one failure.
#
# Usage: tests/run_tests.sh [PROGRAM...]   (default: every *_test and
#        *_test.sh here, unload_test last)
# Exit status: 0 when nothing failed, 1 otherwise.

dir=$(cd "$(dirname "$0")" && pwd)
# unload_test reloads the module, so it always runs last.
[ $# -gt 0 ] || set -- $(cd "$dir" && ls *_test *_test.sh 2>/dev/null |
			grep -vx unload_test) \
	$(cd "$dir" && ls unload_test 2>/dev/null)
[ $# -gt 0 ] || { echo "run_tests: no test programs in $dir" >&2; exit 1; }

pass=0 fail=0 skip=0 error=0 n=0
log=${TMPDIR:-/tmp}/vmshm-run.$$
echo "TAP version 13"
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	# Name the test in the kernel log, as kselftest does, so a splat in
	# it can be traced to the test that ran (/dev/kmsg is root's).
	[ -w /dev/kmsg ] && echo "vmshm-test: $n ${t##*/}" >/dev/kmsg
	case $t in
	*.sh) (cd "$dir" && sh "./${t##*/}") >"$log" 2>&1 ;;
	*) (cd "$dir" && "./${t##*/}") >"$log" 2>&1 ;;
	esac
	rc=$?
	sed 's/^/# /' "$log"
	totals=$(sed -n 's/^# Totals: //p' "$log" | tail -n 1)
	if [ -n "$totals" ]; then
		for kv in $totals; do
			v=${kv#*:}
			case $kv in
			pass:*) pass=$((pass + v)) ;;
			fail:*) fail=$((fail + v)) ;;
			skip:*) skip=$((skip + v)) ;;
			error:*) error=$((error + v)) ;;
			esac
		done
	elif [ $rc -ne 4 ]; then
		fail=$((fail + 1))
	fi
	case $rc in
	0) echo "ok $n ${t##*/}" ;;
	4) echo "ok $n ${t##*/} # SKIP" ;;
	*) echo "not ok $n ${t##*/} # exit=$rc" ;;
	esac
done
rm -f "$log"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:$error"
[ $fail -eq 0 ] && [ $error -eq 0 ]
