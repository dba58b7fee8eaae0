/*
 * dbusExact.c --
 *
 *	Values received from the bus keep their exact D-Bus types when they
 *	are sent back unchanged (E7).  A variant's type is not part of its
 *	Tcl value: a received "s" holding "i 5", a "u 7", a "b true", an
 *	"o /x" or an a{sv} would be re-sent by the variant rules of
 *	dbus.n (explicit form, else a guess) as i 5, i 7, i 1, s /x, as...
 *	So where a received value is stored and may be sent again (a dbif
 *	property set by a client, the arguments of a dbif method call that
 *	its "dbif return" may send back, a proxy's cache), the receiver keeps
 *	a DbusExact: the value as the script sees it together with the same
 *	value in the -details form, every variant written {sig value}.
 *	While the script's value is unchanged (the same object or an equal
 *	string), the -details form is what is sent: the {sig value} form of
 *	each variant converts (it came from the bus), so every type is the
 *	one received.  Once the script stores another value, the ordinary
 *	rules apply to it.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DbusSigHasVariant --
 *
 *	Does a signature contain a variant anywhere?  Only then can a value
 *	of that type lose type information.
 *
 * Results:
 *	1 or 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusSigHasVariant(
    const char *sig,
    int sigLen)			/* bytes, or -1: NUL-terminated */
{
    if (sigLen < 0) {
	sigLen = (int) strlen(sig);
    }
    return memchr(sig, 'v', (size_t) sigLen) != NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusPlainFromExact --
 *
 *	The value a script gets without -details, made from the -details
 *	form of a value of the complete type sig: each variant {sig value}
 *	becomes its value, recursively.  Parts without a variant are shared,
 *	not copied.
 *
 * Results:
 *	exactObj itself when sig has no variant (or the value is not of the
 *	expected shape), else a new object (refcount 0).
 *
 * Side effects:
 *	May convert exactObj and its elements to lists.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusPlainFromExact(
    const char *sig,		/* one complete type */
    int sigLen,
    Tcl_Obj *exactObj)		/* borrowed */
{
    Tcl_Obj **elems, *listPtr;
    Tcl_Size n, k;
    const char *p, *end = sig + sigLen;
    int len, klen, vlen;

    if (!DbusSigHasVariant(sig, sigLen)
	    || Tcl_ListObjGetElements(NULL, exactObj, &n, &elems) != TCL_OK) {
	return exactObj;
    }
    switch (sig[0]) {
    case 'v': {
	char buf[DBUS_MAX_SIG_LEN + 1];	/* a copy: elems[0] may shimmer */

	p = Tcl_GetString(elems[0]);
	len = (int) strlen(p);
	if (n != 2 || len > DBUS_MAX_SIG_LEN
		|| DbusSignatureTypeLength(p, len) != len) {
	    return exactObj;
	}
	memcpy(buf, p, (size_t) len + 1);
	return DbusPlainFromExact(buf, len, elems[1]);
    }
    case 'a':
	listPtr = Tcl_NewListObj(n, NULL);
	if (sig[1] == '{') {
	    klen = DbusSignatureTypeLength(sig + 2, sigLen - 3);
	    vlen = sigLen - 3 - klen;
	    for (k = 0; k + 1 < n; k += 2) {
		Tcl_ListObjAppendElement(NULL, listPtr, elems[k]);
		Tcl_ListObjAppendElement(NULL, listPtr, DbusPlainFromExact(
			sig + 2 + klen, vlen, elems[k + 1]));
	    }
	} else {
	    for (k = 0; k < n; k++) {
		Tcl_ListObjAppendElement(NULL, listPtr,
			DbusPlainFromExact(sig + 1, sigLen - 1, elems[k]));
	    }
	}
	return listPtr;
    case '(':
	listPtr = Tcl_NewListObj(n, NULL);
	for (p = sig + 1, k = 0; k < n && p < end - 1; k++, p += len) {
	    len = DbusSignatureTypeLength(p, (int) (end - 1 - p));
	    Tcl_ListObjAppendElement(NULL, listPtr,
		    DbusPlainFromExact(p, len, elems[k]));
	}
	return listPtr;
    }
    return exactObj;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusExactSet, DbusExactClear, DbusExactPick --
 *
 *	DbusExactSet: remember a received value (plainObj, what the script
 *	was given) with its -details form (exactObj); NULL exactObj forgets.
 *	DbusExactClear: forget, releasing the references.
 *	DbusExactPick: what to send for valuePtr, a value to be sent with
 *	the type the exact value was received with: the -details form when
 *	valuePtr is the remembered value (the same object or an equal
 *	string), else valuePtr.
 *
 * Results:
 *	DbusExactPick: a borrowed object.
 *
 * Side effects:
 *	References are taken and released.
 *
 *----------------------------------------------------------------------
 */

void
DbusExactSet(
    DbusExact *exactPtr,
    Tcl_Obj *plainObj,		/* may be NULL with exactObj NULL */
    Tcl_Obj *exactObj)
{
    if (exactObj != NULL) {
	Tcl_IncrRefCount(plainObj);
	Tcl_IncrRefCount(exactObj);
    }
    DbusExactClear(exactPtr);
    if (exactObj != NULL) {
	exactPtr->plainObj = plainObj;
	exactPtr->exactObj = exactObj;
    }
}

void
DbusExactClear(
    DbusExact *exactPtr)
{
    if (exactPtr->exactObj != NULL) {
	Tcl_DecrRefCount(exactPtr->plainObj);
	Tcl_DecrRefCount(exactPtr->exactObj);
    }
    exactPtr->plainObj = exactPtr->exactObj = NULL;
}

Tcl_Obj *
DbusExactPick(
    const DbusExact *exactPtr,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    Tcl_Size len1, len2;
    const char *s1, *s2;

    if (exactPtr->exactObj == NULL) {
	return valuePtr;
    }
    if (valuePtr == exactPtr->plainObj) {
	return exactPtr->exactObj;
    }
    s1 = Tcl_GetStringFromObj(valuePtr, &len1);
    s2 = Tcl_GetStringFromObj(exactPtr->plainObj, &len2);
    if (len1 == len2 && memcmp(s1, s2, (size_t) len1) == 0) {
	return exactPtr->exactObj;
    }
    return valuePtr;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
