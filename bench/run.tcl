# run.tcl --
#
#	Benchmarks of the dbus package against a plain C libdbus baseline
#	(cbench, built from bench/cbench.c), on a private dbus-daemon that
#	this script starts and kills: the user's buses are never touched.
#	Run by "make bench"; prints the environment and a table
#
#	    workload | C | Tcl | ratio | goal | met?
#
#	of the medians of R repetitions.  Client, server and daemon are
#	pinned to CPU 0 (taskset) so a round trip costs what the code costs
#	and not what the scheduler makes of two idle cores.  The exit status
#	is 0 when every workload ran, whether or not its goal was met (this
#	is a report, not a test), and 1 when a workload failed to run.
#
#	Usage:	tclsh bench/run.tcl ?option ...?
#
#	    -repeat N	repetitions per measurement (default 5; -quick: 1)
#	    -quick	small counts and one repetition, for a smoke run
#	    -only LIST	only these workloads (keys: echo server async
#			signals sum dictsum instr idle, the extra rows
#			dictsum-explicit server-sum server-dictsum, and the
#			dbif rows dbif-echo dbif-writes dbif-introspect
#			dbif-getall, "peer" for the peer-to-peer table,
#			"own" for the own-server table of own.tcl, and the
#			proxy rows proxy-call proxy-get proxy-create
#			proxy-managed)
#	    -side c	run only the C figures (no dbus package needed)
#	    -cbench F	the cbench program (default: <builddir>/bench/cbench,
#			<builddir> taken from DBUS_TCL_BUILDDIR or the cwd)
#	    -notaskset	do not pin to CPU 0
#	    -cpu N	pin to CPU N instead of 0 (on a shared machine, the
#			least busy one)
#	    -keep	keep the temp dir (daemon logs, callgrind outputs)
#	    -verbose	print every sample as it is measured
#	    -profile	after the table, break the callgrind Echo runs down
#			by shared object, and list the functions of our
#			library, in instructions per call (needs "instr")
#
#	The Tcl side is run as separate tclsh processes (tclclient.tcl,
#	tclserver.tcl, tclsub.tcl next to this file) that inherit TCLLIBPATH
#	from the environment.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

namespace eval bench {
    variable dir [file dirname [file normalize [info script]]]
    variable opt
    array set opt {
	repeat "" quick 0 only {} side both cbench "" taskset 1 cpu 0 keep 0
	verbose 0 profile 0
    }
    variable tmp ""		;# temp dir: configs, logs, callgrind files
    variable children {}	;# {pid channel watchdog} of what we started
    variable pin {}		;# command prefix pinning to CPU 0
    variable tclsh [info nameofexecutable]
    variable samples		;# samples(key,side) -> list of figures
    array set samples {}
    variable failed {}		;# "key side: message" of failed runs
    variable failedKeys		;# failedKeys(key,side) -> 1
    array set failedKeys {}
    variable servers {}		;# side -> {channel busname} of servers
    variable sizes		;# workload sizes, set from -quick
}

# Workload table, in report order: key, unit, goal operator and bound
# on the ratio Tcl/C ("" "": informational row), label.

set bench::workloads {
    echo	calls/s		>= 0.97
	"sync Echo(s)->s, Tcl client -> C server"
    server	calls/s		>= 0.85
	"sync Echo, C client -> Tcl server (dbus method)"
    async	calls/s		>= 0.85
	"async Echo, 100 in flight (call -handler)"
    signals	signals/s	>= 0.80
	"signals to a dbus listen handler"
    sum		ms/call		<= 3
	"Sum(ai), 1,000,000 int32 from a Tcl list"
    dictsum	ms/call		<= 1.3
	"DictSum(a{sv}), 10,000 ints from a Tcl dict"
    instr	Ir/call		<= 1.15
	"client instructions per sync Echo (callgrind)"
    idle	-		== 0
	"idle Tcl server, 2 connections"
    dictsum-explicit ms/call	"" ""
	"DictSum(a{sv}), 10,000 {i N} variants (info)"
    server-sum	ms/call		"" ""
	"Sum(ai) 1,000,000, C client -> Tcl server (info)"
    server-dictsum ms/call	"" ""
	"DictSum(a{sv}) 10,000, C client -> Tcl server (info)"
}

# The own-server rows (issue 12) live in own.tcl.

source [file join $bench::dir own.tcl]

# The dbif rows (issue 4), reported in a table of their own: key, unit,
# goal operator and bound, label, what the baseline column is.  Ratios
# are dbif / baseline; "abs" rows compare the dbif figure itself.

set bench::dbifWorkloads {
    dbif-echo	calls/s	>= 0.90
	"sync Echo served by dbif method, C client"
	"raw dbus method"
    dbif-writes	us/write abs 2
	"10,000 property writes in one event-loop turn"
	-
    dbif-introspect ms/call abs 5
	"Introspect, node with 1,000 children and 50 methods"
	-
    dbif-getall	ms/call	<= 2
	"GetAll of 1,000 properties, C client"
	"C a{sv} reply"
}

# bench::usage --
#
#	Print the header comment's usage part and exit.

proc bench::usage {{status 1}} {
    puts stderr "usage: tclsh run.tcl ?-repeat N? ?-quick? ?-only LIST?\
	    ?-side c|both? ?-cbench FILE? ?-notaskset? ?-cpu N? ?-keep?\
	    ?-verbose? ?-profile?"
    exit $status
}

# bench::parseArgs --
#
#	Options into the opt array; sizes from -quick.

proc bench::parseArgs {argv} {
    variable opt
    variable sizes
    while {[llength $argv]} {
	set argv [lassign $argv word]
	switch -- $word {
	    -repeat - -only - -side - -cbench - -cpu {
		if {![llength $argv]} {
		    usage
		}
		set argv [lassign $argv opt([string range $word 1 end])]
	    }
	    -quick {set opt(quick) 1}
	    -notaskset {set opt(taskset) 0}
	    -keep {set opt(keep) 1}
	    -verbose {set opt(verbose) 1}
	    -profile {set opt(profile) 1}
	    -help - --help {usage 0}
	    default {usage}
	}
    }
    if {$opt(repeat) eq ""} {
	set opt(repeat) [expr {$opt(quick) ? 1 : 5}]
    }
    if {![string is integer -strict $opt(repeat)] || $opt(repeat) < 1} {
	usage
    }
    if {$opt(side) ni {c both}} {
	usage
    }
    if {![string is integer -strict $opt(cpu)] || $opt(cpu) < 0} {
	usage
    }
    # Counts chosen so that one C measurement takes about a second on a
    # current x86 core (a quarter of that with -quick).
    if {$opt(quick)} {
	array set sizes {
	    echo 4000 async 10000 inflight 100 signals 20000
	    sum 5 sumsize 1000000 dictsum 20 dictsize 10000
	    instr1 1000 instr2 2000 idle 3
	    dbifcalls 50 writes 10000
	    pxcalls 2000 pxgets 100000 pxcreate 50 pxmanaged 20
	}
    } else {
	array set sizes {
	    echo 20000 async 50000 inflight 100 signals 100000
	    sum 40 sumsize 1000000 dictsum 200 dictsize 10000
	    instr1 2000 instr2 4000 idle 10
	    dbifcalls 300 writes 10000
	    pxcalls 10000 pxgets 1000000 pxcreate 200 pxmanaged 100
	}
    }
}

