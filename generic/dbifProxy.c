/*
 * dbifProxy.c --
 *
 *	Client proxies of dbif (EXTENSIONS.md E4), part one: the per-interp
 *	state with the cache of descriptions shared by every proxy on one
 *	(connection, owner, path), waiting for a reply in C or by yielding
 *	the current coroutine, the property cache, and "dbif proxy" itself
 *	(owner lookup, introspection, GetAll) with the deletion of a proxy.
 *	The proxy command's subcommands are in dbifProxyCmd.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifProxy.h"

/*
 * State of a "dbif proxy" command between its steps (owner lookup,
 * introspection, GetAll of each interface).
 */

typedef struct Creation {
    DbifProxy *proxyPtr;	/* owned until the command exists */
    Tcl_Obj *cmdName;		/* requested name or NULL; held */
    DbusConn *connPtr;		/* Tcl_Preserve'd while creating */
    Tcl_Obj *key;		/* description cache key; held */
    DbifXmlIntf *nextIntf;	/* next interface to GetAll */
    Tcl_Obj *prefill;		/* dict interface -> properties (values
				 * in the -details form {sig value}) used
				 * instead of GetAll, or NULL; held */
} Creation;

static void	DataFree(ClientData clientData, Tcl_Interp *interp);
static int	Create(Tcl_Interp *interp, Tcl_Obj *handle,
		    DbusConn *connPtr, Tcl_Obj *destObj, Tcl_Obj *pathObj,
		    Tcl_Obj *intfObj, Tcl_Obj *cmdName, int cache,
		    int timeout, Tcl_Obj *prefill);
static void	ProxyFree(DbifProxy *proxyPtr);
static void	ProxyDeleted(ClientData clientData);
static void	CreationFree(Creation *crPtr);
static int	StepOwner(Tcl_Interp *interp, ClientData clientData,
		    DBusMessage *reply);
static int	StepLookup(Tcl_Interp *interp, Creation *crPtr);
static int	StepParse(Tcl_Interp *interp, ClientData clientData,
		    DBusMessage *reply);
static int	StepGetAll(Tcl_Interp *interp, ClientData clientData,
		    DBusMessage *reply);
static int	NextGetAll(Tcl_Interp *interp, Creation *crPtr);
static int	StepFinish(Tcl_Interp *interp, Creation *crPtr);

/*
 *----------------------------------------------------------------------
 *
 * DbifPxGetData --
 *
 *	The client-side state of an interp, made on first use.
 *
 * Results:
 *	The record (owned by the interp's AssocData).
 *
 * Side effects:
 *	May create it.
 *
 *----------------------------------------------------------------------
 */

