# client.tcl --
#
#	Example client of examples/service.tcl: calls its methods, hears
#	its signal, then asks it to quit.

package require dbus

dbus connect
set dest org.tcldbus.Demo
set path /org/tcldbus/Demo
set intf org.tcldbus.Demo

# Hear the service's signals.
dbus filter add -type signal -interface $intf
dbus listen $path $intf.Greeted {apply {{info name} {
    puts "signal Greeted from [dict get $info sender]: $name"
    set ::heard 1
}}}

puts "Echo -> [dbus call -dest $dest $path $intf Echo "hello, bus"]"
puts "Greet -> [dbus call -dest $dest $path $intf Greet Tcl]"
vwait heard

# An asynchronous call: the handler runs from the event loop.
dbus call -dest $dest -handler {apply {{info args} {
    puts "async Echo -> $args"
    set ::async 1
}}} $path $intf Echo "later"
vwait async

dbus call -dest $dest $path $intf Quit
puts "demo client done"
