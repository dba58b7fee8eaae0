/*
 * dbusSignature.c --
 *
 *	The D-Bus type-signature grammar and the "dbus.signature" Tcl_ObjType
 *	that caches a parsed signature in the internal representation of a
 *	Tcl_Obj, so that a "-signature" given as a literal is checked and
 *	split into its complete types only once.
 *
 *	The grammar walker enforces the rules of the D-Bus specification
 *	itself, independently of libdbus (which aborts the process on a bad
 *	signature): known type codes only, at most 255 bytes, at most 32
 *	nested arrays and 32 nested structures along any path (dict entries
 *	count as structures, so a value never sits inside more than 64
 *	containers of one signature), no empty structures, dict entries only
 *	directly inside an array, with a basic-type key and exactly one value
 *	type.  Everything it accepts is accepted by libdbus as well.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * Basic (single-character, non-container) type codes: valid as dict keys.
 */

#define IS_BASIC_CODE(c) \
    ((c) == 'y' || (c) == 'b' || (c) == 'n' || (c) == 'q' || (c) == 'i' \
    || (c) == 'u' || (c) == 'x' || (c) == 't' || (c) == 'd' || (c) == 's' \
    || (c) == 'o' || (c) == 'g' || (c) == 'h')

static int		ParseType(const char *sig, int len, int pos,
			    int arrayDepth, int structDepth);
static int		SplitSignature(const char *sig, int len,
			    unsigned char *start);
static void		FreeSignatureIntRep(Tcl_Obj *objPtr);
static void		DupSignatureIntRep(Tcl_Obj *srcPtr, Tcl_Obj *dupPtr);
static void		UpdateStringOfSignature(Tcl_Obj *objPtr);
static int		SetSignatureFromAny(Tcl_Interp *interp,
			    Tcl_Obj *objPtr);

/*
 * The cached-signature value type.  internalRep.twoPtrValue.ptr1 holds a
 * DbusSignature*, shared by reference count between duplicated objects.
 * It is deliberately not registered with Tcl_RegisterObjType: nothing but
 * this file creates it.
 */

static const Tcl_ObjType signatureType = {
    "dbus.signature",		/* name */
    FreeSignatureIntRep,	/* freeIntRepProc */
    DupSignatureIntRep,		/* dupIntRepProc */
    UpdateStringOfSignature,	/* updateStringProc */
    SetSignatureFromAny		/* setFromAnyProc */
};

#define SIG_REP(objPtr) \
    ((DbusSignature *) (objPtr)->internalRep.twoPtrValue.ptr1)

/*
 *----------------------------------------------------------------------
 *
 * ParseType --
 *
 *	Walk one complete type of sig that starts at offset pos.  The walk
 *	never looks at sig[len] or beyond.  arrayDepth and structDepth are
 *	the numbers of arrays and structures (not dict entries) that
 *	enclose the type.
 *
 * Results:
 *	The offset just after the complete type, or -1 if there is no
 *	valid complete type at pos.
 *
 * Side effects:
 *	None.  Recursion is bounded by the depth limits (64 levels).
 *
 *----------------------------------------------------------------------
 */

