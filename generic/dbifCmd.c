/*
 * dbifCmd.c --
 *
 *	The "dbif" ensemble (reference section 4, DECISIONS rules 18-20):
 *	the per-interp registry of published objects (nodes), option and
 *	name plumbing, argument lists, definitions and how their bodies
 *	run, and the subcommands delete and pave.  Buses and the
 *	subcommands connect and default live in dbifConn.c, methods in
 *	dbifMethod.c, signals and listeners in dbifSignal.c, properties in
 *	dbifProp.c, introspection in dbifIntro.c.
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
 *	The record.
 *
 *----------------------------------------------------------------------
 */

DbifData *
DbifGetData(
    Tcl_Interp *interp)
{
    DbusInterpData *idPtr = DbusGetInterpData(interp);
    DbifData *dataPtr = (DbifData *) idPtr->dbifData;

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
    Tcl_InitHashTable(&dataPtr->nodes, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->signals, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->messages, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->listeners, TCL_STRING_KEYS);
    Tcl_InitHashTable(&dataPtr->rules, TCL_STRING_KEYS);
    dataPtr->changedSignal = 1;
    dataPtr->applyObj = Tcl_NewStringObj("::apply", -1);
    Tcl_IncrRefCount(dataPtr->applyObj);
    idPtr->dbifData = dataPtr;
    idPtr->dbifFree = DataFree;
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
 * Side effects:
 *	Match rules whose last user was this interp are removed from the
 *	bus (dbus_bus_remove_match, not waiting for the answer).
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
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->buses, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
    }
    Tcl_DeleteHashTable(&dataPtr->buses);
    Tcl_DeleteHashTable(&dataPtr->nodes);
    Tcl_DeleteHashTable(&dataPtr->signals);
    Tcl_DeleteHashTable(&dataPtr->messages);
    Tcl_DeleteHashTable(&dataPtr->listeners);
    Tcl_DeleteHashTable(&dataPtr->rules);
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
 *	TCL_ERROR with errorcode {TCL WRONGARGS}.
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
 *	("Unknown or ambiguous option", "Option requires argument").
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
		Tcl_SetObjResult(interp, Tcl_ObjPrintf(
			"Option requires argument: \"%s\"", word));
		Tcl_SetErrorCode(interp, "TCL", "WRONGARGS", NULL);
		return TCL_ERROR;
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
 * Name checks (DECISIONS rule 19): the ASCII rules of the D-Bus
 * specification, with the reference's message texts.
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
 * Argument names: [A-Za-z0-9_]+, may start with a digit.
 */

