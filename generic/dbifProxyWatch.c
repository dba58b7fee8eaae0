/*
 * dbifProxyWatch.c --
 *
 *	Client proxies of dbif (EXTENSIONS.md E4), part three: what keeps a
 *	proxy in step with its object.  The PropertiesChanged subscription
 *	that feeds the property cache (and the "changed" script), the owner
 *	watch that drops the cache when the destination vanishes and
 *	refills it when it comes back, "$p on" signal subscriptions, and
 *	variables linked to properties ("$p link").
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifProxy.h"

#define REPLY_CMD	"::dbus::dbif::ProxyReply"

/*
 * The trace of a linked variable.  Its error message (a write to a
 * property that is not writable) is a Tcl_Obj with a reference for Tcl.
 */

#define LINK_TRACE_FLAGS \
    (TCL_GLOBAL_ONLY | TCL_TRACE_WRITES | TCL_TRACE_UNSETS \
    | TCL_TRACE_RESULT_OBJECT)

static char *	LinkTrace(ClientData clientData, Tcl_Interp *interp,
		    const char *name1, const char *name2, int flags);
static const char *GlobalName(Tcl_Obj *varName);
static int	LinkIsArray(Tcl_Interp *interp, Tcl_Obj *varName);
static char *	LinkRefuse(DbifPxLink *linkPtr, Tcl_Obj *errPtr);
static void	LinkRestore(DbifPxLink *linkPtr);
static Tcl_IdleProc LinkResync;
static Tcl_ObjCmdProc ReplyCmd;
static void	ExpectReply(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    DbusConn *connPtr, dbus_uint32_t serial, const char *kind,
		    Tcl_Obj *argObj);
static DbusMessageProc PropsChanged;
static DbusOwnerProc OwnerChanged;

/*
 *----------------------------------------------------------------------
 *
 * GlobalName --
 *
 *	A global variable's name without a leading "::", so that "vol"
 *	and "::vol" (the same variable under TCL_GLOBAL_ONLY) compare
 *	equal.
 *
 * Results:
 *	A pointer into varName's string.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static const char *
GlobalName(
    Tcl_Obj *varName)
{
    const char *name = Tcl_GetString(varName);

    while (name[0] == ':' && name[1] == ':') {
	name += 2;
    }
    return name;
}

/*
 *----------------------------------------------------------------------
 *
 * LinkIsArray --
 *
 *	Whether the global variable varName is an array (which cannot
 *	hold a property's value: its element writes would fire the link's
 *	trace with nothing to read).
 *
 * Results:
 *	1 for an array, else 0 (also when it does not exist).
 *
 * Side effects:
 *	None (the interp's result is kept).
 *
 *----------------------------------------------------------------------
 */

static int
LinkIsArray(
    Tcl_Interp *interp,
    Tcl_Obj *varName)
{
    Tcl_Obj *cmd[3];
    Tcl_InterpState state = Tcl_SaveInterpState(interp, TCL_OK);
    int i, isArray = 0;

    cmd[0] = Tcl_NewStringObj("::array", -1);
    cmd[1] = Tcl_NewStringObj("exists", -1);
    cmd[2] = varName;
    for (i = 0; i < 3; i++) {
	Tcl_IncrRefCount(cmd[i]);
    }
    if (Tcl_EvalObjv(interp, 3, cmd, TCL_EVAL_GLOBAL) == TCL_OK) {
	(void) Tcl_GetBooleanFromObj(NULL, Tcl_GetObjResult(interp),
		&isArray);
    }
    for (i = 0; i < 3; i++) {
	Tcl_DecrRefCount(cmd[i]);
    }
    Tcl_RestoreInterpState(interp, state);
    return isArray;
}

/*
 *----------------------------------------------------------------------
 *
 * LinkSetVar --
 *
 *	Set a linked variable to a property's value without sending it back
 *	(linkPtr->setting tells LinkTrace); an error of the variable's traces
 *	goes to bgerror.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets the global variable (its traces run); the value is kept as
 *	linkPtr->remote (a reference).
 *
 *----------------------------------------------------------------------
 */

