# dbif.tcl --
#
#	Tcl half of the dbif package: the parts that are naturally Tcl.
#	The ensemble itself is created in C (generic/dbifCmd.c).

namespace eval ::dbus::dbif {}
