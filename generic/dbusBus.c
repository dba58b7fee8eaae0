/*
 * dbusBus.c --
 *
 *	What a message bus offers beyond messages, for every layer above
 *	the core ("dbus name/release/filter", dbif, subscriptions):
 *
 *	- name requests and releases, and the meaning of their replies;
 *	- the match-rule registry: identical rule texts counted per
 *	  connection (one AddMatch, one RemoveMatch with the last user);
 *	- small accessors, so that no layer above reads a core structure.
 *
 *	Name-owner tracking, the other part of the per-connection bus
 *	record (DbusBusData, DbusConn.busData), is in dbusOwner.c.  The
 *	API is described in dbusInt.h.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

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

/*
 *----------------------------------------------------------------------
 *
 * DbusBusGetData --
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

DbusBusData *
DbusBusGetData(
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
 * NameGone --
 *
 *	The connection gave a name up by a request of its own (dbus
 *	release, or a request under -noqueue that found the name taken,
 *	which also takes the connection out of the name's queue): tell
 *	dbif of every interp of the thread that has the connection under
 *	a handle, so that "dbif connect" does not request the name again
 *	on a new connection of that bus.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Calls the dbifNameGone proc of those interps (once per handle).
 *
 *----------------------------------------------------------------------
 */

static void
NameGone(
    DbusConn *connPtr,
    Tcl_Obj *nameObj)		/* borrowed */
{
    DbusInterpData *idPtr;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    Tcl_IncrRefCount(nameObj);
    for (idPtr = connPtr->tsdPtr->firstInterp; idPtr != NULL;
	    idPtr = idPtr->nextPtr) {
	if (idPtr->dbifData == NULL || idPtr->dbifNameGone == NULL) {
	    continue;
	}
	for (hPtr = Tcl_FirstHashEntry(&idPtr->conns, &search);
		hPtr != NULL; hPtr = Tcl_NextHashEntry(&search)) {
	    if ((DbusConn *) Tcl_GetHashValue(hPtr) == connPtr) {
		idPtr->dbifNameGone(idPtr->dbifData,
			Tcl_GetHashKey(&idPtr->conns, hPtr), nameObj);
	    }
	}
    }
    Tcl_DecrRefCount(nameObj);
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
 *	for the event loop.  A name that exists is given up (NameGone).
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
    if (ret == DBUS_REQUEST_NAME_REPLY_EXISTS) {
	NameGone(connPtr, nameObj);
    }
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
 *	The name is given up whatever the outcome (NameGone: dbif forgets
 *	it).  Blocks until the bus answers.
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

    NameGone(connPtr, nameObj);
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
    busPtr = DbusBusGetData(connPtr, 1);
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
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
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
    DbusBusData *busPtr = DbusBusGetData(connPtr, 0);
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
 *----------------------------------------------------------------------
 *
 * DbusHandlerProc, DbusInterpDbif, DbusInterpSetDbif --
 *
 *	More accessors for the layers above the core (see dbusInt.h).
 *
 * Results:
 *	A handler's C proc (NULL for a script) with its clientData in
 *	*clientDataPtr; the dbif record of an interp.
 *
 * Side effects:
 *	DbusInterpSetDbif hooks dbif's record and its delete proc to the
 *	interp's core record (called on interp deletion, before the
 *	connections are let go), with the proc NameGone calls.
 *
 *----------------------------------------------------------------------
 */

DbusMessageProc *
DbusHandlerProc(
    DbusHandler *handlerPtr,
    ClientData *clientDataPtr)	/* out; may be NULL */
{
    if (clientDataPtr != NULL) {
	*clientDataPtr = handlerPtr->clientData;
    }
    return handlerPtr->proc;
}

ClientData
DbusInterpDbif(
    DbusInterpData *dataPtr)
{
    return dataPtr->dbifData;
}

void
DbusInterpSetDbif(
    DbusInterpData *dataPtr,
    ClientData dbifData,	/* ownership passes to freeProc */
    void (*freeProc)(ClientData),
    void (*nameGoneProc)(ClientData, const char *, Tcl_Obj *))
{
    dataPtr->dbifData = dbifData;
    dataPtr->dbifFree = freeProc;
    dataPtr->dbifNameGone = nameGoneProc;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
