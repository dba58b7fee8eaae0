/*
 * dbusMessage.c --
 *
 *	Messages for the layers above the core (dbif, proxies, the dbus
 *	subcommands): reading the header fields and leading arguments of a
 *	message, holding and releasing it, and building, marshalling and
 *	sending method returns, errors and signals.  With these, code above
 *	the core never calls libdbus itself: every message it sends is
 *	marshalled by dbusMarshal.c and sent by DbusSend.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageField --
 *
 *	A header field of a message.
 *
 * Results:
 *	The field's text, owned by the message; NULL when the message has
 *	no such field (the signature is "" then, never NULL).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

const char *
DbusMessageField(
    DBusMessage *msg,		/* borrowed */
    DbusField field)
{
    switch (field) {
    case DBUS_FIELD_PATH:
	return dbus_message_get_path(msg);
    case DBUS_FIELD_INTERFACE:
	return dbus_message_get_interface(msg);
    case DBUS_FIELD_MEMBER:
	return dbus_message_get_member(msg);
    case DBUS_FIELD_SIGNATURE:
	return dbus_message_get_signature(msg);
    case DBUS_FIELD_SENDER:
	return dbus_message_get_sender(msg);
    case DBUS_FIELD_DESTINATION:
	return dbus_message_get_destination(msg);
    case DBUS_FIELD_ERRORNAME:
	return dbus_message_get_error_name(msg);
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageType, DbusMessageWantsReply, DbusMessageHasFds --
 *
 *	The type of a message (DBUS_MESSAGE_TYPE_*); whether the sender of
 *	a method call waits for an answer (no NO_REPLY_EXPECTED flag);
 *	whether a message carries unix file descriptors.
 *
 * Results:
 *	As described.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusMessageType(
    DBusMessage *msg)
{
    return dbus_message_get_type(msg);
}

int
DbusMessageWantsReply(
    DBusMessage *msg)
{
    return !dbus_message_get_no_reply(msg);
}

int
DbusMessageHasFds(
    DBusMessage *msg)
{
    return dbus_message_contains_unix_fds(msg);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageRetain, DbusMessageRelease --
 *
 *	Hold a reference to a message (for a record that outlives the
 *	handler call that lent it), and give it back.
 *
 * Results:
 *	DbusMessageRetain: msg.
 *
 * Side effects:
 *	The message's reference count.
 *
 *----------------------------------------------------------------------
 */

DBusMessage *
DbusMessageRetain(
    DBusMessage *msg)
{
    return dbus_message_ref(msg);
}

void
DbusMessageRelease(
    DBusMessage *msg)		/* reference released */
{
    dbus_message_unref(msg);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageStringArgs --
 *
 *	The first n arguments of a message, which must be strings, object
 *	paths or signatures (check the signature first).
 *
 * Results:
 *	The number of arguments read into argv (pointers owned by the
 *	message), less than n when the message has fewer or others.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusMessageStringArgs(
    DBusMessage *msg,		/* borrowed */
    int n,
    const char **argv)		/* out: n pointers */
{
    DBusMessageIter iter;
    int i = 0;

    if (!dbus_message_iter_init(msg, &iter)) {
	return 0;
    }
    for (; i < n; i++) {
	int type = dbus_message_iter_get_arg_type(&iter);

	if (type != DBUS_TYPE_STRING && type != DBUS_TYPE_OBJECT_PATH
		&& type != DBUS_TYPE_SIGNATURE) {
	    break;
	}
	dbus_message_iter_get_basic(&iter, &argv[i]);
	dbus_message_iter_next(&iter);
    }
    return i;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageVariantArg --
 *
 *	Argument number index of a message, which must be a variant: its
 *	content's signature and its value (converted as handler arguments
 *	are, with flags: DBUS_FLAG_DETAILS for {sig value} variants).
 *
 * Results:
 *	A new object (refcount 0) with the signature appended to *sigPtr,
 *	or NULL when the argument is missing or not a variant (no error
 *	set) or its conversion failed (error in interp).
 *
 * Side effects:
 *	Appends to *sigPtr.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusMessageVariantArg(
    Tcl_Interp *interp,
    DBusMessage *msg,		/* borrowed */
    int index,
    int flags,			/* DBUS_FLAG_DETAILS or 0 */
    Tcl_DString *sigPtr)	/* out: the content's signature */
{
    DBusMessageIter iter, sub;
    char *sig;
    int i;

    if (!dbus_message_iter_init(msg, &iter)) {
	return NULL;
    }
    for (i = 0; i < index; i++) {
	if (!dbus_message_iter_next(&iter)) {
	    return NULL;
	}
    }
    if (dbus_message_iter_get_arg_type(&iter) != DBUS_TYPE_VARIANT) {
	return NULL;
    }
    dbus_message_iter_recurse(&iter, &sub);
    sig = dbus_message_iter_get_signature(&sub);
    if (sig == NULL) {
	DbusNoMemory(interp);
	return NULL;
    }
    Tcl_DStringAppend(sigPtr, sig, -1);
    dbus_free(sig);
    return DbusUnmarshalValue(interp, &sub, flags);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNewCall --
 *
 *	A new method call (names must be valid) with string arguments: the
 *	variable part is a NULL-terminated list of UTF-8 strings.
 *
 * Results:
 *	The message (one reference, the caller's; DbusSendArgs or
 *	DbusMessageRelease release it), or NULL with "Out Of Memory" in
 *	interp.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DBusMessage *
DbusNewCall(
    Tcl_Interp *interp,
    const char *dest,		/* destination or NULL (peer connection) */
    const char *path,
    const char *intf,
    const char *member,
    ...)			/* const char *strings, then NULL */
{
    DBusMessage *msg = DbusTemplateMessage(NULL,
	    DBUS_MESSAGE_TYPE_METHOD_CALL, dest, path, intf, member);
    const char *arg;
    va_list ap;
    int ok = (msg != NULL);

    va_start(ap, member);
    while (ok && (arg = va_arg(ap, const char *)) != NULL) {
	ok = dbus_message_append_args(msg, DBUS_TYPE_STRING, &arg,
		DBUS_TYPE_INVALID);
    }
    va_end(ap);
    if (!ok) {
	if (msg != NULL) {
	    dbus_message_unref(msg);
	}
	DbusNoMemory(interp);
	return NULL;
    }
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageSetNoReply --
 *
 *	Mark a call we build as wanting no reply.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets NO_REPLY_EXPECTED.
 *
 *----------------------------------------------------------------------
 */

void
DbusMessageSetNoReply(
    DBusMessage *msg)
{
    dbus_message_set_no_reply(msg, TRUE);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSendArgs --
 *
 *	The common end of every message we build: marshal the arguments
 *	(sigObj NULL: all strings) into msg and send it.
 *
 * Results:
 *	TCL_OK with the serial in *serialPtr (may be NULL), or TCL_ERROR
 *	(marshalling, closed connection) with the error in interp.
 *
 * Side effects:
 *	Releases the reference to msg in every case.
 *
 *----------------------------------------------------------------------
 */

int
DbusSendArgs(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,		/* reference released */
    Tcl_Obj *sigObj,		/* signature or NULL */
    Tcl_Size objc,
    Tcl_Obj *const objv[],	/* the arguments; borrowed */
    dbus_uint32_t *serialPtr)	/* out; may be NULL */
{
    int code = DbusMarshalArgs(interp, connPtr, msg, sigObj, objc, objv);

    if (code == TCL_OK) {
	code = DbusSend(interp, connPtr, msg, serialPtr);
    }
    dbus_message_unref(msg);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSendReturn --
 *
 *	Answer a method call with the given arguments, unless its sender
 *	wants no reply.
 *
 * Results:
 *	TCL_OK or TCL_ERROR (marshalling, sending, no memory).
 *
 * Side effects:
 *	Sends a method return.
 *
 *----------------------------------------------------------------------
 */

int
DbusSendReturn(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *call,		/* borrowed */
    Tcl_Obj *sigObj,		/* signature or NULL (all strings) */
    Tcl_Size objc,
    Tcl_Obj *const objv[])	/* borrowed */
{
    DBusMessage *reply;

    if (dbus_message_get_no_reply(call)) {
	return TCL_OK;
    }
    reply = DbusNewMethodReturn(connPtr->tsdPtr, call);
    if (reply == NULL) {
	return DbusNoMemory(interp);
    }
    return DbusSendArgs(interp, connPtr, reply, sigObj, objc, objv, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusNewSignal --
 *
 *	A new signal message (names must be valid).
 *
 * Results:
 *	The message (one reference, the caller's: DbusSendArgs releases
 *	it), or NULL with "Out Of Memory" in interp.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DBusMessage *
DbusNewSignal(
    Tcl_Interp *interp,
    const char *path,
    const char *intf,
    const char *member,
    const char *dest)		/* unicast destination or NULL */
{
    DBusMessage *msg = DbusTemplateMessage(NULL, DBUS_MESSAGE_TYPE_SIGNAL,
	    dest, path, intf, member);

    if (msg == NULL) {
	DbusNoMemory(interp);
    }
    return msg;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSendSignal --
 *
 *	Emit a signal with the given arguments.
 *
 * Results:
 *	TCL_OK with the serial in *serialPtr (may be NULL), or TCL_ERROR.
 *
 * Side effects:
 *	Sends the signal.
 *
 *----------------------------------------------------------------------
 */

int
DbusSendSignal(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    const char *path,
    const char *intf,
    const char *member,
    Tcl_Obj *sigObj,		/* signature or NULL (all strings) */
    Tcl_Size objc,
    Tcl_Obj *const objv[],	/* borrowed */
    dbus_uint32_t *serialPtr)	/* out; may be NULL */
{
    DBusMessage *msg = DbusNewSignal(interp, path, intf, member, NULL);

    if (msg == NULL) {
	return TCL_ERROR;
    }
    return DbusSendArgs(interp, connPtr, msg, sigObj, objc, objv,
	    serialPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMemFree --
 *
 *	Free memory the core handed out from libdbus's allocator (the text
 *	of DbusMatchString, for instance).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees ptr (NULL is fine).
 *
 *----------------------------------------------------------------------
 */

void
DbusMemFree(
    void *ptr)
{
    dbus_free(ptr);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
