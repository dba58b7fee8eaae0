# private-bus.tcl --
#
#	Used by the demo scripts (demo.tcl, demo-tk.tcl): start a private
#	dbus-daemon standing in for the session bus, so that a demo never
#	touches the user's own, and stop it again.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

namespace eval ::demo {
    variable tmp ""
    variable daemon ""		;# pipe to the daemon
    variable daemonPid ""
}

# ::demo::startBus --
#
#	Start the daemon and point DBUS_SESSION_BUS_ADDRESS of this process
#	(and so of the programs it starts) at it.  Returns the address.

proc ::demo::startBus {} {
    variable tmp
    variable daemon
    variable daemonPid
    global env
    set tmp [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] \
	    tcldbus-demo-[pid]]
    file mkdir $tmp
    set conf [file join $tmp bus.conf]
    set f [open $conf w]
    puts $f "<busconfig><type>session</type><listen>unix:tmpdir=$tmp</listen>
<auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\"/>
<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>"
    close $f
    set daemon [open [list | dbus-daemon --config-file=$conf --nofork \
	    --print-address=1 --print-pid=1 2>/dev/null] r]
    set env(DBUS_SESSION_BUS_ADDRESS) [gets $daemon]
    set daemonPid [gets $daemon]
    return $env(DBUS_SESSION_BUS_ADDRESS)
}

# ::demo::stopBus --
#
#	Kill the daemon (by its pid) and remove its directory.

proc ::demo::stopBus {} {
    variable tmp
    variable daemon
    variable daemonPid
    if {$daemonPid ne ""} {
	catch {exec kill $daemonPid}
	catch {close $daemon}
    }
    if {$tmp ne ""} {
	file delete -force $tmp
    }
    set daemonPid ""
    set tmp ""
}
