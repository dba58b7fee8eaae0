/*
 * dbusEvent.c --
 *
 *	Incoming messages and the Tcl event loop: the per-thread event
 *	source.  It notices connections with messages waiting (libdbus's
 *	dispatch-status callback, messages held during a synchronous wait)
 *	and queues one dispatch event per connection; the event proc takes
 *	the next message off the connection (dbus_connection_pop_message:
 *	libdbus never calls back into us with a message) and hands it to
 *	DbusProcessMessage (dbusDeliver.c).  Scripts run only from there.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * The Tcl event that makes the event loop take the next message of a
 * connection.
 */

typedef struct DispatchEvent {
    Tcl_Event header;		/* must be first */
    DbusConn *connPtr;		/* preserved while queued */
} DispatchEvent;

static void	SetupProc(ClientData clientData, int flags);
static void	CheckProc(ClientData clientData, int flags);
static int	DispatchEventProc(Tcl_Event *evPtr, int flags);
static void	PeekSocket(DbusConn *connPtr);

/*
 *----------------------------------------------------------------------
 *
 * DbusEventInit, DbusEventFinalize --
 *
 *	Create / delete the thread's event source.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	DbusEventInit registers SetupProc/CheckProc with the notifier;
 *	DbusEventFinalize removes them and drops the references of messages
 *	still marked in flight (frames an exit never resumes).
 *
 *----------------------------------------------------------------------
 */

void
DbusEventInit(
    DbusThreadData *tsdPtr)
{
    Tcl_CreateEventSource(SetupProc, CheckProc, tsdPtr);
}

