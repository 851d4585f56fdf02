# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2034  # $bin & co. are the scripts' to read
#
# What the sum_*.sh case scripts share, sourced by each of them:
#
#   sum_init NAME "$@"  parse [--transport=KIND] [--bin=DIR] into
#                       $transport and $bin, check $bin (sum_need_bin),
#                       and cd to a fresh directory $dir that is removed
#                       on exit, after cleanup()
#   sum_need_bin        exit 2 with one line unless $bin holds parent
#                       and child
#   cleanup             called on exit; a no-op unless the script
#                       defines its own after sourcing this file
#   sum_summary         the closing "# NAME transport=K: N passed, N
#                       failed" line; its status is 0 when none failed,
#                       so it ends the script
#
# The scripts count their KTAP lines in $nr and the failed ones in
# $failed.  POSIX sh and busybox tools only, so it also runs in the guest.

cleanup() { :; }

sum_init() {
	sum_name=$1
	shift
	bin=$(cd "$(dirname "$0")" && pwd)/../../user/sum
	transport=vmshm
	for a in "$@"; do
		case $a in
		--transport=*) transport=${a#*=} ;;
		--bin=*) bin=${a#*=} ;;
		*) echo "usage: $0 [--transport=KIND] [--bin=DIR]" >&2; exit 2 ;;
		esac
	done
	sum_need_bin
	dir=$(mktemp -d "${TMPDIR:-/tmp}/$sum_name.XXXXXX") || exit 1
	trap 'cleanup; rm -rf "$dir"' EXIT
	cd "$dir" || exit 1
	nr=0
	failed=0
}

# Exit 2 with one line unless $bin holds parent and child.
sum_need_bin() {
	if [ ! -x "$bin/parent" ] || [ ! -x "$bin/child" ]; then
		echo "$0: bad value '$bin' for --bin: expected a directory holding parent and child" >&2
		exit 2
	fi
}

sum_summary() {
	echo "# $sum_name transport=$transport: $((nr - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ]
}
