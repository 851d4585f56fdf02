#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host end-to-end checks of parent/child on the transports that need no
# module: "futex" (the rings) and "posix-flags" (the lab's protocol).
# Kept short; tests/e2e/sum_check.sh --lines=100000 is the long run.
# The vmshm transport runs the same scripts inside a VM.
e2e=$(dirname "$0")/../e2e
rc=0
"$e2e/sum_check.sh" --transport=futex --lines=100000 || rc=1
"$e2e/sum_check.sh" --transport=futex --lines=2000 --interactive || rc=1
"$e2e/sum_check.sh" --transport=futex --lines=20000 --seed=7 -- --lazy || rc=1
"$e2e/sum_check.sh" --transport=posix-flags --lines=1000 || rc=1
"$e2e/sum_check.sh" --transport=posix-flags --lines=200 --interactive || rc=1
for t in futex posix-flags; do
	"$e2e/sum_edges.sh" --transport=$t || rc=1
	"$e2e/sum_messages.sh" --transport=$t || rc=1
	"$e2e/sum_faults.sh" --transport=$t || rc=1
done
exit $rc
