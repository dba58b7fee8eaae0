/*
 * dbusUnmarshalWire.c --
 *
 *	The wire decoder of dbusUnmarshal.c: a message holding arrays of
 *	containers or strings is read from its marshalled form in one pass,
 *	giving exactly the values the iterator decoder gives.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include "dbusUnmarshalInt.h"

/*
 * The wire decoder.  libdbus' iterators cost some 1,500 instructions per
 * value inside a container (each step re-reads the type signature; moving
 * past a dict entry walks it a second time), which made an a{sv} of 10,000
 * entries cost 32M instructions to read against 18M for a C server that
 * only sums it.  A message whose signature holds an array of anything but
 * fixed-size elements is therefore read from its wire form instead: one
 * copy of the message (dbus_message_marshal), then one pass over the body
 * guided by the signature.  libdbus validated the body against the
 * signature when the message was received, but the decoder still checks
 * every length and offset against the body; should anything not add up
 * it gives up and the message is read with the iterators, which give the
 * same values.  Messages carrying file descriptors ('h') always use the
 * iterators (libdbus hands out the descriptors).
 */

#define WIRE_MAX_DEPTH	256	/* containers and variants, nested */

typedef struct WireReader {
    const unsigned char *data;	/* the marshalled message (borrowed) */
    size_t pos;			/* read offset from the message's start */
    size_t end;			/* offset of the end of the body */
    int swap;			/* not in the host's byte order */
    int flags;			/* DBUS_FLAG_DETAILS */
    int depth;			/* containers and variants entered */
} WireReader;

static int		WireAlign(WireReader *r, int alignment);
static int		WireAlignment(int code);
static int		WireFixed(WireReader *r, int code,
			    Tcl_WideUInt *bitsPtr);
static Tcl_Obj *	WireString(WireReader *r, int code);
static Tcl_Obj *	WireArray(WireReader *r, const char *elemSig);
static Tcl_Obj *	WireStruct(WireReader *r, const char *sig);
static Tcl_Obj *	WireVariant(WireReader *r);
static Tcl_Obj *	WireValue(WireReader *r, const char *sig);

/*
 *----------------------------------------------------------------------
 *
 * DbusSigNext, WireAlignment, WireAlign, WireFixed, WireString --
 *
 *	DbusSigNext: the signature after the complete type at sig (NULL if the
 *	signature ends inside it).  WireAlignment: the wire alignment of a
 *	type code.  WireAlign: skip the padding up to the alignment.
 *	WireFixed: read one fixed-size value of type code as its bits
 *	(DbusFixedBits' form).  WireString: read an 's', 'o' or 'g' as a new
 *	string object.
 *
 * Results:
 *	WireAlign and WireFixed: 1, or 0 if the body ends first.
 *	WireString: a new object (refcount 0), or NULL if malformed.
 *
 * Side effects:
 *	The read offset moves past what was read.
 *
 *----------------------------------------------------------------------
 */

const char *
DbusSigNext(
    const char *sig)		/* a complete type, or more */
{
    int depth = 0, c;

    for (;;) {
	c = *sig++;
	if (c == '\0') {
	    return NULL;
	} else if (c == 'a') {
	    continue;
	} else if (c == '(' || c == '{') {
	    depth++;
	} else if (c == ')' || c == '}') {
	    depth--;
	}
	if (depth == 0) {
	    return sig;
	}
    }
}

static int
WireAlignment(
    int code)			/* type code */
{
    switch (code) {
    case 'y':
    case 'g':
    case 'v':
	return 1;
    case 'n':
    case 'q':
	return 2;
    case 'b':
    case 'i':
    case 'u':
    case 's':
    case 'o':
    case 'a':
    case 'h':
	return 4;
    default:				/* x t d ( { */
	return 8;
    }
}

static int
WireAlign(
    WireReader *r,		/* the reader */
    int alignment)		/* 1, 2, 4 or 8 */
{
    size_t pos = (r->pos + (size_t) alignment - 1)
	    & ~((size_t) alignment - 1);

    if (pos > r->end) {
	return 0;
    }
    r->pos = pos;
    return 1;
}

static int
WireFixed(
    WireReader *r,		/* the reader */
    int code,			/* IS_FIXED_CODE */
    Tcl_WideUInt *bitsPtr)	/* the value's bits, DbusFixedBits' form */
{
    int size = DbusFixedSize(code);

    if (!WireAlign(r, size) || r->end - r->pos < (size_t) size) {
	return 0;
    }
    *bitsPtr = DbusFixedBits(code, r->data + r->pos, 0, r->swap);
    r->pos += (size_t) size;
    return 1;
}

