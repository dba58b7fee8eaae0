# tclserver.tcl --
#
#	The Tcl server side of the benchmarks (see run.tcl): owns
#	org.tcldbus.TclBench and serves the same interface as "cbench
#	server": Echo(s)->s with a plain "dbus method" (the script result is
#	the string reply), Sum(ai)->x and DictSum(a{sv})->x with "dbus method
#	-async" and a typed "dbus return", and Quit().
#
#	Usage:	tclsh tclserver.tcl ?ADDRESS?
#
#	With ADDRESS a second connection is opened to that bus and the
#	same object registered there too (the idle measurement wants a
#	server holding two connections).  Prints "ready" once the name is
#	owned, then waits in the event loop until Quit.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbus

namespace eval tclserver {
    variable path /org/tcldbus/Bench
    variable iface org.tcldbus.Bench
    variable name org.tcldbus.TclBench
    variable quit 0
}

proc tclserver::Echo {info text} {
    return $text
}

proc tclserver::Sum {bus info values} {
    set sum 0
    foreach value $values {
	incr sum $value
    }
    dbus return $bus -signature x [dict get $info sender] \
	    [dict get $info serial] $sum
}

proc tclserver::DictSum {bus info dict} {
    set sum 0
    dict for {key value} $dict {
	incr sum $value
    }
    dbus return $bus -signature x [dict get $info sender] \
	    [dict get $info serial] $sum
}

proc tclserver::Quit {info} {
    variable quit
    # Let the automatic (empty string) reply go out before leaving.
    after 200 [list set [namespace current]::quit 1]
    return ""
}

# tclserver::serve --
#
#	Register the benchmark object on one connection.

proc tclserver::serve {bus} {
    variable path
    variable iface
    set ns [namespace current]
    dbus method $bus $path $iface.Echo ${ns}::Echo
    dbus method $bus -async $path $iface.Sum [list ${ns}::Sum $bus]
    dbus method $bus -async $path $iface.DictSum [list ${ns}::DictSum $bus]
    dbus method $bus $path $iface.Quit ${ns}::Quit
}

proc tclserver::main {argv} {
    variable name
    variable quit
    set bus [dbus connect]
    serve $bus
    dbus name $bus $name
    if {[llength $argv] == 1} {
	serve [dbus connect [lindex $argv 0]]
    }
    puts ready
    flush stdout
    vwait [namespace current]::quit
    dbus close $bus
}

if {[catch {tclserver::main $argv} msg]} {
    puts stderr "tclserver: $msg"
    exit 1
}
exit 0
