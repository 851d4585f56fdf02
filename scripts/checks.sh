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
#   check_shlib LIBDIR INCLUDEDIR LIB HEADER...
#                       an installed shared library: its soname, its .so
#                       link, and exports equal to its headers' API

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

# api_of HEADER...: the functions and objects HEADERs declare at file
# scope, one per line: "TYPE NAME(" or "[extern] TYPE NAME;" in column 0,
# not typedefs or forward declarations of structs.
api_of() {
	sed -n -E '/^(typedef|struct [a-z_0-9]+;)/d
		s/^(extern )?[a-z_][a-z0-9_ ]*[ *]\**([a-z_][a-z0-9_]*)( ?\(|;).*/\2/p' "$@" |
		LC_ALL=C sort -u
}

# check_shlib LIBDIR INCLUDEDIR LIB HEADER...: LIBDIR/LIB.so.1 has that
# soname and LIB.so links to it; it exports exactly what INCLUDEDIR/HEADERs
# declare, so no internal function is visible and none of the API is lost.
check_shlib() {
	local dir=$1 inc=$2 name=$3 soname h
	local headers=()
	shift 3
	for h in "$@"; do
		headers+=("$inc/$h")
	done
	soname=$(readelf -dW "$dir/$name.so.1" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
	echo "$name.so.1: soname $soname"
	[ "$soname" = "$name.so.1" ] ||
		{ echo "$name.so.1: soname \"$soname\", not $name.so.1"; return 1; }
	[ "$(readlink "$dir/$name.so")" = "$name.so.1" ] ||
		{ echo "$name.so is not a link to $name.so.1"; return 1; }
	api_of "${headers[@]}" >"$tmp/$name.api"
	[ -s "$tmp/$name.api" ] || { echo "$*: no declaration found"; return 1; }
	# Defined dynamic symbols, without the version nodes (type A).
	nm -D --defined-only "$dir/$name.so.1" |
		awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
		LC_ALL=C sort -u >"$tmp/$name.exports"
	diff -u --label "declared by $*" --label "exported by $name.so.1" \
		"$tmp/$name.api" "$tmp/$name.exports"
}
