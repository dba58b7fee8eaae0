# own.tcl --
#
#	The own-server rows of the benchmarks (issue 12), sourced by run.tcl:
#	each language's client calls its own server, as users deploy them.
#	Tcl client -> Tcl server (tclclient.tcl -> tclserver.tcl, tclemit.tcl
#	-> tclsub.tcl) against C client -> C server (cbench), on the same
#	private bus in the same run, plus the Tcl client -> C server Sum.
#	For the large-message rows the context switches per call of the
#	client (GNU time: voluntary + involuntary, all threads, the whole
#	run) and of the server (/proc/PID/task/*/status, before and after)
#	are reported, the median of the repetitions.
#
#	Selected with -only own (or the single keys own-sum own-dictsum
#	own-async own-signals own-csum).
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

# Rows: key, unit, goal operator and bound, label, switches reported?

set bench::ownWorkloads {
    own-sum	ms/call		<= 4	"Sum(ai[1M]), own server (Tcl sums)"	1
    own-dictsum	ms/call		<= 1.4	"DictSum(a{sv}[10k]), own server"	1
    own-async	calls/s		>= 0.90	"async Echo, 100 in flight, own server" 0
    own-signals	signals/s	>= 0.90	"signals end to end, own emitter"	0
    own-csum	ms/call		<= 1.3	"Sum(ai[1M]), Tcl client -> C server"	1
}

# bench::ownWanted --
#
#	Is the own-server row key selected (-only own selects them all)?

proc bench::ownWanted {key} {
    variable opt
    expr {[tclWanted] && (![llength $opt(only)] || "own" in $opt(only)
	    || $key in $opt(only))}
}

# bench::ownClient --
#
#	Run a client to completion under GNU time; record the figure as a
#	sample of key/side and the context switches per call (client and
#	server, whose pid is serverPid) in the "key,side,sw" samples.

proc bench::ownClient {key side cmd calls serverPid} {
    variable samples
    variable pin
    variable tmp
    record $key $side {
	set swFile [file join $tmp own-time.txt]
	lassign [procCounters $serverPid] - s0
	set out [exec timeout 600 {*}$pin /usr/bin/time -o $swFile \
		-f "%w %c" {*}$cmd 2>@stderr]
	lassign [procCounters $serverPid] - s1
	set f [open $swFile]
	set counts [lindex [split [string trim [read $f]] \n] end]
	close $f
	lappend samples($key,$side,sw) [list \
		[expr {([lindex $counts 0] + [lindex $counts 1])
		    / double($calls)}] \
		[expr {($s1 - $s0) / double($calls)}]]
	parseFigure $out
    }
}

# bench::ownSignals --
#
#	One end-to-end signal sample: subscriber of one side, emitter of
#	the same side.  Returns the subscriber's rate.

proc bench::ownSignals {side n} {
    variable cbench
    variable tclsh
    variable dir
    if {$side eq "c"} {
	set sub [list $cbench subscribe]
	set emit [list $cbench emit $n]
    } else {
	set sub [list $tclsh [file join $dir tclsub.tcl]]
	set emit [list $tclsh [file join $dir tclemit.tcl] $n]
    }
    signalRun $sub $emit $n $side
}

# bench::ownMeasure --
#
#	The own-server samples, repetition by repetition, C then Tcl.

