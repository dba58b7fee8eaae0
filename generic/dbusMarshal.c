/*
 * dbusMarshal.c --
 *
 *	Conversion of Tcl values to D-Bus message arguments: one encoder (a
 *	switch on the type code, driven by a signature); the decoder is in
 *	dbusUnmarshal.c.  Method calls, signals, returns and errors all go
 *	through here.
 *
 *	libdbus aborts the process when it is handed a value that breaks its
 *	rules (invalid UTF-8, a bad object path or signature, a boolean that
 *	is not 0/1, an over-long array...), so everything is checked here
 *	before libdbus sees it, and the limits of the specification are
 *	enforced with clear errors: integers are range checked (never
 *	truncated), strings are sent as real UTF-8 (never cut at a NUL),
 *	arrays stay within 64 MiB, message bodies within 128 MiB, and no
 *	value sits inside more than 64 containers (variants included), as
 *	the receiving side requires.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <stdint.h>

/*
 * Tcl value types, looked up once per process by DbusMarshalInit and only
 * read afterwards.  Types the running Tcl does not have stay NULL (e.g.
 * "wideInt" on 64-bit 8.6).
 */

static const Tcl_ObjType *stringTypePtr;
static const Tcl_ObjType *intTypePtr;
static const Tcl_ObjType *wideIntTypePtr;
static const Tcl_ObjType *doubleTypePtr;
static const Tcl_ObjType *booleanTypePtr;
static const Tcl_ObjType *booleanStringTypePtr;
static const Tcl_ObjType *listTypePtr;
static const Tcl_ObjType *dictTypePtr;
static const Tcl_ObjType *byteArrayTypePtr;
static const Tcl_ObjType *bignumTypePtr;

/*
 * Containers allowed around a value: the specification's 32 arrays plus
 * 32 structs; libdbus applies the same total, variants included, when it
 * validates a received message.
 */

#define MAX_TOTAL_DEPTH	(DBUS_MAX_ARRAY_DEPTH + DBUS_MAX_STRUCT_DEPTH)

/*
 * The value of an object of Tcl's "int" type (intTypePtr), read from its
 * internal representation: Tcl 8.6 keeps a long there (64 bits on the
 * LP64 systems this builds on; other builds take the wideInt or bignum
 * types, which go through Tcl_GetWideIntFromObj), Tcl 9 a Tcl_WideInt.
 */

#if TCL_MAJOR_VERSION > 8
#define INT_REP(objPtr)	((objPtr)->internalRep.wideValue)
#else
#define INT_REP(objPtr)	((Tcl_WideInt) (objPtr)->internalRep.longValue)
#endif

/*
 * Fixed arrays larger than this are gathered in a buffer of their own,
 * not in the thread's reused one (GatherBuffer).
 */

#define GATHER_KEEP_BYTES	(16 * 1024 * 1024)

#define STATIC_FIXED_BYTES 1024	/* fixed arrays gathered on the stack */
#define TEXT_BYTES	(-1)	/* an 'ay' list that is text after all */
#define IS_LIST_SPACE(c) ((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))

/*
 * Fixed-size types that dbus_message_iter_append_fixed_array and
 * dbus_message_iter_get_fixed_array handle (every fixed type but 'h');
 * the wire alignment of a type code (also the size of the fixed-size
 * types); a body offset rounded up to an alignment.
 */

#define IS_FIXED_CODE(c) \
    ((c) == 'y' || (c) == 'b' || (c) == 'n' || (c) == 'q' || (c) == 'i' \
    || (c) == 'u' || (c) == 'x' || (c) == 't' || (c) == 'd')
#define TYPE_ALIGN(c) \
    (((c) == 'y' || (c) == 'g' || (c) == 'v') ? 1 \
    : ((c) == 'n' || (c) == 'q') ? 2 \
    : ((c) == 'x' || (c) == 't' || (c) == 'd' || (c) == '(' || (c) == '{') \
    ? 8 : 4)
#define ALIGN_POS(pos, a) \
    (((pos) + ((a) - 1)) & ~((Tcl_WideInt) (a) - 1))

/*
 * Range and name (for messages) of the integer types y n q i u x, in the
 * order of intCodes ('t' is handled apart).
 */

typedef struct IntRange {
    Tcl_WideInt min, max;
    const char *name;
} IntRange;

static const char intCodes[] = "ynqiux";
static const IntRange intRanges[] = {
    {0, 255, "unsigned 8-bit integer"},
    {-32768, 32767, "signed 16-bit integer"},
    {0, 65535, "unsigned 16-bit integer"},
    {INT32_MIN, INT32_MAX, "signed 32-bit integer"},
    {0, UINT32_MAX, "unsigned 32-bit integer"},
    {INT64_MIN, INT64_MAX, "signed 64-bit integer"}
};
#define INT_RANGE(c) \
    (((c) != 0 && strchr(intCodes, (c)) != NULL) \
    ? &intRanges[strchr(intCodes, (c)) - intCodes] : NULL)

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

static int		MarshalAny(MarshalCtx *ctx, DBusMessageIter *iterPtr,
			    const char *sig, int sigLen, Tcl_Obj *valuePtr);

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalInit --
 *
 *	One-time, process-wide lookup of the Tcl value types that the
 *	variant guess and the integer checks look at.  Called once, under
 *	the init mutex, by dbusInit.c.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets the file-static type pointers (read-only afterwards).
 *
 *----------------------------------------------------------------------
 */

