#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make check-debug` (busybox sh, run by vm-run.sh on the
# debug kernel; never run it on the host).  Prints KTAP, one top-level test
# per stage, each stage's own output nested under "# ":
#
#   1 selftests   tests/run_tests.sh: the whole suite, fail_nth_test included
#   2 fuzz        tests/vmshm_fuzz -n OPS -t SECONDS -p PROCS
#   3 trinity     trinity as uid 65534 against /dev/vmshm, at most TRINITY_OPS
#                 syscalls and SECONDS (SKIP without it)
#   4 kmemleak    a scan after everything; any report fails
#
# The last line sums it all, suite tests counted one by one:
#   # Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0
# Kernel splats are vm-run.sh's to find, in the kernel log.
#
# Usage: sh scripts/check-debug-guest.sh OPS SECONDS PROCS TRINITY_DIR TRINITY_OPS
#   TRINITY_DIR  trinity with its libc and loader, copied there by the host,
#                or "-" for none
set -u

[ $# -eq 5 ] || { sed -n '4,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
ops=$1 secs=$2 procs=$3 trinity=$4 trinity_ops=$5
top=$(cd "$(dirname "$0")/.." && pwd)
kml=/sys/kernel/debug/kmemleak
log=/tmp/check-debug.$$
pass=0 fail=0 skip=0 n=0

# result ok|fail|skip NAME [REASON]
result() {
	n=$((n + 1))
	case $1 in
	ok) echo "ok $n $2" ;;
	skip) echo "ok $n $2 # SKIP $3"; skip=$((skip + 1)) ;;
	*) echo "not ok $n $2${3:+ # $3}" ;;
	esac
}

# nest [FILE]: show a stage's output under the top-level test.
nest() { sed 's/^/# /' "$@"; }

# add_totals FILE: add the last "# Totals:" line of FILE to ours.
add_totals() {
	totals=$(sed -n 's/^# Totals: //p' "$1" | tail -n 1)
	[ -n "$totals" ] || return 1
	for kv in $totals; do
		v=${kv#*:}
		case $kv in
		pass:*) pass=$((pass + v)) ;;
		fail:* | error:*) fail=$((fail + v)) ;;
		skip:*) skip=$((skip + v)) ;;
		esac
	done
}

echo "TAP version 13"
echo "1..4"

# Boot-time objects kmemleak would report are not ours: forget them.
if [ -w "$kml" ]; then
	echo scan >"$kml" && echo clear >"$kml"
fi

start=$(date +%s)
sh "$top/tests/run_tests.sh" >"$log" 2>&1
rc=$?
nest "$log"
if ! add_totals "$log"; then
	fail=$((fail + 1))
	result fail selftests "no totals, exit $rc"
elif [ $rc -ne 0 ]; then
	result fail selftests "exit $rc"
else
	result ok selftests
fi
echo "# selftests: $(($(date +%s) - start)) s"

start=$(date +%s)
"$top/tests/vmshm_fuzz" -n "$ops" -t "$secs" -p "$procs" >"$log" 2>&1
rc=$?
nest "$log"
if [ $rc -eq 0 ]; then
	pass=$((pass + 1))
	result ok fuzz
elif [ $rc -eq 4 ]; then
	result skip fuzz "vmshm_fuzz skipped"
else
	fail=$((fail + 1))
	result fail fuzz "exit $rc"
fi
echo "# fuzz: $(($(date +%s) - start)) s"

# uid_left UID: print the pids of UID's processes, if any are left.
uid_left() {
	for st in /proc/[0-9]*/status; do
		grep -qs "^Uid:[[:space:]]*$1[[:space:]]" "$st" && echo "${st%/status}"
	done | sed 's|/proc/||' | tr '\n' ' '
}

# trinity refuses root without --dangerous; run it as nobody, which needs
# a passwd entry in this throwaway root.  Besides the fds it makes itself
# it only opens /dev/vmshm (-V).  su, sh and timeout all exec, so trinity's
# main process gets timeout's SIGINT after SECONDS: it stops its children
# and exits 0, as when it has made TRINITY_OPS syscalls (-N); SIGKILL
# comes 60 s later.  Afterwards nothing of nobody's may be left, and
# vmshm must unload, which no file or mapping would let it, and load again.
run_trinity() {
	grep -q '^nobody:' /etc/passwd 2>/dev/null ||
		echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
	mkdir -p /tmp/trinity && chmod 777 /tmp/trinity
	su -s /bin/sh nobody -c "cd /tmp/trinity &&
		exec timeout -s INT -k 60 $secs \
		$trinity/ld-linux-x86-64.so.2 --library-path $trinity \
		$trinity/trinity -q -l off -C $procs -N $trinity_ops \
		-V /dev/vmshm --disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
		-c ioctl -c mmap -c munmap -c mremap -c mprotect -c madvise \
		-c read -c write -c poll -c ppoll -c fcntl -c dup -c close \
		-c lseek -c newfstat" >"$log" 2>&1 </dev/null
	rc=$?
	tail -n 20 "$log" | nest
	ran=$(sed -n 's/^.*Ran \([0-9]*\) syscalls.*$/\1/p' "$log" | tail -n 1)
	[ $rc -ne 137 ] || { why="still running 60 s after SIGINT"; return 1; }
	[ $rc -eq 0 ] || { why="exit $rc"; return 1; }
	[ -n "$ran" ] || { why="no \"Ran N syscalls\" line"; return 1; }
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=$(uid_left 65534)
		[ -n "$left" ] || break
		sleep 3
	done
	[ -z "$left" ] || { why="processes of nobody left: $left"; return 1; }
	[ -c /dev/vmshm ] || { why="/dev/vmshm gone"; return 1; }
	out=$(rmmod vmshm 2>&1) || { why="rmmod vmshm: $out"; return 1; }
	out=$(insmod /lib/vmshm/vmshm.ko 2>&1) ||
		{ why="insmod /lib/vmshm/vmshm.ko: $out"; return 1; }
	echo "# trinity: $ran syscalls, module unloaded and loaded again"
}

start=$(date +%s)
if [ "$trinity" = - ] || [ ! -x "$trinity/trinity" ]; then
	result skip trinity "not requested (-T 0) or not installed on the host"
elif run_trinity; then
	pass=$((pass + 1))
	result ok trinity
else
	fail=$((fail + 1))
	result fail trinity "$why"
fi
echo "# trinity: $(($(date +%s) - start)) s"

# Objects younger than 5 s are never reported: scan, wait, scan again.
start=$(date +%s)
if [ ! -w "$kml" ]; then
	fail=$((fail + 1))
	result fail kmemleak "$kml: not available"
else
	echo scan >"$kml"
	sleep 6
	echo scan >"$kml"
	cat "$kml" >"$log"
	if [ -s "$log" ]; then
		head -n 200 "$log" | nest
		fail=$((fail + 1))
		result fail kmemleak "$(grep -c '^unreferenced object' "$log") leaks"
	else
		pass=$((pass + 1))
		result ok kmemleak
	fi
fi
echo "# kmemleak: $(($(date +%s) - start)) s"

rm -f "$log"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail -eq 0 ]
