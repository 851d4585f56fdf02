#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the vm-run.sh guest (busybox ash); never run it on the host.
#
# Mounts the pseudo filesystems, loads the modules listed in
# /lib/vmshm/modules.order, turns on swap on a zram disk, mounts the host
# project over 9p at the same absolute path, loads vmshm.ko and runs the
# command in /etc/vmshm/cmd on /dev/ttyS0.  /etc/vmshm/run.env (written
# by vm-run.sh) sets VMSHM_TOP, VMSHM_HOST_UID, VMSHM_TTY (non-empty: host
# stdin is a terminal) and TERM.
#
# Results go to the kernel log, which is the console on ttyS1, because
# printk flushes the console synchronously while tty writes could still be
# queued when the guest powers off:
#   VMSHM-ERROR <reason>   setup failed, CMD did not run
#   VMSHM-EXIT <status>    CMD's exit status
#   VMSHM-TAINT <mask>     /proc/sys/kernel/tainted after CMD
# A guest without zram still runs CMD; the kernel log says why
# ("vmshm-init: no swap: ..."), and the tests that need swap skip.
#
# Usage: /init  (as PID 1 inside the guest)
set -u

case "${1:-}" in
-h | --help) sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac

kmsg() { echo "$*" >/dev/kmsg; }

finish() {
	sync
	kmsg "VMSHM-EXIT $1"
	kmsg "VMSHM-TAINT $(cat /proc/sys/kernel/tainted)"
	poweroff -f
	exit 1	# poweroff failed: the kernel panics, and the host sees it
}

fail() {
	kmsg "VMSHM-ERROR $*"
	finish 125
}

load() {
	out=$(insmod "$1" 2>&1) || fail "insmod $1: ${out:-failed}"
}

mount_pseudo() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	# Without a /dev/console in the archive the kernel gave us no stdio.
	exec </dev/console >/dev/console 2>&1
	# What udev would add, and programs open by name: /dev/stdin & co.
	ln -sfn /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	mount -t tmpfs tmpfs /tmp
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null || :
	# The vmshm tracepoints (tests/trace_test.c); absent without tracing.
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || :
	# No task names in traces: saving them hooks the scheduler by int3
	# patching whenever the first event goes on or the last one off, and
	# QEMU 7.2's multi-threaded TCG can then run a stale int3 and kill
	# the guest (Documentation/vmshm.rst, on tracing in this guest).
	if [ -w /sys/kernel/tracing/options/record-cmd ]; then
		echo 0 >/sys/kernel/tracing/options/record-cmd ||
			kmsg "vmshm-init: options/record-cmd: cannot turn it off"
	fi
}

# Swap, so that region pages can be swapped out (shmem_test): SWAP_SIZE
# of zram, which compresses into guest RAM (1 GiB) and needs no disk.  The
# debug kernel has zram built in; the others load it from modules.order.
# A kernel without zram runs without swap, and the swap tests skip; one
# with zram must get swap, or a swap test that skipped would hide a
# failure.
SWAP_SIZE=256M
swap_on() {
	if [ ! -e /sys/block/zram0/disksize ]; then
		kmsg "vmshm-init: no swap: no /sys/block/zram0 (zram not built or not loaded)"
		return
	fi
	out=$( { echo "$SWAP_SIZE" >/sys/block/zram0/disksize &&
		 mkswap /dev/zram0 && swapon /dev/zram0; } 2>&1) ||
		fail "swap on zram0: $(echo "$out" | tail -n 1)"
}

# CMD gets ttyS0 as its controlling terminal when the host forwards a
# terminal (so ^C reaches it), /dev/null otherwise: a serial line cannot
# carry an end of file.  The host terminal, if any, adds the "\r" itself
# (QEMU leaves OPOST set), so the guest must not.
run_cmd() {
	stty -F /dev/ttyS0 -onlcr
	if [ -n "$VMSHM_TTY" ]; then
		setsid -c sh /etc/vmshm/cmd </dev/ttyS0 >/dev/ttyS0 2>&1
	else
		setsid sh /etc/vmshm/cmd </dev/null >/dev/ttyS0 2>&1
	fi
}

mount_pseudo
[ -r /etc/vmshm/run.env ] || fail "/etc/vmshm/run.env: missing"
# shellcheck source=/dev/null
. /etc/vmshm/run.env

while read -r mod; do
	load "/lib/vmshm/$mod"
done </lib/vmshm/modules.order
swap_on

mkdir -p "$VMSHM_TOP"
out=$(mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 \
	vmshm "$VMSHM_TOP" 2>&1) || fail "mount 9p $VMSHM_TOP: ${out:-failed}"
load /lib/vmshm/vmshm.ko
cd "$VMSHM_TOP" || fail "cd $VMSHM_TOP: failed"

export PATH="/usr/bin:/bin:/sbin:/usr/sbin:$VMSHM_TOP/user"
export HOME=/tmp VMSHM_TOP VMSHM_HOST_UID TERM
# Not the command itself: its words must not trip the host's log checks.
kmsg "vmshm-init: running CMD"
run_cmd
finish $?
