/*
 * dbusOwner.c --
 *
 *	Name-owner tracking: per connection, a table of the watched names
 *	and their current unique owners, kept current from the bus's
 *	NameOwnerChanged signals (and a GetNameOwner per new name), with C
 *	callbacks on every change for the layers above (dbus watch,
 *	-sender matching of subscriptions, proxies following their
 *	destination, credential caches).  The API and the callback
 *	protocol are described in dbusInt.h.
 *
 *	The state lives in the connection's bus record (DbusBusData,
 *	dbusBus.c), created on first use and freed when the connection
 *	closes (DbusBusFree, here: watches get a final call first).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * One watched name (entry of DbusBusData.owners).
 */

typedef struct DbusNameOwner {
    Tcl_HashEntry *hPtr;	/* our entry in busPtr->owners */
    Tcl_Obj *nameObj;		/* the name; refcount held */
    Tcl_Obj *ownerObj;		/* current owner ("" = none) or NULL while
				 * unknown; refcount held */
    char *rule;			/* NameOwnerChanged rule in the registry;
				 * ckalloc'ed, owned */
    DbusPending *queryPtr;	/* GetNameOwner in flight, or NULL; owned by
				 * the connection's pending table */
    int nWatches;		/* live watches; the record goes at 0 */
    DbusOwnerWatch *firstWatch;	/* registration order (owned list) */
    DbusOwnerWatch *lastWatch;
} DbusNameOwner;

/*
 * One registered callback.
 */

struct DbusOwnerWatch {
    DbusConn *connPtr;		/* borrowed: the connection owns us */
    DbusNameOwner *ownerPtr;	/* the watched name, NULL for "every name" */
    DbusOwnerProc *proc;	/* NULL once removed (freed when no
				 * notification runs over the list) */
    ClientData clientData;	/* not owned */
    unsigned int generation;	/* busPtr->generation at registration */
    DbusOwnerWatch *nextPtr;
};

#define NOC_RULE_HEAD \
    "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" \
    DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',path='" DBUS_PATH_DBUS "'"

static void		OwnerQueryProc(ClientData clientData,
			    DbusConn *connPtr, DBusMessage *reply);
static void		SetOwner(DbusConn *connPtr, DbusNameOwner *ownerPtr,
			    const char *owner, int initial);
static void		NotifyList(DbusConn *connPtr, DbusBusData *busPtr,
			    DbusOwnerWatch *firstPtr, unsigned int generation,
			    Tcl_Obj *nameObj, Tcl_Obj *oldObj,
			    Tcl_Obj *newObj);
static void		SweepList(DbusOwnerWatch **firstPtrPtr,
			    DbusOwnerWatch **lastPtrPtr);
static void		OwnerRelease(DbusConn *connPtr,
			    DbusNameOwner *ownerPtr);
static void		EndNotify(DbusConn *connPtr, DbusBusData *busPtr);
static void		FreeBusData(DbusConn *connPtr, DbusBusData *busPtr);


/*
 *----------------------------------------------------------------------
 *
 * DbusBusWatchOwner --
 *
 *	Register a callback for the owner changes of a name (NULL: of
 *	every name whose NameOwnerChanged reaches the connection).  See
 *	dbusInt.h for the protocol.
 *
 * Results:
 *	The watch, owned by the connection; released with
 *	DbusBusUnwatchOwner or when the connection closes.  NULL when the
 *	connection is closed already.
 *
 * Side effects:
 *	The first watch of a name adds its NameOwnerChanged rule (not
 *	waiting) and sends GetNameOwner (answer handled by
 *	OwnerQueryProc from the event loop).
 *
 *----------------------------------------------------------------------
 */

