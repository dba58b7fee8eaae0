/*
 * dbifSignal.c --
 *
 *	dbif signals (reference 4.6, 4.8; DECISIONS rule 9): "dbif signal"
 *	and "dbif generate".  Listeners ("dbif listen") are in
 *	dbifListen.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbifSignalFree --
 *
 *	Forget a signal id.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes the signal id from the interp's and the node's tables,
 *	releases the id, name, type and definition (DbifDefRelease), frees the
 *	record.
 *
 *----------------------------------------------------------------------
 */

void
DbifSignalFree(
    DbifData *dataPtr,
    DbifSignal *sigPtr)
{
    Tcl_HashEntry *hPtr;

    hPtr = Tcl_FindHashEntry(&dataPtr->signals, Tcl_GetString(sigPtr->id));
    if (hPtr != NULL && Tcl_GetHashValue(hPtr) == sigPtr) {
	Tcl_DeleteHashEntry(hPtr);
    }
    if (sigPtr->nodePtr != NULL) {
	hPtr = Tcl_FindHashEntry(&sigPtr->nodePtr->signals,
		Tcl_GetString(sigPtr->id));
	if (hPtr != NULL) {
	    Tcl_DeleteHashEntry(hPtr);
	}
    }
    Tcl_DecrRefCount(sigPtr->id);
    Tcl_DecrRefCount(sigPtr->name);
    Tcl_DecrRefCount(sigPtr->sig);
    DbifDefRelease(sigPtr->defPtr);
    ckfree((char *) sigPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * NewSignalDef --
 *
 *	The definition of a dbif signal: its argument list, attributes and
 *	the optional body that computes the values.
 *
 * Results:
 *	A new definition (one reference, the caller's), or NULL with the
 *	error in interp ({DBUS INVALID ARGUMENT ...}, a bad interp).
 *
 * Side effects:
 *	The definition holds attrs.
 *
 *----------------------------------------------------------------------
 */

static DbifDef *
NewSignalDef(
    Tcl_Interp *interp,
    Tcl_Obj *attrs,		/* dict or NULL */
    Tcl_Obj *argList,		/* or NULL */
    Tcl_Obj *interpObj,		/* child interp or NULL */
    Tcl_Obj *argsObj,		/* body's parameters, or NULL: no body */
    Tcl_Obj *bodyObj)		/* or NULL */
{
    DbifDef *defPtr = DbifDefNew();

    if (attrs) {
	defPtr->attrs = attrs;
	Tcl_IncrRefCount(attrs);
    }
    if ((argList && DbifParseArgList(interp, argList, 1, defPtr->inNames,
	    defPtr->inSigs, NULL, &defPtr->nRequired) != TCL_OK)
	    || (bodyObj && DbifDefSetBody(interp, defPtr, interpObj, argsObj,
	    bodyObj) != TCL_OK)) {
	DbifDefRelease(defPtr);
	return NULL;
    }
    return defPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * SignalAdd --
 *
 *	File a signal definition under its id (replacing what the id
 *	named before) and its node.  Defining the id "PropertiesChanged"
 *	turns the automatic PropertiesChanged signals off (reference 4.8).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The new record takes idObj's reference and defPtr's; may create
 *	the node (DbifGetNode); may free the id's previous record.
 *
 *----------------------------------------------------------------------
 */

static void
SignalAdd(
    DbifData *dataPtr,
    Tcl_Obj *idObj,		/* reference passes to the record */
    Tcl_Obj *handle,
    Tcl_Obj *path,
    Tcl_Obj *intf,
    Tcl_Obj *name,
    DbifDef *defPtr)		/* reference passes to the record */
{
    Tcl_HashEntry *hPtr;
    DbifSignal *sigPtr;
    int isNew;

    hPtr = Tcl_FindHashEntry(&dataPtr->signals, Tcl_GetString(idObj));
    if (hPtr != NULL) {
	DbifSignalFree(dataPtr, (DbifSignal *) Tcl_GetHashValue(hPtr));
    }
    if (strcmp(Tcl_GetString(idObj), "PropertiesChanged") == 0
	    && dataPtr->changedSignal) {
	dataPtr->changedSignal = 0;
	DbifPropTraceAll(dataPtr, 0);
    }
    sigPtr = (DbifSignal *) ckalloc(sizeof(DbifSignal));
    sigPtr->id = idObj;
    sigPtr->name = name;
    Tcl_IncrRefCount(sigPtr->name);
    sigPtr->sig = DbifJoinSigs(defPtr->inSigs, 255);
    Tcl_IncrRefCount(sigPtr->sig);
    sigPtr->defPtr = defPtr;
    sigPtr->nodePtr = DbifGetNode(dataPtr, handle, path, intf);
    hPtr = Tcl_CreateHashEntry(&dataPtr->signals, Tcl_GetString(idObj),
	    &isNew);
    Tcl_SetHashValue(hPtr, sigPtr);
    hPtr = Tcl_CreateHashEntry(&sigPtr->nodePtr->signals,
	    Tcl_GetString(idObj), &isNew);
    Tcl_SetHashValue(hPtr, sigPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifSignalCmd --
 *
 *	dbif signal ?-attributes a? ?-bus b? ?-id id? ?-interface i?
 *		path name ?arglist ??interp? args body??
 *
 *	An empty name forgets the signal id given with -id.  Needs no
 *	connection: on a bus not connected yet the signal is filed under
 *	its handle (DbifHandleOf).
 *
 * Results:
 *	TCL_OK with the signal id (or "" when deleting), or TCL_ERROR:
 *	wrong arguments {TCL WRONGARGS}, a bad path, name, interface,
 *	attribute or argument list {DBUS INVALID ...}, an unknown bus.
 *
 * Side effects:
 *	See SignalAdd.
 *
 *----------------------------------------------------------------------
 */

int
DbifSignalCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {
	{"-attributes", 1}, {"-bus", 1}, {"-id", 1}, {"-interface", 1},
	{NULL, 0}
    };
    enum { S_ATTRS, S_BUS, S_ID, S_INTF };
    static const char *usage = "signal ?-attributes attributes? "
	    "?-bus bustype? ?-id signalID? ?-interface interface? path name "
	    "?arglist ??interp? args body??";
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[4] = {NULL, NULL, NULL, NULL};
    Tcl_Obj *handle, *intf, *attrs, *idObj, *bodyObj = NULL;
    Tcl_HashEntry *hPtr;
    DbifDef *defPtr;
    int i = 1, n;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    n = objc - i;
    if (n < 2 || n == 4 || n > 6) {
	return DbifWrongArgs(interp, usage);
    }
    if (Tcl_GetCharLength(objv[i + 1]) == 0) {
	if (values[S_ID] && (hPtr = Tcl_FindHashEntry(&dataPtr->signals,
		Tcl_GetString(values[S_ID]))) != NULL) {
	    DbifSignalFree(dataPtr, (DbifSignal *) Tcl_GetHashValue(hPtr));
	}
	return TCL_OK;
    }
    if (n >= 5) {
	bodyObj = objv[objc - 1];
    }
    intf = values[S_INTF] ? values[S_INTF] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[i], bodyObj != NULL) != TCL_OK
	    || DbifCheckMember(interp, objv[i + 1], "Name") != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifHandleOf(interp, dataPtr, values[S_BUS], &handle) != TCL_OK
	    || DbifParseAttributes(interp, values[S_ATTRS], &attrs)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    defPtr = NewSignalDef(interp, attrs, (n >= 3) ? objv[i + 2] : NULL,
	    (n == 6) ? objv[i + 3] : NULL, (n >= 5) ? objv[objc - 2] : NULL,
	    bodyObj);
    if (defPtr == NULL) {
	return TCL_ERROR;
    }
    if (values[S_ID]) {
	idObj = values[S_ID];
    } else {
	idObj = Tcl_ObjPrintf("signal%d", ++dataPtr->sigCounter);
    }
    Tcl_IncrRefCount(idObj);
    SignalAdd(dataPtr, idObj, handle, objv[i], intf, objv[i + 1], defPtr);
    Tcl_SetObjResult(interp, idObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * EmitSignal --
 *
 *	Send a signal with the given values.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (marshalling, closed connection) with the error
 *	in interp.
 *
 * Side effects:
 *	Sends the signal (DbusSendSignal).
 *
 *----------------------------------------------------------------------
 */

static int
EmitSignal(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    const char *path,
    DbifSignal *sigPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    return DbusSendSignal(interp, connPtr, path,
	    Tcl_GetString(sigPtr->nodePtr->intf), Tcl_GetString(sigPtr->name),
	    sigPtr->sig, objc, objv, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * EmitResult --
 *
 *	Send a signal with the values a signal body returned (its result:
 *	the value, or the list of values when the signal has several), at
 *	the path of its -path return option or the signal's own.
 *
 * Results:
 *	TCL_OK ("" result) or TCL_ERROR in interp.
 *
 * Side effects:
 *	Sends the signal; resets target's result.
 *
 *----------------------------------------------------------------------
 */

static int
EmitResult(
    Tcl_Interp *interp,
    Tcl_Interp *target,		/* where the body ran, result pending */
    DbusConn *connPtr,
    DbifSignal *sigPtr)
{
    Tcl_Obj *resPtr, *pathObj = NULL, **vals, *optsPtr, *keyPtr;
    Tcl_Size nVals, nSig;
    int code;

    resPtr = Tcl_GetObjResult(target);
    Tcl_IncrRefCount(resPtr);
    optsPtr = Tcl_GetReturnOptions(target, TCL_OK);
    Tcl_IncrRefCount(optsPtr);
    keyPtr = Tcl_NewStringObj("-path", 5);
    Tcl_IncrRefCount(keyPtr);
    Tcl_DictObjGet(NULL, optsPtr, keyPtr, &pathObj);
    if (pathObj != NULL) {
	Tcl_IncrRefCount(pathObj);
    }
    Tcl_DecrRefCount(keyPtr);
    Tcl_DecrRefCount(optsPtr);
    Tcl_ResetResult(target);
    if (pathObj == NULL && Tcl_GetCharLength(sigPtr->nodePtr->path) > 0) {
	pathObj = sigPtr->nodePtr->path;
	Tcl_IncrRefCount(pathObj);
    }
    if (pathObj == NULL) {
	code = DbusError(interp, DBUS_EC_USAGE, "PATH", NULL,
		"No path specified for the signal");
    } else if ((code = DbifCheckPath(interp, pathObj, 0)) == TCL_OK) {
	Tcl_ListObjLength(NULL, sigPtr->defPtr->inSigs, &nSig);
	if (nSig == 1) {
	    nVals = 1;
	    vals = &resPtr;
	    code = TCL_OK;
	} else {
	    code = Tcl_ListObjGetElements(interp, resPtr, &nVals, &vals);
	}
	if (code == TCL_OK) {
	    code = EmitSignal(interp, connPtr, Tcl_GetString(pathObj),
		    sigPtr, (int) nVals, vals);
	}
    }
    if (pathObj != NULL) {
	Tcl_DecrRefCount(pathObj);
    }
    Tcl_DecrRefCount(resPtr);
    if (code == TCL_OK) {
	Tcl_ResetResult(interp);
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * GenerateChanged --
 *
 *	dbif generate PropertiesChanged path ?interface? ?bus?
 *	Sends the pending property changes of a node now.
 *
 * Results:
 *	A Tcl completion code.
 *
 * Side effects:
 *	May send PropertiesChanged (DbifFlushNode).
 *
 *----------------------------------------------------------------------
 */

static int
GenerateChanged(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *handle, *intf;
    DbifNode *nodePtr;

    if (objc < 3 || objc > 5) {
	return DbifWrongArgs(interp,
		"generate PropertiesChanged path ?interface? ?bus?");
    }
    intf = objc > 3 ? objv[3] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[2], 0) != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, objc > 4 ? objv[4]
	    : NULL, &handle, NULL) != TCL_OK) {
	return TCL_ERROR;
    }
    nodePtr = DbifFindNode(dataPtr, Tcl_GetString(handle),
	    Tcl_GetString(objv[2]), Tcl_GetString(intf));
    return nodePtr ? DbifFlushNode(dataPtr, nodePtr) : TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifGenerateCmd --
 *
 *	dbif generate signalID ?arg ...?
 *
 * Results:
 *	TCL_OK with an empty result, or TCL_ERROR: wrong # args, an undefined
 *	signal id {DBIF SIGNALID id}, not connected, the body's error,
 *	marshalling or sending errors.
 *
 * Side effects:
 *	Runs the signal's body (if it has one) with the arguments and
 *	sends the signal with its result (-path of a universal signal from
 *	the body; "return -code return" in the body sends nothing), or
 *	sends the arguments as they are; "PropertiesChanged" as id emits
 *	that signal by hand (GenerateChanged).
 *
 *----------------------------------------------------------------------
 */

int
DbifGenerateCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_HashEntry *hPtr;
    DbifSignal *sigPtr;
    DbifDef *defPtr;
    DbusConn *connPtr;
    Tcl_Interp *target;
    int code;

    (void) clientData;
    if (objc < 2) {
	return DbifWrongArgs(interp, "generate signalID ?arg ...?");
    }
    hPtr = Tcl_FindHashEntry(&dataPtr->signals, Tcl_GetString(objv[1]));
    if (hPtr == NULL) {
	if (strcmp(Tcl_GetString(objv[1]), "PropertiesChanged") == 0) {
	    return GenerateChanged(interp, dataPtr, objc, objv);
	}
	return DbusError(interp, DBIF_EC_SIGNALID, Tcl_GetString(objv[1]),
		NULL, "Signal '%s' has not been defined",
		Tcl_GetString(objv[1]));
    }
    sigPtr = (DbifSignal *) Tcl_GetHashValue(hPtr);
    connPtr = DbifConnOfHandle(dataPtr, sigPtr->nodePtr->handle);
    if (connPtr == NULL) {
	return DbusError(interp, DBUS_EC_NOTCONN,
		Tcl_GetString(sigPtr->nodePtr->handle), NULL,
		"not connected");
    }
    defPtr = sigPtr->defPtr;
    if (defPtr->lambda == NULL) {
	code = EmitSignal(interp, connPtr, Tcl_GetString(sigPtr->nodePtr->path),
		sigPtr, objc - 2, objv + 2);
	if (code == TCL_OK) {
	    Tcl_ResetResult(interp);
	}
	return code;
    }

    /*
     * Run the body: its result gives the values, -path the path of a
     * universal signal, "return -code return" cancels.
     */

    defPtr->refCount++;
    Tcl_Preserve(connPtr);
    Tcl_IncrRefCount(sigPtr->id);
    code = DbifRunBody(dataPtr, defPtr, NULL, objc - 2, objv + 2,
	    &target);
    if (code == TCL_RETURN) {
	Tcl_ResetResult(target);
	code = TCL_OK;
	goto done;
    }
    if (code != TCL_OK) {
	code = DbifTransferResult(target, interp, code);
	goto done;
    }
    hPtr = Tcl_FindHashEntry(&dataPtr->signals, Tcl_GetString(sigPtr->id));
    if (hPtr == NULL || Tcl_GetHashValue(hPtr) != sigPtr) {
	Tcl_ResetResult(target);
	code = DbusError(interp, DBIF_EC_SIGNALID, Tcl_GetString(objv[1]),
		NULL, "Signal '%s' has not been defined",
		Tcl_GetString(objv[1]));
	goto done;
    }
    code = EmitResult(interp, target, connPtr, sigPtr);
  done:
    Tcl_DecrRefCount(sigPtr->id);
    Tcl_Release(connPtr);
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
