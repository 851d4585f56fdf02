#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a test kernel under QEMU (TCG), load vmshm.ko and run one command as
# root in the project directory, which the guest mounts over virtio-9p at
# the same absolute path as on the host.
#
# Usage: scripts/vm-run.sh [options] -- CMD [ARGS...]
#   --kernel K      6.1 (default), 6.12, debug (the KASAN/lockdep/kmemleak
#                   kernel of scripts/debug-kernel.sh) or a release in /boot
#   --timeout S     kill the guest after S seconds (default 300)
#   --append ARGS   add ARGS to the kernel command line
#   --no-build      reuse the last vmshm.ko and userspace build
#   -q              do not print the boot+run time
#   -h, --help      show this text
#
# CMD's stdout and stderr are the host's.  Stdin is forwarded only when it is
# a terminal; otherwise CMD reads /dev/null.  vm-run exits with CMD's status,
# 124 on timeout, or 125 when the build or boot failed, the guest died, or
# the kernel log shows a bug (BUG, WARNING, Oops, lockdep, KASAN...) or a
# taint other than O and E.  The kernel log is kept in
# $BUILD/last-vm-RELEASE.log.  VMSHM_KMOD_SRC: see build-kmod.sh.

# shellcheck source-path=SCRIPTDIR disable=SC2317
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }
note() { [ -n "$quiet" ] || echo "vm-run: $*" >&2; }
die() { echo "vm-run: $*" >&2; exit 125; }

kernel=6.1 timeout=300 append='' build=1 quiet=''
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=${2:?--kernel needs an argument}; shift 2 ;;
	--timeout) timeout=${2:?--timeout needs an argument}; shift 2 ;;
	--append) append=${2?--append needs an argument}; shift 2 ;;
	--no-build) build=; shift ;;
	-q) quiet=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { usage >&2; exit 2; }
[[ $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout $timeout: not a positive number of seconds"

here=$(dirname "$0")
# shellcheck source=env.sh
. "$here/env.sh"
export -f kernel_release	# for build-kmod.sh
rel=$(kernel_release "$kernel") || exit 125
case "$VMSHM_TOP" in *,*) die "$VMSHM_TOP: QEMU cannot share a path with a comma" ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vm-run.XXXXXX")
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || :
		wait "$qpid" 2>/dev/null || :
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run the top-level "user tests" targets; a Makefile without them is skipped.
build_user() {
	local log=$tmp/make-user.log

	[ -f "$VMSHM_TOP/Makefile" ] || { note "no top-level Makefile, userspace not built"; return 0; }
	if ! (flock 8 && make -C "$VMSHM_TOP" -j"$(nproc)" user tests) >"$log" 2>&1 8>"$BUILD/.user.lock"; then
		if grep -q "No rule to make target '\(user\|tests\)'\.  Stop" "$log"; then
			note "Makefile has no user/tests targets, userspace not built"
			return 0
		fi
		cat "$log" >&2
		die "make user tests: failed"
	fi
}

# Copy FILE into the archive tree at DIR; dynamic binaries cannot run there.
add_file() {
	[ -f "$1" ] || return 0
	if [ -x "$1" ] && readelf -lW "$1" 2>/dev/null | grep -q 'program interpreter'; then
		echo "vm-run: $1: dynamically linked, it will not run in the guest" >&2
	fi
	cp "$1" "$2/"
}

# Decompress the 9p chain (and virtio, when modular) in dependency order,
# then brd when there is one: /dev/ram0, which pin_test reads with O_DIRECT;
# then zram: /dev/zram0, the guest's swap (guest-init.sh).
add_modules() {
	local root=$1 mod name

	# The debug kernel has them built in: nothing to load but vmshm.ko.
	if kernel_is_debug "$rel"; then
		: >"$root/lib/vmshm/modules.order"
		return
	fi
	modprobe -S "$rel" --show-depends -a 9p 9pnet_virtio virtio_pci >"$tmp/deps" ||
		die "modprobe -S $rel: cannot resolve the 9p modules"
	# Optional: without brd, pin_test skips its O_DIRECT test.
	modprobe -S "$rel" --show-depends brd >>"$tmp/deps" 2>/dev/null || :
	# Optional: without zram the guest has no swap, and shmem_test skips
	# its swap tests.
	modprobe -S "$rel" --show-depends zram >>"$tmp/deps" 2>/dev/null || :
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' "$tmp/deps" | while read -r mod; do
		name=$(basename "$mod" | sed 's/\.ko.*$/.ko/')
		case "$mod" in
		*.ko.xz) xz -dc "$mod" ;;
		*.ko.zst) zstd -qdc "$mod" ;;
		*.ko.gz) gzip -dc "$mod" ;;
		*) cat "$mod" ;;
		esac >"$root/lib/vmshm/$name"
		echo "$name" >>"$root/lib/vmshm/modules.order"
	done
}

