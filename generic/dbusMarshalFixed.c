/*
 * dbusMarshalFixed.c --
 *
 *	Arrays of fixed-size types (a<y b n q i u x t d>) for the encoder:
 *	the elements are converted (range checked) into a C buffer (on the
 *	stack, or the thread's gather buffer) and appended in one call;
 *	an 'ay' may also be a byte array or a string of characters below
 *	U+0100 (E7).  This is the hot path of large arrays.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include "dbusMarshalInt.h"

/*
 * Fixed arrays larger than this are gathered in a buffer of their own,
 * not in the thread's reused one (GatherBuffer).
 */

#define GATHER_KEEP_BYTES	(16 * 1024 * 1024)

#define STATIC_FIXED_BYTES 1024	/* fixed arrays gathered on the stack */
#define TEXT_BYTES	(-1)	/* an 'ay' list that is text after all */

/*
 *----------------------------------------------------------------------
 *
 * MayBeIntList, GetBytes, AllIntegers --
 *
 *	The value of an 'ay' (E7): a byte array, a list of integers, or a
 *	string whose characters are all below U+0100 (one byte each),
 *	whatever the value's internal form:
 *	1. a byte array whose string form (if it has one) only has
 *	   characters below U+0100: its bytes;
 *	2. else a list whose elements are all integers: those, range
 *	   checked as 0..255 by the caller ("1 256" is an error, not 5
 *	   bytes of text);
 *	3. else a string of characters below U+0100: its characters.
 *	MayBeIntList is a cheap look at the characters a list of
 *	integers can have, so that text and binary data are not made
 *	lists for nothing; the list is then converted in one pass by
 *	DbusMarshalFixedArray, which falls back to the text (GetBytes
 *	with textOnly) when the value is no list or AllIntegers says an
 *	element is no integer.
 *
 * Results:
 *	GetBytes: 1 with *bufPtr and *nPtr set (*allocPtr set when the
 *	bytes were decoded into memory the caller must ckfree), 0 (not
 *	textOnly) when the value is to be tried as a list of integers, -1
 *	with `expected bytes ... but got "..."` {DBUS VALUE ay value}.
 *	AllIntegers: 1 if elements from..n-1 are all integers (of any
 *	size).
 *
 * Side effects:
 *	May convert valuePtr to a list and its elements to integers.
 *
 *----------------------------------------------------------------------
 */

static int
AllIntegers(
    Tcl_Obj *const *elems,
    Tcl_Size from,
    Tcl_Size n)
{
    Tcl_WideInt w;

    for (; from < n; from++) {
	if (Tcl_GetWideIntFromObj(NULL, elems[from], &w) != TCL_OK) {
	    return 0;
	}
    }
    return 1;
}

static int
MayBeIntList(
    Tcl_Obj *valuePtr)
{
    Tcl_Size len, i;
    const char *str;

    if (valuePtr->typePtr == dbusTclTypes.listTypePtr) {
	return 1;
    }
    str = Tcl_GetStringFromObj(valuePtr, &len);
    for (i = 0; i < len; i++) {
	unsigned char c = (unsigned char) str[i];

	if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
		|| (c >= 'A' && c <= 'F') || c == 'x' || c == 'X'
		|| c == 'o' || c == 'O' || c == '+' || c == '-' || c == '_'
		|| c == '{' || c == '}' || c == '"' || IS_LIST_SPACE(c))) {
	    return 0;
	}
    }
    return 1;
}

