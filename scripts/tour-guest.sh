#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make tour` (busybox sh, as root, vmshm.ko loaded): ten
# chapters on virtual memory, each doing something real, printing what the
# kernel reports and checking its claim.  Documentation/tour.rst is the
# teacher's guide.
#
# Usage: scripts/tour-guest.sh [--quick] [--chapter N] [--out DIR]
#   --quick      small sizes and a two-point thrashing sweep (the selftest)
#   --chapter N  only chapter N (1-10)
#   --out DIR    raw figures, CSV and JSON (default build/tour)
#
# The last line is a KTAP total, one test per chapter:
#   # Totals: pass:P fail:F xfail:0 xpass:0 skip:S error:0
# Exit status: 0 when no chapter failed, 1 otherwise.

# The chapters read tests/tour_probe's key=value output as variables.
# shellcheck disable=SC2154,SC2016,SC2086,SC2046
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
probe=$top/tests/tour_probe
parent=$top/user/sum/parent
ctl=$top/user/vmshmctl/vmshmctl
bench=$top/user/bench/vmshm-bench
quick='' only='' out=$top/build/tour

while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--chapter) only=${2:-}; shift 2 ;;
	--out) out=${2:-}; shift 2 ;;
	-h | --help) sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "tour: unknown option \"$1\" (expected --quick, --chapter N or --out DIR)" >&2; exit 2 ;;
	esac
done
case $only in
'' | [1-9] | 10) ;;
*) echo "tour: --chapter $only: expected a chapter number, 1 to 10" >&2; exit 2 ;;
esac
[ -x "$probe" ] || { echo "tour: $probe missing: run make tests" >&2; exit 1; }
mkdir -p "$out" || exit 1
export TOUR_OUT="$out"
# `vmshmctl pages NAME` draws the page maps when this vmshmctl has it.
if "$ctl" help 2>&1 | grep -q '^ *pages'; then
	export TOUR_PAGES="$ctl pages --width 64"
fi

pass=0 fail=0 skip=0 failed_list=''

# Projector-sized output: short lines, plain ASCII (a serial console).
rule() { echo "=================================================================="; }
title() { echo; rule; echo "  CHAPTER $1 / 10   $2"; rule; }
say() { echo "  $*"; }
kernel() { echo "  kernel> $*"; }
ok=''
check() {
	desc=$1
	shift
	if "$@"; then
		echo "  [ok]     $desc"
	else
		echo "  [FAILED] $desc"
		ok=no
	fi
}
skip_why=''
skip() { skip_why=$*; }

# Read a probe's key=value output into variables (and keep the file).
probe() {
	env_file=$out/$1.env
	shift
	"$probe" "$@" >"$env_file"
	rc=$?
	# shellcheck disable=SC1090
	. "$env_file"
	return $rc
}

# --- 1. Virtual vs physical ---------------------------------------------
ch1() {
	probe share share || { ok=no; return; }
	say "Two processes attached region \"$name\" ($pages pages)."
	kernel "parent pid $parent_pid maps it at $parent_va"
	kernel "child  pid $child_pid maps it at $child_va"
	kernel "/proc/PID/pagemap: page 0 -> frame $parent_pfn0 (parent), $child_pfn0 (child)"
	say "Every page of the two ranges:"
	awk -F, 'NR > 1 { printf "    %-6s %-6s page %s  va %s  ->  pfn %s\n", $1, $2, $3, $4, $5 }' \
		"$out/frames.csv"
	check "the two virtual addresses differ" [ "$parent_va" != "$child_va" ]
	check "pagemap gives a frame (root)" [ "$parent_pfn0" -gt 0 ]
	check "one physical frame behind both, for all $pages pages" [ "$same_frames" -eq "$pages" ]
}

