/*
 * dbusSubscribe.c --
 *
 *	Signal subscriptions (EXTENSIONS E1, GDBus signal_subscribe): any
 *	number per signal, each with its own match rule applied locally
 *	(dbusMatch.c), run in creation order.  Subscriptions of a
 *	connection are indexed by member (those that name one), else by
 *	interface, else kept on a wildcard list, so a signal only looks at
 *	the subscriptions that could match it.  A well-known -sender
 *	matches the name's current unique owner, tracked through the
 *	owner table of dbusBus.c; the bus gets the rule through the
 *	match-rule registry there (reference counted per connection).
 *
 *	The C API (DbusSubscribe, DbusUnsubscribe) serves the "dbus
 *	subscribe" command, name callbacks (dbusNameWatch.c) and other
 *	layers (proxies) alike: a subscription runs a script or a C
 *	procedure.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * A list of subscriptions in creation (id) order.
 */

typedef struct SubList {
    DbusSubscription *firstPtr;	/* owned by the table (one reference) */
    DbusSubscription *lastPtr;
} SubList;

/*
 * One subscription.  Reference counted: the table holds one reference
 * while it is active, a delivery in progress holds one for each
 * subscription it is about to run.
 */

struct DbusSubscription {
    int refCount;		/* table + running deliveries */
    Tcl_WideInt id;		/* per connection, increasing */
    DbusConn *connPtr;		/* borrowed; NULL once removed */
    Tcl_Interp *interp;		/* owner; NULL once removed */
    DbusInterpData *dataPtr;	/* interp's record, borrowed: valid while
				 * interp is set (an interp's subscriptions
				 * are removed before its record goes) */
    Tcl_Obj *script;		/* command prefix (refcount held) or NULL */
    DbusMessageProc *proc;	/* C callback or NULL */
    ClientData clientData;	/* for proc; not owned */
    int flags;			/* DBUS_FLAG_DETAILS, DBUS_SUB_NOMATCH */
    DbusMatchRule *rulePtr;	/* owned; freed with the record */
    char *busRule;		/* rule text given to the bus registry
				 * (dbus_malloc'd) or NULL */
    DbusOwnerWatch *ownerWatch;	/* tracks a well-known sender or NULL */
    SubList *listPtr;		/* list holding it (NULL once removed) */
    struct DbusSubscription *prevPtr, *nextPtr;
};

/*
 * Per-connection table (DbusConn.subData).
 */

typedef struct DbusSubTable {
    Tcl_HashTable byMember;	/* member -> SubList* (owned) */
    Tcl_HashTable byInterface;	/* interface -> SubList* (owned), for
				 * subscriptions without a member */
    SubList any;		/* neither member nor interface */
    Tcl_HashTable byId;		/* id -> DbusSubscription* */
    Tcl_WideInt nextId;		/* last id given out */
} DbusSubTable;

static DbusSubTable *	GetTable(DbusConn *connPtr, int create);
static SubList *	ListFor(DbusSubTable *tablePtr,
			    const DbusMatchRule *rulePtr, int create);
static void		Unlink(DbusSubscription *subPtr);
static void		SubRelease(DbusSubscription *subPtr);
static DbusOwnerProc	SenderOwnerProc;
static int		RunSubscription(DbusSubscription *subPtr,
			    DBusMessage *msg);

/*
 *----------------------------------------------------------------------
 *
 * GetTable --
 *
 *	The subscription table of a connection.
 *
 * Results:
 *	The table, or NULL when there is none and create is 0.
 *
 * Side effects:
 *	May allocate the table (freed by DbusSubscriptionsFree).
 *
 *----------------------------------------------------------------------
 */

