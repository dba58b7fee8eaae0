/*
 * dbifDef.c --
 *
 *	Definitions made by "dbif method", "dbif listen", "dbif signal" and
 *	"dbif property": argument lists and attributes, the body as a cached
 *	apply lambda, the interp it runs in, and how a body runs and hands
 *	its result back.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"

/*
 *----------------------------------------------------------------------
 *
 * CheckArgName --
 *
 *	Check an argument name of a dbif argument list: [A-Za-z0-9_]+, may
 *	start with a digit (reference 4.11).
 *
 * Results:
 *	TCL_OK, or TCL_ERROR {DBUS INVALID ARGUMENT name}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
CheckArgName(
    Tcl_Interp *interp,
    const char *s,
    Tcl_Size len)
{
    Tcl_Size i;

    for (i = 0; i < len; i++) {
	char c = s[i];

	if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		|| (c >= '0' && c <= '9') || c == '_')) {
	    break;
	}
    }
    if (len > 0 && len <= 255 && i == len) {
	return TCL_OK;
    } else {
	Tcl_Obj *nameObj = Tcl_NewStringObj(s, len);
	int code;

	Tcl_IncrRefCount(nameObj);
	code = DbusError(interp, DBUS_EC_INVALID, "ARGUMENT",
		Tcl_GetString(nameObj),
		"Argument contains invalid characters: \"%s\"",
		Tcl_GetString(nameObj));
	Tcl_DecrRefCount(nameObj);
	return code;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifParseAttributes --
 *
 *	-attributes must be a dict (even-length list; last key wins).
 *
 * Results:
 *	TCL_OK with a new dict (refcount 0) or NULL for an empty list in
 *	*dictPtr, or TCL_ERROR {DBUS INVALID ATTRIBUTES value}.
 *
 * Side effects:
 *	None; the caller takes the dict (IncrRefCount to keep it).
 *
 *----------------------------------------------------------------------
 */

