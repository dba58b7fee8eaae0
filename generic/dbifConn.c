/*
 * dbifConn.c --
 *
 *	dbif and its buses (reference 4.0; DECISIONS rule 20):
 *	"dbif connect" and "dbif default", the -bus values they and every
 *	other subcommand accept, and the connection behind a bus value or
 *	a stored handle, found in the core's per-interp record.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"
#include <ctype.h>

/*
 *----------------------------------------------------------------------
 *
 * ValidBusSpec --
 *
 *	Is a -bus value a standard bus, a dbusN handle or a single D-Bus
 *	address "transport:key=value,..." (reference 4.0)?
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
ValidBusSpec(
    const char *s)
{
    const char *p, *item;

    if (!strcmp(s, "session") || !strcmp(s, "system")
	    || !strcmp(s, "starter")) {
	return 1;
    }
    if (strncmp(s, "dbus", 4) == 0 && s[4] != '\0') {
	for (p = s + 4; *p >= '0' && *p <= '9'; p++) {
	}
	if (*p == '\0') {
	    return 1;
	}
    }
    for (p = s; *p >= 'a' && *p <= 'z'; p++) {
    }
    if (p == s || *p != ':') {
	return 0;
    }
    item = ++p;
    for (;;) {
	int eq = 0;

	for (; *p != ',' && *p != '\0'; p++) {
	    char c = *p;

	    if (c == '=') {
		eq++;
	    } else if (c == '%') {
		if (!isxdigit((unsigned char) p[1])
			|| !isxdigit((unsigned char) p[2])) {
		    return 0;
		}
		p += 2;
	    } else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		    || (c >= '0' && c <= '9') || strchr("_/.\\-~", c))) {
		return 0;
	    }
	}
	if (eq != 1 && !(p == item && *p == '\0')) {
	    return 0;
	}
	if (*p == '\0') {
	    return 1;
	}
	item = ++p;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * CheckBusSpec --
 *
 *	ValidBusSpec with the error of connect, default and every -bus
 *	option.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR 'Invalid bus: "X".' {DBUS INVALID BUS X}.
 *
 * Side effects:
 *	None on success.
 *
 *----------------------------------------------------------------------
 */

static int
CheckBusSpec(
    Tcl_Interp *interp,
    Tcl_Obj *busObj)
{
    const char *spec = Tcl_GetString(busObj);

    if (ValidBusSpec(spec)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID, "BUS", spec,
	    "Invalid bus: \"%s\".", spec);
}

/*
 *----------------------------------------------------------------------
 *
 * FindConn --
 *
 *	The connection this interp has under a handle, without touching
 *	the interp result.  Reads the core's record through
 *	dataPtr->coreData: while the interp is being deleted its AssocData
 *	can no longer be looked up.
 *
 * Results:
 *	1 with *connPtrPtr set, or 0 (always 0 once dataPtr->dying).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
FindConn(
    DbifData *dataPtr,
    Tcl_Obj *handle,
    DbusConn **connPtrPtr)
{
    if (dataPtr->dying) {
	return 0;
    }
    *connPtrPtr = DbusInterpConn(dataPtr->coreData, Tcl_GetString(handle));
    return *connPtrPtr != NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifResolveBus --
 *
 *	Turn a -bus value (NULL: the default) into this interp's handle and
 *	connection.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR: 'Invalid bus: "X".' {DBUS INVALID BUS X},
 *	"not connected" {DBUS NOTCONNECTED X}.
 *
 * Side effects:
 *	*handlePtr is borrowed from the connection record.
 *
 *----------------------------------------------------------------------
 */

