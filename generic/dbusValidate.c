/*
 * dbusValidate.c --
 *
 *	Checks of bus names, interface names, member names, error names,
 *	object paths and signatures against the ASCII rules of the D-Bus
 *	specification.  Every name a script or a peer hands us passes one of
 *	these before libdbus sees it: libdbus aborts the process on a name
 *	that breaks its rules.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

#define MAX_NAME_LEN 255

#define IS_ALPHA_(c) \
    (((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') || (c) == '_')
#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_ALNUM_(c) (IS_ALPHA_(c) || IS_DIGIT(c))

/*
 *----------------------------------------------------------------------
 *
 * ValidPath --
 *
 *	"/" or "/"-separated non-empty elements of [A-Za-z0-9_], no
 *	trailing "/".  The specification sets no length limit.
 *
 * Results:
 *	1 when valid, 0 otherwise.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ValidPath(
    const char *s,
    Tcl_Size len)
{
    Tcl_Size i;

    if (len < 1 || s[0] != '/') {
	return 0;
    }
    if (len == 1) {
	return 1;
    }
    for (i = 1; i < len; i++) {
	if (s[i] == '/') {
	    if (s[i-1] == '/') {
		return 0;
	    }
	} else if (!IS_ALNUM_(s[i])) {
	    return 0;
	}
    }
    return s[len-1] != '/';
}

/*
 *----------------------------------------------------------------------
 *
 * ValidDotted --
 *
 *	Interface / error names (allowDash = 0) and well-known bus names
 *	(allowDash = 1): at least two "."-separated non-empty elements that
 *	do not start with a digit.  Unique bus names (leading ':') allow
 *	elements to start with a digit.
 *
 * Results:
 *	1 when valid, 0 otherwise.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ValidDotted(
    const char *s,
    Tcl_Size len,
    int allowDash,
    int unique)
{
    Tcl_Size i, elemStart;
    int dots = 0;

    if (len < 1 || len > MAX_NAME_LEN) {
	return 0;
    }
    i = unique ? 1 : 0;
    elemStart = i;
    if (i >= len) {
	return 0;
    }
    for (; i < len; i++) {
	char c = s[i];

	if (c == '.') {
	    if (i == elemStart) {
		return 0;
	    }
	    dots++;
	    elemStart = i + 1;
	} else if (IS_ALPHA_(c) || (allowDash && c == '-')) {
	    /* always fine */
	} else if (IS_DIGIT(c)) {
	    if (i == elemStart && !unique) {
		return 0;
	    }
	} else {
	    return 0;
	}
    }
    return dots >= 1 && elemStart < len;
}

/*
 *----------------------------------------------------------------------
 *
 * ValidMember --
 *
 *	1..255 characters of [A-Za-z0-9_], not starting with a digit.
 *
 * Results:
 *	1 when valid, 0 otherwise.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
ValidMember(
    const char *s,
    Tcl_Size len)
{
    Tcl_Size i;

    if (len < 1 || len > MAX_NAME_LEN || IS_DIGIT(s[0])) {
	return 0;
    }
    for (i = 0; i < len; i++) {
	if (!IS_ALNUM_(s[i])) {
	    return 0;
	}
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusValidName --
 *
 *	Check a string against one name class.
 *
 * Results:
 *	1 when valid, 0 otherwise.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusValidName(
    DbusNameKind kind,
    const char *str,
    Tcl_Size len)
{
    if (len < 0) {
	len = (Tcl_Size) strlen(str);
    }
    if ((Tcl_Size) strlen(str) != len) {
	return 0;			/* embedded NUL */
    }
    switch (kind) {
    case DBUS_NAME_PATH:
	return ValidPath(str, len);
    case DBUS_NAME_INTERFACE:
    case DBUS_NAME_ERROR:
	return ValidDotted(str, len, 0, 0);
    case DBUS_NAME_MEMBER:
	return ValidMember(str, len);
    case DBUS_NAME_BUS:
	if (len > 0 && str[0] == ':') {
	    return ValidDotted(str, len, 1, 1);
	}
	return ValidDotted(str, len, 1, 0);
    case DBUS_NAME_SIGNATURE:
	/*
	 * The same grammar walker as -signature (dbusSignature.c): length,
	 * 32 arrays and 32 structs along any path, dict entry rules.
	 */

	return len <= DBUS_MAX_SIG_LEN && DbusSignatureValid(str, (int) len) >= 0;
    }
    return 0;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusValidMatchMember --
 *
 *	Member argument of "dbus listen/method": a bare member name or
 *	"interface.member" (an interface-style name with at least two
 *	dots, whose last element is a valid member).
 *
 * Results:
 *	1 when valid, 0 otherwise.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

