/*
 * dbifProp.c --
 *
 *	dbif properties (reference 4.12, 4.14, 4.16; DECISIONS rules 14
 *	and 17): "dbif property", the variable traces behind automatic
 *	PropertiesChanged signals, their batching on the idle loop (one
 *	signal per bus/path/interface with the last values).  The
 *	org.freedesktop.DBus.Properties methods Get, Set and GetAll are in
 *	dbifPropIface.c.
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
static DbifProp *TakePending(DbifData *dataPtr, DbifNode *nodePtr);
static void	ClearPending(DbifProp *list);
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
 * Results:
 *	1 when the property's changes are to be signalled, else 0.
 *
 * Side effects:
 *	None.
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Creates or deletes the variable trace (PropTrace) in the interp the
 *	property's variable lives in; propPtr->traced follows.
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Puts the trace on every property's variable (SetTrace); with on false,
 *	the pending changes are dropped (Unpend).
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks propPtr from nodePtr->firstPending and clears its pending
 *	change.
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes the trace, drops the pending change, releases the last good
 *	value, the exact-type record, the name, type and variable name, and
 *	the definition (DbifDefRelease); frees the record.
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
 * Side effects:
 *	CheckWrite keeps the value as propPtr->lastGood (a reference) when it
 *	fits; when it does not, it restores the last good value (or unsets the
 *	variable) and resets interp's result.  PropTrace also drops lastGood
 *	on unset, puts the trace back when the variable is destroyed, records
 *	the change on the node's pending list, marks the node dirty and
 *	schedules the idle flush (DbifScheduleIdle).
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
 * DbifScheduleIdle, DbifCancelIdle --
 *
 *	Make sure the idle flush (ObjectManager signals, then
 *	PropertiesChanged) is queued, or cancel it (the dbif state goes).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	DbifScheduleIdle queues FlushIdle with Tcl_DoWhenIdle unless it is
 *	queued; DbifCancelIdle cancels it.
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
 * Results:
 *	None.
 *
 * Side effects:
 *	Sends the ObjectManager signals (DbifManagerFlush) and one
 *	PropertiesChanged per dirty node, emptying the dirty list; without a
 *	bus the changes are dropped.  The interp is preserved meanwhile.
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
	DbifNode *nodePtr = dataPtr->firstDirty;
	DbusConn *connPtr = DbifConnOfHandle(dataPtr, nodePtr->handle);

	if (connPtr == NULL || (DbusConnFlags(connPtr) & DBUS_CONN_LOST)) {
	    /*
	     * No bus (dbus close, or lost): nobody to tell, and clients of
	     * the next connection read the values afresh.  Dropped quietly
	     * instead of one background error per write.
	     */

	    ClearPending(TakePending(dataPtr, nodePtr));
	    continue;
	}
	if (DbifFlushNode(dataPtr, nodePtr) != TCL_OK) {
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
 * Side effects:
 *	Reads the variable in its interp (read traces run); a failed read
 *	resets that interp's result.
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
    valuePtr = Tcl_ObjGetVar2(target, propPtr->varName, NULL,
	    TCL_GLOBAL_ONLY);		/* the name's parse stays cached in
					 * the object (an ObjectManager
					 * reads thousands) */
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
 * DbifTypedValue --
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

Tcl_Obj *
DbifTypedValue(
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
 * Side effects:
 *	May shimmer the value (the type check); on -1 sets interp's result.
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
		    DbifTypedValue(propPtr, value));
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
 *----------------------------------------------------------------------
 *
 * FlushError --
 *
 *	The reference's prefix for a failure of PropertiesChanged, put
 *	before the reason in interp's result.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Replaces the interp result with the longer message.
 *
 *----------------------------------------------------------------------
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
 * What "dbif property" was asked for, once its arguments are checked.
 */

typedef struct PropSpec {
    Tcl_Obj *handle;		/* bus handle; borrowed */
    Tcl_Obj *intf;		/* interface; borrowed */
    Tcl_Obj *name;		/* property name; reference held */
    Tcl_Obj *sig;		/* its type; reference held */
    Tcl_Obj *attrs;		/* attribute dict or NULL; refcount 0 */
    int access;			/* DBIF_READ ... */
    int emits;			/* DBIF_EMITS_* */
} PropSpec;

/*
 *----------------------------------------------------------------------
 *
 * PropSpecFree --
 *
 *	Release the references a PropSpec holds (ParsePropSpec).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases specPtr->name and specPtr->sig; an attribute dict nobody took
 *	(refcount 0) is freed.
 *
 *----------------------------------------------------------------------
 */

static void
PropSpecFree(
    PropSpec *specPtr)
{
    Tcl_DecrRefCount(specPtr->name);
    Tcl_DecrRefCount(specPtr->sig);
    if (specPtr->attrs != NULL) {
	Tcl_IncrRefCount(specPtr->attrs);
	Tcl_DecrRefCount(specPtr->attrs);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ParsePropSpec --
 *
 *	Check the options and the path, name?:signature? of "dbif
 *	property" (objv[i] is the path).
 *
 * Results:
 *	TCL_OK with *specPtr filled in, or TCL_ERROR (nothing to release
 *	then).
 *
 * Side effects:
 *	specPtr->name and specPtr->sig hold references (PropSpecFree).
 *
 *----------------------------------------------------------------------
 */

static int
ParsePropSpec(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    Tcl_Obj *const values[],	/* -access -attributes -bus -interface */
    Tcl_Obj *const objv[],	/* path, name?:signature? */
    PropSpec *specPtr)		/* out */
{
    static const char *const modes[] = {"read", "write", "readwrite", NULL};
    static const char *const emitsValues[] = {
	"true", "invalidates", "false", "const", NULL
    };
    Tcl_Obj *emitsObj = NULL, *keyObj;
    const char *spec, *colon, *sig;
    Tcl_Size len;
    int idx;

    specPtr->access = DBIF_READWRITE;
    specPtr->emits = DBIF_EMITS_TRUE;
    if (values[0] && Tcl_GetIndexFromObj(NULL, values[0], modes, "mode",
	    TCL_EXACT, &idx) != TCL_OK) {
	return DbusError(interp, DBUS_EC_INVALID, "ACCESS",
		Tcl_GetString(values[0]), "Invalid access mode: \"%s\". "
		"Must be: read, write, or readwrite", Tcl_GetString(values[0]));
    } else if (values[0]) {
	specPtr->access = idx + 1;
    }
    specPtr->intf = values[3] ? values[3] : dataPtr->defaultIntf;
    spec = Tcl_GetStringFromObj(objv[1], &len);
    colon = memchr(spec, ':', (size_t) len);
    specPtr->name = Tcl_NewStringObj(spec, colon ? colon - spec : len);
    Tcl_IncrRefCount(specPtr->name);
    specPtr->sig = Tcl_NewStringObj(colon ? colon + 1 : "s", -1);
    Tcl_IncrRefCount(specPtr->sig);
    specPtr->attrs = NULL;
    sig = Tcl_GetStringFromObj(specPtr->sig, &len);
    if (DbifCheckPath(interp, objv[0], 0) != TCL_OK
	    || DbifCheckMember(interp, specPtr->name, "Property") != TCL_OK
	    || DbifCheckInterface(interp, specPtr->intf) != TCL_OK
	    || DbifParseAttributes(interp, values[1], &specPtr->attrs)
	    != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[2], &specPtr->handle,
	    NULL) != TCL_OK) {
	goto error;
    }
    if (!DbusSignatureIsSingle(sig, (int) len)) {
	DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", sig,
		DbusSignatureValid(sig, (int) len) < 0
		? "invalid signature: %s" : "not a single complete type: %s",
		sig);
	goto error;
    }
    if (specPtr->attrs != NULL) {
	keyObj = Tcl_NewStringObj("Property.EmitsChangedSignal", -1);
	Tcl_IncrRefCount(keyObj);
	Tcl_DictObjGet(NULL, specPtr->attrs, keyObj, &emitsObj);
	Tcl_DecrRefCount(keyObj);
	if (emitsObj != NULL && Tcl_GetIndexFromObj(NULL, emitsObj,
		emitsValues, "value", TCL_EXACT, &specPtr->emits) != TCL_OK) {
	    DbusError(interp, DBUS_EC_INVALID, "ATTRIBUTES",
		    Tcl_GetString(emitsObj), "Invalid value for "
		    "Property.EmitsChangedSignal: \"%s\". Must be: true, "
		    "invalidates, false, or const", Tcl_GetString(emitsObj));
	    goto error;
	}
    }
    return TCL_OK;

  error:
    PropSpecFree(specPtr);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * RemoveProp --
 *
 *	Remove a property of a node, if it has one of that name.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks and frees the property (its trace goes with it).
 *
 *----------------------------------------------------------------------
 */

static void
RemoveProp(
    DbifNode *nodePtr,
    const char *name)
{
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&nodePtr->props, name);
    DbifProp *oldPtr, *propPtr, **pp;

    if (hPtr == NULL) {
	return;
    }
    oldPtr = (DbifProp *) Tcl_GetHashValue(hPtr);
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

/*
 *----------------------------------------------------------------------
 *
 * AddProp --
 *
 *	Make the property a PropSpec describes, on variable varName, with
 *	the definition defPtr, at the end of its node's properties.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Takes over the references of specPtr->name, specPtr->sig and
 *	defPtr; creates the node if needed; traces the variable; notes
 *	its value as known good when it fits the type.
 *
 *----------------------------------------------------------------------
 */

static void
AddProp(
    DbifData *dataPtr,
    Tcl_Obj *pathObj,
    PropSpec *specPtr,
    Tcl_Obj *varName,
    DbifDef *defPtr)
{
    DbifNode *nodePtr = DbifGetNode(dataPtr, specPtr->handle, pathObj,
	    specPtr->intf);
    DbifProp *propPtr = (DbifProp *) ckalloc(sizeof(DbifProp));
    Tcl_HashEntry *hPtr;
    int isNew;

    memset(propPtr, 0, sizeof(DbifProp));
    propPtr->nodePtr = nodePtr;
    propPtr->name = specPtr->name;
    propPtr->sig = specPtr->sig;
    propPtr->varName = varName;
    Tcl_IncrRefCount(varName);
    propPtr->access = specPtr->access;
    propPtr->emits = specPtr->emits;
    propPtr->defPtr = defPtr;
    hPtr = Tcl_CreateHashEntry(&nodePtr->props,
	    Tcl_GetString(specPtr->name), &isNew);
    Tcl_SetHashValue(hPtr, propPtr);
    if (nodePtr->lastProp) {
	nodePtr->lastProp->nextPtr = propPtr;
    } else {
	nodePtr->firstProp = propPtr;
    }
    nodePtr->lastProp = propPtr;
    SetTrace(propPtr, 1);
    if (DbifGetPropValue(propPtr, &propPtr->lastGood)
	    && DbusMarshalCheck(NULL, NULL, Tcl_GetString(propPtr->sig),
	    (int) Tcl_GetCharLength(propPtr->sig), propPtr->lastGood)
	    != TCL_OK) {
	Tcl_DecrRefCount(propPtr->lastGood);
	propPtr->lastGood = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertyCmd --
 *
 *	dbif property ?-access mode? ?-attributes a? ?-bus b? ?-interface i?
 *		path name?:signature? variable ??interp? body?
 *	Defines (or, with an empty variable name, removes) a property.
 *
 * Results:
 *	TCL_OK ("" result) or TCL_ERROR.
 *
 * Side effects:
 *	Replaces any property of that name at path and interface.
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
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[4] = {NULL, NULL, NULL, NULL};
    Tcl_Obj *interpObj = NULL, *bodyObj = NULL, *params = NULL;
    DbifNode *nodePtr;
    DbifDef *defPtr;
    PropSpec spec;
    int i = 1, n, code;

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
    if (n >= 4 && Tcl_GetCharLength(objv[objc - 1]) > 0) {
	bodyObj = objv[objc - 1];
    }
    if (n == 5) {
	interpObj = objv[i + 3];
    }
    if (ParsePropSpec(interp, dataPtr, values, objv + i, &spec) != TCL_OK) {
	return TCL_ERROR;
    }
    nodePtr = DbifFindNode(dataPtr, Tcl_GetString(spec.handle),
	    Tcl_GetString(objv[i]), Tcl_GetString(spec.intf));
    if (nodePtr != NULL) {
	RemoveProp(nodePtr, Tcl_GetString(spec.name));
    }
    if (Tcl_GetCharLength(objv[i + 2]) == 0) {
	PropSpecFree(&spec);		/* an empty variable name: removed */
	return TCL_OK;
    }

    defPtr = DbifDefNew();
    defPtr->attrs = spec.attrs;		/* the definition holds them now */
    if (spec.attrs) {
	Tcl_IncrRefCount(spec.attrs);
	spec.attrs = NULL;
    }
    if (bodyObj != NULL) {
	params = Tcl_NewListObj(0, NULL);
	Tcl_ListObjAppendElement(NULL, params, Tcl_NewStringObj("msgid", 5));
	Tcl_ListObjAppendElement(NULL, params, spec.name);
    }
    code = DbifDefSetBody(interp, defPtr, interpObj, params, bodyObj);
    if (code != TCL_OK) {
	if (params != NULL) {
	    Tcl_IncrRefCount(params);
	    Tcl_DecrRefCount(params);
	}
	DbifDefRelease(defPtr);
	PropSpecFree(&spec);
	return TCL_ERROR;
    }
    AddProp(dataPtr, objv[i], &spec, objv[i + 2], defPtr);
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
