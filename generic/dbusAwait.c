/*
 * dbusAwait.c --
 *
 *	Waiting for the reply of a method call we sent, written once for
 *	every caller that needs the reply before it goes on ("dbus call",
 *	"dbus credentials", dbif proxies): inside a coroutine the coroutine
 *	yields and the reply resumes it (dbusDeliver.c); elsewhere
 *	DbusWaitReply (dbusPending.c) waits for it here, serving incoming
 *	method calls and holding other traffic for the event loop.  Either
 *	way the caller's step runs exactly once with the reply.  Also here:
 *	whether a command runs in a coroutine, and a reply turned into a
 *	command result.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbusInCoroutine --
 *
 *	Name of the coroutine the command runs in, or NULL.
 *
 * Results:
 *	A new object with refcount 1 (caller releases), or NULL.
 *
 * Side effects:
 *	Runs [::info coroutine]; the interp result is kept.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusInCoroutine(
    Tcl_Interp *interp)
{
    DbusInterpData *dataPtr = DbusGetInterpData(interp);
    Tcl_Obj *objv[2], *saved, *coroPtr = NULL;

    objv[0] = dataPtr->literals[DBUS_LIT_INFO];
    objv[1] = dataPtr->literals[DBUS_LIT_COROUTINE];
    saved = Tcl_GetObjResult(interp);
    Tcl_IncrRefCount(saved);
    if (Tcl_EvalObjv(interp, 2, objv, 0) == TCL_OK) {
	Tcl_Size len;

	Tcl_GetStringFromObj(Tcl_GetObjResult(interp), &len);
	if (len > 0) {
	    coroPtr = Tcl_GetObjResult(interp);
	    Tcl_IncrRefCount(coroPtr);
	}
    }
    Tcl_SetObjResult(interp, saved);
    Tcl_DecrRefCount(saved);
    return coroPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReplyResult --
 *
 *	Turn the reply of a synchronous call into the command result: no
 *	argument gives "", one gives the value, several a list; an error
 *	reply raises {DBUS DBUS_MESSAGE_TYPE_ERROR name}.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR: "No reply" {DBUS DBUS_MESSAGE_TYPE_ERROR
 *	org.freedesktop.DBus.Error.NoReply} when reply is NULL, the
 *	remote error of an error reply, or a decoding error.
 *
 * Side effects:
 *	Sets the interp result (a new list, or an element of one).
 *
 *----------------------------------------------------------------------
 */

