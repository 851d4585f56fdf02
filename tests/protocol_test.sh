#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests of user/sum/parent and user/sum/child over vmshm, run in
# the guest by run_tests.sh: 10^5 random lines against an awk reference, the
# interactive mode, both with and without spinning (--spin=0), edge
# cases, kills of either side, the channel faulted in at set-up or, with
# --lazy, left to demand paging, and
# byte-identical results from the vmshm and posix-flags transports on the
# same input.
# Prints KTAP and a "# Totals:" line; exits 4 (skip) without /dev/vmshm.
set -u

here=$(cd "$(dirname "$0")" && pwd)
e2e=$here/e2e
bin=$here/../user/sum
[ -e /dev/vmshm ] || { echo "1..0 # SKIP /dev/vmshm not present"; exit 4; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out

# identical TRANSPORT_A TRANSPORT_B: same input, byte-identical results.
identical() {
	awk 'BEGIN { srand(7); for (i = 0; i < 3000; i++) {
		n = int(rand() * 8); l = "";
		for (j = 0; j < n; j++) l = l " " int(rand() * 2000001 - 1000000);
		if (i % 97 == 5) l = l " 12x";
		print (l == "" ? "0" : l) } }' >"$tmp/in"
	"$bin/parent" -q --transport="$1" -o "$tmp/a" <"$tmp/in" &&
		"$bin/parent" -q --transport="$2" -o "$tmp/b" <"$tmp/in" &&
		[ "$(wc -l <"$tmp/a")" -eq 3000 ] && cmp "$tmp/a" "$tmp/b"
}

# resident [--lazy]: with no input yet, the resident pages of the parent's
# and the child's mappings of the channel (256 pages), as "comm:pages ...".
resident() {
	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo" || return 1
	"$bin/parent" -q -o "$tmp/p" "$@" <"$tmp/fifo" &
	pid=$!
	exec 9>"$tmp/fifo"	# the parent waits for input until 9 closes
	i=0 res=''
	while [ $i -lt 100 ]; do
		res=$(awk -v n="sum-$pid" '$1 == n { on = 1; next }
			/^[^ ]/ { on = 0 }
			on && $1 ~ /^[0-9]+$/ { printf "%s:%s ", $2, $6 }' /proc/vmshm)
		case $res in *child:*) break ;; esac
		sleep 0.1
		i=$((i + 1))
	done
	exec 9>&-
	wait $pid || return 1
	case $res in *child:*) echo "$res" ;; *) return 1 ;; esac
}

# populated: every page resident in every mapping (xport_populate()).
populated() {
	res=$(resident) || return 1
	echo "resident pages per mapping: $res(want 256 for every one)"
	for m in $res; do
		[ "${m##*:}" = 256 ] || return 1
	done
}

# lazy: with --lazy and no input yet, parent and child have touched only
# page 0, which holds the pair's header and both rings' headers.
lazy() {
	res=$(resident --lazy) || return 1
	echo "resident pages per mapping: $res(want 1 for every one)"
	for m in $res; do
		[ "${m##*:}" = 1 ] || return 1
	done
}

{
	if populated >"$tmp/pop" 2>&1; then
		echo "ok 1 channel_populated"
	else
		sed 's/^/# /' "$tmp/pop"
		echo "not ok 1 channel_populated"
	fi
	if lazy >"$tmp/lazy" 2>&1; then
		echo "ok 1 channel_lazy"
	else
		sed 's/^/# /' "$tmp/lazy"
		echo "not ok 1 channel_lazy"
	fi
	sh "$e2e/sum_check.sh" --transport=vmshm --lines=20000 --seed=7 -- --lazy
	sh "$e2e/sum_check.sh" --transport=vmshm --lines=100000 --seed=1
	sh "$e2e/sum_check.sh" --transport=vmshm --lines=2000 --seed=3 --interactive
	sh "$e2e/sum_check.sh" --transport=posix-flags --lines=2000 --seed=4
	# Spinning is the default; the same without it.
	sh "$e2e/sum_check.sh" --transport=vmshm --lines=20000 --seed=5 -- --spin=0
	sh "$e2e/sum_check.sh" --transport=vmshm --lines=1000 --seed=6 \
		--interactive -- --spin=0
	if identical vmshm posix-flags >"$tmp/cmp" 2>&1; then
		echo "ok 1 transports_identical"
	else
		sed 's/^/# /' "$tmp/cmp"
		echo "not ok 1 transports_identical"
	fi
	sh "$e2e/sum_edges.sh" --transport=vmshm
	sh "$e2e/sum_messages.sh" --transport=vmshm
	sh "$e2e/sum_faults.sh" --transport=vmshm
} >"$out" 2>&1

echo "TAP version 13"
cat "$out"
pass=$(grep -c '^ok ' "$out")
fail=$(grep -c '^not ok ' "$out")
skip=$(grep -c '^ok .*# SKIP' "$out")
pass=$((pass - skip))
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" -eq 0 ]
