/*
 * dbifProxyCmd.c --
 *
 *	Client proxies of dbif (EXTENSIONS.md E4), part two: the proxy
 *	command.  "$p Method ?arg ...?" and "$p call" send a method call
 *	typed from the introspection data; get, set and getall work on the
 *	object's properties through the property cache; link ties a Tcl
 *	variable to a property; describe, owner, changed and destroy.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifProxy.h"
#include <limits.h>

static int	CallMethod(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    Tcl_Obj *intfObj, int timeout, Tcl_Obj *handlerObj,
		    int noReply, Tcl_Obj *nameObj, int objc,
		    Tcl_Obj *const objv[], Tcl_Obj *cmdObj);
static int	CallSub(Tcl_Interp *interp, DbifProxy *proxyPtr, int objc,
		    Tcl_Obj *const objv[]);
static int	GetSub(Tcl_Interp *interp, DbifProxy *proxyPtr, int objc,
		    Tcl_Obj *const objv[]);
static int	SetSub(Tcl_Interp *interp, DbifProxy *proxyPtr, int objc,
		    Tcl_Obj *const objv[]);
static int	GetAllSub(Tcl_Interp *interp, DbifProxy *proxyPtr, int objc,
		    Tcl_Obj *const objv[]);
static int	ChangedSub(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    int objc, Tcl_Obj *const objv[]);

/*
 *----------------------------------------------------------------------
 *
 * DbifPxOpNew, DbifPxOpFree, DbifPxOpReply --
 *
 *	DbifPxOpNew: a record for an operation that may outlive the
 *	command (it waits for a reply, possibly in a coroutine).
 *	DbifPxOpReply: the DbifPxStep of every such operation: by kind,
 *	the value(s) of a Get or GetAll with their exact types
 *	(DbifPxPropReply; a link's Get leaves no result), a Set's reply
 *	(the cached value is dropped: PropertiesChanged or the next get
 *	brings the new one), a method's reply (DbifPxReplyReceived).
 *
 * Results:
 *	DbifPxOpNew: the record.  DbifPxOpReply: a Tcl result code (reply
 *	NULL: sending failed or the coroutine went away, error in interp).
 *
 * Side effects:
 *	DbifPxOpNew preserves the proxy; DbifPxOpFree releases the record's
 *	interface and variable name objects and the proxy, and frees it,
 *	as DbifPxOpReply does; DbifPxOpReply updates the cache.
 *
 *----------------------------------------------------------------------
 */

DbifPxOp *
DbifPxOpNew(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,
    int kind)			/* DBIF_PX_OP_* */
{
    DbifPxOp *opPtr = (DbifPxOp *) ckalloc(sizeof(DbifPxOp));

    memset(opPtr, 0, sizeof(DbifPxOp));
    opPtr->kind = kind;
    opPtr->proxyPtr = proxyPtr;
    opPtr->propPtr = propPtr;
    Tcl_Preserve(proxyPtr);
    return opPtr;
}

void
DbifPxOpFree(
    DbifPxOp *opPtr)
{
    if (opPtr->intfObj != NULL) {
	Tcl_DecrRefCount(opPtr->intfObj);
    }
    if (opPtr->varName != NULL) {
	Tcl_DecrRefCount(opPtr->varName);
    }
    Tcl_Release(opPtr->proxyPtr);
    ckfree((char *) opPtr);
}