# --- 2. Demand paging --------------------------------------------------
ch2() {
	n=16
	probe demand demand $n || { ok=no; return; }
	say "A fresh $n-page region, mapped but not touched:"
	kernel "faults $faults0, resident $resident0    map $map_demand_0"
	say "Touch one page at a time ('.' absent, '#' resident):"
	awk -F, 'NR > 1 && NR % 4 == 2 { printf "    touched %2d  faults %2d  resident %2d\n", $1, $2, $3 }' \
		"$out/demand.csv"
	kernel "half way  map $map_demand_half"
	kernel "all       map $map_demand_all"
	check "nothing resident before the first touch" [ "$faults0" -eq 0 -a "$resident0" -eq 0 ]
	check "each touch took exactly one fault and one page" \
		awk -F, 'NR > 1 && ($2 != $1 || $3 != $1) { bad = 1 } END { exit bad }' "$out/demand.csv"
	check "all $n pages resident at the end" [ "$faults" -eq $n -a "$resident" -eq $n ]
}

# --- 3. Isolation ------------------------------------------------------
ch3() {
	probe isolate isolate || { ok=no; return; }
	say "Root made region mode $mode and wrote a secret at $va."
	kernel "uid $other_uid attaches: $attach_error (errno $attach_errno)"
	kernel "a process without the mapping reads $va: killed by signal $third_signal"
	check "another uid is refused with EACCES" [ "$attach_errno" -eq 13 ]
	check "the same address in another process is SIGSEGV" [ "$third_signal" -eq 11 ]
}

# --- 4. Sharing --------------------------------------------------------
ch4() {
	probe share share || { ok=no; return; }
	say "The parent wrote a line; the child read it from the same page."
	kernel "child read:  \"$child_read\""
	kernel "parent read: \"$parent_read\""
	kernel "/proc/vmshm while both were attached:"
	sed 's/^/    /' "$out/share-proc-vmshm.txt" | cut -c1-100 | grep -e name -e "^ *pid comm" -e "$name" -e "^ *$parent_pid " -e "^ *$child_pid "
	check "the child read the parent's line" [ "$child_read" = "hello from parent $parent_pid" ]
	check "the parent read the child's answer" [ "$parent_read" = "child $child_pid read your line" ]
	check "no copy: both processes use the same frames" [ "$same_frames" -eq "$pages" ]
}

# --- 5. Busy waiting vs sleeping ---------------------------------------

# The pids of $1 and all its descendants.
family() {
	fam=" $1 "
	for _ in 1 2 3; do
		for st in /proc/[0-9]*/stat; do
			read -r pid _ _ ppid _ <"$st" 2>/dev/null || continue
			case $fam in *" $ppid "*) case $fam in *" $pid "*) ;; *) fam="$fam$pid " ;; esac ;; esac
		done
	done
	echo $fam
}

# "CPU-ns voluntary-switches" summed over the pids given: time on a CPU
# from /proc/PID/schedstat, switches from /proc/PID/status.
cpu_csw() {
	ns=0 sw=0
	for pid in "$@"; do
		read -r t _ <"/proc/$pid/schedstat" 2>/dev/null || t=0
		v=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		ns=$((ns + t)) sw=$((sw + ${v:-0}))
	done
	echo "$ns $sw"
}

# asleep PID...: every PID given sleeps (state S).
asleep() {
	for pid in "$@"; do
		grep -q ') S ' "/proc/$pid/stat" 2>/dev/null || return 1
	done
}

