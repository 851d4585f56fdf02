#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Draw the pictures of `make tour` from the figures a run left in DIR
# (scripts/tour-guest.sh --out DIR), on the host, with graphviz and gnuplot:
#   frames.png   processes -> virtual ranges -> region pages -> frames (ch. 1)
#   pages.png    page maps: demand paging step by step (ch. 2)
#   huge.png     the page map of a huge region (ch. 9)
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
	awk -F, -v name="$name" 'BEGIN {
		print "digraph frames {"
		print "  rankdir=LR; node [fontname=\"Helvetica\", fontsize=16, shape=box];"
		print "  edge [color=\"#555555\"];"
	}
	NR > 1 {
		role = $1; pid = $2; page = $3; va = $4; pfn = $5
		if (!(role in seen)) {
			seen[role] = 1
			printf "  \"%s\" [label=\"%s\\npid %s\", style=filled, fillcolor=\"#cfe2ff\"];\n", role, role, pid
		}
		printf "  \"%s_%s\" [label=\"%s\", fontname=\"Courier\"];\n", role, page, va
		printf "  \"%s\" -> \"%s_%s\";\n", role, role, page
		printf "  \"%s_%s\" -> \"page%s\";\n", role, page, page
		printf "  \"page%s\" [label=\"%s\\npage %s\", style=filled, fillcolor=\"#d1e7dd\"];\n", page, name, page
		printf "  \"pfn%s\" [label=\"frame (pfn)\\n%s\", shape=box3d, style=filled, fillcolor=\"#fff3cd\"];\n", pfn, pfn
		if (!(page in linked)) { linked[page] = 1; printf "  \"page%s\" -> \"pfn%s\";\n", page, pfn }
	}
	END {
		print "  labelloc=t; fontsize=20;"
		print "  label=\"processes -> virtual addresses -> region pages -> physical frames (" "'"$rel"'" ")\";"
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
	set terminal pngcairo size 1100,$((120 + row * 26)) font ",13"
	set output "$png"
	set title "page maps ($rel): grey not present, blue resident, purple shared, orange huge, tan swapped"
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
	set title "CPU time per line summed (us)"
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
	set xlabel "memory.max, % of the working set"
	set ylabel "pages touched per second"
	set y2label "major faults per pass"
	set ytics nomirror; set y2tics; set grid
	set key top left
	set xrange [*:*] reverse
	plot "thrash.csv" every ::1 using 1:3 with linespoints lw 3 pt 7 ps 1.5 title "throughput", \
	     "" every ::1 using 1:4 axes x1y2 with linespoints lw 2 dt 2 pt 5 title "major faults / pass"
	GP
	drew+=(thrash.png)
}

frames
pagemap_png pages.png 16 "before:demand_0-map.csv" "half touched:demand_half-map.csv" \
	"all touched:demand_all-map.csv"
pagemap_png huge.png 64 "huge region:huge-map.csv"
busy
thrash
[ ${#drew[@]} -eq 0 ] || echo "tour: pictures in $PWD: ${drew[*]}"
