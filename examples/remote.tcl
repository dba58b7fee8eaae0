# remote.tcl --
#
#	A Tk media remote control for MPRIS players (music and video players
#	that implement org.mpris.MediaPlayer2 on the session bus, such as
#	examples/mpris-player.tcl, VLC, Rhythmbox or a web browser):
#
#	    tclsh examples/remote.tcl	(or: wish examples/remote.tcl)
#
#	It lists the players on the bus and keeps the list current by
#	watching bus names, shows the track and playback status of the
#	selected player, has Previous / Play-Pause / Next buttons and a
#	volume slider bound to the player's Volume property.
#
#	Every call is asynchronous (dbus call -handler), so the window stays
#	responsive when a player is slow, hangs or goes away: the status line
#	says what is being waited for, and errors are shown there too.
#
#	Everything lives in namespace ::remote; the widgets are
#	.players (listbox; ::remote::listed has the bus names of its lines),
#	.info.title, .info.artist, .info.status (labels),
#	.buttons.prev, .buttons.play, .buttons.next, .volume.scale and
#	.message.  The test suite drives them under Xvfb.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

package require Tk
package require dbus

namespace eval ::remote {
    variable prefix org.mpris.MediaPlayer2
    variable path /org/mpris/MediaPlayer2
    variable player org.mpris.MediaPlayer2.Player
    variable props org.freedesktop.DBus.Properties
    variable timeout 10000	;# ms a player gets to answer a call
    variable owners		;# array: player bus name -> unique name
    array set owners {}
    variable identity		;# array: player bus name -> its Identity
    array set identity {}
    variable listed {}		;# bus names in the order of .players
    variable selected ""	;# bus name of the selected player
    variable subscription ""	;# dbus subscribe id: its PropertiesChanged
    variable pending 0		;# control calls waiting for an answer
    variable volumeSent ""	;# Volume value of a Set in flight
    variable volumeWanted ""	;# latest slider value not yet sent
    # What the window shows (widget -textvariable / -variable).
    variable title ""
    variable artist ""
    variable status ""
    variable volume 0.0
    variable message ""
}

# ::remote::call --
#
#	Call method of interface at the selected player (or dest), without
#	waiting; done is a command prefix run with the info dictionary and
#	the reply's arguments, as for dbus call -handler.

proc ::remote::call {dest interface method signature args} {
    variable path
    variable timeout
    set done [lindex $args end]
    dbus call -dest $dest -timeout $timeout -signature $signature \
	    -handler $done $path $interface $method {*}[lrange $args 0 end-1]
}

# ::remote::failed --
#
#	True (and the error shown on the status line) when info describes
#	an error reply.

proc ::remote::failed {info what reply} {
    if {[dict get $info messagetype] ne "error"} {
	return 0
    }
    set name [dict get $info errorname]
    set text [lindex $reply 0]
    switch -- $name {
	org.freedesktop.DBus.Error.NoReply {set text "no answer"}
	org.freedesktop.DBus.Error.ServiceUnknown {set text "player is gone"}
    }
    set ::remote::message "$what: $text"
    return 1
}

# --- Which players are there: bus names org.mpris.MediaPlayer2.* ---

# ::remote::watchNames --
#
#	Hear about every player that appears or goes (the bus daemon's
#	NameOwnerChanged for names below org.mpris.MediaPlayer2), then ask
#	for the players already there.  The subscription comes first, so no
#	player can appear unnoticed in between.

proc ::remote::watchNames {} {
    variable prefix
    dbus subscribe -sender org.freedesktop.DBus -path /org/freedesktop/DBus \
	    -interface org.freedesktop.DBus -member NameOwnerChanged \
	    -arg0namespace $prefix ::remote::ownerChanged
    dbus call -dest org.freedesktop.DBus -handler ::remote::gotNames \
	    /org/freedesktop/DBus org.freedesktop.DBus ListNames
}

proc ::remote::gotNames {info names} {
    variable prefix
    if {[failed $info "list of names" [list $names]]} return
    foreach name $names {
	if {[string match $prefix.* $name]} {
	    dbus call -dest org.freedesktop.DBus -signature s \
		    -handler [list ::remote::gotOwner $name] \
		    /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner $name
	}
    }
}

