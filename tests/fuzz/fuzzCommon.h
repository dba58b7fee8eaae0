/*
 * fuzzCommon.h --
 *
 *	Shared set-up of the libFuzzer targets in tests/fuzz (see
 *	tests/fuzz/README): one Tcl interpreter per process with the dbus
 *	and dbif packages initialised from the statically linked objects,
 *	libdbus' own checks made fatal, and a failure helper.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _FUZZCOMMON_H
#define _FUZZCOMMON_H

#include "dbusInt.h"
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

int Dbus_Init(Tcl_Interp *interp);
int Dbif_Init(Tcl_Interp *interp);

static Tcl_Interp *fuzzInterp;

/*
 *----------------------------------------------------------------------
 *
 * FuzzInterp --
 *
 *	The process's interpreter, made on first use: libdbus warnings
 *	(a failed check of an argument we passed it) abort the process, so
 *	that libFuzzer reports them as crashes.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Interp *
FuzzInterp(void)
{
    if (fuzzInterp == NULL) {
	setenv("DBUS_FATAL_WARNINGS", "1", 1);
	Tcl_FindExecutable(NULL);
	fuzzInterp = Tcl_CreateInterp();
	if (Dbus_Init(fuzzInterp) != TCL_OK
		|| Dbif_Init(fuzzInterp) != TCL_OK) {
	    fprintf(stderr, "init: %s\n", Tcl_GetStringResult(fuzzInterp));
	    abort();
	}
    }
    return fuzzInterp;
}

/*
 *----------------------------------------------------------------------
 *
 * FuzzFail --
 *
 *	An invariant does not hold: print what and abort (a crash for
 *	libFuzzer, which saves the input).
 *
 *----------------------------------------------------------------------
 */

static void
FuzzFail(
    const char *what,
    const char *a,
    const char *b)
{
    fprintf(stderr, "FUZZ INVARIANT: %s\n  a: %s\n  b: %s\n", what,
	    a ? a : "(null)", b ? b : "(null)");
    abort();
}

/*
 *----------------------------------------------------------------------
 *
 * FuzzCheckError --
 *
 *	The interp holds an error: it must carry an errorcode starting
 *	with DBUS or TCL (the project's convention for bad input).
 *
 *----------------------------------------------------------------------
 */

static void
FuzzCheckError(
    Tcl_Interp *interp,
    const char *context)
{
    Tcl_Obj *options = Tcl_GetReturnOptions(interp, TCL_ERROR);
    Tcl_Obj *key = Tcl_NewStringObj("-errorcode", -1), *ec = NULL, *first;

    Tcl_IncrRefCount(options);
    Tcl_IncrRefCount(key);
    if (Tcl_DictObjGet(NULL, options, key, &ec) != TCL_OK || ec == NULL
	    || Tcl_ListObjIndex(NULL, ec, 0, &first) != TCL_OK
	    || first == NULL
	    || (strcmp(Tcl_GetString(first), "DBUS") != 0
	    && strcmp(Tcl_GetString(first), "TCL") != 0)) {
	fprintf(stderr, "context: %s\n", context);
	FuzzFail("error without a DBUS/TCL errorcode",
		Tcl_GetStringResult(interp), ec ? Tcl_GetString(ec) : "none");
    }
    Tcl_DecrRefCount(key);
    Tcl_DecrRefCount(options);
}

#endif /* _FUZZCOMMON_H */
