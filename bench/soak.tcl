# soak.tcl --
#
#	make soak (issue 14): a long-running benchmark, not a test.  On a
#	private bus, a Tcl client and a Tcl server in separate processes:
#	sync calls, signals, connect/close, dbif define/delete, filter
#	add/remove, subscribe/unsubscribe, and one 60 MB message.  RSS and
#	fd count of both processes and the bus's match rules for the client
#	(org.freedesktop.DBus.Debug.Stats, when the daemon has it) are
#	sampled after every tenth of each phase; the table shows the first
#	sample after warm-up, the last, and the growth.  SOAK_SCALE scales
#	the counts (1 = the issue's 1,000,000 calls and signals, 20,000 of
#	the rest).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

set here [file dirname [file normalize [info script]]]
source [file join $here .. tests helpers.tcl]
package require dbif

set scale [expr {[info exists env(SOAK_SCALE)] ? $env(SOAK_SCALE) : 1.0}]
proc n {base} {expr {max(10, int($base * $::scale))}}

::dbustest::startBuses
set server [::dbustest::peer {
    package require dbif
    dbif connect -noqueue org.tcltest.Soak
    dbif method -interface org.tcltest.Soak /s Echo {a:i} {r:i} {return $a}
    dbus method /raw org.tcltest.Soak.Size {apply {{info data} {
	string length $data
    }}}
    proc emit {n} {
	for {set k 0} {$k < $n} {incr k} {
	    dbus signal /s org.tcltest.Soak Tick $k
	}
	dbus call -dest org.freedesktop.DBus /org/freedesktop/DBus \
	    org.freedesktop.DBus GetId
	return $n
    }
    fileevent stdin readable {
	if {[gets stdin line] < 0 || $line eq "quit"} exit
	puts [eval $line]
	flush stdout
    }
    puts [pid]
    flush stdout
    vwait forever
}]
set spid [::dbustest::readLine $server 20000]

proc rss {pid} {
    set f [open /proc/$pid/status]
    regexp {VmRSS:\s+(\d+)} [read $f] -> kb
    close $f
    return $kb
}
proc fds {pid} {llength [glob -directory /proc/$pid/fd *]}
proc rules {} {
    if {[catch {dbus call -dest org.freedesktop.DBus /org/freedesktop/DBus \
	    org.freedesktop.DBus.Debug.Stats GetConnectionStats \
	    [dbus info name]} stats]} {
	return n/a
    }
    return [dict get $stats MatchRules]
}
proc sample {} {
    list [rss [pid]] [fds [pid]] [rss $::spid] [fds $::spid] [rules]
}

dbus connect
set rows {}
# phase name total body: runs body total times in ten slices, sampling
# after each; slice 1 is warm-up.
proc phase {name total body} {
    set slice [expr {max(1, $total / 10)}]
    set samples {}
    set t0 [clock milliseconds]
    for {set s 0} {$s < 10} {incr s} {
	for {set k 0} {$k < $slice} {incr k} {
	    uplevel #0 $body
	}
	lappend samples [sample]
    }
    set ms [expr {[clock milliseconds] - $t0}]
    lassign [lindex $samples 1] r1 f1 sr1 sf1 m1
    lassign [lindex $samples end] r2 f2 sr2 sf2 m2
    lappend ::rows [list $name [expr {$slice * 10}] $ms $r1 $r2 \
	[format %+.1f%% [expr {100.0 * ($r2 - $r1) / $r1}]] $sr1 $sr2 \
	[format %+.1f%% [expr {100.0 * ($sr2 - $sr1) / $sr1}]] \
	$f1/$f2 $sf1/$sf2 $m1/$m2]
    puts stderr "soak: $name done ($ms ms)"
}

phase "sync calls" [n 1000000] {
    dbus call -dest org.tcltest.Soak -signature i /s org.tcltest.Soak Echo 1
}
set ::ticks 0
dbus listen /s org.tcltest.Soak.Tick {apply {{info args} {incr ::ticks}}}
phase "signals (x1000)" [n 1000] {
    puts $::server "emit 1000"
    flush $::server
    ::dbustest::readLine $::server 600000
    update
}
dbus listen /s org.tcltest.Soak.Tick {}
phase "connect/close" [n 20000] {
    dbus close [dbus connect $::env(DBUS_SYSTEM_BUS_ADDRESS)]
}
dbif connect
phase "dbif define/delete" [n 20000] {
    dbif method -interface org.tcltest.X /soak/x M {a:s} {r:s} {return $a}
    dbif property -interface org.tcltest.X /soak/x P ::prop
    dbif delete /soak
}
phase "filter add/remove" [n 20000] {
    dbus filter add -type signal -interface org.tcltest.F -member M
    dbus filter remove -type signal -interface org.tcltest.F -member M
}
if {[llength [info commands ::dbus::subscribe]]} {
    phase "subscribe/unsubscribe" [n 20000] {
	dbus unsubscribe [dbus subscribe -interface org.tcltest.S {apply {args {}}}]
    }
}
if {[llength [info commands ::dbus::dbif::proxy]]} {
    phase "proxy create/destroy" [n 20000] {
	rename [dbif proxy -cache 0 org.tcltest.Soak /s] {}
    }
}
# memory held after a 60 MB message is returned
set before [list [rss [pid]] [rss $spid]]
dbus call -dest org.tcltest.Soak -signature ay -timeout 120000 /raw \
    org.tcltest.Soak Size [string repeat x [expr {60 * 1024 * 1024}]]
after 500 {set ::settled 1}
vwait ::settled
set after [list [rss [pid]] [rss $spid]]

puts [format "%-22s %9s %8s %9s %9s %7s %9s %9s %7s %7s %7s %s" \
    phase count ms "rss0 kB" "rss kB" growth "srv0 kB" "srv kB" growth \
    fds srvfds rules]
foreach row $rows {
    puts [format "%-22s %9s %8s %9s %9s %7s %9s %9s %7s %7s %7s %s" {*}$row]
}
puts "60 MB message: client RSS [lindex $before 0] -> [lindex $after 0] kB,\
    server [lindex $before 1] -> [lindex $after 1] kB"
catch {puts $server quit; flush $server}
catch {close $server}
::dbustest::stopBuses
exit 0
