/*
 * dbusMarshalInt.h --
 *
 *	Private to the encoder (Tcl value -> D-Bus), which is split by
 *	concern over dbusMarshal.c, dbusMarshalFixed.c, dbusMarshalDict.c
 *	and dbusMarshalVariant.c: the state of one marshalling run, the
 *	wire-format arithmetic, the Tcl value types the encoder recognises,
 *	the number conversions (inline: they are the hot path of arrays),
 *	and the functions the four files call in each other.  Nothing
 *	outside the encoder includes this file; the encoder's interface is
 *	in dbusInt.h.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _DBUSMARSHALINT_H
#define _DBUSMARSHALINT_H

#include <stdint.h>

/*
 * Tcl value types, looked up once per process by DbusMarshalInit (under
 * the init mutex) and only read afterwards.  Types the running Tcl does
 * not have stay NULL (e.g. "wideInt" on 64-bit 8.6).
 */

typedef struct DbusTclTypes {
    const Tcl_ObjType *stringTypePtr;
    const Tcl_ObjType *intTypePtr;
    const Tcl_ObjType *wideIntTypePtr;
    const Tcl_ObjType *doubleTypePtr;
    const Tcl_ObjType *booleanTypePtr;
    const Tcl_ObjType *booleanStringTypePtr;
    const Tcl_ObjType *listTypePtr;
    const Tcl_ObjType *dictTypePtr;
    const Tcl_ObjType *byteArrayTypePtr;
    const Tcl_ObjType *bignumTypePtr;
} DbusTclTypes;

extern DbusTclTypes dbusTclTypes;	/* defined in dbusMarshal.c */

/*
 * The value of an object of Tcl's "int" type (dbusTclTypes.intTypePtr),
 * read from its internal representation: Tcl 8.6 keeps a long there (64
 * bits on the LP64 systems this builds on; other builds take the wideInt
 * or bignum types, which go through Tcl_GetWideIntFromObj), Tcl 9 a
 * Tcl_WideInt.
 */

#if TCL_MAJOR_VERSION > 8
#define INT_REP(objPtr)	((objPtr)->internalRep.wideValue)
#else
#define INT_REP(objPtr)	((Tcl_WideInt) (objPtr)->internalRep.longValue)
#endif

/*
 * Containers allowed around a value: the specification's 32 arrays plus
 * 32 structs; libdbus applies the same total, variants included, when it
 * validates a received message.
 */

#define MARSHAL_MAX_DEPTH (DBUS_MAX_ARRAY_DEPTH + DBUS_MAX_STRUCT_DEPTH)

#define IS_LIST_SPACE(c) ((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))

/*
 * A body offset rounded up to an alignment (IS_FIXED_CODE and TYPE_ALIGN
 * are in dbusInt.h, shared with the decoder).
 */

#define ALIGN_POS(pos, a) \
    (((pos) + ((a) - 1)) & ~((Tcl_WideInt) (a) - 1))

/*
 * Range and name (for messages) of the integer types y n q i u x, in the
 * order of dbusIntCodes ('t' is handled apart).
 */

typedef struct IntRange {
    Tcl_WideInt min, max;
    const char *name;
} IntRange;

extern const char dbusIntCodes[];	/* "ynqiux" */
extern const IntRange dbusIntRanges[];
#define INT_RANGE(c) \
    (((c) != 0 && strchr(dbusIntCodes, (c)) != NULL) \
    ? &dbusIntRanges[strchr(dbusIntCodes, (c)) - dbusIntCodes] : NULL)

/*
 * State of one marshalling run (one DbusMarshalArgs or DbusMarshalValue
 * call).  "pos" follows the offset the next value gets in the message
 * body under the alignment rules of the wire format, so array and message
 * sizes are exact when the run starts at the start of the body.
 */

typedef struct MarshalCtx {
    Tcl_Interp *interp;		/* channel lookup; may be NULL; not owned */
    Tcl_Interp *errInterp;	/* errors go here; NULL while a variant's
				 * explicit form is tried quietly; not
				 * owned */
    DbusConn *connPtr;		/* fd-passing check; may be NULL; not
				 * owned */
    Tcl_WideInt pos;		/* simulated body offset */
    int depth;			/* containers around the current value */
    int dry;			/* check only: nothing is appended and
				 * iterators are not used (may be NULL) */
    int limitHit;		/* a limit of the specification failed
				 * (not a mere type mismatch) */
    int nFds;			/* unix fds appended so far */
} MarshalCtx;

