/*
 * dbusWriter.c --
 *
 *	Building a message piece by piece: containers opened and closed,
 *	strings and Tcl values appended where they belong.  For replies
 *	whose shape the caller knows and whose size makes a Tcl value of
 *	the whole a waste: an ObjectManager's GetManagedObjects
 *	(a{oa{sa{sv}}}, thousands of entries), GetAll, InterfacesAdded.
 *	Building a nested dict of {type value} pairs only for the
 *	marshaller to take it apart again (with its checks of each explicit
 *	variant and of equal dict keys) cost twice the libdbus work; here
 *	each piece goes straight to the message.  dbif uses this through
 *	dbusInt.h only, never libdbus (tests/dbus-bus.test bus-5.1).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * Deepest nesting a writer allows: the D-Bus limit of 32 arrays and 32
 * structs (dict entries and variants count as structs here), plus the
 * message's top level.
 */

#define WRITER_DEPTH	65

struct DbusWriter {
    Tcl_Interp *interp;		/* for errors; not owned */
    DbusConn *connPtr;		/* Tcl_Preserve'd */
    DBusMessage *msg;		/* the message; one reference owned */
    int depth;			/* index of the innermost open iterator */
    int failed;			/* an append failed: the message is
				 * spoilt, Finish sends nothing */
    DBusMessageIter iters[WRITER_DEPTH]; /* iters[0] the message's top
				 * level, iters[depth] the innermost open
				 * container */
};

/*
 *----------------------------------------------------------------------
 *
 * NewWriter, DbusWriterReturn, DbusWriterSignal --
 *
 *	A writer for a new message: the method return answering call
 *	(DbusWriterReturn), or a signal (DbusWriterSignal, names valid).
 *
 * Results:
 *	DbusWriterReturn: TCL_OK with *writerPtr the writer, or NULL when
 *	the caller wants no reply (nothing to build); TCL_ERROR when out
 *	of memory.  DbusWriterSignal: the writer, or NULL with the error
 *	in interp.
 *
 * Side effects:
 *	Allocates the writer and its message; the connection is preserved
 *	until DbusWriterFinish.
 *
 *----------------------------------------------------------------------
 */

static DbusWriter *
NewWriter(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)		/* reference taken over */
{
    DbusWriter *w = (DbusWriter *) ckalloc(sizeof(DbusWriter));

    w->interp = interp;
    w->connPtr = connPtr;
    Tcl_Preserve(connPtr);
    w->msg = msg;
    w->depth = 0;
    w->failed = 0;
    dbus_message_iter_init_append(msg, &w->iters[0]);
    return w;
}

int
DbusWriterReturn(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *call,		/* borrowed */
    DbusWriter **writerPtr)	/* out */
{
    DBusMessage *reply;

    *writerPtr = NULL;
    if (dbus_message_get_no_reply(call)) {
	return TCL_OK;
    }
    reply = DbusNewMethodReturn(connPtr->tsdPtr, call);
    if (reply == NULL) {
	return DbusNoMemory(interp);
    }
    *writerPtr = NewWriter(interp, connPtr, reply);
    return TCL_OK;
}

