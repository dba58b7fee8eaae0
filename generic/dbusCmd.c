/*
 * dbusCmd.c --
 *
 *	The table that assembles the "dbus" ensemble, the argument plumbing
 *	shared by several subcommands (the optional busId, empty values,
 *	serials, destinations), and the subcommands about the connection
 *	and the bus: connect, close, flush, name, release, filter, info,
 *	validate.  The other subcommands live by concern: call and cancel in
 *	dbusCallCmd.c; return, error and signal in dbusSendCmd.c; listen,
 *	method, unknown and monitor in dbusHandlerCmd.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbusIsEmpty --
 *
 *	Is a value the empty string?  Unlike Tcl_GetCharLength this keeps
 *	the object's internal representation (a handler script stays a
 *	list and is not parsed again for every message).
 *
 * Results:
 *	1 when the value's string is empty, else 0.
 *
 * Side effects:
 *	May generate the string representation; the internal one is kept.
 *
 *----------------------------------------------------------------------
 */

int
DbusIsEmpty(
    Tcl_Obj *objPtr)
{
    Tcl_Size len;

    (void) Tcl_GetStringFromObj(objPtr, &len);
    return len == 0;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusGetSerial --
 *
 *	Parse an unsigned 32-bit serial (1..4294967295).
 *
 * Results:
 *	TCL_OK with *serialPtr set, or TCL_ERROR with "Invalid serial" {DBUS
 *	INVALID SERIAL value}.
 *
 * Side effects:
 *	May shimmer objPtr to an integer.
 *
 *----------------------------------------------------------------------
 */

int
DbusGetSerial(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    dbus_uint32_t *serialPtr)
{
    Tcl_WideInt w;

    if (Tcl_GetWideIntFromObj(NULL, objPtr, &w) != TCL_OK || w < 1
	    || w > 0xFFFFFFFFLL) {
	return DbusError(interp, DBUS_EC_INVALID, "SERIAL",
		Tcl_GetString(objPtr), "Invalid serial");
    }
    *serialPtr = (dbus_uint32_t) w;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCheckDest --
 *
 *	Check a destination bus name (call, signal -dest, return, error).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with "Invalid destination" and errorcode
 *	{DBUS INVALID DESTINATION value}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusCheckDest(
    Tcl_Interp *interp,
    Tcl_Obj *destObj)
{
    if (DbusValidNameObj(destObj, DBUS_NAME_BUS)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID, "DESTINATION",
	    Tcl_GetString(destObj), "Invalid destination");
}

/*
 *----------------------------------------------------------------------
 *
 * DbusOptionAt --
 *
 *	The option loops of the subcommands end alike: at a word that does
 *	not start with "-", or after "--".  Is objv[*idxPtr] an option?
 *
 * Results:
 *	The option's text (owned by objv[*idxPtr]), or NULL when the
 *	options end at this word.
 *
 * Side effects:
 *	Steps *idxPtr past a "--".
 *
 *----------------------------------------------------------------------
 */

const char *
DbusOptionAt(
    Tcl_Obj *const objv[],
    int *idxPtr)		/* in/out */
{
    const char *s = Tcl_GetString(objv[*idxPtr]);

    if (s[0] != '-') {
	return NULL;
    }
    if (strcmp(s, "--") == 0) {
	(*idxPtr)++;
	return NULL;
    }
    return s;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCheckTarget --
 *
 *	Check the path, interface and member of a call or signal, at
 *	objv[0..2], and its destination when one is given.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with "Invalid path" {DBUS INVALID PATH p},
 *	"Invalid interface name" {DBUS INVALID INTERFACE i}, memberMsg
 *	{DBUS INVALID MEMBER m}, "Invalid destination" {DBUS INVALID
 *	DESTINATION d}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusCheckTarget(
    Tcl_Interp *interp,
    Tcl_Obj *const objv[],	/* path interface member */
    const char *memberMsg,	/* "Invalid method", "Invalid member" */
    Tcl_Obj *destObj)		/* or NULL */
{
    if (DbusCheckName(interp, DBUS_NAME_PATH, objv[0], "Invalid path")
	    != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_INTERFACE, objv[1],
		"Invalid interface name") != TCL_OK
	    || DbusCheckName(interp, DBUS_NAME_MEMBER, objv[2], memberMsg)
		!= TCL_OK
	    || (destObj != NULL && DbusCheckDest(interp, destObj) != TCL_OK)) {
	return TCL_ERROR;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * FlushCmd --
 *
 *	dbus flush ?busId?
 *
 *	Block until libdbus has written every queued outgoing message.
 *
 * Results:
 *	Empty.  Errors: {DBUS CLOSED busId} on a lost or closed
 *	connection, unknown or unconnected busId.
 *
 * Side effects:
 *	Writes to the socket; incoming data may be read and queued.
 *
 *----------------------------------------------------------------------
 */

static int
FlushCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;

    (void) clientData;
    if (objc > 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId?");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, objc == 2 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if ((connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED))
	    || !dbus_connection_get_is_connected(connPtr->conn)) {
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    dbus_connection_flush(connPtr->conn);
    DbusConnCheckQueue(connPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * CloseCmd --
 *
 *	dbus close ?busId?
 *
 * Results:
 *	TCL_OK with an empty result, also for a busId that is not connected; a
 *	wrong number of arguments is TCL_ERROR.
 *
 * Side effects:
 *	The interp lets go of the connection (DbusDisconnect: its handlers,
 *	name callbacks and subscriptions on it are forgotten; the connection
 *	is closed when this was its last interp), or of the server serverId
 *	(DbusServerSubcommand).
 *
 *----------------------------------------------------------------------
 */

static int
CloseCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    int code;

    (void) clientData;
    if (objc > 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId?");
	return TCL_ERROR;
    }
    if (objc == 2 && DbusServerSubcommand(interp, objv[1], NULL, &code)) {
	return code;
    }
    if (DbusGetConn(interp, objc == 2 ? objv[1] : NULL, &connPtr)
	    == TCL_OK) {
	DbusDisconnect(interp, connPtr);
    }
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ConnectCmd --
 *
 *	dbus connect ?busId-or-address?
 *	dbus connect -peer address
 *
 * Results:
 *	TCL_OK with the handle (session, system, starter or dbusN) as result,
 *	or TCL_ERROR ({DBUS CONNECT ...}, {DBUS BUSID ...}, wrong # args).
 *
 * Side effects:
 *	May open a connection (DbusConnect, DbusConnectPeer); the interp is
 *	attached to it.
 *
 *----------------------------------------------------------------------
 */

static int
ConnectCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    int code;

    (void) clientData;
    if (objc == 3 && strcmp(Tcl_GetString(objv[1]), "-peer") == 0) {
	code = DbusConnectPeer(interp, objv[2], &connPtr);
    } else if (objc > 2 || (objc == 2
	    && strcmp(Tcl_GetString(objv[1]), "-peer") == 0)) {
	Tcl_WrongNumArgs(interp, 1, objv, "?-peer? ?busId?");
	return TCL_ERROR;
    } else {
	code = DbusConnect(interp, objc == 2 ? objv[1] : NULL, &connPtr);
    }
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, connPtr->handleObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * RequestWithCallbacks --
 *
 *	"dbus name" with -acquired / -lost: the scripts are registered
 *	before the request (the bus says NameAcquired before it answers).
 *	Being queued or owning the name already is not an error here: the
 *	scripts report what happens (owning it already counts as primary
 *	ownership, without running -acquired).  "Name exists" (-noqueue)
 *	and other failures are errors as without scripts, and the scripts
 *	are dropped.
 *
 * Results:
 *	TCL_OK with an empty result, or TCL_ERROR.
 *
 * Side effects:
 *	RequestName; a name registration (dbusNameWatch.c).
 *
 *----------------------------------------------------------------------
 */

static int
RequestWithCallbacks(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    unsigned int flags,
    Tcl_Obj *acquired,
    Tcl_Obj *lost)
{
    const char *outcome;

    if (DbusNameCallbacks(interp, connPtr, nameObj, acquired, lost)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (DbusBusRequestName(interp, connPtr, nameObj, flags, 0) != TCL_OK) {
	DbusNameCallbacksRemove(connPtr, interp, Tcl_GetString(nameObj));
	return TCL_ERROR;
    }
    outcome = Tcl_GetString(Tcl_GetObjResult(interp));
    if (strcmp(outcome, "exists") == 0) {
	DbusNameCallbacksRemove(connPtr, interp, Tcl_GetString(nameObj));
	return DbusError(interp, DBUS_EC_NAME, "EXISTS",
		Tcl_GetString(nameObj), "Name exists");
    }
    if (strcmp(outcome, "owner") == 0) {
	DbusNameCallbacksOwned(connPtr, interp, Tcl_GetString(nameObj));
    }
    Tcl_ResetResult(interp);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * NameCmd --
 *
 *	dbus name ?busId? ?-noqueue? ?-replace? ?-yield? name
 *
 * Results:
 *	TCL_OK with the RequestName outcome (DbusBusRequestName), or
 *	TCL_ERROR: bad option, missing value {TCL ARGUMENT MISSING}, "Invalid
 *	bus name" {DBUS INVALID NAME n}, not connected, the bus's refusal.
 *
 * Side effects:
 *	Sends RequestName and waits for the answer; with -acquired/-lost the
 *	scripts are registered first (RequestWithCallbacks) and stay until
 *	dbus release or close.
 *
 *----------------------------------------------------------------------
 */

static int
NameCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"-acquired", "-lost", "-noqueue", "-replace", "-yield", NULL
    };
    static const unsigned int bits[] = {
	0, 0, DBUS_NAME_FLAG_DO_NOT_QUEUE, DBUS_NAME_FLAG_REPLACE_EXISTING,
	DBUS_NAME_FLAG_ALLOW_REPLACEMENT
    };
    Tcl_Obj *busObj, *scripts[2] = {NULL, NULL};
    int i = 1, index;
    unsigned int flags = 0;
    DbusConn *connPtr;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 1);
    for (; i < objc - 1; i++) {
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (index < 2) {
	    if (++i >= objc - 1) {
		Tcl_SetObjResult(interp, Tcl_ObjPrintf(
			"missing value for option \"%s\"", options[index]));
		Tcl_SetErrorCode(interp, "TCL", "ARGUMENT", "MISSING", NULL);
		return TCL_ERROR;
	    }
	    scripts[index] = DbusIsEmpty(objv[i]) ? NULL : objv[i];
	}
	flags |= bits[index];
    }
    if (i != objc - 1) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?options? name");
	return TCL_ERROR;
    }
    if (DbusCheckName(interp, DBUS_NAME_BUS, objv[i], "Invalid bus name")
	    != TCL_OK || DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    if (scripts[0] == NULL && scripts[1] == NULL) {
	return DbusBusRequestName(interp, connPtr, objv[i], flags,
		DBUS_NAME_STRICT);
    }
    return RequestWithCallbacks(interp, connPtr, objv[i], flags,
	    scripts[0], scripts[1]);
}

/*
 *----------------------------------------------------------------------
 *
 * ReleaseCmd --
 *
 *	dbus release ?busId? name
 *
 * Results:
 *	TCL_OK with the ReleaseName outcome, or TCL_ERROR (invalid name, not
 *	connected, the bus's error).
 *
 * Side effects:
 *	Forgets interp's -acquired/-lost scripts for the name; sends
 *	ReleaseName and waits for the answer.
 *
 *----------------------------------------------------------------------
 */

static int
ReleaseCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    Tcl_Obj *nameObj;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? name");
	return TCL_ERROR;
    }
    nameObj = objv[objc - 1];
    if (DbusCheckName(interp, DBUS_NAME_BUS, nameObj, "Invalid bus name")
	    != TCL_OK || DbusGetConn(interp, objc == 3 ? objv[1] : NULL,
	    &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    DbusNameCallbacksRemove(connPtr, interp, Tcl_GetString(nameObj));
    return DbusBusReleaseName(interp, connPtr, nameObj);
}

/*
 *----------------------------------------------------------------------
 *
 * FilterCmd --
 *
 *	dbus filter ?busId? add|remove -key value ?-key value ...?
 *	Values are quoted so that no value can break the rule.
 *
 * Results:
 *	TCL_OK with the canonical match rule as result, or TCL_ERROR: wrong #
 *	args, missing value {TCL ARGUMENT MISSING}, bad subcommand or key, not
 *	connected, {DBUS CLOSED busId}, the bus's refusal.
 *
 * Side effects:
 *	add counts the rule in the connection's match-rule registry (an
 *	AddMatch on its first use), remove uncounts it (RemoveMatch with its
 *	last user).
 *
 *----------------------------------------------------------------------
 */

static int
FilterCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const subs[] = { "add", "remove", NULL };
    Tcl_Obj *busObj = NULL;
    int i = 1, sub;
    DbusConn *connPtr;
    Tcl_DString rule;
    int code;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 0);
    if (objc - i < 3) {
	Tcl_WrongNumArgs(interp, 1, objv,
		"?busId? subcommand -option value ?...?");
	return TCL_ERROR;
    }
    if ((objc - i) % 2 == 0) {
	return DbusMissingValue(interp, Tcl_ObjPrintf(
		"missing value for option \"%s\"",
		Tcl_GetString(objv[objc - 1])));
    }
    if (Tcl_GetIndexFromObj(interp, objv[i], subs, "subcommand", 0, &sub)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_DStringInit(&rule);
    if (DbusMatchFromArgs(interp, objc - i - 1, objv + i + 1, &rule)
	    != TCL_OK || DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	Tcl_DStringFree(&rule);
	return TCL_ERROR;
    }
    if (connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED)) {
	Tcl_DStringFree(&rule);
	return DbusError(interp, DBUS_EC_CLOSED,
		Tcl_GetString(connPtr->handleObj), NULL,
		"D-Bus connection is closed");
    }
    code = (sub == 0)
	    ? DbusBusAddMatch(interp, connPtr, Tcl_DStringValue(&rule), 0)
	    : DbusBusRemoveMatch(interp, connPtr, Tcl_DStringValue(&rule), 0);
    if (code != TCL_OK) {
	Tcl_DStringFree(&rule);
	return TCL_ERROR;
    }
    Tcl_DStringResult(interp, &rule);
    return TCL_OK;
}

/*
 * The options of "dbus info" (InfoCmd), in the order of its error
 * message.  INFO_STATIC tells the ones that need no connection
 * (InfoStatic) from those about one (InfoConn).
 */

static const char *const infoOptions[] = {
    "address", "capabilities", "connected", "local", "machineid", "name",
    "path", "pending", "serverid", "service", "version", NULL
};
enum InfoOption {
    I_ADDRESS, I_CAPS, I_CONNECTED, I_LOCAL, I_MACHINEID, I_NAME, I_PATH,
    I_PENDING, I_SERVERID, I_SERVICE, I_VERSION
};
#define INFO_STATIC(i) \
    ((i) == I_LOCAL || (i) == I_MACHINEID || (i) == I_PATH \
    || (i) == I_SERVICE || (i) == I_VERSION)

/*
 *----------------------------------------------------------------------
 *
 * InfoStatic --
 *
 *	dbus info local|machineid|path|service|version: what needs no
 *	connection.
 *
 * Results:
 *	TCL_OK with the value as the interp result, or TCL_ERROR when the
 *	machine id cannot be read ({DBUS CONNECT ...}).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
InfoStatic(
    Tcl_Interp *interp,
    enum InfoOption index)	/* INFO_STATIC */
{
    DBusError err;
    char *id;
    int major, minor, micro;

    switch (index) {
    case I_LOCAL:
	Tcl_SetObjResult(interp, Tcl_NewStringObj(DBUS_PATH_LOCAL, -1));
	return TCL_OK;
    case I_PATH:
	Tcl_SetObjResult(interp, Tcl_NewStringObj(DBUS_PATH_DBUS, -1));
	return TCL_OK;
    case I_SERVICE:
	Tcl_SetObjResult(interp, Tcl_NewStringObj(DBUS_SERVICE_DBUS, -1));
	return TCL_OK;
    case I_MACHINEID:
	dbus_error_init(&err);
	id = dbus_try_get_local_machine_id(&err);
	if (id == NULL) {
	    return DbusLibError(interp, DBUS_EC_CONNECT, "Machine id", &err);
	}
	Tcl_SetObjResult(interp, Tcl_NewStringObj(id, -1));
	dbus_free(id);
	return TCL_OK;
    default:				/* I_VERSION */
	dbus_get_version(&major, &minor, &micro);
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("%d.%d.%d", major, minor,
		micro));
	return TCL_OK;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * InfoConn --
 *
 *	dbus info ?busId? address|capabilities|connected|name|pending|
 *	serverid: what a connection knows about itself.
 *
 * Results:
 *	TCL_OK with the value as the interp result.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
InfoConn(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    enum InfoOption index)	/* not INFO_STATIC */
{
    Tcl_Obj *dictPtr;
    const char *name;
    char *id;

    switch (index) {
    case I_ADDRESS:
	Tcl_SetObjResult(interp, connPtr->addressObj ? connPtr->addressObj
		: Tcl_NewObj());
	break;
    case I_CONNECTED:
	Tcl_SetObjResult(interp, Tcl_NewBooleanObj(
		!(connPtr->flags & (DBUS_CONN_LOST | DBUS_CONN_CLOSED))
		&& dbus_connection_get_is_connected(connPtr->conn)));
	break;
    case I_CAPS:
	dictPtr = Tcl_NewDictObj();
	Tcl_DictObjPut(NULL, dictPtr, Tcl_NewStringObj("unixfd", -1),
		Tcl_NewBooleanObj(dbus_connection_can_send_type(
		connPtr->conn, DBUS_TYPE_UNIX_FD)));
	Tcl_SetObjResult(interp, dictPtr);
	break;
    case I_NAME:
	name = dbus_bus_get_unique_name(connPtr->conn);
	Tcl_SetObjResult(interp, Tcl_NewStringObj(name ? name : "", -1));
	break;
    case I_PENDING:
	Tcl_SetObjResult(interp, Tcl_NewBooleanObj(
		dbus_connection_has_messages_to_send(connPtr->conn)));
	break;
    default:				/* I_SERVERID */
	id = dbus_connection_get_server_id(connPtr->conn);
	Tcl_SetObjResult(interp, Tcl_NewStringObj(id ? id : "", -1));
	dbus_free(id);
	break;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * InfoCmd --
 *
 *	dbus info ?busId? option
 *	(also dbus info serverId option, for a server: dbusServer.c)
 *
 * Results:
 *	TCL_OK with the value asked for, or TCL_ERROR: wrong # args, a bad
 *	option, an unknown busId.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
InfoCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    int index, code;
    DbusConn *connPtr;

    (void) clientData;
    if (objc < 2 || objc > 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? option");
	return TCL_ERROR;
    }
    if (objc == 3 && DbusServerSubcommand(interp, objv[1], objv[2], &code)) {
	return code;
    }
    if (Tcl_GetIndexFromObj(interp, objv[objc-1], infoOptions, "option", 0,
	    &index) != TCL_OK) {
	return TCL_ERROR;
    }
    if (INFO_STATIC(index)) {
	return InfoStatic(interp, (enum InfoOption) index);
    }
    if (DbusGetConn(interp, objc == 3 ? objv[1] : NULL, &connPtr)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    return InfoConn(interp, connPtr, (enum InfoOption) index);
}

/*
 *----------------------------------------------------------------------
 *
 * ValidateCmd --
 *
 *	dbus validate class string
 *
 * Results:
 *	TCL_OK with 1 or 0 as result; TCL_ERROR for wrong # args or a bad
 *	class.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ValidateCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const classes[] = {
	"interface", "member", "name", "path", "signature", NULL
    };
    static const DbusNameKind kinds[] = {
	DBUS_NAME_INTERFACE, DBUS_NAME_MEMBER, DBUS_NAME_BUS, DBUS_NAME_PATH,
	DBUS_NAME_SIGNATURE
    };
    int index;
    Tcl_Size len;
    const char *s;

    (void) clientData;
    if (objc != 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "class string");
	return TCL_ERROR;
    }
    if (Tcl_GetIndexFromObj(interp, objv[1], classes, "class", 0, &index)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    s = Tcl_GetStringFromObj(objv[2], &len);
    Tcl_SetObjResult(interp, Tcl_NewBooleanObj(
	    DbusValidName(kinds[index], s, len)));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCreateCommands --
 *
 *	Create ::dbus::<sub> for every subcommand and the ::dbus ensemble
 *	(unique prefixes accepted).  Everything matching [a-z]* in ::dbus
 *	is exported, as in the 2.x series.  The commands' clientData is the
 *	interp's record (DbusCallNRCmd uses it instead of looking it up).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR from creating the namespace or ensemble.
 *
 * Side effects:
 *	Creates the ::dbus namespace, one command per subcommand, and the
 *	::dbus ensemble.
 *
 *----------------------------------------------------------------------
 */

int
DbusCreateCommands(
    Tcl_Interp *interp)
{
    static const DbusSubcommand cmds[] = {
	{"call", DbusCallObjCmd, DbusCallNRCmd},
	{"cancel", DbusCancelCmd, NULL},
	{"close", CloseCmd, NULL},
	{"connect", ConnectCmd, NULL},
	{"credentials", DbusCredentialsCmd, DbusCredentialsNRCmd},
	{"error", DbusErrorCmd, NULL},
	{"filter", FilterCmd, NULL}, {"flush", FlushCmd, NULL},
	{"info", InfoCmd, NULL},
	{"listen", DbusListenCmd, NULL}, {"method", DbusMethodCmd, NULL},
	{"monitor", DbusMonitorCmd, NULL}, {"name", NameCmd, NULL},
	{"release", ReleaseCmd, NULL}, {"return", DbusReturnCmd, NULL},
	{"server", DbusServerCmd, NULL}, {"signal", DbusSignalCmd, NULL},
	{"subscribe", DbusSubscribeCmd, NULL},
	{"unknown", DbusUnknownCmd, NULL},
	{"unsubscribe", DbusUnsubscribeCmd, NULL},
	{"unwatch", DbusUnwatchCmd, NULL},
	{"validate", ValidateCmd, NULL}, {"watch", DbusWatchCmd, NULL},
	{NULL, NULL, NULL}
    };

    return DbusCreateEnsemble(interp, "::dbus", "::dbus", cmds, "[a-z]*",
	    DbusGetInterpData(interp));
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