# settle PID: wait until PID, its child and the child's guard are all
# there and asleep in two looks 0.2 s apart, so that no start-up is
# measured as idle; give up after 30 s.
settle() {
	n=0
	while [ $n -lt 75 ]; do
		set -- "$1" $(family "$1")
		if [ $# -ge 4 ]; then
			shift
			asleep "$@" && sleep 0.2 && asleep "$@" && return 0
			set -- "$1"
		fi
		sleep 0.2
		n=$((n + 1))
	done
	say "parent $1 and its child did not settle in 30 s"
	return 1
}

# idle TRANSPORT SECONDS: start parent and child on a pipe that stays
# open and empty, let them settle, then measure them while they wait.
idle() {
	# Not in $out: 9p cannot hold a FIFO.
	fifo=${TMPDIR:-/tmp}/tour-fifo.$$
	rm -f "$fifo" && mkfifo "$fifo" || return 1
	"$parent" --transport="$1" -q -o /dev/null <"$fifo" &
	ppid=$!
	exec 3>"$fifo"
	settle $ppid || { exec 3>&-; kill $ppid; wait $ppid; return 1; }
	pids=$(family $ppid)
	set -- $(cpu_csw $pids) "$2"
	sleep "$3"
	set -- "$@" $(cpu_csw $pids)
	exec 3>&-
	wait $ppid
	rm -f "$fifo"
	idle_cpu_ms_per_s=$(( ($4 - $1) / 1000000 / $3 ))
	idle_wakeups_per_s=$(( ($5 - $2) / $3 ))
	idle_pids=$(echo $pids | wc -w)
}

ch5() {
	if [ -n "$quick" ]; then lines=200 idle_s=2; else lines=2000 idle_s=3; fi
	awk -v n=$lines 'BEGIN { for (i = 1; i <= n; i++) print i, 2 * i, 3 * i }' >"$out/lines.txt"
	echo "transport,lines,cpu_us_per_line,wakeups_per_line,idle_s,idle_cpu_ms_per_s,idle_wakeups_per_s" >"$out/busy.csv"
	for t in posix-flags vmshm; do
		# The cost of starting, with no input, is taken off each line's.
		probe "start-$t" rusage "$parent" --transport=$t --stream -q \
			-o /dev/null </dev/null || { ok=no; return; }
		c0=$((utime_us + stime_us)) w0=$nvcsw
		probe "busy-$t" rusage "$parent" --transport=$t --stream -q \
			-o "$out/results-$t.txt" <"$out/lines.txt" || { ok=no; return; }
		[ "$status" -eq 0 ] || { say "parent --transport=$t failed"; ok=no; return; }
		idle $t $idle_s || { ok=no; return; }
		awk -v t=$t -v n=$lines -v c=$((utime_us + stime_us - c0)) \
			-v w=$((nvcsw - w0)) -v i=$idle_s -v ic="$idle_cpu_ms_per_s" \
			-v iw="$idle_wakeups_per_s" 'BEGIN {
			printf "%s,%d,%.1f,%.2f,%d,%d,%d\n", t, n, (c > 0 ? c : 0) / n,
				(w > 0 ? w : 0) / n, i, ic, iw }' >>"$out/busy.csv"
		wc -l <"$out/results-$t.txt" >"$out/results-$t.count"
	done
	say "$lines lines through each transport (start-up cost taken off),"
	say "then parent and child ($idle_pids processes) idle ${idle_s}s, waiting for input:"
	awk -F, 'NR == 1 { printf "    %-12s %10s %10s %12s %12s\n", "transport", "CPU us/ln", "wakeups/ln", "idle CPU", "idle wakeups"
		printf "    %-12s %10s %10s %12s %12s\n", "", "", "", "ms per s", "per s"; next }
		{ printf "    %-12s %10s %10s %12s %12s\n", $1, $3, $4, $6, $7 }' "$out/busy.csv"
	say "(getrusage for each run; idle: /proc/PID/schedstat and the"
	say " voluntary_ctxt_switches of /proc/PID/status: one per sleep)"
	fw=$(awk -F, '$1 == "posix-flags" { print $7 }' "$out/busy.csv")
	vw=$(awk -F, '$1 == "vmshm" { print $7 }' "$out/busy.csv")
	fc=$(awk -F, '$1 == "posix-flags" { print $6 }' "$out/busy.csv")
	vc=$(awk -F, '$1 == "vmshm" { print $6 }' "$out/busy.csv")
	check "both transports summed all $lines lines" \
		[ "$(cat "$out/results-posix-flags.count")" -eq $lines -a "$(cat "$out/results-vmshm.count")" -eq $lines ]
	check "idle, the lab's usleep(1000) loop wakes >=100 times a second" [ "$fw" -ge 100 ]
	check "idle, vmshm sleeps in the kernel: >=50x fewer wake-ups" [ $((vw * 50)) -lt "$fw" ]
	check "idle, vmshm uses less CPU than the polling loop" [ "$vc" -lt "$fc" ]
}

