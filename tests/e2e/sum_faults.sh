#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fault handling of parent/child, one KTAP line per case:
#   child_killed_idle      child SIGKILLed while the parent waits for input
#   child_killed_full      child SIGKILLed while the parent waits for room
#   parent_killed_drain    parent SIGKILLed with lines still queued: the
#                          child sums them all, flushes and exits
#   parent_sigterm         SIGTERM stops both cleanly (exit 143)
#   parent_sigint_full     SIGINT while waiting for room (exit 130)
#   no_child               parent alone in its directory: a one-line
#                          error naming the directory, exit 1, and the
#                          channel it made is gone
#   child_killed_partial   child SIGKILLed with a partial line at the end
#                          of its file: its guard cuts the line and the
#                          parent reports the guard's count
#   child_guard_killed     child and guard both SIGKILLed: no account,
#                          the parent says "holds ? results"
#   results_too_large      RLIMIT_FSIZE cuts a write: the child cuts the
#                          partial line, its count is the parent's
#   results_cannot_open    the child cannot create the results file
#   no_guard               RLIMIT_NPROC stops the child's fork of its
#                          guard (as "nobody": root is exempt; through
#                          posix-flags, whatever the transport); skipped
#                          without setpriv and ulimit -u or prlimit
# "Promptly" means within GONE_S seconds.  Parent and child use no timers
# on vmshm (EPOLLHUP, EPIPE), so a missed notification hangs for ever and
# any bound catches it; 5 s leaves room for a stalled TCG host, which a
# bound of 1 s did not.  Waits for progress give up after 30 s.
# POSIX sh and busybox tools only, so it also runs in the guest.
#
# Usage: sum_faults.sh [--transport=KIND] [--bin=DIR]
set -u

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/sum_lib.sh"
sum_init sum_faults "$@"
bg_pids=
GONE_S=5
gone_tenths=$((GONE_S * 10))

cleanup() {
	for p in $bg_pids; do kill -9 "$p" 2>/dev/null; done
	bg_pids=
	exec 3>&- 2>/dev/null
}

# alive PID: the process exists and is not a zombie.
alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q ') Z' "/proc/$1/stat" 2>/dev/null
}