static int
GetBytes(
    MarshalCtx *ctx,
    Tcl_Obj *valuePtr,		/* borrowed */
    int textOnly,		/* take the value as text (rule 3) */
    void *stackBuf,		/* STATIC_FIXED_BYTES bytes */
    const void **bufPtr,	/* out */
    Tcl_Size *nPtr,		/* out */
    void **allocPtr)		/* out: memory to free, or unchanged */
{
    Tcl_Size k, len, n;
    const char *str, *p, *end;
    unsigned char *out;
    Tcl_UniChar ch;

    if (!textOnly && dbusTclTypes.byteArrayTypePtr != NULL
	    && valuePtr->typePtr == dbusTclTypes.byteArrayTypePtr) {
	if (valuePtr->bytes != NULL) {
	    for (k = 0; k < valuePtr->length; k++) {
		if ((unsigned char) valuePtr->bytes[k] >= 0xC4) {
		    break;		/* maybe a character >= U+0100 */
		}
	    }
	}
	if (valuePtr->bytes == NULL || k == valuePtr->length) {
	    *bufPtr = Tcl_GetByteArrayFromObj(valuePtr, nPtr);
	    return 1;
	}
    }
    if (!textOnly && MayBeIntList(valuePtr)) {
	return 0;
    }
    str = Tcl_GetStringFromObj(valuePtr, &len);
    out = stackBuf;
    if (len > STATIC_FIXED_BYTES) {
	out = attemptckalloc((size_t) len);
	if (out == NULL) {
	    return (DbusNoMemory(ctx->errInterp), -1);
	}
    }
    for (p = str, end = str + len, n = 0; p < end; n++) {
	if ((unsigned char) *p < 0x80) {
	    out[n] = (unsigned char) *p++;
	    continue;
	}
	ch = 0;
	p += Tcl_UtfToUniChar(p, &ch);
	if (ch > 0xFF) {
	    if (out != stackBuf) {
		ckfree(out);
	    }
	    DbusMarshalErrValueSig(ctx->errInterp, "ay", valuePtr, "bytes (a byte "
		    "array, a list of integers 0..255 or a string of "
		    "characters below U+0100)");
	    return -1;
	}
	out[n] = (unsigned char) ch;
    }
    if (out != stackBuf) {
	*allocPtr = out;
    }
    *bufPtr = out;
    *nPtr = n;
    return 1;
}
/*
 *----------------------------------------------------------------------
 *
 * GatherBuffer --
 *
 *	A buffer of at least size bytes to gather a fixed array in: the
 *	thread's buffer, kept from call to call (a large array costs no
 *	fresh pages per message), grown as needed up to GATHER_KEEP_BYTES;
 *	beyond that a buffer of its own.  The buffer is only used between
 *	filling it and appending it, with no other marshalling in between.
 *
 * Results:
 *	The buffer, or NULL when out of memory.  *allocPtr is set to it
 *	when the caller must ckfree it (else left alone).
 *
 * Side effects:
 *	May (re)allocate DbusThreadData.gatherBuf (freed at thread exit).
 *
 *----------------------------------------------------------------------
 */

static void *
GatherBuffer(
    size_t size,
    void **allocPtr)		/* out: set when the caller frees it */
{
    DbusThreadData *tsdPtr;
    char *p;

    if (size > GATHER_KEEP_BYTES) {
	return *allocPtr = attemptckalloc(size);
    }
    tsdPtr = DbusGetThreadData();
    if (tsdPtr->gatherSize < size) {
	size_t want = (size < 65536) ? 65536 : size;

	p = attemptckalloc(want);
	if (p == NULL) {
	    return NULL;
	}
	if (tsdPtr->gatherBuf != NULL) {
	    ckfree(tsdPtr->gatherBuf);
	}
	tsdPtr->gatherBuf = p;
	tsdPtr->gatherSize = want;
    }
    return tsdPtr->gatherBuf;
}

/*
 *----------------------------------------------------------------------
 *
 * FixedSource --
 *
 *	The first step of DbusMarshalFixedArray: where the elements of an
 *	a<T> come from.  An 'ay' may be bytes already (GetBytes: a byte
 *	array or text), or text when it is no list; anything else must be
 *	a list.
 *
 * Results:
 *	TCL_OK with either *bufPtr set to the bytes (*nPtr of them; when
 *	they were decoded into memory of their own, *allocPtr is set and
 *	the caller ckfrees it) or *bufPtr left NULL and *elemsPtr and *nPtr
 *	set to the list's elements (borrowed); TCL_ERROR with {DBUS VALUE
 *	a<T> value} or an 'ay' value error.
 *
 * Side effects:
 *	May convert valuePtr to a list.
 *
 *----------------------------------------------------------------------
 */