static void
LinkSetVar(
    DbifPxLink *linkPtr,
    Tcl_Obj *valuePtr)
{
    Tcl_Interp *interp = linkPtr->proxyPtr->interp;

    Tcl_IncrRefCount(valuePtr);
    if (linkPtr->remote != NULL) {
	Tcl_DecrRefCount(linkPtr->remote);
    }
    linkPtr->remote = valuePtr;
    linkPtr->setting++;
    if (Tcl_ObjSetVar2(interp, linkPtr->varName, NULL, valuePtr,
	    TCL_GLOBAL_ONLY | TCL_LEAVE_ERR_MSG) == NULL) {
	Tcl_AddErrorInfo(interp, "\n    (updating a variable linked to a "
		"D-Bus property)");
	Tcl_BackgroundException(interp, TCL_ERROR);
    }
    linkPtr->setting--;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxLinkSub --
 *
 *	$p link ?-interface name? prop varName: the global variable
 *	varName follows the property; writing it sets the property.  The
 *	variable gets the current value first (from the cache or Get).
 *
 * Results:
 *	DbifPxLinkSub: TCL_OK with an empty result, or TCL_ERROR (wrong #
 *	args, unknown property, a variable already linked {DBUS USAGE LINKED
 *	name}, an array {TCL WRITE VARNAME}, the trace cannot be set, the
 *	Get's error).
 *
 * Side effects:
 *	A link record (owned by the proxy's list, freed by DbifPxLinksFree)
 *	holding the variable name, and a write/unset trace on the variable;
 *	the variable gets the cached value, or a Get is sent (waits, or yields
 *	inside a coroutine) whose value goes to the cache and the variable.
 *	DbifPxOpReply takes the Get's reply.
 *
 *----------------------------------------------------------------------
 */

int
DbifPxLinkSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifPxMember *propPtr;
    DbifPxLink *linkPtr;
    Tcl_Obj *varName = objv[objc - 1], *valuePtr;

    propPtr = DbifPxPropArgs(interp, proxyPtr, objc, objv, 1, 0,
	    "?-interface name? property varName");
    if (propPtr == NULL) {
	return TCL_ERROR;
    }
    for (linkPtr = proxyPtr->links; linkPtr; linkPtr = linkPtr->nextPtr) {
	if (strcmp(GlobalName(linkPtr->varName),
		GlobalName(varName)) == 0) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("variable \"%s\" is "
		    "already linked", Tcl_GetString(varName)));
	    Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_USAGE, "LINKED",
		    Tcl_GetString(varName), NULL);
	    return TCL_ERROR;
	}
    }
    if (LinkIsArray(interp, varName)) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("can't link \"%s\": "
		"variable is array", Tcl_GetString(varName)));
	Tcl_SetErrorCode(interp, "TCL", "WRITE", "VARNAME", NULL);
	return TCL_ERROR;
    }
    linkPtr = (DbifPxLink *) ckalloc(sizeof(DbifPxLink));
    memset(linkPtr, 0, sizeof(DbifPxLink));
    linkPtr->proxyPtr = proxyPtr;
    linkPtr->propPtr = propPtr;
    linkPtr->varName = varName;
    Tcl_IncrRefCount(varName);
    if (Tcl_TraceVar2(interp, Tcl_GetString(varName), NULL,
	    LINK_TRACE_FLAGS, LinkTrace, linkPtr) != TCL_OK) {
	/* such as an element of a scalar: no link is left behind */
	Tcl_DecrRefCount(varName);
	ckfree((char *) linkPtr);
	return TCL_ERROR;
    }
    linkPtr->nextPtr = proxyPtr->links;
    proxyPtr->links = linkPtr;
    if (!(propPtr->access & DBIF_XML_READ)) {
	return TCL_OK;
    }
    valuePtr = DbifPxCacheGet(proxyPtr, propPtr);
    if (valuePtr != NULL) {
	LinkSetVar(linkPtr, valuePtr);
	return TCL_OK;
    }
    return DbifPxStartGet(interp, DbifPxOpNew(proxyPtr, propPtr,
	    DBIF_PX_OP_LINK));
}

/*
 *----------------------------------------------------------------------
 *
 * LinkRefuse --
 *
 *	A script wrote a variable linked to a property that is not
 *	writable (errPtr NULL), or a value that does not fit the
 *	property's type (errPtr: the message of "$p set"): nothing is
 *	sent, the variable gets the remote value back (the cached one,
 *	else the one the link last gave it), and the write fails with the
 *	message "$p set" gives.  (Tcl gives the failing "set" the error
 *	code {TCL WRITE VARNAME}; "$p set" raises {DBUS ACCESS WRITE name}
 *	or {DBUS VALUE type value}.)  The value is put back inside the
 *	variable's own trace, where no other trace runs, so the variable's
 *	other traces (a Tk widget's -variable or -textvariable, which
 *	shows what it wrote) hear of it from an idle call (LinkResync).
 *
 * Results:
 *	The error message, a Tcl_Obj with a reference for Tcl (returned by
 *	the trace with TCL_TRACE_RESULT_OBJECT).
 *
 * Side effects:
 *	See LinkRestore.
 *
 *----------------------------------------------------------------------
 */