DbusOwnerWatch *
DbusBusWatchOwner(
    DbusConn *connPtr,
    const char *name,		/* a valid bus name, or NULL */
    DbusOwnerProc *proc,
    ClientData clientData)	/* not owned */
{
    DbusBusData *busPtr;
    DbusOwnerWatch *watchPtr;
    DbusNameOwner *ownerPtr = NULL;

    if (connPtr->flags & DBUS_CONN_CLOSED) {
	return NULL;
    }
    busPtr = DbusBusGetData(connPtr, 1);
    watchPtr = (DbusOwnerWatch *) ckalloc(sizeof(DbusOwnerWatch));
    watchPtr->connPtr = connPtr;
    watchPtr->proc = proc;
    watchPtr->clientData = clientData;
    watchPtr->generation = ++busPtr->generation;
    watchPtr->nextPtr = NULL;
    if (name == NULL) {
	watchPtr->ownerPtr = NULL;
	if (busPtr->lastAny != NULL) {
	    busPtr->lastAny->nextPtr = watchPtr;
	} else {
	    busPtr->firstAny = watchPtr;
	}
	busPtr->lastAny = watchPtr;
	return watchPtr;
    }

    {
	int isNew;
	Tcl_HashEntry *hPtr = Tcl_CreateHashEntry(&busPtr->owners, name,
		&isNew);

	if (isNew) {
	    Tcl_DString rule;

	    ownerPtr = (DbusNameOwner *) ckalloc(sizeof(DbusNameOwner));
	    memset(ownerPtr, 0, sizeof(DbusNameOwner));
	    ownerPtr->hPtr = hPtr;
	    ownerPtr->nameObj = Tcl_NewStringObj(name, -1);
	    Tcl_IncrRefCount(ownerPtr->nameObj);
	    Tcl_SetHashValue(hPtr, ownerPtr);

	    Tcl_DStringInit(&rule);
	    Tcl_DStringAppend(&rule, NOC_RULE_HEAD, -1);
	    DbusMatchAppend(&rule, "arg0", name);
	    ownerPtr->rule = ckalloc(Tcl_DStringLength(&rule) + 1);
	    memcpy(ownerPtr->rule, Tcl_DStringValue(&rule),
		    Tcl_DStringLength(&rule) + 1);
	    Tcl_DStringFree(&rule);
	    if (DbusBusAddMatch(NULL, connPtr, ownerPtr->rule,
		    DBUS_MATCH_NOWAIT) == TCL_OK) {
		DBusMessage *msg = dbus_message_new_method_call(
			DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
			"GetNameOwner");
		dbus_uint32_t serial;

		if (msg != NULL && dbus_message_append_args(msg,
			DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)
			&& DbusSend(NULL, connPtr, msg, &serial) == TCL_OK) {
		    ownerPtr->queryPtr = DbusPendingNewProc(connPtr, serial,
			    OwnerQueryProc, ownerPtr, -1);
		}
		if (msg != NULL) {
		    dbus_message_unref(msg);
		}
	    }
	} else {
	    ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);
	}
    }
    watchPtr->ownerPtr = ownerPtr;
    ownerPtr->nWatches++;
    if (ownerPtr->lastWatch != NULL) {
	ownerPtr->lastWatch->nextPtr = watchPtr;
    } else {
	ownerPtr->firstWatch = watchPtr;
    }
    ownerPtr->lastWatch = watchPtr;
    return watchPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusUnwatchOwner --
 *
 *	Remove a watch.  Safe from inside any owner callback.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The watch is freed (at once, or when the running notifications
 *	are done).  The last watch of a name removes its rule (not
 *	waiting), cancels its GetNameOwner and forgets the name.
 *
 *----------------------------------------------------------------------
 */

