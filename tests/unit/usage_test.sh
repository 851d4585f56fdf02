#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage errors of vmshm-bench, scripts/profile.sh and the sum e2e scripts:
# one line naming the value expected, exit status 2, and not the usage
# text; and failures that are not the user's (a tool missing, no process
# left to fork, a child killed) at status 1.  Runs on the host: they stop
# before they need a guest.
top=$(dirname "$0")/../..
nr=0
failed=0

# verdict TEST PASSED GOT WANT: print test TEST's KTAP line; when PASSED
# is not 0, also what it got and what was wanted.
verdict() {
	nr=$((nr + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $nr $1"
		return
	fi
	echo "# $3"
	echo "# want: $4"
	echo "not ok $nr $1"
	failed=$((failed + 1))
}

# skip REASON NAME...: report each bench_usage_NAME as skipped.
skip() {
	reason=$1
	shift
	for j in "$@"; do
		nr=$((nr + 1))
		echo "ok $nr bench_usage_$j # SKIP $reason"
	done
}

# check PROGRAM NAME WANT_LINE ARGS...: test PROGRAM's NAME error, which
# exits with $want_rc (default 2), run with $run_path as PATH if set
check() {
	prog=$1
	name=$2
	want=$3
	shift 3
	err=$(PATH=${run_path:-$PATH} "$prog" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq "${want_rc:-2}" ] && [ "$err" = "$want" ]
	verdict "$(basename "$prog" .sh | sed 's/^vmshm-//')_usage_$name" $? \
		"exit status $rc, stderr: $err" "$want"
}

bench=$top/user/bench/vmshm-bench
profile=$top/scripts/profile.sh
e2e=$top/tests/e2e

echo "KTAP version 1"
echo "1..23"
check "$bench" rounds "vmshm-bench: bad value '1' for --rounds: expected a number of rounds from 2" \
	--rounds 1
check "$bench" pages "vmshm-bench: bad value '1,2,3,4,5' for --pages: expected up to 4 page counts from 1 to 1073741824, separated by commas" \
	--pages=1,2,3,4,5
check "$bench" ring_size "vmshm-bench: bad value '0' for --ring-size: expected a size in bytes with an optional K, M or G suffix, such as 64K" \
	--ring-size=0
check "$bench" missing "vmshm-bench: option --seed needs a value: a number" --seed
check "$bench" unknown "vmshm-bench: unknown option '--colour' (see vmshm-bench --help)" --colour
check "$bench" only "vmshm-bench: bad value 'pingpong/nothing' for --only: expected part of a job's workload/variant/placement or of curve/NAME" \
	--only=futex/same,pingpong/nothing
check "$bench" only_empty "vmshm-bench: bad value ',' for --only: expected part of a job's workload/variant/placement or of curve/NAME" \
	--only=,
# 11 words, 274 characters: cut at 255 they would still pick jobs.
long=pingpong/futex/same-vcpu
long=$long,$long,$long,$long,$long,$long,$long,$long,$long,$long,$long
check "$bench" only_long "vmshm-bench: bad value '$long' for --only: expected words separated by commas, 255 characters at most" \
	--only="$long"
check "$bench" operand "vmshm-bench: unexpected argument 'extra' (see vmshm-bench --help)" extra
# On one CPU the jobs across vCPUs are left out of the plan: a word that
# picks only those says so.
bin=$(mktemp -d)
printf '#!/bin/sh\nexec taskset -c 0 %s "$@"\n' "$(realpath "$bench")" >"$bin/vmshm-bench"
chmod +x "$bin/vmshm-bench"
check "$bin/vmshm-bench" only_one_cpu "vmshm-bench: bad value 'stream/single-as-consumer' for --only: expected a job that runs on one CPU; it picks only jobs across vCPUs, and this process may run on one CPU" \
	--only=stream/single-process,stream/single-as-consumer
rm -r "$bin"
check "$profile" unknown "profile: unknown option '--colour' (see scripts/profile.sh --help)" \
	--colour stream/
check "$profile" top "profile: bad value '0' for --top: expected a positive number of symbols" \
	--top 0 stream/
check "$profile" operand "profile: unexpected argument 'extra' (bench options follow --)" \
	stream/ extra
check "$profile" missing "profile: option --top needs a value (see scripts/profile.sh --help)" \
	--top
check "$profile" only "profile: no jobs given: expected vmshm-bench --only words, such as stream/vmshm-xport" \
	--top 5
for s in sum_check sum_faults; do
	check "$e2e/$s.sh" bin "$e2e/$s.sh: bad value '/nonexistent' for --bin: expected a directory holding parent and child" \
		--bin=/nonexistent
done
# A missing tool is not a usage error: status 1.  PATH holds only what
# runs the script.
bin=$(mktemp -d)
ln -s "$(command -v env)" "$(command -v bash)" "$bin/"
run_path=$bin want_rc=1 check "$profile" no_perf "profile: perf not found: expected the host's perf (apt-get install linux-perf)" \
	stream/
# A perf that is not a dynamic binary: no loader to copy into the guest.
printf '#!/bin/sh\n' >"$bin/perf"
chmod +x "$bin/perf"
ln -s "$(command -v ldd)" "$(command -v awk)" "$bin/"
run_path=$bin want_rc=1 check "$profile" no_loader "profile: ldd $bin/perf: expected a dynamically linked x86-64 perf, found no loader" \
	stream/
rm -r "$bin"

# kill_check NAME JOB WANT_LINE: run vmshm-bench --only=JOB, SIGKILL the
# first child it forks (on vCPU 1) while the job runs, and expect WANT_LINE
# and status 1.  The job runs three times, a second or so each time.
kill_check() {
	err=$(mktemp)
	"$bench" --quick --rounds=2 --lines=1000000 -o /dev/null \
		--only="stream/single-process,$2" 2>"$err" >/dev/null &
	pid=$!
	i=0
	child=
	while [ -z "$child" ] && [ "$i" -lt 6000 ] && kill -0 "$pid" 2>/dev/null; do
		child=$(pgrep -P "$pid" | head -n 1)
		[ -n "$child" ] || sleep 0.01
		i=$((i + 1))
	done
	[ -z "$child" ] || kill -KILL "$child"
	wait "$pid"
	rc=$?
	[ -n "$child" ] && [ "$rc" -eq 1 ] && [ "$(cat "$err")" = "$3" ]
	verdict "bench_usage_$1" $? \
		"child '${child}', exit status $rc, stderr: $(cat "$err")" "$3"
	rm -f "$err"
}

# A child that dies is named too: the job, and which child.
if [ "$(nproc)" -lt 2 ]; then
	skip "needs two CPUs" kill_consumer kill_busy
else
	kill_check kill_consumer stream/single-as-consumer "vmshm-bench: single-as-consumer: the child failed: Broken pipe
vmshm-bench: failed: Broken pipe"
	kill_check kill_busy stream/single-beside-busy "vmshm-bench: single-beside-busy: the spinner failed: Broken pipe
vmshm-bench: failed: Broken pipe"
fi

# The stream jobs without a transport fork a child on vCPU 1: when fork()
# fails, the job is named.  As nobody, with no process left to it under
# RLIMIT_NPROC; that takes root, and the second CPU the jobs run on.
skip_fork() {
	skip "$1" fork_consumer fork_busy
}
if [ "$(id -u)" -ne 0 ]; then
	skip_fork "needs root, to run as nobody"
elif ! command -v prlimit >/dev/null || ! command -v setpriv >/dev/null; then
	skip_fork "needs prlimit and setpriv (util-linux)"
elif [ "$(nproc)" -lt 2 ]; then
	skip_fork "needs two CPUs"
else
	bin=$(mktemp -d)
	chmod 755 "$bin"
	cp "$bench" "$bin/bench"
	# Room for nobody's tasks (RLIMIT_NPROC counts threads) and this
	# one, none for its child.
	limit=$(($(ps -L -u 65534 -o lwp= | wc -l) + 1))
	cat >"$bin/vmshm-bench" <<EOF
#!/bin/sh
exec prlimit --nproc=$limit setpriv --reuid=65534 --regid=65534 \
	--clear-groups $bin/bench --quick --rounds=2 --lines=2000 \
	-o /dev/null "\$@"
EOF
	chmod 755 "$bin/vmshm-bench"
	eagain="Resource temporarily unavailable"
	want_rc=1 check "$bin/vmshm-bench" fork_consumer "vmshm-bench: single-as-consumer: cannot start a child: $eagain
vmshm-bench: failed: $eagain" --only=stream/single-as-consumer
	want_rc=1 check "$bin/vmshm-bench" fork_busy "vmshm-bench: single-beside-busy: cannot start a child: $eagain
vmshm-bench: failed: $eagain" --only=stream/single-beside-busy
	rm -r "$bin"
fi
[ "$failed" -eq 0 ]