# bench::wanted --
#
#	Is the workload key selected by -only?

proc bench::wanted {key} {
    variable opt
    expr {![llength $opt(only)] || $key in $opt(only)}
}

# bench::tclWanted --
#
#	Are Tcl figures to be measured?

proc bench::tclWanted {} {
    variable opt
    expr {$opt(side) eq "both"}
}

# bench::findCbench --
#
#	Locate the C baseline program.

proc bench::findCbench {} {
    variable opt
    variable dir
    global env
    if {$opt(cbench) ne ""} {
	set candidates [list $opt(cbench)]
    } else {
	set candidates {}
	if {[info exists env(DBUS_TCL_BUILDDIR)]} {
	    lappend candidates \
		    [file join $env(DBUS_TCL_BUILDDIR) bench cbench]
	}
	lappend candidates [file join [pwd] bench cbench] \
		[file join $dir cbench]
    }
    foreach f $candidates {
	if {[file executable $f]} {
	    return [file normalize $f]
	}
    }
    error "cbench not found (tried: [join $candidates {, }]); build it\
	    with \"make bench\" or \"make -f bench/Makefile.bench\" in bench/"
}

# bench::note --
#
#	Progress output on stderr (stdout keeps the report).

proc bench::note {msg} {
    puts stderr "bench: $msg"
}

# bench::readLine --
#
#	Read one line from a child's stdout within ms milliseconds.  Returns
#	the line, or "" on EOF or timeout.

proc bench::readLine {chan ms} {
    variable line
    set timer [after $ms [list set [namespace current]::line ""]]
    fileevent $chan readable [list apply {{chan} {
	if {[gets $chan l] >= 0} {
	    set ::bench::line $l
	} elseif {[eof $chan]} {
	    set ::bench::line ""
	}
    }} $chan]
    vwait [namespace current]::line
    after cancel $timer
    fileevent $chan readable {}
    return $line
}

# bench::spawn --
#
#	Start a long-running child whose stdout we read; stderr goes to
#	errFile, or to ours.  A watchdog shell holding a pipe from us kills
#	the child by pid should this script die without cleaning up.
#	Returns the channel.

proc bench::spawn {cmd {errFile ""}} {
    variable children
    if {$errFile eq ""} {
	set chan [open |[concat $cmd [list 2>@stderr]] r]
    } else {
	set chan [open |[concat $cmd [list 2> $errFile]] r]
    }
    fconfigure $chan -buffering line -blocking 1
    set childPid [lindex [pid $chan] end]
    set wd [open [list | sh -c "read x; kill $childPid 2>/dev/null"] w]
    lappend children [list $childPid $chan $wd]
    return $chan
}

# bench::reap --
#
#	Make sure the child on chan is gone: wait up to ms for it to exit
#	by itself, else kill it by pid.  Returns how it ended: "" for a
#	clean exit, else the error of closing its pipe (exit status or
#	signal).  The watchdog is released while the child's pid is still
#	held (running or a zombie), so its kill can never hit a stranger.

proc bench::reap {chan {ms 3000}} {
    variable children
    set idx -1
    set i 0
    foreach entry $children {
	if {[lindex $entry 1] eq $chan} {
	    set idx $i
	}
	incr i
    }
    if {$idx < 0} {
	return 1
    }
    lassign [lindex $children $idx] childPid chan wd
    set children [lreplace $children $idx $idx]
    set deadline [expr {[clock milliseconds] + $ms}]
    set exited 0
    while {[clock milliseconds] < $deadline} {
	if {[readLine $chan [expr {$deadline - [clock milliseconds]}]] eq ""
		&& [eof $chan]} {
	    set exited 1
	    break
	}
    }
    if {!$exited} {
	catch {exec kill $childPid}
    }
    catch {close $wd}
    if {[catch {close $chan} how]} {
	return $how
    }
    return ""
}

# bench::alive --
#
#	Is the process still running (not gone, not a zombie)?

proc bench::alive {procPid} {
    if {[catch {open /proc/$procPid/stat} f]} {
	return 0
    }
    set stat [read $f]
    close $f
    set state [lindex [string range $stat \
	    [expr {[string last ")" $stat] + 2}] end] 0]
    expr {$state ne "Z"}
}

# bench::cleanup --
#
#	Kill, by pid, every child still running; remove the temp dir.

proc bench::cleanup {} {
    variable children
    variable tmp
    variable opt
    foreach entry [lreverse $children] {
	lassign $entry childPid chan wd
	catch {exec kill $childPid}
	# Up to 2 s to go, then SIGKILL; the pipe is closed (and the pid
	# reaped) only after the watchdog is gone.
	for {set i 0} {$i < 40 && [alive $childPid]} {incr i} {
	    after 50
	}
	if {$i == 40} {
	    catch {exec kill -KILL $childPid}
	}
	catch {close $wd}
	catch {close $chan}
    }
    set children {}
    if {$tmp ne "" && !$opt(keep)} {
	if {[catch {file delete -force $tmp}]} {
	    after 200
	    catch {file delete -force $tmp}
	}
    }
}

# bench::startDaemon --
#
#	Start a private session-type dbus-daemon (pinned like the rest).
#	Returns {address pid channel}.

proc bench::startDaemon {tag} {
    variable tmp
    variable pin
    set conf [file join $tmp $tag.conf]
    set f [open $conf w]
    puts $f [string map [list @DIR@ $tmp] {<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=@DIR@</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_message_size">134217728</limit>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_replies_per_connection">50000</limit>
  <limit name="max_match_rules_per_connection">50000</limit>
  <limit name="reply_timeout">300000</limit>
</busconfig>}]
    close $f
    set chan [spawn [concat $pin [list dbus-daemon --config-file=$conf \
	    --nofork --print-address=1 --print-pid=1]] \
	    [file join $tmp $tag.log]]
    set address [readLine $chan 10000]
    set daemonPid [readLine $chan 10000]
    if {$address eq "" || ![string is integer -strict $daemonPid]} {
	error "could not start dbus-daemon (see [file join $tmp $tag.log])"
    }
    return [list $address $daemonPid $chan]
}

# bench::startServer --
#
#	Start a server command and wait for its "ready".  Returns the
#	channel.

proc bench::startServer {cmd} {
    variable pin
    set chan [spawn [concat $pin $cmd]]
    set l [readLine $chan 30000]
    if {$l ne "ready"} {
	reap $chan 0
	error "server did not become ready: $cmd"
    }
    return $chan
}

# bench::stopServer --
#
#	Ask the server owning dest to Quit, then make sure it is gone.

proc bench::stopServer {chan dest} {
    variable cbench
    catch {exec $cbench --dest $dest quit 2>@stderr}
    reap $chan 5000
}

# bench::serverUp --
#
#	Start the benchmark server of one side (c or tcl) and remember it.

proc bench::serverUp {side} {
    variable servers
    variable cbench
    variable tclsh
    variable dir
    if {$side eq "c"} {
	set cmd [list $cbench server]
	set dest org.tcldbus.Bench
    } else {
	set cmd [list $tclsh [file join $dir tclserver.tcl]]
	set dest org.tcldbus.TclBench
    }
    set chan [startServer $cmd]
    dict set servers $side [list $chan $dest]
}

# bench::serverDown --
#
#	Stop the server of one side, if running.

