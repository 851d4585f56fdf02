# SPDX-License-Identifier: GPL-2.0
# Sourced by the other scripts: installs what is missing (scripts/setup.sh)
# and exports the resolved kernel versions and source tree.
#
#   K61 K612     kernel release strings of the two test kernels
#   SRC_TREE     unpacked linux-source-6.12 tree
#   KSFT_DIR     its tools/testing/selftests (kselftest_harness.h)
#   VMSHM_TOP    the project's top directory
#   BUILD        $VMSHM_TOP/build, where per-kernel artefacts go

VMSHM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
eval "$(VMSHM_QUIET=${VMSHM_QUIET:-} "$VMSHM_TOP/scripts/setup.sh" --print-env)" ||
	{ echo "env: scripts/setup.sh failed" >&2; exit 1; }
KSFT_DIR=$SRC_TREE/tools/testing/selftests
BUILD=$VMSHM_TOP/build
export K61 K612 SRC_TREE SRC_VERSION KSFT_DIR VMSHM_TOP BUILD

# kernel_release 6.1|6.12|RELEASE -> the release string, or fail.
kernel_release() {
	case "$1" in
	6.1) echo "$K61" ;;
	6.12) echo "$K612" ;;
	*)
		[ -r "/boot/vmlinuz-$1" ] || { echo "env: no kernel $1 in /boot" >&2; return 1; }
		echo "$1" ;;
	esac
}
