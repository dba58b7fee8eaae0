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
#include "dbusMarshalInt.h"

/*
 * Read-only after DbusMarshalInit (see dbusMarshalInt.h).
 */

DbusTclTypes dbusTclTypes;
const char dbusIntCodes[] = "ynqiux";
const IntRange dbusIntRanges[] = {
    {0, 255, "unsigned 8-bit integer"},
    {-32768, 32767, "signed 16-bit integer"},
    {0, 65535, "unsigned 16-bit integer"},
    {INT32_MIN, INT32_MAX, "signed 32-bit integer"},
    {0, UINT32_MAX, "unsigned 32-bit integer"},
    {INT64_MIN, INT64_MAX, "signed 64-bit integer"}
};

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

    dbusTclTypes.stringTypePtr = Tcl_GetObjType("string");
    dbusTclTypes.intTypePtr = Tcl_GetObjType("int");
    dbusTclTypes.wideIntTypePtr = Tcl_GetObjType("wideInt");
    dbusTclTypes.doubleTypePtr = Tcl_GetObjType("double");
    dbusTclTypes.booleanTypePtr = Tcl_GetObjType("boolean");
    dbusTclTypes.booleanStringTypePtr = Tcl_GetObjType("booleanString");
    dbusTclTypes.listTypePtr = Tcl_GetObjType("list");
    dbusTclTypes.dictTypePtr = Tcl_GetObjType("dict");
    dbusTclTypes.byteArrayTypePtr = Tcl_GetObjType("bytearray");

    /*
     * Tcl 8.6 registers neither its bignum type nor the type it gives to
     * boolean words ("booleanString" in 8.6.13): learn them from values.
     */

    probePtr = Tcl_NewStringObj("9223372036854775808", -1);
    Tcl_IncrRefCount(probePtr);
    (void) Tcl_GetWideIntFromObj(NULL, probePtr, &dummy);
    if (probePtr->typePtr != dbusTclTypes.intTypePtr
	    && probePtr->typePtr != dbusTclTypes.wideIntTypePtr) {
	dbusTclTypes.bignumTypePtr = probePtr->typePtr;
    }
    Tcl_DecrRefCount(probePtr);

    probePtr = Tcl_NewStringObj("yes", -1);
    Tcl_IncrRefCount(probePtr);
    if (dbusTclTypes.booleanStringTypePtr == NULL
	    && Tcl_GetBooleanFromObj(NULL, probePtr, &b) == TCL_OK
	    && probePtr->typePtr != dbusTclTypes.booleanTypePtr
	    && probePtr->typePtr != dbusTclTypes.intTypePtr) {
	dbusTclTypes.booleanStringTypePtr = probePtr->typePtr;
    }
    Tcl_DecrRefCount(probePtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalErrValueSig, DbusMarshalErrValue, LimitError,
 * DbusMarshalLimit --
 *
 *	DbusMarshalErrValue: `expected <what> but got "<value>"` with errorcode
 *	{DBUS VALUE <code> <value>} (DbusMarshalErrValueSig: for a type of more
 *	than one code); the message shows at most 150 bytes
 *	of the value, the errorcode all of it.  LimitError: a limit of the
 *	specification, {DBUS LIMIT ARRAY|MESSAGE|DEPTH|SIGNATURE};
 *	DbusMarshalLimit also notes in a marshalling run that a limit failed.
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	Set the interp result and errorcode (when interp is not NULL).
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalErrValueSig(
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

int
DbusMarshalErrValue(
    Tcl_Interp *interp,		/* may be NULL */
    int code,			/* D-Bus type code */
    Tcl_Obj *valuePtr,		/* offending value */
    const char *expected)	/* e.g. "unsigned 8-bit integer" */
{
    char codeStr[2];

    codeStr[0] = (char) code;
    codeStr[1] = '\0';
    return DbusMarshalErrValueSig(interp, codeStr, valuePtr, expected);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalErrShape --
 *
 *	A container value that is not a list (or dict) at all: keep Tcl's
 *	message, but give it our errorcode {DBUS VALUE sig value} (rule 13:
 *	every error of the extension starts with DBUS).
 *
 * Results:
 *	TCL_ERROR.
 *
 * Side effects:
 *	When interp is not NULL, sets its errorcode (Tcl's message stays the
 *	result).
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalErrShape(
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

int
DbusMarshalLimit(
    MarshalCtx *ctx,
    const char *what)		/* ARRAY MESSAGE DEPTH SIGNATURE */
{
    ctx->limitHit = 1;
    return LimitError(ctx->errInterp, what);
}

/*
 *----------------------------------------------------------------------
 *
 * AppendString, DbusMarshalString --
 *
 *	AppendString: append a checked string, object path or signature
 *	(valid UTF-8, no NUL) within the message size limit.
 *	DbusMarshalString: append a Tcl string as 's'.  Pure ASCII (the common
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
	return DbusMarshalLimit(ctx, "MESSAGE");
    }
    if (ctx->dry) {
	return TCL_OK;
    }
    if (!dbus_message_iter_append_basic(iterPtr, code, &str)) {
	return DbusNoMemory(ctx->errInterp);
    }
    return TCL_OK;
}

int
DbusMarshalString(
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

    /*
     * Plain ASCII (0x01..0x7F) goes as it is; eight bytes are tested at a
     * time (a byte with its top bit set, or a zero byte), the rest one by
     * one.
     */

    for (i = 0; i + 8 <= len; i += 8) {
	uint64_t w;

	memcpy(&w, bytes + i, 8);
	if ((w | ((w - UINT64_C(0x0101010101010101)) & ~w))
		& UINT64_C(0x8080808080808080)) {
	    break;
	}
    }
    for (; i < len; i++) {
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
 * DbusMarshalBasic --
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

int
DbusMarshalBasic(
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
	return DbusMarshalString(ctx, iterPtr, valuePtr);
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
 * MarshalArray, MarshalStruct --
 *
 *	MarshalArray: append an array a<T> (not a{KV}: DbusMarshalDict)
 *	from a Tcl list, each element as T; arrays of a fixed-size T go to
 *	DbusMarshalFixedArray.  The byte count of an array is kept within
 *	the 64 MiB limit.  MarshalStruct: a struct from a Tcl list with
 *	exactly one element per member.
 *
 * Results:
 *	TCL_OK or TCL_ERROR (Tcl's own message with {DBUS VALUE sig value}
 *	when the value is not a list).  A struct count mismatch gives `Not
 *	enough elements in list representing structure: "(..)"`
 *	{DBUS ARGS MISSING} or "Arguments left after exhausting the type
 *	signature" {DBUS ARGS EXTRA}.
 *
 * Side effects:
 *	Append to the message; containers are abandoned on error.
 *
 *----------------------------------------------------------------------
 */

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
	return DbusMarshalFixedArray(ctx, iterPtr, sig[1], valuePtr);
    }
    if (Tcl_ListObjGetElements(ctx->errInterp, valuePtr, &n, &elems)
	    != TCL_OK) {
	return DbusMarshalErrShape(ctx->errInterp, sig, sigLen, valuePtr);
    }
    memcpy(esig, sig + 1, (size_t) elen);
    esig[elen] = '\0';
    ctx->pos = ALIGN_POS(ALIGN_POS(ctx->pos, 4) + 4, TYPE_ALIGN(esig[0]));
    start = ctx->pos;
    if (DbusMarshalOpen(ctx, iterPtr, DBUS_TYPE_ARRAY, esig, &sub)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    for (k = 0; k < n && result == TCL_OK; k++) {
	result = DbusMarshalAny(ctx, &sub, esig, elen, elems[k]);
	if (result == TCL_OK && ctx->pos - start > DBUS_MAX_ARRAY_BYTES) {
	    result = DbusMarshalLimit(ctx, "ARRAY");
	} else if (result == TCL_OK && ctx->pos > DBUS_MAX_MSG_BYTES) {
	    result = DbusMarshalLimit(ctx, "MESSAGE");
	}
    }
    return DbusMarshalClose(ctx, iterPtr, &sub, result);
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
	return DbusMarshalErrShape(ctx->errInterp, sig, sigLen, valuePtr);
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
    if (DbusMarshalOpen(ctx, iterPtr, DBUS_TYPE_STRUCT, NULL, &sub)
	    != TCL_OK) {
	return TCL_ERROR;
    }
    for (p = sig + 1, k = 0; k < n && result == TCL_OK; k++, p += len) {
	len = DbusSignatureTypeLength(p, end - p);
	result = DbusMarshalAny(ctx, &sub, p, len, elems[k]);
    }
    return DbusMarshalClose(ctx, iterPtr, &sub, result);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalAny --
 *
 *	Append one value of the complete type sig (valid, sigLen bytes):
 *	the switch on the type code, recursive through the containers.
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a message and errorcode (in
 *	ctx->errInterp, when that is not NULL).
 *
 * Side effects:
 *	Appends to the message (unless ctx->dry), advances ctx->pos.
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalAny(
    MarshalCtx *ctx,
    DBusMessageIter *iterPtr,
    const char *sig,		/* valid complete type */
    int sigLen,
    Tcl_Obj *valuePtr)		/* borrowed */
{

    switch (sig[0]) {
    case 'a':
	if (sig[1] == '{') {
	    return DbusMarshalDict(ctx, iterPtr, sig, sigLen, valuePtr);
	}
	return MarshalArray(ctx, iterPtr, sig, sigLen, valuePtr);
    case '(':
	return MarshalStruct(ctx, iterPtr, sig, sigLen, valuePtr);
    case 'v':
	return DbusMarshalVariant(ctx, iterPtr, valuePtr);
    default:
	return DbusMarshalBasic(ctx, iterPtr, sig[0], valuePtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * CtxInit --
 *
 *	Start a marshalling run at the start of a message body.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Fills in *ctx.
 *
 *----------------------------------------------------------------------
 */

static inline void
CtxInit(
    MarshalCtx *ctx,		/* out */
    Tcl_Interp *interp,		/* errors and 'h'; may be NULL */
    DbusConn *connPtr,		/* fd-passing check; may be NULL */
    int dry)			/* check only, append nothing */
{
    ctx->interp = interp;
    ctx->errInterp = interp;
    ctx->connPtr = connPtr;
    ctx->pos = 0;
    ctx->depth = 0;
    ctx->nFds = 0;
    ctx->dry = dry;
    ctx->limitHit = 0;
}

/*
 *----------------------------------------------------------------------
 *
 * MarshalOne --
 *
 *	The body of DbusMarshalValue and DbusMarshalCheck: one Tcl value
 *	as the single complete type sig, appended, or only checked (dry).
 *	The type is copied first: sig may live in the internal
 *	representation of an object that marshalling valuePtr could
 *	shimmer.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with a message and errorcode (in interp when
 *	it is not NULL); an invalid sig gives "Invalid type signature"
 *	{DBUS INVALID SIGNATURE sig}.
 *
 * Side effects:
 *	Appends to the message unless dry.
 *
 *----------------------------------------------------------------------
 */

static int
MarshalOne(
    Tcl_Interp *interp,		/* errors and 'h'; may be NULL */
    DbusConn *connPtr,		/* fd-passing check; may be NULL */
    DBusMessageIter *iterPtr,	/* append iterator (unused when dry) */
    const char *sig,		/* one complete type, need not be
				 * NUL-terminated */
    int sigLen,			/* its length */
    Tcl_Obj *valuePtr,		/* borrowed */
    int dry)			/* check only */
{
    char sigBuf[DBUS_MAX_SIG_LEN + 1];
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
    CtxInit(&ctx, interp, connPtr, dry);
    return DbusMarshalAny(&ctx, iterPtr, sigBuf, sigLen, valuePtr);
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
    return MarshalOne(interp, connPtr, iterPtr, sig, sigLen, valuePtr, 0);
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
    DBusMessageIter dummy;

    return MarshalOne(interp, connPtr, &dummy, sig, sigLen, valuePtr, 1);
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

    CtxInit(&ctx, interp, connPtr, 0);
    dbus_message_iter_init_append(msg, &iter);

    if (sigObj == NULL) {
	if (objc > DBUS_MAX_SIG_LEN) {
	    return LimitError(interp, "SIGNATURE");
	}
	for (i = 0; i < objc; i++) {
	    if (DbusMarshalString(&ctx, &iter, objv[i]) != TCL_OK) {
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
	    if (DbusMarshalAny(&ctx, &iter, text + start[i],
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