cpio_gz() { (cd "$1" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1; }

# The per-kernel base archive: busybox, init, modules, tools and tests.
make_base() {
	local root=$tmp/root f

	mkdir -p "$root"/{dev,proc,sys,tmp,etc/vmshm,lib/vmshm,opt/vmshm/tests}
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin}
	cp /bin/busybox "$root/bin/busybox"
	for f in $(/bin/busybox --list-full); do
		[ -e "$root/$f" ] || ln -s /bin/busybox "$root/$f"
	done
	mknod "$root/dev/console" c 5 1 2>/dev/null || :
	install -m 755 "$here/guest-init.sh" "$root/init"
	add_modules "$root"
	cp "$ko" "$root/lib/vmshm/vmshm.ko"
	for f in sum/parent sum/child vmshmctl/vmshmctl; do
		add_file "$VMSHM_TOP/user/$f" "$root/usr/bin"
	done
	for f in "$VMSHM_TOP"/tests/*_test "$VMSHM_TOP/tests/run_tests.sh"; do
		add_file "$f" "$root/opt/vmshm/tests"
	done
	cpio_gz "$root" >"$tmp/base.cpio.gz"
	cp "$tmp/base.cpio.gz" "$BUILD/.initramfs-$rel.$$"
	mv -f "$BUILD/.initramfs-$rel.$$" "$BUILD/initramfs-$rel.cpio.gz"
}

# The per-run archive, appended to the base one: what to run, and how.
make_run() {
	local dir=$tmp/run/etc/vmshm

	mkdir -p "$dir"
	printf 'VMSHM_TOP=%q\nVMSHM_HOST_UID=%q\nVMSHM_TTY=%q\nTERM=%q\n' \
		"$VMSHM_TOP" "$(id -u)" "$tty" "${TERM:-vt100}" >"$dir/run.env"
	{ printf exec; printf ' %q' "$@"; echo; } >"$dir/cmd"
	cpio_gz "$tmp/run" >"$tmp/run.cpio.gz"
	cat "$tmp/base.cpio.gz" "$tmp/run.cpio.gz" >"$tmp/initrd"
}

cmdline() {
	local c="console=ttyS1 panic=-1 slub_debug=FZPU page_poison=1"

	grep -q '^CONFIG_KFENCE=y' "$(kernel_config "$rel")" && c+=" kfence.sample_interval=100"
	# Report every KASAN splat, not just the first; a WARN is caught in
	# the log, not by a panic; TCG is slow enough to look like an RCU stall.
	# no5lvl: with -cpu max the guest has LA57, and identify_cpu() zeroes
	# the boot CPU's capabilities with interrupts on; an interrupt in that
	# window sees 4-level paging, and KASAN reports its every access to the
	# direct map as a wild-memory-access (seen in one boot of five).
	kernel_is_debug "$rel" &&
		c+=" kasan.fault=report kasan_multi_shot panic_on_warn=0 rcupdate.rcu_cpu_stall_timeout=300 no5lvl"
	echo "$c${append:+ $append}"
}

# Boot; ttyS0 is CMD's stdio, ttyS1 the kernel console logged to a file.
# q35: on the default i440FX machine, routing the legacy PCI interrupt of the
# 9p device costs 2-5 s of emulated ACPI per boot.
boot() {
	local in=/dev/null image

	image=$(kernel_image "$rel")
	[ -n "$tty" ] && in=/dev/stdin
	timeout --foreground -k 5 "$timeout" \
		qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 1G \
		-display none -no-reboot -monitor none -nic none \
		-kernel "$image" -initrd "$tmp/initrd" -append "$(cmdline)" \
		-chardev stdio,id=ttyS0,signal=off -serial chardev:ttyS0 \
		-serial "file:$tmp/console.log" \
		-virtfs "local,path=$VMSHM_TOP,mount_tag=vmshm,security_model=none" \
		<"$in" &
	qpid=$!
	wait "$qpid" || return $?
}

# Bugs the kernel reported; "BUG " also catches SLUB's "BUG kmalloc-64 ...".
BAD_RE='(^|[^[:alnum:]_])BUG[: ]|kernel BUG|WARNING:|Oops|Call Trace|'
BAD_RE+='possible circular locking|possible recursive locking|'
BAD_RE+='inconsistent lock state|suspicious RCU usage|INFO: lockdep|'
BAD_RE+='Bad page (state|map)|refcount_t:|general protection fault|'
BAD_RE+='KASAN:|UBSAN:|kmemleak: .*(unreferenced|suspected)|Kernel panic|'
BAD_RE+='memory corruption'
TAINT_FLAGS=PFSRMBUDAWCIOELKXTN
TAINT_OK=$((4096 | 8192))	# O: out-of-tree module, E: unsigned module

# The log as check_log reads it, without two "Call Trace:" lines that come
# with expected failures, each a few lines after the line that explains it:
#  - on the debug kernel, fault injection fails allocations on purpose, and
#    warn_alloc() dumps the stack of a vmalloc() without __GFP_NOWARN
#    ("vmalloc error:");
#  - memcg_test drives cgroups into memory.max on purpose, and the OOM
#    report ("invoked oom-killer:") dumps the stack; such a report is a
#    cgroup's when its "memory: usage ..., limit ..." line follows, which a
#    whole-system OOM report lacks (the first pass finds those).
log_to_check() {
	local debug=

	kernel_is_debug "$rel" && debug=1
	awk -v debug="$debug" '
	NR == FNR {
		if (/ invoked oom-killer: /)
			oom = FNR
		else if (oom && /memory: usage [0-9]+kB, limit /)
			memcg[oom] = 1
		next
	}
	debug && /: (vmalloc error|page allocation failure): / { wa = FNR }
	/ invoked oom-killer: / && memcg[FNR] { wa = FNR }
	/Call Trace:/ && wa && FNR - wa <= 6 { next }
	{ print }' "$1" "$1"
}

# The first report in the log, whole: the test the guest had started last
# (run_tests.sh names each one), then the report from its first bad line
# through its trace, 60 lines at most; then the bad lines of any later
# report, 20 at most.
splat() {
	log_to_check "$1" | awk -v re="$BAD_RE" '
	!n && / vmshm-test: / { last = $0 }
	!n && $0 ~ re { n = 1; if (last != "") print last }
	n && n <= 60 { print; n++; next }
	n && $0 ~ re && more++ < 20 { print }'
}

# Print why the run failed, if the log says it did; return 1 then.
check_log() {
	local log=$1 taint bad i flags=

	if log_to_check "$log" | grep -qE "$BAD_RE"; then
		splat "$log" | sed 's/^/vm-run: /' >&2
		return 1
	fi
	if grep 'VMSHM-ERROR' "$log" | sed 's/^.*VMSHM-ERROR /vm-run: guest: /' | grep . >&2; then
		return 1
	fi
	if ! grep -q 'VMSHM-EXIT [0-9]' "$log"; then
		tail -n 15 "$log" | sed 's/^/vm-run: /' >&2
		echo "vm-run: guest died before CMD finished (no VMSHM-EXIT)" >&2
		return 1
	fi
	taint=$(sed -n 's/^.*VMSHM-TAINT \([0-9]*\).*$/\1/p' "$log" | tail -n 1)
	bad=$((${taint:-0} & ~TAINT_OK))
	if [ "$bad" -ne 0 ]; then
		for ((i = 0; i < ${#TAINT_FLAGS}; i++)); do
			((bad & (1 << i))) && flags+=${TAINT_FLAGS:i:1}
		done
		echo "vm-run: kernel tainted $taint, unexpected flags ${flags:-?}" >&2
		return 1
	fi
}

tty=
[ -t 0 ] && [ -t 1 ] && tty=1
mkdir -p "$BUILD"
if [ -n "$build" ]; then
	ko=$("$here/build-kmod.sh" "$rel" | tail -n 1) || exit 125
	build_user
else
	ko=$("$here/build-kmod.sh" --path "$rel") || exit 125
fi
make_base
make_run "$@"

start=${EPOCHREALTIME/[.,]/}
rc=0
boot || rc=$?
qpid=
us=$((${EPOCHREALTIME/[.,]/} - start))

log=$BUILD/last-vm-$rel.log
tr -d '\r' <"$tmp/console.log" >"$log.$$" 2>/dev/null || :
mv -f "$log.$$" "$log"
note "kernel $rel, $((us / 1000000)).$((us / 100000 % 10)) s"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "vm-run: timeout after $timeout s (log: $log)" >&2
	exit 124
fi
[ "$rc" -eq 0 ] || die "qemu-system-x86_64: exited with status $rc (log: $log)"
check_log "$log" || die "run failed, full kernel log: $log"
status=$(sed -n 's/^.*VMSHM-EXIT \([0-9]*\).*$/\1/p' "$log" | tail -n 1)
exit "$status"
