# mpris-player.tcl --
#
#	A media player that plays nothing, written with dbif: it implements
#	the MPRIS D-Bus interface (org.mpris.MediaPlayer2 and
#	org.mpris.MediaPlayer2.Player, https://specifications.freedesktop.org/
#	mpris-spec/latest/) on the session bus, so that desktop tools such as
#	playerctl, desktop media widgets and examples/remote.tcl can show and
#	control it.  Its playlist is three made-up tracks; "playing" moves
#	the position with the clock.
#
#	    tclsh examples/mpris-player.tcl ?option value ...?
#
#	-name NAME	bus name org.mpris.MediaPlayer2.NAME (default tcldemo)
#	-identity TEXT	the Identity property (default "Tcl demo player")
#	-delay MS	answer Play, Pause, Next, ... only after MS milliseconds
#			(a slow player, to see that a client stays responsive)
#	-stdin BOOL	read commands from standard input, one per line (used
#			by the test suite; default 0), and leave at its end:
#			    state	print status, track title and volume
#			    act A	do A (Play, Pause, Next...) as if asked
#			    volume V	set the volume to V
#			    quit	leave
#
#	Prints "ready" once it owns its name; ends on Quit, or when the bus
#	goes away.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require dbif

namespace eval ::player {
    variable opt [dict create -name tcldemo -identity "Tcl demo player" \
	    -delay 0 -stdin 0]
    variable path /org/mpris/MediaPlayer2
    variable root org.mpris.MediaPlayer2
    variable intf org.mpris.MediaPlayer2.Player
    variable startedAt 0	;# clock ms when play started (or resumed)
    variable offset 0		;# position (us) at startedAt / when paused
    variable current 0		;# index into tracks
    # Playlist: title, artists (a list: MPRIS says "as"), album, length us.
    variable tracks {
	{"Event Loop Blues" {"The Notifiers"} "Idle Callbacks" 184000000}
	{"Variant Waltz" {"Ann Signature" "Bo Marshal"} "Typed Values" 212000000}
	{"Name Owner Changed" {"The Well-Known Names"} "Bus Daemon" 97000000}
    }
}

foreach {key value} $argv {
    if {![dict exists $::player::opt $key]} {
	puts stderr "usage: [file tail [info script]]\
		?-name NAME? ?-identity TEXT? ?-delay MS? ?-stdin BOOL?"
	exit 2
    }
    dict set ::player::opt $key $value
}

# ::player::metadata --
#
#	The Metadata dictionary of track i: every value is a variant in the
#	explicit form {signature value}, so the track id goes out as an
#	object path (o) and the artists as a string array (as), as MPRIS
#	requires.

proc ::player::metadata {i} {
    variable tracks
    lassign [lindex $tracks $i] title artists album length
    dict create \
	    mpris:trackid [list o /org/tcldbus/Player/track/$i] \
	    mpris:length [list x $length] \
	    xesam:title [list s $title] \
	    xesam:artist [list as $artists] \
	    xesam:album [list s $album]
}

# ::player::position --
#
#	Read trace of the Position property: the position is computed when a
#	client asks (the property is declared EmitsChangedSignal false).

proc ::player::position {args} {
    variable startedAt
    variable offset
    if {$::player::status eq "Playing"} {
	set ::player::pos [expr {$offset +
		([clock milliseconds] - $startedAt) * 1000}]
    } else {
	set ::player::pos $offset
    }
}

# ::player::act --
#
#	Carry out one control action: Play, Pause, PlayPause, Stop, Next,
#	Previous.  Changing the variables is all it takes: dbif sends one
#	PropertiesChanged for them at the next idle point.

proc ::player::act {action} {
    variable tracks
    variable current
    variable startedAt
    variable offset
    variable status
    if {$action eq "PlayPause"} {
	set action [expr {$status eq "Playing" ? "Pause" : "Play"}]
    }
    switch -- $action {
	Play {
	    if {$status ne "Playing"} {
		set startedAt [clock milliseconds]
		set status Playing
	    }
	}
	Pause {
	    if {$status eq "Playing"} {
		position
		set offset $::player::pos
		set status Paused
	    }
	}
	Stop {
	    set offset 0
	    set status Stopped
	}
	Next - Previous {
	    set step [expr {$action eq "Next" ? 1 : -1}]
	    set current [expr {($current + $step) % [llength $tracks]}]
	    set ::player::meta [metadata $current]
	    set offset 0
	    set startedAt [clock milliseconds]
	}
    }
}

# ::player::seekTo --
#
#	Move to position us (clamped to the track) and say so with Seeked.

proc ::player::seekTo {us} {
    variable tracks
    variable current
    variable offset
    variable startedAt
    set length [lindex $tracks $current 3]
    set offset [expr {max(0, min($us, $length))}]
    set startedAt [clock milliseconds]
    dbif generate $::player::seeked $offset
}

