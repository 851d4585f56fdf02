#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: install what is missing, boot a VM with vmshm.ko and run the
# summing protocol on Documentation/demo/numbers.txt, then explain what
# /proc/vmshm showed.
#
# Usage: scripts/demo.sh [6.1|6.12|RELEASE]   (default 6.1)
set -euo pipefail

. "$(dirname "$0")/env.sh"
cd "$VMSHM_TOP"
kernel=${1:-6.1}
mkdir -p "$BUILD"
results=$BUILD/demo-results.txt
rm -f "$results"

scripts/vm-run.sh --kernel "$kernel" --timeout 600 -- \
	sh scripts/demo-guest.sh Documentation/demo/numbers.txt "$results"

cat <<'TXT'

What to look at (Documentation/vmshm.rst has the walkthrough):
  * One region row, then a mapping row each for the parent and the child:
    they map the SAME physical pages at DIFFERENT virtual addresses.
  * A third mapping row, pid 0: the child's guard, which the child forked
    to clean up if it dies.  fork() copied the child's mapping at the same
    address, but the guard never touches it, so it has taken no fault and
    is not yet claimed by a process (0 faults, pid 0).
  * "faults" counts first touches: a page is allocated only when touched,
    and each process faults it into its own page table once.  The demo
    runs the parent with --lazy, so of the 1 MiB channel (256 pages) only
    the few pages the lines touched are resident, each faulted once per
    process.  Without --lazy, parent and child fault the whole channel in
    at set-up (madvise MADV_POPULATE_WRITE) and each shows 256 faults;
    "make tour CHAPTER=2" shows demand paging page by page.
  * "waits" and "wakes": the processes slept in the kernel's wait queue
    instead of polling a flag with usleep(1000).
TXT
