#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make demo` (busybox sh): run user/sum/parent on the
# sample input, take a /proc/vmshm snapshot while parent and child are both
# attached, then show the results file and the snapshot.  The channel is
# left to demand paging (--lazy), so that the snapshot shows only the
# pages the conversation touched.
#
# Usage: scripts/demo-guest.sh INPUT RESULTS
set -u

input=$1
results=$2
snap=/tmp/vmshm-snapshot

echo "== input ($input)"
cat "$input"
echo
echo "== user/sum/parent --interactive --lazy -v -o $results < input"
# Feed three lines, pause while both processes sit in the region, then
# feed the rest: the snapshot shows the region mid-conversation.
{
	head -n 3 "$input"
	sleep 2
	cat /proc/vmshm >"$snap"
	tail -n +4 "$input"
} | user/sum/parent --interactive --lazy -v -o "$results"
rc=$?
echo
echo "== $results (one line per input line, written by the child)"
cat "$results"
echo
echo "== /proc/vmshm while parent and child were both attached"
cat "$snap"
echo
echo "== /proc/vmshm now (the transient region went with its last user)"
cat /proc/vmshm
exit $rc