int
DbifParseAttributes(
    Tcl_Interp *interp,
    Tcl_Obj *objPtr,
    Tcl_Obj **dictPtr)
{
    Tcl_Size n, i;
    Tcl_Obj **elems, *dict;

    *dictPtr = NULL;
    if (objPtr == NULL) {
	return TCL_OK;
    }
    if (Tcl_ListObjGetElements(NULL, objPtr, &n, &elems) != TCL_OK
	    || (n % 2) != 0) {
	return DbusError(interp, DBUS_EC_INVALID, "ATTRIBUTES",
		Tcl_GetString(objPtr),
		"Invalid attribute specification. Must be a dict");
    }
    if (n == 0) {
	return TCL_OK;
    }
    dict = Tcl_NewDictObj();
    for (i = 0; i < n; i += 2) {
	Tcl_DictObjPut(NULL, dict, elems[i], elems[i + 1]);
    }
    *dictPtr = dict;
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifDefRelease, DbifDefNew --
 *
 *	DbifDefNew: a new definition with empty argument lists, no body,
 *	no attributes.  DbifDefRelease: drop one reference (NULL is fine).
 *
 * Results:
 *	DbifDefNew: the definition, with one reference (the caller's).
 *
 * Side effects:
 *	DbifDefRelease frees the definition and releases every object it
 *	holds when the last reference goes.
 *
 *----------------------------------------------------------------------
 */

void
DbifDefRelease(
    DbifDef *defPtr)
{
    if (defPtr == NULL || --defPtr->refCount > 0) {
	return;
    }
#define DROP(f) if (defPtr->f) { Tcl_DecrRefCount(defPtr->f); }
    DROP(lambda); DROP(interpObj); DROP(inNames); DROP(inSigs);
    DROP(outNames); DROP(outSigs); DROP(outSig); DROP(attrs);
#undef DROP
    ckfree((char *) defPtr);
}

DbifDef *
DbifDefNew(void)
{
    DbifDef *defPtr = (DbifDef *) ckalloc(sizeof(DbifDef));

    memset(defPtr, 0, sizeof(DbifDef));
    defPtr->refCount = 1;
    defPtr->inNames = Tcl_NewListObj(0, NULL);
    defPtr->inSigs = Tcl_NewListObj(0, NULL);
    defPtr->outNames = Tcl_NewListObj(0, NULL);
    defPtr->outSigs = Tcl_NewListObj(0, NULL);
    defPtr->outSig = Tcl_NewObj();
    Tcl_IncrRefCount(defPtr->inNames);
    Tcl_IncrRefCount(defPtr->inSigs);
    Tcl_IncrRefCount(defPtr->outNames);
    Tcl_IncrRefCount(defPtr->outSigs);
    Tcl_IncrRefCount(defPtr->outSig);
    return defPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifParseArgList --
 *
 *	Parse a dbif argument list (reference 4.11): "name", "name:sig",
 *	or {name:sig default}; everything after the first optional element
 *	is optional.  Appends names and signatures to the given lists and
 *	the apply parameters to paramsPtr (may be NULL).
 *
 * Results:
 *	TCL_OK with *nRequiredPtr set (may be NULL), or TCL_ERROR ({DBUS
 *	INVALID ARGUMENT ...}, {DBUS INVALID SIGNATURE ...}).
 *
 * Side effects:
 *	Appends to namesPtr, sigsPtr and paramsPtr (unshared lists owned by
 *	the caller), also on error.
 *
 *----------------------------------------------------------------------
 */

int
DbifParseArgList(
    Tcl_Interp *interp,
    Tcl_Obj *listObj,
    int allowOptional,
    Tcl_Obj *namesPtr,
    Tcl_Obj *sigsPtr,
    Tcl_Obj *paramsPtr,
    int *nRequiredPtr)
{
    Tcl_Size n, i, ne, total = 0;
    Tcl_Obj **elems, **parts;
    int nRequired = -1;

    if (Tcl_ListObjGetElements(interp, listObj, &n, &elems) != TCL_OK) {
	return TCL_ERROR;
    }
    for (i = 0; i < n; i++) {
	const char *spec, *colon, *sig;
	Tcl_Size len, nameLen, sigLen;
	Tcl_Obj *nameObj, *defObj = NULL;

	if (Tcl_ListObjGetElements(interp, elems[i], &ne, &parts) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (ne < 1 || ne > 2 || (ne == 2 && !allowOptional)) {
	    return DbusError(interp, DBUS_EC_INVALID, "ARGUMENT",
		    Tcl_GetString(elems[i]),
		    "Invalid argument specification: \"%s\"",
		    Tcl_GetString(elems[i]));
	}
	if (ne == 2) {
	    defObj = parts[1];
	    if (nRequired < 0) {
		nRequired = (int) i;
	    }
	}
	spec = Tcl_GetStringFromObj(parts[0], &len);
	colon = memchr(spec, ':', (size_t) len);
	nameLen = colon ? colon - spec : len;
	sig = colon ? colon + 1 : "s";
	sigLen = colon ? len - nameLen - 1 : 1;
	if (CheckArgName(interp, spec, nameLen) != TCL_OK) {
	    return TCL_ERROR;
	}
	if (!DbusSignatureIsSingle(sig, (int) sigLen)
		|| memchr(sig, '\0', (size_t) sigLen)) {
	    return DbusError(interp, DBUS_EC_INVALID, "SIGNATURE", sig,
		    DbusSignatureValid(sig, (int) sigLen) < 0
		    ? "invalid signature: %s" : "not a single complete type: %s",
		    sig);
	}
	total += sigLen;
	if (total > DBUS_MAX_SIG_LEN) {
	    return DbusError(interp, DBUS_EC_LIMIT, "SIGNATURE", NULL,
		    "signature of the argument list is too long");
	}
	nameObj = Tcl_NewStringObj(spec, nameLen);
	Tcl_ListObjAppendElement(NULL, namesPtr, nameObj);
	Tcl_ListObjAppendElement(NULL, sigsPtr, Tcl_NewStringObj(sig, sigLen));
	if (paramsPtr != NULL) {
	    if (nRequired >= 0) {
		Tcl_Obj *pair[2];

		pair[0] = nameObj;
		pair[1] = defObj ? defObj : Tcl_NewObj();
		Tcl_ListObjAppendElement(NULL, paramsPtr,
			Tcl_NewListObj(2, pair));
	    } else {
		Tcl_ListObjAppendElement(NULL, paramsPtr, nameObj);
	    }
	}
    }
    if (nRequiredPtr != NULL) {
	*nRequiredPtr = nRequired < 0 ? (int) n : nRequired;
    }
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifJoinSigs --
 *
 *	The concatenation of the first n signatures of a list (the whole
 *	signature of an argument list).
 *
 * Results:
 *	New object, refcount 0.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifJoinSigs(
    Tcl_Obj *sigsPtr,
    Tcl_Size n)
{
    Tcl_Obj *resPtr = Tcl_NewObj(), **elems;
    Tcl_Size i, count;

    Tcl_ListObjGetElements(NULL, sigsPtr, &count, &elems);
    for (i = 0; i < n && i < count; i++) {
	Tcl_AppendObjToObj(resPtr, elems[i]);
    }
    return resPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifDefNamespace --
 *
 *	The namespace a body runs in: the current one of interp, or of the
 *	child interp named by interpObj.
 *
 * Results:
 *	New object (refcount 0), or NULL when the child interp is gone (no
 *	error set).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifDefNamespace(
    Tcl_Interp *interp,
    Tcl_Obj *interpObj)
{
    Tcl_Interp *childPtr;

    if (interpObj == NULL) {
	return Tcl_NewStringObj(Tcl_GetCurrentNamespace(interp)->fullName,
		-1);
    }
    childPtr = Tcl_GetSlave(interp, Tcl_GetString(interpObj));
    if (childPtr == NULL) {
	return NULL;
    }
    return Tcl_NewStringObj(Tcl_GetCurrentNamespace(childPtr)->fullName, -1);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifDefSetBody --
 *
 *	Set the interp a definition's body runs in (interpObj; NULL or ""
 *	for the defining interp) and, unless bodyObj is NULL, its lambda
 *	{params body namespace}, the namespace being the current one of
 *	that interp.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR 'could not find interpreter "x"' {DBUS INVALID
 *	INTERP x}.
 *
 * Side effects:
 *	defPtr->interpObj and defPtr->lambda hold references.
 *
 *----------------------------------------------------------------------
 */

int
DbifDefSetBody(
    Tcl_Interp *interp,
    DbifDef *defPtr,
    Tcl_Obj *interpObj,
    Tcl_Obj *paramsPtr,
    Tcl_Obj *bodyObj)
{
    Tcl_Obj *nsObj, *lv[3];

    if (interpObj != NULL && Tcl_GetCharLength(interpObj) > 0) {
	if (Tcl_GetSlave(interp, Tcl_GetString(interpObj)) == NULL) {
	    return DbusError(interp, DBUS_EC_INVALID, "INTERP",
		    Tcl_GetString(interpObj),
		    "could not find interpreter \"%s\"",
		    Tcl_GetString(interpObj));
	}
	defPtr->interpObj = interpObj;
	Tcl_IncrRefCount(interpObj);
    }
    if (bodyObj == NULL) {
	return TCL_OK;
    }
    nsObj = DbifDefNamespace(interp, defPtr->interpObj);
    lv[0] = paramsPtr;
    lv[1] = bodyObj;
    lv[2] = nsObj;
    defPtr->lambda = Tcl_NewListObj(3, lv);
    Tcl_IncrRefCount(defPtr->lambda);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifTargetInterp --
 *
 *	The interp a definition's body runs in.
 *
 * Results:
 *	interp itself, the child interp named by the definition, or NULL
 *	when that child is gone.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_Interp *
DbifTargetInterp(
    Tcl_Interp *interp,
    DbifDef *defPtr)
{
    if (defPtr == NULL || defPtr->interpObj == NULL) {
	return interp;
    }
    return Tcl_GetSlave(interp, Tcl_GetString(defPtr->interpObj));
}

/*
 *----------------------------------------------------------------------
 *
 * DbifRunBody --
 *
 *	Run a definition's body as "::apply lambda ?msgid? arg..." at
 *	global level in its interp (reference 4.13).  Methods, listeners
 *	and property setters pass the message id as idObj; generate passes
 *	NULL.
 *
 * Results:
 *	The completion code; the result and return options are left in
 *	*targetPtr (the interp it ran in, or dataPtr->interp with an error
 *	when the child interp has gone).
 *
 * Side effects:
 *	Whatever the body does; the definition is kept alive during the
 *	run by the caller's reference.
 *
 *----------------------------------------------------------------------
 */

int
DbifRunBody(
    DbifData *dataPtr,
    DbifDef *defPtr,
    Tcl_Obj *idObj,		/* first argument or NULL; borrowed */
    int objc,
    Tcl_Obj *const objv[],	/* further arguments; borrowed */
    Tcl_Interp **targetPtr)
{
    Tcl_Interp *target = DbifTargetInterp(dataPtr->interp, defPtr);
    Tcl_Obj *stackv[16], **cmdv = stackv;
    int i, n = 2, code;

    if (target == NULL) {
	*targetPtr = dataPtr->interp;
	return DbusError(dataPtr->interp, DBUS_EC_INVALID, "INTERP",
		Tcl_GetString(defPtr->interpObj),
		"could not find interpreter \"%s\"",
		Tcl_GetString(defPtr->interpObj));
    }
    *targetPtr = target;
    if (objc + 3 > 16) {
	cmdv = (Tcl_Obj **) ckalloc(sizeof(Tcl_Obj *) * (objc + 3));
    }
    cmdv[0] = dataPtr->applyObj;
    cmdv[1] = defPtr->lambda;
    if (idObj != NULL) {
	cmdv[n++] = idObj;
    }
    for (i = 0; i < objc; i++) {
	cmdv[n++] = objv[i];
    }
    Tcl_Preserve(target);
    Tcl_IncrRefCount(defPtr->lambda);
    code = Tcl_EvalObjv(target, n, cmdv, TCL_EVAL_GLOBAL);
    Tcl_DecrRefCount(defPtr->lambda);
    Tcl_Release(target);
    if (cmdv != stackv) {
	ckfree((char *) cmdv);
    }
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifTransferResult --
 *
 *	Move the result and return options of a body run in a child interp
 *	to the main interp.
 *
 * Results:
 *	The completion code as "to" now has it.
 *
 * Side effects:
 *	Sets to's result and return options; resets from's result.
 *
 *----------------------------------------------------------------------
 */

int
DbifTransferResult(
    Tcl_Interp *from,
    Tcl_Interp *to,
    int code)
{
    Tcl_Obj *optsPtr;

    if (from == to) {
	return code;
    }
    optsPtr = Tcl_GetReturnOptions(from, code);
    Tcl_IncrRefCount(optsPtr);
    Tcl_SetObjResult(to, Tcl_GetObjResult(from));
    code = Tcl_SetReturnOptions(to, optsPtr);
    Tcl_DecrRefCount(optsPtr);
    Tcl_ResetResult(from);
    return code;
}

/*
 *----------------------------------------------------------------------
 *
 * Common option tables.
 *
 *----------------------------------------------------------------------
 */

const DbifOption dbifBusIntfOpts[] = {
    {"-bus", 1}, {"-interface", 1}, {NULL, 0}
};

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