proc ::remote::gotOwner {name info args} {
    # An error means the player left meanwhile; NameOwnerChanged says so.
    if {[dict get $info messagetype] ne "error"} {
	ownerChanged {} $name "" [lindex $args 0]
    }
}

# ::remote::ownerChanged --
#
#	A player appeared (new owner), went away (no owner) or was replaced
#	by another process.

proc ::remote::ownerChanged {info name old new} {
    variable prefix
    variable owners
    variable selected
    if {![string match $prefix.* $name]} return
    if {$new eq ""} {
	unset -nocomplain owners($name) ::remote::identity($name)
    } else {
	set owners($name) $new
	# Its name for people, from org.mpris.MediaPlayer2.Identity.
	call $name $::remote::props Get ss $prefix Identity \
		[list ::remote::gotIdentity $name $new]
    }
    showPlayers
    if {$name eq $selected} {
	if {$new eq ""} {
	    select ""
	} else {
	    select $name	;# a new process: read everything again
	}
    }
    if {$selected eq "" && [array size owners]} {
	select [lindex [lsort [array names owners]] 0]
    }
}

proc ::remote::gotIdentity {name owner info args} {
    variable owners
    if {[dict get $info messagetype] ne "error" &&
	    [info exists owners($name)] && $owners($name) eq $owner} {
	set ::remote::identity($name) [lindex $args 0]
	showPlayers
    }
}

# ::remote::showPlayers --
#
#	Fill the list: "Identity (name)" for each player, sorted by bus
#	name; ::remote::listed keeps the bus names in the same order.

proc ::remote::showPlayers {} {
    variable owners
    variable identity
    variable selected
    variable listed
    .players delete 0 end
    set listed [lsort [array names owners]]
    foreach name $listed {
	set text [shortName $name]
	if {[info exists identity($name)]} {
	    set text "$identity($name) ($text)"
	}
	.players insert end $text
	if {$name eq $selected} {
	    .players selection set end
	}
    }
}

# --- The selected player ---

# ::remote::select --
#
#	Show the player name ("" for none): subscribe to its
#	PropertiesChanged signals (with the well-known name as -sender, the
#	subscription follows whichever process owns the name) and read its
#	properties.

proc ::remote::select {name} {
    variable selected
    variable subscription
    variable path
    variable props
    variable player
    variable title
    variable artist
    variable status
    variable volumeWanted
    set volumeWanted ""		;# meant for the player shown before
    if {$subscription ne ""} {
	dbus unsubscribe $subscription
	set subscription ""
    }
    set selected $name
    set title ""
    set artist ""
    set status ""
    showPlayers
    if {$name eq ""} {
	set status "no player"
	.buttons.play configure -text Play
	return
    }
    set subscription [dbus subscribe -sender $name -path $path \
	    -interface $props -member PropertiesChanged -arg0 $player \
	    [list ::remote::propertiesChanged $name]]
    set status "asking..."
    call $name $props GetAll s $player [list ::remote::gotAll $name]
}

proc ::remote::gotAll {name info args} {
    variable selected
    if {$name ne $selected} return	;# the user chose another meanwhile
    if {[failed $info "reading [shortName $name]" $args]} {
	set ::remote::status "?"
	return
    }
    show [lindex $args 0]
}

# ::remote::propertiesChanged --
#
#	PropertiesChanged of the player's org.mpris.MediaPlayer2.Player,
#	from the player the subscription was made for.

proc ::remote::propertiesChanged {name info interface changed invalidated} {
    variable selected
    variable player
    variable props
    if {$name ne $selected} {
	return			;# queued before the user chose another
    }
    show $changed
    if {[llength $invalidated]} {
	call $selected $props GetAll s $player \
		[list ::remote::gotAll $selected]
    }
}

# ::remote::show --
#
#	Show property values (a dictionary name -> value, as GetAll and
#	PropertiesChanged give them).

