# client.tcl --
#
#	Example client of examples/service.tcl: introspects the object,
#	calls its methods, changes a property, hears the service's signal
#	and the PropertiesChanged signal, then asks it to quit.

package require dbif

dbif connect
set dest org.tcldbus.Demo
set path /org/tcldbus/Demo
set intf org.tcldbus.Demo
set prop org.freedesktop.DBus.Properties

# Hear the service's signals (dbif listen adds the match rules).
dbif listen -interface $intf $path Greeted {name:s count:u} {
    puts "signal Greeted: $name (visitor $count)"
    set ::heard 1
}
dbif listen -interface $prop $path PropertiesChanged \
	{intf:s changed:a{sv} invalidated:as} {
    puts "signal PropertiesChanged: $changed"
    if {[dict exists $changed Greeting]} {set ::changed 1}
}

set xml [dbus call -dest $dest $path org.freedesktop.DBus.Introspectable \
	Introspect]
puts "Introspect -> methods:\
	[regexp -all -inline {method name="[A-Za-z]+"} $xml]"

puts "Echo -> [dbus call -dest $dest -signature s $path $intf Echo \
	"hello, bus"]"
puts "Add -> [dbus call -dest $dest -signature ii $path $intf Add 40 2]"
puts "Greet -> [dbus call -dest $dest -signature s $path $intf Greet Tcl]"
vwait heard

# Change a property: the value goes out as a variant {signature value}.
dbus call -dest $dest -signature ssv $path $prop Set $intf Greeting \
	{s Bonjour}
vwait changed
puts "Greet -> [dbus call -dest $dest -signature su $path $intf Greet \
	Tcl 2]"
if {[catch {dbus call -dest $dest -signature ssv $path $prop Set $intf \
	Greeting {s ""}} msg]} {
    puts "Set Greeting \"\" refused: $msg"
}
puts "GetAll -> [dbus call -dest $dest -signature s $path $prop GetAll \
	$intf]"

# An asynchronous call: the handler runs from the event loop.
dbus call -dest $dest -signature s -handler {apply {{info args} {
    puts "async Echo -> $args"
    set ::async 1
}}} $path $intf Echo "later"
vwait async

dbus call -dest $dest $path $intf Quit
puts "demo client done"
