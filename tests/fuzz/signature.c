/*
 * signature.c --
 *
 *	libFuzzer target 1: signature strings.  Our signature parser (the
 *	grammar check DbusSignatureValid and the cached "dbus.signature"
 *	Tcl type) must agree with libdbus' dbus_signature_validate on
 *	every string (DbusSignatureValid checks the grammar, its callers
 *	the 255-byte limit), except that libdbus counts only consecutive
 *	"a"s against the nesting limit where the specification counts all
 *	(checked independently by SpecDepth); a signature we accept must also be usable by libdbus
 *	(dbus_signature_iter over it).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "fuzzCommon.h"

/*
 *----------------------------------------------------------------------
 *
 * SpecDepth --
 *
 *	An independent reading of the specification's nesting limit ("32
 *	array type codes and 32 open parentheses" on any path): the
 *	deepest array and struct nesting of the complete type at *pp,
 *	which is advanced past it.  Only called on signatures libdbus
 *	accepts, so the grammar is known to be right.
 *
 *----------------------------------------------------------------------
 */

static void
SpecDepth(
    const char **pp,
    int arrays,
    int structs,
    int *maxArraysPtr,
    int *maxStructsPtr)
{
    char c = *(*pp)++;

    if (arrays > *maxArraysPtr) {
	*maxArraysPtr = arrays;
    }
    if (structs > *maxStructsPtr) {
	*maxStructsPtr = structs;
    }
    if (c == 'a') {
	if (arrays + 1 > *maxArraysPtr) {
	    *maxArraysPtr = arrays + 1;
	}
	SpecDepth(pp, arrays + 1, structs, maxArraysPtr, maxStructsPtr);
    } else if (c == '(' || c == '{') {
	int s = structs + (c == '(');

	if (s > *maxStructsPtr) {
	    *maxStructsPtr = s;
	}
	while (**pp != ')' && **pp != '}') {
	    SpecDepth(pp, arrays, s, maxArraysPtr, maxStructsPtr);
	}
	(*pp)++;
    }
}

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    Tcl_Interp *interp = FuzzInterp();
    char buf[512];
    size_t len = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
    int ours, theirs, cached;
    Tcl_Obj *objPtr;
    DbusSignature *sigPtr;

    memcpy(buf, data, len);
    buf[len] = '\0';
    len = strlen(buf);		/* signatures are C strings */

    theirs = dbus_signature_validate(buf, NULL) ? 1 : 0;
    ours = DbusSignatureValid(buf, (int) len);
    if (ours >= 0 && len > DBUS_MAX_SIG_LEN) {
	FuzzFail("grammar accepts a signature over 255 bytes", buf, "");
    }
    if (len > DBUS_MAX_SIG_LEN) {
	ours = -1;		/* the length limit is checked by callers */
    }
    ours = ours >= 0;
    if (theirs && !ours) {
	/*
	 * libdbus counts only consecutive "a"s against the array limit;
	 * the specification (and we) count every array on the path.
	 */

	const char *p = buf;
	int maxArrays = 0, maxStructs = 0;

	while (*p != '\0') {
	    SpecDepth(&p, 0, 0, &maxArrays, &maxStructs);
	}
	if (maxArrays > DBUS_MAX_ARRAY_DEPTH
		|| maxStructs > DBUS_MAX_STRUCT_DEPTH) {
	    theirs = 0;
	}
    }
    if (ours != theirs) {
	FuzzFail(ours ? "we accept, libdbus rejects"
		: "we reject, libdbus accepts", buf, "");
    }

    objPtr = Tcl_NewStringObj(buf, (int) len);
    Tcl_IncrRefCount(objPtr);
    cached = DbusGetSignatureFromObj(interp, objPtr, &sigPtr) == TCL_OK;
    if (cached != theirs) {
	FuzzFail(cached ? "dbus.signature accepts, libdbus rejects"
		: "dbus.signature rejects, libdbus accepts", buf,
		Tcl_GetStringResult(interp));
    }
    if (cached) {
	DBusSignatureIter iter;
	int n = 0;

	if (len > 0) {
	    dbus_signature_iter_init(&iter, buf);
	    do {
		n++;
	    } while (dbus_signature_iter_next(&iter));
	}
	if (n != sigPtr->nTypes) {
	    char count[64];

	    snprintf(count, sizeof(count), "ours %d, libdbus %d",
		    sigPtr->nTypes, n);
	    FuzzFail("number of complete types differs", buf, count);
	}
    }
    Tcl_DecrRefCount(objPtr);
    Tcl_ResetResult(interp);
    return 0;
}