# --- 6. Swap -----------------------------------------------------------
ch6() {
	if [ -n "$quick" ]; then n=256; else n=1024; fi
	probe swap swap $n
	rc=$?
	[ $rc -eq 4 ] && { skip "$skip_reason"; return; }
	[ $rc -eq 0 ] || { ok=no; return; }
	say "A $n-page region, filled by a process in a memory cgroup."
	say "Swap: $(awk 'NR > 1 { print $1, $3 / 1024 " MiB" }' /proc/swaps)"
	kernel "touched:       resident $before_resident  swapped $before_swapped"
	kernel "memory.reclaim x$reclaims: resident $squeezed_resident  swapped $squeezed_swapped"
	kernel "touched again: resident $after_resident  swapped $after_swapped  majflt $before_majflt -> $after_majflt"
	check "the squeeze moved at least half the region to swap" [ "$squeezed_swapped" -ge $((n / 2)) ]
	check "touching it again took major faults" [ "$after_majflt" -gt "$before_majflt" ]
	check "and brought pages back (swapped went down)" [ "$after_swapped" -lt "$squeezed_swapped" ]
}

# --- 7. Thrashing ------------------------------------------------------
ch7() {
	if [ -n "$quick" ]; then
		n=256 passes=1
		set -- 200 25
	else
		n=2048 passes=3
		set -- 200 100 90 75 50 25
	fi
	say "Working set: $n pages, touched in order, $passes passes per limit."
	say "The cgroup's memory.max is swept below it:"
	probe thrash thrash $n $passes "$@"
	rc=$?
	[ $rc -eq 4 ] && { skip "$skip_reason"; return; }
	[ $rc -eq 0 ] || { ok=no; return; }
	awk -F, 'NR == 1 { printf "    %8s %12s %12s %12s\n", "limit", "pages/s", "faults/pass", "major/pass"; next }
		{ printf "    %7s%% %12s %12s %12s\n", $1, $3, $5, $4 }' "$out/thrash.csv"
	say "(swap read-ahead brings 8 pages per major fault; the other 7"
	say " come from the swap cache with a minor fault)"
	hi=$(awk -F, 'NR == 2 { print $5 }' "$out/thrash.csv")
	lo=$(tail -n 1 "$out/thrash.csv" | cut -d, -f5)
	lo_maj=$(tail -n 1 "$out/thrash.csv" | cut -d, -f4)
	check "with room to spare, a pass takes no fault" [ "$hi" -eq 0 ]
	check "below the working set, most pages fault in every pass" [ "$lo" -ge $((n / 2)) ]
	check "and at least one in 16 is a major fault from swap" [ "$lo_maj" -ge $((n / 16)) ]
}

# --- 8. Copy-on-write --------------------------------------------------
ch8() {
	probe cow cow || { ok=no; return; }
	say "One page mapped twice in one process: MAP_SHARED at $shared_va,"
	say "MAP_PRIVATE at $private_va."
	kernel "read private: \"$private_read_before\", frame $private_pfn_before (shared: $shared_pfn_before)"
	kernel "write private: frame $private_pfn_after (shared: $shared_pfn_after)"
	kernel "now shared reads \"$shared_reads\", private reads \"$private_reads\""
	check "before the write both see one frame" [ "$private_pfn_before" -eq "$shared_pfn_before" -a "$shared_pfn_before" -gt 0 ]
	check "the write gave the private mapping its own frame" [ "$private_pfn_after" -ne "$shared_pfn_before" -a "$private_pfn_after" -gt 0 ]
	check "the shared page kept its frame and its data" [ "$shared_pfn_after" -eq "$shared_pfn_before" -a "$shared_reads" = shared ]
	check "pagemap: file page before, anonymous copy after" [ "$private_file_before" -eq 1 -a "$private_file_after" -eq 0 ]
}

# --- 9. Huge pages -----------------------------------------------------
ch9() {
	n=1024
	probe huge huge $n || { ok=no; return; }
	say "The same touch, one byte per 4 KiB, on two $n-page regions:"
	kernel "base pages: $base_faults faults"
	kernel "huge pages: $huge_faults faults, $huge_pages pages in huge pages"
	kernel "map (1 char = $((n / 64)) pages, 'H' huge) $map_huge"
	if [ "$huge_pages" -eq 0 ]; then
		skip "no huge page: THP is $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo absent)"
		return
	fi
	ratio=$((base_faults / (huge_faults ? huge_faults : 1)))
	say "ratio: $ratio (a PMD maps 512 pages; the TLB needs 1 entry, not 512)"
	check "base pages: one fault per page" [ "$base_faults" -eq $n ]
	check "huge pages: at most 1/256 of those faults" [ "$ratio" -ge 256 ]
}

