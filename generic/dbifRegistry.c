/*
 * dbifRegistry.c --
 *
 *	The per-interp registry of published objects: nodes (what one
 *	interface defines at one path on one bus, keyed
 *	"handle|path|interface"), their method tables, and the handlers
 *	dbif installs in the core for them, the standard interfaces
 *	(Introspectable, Properties) included.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbifInstallHandler --
 *
 *	Make sure our C proc serves path/key on a connection.
 *
 * Results:
 *	TCL_OK or TCL_ERROR ({DBUS INUSE METHOD key}).
 *
 * Side effects:
 *	Installs a core handler (DbusHandlerInstall) for this interp,
 *	unless one of ours is there already.
 *
 *----------------------------------------------------------------------
 */

int
DbifInstallHandler(
    DbifData *dataPtr,
    DbusConn *connPtr,
    const char *path,
    const char *key,
    DbusMessageProc *proc)
{
    DbusHandler *hPtr = DbusHandlerLookup(connPtr, DBUS_TABLE_METHOD, path,
	    key, dataPtr->interp);

    if (hPtr != NULL && hPtr->proc == proc) {
	return TCL_OK;
    }
    return DbusHandlerInstall(dataPtr->interp, connPtr, DBUS_TABLE_METHOD,
	    path, key, DbusHandlerNew(dataPtr->interp, NULL, proc, dataPtr,
	    0));
}

/*
 *----------------------------------------------------------------------
 *
 * DbifEnsureStandard --
 *
 *	The standard interfaces this module serves on every path of a
 *	connection: Introspectable and Properties (Peer is answered by the
 *	core).  Another interp's handlers there are left alone.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Installs core handlers for the "" path (DbifInstallHandler).
 *
 *----------------------------------------------------------------------
 */

