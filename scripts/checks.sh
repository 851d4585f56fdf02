# SPDX-License-Identifier: GPL-2.0
# Sourced by the host check scripts (install-check.sh, dkms-check.sh): a
# scratch directory and one output line per check.
#
#   checks_begin NAME   make $tmp, removed on exit, and zero the counts
#   result NAME ok|FAIL|skip [DETAILS_FILE]
#                       print a check's line, and DETAILS_FILE under a
#                       failing one
#   run NAME CMD...     a check that passes when CMD succeeds; CMD's output
#                       is shown only on failure
#   checks_end          print "N passed, N failed, N skipped"; return 1 on
#                       any failure

checks_begin() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	# shellcheck disable=SC2064  # $tmp is fixed now, on purpose
	trap "rm -rf '$tmp'" EXIT
	passed=0 failed=0 skipped=0
}

result() {
	printf '%-44s %s\n' "$1" "$2"
	case $2 in
	ok) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ;;
	*)
		failed=$((failed + 1))
		[ -z "${3:-}" ] || sed 's/^/    /' "$3"
		;;
	esac
}

run() {
	local name=$1 log
	shift
	log=$tmp/$(echo "$name" | tr -c 'a-z0-9\n' '-').log
	if "$@" >"$log" 2>&1; then
		result "$name" ok
	else
		result "$name" FAIL "$log"
	fi
}

checks_end() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
