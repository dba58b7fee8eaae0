# all.tcl --
#
#	Runs every tests/*.test file, each in its own tclsh, against private
#	dbus-daemons that this script starts (tests/helpers.tcl) and stops.
#	Exits non-zero when any test fails or any test file dies.  Ends with
#	the line "N passed, N failed, N skipped".
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require tcltest 2.5
namespace import ::tcltest::*

source [file join [file dirname [file normalize [info script]]] helpers.tcl]

configure -testdir [file dirname [file normalize [info script]]] \
    {*}$argv
if {[info exists ::env(DBUS_TCL_VALGRIND)]} {
    # Child tclsh processes are traced by valgrind; keep them in order.
    configure -singleproc 0
}
if {[info exists ::env(DBUS_TCL_ASAN_WRAPPER)]} {
    # make asan-test: each test file runs in a tclsh with the sanitizer
    # runtime preloaded.
    interpreter $::env(DBUS_TCL_ASAN_WRAPPER)
}

# Private buses for the whole run; the child processes inherit the
# addresses through the environment.
::dbustest::startBuses

# runAllTests ends with cleanupTests, which prints and then resets the
# counters: keep a copy for the closing line.
rename ::tcltest::cleanupTests ::tcltest::dbustestOrigCleanupTests
proc ::tcltest::cleanupTests {args} {
    array set ::dbustest::totals [array get ::tcltest::numTests]
    uplevel 1 [list ::tcltest::dbustestOrigCleanupTests {*}$args]
}

set code [catch {runAllTests} failed]
::dbustest::stopBuses

if {$code} {
    puts stderr "runAllTests: $failed"
    set failed 1
}
set nFailed $::dbustest::totals(Failed)
if {$failed && $nFailed == 0} {
    # A test file died (crash, leak report, error outside a test).
    set nFailed 1
}
puts "$::dbustest::totals(Passed) passed, $nFailed failed,\
	$::dbustest::totals(Skipped) skipped"
exit [expr {$failed ? 1 : 0}]
