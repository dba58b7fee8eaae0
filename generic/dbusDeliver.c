/*
 * dbusDeliver.c --
 *
 *	Delivery of one incoming message to its handlers: the monitors see
 *	it first, then a method call goes to its method handler (or is
 *	answered here: Peer methods, UnknownMethod), a signal to every
 *	listener it reaches, a reply to its pending call (dbusPending.c).
 *	Handler scripts run as {*}$prefix $info {*}$args at global level
 *	(the message-info dict comes from dbusInfo.c).  During a
 *	synchronous wait only replies and method calls are processed;
 *	everything else is held for the event loop (dbusEvent.c).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <stdio.h>

/*
 *----------------------------------------------------------------------
 *
 * DbusEvalHandler, DbusEvalWith --
 *
 *	Run a script handler as {*}$script $info {*}$args at global level
 *	in its interp.  A script that is not a list is run with the words
 *	appended to its text.  DbusEvalWith does it with the interp's record
 *	at hand (a handler or pending call keeps it), saving the lookup.
 *
 * Results:
 *	The Tcl completion code; the result is left in the interp.
 *
 * Side effects:
 *	Decodes the message's arguments and builds its info dict
 *	(DbusMessageInfo), runs the script (its words held while it runs:
 *	it may replace its own handler or shimmer the script), releases
 *	them afterwards.
 *
 *----------------------------------------------------------------------
 */

int
DbusEvalHandler(
    Tcl_Interp *interp,
    Tcl_Obj *script,
    DBusMessage *msg,
    int flags)
{
    return DbusEvalWith(DbusGetInterpData(interp), script, msg, flags);
}

