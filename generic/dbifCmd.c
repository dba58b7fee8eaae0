/*
 * dbifCmd.c --
 *
 *	The "dbif" ensemble (reference section 4, DECISIONS rules 18-20):
 *	the per-interp dbif record, option and name plumbing shared by the
 *	subcommands, and the subcommands delete and pave.  The registry of
 *	published objects lives in dbifRegistry.c, definitions, argument
 *	lists and bodies in dbifDef.c, buses and the subcommands connect
 *	and default in dbifConn.c, methods in dbifMethod.c, signals in
 *	dbifSignal.c, listeners in dbifListen.c, properties in dbifProp.c,
 *	introspection in dbifIntro.c, a bus connected again in
 *	dbifRevive.c.
 *
 *	Everything on the per-message path is C: an incoming call reaches
 *	DbifMethodProc through the core's handler table, arguments are
 *	unmarshalled once and the body runs as "::apply lambda msgid arg..."
 *	with a cached lambda object.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

static void	DataFree(ClientData clientData);

/*
 *----------------------------------------------------------------------
 *
 * DbifGetData --
 *
 *	The dbif record of an interp, created on first use and hung off the
 *	core's per-interp record (freed by DataFree on interp deletion).
 *
 * Results:
 *	The record (owned by the core's per-interp record through
 *	DbusInterpSetDbif).
 *
 * Side effects:
 *	May create the record and the core's per-interp record.
 *
 *----------------------------------------------------------------------
 */

