# peers.tcl --
#
#	Echo services in separate processes, shared by the test files that
#	need a real peer at the other end of the bus (dbus-marshal.test,
#	dbus-interop.test, dbus-call.test): a Tcl one built on this package
#	and a python3-dbus one that no one here wrote.  Sourced after
#	helpers.tcl.
#
#	The Tcl echo peer owns org.tcltest.TclEcho and serves, on any path,
#	interface org.tcltest.Echo:
#	    Echo ...	replies with the same signature and values (typed,
#			variants kept as {sig value} through -details)
#	    Slow ms ...	replies like Echo after ms milliseconds
#	    Never	never replies
#	    Fail msg	replies with error org.tcltest.Error.Failed msg
#	    ReadFd h	reads one line from the received fd and returns it
#	    Info	returns its own message info dict
#	    Eval x	returns the string x (remote arguments are data)
#
#	The python echo peer owns org.tcltest.PyEcho and answers
#	org.tcltest.Echo.Echo the same way.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

namespace eval ::dbustest {}

# ::dbustest::tclEchoPeer --
#
#	Start the Tcl echo peer on the bus at address (default: the
#	session stand-in).  Returns the peer's pipe after it said "ready".

proc ::dbustest::tclEchoPeer {{address ""} {name org.tcltest.TclEcho}} {
    set chan [peer [string map [list @ADDR@ [list $address] @NAME@ $name] {
	package require dbus
	set addr @ADDR@
	set bus [expr {$addr eq "" ? [dbus connect] : [dbus connect $addr]}]
	dbus name $bus @NAME@
	proc reply {bus info args} {
	    dbus return $bus -signature [dict get $info signature] \
		[dict get $info sender] [dict get $info serial] {*}$args
	}
	dbus method $bus -async -details "" org.tcltest.Echo.Echo \
	    [list reply $bus]
	dbus method $bus -async -details "" org.tcltest.Echo.Slow \
	    [list apply {{bus info ms args} {
		after $ms [list dbus return $bus \
		    -signature [string range [dict get $info signature] 1 end] \
		    [dict get $info sender] [dict get $info serial] {*}$args]
	    }} $bus]
	dbus method $bus -async "" org.tcltest.Echo.Never {apply {{info} {}}}
	dbus method $bus -async "" org.tcltest.Echo.Fail [list apply {{bus info msg} {
	    dbus error $bus -name org.tcltest.Error.Failed \
		[dict get $info sender] [dict get $info serial] $msg
	}} $bus]
	dbus method $bus "" org.tcltest.Echo.ReadFd {apply {{info fd} {
	    set line [gets $fd]
	    close $fd
	    return $line
	}}}
	dbus method $bus "" org.tcltest.Echo.Info {apply {{info args} {
	    return $info
	}}}
	dbus method $bus "" org.tcltest.Echo.Eval {apply {{info x} {
	    return $x
	}}}
	fileevent stdin readable {
	    if {[gets stdin line] < 0} {exit 0}
	    if {$line eq "quit"} {exit 0}
	    catch {uplevel #0 $line} r
	    puts [list $r]
	}
	puts ready
	vwait forever
    }]]
    if {[readLine $chan] ne "ready"} {
	catch {close $chan}
	error "Tcl echo peer did not start"
    }
    return $chan
}

# ::dbustest::stopPeer --
#
#	Tell a peer to quit and close its pipe.

proc ::dbustest::stopPeer {chan} {
    catch {puts $chan quit; flush $chan}
    catch {close $chan}
}

# ::dbustest::python --
#
#	Start a python3 script (text) with the given arguments; returns a
#	pipe.  The script should print "ready" once it serves, and exit
#	when its stdin closes.

proc ::dbustest::python {script args} {
    spawnScript {/usr/bin/python3 -u} py $script {*}$args
}

# The python echo service: answers every call of interface
# org.tcltest.Echo, member Echo, with its own arguments and signature.

set ::dbustest::pyEchoScript {
import sys, os, threading
import dbus, dbus.lowlevel, dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
bus.request_name(sys.argv[2])

def filt(conn, msg):
    if (isinstance(msg, dbus.lowlevel.MethodCallMessage)
            and msg.get_interface() == "org.tcltest.Echo"
            and msg.get_member() == "Echo"):
        reply = dbus.lowlevel.MethodReturnMessage(msg)
        sig = msg.get_signature()
        if sig:
            reply.append(signature=sig, *msg.get_args_list())
        conn.send_message(reply)
        return dbus.lowlevel.HANDLER_RESULT_HANDLED
    return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED

bus.add_message_filter(filt)

def watch():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
print("ready", flush=True)
GLib.MainLoop().run()
}

# ::dbustest::pyEchoPeer --
#
#	Start the python echo service; returns its pipe once ready.

proc ::dbustest::pyEchoPeer {{address ""} {name org.tcltest.PyEcho}} {
    if {$address eq ""} {
	set address $::env(DBUS_SESSION_BUS_ADDRESS)
    }
    set chan [python $::dbustest::pyEchoScript $address $name]
    if {[readLine $chan 20000] ne "ready"} {
	catch {close $chan}
	error "python echo peer did not start"
    }
    return $chan
}

testConstraint pythonGi [expr {[testConstraint pythonDbus] && ![catch {
    exec /usr/bin/python3 -c "from gi.repository import GLib" 2>@1}]}]