int
DbusValidMatchMember(
    const char *str,
    Tcl_Size len)
{
    const char *dot;

    if (ValidMember(str, len)) {
	return 1;
    }
    dot = memchr(str, '.', (size_t) len);
    if (dot == NULL) {
	return 0;
    }
    dot = str + len;
    while (dot > str && dot[-1] != '.') {
	dot--;
    }
    return ValidDotted(str, (dot - str) - 1, 0, 0)
	    && ValidMember(dot, len - (dot - str));
}

/*
 * Validity cache: a pure string that passed a check gets the internal
 * representation "dbus.name", a bit set per name class it is valid for,
 * so the literals of a loop are validated once.  Only objects without an
 * internal representation are converted: nothing else is shimmered.
 */

/*
 *----------------------------------------------------------------------
 *
 * DupNameRep --
 *
 *	Tcl_DupInternalRepProc of the "dbus.name" type: the copy gets the same
 *	bit set of name classes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Sets dupPtr's internal representation and type.
 *
 *----------------------------------------------------------------------
 */

static void
DupNameRep(
    Tcl_Obj *srcPtr,
    Tcl_Obj *dupPtr)
{
    dupPtr->internalRep.longValue = srcPtr->internalRep.longValue;
    dupPtr->typePtr = srcPtr->typePtr;
}

static const Tcl_ObjType nameType = {
    "dbus.name", NULL, DupNameRep, NULL, NULL
};

/*
 *----------------------------------------------------------------------
 *
 * DbusValidNameObj --
 *
 *	DbusValidName on an object, remembering a positive answer.
 *
 * Results:
 *	1 when valid, 0 otherwise.
 *
 * Side effects:
 *	May give a pure string object the "dbus.name" representation.
 *
 *----------------------------------------------------------------------
 */

int
DbusValidNameObj(
    Tcl_Obj *objPtr,
    DbusNameKind kind)
{
    Tcl_Size len;
    const char *str;

    if (objPtr->typePtr == &nameType
	    && (objPtr->internalRep.longValue & (1L << kind))) {
	return 1;
    }
    str = Tcl_GetStringFromObj(objPtr, &len);
    if (!DbusValidName(kind, str, len)) {
	return 0;
    }
    if (objPtr->typePtr == NULL) {
	objPtr->internalRep.longValue = 0;
	objPtr->typePtr = &nameType;
    }
    if (objPtr->typePtr == &nameType) {
	objPtr->internalRep.longValue |= (1L << kind);
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusCheckName --
 *
 *	Validate objPtr as a name of class kind.
 *
 * Results:
 *	TCL_OK, or TCL_ERROR with "message" as the result and errorcode
 *	{DBUS INVALID KIND value}.
 *
 * Side effects:
 *	May set the interp result.
 *
 *----------------------------------------------------------------------
 */

int
DbusCheckName(
    Tcl_Interp *interp,
    DbusNameKind kind,
    Tcl_Obj *objPtr,
    const char *message)
{
    static const char *const kindNames[] = {
	"PATH", "INTERFACE", "MEMBER", "BUSNAME", "ERRORNAME", "SIGNATURE"
    };
    if (DbusValidNameObj(objPtr, kind)) {
	return TCL_OK;
    }
    return DbusError(interp, DBUS_EC_INVALID, kindNames[kind],
	    Tcl_GetString(objPtr), "%s", message);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
