/*
 * dbusEvent.c --
 *
 *	Incoming messages and the Tcl event loop: the per-thread event
 *	source.  It notices connections with messages waiting (libdbus's
 *	dispatch-status callback, messages held during a synchronous wait)
 *	and queues one dispatch event per connection; the event proc takes
 *	the messages off the connection (dbus_connection_pop_message:
 *	libdbus never calls back into us with a message) and hands them,
 *	one by one and in order, to DbusProcessMessage (dbusDeliver.c).
 *	Scripts run only from there.
 *
 *	One dispatch event handles a batch: the messages libdbus has queued
 *	and what the socket gives without blocking, at most BATCH_MAX
 *	messages or BATCH_MS milliseconds.  A full batch pauses the
 *	connection (Pause): its socket is not watched for reading and no
 *	dispatch event is queued for it until the event loop has run its
 *	idle callbacks (ResumeProc) or has gone twice through the notifier
 *	(SetupProc), so that timers, other connections, other file events,
 *	Tk events and idle callbacks (Tk's redraw) all get their turn
 *	during a flood.
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

/*
 * Bounds of one batch (see the file header): messages (and reads of the
 * socket that gave no complete message), and milliseconds, the clock
 * being read every BATCH_CLOCK messages (a batch shorter than that never
 * reads it, so the milliseconds count from its BATCH_CLOCK-th message).
 */

#define BATCH_MAX	64
#define BATCH_MS	2
#define BATCH_CLOCK	8

/*
 * Notifier visits after which a paused connection resumes even if no
 * idle callback ran (a busy event loop never gets idle: "after 0" loops,
 * a flooded file event).
 */

#define PAUSE_VISITS	2

static void	SetupProc(ClientData clientData, int flags);
static void	CheckProc(ClientData clientData, int flags);
static int	DispatchEventProc(Tcl_Event *evPtr, int flags);
static void	Pause(DbusConn *connPtr);
static void	Resume(DbusConn *connPtr);
static void	ResumeProc(ClientData clientData);

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
 *	DbusEventFinalize removes them and the idle callback that resumes
 *	paused connections, and drops the references of messages still
 *	marked in flight (frames an exit never resumes).
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
    if (tsdPtr->resumeQueued) {
	Tcl_CancelIdleCall(ResumeProc, tsdPtr);
	tsdPtr->resumeQueued = 0;
    }

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
 *	dispatch event for each such connection.  A paused connection
 *	(Pause) resumes here on the PAUSE_VISITS-th visit since it paused,
 *	or at once when this turn of the event loop does not service idle
 *	callbacks (which would resume it).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	SetupProc counts the visit, may resume paused connections, sets a
 *	zero block time when a connection is paused or has work and no
 *	dispatch event queued, and arms again the reader thread's
 *	registrations that fired (DbusWatchRearm); CheckProc queues the
 *	dispatch events (DbusConnCheckQueue).
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
    int block = 1;

    if (!(flags & TCL_FILE_EVENTS)) {
	return;
    }
    tsdPtr->visits++;
    for (connPtr = tsdPtr->firstConn; connPtr; connPtr = connPtr->nextPtr) {
	if (connPtr->paused) {
	    if ((flags & TCL_IDLE_EVENTS) && tsdPtr->visits
		    - connPtr->pausedVisit < PAUSE_VISITS) {
		block = 0;
		continue;
	    }
	    Resume(connPtr);
	}
	if (!connPtr->eventQueued && HasWork(connPtr)) {
	    block = 0;
	}
    }
    if (!block) {
	Tcl_SetMaxBlockTime(&zero);
    }
    DbusWatchRearm(tsdPtr);
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
 * Pause, Resume, ResumeProc --
 *
 *	A connection that filled a batch with messages still waiting lets
 *	the rest of the event loop run (Pause): its socket leaves the
 *	notifier's read set (a readable socket would have its file event
 *	serviced on every turn, and the loop would never get idle) and no
 *	dispatch event is queued for it (DbusConnCheckQueue) until it
 *	resumes, from the thread's idle callback ResumeProc (so idle
 *	callbacks registered before, Tk's redraw among them, run first) or
 *	from SetupProc.  ResumeProc leaves alone a connection that paused
 *	since the last notifier visit: a handler's "update idletasks" runs
 *	idle callbacks in the middle of a batch, and resuming there would
 *	queue batch after batch (of one connection, or of two taking turns)
 *	with the notifier never visited, timers and file events never
 *	queued; SetupProc resumes it two visits on.  Resume undoes Pause;
 *	the caller queues the dispatch event.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Pause sets connPtr->paused, stops reading (DbusWatchPause) and
 *	registers ResumeProc as an idle callback unless it is; Resume clears
 *	paused and reads again; ResumeProc resumes every connection of the
 *	thread paused before the last notifier visit and queues their
 *	dispatch events.
 *
 *----------------------------------------------------------------------
 */

