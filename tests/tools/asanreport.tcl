# asanreport.tcl --
#
#	Judge the sanitizer logs of "make asan-test" (asanlogs/*).  Any
#	AddressSanitizer or UndefinedBehaviorSanitizer error fails.  A leak
#	fails when one of its allocation frames is ours (this extension's
#	sources or libraries); a leak with only frames of libtcl, libc and
#	tclsh is Tcl's own (tclsh 8.6 has no symbols for its internal
#	functions, so LeakSanitizer's name-based suppressions cannot single
#	them out) and is listed, not counted.  The allocator shim and
#	fast_unwind_on_malloc=0 make every ckalloc of ours show our frame.
#
#	    tclsh asanreport.tcl LOGDIR
#
#	Prints the verdict; exits 1 on failure.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

set dir [lindex $argv 0]
set ours {/generic/ /unix/ libtcldbus tcldbustest}
set bad 0
set tcl 0
foreach file [lsort [glob -nocomplain -directory $dir *]] {
    set f [open $file]
    set text [read $f]
    close $f
    if {[regexp {ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer)} $text]
	    || [regexp {runtime error:} $text]} {
	puts "== [file tail $file]: sanitizer error"
	puts $text
	incr bad
	continue
    }
    # Leak reports: blocks starting with "Direct leak" / "Indirect leak".
    set blocks [regexp -all -inline -lineanchor \
	{^(?:Direct|Indirect) leak[^\n]*\n(?:    #[^\n]*\n?)*} $text]
    foreach block $blocks {
	set mine 0
	foreach pattern $ours {
	    if {[string first $pattern $block] >= 0} {
		set mine 1
	    }
	}
	if {$mine} {
	    puts "== [file tail $file]: leak of ours"
	    puts $block
	    incr bad
	} else {
	    incr tcl
	}
    }
}
puts "asan-test: $bad problem(s) of ours, $tcl leak(s) inside Tcl itself\
	not counted"
exit [expr {$bad ? 1 : 0}]
