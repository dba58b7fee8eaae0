# tclpeer.tcl --
#
#	The Tcl side of the peer-to-peer rows of the benchmarks (see
#	run.tcl and cpeer.c): the same server and client as cpeer, written
#	as an ordinary script would with "dbus server" and "dbus connect
#	-peer".
#
#	Usage:	tclsh tclpeer.tcl server ADDRESS
#			listen; print "ready <address>"; every accepted
#			connection serves Echo(s)->s (a plain "dbus
#			method", the result is the string reply) and Quit
#		tclsh tclpeer.tcl client-echo N ADDRESS
#			N synchronous Echo calls -> calls/s
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbus

namespace eval tclpeer {
    variable path /org/tcldbus/Bench
    variable iface org.tcldbus.Bench
    variable text "Hello, D-Bus benchmark!"
    variable quit 0
}

proc tclpeer::Echo {info text} {
    return $text
}

proc tclpeer::Quit {info} {
    after 200 [list set [namespace current]::quit 1]
    return ""
}

proc tclpeer::Accept {server h} {
    variable path
    variable iface
    set ns [namespace current]
    dbus method $h $path $iface.Echo ${ns}::Echo
    dbus method $h $path $iface.Quit ${ns}::Quit
    dbus listen $h [dbus info local] org.freedesktop.DBus.Local.Disconnected \
	    [list apply {{h info} {dbus close $h}} $h]
}

proc tclpeer::server {address} {
    set server [dbus server -accept [namespace current]::Accept $address]
    puts "ready [dbus info $server address]"
    flush stdout
    vwait [namespace current]::quit
    dbus close $server
}

proc tclpeer::echo {n address} {
    variable path
    variable iface
    variable text
    set h [dbus connect -peer $address]
    for {set i 0} {$i < 200} {incr i} {
	dbus call $h $path $iface Echo $text
    }
    set t0 [clock microseconds]
    for {set i 0} {$i < $n} {incr i} {
	if {[dbus call $h $path $iface Echo $text] ne $text} {
	    error "bad Echo reply"
	}
    }
    set t1 [clock microseconds]
    dbus close $h
    return [format "%.1f calls/s" [expr {$n * 1e6 / ($t1 - $t0)}]]
}

if {[catch {
    switch -- [lindex $argv 0],[llength $argv] {
	server,2 {tclpeer::server [lindex $argv 1]}
	client-echo,3 {puts [tclpeer::echo {*}[lrange $argv 1 2]]}
	default {error "usage: tclpeer.tcl server ADDRESS |\
		client-echo N ADDRESS"}
    }
} msg]} {
    puts stderr "tclpeer: $msg"
    exit 1
}
exit 0