static void
Pause(
    DbusConn *connPtr)
{
    DbusThreadData *tsdPtr = connPtr->tsdPtr;

    if (connPtr->paused) {
	return;
    }
    connPtr->paused = 1;
    connPtr->pausedVisit = tsdPtr->visits;
    DbusWatchPause(connPtr, 1);
    if (!tsdPtr->resumeQueued) {
	tsdPtr->resumeQueued = 1;
	Tcl_DoWhenIdle(ResumeProc, tsdPtr);
    }
}

static void
Resume(
    DbusConn *connPtr)
{
    connPtr->paused = 0;
    DbusWatchPause(connPtr, 0);
}

static void
ResumeProc(
    ClientData clientData)	/* DbusThreadData */
{
    DbusThreadData *tsdPtr = (DbusThreadData *) clientData;
    DbusConn *connPtr;

    tsdPtr->resumeQueued = 0;
    for (connPtr = tsdPtr->firstConn; connPtr; connPtr = connPtr->nextPtr) {
	if (connPtr->paused && connPtr->pausedVisit != tsdPtr->visits) {
	    Resume(connPtr);
	    DbusConnCheckQueue(connPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnCheckQueue --
 *
 *	Queue a dispatch event for a connection with messages waiting,
 *	unless one is already queued or the connection is paused.
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

    if (connPtr->eventQueued || connPtr->paused || !HasWork(connPtr)) {
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
 * NextMessage --
 *
 *	The next message of a connection for the event loop: the held ones
 *	first (popped during a synchronous wait, so older), then libdbus's
 *	queue.
 *
 * Results:
 *	A message (the caller owns the reference) or NULL.
 *
 * Side effects:
 *	Unlinks and frees the held record, or pops the message.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
NextMessage(
    DbusConn *connPtr)
{
    DbusHeld *heldPtr = connPtr->firstHeld;
    DBusMessage *msg;

    if (heldPtr == NULL) {
	return connPtr->dataRemains
		? dbus_connection_pop_message(connPtr->conn) : NULL;
    }
    connPtr->firstHeld = heldPtr->nextPtr;
    if (connPtr->firstHeld == NULL) {
	connPtr->lastHeld = NULL;
    }
    msg = heldPtr->msg;
    ckfree((char *) heldPtr);
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * DispatchEventProc --
 *
 *	Process a batch of messages of the connection, in order: held ones,
 *	libdbus's queue, and when that is empty what the socket gives at
 *	once (DbusWatchPeek: a non-blocking poll and read, so that messages
 *	already there do not wait for a trip through the notifier, with
 *	Tcl 8.6's notifier thread a handshake of several context switches).
 *	The batch ends when nothing more is there, or after BATCH_MAX
 *	messages and reads or BATCH_MS milliseconds: the connection then
 *	pauses (Pause) so that the rest of the event loop has its turn.
 *	Every message may run scripts that close the connection, delete
 *	handlers or interps, re-enter the event loop (vwait, update: a
 *	nested dispatch event takes the next messages, in order), or wait
 *	for a reply (messages popped meanwhile are held, and taken first):
 *	the state is looked at again after each one.  A connection paused
 *	meanwhile (by a nested batch), or before the event is serviced (it
 *	was queued during the batch that paused), is left alone: its resume
 *	queues the next event.
 *
 * Results:
 *	1 (event handled) or 0 when file events are not being serviced.
 *
 * Side effects:
 *	Processes messages (handlers may run, replies be sent), reads the
 *	socket, may pause the connection, and releases the preserve the
 *	event held on the connection.
 *
 *----------------------------------------------------------------------
 */

static int
DispatchEventProc(
    Tcl_Event *evPtr,
    int flags)
{
    DbusConn *connPtr = ((DispatchEvent *) evPtr)->connPtr;
    Tcl_WideInt start = 0;
    int n = 0;

    if (!(flags & TCL_FILE_EVENTS)) {
	return 0;
    }
    connPtr->eventQueued = 0;
    while (!(connPtr->flags & DBUS_CONN_CLOSED)) {
	DBusMessage *msg;

	if (connPtr->paused) {
	    /*
	     * Paused since the event was queued (a handler's synchronous
	     * call or "update idletasks" queued it during the last batch)
	     * or by a nested batch: the resume queues a new event.
	     */

	    break;
	}
	if (n >= BATCH_MAX) {
	    Pause(connPtr);
	    break;
	}
	if (++n % BATCH_CLOCK == 0) {
	    if (start == 0) {
		start = DbusMonotonicMs();
	    } else if (DbusMonotonicMs() - start >= BATCH_MS) {
		Pause(connPtr);
		break;
	    }
	}
	msg = NextMessage(connPtr);
	if (msg != NULL) {
	    DbusProcessMessage(connPtr, msg, 0);
	    dbus_message_unref(msg);
	} else if (!DbusWatchPeek(connPtr)) {
	    break;
	}
    }
    if (!(connPtr->flags & DBUS_CONN_CLOSED)) {
	DbusConnCheckQueue(connPtr);
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
