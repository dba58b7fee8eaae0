/*
 * dbusCallCmd.c --
 *
 *	"dbus call" and "dbus cancel": method calls sent from a script and
 *	their options.  The wait for the reply (or the coroutine's yield)
 *	is DbusAwaitReply's (dbusAwait.c); the shared argument plumbing
 *	(busId, serials, destinations) is in dbusCmd.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <limits.h>

/*
 *----------------------------------------------------------------------
 *
 * OptionalBoolean --
 *
 *	Options such as -autostart and -details take an optional boolean:
 *	the next word is the value unless it starts with '-' or '/' (or is
 *	missing).  *idxPtr indexes the option; it is advanced past what was
 *	consumed.
 *
 * Results:
 *	TCL_OK with *valuePtr set (1 when no value follows), or TCL_ERROR for
 *	a value that is not a boolean.
 *
 * Side effects:
 *	Advances *idxPtr past a value it takes.
 *
 *----------------------------------------------------------------------
 */

static int
OptionalBoolean(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    int *valuePtr)
{
    int i = *idxPtr + 1;

    *valuePtr = 1;
    if (i < objc) {
	const char *s = Tcl_GetString(objv[i]);

	if (*s != '-' && *s != '/') {
	    if (Tcl_GetBooleanFromObj(interp, objv[i], valuePtr) != TCL_OK) {
		return TCL_ERROR;
	    }
	    *idxPtr = i;
	}
    }
    return TCL_OK;
}

/*
 * The options of "dbus call" (DbusCallNRCmd).
 */

typedef struct CallOpts {
    Tcl_Obj *destObj;		/* -dest or NULL; borrowed from objv */
    Tcl_Obj *handlerObj;	/* -handler or NULL; borrowed */
    Tcl_Obj *sigObj;		/* -signature or NULL; borrowed */
    int autostart, details, events, interactive;
    int timeout;		/* -timeout ms */
    int haveTimeout;		/* -timeout given */
} CallOpts;

/*
 *----------------------------------------------------------------------
 *
 * ParseCallOptions --
 *
 *	The options of "dbus call", from objv[*idxPtr] up to "--" or the
 *	first word not starting with "-".
 *
 * Results:
 *	TCL_OK with *optsPtr filled in and *idxPtr past the options, or
 *	TCL_ERROR (bad option, missing value, bad timeout).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ParseCallOptions(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    CallOpts *optsPtr)		/* out */
{
    static const char *const options[] = {
	"-autostart", "-dest", "-details", "-events", "-handler",
	"-interactive", "-signature", "-timeout", "--", NULL
    };
    enum { OPT_AUTOSTART, OPT_DEST, OPT_DETAILS, OPT_EVENTS, OPT_HANDLER,
	OPT_INTERACTIVE, OPT_SIGNATURE, OPT_TIMEOUT, OPT_END };
    int i, index;

    memset(optsPtr, 0, sizeof(CallOpts));
    optsPtr->autostart = 1;
    optsPtr->timeout = -1;
    for (i = *idxPtr; i < objc; i++) {
	const char *s = Tcl_GetString(objv[i]);

	if (s[0] != '-') {
	    break;
	}
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (index == OPT_END) {
	    i++;
	    break;
	}
	if (index == OPT_AUTOSTART || index == OPT_DETAILS
		|| index == OPT_EVENTS || index == OPT_INTERACTIVE) {
	    int value;

	    if (OptionalBoolean(interp, objc, objv, &i, &value) != TCL_OK) {
		return TCL_ERROR;
	    }
	    if (index == OPT_AUTOSTART) {
		optsPtr->autostart = value;
	    } else if (index == OPT_DETAILS) {
		optsPtr->details = value;
	    } else if (index == OPT_INTERACTIVE) {
		optsPtr->interactive = value;
	    } else {
		optsPtr->events = value;
	    }
	    continue;
	}
	if (++i >= objc) {
	    return DbusMissingValue(interp, Tcl_ObjPrintf(
		    "missing value for option \"%s\"", options[index]));
	}
	switch (index) {
	case OPT_DEST:
	    optsPtr->destObj = objv[i];
	    break;
	case OPT_HANDLER:
	    optsPtr->handlerObj = objv[i];
	    break;
	case OPT_SIGNATURE:
	    optsPtr->sigObj = objv[i];
	    break;
	case OPT_TIMEOUT:
	    if (Tcl_GetIntFromObj(NULL, objv[i], &optsPtr->timeout) != TCL_OK) {
		return DbusError(interp, DBUS_EC_INVALID, "TIMEOUT",
			Tcl_GetString(objv[i]), "Invalid timeout");
	    }
	    optsPtr->haveTimeout = 1;
	    break;
	}
    }
    *idxPtr = i;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * SendCall --
 *
 *	Build and send the method call of "dbus call": objv holds path,
 *	interface, method and the arguments (all checked by the caller).
 *
 * Results:
 *	TCL_OK with the call's serial, or TCL_ERROR (marshalling, closed
 *	connection).
 *
 * Side effects:
 *	Sends the call; without a reply wanted (-timeout < 0) it carries
 *	NO_REPLY_EXPECTED.
 *
 *----------------------------------------------------------------------
 */

