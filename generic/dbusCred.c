/*
 * dbusCred.c --
 *
 *	"dbus credentials" and the credentials behind "dbif get msgid
 *	credentials": who is at the other end.  On a message bus the bus
 *	daemon knows (GetConnectionCredentials); its answers are cached per
 *	unique name and dropped when the name goes away (NameOwnerChanged,
 *	followed through the owner tracking of dbusBus.c).
 *	On a peer-to-peer connection the kernel knows: the credentials come
 *	from the socket (SO_PEERCRED, SO_PEERGROUPS), or from what libdbus
 *	learnt during authentication when the socket cannot tell (tcp).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#define _GNU_SOURCE		/* struct ucred */
#include "dbusInt.h"
#include <sys/types.h>
#include <sys/socket.h>
#include <errno.h>

/*
 * The rule that makes the bus tell us about vanished names: every
 * NameOwnerChanged whose new owner is empty.
 */

#define LOST_NAME_RULE \
    "type='signal',sender='" DBUS_SERVICE_DBUS "',path='" DBUS_PATH_DBUS \
    "',interface='" DBUS_INTERFACE_DBUS "',member='NameOwnerChanged'," \
    "arg2=''"

/*
 * Per-connection cache (DbusConn.credData).
 */

typedef struct CredCache {
    Tcl_HashTable names;	/* unique name -> credentials dict
				 * (refcount held), or NULL while a query
				 * for the name is on its way */
    DbusOwnerWatch *watchPtr;	/* watch of every NameOwnerChanged
				 * (dbusBus.c), NULL once the connection
				 * closes */
} CredCache;

static DbusAwaitStep CredStep;
static DbusOwnerProc OwnerChanged;

/*
 *----------------------------------------------------------------------
 *
 * GetCache --
 *
 *	The connection's cache, made on first use together with the match
 *	rule that keeps it current.
 *
 * Results:
 *	The cache (owned by connPtr->credData; freed by DbusCredFree).
 *
 * Side effects:
 *	May send AddMatch (through the counted registry, without waiting
 *	for the answer; the daemon handles it before any query we send
 *	after it) and watch every owner change the connection hears.
 *
 *----------------------------------------------------------------------
 */

