/*
 * dbusAddress.c --
 *
 *	Bus addresses for "dbus connect" (dbusConn.c): whether two
 *	addresses designate the same bus, the address a bus type is opened
 *	with (read from the environment at each call, not cached as libdbus
 *	does), and opening a registered private connection to a bus type or
 *	to an address.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <stdlib.h>

/*
 *----------------------------------------------------------------------
 *
 * DbusSameAddress --
 *
 *	Do two D-Bus addresses designate the same bus?  With guids on both
 *	sides the guids decide; otherwise the transport and the keys that
 *	locate the server must match.
 *
 * Results:
 *	1 when they do, else 0 (also when either does not parse).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusSameAddress(
    const char *a,
    const char *b)
{
    static const char *const keys[] = {
	"path", "tmpdir", "abstract", "runtime", "host", "port", "bind",
	"family", "dir", NULL
    };
    DBusAddressEntry **ea = NULL, **eb = NULL;
    int na = 0, nb = 0, same = 0, i;

    if (strcmp(a, b) == 0) {
	return 1;
    }
    if (!dbus_parse_address(a, &ea, &na, NULL)) {
	return 0;
    }
    if (!dbus_parse_address(b, &eb, &nb, NULL)) {
	dbus_address_entries_free(ea);
	return 0;
    }
    if (na > 0 && nb > 0) {
	const char *ga = dbus_address_entry_get_value(ea[0], "guid");
	const char *gb = dbus_address_entry_get_value(eb[0], "guid");

	if (ga != NULL && gb != NULL) {
	    same = strcmp(ga, gb) == 0;
	} else if (strcmp(dbus_address_entry_get_method(ea[0]),
		dbus_address_entry_get_method(eb[0])) == 0) {
	    same = 1;
	    for (i = 0; keys[i] != NULL; i++) {
		const char *va = dbus_address_entry_get_value(ea[0], keys[i]);
		const char *vb = dbus_address_entry_get_value(eb[0], keys[i]);

		if ((va == NULL) != (vb == NULL)
			|| (va != NULL && strcmp(va, vb) != 0)) {
		    same = 0;
		    break;
		}
	    }
	}
    }
    dbus_address_entries_free(ea);
    dbus_address_entries_free(eb);
    return same;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusAddress --
 *
 *	The address a connection of a bus type is opened with (what
 *	libdbus reads for dbus_bus_get_private), or the given address for
 *	a connection by address ("dbus info address").
 *
 * Results:
 *	A static or environment string; "" when libdbus picks the address
 *	itself (no session bus address in the environment).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

const char *
DbusBusAddress(
    int busType,		/* DBUS_BUS_* or -1 */
    const char *address)	/* the address when busType is -1 */
{
    const char *env = NULL;

    switch (busType) {
    case DBUS_BUS_SESSION:
	env = getenv("DBUS_SESSION_BUS_ADDRESS");
	break;
    case DBUS_BUS_SYSTEM:
	env = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	if (env == NULL) {
	    env = "unix:path=/var/run/dbus/system_bus_socket";
	}
	break;
    case DBUS_BUS_STARTER:
	env = getenv("DBUS_STARTER_ADDRESS");
	break;
    default:
	env = address;
	break;
    }
    return env ? env : "";
}

/*
 *----------------------------------------------------------------------
 *
 * DbusOpenBus --
 *
 *	Open a private connection to the session, system or starter bus at
 *	the address the environment names now.  libdbus reads those
 *	variables once per process (dbus_bus_get_private), so after the
 *	bus was lost and the variable changed (a new session, a restarted
 *	daemon) it would go on dialling the old address; we read them at
 *	each call and open the address ourselves.  Only when the
 *	environment names no session bus is libdbus left to find one (its
 *	autolaunch and $XDG_RUNTIME_DIR/bus rules).
 *
 * Results:
 *	The registered connection (Hello done), or NULL with an error in
 *	interp.
 *
 * Side effects:
 *	Connects and registers with the bus.
 *
 *----------------------------------------------------------------------
 */

DBusConnection *
DbusOpenBus(
    Tcl_Interp *interp,
    int busType)		/* DBUS_BUS_SESSION, _SYSTEM, _STARTER */
{
    const char *address = DbusBusAddress(busType, NULL);
    DBusConnection *conn;
    DBusError err;

    dbus_error_init(&err);
    if (*address == '\0') {
	conn = dbus_bus_get_private((DBusBusType) busType, &err);
    } else {
	conn = dbus_connection_open_private(address, &err);
	if (conn != NULL && !dbus_bus_register(conn, &err)) {
	    dbus_connection_close(conn);
	    dbus_connection_unref(conn);
	    conn = NULL;
	}
    }
    if (conn == NULL) {
	DbusLibError(interp, DBUS_EC_CONNECT, "Connection Error", &err);
    }
    return conn;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusOpenAddress --
 *
 *	Open a private connection to a bus at a D-Bus address and register
 *	with it (Hello).
 *
 * Results:
 *	The registered connection (owned by the caller), or NULL with
 *	`bad busId` {DBUS BUSID address} for an address libdbus cannot
 *	parse, or {DBUS CONNECT ...} when connecting or Hello fails.
 *
 * Side effects:
 *	Connects and registers with the bus.
 *
 *----------------------------------------------------------------------
 */

DBusConnection *
DbusOpenAddress(
    Tcl_Interp *interp,
    const char *address)
{
    DBusAddressEntry **entries;
    DBusConnection *conn;
    DBusError err;
    int nEntries;

    if (!dbus_parse_address(address, &entries, &nEntries, NULL)) {
	DbusError(interp, DBUS_EC_BUSID, address, NULL, "bad busId \"%s\"",
		address);
	return NULL;
    }
    dbus_address_entries_free(entries);
    dbus_error_init(&err);
    conn = dbus_connection_open_private(address, &err);
    if (conn == NULL) {
	DbusLibError(interp, DBUS_EC_CONNECT, "Connection Error", &err);
	return NULL;
    }
    if (!dbus_bus_register(conn, &err)) {
	dbus_connection_close(conn);
	dbus_connection_unref(conn);
	DbusLibError(interp, DBUS_EC_CONNECT, "Connection Error", &err);
	return NULL;
    }
    return conn;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