static int
SendCall(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    const CallOpts *optsPtr,
    int objc,
    Tcl_Obj *const objv[],	/* path interface method ?arg ...? */
    dbus_uint32_t *serialPtr)	/* out */
{
    DBusMessage *msg = DbusTemplateMessage(connPtr->tsdPtr,
	    DBUS_MESSAGE_TYPE_METHOD_CALL, optsPtr->destObj
	    ? Tcl_GetString(optsPtr->destObj) : NULL, Tcl_GetString(objv[0]),
	    Tcl_GetString(objv[1]), Tcl_GetString(objv[2]));

    if (msg == NULL) {
	return DbusNoMemory(interp);
    }

    /*
     * A new message (template copy or not) has auto-start on and
     * interactive authorization off: only other values are set.
     */

    if (!optsPtr->autostart) {
	dbus_message_set_auto_start(msg, FALSE);
    }
    if (optsPtr->interactive) {
	dbus_message_set_allow_interactive_authorization(msg, TRUE);
    }
    if (optsPtr->haveTimeout && optsPtr->timeout < 0) {
	dbus_message_set_no_reply(msg, TRUE);
    }
    return DbusSendArgs(interp, connPtr, msg, optsPtr->sigObj, objc - 3,
	    objv + 3, serialPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCallNRCmd --
 *
 *	dbus call ?busId? ?options? path interface method ?arg ...?
 *
 * Results:
 *	Reply value(s) of a synchronous call; the serial for -handler or a
 *	negative -timeout.
 *
 * Side effects:
 *	Sends the call.  With -handler a pending call is registered whose
 *	script runs when the reply comes; with a negative -timeout nothing
 *	waits; otherwise DbusAwaitReply waits for the reply (serving incoming
 *	method calls, or with -events running the event loop) or, inside a
 *	coroutine, yields until it comes.
 *
 *----------------------------------------------------------------------
 */

int
DbusCallNRCmd(
    ClientData clientData,	/* the interp's record (DbusCreateCommands)
				 * or NULL */
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusInterpData *dataPtr = (DbusInterpData *) clientData;
    Tcl_Obj *busObj, *destObj, *sigObj;
    int i = 1, flags, timeout;
    DbusConn *connPtr;
    dbus_uint32_t serial;
    CallOpts opts;

    if (dataPtr == NULL || dataPtr->interp != interp) {
	dataPtr = DbusGetInterpData(interp);
    }
    busObj = DbusTakeBusId(objc, objv, &i, 3);
    if (ParseCallOptions(interp, objc, objv, &i, &opts) != TCL_OK) {
	return TCL_ERROR;
    }
    destObj = opts.destObj;
    sigObj = opts.sigObj;
    timeout = opts.timeout;
    if (objc - i < 3) {
	Tcl_WrongNumArgs(interp, 1, objv,
		"?busId? ?options? path interface method ?arg ...?");
	return TCL_ERROR;
    }
    if (DbusCheckTarget(interp, objv + i, "Invalid method", destObj)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (sigObj != NULL) {
	DbusSignature *sigPtr;

	if (DbusGetSignatureFromObj(interp, sigObj, &sigPtr) != TCL_OK) {
	    return TCL_ERROR;
	}
    }
    if (DbusGetConnFrom(dataPtr, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    if (SendCall(interp, connPtr, &opts, objc - i, objv + i, &serial)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    flags = opts.details ? DBUS_FLAG_DETAILS : 0;

    if (opts.haveTimeout && timeout < 0) {
	Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
	return TCL_OK;
    }
    if (!opts.haveTimeout) {
	timeout = -1;
    } else if (timeout == 0) {
	timeout = INT_MAX;
    }
    if (opts.handlerObj != NULL && !DbusIsEmpty(opts.handlerObj)) {
	DbusPendingNew(connPtr, serial, DBUS_PENDING_HANDLER, interp,
		opts.handlerObj, flags, timeout)->dataPtr = dataPtr;
	Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
	return TCL_OK;
    }

    return DbusAwaitReply(interp, connPtr, serial, flags, timeout,
	    opts.events, NULL, INT2PTR(flags), NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCallObjCmd --
 *
 *	dbus call, as an ordinary command: runs DbusCallNRCmd through
 *	Tcl_NRCallObjProc.
 *
 * Results:
 *	As DbusCallNRCmd.
 *
 * Side effects:
 *	As DbusCallNRCmd.
 *
 *----------------------------------------------------------------------
 */

int
DbusCallObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, DbusCallNRCmd, clientData, objc, objv);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCancelCmd --
 *
 *	dbus cancel ?busId? serial
 *
 *	Forget a pending "dbus call -handler" of this interp: its handler
 *	never runs; a reply that still comes is dropped.
 *
 * Results:
 *	1 if such a call was pending, else 0.  Errors: wrong arguments,
 *	{DBUS INVALID SERIAL value}, unknown or unconnected busId.
 *
 * Side effects:
 *	The pending record and its script reference are freed.
 *
 *----------------------------------------------------------------------
 */

int
DbusCancelCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    dbus_uint32_t serial;
    Tcl_HashEntry *hPtr;
    DbusPending *pendPtr;
    int found = 0;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? serial");
	return TCL_ERROR;
    }
    if (DbusGetSerial(interp, objv[objc - 1], &serial) != TCL_OK
	    || DbusGetConn(interp, objc == 3 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    hPtr = Tcl_FindHashEntry(&connPtr->pending, INT2PTR(serial));
    if (hPtr != NULL) {
	pendPtr = (DbusPending *) Tcl_GetHashValue(hPtr);
	if (pendPtr->kind == DBUS_PENDING_HANDLER
		&& pendPtr->interp == interp) {
	    DbusPendingFree(pendPtr);
	    found = 1;
	}
    }
    Tcl_SetObjResult(interp, Tcl_NewBooleanObj(found));
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
