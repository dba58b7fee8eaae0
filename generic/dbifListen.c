/*
 * dbifListen.c --
 *
 *	dbif listeners (reference 4.18; DECISIONS rule 12): "dbif listen"
 *	with its typed prototypes and its -sender/-argN filters; the match
 *	rule of a plain listener goes through the core's registry
 *	(dbusBus.c), reference counted per connection, a filtered one's
 *	with its subscription (dbusSubscribe.c).  DbifListenAttach hooks a
 *	listener up on the connection of its bus, again on a new
 *	connection of that bus (dbifRevive.c).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

static int	Attached(DbifData *dataPtr, DbusConn *connPtr,
		    DbifListen *lPtr);
static void	SignalKey(Tcl_DString *dsPtr, DbifListen *lPtr);

/*
 *----------------------------------------------------------------------
 *
 * DbifListenFree --
 *
 *	Drop one reference to a listener; free it at zero.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	At zero releases the handle, path, interface, member, rule and filter
 *	objects and frees the record.
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
    if (lPtr->rule != NULL) {
	Tcl_DecrRefCount(lPtr->rule);
    }
    if (lPtr->filter != NULL) {
	Tcl_DecrRefCount(lPtr->filter);
    }
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
 * Results:
 *	TCL_OK (errors of the body go to bgerror).
 *
 * Side effects:
 *	Runs the prototype's body with the signal's arguments and a message id
 *	(freed afterwards); the definition and the listener are held while it
 *	runs.
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
 *	its core handler or subscription and its use of the match rule on
 *	the connection of its bus where it is hooked up, its prototypes.
 *
 * Results:
 *	None.
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
    if (connPtr != NULL && Attached(dataPtr, connPtr, lPtr)) {
	if (lPtr->filter != NULL) {
	    DbusUnsubscribe(DbusSubscriptionFind(connPtr, dataPtr->interp,
		    lPtr->subId));
	} else {
	    SignalKey(&key, lPtr);
	    DbusHandlerRemove(connPtr, DBUS_TABLE_SIGNAL,
		    Tcl_GetString(lPtr->path), Tcl_DStringValue(&key),
		    dataPtr->interp);
	    Tcl_DStringFree(&key);
	    DbusBusRemoveMatch(NULL, connPtr, Tcl_GetString(lPtr->rule),
		    DBUS_MATCH_NOWAIT);
	}
    }
    DbifProtosFree(lPtr->protos);
    lPtr->protos = NULL;
    lPtr->dataPtr = NULL;
    DbifListenFree(lPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TakeFilterOptions --
 *
 *	Take the -sender, -argN, -argNpath and -arg0namespace options (with
 *	their values) out of the leading options of "dbif listen" (objv[0]
 *	is the command) into a match rule; the other words are copied to
 *	kept[] for DbifParseOptions.
 *
 * Results:
 *	TCL_OK with *keptcPtr words in kept (borrowed) and *rulePtrPtr set
 *	to a new rule when a filter option was given (else NULL); or
 *	TCL_ERROR ({DBUS INVALID ...}, {TCL ARGUMENT MISSING}).
 *
 * Side effects:
 *	Allocates the rule (caller frees or hands it on).
 *
 *----------------------------------------------------------------------
 */

