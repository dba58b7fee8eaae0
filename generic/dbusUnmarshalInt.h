/*
 * dbusUnmarshalInt.h --
 *
 *	Private to the decoder (D-Bus -> Tcl values), which is split over
 *	dbusUnmarshal.c (the iterator decoder, the argument arrays) and
 *	dbusUnmarshalWire.c (the wire decoder): the fixed-size value helpers
 *	both use (inline: they are the hot path of arrays) and the functions
 *	the two files call in each other.  Nothing outside the decoder
 *	includes this file; the decoder's interface is in dbusInt.h.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _DBUSUNMARSHALINT_H
#define _DBUSUNMARSHALINT_H

#include <stdint.h>

/*
 * dbusUnmarshal.c
 */

Tcl_Obj *	DbusNewUtf8Obj(const char *str, size_t len);
Tcl_Obj *	DbusNewFixedObj(int code, Tcl_WideUInt bits);
Tcl_Obj *	DbusFixedListObj(int code, const void *data, int n,
		    int swap);

/*
 * dbusUnmarshalWire.c
 */

const char *	DbusSigNext(const char *sig);
int		DbusWireWanted(const char *sig);
Tcl_Obj *	DbusWireUnmarshalArgs(DBusMessage *msg, const char *sig,
		    int flags, Tcl_Obj **sparePtr, int *lengthPtr);

/*
 *----------------------------------------------------------------------
 *
 * DbusFixedSize --
 *
 *	The size in bytes of one element of a fixed-size type on the wire ('b'
 *	takes 4).
 *
 * Results:
 *	1, 2, 4 or 8.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static inline int
DbusFixedSize(
    int code)			/* element type, IS_FIXED_CODE */
{
    switch (code) {
    case 'y':
	return 1;
    case 'n':
    case 'q':
	return 2;
    case 'b':
    case 'i':
    case 'u':
	return 4;
    default:				/* x t d */
	return 8;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusFixedBits --
 *
 *	The value of element k of a fixed array as 64 bits: integers sign- or
 *	zero-extended as their type is, booleans 0/1, doubles their IEEE bits;
 *	with swap the element is read in the other byte order first.
 *
 * Results:
 *	The bits.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static inline Tcl_WideUInt
DbusFixedBits(
    int code,			/* element type, IS_FIXED_CODE */
    const void *data,		/* the array */
    size_t k,			/* index */
    int swap)			/* the array is in the other byte order */
{
    const unsigned char *p;
    Tcl_WideUInt bits;
    union {
	Tcl_WideUInt align;	/* aligns b for any element type */
	unsigned char b[8];
    } u;
    int size, i;

    if (!swap) {
	switch (code) {
	case 'y':
	    return ((const unsigned char *) data)[k];
	case 'b':
	    return (((const dbus_bool_t *) data)[k] != 0);
	case 'n':
	    return (Tcl_WideUInt) (Tcl_WideInt)
		    ((const dbus_int16_t *) data)[k];
	case 'q':
	    return ((const dbus_uint16_t *) data)[k];
	case 'i':
	    return (Tcl_WideUInt) (Tcl_WideInt)
		    ((const dbus_int32_t *) data)[k];
	case 'u':
	    return ((const dbus_uint32_t *) data)[k];
	default:			/* x t d */
	    memcpy(&bits, (const char *) data + 8 * k, 8);
	    return bits;
	}
    }

    /*
     * The other byte order (a wire array from a peer of the other
     * endianness): the bytes reversed are the value in ours.
     */

    size = DbusFixedSize(code);
    p = (const unsigned char *) data + (size_t) size * k;
    u.align = 0;
    for (i = 0; i < size; i++) {
	u.b[i] = p[size - 1 - i];
    }
    return DbusFixedBits(code, u.b, 0, 0);
}

#endif /* _DBUSUNMARSHALINT_H */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
