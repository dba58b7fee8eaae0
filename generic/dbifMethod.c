/*
 * dbifMethod.c --
 *
 *	dbif methods (reference 4.4, 4.5, 4.7, 4.9; DECISIONS rule 15):
 *	"dbif method", the dispatch of incoming calls to the prototype
 *	with the call's signature, message ids with their 25 s lifetime,
 *	and "dbif return", "dbif error" and "dbif get".
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"
#include <stdio.h>
#include <stdarg.h>

/*
 *----------------------------------------------------------------------
 *
 * MsgExpire, DbifMsgNew, DbifMsgFree, DbifMsgLookup --
 *
 *	Message ids: a method call awaiting its answer, or a signal or Set
 *	being handled, named "messageN" in the interp's table.  MsgExpire
 *	is the timer that ends an unanswered id (DBIF_MSG_LIFETIME).
 *
 * Results:
 *	DbifMsgNew: the new record, owned by dataPtr->messages.
 *	DbifMsgLookup: the record of an id, or NULL.
 *
 * Side effects:
 *	DbifMsgNew holds a message reference, preserves the connection and
 *	holds a reference to the definition (may be NULL); DbifMsgFree
 *	releases them, cancels the timer and removes the id.
 *
 *----------------------------------------------------------------------
 */

static void
MsgExpire(
    ClientData clientData)
{
    DbifMsg *msgPtr = (DbifMsg *) clientData;

    msgPtr->timer = NULL;
    DbifMsgFree(msgPtr);
}

DbifMsg *
DbifMsgNew(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg,
    DbifDef *defPtr)
{
    DbifMsg *msgPtr = (DbifMsg *) ckalloc(sizeof(DbifMsg));
    char buf[32];
    int isNew, n;

    n = snprintf(buf, sizeof(buf), "message%d", ++dataPtr->msgCounter);
    msgPtr->dataPtr = dataPtr;
    msgPtr->id = Tcl_NewStringObj(buf, n);
    Tcl_IncrRefCount(msgPtr->id);
    msgPtr->msg = DbusMessageRetain(msg);
    msgPtr->connPtr = connPtr;
    Tcl_Preserve(connPtr);
    msgPtr->defPtr = defPtr;
    if (defPtr != NULL) {
	defPtr->refCount++;
    }
    msgPtr->timer = NULL;
    msgPtr->args.plainObj = msgPtr->args.exactObj = NULL;
    msgPtr->hPtr = Tcl_CreateHashEntry(&dataPtr->messages, buf, &isNew);
    Tcl_SetHashValue(msgPtr->hPtr, msgPtr);
    return msgPtr;
}

void
DbifMsgFree(
    DbifMsg *msgPtr)
{
    if (msgPtr->timer != NULL) {
	Tcl_DeleteTimerHandler(msgPtr->timer);
    }
    Tcl_DeleteHashEntry(msgPtr->hPtr);
    Tcl_DecrRefCount(msgPtr->id);
    DbusMessageRelease(msgPtr->msg);
    Tcl_Release(msgPtr->connPtr);
    DbifDefRelease(msgPtr->defPtr);
    DbusExactClear(&msgPtr->args);
    ckfree((char *) msgPtr);
}

