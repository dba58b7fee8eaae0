/*
 * marshal.c --
 *
 *	libFuzzer target 2: (signature, Tcl value) -> our encoder -> message
 *	-> our decoder.  Input: the signature up to the first newline, then
 *	a Tcl list of argument values.  Either the encoder raises a Tcl
 *	error (with a DBUS or TCL errorcode), or the message it built
 *	decodes (plain and -details) and its -details form, which keeps
 *	every variant's type (dbus.n, "Variants"), encodes again with the
 *	same signature into a message that decodes to the same values
 *	(D-Bus value equality: the decoded form is canonical).  The plain
 *	form is not compared: a variant's type is guessed from it, by
 *	design.  libdbus' own checks are fatal
 *	(fuzzCommon.h), so a value the encoder lets through that libdbus
 *	refuses is a crash.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "fuzzCommon.h"

static DBusMessage *
Encode(
    Tcl_Interp *interp,
    Tcl_Obj *sigObj,
    Tcl_Obj *argsObj)
{
    DBusMessage *msg = dbus_message_new_signal("/a", "org.fuzz.A", "B");
    Tcl_Size objc;
    Tcl_Obj **objv;

    if (Tcl_ListObjGetElements(interp, argsObj, &objc, &objv) != TCL_OK
	    || DbusMarshalArgs(interp, NULL, msg, sigObj, objc, objv)
	    != TCL_OK) {
	dbus_message_unref(msg);
	return NULL;
    }
    return msg;
}

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    Tcl_Interp *interp = FuzzInterp();
    const char *nl = memchr(data, '\n', size);
    size_t sigLen = nl ? (size_t) (nl - (const char *) data) : size;
    Tcl_Obj *sigObj, *argsObj, *d1, *d2, *details;
    DBusMessage *m1, *m2;

    if (sigLen > 300 || memchr(data, 'h', sigLen) != NULL) {
	return 0;		/* unix fds would open channels */
    }
    sigObj = Tcl_NewStringObj((const char *) data, (int) sigLen);
    Tcl_IncrRefCount(sigObj);
    argsObj = Tcl_NewStringObj(nl ? nl + 1 : "",
	    nl ? (int) (size - sigLen - 1) : 0);
    Tcl_IncrRefCount(argsObj);

    m1 = Encode(interp, sigObj, argsObj);
    if (m1 == NULL) {
	FuzzCheckError(interp, Tcl_GetString(sigObj));
	goto done;
    }
    d1 = DbusUnmarshalArgs(interp, m1, DBUS_FLAG_DETAILS);
    details = DbusUnmarshalArgs(interp, m1, 0);
    if (d1 == NULL || details == NULL) {
	FuzzFail("our own message does not decode", Tcl_GetString(sigObj),
		Tcl_GetStringResult(interp));
    }
    Tcl_IncrRefCount(d1);
    Tcl_IncrRefCount(details);
    m2 = Encode(interp, sigObj, d1);
    if (m2 == NULL) {
	FuzzFail("decoded values do not encode again", Tcl_GetString(d1),
		Tcl_GetStringResult(interp));
    }
    d2 = DbusUnmarshalArgs(interp, m2, DBUS_FLAG_DETAILS);
    if (d2 == NULL) {
	FuzzFail("re-encoded message does not decode", Tcl_GetString(d1),
		Tcl_GetStringResult(interp));
    }
    Tcl_IncrRefCount(d2);
    if (strcmp(Tcl_GetString(d1), Tcl_GetString(d2)) != 0) {
	FuzzFail("value changed by a round trip", Tcl_GetString(d1),
		Tcl_GetString(d2));
    }
    Tcl_DecrRefCount(d1);
    Tcl_DecrRefCount(d2);
    Tcl_DecrRefCount(details);
    dbus_message_unref(m1);
    dbus_message_unref(m2);

  done:
    Tcl_ResetResult(interp);
    Tcl_DecrRefCount(sigObj);
    Tcl_DecrRefCount(argsObj);
    return 0;
}
