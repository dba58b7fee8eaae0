# demo.tcl --
#
#	Runs the example service and client (examples/service.tcl and
#	examples/client.tcl) on a private dbus-daemon started for the
#	purpose and stopped afterwards.  Used by "make demo".

set dir [file dirname [file normalize [info script]]]
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
puts "private bus: $env(DBUS_SESSION_BUS_ADDRESS)"

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
    catch {exec kill $daemonPid}
    catch {close $daemon}
    file delete -force $tmp
}
exit $status
