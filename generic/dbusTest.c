/*
 * dbusTest.c --
 *
 *	Test-only commands for the C APIs that have no script-level
 *	command of their own (the Tcl core's tclTest.c habit).  Built only
 *	into tcldbustest.so, a separate library that holds the whole
 *	extension plus these commands and that tests/helpers.tcl loads
 *	instead of the package when a test file asks for it
 *	(::dbustest::testlib).  Never installed.
 *
 *	  dbustest::matchcount busId rule
 *		uses of a rule in the connection's match-rule registry
 *	  dbustest::watch busId name script
 *		DbusBusWatchOwner; name "*" watches every name.  Each call
 *		runs {*}script event name old new, event being "initial"
 *		(old ""), "change" or "close" (no script runs then: the
 *		record is only forgotten).  Returns a token.
 *	  dbustest::unwatch token
 *		DbusBusUnwatchOwner
 *	  dbustest::owner busId name
 *		DbusBusNameOwner as {known owner}
 *	  dbustest::tables busId
 *		sizes of the tables a peer can make grow (make soak,
 *		tests/dbus-hostile.test)
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include "dbifInt.h"
#include <stdio.h>

/*
 * One watch made by dbustest::watch.
 */

typedef struct TestWatch {
    Tcl_Interp *interp;		/* not owned */
    Tcl_HashTable *tablePtr;	/* per-interp table holding us */
    Tcl_HashEntry *hPtr;	/* our entry (token -> TestWatch) */
    Tcl_Obj *script;		/* callback prefix; refcount held */
    DbusOwnerWatch *watchPtr;	/* owned by the connection */
} TestWatch;

/*
 * Per-interp state (AssocData "dbustest").
 */

typedef struct TestData {
    Tcl_HashTable watches;	/* token -> TestWatch* (owned) */
    int counter;		/* for tokens */
} TestData;

int	Dbustest_Init(Tcl_Interp *interp);
int	Dbus_Init(Tcl_Interp *interp);

/*
 *----------------------------------------------------------------------
 *
 * WatchForget --
 *
 *	Free a test watch record (not its DbusOwnerWatch).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes the token; releases the script.
 *
 *----------------------------------------------------------------------
 */

