/*
 * dbusMarshalDict.c --
 *
 *	Dicts (a{KV}) for the encoder: a Tcl dict sent as one dict entry
 *	per distinct D-Bus key (E7), in the dict's order, the key as basic
 *	type K and the value as V.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include "dbusMarshalInt.h"

/*
 *----------------------------------------------------------------------
 *
 * DictKeys --
 *
 *	The entries of a dict to send as a{KV}, one per distinct D-Bus key
 *	(E7).  String-like keys (s o g h) are distinct exactly when the
 *	Tcl strings are, which the Tcl dict already ensures.  Numeric and
 *	boolean keys are compared as the values they become on the wire
 *	(1, 01, 0x1 and " 1" are one 'i'; true, yes, 1 one 'b'; doubles by
 *	their 64 bits, so 1.0 and 1e0 are one key while 0.0 and -0.0 or
 *	NaNs of different payloads are not): the entry stays where the key
 *	first appeared, with the value of its last appearance, as in a Tcl
 *	dict.
 *
 * Results:
 *	The number of entries, with keys[] and vals[] filled in (borrowed
 *	from the dict), or -1 with an error in ctx->errInterp (a key that
 *	does not convert, out of memory).
 *
 * Side effects:
 *	May shimmer the keys to numbers.
 *
 *----------------------------------------------------------------------
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

/*
 *----------------------------------------------------------------------
 *
 * DbusMarshalDict --
 *
 *	Append a{KV} from a Tcl dict: one dict entry per distinct D-Bus key
 *	in the dict's order (DictKeys), the key as basic type K and the
 *	value as V.  The byte count is kept within the 64 MiB limit.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR: Tcl's message with {DBUS VALUE a{KV} value}
 *	when the value is no dict, errors of keys and values, {DBUS LIMIT
 *	...}, out of memory.
 *
 * Side effects:
 *	Appends to the message (unless ctx->dry), advances ctx->pos;
 *	containers are abandoned on error.
 *
 *----------------------------------------------------------------------
 */

int
DbusMarshalDict(
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
	return DbusMarshalErrShape(ctx->errInterp, sig, sigLen, valuePtr);
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
    if (DbusMarshalOpen(ctx, iterPtr, DBUS_TYPE_ARRAY, esig, &sub)
	    != TCL_OK) {
	result = TCL_ERROR;
	goto done;
    }
    for (k = 0; k < n && result == TCL_OK; k++) {
	ctx->pos = ALIGN_POS(ctx->pos, 8);
	result = DbusMarshalOpen(ctx, &sub, DBUS_TYPE_DICT_ENTRY, NULL,
		&entry);
	if (result != TCL_OK) {
	    break;
	}

	/*
	 * The commonest entry, {sv}, without the dispatch on the types.
	 */

	result = (sig[2] == 's') ? DbusMarshalString(ctx, &entry, keys[k])
		: DbusMarshalBasic(ctx, &entry, sig[2], keys[k]);
	if (result == TCL_OK) {
	    result = (sig[3] == 'v' && sigLen == 5)
		    ? DbusMarshalVariant(ctx, &entry, vals[k])
		    : DbusMarshalAny(ctx, &entry, sig + 3, sigLen - 4,
		    vals[k]);
	}
	result = DbusMarshalClose(ctx, &sub, &entry, result);
	if (result == TCL_OK && ctx->pos - start > DBUS_MAX_ARRAY_BYTES) {
	    result = DbusMarshalLimit(ctx, "ARRAY");
	} else if (result == TCL_OK && ctx->pos > DBUS_MAX_MSG_BYTES) {
	    result = DbusMarshalLimit(ctx, "MESSAGE");
	}
    }
    result = DbusMarshalClose(ctx, iterPtr, &sub, result);
  done:
    if (keys != stackObjs) {
	ckfree(keys);
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
