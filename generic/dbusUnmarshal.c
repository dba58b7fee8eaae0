/*
 * dbusUnmarshal.c --
 *
 *	Conversion of D-Bus message arguments to Tcl values: one decoder, a
 *	switch on the type found in the message (the encoder is in
 *	dbusMarshal.c).  Fixed-size arrays are read as one block.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <stdio.h>
#include <stdint.h>
#ifndef _WIN32
#include <unistd.h>
#endif

/*
 * Fixed-size types that dbus_message_iter_get_fixed_array handles (every
 * fixed type but 'h').
 */

#define IS_FIXED_CODE(c) \
    ((c) == 'y' || (c) == 'b' || (c) == 'n' || (c) == 'q' || (c) == 'i' \
    || (c) == 'u' || (c) == 'x' || (c) == 't' || (c) == 'd')

/*
 *----------------------------------------------------------------------
 *
 * NewUtf8Obj, NewUnsigned64Obj, UnmarshalFixedArray, UnmarshalMembers --
 *
 *	NewUtf8Obj: Tcl string from a D-Bus string (valid UTF-8 without
 *	NUL, as libdbus guarantees); 4-byte sequences (beyond U+FFFF) go
 *	through the "utf-8" encoding so that Tcl 8.6 gets its internal
 *	form, everything else already is Tcl's internal form.
 *	NewUnsigned64Obj: Tcl integer for a 't', a bignum above 2^63-1.
 *	UnmarshalFixedArray: an array of a fixed-size type, read as one
 *	block into one list allocated at its final size, appended in
 *	chunks; equal elements met close enough share one object (a
 *	direct-mapped cache keyed by the value's bits, so -0.0 and 0.0 or
 *	two NaNs of different payloads stay apart).  UnmarshalMembers: the values
 *	inside any other container as a list (array elements, struct
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

static Tcl_Obj *
NewUtf8Obj(
    const char *str)
{
    size_t len = strlen(str), i;
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

static Tcl_WideUInt	FixedBits(int code, const void *data, int k);
static Tcl_Obj *	NewFixedObj(int code, Tcl_WideUInt bits);

static Tcl_WideUInt
FixedBits(
    int code,			/* element type, IS_FIXED_CODE */
    const void *data,		/* the array */
    int k)			/* index */
{
    Tcl_WideUInt bits;

    switch (code) {
    case 'y':
	return ((const unsigned char *) data)[k];
    case 'b':
	return (((const dbus_bool_t *) data)[k] != 0);
    case 'n':
	return (Tcl_WideUInt) (Tcl_WideInt) ((const dbus_int16_t *) data)[k];
    case 'q':
	return ((const dbus_uint16_t *) data)[k];
    case 'i':
	return (Tcl_WideUInt) (Tcl_WideInt) ((const dbus_int32_t *) data)[k];
    case 'u':
	return ((const dbus_uint32_t *) data)[k];
    default:				/* x t d */
	memcpy(&bits, (const char *) data + 8 * (size_t) k, 8);
	return bits;
    }
}

static Tcl_Obj *
NewFixedObj(
    int code,			/* element type, IS_FIXED_CODE */
    Tcl_WideUInt bits)		/* value bits, from FixedBits */
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

static Tcl_Obj *
UnmarshalFixedArray(
    DBusMessageIter *iterPtr,	/* the array */
    int code)			/* element type, IS_FIXED_CODE */
{
    DBusMessageIter sub;
    const void *data = NULL;
    int n = 0, k, m = 0, cacheBits = 4;
    Tcl_Obj *listPtr, *chunk[FIXED_CHUNK];
    FixedCacheSlot stackCache[1 << 6], *cache = stackCache;
    Tcl_WideUInt bits;

    dbus_message_iter_recurse(iterPtr, &sub);
    dbus_message_iter_get_fixed_array(&sub, &data, &n);
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

	bits = FixedBits(code, data, k);
	slotPtr = cache + (size_t) (((bits ^ (bits >> 29))
		* (Tcl_WideUInt) 0x9E3779B97F4A7C15ULL) >> (64 - cacheBits));
	if (slotPtr->objPtr == NULL || slotPtr->bits != bits) {
	    slotPtr->bits = bits;
	    slotPtr->objPtr = NewFixedObj(code, bits);
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
    switch (type) {
    case DBUS_TYPE_STRING:
    case DBUS_TYPE_OBJECT_PATH:
    case DBUS_TYPE_SIGNATURE:
	return NewUtf8Obj(val.str);
    case DBUS_TYPE_BYTE:
	return Tcl_NewIntObj(val.byt);
    case DBUS_TYPE_BOOLEAN:
	return Tcl_NewBooleanObj(val.bool_val != 0);
    case DBUS_TYPE_INT16:
	return Tcl_NewIntObj(val.i16);
    case DBUS_TYPE_UINT16:
	return Tcl_NewIntObj(val.u16);
    case DBUS_TYPE_INT32:
	return Tcl_NewIntObj(val.i32);
    case DBUS_TYPE_UINT32:
	return Tcl_NewWideIntObj((Tcl_WideInt) val.u32);
    case DBUS_TYPE_INT64:
	return Tcl_NewWideIntObj((Tcl_WideInt) val.i64);
    case DBUS_TYPE_UINT64:
	return NewUnsigned64Obj(val.u64);
    default:				/* DBUS_TYPE_DOUBLE */
	return Tcl_NewDoubleObj(val.dbl);
    }
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
    Tcl_Obj *listPtr = Tcl_NewListObj(0, NULL), *elemPtr;

    if (!dbus_message_iter_init(msg, &iter)) {
	return listPtr;
    }
    do {
	elemPtr = DbusUnmarshalValue(interp, &iter, flags);
	if (elemPtr == NULL) {
	    Tcl_IncrRefCount(listPtr);
	    Tcl_DecrRefCount(listPtr);
	    return NULL;
	}
	Tcl_ListObjAppendElement(NULL, listPtr, elemPtr);
    } while (dbus_message_iter_next(&iter));
    return listPtr;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
