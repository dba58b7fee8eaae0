/*
 * dbusHandler.c --
 *
 *	The handler tables of a connection: method, signal and unknown
 *	handlers per object path ("" = every path), monitors, and the
 *	lookups that decide which handlers an incoming message reaches
 *	(reference 1.7 and 1.8 for the order).
 *
 *	A method or unknown handler belongs to one interp; signal handlers
 *	form a list with at most one entry per interp.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * Room for "interface.member" (each at most 255 bytes).
 */

#define KEY_SIZE 520

/*
 *----------------------------------------------------------------------
 *
 * DbusHandlerNew --
 *
 *	Make a handler record with one reference (the caller's).
 *
 * Results:
 *	The record.
 *
 * Side effects:
 *	Holds a reference to script (when not NULL); notes interp's record
 *	(DbusGetInterpData, which makes it if needed).
 *
 *----------------------------------------------------------------------
 */

DbusHandler *
DbusHandlerNew(
    Tcl_Interp *interp,
    Tcl_Obj *script,
    DbusMessageProc *proc,
    ClientData clientData,
    int flags)
{
    DbusHandler *handlerPtr = (DbusHandler *) ckalloc(sizeof(DbusHandler));

    handlerPtr->refCount = 1;
    handlerPtr->interp = interp;
    handlerPtr->dataPtr = (interp != NULL) ? DbusGetInterpData(interp)
	    : NULL;
    handlerPtr->script = script;
    if (script != NULL) {
	Tcl_IncrRefCount(script);
    }
    handlerPtr->proc = proc;
    handlerPtr->clientData = clientData;
    handlerPtr->flags = flags;
    handlerPtr->nextPtr = NULL;
    return handlerPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusHandlerRelease --
 *
 *	Drop one reference; free the record at zero.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	At zero the script (if any) is released and the record freed.
 *
 *----------------------------------------------------------------------
 */

void
DbusHandlerRelease(
    DbusHandler *handlerPtr)
{
    if (--handlerPtr->refCount > 0) {
	return;
    }
    if (handlerPtr->script != NULL) {
	Tcl_DecrRefCount(handlerPtr->script);
    }
    ckfree((char *) handlerPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * Unlink --
 *
 *	A handler leaves its table: it will not run again, even from a
 *	list a dispatcher already copied.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Clears handlerPtr->interp (so a copied list skips it) and drops the
 *	table's reference (DbusHandlerRelease).
 *
 *----------------------------------------------------------------------
 */

static void
Unlink(
    DbusHandler *handlerPtr)
{
    handlerPtr->interp = NULL;
    DbusHandlerRelease(handlerPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPathGet --
 *
 *	The handler tables of one path, optionally created.
 *
 * Results:
 *	The DbusPath, or NULL when absent and create is 0.
 *
 * Side effects:
 *	With create, a missing path gets empty tables (owned by
 *	connPtr->paths; freed by PathPrune or DbusPathsFree).
 *
 *----------------------------------------------------------------------
 */

DbusPath *
DbusPathGet(
    DbusConn *connPtr,
    const char *path,
    int create)
{
    Tcl_HashEntry *hPtr;
    DbusPath *pathPtr;
    int isNew;

    if (!create) {
	hPtr = Tcl_FindHashEntry(&connPtr->paths, path);
	return hPtr ? (DbusPath *) Tcl_GetHashValue(hPtr) : NULL;
    }
    hPtr = Tcl_CreateHashEntry(&connPtr->paths, path, &isNew);
    if (!isNew) {
	return (DbusPath *) Tcl_GetHashValue(hPtr);
    }
    pathPtr = (DbusPath *) ckalloc(sizeof(DbusPath));
    Tcl_InitHashTable(&pathPtr->methods, TCL_STRING_KEYS);
    Tcl_InitHashTable(&pathPtr->signals, TCL_STRING_KEYS);
    pathPtr->unknown = NULL;
    Tcl_SetHashValue(hPtr, pathPtr);
    return pathPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * PathPrune --
 *
 *	Free the tables of a path that has no handler left.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the path's tables and its entry in connPtr->paths when no
 *	method, signal or unknown handler is left.
 *
 *----------------------------------------------------------------------
 */

static void
PathPrune(
    DbusConn *connPtr,
    const char *path)
{
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&connPtr->paths, path);
    DbusPath *pathPtr;

    if (hPtr == NULL) {
	return;
    }
    pathPtr = (DbusPath *) Tcl_GetHashValue(hPtr);
    if (pathPtr->methods.numEntries || pathPtr->signals.numEntries
	    || pathPtr->unknown) {
	return;
    }
    Tcl_DeleteHashTable(&pathPtr->methods);
    Tcl_DeleteHashTable(&pathPtr->signals);
    ckfree((char *) pathPtr);
    Tcl_DeleteHashEntry(hPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * Replace --
 *
 *	The ownership rule of a method or unknown slot: a handler of the
 *	same interp (or none) makes way for the new one, a handler of
 *	another interp keeps the slot.
 *
 * Results:
 *	TCL_OK when the caller may store handlerPtr in the slot, or
 *	TCL_ERROR {DBUS INUSE detail value} with message.
 *
 * Side effects:
 *	Unlinks oldPtr, or on error releases the reference to handlerPtr.
 *
 *----------------------------------------------------------------------
 */

static int
Replace(
    Tcl_Interp *interp,
    DbusHandler *oldPtr,	/* the slot's handler or NULL */
    DbusHandler *handlerPtr,	/* the caller's reference */
    const char *detail,		/* "METHOD" or "UNKNOWN" */
    const char *value,		/* key or path, for the error code */
    const char *message)
{
    if (oldPtr == NULL) {
	return TCL_OK;
    }
    if (oldPtr->interp != handlerPtr->interp) {
	DbusHandlerRelease(handlerPtr);
	return DbusError(interp, DBUS_EC_INUSE, detail, value, "%s",
		message);
    }
    Unlink(oldPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusHandlerInstall --
 *
 *	Put a handler into a table, taking over the caller's reference.
 *	A method or unknown handler of another (living) interp makes this
 *	fail; one of the same interp is replaced.  A signal handler
 *	replaces the same interp's entry or joins the list.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR ({DBUS INUSE METHOD|UNKNOWN}); on error the
 *	reference is released.
 *
 * Side effects:
 *	The table holds the caller's reference to handlerPtr; a replaced
 *	handler of the same interp is unlinked (it runs no more) and loses the
 *	table's reference.
 *
 *----------------------------------------------------------------------
 */

int
DbusHandlerInstall(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DbusTable table,
    const char *path,
    const char *key,		/* ignored for DBUS_TABLE_UNKNOWN */
    DbusHandler *handlerPtr)
{
    DbusPath *pathPtr = DbusPathGet(connPtr, path, 1);
    Tcl_HashEntry *hPtr;
    DbusHandler *oldPtr, **pp;
    int isNew;

    connPtr->handlerEpoch++;
    switch (table) {
    case DBUS_TABLE_METHOD:
	hPtr = Tcl_CreateHashEntry(&pathPtr->methods, key, &isNew);
	if (Replace(interp, isNew ? NULL : (DbusHandler *)
		Tcl_GetHashValue(hPtr), handlerPtr, "METHOD", key,
		"method is in use by another interpreter") != TCL_OK) {
	    return TCL_ERROR;
	}
	Tcl_SetHashValue(hPtr, handlerPtr);
	return TCL_OK;
    case DBUS_TABLE_UNKNOWN:
	if (Replace(interp, pathPtr->unknown, handlerPtr, "UNKNOWN", path,
		"unknown handler is defined by another interpreter")
		!= TCL_OK) {
	    return TCL_ERROR;
	}
	pathPtr->unknown = handlerPtr;
	return TCL_OK;
    case DBUS_TABLE_SIGNAL:
	hPtr = Tcl_CreateHashEntry(&pathPtr->signals, key, &isNew);
	pp = (DbusHandler **) (isNew ? NULL : &hPtr->clientData);
	if (isNew) {
	    Tcl_SetHashValue(hPtr, handlerPtr);
	    return TCL_OK;
	}
	for (; *pp != NULL; pp = &(*pp)->nextPtr) {
	    if ((*pp)->interp == handlerPtr->interp) {
		oldPtr = *pp;
		handlerPtr->nextPtr = oldPtr->nextPtr;
		*pp = handlerPtr;
		oldPtr->nextPtr = NULL;
		Unlink(oldPtr);
		return TCL_OK;
	    }
	}
	*pp = handlerPtr;
	return TCL_OK;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusHandlerLookup --
 *
 *	The handler interp registered in a table entry, for queries.
 *
 * Results:
 *	The handler (borrowed) or NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DbusHandler *
DbusHandlerLookup(
    DbusConn *connPtr,
    DbusTable table,
    const char *path,
    const char *key,
    Tcl_Interp *interp)
{
    DbusPath *pathPtr = DbusPathGet(connPtr, path, 0);
    Tcl_HashEntry *hPtr;
    DbusHandler *handlerPtr;

    if (pathPtr == NULL) {
	return NULL;
    }
    switch (table) {
    case DBUS_TABLE_UNKNOWN:
	handlerPtr = pathPtr->unknown;
	return (handlerPtr && handlerPtr->interp == interp) ? handlerPtr
		: NULL;
    case DBUS_TABLE_METHOD:
	hPtr = Tcl_FindHashEntry(&pathPtr->methods, key);
	if (hPtr == NULL) {
	    return NULL;
	}
	handlerPtr = (DbusHandler *) Tcl_GetHashValue(hPtr);
	return (handlerPtr->interp == interp) ? handlerPtr : NULL;
    case DBUS_TABLE_SIGNAL:
	hPtr = Tcl_FindHashEntry(&pathPtr->signals, key);
	for (handlerPtr = hPtr ? (DbusHandler *) Tcl_GetHashValue(hPtr)
		: NULL; handlerPtr != NULL; handlerPtr = handlerPtr->nextPtr) {
	    if (handlerPtr->interp == interp) {
		return handlerPtr;
	    }
	}
	return NULL;
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusHandlerRemove --
 *
 *	Remove interp's handler from a table entry.
 *
 * Results:
 *	1 when something was removed, 0 otherwise.
 *
 * Side effects:
 *	The handler is unlinked (it runs no more, even from a list already
 *	copied) and loses the table's reference; the path's tables are freed
 *	when it was the last handler (PathPrune).
 *
 *----------------------------------------------------------------------
 */

int
DbusHandlerRemove(
    DbusConn *connPtr,
    DbusTable table,
    const char *path,
    const char *key,
    Tcl_Interp *interp)
{
    DbusPath *pathPtr = DbusPathGet(connPtr, path, 0);
    Tcl_HashEntry *hPtr;
    DbusHandler *handlerPtr, **pp;
    int removed = 0;

    if (pathPtr == NULL) {
	return 0;
    }
    connPtr->handlerEpoch++;
    switch (table) {
    case DBUS_TABLE_UNKNOWN:
	if (pathPtr->unknown && pathPtr->unknown->interp == interp) {
	    handlerPtr = pathPtr->unknown;
	    pathPtr->unknown = NULL;
	    Unlink(handlerPtr);
	    removed = 1;
	}
	break;
    case DBUS_TABLE_METHOD:
	hPtr = Tcl_FindHashEntry(&pathPtr->methods, key);
	if (hPtr != NULL) {
	    handlerPtr = (DbusHandler *) Tcl_GetHashValue(hPtr);
	    if (handlerPtr->interp == interp) {
		Tcl_DeleteHashEntry(hPtr);
		Unlink(handlerPtr);
		removed = 1;
	    }
	}
	break;
    case DBUS_TABLE_SIGNAL:
	hPtr = Tcl_FindHashEntry(&pathPtr->signals, key);
	if (hPtr == NULL) {
	    break;
	}
	for (pp = (DbusHandler **) &hPtr->clientData; *pp != NULL;
		pp = &(*pp)->nextPtr) {
	    if ((*pp)->interp == interp) {
		handlerPtr = *pp;
		*pp = handlerPtr->nextPtr;
		handlerPtr->nextPtr = NULL;
		Unlink(handlerPtr);
		removed = 1;
		break;
	    }
	}
	if (Tcl_GetHashValue(hPtr) == NULL) {
	    Tcl_DeleteHashEntry(hPtr);
	}
	break;
    }
    if (removed) {
	PathPrune(connPtr, path);
    }
    return removed;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusHandlersForget --
 *
 *	Remove every handler and the monitor that interp registered on a
 *	connection (dbus close, interp deletion).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks interp's method, signal and unknown handlers on every path
 *	(pruning emptied paths) and its monitor, and detaches interp from its
 *	-handler pending calls (their replies are then dropped).
 *
 *----------------------------------------------------------------------
 */

void
DbusHandlersForget(
    DbusConn *connPtr,
    Tcl_Interp *interp)
{
    Tcl_HashEntry *pEntry, *hPtr;
    Tcl_HashSearch pSearch, search;
    Tcl_Obj *pathsPtr = Tcl_NewListObj(0, NULL);
    Tcl_Obj **paths;
    Tcl_Size nPaths, i;

    connPtr->handlerEpoch++;
    Tcl_IncrRefCount(pathsPtr);
    for (pEntry = Tcl_FirstHashEntry(&connPtr->paths, &pSearch);
	    pEntry != NULL; pEntry = Tcl_NextHashEntry(&pSearch)) {
	DbusPath *pathPtr = (DbusPath *) Tcl_GetHashValue(pEntry);
	DbusHandler **pp;

	for (hPtr = Tcl_FirstHashEntry(&pathPtr->methods, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    DbusHandler *handlerPtr = (DbusHandler *) Tcl_GetHashValue(hPtr);

	    if (handlerPtr->interp == interp) {
		Tcl_DeleteHashEntry(hPtr);
		Unlink(handlerPtr);
	    }
	}
	for (hPtr = Tcl_FirstHashEntry(&pathPtr->signals, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    for (pp = (DbusHandler **) &hPtr->clientData; *pp != NULL; ) {
		if ((*pp)->interp == interp) {
		    DbusHandler *handlerPtr = *pp;

		    *pp = handlerPtr->nextPtr;
		    handlerPtr->nextPtr = NULL;
		    Unlink(handlerPtr);
		} else {
		    pp = &(*pp)->nextPtr;
		}
	    }
	    if (Tcl_GetHashValue(hPtr) == NULL) {
		Tcl_DeleteHashEntry(hPtr);
	    }
	}
	if (pathPtr->unknown && pathPtr->unknown->interp == interp) {
	    DbusHandler *handlerPtr = pathPtr->unknown;

	    pathPtr->unknown = NULL;
	    Unlink(handlerPtr);
	}
	Tcl_ListObjAppendElement(NULL, pathsPtr, Tcl_NewStringObj(
		Tcl_GetHashKey(&connPtr->paths, pEntry), -1));
    }
    Tcl_ListObjGetElements(NULL, pathsPtr, &nPaths, &paths);
    for (i = 0; i < nPaths; i++) {
	PathPrune(connPtr, Tcl_GetString(paths[i]));
    }
    Tcl_DecrRefCount(pathsPtr);

    DbusMonitorSet(connPtr, interp, NULL);

    /*
     * Replies for this interp's pending calls have nobody to go to.
     */

    {
	Tcl_HashSearch ps;
	Tcl_HashEntry *e;

	for (e = Tcl_FirstHashEntry(&connPtr->pending, &ps); e != NULL;
		e = Tcl_NextHashEntry(&ps)) {
	    DbusPending *pendPtr = (DbusPending *) Tcl_GetHashValue(e);

	    if (pendPtr->interp == interp
		    && pendPtr->kind == DBUS_PENDING_HANDLER) {
		pendPtr->interp = NULL;
		pendPtr->dataPtr = NULL;
	    }
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMonitorSet --
 *
 *	Make handlerPtr interp's monitor on a connection, in place of the
 *	one it had (at most one per interp); NULL just removes that one.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Takes over the caller's reference to handlerPtr; the old monitor
 *	is unlinked.
 *
 *----------------------------------------------------------------------
 */

void
DbusMonitorSet(
    DbusConn *connPtr,
    Tcl_Interp *interp,
    DbusHandler *handlerPtr)	/* reference taken over, or NULL */
{
    DbusMonitor **mpp, *monPtr;

    connPtr->handlerEpoch++;
    for (mpp = &connPtr->monitors; *mpp != NULL; ) {
	if ((*mpp)->handlerPtr->interp == interp) {
	    monPtr = *mpp;
	    *mpp = monPtr->nextPtr;
	    Unlink(monPtr->handlerPtr);
	    ckfree((char *) monPtr);
	} else {
	    mpp = &(*mpp)->nextPtr;
	}
    }
    if (handlerPtr != NULL) {
	monPtr = (DbusMonitor *) ckalloc(sizeof(DbusMonitor));
	monPtr->handlerPtr = handlerPtr;
	monPtr->nextPtr = connPtr->monitors;
	connPtr->monitors = monPtr;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPathsFree --
 *
 *	Free all handler tables of a closing connection.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Every handler is unlinked and every path's tables freed;
 *	connPtr->paths is left empty (re-initialised); the monitors are
 *	unlinked and freed, and the signal lookup cache too.
 *
 *----------------------------------------------------------------------
 */

void
DbusPathsFree(
    DbusConn *connPtr)
{
    Tcl_HashEntry *pEntry, *hPtr;
    Tcl_HashSearch pSearch, search;

    connPtr->handlerEpoch++;
    if (connPtr->lookupCache != NULL) {
	ckfree((char *) connPtr->lookupCache);
	connPtr->lookupCache = NULL;
    }
    for (pEntry = Tcl_FirstHashEntry(&connPtr->paths, &pSearch);
	    pEntry != NULL; pEntry = Tcl_NextHashEntry(&pSearch)) {
	DbusPath *pathPtr = (DbusPath *) Tcl_GetHashValue(pEntry);

	for (hPtr = Tcl_FirstHashEntry(&pathPtr->methods, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    Unlink((DbusHandler *) Tcl_GetHashValue(hPtr));
	}
	for (hPtr = Tcl_FirstHashEntry(&pathPtr->signals, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    DbusHandler *handlerPtr = (DbusHandler *) Tcl_GetHashValue(hPtr);

	    while (handlerPtr != NULL) {
		DbusHandler *nextPtr = handlerPtr->nextPtr;

		handlerPtr->nextPtr = NULL;
		Unlink(handlerPtr);
		handlerPtr = nextPtr;
	    }
	}
	if (pathPtr->unknown != NULL) {
	    Unlink(pathPtr->unknown);
	}
	Tcl_DeleteHashTable(&pathPtr->methods);
	Tcl_DeleteHashTable(&pathPtr->signals);
	ckfree((char *) pathPtr);
    }
    Tcl_DeleteHashTable(&connPtr->paths);
    Tcl_InitHashTable(&connPtr->paths, TCL_STRING_KEYS);
    while (connPtr->monitors != NULL) {
	DbusMonitor *monPtr = connPtr->monitors;

	connPtr->monitors = monPtr->nextPtr;
	Unlink(monPtr->handlerPtr);
	ckfree((char *) monPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * MakeKey --
 *
 *	"interface.member" into buf; returns 0 when it does not fit.
 *
 * Results:
 *	1 with the key in buf, or 0 when "interface.member" does not fit in
 *	KEY_SIZE bytes.
 *
 * Side effects:
 *	Writes buf.
 *
 *----------------------------------------------------------------------
 */

static int
MakeKey(
    char *buf,
    const char *intf,
    const char *member)
{
    size_t li = strlen(intf), lm = strlen(member);

    if (li + lm + 2 > KEY_SIZE) {
	return 0;
    }
    memcpy(buf, intf, li);
    buf[li] = '.';
    memcpy(buf + li + 1, member, lm + 1);
    return 1;
}

/*
 * The handlers the last signal of a connection reached (DbusFindSignals)
 * and the handler of its last method call (DbusFindMethod): a flood of one
 * signal, or many calls of one method, look their handlers up once.  The
 * entries hold no reference: they are used only while the connection's
 * handlerEpoch is the one they were found under, so every one of them is
 * still in its table.
 */

#define CACHE_MAX	8		/* handlers; more are not cached */
#define CACHE_KEY	(3 * 256)	/* path, interface, member + NULs;
					 * longer keys are not cached */
#define CACHE_SIGNAL	0		/* DbusLookupCache.entries index */
#define CACHE_METHOD	1

typedef struct LookupEntry {
    int valid;			/* the entry is filled */
    unsigned int epoch;		/* connPtr->handlerEpoch when filled */
    int n;			/* handlers found */
    DbusHandler *handlers[CACHE_MAX]; /* borrowed, see above */
    int hasIntf;		/* the message had an interface */
    size_t intfOff;		/* where interface and member start in key */
    size_t memberOff;
    char key[CACHE_KEY];	/* "path\0interface\0member\0" */
} LookupEntry;

typedef struct DbusLookupCache {
    LookupEntry entries[2];	/* CACHE_SIGNAL, CACHE_METHOD */
} DbusLookupCache;

/*
 *----------------------------------------------------------------------
 *
 * CacheHit, CacheFill --
 *
 *	Is a cache entry (CACHE_SIGNAL or CACHE_METHOD) the one of this
 *	path, interface and member, found under the current handler
 *	tables?  Make it so, with the n handlers found.
 *
 * Results:
 *	CacheHit: the entry, or NULL.  CacheFill: none.
 *
 * Side effects:
 *	CacheFill allocates connPtr->lookupCache (freed by DbusPathsFree)
 *	and fills the entry, or leaves it invalid when it does not fit.
 *
 *----------------------------------------------------------------------
 */

static LookupEntry *
CacheHit(
    DbusConn *connPtr,
    int which,
    const char *path,
    const char *intf,		/* may be NULL */
    const char *member)
{
    LookupEntry *e;

    if (connPtr->lookupCache == NULL) {
	return NULL;
    }
    e = &connPtr->lookupCache->entries[which];
    if (e->valid && e->epoch == connPtr->handlerEpoch
	    && strcmp(e->key + e->memberOff, member) == 0
	    && (intf == NULL ? !e->hasIntf : (e->hasIntf
		&& strcmp(e->key + e->intfOff, intf) == 0))
	    && strcmp(e->key, path) == 0) {
	return e;
    }
    return NULL;
}

static void
CacheFill(
    DbusConn *connPtr,
    int which,
    const char *path,
    const char *intf,		/* may be NULL */
    const char *member,
    DbusHandler **list,
    int n)
{
    LookupEntry *e;
    size_t lp = strlen(path), li = intf ? strlen(intf) : 0,
	    lm = strlen(member);

    if (connPtr->lookupCache == NULL) {
	connPtr->lookupCache = (DbusLookupCache *)
		ckalloc(sizeof(DbusLookupCache));
	connPtr->lookupCache->entries[0].valid = 0;
	connPtr->lookupCache->entries[1].valid = 0;
    }
    e = &connPtr->lookupCache->entries[which];
    e->valid = 0;
    if (n > CACHE_MAX || lp + li + lm + 3 > CACHE_KEY) {
	return;
    }
    memcpy(e->key, path, lp + 1);
    e->intfOff = lp + 1;
    e->hasIntf = (intf != NULL);
    if (intf != NULL) {
	memcpy(e->key + lp + 1, intf, li + 1);
    } else {
	e->key[lp + 1] = '\0';
    }
    e->memberOff = lp + li + 2;
    memcpy(e->key + e->memberOff, member, lm + 1);
    memcpy(e->handlers, list, sizeof(DbusHandler *) * n);
    e->n = n;
    e->epoch = connPtr->handlerEpoch;
    e->valid = 1;
}

/*
 *----------------------------------------------------------------------
 *
 * FindIn --
 *
 *	The method handler under key in the tables of one path.
 *
 * Results:
 *	The handler (borrowed), or NULL when pathPtr is NULL or has none under
 *	key.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static DbusHandler *
FindIn(
    DbusPath *pathPtr,
    const char *key)
{
    Tcl_HashEntry *hPtr;

    if (pathPtr == NULL) {
	return NULL;
    }
    hPtr = Tcl_FindHashEntry(&pathPtr->methods, key);
    return hPtr ? (DbusHandler *) Tcl_GetHashValue(hPtr) : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusFindMethod --
 *
 *	The handler for an incoming method call, in the reference order:
 *	interface.member at the path, then on any path; bare member at the
 *	path, then on any path; the unknown handler of the path, then of
 *	any path.  Calls without an interface only match bare members
 *	(ServeMethodCall gives them their interface first, see
 *	DbusMethodInterfaces).  The answer for the last path, interface and
 *	member is cached on the connection until a handler table changes.
 *
 * Results:
 *	The handler (borrowed) or NULL.
 *
 * Side effects:
 *	May fill the connection's lookup cache (connPtr->lookupCache).
 *
 *----------------------------------------------------------------------
 */

static DbusHandler *	FindMethodIn(DbusConn *connPtr, const char *path,
			    const char *intf, const char *member);

DbusHandler *
DbusFindMethod(
    DbusConn *connPtr,
    const char *path,		/* the call's header fields */
    const char *intf,		/* may be NULL */
    const char *member)
{
    DbusHandler *handlerPtr;
    LookupEntry *e;

    if (path == NULL || member == NULL) {
	return NULL;
    }
    e = CacheHit(connPtr, CACHE_METHOD, path, intf, member);
    if (e != NULL) {
	return e->n ? e->handlers[0] : NULL;
    }
    handlerPtr = FindMethodIn(connPtr, path, intf, member);
    CacheFill(connPtr, CACHE_METHOD, path, intf, member, &handlerPtr,
	    handlerPtr != NULL);
    return handlerPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * FindMethodIn --
 *
 *	The lookup behind DbusFindMethod, in the tables.
 *
 * Results:
 *	The handler (borrowed) or NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static DbusHandler *
FindMethodIn(
    DbusConn *connPtr,
    const char *path,
    const char *intf,		/* may be NULL */
    const char *member)
{
    DbusPath *exactPtr, *anyPtr;
    DbusHandler *handlerPtr;
    char key[KEY_SIZE];

    exactPtr = DbusPathGet(connPtr, path, 0);
    anyPtr = DbusPathGet(connPtr, "", 0);
    if (exactPtr == NULL && anyPtr == NULL) {
	return NULL;
    }
    if (intf != NULL && MakeKey(key, intf, member)) {
	if ((handlerPtr = FindIn(exactPtr, key)) != NULL
		|| (handlerPtr = FindIn(anyPtr, key)) != NULL) {
	    return handlerPtr;
	}
    }
    if ((handlerPtr = FindIn(exactPtr, member)) != NULL
	    || (handlerPtr = FindIn(anyPtr, member)) != NULL) {
	return handlerPtr;
    }
    if (exactPtr && exactPtr->unknown) {
	return exactPtr->unknown;
    }
    return anyPtr ? anyPtr->unknown : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * AddInterface --
 *
 *	Insert an interface name (len bytes of intf) into listPtr, which is
 *	kept sorted, unless it is there already.  Used by
 *	DbusMethodInterfaces.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	listPtr (unshared, owned by the caller) may get a new element.
 *
 *----------------------------------------------------------------------
 */

static void
AddInterface(
    Tcl_Obj *listPtr,
    const char *intf,
    size_t len)
{
    Tcl_Size n, i;
    Tcl_Obj **elems;
    int cmp = 1;

    Tcl_ListObjGetElements(NULL, listPtr, &n, &elems);
    for (i = 0; i < n; i++) {
	Tcl_Size elen;
	const char *e = Tcl_GetStringFromObj(elems[i], &elen);

	cmp = strncmp(intf, e, len);
	if (cmp == 0 && (size_t) elen != len) {
	    cmp = ((size_t) elen > len) ? -1 : 1;
	}
	if (cmp <= 0) {
	    break;
	}
    }
    if (cmp != 0) {
	Tcl_Obj *objPtr = Tcl_NewStringObj(intf, (Tcl_Size) len);

	Tcl_ListObjReplace(NULL, listPtr, i, 0, 1, &objPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMethodInterfaces --
 *
 *	For a method call that names no interface (legal in D-Bus; qdbus
 *	and python-dbus proxies send them): the interfaces that have a
 *	method named member at path, from the handlers of the path and of
 *	every path ("", where dbif's standard interfaces live) and the
 *	Peer methods the core answers itself (EXTENSIONS E3).
 *
 * Results:
 *	The number of interfaces, appended to listPtr in sorted order, each
 *	once; -1 when a handler for the bare member exists (it takes calls
 *	of any interface, so the call goes to it as it is).
 *
 * Side effects:
 *	Appends to listPtr.
 *
 *----------------------------------------------------------------------
 */

int
DbusMethodInterfaces(
    DbusConn *connPtr,
    const char *path,
    const char *member,
    const char *signature,
    Tcl_Obj *listPtr)
{
    DbusPath *tables[2];
    size_t lm = strlen(member);
    Tcl_Size n;
    int t;

    tables[0] = DbusPathGet(connPtr, path, 0);
    tables[1] = DbusPathGet(connPtr, "", 0);
    for (t = 0; t < 2; t++) {
	Tcl_HashSearch search;
	Tcl_HashEntry *hPtr;

	if (tables[t] == NULL) {
	    continue;
	}
	if (Tcl_FindHashEntry(&tables[t]->methods, member) != NULL) {
	    return -1;
	}
	for (hPtr = Tcl_FirstHashEntry(&tables[t]->methods, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    const char *key = (const char *)
		    Tcl_GetHashKey(&tables[t]->methods, hPtr);
	    size_t lk = strlen(key);

	    if (lk > lm + 1 && key[lk - lm - 1] == '.'
		    && strcmp(key + lk - lm, member) == 0) {
		AddInterface(listPtr, key, lk - lm - 1);
	    }
	}
    }
    if (*signature == '\0' && (strcmp(member, "Ping") == 0
	    || strcmp(member, "GetMachineId") == 0)) {
	AddInterface(listPtr, DBUS_INTERFACE_PEER,
		strlen(DBUS_INTERFACE_PEER));
    }
    Tcl_ListObjLength(NULL, listPtr, &n);
    return (int) n;
}

/*
 *----------------------------------------------------------------------
 *
 * FindSignalsIn --
 *
 *	The lookup behind DbusFindSignals: under interface.member and then
 *	bare member, each time the handlers of the exact path or, when it
 *	has none, those of any path.
 *
 * Results:
 *	Number of handlers; *listPtr is staticList or a ckalloc'd array (the
 *	caller frees it when != staticList).  No references are taken.
 *
 * Side effects:
 *	May allocate the array.
 *
 *----------------------------------------------------------------------
 */

static int
FindSignalsIn(
    DbusConn *connPtr,
    const char *path,
    const char *intf,
    const char *member,
    DbusHandler ***listPtr,
    DbusHandler **staticList,
    int staticSize)
{
    DbusPath *exactPtr, *anyPtr;
    DbusHandler **list = staticList;
    int n = 0, size = staticSize, k;
    char key[KEY_SIZE];
    const char *keys[2];

    *listPtr = staticList;
    exactPtr = DbusPathGet(connPtr, path, 0);
    anyPtr = DbusPathGet(connPtr, "", 0);
    if (exactPtr == NULL && anyPtr == NULL) {
	return 0;
    }
    keys[0] = (intf != NULL && MakeKey(key, intf, member)) ? key : NULL;
    keys[1] = member;
    for (k = 0; k < 2; k++) {
	Tcl_HashEntry *hPtr = NULL;
	DbusHandler *handlerPtr;

	if (keys[k] == NULL) {
	    continue;
	}
	if (exactPtr != NULL) {
	    hPtr = Tcl_FindHashEntry(&exactPtr->signals, keys[k]);
	}
	if (hPtr == NULL && anyPtr != NULL) {
	    hPtr = Tcl_FindHashEntry(&anyPtr->signals, keys[k]);
	}
	if (hPtr == NULL) {
	    continue;
	}
	for (handlerPtr = (DbusHandler *) Tcl_GetHashValue(hPtr);
		handlerPtr != NULL; handlerPtr = handlerPtr->nextPtr) {
	    if (n == size) {
		DbusHandler **newList = (DbusHandler **)
			ckalloc(sizeof(DbusHandler *) * size * 2);

		memcpy(newList, list, sizeof(DbusHandler *) * n);
		if (list != staticList) {
		    ckfree((char *) list);
		}
		list = newList;
		size *= 2;
	    }
	    list[n++] = handlerPtr;
	}
    }
    *listPtr = list;
    return n;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusFindSignals --
 *
 *	Every signal handler an incoming signal reaches (see FindSignalsIn),
 *	from the connection's cache when the signal has the path, interface
 *	and member of the last one and no handler table changed since.
 *
 * Results:
 *	Number of handlers; *listPtr points at staticList or at a ckalloc'd
 *	array (caller frees when != staticList).  Each handler carries an
 *	extra reference the caller releases.
 *
 * Side effects:
 *	Takes a reference to each handler returned; may allocate the array
 *	(the caller ckfrees it when it is not staticList) and the
 *	connection's cache (connPtr->lookupCache, freed by DbusPathsFree).
 *
 *----------------------------------------------------------------------
 */

int
DbusFindSignals(
    DbusConn *connPtr,
    const char *path,		/* the signal's header fields */
    const char *intf,		/* may be NULL */
    const char *member,
    DbusHandler ***listPtr,
    DbusHandler **staticList,	/* CACHE_MAX entries or more to use the
				 * cache */
    int staticSize)
{
    LookupEntry *e;
    int n, i;

    *listPtr = staticList;
    if (path == NULL || member == NULL) {
	return 0;
    }
    if (staticSize >= CACHE_MAX && (e = CacheHit(connPtr, CACHE_SIGNAL,
	    path, intf, member)) != NULL) {
	n = e->n;
	for (i = 0; i < n; i++) {
	    staticList[i] = e->handlers[i];
	    staticList[i]->refCount++;
	}
	return n;
    }
    n = FindSignalsIn(connPtr, path, intf, member, listPtr, staticList,
	    staticSize);
    CacheFill(connPtr, CACHE_SIGNAL, path, intf, member, *listPtr, n);
    for (i = 0; i < n; i++) {
	(*listPtr)[i]->refCount++;
    }
    return n;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
