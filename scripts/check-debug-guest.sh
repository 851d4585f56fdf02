#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make check-debug` (busybox sh, run by vm-run.sh on the
# debug kernel; never run it on the host).  Prints KTAP, one top-level test
# per stage, each stage's own output nested under "# ":
#
#   1 selftests   tests/run_tests.sh: the whole suite, fail_nth_test included
#   2 fuzz        tests/vmshm_fuzz -n OPS -t SECONDS -p PROCS
#   3 trinity     trinity as uid 65534 against /dev/vmshm (SKIP without it)
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

# trinity refuses root without --dangerous; run it as nobody, which needs
# a passwd entry in this throwaway root.  It only sees /dev/vmshm (-V).
start=$(date +%s)
if [ "$trinity" = - ] || [ ! -x "$trinity/trinity" ]; then
	result skip trinity "not requested (-T 0) or not installed on the host"
else
	grep -q '^nobody:' /etc/passwd 2>/dev/null ||
		echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd
	mkdir -p /tmp/trinity && chmod 777 /tmp/trinity
	timeout $((secs + 60)) su -s /bin/sh nobody -c "cd /tmp/trinity &&
		$trinity/ld-linux-x86-64.so.2 --library-path $trinity \
		$trinity/trinity -q -l off -C $procs -N $trinity_ops \
		-V /dev/vmshm --disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
		-c ioctl -c mmap -c munmap -c mremap -c mprotect -c madvise \
		-c read -c write -c poll -c ppoll -c fcntl -c dup -c close \
		-c lseek -c fstat" >"$log" 2>&1 </dev/null
	rc=$?
	tail -n 40 "$log" | nest
	# It must finish its syscalls in time, and vmshm must survive it.
	if [ $rc -eq 124 ]; then
		fail=$((fail + 1))
		result fail trinity "did not finish $trinity_ops syscalls in $((secs + 60)) s"
	elif [ $rc -ne 0 ]; then
		fail=$((fail + 1))
		result fail trinity "exit $rc"
	elif [ ! -c /dev/vmshm ]; then
		fail=$((fail + 1))
		result fail trinity "/dev/vmshm gone afterwards"
	else
		pass=$((pass + 1))
		result ok trinity
	fi
fi
echo "# trinity: $(($(date +%s) - start)) s"

# Objects younger than 5 s are never reported: scan, wait, scan again.
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

rm -f "$log"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail -eq 0 ]