void
DbusBusUnwatchOwner(
    DbusOwnerWatch *watchPtr)
{
    DbusConn *connPtr = watchPtr->connPtr;
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
    DbusNameOwner *ownerPtr = watchPtr->ownerPtr;

    if (watchPtr->proc == NULL || busPtr == NULL) {
	return;
    }
    watchPtr->proc = NULL;
    if (ownerPtr != NULL) {
	ownerPtr->nWatches--;
    }
    if (busPtr->busy > 0) {
	busPtr->needSweep = 1;
	return;
    }
    if (ownerPtr == NULL) {
	SweepList(&busPtr->firstAny, &busPtr->lastAny);
    } else {
	SweepList(&ownerPtr->firstWatch, &ownerPtr->lastWatch);
	if (ownerPtr->nWatches == 0) {
	    OwnerRelease(connPtr, ownerPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * EndNotify --
 *
 *	End of a run of owner callbacks (busPtr->busy was raised by the
 *	caller): when it was the outermost, free what the callbacks
 *	removed, or the whole record if the connection closed meanwhile.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May free watches, watched names (removing their rules), or the
 *	bus record.
 *
 *----------------------------------------------------------------------
 */

static void
EndNotify(
    DbusConn *connPtr,
    DbusBusData *busPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (--busPtr->busy > 0) {
	return;
    }
    if (busPtr->closing) {
	FreeBusData(connPtr, busPtr);
	return;
    }
    if (!busPtr->needSweep) {
	return;
    }
    busPtr->needSweep = 0;
    SweepList(&busPtr->firstAny, &busPtr->lastAny);
    hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search);
    while (hPtr != NULL) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	hPtr = Tcl_NextHashEntry(&search);
	SweepList(&ownerPtr->firstWatch, &ownerPtr->lastWatch);
	if (ownerPtr->nWatches == 0) {
	    OwnerRelease(connPtr, ownerPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * SweepList --
 *
 *	Free the removed watches (proc NULL) of a list.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees watch records; relinks the list.
 *
 *----------------------------------------------------------------------
 */

static void
SweepList(
    DbusOwnerWatch **firstPtrPtr,
    DbusOwnerWatch **lastPtrPtr)
{
    DbusOwnerWatch **pp = firstPtrPtr, *lastPtr = NULL;

    while (*pp != NULL) {
	DbusOwnerWatch *watchPtr = *pp;

	if (watchPtr->proc == NULL) {
	    *pp = watchPtr->nextPtr;
	    ckfree((char *) watchPtr);
	} else {
	    lastPtr = watchPtr;
	    pp = &watchPtr->nextPtr;
	}
    }
    *lastPtrPtr = lastPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerRelease --
 *
 *	Forget a watched name that has no watches left.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes its rule from the registry (not waiting), cancels its
 *	GetNameOwner, frees the record and its remaining watch records.
 *
 *----------------------------------------------------------------------
 */

static void
OwnerRelease(
    DbusConn *connPtr,
    DbusNameOwner *ownerPtr)
{
    DbusOwnerWatch *watchPtr, *nextPtr;

    if (ownerPtr->queryPtr != NULL) {
	DbusPendingFree(ownerPtr->queryPtr);
	ownerPtr->queryPtr = NULL;
    }
    DbusBusRemoveMatch(NULL, connPtr, ownerPtr->rule, DBUS_MATCH_NOWAIT);
    Tcl_DeleteHashEntry(ownerPtr->hPtr);
    for (watchPtr = ownerPtr->firstWatch; watchPtr; watchPtr = nextPtr) {
	nextPtr = watchPtr->nextPtr;
	ckfree((char *) watchPtr);
    }
    Tcl_DecrRefCount(ownerPtr->nameObj);
    if (ownerPtr->ownerObj != NULL) {
	Tcl_DecrRefCount(ownerPtr->ownerObj);
    }
    ckfree(ownerPtr->rule);
    ckfree((char *) ownerPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusNameOwner --
 *
 *	The current owner of a watched name.
 *
 * Results:
 *	Borrowed object: the unique owner, "" for none; NULL when the
 *	name is not watched or its owner is not known yet.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusBusNameOwner(
    DbusConn *connPtr,
    const char *name)
{
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
    Tcl_HashEntry *hPtr;

    if (busPtr == NULL) {
	return NULL;
    }
    hPtr = Tcl_FindHashEntry(&busPtr->owners, name);
    return hPtr ? ((DbusNameOwner *) Tcl_GetHashValue(hPtr))->ownerObj
	    : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerQueryProc --
 *
 *	The answer to a name's GetNameOwner: its owner, "" when the bus
 *	says it has none or the call failed.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May set the owner and run the watches (SetOwner).
 *
 *----------------------------------------------------------------------
 */

static void
OwnerQueryProc(
    ClientData clientData,	/* DbusNameOwner */
    DbusConn *connPtr,
    DBusMessage *reply)
{
    DbusNameOwner *ownerPtr = (DbusNameOwner *) clientData;
    const char *owner = "";

    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);

    ownerPtr->queryPtr = NULL;
    if ((connPtr->flags & DBUS_CONN_CLOSED) || busPtr == NULL
	    || busPtr->closing) {
	return;
    }
    if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN
	    && !dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner,
	    DBUS_TYPE_INVALID)) {
	owner = "";
    }
    busPtr->busy++;
    if (ownerPtr->ownerObj == NULL) {
	SetOwner(connPtr, ownerPtr, owner, 1);
    } else if (strcmp(Tcl_GetString(ownerPtr->ownerObj), owner) != 0) {
	SetOwner(connPtr, ownerPtr, owner, 0);
    }
    EndNotify(connPtr, busPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * SetOwner --
 *
 *	Record a name's new owner and tell its watches.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Replaces ownerPtr->ownerObj; runs the callbacks (which may run
 *	scripts and remove watches).  The caller holds busPtr->busy, so
 *	ownerPtr stays valid.
 *
 *----------------------------------------------------------------------
 */

static void
SetOwner(
    DbusConn *connPtr,
    DbusNameOwner *ownerPtr,
    const char *owner,		/* new owner, "" none */
    int initial)		/* first knowledge: old owner NULL */
{
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
    Tcl_Obj *oldObj = ownerPtr->ownerObj, *newObj, *nameObj;

    newObj = Tcl_NewStringObj(owner, -1);
    Tcl_IncrRefCount(newObj);
    ownerPtr->ownerObj = newObj;
    Tcl_IncrRefCount(newObj);
    nameObj = ownerPtr->nameObj;
    Tcl_IncrRefCount(nameObj);

    NotifyList(connPtr, busPtr, ownerPtr->firstWatch, busPtr->generation,
	    nameObj, initial ? NULL : oldObj, newObj);
    Tcl_DecrRefCount(nameObj);
    Tcl_DecrRefCount(newObj);
    if (oldObj != NULL) {
	Tcl_DecrRefCount(oldObj);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * NotifyList --
 *
 *	Call the live watches of a list that existed when the change
 *	happened (generation), in order; stop when the connection closes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Whatever the callbacks do.  The caller holds busPtr->busy so that
 *	removed watches stay linked until EndNotify.
 *
 *----------------------------------------------------------------------
 */

static void
NotifyList(
    DbusConn *connPtr,
    DbusBusData *busPtr,
    DbusOwnerWatch *firstPtr,
    unsigned int generation,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldObj,
    Tcl_Obj *newObj)
{
    DbusOwnerWatch *watchPtr;

    Tcl_Preserve(connPtr);
    for (watchPtr = firstPtr; watchPtr != NULL && !busPtr->closing;
	    watchPtr = watchPtr->nextPtr) {
	if (watchPtr->proc != NULL && watchPtr->generation <= generation) {
	    watchPtr->proc(watchPtr->clientData, connPtr, nameObj, oldObj,
		    newObj);
	}
    }
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerChanged --
 *
 *	A NameOwnerChanged signal from the bus: update the watched name it
 *	concerns and tell the watches of every name.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs owner callbacks.
 *
 *----------------------------------------------------------------------
 */

static void
OwnerChanged(
    DbusConn *connPtr,
    DbusBusData *busPtr,
    DBusMessage *msg)
{
    const char *name, *oldOwner, *newOwner;
    unsigned int generation = busPtr->generation;
    Tcl_HashEntry *hPtr;

    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name,
	    DBUS_TYPE_STRING, &oldOwner, DBUS_TYPE_STRING, &newOwner,
	    DBUS_TYPE_INVALID)) {
	return;
    }
    hPtr = Tcl_FindHashEntry(&busPtr->owners, name);
    if (hPtr != NULL) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	if (ownerPtr->ownerObj == NULL) {
	    SetOwner(connPtr, ownerPtr, newOwner, 1);
	} else if (strcmp(Tcl_GetString(ownerPtr->ownerObj), newOwner)) {
	    SetOwner(connPtr, ownerPtr, newOwner, 0);
	}
    }
    if (busPtr->firstAny != NULL && !busPtr->closing) {
	Tcl_Obj *nameObj = Tcl_NewStringObj(name, -1);
	Tcl_Obj *oldObj = Tcl_NewStringObj(oldOwner, -1);
	Tcl_Obj *newObj = Tcl_NewStringObj(newOwner, -1);

	Tcl_IncrRefCount(nameObj);
	Tcl_IncrRefCount(oldObj);
	Tcl_IncrRefCount(newObj);
	NotifyList(connPtr, busPtr, busPtr->firstAny, generation, nameObj,
		oldObj, newObj);
	Tcl_DecrRefCount(nameObj);
	Tcl_DecrRefCount(oldObj);
	Tcl_DecrRefCount(newObj);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ConnGone --
 *
 *	The bus connection was lost: every watched name with an owner
 *	loses it.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs owner callbacks with new owner "".
 *
 *----------------------------------------------------------------------
 */

static void
ConnGone(
    DbusConn *connPtr,
    DbusBusData *busPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    Tcl_Obj *namesPtr = Tcl_NewListObj(0, NULL);
    Tcl_Obj **namev;
    Tcl_Size n, i;

    /*
     * Collect first: the callbacks may change the table.
     */

    Tcl_IncrRefCount(namesPtr);
    for (hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	if (ownerPtr->ownerObj == NULL
		|| Tcl_GetCharLength(ownerPtr->ownerObj) > 0) {
	    Tcl_ListObjAppendElement(NULL, namesPtr, ownerPtr->nameObj);
	}
    }
    Tcl_ListObjGetElements(NULL, namesPtr, &n, &namev);
    for (i = 0; i < n && !busPtr->closing; i++) {
	hPtr = Tcl_FindHashEntry(&busPtr->owners, Tcl_GetString(namev[i]));
	if (hPtr != NULL) {
	    DbusNameOwner *ownerPtr = (DbusNameOwner *)
		    Tcl_GetHashValue(hPtr);

	    SetOwner(connPtr, ownerPtr, "", ownerPtr->ownerObj == NULL);
	}
    }
    Tcl_DecrRefCount(namesPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusSignal --
 *
 *	Hook of the delivery path (dbusDeliver.c) for every signal, before
 *	the signal handlers see it: NameOwnerChanged from the bus updates
 *	the owner table, Local.Disconnected empties it.  Cheap when nobody
 *	watches a name (no bus record).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May run owner callbacks.
 *
 *----------------------------------------------------------------------
 */

void
DbusBusSignal(
    DbusConn *connPtr,
    DBusMessage *msg)		/* a signal; borrowed */
{
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
    const char *sender;

    if (busPtr == NULL || busPtr->closing || (busPtr->owners.numEntries == 0
	    && busPtr->firstAny == NULL)) {
	return;
    }
    busPtr->busy++;
    if (dbus_message_is_signal(msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged")
	    && (sender = dbus_message_get_sender(msg)) != NULL
	    && strcmp(sender, DBUS_SERVICE_DBUS) == 0
	    && dbus_message_has_path(msg, DBUS_PATH_DBUS)) {
	OwnerChanged(connPtr, busPtr, msg);
    } else if (dbus_message_is_signal(msg, DBUS_LOCAL_INTERFACE,
	    "Disconnected") && dbus_message_has_path(msg, DBUS_LOCAL_PATH)) {
	ConnGone(connPtr, busPtr);
    }
    EndNotify(connPtr, busPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusFree --
 *
 *	The connection is closing: give every watch its final call (new
 *	owner NULL) and free the bus record.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the registry, the owner table and all watches;
 *	connPtr->busData becomes NULL.  Sends nothing (the connection is
 *	going away).
 *
 *----------------------------------------------------------------------
 */

void
DbusBusFree(
    DbusConn *connPtr)
{
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbusOwnerWatch *watchPtr;

    if (busPtr == NULL || busPtr->closing) {
	return;
    }
    busPtr->closing = 1;
    busPtr->busy++;
    for (hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	for (watchPtr = ownerPtr->firstWatch; watchPtr;
		watchPtr = watchPtr->nextPtr) {
	    DbusOwnerProc *proc = watchPtr->proc;

	    if (proc != NULL) {
		watchPtr->proc = NULL;
		proc(watchPtr->clientData, connPtr, ownerPtr->nameObj,
			ownerPtr->ownerObj, NULL);
	    }
	}
    }
    for (watchPtr = busPtr->firstAny; watchPtr; watchPtr = watchPtr->nextPtr) {
	DbusOwnerProc *proc = watchPtr->proc;

	if (proc != NULL) {
	    watchPtr->proc = NULL;
	    proc(watchPtr->clientData, connPtr, NULL, NULL, NULL);
	}
    }
    EndNotify(connPtr, busPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * FreeBusData --
 *
 *	Free a closing connection's bus record once no notification runs.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the registry, the owner table and all watch records; cancels
 *	GetNameOwner calls still listed; connPtr->busData becomes NULL.
 *	Sends nothing.
 *
 *----------------------------------------------------------------------
 */

static void
FreeBusData(
    DbusConn *connPtr,
    DbusBusData *busPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbusOwnerWatch *watchPtr, *nextPtr;

    for (hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	for (watchPtr = ownerPtr->firstWatch; watchPtr; watchPtr = nextPtr) {
	    nextPtr = watchPtr->nextPtr;
	    ckfree((char *) watchPtr);
	}
	if (ownerPtr->queryPtr != NULL) {
	    DbusPendingFree(ownerPtr->queryPtr);
	}
	Tcl_DecrRefCount(ownerPtr->nameObj);
	if (ownerPtr->ownerObj != NULL) {
	    Tcl_DecrRefCount(ownerPtr->ownerObj);
	}
	ckfree(ownerPtr->rule);
	ckfree((char *) ownerPtr);
    }
    for (watchPtr = busPtr->firstAny; watchPtr; watchPtr = nextPtr) {
	nextPtr = watchPtr->nextPtr;
	ckfree((char *) watchPtr);
    }
    Tcl_DeleteHashTable(&busPtr->owners);
    Tcl_DeleteHashTable(&busPtr->rules);
    ckfree((char *) busPtr);
    connPtr->busData = NULL;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
