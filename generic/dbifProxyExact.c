/*
 * dbifProxyExact.c --
 *
 *	Client proxies of dbif (EXTENSIONS.md E4), part four: values a
 *	proxy received keep their exact D-Bus types when they are sent back
 *	unchanged (issue 7 item 5a, E7).  A property's value travels in a
 *	variant whose type is not part of the Tcl value the script gets: a
 *	"v" property holding u 7, s "i 5", b true or o /x, or an a{sv} of
 *	such, would be set back with the variant rules of dbus.n (explicit
 *	form, else a guess) as i 7, i 5, i 1, s /x...  So the proxy keeps,
 *	next to the plain value, the value in its -details form (every
 *	variant {sig value}, dbusExact.c) for every received value that
 *	could lose its type:
 *
 *	  - a property: the content of the variant it came in (GetAll, Get,
 *	    PropertiesChanged), kept as an entry of type "v";
 *	  - a method reply argument whose type holds a variant.
 *
 *	While the script passes the value back unchanged (the same object
 *	or an equal string) to "$p set", a linked variable or a method
 *	argument of a fitting type, the exact form is what is sent.  A
 *	property has one entry (its current value); a method argument keeps
 *	the REPLIES_KEPT most recent replies, so that the values of earlier
 *	calls (several -handler calls in flight, two sync calls in a row)
 *	keep their types too, the most recent first.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifProxy.h"

/*
 * One received value with its exact form.
 */

typedef struct DbifPxExact {
    DbifPxMember *memPtr;	/* borrowed from the proxy's description:
				 * the property or method it came from */
    int index;			/* -1: a property's value; else the reply
				 * argument's index */
    Tcl_Obj *sig;		/* complete type of ex.exactObj ("v" for a
				 * property: the variant's {sig value});
				 * held */
    DbusExact ex;		/* the plain and exact forms; held */
    struct DbifPxExact *nextPtr;/* proxy's list; owned */
} DbifPxExact;

/*
 * How many replies of one method a proxy remembers (per argument whose
 * type holds a variant): a bound on what a peer's replies can make it
 * keep.
 */

#define REPLIES_KEPT	16

static DbifPxExact *	FindEntry(DbifProxy *proxyPtr,
			    DbifPxMember *memPtr, int index, int create);
static DbifPxExact *	NewReplyEntry(DbifProxy *proxyPtr,
			    DbifPxMember *memPtr, int index);
static void		EntryFree(DbifPxExact *entPtr);
static DbifPxExact *	PushEntry(DbifProxy *proxyPtr, DbifPxMember *memPtr,
			    int index);
static Tcl_Obj *	PickFor(DbifProxy *proxyPtr, const char *type,
			    int typeLen, Tcl_Obj *valuePtr);

/*
 *----------------------------------------------------------------------
 *
 * PushEntry --
 *
 *	A new, empty entry for (memPtr, index) at the head of the proxy's
 *	list.
 *
 * Results:
 *	The entry (owned by the proxy's list, freed by EntryFree).
 *
 * Side effects:
 *	Allocates the entry and links it in.
 *
 *----------------------------------------------------------------------
 */