void
DbusMarshalInit(void)
{
    Tcl_Obj *probePtr;
    Tcl_WideInt dummy;
    int b;

    stringTypePtr = Tcl_GetObjType("string");
    intTypePtr = Tcl_GetObjType("int");
    wideIntTypePtr = Tcl_GetObjType("wideInt");
    doubleTypePtr = Tcl_GetObjType("double");
    booleanTypePtr = Tcl_GetObjType("boolean");
    booleanStringTypePtr = Tcl_GetObjType("booleanString");
    listTypePtr = Tcl_GetObjType("list");
    dictTypePtr = Tcl_GetObjType("dict");
    byteArrayTypePtr = Tcl_GetObjType("bytearray");

    /*
     * Tcl 8.6 registers neither its bignum type nor the type it gives to
     * boolean words ("booleanString" in 8.6.13): learn them from values.
     */

    probePtr = Tcl_NewStringObj("9223372036854775808", -1);
    Tcl_IncrRefCount(probePtr);
    (void) Tcl_GetWideIntFromObj(NULL, probePtr, &dummy);
    if (probePtr->typePtr != intTypePtr
	    && probePtr->typePtr != wideIntTypePtr) {
	bignumTypePtr = probePtr->typePtr;
    }
    Tcl_DecrRefCount(probePtr);

    probePtr = Tcl_NewStringObj("yes", -1);
    Tcl_IncrRefCount(probePtr);
    if (booleanStringTypePtr == NULL
	    && Tcl_GetBooleanFromObj(NULL, probePtr, &b) == TCL_OK
	    && probePtr->typePtr != booleanTypePtr
	    && probePtr->typePtr != intTypePtr) {
	booleanStringTypePtr = probePtr->typePtr;
    }
    Tcl_DecrRefCount(probePtr);
}

/*
 *----------------------------------------------------------------------
 *
 * ValueErrorSig, ValueError, LimitError, CtxLimit --
 *
 *	ValueError: `expected <what> but got "<value>"` with errorcode
 *	{DBUS VALUE <code> <value>} (ValueErrorSig: for a type of more
 *	than one code); the message shows at most 150 bytes
 *	of the value, the errorcode all of it.  LimitError: a limit of the
 *	specification, {DBUS LIMIT ARRAY|MESSAGE|DEPTH|SIGNATURE};
 *	CtxLimit also notes in a marshalling run that a limit failed.
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Set the interp result and errorcode (when interp is not NULL).
 *
 *----------------------------------------------------------------------
 */

static int
ValueErrorSig(
    Tcl_Interp *interp,		/* may be NULL */
    const char *codeStr,	/* D-Bus type */
    Tcl_Obj *valuePtr,		/* offending value */
    const char *expected)	/* e.g. "unsigned 8-bit integer" */
{
    Tcl_Size len, shown;
    const char *str;

    if (interp == NULL) {
	return TCL_ERROR;
    }
    str = Tcl_GetStringFromObj(valuePtr, &len);
    shown = len;
    if (shown > 150) {
	shown = 150;
	while (shown > 0 && (str[shown] & 0xC0) == 0x80) {
	    shown--;			/* do not cut a character */
	}
    }
    return DbusError(interp, DBUS_EC_VALUE, codeStr, str,
	    "expected %s but got \"%.*s%s\"", expected, (int) shown, str,
	    (shown < len) ? "..." : "");
}

static int
ValueError(
    Tcl_Interp *interp,		/* may be NULL */
    int code,			/* D-Bus type code */
    Tcl_Obj *valuePtr,		/* offending value */
    const char *expected)	/* e.g. "unsigned 8-bit integer" */
{
    char codeStr[2];

    codeStr[0] = (char) code;
    codeStr[1] = '\0';
    return ValueErrorSig(interp, codeStr, valuePtr, expected);
}

/*
 *----------------------------------------------------------------------
 *
 * ShapeError --
 *
 *	A container value that is not a list (or dict) at all: keep Tcl's
 *	message, but give it our errorcode {DBUS VALUE sig value} (rule 13:
 *	every error of the extension starts with DBUS).
 *
 * Results:
 *	TCL_ERROR.
 *
 *----------------------------------------------------------------------
 */

static int
ShapeError(
    Tcl_Interp *interp,		/* may be NULL */
    const char *sig,		/* container's complete type */
    int sigLen,
    Tcl_Obj *valuePtr)		/* offending value */
{
    Tcl_Obj *codePtr;

    if (interp == NULL) {
	return TCL_ERROR;
    }
    codePtr = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj("DBUS", 4));
    Tcl_ListObjAppendElement(NULL, codePtr,
	    Tcl_NewStringObj(DBUS_EC_VALUE, -1));
    Tcl_ListObjAppendElement(NULL, codePtr, Tcl_NewStringObj(sig, sigLen));
    Tcl_ListObjAppendElement(NULL, codePtr, valuePtr);
    Tcl_SetObjErrorCode(interp, codePtr);
    return TCL_ERROR;
}

static int
LimitError(
    Tcl_Interp *interp,		/* may be NULL */
    const char *what)		/* ARRAY MESSAGE DEPTH SIGNATURE */
{
    return DbusError(interp, DBUS_EC_LIMIT, what, NULL, "%s",
	    (what[0] == 'A') ? "array exceeds the D-Bus limit of 64 MiB"
	    : (what[0] == 'M') ? "message exceeds the D-Bus limit of 128 MiB"
	    : (what[0] == 'D') ? "value nested in more than 64 containers"
	    : "too many arguments: a message signature has at most 255 "
	    "type codes");
}

static int
CtxLimit(
    MarshalCtx *ctx,
    const char *what)		/* ARRAY MESSAGE DEPTH SIGNATURE */
{
    ctx->limitHit = 1;
    return LimitError(ctx->errInterp, what);
}

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
    if (doubleTypePtr != NULL && objPtr->typePtr == doubleTypePtr) {
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
	    || (bignumTypePtr != NULL && objPtr->typePtr == bignumTypePtr)) {
	return TCL_ERROR;
    }
    return TCL_OK;
}

