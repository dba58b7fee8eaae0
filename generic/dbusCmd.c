/*
 * dbusCmd.c --
 *
 *	The subcommands of the "dbus" ensemble, one procedure each, and the
 *	table that assembles them.  The handler-registration subcommands
 *	(listen, method, unknown, monitor) live in dbusHandlerCmd.c.
 *	Argument plumbing shared by several subcommands (the optional
 *	busId, empty values, options with optional boolean values,
 *	serials) is written once here.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <limits.h>

/*
 *----------------------------------------------------------------------
 *
 * DbusTakeBusId --
 *
 *	Shared busId plumbing: when objv[*idxPtr] is a busId (DbusIsBusId)
 *	and at least minRest arguments follow it, consume it.
 *
 * Results:
 *	The busId object (borrowed) or NULL for the default bus.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusTakeBusId(
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    int minRest)
{
    int i = *idxPtr;

    if (i < objc && objc - i - 1 >= minRest && DbusIsBusId(objv[i])) {
	*idxPtr = i + 1;
	return objv[i];
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusIsEmpty --
 *
 *	Is a value the empty string?  Unlike Tcl_GetCharLength this keeps
 *	the object's internal representation (a handler script stays a
 *	list and is not parsed again for every message).
 *
 *----------------------------------------------------------------------
 */

int
DbusIsEmpty(
    Tcl_Obj *objPtr)
{
    Tcl_Size len;

    (void) Tcl_GetStringFromObj(objPtr, &len);
    return len == 0;
}

/*
 *----------------------------------------------------------------------
 *
 * GetSerial --
 *
 *	Parse an unsigned 32-bit serial (1..4294967295).
 *
 *----------------------------------------------------------------------
 */