proc bench::serverDown {side} {
    variable servers
    if {[dict exists $servers $side]} {
	lassign [dict get $servers $side] chan dest
	dict unset servers $side
	stopServer $chan $dest
    }
}

# bench::serversCheck --
#
#	A server that died under us is reported (with how it ended) and
#	restarted, so one failure does not fail every later measurement.

proc bench::serversCheck {} {
    variable servers
    variable failed
    dict for {side entry} $servers {
	lassign $entry chan dest
	set childPid [lindex [pid $chan] end]
	if {[alive $childPid]} {
	    continue
	}
	set how [reap $chan 0]
	dict unset servers $side
	set msg "$side server (pid $childPid) died during the run:\
		[expr {$how eq "" ? "exited" : $how}]; restarted"
	lappend failed $msg
	note $msg
	if {[catch {serverUp $side} err]} {
	    lappend failed "$side server restart: $err"
	}
    }
}

# bench::runClient --
#
#	Run a measuring client to completion (pinned, with a time limit) and
#	return the figure from its result line "<figure> <unit> ...".

proc bench::runClient {cmd {pinned 1}} {
    variable pin
    set prefix [list timeout 600]
    if {$pinned} {
	set prefix [concat $prefix $pin]
    }
    set out [exec {*}$prefix {*}$cmd 2>@stderr]
    return [parseFigure $out]
}

# bench::parseFigure --
#
#	The figure from the last line of a client's output.

proc bench::parseFigure {out} {
    set last [lindex [split [string trim $out] \n] end]
    set figure [lindex $last 0]
    if {![string is double -strict $figure]} {
	error "unexpected client output: $out"
    }
    return $figure
}

# bench::record --
#
#	Run script (in the caller) as one sample of key/side; store the
#	figure or the failure.

proc bench::record {key side script} {
    variable samples
    variable failed
    variable failedKeys
    variable opt
    serversCheck
    if {[catch {uplevel 1 $script} figure]} {
	lappend failed "$key $side: $figure"
	set failedKeys($key,$side) 1
	note "$key ($side) FAILED: $figure"
	return
    }
    lappend samples($key,$side) $figure
    if {$opt(verbose)} {
	note "$key $side: $figure"
    }
}

# bench::clientCmd --
#
#	Command line of the C or Tcl client for a mode.

proc bench::clientCmd {side args} {
    variable cbench
    variable tclsh
    variable dir
    if {$side eq "c"} {
	return [concat [list $cbench] $args]
    }
    return [concat [list $tclsh [file join $dir tclclient.tcl]] $args]
}

# bench::subscriberRun --
#
#	One signal measurement: start the subscriber, wait for its match
#	rule, run the C emitter, read the subscriber's rate.

proc bench::subscriberRun {side n} {
    variable cbench
    variable tclsh
    variable dir
    if {$side eq "c"} {
	set cmd [list $cbench subscribe]
    } else {
	set cmd [list $tclsh [file join $dir tclsub.tcl]]
    }
    signalRun $cmd [list $cbench emit $n] $n $side
}

# bench::signalRun --
#
#	Start the subscriber subCmd, wait for its match rule, run the
#	emitter emitCmd (n signals), read the subscriber's rate.  who names
#	the subscriber in messages.

proc bench::signalRun {subCmd emitCmd n who} {
    variable pin
    set chan [startServer $subCmd]
    try {
	exec timeout 600 {*}$pin {*}$emitCmd 2>@stderr
	set l [readLine $chan 300000]
	if {$l eq ""} {
	    error "subscriber ($who) gave no result"
	}
	if {[lindex $l 2] != $n} {
	    note "$who subscriber received [lindex $l 2] of $n signals"
	}
	return [parseFigure $l]
    } finally {
	reap $chan 5000
    }
}

# bench::irTotal --
#
#	Total instructions (Ir) in a callgrind output file.

proc bench::irTotal {file} {
    set f [open $file]
    set data [read $f]
    close $f
    if {![regexp -line {^summary:\s+(\d+)} $data -> ir]
	    && ![regexp -line {^totals:\s+(\d+)} $data -> ir]} {
	error "no instruction total in $file"
    }
    return $ir
}

# bench::callgrindRun --
#
#	Total instructions (Ir) of one client run under callgrind.

proc bench::callgrindRun {side n} {
    variable tmp
    set out [file join $tmp callgrind.$side.$n]
    exec timeout 600 valgrind --tool=callgrind --callgrind-out-file=$out \
	    {*}[clientCmd $side client-echo $n] 2> $out.log
    irTotal $out
}

# bench::instrPerCall --
#
#	Client instructions per sync Echo: difference of two runs.

proc bench::instrPerCall {side} {
    variable sizes
    set a [callgrindRun $side $sizes(instr1)]
    set b [callgrindRun $side $sizes(instr2)]
    return [expr {double($b - $a) / ($sizes(instr2) - $sizes(instr1))}]
}

# bench::annotate --
#
#	Self cost of every function in a callgrind output file, as a dict
#	{object function} -> Ir.

proc bench::annotate {file} {
    set out [exec callgrind_annotate --inclusive=no --threshold=100 $file]
    set costs [dict create]
    foreach l [split $out \n] {
	if {[regexp {^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*\S)\s+\[(.*)\]$} \
		$l -> ir func obj]} {
	    set func [lindex [split $func :] end]
	    dict incr costs [list [file tail $obj] $func] [string map {, ""} $ir]
	}
    }
    return $costs
}

# bench::profileReport --
#
#	Instructions per Echo call by shared object (both sides) and by
#	function of our library (Tcl side), from the difference of the two
#	callgrind runs of each side.

proc bench::profileReport {sides} {
    variable tmp
    variable sizes
    set calls [expr {$sizes(instr2) - $sizes(instr1)}]
    foreach side $sides {
	set a [file join $tmp callgrind.$side.$sizes(instr1)]
	set b [file join $tmp callgrind.$side.$sizes(instr2)]
	if {![file exists $a] || ![file exists $b]} {
	    continue
	}
	set diff [annotate $b]
	dict for {key ir} [annotate $a] {
	    dict incr diff $key [expr {-$ir}]
	}
	set byObj [dict create]
	dict for {key ir} $diff {
	    dict incr byObj [lindex $key 0] $ir
	}
	puts ""
	puts "$side client, instructions per sync Echo by object:"
	foreach {obj ir} [lsort -stride 2 -index 1 -integer -decreasing $byObj] {
	    if {abs($ir) >= $calls} {
		puts [format "  %10.0f  %s" [expr {double($ir) / $calls}] $obj]
	    }
	}
	set ours [dict filter $diff script {key ir} {
	    string match libtcldbus* [lindex $key 0]
	}]
	if {[dict size $ours]} {
	    puts "$side client, top functions of [lindex [dict keys $ours] 0 0]\
		    (self Ir per call):"
	    set n 0
	    foreach {key ir} [lsort -stride 2 -index 1 -integer -decreasing \
		    $ours] {
		if {[incr n] > 15} {
		    break
		}
		puts [format "  %10.0f  %s" [expr {double($ir) / $calls}] \
			[lindex $key 1]]
	    }
	}
    }
}

# bench::procCounters --
#
#	CPU ticks (utime+stime, all threads) and context switches
#	(voluntary + involuntary, summed over all threads) of a process.

