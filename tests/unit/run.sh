#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run host test programs (KTAP on stdout) and scripts; print everything,
# then a last line "N passed, N failed" over all of them.  A program that
# crashes or exits non-zero without a "not ok" line counts as one failure.
#
# Usage: run.sh PROGRAM...
passed=0
failed=0
for t in "$@"; do
	out=$(./"$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $t: exited with status $rc"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