static int
GetSerial(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    dbus_uint32_t *serialPtr)
{
    Tcl_WideInt w;

    if (Tcl_GetWideIntFromObj(NULL, objPtr, &w) != TCL_OK || w < 1
	    || w > 0xFFFFFFFFLL) {
	return DbusError(interp, DBUS_EC_INVALID, "SERIAL",
		Tcl_GetString(objPtr), "Invalid serial");
    }
    *serialPtr = (dbus_uint32_t) w;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * CheckDest --
 *
 *	Check a destination bus name (call, signal -dest, return, error).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with "Invalid destination" and errorcode
 *	{DBUS INVALID DESTINATION value}.
 *
 *----------------------------------------------------------------------
 */

static int
CheckDest(
    Tcl_Interp *interp,
    Tcl_Obj *destObj)
{
    if (DbusValidNameObj(destObj, DBUS_NAME_BUS)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID, "DESTINATION",
	    Tcl_GetString(destObj), "Invalid destination");
}

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
 *----------------------------------------------------------------------
 *
 * DbusInCoroutine --
 *
 *	Name of the coroutine the command runs in, or NULL.
 *
 * Results:
 *	A new object with refcount 1 (caller releases), or NULL.
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
 *----------------------------------------------------------------------
 */

int
DbusReplyResult(
    Tcl_Interp *interp,
    DBusMessage *reply,
    int flags)
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
 * DbusCallResume --
 *
 *	NR callback of a synchronous call made inside a coroutine: runs
 *	when the coroutine is resumed (normally by DeliverReply).
 *
 *----------------------------------------------------------------------
 */

int
DbusCallResume(
    ClientData data[],
    Tcl_Interp *interp,
    int result)
{
    DbusPending *pendPtr = (DbusPending *) data[0];
    int flags = PTR2INT(data[1]);
    DbusInterpData *dataPtr;

    if (!pendPtr->done) {
	if (result != TCL_OK) {
	    /*
	     * The coroutine is being deleted: forget the call.
	     */

	    DbusPendingFree(pendPtr);
	    return result;
	}

	/*
	 * Resumed by somebody else: keep waiting.
	 */

	dataPtr = DbusGetInterpData(interp);
	Tcl_NRAddCallback(interp, DbusCallResume, pendPtr, INT2PTR(flags),
		NULL, NULL);
	return Tcl_NREvalObj(interp, dataPtr->literals[DBUS_LIT_YIELD], 0);
    }
    result = DbusReplyResult(interp, pendPtr->reply, flags);
    DbusPendingFree(pendPtr);
    return result;
}

/*
 * The options of "dbus call" (CallNRCmd).
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
    DBusMessage *msg = dbus_message_new_method_call(optsPtr->destObj
	    ? Tcl_GetString(optsPtr->destObj) : NULL, Tcl_GetString(objv[0]),
	    Tcl_GetString(objv[1]), Tcl_GetString(objv[2]));

    if (msg == NULL) {
	return DbusNoMemory(interp);
    }
    dbus_message_set_auto_start(msg, optsPtr->autostart);
    dbus_message_set_allow_interactive_authorization(msg,
	    optsPtr->interactive);
    if (optsPtr->haveTimeout && optsPtr->timeout < 0) {
	dbus_message_set_no_reply(msg, TRUE);
    }
    return DbusSendArgs(interp, connPtr, msg, optsPtr->sigObj, objc - 3,
	    objv + 3, serialPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * CallNRCmd --
 *
 *	dbus call ?busId? ?options? path interface method ?arg ...?
 *
 * Results:
 *	Reply value(s) of a synchronous call; the serial for -handler or a
 *	negative -timeout.
 *
 *----------------------------------------------------------------------
 */

static int
CallNRCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *busObj, *destObj, *sigObj;
    int i = 1, index, flags, timeout;
    DbusConn *connPtr;
    dbus_uint32_t serial;
    DbusPending *pendPtr;
    Tcl_Obj *coroPtr;
    CallOpts opts;

    (void) clientData;
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
    if (DbusCheckName(interp, DBUS_NAME_PATH, objv[i], "Invalid path")
	    != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_INTERFACE, objv[i+1],
		"Invalid interface name") != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_MEMBER, objv[i+2],
		"Invalid method") != TCL_OK
	    || (destObj != NULL && CheckDest(interp, destObj) != TCL_OK)) {
	return TCL_ERROR;
    }
    if (sigObj != NULL) {
	DbusSignature *sigPtr;

	if (DbusGetSignatureFromObj(interp, sigObj, &sigPtr) != TCL_OK) {
	    return TCL_ERROR;
	}
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
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
		opts.handlerObj, flags, timeout);
	Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
	return TCL_OK;
    }

    coroPtr = DbusInCoroutine(interp);
    if (coroPtr != NULL) {
	DbusInterpData *dataPtr = DbusGetInterpData(interp);

	pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_CORO, interp,
		coroPtr, flags, timeout);
	Tcl_DecrRefCount(coroPtr);
	Tcl_NRAddCallback(interp, DbusCallResume, pendPtr, INT2PTR(flags),
		NULL, NULL);
	return Tcl_NREvalObj(interp, dataPtr->literals[DBUS_LIT_YIELD], 0);
    }

    pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_WAIT, interp,
	    NULL, flags, timeout);
    Tcl_Preserve(connPtr);
    DbusWaitReply(pendPtr, opts.events);
    Tcl_Release(connPtr);
    index = DbusReplyResult(interp, pendPtr->reply, flags);
    DbusPendingFree(pendPtr);
    return index;
}

static int
CallObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, CallNRCmd, clientData, objc, objv);
}

/*
 *----------------------------------------------------------------------
 *
 * CancelCmd --
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

static int
CancelCmd(
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
    if (GetSerial(interp, objv[objc - 1], &serial) != TCL_OK
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
 *----------------------------------------------------------------------
 *
 * FlushCmd --
 *
 *	dbus flush ?busId?
 *
 *	Block until libdbus has written every queued outgoing message.
 *
 * Results:
 *	Empty.  Errors: {DBUS CLOSED busId} on a lost or closed
 *	connection, unknown or unconnected busId.
 *
 * Side effects:
 *	Writes to the socket; incoming data may be read and queued.
 *
 *----------------------------------------------------------------------
 */