static int
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
    if (bignumTypePtr != NULL && objPtr->typePtr == bignumTypePtr) {
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
	    return ValueError(interp, code, objPtr, rangePtr->name);
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
	    return ValueError(interp, code, objPtr,
		    "unsigned 64-bit integer");
	}
	valPtr->u64 = (dbus_uint64_t) u;
	return TCL_OK;
    case 'b':
	if (Tcl_GetBooleanFromObj(NULL, objPtr, &b) != TCL_OK) {
	    if (Tcl_GetWideIntFromObj(NULL, objPtr, &w) != TCL_OK) {
		return ValueError(interp, code, objPtr, "boolean value");
	    }
	    b = (w != 0);
	}
	valPtr->bool_val = b ? 1 : 0;
	return TCL_OK;
    default:				/* 'd' */
	if (GetDouble(objPtr, &valPtr->dbl) != TCL_OK) {
	    return ValueError(interp, code, objPtr, "floating-point number");
	}
	return TCL_OK;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * AppendString, MarshalString --
 *
 *	AppendString: append a checked string, object path or signature
 *	(valid UTF-8, no NUL) within the message size limit.
 *	MarshalString: append a Tcl string as 's'.  Pure ASCII (the common
 *	case) is used as is.  Otherwise Tcl's internal form must become
 *	real UTF-8: a NUL (internally C0 80) is an error; characters beyond
 *	U+FFFF (surrogate pairs in Tcl 8.6) become 4-byte sequences through
 *	the "utf-8" encoding; the result must pass libdbus' own UTF-8 check
 *	(a lone surrogate does not).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR: {DBUS VALUE s value}, {DBUS LIMIT MESSAGE},
 *	out of memory.
 *
 * Side effects:
 *	Append to the message, advance ctx->pos.
 *
 *----------------------------------------------------------------------
 */

static int
AppendString(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int code,			/* s o g */
    const char *str,		/* NUL-terminated, checked */
    Tcl_Size len)		/* strlen(str) */
{
    if (code == DBUS_TYPE_SIGNATURE) {
	ctx->pos += 1 + (Tcl_WideInt) len + 1;
    } else {
	ctx->pos = ALIGN_POS(ctx->pos, 4) + 4 + (Tcl_WideInt) len + 1;
    }
    if (ctx->pos > DBUS_MAX_MSG_BYTES) {
	return CtxLimit(ctx, "MESSAGE");
    }
    if (ctx->dry) {
	return TCL_OK;
    }
    if (!dbus_message_iter_append_basic(iterPtr, code, &str)) {
	return DbusNoMemory(ctx->errInterp);
    }
    return TCL_OK;
}