static DbusSubTable *
GetTable(
    DbusConn *connPtr,
    int create)
{
    DbusSubTable *tablePtr = connPtr->subData;

    if (tablePtr == NULL && create) {
	tablePtr = (DbusSubTable *) ckalloc(sizeof(DbusSubTable));
	memset(tablePtr, 0, sizeof(DbusSubTable));
	Tcl_InitHashTable(&tablePtr->byMember, TCL_STRING_KEYS);
	Tcl_InitHashTable(&tablePtr->byInterface, TCL_STRING_KEYS);
	Tcl_InitHashTable(&tablePtr->byId, TCL_ONE_WORD_KEYS);
	connPtr->subData = tablePtr;
    }
    return tablePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * ListFor --
 *
 *	The index list a rule belongs to: by member when it names one,
 *	else by interface, else the wildcard list.
 *
 * Results:
 *	The list, or NULL when it does not exist and create is 0.
 *
 * Side effects:
 *	May create an empty list in the table.
 *
 *----------------------------------------------------------------------
 */

static SubList *
ListFor(
    DbusSubTable *tablePtr,
    const DbusMatchRule *rulePtr,
    int create)
{
    Tcl_HashTable *hashPtr;
    const char *key;
    Tcl_HashEntry *hPtr;
    SubList *listPtr;
    int isNew;

    if (rulePtr->member != NULL) {
	hashPtr = &tablePtr->byMember;
	key = rulePtr->member;
    } else if (rulePtr->interface != NULL) {
	hashPtr = &tablePtr->byInterface;
	key = rulePtr->interface;
    } else {
	return &tablePtr->any;
    }
    if (!create) {
	hPtr = Tcl_FindHashEntry(hashPtr, key);
	return hPtr ? (SubList *) Tcl_GetHashValue(hPtr) : NULL;
    }
    hPtr = Tcl_CreateHashEntry(hashPtr, key, &isNew);
    if (isNew) {
	listPtr = (SubList *) ckalloc(sizeof(SubList));
	listPtr->firstPtr = listPtr->lastPtr = NULL;
	Tcl_SetHashValue(hPtr, listPtr);
    }
    return (SubList *) Tcl_GetHashValue(hPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSubscribe --
 *
 *	Create a subscription on a connection for signals matching a
 *	rule: it runs script (as {*}script info ?arg ...?) or proc
 *	(proc(clientData, interp, connPtr, msg)) for each signal that
 *	matches, after the subscriptions made before it.  Unless
 *	DBUS_SUB_NOMATCH is in flags the bus gets the rule (type='signal'
 *	added) through the registry, waiting for its answer.
 *
 * Results:
 *	The subscription (owned by the connection: ended by
 *	DbusUnsubscribe, dbus close, the interp's deletion or the
 *	connection's end), or NULL with an error in interp: the
 *	connection is closed ({DBUS CLOSED busId}) or the bus refused the
 *	rule ({DBUS FILTER ...}).
 *
 * Side effects:
 *	Takes ownership of rulePtr in every case (it is freed on error).
 *	The rule's type is set to signal.  A well-known sender name gets
 *	an owner watch.  script's refcount is incremented.
 *
 *----------------------------------------------------------------------
 */

DbusSubscription *
DbusSubscribe(
    Tcl_Interp *interp,		/* owner; errors go here */
    DbusConn *connPtr,
    DbusMatchRule *rulePtr,	/* ownership passes to us */
    int flags,			/* DBUS_FLAG_DETAILS, DBUS_SUB_NOMATCH */
    Tcl_Obj *script,		/* command prefix or NULL */
    DbusMessageProc *proc,	/* used when script is NULL */
    ClientData clientData)	/* for proc; not owned */
{
    DbusSubTable *tablePtr;
    DbusSubscription *subPtr;
    SubList *listPtr;
    Tcl_HashEntry *hPtr;
    int isNew;

    rulePtr->type = DBUS_MESSAGE_TYPE_SIGNAL;
    if (connPtr->flags & (DBUS_CONN_CLOSED | DBUS_CONN_LOST)) {
	DbusMatchFree(rulePtr);
	DbusError(interp, DBUS_EC_CLOSED, Tcl_GetString(connPtr->handleObj),
		NULL, "D-Bus connection is closed");
	return NULL;
    }
    subPtr = (DbusSubscription *) ckalloc(sizeof(DbusSubscription));
    memset(subPtr, 0, sizeof(DbusSubscription));
    subPtr->refCount = 1;
    subPtr->interp = interp;
    subPtr->dataPtr = DbusGetInterpData(interp);
    subPtr->script = script;
    if (script != NULL) {
	Tcl_IncrRefCount(script);
    }
    subPtr->proc = proc;
    subPtr->clientData = clientData;
    subPtr->flags = flags;
    subPtr->rulePtr = rulePtr;

    if (!(flags & DBUS_SUB_NOMATCH)) {
	char *text = DbusMatchString(rulePtr);

	if (text == NULL) {
	    subPtr->interp = NULL;
	    SubRelease(subPtr);
	    DbusNoMemory(interp);
	    return NULL;
	}
	if (DbusBusAddMatch(interp, connPtr, text, 0) != TCL_OK) {
	    dbus_free(text);
	    subPtr->interp = NULL;
	    SubRelease(subPtr);
	    return NULL;
	}
	subPtr->busRule = text;
    }

    /*
     * The connection may have gone while we waited for the bus.
     */

    if (connPtr->flags & DBUS_CONN_CLOSED) {
	subPtr->interp = NULL;
	SubRelease(subPtr);
	DbusError(interp, DBUS_EC_CLOSED, Tcl_GetString(connPtr->handleObj),
		NULL, "D-Bus connection is closed");
	return NULL;
    }
    subPtr->connPtr = connPtr;
    if (rulePtr->sender != NULL && rulePtr->sender[0] != ':'
	    && strcmp(rulePtr->sender, DBUS_SERVICE_DBUS) != 0) {
	subPtr->ownerWatch = DbusBusWatchOwner(connPtr, rulePtr->sender,
		SenderOwnerProc, subPtr);
    }
    tablePtr = GetTable(connPtr, 1);
    subPtr->id = ++tablePtr->nextId;
    hPtr = Tcl_CreateHashEntry(&tablePtr->byId, INT2PTR(subPtr->id),
	    &isNew);
    Tcl_SetHashValue(hPtr, subPtr);
    listPtr = ListFor(tablePtr, rulePtr, 1);
    subPtr->listPtr = listPtr;
    subPtr->prevPtr = listPtr->lastPtr;
    if (listPtr->lastPtr != NULL) {
	listPtr->lastPtr->nextPtr = subPtr;
    } else {
	listPtr->firstPtr = subPtr;
    }
    listPtr->lastPtr = subPtr;
    return subPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * SenderOwnerProc --
 *
 *	Owner callback of a subscription's well-known sender: nothing to
 *	do on a change (the owner is looked up when a signal comes), but
 *	the watch goes away when the connection closes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Forgets the watch when newOwner is NULL.
 *
 *----------------------------------------------------------------------
 */

static void
SenderOwnerProc(
    ClientData clientData,	/* DbusSubscription */
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldOwner,
    Tcl_Obj *newOwner)
{
    DbusSubscription *subPtr = (DbusSubscription *) clientData;

    (void) connPtr;
    (void) nameObj;
    (void) oldOwner;
    if (newOwner == NULL) {
	subPtr->ownerWatch = NULL;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * Unlink --
 *
 *	Take a subscription out of its connection's table and give up
 *	what it holds on the bus (rule, owner watch).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The table's reference is dropped (the record is freed unless a
 *	delivery holds it).  When the connection is open, the last user
 *	of the rule removes it from the bus (not waiting).
 *
 *----------------------------------------------------------------------
 */

static void
Unlink(
    DbusSubscription *subPtr)
{
    DbusConn *connPtr = subPtr->connPtr;
    DbusSubTable *tablePtr;
    SubList *listPtr = subPtr->listPtr;
    Tcl_HashEntry *hPtr;

    if (connPtr == NULL) {
	return;
    }
    tablePtr = GetTable(connPtr, 0);
    if (subPtr->prevPtr != NULL) {
	subPtr->prevPtr->nextPtr = subPtr->nextPtr;
    } else {
	listPtr->firstPtr = subPtr->nextPtr;
    }
    if (subPtr->nextPtr != NULL) {
	subPtr->nextPtr->prevPtr = subPtr->prevPtr;
    } else {
	listPtr->lastPtr = subPtr->prevPtr;
    }
    subPtr->prevPtr = subPtr->nextPtr = NULL;
    subPtr->listPtr = NULL;
    hPtr = Tcl_FindHashEntry(&tablePtr->byId, INT2PTR(subPtr->id));
    if (hPtr != NULL) {
	Tcl_DeleteHashEntry(hPtr);
    }
    if (subPtr->ownerWatch != NULL) {
	DbusBusUnwatchOwner(subPtr->ownerWatch);
	subPtr->ownerWatch = NULL;
    }
    if (subPtr->busRule != NULL && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	DbusBusRemoveMatch(NULL, connPtr, subPtr->busRule,
		DBUS_MATCH_NOWAIT);
    }
    subPtr->connPtr = NULL;
    subPtr->interp = NULL;
    SubRelease(subPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * SubRelease --
 *
 *	Drop one reference to a subscription; free it at zero.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May free the record, its rule, rule text and script reference.
 *
 *----------------------------------------------------------------------
 */

static void
SubRelease(
    DbusSubscription *subPtr)
{
    if (--subPtr->refCount > 0) {
	return;
    }
    if (subPtr->script != NULL) {
	Tcl_DecrRefCount(subPtr->script);
    }
    DbusMatchFree(subPtr->rulePtr);
    dbus_free(subPtr->busRule);
    ckfree((char *) subPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusUnsubscribe --
 *
 *	End a subscription.  Safe from inside any subscription's callback,
 *	its own included: it does not run again, not even for the signal
 *	being delivered.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See Unlink.
 *
 *----------------------------------------------------------------------
 */

void
DbusUnsubscribe(
    DbusSubscription *subPtr)
{
    Unlink(subPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSubscriptionId, DbusSubscriptionClientData, DbusSubscriptionFind --
 *
 *	The id of a subscription; the clientData of its C callback; the
 *	active subscription of interp with an id on a connection.
 *
 * Results:
 *	The id; the clientData; the subscription or NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_WideInt
DbusSubscriptionId(
    DbusSubscription *subPtr)
{
    return subPtr->id;
}

ClientData
DbusSubscriptionClientData(
    DbusSubscription *subPtr)
{
    return subPtr->clientData;
}

DbusSubscription *
DbusSubscriptionFind(
    DbusConn *connPtr,
    Tcl_Interp *interp,
    Tcl_WideInt id)
{
    DbusSubTable *tablePtr = GetTable(connPtr, 0);
    Tcl_HashEntry *hPtr;
    DbusSubscription *subPtr;

    if (tablePtr == NULL || id < 1 || id > tablePtr->nextId) {
	return NULL;
    }
    hPtr = Tcl_FindHashEntry(&tablePtr->byId, INT2PTR(id));
    if (hPtr == NULL) {
	return NULL;
    }
    subPtr = (DbusSubscription *) Tcl_GetHashValue(hPtr);
    return (subPtr->interp == interp) ? subPtr : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSubscriptionsForget --
 *
 *	End every subscription of an interp on a connection (dbus close,
 *	interp deletion, reconnect after a lost bus).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See Unlink.
 *
 *----------------------------------------------------------------------
 */

void
DbusSubscriptionsForget(
    DbusConn *connPtr,
    Tcl_Interp *interp)
{
    DbusSubTable *tablePtr = GetTable(connPtr, 0);
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    if (tablePtr == NULL) {
	return;
    }
    hPtr = Tcl_FirstHashEntry(&tablePtr->byId, &search);
    while (hPtr != NULL) {
	DbusSubscription *subPtr = (DbusSubscription *) Tcl_GetHashValue(hPtr);

	hPtr = Tcl_NextHashEntry(&search);
	if (subPtr->interp == interp) {
	    /*
	     * Unlink deletes only this entry: the search stays valid.
	     */

	    Unlink(subPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSubscriptionsFree --
 *
 *	The connection closes: end every subscription and free the table.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the table and (unless a delivery holds them) the records;
 *	nothing is sent to the bus.
 *
 *----------------------------------------------------------------------
 */

void
DbusSubscriptionsFree(
    DbusConn *connPtr)
{
    DbusSubTable *tablePtr = GetTable(connPtr, 0);
    Tcl_HashTable *tables[2];
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    int i;

    if (tablePtr == NULL) {
	return;
    }
    while ((hPtr = Tcl_FirstHashEntry(&tablePtr->byId, &search)) != NULL) {
	Unlink((DbusSubscription *) Tcl_GetHashValue(hPtr));
    }
    tables[0] = &tablePtr->byMember;
    tables[1] = &tablePtr->byInterface;
    for (i = 0; i < 2; i++) {
	for (hPtr = Tcl_FirstHashEntry(tables[i], &search); hPtr != NULL;
		hPtr = Tcl_NextHashEntry(&search)) {
	    ckfree((char *) Tcl_GetHashValue(hPtr));
	}
	Tcl_DeleteHashTable(tables[i]);
    }
    Tcl_DeleteHashTable(&tablePtr->byId);
    ckfree((char *) tablePtr);
    connPtr->subData = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * RunSubscription --
 *
 *	Run one subscription's script or C callback for a signal.
 *
 * Results:
 *	The completion code; the result is left in the interp.
 *
 * Side effects:
 *	Whatever the script or callback does.
 *
 *----------------------------------------------------------------------
 */

static int
RunSubscription(
    DbusSubscription *subPtr,
    DBusMessage *msg)
{
    if (subPtr->script != NULL) {
	return DbusEvalWith(subPtr->dataPtr, subPtr->script, msg,
		subPtr->flags & DBUS_FLAG_DETAILS);
    }
    return subPtr->proc(subPtr->clientData, subPtr->interp,
	    subPtr->connPtr, msg);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSubscriptionsDeliver --
 *
 *	Run every subscription whose rule a signal matches, in creation
 *	order.  Only the index lists of the signal's member and interface
 *	and the wildcard list are looked at; their subscriptions are
 *	merged by id.  Each one is checked again just before it runs, so
 *	one that an earlier callback removed does not run.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs scripts and callbacks; errors go to bgerror.
 *
 *----------------------------------------------------------------------
 */

void
DbusSubscriptionsDeliver(
    DbusConn *connPtr,
    DbusInFlight *flightPtr)	/* the signal and its path, interface and
				 * member (read once by DbusProcessMessage) */
{
    DbusSubTable *tablePtr = connPtr->subData;
    DbusSubscription *heads[3], *staticList[16], **list = staticList;
    DBusMessage *msg = flightPtr->msg;
    const char *member, *intf;
    Tcl_HashEntry *hPtr;
    int nHeads = 0, n = 0, size = 16, i;

    if (tablePtr == NULL) {
	return;
    }
    member = flightPtr->member;
    intf = flightPtr->intf;
    if (member != NULL
	    && (hPtr = Tcl_FindHashEntry(&tablePtr->byMember, member))) {
	heads[nHeads++] = ((SubList *) Tcl_GetHashValue(hPtr))->firstPtr;
    }
    if (intf != NULL
	    && (hPtr = Tcl_FindHashEntry(&tablePtr->byInterface, intf))) {
	heads[nHeads++] = ((SubList *) Tcl_GetHashValue(hPtr))->firstPtr;
    }
    heads[nHeads++] = tablePtr->any.firstPtr;

    /*
     * Merge the (id-ordered) lists, taking a reference on each entry
     * whose rule matches now.
     */

    while (1) {
	int best = -1, k;
	DbusSubscription *subPtr;

	for (k = 0; k < nHeads; k++) {
	    if (heads[k] != NULL
		    && (best < 0 || heads[k]->id < heads[best]->id)) {
		best = k;
	    }
	}
	if (best < 0) {
	    break;
	}
	subPtr = heads[best];
	heads[best] = subPtr->nextPtr;
	if (n == size) {
	    DbusSubscription **newList = (DbusSubscription **)
		    ckalloc(sizeof(DbusSubscription *) * 2 * size);

	    memcpy(newList, list, sizeof(DbusSubscription *) * n);
	    if (list != staticList) {
		ckfree((char *) list);
	    }
	    list = newList;
	    size *= 2;
	}
	subPtr->refCount++;
	list[n++] = subPtr;
    }

    for (i = 0; i < n; i++) {
	DbusSubscription *subPtr = list[i];
	Tcl_Interp *interp = subPtr->interp;
	const char *owner = NULL;

	if (interp != NULL && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	    if (subPtr->ownerWatch != NULL) {
		Tcl_Obj *ownerObj = DbusBusNameOwner(connPtr,
			subPtr->rulePtr->sender);

		owner = ownerObj ? Tcl_GetString(ownerObj) : NULL;
	    }
	    if (DbusMatchMessage(subPtr->rulePtr, flightPtr, owner)) {
		int code;

		Tcl_Preserve(interp);
		code = RunSubscription(subPtr, msg);
		if (code == TCL_ERROR) {
		    DbusBackgroundError(interp, code, "dbus subscribe script");
		}
		Tcl_ResetResult(interp);
		Tcl_Release(interp);
	    }
	}
	SubRelease(subPtr);
    }
    if (list != staticList) {
	ckfree((char *) list);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMatchFromOptions --
 *
 *	Build a rule from "-key value" words: -sender -interface -member
 *	-path -path_namespace -destination -argN -argNpath
 *	-arg0namespace.  Shared by "dbus subscribe" and "dbus watch"-style
 *	callers; objv[*idxPtr] is the first word to look at, and parsing
 *	stops at the first word that is not one of these options (which
 *	*idxPtr is left on), or at stopAt.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message and errorcode: {TCL ARGUMENT
 *	MISSING} for a missing value; {DBUS INVALID kind value} for a bad
 *	name (kind BUSNAME INTERFACE MEMBER PATH DESTINATION) or a bad
 *	argument key value (MATCH).
 *
 * Side effects:
 *	Adds keys to rulePtr.
 *
 *----------------------------------------------------------------------
 */

int
DbusMatchFromOptions(
    Tcl_Interp *interp,
    DbusMatchRule *rulePtr,
    Tcl_Obj *const objv[],
    int *idxPtr,
    int stopAt)			/* index parsing must not reach */
{
    static const struct {
	const char *name;
	DbusNameKind kind;
	const char *code;
    } keys[] = {
	{"sender", DBUS_NAME_BUS, "BUSNAME"},
	{"interface", DBUS_NAME_INTERFACE, "INTERFACE"},
	{"member", DBUS_NAME_MEMBER, "MEMBER"},
	{"path", DBUS_NAME_PATH, "PATH"},
	{"path_namespace", DBUS_NAME_PATH, "PATH"},
	{"destination", DBUS_NAME_BUS, "DESTINATION"},
	{NULL, DBUS_NAME_PATH, NULL}
    };
    int i;

    for (i = *idxPtr; i < stopAt; i += 2) {
	const char *opt = Tcl_GetString(objv[i]), *value, *err = NULL;
	Tcl_Size keyLen, valueLen;
	int k;

	if (opt[0] != '-') {
	    break;
	}
	opt++;
	keyLen = (Tcl_Size) strlen(opt);
	for (k = 0; keys[k].name != NULL; k++) {
	    if (strcmp(opt, keys[k].name) == 0) {
		break;
	    }
	}
	if (keys[k].name == NULL && strncmp(opt, "arg", 3) != 0) {
	    break;
	}
	if (i + 1 >= stopAt) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "missing value for option \"%s\"", opt - 1));
	    Tcl_SetErrorCode(interp, "TCL", "ARGUMENT", "MISSING", NULL);
	    return TCL_ERROR;
	}
	value = Tcl_GetStringFromObj(objv[i + 1], &valueLen);
	if (keys[k].name != NULL && !DbusValidName(keys[k].kind, value,
		valueLen)) {
	    return DbusError(interp, DBUS_EC_INVALID, keys[k].code, value,
		    "Invalid %s \"%s\"", keys[k].name, value);
	}
	if (!DbusMatchSet(rulePtr, opt, (size_t) keyLen, value,
		(size_t) valueLen, &err)) {
	    if (strcmp(err, "unknown key in match rule") == 0) {
		break;
	    }
	    return DbusError(interp, DBUS_EC_INVALID, "MATCH", value,
		    "%s: %s", opt - 1, err);
	}
    }
    *idxPtr = i;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSubscribeCmd --
 *
 *	dbus subscribe ?busId? ?-sender name? ?-interface name?
 *		?-member name? ?-path path? ?-path_namespace path?
 *		?-destination name? ?-argN value? ?-argNpath path?
 *		?-arg0namespace name? ?-details bool? ?-nomatch bool? script
 *
 * Results:
 *	The subscription id.  Errors: wrong arguments, bad option ({TCL
 *	LOOKUP INDEX option name}), bad values ({DBUS INVALID ...}), an
 *	empty script ({DBUS USAGE SCRIPT}), unknown or unconnected busId,
 *	closed connection, rule refused by the bus.
 *
 * Side effects:
 *	Creates a subscription (see DbusSubscribe).
 *
 *----------------------------------------------------------------------
 */

int
DbusSubscribeCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    Tcl_Obj *busObj;
    DbusMatchRule *rulePtr;
    DbusSubscription *subPtr;
    DbusConn *connPtr;
    int i = 1, flags = 0;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 1);
    rulePtr = DbusMatchNew();
    if (rulePtr == NULL) {
	return DbusNoMemory(interp);
    }
    while (i < objc - 1) {
	const char *opt = Tcl_GetString(objv[i]);
	int start = i, value;

	if (strcmp(opt, "--") == 0) {
	    i++;
	    break;
	}
	if (opt[0] != '-') {
	    break;
	}
	if (strcmp(opt, "-details") == 0 || strcmp(opt, "-nomatch") == 0) {
	    if (i + 1 >= objc - 1) {
		Tcl_SetObjResult(interp, Tcl_ObjPrintf(
			"missing value for option \"%s\"", opt));
		Tcl_SetErrorCode(interp, "TCL", "ARGUMENT", "MISSING", NULL);
		goto error;
	    }
	    if (Tcl_GetBooleanFromObj(interp, objv[i + 1], &value)
		    != TCL_OK) {
		goto error;
	    }
	    if (value) {
		flags |= (opt[1] == 'd') ? DBUS_FLAG_DETAILS
			: DBUS_SUB_NOMATCH;
	    } else {
		flags &= ~((opt[1] == 'd') ? DBUS_FLAG_DETAILS
			: DBUS_SUB_NOMATCH);
	    }
	    i += 2;
	    continue;
	}
	if (DbusMatchFromOptions(interp, rulePtr, objv, &i, objc - 1)
		!= TCL_OK) {
	    goto error;
	}
	if (i == start) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("bad option \"%s\": must "
		    "be -sender, -interface, -member, -path, -path_namespace, "
		    "-destination, -argN, -argNpath, -arg0namespace, -details "
		    "or -nomatch", opt));
	    Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option", opt,
		    NULL);
	    goto error;
	}
    }
    if (i != objc - 1) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?-option value ...? script");
	goto error;
    }
    if (DbusIsEmpty(objv[i])) {
	DbusError(interp, DBUS_EC_USAGE, "SCRIPT", NULL,
		"the script must not be empty");
	goto error;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	goto error;
    }
    subPtr = DbusSubscribe(interp, connPtr, rulePtr, flags, objv[i], NULL,
	    NULL);
    if (subPtr == NULL) {
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, Tcl_NewWideIntObj(DbusSubscriptionId(subPtr)));
    return TCL_OK;

  error:
    DbusMatchFree(rulePtr);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusUnsubscribeCmd --
 *
 *	dbus unsubscribe ?busId? id
 *
 * Results:
 *	1 when this interp had a subscription with that id on the
 *	connection (it is ended), else 0.  Errors: wrong arguments, an id
 *	that is not an integer ({DBUS INVALID SUBSCRIPTION id}), unknown
 *	or unconnected busId.
 *
 * Side effects:
 *	See DbusUnsubscribe.
 *
 *----------------------------------------------------------------------
 */

int
DbusUnsubscribeCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    DbusSubscription *subPtr;
    Tcl_WideInt id;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? id");
	return TCL_ERROR;
    }
    if (Tcl_GetWideIntFromObj(NULL, objv[objc - 1], &id) != TCL_OK) {
	return DbusError(interp, DBUS_EC_INVALID, "SUBSCRIPTION",
		Tcl_GetString(objv[objc - 1]), "Invalid subscription id");
    }
    if (DbusGetConn(interp, objc == 3 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    subPtr = DbusSubscriptionFind(connPtr, interp, id);

    /*
     * Only subscriptions made by "dbus subscribe" (those with a script)
     * are the script's to end: the C ones of dbus name -acquired/-lost and
     * dbif listen filters keep pointers to their records.
     */

    if (subPtr != NULL && subPtr->script == NULL) {
	subPtr = NULL;
    }
    if (subPtr != NULL) {
	DbusUnsubscribe(subPtr);
    }
    Tcl_SetObjResult(interp, Tcl_NewBooleanObj(subPtr != NULL));
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
