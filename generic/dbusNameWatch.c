/*
 * dbusNameWatch.c --
 *
 *	Names with callbacks (EXTENSIONS E2, GDBus g_bus_watch_name and
 *	g_bus_own_name): "dbus watch" / "dbus unwatch", which run appeared
 *	and vanished scripts as a bus name gets and loses its owner, and
 *	the -acquired / -lost scripts of "dbus name" (and "dbif connect"),
 *	run whenever this connection becomes or stops being a name's
 *	primary owner.
 *
 *	Watches sit on the name-owner table of dbusBus.c, which subscribes
 *	to the name's NameOwnerChanged before it asks GetNameOwner (so no
 *	change is missed).  Each watch remembers what it last reported and
 *	reports only differences: exactly one appeared or vanished for the
 *	initial state, one per change after that, vanished then appeared
 *	for an owner change A -> B, vanished when the bus is lost.
 *
 *	Name callbacks are subscriptions (dbusSubscribe.c) on the bus's
 *	unicast NameAcquired / NameLost signals for the name and on the
 *	local Disconnected signal.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * One "dbus watch".
 */

typedef struct Watch {
    int refCount;		/* table + idle call + running scripts */
    Tcl_WideInt id;		/* per connection */
    DbusConn *connPtr;		/* borrowed; NULL once removed */
    Tcl_Interp *interp;		/* owner; NULL once removed */
    Tcl_Obj *nameObj;		/* watched name; refcount held */
    Tcl_Obj *appeared;		/* script prefixes or NULL; refcount held */
    Tcl_Obj *vanished;
    DbusOwnerWatch *ownerWatch;	/* in dbusBus.c's table, or NULL */
    Tcl_Obj *reported;		/* owner last reported ("" = vanished), or
				 * NULL before the first report; refcount
				 * held */
    int idle;			/* an initial-state idle call is pending */
    DbusPending *startPtr;	/* -autostart: StartServiceByName not
				 * answered yet (reports wait for it, as
				 * in GDBus); holds a reference */
} Watch;

/*
 * One name this connection asked for with -acquired / -lost scripts.
 */

typedef struct NameOwn {
    DbusConn *connPtr;		/* borrowed */
    Tcl_Interp *interp;		/* owner */
    Tcl_Obj *nameObj;		/* refcount held */
    Tcl_Obj *acquired;		/* script prefixes or NULL; refcount held */
    Tcl_Obj *lost;
    int primary;		/* we are the primary owner (as far as the
				 * signals told) */
    DbusSubscription *subs[3];	/* NameAcquired, NameLost, Disconnected */
    struct NameOwn *nextPtr;	/* table's list */
} NameOwn;

/*
 * Per-connection table (DbusConn.nameData).
 */

typedef struct DbusNameTable {
    Tcl_HashTable watches;	/* id -> Watch* */
    Tcl_WideInt nextId;		/* last watch id given out */
    NameOwn *firstOwn;		/* owned list */
} DbusNameTable;

static DbusNameTable *	GetTable(DbusConn *connPtr, int create);
static void		WatchRelease(Watch *watchPtr);
static void		WatchRemove(Watch *watchPtr);
static void		WatchReport(Watch *watchPtr, Tcl_Obj *ownerObj);
static DbusOwnerProc	WatchOwnerProc;
static Tcl_IdleProc	WatchIdleProc;
static DbusReplyProc	StartReplyProc;
static int		RunScript(Tcl_Interp *interp, Tcl_Obj *script,
			    Tcl_Obj *arg1, Tcl_Obj *arg2, const char *what);
static DbusMessageProc	NameSignalProc;
static void		NameOwnFree(NameOwn *ownPtr);

/*
 *----------------------------------------------------------------------
 *
 * GetTable --
 *
 *	The name table of a connection.
 *
 * Results:
 *	The table, or NULL when there is none and create is 0.
 *
 * Side effects:
 *	May allocate it (freed by DbusNamesFree).
 *
 *----------------------------------------------------------------------
 */