static char *
LinkRefuse(
    DbifPxLink *linkPtr,
    Tcl_Obj *errPtr)		/* the message, or NULL: not writable;
				 * borrowed */
{
    DbifPxMember *propPtr = linkPtr->propPtr;

    LinkRestore(linkPtr);
    if (errPtr == NULL) {
	errPtr = Tcl_ObjPrintf("property \"%s\" of %s is not writable",
		Tcl_GetString(propPtr->name), Tcl_GetString(propPtr->intf));
    }
    Tcl_IncrRefCount(errPtr);
    return (char *) errPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * LinkRestore --
 *
 *	Inside the trace of a write that is not sent: put the remote value
 *	back (the cached one, else the one the link last gave the
 *	variable) and have the variable's other traces hear of it at the
 *	next idle point (LinkResync): while a trace of a variable runs, a
 *	write of it runs no trace.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets the variable; queues LinkResync (once while it is queued).
 *
 *----------------------------------------------------------------------
 */

static void
LinkRestore(
    DbifPxLink *linkPtr)
{
    DbifProxy *proxyPtr = linkPtr->proxyPtr;
    Tcl_Obj *valuePtr = DbifPxCacheGet(proxyPtr, linkPtr->propPtr);

    if (valuePtr == NULL) {
	valuePtr = linkPtr->remote;
    }
    if (valuePtr == NULL) {
	return;
    }
    linkPtr->setting++;
    Tcl_ObjSetVar2(proxyPtr->interp, linkPtr->varName, NULL, valuePtr,
	    TCL_GLOBAL_ONLY);
    linkPtr->setting--;
    if (!linkPtr->resync) {
	linkPtr->resync = 1;
	Tcl_DoWhenIdle(LinkResync, linkPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * LinkResync --
 *
 *	Idle call after a refused write (LinkRefuse): set the variable to
 *	the remote value once more, now with its traces, so that a widget
 *	showing the value it tried to write shows the remote one again.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See LinkSetVar (nothing is sent).  Cancelled by DbifPxLinksFree.
 *
 *----------------------------------------------------------------------
 */

static void
LinkResync(
    ClientData clientData)	/* the link */
{
    DbifPxLink *linkPtr = (DbifPxLink *) clientData;
    DbifProxy *proxyPtr = linkPtr->proxyPtr;
    Tcl_Obj *valuePtr;
    Tcl_InterpState state;

    linkPtr->resync = 0;
    if (proxyPtr->deleted) {
	return;
    }
    valuePtr = DbifPxCacheGet(proxyPtr, linkPtr->propPtr);
    if (valuePtr == NULL) {
	valuePtr = linkPtr->remote;
    }
    if (valuePtr != NULL) {
	state = Tcl_SaveInterpState(proxyPtr->interp, TCL_OK);
	LinkSetVar(linkPtr, valuePtr);
	Tcl_RestoreInterpState(proxyPtr->interp, state);
    }
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
 *	NULL, or (a write to a property that is not writable, or of a value
 *	that does not fit the property's type) the error message as a
 *	Tcl_Obj with a reference for Tcl (LinkRefuse).
 *
 * Side effects:
 *	A write sends Properties.Set without waiting (its reply goes to
 *	ReplyCmd through ExpectReply); a Set that cannot be sent (not
 *	connected) goes to bgerror and the variable gets the remote value
 *	back (LinkRestore).  An unset puts
 *	the trace back (the link lives as long as the proxy).  The interp's
 *	state is saved and restored around it.
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
    Tcl_Obj *valuePtr;
    dbus_uint32_t serial;
    Tcl_InterpState state;

    (void) name1; (void) name2;
    if (flags & TCL_TRACE_UNSETS) {
	if ((flags & TCL_INTERP_DESTROYED) || proxyPtr->deleted) {
	    return NULL;
	}
	/* re-arm: the link lives as long as the proxy */
	Tcl_TraceVar2(interp, Tcl_GetString(linkPtr->varName), NULL,
		LINK_TRACE_FLAGS, LinkTrace, linkPtr);
	return NULL;
    }
    if (linkPtr->setting || proxyPtr->deleted) {
	return NULL;
    }
    if (!(linkPtr->propPtr->access & DBIF_XML_WRITE)) {
	return LinkRefuse(linkPtr, NULL);
    }
    state = Tcl_SaveInterpState(interp, TCL_OK);
    valuePtr = Tcl_ObjGetVar2(interp, linkPtr->varName, NULL,
	    TCL_GLOBAL_ONLY | TCL_LEAVE_ERR_MSG);
    connPtr = DbifPxConn(interp, proxyPtr);
    msg = NULL;
    if (valuePtr != NULL && connPtr != NULL) {
	msg = DbifPxNewSet(interp, proxyPtr, connPtr, linkPtr->propPtr,
		valuePtr);
	if (msg == NULL) {
	    /* a value that does not fit: the writer's error, as above */
	    Tcl_Obj *errPtr = Tcl_GetObjResult(interp);
	    char *result;

	    Tcl_IncrRefCount(errPtr);
	    Tcl_RestoreInterpState(interp, state);
	    result = LinkRefuse(linkPtr, errPtr);
	    Tcl_DecrRefCount(errPtr);
	    return result;
	}
    }
    if (msg == NULL || DbusSend(interp, connPtr, msg, &serial) != TCL_OK) {
	Tcl_AddErrorInfo(interp, "\n    (setting a D-Bus property from a "
		"linked variable)");
	Tcl_BackgroundException(interp, TCL_ERROR);
	if (msg != NULL) {
	    DbusMessageRelease(msg);
	}
	Tcl_RestoreInterpState(interp, state);
	LinkRestore(linkPtr);
	return NULL;
    }
    DbusMessageRelease(msg);
    ExpectReply(interp, proxyPtr, connPtr, serial, "link", linkPtr->varName);
    Tcl_RestoreInterpState(interp, state);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * ExpectReply --
 *
 *	Have the reply of a call sent for a proxy in the background go to
 *	REPLY_CMD (as a -handler script naming the proxy, so that a proxy
 *	deleted meanwhile is simply not found).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	A pending-call record.
 *
 *----------------------------------------------------------------------
 */

static void
ExpectReply(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    DbusConn *connPtr,
    dbus_uint32_t serial,
    const char *kind,		/* "link", "get" or "getall" */
    Tcl_Obj *argObj)		/* variable name, {interface property}
				 * or interface */
{
    Tcl_Obj *script = Tcl_NewListObj(0, NULL), *nameObj = Tcl_NewObj();

    if (Tcl_FindCommand(interp, REPLY_CMD, NULL, TCL_GLOBAL_ONLY) == NULL) {
	Tcl_CreateObjCommand(interp, REPLY_CMD, ReplyCmd, NULL, NULL);
    }
    Tcl_ListObjAppendElement(NULL, script, Tcl_NewStringObj(REPLY_CMD, -1));
    Tcl_GetCommandFullName(interp, proxyPtr->token, nameObj);
    Tcl_ListObjAppendElement(NULL, script, nameObj);
    Tcl_ListObjAppendElement(NULL, script, Tcl_NewStringObj(kind, -1));
    Tcl_ListObjAppendElement(NULL, script, argObj);
    DbusPendingNew(connPtr, serial, DBUS_PENDING_HANDLER, interp, script,
	    DBUS_FLAG_DETAILS, proxyPtr->timeout);
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyCmd --
 *
 *	::dbus::dbif::ProxyReply proxy kind arg info ?arg ...?: the reply to
 *	a call a proxy sent in the background.  Kind "link": the Set of a
 *	linked variable; an error goes to bgerror and the variable returns
 *	to the remote value.  Kind "getall": refilling the cache of
 *	interface arg after the destination reappeared.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (a refused Set) for bgerror.
 *
 * Side effects:
 *	"get" stores the value in the cache; "getall" reports the values
 *	through "changed"; a Set of a linked variable drops the cached
 *	value, and when it was refused, a Get brings the variable back to
 *	the remote value and the error is given for bgerror.
 *
 *----------------------------------------------------------------------
 */

static int
ReplyCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_CmdInfo info;
    DbifProxy *proxyPtr;
    DbifPxLink *linkPtr;
    Tcl_Obj *typeObj, *nameObj = NULL, *text = NULL;
    int isError;

    (void) clientData;
    if (objc < 5) {
	Tcl_WrongNumArgs(interp, 1, objv, "proxy kind arg info ?arg ...?");
	return TCL_ERROR;
    }
    if (!Tcl_GetCommandInfo(interp, Tcl_GetString(objv[1]), &info)
	    || info.objProc != DbifPxObjCmd) {
	return TCL_OK;		/* the proxy is gone */
    }
    proxyPtr = (DbifProxy *) info.objClientData;
    isError = Tcl_DictObjGet(NULL, objv[4], Tcl_NewStringObj("messagetype",
	    -1), &typeObj) == TCL_OK && typeObj != NULL
	    && strcmp(Tcl_GetString(typeObj), "error") == 0;
    if (strcmp(Tcl_GetString(objv[2]), "get") == 0) {
	Tcl_Obj *intfObj, *nameObj2;
	DbifPxMember *propPtr;

	if (!isError && objc > 5 && Tcl_ListObjIndex(NULL, objv[3], 0,
		&intfObj) == TCL_OK && Tcl_ListObjIndex(NULL, objv[3], 1,
		&nameObj2) == TCL_OK && intfObj && nameObj2
		&& (propPtr = DbifPxFind(NULL, proxyPtr, DBIF_XML_PROPERTY,
		    intfObj, nameObj2)) != NULL) {
	    Tcl_Obj *plainObj = DbifPxReceived(proxyPtr, propPtr, objv[5]);

	    Tcl_IncrRefCount(plainObj);
	    DbifPxCacheStore(proxyPtr, propPtr, plainObj);
	    Tcl_DecrRefCount(plainObj);
	}
	return TCL_OK;
    }
    if (strcmp(Tcl_GetString(objv[2]), "getall") == 0) {
	if (!isError && objc > 5) {
	    Tcl_Obj *empty = Tcl_NewObj(), *plainDict;

	    Tcl_IncrRefCount(empty);
	    plainDict = DbifPxReceivedDict(proxyPtr, objv[3], objv[5]);
	    Tcl_IncrRefCount(plainDict);
	    DbifPxChanged(proxyPtr, objv[3], plainDict, empty);
	    Tcl_DecrRefCount(plainDict);
	    Tcl_DecrRefCount(empty);
	}
	return TCL_OK;
    }
    for (linkPtr = proxyPtr->links; linkPtr; linkPtr = linkPtr->nextPtr) {
	if (strcmp(Tcl_GetString(linkPtr->varName),
		Tcl_GetString(objv[3])) == 0) {
	    break;
	}
    }
    if (linkPtr == NULL) {
	return TCL_OK;
    }
    if (!isError) {
	/* success: the cached value is stale until PropertiesChanged */
	DbifPxCacheStore(proxyPtr, linkPtr->propPtr, NULL);
	return TCL_OK;
    }
    Tcl_DictObjGet(NULL, objv[4], Tcl_NewStringObj("errorname", -1),
	    &nameObj);
    if (objc > 5) {
	text = objv[5];
    }

    /*
     * Back to the remote value, and report.
     */

    if (linkPtr->propPtr->access & DBIF_XML_READ) {
	DbifPxCacheStore(proxyPtr, linkPtr->propPtr, NULL);
	Tcl_Preserve(proxyPtr);
	(void) DbifPxStartGet(interp, DbifPxOpNew(proxyPtr,
		linkPtr->propPtr, DBIF_PX_OP_LINK));
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
 * Results:
 *	None.
 *
 * Side effects:
 *	DbifPxLinkUpdate sets the linked variables of the property
 *	(LinkSetVar).  DbifPxLinksFree removes every link's trace and
 *	queued LinkResync, releases its variable name and remote value and
 *	frees it.
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
		NULL, LINK_TRACE_FLAGS, LinkTrace, linkPtr);
	if (linkPtr->resync) {
	    Tcl_CancelIdleCall(LinkResync, linkPtr);
	}
	Tcl_DecrRefCount(linkPtr->varName);
	if (linkPtr->remote != NULL) {
	    Tcl_DecrRefCount(linkPtr->remote);
	}
	ckfree((char *) linkPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxChanged --
 *
 *	Run the proxy's "changed" script, if any, as {*}script interface
 *	changed invalidated, at global level; errors go to bgerror.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Whatever the script does (it may destroy the proxy: callers hold
 *	a Tcl_Preserve).
 *
 *----------------------------------------------------------------------
 */

void
DbifPxChanged(
    DbifProxy *proxyPtr,
    Tcl_Obj *intfObj,
    Tcl_Obj *changedPtr,	/* dict name -> value */
    Tcl_Obj *invalidPtr)	/* list of names */
{
    Tcl_Interp *interp = proxyPtr->interp;
    Tcl_Obj *cmdPtr;
    int code;

    if (proxyPtr->changed == NULL || proxyPtr->deleted) {
	return;
    }
    cmdPtr = Tcl_DuplicateObj(proxyPtr->changed);
    Tcl_IncrRefCount(cmdPtr);
    if (Tcl_ListObjAppendElement(interp, cmdPtr, intfObj) != TCL_OK
	    || Tcl_ListObjAppendElement(interp, cmdPtr, changedPtr) != TCL_OK
	    || Tcl_ListObjAppendElement(interp, cmdPtr, invalidPtr)
		!= TCL_OK) {
	code = TCL_ERROR;
    } else {
	Tcl_Preserve(interp);
	code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
	Tcl_Release(interp);
    }
    Tcl_DecrRefCount(cmdPtr);
    if (code == TCL_ERROR) {
	Tcl_AddErrorInfo(interp, "\n    (proxy \"changed\" script)");
	Tcl_BackgroundException(interp, code);
    }
    Tcl_ResetResult(interp);
}

/*
 *----------------------------------------------------------------------
 *
 * PropsChanged --
 *
 *	Subscription proc for the object's PropertiesChanged: the cache
 *	takes the new values and forgets the invalidated ones (linked
 *	variables of those are refreshed with a Get), then the "changed"
 *	script runs.
 *
 * Results:
 *	TCL_OK.
 *
 * Side effects:
 *	Updates the cache (linked variables follow), sends a Get for each
 *	linked invalidated property (reply to ReplyCmd), runs the "changed"
 *	script; the proxy is preserved meanwhile.
 *
 *----------------------------------------------------------------------
 */

static int
PropsChanged(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifProxy *proxyPtr = (DbifProxy *) clientData;
    Tcl_Obj *argsPtr, **av, **names, *pair[2], *changedPtr;
    Tcl_Size ac, n, i;
    DbifPxLink *linkPtr;
    DbifPxMember *propPtr;

    if (proxyPtr->deleted || proxyPtr->descPtr == NULL
	    || strcmp(DbusMessageField(msg, DBUS_FIELD_SIGNATURE), "sa{sv}as")
		!= 0) {
	return TCL_OK;
    }
    argsPtr = DbifDetailsArgs(interp, msg, &ac, &av);
    if (argsPtr == NULL) {
	return TCL_OK;
    }
    if (proxyPtr->intf != NULL && strcmp(Tcl_GetString(proxyPtr->intf),
	    Tcl_GetString(av[0])) != 0) {
	Tcl_DecrRefCount(argsPtr);
	return TCL_OK;
    }
    Tcl_Preserve(proxyPtr);
    changedPtr = DbifPxReceivedDict(proxyPtr, av[0], av[1]);
    Tcl_IncrRefCount(changedPtr);
    Tcl_ListObjGetElements(NULL, av[2], &n, &names);
    for (i = 0; i < n; i++) {
	propPtr = DbifPxFind(NULL, proxyPtr, DBIF_XML_PROPERTY, av[0],
		names[i]);
	if (propPtr == NULL) {
	    continue;
	}
	DbifPxCacheStore(proxyPtr, propPtr, NULL);
	for (linkPtr = proxyPtr->links; linkPtr; linkPtr = linkPtr->nextPtr) {
	    DBusMessage *get;
	    dbus_uint32_t serial;
	    const char *intf = Tcl_GetString(av[0]);
	    const char *name = Tcl_GetString(names[i]);

	    if (linkPtr->propPtr != propPtr || proxyPtr->token == NULL) {
		continue;
	    }
	    get = DbusNewCall(interp, Tcl_GetString(proxyPtr->dest),
		    Tcl_GetString(proxyPtr->path), DBUS_PROPS_INTERFACE, "Get",
		    intf, name, NULL);
	    if (get != NULL
		    && DbusSend(interp, connPtr, get, &serial) == TCL_OK) {
		pair[0] = av[0];
		pair[1] = names[i];
		ExpectReply(interp, proxyPtr, connPtr, serial, "get",
			Tcl_NewListObj(2, pair));
	    }
	    if (get != NULL) {
		DbusMessageRelease(get);
	    }
	    Tcl_ResetResult(interp);
	    break;
	}
    }
    DbifPxChanged(proxyPtr, av[0], changedPtr, av[2]);
    Tcl_DecrRefCount(changedPtr);
    Tcl_Release(proxyPtr);
    Tcl_DecrRefCount(argsPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ReadableInterfaces --
 *
 *	The interfaces of the proxy's object that have readable
 *	properties (the proxy's own interface only, when it has one;
 *	never org.freedesktop.DBus.Properties), in description order.
 *
 * Results:
 *	A new list (refcount 0); its elements are the description's
 *	interface names (shared).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
ReadableInterfaces(
    DbifProxy *proxyPtr)
{
    Tcl_Obj *intfs = Tcl_NewObj(), **iv;
    DbifPxMember *memPtr;
    Tcl_Size ni;

    for (memPtr = proxyPtr->descPtr->members; memPtr;
	    memPtr = memPtr->nextPtr) {
	Tcl_Obj *last = NULL;

	if (memPtr->kind != DBIF_XML_PROPERTY
		|| !(memPtr->access & DBIF_XML_READ)
		|| strcmp(Tcl_GetString(memPtr->intf), DBUS_PROPS_INTERFACE)
		    == 0
		|| (proxyPtr->intf != NULL && strcmp(Tcl_GetString(
		    proxyPtr->intf), Tcl_GetString(memPtr->intf)) != 0)) {
	    continue;
	}
	Tcl_ListObjGetElements(NULL, intfs, &ni, &iv);
	if (ni > 0) {
	    last = iv[ni - 1];
	}
	if (last == NULL || strcmp(Tcl_GetString(last),
		Tcl_GetString(memPtr->intf)) != 0) {
	    Tcl_ListObjAppendElement(NULL, intfs, memPtr->intf);
	}
    }
    return intfs;
}

/*
 *----------------------------------------------------------------------
 *
 * InvalidateAll --
 *
 *	The destination's owner went: everything the proxy knew of the
 *	interfaces intfs is gone.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Drops the cached values of their readable properties and runs the
 *	"changed" script once per interface with all of them invalidated
 *	(stopping when a script destroys the proxy).
 *
 *----------------------------------------------------------------------
 */

static void
InvalidateAll(
    DbifProxy *proxyPtr,	/* preserved by the caller */
    Tcl_Obj *intfs)		/* list of interface names; borrowed */
{
    DbifPxMember *memPtr;
    Tcl_Obj **iv;
    Tcl_Size ni, i;

    Tcl_ListObjGetElements(NULL, intfs, &ni, &iv);
    for (i = 0; i < ni && !proxyPtr->deleted; i++) {
	Tcl_Obj *names = Tcl_NewObj(), *empty = Tcl_NewObj();

	Tcl_IncrRefCount(names);
	Tcl_IncrRefCount(empty);
	for (memPtr = proxyPtr->descPtr->members; memPtr;
		memPtr = memPtr->nextPtr) {
	    if (memPtr->kind == DBIF_XML_PROPERTY
		    && (memPtr->access & DBIF_XML_READ)
		    && strcmp(Tcl_GetString(memPtr->intf),
			Tcl_GetString(iv[i])) == 0) {
		DbifPxCacheStore(proxyPtr, memPtr, NULL);
		Tcl_ListObjAppendElement(NULL, names, memPtr->name);
	    }
	}
	DbifPxChanged(proxyPtr, iv[i], empty, names);
	Tcl_DecrRefCount(names);
	Tcl_DecrRefCount(empty);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * RefillAll --
 *
 *	A (new) owner of the destination: fill the cache again, one
 *	GetAll per interface, without waiting.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sends the calls; their replies go to ReplyCmd ("getall"), which
 *	reports the values through "changed".  A call that cannot be sent
 *	is dropped (the interp result is reset).
 *
 *----------------------------------------------------------------------
 */

static void
RefillAll(
    DbifProxy *proxyPtr,	/* preserved by the caller */
    DbusConn *connPtr,
    Tcl_Obj *intfs)		/* list of interface names; borrowed */
{
    Tcl_Interp *interp = proxyPtr->interp;
    Tcl_Obj **iv;
    Tcl_Size ni, i;

    Tcl_ListObjGetElements(NULL, intfs, &ni, &iv);
    for (i = 0; i < ni; i++) {
	DBusMessage *msg = DbusNewCall(interp,
		Tcl_GetString(proxyPtr->dest), Tcl_GetString(proxyPtr->path),
		DBUS_PROPS_INTERFACE, "GetAll", Tcl_GetString(iv[i]), NULL);
	dbus_uint32_t serial;

	if (msg != NULL
		&& DbusSend(interp, connPtr, msg, &serial) == TCL_OK) {
	    ExpectReply(interp, proxyPtr, connPtr, serial, "getall", iv[i]);
	}
	if (msg != NULL) {
	    DbusMessageRelease(msg);
	}
	Tcl_ResetResult(interp);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerChanged --
 *
 *	Owner watch of the destination.  When the owner goes, the cache is
 *	dropped and "changed" reports every readable property of each
 *	interface invalidated; when a (new) owner comes, the cache is
 *	refilled with GetAll (its replies go to ReplyCmd, which reports
 *	the values through "changed").
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Keeps the new owner (DbifPxSetOwner); the cache is emptied and
 *	"changed" runs for each interface with readable properties (all of
 *	them invalidated) when the owner goes; a GetAll per such interface is
 *	sent (replies to ReplyCmd) when an owner comes.  At the end of the
 *	watch (newOwner NULL) proxyPtr->ownerWatch is cleared.
 *
 *----------------------------------------------------------------------
 */

static void
OwnerChanged(
    ClientData clientData,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldOwner,
    Tcl_Obj *newOwner)
{
    DbifProxy *proxyPtr = (DbifProxy *) clientData;
    Tcl_Obj *intfs;
    int hadOwner;

    (void) nameObj;
    if (newOwner == NULL) {
	proxyPtr->ownerWatch = NULL;	/* freed by the core now */
	return;
    }
    if (proxyPtr->deleted || proxyPtr->descPtr == NULL
	    || strcmp(Tcl_GetString(proxyPtr->owner),
		Tcl_GetString(newOwner)) == 0) {
	if (!proxyPtr->deleted) {
	    DbifPxSetOwner(proxyPtr, Tcl_GetString(newOwner));
	}
	return;
    }
    (void) oldOwner;
    Tcl_Preserve(proxyPtr);
    hadOwner = Tcl_GetCharLength(proxyPtr->owner) > 0;
    DbifPxSetOwner(proxyPtr, Tcl_GetString(newOwner));
    intfs = ReadableInterfaces(proxyPtr);
    Tcl_IncrRefCount(intfs);
    if (hadOwner) {
	InvalidateAll(proxyPtr, intfs);
    }
    if (Tcl_GetCharLength(newOwner) > 0 && proxyPtr->cache
	    && !proxyPtr->deleted && proxyPtr->token != NULL) {
	RefillAll(proxyPtr, connPtr, intfs);
    }
    Tcl_DecrRefCount(intfs);
    Tcl_Release(proxyPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifSubscribeObject --
 *
 *	Subscribe (E1) to a signal sent by dest: from the object path
 *	(pathKey "path") or from any object below it ("path_namespace";
 *	below "/" that is every object).  A well-known dest matches its
 *	current owner.  Used by proxies and by "dbif objects".
 *
 * Results:
 *	TCL_OK with the subscription id appended to subsObj (and in
 *	*idPtr when not NULL), or TCL_ERROR: the rule could not be built
 *	{DBUS INVALID MATCH member}, or the subscription failed.
 *
 * Side effects:
 *	A subscription (ended by DbifUnsubscribeAll of subsObj); the
 *	rule's AddMatch goes to the bus.
 *
 *----------------------------------------------------------------------
 */

int
DbifSubscribeObject(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *destObj,		/* borrowed */
    const char *pathKey,	/* "path" or "path_namespace" */
    Tcl_Obj *pathObj,		/* borrowed */
    const char *intf,
    const char *member,
    Tcl_Obj *script,		/* command prefix or NULL */
    DbusMessageProc *proc,	/* when script is NULL */
    ClientData clientData,	/* for proc */
    Tcl_Obj *subsObj,		/* list of ids; unshared, appended to */
    Tcl_WideInt *idPtr)		/* out, or NULL */
{
    DbusMatchRule *rulePtr = DbusMatchNew();
    DbusSubscription *subPtr;
    const char *err = NULL;
    const char *dest = Tcl_GetString(destObj);
    const char *path = Tcl_GetString(pathObj);

    if (strcmp(pathKey, "path_namespace") == 0 && strcmp(path, "/") == 0) {
	pathKey = NULL;		/* everything is below / */
    }
    if (rulePtr == NULL
	    || !DbusMatchSet(rulePtr, "sender", 6, dest, strlen(dest), &err)
	    || (pathKey != NULL && !DbusMatchSet(rulePtr, pathKey,
		strlen(pathKey), path, strlen(path), &err))
	    || !DbusMatchSet(rulePtr, "interface", 9, intf, strlen(intf),
		&err)
	    || !DbusMatchSet(rulePtr, "member", 6, member, strlen(member),
		&err)) {
	if (rulePtr != NULL) {
	    DbusMatchFree(rulePtr);
	}
	return DbusError(interp, DBUS_EC_INVALID, "MATCH", member, "%s",
		err ? err : "out of memory");
    }
    subPtr = DbusSubscribe(interp, connPtr, rulePtr, 0, script, proc,
	    clientData);
    if (subPtr == NULL) {
	return TCL_ERROR;
    }
    if (idPtr != NULL) {
	*idPtr = DbusSubscriptionId(subPtr);
    }
    Tcl_ListObjAppendElement(NULL, subsObj,
	    Tcl_NewWideIntObj(DbusSubscriptionId(subPtr)));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxWatchStart, DbifPxWatchStop --
 *
 *	Start: before anything is read from the object, subscribe to its
 *	PropertiesChanged (when caching) and watch the destination's owner
 *	(race-free order).  Stop: end every subscription of the proxy and
 *	the owner watch (idempotent).
 *
 * Results:
 *	DbifPxWatchStart: TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	DbifPxWatchStart subscribes (ids kept in proxyPtr->subs) and watches
 *	the owner (proxyPtr->ownerWatch; none on a peer-to-peer connection).
 *	DbifPxWatchStop ends both.
 *
 *----------------------------------------------------------------------
 */

int
DbifPxWatchStart(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    DbusConn *connPtr)
{
    if (proxyPtr->cache && DbifSubscribeObject(interp, connPtr,
	    proxyPtr->dest, "path", proxyPtr->path, DBUS_PROPS_INTERFACE,
	    "PropertiesChanged", NULL, PropsChanged, proxyPtr,
	    proxyPtr->subs, NULL) != TCL_OK) {
	return TCL_ERROR;
    }
    if (!(DbusConnFlags(connPtr) & DBUS_CONN_PEER)) {
	proxyPtr->ownerWatch = DbusBusWatchOwner(connPtr,
		Tcl_GetString(proxyPtr->dest), OwnerChanged, proxyPtr);
    }
    return TCL_OK;
}

void
DbifPxWatchStop(
    DbifProxy *proxyPtr)
{
    if (proxyPtr->ownerWatch != NULL) {
	DbusBusUnwatchOwner((DbusOwnerWatch *) proxyPtr->ownerWatch);
	proxyPtr->ownerWatch = NULL;
    }
    DbifUnsubscribeAll(proxyPtr->interp, proxyPtr->handle, proxyPtr->subs);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifUnsubscribeAll --
 *
 *	End every subscription whose id is in the list subsObj, made in
 *	interp on the connection handle (ids that no longer exist are
 *	skipped), then empty the list.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Subscriptions and their bus match rules are released; subsObj
 *	(owned by the caller, unshared) is set to the empty list.  The
 *	interp's result and error state are left as they were.
 *
 *----------------------------------------------------------------------
 */

void
DbifUnsubscribeAll(
    Tcl_Interp *interp,
    Tcl_Obj *handle,		/* Connection handle; borrowed. */
    Tcl_Obj *subsObj)		/* List of subscription ids; borrowed. */
{
    DbusConn *connPtr;
    Tcl_Obj **ids;
    Tcl_Size n, i;
    Tcl_InterpState state;

    Tcl_ListObjGetElements(NULL, subsObj, &n, &ids);
    if (n == 0) {
	return;
    }
    state = Tcl_SaveInterpState(interp, TCL_OK);
    if (DbusGetConn(interp, handle, &connPtr) == TCL_OK) {
	for (i = 0; i < n; i++) {
	    Tcl_WideInt id;
	    DbusSubscription *subPtr;

	    if (Tcl_GetWideIntFromObj(NULL, ids[i], &id) == TCL_OK
		    && (subPtr = DbusSubscriptionFind(connPtr, interp, id))
		    != NULL) {
		DbusUnsubscribe(subPtr);
	    }
	}
    }
    Tcl_RestoreInterpState(interp, state);
    Tcl_SetListObj(subsObj, 0, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxOnSub --
 *
 *	$p on ?-interface name? signal script: a subscription (E1) to a
 *	signal of the object, restricted to the proxy's destination and
 *	path; script runs as {*}script info ?arg ...?.  Ends with the proxy
 *	or "dbus unsubscribe".
 *
 * Results:
 *	The subscription id.
 *
 * Side effects:
 *	A subscription of the proxy (its id in proxyPtr->subs): the script
 *	runs at global level for each matching signal until the proxy is
 *	destroyed or the subscription is ended.
 *
 *----------------------------------------------------------------------
 */

int
DbifPxOnSub(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifPxMember *sigPtr;
    DbusConn *connPtr;
    Tcl_Obj *intfObj = NULL;
    Tcl_WideInt id;
    int i = 2;

    if (objc > 2 && strcmp(Tcl_GetString(objv[2]), "-interface") == 0) {
	if (objc < 4) {
	    Tcl_WrongNumArgs(interp, 2, objv,
		    "?-interface name? signal script");
	    return TCL_ERROR;
	}
	intfObj = objv[3];
	i = 4;
    }
    if (objc - i != 2) {
	Tcl_WrongNumArgs(interp, 2, objv, "?-interface name? signal script");
	return TCL_ERROR;
    }
    sigPtr = DbifPxFind(interp, proxyPtr, DBIF_XML_SIGNAL, intfObj, objv[i]);
    if (sigPtr == NULL || (connPtr = DbifPxConn(interp, proxyPtr)) == NULL
	    || DbifSubscribeObject(interp, connPtr, proxyPtr->dest, "path",
		proxyPtr->path, Tcl_GetString(sigPtr->intf),
		Tcl_GetString(sigPtr->name), objv[i + 1], NULL, NULL,
		proxyPtr->subs, &id) != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, Tcl_NewWideIntObj(id));
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
