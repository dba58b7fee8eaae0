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

#define LINK_REPLY_CMD	"::dbus::dbif::LinkReply"

/*
 * A property operation waiting for its reply (get, set, getall, link).
 */

typedef struct PropOp {
    DbifProxy *proxyPtr;	/* Tcl_Preserve'd */
    DbifPxMember *propPtr;	/* borrowed from proxyPtr's description */
    Tcl_Obj *intfObj;		/* getall: interface; held */
    Tcl_Obj *varName;		/* link: variable; held */
} PropOp;

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
static int	LinkSub(Tcl_Interp *interp, DbifProxy *proxyPtr, int objc,
		    Tcl_Obj *const objv[]);
static int	ChangedSub(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    int objc, Tcl_Obj *const objv[]);
static char *	LinkTrace(ClientData clientData, Tcl_Interp *interp,
		    const char *name1, const char *name2, int flags);
static Tcl_Obj *CacheGet(DbifProxy *proxyPtr, DbifPxMember *propPtr);
static Tcl_ObjCmdProc DbifPxLinkReplyCmd;

/*
 *----------------------------------------------------------------------
 *
 * PropOpNew, PropOpFree --
 *
 *	A record for a property operation that may outlive the command
 *	(it waits for a reply, possibly in a coroutine).
 *
 *----------------------------------------------------------------------
 */

static PropOp *
PropOpNew(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr)
{
    PropOp *opPtr = (PropOp *) ckalloc(sizeof(PropOp));

    memset(opPtr, 0, sizeof(PropOp));
    opPtr->proxyPtr = proxyPtr;
    opPtr->propPtr = propPtr;
    Tcl_Preserve(proxyPtr);
    return opPtr;
}

