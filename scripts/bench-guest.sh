#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make bench` (busybox sh): raise vmshm's limits so
# that the cost curves reach 10^4 regions and 256 MiB regions, then run
# the command (vmshm-bench and its options) with the limits recorded as a
# "# meta" line of its CSV.
#
# Usage: scripts/bench-guest.sh CMD [ARGS...]
set -eu

params=/sys/module/vmshm/parameters
# 10^4 regions of one page, the bench's own beside them, 256 MiB regions
# and all of them at once, well within the guest's 1 GiB of RAM: only
# what the curves touch is ever allocated.
limits="max_regions=10240 max_user_regions=10240 max_total_pages=262144"
limits="$limits max_user_pages=262144 max_region_size=268435456"
for kv in $limits; do
	echo "${kv#*=}" >"$params/${kv%%=*}"
done
exec "$@" --meta "vmshm_limits=$limits"
