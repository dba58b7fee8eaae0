/*
 * dbifPropIface.c --
 *
 *	The org.freedesktop.DBus.Properties interface dbif serves for its
 *	properties (reference 4.16; DECISIONS rule 17): Get, GetAll and Set
 *	with their argument, access and type checks, answered through the
 *	core (values marshalled from {type value} with their declared
 *	types).  The properties themselves are in dbifProp.c.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

/*
 *----------------------------------------------------------------------
 *
 * LookupProp --
 *
 *	Shared lookup of the Properties methods (rule 14): the node of the
 *	call's path and interface, then the property.  Sends the error
 *	reply itself when something is missing.
 *
 * Results:
 *	The node (and *propPtrPtr when name != NULL), or NULL when an error
 *	was sent.
 *
 * Side effects:
 *	Sends an UnknownInterface or UnknownProperty error reply when the node
 *	or property is missing.
 *
 *----------------------------------------------------------------------
 */

static DbifNode *
LookupProp(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg,
    const char *intf,
    const char *name,
    DbifProp **propPtrPtr)
{
    const char *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    DbifNode *nodePtr = DbifFindNode(dataPtr,
	    Tcl_GetString(DbusConnHandle(connPtr)), path, intf);
    Tcl_HashEntry *hPtr;

    if (nodePtr == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_INTERFACE,
		"No such interface '%s' at object path '%s'", intf, path);
	return NULL;
    }
    if (name == NULL) {
	return nodePtr;
    }
    hPtr = Tcl_FindHashEntry(&nodePtr->props, name);
    if (hPtr == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_PROPERTY,
		"No such property '%s' in interface '%s' at object path '%s'",
		name, intf, path);
	return NULL;
    }
    *propPtrPtr = (DbifProp *) Tcl_GetHashValue(hPtr);
    return nodePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * GetStringArgs --
 *
 *	Read the leading string arguments of a Properties call whose
 *	signature must be "want" ("s", "ss" or "ssv").
 *
 * Results:
 *	1 with s1 (and s2 unless NULL) pointing into msg, or 0 when an
 *	InvalidArgs reply was sent instead.
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static int
GetStringArgs(
    DbusConn *connPtr,
    DBusMessage *msg,
    const char *want,
    const char **s1,
    const char **s2)
{
    const char *sig = DbusMessageField(msg, DBUS_FIELD_SIGNATURE);
    const char *argv[2];

    if (strcmp(sig, want) != 0) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
		"Invalid arguments for method '%s': expected signature '%s', "
		"got '%s'", DbusMessageField(msg, DBUS_FIELD_MEMBER), want,
		sig);
	return 0;
    }
    DbusMessageStringArgs(msg, s2 ? 2 : 1, argv);
    *s1 = argv[0];
    if (s2 != NULL) {
	*s2 = argv[1];
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * AccessProp --
 *
 *	The common start of Get and Set: the arguments ("ss" for reading,
 *	"ssv" for writing), the property they name, and the access it
 *	must allow.
 *
 * Results:
 *	The property, with *intfPtr, *namePtr (pointing into msg) filled
 *	in; NULL when an error reply was sent instead (InvalidArgs,
 *	UnknownInterface, UnknownProperty, AccessViolation for reading,
 *	PropertyReadOnly for writing).
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static DbifProp *
AccessProp(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg,
    int access,			/* DBIF_READ or DBIF_WRITE */
    const char **intfPtr,
    const char **namePtr)
{
    int reading = (access == DBIF_READ);
    DbifProp *propPtr;

    if (!GetStringArgs(connPtr, msg, reading ? "ss" : "ssv", intfPtr,
	    namePtr)
	    || !LookupProp(dataPtr, connPtr, msg, *intfPtr, *namePtr,
	    &propPtr)) {
	return NULL;
    }
    if (!(propPtr->access & access)) {
	DbusSendErrorf(connPtr, msg, reading
		? "org.freedesktop.DBus.Error.AccessViolation"
		: DBUS_ERROR_PROPERTY_READ_ONLY,
		"Property '%s' in interface '%s' at object path '%s' does not "
		"allow %s access", *namePtr, *intfPtr,
		DbusMessageField(msg, DBUS_FIELD_PATH),
		reading ? "read" : "write");
	return NULL;
    }
    return propPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertiesGet --
 *
 *	org.freedesktop.DBus.Properties.Get(s interface, s name) -> v
 *
 * Results:
 *	TCL_OK (a reply or an error reply was sent), or TCL_ERROR with the
 *	reason when the value does not fit its type (the caller replies
 *	Failed).
 *
 * Side effects:
 *	Sends the reply: the value as a variant of the declared type (the
 *	exact types a client set, while unchanged).
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertiesGet(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *intf, *name, *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    DbifProp *propPtr;
    Tcl_Obj *value, *typed, *sigObj;
    int code;

    propPtr = AccessProp(dataPtr, connPtr, msg, DBIF_READ, &intf, &name);
    if (propPtr == NULL) {
	return TCL_OK;
    }
    switch (DbifPropValueToSend(interp, propPtr, &value)) {
    case 0:
	return DbusSendErrorf(connPtr, msg, DBUS_ERROR_FAILED,
		"Property '%s' in interface '%s' at object path '%s' has "
		"currently no value", name, intf, path);
    case -1:
	return TCL_ERROR;		/* Failed, with the reason */
    }
    sigObj = Tcl_NewStringObj("v", 1);
    Tcl_IncrRefCount(sigObj);
    typed = DbifTypedValue(propPtr, value);
    Tcl_IncrRefCount(typed);
    Tcl_DecrRefCount(value);
    code = DbusSendReturn(interp, connPtr, msg, sigObj, 1, &typed);
    Tcl_DecrRefCount(typed);
    Tcl_DecrRefCount(sigObj);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifWriteProps --
 *
 *	Append the readable properties of a node that have a value, as
 *	the a{sv} of GetAll, InterfacesAdded and GetManagedObjects, to a
 *	message being built.  Each value is checked against its declared
 *	type before anything of its entry is written: one that cannot be
 *	sent is left out, as GDBus does with a property it cannot get, and
 *	reported to bgerror; the others are still answered.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR (no memory, limits) with the error in the
 *	writer's interp: the message is spoilt.
 *
 * Side effects:
 *	Reads the variables; may report background errors in interp.
 *
 *----------------------------------------------------------------------
 */

int
DbifWriteProps(
    DbusWriter *w,
    Tcl_Interp *interp,
    DbifNode *nodePtr)
{
    Tcl_Obj *value;
    DbifProp *propPtr;
    Tcl_Size len;
    const char *sig;
    int code = DbusWriterOpen(w, 'a', "{sv}");

    for (propPtr = nodePtr->firstProp; code == TCL_OK && propPtr;
	    propPtr = propPtr->nextPtr) {
	if (!(propPtr->access & DBIF_READ)) {
	    continue;
	}
	switch (DbifPropValueToSend(interp, propPtr, &value)) {
	case 0:
	    continue;
	case -1:
	    Tcl_BackgroundException(interp, TCL_ERROR);
	    Tcl_ResetResult(interp);
	    continue;
	}
	sig = Tcl_GetStringFromObj(propPtr->sig, &len);
	if (DbusWriterOpen(w, '{', NULL) != TCL_OK
		|| DbusWriterString(w, 's', Tcl_GetString(propPtr->name))
		    != TCL_OK
		|| DbusWriterOpen(w, 'v', sig) != TCL_OK
		|| DbusWriterValue(w, sig, (int) len, value) != TCL_OK
		|| DbusWriterClose(w) != TCL_OK) {
	    code = TCL_ERROR;
	} else {
	    code = DbusWriterClose(w);
	}
	Tcl_DecrRefCount(value);
    }
    return code == TCL_OK ? DbusWriterClose(w) : TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertiesGetAll --
 *
 *	org.freedesktop.DBus.Properties.GetAll(s interface) -> a{sv}: the
 *	readable properties that have a value.
 *
 * Results:
 *	TCL_OK (a reply or an error reply was sent), or TCL_ERROR from
 *	marshalling or sending.
 *
 * Side effects:
 *	Sends the reply with every readable property that has a value.
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertiesGetAll(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *intf;
    DbifNode *nodePtr;
    DbusWriter *w;
    int code;

    if (!GetStringArgs(connPtr, msg, "s", &intf, NULL)
	    || !(nodePtr = LookupProp(dataPtr, connPtr, msg, intf, NULL,
	    NULL))) {
	return TCL_OK;
    }
    if (DbusWriterReturn(interp, connPtr, msg, &w) != TCL_OK) {
	return TCL_ERROR;
    }
    if (w == NULL) {
	return TCL_OK;			/* no reply wanted */
    }
    code = DbifWriteProps(w, interp, nodePtr);
    return DbusWriterFinish(w, code == TCL_OK);
}

/*
 *----------------------------------------------------------------------
 *
 * ReadSetValue --
 *
 *	The value argument of a Set call, checked against the property's
 *	type.  A property whose type holds a variant keeps the value's
 *	exact form too (E7); a property of type v takes any value, also
 *	one sent bare rather than in a variant (python-dbus, busctl), and
 *	keeps it as that variant.
 *
 * Results:
 *	TCL_OK with *valuePtr (the value the script gets) and *exactPtr
 *	(its exact form, or NULL), both with a reference for the caller;
 *	TCL_BREAK when an InvalidArgs reply was sent instead; TCL_ERROR
 *	with the error in interp.
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static int
ReadSetValue(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg,		/* the Set call; borrowed */
    DbifProp *propPtr,
    Tcl_Obj **valuePtr,		/* out: reference held */
    Tcl_Obj **exactPtr)		/* out: reference held, or NULL */
{
    Tcl_Size plen;
    const char *psig = Tcl_GetStringFromObj(propPtr->sig, &plen);
    int details = DbusSigHasVariant(psig, (int) plen);
    Tcl_DString sig;
    Tcl_Obj *got, *exact = NULL, *pair[2];

    Tcl_DStringInit(&sig);
    got = DbusMessageVariantArg(interp, msg, 2,
	    details ? DBUS_FLAG_DETAILS : 0, &sig);
    if (got == NULL) {
	Tcl_DStringFree(&sig);
	return TCL_ERROR;
    }
    if (strcmp(psig, "v") == 0 && strcmp(Tcl_DStringValue(&sig), "v")) {
	pair[0] = Tcl_NewStringObj(Tcl_DStringValue(&sig), -1);
	pair[1] = got;
	exact = Tcl_NewListObj(2, pair);
    } else if (strcmp(Tcl_DStringValue(&sig), psig) != 0) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
		"Signature '%s' does not match for property '%s' in interface "
		"'%s' at object path '%s' (expected '%s')",
		Tcl_DStringValue(&sig), Tcl_GetString(propPtr->name),
		Tcl_GetString(propPtr->nodePtr->intf),
		DbusMessageField(msg, DBUS_FIELD_PATH), psig);
	Tcl_DStringFree(&sig);
	Tcl_DecrRefCount(got);
	return TCL_BREAK;
    } else if (details) {
	exact = got;
    }
    Tcl_DStringFree(&sig);
    if (exact != NULL) {
	Tcl_IncrRefCount(exact);
	got = DbusPlainFromExact(psig, (int) plen, exact);
    }
    Tcl_IncrRefCount(got);
    *valuePtr = got;
    *exactPtr = exact;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPropertiesSet --
 *
 *	org.freedesktop.DBus.Properties.Set(s interface, s name, v value):
 *	access and type checks, the optional veto body, then the variable.
 *
 * Results:
 *	TCL_OK (a reply or an error reply was sent), or TCL_ERROR with the
 *	error of the veto body or of setting the variable (the caller replies
 *	Failed).
 *
 * Side effects:
 *	Runs the property's body with the new value when it has one (a message
 *	id is made and freed around it); sets the variable in its interp (its
 *	traces run); remembers the exact types of the value sent; sends an
 *	empty reply.
 *
 *----------------------------------------------------------------------
 */

int
DbifPropertiesSet(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *intf, *name, *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    DbifProp *propPtr;
    DbifDef *defPtr;
    Tcl_Obj *value, *varName, *exact;
    Tcl_Interp *target;
    int code = TCL_OK;

    propPtr = AccessProp(dataPtr, connPtr, msg, DBIF_WRITE, &intf, &name);
    if (propPtr == NULL) {
	return TCL_OK;
    }
    code = ReadSetValue(interp, connPtr, msg, propPtr, &value, &exact);
    if (code != TCL_OK) {
	return (code == TCL_BREAK) ? TCL_OK : TCL_ERROR;
    }
    defPtr = propPtr->defPtr;
    defPtr->refCount++;
    varName = propPtr->varName;
    Tcl_IncrRefCount(varName);

    if (defPtr->lambda != NULL) {
	DbifMsg *msgPtr = DbifMsgNew(dataPtr, connPtr, msg, NULL);
	Tcl_Obj *idPtr = msgPtr->id;
	Tcl_HashEntry *hPtr;

	Tcl_IncrRefCount(idPtr);
	code = DbifRunBody(dataPtr, defPtr, idPtr, 1, &value, &target);
	hPtr = Tcl_FindHashEntry(&dataPtr->messages, Tcl_GetString(idPtr));
	if (hPtr != NULL) {
	    DbifMsgFree((DbifMsg *) Tcl_GetHashValue(hPtr));
	}
	Tcl_DecrRefCount(idPtr);
	if (code == TCL_ERROR) {
	    Tcl_Obj *errPtr = Tcl_GetObjResult(target);

	    Tcl_IncrRefCount(errPtr);
	    Tcl_ResetResult(target);
	    Tcl_SetObjResult(interp, errPtr);
	    Tcl_DecrRefCount(errPtr);
	    goto done;
	}
	Tcl_ResetResult(target);
	code = TCL_OK;
    }
    target = DbifTargetInterp(interp, defPtr);
    if (target == NULL) {
	code = DbusError(interp, DBUS_EC_INVALID, "INTERP",
		Tcl_GetString(defPtr->interpObj),
		"could not find interpreter \"%s\"",
		Tcl_GetString(defPtr->interpObj));
	goto done;
    }
    if (Tcl_ObjSetVar2(target, varName, NULL, value,
	    TCL_GLOBAL_ONLY | TCL_LEAVE_ERR_MSG) == NULL) {
	if (target != interp) {
	    Tcl_SetObjResult(interp, Tcl_GetObjResult(target));
	    Tcl_ResetResult(target);
	}
	code = TCL_ERROR;
	goto done;
    }
    if (exact != NULL) {
	/*
	 * Remember the exact types, unless the body replaced the property.
	 */

	DbifNode *nodePtr = DbifFindNode(dataPtr,
		Tcl_GetString(DbusConnHandle(connPtr)), path, intf);
	Tcl_HashEntry *hPtr = nodePtr
		? Tcl_FindHashEntry(&nodePtr->props, name) : NULL;

	propPtr = hPtr ? (DbifProp *) Tcl_GetHashValue(hPtr) : NULL;
	if (propPtr != NULL && propPtr->defPtr == defPtr) {
	    DbusExactSet(&propPtr->exact, value, exact);
	}
    }
    code = DbusSendReturn(interp, connPtr, msg, NULL, 0, NULL);

  done:
    Tcl_DecrRefCount(varName);
    Tcl_DecrRefCount(value);
    if (exact != NULL) {
	Tcl_DecrRefCount(exact);
    }
    DbifDefRelease(defPtr);
    return code;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