# ::player::control --
#
#	Body of the control methods: answers at once, or after -delay ms.
#	The action happens when the call is answered, as a slow player
#	would do it.

proc ::player::control {msgid action} {
    set delay [dict get $::player::opt -delay]
    if {$delay > 0} {
	after $delay [list ::player::answer $msgid $action]
    } else {
	answer $msgid $action
    }
}

proc ::player::answer {msgid action} {
    act $action
    # The caller may have given up already (timeout): that is fine.
    catch {dbif return $msgid ""}
}

# ::player::command --
#
#	One line from standard input (-stdin 1).  These come from the
#	local user or test, never from the bus.

proc ::player::command {} {
    if {[gets stdin line] < 0} {
	exit 0
    }
    set words [regexp -all -inline {\S+} $line]
    lassign $words command arg
    switch -- $command {
	state {
	    puts [list $::player::status \
		    [lindex [dict get $::player::meta xesam:title] 1] \
		    $::player::volume]
	}
	act {
	    if {$arg ni {Play Pause PlayPause Stop Next Previous}} {
		puts "unknown action: $arg"
	    } else {
		act $arg
		puts done
	    }
	}
	volume {
	    if {![string is double -strict $arg]} {
		puts "not a number: $arg"
	    } else {
		set ::player::volume $arg
		puts done
	    }
	}
	quit {
	    exit 0
	}
	default {
	    puts "unknown command: $line"
	}
    }
}

# --- The bus name and the objects. ---

set ::player::name $::player::root.[dict get $::player::opt -name]
if {$::player::name ni [dbif connect $::player::name]} {
    puts stderr "$::player::name is already taken"
    exit 1
}

namespace eval ::player {
    # org.mpris.MediaPlayer2: the application.
    set identity [dict get $opt -identity]
    set yes 1
    set no 0
    set schemes {}
    set mimetypes {}
    set const {Property.EmitsChangedSignal const}
    dbif property -interface $root -access read -attributes $const \
	    $path Identity:s ::player::identity
    foreach prop {CanQuit CanRaise HasTrackList} var {yes no no} {
	dbif property -interface $root -access read -attributes $const \
		$path $prop:b ::player::$var
    }
    dbif property -interface $root -access read -attributes $const \
	    $path SupportedUriSchemes:as ::player::schemes
    dbif property -interface $root -access read -attributes $const \
	    $path SupportedMimeTypes:as ::player::mimetypes
    dbif method -interface $root $path Raise {} {} {
	return			;# no window to raise
    }
    dbif method -interface $root $path Quit {} {} {
	after 100 exit
    }

    # org.mpris.MediaPlayer2.Player: playback.
    set status Stopped
    set meta [metadata 0]
    set volume 0.8
    set rate 1.0
    set pos 0
    dbif property -interface $intf -access read $path PlaybackStatus:s \
	    ::player::status
    dbif property -interface $intf -access read $path Metadata:a{sv} \
	    ::player::meta
    # MPRIS: a negative volume means 0.0.
    dbif property -interface $intf $path Volume:d ::player::volume {
	if {$Volume < 0} {
	    after idle {set ::player::volume 0.0}
	}
    }
    dbif property -interface $intf $path Rate:d ::player::rate {
	if {$Rate != 1.0} {error "this player plays at rate 1.0 only"}
    }
    dbif property -interface $intf -access read $path MinimumRate:d \
	    ::player::rate
    dbif property -interface $intf -access read $path MaximumRate:d \
	    ::player::rate
    dbif property -interface $intf -access read \
	    -attributes {Property.EmitsChangedSignal false} \
	    $path Position:x ::player::pos
    trace add variable ::player::pos read ::player::position
    foreach prop {CanGoNext CanGoPrevious CanPlay CanPause CanControl} {
	dbif property -interface $intf -access read $path $prop:b \
		::player::yes
    }
    dbif property -interface $intf -access read $path CanSeek:b ::player::yes

    foreach action {Play Pause PlayPause Stop Next Previous} {
	dbif method -async -interface $intf $path $action {} {} \
		"::player::control \$msgid $action"
    }
    dbif method -interface $intf $path Seek {offset:x} {} {
	position
	seekTo [expr {$::player::pos + $offset}]
    }
    dbif method -interface $intf $path SetPosition {track:o position:x} {} {
	# MPRIS: ignored unless track is the current one
	if {$track eq [lindex [dict get $::player::meta mpris:trackid] 1]} {
	    seekTo $position
	}
    }
    dbif method -interface $intf $path OpenUri {uri:s} {} {
	error "this player cannot open $uri"
    }
    variable seeked [dbif signal -interface $intf $path Seeked {position:x}]
}

# A player without a bus has nothing to do.
dbus listen [dbus info local] org.freedesktop.DBus.Local.Disconnected \
	{apply {{info} {exit 0}}}

if {[dict get $::player::opt -stdin]} {
    fconfigure stdout -buffering line
    fileevent stdin readable ::player::command
}
puts ready
flush stdout
vwait forever
