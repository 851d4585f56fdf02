#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn a vmshm-bench CSV into a Markdown report and a PNG plot (host side:
# awk and gnuplot).  The CSV already holds the medians, quartiles and
# targets; this script only lays them out.
#
# Usage: scripts/bench-report.sh CSV MARKDOWN PNG
#
# The report ends with the CSV's target rows, one line each:
#   target NAME VALUE GOAL met|missed
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }
die() { echo "bench-report: $*" >&2; exit 1; }

[ $# -eq 3 ] || { usage >&2; exit 2; }
csv=$1 md=$2 png=$3
[ -r "$csv" ] || die "$csv: cannot read"
grep -q '^target,' "$csv" || die "$csv: no target rows, the run did not finish"
command -v gnuplot >/dev/null || die "gnuplot: not installed (apt-get install gnuplot-nox)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Plot data: ping-pong ratio to futex with its quartiles per placement,
# streaming lines/s per placement (the single process in both columns).
awk -F, -v pp="$tmp/pp.dat" -v st="$tmp/st.dat" '
$1 != "summary" { next }
$2 == "pingpong" {
	if (!($3 in seen)) { seen[$3] = 1; order[n++] = $3 }
	v[$3, $4] = $10 " " $11 " " $12
}
$2 == "stream" {
	if (!($3 in sseen)) { sseen[$3] = 1; sorder[m++] = $3 }
	r[$3, $4] = $13
}
END {
	for (i = 0; i < n; i++) {
		s = v[order[i], "same-vcpu"]; c = v[order[i], "cross-vcpu"]
		if (s == "") s = "NaN NaN NaN"
		if (c == "") c = "NaN NaN NaN"
		print order[i], s, c > pp
	}
	for (i = 0; i < m; i++) {
		k = sorder[i]; one = r[k, "one-process"]
		s = one != "" ? one : r[k, "same-vcpu"]
		c = one != "" ? one : r[k, "cross-vcpu"]
		print k, (s == "" ? "NaN" : s), (c == "" ? "NaN" : c) > st
	}
}' "$csv"

kernel=$(sed -n 's/^# meta kernel=//p' "$csv" | head -n 1)
gnuplot <<EOF || die "gnuplot: failed"
set terminal pngcairo size 1400,620 font ",10"
set output "$png"
set multiplot layout 1,2 title "vmshm-bench, Linux $kernel (QEMU TCG: compare within a plot only)"
set style data histogram
set style fill solid 0.7 border -1
set boxwidth 0.9
set logscale y
set grid ytics
set xtics rotate by -40 scale 0
set key top left
set style histogram errorbars gap 1 lw 1
set title "round trip time / futex (median, bars: IQR)"
set ylabel "ratio (lower is faster)"
plot "$tmp/pp.dat" using 2:3:4:xtic(1) title "same vCPU", \
     "" using 5:6:7 title "different vCPUs", 1 notitle dt 2 lc "black"
set style histogram clustered gap 1
set title "streaming: lines/s (median)"
set ylabel "lines/s (higher is faster)"
plot "$tmp/st.dat" using 2:xtic(1) title "same vCPU", \
     "" using 3 title "different vCPUs"
unset multiplot
EOF

cat >"$tmp/report.awk" <<'EOF'
function num(x, fmt) { return x == "" ? "–" : sprintf(fmt, x) }
function us(x) { return x == "" ? "–" : sprintf("%.2f", x / 1000) }
function iqr(m, a, b) {
	return m == "" ? "–" : sprintf("%.3f [%.3f–%.3f]", m, a, b)
}
function where(p) {
	return p == "same-vcpu" ? "same vCPU" : p == "cross-vcpu" ? \
	       "different vCPUs" : p == "one-process" ? "one process" : p
}
/^# meta / { sub(/^# meta /, ""); k = $0; sub(/=.*/, "", k)
	v = $0; sub(/^[^=]*=/, "", v); meta[k] = v; mk[nm++] = k; next }
/^#/ || $1 == "type" { next }
$1 == "summary" { row[nr++] = $0
	if ($2 == "pingpong" && $3 == "spin" && $4 == "cross-vcpu") spin = $9
	next }