void
DbusEventFinalize(
    DbusThreadData *tsdPtr)
{
    Tcl_DeleteEventSource(SetupProc, CheckProc, tsdPtr);

    /*
     * Called by the thread's exit handler: a handler that ran "exit"
     * left frames that never resume; drop the references they hold.
     */

    while (tsdPtr->inFlight != NULL) {
	DbusInFlight *flightPtr = tsdPtr->inFlight;

	tsdPtr->inFlight = flightPtr->nextPtr;
	dbus_message_unref(flightPtr->msg);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * HasWork --
 *
 *	Does a connection have a message for the event loop?
 *
 * Results:
 *	1 when held messages or libdbus' queue wait (and the connection is
 *	open), else 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
HasWork(
    DbusConn *connPtr)
{
    if (connPtr->flags & DBUS_CONN_CLOSED) {
	return 0;
    }
    return connPtr->firstHeld != NULL || connPtr->dataRemains;
}

/*
 *----------------------------------------------------------------------
 *
 * DispatchStatusProc, DbusEventConnInit --
 *
 *	libdbus reports every change of a connection's dispatch status
 *	(messages queued or not) to DispatchStatusProc, which only notes
 *	it: asking libdbus on every turn of the event loop costs a lock
 *	round trip per call.  DbusEventConnInit installs the callback and
 *	takes the initial status.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	DispatchStatusProc sets connPtr->dataRemains; DbusEventConnInit
 *	installs it on the libdbus connection and sets dataRemains from the
 *	current status.
 *
 *----------------------------------------------------------------------
 */

static void
DispatchStatusProc(
    DBusConnection *conn,
    DBusDispatchStatus status,
    void *data)			/* DbusConn */
{
    (void) conn;
    ((DbusConn *) data)->dataRemains = (status == DBUS_DISPATCH_DATA_REMAINS);
}

void
DbusEventConnInit(
    DbusConn *connPtr)
{
    dbus_connection_set_dispatch_status_function(connPtr->conn,
	    DispatchStatusProc, connPtr, NULL);
    connPtr->dataRemains = (dbus_connection_get_dispatch_status(
	    connPtr->conn) == DBUS_DISPATCH_DATA_REMAINS);
}

/*
 *----------------------------------------------------------------------
 *
 * SetupProc, CheckProc --
 *
 *	Event source: do not block while a connection has messages; queue a
 *	dispatch event for each such connection.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	SetupProc sets a zero block time when a connection has work and no
 *	dispatch event queued; CheckProc queues the dispatch events
 *	(DbusConnCheckQueue).
 *
 *----------------------------------------------------------------------
 */

static void
SetupProc(
    ClientData clientData,
    int flags)
{
    DbusThreadData *tsdPtr = (DbusThreadData *) clientData;
    DbusConn *connPtr;
    static Tcl_Time zero = {0, 0};

    if (!(flags & TCL_FILE_EVENTS)) {
	return;
    }
    tsdPtr->loopMs = DbusMonotonicMs();
    tsdPtr->peeks = 0;
    for (connPtr = tsdPtr->firstConn; connPtr; connPtr = connPtr->nextPtr) {
	if (!connPtr->eventQueued && HasWork(connPtr)) {
	    Tcl_SetMaxBlockTime(&zero);
	    return;
	}
    }
}

static void
CheckProc(
    ClientData clientData,
    int flags)
{
    DbusThreadData *tsdPtr = (DbusThreadData *) clientData;
    DbusConn *connPtr;

    if (!(flags & TCL_FILE_EVENTS)) {
	return;
    }
    for (connPtr = tsdPtr->firstConn; connPtr; connPtr = connPtr->nextPtr) {
	DbusConnCheckQueue(connPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnCheckQueue --
 *
 *	Queue a dispatch event for a connection with messages waiting,
 *	unless one is already queued.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Tcl_QueueEvent; the connection is preserved while queued.
 *
 *----------------------------------------------------------------------
 */

void
DbusConnCheckQueue(
    DbusConn *connPtr)
{
    DispatchEvent *evPtr;

    if (connPtr->eventQueued || !HasWork(connPtr)) {
	return;
    }
    evPtr = (DispatchEvent *) ckalloc(sizeof(DispatchEvent));
    evPtr->header.proc = DispatchEventProc;
    evPtr->connPtr = connPtr;
    Tcl_Preserve(connPtr);
    connPtr->eventQueued = 1;
    Tcl_QueueEvent((Tcl_Event *) evPtr, TCL_QUEUE_TAIL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnForgetEvents --
 *
 *	A connection is being closed: remove its queued dispatch event so
 *	that the record is not kept alive by an event that may never be
 *	serviced (e.g. when the script closes the bus and exits).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Deletes the connection's queued dispatch event (and its preserve of
 *	the record).
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * MatchDispatchEvent --
 *
 *	Tcl_DeleteEvents predicate of DbusConnForgetEvents: is evPtr the
 *	dispatch event of the connection clientData?
 *
 * Results:
 *	1 for that event (it is then deleted by Tcl), else 0.
 *
 * Side effects:
 *	Releases the preserve the event held on the connection when it
 *	matches.
 *
 *----------------------------------------------------------------------
 */

static int
MatchDispatchEvent(
    Tcl_Event *evPtr,
    ClientData clientData)
{
    if (evPtr->proc != DispatchEventProc
	    || ((DispatchEvent *) evPtr)->connPtr != (DbusConn *) clientData) {
	return 0;
    }
    Tcl_Release(clientData);
    return 1;
}

void
DbusConnForgetEvents(
    DbusConn *connPtr)
{
    if (connPtr->eventQueued) {
	Tcl_DeleteEvents(MatchDispatchEvent, connPtr);
	connPtr->eventQueued = 0;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * PeekSocket --
 *
 *	A connection has no message left to dispatch: read its socket now
 *	if it is readable (DbusWatchPeek), so that the event loop goes on
 *	with the next message instead of waiting in the notifier for
 *	what is already there, as a C client's poll() would.  Bounded so
 *	that timers, other file handlers, idle callbacks and Tk keep their
 *	turn: at most PEEK_MAX_READS reads and PEEK_MAX_MS milliseconds
 *	between two visits of the notifier (SetupProc resets both); after
 *	that the loop waits in the notifier as usual, which sees the
 *	socket too.  Never a wait, never a loop on an idle socket.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See DbusWatchPeek.
 *
 *----------------------------------------------------------------------
 */

#define PEEK_MAX_READS	256
#define PEEK_MAX_MS	10

static void
PeekSocket(
    DbusConn *connPtr)		/* preserved by the caller */
{
    DbusThreadData *tsdPtr = DbusGetThreadData();

    if (tsdPtr->peeks >= PEEK_MAX_READS
	    || DbusMonotonicMs() - tsdPtr->loopMs > PEEK_MAX_MS) {
	return;
    }
    if (DbusWatchPeek(connPtr)) {
	tsdPtr->peeks++;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DispatchEventProc --
 *
 *	Take one message off the connection (held ones first) and process
 *	it; queue the next dispatch event if more are waiting.
 *
 * Results:
 *	1 (event handled) or 0 when file events are not being serviced.
 *
 * Side effects:
 *	Processes one message (handlers may run, replies be sent), may read
 *	the socket at once when the connection has nothing left (PeekSocket),
 *	queues the next dispatch event when more messages wait, and releases
 *	the preserve the event held on the connection.
 *
 *----------------------------------------------------------------------
 */

static int
DispatchEventProc(
    Tcl_Event *evPtr,
    int flags)
{
    DbusConn *connPtr = ((DispatchEvent *) evPtr)->connPtr;
    DBusMessage *msg = NULL;

    if (!(flags & TCL_FILE_EVENTS)) {
	return 0;
    }
    connPtr->eventQueued = 0;
    if (!(connPtr->flags & DBUS_CONN_CLOSED)) {
	if (connPtr->firstHeld != NULL) {
	    DbusHeld *heldPtr = connPtr->firstHeld;

	    connPtr->firstHeld = heldPtr->nextPtr;
	    if (connPtr->firstHeld == NULL) {
		connPtr->lastHeld = NULL;
	    }
	    msg = heldPtr->msg;
	    ckfree((char *) heldPtr);
	} else {
	    msg = dbus_connection_pop_message(connPtr->conn);
	}
	if (msg != NULL) {
	    DbusProcessMessage(connPtr, msg, 0);
	    dbus_message_unref(msg);
	}
	if (!(connPtr->flags & DBUS_CONN_CLOSED) && !HasWork(connPtr)) {
	    PeekSocket(connPtr);
	}
	if (!(connPtr->flags & DBUS_CONN_CLOSED)) {
	    DbusConnCheckQueue(connPtr);
	}
    }
    Tcl_Release(connPtr);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusHoldMessage --
 *
 *	Set a message aside for the event loop (synchronous waits).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends a DbusHeld record (holding a reference to msg; freed when
 *	DispatchEventProc takes it, or by ConnClose) to the connection's held
 *	list.
 *
 *----------------------------------------------------------------------
 */

void
DbusHoldMessage(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbusHeld *heldPtr = (DbusHeld *) ckalloc(sizeof(DbusHeld));

    heldPtr->msg = dbus_message_ref(msg);
    heldPtr->nextPtr = NULL;
    if (connPtr->lastHeld) {
	connPtr->lastHeld->nextPtr = heldPtr;
    } else {
	connPtr->firstHeld = heldPtr;
    }
    connPtr->lastHeld = heldPtr;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