proc bench::procCounters {procPid} {
    set f [open /proc/$procPid/stat]
    set stat [read $f]
    close $f
    set fields [string range $stat [expr {[string last ")" $stat] + 2}] end]
    set ticks [expr {[lindex $fields 11] + [lindex $fields 12]}]
    set switches 0
    foreach task [glob -nocomplain -directory /proc/$procPid/task *] {
	if {[catch {open $task/status} f]} {
	    continue
	}
	foreach l [split [read $f] \n] {
	    if {[regexp {^(non)?voluntary_ctxt_switches:\s+(\d+)} $l \
		    -> - count]} {
		incr switches $count
	    }
	}
	close $f
    }
    return [list $ticks $switches]
}

# bench::idleRun --
#
#	Idle measurement: a Tcl server with connections to the benchmark
#	bus and to a second private bus sits in its event loop; count its
#	CPU ticks and wakeups over the idle period.  Returns
#	{ticks wakeups}.

proc bench::idleRun {} {
    variable tclsh
    variable dir
    variable sizes
    lassign [startDaemon idle] address2 - daemonChan
    try {
	set chan [startServer [list $tclsh [file join $dir tclserver.tcl] \
		$address2]]
	try {
	    set serverPid [lindex [pid $chan] end]
	    after 1000
	    lassign [procCounters $serverPid] ticks0 sw0
	    after [expr {$sizes(idle) * 1000}]
	    lassign [procCounters $serverPid] ticks1 sw1
	    return [list [expr {$ticks1 - $ticks0}] [expr {$sw1 - $sw0}]]
	} finally {
	    stopServer $chan org.tcldbus.TclBench
	}
    } finally {
	reap $daemonChan 0
    }
}

# bench::median --

proc bench::median {values} {
    set values [lsort -real $values]
    set n [llength $values]
    if {$n == 0} {
	return ""
    }
    if {$n % 2} {
	return [lindex $values [expr {$n / 2}]]
    }
    expr {([lindex $values [expr {$n / 2 - 1}]] +
	    [lindex $values [expr {$n / 2}]]) / 2.0}
}

# bench::med --
#
#	The median of the samples of key/side, or "" when there are none.

proc bench::med {key side} {
    variable samples
    if {![info exists samples($key,$side)]} {
	return ""
    }
    median $samples($key,$side)
}

# bench::ratioMet --
#
#	The cells "ratio" and "met?" of a row: value / base as "1.23x" and
#	whether it meets "op bound" (yes/NO; "-" when op is empty), or
#	"- -" when a figure is missing or base is 0.

proc bench::ratioMet {value base op bound} {
    if {$value eq "" || $base eq "" || $base == 0} {
	return {- -}
    }
    set x [expr {double($value) / $base}]
    if {$op eq ""} {
	return [list [format %.2fx $x] -]
    }
    list [format %.2fx $x] [expr "\$x $op \$bound" ? "yes" : "NO"]
}

# bench::fmt --
#
#	A figure for the table: integers for big rates, 3 significant
#	digits for small ones.

proc bench::fmt {value} {
    if {$value eq ""} {
	return -
    }
    if {abs($value) >= 1000} {
	return [format %.0f $value]
    }
    if {abs($value) >= 10} {
	return [format %.1f $value]
    }
    return [format %.3f $value]
}

# bench::environment --
#
#	Print what the figures depend on.

proc bench::environment {} {
    variable opt
    variable cbench
    variable pin
    variable tclsh
    global env
    set nproc [expr {[catch {exec nproc} n] ? "?" : $n}]
    set model ?
    catch {
	set f [open /proc/cpuinfo]
	regexp -line {^model name\s*:\s*(.*)$} [read $f] -> model
	close $f
    }
    catch {set dbusVersion [exec pkg-config --modversion dbus-1]}
    if {![info exists dbusVersion]} {
	catch {
	    set dbusVersion [lindex [split [exec dbus-daemon --version] \n] 0]
	}
    }
    puts "tcl-dbus benchmarks   [clock format [clock seconds] \
	    -format {%Y-%m-%d %H:%M:%S %Z}]"
    puts "host:      [info hostname], [exec uname -srm], $nproc CPUs ($model)"
    puts "taskset:   [expr {[auto_execok taskset] ne "" ? "yes" : "no"}]\
	    ([expr {[llength $pin] ? "client, server and daemon pinned to\
	    CPU $opt(cpu)" : "not pinning"}])"
    puts "valgrind:  [expr {[auto_execok valgrind] ne "" ? "yes" : "no"}]"
    puts "tclsh:     $tclsh ([info patchlevel])"
    puts "libdbus:   [expr {[info exists dbusVersion] ? $dbusVersion : "?"}]"
    puts "TCLLIBPATH: [expr {[info exists env(TCLLIBPATH)] ? \
	    $env(TCLLIBPATH) : "(unset)"}]"
    puts "cbench:    $cbench"
    puts "repeat:    $opt(repeat)[expr {$opt(quick) ? " (-quick)" : ""}]"
    catch {
	set f [open /proc/loadavg]
	puts "loadavg:   [lrange [read $f] 0 2]\
		(other load skews the figures)"
	close $f
    }
    puts ""
}

# bench::sidesFor --
#
#	Sides to measure for a workload that other rows also use as their
#	C baseline: both when it is selected itself, else only C.

proc bench::sidesFor {key sides} {
    expr {[wanted $key] ? $sides : {c}}
}

# bench::measure --
#
#	All workloads, repetition by repetition; within a repetition each
#	C measurement is followed by its Tcl counterpart so slow drifts of
#	the machine hit both sides alike.

proc bench::measure {} {
    variable opt
    variable sizes
    variable tclsh
    variable dir
    variable cbench
    variable failed
    variable samples

    set tcl [tclWanted]
    serverUp c
    set tclServer 0
    if {$tcl && ([wanted server] || [wanted server-sum]
	    || [wanted server-dictsum])} {
	if {[catch {serverUp tcl} msg]} {
	    lappend failed "tclserver: $msg"
	    note "Tcl server FAILED: $msg"
	} else {
	    set tclServer 1
	}
    }
    set sides [expr {$tcl ? {c tcl} : {c}}]
    try {
	# Unrecorded warm-up: the first round trips after a daemon starts
	# (and after a quiet machine) are measurably slower.
	catch {runClient [clientCmd c client-echo [expr {$sizes(echo) / 4}]]}

	for {set r 1} {$r <= $opt(repeat)} {incr r} {
	    note "repetition $r of $opt(repeat)"
	    if {[wanted echo] || [wanted server]} {
		foreach side [sidesFor echo $sides] {
		    record echo $side {
			runClient [clientCmd $side client-echo $sizes(echo)]
		    }
		}
	    }
	    if {[wanted server] && $tclServer} {
		record server tcl {
		    runClient [list $cbench --dest org.tcldbus.TclBench \
			    client-echo $sizes(echo)]
		}
	    }
	    if {[wanted async]} {
		foreach side $sides {
		    record async $side {
			runClient [clientCmd $side client-async \
				$sizes(async) $sizes(inflight)]
		    }
		}
	    }
	    if {[wanted signals]} {
		foreach side $sides {
		    record signals $side {
			subscriberRun $side $sizes(signals)
		    }
		}
	    }
	    if {[wanted sum] || [wanted server-sum]} {
		foreach side [sidesFor sum $sides] {
		    record sum $side {
			runClient [clientCmd $side client-sum $sizes(sum) \
				$sizes(sumsize)]
		    }
		}
	    }
	    if {[wanted server-sum] && $tclServer} {
		record server-sum tcl {
		    runClient [list $cbench --dest org.tcldbus.TclBench \
			    client-sum $sizes(sum) $sizes(sumsize)]
		}
	    }
	    if {[wanted dictsum] || [wanted dictsum-explicit]
		    || [wanted server-dictsum]} {
		foreach side [sidesFor dictsum $sides] {
		    record dictsum $side {
			runClient [clientCmd $side client-dictsum \
				$sizes(dictsum) $sizes(dictsize)]
		    }
		}
	    }
	    if {[wanted dictsum-explicit] && $tcl} {
		record dictsum-explicit tcl {
		    runClient [clientCmd tcl client-dictsum-explicit \
			    $sizes(dictsum) $sizes(dictsize)]
		}
	    }
	    if {[wanted server-dictsum] && $tclServer} {
		record server-dictsum tcl {
		    runClient [list $cbench --dest org.tcldbus.TclBench \
			    client-dictsum $sizes(dictsum) $sizes(dictsize)]
		}
	    }
	}

	# Deterministic enough to need one run per side.
	if {[wanted instr]} {
	    if {[auto_execok valgrind] eq ""} {
		lappend failed "instr: valgrind is not installed"
	    } else {
		note "callgrind runs"
		foreach side $sides {
		    record instr $side {instrPerCall $side}
		}
	    }
	}
    } finally {
	serverDown tcl
	serverDown c
    }

    if {[wanted idle] && $tcl} {
	note "idle server for $sizes(idle) s"
	record idle tcl {idleRun}
    }

    # Rows whose C figure is another row's: the C server and C client
    # baselines are shared.
    foreach {key from} {server echo dictsum-explicit dictsum
	    server-sum sum server-dictsum dictsum} {
	if {[info exists samples($from,c)]} {
	    set samples($key,c) $samples($from,c)
	}
    }
}