$1 == "target" { tgt[nt++] = $0; next }
END {
	print "# vmshm-bench: Linux " meta["kernel"]
	print ""
	print "Written by `make bench` (scripts/bench.sh) on " meta["date"] \
	      " from [" csvname "](" csvname "); how it measures and what " \
	      "the numbers mean: [README.md](README.md)."
	print ""
	print "Under QEMU TCG absolute times are emulation noise: read the " \
	      "ratios, each taken inside one round and one placement."
	print ""
	print "| | |"; print "|---|---|"
	for (i = 0; i < nm; i++) print "| " mk[i] " | " meta[mk[i]] " |"
	print ""
	print "![round trips and streaming](" pngname ")"
	pingpong("same-vcpu"); pingpong("cross-vcpu")
	stream(); faults(); targets()
}
function pingpong(pl,   i, f) {
	print ""
	print "## Round trips, " where(pl)
	print ""
	print "An empty message each way; medians over " meta["rounds"] - 1 \
	      " rounds.  Per message: both processes, a round trip is two " \
	      "messages.  Counted system calls come from round 0 (tracepoint).  " \
	      "Fewer than " meta["rts"] " round trips per batch: a time " \
	      "bound stopped it (" meta["slow_cap_ms"] " ms for spin and " \
	      "posix-flags, " meta["cap_ms"] " ms for the others)."
	print ""
	if (pl == "cross-vcpu" && spin != "")
		print "Host check: a pure spin took " us(spin) " µs per round " \
		      "trip here.  A spin needs both vCPU threads on host " \
		      "CPUs at once; far above ~10 µs, the host is time-" \
		      "slicing them (other load on its " meta["host_cores"] \
		      " cores) and this table measures the host scheduler " \
		      "more than the IPC.\n"
	print "| variant | µs/round trip | vs futex, median [IQR] | syscalls/msg | own syscalls/msg | vmshm waits/msg | vmshm wakes/msg | vol. csw/msg | invol. csw/msg | CPU µs/msg | minflt/msg | round trips/batch | capped rounds |"
	print "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	for (i = 0; i < nr; i++) {
		split(row[i], f, ",")
		if (f[2] != "pingpong" || f[4] != pl) continue
		print "| " f[3] " | " us(f[9]) " | " iqr(f[10], f[11], f[12]) \
		      " | " num(f[14], "%.2f") " | " num(f[15], "%.2f") \
		      " | " num(f[20], "%.2f") " | " num(f[21], "%.2f") \
		      " | " num(f[16], "%.2f") " | " num(f[17], "%.2f") \
		      " | " us(f[18]) " | " num(f[19], "%.4f") \
		      " | " num(f[7], "%d") " | " f[24] " |"
	}
}
function stream(   i, f) {
	print ""
	print "## Streaming"
	print ""
	print meta["lines"] " lines (" meta["input_bytes"] " bytes) of random " \
	      "numbers, summed by user/sum/sum.h; the lab's posix-flags protocol " \
	      "moves one line per handshake and gets " meta["flags_lines"] \
	      " lines.  vmshm-ring sends a record per line, as parent and " \
	      "child do; vmshm-ring-chunk records of whole lines up to 4 " \
	      "KiB; ring-1proc is the vmshm-ring ring inside one process " \
	      "(its cost without IPC).  Every transport's results matched " \
	      "the single process's (checksum), or the run would have failed."
	print ""
	print "| variant | placement | lines | lines/s | vs single process, median [IQR] | syscalls/line | own syscalls/line | vmshm waits/line | vmshm wakes/line | vol. csw/line | CPU µs/line |"
	print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
	for (i = 0; i < nr; i++) {
		split(row[i], f, ",")
		if (f[2] != "stream") continue
		print "| " f[3] " | " where(f[4]) " | " num(f[7], "%d") \
		      " | " num(f[13], "%.0f") " | " iqr(f[10], f[11], f[12]) \
		      " | " num(f[14], "%.5f") " | " num(f[15], "%.5f") \
		      " | " num(f[20], "%.5f") " | " num(f[21], "%.5f") \
		      " | " num(f[16], "%.5f") " | " us(f[18]) " |"
	}
}
function faults(   i, f) {
	print ""
	print "## Page faults"
	print ""
	print "First write to each of " meta["pages"] " pages of a fresh " \
	      "mapping; minor faults are those getrusage() saw during the " \
	      "touch, after the set-up (mmap, with MAP_POPULATE if any)."
	print ""
	print "| memory | ns/page, touch | vs anon, median [IQR] | set-up ns/page | minor faults/page after set-up | region faults/page |"
	print "|---|--:|--:|--:|--:|--:|"
	for (i = 0; i < nr; i++) {
		split(row[i], f, ",")
		if (f[2] != "faults") continue
		print "| " f[3] " | " num(f[9], "%.0f") " | " \
		      iqr(f[10], f[11], f[12]) " | " num(f[23], "%.0f") \
		      " | " num(f[19], "%.4f") " | " num(f[22], "%.4f") " |"
	}
}
function targets(   i, f) {
	print ""
	print "## Targets"
	print ""
	print "Each judged on the worse placement.  \"vmshm blocking round " \
	      "trip\" is the best of vmshm-wait, vmshm-poll and vmshm-ring " \
	      "(never spinning) by its ratio to futex."
	print ""
	print "| target | variant | worse placement | value | goal | verdict |"
	print "|---|---|---|--:|--:|---|"
	for (i = 0; i < nt; i++) {
		split(tgt[i], f, ",")
		print "| " f[2] " | " f[3] " | " where(f[4]) " | " f[10] \
		      " | " f[26] " | " f[27] " |"
	}
	print ""
	print "Target lines (`target NAME VALUE GOAL met|missed`, for scripts):"
	print ""
	for (i = 0; i < nt; i++) {
		split(tgt[i], f, ",")
		print "target " f[2] " " f[10] " " f[26] " " f[27]
	}
}
EOF
awk -F, -v csvname="$(basename "$csv")" -v pngname="$(basename "$png")" \
	-f "$tmp/report.awk" "$csv" >"$md.tmp"
mv -f "$md.tmp" "$md"
