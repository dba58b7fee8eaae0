# tclemit.tcl --
#
#	The Tcl signal emitter of the own-server rows (see own.tcl), the
#	counterpart of "cbench emit N": broadcasts N Tick(u) signals with
#	"dbus signal", then one Done, flushing every 256 signals (as cbench
#	does) so the outgoing queue stays bounded.
#
#	Usage:	tclsh tclemit.tcl N
#
#	Prints "<signals/s> signals/s" (the sending rate).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbus

proc emit {n} {
    set path /org/tcldbus/Bench
    set iface org.tcldbus.Bench
    dbus connect
    set t0 [clock microseconds]
    for {set i 0} {$i < $n} {incr i} {
	dbus signal -signature u $path $iface Tick $i
	if {($i & 255) == 255} {
	    dbus flush
	}
    }
    dbus signal $path $iface Done
    dbus flush
    set t1 [clock microseconds]
    puts [format "%.1f signals/s" [expr {$n * 1e6 / ($t1 - $t0)}]]
    dbus close
}

if {[llength $argv] != 1 || ![string is integer -strict [lindex $argv 0]]} {
    puts stderr "usage: tclsh tclemit.tcl N"
    exit 1
}
if {[catch {emit [lindex $argv 0]} msg]} {
    puts stderr "tclemit: $msg"
    exit 1
}
exit 0