# bench::anyWanted --
#
#	Is any of the Tcl-side row keys selected?

proc bench::anyWanted {keys} {
    if {![tclWanted]} {
	return 0
    }
    foreach k $keys {
	if {[wanted $k]} {
	    return 1
	}
    }
    return 0
}

# bench::startTclServer --
#
#	Start the Tcl server script (next to this file) and wait for its
#	ready line.  Returns its channel, or "" after recording the
#	failure.

proc bench::startTclServer {script} {
    variable tclsh
    variable dir
    variable failed
    if {[catch {startServer [list $tclsh [file join $dir $script]]} chan]} {
	lappend failed "$script: $chan"
	note "$script FAILED: $chan"
	return ""
    }
    return $chan
}

# bench::dbifMeasure --
#
#	The dbif rows: a dbif server (dbifserver.tcl) beside the raw Tcl
#	server and the C server, all measured with the C client except the
#	property writes (dbifclient.tcl counts the signals).

proc bench::dbifMeasure {} {
    variable opt
    variable sizes
    variable tclsh
    variable dir
    variable cbench

    if {![anyWanted {dbif-echo dbif-writes dbif-introspect dbif-getall}]} {
	return
    }
    serverUp c
    serverUp tcl
    set chan [startTclServer dbifserver.tcl]
    if {$chan eq ""} {
	serverDown tcl
	serverDown c
	return
    }
    set n $sizes(dbifcalls)
    try {
	for {set r 1} {$r <= $opt(repeat)} {incr r} {
	    note "dbif repetition $r of $opt(repeat)"
	    if {[wanted dbif-echo]} {
		record dbif-echo base {
		    runClient [list $cbench --dest org.tcldbus.TclBench \
			    client-echo $sizes(echo)]
		}
		record dbif-echo dbif {
		    runClient [list $cbench --dest org.tcldbus.DbifBench \
			    client-echo $sizes(echo)]
		}
	    }
	    if {[wanted dbif-getall]} {
		record dbif-getall base {
		    runClient [list $cbench client-call $n \
			    /org/tcldbus/Bench org.tcldbus.Bench Props u 1000]
		}
		record dbif-getall dbif {
		    runClient [list $cbench --dest org.tcldbus.DbifBench \
			    client-call $n /org/tcldbus/Props \
			    org.freedesktop.DBus.Properties GetAll \
			    s org.tcldbus.Props]
		}
	    }
	    if {[wanted dbif-introspect]} {
		record dbif-introspect dbif {
		    runClient [list $cbench --dest org.tcldbus.DbifBench \
			    client-call $n /org/tcldbus/Tree \
			    org.freedesktop.DBus.Introspectable Introspect]
		}
	    }
	    if {[wanted dbif-writes]} {
		record dbif-writes dbif {
		    set out [exec timeout 60 $tclsh \
			    [file join $dir dbifclient.tcl] writes \
			    $sizes(writes) 2>@stderr]
		    lassign $out us - nsig - last
		    if {$nsig != 1 || $last != $sizes(writes)} {
			error "expected 1 signal carrying $sizes(writes),\
				got $nsig signal(s), last value $last"
		    }
		    set us
		}
	    }
	}
    } finally {
	stopServer $chan org.tcldbus.DbifBench
	serverDown tcl
	serverDown c
    }
}

# bench::baselineReport --
#
#	A table of rows measured against a baseline row (the dbif rows, the
#	proxy rows): workloads holds key unit op bound label baseName per
#	row, side the samples' side ("dbif", "proxy"); op "abs" makes bound
#	an absolute limit in the row's unit.

proc bench::baselineReport {workloads side title footer} {
    set rows [list [list workload baseline $side ratio goal met?]]
    foreach {key unit op bound label baseName} $workloads {
	if {![wanted $key] || ![tclWanted]} {
	    continue
	}
	set b [med $key base]
	set d [med $key $side]
	if {$op eq "abs"} {
	    set goal "<= $bound $unit"
	    set ratio -
	    set met [expr {$d eq "" ? "-" : $d <= $bound ? "yes" : "NO"}]
	} else {
	    set goal "$op ${bound}x"
	    lassign [ratioMet $d $b $op $bound] ratio met
	}
	if {$key eq "dbif-writes" && $d ne ""} {
	    append goal ", 1 signal"
	}
	lappend rows [list "$label, $unit" \
		[expr {$baseName eq "-" ? "-"
		    : "[cell $key base $b] ($baseName)"}] \
		[cell $key $side $d] $ratio $goal $met]
    }
    if {[llength $rows] > 1} {
	puts ""
	puts $title
	table $rows
	puts $footer
    }
}


# The peer-to-peer rows (issue 11), a table of their own: sync Echo over
# a peer connection (dbus server / dbus connect -peer, no bus daemon),
# Tcl client -> Tcl server and C client -> Tcl server, as ratios to C <->
# C over a peer connection (cpeer, built from cpeer.c next to cbench),
# measured in the same run; beside them the same pairs over the bus
# (cbench server / tclserver.tcl through the daemon), for comparison.
# Rows: key, goal operator and bound ("" "": informational), label.

set bench::peerWorkloads {
    peer-tcl	>= 0.85	"p2p: sync Echo, Tcl client -> Tcl server"
    peer-c	>= 0.85	"p2p: sync Echo, C client -> Tcl server"
    bus-tcl	"" ""	"bus: sync Echo, Tcl client -> Tcl server"
    bus-c	"" ""	"bus: sync Echo, C client -> Tcl server"
}