int
DbifPxOpReply(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)		/* borrowed, or NULL */
{
    DbifPxOp *opPtr = (DbifPxOp *) clientData;
    DbifProxy *proxyPtr = opPtr->proxyPtr;
    int code = TCL_ERROR;

    if (reply != NULL) {
	switch (opPtr->kind) {
	case DBIF_PX_OP_CALL:
	    code = DbifPxReplyReceived(interp, proxyPtr, opPtr->propPtr,
		    reply);
	    break;
	case DBIF_PX_OP_SET:
	    code = DbusReplyResult(interp, reply, 0);
	    if (!proxyPtr->deleted) {
		DbifPxCacheStore(proxyPtr, opPtr->propPtr, NULL);
	    }
	    break;
	default:
	    code = DbifPxPropReply(interp, proxyPtr, opPtr->propPtr,
		    opPtr->intfObj, reply);
	    break;
	}
	if (code == TCL_OK && opPtr->kind != DBIF_PX_OP_GET
		&& opPtr->kind != DBIF_PX_OP_CALL) {
	    Tcl_ResetResult(interp);
	}
    }
    DbifPxOpFree(opPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DescribeSub, DestroySub, OwnerSub --
 *
 *	$p describe, $p destroy, $p owner: the subcommands without
 *	arguments (the dispatcher checks that there are none).
 *
 * Results:
 *	A Tcl result code; the description dict, "", the owner.
 *
 * Side effects:
 *	DestroySub deletes the proxy command.
 *
 *----------------------------------------------------------------------
 */

static int
DescribeSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) objc;
    (void) objv;
    Tcl_SetObjResult(interp, DbifPxDescribe(proxyPtr->descPtr));
    return TCL_OK;
}

static int
DestroySub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) objc;
    (void) objv;
    if (proxyPtr->token != NULL) {
	Tcl_DeleteCommandFromToken(interp, proxyPtr->token);
    }
    return TCL_OK;
}

static int
OwnerSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) objc;
    (void) objv;
    Tcl_SetObjResult(interp, proxyPtr->owner);
    return TCL_OK;
}

/*
 * The subcommands; any other first word is a method name.
 */

typedef int (SubProc)(Tcl_Interp *interp, DbifProxy *proxyPtr, int objc,
	Tcl_Obj *const objv[]);

static const struct {
    const char *name;
    SubProc *proc;
    int noArgs;			/* takes no argument */
} subcommands[] = {
    {"call", CallSub, 0}, {"changed", ChangedSub, 0},
    {"describe", DescribeSub, 1}, {"destroy", DestroySub, 1},
    {"get", GetSub, 0}, {"getall", GetAllSub, 0},
    {"link", DbifPxLinkSub, 0}, {"on", DbifPxOnSub, 0},
    {"owner", OwnerSub, 1}, {"set", SetSub, 0}, {NULL, NULL, 0}
};

/*
 *----------------------------------------------------------------------
 *
 * DbifPxObjCmd, DbifPxNRObjCmd --
 *
 *	The proxy command: $p subcommand ?arg ...? or $p Method ?arg ...?
 *	(every word that is not one of the lowercase subcommands is a
 *	method name).
 *
 * Results:
 *	A Tcl result code.
 *
 * Side effects:
 *	Those of the subcommand or method call (DbifPxObjCmd runs
 *	DbifPxNRObjCmd through Tcl_NRCallObjProc).
 *
 *----------------------------------------------------------------------
 */

int
DbifPxObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, DbifPxNRObjCmd, clientData, objc,
	    objv);
}

int
DbifPxNRObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifProxy *proxyPtr = (DbifProxy *) clientData;
    const char *sub;
    int i;

    if (objc < 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "subcommand|Method ?arg ...?");
	return TCL_ERROR;
    }
    sub = Tcl_GetString(objv[1]);
    if (sub[0] >= 'a' && sub[0] <= 'z') {
	for (i = 0; subcommands[i].name != NULL; i++) {
	    if (strcmp(sub, subcommands[i].name) != 0) {
		continue;
	    }
	    if (subcommands[i].noArgs && objc != 2) {
		Tcl_WrongNumArgs(interp, 2, objv, NULL);
		return TCL_ERROR;
	    }
	    return subcommands[i].proc(interp, proxyPtr, objc, objv);
	}
    }
    return CallMethod(interp, proxyPtr, NULL, proxyPtr->timeout, NULL, 0,
	    objv[1], objc - 2, objv + 2, objv[0]);
}

/*
 *----------------------------------------------------------------------
 *
 * CallSub --
 *
 *	$p call ?-interface name? ?-timeout ms? ?-handler script?
 *	    ?-noreply? method ?arg ...?
 *
 * Results:
 *	See CallMethod: the reply's value(s), or the serial with -handler or
 *	-noreply; TCL_ERROR for a bad option, a missing value, an invalid
 *	interface, wrong # args.
 *
 * Side effects:
 *	See CallMethod.
 *
 *----------------------------------------------------------------------
 */

