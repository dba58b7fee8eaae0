/*
 * dbusInfo.c --
 *
 *	The message-info dict handed to handler scripts with each message
 *	(reference 1.13): built once per interp and changed in place for
 *	the next message when no script kept it.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageInfo --
 *
 *	The message-info dict handed to handler scripts (reference 1.13):
 *	a dict with shared key objects (a script's "dict get" finds it
 *	ready, no list to convert).  The interp keeps the last one and,
 *	when nobody else holds it by the next message, changes only the
 *	values that differ (the serials, as a rule) instead of building
 *	another.
 *
 * Results:
 *	The dict; the caller takes a reference (Tcl_IncrRefCount) while it
 *	uses it and never changes it.
 *
 * Side effects:
 *	The interp's cached dict may be changed in place or replaced.
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * CachedString --
 *
 *	The object for a header field value: the shared empty string, the
 *	interp's cached object when the value did not change since the last
 *	message (the usual case for path, interface, member, sender), or a
 *	new object that becomes the cached one.
 *
 * Results:
 *	The object (borrowed: the literal or the interp's cache holds it).
 *
 * Side effects:
 *	A changed value replaces the cached object in
 *	dataPtr->fieldCache[slot] (the old one is released, the new one
 *	held).
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
CachedString(
    DbusInterpData *dataPtr,
    int slot,
    const char *value)
{
    Tcl_Obj *objPtr = dataPtr->fieldCache[slot];

    if (value == NULL || *value == '\0') {
	return dataPtr->literals[DBUS_LIT_EMPTY];
    }
    if (objPtr != NULL && strcmp(objPtr->bytes ? objPtr->bytes
	    : Tcl_GetString(objPtr), value) == 0) {
	return objPtr;
    }
    if (objPtr != NULL) {
	Tcl_DecrRefCount(objPtr);
    }
    objPtr = Tcl_NewStringObj(value, -1);
    Tcl_IncrRefCount(objPtr);
    dataPtr->fieldCache[slot] = objPtr;
    return objPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * SetSerial --
 *
 *	Put a serial into the interp's info dict under key i (a values[]
 *	index of DbusMessageInfo): nothing when 0 is there already; the
 *	value object changed in place when only the dict holds it (no new
 *	object, no hash lookup: the dict's string is dropped); else a new
 *	object (the shared "0" for 0).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Changes infoPtr (unshared, the interp's cached dict) and
 *	dataPtr->infoValues[i].
 *
 *----------------------------------------------------------------------
 */

