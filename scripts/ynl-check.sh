#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the YNL spec of the netlink family, Documentation/netlink/vmshm.yaml:
#   1. the kernel's ynl-gen-c.py accepts it, which validates it against
#      the genetlink-legacy JSON schema;
#   2. the UAPI header it renders defines the same names with the same
#      values as kmod/include/uapi/linux/vmshm.h (compiled and compared);
#   3. the netlink part of kmod/include/uapi/linux/vmshm.h (from
#      VMSHM_GENL_NAME on) names nothing that the spec lacks, but for
#      VMSHM_NL_CMD_UNSPEC, which the spec leaves out by numbering from 1;
#   4. the kernel's cli.py, run as Documentation/vmshm.rst shows, accepts
#      the spec and its schema.
# Prints "1 passed, 0 failed" or the differences; exits 1 on failure.
#
# Usage: scripts/ynl-check.sh
# Needs python3-yaml and python3-jsonschema (Debian's /usr/bin/python3).
set -euo pipefail

case "${1:-}" in
-h | --help) sed -n '4,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
esac

. "$(dirname "$0")/env.sh"
spec=$VMSHM_TOP/Documentation/netlink/vmshm.yaml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ynl-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() { echo "ynl-check: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# ynl-gen-c.py wants the kernel's layout: specs/ beside the schemas, and a
# MAINTAINERS file at the top.
mkdir -p "$tmp/tree/Documentation/netlink/specs" "$tmp/gen/linux"
cp "$SRC_TREE"/Documentation/netlink/genetlink*.yaml "$tmp/tree/Documentation/netlink/"
cp "$spec" "$tmp/tree/Documentation/netlink/specs/"
touch "$tmp/tree/MAINTAINERS"
/usr/bin/python3 "$SRC_TREE/tools/net/ynl/ynl-gen-c.py" --mode uapi --header \
	--spec "$tmp/tree/Documentation/netlink/specs/vmshm.yaml" \
	-o "$tmp/gen/linux/vmshm.h" >"$tmp/gen.log" 2>&1 ||
	fail "ynl-gen-c.py rejected the spec: $(tail -n 3 "$tmp/gen.log")"

# A program printing every name the generated header defines, built
# against each header in turn.
{
	echo '#include <stdio.h>'
	echo '#include <linux/vmshm.h>'
	echo 'int main(void) {'
	sed -n 's/^#define \(VMSHM_[A-Z0-9_]*\)[[:space:]]*".*$/\tprintf("%s %s\\n", "\1", \1);/p' \
		"$tmp/gen/linux/vmshm.h"
	sed -n 's/^#define \(VMSHM_[A-Z0-9_]*\)[[:space:]]*[0-9(].*$/\tprintf("%s %lld\\n", "\1", (long long)\1);/p' \
		"$tmp/gen/linux/vmshm.h"
	sed -n 's/^\t\(_*VMSHM_[A-Z0-9_]*\).*[,)]*$/\tprintf("%s %lld\\n", "\1", (long long)\1);/p' \
		"$tmp/gen/linux/vmshm.h"
	echo 'return 0; }'
} >"$tmp/names.c"
for h in gen real; do
	inc=$tmp/gen
	[ $h = real ] && inc=$VMSHM_TOP/kmod/include/uapi
	cc -I"$inc" -o "$tmp/names-$h" "$tmp/names.c" 2>"$tmp/cc-$h.log" ||
		fail "the $h header lacks names of the spec: $(grep -m 3 error "$tmp/cc-$h.log")"
	"$tmp/names-$h" >"$tmp/$h.txt"
done
diff -u "$tmp/gen.txt" "$tmp/real.txt" >&2 ||
	fail "spec and kmod/include/uapi/linux/vmshm.h disagree (-spec +header)"

# Names the header adds, which the program above cannot see.
sed -n '/^#define VMSHM_GENL_NAME/,$p' "$VMSHM_TOP/kmod/include/uapi/linux/vmshm.h" |
	sed -n 's/^#define \(VMSHM_[A-Z0-9_]*\)[[:space:]].*$/\1/p
		s/^\t\(_*VMSHM_[A-Z0-9_]*\).*$/\1/p' |
	grep -vx VMSHM_NL_CMD_UNSPEC | LC_ALL=C sort -u >"$tmp/header-names"
cut -d' ' -f1 "$tmp/gen.txt" | LC_ALL=C sort -u >"$tmp/spec-names"
missing=$(LC_ALL=C comm -23 "$tmp/header-names" "$tmp/spec-names")
[ -z "$missing" ] ||
	fail "kmod/include/uapi/linux/vmshm.h has names the spec lacks:" $missing
echo "ynl-check: $(wc -l <"$tmp/real.txt") names agree"

# 4. The kernel's cli.py takes the spec as Documentation/vmshm.rst says:
# with --schema, it validates the spec and gets as far as looking the
# family up, which only a kernel with vmshm.ko loaded answers.
/usr/bin/python3 "$SRC_TREE/tools/net/ynl/cli.py" --spec "$spec" \
	--schema "$SRC_TREE/Documentation/netlink/genetlink-legacy.yaml" \
	--dump get-region >"$tmp/cli.log" 2>&1 ||
	grep -qx "Exception: Family 'vmshm' not supported by the kernel" "$tmp/cli.log" ||
	fail "cli.py cannot use the spec: $(tail -n 1 "$tmp/cli.log")"
echo "1 passed, 0 failed"
