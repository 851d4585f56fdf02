#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The messages of parent and child, one KTAP line each: a bad option value
# gets one line naming the value expected (not the usage), a value given to
# an option that takes none is refused by the option's name, a file name
# given as an argument is pointed to stdin, lines left after the empty line
# that ended the input are counted, counts agree in number ("1 line"), and
# -v prints the same counter words for every transport.
#
# Usage: sum_messages.sh [--transport=KIND] [--bin=DIR]
set -u

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/sum_lib.sh"
sum_init sum_messages "$@"

result() {
	nr=$((nr + 1))
	if [ -z "$2" ]; then
		echo "ok $nr $1 transport=$transport"
		return
	fi
	echo "# $1: $2"
	sed 's/^/# stderr: /' err | head -n 5
	echo "not ok $nr $1 transport=$transport"
	failed=$((failed + 1))
}

# usage NAME PROG WANT_LINE ARGS...: exit status 2 and exactly WANT_LINE.
usage() {
	name=$1
	prog=$2
	want=$3
	shift 3
	"$bin/$prog" "$@" < /dev/null > out 2> err
	rc=$?
	msg=
	[ "$rc" -eq 2 ] || msg="exit status $rc, want 2"
	[ "$(cat err)" = "$want" ] || msg="${msg:-stderr is not the line \"$want\"}"
	[ -s out ] && msg="${msg:-something on stdout}"
	result "$name" "$msg"
}

echo "KTAP version 1"
echo "1..16"

usage bad_size parent "parent: bad value '12Q' for --region-size: expected a size in bytes with an optional K, M or G suffix, such as 64K" \
	--region-size=12Q
usage bad_transport parent "parent: bad value 'pipe' for --transport: expected one of vmshm|posix-flags|futex" \
	--transport pipe
usage bad_spin parent "parent: bad value '-1' for --spin: expected a number of polls from 0 to 1073741824" \
	--spin=-1
usage missing_value parent "parent: option --output needs a value: a file name" -o
usage flag_value parent "parent: option --interactive takes no value" --inter=1
usage lazy_value parent "parent: option --lazy takes no value" --lazy=yes
usage unknown_option parent "parent: unknown option '--colour' (see parent --help)" --colour
usage unknown_short parent "parent: unknown option '-x' (see parent --help)" -x
usage file_argument parent "parent: unexpected argument 'numbers.txt': the parent reads the numbers from standard input (parent < numbers.txt)" \
	numbers.txt
usage child_bad_fd child "child: bad value 'x' for --ready-fd: expected a file descriptor from 0 to 1048576" \
	--ready-fd=x chan
usage child_no_name child "child: expected the channel NAME (see child --help)"

# run INPUT [ARGS...]: the parent on INPUT (a printf format), stderr in err.
run() {
	printf "$1" > in
	shift
	"$bin/parent" "--transport=$transport" -o results "$@" < in > out 2> err
	msg=
}

# want PATTERN: a line of stderr matches PATTERN (grep) as a whole.
want() {
	grep -qx -- "$1" err || msg="${msg:-no line \"$1\"}"
}

# The lines after the empty line that ended the input, counted without
# the empty ones; nothing said when there are none.
run '1\n\n2\n3 4\n\n5'
want 'parent: warning: an empty line ended the input; 3 more lines were left unread'
[ "$(cat results)" = 1 ] || msg="${msg:-results are not \"1\"}"
result unread_lines "$msg"

run '1\n\n7\n'
want 'parent: warning: an empty line ended the input; 1 more line was left unread'
result unread_one_line "$msg"

run '1\n\n\n\n'
grep -q 'unread' err && msg="a warning though only empty lines follow"
result unread_only_empty "$msg"

# One line: singular everywhere, and the -v counters.
counters='sent=[0-9]* received=[0-9]* waits=[0-9]* wakes=[0-9]* wakes_skipped=[0-9]* spin_hits=[0-9]*'
run '5\n' -v
want 'parent: 1 line sent, 1 result written to results, child exited with status 0'
want "child: 1 line, 0 errors; $counters"
want "parent: $counters"
want 'parent: child summed 1 line'
result singular_and_counters "$msg"

run '5\n6\n'
want 'parent: 2 lines sent, 2 results written to results, child exited with status 0'
result plural "$msg"

sum_summary