# bench::peerServer --
#
#	Start a peer-to-peer server (cpeer or tclpeer.tcl) listening in the
#	temp dir; returns {channel address} once it said "ready ADDRESS".

proc bench::peerServer {cmd} {
    variable pin
    variable tmp
    set chan [spawn [concat $pin $cmd [list unix:dir=$tmp]]]
    set l [readLine $chan 30000]
    if {[lindex $l 0] ne "ready"} {
	reap $chan 0
	error "peer server did not become ready: $cmd"
    }
    list $chan [lindex $l 1]
}

# bench::peerMeasure --
#
#	The peer-to-peer samples: per repetition C <-> C, Tcl -> Tcl and
#	C -> Tcl over peer connections, then the same over the bus.

proc bench::peerMeasure {} {
    variable opt
    variable sizes
    variable tclsh
    variable dir
    variable cbench
    variable failed

    if {![tclWanted] || ![wanted peer]} {
	return
    }
    set cpeer [file join [file dirname $cbench] cpeer]
    set tclpeer [file join $dir tclpeer.tcl]
    if {![file executable $cpeer]} {
	lappend failed "peer: $cpeer not built (make bench builds it)"
	return
    }
    if {[catch {peerServer [list $cpeer server]} c]
	    || [catch {peerServer [list $tclsh $tclpeer server]} t]} {
	lappend failed "peer servers: [expr {[info exists t] ? $t : $c}]"
	catch {reap [lindex $c 0] 0}
	return
    }
    lassign $c cChan cAddr
    lassign $t tChan tAddr
    set n $sizes(echo)
    if {[auto_execok valgrind] ne ""} {
	foreach role {client server} {
	    foreach side {c tcl} {
		record peer-ir-$role $side {
		    peerInstr $role $side $cpeer $tclpeer
		}
	    }
	}
    }
    try {
	for {set r 1} {$r <= $opt(repeat)} {incr r} {
	    note "peer repetition $r of $opt(repeat)"
	    record peer-cc p2p {
		runClient [list $cpeer client-echo $n $cAddr]
	    }
	    record peer-tcl p2p {
		runClient [list $tclsh $tclpeer client-echo $n $tAddr]
	    }
	    record peer-c p2p {
		runClient [list $cpeer client-echo $n $tAddr]
	    }
	}
    } finally {
	catch {exec $cpeer quit $cAddr 2>@stderr}
	catch {exec $cpeer quit $tAddr 2>@stderr}
	reap $cChan 5000
	reap $tChan 5000
    }

    serverUp c
    serverUp tcl
    try {
	for {set r 1} {$r <= $opt(repeat)} {incr r} {
	    note "peer (bus path) repetition $r of $opt(repeat)"
	    record peer-cc bus {
		runClient [clientCmd c client-echo $n]
	    }
	    record peer-tcl bus {
		runClient [clientCmd tcl -dest org.tcldbus.TclBench \
			client-echo $n]
	    }
	    record peer-c bus {
		runClient [list $cbench --dest org.tcldbus.TclBench \
			client-echo $n]
	    }
	}
    } finally {
	serverDown tcl
	serverDown c
    }
}

# bench::peerInstr --
#
#	Instructions per sync Echo over a peer connection, by callgrind
#	(difference of an n1-call and an n2-call run; stable under load):
#	of the client (side c: cpeer, tcl: tclpeer.tcl) against the C
#	server, or of the server (side c or tcl) driven by the C client.

proc bench::peerInstr {role side cpeer tclpeer} {
    variable sizes
    variable tmp
    variable tclsh
    set irs {}
    foreach n [list $sizes(instr1) $sizes(instr2)] {
	set out [file join $tmp peer.$role.$side.$n]
	set vg [list timeout 600 valgrind --tool=callgrind \
		--callgrind-out-file=$out]
	set prog [expr {$side eq "c" ? [list $cpeer]
		: [list $tclsh $tclpeer]}]
	if {$role eq "client"} {
	    lassign [peerServer [list $cpeer server]] chan addr
	    try {
		exec {*}$vg {*}$prog client-echo $n $addr 2> $out.log
	    } finally {
		catch {exec $cpeer quit $addr 2>@stderr}
		reap $chan 5000
	    }
	} else {
	    lassign [peerServer [concat $vg $prog server]] chan addr
	    try {
		exec $cpeer client-echo $n $addr
	    } finally {
		catch {exec $cpeer quit $addr 2>@stderr}
		reap $chan 60000
	    }
	}
	lappend irs [irTotal $out]
    }
    lassign $irs a b
    expr {double($b - $a) / ($sizes(instr2) - $sizes(instr1))}
}

# bench::peerReport --
#
#	The table of the peer-to-peer rows, the bus path beside them.

proc bench::peerReport {} {
    variable peerWorkloads
    variable samples
    variable opt
    if {![tclWanted] || ![wanted peer]} {
	return
    }
    set rows [list [list workload "C <-> C" Tcl ratio goal met?]]
    foreach {key op bound label} $peerWorkloads {
	lassign [split $key -] path who
	set sample [expr {$path eq "peer" ? "p2p" : "bus"}]
	set k peer-$who
	set b [med peer-cc $sample]
	set t [med $k $sample]
	lassign [ratioMet $t $b $op $bound] ratio met
	lappend rows [list "$label, calls/s" [cell peer-cc $sample $b] \
		[cell $k $sample $t] $ratio \
		[expr {$op eq "" ? "(info)" : "$op ${bound}x"}] $met]
    }
    foreach role {client server} label {
	"p2p: client instructions per sync Echo, Ir"
	"p2p: server instructions per sync Echo, Ir"
    } {
	set c [med peer-ir-$role c]
	set t [med peer-ir-$role tcl]
	set ratio [lindex [ratioMet $t $c "" ""] 0]
	lappend rows [list $label [cell peer-ir-$role c $c] \
		[cell peer-ir-$role tcl $t] $ratio "(info, lower=better)" -]
    }
    # A round trip costs client + server: the CPU cost of Tcl <-> Tcl and
    # C -> Tcl against C <-> C, free of the scheduling noise of the rates.
    set ir {}
    foreach role {client server} {
	foreach side {c tcl} {
	    if {[info exists samples(peer-ir-$role,$side)]} {
		dict set ir $role,$side [median $samples(peer-ir-$role,$side)]
	    }
	}
    }
    if {[dict size $ir] == 4} {
	set cc [expr {[dict get $ir client,c] + [dict get $ir server,c]}]
	foreach {label client} {
	    "p2p: Ir per round trip, Tcl client -> Tcl server" tcl
	    "p2p: Ir per round trip, C client -> Tcl server" c
	} {
	    set t [expr {[dict get $ir client,$client]
		    + [dict get $ir server,tcl]}]
	    set x [expr {double($cc) / $t}]
	    lappend rows [list $label [fmt $cc] [fmt $t] \
		    [format "%.2fx (C/Tcl)" $x] ">= 0.85x" \
		    [expr {$x >= 0.85 ? "yes" : "NO"}]]
	}
    }
    foreach who {cc tcl c} label {
	"C client -> C server" "Tcl client -> Tcl server"
	"C client -> Tcl server"
    } {
	set ratio [lindex [ratioMet [med peer-$who p2p] [med peer-$who bus] \
		"" ""] 0]
	if {$ratio ne "-"} {
	    lappend rows [list "p2p / bus, $label" - - $ratio "(info)" -]
	}
    }
    puts ""
    puts "peer-to-peer (issue 11):"
    table $rows
    puts "ratio = Tcl / C <-> C on the same path (medians of $opt(repeat));\
	    p2p: no daemon, one hop.  Ir rows: callgrind, the round trip's\
	    CPU cost as C / Tcl (the goal's sense: higher is better)."
}