void
DbifEnsureStandard(
    DbifData *dataPtr,
    DbusConn *connPtr)
{
    static const struct {
	const char *key;
	DbusMessageProc *proc;
    } std[] = {
	{"org.freedesktop.DBus.Introspectable.Introspect", DbifIntrospect},
	{"org.freedesktop.DBus.Properties.Get", DbifPropertiesGet},
	{"org.freedesktop.DBus.Properties.Set", DbifPropertiesSet},
	{"org.freedesktop.DBus.Properties.GetAll", DbifPropertiesGetAll},
    };
    size_t i;

    for (i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
	if (DbifInstallHandler(dataPtr, connPtr, "", std[i].key, std[i].proc)
		!= TCL_OK) {
	    Tcl_ResetResult(dataPtr->interp);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifNodeKey, DbifFindNode --
 *
 *	DbifNodeKey: append the registry key "handle|path|interface" of a
 *	node to a DString.  DbifFindNode: the node of handle, path and
 *	interface.
 *
 * Results:
 *	DbifFindNode: the node (owned by the registry) or NULL.
 *
 * Side effects:
 *	DbifNodeKey appends to *dsPtr.
 *
 *----------------------------------------------------------------------
 */

void
DbifNodeKey(
    Tcl_DString *dsPtr,
    const char *handle,
    const char *path,
    const char *intf)
{
    Tcl_DStringAppend(dsPtr, handle, -1);
    Tcl_DStringAppend(dsPtr, "|", 1);
    Tcl_DStringAppend(dsPtr, path, -1);
    Tcl_DStringAppend(dsPtr, "|", 1);
    Tcl_DStringAppend(dsPtr, intf, -1);
}

DbifNode *
DbifFindNode(
    DbifData *dataPtr,
    const char *handle,
    const char *path,
    const char *intf)
{
    Tcl_DString key;
    Tcl_HashEntry *hPtr;

    Tcl_DStringInit(&key);
    DbifNodeKey(&key, handle, path, intf);
    hPtr = Tcl_FindHashEntry(&dataPtr->nodes, Tcl_DStringValue(&key));
    Tcl_DStringFree(&key);
    return hPtr ? (DbifNode *) Tcl_GetHashValue(hPtr) : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifGetNode --
 *
 *	The node of handle/path/interface, created when missing (with the
 *	standard interfaces installed on its connection).
 *
 * Results:
 *	The node, owned by the registry (dataPtr->nodes) until DbifNodeFree.
 *
 * Side effects:
 *	May create the node (holding references to handle, path, intf) and
 *	install the standard interfaces (DbifEnsureStandard).
 *
 *----------------------------------------------------------------------
 */

DbifNode *
DbifGetNode(
    DbifData *dataPtr,
    Tcl_Obj *handle,
    Tcl_Obj *path,
    Tcl_Obj *intf)
{
    Tcl_DString key;
    Tcl_HashEntry *hPtr;
    DbifNode *nodePtr;
    DbusConn *connPtr;
    int isNew;

    Tcl_DStringInit(&key);
    DbifNodeKey(&key, Tcl_GetString(handle), Tcl_GetString(path),
	    Tcl_GetString(intf));
    hPtr = Tcl_CreateHashEntry(&dataPtr->nodes, Tcl_DStringValue(&key),
	    &isNew);
    Tcl_DStringFree(&key);
    if (!isNew) {
	return (DbifNode *) Tcl_GetHashValue(hPtr);
    }
    nodePtr = (DbifNode *) ckalloc(sizeof(DbifNode));
    memset(nodePtr, 0, sizeof(DbifNode));
    nodePtr->dataPtr = dataPtr;
    nodePtr->hPtr = hPtr;
    nodePtr->handle = Tcl_NewStringObj(Tcl_GetString(handle), -1);
    nodePtr->path = Tcl_NewStringObj(Tcl_GetString(path), -1);
    nodePtr->intf = Tcl_NewStringObj(Tcl_GetString(intf), -1);
    Tcl_IncrRefCount(nodePtr->handle);
    Tcl_IncrRefCount(nodePtr->path);
    Tcl_IncrRefCount(nodePtr->intf);
    Tcl_InitHashTable(&nodePtr->methods, TCL_STRING_KEYS);
    Tcl_InitHashTable(&nodePtr->props, TCL_STRING_KEYS);
    Tcl_InitHashTable(&nodePtr->signals, TCL_STRING_KEYS);
    Tcl_SetHashValue(hPtr, nodePtr);
    connPtr = DbifConnOfHandle(dataPtr, handle);
    if (connPtr != NULL) {
	DbifEnsureStandard(dataPtr, connPtr);
    }
    DbifManagerNodeEvent(dataPtr, nodePtr, 1);
    return nodePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifMethodKey --
 *
 *	"interface.member" for the core's handler table.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to *dsPtr.
 *
 *----------------------------------------------------------------------
 */

void
DbifMethodKey(
    Tcl_DString *dsPtr,
    DbifNode *nodePtr,
    const char *name)
{
    Tcl_DStringAppend(dsPtr, Tcl_GetString(nodePtr->intf), -1);
    Tcl_DStringAppend(dsPtr, ".", 1);
    Tcl_DStringAppend(dsPtr, name, -1);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifRemoveMethod --
 *
 *	Forget a method of a node with all its prototypes, and the core
 *	handler behind it (DECISIONS rule 18).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Deletes hPtr from the node's method table, releases the prototypes
 *	(and with them their definitions), removes the core handler when it
 *	is ours.
 *
 *----------------------------------------------------------------------
 */

void
DbifRemoveMethod(
    DbifData *dataPtr,
    DbifNode *nodePtr,
    Tcl_HashEntry *hPtr)
{
    DbusConn *connPtr = DbifConnOfHandle(dataPtr, nodePtr->handle);
    Tcl_DString key;

    Tcl_DStringInit(&key);
    DbifMethodKey(&key, nodePtr, Tcl_GetHashKey(&nodePtr->methods, hPtr));
    if (connPtr != NULL) {
	DbusHandler *handlerPtr = DbusHandlerLookup(connPtr,
		DBUS_TABLE_METHOD, Tcl_GetString(nodePtr->path),
		Tcl_DStringValue(&key), dataPtr->interp);

	if (handlerPtr != NULL
		&& DbusHandlerProc(handlerPtr, NULL) == DbifMethodProc) {
	    DbusHandlerRemove(connPtr, DBUS_TABLE_METHOD,
		    Tcl_GetString(nodePtr->path), Tcl_DStringValue(&key),
		    dataPtr->interp);
	}
    }
    Tcl_DStringFree(&key);
    DbifProtosFree((DbifProto *) Tcl_GetHashValue(hPtr));
    Tcl_DeleteHashEntry(hPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifNodeFree --
 *
 *	Remove a node and everything registered for it: methods with their
 *	core handlers, properties with their traces, signal ids.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the node and what it owns; releases its references to
 *	handle, path and interface.
 *
 *----------------------------------------------------------------------
 */

void
DbifNodeFree(
    DbifData *dataPtr,
    DbifNode *nodePtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbifNode **npp;
    DbifProp *propPtr;

    DbifManagerNodeEvent(dataPtr, nodePtr, 0);
    while ((hPtr = Tcl_FirstHashEntry(&nodePtr->methods, &search))) {
	DbifRemoveMethod(dataPtr, nodePtr, hPtr);
    }
    while ((hPtr = Tcl_FirstHashEntry(&nodePtr->signals, &search))) {
	DbifSignalFree(dataPtr, (DbifSignal *) Tcl_GetHashValue(hPtr));
    }
    if (nodePtr->dirty) {
	for (npp = &dataPtr->firstDirty; *npp; npp = &(*npp)->nextDirty) {
	    if (*npp == nodePtr) {
		*npp = nodePtr->nextDirty;
		break;
	    }
	}
    }
    while ((propPtr = nodePtr->firstProp) != NULL) {
	nodePtr->firstProp = propPtr->nextPtr;
	DbifPropFree(propPtr);
    }
    Tcl_DeleteHashTable(&nodePtr->methods);
    Tcl_DeleteHashTable(&nodePtr->props);
    Tcl_DeleteHashTable(&nodePtr->signals);
    Tcl_DeleteHashEntry(nodePtr->hPtr);
    Tcl_DecrRefCount(nodePtr->handle);
    Tcl_DecrRefCount(nodePtr->path);
    Tcl_DecrRefCount(nodePtr->intf);
    ckfree((char *) nodePtr);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
