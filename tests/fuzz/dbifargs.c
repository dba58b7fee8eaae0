/*
 * dbifargs.c --
 *
 *	libFuzzer target 6: dbif argument lists ("name", "name:sig",
 *	{name:sig default}) and attribute lists -> DbifParseArgList and
 *	DbifParseAttributes.  Input: a mode byte, then the Tcl text.  Either
 *	the parser raises a Tcl error with a DBUS or TCL errorcode, or its
 *	results are consistent: one name and one signature per argument,
 *	each signature a single complete type (or empty: untyped), no more
 *	required arguments than arguments, an even attribute dict.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "fuzzCommon.h"
#include "dbifInt.h"

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    Tcl_Interp *interp = FuzzInterp();
    Tcl_Obj *textObj, *names, *sigs, *params, *dict = NULL;
    int mode, nRequired = -1;

    if (size < 1 || size > 4096) {
	return 0;
    }
    mode = data[0] % 3;
    textObj = Tcl_NewStringObj((const char *) data + 1, (int) size - 1);
    Tcl_IncrRefCount(textObj);
    if (mode == 2) {
	if (DbifParseAttributes(interp, textObj, &dict) != TCL_OK) {
	    FuzzCheckError(interp, "attributes");
	} else if (dict != NULL) {
	    Tcl_Size n;

	    Tcl_IncrRefCount(dict);
	    if (Tcl_DictObjSize(NULL, dict, &n) != TCL_OK) {
		FuzzFail("attributes: result is not a dict",
			Tcl_GetString(dict), "");
	    }
	    Tcl_DecrRefCount(dict);
	}
    } else {
	Tcl_Size nNames, nSigs, nParams, i;
	Tcl_Obj **sigv;

	names = Tcl_NewListObj(0, NULL);
	sigs = Tcl_NewListObj(0, NULL);
	params = Tcl_NewListObj(0, NULL);
	Tcl_IncrRefCount(names);
	Tcl_IncrRefCount(sigs);
	Tcl_IncrRefCount(params);
	if (DbifParseArgList(interp, textObj, mode, names, sigs, params,
		&nRequired) != TCL_OK) {
	    FuzzCheckError(interp, "arglist");
	} else {
	    Tcl_ListObjLength(NULL, names, &nNames);
	    Tcl_ListObjGetElements(NULL, sigs, &nSigs, &sigv);
	    Tcl_ListObjLength(NULL, params, &nParams);
	    if (nNames != nSigs || nRequired < 0 || nRequired > nNames
		    || (!mode && nRequired != nNames)) {
		FuzzFail("arglist: inconsistent result",
			Tcl_GetString(names), Tcl_GetString(sigs));
	    }
	    for (i = 0; i < nSigs; i++) {
		const char *s = Tcl_GetString(sigv[i]);

		if (*s != '\0' && !dbus_signature_validate_single(s, NULL)) {
		    FuzzFail("arglist: not a single complete type", s,
			    Tcl_GetString(textObj));
		}
	    }
	}
	Tcl_DecrRefCount(names);
	Tcl_DecrRefCount(sigs);
	Tcl_DecrRefCount(params);
    }
    Tcl_DecrRefCount(textObj);
    Tcl_ResetResult(interp);
    return 0;
}