/*
 * Shared by the files of the encoder (dbusMarshal.c: the walk, basic
 * types, arrays and structs; dbusMarshalFixed.c: arrays of fixed-size
 * types and bytes; dbusMarshalDict.c: a{KV}; dbusMarshalVariant.c: 'v').
 */

int		DbusMarshalAny(MarshalCtx *ctx, DBusMessageIter *iterPtr,
		    const char *sig, int sigLen, Tcl_Obj *valuePtr);
int		DbusMarshalBasic(MarshalCtx *ctx,
		    DBusMessageIter *iterPtr, int code,
		    Tcl_Obj *valuePtr);
int		DbusMarshalFixedArray(MarshalCtx *ctx,
		    DBusMessageIter *iterPtr, int code,
		    Tcl_Obj *valuePtr);
int		DbusMarshalDict(MarshalCtx *ctx,
		    DBusMessageIter *iterPtr, const char *sig,
		    int sigLen, Tcl_Obj *valuePtr);
int		DbusMarshalVariant(MarshalCtx *ctx,
		    DBusMessageIter *iterPtr, Tcl_Obj *valuePtr);
int		DbusMarshalString(MarshalCtx *ctx,
		    DBusMessageIter *iterPtr, Tcl_Obj *valuePtr);
int		DbusMarshalErrValueSig(Tcl_Interp *interp,
		    const char *codeStr, Tcl_Obj *valuePtr,
		    const char *expected);
int		DbusMarshalErrValue(Tcl_Interp *interp, int code,
		    Tcl_Obj *valuePtr, const char *expected);
int		DbusMarshalErrShape(Tcl_Interp *interp,
		    const char *sig, int sigLen, Tcl_Obj *valuePtr);
int		DbusMarshalLimit(MarshalCtx *ctx, const char *what);

/*
 *----------------------------------------------------------------------
 *
 * GetDouble --
 *
 *	Any IEEE 754 double, NaN and the infinities included (E7).  Tcl
 *	parses "NaN", "nan", "-NaN", "NaN(hex)" into a double but
 *	Tcl_GetDoubleFromObj then refuses it; the value it parsed (or
 *	received from the bus: Tcl_NewDoubleObj keeps a NaN) is in the
 *	internal representation, payload included.
 *
 * Results:
 *	TCL_OK with *dPtr set, or TCL_ERROR (no message).
 *
 * Side effects:
 *	May shimmer objPtr to a double.
 *
 *----------------------------------------------------------------------
 */