proc ::remote::show {values} {
    variable volumeSent
    dict for {key value} $values {
	switch -- $key {
	    PlaybackStatus {
		set ::remote::status $value
		.buttons.play configure \
			-text [expr {$value eq "Playing" ? "Pause" : "Play"}]
	    }
	    Metadata {
		set ::remote::title [expr {[dict exists $value xesam:title]
			? [dict get $value xesam:title] : "(no title)"}]
		set ::remote::artist [expr {[dict exists $value xesam:artist]
			? [join [dict get $value xesam:artist] ", "] : ""}]
	    }
	    Volume {
		# Not while the user drags the slider (our Set is in flight).
		if {$volumeSent eq ""} {
		    set ::remote::volume $value
		}
	    }
	}
    }
}

proc ::remote::shortName {name} {
    return [string range $name [string length $::remote::prefix.] end]
}

# --- Controls ---

# ::remote::control --
#
#	Play/Pause/Next/...: send the call and let the reply come when it
#	comes; the status line says what is still waited for.

proc ::remote::control {method} {
    variable selected
    variable player
    variable pending
    if {$selected eq ""} {
	set ::remote::message "no player selected"
	return
    }
    incr pending
    set ::remote::message "$method: waiting for [shortName $selected]..."
    call $selected $player $method "" [list ::remote::controlDone $method]
}

proc ::remote::controlDone {method info args} {
    variable pending
    incr pending -1
    if {![failed $info $method $args]} {
	set ::remote::message [expr {$pending ? "still waiting..." : ""}]
    }
}

# ::remote::volumeMoved --
#
#	The slider moved (the scale's -command).  One Set is in flight at a
#	time; when it is answered the latest position is sent, so a slow
#	player gets the final value without a queue of stale ones.

proc ::remote::volumeMoved {value} {
    variable volumeSent
    variable volumeWanted
    variable selected
    variable props
    variable player
    if {$selected eq ""} return
    set volumeWanted $value
    if {$volumeSent ne ""} return
    set volumeSent $value
    set volumeWanted ""
    call $selected $props Set ssv $player Volume [list d $value] \
	    ::remote::volumeDone
}

proc ::remote::volumeDone {info args} {
    variable volumeSent
    variable volumeWanted
    failed $info "volume" $args
    set volumeSent ""
    if {$volumeWanted ne ""} {
	volumeMoved $volumeWanted
    }
}

# --- The window ---

proc ::remote::window {} {
    wm title . "Tcl media remote"
    ttk::label .heading -text "Players on the session bus"
    listbox .players -height 4 -exportselection 0 -activestyle none
    bind .players <<ListboxSelect>> {
	set i [.players curselection]
	if {$i ne ""} {
	    ::remote::select [lindex $::remote::listed $i]
	}
    }
    ttk::frame .info
    foreach {w label} {title Title artist Artist status Status} {
	ttk::label .info.l$w -text $label:
	ttk::label .info.$w -textvariable ::remote::$w -width 32
	grid .info.l$w .info.$w -sticky w -padx 4
    }
    ttk::frame .buttons
    ttk::button .buttons.prev -text Previous \
	    -command {::remote::control Previous}
    ttk::button .buttons.play -text Play -command {::remote::control PlayPause}
    ttk::button .buttons.next -text Next -command {::remote::control Next}
    pack .buttons.prev .buttons.play .buttons.next -side left -padx 4
    ttk::frame .volume
    ttk::label .volume.label -text Volume
    scale .volume.scale -orient horizontal -from 0 -to 1 -resolution 0.01 \
	    -variable ::remote::volume -showvalue 1 -length 220 \
	    -command ::remote::volumeMoved
    pack .volume.label -side left -padx 4
    pack .volume.scale -side left -fill x -expand 1
    ttk::label .message -textvariable ::remote::message -foreground gray30
    pack .heading -anchor w -padx 6 -pady {6 0}
    pack .players -fill x -padx 6
    pack .info -anchor w -pady 6
    pack .buttons -pady 4
    pack .volume -fill x -padx 6
    pack .message -anchor w -padx 6 -pady 6
}

proc ::remote::main {} {
    window
    dbus connect
    select ""
    watchNames
}

::remote::main