# ----------------------------------------------------------------------
# Signal subscriptions (issue 9): one "dbus subscribe" against the C
# subscriber, and the same with 100 other subscriptions (other members of
# the same interface, rules on the bus) that a Tick must not pay for.
# Selected with "-only subs"; self-contained (subsMeasure, subsReport).

# bench::subsRun --
#
#	One measurement: tclsub.tcl in the given mode (or the C subscriber
#	for mode "c") against the C emitter; returns signals/s.

proc bench::subsRun {mode n} {
    variable cbench
    variable tclsh
    variable dir
    if {$mode eq "c"} {
	set cmd [list $cbench subscribe]
    } else {
	set cmd [list $tclsh [file join $dir tclsub.tcl] $mode]
    }
    signalRun $cmd [list $cbench emit $n] $n $mode
}

# bench::subsMeasure --
#
#	Interleaved repetitions of the four subscribers, so that load on
#	the machine touches them alike.

proc bench::subsMeasure {} {
    variable opt
    variable sizes
    if {![tclWanted] || ![wanted subs]} {
	return
    }
    for {set r 1} {$r <= $opt(repeat)} {incr r} {
	note "subscription repetition $r of $opt(repeat)"
	foreach mode {c listen subscribe subscribe100} {
	    record subs-$mode sub {subsRun $mode $sizes(signals)}
	}
    }
    if {[auto_execok valgrind] ne ""} {
	note "subscription callgrind runs"
	foreach mode {c listen subscribe subscribe100} {
	    record subs-$mode ir {subsInstr $mode}
	}
    }
}

# bench::subsInstrRun --
#
#	Instructions of a whole subscriber process (mode as for subsRun)
#	that receives n signals, under callgrind.

proc bench::subsInstrRun {mode n} {
    variable cbench
    variable tclsh
    variable dir
    variable pin
    variable tmp
    set out [file join $tmp callgrind.subs.$mode.$n]
    set cmd [list timeout 900 valgrind --tool=callgrind \
	    --callgrind-out-file=$out]
    if {$mode eq "c"} {
	lappend cmd $cbench subscribe
    } else {
	lappend cmd $tclsh [file join $dir tclsub.tcl] $mode
    }
    set chan [startServer $cmd]
    try {
	exec {*}$pin $cbench emit $n 2>@stderr
	set l [readLine $chan 600000]
	if {[lindex $l 2] != $n} {
	    error "$mode subscriber under callgrind received [lindex $l 2]\
		    of $n signals"
	}
    } finally {
	reap $chan 120000
    }
    irTotal $out
}

# bench::subsInstr --
#
#	Subscriber instructions per signal: difference of two runs.

proc bench::subsInstr {mode} {
    set a [subsInstrRun $mode 2000]
    set b [subsInstrRun $mode 6000]
    return [expr {double($b - $a) / 4000}]
}

# bench::subsReport --
#
#	The subscription table: each Tcl subscriber against the C one, and
#	the cost of 100 other subscriptions per signal.

proc bench::subsReport {} {
    variable samples
    variable opt
    if {![tclWanted] || ![wanted subs]} {
	return
    }
    foreach mode {c listen subscribe subscribe100} {
	set m($mode) [med subs-$mode sub]
    }
    set rows [list [list workload signals/s "ratio" goal met?]]
    lappend rows [list "C libdbus subscriber" [cell subs-c sub $m(c)] - - -]
    foreach {mode label goal} {
	listen "one dbus listen handler (+ dbus filter)" ""
	subscribe "one dbus subscribe" 0.85
	subscribe100 "dbus subscribe + 100 others on other members" ""
    } {
	lassign [ratioMet $m($mode) $m(c) [expr {$goal eq "" ? "" : ">="}] \
		$goal] ratio met
	if {$ratio ne "-"} {
	    append ratio " C"
	}
	lappend rows [list $label [cell subs-$mode sub $m($mode)] $ratio \
		[expr {$goal eq "" ? "(info)" : ">= ${goal}x"}] $met]
    }
    if {$m(subscribe) ne "" && $m(subscribe100) ne ""
	    && $m(subscribe100) != 0} {
	# Per-signal cost is 1 / rate.
	set rise [expr {double($m(subscribe)) / $m(subscribe100) - 1}]
	lappend rows [list "per-signal cost, 100 others vs none" - \
		[format "%+.1f%%" [expr {100 * $rise}]] "< +10%" \
		[expr {$rise < 0.10 ? "yes" : "NO"}]]
    }
    foreach mode {c listen subscribe subscribe100} {
	set i($mode) [med subs-$mode ir]
    }
    lappend rows [list "subscriber Ir/signal (callgrind): C" \
	    [cell subs-c ir $i(c)] - - -]
    foreach {mode label} {
	listen "  one dbus listen handler" subscribe "  one dbus subscribe"
	subscribe100 "  dbus subscribe + 100 others"
    } {
	set ratio [lindex [ratioMet $i($mode) $i(c) "" ""] 0]
	if {$ratio ne "-"} {
	    append ratio " C"
	}
	lappend rows [list $label [cell subs-$mode ir $i($mode)] $ratio \
		(info) -]
    }
    if {$i(subscribe) ne "" && $i(subscribe100) ne "" && $i(subscribe) != 0} {
	set rise [expr {double($i(subscribe100)) / $i(subscribe) - 1}]
	lappend rows [list "Ir per signal, 100 others vs none" - \
		[format "%+.1f%%" [expr {100 * $rise}]] "< +10%" \
		[expr {$rise < 0.10 ? "yes" : "NO"}]]
    }
    puts ""
    puts "signal subscriptions (issue 9):"
    table $rows
    puts "medians of $opt(repeat), measured interleaved; signals from the\
	    C emitter, end to end through the bus."
}

# ---------------------------------------------------------------------
# The proxy rows (issue 10): dbif proxy calls and properties, proxy
# creation, and GetManagedObjects of dbif manager.  Self-contained: its
# own table of workloads, server (proxyserver.tcl) and Tcl client
# (proxyclient.tcl); the C figures come from cbench (server Echo and
# Managed, client-call).  Key, unit, goal operator and bound ("abs": the
# figure itself), label, what the baseline column is.

set bench::proxyWorkloads {
    proxy-call	us/call	<= 1.10
	"sync Echo(s) through a proxy, C server"
	"dbus call -signature"
    proxy-get	us/get	abs 2
	"cached \$p get"
	-
    proxy-create ms/proxy abs 5
	"dbif proxy, 50 methods + 50 properties (Introspect, GetAll)"
	-
    proxy-managed ms/call <= 2
	"GetManagedObjects, 1,000 objects x 5 properties, C client"
	"C libdbus reply"
}

# bench::proxyMeasure --
#
#	Run the proxy rows: the C server (Echo, Managed) and the dbif
#	server (proxyserver.tcl) on the bench bus, the Tcl client modes of
#	proxyclient.tcl and cbench's client-call.

