/*
 * demarshal.c --
 *
 *	libFuzzer target 3: raw bytes -> dbus_message_demarshal (libdbus'
 *	validation of wire data, what a remote peer can send us) -> our
 *	decoder, with and without -details; the -details result (exact
 *	variant types) is encoded again with the message's own signature and
 *	must decode to the same values.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "fuzzCommon.h"

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    Tcl_Interp *interp = FuzzInterp();
    DBusMessage *msg, *m2;
    DBusError err;
    Tcl_Obj *d1, *d2, *details, *sigObj;
    const char *sig;
    Tcl_Size objc;
    Tcl_Obj **objv;

    if (size < 16 || size > (1 << 20)) {
	return 0;
    }
    if (dbus_message_demarshal_bytes_needed((const char *) data,
	    (int) size) != (int) size) {
	return 0;
    }
    dbus_error_init(&err);
    msg = dbus_message_demarshal((const char *) data, (int) size, &err);
    if (msg == NULL) {
	dbus_error_free(&err);
	return 0;
    }
    sig = dbus_message_get_signature(msg);
    if (strchr(sig, 'h') != NULL) {
	dbus_message_unref(msg);
	return 0;		/* fds are not in the bytes */
    }
    d1 = DbusUnmarshalArgs(interp, msg, DBUS_FLAG_DETAILS);
    details = DbusUnmarshalArgs(interp, msg, 0);
    if (d1 == NULL || details == NULL) {
	/*
	 * Allowed, as a Tcl error: a unix fd index inside a variant with
	 * no fd attached, for instance.
	 */

	FuzzCheckError(interp, sig);
	if (d1 != NULL) {
	    Tcl_DecrRefCount(d1);
	}
	if (details != NULL) {
	    Tcl_DecrRefCount(details);
	}
	dbus_message_unref(msg);
	Tcl_ResetResult(interp);
	return 0;
    }
    Tcl_IncrRefCount(d1);
    Tcl_IncrRefCount(details);

    sigObj = Tcl_NewStringObj(sig, -1);
    Tcl_IncrRefCount(sigObj);
    m2 = dbus_message_new_signal("/a", "org.fuzz.A", "B");
    Tcl_ListObjGetElements(NULL, d1, &objc, &objv);
    if (DbusMarshalArgs(interp, NULL, m2, sigObj, objc, objv) != TCL_OK) {
	FuzzFail("decoded values do not encode with their signature",
		Tcl_GetString(d1), Tcl_GetStringResult(interp));
    }
    d2 = DbusUnmarshalArgs(interp, m2, DBUS_FLAG_DETAILS);
    if (d2 == NULL) {
	FuzzFail("re-encoded message does not decode", sig,
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
    Tcl_DecrRefCount(sigObj);
    dbus_message_unref(m2);
    dbus_message_unref(msg);
    Tcl_ResetResult(interp);
    return 0;
}
