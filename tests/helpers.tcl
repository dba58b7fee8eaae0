# helpers.tcl --
#
#	Shared test setup, sourced by every *.test file and by all.tcl:
#	loads the packages from the build directory and runs private
#	dbus-daemons, one standing in for the session bus and one for the
#	system bus.  Tests never touch the machine's real buses: the
#	environment is pointed at the private daemons before any connection
#	is made, and every daemon started here is killed by pid on exit,
#	even when the tclsh is killed (a watchdog holding a pipe to us).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require tcltest 2.5
namespace import -force ::tcltest::*

namespace eval ::dbustest {
    variable started {}		;# {pid watchdog-channel} we started
    variable keptToExit {}	;# {pid channel} of an Xvfb killed after we exit
    variable dir [file dirname [file normalize [info script]]]
    variable tmp ""
}

# ::dbustest::tmpDir --
#
#	This process's scratch directory (made on first use, removed by
#	stopBuses): daemon configs, peer scripts, daemon log.

proc ::dbustest::tmpDir {} {
    variable tmp
    if {$tmp eq ""} {
	set base [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
	set tmp [file join $base dbustest-[pid]-[clock milliseconds]]
	file mkdir $tmp
    }
    return $tmp
}

# ::dbustest::daemonConfig --
#
#	Write a bus configuration of the given type into the temp dir; the
#	daemon listens at listen (a D-Bus listen address), by default a
#	new socket in the temp dir.

proc ::dbustest::daemonConfig {type {listen ""}} {
    if {$listen eq ""} {
	set listen unix:tmpdir=[tmpDir]
    }
    set file [file join [tmpDir] $type.conf]
    set f [open $file w]
    puts $f [string map [list @TYPE@ $type @LISTEN@ $listen] {<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>@TYPE@</type>
  <listen>@LISTEN@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
    <allow user="*"/>
  </policy>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">134217728</limit>
  <limit name="max_replies_per_connection">50000</limit>
  <limit name="max_match_rules_per_connection">50000</limit>
</busconfig>}]
    close $f
    return $file
}

# ::dbustest::startDaemon --
#
#	Start one private dbus-daemon of the given type, listening at
#	listen (see daemonConfig).  Returns its address.  The pid is remembered for stopBuses; a watchdog shell
#	blocked on a pipe from this process kills the daemon if we die
#	without cleaning up.

proc ::dbustest::startDaemon {type {listen ""}} {
    variable started
    set conf [daemonConfig $type $listen]
    set fd [open [list | dbus-daemon --config-file=$conf --nofork \
	    --print-address=1 --print-pid=1 \
	    2>> [file join [tmpDir] daemon.log]] r]
    fconfigure $fd -buffering line
    set address [gets $fd]
    set pid [gets $fd]
    if {$address eq "" || ![string is integer -strict $pid]} {
	catch {close $fd}
	error "could not start dbus-daemon ($type)"
    }
    # Watchdog: reads its stdin (our pipe) until EOF, then kills the
    # daemon.  EOF comes when we exit, however we exit.
    set wd [open [list | sh -c "read x; kill $pid 2>/dev/null" 2>@stderr] w]
    lappend started [list $pid $wd $fd]
    return $address
}

# ::dbustest::startXvfb --
#
#	Start a virtual X display (Xvfb) for programs that need one (Tk,
#	dunst) and return its name, such as ":3".  Xvfb picks a free display
#	number itself (-displayfd).  Like the daemons, it is killed by
#	stopBuses or, if this process dies, by a watchdog.  With untilExit
#	true stopBuses leaves it alone and the watchdog kills it once this
#	process has gone: for a test file that loads Tk itself, whose exit
#	(with full finalization) still talks to the display.

proc ::dbustest::startXvfb {{untilExit 0}} {
    variable started
    variable keptToExit
    set fd [open [list | Xvfb -displayfd 1 -screen 0 1024x768x24 \
	    -nolisten tcp 2>> [file join [tmpDir] xvfb.log]] r]
    set number [gets $fd]
    set pid [lindex [pid $fd] 0]
    if {![string is integer -strict $number] || $number eq ""} {
	catch {exec kill $pid}
	catch {close $fd}
	error "could not start Xvfb"
    }
    if {$untilExit} {
	# The watchdog waits for this process itself: full finalization
	# closes the channels before Tk lets go of the display.
	exec sh -c "tail --pid=[pid] -f /dev/null; kill $pid 2>/dev/null" \
		</dev/null >/dev/null 2>@stderr &
	lappend keptToExit [list $pid $fd]
    } else {
	set wd [open [list | sh -c "read x; kill $pid 2>/dev/null" \
		2>@stderr] w]
	lappend started [list $pid $wd $fd]
    }
    return :$number
}

# ::dbustest::startBuses --
#
#	Make sure a private session and system bus exist for this process
#	and its children: reuse the ones a parent exported, else start them.

proc ::dbustest::startBuses {} {
    global env
    if {[info exists env(DBUS_TCL_TEST_SESSION)]} {
	set env(DBUS_SESSION_BUS_ADDRESS) $env(DBUS_TCL_TEST_SESSION)
	set env(DBUS_SYSTEM_BUS_ADDRESS) $env(DBUS_TCL_TEST_SYSTEM)
	return
    }
    if {[auto_execok dbus-daemon] eq ""} {
	# No daemon: tests that need one are skipped (constraint
	# dbusDaemon).  Point the environment nowhere real regardless.
	set env(DBUS_SESSION_BUS_ADDRESS) unix:path=/nonexistent/session
	set env(DBUS_SYSTEM_BUS_ADDRESS) unix:path=/nonexistent/system
	return
    }
    set env(DBUS_TCL_TEST_SESSION) [startDaemon session]
    set env(DBUS_TCL_TEST_SYSTEM) [startDaemon system]
    set env(DBUS_SESSION_BUS_ADDRESS) $env(DBUS_TCL_TEST_SESSION)
    set env(DBUS_SYSTEM_BUS_ADDRESS) $env(DBUS_TCL_TEST_SYSTEM)
    unset -nocomplain env(DBUS_STARTER_ADDRESS) env(DBUS_STARTER_BUS_TYPE)
}

# ::dbustest::stopBuses --
#
#	Kill exactly the daemons this process started, and wait for them.

proc ::dbustest::stopBuses {} {
    variable started
    variable tmp
    foreach entry $started {
	lassign $entry pid wd fd
	catch {exec kill $pid}
	catch {close $fd}
	catch {close $wd}
    }
    set started {}
    if {$tmp ne ""} {
	catch {file delete -force $tmp}
	set tmp ""
    }
    global env
    unset -nocomplain env(DBUS_TCL_TEST_SESSION) env(DBUS_TCL_TEST_SYSTEM)
}

# ::dbustest::daemonPids --
#
#	Pids of the daemons this process started (for leak checks).

proc ::dbustest::daemonPids {} {
    variable started
    lmap entry $started {lindex $entry 0}
}

# ::dbustest::tclsh --
#
#	Path of the tclsh running the tests, for peer processes.

proc ::dbustest::tclsh {} {
    if {[info exists ::env(DBUS_TCL_ASAN_WRAPPER)]} {
	return $::env(DBUS_TCL_ASAN_WRAPPER)
    }
    return [info nameofexecutable]
}

# Under "make asan-test" every tclsh is started by a wrapper that preloads
# the sanitizer runtime (and the allocator shim); it must not reach the
# other programs the tests run (python3, gdbus, dbus-daemon...), which are
# not built for it.
if {[info exists ::env(DBUS_TCL_ASAN_WRAPPER)]} {
    unset -nocomplain ::env(LD_PRELOAD)
}
testConstraint notAsan [expr {![info exists ::env(DBUS_TCL_ASAN_WRAPPER)]}]

# ::dbustest::spawnScript --
#
#	Write script to a file in the scratch directory and run it with
#	the command prefix cmd (plus args); returns a line-buffered r+ pipe
#	to its stdin/stdout.

proc ::dbustest::spawnScript {cmd ext script args} {
    set f [file join [tmpDir] peer-[incr ::dbustest::peerCount].$ext]
    set out [open $f w]
    puts $out $script
    close $out
    set chan [open [list | {*}$cmd $f {*}$args 2>@stderr] r+]
    fconfigure $chan -buffering line
    return $chan
}

# ::dbustest::peer --
#
#	Start a peer tclsh running script (with the packages on its path)
#	and return a channel to its stdin/stdout.  The peer prints lines
#	the test reads with ::dbustest::readLine.

proc ::dbustest::peer {script} {
    spawnScript [list [tclsh]] tcl $script
}

# Timeouts only matter when something is wrong: they are generous, so that
# a machine loaded by other work never fails a test that waits for an
# event (the suite shares small CI machines).

# ::dbustest::readLine --
#
#	Read one line from a peer with a timeout (ms); "" on timeout/EOF.

proc ::dbustest::readLine {chan {timeout 60000}} {
    set id [after $timeout [list set ::dbustest::line($chan) ""]]
    fileevent $chan readable [list apply {{chan} {
	if {[gets $chan l] >= 0} {
	    set ::dbustest::line($chan) $l
	} elseif {[eof $chan]} {
	    set ::dbustest::line($chan) ""
	}
    }} $chan]
    vwait ::dbustest::line($chan)
    after cancel $id
    fileevent $chan readable {}
    set l $::dbustest::line($chan)
    unset ::dbustest::line($chan)
    return $l
}

# ::dbustest::wait --
#
#	Enter the event loop for ms milliseconds, or until the variable
#	named varName (a global name, when given) is written: a write
#	trace on it ends the wait at once, so a wait for something that
#	does happen costs only the time it takes.  A variable that exists
#	already ends it before it starts (no event loop at all): unset it
#	before the event that sets it, or to wait for another write of an
#	existing variable, use a write trace and vwait of your own (as
#	desktop-tklink.test's until does).

proc ::dbustest::wait {ms {varName ""}} {
    set token [after $ms [list set ::dbustest::waited 1]]
    if {$varName ne ""} {
	set varName ::[string trimleft $varName :]
	set wake [list apply {args {set ::dbustest::waited 1}}]
	trace add variable $varName write $wake
    }
    if {$varName eq "" || ![info exists $varName]} {
	vwait ::dbustest::waited
    }
    if {$varName ne ""} {
	catch {trace remove variable $varName write $wake}
    }
    after cancel $token
    unset -nocomplain ::dbustest::waited
}

# ::dbustest::waitFor --
#
#	Run the event loop until script returns true, or ms elapse.
#	Returns the final value of script.

proc ::dbustest::waitFor {script {ms 60000}} {
    set deadline [expr {[clock milliseconds] + $ms}]
    while {![uplevel 1 $script]} {
	if {[clock milliseconds] > $deadline} {
	    return 0
	}
	after 5 [list set ::dbustest::tick 1]
	vwait ::dbustest::tick
    }
    return 1
}

# Constraints.
testConstraint dbusDaemon [expr {[auto_execok dbus-daemon] ne ""}]
testConstraint dbusSend [expr {[auto_execok dbus-send] ne ""}]
testConstraint gdbus [expr {[auto_execok gdbus] ne ""}]
testConstraint busctl [expr {[auto_execok busctl] ne ""}]
testConstraint pythonDbus [expr {[file executable /usr/bin/python3] &&
	![catch {exec /usr/bin/python3 -c "import dbus" 2>@1}]}]
testConstraint xvfb [expr {[auto_execok Xvfb] ne ""}]
testConstraint memory [llength [info commands memory]]
testConstraint notValgrind [expr {![info exists ::env(DBUS_TCL_VALGRIND)]}]

# Daemons a test file starts itself (beyond the exported buses) are
# stopped and reaped when the file calls cleanupTests, so none outlives
# the run (the watchdog alone would kill them only after the process
# has gone, asynchronously).
if {[info commands ::tcltest::dbustestFileCleanup] eq ""} {
    rename ::tcltest::cleanupTests ::tcltest::dbustestFileCleanup
    proc ::tcltest::cleanupTests {args} {
	try {
	    uplevel 1 [list ::tcltest::dbustestFileCleanup {*}$args]
	} finally {
	    ::dbustest::stopBuses
	}
    }
    # An imported command keeps pointing at the renamed original.
    namespace import -force ::tcltest::cleanupTests
}

# Private buses: started here unless a parent (all.tcl) exported them.
# A standalone "tclsh tests/x.test" gets its own, killed by the
# watchdog when that tclsh exits.
::dbustest::startBuses

# A test file that sets ::dbustest::testlib before sourcing this file
# gets the extension from tcldbustest.so: the same code plus the
# test-only commands of generic/dbusTest.c (dbustest::*).
if {[info exists ::dbustest::testlib] && [info commands ::dbus] eq ""} {
    load [file join $::env(DBUS_TCL_BUILDDIR) \
	    tcldbustest[info sharedlibextension]] Dbustest
}
package require dbus