DbifData *
DbifGetData(
    Tcl_Interp *interp)
{
    DbusInterpData *idPtr = DbusGetInterpData(interp);
    DbifData *dataPtr = (DbifData *) DbusInterpDbif(idPtr);

    if (dataPtr != NULL) {
	return dataPtr;
    }
    dataPtr = (DbifData *) ckalloc(sizeof(DbifData));
    memset(dataPtr, 0, sizeof(DbifData));
    dataPtr->interp = interp;
    dataPtr->coreData = idPtr;
    dataPtr->defaultBus = Tcl_NewStringObj(DBUS_DEFAULT_BUS, -1);
    Tcl_IncrRefCount(dataPtr->defaultBus);
    dataPtr->defaultIntf = Tcl_NewStringObj(DBIF_DEFAULT_INTERFACE, -1);
    Tcl_IncrRefCount(dataPtr->defaultIntf);
    Tcl_InitHashTable(&dataPtr->buses, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->names, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->nodes, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->signals, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->messages, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->listeners, TCL_STRING_KEYS);
    dataPtr->changedSignal = 1;
    dataPtr->applyObj = Tcl_NewStringObj("::apply", -1);
    Tcl_IncrRefCount(dataPtr->applyObj);
    DbusInterpSetDbif(idPtr, dataPtr, DataFree, DbifNameGone);
    return dataPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DataFree --
 *
 *	Interp deletion (the dbifFree hook of the core's per-interp
 *	record, called while the interp's connections are still open):
 *	free every dbif record of the interp.  Listeners go first, the way
 *	"dbif listen ... {}" removes them, so that their match rules leave
 *	the bus when a connection outlives this interp; after that no core
 *	state is touched (dying) and the core forgets the remaining C
 *	handlers itself right after.  Traces on a dying interp go with it
 *	(the trace proc ignores TCL_INTERP_DESTROYED).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The listeners' uses of match rules are dropped from the core's
 *	registry; a rule whose last user they were leaves the bus
 *	(DbusBusRemoveMatch, not waiting for the answer).
 *
 *----------------------------------------------------------------------
 */

static void
DataFree(
    ClientData clientData)
{
    DbifData *dataPtr = (DbifData *) clientData;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    while ((hPtr = Tcl_FirstHashEntry(&dataPtr->listeners, &search))) {
	DbifListenRemove(dataPtr, hPtr);
    }
    dataPtr->dying = 1;
    DbifCancelIdle(dataPtr);
    while ((hPtr = Tcl_FirstHashEntry(&dataPtr->messages, &search))) {
	DbifMsgFree((DbifMsg *) Tcl_GetHashValue(hPtr));
    }
    while ((hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search))) {
	DbifNodeFree(dataPtr, (DbifNode *) Tcl_GetHashValue(hPtr));
    }
    while ((hPtr = Tcl_FirstHashEntry(&dataPtr->signals, &search))) {
	DbifSignalFree(dataPtr, (DbifSignal *) Tcl_GetHashValue(hPtr));
    }
    DbifManagersFree(dataPtr);
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->buses, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
    }
    Tcl_DeleteHashTable(&dataPtr->buses);
    DbifNamesFree(dataPtr);
    Tcl_DeleteHashTable(&dataPtr->nodes);
    Tcl_DeleteHashTable(&dataPtr->signals);
    Tcl_DeleteHashTable(&dataPtr->messages);
    Tcl_DeleteHashTable(&dataPtr->listeners);
    Tcl_DecrRefCount(dataPtr->defaultBus);
    Tcl_DecrRefCount(dataPtr->defaultIntf);
    Tcl_DecrRefCount(dataPtr->applyObj);
    ckfree((char *) dataPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifWrongArgs --
 *
 *	The reference's arity error: wrong # args: should be "dbif usage".
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Sets the interp result and errorcode {TCL WRONGARGS}.
 *
 *----------------------------------------------------------------------
 */

int
DbifWrongArgs(
    Tcl_Interp *interp,
    const char *usage)
{
    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
	    "wrong # args: should be \"dbif %s\"", usage));
    Tcl_SetErrorCode(interp, "TCL", "WRONGARGS", NULL);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifParseOptions --
 *
 *	The one option parser of dbif (reference 4.0): options first,
 *	unique prefixes, "--" or the first word that is "-" or does not
 *	start with "-" ends them.  values[i] gets the value of option i, or
 *	the option word itself for a flag; untouched when not given.
 *
 * Results:
 *	TCL_OK with *idxPtr at the first positional argument, or TCL_ERROR
 *	("Unknown or ambiguous option" {TCL LOOKUP INDEX option word},
 *	"Option requires argument" {TCL ARGUMENT MISSING}).
 *
 * Side effects:
 *	values[] gets borrowed objects from objv.
 *
 *----------------------------------------------------------------------
 */

int
DbifParseOptions(
    Tcl_Interp *interp,
    const DbifOption *opts,	/* terminated by a NULL name */
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    Tcl_Obj **values)		/* borrowed pointers into objv */
{
    int i = *idxPtr;

    while (i < objc) {
	Tcl_Size len;
	const char *word = Tcl_GetStringFromObj(objv[i], &len);
	int k, match = -1;

	if (word[0] != '-' || len == 1) {
	    break;
	}
	if (strcmp(word, "--") == 0) {
	    i++;
	    break;
	}
	for (k = 0; opts[k].name != NULL; k++) {
	    if (strcmp(opts[k].name, word) == 0) {
		match = k;
		break;
	    }
	    if (strncmp(opts[k].name, word, (size_t) len) == 0) {
		match = (match == -1) ? k : -2;
	    }
	}
	if (match < 0) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "Unknown or ambiguous option: \"%s\"", word));
	    Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option",
		    word, NULL);
	    return TCL_ERROR;
	}
	if (opts[match].takesValue) {
	    if (i + 1 >= objc) {
		return DbusMissingValue(interp, Tcl_ObjPrintf(
			"Option requires argument: \"%s\"", word));
	    }
	    values[match] = objv[i + 1];
	    i += 2;
	} else {
	    values[match] = objv[i];
	    i++;
	}
    }
    *idxPtr = i;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifCheckInterface, DbifCheckPath, DbifCheckMember --
 *
 *	Name checks (DECISIONS rule 19): the ASCII rules of the D-Bus
 *	specification (DbusValidName), with the reference's message texts.
 *	DbifCheckPath accepts "" for the universal path when allowEmpty.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {DBUS INVALID INTERFACE|PATH|MEMBER|PROPERTY
 *	value}.
 *
 * Side effects:
 *	None on success.
 *
 *----------------------------------------------------------------------
 */

