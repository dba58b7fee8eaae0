# demo.tcl --
#
#	Runs the example service and client (examples/service.tcl and
#	examples/client.tcl) on a private dbus-daemon started for the
#	purpose and stopped afterwards.  Used by "make demo".

set dir [file dirname [file normalize [info script]]]
source [file join $dir private-bus.tcl]
puts "private bus: [::demo::startBus]"

set status 0
try {
    set service [open [list | [info nameofexecutable] \
	    [file join $dir service.tcl] 2>@stderr] r]
    if {[gets $service] ne "ready"} {
	error "the example service did not start"
    }
    puts "service started"
    exec [info nameofexecutable] [file join $dir client.tcl] >@stdout 2>@stderr
    close $service
} on error {msg} {
    puts stderr "demo failed: $msg"
    set status 1
} finally {
    ::demo::stopBus
}
exit $status