static int
CallSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"-handler", "-interface", "-noreply", "-timeout", "--", NULL
    };
    enum { O_HANDLER, O_INTF, O_NOREPLY, O_TIMEOUT, O_END };
    Tcl_Obj *intfObj = NULL, *handlerObj = NULL;
    int i, index, noReply = 0, timeout = proxyPtr->timeout;

    for (i = 2; i < objc; i++) {
	if (Tcl_GetString(objv[i])[0] != '-') {
	    break;
	}
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (index == O_END) {
	    i++;
	    break;
	}
	if (index == O_NOREPLY) {
	    noReply = 1;
	    continue;
	}
	if (++i >= objc) {
	    return DbusMissingValue(interp, Tcl_ObjPrintf(
		    "missing value for option \"%s\"", options[index]));
	}
	switch (index) {
	case O_HANDLER:
	    handlerObj = objv[i];
	    break;
	case O_INTF:
	    if (DbifCheckInterface(interp, objv[i]) != TCL_OK) {
		return TCL_ERROR;
	    }
	    intfObj = objv[i];
	    break;
	case O_TIMEOUT:
	    if (Tcl_GetIntFromObj(NULL, objv[i], &timeout) != TCL_OK
		    || timeout < 0) {
		return DbusError(interp, DBUS_EC_INVALID, "TIMEOUT",
			Tcl_GetString(objv[i]), "Invalid timeout");
	    }
	    break;
	}
    }
    if (i >= objc) {
	Tcl_WrongNumArgs(interp, 2, objv, "?-interface name? ?-timeout ms? "
		"?-handler script? ?-noreply? method ?arg ...?");
	return TCL_ERROR;
    }
    return CallMethod(interp, proxyPtr, intfObj, timeout, handlerObj,
	    noReply, objv[i], objc - i - 1, objv + i + 1, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * ErrorCodeOf, Reword, ArgError --
 *
 *	ErrorCodeOf: the errorcode of the error in interp (new ref).
 *	Reword: replace the message of that error, keeping its code.
 *	A method's arguments did not marshal: find the one that does not
 *	fit its introspected type and name it in the message, keeping the
 *	marshaller's errorcode ({DBUS VALUE ...}).
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Reword and ArgError replace the interp result with the new message and
 *	set the errorcode again.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
ErrorCodeOf(
    Tcl_Interp *interp)
{
    Tcl_Obj *options = Tcl_GetReturnOptions(interp, TCL_ERROR), *ecPtr;
    Tcl_Obj *key = Tcl_NewStringObj("-errorcode", -1);

    Tcl_IncrRefCount(options);
    Tcl_IncrRefCount(key);
    if (Tcl_DictObjGet(NULL, options, key, &ecPtr) != TCL_OK
	    || ecPtr == NULL) {
	ecPtr = Tcl_NewStringObj("NONE", -1);
    }
    Tcl_IncrRefCount(ecPtr);
    Tcl_DecrRefCount(key);
    Tcl_DecrRefCount(options);
    return ecPtr;
}

static void
Reword(
    Tcl_Interp *interp,
    Tcl_Obj *msgObj)		/* new message (refcount 0 or more) */
{
    Tcl_Obj *ecPtr = ErrorCodeOf(interp);

    Tcl_IncrRefCount(msgObj);
    Tcl_ResetResult(interp);
    Tcl_SetObjResult(interp, msgObj);
    Tcl_SetObjErrorCode(interp, ecPtr);
    Tcl_DecrRefCount(ecPtr);
    Tcl_DecrRefCount(msgObj);
}

static int
ArgError(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DbifPxMember *memPtr,
    int objc,			/* arguments given, at most memPtr->nIn */
    Tcl_Obj *const objv[])
{
    Tcl_Obj *nameObj, *typeObj;
    int i;

    for (i = 0; i < objc && i < memPtr->nIn; i++) {
	const char *type;
	Tcl_Size len;

	Tcl_ListObjIndex(NULL, memPtr->inNames, i, &nameObj);
	Tcl_ListObjIndex(NULL, memPtr->inTypes, i, &typeObj);
	type = Tcl_GetStringFromObj(typeObj, &len);
	if (DbusMarshalCheck(NULL, connPtr, type, (int) len, objv[i])
		!= TCL_OK) {
	    Reword(interp, Tcl_ObjPrintf("argument %d \"%s\" of %s.%s must "
		    "be of type %s: %s", i + 1, Tcl_GetString(nameObj),
		    Tcl_GetString(memPtr->intf), Tcl_GetString(memPtr->name),
		    type, Tcl_GetString(Tcl_GetObjResult(interp))));
	    break;
	}
    }
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * HandlerObserve, HandlerObserveFree --
 *
 *	The DbusReplyObserver of a "$p call -handler": the reply is read
 *	as a synchronous call's is (DbifPxReplyReceived), so that values
 *	the script passes back unchanged keep their exact types.  The
 *	script itself gets the reply as "dbus call -handler" gives it.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The proxy's exact entries for the method (unless the proxy was
 *	deleted meanwhile).  HandlerObserveFree frees the record
 *	(DbifPxOpFree: the proxy is released).
 *
 *----------------------------------------------------------------------
 */

static void
HandlerObserve(
    ClientData clientData,	/* DbifPxOp; freed by the core */
    Tcl_Interp *interp,
    DBusMessage *reply)		/* borrowed */
{
    DbifPxOp *opPtr = (DbifPxOp *) clientData;

    if (!opPtr->proxyPtr->deleted) {
	(void) DbifPxReplyReceived(interp, opPtr->proxyPtr, opPtr->propPtr,
		reply);
    }
}

static void
HandlerObserveFree(
    ClientData clientData)	/* DbifPxOp */
{
    DbifPxOp *opPtr = (DbifPxOp *) clientData;

    DbifPxOpFree(opPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * CallMethod --
 *
 *	Send a method call typed from the introspection data and deliver
 *	its reply the way "dbus call" does: synchronously (yielding inside
 *	a coroutine), to a -handler script, or not at all (-noreply).
 *
 * Results:
 *	The reply value(s), or the serial for -handler and -noreply.
 *
 * Side effects:
 *	Sends a message; may wait or yield.  With -handler the reply's
 *	exact forms are kept as a synchronous call keeps them
 *	(HandlerObserve).
 *
 *----------------------------------------------------------------------
 */

static int
CallMethod(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    Tcl_Obj *intfObj,		/* interface or NULL */
    int timeout,		/* ms; -1 default, 0 no limit */
    Tcl_Obj *handlerObj,	/* -handler script or NULL */
    int noReply,
    Tcl_Obj *nameObj,		/* method name */
    int objc,
    Tcl_Obj *const objv[],	/* the arguments */
    Tcl_Obj *cmdObj)		/* the proxy command word (shorthand) */
{
    DbifPxMember *memPtr;
    DbusConn *connPtr;
    DBusMessage *msg;
    dbus_uint32_t serial;
    Tcl_Obj **exactObjv, *sigObj;
    int code, i;

    memPtr = DbifPxFind(interp, proxyPtr, DBIF_XML_METHOD, intfObj,
	    nameObj);
    if (memPtr == NULL) {
	return TCL_ERROR;
    }
    if (objc > memPtr->nIn || objc < memPtr->nIn - memPtr->nOptional) {
	Tcl_Obj *usage = Tcl_ObjPrintf("wrong # args: should be \"%s%s",
		cmdObj ? Tcl_GetString(cmdObj) : "$proxy call",
		cmdObj ? "" : "");
	Tcl_Size i, n;
	Tcl_Obj **names;

	Tcl_AppendPrintfToObj(usage, " %s", Tcl_GetString(memPtr->name));
	Tcl_ListObjGetElements(NULL, memPtr->inNames, &n, &names);
	for (i = 0; i < n; i++) {
	    Tcl_AppendPrintfToObj(usage, i < n - memPtr->nOptional ? " %s"
		    : " ?%s?", Tcl_GetString(names[i]));
	}
	Tcl_AppendToObj(usage, "\"", 1);
	Tcl_SetObjResult(interp, usage);
	Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_ARGS,
		objc < memPtr->nIn ? "MISSING" : "EXTRA", NULL);
	return TCL_ERROR;
    }
    connPtr = DbifPxConn(interp, proxyPtr);
    if (connPtr == NULL) {
	return TCL_ERROR;
    }
    msg = DbifPxNewCall(interp, proxyPtr, Tcl_GetString(memPtr->intf),
	    Tcl_GetString(memPtr->name));
    if (msg == NULL) {
	return TCL_ERROR;
    }
    if (noReply) {
	DbusMessageSetNoReply(msg);
    }
    sigObj = memPtr->inSig;
    if (objc < memPtr->nIn) {
	/* optional arguments left out: the signature of those given */
	Tcl_Obj **types;
	Tcl_Size n;

	Tcl_ListObjGetElements(NULL, memPtr->inTypes, &n, &types);
	sigObj = Tcl_NewObj();
	for (i = 0; i < objc; i++) {
	    Tcl_AppendObjToObj(sigObj, types[i]);
	}
    }
    Tcl_IncrRefCount(sigObj);
    if (DbifPxExactArgs(proxyPtr, memPtr, objc, objv, &exactObjv)) {
	code = DbusMarshalArgs(interp, connPtr, msg, sigObj, objc,
		exactObjv);
	for (i = 0; i < objc; i++) {
	    Tcl_DecrRefCount(exactObjv[i]);
	}
	ckfree((char *) exactObjv);
    } else {
	code = DbusMarshalArgs(interp, connPtr, msg, sigObj, objc, objv);
    }
    Tcl_DecrRefCount(sigObj);
    if (code != TCL_OK) {
	DbusMessageRelease(msg);
	return ArgError(interp, connPtr, memPtr, objc, objv);
    }
    if (timeout == 0) {
	timeout = INT_MAX;
    }
    if (!noReply && (handlerObj == NULL || DbusIsEmpty(handlerObj))) {
	/*
	 * Synchronous (yielding inside a coroutine): the reply's
	 * variants keep their exact types for later calls.
	 */

	code = DbifPxAwait(interp, connPtr, msg, timeout, DbifPxOpReply,
		DbifPxOpNew(proxyPtr, memPtr, DBIF_PX_OP_CALL));
	DbusMessageRelease(msg);
	return code;
    }
    code = DbusSend(interp, connPtr, msg, &serial);
    DbusMessageRelease(msg);
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    if (!noReply) {
	/*
	 * The reply's variants keep their exact types here too: the
	 * observer records them before the script runs.
	 */

	DbusPendingObserve(DbusPendingNew(connPtr, serial,
		DBUS_PENDING_HANDLER, interp, handlerObj, 0, timeout),
		HandlerObserve, HandlerObserveFree,
		DbifPxOpNew(proxyPtr, memPtr, DBIF_PX_OP_CALL));
    }
    Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxPropArgs --
 *
 *	Shared parsing of "?-interface name? prop ?more?" for get, set and
 *	link: finds the property and checks its access.
 *
 * Results:
 *	The property or NULL with an error.
 *
 * Side effects:
 *	On failure sets the interp result (wrong # args, unknown or ambiguous
 *	property, {DBUS ACCESS READ|WRITE name}).
 *
 *----------------------------------------------------------------------
 */

DbifPxMember *
DbifPxPropArgs(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[],
    int nMore,			/* words after the property name */
    int access,			/* DBIF_XML_READ or _WRITE, or 0 */
    const char *usage)
{
    Tcl_Obj *intfObj = NULL;
    DbifPxMember *propPtr;
    int i = 2;

    if (objc > 2 && strcmp(Tcl_GetString(objv[2]), "-interface") == 0) {
	if (objc < 4) {
	    Tcl_WrongNumArgs(interp, 2, objv, usage);
	    return NULL;
	}
	intfObj = objv[3];
	i = 4;
    }
    if (objc - i != 1 + nMore) {
	Tcl_WrongNumArgs(interp, 2, objv, usage);
	return NULL;
    }
    propPtr = DbifPxFind(interp, proxyPtr, DBIF_XML_PROPERTY, intfObj,
	    objv[i]);
    if (propPtr != NULL && access && !(propPtr->access & access)) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("property \"%s\" of %s is "
		"not %s", Tcl_GetString(propPtr->name),
		Tcl_GetString(propPtr->intf),
		access == DBIF_XML_READ ? "readable" : "writable"));
	Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_ACCESS,
		access == DBIF_XML_READ ? "READ" : "WRITE",
		Tcl_GetString(propPtr->name), NULL);
	return NULL;
    }
    return propPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxCacheGet --
 *
 *	The cached value of a property, or NULL.
 *
 * Results:
 *	The cached value (borrowed from the cache), or NULL when the proxy
 *	does not cache, the property is EmitsChangedSignal=false, or nothing
 *	is cached.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifPxCacheGet(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr)
{
    Tcl_HashEntry *hPtr;

    if (!proxyPtr->cache || propPtr->emits == DBIF_EMITS_FALSE) {
	return NULL;
    }
    hPtr = Tcl_FindHashEntry(&proxyPtr->values, (char *) propPtr);
    return hPtr ? (Tcl_Obj *) Tcl_GetHashValue(hPtr) : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * GetSub, DbifPxStartGet --
 *
 *	$p get ?-interface name? prop: from the cache, else with
 *	Properties.Get (the value is cached unless the property is
 *	annotated EmitsChangedSignal=false).  DbifPxStartGet sends the Get
 *	of opPtr's property; DbifPxOpReply takes its reply.
 *
 * Results:
 *	A Tcl result code; the value (Get) or dict (GetAll) in interp.
 *
 * Side effects:
 *	May send Get and wait or yield; the cache takes the value.
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * DbifPxStartGet --
 *
 *	Send Properties.Get of opPtr's property and continue with
 *	DbifPxOpReply once the reply is in (DbifPxAwait: waits, or yields inside a coroutine).
 *
 * Results:
 *	What DbifPxOpReply returns, or TCL_ERROR when the proxy is not connected or the
 *	call cannot be built.
 *
 * Side effects:
 *	Sends the call; DbifPxOpReply takes over opPtr (it is freed here when nothing
 *	is sent).
 *
 *----------------------------------------------------------------------
 */

int
DbifPxStartGet(
    Tcl_Interp *interp,
    DbifPxOp *opPtr)		/* taken: freed by the reply step */
{
    DbifProxy *proxyPtr = opPtr->proxyPtr;
    DbusConn *connPtr = DbifPxConn(interp, proxyPtr);
    DBusMessage *msg;
    const char *intf = Tcl_GetString(opPtr->propPtr->intf);
    const char *name = Tcl_GetString(opPtr->propPtr->name);
    int code;

    if (connPtr == NULL || (msg = DbusNewCall(interp,
	    Tcl_GetString(proxyPtr->dest), Tcl_GetString(proxyPtr->path),
	    DBUS_PROPS_INTERFACE, "Get", intf, name, NULL)) == NULL) {
	DbifPxOpFree(opPtr);
	return TCL_ERROR;
    }
    code = DbifPxAwait(interp, connPtr, msg, proxyPtr->timeout,
	    DbifPxOpReply, opPtr);
    DbusMessageRelease(msg);
    return code;
}

static int
GetSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifPxMember *propPtr;
    Tcl_Obj *valuePtr;

    propPtr = DbifPxPropArgs(interp, proxyPtr, objc, objv, 0, DBIF_XML_READ,
	    "?-interface name? property");
    if (propPtr == NULL) {
	return TCL_ERROR;
    }
    valuePtr = DbifPxCacheGet(proxyPtr, propPtr);
    if (valuePtr != NULL) {
	Tcl_SetObjResult(interp, valuePtr);
	return TCL_OK;
    }
    return DbifPxStartGet(interp, DbifPxOpNew(proxyPtr, propPtr,
	    DBIF_PX_OP_GET));
}

/*
 *----------------------------------------------------------------------
 *
 * SetSub --
 *
 *	$p set ?-interface name? prop value: Properties.Set with the value
 *	typed from introspection, or as it arrived when the proxy received
 *	it (DbifPxExactSet, through DbifPxNewSet).  The cached value is
 *	dropped (DbifPxOpReply); the service's PropertiesChanged (or the
 *	next get) brings the new one.
 *
 * Results:
 *	TCL_OK with an empty result, or TCL_ERROR (wrong # args, unknown or
 *	read-only property, a value that does not fit its type, not
 *	connected, the service's error).
 *
 * Side effects:
 *	Sends Properties.Set (waits, or yields inside a coroutine); the
 *	cached value is dropped when the reply comes.
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * DbifPxNewSet --
 *
 *	The Properties.Set message of a property: the value is checked against
 *	the declared type first and sent as a variant of that type (its exact
 *	received form when unchanged).  Shared by $p set and linked variables.
 *
 * Results:
 *	The message (one reference, the caller releases it), or NULL with the
 *	error in interp (the value's error reworded to name the property).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DBusMessage *
DbifPxNewSet(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    DbusConn *connPtr,
    DbifPxMember *propPtr,
    Tcl_Obj *valuePtr)
{
    DBusMessage *msg;
    const char *intf = Tcl_GetString(propPtr->intf);
    const char *name = Tcl_GetString(propPtr->name);
    Tcl_Obj *args[3], *sigObj;
    Tcl_Size len;
    const char *sig = Tcl_GetStringFromObj(propPtr->inSig, &len);
    int code;

    /*
     * Checked against the declared type first: the marshaller sends
     * {type value} with that type only when the value fits it.
     */

    if (DbusMarshalCheck(interp, connPtr, sig, (int) len, valuePtr)
	    != TCL_OK) {
	Reword(interp, Tcl_ObjPrintf("value of property \"%s\" of %s must "
		"be of type %s: %s", name, intf, sig,
		Tcl_GetString(Tcl_GetObjResult(interp))));
	return NULL;
    }
    msg = DbifPxNewCall(interp, proxyPtr, DBUS_PROPS_INTERFACE, "Set");
    if (msg == NULL) {
	return NULL;
    }
    args[0] = propPtr->intf;
    args[1] = propPtr->name;
    args[2] = DbifPxExactSet(proxyPtr, propPtr, valuePtr);
    sigObj = Tcl_NewStringObj("ssv", 3);
    Tcl_IncrRefCount(args[2]);
    Tcl_IncrRefCount(sigObj);
    code = DbusMarshalArgs(interp, connPtr, msg, sigObj, 3, args);
    Tcl_DecrRefCount(sigObj);
    Tcl_DecrRefCount(args[2]);
    if (code != TCL_OK) {
	DbusMessageRelease(msg);
	return NULL;
    }
    return msg;
}

