/*
 * dbusMarshalVariant.c --
 *
 *	Variants ('v') for the encoder: the type a value is sent with,
 *	either the explicit {type value} form or a type guessed from the
 *	value's internal representation (the documented rule, doc/dbus.n).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include "dbusMarshalInt.h"

/*
 *----------------------------------------------------------------------
 *
 * ExplicitVariant, ExplicitFits, GuessVariantType, DbusMarshalVariant --
 *
 *	DbusMarshalVariant appends one 'v' value.  The type a 'v'
 *	argument is sent with is chosen like this (the documented rule, see
 *	doc/dbus.n):
 *
 *	1. Explicit form (ExplicitVariant).  If the value is a plain string
 *	   (no internal representation, or only Tcl's cached "string" one)
 *	   or a list, and it is a list of exactly two elements whose first
 *	   element is a single complete type, the variant carries that type
 *	   and the second element is marshalled as that type:  {i 42}
 *	   {as {a b c}}  {a{sv} {k {u 7}}}  {v {s x}} (a variant in a
 *	   variant).  So is a plain string that reads that way ("i 42").
 *
 *	2. Otherwise the type is guessed (GuessVariantType) from the value's
 *	   internal representation as it was before rule 1 looked at it:
 *	     int, wideInt          i if it fits 32 bits signed, else x
 *	     bignum                t if in 0..2^64-1, else s
 *	     double                d
 *	     boolean, booleanString  b
 *	     list                  as
 *	     dict                  a{ss}
 *	     bytearray with no string representation (binary data)  ay
 *	     anything else (plain string, no internal rep, ...)  s
 *
 *	A variant counts as a container for the nesting limit (64).
 *
 * Results:
 *	ExplicitVariant: 1 with the type copied to sigBuf (NUL-terminated,
 *	so it survives any shimmering of the value) and *contentPtrPtr set
 *	to the second element (borrowed), or 0.  ExplicitFits: 1 when the
 *	explicit form is to be used (it fits, or the real walk is to
 *	report the limit it hit), else 0.  GuessVariantType: a static
 *	signature.  DbusMarshalVariant: TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	ExplicitVariant may convert valuePtr to a list and its first
 *	element to a signature; a plain string is made a list only when
 *	it is two words, the first a single complete type (a cheap look
 *	at the first word comes first), so that other text is guessed
 *	"s" every time it is sent.
 *	ExplicitFits walks the value quietly (ctx->dry), restoring ctx
 *	unless that walk was the real one.  DbusMarshalVariant appends to
 *	the message and advances ctx->pos.
 *
 *----------------------------------------------------------------------
 */

static int
ExplicitVariant(
    Tcl_Obj *valuePtr,		/* borrowed */
    char *sigBuf,		/* DBUS_MAX_SIG_LEN+1 bytes, out */
    int *sigLenPtr,		/* out */
    Tcl_Obj **contentPtrPtr)	/* out */
{
    Tcl_Obj **elems;
    Tcl_Size n;
    DbusSignature *sigPtr;
    int argc, single;
    const char **argv;

    if (valuePtr->typePtr == NULL
	    || valuePtr->typePtr == dbusTclTypes.stringTypePtr) {
	Tcl_Size len;
	const char *p = Tcl_GetStringFromObj(valuePtr, &len);
	const char *end = p + len, *word;

	/*
	 * A bare first word must be a single complete type; braced or
	 * quoted words and backslashes are left to the list parser.
	 */

	while (p < end && IS_LIST_SPACE(*p)) {
	    p++;
	}
	for (word = p; p < end && !IS_LIST_SPACE(*p) && *p != '\\'; p++) {
	    /* empty */
	}
	if (word == end || (*word != '{' && *word != '"' && *p != '\\'
		&& !DbusSignatureIsSingle(word, (int) (p - word)))) {
	    return 0;
	}

	/*
	 * Only text of exactly two words, the first a single complete
	 * type, is made a list: other text ("i am here", "x y z") keeps
	 * its form.  Made a list here, it would be guessed "as" the next
	 * time it is sent (rule 2 reads the form it has then), having
	 * gone as "s" the first time.
	 */

	if (Tcl_SplitList(NULL, Tcl_GetString(valuePtr), &argc, &argv)
		!= TCL_OK) {
	    return 0;
	}
	single = (argc == 2 && DbusSignatureValid(argv[0],
		(int) strlen(argv[0])) == 1);
	ckfree((char *) argv);
	if (!single) {
	    return 0;
	}
    } else if (valuePtr->typePtr != dbusTclTypes.listTypePtr) {
	return 0;
    }
    if (Tcl_ListObjGetElements(NULL, valuePtr, &n, &elems) != TCL_OK
	    || n != 2
	    || DbusGetSignatureFromObj(NULL, elems[0], &sigPtr) != TCL_OK
	    || sigPtr->nTypes != 1) {
	return 0;
    }
    memcpy(sigBuf, sigPtr->text, (size_t) sigPtr->length + 1);
    *sigLenPtr = sigPtr->length;
    *contentPtrPtr = elems[1];
    return 1;
}

