#!/bin/sh
# cpuprofile.sh --
#
#	Where the CPU goes in the own-server rows async Echo and signals
#	(issue 12): the same trio as make bench (Tcl client -> Tcl server,
#	tclemit.tcl -> tclsub.tcl, against cbench -> cbench), all pinned to
#	one CPU on a private dbus-daemon, sampled system-wide on that CPU
#	with "perf record -e cpu-clock" (a software clock: no hardware
#	counters needed).  Prints, for each trio, the CPU milliseconds per
#	1,000 calls (or signals) of each process split by where they were
#	spent: the kernel, libdbus, libc, the Tcl library (the scripts and
#	Tcl's objects), this extension, the daemon's own code.  A throughput
#	ratio in make bench is about the ratio of the two trios' totals
#	(everything shares one CPU).
#
#	Usage:	bench/cpuprofile.sh async|signals ?N? ?CPU?
#	Run from the build directory after "make bench" (bench/cbench must
#	exist); needs perf (linux-perf) and a perf_event_paranoid that lets
#	the user sample a CPU (<= 0, or run as root).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

set -u
row=${1:-async}
cpu=${3:-0}
case $row in
    async)   n=${2:-60000} ;;
    signals) n=${2:-100000} ;;
    *) echo "usage: $0 async|signals ?N? ?CPU?" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
builddir=$(pwd)
cbench=$builddir/bench/cbench
[ -x "$cbench" ] || { echo "$cbench: run make bench first" >&2; exit 2; }
command -v perf >/dev/null || { echo "perf is not installed" >&2; exit 2; }
export TCLLIBPATH="$builddir"
tmp=$(mktemp -d)
pin="taskset -c $cpu"

# A private bus: the user's buses are never touched; stopped by pid.
$pin dbus-daemon --session --fork --print-address=1 --print-pid=1 \
    > "$tmp/bus" || exit 1
DBUS_SESSION_BUS_ADDRESS=$(sed -n 1p "$tmp/bus")
daemon=$(sed -n 2p "$tmp/bus")
export DBUS_SESSION_BUS_ADDRESS
pids=""
cleanup() {
    for p in $pids $daemon; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

# waitready FILE: wait (at most 30 s) for a "ready" line in FILE.
waitready() {
    i=0
    while ! grep -q ready "$1" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 300 ] && { echo "no ready line in $1" >&2; exit 1; }
	sleep 0.1
    done
}

# sample SIDE: run one trio under perf; the figure goes to $tmp/SIDE.out.
sample() {
    side=$1
    if [ "$row" = async ]; then
	if [ "$side" = tcl ]; then
	    $pin tclsh "$here/tclserver.tcl" > "$tmp/srv.$side" &
	    client="tclsh $here/tclclient.tcl -dest org.tcldbus.TclBench"
	else
	    $pin "$cbench" server > "$tmp/srv.$side" &
	    client=$cbench
	fi
	pids="$pids $!"
	echo $! > "$tmp/$side.peer"
	waitready "$tmp/srv.$side"
	perf record -q -C "$cpu" -F 2999 -e cpu-clock \
	    -o "$tmp/$side.data" -- $pin $client client-async "$n" 100 \
	    > "$tmp/$side.out"
    else
	if [ "$side" = tcl ]; then
	    sub="tclsh $here/tclsub.tcl"
	    emit="tclsh $here/tclemit.tcl $n"
	else
	    sub="$cbench subscribe"
	    emit="$cbench emit $n"
	fi
	$pin $sub > "$tmp/sub.$side" &
	subpid=$!
	echo $subpid > "$tmp/$side.peer"
	waitready "$tmp/sub.$side"
	perf record -q -C "$cpu" -F 2999 -e cpu-clock \
	    -o "$tmp/$side.data" -- $pin $emit > /dev/null
	wait $subpid
	tail -n 1 "$tmp/sub.$side" > "$tmp/$side.out"
    fi
}

# report SIDE: CPU ms per 1,000 by process (all its threads) and DSO
# group (2999 Hz: one sample is 1/2999 s of the CPU).
report() {
    side=$1
    echo "== $side trio: $(head -n 1 "$tmp/$side.out")"
    perf script -i "$tmp/$side.data" -F comm,pid,tid,ip,dso 2>/dev/null \
	    | awk -v n="$n" -v daemon="$daemon" -v peer="$(cat "$tmp/$side.peer")" \
		-v row="$row" '
	{
	    comm = $1; split($2, ids, "/"); dso = $NF
	    if (comm !~ /^(tclsh|cbench|dbus-daemon)$/) next
	    if (dso ~ /kernel/) g = "kernel"
	    else if (dso ~ /libdbus/) g = "libdbus"
	    else if (dso ~ /\/libc[.]so/) g = "libc"
	    else if (dso ~ /libtcldbus/) g = "ext"
	    else if (dso ~ /libtcl/) g = "tcl"
	    else if (dso ~ /dbus-daemon|cbench/) g = "exe"
	    else g = "other"
	    if (comm == "dbus-daemon" && ids[1] != daemon) next
	    p = comm " " ids[1]
	    s[p, g]++; tot[p]++; all++
	}
	END {
	    ms = 1000.0 / 2999 * 1000 / n
	    printf "%-20s %7s %7s %7s %7s %7s %7s %7s %7s\n", "process", \
		"kernel", "libdbus", "libc", "tcl", "ext", "exe", "other", "total"
	    split("kernel libdbus libc tcl ext exe other", gs, " ")
	    sum = 0
	    for (p in tot) {
		# Other processes that ran on the CPU meanwhile: left out.
		if (tot[p] < all / 20) continue
		split(p, w, " ")
		if (w[2] == daemon) name = "daemon"
		else if (w[2] == peer) name = (row == "async") ? "server" : "subscriber"
		else name = (row == "async") ? "client" : "emitter"
		printf "%-20s", w[1] " " name
		for (i = 1; i <= 7; i++) printf " %7.2f", s[p, gs[i]] * ms
		printf " %7.2f\n", tot[p] * ms
		sum += tot[p]
	    }
	    printf "%-20s %63.2f\n", "trio, ms per 1000", sum * ms
	}'
}

sample c
sample tcl
report c
report tcl