# --- 10. Pipes and queues ----------------------------------------------
ch10() {
	if [ -n "$quick" ]; then l=2000; else l=20000; fi
	say "The summing protocol, $l lines: parent/child's vmshm transport vs a pipe (vmshm-bench)."
	"$bench" --quick --rounds=2 --lines=$l --only=stream/pipe,stream/vmshm-xport \
		-o "$out/pipes.csv" >/dev/null 2>"$out/pipes.err" ||
		{ cat "$out/pipes.err"; ok=no; return; }
	awk -F, '$1 == "run" && $2 == "stream" && ($3 == "pipe" || $3 == "vmshm-xport") {
			r[$3] += $13; k[$3]++; s[$3] += $15; c[$3] += $16 }
		END { for (v in r) printf "%s,%.0f,%.4f,%.5f\n", v, r[v] / k[v], s[v] / k[v], c[v] / k[v] }' \
		"$out/pipes.csv" | sort >"$out/pipes-summary.csv"
	awk -F, '{ printf "    %-11s %9s lines/s  %8s syscalls/line  %8s csw/line\n", $1, $2, $3, $4 }' \
		"$out/pipes-summary.csv"
	ps=$(awk -F, '$1 == "pipe" { print $3 }' "$out/pipes-summary.csv")
	vs=$(awk -F, '$1 == "vmshm-xport" { print $3 }' "$out/pipes-summary.csv")
	kernel "lines/s ratio vmshm/pipe: $(awk -F, '{ r[$1] = $2 } END { printf "%.2f", r["vmshm-xport"] / r["pipe"] }' "$out/pipes-summary.csv") (TCG: read ratios, not times)"
	krel=$(uname -r | cut -d. -f1,2)
	if [ -f "$top/Documentation/bench/report-$krel.md" ]; then
		say "make bench's full run: $(grep '^target stream_xport_vs_pipe_same' "$top/Documentation/bench/report-$krel.md")"
	fi
	check "a pipe costs about a system call per line" awk -v s="$ps" 'BEGIN { exit !(s >= 0.5) }'
	check "the vmshm transport, >=10x fewer" awk -v p="$ps" -v v="$vs" 'BEGIN { exit !(v != "" && v * 10 < p) }'
}

names='Virtual vs physical|Demand paging|Isolation|Sharing|Busy waiting vs sleeping|Swap and page faults from disk|Thrashing|Copy-on-write|Huge pages|Pipes and queues'

rm -f "$out/chapters.csv.tmp"
rule
echo "  vmshm tour: virtual memory on Linux $(uname -r)"
echo "  raw figures: $out"
rule
for i in 1 2 3 4 5 6 7 8 9 10; do
	[ -z "$only" ] || [ "$only" = $i ] || continue
	title $i "$(echo "$names" | cut -d'|' -f$i)"
	ok='' skip_why=''
	ch$i
	if [ -n "$skip_why" ]; then
		say "SKIPPED: $skip_why"
		skip=$((skip + 1))
		echo "$i,skip" >>"$out/chapters.csv.tmp"
	elif [ -n "$ok" ]; then
		say "CHAPTER $i FAILED: a claim above did not hold"
		fail=$((fail + 1)) failed_list="$failed_list $i"
		echo "$i,fail" >>"$out/chapters.csv.tmp"
	else
		pass=$((pass + 1))
		echo "$i,pass" >>"$out/chapters.csv.tmp"
	fi
done
{ echo "chapter,result"; cat "$out/chapters.csv.tmp"; } >"$out/chapters.csv"
rm -f "$out/chapters.csv.tmp"
echo
rule
echo "  $pass passed, $fail failed, $skip skipped${failed_list:+ (failed:$failed_list)}"
rule
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail -eq 0 ]
