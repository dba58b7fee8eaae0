# dbifserver.tcl --
#
#	The dbif side of the dbif benchmark rows (bench/dbifbench.tcl): owns
#	org.tcldbus.DbifBench on the bus in DBUS_SESSION_BUS_ADDRESS and
#	serves, all with dbif:
#	    /org/tcldbus/Bench  org.tcldbus.Bench.Echo(s)->s  (as cbench's)
#	    /org/tcldbus/Props  1,000 readable int32 properties p0..p999
#	    /org/tcldbus/Tree   50 methods, 1,000 child nodes
#	    /org/tcldbus/W      property Value:i, method Writes(u)->d that
#				writes it n times in one event-loop turn and
#				returns microseconds per write
#	    Quit()		on /org/tcldbus/Bench
#	Prints "ready" when it owns its name.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbif

set names [dbif connect org.tcldbus.DbifBench]
if {"org.tcldbus.DbifBench" ni $names} {
    puts stderr "dbifserver: could not own org.tcldbus.DbifBench"
    exit 1
}

dbif method -interface org.tcldbus.Bench /org/tcldbus/Bench Echo \
	{text:s} {reply:s} {return $text}
dbif method -interface org.tcldbus.Bench /org/tcldbus/Bench Quit {} {} {
    after idle {set ::done 1}
}

for {set i 0} {$i < 1000} {incr i} {
    set ::p$i $i
    dbif property -access read -interface org.tcldbus.Props \
	    /org/tcldbus/Props p$i:i ::p$i
}

for {set i 0} {$i < 50} {incr i} {
    dbif method -interface org.tcldbus.Tree /org/tcldbus/Tree M$i \
	    {a:i b:s} {r:s} {return $b}
}
for {set i 0} {$i < 1000} {incr i} {
    dbif pave -interface org.tcldbus.Tree /org/tcldbus/Tree/c$i
}

set ::value 0
dbif property -interface org.tcldbus.W /org/tcldbus/W Value:i ::value
dbif method -interface org.tcldbus.W /org/tcldbus/W Writes {n:u} {us:d} {
    set t0 [clock microseconds]
    for {set i 1} {$i <= $n} {incr i} {
	set ::value $i
    }
    expr {([clock microseconds] - $t0) / double($n)}
}

puts ready
flush stdout
vwait ::done
