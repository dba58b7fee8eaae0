# desktop.tcl --
#
#	Shared by the desktop-*.test files, which check the packages against
#	real desktop programs (playerctl, dunst, qdbus, Tk, Python's
#	Tkinter) on the private test bus, with Xvfb as the display where one
#	is needed.  Sourced after helpers.tcl.
#
#	A program that is not installed makes its tests skip, and the file
#	says so on stdout with the package that provides it, so a skip is
#	never silent ("sh unix/deps.sh --test" installs them all).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

namespace eval ::dbustest {
    variable examples [file join [file dirname $dir] examples]
}

# ::dbustest::needProgram --
#
#	Define constraint name: true when program is on PATH.  When it is
#	not, print why the tests that need it are skipped.

proc ::dbustest::needProgram {name program package} {
    set ok [expr {[auto_execok $program] ne ""}]
    testConstraint $name $ok
    if {!$ok} {
	puts "[file tail [info script]]: $program is not installed, tests\
		needing it are skipped (package $package; sh unix/deps.sh\
		--test installs it)"
    }
    return $ok
}

# ::dbustest::mprisPlayer --
#
#	Start examples/mpris-player.tcl on the session stand-in with the
#	given options; returns its pipe (its stdin takes the commands
#	state, act A, volume V and quit; see the example).

proc ::dbustest::mprisPlayer {args} {
    variable examples
    set chan [open [list | [tclsh] [file join $examples mpris-player.tcl] \
	    -stdin 1 {*}$args 2>@stderr] r+]
    fconfigure $chan -buffering line
    if {[readLine $chan 60000] ne "ready"} {
	catch {close $chan}
	error "the MPRIS example player did not start"
    }
    return $chan
}

# ::dbustest::ask --
#
#	Send one command line to a peer's stdin and return its answer line.

proc ::dbustest::ask {chan command {timeout 60000}} {
    puts $chan $command
    flush $chan
    return [readLine $chan $timeout]
}

# ::dbustest::stopProcess --
#
#	Close a pipe to a process we started, killing it first (by its pid).

proc ::dbustest::stopProcess {chan} {
    foreach pid [pid $chan] {
	catch {exec kill $pid}
    }
    catch {close $chan}
}

# ::dbustest::tkRemote --
#
#	Start examples/remote.tcl in a tclsh of its own on the display named
#	by env(DISPLAY), with an "after" ticker (::ticks) and a record of
#	background errors (::bgerrors); guiEval runs scripts in it.  Returns
#	the pipe once the window is up.

proc ::dbustest::tkRemote {} {
    variable examples
    set chan [peer [string map [list @EXAMPLES@ [list $examples]] {
    package require Tk
    set ::bgerrors {}
    interp bgerror {} [list apply {{msg opts} {lappend ::bgerrors $msg}}]
    source [file join @EXAMPLES@ remote.tcl]
    set ::ticks 0
    proc tick {} {
	incr ::ticks
	after 20 tick
    }
    tick
    # A script comes as lines ending with a line "%%end%%" (see guiEval).
    set ::script ""
    fileevent stdin readable {
	if {[gets stdin line] < 0} {exit 0}
	if {$line ne "%%end%%"} {
	    append ::script $line \n
	} else {
	    if {[catch {uplevel #0 $::script} r]} {set r "error: $r"}
	    set ::script ""
	    puts [list $r]
	}
    }
    update
    puts ready
}]]
    if {[readLine $chan 60000] ne "ready"} {
	catch {close $chan}
	error "the Tk remote did not start"
    }
    return $chan
}

# ::dbustest::guiEval --
#
#	Run script (any number of lines) in the Tk remote started by
#	tkRemote; returns its result (or "error: message").

proc ::dbustest::guiEval {chan script} {
    puts $chan $script
    puts $chan %%end%%
    flush $chan
    lindex [readLine $chan 60000] 0
}
