/*
 * dbusEvent.c --
 *
 *	Incoming messages and the Tcl event loop.  A per-thread event source
 *	notices connections with messages waiting and queues one dispatch
 *	event per connection; the event proc takes the next message off the
 *	connection (dbus_connection_pop_message: libdbus never calls back
 *	into us with a message) and hands it to the monitors and to the
 *	method, signal or reply handlers.  Scripts run only from here.
 *
 *	Replies are matched to our own pending-call records (no
 *	DBusPendingCall), with deadlines kept on one Tcl timer per
 *	connection.  A synchronous call waits in DbusWaitReply: it polls the
 *	thread's connections itself, serving incoming method calls at once
 *	(so a call to a handler of the same process cannot deadlock) and
 *	setting every other message aside, in order, for the event loop.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <limits.h>
#include <stdio.h>

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
static void	PendingTimerProc(ClientData clientData);
static void	DeliverReply(DbusPending *pendPtr, DBusMessage *reply);

/*
 *----------------------------------------------------------------------
 *
 * DbusEventInit, DbusEventFinalize --
 *
 *	Create / delete the thread's event source.
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
}

/*
 *----------------------------------------------------------------------
 *
 * HasWork --
 *
 *	Does a connection have a message for the event loop?
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
 * DispatchEventProc --
 *
 *	Take one message off the connection (held ones first) and process
 *	it; queue the next dispatch event if more are waiting.
 *
 * Results:
 *	1 (event handled) or 0 when file events are not being serviced.
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
 * Hold --
 *
 *	Set a message aside for the event loop (synchronous waits).
 *
 *----------------------------------------------------------------------
 */

