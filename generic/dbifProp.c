/*
 * dbifProp.c --
 *
 *	dbif properties (reference 4.12, 4.14, 4.16; DECISIONS rules 14
 *	and 17): "dbif property", the variable traces behind automatic
 *	PropertiesChanged signals, their batching on the idle loop (one
 *	signal per bus/path/interface with the last values), and the
 *	org.freedesktop.DBus.Properties methods Get, Set and GetAll.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

#define PROPERTIES_INTERFACE	"org.freedesktop.DBus.Properties"
#define TRACE_FLAGS \
    (TCL_GLOBAL_ONLY | TCL_TRACE_WRITES | TCL_TRACE_UNSETS \
    | TCL_TRACE_RESULT_OBJECT)

static char *	PropTrace(ClientData clientData, Tcl_Interp *interp,
		    const char *name1, const char *name2, int flags);
static void	FlushIdle(ClientData clientData);
static void	Unpend(DbifProp *propPtr);
static void	FlushError(Tcl_Interp *interp, const char *intf,
		    Tcl_Obj *path);

/*
 *----------------------------------------------------------------------
 *
 * WantsTrace --
 *
 *	Does a property signal its changes (reference 4.16)?  Readable,
 *	EmitsChangedSignal true or invalidates, and automatic signals on.
 *
 *----------------------------------------------------------------------
 */

static int
WantsTrace(
    DbifProp *propPtr)
{
    return propPtr->nodePtr->dataPtr->changedSignal
	    && (propPtr->access & DBIF_READ)
	    && (propPtr->emits == DBIF_EMITS_TRUE
	    || propPtr->emits == DBIF_EMITS_INVALIDATES);
}

/*
 *----------------------------------------------------------------------
 *
 * SetTrace --
 *
 *	Put the write/unset trace on a property's variable or take it off.
 *	Every property has it while it exists: it checks each write against
 *	the declared type (E7), and records changes for PropertiesChanged
 *	when WantsTrace says so.  Nothing is touched in an interp that is
 *	being deleted.
 *
 *----------------------------------------------------------------------
 */