static int
ExplicitFits(
    MarshalCtx *ctx,
    const char *vsig,		/* the explicit type */
    int vsigLen,
    Tcl_Obj *contentPtr)	/* the explicit value; borrowed */
{
    MarshalCtx saved = *ctx;
    DBusMessageIter dummy;
    int result;

    /*
     * A quiet check (nothing appended, no error message).  Inside a
     * quiet check the check is the real walk: when it succeeds its
     * position is kept and the caller is done; a limit failure
     * (limitHit) is an error, whichever form is used.
     */

    ctx->dry = 1;
    ctx->errInterp = NULL;
    ctx->limitHit = 0;
    ctx->pos = ALIGN_POS(ctx->pos + 1 + vsigLen + 1, TYPE_ALIGN(vsig[0]));
    if (DbusMarshalOpen(ctx, &dummy, DBUS_TYPE_VARIANT, vsig, &dummy)
	    != TCL_OK) {
	result = TCL_ERROR;
    } else {
	result = DbusMarshalClose(ctx, &dummy, &dummy,
		DbusMarshalAny(ctx, &dummy, vsig, vsigLen, contentPtr));
    }
    if (result == TCL_OK && saved.dry && saved.errInterp == NULL) {
	ctx->dry = saved.dry;
	ctx->errInterp = saved.errInterp;
	ctx->limitHit = saved.limitHit;
	return 1;
    }
    if (ctx->limitHit) {
	*ctx = saved;
	if (saved.dry && saved.errInterp == NULL) {
	    ctx->limitHit = 1;
	    return 0;
	}
	return 1;			/* the real walk reports the limit */
    }
    *ctx = saved;
    return result == TCL_OK;
}

static const char *
GuessVariantType(
    Tcl_Obj *valuePtr,		/* borrowed */
    const Tcl_ObjType *typePtr)	/* its type before ExplicitVariant */
{
    Tcl_WideInt w;
    Tcl_WideUInt u;

    if (typePtr == NULL) {
	return "s";
    } else if (typePtr == dbusTclTypes.intTypePtr
	    || typePtr == dbusTclTypes.wideIntTypePtr) {
	if (GetSigned64(valuePtr, &w) != TCL_OK) {
	    return "s";
	}
	return (w >= INT32_MIN && w <= INT32_MAX) ? "i" : "x";
    } else if (typePtr == dbusTclTypes.bignumTypePtr) {
	return (GetUnsigned64(valuePtr, &u) == TCL_OK) ? "t" : "s";
    } else if (typePtr == dbusTclTypes.doubleTypePtr) {
	return "d";
    } else if (typePtr == dbusTclTypes.booleanTypePtr
	    || typePtr == dbusTclTypes.booleanStringTypePtr) {
	return "b";
    } else if (typePtr == dbusTclTypes.listTypePtr) {
	return "as";
    } else if (typePtr == dbusTclTypes.dictTypePtr) {
	return "a{ss}";
    } else if (typePtr == dbusTclTypes.byteArrayTypePtr
	    && valuePtr->bytes == NULL) {
	return "ay";
    }
    return "s";
}