static int
CheckArgName(
    Tcl_Interp *interp,
    const char *s,
    Tcl_Size len)
{
    Tcl_Size i;

    for (i = 0; i < len; i++) {
	char c = s[i];

	if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		|| (c >= '0' && c <= '9') || c == '_')) {
	    break;
	}
    }
    if (len > 0 && len <= 255 && i == len) {
	return TCL_OK;
    } else {
	Tcl_Obj *nameObj = Tcl_NewStringObj(s, len);
	int code;

	Tcl_IncrRefCount(nameObj);
	code = DbusError(interp, DBUS_EC_INVALID, "ARGUMENT",
		Tcl_GetString(nameObj),
		"Argument contains invalid characters: \"%s\"",
		Tcl_GetString(nameObj));
	Tcl_DecrRefCount(nameObj);
	return code;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifParseAttributes --
 *
 *	-attributes must be a dict (even-length list; last key wins).
 *
 * Results:
 *	TCL_OK with a new dict (refcount 0) or NULL for an empty list in
 *	*dictPtr, or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
DbifParseAttributes(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    Tcl_Obj **dictPtr)
{
    Tcl_Size n, i;
    Tcl_Obj **elems, *dict;

    *dictPtr = NULL;
    if (objPtr == NULL) {
	return TCL_OK;
    }
    if (Tcl_ListObjGetElements(NULL, objPtr, &n, &elems) != TCL_OK
	    || (n % 2) != 0) {
	return DbusError(interp, DBUS_EC_INVALID, "ATTRIBUTES",
		Tcl_GetString(objPtr),
		"Invalid attribute specification. Must be a dict");
    }
    if (n == 0) {
	return TCL_OK;
    }
    dict = Tcl_NewDictObj();
    for (i = 0; i < n; i += 2) {
	Tcl_DictObjPut(NULL, dict, elems[i], elems[i + 1]);
    }
    *dictPtr = dict;
    return TCL_OK;
}

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
 * Nodes.
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
 *	The node.
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
    return nodePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifMethodKey --
 *
 *	"interface.member" for the core's handler table.
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

	if (handlerPtr != NULL && handlerPtr->proc == DbifMethodProc) {
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
 *----------------------------------------------------------------------
 *
 * Definitions and argument lists.
 *
 *----------------------------------------------------------------------
 */

void
DbifDefRelease(
    DbifDef *defPtr)
{
    if (defPtr == NULL || --defPtr->refCount > 0) {
	return;
    }
#define DROP(f) if (defPtr->f) { Tcl_DecrRefCount(defPtr->f); }
    DROP(lambda); DROP(interpObj); DROP(inNames); DROP(inSigs);
    DROP(outNames); DROP(outSigs); DROP(outSig); DROP(attrs);
#undef DROP
    ckfree((char *) defPtr);
}

DbifDef *
DbifDefNew(void)
{
    DbifDef *defPtr = (DbifDef *) ckalloc(sizeof(DbifDef));

    memset(defPtr, 0, sizeof(DbifDef));
    defPtr->refCount = 1;
    defPtr->inNames = Tcl_NewListObj(0, NULL);
    defPtr->inSigs = Tcl_NewListObj(0, NULL);
    defPtr->outNames = Tcl_NewListObj(0, NULL);
    defPtr->outSigs = Tcl_NewListObj(0, NULL);
    defPtr->outSig = Tcl_NewObj();
    Tcl_IncrRefCount(defPtr->inNames);
    Tcl_IncrRefCount(defPtr->inSigs);
    Tcl_IncrRefCount(defPtr->outNames);
    Tcl_IncrRefCount(defPtr->outSigs);
    Tcl_IncrRefCount(defPtr->outSig);
    return defPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifParseArgList --
 *
 *	Parse a dbif argument list (reference 4.11): "name", "name:sig",
 *	or {name:sig default}; everything after the first optional element
 *	is optional.  Appends names and signatures to the given lists and
 *	the apply parameters to paramsPtr (may be NULL).
 *
 * Results:
 *	TCL_OK with *nRequiredPtr set (may be NULL), or TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

int
DbifParseArgList(
    Tcl_Interp *interp,
    Tcl_Obj *listObj,
    int allowOptional,
    Tcl_Obj *namesPtr,
    Tcl_Obj *sigsPtr,
    Tcl_Obj *paramsPtr,
    int *nRequiredPtr)
{
    Tcl_Size n, i, ne, total = 0;
    Tcl_Obj **elems, **parts;
    int nRequired = -1;

    if (Tcl_ListObjGetElements(interp, listObj, &n, &elems) != TCL_OK) {
	return TCL_ERROR;
    }
    for (i = 0; i < n; i++) {
	const char *spec, *colon, *sig;
	Tcl_Size len, nameLen, sigLen;
	Tcl_Obj *nameObj, *defObj = NULL;

	if (Tcl_ListObjGetElements(interp, elems[i], &ne, &parts) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (ne < 1 || ne > 2 || (ne == 2 && !allowOptional)) {
	    return DbusError(interp, DBUS_EC_INVALID, "ARGUMENT",
		    Tcl_GetString(elems[i]),
		    "Invalid argument specification: \"%s\"",
		    Tcl_GetString(elems[i]));
	}
	if (ne == 2) {
	    defObj = parts[1];
	    if (nRequired < 0) {
		nRequired = (int) i;
	    }
	}
	spec = Tcl_GetStringFromObj(parts[0], &len);
	colon = memchr(spec, ':', (size_t) len);
	nameLen = colon ? colon - spec : len;
	sig = colon ? colon + 1 : "s";
	sigLen = colon ? len - nameLen - 1 : 1;
	if (CheckArgName(interp, spec, nameLen) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (!DbusSignatureIsSingle(sig, (int) sigLen)
		|| memchr(sig, '\0', (size_t) sigLen)) {
	    return DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", sig,
		    DbusSignatureValid(sig, (int) sigLen) < 0
		    ? "invalid signature: %s" : "not a single complete type: %s",
		    sig);
	}
	total += sigLen;
	if (total > DBUS_MAX_SIG_LEN) {
	    return DbusError(interp, DBUS_EC_LIMIT, "SIGNATURE", NULL,
		    "signature of the argument list is too long");
	}
	nameObj = Tcl_NewStringObj(spec, nameLen);
	Tcl_ListObjAppendElement(NULL, namesPtr, nameObj);
	Tcl_ListObjAppendElement(NULL, sigsPtr, Tcl_NewStringObj(sig, sigLen));
	if (paramsPtr != NULL) {
	    if (nRequired >= 0) {
		Tcl_Obj *pair[2];

		pair[0] = nameObj;
		pair[1] = defObj ? defObj : Tcl_NewObj();
		Tcl_ListObjAppendElement(NULL, paramsPtr,
			Tcl_NewListObj(2, pair));
	    } else {
		Tcl_ListObjAppendElement(NULL, paramsPtr, nameObj);
	    }
	}
    }
    if (nRequiredPtr != NULL) {
	*nRequiredPtr = nRequired < 0 ? (int) n : nRequired;
    }
    return TCL_OK;
}

/*
 * Concatenation of the first n signatures of a list.
 */

Tcl_Obj *
DbifJoinSigs(
    Tcl_Obj *sigsPtr,
    Tcl_Size n)
{
    Tcl_Obj *resPtr = Tcl_NewObj(), **elems;
    Tcl_Size i, count;

    Tcl_ListObjGetElements(NULL, sigsPtr, &count, &elems);
    for (i = 0; i < n && i < count; i++) {
	Tcl_AppendObjToObj(resPtr, elems[i]);
    }
    return resPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifDefNamespace --
 *
 *	The namespace a body runs in: the current one of interp, or of the
 *	child interp named by interpObj.
 *
 * Results:
 *	New object (refcount 0), or NULL with an error.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifDefNamespace(
    Tcl_Interp *interp,
    Tcl_Obj *interpObj)
{
    Tcl_Interp *childPtr;

    if (interpObj == NULL) {
	return Tcl_NewStringObj(Tcl_GetCurrentNamespace(interp)->fullName,
		-1);
    }
    childPtr = Tcl_GetSlave(interp, Tcl_GetString(interpObj));
    if (childPtr == NULL) {
	return NULL;
    }
    return Tcl_NewStringObj(Tcl_GetCurrentNamespace(childPtr)->fullName, -1);
}

/*
 * Set interpObj (NULL for "" or the interp itself) and the lambda of a
 * definition from its parameter list and body.
 */

int
DbifDefSetBody(
    Tcl_Interp *interp,
    DbifDef *defPtr,
    Tcl_Obj *interpObj,
    Tcl_Obj *paramsPtr,
    Tcl_Obj *bodyObj)
{
    Tcl_Obj *nsObj, *lv[3];

    if (interpObj != NULL && Tcl_GetCharLength(interpObj) > 0) {
	if (Tcl_GetSlave(interp, Tcl_GetString(interpObj)) == NULL) {
	    return DbusError(interp, DBUS_EC_INVALID, "INTERP",
		    Tcl_GetString(interpObj),
		    "could not find interpreter \"%s\"",
		    Tcl_GetString(interpObj));
	}
	defPtr->interpObj = interpObj;
	Tcl_IncrRefCount(interpObj);
    }
    nsObj = DbifDefNamespace(interp, defPtr->interpObj);
    lv[0] = paramsPtr;
    lv[1] = bodyObj;
    lv[2] = nsObj;
    defPtr->lambda = Tcl_NewListObj(3, lv);
    Tcl_IncrRefCount(defPtr->lambda);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifTargetInterp --
 *
 *	The interp a definition's body runs in (NULL: the child is gone).
 *
 *----------------------------------------------------------------------
 */

Tcl_Interp *
DbifTargetInterp(
    Tcl_Interp *interp,
    DbifDef *defPtr)
{
    if (defPtr == NULL || defPtr->interpObj == NULL) {
	return interp;
    }
    return Tcl_GetSlave(interp, Tcl_GetString(defPtr->interpObj));
}

/*
 *----------------------------------------------------------------------
 *
 * DbifRunBody --
 *
 *	Run a definition's body as "::apply lambda ?msgid? arg..." at
 *	global level in its interp (reference 4.13).  Methods, listeners
 *	and property setters pass the message id as idObj; generate passes
 *	NULL.
 *
 * Results:
 *	The completion code; the result and return options are left in
 *	*targetPtr (the interp it ran in, or dataPtr->interp with an error
 *	when the child interp has gone).
 *
 *----------------------------------------------------------------------
 */

int
DbifRunBody(
    DbifData *dataPtr,
    DbifDef *defPtr,
    Tcl_Obj *idObj,		/* first argument or NULL; borrowed */
    int objc,
    Tcl_Obj *const objv[],	/* further arguments; borrowed */
    Tcl_Interp **targetPtr)
{
    Tcl_Interp *target = DbifTargetInterp(dataPtr->interp, defPtr);
    Tcl_Obj *stackv[16], **cmdv = stackv;
    int i, n = 2, code;

    if (target == NULL) {
	*targetPtr = dataPtr->interp;
	return DbusError(dataPtr->interp, DBUS_EC_INVALID, "INTERP",
		Tcl_GetString(defPtr->interpObj),
		"could not find interpreter \"%s\"",
		Tcl_GetString(defPtr->interpObj));
    }
    *targetPtr = target;
    if (objc + 3 > 16) {
	cmdv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * (objc + 3));
    }
    cmdv[0] = dataPtr->applyObj;
    cmdv[1] = defPtr->lambda;
    if (idObj != NULL) {
	cmdv[n++] = idObj;
    }
    for (i = 0; i < objc; i++) {
	cmdv[n++] = objv[i];
    }
    Tcl_Preserve(target);
    Tcl_IncrRefCount(defPtr->lambda);
    code = Tcl_EvalObjv(target, n, cmdv, TCL_EVAL_GLOBAL);
    Tcl_DecrRefCount(defPtr->lambda);
    Tcl_Release(target);
    if (cmdv != stackv) {
	ckfree((char *) cmdv);
    }
    return code;
}

/*
 * Move result and return options of a body run in a child interp to the
 * main interp.
 */

int
DbifTransferResult(
    Tcl_Interp *from,
    Tcl_Interp *to,
    int code)
{
    Tcl_Obj *optsPtr;

    if (from == to) {
	return code;
    }
    optsPtr = Tcl_GetReturnOptions(from, code);
    Tcl_IncrRefCount(optsPtr);
    Tcl_SetObjResult(to, Tcl_GetObjResult(from));
    code = Tcl_SetReturnOptions(to, optsPtr);
    Tcl_DecrRefCount(optsPtr);
    Tcl_ResetResult(from);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * Common option tables.
 *
 *----------------------------------------------------------------------
 */

const DbifOption dbifBusIntfOpts[] = {
    {"-bus", 1}, {"-interface", 1}, {NULL, 0}
};

/*
 *----------------------------------------------------------------------
 *
 * UnderPath --
 *
 *	Is path at or below base (all paths and "" when base is "/")?
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
	    || DbifResolveBus(interp, dataPtr, values[DBIF_O_BUS], &handle,
	    NULL) != TCL_OK) {
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
	{"generate", DbifGenerateCmd, NULL}, {"get", DbifGetCmd, NULL},
	{"listen", DbifListenCmd, NULL}, {"method", DbifMethodCmd, NULL},
	{"pave", PaveCmd, NULL}, {"property", DbifPropertyCmd, NULL},
	{"return", DbifReturnCmd, NULL}, {"signal", DbifSignalCmd, NULL},
	{NULL, NULL, NULL}
    };

    if (DbusCreateEnsemble(interp, "::dbus::dbif", "::dbif", cmds, NULL)
	    != TCL_OK) {
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
