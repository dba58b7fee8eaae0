/*
 * dbifManager.c --
 *
 *	The server side of org.freedesktop.DBus.ObjectManager
 *	(EXTENSIONS.md E5): "dbif manager path" makes path an object
 *	manager.  GetManagedObjects lists every dbif object below it with
 *	its interfaces and their readable properties; InterfacesAdded and
 *	InterfacesRemoved follow the dbif definitions that create and
 *	delete (path, interface) pairs below it, batched at the idle point
 *	together with PropertiesChanged and before it (dbifProp.c calls
 *	DbifManagerFlush first), so a client always hears of an object
 *	before it hears of changes to its properties.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"
#include <stdlib.h>

#define OM_INTERFACE	"org.freedesktop.DBus.ObjectManager"

/*
 * A change waiting for the idle point.
 */

typedef struct OmEvent {
    int added;			/* 1: InterfacesAdded, 0: ...Removed */
    Tcl_Obj *path;		/* held */
    Tcl_Obj *intf;		/* held */
    struct OmEvent *nextPtr;	/* manager's list, in order; owned */
} OmEvent;

/*
 * One object manager.
 */

typedef struct DbifManager {
    Tcl_Obj *handle;		/* bus handle; held */
    Tcl_Obj *path;		/* the manager's path; held */
    OmEvent *first;		/* pending events, oldest first */
    OmEvent *last;
    struct DbifManager *nextPtr;/* DbifData.managers, owned */
} DbifManager;

static DbusMessageProc GetManagedObjects;

/*
 *----------------------------------------------------------------------
 *
 * Below --
 *
 *	Is path strictly below the manager path mpath?
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
Below(
    const char *mpath,
    const char *path)
{
    size_t len = strlen(mpath);

    if (path[0] != '/') {
	return 0;		/* universal nodes ("") are not objects */
    }
    if (len == 1) {
	return path[1] != '\0';
    }
    return strncmp(mpath, path, len) == 0 && path[len] == '/';
}

/*
 *----------------------------------------------------------------------
 *
 * DbifManagerCmd --
 *
 *	dbif manager ?-bus busId? path
 *
 * Results:
 *	The empty string.
 *
 * Side effects:
 *	path serves org.freedesktop.DBus.ObjectManager from now on.
 *
 *----------------------------------------------------------------------
 */