static int
TakeFilterOptions(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    Tcl_Obj **kept,		/* room for objc words */
    int *keptcPtr,
    DbusMatchRule **rulePtrPtr)
{
    int i, n = 1, options = 1;

    *rulePtrPtr = NULL;
    kept[0] = objv[0];
    for (i = 1; i < objc; i++) {
	const char *w = Tcl_GetString(objv[i]);

	if (options && (strcmp(w, "--") == 0 || w[0] != '-')) {
	    options = 0;
	}
	if (options && (strcmp(w, "-sender") == 0
		|| strncmp(w, "-arg", 4) == 0)) {
	    int k = i;

	    if (*rulePtrPtr == NULL) {
		*rulePtrPtr = DbusMatchNew();
	    }
	    if (DbusMatchFromOptions(interp, *rulePtrPtr, objv, &k,
		    (i + 2 < objc) ? i + 2 : objc) != TCL_OK) {
		goto error;
	    }
	    if (k == i) {
		Tcl_SetObjResult(interp, Tcl_ObjPrintf(
			"Unknown or ambiguous option: \"%s\"", w));
		Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option",
			w, NULL);
		goto error;
	    }
	    if (i + 1 >= objc) {
		break;
	    }
	    i++;
	    continue;
	}
	kept[n++] = objv[i];
	if (options && i + 1 < objc) {
	    kept[n++] = objv[++i];	/* every dbif listen option has a value */
	}
    }
    *keptcPtr = n;
    return TCL_OK;

  error:
    DbusMatchFree(*rulePtrPtr);
    *rulePtrPtr = NULL;
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * SignalKey --
 *
 *	"interface.member", the key of a listener in the core's signal
 *	handler table.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Initializes and fills *dsPtr (the caller frees it).
 *
 *----------------------------------------------------------------------
 */

static void
SignalKey(
    Tcl_DString *dsPtr,		/* out: initialized here */
    DbifListen *lPtr)
{
    Tcl_DStringInit(dsPtr);
    Tcl_DStringAppend(dsPtr, Tcl_GetString(lPtr->intf), -1);
    Tcl_DStringAppend(dsPtr, ".", 1);
    Tcl_DStringAppend(dsPtr, Tcl_GetString(lPtr->member), -1);
}

/*
 *----------------------------------------------------------------------
 *
 * Attached --
 *
 *	Is a listener hooked up on a connection: its signal handler (plain
 *	listener) or its subscription (filtered listener) there, calling
 *	it, for this interp?
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
Attached(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DbifListen *lPtr)
{
    DbusHandler *handlerPtr;
    DbusSubscription *subPtr;
    ClientData cd = NULL;
    Tcl_DString key;

    if (lPtr->filter != NULL) {
	subPtr = (lPtr->subId == 0) ? NULL : DbusSubscriptionFind(connPtr,
		dataPtr->interp, lPtr->subId);
	return subPtr != NULL && DbusSubscriptionClientData(subPtr) == lPtr;
    }
    SignalKey(&key, lPtr);
    handlerPtr = DbusHandlerLookup(connPtr, DBUS_TABLE_SIGNAL,
	    Tcl_GetString(lPtr->path), Tcl_DStringValue(&key),
	    dataPtr->interp);
    Tcl_DStringFree(&key);
    return handlerPtr != NULL && DbusHandlerProc(handlerPtr, &cd) != NULL
	    && cd == lPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifListenAttach --
 *
 *	Hook a listener up on a connection, unless it is there already
 *	(so that "dbif connect" on a new connection of its bus serves it
 *	again, and on the same one changes nothing): a plain listener
 *	goes into the core's signal-handler table with its match rule
 *	through the registry; a filtered one becomes a subscription made
 *	from its rule text, applied locally and given to the bus.  Either
 *	way the bus has the rule when this returns.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR in interp (rule refused, connection closed)
 *	with nothing left on the connection.
 *
 * Side effects:
 *	Adds one use of the rule on the connection (AddMatch on the first,
 *	waiting for the bus) and the handler or subscription; updates
 *	lPtr->subId.
 *
 *----------------------------------------------------------------------
 */