int
DbifCheckInterface(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr)
{
    Tcl_Size len;
    const char *s = Tcl_GetStringFromObj(objPtr, &len);

    if (DbusValidName(DBUS_NAME_INTERFACE, s, len)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID, "INTERFACE", s,
	    "Invalid interface name: \"%s\".", s);
}

int
DbifCheckPath(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    int allowEmpty)
{
    Tcl_Size len;
    const char *s = Tcl_GetStringFromObj(objPtr, &len);

    if ((allowEmpty && len == 0) || DbusValidName(DBUS_NAME_PATH, s, len)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID, "PATH", s,
	    "Invalid path name: \"%s\".", s);
}

int
DbifCheckMember(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    const char *thing)		/* "Name" or "Property" */
{
    Tcl_Size len;
    const char *s = Tcl_GetStringFromObj(objPtr, &len);

    if (DbusValidName(DBUS_NAME_MEMBER, s, len)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID,
	    thing[0] == 'P' ? "PROPERTY" : "MEMBER", s,
	    "%s contains invalid characters: \"%s\"", thing, s);
}

/*
 *----------------------------------------------------------------------
 *
 * UnderPath --
 *
 *	Is path at or below base (all paths and "" when base is "/")?
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
UnderPath(
    const char *path,
    const char *base,
    int single)
{
    size_t n = strlen(base);

    if (strcmp(path, base) == 0) {
	return 1;
    }
    if (single) {
	return 0;
    }
    if (strcmp(base, "/") == 0) {
	return 1;
    }
    return n > 0 && strncmp(path, base, n) == 0 && path[n] == '/';
}

/*
 *----------------------------------------------------------------------
 *
 * DeleteCmd --
 *
 *	dbif delete ?-bus bus? ?-interface intf? ?-single? path
 *	Removes the nodes of the interface at/below path and everything
 *	registered for them, listeners included (rule 18).
 *
 * Results:
 *	TCL_OK ("" result) or TCL_ERROR.
 *
 * Side effects:
 *	Frees the nodes with their methods, properties (and traces) and
 *	signals; removes their core handlers and the listeners' match rule
 *	uses.
 *
 *----------------------------------------------------------------------
 */