# child_of PID: the first child process of PID.
child_of() {
	pp=$1
	for s in /proc/[0-9]*/stat; do
		read -r line 2>/dev/null < "$s" || continue
		set -- ${line##*) }
		[ "$2" = "$pp" ] || continue
		p=${s#/proc/}
		echo "${p%/stat}"
		return 0
	done
	return 1
}

# wait_for TENTHS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	"$@"
}

gone() { ! alive "$1"; }
# rchar PID: the bytes PID has read so far (/proc/PID/io).
rchar() { sed -n 's/^rchar: //p' "/proc/$1/io"; }
# drained PID BYTES: PID has read BYTES bytes in all, and then went back
# to poll() for more, so what it read is in the channel.
drained() {
	[ "$(rchar "$1")" -ge "$2" ] &&
		grep -q ') S ' "/proc/$1/stat" && grep -q poll "/proc/$1/wchan"
}
has_lines() { [ "$(wc -l < "$1" 2>/dev/null)" -ge "$2" ]; }
# holds: the "holds K results" count in the summary of err.
holds() { sed -n 's/.* holds \([0-9?]*\) results$/\1/p' err; }
whole_lines() { [ ! -s "$1" ] || [ "$(tail -c 1 "$1" | wc -l)" -eq 1 ]; }

result() {
	nr=$((nr + 1))
	if [ -z "$2" ]; then
		echo "ok $nr $1 transport=$transport"
	else
		echo "# $1: $2"
		sed 's/^/# stderr: /' err 2>/dev/null | head -n 8
		echo "not ok $nr $1 transport=$transport"
		failed=$((failed + 1))
	fi
	cleanup
}

# start ARGS...: parent reading the fifo "in", fd 3 holds its write end.
start() {
	rm -f in results err
	mkfifo in
	"$bin/parent" "--transport=$transport" -o results "$@" < in 2> err &
	ppid=$!
	bg_pids="$ppid"
	exec 3> in
	wait_for 300 child_of "$ppid" > /dev/null
	cpid=$(child_of "$ppid")
	bg_pids="$bg_pids $cpid"
}

# running: one line in, one result out, so the child is attached and
# ready before the test stops it.
running() {
	printf '0\n' >&3
	wait_for 300 has_lines results 1
}

# feed_forever: fill fd 3 in the background.
feed_forever() {
	yes '1 2 3' >&3 &
	bg_pids="$bg_pids $!"
}

echo "KTAP version 1"
echo "1..11"

start
printf '1 2\n3 4\n' >&3
wait_for 300 has_lines results 2
kill -9 "$cpid"
if ! wait_for "$gone_tenths" gone "$ppid"; then
	result child_killed_idle "parent still running $GONE_S s after the child died"
else
	wait "$ppid"
	rc=$?
	msg=
	[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
	grep -q 'killed by signal 9.*after 2 lines sent.*holds 2 results' err ||
		msg="${msg:-summary does not say how far the child got}"
	result child_killed_idle "$msg"
fi

start --region-size=64K
running
kill -STOP "$cpid"
feed_forever
sleep 1
kill -9 "$cpid"
if ! wait_for "$gone_tenths" gone "$ppid"; then
	result child_killed_full "parent still running $GONE_S s after the child died"
else
	wait "$ppid"
	rc=$?
	msg=
	[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
	grep -q 'killed by signal 9' err || msg="${msg:-no report of the kill}"
	result child_killed_full "$msg"
fi

start
running
kill -STOP "$cpid"
awk 'BEGIN { for (i = 1; i <= 1000; i++) print i, i }' > lines
r0=$(rchar "$ppid")
cat lines >&3
# posix-flags holds one line at a time: its parent blocks on the stopped
# child and never drains the fifo, so only its first result is checked.
took=1
case $transport in
posix-flags) sleep 0.5 ;;
*) wait_for 300 drained "$ppid" $((r0 + $(wc -c < lines))) || took= ;;
esac
kill -9 "$ppid"
kill -CONT "$cpid"
if [ -z "$took" ]; then
	result parent_killed_drain "parent did not take its input in 30 s"
elif ! wait_for "$gone_tenths" gone "$cpid"; then
	result parent_killed_drain "child still running $GONE_S s after the parent died"
else
	n=$(wc -l < results)
	msg=
	whole_lines results || msg="results end inside a line"
	case $transport in
	posix-flags) [ "$n" -ge 1 ] || msg="${msg:-no result}" ;;
	*) [ "$n" -eq 1001 ] || msg="${msg:-$n results, want 1001}" ;;
	esac
	result parent_killed_drain "$msg"
fi

start
awk 'BEGIN { for (i = 1; i <= 500; i++) print i, -i }' >&3
wait_for 300 has_lines results 500
kill -TERM "$ppid"
if ! wait_for "$gone_tenths" gone "$ppid"; then
	result parent_sigterm "parent still running $GONE_S s after SIGTERM"
else
	wait "$ppid"
	rc=$?
	msg=
	[ "$rc" -eq 143 ] || msg="parent exit status $rc, want 143"
	gone "$cpid" || msg="${msg:-child still running}"
	grep -q '500 lines sent, 500 results written' err ||
		msg="${msg:-summary wrong}"
	result parent_sigterm "$msg"
fi

start --region-size=64K
running
kill -STOP "$cpid"
feed_forever
sleep 1
kill -INT "$ppid"
kill -CONT "$cpid"
if ! wait_for "$gone_tenths" gone "$ppid"; then
	result parent_sigint_full "parent still running $GONE_S s after SIGINT"
else
	wait "$ppid"
	rc=$?
	msg=
	[ "$rc" -eq 130 ] || msg="parent exit status $rc, want 130"
	grep -Eq '([0-9]+) lines? sent, \1 results? written' err ||
		msg="${msg:-lines sent and results written differ}"
	whole_lines results || msg="${msg:-results end inside a line}"
	result parent_sigint_full "$msg"
fi

