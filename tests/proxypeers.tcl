# proxypeers.tcl --
#
#	Services no one here wrote, for the proxy and object-manager tests
#	(dbif-proxy.test, dbif-manager.test): one on GLib's GDBus through
#	python3-gi (Gio.DBusConnection.register_object, and an
#	Gio.DBusObjectManagerServer), one on python3-dbus (dbus.service).
#	Each reads commands from stdin, one per line, answers "ok" (or a
#	value) per command, and exits when stdin closes.  Sourced after
#	helpers.tcl and peers.tcl.
#
# Copyright (c) 2026 the tcl-dbus authors.
# See the file "README" for information on usage and redistribution.

namespace eval ::dbustest {}

# The GDBus service: interface org.tcltest.Types at /obj and /obj2.
# Commands:
#   pc PROP INT		set an int property, emit PropertiesChanged (changed)
#   inv PROP INT	set it, emit PropertiesChanged (invalidated)
#   ping N S		emit signal Ping(i, s)
#   get PROP		print a property's current value
set ::dbustest::gdbusScript {
import sys
from gi.repository import Gio, GLib
sys.excepthook = lambda *args: None	# a refused Set raises on purpose
XML = """<node>
 <interface name="org.tcltest.Types">
  <method name="Echo"><arg name="b" type="b" direction="in"/><arg name="y" type="y"/>
   <arg name="n" type="n"/><arg name="q" type="q"/><arg name="i" type="i"/>
   <arg name="u" type="u"/><arg name="x" type="x"/><arg name="t" type="t"/>
   <arg name="d" type="d"/><arg name="s" type="s"/><arg name="o" type="o"/>
   <arg name="g" type="g"/>
   <arg type="b" direction="out"/><arg type="y" direction="out"/><arg type="n" direction="out"/>
   <arg type="q" direction="out"/><arg type="i" direction="out"/><arg type="u" direction="out"/>
   <arg type="x" direction="out"/><arg type="t" direction="out"/><arg type="d" direction="out"/>
   <arg type="s" direction="out"/><arg type="o" direction="out"/><arg type="g" direction="out"/></method>
  <method name="Containers"><arg name="as" type="as"/><arg name="dict" type="a{sv}"/>
   <arg name="st" type="(isad)"/><arg name="v" type="v"/><arg name="ay" type="ay"/>
   <arg name="aai" type="aai"/><arg name="dii" type="a{ii}"/>
   <arg type="as" direction="out"/><arg type="a{sv}" direction="out"/>
   <arg type="(isad)" direction="out"/><arg type="v" direction="out"/>
   <arg type="ay" direction="out"/><arg type="aai" direction="out"/>
   <arg type="a{ii}" direction="out"/></method>
  <method name="Add"><arg name="a" type="i"/><arg name="b" type="i"/>
   <arg name="sum" type="i" direction="out"/></method>
  <method name="Nothing"/>
  <method name="Fail"><arg name="msg" type="s"/></method>
  <signal name="Ping"><arg name="n" type="i"/><arg name="s" type="s"/></signal>
  <property name="Volume" type="d" access="readwrite"/>
  <property name="Name" type="s" access="read"/>
  <property name="Secret" type="s" access="write"/>
  <property name="Count" type="i" access="readwrite"/>
  <property name="Live" type="i" access="read">
   <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="false"/>
  </property>
  <property name="Tags" type="a{sv}" access="read"/>
 </interface>
</node>"""
node = Gio.DBusNodeInfo.new_for_xml(XML)
iface = node.interfaces[0]
state = {"Volume": GLib.Variant("d", 0.5), "Name": GLib.Variant("s", "gdbus"),
         "Secret": GLib.Variant("s", ""), "Count": GLib.Variant("i", 1),
         "Tags": GLib.Variant("a{sv}", {"a": GLib.Variant("i", 1)})}
live = [100]
conn = Gio.DBusConnection.new_for_address_sync(sys.argv[1],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
    Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
def changed(path, name, inval=False):
    ch, iv = ({}, [name]) if inval else ({name: state[name]}, [])
    conn.emit_signal(None, path, "org.freedesktop.DBus.Properties",
        "PropertiesChanged", GLib.Variant("(sa{sv}as)", ("org.tcltest.Types", ch, iv)))
def method(c, sender, path, ifname, name, params, inv):
    if name in ("Echo", "Containers"):
        inv.return_value(params)
    elif name == "Add":
        a, b = params.unpack()
        inv.return_value(GLib.Variant("(i)", (a + b,)))
    elif name == "Nothing":
        inv.return_value(None)
    elif name == "Fail":
        inv.return_dbus_error("org.tcltest.Error.Failed", params.unpack()[0])
def get_prop(c, sender, path, ifname, name):
    if name == "Live":
        live[0] += 1
        return GLib.Variant("i", live[0])
    return state[name]
def set_prop(c, sender, path, ifname, name, value):
    if name == "Volume" and value.unpack() > 1.0:
        raise GLib.Error.new_literal(Gio.dbus_error_quark(), "volume too high",
                                     Gio.DBusError.INVALID_ARGS)
    state[name] = value
    changed(path, name)
    return True
for p in ("/obj", "/obj2"):
    conn.register_object(p, iface, method, get_prop, set_prop)
conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
    "org.freedesktop.DBus", "RequestName", GLib.Variant("(su)", (sys.argv[2], 0)),
    None, 0, -1, None)
def command(ch, cond):
    line = sys.stdin.readline()
    if not line or line.strip() == "quit":
        loop.quit()
        return False
    w = line.split()
    out = "ok"
    if w[0] in ("pc", "inv"):
        state[w[1]] = GLib.Variant("i", int(w[2]))
        changed("/obj", w[1], w[0] == "inv")
    elif w[0] == "ping":
        conn.emit_signal(None, "/obj", "org.tcltest.Types", "Ping",
                         GLib.Variant("(is)", (int(w[1]), w[2])))
    elif w[0] == "get":
        out = str(state[w[1]].unpack())
    conn.flush_sync(None)
    print(out, flush=True)
    return True
print("ready", flush=True)
loop = GLib.MainLoop()
GLib.io_add_watch(0, GLib.IO_IN | GLib.IO_HUP, command)
loop.run()
}