static void
WatchForget(
    TestWatch *twPtr)
{
    Tcl_DeleteHashEntry(twPtr->hPtr);
    Tcl_DecrRefCount(twPtr->script);
    ckfree((char *) twPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * TestOwnerProc --
 *
 *	DbusOwnerProc of dbustest::watch: run the script, or forget the
 *	record when the connection closes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Runs the script; errors go to bgerror.
 *
 *----------------------------------------------------------------------
 */

static void
TestOwnerProc(
    ClientData clientData,
    DbusConn *connPtr,
    Tcl_Obj *nameObj,
    Tcl_Obj *oldOwner,
    Tcl_Obj *newOwner)
{
    TestWatch *twPtr = (TestWatch *) clientData;
    Tcl_Interp *interp = twPtr->interp;
    Tcl_Obj *cmdPtr;
    int code;

    (void) connPtr;
    if (newOwner == NULL) {
	WatchForget(twPtr);
	return;
    }
    cmdPtr = Tcl_DuplicateObj(twPtr->script);
    Tcl_IncrRefCount(cmdPtr);
    Tcl_ListObjAppendElement(NULL, cmdPtr, Tcl_NewStringObj(
	    oldOwner == NULL ? "initial" : "change", -1));
    Tcl_ListObjAppendElement(NULL, cmdPtr, nameObj);
    Tcl_ListObjAppendElement(NULL, cmdPtr,
	    oldOwner ? oldOwner : Tcl_NewObj());
    Tcl_ListObjAppendElement(NULL, cmdPtr, newOwner);
    Tcl_Preserve(interp);
    code = Tcl_EvalObjEx(interp, cmdPtr, TCL_EVAL_GLOBAL);
    if (code == TCL_ERROR) {
	DbusBackgroundError(interp, code, "dbustest::watch script");
    }
    Tcl_ResetResult(interp);
    Tcl_Release(interp);
    Tcl_DecrRefCount(cmdPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * WatchCmd --
 *
 *	dbustest::watch busId name script
 *
 * Results:
 *	A token, or TCL_ERROR.
 *
 * Side effects:
 *	Registers an owner watch.
 *
 *----------------------------------------------------------------------
 */

static int
WatchCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TestData *dataPtr = (TestData *) clientData;
    const char *name;
    DbusConn *connPtr;
    TestWatch *twPtr;
    char token[32];
    int isNew;

    if (objc != 4) {
	Tcl_WrongNumArgs(interp, 1, objv, "busId name script");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, objv[1], &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    name = Tcl_GetString(objv[2]);
    twPtr = (TestWatch *) ckalloc(sizeof(TestWatch));
    twPtr->interp = interp;
    twPtr->tablePtr = &dataPtr->watches;
    twPtr->script = objv[3];
    Tcl_IncrRefCount(twPtr->script);
    snprintf(token, sizeof(token), "watch%d", ++dataPtr->counter);
    twPtr->hPtr = Tcl_CreateHashEntry(&dataPtr->watches, token, &isNew);
    Tcl_SetHashValue(twPtr->hPtr, twPtr);
    twPtr->watchPtr = DbusBusWatchOwner(connPtr,
	    strcmp(name, "*") == 0 ? NULL : name, TestOwnerProc, twPtr);
    if (twPtr->watchPtr == NULL) {
	WatchForget(twPtr);
	Tcl_SetObjResult(interp, Tcl_NewStringObj("connection closed", -1));
	Tcl_SetErrorCode(interp, "DBUS", "CLOSED", NULL);
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, Tcl_NewStringObj(token, -1));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * UnwatchCmd --
 *
 *	dbustest::unwatch token
 *
 * Results:
 *	TCL_OK ("" result), or TCL_ERROR for an unknown token.
 *
 * Side effects:
 *	Removes the owner watch.
 *
 *----------------------------------------------------------------------
 */

static int
UnwatchCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    TestData *dataPtr = (TestData *) clientData;
    Tcl_HashEntry *hPtr;
    TestWatch *twPtr;

    if (objc != 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "token");
	return TCL_ERROR;
    }
    hPtr = Tcl_FindHashEntry(&dataPtr->watches, Tcl_GetString(objv[1]));
    if (hPtr == NULL) {
	Tcl_SetObjResult(interp, Tcl_NewStringObj("no such watch", -1));
	Tcl_SetErrorCode(interp, "DBUS", "TEST", NULL);
	return TCL_ERROR;
    }
    twPtr = (TestWatch *) Tcl_GetHashValue(hPtr);
    DbusBusUnwatchOwner(twPtr->watchPtr);
    WatchForget(twPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * OwnerCmd --
 *
 *	dbustest::owner busId name
 *
 * Results:
 *	{known owner}.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
OwnerCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    Tcl_Obj *ownerObj, *resPtr;

    (void) clientData;
    if (objc != 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "busId name");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, objv[1], &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    ownerObj = DbusBusNameOwner(connPtr, Tcl_GetString(objv[2]));
    resPtr = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, resPtr, Tcl_NewIntObj(ownerObj != NULL));
    Tcl_ListObjAppendElement(NULL, resPtr, ownerObj ? ownerObj : Tcl_NewObj());
    Tcl_SetObjResult(interp, resPtr);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * MatchCountCmd --
 *
 *	dbustest::matchcount busId rule
 *
 * Results:
 *	The rule's use count on the connection.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
MatchCountCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;

    (void) clientData;
    if (objc != 3) {
	Tcl_WrongNumArgs(interp, 1, objv, "busId rule");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, objv[1], &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    Tcl_SetObjResult(interp, Tcl_NewIntObj(
	    DbusBusMatchCount(connPtr, Tcl_GetString(objv[2]))));
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TablesCmd --
 *
 *	dbustest::tables busId: the number of entries in the tables of a
 *	connection and of the calling interp that grow with traffic, so
 *	that a soak or a hostile-peer test can see they come back.
 *
 * Results:
 *	A dictionary: pending (calls awaiting a reply), noreply (calls
 *	handed to scripts that wanted no reply), held (messages set aside
 *	during a synchronous wait), rules (match rules registered), owners
 *	(names whose owner is tracked), messages (dbif message ids of the
 *	interp).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
TablesCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusConn *connPtr;
    DbusBusData *busPtr;
    DbifData *dbifPtr;
    DbusHeld *heldPtr;
    Tcl_Obj *result;
    int held = 0;

    (void) clientData;
    if (objc != 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "busId");
	return TCL_ERROR;
    }
    if (DbusGetConn(interp, objv[1], &connPtr) != TCL_OK) {
	return TCL_ERROR;
    }
    for (heldPtr = connPtr->firstHeld; heldPtr != NULL;
	    heldPtr = heldPtr->nextPtr) {
	held++;
    }
    busPtr = connPtr->busData;
    dbifPtr = (DbifData *) DbusInterpDbif(DbusGetInterpData(interp));
    result = Tcl_NewObj();
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj("pending", -1));
    Tcl_ListObjAppendElement(NULL, result,
	    Tcl_NewIntObj(connPtr->pending.numEntries));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj("noreply", -1));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewIntObj(
	    connPtr->noReply ? connPtr->noReply->numEntries : 0));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj("held", -1));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewIntObj(held));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj("rules", -1));
    Tcl_ListObjAppendElement(NULL, result,
	    Tcl_NewIntObj(busPtr ? busPtr->rules.numEntries : 0));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj("owners", -1));
    Tcl_ListObjAppendElement(NULL, result,
	    Tcl_NewIntObj(busPtr ? busPtr->owners.numEntries : 0));
    Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj("messages", -1));
    Tcl_ListObjAppendElement(NULL, result,
	    Tcl_NewIntObj(dbifPtr ? dbifPtr->messages.numEntries : 0));
    Tcl_SetObjResult(interp, result);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * MatchParseCmd --
 *
 *	dbustest::matchparse text: the local parser of match rules
 *	(dbusMatch.c), as the fuzz target "match" drives it.
 *
 * Results:
 *	The canonical text of the rule, or an error {DBUS INVALID MATCH}
 *	with the parser's reason.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