proc bench::proxyMeasure {} {
    variable pin
    variable opt
    variable sizes
    variable tclsh
    variable dir
    variable cbench

    if {![anyWanted {proxy-call proxy-get proxy-create proxy-managed}]} {
	return
    }
    serverUp c
    set chan [startTclServer proxyserver.tcl]
    if {$chan eq ""} {
	serverDown c
	return
    }
    set client [list $tclsh [file join $dir proxyclient.tcl]]
    try {
	for {set r 1} {$r <= $opt(repeat)} {incr r} {
	    note "proxy repetition $r of $opt(repeat)"
	    if {[wanted proxy-call]} {
		# One client measures both, interleaved (proxyclient.tcl).
		set both ""
		record proxy-call proxy {
		    set both [exec timeout 600 {*}$pin {*}$client call \
			    $sizes(pxcalls) 2>@stderr]
		    parseFigure $both
		}
		record proxy-call base {
		    lindex [split [string trim $both] \n] end 3
		}
	    }
	    if {[wanted proxy-get]} {
		record proxy-get proxy {
		    runClient [concat $client get $sizes(pxgets)]
		}
	    }
	    if {[wanted proxy-create]} {
		record proxy-create proxy {
		    runClient [concat $client create $sizes(pxcreate)]
		}
	    }
	    if {[wanted proxy-managed]} {
		record proxy-managed base {
		    runClient [list $cbench client-call $sizes(pxmanaged) \
			    /org/tcldbus/Bench org.tcldbus.Bench Managed \
			    u 1000]
		}
		record proxy-managed proxy {
		    runClient [list $cbench --dest org.tcldbus.ProxyBench \
			    client-call $sizes(pxmanaged) /org/tcldbus/Om \
			    org.freedesktop.DBus.ObjectManager \
			    GetManagedObjects]
		}
	    }
	}
    } finally {
	stopServer $chan org.tcldbus.ProxyBench
	serverDown c
    }
}


# bench::cell --
#
#	Table text of a median: the figure, FAILED, or "-" (not run).

proc bench::cell {key side value} {
    variable failedKeys
    if {$value ne ""} {
	return [fmt $value]
    }
    if {[info exists failedKeys($key,$side)]} {
	return FAILED
    }
    return -
}

# bench::report --
#
#	Print the table of medians.

proc bench::report {} {
    variable workloads
    variable dbifWorkloads
    variable proxyWorkloads
    variable samples
    variable failed
    variable sizes
    variable opt

    set rows {}
    lappend rows [list workload C Tcl ratio goal met?]
    foreach {key unit op bound label} $workloads {
	if {![wanted $key]} {
	    continue
	}
	if {$key eq "idle"} {
	    if {![info exists samples(idle,tcl)]} {
		lappend rows [list "$label, $sizes(idle) s" - \
			[cell idle tcl ""] - \
			"0 ticks, 0 wakeups" -]
		continue
	    }
	    lassign [lindex $samples(idle,tcl) 0] ticks wakeups
	    set met [expr {$ticks == 0 && $wakeups == 0 ? "yes" : "NO"}]
	    lappend rows [list "$label, $sizes(idle) s" - \
		    "$ticks ticks, $wakeups wakeups" - \
		    "0 ticks, 0 wakeups" $met]
	    continue
	}
	set c [med $key c]
	set t [med $key tcl]
	lassign [ratioMet $t $c $op $bound] ratio met
	lappend rows [list "$label, $unit" [cell $key c $c] [cell $key tcl $t] \
		$ratio [expr {$op eq "" ? "-" : "$op ${bound}x"}] $met]
    }

    table $rows
    puts "ratio = Tcl / C (medians of $opt(repeat)); rates: higher is\
	    better, ms/call and Ir/call: lower is better."
    baselineReport $dbifWorkloads dbif "dbif (issue 4):" \
	    "ratio = dbif / baseline (medians of $opt(repeat))."
    peerReport
    ownReport
    baselineReport $proxyWorkloads proxy \
	    "proxies and object manager (issue 10):" \
	    "ratio = proxy / baseline time (medians of $opt(repeat))."
    puts ""
    puts "samples:"
    foreach name [lsort [array names samples]] {
	puts "  [format %-22s $name] [lmap v $samples($name) {
	    if {[llength $v] > 1} {set v} else {fmt $v}
	}]"
    }
    if {[llength $failed]} {
	puts ""
	puts "FAILED:"
	foreach f $failed {
	    puts "  $f"
	}
    }
}

# bench::table --
#
#	Print rows (the first is the header) as a table.

proc bench::table {rows} {
    # Column widths, then the table.
    set widths {}
    foreach row $rows {
	set i 0
	foreach cell $row {
	    set w [string length $cell]
	    if {$i >= [llength $widths]} {
		lappend widths $w
	    } elseif {$w > [lindex $widths $i]} {
		lset widths $i $w
	    }
	    incr i
	}
    }
    set sep "+"
    foreach w $widths {
	append sep [string repeat - [expr {$w + 2}]] +
    }
    puts $sep
    set first 1
    foreach row $rows {
	set line "|"
	set i 0
	foreach cell $row w $widths {
	    if {$i == 0} {
		append line " [format %-${w}s $cell] |"
	    } else {
		append line " [format %${w}s $cell] |"
	    }
	    incr i
	}
	puts $line
	if {$first} {
	    puts $sep
	    set first 0
	}
    }
    puts $sep
}

# bench::main --

proc bench::main {argv} {
    variable opt
    variable tmp
    variable pin
    variable cbench
    variable failed
    global env

    parseArgs $argv
    set cbench [findCbench]
    if {$opt(taskset) && [auto_execok taskset] ne ""} {
	set pin [list taskset -c $opt(cpu)]
    }
    if {[auto_execok dbus-daemon] eq ""} {
	error "dbus-daemon not found (apt-get install dbus-daemon)"
    }

    # Never the user's buses: everything below talks to our daemon only.
    set base [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}]
    set tmp [file join $base tcldbus-bench-[pid]]
    file mkdir $tmp
    unset -nocomplain env(DBUS_STARTER_ADDRESS) env(DBUS_STARTER_BUS_TYPE)
    set env(DBUS_SYSTEM_BUS_ADDRESS) unix:path=[file join $tmp no-system-bus]
    set env(DBUS_SESSION_BUS_ADDRESS) \
	    unix:path=[file join $tmp no-session-bus]

    environment
    if {[tclWanted]} {
	if {[catch {exec $::bench::tclsh << "puts \[package require dbus\]"} \
		version]} {
	    lappend failed "package require dbus: $version"
	    note "the dbus package does not load; Tcl figures will fail"
	} else {
	    puts "dbus package: $version"
	    puts ""
	}
    }

    lassign [startDaemon bus] address
    set env(DBUS_SESSION_BUS_ADDRESS) $address
    set t0 [clock seconds]
    measure
    dbifMeasure
    peerMeasure
    subsMeasure
    ownMeasure
    proxyMeasure
    report
    subsReport
    if {$opt(profile) && [wanted instr]} {
	profileReport [expr {[tclWanted] ? {c tcl} : {c}}]
    }
    puts ""
    puts "elapsed: [expr {[clock seconds] - $t0}] s"
    if {$opt(keep)} {
	puts "kept: $tmp"
    }
    return [expr {[llength $failed] ? 1 : 0}]
}

set status 1
try {
    set status [bench::main $argv]
} on error {msg opts} {
    puts stderr "bench: [dict get $opts -errorinfo]"
    set status 1
} finally {
    bench::cleanup
}
exit $status
