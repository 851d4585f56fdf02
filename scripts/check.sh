#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build everything, run the host-side checks, then the whole
# selftest suite in a QEMU guest on each kernel (6.1 and 6.12 by default).
# Prints the KTAP totals per kernel and a final "N passed, N failed" line;
# exits non-zero on any failure.
#
# Usage: scripts/check.sh [KERNEL...]
#   VMSHM_CHECK_TIMEOUT  seconds allowed per VM run (default 1500)
set -uo pipefail

. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)

passed=0 failed=0 skipped=0
declare -a summary logs

# add_totals NAME "pass:P fail:F ... skip:S error:E" EXIT_STATUS
add_totals() {
	local name=$1 totals=$2 rc=$3 p=0 f=0 s=0 e=0 kv
	for kv in $totals; do
		case $kv in
		pass:*) p=${kv#pass:} ;;
		fail:*) f=${kv#fail:} ;;
		skip:*) s=${kv#skip:} ;;
		error:*) e=${kv#error:} ;;
		esac
	done
	f=$((f + e))
	# A run that failed without saying so (VM gate, crash) is a failure.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	summary+=("$(printf '%-28s pass:%-4d fail:%-4d skip:%d' "$name" "$p" "$f" "$s")")
}

echo "== build"
if ! make -s all; then
	echo "check: build failed" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# host_check NAME CMD...: run a host check that ends "N passed, N failed"
# or "N passed, N failed, N skipped".
host_check() {
	local name=$1 out rc line
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "$out"
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n1)
	add_totals "$name" "$(echo "$line" |
		awk '{ printf "pass:%s fail:%s skip:%s", $1, $3, $5 + 0 }')" $rc
}

echo "== host checks"
host_check "host unit tests" make -s -C tests/unit run
host_check "lint" scripts/lint.sh
host_check "netlink spec" scripts/ynl-check.sh
host_check "make install" scripts/install-check.sh
host_check "dkms" scripts/dkms-check.sh

for k in "${kernels[@]}"; do
	release=$(kernel_release "$k") || { add_totals "kernel $k" "" 1; continue; }
	log=$BUILD/check-$release.log
	echo "== selftests on $release"
	start=$(date +%s)
	scripts/vm-run.sh --kernel "$k" --timeout "${VMSHM_CHECK_TIMEOUT:-1500}" \
		-- sh tests/run_tests.sh 2>&1 </dev/null | tee "$log"
	rc=${PIPESTATUS[0]}
	totals=$(sed -n 's/^# Totals: //p' "$log" | tail -n1)
	echo "# kernel $release: ${totals:-no totals} (vm exit $rc, $(( $(date +%s) - start )) s)"
	add_totals "VM selftests $k" "$totals" "$rc"
	logs+=("$log")
done

if [ "$failed" -ne 0 ] && [ ${#logs[@]} -gt 0 ]; then
	echo "== failed in the guests"
	ktap_failures "${logs[@]}"
fi
echo "== summary"
printf '%s\n' "${summary[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
