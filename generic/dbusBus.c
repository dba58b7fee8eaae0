/*
 * dbusBus.c --
 *
 *	What a message bus offers beyond messages, in one place for every
 *	layer above the core ("dbus name/release/filter", dbif,
 *	subscriptions, name watches, proxies):
 *
 *	- name requests and releases, and the meaning of their replies;
 *	- the match-rule registry: rule text built by one quoting function,
 *	  identical rules counted per connection (one AddMatch, one
 *	  RemoveMatch with the last user);
 *	- name-owner tracking: per connection, a table of the watched names
 *	  and their current unique owners, kept current from
 *	  NameOwnerChanged, with C callbacks on every change.
 *
 *	The per-connection state is a DbusBusData record hung off
 *	DbusConn.busData, created on first use and freed when the
 *	connection closes (DbusBusFree).  The API is described in dbusInt.h.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * One watched name (entry of DbusBusData.owners).
 */

typedef struct DbusNameOwner {
    Tcl_HashEntry *hPtr;	/* our entry in busPtr->owners */
    Tcl_Obj *nameObj;		/* the name; refcount held */
    Tcl_Obj *ownerObj;		/* current owner ("" = none) or NULL while
				 * unknown; refcount held */
    char *rule;			/* NameOwnerChanged rule in the registry;
				 * ckalloc'ed, owned */
    DbusPending *queryPtr;	/* GetNameOwner in flight, or NULL; owned by
				 * the connection's pending table */
    int nWatches;		/* live watches; the record goes at 0 */
    DbusOwnerWatch *firstWatch;	/* registration order (owned list) */
    DbusOwnerWatch *lastWatch;
} DbusNameOwner;

/*
 * One registered callback.
 */

struct DbusOwnerWatch {
    DbusConn *connPtr;		/* borrowed: the connection owns us */
    DbusNameOwner *ownerPtr;	/* the watched name, NULL for "every name" */
    DbusOwnerProc *proc;	/* NULL once removed (freed when no
				 * notification runs over the list) */
    ClientData clientData;	/* not owned */
    unsigned int generation;	/* busPtr->generation at registration */
    DbusOwnerWatch *nextPtr;
};

/*
 * Per-connection bus state (DbusConn.busData).
 */

typedef struct DbusBusData {
    Tcl_HashTable rules;	/* rule text -> use count (INT2PTR) */
    Tcl_HashTable owners;	/* name -> DbusNameOwner* (owned) */
    DbusOwnerWatch *firstAny;	/* watches of every name (owned list) */
    DbusOwnerWatch *lastAny;
    unsigned int generation;	/* counts registrations */
    int busy;			/* owner notifications running: while
				 * nonzero nothing is freed, removed watches
				 * only marked (see EndNotify) */
    int needSweep;		/* a watch was removed while busy */
    int closing;		/* DbusBusFree ran while busy: the last
				 * EndNotify frees the record */
} DbusBusData;

#define NOC_RULE_HEAD \
    "type='signal',sender='" DBUS_SERVICE_DBUS "',interface='" \
    DBUS_INTERFACE_DBUS "',member='NameOwnerChanged',path='" DBUS_PATH_DBUS "'"

/*
 * Replies of RequestName: outcome word and, for DBUS_NAME_STRICT, the
 * error detail and message (reference texts).
 */

static const struct {
    int reply;
    const char *outcome;
    const char *detail;
    const char *text;
} nameReplies[] = {
    {DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER, "primary", NULL, NULL},
    {DBUS_REQUEST_NAME_REPLY_IN_QUEUE, "queued", "IN_QUEUE",
	"Name in use, request queued"},
    {DBUS_REQUEST_NAME_REPLY_EXISTS, "exists", "EXISTS", "Name exists"},
    {DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER, "owner", "ALREADY_OWNER",
	"Already owner"},
    {0, NULL, NULL, NULL}
};

static DbusBusData *	GetBusData(DbusConn *connPtr, int create);
static void		OwnerQueryProc(ClientData clientData,
			    DbusConn *connPtr, DBusMessage *reply);
static void		SetOwner(DbusConn *connPtr, DbusNameOwner *ownerPtr,
			    const char *owner, int initial);
static void		NotifyList(DbusConn *connPtr, DbusBusData *busPtr,
			    DbusOwnerWatch *firstPtr, unsigned int generation,
			    Tcl_Obj *nameObj, Tcl_Obj *oldObj,
			    Tcl_Obj *newObj);
static void		SweepList(DbusOwnerWatch **firstPtrPtr,
			    DbusOwnerWatch **lastPtrPtr);
static void		OwnerRelease(DbusConn *connPtr,
			    DbusNameOwner *ownerPtr);
static void		EndNotify(DbusConn *connPtr, DbusBusData *busPtr);
static void		FreeBusData(DbusConn *connPtr, DbusBusData *busPtr);

