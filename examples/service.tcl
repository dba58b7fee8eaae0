# service.tcl --
#
#	Example D-Bus service in Tcl: owns org.tcldbus.Demo on the session
#	bus and serves /org/tcldbus/Demo.  Prints "ready" once it owns its
#	name; stops when a client calls Quit.

package require dbus

dbus connect
dbus name org.tcldbus.Demo

set path /org/tcldbus/Demo
set intf org.tcldbus.Demo

# Echo(s) -> s: a plain handler's result is the reply.
dbus method $path $intf.Echo {apply {{info text} {
    return $text
}}}

# Greet(s) -> s, and announce the visitor with a Greeted(s) signal.
dbus method $path $intf.Greet {apply {{info name} {
    dbus signal -signature s $::path $::intf Greeted $name
    return "Hello, $name!"
}}}

# Quit(): reply, then leave the event loop.
dbus method $path $intf.Quit {apply {{info} {
    after idle {set ::done 1}
    return ""
}}}

puts ready
flush stdout
vwait done
