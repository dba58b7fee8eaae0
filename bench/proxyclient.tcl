# proxyclient.tcl --
#
#	The Tcl client of the proxy benchmark rows (issue 10).  Usage:
#
#	    tclsh proxyclient.tcl mode N
#
#	modes (each prints "<figure> <unit>" on its last line):
#	    call	N sync "$p Echo" calls through a proxy of the C
#			server (cbench, org.tcldbus.Bench) and N "dbus call
#			-signature s" of the same, in alternating blocks:
#			"<proxy> us/call (proxy) <dbus call> us/call ..."
#	    get		N cached "$p get p7" of a proxy of ProxyBench's
#			/org/tcldbus/Big: us/get
#	    create	N proxies of /org/tcldbus/Big made and destroyed in
#			turn (each introspects and runs GetAll): ms/proxy
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbif

lassign $argv mode n
dbif connect
set text "Hello, D-Bus benchmark!"
switch -- $mode {
    call {
	# Both kinds in alternating blocks, so that a loaded machine
	# slows both alike; prints proxy and dbus call figures.
	set p [dbif proxy org.tcldbus.Bench /org/tcldbus/Bench]
	for {set i 0} {$i < 200} {incr i} {
	    $p Echo $text
	    dbus call -dest org.tcldbus.Bench -signature s \
		    /org/tcldbus/Bench org.tcldbus.Bench Echo $text
	}
	set tp 0
	set ts 0
	set block [expr {max(1, $n / 20)}]
	for {set b 0} {$b < 20} {incr b} {
	    set t0 [clock microseconds]
	    for {set i 0} {$i < $block} {incr i} {
		dbus call -dest org.tcldbus.Bench -signature s \
			/org/tcldbus/Bench org.tcldbus.Bench Echo $text
	    }
	    set t1 [clock microseconds]
	    for {set i 0} {$i < $block} {incr i} {
		$p Echo $text
	    }
	    incr ts [expr {$t1 - $t0}]
	    incr tp [expr {[clock microseconds] - $t1}]
	}
	set calls [expr {20 * $block}]
	puts [format "%.3f us/call (proxy) %.3f us/call (dbus call)" \
		[expr {double($tp) / $calls}] [expr {double($ts) / $calls}]]
    }
    get {
	set p [dbif proxy org.tcldbus.ProxyBench /org/tcldbus/Big]
	if {[$p get p7] != 7} {
	    error "wrong value [$p get p7]"
	}
	set t0 [clock microseconds]
	for {set i 0} {$i < $n} {incr i} {
	    $p get p7
	}
	set us [expr {double([clock microseconds] - $t0) / $n}]
	puts [format "%.3f us/get" $us]
    }
    create {
	set p [dbif proxy org.tcldbus.ProxyBench /org/tcldbus/Big]
	$p destroy
	set t0 [clock microseconds]
	for {set i 0} {$i < $n} {incr i} {
	    set p [dbif proxy org.tcldbus.ProxyBench /org/tcldbus/Big]
	    $p destroy
	}
	set ms [expr {double([clock microseconds] - $t0) / $n / 1000.0}]
	puts [format "%.3f ms/proxy" $ms]
    }
    default {
	error "unknown mode $mode"
    }
}