static int
MarshalString(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    Tcl_Size len, i;
    const char *str = Tcl_GetStringFromObj(valuePtr, &len);
    const unsigned char *bytes = (const unsigned char *) str;
    Tcl_Encoding utf8;
    Tcl_DString ds;
    int result;

    for (i = 0; i < len; i++) {
	if ((unsigned) (bytes[i] - 1) >= 0x7F) {
	    break;			/* not in 0x01..0x7F */
	}
    }
    if (i == len) {
	return AppendString(ctx, iterPtr, DBUS_TYPE_STRING, str, len);
    }
    for (; i < len; i++) {
	if (bytes[i] == 0 || (bytes[i] == 0xC0 && bytes[i + 1] == 0x80)) {
	    return DbusError(ctx->errInterp, DBUS_EC_VALUE, "s", str,
		    "string contains a NUL character, which D-Bus does not "
		    "allow");
	}
    }
    if (dbus_validate_utf8(str, NULL)) {
	return AppendString(ctx, iterPtr, DBUS_TYPE_STRING, str, len);
    }
    utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_UtfToExternalDString(utf8, str, len, &ds);
    Tcl_FreeEncoding(utf8);
    if (strlen(Tcl_DStringValue(&ds)) != (size_t) Tcl_DStringLength(&ds)
	    || !dbus_validate_utf8(Tcl_DStringValue(&ds), NULL)) {
	result = DbusError(ctx->errInterp, DBUS_EC_VALUE, "s", str,
		"string cannot be encoded as valid UTF-8");
    } else {
	result = AppendString(ctx, iterPtr, DBUS_TYPE_STRING,
		Tcl_DStringValue(&ds), Tcl_DStringLength(&ds));
    }
    Tcl_DStringFree(&ds);
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * MarshalBasic --
 *
 *	Append one value of a basic type (also used for dict keys).  'o'
 *	must be a valid object path, 'g' a valid signature.  'h' names an
 *	open channel of the interp whose OS handle (writable side
 *	preferred) is passed; libdbus duplicates it, the channel stays
 *	open.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message and errorcode: value errors,
 *	"Invalid path" {DBUS INVALID PATH v}, "Invalid signature"
 *	{DBUS INVALID SIGNATURE v}, {DBUS FD UNSUPPORTED} when the
 *	connection cannot pass fds.
 *
 * Side effects:
 *	Appends to the message, advances ctx->pos.
 *
 *----------------------------------------------------------------------
 */

static int
MarshalBasic(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int code,			/* basic type code */
    Tcl_Obj *valuePtr)		/* borrowed */
{
    DBusBasicValue val;
    const char *str = NULL;
    Tcl_Size len;
    Tcl_Channel chan;
    ClientData handle;

    switch (code) {
    case 's':
	return MarshalString(ctx, iterPtr, valuePtr);
    case 'o':
	str = Tcl_GetStringFromObj(valuePtr, &len);
	if (!DbusValidName(DBUS_NAME_PATH, str, len)) {
	    return DbusError(ctx->errInterp, DBUS_EC_INVALID, "PATH", str,
		    "Invalid path");
	}
	return AppendString(ctx, iterPtr, code, str, len);
    case 'g':
	str = Tcl_GetStringFromObj(valuePtr, &len);
	if (len > DBUS_MAX_SIG_LEN
		|| DbusSignatureValid(str, (int) len) < 0) {
	    return DbusError(ctx->errInterp, DBUS_EC_INVALID, "SIGNATURE", str,
		    "Invalid signature");
	}
	return AppendString(ctx, iterPtr, code, str, len);
    case 'h':
	str = Tcl_GetString(valuePtr);
	if (ctx->connPtr != NULL && ctx->connPtr->conn != NULL
		&& !dbus_connection_can_send_type(ctx->connPtr->conn,
			DBUS_TYPE_UNIX_FD)) {
	    return DbusError(ctx->errInterp, DBUS_EC_FD, "UNSUPPORTED", NULL,
		    "DBus connection doesn't support file descriptor "
		    "passing");
	}
	chan = NULL;
	if (ctx->interp != NULL) {
	    Tcl_InterpState state = Tcl_SaveInterpState(ctx->interp, 0);

	    chan = Tcl_GetChannel(ctx->interp, str, NULL);
	    Tcl_RestoreInterpState(ctx->interp, state);
	}
	if (chan == NULL) {
	    return DbusError(ctx->errInterp, DBUS_EC_VALUE, "h", str,
		    "can not find channel named \"%.150s\"", str);
	}
	if (Tcl_GetChannelHandle(chan, TCL_WRITABLE, &handle) != TCL_OK
		&& Tcl_GetChannelHandle(chan, TCL_READABLE, &handle)
		!= TCL_OK) {
	    return DbusError(ctx->errInterp, DBUS_EC_VALUE, "h", str,
		    "channel \"%.150s\" has no file descriptor", str);
	}
	val.fd = (int) (intptr_t) handle;
	break;
    default:
	if (GetNumber(ctx->errInterp, code, valuePtr, &val) != TCL_OK) {
	    return TCL_ERROR;
	}
    }
    ctx->pos = ALIGN_POS(ctx->pos, TYPE_ALIGN(code))
	    + TYPE_ALIGN(code);
    if (ctx->dry) {
	return TCL_OK;
    }
    if (code == 'h' && ctx->connPtr != NULL
	    && ++ctx->nFds > DBUS_MAX_MSG_FDS) {
	/*
	 * dbus-daemon drops the whole connection (names, handlers, calls)
	 * of a client that sends more than its max_message_unix_fds,
	 * which is 16 by default: refuse before anything is sent.
	 */

	ctx->limitHit = 1;
	return DbusError(ctx->errInterp, DBUS_EC_LIMIT, "FDS", NULL,
		"more than %d unix file descriptors in one message",
		DBUS_MAX_MSG_FDS);
    }
    if (!dbus_message_iter_append_basic(iterPtr, code, &val)) {
	if (code == 'h') {
	    return DbusError(ctx->errInterp, DBUS_EC_FD, "APPEND", str,
		    "cannot attach the file descriptor of channel "
		    "\"%.150s\"", str);
	}
	return DbusNoMemory(ctx->errInterp);
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * OpenContainer, CloseContainer --
 *
 *	Open a container below iterPtr (checking the nesting limit), and
 *	close it again: normally when result is TCL_OK, by abandoning it
 *	otherwise, so that no container is ever left open.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with {DBUS LIMIT DEPTH} or out of memory;
 *	CloseContainer passes an error result on.
 *
 * Side effects:
 *	ctx->depth counts open containers.  After an abandon the message is
 *	unusable (the caller drops it).
 *
 *----------------------------------------------------------------------
 */

static int
OpenContainer(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int type,			/* DBUS_TYPE_ARRAY, _STRUCT, ... */
    const char *sig,		/* contained signature or NULL */
    DBusMessageIter *subPtr)	/* out */
{
    if (ctx->depth >= MAX_TOTAL_DEPTH) {
	return CtxLimit(ctx, "DEPTH");
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

static int
CloseContainer(
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

/*
 *----------------------------------------------------------------------
 *
 * MayBeIntList, GetBytes, GetTextBytes, AllIntegers --
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
 *	MarshalFixedArray, which falls back to the text (GetTextBytes)
 *	when the value is no list or AllIntegers says an element is no
 *	integer.
 *
 * Results:
 *	GetBytes, GetTextBytes: 1 with *bufPtr and *nPtr set (*allocPtr
 *	set when the bytes were decoded into memory the caller must
 *	ckfree), 0 (GetBytes) when the value is to be tried as a list of
 *	integers, -1 with `expected bytes ... but got "..."`
 *	{DBUS VALUE ay value}.  AllIntegers: 1 if elements from..n-1 are
 *	all integers (of any size).
 *
 * Side effects:
 *	May convert valuePtr to a list and its elements to integers.
 *
 *----------------------------------------------------------------------
 */

static int	GetTextBytes(MarshalCtx *ctx, Tcl_Obj *valuePtr,
		    void *stackBuf, const void **bufPtr, Tcl_Size *nPtr,
		    void **allocPtr);

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

    if (valuePtr->typePtr == listTypePtr) {
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
    void *stackBuf,		/* STATIC_FIXED_BYTES bytes */
    const void **bufPtr,	/* out */
    Tcl_Size *nPtr,		/* out */
    void **allocPtr)		/* out: memory to free, or unchanged */
{
    Tcl_Size k;

    if (byteArrayTypePtr != NULL && valuePtr->typePtr == byteArrayTypePtr) {
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
    if (MayBeIntList(valuePtr)) {
	return 0;
    }
    return GetTextBytes(ctx, valuePtr, stackBuf, bufPtr, nPtr, allocPtr);
}

static int
GetTextBytes(
    MarshalCtx *ctx,
    Tcl_Obj *valuePtr,		/* borrowed */
    void *stackBuf,		/* STATIC_FIXED_BYTES bytes */
    const void **bufPtr,	/* out */
    Tcl_Size *nPtr,		/* out */
    void **allocPtr)		/* out: memory to free, or unchanged */
{
    Tcl_Size len, n;
    const char *str, *p, *end;
    unsigned char *out;
    Tcl_UniChar ch;

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
	    ValueErrorSig(ctx->errInterp, "ay", valuePtr, "bytes (a byte "
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
 * MarshalFixedArray, MarshalArray, MarshalDict, MarshalStruct --
 *
 *	Append an array a<T> from a Tcl list, each element as T.  For a
 *	fixed-size T the elements are converted (range checked) into a C
 *	buffer first and appended in one call; an 'ay' value may also be
 *	bytes (GetBytes).  a{KV} comes from a Tcl dict, one dict entry per
 *	distinct D-Bus key in the dict's order (DictKeys), the key as
 *	basic type K and the value as V; a struct from a Tcl list with exactly one element per member.
 *	The byte count of an array is kept within the 64 MiB limit.
 *
 * Results:
 *	TCL_OK or TCL_ERROR (Tcl's own error when the value is not a list
 *	or dict).  A struct count mismatch gives `Not enough elements in
 *	list representing structure: "(..)"` {DBUS ARGS MISSING} or
 *	"Arguments left after exhausting the type signature"
 *	{DBUS ARGS EXTRA}.
 *
 * Side effects:
 *	Append to the message; containers are abandoned on error.
 *
 *----------------------------------------------------------------------
 */

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

static int
MarshalFixedArray(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    int code,			/* element type, IS_FIXED_CODE */
    Tcl_Obj *valuePtr)		/* list or byte array; borrowed */
{
    Tcl_Obj **elems;
    Tcl_Size n, k;
    int size = TYPE_ALIGN(code), result = TCL_OK;
    const IntRange *rangePtr = INT_RANGE(code);
    Tcl_WideInt w;
    double stackBuf[STATIC_FIXED_BYTES / sizeof(double)];
    const void *buf = NULL;
    void *p = stackBuf, *allocPtr = NULL;
    DBusBasicValue val;
    DBusMessageIter sub;
    char esig[2];

    if (code == 'y' && (k = GetBytes(ctx, valuePtr, stackBuf, &buf, &n,
	    &allocPtr)) != 0) {
	if (k < 0) {
	    return TCL_ERROR;
	}
    } else if (code == 'y'
	    && Tcl_ListObjGetElements(NULL, valuePtr, &n, &elems) != TCL_OK) {
	if (GetTextBytes(ctx, valuePtr, stackBuf, &buf, &n, &allocPtr)
		< 0) {
	    return TCL_ERROR;
	}
    } else if (Tcl_ListObjGetElements(ctx->errInterp, valuePtr, &n, &elems)
	    != TCL_OK) {
	char asig[2];

	asig[0] = 'a';
	asig[1] = (char) code;
	return ShapeError(ctx->errInterp, asig, 2, valuePtr);
    }
    if ((Tcl_WideInt) n * size > DBUS_MAX_ARRAY_BYTES) {
	if (allocPtr != NULL) {
	    ckfree(allocPtr);
	}
	return CtxLimit(ctx, "ARRAY");
    }
    if (buf == NULL) {
	if ((size_t) n * size > sizeof(stackBuf)) {
	    p = GatherBuffer((size_t) n * size, &allocPtr);
	    if (p == NULL) {
		return DbusNoMemory(ctx->errInterp);
	    }
	}
	for (k = 0; k < n; k++) {
	    if (rangePtr != NULL) {		/* the hot path, inline */
		Tcl_Obj *elemPtr = elems[k];
		int ok = 1;

		if (intTypePtr != NULL && elemPtr->typePtr == intTypePtr) {
		    w = INT_REP(elemPtr);	/* Tcl's own integer */
		} else {
		    ok = (GetSigned64(elemPtr, &w) == TCL_OK);
		}
		if (!ok || w < rangePtr->min || w > rangePtr->max) {
		    if (code == 'y' && !AllIntegers(elems, k, n)) {
			result = TEXT_BYTES;	/* not a list of integers */
			break;
		    }
		    result = ValueError(ctx->errInterp, code, elems[k],
			    rangePtr->name);
		    break;
		}
	    } else if (GetNumber(ctx->errInterp, code, elems[k], &val)
		    != TCL_OK) {
		result = TCL_ERROR;
		break;
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
	buf = p;
	if (result == TEXT_BYTES) {
	    if (allocPtr != NULL) {
		ckfree(allocPtr);
		allocPtr = NULL;
	    }
	    if (GetTextBytes(ctx, valuePtr, stackBuf, &buf, &n, &allocPtr)
		    < 0) {
		return TCL_ERROR;
	    }
	    if (n > DBUS_MAX_ARRAY_BYTES) {
		ckfree(allocPtr);
		return CtxLimit(ctx, "ARRAY");
	    }
	    result = TCL_OK;
	}
    }
    ctx->pos = ALIGN_POS(ALIGN_POS(ctx->pos, 4) + 4, size)
	    + (Tcl_WideInt) n * size;
    if (result == TCL_OK && ctx->pos > DBUS_MAX_MSG_BYTES) {
	result = CtxLimit(ctx, "MESSAGE");
    }
    esig[0] = (char) code;
    esig[1] = '\0';
    if (result == TCL_OK && (result = OpenContainer(ctx, iterPtr,
	    DBUS_TYPE_ARRAY, esig, &sub)) == TCL_OK) {
	if (!ctx->dry && !dbus_message_iter_append_fixed_array(&sub, code,
		&buf, (int) n)) {
	    result = DbusNoMemory(ctx->errInterp);
	}
	result = CloseContainer(ctx, iterPtr, &sub, result);
    }
    if (allocPtr != NULL) {
	ckfree(allocPtr);
    }
    return result;
}

static int
MarshalArray(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    const char *sig,		/* "a..." complete type, not a{..} */
    int sigLen,
    Tcl_Obj *valuePtr)		/* list; borrowed */
{
    char esig[DBUS_MAX_SIG_LEN + 1];
    int elen = sigLen - 1, result = TCL_OK;
    Tcl_Obj **elems;
    Tcl_Size n, k;
    Tcl_WideInt start;
    DBusMessageIter sub;

    if (IS_FIXED_CODE(sig[1])) {
	return MarshalFixedArray(ctx, iterPtr, sig[1], valuePtr);
    }
    if (Tcl_ListObjGetElements(ctx->errInterp, valuePtr, &n, &elems)
	    != TCL_OK) {
	return ShapeError(ctx->errInterp, sig, sigLen, valuePtr);
    }
    memcpy(esig, sig + 1, (size_t) elen);
    esig[elen] = '\0';
    ctx->pos = ALIGN_POS(ALIGN_POS(ctx->pos, 4) + 4, TYPE_ALIGN(esig[0]));
    start = ctx->pos;
    if (OpenContainer(ctx, iterPtr, DBUS_TYPE_ARRAY, esig, &sub) != TCL_OK) {
	return TCL_ERROR;
    }
    for (k = 0; k < n && result == TCL_OK; k++) {
	result = MarshalAny(ctx, &sub, esig, elen, elems[k]);
	if (result == TCL_OK && ctx->pos - start > DBUS_MAX_ARRAY_BYTES) {
	    result = CtxLimit(ctx, "ARRAY");
	} else if (result == TCL_OK && ctx->pos > DBUS_MAX_MSG_BYTES) {
	    result = CtxLimit(ctx, "MESSAGE");
	}
    }
    return CloseContainer(ctx, iterPtr, &sub, result);
}

/*
 * DictKeys: the entries of a dict to send as a{KV}, one per distinct
 * D-Bus key (E7).  String-like keys (s o g h) are distinct exactly when
 * the Tcl strings are, which the Tcl dict already ensures.  Numeric and
 * boolean keys are compared as the values they become on the wire (1,
 * 01, 0x1 and " 1" are one 'i'; true, yes, 1 one 'b'; doubles by their
 * 64 bits, so 1.0 and 1e0 are one key while 0.0 and -0.0 or NaNs of
 * different payloads are not): the entry stays where the key first
 * appeared, with the value of its last appearance, as in a Tcl dict.
 * Fills keys[]/vals[] (borrowed from the dict) and returns the count,
 * or -1 with an error (a key that does not convert).
 */

static Tcl_Size
DictKeys(
    MarshalCtx *ctx,
    int code,			/* key type */
    Tcl_Obj *dictPtr,		/* a dict; borrowed */
    Tcl_Size n,			/* its size */
    Tcl_Obj **keys,		/* n slots, out */
    Tcl_Obj **vals)		/* n slots, out */
{
    Tcl_DictSearch search;
    Tcl_HashTable seen;
    Tcl_HashEntry *hPtr;
    DBusBasicValue val;
    Tcl_Obj *keyPtr, *valPtr;
    Tcl_WideInt *wire;
    Tcl_Size k, m = 0;
    int done, isNew;

    Tcl_DictObjFirst(NULL, dictPtr, &search, &keyPtr, &valPtr, &done);
    for (k = 0; !done && k < n; k++) {
	keys[k] = keyPtr;
	vals[k] = valPtr;
	Tcl_DictObjNext(&search, &keyPtr, &valPtr, &done);
    }
    Tcl_DictObjDone(&search);
    if (n < 2 || strchr("sogh", code) != NULL) {
	return n;
    }
    wire = (Tcl_WideInt *) attemptckalloc(sizeof(Tcl_WideInt) * n);
    if (wire == NULL) {
	return (DbusNoMemory(ctx->errInterp), -1);
    }
    Tcl_InitHashTable(&seen, sizeof(Tcl_WideInt) / sizeof(int));
    for (k = 0; k < n; k++) {
	memset(&val, 0, sizeof(val));
	if (GetNumber(ctx->errInterp, code, keys[k], &val) != TCL_OK) {
	    m = -1;
	    goto done;
	}
	switch (TYPE_ALIGN(code)) {
	case 1: wire[k] = (code == 'b') ? val.bool_val : val.byt; break;
	case 2: wire[k] = val.u16; break;
	case 4: wire[k] = (code == 'b') ? val.bool_val : val.u32; break;
	default: memcpy(&wire[k], &val.i64, sizeof(Tcl_WideInt)); break;
	}
	hPtr = Tcl_CreateHashEntry(&seen, (char *) &wire[k], &isNew);
	Tcl_SetHashValue(hPtr, INT2PTR(k));	/* the last one wins */
    }
    for (k = 0; k < n; k++) {
	hPtr = Tcl_FindHashEntry(&seen, (char *) &wire[k]);
	if (PTR2INT(Tcl_GetHashValue(hPtr)) < 0) {
	    continue;			/* sent already */
	}
	keys[m] = keys[k];
	vals[m++] = vals[PTR2INT(Tcl_GetHashValue(hPtr))];
	Tcl_SetHashValue(hPtr, INT2PTR(-1));
    }
  done:
    Tcl_DeleteHashTable(&seen);
    ckfree(wire);
    return m;
}

static int
MarshalDict(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    const char *sig,		/* "a{KV}" */
    int sigLen,
    Tcl_Obj *valuePtr)		/* dict; borrowed */
{
    char esig[DBUS_MAX_SIG_LEN + 1];
    int result = TCL_OK;
    Tcl_Obj *stackObjs[32], **keys = stackObjs, **vals = stackObjs + 16;
    Tcl_Size n, k;
    Tcl_WideInt start;
    DBusMessageIter sub, entry;

    if (Tcl_DictObjSize(ctx->errInterp, valuePtr, &n) != TCL_OK) {
	return ShapeError(ctx->errInterp, sig, sigLen, valuePtr);
    }
    if (n > 16) {
	keys = (Tcl_Obj **) attemptckalloc(sizeof(Tcl_Obj *) * 2 * n);
	if (keys == NULL) {
	    return DbusNoMemory(ctx->errInterp);
	}
	vals = keys + n;
    }
    n = DictKeys(ctx, sig[2], valuePtr, n, keys, vals);
    if (n < 0) {
	result = TCL_ERROR;
	goto done;
    }
    memcpy(esig, sig + 1, (size_t) sigLen - 1);
    esig[sigLen - 1] = '\0';
    ctx->pos = ALIGN_POS(ALIGN_POS(ctx->pos, 4) + 4, 8);
    start = ctx->pos;
    if (OpenContainer(ctx, iterPtr, DBUS_TYPE_ARRAY, esig, &sub) != TCL_OK) {
	result = TCL_ERROR;
	goto done;
    }
    for (k = 0; k < n && result == TCL_OK; k++) {
	ctx->pos = ALIGN_POS(ctx->pos, 8);
	result = OpenContainer(ctx, &sub, DBUS_TYPE_DICT_ENTRY, NULL,
		&entry);
	if (result != TCL_OK) {
	    break;
	}
	result = MarshalBasic(ctx, &entry, sig[2], keys[k]);
	if (result == TCL_OK) {
	    result = MarshalAny(ctx, &entry, sig + 3, sigLen - 4, vals[k]);
	}
	result = CloseContainer(ctx, &sub, &entry, result);
	if (result == TCL_OK && ctx->pos - start > DBUS_MAX_ARRAY_BYTES) {
	    result = CtxLimit(ctx, "ARRAY");
	} else if (result == TCL_OK && ctx->pos > DBUS_MAX_MSG_BYTES) {
	    result = CtxLimit(ctx, "MESSAGE");
	}
    }
    result = CloseContainer(ctx, iterPtr, &sub, result);
  done:
    if (keys != stackObjs) {
	ckfree(keys);
    }
    return result;
}

static int
MarshalStruct(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    const char *sig,		/* "(...)" */
    int sigLen,
    Tcl_Obj *valuePtr)		/* list; borrowed */
{
    Tcl_Obj **elems;
    Tcl_Size n, k, members = 0;
    const char *p, *end = sig + sigLen - 1;
    DBusMessageIter sub;
    int len, result = TCL_OK;

    if (Tcl_ListObjGetElements(ctx->errInterp, valuePtr, &n, &elems)
	    != TCL_OK) {
	return ShapeError(ctx->errInterp, sig, sigLen, valuePtr);
    }
    for (p = sig + 1; p < end; p += DbusSignatureTypeLength(p, end - p)) {
	members++;
    }
    if (n < members) {
	return DbusError(ctx->errInterp, DBUS_EC_ARGS, "MISSING", NULL,
		"Not enough elements in list representing structure: "
		"\"%.*s\"", sigLen, sig);
    } else if (n > members) {
	return DbusError(ctx->errInterp, DBUS_EC_ARGS, "EXTRA", NULL,
		"Arguments left after exhausting the type signature");
    }
    ctx->pos = ALIGN_POS(ctx->pos, 8);
    if (OpenContainer(ctx, iterPtr, DBUS_TYPE_STRUCT, NULL, &sub)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    for (p = sig + 1, k = 0; k < n && result == TCL_OK; k++, p += len) {
	len = DbusSignatureTypeLength(p, end - p);
	result = MarshalAny(ctx, &sub, p, len, elems[k]);
    }
    return CloseContainer(ctx, iterPtr, &sub, result);
}

/*
 *----------------------------------------------------------------------
 *
 * ExplicitVariant, GuessVariantType, MarshalAny --
 *
 *	MarshalAny appends one value of the complete type sig (valid,
 *	sigLen bytes): the switch on the type code.  The type a 'v'
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
 *	to the second element (borrowed), or 0.  GuessVariantType: a static
 *	signature.  MarshalAny: TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	ExplicitVariant may convert valuePtr to a list and its first
 *	element to a signature; for a plain string a cheap look at the
 *	first word comes first, so arbitrary text is not made a list.
 *	MarshalAny appends to the message.
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

    if (valuePtr->typePtr == NULL || valuePtr->typePtr == stringTypePtr) {
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
    } else if (valuePtr->typePtr != listTypePtr) {
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
    if (OpenContainer(ctx, &dummy, DBUS_TYPE_VARIANT, vsig, &dummy)
	    != TCL_OK) {
	result = TCL_ERROR;
    } else {
	result = CloseContainer(ctx, &dummy, &dummy,
		MarshalAny(ctx, &dummy, vsig, vsigLen, contentPtr));
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
    } else if (typePtr == intTypePtr || typePtr == wideIntTypePtr) {
	if (GetSigned64(valuePtr, &w) != TCL_OK) {
	    return "s";
	}
	return (w >= INT32_MIN && w <= INT32_MAX) ? "i" : "x";
    } else if (typePtr == bignumTypePtr) {
	return (GetUnsigned64(valuePtr, &u) == TCL_OK) ? "t" : "s";
    } else if (typePtr == doubleTypePtr) {
	return "d";
    } else if (typePtr == booleanTypePtr || typePtr == booleanStringTypePtr) {
	return "b";
    } else if (typePtr == listTypePtr) {
	return "as";
    } else if (typePtr == dictTypePtr) {
	return "a{ss}";
    } else if (typePtr == byteArrayTypePtr && valuePtr->bytes == NULL) {
	return "ay";
    }
    return "s";
}

static int
MarshalAny(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    const char *sig,		/* valid complete type */
    int sigLen,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    const Tcl_ObjType *typePtr = valuePtr->typePtr;
    char vsigBuf[DBUS_MAX_SIG_LEN + 1];
    const char *vsig = vsigBuf;
    int vsigLen;
    Tcl_Obj *contentPtr;
    DBusMessageIter sub;

    switch (sig[0]) {
    case 'a':
	if (sig[1] == '{') {
	    return MarshalDict(ctx, iterPtr, sig, sigLen, valuePtr);
	}
	return MarshalArray(ctx, iterPtr, sig, sigLen, valuePtr);
    case '(':
	return MarshalStruct(ctx, iterPtr, sig, sigLen, valuePtr);
    case 'v':
	if (!ExplicitVariant(valuePtr, vsigBuf, &vsigLen, &contentPtr)) {
	    vsig = GuessVariantType(valuePtr, typePtr);
	    vsigLen = (int) strlen(vsig);
	    contentPtr = valuePtr;
	} else if (ExplicitFits(ctx, vsig, vsigLen, contentPtr)) {
	    if (ctx->dry && ctx->errInterp == NULL) {
		return TCL_OK;		/* ExplicitFits did the work */
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
	if (OpenContainer(ctx, iterPtr, DBUS_TYPE_VARIANT, vsig, &sub)
		!= TCL_OK) {
	    return TCL_ERROR;
	}
	return CloseContainer(ctx, iterPtr, &sub,
		MarshalAny(ctx, &sub, vsig, vsigLen, contentPtr));
    default:
	return MarshalBasic(ctx, iterPtr, sig[0], valuePtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalValue --
 *
 *	Append one Tcl value as the single complete type sig.  Nesting and
 *	size limits are counted from the iterator's position.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message and errorcode; an invalid sig
 *	gives "Invalid type signature" {DBUS INVALID SIGNATURE sig}.
 *
 * Side effects:
 *	Appends to the message.  After an error the message is unusable
 *	(the caller unrefs it), but no container is left open.
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalValue(
    Tcl_Interp *interp,		/* errors and 'h'; may be NULL */
    DbusConn *connPtr,		/* fd-passing check; may be NULL */
    DBusMessageIter *iterPtr,	/* append iterator */
    const char *sig,		/* one complete type, need not be
				 * NUL-terminated */
    int sigLen,			/* its length */
    Tcl_Obj *valuePtr)		/* borrowed */
{
    char sigBuf[DBUS_MAX_SIG_LEN + 1];
    MarshalCtx ctx;
    int n;

    /*
     * Copy the type: sig may live in the internal representation of an
     * object that marshalling valuePtr could shimmer.
     */

    n = (sigLen < 0) ? 0 : (sigLen > DBUS_MAX_SIG_LEN) ? DBUS_MAX_SIG_LEN
	    : sigLen;
    memcpy(sigBuf, sig, (size_t) n);
    sigBuf[n] = '\0';
    if (n != sigLen || DbusSignatureTypeLength(sigBuf, n) != n) {
	return DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", sigBuf,
		"Invalid type signature");
    }
    ctx.interp = interp;
    ctx.errInterp = interp;
    ctx.connPtr = connPtr;
    ctx.pos = 0;
    ctx.depth = 0;
    ctx.nFds = 0;
    ctx.dry = 0;
    ctx.limitHit = 0;
    return MarshalAny(&ctx, iterPtr, sigBuf, sigLen, valuePtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalCheck --
 *
 *	Would DbusMarshalValue accept value as the single complete type
 *	sig?  The same walk, appending nothing: used where a value must be
 *	known good before anything is appended (a property write, one
 *	entry of a PropertiesChanged or GetAll batch).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with the error DbusMarshalValue would give
 *	(in interp when it is not NULL).
 *
 * Side effects:
 *	May shimmer valuePtr and its elements (as marshalling does).
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalCheck(
    Tcl_Interp *interp,		/* errors and 'h'; may be NULL */
    DbusConn *connPtr,		/* fd-passing check; may be NULL */
    const char *sig,		/* one complete type */
    int sigLen,
    Tcl_Obj *valuePtr)		/* borrowed */
{
    char sigBuf[DBUS_MAX_SIG_LEN + 1];
    DBusMessageIter dummy;
    MarshalCtx ctx;
    int n;

    n = (sigLen < 0) ? 0 : (sigLen > DBUS_MAX_SIG_LEN) ? DBUS_MAX_SIG_LEN
	    : sigLen;
    memcpy(sigBuf, sig, (size_t) n);
    sigBuf[n] = '\0';
    if (n != sigLen || DbusSignatureTypeLength(sigBuf, n) != n) {
	return DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", sigBuf,
		"Invalid type signature");
    }
    ctx.interp = interp;
    ctx.errInterp = interp;
    ctx.connPtr = connPtr;
    ctx.pos = 0;
    ctx.depth = 0;
    ctx.nFds = 0;
    ctx.dry = 1;
    ctx.limitHit = 0;
    return MarshalAny(&ctx, &dummy, sigBuf, sigLen, valuePtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalArgs --
 *
 *	Append the arguments of a call, signal, return or error.  Without
 *	a signature every argument is a string 's'; with one, argument i is
 *	marshalled as its complete type i.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message and errorcode: "Invalid type
 *	signature" {DBUS INVALID SIGNATURE sig}, "Argument list does not
 *	match signature" {DBUS ARGS MISSING}, "Arguments left after
 *	exhausting the type signature" {DBUS ARGS EXTRA}, value errors,
 *	{DBUS LIMIT ...}.
 *
 * Side effects:
 *	Appends to msg (whose body should be empty, for exact limits).
 *	After an error msg is unusable: the caller unrefs it.  May convert
 *	sigObj to the "dbus.signature" type.
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalArgs(
    Tcl_Interp *interp,		/* errors; may be NULL */
    DbusConn *connPtr,		/* fd-passing check; may be NULL */
    DBusMessage *msg,		/* message being built; borrowed */
    Tcl_Obj *sigObj,		/* signature, or NULL: all strings */
    Tcl_Size objc,
    Tcl_Obj *const objv[])	/* the arguments; borrowed */
{
    DBusMessageIter iter;
    MarshalCtx ctx;
    DbusSignature *sigPtr;
    char text[DBUS_MAX_SIG_LEN + 1];
    unsigned char start[DBUS_MAX_SIG_LEN + 1];
    Tcl_Size i;

    ctx.interp = interp;
    ctx.errInterp = interp;
    ctx.connPtr = connPtr;
    ctx.pos = 0;
    ctx.depth = 0;
    ctx.nFds = 0;
    ctx.dry = 0;
    ctx.limitHit = 0;
    dbus_message_iter_init_append(msg, &iter);

    if (sigObj == NULL) {
	if (objc > DBUS_MAX_SIG_LEN) {
	    return LimitError(interp, "SIGNATURE");
	}
	for (i = 0; i < objc; i++) {
	    if (MarshalString(&ctx, &iter, objv[i]) != TCL_OK) {
		return TCL_ERROR;
	    }
	}
    } else {
	if (DbusGetSignatureFromObj(interp, sigObj, &sigPtr) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (objc < sigPtr->nTypes) {
	    return DbusError(interp, DBUS_EC_ARGS, "MISSING", NULL,
		    "Argument list does not match signature");
	}
	if (objc > sigPtr->nTypes) {
	    return DbusError(interp, DBUS_EC_ARGS, "EXTRA", NULL,
		    "Arguments left after exhausting the type signature");
	}

	/*
	 * Work on a copy: an argument may be sigObj itself, and marshalling
	 * it (as a list, say) would free the parsed signature.
	 */

	memcpy(text, sigPtr->text, (size_t) sigPtr->length + 1);
	memcpy(start, sigPtr->start, (size_t) sigPtr->nTypes + 1);
	for (i = 0; i < objc; i++) {
	    if (MarshalAny(&ctx, &iter, text + start[i],
		    start[i + 1] - start[i], objv[i]) != TCL_OK) {
		return TCL_ERROR;
	    }
	}
    }

    /*
     * The header: 2 KiB bound all fields but the path (names and the
     * signature have at most 255 bytes).
     */

    if (ctx.pos > DBUS_MAX_MSG_BYTES / 2 && ctx.pos + 2048
	    + strlen(dbus_message_get_path(msg) ? dbus_message_get_path(msg)
	    : "") > DBUS_MAX_MSG_BYTES) {
	return LimitError(interp, "MESSAGE");
    }
    return TCL_OK;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
