/*
 * dbusPeer.c --
 *
 *	"dbus connect -peer": the client side of a peer-to-peer connection
 *	(no bus daemon, no Hello, no unique name).  Opening one waits for
 *	the authentication and one Ping round trip, serving the thread's
 *	other connections and servers meanwhile, so that a server's refusal
 *	is an error of the connect.  The listening side is dbusServer.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * PeerPing --
 *
 *	One round trip (org.freedesktop.DBus.Peer.Ping; any answer will do)
 *	before a peer connection is handed out.  A server that refuses the
 *	client only once the handshake is over (libdbus checks the uid when
 *	BEGIN arrives) has closed the connection by then, so the refusal is
 *	an error of "dbus connect -peer" and not of the first call; and the
 *	server has left its authentication mode, in which libdbus reads
 *	without taking file descriptors, so a first message carrying one
 *	cannot lose it.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {DBUS CONNECT AUTHFAILED ...} when the
 *	connection was closed, {DBUS CONNECT TIMEOUT ...} without answer
 *	before the deadline.
 *
 * Side effects:
 *	Sends a Ping and waits for its answer (DbusWaitReply), serving the
 *	thread's connections meanwhile; the pending record is freed here.
 *
 *----------------------------------------------------------------------
 */

static int
PeerPing(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_WideInt deadline,
    const char *address)
{
    DBusMessage *msg = dbus_message_new_method_call(NULL, "/",
	    DBUS_INTERFACE_PEER, "Ping");
    DbusPending *pendPtr;
    dbus_uint32_t serial;
    const char *errName = NULL;
    Tcl_WideInt left = deadline - DbusMonotonicMs();
    int code = TCL_OK;

    if (msg == NULL || !dbus_connection_send(connPtr->conn, msg, &serial)) {
	if (msg != NULL) {
	    dbus_message_unref(msg);
	}
	return DbusNoMemory(interp);
    }
    dbus_message_unref(msg);
    pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_WAIT, interp,
	    NULL, 0, (int) (left < 1 ? 1 : left));
    DbusWaitReply(pendPtr, 0);
    if (pendPtr->reply != NULL
	    && dbus_message_get_type(pendPtr->reply) == DBUS_MESSAGE_TYPE_ERROR) {
	errName = dbus_message_get_error_name(pendPtr->reply);
    }
    if (pendPtr->reply == NULL || (errName != NULL
	    && strcmp(errName, DBUS_ERROR_DISCONNECTED) == 0)) {
	code = DbusError(interp, DBUS_EC_CONNECT, "AUTHFAILED",
		DBUS_ERROR_AUTH_FAILED, "Connection Error: the server at "
		"\"%s\" closed the connection", address);
    } else if (errName != NULL && strcmp(errName, DBUS_ERROR_NO_REPLY) == 0) {
	code = DbusError(interp, DBUS_EC_CONNECT, "TIMEOUT",
		DBUS_ERROR_TIMEOUT, "Connection Error: no answer from the "
		"server at \"%s\"", address);
    }
    DbusPendingFree(pendPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnectPeer --
 *
 *	"dbus connect -peer address": a connection to a peer-to-peer server
 *	(a "dbus server", a GDBusServer, a dbus.server.Server...), without
 *	Hello and thus without a unique name.  Waits (serving the thread's
 *	other connections and servers, like a synchronous call) until the
 *	authentication has finished and the server has answered a Ping
 *	(PeerPing), so that a refused client gets its error here; not for
 *	a server of this very thread, which answers only from the event
 *	loop.
 *
 * Results:
 *	TCL_OK with *connPtrPtr set to a new dbusN connection, or
 *	TCL_ERROR: {DBUS CONNECT NAME errorName} from libdbus (bad address,
 *	nobody listening...), {DBUS CONNECT AUTHFAILED
 *	org.freedesktop.DBus.Error.AuthFailed} when the server closed the
 *	connection during authentication, {DBUS CONNECT TIMEOUT
 *	org.freedesktop.DBus.Error.Timeout} after 25 seconds without an
 *	answer.
 *
 * Side effects:
 *	Opens a private connection (a listed dbusN record, DbusConnOpenPeer)
 *	and waits for its authentication and the Ping; on failure the
 *	connection is closed (DbusConnClose); on success interp is attached to
 *	it (DbusConnAttach).
 *
 *----------------------------------------------------------------------
 */

int
DbusConnectPeer(
    Tcl_Interp *interp,
    Tcl_Obj *addrObj,
    DbusConn **connPtrPtr)
{
    DbusThreadData *tsdPtr = DbusGetThreadData();
    const char *address = Tcl_GetString(addrObj);
    DBusAddressEntry **entries;
    DBusConnection *conn;
    DbusConn *connPtr;
    DBusError err;
    Tcl_WideInt deadline;
    int nEntries, authenticated = 0;

    dbus_error_init(&err);
    if (!dbus_parse_address(address, &entries, &nEntries, &err)) {
	return DbusLibError(interp, DBUS_EC_CONNECT, "Connection Error",
		&err);
    }
    dbus_address_entries_free(entries);
    conn = dbus_connection_open_private(address, &err);
    if (conn == NULL) {
	return DbusLibError(interp, DBUS_EC_CONNECT, "Connection Error",
		&err);
    }
    connPtr = DbusConnOpenPeer(tsdPtr, conn, address);
    if (connPtr == NULL) {
	return DbusNoMemory(interp);
    }

    deadline = DbusMonotonicMs() + DBUS_DEFAULT_TIMEOUT;
    Tcl_Preserve(connPtr);
    while (!(connPtr->flags & DBUS_CONN_CLOSED)
	    && dbus_connection_get_is_connected(conn)
	    && !(authenticated = dbus_connection_get_is_authenticated(conn))) {
	Tcl_WideInt left = deadline - DbusMonotonicMs();

	if (left <= 0) {
	    break;
	}
	DbusWatchWait(tsdPtr, (int) left);
    }
    if (!authenticated || (connPtr->flags & DBUS_CONN_CLOSED)
	    || !dbus_connection_get_is_connected(conn)) {
	int timedOut = !(connPtr->flags & DBUS_CONN_CLOSED)
		&& dbus_connection_get_is_connected(conn);

	DbusConnClose(connPtr);
	Tcl_Release(connPtr);
	if (timedOut) {
	    return DbusError(interp, DBUS_EC_CONNECT, "TIMEOUT",
		    DBUS_ERROR_TIMEOUT, "Connection Error: no answer from "
		    "the server at \"%s\"", address);
	}
	return DbusError(interp, DBUS_EC_CONNECT, "AUTHFAILED",
		DBUS_ERROR_AUTH_FAILED, "Connection Error: the server at "
		"\"%s\" refused the authentication", address);
    }
    if (!DbusServerIsLocal(tsdPtr, conn)
	    && PeerPing(interp, connPtr, deadline, address) != TCL_OK) {
	DbusConnClose(connPtr);
	Tcl_Release(connPtr);
	return TCL_ERROR;
    }
    Tcl_Release(connPtr);
    DbusConnAttach(interp, connPtr);
    *connPtrPtr = connPtr;
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