static int
FixedSource(
    MarshalCtx *ctx,
    int code,			/* element type, IS_FIXED_CODE */
    Tcl_Obj *valuePtr,		/* borrowed */
    void *stackBuf,		/* STATIC_FIXED_BYTES bytes */
    const void **bufPtr,	/* out: the bytes, or left NULL */
    Tcl_Obj ***elemsPtr,	/* out: the elements when no bytes */
    Tcl_Size *nPtr,		/* out */
    void **allocPtr)		/* out: memory to free, or unchanged */
{
    int k;
    char asig[2];

    if (code == 'y' && (k = GetBytes(ctx, valuePtr, 0, stackBuf, bufPtr,
	    nPtr, allocPtr)) != 0) {
	return (k < 0) ? TCL_ERROR : TCL_OK;
    } else if (code == 'y' && Tcl_ListObjGetElements(NULL, valuePtr, nPtr,
	    elemsPtr) != TCL_OK) {
	return (GetBytes(ctx, valuePtr, 1, stackBuf, bufPtr, nPtr, allocPtr)
		< 0) ? TCL_ERROR : TCL_OK;
    } else if (Tcl_ListObjGetElements(ctx->errInterp, valuePtr, nPtr,
	    elemsPtr) != TCL_OK) {
	asig[0] = 'a';
	asig[1] = (char) code;
	return DbusMarshalErrShape(ctx->errInterp, asig, 2, valuePtr);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * GatherInts --
 *
 *	The fast path of GatherElements for integer element types: store
 *	elements that are Tcl integers within the range, one tight loop
 *	per element size, up to the first one that is not (which the
 *	general loop then takes, with its conversions and errors).
 *
 * Results:
 *	The number of elements stored (n when all were).
 *
 * Side effects:
 *	Writes the elements to p.
 *
 *----------------------------------------------------------------------
 */

static inline Tcl_Size
GatherInts(
    Tcl_Obj *const *elems,	/* the list's elements */
    Tcl_Size n,
    int size,			/* element size: 1, 2, 4 or 8 */
    const IntRange *rangePtr,	/* the element type's range */
    void *p)			/* room for n elements */
{
    const Tcl_ObjType *typePtr = dbusTclTypes.intTypePtr;
    Tcl_WideInt min = rangePtr->min, max = rangePtr->max, w;
    Tcl_Size k;

#define GATHER_LOOP(type) \
    for (k = 0; k < n; k++) {						\
	if (elems[k]->typePtr != typePtr) {				\
	    break;							\
	}								\
	w = INT_REP(elems[k]);						\
	if (w < min || w > max) {					\
	    break;							\
	}								\
	((type *) p)[k] = (type) w;					\
    }
    switch (size) {
    case 1:
	GATHER_LOOP(unsigned char);
	break;
    case 2:
	GATHER_LOOP(dbus_uint16_t);
	break;
    case 4:
	GATHER_LOOP(dbus_uint32_t);
	break;
    default:
	GATHER_LOOP(dbus_int64_t);
	break;
    }
#undef GATHER_LOOP
    return k;
}

/*
 *----------------------------------------------------------------------
 *
 * GatherElements --
 *
 *	The hot loop of DbusMarshalFixedArray: convert n list elements to
 *	the fixed-size type code, range checked, into buf (n * size
 *	bytes).  Integers of Tcl's own "int" type are read from their
 *	internal representation directly.
 *
 * Results:
 *	TCL_OK; TEXT_BYTES when an 'ay' list turns out not to be a list of
 *	integers (the caller sends its text instead); TCL_ERROR with the
 *	value error of the first element that does not convert.
 *
 * Side effects:
 *	Fills buf; may shimmer the elements to numbers.
 *
 *----------------------------------------------------------------------
 */

static inline int
GatherElements(
    MarshalCtx *ctx,
    int code,			/* element type, IS_FIXED_CODE */
    Tcl_Obj *const *elems,	/* borrowed */
    Tcl_Size n,
    void *p)			/* n * TYPE_ALIGN(code) bytes, out */
{
    int size = TYPE_ALIGN(code);
    const IntRange *rangePtr = INT_RANGE(code);
    DBusBasicValue val;
    Tcl_WideInt w;
    Tcl_Size k;

    k = (rangePtr != NULL && dbusTclTypes.intTypePtr != NULL)
	    ? GatherInts(elems, n, size, rangePtr, p) : 0;
    for (; k < n; k++) {
	if (rangePtr != NULL) {		/* the hot path, inline */
	    Tcl_Obj *elemPtr = elems[k];
	    int ok = 1;

	    if (dbusTclTypes.intTypePtr != NULL
		    && elemPtr->typePtr == dbusTclTypes.intTypePtr) {
		w = INT_REP(elemPtr);	/* Tcl's own integer */
	    } else {
		ok = (GetSigned64(elemPtr, &w) == TCL_OK);
	    }
	    if (!ok || w < rangePtr->min || w > rangePtr->max) {
		if (code == 'y' && !AllIntegers(elems, k, n)) {
		    return TEXT_BYTES;	/* not a list of integers */
		}
		return DbusMarshalErrValue(ctx->errInterp, code, elems[k],
			rangePtr->name);
	    }
	} else if (GetNumber(ctx->errInterp, code, elems[k], &val)
		!= TCL_OK) {
	    return TCL_ERROR;
	} else {
	    w = (size == 4) ? (Tcl_WideInt) val.u32 : val.i64;
	}
	switch (size) {
	case 1: ((unsigned char *) p)[k] = (unsigned char) w; break;
	case 2: ((dbus_uint16_t *) p)[k] = (dbus_uint16_t) w; break;
	case 4: ((dbus_uint32_t *) p)[k] = (dbus_uint32_t) w; break;
	default: ((dbus_int64_t *) p)[k] = (dbus_int64_t) w; break;
	}
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * AppendFixed --
 *
 *	The last step of DbusMarshalFixedArray: account for the array in
 *	the body size and append its n gathered elements in one call.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR: {DBUS LIMIT MESSAGE}, {DBUS LIMIT DEPTH}, out
 *	of memory.
 *
 * Side effects:
 *	Appends to the message (unless ctx->dry), advances ctx->pos.
 *
 *----------------------------------------------------------------------
 */

static int
AppendFixed(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int code,			/* element type, IS_FIXED_CODE */
    const void *buf,		/* n elements; borrowed */
    Tcl_Size n)
{
    int size = TYPE_ALIGN(code), result;
    DBusMessageIter sub;
    char esig[2];

    ctx->pos = ALIGN_POS(ALIGN_POS(ctx->pos, 4) + 4, size)
	    + (Tcl_WideInt) n * size;
    if (ctx->pos > DBUS_MAX_MSG_BYTES) {
	return DbusMarshalLimit(ctx, "MESSAGE");
    }
    esig[0] = (char) code;
    esig[1] = '\0';
    result = DbusMarshalOpen(ctx, iterPtr, DBUS_TYPE_ARRAY, esig, &sub);
    if (result != TCL_OK) {
	return result;
    }
    if (!ctx->dry && !dbus_message_iter_append_fixed_array(&sub, code,
	    &buf, (int) n)) {
	result = DbusNoMemory(ctx->errInterp);
    }
    return DbusMarshalClose(ctx, iterPtr, &sub, result);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalFixedArray --
 *
 *	Append an array a<T> of a fixed-size T from a Tcl list, in three
 *	steps: where the elements come from (FixedSource), their
 *	conversion (range checked) into a C buffer (GatherElements: on the
 *	stack up to STATIC_FIXED_BYTES, else the thread's gather buffer),
 *	and one append (AppendFixed).  An 'ay' value may also be bytes
 *	(GetBytes), or text after all when a list element is no integer.
 *	The byte count is kept within the 64 MiB limit.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR: {DBUS VALUE a<T> value} when the value is no
 *	list, value errors of an element, {DBUS LIMIT ARRAY|MESSAGE}, out
 *	of memory.
 *
 * Side effects:
 *	Appends to the message (unless ctx->dry), advances ctx->pos; may
 *	grow the thread's gather buffer (GatherBuffer).
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalFixedArray(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int code,			/* element type, IS_FIXED_CODE */
    Tcl_Obj *valuePtr)		/* list or byte array; borrowed */
{
    Tcl_Obj **elems = NULL;
    Tcl_Size n = 0;
    int size = TYPE_ALIGN(code), result = TCL_OK;
    double stackBuf[STATIC_FIXED_BYTES / sizeof(double)];
    const void *buf = NULL;
    void *p = stackBuf, *allocPtr = NULL;

    if (FixedSource(ctx, code, valuePtr, stackBuf, &buf, &elems, &n,
	    &allocPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    if ((Tcl_WideInt) n * size > DBUS_MAX_ARRAY_BYTES) {
	result = DbusMarshalLimit(ctx, "ARRAY");
	goto done;
    }
    if (buf == NULL) {
	if ((size_t) n * size > sizeof(stackBuf)) {
	    p = GatherBuffer((size_t) n * size, &allocPtr);
	    if (p == NULL) {
		return DbusNoMemory(ctx->errInterp);
	    }
	}
	result = GatherElements(ctx, code, elems, n, p);
	buf = p;
	if (result == TEXT_BYTES) {
	    if (allocPtr != NULL) {
		ckfree(allocPtr);
		allocPtr = NULL;
	    }
	    if (GetBytes(ctx, valuePtr, 1, stackBuf, &buf, &n, &allocPtr)
		    < 0) {
		return TCL_ERROR;
	    }
	    result = (n > DBUS_MAX_ARRAY_BYTES)
		    ? DbusMarshalLimit(ctx, "ARRAY") : TCL_OK;
	}
    }
    if (result == TCL_OK) {
	result = AppendFixed(ctx, iterPtr, code, buf, n);
    }
  done:
    if (allocPtr != NULL) {
	ckfree(allocPtr);
    }
    return result;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
