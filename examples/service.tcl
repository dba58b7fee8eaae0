# service.tcl --
#
#	Example D-Bus service written with dbif: owns org.tcldbus.Demo on
#	the session bus and publishes /org/tcldbus/Demo with typed methods,
#	a property clients may change (with a check), a read-only property,
#	and a signal.  Prints "ready" once it owns its name; stops when a
#	client calls Quit.

package require dbif

set myname org.tcldbus.Demo
if {$myname ni [dbif connect $myname]} {
    puts stderr "$myname is already taken"
    exit 1
}
# The first acquired name is now the default interface.
set path /org/tcldbus/Demo

# Properties are global variables; every change is announced with one
# PropertiesChanged signal per event-loop turn.
set greeting Hello
set visitors 0
dbif property -attributes {Description "Word used by Greet"} \
	$path Greeting:s greeting {
    if {$Greeting eq ""} {error "the greeting must not be empty"}
}
dbif property -access read $path Visitors:u visitors

# A signal, emitted with "dbif generate".
set greeted [dbif signal $path Greeted {name:s count:u}]

# Echo(s) -> s
dbif method $path Echo {text:s} {reply:s} {
    return $text
}

# Greet(s) -> s, with an optional repeat count: Greet(s) and Greet(su).
dbif method $path Greet {name:s {times:u 1}} {reply:s} {
    incr ::visitors
    dbif generate $::greeted $name $::visitors
    string repeat "$::greeting, $name! " $times
}

# Add(i, i) -> x
dbif method $path Add {a:i b:i} {sum:x} {
    expr {wide($a) + $b}
}

# Quit(): reply, then leave the event loop.
dbif method $path Quit {} {} {
    after 100 {set ::done 1}
}

puts ready
flush stdout
vwait done