static Tcl_Obj *
WireString(
    WireReader *r,		/* the reader */
    int code)			/* 's', 'o' or 'g' */
{
    Tcl_WideUInt bits;
    size_t len;
    Tcl_Obj *objPtr;

    if (code == 'g') {
	if (r->pos >= r->end) {
	    return NULL;
	}
	len = r->data[r->pos++];
    } else {
	if (!WireFixed(r, 'u', &bits)) {
	    return NULL;
	}
	len = (size_t) bits;
    }
    if (r->end - r->pos <= len || r->data[r->pos + len] != '\0') {
	return NULL;
    }
    objPtr = DbusNewUtf8Obj((const char *) r->data + r->pos, len);
    r->pos += len + 1;
    return objPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * WireValue, WireArray, WireStruct, WireVariant --
 *
 *	Read one value of the complete type at sig (WireArray: of an
 *	array whose element type is at elemSig; WireStruct: the members
 *	of a struct from the first member's type on), giving exactly what
 *	DbusUnmarshalValue gives for it.
 *
 * Results:
 *	A new object (refcount 0), or NULL if the body is malformed or
 *	holds an 'h'.
 *
 * Side effects:
 *	The read offset moves past the value.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
WireValue(
    WireReader *r,		/* the reader */
    const char *sig)		/* the value's complete type */
{
    Tcl_WideUInt bits;

    switch (*sig) {
    case 'y':
    case 'n':
    case 'q':
    case 'i':
	if (!WireFixed(r, *sig, &bits)) {
	    return NULL;
	}
	return Tcl_NewIntObj((int) (Tcl_WideInt) bits);
    case 'b':
	if (!WireFixed(r, 'b', &bits)) {
	    return NULL;
	}
	return Tcl_NewBooleanObj(bits != 0);
    case 'u':
    case 'x':
    case 't':
    case 'd':
	if (!WireFixed(r, *sig, &bits)) {
	    return NULL;
	}
	return DbusNewFixedObj(*sig, bits);
    case 's':
    case 'o':
    case 'g':
	return WireString(r, *sig);
    case 'a':
	return WireArray(r, sig + 1);
    case '(':
	return WireStruct(r, sig + 1);
    case 'v':
	return WireVariant(r);
    default:				/* 'h', or not a type */
	return NULL;
    }
}

static Tcl_Obj *
WireArray(
    WireReader *r,		/* the reader */
    const char *elemSig)	/* the element type */
{
    Tcl_WideUInt bits;
    size_t len, end;
    int code = *elemSig, size;
    const char *valueSig = NULL;
    Tcl_Obj *listPtr, *elemPtr;

    if (!WireFixed(r, 'u', &bits) || !WireAlign(r, WireAlignment(code))
	    || (size_t) bits > r->end - r->pos) {
	return NULL;
    }
    len = (size_t) bits;
    end = r->pos + len;
    if (IS_FIXED_CODE(code)) {
	size = DbusFixedSize(code);
	if (len % (size_t) size != 0) {
	    return NULL;
	}
	listPtr = DbusFixedListObj(code, r->data + r->pos,
		(int) (len / (size_t) size), r->swap);
	r->pos = end;
	return listPtr;
    }
    if (code == '{') {
	valueSig = DbusSigNext(elemSig + 1);
	if (valueSig == NULL) {
	    return NULL;
	}
    }
    if (++r->depth > WIRE_MAX_DEPTH) {
	return NULL;
    }
    listPtr = Tcl_NewListObj(0, NULL);
    while (r->pos < end) {
	if (code == '{') {
	    if (!WireAlign(r, 8)
		    || (elemPtr = WireValue(r, elemSig + 1)) == NULL) {
		goto error;
	    }
	    Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
	    elemPtr = WireValue(r, valueSig);
	} else {
	    elemPtr = WireValue(r, elemSig);
	}
	if (elemPtr == NULL) {
	    goto error;
	}
	Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
    }
    if (r->pos != end) {
	goto error;
    }
    r->depth--;
    return listPtr;

  error:
    Tcl_IncrRefCount(listPtr);
    Tcl_DecrRefCount(listPtr);
    return NULL;
}

static Tcl_Obj *
WireStruct(
    WireReader *r,		/* the reader */
    const char *sig)		/* the first member's type */
{
    Tcl_Obj *listPtr, *elemPtr;

    if (!WireAlign(r, 8) || ++r->depth > WIRE_MAX_DEPTH) {
	return NULL;
    }
    listPtr = Tcl_NewListObj(0, NULL);
    while (sig != NULL && *sig != ')') {
	elemPtr = WireValue(r, sig);
	if (elemPtr == NULL) {
	    goto error;
	}
	Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
	sig = DbusSigNext(sig);
    }
    if (sig == NULL) {
	goto error;
    }
    r->depth--;
    return listPtr;

  error:
    Tcl_IncrRefCount(listPtr);
    Tcl_DecrRefCount(listPtr);
    return NULL;
}

static Tcl_Obj *
WireVariant(
    WireReader *r)		/* the reader */
{
    const char *sig;
    size_t len;
    Tcl_Obj *pair[2];

    if (r->pos >= r->end) {
	return NULL;
    }
    len = r->data[r->pos];
    if (len == 0 || r->end - r->pos - 1 <= len
	    || r->data[r->pos + 1 + len] != '\0') {
	return NULL;
    }
    sig = (const char *) r->data + r->pos + 1;
    if (DbusSigNext(sig) != sig + len || ++r->depth > WIRE_MAX_DEPTH) {
	return NULL;
    }
    r->pos += len + 2;
    pair[1] = WireValue(r, sig);
    r->depth--;
    if (pair[1] == NULL || !(r->flags & DBUS_FLAG_DETAILS)) {
	return pair[1];
    }
    pair[0] = Tcl_NewStringObj(sig, (Tcl_Size) len);
    return Tcl_NewListObj(2, pair);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWireWanted, DbusWireUnmarshalArgs --
 *
 *	DbusWireWanted: is the wire decoder worth a copy of the message (an
 *	array of other than fixed-size elements, no 'h')?
 *	DbusWireUnmarshalArgs: all arguments of a message, read from its wire
 *	form.
 *
 * Results:
 *	DbusWireWanted: 1 or 0.  DbusWireUnmarshalArgs: a new list (refcount 0),
 *	or NULL if the message could not be read this way (no error
 *	left anywhere: the caller uses the iterators).
 *
 * Side effects:
 *	A temporary copy of the message.
 *
 *----------------------------------------------------------------------
 */

int
DbusWireWanted(
    const char *sig)		/* the message's signature */
{
    int wanted = 0;

    for (; *sig != '\0'; sig++) {
	if (*sig == 'h') {
	    return 0;
	}
	if (*sig == 'a' && !IS_FIXED_CODE(sig[1])) {
	    wanted = 1;
	}
    }
    return wanted;
}

Tcl_Obj *
DbusWireUnmarshalArgs(
    DBusMessage *msg,		/* borrowed */
    const char *sig,		/* its signature */
    int flags)			/* DBUS_FLAG_DETAILS */
{
    static const union {
	dbus_uint32_t u;
	unsigned char c[4];
    } host = {1};
    WireReader r;
    char *buf = NULL;
    int len = 0;
    Tcl_WideUInt bodyLen = 0, fieldsLen = 0;
    Tcl_Obj *listPtr = NULL, *elemPtr;

    if (!dbus_message_marshal(msg, &buf, &len) || buf == NULL) {
	return NULL;
    }
    r.data = (const unsigned char *) buf;
    r.end = (size_t) len;
    r.swap = (len < 16 || (r.data[0] == 'l') != (host.c[0] == 1));
    r.flags = flags;
    r.depth = 0;
    if (len < 16 || (r.data[0] != 'l' && r.data[0] != 'B')) {
	goto done;
    }
    r.pos = 4;
    (void) WireFixed(&r, 'u', &bodyLen);
    r.pos = 12;
    (void) WireFixed(&r, 'u', &fieldsLen);
    r.pos = (16 + (size_t) fieldsLen + 7) & ~(size_t) 7;
    if (fieldsLen > r.end || r.pos > r.end
	    || r.end - r.pos != (size_t) bodyLen) {
	goto done;
    }
    listPtr = Tcl_NewListObj(0, NULL);
    for (; sig != NULL && *sig != '\0'; sig = DbusSigNext(sig)) {
	elemPtr = WireValue(&r, sig);
	if (elemPtr == NULL) {
	    break;
	}
	Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
    }
    if (sig == NULL || *sig != '\0' || r.pos != r.end) {
	Tcl_IncrRefCount(listPtr);
	Tcl_DecrRefCount(listPtr);
	listPtr = NULL;
    }

  done:
    dbus_free(buf);
    return listPtr;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
