# proxyserver.tcl --
#
#	The dbif side of the proxy benchmark rows (issue 10): owns
#	org.tcldbus.ProxyBench on the bus in DBUS_SESSION_BUS_ADDRESS and
#	serves, all with dbif:
#	    /org/tcldbus/Big	50 methods M0..M49 (a:i b:s -> r:s) and 50
#				readable int32 properties p0..p49
#	    /org/tcldbus/Om	an object manager over 1,000 objects
#				/org/tcldbus/Om/o0.. with one interface of
#				five int32 properties p0..p4 each
#	    Quit()		on /org/tcldbus/Bench
#	Prints "ready" when it owns its name.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbif

set names [dbif connect org.tcldbus.ProxyBench]
if {"org.tcldbus.ProxyBench" ni $names} {
    puts stderr "proxyserver: could not own org.tcldbus.ProxyBench"
    exit 1
}
dbif method -interface org.tcldbus.Bench /org/tcldbus/Bench Quit {} {} {
    after idle {set ::done 1}
}
for {set i 0} {$i < 50} {incr i} {
    dbif method -interface org.tcldbus.Big /org/tcldbus/Big M$i \
	    {a:i b:s} {r:s} {return $b}
    set ::big$i $i
    dbif property -access read -interface org.tcldbus.Big \
	    /org/tcldbus/Big p$i:i ::big$i
}
dbif manager /org/tcldbus/Om
for {set i 0} {$i < 1000} {incr i} {
    for {set j 0} {$j < 5} {incr j} {
	set ::o($i,$j) [expr {$i + $j}]
	dbif property -access read -interface org.tcldbus.Managed \
		/org/tcldbus/Om/o$i p$j:i ::o($i,$j)
    }
}
update idletasks
puts ready
flush stdout
vwait ::done