static void
SetSerial(
    DbusInterpData *dataPtr,
    Tcl_Obj *infoPtr,		/* dataPtr->infoCache, unshared */
    int i,			/* 7 (serial) or 8 (replyserial) */
    dbus_uint32_t serial)
{
    Tcl_Obj *oldPtr = dataPtr->infoValues[i], *newPtr;
    Tcl_Obj *zeroPtr = dataPtr->literals[DBUS_LIT_ZERO];

    if (serial == 0) {
	if (oldPtr == zeroPtr) {
	    return;
	}
	newPtr = zeroPtr;
    } else if (oldPtr != NULL && oldPtr != zeroPtr && !Tcl_IsShared(oldPtr)) {
	/*
	 * Only the dict holds it (the literals are held by the interp's
	 * record too, so they are shared).  Serials change from message
	 * to message: no test for an equal value first.
	 */

	Tcl_SetWideIntObj(oldPtr, (Tcl_WideInt) serial);
	Tcl_InvalidateStringRep(infoPtr);
	return;
    } else {
	newPtr = Tcl_NewWideIntObj((Tcl_WideInt) serial);
    }
    Tcl_DictObjPut(NULL, infoPtr, dataPtr->literals[DBUS_LIT_MEMBER + i],
	    newPtr);
    dataPtr->infoValues[i] = newPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMessageSignature --
 *
 *	A message's signature, read from libdbus once for the message being
 *	processed (its DbusInFlight keeps it for the argument decoder and
 *	the info dict), every time for any other.
 *
 * Results:
 *	The signature, borrowed from msg ("" for none).
 *
 * Side effects:
 *	May note it in the thread's innermost DbusInFlight.
 *
 *----------------------------------------------------------------------
 */

const char *
DbusMessageSignature(
    DbusThreadData *tsdPtr,
    DBusMessage *msg)		/* borrowed */
{
    DbusInFlight *flightPtr = tsdPtr->inFlight;

    if (flightPtr == NULL || flightPtr->msg != msg) {
	return dbus_message_get_signature(msg);
    }
    if (flightPtr->sig == NULL) {
	flightPtr->sig = dbus_message_get_signature(msg);
    }
    return flightPtr->sig;
}

Tcl_Obj *
DbusMessageInfo(
    DbusInterpData *dataPtr,
    DBusMessage *msg)
{
    Tcl_Obj *values[DBUS_INFO_FIELDS];
    Tcl_Obj **lit = dataPtr->literals;
    Tcl_Obj *infoPtr = dataPtr->infoCache;
    DbusInFlight *flightPtr = dataPtr->tsdPtr->inFlight;
    int type = dbus_message_get_type(msg), i;

    if (flightPtr != NULL && flightPtr->msg == msg) {
	/*
	 * The message being processed: its fields were read already.
	 */

	values[0] = CachedString(dataPtr, 0, flightPtr->member);
	values[1] = CachedString(dataPtr, 1, flightPtr->intf);
	values[2] = CachedString(dataPtr, 2, flightPtr->path);
    } else {
	values[0] = CachedString(dataPtr, 0, dbus_message_get_member(msg));
	values[1] = CachedString(dataPtr, 1,
		dbus_message_get_interface(msg));
	values[2] = CachedString(dataPtr, 2, dbus_message_get_path(msg));
    }
    values[3] = CachedString(dataPtr, 3, dbus_message_get_sender(msg));
    values[4] = CachedString(dataPtr, 4,
	    dbus_message_get_destination(msg));
    values[5] = lit[(type >= DBUS_MESSAGE_TYPE_METHOD_CALL
	    && type <= DBUS_MESSAGE_TYPE_SIGNAL)
	    ? DBUS_LIT_T_INVALID + type : DBUS_LIT_T_INVALID];
    values[6] = CachedString(dataPtr, 5,
	    DbusMessageSignature(dataPtr->tsdPtr, msg));
    values[7] = values[8] = NULL;	/* SetSerial below */
    values[9] = lit[dbus_message_get_no_reply(msg) ? DBUS_LIT_ONE
	    : DBUS_LIT_ZERO];
    values[10] = lit[dbus_message_get_auto_start(msg) ? DBUS_LIT_ONE
	    : DBUS_LIT_ZERO];
    values[11] = CachedString(dataPtr, 6,
	    dbus_message_get_error_name(msg));

    /*
     * The last dict, when only the cache holds it and it still is a
     * dict, gets the values that changed (usually the serials only, see
     * SetSerial); anything else gets a new dict.  Keys DBUS_LIT_MEMBER ..
     * DBUS_LIT_ERRORNAME, in this order, values[i] under key i.
     */

    if (infoPtr == NULL || Tcl_IsShared(infoPtr)
	    || infoPtr->typePtr != dataPtr->dictTypePtr) {
	if (infoPtr != NULL) {
	    Tcl_DecrRefCount(infoPtr);
	}
	infoPtr = Tcl_NewDictObj();
	Tcl_IncrRefCount(infoPtr);
	dataPtr->infoCache = infoPtr;
	dataPtr->dictTypePtr = infoPtr->typePtr;
	memset(dataPtr->infoValues, 0, sizeof(dataPtr->infoValues));
    }
    for (i = 0; i < DBUS_INFO_FIELDS; i++) {
	if (i == 7) {
	    SetSerial(dataPtr, infoPtr, 7, dbus_message_get_serial(msg));
	} else if (i == 8) {
	    SetSerial(dataPtr, infoPtr, 8,
		    dbus_message_get_reply_serial(msg));
	} else if (values[i] != dataPtr->infoValues[i]) {
	    Tcl_DictObjPut(NULL, infoPtr, lit[DBUS_LIT_MEMBER + i],
		    values[i]);
	    dataPtr->infoValues[i] = values[i];
	}
    }
    return infoPtr;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