int
DbusReplyResult(
    Tcl_Interp *interp,
    DBusMessage *reply,		/* borrowed; NULL: no reply came */
    int flags)			/* DBUS_FLAG_DETAILS */
{
    Tcl_Obj *argsPtr;
    Tcl_Size n;

    if (reply == NULL) {
	return DbusError(interp, DBUS_EC_REMOTE, DBUS_ERROR_NO_REPLY, NULL,
		"No reply");
    }
    if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
	return DbusReplyError(interp, reply, flags);
    }
    argsPtr = DbusUnmarshalArgs(interp, reply, flags);
    if (argsPtr == NULL) {
	return TCL_ERROR;
    }
    Tcl_ListObjLength(NULL, argsPtr, &n);
    if (n == 1) {
	Tcl_Obj *valuePtr;

	Tcl_ListObjIndex(NULL, argsPtr, 0, &valuePtr);
	Tcl_SetObjResult(interp, valuePtr);
	Tcl_DecrRefCount(argsPtr);	/* refcount 0 -> freed, value kept */
    } else if (n == 0) {
	Tcl_DecrRefCount(argsPtr);
    } else {
	Tcl_SetObjResult(interp, argsPtr);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * RunStep --
 *
 *	Run the step of an awaited call once: the caller's step, or, for
 *	a NULL step, the reply as the command result (DbusReplyResult with
 *	the flags in data1).
 *
 * Results:
 *	What the step returns; with a NULL step and result not TCL_OK
 *	(the coroutine is being deleted), result.
 *
 * Side effects:
 *	Those of the step.
 *
 *----------------------------------------------------------------------
 */

static inline int
RunStep(
    Tcl_Interp *interp,
    DbusAwaitStep *step,	/* or NULL */
    ClientData data1,
    ClientData data2,
    DBusMessage *reply,		/* borrowed; may be NULL */
    int result)
{
    if (step != NULL) {
	return step(interp, data1, data2, reply, result);
    }
    if (result != TCL_OK) {
	return result;
    }
    return DbusReplyResult(interp, reply, PTR2INT(data1));
}

/*
 *----------------------------------------------------------------------
 *
 * DbusAwaitResume --
 *
 *	NR callback of a call awaited inside a coroutine (DbusAwaitReply):
 *	runs whenever the coroutine is resumed, normally by the reply
 *	(DeliverReply).  Resumed by somebody else, it yields again.
 *	data[] holds the pending record, data1, data2 and the step (NULL:
 *	the reply as the command result, flags in data1).
 *
 * Results:
 *	What the step returns, or (yielding again) an NR continuation.
 *
 * Side effects:
 *	When the reply is in, or the coroutine is being deleted (result
 *	not TCL_OK), runs the step and frees the pending record.
 *
 *----------------------------------------------------------------------
 */

int
DbusAwaitResume(
    ClientData data[],
    Tcl_Interp *interp,
    int result)
{
    DbusPending *pendPtr = (DbusPending *) data[0];
    DbusAwaitStep *step = (DbusAwaitStep *) data[3];

    if (!pendPtr->done) {
	if (result != TCL_OK) {
	    /*
	     * The coroutine is being deleted: forget the call.
	     */

	    DbusPendingFree(pendPtr);
	    return RunStep(interp, step, data[1], data[2], NULL, result);
	}
	Tcl_NRAddCallback(interp, DbusAwaitResume, data[0], data[1], data[2],
		data[3]);
	return Tcl_NREvalObj(interp,
		DbusGetInterpData(interp)->literals[DBUS_LIT_YIELD], 0);
    }
    result = RunStep(interp, step, data[1], data[2], pendPtr->reply,
	    TCL_OK);
    DbusPendingFree(pendPtr);
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusAwaitReply --
 *
 *	Wait for the reply to the call with this serial (sent by the
 *	caller on connPtr) and continue with step: inside a coroutine by
 *	yielding it (the reply resumes it, DbusAwaitResume), else by
 *	waiting here (DbusWaitReply: incoming method calls are served,
 *	other traffic is held for the event loop, or with events the
 *	event loop runs).  To be called from an NR-enabled command.
 *
 *	The step gets the reply (borrowed; NULL when none came: timeout,
 *	bus lost) and TCL_OK, or, when the coroutine waiting is deleted
 *	before the reply came, NULL and the deletion's result code: it
 *	then only releases data1/data2 and returns that code.  A NULL step
 *	makes the reply the command result (DbusReplyResult with the
 *	flags given in data1).
 *
 * Results:
 *	What the step returns, or an NR continuation that returns it.
 *
 * Side effects:
 *	Registers a pending call (DBUS_PENDING_CORO or _WAIT) that is
 *	freed once the step has run; connPtr is preserved while waiting
 *	here and until the record is freed (a coroutine's caller
 *	preserves what its step needs itself).  The
 *	step runs exactly once.
 *
 *----------------------------------------------------------------------
 */

int
DbusAwaitReply(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    dbus_uint32_t serial,	/* of the call sent */
    int flags,			/* DBUS_FLAG_DETAILS for the pending call */
    int timeout,		/* ms, -1: default, INT_MAX: none */
    int events,			/* wait in the event loop (dbus call
				 * -events) */
    DbusAwaitStep *step,	/* or NULL: the reply as the result */
    ClientData data1,		/* for the step */
    ClientData data2)		/* for the step */
{
    DbusPending *pendPtr;
    Tcl_Obj *coroPtr = DbusInCoroutine(interp);
    int code;

    if (coroPtr != NULL) {
	pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_CORO, interp,
		coroPtr, flags, timeout);
	Tcl_DecrRefCount(coroPtr);
	Tcl_NRAddCallback(interp, DbusAwaitResume, pendPtr, data1, data2,
		(ClientData) step);
	return Tcl_NREvalObj(interp,
		DbusGetInterpData(interp)->literals[DBUS_LIT_YIELD], 0);
    }
    pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_WAIT, interp,
	    NULL, flags, timeout);
    Tcl_Preserve(connPtr);
    DbusWaitReply(pendPtr, events);
    code = RunStep(interp, step, data1, data2, pendPtr->reply, TCL_OK);
    DbusPendingFree(pendPtr);
    Tcl_Release(connPtr);
    return code;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
