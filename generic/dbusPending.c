/*
 * dbusPending.c --
 *
 *	Method calls we sent and await the answer of.  Replies are matched
 *	to our own pending-call records (no DBusPendingCall), with deadlines
 *	kept on one Tcl timer per connection.  A synchronous call waits in
 *	DbusWaitReply: it polls the thread's connections itself, serving
 *	incoming method calls at once (so a call to a handler of the same
 *	process cannot deadlock) and setting every other message aside, in
 *	order, for the event loop.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <limits.h>

static void	PendingTimerProc(ClientData clientData);

/*
 *----------------------------------------------------------------------
 *
 * Pending calls.
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * ScheduleTimer --
 *
 *	(Re)arm the connection's one deadline timer for the earliest deadline
 *	among its pending calls (the list is sorted by deadline; calls without
 *	one are skipped), or leave it off when none has one.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Deletes and creates the Tcl timer handler connPtr->pendingTimer
 *	(PendingTimerProc).
 *
 *----------------------------------------------------------------------
 */

static void
ScheduleTimer(
    DbusConn *connPtr)
{
    DbusPending *firstPtr = connPtr->firstPending;
    Tcl_WideInt delay;

    if (connPtr->pendingTimer != NULL) {
	Tcl_DeleteTimerHandler(connPtr->pendingTimer);
	connPtr->pendingTimer = NULL;
    }
    while (firstPtr != NULL && firstPtr->deadline == 0) {
	firstPtr = firstPtr->nextPtr;
    }
    if (firstPtr == NULL) {
	return;
    }
    delay = firstPtr->deadline - DbusMonotonicMs();
    if (delay < 0) {
	delay = 0;
    }
    connPtr->pendingTimer = Tcl_CreateTimerHandler((int) delay,
	    PendingTimerProc, connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPendingNew --
 *
 *	Record a call we sent.  timeout: milliseconds, negative for the
 *	default, INT_MAX for none.
 *
 * Results:
 *	The record, owned by the connection until the reply comes or the
 *	call fails.
 *
 * Side effects:
 *	Lists the record in connPtr->pending (by serial) and in the
 *	connection's deadline-sorted list; holds a reference to script (a
 *	-handler script or the coroutine's name); may rearm the deadline
 *	timer.  Freed by DbusPendingFree (DbusDeliverReply frees HANDLER and
 *	PROC records itself).
 *
 *----------------------------------------------------------------------
 */

DbusPending *
DbusPendingNew(
    DbusConn *connPtr,
    dbus_uint32_t serial,
    DbusPendingKind kind,
    Tcl_Interp *interp,
    Tcl_Obj *script,
    int flags,
    int timeout)
{
    DbusPending *pendPtr = (DbusPending *) ckalloc(sizeof(DbusPending));
    Tcl_HashEntry *hPtr;
    DbusPending *p;
    int isNew;

    memset(pendPtr, 0, sizeof(DbusPending));
    pendPtr->serial = serial;
    pendPtr->kind = kind;
    pendPtr->connPtr = connPtr;
    pendPtr->interp = interp;
    pendPtr->script = script;
    if (script != NULL) {
	Tcl_IncrRefCount(script);
    }
    pendPtr->flags = flags;
    if (timeout < 0) {
	timeout = DBUS_DEFAULT_TIMEOUT;
    }
    pendPtr->deadline = (timeout == INT_MAX) ? 0
	    : DbusMonotonicMs() + timeout;
    hPtr = Tcl_CreateHashEntry(&connPtr->pending, INT2PTR(serial), &isNew);
    Tcl_SetHashValue(hPtr, pendPtr);

    /*
     * Insert by deadline, searching from the end: with equal timeouts
     * this is an append.
     */

    for (p = connPtr->lastPending; p != NULL && pendPtr->deadline != 0
	    && (p->deadline == 0 || p->deadline > pendPtr->deadline);
	    p = p->prevPtr) {
	/* walk back */
    }
    if (pendPtr->deadline == 0) {
	p = connPtr->lastPending;
    }
    pendPtr->prevPtr = p;
    pendPtr->nextPtr = p ? p->nextPtr : connPtr->firstPending;
    if (pendPtr->nextPtr) {
	pendPtr->nextPtr->prevPtr = pendPtr;
    } else {
	connPtr->lastPending = pendPtr;
    }
    if (p) {
	p->nextPtr = pendPtr;
    } else {
	connPtr->firstPending = pendPtr;
    }
    if (connPtr->pendingTimer == NULL || connPtr->firstPending == pendPtr) {
	ScheduleTimer(connPtr);
    }
    return pendPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPendingNewProc --
 *
 *	Record a call we sent whose answer goes to a C callback (see
 *	DbusReplyProc in dbusInt.h).  timeout as for DbusPendingNew.
 *
 * Results:
 *	The record, owned by the connection until the callback has run.
 *	The caller may cancel it with DbusPendingFree before that.
 *
 * Side effects:
 *	May (re)schedule the connection's deadline timer.
 *
 *----------------------------------------------------------------------
 */

DbusPending *
DbusPendingNewProc(
    DbusConn *connPtr,
    dbus_uint32_t serial,
    DbusReplyProc *proc,
    ClientData clientData,	/* not owned */
    int timeout)
{
    DbusPending *pendPtr = DbusPendingNew(connPtr, serial,
	    DBUS_PENDING_PROC, NULL, NULL, 0, timeout);

    pendPtr->proc = proc;
    pendPtr->clientData = clientData;
    return pendPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * Unlist --
 *
 *	Take a pending record out of its connection's table and list.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes the record from connPtr->pending and the list, clears
 *	pendPtr->connPtr, deletes the deadline timer when no call is left.
 *
 *----------------------------------------------------------------------
 */

static void
Unlist(
    DbusPending *pendPtr)
{
    DbusConn *connPtr = pendPtr->connPtr;
    Tcl_HashEntry *hPtr;

    if (connPtr == NULL) {
	return;
    }
    hPtr = Tcl_FindHashEntry(&connPtr->pending, INT2PTR(pendPtr->serial));
    if (hPtr != NULL && Tcl_GetHashValue(hPtr) == pendPtr) {
	Tcl_DeleteHashEntry(hPtr);
    }
    if (pendPtr->prevPtr) {
	pendPtr->prevPtr->nextPtr = pendPtr->nextPtr;
    } else {
	connPtr->firstPending = pendPtr->nextPtr;
    }
    if (pendPtr->nextPtr) {
	pendPtr->nextPtr->prevPtr = pendPtr->prevPtr;
    } else {
	connPtr->lastPending = pendPtr->prevPtr;
    }
    pendPtr->prevPtr = pendPtr->nextPtr = NULL;
    pendPtr->connPtr = NULL;
    if (connPtr->firstPending == NULL && connPtr->pendingTimer != NULL) {
	Tcl_DeleteTimerHandler(connPtr->pendingTimer);
	connPtr->pendingTimer = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPendingObserve --
 *
 *	Give a HANDLER record an observer of its reply (see
 *	DbusReplyObserver in dbusInt.h).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The record owns clientData: freeProc runs when it is freed.
 *
 *----------------------------------------------------------------------
 */

void
DbusPendingObserve(
    DbusPending *pendPtr,
    DbusReplyObserver *proc,
    void (*freeProc)(ClientData),
    ClientData clientData)	/* ownership passes to the record */
{
    pendPtr->observeProc = proc;
    pendPtr->observeFree = freeProc;
    pendPtr->observeData = clientData;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPendingFree --
 *
 *	Free a pending record (unlisting it if still listed).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlists the record (Unlist), releases its script, reply and
 *	observer data (observeFree), frees it.
 *
 *----------------------------------------------------------------------
 */

void
DbusPendingFree(
    DbusPending *pendPtr)
{
    Unlist(pendPtr);
    if (pendPtr->observeFree != NULL) {
	pendPtr->observeFree(pendPtr->observeData);
    }
    if (pendPtr->script != NULL) {
	Tcl_DecrRefCount(pendPtr->script);
    }
    if (pendPtr->reply != NULL) {
	dbus_message_unref(pendPtr->reply);
    }
    ckfree((char *) pendPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusDeliverReply --
 *
 *	A reply (or a synthesized error) for a pending call: run the
 *	-handler script, wake the synchronous waiter, or resume the
 *	coroutine.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlists the record.  HANDLER: its observer, if any, sees the reply,
 *	then the script runs at global level (errors to bgerror) and the
 *	record is freed.  WAIT: the reply is kept (a
 *	reference) and the record marked done, for DbusWaitReply.  CORO: the
 *	same, then the coroutine is resumed (its NR callback, DbusAwaitResume,
 *	frees the record).  PROC: the C callback runs and the record is freed.
 *
 *----------------------------------------------------------------------
 */

void
DbusDeliverReply(
    DbusPending *pendPtr,
    DBusMessage *reply)
{
    DbusConn *connPtr = pendPtr->connPtr;
    Tcl_Interp *interp = pendPtr->interp;
    int code;

    Unlist(pendPtr);
    switch (pendPtr->kind) {
    case DBUS_PENDING_HANDLER:
	if (interp != NULL && connPtr != NULL
		&& !(connPtr->flags & DBUS_CONN_CLOSED)) {
	    Tcl_Preserve(interp);
	    if (pendPtr->observeProc != NULL) {
		pendPtr->observeProc(pendPtr->observeData, interp, reply);
		Tcl_ResetResult(interp);
	    }
	    code = (pendPtr->dataPtr != NULL)
		    ? DbusEvalWith(pendPtr->dataPtr, pendPtr->script, reply,
			pendPtr->flags)
		    : DbusEvalHandler(interp, pendPtr->script, reply,
			pendPtr->flags);
	    if (code == TCL_ERROR) {
		DbusBackgroundError(interp, code, "dbus call -handler script");
	    }
	    Tcl_ResetResult(interp);
	    Tcl_Release(interp);
	}
	DbusPendingFree(pendPtr);
	break;
    case DBUS_PENDING_WAIT:
	pendPtr->reply = dbus_message_ref(reply);
	pendPtr->done = 1;
	break;
    case DBUS_PENDING_CORO:
	pendPtr->reply = dbus_message_ref(reply);
	pendPtr->done = 1;
	if (interp != NULL) {
	    Tcl_Obj *coroPtr = pendPtr->script;

	    /*
	     * Resuming runs the coroutine up to its next yield; the NR
	     * callback (DbusAwaitResume, dbusAwait.c) frees pendPtr.
	     */

	    Tcl_IncrRefCount(coroPtr);
	    Tcl_Preserve(interp);
	    code = Tcl_EvalObjv(interp, 1, &coroPtr, TCL_EVAL_GLOBAL);
	    if (code == TCL_ERROR) {
		DbusBackgroundError(interp, code, "coroutine resumed by dbus call");
	    }
	    Tcl_ResetResult(interp);
	    Tcl_Release(interp);
	    Tcl_DecrRefCount(coroPtr);
	}
	break;
    case DBUS_PENDING_PROC:
	if (connPtr != NULL) {
	    Tcl_Preserve(connPtr);
	    pendPtr->proc(pendPtr->clientData, connPtr, reply);
	    Tcl_Release(connPtr);
	}
	DbusPendingFree(pendPtr);
	break;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * FailPending --
 *
 *	Complete a pending call with a synthesized error reply.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Delivers a new error message (released here) to the pending call
 *	(DbusDeliverReply); nothing happens when libdbus is out of memory.
 *
 *----------------------------------------------------------------------
 */

static void
FailPending(
    DbusPending *pendPtr,
    const char *name,
    const char *text)
{
    DBusMessage *err = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR);

    if (err == NULL) {
	return;
    }
    dbus_message_set_error_name(err, name);
    dbus_message_set_reply_serial(err, pendPtr->serial);
    dbus_message_set_no_reply(err, TRUE);
    dbus_message_append_args(err, DBUS_TYPE_STRING, &text,
	    DBUS_TYPE_INVALID);
    DbusDeliverReply(pendPtr, err);
    dbus_message_unref(err);
}

/*
 *----------------------------------------------------------------------
 *
 * PendingTimerProc --
 *
 *	Fail every pending call whose deadline passed with NoReply.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Each call past its deadline gets a NoReply error (scripts may run);
 *	the timer is rearmed for the next deadline.  The connection is
 *	preserved meanwhile.
 *
 *----------------------------------------------------------------------
 */

static void
PendingTimerProc(
    ClientData clientData)
{
    DbusConn *connPtr = (DbusConn *) clientData;
    Tcl_WideInt now = DbusMonotonicMs();
    DbusPending *pendPtr, *nextPtr;

    connPtr->pendingTimer = NULL;
    Tcl_Preserve(connPtr);
    for (pendPtr = connPtr->firstPending; pendPtr != NULL;
	    pendPtr = nextPtr) {
	nextPtr = pendPtr->nextPtr;
	if (pendPtr->deadline == 0) {
	    continue;
	}
	if (pendPtr->deadline > now) {
	    break;
	}
	FailPending(pendPtr, DBUS_ERROR_NO_REPLY, "Did not receive a reply. "
		"Possible causes include: the remote application did not "
		"send a reply, the message bus security policy blocked the "
		"reply, the reply timeout expired, or the network connection "
		"was broken.");

	/*
	 * The handler may have changed the list: start over.
	 */

	nextPtr = connPtr->firstPending;
    }
    if (!(connPtr->flags & DBUS_CONN_CLOSED) && connPtr->firstPending
	    && connPtr->pendingTimer == NULL) {
	ScheduleTimer(connPtr);
    }
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPendingFailAll --
 *
 *	Fail every pending call of a connection (bus lost or closed).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Every pending call gets the error (FailPending: scripts may run,
 *	coroutines resume); the deadline timer is deleted.
 *
 *----------------------------------------------------------------------
 */

void
DbusPendingFailAll(
    DbusConn *connPtr,
    const char *errorName,
    const char *text)
{
    while (connPtr->firstPending != NULL) {
	FailPending(connPtr->firstPending, errorName, text);
    }
    if (connPtr->pendingTimer != NULL) {
	Tcl_DeleteTimerHandler(connPtr->pendingTimer);
	connPtr->pendingTimer = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWaitReply --
 *
 *	Wait for the reply of a synchronous call.  With serviceEvents the
 *	Tcl event loop runs meanwhile (like vwait); otherwise only D-Bus
 *	traffic of this thread is served: method calls to local handlers
 *	run at once, everything else is held for the event loop.
 *
 * Results:
 *	TCL_OK; pendPtr->reply holds the reply (or synthesized error).
 *	The caller frees pendPtr.
 *
 * Side effects:
 *	Pops and processes the thread's messages (method calls are served at
 *	once, the rest is held for the event loop), waits on the thread's
 *	sockets (DbusWatchWait), fails the call with NoReply at its deadline,
 *	and queues dispatch events for what is held; with serviceEvents runs
 *	the Tcl event loop instead.
 *
 *----------------------------------------------------------------------
 */

int
DbusWaitReply(
    DbusPending *pendPtr,
    int serviceEvents)
{
    DbusThreadData *tsdPtr = DbusGetThreadData();

    while (!pendPtr->done) {
	DbusConn *connPtr, *nextPtr;
	Tcl_WideInt now;
	int timeout = -1;

	if (serviceEvents) {
	    Tcl_DoOneEvent(TCL_ALL_EVENTS);
	    continue;
	}

	/*
	 * Messages libdbus already has.
	 */

	for (connPtr = tsdPtr->firstConn; connPtr && !pendPtr->done;
		connPtr = nextPtr) {
	    DBusMessage *msg;

	    nextPtr = connPtr->nextPtr;
	    Tcl_Preserve(connPtr);
	    while (!pendPtr->done && !(connPtr->flags & DBUS_CONN_CLOSED)
		    && (msg = dbus_connection_pop_message(connPtr->conn))) {
		DbusProcessMessage(connPtr, msg, 1);
		dbus_message_unref(msg);
	    }
	    nextPtr = connPtr->nextPtr;
	    Tcl_Release(connPtr);
	}
	if (pendPtr->done) {
	    break;
	}
	if (pendPtr->connPtr == NULL) {
	    /* connection gone without failing us: should not happen */
	    break;
	}
	if (pendPtr->deadline != 0) {
	    now = DbusMonotonicMs();
	    if (now >= pendPtr->deadline) {
		FailPending(pendPtr, DBUS_ERROR_NO_REPLY,
			"Did not receive a reply (timeout)");
		break;
	    }
	    timeout = (int) (pendPtr->deadline - now);
	}
	DbusWatchWait(tsdPtr, timeout);

	/*
	 * A socket that hung up shows as a Disconnected message on the
	 * next round, which fails the call through DbusConnLost.
	 */

	for (connPtr = tsdPtr->firstConn; connPtr; connPtr = connPtr->nextPtr) {
	    if (!(connPtr->flags & DBUS_CONN_LOST)
		    && !dbus_connection_get_is_connected(connPtr->conn)
		    && connPtr == pendPtr->connPtr) {
		DBusMessage *msg;

		while ((msg = dbus_connection_pop_message(connPtr->conn))) {
		    DbusHoldMessage(connPtr, msg);
		    dbus_message_unref(msg);
		}
		DbusConnLost(connPtr);
		break;
	    }
	}
    }

    /*
     * Held messages wait for the event loop.
     */

    {
	DbusConn *connPtr;

	for (connPtr = tsdPtr->firstConn; connPtr; connPtr = connPtr->nextPtr) {
	    DbusConnCheckQueue(connPtr);
	}
    }
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