MatchParseCmd(
    ClientData clientData,
    Tcl_Interp *interp,
    int objc,
    Tcl_Obj *const objv[])
{
    DbusMatchRule *rulePtr;
    const char *err = NULL;
    char *canon;

    (void) clientData;
    if (objc != 2) {
	Tcl_WrongNumArgs(interp, 1, objv, "text");
	return TCL_ERROR;
    }
    rulePtr = DbusMatchParse(Tcl_GetString(objv[1]), &err);
    if (rulePtr == NULL) {
	return DbusError(interp, DBUS_EC_INVALID, "MATCH", NULL, "%s",
		err ? err : "invalid match rule");
    }
    canon = DbusMatchString(rulePtr);
    DbusMatchFree(rulePtr);
    Tcl_SetObjResult(interp, Tcl_NewStringObj(canon ? canon : "", -1));
    dbus_free(canon);
    return TCL_OK;
}

/*
 *----------------------------------------------------------------------
 *
 * TestDataFree --
 *
 *	AssocData delete proc: drop the interp's watches.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees the records; the DbusOwnerWatches are left to their
 *	connections (the core closes them with the interp, which calls
 *	TestOwnerProc with no owner only for records still listed: none).
 *
 *----------------------------------------------------------------------
 */

static void
TestDataFree(
    ClientData clientData,
    Tcl_Interp *interp)
{
    TestData *dataPtr = (TestData *) clientData;
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    (void) interp;
    while ((hPtr = Tcl_FirstHashEntry(&dataPtr->watches, &search))) {
	TestWatch *twPtr = (TestWatch *) Tcl_GetHashValue(hPtr);

	DbusBusUnwatchOwner(twPtr->watchPtr);
	WatchForget(twPtr);
    }
    Tcl_DeleteHashTable(&dataPtr->watches);
    ckfree((char *) dataPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * Dbustest_Init --
 *
 *	Load the extension (Dbus_Init) and add the test commands.
 *
 * Results:
 *	A Tcl completion code.
 *
 * Side effects:
 *	Provides dbus (and, through "load {} Dbif", dbif) and dbustest.
 *
 *----------------------------------------------------------------------
 */

DLLEXPORT int
Dbustest_Init(
    Tcl_Interp *interp)
{
    TestData *dataPtr;

    if (Dbus_Init(interp) != TCL_OK) {
	return TCL_ERROR;
    }
    dataPtr = (TestData *) ckalloc(sizeof(TestData));
    Tcl_InitHashTable(&dataPtr->watches, TCL_STRING_KEYS);
    dataPtr->counter = 0;
    Tcl_SetAssocData(interp, "dbustest", TestDataFree, dataPtr);
    Tcl_CreateObjCommand(interp, "::dbustest::matchcount", MatchCountCmd,
	    NULL, NULL);
    Tcl_CreateObjCommand(interp, "::dbustest::matchparse", MatchParseCmd,
	    NULL, NULL);
    Tcl_CreateObjCommand(interp, "::dbustest::watch", WatchCmd, dataPtr,
	    NULL);
    Tcl_CreateObjCommand(interp, "::dbustest::unwatch", UnwatchCmd, dataPtr,
	    NULL);
    Tcl_CreateObjCommand(interp, "::dbustest::owner", OwnerCmd, NULL, NULL);
    Tcl_CreateObjCommand(interp, "::dbustest::tables", TablesCmd, NULL,
	    NULL);
    return Tcl_PkgProvideEx(interp, "dbustest", PACKAGE_VERSION, NULL);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