static int
ParseType(
    const char *sig,		/* signature text, not necessarily
				 * NUL-terminated */
    int len,			/* bytes of sig that may be looked at */
    int pos,			/* offset of the type to walk */
    int arrayDepth,		/* enclosing arrays */
    int structDepth)		/* enclosing structs */
{
    if (pos >= len) {
	return -1;
    }
    switch (sig[pos]) {
    case 'y': case 'b': case 'n': case 'q': case 'i': case 'u': case 'x':
    case 't': case 'd': case 's': case 'o': case 'g': case 'h': case 'v':
	return pos + 1;

    case 'a':
	if (++arrayDepth > DBUS_MAX_ARRAY_DEPTH) {
	    return -1;
	}
	pos++;
	if (pos < len && sig[pos] == '{') {
	    /*
	     * Dict entry: exactly a basic key and one complete value type.
	     * Its depth is not counted against the 32 structs: the
	     * specification counts "open parentheses" only, and libdbus
	     * counts dict entries on their own (each one sits in an array,
	     * so the array limit bounds them too).
	     */

	    pos++;
	    if (pos >= len || !IS_BASIC_CODE(sig[pos])) {
		return -1;
	    }
	    pos = ParseType(sig, len, pos + 1, arrayDepth, structDepth);
	    if (pos < 0 || pos >= len || sig[pos] != '}') {
		return -1;
	    }
	    return pos + 1;
	}
	return ParseType(sig, len, pos, arrayDepth, structDepth);

    case '(':
	if (++structDepth > DBUS_MAX_STRUCT_DEPTH) {
	    return -1;
	}
	pos++;
	if (pos < len && sig[pos] == ')') {
	    return -1;			/* empty structure */
	}
	while (pos < len && sig[pos] != ')') {
	    pos = ParseType(sig, len, pos, arrayDepth, structDepth);
	    if (pos < 0) {
		return -1;
	    }
	}
	if (pos >= len) {
	    return -1;			/* unterminated */
	}
	return pos + 1;

    default:
	/*
	 * Unknown codes, NUL, and ')' '{' '}' out of place.
	 */

	return -1;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * SplitSignature --
 *
 *	Check a whole signature (any number of complete types) and
 *	optionally record where each top-level complete type starts.
 *
 * Results:
 *	The number of complete types, or -1 if the signature is invalid
 *	(including longer than 255 bytes).
 *
 * Side effects:
 *	When start is not NULL, fills start[0..n] (start[n] == len).
 *
 *----------------------------------------------------------------------
 */

static int
SplitSignature(
    const char *sig,		/* signature, need not be NUL-terminated */
    int len,			/* its length in bytes */
    unsigned char *start)	/* DBUS_MAX_SIG_LEN+1 offsets, or NULL */
{
    int pos = 0, n = 0;

    if (len < 0 || len > DBUS_MAX_SIG_LEN) {
	return -1;
    }
    while (pos < len) {
	if (start != NULL) {
	    start[n] = (unsigned char) pos;
	}
	pos = ParseType(sig, len, pos, 0, 0);
	if (pos < 0) {
	    return -1;
	}
	n++;
    }
    if (start != NULL) {
	start[n] = (unsigned char) len;
    }
    return n;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSignatureTypeLength --
 *
 *	Length of the single complete type at the start of sig.
 *
 * Results:
 *	The length (1..min(len, 255)), or -1 if sig does not start with a
 *	valid complete type.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusSignatureTypeLength(
    const char *sig,		/* need not be NUL-terminated */
    int len)			/* bytes available at sig */
{
    int end;

    if (sig == NULL || len <= 0) {
	return -1;
    }
    end = ParseType(sig, len, 0, 0, 0);
    return (end > DBUS_MAX_SIG_LEN) ? -1 : end;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSignatureIsSingle --
 *
 *	Is sig exactly one complete type (what a variant may carry)?
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
DbusSignatureIsSingle(
    const char *sig,		/* need not be NUL-terminated */
    int len)			/* its length */
{
    return len > 0 && DbusSignatureTypeLength(sig, len) == len;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusSignatureValid --
 *
 *	Check a whole signature: zero or more complete types, at most 255
 *	bytes.  This is the check for "g" values and any "-signature"
 *	text; the empty signature is valid.
 *
 * Results:
 *	The number of complete types, or -1 if invalid.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusSignatureValid(
    const char *sig,		/* need not be NUL-terminated */
    int len)			/* its length */
{
    if (sig == NULL) {
	return -1;
    }
    return SplitSignature(sig, len, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * FreeSignatureIntRep --
 *
 *	Drop this object's reference to its DbusSignature.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the DbusSignature when no object refers to it any more.
 *
 *----------------------------------------------------------------------
 */

static void
FreeSignatureIntRep(
    Tcl_Obj *objPtr)
{
    DbusSignature *sigPtr = SIG_REP(objPtr);

    if (--sigPtr->refCount <= 0) {
	ckfree((char *) sigPtr);
    }
    objPtr->internalRep.twoPtrValue.ptr1 = NULL;
    objPtr->typePtr = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DupSignatureIntRep --
 *
 *	Share the parsed signature with a duplicate object.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Increments the DbusSignature's reference count.
 *
 *----------------------------------------------------------------------
 */

static void
DupSignatureIntRep(
    Tcl_Obj *srcPtr,
    Tcl_Obj *dupPtr)
{
    DbusSignature *sigPtr = SIG_REP(srcPtr);

    sigPtr->refCount++;
    dupPtr->internalRep.twoPtrValue.ptr1 = sigPtr;
    dupPtr->internalRep.twoPtrValue.ptr2 = NULL;
    dupPtr->typePtr = &signatureType;
}

/*
 *----------------------------------------------------------------------
 *
 * UpdateStringOfSignature --
 *
 *	Regenerate the string representation from the cached text.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Allocates objPtr->bytes (owned by the object).
 *
 *----------------------------------------------------------------------
 */

static void
UpdateStringOfSignature(
    Tcl_Obj *objPtr)
{
    DbusSignature *sigPtr = SIG_REP(objPtr);

    objPtr->bytes = ckalloc(sigPtr->length + 1);
    memcpy(objPtr->bytes, sigPtr->text, (size_t) sigPtr->length + 1);
    objPtr->length = sigPtr->length;
}

/*
 *----------------------------------------------------------------------
 *
 * SetSignatureFromAny --
 *
 *	Parse the string representation of objPtr as a D-Bus signature and
 *	make it the internal representation.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with "Invalid type signature" and errorcode
 *	{DBUS INVALID SIGNATURE sig} (when interp is not NULL).
 *
 * Side effects:
 *	On success the previous internal representation is freed and a new
 *	DbusSignature (refCount 1) is attached.  On failure objPtr is left
 *	unchanged.
 *
 *----------------------------------------------------------------------
 */

static int
SetSignatureFromAny(
    Tcl_Interp *interp,		/* for the error, may be NULL */
    Tcl_Obj *objPtr)		/* value to convert */
{
    Tcl_Size len;
    const char *str = Tcl_GetStringFromObj(objPtr, &len);
    unsigned char start[DBUS_MAX_SIG_LEN + 1];
    DbusSignature *sigPtr;
    int n;

    n = (len > DBUS_MAX_SIG_LEN) ? -1 : SplitSignature(str, (int) len, start);
    if (n < 0) {
	return DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", str,
		"Invalid type signature");
    }

    sigPtr = (DbusSignature *) ckalloc(sizeof(DbusSignature));
    sigPtr->refCount = 1;
    sigPtr->length = (int) len;
    sigPtr->nTypes = n;
    memcpy(sigPtr->text, str, (size_t) len);
    sigPtr->text[len] = '\0';
    memcpy(sigPtr->start, start, (size_t) n + 1);

    /*
     * The string representation exists (fetched above), so the old
     * internal representation can go.
     */

    if (objPtr->typePtr != NULL && objPtr->typePtr->freeIntRepProc != NULL) {
	objPtr->typePtr->freeIntRepProc(objPtr);
    }
    objPtr->internalRep.twoPtrValue.ptr1 = sigPtr;
    objPtr->internalRep.twoPtrValue.ptr2 = NULL;
    objPtr->typePtr = &signatureType;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusGetSignatureFromObj --
 *
 *	Get the parsed form of a signature value, parsing it only the first
 *	time.
 *
 * Results:
 *	TCL_OK with *sigPtrPtr set, or TCL_ERROR with "Invalid type
 *	signature" and errorcode {DBUS INVALID SIGNATURE sig} (interp may
 *	be NULL to just test).
 *
 * Side effects:
 *	May convert objPtr to the "dbus.signature" type.  The returned
 *	DbusSignature is borrowed from objPtr: it stays valid only while
 *	objPtr keeps this internal representation.  A caller that may
 *	shimmer objPtr meanwhile (e.g. because objPtr is also one of the
 *	values being marshalled) must copy what it needs first.
 *
 *----------------------------------------------------------------------
 */

int
DbusGetSignatureFromObj(
    Tcl_Interp *interp,		/* for the error, may be NULL */
    Tcl_Obj *objPtr,		/* signature value */
    DbusSignature **sigPtrPtr)	/* out: borrowed parsed signature */
{
    if (objPtr->typePtr != &signatureType
	    && SetSignatureFromAny(interp, objPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    *sigPtrPtr = SIG_REP(objPtr);
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