static int
FlushCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;

    (void) clientData;
    if (objc > 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId?");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, objc == 2 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if ((connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED))
	    || !dbus_connection_get_is_connected(connPtr->conn)) {
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    dbus_connection_flush(connPtr->conn);
    DbusConnCheckQueue(connPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * CloseCmd --
 *
 *	dbus close ?busId?
 *
 *----------------------------------------------------------------------
 */

static int
CloseCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    int code;

    (void) clientData;
    if (objc > 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId?");
	return TCL_ERROR;
    }
    if (objc == 2 && DbusServerSubcommand(interp, objv[1], NULL, &code)) {
	return code;
    }
    if (DbusGetConn(interp, objc == 2 ? objv[1] : NULL, &connPtr)
	    == TCL_OK) {
	DbusDisconnect(interp, connPtr);
    }
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ConnectCmd --
 *
 *	dbus connect ?busId-or-address?
 *	dbus connect -peer address
 *
 *----------------------------------------------------------------------
 */

static int
ConnectCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    int code;

    (void) clientData;
    if (objc == 3 && strcmp(Tcl_GetString(objv[1]), "-peer") == 0) {
	code = DbusConnectPeer(interp, objv[2], &connPtr);
    } else if (objc > 2 || (objc == 2
	    && strcmp(Tcl_GetString(objv[1]), "-peer") == 0)) {
	Tcl_WrongNumArgs(interp, 1, objv, "?-peer? ?busId?");
	return TCL_ERROR;
    } else {
	code = DbusConnect(interp, objc == 2 ? objv[1] : NULL, &connPtr);
    }
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, connPtr->handleObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * NewReply --
 *
 *	Shared by "return" and "error": a reply message to destination /
 *	serial without the original call at hand.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
NewReply(
    Tcl_Interp *interp,
    int type,
    Tcl_Obj *destObj,
    Tcl_Obj *serialObj)
{
    dbus_uint32_t serial = 0;
    DBusMessage *msg;
    int noDest = DbusIsEmpty(destObj);	/* a peer's call has no sender */

    if ((!noDest && CheckDest(interp, destObj) != TCL_OK)
	    || GetSerial(interp, serialObj, &serial) != TCL_OK) {
	return NULL;
    }
    msg = dbus_message_new(type);
    if (msg == NULL) {
	DbusNoMemory(interp);
	return NULL;
    }
    if ((!noDest && !dbus_message_set_destination(msg,
	    Tcl_GetString(destObj)))
	    || !dbus_message_set_reply_serial(msg, serial)) {
	dbus_message_unref(msg);
	DbusNoMemory(interp);
	return NULL;
    }
    dbus_message_set_no_reply(msg, TRUE);
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * NoReplyWanted --
 *
 *	Shared by "return" and "error": is the reply for a call whose
 *	caller asked for none (and that a script handler got)?  Then
 *	nothing is sent and the result is 0 instead of a serial.
 *
 * Results:
 *	1 (msg released, result set) or 0.
 *
 *----------------------------------------------------------------------
 */

static int
NoReplyWanted(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)		/* reference released when 1 */
{
    if (!DbusTakeNoReply(connPtr, dbus_message_get_destination(msg),
	    dbus_message_get_reply_serial(msg))) {
	return 0;
    }
    dbus_message_unref(msg);
    Tcl_SetObjResult(interp, Tcl_NewWideIntObj(0));
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * SendAndReport --
 *
 *	The common end of error, return and signal: marshal the arguments
 *	into msg, send it, set the result to its serial.
 *
 * Results:
 *	TCL_OK or TCL_ERROR (marshalling or sending).
 *
 * Side effects:
 *	Releases the reference to msg in every case.
 *
 *----------------------------------------------------------------------
 */

static int
SendAndReport(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,		/* reference released */
    Tcl_Obj *sigObj,		/* signature or NULL (all strings) */
    int objc,
    Tcl_Obj *const objv[])	/* the arguments; borrowed */
{
    dbus_uint32_t serial = 0;
    int code = DbusSendArgs(interp, connPtr, msg, sigObj, objc, objv,
	    &serial);

    if (code == TCL_OK) {
	Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyOption --
 *
 *	The option loop of error and return, which know one option each
 *	(-name, -signature): "option value" pairs, the option given as a
 *	unique prefix of two or more characters, until "--" or a word not
 *	starting with "-"; the last two words (destination serial) are
 *	never taken as options.
 *
 * Results:
 *	TCL_OK with *idxPtr past the options and *valuePtr set to the last
 *	value given (borrowed from objv; untouched when none), or
 *	TCL_ERROR with 'bad option "x": must be option' {TCL LOOKUP INDEX
 *	option x}.
 *
 *----------------------------------------------------------------------
 */

static int
ReplyOption(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    const char *option,		/* "-name" or "-signature" */
    Tcl_Obj **valuePtr)
{
    int i = *idxPtr;

    while (i < objc - 2) {
	const char *s = Tcl_GetString(objv[i]);

	if (strcmp(s, "--") == 0) {
	    i++;
	    break;
	}
	if (s[0] != '-') {
	    break;
	}
	if (strncmp(s, option, strlen(s)) != 0 || strlen(s) < 2) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "bad option \"%s\": must be %s", s, option));
	    Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option", s,
		    NULL);
	    return TCL_ERROR;
	}
	*valuePtr = objv[i+1];
	i += 2;
    }
    *idxPtr = i;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ErrorCmd --
 *
 *	dbus error ?busId? ?-name errorName? destination serial ?message?
 *
 *----------------------------------------------------------------------
 */

static int
ErrorCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *busObj, *nameObj = NULL;
    int i = 1;
    DbusConn *connPtr;
    DBusMessage *msg;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 2);
    if (ReplyOption(interp, objc, objv, &i, "-name", &nameObj) != TCL_OK) {
	return TCL_ERROR;
    }
    if (objc - i < 2 || objc - i > 3) {
	Tcl_WrongNumArgs(interp, 1, objv,
		"?busId? ?-name string? destination serial ?message?");
	return TCL_ERROR;
    }
    if (nameObj != NULL && DbusCheckName(interp, DBUS_NAME_ERROR, nameObj,
	    "Invalid error name") != TCL_OK) {
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    msg = NewReply(interp, DBUS_MESSAGE_TYPE_ERROR, objv[i], objv[i+1]);
    if (msg == NULL) {
	return TCL_ERROR;
    }
    if (NoReplyWanted(interp, connPtr, msg)) {
	return TCL_OK;
    }
    dbus_message_set_error_name(msg, nameObj ? Tcl_GetString(nameObj)
	    : DBUS_ERROR_FAILED);
    return SendAndReport(interp, connPtr, msg, NULL, objc - i - 2,
	    objv + i + 2);
}

/*
 *----------------------------------------------------------------------
 *
 * ReturnCmd --
 *
 *	dbus return ?busId? ?-signature sig? destination serial ?arg ...?
 *
 *----------------------------------------------------------------------
 */

static int
ReturnCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *busObj, *sigObj = NULL;
    int i = 1;
    DbusConn *connPtr;
    DBusMessage *msg;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 2);
    if (ReplyOption(interp, objc, objv, &i, "-signature", &sigObj)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (objc - i < 2) {
	Tcl_WrongNumArgs(interp, 1, objv,
		"?busId? ?-signature string? destination serial ?arg ...?");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    msg = NewReply(interp, DBUS_MESSAGE_TYPE_METHOD_RETURN, objv[i],
	    objv[i+1]);
    if (msg == NULL) {
	return TCL_ERROR;
    }
    if (NoReplyWanted(interp, connPtr, msg)) {
	return TCL_OK;
    }
    return SendAndReport(interp, connPtr, msg, sigObj, objc - i - 2,
	    objv + i + 2);
}

/*
 *----------------------------------------------------------------------
 *
 * SignalCmd --
 *
 *	dbus signal ?busId? ?-signature sig? ?-dest name? path interface
 *		name ?arg ...?
 *
 *----------------------------------------------------------------------
 */

static int
SignalCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"-dest", "-signature", "--", NULL
    };
    Tcl_Obj *busObj, *sigObj = NULL, *destObj = NULL;
    int i = 1, index;
    DbusConn *connPtr;
    DBusMessage *msg;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 3);
    for (; i < objc; i++) {
	if (Tcl_GetString(objv[i])[0] != '-') {
	    break;
	}
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (index == 2) {
	    i++;
	    break;
	}
	if (++i >= objc) {
	    return DbusMissingValue(interp, Tcl_ObjPrintf(
		    "missing value for option \"%s\"", options[index]));
	}
	if (index == 0) {
	    destObj = objv[i];
	} else {
	    sigObj = objv[i];
	}
    }
    if (objc - i < 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?-signature string? "
		"?-dest name? path interface name ?arg ...?");
	return TCL_ERROR;
    }
    if (DbusCheckName(interp, DBUS_NAME_PATH, objv[i], "Invalid path")
	    != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_INTERFACE, objv[i+1],
		"Invalid interface name") != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_MEMBER, objv[i+2],
		"Invalid member") != TCL_OK
	    || (destObj != NULL && CheckDest(interp, destObj) != TCL_OK)) {
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    msg = DbusNewSignal(interp, Tcl_GetString(objv[i]),
	    Tcl_GetString(objv[i+1]), Tcl_GetString(objv[i+2]),
	    destObj ? Tcl_GetString(destObj) : NULL);
    if (msg == NULL) {
	return TCL_ERROR;
    }
    dbus_message_set_no_reply(msg, TRUE);
    return SendAndReport(interp, connPtr, msg, sigObj, objc - i - 3,
	    objv + i + 3);
}

