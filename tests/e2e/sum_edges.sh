#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Edge cases of parent/child through a transport, one KTAP line each:
# end of input, lines longer than any record or message, NUL bytes,
# exact 64-bit sums, interactive mode, and a terminal (if script(1) is
# there).  POSIX sh and busybox tools only.
#
# Usage: sum_edges.sh [--transport=KIND] [--bin=DIR]
set -u

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/sum_lib.sh"
sum_init sum_edges "$@"

# check NAME WANT_FILE [PARENT_ARGS...] < input: results must equal WANT.
check() {
	name=$1
	want=$2
	shift 2
	"$bin/parent" "--transport=$transport" -o results "$@" > out 2> err
	rc=$?
	nr=$((nr + 1))
	if [ "$rc" -eq 0 ] && cmp -s results "$want"; then
		echo "ok $nr $name transport=$transport"
		return 0
	fi
	echo "# $name: parent exit status $rc"
	sed 's/^/# stderr: /' err | head -n 5
	head -c 300 results | sed 's/^/# got: /'
	echo "not ok $nr $name transport=$transport"
	failed=$((failed + 1))
	return 1
}

echo "KTAP version 1"
echo "1..8"

printf '1\n' > want
printf '1\n\n2\n' > in
check empty_line_ends_input want < in

printf '3\n7\n' > want
printf '1 2\n3 4' > in
check last_line_without_newline want < in

# 600000 tokens, 1.2 MB: more than a 64K region's ring or a 4K message.
awk 'BEGIN { for (i = 0; i < 600000; i++) printf "5 "; print "" }' > in
printf '3000000\n' > want
check long_line want --region-size=64K < in

awk 'BEGIN { for (i = 0; i < 300000; i++) printf "1 "; print "x"; print "2" }' > in
printf "error: invalid number 'x' at column 600001\n2\n" > want
check long_line_error_column want --region-size=64K < in

printf "error: invalid number '1\\\\x002' at column 1\n5\n" > want
printf '1\0002 3\n5\n' > in
check nul_byte want < in

cat > in <<'IN'
9223372036854775807 1 -1
9223372036854775807 1
-9223372036854775808
-9223372036854775808 -1
0.1 0.2
-0.5 0.5
1.0000000001
IN
cat > want <<'WANT'
9223372036854775807
error: overflow: the sum is out of the 64-bit range
-9223372036854775808
error: overflow: the sum is out of the 64-bit range
0.3
0.0
error: more than 9 fraction digits in '1.0000000001' at column 1
WANT
check exact_sums want < in

cp want want_out
check interactive_pipe want --interactive < in &&
	! cmp -s out want_out &&
	echo "# interactive_pipe: stdout differs from the results" &&
	failed=$((failed + 1))

nr=$((nr + 1))
if ! command -v script > /dev/null; then
	echo "ok $nr tty_prompt transport=$transport # SKIP no script(1)"
else
	printf '3\n7\n' > want
	printf '1 2\n3 4\n\n' |
		script -qec "'$bin/parent' --transport=$transport -o results" /dev/null > out 2>&1
	if cmp -s results want && grep -q '^> 3' out && grep -q '^> 7' out; then
		echo "ok $nr tty_prompt transport=$transport"
	else
		sed 's/^/# tty: /' out | head -n 10
		echo "not ok $nr tty_prompt transport=$transport"
		failed=$((failed + 1))
	fi
fi

sum_summary
