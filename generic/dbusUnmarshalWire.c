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

/*
 * Fixed-size values met in one message share one object per value (a
 * direct-mapped cache keyed by type and bits, like DbusFixedListObj's):
 * the values of an a{sv} are mostly a few small integers and booleans,
 * and each object not made is one not freed either.  A slot holds a
 * reference, so a value that a dict replaced (a duplicate key) cannot be
 * freed while the cache still points at it; the references are dropped
 * when the message is read.
 */

#define WIRE_CACHE_BITS	8
#define WIRE_CACHE_SIZE	(1 << WIRE_CACHE_BITS)

typedef struct WireCacheSlot {
    Tcl_WideUInt bits;		/* the value's bits (DbusFixedBits) */
    Tcl_Obj *objPtr;		/* holds a reference, or NULL */
    int code;			/* its type code */
} WireCacheSlot;

typedef struct WireReader {
    const unsigned char *data;	/* the marshalled message (borrowed) */
    size_t pos;			/* read offset from the message's start */
    size_t end;			/* offset of the end of the body */
    int swap;			/* not in the host's byte order */
    int flags;			/* DBUS_FLAG_DETAILS */
    int depth;			/* containers and variants entered */
    Tcl_Obj *spare;		/* a dict to refill (WireRefill), held;
				 * NULL when none (any more) */
    Tcl_Obj *refilled;		/* the spare once refilled, held until
				 * the argument list holds it */
    int cacheUsed;		/* cache[] was cleared (first value met) */
    WireCacheSlot cache[WIRE_CACHE_SIZE];
				/* shared fixed-size values; valid once
				 * cacheUsed is set */
} WireReader;

static int		WireAlign(WireReader *r, int alignment);
static Tcl_Obj *	WireDiscard(Tcl_Obj *objPtr);
static int		WireFixed(WireReader *r, int code,
			    Tcl_WideUInt *bitsPtr);
static Tcl_Obj *	WireString(WireReader *r, int code);
static Tcl_Obj *	WireFixedObj(WireReader *r, int code);
static Tcl_Obj *	WireArray(WireReader *r, const char *elemSig);
static Tcl_Obj *	WireDict(WireReader *r, const char *keySig,
			    const char *valueSig, size_t end, int *isDictPtr);
static int		WireRefill(WireReader *r, const char *valueSig,
			    size_t end);
static Tcl_Obj *	WireStruct(WireReader *r, const char *sig);
static Tcl_Obj *	WireVariant(WireReader *r);
static Tcl_Obj *	WireValue(WireReader *r, const char *sig);