static void
Hold(
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
 *----------------------------------------------------------------------
 *
 * DbusMessageInfo --
 *
 *	The message-info dict handed to handler scripts (reference 1.13),
 *	built as a list of key/value pairs with shared key objects.
 *
 * Results:
 *	New object, refcount 0.
 *
 *----------------------------------------------------------------------
 */

/*
 * CachedString --
 *
 *	The object for a header field value: the shared empty string, the
 *	interp's cached object when the value did not change since the last
 *	message (the usual case for path, interface, member, sender), or a
 *	new object that becomes the cached one.
 */

static Tcl_Obj *
CachedString(
    DbusInterpData *dataPtr,
    int slot,
    const char *value)
{
    Tcl_Obj *objPtr = dataPtr->fieldCache[slot];

    if (value == NULL || *value == '\0') {
	return dataPtr->literals[DBUS_LIT_EMPTY];
    }
    if (objPtr != NULL && strcmp(objPtr->bytes ? objPtr->bytes
	    : Tcl_GetString(objPtr), value) == 0) {
	return objPtr;
    }
    if (objPtr != NULL) {
	Tcl_DecrRefCount(objPtr);
    }
    objPtr = Tcl_NewStringObj(value, -1);
    Tcl_IncrRefCount(objPtr);
    dataPtr->fieldCache[slot] = objPtr;
    return objPtr;
}

Tcl_Obj *
DbusMessageInfo(
    DbusInterpData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    Tcl_Obj *objv[2 * 12];
    Tcl_Obj **lit = dataPtr->literals;
    int type = dbus_message_get_type(msg);
    dbus_uint32_t rs;

    (void) connPtr;
    objv[0] = lit[DBUS_LIT_MEMBER];
    objv[1] = CachedString(dataPtr, 0, dbus_message_get_member(msg));
    objv[2] = lit[DBUS_LIT_INTERFACE];
    objv[3] = CachedString(dataPtr, 1, dbus_message_get_interface(msg));
    objv[4] = lit[DBUS_LIT_PATH];
    objv[5] = CachedString(dataPtr, 2, dbus_message_get_path(msg));
    objv[6] = lit[DBUS_LIT_SENDER];
    objv[7] = CachedString(dataPtr, 3, dbus_message_get_sender(msg));
    objv[8] = lit[DBUS_LIT_DESTINATION];
    objv[9] = CachedString(dataPtr, 4, dbus_message_get_destination(msg));
    objv[10] = lit[DBUS_LIT_MESSAGETYPE];
    objv[11] = lit[(type >= DBUS_MESSAGE_TYPE_METHOD_CALL
	    && type <= DBUS_MESSAGE_TYPE_SIGNAL)
	    ? DBUS_LIT_T_INVALID + type : DBUS_LIT_T_INVALID];
    objv[12] = lit[DBUS_LIT_SIGNATURE];
    objv[13] = CachedString(dataPtr, 5, dbus_message_get_signature(msg));
    objv[14] = lit[DBUS_LIT_SERIAL];
    objv[15] = Tcl_NewWideIntObj(dbus_message_get_serial(msg));
    objv[16] = lit[DBUS_LIT_REPLYSERIAL];
    rs = dbus_message_get_reply_serial(msg);
    objv[17] = rs ? Tcl_NewWideIntObj(rs) : lit[DBUS_LIT_ZERO];
    objv[18] = lit[DBUS_LIT_NOREPLY];
    objv[19] = lit[dbus_message_get_no_reply(msg) ? DBUS_LIT_ONE
	    : DBUS_LIT_ZERO];
    objv[20] = lit[DBUS_LIT_AUTOSTART];
    objv[21] = lit[dbus_message_get_auto_start(msg) ? DBUS_LIT_ONE
	    : DBUS_LIT_ZERO];
    objv[22] = lit[DBUS_LIT_ERRORNAME];
    objv[23] = CachedString(dataPtr, 6, dbus_message_get_error_name(msg));
    return Tcl_NewListObj(24, objv);
}

/*
 *----------------------------------------------------------------------
 *
 * EvalHandler --
 *
 *	Run a script handler as {*}$script $info {*}$args at global level
 *	in its interp.  A script that is not a list is run with the words
 *	appended to its text.
 *
 * Results:
 *	The Tcl completion code; the result is left in the interp.
 *
 *----------------------------------------------------------------------
 */

static int
EvalHandler(
    Tcl_Interp *interp,
    Tcl_Obj *script,
    DbusConn *connPtr,
    DBusMessage *msg,
    int flags)
{
    DbusInterpData *dataPtr = DbusGetInterpData(interp);
    Tcl_Obj *infoPtr, *argsPtr, **sv, **av;
    Tcl_Obj *stackv[16], **objv = stackv;
    Tcl_Size sc, ac, i, n;
    int code;

    argsPtr = DbusUnmarshalArgs(interp, msg, flags);
    if (argsPtr == NULL) {
	return TCL_ERROR;
    }
    Tcl_IncrRefCount(argsPtr);
    infoPtr = DbusMessageInfo(dataPtr, connPtr, msg);
    Tcl_IncrRefCount(infoPtr);
    Tcl_ListObjGetElements(NULL, argsPtr, &ac, &av);

    if (Tcl_ListObjGetElements(NULL, script, &sc, &sv) == TCL_OK) {
	/*
	 * The usual case: a command prefix.  Hold the script: the handler
	 * may replace itself while running.
	 */

	Tcl_IncrRefCount(script);
	n = sc + 1 + ac;
	if (n > 16) {
	    objv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * n);
	}
	for (i = 0; i < sc; i++) {
	    objv[i] = sv[i];
	}
	objv[sc] = infoPtr;
	for (i = 0; i < ac; i++) {
	    objv[sc + 1 + i] = av[i];
	}
	code = Tcl_EvalObjv(interp, (int) n, objv, TCL_EVAL_GLOBAL);
	if (objv != stackv) {
	    ckfree((char *) objv);
	}
	Tcl_DecrRefCount(script);
    } else {
	Tcl_Obj *cmdPtr = Tcl_DuplicateObj(script);

	Tcl_IncrRefCount(cmdPtr);
	Tcl_AppendToObj(cmdPtr, " ", 1);
	Tcl_AppendObjToObj(cmdPtr, infoPtr);
	if (ac > 0) {
	    Tcl_AppendToObj(cmdPtr, " ", 1);
	    Tcl_AppendObjToObj(cmdPtr, argsPtr);
	}
	code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
	Tcl_DecrRefCount(cmdPtr);
    }
    Tcl_DecrRefCount(infoPtr);
    Tcl_DecrRefCount(argsPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * BackgroundError --
 *
 *	Report an error of a handler that has nobody to answer to
 *	(DECISIONS rule 12).
 *
 *----------------------------------------------------------------------
 */

static void
BackgroundError(
    Tcl_Interp *interp,
    int code,
    const char *what)
{
    char buf[96];

    snprintf(buf, sizeof(buf), "\n    (%s)", what);
    Tcl_AddErrorInfo(interp, buf);
    Tcl_BackgroundException(interp, code);
}

/*
 *----------------------------------------------------------------------
 *
 * RunHandler --
 *
 *	Run one handler (script or C proc) for a message, in its interp.
 *
 * Results:
 *	The completion code, result left in the handler's interp.
 *
 *----------------------------------------------------------------------
 */

static int
RunHandler(
    DbusHandler *handlerPtr,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    if (handlerPtr->proc != NULL) {
	return handlerPtr->proc(handlerPtr->clientData, handlerPtr->interp,
		connPtr, msg);
    }
    return EvalHandler(handlerPtr->interp, handlerPtr->script, connPtr, msg,
	    handlerPtr->flags);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSendErrorReply --
 *
 *	Answer a method call with an error (unless no reply is wanted).
 *	name and text must be valid (the text is checked here).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR when the message could not be built.
 *
 *----------------------------------------------------------------------
 */

int
DbusSendErrorReply(
    DbusConn *connPtr,
    DBusMessage *call,
    const char *name,
    const char *text)
{
    DBusMessage *reply;

    if (dbus_message_get_no_reply(call)
	    || (connPtr->flags & (DBUS_CONN_CLOSED | DBUS_CONN_LOST))) {
	return TCL_OK;
    }
    if (text != NULL && !dbus_validate_utf8(text, NULL)) {
	text = "(error message is not valid UTF-8)";
    }
    reply = dbus_message_new_error(call, name, text);
    if (reply == NULL) {
	return TCL_ERROR;
    }
    dbus_connection_send(connPtr->conn, reply, NULL);
    dbus_message_unref(reply);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReplyWithResult --
 *
 *	Answer a method call from a script handler's completion: an error
 *	becomes org.freedesktop.DBus.Error.Failed with the message; success
 *	sends the result as one string, unless the script returned with
 *	option -async true or no reply is wanted.
 *
 * Results:
 *	TCL_OK.
 *
 *----------------------------------------------------------------------
 */

int
DbusReplyWithResult(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,
    int code)
{
    Tcl_Obj *resultPtr;
    DBusMessage *reply;

    if (dbus_message_get_no_reply(msg)
	    || (connPtr->flags & (DBUS_CONN_CLOSED | DBUS_CONN_LOST))) {
	return TCL_OK;
    }
    if (code == TCL_ERROR) {
	Tcl_Obj *msgPtr = Tcl_GetObjResult(interp);
	Tcl_Encoding utf8 = Tcl_GetEncoding(NULL, "utf-8");
	Tcl_DString ds;

	Tcl_UtfToExternalDString(utf8, Tcl_GetString(msgPtr), -1, &ds);
	DbusSendErrorReply(connPtr, msg, DBUS_ERROR_FAILED,
		Tcl_DStringValue(&ds));
	Tcl_DStringFree(&ds);
	Tcl_FreeEncoding(utf8);
	return TCL_OK;
    }
    if (code == TCL_OK || code == TCL_RETURN) {
	Tcl_Obj *optsPtr = Tcl_GetReturnOptions(interp, code);
	Tcl_Obj *keyPtr = DbusGetInterpData(interp)->literals[DBUS_LIT_ASYNC];
	Tcl_Obj *valPtr = NULL;
	int async = 0;

	Tcl_IncrRefCount(optsPtr);
	if (Tcl_DictObjGet(NULL, optsPtr, keyPtr, &valPtr) == TCL_OK
		&& valPtr != NULL) {
	    Tcl_GetBooleanFromObj(NULL, valPtr, &async);
	}
	Tcl_DecrRefCount(optsPtr);
	if (async) {
	    return TCL_OK;
	}
    }
    resultPtr = Tcl_GetObjResult(interp);
    Tcl_IncrRefCount(resultPtr);
    reply = dbus_message_new_method_return(msg);
    if (reply != NULL) {
	if (DbusMarshalArgs(interp, connPtr, reply, NULL, 1, &resultPtr)
		== TCL_OK) {
	    dbus_connection_send(connPtr->conn, reply, NULL);
	} else {
	    DbusSendErrorReply(connPtr, msg, DBUS_ERROR_FAILED,
		    Tcl_GetString(Tcl_GetObjResult(interp)));
	}
	dbus_message_unref(reply);
    }
    Tcl_DecrRefCount(resultPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ServeMethodCall --
 *
 *	Dispatch an incoming method call to its handler, or answer it
 *	ourselves (Peer methods, UnknownMethod).
 *
 *----------------------------------------------------------------------
 */

static void
ServeMethodCall(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbusHandler *handlerPtr = DbusFindMethod(connPtr, msg);
    Tcl_Interp *interp;
    int code;

    if (handlerPtr == NULL || handlerPtr->interp == NULL) {
	const char *intf = dbus_message_get_interface(msg);
	const char *member = dbus_message_get_member(msg);
	const char *path = dbus_message_get_path(msg);
	const char *sig = dbus_message_get_signature(msg);
	char *text;

	if (intf != NULL && strcmp(intf, DBUS_INTERFACE_PEER) == 0
		&& member != NULL && *sig == '\0') {
	    DBusMessage *reply = NULL;

	    if (strcmp(member, "Ping") == 0) {
		reply = dbus_message_new_method_return(msg);
	    } else if (strcmp(member, "GetMachineId") == 0) {
		char *id = dbus_try_get_local_machine_id(NULL);

		if (id != NULL) {
		    reply = dbus_message_new_method_return(msg);
		    if (reply != NULL) {
			dbus_message_append_args(reply, DBUS_TYPE_STRING,
				&id, DBUS_TYPE_INVALID);
		    }
		    dbus_free(id);
		}
	    }
	    if (reply != NULL) {
		if (!dbus_message_get_no_reply(msg)) {
		    dbus_connection_send(connPtr->conn, reply, NULL);
		}
		dbus_message_unref(reply);
		return;
	    }
	}
	text = dbus_malloc(strlen(member ? member : "") + strlen(intf ? intf
		: "") + strlen(path ? path : "") + strlen(sig) + 96);
	if (text != NULL) {
	    sprintf(text, "No such method '%s' in interface '%s' at object "
		    "path '%s' (signature '%s')", member ? member : "",
		    intf ? intf : "", path ? path : "", sig);
	    DbusSendErrorReply(connPtr, msg, DBUS_ERROR_UNKNOWN_METHOD, text);
	    dbus_free(text);
	}
	return;
    }

    interp = handlerPtr->interp;
    handlerPtr->refCount++;
    Tcl_Preserve(interp);
    code = RunHandler(handlerPtr, connPtr, msg);
    if (handlerPtr->proc != NULL) {
	if (code == TCL_ERROR) {
	    DbusReplyWithResult(interp, connPtr, msg, code);
	}
    } else if (!(handlerPtr->flags & DBUS_FLAG_ASYNC)) {
	DbusReplyWithResult(interp, connPtr, msg, code);
    } else if (code == TCL_ERROR) {
	if (dbus_message_get_no_reply(msg)) {
	    BackgroundError(interp, code, "dbus method handler");
	} else {
	    DbusReplyWithResult(interp, connPtr, msg, code);
	}
    }
    Tcl_ResetResult(interp);
    Tcl_Release(interp);
    DbusHandlerRelease(handlerPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DeliverSignal --
 *
 *	Run every signal handler a signal reaches; errors go to bgerror.
 *
 *----------------------------------------------------------------------
 */

static void
DeliverSignal(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbusHandler *staticList[8], **list;
    int n = DbusFindSignals(connPtr, msg, &list, staticList, 8), i;

    for (i = 0; i < n; i++) {
	DbusHandler *handlerPtr = list[i];
	Tcl_Interp *interp = handlerPtr->interp;

	if (interp != NULL && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	    int code;

	    Tcl_Preserve(interp);
	    code = RunHandler(handlerPtr, connPtr, msg);
	    if (code == TCL_ERROR) {
		BackgroundError(interp, code, "dbus signal handler");
	    }
	    Tcl_ResetResult(interp);
	    Tcl_Release(interp);
	}
	DbusHandlerRelease(handlerPtr);
    }
    if (list != staticList) {
	ckfree((char *) list);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * RunMonitors --
 *
 *	Show a message to every monitor of the connection.
 *
 *----------------------------------------------------------------------
 */

static void
RunMonitors(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbusHandler *list[16];
    DbusMonitor *monPtr;
    int n = 0, i;

    for (monPtr = connPtr->monitors; monPtr && n < 16;
	    monPtr = monPtr->nextPtr) {
	monPtr->handlerPtr->refCount++;
	list[n++] = monPtr->handlerPtr;
    }
    for (i = 0; i < n; i++) {
	Tcl_Interp *interp = list[i]->interp;

	if (interp != NULL && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	    int code;

	    Tcl_Preserve(interp);
	    code = RunHandler(list[i], connPtr, msg);
	    if (code == TCL_ERROR) {
		BackgroundError(interp, code, "dbus monitor");
	    }
	    Tcl_ResetResult(interp);
	    Tcl_Release(interp);
	}
	DbusHandlerRelease(list[i]);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusProcessMessage --
 *
 *	Process one incoming message.  In a synchronous wait (inWait) only
 *	replies to waiting calls and method calls are processed; anything
 *	else is held, in order, for the event loop.
 *
 * Side effects:
 *	Runs handler scripts; sends replies.
 *
 *----------------------------------------------------------------------
 */

void
DbusProcessMessage(
    DbusConn *connPtr,
    DBusMessage *msg,
    int inWait)
{
    int type = dbus_message_get_type(msg);

    if (inWait) {
	if (type == DBUS_MESSAGE_TYPE_METHOD_RETURN
		|| type == DBUS_MESSAGE_TYPE_ERROR) {
	    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&connPtr->pending,
		    INT2PTR(dbus_message_get_reply_serial(msg)));

	    if (hPtr != NULL && ((DbusPending *) Tcl_GetHashValue(hPtr))
		    ->kind == DBUS_PENDING_WAIT) {
		if (connPtr->monitors != NULL) {
		    /*
		     * Monitors see every message, replies taken by a wait
		     * included; they may end the call (dbus close).
		     */

		    Tcl_Preserve(connPtr);
		    RunMonitors(connPtr, msg);
		    hPtr = (connPtr->flags & DBUS_CONN_CLOSED) ? NULL
			    : Tcl_FindHashEntry(&connPtr->pending,
			    INT2PTR(dbus_message_get_reply_serial(msg)));
		    Tcl_Release(connPtr);
		}
		if (hPtr != NULL) {
		    DeliverReply((DbusPending *) Tcl_GetHashValue(hPtr), msg);
		}
		return;
	    }
	} else if (type == DBUS_MESSAGE_TYPE_METHOD_CALL) {
	    /*
	     * Served at once, even past held messages: the caller may be
	     * the very call we wait for (DECISIONS rule 8).
	     */

	    goto process;
	} else if (type == DBUS_MESSAGE_TYPE_SIGNAL
		&& dbus_message_is_signal(msg, DBUS_LOCAL_INTERFACE,
		    "Disconnected")) {
	    /*
	     * Fail the pending calls now; listeners hear it later.
	     */

	    DbusConnLost(connPtr);
	}
	Hold(connPtr, msg);
	return;
    }

  process:
    Tcl_Preserve(connPtr);
    if (connPtr->monitors != NULL) {
	RunMonitors(connPtr, msg);
    }
    switch (type) {
    case DBUS_MESSAGE_TYPE_METHOD_CALL:
	ServeMethodCall(connPtr, msg);
	break;
    case DBUS_MESSAGE_TYPE_METHOD_RETURN:
    case DBUS_MESSAGE_TYPE_ERROR: {
	Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&connPtr->pending,
		INT2PTR(dbus_message_get_reply_serial(msg)));

	if (hPtr != NULL) {
	    DeliverReply((DbusPending *) Tcl_GetHashValue(hPtr), msg);
	}
	break;
    }
    case DBUS_MESSAGE_TYPE_SIGNAL:
	if (dbus_message_is_signal(msg, DBUS_LOCAL_INTERFACE, "Disconnected")
		&& dbus_message_has_path(msg, DBUS_LOCAL_PATH)) {
	    DbusConnLost(connPtr);
	}
	DeliverSignal(connPtr, msg);
	break;
    default:
	break;
    }
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * Pending calls.
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
 * Unlist --
 *
 *	Take a pending record out of its connection's table and list.
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
 * DbusPendingFree --
 *
 *	Free a pending record (unlisting it if still listed).
 *
 *----------------------------------------------------------------------
 */

void
DbusPendingFree(
    DbusPending *pendPtr)
{
    Unlist(pendPtr);
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
 * DeliverReply --
 *
 *	A reply (or a synthesized error) for a pending call: run the
 *	-handler script, wake the synchronous waiter, or resume the
 *	coroutine.
 *
 *----------------------------------------------------------------------
 */

static void
DeliverReply(
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
	    code = EvalHandler(interp, pendPtr->script, connPtr, reply,
		    pendPtr->flags);
	    if (code == TCL_ERROR) {
		BackgroundError(interp, code, "dbus call -handler script");
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
	     * callback in dbusCmd.c frees pendPtr.
	     */

	    Tcl_IncrRefCount(coroPtr);
	    Tcl_Preserve(interp);
	    code = Tcl_EvalObjv(interp, 1, &coroPtr, TCL_EVAL_GLOBAL);
	    if (code == TCL_ERROR) {
		BackgroundError(interp, code, "coroutine resumed by dbus call");
	    }
	    Tcl_ResetResult(interp);
	    Tcl_Release(interp);
	    Tcl_DecrRefCount(coroPtr);
	}
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
    DeliverReply(pendPtr, err);
    dbus_message_unref(err);
}

/*
 *----------------------------------------------------------------------
 *
 * PendingTimerProc --
 *
 *	Fail every pending call whose deadline passed with NoReply.
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
 *----------------------------------------------------------------------
 */

int
DbusWaitReply(
    Tcl_Interp *interp,
    DbusPending *pendPtr,
    int serviceEvents)
{
    DbusThreadData *tsdPtr = DbusGetThreadData();

    (void) interp;
    tsdPtr->waitDepth++;
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
		    Hold(connPtr, msg);
		    dbus_message_unref(msg);
		}
		DbusConnLost(connPtr);
		break;
	    }
	}
    }
    tsdPtr->waitDepth--;

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
