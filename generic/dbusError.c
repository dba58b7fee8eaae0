/*
 * dbusError.c --
 *
 *	Result and error-code helpers.  Every TCL_ERROR raised by the
 *	extension goes through one of these so that each error carries both
 *	a message and an errorcode starting with DBUS (see dbusInt.h for
 *	the categories).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>

/*
 *----------------------------------------------------------------------
 *
 * DbusMissingValue --
 *
 *	The one error code for an option given without its value, in dbus
 *	and dbif alike: {TCL ARGUMENT MISSING}, as Tcl's own commands use
 *	(lsort -index, regexp -start); the message is the caller's (dbif
 *	keeps the wording of dbif 1.3).
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Sets the interp result (msgPtr, refcount taken over) and
 *	-errorcode.
 *
 *----------------------------------------------------------------------
 */

int
DbusMissingValue(
    Tcl_Interp *interp,
    Tcl_Obj *msgPtr)
{
    Tcl_SetObjResult(interp, msgPtr);
    Tcl_SetErrorCode(interp, "TCL", "ARGUMENT", "MISSING", NULL);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusFormatV --
 *
 *	printf-style formatting into a new object, of any length: messages
 *	embed user values (object paths, names, signatures) that may be
 *	long, and a fixed buffer would cut them or drop them.
 *
 * Results:
 *	New object, refcount 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusFormatV(
    const char *format,
    va_list ap)
{
    char buf[512], *big;
    va_list copy;
    int n;
    Tcl_Obj *objPtr;

    va_copy(copy, ap);
    n = vsnprintf(buf, sizeof(buf), format, copy);
    va_end(copy);
    if (n < 0) {
	return Tcl_NewStringObj(format, -1);
    }
    if (n < (int) sizeof(buf)) {
	return Tcl_NewStringObj(buf, n);
    }
    big = ckalloc(n + 1);
    vsnprintf(big, (size_t) n + 1, format, ap);
    objPtr = Tcl_NewStringObj(big, n);
    ckfree(big);
    return objPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusError --
 *
 *	Set the interp result to a formatted message and the errorcode to
 *	{DBUS category ?detail? ?value?}; NULL parts are left out.
 *
 * Results:
 *	Always TCL_ERROR, so callers can "return DbusError(...)".
 *
 * Side effects:
 *	Sets the interp result and -errorcode.
 *
 *----------------------------------------------------------------------
 */

int
DbusError(
    Tcl_Interp *interp,
    const char *category,	/* DBUS_EC_* */
    const char *detail,		/* may be NULL */
    const char *value,		/* may be NULL */
    const char *format,		/* printf-style message */
    ...)
{
    va_list ap;
    Tcl_Obj *codePtr;

    if (interp == NULL) {
	return TCL_ERROR;
    }
    va_start(ap, format);
    Tcl_SetObjResult(interp, DbusFormatV(format, ap));
    va_end(ap);
    codePtr = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj("DBUS", 4));
    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(category, -1));
    if (detail != NULL) {
	Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(detail, -1));
    }
    if (value != NULL) {
	Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(value, -1));
    }
    Tcl_SetObjErrorCode(interp, codePtr);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusLibError --
 *
 *	Turn a set DBusError into "prefix: message" with errorcode
 *	{DBUS op LASTPART}, LASTPART being the upper-cased text after the
 *	last '.' of the D-Bus error name (any length).
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Frees the DBusError.
 *
 *----------------------------------------------------------------------
 */

int
DbusLibError(
    Tcl_Interp *interp,
    const char *op,		/* DBUS_EC_CONNECT, ... */
    const char *prefix,		/* "Connection Error", ... */
    DBusError *errPtr)		/* set error; freed here */
{
    if (interp != NULL) {
	if (dbus_error_is_set(errPtr)) {
	    const char *name = errPtr->name ? errPtr->name : "Failed";
	    const char *last = strrchr(name, '.');
	    Tcl_DString ds;
	    const char *p, *text;
	    size_t len;
	    Tcl_Obj *codePtr;

	    last = (last != NULL) ? last + 1 : name;
	    Tcl_DStringInit(&ds);
	    for (p = last; *p != '\0'; p++) {
		char c = (char) toupper((unsigned char) *p);

		Tcl_DStringAppend(&ds, &c, 1);
	    }
	    text = errPtr->message ? errPtr->message : name;
	    len = strlen(text);

	    /*
	     * Bus errors often end in a newline: drop trailing white space
	     * (the reference dropped the last character).
	     */

	    while (len > 0 && isspace((unsigned char) text[len - 1])) {
		len--;
	    }
	    Tcl_SetObjResult(interp, Tcl_ObjPrintf("%s: %.*s", prefix,
		    (int) len, text));
	    codePtr = Tcl_NewListObj(0, NULL);
	    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj("DBUS", 4));
	    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(op, -1));
	    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(
		    Tcl_DStringValue(&ds), Tcl_DStringLength(&ds)));
	    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(name, -1));
	    Tcl_SetObjErrorCode(interp, codePtr);
	    Tcl_DStringFree(&ds);
	} else {
	    DbusError(interp, op, NULL, NULL, "%s", prefix);
	}
    }
    dbus_error_free(errPtr);
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNoMemory --
 *
 *	Report that libdbus ran out of memory.
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Sets result "Out Of Memory" (reference text), errorcode {DBUS NOMEM}.
 *
 *----------------------------------------------------------------------
 */

int
DbusNoMemory(
    Tcl_Interp *interp)
{
    return DbusError(interp, DBUS_EC_NOMEM, NULL, NULL, "Out Of Memory");
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReplyError --
 *
 *	Raise the Tcl error for a D-Bus error reply: the message is the
 *	error's arguments converted as for a successful reply (normally
 *	the error text), the errorcode {DBUS DBUS_MESSAGE_TYPE_ERROR name}.
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Sets the interp result and errorcode.
 *
 *----------------------------------------------------------------------
 */

int
DbusReplyError(
    Tcl_Interp *interp,
    DBusMessage *reply,		/* an error message; borrowed */
    int flags)			/* DBUS_FLAG_DETAILS */
{
    const char *name = dbus_message_get_error_name(reply);
    Tcl_Obj *argsPtr = DbusUnmarshalArgs(interp, reply, flags);
    Tcl_Obj *codePtr;
    Tcl_Size n = 0;

    if (name == NULL) {
	name = DBUS_ERROR_FAILED;
    }
    if (argsPtr == NULL) {
	argsPtr = Tcl_NewObj();
    }
    Tcl_IncrRefCount(argsPtr);
    Tcl_ListObjLength(NULL, argsPtr, &n);
    if (n == 1) {
	Tcl_Obj *elemPtr;

	Tcl_ListObjIndex(NULL, argsPtr, 0, &elemPtr);
	Tcl_SetObjResult(interp, elemPtr);
    } else if (n == 0) {
	Tcl_SetObjResult(interp, Tcl_NewStringObj(name, -1));
    } else {
	Tcl_SetObjResult(interp, argsPtr);
    }
    Tcl_DecrRefCount(argsPtr);
    codePtr = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj("DBUS", 4));
    Tcl_ListObjAppendElement(NULL, codePtr,
	    Tcl_NewStringObj(DBUS_EC_REMOTE, -1));
    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(name, -1));
    Tcl_SetObjErrorCode(interp, codePtr);
    return TCL_ERROR;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