int
DbifListenAttach(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    DbusConn *connPtr,
    DbifListen *lPtr)
{
    DbusSubscription *subPtr;
    DbusMatchRule *rulePtr;
    const char *err = NULL;
    Tcl_DString key;
    int code;

    if (Attached(dataPtr, connPtr, lPtr)) {
	return TCL_OK;
    }
    if (lPtr->filter != NULL) {
	rulePtr = DbusMatchParse(Tcl_GetString(lPtr->filter), &err);
	if (rulePtr == NULL) {
	    return DbusError(interp, DBUS_EC_INVALID, "MATCH",
		    Tcl_GetString(lPtr->filter), "%s", err);
	}
	subPtr = DbusSubscribe(interp, connPtr, rulePtr, 0, NULL,
		DbifSignalProc, lPtr);
	if (subPtr == NULL) {
	    return TCL_ERROR;
	}
	lPtr->subId = DbusSubscriptionId(subPtr);
	return TCL_OK;
    }
    if (DbusBusAddMatch(interp, connPtr, Tcl_GetString(lPtr->rule), 0)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    SignalKey(&key, lPtr);
    code = DbusHandlerInstall(interp, connPtr, DBUS_TABLE_SIGNAL,
	    Tcl_GetString(lPtr->path), Tcl_DStringValue(&key),
	    DbusHandlerNew(interp, NULL, DbifSignalProc, lPtr, 0));
    Tcl_DStringFree(&key);
    if (code != TCL_OK) {
	DbusBusRemoveMatch(NULL, connPtr, Tcl_GetString(lPtr->rule),
		DBUS_MATCH_NOWAIT);
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * ListenInstall --
 *
 *	Make the record of a new listener and hook it up
 *	(DbifListenAttach).  A plain listener keeps the match rule of its
 *	path, interface and member; a filtered one (filterPtr not NULL)
 *	the text of its whole rule, path, interface and member added to
 *	the filter.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (bad rule, rule refused, connection closed);
 *	hPtr's entry is deleted on error.
 *
 * Side effects:
 *	Stores the record in hPtr (which owns it); frees filterPtr.
 *
 *----------------------------------------------------------------------
 */

static int
ListenInstall(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    DbusConn *connPtr,
    Tcl_HashEntry *hPtr,	/* new entry of dataPtr->listeners */
    Tcl_Obj *const words[],	/* handle path intf member */
    DbusMatchRule *filterPtr)	/* owned; NULL for a plain listener */
{
    const char *path = Tcl_GetString(words[1]), *err = NULL;
    DbifListen *lPtr;
    Tcl_DString ds;
    char *text;

    lPtr = (DbifListen *) ckalloc(sizeof(DbifListen));
    memset(lPtr, 0, sizeof(DbifListen));
    lPtr->refCount = 1;
    lPtr->dataPtr = dataPtr;
    lPtr->handle = words[0];
    lPtr->path = words[1];
    lPtr->intf = words[2];
    lPtr->member = words[3];
    Tcl_IncrRefCount(lPtr->handle);
    Tcl_IncrRefCount(lPtr->path);
    Tcl_IncrRefCount(lPtr->intf);
    Tcl_IncrRefCount(lPtr->member);
    Tcl_SetHashValue(hPtr, lPtr);

    if (filterPtr != NULL) {
	if ((*path != '\0' && !DbusMatchSet(filterPtr, "path", 4, path,
		strlen(path), &err))
		|| !DbusMatchSet(filterPtr, "interface", 9,
		Tcl_GetString(words[2]), strlen(Tcl_GetString(words[2])), &err)
		|| !DbusMatchSet(filterPtr, "member", 6, Tcl_GetString(words[3]),
		strlen(Tcl_GetString(words[3])), &err)
		|| (text = DbusMatchString(filterPtr)) == NULL) {
	    DbusMatchFree(filterPtr);
	    DbifListenRemove(dataPtr, hPtr);
	    return DbusError(interp, DBUS_EC_INVALID, "MATCH",
		    Tcl_GetString(words[3]), "%s", err ? err : "out of memory");
	}
	lPtr->filter = Tcl_NewStringObj(text, -1);
	DbusMemFree(text);
	DbusMatchFree(filterPtr);
    } else {
	Tcl_DStringInit(&ds);
	Tcl_DStringAppend(&ds, "type='signal'", -1);
	if (*path != '\0') {
	    DbusMatchAppend(&ds, "path", path);
	}
	DbusMatchAppend(&ds, "interface", Tcl_GetString(words[2]));
	DbusMatchAppend(&ds, "member", Tcl_GetString(words[3]));
	lPtr->rule = Tcl_NewStringObj(Tcl_DStringValue(&ds),
		Tcl_DStringLength(&ds));
	Tcl_DStringFree(&ds);
    }
    Tcl_IncrRefCount(lPtr->filter ? lPtr->filter : lPtr->rule);

    /*
     * On a bus that was lost the listener is only recorded, as methods
     * and properties are: "dbif connect" hooks it up on the new
     * connection (dbifRevive.c).
     */

    if (!(DbusConnFlags(connPtr) & DBUS_CONN_LOST)
	    && DbifListenAttach(interp, dataPtr, connPtr, lPtr) != TCL_OK) {
	DbifListenRemove(dataPtr, hPtr);
	return TCL_ERROR;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ListenKey --
 *
 *	The key of a listener in dataPtr->listeners:
 *	"handle|path|interface.member", and for a filtered listener "|"
 *	and its filter's rule text, so that listeners with different
 *	filters are different listeners.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Initializes and fills *keyPtr (the caller frees it).
 *
 *----------------------------------------------------------------------
 */

static void
ListenKey(
    Tcl_DString *keyPtr,	/* out: initialized here */
    Tcl_Obj *handle,
    Tcl_Obj *path,
    Tcl_Obj *intf,
    Tcl_Obj *member,
    DbusMatchRule *filterPtr)	/* or NULL */
{
    Tcl_DStringInit(keyPtr);
    DbifNodeKey(keyPtr, Tcl_GetString(handle), Tcl_GetString(path),
	    Tcl_GetString(intf));
    Tcl_DStringAppend(keyPtr, ".", 1);
    Tcl_DStringAppend(keyPtr, Tcl_GetString(member), -1);
    if (filterPtr != NULL) {
	char *text = DbusMatchString(filterPtr);

	Tcl_DStringAppend(keyPtr, "|", 1);
	Tcl_DStringAppend(keyPtr, text ? text : "", -1);
	DbusMemFree(text);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ListenAdd --
 *
 *	The step of "dbif listen" with a body: make the definition (msgid
 *	and the arguments as parameters) and add it as a prototype of the
 *	listener under key, which is created and hooked up first when it
 *	is new (ListenInstall).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (bad argument list or interp, rule refused,
 *	connection closed) with nothing added.
 *
 * Side effects:
 *	May create the listener; *filterPtrPtr's rule passes to it (set to
 *	NULL then; left for the caller to free when the listener existed).
 *
 *----------------------------------------------------------------------
 */

static int
ListenAdd(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    DbusConn *connPtr,
    const char *key,
    Tcl_Obj *const words[],	/* handle path intf member */
    Tcl_Obj *argList,		/* or NULL */
    Tcl_Obj *interpObj,		/* or NULL */
    Tcl_Obj *bodyObj,
    DbusMatchRule **filterPtrPtr)
{
    DbifDef *defPtr = DbifDefNew();
    Tcl_Obj *params = Tcl_NewListObj(0, NULL);
    Tcl_HashEntry *hPtr;
    DbifListen *lPtr;
    int isNew, code = TCL_ERROR;

    Tcl_IncrRefCount(params);
    Tcl_ListObjAppendElement(NULL, params, Tcl_NewStringObj("msgid", 5));
    if ((argList && DbifParseArgList(interp, argList, 1, defPtr->inNames,
	    defPtr->inSigs, params, &defPtr->nRequired) != TCL_OK)
	    || DbifDefSetBody(interp, defPtr, interpObj, params, bodyObj)
	    != TCL_OK) {
	goto done;
    }
    hPtr = Tcl_CreateHashEntry(&dataPtr->listeners, key, &isNew);
    if (isNew) {
	DbusMatchRule *rulePtr = *filterPtrPtr;

	*filterPtrPtr = NULL;
	if (ListenInstall(interp, dataPtr, connPtr, hPtr, words, rulePtr)
		!= TCL_OK) {
	    goto done;
	}
    }
    lPtr = (DbifListen *) Tcl_GetHashValue(hPtr);
    DbifAddProtos(&lPtr->protos, defPtr);
    code = TCL_OK;

  done:
    Tcl_DecrRefCount(params);
    DbifDefRelease(defPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifListenCmd --
 *
 *	dbif listen ?-bus b? ?-interface i? ?-sender name? ?-argN value?
 *		?-argNpath path? ?-arg0namespace name?
 *		path name ?arglist? ?interp? body
 *
 *	A listener with -sender or argument options is its own listener
 *	(keyed by its filter too), matched locally as "dbus subscribe"
 *	does; without them the reference behaviour holds.  An empty body
 *	removes the listener (DbifListenRemove).
 *
 * Results:
 *	TCL_OK ("" result) or TCL_ERROR: wrong arguments {TCL WRONGARGS},
 *	a bad option, path, name, interface or argument list
 *	{DBUS INVALID ...}, not connected {DBUS NOTCONNECTED bus}, a rule
 *	the bus refused.
 *
 * Side effects:
 *	See ListenAdd and DbifListenRemove.
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
	    "?-interface interface? ?-sender name? ?-argN value? "
	    "path name ?arglist? ?interp? body";
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[2] = {NULL, NULL}, *words[4], *keptStatic[16];
    Tcl_Obj **kept = keptStatic;
    Tcl_HashEntry *hPtr;
    Tcl_DString key;
    DbusConn *connPtr;
    DbusMatchRule *filterPtr = NULL;
    int i = 1, n, code = TCL_ERROR;

    (void) clientData;
    if (objc > 16) {
	kept = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * objc);
    }
    if (TakeFilterOptions(interp, objc, objv, kept, &n, &filterPtr)
	    != TCL_OK) {
	goto done;
    }
    objc = n;
    objv = kept;
    if (DbifParseOptions(interp, dbifBusIntfOpts, objc, objv, &i, values)
	    != TCL_OK) {
	goto done;
    }
    n = objc - i;
    if (n < 3 || n > 5) {
	DbifWrongArgs(interp, usage);
	goto done;
    }
    words[1] = objv[i];
    words[2] = values[DBIF_O_INTF] ? values[DBIF_O_INTF]
	    : dataPtr->defaultIntf;
    words[3] = objv[i + 1];
    if (DbifCheckPath(interp, words[1], 1) != TCL_OK
	    || DbifCheckMember(interp, words[3], "Name") != TCL_OK
	    || DbifCheckInterface(interp, words[2]) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[DBIF_O_BUS], &words[0],
	    &connPtr) != TCL_OK) {
	goto done;
    }
    ListenKey(&key, words[0], words[1], words[2], words[3], filterPtr);
    if (Tcl_GetCharLength(objv[objc - 1]) > 0) {
	code = ListenAdd(interp, dataPtr, connPtr, Tcl_DStringValue(&key),
		words, (n >= 4) ? objv[i + 2] : NULL,
		(n == 5) ? objv[i + 3] : NULL, objv[objc - 1], &filterPtr);
    } else {
	hPtr = Tcl_FindHashEntry(&dataPtr->listeners, Tcl_DStringValue(&key));
	if (hPtr != NULL) {
	    DbifListenRemove(dataPtr, hPtr);
	}
	code = TCL_OK;
    }
    Tcl_DStringFree(&key);

  done:
    DbusMatchFree(filterPtr);
    if (kept != keptStatic) {
	ckfree((char *) kept);
    }
    return code;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
