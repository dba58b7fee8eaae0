/*
 * dbifSignal.c --
 *
 *	dbif signals and listeners (reference 4.6, 4.8, 4.18; DECISIONS
 *	rules 9 and 12): "dbif signal" and "dbif generate", "dbif listen"
 *	with its typed prototypes; their match rules go through the
 *	core's registry (dbusBus.c), reference counted per connection.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbifListenFree --
 *
 *	Drop one reference to a listener; free it at zero.
 *
 *----------------------------------------------------------------------
 */

void
DbifListenFree(
    DbifListen *lPtr)
{
    if (--lPtr->refCount > 0) {
	return;
    }
    Tcl_DecrRefCount(lPtr->handle);
    Tcl_DecrRefCount(lPtr->path);
    Tcl_DecrRefCount(lPtr->intf);
    Tcl_DecrRefCount(lPtr->member);
    Tcl_DecrRefCount(lPtr->rule);
    ckfree((char *) lPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifSignalProc --
 *
 *	Core handler of a dbif listener: the prototype with the signal's
 *	exact signature runs (others are ignored); errors go to bgerror
 *	(DECISIONS rule 12).
 *
 *----------------------------------------------------------------------
 */

static int
DbifSignalProc(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifListen *lPtr = (DbifListen *) clientData;
    DbifData *dataPtr = lPtr->dataPtr;
    DbifProto *protoPtr;
    DbifDef *defPtr;
    DbifMsg *msgPtr;
    Tcl_Obj *argsPtr, **av, *idPtr;
    Tcl_Interp *target;
    Tcl_Size ac;
    int code;

    if (dataPtr == NULL) {
	return TCL_OK;
    }
    protoPtr = DbifFindProto(lPtr->protos,
	    DbusMessageField(msg, DBUS_FIELD_SIGNATURE));
    if (protoPtr == NULL) {
	return TCL_OK;
    }
    defPtr = protoPtr->defPtr;
    defPtr->refCount++;
    lPtr->refCount++;
    argsPtr = DbusUnmarshalArgs(interp, msg, 0);
    if (argsPtr == NULL) {
	Tcl_BackgroundException(interp, TCL_ERROR);
	goto done;
    }
    Tcl_IncrRefCount(argsPtr);
    Tcl_ListObjGetElements(NULL, argsPtr, &ac, &av);
    msgPtr = DbifMsgNew(dataPtr, connPtr, msg, NULL);
    idPtr = msgPtr->id;
    Tcl_IncrRefCount(idPtr);
    code = DbifRunBody(dataPtr, defPtr, idPtr, (int) ac, av, &target);
    Tcl_DecrRefCount(argsPtr);
    if (code == TCL_ERROR) {
	Tcl_AddErrorInfo(target, "\n    (dbif listen body)");
	Tcl_BackgroundException(target, code);
    }
    Tcl_ResetResult(target);
    if (lPtr->dataPtr != NULL
	    && (msgPtr = DbifMsgLookup(dataPtr, Tcl_GetString(idPtr))) != NULL) {
	DbifMsgFree(msgPtr);
    }
    Tcl_DecrRefCount(idPtr);
  done:
    DbifDefRelease(defPtr);
    DbifListenFree(lPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifListenRemove --
 *
 *	Remove the listener of an entry of dataPtr->listeners: the entry,
 *	its core handler, its match rule use, its prototypes.
 *
 * Side effects:
 *	When this was the last use of its match rule on a connection that
 *	is still there, the rule is removed from the bus.  The record
 *	goes once no running body holds it.
 *
 *----------------------------------------------------------------------
 */

void
DbifListenRemove(
    DbifData *dataPtr,
    Tcl_HashEntry *hPtr)	/* in dataPtr->listeners; deleted */
{
    DbifListen *lPtr = (DbifListen *) Tcl_GetHashValue(hPtr);
    DbusConn *connPtr = DbifConnOfHandle(dataPtr, lPtr->handle);
    Tcl_DString key;

    Tcl_DeleteHashEntry(hPtr);

    Tcl_DStringInit(&key);
    Tcl_DStringAppend(&key, Tcl_GetString(lPtr->intf), -1);
    Tcl_DStringAppend(&key, ".", 1);
    Tcl_DStringAppend(&key, Tcl_GetString(lPtr->member), -1);
    if (connPtr != NULL) {
	DbusHandler *handlerPtr = DbusHandlerLookup(connPtr,
		DBUS_TABLE_SIGNAL, Tcl_GetString(lPtr->path),
		Tcl_DStringValue(&key), dataPtr->interp);

	if (handlerPtr != NULL && handlerPtr->clientData == lPtr) {
	    DbusHandlerRemove(connPtr, DBUS_TABLE_SIGNAL,
		    Tcl_GetString(lPtr->path), Tcl_DStringValue(&key),
		    dataPtr->interp);
	}
    }
    Tcl_DStringFree(&key);
    if (connPtr != NULL) {
	DbusBusRemoveMatch(NULL, connPtr, Tcl_GetString(lPtr->rule),
		DBUS_MATCH_NOWAIT);
    }
    DbifProtosFree(lPtr->protos);
    lPtr->protos = NULL;
    lPtr->dataPtr = NULL;
    DbifListenFree(lPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifSignalFree --
 *
 *	Forget a signal id.
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
 * DbifListenCmd --
 *
 *	dbif listen ?-bus b? ?-interface i? path name ?arglist? ?interp? body
 *
 *----------------------------------------------------------------------
 */

int
DbifListenCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *usage = "listen ?-bus bustype? "
	    "?-interface interface? path name ?arglist? ?interp? body";
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[2] = {NULL, NULL}, *handle, *intf, *argList = NULL;
    Tcl_Obj *interpObj = NULL, *bodyObj, *params, *ruleObj;
    Tcl_HashEntry *hPtr;
    Tcl_DString key;
    DbusConn *connPtr;
    DbifListen *lPtr;
    DbifDef *defPtr;
    int i = 1, n, isNew;

    (void) clientData;
    if (DbifParseOptions(interp, dbifBusIntfOpts, objc, objv, &i, values)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    n = objc - i;
    if (n < 3 || n > 5) {
	return DbifWrongArgs(interp, usage);
    }
    if (n >= 4) {
	argList = objv[i + 2];
    }
    if (n == 5) {
	interpObj = objv[i + 3];
    }
    bodyObj = objv[objc - 1];
    intf = values[DBIF_O_INTF] ? values[DBIF_O_INTF] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[i], 1) != TCL_OK
	    || DbifCheckMember(interp, objv[i + 1], "Name") != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[DBIF_O_BUS], &handle,
	    &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_DStringInit(&key);
    DbifNodeKey(&key, Tcl_GetString(handle), Tcl_GetString(objv[i]),
	    Tcl_GetString(intf));
    Tcl_DStringAppend(&key, ".", 1);
    Tcl_DStringAppend(&key, Tcl_GetString(objv[i + 1]), -1);

    if (Tcl_GetCharLength(bodyObj) == 0) {
	hPtr = Tcl_FindHashEntry(&dataPtr->listeners, Tcl_DStringValue(&key));
	Tcl_DStringFree(&key);
	if (hPtr != NULL) {
	    DbifListenRemove(dataPtr, hPtr);
	}
	return TCL_OK;
    }

    defPtr = DbifDefNew();
    params = Tcl_NewListObj(0, NULL);
    Tcl_IncrRefCount(params);
    Tcl_ListObjAppendElement(NULL, params, Tcl_NewStringObj("msgid", 5));
    if ((argList && DbifParseArgList(interp, argList, 1, defPtr->inNames,
	    defPtr->inSigs, params, &defPtr->nRequired) != TCL_OK)
	    || DbifDefSetBody(interp, defPtr, interpObj, params, bodyObj)
	    != TCL_OK) {
	goto error;
    }
    hPtr = Tcl_CreateHashEntry(&dataPtr->listeners, Tcl_DStringValue(&key),
	    &isNew);
    if (isNew) {
	Tcl_DString rule;

	Tcl_DStringInit(&rule);
	Tcl_DStringAppend(&rule, "type='signal'", -1);
	if (Tcl_GetCharLength(objv[i]) > 0) {
	    DbusMatchAppend(&rule, "path", Tcl_GetString(objv[i]));
	}
	DbusMatchAppend(&rule, "interface", Tcl_GetString(intf));
	DbusMatchAppend(&rule, "member", Tcl_GetString(objv[i + 1]));
	ruleObj = Tcl_NewStringObj(Tcl_DStringValue(&rule),
		Tcl_DStringLength(&rule));
	Tcl_DStringFree(&rule);
	Tcl_IncrRefCount(ruleObj);
	if (DbusBusAddMatch(interp, connPtr, Tcl_GetString(ruleObj), 0)
		!= TCL_OK) {
	    Tcl_DecrRefCount(ruleObj);
	    Tcl_DeleteHashEntry(hPtr);
	    goto error;
	}
	lPtr = (DbifListen *) ckalloc(sizeof(DbifListen));
	lPtr->refCount = 1;
	lPtr->dataPtr = dataPtr;
	lPtr->handle = handle;
	lPtr->path = objv[i];
	lPtr->intf = intf;
	lPtr->member = objv[i + 1];
	lPtr->rule = ruleObj;
	lPtr->protos = NULL;
	Tcl_IncrRefCount(lPtr->handle);
	Tcl_IncrRefCount(lPtr->path);
	Tcl_IncrRefCount(lPtr->intf);
	Tcl_IncrRefCount(lPtr->member);
	Tcl_SetHashValue(hPtr, lPtr);
	Tcl_DStringFree(&key);
	Tcl_DStringAppend(&key, Tcl_GetString(intf), -1);
	Tcl_DStringAppend(&key, ".", 1);
	Tcl_DStringAppend(&key, Tcl_GetString(objv[i + 1]), -1);
	if (DbusHandlerInstall(interp, connPtr, DBUS_TABLE_SIGNAL,
		Tcl_GetString(objv[i]), Tcl_DStringValue(&key),
		DbusHandlerNew(interp, NULL, DbifSignalProc, lPtr, 0))
		!= TCL_OK) {
	    DbifListenRemove(dataPtr, hPtr);
	    goto error;
	}
    } else {
	lPtr = (DbifListen *) Tcl_GetHashValue(hPtr);
    }
    DbifAddProtos(&lPtr->protos, defPtr);
    Tcl_DStringFree(&key);
    Tcl_DecrRefCount(params);
    DbifDefRelease(defPtr);
    return TCL_OK;

  error:
    Tcl_DStringFree(&key);
    Tcl_DecrRefCount(params);
    DbifDefRelease(defPtr);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifSignalCmd --
 *
 *	dbif signal ?-attributes a? ?-bus b? ?-id id? ?-interface i?
 *		path name ?arglist ??interp? args body??
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
    Tcl_Obj *handle, *intf, *argList = NULL, *interpObj = NULL;
    Tcl_Obj *argsObj = NULL, *bodyObj = NULL, *attrs, *idObj;
    Tcl_HashEntry *hPtr;
    DbifSignal *sigPtr;
    DbifDef *defPtr;
    int i = 1, n, isNew;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    n = objc - i;
    if (n < 2 || n == 4 || n > 6) {
	return DbifWrongArgs(interp, usage);
    }
    if (n >= 3) {
	argList = objv[i + 2];
    }
    if (n >= 5) {
	argsObj = objv[objc - 2];
	bodyObj = objv[objc - 1];
    }
    if (n == 6) {
	interpObj = objv[i + 3];
    }

    /*
     * An empty name deletes the signal id.
     */

    if (Tcl_GetCharLength(objv[i + 1]) == 0) {
	if (values[S_ID] && (hPtr = Tcl_FindHashEntry(&dataPtr->signals,
		Tcl_GetString(values[S_ID]))) != NULL) {
	    DbifSignalFree(dataPtr, (DbifSignal *) Tcl_GetHashValue(hPtr));
	}
	return TCL_OK;
    }
    intf = values[S_INTF] ? values[S_INTF] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[i], bodyObj != NULL) != TCL_OK
	    || DbifCheckMember(interp, objv[i + 1], "Name") != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifParseAttributes(interp, values[S_ATTRS], &attrs) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[S_BUS], &handle, NULL)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    defPtr = DbifDefNew();
    if (attrs) {
	defPtr->attrs = attrs;
	Tcl_IncrRefCount(attrs);
    }
    if ((argList && DbifParseArgList(interp, argList, 1, defPtr->inNames,
	    defPtr->inSigs, NULL, &defPtr->nRequired) != TCL_OK)
	    || (bodyObj && DbifDefSetBody(interp, defPtr, interpObj, argsObj,
	    bodyObj) != TCL_OK)) {
	DbifDefRelease(defPtr);
	return TCL_ERROR;
    }

    if (values[S_ID]) {
	idObj = values[S_ID];
    } else {
	idObj = Tcl_ObjPrintf("signal%d", ++dataPtr->sigCounter);
    }
    Tcl_IncrRefCount(idObj);
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
    sigPtr->name = objv[i + 1];
    Tcl_IncrRefCount(sigPtr->name);
    sigPtr->sig = DbifJoinSigs(defPtr->inSigs, 255);
    Tcl_IncrRefCount(sigPtr->sig);
    sigPtr->defPtr = defPtr;
    sigPtr->nodePtr = DbifGetNode(dataPtr, handle, objv[i], intf);
    hPtr = Tcl_CreateHashEntry(&dataPtr->signals, Tcl_GetString(idObj),
	    &isNew);
    Tcl_SetHashValue(hPtr, sigPtr);
    hPtr = Tcl_CreateHashEntry(&sigPtr->nodePtr->signals,
	    Tcl_GetString(idObj), &isNew);
    Tcl_SetHashValue(hPtr, sigPtr);
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
 * DbifGenerateCmd --
 *
 *	dbif generate signalID ?arg ...?
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
    Tcl_Obj *resPtr, *pathObj = NULL, **vals, *optsPtr, *keyPtr;
    Tcl_Size nVals, nSig;
    int code;

    (void) clientData;
    if (objc < 2) {
	return DbifWrongArgs(interp, "generate signalID ?arg ...?");
    }
    hPtr = Tcl_FindHashEntry(&dataPtr->signals, Tcl_GetString(objv[1]));
    if (hPtr == NULL) {
	if (strcmp(Tcl_GetString(objv[1]), "PropertiesChanged") == 0) {
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
    resPtr = Tcl_GetObjResult(target);
    Tcl_IncrRefCount(resPtr);
    optsPtr = Tcl_GetReturnOptions(target, code);
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
