/*
 * dbifRevive.c --
 *
 *	A bus connected again (issue 7 item 8b): "dbif connect" on a new
 *	connection of a bus, after its daemon went away or after "dbus
 *	close", serves on it everything dbif has for that bus.
 *
 *	A bus is what the -bus value of "dbif connect" names: session,
 *	system, starter, or an address.  Definitions are filed under the
 *	bus's handle.  session, system and starter keep theirs whatever
 *	address the environment names; a bus given by its address gets a
 *	new dbusN handle with each connection, and the definitions made
 *	under the old one follow it (Rekey).  Then methods, listeners
 *	with their match rules and object managers are hooked up on the
 *	connection unless they are there already, so nothing is
 *	registered twice when the connection is the same one; properties,
 *	introspection, signals and the standard interfaces need nothing
 *	but the handle.  The names "dbif connect" requested on the bus are
 *	remembered here and requested again by dbifConn.c when the
 *	connection is new to dbif (DbifServes), unless the connection gave
 *	them up since (DbifNameGone).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

#define INTROSPECT_KEY	"org.freedesktop.DBus.Introspectable.Introspect"

/*
 *----------------------------------------------------------------------
 *
 * DbifServes --
 *
 *	Has dbif of this interp set up a connection already?  The standard
 *	interfaces are the first thing it installs on a connection (dbif
 *	connect, a first definition), and they go with the connection.
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbifServes(
    DbifData *dataPtr,
    DbusConn *connPtr)
{
    DbusHandler *hPtr = DbusHandlerLookup(connPtr, DBUS_TABLE_METHOD, "",
	    INTROSPECT_KEY, dataPtr->interp);

    return hPtr != NULL && DbusHandlerProc(hPtr, NULL) == DbifIntrospect;
}

/*
 *----------------------------------------------------------------------
 *
 * RekeyTable --
 *
 *	Move the entries of a registry table (nodes or listeners, keyed
 *	"handle|...") from one handle to another, and the records' handle
 *	with them.  An entry whose new key is taken already (only when a
 *	bus given by address turned into the session or system bus) stays
 *	where it is.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Rehashes the entries; the records hold newHandle instead.
 *
 *----------------------------------------------------------------------
 */

