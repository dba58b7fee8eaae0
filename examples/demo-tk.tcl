# demo-tk.tcl --
#
#	Runs the Tk media remote (examples/remote.tcl) beside two MPRIS
#	players written with dbif (examples/mpris-player.tcl): "tcldemo",
#	which answers at once, and "slowdemo", which takes three seconds
#	for every Play/Pause/Next, to show that the window stays responsive.
#	All on a private dbus-daemon started for the purpose, so the
#	players of your desktop do not show up.  Used by "make demo-tk".
#
#	    tclsh examples/demo-tk.tcl ?-seconds N?
#
#	-seconds N closes the window after N seconds (for unattended runs);
#	otherwise the demo ends when you close it.  Needs a display.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

set dir [file dirname [file normalize [info script]]]
set seconds 0
if {[llength $argv] == 2 && [lindex $argv 0] eq "-seconds"} {
    set seconds [lindex $argv 1]
} elseif {[llength $argv]} {
    puts stderr "usage: [file tail [info script]] ?-seconds N?"
    exit 2
}
if {(![info exists env(DISPLAY)] || $env(DISPLAY) eq "") &&
	(![info exists env(WAYLAND_DISPLAY)] || $env(WAYLAND_DISPLAY) eq "")} {
    puts stderr "make demo-tk needs a display (DISPLAY is not set): run it\
	    in a desktop session, or on a virtual one: xvfb-run -a make demo-tk"
    exit 1
}

source [file join $dir private-bus.tcl]
puts "private bus: [::demo::startBus]"

set tclsh [info nameofexecutable]
set players {}
set status 0
try {
    foreach {name options} {
	tcldemo {-identity "Tcl demo player"}
	slowdemo {-identity "Slow demo player" -delay 3000}
    } {
	set chan [open [list | $tclsh [file join $dir mpris-player.tcl] \
		-name $name {*}$options -stdin 1 2>@stderr] r+]
	lappend players $chan
	if {[gets $chan] ne "ready"} {
	    error "the example player $name did not start"
	}
	puts "player org.mpris.MediaPlayer2.$name started"
    }
    puts "the remote control runs until you close its window;\
	    try playerctl -l in another terminal with\
	    DBUS_SESSION_BUS_ADDRESS=$env(DBUS_SESSION_BUS_ADDRESS)"
    set script [file join $dir remote.tcl]
    if {$seconds > 0} {
	set script [file join $::demo::tmp remote-timed.tcl]
	set f [open $script w]
	puts $f [list source [file join $dir remote.tcl]]
	puts $f [list after [expr {$seconds * 1000}] {destroy .}]
	close $f
    }
    exec $tclsh $script >@stdout 2>@stderr
} on error {msg} {
    puts stderr "demo-tk failed: $msg"
    set status 1
} finally {
    foreach chan $players {
	# The players leave when their standard input closes.
	catch {close $chan}
    }
    ::demo::stopBus
}
exit $status
