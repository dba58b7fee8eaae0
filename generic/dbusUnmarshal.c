/*
 * dbusUnmarshal.c --
 *
 *	Conversion of D-Bus message arguments to Tcl values (the encoder is
 *	in dbusMarshal.c): a decoder over libdbus' iterators, a switch on the
 *	type found in the message, and a wire decoder that reads the
 *	marshalled body of a message holding arrays of containers or strings
 *	in one pass (dbusUnmarshalWire.c).  Both give the same
 *	values.  Fixed-size arrays are read as one block.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include "dbusUnmarshalInt.h"
#include <stdio.h>
#include <stdint.h>
#ifndef _WIN32
#include <unistd.h>
#endif

/*
 * Basic types that BasicObj makes (every basic type but 'h').
 */

#define IS_BASIC_CODE(c) \
    (IS_FIXED_CODE(c) || (c) == 's' || (c) == 'o' || (c) == 'g')

static Tcl_Obj *	BasicObj(int type, const DBusBasicValue *valPtr,
			    Tcl_Obj *sparePtr);

/*
 *----------------------------------------------------------------------
 *
 * DbusNewUtf8Obj, NewUnsigned64Obj, UnmarshalFixedArray, UnmarshalMembers --
 *
 *	DbusNewUtf8Obj: Tcl string from a D-Bus string (valid UTF-8 without
 *	NUL, as libdbus guarantees); 4-byte sequences (beyond U+FFFF) go
 *	through the "utf-8" encoding so that Tcl 8.6 gets its internal
 *	form, everything else already is Tcl's internal form.
 *	NewUnsigned64Obj: Tcl integer for a 't', a bignum above 2^63-1.
 *	UnmarshalFixedArray: an array of a fixed-size type, read as one
 *	block (DbusFixedListObj, which the wire decoder shares) into one
 *	list allocated at its final size, appended in chunks; equal
 *	elements met close enough share one object (a direct-mapped cache
 *	keyed by the value's bits, so -0.0 and 0.0 or two NaNs of different
 *	payloads stay apart).  UnmarshalMembers: the values inside any
 *	other container as a list (array elements, struct
 *	members, key and value of a dict entry); dict entries met as array
 *	elements (a{..}) are flattened: key value key value ...
 *
 * Results:
 *	A new object (refcount 0); UnmarshalMembers returns NULL with an
 *	error in interp if a member fails.
 *
 * Side effects:
 *	See DbusUnmarshalValue.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusNewUtf8Obj(
    const char *str,		/* D-Bus string */
    size_t len)			/* its length in bytes */
{
    size_t i;
    const unsigned char *bytes = (const unsigned char *) str;
    unsigned char high = 0;
    Tcl_Encoding utf8;
    Tcl_DString ds;
    Tcl_Obj *objPtr;

    for (i = 0; i < len; i++) {
	high |= (bytes[i] >= 0xF0);
    }
    if (!high) {
	return Tcl_NewStringObj(str, (Tcl_Size) len);
    }
    utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_ExternalToUtfDString(utf8, str, (Tcl_Size) len, &ds);
    Tcl_FreeEncoding(utf8);
    objPtr = Tcl_NewStringObj(Tcl_DStringValue(&ds), Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    return objPtr;
}

static Tcl_Obj *
NewUnsigned64Obj(
    dbus_uint64_t u)
{
#if TCL_MAJOR_VERSION > 8
    return Tcl_NewWideUIntObj((Tcl_WideUInt) u);
#else
    char buf[TCL_INTEGER_SPACE + 8];
    Tcl_Obj *objPtr;
    Tcl_WideInt dummy;

    if (u <= (dbus_uint64_t) INT64_MAX) {
	return Tcl_NewWideIntObj((Tcl_WideInt) u);
    }

    /*
     * Without the tommath stubs, let Tcl's parser make the bignum.
     */

    snprintf(buf, sizeof(buf), "%llu", (unsigned long long) u);
    objPtr = Tcl_NewStringObj(buf, -1);
    (void) Tcl_GetWideIntFromObj(NULL, objPtr, &dummy);
    return objPtr;
#endif
}

/*
 * UnmarshalFixedArray keeps a direct-mapped cache of the element objects
 * it made, keyed by the element's bits, so that a value repeated within
 * one array is one shared object (a million small integers from a few
 * thousand distinct values cost a few thousand objects to build and to
 * free, not a million), and appends the elements to the list in chunks.
 */

#define FIXED_CACHE_BITS	12
#define FIXED_CACHE_SIZE	(1 << FIXED_CACHE_BITS)
#define FIXED_CHUNK		256

typedef struct FixedCacheSlot {
    Tcl_WideUInt bits;		/* the element's value bits */
    Tcl_Obj *objPtr;		/* borrowed from the list, or NULL */
} FixedCacheSlot;


/*
 *----------------------------------------------------------------------
 *
 * DbusNewFixedObj --
 *
 *	A Tcl value of one fixed-size element from its bits (DbusFixedBits): 'u'
 *	and 'x' wide integers, 't' through NewUnsigned64Obj (a bignum above
 *	2^63-1), 'd' a double, the others ints.
 *
 * Results:
 *	A new object (refcount 0).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusNewFixedObj(
    int code,			/* element type, IS_FIXED_CODE */
    Tcl_WideUInt bits)		/* value bits, from DbusFixedBits */
{
    double d;

    switch (code) {
    case 'u':
    case 'x':
	return Tcl_NewWideIntObj((Tcl_WideInt) bits);
    case 't':
	return NewUnsigned64Obj((dbus_uint64_t) bits);
    case 'd':
	memcpy(&d, &bits, 8);
	return Tcl_NewDoubleObj(d);
    default:				/* y b n q i */
	return Tcl_NewIntObj((int) (Tcl_WideInt) bits);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusFixedListObj --
 *
 *	A Tcl list of the n elements of a fixed array, built in chunks; equal
 *	elements share one Tcl_Obj through a small hash cache (about twice the
 *	array's length, at most FIXED_CACHE_SIZE slots, on the stack for small
 *	arrays).
 *
 * Results:
 *	A new list (refcount 0); an empty object when n <= 0.
 *
 * Side effects:
 *	May allocate the cache (freed here).
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusFixedListObj(
    int code,			/* element type, IS_FIXED_CODE */
    const void *data,		/* the elements */
    int n,			/* how many */
    int swap)			/* in the other byte order */
{
    int k, m = 0, cacheBits = 4;
    Tcl_Obj *listPtr, *chunk[FIXED_CHUNK];
    FixedCacheSlot stackCache[1 << 6], *cache = stackCache;
    Tcl_WideUInt bits;

    if (n <= 0) {
	return Tcl_NewObj();
    }

    /*
     * A cache of about twice the array's length, at most
     * FIXED_CACHE_SIZE slots; small arrays use the stack.
     */

    while (cacheBits < FIXED_CACHE_BITS && (1 << cacheBits) < 2 * n) {
	cacheBits++;
    }
    if ((1 << cacheBits) > (int) (sizeof(stackCache) / sizeof(*cache))) {
	cache = (FixedCacheSlot *) ckalloc(sizeof(FixedCacheSlot)
		<< cacheBits);
    }
    memset(cache, 0, sizeof(FixedCacheSlot) << cacheBits);
    listPtr = Tcl_NewListObj(n, NULL);	/* room for n, empty */
    for (k = 0; k < n; k++) {
	FixedCacheSlot *slotPtr;

	bits = DbusFixedBits(code, data, (size_t) k, swap);
	slotPtr = cache + (size_t) (((bits ^ (bits >> 29))
		* (Tcl_WideUInt) 0x9E3779B97F4A7C15ULL) >> (64 - cacheBits));
	if (slotPtr->objPtr == NULL || slotPtr->bits != bits) {
	    slotPtr->bits = bits;
	    slotPtr->objPtr = DbusNewFixedObj(code, bits);
	}
	chunk[m++] = slotPtr->objPtr;
	if (m == FIXED_CHUNK) {
	    Tcl_ListObjReplace(NULL, listPtr, k + 1 - m, 0, m, chunk);
	    m = 0;
	}
    }
    if (m > 0) {
	Tcl_ListObjReplace(NULL, listPtr, n - m, 0, m, chunk);
    }
    if (cache != stackCache) {
	ckfree((char *) cache);
    }
    return listPtr;
}

static Tcl_Obj *
UnmarshalFixedArray(
    DBusMessageIter *iterPtr,	/* the array */
    int code)			/* element type, IS_FIXED_CODE */
{
    DBusMessageIter sub;
    const void *data = NULL;
    int n = 0;

    dbus_message_iter_recurse(iterPtr, &sub);
    dbus_message_iter_get_fixed_array(&sub, &data, &n);
    return DbusFixedListObj(code, data, n, 0);
}

static Tcl_Obj *
UnmarshalMembers(
    Tcl_Interp *interp,		/* may be NULL */
    DBusMessageIter *iterPtr,	/* the container */
    int flags)			/* DBUS_FLAG_DETAILS */
{
    DBusMessageIter sub, entry;
    Tcl_Obj *listPtr = Tcl_NewListObj(0, NULL), *elemPtr;
    int type;

    dbus_message_iter_recurse(iterPtr, &sub);
    while ((type = dbus_message_iter_get_arg_type(&sub))
	    != DBUS_TYPE_INVALID) {
	if (type == DBUS_TYPE_DICT_ENTRY) {
	    dbus_message_iter_recurse(&sub, &entry);
	    do {
		elemPtr = DbusUnmarshalValue(interp, &entry, flags);
		if (elemPtr == NULL) {
		    goto error;
		}
		Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
	    } while (dbus_message_iter_next(&entry));
	} else {
	    elemPtr = DbusUnmarshalValue(interp, &sub, flags);
	    if (elemPtr == NULL) {
		goto error;
	    }
	    Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
	}
	dbus_message_iter_next(&sub);
    }
    return listPtr;

  error:
    Tcl_IncrRefCount(listPtr);
    Tcl_DecrRefCount(listPtr);
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusUnmarshalValue --
 *
 *	Convert the value at the iterator (which is not advanced):
 *	  s o g -> string;  b -> 0/1;  y n q i u x -> integer (u never
 *	  negative);  t -> integer, a bignum above 2^63-1;  d -> double;
 *	  array -> list;  array of dict entries -> flat key/value list (a
 *	  dict);  struct -> list;  variant -> the value, or {sig value}
 *	  with DBUS_FLAG_DETAILS (nested variants likewise);
 *	  h -> libdbus hands out a new descriptor, which becomes a
 *	  read+write channel registered in interp (the script owns and
 *	  closes it), its name is the value; without interp the fd is
 *	  closed and the value is "".
 *
 * Results:
 *	A new object (refcount 0), or NULL on an unexpected failure with
 *	an error in interp ({DBUS FD CHANNEL} when no channel could be
 *	made of a received fd).
 *
 * Side effects:
 *	'h' creates and registers channels.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusUnmarshalValue(
    Tcl_Interp *interp,		/* channels and errors; may be NULL */
    DBusMessageIter *iterPtr,	/* read iterator */
    int flags)			/* DBUS_FLAG_DETAILS */
{
    DBusBasicValue val;
    DBusMessageIter sub;
    Tcl_Channel chan = NULL;
    Tcl_Obj *pair[2];
    char *sig;
    int type = dbus_message_iter_get_arg_type(iterPtr);

    switch (type) {
    case DBUS_TYPE_ARRAY:
	type = dbus_message_iter_get_element_type(iterPtr);
	if (IS_FIXED_CODE(type)) {
	    return UnmarshalFixedArray(iterPtr, type);
	}
	return UnmarshalMembers(interp, iterPtr, flags);
    case DBUS_TYPE_STRUCT:
    case DBUS_TYPE_DICT_ENTRY:
	return UnmarshalMembers(interp, iterPtr, flags);
    case DBUS_TYPE_VARIANT:
	dbus_message_iter_recurse(iterPtr, &sub);
	pair[1] = DbusUnmarshalValue(interp, &sub, flags);
	if (pair[1] == NULL || !(flags & DBUS_FLAG_DETAILS)) {
	    return pair[1];
	}
	sig = dbus_message_iter_get_signature(&sub);
	if (sig == NULL) {
	    Tcl_IncrRefCount(pair[1]);
	    Tcl_DecrRefCount(pair[1]);
	    DbusNoMemory(interp);
	    return NULL;
	}
	pair[0] = Tcl_NewStringObj(sig, -1);
	dbus_free(sig);
	return Tcl_NewListObj(2, pair);
    case DBUS_TYPE_UNIX_FD:
	val.fd = -1;
	dbus_message_iter_get_basic(iterPtr, &val);
	if (interp != NULL && val.fd >= 0) {
	    chan = Tcl_MakeFileChannel((ClientData) (intptr_t) val.fd,
		    TCL_READABLE | TCL_WRITABLE);
	}
	if (chan != NULL) {
	    Tcl_RegisterChannel(interp, chan);
	    return Tcl_NewStringObj(Tcl_GetChannelName(chan), -1);
	}
#ifndef _WIN32
	if (val.fd >= 0) {
	    close(val.fd);
	}
#endif
	if (interp == NULL) {
	    return Tcl_NewObj();
	}
	DbusError(interp, DBUS_EC_FD, "CHANNEL", NULL,
		"cannot make a channel of a received file descriptor");
	return NULL;
    case DBUS_TYPE_INVALID:
	return Tcl_NewObj();
    }
    if (!dbus_type_is_basic(type)) {
	DbusError(interp, DBUS_EC_VALUE, NULL, NULL,
		"Unsupported argument type: \"%c\"", type);
	return NULL;
    }
    dbus_message_iter_get_basic(iterPtr, &val);
    return BasicObj(type, &val, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * BasicObj --
 *
 *	The Tcl value of a basic D-Bus value other than 'h' (see
 *	DbusUnmarshalValue), made in a spare object when one is given and
 *	the value fits it: a string without 4-byte sequences, a number
 *	that needs no bignum.
 *
 * Results:
 *	The spare (set to the value, refcount unchanged) or a new object
 *	(refcount 0; the spare is left alone).
 *
 * Side effects:
 *	Changes the spare, which must be unshared.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
BasicObj(
    int type,			/* a basic type code but 'h' */
    const DBusBasicValue *valPtr,
    Tcl_Obj *sparePtr)		/* unshared, or NULL */
{
    size_t len, i;
    Tcl_WideInt w;

    switch (type) {
    case DBUS_TYPE_STRING:
    case DBUS_TYPE_OBJECT_PATH:
    case DBUS_TYPE_SIGNATURE:
	len = strlen(valPtr->str);
	if (sparePtr != NULL) {
	    for (i = 0; i < len; i++) {
		if ((unsigned char) valPtr->str[i] >= 0xF0) {
		    break;
		}
	    }
	    if (i == len) {
		Tcl_SetStringObj(sparePtr, valPtr->str, (Tcl_Size) len);
		return sparePtr;
	    }
	}
	return DbusNewUtf8Obj(valPtr->str, len);
    case DBUS_TYPE_BYTE:
	w = valPtr->byt;
	break;
    case DBUS_TYPE_BOOLEAN:
	if (sparePtr != NULL) {
	    Tcl_SetBooleanObj(sparePtr, valPtr->bool_val != 0);
	    return sparePtr;
	}
	return Tcl_NewBooleanObj(valPtr->bool_val != 0);
    case DBUS_TYPE_INT16:
	w = valPtr->i16;
	break;
    case DBUS_TYPE_UINT16:
	w = valPtr->u16;
	break;
    case DBUS_TYPE_INT32:
	w = valPtr->i32;
	break;
    case DBUS_TYPE_UINT32:
	w = (Tcl_WideInt) valPtr->u32;
	break;
    case DBUS_TYPE_INT64:
	w = (Tcl_WideInt) valPtr->i64;
	break;
    case DBUS_TYPE_UINT64:
	if (sparePtr != NULL && valPtr->u64 <= (dbus_uint64_t) INT64_MAX) {
	    Tcl_SetWideIntObj(sparePtr, (Tcl_WideInt) valPtr->u64);
	    return sparePtr;
	}
	return NewUnsigned64Obj(valPtr->u64);
    default:				/* DBUS_TYPE_DOUBLE */
	if (sparePtr != NULL) {
	    Tcl_SetDoubleObj(sparePtr, valPtr->dbl);
	    return sparePtr;
	}
	return Tcl_NewDoubleObj(valPtr->dbl);
    }

    /*
     * The integers: 'y', 'n', 'q', 'i' as int objects, 'u' and 'x' as
     * wide ones (as they always were).
     */

    if (sparePtr != NULL) {
	if (type == DBUS_TYPE_UINT32 || type == DBUS_TYPE_INT64) {
	    Tcl_SetWideIntObj(sparePtr, w);
	} else {
	    Tcl_SetIntObj(sparePtr, (int) w);
	}
	return sparePtr;
    }
    if (type == DBUS_TYPE_UINT32 || type == DBUS_TYPE_INT64) {
	return Tcl_NewWideIntObj(w);
    }
    return Tcl_NewIntObj((int) w);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusUnmarshalArgs --
 *
 *	All top-level arguments of a message.
 *
 * Results:
 *	A new list (refcount 0; empty if there are no arguments), or NULL
 *	with an error in interp.
 *
 * Side effects:
 *	See DbusUnmarshalValue.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbusUnmarshalArgs(
    Tcl_Interp *interp,		/* may be NULL */
    DBusMessage *msg,		/* borrowed */
    int flags)			/* DBUS_FLAG_DETAILS */
{
    DBusMessageIter iter;
    Tcl_Obj *listPtr, *elemPtr;
    const char *sig = dbus_message_get_signature(msg), *p;
    int n = 0, i;

    if (sig != NULL && DbusWireWanted(sig)) {
	listPtr = DbusWireUnmarshalArgs(msg, sig, flags, NULL, NULL);
	if (listPtr != NULL) {
	    return listPtr;
	}
    }

    /*
     * One argument per complete type of the signature: the list is made
     * with room for all of them, and the iterator is moved only between
     * them.
     */

    for (p = sig; p != NULL && *p != '\0'; p = DbusSigNext(p)) {
	n++;
    }
    listPtr = Tcl_NewListObj(n, NULL);	/* room for n, empty */
    if (n == 0 || !dbus_message_iter_init(msg, &iter)) {
	return listPtr;
    }
    for (i = 0; i < n; i++) {
	if (i > 0 && !dbus_message_iter_next(&iter)) {
	    break;
	}
	elemPtr = DbusUnmarshalValue(interp, &iter, flags);
	if (elemPtr == NULL) {
	    Tcl_IncrRefCount(listPtr);
	    Tcl_DecrRefCount(listPtr);
	    return NULL;
	}
	Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
    }
    return listPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusUnmarshalArgv, DbusArgvFree --
 *
 *	DbusUnmarshalArgv: all top-level arguments of a message, as
 *	DbusUnmarshalArgs gives them, in an array instead of a list (a
 *	handler's command words are made of them: no list to build and
 *	free per message).  The array is the caller's stackv when the
 *	arguments fit in its room, else a new one.  A basic argument at
 *	top level is read without asking the iterator its type (the
 *	signature says it), into one of the interp's spare objects when
 *	there is one for its position (dataPtr->argSpares).  The first
 *	top-level a{s..} of a message read from its wire form refills the
 *	interp's spare dict (dataPtr->dictSpare) when it has the same keys
 *	in the same order (DbusWireUnmarshalArgs); the first dict argument
 *	of a message of at most DBUS_SPARE_DICT_BYTES is noted as the
 *	candidate for the next spare dict.
 *	DbusArgvFree drops the references and frees a new array; an
 *	argument that nobody else holds and that is small (a number
 *	without string, or a string of at most DBUS_SPARE_MAX bytes)
 *	becomes the spare of its position instead of being freed, and so
 *	does the candidate dict (at most DBUS_SPARE_DICT_MAX entries) when
 *	nobody else holds it.  An object is only ever changed while this
 *	code alone holds it, so no script sees a value change.
 *
 * Results:
 *	DbusUnmarshalArgv: the number of arguments, *objvPtr set to the
 *	array (each element holds a reference); or -1 with an error in
 *	interp (nothing to free).  DbusArgvFree: none.
 *
 * Side effects:
 *	See DbusUnmarshalValue; the interp's spares are taken and given
 *	back.
 *
 *----------------------------------------------------------------------
 */

Tcl_Size
DbusUnmarshalArgv(
    Tcl_Interp *interp,		/* may be NULL */
    DBusMessage *msg,		/* borrowed */
    int flags,			/* DBUS_FLAG_DETAILS */
    DbusInterpData *dataPtr,	/* the spares' interp record, or NULL */
    Tcl_Obj **stackv,		/* the caller's array ... */
    Tcl_Size room,		/* ... of this many elements */
    Tcl_Obj ***objvPtr)		/* out: stackv or a new array */
{
    DBusMessageIter iter;
    DBusBasicValue val;
    Tcl_Obj **objv = stackv, **elems, *listPtr, *sparePtr;
    int length = 0;
    const char *sig = (dataPtr != NULL)
	    ? DbusMessageSignature(dataPtr->tsdPtr, msg)
	    : dbus_message_get_signature(msg), *p;
    Tcl_Size n = 0, i;

    *objvPtr = stackv;
    if (dataPtr != NULL) {
	dataPtr->dictCandidate = NULL;
    }
    if (sig != NULL && DbusWireWanted(sig)) {
	/*
	 * The wire decoder makes a list: its elements are taken out.  It
	 * may refill the interp's spare dict; one it did not use is kept.
	 */

	sparePtr = NULL;
	if (dataPtr != NULL) {
	    sparePtr = dataPtr->dictSpare;
	    dataPtr->dictSpare = NULL;
	}
	listPtr = DbusWireUnmarshalArgs(msg, sig, flags, &sparePtr, &length);
	if (sparePtr != NULL) {
	    dataPtr->dictSpare = sparePtr;
	}
	if (listPtr == NULL) {
	    length = DBUS_SPARE_DICT_BYTES + 1;
	    listPtr = DbusUnmarshalArgs(interp, msg, flags);
	}
	if (listPtr == NULL) {
	    return -1;
	}
	Tcl_IncrRefCount(listPtr);
	Tcl_ListObjGetElements(NULL, listPtr, &n, &elems);
	if (n > room) {
	    objv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * n);
	}
	for (i = 0; i < n; i++) {
	    objv[i] = elems[i];
	    Tcl_IncrRefCount(objv[i]);
	    if (dataPtr != NULL && length <= DBUS_SPARE_DICT_BYTES
		    && dataPtr->dictCandidate == NULL
		    && objv[i]->typePtr != NULL
		    && objv[i]->typePtr == dataPtr->dictTypePtr) {
		dataPtr->dictCandidate = objv[i];
	    }
	}
	Tcl_DecrRefCount(listPtr);
	*objvPtr = objv;
	return n;
    }
    for (p = sig; p != NULL && *p != '\0'; p = DbusSigNext(p)) {
	n++;
    }
    if (n == 0 || !dbus_message_iter_init(msg, &iter)) {
	return 0;
    }
    if (n > room) {
	objv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * n);
    }
    for (i = 0, p = sig; i < n; i++, p = DbusSigNext(p)) {
	if (i > 0 && !dbus_message_iter_next(&iter)) {
	    break;
	}
	if (IS_BASIC_CODE(*p)) {
	    /*
	     * The spare (if any) holds its one reference: it moves to
	     * the array whether or not the value goes into it.
	     */

	    sparePtr = NULL;
	    if (dataPtr != NULL && i < DBUS_ARG_SPARES) {
		sparePtr = dataPtr->argSpares[i];
		dataPtr->argSpares[i] = NULL;
	    }
	    dbus_message_iter_get_basic(&iter, &val);
	    objv[i] = BasicObj(*p, &val, sparePtr);
	    if (objv[i] == sparePtr) {
		continue;
	    }
	    if (sparePtr != NULL) {
		Tcl_DecrRefCount(sparePtr);
	    }
	} else {
	    objv[i] = DbusUnmarshalValue(interp, &iter, flags);
	    if (objv[i] == NULL) {
		DbusArgvFree(objv, i, stackv, NULL);
		return -1;
	    }
	}
	Tcl_IncrRefCount(objv[i]);
    }
    *objvPtr = objv;
    return i;
}

void
DbusArgvFree(
    Tcl_Obj **objv,		/* from DbusUnmarshalArgv */
    Tcl_Size objc,
    Tcl_Obj **stackv,		/* the caller's array given to it */
    DbusInterpData *dataPtr)	/* keeps spares; NULL: none kept */
{
    Tcl_Obj *objPtr;
    Tcl_Size i, size;

    for (i = 0; i < objc; i++) {
	objPtr = objv[i];
	if (dataPtr != NULL && objPtr == dataPtr->dictCandidate
		&& dataPtr->dictSpare == NULL && !Tcl_IsShared(objPtr)
		&& objPtr->typePtr == dataPtr->dictTypePtr
		&& Tcl_DictObjSize(NULL, objPtr, &size) == TCL_OK
		&& size > 0 && size <= DBUS_SPARE_DICT_MAX) {
	    dataPtr->dictSpare = objPtr;
	    continue;
	}
	if (dataPtr != NULL && i < DBUS_ARG_SPARES
		&& dataPtr->argSpares[i] == NULL && !Tcl_IsShared(objPtr)
		&& (objPtr->bytes != NULL ? objPtr->length <= DBUS_SPARE_MAX
		: (objPtr->typePtr != NULL
		&& (objPtr->typePtr == dataPtr->numTypes[0]
		|| objPtr->typePtr == dataPtr->numTypes[1]
		|| objPtr->typePtr == dataPtr->numTypes[2])))) {
	    dataPtr->argSpares[i] = objPtr;
	    continue;
	}
	Tcl_DecrRefCount(objPtr);
    }
    if (dataPtr != NULL) {
	dataPtr->dictCandidate = NULL;
    }
    if (objv != stackv) {
	ckfree((char *) objv);
    }
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
