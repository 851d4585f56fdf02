#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make lint: the static checks an in-tree driver gets, on all of vmshm.
#
#   checkpatch  --strict on every .c/.h of kmod/, user/ and tests/
#   kernel-doc  -Wall on kmod/*.[ch], the UAPI header and user/lib/*.[ch]
#   man         mandoc -T lint -W style on Documentation/man/*
#   packaging   dkms.conf's version
#   sparse      a C=2 build of the module for 6.1 and for 6.12
#   W=1         scripts/build-kmod.sh for 6.1 and for 6.12
#
# Prints one line per check, the findings of a failing check under it, and
# a closing "N passed, N failed" line; exits 1 on any failure.  The checks
# run in parallel; with the module objects cached it takes about 20 s.
#
# Usage: scripts/lint.sh [checkpatch|kernel-doc|man|packaging|sparse|w1]...
#   (no argument: all of them)
set -uo pipefail

usage() { sed -n '4,18s/^# \{0,1\}//p' "$0"; }
case "${1:-}" in
-h | --help) usage; exit 0 ;;
esac

. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
# A parent make's jobserver and flags must not leak into the module builds:
# its "jobserver unavailable" warning would fail the W=1 check.
unset MAKEFLAGS MFLAGS MAKELEVEL

CHECKPATCH=$SRC_TREE/scripts/checkpatch.pl
KERNEL_DOC=$SRC_TREE/scripts/kernel-doc
KERNELS=("$K61" "$K612")
CACHE=$BUILD/lint-cache

# checkpatch types that are kernel rules with no meaning for the file kind.
#
# kmod/*.[ch]:
#   LINUX_VERSION_CODE  an out-of-tree module must build on 6.1 and 6.12;
#                       the few version tests live in kmod/vmshm.h.
# userspace (user/, tests/): each remedy checkpatch names is kernel-only.
#   PREFER_KERNEL_TYPES            u32 & co. are kernel typedefs; C has
#                                  <stdint.h>.
#   BIT_MACRO                      BIT() is in <linux/bits.h>, not exported.
#   PREFER_DEFINED_ATTRIBUTE_MACRO __printf() & co. are in the kernel's
#                                  <linux/compiler_attributes.h>.
#   PREFER_FALLTHROUGH             "fallthrough" is a kernel macro; GCC's
#                                  -Wimplicit-fallthrough reads the comment.
#   STRCPY                         strscpy() is kernel-only, and Debian 12's
#                                  glibc (2.36) has no strlcpy() either.
#   ARCH_DEFINES                   userspace has no CONFIG_ symbols; the
#                                  compiler's __x86_64__ & co. pick cpu
#                                  instructions such as pause.
#   EMBEDDED_FUNCTION_NAME         a kernel log names its function with
#                                  __func__; a program's strings are words
#                                  for users ("usage:", subcommand names)
#                                  that merely equal a function's name.
# tests/ in addition:
#   MACRO_WITH_FLOW_CONTROL  kselftest's ASSERT_*() end a test by returning,
#                            by design; helpers built on them must be macros
#                            too (they need _metadata and the caller's line).
#   MACRO_ARG_REUSE          those helpers take the test's own plain
#                            variables and constants, never side effects.
# The UAPI header is checked with every rule: it is run from kmod/, so that
# its path starts with include/uapi/ and checkpatch applies the UAPI rules.
IGNORE_KMOD=LINUX_VERSION_CODE
IGNORE_USER=PREFER_KERNEL_TYPES,BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO
IGNORE_USER+=,PREFER_FALLTHROUGH,STRCPY,ARCH_DEFINES,EMBEDDED_FUNCTION_NAME
IGNORE_TESTS=$IGNORE_USER,MACRO_WITH_FLOW_CONTROL,MACRO_ARG_REUSE