int
DbifManagerCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {{"-bus", 1}, {NULL, 0}};
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[1] = {NULL}, *handle;
    DbusConn *connPtr;
    DbifManager *mgrPtr;
    int i = 1;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    if (objc - i != 1) {
	return DbifWrongArgs(interp, "manager ?-bus busId? path");
    }
    if (DbifCheckPath(interp, objv[i], 0) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[0], &handle, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    for (mgrPtr = dataPtr->managers; mgrPtr; mgrPtr = mgrPtr->nextPtr) {
	if (strcmp(Tcl_GetString(mgrPtr->handle), Tcl_GetString(handle)) == 0
		&& strcmp(Tcl_GetString(mgrPtr->path),
		    Tcl_GetString(objv[i])) == 0) {
	    return TCL_OK;
	}
    }
    if (DbifInstallHandler(dataPtr, connPtr, Tcl_GetString(objv[i]),
	    OM_INTERFACE ".GetManagedObjects", GetManagedObjects) != TCL_OK) {
	return TCL_ERROR;
    }
    DbifEnsureStandard(dataPtr, connPtr);
    mgrPtr = (DbifManager *) ckalloc(sizeof(DbifManager));
    memset(mgrPtr, 0, sizeof(DbifManager));
    mgrPtr->handle = handle;
    Tcl_IncrRefCount(handle);
    mgrPtr->path = Tcl_NewStringObj(Tcl_GetString(objv[i]), -1);
    Tcl_IncrRefCount(mgrPtr->path);
    mgrPtr->nextPtr = dataPtr->managers;
    dataPtr->managers = mgrPtr;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifIsManager --
 *
 *	Is (handle, path) an object manager?  For introspection.
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
DbifIsManager(
    DbifData *dataPtr,
    const char *handle,
    const char *path)
{
    DbifManager *mgrPtr;

    for (mgrPtr = dataPtr->managers; mgrPtr; mgrPtr = mgrPtr->nextPtr) {
	if (strcmp(Tcl_GetString(mgrPtr->handle), handle) == 0
		&& strcmp(Tcl_GetString(mgrPtr->path), path) == 0) {
	    return 1;
	}
    }
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifManagerNodeEvent --
 *
 *	A node was created or is being freed: queue InterfacesAdded or
 *	InterfacesRemoved for every manager above it.  A removal cancels
 *	an addition still waiting (nothing was announced).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Schedules the idle flush.
 *
 *----------------------------------------------------------------------
 */

void
DbifManagerNodeEvent(
    DbifData *dataPtr,
    DbifNode *nodePtr,
    int added)
{
    DbifManager *mgrPtr;
    const char *path = Tcl_GetString(nodePtr->path);
    int queued = 0;

    if (dataPtr->dying) {
	return;
    }
    for (mgrPtr = dataPtr->managers; mgrPtr; mgrPtr = mgrPtr->nextPtr) {
	OmEvent *evPtr, **evpp;

	if (strcmp(Tcl_GetString(mgrPtr->handle),
		Tcl_GetString(nodePtr->handle)) != 0
		|| !Below(Tcl_GetString(mgrPtr->path), path)) {
	    continue;
	}
	if (!added) {
	    OmEvent *prevPtr = NULL;

	    for (evpp = &mgrPtr->first; (evPtr = *evpp) != NULL;
		    evpp = &evPtr->nextPtr) {
		if (evPtr->added && strcmp(Tcl_GetString(evPtr->path), path)
			== 0 && strcmp(Tcl_GetString(evPtr->intf),
			Tcl_GetString(nodePtr->intf)) == 0) {
		    break;
		}
		prevPtr = evPtr;
	    }
	    if (evPtr != NULL) {
		*evpp = evPtr->nextPtr;
		if (mgrPtr->last == evPtr) {
		    mgrPtr->last = prevPtr;
		}
		Tcl_DecrRefCount(evPtr->path);
		Tcl_DecrRefCount(evPtr->intf);
		ckfree((char *) evPtr);
		continue;
	    }
	}
	evPtr = (OmEvent *) ckalloc(sizeof(OmEvent));
	evPtr->added = added;
	evPtr->path = nodePtr->path;
	Tcl_IncrRefCount(evPtr->path);
	evPtr->intf = nodePtr->intf;
	Tcl_IncrRefCount(evPtr->intf);
	evPtr->nextPtr = NULL;
	if (mgrPtr->last != NULL) {
	    mgrPtr->last->nextPtr = evPtr;
	} else {
	    mgrPtr->first = evPtr;
	}
	mgrPtr->last = evPtr;
	queued = 1;
    }
    if (queued) {
	DbifScheduleIdle(dataPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * WriteInterfaces --
 *
 *	Append the a{sa{sv}} of a list of nodes of one path (interface ->
 *	readable properties, DbifWriteProps) to a message being built.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (no memory, limits) with the error in the
 *	writer's interp.
 *
 * Side effects:
 *	Reads the variables; a value that cannot be sent is left out and
 *	reported to bgerror.
 *
 *----------------------------------------------------------------------
 */

static int
WriteInterfaces(
    DbusWriter *w,
    DbifData *dataPtr,
    DbifNode **nodes,
    int n)
{
    int i, code = DbusWriterOpen(w, 'a', "{sa{sv}}");

    for (i = 0; code == TCL_OK && i < n; i++) {
	if (DbusWriterOpen(w, '{', NULL) != TCL_OK
		|| DbusWriterString(w, 's', Tcl_GetString(nodes[i]->intf))
		    != TCL_OK
		|| DbifWriteProps(w, dataPtr->interp, nodes[i]) != TCL_OK) {
	    return TCL_ERROR;
	}
	code = DbusWriterClose(w);
    }
    return code == TCL_OK ? DbusWriterClose(w) : TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * CompareNodes --
 *
 *	qsort order of nodes: by path, then interface.
 *
 * Results:
 *	As strcmp: negative, 0 or positive.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
CompareNodes(
    const void *a,
    const void *b)
{
    DbifNode *na = *(DbifNode *const *) a, *nb = *(DbifNode *const *) b;
    int c = strcmp(Tcl_GetString(na->path), Tcl_GetString(nb->path));

    return c ? c : strcmp(Tcl_GetString(na->intf), Tcl_GetString(nb->intf));
}

/*
 *----------------------------------------------------------------------
 *
 * GetManagedObjects --
 *
 *	org.freedesktop.DBus.ObjectManager.GetManagedObjects() ->
 *	a{oa{sa{sv}}}, objects in path order.
 *
 * Results:
 *	TCL_OK (the reply is sent here), TCL_ERROR when out of memory.
 *
 * Side effects:
 *	Sends the reply, or UnknownMethod when no manager is at the path; the
 *	node array is freed here.
 *
 *----------------------------------------------------------------------
 */

static int
GetManagedObjects(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *mpath = DbusMessageField(msg, DBUS_FIELD_PATH);
    const char *handle = Tcl_GetString(DbusConnHandle(connPtr));
    DbifNode **nodes;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbusWriter *w;
    int n = 0, i, j, code;

    if (!DbifIsManager(dataPtr, handle, mpath)) {
	return DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_METHOD,
		"No object manager at %s", mpath);
    }
    if (DbusWriterReturn(interp, connPtr, msg, &w) != TCL_OK) {
	return TCL_ERROR;
    }
    if (w == NULL) {
	return TCL_OK;			/* no reply wanted */
    }
    nodes = (DbifNode **) ckalloc(sizeof(DbifNode *)
	    * (dataPtr->nodes.numEntries + 1));
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifNode *nodePtr = (DbifNode *) Tcl_GetHashValue(hPtr);

	if (strcmp(Tcl_GetString(nodePtr->handle), handle) == 0
		&& Below(mpath, Tcl_GetString(nodePtr->path))) {
	    nodes[n++] = nodePtr;
	}
    }
    qsort(nodes, (size_t) n, sizeof(DbifNode *), CompareNodes);
    code = DbusWriterOpen(w, 'a', "{oa{sa{sv}}}");
    for (i = 0; code == TCL_OK && i < n; i = j) {
	const char *path = Tcl_GetString(nodes[i]->path);

	for (j = i + 1; j < n && strcmp(Tcl_GetString(nodes[j]->path),
		path) == 0; j++) {
	    /* same object */
	}
	if (DbusWriterOpen(w, '{', NULL) != TCL_OK
		|| DbusWriterString(w, 'o', path) != TCL_OK
		|| WriteInterfaces(w, dataPtr, nodes + i, j - i) != TCL_OK) {
	    code = TCL_ERROR;
	} else {
	    code = DbusWriterClose(w);
	}
    }
    ckfree((char *) nodes);
    if (code == TCL_OK) {
	code = DbusWriterClose(w);
    }
    return DbusWriterFinish(w, code == TCL_OK);
}

/*
 *----------------------------------------------------------------------
 *
 * EmitGroup --
 *
 *	Emit one InterfacesAdded (o, a{sa{sv}}) or InterfacesRemoved (o,
 *	as) for the events evPtr..endPtr (same kind, same path).
 *
 * Results:
 *	TCL_OK or TCL_ERROR (message in interp).
 *
 * Side effects:
 *	Sends the signal (nothing when no interface is left to report); the
 *	nodes' properties are read (their variables' read traces run).
 *
 *----------------------------------------------------------------------
 */

static int
EmitGroup(
    DbifData *dataPtr,
    DbifManager *mgrPtr,
    DbusConn *connPtr,
    OmEvent *evPtr,
    OmEvent *endPtr)
{
    const char *path = Tcl_GetString(evPtr->path);
    DbifNode *stackNodes[16], **nodes = stackNodes;
    DbusWriter *w;
    OmEvent *p;
    int n = 0, code;

    w = DbusWriterSignal(dataPtr->interp, connPtr,
	    Tcl_GetString(mgrPtr->path), OM_INTERFACE,
	    evPtr->added ? "InterfacesAdded" : "InterfacesRemoved");
    if (w == NULL) {
	return TCL_ERROR;
    }
    code = DbusWriterString(w, 'o', path);
    if (evPtr->added) {
	for (p = evPtr; p != endPtr; p = p->nextPtr) {
	    n++;
	}
	if (n > 16) {
	    nodes = (DbifNode **) ckalloc(sizeof(DbifNode *) * n);
	}
	n = 0;
	for (p = evPtr; p != endPtr; p = p->nextPtr) {
	    DbifNode *nodePtr = DbifFindNode(dataPtr,
		    Tcl_GetString(mgrPtr->handle), path,
		    Tcl_GetString(p->intf));

	    if (nodePtr != NULL) {
		nodes[n++] = nodePtr;
	    }
	}
	if (code == TCL_OK) {
	    code = WriteInterfaces(w, dataPtr, nodes, n);
	}
	if (nodes != stackNodes) {
	    ckfree((char *) nodes);
	}
    } else {
	if (code == TCL_OK) {
	    code = DbusWriterOpen(w, 'a', "s");
	}
	for (p = evPtr; code == TCL_OK && p != endPtr; p = p->nextPtr) {
	    code = DbusWriterString(w, 's', Tcl_GetString(p->intf));
	    n++;
	}
	if (code == TCL_OK) {
	    code = DbusWriterClose(w);
	}
    }
    return DbusWriterFinish(w, code == TCL_OK && n > 0);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifManagerFlush --
 *
 *	The idle point: emit the waiting InterfacesAdded/Removed signals,
 *	one per run of events of the same kind on the same object, in the
 *	order the changes were made.  Called by dbifProp.c before the
 *	PropertiesChanged signals.
 *
 * Results:
 *	None; failures go to bgerror.
 *
 * Side effects:
 *	Signals sent; the event lists emptied.
 *
 *----------------------------------------------------------------------
 */

void
DbifManagerFlush(
    DbifData *dataPtr)
{
    DbifManager *mgrPtr;

    for (mgrPtr = dataPtr->managers; mgrPtr; mgrPtr = mgrPtr->nextPtr) {
	DbusConn *connPtr = DbifConnOfHandle(dataPtr, mgrPtr->handle);
	OmEvent *evPtr, *endPtr;

	while ((evPtr = mgrPtr->first) != NULL) {
	    for (endPtr = evPtr->nextPtr; endPtr != NULL
		    && endPtr->added == evPtr->added
		    && strcmp(Tcl_GetString(endPtr->path),
			Tcl_GetString(evPtr->path)) == 0;
		    endPtr = endPtr->nextPtr) {
		/* same object, same kind */
	    }
	    /*
	     * No bus (dbus close, or lost): nobody to tell, and clients of
	     * the next connection ask GetManagedObjects.  Dropped quietly,
	     * as property changes are (dbifProp.c).
	     */

	    if (connPtr != NULL && !(DbusConnFlags(connPtr) & DBUS_CONN_LOST)
		    && EmitGroup(dataPtr, mgrPtr, connPtr, evPtr,
		    endPtr) != TCL_OK) {
		Tcl_AddErrorInfo(dataPtr->interp, "\n    (sending an "
			"ObjectManager signal)");
		Tcl_BackgroundException(dataPtr->interp, TCL_ERROR);
	    }
	    while (mgrPtr->first != endPtr) {
		evPtr = mgrPtr->first;
		mgrPtr->first = evPtr->nextPtr;
		Tcl_DecrRefCount(evPtr->path);
		Tcl_DecrRefCount(evPtr->intf);
		ckfree((char *) evPtr);
	    }
	}
	mgrPtr->last = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifManagersFree --
 *
 *	Forget every manager (interp deletion).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees every manager with its queued events and releases their objects.
 *
 *----------------------------------------------------------------------
 */

void
DbifManagersFree(
    DbifData *dataPtr)
{
    DbifManager *mgrPtr;

    while ((mgrPtr = dataPtr->managers) != NULL) {
	OmEvent *evPtr;

	dataPtr->managers = mgrPtr->nextPtr;
	while ((evPtr = mgrPtr->first) != NULL) {
	    mgrPtr->first = evPtr->nextPtr;
	    Tcl_DecrRefCount(evPtr->path);
	    Tcl_DecrRefCount(evPtr->intf);
	    ckfree((char *) evPtr);
	}
	Tcl_DecrRefCount(mgrPtr->handle);
	Tcl_DecrRefCount(mgrPtr->path);
	ckfree((char *) mgrPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifManagersFollow --
 *
 *	"dbif connect" on a new connection of a bus (dbifRevive.c): the
 *	managers filed under the bus's old handle (when it changed) move
 *	to the connection's, and every manager of that handle serves
 *	GetManagedObjects on the connection.
 *
 * Results:
 *	None; a handler that cannot be installed (another interp serves
 *	it) is a background error (DbifUnserved).
 *
 * Side effects:
 *	May replace managers' handles; installs core handlers
 *	(DbifInstallHandler, nothing when there already).
 *
 *----------------------------------------------------------------------
 */

void
DbifManagersFollow(
    DbifData *dataPtr,
    const char *oldHandle,	/* the bus's handle before, or NULL */
    DbusConn *connPtr)
{
    Tcl_Obj *handle = DbusConnHandle(connPtr);
    DbifManager *mgrPtr;

    for (mgrPtr = dataPtr->managers; mgrPtr; mgrPtr = mgrPtr->nextPtr) {
	if (oldHandle != NULL
		&& strcmp(Tcl_GetString(mgrPtr->handle), oldHandle) == 0) {
	    Tcl_DecrRefCount(mgrPtr->handle);
	    mgrPtr->handle = handle;
	    Tcl_IncrRefCount(handle);
	}
	if (strcmp(Tcl_GetString(mgrPtr->handle), Tcl_GetString(handle)) == 0
		&& DbifInstallHandler(dataPtr, connPtr,
		Tcl_GetString(mgrPtr->path), OM_INTERFACE ".GetManagedObjects",
		GetManagedObjects) != TCL_OK) {
	    DbifUnserved(dataPtr, "object manager",
		    Tcl_GetString(mgrPtr->path));
	}
    }
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
