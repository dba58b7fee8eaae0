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
 * The words of a listen, method or unknown command (HandlerParse).
 */

typedef struct HandlerArgs {
    Tcl_Obj *busObj;		/* busId or NULL; borrowed from objv */
    Tcl_Obj *pathObj;		/* path or NULL; borrowed */
    Tcl_Obj *memberObj;		/* member or NULL; borrowed */
    Tcl_Obj *scriptObj;		/* script or NULL; borrowed */
    int flags;			/* DBUS_FLAG_DETAILS, DBUS_FLAG_ASYNC */
} HandlerArgs;

/*
 *----------------------------------------------------------------------
 *
 * HandlerOptions --
 *
 *	The options of listen, method and unknown, from objv[*idxPtr] up
 *	to "--" or the first word not starting with "-": -details, and
 *	-async for method.
 *
 * Results:
 *	TCL_OK with *flagsPtr or'ed with the options' flags and *idxPtr
 *	past the options, or TCL_ERROR with `bad option` and errorcode
 *	{TCL LOOKUP INDEX option name}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
HandlerOptions(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    DbusTable table,
    int *idxPtr,		/* in/out */
    int *flagsPtr)		/* in/out */
{
    int i;
    const char *s;

    for (i = *idxPtr; i < objc && (s = DbusOptionAt(objv, &i)) != NULL;
	    i++) {
	if (strcmp(s, "-details") == 0) {
	    *flagsPtr |= DBUS_FLAG_DETAILS;
	} else if (table == DBUS_TABLE_METHOD && strcmp(s, "-async") == 0) {
	    *flagsPtr |= DBUS_FLAG_ASYNC;
	} else {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "bad option \"%s\": must be %s-details", s,
		    (table == DBUS_TABLE_METHOD) ? "-async or " : ""));
	    Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option", s,
		    NULL);
	    return TCL_ERROR;
	}
    }
    *idxPtr = i;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * HandlerParse --
 *
 *	Parse and check the words of listen, method or unknown: the
 *	optional busId, the options, then path, member (not for unknown)
 *	and script, each optional from the right.
 *
 * Results:
 *	TCL_OK with *argsPtr filled in (objects borrowed from objv), or
 *	TCL_ERROR: wrong # args, a bad option, -async without a script to
 *	install {DBUS USAGE ASYNC}, "Invalid path" {DBUS INVALID PATH p},
 *	"Invalid signal name"/"Invalid method name" {DBUS INVALID MEMBER m}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
HandlerParse(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    DbusTable table,
    HandlerArgs *argsPtr)	/* out */
{
    int i = 1, nPos, maxPos = (table == DBUS_TABLE_UNKNOWN) ? 2 : 3;
    Tcl_Obj *pos[3] = {NULL, NULL, NULL};
    Tcl_Size len;
    const char *member;

    argsPtr->flags = 0;
    argsPtr->busObj = DbusTakeBusId(objc, objv, &i, 0);
    if (HandlerOptions(interp, objc, objv, table, &i, &argsPtr->flags)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    nPos = objc - i;
    if (nPos > maxPos) {
	Tcl_WrongNumArgs(interp, 1, objv, (table == DBUS_TABLE_UNKNOWN)
		? "?busId? ?options? ?path ?script??"
		: (table == DBUS_TABLE_SIGNAL)
		? "?busId? ?options? ?path ?signal ?script???"
		: "?busId? ?options? ?path ?method ?script???");
	return TCL_ERROR;
    }
    memcpy(pos, objv + i, sizeof(Tcl_Obj *) * nPos);
    argsPtr->pathObj = pos[0];
    argsPtr->memberObj = (table == DBUS_TABLE_UNKNOWN) ? NULL : pos[1];
    argsPtr->scriptObj = pos[maxPos - 1];
    if (table == DBUS_TABLE_METHOD && (argsPtr->flags & DBUS_FLAG_ASYNC)
	    && (argsPtr->scriptObj == NULL
	    || DbusIsEmpty(argsPtr->scriptObj))) {
	return DbusError(interp, DBUS_EC_USAGE, "ASYNC", NULL,
		argsPtr->scriptObj == NULL ? "The -async option is not applicable for "
		"querying method handlers" : "The -async option is not "
		"applicable for unregistering method handlers");
    }
    if (argsPtr->pathObj != NULL && !DbusIsEmpty(argsPtr->pathObj)
	    && DbusCheckName(interp, DBUS_NAME_PATH, argsPtr->pathObj,
		    "Invalid path")
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (argsPtr->memberObj != NULL) {
	member = Tcl_GetStringFromObj(argsPtr->memberObj, &len);
	if (!DbusValidMatchMember(member, len)) {
	    return DbusError(interp, DBUS_EC_INVALID, "MEMBER", member,
		    table == DBUS_TABLE_SIGNAL ? "Invalid signal name"
		    : "Invalid method name");
	}
    }
    return TCL_OK;
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
 *	Without a script it queries: the script of one handler (path and
 *	member given; path for unknown), else the list of interp's
 *	handlers (ListHandlers).
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
    HandlerArgs args;
    DbusConn *connPtr;
    const char *path, *key;

    if (HandlerParse(interp, objc, objv, table, &args) != TCL_OK
	    || DbusGetConn(interp, args.busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    key = (args.memberObj != NULL) ? Tcl_GetString(args.memberObj) : NULL;
    if (args.scriptObj == NULL) {
	if (args.memberObj != NULL || (table == DBUS_TABLE_UNKNOWN
		&& args.pathObj != NULL)) {
	    DbusHandler *handlerPtr = DbusHandlerLookup(connPtr, table,
		    Tcl_GetString(args.pathObj), key, interp);

	    if (handlerPtr != NULL && handlerPtr->script != NULL) {
		Tcl_SetObjResult(interp, handlerPtr->script);
	    }
	    return TCL_OK;
	}
	Tcl_SetObjResult(interp, ListHandlers(interp, connPtr, table,
		args.pathObj));
	return TCL_OK;
    }
    path = Tcl_GetString(args.pathObj);
    if (DbusIsEmpty(args.scriptObj)) {
	DbusHandlerRemove(connPtr, table, path, key, interp);
	return TCL_OK;
    }
    if (table == DBUS_TABLE_UNKNOWN) {
	args.flags |= DBUS_FLAG_ASYNC;
    }
    return DbusHandlerInstall(interp, connPtr, table, path, key,
	    DbusHandlerNew(interp, args.scriptObj, NULL, NULL, args.flags));
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
 * Results:
 *	See HandlerCmd.
 *
 * Side effects:
 *	See HandlerCmd.
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
 * Results:
 *	TCL_OK with an empty result, or TCL_ERROR for wrong # args or a busId
 *	that is not connected.
 *
 * Side effects:
 *	The new monitor (a handler record holding the script) replaces
 *	interp's old one on the connection (DbusMonitorSet), which takes over
 *	its reference; an empty script removes the old one.
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
