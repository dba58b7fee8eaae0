/*
 * tclembed.c --
 *
 *	A minimal program embedding Tcl, for the exit-path tests
 *	(tests/dbus-exit.test): it does what an application embedding Tcl
 *	does at the end of its life, which tclsh never does.
 *
 *	    tclembed MODE SCRIPTFILE
 *
 *	MODE "finalize":	evaluate the script, then Tcl_Finalize() with
 *				the interp still alive (Tcl deletes it).
 *	MODE "delete":		evaluate, Tcl_DeleteInterp(), Tcl_Finalize().
 *	MODE "thread":		evaluate, Tcl_DeleteInterp(),
 *				Tcl_FinalizeThread(), Tcl_Finalize().
 *
 *	Prints the script's result and exits 0, or prints the error to
 *	stderr and exits 1.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include <tcl.h>
#include <stdio.h>
#include <string.h>

int
main(
    int argc,
    char **argv)
{
    Tcl_Interp *interp;
    int code;

    if (argc != 3) {
	fprintf(stderr, "usage: %s finalize|delete|thread script\n",
		argv[0]);
	return 2;
    }
    Tcl_FindExecutable(argv[0]);
    interp = Tcl_CreateInterp();
    if (Tcl_Init(interp) != TCL_OK) {
	fprintf(stderr, "Tcl_Init: %s\n", Tcl_GetStringResult(interp));
	return 1;
    }
    code = Tcl_EvalFile(interp, argv[2]);
    if (code != TCL_OK) {
	fprintf(stderr, "%s\n", Tcl_GetVar2(interp, "errorInfo", NULL,
		TCL_GLOBAL_ONLY));
    } else {
	printf("%s\n", Tcl_GetStringResult(interp));
	fflush(stdout);
    }
    if (strcmp(argv[1], "delete") == 0) {
	Tcl_DeleteInterp(interp);
    } else if (strcmp(argv[1], "thread") == 0) {
	Tcl_DeleteInterp(interp);
	Tcl_FinalizeThread();
    }
    Tcl_Finalize();
    return code == TCL_OK ? 0 : 1;
}