proc bench::ownMeasure {} {
    variable opt
    variable sizes
    variable servers
    variable tclsh
    variable dir
    variable cbench
    variable failed

    set keys {own-sum own-dictsum own-async own-signals own-csum}
    if {[llength [lmap k $keys {if {[ownWanted $k]} {set k} continue}]]
	    == 0} {
	return
    }
    if {[auto_execok /usr/bin/time] eq ""} {
	lappend failed "own: /usr/bin/time (GNU time) is not installed"
	return
    }
    serverUp c
    serverUp tcl
    set tclc [list $tclsh [file join $dir tclclient.tcl]]
    set tclt [concat $tclc [list -dest org.tcldbus.TclBench]]
    try {
	for {set r 1} {$r <= $opt(repeat)} {incr r} {
	    note "own-server repetition $r of $opt(repeat)"
	    set cPid [lindex [pid [lindex [dict get $servers c] 0]] end]
	    set tPid [lindex [pid [lindex [dict get $servers tcl] 0]] end]
	    set n [expr {$sizes(sum) + 1}]
	    if {[ownWanted own-sum] || [ownWanted own-csum]} {
		ownClient own-sum c [list $cbench client-sum $sizes(sum) \
			$sizes(sumsize)] $n $cPid
	    }
	    if {[ownWanted own-sum]} {
		ownClient own-sum tcl [concat $tclt [list client-sum \
			$sizes(sum) $sizes(sumsize)]] $n $tPid
	    }
	    if {[ownWanted own-csum]} {
		ownClient own-csum tcl [concat $tclc [list client-sum \
			$sizes(sum) $sizes(sumsize)]] $n $cPid
	    }
	    set n [expr {$sizes(dictsum) + 1}]
	    if {[ownWanted own-dictsum]} {
		ownClient own-dictsum c [list $cbench client-dictsum \
			$sizes(dictsum) $sizes(dictsize)] $n $cPid
		ownClient own-dictsum tcl [concat $tclt [list client-dictsum \
			$sizes(dictsum) $sizes(dictsize)]] $n $tPid
	    }
	    if {[ownWanted own-async]} {
		record own-async c {
		    runClient [list $cbench client-async $sizes(async) \
			    $sizes(inflight)]
		}
		record own-async tcl {
		    runClient [concat $tclt [list client-async \
			    $sizes(async) $sizes(inflight)]]
		}
	    }
	    if {[ownWanted own-signals]} {
		foreach side {c tcl} {
		    record own-signals $side {
			ownSignals $side $sizes(signals)
		    }
		}
	    }
	}
    } finally {
	serverDown tcl
	serverDown c
    }
    # The Tcl client -> C server row has the C client -> C server
    # baseline of own-sum.
    if {[info exists ::bench::samples(own-sum,c)]} {
	set ::bench::samples(own-csum,c) $::bench::samples(own-sum,c)
	set ::bench::samples(own-csum,c,sw) $::bench::samples(own-sum,c,sw)
    }
}

# bench::ownReport --
#
#	The table of the own-server rows.

proc bench::ownReport {} {
    variable ownWorkloads
    variable samples
    variable opt
    set rows [list [list workload "C -> C" "Tcl" ratio goal met? \
	    "ctxsw/call C (cli+srv)" "ctxsw/call Tcl (cli+srv)"]]
    foreach {key unit op bound label sw} $ownWorkloads {
	if {![ownWanted $key]} {
	    continue
	}
	set c [med $key c]
	set t [med $key tcl]
	lassign [ratioMet $t $c $op $bound] ratio met
	set swCells {}
	foreach side {c tcl} {
	    if {!$sw || ![info exists samples($key,$side,sw)]} {
		lappend swCells -
		continue
	    }
	    set cli [median [lmap p $samples($key,$side,sw) {lindex $p 0}]]
	    set srv [median [lmap p $samples($key,$side,sw) {lindex $p 1}]]
	    lappend swCells "[format %.0f $cli] + [format %.0f $srv]"
	}
	lappend rows [concat [list "$label, $unit" [cell $key c $c] \
		[cell $key tcl $t] $ratio "$op ${bound}x" $met] $swCells]
    }
    if {[llength $rows] > 1} {
	puts ""
	puts "own server (issue 12): each client calls a server in its own\
		language"
	table $rows
	puts "ratio = Tcl / C (medians of $opt(repeat)); ctxsw/call: voluntary +\
		involuntary context switches per call, client (whole run) +\
		server (the calls only)."
    }
}