/*
 *----------------------------------------------------------------------
 *
 * RequestWithCallbacks --
 *
 *	"dbus name" with -acquired / -lost: the scripts are registered
 *	before the request (the bus says NameAcquired before it answers).
 *	Being queued or owning the name already is not an error here: the
 *	scripts report what happens (owning it already counts as primary
 *	ownership, without running -acquired).  "Name exists" (-noqueue)
 *	and other failures are errors as without scripts, and the scripts
 *	are dropped.
 *
 * Results:
 *	TCL_OK with an empty result, or TCL_ERROR.
 *
 * Side effects:
 *	RequestName; a name registration (dbusNameWatch.c).
 *
 *----------------------------------------------------------------------
 */

static int
RequestWithCallbacks(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    unsigned int flags,
    Tcl_Obj *acquired,
    Tcl_Obj *lost)
{
    const char *outcome;

    if (DbusNameCallbacks(interp, connPtr, nameObj, acquired, lost)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (DbusBusRequestName(interp, connPtr, nameObj, flags, 0) != TCL_OK) {
	DbusNameCallbacksRemove(connPtr, interp, Tcl_GetString(nameObj));
	return TCL_ERROR;
    }
    outcome = Tcl_GetString(Tcl_GetObjResult(interp));
    if (strcmp(outcome, "exists") == 0) {
	DbusNameCallbacksRemove(connPtr, interp, Tcl_GetString(nameObj));
	return DbusError(interp, DBUS_EC_NAME, "EXISTS",
		Tcl_GetString(nameObj), "Name exists");
    }
    if (strcmp(outcome, "owner") == 0) {
	DbusNameCallbacksOwned(connPtr, interp, Tcl_GetString(nameObj));
    }
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * NameCmd --
 *
 *	dbus name ?busId? ?-noqueue? ?-replace? ?-yield? name
 *
 *----------------------------------------------------------------------
 */

static int
NameCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"-acquired", "-lost", "-noqueue", "-replace", "-yield", NULL
    };
    static const unsigned int bits[] = {
	0, 0, DBUS_NAME_FLAG_DO_NOT_QUEUE, DBUS_NAME_FLAG_REPLACE_EXISTING,
	DBUS_NAME_FLAG_ALLOW_REPLACEMENT
    };
    Tcl_Obj *busObj, *scripts[2] = {NULL, NULL};
    int i = 1, index;
    unsigned int flags = 0;
    DbusConn *connPtr;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 1);
    for (; i < objc - 1; i++) {
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (index < 2) {
	    if (++i >= objc - 1) {
		Tcl_SetObjResult(interp, Tcl_ObjPrintf(
			"missing value for option \"%s\"", options[index]));
		Tcl_SetErrorCode(interp, "TCL", "ARGUMENT", "MISSING", NULL);
		return TCL_ERROR;
	    }
	    scripts[index] = DbusIsEmpty(objv[i]) ? NULL : objv[i];
	}
	flags |= bits[index];
    }
    if (i != objc - 1) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?options? name");
	return TCL_ERROR;
    }
    if (DbusCheckName(interp, DBUS_NAME_BUS, objv[i], "Invalid bus name")
	    != TCL_OK || DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    if (scripts[0] == NULL && scripts[1] == NULL) {
	return DbusBusRequestName(interp, connPtr, objv[i], flags,
		DBUS_NAME_STRICT);
    }
    return RequestWithCallbacks(interp, connPtr, objv[i], flags,
	    scripts[0], scripts[1]);
}