static void
SetTrace(
    DbifProp *propPtr,
    int on)
{
    DbifData *dataPtr = propPtr->nodePtr->dataPtr;
    Tcl_Interp *target;

    if (on == propPtr->traced) {
	return;
    }
    if (dataPtr->dying && propPtr->defPtr->interpObj == NULL
	    && Tcl_InterpDeleted(dataPtr->interp)) {
	/*
	 * The traces go with the interp.  (dbif's records can also be
	 * freed with the interp alive: by the exit handler, see
	 * ThreadExitProc in dbusConn.c; then the traces are removed.)
	 */

	propPtr->traced = 0;
	return;
    }
    target = DbifTargetInterp(dataPtr->interp, propPtr->defPtr);
    if (target == NULL || Tcl_InterpDeleted(target)) {
	propPtr->traced = 0;
	return;
    }
    if (on) {
	Tcl_TraceVar2(target, Tcl_GetString(propPtr->varName), NULL,
		TRACE_FLAGS, PropTrace, propPtr);
    } else {
	Tcl_UntraceVar2(target, Tcl_GetString(propPtr->varName), NULL,
		TRACE_FLAGS, PropTrace, propPtr);
    }
    propPtr->traced = on;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropTraceAll --
 *
 *	Automatic signals were switched on or off (the reserved signal id
 *	PropertiesChanged was redefined): the traces stay for the type
 *	checks, PropTrace asks WantsTrace at each write; changes already
 *	recorded are dropped when signals go off.
 *
 *----------------------------------------------------------------------
 */

void
DbifPropTraceAll(
    DbifData *dataPtr,
    int on)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    for (hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifNode *nodePtr = (DbifNode *) Tcl_GetHashValue(hPtr);
	DbifProp *propPtr;

	for (propPtr = nodePtr->firstProp; propPtr;
		propPtr = propPtr->nextPtr) {
	    SetTrace(propPtr, 1);
	    if (!on) {
		Unpend(propPtr);
	    }
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Unpend --
 *
 *	Take a property off its node's pending list.
 *
 *----------------------------------------------------------------------
 */

static void
Unpend(
    DbifProp *propPtr)
{
    DbifProp **pp;

    if (propPtr->pending == DBIF_CHANGE_NONE) {
	return;
    }
    for (pp = &propPtr->nodePtr->firstPending; *pp;
	    pp = &(*pp)->nextPending) {
	if (*pp == propPtr) {
	    *pp = propPtr->nextPending;
	    break;
	}
    }
    propPtr->pending = DBIF_CHANGE_NONE;
    propPtr->nextPending = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropFree --
 *
 *	Free a property: its trace, its pending change, its objects.  The
 *	caller unlinks it from the node's list and table.
 *
 *----------------------------------------------------------------------
 */

void
DbifPropFree(
    DbifProp *propPtr)
{
    SetTrace(propPtr, 0);
    Unpend(propPtr);
    if (propPtr->lastGood != NULL) {
	Tcl_DecrRefCount(propPtr->lastGood);
    }
    DbusExactClear(&propPtr->exact);
    Tcl_DecrRefCount(propPtr->name);
    Tcl_DecrRefCount(propPtr->sig);
    Tcl_DecrRefCount(propPtr->varName);
    DbifDefRelease(propPtr->defPtr);
    ckfree((char *) propPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * CheckWrite, PropTrace --
 *
 *	Write/unset trace of a property variable.  A write is checked
 *	against the declared type (CheckWrite, E7): a value that cannot be
 *	sent is an error for the writer and the previous value is put back
 *	(the variable is unset again when it had none).  Then, if the
 *	property signals its changes, the change is recorded on the node and
 *	one idle flush is queued: O(1) beyond the check, so thousands of
 *	writes per event-loop turn stay cheap.
 *
 * Results:
 *	NULL, or (a write that does not fit) the error message as a
 *	Tcl_Obj with a reference for Tcl (TCL_TRACE_RESULT_OBJECT).
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
CheckWrite(
    DbifProp *propPtr,
    Tcl_Interp *interp,		/* the variable's interp */
    const char *name1,
    const char *name2)
{
    Tcl_Obj *valuePtr, *errPtr;
    Tcl_Size len;
    const char *sig = Tcl_GetStringFromObj(propPtr->sig, &len);

    valuePtr = Tcl_GetVar2Ex(interp, name1, name2, TCL_GLOBAL_ONLY);
    if (valuePtr == NULL || valuePtr == propPtr->lastGood) {
	return NULL;
    }
    if (DbusMarshalCheck(interp, NULL, sig, (int) len, valuePtr)
	    == TCL_OK) {
	Tcl_IncrRefCount(valuePtr);
	if (propPtr->lastGood != NULL) {
	    Tcl_DecrRefCount(propPtr->lastGood);
	}
	propPtr->lastGood = valuePtr;
	return NULL;
    }
    errPtr = Tcl_ObjPrintf("value does not fit type '%s' of property "
	    "'%s' in interface '%s' at path '%s': %s", sig,
	    Tcl_GetString(propPtr->name),
	    Tcl_GetString(propPtr->nodePtr->intf),
	    Tcl_GetString(propPtr->nodePtr->path),
	    Tcl_GetString(Tcl_GetObjResult(interp)));
    Tcl_IncrRefCount(errPtr);
    Tcl_ResetResult(interp);
    if (propPtr->lastGood != NULL) {
	Tcl_SetVar2Ex(interp, name1, name2, propPtr->lastGood,
		TCL_GLOBAL_ONLY);
    } else {
	Tcl_UnsetVar2(interp, name1, name2, TCL_GLOBAL_ONLY);
    }
    return errPtr;
}

static char *
PropTrace(
    ClientData clientData,
    Tcl_Interp *interp,
    const char *name1,
    const char *name2,
    int flags)
{
    DbifProp *propPtr = (DbifProp *) clientData;
    DbifNode *nodePtr;
    DbifData *dataPtr;
    Tcl_Obj *errPtr;
    int change;

    if (flags & TCL_INTERP_DESTROYED) {
	return NULL;
    }
    nodePtr = propPtr->nodePtr;
    dataPtr = nodePtr->dataPtr;
    if (flags & TCL_TRACE_UNSETS) {
	change = DBIF_CHANGE_INVALID;
	if (propPtr->lastGood != NULL) {
	    Tcl_DecrRefCount(propPtr->lastGood);
	    propPtr->lastGood = NULL;
	}
	if (flags & TCL_TRACE_DESTROYED) {
	    Tcl_TraceVar2(interp, Tcl_GetString(propPtr->varName), NULL,
		    TRACE_FLAGS, PropTrace, propPtr);
	}
    } else if ((errPtr = CheckWrite(propPtr, interp, name1, name2))
	    != NULL) {
	return (char *) errPtr;
    } else {
	change = (propPtr->emits == DBIF_EMITS_INVALIDATES)
		? DBIF_CHANGE_INVALID : DBIF_CHANGE_VALUE;
    }
    if (!WantsTrace(propPtr)) {
	return NULL;
    }
    if (propPtr->pending == DBIF_CHANGE_NONE) {
	propPtr->nextPending = nodePtr->firstPending;
	nodePtr->firstPending = propPtr;
    }
    propPtr->pending = change;
    if (!nodePtr->dirty) {
	nodePtr->dirty = 1;
	nodePtr->nextDirty = dataPtr->firstDirty;
	dataPtr->firstDirty = nodePtr;
    }
    DbifScheduleIdle(dataPtr);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifScheduleIdle --
 *
 *	Make sure the idle flush (ObjectManager signals, then
 *	PropertiesChanged) is queued.
 *
 *----------------------------------------------------------------------
 */

void
DbifScheduleIdle(
    DbifData *dataPtr)
{
    if (!dataPtr->idleScheduled) {
	dataPtr->idleScheduled = 1;
	Tcl_DoWhenIdle(FlushIdle, dataPtr);
    }
}

void
DbifCancelIdle(
    DbifData *dataPtr)
{
    if (dataPtr->idleScheduled) {
	Tcl_CancelIdleCall(FlushIdle, dataPtr);
	dataPtr->idleScheduled = 0;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * FlushIdle --
 *
 *	The idle point: the ObjectManager signals first (an object is
 *	announced before changes to it), then one PropertiesChanged per
 *	dirty node; failures go to bgerror (DECISIONS rules 12 and 17).
 *
 *----------------------------------------------------------------------
 */

static void
FlushIdle(
    ClientData clientData)
{
    DbifData *dataPtr = (DbifData *) clientData;
    Tcl_Interp *interp = dataPtr->interp;

    dataPtr->idleScheduled = 0;
    Tcl_Preserve(interp);
    DbifManagerFlush(dataPtr);
    while (dataPtr->firstDirty != NULL) {
	if (DbifFlushNode(dataPtr, dataPtr->firstDirty) != TCL_OK) {
	    Tcl_BackgroundException(interp, TCL_ERROR);
	}
    }
    Tcl_Release(interp);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifGetPropValue --
 *
 *	Current value of a property's variable (read traces run, which is
 *	how lazy values work).
 *
 * Results:
 *	1 with a new reference in *valuePtrPtr, or 0 when it has no value.
 *
 *----------------------------------------------------------------------
 */

int
DbifGetPropValue(
    DbifProp *propPtr,
    Tcl_Obj **valuePtrPtr)
{
    Tcl_Interp *target = DbifTargetInterp(propPtr->nodePtr->dataPtr->interp,
	    propPtr->defPtr);
    Tcl_Obj *valuePtr;

    if (target == NULL) {
	return 0;
    }
    valuePtr = Tcl_GetVar2Ex(target, Tcl_GetString(propPtr->varName), NULL,
	    TCL_GLOBAL_ONLY);
    if (valuePtr == NULL) {
	Tcl_ResetResult(target);
	return 0;
    }
    Tcl_IncrRefCount(valuePtr);
    *valuePtrPtr = valuePtr;
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TypedValue --
 *
 *	A property value in the marshaller's explicit variant form
 *	{signature value}: sent with the declared type, never a guessed
 *	one (the value was checked against it by DbifPropValueToSend).
 *
 * Results:
 *	New list object, refcount 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
TypedValue(
    DbifProp *propPtr,
    Tcl_Obj *value)		/* borrowed */
{
    Tcl_Obj *pair[2];

    pair[0] = propPtr->sig;
    pair[1] = value;
    return Tcl_NewListObj(2, pair);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropValueToSend --
 *
 *	The value of a property as it is to be sent (Get, GetAll,
 *	PropertiesChanged), checked against the declared type first so that
 *	a bad value never leaves a message half built: one property that
 *	cannot be sent never spoils the others (E7).  A value a client set
 *	that is still unchanged is sent in its exact form (DbusExact), so
 *	a Set -> Get round trip gives back the same types.
 *
 * Results:
 *	1 with a new reference in *valuePtrPtr; 0 when the property has no
 *	value; -1 when its value does not fit: the error, naming the path,
 *	interface and property, is in interp with the errorcode of the
 *	check.
 *
 *----------------------------------------------------------------------
 */

int
DbifPropValueToSend(
    Tcl_Interp *interp,
    DbifProp *propPtr,
    Tcl_Obj **valuePtrPtr)
{
    Tcl_Obj *valuePtr, *exactPtr, *reason;
    Tcl_Size len;
    const char *sig = Tcl_GetStringFromObj(propPtr->sig, &len);

    if (!DbifGetPropValue(propPtr, &valuePtr)) {
	return 0;
    }
    exactPtr = DbusExactPick(&propPtr->exact, valuePtr);
    if (exactPtr != valuePtr) {
	Tcl_IncrRefCount(exactPtr);	/* received: it fits */
	Tcl_DecrRefCount(valuePtr);
	*valuePtrPtr = exactPtr;
	return 1;
    }
    if (valuePtr != propPtr->lastGood
	    && DbusMarshalCheck(interp, NULL, sig, (int) len, valuePtr)
	    != TCL_OK) {
	Tcl_DecrRefCount(valuePtr);
	reason = Tcl_GetObjResult(interp);
	Tcl_IncrRefCount(reason);
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("property '%s' in interface "
		"'%s' at path '%s' has a value that does not fit its type "
		"'%s': %s", Tcl_GetString(propPtr->name),
		Tcl_GetString(propPtr->nodePtr->intf),
		Tcl_GetString(propPtr->nodePtr->path), sig,
		Tcl_GetString(reason)));
	Tcl_DecrRefCount(reason);
	return -1;
    }
    *valuePtrPtr = valuePtr;
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * TakePending --
 *
 *	Take a node off the interp's dirty list and take its pending
 *	changes.
 *
 * Results:
 *	The pending properties in the order of their first change (the
 *	node's list is newest first), linked by nextPending; NULL if none.
 *
 * Side effects:
 *	The node is clean and has no pending list any more; the caller
 *	resets each property's pending state (ClearPending).
 *
 *----------------------------------------------------------------------
 */

static DbifProp *
TakePending(
    DbifData *dataPtr,
    DbifNode *nodePtr)
{
    DbifNode **npp;
    DbifProp *list = nodePtr->firstPending, *rev = NULL, *propPtr;

    if (nodePtr->dirty) {
	for (npp = &dataPtr->firstDirty; *npp; npp = &(*npp)->nextDirty) {
	    if (*npp == nodePtr) {
		*npp = nodePtr->nextDirty;
		break;
	    }
	}
	nodePtr->dirty = 0;
    }
    nodePtr->firstPending = NULL;
    while (list) {
	propPtr = list;
	list = propPtr->nextPending;
	propPtr->nextPending = rev;
	rev = propPtr;
    }
    return rev;
}

/*
 *----------------------------------------------------------------------
 *
 * ClearPending --
 *
 *	Reset the pending state of a list made by TakePending.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks the list.
 *
 *----------------------------------------------------------------------
 */

static void
ClearPending(
    DbifProp *list)
{
    while (list) {
	DbifProp *propPtr = list;

	list = propPtr->nextPending;
	propPtr->pending = DBIF_CHANGE_NONE;
	propPtr->nextPending = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifFlushNode --
 *
 *	Emit the pending changes of a node as one PropertiesChanged signal
 *	(last values; invalidated names apart) and clear them.  The body
 *	(s interface, a{sv} changed, as invalidated) is built as Tcl
 *	values and marshalled by the core; a value that does not fit its
 *	type is reported as invalidated instead, with a background error.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with "failed to generate the PropertiesChanged
 *	dbus signal ..." in dataPtr->interp.
 *
 * Side effects:
 *	Sends the signal; clears the node's pending changes.
 *
 *----------------------------------------------------------------------
 */

int
DbifFlushNode(
    DbifData *dataPtr,
    DbifNode *nodePtr)
{
    Tcl_Interp *interp = dataPtr->interp;
    DbifProp *propPtr, *list = TakePending(dataPtr, nodePtr);
    DbusConn *connPtr;
    Tcl_Obj *args[3], *sigObj;
    const char *intf = Tcl_GetString(nodePtr->intf);
    int code;

    if (list == NULL) {
	return TCL_OK;
    }
    if (DbusGetConn(interp, nodePtr->handle, &connPtr) != TCL_OK) {
	ClearPending(list);
	FlushError(interp, intf, nodePtr->path);
	return TCL_ERROR;
    }
    args[0] = nodePtr->intf;
    args[1] = Tcl_NewDictObj();
    args[2] = Tcl_NewListObj(0, NULL);
    Tcl_IncrRefCount(args[1]);
    Tcl_IncrRefCount(args[2]);
    for (propPtr = list; propPtr; propPtr = propPtr->nextPending) {
	Tcl_Obj *value;
	int have = 0;

	if (propPtr->pending == DBIF_CHANGE_VALUE) {
	    have = DbifPropValueToSend(interp, propPtr, &value);
	}
	if (have > 0) {
	    Tcl_DictObjPut(NULL, args[1], propPtr->name,
		    TypedValue(propPtr, value));
	    Tcl_DecrRefCount(value);
	    continue;
	}
	if (have < 0) {
	    /*
	     * A value that cannot be sent: the others still are; clients
	     * learn that their copy is stale (invalidated), the script
	     * learns why (one background error per property).
	     */

	    FlushError(interp, intf, nodePtr->path);
	    Tcl_BackgroundException(interp, TCL_ERROR);
	    Tcl_ResetResult(interp);
	}
	Tcl_ListObjAppendElement(NULL, args[2], propPtr->name);
    }
    ClearPending(list);
    sigObj = Tcl_NewStringObj("sa{sv}as", -1);
    Tcl_IncrRefCount(sigObj);
    code = DbusSendSignal(interp, connPtr, Tcl_GetString(nodePtr->path),
	    PROPERTIES_INTERFACE, "PropertiesChanged", sigObj, 3, args, NULL);
    Tcl_DecrRefCount(sigObj);
    Tcl_DecrRefCount(args[1]);
    Tcl_DecrRefCount(args[2]);
    if (code != TCL_OK) {
	FlushError(interp, intf, nodePtr->path);
    }
    return code;
}

/*
 * The reference's prefix for a failure of PropertiesChanged, before the
 * reason in interp's result.
 */

static void
FlushError(
    Tcl_Interp *interp,
    const char *intf,
    Tcl_Obj *path)
{
    Tcl_Obj *reason = Tcl_GetObjResult(interp);

    Tcl_IncrRefCount(reason);
    Tcl_SetObjResult(interp, Tcl_ObjPrintf("failed to generate the "
	    "PropertiesChanged dbus signal for interface '%s' on path "
	    "'%s'. Reason: %s", intf, Tcl_GetString(path),
	    Tcl_GetString(reason)));
    Tcl_DecrRefCount(reason);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertyCmd --
 *
 *	dbif property ?-access mode? ?-attributes a? ?-bus b? ?-interface i?
 *		path name?:signature? variable ??interp? body?
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertyCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {
	{"-access", 1}, {"-attributes", 1}, {"-bus", 1}, {"-interface", 1},
	{NULL, 0}
    };
    enum { P_ACCESS, P_ATTRS, P_BUS, P_INTF };
    static const char *const modes[] = {"read", "write", "readwrite", NULL};
    static const char *const emitsValues[] = {
	"true", "invalidates", "false", "const", NULL
    };
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[4] = {NULL, NULL, NULL, NULL}, *handle, *intf, *attrs;
    Tcl_Obj *nameObj, *sigObj, *interpObj = NULL, *bodyObj = NULL;
    Tcl_Obj *emitsObj = NULL, *params, *keyObj;
    Tcl_HashEntry *hPtr;
    DbifNode *nodePtr;
    DbifProp *propPtr, **pp;
    DbifDef *defPtr;
    const char *spec, *colon;
    Tcl_Size len;
    int i = 1, n, access = DBIF_READWRITE, emits = DBIF_EMITS_TRUE, isNew;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    n = objc - i;
    if (n < 3 || n > 5) {
	return DbifWrongArgs(interp, "property ?-access mode? "
		"?-attributes attributes? ?-bus bustype? "
		"?-interface interface? path name?:signature? variable "
		"??interp? body?");
    }
    if (n >= 4) {
	bodyObj = objv[objc - 1];
    }
    if (n == 5) {
	interpObj = objv[i + 3];
    }
    if (values[P_ACCESS]) {
	int idx;

	if (Tcl_GetIndexFromObj(NULL, values[P_ACCESS], modes, "mode",
		TCL_EXACT, &idx) != TCL_OK) {
	    return DbusError(interp, DBUS_EC_INVALID, "ACCESS",
		    Tcl_GetString(values[P_ACCESS]), "Invalid access mode: "
		    "\"%s\". Must be: read, write, or readwrite",
		    Tcl_GetString(values[P_ACCESS]));
	}
	access = idx + 1;
    }
    intf = values[P_INTF] ? values[P_INTF] : dataPtr->defaultIntf;
    spec = Tcl_GetStringFromObj(objv[i + 1], &len);
    colon = memchr(spec, ':', (size_t) len);
    nameObj = Tcl_NewStringObj(spec, colon ? colon - spec : len);
    Tcl_IncrRefCount(nameObj);
    sigObj = Tcl_NewStringObj(colon ? colon + 1 : "s", -1);
    Tcl_IncrRefCount(sigObj);
    if (DbifCheckPath(interp, objv[i], 0) != TCL_OK
	    || DbifCheckMember(interp, nameObj, "Property") != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifParseAttributes(interp, values[P_ATTRS], &attrs) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[P_BUS], &handle, NULL)
	    != TCL_OK) {
	goto error0;
    }
    if (!DbusSignatureIsSingle(Tcl_GetString(sigObj),
	    (int) Tcl_GetCharLength(sigObj))) {
	DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", Tcl_GetString(sigObj),
		DbusSignatureValid(Tcl_GetString(sigObj),
		(int) Tcl_GetCharLength(sigObj)) < 0
		? "invalid signature: %s" : "not a single complete type: %s",
		Tcl_GetString(sigObj));
	goto error1;
    }
    if (attrs != NULL) {
	keyObj = Tcl_NewStringObj("Property.EmitsChangedSignal", -1);
	Tcl_IncrRefCount(keyObj);
	Tcl_DictObjGet(NULL, attrs, keyObj, &emitsObj);
	Tcl_DecrRefCount(keyObj);
	if (emitsObj != NULL && Tcl_GetIndexFromObj(NULL, emitsObj,
		emitsValues, "value", TCL_EXACT, &emits) != TCL_OK) {
	    DbusError(interp, DBUS_EC_INVALID, "ATTRIBUTES",
		    Tcl_GetString(emitsObj), "Invalid value for "
		    "Property.EmitsChangedSignal: \"%s\". Must be: true, "
		    "invalidates, false, or const", Tcl_GetString(emitsObj));
	    goto error1;
	}
    }

    /*
     * An empty variable name removes the property.
     */

    nodePtr = DbifFindNode(dataPtr, Tcl_GetString(handle),
	    Tcl_GetString(objv[i]), Tcl_GetString(intf));
    if (nodePtr != NULL && (hPtr = Tcl_FindHashEntry(&nodePtr->props,
	    Tcl_GetString(nameObj))) != NULL) {
	DbifProp *oldPtr = (DbifProp *) Tcl_GetHashValue(hPtr);

	for (pp = &nodePtr->firstProp; *pp; pp = &(*pp)->nextPtr) {
	    if (*pp == oldPtr) {
		*pp = oldPtr->nextPtr;
		break;
	    }
	}
	nodePtr->lastProp = NULL;
	for (propPtr = nodePtr->firstProp; propPtr; propPtr = propPtr->nextPtr) {
	    nodePtr->lastProp = propPtr;
	}
	Tcl_DeleteHashEntry(hPtr);
	DbifPropFree(oldPtr);
    }
    if (Tcl_GetCharLength(objv[i + 2]) == 0) {
	if (attrs) {
	    Tcl_IncrRefCount(attrs);
	    Tcl_DecrRefCount(attrs);
	}
	Tcl_DecrRefCount(nameObj);
	Tcl_DecrRefCount(sigObj);
	return TCL_OK;
    }

    defPtr = (DbifDef *) ckalloc(sizeof(DbifDef));
    memset(defPtr, 0, sizeof(DbifDef));
    defPtr->refCount = 1;
    defPtr->attrs = attrs;
    if (attrs) {
	Tcl_IncrRefCount(attrs);
    }
    if (interpObj != NULL && Tcl_GetCharLength(interpObj) > 0) {
	if (Tcl_GetSlave(interp, Tcl_GetString(interpObj)) == NULL) {
	    DbusError(interp, DBUS_EC_INVALID, "INTERP",
		    Tcl_GetString(interpObj),
		    "could not find interpreter \"%s\"",
		    Tcl_GetString(interpObj));
	    DbifDefRelease(defPtr);
	    goto error1;
	}
	defPtr->interpObj = interpObj;
	Tcl_IncrRefCount(interpObj);
    }
    if (bodyObj != NULL && Tcl_GetCharLength(bodyObj) > 0) {
	Tcl_Obj *lv[3];

	params = Tcl_NewListObj(0, NULL);
	Tcl_ListObjAppendElement(NULL, params, Tcl_NewStringObj("msgid", 5));
	Tcl_ListObjAppendElement(NULL, params, nameObj);
	lv[0] = params;
	lv[1] = bodyObj;
	lv[2] = DbifDefNamespace(interp, defPtr->interpObj);
	defPtr->lambda = Tcl_NewListObj(3, lv);
	Tcl_IncrRefCount(defPtr->lambda);
    }

    nodePtr = DbifGetNode(dataPtr, handle, objv[i], intf);
    propPtr = (DbifProp *) ckalloc(sizeof(DbifProp));
    memset(propPtr, 0, sizeof(DbifProp));
    propPtr->nodePtr = nodePtr;
    propPtr->name = nameObj;
    propPtr->sig = sigObj;
    propPtr->varName = objv[i + 2];
    Tcl_IncrRefCount(propPtr->varName);
    propPtr->access = access;
    propPtr->emits = emits;
    propPtr->defPtr = defPtr;
    hPtr = Tcl_CreateHashEntry(&nodePtr->props, Tcl_GetString(nameObj),
	    &isNew);
    Tcl_SetHashValue(hPtr, propPtr);
    if (nodePtr->lastProp) {
	nodePtr->lastProp->nextPtr = propPtr;
    } else {
	nodePtr->firstProp = propPtr;
    }
    nodePtr->lastProp = propPtr;
    SetTrace(propPtr, 1);
    if (DbifGetPropValue(propPtr, &propPtr->lastGood)
	    && DbusMarshalCheck(NULL, NULL, Tcl_GetString(sigObj),
	    (int) Tcl_GetCharLength(sigObj), propPtr->lastGood) != TCL_OK) {
	Tcl_DecrRefCount(propPtr->lastGood);
	propPtr->lastGood = NULL;
    }
    return TCL_OK;

  error1:
    if (attrs) {
	Tcl_IncrRefCount(attrs);
	Tcl_DecrRefCount(attrs);
    }
  error0:
    Tcl_DecrRefCount(nameObj);
    Tcl_DecrRefCount(sigObj);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * LookupProp --
 *
 *	Shared lookup of the Properties methods (rule 14): the node of the
 *	call's path and interface, then the property.  Sends the error
 *	reply itself when something is missing.
 *
 * Results:
 *	The node (and *propPtrPtr when name != NULL), or NULL when an error
 *	was sent.
 *
 *----------------------------------------------------------------------
 */

static DbifNode *
LookupProp(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg,
    const char *intf,
    const char *name,
    DbifProp **propPtrPtr)
{
    const char *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    DbifNode *nodePtr = DbifFindNode(dataPtr,
	    Tcl_GetString(DbusConnHandle(connPtr)), path, intf);
    Tcl_HashEntry *hPtr;

    if (nodePtr == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_INTERFACE,
		"No such interface '%s' at object path '%s'", intf, path);
	return NULL;
    }
    if (name == NULL) {
	return nodePtr;
    }
    hPtr = Tcl_FindHashEntry(&nodePtr->props, name);
    if (hPtr == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_PROPERTY,
		"No such property '%s' in interface '%s' at object path '%s'",
		name, intf, path);
	return NULL;
    }
    *propPtrPtr = (DbifProp *) Tcl_GetHashValue(hPtr);
    return nodePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * GetStringArgs --
 *
 *	Read the leading string arguments of a Properties call whose
 *	signature must be "want" ("s", "ss" or "ssv").
 *
 * Results:
 *	1 with s1 (and s2 unless NULL) pointing into msg, or 0 when an
 *	InvalidArgs reply was sent instead.
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static int
GetStringArgs(
    DbusConn *connPtr,
    DBusMessage *msg,
    const char *want,
    const char **s1,
    const char **s2)
{
    const char *sig = DbusMessageField(msg, DBUS_FIELD_SIGNATURE);
    const char *argv[2];

    if (strcmp(sig, want) != 0) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
		"Invalid arguments for method '%s': expected signature '%s', "
		"got '%s'", DbusMessageField(msg, DBUS_FIELD_MEMBER), want,
		sig);
	return 0;
    }
    DbusMessageStringArgs(msg, s2 ? 2 : 1, argv);
    *s1 = argv[0];
    if (s2 != NULL) {
	*s2 = argv[1];
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * AccessProp --
 *
 *	The common start of Get and Set: the arguments ("ss" for reading,
 *	"ssv" for writing), the property they name, and the access it
 *	must allow.
 *
 * Results:
 *	The property, with *intfPtr, *namePtr (pointing into msg) filled
 *	in; NULL when an error reply was sent instead (InvalidArgs,
 *	UnknownInterface, UnknownProperty, AccessViolation for reading,
 *	PropertyReadOnly for writing).
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static DbifProp *
AccessProp(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg,
    int access,			/* DBIF_READ or DBIF_WRITE */
    const char **intfPtr,
    const char **namePtr)
{
    int reading = (access == DBIF_READ);
    DbifProp *propPtr;

    if (!GetStringArgs(connPtr, msg, reading ? "ss" : "ssv", intfPtr,
	    namePtr)
	    || !LookupProp(dataPtr, connPtr, msg, *intfPtr, *namePtr,
	    &propPtr)) {
	return NULL;
    }
    if (!(propPtr->access & access)) {
	DbusSendErrorf(connPtr, msg, reading
		? "org.freedesktop.DBus.Error.AccessViolation"
		: DBUS_ERROR_PROPERTY_READ_ONLY,
		"Property '%s' in interface '%s' at object path '%s' does not "
		"allow %s access", *namePtr, *intfPtr,
		DbusMessageField(msg, DBUS_FIELD_PATH),
		reading ? "read" : "write");
	return NULL;
    }
    return propPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertiesGet --
 *
 *	org.freedesktop.DBus.Properties.Get(s interface, s name) -> v
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertiesGet(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *intf, *name, *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    DbifProp *propPtr;
    Tcl_Obj *value, *typed, *sigObj;
    int code;

    propPtr = AccessProp(dataPtr, connPtr, msg, DBIF_READ, &intf, &name);
    if (propPtr == NULL) {
	return TCL_OK;
    }
    switch (DbifPropValueToSend(interp, propPtr, &value)) {
    case 0:
	return DbusSendErrorf(connPtr, msg, DBUS_ERROR_FAILED,
		"Property '%s' in interface '%s' at object path '%s' has "
		"currently no value", name, intf, path);
    case -1:
	return TCL_ERROR;		/* Failed, with the reason */
    }
    sigObj = Tcl_NewStringObj("v", 1);
    Tcl_IncrRefCount(sigObj);
    typed = TypedValue(propPtr, value);
    Tcl_IncrRefCount(typed);
    Tcl_DecrRefCount(value);
    code = DbusSendReturn(interp, connPtr, msg, sigObj, 1, &typed);
    Tcl_DecrRefCount(typed);
    Tcl_DecrRefCount(sigObj);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertiesGetAll --
 *
 *	org.freedesktop.DBus.Properties.GetAll(s interface) -> a{sv}: the
 *	readable properties that have a value.
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertiesGetAll(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *intf;
    DbifNode *nodePtr;
    DbifProp *propPtr;
    Tcl_Obj *all, *sigObj;
    int code;

    if (!GetStringArgs(connPtr, msg, "s", &intf, NULL)
	    || !(nodePtr = LookupProp(dataPtr, connPtr, msg, intf, NULL,
	    NULL))) {
	return TCL_OK;
    }
    all = Tcl_NewDictObj();
    Tcl_IncrRefCount(all);
    for (propPtr = nodePtr->firstProp; propPtr; propPtr = propPtr->nextPtr) {
	Tcl_Obj *value;

	if (!(propPtr->access & DBIF_READ)) {
	    continue;
	}
	switch (DbifPropValueToSend(interp, propPtr, &value)) {
	case 0:
	    continue;
	case -1:
	    /*
	     * Left out, as GDBus does with a property it cannot get; the
	     * others are still answered.
	     */

	    Tcl_BackgroundException(interp, TCL_ERROR);
	    Tcl_ResetResult(interp);
	    continue;
	}
	Tcl_DictObjPut(NULL, all, propPtr->name, TypedValue(propPtr, value));
	Tcl_DecrRefCount(value);
    }
    sigObj = Tcl_NewStringObj("a{sv}", -1);
    Tcl_IncrRefCount(sigObj);
    code = DbusSendReturn(interp, connPtr, msg, sigObj, 1, &all);
    Tcl_DecrRefCount(sigObj);
    Tcl_DecrRefCount(all);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * ReadSetValue --
 *
 *	The value argument of a Set call, checked against the property's
 *	type.  A property whose type holds a variant keeps the value's
 *	exact form too (E7); a property of type v takes any value, also
 *	one sent bare rather than in a variant (python-dbus, busctl), and
 *	keeps it as that variant.
 *
 * Results:
 *	TCL_OK with *valuePtr (the value the script gets) and *exactPtr
 *	(its exact form, or NULL), both with a reference for the caller;
 *	TCL_BREAK when an InvalidArgs reply was sent instead; TCL_ERROR
 *	with the error in interp.
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static int
ReadSetValue(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,		/* the Set call; borrowed */
    DbifProp *propPtr,
    Tcl_Obj **valuePtr,		/* out: reference held */
    Tcl_Obj **exactPtr)		/* out: reference held, or NULL */
{
    Tcl_Size plen;
    const char *psig = Tcl_GetStringFromObj(propPtr->sig, &plen);
    int details = DbusSigHasVariant(psig, (int) plen);
    Tcl_DString sig;
    Tcl_Obj *got, *exact = NULL, *pair[2];

    Tcl_DStringInit(&sig);
    got = DbusMessageVariantArg(interp, msg, 2,
	    details ? DBUS_FLAG_DETAILS : 0, &sig);
    if (got == NULL) {
	Tcl_DStringFree(&sig);
	return TCL_ERROR;
    }
    if (strcmp(psig, "v") == 0 && strcmp(Tcl_DStringValue(&sig), "v")) {
	pair[0] = Tcl_NewStringObj(Tcl_DStringValue(&sig), -1);
	pair[1] = got;
	exact = Tcl_NewListObj(2, pair);
    } else if (strcmp(Tcl_DStringValue(&sig), psig) != 0) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
		"Signature '%s' does not match for property '%s' in interface "
		"'%s' at object path '%s' (expected '%s')",
		Tcl_DStringValue(&sig), Tcl_GetString(propPtr->name),
		Tcl_GetString(propPtr->nodePtr->intf),
		DbusMessageField(msg, DBUS_FIELD_PATH), psig);
	Tcl_DStringFree(&sig);
	Tcl_DecrRefCount(got);
	return TCL_BREAK;
    } else if (details) {
	exact = got;
    }
    Tcl_DStringFree(&sig);
    if (exact != NULL) {
	Tcl_IncrRefCount(exact);
	got = DbusPlainFromExact(psig, (int) plen, exact);
    }
    Tcl_IncrRefCount(got);
    *valuePtr = got;
    *exactPtr = exact;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertiesSet --
 *
 *	org.freedesktop.DBus.Properties.Set(s interface, s name, v value):
 *	access and type checks, the optional veto body, then the variable.
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertiesSet(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *intf, *name, *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    DbifProp *propPtr;
    DbifDef *defPtr;
    Tcl_Obj *value, *varName, *exact;
    Tcl_Interp *target;
    int code = TCL_OK;

    propPtr = AccessProp(dataPtr, connPtr, msg, DBIF_WRITE, &intf, &name);
    if (propPtr == NULL) {
	return TCL_OK;
    }
    code = ReadSetValue(interp, connPtr, msg, propPtr, &value, &exact);
    if (code != TCL_OK) {
	return (code == TCL_BREAK) ? TCL_OK : TCL_ERROR;
    }
    defPtr = propPtr->defPtr;
    defPtr->refCount++;
    varName = propPtr->varName;
    Tcl_IncrRefCount(varName);

    if (defPtr->lambda != NULL) {
	DbifMsg *msgPtr = DbifMsgNew(dataPtr, connPtr, msg, NULL);
	Tcl_Obj *idPtr = msgPtr->id;
	Tcl_HashEntry *hPtr;

	Tcl_IncrRefCount(idPtr);
	code = DbifRunBody(dataPtr, defPtr, idPtr, 1, &value, &target);
	hPtr = Tcl_FindHashEntry(&dataPtr->messages, Tcl_GetString(idPtr));
	if (hPtr != NULL) {
	    DbifMsgFree((DbifMsg *) Tcl_GetHashValue(hPtr));
	}
	Tcl_DecrRefCount(idPtr);
	if (code == TCL_ERROR) {
	    Tcl_Obj *errPtr = Tcl_GetObjResult(target);

	    Tcl_IncrRefCount(errPtr);
	    Tcl_ResetResult(target);
	    Tcl_SetObjResult(interp, errPtr);
	    Tcl_DecrRefCount(errPtr);
	    goto done;
	}
	Tcl_ResetResult(target);
	code = TCL_OK;
    }
    target = DbifTargetInterp(interp, defPtr);
    if (target == NULL) {
	code = DbusError(interp, DBUS_EC_INVALID, "INTERP",
		Tcl_GetString(defPtr->interpObj),
		"could not find interpreter \"%s\"",
		Tcl_GetString(defPtr->interpObj));
	goto done;
    }
    if (Tcl_ObjSetVar2(target, varName, NULL, value,
	    TCL_GLOBAL_ONLY | TCL_LEAVE_ERR_MSG) == NULL) {
	if (target != interp) {
	    Tcl_SetObjResult(interp, Tcl_GetObjResult(target));
	    Tcl_ResetResult(target);
	}
	code = TCL_ERROR;
	goto done;
    }
    if (exact != NULL) {
	/*
	 * Remember the exact types, unless the body replaced the property.
	 */

	DbifNode *nodePtr = DbifFindNode(dataPtr,
		Tcl_GetString(DbusConnHandle(connPtr)), path, intf);
	Tcl_HashEntry *hPtr = nodePtr
		? Tcl_FindHashEntry(&nodePtr->props, name) : NULL;

	propPtr = hPtr ? (DbifProp *) Tcl_GetHashValue(hPtr) : NULL;
	if (propPtr != NULL && propPtr->defPtr == defPtr) {
	    DbusExactSet(&propPtr->exact, value, exact);
	}
    }
    code = DbusSendReturn(interp, connPtr, msg, NULL, 0, NULL);

  done:
    Tcl_DecrRefCount(varName);
    Tcl_DecrRefCount(value);
    if (exact != NULL) {
	Tcl_DecrRefCount(exact);
    }
    DbifDefRelease(defPtr);
    return code;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