DbifMsg *
DbifMsgLookup(
    DbifData *dataPtr,
    const char *id)
{
    Tcl_HashEntry *hPtr = Tcl_FindHashEntry(&dataPtr->messages, id);

    return hPtr ? (DbifMsg *) Tcl_GetHashValue(hPtr) : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * NoMessage --
 *
 *	The error for an unknown, answered or expired message id; "dbif
 *	get" words it differently (reference 4.7), same error code.
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Sets the result and errorcode {DBUS MESSAGEID id}.
 *
 *----------------------------------------------------------------------
 */

static int
NoMessage(
    Tcl_Interp *interp,
    const char *id,
    int forGet)			/* 1: the words of "dbif get" */
{
    return DbusError(interp, DBIF_EC_MESSAGEID, id, NULL, forGet
	    ? "MessageID does not exist: \"%s\"" : "Message ID %s does not exist",
	    id);
}

/*
 *----------------------------------------------------------------------
 *
 * ExactOutputs, SendReturn --
 *
 *	SendReturn: answer a method call with value converted by the output
 *	arguments of the method (reference 4.5): none -> empty reply, one
 *	-> value, several -> value is their list.  ExactOutputs (E7): an
 *	output with a variant in its type that is, unchanged, an argument
 *	of the call of the same type goes back in the exact form it came
 *	in (so an echoed variant keeps its type); objv is replaced by a
 *	new list's elements then (*holdPtr, to release).
 *
 * Results:
 *	TCL_OK or TCL_ERROR (marshalling) with the error in interp.
 *
 * Side effects:
 *	ExactOutputs may set *holdPtr to a new list (one reference, released
 *	by the caller) whose elements replace *objvPtr.  SendReturn sends the
 *	reply (nothing when the caller wants none); the value is held while it
 *	is used.
 *
 *----------------------------------------------------------------------
 */

static void
ExactOutputs(
    DBusMessage *call,
    DbifDef *defPtr,
    const DbusExact *argsPtr,	/* the call's arguments */
    Tcl_Size objc,
    Tcl_Obj ***objvPtr,		/* in/out */
    Tcl_Obj **holdPtr)		/* out: new list or unchanged */
{
    const char *inSig = DbusMessageField(call, DBUS_FIELD_SIGNATURE), *outSig;
    Tcl_Obj **plain, **exact, **outSigs, *listPtr = NULL, *pick;
    Tcl_Size nIn, nExact, nSigs, i, j;
    DbusExact one;
    int off, len, olen;

    if (argsPtr->exactObj == NULL
	    || Tcl_ListObjGetElements(NULL, argsPtr->plainObj, &nIn, &plain)
	    != TCL_OK
	    || Tcl_ListObjGetElements(NULL, argsPtr->exactObj, &nExact,
	    &exact) != TCL_OK || nIn != nExact
	    || Tcl_ListObjGetElements(NULL, defPtr->outSigs, &nSigs,
	    &outSigs) != TCL_OK || nSigs != objc) {
	return;
    }
    for (i = 0; i < objc; i++) {
	outSig = Tcl_GetString(outSigs[i]);
	olen = (int) strlen(outSig);
	if (!DbusSigHasVariant(outSig, olen)) {
	    continue;
	}
	for (j = 0, off = 0; j < nIn && inSig[off] != '\0'; j++, off += len) {
	    len = DbusSignatureTypeLength(inSig + off,
		    (int) strlen(inSig + off));
	    if (len != olen || memcmp(inSig + off, outSig, (size_t) len)) {
		continue;
	    }
	    one.plainObj = plain[j];
	    one.exactObj = exact[j];
	    pick = DbusExactPick(&one, (*objvPtr)[i]);
	    if (pick == (*objvPtr)[i]) {
		continue;
	    }
	    if (listPtr == NULL) {
		listPtr = Tcl_NewListObj(objc, *objvPtr);
		Tcl_IncrRefCount(listPtr);
	    }
	    Tcl_ListObjReplace(NULL, listPtr, i, 1, 1, &pick);
	    break;
	}
    }
    if (listPtr != NULL) {
	Tcl_ListObjGetElements(NULL, listPtr, &nIn, objvPtr);
	*holdPtr = listPtr;
    }
}

static int
SendReturn(
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *call,
    DbifDef *defPtr,
    Tcl_Obj *valuePtr,
    const DbusExact *argsPtr)	/* the call's arguments, or NULL */
{
    Tcl_Size nOut = 0, objc = 0;
    Tcl_Obj **objv = NULL, *holdPtr = NULL;
    int code;

    if (!DbusMessageWantsReply(call)) {
	return TCL_OK;
    }
    if (defPtr != NULL) {
	Tcl_ListObjLength(NULL, defPtr->outSigs, &nOut);
    }
    Tcl_IncrRefCount(valuePtr);
    if (nOut == 1) {
	objc = 1;
	objv = &valuePtr;
    } else if (nOut > 1) {
	if (Tcl_ListObjGetElements(interp, valuePtr, &objc, &objv)
		!= TCL_OK) {
	    Tcl_DecrRefCount(valuePtr);
	    return TCL_ERROR;
	}
    }
    if (argsPtr != NULL && objc > 0) {
	ExactOutputs(call, defPtr, argsPtr, objc, &objv, &holdPtr);
    }
    code = DbusSendReturn(interp, connPtr, call,
	    nOut ? defPtr->outSig : NULL, objc, objv);
    if (holdPtr != NULL) {
	Tcl_DecrRefCount(holdPtr);
    }
    Tcl_DecrRefCount(valuePtr);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifFindProto --
 *
 *	The prototype of a list with the given signature, or NULL.
 *
 * Results:
 *	The prototype (borrowed from the list) or NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

DbifProto *
DbifFindProto(
    DbifProto *protoPtr,
    const char *sig)
{
    for (; protoPtr != NULL; protoPtr = protoPtr->nextPtr) {
	if (strcmp(Tcl_GetString(protoPtr->sig), sig) == 0) {
	    return protoPtr;
	}
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * NodeMethod --
 *
 *	The prototype list of method member in a node's method table.
 *
 * Results:
 *	The list's first prototype (borrowed), or NULL when nodePtr is NULL or
 *	has no such method.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static DbifProto *
NodeMethod(
    DbifNode *nodePtr,
    const char *member)
{
    Tcl_HashEntry *hPtr;

    if (nodePtr == NULL) {
	return NULL;
    }
    hPtr = Tcl_FindHashEntry(&nodePtr->methods, member);
    return hPtr ? (DbifProto *) Tcl_GetHashValue(hPtr) : NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * AppendSigs --
 *
 *	Append the signatures of a prototype list to dsPtr, for the
 *	InvalidArgs text (quoted by the caller, joined by ', ').
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static void
AppendSigs(
    Tcl_DString *dsPtr,
    DbifProto *protoPtr)
{
    for (; protoPtr != NULL; protoPtr = protoPtr->nextPtr) {
	if (Tcl_DStringLength(dsPtr) > 0) {
	    Tcl_DStringAppend(dsPtr, "', '", 4);
	}
	Tcl_DStringAppend(dsPtr, Tcl_GetString(protoPtr->sig), -1);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * PlainArgs --
 *
 *	The arguments a body gets (no -details) from their exact form: each
 *	argument of the message made plain again (DbusPlainFromExact).
 *
 * Results:
 *	A new list (refcount 0).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
PlainArgs(
    const char *sig,		/* the message's signature */
    Tcl_Obj *exactPtr)		/* list of its arguments, -details form */
{
    Tcl_Obj **elems, *listPtr;
    Tcl_Size n, k;
    int off, len;

    Tcl_ListObjGetElements(NULL, exactPtr, &n, &elems);
    listPtr = Tcl_NewListObj(n, NULL);
    for (k = 0, off = 0; k < n && sig[off] != '\0'; k++, off += len) {
	len = DbusSignatureTypeLength(sig + off, (int) strlen(sig + off));
	Tcl_ListObjAppendElement(NULL, listPtr,
		DbusPlainFromExact(sig + off, len, elems[k]));
    }
    return listPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * FindMethodProto --
 *
 *	The prototype of a dbif method that an incoming call asks for: at
 *	its path first, then at the universal path "", the one whose input
 *	signature is the call's.  A call carrying unix file descriptors to
 *	a method that declares no argument of type h (they came inside a
 *	variant) is refused.
 *
 * Results:
 *	The prototype, or NULL when an error reply (UnknownMethod,
 *	UnknownInterface, InvalidArgs naming the accepted signatures or
 *	refusing the descriptors) was sent instead.
 *
 * Side effects:
 *	May send an error reply.
 *
 *----------------------------------------------------------------------
 */

static DbifProto *
FindMethodProto(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg)		/* the call; borrowed */
{
    const char *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    const char *intf = DbusMessageField(msg, DBUS_FIELD_INTERFACE);
    const char *member = DbusMessageField(msg, DBUS_FIELD_MEMBER);
    const char *sig = DbusMessageField(msg, DBUS_FIELD_SIGNATURE);
    const char *handle = Tcl_GetString(DbusConnHandle(connPtr));
    DbifNode *nodePtr, *uniPtr;
    DbifProto *protoPtr, *here, *any;
    Tcl_DString ds;

    if (intf == NULL || path == NULL || member == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_METHOD,
		"No such method '%s' (no interface given)",
		member ? member : "");
	return NULL;
    }
    nodePtr = DbifFindNode(dataPtr, handle, path, intf);
    if (nodePtr == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_INTERFACE,
		"No such interface '%s' at object path '%s'", intf, path);
	return NULL;
    }
    uniPtr = DbifFindNode(dataPtr, handle, "", intf);
    here = NodeMethod(nodePtr, member);
    any = (uniPtr != nodePtr) ? NodeMethod(uniPtr, member) : NULL;
    protoPtr = DbifFindProto(here, sig);
    if (protoPtr == NULL) {
	protoPtr = DbifFindProto(any, sig);
    }
    if (protoPtr != NULL) {
	if (DbusMessageHasFds(msg)
		&& strchr(Tcl_GetString(protoPtr->sig), 'h') == NULL) {
	    /*
	     * Descriptors where none are declared (inside a variant): no
	     * channel is made for them, libdbus closes them with the
	     * message.
	     */

	    DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
		    "Method '%s' in interface '%s' at object path '%s' "
		    "takes no file descriptors", member, intf, path);
	    return NULL;
	}
	return protoPtr;
    }
    if (here == NULL && any == NULL) {
	DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_METHOD,
		"No such method '%s' in interface '%s' at object path "
		"'%s' (signature '%s')", member, intf, path, sig);
	return NULL;
    }
    Tcl_DStringInit(&ds);
    AppendSigs(&ds, here);
    AppendSigs(&ds, any);
    DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
	    "Invalid arguments for method '%s' in interface '%s' at "
	    "object path '%s': expected signature '%s', got '%s'",
	    member, intf, path, Tcl_DStringValue(&ds), sig);
    Tcl_DStringFree(&ds);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * CallArgs --
 *
 *	The arguments a method body gets from a call; when a variant could
 *	be sent back by the reply, their exact form too (E7).
 *
 * Results:
 *	A new list (refcount 0), or NULL with the error in interp.
 *	*exactPtr: the exact form (refcount 0) or NULL.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
CallArgs(
    Tcl_Interp *interp,
    DBusMessage *msg,		/* the call; borrowed */
    DbifDef *defPtr,
    Tcl_Obj **exactPtr)		/* out */
{
    const char *sig = DbusMessageField(msg, DBUS_FIELD_SIGNATURE);

    *exactPtr = NULL;
    if (!(defPtr->flags & DBUS_FLAG_DETAILS) && DbusSigHasVariant(sig, -1)
	    && defPtr->outSig != NULL
	    && DbusSigHasVariant(Tcl_GetString(defPtr->outSig), -1)) {
	*exactPtr = DbusUnmarshalArgs(interp, msg, DBUS_FLAG_DETAILS);
	return (*exactPtr == NULL) ? NULL : PlainArgs(sig, *exactPtr);
    }
    return DbusUnmarshalArgs(interp, msg, defPtr->flags & DBUS_FLAG_DETAILS);
}

/*
 *----------------------------------------------------------------------
 *
 * AnswerCall --
 *
 *	After a method body ran: unless it answered itself (dbif return or
 *	error), answer the call from its completion: an error becomes
 *	Failed, an -async method or "return -async 1" keeps the message id
 *	alive for a later answer, anything else is the reply.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sends the reply or an error reply; frees the message id record or
 *	starts its expiry timer; resets target's result.
 *
 *----------------------------------------------------------------------
 */

static void
AnswerCall(
    DbifData *dataPtr,
    DbusConn *connPtr,
    DBusMessage *msg,		/* the call; borrowed */
    DbifDef *defPtr,
    Tcl_Obj *idPtr,		/* the call's message id; borrowed */
    int code,			/* the body's completion code */
    Tcl_Interp *target)		/* the interp the body ran in */
{
    DbifMsg *msgPtr = DbifMsgLookup(dataPtr, Tcl_GetString(idPtr));
    Tcl_Obj *resPtr;

    if (msgPtr == NULL) {
	/* answered by the body, or the object was deleted */
    } else if (code == TCL_ERROR) {
	DbusSendErrorObj(connPtr, msg, DBUS_ERROR_FAILED,
		Tcl_GetObjResult(target));
	DbifMsgFree(msgPtr);
    } else if ((defPtr->flags & DBIF_ASYNC)
	    || DbusResultIsAsync(target, code, dataPtr->coreData)) {
	/*
	 * Also when the caller wants no reply: the script answers later
	 * all the same, and its dbif return / dbif error must find the id
	 * (they send nothing then).  Remote peers must not grow the table
	 * without bound: beyond DBIF_MAX_PENDING_MSGS the call is refused.
	 */

	if (dataPtr->messages.numEntries > DBIF_MAX_PENDING_MSGS) {
	    if (DbusMessageWantsReply(msg)) {
		DbusSendErrorf(connPtr, msg, DBUS_ERROR_LIMITS_EXCEEDED,
			"Too many unanswered calls (%d) of -async methods",
			DBIF_MAX_PENDING_MSGS);
	    }
	    DbifMsgFree(msgPtr);
	} else {
	    msgPtr->timer = Tcl_CreateTimerHandler(DBIF_MSG_LIFETIME,
		    MsgExpire, msgPtr);
	}
    } else {
	resPtr = Tcl_GetObjResult(target);
	Tcl_IncrRefCount(resPtr);
	if (SendReturn(target, connPtr, msg, defPtr, resPtr, &msgPtr->args)
		!= TCL_OK) {
	    DbusSendErrorObj(connPtr, msg, DBUS_ERROR_FAILED,
		    Tcl_GetObjResult(target));
	}
	Tcl_DecrRefCount(resPtr);
	DbifMsgFree(msgPtr);
    }
    Tcl_ResetResult(target);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifMethodProc --
 *
 *	Core handler of every dbif method: dispatch (reference 4.9 and
 *	DECISIONS rule 15), run the body, answer.
 *
 * Results:
 *	TCL_OK (answered here), or TCL_ERROR with a result for the core's
 *	Failed reply.
 *
 * Side effects:
 *	Makes a message id (freed once answered, or after DBIF_MSG_LIFETIME
 *	for -async), runs the body in its interp, and answers the call
 *	(AnswerCall); over DBIF_MAX_PENDING_MSGS unanswered -async calls a
 *	LimitsExceeded error is sent instead.  The definition is held while
 *	the body runs.
 *
 *----------------------------------------------------------------------
 */

int
DbifMethodProc(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    DbifProto *protoPtr = FindMethodProto(dataPtr, connPtr, msg);
    DbifDef *defPtr;
    DbifMsg *msgPtr;
    Tcl_Obj *argsPtr, **av, *idPtr, *exactPtr;
    Tcl_Interp *target;
    Tcl_Size ac;
    int code;

    if (protoPtr == NULL) {
	return TCL_OK;			/* answered with an error */
    }
    defPtr = protoPtr->defPtr;
    if ((defPtr->flags & DBIF_ASYNC)
	    && dataPtr->messages.numEntries >= DBIF_MAX_PENDING_MSGS) {
	/*
	 * Remote peers must not grow the table of unanswered calls
	 * without bound (their ids live DBIF_MSG_LIFETIME).
	 */

	if (DbusMessageWantsReply(msg)) {
	    DbusSendErrorf(connPtr, msg, DBUS_ERROR_LIMITS_EXCEEDED,
		    "Too many unanswered calls (%d) of -async methods",
		    DBIF_MAX_PENDING_MSGS);
	}
	return TCL_OK;
    }
    defPtr->refCount++;
    argsPtr = CallArgs(interp, msg, defPtr, &exactPtr);
    if (argsPtr == NULL) {
	DbifDefRelease(defPtr);
	return TCL_ERROR;
    }
    Tcl_IncrRefCount(argsPtr);
    Tcl_ListObjGetElements(NULL, argsPtr, &ac, &av);
    msgPtr = DbifMsgNew(dataPtr, connPtr, msg, defPtr);
    if (exactPtr != NULL) {
	DbusExactSet(&msgPtr->args, argsPtr, exactPtr);
    }
    idPtr = msgPtr->id;
    Tcl_IncrRefCount(idPtr);
    code = DbifRunBody(dataPtr, defPtr, idPtr, (int) ac, av, &target);
    Tcl_DecrRefCount(argsPtr);

    /*
     * The body may have answered (dbif return/error) or deleted things.
     */

    AnswerCall(dataPtr, connPtr, msg, defPtr, idPtr, code, target);
    Tcl_DecrRefCount(idPtr);
    DbifDefRelease(defPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * Prototype lists.
 *
 *----------------------------------------------------------------------
 */

/*
 *----------------------------------------------------------------------
 *
 * DbifProtosFree --
 *
 *	Free a prototype list: each prototype's signature and its reference to
 *	the definition.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Releases the signatures and definitions (DbifDefRelease), frees the
 *	records.
 *
 *----------------------------------------------------------------------
 */

void
DbifProtosFree(
    DbifProto *protoPtr)
{
    while (protoPtr != NULL) {
	DbifProto *nextPtr = protoPtr->nextPtr;

	Tcl_DecrRefCount(protoPtr->sig);
	DbifDefRelease(protoPtr->defPtr);
	ckfree((char *) protoPtr);
	protoPtr = nextPtr;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifAddProtos --
 *
 *	Add a definition's prototypes to a list: one per accepted input
 *	signature (its required arguments, then each optional one more); a
 *	prototype of the same signature is taken over by the new definition.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	New prototypes are appended (owned by the list, freed by
 *	DbifProtosFree); each holds a reference to defPtr and its signature; a
 *	replaced prototype's old definition is released.
 *
 *----------------------------------------------------------------------
 */

void
DbifAddProtos(
    DbifProto **headPtr,
    DbifDef *defPtr)
{
    Tcl_Size n, k;

    Tcl_ListObjLength(NULL, defPtr->inSigs, &n);
    for (k = defPtr->nRequired; k <= n; k++) {
	Tcl_Obj *sigObj = DbifJoinSigs(defPtr->inSigs, k);
	DbifProto *protoPtr, **pp;

	Tcl_IncrRefCount(sigObj);
	protoPtr = DbifFindProto(*headPtr, Tcl_GetString(sigObj));
	if (protoPtr != NULL) {
	    DbifDefRelease(protoPtr->defPtr);
	    Tcl_DecrRefCount(sigObj);
	} else {
	    protoPtr = (DbifProto *) ckalloc(sizeof(DbifProto));
	    protoPtr->sig = sigObj;
	    protoPtr->nextPtr = NULL;
	    for (pp = headPtr; *pp != NULL; pp = &(*pp)->nextPtr) {
	    }
	    *pp = protoPtr;
	}
	protoPtr->defPtr = defPtr;
	defPtr->refCount++;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TakeCall, CallDone --
 *
 *	The two ends of answering a method call by its message id (dbif
 *	return and dbif error).  TakeCall looks the id up and retires it,
 *	keeping what the answer needs; CallDone lets go of that again.
 *
 * Results:
 *	TakeCall: TCL_OK, or TCL_ERROR {DBUS MESSAGEID id} when the id is
 *	unknown, answered, expired or not a method call.  CallDone: code,
 *	with the interp result reset when it is TCL_OK.
 *
 * Side effects:
 *	TakeCall frees the message id record; *callPtr gets a message
 *	reference, *connPtrPtr is Tcl_Preserve'd (both released by
 *	CallDone), *defPtrPtr (when not NULL) gets a reference to the
 *	method definition or NULL (caller releases with DbifDefRelease).
 *
 *----------------------------------------------------------------------
 */

static int
TakeCall(
    Tcl_Interp *interp,
    DbifData *dataPtr,
    Tcl_Obj *idObj,		/* message id; borrowed */
    DBusMessage **callPtr,	/* out: reference held */
    DbusConn **connPtrPtr,	/* out: preserved */
    DbifDef **defPtrPtr,	/* out: reference held; may be NULL */
    DbusExact *argsPtr)		/* out: the call's arguments (references
				 * handed over); may be NULL */
{
    DbifMsg *msgPtr = DbifMsgLookup(dataPtr, Tcl_GetString(idObj));

    if (msgPtr == NULL || DbusMessageType(msgPtr->msg)
	    != DBUS_MESSAGE_TYPE_METHOD_CALL) {
	return NoMessage(interp, Tcl_GetString(idObj), 0);
    }
    *callPtr = DbusMessageRetain(msgPtr->msg);
    *connPtrPtr = msgPtr->connPtr;
    Tcl_Preserve(msgPtr->connPtr);
    if (defPtrPtr != NULL) {
	*defPtrPtr = msgPtr->defPtr;
	if (msgPtr->defPtr != NULL) {
	    msgPtr->defPtr->refCount++;
	}
    }
    if (argsPtr != NULL) {
	*argsPtr = msgPtr->args;
	msgPtr->args.plainObj = msgPtr->args.exactObj = NULL;
    }
    DbifMsgFree(msgPtr);
    return TCL_OK;
}

static int
CallDone(
    Tcl_Interp *interp,
    DBusMessage *call,		/* reference released */
    DbusConn *connPtr,		/* released */
    int code)
{
    DbusMessageRelease(call);
    Tcl_Release(connPtr);
    if (code == TCL_OK) {
	Tcl_ResetResult(interp);
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifErrorCmd, DbifReturnCmd --
 *
 *	dbif error messageID message ?errorName?
 *	dbif return messageID value
 *
 * Results:
 *	TCL_OK with an empty result, or TCL_ERROR: wrong # args, "Invalid
 *	error name" {DBUS INVALID ERRORNAME n}, an unknown or answered message
 *	id, a closed connection.
 *
 * Side effects:
 *	Sends the error reply (nothing when the caller wants none) or the
 *	return (SendReturn, converted by the method's outputs); the message id
 *	is used up (CallDone).
 *
 *----------------------------------------------------------------------
 */

int
DbifErrorCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifData *dataPtr = DbifGetData(interp);
    const char *name = DBUS_ERROR_FAILED;
    DBusMessage *call;
    DbusConn *connPtr;
    int code = TCL_OK;

    (void) clientData;
    if (objc < 3 || objc > 4) {
	return DbifWrongArgs(interp, "error messageID message ?errorName?");
    }
    if (objc == 4) {
	name = Tcl_GetString(objv[3]);
	if (!DbusValidName(DBUS_NAME_ERROR, name, objv[3]->length)) {
	    return DbusError(interp, DBUS_EC_INVALID, "ERRORNAME", name,
		    "Invalid error name: \"%s\".", name);
	}
    }
    if (TakeCall(interp, dataPtr, objv[1], &call, &connPtr,
	    NULL, NULL) != TCL_OK) {
	return TCL_ERROR;
    }
    if (DbusMessageWantsReply(call)) {
	code = DbusConnCheckOpen(interp, connPtr);
	if (code == TCL_OK && DbusSendErrorObj(connPtr, call, name, objv[2])
		!= TCL_OK) {
	    code = DbusNoMemory(interp);
	}
    }
    return CallDone(interp, call, connPtr, code);
}

int
DbifReturnCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbifData *dataPtr = DbifGetData(interp);
    DBusMessage *call;
    DbusConn *connPtr;
    DbifDef *defPtr;
    DbusExact args;
    int code;

    (void) clientData;
    if (objc != 3) {
	return DbifWrongArgs(interp, "return messageID value");
    }
    if (TakeCall(interp, dataPtr, objv[1], &call, &connPtr,
	    &defPtr, &args) != TCL_OK) {
	return TCL_ERROR;
    }
    code = SendReturn(interp, connPtr, call, defPtr, objv[2], &args);
    DbusExactClear(&args);
    DbifDefRelease(defPtr);
    return CallDone(interp, call, connPtr, code);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifGetCmd, DbifGetObjCmd --
 *
 *	dbif get messageID name
 *	The NR-enabled DbifGetCmd lets "dbif get msgid credentials" yield
 *	inside a coroutine while the bus daemon is asked.
 *
 * Results:
 *	TCL_OK with the value asked for ("" for a field the message lacks), or
 *	TCL_ERROR: wrong # args, unknown message id, unknown property, the
 *	credentials' errors.
 *
 * Side effects:
 *	credentials may ask the bus daemon (DbusCredentialsNR: yields inside a
 *	coroutine); the others only read the message.
 *
 *----------------------------------------------------------------------
 */

int
DbifGetObjCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    return Tcl_NRCallObjProc(interp, DbifGetCmd, clientData, objc, objv);
}

int
DbifGetCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const char *const keys[] = {
	"autostart", "bus", "credentials", "destination", "errorname",
	"interface", "member", "messagetype", "noreply", "path",
	"replyserial", "sender", "serial", "signature", NULL
    };
    DbifData *dataPtr = DbifGetData(interp);
    DbifMsg *msgPtr;
    Tcl_Obj *infoPtr, *valPtr = NULL;
    int index;

    (void) clientData;
    if (objc != 3) {
	return DbifWrongArgs(interp, "get messageID name");
    }
    msgPtr = DbifMsgLookup(dataPtr, Tcl_GetString(objv[1]));
    if (msgPtr == NULL) {
	return NoMessage(interp, Tcl_GetString(objv[1]), 1);
    }
    if (Tcl_GetIndexFromObj(interp, objv[2], keys, "property", TCL_EXACT,
	    &index) != TCL_OK) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("Unknown property: \"%s\". "
		"Must be autostart, bus, credentials, destination, errorname, "
		"interface, member, messagetype, noreply, path, replyserial, "
		"sender, serial, or signature", Tcl_GetString(objv[2])));
	return TCL_ERROR;
    }
    if (index == 1) {
	Tcl_SetObjResult(interp, DbusConnHandle(msgPtr->connPtr));
	return TCL_OK;
    }
    if (index == 2) {
	/*
	 * The caller's credentials: from the bus for its sender, from the
	 * socket on a peer-to-peer connection (no sender).
	 */

	return DbusCredentialsNR(interp, msgPtr->connPtr,
		DbusMessageField(msgPtr->msg, DBUS_FIELD_SENDER));
    }
    infoPtr = DbusMessageInfo(DbusGetInterpData(interp), msgPtr->msg);
    Tcl_IncrRefCount(infoPtr);
    Tcl_DictObjGet(NULL, infoPtr, objv[2], &valPtr);
    Tcl_SetObjResult(interp, valPtr ? valPtr : Tcl_NewObj());
    Tcl_DecrRefCount(infoPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * NewMethodDef --
 *
 *	The definition of a dbif method: its input and output argument
 *	lists, the interp and body.
 *
 * Results:
 *	A new definition (one reference, the caller's), or NULL with the
 *	error in interp.
 *
 * Side effects:
 *	None beyond the definition.
 *
 *----------------------------------------------------------------------
 */

static DbifDef *
NewMethodDef(
    Tcl_Interp *interp,
    Tcl_Obj *inObj,		/* input arguments or NULL */
    Tcl_Obj *outObj,		/* output arguments or NULL */
    Tcl_Obj *interpObj,		/* child interp or NULL */
    Tcl_Obj *bodyObj)
{
    DbifDef *defPtr = DbifDefNew();
    Tcl_Obj *params = Tcl_NewListObj(0, NULL);
    int code;

    Tcl_IncrRefCount(params);
    Tcl_ListObjAppendElement(NULL, params, Tcl_NewStringObj("msgid", 5));
    code = (inObj ? DbifParseArgList(interp, inObj, 1, defPtr->inNames,
	    defPtr->inSigs, params, &defPtr->nRequired) : TCL_OK);
    if (code == TCL_OK && outObj) {
	code = DbifParseArgList(interp, outObj, 0, defPtr->outNames,
		defPtr->outSigs, NULL, NULL);
    }
    if (code == TCL_OK) {
	code = DbifDefSetBody(interp, defPtr, interpObj, params, bodyObj);
    }
    Tcl_DecrRefCount(params);
    if (code != TCL_OK) {
	DbifDefRelease(defPtr);
	return NULL;
    }
    Tcl_DecrRefCount(defPtr->outSig);
    defPtr->outSig = DbifJoinSigs(defPtr->outSigs, 255);
    Tcl_IncrRefCount(defPtr->outSig);
    return defPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * MethodAdd --
 *
 *	Second step of "dbif method" with a body: file a checked definition
 *	under its node (created when missing) and make sure the core
 *	handler that dispatches to it is on the connection, the handler
 *	first because it can fail (another interp serves that method).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR ({DBUS INUSE METHOD key}) with nothing filed.
 *
 * Side effects:
 *	May create the node (DbifGetNode) and install the core handler
 *	(DbifInstallHandler).  On success the node's method table holds a
 *	prototype with a new reference to defPtr; the caller keeps its own.
 *
 *----------------------------------------------------------------------
 */

static int
MethodAdd(
    DbifData *dataPtr,
    DbusConn *connPtr,
    Tcl_Obj *handle,
    Tcl_Obj *path,
    Tcl_Obj *intf,
    const char *name,
    DbifDef *defPtr)		/* the caller's reference stays its own */
{
    DbifNode *nodePtr = DbifGetNode(dataPtr, handle, path, intf);
    Tcl_HashEntry *hPtr;
    DbifProto *head;
    Tcl_DString key;
    int code, isNew;

    Tcl_DStringInit(&key);
    DbifMethodKey(&key, nodePtr, name);
    code = DbifInstallHandler(dataPtr, connPtr, Tcl_GetString(path),
	    Tcl_DStringValue(&key), DbifMethodProc);
    Tcl_DStringFree(&key);
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    hPtr = Tcl_CreateHashEntry(&nodePtr->methods, name, &isNew);
    head = isNew ? NULL : (DbifProto *) Tcl_GetHashValue(hPtr);
    DbifAddProtos(&head, defPtr);
    Tcl_SetHashValue(hPtr, head);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifMethodCmd --
 *
 *	dbif method ?-async? ?-attributes a? ?-bus b? ?-details?
 *		?-interface i? path name ?inputargs ?outputargs?? ?interp? body
 *
 *	Checks the words, then an empty body removes the method with all
 *	its prototypes (DbifRemoveMethod); any other body makes a
 *	definition (NewMethodDef) that MethodAdd files.
 *
 * Results:
 *	TCL_OK ("" result) or TCL_ERROR: wrong arguments {TCL WRONGARGS},
 *	a bad path, name, interface, attribute or argument list
 *	{DBUS INVALID ...}, not connected {DBUS NOTCONNECTED bus}, the
 *	method served by another interp {DBUS INUSE METHOD key}.
 *
 * Side effects:
 *	See MethodAdd and DbifRemoveMethod.  The attribute dictionary is
 *	held by the definition.
 *
 *----------------------------------------------------------------------
 */

int
DbifMethodCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    static const DbifOption opts[] = {
	{"-async", 0}, {"-attributes", 1}, {"-bus", 1}, {"-details", 0},
	{"-interface", 1}, {NULL, 0}
    };
    enum { M_ASYNC, M_ATTRS, M_BUS, M_DETAILS, M_INTF };
    static const char *usage = "method ?-async? ?-attributes attributes? "
	    "?-bus bustype? ?-details? ?-interface interface? path name "
	    "?inputargs ?outputargs?? ?interp? body";
    DbifData *dataPtr = DbifGetData(interp);
    Tcl_Obj *values[5] = {NULL, NULL, NULL, NULL, NULL};
    Tcl_Obj *handle, *intf, *attrs, *bodyObj;
    DbusConn *connPtr;
    DbifNode *nodePtr;
    DbifDef *defPtr;
    Tcl_HashEntry *hPtr;
    const char *name;
    int i = 1, n, code;

    (void) clientData;
    if (DbifParseOptions(interp, opts, objc, objv, &i, values) != TCL_OK) {
	return TCL_ERROR;
    }
    n = objc - i;
    if (n < 3 || n > 6) {
	return DbifWrongArgs(interp, usage);
    }
    bodyObj = objv[objc - 1];
    intf = values[M_INTF] ? values[M_INTF] : dataPtr->defaultIntf;
    if (DbifCheckPath(interp, objv[i], 1) != TCL_OK
	    || DbifCheckMember(interp, objv[i + 1], "Name") != TCL_OK
	    || DbifCheckInterface(interp, intf) != TCL_OK
	    || DbifResolveBus(interp, dataPtr, values[M_BUS], &handle,
	    &connPtr) != TCL_OK
	    || DbifParseAttributes(interp, values[M_ATTRS], &attrs)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    if (attrs) {
	Tcl_IncrRefCount(attrs);	/* passes to the definition */
    }
    name = Tcl_GetString(objv[i + 1]);
    if (Tcl_GetCharLength(bodyObj) == 0) {
	nodePtr = DbifFindNode(dataPtr, Tcl_GetString(handle),
		Tcl_GetString(objv[i]), Tcl_GetString(intf));
	if (nodePtr && (hPtr = Tcl_FindHashEntry(&nodePtr->methods, name))) {
	    DbifRemoveMethod(dataPtr, nodePtr, hPtr);
	}
	if (attrs) {
	    Tcl_DecrRefCount(attrs);
	}
	return TCL_OK;
    }
    defPtr = NewMethodDef(interp, (n >= 4) ? objv[i + 2] : NULL,
	    (n >= 5) ? objv[i + 3] : NULL, (n == 6) ? objv[i + 4] : NULL,
	    bodyObj);
    if (defPtr == NULL) {
	if (attrs) {
	    Tcl_DecrRefCount(attrs);
	}
	return TCL_ERROR;
    }
    defPtr->attrs = attrs;
    if (values[M_ASYNC]) {
	defPtr->flags |= DBIF_ASYNC;
    }
    if (values[M_DETAILS]) {
	defPtr->flags |= DBUS_FLAG_DETAILS;
    }
    code = MethodAdd(dataPtr, connPtr, handle, objv[i], intf, name, defPtr);
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
