# tclclient.tcl --
#
#	The Tcl client side of the benchmarks (see run.tcl): the same
#	workloads as the client modes of cbench.c, written as an ordinary
#	script would write them with the dbus package.
#
#	Usage:	tclsh tclclient.tcl ?-dest NAME? mode ?arg ...?
#
#	    client-echo N		N synchronous Echo calls -> calls/s
#	    client-async N INFLIGHT	N Echo calls with -handler, INFLIGHT
#					outstanding -> calls/s
#	    client-sum N SIZE		Sum(ai) with a SIZE-element list
#					-> ms/call
#	    client-dictsum N SIZE	DictSum(a{sv}) with a SIZE-entry dict
#					of plain integers (variant guess: i)
#					-> ms/call
#	    client-dictsum-explicit N SIZE
#					the same with explicit {i value}
#					variants -> ms/call
#
#	The mode names are those of cbench, so run.tcl can give both
#	programs the same arguments.
#
#	Prints one line "<figure> <unit>" on stdout, like cbench; errors go
#	to stderr with a non-zero exit status.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbus

namespace eval tclclient {
    variable dest org.tcldbus.Bench
    variable path /org/tcldbus/Bench
    variable iface org.tcldbus.Bench
    variable text "Hello, D-Bus benchmark!"
    variable warmup 200
}

# tclclient::warm --
#
#	Untimed synchronous Echo calls (first-use costs out of the way).

proc tclclient::warm {} {
    variable dest
    variable path
    variable iface
    variable text
    variable warmup
    for {set i 0} {$i < $warmup} {incr i} {
	dbus call -dest $dest $path $iface Echo $text
    }
}

# tclclient::echo --
#
#	Mode "client-echo N".

proc tclclient::echo {n} {
    variable dest
    variable path
    variable iface
    variable text
    warm
    set t0 [clock microseconds]
    for {set i 0} {$i < $n} {incr i} {
	if {[dbus call -dest $dest $path $iface Echo $text] ne $text} {
	    error "bad Echo reply"
	}
    }
    set t1 [clock microseconds]
    return [format "%.1f calls/s" [expr {$n * 1e6 / ($t1 - $t0)}]]
}

# tclclient::async --
#
#	Mode "client-async N INFLIGHT": each reply handler sends the next
#	call.  The handler is kept lean (a constant handler script, one
#	proc) so that the figure is the binding's, not the script's.

proc tclclient::async {n inflight} {
    variable dest
    variable path
    variable iface
    variable text
    variable sent 0
    variable done 0
    variable total $n
    variable finished
    warm
    set t0 [clock microseconds]
    while {$sent < $inflight && $sent < $n} {
	incr sent
	dbus call -dest $dest -handler ::tclclient::AsyncReply \
		$path $iface Echo $text
    }
    vwait [namespace current]::finished
    set t1 [clock microseconds]
    if {$finished ne "ok"} {
	error $finished
    }
    return [format "%.1f calls/s" [expr {$n * 1e6 / ($t1 - $t0)}]]
}

proc tclclient::AsyncReply {info args} {
    variable sent
    variable done
    variable total
    if {[dict get $info messagetype] ne "method_return"} {
	variable finished "error reply: [dict get $info errorname] $args"
	return
    }
    if {[incr done] >= $total} {
	variable finished ok
    } elseif {$sent < $total} {
	variable dest
	variable path
	variable iface
	variable text
	incr sent
	dbus call -dest $dest -handler ::tclclient::AsyncReply \
		$path $iface Echo $text
    }
}

# tclclient::timedCalls --
#
#	One untimed and n timed calls of method with the given signature and
#	argument; every reply must equal expected.  Returns ms per call.

proc tclclient::timedCalls {n method signature arg expected} {
    variable dest
    variable path
    variable iface
    if {[dbus call -dest $dest -signature $signature $path $iface $method \
	    $arg] != $expected} {
	error "wrong $method result"
    }
    set t0 [clock microseconds]
    for {set i 0} {$i < $n} {incr i} {
	if {[dbus call -dest $dest -signature $signature $path $iface \
		$method $arg] != $expected} {
	    error "wrong $method result"
	}
    }
    set t1 [clock microseconds]
    return [format "%.3f ms/call" [expr {($t1 - $t0) / 1e3 / $n}]]
}

# tclclient::sum --
#
#	Mode "client-sum N SIZE": the list is built once (values
#	i%1000-500, pure integers) and sent with -signature ai on every
#	call.

proc tclclient::sum {n size} {
    set values {}
    set expected 0
    for {set i 0} {$i < $size} {incr i} {
	set v [expr {$i % 1000 - 500}]
	lappend values $v
	incr expected $v
    }
    timedCalls $n Sum ai $values $expected
}

# tclclient::dictsum --
#
#	Mode "client-dictsum N SIZE" (plain integer values) and
#	"client-dictsum-explicit N SIZE" ({i value} variants).

proc tclclient::dictsum {n size {explicit 0}} {
    set d [dict create]
    set expected 0
    for {set i 0} {$i < $size} {incr i} {
	set v [expr {$i % 100}]
	if {$explicit} {
	    dict set d k$i [list i $v]
	} else {
	    dict set d k$i $v
	}
	incr expected $v
    }
    timedCalls $n DictSum a{sv} $d $expected
}

proc tclclient::main {argv} {
    variable dest
    if {[lindex $argv 0] eq "-dest"} {
	set dest [lindex $argv 1]
	set argv [lrange $argv 2 end]
    }
    set argv [lassign $argv mode]
    dbus connect
    switch -- $mode,[llength $argv] {
	client-echo,1 {set result [echo {*}$argv]}
	client-async,2 {set result [async {*}$argv]}
	client-sum,2 {set result [sum {*}$argv]}
	client-dictsum,2 {set result [dictsum {*}$argv]}
	client-dictsum-explicit,2 {set result [dictsum {*}$argv 1]}
	default {
	    error "usage: tclclient.tcl ?-dest NAME? client-echo N |\
		    client-async N INFLIGHT | client-sum N SIZE |\
		    client-dictsum N SIZE | client-dictsum-explicit N SIZE"
	}
    }
    puts $result
    dbus close
}

if {[catch {tclclient::main $argv} msg]} {
    puts stderr "tclclient: $msg"
    exit 1
}
exit 0
