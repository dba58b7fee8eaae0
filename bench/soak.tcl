# soak.tcl --
#
#	make soak (issue 14): a long-running benchmark, not a test.  On a
#	private bus, a Tcl client and a Tcl server in separate processes:
#	sync calls, signals, connect/close, dbif define/delete, filter
#	add/remove, subscribe/unsubscribe, proxy create/destroy, and one
#	60 MB message.  RSS and fd count of both processes, the bus's match
#	rules for the client (org.freedesktop.DBus.Debug.Stats, when the
#	daemon has it) and the entries of the tables a peer can grow
#	(dbustest::tables: pending replies, no-reply calls, held messages,
#	dbif message ids; client/server) are sampled after every tenth of
#	each phase; the table shows the first sample after warm-up, the
#	last, and the growth.  After each tenth a check proves the phase
#	does what it says (the check column): the call answers, every
#	signal arrived, the connection worked and left the daemon, the dbif
#	object was callable and introspectable by a peer and gone after the
#	delete, the filter and the subscription reached the bus's match
#	rules and left them, the proxy called its method.  SOAK_SCALE scales
#	the counts (1 = the issue's 1,000,000 calls and signals, 20,000 of
#	the rest).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

set here [file dirname [file normalize [info script]]]
# the extension from tcldbustest.so, for dbustest::tables
namespace eval ::dbustest {variable testlib 1}
source [file join $here .. tests helpers.tcl]
package require dbif

set scale [expr {[info exists env(SOAK_SCALE)] ? $env(SOAK_SCALE) : 1.0}]
proc n {base} {expr {max(10, int($base * $::scale))}}

