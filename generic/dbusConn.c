/*
 * dbusConn.c --
 *
 *	Connection lifecycle and the per-thread and per-interp state: which
 *	connections a thread has open (by handle), which of them an interp
 *	has connected, opening and closing, resolving the optional busId
 *	argument of the subcommands, and bus loss.
 *
 *	Connections belong to the thread that opened them and are shared
 *	by the interps of that thread; the last interp to let go closes
 *	the connection.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <stdlib.h>
#include <stdio.h>

#define ASSOC_KEY "dbus"

static Tcl_ThreadDataKey dataKey;

/*
 * Threads that have libdbus state through us.  Process-wide on purpose:
 * when the last one has closed its connections at exit, dbus_shutdown()
 * frees libdbus' own process-wide caches (bus addresses, message cache),
 * so that leak checkers see a clean exit.
 */

TCL_DECLARE_MUTEX(threadCountMutex)
static int threadCount = 0;	/* threads with initialised data */

static const char *const literalNames[DBUS_LIT_COUNT] = {
    "member", "interface", "path", "sender", "destination", "messagetype",
    "signature", "serial", "replyserial", "noreply", "autostart",
    "errorname", "", "::info", "coroutine", "::yield", "-async",
    "invalid", "method_call", "method_return", "error", "signal", "0", "1"
};

static void	ThreadExitProc(ClientData clientData);
static void	InterpDeleteProc(ClientData clientData, Tcl_Interp *interp);
static void	InterpRelease(DbusInterpData *dataPtr);
static void	ConnFree(char *blockPtr);
static void	ConnClose(DbusConn *connPtr);
static void	DisconnectData(DbusInterpData *dataPtr, DbusConn *connPtr);
static void	AttachInterp(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *handle);

/*
 *----------------------------------------------------------------------
 *
 * DbusGetThreadData --
 *
 *	The calling thread's record, initialised on first use.
 *
 * Results:
 *	Pointer to the thread's DbusThreadData.
 *
 * Side effects:
 *	First call in a thread: creates the event source and a thread exit
 *	handler that closes what is left open.
 *
 *----------------------------------------------------------------------
 */