# Single findings that are correct code.  Fields: a path glob, the type,
# and an ERE matched against "message | source line".
WAIVERS=(
	# The version test itself, already allowed by LINUX_VERSION_CODE.
	'kmod/*|CONSTANT_COMPARISON|LINUX_VERSION_CODE < KERNEL_VERSION'
	# A table initializer: the argument is a constant ioctl number, used
	# for the index and the value (iommufd's IOCTL_OP has the same shape).
	'kmod/main.c|MACRO_ARG_REUSE|reuse ._ioctl.'
	# FIELD() and LAYOUT() build tables from a type, a member and an
	# array, used in offsetof(), sizeof() and ARRAY_SIZE(): no evaluation.
	'user/lib/vmshm_nl.c|MACRO_ARG_REUSE|reuse .(type|member|f).'
	# checkpatch lets a long message string pass in the kernel's logging
	# calls (pr_err() & co.) so that it stays greppable; these are the
	# userspace ones.
	'user/*|LONG_LINE_STRING|\|.*\<(f?printf|snprintf|dprintf|err_msg|info_msg|verbose_msg|die|perror)\('
	'tests/*|LONG_LINE_STRING|\|.*\<(f?printf|snprintf|dprintf|TH_LOG|ksft_[a-z_]+|ASSERT_STREQ|EXPECT_STREQ)\('
	# C11 keywords and <inttypes.h> macros are ISO C, not CamelCase names.
	'user/*|CAMELCASE|<(_(Alignas|Atomic|Bool|Generic|Noreturn|Static_assert|Thread_local)|(PRI|SCN)[a-zA-Z]+(8|16|32|64|MAX|PTR))>'
	'tests/*|CAMELCASE|<(_(Alignas|Atomic|Bool|Generic|Noreturn|Static_assert|Thread_local)|(PRI|SCN)[a-zA-Z]+(8|16|32|64|MAX|PTR))>'
	# checkpatch does not parse "_Alignas(N) type m;" or "_Atomic type m;"
	# as declarations.
	'user/*|LINE_SPACING|\|[[:space:]]*_(Alignas\(|Atomic )'
	'tests/*|LINE_SPACING|\|[[:space:]]*_(Alignas\(|Atomic )'
	# kselftest's FIXTURE_DATA(f) and FIXTURE_VARIANT(f) are types, which
	# checkpatch takes for an expression multiplied by the parameter.
	'tests/*|SPACING|(FIXTURE_DATA|FIXTURE_VARIANT)\([a-z0-9_]+\) \*'
	# ISO C's only type for a flag that a signal handler writes.
	'user/*|VOLATILE|volatile sig_atomic_t'
	'tests/*|VOLATILE|volatile sig_atomic_t'
	# Pointers into a vmshm mapping: each access must reach the memory,
	# because what the tests and the benchmark observe is the kernel's
	# side (faults, the sleepers word it updates).
	'tests/*|VOLATILE|volatile (char|u?int(8|32|64)_t) \*'
	'user/bench/*|VOLATILE|volatile (char|u?int(8|32|64)_t) \*'
)