static DbusNameTable *
GetTable(
    DbusConn *connPtr,
    int create)
{
    DbusNameTable *tablePtr = connPtr->nameData;

    if (tablePtr == NULL && create) {
	tablePtr = (DbusNameTable *) ckalloc(sizeof(DbusNameTable));
	memset(tablePtr, 0, sizeof(DbusNameTable));
	Tcl_InitHashTable(&tablePtr->watches, TCL_ONE_WORD_KEYS);
	connPtr->nameData = tablePtr;
    }
    return tablePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * RunScript --
 *
 *	Run {*}script arg1 ?arg2? at global level in interp; an error goes
 *	to bgerror with what as context.
 *
 * Results:
 *	The completion code.
 *
 * Side effects:
 *	Whatever the script does; the interp's result is reset.
 *
 *----------------------------------------------------------------------
 */

static int
RunScript(
    Tcl_Interp *interp,
    Tcl_Obj *script,		/* command prefix */
    Tcl_Obj *arg1,
    Tcl_Obj *arg2,		/* or NULL */
    const char *what)
{
    Tcl_Obj *cmdPtr = Tcl_DuplicateObj(script);
    int code;

    Tcl_IncrRefCount(cmdPtr);
    Tcl_Preserve(interp);
    if (Tcl_ListObjAppendElement(interp, cmdPtr, arg1) != TCL_OK
	    || (arg2 != NULL && Tcl_ListObjAppendElement(interp, cmdPtr,
	    arg2) != TCL_OK)) {
	code = TCL_ERROR;
    } else {
	code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
    }
    if (code == TCL_ERROR) {
	DbusBackgroundError(interp, code, what);
    }
    Tcl_ResetResult(interp);
    Tcl_Release(interp);
    Tcl_DecrRefCount(cmdPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * WatchReport --
 *
 *	Bring a watch's scripts up to date with the owner ownerObj ("" for
 *	none): the first report is appeared or vanished; later ones report
 *	only a difference, an owner change as vanished then appeared.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs scripts (which may remove the watch: checked between them).
 *
 *----------------------------------------------------------------------
 */

static void
WatchReport(
    Watch *watchPtr,
    Tcl_Obj *ownerObj)		/* borrowed */
{
    const char *owner = Tcl_GetString(ownerObj);
    Tcl_Obj *oldObj = watchPtr->reported;
    int wasOwned = (oldObj != NULL && *Tcl_GetString(oldObj) != '\0');

    if (oldObj != NULL && strcmp(Tcl_GetString(oldObj), owner) == 0) {
	return;
    }
    watchPtr->refCount++;
    Tcl_IncrRefCount(ownerObj);
    watchPtr->reported = ownerObj;
    Tcl_IncrRefCount(ownerObj);
    if (oldObj != NULL) {
	Tcl_DecrRefCount(oldObj);
    }
    if ((wasOwned || (oldObj == NULL && *owner == '\0'))
	    && watchPtr->vanished != NULL) {
	RunScript(watchPtr->interp, watchPtr->vanished, watchPtr->nameObj,
		NULL, "dbus watch -vanished script");
    }
    if (*owner != '\0' && watchPtr->interp != NULL
	    && watchPtr->appeared != NULL) {
	RunScript(watchPtr->interp, watchPtr->appeared, watchPtr->nameObj,
		ownerObj, "dbus watch -appeared script");
    }
    Tcl_DecrRefCount(ownerObj);
    WatchRelease(watchPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * WatchOwnerProc --
 *
 *	Owner callback of a watch (dbusBus.c protocol): report the new
 *	owner, or forget the owner watch when the connection closes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See WatchReport.
 *
 *----------------------------------------------------------------------
 */

static void
WatchOwnerProc(
    ClientData clientData,	/* Watch */
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldOwner,
    Tcl_Obj *newOwner)
{
    Watch *watchPtr = (Watch *) clientData;

    (void) connPtr;
    (void) nameObj;
    (void) oldOwner;
    if (newOwner == NULL) {
	watchPtr->ownerWatch = NULL;
	return;
    }
    if (watchPtr->interp != NULL && watchPtr->startPtr == NULL) {
	WatchReport(watchPtr, newOwner);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * WatchIdleProc --
 *
 *	Initial report of a watch made when the owner was already known
 *	(another watch of the same name asked before): run from the event
 *	loop, like every other report.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See WatchReport; drops the idle call's reference.
 *
 *----------------------------------------------------------------------
 */

static void
WatchIdleProc(
    ClientData clientData)	/* Watch */
{
    Watch *watchPtr = (Watch *) clientData;

    watchPtr->idle = 0;
    if (watchPtr->interp != NULL && watchPtr->reported == NULL
	    && watchPtr->connPtr != NULL && watchPtr->startPtr == NULL) {
	Tcl_Obj *ownerObj = DbusBusNameOwner(watchPtr->connPtr,
		Tcl_GetString(watchPtr->nameObj));

	if (ownerObj != NULL) {
	    WatchReport(watchPtr, ownerObj);
	}
    }
    WatchRelease(watchPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * StartReplyProc --
 *
 *	The bus answered the StartServiceByName of an -autostart watch
 *	(started, already running, or an error such as no such service):
 *	the watch now reports the owner, when the table knows it already
 *	(else the table's answer will come).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See WatchReport; drops the pending call's reference.
 *
 *----------------------------------------------------------------------
 */

static void
StartReplyProc(
    ClientData clientData,	/* Watch */
    DbusConn *connPtr,
    DBusMessage *reply)
{
    Watch *watchPtr = (Watch *) clientData;

    (void) reply;
    watchPtr->startPtr = NULL;
    if (watchPtr->interp != NULL && watchPtr->connPtr != NULL
	    && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	Tcl_Obj *ownerObj = DbusBusNameOwner(connPtr,
		Tcl_GetString(watchPtr->nameObj));

	if (ownerObj != NULL) {
	    WatchReport(watchPtr, ownerObj);
	}
    }
    WatchRelease(watchPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * WatchRelease --
 *
 *	Drop a reference to a watch; free it at zero.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May free the record and its objects.
 *
 *----------------------------------------------------------------------
 */

static void
WatchRelease(
    Watch *watchPtr)
{
    if (--watchPtr->refCount > 0) {
	return;
    }
    Tcl_DecrRefCount(watchPtr->nameObj);
    if (watchPtr->appeared != NULL) {
	Tcl_DecrRefCount(watchPtr->appeared);
    }
    if (watchPtr->vanished != NULL) {
	Tcl_DecrRefCount(watchPtr->vanished);
    }
    if (watchPtr->reported != NULL) {
	Tcl_DecrRefCount(watchPtr->reported);
    }
    ckfree((char *) watchPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * WatchRemove --
 *
 *	End a watch: out of the table, its owner watch and idle call
 *	cancelled.  No script runs after this.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Drops the table's reference.
 *
 *----------------------------------------------------------------------
 */

static void
WatchRemove(
    Watch *watchPtr)
{
    DbusConn *connPtr = watchPtr->connPtr;
    DbusNameTable *tablePtr;
    Tcl_HashEntry *hPtr;

    if (connPtr == NULL) {
	return;
    }
    tablePtr = GetTable(connPtr, 0);
    hPtr = Tcl_FindHashEntry(&tablePtr->watches, INT2PTR(watchPtr->id));
    if (hPtr != NULL) {
	Tcl_DeleteHashEntry(hPtr);
    }
    if (watchPtr->ownerWatch != NULL) {
	DbusBusUnwatchOwner(watchPtr->ownerWatch);
	watchPtr->ownerWatch = NULL;
    }
    if (watchPtr->idle) {
	Tcl_CancelIdleCall(WatchIdleProc, watchPtr);
	watchPtr->idle = 0;
	watchPtr->refCount--;
    }
    if (watchPtr->startPtr != NULL) {
	DbusPendingFree(watchPtr->startPtr);
	watchPtr->startPtr = NULL;
	watchPtr->refCount--;
    }
    watchPtr->connPtr = NULL;
    watchPtr->interp = NULL;
    WatchRelease(watchPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * StartService --
 *
 *	-autostart: ask the bus to start the service of the watched name;
 *	the watch reports nothing until the answer comes.
 *
 * Results:
 *	None (when the request cannot be sent, the watch reports at once).
 *
 * Side effects:
 *	Sends StartServiceByName; a pending call holding a reference.
 *
 *----------------------------------------------------------------------
 */

static void
StartService(
    DbusConn *connPtr,
    Watch *watchPtr)
{
    DBusMessage *msg = dbus_message_new_method_call(DBUS_SERVICE_DBUS,
	    DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "StartServiceByName");
    const char *name = Tcl_GetString(watchPtr->nameObj);
    dbus_uint32_t zero = 0, serial;

    if (msg == NULL) {
	return;
    }
    if (dbus_message_append_args(msg, DBUS_TYPE_STRING, &name,
	    DBUS_TYPE_UINT32, &zero, DBUS_TYPE_INVALID)
	    && DbusSend(NULL, connPtr, msg, &serial) == TCL_OK) {
	watchPtr->startPtr = DbusPendingNewProc(connPtr, serial,
		StartReplyProc, watchPtr, -1);
	watchPtr->refCount++;
    }
    dbus_message_unref(msg);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchCmd --
 *
 *	dbus watch ?busId? ?-autostart bool? ?-appeared script?
 *		?-vanished script? name
 *
 * Results:
 *	A watch id.  Errors: wrong arguments, bad option, a bad boolean,
 *	an invalid bus name ({DBUS INVALID BUSNAME name}), unknown or
 *	unconnected busId, a lost connection ({DBUS CLOSED busId}).
 *
 * Side effects:
 *	Creates the watch; the first watch of a name adds a match rule
 *	and asks GetNameOwner (dbusBus.c).  With -autostart the bus is
 *	asked to start the name's service (StartServiceByName) and the
 *	first report waits for its answer.  The first report runs from the
 *	event loop.
 *
 *----------------------------------------------------------------------
 */

int
DbusWatchCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"-appeared", "-autostart", "-vanished", NULL
    };
    enum { OPT_APPEARED, OPT_AUTOSTART, OPT_VANISHED };
    Tcl_Obj *busObj, *scripts[2] = {NULL, NULL}, *nameObj;
    int i = 1, index, autostart = 0, isNew;
    DbusConn *connPtr;
    DbusNameTable *tablePtr;
    Watch *watchPtr;
    Tcl_HashEntry *hPtr;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 1);
    for (; i < objc - 1; i += 2) {
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (i + 1 >= objc - 1) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "missing value for option \"%s\"", options[index]));
	    Tcl_SetErrorCode(interp, "TCL", "ARGUMENT", "MISSING", NULL);
	    return TCL_ERROR;
	}
	if (index == OPT_AUTOSTART) {
	    if (Tcl_GetBooleanFromObj(interp, objv[i + 1], &autostart)
		    != TCL_OK) {
		return TCL_ERROR;
	    }
	} else {
	    scripts[index == OPT_VANISHED] = DbusIsEmpty(objv[i + 1]) ? NULL
		    : objv[i + 1];
	}
    }
    if (i != objc - 1) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?-autostart bool? "
		"?-appeared script? ?-vanished script? name");
	return TCL_ERROR;
    }
    nameObj = objv[i];
    if (!DbusValidNameObj(nameObj, DBUS_NAME_BUS)) {
	return DbusError(interp, DBUS_EC_INVALID, "BUSNAME",
		Tcl_GetString(nameObj), "Invalid bus name \"%s\"",
		Tcl_GetString(nameObj));
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    if (connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED)) {
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    watchPtr = (Watch *) ckalloc(sizeof(Watch));
    memset(watchPtr, 0, sizeof(Watch));
    watchPtr->refCount = 1;
    watchPtr->connPtr = connPtr;
    watchPtr->interp = interp;
    watchPtr->nameObj = nameObj;
    Tcl_IncrRefCount(nameObj);
    watchPtr->appeared = scripts[0];
    watchPtr->vanished = scripts[1];
    if (scripts[0] != NULL) {
	Tcl_IncrRefCount(scripts[0]);
    }
    if (scripts[1] != NULL) {
	Tcl_IncrRefCount(scripts[1]);
    }
    tablePtr = GetTable(connPtr, 1);
    watchPtr->id = ++tablePtr->nextId;
    hPtr = Tcl_CreateHashEntry(&tablePtr->watches, INT2PTR(watchPtr->id),
	    &isNew);
    Tcl_SetHashValue(hPtr, watchPtr);

    /*
     * Known owner: report it from the event loop.  Otherwise the owner
     * table reports it (GetNameOwner's answer or a change).
     */

    if (DbusBusNameOwner(connPtr, Tcl_GetString(nameObj)) != NULL) {
	watchPtr->idle = 1;
	watchPtr->refCount++;
	Tcl_DoWhenIdle(WatchIdleProc, watchPtr);
    }
    watchPtr->ownerWatch = DbusBusWatchOwner(connPtr, Tcl_GetString(nameObj),
	    WatchOwnerProc, watchPtr);
    if (autostart && Tcl_GetString(nameObj)[0] != ':') {
	StartService(connPtr, watchPtr);
    }
    Tcl_SetObjResult(interp, Tcl_NewWideIntObj(watchPtr->id));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusUnwatchCmd --
 *
 *	dbus unwatch ?busId? id
 *
 * Results:
 *	1 when this interp had a watch with that id on the connection (it
 *	is ended: no script of it runs any more), else 0.  Errors: wrong
 *	arguments, an id that is not an integer ({DBUS INVALID WATCH id}),
 *	unknown or unconnected busId.
 *
 * Side effects:
 *	See WatchRemove.
 *
 *----------------------------------------------------------------------
 */

int
DbusUnwatchCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    DbusNameTable *tablePtr;
    Tcl_HashEntry *hPtr = NULL;
    Tcl_WideInt id;
    int found = 0;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? id");
	return TCL_ERROR;
    }
    if (Tcl_GetWideIntFromObj(NULL, objv[objc - 1], &id) != TCL_OK) {
	return DbusError(interp, DBUS_EC_INVALID, "WATCH",
		Tcl_GetString(objv[objc - 1]), "Invalid watch id");
    }
    if (DbusGetConn(interp, objc == 3 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    tablePtr = GetTable(connPtr, 0);
    if (tablePtr != NULL && id >= 1 && id <= tablePtr->nextId) {
	hPtr = Tcl_FindHashEntry(&tablePtr->watches, INT2PTR(id));
    }
    if (hPtr != NULL
	    && ((Watch *) Tcl_GetHashValue(hPtr))->interp == interp) {
	WatchRemove((Watch *) Tcl_GetHashValue(hPtr));
	found = 1;
    }
    Tcl_SetObjResult(interp, Tcl_NewBooleanObj(found));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * NameSignalProc --
 *
 *	Subscription callback of a name registration: NameAcquired makes
 *	us the primary owner (acquired runs), NameLost or the loss of the
 *	bus ends that (lost runs).  Repeats of the same state run nothing.
 *
 * Results:
 *	TCL_OK (script errors went to bgerror).
 *
 * Side effects:
 *	Runs the -acquired / -lost script.
 *
 *----------------------------------------------------------------------
 */

static int
NameSignalProc(
    ClientData clientData,	/* NameOwn */
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    NameOwn *ownPtr = (NameOwn *) clientData;
    int acquired = dbus_message_has_member(msg, "NameAcquired");
    Tcl_Obj *nameObj = ownPtr->nameObj, *script;

    (void) connPtr;
    if (acquired == ownPtr->primary
	    && !dbus_message_has_member(msg, "NameLost")) {
	/*
	 * A repeat, or Disconnected when we own nothing.  NameLost is only
	 * sent to the primary owner: it always counts.
	 */

	return TCL_OK;
    }
    ownPtr->primary = acquired;
    script = acquired ? ownPtr->acquired : ownPtr->lost;
    if (script != NULL) {
	/*
	 * The script may release the name (freeing ownPtr): hold what is
	 * used.
	 */

	Tcl_IncrRefCount(script);
	Tcl_IncrRefCount(nameObj);
	RunScript(interp, script, nameObj, NULL, acquired
		? "dbus name -acquired script" : "dbus name -lost script");
	Tcl_DecrRefCount(nameObj);
	Tcl_DecrRefCount(script);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * FindOwn --
 *
 *	The registration of interp for a name on a connection.
 *
 * Results:
 *	The record, or NULL; *prevPtrPtr (if given) gets the link that
 *	points to it.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static NameOwn *
FindOwn(
    DbusConn *connPtr,
    Tcl_Interp *interp,
    const char *name,
    NameOwn ***linkPtrPtr)
{
    DbusNameTable *tablePtr = GetTable(connPtr, 0);
    NameOwn **linkPtr;

    if (tablePtr == NULL) {
	return NULL;
    }
    for (linkPtr = &tablePtr->firstOwn; *linkPtr != NULL;
	    linkPtr = &(*linkPtr)->nextPtr) {
	if ((*linkPtr)->interp == interp
		&& strcmp(Tcl_GetString((*linkPtr)->nameObj), name) == 0) {
	    if (linkPtrPtr != NULL) {
		*linkPtrPtr = linkPtr;
	    }
	    return *linkPtr;
	}
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * NameOwnFree --
 *
 *	Free a registration (already unlinked): its subscriptions end.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Ends subscriptions, releases objects.
 *
 *----------------------------------------------------------------------
 */

static void
NameOwnFree(
    NameOwn *ownPtr)
{
    int k;

    for (k = 0; k < 3; k++) {
	if (ownPtr->subs[k] != NULL) {
	    DbusUnsubscribe(ownPtr->subs[k]);
	}
    }
    Tcl_DecrRefCount(ownPtr->nameObj);
    if (ownPtr->acquired != NULL) {
	Tcl_DecrRefCount(ownPtr->acquired);
    }
    if (ownPtr->lost != NULL) {
	Tcl_DecrRefCount(ownPtr->lost);
    }
    ckfree((char *) ownPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNameCallbacks --
 *
 *	Register (or replace) interp's -acquired / -lost scripts for a
 *	name on a connection, before the name is requested: the bus sends
 *	NameAcquired before it answers RequestName.  A replaced
 *	registration keeps its primary-owner state.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message in interp (connection gone).
 *
 * Side effects:
 *	Three subscriptions without bus rules (the signals are unicast to
 *	us or local).
 *
 *----------------------------------------------------------------------
 */

int
DbusNameCallbacks(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,		/* a valid well-known name */
    Tcl_Obj *acquired,		/* script prefix or NULL */
    Tcl_Obj *lost)		/* script prefix or NULL */
{
    static const char *const members[3] = {
	"NameAcquired", "NameLost", "Disconnected"
    };
    NameOwn *ownPtr = FindOwn(connPtr, interp, Tcl_GetString(nameObj), NULL);
    DbusNameTable *tablePtr;
    int k;

    if (ownPtr != NULL) {
	Tcl_Obj *old[2] = {ownPtr->acquired, ownPtr->lost};

	ownPtr->acquired = acquired;
	ownPtr->lost = lost;
	for (k = 0; k < 2; k++) {
	    if ((k ? lost : acquired) != NULL) {
		Tcl_IncrRefCount(k ? lost : acquired);
	    }
	    if (old[k] != NULL) {
		Tcl_DecrRefCount(old[k]);
	    }
	}
	return TCL_OK;
    }
    ownPtr = (NameOwn *) ckalloc(sizeof(NameOwn));
    memset(ownPtr, 0, sizeof(NameOwn));
    ownPtr->connPtr = connPtr;
    ownPtr->interp = interp;
    ownPtr->nameObj = nameObj;
    Tcl_IncrRefCount(nameObj);
    ownPtr->acquired = acquired;
    ownPtr->lost = lost;
    if (acquired != NULL) {
	Tcl_IncrRefCount(acquired);
    }
    if (lost != NULL) {
	Tcl_IncrRefCount(lost);
    }
    for (k = 0; k < 3; k++) {
	DbusMatchRule *rulePtr = DbusMatchNew();
	const char *err;
	const char *name = Tcl_GetString(nameObj);
	int ok;

	if (rulePtr == NULL) {
	    NameOwnFree(ownPtr);
	    return DbusNoMemory(interp);
	}
	if (k < 2) {
	    ok = DbusMatchSet(rulePtr, "sender", 6, DBUS_SERVICE_DBUS,
		    strlen(DBUS_SERVICE_DBUS), &err)
		    && DbusMatchSet(rulePtr, "interface", 9,
		    DBUS_INTERFACE_DBUS, strlen(DBUS_INTERFACE_DBUS), &err)
		    && DbusMatchSet(rulePtr, "arg0", 4, name, strlen(name),
		    &err);
	} else {
	    ok = DbusMatchSet(rulePtr, "interface", 9, DBUS_LOCAL_INTERFACE,
		    strlen(DBUS_LOCAL_INTERFACE), &err)
		    && DbusMatchSet(rulePtr, "path", 4, DBUS_LOCAL_PATH,
		    strlen(DBUS_LOCAL_PATH), &err);
	}
	ok = ok && DbusMatchSet(rulePtr, "member", 6, members[k],
		strlen(members[k]), &err);
	if (!ok) {
	    DbusMatchFree(rulePtr);
	    NameOwnFree(ownPtr);
	    return DbusNoMemory(interp);
	}
	ownPtr->subs[k] = DbusSubscribe(interp, connPtr, rulePtr,
		DBUS_SUB_NOMATCH, NULL, NameSignalProc, ownPtr);
	if (ownPtr->subs[k] == NULL) {
	    NameOwnFree(ownPtr);
	    return TCL_ERROR;
	}
    }
    tablePtr = GetTable(connPtr, 1);
    ownPtr->nextPtr = tablePtr->firstOwn;
    tablePtr->firstOwn = ownPtr;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNameCallbacksRemove --
 *
 *	Forget interp's -acquired / -lost scripts for a name (dbus release,
 *	a request that failed).  Nothing happens when there are none.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Ends the registration's subscriptions.
 *
 *----------------------------------------------------------------------
 */

void
DbusNameCallbacksRemove(
    DbusConn *connPtr,
    Tcl_Interp *interp,
    const char *name)
{
    NameOwn **linkPtr;
    NameOwn *ownPtr = FindOwn(connPtr, interp, name, &linkPtr);

    if (ownPtr != NULL) {
	*linkPtr = ownPtr->nextPtr;
	NameOwnFree(ownPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNameCallbacksOwned --
 *
 *	The request found the connection owning the name already: note it
 *	as the primary owner (no NameAcquired will come), so that -lost
 *	runs when it goes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets the registration's state.
 *
 *----------------------------------------------------------------------
 */

void
DbusNameCallbacksOwned(
    DbusConn *connPtr,
    Tcl_Interp *interp,
    const char *name)
{
    NameOwn *ownPtr = FindOwn(connPtr, interp, name, NULL);

    if (ownPtr != NULL) {
	ownPtr->primary = 1;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNamesForget --
 *
 *	End interp's watches and name registrations on a connection (dbus
 *	close, interp deletion, reconnect after a lost bus).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	No script of them runs any more.
 *
 *----------------------------------------------------------------------
 */

void
DbusNamesForget(
    DbusConn *connPtr,
    Tcl_Interp *interp)
{
    DbusNameTable *tablePtr = GetTable(connPtr, 0);
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    NameOwn **linkPtr;

    if (tablePtr == NULL) {
	return;
    }
    hPtr = Tcl_FirstHashEntry(&tablePtr->watches, &search);
    while (hPtr != NULL) {
	Watch *watchPtr = (Watch *) Tcl_GetHashValue(hPtr);

	hPtr = Tcl_NextHashEntry(&search);
	if (interp == NULL || watchPtr->interp == interp) {
	    WatchRemove(watchPtr);
	}
    }
    linkPtr = &tablePtr->firstOwn;
    while (*linkPtr != NULL) {
	NameOwn *ownPtr = *linkPtr;

	if (interp == NULL || ownPtr->interp == interp) {
	    *linkPtr = ownPtr->nextPtr;
	    NameOwnFree(ownPtr);
	} else {
	    linkPtr = &ownPtr->nextPtr;
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNamesFree --
 *
 *	The connection closes: end every watch and registration and free
 *	the table.  Must run before DbusSubscriptionsFree (registrations
 *	hold subscriptions).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the table; no script runs.
 *
 *----------------------------------------------------------------------
 */

void
DbusNamesFree(
    DbusConn *connPtr)
{
    DbusNameTable *tablePtr = GetTable(connPtr, 0);

    if (tablePtr == NULL) {
	return;
    }
    DbusNamesForget(connPtr, NULL);
    Tcl_DeleteHashTable(&tablePtr->watches);
    ckfree((char *) tablePtr);
    connPtr->nameData = NULL;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
