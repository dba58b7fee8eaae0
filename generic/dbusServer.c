/*
 * dbusServer.c --
 *
 *	"dbus server": a listening D-Bus server (libdbus DBusServer) for
 *	peer-to-peer connections, on the Tcl notifier like connections are
 *	(unix/dbusUnixWatch.c), and the life of the connections it accepts
 *	until they become ordinary dbusN handles: authentication (with the
 *	-sameuser and -anonymous policies), an authentication timeout,
 *	then the -accept script.  Also "dbus info serverId address" and
 *	"dbus close serverId".
 *
 *	Servers belong to the interp that created them and live in their
 *	thread's list (DbusThreadData.firstServer); their ids are dbusN
 *	names from the same counter as connection handles.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * How long a client may take to authenticate before it is dropped.
 */

#define AUTH_TIMEOUT_MS 30000

/*
 * How many connections of one server may be authenticating at once (as
 * dbus-daemon's max_incomplete_connections of the system bus): beyond,
 * a new one is closed at once, so that clients that connect and never
 * authenticate cannot use up our file descriptors.
 */

#define MAX_ACCEPTING 64

struct Accepting;

/*
 * One listening server.
 */

typedef struct DbusServer {
    DBusServer *server;		/* owned: disconnected in ServerClose,
				 * unreferenced in ServerFree */
    Tcl_Obj *idObj;		/* "dbusN"; refcount held */
    Tcl_Obj *addressObj;	/* the address with its guid; refcount
				 * held */
    Tcl_Obj *acceptObj;		/* -accept command prefix or NULL;
				 * refcount held until close */
    Tcl_Interp *interp;		/* owner; NULL once closed */
    char *socketPath;		/* socket file of a unix path/dir server,
				 * removed at close; ckalloc'ed or NULL */
    int anonymous;		/* -anonymous */
    int sameUser;		/* -sameuser */
    int closed;			/* ServerClose has run */
    ClientData watchData;	/* owned by unix/dbusUnixWatch.c */
    struct Accepting *firstAccepting; /* connections still
				 * authenticating; owned */
    DbusThreadData *tsdPtr;	/* owning thread */
    struct DbusServer *nextPtr;	/* thread's list */
} DbusServer;

/*
 * A connection the server accepted that has not been handed to the
 * -accept script yet (DbusConn.acceptData).  Tcl_EventuallyFree'd:
 * a queued AcceptEvent preserves it.
 */

typedef struct Accepting {
    DbusConn *connPtr;		/* owned (closed by Discard), NULL once
				 * handed over or discarded */
    DbusServer *serverPtr;	/* borrowed; the server owns us */
    Tcl_TimerToken timer;	/* authentication timeout or NULL */
    int eventQueued;		/* an AcceptEvent is in the queue */
    struct Accepting *nextPtr;	/* server's list */
} Accepting;

typedef struct AcceptEvent {
    Tcl_Event header;
    Accepting *accPtr;		/* preserved while queued */
} AcceptEvent;

static void	ServerClose(DbusServer *srvPtr);
static void	ServerFree(char *blockPtr);
static void	Discard(Accepting *accPtr);

/*
 *----------------------------------------------------------------------
 *
 * AllowSameUser, AllowAnyUser --
 *
 *	Unix-user policies of accepted connections (-sameuser 1 / 0),
 *	called by libdbus with the uid the client authenticated as.  Like
 *	GDBus' REQUIRE_SAME_USER, the same user means the same uid (root is
 *	not let in to another user's server).
 *
 * Results:
 *	AllowSameUser: TRUE when uid is the process's effective uid.
 *	AllowAnyUser: TRUE.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static dbus_bool_t
AllowSameUser(
    DBusConnection *conn,
    unsigned long uid,
    void *data)
{
    (void) conn;
    (void) data;
    return uid == (unsigned long) geteuid();
}

static dbus_bool_t
AllowAnyUser(
    DBusConnection *conn,
    unsigned long uid,
    void *data)
{
    (void) conn;
    (void) uid;
    (void) data;
    return TRUE;
}

/*
 *----------------------------------------------------------------------
 *
 * Unlink --
 *
 *	Take an accepting record off its server's list and stop its timer.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks accPtr from its server's list, deletes its authentication
 *	timer and clears the connection's acceptData.
 *
 *----------------------------------------------------------------------
 */