/*
 *----------------------------------------------------------------------
 *
 * ReleaseCmd --
 *
 *	dbus release ?busId? name
 *
 *----------------------------------------------------------------------
 */

static int
ReleaseCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    Tcl_Obj *nameObj;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? name");
	return TCL_ERROR;
    }
    nameObj = objv[objc - 1];
    if (DbusCheckName(interp, DBUS_NAME_BUS, nameObj, "Invalid bus name")
	    != TCL_OK || DbusGetConn(interp, objc == 3 ? objv[1] : NULL,
	    &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    DbusNameCallbacksRemove(connPtr, interp, Tcl_GetString(nameObj));
    return DbusBusReleaseName(interp, connPtr, nameObj);
}

/*
 *----------------------------------------------------------------------
 *
 * FilterCmd --
 *
 *	dbus filter ?busId? add|remove -key value ?-key value ...?
 *	Values are quoted so that no value can break the rule.
 *
 *----------------------------------------------------------------------
 */

static int
FilterCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const subs[] = { "add", "remove", NULL };
    Tcl_Obj *busObj = NULL;
    int i = 1, sub;
    DbusConn *connPtr;
    Tcl_DString rule;
    int code;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 0);
    if (objc - i < 3) {
	Tcl_WrongNumArgs(interp, 1, objv,
		"?busId? subcommand -option value ?...?");
	return TCL_ERROR;
    }
    if ((objc - i) % 2 == 0) {
	return DbusMissingValue(interp, Tcl_ObjPrintf(
		"missing value for option \"%s\"",
		Tcl_GetString(objv[objc - 1])));
    }
    if (Tcl_GetIndexFromObj(interp, objv[i], subs, "subcommand", 0, &sub)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_DStringInit(&rule);
    if (DbusMatchFromArgs(interp, objc - i - 1, objv + i + 1, &rule)
	    != TCL_OK || DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	Tcl_DStringFree(&rule);
	return TCL_ERROR;
    }
    if (connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED)) {
	Tcl_DStringFree(&rule);
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    code = (sub == 0)
	    ? DbusBusAddMatch(interp, connPtr, Tcl_DStringValue(&rule), 0)
	    : DbusBusRemoveMatch(interp, connPtr, Tcl_DStringValue(&rule), 0);
    if (code != TCL_OK) {
	Tcl_DStringFree(&rule);
	return TCL_ERROR;
    }
    Tcl_DStringResult(interp, &rule);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * InfoCmd --
 *
 *	dbus info ?busId? option
 *
 *----------------------------------------------------------------------
 */

static int
InfoCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"address", "capabilities", "connected", "local", "machineid", "name",
	"path",
	"pending", "serverid", "service", "version", NULL
    };
    enum { I_ADDRESS, I_CAPS, I_CONNECTED, I_LOCAL, I_MACHINEID, I_NAME, I_PATH,
	I_PENDING, I_SERVERID, I_SERVICE, I_VERSION };
    int index, code;
    DbusConn *connPtr;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? option");
	return TCL_ERROR;
    }
    if (objc == 3 && DbusServerSubcommand(interp, objv[1], objv[2], &code)) {
	return code;
    }
    if (Tcl_GetIndexFromObj(interp, objv[objc-1], options, "option", 0,
	    &index) != TCL_OK) {
	return TCL_ERROR;
    }
    switch (index) {
    case I_LOCAL:
	Tcl_SetObjResult(interp, Tcl_NewStringObj(DBUS_PATH_LOCAL, -1));
	return TCL_OK;
    case I_PATH:
	Tcl_SetObjResult(interp, Tcl_NewStringObj(DBUS_PATH_DBUS, -1));
	return TCL_OK;
    case I_SERVICE:
	Tcl_SetObjResult(interp, Tcl_NewStringObj(DBUS_SERVICE_DBUS, -1));
	return TCL_OK;
    case I_MACHINEID: {
	DBusError err;
	char *id;

	dbus_error_init(&err);
	id = dbus_try_get_local_machine_id(&err);
	if (id == NULL) {
	    return DbusLibError(interp, DBUS_EC_CONNECT, "Machine id", &err);
	}
	Tcl_SetObjResult(interp, Tcl_NewStringObj(id, -1));
	dbus_free(id);
	return TCL_OK;
    }
    case I_VERSION: {
	int major, minor, micro;

	dbus_get_version(&major, &minor, &micro);
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("%d.%d.%d", major, minor,
		micro));
	return TCL_OK;
    }
    }
    if (DbusGetConn(interp, objc == 3 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    switch (index) {
    case I_ADDRESS:
	Tcl_SetObjResult(interp, connPtr->addressObj ? connPtr->addressObj
		: Tcl_NewObj());
	return TCL_OK;
    case I_CONNECTED:
	Tcl_SetObjResult(interp, Tcl_NewBooleanObj(
		!(connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED))
		&& dbus_connection_get_is_connected(connPtr->conn)));
	return TCL_OK;
    case I_CAPS: {
	Tcl_Obj *dictPtr = Tcl_NewDictObj();

	Tcl_DictObjPut(NULL, dictPtr, Tcl_NewStringObj("unixfd", -1),
		Tcl_NewBooleanObj(dbus_connection_can_send_type(
		connPtr->conn, DBUS_TYPE_UNIX_FD)));
	Tcl_SetObjResult(interp, dictPtr);
	return TCL_OK;
    }
    case I_NAME: {
	const char *name = dbus_bus_get_unique_name(connPtr->conn);

	Tcl_SetObjResult(interp, Tcl_NewStringObj(name ? name : "", -1));
	return TCL_OK;
    }
    case I_PENDING:
	Tcl_SetObjResult(interp, Tcl_NewBooleanObj(
		dbus_connection_has_messages_to_send(connPtr->conn)));
	return TCL_OK;
    case I_SERVERID: {
	char *id = dbus_connection_get_server_id(connPtr->conn);

	Tcl_SetObjResult(interp, Tcl_NewStringObj(id ? id : "", -1));
	dbus_free(id);
	return TCL_OK;
    }
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ValidateCmd --
 *
 *	dbus validate class string
 *
 *----------------------------------------------------------------------
 */

static int
ValidateCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const classes[] = {
	"interface", "member", "name", "path", "signature", NULL
    };
    static const DbusNameKind kinds[] = {
	DBUS_NAME_INTERFACE, DBUS_NAME_MEMBER, DBUS_NAME_BUS, DBUS_NAME_PATH,
	DBUS_NAME_SIGNATURE
    };
    int index;
    Tcl_Size len;
    const char *s;

    (void) clientData;
    if (objc != 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "class string");
	return TCL_ERROR;
    }
    if (Tcl_GetIndexFromObj(interp, objv[1], classes, "class", 0, &index)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    s = Tcl_GetStringFromObj(objv[2], &len);
    Tcl_SetObjResult(interp, Tcl_NewBooleanObj(
	    DbusValidName(kinds[index], s, len)));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCreateCommands --
 *
 *	Create ::dbus::<sub> for every subcommand and the ::dbus ensemble
 *	(unique prefixes accepted).  Everything matching [a-z]* in ::dbus
 *	is exported, as in the 2.x series.
 *
 *----------------------------------------------------------------------
 */

int
DbusCreateCommands(
    Tcl_Interp *interp)
{
    static const DbusSubcommand cmds[] = {
	{"call", CallObjCmd, CallNRCmd}, {"cancel", CancelCmd, NULL},
	{"close", CloseCmd, NULL},
	{"connect", ConnectCmd, NULL},
	{"credentials", DbusCredentialsCmd, DbusCredentialsNRCmd},
	{"error", ErrorCmd, NULL},
	{"filter", FilterCmd, NULL}, {"flush", FlushCmd, NULL},
	{"info", InfoCmd, NULL},
	{"listen", DbusListenCmd, NULL}, {"method", DbusMethodCmd, NULL},
	{"monitor", DbusMonitorCmd, NULL}, {"name", NameCmd, NULL},
	{"release", ReleaseCmd, NULL}, {"return", ReturnCmd, NULL},
	{"server", DbusServerCmd, NULL}, {"signal", SignalCmd, NULL},
	{"subscribe", DbusSubscribeCmd, NULL},
	{"unknown", DbusUnknownCmd, NULL},
	{"unsubscribe", DbusUnsubscribeCmd, NULL},
	{"unwatch", DbusUnwatchCmd, NULL},
	{"validate", ValidateCmd, NULL}, {"watch", DbusWatchCmd, NULL},
	{NULL, NULL, NULL}
    };

    return DbusCreateEnsemble(interp, "::dbus", "::dbus", cmds, "[a-z]*");
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