mkdir lone && cp "$bin/parent" lone/ || exit 1
printf '1 2\n' | lone/parent "--transport=$transport" -o results 2> err &
lpid=$!
wait "$lpid"
rc=$?
msg=
[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
[ "$(cat err)" = "parent: no executable vmshm-child or child in $dir/lone/" ] ||
	msg="${msg:-wrong error message}"
if [ -r /proc/vmshm ] && grep -q "^sum-$lpid " /proc/vmshm; then
	msg="${msg:-region sum-$lpid left in /proc/vmshm}"
fi
result no_child "$msg"

# The guard cuts what a write cut by the kill left; simulated, as the
# real window is a page boundary inside one write().
start
printf '1 2\n3 4\n' >&3
wait_for 300 has_lines results 2
kill -STOP "$cpid"
printf '12' >> results
kill -9 "$cpid"
if ! wait_for "$gone_tenths" gone "$ppid"; then
	result child_killed_partial "parent still running $GONE_S s after the child died"
else
	wait "$ppid"
	rc=$?
	msg=
	[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
	[ "$(cat results)" = "$(printf '3\n7')" ] ||
		msg="${msg:-results $(od -c results | head -n 2)}"
	grep -q '^child: dropped a partial last line from results$' err ||
		msg="${msg:-the guard did not say it cut the line}"
	[ "$(holds)" = 2 ] || msg="${msg:-summary says $(holds) results, want 2}"
	result child_killed_partial "$msg"
fi

start
printf '1 2\n' >&3
wait_for 300 has_lines results 1
gpid=$(child_of "$cpid")
kill -9 "$gpid" "$cpid"
if ! wait_for "$gone_tenths" gone "$ppid"; then
	result child_guard_killed "parent still running $GONE_S s after the child died"
else
	wait "$ppid"
	rc=$?
	msg=
	[ -n "$gpid" ] || msg="no guard process under child $cpid"
	[ "$rc" -eq 1 ] || msg="${msg:-parent exit status $rc, want 1}"
	[ "$(holds)" = "?" ] || msg="${msg:-summary says $(holds) results, want ?}"
	result child_guard_killed "$msg"
fi

# Result lines of 7 bytes: 128K and 256K (ulimit -f 256 in blocks of 512
# or 1024 bytes) both fall inside a line.  The region must fit the limit.
awk 'BEGIN { for (i = 0; i < 60000; i++) print 100000 + i }' > big
(ulimit -f 256 && exec "$bin/parent" "--transport=$transport" \
	--region-size=64K -o results < big 2> err)
rc=$?
n=$(wc -l < results)
msg=
[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
grep -q '^child: results results: File too large$' err ||
	msg="${msg:-no error for the write}"
grep -q '^child: dropped a partial last line from results$' err ||
	msg="${msg:-the child did not say it cut the line}"
whole_lines results || msg="${msg:-results end inside a line}"
[ "$(holds)" = "$n" ] || msg="${msg:-summary says $(holds) results, the file holds $n}"
[ "$n" -gt 0 ] && [ "$(tail -n 1 results)" -eq $((99999 + n)) ] ||
	msg="${msg:-last result $(tail -n 1 results), want $((99999 + n))}"
result results_too_large "$msg"

printf '1 2\n' | "$bin/parent" "--transport=$transport" -o nodir/results 2> err
rc=$?
msg=
[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
grep -q '^child: results nodir/results: No such file or directory$' err ||
	msg="${msg:-no error from the child}"
grep -q '^parent: child exited with status 1 before attaching to sum-' err ||
	msg="${msg:-no error from the parent}"
result results_cannot_open "$msg"

# as_nobody CMD...: run CMD as uid 65534 with at most 2 processes, so that
# the parent can fork the child but the child cannot fork its guard.
as_nobody() {
	if sh -c 'ulimit -u 2' 2> /dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			sh -c 'ulimit -u 2 && exec "$@"' sh "$@"
	else
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			prlimit --nproc=2 "$@"
	fi
}
chmod 711 "$dir" && mkdir nobody && chmod 777 nobody
if ! command -v setpriv > /dev/null ||
   ! { sh -c 'ulimit -u 2' 2> /dev/null || command -v prlimit > /dev/null; } ||
   ! as_nobody "$bin/parent" --help > /dev/null 2>&1; then
	nr=$((nr + 1))
	echo "ok $nr no_guard transport=$transport # SKIP cannot run as nobody with RLIMIT_NPROC"
else
	printf '1 2\n' | as_nobody "$bin/parent" --transport=posix-flags \
		-o nobody/results 2> err
	rc=$?
	msg=
	[ "$rc" -eq 1 ] || msg="parent exit status $rc, want 1"
	grep -q '^child: cannot start the guard of nobody/results: Resource temporarily unavailable$' err ||
		msg="${msg:-no error for the guard}"
	grep -q '^parent: child exited with status 1 before attaching to sum-' err ||
		msg="${msg:-no error from the parent}"
	result no_guard "$msg"
fi

sum_summary
