#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make tour: install what is missing, boot a VM with vmshm.ko and run the
# narrated walk through virtual memory (scripts/tour-guest.sh), then draw
# its pictures from the figures it left in build/tour/RELEASE/
# (scripts/tour-plot.sh).  Documentation/tour.rst is the teacher's guide.
#
# Usage: scripts/tour.sh [6.1|6.12|RELEASE [CHAPTER]]   (default 6.1, all)
# Exit status: the guest's: 0 when every chapter held its claim.
set -euo pipefail

. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
kernel=${1:-6.1}
chapter=${2:-}
case $chapter in
'' | [1-9] | 10) ;;
*) echo "tour: CHAPTER=$chapter: expected a chapter number, 1 to 10" >&2; exit 2 ;;
esac
release=$(kernel_release "$kernel")
out=$BUILD/tour/$release
mkdir -p "$out"

rc=0
scripts/vm-run.sh --kernel "$kernel" --timeout 1200 -- \
	sh scripts/tour-guest.sh --out "$out" ${chapter:+--chapter "$chapter"} || rc=$?
scripts/tour-plot.sh "$out" || echo "tour: some pictures could not be drawn" >&2
exit $rc