static int
SetSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifPxMember *propPtr;
    DbusConn *connPtr;
    DBusMessage *msg;
    int code;

    propPtr = DbifPxPropArgs(interp, proxyPtr, objc, objv, 1, DBIF_XML_WRITE,
	    "?-interface name? property value");
    if (propPtr == NULL || (connPtr = DbifPxConn(interp, proxyPtr)) == NULL) {
	return TCL_ERROR;
    }
    msg = DbifPxNewSet(interp, proxyPtr, connPtr, propPtr, objv[objc - 1]);
    if (msg == NULL) {
	return TCL_ERROR;
    }
    code = DbifPxAwait(interp, connPtr, msg, proxyPtr->timeout,
	    DbifPxOpReply, DbifPxOpNew(proxyPtr, propPtr, DBIF_PX_OP_SET));
    DbusMessageRelease(msg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * GetAllSub --
 *
 *	$p getall ?interface?: a dict of the readable properties, from
 *	the cache when it holds all of them, else from GetAll (its reply
 *	goes to DbifPxOpReply).
 *
 * Results:
 *	A Tcl result code; the dict in interp.
 *
 * Side effects:
 *	May send GetAll and wait or yield; fills the cache.
 *
 *----------------------------------------------------------------------
 */

static int
GetAllSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *intfObj = NULL, *dictPtr;
    DbifPxMember *memPtr;
    DbusConn *connPtr;
    DBusMessage *msg;
    DbifPxOp *opPtr;
    const char *intf;
    int code, complete = 1, found = 0;

    if (objc > 3) {
	Tcl_WrongNumArgs(interp, 2, objv, "?interface?");
	return TCL_ERROR;
    }
    intfObj = objc == 3 ? objv[2] : proxyPtr->intf;
    if (intfObj == NULL) {
	/*
	 * The object's only interface with properties.
	 */

	for (memPtr = proxyPtr->descPtr->members; memPtr;
		memPtr = memPtr->nextPtr) {
	    if (memPtr->kind != DBIF_XML_PROPERTY || strncmp(Tcl_GetString(
		    memPtr->intf), "org.freedesktop.DBus.", 21) == 0) {
		continue;
	    }
	    if (intfObj != NULL && strcmp(Tcl_GetString(intfObj),
		    Tcl_GetString(memPtr->intf)) != 0) {
		Tcl_SetObjResult(interp, Tcl_ObjPrintf("several interfaces "
			"have properties: give one (%s, %s, ...)",
			Tcl_GetString(intfObj), Tcl_GetString(memPtr->intf)));
		Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_AMBIGUOUS,
			"INTERFACE", NULL);
		return TCL_ERROR;
	    }
	    intfObj = memPtr->intf;
	}
	if (intfObj == NULL) {
	    Tcl_SetObjResult(interp, Tcl_NewObj());
	    return TCL_OK;
	}
    }
    intf = Tcl_GetString(intfObj);
    dictPtr = Tcl_NewObj();
    for (memPtr = proxyPtr->descPtr->members; memPtr && complete;
	    memPtr = memPtr->nextPtr) {
	Tcl_Obj *valuePtr;

	if (memPtr->kind != DBIF_XML_PROPERTY
		|| strcmp(Tcl_GetString(memPtr->intf), intf) != 0) {
	    continue;
	}
	found = 1;
	if (!(memPtr->access & DBIF_XML_READ)) {
	    continue;
	}
	valuePtr = DbifPxCacheGet(proxyPtr, memPtr);
	if (valuePtr == NULL) {
	    complete = 0;
	} else {
	    Tcl_DictObjPut(NULL, dictPtr, memPtr->name, valuePtr);
	}
    }
    if (complete && found) {
	Tcl_SetObjResult(interp, dictPtr);
	return TCL_OK;
    }
    Tcl_DecrRefCount(dictPtr);
    if (DbifCheckInterface(interp, intfObj) != TCL_OK) {
	return TCL_ERROR;
    }
    connPtr = DbifPxConn(interp, proxyPtr);
    if (connPtr == NULL || (msg = DbusNewCall(interp,
	    Tcl_GetString(proxyPtr->dest), Tcl_GetString(proxyPtr->path),
	    DBUS_PROPS_INTERFACE, "GetAll", intf, NULL)) == NULL) {
	return TCL_ERROR;
    }
    opPtr = DbifPxOpNew(proxyPtr, NULL, DBIF_PX_OP_GET);
    opPtr->intfObj = intfObj;
    Tcl_IncrRefCount(intfObj);
    code = DbifPxAwait(interp, connPtr, msg, proxyPtr->timeout,
	    DbifPxOpReply, opPtr);
    DbusMessageRelease(msg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * ChangedSub --
 *
 *	$p changed ?script?: the script run as {*}script interface
 *	changed invalidated after each cache update ("" removes it).
 *	Without script, the current one.
 *
 * Results:
 *	TCL_OK with the current script (or "") as result; TCL_ERROR for wrong
 *	# args.
 *
 * Side effects:
 *	Replaces (or with "" removes) proxyPtr->changed, which holds a
 *	reference to the script.
 *
 *----------------------------------------------------------------------
 */

static int
ChangedSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    if (objc > 3) {
	Tcl_WrongNumArgs(interp, 2, objv, "?script?");
	return TCL_ERROR;
    }
    if (objc == 3) {
	if (proxyPtr->changed != NULL) {
	    Tcl_DecrRefCount(proxyPtr->changed);
	    proxyPtr->changed = NULL;
	}
	if (!DbusIsEmpty(objv[2])) {
	    proxyPtr->changed = objv[2];
	    Tcl_IncrRefCount(objv[2]);
	}
    }
    if (proxyPtr->changed != NULL) {
	Tcl_SetObjResult(interp, proxyPtr->changed);
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