/*
 *----------------------------------------------------------------------
 *
 * GetBusData --
 *
 *	The bus record of a connection.
 *
 * Results:
 *	The record, or NULL when there is none and create is 0.
 *
 * Side effects:
 *	With create, makes the record (owned by the connection, freed by
 *	DbusBusFree).
 *
 *----------------------------------------------------------------------
 */

static DbusBusData *
GetBusData(
    DbusConn *connPtr,
    int create)
{
    DbusBusData *busPtr = connPtr->busData;

    if (busPtr == NULL && create) {
	busPtr = (DbusBusData *) ckalloc(sizeof(DbusBusData));
	memset(busPtr, 0, sizeof(DbusBusData));
	Tcl_InitHashTable(&busPtr->rules, TCL_STRING_KEYS);
	Tcl_InitHashTable(&busPtr->owners, TCL_STRING_KEYS);
	connPtr->busData = busPtr;
    }
    return busPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnCheckOpen --
 *
 *	Refuse a bus request on a connection that is closed or lost.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR "D-Bus connection is closed" {DBUS CLOSED
 *	busId}.
 *
 * Side effects:
 *	None on success.
 *
 *----------------------------------------------------------------------
 */

int
DbusConnCheckOpen(
    Tcl_Interp *interp,
    DbusConn *connPtr)
{
    if (connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED)) {
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusRequestName --
 *
 *	Ask the bus for a name (RequestName with nameFlags, the
 *	DBUS_NAME_FLAG_* bits) and interpret its answer; see dbusInt.h for
 *	the meaning of DBUS_NAME_STRICT.
 *
 * Results:
 *	TCL_OK (outcome word as the result unless DBUS_NAME_STRICT) or
 *	TCL_ERROR with message and errorcode.
 *
 * Side effects:
 *	Blocks until the bus answers.  Messages read meanwhile are queued
 *	for the event loop.
 *
 *----------------------------------------------------------------------
 */

int
DbusBusRequestName(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,		/* a valid bus name; borrowed */
    unsigned int nameFlags,	/* DBUS_NAME_FLAG_* */
    int flags)			/* DBUS_NAME_STRICT or 0 */
{
    const char *name = Tcl_GetString(nameObj);
    DBusError err;
    int ret, i;

    if (DbusConnCheckOpen(interp, connPtr) != TCL_OK
	    || DbusRequireBus(interp, connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    dbus_error_init(&err);
    ret = dbus_bus_request_name(connPtr->conn, name, nameFlags, &err);
    DbusConnCheckQueue(connPtr);
    for (i = 0; nameReplies[i].outcome != NULL; i++) {
	if (nameReplies[i].reply != ret) {
	    continue;
	}
	if ((flags & DBUS_NAME_STRICT) && nameReplies[i].detail != NULL) {
	    return DbusError(interp, DBUS_EC_NAME, nameReplies[i].detail,
		    name, "%s", nameReplies[i].text);
	}
	if (!(flags & DBUS_NAME_STRICT)) {
	    Tcl_SetObjResult(interp,
		    Tcl_NewStringObj(nameReplies[i].outcome, -1));
	}
	return TCL_OK;
    }
    return DbusLibError(interp, DBUS_EC_NAME, "Name Error", &err);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusReleaseName --
 *
 *	Give a name back to the bus (ReleaseName).
 *
 * Results:
 *	TCL_OK when released; TCL_ERROR {DBUS RELEASE NON_EXISTENT name},
 *	{DBUS RELEASE NOT_OWNER name}, {DBUS RELEASE LASTPART errorName}
 *	or {DBUS CLOSED busId}.
 *
 * Side effects:
 *	Blocks until the bus answers.
 *
 *----------------------------------------------------------------------
 */

int
DbusBusReleaseName(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *nameObj)		/* a valid bus name; borrowed */
{
    const char *name = Tcl_GetString(nameObj);
    DBusError err;
    int ret;

    if (DbusConnCheckOpen(interp, connPtr) != TCL_OK
	    || DbusRequireBus(interp, connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    dbus_error_init(&err);
    ret = dbus_bus_release_name(connPtr->conn, name, &err);
    DbusConnCheckQueue(connPtr);
    switch (ret) {
    case DBUS_RELEASE_NAME_REPLY_RELEASED:
	return TCL_OK;
    case DBUS_RELEASE_NAME_REPLY_NON_EXISTENT:
	return DbusError(interp, DBUS_EC_RELEASE, "NON_EXISTENT", name,
		"Name does not exist");
    case DBUS_RELEASE_NAME_REPLY_NOT_OWNER:
	return DbusError(interp, DBUS_EC_RELEASE, "NOT_OWNER", name,
		"Not owner");
    }
    return DbusLibError(interp, DBUS_EC_RELEASE, "Release Error", &err);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchAppend --
 *
 *	Append key='value' to a match rule held in a Tcl_DString,
 *	comma-separated from what the rule holds already, quoted by the
 *	one quoting function of the extension, DbusMatchAppendPair
 *	(dbusMatch.c): no value can break the rule.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to *rulePtr.  Panics when libdbus is out of memory, as
 *	ckalloc would.
 *
 *----------------------------------------------------------------------
 */

void
DbusMatchAppend(
    Tcl_DString *rulePtr,
    const char *key,		/* a valid match key */
    const char *value)		/* UTF-8 without NUL */
{
    char *text = NULL;
    size_t len = 0;

    if (!DbusMatchAppendPair(&text, &len, key, value)) {
	Tcl_Panic("out of memory building a match rule");
    }
    if (Tcl_DStringLength(rulePtr) > 0) {
	Tcl_DStringAppend(rulePtr, ",", 1);
    }
    Tcl_DStringAppend(rulePtr, text, (int) len);
    dbus_free(text);
}

/*
 *----------------------------------------------------------------------
 *
 * MatchKey --
 *
 *	Resolve a match-rule key given as "-key" (or bare "key"): every key
 *	of the specification (argN and argNpath for N in 0..63,
 *	arg0namespace); unique prefixes of the fixed ones.
 *
 * Results:
 *	The key, or NULL with error "bad option ..." {TCL LOOKUP INDEX
 *	option key} in interp.  *lenPtr gets the key's length.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static const char *
MatchKey(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    int *lenPtr)
{
    static const char *const keys[] = {
	"destination", "eavesdrop", "interface", "member", "path",
	"path_namespace", "sender", "type", "arg0namespace", NULL
    };
    const char *s = Tcl_GetString(objPtr), *p;
    size_t len;
    int i, match = -1, n;

    if (*s == '-') {
	s++;
    }
    len = strlen(s);

    /*
     * argN and argNpath, N in 0..63 without leading zeros.
     */

    if (strncmp(s, "arg", 3) == 0 && s[3] >= '0' && s[3] <= '9') {
	n = 0;
	for (p = s + 3; *p >= '0' && *p <= '9' && p < s + 5; p++) {
	    n = n * 10 + (*p - '0');
	}
	if (n <= 63 && (p[0] == '\0' || strcmp(p, "path") == 0
		|| (n == 0 && strcmp(p, "namespace") == 0))
		&& !(p - s == 5 && s[3] == '0')) {
	    *lenPtr = (int) len;
	    return s;
	}
    }
    for (i = 0; keys[i] != NULL; i++) {
	if (strcmp(s, keys[i]) == 0) {
	    match = i;
	    break;
	}
	if (len > 0 && strncmp(s, keys[i], len) == 0) {
	    match = (match == -1) ? i : -2;
	}
    }
    if (match < 0) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("bad option \"%s\": must be "
		"-destination, -eavesdrop, -interface, -member, -path, "
		"-path_namespace, -sender, -type, -argN, -argNpath or "
		"-arg0namespace", Tcl_GetString(objPtr)));
	Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option",
		Tcl_GetString(objPtr), NULL);
	return NULL;
    }
    *lenPtr = (int) strlen(keys[match]);
    return keys[match];
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchFromArgs --
 *
 *	Build a match rule from "-key value ?-key value ...?" words (the
 *	arguments of "dbus filter add|remove").  objc must be even.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR ({TCL LOOKUP INDEX option key} for an unknown
 *	key, {DBUS INVALID MATCH value} for a value with a NUL or invalid
 *	UTF-8).
 *
 * Side effects:
 *	Appends to *rulePtr (also on error: the caller frees it).
 *
 *----------------------------------------------------------------------
 */

int
DbusMatchFromArgs(
    Tcl_Interp *interp,
    Tcl_Size objc,
    Tcl_Obj *const objv[],	/* key/value words; borrowed */
    Tcl_DString *rulePtr)
{
    Tcl_Size k;

    for (k = 0; k + 1 < objc; k += 2) {
	Tcl_DString keyDs;
	const char *key, *v;
	Tcl_Size vlen;
	int klen;

	key = MatchKey(interp, objv[k], &klen);
	if (key == NULL) {
	    return TCL_ERROR;
	}
	v = Tcl_GetStringFromObj(objv[k+1], &vlen);
	if (strlen(v) != (size_t) vlen || !dbus_validate_utf8(v, NULL)) {
	    return DbusError(interp, DBUS_EC_INVALID, "MATCH", v,
		    "Invalid match rule value");
	}
	Tcl_DStringInit(&keyDs);
	Tcl_DStringAppend(&keyDs, key, klen);
	DbusMatchAppend(rulePtr, Tcl_DStringValue(&keyDs), v);
	Tcl_DStringFree(&keyDs);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusAddMatch --
 *
 *	Add one use of a match rule on a connection; the first use sends
 *	AddMatch (see dbusInt.h for DBUS_MATCH_NOWAIT).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {DBUS CLOSED busId} / {DBUS FILTER LASTPART
 *	errorName} (not counted then).
 *
 * Side effects:
 *	Counts the rule in the connection's registry; may block for the
 *	bus's answer.
 *
 *----------------------------------------------------------------------
 */

int
DbusBusAddMatch(
    Tcl_Interp *interp,		/* for errors; may be NULL with NOWAIT */
    DbusConn *connPtr,
    const char *rule,
    int flags)			/* DBUS_MATCH_NOWAIT or 0 */
{
    DbusBusData *busPtr;
    Tcl_HashEntry *hPtr;
    DBusError err;
    int isNew;

    if (DbusConnCheckOpen(interp, connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    busPtr = GetBusData(connPtr, 1);
    hPtr = Tcl_CreateHashEntry(&busPtr->rules, rule, &isNew);
    if (!isNew) {
	Tcl_SetHashValue(hPtr, INT2PTR(PTR2INT(Tcl_GetHashValue(hPtr)) + 1));
	return TCL_OK;
    }
    Tcl_SetHashValue(hPtr, INT2PTR(1));
    if (connPtr->flags & DBUS_CONN_PEER) {
	/*
	 * No bus daemon: a peer sends its signals without being asked.
	 */

	return TCL_OK;
    }
    if (flags & DBUS_MATCH_NOWAIT) {
	dbus_bus_add_match(connPtr->conn, rule, NULL);
	return TCL_OK;
    }
    dbus_error_init(&err);
    dbus_bus_add_match(connPtr->conn, rule, &err);
    DbusConnCheckQueue(connPtr);
    if (dbus_error_is_set(&err)) {
	Tcl_DeleteHashEntry(hPtr);
	return DbusLibError(interp, DBUS_EC_FILTER, "Match Error", &err);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusRemoveMatch --
 *
 *	Drop one use of a match rule; the last use sends RemoveMatch (see
 *	dbusInt.h for DBUS_MATCH_NOWAIT and rules not in the registry).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {DBUS CLOSED busId} / {DBUS FILTER LASTPART
 *	errorName} (only without DBUS_MATCH_NOWAIT).
 *
 * Side effects:
 *	Uncounts the rule; may block for the bus's answer.
 *
 *----------------------------------------------------------------------
 */

int
DbusBusRemoveMatch(
    Tcl_Interp *interp,		/* for errors; may be NULL with NOWAIT */
    DbusConn *connPtr,
    const char *rule,
    int flags)			/* DBUS_MATCH_NOWAIT or 0 */
{
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    Tcl_HashEntry *hPtr = NULL;
    DBusError err;

    if (busPtr != NULL) {
	hPtr = Tcl_FindHashEntry(&busPtr->rules, rule);
    }
    if (hPtr != NULL) {
	int n = PTR2INT(Tcl_GetHashValue(hPtr)) - 1;

	if (n > 0) {
	    Tcl_SetHashValue(hPtr, INT2PTR(n));
	    return TCL_OK;
	}
	Tcl_DeleteHashEntry(hPtr);
    } else if (flags & DBUS_MATCH_NOWAIT) {
	return TCL_OK;
    }
    if (connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED)) {
	return (flags & DBUS_MATCH_NOWAIT) ? TCL_OK
		: DbusConnCheckOpen(interp, connPtr);
    }
    if (connPtr->flags & DBUS_CONN_PEER) {
	return TCL_OK;
    }
    if (flags & DBUS_MATCH_NOWAIT) {
	dbus_bus_remove_match(connPtr->conn, rule, NULL);
	return TCL_OK;
    }
    dbus_error_init(&err);
    dbus_bus_remove_match(connPtr->conn, rule, &err);
    DbusConnCheckQueue(connPtr);
    if (dbus_error_is_set(&err)) {
	return DbusLibError(interp, DBUS_EC_FILTER, "Match Error", &err);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusMatchCount --
 *
 *	How many users a rule has on a connection (tests, introspection of
 *	the registry).
 *
 * Results:
 *	The count, 0 when the rule is not registered.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusBusMatchCount(
    DbusConn *connPtr,
    const char *rule)
{
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    Tcl_HashEntry *hPtr;

    if (busPtr == NULL) {
	return 0;
    }
    hPtr = Tcl_FindHashEntry(&busPtr->rules, rule);
    return hPtr ? PTR2INT(Tcl_GetHashValue(hPtr)) : 0;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusWatchOwner --
 *
 *	Register a callback for the owner changes of a name (NULL: of
 *	every name whose NameOwnerChanged reaches the connection).  See
 *	dbusInt.h for the protocol.
 *
 * Results:
 *	The watch, owned by the connection; released with
 *	DbusBusUnwatchOwner or when the connection closes.  NULL when the
 *	connection is closed already.
 *
 * Side effects:
 *	The first watch of a name adds its NameOwnerChanged rule (not
 *	waiting) and sends GetNameOwner (answer handled by
 *	OwnerQueryProc from the event loop).
 *
 *----------------------------------------------------------------------
 */

DbusOwnerWatch *
DbusBusWatchOwner(
    DbusConn *connPtr,
    const char *name,		/* a valid bus name, or NULL */
    DbusOwnerProc *proc,
    ClientData clientData)	/* not owned */
{
    DbusBusData *busPtr;
    DbusOwnerWatch *watchPtr;
    DbusNameOwner *ownerPtr = NULL;

    if (connPtr->flags & DBUS_CONN_CLOSED) {
	return NULL;
    }
    busPtr = GetBusData(connPtr, 1);
    watchPtr = (DbusOwnerWatch *) ckalloc(sizeof(DbusOwnerWatch));
    watchPtr->connPtr = connPtr;
    watchPtr->proc = proc;
    watchPtr->clientData = clientData;
    watchPtr->generation = ++busPtr->generation;
    watchPtr->nextPtr = NULL;
    if (name == NULL) {
	watchPtr->ownerPtr = NULL;
	if (busPtr->lastAny != NULL) {
	    busPtr->lastAny->nextPtr = watchPtr;
	} else {
	    busPtr->firstAny = watchPtr;
	}
	busPtr->lastAny = watchPtr;
	return watchPtr;
    }

    {
	int isNew;
	Tcl_HashEntry *hPtr = Tcl_CreateHashEntry(&busPtr->owners, name,
		&isNew);

	if (isNew) {
	    Tcl_DString rule;

	    ownerPtr = (DbusNameOwner *) ckalloc(sizeof(DbusNameOwner));
	    memset(ownerPtr, 0, sizeof(DbusNameOwner));
	    ownerPtr->hPtr = hPtr;
	    ownerPtr->nameObj = Tcl_NewStringObj(name, -1);
	    Tcl_IncrRefCount(ownerPtr->nameObj);
	    Tcl_SetHashValue(hPtr, ownerPtr);

	    Tcl_DStringInit(&rule);
	    Tcl_DStringAppend(&rule, NOC_RULE_HEAD, -1);
	    DbusMatchAppend(&rule, "arg0", name);
	    ownerPtr->rule = ckalloc(Tcl_DStringLength(&rule) + 1);
	    memcpy(ownerPtr->rule, Tcl_DStringValue(&rule),
		    Tcl_DStringLength(&rule) + 1);
	    Tcl_DStringFree(&rule);
	    if (DbusBusAddMatch(NULL, connPtr, ownerPtr->rule,
		    DBUS_MATCH_NOWAIT) == TCL_OK) {
		DBusMessage *msg = dbus_message_new_method_call(
			DBUS_SERVICE_DBUS, DBUS_PATH_DBUS, DBUS_INTERFACE_DBUS,
			"GetNameOwner");
		dbus_uint32_t serial;

		if (msg != NULL && dbus_message_append_args(msg,
			DBUS_TYPE_STRING, &name, DBUS_TYPE_INVALID)
			&& DbusSend(NULL, connPtr, msg, &serial) == TCL_OK) {
		    ownerPtr->queryPtr = DbusPendingNewProc(connPtr, serial,
			    OwnerQueryProc, ownerPtr, -1);
		}
		if (msg != NULL) {
		    dbus_message_unref(msg);
		}
	    }
	} else {
	    ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);
	}
    }
    watchPtr->ownerPtr = ownerPtr;
    ownerPtr->nWatches++;
    if (ownerPtr->lastWatch != NULL) {
	ownerPtr->lastWatch->nextPtr = watchPtr;
    } else {
	ownerPtr->firstWatch = watchPtr;
    }
    ownerPtr->lastWatch = watchPtr;
    return watchPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusUnwatchOwner --
 *
 *	Remove a watch.  Safe from inside any owner callback.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The watch is freed (at once, or when the running notifications
 *	are done).  The last watch of a name removes its rule (not
 *	waiting), cancels its GetNameOwner and forgets the name.
 *
 *----------------------------------------------------------------------
 */

void
DbusBusUnwatchOwner(
    DbusOwnerWatch *watchPtr)
{
    DbusConn *connPtr = watchPtr->connPtr;
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    DbusNameOwner *ownerPtr = watchPtr->ownerPtr;

    if (watchPtr->proc == NULL || busPtr == NULL) {
	return;
    }
    watchPtr->proc = NULL;
    if (ownerPtr != NULL) {
	ownerPtr->nWatches--;
    }
    if (busPtr->busy > 0) {
	busPtr->needSweep = 1;
	return;
    }
    if (ownerPtr == NULL) {
	SweepList(&busPtr->firstAny, &busPtr->lastAny);
    } else {
	SweepList(&ownerPtr->firstWatch, &ownerPtr->lastWatch);
	if (ownerPtr->nWatches == 0) {
	    OwnerRelease(connPtr, ownerPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * EndNotify --
 *
 *	End of a run of owner callbacks (busPtr->busy was raised by the
 *	caller): when it was the outermost, free what the callbacks
 *	removed, or the whole record if the connection closed meanwhile.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May free watches, watched names (removing their rules), or the
 *	bus record.
 *
 *----------------------------------------------------------------------
 */

static void
EndNotify(
    DbusConn *connPtr,
    DbusBusData *busPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (--busPtr->busy > 0) {
	return;
    }
    if (busPtr->closing) {
	FreeBusData(connPtr, busPtr);
	return;
    }
    if (!busPtr->needSweep) {
	return;
    }
    busPtr->needSweep = 0;
    SweepList(&busPtr->firstAny, &busPtr->lastAny);
    hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search);
    while (hPtr != NULL) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	hPtr = Tcl_NextHashEntry(&search);
	SweepList(&ownerPtr->firstWatch, &ownerPtr->lastWatch);
	if (ownerPtr->nWatches == 0) {
	    OwnerRelease(connPtr, ownerPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * SweepList --
 *
 *	Free the removed watches (proc NULL) of a list.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees watch records; relinks the list.
 *
 *----------------------------------------------------------------------
 */

static void
SweepList(
    DbusOwnerWatch **firstPtrPtr,
    DbusOwnerWatch **lastPtrPtr)
{
    DbusOwnerWatch **pp = firstPtrPtr, *lastPtr = NULL;

    while (*pp != NULL) {
	DbusOwnerWatch *watchPtr = *pp;

	if (watchPtr->proc == NULL) {
	    *pp = watchPtr->nextPtr;
	    ckfree((char *) watchPtr);
	} else {
	    lastPtr = watchPtr;
	    pp = &watchPtr->nextPtr;
	}
    }
    *lastPtrPtr = lastPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerRelease --
 *
 *	Forget a watched name that has no watches left.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes its rule from the registry (not waiting), cancels its
 *	GetNameOwner, frees the record and its remaining watch records.
 *
 *----------------------------------------------------------------------
 */

static void
OwnerRelease(
    DbusConn *connPtr,
    DbusNameOwner *ownerPtr)
{
    DbusOwnerWatch *watchPtr, *nextPtr;

    if (ownerPtr->queryPtr != NULL) {
	DbusPendingFree(ownerPtr->queryPtr);
	ownerPtr->queryPtr = NULL;
    }
    DbusBusRemoveMatch(NULL, connPtr, ownerPtr->rule, DBUS_MATCH_NOWAIT);
    Tcl_DeleteHashEntry(ownerPtr->hPtr);
    for (watchPtr = ownerPtr->firstWatch; watchPtr; watchPtr = nextPtr) {
	nextPtr = watchPtr->nextPtr;
	ckfree((char *) watchPtr);
    }
    Tcl_DecrRefCount(ownerPtr->nameObj);
    if (ownerPtr->ownerObj != NULL) {
	Tcl_DecrRefCount(ownerPtr->ownerObj);
    }
    ckfree(ownerPtr->rule);
    ckfree((char *) ownerPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusNameOwner --
 *
 *	The current owner of a watched name.
 *
 * Results:
 *	Borrowed object: the unique owner, "" for none; NULL when the
 *	name is not watched or its owner is not known yet.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusBusNameOwner(
    DbusConn *connPtr,
    const char *name)
{
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    Tcl_HashEntry *hPtr;

    if (busPtr == NULL) {
	return NULL;
    }
    hPtr = Tcl_FindHashEntry(&busPtr->owners, name);
    return hPtr ? ((DbusNameOwner *) Tcl_GetHashValue(hPtr))->ownerObj
	    : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerQueryProc --
 *
 *	The answer to a name's GetNameOwner: its owner, "" when the bus
 *	says it has none or the call failed.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May set the owner and run the watches (SetOwner).
 *
 *----------------------------------------------------------------------
 */

static void
OwnerQueryProc(
    ClientData clientData,	/* DbusNameOwner */
    DbusConn *connPtr,
    DBusMessage *reply)
{
    DbusNameOwner *ownerPtr = (DbusNameOwner *) clientData;
    const char *owner = "";

    DbusBusData *busPtr = GetBusData(connPtr, 0);

    ownerPtr->queryPtr = NULL;
    if ((connPtr->flags & DBUS_CONN_CLOSED) || busPtr == NULL
	    || busPtr->closing) {
	return;
    }
    if (dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_METHOD_RETURN
	    && !dbus_message_get_args(reply, NULL, DBUS_TYPE_STRING, &owner,
	    DBUS_TYPE_INVALID)) {
	owner = "";
    }
    busPtr->busy++;
    if (ownerPtr->ownerObj == NULL) {
	SetOwner(connPtr, ownerPtr, owner, 1);
    } else if (strcmp(Tcl_GetString(ownerPtr->ownerObj), owner) != 0) {
	SetOwner(connPtr, ownerPtr, owner, 0);
    }
    EndNotify(connPtr, busPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * SetOwner --
 *
 *	Record a name's new owner and tell its watches.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Replaces ownerPtr->ownerObj; runs the callbacks (which may run
 *	scripts and remove watches).  The caller holds busPtr->busy, so
 *	ownerPtr stays valid.
 *
 *----------------------------------------------------------------------
 */

static void
SetOwner(
    DbusConn *connPtr,
    DbusNameOwner *ownerPtr,
    const char *owner,		/* new owner, "" none */
    int initial)		/* first knowledge: old owner NULL */
{
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    Tcl_Obj *oldObj = ownerPtr->ownerObj, *newObj, *nameObj;

    newObj = Tcl_NewStringObj(owner, -1);
    Tcl_IncrRefCount(newObj);
    ownerPtr->ownerObj = newObj;
    Tcl_IncrRefCount(newObj);
    nameObj = ownerPtr->nameObj;
    Tcl_IncrRefCount(nameObj);

    NotifyList(connPtr, busPtr, ownerPtr->firstWatch, busPtr->generation,
	    nameObj, initial ? NULL : oldObj, newObj);
    Tcl_DecrRefCount(nameObj);
    Tcl_DecrRefCount(newObj);
    if (oldObj != NULL) {
	Tcl_DecrRefCount(oldObj);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * NotifyList --
 *
 *	Call the live watches of a list that existed when the change
 *	happened (generation), in order; stop when the connection closes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Whatever the callbacks do.  The caller holds busPtr->busy so that
 *	removed watches stay linked until EndNotify.
 *
 *----------------------------------------------------------------------
 */

static void
NotifyList(
    DbusConn *connPtr,
    DbusBusData *busPtr,
    DbusOwnerWatch *firstPtr,
    unsigned int generation,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldObj,
    Tcl_Obj *newObj)
{
    DbusOwnerWatch *watchPtr;

    Tcl_Preserve(connPtr);
    for (watchPtr = firstPtr; watchPtr != NULL && !busPtr->closing;
	    watchPtr = watchPtr->nextPtr) {
	if (watchPtr->proc != NULL && watchPtr->generation <= generation) {
	    watchPtr->proc(watchPtr->clientData, connPtr, nameObj, oldObj,
		    newObj);
	}
    }
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerChanged --
 *
 *	A NameOwnerChanged signal from the bus: update the watched name it
 *	concerns and tell the watches of every name.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs owner callbacks.
 *
 *----------------------------------------------------------------------
 */

static void
OwnerChanged(
    DbusConn *connPtr,
    DbusBusData *busPtr,
    DBusMessage *msg)
{
    const char *name, *oldOwner, *newOwner;
    unsigned int generation = busPtr->generation;
    Tcl_HashEntry *hPtr;

    if (!dbus_message_get_args(msg, NULL, DBUS_TYPE_STRING, &name,
	    DBUS_TYPE_STRING, &oldOwner, DBUS_TYPE_STRING, &newOwner,
	    DBUS_TYPE_INVALID)) {
	return;
    }
    hPtr = Tcl_FindHashEntry(&busPtr->owners, name);
    if (hPtr != NULL) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	if (ownerPtr->ownerObj == NULL) {
	    SetOwner(connPtr, ownerPtr, newOwner, 1);
	} else if (strcmp(Tcl_GetString(ownerPtr->ownerObj), newOwner)) {
	    SetOwner(connPtr, ownerPtr, newOwner, 0);
	}
    }
    if (busPtr->firstAny != NULL && !busPtr->closing) {
	Tcl_Obj *nameObj = Tcl_NewStringObj(name, -1);
	Tcl_Obj *oldObj = Tcl_NewStringObj(oldOwner, -1);
	Tcl_Obj *newObj = Tcl_NewStringObj(newOwner, -1);

	Tcl_IncrRefCount(nameObj);
	Tcl_IncrRefCount(oldObj);
	Tcl_IncrRefCount(newObj);
	NotifyList(connPtr, busPtr, busPtr->firstAny, generation, nameObj,
		oldObj, newObj);
	Tcl_DecrRefCount(nameObj);
	Tcl_DecrRefCount(oldObj);
	Tcl_DecrRefCount(newObj);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ConnGone --
 *
 *	The bus connection was lost: every watched name with an owner
 *	loses it.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs owner callbacks with new owner "".
 *
 *----------------------------------------------------------------------
 */

static void
ConnGone(
    DbusConn *connPtr,
    DbusBusData *busPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    Tcl_Obj *namesPtr = Tcl_NewListObj(0, NULL);
    Tcl_Obj **namev;
    Tcl_Size n, i;

    /*
     * Collect first: the callbacks may change the table.
     */

    Tcl_IncrRefCount(namesPtr);
    for (hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	if (ownerPtr->ownerObj == NULL
		|| Tcl_GetCharLength(ownerPtr->ownerObj) > 0) {
	    Tcl_ListObjAppendElement(NULL, namesPtr, ownerPtr->nameObj);
	}
    }
    Tcl_ListObjGetElements(NULL, namesPtr, &n, &namev);
    for (i = 0; i < n && !busPtr->closing; i++) {
	hPtr = Tcl_FindHashEntry(&busPtr->owners, Tcl_GetString(namev[i]));
	if (hPtr != NULL) {
	    DbusNameOwner *ownerPtr = (DbusNameOwner *)
		    Tcl_GetHashValue(hPtr);

	    SetOwner(connPtr, ownerPtr, "", ownerPtr->ownerObj == NULL);
	}
    }
    Tcl_DecrRefCount(namesPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusSignal --
 *
 *	Hook of the delivery path (dbusDeliver.c) for every signal, before
 *	the signal handlers see it: NameOwnerChanged from the bus updates
 *	the owner table, Local.Disconnected empties it.  Cheap when nobody
 *	watches a name (no bus record).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May run owner callbacks.
 *
 *----------------------------------------------------------------------
 */

void
DbusBusSignal(
    DbusConn *connPtr,
    DBusMessage *msg)		/* a signal; borrowed */
{
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    const char *sender;

    if (busPtr == NULL || busPtr->closing || (busPtr->owners.numEntries == 0
	    && busPtr->firstAny == NULL)) {
	return;
    }
    busPtr->busy++;
    if (dbus_message_is_signal(msg, DBUS_INTERFACE_DBUS, "NameOwnerChanged")
	    && (sender = dbus_message_get_sender(msg)) != NULL
	    && strcmp(sender, DBUS_SERVICE_DBUS) == 0
	    && dbus_message_has_path(msg, DBUS_PATH_DBUS)) {
	OwnerChanged(connPtr, busPtr, msg);
    } else if (dbus_message_is_signal(msg, DBUS_LOCAL_INTERFACE,
	    "Disconnected") && dbus_message_has_path(msg, DBUS_LOCAL_PATH)) {
	ConnGone(connPtr, busPtr);
    }
    EndNotify(connPtr, busPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusBusFree --
 *
 *	The connection is closing: give every watch its final call (new
 *	owner NULL) and free the bus record.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the registry, the owner table and all watches;
 *	connPtr->busData becomes NULL.  Sends nothing (the connection is
 *	going away).
 *
 *----------------------------------------------------------------------
 */

void
DbusBusFree(
    DbusConn *connPtr)
{
    DbusBusData *busPtr = GetBusData(connPtr, 0);
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbusOwnerWatch *watchPtr;

    if (busPtr == NULL || busPtr->closing) {
	return;
    }
    busPtr->closing = 1;
    busPtr->busy++;
    for (hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	for (watchPtr = ownerPtr->firstWatch; watchPtr;
		watchPtr = watchPtr->nextPtr) {
	    DbusOwnerProc *proc = watchPtr->proc;

	    if (proc != NULL) {
		watchPtr->proc = NULL;
		proc(watchPtr->clientData, connPtr, ownerPtr->nameObj,
			ownerPtr->ownerObj, NULL);
	    }
	}
    }
    for (watchPtr = busPtr->firstAny; watchPtr; watchPtr = watchPtr->nextPtr) {
	DbusOwnerProc *proc = watchPtr->proc;

	if (proc != NULL) {
	    watchPtr->proc = NULL;
	    proc(watchPtr->clientData, connPtr, NULL, NULL, NULL);
	}
    }
    EndNotify(connPtr, busPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * FreeBusData --
 *
 *	Free a closing connection's bus record once no notification runs.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the registry, the owner table and all watch records; cancels
 *	GetNameOwner calls still listed; connPtr->busData becomes NULL.
 *	Sends nothing.
 *
 *----------------------------------------------------------------------
 */

static void
FreeBusData(
    DbusConn *connPtr,
    DbusBusData *busPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbusOwnerWatch *watchPtr, *nextPtr;

    for (hPtr = Tcl_FirstHashEntry(&busPtr->owners, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbusNameOwner *ownerPtr = (DbusNameOwner *) Tcl_GetHashValue(hPtr);

	for (watchPtr = ownerPtr->firstWatch; watchPtr; watchPtr = nextPtr) {
	    nextPtr = watchPtr->nextPtr;
	    ckfree((char *) watchPtr);
	}
	if (ownerPtr->queryPtr != NULL) {
	    DbusPendingFree(ownerPtr->queryPtr);
	}
	Tcl_DecrRefCount(ownerPtr->nameObj);
	if (ownerPtr->ownerObj != NULL) {
	    Tcl_DecrRefCount(ownerPtr->ownerObj);
	}
	ckfree(ownerPtr->rule);
	ckfree((char *) ownerPtr);
    }
    for (watchPtr = busPtr->firstAny; watchPtr; watchPtr = nextPtr) {
	nextPtr = watchPtr->nextPtr;
	ckfree((char *) watchPtr);
    }
    Tcl_DeleteHashTable(&busPtr->owners);
    Tcl_DeleteHashTable(&busPtr->rules);
    ckfree((char *) busPtr);
    connPtr->busData = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusConnHandle, DbusConnFlags, DbusInterpConn --
 *
 *	Accessors for the layers above the core (see dbusInt.h).
 *
 * Results:
 *	The handle (borrowed); the DBUS_CONN_* bits; the connection or
 *	NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusConnHandle(
    DbusConn *connPtr)
{
    return connPtr->handleObj;
}

int
DbusConnFlags(
    DbusConn *connPtr)
{
    return connPtr->flags;
}

DbusConn *
DbusInterpConn(
    DbusInterpData *dataPtr,
    const char *handle)
{
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&dataPtr->conns, handle);

    return hPtr ? (DbusConn *) Tcl_GetHashValue(hPtr) : NULL;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
