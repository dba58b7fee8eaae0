/* dbifCmd.c -- placeholder, being written (the dbif ensemble). */
#include "dbifInt.h"
int DbifCreateCommands(Tcl_Interp *interp)
{
    Tcl_Namespace *nsPtr = Tcl_CreateNamespace(interp, "::dbus::dbif", NULL, NULL);
    if (nsPtr == NULL) return TCL_ERROR;
    Tcl_CreateEnsemble(interp, "::dbif", nsPtr, TCL_ENSEMBLE_PREFIX);
    return TCL_OK;
}