static CredCache *
GetCache(
    DbusConn *connPtr)
{
    CredCache *cachePtr = (CredCache *) connPtr->credData;

    if (cachePtr == NULL) {
	cachePtr = (CredCache *) ckalloc(sizeof(CredCache));
	Tcl_InitHashTable(&cachePtr->names, TCL_STRING_KEYS);
	connPtr->credData = cachePtr;
	cachePtr->watchPtr = DbusBusWatchOwner(connPtr, NULL, OwnerChanged,
		cachePtr);
	DbusBusAddMatch(NULL, connPtr, LOST_NAME_RULE, DBUS_MATCH_NOWAIT);
    }
    return cachePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCredFree --
 *
 *	Free a connection's cache (ConnFree).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Stops the owner watch, releases every cached dict and frees the cache;
 *	connPtr->credData becomes NULL.
 *
 *----------------------------------------------------------------------
 */

void
DbusCredFree(
    DbusConn *connPtr)
{
    CredCache *cachePtr = (CredCache *) connPtr->credData;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (cachePtr == NULL) {
	return;
    }
    if (cachePtr->watchPtr != NULL) {
	DbusBusUnwatchOwner(cachePtr->watchPtr);
    }
    for (hPtr = Tcl_FirstHashEntry(&cachePtr->names, &search); hPtr != NULL;
	    hPtr = Tcl_NextHashEntry(&search)) {
	if (Tcl_GetHashValue(hPtr) != NULL) {
	    Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
	}
    }
    Tcl_DeleteHashTable(&cachePtr->names);
    ckfree((char *) cachePtr);
    connPtr->credData = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * Forget --
 *
 *	Drop the cache entry of a name (a query on its way for it will not
 *	store its answer).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases the cached dict and deletes the entry.
 *
 *----------------------------------------------------------------------
 */

static void
Forget(
    CredCache *cachePtr,
    const char *name)
{
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&cachePtr->names, name);

    if (hPtr != NULL) {
	if (Tcl_GetHashValue(hPtr) != NULL) {
	    Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
	}
	Tcl_DeleteHashEntry(hPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerChanged --
 *
 *	DbusOwnerProc of the cache's watch of every NameOwnerChanged: a
 *	name that lost its owner loses its cached credentials.  When the
 *	connection closes (newOwner NULL) the watch goes away.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Forgets the cached credentials of a name left without owner; clears
 *	cachePtr->watchPtr when the watch ends.
 *
 *----------------------------------------------------------------------
 */

static void
OwnerChanged(
    ClientData clientData,	/* CredCache */
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldOwner,
    Tcl_Obj *newOwner)
{
    CredCache *cachePtr = (CredCache *) clientData;

    (void) connPtr;
    (void) oldOwner;
    if (newOwner == NULL) {
	cachePtr->watchPtr = NULL;
    } else if (DbusIsEmpty(newOwner)) {
	Forget(cachePtr, Tcl_GetString(nameObj));
    }
}

/*
 *----------------------------------------------------------------------
 *
 * NewCredDict --
 *
 *	Build the result dict from what is known (uid/pid < 0: unknown;
 *	gids NULL: unknown), keys in a fixed order.
 *
 * Results:
 *	A new dict (refcount 0).
 *
 * Side effects:
 *	The dict takes a reference to gidsPtr.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
NewCredDict(
    Tcl_WideInt uid,
    Tcl_WideInt pid,
    Tcl_Obj *gidsPtr)		/* list, consumed (refcount 0) or NULL */
{
    Tcl_Obj *dictPtr = Tcl_NewDictObj();

    if (uid >= 0) {
	Tcl_DictObjPut(NULL, dictPtr, Tcl_NewStringObj("UnixUserID", -1),
		Tcl_NewWideIntObj(uid));
    }
    if (pid > 0) {
	Tcl_DictObjPut(NULL, dictPtr, Tcl_NewStringObj("ProcessID", -1),
		Tcl_NewWideIntObj(pid));
    }
    if (gidsPtr != NULL) {
	Tcl_DictObjPut(NULL, dictPtr, Tcl_NewStringObj("UnixGroupIDs", -1),
		gidsPtr);
    }
    return dictPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * SocketCredentials --
 *
 *	Credentials of the process at the other end of a connection's
 *	socket, as the kernel recorded them when the socket was connected:
 *	UnixGroupIDs lists the primary group, then the supplementary ones.
 *	Over tcp only what the authentication established (a uid) is
 *	known.
 *
 * Results:
 *	TCL_OK with the dict as result, or {DBUS CLOSED busId}.
 *
 * Side effects:
 *	Sets the interp result to a new dict; reads the socket's peer
 *	credentials (getsockopt).
 *
 *----------------------------------------------------------------------
 */

static int
SocketCredentials(
    Tcl_Interp *interp,
    DbusConn *connPtr)
{
    Tcl_WideInt uid = -1, pid = -1;
    Tcl_Obj *gidsPtr = NULL;
    int fd;

    if (DbusConnCheckOpen(interp, connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
#ifdef SO_PEERCRED
    if (dbus_connection_get_socket(connPtr->conn, &fd)) {
	struct ucred uc;
	socklen_t len = sizeof(uc);

	/*
	 * A tcp socket "succeeds" with uid -1: no kernel credentials.
	 */

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0
		&& uc.uid != (uid_t) -1) {
	    uid = uc.uid;
	    pid = uc.pid;
	    gidsPtr = Tcl_NewListObj(0, NULL);
	    Tcl_ListObjAppendElement(NULL, gidsPtr, Tcl_NewWideIntObj(uc.gid));
#ifdef SO_PEERGROUPS
	    {
		gid_t small[64], *gids = small;
		socklen_t glen = sizeof(small);
		int ok = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids,
			&glen) == 0;
		size_t i;

		if (!ok && errno == ERANGE && glen > sizeof(small)) {
		    gids = (gid_t *) ckalloc(glen);
		    ok = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids,
			    &glen) == 0;
		}
		for (i = 0; ok && i < glen / sizeof(gid_t); i++) {
		    if (gids[i] != uc.gid) {
			Tcl_ListObjAppendElement(NULL, gidsPtr,
				Tcl_NewWideIntObj(gids[i]));
		    }
		}
		if (gids != small) {
		    ckfree((char *) gids);
		}
	    }
#endif
	}
    }
#endif /* SO_PEERCRED */
    if (uid < 0) {
	unsigned long value;

	if (dbus_connection_get_unix_user(connPtr->conn, &value)) {
	    uid = (Tcl_WideInt) value;
	}
	if (dbus_connection_get_unix_process_id(connPtr->conn, &value)) {
	    pid = (Tcl_WideInt) value;
	}
    }
    Tcl_SetObjResult(interp, NewCredDict(uid, pid, gidsPtr));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ParseReply --
 *
 *	The a{sv} of GetConnectionCredentials as our dict: UnixUserID,
 *	ProcessID and UnixGroupIDs when present; other keys (security
 *	label, process fd) are left out.
 *
 * Results:
 *	A new dict (refcount 0), or NULL when the reply is not an a{sv}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
ParseReply(
    DBusMessage *reply)
{
    DBusMessageIter iter, array;
    Tcl_WideInt uid = -1, pid = -1;
    Tcl_Obj *gidsPtr = NULL;

    if (!dbus_message_iter_init(reply, &iter)
	    || dbus_message_iter_get_arg_type(&iter) != DBUS_TYPE_ARRAY
	    || dbus_message_iter_get_element_type(&iter)
		!= DBUS_TYPE_DICT_ENTRY) {
	return NULL;
    }
    dbus_message_iter_recurse(&iter, &array);
    while (dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_DICT_ENTRY) {
	DBusMessageIter entry, variant;
	const char *key;
	int type;

	dbus_message_iter_recurse(&array, &entry);
	dbus_message_iter_get_basic(&entry, &key);
	dbus_message_iter_next(&entry);
	dbus_message_iter_recurse(&entry, &variant);
	type = dbus_message_iter_get_arg_type(&variant);
	if (type == DBUS_TYPE_UINT32 && (strcmp(key, "UnixUserID") == 0
		|| strcmp(key, "ProcessID") == 0)) {
	    dbus_uint32_t value;

	    dbus_message_iter_get_basic(&variant, &value);
	    if (key[0] == 'U') {
		uid = value;
	    } else {
		pid = value;
	    }
	} else if (type == DBUS_TYPE_ARRAY
		&& dbus_message_iter_get_element_type(&variant)
		    == DBUS_TYPE_UINT32 && strcmp(key, "UnixGroupIDs") == 0) {
	    DBusMessageIter gids;

	    if (gidsPtr != NULL) {
		Tcl_DecrRefCount(gidsPtr);
	    }
	    gidsPtr = Tcl_NewListObj(0, NULL);
	    Tcl_IncrRefCount(gidsPtr);
	    dbus_message_iter_recurse(&variant, &gids);
	    while (dbus_message_iter_get_arg_type(&gids) == DBUS_TYPE_UINT32) {
		dbus_uint32_t gid;

		dbus_message_iter_get_basic(&gids, &gid);
		Tcl_ListObjAppendElement(NULL, gidsPtr, Tcl_NewWideIntObj(gid));
		dbus_message_iter_next(&gids);
	    }
	}
	dbus_message_iter_next(&array);
    }
    if (gidsPtr != NULL) {
	Tcl_Obj *dictPtr = NewCredDict(uid, pid, gidsPtr);

	Tcl_DecrRefCount(gidsPtr);	/* the dict holds it */
	return dictPtr;
    }
    return NewCredDict(uid, pid, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * Finish --
 *
 *	Turn the daemon's answer into the command result and cache it under
 *	a unique name, unless the name went away while we asked.
 *
 * Results:
 *	TCL_OK with the dict, or TCL_ERROR: the daemon's error reply
 *	({DBUS DBUS_MESSAGE_TYPE_ERROR errorName}, e.g. NameHasNoOwner),
 *	NoReply, or a malformed answer.
 *
 * Side effects:
 *	Sets the interp result; a successful answer for a unique name still
 *	listed in the cache is stored there (the cache holds a reference); a
 *	failed one removes the name's placeholder entry.
 *
 *----------------------------------------------------------------------
 */

static int
Finish(
    Tcl_Interp *interp,
    DbusConn *connPtr,		/* preserved by the caller */
    const char *name,
    DBusMessage *reply)		/* borrowed, may be NULL */
{
    CredCache *cachePtr = (connPtr->flags & DBUS_CONN_CLOSED) ? NULL
	    : (CredCache *) connPtr->credData;
    Tcl_HashEntry *hPtr = (cachePtr == NULL) ? NULL
	    : Tcl_FindHashEntry(&cachePtr->names, name);
    Tcl_Obj *dictPtr = NULL;

    if (reply != NULL && dbus_message_get_type(reply)
	    == DBUS_MESSAGE_TYPE_METHOD_RETURN) {
	dictPtr = ParseReply(reply);
    }
    if (dictPtr == NULL) {
	if (hPtr != NULL && Tcl_GetHashValue(hPtr) == NULL) {
	    Tcl_DeleteHashEntry(hPtr);
	}
	if (reply == NULL) {
	    return DbusError(interp, DBUS_EC_REMOTE, DBUS_ERROR_NO_REPLY,
		    NULL, "No reply");
	}
	if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR) {
	    return DbusReplyError(interp, reply, 0);
	}
	return DbusError(interp, DBUS_EC_REMOTE,
		DBUS_ERROR_INVALID_SIGNATURE, NULL,
		"GetConnectionCredentials: unexpected answer");
    }
    if (hPtr != NULL) {
	if (Tcl_GetHashValue(hPtr) != NULL) {
	    Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
	}
	Tcl_IncrRefCount(dictPtr);
	Tcl_SetHashValue(hPtr, dictPtr);
    }
    Tcl_SetObjResult(interp, dictPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * CredStep --
 *
 *	The DbusAwaitStep of a query to the bus daemon: the answer goes
 *	through Finish (cache, command result) unless the coroutine that
 *	waited is being deleted.
 *
 * Results:
 *	What Finish returns, or result when it is not TCL_OK.
 *
 * Side effects:
 *	Frees the name (data1, ckalloc'ed by DbusCredentialsNR) and
 *	releases the connection (data2, preserved by DbusCredentialsNR).
 *
 *----------------------------------------------------------------------
 */

static int
CredStep(
    Tcl_Interp *interp,
    ClientData data1,		/* the name; owned, freed here */
    ClientData data2,		/* the DbusConn; preserved, released here */
    DBusMessage *reply,		/* borrowed; NULL: no reply */
    int result)
{
    char *name = (char *) data1;
    DbusConn *connPtr = (DbusConn *) data2;

    if (result == TCL_OK) {
	result = Finish(interp, connPtr, name, reply);
    }
    Tcl_Release(connPtr);
    ckfree(name);
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCredentialsNR --
 *
 *	The credentials of name (NULL: of the other end of the socket) on
 *	a connection.  To be called from an NR-enabled command: inside a
 *	coroutine a query to the bus daemon yields until the answer
 *	arrives, elsewhere it waits like a synchronous call.
 *
 * Results:
 *	TCL_OK with the dict as result (or an NR continuation), or
 *	TCL_ERROR: {DBUS PEER busId} for a name on a peer-to-peer
 *	connection, {DBUS CLOSED busId}, or the daemon's error.
 *
 * Side effects:
 *	A unique name's cached dict is returned without asking.  Otherwise the
 *	first query makes the cache (GetCache: an owner watch and a match
 *	rule), a placeholder entry is made for a unique name,
 *	GetConnectionCredentials is sent to the bus daemon and awaited
 *	(DbusAwaitReply, CredStep); the connection is preserved until the
 *	answer is in.
 *
 *----------------------------------------------------------------------
 */

int
DbusCredentialsNR(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    const char *name)		/* bus name, or NULL */
{
    CredCache *cachePtr;
    DBusMessage *msg;
    dbus_uint32_t serial;
    char *copy;
    int isNew, code;

    if (name == NULL) {
	return SocketCredentials(interp, connPtr);
    }
    if (connPtr->flags & DBUS_CONN_PEER) {
	return DbusError(interp, DBUS_EC_PEER,
		Tcl_GetString(connPtr->handleObj), NULL, "\"%s\" is a "
		"peer-to-peer connection: it has no bus names",
		Tcl_GetString(connPtr->handleObj));
    }
    if (DbusConnCheckOpen(interp, connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    cachePtr = GetCache(connPtr);
    if (name[0] == ':') {
	Tcl_HashEntry *hPtr = Tcl_CreateHashEntry(&cachePtr->names, name,
		&isNew);

	if (isNew) {
	    Tcl_SetHashValue(hPtr, NULL);
	} else if (Tcl_GetHashValue(hPtr) != NULL) {
	    Tcl_SetObjResult(interp, (Tcl_Obj *) Tcl_GetHashValue(hPtr));
	    return TCL_OK;
	}
    }
    msg = dbus_message_new_method_call(DBUS_SERVICE_DBUS, DBUS_PATH_DBUS,
	    DBUS_INTERFACE_DBUS, "GetConnectionCredentials");
    if (msg == NULL || !dbus_message_append_args(msg, DBUS_TYPE_STRING,
	    &name, DBUS_TYPE_INVALID)) {
	if (msg != NULL) {
	    dbus_message_unref(msg);
	}
	return DbusNoMemory(interp);
    }
    code = DbusSend(interp, connPtr, msg, &serial);
    dbus_message_unref(msg);
    if (code != TCL_OK) {
	return code;
    }
    copy = ckalloc(strlen(name) + 1);
    strcpy(copy, name);
    Tcl_Preserve(connPtr);
    return DbusAwaitReply(interp, connPtr, serial, 0, -1, 0, CredStep, copy,
	    connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCredentialsNRCmd --
 *
 *	dbus credentials ?busId? ?name?
 *
 * Results:
 *	See DbusCredentialsNR; TCL_ERROR also for wrong # args, "Invalid bus
 *	name" or a busId that is not connected.
 *
 * Side effects:
 *	See DbusCredentialsNR.
 *
 *----------------------------------------------------------------------
 */

int
DbusCredentialsNRCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *busObj;
    DbusConn *connPtr;
    int i = 1;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 0);
    if (objc - i > 1) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?name?");
	return TCL_ERROR;
    }
    if ((i < objc && DbusCheckName(interp, DBUS_NAME_BUS, objv[i],
	    "Invalid bus name") != TCL_OK)
	    || DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    return DbusCredentialsNR(interp, connPtr,
	    i < objc ? Tcl_GetString(objv[i]) : NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCredentialsCmd --
 *
 *	dbus credentials, as an ordinary command: runs DbusCredentialsNRCmd
 *	through Tcl_NRCallObjProc.
 *
 * Results:
 *	As DbusCredentialsNRCmd.
 *
 * Side effects:
 *	As DbusCredentialsNRCmd.
 *
 *----------------------------------------------------------------------
 */

int
DbusCredentialsCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, DbusCredentialsNRCmd, clientData, objc,
	    objv);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