static int
DeleteCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {
	{"-bus", 1}, {"-interface", 1}, {"-single", 0}, {NULL, 0}
    };
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[3] = {NULL, NULL, NULL}, *handle, *intf, *victims;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    const char *base;
    Tcl_Size n, k;
    Tcl_Obj **elems;
    int i = 1;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    if (i != objc - 1) {
	return DbifWrongArgs(interp, "delete ?-bus bustype? "
		"?-interface interface? ?-single? path");
    }
    intf = values[DBIF_O_INTF] ? values[DBIF_O_INTF] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[i], 1) != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifHandleOf(interp, dataPtr, values[DBIF_O_BUS], &handle)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    base = Tcl_GetString(objv[i]);
    victims = Tcl_NewListObj(0, NULL);
    Tcl_IncrRefCount(victims);
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifNode *nodePtr = (DbifNode *) Tcl_GetHashValue(hPtr);

	if (strcmp(Tcl_GetString(nodePtr->handle), Tcl_GetString(handle))
		== 0 && strcmp(Tcl_GetString(nodePtr->intf),
		Tcl_GetString(intf)) == 0
		&& UnderPath(Tcl_GetString(nodePtr->path), base,
		values[2] != NULL)) {
	    Tcl_ListObjAppendElement(NULL, victims, Tcl_NewStringObj(
		    Tcl_GetHashKey(&dataPtr->nodes, hPtr), -1));
	}
    }
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->listeners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifListen *lPtr = (DbifListen *) Tcl_GetHashValue(hPtr);

	if (strcmp(Tcl_GetString(lPtr->handle), Tcl_GetString(handle)) == 0
		&& strcmp(Tcl_GetString(lPtr->intf), Tcl_GetString(intf)) == 0
		&& UnderPath(Tcl_GetString(lPtr->path), base,
		values[2] != NULL)) {
	    Tcl_ListObjAppendElement(NULL, victims, Tcl_NewStringObj(
		    Tcl_GetHashKey(&dataPtr->listeners, hPtr), -1));
	}
    }
    Tcl_ListObjGetElements(NULL, victims, &n, &elems);
    for (k = 0; k < n; k++) {
	const char *key = Tcl_GetString(elems[k]);

	if ((hPtr = Tcl_FindHashEntry(&dataPtr->nodes, key)) != NULL) {
	    DbifNodeFree(dataPtr, (DbifNode *) Tcl_GetHashValue(hPtr));
	} else if ((hPtr = Tcl_FindHashEntry(&dataPtr->listeners, key))
		!= NULL) {
	    DbifListenRemove(dataPtr, hPtr);
	}
    }
    Tcl_DecrRefCount(victims);
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * PaveCmd --
 *
 *	dbif pave ?-bus b? ?-interface i? path
 *	Creates the (empty) node, so that the path shows in introspection.
 *
 * Results:
 *	TCL_OK ("" result) or TCL_ERROR.
 *
 * Side effects:
 *	May create the node (DbifGetNode).
 *
 *----------------------------------------------------------------------
 */

static int
PaveCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[2] = {NULL, NULL}, *handle, *intf;
    int i = 1;

    (void) clientData;
    if (DbifParseOptions(interp, dbifBusIntfOpts, objc, objv, &i, values)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (i != objc - 1) {
	return DbifWrongArgs(interp,
		"pave ?-bus bustype? ?-interface interface? path");
    }
    intf = values[DBIF_O_INTF] ? values[DBIF_O_INTF] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[i], 0) != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[DBIF_O_BUS], &handle,
	    NULL) != TCL_OK) {
	return TCL_ERROR;
    }
    DbifGetNode(dataPtr, handle, objv[i], intf);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifCreateCommands --
 *
 *	Create namespace ::dbus::dbif with one command per subcommand and
 *	the ::dbif ensemble over it (called by Dbif_Init).
 *
 * Results:
 *	TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	Creates the namespace, the commands and the ensemble.
 *
 *----------------------------------------------------------------------
 */

int
DbifCreateCommands(
    Tcl_Interp *interp)
{
    static const DbusSubcommand cmds[] = {
	{"connect", DbifConnectCmd, NULL},
	{"default", DbifDefaultCmd, NULL},
	{"delete", DeleteCmd, NULL}, {"error", DbifErrorCmd, NULL},
	{"generate", DbifGenerateCmd, NULL}, {"get", DbifGetObjCmd, DbifGetCmd},
	{"listen", DbifListenCmd, NULL}, {"method", DbifMethodCmd, NULL},
	{"pave", PaveCmd, NULL}, {"property", DbifPropertyCmd, NULL},
	{"manager", DbifManagerCmd, NULL},
	{"objects", DbifObjectsCmd, DbifObjectsNRCmd},
	{"proxy", DbifProxyCmd, DbifProxyNRCmd},
	{"return", DbifReturnCmd, NULL}, {"signal", DbifSignalCmd, NULL},
	{NULL, NULL, NULL}
    };

    if (DbusCreateEnsemble(interp, "::dbus::dbif", "::dbif", cmds, NULL,
	    NULL) != TCL_OK) {
	return TCL_ERROR;
    }
    (void) DbifGetData(interp);
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