/*
 *----------------------------------------------------------------------
 *
 * DbusSigNext, WireAlign, WireFixed, WireString, WireDiscard --
 *
 *	DbusSigNext: the signature after the complete type at sig (NULL if the
 *	signature ends inside it).  WireAlign: skip the padding up to an
 *	alignment (TYPE_ALIGN, dbusInt.h).
 *	WireFixed: read one fixed-size value of type code as its bits
 *	(DbusFixedBits' form).  WireString: read an 's', 'o' or 'g' as a new
 *	string object.  WireDiscard: free a value being built when reading
 *	fails.
 *
 * Results:
 *	WireAlign and WireFixed: 1, or 0 if the body ends first.
 *	WireString: a new object (refcount 0), or NULL if malformed.
 *	WireDiscard: NULL.
 *
 * Side effects:
 *	The read offset moves past what was read; WireDiscard frees objPtr
 *	(a new object nobody holds).
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

static Tcl_Obj *
WireDiscard(
    Tcl_Obj *objPtr)		/* refcount 0 */
{
    Tcl_IncrRefCount(objPtr);
    Tcl_DecrRefCount(objPtr);
    return NULL;
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
 * WireFixedObj, WireCacheFree --
 *
 *	WireFixedObj: read one fixed-size value as a Tcl value (the one
 *	DbusUnmarshalValue gives: 'y' 'n' 'q' 'i' int, 'b' boolean 0/1,
 *	the others DbusNewFixedObj), shared with the equal values met
 *	before in the message when the cache still holds one.
 *	WireCacheFree: drop the cache's references.
 *
 * Results:
 *	WireFixedObj: an object whose only reference may be the cache's,
 *	or NULL if the body ends first.
 *
 * Side effects:
 *	The read offset moves past the value; the cache slot is replaced.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
WireFixedObj(
    WireReader *r,		/* the reader */
    int code)			/* IS_FIXED_CODE */
{
    Tcl_WideUInt bits;
    WireCacheSlot *slotPtr;
    Tcl_Obj *objPtr;

    if (!WireFixed(r, code, &bits)) {
	return NULL;
    }
    if (!r->cacheUsed) {
	memset(r->cache, 0, sizeof(r->cache));
	r->cacheUsed = 1;
    }
    slotPtr = r->cache + (size_t) ((((bits ^ (bits >> 29)) + (unsigned) code)
	    * (Tcl_WideUInt) 0x9E3779B97F4A7C15ULL) >> (64 - WIRE_CACHE_BITS));
    if (slotPtr->objPtr != NULL && slotPtr->bits == bits
	    && slotPtr->code == code) {
	return slotPtr->objPtr;
    }
    switch (code) {
    case 'y':
    case 'n':
    case 'q':
    case 'i':
	objPtr = Tcl_NewIntObj((int) (Tcl_WideInt) bits);
	break;
    case 'b':
	objPtr = Tcl_NewBooleanObj(bits != 0);
	break;
    default:				/* u x t d */
	objPtr = DbusNewFixedObj(code, bits);
	break;
    }
    Tcl_IncrRefCount(objPtr);
    if (slotPtr->objPtr != NULL) {
	Tcl_DecrRefCount(slotPtr->objPtr);
    }
    slotPtr->objPtr = objPtr;
    slotPtr->bits = bits;
    slotPtr->code = code;
    return objPtr;
}

static void
WireCacheFree(
    WireReader *r)		/* the reader */
{
    int i;

    if (!r->cacheUsed) {
	return;
    }
    for (i = 0; i < WIRE_CACHE_SIZE; i++) {
	if (r->cache[i].objPtr != NULL) {
	    Tcl_DecrRefCount(r->cache[i].objPtr);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * WireValue, WireArray, WireStruct, WireVariant --
 *
 *	Read one value of the complete type at sig (WireArray: of an
 *	array whose element type is at elemSig; WireStruct: the members
 *	of a struct from the first member's type on), giving what
 *	DbusUnmarshalValue gives for it: the same string form, an a{KV}
 *	as a dict (WireDict; the reader's spare refilled for a top-level
 *	a{s..}, WireRefill) unless a key repeats.
 *
 * Results:
 *	A new object (refcount 0), or one held only by the reader (a
 *	shared number, the refilled spare), or NULL if the body is
 *	malformed or holds an 'h'.
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
    switch (*sig) {
    case 'y':
    case 'n':
    case 'q':
    case 'i':
    case 'b':
    case 'u':
    case 'x':
    case 't':
    case 'd':
	return WireFixedObj(r, *sig);
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
    size_t len, end, start;
    int code = *elemSig, size, isDict;
    const char *valueSig = NULL;
    Tcl_Obj *listPtr, *elemPtr;

    if (!WireFixed(r, 'u', &bits) || !WireAlign(r, TYPE_ALIGN(code))
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
    if (++r->depth > WIRE_MAX_DEPTH) {
	return NULL;
    }
    if (code == '{') {
	valueSig = DbusSigNext(elemSig + 1);
	if (valueSig == NULL) {
	    return NULL;
	}
	start = r->pos;
	if (r->spare != NULL && r->depth == 1 && elemSig[1] == 's') {
	    if (WireRefill(r, valueSig, end)) {
		r->depth--;
		return r->refilled;
	    }
	    if (r->pos != start) {
		return NULL;		/* malformed */
	    }
	}
	listPtr = WireDict(r, elemSig + 1, valueSig, end, &isDict);
	if (listPtr == NULL || isDict) {
	    r->depth--;
	    return listPtr;		/* the dict, or malformed */
	}

	/*
	 * A key met twice: listPtr is the flat list of the entries up to
	 * that one; the rest are added to it.
	 */
    } else {
	listPtr = Tcl_NewListObj(0, NULL);
    }
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
    return WireDiscard(listPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * WireDict --
 *
 *	The entries of an a{KV} (from the first one up to end) as a Tcl
 *	dict, built as it is read: a handler's dict commands then find a
 *	dict and need not convert a list (that conversion hashed every key
 *	again, and the list was made for nothing).  The string form is the
 *	flat list's, key value key value ... in the message's order.  A key
 *	met twice (the wire allows it) would lose an entry in a dict: the
 *	entries read so far then become a flat list, which keeps them all
 *	(as the iterators give them), and the caller reads the rest into
 *	it.  Nothing is read twice: a hostile message nesting such arrays
 *	costs no more than any other (reading them again cost twice the
 *	inner arrays' time per level: 2^32 reads for a message of 300
 *	bytes).
 *
 * Results:
 *	A new dict with *isDictPtr 1; a new flat list of the entries up to
 *	and including the first repeated key with *isDictPtr 0 (the read
 *	offset after that entry); both refcount 0.  NULL if the body is
 *	malformed.
 *
 * Side effects:
 *	The read offset moves past the entries.
 *
 *----------------------------------------------------------------------
 */

#define WIRE_DICT_STACK	32

static Tcl_Obj *
WireDict(
    WireReader *r,		/* the reader, at the first entry */
    const char *keySig,		/* the key type */
    const char *valueSig,	/* the value type */
    size_t end,			/* offset of the array's end */
    int *isDictPtr)		/* out: 1 for a dict, 0 for a list */
{
    Tcl_Obj *stackVals[WIRE_DICT_STACK];
    Tcl_Obj **vals = stackVals;	/* the values in the order read, each
				 * holding a reference (the one a
				 * repeated key replaces in the dict
				 * must survive for the list) */
    Tcl_Size n = 0, room = WIRE_DICT_STACK, size, i;
    Tcl_Obj *dictPtr = Tcl_NewDictObj(), *resultPtr = NULL;
    Tcl_Obj *keyPtr = NULL, *valuePtr, *entryKeyPtr;
    Tcl_DictSearch search;
    int done;

    *isDictPtr = 1;
    while (r->pos < end) {
	if (!WireAlign(r, 8) || (keyPtr = WireValue(r, keySig)) == NULL) {
	    goto done;
	}
	Tcl_IncrRefCount(keyPtr);
	valuePtr = WireValue(r, valueSig);
	if (valuePtr == NULL) {
	    goto done;
	}
	if (n == room) {
	    room *= 2;
	    if (vals == stackVals) {
		vals = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * room);
		memcpy(vals, stackVals, sizeof(stackVals));
	    } else {
		vals = (Tcl_Obj **) ckrealloc(vals, sizeof(Tcl_Obj *) * room);
	    }
	}
	Tcl_IncrRefCount(valuePtr);
	vals[n++] = valuePtr;
	Tcl_DictObjPut(NULL, dictPtr, keyPtr, valuePtr);
	Tcl_DictObjSize(NULL, dictPtr, &size);
	if (size != n) {
	    /*
	     * A key met twice.  The dict holds the n-1 distinct keys in
	     * the order read (the repeated one where it first appeared);
	     * their values are vals[].
	     */

	    resultPtr = Tcl_NewListObj(0, NULL);
	    Tcl_DictObjFirst(NULL, dictPtr, &search, &entryKeyPtr,
		    &valuePtr, &done);
	    for (i = 0; i < n - 1 && !done; i++) {
		Tcl_ListObjAppendElement(NULL, resultPtr, entryKeyPtr);
		Tcl_ListObjAppendElement(NULL, resultPtr, vals[i]);
		Tcl_DictObjNext(&search, &entryKeyPtr, &valuePtr, &done);
	    }
	    Tcl_DictObjDone(&search);
	    Tcl_ListObjAppendElement(NULL, resultPtr, keyPtr);
	    Tcl_ListObjAppendElement(NULL, resultPtr, vals[n - 1]);
	    *isDictPtr = 0;
	    goto done;
	}
	Tcl_DecrRefCount(keyPtr);
	keyPtr = NULL;
    }
    if (r->pos == end) {
	resultPtr = dictPtr;
    }

  done:
    if (keyPtr != NULL) {
	Tcl_DecrRefCount(keyPtr);
    }
    for (i = 0; i < n; i++) {
	Tcl_DecrRefCount(vals[i]);
    }
    if (vals != stackVals) {
	ckfree(vals);
    }
    if (resultPtr != dictPtr) {
	Tcl_IncrRefCount(dictPtr);
	Tcl_DecrRefCount(dictPtr);
    }
    return resultPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * WireRefill --
 *
 *	The entries of a top-level a{sV} put into the reader's spare dict
 *	(the last message's argument, which only the interp still held)
 *	when they have its keys, the same strings in the same order, as
 *	repeated calls and signals of one kind usually do: the values are
 *	replaced in place, and no key, entry or dict is made and freed
 *	again.  Any other entries leave the spare to be dropped.
 *
 * Results:
 *	1 with r->refilled set (the spare, same string form as a new dict
 *	would have); 0 with the read offset where it was (not the same
 *	keys) or moved on (malformed).  Either way r->spare is NULL after,
 *	and a spare not refilled is freed.
 *
 * Side effects:
 *	Changes the spare, which nothing else holds.
 *
 *----------------------------------------------------------------------
 */

static int
WireRefill(
    WireReader *r,		/* the reader, at the first entry */
    const char *valueSig,	/* the value type */
    size_t end)			/* offset of the array's end */
{
    Tcl_Obj *dictPtr = r->spare, *keyPtr, **keys = NULL, *valuePtr;
    Tcl_DictSearch search;
    Tcl_Size n = 0, k, klen;
    Tcl_WideUInt bits;
    size_t start = r->pos, len;
    const char *kstr;
    int done, ok = 0;

    r->spare = NULL;
    if (Tcl_DictObjSize(NULL, dictPtr, &n) != TCL_OK || n <= 0
	    || n > DBUS_SPARE_DICT_MAX) {
	goto done;
    }
    keys = (Tcl_Obj **) attemptckalloc(sizeof(Tcl_Obj *) * (size_t) n);
    if (keys == NULL) {
	goto done;
    }
    Tcl_DictObjFirst(NULL, dictPtr, &search, &keyPtr, NULL, &done);
    for (k = 0; !done && k < n; k++) {
	keys[k] = keyPtr;
	Tcl_DictObjNext(&search, &keyPtr, NULL, &done);
    }
    Tcl_DictObjDone(&search);

    /*
     * Key k must be the spare's key k, byte for byte (a key whose Tcl
     * form differs from its UTF-8, beyond U+FFFF, never matches: a new
     * dict is made then).
     */

    for (k = 0; r->pos < end; k++) {
	if (k >= n || !WireAlign(r, 8) || !WireFixed(r, 'u', &bits)) {
	    break;
	}
	len = (size_t) bits;
	kstr = Tcl_GetStringFromObj(keys[k], &klen);
	if (r->end - r->pos <= len || r->data[r->pos + len] != '\0'
		|| (size_t) klen != len
		|| memcmp(kstr, r->data + r->pos, len) != 0) {
	    break;
	}
	r->pos += len + 1;
	valuePtr = WireValue(r, valueSig);
	if (valuePtr == NULL) {
	    goto done;			/* malformed: the offset moved on */
	}
	Tcl_DictObjPut(NULL, dictPtr, keys[k], valuePtr);
    }
    if (k == n && r->pos == end) {
	ok = 1;
	r->refilled = dictPtr;
	dictPtr = NULL;
    } else {
	r->pos = start;			/* not the same keys */
    }

  done:
    if (keys != NULL) {
	ckfree((char *) keys);
    }
    if (dictPtr != NULL) {
	Tcl_DecrRefCount(dictPtr);
    }
    return ok;
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
    return WireDiscard(listPtr);
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
    int flags,			/* DBUS_FLAG_DETAILS */
    Tcl_Obj **sparePtr,		/* in: a dict to refill (reference
				 * passed) or NULL; out: the same when
				 * unused, else NULL; sparePtr may be
				 * NULL */
    int *lengthPtr)		/* out: the message's length in bytes;
				 * may be NULL */
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
    if (lengthPtr != NULL) {
	*lengthPtr = len;
    }
    r.data = (const unsigned char *) buf;
    r.end = (size_t) len;
    r.swap = (len < 16 || (r.data[0] == 'l') != (host.c[0] == 1));
    r.flags = flags;
    r.depth = 0;
    r.cacheUsed = 0;
    r.spare = (sparePtr != NULL) ? *sparePtr : NULL;
    r.refilled = NULL;
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
    WireCacheFree(&r);
    if (r.refilled != NULL) {
	Tcl_DecrRefCount(r.refilled);	/* the list holds it, or it goes */
    }

  done:
    dbus_free(buf);
    if (sparePtr != NULL) {
	*sparePtr = r.spare;		/* unused (or NULL) */
    }
    return listPtr;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
