#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Draw the pictures of `make tour` from the figures a run left in DIR
# (scripts/tour-guest.sh --out DIR), on the host, with graphviz and gnuplot:
#   frames.png   processes -> virtual ranges -> region pages -> frames (ch. 1)
#   pages.png    page maps: demand paging step by step (ch. 2)
#   huge.png     page maps of a base-page and a huge region (ch. 9)
#   busy.png     busy waiting vs sleeping: CPU and wake-ups (ch. 5)
#   thrash.png   throughput and major faults against the limit (ch. 7)
# A picture whose figures are missing (its chapter did not run) is left out.
#
# Usage: scripts/tour-plot.sh DIR
set -euo pipefail

dir=${1:?usage: scripts/tour-plot.sh DIR}
cd "$dir"
rel=$(basename "$PWD")
drew=()

# One node per process, per virtual page, per region page, per frame.
frames() {
	[ -s frames.csv ] && [ -s share.env ] || return 0
	# shellcheck disable=SC1091,SC2154
	. ./share.env
	# shellcheck disable=SC2154 # $name comes from share.env
	awk -F, -v name="$name" -v rel="$rel" 'NR > 1 {
		role[NR] = $1; pid[$1] = $2; page[NR] = $3; va[NR] = $4; pfn[$3] = $5
		if (!($1 in seen)) { seen[$1] = 1; roles[++nr] = $1 }
		if ($3 + 1 > np) np = $3 + 1
		last = NR
	}
	END {
		print "digraph frames {"
		print "  rankdir=LR; ordering=out; newrank=true; nodesep=0.15;"
		print "  node [fontname=\"Helvetica\", fontsize=16, shape=box];"
		print "  edge [color=\"#555555\"];"
		printf "  labelloc=t; fontsize=20; label=\"processes -> virtual addresses -> region pages -> physical frames (%s)\";\n", rel
		for (r = 1; r <= nr; r++) {
			x = roles[r]
			printf "  subgraph cluster_%s { label=\"%s, pid %s\"; style=rounded; color=\"#0d6efd\";\n", x, x, pid[x]
			for (i = 2; i <= last; i++)
				if (role[i] == x)
					printf "    \"%s_%s\" [label=\"%s\", fontname=\"Courier\"];\n", x, page[i], va[i]
			print "  }"
		}
		print "  subgraph cluster_region { label=\"region " name "\"; style=rounded; color=\"#198754\";"
		for (p = 0; p < np; p++)
			printf "    \"page%d\" [label=\"page %d\", style=filled, fillcolor=\"#d1e7dd\"];\n", p, p
		print "  }"
		print "  subgraph cluster_ram { label=\"physical memory\"; style=rounded; color=\"#ffc107\";"
		for (p = 0; p < np; p++)
			printf "    \"pfn%d\" [label=\"frame %s\", shape=box3d, style=filled, fillcolor=\"#fff3cd\"];\n", p, pfn[p]
		print "  }"
		for (i = 2; i <= last; i++)
			printf "  \"%s_%s\" -> \"page%s\";\n", role[i], page[i], page[i]
		for (p = 0; p < np; p++)
			printf "  \"page%d\" -> \"pfn%d\";\n", p, p
		print "}"
	}' frames.csv >frames.dot
	dot -Tpng -Gdpi=80 frames.dot -o frames.png
	drew+=(frames.png)
}

# Page maps as rows of squares, one colour per state; $1: output, rest:
# "label:file" pairs, $cols squares per row.
pagemap_png() {
	local png=$1 cols=$2 row=0 f label file rows plot=''
	shift 2
	: >pagemap.dat
	for f in "$@"; do
		label=${f%%:*} file=${f#*:}
		[ -s "$file" ] || return 0
		rows=$(awk -F, -v c="$cols" -v r="$row" -v l="$label" 'NR > 1 {
			col["."] = 15658734; col["#"] = 3381708; col["="] = 10040012
			col["H"] = 16750899; col["s"] = 13421670
			p = $1; printf "%d %d %d\n", p % c, -(r + int(p / c)), col[$2]
			n = p } END { print int(n / c) + 1 > "/dev/stderr" }' "$file" 2>&1 >>pagemap.dat)
		plot+="set label \"$label\" at -1,$((-row)) right font \",14\"; "
		row=$((row + rows + 1))
	done
	gnuplot <<-GP
	set terminal pngcairo size 1100,$((150 + row * 26)) font ",13"
	set output "$png"
	set title "page maps, $rel\ngrey: not present   blue: resident   purple: shared   orange: huge page   tan: swapped"
	unset xtics; unset ytics; unset border; unset key
	set lmargin 22
	set xrange [-0.5:$cols]
	set yrange [$((-row)):0.8]
	$plot
	plot "pagemap.dat" using 1:2:3 with points pt 5 ps 2.2 lc rgb variable
	GP
	rm -f pagemap.dat
	drew+=("$png")
}

busy() {
	[ -s busy.csv ] || return 0
	gnuplot <<-GP
	set terminal pngcairo size 1100,500 font ",14"
	set output "busy.png"
	set datafile separator ","
	set multiplot layout 1,2 title "busy waiting (usleep(1000) flags) vs sleeping in the kernel (vmshm), $rel"
	set style fill solid 0.8; set boxwidth 0.6; unset key; set grid ytics
	set title "idle, waiting for input: wake-ups per second"
	set logscale y
	plot "busy.csv" every ::1 using 0:(\$7 > 0 ? \$7 : 0.5):xtic(1) with boxes lc rgb "#d9534f", \
	     "" every ::1 using 0:(\$7 > 0 ? \$7 : 0.5):(sprintf("%.0f", \$7)) with labels offset 0,1
	unset logscale y
	set title "CPU time per line summed (us, start-up taken off)"
	set yrange [0:*]
	plot "busy.csv" every ::1 using 0:3:xtic(1) with boxes lc rgb "#0275d8", \
	     "" every ::1 using 0:3:(sprintf("%.0f", \$3)) with labels offset 0,1
	unset multiplot
	GP
	drew+=(busy.png)
}

thrash() {
	[ -s thrash.csv ] || return 0
	gnuplot <<-GP
	set terminal pngcairo size 1100,550 font ",14"
	set output "thrash.png"
	set datafile separator ","
	set title "thrashing ($rel): touching a working set in order under a memory cgroup limit"
	set xlabel "memory.max, % of the working set (+ 256 KiB for the process)"
	set ylabel "pages touched per second"
	set ytics nomirror; set y2tics; set grid
	set key top left
	set xrange [*:*] reverse
	set logscale y
	set y2label "faults per pass"
	plot "thrash.csv" every ::1 using 1:3 with linespoints lw 3 pt 7 ps 1.5 title "pages/s (log scale)", \
	     "" every ::1 using 1:5 axes x1y2 with linespoints lw 2 dt 2 pt 5 title "faults / pass", \
	     "" every ::1 using 1:4 axes x1y2 with linespoints lw 2 dt 3 pt 9 title "major faults / pass"
	GP
	drew+=(thrash.png)
}

frames
pagemap_png pages.png 16 "before:demand_0-map.csv" "half touched:demand_half-map.csv" \
	"all touched:demand_all-map.csv"
pagemap_png huge.png 64 "base pages:base-map.csv" "huge region:huge-map.csv"
busy
thrash
[ ${#drew[@]} -eq 0 ] || echo "tour: pictures in $PWD: ${drew[*]}"
