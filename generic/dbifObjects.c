/*
 * dbifObjects.c --
 *
 *	The client side of org.freedesktop.DBus.ObjectManager
 *	(EXTENSIONS.md E5): "dbif objects" reads a manager's objects with
 *	GetManagedObjects and keeps them current from InterfacesAdded,
 *	InterfacesRemoved and PropertiesChanged, following the
 *	destination's owner like a proxy does; "$m proxy" makes a proxy of
 *	one of the objects whose property cache starts from the manager's
 *	data.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifProxy.h"

#define OM_INTERFACE	"org.freedesktop.DBus.ObjectManager"
#define OBJ_REPLY_CMD	"::dbus::dbif::ObjectsReply"

/*
 * One "dbif objects" command.
 */

typedef struct DbifObjects {
    Tcl_Interp *interp;		/* not owned */
    Tcl_Command token;		/* our command; NULL once deleted */
    Tcl_Obj *handle;		/* connection handle; held */
    Tcl_Obj *dest;		/* destination; held */
    Tcl_Obj *path;		/* the manager's path; held */
    Tcl_Obj *objects;		/* dict path -> interface -> properties;
				 * held (duplicated before changes when
				 * shared) */
    Tcl_Obj *exacts;		/* the same with each property value in
				 * its received {sig value} form, for the
				 * exact types of "$m proxy" (dbifProxy-
				 * Exact.c); held, duplicated likewise */
    Tcl_Obj *added;		/* -added script or NULL; held */
    Tcl_Obj *removed;		/* -removed script or NULL; held */
    Tcl_Obj *subs;		/* list of subscription ids; held */
    DbusOwnerWatch *ownerWatch;	/* or NULL */
    Tcl_Obj *owner;		/* current owner or ""; held */
    int deleted;		/* the command is gone */
} DbifObjects;

static Tcl_ObjCmdProc	ObjectsObjCmd, ObjectsNRObjCmd, ReplyCmd;
static DbusMessageProc	OmSignal, OmPropsChanged;
static DbusOwnerProc	OmOwner;

/*
 *----------------------------------------------------------------------
 *
 * Unshared (Objects, Exacts), RunScript --
 *
 *	Unshared: the objects (or exacts) dict, unshared for a change.
 *	RunScript: run {*}script arg1 arg2 at global level, errors to
 *	bgerror.
 *
 * Results:
 *	Unshared: the dict (owned by omPtr, one reference).  RunScript:
 *	none.
 *
 * Side effects:
 *	Unshared may replace the dict by an unshared copy.  RunScript
 *	runs the script (interp preserved meanwhile), errors to bgerror, and
 *	resets the result; nothing runs once the command is deleted.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
Unshared(
    Tcl_Obj **dictPtrPtr)		/* &omPtr->objects or &->exacts */
{
    if (Tcl_IsShared(*dictPtrPtr)) {
	Tcl_Obj *copy = Tcl_DuplicateObj(*dictPtrPtr);

	Tcl_DecrRefCount(*dictPtrPtr);
	*dictPtrPtr = copy;
	Tcl_IncrRefCount(copy);
    }
    return *dictPtrPtr;
}

#define Objects(omPtr)	Unshared(&(omPtr)->objects)
#define Exacts(omPtr)	Unshared(&(omPtr)->exacts)