# The python3-dbus service: org.tcltest.Py at /py with typed methods
# (dbus.service signatures) and properties served by hand; Introspect
# counts its calls.  Commands: "count" prints the number of Introspect
# calls so far, "count Member" the calls of Member; "get PROP" prints a
# property.
set ::dbustest::pydbusScript {
import sys, os
import dbus, dbus.service, dbus.bus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(sys.argv[1])
name = dbus.service.BusName(sys.argv[2], bus)
PROPS = """
  <property name="Mode" type="s" access="readwrite"/>
  <property name="Level" type="u" access="read"/>
  <property name="Limits" type="(ii)" access="readwrite"/>
"""
calls = {}
def called(name):
    calls[name] = calls.get(name, 0) + 1
class Svc(dbus.service.Object):
    introspected = 0
    props = {"Mode": dbus.String("auto"), "Level": dbus.UInt32(7),
             "Limits": dbus.Struct((1, 10), signature="ii")}
    @dbus.service.method("org.tcltest.Py", in_signature="ybnqiuxtdsog",
                         out_signature="ybnqiuxtdsog")
    def Basic(self, y, b, n, q, i, u, x, t, d, s, o, g):
        called("Basic")
        return y, b, n, q, i, u, x, t, d, s, o, g
    @dbus.service.method("org.tcltest.Py", in_signature="a{sv}a(is)", out_signature="a{sv}a(is)")
    def Nested(self, d, l):
        return d, l
    @dbus.service.method("org.tcltest.Py", in_signature="s", out_signature="s")
    def Upper(self, s):
        return s.upper()
    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss", out_signature="v")
    def Get(self, i, p):
        called("Get")
        return self.props[p]
    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="s", out_signature="a{sv}")
    def GetAll(self, i):
        return self.props
    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ssv")
    def Set(self, i, p, v):
        if p == "Mode" and v == "bad":
            raise dbus.exceptions.DBusException("mode rejected",
                name="org.tcltest.Error.Rejected")
        self.props[p] = v
        self.PropertiesChanged(i, {p: v}, [])
    @dbus.service.signal("org.freedesktop.DBus.Properties", signature="sa{sv}as")
    def PropertiesChanged(self, i, changed, invalidated):
        pass
    @dbus.service.method("org.freedesktop.DBus.Introspectable", in_signature="",
                         out_signature="s", path_keyword="object_path",
                         connection_keyword="connection")
    def Introspect(self, object_path, connection):
        Svc.introspected += 1
        xml = dbus.service.Object.Introspect(self, object_path, connection)
        return xml.replace('<interface name="org.tcltest.Py">',
                           '<interface name="org.tcltest.Py">' + PROPS)
svc = Svc(bus, "/py")
def command(ch, cond):
    line = sys.stdin.readline()
    if not line or line.strip() == "quit":
        os._exit(0)
    w = line.split()
    if w[0] == "count" and len(w) > 1:
        print(calls.get(w[1], 0), flush=True)
    elif w[0] == "count":
        print(Svc.introspected, flush=True)
    elif w[0] == "get":
        print(svc.props[w[1]], flush=True)
    else:
        print("ok", flush=True)
    return True
GLib.io_add_watch(0, GLib.IO_IN | GLib.IO_HUP, command)
print("ready", flush=True)
GLib.MainLoop().run()
}