/*
 *----------------------------------------------------------------------
 *
 * IntVariant --
 *
 *	The guess of rule 2 for a value of Tcl's "int" type, its integer
 *	read from the internal representation (INT_REP): 'i' when it fits
 *	32 bits signed, else 'x' (what GuessVariantType and DbusMarshalBasic
 *	give it, without converting the value twice: the commonest variant
 *	of an a{sv} costs a third of what it did).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR ({DBUS LIMIT DEPTH}, out of memory).
 *
 * Side effects:
 *	Appends the variant (unless ctx->dry), advances ctx->pos.
 *
 *----------------------------------------------------------------------
 */

static int
IntVariant(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    Tcl_WideInt w)		/* the value */
{
    DBusMessageIter sub;
    DBusBasicValue val;
    int code, result;

    if (w >= INT32_MIN && w <= INT32_MAX) {
	code = DBUS_TYPE_INT32;
	val.i32 = (dbus_int32_t) w;
	ctx->pos = ALIGN_POS(ctx->pos + 3, 4) + 4;
    } else {
	code = DBUS_TYPE_INT64;
	val.i64 = (dbus_int64_t) w;
	ctx->pos = ALIGN_POS(ctx->pos + 3, 8) + 8;
    }
    result = DbusMarshalOpen(ctx, iterPtr, DBUS_TYPE_VARIANT,
	    (code == DBUS_TYPE_INT32) ? DBUS_TYPE_INT32_AS_STRING
	    : DBUS_TYPE_INT64_AS_STRING, &sub);
    if (result != TCL_OK) {
	return result;
    }
    if (!ctx->dry && !dbus_message_iter_append_basic(&sub, code, &val)) {
	result = DbusNoMemory(ctx->errInterp);
    }
    return DbusMarshalClose(ctx, iterPtr, &sub, result);
}

int
DbusMarshalVariant(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    const Tcl_ObjType *typePtr = valuePtr->typePtr;
    char vsigBuf[DBUS_MAX_SIG_LEN + 1];
    const char *vsig = vsigBuf;
    int vsigLen;
    Tcl_Obj *contentPtr;
    DBusMessageIter sub;

    if (typePtr != NULL && typePtr == dbusTclTypes.intTypePtr) {
	return IntVariant(ctx, iterPtr, INT_REP(valuePtr));
    }
    if (!ExplicitVariant(valuePtr, vsigBuf, &vsigLen, &contentPtr)) {
	vsig = GuessVariantType(valuePtr, typePtr);
	vsigLen = (int) strlen(vsig);
	contentPtr = valuePtr;
    } else if (ExplicitFits(ctx, vsig, vsigLen, contentPtr)) {
	if (ctx->dry && ctx->errInterp == NULL) {
	    return TCL_OK;          /* ExplicitFits did the work */
	}
    } else if (ctx->limitHit) {
	return TCL_ERROR;
    } else {
	/*
	 * The shape of {sig value} without a value that fits: a
	 * string, whatever the internal form (the check may have made
	 * lists of the values inside).
	 */

	vsig = "s";
	vsigLen = 1;
	contentPtr = valuePtr;
    }
    ctx->pos = ALIGN_POS(ctx->pos + 1 + vsigLen + 1,
	    TYPE_ALIGN(vsig[0]));
    if (DbusMarshalOpen(ctx, iterPtr, DBUS_TYPE_VARIANT, vsig, &sub)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    return DbusMarshalClose(ctx, iterPtr, &sub,
	    DbusMarshalAny(ctx, &sub, vsig, vsigLen, contentPtr));
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
