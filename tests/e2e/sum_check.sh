#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end check of parent/child against an independent awk reference:
# random lines of integers and decimals with random blanks, some blank
# lines, some invalid tokens; the results file must match line for line.
# POSIX sh and busybox awk only, so it also runs in the guest.
#
# Usage: sum_check.sh [--transport=KIND] [--lines=N] [--seed=S]
#                     [--interactive] [--bin=DIR] [--keep] [-- PARENT_ARGS]
# Prints one KTAP result line; exit status 0 when it passed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../../user/sum
transport=vmshm
lines=100000
seed=1
mode=--stream
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--transport=*) transport=${1#*=} ;;
	--lines=*) lines=${1#*=} ;;
	--seed=*) seed=${1#*=} ;;
	--interactive) mode=--interactive ;;
	--bin=*) bin=${1#*=} ;;
	--keep) keep=1 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--transport=K] [--lines=N] [--seed=S] [--interactive] [--bin=DIR] [--keep]" >&2
	   exit 2 ;;
	esac
	shift
done
# shellcheck source-path=SCRIPTDIR
. "$here/sum_lib.sh"
sum_need_bin

name="sum_check transport=$transport lines=$lines ${mode#--}"
dir=$(mktemp -d "${TMPDIR:-/tmp}/sum_check.XXXXXX") || exit 1
[ -n "$keep" ] || trap 'rm -rf "$dir"' EXIT

# Input: never an empty line, which would end the stream early.
awk -v n="$lines" -v seed="$seed" '
function num(   v, s, fd, f, p, i) {
	v = int(rand() * 2000001) - 1000000
	s = v < 0 ? "-" : (rand() < 0.1 ? "+" : "")
	if (v < 0) v = -v
	if (rand() < 0.2) {
		fd = 1 + int(rand() * 3)
		p = 1	# no "^": busybox awk may lack libm
		for (i = 0; i < fd; i++)
			p *= 10
		f = sprintf("%0" fd "d", int(rand() * p))
		return s v "." f
	}
	return s v
}
function blank(   r) {
	r = rand()
	return r < 0.8 ? " " : (r < 0.9 ? "\t" : "   ")
}
BEGIN {
	srand(seed)
	split("x1 1.2.3 --5 .5 7. 0x1F abc 1e3 +-2 3,4", bad, " ")
	for (i = 0; i < n; i++) {
		r = rand()
		if (r < 0.01) { print "  \t "; continue }
		k = 1 + int(rand() * 12)
		line = rand() < 0.05 ? blank() : ""
		for (j = 0; j < k; j++) {
			t = rand() < 0.003 ? bad[1 + int(rand() * 10)] : num()
			line = line (j ? blank() : "") t
		}
		print line (rand() < 0.05 ? blank() : "")
	}
}' > "$dir/in"

# Reference: same grammar, errors name the first bad token and its column.
awk '
{
	line = $0; off = 0; sum = 0; scale = 0; err = ""
	while (match(line, /[^ \t\r\v\f]+/)) {
		tok = substr(line, RSTART, RLENGTH)
		col = off + RSTART
		off += RSTART + RLENGTH - 1
		line = substr(line, RSTART + RLENGTH)
		if (tok !~ /^[+-]?[0-9]+(\.[0-9]+)?$/) {
			err = "error: invalid number \047" tok "\047 at column " col
			break
		}
		if (index(tok, ".")) {
			d = length(tok) - index(tok, ".")
			if (d > scale) scale = d
		}
		sum += tok
	}
	if (err != "") { print err; next }
	if (scale == 0) { printf "%d\n", sum; next }
	s = sprintf("%." scale "f", sum)
	if (s + 0 == 0) s = sprintf("%." scale "f", 0)
	print s
}' "$dir/in" > "$dir/want"

cd "$dir" || exit 1
start=$(date +%s)
"$bin/parent" "--transport=$transport" $mode -o results "$@" < in > out 2> err
rc=$?
secs=$(( $(date +%s) - start ))

fail=
[ "$rc" -eq 0 ] || fail="parent exited with status $rc"
[ -n "$fail" ] || cmp -s results want || fail="results differ from the reference"
if [ -z "$fail" ] && [ "$mode" = --interactive ]; then
	cmp -s out want || fail="interactive output differs from the reference"
fi
grep -q "^parent: $lines lines sent, $lines results written" err ||
	fail="${fail:-summary line missing or wrong}"

if [ -n "$fail" ]; then
	echo "# $name: $fail"
	sed 's/^/# stderr: /' err | head -n 20
	diff want results 2>/dev/null | head -n 10 | sed 's/^/# diff: /'
	echo "not ok 1 $name"
	exit 1
fi
echo "# $name: $secs s"
echo "ok 1 $name"
