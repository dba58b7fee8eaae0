/*
 * dbusInit.c --
 *
 *	Package entry points: Dbus_Init (package "dbus"; provided as 2.1
 *	instead when pkgIndex.tcl asks for the 2.x compatibility version)
 *	and Dbif_Init (package "dbif": the high-level ensemble, a static
 *	package of this library).
 *
 *	Loading connects to nothing, renames nothing and prints nothing.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

/*
 * The only process-wide state: libdbus' own one-time initialisation.
 */

TCL_DECLARE_MUTEX(initMutex)
static int libInitialized = 0;

static const char *CompatVersion(Tcl_Interp *interp);

/*
 *----------------------------------------------------------------------
 *
 * InitCommon --
 *
 *	Shared part of the package entry points: stubs, one-time library
 *	setup, per-thread and per-interp state, the ::dbus ensemble.
 *
 * Results:
 *	TCL_OK or TCL_ERROR with a message.
 *
 * Side effects:
 *	Creates ::dbus and its subcommands (once per interp), provides
 *	package "dbus" at the given version.
 *
 *----------------------------------------------------------------------
 */

int Dbif_Init(Tcl_Interp *interp);

static int
InitCommon(
    Tcl_Interp *interp,
    const char *version)
{
    if (Tcl_InitStubs(interp, DBUS_TCL_VERSIONS, 0) == NULL) {
	return TCL_ERROR;
    }

    Tcl_MutexLock(&initMutex);
    if (!libInitialized) {
	/*
	 * libdbus is used from every thread that loads us; each connection
	 * stays in its thread, but libdbus' global data needs its locks.
	 */

	dbus_threads_init_default();
	DbusMarshalInit();

	/*
	 * The dbif half lives in this same file; Tcl 8.6 will not load one
	 * file under two prefixes, so pkgIndex.tcl reaches it with
	 * "load {} Dbif".
	 */

	DbusStaticPackage(NULL, "Dbif", Dbif_Init, NULL);

	/*
	 * At exit, close (and flush) the connections of the exiting thread.
	 */

	Tcl_CreateExitHandler(DbusExitProc, NULL);
	libInitialized = 1;
    }
    Tcl_MutexUnlock(&initMutex);

    if (DbusGetInterpData(interp) == NULL) {
	return TCL_ERROR;
    }
    if (Tcl_FindCommand(interp, "::dbus::call", NULL, TCL_GLOBAL_ONLY)
	    == NULL && DbusCreateCommands(interp) != TCL_OK) {
	return TCL_ERROR;
    }
    return Tcl_PkgProvideEx(interp, "dbus", version, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCreateEnsemble --
 *
 *	Build an ensemble from a {name, proc} table, for dbus and dbif
 *	alike: namespace nsName (found or created), one command
 *	nsName::name per entry (NRE-enabled when the entry has nreProc),
 *	the exports, and the ensemble command ensName over the namespace
 *	(unique prefixes accepted).  Every command gets clientData.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with Tcl's message.
 *
 * Side effects:
 *	Creates the namespace, the commands and the ensemble.  With an
 *	exportPattern, commands added to the namespace later that match it
 *	become subcommands too.
 *
 *----------------------------------------------------------------------
 */

int
DbusCreateEnsemble(
    Tcl_Interp *interp,
    const char *nsName,		/* "::dbus" */
    const char *ensName,	/* "::dbus" */
    const DbusSubcommand *cmds,	/* terminated by a NULL name */
    const char *exportPattern,	/* NULL: export each entry by name */
    ClientData clientData)	/* given to every command: the dbus
				 * commands get the interp's record, which
				 * lives until the interp's deletion frees
				 * it, after its commands are gone */
{
    Tcl_Namespace *nsPtr;
    Tcl_DString ds;
    int i, code = TCL_OK;

    nsPtr = Tcl_FindNamespace(interp, nsName, NULL, TCL_GLOBAL_ONLY);
    if (nsPtr == NULL) {
	nsPtr = Tcl_CreateNamespace(interp, nsName, NULL, NULL);
    }
    if (nsPtr == NULL) {
	return TCL_ERROR;
    }
    Tcl_DStringInit(&ds);
    for (i = 0; cmds[i].name != NULL && code == TCL_OK; i++) {
	Tcl_DStringSetLength(&ds, 0);
	Tcl_DStringAppend(&ds, nsName, -1);
	Tcl_DStringAppend(&ds, "::", 2);
	Tcl_DStringAppend(&ds, cmds[i].name, -1);
	if (cmds[i].nreProc != NULL) {
	    Tcl_NRCreateCommand(interp, Tcl_DStringValue(&ds), cmds[i].proc,
		    cmds[i].nreProc, clientData, NULL);
	} else {
	    Tcl_CreateObjCommand(interp, Tcl_DStringValue(&ds), cmds[i].proc,
		    clientData, NULL);
	}
	if (exportPattern == NULL) {
	    code = Tcl_Export(interp, nsPtr, cmds[i].name, 0);
	}
    }
    Tcl_DStringFree(&ds);
    if (code == TCL_OK && exportPattern != NULL) {
	code = Tcl_Export(interp, nsPtr, exportPattern, 0);
    }
    if (code != TCL_OK) {
	return TCL_ERROR;
    }
    return Tcl_CreateEnsemble(interp, ensName, nsPtr, TCL_ENSEMBLE_PREFIX)
	    ? TCL_OK : TCL_ERROR;
}

/*
 *----------------------------------------------------------------------
 *
 * CompatVersion --
 *
 *	The version to provide: pkgIndex.tcl sets ::dbus::compat to "2.1"
 *	when a script asked for "package require dbus 2.1"; we consume it.
 *
 * Results:
 *	"2.1" or PACKAGE_VERSION (static strings).
 *
 * Side effects:
 *	Unsets ::dbus::compat when it asked for 2.1.
 *
 *----------------------------------------------------------------------
 */

static const char *
CompatVersion(
    Tcl_Interp *interp)
{
    const char *v = Tcl_GetVar2(interp, "::dbus::compat", NULL,
	    TCL_GLOBAL_ONLY);

    if (v != NULL && strcmp(v, "2.1") == 0) {
	Tcl_UnsetVar2(interp, "::dbus::compat", NULL, TCL_GLOBAL_ONLY);
	return "2.1";
    }
    return PACKAGE_VERSION;
}

/*
 *----------------------------------------------------------------------
 *
 * Dbus_Init --
 *
 *	Entry point of "package require dbus".
 *
 * Results:
 *	TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	See InitCommon.
 *
 *----------------------------------------------------------------------
 */

DLLEXPORT int
Dbus_Init(
    Tcl_Interp *interp)
{
    if (Tcl_InitStubs(interp, DBUS_TCL_VERSIONS, 0) == NULL) {
	return TCL_ERROR;
    }
    return InitCommon(interp, CompatVersion(interp));
}

/*
 *----------------------------------------------------------------------
 *
 * Dbif_Init --
 *
 *	Entry point of "package require dbif" (C half): makes sure the dbus
 *	command exists, then creates the ::dbif ensemble.
 *
 * Results:
 *	TCL_OK or TCL_ERROR.
 *
 * Side effects:
 *	Creates ::dbif, provides package dbif.
 *
 *----------------------------------------------------------------------
 */

DLLEXPORT int
Dbif_Init(
    Tcl_Interp *interp)
{
    if (Tcl_InitStubs(interp, DBUS_TCL_VERSIONS, 0) == NULL) {
	return TCL_ERROR;
    }
    if (Tcl_PkgPresentEx(interp, "dbus", NULL, 0, NULL) == NULL) {
	Tcl_ResetResult(interp);
	if (Tcl_PkgRequireEx(interp, "dbus", PACKAGE_VERSION, 0, NULL)
		== NULL) {
	    return TCL_ERROR;
	}
    }
    if (Tcl_FindCommand(interp, "::dbus::dbif::connect", NULL,
	    TCL_GLOBAL_ONLY) == NULL && DbifCreateCommands(interp) != TCL_OK) {
	return TCL_ERROR;
    }
    return Tcl_PkgProvideEx(interp, "dbif", DBIF_VERSION, NULL);
}

/*
 *----------------------------------------------------------------------
 *
 * Dbus_SafeInit, Dbif_SafeInit --
 *
 *	Not provided on purpose: a bus connection reaches other processes
 *	and the file system (unix fds), which a safe interpreter must not.
 *	A master that wants a safe child to use D-Bus can alias selected
 *	commands into it.
 *
 *----------------------------------------------------------------------
 */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