static void
RunScript(
    DbifObjects *omPtr,
    Tcl_Obj *script,
    Tcl_Obj *arg1,
    Tcl_Obj *arg2)
{
    Tcl_Interp *interp = omPtr->interp;
    Tcl_Obj *cmdPtr;
    int code;

    if (script == NULL || omPtr->deleted) {
	return;
    }
    cmdPtr = Tcl_DuplicateObj(script);
    Tcl_IncrRefCount(cmdPtr);
    Tcl_ListObjAppendElement(NULL, cmdPtr, arg1);
    Tcl_ListObjAppendElement(NULL, cmdPtr, arg2);
    Tcl_Preserve(interp);
    code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
    if (code == TCL_ERROR) {
	Tcl_AddErrorInfo(interp, "\n    (dbif objects callback)");
	Tcl_BackgroundException(interp, code);
    }
    Tcl_ResetResult(interp);
    Tcl_Release(interp);
    Tcl_DecrRefCount(cmdPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * AddInterfaces, RemoveInterfaces --
 *
 *	Enter the interfaces of one object, received as exactIf (dict
 *	interface -> properties in the -details form: each value {sig
 *	value}): the plain form goes to omPtr->objects, the exact one to
 *	omPtr->exacts (for "$m proxy").  Or remove some (list) and the
 *	object once it has none.  Run the -added or -removed script with
 *	the interfaces that were new or known before, if any.  So a script
 *	hears of each interface once even when a signal and a
 *	GetManagedObjects reply tell the same (an InterfacesAdded sent
 *	before the reply to a GetManagedObjects that was asked for when
 *	the owner appeared), and an interface that was added again only
 *	updates its properties.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Changes omPtr->objects and ->exacts and runs the -added or -removed
 *	script.
 *
 *----------------------------------------------------------------------
 */

static void
AddInterfaces(
    DbifObjects *omPtr,
    Tcl_Obj *pathObj,
    Tcl_Obj *exactIf)		/* interface -> name -> {sig value} */
{
    Tcl_DictSearch search;
    Tcl_Obj *intfObj, *propsObj, *keys[2], *known, *newDict, *ifDict;
    Tcl_Size n = 0;
    int done;

    ifDict = DbusPlainFromExact("a{sa{sv}}", 9, exactIf);
    Tcl_IncrRefCount(ifDict);
    if (Tcl_DictObjFirst(NULL, exactIf, &search, &intfObj, &propsObj,
	    &done) != TCL_OK) {
	Tcl_DecrRefCount(ifDict);
	return;
    }
    newDict = Tcl_NewObj();
    Tcl_IncrRefCount(newDict);
    for (; !done; Tcl_DictObjNext(&search, &intfObj, &propsObj, &done)) {
	keys[0] = pathObj;
	keys[1] = intfObj;
	Tcl_DictObjPutKeyList(NULL, Exacts(omPtr), 2, keys, propsObj);
	if (Tcl_DictObjGet(NULL, ifDict, intfObj, &propsObj) != TCL_OK
		|| propsObj == NULL) {
	    continue;
	}
	if (Tcl_DictObjGet(NULL, omPtr->objects, pathObj, &known) != TCL_OK
		|| known == NULL || Tcl_DictObjGet(NULL, known, intfObj,
		&known) != TCL_OK || known == NULL) {
	    Tcl_DictObjPut(NULL, newDict, intfObj, propsObj);
	}
	Tcl_DictObjPutKeyList(NULL, Objects(omPtr), 2, keys, propsObj);
    }
    Tcl_DictObjDone(&search);
    Tcl_DictObjSize(NULL, newDict, &n);
    if (n > 0) {
	RunScript(omPtr, omPtr->added, pathObj, newDict);
    }
    Tcl_DecrRefCount(newDict);
    Tcl_DecrRefCount(ifDict);
}

static void
RemoveInterfaces(
    DbifObjects *omPtr,
    Tcl_Obj *pathObj,
    Tcl_Obj *intfList)
{
    Tcl_Obj **iv, *keys[2], *objPtr, *known, *gone;
    Tcl_Size n, i, size = 0;

    if (Tcl_ListObjGetElements(NULL, intfList, &n, &iv) != TCL_OK) {
	return;
    }
    gone = Tcl_NewObj();
    Tcl_IncrRefCount(gone);
    for (i = 0; i < n; i++) {
	keys[0] = pathObj;
	keys[1] = iv[i];
	Tcl_DictObjRemoveKeyList(NULL, Exacts(omPtr), 2, keys);
	if (Tcl_DictObjGet(NULL, omPtr->objects, pathObj, &known) == TCL_OK
		&& known != NULL && Tcl_DictObjGet(NULL, known, iv[i],
		&known) == TCL_OK && known != NULL) {
	    Tcl_ListObjAppendElement(NULL, gone, iv[i]);
	    Tcl_DictObjRemoveKeyList(NULL, Objects(omPtr), 2, keys);
	}
    }
    if (Tcl_DictObjGet(NULL, omPtr->objects, pathObj, &objPtr) == TCL_OK
	    && objPtr != NULL && (Tcl_DictObjSize(NULL, objPtr, &size)
	    != TCL_OK || size == 0)) {
	Tcl_DictObjRemove(NULL, Objects(omPtr), pathObj);
	Tcl_DictObjRemove(NULL, Exacts(omPtr), pathObj);
    }
    Tcl_ListObjLength(NULL, gone, &size);
    if (size > 0) {
	RunScript(omPtr, omPtr->removed, pathObj, gone);
    }
    Tcl_DecrRefCount(gone);
}

/*
 *----------------------------------------------------------------------
 *
 * LoadObjects --
 *
 *	Take a GetManagedObjects reply's value: every object is added
 *	(and reported to -added).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Adds every object (AddInterfaces), stopping when the command is
 *	deleted meanwhile; dictPtr is held meanwhile.
 *
 *----------------------------------------------------------------------
 */

static void
LoadObjects(
    DbifObjects *omPtr,
    Tcl_Obj *dictPtr)		/* path -> interface -> properties, in the
				 * -details form */
{
    Tcl_DictSearch search;
    Tcl_Obj *pathObj, *ifDict;
    int done;

    Tcl_IncrRefCount(dictPtr);
    if (Tcl_DictObjFirst(NULL, dictPtr, &search, &pathObj, &ifDict, &done)
	    == TCL_OK) {
	for (; !done && !omPtr->deleted;
		Tcl_DictObjNext(&search, &pathObj, &ifDict, &done)) {
	    AddInterfaces(omPtr, pathObj, ifDict);
	}
	Tcl_DictObjDone(&search);
    }
    Tcl_DecrRefCount(dictPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * OmSignal, OmPropsChanged --
 *
 *	Subscription procs: InterfacesAdded (o, a{sa{sv}}) and
 *	InterfacesRemoved (o, as) of the manager; PropertiesChanged of any
 *	object below it.
 *
 * Results:
 *	TCL_OK.
 *
 * Side effects:
 *	OmSignal adds or removes interfaces (and runs -added/-removed) with
 *	omPtr preserved; OmPropsChanged updates and removes property values in
 *	omPtr->objects (no script runs).  Messages of other signatures are
 *	ignored.
 *
 *----------------------------------------------------------------------
 */

static int
OmSignal(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifObjects *omPtr = (DbifObjects *) clientData;
    Tcl_Obj *argsPtr, **av;
    Tcl_Size ac;
    int added = strcmp(DbusMessageField(msg, DBUS_FIELD_MEMBER),
	    "InterfacesAdded") == 0;

    (void) connPtr;
    if (omPtr->deleted || strcmp(DbusMessageField(msg,
	    DBUS_FIELD_SIGNATURE), added ? "oa{sa{sv}}" : "oas") != 0) {
	return TCL_OK;
    }
    argsPtr = DbifDetailsArgs(interp, msg, &ac, &av);
    if (argsPtr == NULL) {
	return TCL_OK;
    }
    Tcl_Preserve(omPtr);
    if (added) {
	AddInterfaces(omPtr, av[0], av[1]);
    } else {
	RemoveInterfaces(omPtr, av[0], av[1]);
    }
    Tcl_Release(omPtr);
    Tcl_DecrRefCount(argsPtr);
    return TCL_OK;
}

static int
OmPropsChanged(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifObjects *omPtr = (DbifObjects *) clientData;
    Tcl_Obj *argsPtr, **av, *keys[3], *valuePtr, **names, *propsObj;
    Tcl_Obj *pathObj;
    Tcl_DictSearch search;
    Tcl_Size ac, n, i;
    int done;

    (void) connPtr;
    if (omPtr->deleted || strcmp(DbusMessageField(msg,
	    DBUS_FIELD_SIGNATURE), "sa{sv}as") != 0) {
	return TCL_OK;
    }
    pathObj = Tcl_NewStringObj(DbusMessageField(msg, DBUS_FIELD_PATH), -1);
    Tcl_IncrRefCount(pathObj);
    keys[0] = pathObj;
    argsPtr = DbifDetailsArgs(interp, msg, &ac, &av);
    if (argsPtr == NULL) {
	Tcl_DecrRefCount(pathObj);
	return TCL_OK;
    }
    keys[1] = av[0];
    if (Tcl_DictObjGet(NULL, omPtr->objects, keys[0], &propsObj) == TCL_OK
	    && propsObj != NULL && Tcl_DictObjGet(NULL, propsObj, keys[1],
	    &propsObj) == TCL_OK && propsObj != NULL) {
	if (Tcl_DictObjFirst(NULL, av[1], &search, &keys[2], &valuePtr,
		&done) == TCL_OK) {
	    for (; !done; Tcl_DictObjNext(&search, &keys[2], &valuePtr,
		    &done)) {
		Tcl_DictObjPutKeyList(NULL, Exacts(omPtr), 3, keys,
			valuePtr);
		Tcl_DictObjPutKeyList(NULL, Objects(omPtr), 3, keys,
			DbusPlainFromExact("v", 1, valuePtr));
	    }
	    Tcl_DictObjDone(&search);
	}
	Tcl_ListObjGetElements(NULL, av[2], &n, &names);
	for (i = 0; i < n; i++) {
	    keys[2] = names[i];
	    Tcl_DictObjRemoveKeyList(NULL, Objects(omPtr), 3, keys);
	    Tcl_DictObjRemoveKeyList(NULL, Exacts(omPtr), 3, keys);
	}
    }
    Tcl_DecrRefCount(argsPtr);
    Tcl_DecrRefCount(pathObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * OmOwner --
 *
 *	Owner watch: when the destination goes, every object is removed
 *	(and reported); when an owner appears, GetManagedObjects again (the
 *	reply goes to ReplyCmd, which adds and reports the objects).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Keeps the new owner in omPtr->owner (a reference).  When the owner
 *	goes, every object is removed and reported; when one appears,
 *	GetManagedObjects is sent with ReplyCmd as its -handler.  At the end
 *	of the watch (newOwner NULL) omPtr->ownerWatch is cleared.
 *
 *----------------------------------------------------------------------
 */

static void
OmOwner(
    ClientData clientData,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldOwner,
    Tcl_Obj *newOwner)
{
    DbifObjects *omPtr = (DbifObjects *) clientData;
    Tcl_Interp *interp = omPtr->interp;
    int hadOwner;

    (void) nameObj;
    (void) oldOwner;
    if (newOwner == NULL) {
	omPtr->ownerWatch = NULL;
	return;
    }
    if (omPtr->deleted || strcmp(Tcl_GetString(omPtr->owner),
	    Tcl_GetString(newOwner)) == 0) {
	return;
    }
    hadOwner = Tcl_GetCharLength(omPtr->owner) > 0;
    Tcl_DecrRefCount(omPtr->owner);
    omPtr->owner = newOwner;
    Tcl_IncrRefCount(newOwner);
    if (oldOwner == NULL) {
	return;			/* the initial state */
    }
    Tcl_Preserve(omPtr);
    if (hadOwner) {
	Tcl_Obj *old = omPtr->objects, *pathObj, *ifDict;
	Tcl_DictSearch search;
	int done;

	omPtr->objects = Tcl_NewObj();
	Tcl_IncrRefCount(omPtr->objects);
	Tcl_DecrRefCount(omPtr->exacts);
	omPtr->exacts = Tcl_NewObj();
	Tcl_IncrRefCount(omPtr->exacts);
	if (Tcl_DictObjFirst(NULL, old, &search, &pathObj, &ifDict, &done)
		== TCL_OK) {
	    for (; !done; Tcl_DictObjNext(&search, &pathObj, &ifDict,
		    &done)) {
		Tcl_Obj *intfs = Tcl_NewObj(), *intfObj, *propsObj;
		Tcl_DictSearch s2;
		int d2;

		if (Tcl_DictObjFirst(NULL, ifDict, &s2, &intfObj, &propsObj,
			&d2) == TCL_OK) {
		    for (; !d2; Tcl_DictObjNext(&s2, &intfObj, &propsObj,
			    &d2)) {
			Tcl_ListObjAppendElement(NULL, intfs, intfObj);
		    }
		    Tcl_DictObjDone(&s2);
		}
		Tcl_IncrRefCount(intfs);
		RunScript(omPtr, omPtr->removed, pathObj, intfs);
		Tcl_DecrRefCount(intfs);
	    }
	    Tcl_DictObjDone(&search);
	}
	Tcl_DecrRefCount(old);
    }
    if (Tcl_GetCharLength(newOwner) > 0 && !omPtr->deleted) {
	DBusMessage *msg = DbusNewCall(interp, Tcl_GetString(omPtr->dest),
		Tcl_GetString(omPtr->path), OM_INTERFACE, "GetManagedObjects",
		NULL);
	dbus_uint32_t serial;

	if (msg != NULL && DbusSend(interp, connPtr, msg, &serial)
		== TCL_OK) {
	    Tcl_Obj *script = Tcl_NewListObj(0, NULL);
	    Tcl_Obj *cmdName = Tcl_NewObj();

	    if (Tcl_FindCommand(interp, OBJ_REPLY_CMD, NULL,
		    TCL_GLOBAL_ONLY) == NULL) {
		Tcl_CreateObjCommand(interp, OBJ_REPLY_CMD, ReplyCmd, NULL,
			NULL);
	    }
	    Tcl_GetCommandFullName(interp, omPtr->token, cmdName);
	    Tcl_ListObjAppendElement(NULL, script,
		    Tcl_NewStringObj(OBJ_REPLY_CMD, -1));
	    Tcl_ListObjAppendElement(NULL, script, cmdName);
	    DbusPendingNew(connPtr, serial, DBUS_PENDING_HANDLER, interp,
		    script, DBUS_FLAG_DETAILS, -1);
	}
	if (msg != NULL) {
	    DbusMessageRelease(msg);
	}
	Tcl_ResetResult(interp);
    }
    Tcl_Release(omPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyCmd --
 *
 *	::dbus::dbif::ObjectsReply cmd info ?objects?: GetManagedObjects
 *	answered after the destination reappeared.
 *
 * Results:
 *	TCL_OK (an error reply, or a command that is gone meanwhile, is
 *	ignored).
 *
 * Side effects:
 *	Adds and reports the objects of the reply (LoadObjects), the record
 *	preserved meanwhile.
 *
 *----------------------------------------------------------------------
 */

static int
ReplyCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_CmdInfo info;
    DbifObjects *omPtr;

    (void) clientData;
    if (objc != 4 || !Tcl_GetCommandInfo(interp, Tcl_GetString(objv[1]),
	    &info) || info.objProc != ObjectsObjCmd) {
	return TCL_OK;		/* an error reply, or the command is gone */
    }
    omPtr = (DbifObjects *) info.objClientData;
    Tcl_Preserve(omPtr);
    LoadObjects(omPtr, objv[3]);
    Tcl_Release(omPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * Stop, ObjectsFree, ObjectsDeleted --
 *
 *	Stop: end the subscriptions and the owner watch.  ObjectsFree:
 *	release the record.  ObjectsDeleted: the command's delete proc.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Stop ends the owner watch and the subscriptions.  ObjectsFree also
 *	releases the record's objects and frees it.  ObjectsDeleted marks the
 *	record deleted, stops it and frees it once nothing preserves it
 *	(Tcl_EventuallyFree).
 *
 *----------------------------------------------------------------------
 */

static void
Stop(
    DbifObjects *omPtr)
{
    if (omPtr->ownerWatch != NULL) {
	DbusBusUnwatchOwner(omPtr->ownerWatch);
	omPtr->ownerWatch = NULL;
    }
    DbifUnsubscribeAll(omPtr->interp, omPtr->handle, omPtr->subs);
}

static void
ObjectsFree(
    char *clientData)
{
    DbifObjects *omPtr = (DbifObjects *) clientData;

    Stop(omPtr);
    Tcl_DecrRefCount(omPtr->handle);
    Tcl_DecrRefCount(omPtr->dest);
    Tcl_DecrRefCount(omPtr->path);
    Tcl_DecrRefCount(omPtr->objects);
    Tcl_DecrRefCount(omPtr->exacts);
    Tcl_DecrRefCount(omPtr->subs);
    Tcl_DecrRefCount(omPtr->owner);
    if (omPtr->added != NULL) {
	Tcl_DecrRefCount(omPtr->added);
    }
    if (omPtr->removed != NULL) {
	Tcl_DecrRefCount(omPtr->removed);
    }
    ckfree((char *) omPtr);
}

static void
ObjectsDeleted(
    ClientData clientData)
{
    DbifObjects *omPtr = (DbifObjects *) clientData;

    omPtr->token = NULL;
    omPtr->deleted = 1;
    Stop(omPtr);
    Tcl_EventuallyFree(omPtr, ObjectsFree);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifObjectsCmd, DbifObjectsNRCmd, ObjectsStep --
 *
 *	dbif objects ?-bus busId? ?-added script? ?-removed script?
 *	    destination ?path?
 *
 *	Subscribes to the manager's signals and PropertiesChanged below
 *	path (default /), watches the destination's owner, then reads
 *	GetManagedObjects (yielding inside a coroutine).  A destination
 *	without owner is no error: its objects come when it appears.
 *
 * Results:
 *	The name of the new command.
 *
 * Side effects:
 *	DbifObjectsCmd runs DbifObjectsNRCmd through Tcl_NRCallObjProc.
 *	DbifObjectsNRCmd subscribes, watches the owner and sends
 *	GetManagedObjects (DbifPxAwait: waits, or yields inside a coroutine);
 *	ObjectsStep then loads the objects and creates the command
 *	::dbus::dbif::objectsN, which owns the record; on any failure the
 *	record is freed.
 *
 *----------------------------------------------------------------------
 */

static int
ObjectsStep(
    Tcl_Interp *interp,
    ClientData clientData,
    DBusMessage *reply)
{
    DbifObjects *omPtr = (DbifObjects *) clientData;
    Tcl_Obj *nameObj;
    DbifPxData *dataPtr = DbifPxGetData(interp);
    int code;

    if (reply == NULL) {
	ObjectsFree((char *) omPtr);
	return TCL_ERROR;
    }
    if (DbusMessageType(reply) == DBUS_MESSAGE_TYPE_ERROR) {
	const char *name = DbusMessageField(reply, DBUS_FIELD_ERRORNAME);

	if (strcmp(name, DBUS_ERROR_SERVICE_UNKNOWN) != 0
		&& strcmp(name, DBUS_ERROR_NAME_HAS_NO_OWNER) != 0) {
	    DbusReplyError(interp, reply, 0);
	    ObjectsFree((char *) omPtr);
	    return TCL_ERROR;
	}
    } else {
	code = DbusReplyResult(interp, reply, DBUS_FLAG_DETAILS);
	if (code != TCL_OK) {
	    ObjectsFree((char *) omPtr);
	    return code;
	}
	LoadObjects(omPtr, Tcl_GetObjResult(interp));
	Tcl_ResetResult(interp);
    }
    do {
	nameObj = Tcl_ObjPrintf("::dbus::dbif::objects%d", ++dataPtr->counter);
	if (Tcl_GetCommandFromObj(interp, nameObj) == NULL) {
	    break;
	}
	Tcl_DecrRefCount(nameObj);
    } while (1);
    Tcl_IncrRefCount(nameObj);
    omPtr->token = Tcl_NRCreateCommand(interp, Tcl_GetString(nameObj),
	    ObjectsObjCmd, ObjectsNRObjCmd, omPtr, ObjectsDeleted);
    Tcl_SetObjResult(interp, nameObj);
    Tcl_DecrRefCount(nameObj);
    return TCL_OK;
}

int
DbifObjectsNRCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {
	{"-bus", 1}, {"-added", 1}, {"-removed", 1}, {NULL, 0}
    };
    Tcl_Obj *values[3] = {NULL, NULL, NULL}, *handle;
    DbifObjects *omPtr;
    DbusConn *connPtr;
    DBusMessage *msg;
    int i = 1, code;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    if (objc - i < 1 || objc - i > 2) {
	return DbifWrongArgs(interp, "objects ?-bus busId? ?-added script? "
		"?-removed script? destination ?path?");
    }
    if (DbusCheckName(interp, DBUS_NAME_BUS, objv[i],
	    "Invalid destination") != TCL_OK
	    || (objc - i == 2 && DbusCheckName(interp, DBUS_NAME_PATH,
		objv[i+1], "Invalid path") != TCL_OK)
	    || DbifResolveBus(interp, DbifGetData(interp), values[0], &handle,
		&connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    omPtr = (DbifObjects *) ckalloc(sizeof(DbifObjects));
    memset(omPtr, 0, sizeof(DbifObjects));
    omPtr->interp = interp;
    omPtr->handle = handle;
    omPtr->dest = objv[i];
    omPtr->path = objc - i == 2 ? objv[i+1] : Tcl_NewStringObj("/", 1);
    omPtr->objects = Tcl_NewObj();
    omPtr->exacts = Tcl_NewObj();
    omPtr->subs = Tcl_NewObj();
    omPtr->owner = Tcl_NewObj();
    omPtr->added = values[1] && !DbusIsEmpty(values[1]) ? values[1] : NULL;
    omPtr->removed = values[2] && !DbusIsEmpty(values[2]) ? values[2]
	    : NULL;
    Tcl_IncrRefCount(omPtr->handle);
    Tcl_IncrRefCount(omPtr->dest);
    Tcl_IncrRefCount(omPtr->path);
    Tcl_IncrRefCount(omPtr->objects);
    Tcl_IncrRefCount(omPtr->exacts);
    Tcl_IncrRefCount(omPtr->subs);
    Tcl_IncrRefCount(omPtr->owner);
    if (omPtr->added != NULL) {
	Tcl_IncrRefCount(omPtr->added);
    }
    if (omPtr->removed != NULL) {
	Tcl_IncrRefCount(omPtr->removed);
    }
    if (DbifSubscribeObject(interp, connPtr, omPtr->dest, "path",
	    omPtr->path, OM_INTERFACE, "InterfacesAdded", NULL, OmSignal,
	    omPtr, omPtr->subs, NULL) != TCL_OK
	    || DbifSubscribeObject(interp, connPtr, omPtr->dest, "path",
		omPtr->path, OM_INTERFACE, "InterfacesRemoved", NULL,
		OmSignal, omPtr, omPtr->subs, NULL) != TCL_OK
	    || DbifSubscribeObject(interp, connPtr, omPtr->dest,
		"path_namespace", omPtr->path, DBUS_PROPS_INTERFACE,
		"PropertiesChanged", NULL, OmPropsChanged, omPtr,
		omPtr->subs, NULL) != TCL_OK) {
	ObjectsFree((char *) omPtr);
	return TCL_ERROR;
    }
    if (!(DbusConnFlags(connPtr) & DBUS_CONN_PEER)) {
	omPtr->ownerWatch = DbusBusWatchOwner(connPtr,
		Tcl_GetString(omPtr->dest), OmOwner, omPtr);
    }
    msg = DbusNewCall(interp, Tcl_GetString(omPtr->dest),
	    Tcl_GetString(omPtr->path), OM_INTERFACE, "GetManagedObjects",
	    NULL);
    if (msg == NULL) {
	ObjectsFree((char *) omPtr);
	return TCL_ERROR;
    }
    code = DbifPxAwait(interp, connPtr, msg, -1, ObjectsStep, omPtr);
    DbusMessageRelease(msg);
    return code;
}

int
DbifObjectsCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, DbifObjectsNRCmd, clientData, objc,
	    objv);
}

/*
 *----------------------------------------------------------------------
 *
 * ObjectsObjCmd, ObjectsNRObjCmd --
 *
 *	$m objects | $m proxy path ?interface? | $m destroy
 *
 * Results:
 *	TCL_OK: destroy gives "", objects the dict (shared with the record),
 *	proxy the new proxy command; TCL_ERROR: wrong # args, bad subcommand,
 *	an unknown object or interface {DBUS UNKNOWN OBJECT|INTERFACE x}, the
 *	proxy's errors.
 *
 * Side effects:
 *	destroy deletes the command (ObjectsDeleted); proxy creates a proxy
 *	prefilled with the object's known properties.
 *
 *----------------------------------------------------------------------
 */

static int
ObjectsObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, ObjectsNRObjCmd, clientData, objc,
	    objv);
}

static int
ObjectsNRObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const subs[] = {"destroy", "objects", "proxy", NULL};
    enum { S_DESTROY, S_OBJECTS, S_PROXY };
    DbifObjects *omPtr = (DbifObjects *) clientData;
    Tcl_Obj *ifDict, *prefill;
    int index;

    if (objc < 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "subcommand ?arg ...?");
	return TCL_ERROR;
    }
    if (Tcl_GetIndexFromObj(interp, objv[1], subs, "subcommand", 0, &index)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    switch (index) {
    case S_DESTROY:
	if (objc != 2) {
	    Tcl_WrongNumArgs(interp, 2, objv, NULL);
	    return TCL_ERROR;
	}
	if (omPtr->token != NULL) {
	    Tcl_DeleteCommandFromToken(interp, omPtr->token);
	}
	return TCL_OK;
    case S_OBJECTS:
	if (objc != 2) {
	    Tcl_WrongNumArgs(interp, 2, objv, NULL);
	    return TCL_ERROR;
	}
	Tcl_SetObjResult(interp, omPtr->objects);
	return TCL_OK;
    }
    if (objc < 3 || objc > 4) {
	Tcl_WrongNumArgs(interp, 2, objv, "path ?interface?");
	return TCL_ERROR;
    }
    if (Tcl_DictObjGet(NULL, omPtr->objects, objv[2], &ifDict) != TCL_OK
	    || ifDict == NULL) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("no object \"%s\"",
		Tcl_GetString(objv[2])));
	Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_UNKNOWN, "OBJECT",
		Tcl_GetString(objv[2]), NULL);
	return TCL_ERROR;
    }
    if (Tcl_DictObjGet(NULL, omPtr->exacts, objv[2], &prefill) != TCL_OK
	    || prefill == NULL) {
	prefill = Tcl_NewObj();		/* (cannot happen: kept in step) */
    }
    if (objc == 4) {
	Tcl_Obj *propsObj;

	if (Tcl_DictObjGet(NULL, ifDict, objv[3], &propsObj) != TCL_OK
		|| propsObj == NULL) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("object \"%s\" has no "
		    "interface \"%s\"", Tcl_GetString(objv[2]),
		    Tcl_GetString(objv[3])));
	    Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_UNKNOWN, "INTERFACE",
		    Tcl_GetString(objv[3]), NULL);
	    return TCL_ERROR;
	}
    }
    return DbifPxCreate(interp, omPtr->handle, omPtr->dest, objv[2],
	    objc == 4 ? objv[3] : NULL, prefill);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
