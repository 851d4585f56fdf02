#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Turn a vmshm-bench CSV into a Markdown report and a PNG plot (host side:
# awk and gnuplot).  The CSV already holds the medians, quartiles, slopes
# and targets; this script only lays them out.  Each cost curve gets a CSV
# and a log-log plot of its own beside PNG: BASE-curve-NAME.csv and .png,
# where PNG is BASE.png.
#
# Usage: scripts/bench-report.sh CSV MARKDOWN PNG [BASELINE-CSV]
#
# The report ends with the CSV's target rows, one line each:
#   target NAME VALUE GOAL met|missed
# With BASELINE-CSV (the committed run of the same kernel), it adds one
# target per ratio that must be no worse than the committed figures: the
# new median within the committed interquartile range or better, on the
# worse placement (*_vs_committed).
set -euo pipefail

usage() { sed -n '4,/^$/s/^# \{0,1\}//p' "$0"; }
die() { echo "bench-report: $*" >&2; exit 1; }

[ $# -eq 3 ] || [ $# -eq 4 ] || { usage >&2; exit 2; }
csv=$1 md=$2 png=$3 base=${4:-}
[ -r "$csv" ] || die "$csv: cannot read"
[ -z "$base" ] || [ -r "$base" ] || die "$base: cannot read"
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

# Against the committed run: "workload variant": lower is better for a
# round trip's ratio to futex (bound: the committed Q3), higher for a
# stream's ratio to the single process (bound: the committed Q1).  The
# value is the new median of the placement closest to (or past) its bound.
: >"$tmp/base.csv"
[ -z "$base" ] || awk -F, -v list="pingpong vmshm-wait rt_vmshm_wait_vs_committed
stream vmshm-ring stream_ring_vs_committed
stream vmshm-ring-chunk stream_ring_chunk_vs_committed" '
function bound(k) { return lower[k] ? q3[k] : q1[k] }
BEGIN { n = split(list, l, "\n")
	for (i = 1; i <= n; i++) {
		split(l[i], w, " "); wl[i] = w[1]; var[i] = w[2]; name[i] = w[3]
	}
}
$1 != "summary" || ($4 != "same-vcpu" && $4 != "cross-vcpu") { next }
FNR == NR { k = $2 SUBSEP $3 SUBSEP $4; q1[k] = $11; q3[k] = $12
	lower[k] = $2 == "pingpong"; next }
{ med[$2, $3, $4] = $10 }
END {
	for (i = 1; i <= n; i++) {
		worst = ""; val = ""; goal = ""
		for (p = 0; p < 2; p++) {
			pl = p ? "cross-vcpu" : "same-vcpu"
			k = wl[i] SUBSEP var[i] SUBSEP pl
			if (!(k in q1) || med[k] == "" || bound(k) == "") continue
			m = lower[k] ? med[k] / bound(k) : bound(k) / med[k]
			if (worst == "" || m > worst) {
				worst = m; val = sprintf("%.3f", med[k]); wpl = pl
				goal = sprintf("%s%.3f", lower[k] ? "<=" : ">=", bound(k))
			}
		}
		if (goal == "") continue
		printf "target,%s,%s,%s,,,,,,%s,,,,,,,,,,,,,,,,%s,%s\n", name[i],
		       var[i], wpl, val, goal, worst <= 1 ? "met" : "missed"
	}
}' "$base" "$csv" >"$tmp/base.csv"

kernel=$(sed -n 's/^# meta kernel=//p' "$csv" | head -n 1)
plot=1
# A run restricted by --only may have no round trips or no streaming.
if [ ! -s "$tmp/pp.dat" ] || [ ! -s "$tmp/st.dat" ]; then
	echo "bench-report: no round trips or no streaming in $csv, no plot" >&2
	rm -f "$png"
	plot=''
fi
[ -z "$plot" ] || gnuplot <<EOF || die "gnuplot: failed"
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

# Cost curves: for each, BASE-curve-NAME.csv (its rows, one per series
# and point) and BASE-curve-NAME.png, log-log, the series that share the
# first series' unit, with their fitted slopes in the key.
cbase=${png%.png}
rm -f "$cbase"-curve-*.csv "$cbase"-curve-*.png
while read -r c; do
	awk -F, -v c="$c" -v dir="$tmp" '
	BEGIN { OFS = ","; print "series,x_name,x,unit,median,q1,q3,reps,slope" }
	$2 != c { next }
	$1 == "slope" { slope[$3] = $7; next }
	$1 != "curve" { next }
	{ if (!($3 in seen)) { seen[$3] = 1; order[n++] = $3 }
	  if (unit == "") { unit = $6; xname = $4 }
	  row[$3] = row[$3] $3 "," $4 "," $5 "," $6 "," $7 "," $8 "," $9 "," $10 "\n"
	  if ($6 == unit) print $5 " " $7 " " $8 " " $9 > (dir "/curve-" c "-" n - 1 ".dat") }
	END {
		for (i = 0; i < n; i++) {
			s = order[i]; gsub(/\n/, "," slope[s] "\n", row[s])
			printf "%s", row[s]
		}
		for (i = 0; i < n; i++)
			printf "%s\t%s\t%s\t%s\n", i, order[i], slope[order[i]], \
			       i ? "" : unit "\t" xname > (dir "/curve-" c ".series")
	}' "$csv" >"$cbase-curve-$c.csv"
	plots='' unit='' xname=''
	while IFS=$'\t' read -r i name slope u x; do
		[ -n "$unit" ] || { unit=$u; xname=$x; }
		[ -s "$tmp/curve-$c-$i.dat" ] || continue
		plots+="${plots:+, }\"$tmp/curve-$c-$i.dat\" using 1:2:3:4 with yerrorlines title \"$name (slope $slope)\""
	done <"$tmp/curve-$c.series"
	[ -n "$plots" ] || continue
	gnuplot <<GP || die "gnuplot: curve $c failed"
set terminal pngcairo size 700,480 font ",10"
set output "$cbase-curve-$c.png"
set title "vmshm-bench curve $c, Linux $kernel (median, bars: IQR)"
set logscale xy
set grid
set key top left
set xlabel "$xname"
set ylabel "$unit"
plot $plots
GP
done < <(awk -F, '$1 == "curve" && !seen[$2]++ { print $2 }' "$csv")

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
$1 == "curve" {
	if (!($2 in cseen)) { cseen[$2] = 1; corder[nc++] = $2; cxname[$2] = $4 }
	if (!(($2, $3) in sseen)) {
		sseen[$2, $3] = 1; sname[$2, ns_[$2]++] = $3; sunit[$2, $3] = $6
	}
	if (!(($2, $5) in xseen)) { xseen[$2, $5] = 1; xval[$2, nx[$2]++] = $5 }
	cval[$2, $3, $5] = $7; cq1[$2, $3, $5] = $8; cq3[$2, $3, $5] = $9
	creps[$2] = $10
	next
}
$1 == "slope" { cslope[$2, $3] = $7; next }
END {
	print "# vmshm-bench: Linux " meta["kernel"]
	print ""
	print "Written by `make bench` (scripts/bench.sh) on " meta["date"] \
	      " from [" csvname "](" csvname "); how it measures and what " \
	      "the numbers mean: [README.md](README.md)."
	print ""
	print "Under QEMU TCG absolute times are emulation noise: read the " \
	      "ratios, each taken inside one round and one placement, " \
	      "against a run of the baseline right before the job."
	print ""
	print "| | |"; print "|---|---|"
	for (i = 0; i < nm; i++) print "| " mk[i] " | " meta[mk[i]] " |"
	print ""
	if (pngname != "")
		print "![round trips and streaming](" pngname ")"
	pingpong("same-vcpu"); pingpong("cross-vcpu")
	stream(); faults(); curves(); targets()
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
	      "(its cost without IPC); single-beside-busy is the single " \
	      "process while another spins on the other vCPU (what a " \
	      "pipeline across vCPUs pays while both sides run); " \
	      "single-again is the single process paired with itself, the " \
	      "control of the pairing (1.0 when it is fair); " \
	      "single-as-consumer is the single process in a child on vCPU " \
	      "1, where a consumer across vCPUs runs (how fast the host " \
	      "runs that vCPU, with no transport).  Every " \
	      "transport's results matched the single process's " \
	      "(checksum), or the run would have failed."
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
function faults(   i, f, kind, size) {
	print ""
	print "## Page faults"
	print ""
	print "First write to each " meta["page_size"] "-byte page of a fresh " \
	      "mapping of " meta["pages"] " pages (the size ends each " \
	      "variant's name); minor faults are those getrusage() saw during " \
	      "the touch, after the set-up (create, mmap, and MAP_POPULATE " \
	      "if any); region faults are the region's own count (VMSHM_STAT), " \
	      "a huge page or a fault-around counting once.  THP: enabled " \
	      meta["thp_enabled"] ", shmem_enabled " meta["thp_shmem_enabled"] "."
	print ""
	print "| memory | pages | ns/page, touch | vs anon of that size, median [IQR] | set-up ns/page | minor faults/page after set-up | region faults/page |"
	print "|---|--:|--:|--:|--:|--:|--:|"
	for (i = 0; i < nr; i++) {
		split(row[i], f, ",")
		if (f[2] != "faults") continue
		print "| " f[3] " | " num(f[7], "%d") " | " num(f[9], "%.0f") \
		      " | " iqr(f[10], f[11], f[12]) " | " num(f[23], "%.0f") \
		      " | " num(f[19], "%.4f") " | " num(f[22], "%.4f") " |"
		kind = f[3]; sub(/-[^-]*$/, "", kind)
		size = f[3]; sub(/.*-/, "", size)
		if (!(size in fseen)) { fseen[size] = 1; sizes[ns++] = size }
		touch[kind, size] = f[9]; setup[kind, size] = f[23]
	}
	costs()
}
function cmp(a, b, size, x) {
	if (x[a, size] == "" || x[b, size] == "" || x[b, size] == 0)
		return "–"
	return sprintf("%.2f", x[a, size] / x[b, size])
}
function both(a, b, size) {
	if (touch[a, size] == "" || touch[b, size] == "" || \
	    setup[a, size] == "")
		return "–"
	return sprintf("%.2f", (touch[a, size] + setup[a, size]) / \
			       (touch[b, size] + setup[b, size]))
}
function costs(   i, j, c, n, a, b) {
	n = split("vmshm memfd,vmshm anon,vmshm-locked vmshm," \
		  "vmshm-huge vmshm,vmshm-huge anon,vmshm-populate anon-populate," \
		  "vmshm-populate vmshm", c, ",")
	if (!ns || touch["vmshm", sizes[0]] == "")
		return
	print """"
	print "What a region costs and gains against the other kinds, as " \
	      "ratios of the medians above (below 1: the first is cheaper):"
	print ""
	print "| first / second | size | touch | set-up | set-up + touch |"
	print "|---|---|--:|--:|--:|"
	for (j = 0; j < ns; j++)
		for (i = 1; i <= n; i++) {
			split(c[i], w, " "); a = w[1]; b = w[2]
			if (touch[a, sizes[j]] == "") continue
			print "| " a " / " b " | " sizes[j] " | " \
			      cmp(a, b, sizes[j], touch) " | " \
			      cmp(a, b, sizes[j], setup) " | " \
			      both(a, b, sizes[j]) " |"
		}
}
function g(v) { return v + 0 >= 100 ? sprintf("%.0f", v) : sprintf("%.3g", v) }
function curves(   i, j, k, c, s, x, line) {
	if (!nc)
		return
	print ""
	print "## Cost curves"
	print ""
	print "Medians of " creps[corder[0]] " repetitions per point " \
	      "(IQR in brackets); a slope is the least-squares fit of " \
	      "log(median) on log(x): 0 is flat, 1 linear.  One CSV and one " \
	      "log-log plot per curve beside this report."
	for (k = 0; k < nc; k++) {
		c = corder[k]
		print ""
		print "### " c
		print ""
		if (curvebase != "")
			print "![curve " c "](" curvebase "-curve-" c ".png)"
		print ""
		line = "| " cxname[c]
		for (j = 0; j < ns_[c]; j++)
			line = line " | " sname[c, j] " (" sunit[c, sname[c, j]] ")"
		print line " |"
		line = "|--:"
		for (j = 0; j < ns_[c]; j++)
			line = line "|--:"
		print line "|"
		for (i = 0; i < nx[c]; i++) {
			x = xval[c, i]; line = "| " x
			for (j = 0; j < ns_[c]; j++) {
				s = sname[c, j]
				line = line " | " (cval[c, s, x] == "" ? "–" : \
				       g(cval[c, s, x]) " [" g(cq1[c, s, x]) \
				       "–" g(cq3[c, s, x]) "]")
			}
			print line " |"
		}
		line = "| slope"
		for (j = 0; j < ns_[c]; j++)
			line = line " | " cslope[c, sname[c, j]]
		print line " |"
	}
}
function targets(   i, f) {
	print ""
	print "## Targets"
	print ""
	print "Each judged on the worse placement.  \"vmshm blocking round " \
	      "trip\" is the best of vmshm-wait, vmshm-wait-wake, " \
	      "vmshm-poll and vmshm-ring (never spinning) by its ratio to " \
	      "futex.  The page-fault " \
	      "targets are judged at each size.  The *_vs_committed targets " \
	      "(from scripts/bench-report.sh, when given the committed CSV) " \
	      "hold a median to the committed run's IQR: a round trip's " \
	      "ratio to futex at most its Q3, a stream's ratio to the " \
	      "single process at least its Q1.  The curve_* targets judge " \
	      "a cost curve's fitted slope, or for pairs its worst point " \
	      "(no placement: a curve's processes are not pinned)."
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
awk -F, -v csvname="$(basename "$csv")" -v pngname="${plot:+$(basename "$png")}" \
	-v curvebase="$(basename "$cbase")" \
	-f "$tmp/report.awk" "$csv" "$tmp/base.csv" >"$md.tmp"
mv -f "$md.tmp" "$md"