static void
PropOpFree(
    PropOp *opPtr)
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

    if (objc < 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "subcommand|Method ?arg ...?");
	return TCL_ERROR;
    }
    sub = Tcl_GetString(objv[1]);
    switch (sub[0]) {
    case 'c':
	if (strcmp(sub, "call") == 0) {
	    return CallSub(interp, proxyPtr, objc, objv);
	}
	if (strcmp(sub, "changed") == 0) {
	    return ChangedSub(interp, proxyPtr, objc, objv);
	}
	break;
    case 'd':
	if (strcmp(sub, "describe") == 0) {
	    if (objc != 2) {
		Tcl_WrongNumArgs(interp, 2, objv, NULL);
		return TCL_ERROR;
	    }
	    Tcl_SetObjResult(interp, DbifPxDescribe(proxyPtr->descPtr));
	    return TCL_OK;
	}
	if (strcmp(sub, "destroy") == 0) {
	    if (objc != 2) {
		Tcl_WrongNumArgs(interp, 2, objv, NULL);
		return TCL_ERROR;
	    }
	    if (proxyPtr->token != NULL) {
		Tcl_DeleteCommandFromToken(interp, proxyPtr->token);
	    }
	    return TCL_OK;
	}
	break;
    case 'g':
	if (strcmp(sub, "get") == 0) {
	    return GetSub(interp, proxyPtr, objc, objv);
	}
	if (strcmp(sub, "getall") == 0) {
	    return GetAllSub(interp, proxyPtr, objc, objv);
	}
	break;
    case 'l':
	if (strcmp(sub, "link") == 0) {
	    return LinkSub(interp, proxyPtr, objc, objv);
	}
	break;
    case 'o':
	if (strcmp(sub, "owner") == 0) {
	    if (objc != 2) {
		Tcl_WrongNumArgs(interp, 2, objv, NULL);
		return TCL_ERROR;
	    }
	    Tcl_SetObjResult(interp, proxyPtr->owner);
	    return TCL_OK;
	}
	break;
    case 's':
	if (strcmp(sub, "set") == 0) {
	    return SetSub(interp, proxyPtr, objc, objv);
	}
	break;
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
    Tcl_Obj *const objv[])
{
    Tcl_Obj *nameObj, *typeObj;
    int i;

    for (i = 0; i < memPtr->nIn; i++) {
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
 *	Sends a message; may wait or yield.
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
    DbusPending *pendPtr;
    Tcl_Obj *coroPtr;
    int code;

    memPtr = DbifPxFind(interp, proxyPtr, DBIF_XML_METHOD, intfObj,
	    nameObj);
    if (memPtr == NULL) {
	return TCL_ERROR;
    }
    if (objc != memPtr->nIn) {
	Tcl_Obj *usage = Tcl_ObjPrintf("wrong # args: should be \"%s%s",
		cmdObj ? Tcl_GetString(cmdObj) : "$proxy call",
		cmdObj ? "" : "");
	Tcl_Size i, n;
	Tcl_Obj **names;

	Tcl_AppendPrintfToObj(usage, " %s", Tcl_GetString(memPtr->name));
	Tcl_ListObjGetElements(NULL, memPtr->inNames, &n, &names);
	for (i = 0; i < n; i++) {
	    Tcl_AppendPrintfToObj(usage, " %s", Tcl_GetString(names[i]));
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
    if (DbusMarshalArgs(interp, connPtr, msg, memPtr->inSig, objc, objv)
	    != TCL_OK) {
	DbusMessageRelease(msg);
	return ArgError(interp, connPtr, memPtr, objv);
    }
    code = DbusSend(interp, connPtr, msg, &serial);
    DbusMessageRelease(msg);
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    if (timeout == 0) {
	timeout = INT_MAX;
    }
    if (noReply || (handlerObj != NULL && !DbusIsEmpty(handlerObj))) {
	if (!noReply) {
	    DbusPendingNew(connPtr, serial, DBUS_PENDING_HANDLER, interp,
		    handlerObj, 0, timeout);
	}
	Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
	return TCL_OK;
    }
    coroPtr = DbusInCoroutine(interp);
    if (coroPtr != NULL) {
	pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_CORO, interp,
		coroPtr, 0, timeout);
	Tcl_DecrRefCount(coroPtr);
	Tcl_NRAddCallback(interp, DbusCallResume, pendPtr, INT2PTR(0), NULL,
		NULL);
	return Tcl_NREvalObj(interp, proxyPtr->dataPtr->yieldObj, 0);
    }
    pendPtr = DbusPendingNew(connPtr, serial, DBUS_PENDING_WAIT, interp,
	    NULL, 0, timeout);
    Tcl_Preserve(connPtr);
    DbusWaitReply(pendPtr, 0);
    Tcl_Release(connPtr);
    code = DbusReplyResult(interp, DbusPendingReply(pendPtr), 0);
    DbusPendingFree(pendPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * PropArgs --
 *
 *	Shared parsing of "?-interface name? prop ?more?" for get, set and
 *	link: finds the property and checks its access.
 *
 * Results:
 *	The property or NULL with an error.
 *
 *----------------------------------------------------------------------
 */

static DbifPxMember *
PropArgs(
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
 * CacheGet --
 *
 *	The cached value of a property, or NULL.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
CacheGet(
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
 * GetSub, GetReply --
 *
 *	$p get ?-interface name? prop: from the cache, else with
 *	Properties.Get (the value is cached unless the property is
 *	annotated EmitsChangedSignal=false).
 *
 *----------------------------------------------------------------------
 */

static int
GetReply(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    PropOp *opPtr = (PropOp *) clientData;
    int code = TCL_ERROR;

    if (reply != NULL) {
	code = DbusReplyResult(interp, reply, 0);
	if (code == TCL_OK && !opPtr->proxyPtr->deleted) {
	    DbifPxCacheStore(opPtr->proxyPtr, opPtr->propPtr,
		    Tcl_GetObjResult(interp));
	}
    }
    PropOpFree(opPtr);
    return code;
}

static int
StartGet(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,
    DbifPxStep *step,
    PropOp *opPtr)
{
    DbusConn *connPtr = DbifPxConn(interp, proxyPtr);
    DBusMessage *msg;
    const char *intf = Tcl_GetString(propPtr->intf);
    const char *name = Tcl_GetString(propPtr->name);
    int code;

    if (connPtr == NULL || (msg = DbusNewCall(interp,
	    Tcl_GetString(proxyPtr->dest), Tcl_GetString(proxyPtr->path),
	    DBUS_PROPS_INTERFACE, "Get", intf, name, NULL)) == NULL) {
	PropOpFree(opPtr);
	return TCL_ERROR;
    }
    code = DbifPxAwait(interp, connPtr, msg, proxyPtr->timeout, step,
	    opPtr);
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

    propPtr = PropArgs(interp, proxyPtr, objc, objv, 0, DBIF_XML_READ,
	    "?-interface name? property");
    if (propPtr == NULL) {
	return TCL_ERROR;
    }
    valuePtr = CacheGet(proxyPtr, propPtr);
    if (valuePtr != NULL) {
	Tcl_SetObjResult(interp, valuePtr);
	return TCL_OK;
    }
    return StartGet(interp, proxyPtr, propPtr, GetReply,
	    PropOpNew(proxyPtr, propPtr));
}

/*
 *----------------------------------------------------------------------
 *
 * SetSub, SetReply --
 *
 *	$p set ?-interface name? prop value: Properties.Set with the value
 *	typed from introspection.  The cached value is dropped; the
 *	service's PropertiesChanged (or the next get) brings the new one.
 *
 *----------------------------------------------------------------------
 */

static int
SetReply(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    PropOp *opPtr = (PropOp *) clientData;
    int code = TCL_ERROR;

    if (reply != NULL) {
	code = DbusReplyResult(interp, reply, 0);
	if (!opPtr->proxyPtr->deleted) {
	    DbifPxCacheStore(opPtr->proxyPtr, opPtr->propPtr, NULL);
	}
	if (code == TCL_OK) {
	    Tcl_ResetResult(interp);
	}
    }
    PropOpFree(opPtr);
    return code;
}

static DBusMessage *
NewSet(
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
    args[2] = Tcl_NewListObj(1, &propPtr->inSig);
    Tcl_ListObjAppendElement(NULL, args[2], valuePtr);
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

    propPtr = PropArgs(interp, proxyPtr, objc, objv, 1, DBIF_XML_WRITE,
	    "?-interface name? property value");
    if (propPtr == NULL || (connPtr = DbifPxConn(interp, proxyPtr)) == NULL) {
	return TCL_ERROR;
    }
    msg = NewSet(interp, proxyPtr, connPtr, propPtr, objv[objc - 1]);
    if (msg == NULL) {
	return TCL_ERROR;
    }
    code = DbifPxAwait(interp, connPtr, msg, proxyPtr->timeout, SetReply,
	    PropOpNew(proxyPtr, propPtr));
    DbusMessageRelease(msg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * GetAllSub, GetAllReply --
 *
 *	$p getall ?interface?: a dict of the readable properties, from
 *	the cache when it holds all of them, else from GetAll.
 *
 *----------------------------------------------------------------------
 */

static int
GetAllReply(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    PropOp *opPtr = (PropOp *) clientData;
    int code = TCL_ERROR;

    if (reply != NULL) {
	code = DbusReplyResult(interp, reply, 0);
	if (code == TCL_OK && !opPtr->proxyPtr->deleted) {
	    DbifPxCacheFill(opPtr->proxyPtr, opPtr->intfObj,
		    Tcl_GetObjResult(interp));
	}
    }
    PropOpFree(opPtr);
    return code;
}

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
    PropOp *opPtr;
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
	valuePtr = CacheGet(proxyPtr, memPtr);
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
    opPtr = PropOpNew(proxyPtr, NULL);
    opPtr->intfObj = intfObj;
    Tcl_IncrRefCount(intfObj);
    code = DbifPxAwait(interp, connPtr, msg, proxyPtr->timeout, GetAllReply,
	    opPtr);
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
 *----------------------------------------------------------------------
 *
 * LinkSub, LinkGetReply --
 *
 *	$p link ?-interface name? prop varName: the global variable
 *	varName follows the property; writing it sets the property.  The
 *	variable gets the current value first (from the cache or Get).
 *
 *----------------------------------------------------------------------
 */

static void
LinkSetVar(
    DbifPxLink *linkPtr,
    Tcl_Obj *valuePtr)
{
    Tcl_Interp *interp = linkPtr->proxyPtr->interp;

    linkPtr->setting++;
    if (Tcl_ObjSetVar2(interp, linkPtr->varName, NULL, valuePtr,
	    TCL_GLOBAL_ONLY | TCL_LEAVE_ERR_MSG) == NULL) {
	Tcl_AddErrorInfo(interp, "\n    (updating a variable linked to a "
		"D-Bus property)");
	Tcl_BackgroundException(interp, TCL_ERROR);
    }
    linkPtr->setting--;
}

static int
LinkGetReply(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    PropOp *opPtr = (PropOp *) clientData;
    DbifProxy *proxyPtr = opPtr->proxyPtr;
    int code = TCL_ERROR;

    if (reply != NULL) {
	code = DbusReplyResult(interp, reply, 0);
	if (code == TCL_OK && !proxyPtr->deleted) {
	    Tcl_Obj *valuePtr = Tcl_GetObjResult(interp);

	    Tcl_IncrRefCount(valuePtr);
	    DbifPxCacheStore(proxyPtr, opPtr->propPtr, valuePtr);
	    Tcl_DecrRefCount(valuePtr);
	    Tcl_ResetResult(interp);
	}
    }
    PropOpFree(opPtr);
    return code;
}

static int
LinkSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifPxMember *propPtr;
    DbifPxLink *linkPtr;
    Tcl_Obj *varName = objv[objc - 1], *valuePtr;

    propPtr = PropArgs(interp, proxyPtr, objc, objv, 1, 0,
	    "?-interface name? property varName");
    if (propPtr == NULL) {
	return TCL_ERROR;
    }
    for (linkPtr = proxyPtr->links; linkPtr; linkPtr = linkPtr->nextPtr) {
	if (strcmp(Tcl_GetString(linkPtr->varName),
		Tcl_GetString(varName)) == 0) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("variable \"%s\" is "
		    "already linked", Tcl_GetString(varName)));
	    Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_USAGE, "LINKED",
		    Tcl_GetString(varName), NULL);
	    return TCL_ERROR;
	}
    }
    if (Tcl_FindCommand(interp, LINK_REPLY_CMD, NULL, TCL_GLOBAL_ONLY)
	    == NULL) {
	Tcl_CreateObjCommand(interp, LINK_REPLY_CMD, DbifPxLinkReplyCmd,
		NULL, NULL);
    }
    linkPtr = (DbifPxLink *) ckalloc(sizeof(DbifPxLink));
    memset(linkPtr, 0, sizeof(DbifPxLink));
    linkPtr->proxyPtr = proxyPtr;
    linkPtr->propPtr = propPtr;
    linkPtr->varName = varName;
    Tcl_IncrRefCount(varName);
    linkPtr->nextPtr = proxyPtr->links;
    proxyPtr->links = linkPtr;
    if (Tcl_TraceVar2(interp, Tcl_GetString(varName), NULL,
	    TCL_GLOBAL_ONLY | TCL_TRACE_WRITES | TCL_TRACE_UNSETS, LinkTrace,
	    linkPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    if (!(propPtr->access & DBIF_XML_READ)) {
	return TCL_OK;
    }
    valuePtr = CacheGet(proxyPtr, propPtr);
    if (valuePtr != NULL) {
	LinkSetVar(linkPtr, valuePtr);
	return TCL_OK;
    }
    return StartGet(interp, proxyPtr, propPtr, LinkGetReply,
	    PropOpNew(proxyPtr, propPtr));
}

/*
 *----------------------------------------------------------------------
 *
 * LinkTrace --
 *
 *	Write/unset trace of a linked variable.  A write from Tcl sends
 *	Properties.Set (asynchronously; its reply goes to LinkReply); an
 *	unset ends the link.
 *
 * Results:
 *	NULL (never refuses the write).
 *
 *----------------------------------------------------------------------
 */

static char *
LinkTrace(
    ClientData clientData,
    Tcl_Interp *interp,
    const char *name1,
    const char *name2,
    int flags)
{
    DbifPxLink *linkPtr = (DbifPxLink *) clientData;
    DbifProxy *proxyPtr = linkPtr->proxyPtr;
    DbusConn *connPtr;
    DBusMessage *msg;
    Tcl_Obj *valuePtr, *script, *nameObj;
    dbus_uint32_t serial;
    Tcl_InterpState state;

    (void) name1; (void) name2;
    if (flags & TCL_TRACE_UNSETS) {
	if ((flags & TCL_INTERP_DESTROYED) || proxyPtr->deleted) {
	    return NULL;
	}
	/* re-arm: the link lives as long as the proxy */
	Tcl_TraceVar2(interp, Tcl_GetString(linkPtr->varName), NULL,
		TCL_GLOBAL_ONLY | TCL_TRACE_WRITES | TCL_TRACE_UNSETS,
		LinkTrace, linkPtr);
	return NULL;
    }
    if (linkPtr->setting || proxyPtr->deleted) {
	return NULL;
    }
    state = Tcl_SaveInterpState(interp, TCL_OK);
    valuePtr = Tcl_ObjGetVar2(interp, linkPtr->varName, NULL,
	    TCL_GLOBAL_ONLY);
    connPtr = DbifPxConn(interp, proxyPtr);
    msg = NULL;
    if (valuePtr != NULL && connPtr != NULL) {
	msg = NewSet(interp, proxyPtr, connPtr, linkPtr->propPtr, valuePtr);
    }
    if (msg == NULL || DbusSend(interp, connPtr, msg, &serial) != TCL_OK) {
	Tcl_AddErrorInfo(interp, "\n    (setting a D-Bus property from a "
		"linked variable)");
	Tcl_BackgroundException(interp, TCL_ERROR);
	if (msg != NULL) {
	    DbusMessageRelease(msg);
	}
	Tcl_RestoreInterpState(interp, state);
	valuePtr = CacheGet(proxyPtr, linkPtr->propPtr);
	if (valuePtr != NULL) {
	    LinkSetVar(linkPtr, valuePtr);
	}
	return NULL;
    }
    DbusMessageRelease(msg);
    script = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, script,
	    Tcl_NewStringObj(LINK_REPLY_CMD, -1));
    nameObj = Tcl_NewObj();
    Tcl_GetCommandFullName(interp, proxyPtr->token, nameObj);
    Tcl_ListObjAppendElement(NULL, script, nameObj);
    Tcl_ListObjAppendElement(NULL, script, linkPtr->varName);
    DbusPendingNew(connPtr, serial, DBUS_PENDING_HANDLER, interp, script, 0,
	    proxyPtr->timeout);
    Tcl_RestoreInterpState(interp, state);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxLinkReplyCmd --
 *
 *	::dbus::dbif::LinkReply proxy varName info ?arg ...?: the reply to
 *	a Set sent for a linked variable.  An error goes to bgerror and the
 *	variable returns to the remote value.
 *
 *----------------------------------------------------------------------
 */

static int
DbifPxLinkReplyCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_CmdInfo info;
    DbifProxy *proxyPtr;
    DbifPxLink *linkPtr;
    Tcl_Obj *typeObj, *nameObj, *text = NULL;

    (void) clientData;
    if (objc < 4) {
	Tcl_WrongNumArgs(interp, 1, objv, "proxy varName info ?arg ...?");
	return TCL_ERROR;
    }
    if (!Tcl_GetCommandInfo(interp, Tcl_GetString(objv[1]), &info)
	    || info.objProc != DbifPxObjCmd) {
	return TCL_OK;		/* the proxy is gone */
    }
    proxyPtr = (DbifProxy *) info.objClientData;
    for (linkPtr = proxyPtr->links; linkPtr; linkPtr = linkPtr->nextPtr) {
	if (strcmp(Tcl_GetString(linkPtr->varName),
		Tcl_GetString(objv[2])) == 0) {
	    break;
	}
    }
    if (linkPtr == NULL) {
	return TCL_OK;
    }
    if (Tcl_DictObjGet(NULL, objv[3], Tcl_NewStringObj("messagetype", -1),
	    &typeObj) != TCL_OK || typeObj == NULL
	    || strcmp(Tcl_GetString(typeObj), "error") != 0) {
	/* success: the cached value is stale until PropertiesChanged */
	DbifPxCacheStore(proxyPtr, linkPtr->propPtr, NULL);
	return TCL_OK;
    }
    Tcl_DictObjGet(NULL, objv[3], Tcl_NewStringObj("errorname", -1),
	    &nameObj);
    if (objc > 4) {
	text = objv[4];
    }

    /*
     * Back to the remote value: fetch it (asynchronously) and report.
     */

    if (linkPtr->propPtr->access & DBIF_XML_READ) {
	DbifPxCacheStore(proxyPtr, linkPtr->propPtr, NULL);
	Tcl_Preserve(proxyPtr);
	(void) StartGet(interp, proxyPtr, linkPtr->propPtr, LinkGetReply,
		PropOpNew(proxyPtr, linkPtr->propPtr));
	Tcl_Release(proxyPtr);
    }
    Tcl_SetObjResult(interp, Tcl_ObjPrintf("cannot set property \"%s\" "
	    "from variable \"%s\": %s", Tcl_GetString(linkPtr->propPtr->name),
	    Tcl_GetString(linkPtr->varName), text ? Tcl_GetString(text)
	    : nameObj ? Tcl_GetString(nameObj) : "error"));
    Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_REMOTE,
	    nameObj ? Tcl_GetString(nameObj) : "", NULL);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxLinkUpdate, DbifPxLinksFree --
 *
 *	DbifPxLinkUpdate: a property's cached value changed; linked
 *	variables follow.  DbifPxLinksFree: remove every link (traces).
 *
 *----------------------------------------------------------------------
 */

void
DbifPxLinkUpdate(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,
    Tcl_Obj *valuePtr)		/* the new value (borrowed) */
{
    DbifPxLink *linkPtr;

    for (linkPtr = proxyPtr->links; linkPtr; linkPtr = linkPtr->nextPtr) {
	if (linkPtr->propPtr == propPtr) {
	    LinkSetVar(linkPtr, valuePtr);
	}
    }
}

void
DbifPxLinksFree(
    DbifProxy *proxyPtr)
{
    DbifPxLink *linkPtr;

    while ((linkPtr = proxyPtr->links) != NULL) {
	proxyPtr->links = linkPtr->nextPtr;
	Tcl_UntraceVar2(proxyPtr->interp, Tcl_GetString(linkPtr->varName),
		NULL, TCL_GLOBAL_ONLY | TCL_TRACE_WRITES | TCL_TRACE_UNSETS,
		LinkTrace, linkPtr);
	Tcl_DecrRefCount(linkPtr->varName);
	ckfree((char *) linkPtr);
    }
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