files() { [ "$1" = 1 ] && echo "1 file" || echo "$1 files"; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# waived FILE TYPE MESSAGE SOURCE_LINE: is this finding in WAIVERS?
waived() {
	local w glob type re
	for w in "${WAIVERS[@]}"; do
		IFS='|' read -r glob type re <<<"$w"
		# shellcheck disable=SC2053 # glob match on purpose
		[[ $1 == $glob && $2 == "$type" && "$3 | $4" =~ $re ]] && return 0
	done
	return 1
}

# cache_key IGNORE FILE: where checkpatch's findings for FILE are cached.
# The key covers the file's name and contents, the ignore list and the
# kernel source version, so an unchanged file costs nothing.
cache_key() {
	{ echo "$SRC_VERSION $1 $2"; cat "$2"; } | sha256sum | cut -c1-40
}

# checkpatch_batch IGNORE FILE...: run checkpatch once on FILEs (paths
# relative to the current directory) and cache each file's findings.  One
# run for many files saves the perl start-up per file; the price is that
# checkpatch names a CamelCase word once per run, in the first file only,
# so that a clean cache (rm -rf build/lint-cache) is the full truth.
checkpatch_batch() {
	local ignore=$1 f out key
	shift
	out=$(mktemp "$CACHE/batch.XXXXXX")
	"$CHECKPATCH" --strict --no-tree --terse --show-types --no-summary \
		--color=never ${ignore:+--ignore "$ignore"} -f "$@" >"$out" 2>&1
	# A line that names no file is checkpatch's own trouble: cache nothing.
	if grep -qv -e '^[^:]*:[0-9]*: ' "$out"; then
		cat "$out"
	else
		for f in "$@"; do
			key=$CACHE/$(cache_key "$ignore" "$f")
			awk -F: -v f="$f" '$1 == f' "$out" >"$key.$$"
			mv -f "$key.$$" "$key"
		done
	fi
	rm -f "$out"
}

# checkpatch_group NAME DIR PREFIX IGNORE FILE...: checkpatch FILEs from DIR
# (the files missing from the cache, in two parallel runs), and report the
# findings as PREFIX/FILE, minus the waived ones.
checkpatch_group() {
	local name=$1 dir=$2 prefix=$3 ignore=$4
	shift 4
	local out=$TMP/checkpatch-$name f n line file lnum rest type msg src
	local miss=()
	for f in "$@"; do
		[ -f "$CACHE/$(cd "$dir" && cache_key "$ignore" "$f")" ] || miss+=("$f")
	done
	n=$(((${#miss[@]} + 1) / 2))
	if [ "$n" -gt 0 ]; then
		(cd "$dir" && checkpatch_batch "$ignore" "${miss[@]:0:n}") >"$out.trouble.0" &
		[ ${#miss[@]} -le "$n" ] ||
			(cd "$dir" && checkpatch_batch "$ignore" "${miss[@]:n}") >"$out.trouble.1" &
		wait
	fi
	: >"$out"
	for f in "$out".trouble.*; do
		[ ! -f "$f" ] || cat "$f" >>"$out"
	done
	for f in "$@"; do
		cat "$CACHE/$(cd "$dir" && cache_key "$ignore" "$f")" 2>/dev/null
	done | while IFS= read -r line; do
		# FILE:LINE: LEVEL:TYPE: MESSAGE
		[[ $line =~ ^([^:]+):([0-9]+):\ (ERROR|WARNING|CHECK):([A-Z0-9_]+):\ (.*)$ ]] || {
			echo "$line" >>"$out"
			continue
		}
		file=$prefix${BASH_REMATCH[1]} lnum=${BASH_REMATCH[2]}
		type=${BASH_REMATCH[4]} msg=${BASH_REMATCH[5]}
		src=$(sed -n "${lnum}p" "$file")
		waived "$file" "$type" "$msg" "$src" && continue
		rest=${line#*: }
		echo "$file:$lnum: $rest" >>"$out"
	done
	files "$#" >"$out.what"
}

run_checkpatch() {
	local kmod=() user=() tests=() uapi=()
	mkdir -p "$CACHE"
	mapfile -t kmod < <(find kmod -maxdepth 1 -name '*.[ch]' ! -name '*.mod.c' | sort)
	mapfile -t uapi < <(cd kmod && find include/uapi -name '*.h' | sort)
	mapfile -t user < <(find user -name '*.[ch]' ! -name '*.mod.c' | sort)
	mapfile -t tests < <(find tests -name '*.[ch]' | sort)
	checkpatch_group kmod . '' "$IGNORE_KMOD" "${kmod[@]}"
	checkpatch_group uapi kmod kmod/ '' "${uapi[@]}"
	checkpatch_group user . '' "$IGNORE_USER" "${user[@]}"
	checkpatch_group tests . '' "$IGNORE_TESTS" "${tests[@]}"
}

run_kernel_doc() {
	local files=(kmod/*.[ch] kmod/include/uapi/linux/*.h user/lib/*.[ch])
	"$KERNEL_DOC" -none -Wall "${files[@]}" >"$TMP/kernel-doc" 2>&1 ||
		echo "kernel-doc: exit status $?" >>"$TMP/kernel-doc"
	files "${#files[@]}" >"$TMP/kernel-doc.what"
}

# Lines of a module build that are not findings.
BUILD_CHATTER='^(make(\[[0-9]+\])?: (Entering|Leaving) directory|  [A-Z][A-Z0-9_]*( \[M\])? +[^ ]+$|Skipping BTF generation for .* due to unavailability of vmlinux$)'

# sparse REL: C=2 checks every file, compiled or not, in a private copy of
# the sources (kept between runs so that only changed files recompile).
run_sparse() {
	local rel=$1 dst=$BUILD/sparse-$1 out=$TMP/sparse-$1 srcs nchk
	mkdir -p "$dst"
	exec 9>"$dst.lock"
	flock 9
	find "$dst" \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
		! -name '*.mod.c' -delete
	mapfile -t srcs < <(cd kmod && find . \( -name '*.[ch]' -o -name Kbuild \
		-o -name Makefile \) ! -name '*.mod.c')
	tar -C kmod -cf - "${srcs[@]}" | tar -C "$dst" -xf -
	make -C "/lib/modules/$rel/build" M="$dst" C=2 CF="-D__CHECK_ENDIAN__" \
		modules >"$out.raw" 2>&1 || echo "make: exit status $?" >>"$out.raw"
	grep -Ev "$BUILD_CHATTER" "$out.raw" >"$out"
	# C=2 prints a CHECK line per file: make sure sparse really ran.
	nchk=$(grep -c '^  CHECK ' "$out.raw")
	[ "$nchk" -gt 0 ] || echo "sparse: no file was checked" >>"$out"
	files "$nchk" >"$out.what"
}

# Every mandoc message down to STYLE (the man-pages conventions) is a
# finding: the pages have none, so there is nothing to filter.
run_man() {
	local out=$TMP/man pages=(Documentation/man/*) h
	mandoc -T lint -W style "${pages[@]}" >"$out" 2>&1 ||
		[ -s "$out" ] || echo "mandoc: exit status $?" >>"$out"
	# A .TP tag must be whole on its line (short ones share it with the
	# body): groff puts a tag's second source line in the body.
	LC_ALL=C MANWIDTH=120 man -l Documentation/man/vmshmctl.8 2>&1 |
		sed 's/^ *//; s/ *$//' >"$out.vmshmctl"
	for h in list "show NAME" "show -i ID" stats "monitor [-c COUNT]" \
		"unlink NAME"; do
		awk -v h="$h" '$0 == h || index($0, h "  ") == 1 { f = 1 }
			END { exit !f }' "$out.vmshmctl" ||
			echo "vmshmctl.8: no heading line \"$h\" in the groff output" >>"$out"
	done
	files "${#pages[@]}" >"$out.what"
}

# The version that dkms.conf repeats.
run_packaging() {
	local out=$TMP/packaging kver dver
	: >"$out"
	kver=$(sed -n 's/^#define VMSHM_MOD_VERSION[[:space:]]*"\(.*\)"$/\1/p' kmod/vmshm.h)
	dver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	[ -n "$kver" ] && [ "$kver" = "$dver" ] ||
		echo "dkms.conf: PACKAGE_VERSION \"$dver\" is not VMSHM_MOD_VERSION \"$kver\"" >>"$out"
	echo "dkms.conf" >"$out.what"
}

run_w1() {
	local rel=$1 out=$TMP/w1-$1
	scripts/build-kmod.sh "$rel" >"$out.raw" 2>&1 || cp "$out.raw" "$out"
	touch "$out"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(checkpatch kernel-doc man packaging sparse w1)
checks=()
start=$(date +%s)
for c in "${want[@]}"; do
	case $c in
	checkpatch)
		checks+=(checkpatch-kmod checkpatch-uapi checkpatch-user checkpatch-tests)
		run_checkpatch & ;;
	kernel-doc)
		checks+=(kernel-doc)
		run_kernel_doc & ;;
	sparse)
		for rel in "${KERNELS[@]}"; do
			checks+=("sparse-$rel")
			run_sparse "$rel" &
		done ;;
	man)
		checks+=(man)
		run_man & ;;
	packaging)
		checks+=(packaging)
		run_packaging & ;;
	w1)
		for rel in "${KERNELS[@]}"; do
			checks+=("w1-$rel")
			run_w1 "$rel" &
		done ;;
	*)
		usage >&2
		exit 2 ;;
	esac
done
wait

passed=0 failed=0
for c in "${checks[@]}"; do
	case $c in
	kernel-doc | packaging) label=$c ;;
	man) label="man pages" ;;
	w1-*) label="W=1 ${c#w1-}" ;;
	*) label=${c/-/ } ;;
	esac
	what=$(cat "$TMP/$c.what" 2>/dev/null)
	label+=${what:+ ($what)}
	if [ -f "$TMP/$c" ] && [ ! -s "$TMP/$c" ]; then
		printf '%-44s ok\n' "$label"
		passed=$((passed + 1))
	else
		printf '%-44s FAIL\n' "$label"
		sed 's/^/    /' "$TMP/$c" 2>/dev/null
		failed=$((failed + 1))
	fi
done
echo "# lint took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
