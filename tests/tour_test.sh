#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The checks of `make tour` as a selftest: every chapter of
# scripts/tour-guest.sh with small sizes and a two-point thrashing sweep.
# One KTAP test per chapter; a chapter skips when the kernel lacks what it
# needs (swap, THP, the memory cgroup) and says why.
out=${TMPDIR:-/tmp}/tour-test.$$
sh ../scripts/tour-guest.sh --quick --out "$out"
rc=$?
rm -rf "$out"
exit $rc
