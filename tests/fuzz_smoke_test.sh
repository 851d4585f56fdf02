#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A short vmshm_fuzz run for the stock-kernel lanes, run by run_tests.sh
# (make check-debug runs a long one): a fixed number of operations from two
# processes, bounded in time, and the leak check at the end, but no module
# unload (unload_test does that, last).  vmshm_fuzz prints the seed first;
# replay a failure with
#   tests/vmshm_fuzz -s SEED -n OPS -p 1 -U
# Prints vmshm_fuzz's KTAP; exit status 0 pass, 1 fail, 4 skip.
#
# Usage: sh tests/fuzz_smoke_test.sh
#   VMSHM_FUZZ_SEED     seed (default: vmshm_fuzz picks one)
#   VMSHM_FUZZ_OPS      operations (default 20000)
#   VMSHM_FUZZ_SECONDS  time bound (default 120)
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$here/vmshm_fuzz" ]; then
	echo "1..0 # SKIP $here/vmshm_fuzz not built"
	exit 4
fi
exec "$here/vmshm_fuzz" ${VMSHM_FUZZ_SEED:+-s "$VMSHM_FUZZ_SEED"} \
	-n "${VMSHM_FUZZ_OPS:-20000}" -t "${VMSHM_FUZZ_SECONDS:-120}" -p 2 -U