int
DbusEvalWith(
    DbusInterpData *dataPtr,	/* the record of the interp to run in */
    Tcl_Obj *script,
    DBusMessage *msg,
    int flags)
{
    Tcl_Interp *interp = dataPtr->interp;
    Tcl_Obj *infoPtr, **sv, **av;
    Tcl_Obj *argv[8];		/* the arguments, when they fit */
    Tcl_Obj *stackv[16], **objv = stackv;
    Tcl_Size sc, ac, i, n;
    int code;

    /*
     * The arguments come as an array (each held), not as a list: no list
     * to make and free per message.
     */

    ac = DbusUnmarshalArgv(interp, msg, flags, dataPtr, argv, 8, &av);
    if (ac < 0) {
	return TCL_ERROR;
    }
    infoPtr = DbusMessageInfo(dataPtr, msg);
    Tcl_IncrRefCount(infoPtr);

    if (Tcl_ListObjGetElements(NULL, script, &sc, &sv) == TCL_OK) {
	/*
	 * The usual case: a command prefix.  Its words are held one by one
	 * (holding the script is not enough): the handler may replace
	 * itself, or turn the script's value into another type (string
	 * length $h on the variable that gave it), which frees the list
	 * and with it words still running.
	 */

	n = sc + 1 + ac;
	if (n > 16) {
	    objv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * n);
	}
	for (i = 0; i < sc; i++) {
	    objv[i] = sv[i];
	    Tcl_IncrRefCount(objv[i]);
	}
	objv[sc] = infoPtr;
	for (i = 0; i < ac; i++) {
	    objv[sc + 1 + i] = av[i];
	}
	code = Tcl_EvalObjv(interp, (int) n, objv, TCL_EVAL_GLOBAL);
	for (i = 0; i < sc; i++) {
	    Tcl_DecrRefCount(objv[i]);
	}
	if (objv != stackv) {
	    ckfree((char *) objv);
	}
    } else {
	Tcl_Obj *cmdPtr = Tcl_DuplicateObj(script);

	Tcl_IncrRefCount(cmdPtr);
	Tcl_AppendToObj(cmdPtr, " ", 1);
	Tcl_AppendObjToObj(cmdPtr, infoPtr);
	if (ac > 0) {
	    Tcl_Obj *argsPtr = Tcl_NewListObj(ac, av);

	    Tcl_IncrRefCount(argsPtr);
	    Tcl_AppendToObj(cmdPtr, " ", 1);
	    Tcl_AppendObjToObj(cmdPtr, argsPtr);
	    Tcl_DecrRefCount(argsPtr);
	}
	code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
	Tcl_DecrRefCount(cmdPtr);
    }
    Tcl_DecrRefCount(infoPtr);
    DbusArgvFree(av, ac, argv, dataPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBackgroundError --
 *
 *	Report an error of a handler that has nobody to answer to
 *	(DECISIONS rule 12).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Adds "(what)" to the errorInfo and reports the error with
 *	Tcl_BackgroundException (bgerror runs later).
 *
 *----------------------------------------------------------------------
 */

void
DbusBackgroundError(
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
 * Side effects:
 *	Those of the script or C proc; the caller preserves the interp.
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
    return DbusEvalWith(handlerPtr->dataPtr, handlerPtr->script, msg,
	    handlerPtr->flags);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSendErrorReply --
 *
 *	Answer a method call with an error (unless no reply is wanted, or
 *	the peer does not read: DbusOutgoingFull).  name and text must be
 *	valid (the text is checked here).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR when the message could not be built.
 *
 * Side effects:
 *	Queues the error reply on the connection (nothing when no reply is
 *	wanted or the connection is closed or lost).
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
    if (DbusOutgoingFull(connPtr)) {
	return TCL_OK;
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
 * DbusSendErrorObj, DbusSendErrorf --
 *
 *	DbusSendErrorReply with the text as a Tcl string (converted to
 *	UTF-8 here), or printf-formatted (DbusFormatV) from UTF-8 strings
 *	as they come from messages (sent as they are).
 *
 * Results:
 *	DbusSendErrorObj: TCL_OK, or TCL_ERROR when the message could not
 *	be built.  DbusSendErrorf: TCL_OK always, so that a message proc
 *	can return it (an error reply that cannot be built is dropped).
 *
 * Side effects:
 *	Sends an error reply unless none is wanted.
 *
 *----------------------------------------------------------------------
 */

int
DbusSendErrorObj(
    DbusConn *connPtr,
    DBusMessage *call,		/* borrowed */
    const char *name,		/* a valid error name */
    Tcl_Obj *textObj)		/* borrowed */
{
    Tcl_Encoding utf8;
    Tcl_DString ds;
    int code;

    if (dbus_message_get_no_reply(call)) {
	return TCL_OK;
    }
    utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_UtfToExternalDString(utf8, Tcl_GetString(textObj), -1, &ds);
    Tcl_FreeEncoding(utf8);
    code = DbusSendErrorReply(connPtr, call, name, Tcl_DStringValue(&ds));
    Tcl_DStringFree(&ds);
    return code;
}

int
DbusSendErrorf(
    DbusConn *connPtr,
    DBusMessage *call,		/* borrowed */
    const char *name,		/* a valid error name */
    const char *format,
    ...)
{
    Tcl_Obj *textPtr;
    va_list ap;

    va_start(ap, format);
    textPtr = DbusFormatV(format, ap);
    va_end(ap);
    Tcl_IncrRefCount(textPtr);
    DbusSendErrorReply(connPtr, call, name, Tcl_GetString(textPtr));
    Tcl_DecrRefCount(textPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusResultIsAsync --
 *
 *	Did a method body end with "return -async true ..." (it answers
 *	later itself)?
 *
 * Results:
 *	1 or 0 (always 0 unless code is TCL_OK or TCL_RETURN).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusResultIsAsync(
    Tcl_Interp *interp,		/* the body's interp */
    int code,			/* the body's completion code */
    DbusInterpData *dataPtr)	/* any interp's record: the key literal */
{
    Tcl_Obj *optsPtr, *keyPtr, *valPtr = NULL;
    int async = 0;

    if (code != TCL_OK && code != TCL_RETURN) {
	return 0;
    }
    optsPtr = Tcl_GetReturnOptions(interp, code);
    keyPtr = dataPtr->literals[DBUS_LIT_ASYNC];
    Tcl_IncrRefCount(optsPtr);
    if (Tcl_DictObjGet(NULL, optsPtr, keyPtr, &valPtr) == TCL_OK
	    && valPtr != NULL) {
	Tcl_GetBooleanFromObj(NULL, valPtr, &async);
    }
    Tcl_DecrRefCount(optsPtr);
    return async;
}

/*
 *----------------------------------------------------------------------
 *
 * NoReplyKey, NoteNoReply, ForgetNoReply, DbusTakeNoReply,
 * DbusNoReplyFree --
 *
 *	Calls that want no reply but reach a script handler, which may
 *	answer later with dbus return or dbus error (the caller's sender
 *	and serial are all those commands get): they are remembered for
 *	as long as a dbif message id lives, so that the answer is dropped
 *	instead of sent (nothing is ever sent to a caller that asked for
 *	no reply).  A remote peer must not grow the table without bound:
 *	it holds at most DBUS_MAX_NOREPLY entries; when full, entries past
 *	their time are pruned (at most once a second, so that a flood does
 *	not scan the table for every call) and a call that still finds it
 *	full is not remembered (its handler runs all the same; an answer
 *	the script gives it later is sent, and the bus drops it as a reply
 *	nobody asked for).  NoReplyKey makes the table's key "serial
 *	sender" in an initialised DString (the caller frees it).
 *
 * Results:
 *	DbusTakeNoReply: 1 when dest/serial is such a call (the entry is
 *	used up), else 0.  The others: none.
 *
 * Side effects:
 *	The connection's noReply table.
 *
 *----------------------------------------------------------------------
 */

#define DBUS_NOREPLY_LIFETIME 25000	/* ms, as DBIF_MSG_LIFETIME */
#define DBUS_MAX_NOREPLY	10000	/* entries, as DBIF_MAX_PENDING_MSGS */
#define DBUS_NOREPLY_SCAN	1000	/* ms between two prunings */

static void
NoReplyKey(
    Tcl_DString *dsPtr,
    const char *dest,
    dbus_uint32_t serial)
{
    char buf[16];

    snprintf(buf, sizeof(buf), "%u ", (unsigned) serial);
    Tcl_DStringInit(dsPtr);
    Tcl_DStringAppend(dsPtr, buf, -1);
    Tcl_DStringAppend(dsPtr, dest ? dest : "", -1);
}

static void
NoteNoReply(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    Tcl_WideInt now = DbusMonotonicMs(), *expiryPtr;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    Tcl_DString key;
    int isNew;

    if (connPtr->noReply == NULL) {
	connPtr->noReply = (Tcl_HashTable *) ckalloc(sizeof(Tcl_HashTable));
	Tcl_InitHashTable(connPtr->noReply, TCL_STRING_KEYS);
    }
    if (connPtr->noReply->numEntries >= DBUS_MAX_NOREPLY
	    && now >= connPtr->noReplyScan) {
	connPtr->noReplyScan = now + DBUS_NOREPLY_SCAN;
	for (hPtr = Tcl_FirstHashEntry(connPtr->noReply, &search); hPtr;
		hPtr = Tcl_NextHashEntry(&search)) {
	    expiryPtr = (Tcl_WideInt *) Tcl_GetHashValue(hPtr);
	    if (*expiryPtr <= now) {
		ckfree((char *) expiryPtr);
		Tcl_DeleteHashEntry(hPtr);
	    }
	}
    }
    if (connPtr->noReply->numEntries >= DBUS_MAX_NOREPLY) {
	return;
    }
    NoReplyKey(&key, dbus_message_get_sender(msg),
	    dbus_message_get_serial(msg));
    hPtr = Tcl_CreateHashEntry(connPtr->noReply, Tcl_DStringValue(&key),
	    &isNew);
    Tcl_DStringFree(&key);
    if (isNew) {
	Tcl_SetHashValue(hPtr, ckalloc(sizeof(Tcl_WideInt)));
    }
    *(Tcl_WideInt *) Tcl_GetHashValue(hPtr) = now + DBUS_NOREPLY_LIFETIME;
}

static void
ForgetNoReply(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    (void) DbusTakeNoReply(connPtr, dbus_message_get_sender(msg),
	    dbus_message_get_serial(msg));
}

int
DbusTakeNoReply(
    DbusConn *connPtr,
    const char *dest,
    dbus_uint32_t serial)
{
    Tcl_HashEntry *hPtr;
    Tcl_DString key;
    Tcl_WideInt *expiryPtr;
    int live;

    if (connPtr->noReply == NULL) {
	return 0;
    }
    NoReplyKey(&key, dest, serial);
    hPtr = Tcl_FindHashEntry(connPtr->noReply, Tcl_DStringValue(&key));
    Tcl_DStringFree(&key);
    if (hPtr == NULL) {
	return 0;
    }
    expiryPtr = (Tcl_WideInt *) Tcl_GetHashValue(hPtr);
    live = (*expiryPtr > DbusMonotonicMs());
    ckfree((char *) expiryPtr);
    Tcl_DeleteHashEntry(hPtr);
    return live;
}

void
DbusNoReplyFree(
    DbusConn *connPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (connPtr->noReply == NULL) {
	return;
    }
    for (hPtr = Tcl_FirstHashEntry(connPtr->noReply, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	ckfree((char *) Tcl_GetHashValue(hPtr));
    }
    Tcl_DeleteHashTable(connPtr->noReply);
    ckfree((char *) connPtr->noReply);
    connPtr->noReply = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReplyWithResult, ReplyWith --
 *
 *	Answer a method call from a script handler's completion: an error
 *	becomes org.freedesktop.DBus.Error.Failed with the message; success
 *	sends the result as one string, unless the script returned with
 *	option -async true or no reply is wanted.  ReplyWith does it with
 *	the interp's record at hand (ServeWith's handler keeps it).
 *
 * Results:
 *	TCL_OK.
 *
 * Side effects:
 *	Sends the reply or the Failed error (a return that cannot be
 *	marshalled becomes Failed with its message); nothing when no reply is
 *	wanted, the connection is gone, or the script returned -async.
 *
 *----------------------------------------------------------------------
 */

static int	ReplyWith(DbusInterpData *dataPtr, DbusConn *connPtr,
		    DBusMessage *msg, int code);

int
DbusReplyWithResult(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,
    int code)
{
    return ReplyWith(DbusGetInterpData(interp), connPtr, msg, code);
}

static int
ReplyWith(
    DbusInterpData *dataPtr,	/* the record of the handler's interp */
    DbusConn *connPtr,
    DBusMessage *msg,
    int code)
{
    Tcl_Interp *interp = dataPtr->interp;
    Tcl_Obj *resultPtr;

    if (dbus_message_get_no_reply(msg)
	    || (connPtr->flags & (DBUS_CONN_CLOSED | DBUS_CONN_LOST))) {
	return TCL_OK;
    }
    if (code == TCL_ERROR) {
	return DbusSendErrorObj(connPtr, msg, DBUS_ERROR_FAILED,
		Tcl_GetObjResult(interp));
    }
    if (DbusResultIsAsync(interp, code, dataPtr)) {
	return TCL_OK;
    }
    resultPtr = Tcl_GetObjResult(interp);
    Tcl_IncrRefCount(resultPtr);
    if (DbusSendReturn(interp, connPtr, msg, NULL, 1, &resultPtr)
	    != TCL_OK) {
	DbusSendErrorObj(connPtr, msg, DBUS_ERROR_FAILED,
		Tcl_GetObjResult(interp));
    }
    Tcl_DecrRefCount(resultPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ResolveInterface --
 *
 *	A method call without an interface header goes to the only method
 *	of that name at its path (EXTENSIONS E3): dbus and dbif handlers,
 *	dbif's standard interfaces and the core's Peer methods alike.
 *
 * Results:
 *	NULL: no single interface (none, or a bare-member handler takes the
 *	call as it is); a new message, the call with the interface filled
 *	in (caller unrefs); or msg itself with an extra reference when the
 *	name is ambiguous and the call was answered with UnknownMethod
 *	naming the candidates.
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
ResolveInterface(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    const char *path = dbus_message_get_path(msg);
    const char *member = dbus_message_get_member(msg);
    const char *sig = dbus_message_get_signature(msg);
    Tcl_Obj *listPtr = Tcl_NewObj(), *intfPtr;
    DBusMessage *copy = NULL;
    int n;

    Tcl_IncrRefCount(listPtr);
    n = DbusMethodInterfaces(connPtr, path, member, sig, listPtr);
    if (n == 1) {
	/*
	 * A copy has no serial and is not locked: give it the caller's
	 * serial back (replies refer to it) and the interface.
	 */

	Tcl_ListObjIndex(NULL, listPtr, 0, &intfPtr);
	copy = dbus_message_copy(msg);
	if (copy != NULL) {
	    dbus_message_set_serial(copy, dbus_message_get_serial(msg));
	    if (!dbus_message_set_interface(copy, Tcl_GetString(intfPtr))) {
		dbus_message_unref(copy);
		copy = NULL;
	    }
	}
    } else if (n > 1) {
	Tcl_Obj *textPtr = Tcl_ObjPrintf("Method '%s' at object path '%s' "
		"exists in several interfaces, give one: ", member, path);
	Tcl_Size i;

	for (i = 0; i < n; i++) {
	    Tcl_ListObjIndex(NULL, listPtr, i, &intfPtr);
	    Tcl_AppendStringsToObj(textPtr, i ? ", " : "",
		    Tcl_GetString(intfPtr), NULL);
	}
	Tcl_IncrRefCount(textPtr);
	DbusSendErrorReply(connPtr, msg, DBUS_ERROR_UNKNOWN_METHOD,
		Tcl_GetString(textPtr));
	Tcl_DecrRefCount(textPtr);
	copy = msg;
	dbus_message_ref(copy);
    }
    Tcl_DecrRefCount(listPtr);
    return copy;
}

/*
 *----------------------------------------------------------------------
 *
 * ServeMethodCall, ServeWith --
 *
 *	Dispatch an incoming method call to its handler, or answer it
 *	ourselves (Peer methods, UnknownMethod).  Handlers of a call that
 *	named no interface see the one it was resolved to.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs the handler; sends replies.
 *
 *----------------------------------------------------------------------
 */

static void	ProcessMessage(DbusConn *connPtr, DbusInFlight *flightPtr,
		    int inWait);
static void	ServeWith(DbusConn *connPtr, DBusMessage *msg,
		    DbusHandler *handlerPtr);

static void
ServeMethodCall(
    DbusConn *connPtr,
    DbusInFlight *flightPtr)	/* the call and its fields */
{
    DBusMessage *msg = flightPtr->msg;
    DbusHandler *handlerPtr;
    DBusMessage *resolved = NULL;

    if (flightPtr->intf == NULL && flightPtr->path != NULL
	    && flightPtr->member != NULL) {
	resolved = ResolveInterface(connPtr, msg);
	if (resolved == msg) {
	    /*
	     * Ambiguous: answered with UnknownMethod.
	     */

	    dbus_message_unref(resolved);
	    return;
	}
	if (resolved != NULL) {
	    msg = resolved;
	}
    }
    if (resolved != NULL) {
	handlerPtr = DbusFindMethod(connPtr, dbus_message_get_path(msg),
		dbus_message_get_interface(msg),
		dbus_message_get_member(msg));
    } else {
	handlerPtr = DbusFindMethod(connPtr, flightPtr->path,
		flightPtr->intf, flightPtr->member);
    }
    ServeWith(connPtr, msg, handlerPtr);
    if (resolved != NULL) {
	dbus_message_unref(resolved);
    }
}

static void
ServeWith(
    DbusConn *connPtr,
    DBusMessage *msg,
    DbusHandler *handlerPtr)	/* from DbusFindMethod, or NULL */
{
    Tcl_Interp *interp;
    int code, noReply;

    if (handlerPtr == NULL || handlerPtr->interp == NULL) {
	const char *intf = dbus_message_get_interface(msg);
	const char *member = dbus_message_get_member(msg);
	const char *path = dbus_message_get_path(msg);
	const char *sig = dbus_message_get_signature(msg);
	Tcl_Obj *textPtr;

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
		if (!dbus_message_get_no_reply(msg)
			&& !DbusOutgoingFull(connPtr)) {
		    dbus_connection_send(connPtr->conn, reply, NULL);
		}
		dbus_message_unref(reply);
		return;
	    }
	}
	if (intf == NULL) {
	    textPtr = Tcl_ObjPrintf("No such method '%s' at object path '%s' "
		    "(signature '%s')", member ? member : "",
		    path ? path : "", sig);
	} else {
	    textPtr = Tcl_ObjPrintf("No such method '%s' in interface '%s' "
		    "at object path '%s' (signature '%s')",
		    member ? member : "", intf, path ? path : "", sig);
	}
	Tcl_IncrRefCount(textPtr);
	DbusSendErrorReply(connPtr, msg, DBUS_ERROR_UNKNOWN_METHOD,
		Tcl_GetString(textPtr));
	Tcl_DecrRefCount(textPtr);
	return;
    }

    interp = handlerPtr->interp;
    handlerPtr->refCount++;
    Tcl_Preserve(interp);
    noReply = (handlerPtr->proc == NULL && dbus_message_get_no_reply(msg));
    if (noReply) {
	/*
	 * The script may answer, now or later, with dbus return / error.
	 */

	NoteNoReply(connPtr, msg);
    }
    code = RunHandler(handlerPtr, connPtr, msg);
    if (noReply && !(handlerPtr->flags & DBUS_FLAG_ASYNC)
	    && !DbusResultIsAsync(interp, code, handlerPtr->dataPtr)) {
	ForgetNoReply(connPtr, msg);
    }
    if (handlerPtr->proc != NULL) {
	if (code == TCL_ERROR) {
	    DbusReplyWithResult(interp, connPtr, msg, code);
	}
    } else if (!(handlerPtr->flags & DBUS_FLAG_ASYNC)) {
	ReplyWith(handlerPtr->dataPtr, connPtr, msg, code);
    } else if (code == TCL_ERROR) {
	if (dbus_message_get_no_reply(msg)) {
	    DbusBackgroundError(interp, code, "dbus method handler");
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs each handler in its interp (preserved meanwhile), errors to
 *	bgerror, releases the references DbusFindSignals took, frees a heap
 *	list.
 *
 *----------------------------------------------------------------------
 */

static void
DeliverSignal(
    DbusConn *connPtr,
    DbusInFlight *flightPtr)	/* the signal and its fields */
{
    DBusMessage *msg = flightPtr->msg;
    DbusHandler *staticList[8], **list;
    int n = DbusFindSignals(connPtr, flightPtr->path, flightPtr->intf,
	    flightPtr->member, &list, staticList, 8), i;

    for (i = 0; i < n; i++) {
	DbusHandler *handlerPtr = list[i];
	Tcl_Interp *interp = handlerPtr->interp;

	if (interp != NULL && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	    int code;

	    Tcl_Preserve(interp);
	    code = RunHandler(handlerPtr, connPtr, msg);
	    if (code == TCL_ERROR) {
		DbusBackgroundError(interp, code, "dbus signal handler");
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs each monitor script in its interp (preserved meanwhile; each
 *	handler held by a reference while it runs), errors to bgerror.
 *
 *----------------------------------------------------------------------
 */

static void
RunMonitors(
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbusHandler *staticList[16], **list = staticList;
    DbusMonitor *monPtr;
    int n = 0, i;

    /*
     * One monitor per interp, as many interps as the script makes: the
     * list grows beyond the stack array (it is copied because a monitor
     * script may add or remove monitors).
     */

    for (monPtr = connPtr->monitors; monPtr; monPtr = monPtr->nextPtr) {
	n++;
    }
    if (n > 16) {
	list = (DbusHandler **) ckalloc(sizeof(DbusHandler *) * n);
    }
    n = 0;
    for (monPtr = connPtr->monitors; monPtr; monPtr = monPtr->nextPtr) {
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
		DbusBackgroundError(interp, code, "dbus monitor");
	    }
	    Tcl_ResetResult(interp);
	    Tcl_Release(interp);
	}
	DbusHandlerRelease(list[i]);
    }
    if (list != staticList) {
	ckfree((char *) list);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusProcessMessage --
 *
 *	Process one incoming message.  In a synchronous wait (inWait) only
 *	replies to waiting calls and method calls are processed; anything
 *	else is held, in order, for the event loop.  The caller holds a
 *	reference to msg and drops it afterwards, and preserves connPtr;
 *	while the message is processed it is listed in the thread's
 *	inFlight list with its path, interface and member, read once here
 *	(see DbusInFlight in dbusInt.h).
 *
 * Results:
 *	None.
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
    DbusThreadData *tsdPtr = connPtr->tsdPtr;
    DbusInFlight flight;

    flight.msg = msg;
    flight.path = dbus_message_get_path(msg);
    flight.intf = dbus_message_get_interface(msg);
    flight.member = dbus_message_get_member(msg);
    flight.sig = NULL;
    flight.nextPtr = tsdPtr->inFlight;
    tsdPtr->inFlight = &flight;
    ProcessMessage(connPtr, &flight, inWait);
    tsdPtr->inFlight = flight.nextPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * ProcessMessage --
 *
 *	The body of DbusProcessMessage: in a wait, a reply to a waiting call
 *	is delivered (after the monitors), a method call is served, anything
 *	else is held (a Disconnected signal fails the pending calls first);
 *	otherwise monitors run, then the message goes to its handler, pending
 *	call, owner table, signal handlers and subscriptions by type.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs handler scripts and C callbacks, sends replies, holds messages (a
 *	reference each), may mark the connection lost (the caller of
 *	DbusProcessMessage preserves the connection).
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * IsDisconnected --
 *
 *	Is a signal libdbus's local Disconnected (interface and member; the
 *	path too when withPath)?  Compares the fields already read, member
 *	first (dbus_message_is_signal reads them again).
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
IsDisconnected(
    DbusInFlight *flightPtr,
    int withPath)
{
    return flightPtr->member != NULL
	    && strcmp(flightPtr->member, "Disconnected") == 0
	    && flightPtr->intf != NULL
	    && strcmp(flightPtr->intf, DBUS_LOCAL_INTERFACE) == 0
	    && (!withPath || (flightPtr->path != NULL
		&& strcmp(flightPtr->path, DBUS_LOCAL_PATH) == 0));
}

static void
ProcessMessage(
    DbusConn *connPtr,
    DbusInFlight *flightPtr,	/* the message and its fields */
    int inWait)
{
    DBusMessage *msg = flightPtr->msg;
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
		    DbusDeliverReply((DbusPending *) Tcl_GetHashValue(hPtr), msg);
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
		&& IsDisconnected(flightPtr, 0)) {
	    /*
	     * Fail the pending calls now; listeners hear it later.
	     */

	    DbusConnLost(connPtr);
	}
	DbusHoldMessage(connPtr, msg);
	return;
    }

  process:
    if (connPtr->monitors != NULL) {
	RunMonitors(connPtr, msg);
    }
    switch (type) {
    case DBUS_MESSAGE_TYPE_METHOD_CALL:
	ServeMethodCall(connPtr, flightPtr);
	break;
    case DBUS_MESSAGE_TYPE_METHOD_RETURN:
    case DBUS_MESSAGE_TYPE_ERROR: {
	Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&connPtr->pending,
		INT2PTR(dbus_message_get_reply_serial(msg)));

	if (hPtr != NULL) {
	    DbusDeliverReply((DbusPending *) Tcl_GetHashValue(hPtr), msg);
	}
	break;
    }
    case DBUS_MESSAGE_TYPE_SIGNAL:
	if (IsDisconnected(flightPtr, 1)) {
	    DbusConnLost(connPtr);
	}
	if (connPtr->busData != NULL) {
	    DbusBusSignal(connPtr, msg);
	}
	DeliverSignal(connPtr, flightPtr);
	if (connPtr->subData != NULL
		&& !(connPtr->flags & DBUS_CONN_CLOSED)) {
	    DbusSubscriptionsDeliver(connPtr, flightPtr);
	}
	break;
    default:
	break;
    }
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
