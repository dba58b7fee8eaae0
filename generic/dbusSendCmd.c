/*
 * dbusSendCmd.c --
 *
 *	"dbus return", "dbus error" and "dbus signal": messages a script
 *	sends without waiting for anything (replies to a call known by
 *	destination and serial, and signals).  The shared argument plumbing
 *	(busId, serials, destinations) is in dbusCmd.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * NewReply --
 *
 *	Shared by "return" and "error": a reply message to destination /
 *	serial without the original call at hand (a method return comes
 *	from the template cache, dbusTemplate.c).
 *
 * Results:
 *	The message (one reference, owned by the caller), or NULL with an
 *	error in interp: "Invalid destination", "Invalid serial", out of
 *	memory.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static DBusMessage *
NewReply(
    Tcl_Interp *interp,
    DbusThreadData *tsdPtr,	/* the calling thread's */
    int type,
    Tcl_Obj *destObj,
    Tcl_Obj *serialObj)
{
    dbus_uint32_t serial = 0;
    DBusMessage *msg;
    int noDest = DbusIsEmpty(destObj);	/* a peer's call has no sender */

    if ((!noDest && DbusCheckDest(interp, destObj) != TCL_OK)
	    || DbusGetSerial(interp, serialObj, &serial) != TCL_OK) {
	return NULL;
    }
    if (type == DBUS_MESSAGE_TYPE_METHOD_RETURN) {
	/*
	 * From the template cache: destination and NO_REPLY_EXPECTED set,
	 * the placeholder reply serial replaced.
	 */

	msg = DbusTemplateMessage(tsdPtr, type,
		noDest ? NULL : Tcl_GetString(destObj), NULL, NULL, NULL);
	if (msg != NULL && !dbus_message_set_reply_serial(msg, serial)) {
	    dbus_message_unref(msg);
	    msg = NULL;
	}
	if (msg == NULL) {
	    DbusNoMemory(interp);
	}
	return msg;
    }
    msg = dbus_message_new(type);
    if (msg == NULL) {
	DbusNoMemory(interp);
	return NULL;
    }
    if ((!noDest && !dbus_message_set_destination(msg,
	    Tcl_GetString(destObj)))
	    || !dbus_message_set_reply_serial(msg, serial)) {
	dbus_message_unref(msg);
	DbusNoMemory(interp);
	return NULL;
    }
    dbus_message_set_no_reply(msg, TRUE);
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * NoReplyWanted --
 *
 *	Shared by "return" and "error": is the reply for a call whose
 *	caller asked for none (and that a script handler got)?  Then
 *	nothing is sent and the result is 0 instead of a serial.
 *
 * Results:
 *	1 (msg released, result set) or 0.
 *
 * Side effects:
 *	When 1: the no-reply record of (destination, serial) is consumed
 *	(DbusTakeNoReply) and the interp result set to 0.
 *
 *----------------------------------------------------------------------
 */

static int
NoReplyWanted(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)		/* reference released when 1 */
{
    if (!DbusTakeNoReply(connPtr, dbus_message_get_destination(msg),
	    dbus_message_get_reply_serial(msg))) {
	return 0;
    }
    dbus_message_unref(msg);
    Tcl_SetObjResult(interp, Tcl_NewWideIntObj(0));
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * SendAndReport --
 *
 *	The common end of error, return and signal: marshal the arguments
 *	into msg, send it, set the result to its serial.
 *
 * Results:
 *	TCL_OK or TCL_ERROR (marshalling or sending).
 *
 * Side effects:
 *	Releases the reference to msg in every case.
 *
 *----------------------------------------------------------------------
 */

static int
SendAndReport(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,		/* reference released */
    Tcl_Obj *sigObj,		/* signature or NULL (all strings) */
    int objc,
    Tcl_Obj *const objv[])	/* the arguments; borrowed */
{
    dbus_uint32_t serial = 0;
    int code = DbusSendArgs(interp, connPtr, msg, sigObj, objc, objv,
	    &serial);

    if (code == TCL_OK) {
	Tcl_SetObjResult(interp, Tcl_NewWideIntObj(serial));
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyOption --
 *
 *	The option loop of error and return, which know one option each
 *	(-name, -signature): "option value" pairs, the option given as a
 *	unique prefix of two or more characters, until "--" or a word not
 *	starting with "-"; the last two words (destination serial) are
 *	never taken as options.
 *
 * Results:
 *	TCL_OK with *idxPtr past the options and *valuePtr set to the last
 *	value given (borrowed from objv; untouched when none), or
 *	TCL_ERROR with 'bad option "x": must be option' {TCL LOOKUP INDEX
 *	option x}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ReplyOption(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    const char *option,		/* "-name" or "-signature" */
    Tcl_Obj **valuePtr)
{
    int i = *idxPtr;
    const char *s;

    while (i < objc - 2 && (s = DbusOptionAt(objv, &i)) != NULL) {
	if (strncmp(s, option, strlen(s)) != 0 || strlen(s) < 2) {
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf(
		    "bad option \"%s\": must be %s", s, option));
	    Tcl_SetErrorCode(interp, "TCL", "LOOKUP", "INDEX", "option", s,
		    NULL);
	    return TCL_ERROR;
	}
	*valuePtr = objv[i+1];
	i += 2;
    }
    *idxPtr = i;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ReplyCmd --
 *
 *	The body of "dbus error" and "dbus return", which differ in their
 *	option (-name, -signature), their arguments (an optional message,
 *	any values) and the message type.
 *
 * Results:
 *	TCL_OK with the serial of the reply sent (0 when the caller wanted
 *	no reply), or TCL_ERROR: wrong # args, bad option, "Invalid error
 *	name", invalid destination, serial or signature, not connected,
 *	marshalling or sending errors.
 *
 * Side effects:
 *	Sends the reply (an error named by -name, default
 *	org.freedesktop.DBus.Error.Failed; or a method return carrying the
 *	arguments) to the call destination/serial.
 *
 *----------------------------------------------------------------------
 */

static int
ReplyCmd(
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[],
    int type)			/* DBUS_MESSAGE_TYPE_ERROR or _RETURN */
{
    int isError = (type == DBUS_MESSAGE_TYPE_ERROR), i = 1;
    Tcl_Obj *busObj, *optObj = NULL;
    DbusConn *connPtr;
    DBusMessage *msg;

    busObj = DbusTakeBusId(objc, objv, &i, 2);
    if (ReplyOption(interp, objc, objv, &i, isError ? "-name"
	    : "-signature", &optObj) != TCL_OK) {
	return TCL_ERROR;
    }
    if (objc - i < 2 || (isError && objc - i > 3)) {
	Tcl_WrongNumArgs(interp, 1, objv, isError
		? "?busId? ?-name string? destination serial ?message?"
		: "?busId? ?-signature string? destination serial ?arg ...?");
	return TCL_ERROR;
    }
    if (isError && optObj != NULL && DbusCheckName(interp, DBUS_NAME_ERROR,
	    optObj, "Invalid error name") != TCL_OK) {
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    msg = NewReply(interp, connPtr->tsdPtr, type, objv[i], objv[i+1]);
    if (msg == NULL) {
	return TCL_ERROR;
    }
    if (NoReplyWanted(interp, connPtr, msg)) {
	return TCL_OK;
    }
    if (isError) {
	dbus_message_set_error_name(msg, optObj ? Tcl_GetString(optObj)
		: DBUS_ERROR_FAILED);
    }
    return SendAndReport(interp, connPtr, msg, isError ? NULL : optObj,
	    objc - i - 2, objv + i + 2);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusErrorCmd, DbusReturnCmd --
 *
 *	dbus error ?busId? ?-name errorName? destination serial ?message?
 *	dbus return ?busId? ?-signature sig? destination serial ?arg ...?
 *
 * Results:
 *	See ReplyCmd.
 *
 * Side effects:
 *	See ReplyCmd.
 *
 *----------------------------------------------------------------------
 */

int
DbusErrorCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) clientData;
    return ReplyCmd(interp, objc, objv, DBUS_MESSAGE_TYPE_ERROR);
}

int
DbusReturnCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    (void) clientData;
    return ReplyCmd(interp, objc, objv, DBUS_MESSAGE_TYPE_METHOD_RETURN);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSignalCmd --
 *
 *	dbus signal ?busId? ?-signature sig? ?-dest name? path interface
 *		name ?arg ...?
 *
 * Results:
 *	TCL_OK with the serial of the signal sent, or TCL_ERROR: wrong # args,
 *	bad option, missing value, invalid path, interface, member or
 *	destination, not connected, marshalling or sending errors.
 *
 * Side effects:
 *	Sends the signal (to -dest only, when given).
 *
 *----------------------------------------------------------------------
 */

int
DbusSignalCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const options[] = {
	"-dest", "-signature", "--", NULL
    };
    Tcl_Obj *busObj, *sigObj = NULL, *destObj = NULL;
    int i = 1, index;
    DbusConn *connPtr;
    DBusMessage *msg;

    (void) clientData;
    busObj = DbusTakeBusId(objc, objv, &i, 3);
    for (; i < objc; i++) {
	if (Tcl_GetString(objv[i])[0] != '-') {
	    break;
	}
	if (Tcl_GetIndexFromObj(interp, objv[i], options, "option", 0,
		&index) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (index == 2) {
	    i++;
	    break;
	}
	if (++i >= objc) {
	    return DbusMissingValue(interp, Tcl_ObjPrintf(
		    "missing value for option \"%s\"", options[index]));
	}
	if (index == 0) {
	    destObj = objv[i];
	} else {
	    sigObj = objv[i];
	}
    }
    if (objc - i < 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "?busId? ?-signature string? "
		"?-dest name? path interface name ?arg ...?");
	return TCL_ERROR;
    }
    if (DbusCheckTarget(interp, objv + i, "Invalid member", destObj)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, busObj, &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    msg = DbusTemplateMessage(connPtr->tsdPtr, DBUS_MESSAGE_TYPE_SIGNAL,
	    destObj ? Tcl_GetString(destObj) : NULL, Tcl_GetString(objv[i]),
	    Tcl_GetString(objv[i+1]), Tcl_GetString(objv[i+2]));
    if (msg == NULL) {
	return DbusNoMemory(interp);
    }
    dbus_message_set_no_reply(msg, TRUE);
    return SendAndReport(interp, connPtr, msg, sigObj, objc - i - 3,
	    objv + i + 3);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
