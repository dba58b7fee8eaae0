# tclsub.tcl --
#
#	The Tcl signal subscriber of the benchmarks (see run.tcl), the
#	counterpart of "cbench subscribe": a match rule for the benchmark
#	interface, a "dbus listen" handler counting Tick(u) signals, and one
#	for Done.  The rate is taken from the first Tick to the last.
#
#	Usage:	tclsh tclsub.tcl ?listen|subscribe|subscribe100?
#
#	listen (default) as above; subscribe: one "dbus subscribe" for Tick
#	and one for Done instead (each adds its own rule); subscribe100: the
#	same plus 100 subscriptions of the same interface on other members
#	(with their rules on the bus), which a Tick must not pay for.
#
#	Prints "ready" once the match rule is in place, then
#	"<signals/s> signals/s <n> received <n> lost" after Done.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbus

namespace eval tclsub {
    variable path /org/tcldbus/Bench
    variable iface org.tcldbus.Bench
    variable received 0
    variable lost 0
    variable next 0
    variable first 0
    variable last 0
    variable finished 0
}

proc tclsub::Tick {info seq} {
    variable received
    variable lost
    variable next
    variable first
    variable last
    set last [clock microseconds]
    if {[incr received] == 1} {
	set first $last
    }
    if {$seq != $next} {
	incr lost [expr {$seq - $next}]
    }
    set next [expr {$seq + 1}]
}

proc tclsub::Done {info} {
    variable finished 1
}

proc tclsub::main {mode} {
    variable path
    variable iface
    variable received
    variable lost
    variable first
    variable last
    set ns [namespace current]
    dbus connect
    switch -- $mode {
	listen {
	    dbus listen $path $iface.Tick ${ns}::Tick
	    dbus listen $path $iface.Done ${ns}::Done
	    dbus filter add -type signal -interface $iface
	}
	subscribe - subscribe100 {
	    if {$mode eq "subscribe100"} {
		for {set k 0} {$k < 100} {incr k} {
		    dbus subscribe -path $path -interface $iface \
			    -member Other$k ${ns}::Done
		}
	    }
	    dbus subscribe -path $path -interface $iface -member Tick \
		    ${ns}::Tick
	    dbus subscribe -path $path -interface $iface -member Done \
		    ${ns}::Done
	}
	default {
	    error "unknown mode \"$mode\""
	}
    }
    puts ready
    flush stdout
    vwait ${ns}::finished
    if {$received < 2 || $last <= $first} {
	error "too few signals received ($received)"
    }
    puts [format "%.1f signals/s %d received %d lost" \
	    [expr {($received - 1) * 1e6 / ($last - $first)}] $received $lost]
    dbus close
}

if {[catch {tclsub::main [lindex [concat $argv listen] 0]} msg]} {
    puts stderr "tclsub: $msg"
    exit 1
}
exit 0