static void
RekeyTable(
    Tcl_HashTable *tablePtr,
    int nodes,			/* 1: DbifNode records, 0: DbifListen */
    const char *oldHandle,
    Tcl_Obj *newHandle)
{
    size_t len = strlen(oldHandle);
    Tcl_Obj *keys = Tcl_NewListObj(0, NULL), **elems;
    Tcl_HashEntry *hPtr, *newPtr;
    Tcl_HashSearch search;
    Tcl_Size n, k;
    Tcl_DString ds;
    Tcl_Obj **handlePtr;
    ClientData rec;
    int isNew;

    Tcl_IncrRefCount(keys);
    for (hPtr = Tcl_FirstHashEntry(tablePtr, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	const char *key = Tcl_GetHashKey(tablePtr, hPtr);

	if (strncmp(key, oldHandle, len) == 0 && key[len] == '|') {
	    Tcl_ListObjAppendElement(NULL, keys, Tcl_NewStringObj(key, -1));
	}
    }
    Tcl_ListObjGetElements(NULL, keys, &n, &elems);
    for (k = 0; k < n; k++) {
	Tcl_DStringInit(&ds);
	Tcl_DStringAppend(&ds, Tcl_GetString(newHandle), -1);
	Tcl_DStringAppend(&ds, Tcl_GetString(elems[k]) + len, -1);
	newPtr = Tcl_CreateHashEntry(tablePtr, Tcl_DStringValue(&ds), &isNew);
	Tcl_DStringFree(&ds);
	if (!isNew) {
	    continue;
	}
	hPtr = Tcl_FindHashEntry(tablePtr, Tcl_GetString(elems[k]));
	rec = Tcl_GetHashValue(hPtr);
	Tcl_DeleteHashEntry(hPtr);
	Tcl_SetHashValue(newPtr, rec);
	if (nodes) {
	    ((DbifNode *) rec)->hPtr = newPtr;
	    handlePtr = &((DbifNode *) rec)->handle;
	} else {
	    handlePtr = &((DbifListen *) rec)->handle;
	}
	Tcl_DecrRefCount(*handlePtr);
	*handlePtr = newHandle;
	Tcl_IncrRefCount(newHandle);
    }
    Tcl_DecrRefCount(keys);
}

/*
 *----------------------------------------------------------------------
 *
 * Rekey --
 *
 *	A bus given by its address has a new handle: what was filed under
 *	the old one (nodes with their methods, properties and signals,
 *	listeners, object managers, remembered names, the -bus values
 *	that named it, the default bus) is filed under the new one.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Rehashes the registry (RekeyTable); replaces handle references.
 *
 *----------------------------------------------------------------------
 */

static void
Rekey(
    DbifData *dataPtr,
    const char *oldHandle,
    Tcl_Obj *newHandle)
{
    Tcl_HashEntry *hPtr, *newPtr;
    Tcl_HashSearch search;
    int isNew;

    RekeyTable(&dataPtr->nodes, 1, oldHandle, newHandle);
    RekeyTable(&dataPtr->listeners, 0, oldHandle, newHandle);
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->buses, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	Tcl_Obj *h = (Tcl_Obj *) Tcl_GetHashValue(hPtr);

	if (strcmp(Tcl_GetString(h), oldHandle) == 0) {
	    Tcl_DecrRefCount(h);
	    Tcl_SetHashValue(hPtr, newHandle);
	    Tcl_IncrRefCount(newHandle);
	}
    }
    if (strcmp(Tcl_GetString(dataPtr->defaultBus), oldHandle) == 0) {
	Tcl_DecrRefCount(dataPtr->defaultBus);
	dataPtr->defaultBus = newHandle;
	Tcl_IncrRefCount(newHandle);
    }
    hPtr = Tcl_FindHashEntry(&dataPtr->names, oldHandle);
    if (hPtr != NULL) {
	newPtr = Tcl_CreateHashEntry(&dataPtr->names,
		Tcl_GetString(newHandle), &isNew);
	if (isNew) {
	    Tcl_SetHashValue(newPtr, Tcl_GetHashValue(hPtr));
	    Tcl_DeleteHashEntry(hPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifUnserved --
 *
 *	Report something dbif could not serve again on a new connection
 *	(another interp serves that method there; the bus refused a rule)
 *	as a background error: "dbif connect" itself succeeded.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	A background error with the interp's error message and what.
 *
 *----------------------------------------------------------------------
 */

void
DbifUnserved(
    DbifData *dataPtr,
    const char *what,		/* "method", "listener", "manager" */
    const char *key)		/* which */
{
    Tcl_Obj *info = Tcl_ObjPrintf("\n    (serving %s \"%s\" again after "
	    "dbif connect)", what, key);

    Tcl_IncrRefCount(info);
    Tcl_AddErrorInfo(dataPtr->interp, Tcl_GetString(info));
    Tcl_DecrRefCount(info);
    Tcl_BackgroundException(dataPtr->interp, TCL_ERROR);
}

/*
 *----------------------------------------------------------------------
 *
 * ServeMethods --
 *
 *	Make sure every method filed under the connection's handle has
 *	its core handler on the connection.
 *
 * Results:
 *	None; failures are background errors (DbifUnserved).
 *
 * Side effects:
 *	Installs core handlers (DbifInstallHandler: nothing where ours is
 *	there already).
 *
 *----------------------------------------------------------------------
 */

static void
ServeMethods(
    DbifData *dataPtr,
    DbusConn *connPtr)
{
    const char *handle = Tcl_GetString(DbusConnHandle(connPtr));
    Tcl_HashEntry *hPtr, *mPtr;
    Tcl_HashSearch search, mSearch;
    Tcl_DString key;

    for (hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifNode *nodePtr = (DbifNode *) Tcl_GetHashValue(hPtr);

	if (strcmp(Tcl_GetString(nodePtr->handle), handle) != 0) {
	    continue;
	}
	for (mPtr = Tcl_FirstHashEntry(&nodePtr->methods, &mSearch);
		mPtr != NULL; mPtr = Tcl_NextHashEntry(&mSearch)) {
	    Tcl_DStringInit(&key);
	    DbifMethodKey(&key, nodePtr,
		    Tcl_GetHashKey(&nodePtr->methods, mPtr));
	    if (DbifInstallHandler(dataPtr, connPtr,
		    Tcl_GetString(nodePtr->path), Tcl_DStringValue(&key),
		    DbifMethodProc) != TCL_OK) {
		DbifUnserved(dataPtr, "method", Tcl_DStringValue(&key));
	    }
	    Tcl_DStringFree(&key);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ServeListeners --
 *
 *	Hook every listener filed under the connection's handle up on the
 *	connection (DbifListenAttach).
 *
 * Results:
 *	None; failures are background errors (DbifUnserved).
 *
 * Side effects:
 *	Handlers, subscriptions and match rules on the connection (once
 *	each).  The keys are collected first: attaching waits for the bus.
 *
 *----------------------------------------------------------------------
 */

static void
ServeListeners(
    DbifData *dataPtr,
    DbusConn *connPtr)
{
    const char *handle = Tcl_GetString(DbusConnHandle(connPtr));
    Tcl_Obj *keys = Tcl_NewListObj(0, NULL), **elems;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    Tcl_Size n, k;

    Tcl_IncrRefCount(keys);
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->listeners, &search);
	    hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	DbifListen *lPtr = (DbifListen *) Tcl_GetHashValue(hPtr);

	if (strcmp(Tcl_GetString(lPtr->handle), handle) == 0) {
	    Tcl_ListObjAppendElement(NULL, keys, Tcl_NewStringObj(
		    Tcl_GetHashKey(&dataPtr->listeners, hPtr), -1));
	}
    }
    Tcl_ListObjGetElements(NULL, keys, &n, &elems);
    for (k = 0; k < n; k++) {
	hPtr = Tcl_FindHashEntry(&dataPtr->listeners,
		Tcl_GetString(elems[k]));
	if (hPtr != NULL && DbifListenAttach(dataPtr->interp, dataPtr,
		connPtr, (DbifListen *) Tcl_GetHashValue(hPtr)) != TCL_OK) {
	    DbifUnserved(dataPtr, "listener", Tcl_GetString(elems[k]));
	}
    }
    Tcl_DecrRefCount(keys);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifRevive --
 *
 *	"dbif connect" has a connection for a bus: file what was defined
 *	under the bus's old handle under the connection's (when they
 *	differ), then serve on the connection every method, listener and
 *	object manager of that handle, with the standard interfaces.
 *	Run on every "dbif connect": what is there already is left alone.
 *
 * Results:
 *	None; what cannot be served is a background error.
 *
 * Side effects:
 *	See Rekey, ServeMethods, ServeListeners, DbifManagersFollow and
 *	DbifEnsureStandard.
 *
 *----------------------------------------------------------------------
 */

void
DbifRevive(
    DbifData *dataPtr,
    const char *oldHandle,	/* the bus's handle before, or NULL */
    DbusConn *connPtr)
{
    Tcl_Obj *handle = DbusConnHandle(connPtr);

    if (oldHandle != NULL && strcmp(oldHandle, Tcl_GetString(handle)) == 0) {
	oldHandle = NULL;
    }
    if (oldHandle != NULL) {
	Rekey(dataPtr, oldHandle, handle);
    }
    DbifEnsureStandard(dataPtr, connPtr);
    ServeMethods(dataPtr, connPtr);
    ServeListeners(dataPtr, connPtr);
    DbifManagersFollow(dataPtr, oldHandle, connPtr);
    Tcl_ResetResult(dataPtr->interp);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifNameRemember, DbifNamesOf, DbifNamesFree --
 *
 *	The names "dbif connect" requested on a bus, by handle: name ->
 *	{flags acquired lost} (the request's flags and -acquired / -lost
 *	scripts, "" for none).  DbifNameRemember files a name's entry, or
 *	forgets the name when entryObj is NULL; DbifNamesOf gives a bus's
 *	dictionary; DbifNamesFree forgets everything (interp deletion).
 *
 * Results:
 *	DbifNamesOf: the dictionary (borrowed; changed by the next
 *	DbifNameRemember) or NULL.
 *
 * Side effects:
 *	The table holds one reference to each dictionary; an unshared
 *	dictionary is changed in place.
 *
 *----------------------------------------------------------------------
 */

void
DbifNameRemember(
    DbifData *dataPtr,
    Tcl_Obj *handle,
    Tcl_Obj *nameObj,
    Tcl_Obj *entryObj)		/* {flags acquired lost}, or NULL */
{
    Tcl_HashEntry *hPtr;
    Tcl_Obj *dict;
    int isNew;

    hPtr = (entryObj != NULL) ? Tcl_CreateHashEntry(&dataPtr->names,
	    Tcl_GetString(handle), &isNew)
	    : Tcl_FindHashEntry(&dataPtr->names, Tcl_GetString(handle));
    if (hPtr == NULL) {
	return;
    }
    if (entryObj != NULL && isNew) {
	dict = Tcl_NewDictObj();
	Tcl_IncrRefCount(dict);
    } else {
	dict = (Tcl_Obj *) Tcl_GetHashValue(hPtr);
	if (Tcl_IsShared(dict)) {
	    Tcl_Obj *copy = Tcl_DuplicateObj(dict);

	    Tcl_IncrRefCount(copy);
	    Tcl_DecrRefCount(dict);
	    dict = copy;
	}
    }
    if (entryObj != NULL) {
	Tcl_DictObjPut(NULL, dict, nameObj, entryObj);
    } else {
	Tcl_DictObjRemove(NULL, dict, nameObj);
    }
    Tcl_SetHashValue(hPtr, dict);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifNameGone --
 *
 *	The core's word (NameGone in dbusBus.c) that the connection under
 *	handle gave nameObj up ("dbus release" in any interp, or a request
 *	that found the name taken): forget it, so that the next "dbif
 *	connect" of the bus does not request it again.  A later request
 *	of the name by "dbif connect" remembers it again.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See DbifNameRemember.
 *
 *----------------------------------------------------------------------
 */

void
DbifNameGone(
    ClientData clientData,	/* the interp's DbifData */
    const char *handle,		/* borrowed */
    Tcl_Obj *nameObj)		/* borrowed */
{
    DbifData *dataPtr = (DbifData *) clientData;
    Tcl_Obj *handleObj = Tcl_NewStringObj(handle, -1);

    Tcl_IncrRefCount(handleObj);
    DbifNameRemember(dataPtr, handleObj, nameObj, NULL);
    Tcl_DecrRefCount(handleObj);
}

Tcl_Obj *
DbifNamesOf(
    DbifData *dataPtr,
    Tcl_Obj *handle)
{
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&dataPtr->names,
	    Tcl_GetString(handle));

    return hPtr ? (Tcl_Obj *) Tcl_GetHashValue(hPtr) : NULL;
}

void
DbifNamesFree(
    DbifData *dataPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    for (hPtr = Tcl_FirstHashEntry(&dataPtr->names, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
    }
    Tcl_DeleteHashTable(&dataPtr->names);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