static void
Unlink(
    Accepting *accPtr)
{
    Accepting **pp;

    for (pp = &accPtr->serverPtr->firstAccepting; *pp != NULL;
	    pp = &(*pp)->nextPtr) {
	if (*pp == accPtr) {
	    *pp = accPtr->nextPtr;
	    break;
	}
    }
    if (accPtr->timer != NULL) {
	Tcl_DeleteTimerHandler(accPtr->timer);
	accPtr->timer = NULL;
    }
    if (accPtr->connPtr != NULL) {
	accPtr->connPtr->acceptData = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Discard --
 *
 *	Drop a connection that did not (or cannot any more) become a
 *	handle: authentication failed or timed out, the client left, the
 *	server was closed.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Closes and releases the connection; frees the record once no
 *	queued event refers to it.
 *
 *----------------------------------------------------------------------
 */

static void
Discard(
    Accepting *accPtr)
{
    DbusConn *connPtr = accPtr->connPtr;

    Unlink(accPtr);
    accPtr->connPtr = NULL;
    if (connPtr != NULL) {
	DbusConnClose(connPtr);
    }
    Tcl_EventuallyFree(accPtr, TCL_DYNAMIC);
}

/*
 *----------------------------------------------------------------------
 *
 * AuthTimeoutProc --
 *
 *	Timer: the client did not finish authenticating in time.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Discards the connection (Discard).
 *
 *----------------------------------------------------------------------
 */

static void
AuthTimeoutProc(
    ClientData clientData)	/* Accepting */
{
    Accepting *accPtr = (Accepting *) clientData;

    accPtr->timer = NULL;
    Discard(accPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * NewConnectionProc --
 *
 *	libdbus accepted a client on a listening socket (called from inside
 *	the server's file handler).  The connection is hooked into the
 *	notifier so that its authentication proceeds, but stays unlisted
 *	until it is authenticated and the -accept script has taken it.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Takes a reference to the connection (libdbus closes it if we do
 *	not, as when MAX_ACCEPTING others are still authenticating);
 *	starts the authentication timer.
 *
 *----------------------------------------------------------------------
 */

static void
NewConnectionProc(
    DBusServer *server,
    DBusConnection *conn,
    void *data)			/* DbusServer */
{
    DbusServer *srvPtr = (DbusServer *) data;
    DbusConn *connPtr;
    Accepting *accPtr;
    int n;

    (void) server;
    if (srvPtr->closed) {
	return;
    }
    for (accPtr = srvPtr->firstAccepting, n = 0; accPtr != NULL;
	    accPtr = accPtr->nextPtr) {
	if (++n >= MAX_ACCEPTING) {
	    /* not referenced: libdbus closes it */
	    return;
	}
    }
    dbus_connection_ref(conn);
    dbus_connection_set_allow_anonymous(conn, srvPtr->anonymous);
    dbus_connection_set_unix_user_function(conn,
	    srvPtr->sameUser ? AllowSameUser : AllowAnyUser, NULL, NULL);
    connPtr = DbusConnAdopt(srvPtr->tsdPtr, conn);
    if (connPtr == NULL) {
	return;
    }
    accPtr = (Accepting *) ckalloc(sizeof(Accepting));
    accPtr->connPtr = connPtr;
    accPtr->serverPtr = srvPtr;
    accPtr->eventQueued = 0;
    accPtr->timer = Tcl_CreateTimerHandler(AUTH_TIMEOUT_MS,
	    AuthTimeoutProc, accPtr);
    accPtr->nextPtr = srvPtr->firstAccepting;
    srvPtr->firstAccepting = accPtr;
    connPtr->acceptData = accPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * HelloProc --
 *
 *	C method handler of org.freedesktop.DBus.Hello on accepted
 *	connections.  Clients that insist on talking to a message bus
 *	(gdbus --address, GDBus with MESSAGE_BUS_CONNECTION) send Hello
 *	first; they get a unique name of the server's making, ":1.N" after
 *	the handle dbusN, and can then call methods as on a peer.
 *
 * Results:
 *	TCL_OK (replied).
 *
 * Side effects:
 *	Sends the reply (unless the call asked for none); nothing is stored.
 *
 *----------------------------------------------------------------------
 */

static int
HelloProc(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DBusMessage *reply;
    char buf[40];
    const char *name = buf;

    (void) clientData;
    (void) interp;
    snprintf(buf, sizeof(buf), ":1.%s",
	    Tcl_GetString(connPtr->handleObj) + 4);
    if (dbus_message_get_no_reply(msg)) {
	return TCL_OK;
    }
    reply = dbus_message_new_method_return(msg);
    if (reply != NULL) {
	if (dbus_message_append_args(reply, DBUS_TYPE_STRING, &name,
		DBUS_TYPE_INVALID)) {
	    dbus_connection_send(connPtr->conn, reply, NULL);
	}
	dbus_message_unref(reply);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * AcceptEventProc --
 *
 *	Event: an accepted connection finished authenticating (publish it
 *	as a dbusN handle of the server's interp and run
 *	"{*}acceptScript serverId handle") or was lost (discard it).
 *	Without an -accept script nobody wants the connection and it is
 *	closed, as GDBusServer does when no handler claims one.  An error
 *	in the script goes to bgerror and closes the connection.
 *
 * Results:
 *	1 (handled) or 0 when file events are not being serviced.
 *
 * Side effects:
 *	Either discards the connection (Discard), or hands it over: it becomes
 *	a dbusN handle of the server's interp (DbusConnPublish) with a C
 *	handler for Hello, and the -accept script runs at global level (interp
 *	and connection preserved meanwhile); a script error goes to bgerror
 *	and disconnects the handle.  Releases the preserve the queued event
 *	held on the accepting record.
 *
 *----------------------------------------------------------------------
 */

static int
AcceptEventProc(
    Tcl_Event *evPtr,
    int flags)
{
    Accepting *accPtr = ((AcceptEvent *) evPtr)->accPtr;
    DbusConn *connPtr = accPtr->connPtr;
    DbusServer *srvPtr = accPtr->serverPtr;
    Tcl_Interp *interp;
    Tcl_Obj *cmdPtr;
    int code;

    if (!(flags & TCL_FILE_EVENTS)) {
	return 0;
    }
    accPtr->eventQueued = 0;
    if (connPtr == NULL) {
	Tcl_Release(accPtr);
	return 1;
    }
    if (!dbus_connection_get_is_connected(connPtr->conn)
	    || srvPtr->acceptObj == NULL || srvPtr->interp == NULL) {
	Discard(accPtr);
	Tcl_Release(accPtr);
	return 1;
    }
    if (!dbus_connection_get_is_authenticated(connPtr->conn)) {
	Tcl_Release(accPtr);
	return 1;
    }

    /*
     * Hand over: the connection leaves the server's care.
     */

    Unlink(accPtr);
    accPtr->connPtr = NULL;
    Tcl_EventuallyFree(accPtr, TCL_DYNAMIC);
    Tcl_Release(accPtr);

    interp = srvPtr->interp;
    DbusConnPublish(interp, connPtr);
    DbusHandlerInstall(interp, connPtr, DBUS_TABLE_METHOD, DBUS_PATH_DBUS,
	    DBUS_INTERFACE_DBUS ".Hello",
	    DbusHandlerNew(interp, NULL, HelloProc, NULL, 0));
    cmdPtr = Tcl_DuplicateObj(srvPtr->acceptObj);
    Tcl_IncrRefCount(cmdPtr);
    Tcl_ListObjAppendElement(NULL, cmdPtr, srvPtr->idObj);
    Tcl_ListObjAppendElement(NULL, cmdPtr, connPtr->handleObj);
    Tcl_Preserve(interp);
    Tcl_Preserve(connPtr);
    code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
    if (code == TCL_ERROR) {
	Tcl_AddErrorInfo(interp, "\n    (dbus server -accept script)");
	Tcl_BackgroundException(interp, code);
	if (!(connPtr->flags & DBUS_CONN_CLOSED)) {
	    DbusDisconnect(interp, connPtr);
	}
    }
    Tcl_Release(connPtr);
    Tcl_Release(interp);
    Tcl_DecrRefCount(cmdPtr);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusServerConnReady --
 *
 *	Called by the notifier glue after I/O on a connection a server is
 *	authenticating: once it is authenticated (or gone), queue the event
 *	that hands it over (or drops it).  Only queues: this may run inside
 *	a synchronous wait.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Queues an AcceptEvent (owned by the event queue) that preserves the
 *	accepting record until it runs.
 *
 *----------------------------------------------------------------------
 */

void
DbusServerConnReady(
    DbusConn *connPtr)
{
    Accepting *accPtr = (Accepting *) connPtr->acceptData;
    AcceptEvent *evPtr;

    if (accPtr == NULL || accPtr->eventQueued
	    || (dbus_connection_get_is_connected(connPtr->conn)
	    && !dbus_connection_get_is_authenticated(connPtr->conn))) {
	return;
    }
    evPtr = (AcceptEvent *) ckalloc(sizeof(AcceptEvent));
    evPtr->header.proc = AcceptEventProc;
    evPtr->accPtr = accPtr;
    Tcl_Preserve(accPtr);
    accPtr->eventQueued = 1;
    Tcl_QueueEvent((Tcl_Event *) evPtr, TCL_QUEUE_TAIL);
}

/*
 *----------------------------------------------------------------------
 *
 * UnixPathOf --
 *
 *	The socket file of a unix address entry with path=, or NULL.
 *
 * Results:
 *	The value of path= (owned by the entry), or NULL for any other
 *	transport or key.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static const char *
UnixPathOf(
    DBusAddressEntry *entry)
{
    if (strcmp(dbus_address_entry_get_method(entry), "unix") != 0) {
	return NULL;
    }
    return dbus_address_entry_get_value(entry, "path");
}

/*
 *----------------------------------------------------------------------
 *
 * PathInUse --
 *
 *	libdbus silently replaces an existing socket file at path=, which
 *	would steal the address of a live server.  Is somebody listening
 *	there?  (A stale socket file nobody answers on may be replaced.)
 *
 * Results:
 *	1 when a process accepts connections on the socket file at path, else
 *	0.
 *
 * Side effects:
 *	Opens and closes a probing socket (a live server sees a connection
 *	that is closed at once).
 *
 *----------------------------------------------------------------------
 */

static int
PathInUse(
    const char *path)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd, inUse;

    if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode)
	    || strlen(path) >= sizeof(sa.sun_path)) {
	return 0;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
	return 0;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    strcpy(sa.sun_path, path);
    inUse = (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0
	    || errno == EAGAIN);
    close(fd);
    return inUse;
}

/*
 *----------------------------------------------------------------------
 *
 * Listen --
 *
 *	Check the address and open the listening socket.
 *
 * Results:
 *	The server (one reference), or NULL with the error in interp:
 *	{DBUS LISTEN NAME errorName} from libdbus (bad address, address in
 *	use, ...).
 *
 * Side effects:
 *	Opens a listening socket (libdbus); an existing socket file nobody
 *	listens on may be replaced.
 *
 *----------------------------------------------------------------------
 */

static DBusServer *
Listen(
    Tcl_Interp *interp,
    const char *address)
{
    DBusAddressEntry **entries;
    DBusServer *server;
    DBusError err;
    int n, i;

    dbus_error_init(&err);
    if (!dbus_parse_address(address, &entries, &n, &err)) {
	DbusLibError(interp, DBUS_EC_LISTEN, "Listen Error", &err);
	return NULL;
    }
    for (i = 0; i < n; i++) {
	const char *path = UnixPathOf(entries[i]);

	if (path != NULL && PathInUse(path)) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("Listen Error: address "
		    "\"%s\" is in use: a server is listening on %s", address,
		    path));
	    Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_LISTEN, "ADDRESSINUSE",
		    DBUS_ERROR_ADDRESS_IN_USE, NULL);
	    dbus_address_entries_free(entries);
	    return NULL;
	}
    }
    dbus_address_entries_free(entries);
    server = dbus_server_listen(address, &err);
    if (server == NULL) {
	DbusLibError(interp, DBUS_EC_LISTEN, "Listen Error", &err);
    }
    return server;
}

/*
 *----------------------------------------------------------------------
 *
 * ServerInterpDeleted --
 *
 *	Tcl_CallWhenDeleted proc: the owning interp goes, so does the
 *	server.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Closes the server (ServerClose).
 *
 *----------------------------------------------------------------------
 */

static void
ServerInterpDeleted(
    ClientData clientData,
    Tcl_Interp *interp)
{
    (void) interp;
    ServerClose((DbusServer *) clientData);
}

/*
 *----------------------------------------------------------------------
 *
 * ParseOptions --
 *
 *	The options of "dbus server" ("-option value" pairs before the
 *	address).
 *
 * Results:
 *	TCL_OK with the values stored (-sameuser left at -1 unless
 *	given), or TCL_ERROR.
 *
 * Side effects:
 *	None; *acceptPtr is borrowed from objv (NULL for an empty script).
 *
 *----------------------------------------------------------------------
 */

static int
ParseOptions(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    int *anonymousPtr,
    int *sameUserPtr,
    Tcl_Obj **acceptPtr)	/* out: borrowed from objv */
{
    static const char *const options[] = {
	"-accept", "-anonymous", "-sameuser", NULL
    };
    enum { OPT_ACCEPT, OPT_ANONYMOUS, OPT_SAMEUSER };
    int i, index;

    if (objc < 2 || objc % 2 != 0) {
	Tcl_WrongNumArgs(interp, 1, objv, "?-anonymous bool? ?-sameuser "
		"bool? ?-accept script? address");
	return TCL_ERROR;
    }
    for (i = 1; i < objc - 1; i += 2) {
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	switch (index) {
	case OPT_ACCEPT:
	    *acceptPtr = DbusIsEmpty(objv[i+1]) ? NULL : objv[i+1];
	    break;
	case OPT_ANONYMOUS:
	    if (Tcl_GetBooleanFromObj(interp, objv[i+1], anonymousPtr)
		    != TCL_OK) {
		return TCL_ERROR;
	    }
	    break;
	case OPT_SAMEUSER:
	    if (Tcl_GetBooleanFromObj(interp, objv[i+1], sameUserPtr)
		    != TCL_OK) {
		return TCL_ERROR;
	    }
	    break;
	}
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusServerCmd --
 *
 *	dbus server ?-anonymous bool? ?-sameuser bool? ?-accept script?
 *		address
 *
 * Results:
 *	The server id (dbusN).
 *
 * Side effects:
 *	Listens; the socket is served by the event loop.
 *
 *----------------------------------------------------------------------
 */

int
DbusServerCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *mechsNoAnon[] = {
	"EXTERNAL", "DBUS_COOKIE_SHA1", NULL
    };
    DbusThreadData *tsdPtr = DbusGetThreadData();
    int anonymous = 0, sameUser = -1;
    Tcl_Obj *acceptObj = NULL;
    DBusServer *server;
    DbusServer *srvPtr;
    DBusAddressEntry **entries;
    char *address;
    char buf[32];
    int n;

    (void) clientData;
    if (ParseOptions(interp, objc, objv, &anonymous, &sameUser, &acceptObj)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    server = Listen(interp, Tcl_GetString(objv[objc-1]));
    if (server == NULL) {
	return TCL_ERROR;
    }

    srvPtr = (DbusServer *) ckalloc(sizeof(DbusServer));
    memset(srvPtr, 0, sizeof(DbusServer));
    srvPtr->server = server;
    srvPtr->tsdPtr = tsdPtr;
    srvPtr->interp = interp;
    srvPtr->anonymous = anonymous;
    address = dbus_server_get_address(server);
    srvPtr->addressObj = Tcl_NewStringObj(address ? address : "", -1);
    Tcl_IncrRefCount(srvPtr->addressObj);
    if (address != NULL && dbus_parse_address(address, &entries, &n, NULL)) {
	const char *path = (n > 0) ? UnixPathOf(entries[0]) : NULL;

	if (path != NULL) {
	    srvPtr->socketPath = ckalloc(strlen(path) + 1);
	    strcpy(srvPtr->socketPath, path);
	}

	/*
	 * -sameuser defaults to 1 on unix sockets, where the kernel
	 * vouches for the uid.
	 */

	if (sameUser < 0) {
	    sameUser = (n > 0 && strcmp(dbus_address_entry_get_method(
		    entries[0]), "unix") == 0);
	}
	dbus_address_entries_free(entries);
    }
    dbus_free(address);
    srvPtr->sameUser = (sameUser > 0);
    if (acceptObj != NULL) {
	srvPtr->acceptObj = acceptObj;
	Tcl_IncrRefCount(acceptObj);
    }

    /*
     * The id: the next dbusN of the thread, which no connection has.
     */

    DbusNextHandle(tsdPtr, buf, sizeof(buf));
    srvPtr->idObj = Tcl_NewStringObj(buf, -1);
    Tcl_IncrRefCount(srvPtr->idObj);
    srvPtr->nextPtr = tsdPtr->firstServer;
    tsdPtr->firstServer = srvPtr;
    Tcl_CallWhenDeleted(interp, ServerInterpDeleted, srvPtr);

    if ((!anonymous && !dbus_server_set_auth_mechanisms(server,
	    mechsNoAnon))
	    || !DbusServerWatchInit(tsdPtr, server, srvPtr,
	    &srvPtr->watchData)) {
	ServerClose(srvPtr);
	return DbusNoMemory(interp);
    }
    dbus_server_set_new_connection_function(server, NewConnectionProc,
	    srvPtr, NULL);
    Tcl_SetObjResult(interp, srvPtr->idObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ServerClose --
 *
 *	Stop listening: the socket is closed (and its file removed), the
 *	connections still authenticating are dropped.  Accepted
 *	connections are not affected.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The record is freed once nothing preserves it.
 *
 *----------------------------------------------------------------------
 */

static void
ServerClose(
    DbusServer *srvPtr)
{
    DbusThreadData *tsdPtr = srvPtr->tsdPtr;
    DbusServer **pp;
    struct stat st;

    if (srvPtr->closed) {
	return;
    }
    srvPtr->closed = 1;
    for (pp = &tsdPtr->firstServer; *pp != NULL; pp = &(*pp)->nextPtr) {
	if (*pp == srvPtr) {
	    *pp = srvPtr->nextPtr;
	    break;
	}
    }
    if (srvPtr->interp != NULL) {
	Tcl_DontCallWhenDeleted(srvPtr->interp, ServerInterpDeleted, srvPtr);
	srvPtr->interp = NULL;
    }
    dbus_server_set_new_connection_function(srvPtr->server, NULL, NULL,
	    NULL);
    DbusServerWatchFinalize(srvPtr->server, &srvPtr->watchData);
    dbus_server_disconnect(srvPtr->server);
    if (srvPtr->socketPath != NULL && lstat(srvPtr->socketPath, &st) == 0
	    && S_ISSOCK(st.st_mode)) {
	unlink(srvPtr->socketPath);
    }
    while (srvPtr->firstAccepting != NULL) {
	Discard(srvPtr->firstAccepting);
    }
    if (srvPtr->acceptObj != NULL) {
	Tcl_DecrRefCount(srvPtr->acceptObj);
	srvPtr->acceptObj = NULL;
    }
    Tcl_EventuallyFree(srvPtr, ServerFree);
}

/*
 *----------------------------------------------------------------------
 *
 * ServerFree --
 *
 *	Tcl_EventuallyFree proc of a closed server.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases the libdbus server, the id and address objects, the socket
 *	path and the record.
 *
 *----------------------------------------------------------------------
 */

static void
ServerFree(
    char *blockPtr)
{
    DbusServer *srvPtr = (DbusServer *) blockPtr;

    dbus_server_unref(srvPtr->server);
    Tcl_DecrRefCount(srvPtr->idObj);
    Tcl_DecrRefCount(srvPtr->addressObj);
    if (srvPtr->socketPath != NULL) {
	ckfree(srvPtr->socketPath);
    }
    ckfree(blockPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusServerCloseAll --
 *
 *	Thread exit: close every server of the thread.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Every server of the thread is closed (ServerClose).
 *
 *----------------------------------------------------------------------
 */

void
DbusServerCloseAll(
    DbusThreadData *tsdPtr)
{
    while (tsdPtr->firstServer != NULL) {
	ServerClose(tsdPtr->firstServer);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusServerIsLocal --
 *
 *	Is the server at the other end of a client connection one of this
 *	thread's own servers (same guid)?  Such a server accepts only from
 *	the event loop, which a waiting "dbus connect -peer" does not run.
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusServerIsLocal(
    DbusThreadData *tsdPtr,
    DBusConnection *conn)
{
    char *guid = dbus_connection_get_server_id(conn);
    DbusServer *srvPtr;
    int local = 0;

    if (guid == NULL) {
	return 0;
    }
    for (srvPtr = tsdPtr->firstServer; srvPtr != NULL && !local;
	    srvPtr = srvPtr->nextPtr) {
	char *id = dbus_server_get_id(srvPtr->server);

	local = (id != NULL && strcmp(id, guid) == 0);
	dbus_free(id);
    }
    dbus_free(guid);
    return local;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusServerSubcommand --
 *
 *	"dbus close serverId" (optionObj NULL) and "dbus info serverId
 *	option" when idObj is a server of this interp.
 *
 * Results:
 *	0 when idObj is no server of interp (the caller goes on with
 *	connections); else 1 with *codePtr and the interp result set.
 *	Options: address (the address with guid), connected (1: a server
 *	is listening until closed); others are an error.
 *
 * Side effects:
 *	"dbus close serverId" closes the server (ServerClose).  "dbus info"
 *	sets the interp result to the server's address object (shared) or a
 *	new boolean.
 *
 *----------------------------------------------------------------------
 */

int
DbusServerSubcommand(
    Tcl_Interp *interp,
    Tcl_Obj *idObj,
    Tcl_Obj *optionObj,
    int *codePtr)
{
    static const char *const options[] = {"address", "connected", NULL};
    DbusThreadData *tsdPtr = DbusGetThreadData();
    const char *id = Tcl_GetString(idObj);
    DbusServer *srvPtr;
    int index;

    for (srvPtr = tsdPtr->firstServer; srvPtr != NULL;
	    srvPtr = srvPtr->nextPtr) {
	if (srvPtr->interp == interp
		&& strcmp(Tcl_GetString(srvPtr->idObj), id) == 0) {
	    break;
	}
    }
    if (srvPtr == NULL) {
	return 0;
    }
    if (optionObj == NULL) {
	ServerClose(srvPtr);
	Tcl_ResetResult(interp);
	*codePtr = TCL_OK;
	return 1;
    }
    if (Tcl_GetIndexFromObj(interp, optionObj, options,
	    "option for a server", 0, &index) != TCL_OK) {
	*codePtr = TCL_ERROR;
	return 1;
    }
    Tcl_SetObjResult(interp, index == 0 ? srvPtr->addressObj
	    : Tcl_NewBooleanObj(1));
    *codePtr = TCL_OK;
    return 1;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