static inline int
GetDouble(
    Tcl_Obj *objPtr,
    double *dPtr)
{
    if (Tcl_GetDoubleFromObj(NULL, objPtr, dPtr) == TCL_OK) {
	return TCL_OK;
    }
    if (dbusTclTypes.doubleTypePtr != NULL
	    && objPtr->typePtr == dbusTclTypes.doubleTypePtr) {
	*dPtr = objPtr->internalRep.doubleValue;	/* a NaN */
	return TCL_OK;
    }
    return TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * GetSigned64, GetUnsigned64, GetNumber --
 *
 *	GetSigned64/GetUnsigned64: exact 64-bit integers.  Tcl 8.6's
 *	Tcl_GetWideIntFromObj accepts magnitudes up to 2^64-1 and wraps
 *	those beyond the signed range; such values always carry the bignum
 *	representation, which tells them apart: a bignum that converted to
 *	a negative wide int is a positive value in 2^63..2^64-1, one that
 *	converted to a non-negative wide int is below -2^63.
 *	GetNumber: a fixed-size basic type other than 'h': range-checked
 *	integers, booleans (any Tcl boolean, failing that any integer,
 *	non-zero = true; always 0/1), doubles.
 *
 * Results:
 *	TCL_OK with the value, or TCL_ERROR: no message from the first two;
 *	`expected ... but got "..."` with errorcode {DBUS VALUE code value}
 *	from GetNumber.
 *
 * Side effects:
 *	May shimmer objPtr to a number type.
 *
 *----------------------------------------------------------------------
 */

static inline int
GetSigned64(
    Tcl_Obj *objPtr,
    Tcl_WideInt *wPtr)
{
    if (Tcl_GetWideIntFromObj(NULL, objPtr, wPtr) != TCL_OK
	    || (dbusTclTypes.bignumTypePtr != NULL
	    && objPtr->typePtr == dbusTclTypes.bignumTypePtr)) {
	return TCL_ERROR;
    }
    return TCL_OK;
}

static inline int
GetUnsigned64(
    Tcl_Obj *objPtr,
    Tcl_WideUInt *uPtr)
{
#if TCL_MAJOR_VERSION > 8
    return Tcl_GetWideUIntFromObj(NULL, objPtr, uPtr);
#else
    Tcl_WideInt w;

    if (Tcl_GetWideIntFromObj(NULL, objPtr, &w) != TCL_OK) {
	return TCL_ERROR;
    }
    if (dbusTclTypes.bignumTypePtr != NULL
	    && objPtr->typePtr == dbusTclTypes.bignumTypePtr) {
	if (w >= 0) {
	    return TCL_ERROR;		/* negative, below -2^63 */
	}
    } else if (w < 0) {
	return TCL_ERROR;
    }
    *uPtr = (Tcl_WideUInt) w;
    return TCL_OK;
#endif
}

static inline int
GetNumber(
    Tcl_Interp *interp,		/* for the error; may be NULL */
    int code,			/* y b n q i u x t d */
    Tcl_Obj *objPtr,		/* borrowed */
    DBusBasicValue *valPtr)	/* out */
{
    const IntRange *rangePtr = INT_RANGE(code);
    Tcl_WideInt w;
    Tcl_WideUInt u;
    int b;

    if (rangePtr != NULL) {
	if (GetSigned64(objPtr, &w) != TCL_OK
		|| w < rangePtr->min || w > rangePtr->max) {
	    return DbusMarshalErrValue(interp, code, objPtr, rangePtr->name);
	}
	switch (code) {
	case 'y': valPtr->byt = (unsigned char) w; break;
	case 'n': case 'q': valPtr->u16 = (dbus_uint16_t) w; break;
	case 'i': case 'u': valPtr->u32 = (dbus_uint32_t) w; break;
	default: valPtr->i64 = (dbus_int64_t) w; break;
	}
	return TCL_OK;
    }
    switch (code) {
    case 't':
	if (GetUnsigned64(objPtr, &u) != TCL_OK) {
	    return DbusMarshalErrValue(interp, code, objPtr,
		    "unsigned 64-bit integer");
	}
	valPtr->u64 = (dbus_uint64_t) u;
	return TCL_OK;
    case 'b':
	if (Tcl_GetBooleanFromObj(NULL, objPtr, &b) != TCL_OK) {
	    if (Tcl_GetWideIntFromObj(NULL, objPtr, &w) != TCL_OK) {
		return DbusMarshalErrValue(interp, code, objPtr, "boolean value");
	    }
	    b = (w != 0);
	}
	valPtr->bool_val = b ? 1 : 0;
	return TCL_OK;
    default:				/* 'd' */
	if (GetDouble(objPtr, &valPtr->dbl) != TCL_OK) {
	    return DbusMarshalErrValue(interp, code, objPtr,
		    "floating-point number");
	}
	return TCL_OK;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalOpen, DbusMarshalClose --
 *
 *	Open a container below iterPtr (checking the nesting limit), and
 *	close it again: normally when result is TCL_OK, by abandoning it
 *	otherwise, so that no container is ever left open.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with {DBUS LIMIT DEPTH} or out of memory;
 *	DbusMarshalClose passes an error result on.
 *
 * Side effects:
 *	ctx->depth counts open containers.  After an abandon the message is
 *	unusable (the caller drops it).
 *
 *----------------------------------------------------------------------
 */

static inline int
DbusMarshalOpen(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int type,			/* DBUS_TYPE_ARRAY, _STRUCT, ... */
    const char *sig,		/* contained signature or NULL */
    DBusMessageIter *subPtr)	/* out */
{
    if (ctx->depth >= MARSHAL_MAX_DEPTH) {
	return DbusMarshalLimit(ctx, "DEPTH");
    }
    if (ctx->dry) {
	ctx->depth++;
	return TCL_OK;
    }
    if (!dbus_message_iter_open_container(iterPtr, type, sig, subPtr)) {
	return DbusNoMemory(ctx->errInterp);
    }
    ctx->depth++;
    return TCL_OK;
}

static inline int
DbusMarshalClose(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    DBusMessageIter *subPtr,
    int result)			/* TCL_OK: close, else abandon */
{
    ctx->depth--;
    if (ctx->dry) {
	return result;
    }
    if (result != TCL_OK) {
	dbus_message_iter_abandon_container(iterPtr, subPtr);
	return TCL_ERROR;
    }
    if (!dbus_message_iter_close_container(iterPtr, subPtr)) {
	dbus_message_iter_abandon_container_if_open(iterPtr, subPtr);
	return DbusNoMemory(ctx->errInterp);
    }
    return TCL_OK;
}

#endif /* _DBUSMARSHALINT_H */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