::dbustest::startBuses
set server [::dbustest::peer {
    load [file join $env(DBUS_TCL_BUILDDIR) \
	tcldbustest[info sharedlibextension]] Dbustest
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
    # what a peer sees of the client's dbif objects
    proc callClient {dest path} {
	if {[catch {dbus call -dest $dest -signature s $path org.tcltest.X \
		M hi} r opts]} {
	    return [list err [lindex [dict get $opts -errorcode] end]]
	}
	return [list ok $r]
    }
    proc introspectHas {dest path node} {
	if {[catch {dbus call -dest $dest $path \
		org.freedesktop.DBus.Introspectable Introspect} xml]} {
	    return 0
	}
	regexp "<node name=\"$node\"" $xml
    }
    proc tables {} {
	dict values [dbustest::tables session]
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

proc ask {line} {
    puts $::server $line
    flush $::server
    ::dbustest::readLine $::server 600000
}
proc rss {pid} {
    set f [open /proc/$pid/status]
    regexp {VmRSS:\s+(\d+)} [read $f] -> kb
    close $f
    return $kb
}
proc fds {pid} {llength [glob -directory /proc/$pid/fd *]}
proc busStats {method args} {
    if {[catch {dbus call {*}$args -dest org.freedesktop.DBus \
	    /org/freedesktop/DBus org.freedesktop.DBus.Debug.Stats \
	    $method {*}[expr {$method eq "GetStats" ? "" : [dbus info name]}]
    } stats]} {
	return {}
    }
    return $stats
}
proc rules {} {
    set stats [busStats GetConnectionStats]
    expr {[dict exists $stats MatchRules] ? [dict get $stats MatchRules] : "n/a"}
}
# the tables a peer can grow (dbustest::tables): pending replies, calls
# handed to scripts without a reply wanted, held messages, dbif message
# ids; summed per process
proc tables {} {
    lassign [dict values [dbustest::tables session]] p n h r o m
    lassign [ask tables] sp sn sh sr so sm
    return [expr {$p + $n + $h + $m}]/[expr {$sp + $sn + $sh + $sm}]
}
proc sample {} {
    list [rss [pid]] [fds [pid]] [rss $::spid] [fds $::spid] [rules] [tables]
}

dbus connect
dbif connect
set rows {}
# phase name total body ?check?: runs body total times in ten slices,
# sampling after each; slice 1 is warm-up.  The check script, run after
# every slice (a procedure body in the global namespace), proves the
# phase does what it says: it returns "" or a description of what went
# wrong.
proc phase {name total body {check {}}} {
    set slice [expr {max(1, $total / 10)}]
    set samples {}
    set failed {}
    set t0 [clock milliseconds]
    for {set s 0} {$s < 10} {incr s} {
	for {set k 0} {$k < $slice} {incr k} {
	    uplevel #0 $body
	}
	if {$check ne "" && $failed eq ""} {
	    set failed [apply [list {} $check ::]]
	}
	lappend samples [sample]
    }
    set ms [expr {[clock milliseconds] - $t0}]
    lassign [lindex $samples 1] r1 f1 sr1 sf1 m1 t1
    lassign [lindex $samples end] r2 f2 sr2 sf2 m2 t2
    set rssList [lmap s $samples {lindex $s 0}]
    lappend ::rows [list $name [expr {$slice * 10}] $ms $r1 $r2 \
	[format %+.1f%% [expr {100.0 * ($r2 - $r1) / $r1}]] $sr1 $sr2 \
	[format %+.1f%% [expr {100.0 * ($sr2 - $sr1) / $sr1}]] \
	$f1/$f2 $sf1/$sf2 $m1/$m2 $t1/$t2 \
	[expr {$check eq "" ? "-" : $failed eq "" ? "ok" : "FAILED"}]]
    lappend ::samples $name $rssList
    if {$failed ne ""} {
	puts stderr "soak: $name: check failed: $failed"
    }
    puts stderr "soak: $name done ($ms ms)"
}

phase "sync calls" [n 1000000] {
    dbus call -dest org.tcltest.Soak -signature i /s org.tcltest.Soak Echo 1
} {
    set r [dbus call -dest org.tcltest.Soak -signature i /s org.tcltest.Soak \
	Echo 42]
    expr {$r == 42 ? "" : "Echo 42 gave $r"}
}
# signals reach the client through a match rule (dbus listen adds none)
set ::ticks 0
set ::sent 0
set tickRule {-type signal -path /s -interface org.tcltest.Soak -member Tick}
dbus filter add {*}$tickRule
dbus listen /s org.tcltest.Soak.Tick {apply {{info args} {incr ::ticks}}}
phase "signals (x1000)" [n 1000] {
    ask "emit 1000"
    incr ::sent 1000
    update
} {
    if {![::dbustest::waitFor {expr {$::ticks >= $::sent}} 600000]} {
	return "$::sent signals sent, $::ticks received"
    }
}
puts stderr "soak: $::ticks of $::sent signals received"
dbus listen /s org.tcltest.Soak.Tick {}
dbus filter remove {*}$tickRule
# connections at the daemon (the other bus: the one connected to and
# closed)
proc sysConns {} {
    set c [dbus connect $::env(DBUS_SYSTEM_BUS_ADDRESS)]
    set stats [busStats GetStats $c]
    dbus close $c
    expr {[dict exists $stats ActiveConnections]
	? [dict get $stats ActiveConnections] : -1}
}
set ::sysConns0 [sysConns]
phase "connect/close" [n 20000] {
    dbus close [dbus connect $::env(DBUS_SYSTEM_BUS_ADDRESS)]
} {
    set c [dbus connect $::env(DBUS_SYSTEM_BUS_ADDRESS)]
    set id [dbus call $c -dest org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus GetId]
    dbus close $c
    if {![::dbustest::waitFor {expr {[sysConns] <= $::sysConns0}} 30000]} {
	return "the system bus has [sysConns] connections, had $::sysConns0"
    }
    expr {$id eq "" ? "no bus id" : ""}
}
# a peer calls the object while it is defined and gets UnknownMethod (or
# UnknownObject) once it is deleted; introspection shows it and then not
phase "dbif define/delete" [n 20000] {
    dbif method -interface org.tcltest.X /soak/x M {a:s} {r:s} {return $a}
    dbif property -interface org.tcltest.X /soak/x P ::prop
    dbif delete -interface org.tcltest.X /soak
} {
    set me [dbus info name]
    # nothing left from the body's cycles
    set i0 [ask [list introspectHas $me /soak x]]
    dbif method -interface org.tcltest.X /soak/x M {a:s} {r:s} {return $a}
    dbif property -interface org.tcltest.X /soak/x P ::prop
    set r1 [ask [list callClient $me /soak/x]]
    set i1 [ask [list introspectHas $me /soak x]]
    dbif delete -interface org.tcltest.X /soak
    set r2 [ask [list callClient $me /soak/x]]
    set i2 [ask [list introspectHas $me /soak x]]
    if {$i0 != 0 || $r1 ne "ok hi" || $i1 != 1 || [lindex $r2 0] ne "err"
	    || $i2 != 0} {
	return "before: introspected $i0; defined: $r1, introspected $i1;\
	    deleted: $r2, introspected $i2"
    }
}
# the rule reaches the bus and leaves it again
set filterRule {-type signal -interface org.tcltest.F -member M}
phase "filter add/remove" [n 20000] {
    dbus filter add {*}$::filterRule
    dbus filter remove {*}$::filterRule
} {
    set m0 [rules]
    dbus filter add {*}$::filterRule
    set m1 [rules]
    dbus filter remove {*}$::filterRule
    set m2 [rules]
    if {$m1 != $m0 + 1 || $m2 != $m0} {
	return "bus match rules $m0 -> $m1 (added) -> $m2 (removed)"
    }
}
if {[llength [info commands ::dbus::subscribe]]} {
    phase "subscribe/unsubscribe" [n 20000] {
	dbus unsubscribe [dbus subscribe -interface org.tcltest.S {apply {args {}}}]
    } {
	set m0 [rules]
	set id [dbus subscribe -interface org.tcltest.S {apply {args {}}}]
	set m1 [rules]
	dbus unsubscribe $id
	set m2 [rules]
	if {$m1 != $m0 + 1 || $m2 != $m0} {
	    return "bus match rules $m0 -> $m1 (subscribed) -> $m2 (unsubscribed)"
	}
    }
}
if {[llength [info commands ::dbus::dbif::proxy]]} {
    phase "proxy create/destroy" [n 20000] {
	rename [dbif proxy -cache 0 org.tcltest.Soak /s] {}
    } {
	set p [dbif proxy -cache 0 org.tcltest.Soak /s]
	set r [$p Echo 7]
	rename $p {}
	expr {$r == 7 ? "" : "proxy Echo 7 gave $r"}
    }
}
# memory held after a 60 MB message is returned
set before [list [rss [pid]] [rss $spid]]
dbus call -dest org.tcltest.Soak -signature ay -timeout 120000 /raw \
    org.tcltest.Soak Size [string repeat x [expr {60 * 1024 * 1024}]]
after 500 {set ::settled 1}
vwait ::settled
set after [list [rss [pid]] [rss $spid]]

set fmt "%-22s %8s %7s %8s %8s %7s %8s %8s %7s %6s %6s %5s %7s %s"
puts [format $fmt phase count ms "rss0 kB" "rss kB" growth "srv0 kB" \
    "srv kB" growth fds srvfds rules tables check]
foreach row $rows {
    puts [format $fmt {*}$row]
}
puts "client RSS (kB) after each tenth of each phase:"
foreach {name rssList} $::samples {
    puts [format "  %-22s %s" $name $rssList]
}
puts "60 MB message: client RSS [lindex $before 0] -> [lindex $after 0] kB,\
    server [lindex $before 1] -> [lindex $after 1] kB"
catch {puts $server quit; flush $server}
catch {close $server}
::dbustest::stopBuses
exit 0