DbifPxData *
DbifPxGetData(
    Tcl_Interp *interp)
{
    DbifPxData *dataPtr = (DbifPxData *)
	    Tcl_GetAssocData(interp, DBIF_PROXY_ASSOC, NULL);

    if (dataPtr == NULL) {
	dataPtr = (DbifPxData *) ckalloc(sizeof(DbifPxData));
	memset(dataPtr, 0, sizeof(DbifPxData));
	dataPtr->interp = interp;
	Tcl_InitHashTable(&dataPtr->descs, TCL_STRING_KEYS);
	Tcl_SetAssocData(interp, DBIF_PROXY_ASSOC, DataFree, dataPtr);
    }
    return dataPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DataFree --
 *
 *	AssocData delete proc.  Proxy commands are deleted before the
 *	interp's AssocData, so only descriptions no proxy holds remain;
 *	any that do are detached from the table.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the record.
 *
 *----------------------------------------------------------------------
 */

static void
DataFree(
    ClientData clientData,
    Tcl_Interp *interp)
{
    DbifPxData *dataPtr = (DbifPxData *) clientData;
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr;

    (void) interp;
    for (hPtr = Tcl_FirstHashEntry(&dataPtr->descs, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifPxDesc *descPtr = (DbifPxDesc *) Tcl_GetHashValue(hPtr);

	descPtr->hPtr = NULL;
    }
    Tcl_DeleteHashTable(&dataPtr->descs);
    ckfree((char *) dataPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * AwaitStep --
 *
 *	The DbusAwaitStep of DbifPxAwait: runs the proxy's step with the
 *	reply, or with NULL (to release its clientData) when the coroutine
 *	that waited is being deleted.
 *
 * Results:
 *	What the proxy's step returns, or result when it is not TCL_OK.
 *
 * Side effects:
 *	Those of the proxy's step.
 *
 *----------------------------------------------------------------------
 */

static int
AwaitStep(
    Tcl_Interp *interp,
    ClientData data1,		/* the DbifPxStep */
    ClientData data2,		/* its clientData */
    DBusMessage *reply,		/* borrowed; NULL: no reply */
    int result)
{
    DbifPxStep *step = (DbifPxStep *) data1;

    if (result != TCL_OK) {
	(void) step(interp, data2, NULL);
	return result;
    }
    return step(interp, data2, reply);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxAwait --
 *
 *	Send a method call and continue with step once its reply is in:
 *	inside a coroutine by yielding it (the reply resumes it), else by
 *	waiting here (other D-Bus traffic is held for the event loop, as
 *	for a synchronous "dbus call").
 *
 * Results:
 *	What step returns (possibly later, through the NR machinery).
 *
 * Side effects:
 *	Sends msg (a reference is taken and dropped here: the caller
 *	still releases its own); step runs exactly once.
 *
 *----------------------------------------------------------------------
 */

int
DbifPxAwait(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,		/* borrowed */
    int timeout,		/* ms, -1: default */
    DbifPxStep *step,
    ClientData clientData)
{
    dbus_uint32_t serial;

    if (DbusSend(interp, connPtr, msg, &serial) != TCL_OK) {
	return step(interp, clientData, NULL);
    }
    return DbusAwaitReply(interp, connPtr, serial, 0, timeout, 0,
	    AwaitStep, (ClientData) step, clientData);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxSetOwner --
 *
 *	Record the destination's current unique owner ("" for none).  A
 *	new object: the old one may be shared with a script.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases the old owner object; proxyPtr->owner holds a reference to
 *	the new one.
 *
 *----------------------------------------------------------------------
 */

void
DbifPxSetOwner(
    DbifProxy *proxyPtr,
    const char *owner)
{
    Tcl_DecrRefCount(proxyPtr->owner);
    proxyPtr->owner = Tcl_NewStringObj(owner, -1);
    Tcl_IncrRefCount(proxyPtr->owner);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxConn, DbifPxNewCall --
 *
 *	DbifPxConn: the proxy's connection, or NULL with "not connected".
 *	DbifPxNewCall: a method call to the proxy's destination and path.
 *
 * Results:
 *	DbifPxConn: the connection (owned by the core), or NULL with the error
 *	in interp.  DbifPxNewCall: the message (one reference, the caller
 *	releases it), or NULL with the error in interp.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DbusConn *
DbifPxConn(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr)
{
    DbusConn *connPtr;

    if (DbusGetConn(interp, proxyPtr->handle, &connPtr) != TCL_OK) {
	return NULL;
    }
    return connPtr;
}

DBusMessage *
DbifPxNewCall(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    const char *intf,
    const char *member)
{
    return DbusNewCall(interp, Tcl_GetString(proxyPtr->dest),
	    Tcl_GetString(proxyPtr->path), intf, member, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxCacheStore --
 *
 *	Store one value (NULL: forget it) in the property cache, unless the
 *	cache is off or the property is never cached.  (Received dicts of
 *	GetAll, PropertiesChanged and "$m proxy" go through
 *	DbifPxReceivedDict, which keeps their exact types.)
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Reference counts of the values; linked variables are updated.
 *
 *----------------------------------------------------------------------
 */

void
DbifPxCacheStore(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,
    Tcl_Obj *valuePtr)		/* new value or NULL */
{
    Tcl_HashEntry *hPtr;
    int isNew;

    if (valuePtr != NULL) {
	Tcl_IncrRefCount(valuePtr);
	DbifPxLinkUpdate(proxyPtr, propPtr, valuePtr);
    }
    if (!proxyPtr->cache || propPtr->emits == DBIF_EMITS_FALSE) {
	/* never cached */
    } else if (valuePtr == NULL) {
	hPtr = Tcl_FindHashEntry(&proxyPtr->values, (char *) propPtr);
	if (hPtr != NULL) {
	    Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
	    Tcl_DeleteHashEntry(hPtr);
	}
    } else {
	hPtr = Tcl_CreateHashEntry(&proxyPtr->values, (char *) propPtr,
		&isNew);
	Tcl_IncrRefCount(valuePtr);
	if (!isNew) {
	    Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
	}
	Tcl_SetHashValue(hPtr, valuePtr);
    }
    if (valuePtr != NULL) {
	Tcl_DecrRefCount(valuePtr);
    }
}


/*
 *----------------------------------------------------------------------
 *
 * ProxyFree, ProxyDeleted --
 *
 *	ProxyFree: release a proxy record and everything it holds.
 *	ProxyDeleted: the command's delete proc ("destroy", rename to "",
 *	namespace or interp deletion).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Subscriptions of the proxy end; linked variables are untraced.
 *
 *----------------------------------------------------------------------
 */

static void
ProxyFree(
    DbifProxy *proxyPtr)
{
    Tcl_HashSearch search;
    Tcl_HashEntry *hPtr;

    DbifPxWatchStop(proxyPtr);
    DbifPxLinksFree(proxyPtr);
    DbifPxExactsFree(proxyPtr);
    for (hPtr = Tcl_FirstHashEntry(&proxyPtr->values, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
    }
    Tcl_DeleteHashTable(&proxyPtr->values);
    if (proxyPtr->descPtr != NULL) {
	DbifPxDescRelease(proxyPtr->descPtr);
    }
    Tcl_DecrRefCount(proxyPtr->handle);
    Tcl_DecrRefCount(proxyPtr->dest);
    Tcl_DecrRefCount(proxyPtr->path);
    Tcl_DecrRefCount(proxyPtr->owner);
    Tcl_DecrRefCount(proxyPtr->subs);
    if (proxyPtr->intf != NULL) {
	Tcl_DecrRefCount(proxyPtr->intf);
    }
    if (proxyPtr->changed != NULL) {
	Tcl_DecrRefCount(proxyPtr->changed);
    }
    ckfree((char *) proxyPtr);
}

static void
ProxyDeleted(
    ClientData clientData)
{
    DbifProxy *proxyPtr = (DbifProxy *) clientData;

    proxyPtr->token = NULL;
    proxyPtr->deleted = 1;
    DbifPxWatchStop(proxyPtr);
    DbifPxLinksFree(proxyPtr);
    Tcl_EventuallyFree(proxyPtr, (Tcl_FreeProc *) ProxyFree);
}

/*
 *----------------------------------------------------------------------
 *
 * ParseProxyArgs --
 *
 *	The words of "dbif proxy": options, destination and path, checked
 *	(names valid, -cache a boolean, -timeout a count of ms, no command
 *	of the -command name yet).
 *
 * Results:
 *	TCL_OK with *argsPtr filled (objects borrowed from objv), or
 *	TCL_ERROR with the error in interp.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

typedef struct ProxyArgs {
    Tcl_Obj *bus;		/* -bus or NULL; borrowed */
    Tcl_Obj *intf;		/* -interface or NULL; borrowed */
    Tcl_Obj *cmdName;		/* -command or NULL; borrowed */
    Tcl_Obj *dest;		/* borrowed */
    Tcl_Obj *path;		/* borrowed */
    int cache;			/* -cache, default 1 */
    int timeout;		/* -timeout in ms, -1 default */
} ProxyArgs;

static int
ParseProxyArgs(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    ProxyArgs *argsPtr)		/* out */
{
    static const DbifOption opts[] = {
	{"-bus", 1}, {"-interface", 1}, {"-command", 1}, {"-cache", 1},
	{"-timeout", 1}, {NULL, 0}
    };
    enum { O_BUS, O_INTF, O_CMD, O_CACHE, O_TIMEOUT };
    Tcl_Obj *values[5] = {NULL, NULL, NULL, NULL, NULL};
    int i = 1;

    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    if (objc - i != 2) {
	return DbifWrongArgs(interp, "proxy ?-bus busId? ?-interface name? "
		"?-command name? ?-cache bool? ?-timeout ms? destination "
		"path");
    }
    argsPtr->bus = values[O_BUS];
    argsPtr->intf = values[O_INTF];
    argsPtr->cmdName = values[O_CMD];
    argsPtr->dest = objv[i];
    argsPtr->path = objv[i + 1];
    argsPtr->cache = 1;
    argsPtr->timeout = -1;
    if ((values[O_CACHE] != NULL && Tcl_GetBooleanFromObj(interp,
	    values[O_CACHE], &argsPtr->cache) != TCL_OK)
	    || (argsPtr->intf != NULL
		&& DbifCheckInterface(interp, argsPtr->intf) != TCL_OK)
	    || DbusCheckName(interp, DBUS_NAME_BUS, argsPtr->dest,
		"Invalid destination") != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_PATH, argsPtr->path,
		"Invalid path") != TCL_OK) {
	return TCL_ERROR;
    }
    if (values[O_TIMEOUT] != NULL && (Tcl_GetIntFromObj(NULL,
	    values[O_TIMEOUT], &argsPtr->timeout) != TCL_OK
	    || argsPtr->timeout < 0)) {
	return DbusError(interp, DBUS_EC_INVALID, "TIMEOUT",
		Tcl_GetString(values[O_TIMEOUT]), "Invalid timeout");
    }
    if (argsPtr->cmdName != NULL && Tcl_GetCommandFromObj(interp,
	    argsPtr->cmdName) != NULL) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("command \"%s\" already "
		"exists", Tcl_GetString(argsPtr->cmdName)));
	Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_USAGE, "EXISTS",
		Tcl_GetString(argsPtr->cmdName), NULL);
	return TCL_ERROR;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifProxyNRCmd --
 *
 *	dbif proxy ?-bus busId? ?-interface name? ?-command name?
 *	    ?-cache bool? ?-timeout ms? destination path
 *
 * Results:
 *	The name of the new proxy command.
 *
 * Side effects:
 *	Asks the bus for the destination's owner, introspects the object
 *	(unless a proxy on the same owner and path already did) and fills
 *	the property cache with GetAll; inside a coroutine it yields for
 *	each reply.
 *
 *----------------------------------------------------------------------
 */

int
DbifProxyNRCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    ProxyArgs args;
    Tcl_Obj *handle;
    DbusConn *connPtr;

    (void) clientData;
    if (ParseProxyArgs(interp, objc, objv, &args) != TCL_OK
	    || DbifResolveBus(interp, DbifGetData(interp), args.bus, &handle,
		&connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    return Create(interp, handle, connPtr, args.dest, args.path, args.intf,
	    args.cmdName, args.cache, args.timeout, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * Create, DbifPxCreate --
 *
 *	Start making a proxy (the steps below finish it).  DbifPxCreate
 *	is the entry of "$m proxy" (dbifObjects.c): default options, and
 *	the property cache filled from prefill (dict interface ->
 *	properties, values {sig value} as received) instead of GetAll.
 *
 * Results:
 *	A Tcl result code; the proxy's name on success.
 *
 * Side effects:
 *	Allocates the proxy and a creation record (which preserves the
 *	connection); starts watching the destination's owner and subscribes to
 *	its signals (DbifPxWatchStart); then asks GetNameOwner (DbifPxAwait:
 *	waits, or yields inside a coroutine) unless the destination is a
 *	unique name.  The steps free the creation record; on failure the proxy
 *	is freed with it.
 *
 *----------------------------------------------------------------------
 */

static int
Create(
    Tcl_Interp *interp,
    Tcl_Obj *handle,		/* connection handle */
    DbusConn *connPtr,
    Tcl_Obj *destObj,
    Tcl_Obj *pathObj,
    Tcl_Obj *intfObj,		/* or NULL */
    Tcl_Obj *cmdName,		/* or NULL */
    int cache,
    int timeout,
    Tcl_Obj *prefill)		/* or NULL */
{
    DbifProxy *proxyPtr;
    Creation *crPtr;

    proxyPtr = (DbifProxy *) ckalloc(sizeof(DbifProxy));
    memset(proxyPtr, 0, sizeof(DbifProxy));
    proxyPtr->dataPtr = DbifPxGetData(interp);
    proxyPtr->interp = interp;
    proxyPtr->handle = handle;
    Tcl_IncrRefCount(handle);
    proxyPtr->dest = destObj;
    Tcl_IncrRefCount(destObj);
    proxyPtr->path = pathObj;
    Tcl_IncrRefCount(pathObj);
    proxyPtr->intf = intfObj;
    if (proxyPtr->intf != NULL) {
	Tcl_IncrRefCount(proxyPtr->intf);
    }
    proxyPtr->owner = Tcl_NewObj();
    Tcl_IncrRefCount(proxyPtr->owner);
    proxyPtr->subs = Tcl_NewObj();
    Tcl_IncrRefCount(proxyPtr->subs);
    proxyPtr->cache = cache;
    proxyPtr->timeout = timeout;
    Tcl_InitHashTable(&proxyPtr->values, TCL_ONE_WORD_KEYS);

    crPtr = (Creation *) ckalloc(sizeof(Creation));
    memset(crPtr, 0, sizeof(Creation));
    crPtr->proxyPtr = proxyPtr;
    crPtr->cmdName = cmdName;
    crPtr->prefill = prefill;
    if (prefill != NULL) {
	Tcl_IncrRefCount(prefill);
    }
    if (crPtr->cmdName != NULL) {
	Tcl_IncrRefCount(crPtr->cmdName);
    }
    crPtr->connPtr = connPtr;
    Tcl_Preserve(connPtr);
    if (DbifPxWatchStart(interp, proxyPtr, connPtr) != TCL_OK) {
	CreationFree(crPtr);
	return TCL_ERROR;
    }

    if (Tcl_GetString(destObj)[0] == ':') {
	DbifPxSetOwner(proxyPtr, Tcl_GetString(destObj));
	return StepLookup(interp, crPtr);
    } else {
	DBusMessage *msg = DbusNewCall(interp, DBUS_SERVICE_DBUS,
		DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS, "GetNameOwner",
		Tcl_GetString(destObj), NULL);
	int code;

	if (msg == NULL) {
	    CreationFree(crPtr);
	    return TCL_ERROR;
	}
	code = DbifPxAwait(interp, connPtr, msg, timeout, StepOwner, crPtr);
	DbusMessageRelease(msg);
	return code;
    }
}

int
DbifPxCreate(
    Tcl_Interp *interp,
    Tcl_Obj *handle,
    Tcl_Obj *destObj,
    Tcl_Obj *pathObj,
    Tcl_Obj *intfObj,
    Tcl_Obj *prefill)
{
    DbusConn *connPtr;

    if (DbusGetConn(interp, handle, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    return Create(interp, handle, connPtr, destObj, pathObj, intfObj, NULL,
	    1, -1, prefill);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifProxyCmd --
 *
 *	dbif proxy, as an ordinary command: runs DbifProxyNRCmd through
 *	Tcl_NRCallObjProc.
 *
 * Results:
 *	As DbifProxyNRCmd.
 *
 * Side effects:
 *	As DbifProxyNRCmd.
 *
 *----------------------------------------------------------------------
 */

int
DbifProxyCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, DbifProxyNRCmd, clientData, objc, objv);
}

/*
 *----------------------------------------------------------------------
 *
 * CreationFree --
 *
 *	Abandon (or finish with) a creation record; its proxy is freed
 *	unless it became a command.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the proxy (ProxyFree) unless it became a command, releases the
 *	command name, description key and prefill objects and the connection
 *	(Tcl_Release), frees the record.
 *
 *----------------------------------------------------------------------
 */

static void
CreationFree(
    Creation *crPtr)
{
    if (crPtr->proxyPtr != NULL) {
	ProxyFree(crPtr->proxyPtr);
    }
    if (crPtr->cmdName != NULL) {
	Tcl_DecrRefCount(crPtr->cmdName);
    }
    if (crPtr->key != NULL) {
	Tcl_DecrRefCount(crPtr->key);
    }
    if (crPtr->prefill != NULL) {
	Tcl_DecrRefCount(crPtr->prefill);
    }
    Tcl_Release(crPtr->connPtr);
    ckfree((char *) crPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * StepOwner, StepLookup, StepParse, StepGetAll, NextGetAll,
 * StepFinish --
 *
 *	The steps of "dbif proxy": the owner of a well-known destination
 *	(none is no error: the proxy follows the name), the description
 *	from the cache or from Introspect, one GetAll per interface that
 *	has readable properties (failures leave the cache empty, as in
 *	GDBus), then the command.
 *
 * Results:
 *	A Tcl result code; the proxy's name on success.
 *
 * Side effects:
 *	Messages sent, coroutine yields, the proxy command created.
 *
 *----------------------------------------------------------------------
 */

static int
StepOwner(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    Creation *crPtr = (Creation *) clientData;
    const char *owner;

    if (reply == NULL) {
	CreationFree(crPtr);
	return TCL_ERROR;
    }
    if (DbusMessageType(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN
	    && DbusMessageField(reply, DBUS_FIELD_SIGNATURE)[0] == 's'
	    && DbusMessageStringArgs(reply, 1, &owner) == 1) {
	DbifPxSetOwner(crPtr->proxyPtr, owner);
    }
    return StepLookup(interp, crPtr);
}

static int
StepLookup(
    Tcl_Interp *interp,
    Creation *crPtr)
{
    DbifProxy *proxyPtr = crPtr->proxyPtr;
    Tcl_HashEntry *hPtr;
    DBusMessage *msg;
    int code;

    crPtr->key = Tcl_ObjPrintf("%s %s %s", Tcl_GetString(proxyPtr->handle),
	    Tcl_GetCharLength(proxyPtr->owner) ? Tcl_GetString(proxyPtr->owner)
	    : Tcl_GetString(proxyPtr->dest), Tcl_GetString(proxyPtr->path));
    Tcl_IncrRefCount(crPtr->key);
    hPtr = Tcl_FindHashEntry(&proxyPtr->dataPtr->descs,
	    Tcl_GetString(crPtr->key));
    if (hPtr != NULL) {
	proxyPtr->descPtr = (DbifPxDesc *) Tcl_GetHashValue(hPtr);
	proxyPtr->descPtr->refCount++;
	crPtr->nextIntf = proxyPtr->descPtr->xml->intfs;
	return NextGetAll(interp, crPtr);
    }
    if (DbusConnFlags(crPtr->connPtr) & (DBUS_CONN_CLOSED | DBUS_CONN_LOST)) {
	CreationFree(crPtr);
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(proxyPtr->handle), NULL, "connection closed");
    }
    msg = DbifPxNewCall(interp, proxyPtr,
	    "org.freedesktop.DBus.Introspectable", "Introspect");
    if (msg == NULL) {
	CreationFree(crPtr);
	return TCL_ERROR;
    }
    code = DbifPxAwait(interp, crPtr->connPtr, msg, proxyPtr->timeout,
	    StepParse, crPtr);
    DbusMessageRelease(msg);
    return code;
}

static int
StepParse(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    Creation *crPtr = (Creation *) clientData;
    DbifProxy *proxyPtr = crPtr->proxyPtr;
    const char *xml;
    char err[256];
    DbifXmlDesc *xmlPtr;
    Tcl_HashEntry *hPtr;
    int isNew;

    if (reply == NULL) {
	CreationFree(crPtr);
	return TCL_ERROR;
    }
    if (DbusMessageType(reply) == DBUS_MESSAGE_TYPE_ERROR) {
	DbusReplyError(interp, reply, 0);
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("cannot introspect %s at "
		"%s: %s", Tcl_GetString(proxyPtr->path),
		Tcl_GetString(proxyPtr->dest),
		Tcl_GetString(Tcl_GetObjResult(interp))));
	CreationFree(crPtr);
	return TCL_ERROR;
    }
    if (DbusMessageField(reply, DBUS_FIELD_SIGNATURE)[0] != 's'
	    || DbusMessageStringArgs(reply, 1, &xml) != 1) {
	CreationFree(crPtr);
	return DbusError(interp, DBIF_EC_INTROSPECT, "SIGNATURE", NULL,
		"Introspect did not return a string");
    }
    xmlPtr = DbifXmlParse(xml, strlen(xml), err, sizeof(err));
    if (xmlPtr == NULL) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("bad introspection data "
		"from %s at %s: %s", Tcl_GetString(proxyPtr->dest),
		Tcl_GetString(proxyPtr->path), err));
	Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_INTROSPECT, "XML", err,
		NULL);
	CreationFree(crPtr);
	return TCL_ERROR;
    }
    proxyPtr->descPtr = DbifPxDescNew(xmlPtr);
    proxyPtr->descPtr->refCount = 1;
    hPtr = Tcl_CreateHashEntry(&proxyPtr->dataPtr->descs,
	    Tcl_GetString(crPtr->key), &isNew);
    if (isNew) {
	/* (another creation may have raced us inside a coroutine) */
	Tcl_SetHashValue(hPtr, proxyPtr->descPtr);
	proxyPtr->descPtr->hPtr = hPtr;
    }
    crPtr->nextIntf = xmlPtr->intfs;
    return NextGetAll(interp, crPtr);
}

static int
StepGetAll(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)		/* of the GetAll of crPtr->nextIntf */
{
    Creation *crPtr = (Creation *) clientData;

    if (reply == NULL) {
	CreationFree(crPtr);
	return TCL_ERROR;
    }
    if (DbusMessageType(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN) {
	/*
	 * Read with -details: the values keep their exact types
	 * (dbifProxyExact.c); a failed GetAll leaves the cache empty.
	 */

	Tcl_Obj *intfObj = Tcl_NewStringObj(crPtr->nextIntf->name, -1);
	Tcl_InterpState state = Tcl_SaveInterpState(interp, TCL_OK);

	Tcl_IncrRefCount(intfObj);
	(void) DbifPxPropReply(interp, crPtr->proxyPtr, NULL, intfObj,
		reply);
	Tcl_DecrRefCount(intfObj);
	Tcl_RestoreInterpState(interp, state);
    }
    crPtr->nextIntf = crPtr->nextIntf->nextPtr;
    return NextGetAll(interp, crPtr);
}

static int
NextGetAll(
    Tcl_Interp *interp,
    Creation *crPtr)
{
    DbifProxy *proxyPtr = crPtr->proxyPtr;
    DbifXmlIntf *intfPtr;

    if (crPtr->prefill != NULL) {
	Tcl_DictSearch search;
	Tcl_Obj *intfObj, *propsObj;
	int done;

	if (proxyPtr->cache && Tcl_DictObjFirst(NULL, crPtr->prefill,
		&search, &intfObj, &propsObj, &done) == TCL_OK) {
	    for (; !done; Tcl_DictObjNext(&search, &intfObj, &propsObj,
		    &done)) {
		if (proxyPtr->intf == NULL || strcmp(Tcl_GetString(
			proxyPtr->intf), Tcl_GetString(intfObj)) == 0) {
		    Tcl_Obj *plainDict = DbifPxReceivedDict(proxyPtr,
			    intfObj, propsObj);

		    Tcl_IncrRefCount(plainDict);
		    Tcl_DecrRefCount(plainDict);
		}
	    }
	    Tcl_DictObjDone(&search);
	}
	return StepFinish(interp, crPtr);
    }

    /*
     * Next interface with readable properties.
     */

    for (intfPtr = crPtr->nextIntf; proxyPtr->cache && intfPtr;
	    intfPtr = intfPtr->nextPtr) {
	DbifXmlMember *xmPtr;

	if (proxyPtr->intf != NULL && strcmp(intfPtr->name,
		Tcl_GetString(proxyPtr->intf)) != 0) {
	    continue;
	}
	if (strcmp(intfPtr->name, DBUS_PROPS_INTERFACE) == 0) {
	    continue;
	}
	for (xmPtr = intfPtr->members; xmPtr; xmPtr = xmPtr->nextPtr) {
	    if (xmPtr->kind == DBIF_XML_PROPERTY
		    && (xmPtr->access & DBIF_XML_READ)) {
		break;
	    }
	}
	if (xmPtr != NULL) {
	    break;
	}
    }
    crPtr->nextIntf = intfPtr;
    if (intfPtr != NULL
	    && !(DbusConnFlags(crPtr->connPtr)
	    & (DBUS_CONN_CLOSED | DBUS_CONN_LOST))) {
	DBusMessage *msg = DbusNewCall(interp, Tcl_GetString(proxyPtr->dest),
		Tcl_GetString(proxyPtr->path), DBUS_PROPS_INTERFACE, "GetAll",
		intfPtr->name, NULL);
	int code;

	if (msg == NULL) {
	    CreationFree(crPtr);
	    return TCL_ERROR;
	}
	code = DbifPxAwait(interp, crPtr->connPtr, msg, proxyPtr->timeout,
		StepGetAll, crPtr);
	DbusMessageRelease(msg);
	return code;
    }
    return StepFinish(interp, crPtr);
}

static int
StepFinish(
    Tcl_Interp *interp,
    Creation *crPtr)
{
    DbifProxy *proxyPtr = crPtr->proxyPtr;
    Tcl_Obj *nameObj;

    if (crPtr->cmdName != NULL) {
	nameObj = crPtr->cmdName;
	if (Tcl_GetCommandFromObj(interp, nameObj) != NULL) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("command \"%s\" already "
		    "exists", Tcl_GetString(nameObj)));
	    Tcl_SetErrorCode(interp, "DBUS", DBUS_EC_USAGE, "EXISTS",
		    Tcl_GetString(nameObj), NULL);
	    CreationFree(crPtr);
	    return TCL_ERROR;
	}
    } else {
	do {
	    nameObj = Tcl_ObjPrintf("::dbus::dbif::proxy%d",
		    ++proxyPtr->dataPtr->counter);
	    if (Tcl_GetCommandFromObj(interp, nameObj) == NULL) {
		break;
	    }
	    Tcl_DecrRefCount(nameObj);
	} while (1);
    }
    Tcl_IncrRefCount(nameObj);
    proxyPtr->token = Tcl_NRCreateCommand(interp, Tcl_GetString(nameObj),
	    DbifPxObjCmd, DbifPxNRObjCmd, proxyPtr, ProxyDeleted);
    crPtr->proxyPtr = NULL;
    CreationFree(crPtr);
    Tcl_SetObjResult(interp, nameObj);
    Tcl_DecrRefCount(nameObj);
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