DbusWriter *
DbusWriterSignal(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    const char *path,
    const char *intf,
    const char *member)
{
    DBusMessage *sig = DbusTemplateMessage(connPtr->tsdPtr,
	    DBUS_MESSAGE_TYPE_SIGNAL, NULL, path, intf, member);

    if (sig == NULL) {
	DbusNoMemory(interp);
	return NULL;
    }
    return NewWriter(interp, connPtr, sig);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWriterOpen, DbusWriterClose --
 *
 *	Open a container inside the current one: type 'a' (an array of
 *	elements of type contentSig), 'v' (a variant holding contentSig),
 *	'(' (a struct) or '{' (a dict entry; contentSig NULL for both).
 *	Close the innermost open container.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (no memory, too deep, or an earlier failure)
 *	with the error in the writer's interp.
 *
 * Side effects:
 *	Appends to the message.
 *
 *----------------------------------------------------------------------
 */

int
DbusWriterOpen(
    DbusWriter *w,
    int type,			/* 'a', 'v', '(' or '{' */
    const char *contentSig)	/* 'a', 'v': valid; else NULL */
{
    int dbusType;

    if (w->failed) {
	return TCL_ERROR;
    }
    switch (type) {
    case 'a':
	dbusType = DBUS_TYPE_ARRAY;
	break;
    case 'v':
	dbusType = DBUS_TYPE_VARIANT;
	break;
    case '(':
	dbusType = DBUS_TYPE_STRUCT;
	contentSig = NULL;
	break;
    default:
	dbusType = DBUS_TYPE_DICT_ENTRY;
	contentSig = NULL;
	break;
    }
    if (w->depth + 1 >= WRITER_DEPTH) {
	w->failed = 1;
	return DbusError(w->interp, DBUS_EC_LIMIT, "DEPTH", NULL,
		"containers nested too deeply");
    }
    if (!dbus_message_iter_open_container(&w->iters[w->depth], dbusType,
	    contentSig, &w->iters[w->depth + 1])) {
	w->failed = 1;
	return DbusNoMemory(w->interp);
    }
    w->depth++;
    return TCL_OK;
}

int
DbusWriterClose(
    DbusWriter *w)
{
    if (w->failed || w->depth == 0) {
	w->failed = 1;
	return TCL_ERROR;
    }
    if (!dbus_message_iter_close_container(&w->iters[w->depth - 1],
	    &w->iters[w->depth])) {
	w->failed = 1;
	return DbusNoMemory(w->interp);
    }
    w->depth--;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWriterString, DbusWriterValue --
 *
 *	DbusWriterString: append a string of type 's', 'o' or 'g' that
 *	the caller knows to be valid (an object path, a name from a
 *	checked definition).  DbusWriterValue: append a Tcl value as the
 *	single complete type sig, with the marshaller's rules and checks
 *	(a value that does not fit is an error, and the message is spoilt:
 *	check values first where one bad value must not cost the rest).
 *
 * Results:
 *	TCL_OK or TCL_ERROR with the error in the writer's interp.
 *
 * Side effects:
 *	Appends to the message.
 *
 *----------------------------------------------------------------------
 */

int
DbusWriterString(
    DbusWriter *w,
    int type,			/* 's', 'o' or 'g' */
    const char *s)		/* valid for type */
{
    if (w->failed) {
	return TCL_ERROR;
    }
    if (!dbus_message_iter_append_basic(&w->iters[w->depth],
	    type == 'o' ? DBUS_TYPE_OBJECT_PATH : type == 'g'
	    ? DBUS_TYPE_SIGNATURE : DBUS_TYPE_STRING, &s)) {
	w->failed = 1;
	return DbusNoMemory(w->interp);
    }
    return TCL_OK;
}

int
DbusWriterValue(
    DbusWriter *w,
    const char *sig,		/* one complete type, valid */
    int sigLen,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    if (w->failed) {
	return TCL_ERROR;
    }
    if (DbusMarshalValue(w->interp, w->connPtr, &w->iters[w->depth], sig,
	    sigLen, valuePtr) != TCL_OK) {
	w->failed = 1;
	return TCL_ERROR;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWriterFinish --
 *
 *	Send the message (when send is set and nothing failed; every
 *	container must be closed) and free the writer.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with the error in the writer's interp (an
 *	earlier failure, containers left open, or sending failed).
 *
 * Side effects:
 *	Sends the message; releases it, the writer and the connection.
 *
 *----------------------------------------------------------------------
 */

int
DbusWriterFinish(
    DbusWriter *w,
    int send)
{
    int code = TCL_OK;

    if (w->failed) {
	code = TCL_ERROR;
    } else if (w->depth != 0) {
	code = DbusError(w->interp, DBUS_EC_USAGE, "WRITER", NULL,
		"message left with open containers");
    }
    while (w->depth > 0) {
	dbus_message_iter_abandon_container_if_open(
		&w->iters[w->depth - 1], &w->iters[w->depth]);
	w->depth--;
    }
    if (code == TCL_OK && send) {
	code = DbusSend(w->interp, w->connPtr, w->msg, NULL);
    }
    dbus_message_unref(w->msg);
    Tcl_Release(w->connPtr);
    ckfree((char *) w);
    return code;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