DbusThreadData *
DbusGetThreadData(void)
{
    DbusThreadData *tsdPtr = (DbusThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(DbusThreadData));

    if (!tsdPtr->initialized) {
	tsdPtr->initialized = 1;
	Tcl_MutexLock(&threadCountMutex);
	threadCount++;
	Tcl_MutexUnlock(&threadCountMutex);
	Tcl_InitHashTable(&tsdPtr->handles, TCL_STRING_KEYS);
	DbusEventInit(tsdPtr);
	Tcl_CreateThreadExitHandler(ThreadExitProc, NULL);
    }
    return tsdPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * ThreadExitProc, DbusExitProc --
 *
 *	Close every connection the exiting thread still has (flushing what
 *	is queued for sending).  DbusExitProc is the process exit handler:
 *	Tcl's "exit" runs exit handlers but, unless full finalization was
 *	asked for, no thread exit handlers.
 *
 *	Ordering (issue 7 item 8a).  Depending on the exit path these run
 *	before or after the deletion of the thread's interps: Tcl_Finalize
 *	(TCL_FINALIZE_ON_EXIT=1, an embedding program) runs the exit
 *	handlers first and deletes tclsh's main interp after them, or never
 *	deletes an embedder's interp; a thread of the Thread package deletes
 *	its interp first.  So the exit handler first lets every interp of
 *	the thread that still exists go (dbif first, then handlers and
 *	connections: what interp deletion would do, InterpRelease) and marks
 *	it detached; a later interp deletion then finds nothing of ours to
 *	walk.  No script frame resumes after an exit handler (exit never
 *	returns), so records are freed at once even when a frame that called
 *	"exit" from inside a handler still preserves them, and every libdbus
 *	object we hold is gone before dbus_shutdown().
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Servers are closed, every interp of the thread still alive lets go of
 *	its dbif records, handlers and connections (and is marked detached),
 *	every connection is closed (queued messages flushed) and freed, the
 *	thread's tables, message templates and gather buffer are freed.
 *	DbusExitProc also calls dbus_shutdown() when no other thread has
 *	libdbus state through us.
 *
 *----------------------------------------------------------------------
 */

void
DbusExitProc(
    ClientData clientData)
{
    int last;

    ThreadExitProc(clientData);
    Tcl_MutexLock(&threadCountMutex);
    last = (threadCount == 0);
    Tcl_MutexUnlock(&threadCountMutex);
    if (last) {
	dbus_shutdown();
    }
}

static void
ThreadExitProc(
    ClientData clientData)
{
    DbusThreadData *tsdPtr = (DbusThreadData *)
	    Tcl_GetThreadData(&dataKey, sizeof(DbusThreadData));

    (void) clientData;
    if (!tsdPtr->initialized) {
	return;
    }
    DbusServerCloseAll(tsdPtr);
    tsdPtr->exiting = 1;
    while (tsdPtr->firstInterp != NULL) {
	DbusInterpData *dataPtr = tsdPtr->firstInterp;

	tsdPtr->firstInterp = dataPtr->nextPtr;
	dataPtr->nextPtr = dataPtr->prevPtr = NULL;
	dataPtr->detached = 1;
	InterpRelease(dataPtr);
    }
    while (tsdPtr->firstConn != NULL) {
	ConnClose(tsdPtr->firstConn);
    }
    DbusEventFinalize(tsdPtr);
    DbusTemplatesFree(tsdPtr);
    if (tsdPtr->gatherBuf != NULL) {
	ckfree(tsdPtr->gatherBuf);
	tsdPtr->gatherBuf = NULL;
	tsdPtr->gatherSize = 0;
    }
    Tcl_DeleteHashTable(&tsdPtr->handles);
    tsdPtr->exiting = 0;
    tsdPtr->initialized = 0;
    Tcl_MutexLock(&threadCountMutex);
    threadCount--;
    Tcl_MutexUnlock(&threadCountMutex);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusGetInterpData --
 *
 *	The interp's record (AssocData "dbus"), created on first use.
 *
 * Results:
 *	The record.
 *
 * Side effects:
 *	May allocate the record and register its delete proc.
 *
 *----------------------------------------------------------------------
 */

DbusInterpData *
DbusGetInterpData(
    Tcl_Interp *interp)
{
    DbusInterpData *dataPtr = (DbusInterpData *)
	    Tcl_GetAssocData(interp, ASSOC_KEY, NULL);
    DbusThreadData *tsdPtr;
    int i;

    if (dataPtr != NULL) {
	return dataPtr;
    }
    tsdPtr = DbusGetThreadData();
    dataPtr = (DbusInterpData *) ckalloc(sizeof(DbusInterpData));
    memset(dataPtr, 0, sizeof(DbusInterpData));
    dataPtr->interp = interp;
    dataPtr->tsdPtr = tsdPtr;
    dataPtr->nextPtr = tsdPtr->firstInterp;
    if (tsdPtr->firstInterp != NULL) {
	tsdPtr->firstInterp->prevPtr = dataPtr;
    }
    tsdPtr->firstInterp = dataPtr;
    Tcl_InitHashTable(&dataPtr->conns, TCL_STRING_KEYS);
    for (i = 0; i < DBUS_LIT_COUNT; i++) {
	dataPtr->literals[i] = Tcl_NewStringObj(literalNames[i], -1);
	Tcl_IncrRefCount(dataPtr->literals[i]);
    }
    dataPtr->numTypes[0] = Tcl_GetObjType("int");
    dataPtr->numTypes[1] = Tcl_GetObjType("wideInt");
    dataPtr->numTypes[2] = Tcl_GetObjType("double");
    Tcl_SetAssocData(interp, ASSOC_KEY, InterpDeleteProc, dataPtr);
    return dataPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * InterpDeleteProc --
 *
 *	The interp goes away: drop its handlers and its use of every
 *	connection (closing those it was the last user of), unless the
 *	thread's exit handler did so already (detached), then free the
 *	record.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks the record from the thread's list, releases what the interp
 *	holds (InterpRelease: connections it was the last user of are closed),
 *	drops the literals and the field cache, frees the record.
 *
 *----------------------------------------------------------------------
 */

static void
InterpDeleteProc(
    ClientData clientData,
    Tcl_Interp *interp)
{
    DbusInterpData *dataPtr = (DbusInterpData *) clientData;
    int i;

    (void) interp;
    if (!dataPtr->detached) {
	DbusThreadData *tsdPtr = DbusGetThreadData();

	if (dataPtr->prevPtr != NULL) {
	    dataPtr->prevPtr->nextPtr = dataPtr->nextPtr;
	} else if (tsdPtr->firstInterp == dataPtr) {
	    tsdPtr->firstInterp = dataPtr->nextPtr;
	}
	if (dataPtr->nextPtr != NULL) {
	    dataPtr->nextPtr->prevPtr = dataPtr->prevPtr;
	}
	InterpRelease(dataPtr);
    } else if (dataPtr->dbifFree != NULL) {
	/*
	 * dbif state made again after the exit handler (a script run by
	 * the deletion itself): it holds no connection.
	 */

	InterpRelease(dataPtr);
    }
    Tcl_DeleteHashTable(&dataPtr->conns);
    for (i = 0; i < DBUS_LIT_COUNT; i++) {
	Tcl_DecrRefCount(dataPtr->literals[i]);
    }
    if (dataPtr->infoCache != NULL) {
	Tcl_DecrRefCount(dataPtr->infoCache);
    }
    for (i = 0; i < 7; i++) {
	if (dataPtr->fieldCache[i] != NULL) {
	    Tcl_DecrRefCount(dataPtr->fieldCache[i]);
	}
    }
    for (i = 0; i < DBUS_ARG_SPARES; i++) {
	if (dataPtr->argSpares[i] != NULL) {
	    Tcl_DecrRefCount(dataPtr->argSpares[i]);
	}
    }
    if (dataPtr->dictSpare != NULL) {
	Tcl_DecrRefCount(dataPtr->dictSpare);
    }
    ckfree((char *) dataPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * InterpRelease --
 *
 *	Let go of everything an interp holds through us: dbif's records
 *	first (they refer to connections), then the interp's handlers and
 *	its use of each connection.  The record itself stays.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Connections whose last user this was are closed.
 *
 *----------------------------------------------------------------------
 */

static void
InterpRelease(
    DbusInterpData *dataPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (dataPtr->dbifFree != NULL) {
	void (*freeProc)(ClientData) = dataPtr->dbifFree;

	dataPtr->dbifFree = NULL;
	dataPtr->dbifNameGone = NULL;
	freeProc(dataPtr->dbifData);
	dataPtr->dbifData = NULL;
    }
    while ((hPtr = Tcl_FirstHashEntry(&dataPtr->conns, &search)) != NULL) {
	DisconnectData(dataPtr, (DbusConn *) Tcl_GetHashValue(hPtr));
    }
}

/*
 *----------------------------------------------------------------------
 *
 * IsWellKnown --
 *
 *	Is name one of the standard handles, or of the form dbusN?
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
IsWellKnown(
    const char *name)
{
    const char *p;

    /*
     * Every such name starts with 's' or 'd': the options and paths that
     * most commands start with are answered without string compares.
     */

    if (name[0] != 's' && name[0] != 'd') {
	return 0;
    }
    if (strcmp(name, "session") == 0 || strcmp(name, "system") == 0
	    || strcmp(name, "starter") == 0) {
	return 1;
    }
    if (strncmp(name, "dbus", 4) != 0 || name[4] == '\0') {
	return 0;
    }
    for (p = name + 4; *p != '\0'; p++) {
	if (*p < '0' || *p > '9') {
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusIsBusId --
 *
 *	Decide whether a leading argument is a busId (DECISIONS rule 6):
 *	it names a standard handle (session, system, starter) or a dbusN
 *	handle, the only forms of handle there are.  Nothing is guessed
 *	from the first character.
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None (the value may get a string representation).
 *
 *----------------------------------------------------------------------
 */

int
DbusIsBusId(
    Tcl_Obj *objPtr)
{
    /*
     * Every handle an interp can obtain has one of the well-known forms
     * (DbusConnect makes no others), so no table needs to be consulted.
     */

    return IsWellKnown(Tcl_GetString(objPtr));
}

/*
 *----------------------------------------------------------------------
 *
 * DbusGetConn, DbusGetConnFrom --
 *
 *	Resolve the optional busId of a subcommand to a connection this
 *	interp has connected.  DbusGetConnFrom does it with the interp's
 *	record at hand, saving its lookup.
 *
 * Results:
 *	TCL_OK with *connPtrPtr set, or TCL_ERROR: "Not connected"
 *	({DBUS NOTCONNECTED busId}) for a known but unconnected handle,
 *	"bad busId" ({DBUS BUSID busId}) otherwise.
 *
 * Side effects:
 *	None.  The connection stays owned by the thread's table.
 *
 *----------------------------------------------------------------------
 */

int
DbusGetConn(
    Tcl_Interp *interp,
    Tcl_Obj *busObj,		/* NULL: the default bus */
    DbusConn **connPtrPtr)
{
    return DbusGetConnFrom(DbusGetInterpData(interp), busObj, connPtrPtr);
}

int
DbusGetConnFrom(
    DbusInterpData *dataPtr,	/* the record of the interp asking */
    Tcl_Obj *busObj,		/* NULL: the default bus */
    DbusConn **connPtrPtr)
{
    Tcl_Interp *interp = dataPtr->interp;
    const char *name = busObj ? Tcl_GetString(busObj) : DBUS_DEFAULT_BUS;
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&dataPtr->conns, name);

    if (hPtr != NULL) {
	*connPtrPtr = (DbusConn *) Tcl_GetHashValue(hPtr);
	return TCL_OK;
    }
    if (IsWellKnown(name)) {
	return DbusError(interp, DBUS_EC_NOTCONN, name, NULL,
		"Not connected");
    }
    return DbusError(interp, DBUS_EC_BUSID, name, NULL, "bad busId \"%s\"",
	    name);
}

/*
 *----------------------------------------------------------------------
 *
 * InitConn --
 *
 *	Wrap an open libdbus connection in a record that is on no list
 *	and has no handle yet.
 *
 * Results:
 *	The record (ckalloc'ed, freed through Tcl_EventuallyFree in
 *	ConnClose).
 *
 * Side effects:
 *	The record takes over the caller's reference to conn (released in
 *	ConnFree); libdbus is told not to exit on disconnect and is given the
 *	message size limits.
 *
 *----------------------------------------------------------------------
 */

static DbusConn *
InitConn(
    DbusThreadData *tsdPtr,
    DBusConnection *conn,	/* ownership passes to the record */
    int flags)			/* DBUS_CONN_PEER or 0 */
{
    DbusConn *connPtr = (DbusConn *) ckalloc(sizeof(DbusConn));

    memset(connPtr, 0, sizeof(DbusConn));
    connPtr->conn = conn;
    connPtr->flags = flags;
    connPtr->tsdPtr = tsdPtr;
    Tcl_InitHashTable(&connPtr->paths, TCL_STRING_KEYS);
    Tcl_InitHashTable(&connPtr->pending, TCL_ONE_WORD_KEYS);

    dbus_connection_set_exit_on_disconnect(conn, FALSE);
    dbus_connection_set_max_message_size(conn, DBUS_MAX_MSG_BYTES);
    dbus_connection_set_max_received_size(conn, 2 * DBUS_MAX_MSG_BYTES);
    return connPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * ListConn --
 *
 *	Give a record its handle, put it on the thread's list and table,
 *	and start dispatching its messages.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Messages already read (NameAcquired, or calls a peer sent right
 *	after authenticating) would not wake the notifier: a dispatch event
 *	is queued for them now.
 *
 *----------------------------------------------------------------------
 */

static void
ListConn(
    DbusConn *connPtr,
    const char *handle)
{
    DbusThreadData *tsdPtr = connPtr->tsdPtr;
    Tcl_HashEntry *hPtr;
    int isNew;

    connPtr->handleObj = Tcl_NewStringObj(handle, -1);
    Tcl_IncrRefCount(connPtr->handleObj);
    connPtr->nextPtr = tsdPtr->firstConn;
    tsdPtr->firstConn = connPtr;
    hPtr = Tcl_CreateHashEntry(&tsdPtr->handles, handle, &isNew);
    Tcl_SetHashValue(hPtr, connPtr);
    DbusEventConnInit(connPtr);
    DbusConnCheckQueue(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * NewConn --
 *
 *	Wrap an open libdbus connection in a record, hook it into the
 *	notifier and the thread's tables under handle.
 *
 * Results:
 *	The record (not yet owned by any interp), or NULL on OOM.
 *
 * Side effects:
 *	Hooks the socket into the notifier (DbusWatchInit) and lists the
 *	record under handle (ListConn); on failure the connection is closed
 *	and released (ConnClose).
 *
 *----------------------------------------------------------------------
 */

static DbusConn *
NewConn(
    DbusThreadData *tsdPtr,
    DBusConnection *conn,	/* ownership passes to the record */
    const char *handle,
    int flags)			/* DBUS_CONN_PEER or 0 */
{
    DbusConn *connPtr = InitConn(tsdPtr, conn, flags);

    if (!DbusWatchInit(connPtr)) {
	ConnClose(connPtr);
	return NULL;
    }
    ListConn(connPtr, handle);
    return connPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNextHandle --
 *
 *	The next free "dbusN" name of the thread (connections and servers
 *	share the counter, so they never share a name).
 *
 * Results:
 *	None; buf holds the name.
 *
 * Side effects:
 *	Advances tsdPtr->handleCounter.
 *
 *----------------------------------------------------------------------
 */

void
DbusNextHandle(
    DbusThreadData *tsdPtr,
    char *buf,			/* at least 32 bytes */
    size_t size)
{
    do {
	snprintf(buf, size, "dbus%d", ++tsdPtr->handleCounter);
    } while (Tcl_FindHashEntry(&tsdPtr->handles, buf) != NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnAdopt, DbusConnPublish --
 *
 *	For "dbus server": DbusConnAdopt wraps a connection a server has
 *	just accepted and hooks its socket into the notifier so that the
 *	authentication can proceed, but lists it nowhere: no handle, no
 *	dispatching (a call sent right after authenticating waits until
 *	the accept script has registered its handlers).  DbusConnPublish
 *	then gives it a dbusN handle of the thread and attaches interp.
 *
 * Results:
 *	DbusConnAdopt: the record, or NULL when libdbus ran out of memory
 *	(the connection is then closed and released).
 *
 * Side effects:
 *	DbusConnAdopt hooks the socket into the notifier.  DbusConnPublish
 *	advances the handle counter, lists the record under its new handle
 *	(ListConn: dispatching starts) and attaches interp (AttachInterp).
 *
 *----------------------------------------------------------------------
 */

DbusConn *
DbusConnAdopt(
    DbusThreadData *tsdPtr,
    DBusConnection *conn)	/* a reference passes to the record */
{
    DbusConn *connPtr = InitConn(tsdPtr, conn, DBUS_CONN_PEER);

    if (!DbusWatchInit(connPtr)) {
	ConnClose(connPtr);
	return NULL;
    }
    return connPtr;
}

void
DbusConnPublish(
    Tcl_Interp *interp,
    DbusConn *connPtr)
{
    char buf[32];

    DbusNextHandle(connPtr->tsdPtr, buf, sizeof(buf));
    ListConn(connPtr, buf);
    AttachInterp(interp, connPtr, buf);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnClose --
 *
 *	Close a connection for every interp (an accepted connection the
 *	accept script refused, or one that never finished authenticating).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See ConnClose: pending calls fail, tables are freed, the record is
 *	freed once nothing preserves it.
 *
 *----------------------------------------------------------------------
 */

void
DbusConnClose(
    DbusConn *connPtr)
{
    ConnClose(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusRequireBus --
 *
 *	Operations that talk to the bus daemon (names, match rules) make no
 *	sense on a peer-to-peer connection.
 *
 * Results:
 *	TCL_OK on a bus, else TCL_ERROR "... is a peer-to-peer connection"
 *	with errorcode {DBUS PEER busId}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusRequireBus(
    Tcl_Interp *interp,
    DbusConn *connPtr)
{
    const char *handle;

    if (!(connPtr->flags & DBUS_CONN_PEER)) {
	return TCL_OK;
    }
    handle = Tcl_GetString(connPtr->handleObj);
    return DbusError(interp, DBUS_EC_PEER, handle, NULL,
	    "\"%s\" is a peer-to-peer connection: there is no bus daemon",
	    handle);
}

/*
 *----------------------------------------------------------------------
 *
 * AttachInterp --
 *
 *	Record that interp uses connPtr under handle.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Adds handle -> connPtr to the interp's table and counts the interp as
 *	a user (connPtr->nInterps); a dead connection the interp had under the
 *	same handle (after a lost bus) is let go first (DisconnectData).
 *
 *----------------------------------------------------------------------
 */

static void
AttachInterp(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    const char *handle)
{
    DbusInterpData *dataPtr = DbusGetInterpData(interp);
    int isNew;
    Tcl_HashEntry *hPtr = Tcl_CreateHashEntry(&dataPtr->conns, handle,
	    &isNew);

    if (!isNew) {
	DbusConn *oldPtr = (DbusConn *) Tcl_GetHashValue(hPtr);

	if (oldPtr == connPtr) {
	    return;
	}

	/*
	 * Reconnect after a lost bus: let go of the dead connection.
	 */

	DisconnectData(dataPtr, oldPtr);
	hPtr = Tcl_CreateHashEntry(&dataPtr->conns, handle, &isNew);
    }
    Tcl_SetHashValue(hPtr, connPtr);
    connPtr->nInterps++;
}

/*
 *----------------------------------------------------------------------
 *
 * BusTypeOf --
 *
 *	What a "dbus connect" argument names: session, system or starter
 *	(starter is the session bus when DBUS_STARTER_ADDRESS is unset), a
 *	dbusN handle, or an address; an address that is the one of the
 *	session or system bus in the environment keeps that bus's usual
 *	handle.
 *
 * Results:
 *	DBUS_BUS_SESSION, _SYSTEM or _STARTER (with *namePtr changed to
 *	"session" or "system" for such an address), BUS_HANDLE for a
 *	dbusN handle, or BUS_ADDRESS for any other address.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

#define BUS_ADDRESS	(-1)
#define BUS_HANDLE	(-2)

static int
BusTypeOf(
    const char **namePtr)	/* in/out: static or borrowed string */
{
    const char *name = *namePtr, *sess, *sys;

    if (strcmp(name, "session") == 0) {
	return DBUS_BUS_SESSION;
    } else if (strcmp(name, "system") == 0) {
	return DBUS_BUS_SYSTEM;
    } else if (strcmp(name, "starter") == 0) {
	return getenv("DBUS_STARTER_ADDRESS") ? DBUS_BUS_STARTER
		: DBUS_BUS_SESSION;
    } else if (IsWellKnown(name)) {
	return BUS_HANDLE;
    }
    sess = getenv("DBUS_SESSION_BUS_ADDRESS");
    sys = getenv("DBUS_SYSTEM_BUS_ADDRESS");
    if (sys == NULL) {
	sys = "unix:path=/var/run/dbus/system_bus_socket";
    }
    if (sess != NULL && DbusSameAddress(name, sess)) {
	*namePtr = "session";
	return DBUS_BUS_SESSION;
    } else if (DbusSameAddress(name, sys)) {
	*namePtr = "system";
	return DBUS_BUS_SYSTEM;
    }
    return BUS_ADDRESS;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnect --
 *
 *	"dbus connect": session (default), system, starter, an existing
 *	handle of the thread, or a D-Bus address.  A bus that is open in
 *	the thread (and not lost) is shared, not opened again.
 *
 * Results:
 *	TCL_OK with *connPtrPtr set (the record belongs to the thread's
 *	table; interp is attached to it), or TCL_ERROR.
 *
 * Side effects:
 *	May open a private connection (Hello included) and list it under
 *	its handle; attaches interp to the connection.
 *
 *----------------------------------------------------------------------
 */

int
DbusConnect(
    Tcl_Interp *interp,
    Tcl_Obj *nameObj,		/* session, system, starter, dbusN, an
				 * address, or NULL: the default bus */
    DbusConn **connPtrPtr)	/* out */
{
    DbusThreadData *tsdPtr = DbusGetThreadData();
    const char *name = nameObj ? Tcl_GetString(nameObj) : DBUS_DEFAULT_BUS;
    const char *handle = name;
    int busType;
    DBusConnection *conn;
    DbusConn *connPtr;
    Tcl_HashEntry *hPtr;
    char buf[32];

    if (DbusGetInterpData(interp)->detached) {
	/*
	 * A script run by the deletion of an interp after the exit
	 * handlers: libdbus may be shut down already.
	 */

	return DbusError(interp, DBUS_EC_CLOSED, name, NULL,
		"D-Bus is shut down: the process or thread is exiting");
    }
    busType = BusTypeOf(&name);
    if (busType != BUS_ADDRESS) {
	/*
	 * A handle of this thread, or a bus open under its handle (and
	 * not lost): share it.
	 */

	handle = name;
	hPtr = Tcl_FindHashEntry(&tsdPtr->handles, handle);
	if (hPtr == NULL && busType == BUS_HANDLE) {
	    return DbusError(interp, DBUS_EC_BUSID, name, NULL,
		    "bad busId \"%s\"", name);
	}
	connPtr = hPtr ? (DbusConn *) Tcl_GetHashValue(hPtr) : NULL;
	if (busType == BUS_HANDLE
		|| (connPtr != NULL && !(connPtr->flags & DBUS_CONN_LOST))) {
	    AttachInterp(interp, connPtr, handle);
	    *connPtrPtr = connPtr;
	    return TCL_OK;
	}
	conn = DbusOpenBus(interp, busType);
    } else {
	conn = DbusOpenAddress(interp, name);
	if (conn != NULL) {
	    DbusNextHandle(tsdPtr, buf, sizeof(buf));
	    handle = buf;
	}
    }
    if (conn == NULL) {
	return TCL_ERROR;
    }
    connPtr = NewConn(tsdPtr, conn, handle, 0);
    if (connPtr == NULL) {
	return DbusNoMemory(interp);
    }
    connPtr->addressObj = Tcl_NewStringObj(DbusBusAddress(busType, name),
	    -1);
    Tcl_IncrRefCount(connPtr->addressObj);
    AttachInterp(interp, connPtr, handle);
    *connPtrPtr = connPtr;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnOpenPeer, DbusConnAttach --
 *
 *	For "dbus connect -peer" (dbusPeer.c): DbusConnOpenPeer wraps a
 *	client connection to a peer-to-peer server in a listed dbusN record
 *	that remembers its address; DbusConnAttach then lets interp use it
 *	under its handle.
 *
 * Results:
 *	DbusConnOpenPeer: the record, or NULL when libdbus ran out of
 *	memory (the connection is then closed and released).
 *
 * Side effects:
 *	DbusConnOpenPeer advances the handle counter, hooks the connection
 *	into the notifier and lists it (NewConn); the address is kept in
 *	connPtr->addressObj (held until ConnFree).  DbusConnAttach: see
 *	AttachInterp.
 *
 *----------------------------------------------------------------------
 */

DbusConn *
DbusConnOpenPeer(
    DbusThreadData *tsdPtr,
    DBusConnection *conn,	/* ownership passes to the record */
    const char *address)
{
    DbusConn *connPtr;
    char buf[32];

    DbusNextHandle(tsdPtr, buf, sizeof(buf));
    connPtr = NewConn(tsdPtr, conn, buf, DBUS_CONN_PEER);
    if (connPtr != NULL) {
	connPtr->addressObj = Tcl_NewStringObj(address, -1);
	Tcl_IncrRefCount(connPtr->addressObj);
    }
    return connPtr;
}

void
DbusConnAttach(
    Tcl_Interp *interp,
    DbusConn *connPtr)
{
    AttachInterp(interp, connPtr, Tcl_GetString(connPtr->handleObj));
}

/*
 *----------------------------------------------------------------------
 *
 * DbusDisconnect --
 *
 *	"dbus close" for one interp: forget its handlers, pending calls and
 *	its use of the handle; close the connection when it was the last
 *	user.  Never an error.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See DisconnectData.
 *
 *----------------------------------------------------------------------
 */

void
DbusDisconnect(
    Tcl_Interp *interp,
    DbusConn *connPtr)
{
    DisconnectData(DbusGetInterpData(interp), connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DisconnectData --
 *
 *	Body of DbusDisconnect on an explicit interp record: during interp
 *	deletion Tcl has already detached the AssocData, so the record
 *	cannot be looked up again.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes the interp's handles of connPtr, forgets the interp's
 *	handlers, name callbacks and subscriptions on it, and closes the
 *	connection (ConnClose) when no interp uses it any more.
 *
 *----------------------------------------------------------------------
 */

static void
DisconnectData(
    DbusInterpData *dataPtr,
    DbusConn *connPtr)
{
    Tcl_Interp *interp = dataPtr->interp;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    /*
     * Remove every handle of this interp that maps to connPtr (normally
     * one).
     */

    for (hPtr = Tcl_FirstHashEntry(&dataPtr->conns, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	if (Tcl_GetHashValue(hPtr) == connPtr) {
	    Tcl_DeleteHashEntry(hPtr);
	    connPtr->nInterps--;
	}
    }
    DbusHandlersForget(connPtr, interp);
    DbusNamesForget(connPtr, interp);
    DbusSubscriptionsForget(connPtr, interp);
    if (connPtr->nInterps <= 0) {
	ConnClose(connPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ConnClose --
 *
 *	Close a connection for good: unhook it, fail its pending calls,
 *	free its tables; the record is freed once nothing preserves it.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Marks the record closed, unlists it from the thread's list and
 *	handle table, fails its pending calls with Disconnected, frees the
 *	bus-level data (DbusBusFree) and unhooks the notifier
 *	(DbusWatchFinalize), flushes what is queued (unless the bus is
 *	lost), drops held messages, closes the libdbus connection, frees
 *	the handler tables, name callbacks and subscriptions, forgets
 *	queued events, and frees the record (at once from an exit handler,
 *	else through Tcl_EventuallyFree/ConnFree).
 *
 *----------------------------------------------------------------------
 */

static void
ConnClose(
    DbusConn *connPtr)
{
    DbusThreadData *tsdPtr = connPtr->tsdPtr;
    DbusConn **pp;
    Tcl_HashEntry *hPtr;

    if (connPtr->flags & DBUS_CONN_CLOSED) {
	return;
    }
    connPtr->flags |= DBUS_CONN_CLOSED;
    for (pp = &tsdPtr->firstConn; *pp != NULL; pp = &(*pp)->nextPtr) {
	if (*pp == connPtr) {
	    *pp = connPtr->nextPtr;
	    break;
	}
    }
    hPtr = (connPtr->handleObj == NULL) ? NULL : Tcl_FindHashEntry(
	    &tsdPtr->handles, Tcl_GetString(connPtr->handleObj));
    if (hPtr != NULL && Tcl_GetHashValue(hPtr) == connPtr) {
	Tcl_DeleteHashEntry(hPtr);
    }
    DbusPendingFailAll(connPtr, DBUS_ERROR_DISCONNECTED,
	    "Connection was closed");
    DbusBusFree(connPtr);
    DbusWatchFinalize(connPtr);
    if (!(connPtr->flags & DBUS_CONN_LOST)
	    && dbus_connection_get_is_connected(connPtr->conn)) {
	/*
	 * "dbus signal ...; exit" must not lose the signal.
	 */

	dbus_connection_flush(connPtr->conn);
    }
    while (connPtr->firstHeld != NULL) {
	DbusHeld *heldPtr = connPtr->firstHeld;

	connPtr->firstHeld = heldPtr->nextPtr;
	dbus_message_unref(heldPtr->msg);
	ckfree((char *) heldPtr);
    }
    connPtr->lastHeld = NULL;
    dbus_connection_set_dispatch_status_function(connPtr->conn, NULL, NULL,
	    NULL);
    dbus_connection_close(connPtr->conn);
    DbusPathsFree(connPtr);
    DbusNamesFree(connPtr);
    DbusSubscriptionsFree(connPtr);
    DbusConnForgetEvents(connPtr);
    if (tsdPtr->exiting) {
	/*
	 * Exit handler: a frame that preserves the record (a handler that
	 * called "exit") never resumes.
	 */

	ConnFree((char *) connPtr);
    } else {
	Tcl_EventuallyFree(connPtr, ConnFree);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ConnFree --
 *
 *	Tcl_EventuallyFree proc of a closed connection record.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the credentials cache, releases the libdbus connection, the
 *	pending table, the handle and address objects and the record itself.
 *
 *----------------------------------------------------------------------
 */

static void
ConnFree(
    char *blockPtr)
{
    DbusConn *connPtr = (DbusConn *) blockPtr;

    DbusCredFree(connPtr);
    dbus_connection_unref(connPtr->conn);
    Tcl_DeleteHashTable(&connPtr->pending);
    DbusNoReplyFree(connPtr);
    if (connPtr->handleObj != NULL) {
	Tcl_DecrRefCount(connPtr->handleObj);
    }
    if (connPtr->addressObj != NULL) {
	Tcl_DecrRefCount(connPtr->addressObj);
    }
    ckfree(blockPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnLost --
 *
 *	The bus went away (Local.Disconnected): pending calls fail with
 *	Disconnected, the notifier forgets the socket.  The record stays so
 *	that "dbus info" can report the state; a later "dbus connect"
 *	replaces it.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets DBUS_CONN_LOST, fails pending calls with Disconnected, unhooks
 *	the notifier (DbusWatchFinalize).
 *
 *----------------------------------------------------------------------
 */

void
DbusConnLost(
    DbusConn *connPtr)
{
    if (connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED)) {
	return;
    }
    connPtr->flags |= DBUS_CONN_LOST;
    DbusPendingFailAll(connPtr, DBUS_ERROR_DISCONNECTED,
	    "Connection is closed");
    DbusWatchFinalize(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSend --
 *
 *	Queue a message for sending on a live connection.
 *
 * Results:
 *	TCL_OK with the serial in *serialPtr (may be NULL), or TCL_ERROR
 *	("D-Bus connection is closed", {DBUS CLOSED busId}; a peer that
 *	does not read, {DBUS LIMIT OUTGOING busId}: see DbusOutgoingFull).
 *
 * Side effects:
 *	Queues msg on the connection (libdbus takes its own reference; the
 *	caller keeps its reference).
 *
 *----------------------------------------------------------------------
 */

int
DbusSend(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,
    dbus_uint32_t *serialPtr)
{
    if ((connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED))
	    || !dbus_connection_get_is_connected(connPtr->conn)) {
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    if (DbusOutgoingFull(connPtr)) {
	return DbusError(interp, DBUS_EC_LIMIT, "OUTGOING",
		Tcl_GetString(connPtr->handleObj),
		"the peer does not read: more than %d bytes are waiting to "
		"be sent to it; the connection is closed",
		DBUS_MAX_OUTGOING_BYTES);
    }
    if (!dbus_connection_send(connPtr->conn, msg, serialPtr)) {
	return DbusNoMemory(interp);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusOutgoingFull --
 *
 *	Whether a peer-to-peer connection has more than
 *	DBUS_MAX_OUTGOING_BYTES queued for a peer that does not read (a
 *	bus daemon always reads, and limits what it queues itself).  Such
 *	a connection is closed, so that the queue cannot grow without
 *	bound: its handlers see Disconnected, as when the peer hangs up.
 *
 * Results:
 *	1 when the connection was full (and is now closed), else 0.
 *
 * Side effects:
 *	May close the connection.
 *
 *----------------------------------------------------------------------
 */

int
DbusOutgoingFull(
    DbusConn *connPtr)
{
    if (!(connPtr->flags & DBUS_CONN_PEER)
	    || dbus_connection_get_outgoing_size(connPtr->conn)
		<= DBUS_MAX_OUTGOING_BYTES) {
	return 0;
    }
    dbus_connection_close(connPtr->conn);
    return 1;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
