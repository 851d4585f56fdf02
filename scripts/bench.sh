#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: run user/bench/vmshm-bench in a QEMU guest on each kernel
# (through scripts/bench-guest.sh, which raises the module's limits for the
# cost curves), then turn each CSV into a Markdown report and PNG plots on
# the host (scripts/bench-report.sh).  Prints the target lines of each kernel and
# the wall time of each run.
#
# Usage: scripts/bench.sh [--quick] [--kernel K]... [-- BENCH-OPTIONS]
#   --quick       smoke run (vmshm-bench --quick), on 6.1 only unless
#                 --kernel is given; results go to build/bench/
#   --kernel K    6.1, 6.12 or a release in /boot; repeatable
#                 (default: 6.1 and 6.12, one after the other)
#   --out DIR     where the CSV, report and plot go (default
#                 Documentation/bench, or build/bench with --quick)
#   -h, --help    this text
#
#   VMSHM_BENCH_TIMEOUT  seconds allowed per guest (default 2400, quick 600)
#   VMSHM_KMOD_SRC       benchmark another module source (see build-kmod.sh);
#                        recorded in the CSV
#
# Each report also holds the run to the committed figures of its kernel,
# Documentation/bench/bench-K.csv as git's HEAD has it (so a full run that
# replaces that file is still compared with what was committed before it).
#
# The guest boots with slab and page debugging off (slub_debug=-
# page_poison=0 kfence.sample_interval=0) so that faults and system calls
# cost what they cost on a production kernel; the kernel command line is
# recorded in the CSV.  Exits non-zero if a run fails; missed targets are
# reported, not failures.
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }
die() { echo "bench: $*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
quick='' out='' kernels=()
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1; shift ;;
	--kernel) kernels+=("${2:?--kernel needs an argument}"); shift 2 ;;
	--out) out=${2:?--out needs an argument}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done

# shellcheck source=env.sh
. "$here/env.sh"
cd "$VMSHM_TOP"
if [ ${#kernels[@]} -eq 0 ]; then
	if [ -n "$quick" ]; then kernels=(6.1); else kernels=(6.1 6.12); fi
fi
[ -n "$out" ] || out=$([ -n "$quick" ] && echo build/bench || echo Documentation/bench)
mkdir -p "$out" "$BUILD"
out=$(cd "$out" && pwd)
case "$out" in
"$VMSHM_TOP"/*) ;;
*) die "--out $out: must be inside $VMSHM_TOP, the only directory the guest sees" ;;
esac
timeout=${VMSHM_BENCH_TIMEOUT:-$([ -n "$quick" ] && echo 600 || echo 2400)}
accel=tcg	# vm-run.sh boots with -accel tcg
qemu=$(qemu-system-x86_64 --version | head -n 1)

# bench_one K [BENCH-OPTIONS]: run, report, print the target lines.
bench_one() {
	local k=$1 csv=$out/bench-$1.csv log=$BUILD/bench-$1.log start rc=0
	local base=$BUILD/bench-$1.committed.csv

	shift

	start=$(date +%s)
	echo "== vmshm-bench on $k${quick:+ (quick)}"
	rm -f "$csv"
	scripts/vm-run.sh --kernel "$k" --timeout "$timeout" --append "$BENCH_APPEND" -- \
		sh scripts/bench-guest.sh user/bench/vmshm-bench ${quick:+--quick} -o "$csv" \
		--meta "accel=$accel" --meta "host_cores=$(nproc)" \
		--meta "host_loadavg=$(cut -d' ' -f1-3 /proc/loadavg)" \
		--meta "qemu=$qemu" --meta "guest=-smp 2 -m 1G -cpu max" \
		--meta "kmod=${VMSHM_KMOD_SRC:-kmod/}" \
		${quick:+--meta mode=quick} "$@" >"$log" 2>&1 || rc=$?
	grep '^vmshm-bench: round' "$log" || :
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$log" >&2
		echo "bench: $k: the guest run failed (status $rc), log: $log" >&2
		# A complete CSV is still worth its report; the run still fails.
		grep -q '^target,' "$csv" 2>/dev/null || return 1
		echo "bench: $k: the CSV is complete, reporting it anyway" >&2
	fi
	echo "# meta host_loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$csv"
	git show "HEAD:Documentation/bench/bench-$k.csv" >"$base" 2>/dev/null ||
		base=''
	scripts/bench-report.sh "$csv" "$out/report-$k.md" "$out/bench-$k.png" \
		${base:+"$base"} || return 1
	grep '^target ' "$out/report-$k.md" | sed "s/^/$k: /"
	echo "== $k: $(($(date +%s) - start)) s wall, report $out/report-$k.md"
	[ "$rc" -eq 0 ]
}

t0=$(date +%s)
status=0
for k in "${kernels[@]}"; do
	bench_one "$k" "$@" || status=1
done
echo "== bench: ${#kernels[@]} kernel(s) in $(($(date +%s) - t0)) s wall"
exit $status
