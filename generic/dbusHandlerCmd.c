/*
 * dbusHandlerCmd.c --
 *
 *	The handler-registration subcommands of the "dbus" ensemble:
 *	listen, method and unknown (one shared body, HandlerCmd, with the
 *	query forms that list a table) and monitor.  The tables themselves
 *	are kept by dbusHandler.c; the ensemble table is in dbusCmd.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * AppendPath --
 *
 *	Append interp's handlers of one table on one path to listPtr as
 *	path member script triples (path script pairs for unknown).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	listPtr (unshared, owned by the caller) grows; the scripts are
 *	shared, not copied.
 *
 *----------------------------------------------------------------------
 */

static void
AppendPath(
    Tcl_Obj *listPtr,
    DbusPath *pathPtr,
    const char *path,
    DbusTable table,
    Tcl_Interp *interp)
{
    Tcl_HashTable *tablePtr;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (table == DBUS_TABLE_UNKNOWN) {
	if (pathPtr->unknown && pathPtr->unknown->interp == interp
		&& pathPtr->unknown->script) {
	    Tcl_ListObjAppendElement(NULL, listPtr,
		    Tcl_NewStringObj(path, -1));
	    Tcl_ListObjAppendElement(NULL, listPtr, pathPtr->unknown->script);
	}
	return;
    }
    tablePtr = (table == DBUS_TABLE_METHOD) ? &pathPtr->methods
	    : &pathPtr->signals;
    for (hPtr = Tcl_FirstHashEntry(tablePtr, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusHandler *handlerPtr = (DbusHandler *) Tcl_GetHashValue(hPtr);

	for (; handlerPtr != NULL; handlerPtr = (table == DBUS_TABLE_SIGNAL)
		? handlerPtr->nextPtr : NULL) {
	    if (handlerPtr->interp == interp && handlerPtr->script) {
		Tcl_ListObjAppendElement(NULL, listPtr,
			Tcl_NewStringObj(path, -1));
		Tcl_ListObjAppendElement(NULL, listPtr, Tcl_NewStringObj(
			Tcl_GetHashKey(tablePtr, hPtr), -1));
		Tcl_ListObjAppendElement(NULL, listPtr, handlerPtr->script);
	    }
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ListHandlers --
 *
 *	Query form of listen/method/unknown: flat list of path member
 *	script (path script for unknown) for interp's handlers on one path,
 *	or on all paths (any-path ones first, then sorted by path).
 *
 * Results:
 *	A new list (refcount 0).
 *
 * Side effects:
 *	Runs ::lsort in interp; its result is reset.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
ListHandlers(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DbusTable table,
    Tcl_Obj *pathObj)
{
    Tcl_Obj *listPtr = Tcl_NewListObj(0, NULL);
    DbusPath *pathPtr;

    if (pathObj != NULL) {
	pathPtr = DbusPathGet(connPtr, Tcl_GetString(pathObj), 0);
	if (pathPtr != NULL) {
	    AppendPath(listPtr, pathPtr, Tcl_GetString(pathObj), table,
		    interp);
	}
    } else {
	Tcl_Obj *pathsPtr = Tcl_NewListObj(0, NULL), **paths, *sorted;
	Tcl_HashEntry *hPtr;
	Tcl_HashSearch search;
	Tcl_Size n, k;
	Tcl_Obj *cmd[2];

	for (hPtr = Tcl_FirstHashEntry(&connPtr->paths, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    Tcl_ListObjAppendElement(NULL, pathsPtr, Tcl_NewStringObj(
		    Tcl_GetHashKey(&connPtr->paths, hPtr), -1));
	}
	cmd[0] = Tcl_NewStringObj("::lsort", -1);
	cmd[1] = pathsPtr;
	Tcl_IncrRefCount(cmd[0]);
	Tcl_IncrRefCount(pathsPtr);
	if (Tcl_EvalObjv(interp, 2, cmd, TCL_EVAL_GLOBAL) == TCL_OK) {
	    sorted = Tcl_GetObjResult(interp);
	} else {
	    sorted = pathsPtr;
	}
	Tcl_IncrRefCount(sorted);
	Tcl_ListObjGetElements(NULL, sorted, &n, &paths);
	for (k = 0; k < n; k++) {
	    const char *path = Tcl_GetString(paths[k]);

	    pathPtr = DbusPathGet(connPtr, path, 0);
	    if (pathPtr != NULL) {
		AppendPath(listPtr, pathPtr, path, table, interp);
	    }
	}
	Tcl_DecrRefCount(sorted);
	Tcl_DecrRefCount(pathsPtr);
	Tcl_DecrRefCount(cmd[0]);
	Tcl_ResetResult(interp);
    }
    return listPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * HandlerCmd --
 *
 *	Shared body of listen, method and unknown:
 *	dbus listen ?busId? ?-details? ?path ?member ?script???
 *	dbus method ?busId? ?-async? ?-details? ?path ?member ?script???
 *	dbus unknown ?busId? ?-details? ?path ?script??
 *
 * Results:
 *	TCL_OK, with the handler script or the list of handlers for the
 *	query forms; TCL_ERROR with message and error code.
 *
 * Side effects:
 *	Installs interp's handler in the table (DbusHandlerInstall) or,
 *	for an empty script, removes it.
 *
 *----------------------------------------------------------------------
 */

static int
HandlerCmd(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    DbusTable table)
{
    Tcl_Obj *busObj = NULL, *pathObj = NULL, *memberObj = NULL;
    Tcl_Obj *scriptObj = NULL;
    int i = 1, flags = 0, nPos, maxPos;
    DbusConn *connPtr;
    const char *path, *key = NULL;

    busObj = DbusTakeBusId(objc, objv, &i, 0);
    for (; i < objc; i++) {
	const char *s = Tcl_GetString(objv[i]);

	if (strcmp(s, "--") == 0) {
	    i++;
	    break;
	}
	if (s[0] != '-') {
	    break;
	}
	if (strcmp(s, "-details") == 0) {
	    flags |= DBUS_FLAG_DETAILS;
	} else if (table == DBUS_TABLE_METHOD && strcmp(s, "-async") == 0) {
	    flags |= DBUS_FLAG_ASYNC;
	} else {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "bad option \"%s\": must be %s-details", s,
		    (table == DBUS_TABLE_METHOD) ? "-async or " : ""));
	    Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option", s,
		    NULL);
	    return TCL_ERROR;
	}
    }
    maxPos = (table == DBUS_TABLE_UNKNOWN) ? 2 : 3;
    nPos = objc - i;
    if (nPos > maxPos) {
	Tcl_WrongNumArgs(interp, 1, objv, (table == DBUS_TABLE_UNKNOWN)
		? "?busId? ?options? ?path ?script??"
		: (table == DBUS_TABLE_SIGNAL)
		? "?busId? ?options? ?path ?signal ?script???"
		: "?busId? ?options? ?path ?method ?script???");
	return TCL_ERROR;
    }
    if (nPos >= 1) {
	pathObj = objv[i];
    }
    if (table == DBUS_TABLE_UNKNOWN) {
	if (nPos >= 2) {
	    scriptObj = objv[i+1];
	}
    } else {
	if (nPos >= 2) {
	    memberObj = objv[i+1];
	}
	if (nPos >= 3) {
	    scriptObj = objv[i+2];
	}
    }
    if (table == DBUS_TABLE_METHOD && (flags & DBUS_FLAG_ASYNC)
	    && (scriptObj == NULL || DbusIsEmpty(scriptObj))) {
	return DbusError(interp, DBUS_EC_USAGE, "ASYNC", NULL,
		scriptObj == NULL ? "The -async option is not applicable for "
		"querying method handlers" : "The -async option is not "
		"applicable for unregistering method handlers");
    }
    if (pathObj != NULL && !DbusIsEmpty(pathObj)
	    && DbusCheckName(interp, DBUS_NAME_PATH, pathObj, "Invalid path")
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (memberObj != NULL) {
	Tcl_Size len;

	key = Tcl_GetStringFromObj(memberObj, &len);
	if (!DbusValidMatchMember(key, len)) {
	    return DbusError(interp, DBUS_EC_INVALID, "MEMBER", key,
		    table == DBUS_TABLE_SIGNAL ? "Invalid signal name"
		    : "Invalid method name");
	}
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }

    /*
     * Query forms.
     */

    if (scriptObj == NULL) {
	if (memberObj != NULL || (table == DBUS_TABLE_UNKNOWN
		&& pathObj != NULL)) {
	    DbusHandler *handlerPtr = DbusHandlerLookup(connPtr, table,
		    Tcl_GetString(pathObj), key, interp);

	    if (handlerPtr != NULL && handlerPtr->script != NULL) {
		Tcl_SetObjResult(interp, handlerPtr->script);
	    }
	    return TCL_OK;
	}
	Tcl_SetObjResult(interp, ListHandlers(interp, connPtr, table,
		pathObj));
	return TCL_OK;
    }

    path = Tcl_GetString(pathObj);
    if (DbusIsEmpty(scriptObj)) {
	DbusHandlerRemove(connPtr, table, path, key, interp);
	return TCL_OK;
    }
    if (table == DBUS_TABLE_UNKNOWN) {
	flags |= DBUS_FLAG_ASYNC;
    }
    return DbusHandlerInstall(interp, connPtr, table, path, key,
	    DbusHandlerNew(interp, scriptObj, NULL, NULL, flags));
}

/*
 *----------------------------------------------------------------------
 *
 * DbusListenCmd, DbusMethodCmd, DbusUnknownCmd --
 *
 *	dbus listen ?busId? ?-details? ?path ?member ?script???
 *	dbus method ?busId? ?-async? ?-details? ?path ?member ?script???
 *	dbus unknown ?busId? ?-details? ?path ?script??
 *
 *	Subcommands of the dbus ensemble; see HandlerCmd.
 *
 *----------------------------------------------------------------------
 */

int
DbusListenCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) clientData;
    return HandlerCmd(interp, objc, objv, DBUS_TABLE_SIGNAL);
}

int
DbusMethodCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) clientData;
    return HandlerCmd(interp, objc, objv, DBUS_TABLE_METHOD);
}

int
DbusUnknownCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) clientData;
    return HandlerCmd(interp, objc, objv, DBUS_TABLE_UNKNOWN);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMonitorCmd --
 *
 *	dbus monitor ?busId? ?-details? script
 *
 *	Installs interp's monitor on the connection, replacing the one it
 *	had; an empty script just removes it.
 *
 *----------------------------------------------------------------------
 */

int
DbusMonitorCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *busObj;
    int i = 1, flags = 0;
    DbusConn *connPtr;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 1);
    if (i < objc - 1 && strcmp(Tcl_GetString(objv[i]), "-details") == 0) {
	flags |= DBUS_FLAG_DETAILS;
	i++;
    }
    if (objc - i != 1) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?-details? script");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    DbusMonitorSet(connPtr, interp, DbusIsEmpty(objv[i]) ? NULL
	    : DbusHandlerNew(interp, objv[i], NULL, NULL, flags));
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