int
DbifResolveBus(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    Tcl_Obj *busObj,
    Tcl_Obj **handlePtr,	/* out: borrowed handle object */
    DbusConn **connPtrPtr)	/* out; may be NULL */
{
    const char *spec;
    Tcl_HashEntry *hPtr;
    DbusConn *connPtr;

    if (busObj == NULL) {
	busObj = dataPtr->defaultBus;
    }
    if (CheckBusSpec(interp, busObj) != TCL_OK) {
	return TCL_ERROR;
    }
    spec = Tcl_GetString(busObj);
    hPtr = Tcl_FindHashEntry(&dataPtr->buses, spec);
    if (!FindConn(dataPtr, hPtr ? (Tcl_Obj *) Tcl_GetHashValue(hPtr)
	    : busObj, &connPtr)) {
	return DbusError(interp, DBUS_EC_NOTCONN, spec, NULL,
		"not connected");
    }
    *handlePtr = DbusConnHandle(connPtr);
    if (connPtrPtr != NULL) {
	*connPtrPtr = connPtr;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifHandleOf --
 *
 *	The handle definitions on a bus are filed under, also while that
 *	bus is not connected: the handle it had (dbif connect remembers
 *	it), or for session, system and starter the name itself, which is
 *	always their handle.  Lets definitions that need no connection
 *	(dbif signal, dbif delete) work before dbif connect, as the
 *	snippet that turns PropertiesChanged off is printed in dbif.n.
 *
 * Results:
 *	TCL_OK with *handlePtr (borrowed), or TCL_ERROR as DbifResolveBus
 *	(an address or dbusN this interp never connected: "not
 *	connected").
 *
 * Side effects:
 *	Resets interp's result when the handle comes from the remembered buses
 *	or a standard name.
 *
 *----------------------------------------------------------------------
 */

int
DbifHandleOf(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    Tcl_Obj *busObj,		/* NULL: the default bus */
    Tcl_Obj **handlePtr)	/* out: borrowed */
{
    const char *spec;
    Tcl_HashEntry *hPtr;

    if (busObj == NULL) {
	busObj = dataPtr->defaultBus;
    }
    if (DbifResolveBus(interp, dataPtr, busObj, handlePtr, NULL) == TCL_OK) {
	return TCL_OK;
    }
    spec = Tcl_GetString(busObj);
    if (!ValidBusSpec(spec)) {
	return TCL_ERROR;
    }
    hPtr = Tcl_FindHashEntry(&dataPtr->buses, spec);
    if (hPtr != NULL) {
	*handlePtr = (Tcl_Obj *) Tcl_GetHashValue(hPtr);
    } else if (strcmp(spec, "session") == 0 || strcmp(spec, "system") == 0
	    || strcmp(spec, "starter") == 0) {
	*handlePtr = busObj;
    } else {
	return TCL_ERROR;
    }
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifConnOfHandle --
 *
 *	The connection behind a stored handle.
 *
 * Results:
 *	The connection, or NULL (closed since, or the interp is dying).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DbusConn *
DbifConnOfHandle(
    DbifData *dataPtr,
    Tcl_Obj *handle)
{
    DbusConn *connPtr;

    if (!FindConn(dataPtr, handle, &connPtr)
	    || (DbusConnFlags(connPtr) & DBUS_CONN_CLOSED)) {
	return NULL;
    }
    return connPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * RequestName --
 *
 *	One name of "dbif connect": with -acquired / -lost scripts (empty
 *	ones count as none) they are registered with the core first
 *	(dbusNameWatch.c) and kept unless the request failed or the name
 *	exists; owning it already counts as owned.
 *
 * Results:
 *	As DbusBusRequestName without DBUS_NAME_STRICT: the outcome word
 *	or the bus's refusal in the interp result.
 *
 * Side effects:
 *	RequestName; may register name scripts.
 *
 *----------------------------------------------------------------------
 */

static int
RequestName(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    unsigned int flags,
    Tcl_Obj *acquired,		/* script or NULL */
    Tcl_Obj *lost)		/* script or NULL */
{
    const char *name = Tcl_GetString(nameObj), *outcome;
    int code;

    if (acquired != NULL && DbusIsEmpty(acquired)) {
	acquired = NULL;
    }
    if (lost != NULL && DbusIsEmpty(lost)) {
	lost = NULL;
    }
    if (acquired == NULL && lost == NULL) {
	return DbusBusRequestName(interp, connPtr, nameObj, flags, 0);
    }
    if (DbusNameCallbacks(interp, connPtr, nameObj, acquired, lost)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    code = DbusBusRequestName(interp, connPtr, nameObj, flags, 0);
    outcome = Tcl_GetString(Tcl_GetObjResult(interp));
    if (code != TCL_OK || strcmp(outcome, "exists") == 0) {
	DbusNameCallbacksRemove(connPtr, interp, name);
    } else if (strcmp(outcome, "owner") == 0) {
	DbusNameCallbacksOwned(connPtr, interp, name);
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * CheckNames --
 *
 *	The names of "dbif connect" must be valid well-known bus names.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR 'Invalid bus name: "X".'
 *	{DBUS INVALID BUSNAME X}.
 *
 * Side effects:
 *	None on success.
 *
 *----------------------------------------------------------------------
 */

static int
CheckNames(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    int k;

    for (k = 0; k < objc; k++) {
	Tcl_Size len;
	const char *s = Tcl_GetStringFromObj(objv[k], &len);

	if (!DbusValidName(DBUS_NAME_BUS, s, len) || s[0] == ':') {
	    return DbusError(interp, DBUS_EC_INVALID, "BUSNAME", s,
		    "Invalid bus name: \"%s\".", s);
	}
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ConnectBus --
 *
 *	The connection "dbif connect" works on: the one this interp has
 *	for the -bus value when it is still alive, else a new one
 *	(DbusConnect).  The -bus value is remembered with the connection's
 *	handle in dataPtr->buses, and everything dbif has for the bus is
 *	served on the connection (DbifRevive).  A lost connection that
 *	the new one replaces under another handle (a bus given by
 *	address) is closed for this interp.
 *
 * Results:
 *	TCL_OK with *connPtrPtr and *freshPtr (1 when dbif had not set the
 *	connection up before: the remembered names are to be requested),
 *	or TCL_ERROR (connection failure).
 *
 * Side effects:
 *	May open a connection and close a lost one; updates dataPtr->buses
 *	(holding a reference to the handle); see DbifRevive.
 *
 *----------------------------------------------------------------------
 */

static int
ConnectBus(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    Tcl_Obj *busObj,		/* a checked -bus value */
    DbusConn **connPtrPtr,	/* out */
    int *freshPtr)		/* out */
{
    Tcl_HashEntry *hPtr;
    Tcl_Obj *oldHandle = NULL;
    DbusConn *connPtr = NULL, *oldPtr = NULL, *nowPtr;
    int isNew;

    hPtr = Tcl_FindHashEntry(&dataPtr->buses, Tcl_GetString(busObj));
    if (hPtr != NULL) {
	oldHandle = (Tcl_Obj *) Tcl_GetHashValue(hPtr);
	Tcl_IncrRefCount(oldHandle);
	if (FindConn(dataPtr, oldHandle, &oldPtr)) {
	    Tcl_Preserve(oldPtr);
	} else {
	    oldPtr = NULL;
	}
    }
    if (oldPtr != NULL && !(DbusConnFlags(oldPtr) & DBUS_CONN_LOST)) {
	connPtr = oldPtr;
    } else if (DbusConnect(interp, busObj, &connPtr) != TCL_OK) {
	connPtr = NULL;
	goto done;
    }
    *freshPtr = !DbifServes(dataPtr, connPtr);
    hPtr = Tcl_CreateHashEntry(&dataPtr->buses, Tcl_GetString(busObj),
	    &isNew);
    if (!isNew) {
	Tcl_DecrRefCount((Tcl_Obj *) Tcl_GetHashValue(hPtr));
    }
    Tcl_SetHashValue(hPtr, DbusConnHandle(connPtr));
    Tcl_IncrRefCount(DbusConnHandle(connPtr));
    DbifRevive(dataPtr, oldHandle ? Tcl_GetString(oldHandle) : NULL,
	    connPtr);
    if (oldPtr != NULL && oldPtr != connPtr
	    && FindConn(dataPtr, oldHandle, &nowPtr) && nowPtr == oldPtr) {
	DbusDisconnect(interp, oldPtr);
    }
    *connPtrPtr = connPtr;

  done:
    if (oldPtr != NULL) {
	Tcl_Release(oldPtr);
    }
    if (oldHandle != NULL) {
	Tcl_DecrRefCount(oldHandle);
    }
    return connPtr ? TCL_OK : TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * RequestOne --
 *
 *	Request one name of "dbif connect" (RequestName) and collect the
 *	outcome.  The first name the connection becomes primary owner of
 *	that is also a valid interface name becomes the default
 *	interface, with the connection as default bus, unless a default
 *	interface was chosen already (rule 20).  A granted or queued name
 *	is remembered for the bus with its flags and scripts, to be
 *	requested again on a new connection; one that exists is
 *	forgotten; a failed request (the bus refused, the connection is
 *	gone) changes nothing.
 *
 * Results:
 *	None; the interp result is reset.
 *
 * Side effects:
 *	Appends nameObj to resultPtr when owned, puts name -> outcome (or
 *	the bus's refusal) into namesPtr; may change the defaults; see
 *	DbifNameRemember.
 *
 *----------------------------------------------------------------------
 */

static void
RequestOne(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    unsigned int flags,
    Tcl_Obj *acquired,		/* script or NULL */
    Tcl_Obj *lost,		/* script or NULL */
    Tcl_Obj *resultPtr,		/* list, appended to */
    Tcl_Obj *namesPtr)		/* dict, added to */
{
    const char *name = Tcl_GetString(nameObj), *outcome;
    Tcl_Obj *entry[3];
    int code;

    /*
     * The outcome word, or the bus's refusal, is the interp result.
     */

    code = RequestName(interp, connPtr, nameObj, flags, acquired, lost);
    Tcl_DictObjPut(NULL, namesPtr, nameObj, Tcl_GetObjResult(interp));
    outcome = Tcl_GetString(Tcl_GetObjResult(interp));
    if (code == TCL_OK && (strcmp(outcome, "primary") == 0
	    || strcmp(outcome, "owner") == 0)) {
	Tcl_ListObjAppendElement(NULL, resultPtr, nameObj);
	if (strcmp(Tcl_GetString(dataPtr->defaultIntf),
		DBIF_DEFAULT_INTERFACE) == 0
		&& DbusValidName(DBUS_NAME_INTERFACE, name, -1)) {
	    Tcl_DecrRefCount(dataPtr->defaultIntf);
	    dataPtr->defaultIntf = nameObj;
	    Tcl_IncrRefCount(dataPtr->defaultIntf);
	    Tcl_DecrRefCount(dataPtr->defaultBus);
	    dataPtr->defaultBus = DbusConnHandle(connPtr);
	    Tcl_IncrRefCount(dataPtr->defaultBus);
	}
    }
    if (code == TCL_OK && strcmp(outcome, "exists") == 0) {
	DbifNameRemember(dataPtr, DbusConnHandle(connPtr), nameObj, NULL);
    } else if (code == TCL_OK) {
	entry[0] = Tcl_NewWideIntObj((Tcl_WideInt) flags);
	entry[1] = acquired ? acquired : Tcl_NewObj();
	entry[2] = lost ? lost : Tcl_NewObj();
	DbifNameRemember(dataPtr, DbusConnHandle(connPtr), nameObj,
		Tcl_NewListObj(3, entry));
    }
    Tcl_ResetResult(interp);
}

/*
 *----------------------------------------------------------------------
 *
 * RequestNames --
 *
 *	Request the names of "dbif connect" (RequestOne each).  On a
 *	connection new to dbif the names remembered for the bus come
 *	first, each with the flags and scripts of its last request,
 *	except those given again now.
 *
 * Results:
 *	None; the interp result is reset.
 *
 * Side effects:
 *	See RequestOne.
 *
 *----------------------------------------------------------------------
 */

static void
RequestNames(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    DbusConn *connPtr,
    int fresh,			/* request the remembered names too */
    int objc,
    Tcl_Obj *const objv[],	/* the names */
    unsigned int flags,
    Tcl_Obj *acquired,		/* script or NULL */
    Tcl_Obj *lost,		/* script or NULL */
    Tcl_Obj *resultPtr,		/* list, appended to */
    Tcl_Obj *namesPtr)		/* dict, added to */
{
    Tcl_Obj *known = fresh ? DbifNamesOf(dataPtr, DbusConnHandle(connPtr))
	    : NULL, **e, *nameObj, *entryObj;
    Tcl_DictSearch search;
    Tcl_WideInt f;
    Tcl_Size n;
    int k, done;

    if (known != NULL) {
	known = Tcl_DuplicateObj(known);	/* RequestOne changes it */
	Tcl_IncrRefCount(known);
	Tcl_DictObjFirst(NULL, known, &search, &nameObj, &entryObj, &done);
	for (; !done; Tcl_DictObjNext(&search, &nameObj, &entryObj, &done)) {
	    for (k = 0; k < objc; k++) {
		if (strcmp(Tcl_GetString(objv[k]), Tcl_GetString(nameObj))
			== 0) {
		    break;
		}
	    }
	    if (k < objc || Tcl_ListObjGetElements(NULL, entryObj, &n, &e)
		    != TCL_OK || n != 3
		    || Tcl_GetWideIntFromObj(NULL, e[0], &f) != TCL_OK) {
		continue;
	    }
	    RequestOne(interp, dataPtr, connPtr, nameObj, (unsigned int) f,
		    e[1], e[2], resultPtr, namesPtr);
	}
	Tcl_DictObjDone(&search);
	Tcl_DecrRefCount(known);
    }
    for (k = 0; k < objc; k++) {
	RequestOne(interp, dataPtr, connPtr, objv[k], flags, acquired, lost,
		resultPtr, namesPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ConnectResult --
 *
 *	The result of "dbif connect": the list of owned names, with the
 *	return options -bus (the handle) and -names (outcome per name).
 *
 * Results:
 *	TCL_OK.
 *
 * Side effects:
 *	Sets the interp result and return options; takes resultPtr and
 *	namesPtr (new objects).
 *
 *----------------------------------------------------------------------
 */

static int
ConnectResult(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *resultPtr,
    Tcl_Obj *namesPtr)
{
    Tcl_Obj *optsPtr = Tcl_NewListObj(0, NULL);
    int code;

    Tcl_ListObjAppendElement(NULL, optsPtr, Tcl_NewStringObj("-code", 5));
    Tcl_ListObjAppendElement(NULL, optsPtr, Tcl_NewIntObj(0));
    Tcl_ListObjAppendElement(NULL, optsPtr, Tcl_NewStringObj("-level", 6));
    Tcl_ListObjAppendElement(NULL, optsPtr, Tcl_NewIntObj(0));
    Tcl_ListObjAppendElement(NULL, optsPtr, Tcl_NewStringObj("-bus", 4));
    Tcl_ListObjAppendElement(NULL, optsPtr, DbusConnHandle(connPtr));
    Tcl_ListObjAppendElement(NULL, optsPtr, Tcl_NewStringObj("-names", 6));
    Tcl_ListObjAppendElement(NULL, optsPtr, namesPtr);
    Tcl_IncrRefCount(optsPtr);
    Tcl_SetObjResult(interp, resultPtr);
    code = Tcl_SetReturnOptions(interp, optsPtr);
    Tcl_DecrRefCount(optsPtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifConnectCmd --
 *
 *	dbif connect ?-bus bus? ?-noqueue? ?-replace? ?-yield?
 *		?-acquired script? ?-lost script? ?name ...?
 *	Returns the names this connection is primary owner of; return
 *	options -bus (handle) and -names (outcome per name, rule 20).
 *	-acquired / -lost follow each name as "dbus name" does (E2): the
 *	scripts are registered before the request and dropped when it
 *	fails or the name exists.  On a new connection of a bus that was
 *	lost or closed everything dbif has for the bus is served again and
 *	the names requested before are requested again (dbifRevive.c).
 *
 * Results:
 *	TCL_OK with the list and the return options, or TCL_ERROR: bad
 *	arguments ({TCL WRONGARGS}, {DBUS INVALID BUS|BUSNAME value}), a
 *	connection failure ({DBUS CONNECT ...}).
 *
 * Side effects:
 *	May open the connection and serve the bus's definitions on it
 *	(ConnectBus); requests the names (RequestNames), remembering them
 *	for the bus; may change the default bus and interface.
 *
 *----------------------------------------------------------------------
 */

int
DbifConnectCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {
	{"-bus", 1}, {"-noqueue", 0}, {"-replace", 0}, {"-yield", 0},
	{"-acquired", 1}, {"-lost", 1}, {NULL, 0}
    };
    enum { C_BUS, C_NOQUEUE, C_REPLACE, C_YIELD, C_ACQUIRED, C_LOST };
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    Tcl_Obj *busObj, *resultPtr, *namesPtr;
    DbusConn *connPtr = NULL;
    unsigned int flags = 0;
    int i = 1, code, fresh = 0;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    busObj = values[C_BUS] ? values[C_BUS]
	    : Tcl_NewStringObj(DBUS_DEFAULT_BUS, -1);
    Tcl_IncrRefCount(busObj);
    code = CheckBusSpec(interp, busObj);
    if (code == TCL_OK) {
	code = CheckNames(interp, objc - i, objv + i);
    }
    if (code == TCL_OK) {
	code = ConnectBus(interp, dataPtr, busObj, &connPtr, &fresh);
    }
    Tcl_DecrRefCount(busObj);
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    if (values[C_NOQUEUE]) {
	flags |= DBUS_NAME_FLAG_DO_NOT_QUEUE;
    }
    if (values[C_REPLACE]) {
	flags |= DBUS_NAME_FLAG_REPLACE_EXISTING;
    }
    if (values[C_YIELD]) {
	flags |= DBUS_NAME_FLAG_ALLOW_REPLACEMENT;
    }
    resultPtr = Tcl_NewListObj(0, NULL);
    namesPtr = Tcl_NewDictObj();
    RequestNames(interp, dataPtr, connPtr, fresh, objc - i, objv + i, flags,
	    values[C_ACQUIRED], values[C_LOST], resultPtr, namesPtr);
    return ConnectResult(interp, connPtr, resultPtr, namesPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifDefaultCmd --
 *
 *	dbif default ?-bus bus? ?-interface interface?
 *
 * Results:
 *	TCL_OK with the list -bus b -interface i of the (new) defaults, or
 *	TCL_ERROR for a bad value.
 *
 * Side effects:
 *	Sets the interp's dbif defaults.
 *
 *----------------------------------------------------------------------
 */

int
DbifDefaultCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[2] = {NULL, NULL}, *resPtr;
    int i = 1;

    (void) clientData;
    if (DbifParseOptions(interp, dbifBusIntfOpts, objc, objv, &i, values)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (i != objc) {
	return DbifWrongArgs(interp,
		"default ?-bus bustype? ?-interface interface?");
    }
    if ((values[DBIF_O_BUS]
	    && CheckBusSpec(interp, values[DBIF_O_BUS]) != TCL_OK)
	    || (values[DBIF_O_INTF]
	    && DbifCheckInterface(interp, values[DBIF_O_INTF]) != TCL_OK)) {
	return TCL_ERROR;
    }
    if (values[DBIF_O_BUS]) {
	Tcl_IncrRefCount(values[DBIF_O_BUS]);
	Tcl_DecrRefCount(dataPtr->defaultBus);
	dataPtr->defaultBus = values[DBIF_O_BUS];
    }
    if (values[DBIF_O_INTF]) {
	Tcl_IncrRefCount(values[DBIF_O_INTF]);
	Tcl_DecrRefCount(dataPtr->defaultIntf);
	dataPtr->defaultIntf = values[DBIF_O_INTF];
    }
    resPtr = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, resPtr, Tcl_NewStringObj("-bus", 4));
    Tcl_ListObjAppendElement(NULL, resPtr, dataPtr->defaultBus);
    Tcl_ListObjAppendElement(NULL, resPtr, Tcl_NewStringObj("-interface",
	    10));
    Tcl_ListObjAppendElement(NULL, resPtr, dataPtr->defaultIntf);
    Tcl_SetObjResult(interp, resPtr);
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