static DbifPxExact *
PushEntry(
    DbifProxy *proxyPtr,
    DbifPxMember *memPtr,	/* borrowed */
    int index)			/* -1 for a property */
{
    DbifPxExact *entPtr;

    entPtr = (DbifPxExact *) ckalloc(sizeof(DbifPxExact));
    memset(entPtr, 0, sizeof(DbifPxExact));
    entPtr->memPtr = memPtr;
    entPtr->index = index;
    entPtr->nextPtr = proxyPtr->exacts;
    proxyPtr->exacts = entPtr;
    return entPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * FindEntry --
 *
 *	The proxy's entry for (memPtr, index), made when create is set.
 *
 * Results:
 *	The entry, or NULL.
 *
 * Side effects:
 *	May add an empty entry to the proxy's list.
 *
 *----------------------------------------------------------------------
 */

static DbifPxExact *
FindEntry(
    DbifProxy *proxyPtr,
    DbifPxMember *memPtr,	/* borrowed */
    int index,			/* -1 for a property */
    int create)
{
    DbifPxExact *entPtr;

    for (entPtr = proxyPtr->exacts; entPtr;
	    entPtr = entPtr->nextPtr) {
	if (entPtr->memPtr == memPtr && entPtr->index == index) {
	    return entPtr;
	}
    }
    if (!create) {
	return NULL;
    }
    return PushEntry(proxyPtr, memPtr, index);
}

/*
 *----------------------------------------------------------------------
 *
 * NewReplyEntry --
 *
 *	A new entry for argument index of a reply of the method memPtr, at
 *	the head of the proxy's list (PickFor finds the most recent reply
 *	first); the oldest entries of that argument beyond REPLIES_KEPT
 *	are freed.
 *
 * Results:
 *	The new, empty entry.
 *
 * Side effects:
 *	May free entries of the proxy's list.
 *
 *----------------------------------------------------------------------
 */

static DbifPxExact *
NewReplyEntry(
    DbifProxy *proxyPtr,
    DbifPxMember *memPtr,	/* borrowed */
    int index)			/* the reply argument's index */
{
    DbifPxExact *entPtr, **prevPtrPtr;
    int seen = 0;

    entPtr = PushEntry(proxyPtr, memPtr, index);
    for (prevPtrPtr = &entPtr->nextPtr; *prevPtrPtr != NULL; ) {
	DbifPxExact *oldPtr = *prevPtrPtr;

	if (oldPtr->memPtr == memPtr && oldPtr->index == index
		&& ++seen >= REPLIES_KEPT) {
	    *prevPtrPtr = oldPtr->nextPtr;
	    EntryFree(oldPtr);
	    continue;
	}
	prevPtrPtr = &oldPtr->nextPtr;
    }
    return entPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * EntryFree --
 *
 *	Free one entry (not linked anywhere any more).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Its references are released.
 *
 *----------------------------------------------------------------------
 */

static void
EntryFree(
    DbifPxExact *entPtr)
{
    DbusExactClear(&entPtr->ex);
    if (entPtr->sig != NULL) {
	Tcl_DecrRefCount(entPtr->sig);
    }
    ckfree((char *) entPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxExactsFree --
 *
 *	Forget every exact value of a proxy.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	The references of the entries are released; the list is freed.
 *
 *----------------------------------------------------------------------
 */

void
DbifPxExactsFree(
    DbifProxy *proxyPtr)
{
    DbifPxExact *entPtr;

    while ((entPtr = proxyPtr->exacts) != NULL) {
	proxyPtr->exacts = entPtr->nextPtr;
	EntryFree(entPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxReceived --
 *
 *	A property's value arrived as pairObj, the {sig value} -details form
 *	of its variant (Get, GetAll, PropertiesChanged).  Make the plain
 *	value the script gets, and remember the exact form when the plain
 *	value could lose its type: the property's declared type or the
 *	received one holds a variant, or they differ.
 *
 * Results:
 *	The plain value (refcount 0, or held by the entry or by pairObj):
 *	the caller takes its own reference to keep it.
 *
 * Side effects:
 *	The proxy's entry for the property is set or cleared.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifPxReceived(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,	/* the property, or NULL if unknown */
    Tcl_Obj *pairObj)		/* {sig value}; borrowed */
{
    Tcl_Obj *plainObj = DbusPlainFromExact("v", 1, pairObj), *sigObj;
    DbifPxExact *entPtr;
    Tcl_Size dlen, rlen;
    const char *dsig, *rsig;
    int keep;

    if (propPtr == NULL) {
	return plainObj;
    }
    dsig = Tcl_GetStringFromObj(propPtr->inSig, &dlen);
    keep = DbusSigHasVariant(dsig, (int) dlen);
    if (!keep) {
	if (Tcl_ListObjIndex(NULL, pairObj, 0, &sigObj) != TCL_OK
		|| sigObj == NULL) {
	    return plainObj;
	}
	rsig = Tcl_GetStringFromObj(sigObj, &rlen);
	keep = DbusSigHasVariant(rsig, (int) rlen) || rlen != dlen
		|| memcmp(rsig, dsig, (size_t) dlen) != 0;
    }
    entPtr = FindEntry(proxyPtr, propPtr, -1, keep);
    if (entPtr == NULL) {
	return plainObj;
    }
    if (!keep) {
	DbusExactClear(&entPtr->ex);
	return plainObj;
    }
    if (entPtr->sig == NULL) {
	entPtr->sig = Tcl_NewStringObj("v", 1);
	Tcl_IncrRefCount(entPtr->sig);
    }
    DbusExactSet(&entPtr->ex, plainObj, pairObj);
    return plainObj;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxReceivedDict --
 *
 *	The a{sv} of a GetAll reply or of a PropertiesChanged signal, in its
 *	-details form, for interface intfObj: each known property takes its
 *	value (DbifPxReceived, then the cache and linked variables).
 *
 * Results:
 *	The dict the script gets (name -> plain value), refcount 0.
 *
 * Side effects:
 *	The property cache, the exact values and linked variables.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifPxReceivedDict(
    DbifProxy *proxyPtr,
    Tcl_Obj *intfObj,		/* borrowed */
    Tcl_Obj *detailsDict)	/* name {sig value} ...; borrowed */
{
    Tcl_Obj *plainDict = Tcl_NewDictObj(), *keyPtr, *pairObj, *plainObj;
    Tcl_DictSearch search;
    int done;

    if (Tcl_DictObjFirst(NULL, detailsDict, &search, &keyPtr, &pairObj,
	    &done) != TCL_OK) {
	return plainDict;
    }
    for (; !done; Tcl_DictObjNext(&search, &keyPtr, &pairObj, &done)) {
	DbifPxMember *propPtr = proxyPtr->deleted ? NULL : DbifPxFind(NULL,
		proxyPtr, DBIF_XML_PROPERTY, intfObj, keyPtr);

	plainObj = DbifPxReceived(proxyPtr, propPtr, pairObj);
	Tcl_IncrRefCount(plainObj);
	Tcl_DictObjPut(NULL, plainDict, keyPtr, plainObj);
	if (propPtr != NULL) {
	    DbifPxCacheStore(proxyPtr, propPtr, plainObj);
	}
	Tcl_DecrRefCount(plainObj);
    }
    Tcl_DictObjDone(&search);
    return plainDict;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifDetailsArgs --
 *
 *	The arguments of a received signal in the -details form (each
 *	variant {sig value}), for the subscription procs of proxies and of
 *	"dbif objects".
 *
 * Results:
 *	The list (one reference, the caller's) with its elements in *acPtr
 *	and *avPtr, or NULL when the message cannot be read (the error is
 *	dropped: a bad signal is ignored).
 *
 * Side effects:
 *	May reset interp's result.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifDetailsArgs(
    Tcl_Interp *interp,
    DBusMessage *msg,		/* borrowed */
    Tcl_Size *acPtr,		/* out */
    Tcl_Obj ***avPtr)		/* out */
{
    Tcl_Obj *argsPtr = DbusUnmarshalArgs(interp, msg, DBUS_FLAG_DETAILS);

    if (argsPtr == NULL) {
	Tcl_ResetResult(interp);
	return NULL;
    }
    Tcl_IncrRefCount(argsPtr);
    Tcl_ListObjGetElements(NULL, argsPtr, acPtr, avPtr);
    return argsPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxPropReply --
 *
 *	The reply of a Properties.Get (kind 'g') or GetAll ('a') sent for
 *	the proxy, read with -details: the values go to the cache with
 *	their exact forms, and the plain result to interp.
 *
 * Results:
 *	A Tcl result code; the plain value (Get) or dict (GetAll) in
 *	interp, or the error of an error reply.
 *
 * Side effects:
 *	The property cache, the exact values and linked variables (unless
 *	the proxy was deleted meanwhile).
 *
 *----------------------------------------------------------------------
 */

int
DbifPxPropReply(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,	/* Get: the property */
    Tcl_Obj *intfObj,		/* GetAll: the interface */
    DBusMessage *reply)		/* borrowed */
{
    Tcl_Obj *detailsObj, *plainObj;

    if (DbusReplyResult(interp, reply, DBUS_FLAG_DETAILS) != TCL_OK) {
	return TCL_ERROR;
    }
    detailsObj = Tcl_GetObjResult(interp);
    Tcl_IncrRefCount(detailsObj);
    if (intfObj != NULL) {
	plainObj = DbifPxReceivedDict(proxyPtr, intfObj, detailsObj);
    } else {
	plainObj = DbifPxReceived(proxyPtr, proxyPtr->deleted ? NULL
		: propPtr, detailsObj);
	Tcl_IncrRefCount(plainObj);
	if (!proxyPtr->deleted) {
	    DbifPxCacheStore(proxyPtr, propPtr, plainObj);
	}
	Tcl_DecrRefCount(plainObj);
    }
    Tcl_SetObjResult(interp, plainObj);
    Tcl_DecrRefCount(detailsObj);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxReplyReceived --
 *
 *	A method reply arrived for the proxy: remember the exact form of
 *	each argument whose type holds a variant, so that the value can go
 *	back unchanged as a later call's argument.  Replies without a
 *	variant cost one scan of their signature.
 *
 * Results:
 *	A Tcl result code: the plain result (as "dbus call" gives it) in
 *	interp, or the error of an error reply.
 *
 * Side effects:
 *	A new entry of the proxy for each such argument (NewReplyEntry:
 *	the REPLIES_KEPT most recent replies of the method are kept).
 *
 *----------------------------------------------------------------------
 */

int
DbifPxReplyReceived(
    Tcl_Interp *interp,
    DbifProxy *proxyPtr,
    DbifPxMember *memPtr,	/* the method called */
    DBusMessage *reply)		/* borrowed, or NULL: no reply */
{
    const char *sig, *p, *end;
    Tcl_Obj *argsPtr, **elems, *plainObj, *resultObj;
    Tcl_Size n, k;
    int len;

    sig = reply ? DbusMessageField(reply, DBUS_FIELD_SIGNATURE) : "";
    if (reply == NULL || sig == NULL || proxyPtr->deleted
	    || DbusMessageType(reply) != DBUS_MESSAGE_TYPE_METHOD_RETURN
	    || !DbusSigHasVariant(sig, -1)) {
	return DbusReplyResult(interp, reply, 0);
    }
    argsPtr = DbusUnmarshalArgs(interp, reply, DBUS_FLAG_DETAILS);
    if (argsPtr == NULL) {
	return TCL_ERROR;
    }
    Tcl_IncrRefCount(argsPtr);
    Tcl_ListObjGetElements(NULL, argsPtr, &n, &elems);
    resultObj = Tcl_NewListObj(0, NULL);
    end = sig + strlen(sig);
    for (p = sig, k = 0; k < n && p < end; k++, p += len) {
	len = DbusSignatureTypeLength(p, (int) (end - p));
	if (len <= 0) {
	    break;
	}
	plainObj = DbusPlainFromExact(p, len, elems[k]);
	Tcl_ListObjAppendElement(NULL, resultObj, plainObj);
	if (DbusSigHasVariant(p, len)) {
	    DbifPxExact *entPtr = NewReplyEntry(proxyPtr, memPtr, (int) k);

	    entPtr->sig = Tcl_NewStringObj(p, len);
	    Tcl_IncrRefCount(entPtr->sig);
	    DbusExactSet(&entPtr->ex, plainObj, elems[k]);
	}
    }
    if (n == 1) {
	Tcl_ListObjIndex(NULL, resultObj, 0, &plainObj);
	Tcl_SetObjResult(interp, plainObj);
	Tcl_DecrRefCount(resultObj);
    } else {
	Tcl_SetObjResult(interp, resultObj);
    }
    Tcl_DecrRefCount(argsPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * ValueForm --
 *
 *	An entry's received value as a value of a complete type: a reply
 *	argument is one already; a property entry holds the content of the
 *	variant the property travelled in, {sig value}: the value of the
 *	declared type when sig is that type (so a GDBus "v" property,
 *	which travels as v(v(...)), gives its inner variant), else the
 *	variant itself for a "v" property (one level, as python-dbus and
 *	dbif send it), else the value as the type received.
 *
 * Results:
 *	The type in *sigPtr and the -details form (borrowed) in *exactPtr.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static void
ValueForm(
    DbifPxExact *entPtr,
    Tcl_Obj **sigPtr,		/* out: borrowed */
    Tcl_Obj **exactPtr)		/* out: borrowed */
{
    Tcl_Obj *pair = entPtr->ex.exactObj, *psig, *pval;

    *sigPtr = entPtr->sig;
    *exactPtr = pair;
    if (entPtr->index >= 0 || Tcl_ListObjIndex(NULL, pair, 0, &psig)
	    != TCL_OK || psig == NULL || Tcl_ListObjIndex(NULL, pair, 1,
	    &pval) != TCL_OK || pval == NULL) {
	return;
    }
    if (strcmp(Tcl_GetString(psig),
	    Tcl_GetString(entPtr->memPtr->inSig)) == 0
	    || strcmp(Tcl_GetString(entPtr->memPtr->inSig), "v") != 0) {
	*sigPtr = psig;
	*exactPtr = pval;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * PickFor --
 *
 *	What to send for valuePtr as a value of the complete type type: the
 *	exact form of a received value the script passes back unchanged,
 *	when its type fits: the same type; or type "v" (the received value
 *	goes in a variant of its own type); or a received variant holding
 *	exactly that type.
 *
 * Results:
 *	A borrowed object (the exact form, or valuePtr), or a new object
 *	(refcount 0) for a received value put in a variant.
 *
 * Side effects:
 *	None (string representations may be generated).
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
PickFor(
    DbifProxy *proxyPtr,
    const char *type,		/* one complete type */
    int typeLen,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    DbifPxExact *entPtr;
    Tcl_Obj *sigObj, *exactPtr, *pair[2];
    Tcl_Size slen;
    const char *esig;

    for (entPtr = proxyPtr->exacts; entPtr; entPtr = entPtr->nextPtr) {
	if (DbusExactPick(&entPtr->ex, valuePtr) == valuePtr) {
	    continue;
	}
	ValueForm(entPtr, &sigObj, &exactPtr);
	esig = Tcl_GetStringFromObj(sigObj, &slen);
	if (slen == typeLen && memcmp(esig, type, (size_t) slen) == 0) {
	    return exactPtr;
	}
	if (typeLen == 1 && type[0] == 'v') {
	    pair[0] = sigObj;
	    pair[1] = exactPtr;
	    return Tcl_NewListObj(2, pair);
	}
	if (slen == 1 && esig[0] == 'v' && Tcl_ListObjIndex(NULL, exactPtr,
		0, &pair[0]) == TCL_OK && pair[0] != NULL
		&& Tcl_ListObjIndex(NULL, exactPtr, 1, &pair[1]) == TCL_OK
		&& pair[1] != NULL) {
	    esig = Tcl_GetStringFromObj(pair[0], &slen);
	    if (slen == typeLen && memcmp(esig, type, (size_t) slen) == 0) {
		return pair[1];
	    }
	}
    }
    return valuePtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxExactSet --
 *
 *	The variant argument of a Properties.Set of propPtr to valuePtr:
 *	the exact form when valuePtr is a value the proxy received for
 *	that property (or another received value of the property's type),
 *	else {type value} with the introspected type (a "v" property: the
 *	value itself, by the variant rules).
 *
 * Results:
 *	A new object (refcount 0) or a borrowed one; the caller takes a
 *	reference while it uses it.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifPxExactSet(
    DbifProxy *proxyPtr,
    DbifPxMember *propPtr,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    DbifPxExact *entPtr = FindEntry(proxyPtr, propPtr, -1, 0);
    Tcl_Obj *pickPtr, *pair[2];
    Tcl_Size len;
    const char *sig = Tcl_GetStringFromObj(propPtr->inSig, &len);

    if (entPtr != NULL) {
	pickPtr = DbusExactPick(&entPtr->ex, valuePtr);
	if (pickPtr != valuePtr) {
	    return pickPtr;
	}
    }
    if (proxyPtr->exacts != NULL) {
	pickPtr = PickFor(proxyPtr, sig, (int) len, valuePtr);
	if (pickPtr != valuePtr) {
	    pair[0] = propPtr->inSig;
	    pair[1] = pickPtr;
	    return Tcl_NewListObj(2, pair);
	}
    }
    pair[0] = propPtr->inSig;
    pair[1] = valuePtr;
    return Tcl_NewListObj(2, pair);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxExactArgs --
 *
 *	The arguments of a method call: each argument whose introspected
 *	type holds a variant and whose value is one the proxy received
 *	(unchanged) is replaced by its exact form.
 *
 * Results:
 *	1 when objv was copied to *newObjvPtr (ckalloc'd, the caller
 *	frees it; the elements are held and the caller releases them),
 *	0 when nothing was replaced.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbifPxExactArgs(
    DbifProxy *proxyPtr,
    DbifPxMember *memPtr,	/* the method */
    int objc,
    Tcl_Obj *const objv[],	/* borrowed */
    Tcl_Obj ***newObjvPtr)	/* out */
{
    Tcl_Obj **types, **newObjv = NULL, *pickPtr;
    Tcl_Size n, len;
    const char *type;
    int i, j;

    if (proxyPtr->exacts == NULL || DbusSigHasVariant(Tcl_GetString(
	    memPtr->inSig), -1) == 0) {
	return 0;
    }
    Tcl_ListObjGetElements(NULL, memPtr->inTypes, &n, &types);
    for (i = 0; i < objc && i < n; i++) {
	type = Tcl_GetStringFromObj(types[i], &len);
	if (!DbusSigHasVariant(type, (int) len)) {
	    continue;
	}
	pickPtr = PickFor(proxyPtr, type, (int) len, objv[i]);
	if (pickPtr == objv[i]) {
	    continue;
	}
	if (newObjv == NULL) {
	    newObjv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * objc);
	    for (j = 0; j < objc; j++) {
		newObjv[j] = objv[j];
		Tcl_IncrRefCount(newObjv[j]);
	    }
	}
	Tcl_IncrRefCount(pickPtr);
	Tcl_DecrRefCount(newObjv[i]);
	newObjv[i] = pickPtr;
    }
    *newObjvPtr = newObjv;
    return newObjv != NULL;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
