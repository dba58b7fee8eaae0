/*
 * dbifIntro.c --
 *
 *	Introspection of dbif objects (reference 4.15, DECISIONS rule 16):
 *	the XML document of a path - its interfaces with the universal
 *	members of those interfaces, the standard interfaces Peer,
 *	Introspectable and Properties, and its child nodes - escaped and
 *	valid, and the org.freedesktop.DBus.Introspectable.Introspect
 *	handler that serves it.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifInt.h"
#include <stdlib.h>

static const char xmlHeader[] =
    "<!DOCTYPE node PUBLIC "
    "\"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"
    "<node>\n";

static const char managerXml[] =
    "  <interface name=\"org.freedesktop.DBus.ObjectManager\">\n"
    "    <method name=\"GetManagedObjects\">\n"
    "      <arg name=\"objects\" type=\"a{oa{sa{sv}}}\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <signal name=\"InterfacesAdded\">\n"
    "      <arg name=\"object\" type=\"o\"/>\n"
    "      <arg name=\"interfaces\" type=\"a{sa{sv}}\"/>\n"
    "    </signal>\n"
    "    <signal name=\"InterfacesRemoved\">\n"
    "      <arg name=\"object\" type=\"o\"/>\n"
    "      <arg name=\"interfaces\" type=\"as\"/>\n"
    "    </signal>\n"
    "  </interface>\n";

static const char standardXml[] =
    "  <interface name=\"org.freedesktop.DBus.Peer\">\n"
    "    <method name=\"Ping\"/>\n"
    "    <method name=\"GetMachineId\">\n"
    "      <arg name=\"machine_uuid\" type=\"s\" direction=\"out\"/>\n"
    "    </method>\n"
    "  </interface>\n"
    "  <interface name=\"org.freedesktop.DBus.Introspectable\">\n"
    "    <method name=\"Introspect\">\n"
    "      <arg name=\"xml_data\" type=\"s\" direction=\"out\"/>\n"
    "    </method>\n"
    "  </interface>\n"
    "  <interface name=\"org.freedesktop.DBus.Properties\">\n"
    "    <method name=\"Get\">\n"
    "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"property_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"value\" type=\"v\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"GetAll\">\n"
    "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"properties\" type=\"a{sv}\" direction=\"out\"/>\n"
    "    </method>\n"
    "    <method name=\"Set\">\n"
    "      <arg name=\"interface_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"property_name\" type=\"s\" direction=\"in\"/>\n"
    "      <arg name=\"value\" type=\"v\" direction=\"in\"/>\n"
    "    </method>\n"
    "    <signal name=\"PropertiesChanged\">\n"
    "      <arg name=\"interface_name\" type=\"s\"/>\n"
    "      <arg name=\"changed_properties\" type=\"a{sv}\"/>\n"
    "      <arg name=\"invalidated_properties\" type=\"as\"/>\n"
    "    </signal>\n"
    "  </interface>\n";

/*
 *----------------------------------------------------------------------
 *
 * AppendEscaped --
 *
 *	Append text with the XML special characters escaped.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static void
AppendEscaped(
    Tcl_DString *dsPtr,
    const char *s)
{
    const char *start = s;

    for (; *s; s++) {
	const char *rep;

	switch (*s) {
	case '&': rep = "&amp;"; break;
	case '<': rep = "&lt;"; break;
	case '>': rep = "&gt;"; break;
	case '"': rep = "&quot;"; break;
	case '\'': rep = "&apos;"; break;
	case '\n': rep = "&#10;"; break;
	case '\t': rep = "&#9;"; break;
	default: continue;
	}
	Tcl_DStringAppend(dsPtr, start, (int) (s - start));
	Tcl_DStringAppend(dsPtr, rep, -1);
	start = s + 1;
    }
    Tcl_DStringAppend(dsPtr, start, (int) (s - start));
}

/*
 *----------------------------------------------------------------------
 *
 * Attr --
 *
 *	Append ' name="value"' to dsPtr, the value escaped.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static void
Attr(
    Tcl_DString *dsPtr,
    const char *name,
    const char *value)
{
    Tcl_DStringAppend(dsPtr, " ", 1);
    Tcl_DStringAppend(dsPtr, name, -1);
    Tcl_DStringAppend(dsPtr, "=\"", 2);
    AppendEscaped(dsPtr, value);
    Tcl_DStringAppend(dsPtr, "\"", 1);
}

/*
 *----------------------------------------------------------------------
 *
 * AppendAnnotations --
 *
 *	One <annotation> per attribute (Internal.* keys hidden), plus the
 *	optional-argument count of a method.
 *
 * Results:
 *	Number of annotations written.
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static int
AppendAnnotations(
    Tcl_DString *dsPtr,
    Tcl_Obj *attrs,
    int nOptional,
    const char *indent)
{
    Tcl_DictSearch search;
    Tcl_Obj *keyPtr, *valPtr;
    int done, n = 0;
    char buf[32];

    if (nOptional > 0) {
	snprintf(buf, sizeof(buf), "%d", nOptional);
	Tcl_DStringAppend(dsPtr, indent, -1);
	Tcl_DStringAppend(dsPtr, "<annotation", -1);
	Attr(dsPtr, "name", DBIF_OPTIONAL_ANNOTATION);
	Attr(dsPtr, "value", buf);
	Tcl_DStringAppend(dsPtr, "/>\n", 3);
	n++;
    }
    if (attrs == NULL || Tcl_DictObjFirst(NULL, attrs, &search, &keyPtr,
	    &valPtr, &done) != TCL_OK) {
	return n;
    }
    for (; !done; Tcl_DictObjNext(&search, &keyPtr, &valPtr, &done)) {
	const char *key = Tcl_GetString(keyPtr);

	if (strncmp(key, "Internal.", 9) == 0) {
	    continue;
	}
	Tcl_DStringAppend(dsPtr, indent, -1);
	Tcl_DStringAppend(dsPtr, "<annotation name=\"org.freedesktop.DBus.",
		-1);
	AppendEscaped(dsPtr, key);
	Tcl_DStringAppend(dsPtr, "\"", 1);
	Attr(dsPtr, "value", Tcl_GetString(valPtr));
	Tcl_DStringAppend(dsPtr, "/>\n", 3);
	n++;
    }
    Tcl_DictObjDone(&search);
    return n;
}

/*
 *----------------------------------------------------------------------
 *
 * AppendArgs --
 *
 *	The <arg> elements of an argument list (names and types in two
 *	parallel lists); dir ("in", "out") is left out when NULL (signals).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static void
AppendArgs(
    Tcl_DString *dsPtr,
    Tcl_Obj *names,
    Tcl_Obj *sigs,
    const char *dir)
{
    Tcl_Size n, i;
    Tcl_Obj **nv, **sv;

    Tcl_ListObjGetElements(NULL, names, &n, &nv);
    Tcl_ListObjGetElements(NULL, sigs, &n, &sv);
    for (i = 0; i < n; i++) {
	Tcl_DStringAppend(dsPtr, "      <arg", -1);
	Attr(dsPtr, "name", Tcl_GetString(nv[i]));
	Attr(dsPtr, "type", Tcl_GetString(sv[i]));
	if (dir != NULL) {
	    Attr(dsPtr, "direction", dir);
	}
	Tcl_DStringAppend(dsPtr, "/>\n", 3);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * AppendMembers --
 *
 *	Methods (one element per definition, i.e. every prototype set),
 *	signals and properties of one node.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static void
AppendMembers(
    Tcl_DString *dsPtr,
    DbifNode *nodePtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    DbifProp *propPtr;

    for (hPtr = Tcl_FirstHashEntry(&nodePtr->methods, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	const char *name = Tcl_GetHashKey(&nodePtr->methods, hPtr);
	DbifProto *protoPtr, *p2;

	for (protoPtr = (DbifProto *) Tcl_GetHashValue(hPtr); protoPtr;
		protoPtr = protoPtr->nextPtr) {
	    DbifDef *defPtr = protoPtr->defPtr;
	    Tcl_Size nIn;

	    /*
	     * A definition with optional arguments has several
	     * prototypes: describe it once.
	     */

	    for (p2 = (DbifProto *) Tcl_GetHashValue(hPtr); p2 != protoPtr;
		    p2 = p2->nextPtr) {
		if (p2->defPtr == defPtr) {
		    break;
		}
	    }
	    if (p2 != protoPtr) {
		continue;
	    }
	    Tcl_ListObjLength(NULL, defPtr->inSigs, &nIn);
	    Tcl_DStringAppend(dsPtr, "    <method", -1);
	    Attr(dsPtr, "name", name);
	    Tcl_DStringAppend(dsPtr, ">\n", 2);
	    AppendArgs(dsPtr, defPtr->inNames, defPtr->inSigs, "in");
	    AppendArgs(dsPtr, defPtr->outNames, defPtr->outSigs, "out");
	    AppendAnnotations(dsPtr, defPtr->attrs,
		    (int) nIn - defPtr->nRequired, "      ");
	    Tcl_DStringAppend(dsPtr, "    </method>\n", -1);
	}
    }
    for (hPtr = Tcl_FirstHashEntry(&nodePtr->signals, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifSignal *sigPtr = (DbifSignal *) Tcl_GetHashValue(hPtr);

	Tcl_DStringAppend(dsPtr, "    <signal", -1);
	Attr(dsPtr, "name", Tcl_GetString(sigPtr->name));
	Tcl_DStringAppend(dsPtr, ">\n", 2);
	AppendArgs(dsPtr, sigPtr->defPtr->inNames, sigPtr->defPtr->inSigs,
		NULL);
	AppendAnnotations(dsPtr, sigPtr->defPtr->attrs, 0, "      ");
	Tcl_DStringAppend(dsPtr, "    </signal>\n", -1);
    }
    for (propPtr = nodePtr->firstProp; propPtr; propPtr = propPtr->nextPtr) {
	static const char *const access[] = {
	    "", "read", "write", "readwrite"
	};
	int len;

	Tcl_DStringAppend(dsPtr, "    <property", -1);
	Attr(dsPtr, "name", Tcl_GetString(propPtr->name));
	Attr(dsPtr, "type", Tcl_GetString(propPtr->sig));
	Attr(dsPtr, "access", access[propPtr->access]);
	Tcl_DStringAppend(dsPtr, ">\n", 2);
	len = Tcl_DStringLength(dsPtr);
	if (AppendAnnotations(dsPtr, propPtr->defPtr->attrs, 0, "      ")
		== 0) {
	    Tcl_DStringSetLength(dsPtr, len - 2);
	    Tcl_DStringAppend(dsPtr, "/>\n", 3);
	} else {
	    Tcl_DStringAppend(dsPtr, "    </property>\n", -1);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * CompareStrings --
 *
 *	qsort order of C strings (the child node names).
 *
 * Results:
 *	As strcmp.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static int
CompareStrings(
    const void *a,
    const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 *----------------------------------------------------------------------
 *
 * ScanNodes --
 *
 *	Which dbif nodes of the connection "handle" stand at path, and
 *	which child names lie below it.  Nodes are keyed
 *	"handle|path|intf": the key alone tells whether a node is at the
 *	path or below it.
 *
 * Results:
 *	The number of nodes (interfaces) at path.
 *
 * Side effects:
 *	Each child name (first path element below path) is entered in
 *	childrenPtr, an initialized string-keyed table.
 *
 *----------------------------------------------------------------------
 */

static int
ScanNodes(
    DbifData *dataPtr,
    const char *handle,
    const char *path,
    Tcl_HashTable *childrenPtr)	/* out: child names (keys only) */
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    size_t pathLen = strlen(path), handleLen = strlen(handle);
    int nHere = 0, isNew;

    for (hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	const char *key = Tcl_GetHashKey(&dataPtr->nodes, hPtr), *p, *end;

	if (strncmp(key, handle, handleLen) != 0 || key[handleLen] != '|') {
	    continue;
	}
	p = key + handleLen + 1;
	if (strncmp(p, path, pathLen) == 0 && p[pathLen] == '|') {
	    nHere++;
	    continue;
	}
	if (*p != '/') {
	    continue;
	}
	if (pathLen == 1) {
	    p += 1;
	} else if (strncmp(p, path, pathLen) == 0 && p[pathLen] == '/') {
	    p += pathLen + 1;
	} else {
	    continue;
	}
	for (end = p; *end != '/' && *end != '|'; end++) {
	}
	if (end > p) {
	    Tcl_DString child;

	    Tcl_DStringInit(&child);
	    Tcl_DStringAppend(&child, p, (int) (end - p));
	    Tcl_CreateHashEntry(childrenPtr, Tcl_DStringValue(&child),
		    &isNew);
	    Tcl_DStringFree(&child);
	}
    }
    return nHere;
}

/*
 *----------------------------------------------------------------------
 *
 * AppendInterfaces, AppendChildren --
 *
 *	AppendInterfaces: the <interface> elements of the dbif nodes at
 *	path (with the members defined for every path, "", merged in).
 *	AppendChildren: a <node name="..."/> per child name, sorted.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends XML to dsPtr.
 *
 *----------------------------------------------------------------------
 */

static void
AppendInterfaces(
    DbifData *dataPtr,
    const char *handle,
    const char *path,
    Tcl_DString *dsPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;

    for (hPtr = Tcl_FirstHashEntry(&dataPtr->nodes, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	DbifNode *nodePtr = (DbifNode *) Tcl_GetHashValue(hPtr), *uniPtr;

	if (strcmp(Tcl_GetString(nodePtr->handle), handle) != 0
		|| strcmp(Tcl_GetString(nodePtr->path), path) != 0) {
	    continue;
	}
	Tcl_DStringAppend(dsPtr, "  <interface", -1);
	Attr(dsPtr, "name", Tcl_GetString(nodePtr->intf));
	Tcl_DStringAppend(dsPtr, ">\n", 2);
	AppendMembers(dsPtr, nodePtr);
	uniPtr = DbifFindNode(dataPtr, handle, "",
		Tcl_GetString(nodePtr->intf));
	if (uniPtr != NULL && uniPtr != nodePtr) {
	    AppendMembers(dsPtr, uniPtr);
	}
	Tcl_DStringAppend(dsPtr, "  </interface>\n", -1);
    }
}

static void
AppendChildren(
    Tcl_HashTable *childrenPtr,	/* child names (keys) */
    Tcl_DString *dsPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_HashSearch search;
    int i = 0, n = childrenPtr->numEntries;
    const char **names = (const char **) ckalloc(sizeof(char *) * (n + 1));

    for (hPtr = Tcl_FirstHashEntry(childrenPtr, &search); hPtr;
	    hPtr = Tcl_NextHashEntry(&search)) {
	names[i++] = Tcl_GetHashKey(childrenPtr, hPtr);
    }
    qsort(names, (size_t) n, sizeof(char *), CompareStrings);
    for (i = 0; i < n; i++) {
	Tcl_DStringAppend(dsPtr, "  <node", -1);
	Attr(dsPtr, "name", names[i]);
	Tcl_DStringAppend(dsPtr, "/>\n", 3);
    }
    ckfree((char *) names);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifIntrospectXml --
 *
 *	The introspection document of path on the connection "handle":
 *	the interfaces defined there, the standard ones (with
 *	ObjectManager at a manager's path), the child nodes.
 *
 * Results:
 *	1 with the XML appended to dsPtr, or 0 when nothing is at or below
 *	the path (UnknownObject).
 *
 * Side effects:
 *	Appends to dsPtr.
 *
 *----------------------------------------------------------------------
 */

int
DbifIntrospectXml(
    DbifData *dataPtr,
    const char *handle,
    const char *path,
    Tcl_DString *dsPtr)
{
    Tcl_HashTable children;
    int nHere, isManager;

    Tcl_InitHashTable(&children, TCL_STRING_KEYS);
    nHere = ScanNodes(dataPtr, handle, path, &children);
    isManager = DbifIsManager(dataPtr, handle, path);
    if (nHere == 0 && children.numEntries == 0 && !isManager) {
	Tcl_DeleteHashTable(&children);
	return 0;
    }
    Tcl_DStringAppend(dsPtr, xmlHeader, -1);
    if (nHere > 0) {
	AppendInterfaces(dataPtr, handle, path, dsPtr);
    }
    Tcl_DStringAppend(dsPtr, standardXml, -1);
    if (isManager) {
	Tcl_DStringAppend(dsPtr, managerXml, -1);
    }
    AppendChildren(&children, dsPtr);
    Tcl_DeleteHashTable(&children);
    Tcl_DStringAppend(dsPtr, "</node>\n", -1);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifIntrospect --
 *
 *	org.freedesktop.DBus.Introspectable.Introspect() -> s
 *
 * Results:
 *	TCL_OK (the reply or an error reply was sent here), or TCL_ERROR from
 *	sending the reply.
 *
 * Side effects:
 *	Sends the XML as the reply (nothing when no reply is wanted),
 *	InvalidArgs for arguments, UnknownObject when nothing is at or below
 *	the path.
 *
 *----------------------------------------------------------------------
 */

int
DbifIntrospect(
    ClientData clientData,
    Tcl_Interp *interp,
    DbusConn *connPtr,
    DBusMessage *msg)
{
    DbifData *dataPtr = (DbifData *) clientData;
    const char *path = DbusMessageField(msg, DBUS_FIELD_PATH);
    const char *sig = DbusMessageField(msg, DBUS_FIELD_SIGNATURE);
    Tcl_DString ds;
    Tcl_Obj *xmlObj;
    int code = TCL_OK;

    if (*sig != '\0') {
	return DbusSendErrorf(connPtr, msg, DBUS_ERROR_INVALID_ARGS,
		"Invalid arguments for method 'Introspect': expected "
		"signature '', got '%s'", sig);
    }
    Tcl_DStringInit(&ds);
    if (!DbifIntrospectXml(dataPtr, Tcl_GetString(DbusConnHandle(connPtr)),
	    path, &ds)) {
	Tcl_DStringFree(&ds);
	return DbusSendErrorf(connPtr, msg, DBUS_ERROR_UNKNOWN_OBJECT,
		"No such object path '%s'", path);
    }
    if (DbusMessageWantsReply(msg)) {
	/*
	 * The marshaller sends the Tcl string as UTF-8.
	 */

	xmlObj = Tcl_NewStringObj(Tcl_DStringValue(&ds),
		Tcl_DStringLength(&ds));
	Tcl_IncrRefCount(xmlObj);
	code = DbusSendReturn(interp, connPtr, msg, NULL, 1, &xmlObj);
	Tcl_DecrRefCount(xmlObj);
    }
    Tcl_DStringFree(&ds);
    return code;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