# ::dbustest::proxyPeer --
#
#	Start one of the services above (gdbus or pydbus) owning name;
#	returns its pipe once it serves.

proc ::dbustest::proxyPeer {kind name {address ""}} {
    if {$address eq ""} {
	set address $::env(DBUS_SESSION_BUS_ADDRESS)
    }
    set chan [python [set ::dbustest::${kind}Script] $address $name]
    if {[readLine $chan 20000] ne "ready"} {
	catch {close $chan}
	error "$kind peer did not start"
    }
    return $chan
}

# ::dbustest::tell --
#
#	Send a command to a service and return its one-line answer.

proc ::dbustest::tell {chan args} {
    puts $chan [join $args]
    flush $chan
    readLine $chan
}

# A GDBus (python3-gi) object manager at /om owning the given name: objects
# /om/dev<N> with interface org.tcltest.Device (property Level:i read,
# Alias:s readwrite, method Ping()->s), GetManagedObjects and the
# InterfacesAdded/Removed signals emitted with Gio.DBusConnection.
# (Gio.DBusObjectManagerServer needs GDBusInterfaceSkeleton subclasses,
# whose vfuncs python3-gi cannot override.)  Commands:
#   add N LEVEL		export /om/devN (InterfacesAdded)
#   del N		unexport it (InterfacesRemoved)
#   set N LEVEL		change Level (PropertiesChanged from /om/devN)
set ::dbustest::gdbusOmScript {
import sys
from gi.repository import Gio, GLib
XML = """<node>
<interface name="org.freedesktop.DBus.ObjectManager">
 <method name="GetManagedObjects"><arg type="a{oa{sa{sv}}}" direction="out"/></method>
 <signal name="InterfacesAdded"><arg type="o"/><arg type="a{sa{sv}}"/></signal>
 <signal name="InterfacesRemoved"><arg type="o"/><arg type="as"/></signal>
</interface>
<interface name="org.tcltest.Device">
 <method name="Ping"><arg type="s" direction="out"/></method>
 <property name="Level" type="i" access="read"/>
 <property name="Alias" type="s" access="readwrite"/>
</interface></node>"""
node = Gio.DBusNodeInfo.new_for_xml(XML)
omi, devi = node.interfaces
conn = Gio.DBusConnection.new_for_address_sync(sys.argv[1],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
    Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
devs = {}
def props(n):
    return {"Level": GLib.Variant("i", devs[n][0]),
            "Alias": GLib.Variant("s", "dev%d" % n)}
def om_call(c, sender, path, iface, name, params, inv):
    inv.return_value(GLib.Variant("(a{oa{sa{sv}}})", ({
        "/om/dev%d" % n: {"org.tcltest.Device": props(n)} for n in devs},)))
def dev_call(c, sender, path, iface, name, params, inv):
    inv.return_value(GLib.Variant("(s)", ("pong " + path,)))
def dev_get(c, sender, path, iface, name):
    return props(int(path[7:]))[name]
conn.register_object("/om", omi, om_call, None, None)
def add(n, level):
    reg = conn.register_object("/om/dev%d" % n, devi, dev_call, dev_get, None)
    devs[n] = [level, reg]
    conn.emit_signal(None, "/om", "org.freedesktop.DBus.ObjectManager",
        "InterfacesAdded", GLib.Variant("(oa{sa{sv}})",
        ("/om/dev%d" % n, {"org.tcltest.Device": props(n)})))
add(1, 10)
add(2, 20)
conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus",
    "org.freedesktop.DBus", "RequestName", GLib.Variant("(su)", (sys.argv[2], 0)),
    None, 0, -1, None)
def command(ch, cond):
    line = sys.stdin.readline()
    if not line or line.strip() == "quit":
        loop.quit()
        return False
    w = line.split()
    n = int(w[1])
    if w[0] == "add":
        add(n, int(w[2]))
    elif w[0] == "del":
        conn.unregister_object(devs[n][1])
        del devs[n]
        conn.emit_signal(None, "/om", "org.freedesktop.DBus.ObjectManager",
            "InterfacesRemoved", GLib.Variant("(oas)",
            ("/om/dev%d" % n, ["org.tcltest.Device"])))
    elif w[0] == "set":
        devs[n][0] = int(w[2])
        conn.emit_signal(None, "/om/dev%d" % n, "org.freedesktop.DBus.Properties",
            "PropertiesChanged", GLib.Variant("(sa{sv}as)",
            ("org.tcltest.Device", {"Level": GLib.Variant("i", int(w[2]))}, [])))
    conn.flush_sync(None)
    print("ok", flush=True)
    return True
print("ready", flush=True)
loop = GLib.MainLoop()
GLib.io_add_watch(0, GLib.IO_IN | GLib.IO_HUP, command)
loop.run()
}
