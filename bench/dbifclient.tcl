# dbifclient.tcl --
#
#	Client side of the dbif property-writes row (bench/run.tcl): asks
#	bench/dbifserver.tcl to write its property N times in one event-loop
#	turn, and counts the PropertiesChanged signals that follow.
#
#	    tclsh dbifclient.tcl writes N
#
#	Prints "<us> us/write <count> signals <last-value>".
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbus

lassign $argv mode n
if {$mode ne "writes" || ![string is integer -strict $n]} {
    puts stderr "usage: dbifclient.tcl writes N"
    exit 1
}
dbus connect
set ::count 0
set ::last ""
dbus filter add -type signal -path /org/tcldbus/W \
	-interface org.freedesktop.DBus.Properties -member PropertiesChanged
dbus listen /org/tcldbus/W org.freedesktop.DBus.Properties.PropertiesChanged \
	{apply {{info intf changed invalidated} {
    incr ::count
    set ::last [dict get $changed Value]
}}}
set us [dbus call -dest org.tcldbus.DbifBench -signature u \
	/org/tcldbus/W org.tcldbus.W Writes $n]

# The signal follows at the server's next idle point; then give a
# (wrong) second signal time to show up.
set deadline [expr {[clock milliseconds] + 5000}]
while {$::count == 0 && [clock milliseconds] < $deadline} {
    after 10 {set ::tick 1}
    vwait ::tick
}
after 300 {set ::tick 1}
vwait ::tick
puts [format "%.3f us/write %d signals %s" $us $::count $::last]
