/*
 * dbifDesc.c --
 *
 *	The introspection data of a remote object in the forms the proxies
 *	use (dbifProxy.h): members with their Tcl-side signatures and
 *	argument names, lookup tables by qualified and bare name, the
 *	"describe" dict, and the member lookup with errors that name the
 *	known members.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifProxy.h"
#include <stdlib.h>

#define EMITS_ANNOTATION "org.freedesktop.DBus.Property.EmitsChangedSignal"
#define OPTIONAL_ANNOTATION "org.tcldbus.Optional"

/*
 *----------------------------------------------------------------------
 *
 * AddMember, OptionalOf, EmitsOf --
 *
 *	AddMember: enter a member in a lookup table under its qualified
 *	and its bare name; a bare name met twice becomes ambiguous, except
 *	that members of the standard org.freedesktop.DBus.* interfaces
 *	never shadow (nor make ambiguous) those of the object's own.
 *	OptionalOf: how many trailing inputs of a method may be left out
 *	(the org.tcldbus.Optional annotation a dbif service gives a method
 *	with optional arguments; 0 without it or for a bad value, at most
 *	nIn).  EmitsOf: the EmitsChangedSignal value of a property (its own
 *	annotation, else its interface's, else "true").
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	AddMember adds up to two entries to tablePtr (the member is borrowed
 *	from the description that owns it); OptionalOf and EmitsOf have
 *	none.
 *
 *----------------------------------------------------------------------
 */

static void
AddMember(
    Tcl_HashTable *tablePtr,
    DbifPxMember *memPtr)
{
    Tcl_HashEntry *hPtr;
    Tcl_DString ds;
    int isNew, standard;
    const char *intf = Tcl_GetString(memPtr->intf);

    standard = (strncmp(intf, "org.freedesktop.DBus.", 21) == 0);
    Tcl_DStringInit(&ds);
    Tcl_DStringAppend(&ds, intf, -1);
    Tcl_DStringAppend(&ds, ".", 1);
    Tcl_DStringAppend(&ds, Tcl_GetString(memPtr->name), -1);
    hPtr = Tcl_CreateHashEntry(tablePtr, Tcl_DStringValue(&ds), &isNew);
    if (isNew) {
	Tcl_SetHashValue(hPtr, memPtr);
    }
    Tcl_DStringFree(&ds);
    hPtr = Tcl_CreateHashEntry(tablePtr, Tcl_GetString(memPtr->name),
	    &isNew);
    if (isNew) {
	Tcl_SetHashValue(hPtr, memPtr);
    } else if (!standard) {
	DbifPxMember *oldPtr = (DbifPxMember *) Tcl_GetHashValue(hPtr);

	if (oldPtr != DBIF_PX_AMBIGUOUS && strncmp(Tcl_GetString(
		oldPtr->intf), "org.freedesktop.DBus.", 21) == 0) {
	    Tcl_SetHashValue(hPtr, memPtr);
	} else {
	    Tcl_SetHashValue(hPtr, DBIF_PX_AMBIGUOUS);
	}
    }
}

static int
OptionalOf(
    DbifXmlMember *xmPtr,
    int nIn)
{
    DbifXmlAnnot *annPtr;
    int n = 0;

    for (annPtr = xmPtr->annots; annPtr; annPtr = annPtr->nextPtr) {
	if (strcmp(annPtr->name, OPTIONAL_ANNOTATION) == 0) {
	    char *end;
	    long v = strtol(annPtr->value, &end, 10);

	    n = (end != annPtr->value && *end == '\0' && v > 0) ?
		    (v > nIn ? nIn : (int) v) : 0;
	}
    }
    return n;
}

static int
EmitsOf(
    DbifXmlIntf *intfPtr,
    DbifXmlMember *xmPtr)
{
    DbifXmlAnnot *annPtr;
    const char *value = "true";

    for (annPtr = intfPtr->annots; annPtr; annPtr = annPtr->nextPtr) {
	if (strcmp(annPtr->name, EMITS_ANNOTATION) == 0) {
	    value = annPtr->value;
	}
    }
    for (annPtr = xmPtr->annots; annPtr; annPtr = annPtr->nextPtr) {
	if (strcmp(annPtr->name, EMITS_ANNOTATION) == 0) {
	    value = annPtr->value;
	}
    }
    if (strcmp(value, "false") == 0) {
	return DBIF_EMITS_FALSE;
    } else if (strcmp(value, "invalidates") == 0) {
	return DBIF_EMITS_INVALIDATES;
    } else if (strcmp(value, "const") == 0) {
	return DBIF_EMITS_CONST;
    }
    return DBIF_EMITS_TRUE;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxDescNew --
 *
 *	Build the shared description from parsed XML.
 *
 * Results:
 *	A new description with refCount 0, owning xml.
 *
 * Side effects:
 *	Memory allocation.
 *
 *----------------------------------------------------------------------
 */

DbifPxDesc *
DbifPxDescNew(
    DbifXmlDesc *xml)		/* ownership passes to the description */
{
    DbifPxDesc *descPtr = (DbifPxDesc *) ckalloc(sizeof(DbifPxDesc));
    DbifXmlIntf *intfPtr;
    DbifXmlMember *xmPtr;
    DbifXmlArg *argPtr;
    DbifPxMember *memPtr, **tailPtr = &descPtr->members;

    memset(descPtr, 0, sizeof(DbifPxDesc));
    descPtr->xml = xml;
    Tcl_InitHashTable(&descPtr->methods, TCL_STRING_KEYS);
    Tcl_InitHashTable(&descPtr->props, TCL_STRING_KEYS);
    Tcl_InitHashTable(&descPtr->signals, TCL_STRING_KEYS);
    descPtr->intfs = Tcl_NewListObj(0, NULL);
    Tcl_IncrRefCount(descPtr->intfs);
    for (intfPtr = xml->intfs; intfPtr; intfPtr = intfPtr->nextPtr) {
	Tcl_Obj *intfObj = Tcl_NewStringObj(intfPtr->name, -1);

	Tcl_ListObjAppendElement(NULL, descPtr->intfs, intfObj);
	for (xmPtr = intfPtr->members; xmPtr; xmPtr = xmPtr->nextPtr) {
	    Tcl_DString sig;

	    memPtr = (DbifPxMember *) ckalloc(sizeof(DbifPxMember));
	    memset(memPtr, 0, sizeof(DbifPxMember));
	    *tailPtr = memPtr;
	    tailPtr = &memPtr->nextPtr;
	    memPtr->kind = xmPtr->kind;
	    memPtr->intf = intfObj;
	    Tcl_IncrRefCount(intfObj);
	    memPtr->name = Tcl_NewStringObj(xmPtr->name, -1);
	    Tcl_IncrRefCount(memPtr->name);
	    memPtr->inNames = Tcl_NewListObj(0, NULL);
	    Tcl_IncrRefCount(memPtr->inNames);
	    memPtr->inTypes = Tcl_NewListObj(0, NULL);
	    Tcl_IncrRefCount(memPtr->inTypes);
	    Tcl_DStringInit(&sig);
	    if (xmPtr->kind == DBIF_XML_PROPERTY) {
		Tcl_DStringAppend(&sig, xmPtr->type, -1);
		memPtr->access = xmPtr->access;
		memPtr->emits = EmitsOf(intfPtr, xmPtr);
	    }
	    for (argPtr = xmPtr->args; argPtr; argPtr = argPtr->nextPtr) {
		if (argPtr->out && xmPtr->kind == DBIF_XML_METHOD) {
		    continue;
		}
		Tcl_DStringAppend(&sig, argPtr->type, -1);
		Tcl_ListObjAppendElement(NULL, memPtr->inNames,
			Tcl_NewStringObj(argPtr->name[0] ? argPtr->name
			: "arg", -1));
		Tcl_ListObjAppendElement(NULL, memPtr->inTypes,
			Tcl_NewStringObj(argPtr->type, -1));
		memPtr->nIn++;
	    }
	    if (xmPtr->kind == DBIF_XML_METHOD) {
		memPtr->nOptional = OptionalOf(xmPtr, memPtr->nIn);
	    }
	    memPtr->inSig = Tcl_NewStringObj(Tcl_DStringValue(&sig),
		    Tcl_DStringLength(&sig));
	    Tcl_IncrRefCount(memPtr->inSig);
	    Tcl_DStringFree(&sig);
	    AddMember(xmPtr->kind == DBIF_XML_METHOD ? &descPtr->methods
		    : xmPtr->kind == DBIF_XML_SIGNAL ? &descPtr->signals
		    : &descPtr->props, memPtr);
	}
    }
    return descPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxDescRelease --
 *
 *	Drop a reference to a description; the last one frees it and its
 *	cache entry.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	May free memory.
 *
 *----------------------------------------------------------------------
 */

void
DbifPxDescRelease(
    DbifPxDesc *descPtr)
{
    DbifPxMember *memPtr, *nextPtr;

    if (--descPtr->refCount > 0) {
	return;
    }
    if (descPtr->hPtr != NULL) {
	Tcl_DeleteHashEntry(descPtr->hPtr);
    }
    for (memPtr = descPtr->members; memPtr; memPtr = nextPtr) {
	nextPtr = memPtr->nextPtr;
	Tcl_DecrRefCount(memPtr->intf);
	Tcl_DecrRefCount(memPtr->name);
	Tcl_DecrRefCount(memPtr->inSig);
	Tcl_DecrRefCount(memPtr->inNames);
	Tcl_DecrRefCount(memPtr->inTypes);
	ckfree((char *) memPtr);
    }
    Tcl_DeleteHashTable(&descPtr->methods);
    Tcl_DeleteHashTable(&descPtr->props);
    Tcl_DeleteHashTable(&descPtr->signals);
    Tcl_DecrRefCount(descPtr->intfs);
    if (descPtr->dict != NULL) {
	Tcl_DecrRefCount(descPtr->dict);
    }
    DbifXmlFree(descPtr->xml);
    ckfree((char *) descPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * AnnotDict --
 *
 *	The annotations of an element as a dict name -> value, for
 *	DbifPxDescribe.
 *
 * Results:
 *	A new dict (refcount 0).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
AnnotDict(
    DbifXmlAnnot *annPtr)
{
    Tcl_Obj *dictPtr = Tcl_NewObj();

    for (; annPtr; annPtr = annPtr->nextPtr) {
	Tcl_DictObjPut(NULL, dictPtr, Tcl_NewStringObj(annPtr->name, -1),
		Tcl_NewStringObj(annPtr->value, -1));
    }
    return dictPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * MemberDict --
 *
 *	One member of an interface as the dict DbifPxDescribe lists: for a
 *	method in, out, inargs, outargs; for a signal signature and args; for
 *	a property type and access; and its annotations.
 *
 * Results:
 *	A new dict (refcount 0).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

static Tcl_Obj *
MemberDict(
    DbifXmlMember *xmPtr)
{
    Tcl_Obj *d = Tcl_NewObj(), *in = Tcl_NewObj(), *out = Tcl_NewObj();
    Tcl_Obj *inArgs = Tcl_NewObj(), *outArgs = Tcl_NewObj();
    DbifXmlArg *argPtr;
    static const char *const access[] = {"", "read", "write", "readwrite"};

    if (xmPtr->kind == DBIF_XML_PROPERTY) {
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("type", -1),
		Tcl_NewStringObj(xmPtr->type, -1));
	Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("access", -1),
		Tcl_NewStringObj(access[xmPtr->access & 3], -1));
    } else {
	for (argPtr = xmPtr->args; argPtr; argPtr = argPtr->nextPtr) {
	    Tcl_Obj *pair[2];

	    pair[0] = Tcl_NewStringObj(argPtr->name, -1);
	    pair[1] = Tcl_NewStringObj(argPtr->type, -1);
	    Tcl_AppendToObj(argPtr->out ? out : in, argPtr->type, -1);
	    Tcl_ListObjAppendElement(NULL, argPtr->out ? outArgs : inArgs,
		    Tcl_NewListObj(2, pair));
	}
	if (xmPtr->kind == DBIF_XML_METHOD) {
	    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("in", -1), in);
	    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("out", -1), out);
	    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("inargs", -1), inArgs);
	    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("outargs", -1),
		    outArgs);
	} else {
	    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("signature", -1), out);
	    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("args", -1), outArgs);
	    Tcl_DecrRefCount(in);
	    Tcl_DecrRefCount(inArgs);
	    in = inArgs = NULL;
	}
    }
    if (xmPtr->kind == DBIF_XML_PROPERTY) {
	Tcl_DecrRefCount(in);
	Tcl_DecrRefCount(out);
	Tcl_DecrRefCount(inArgs);
	Tcl_DecrRefCount(outArgs);
    }
    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("annotations", -1),
	    AnnotDict(xmPtr->annots));
    return d;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxDescribe --
 *
 *	The "describe" dict of a description:
 *	  interfaces {name {methods {M {in sig out sig inargs {{n t} ..}
 *	      outargs {..} annotations {k v ..}}} signals {S {signature
 *	      sig args {{n t} ..} annotations {..}}} properties {P {type t
 *	      access read|write|readwrite annotations {..}}}
 *	      annotations {..}}}
 *	  nodes {child ...}
 *
 * Results:
 *	The dict (owned by the description; the caller does not release).
 *
 * Side effects:
 *	Built once and kept.
 *
 *----------------------------------------------------------------------
 */

Tcl_Obj *
DbifPxDescribe(
    DbifPxDesc *descPtr)
{
    static const char *const kinds[] = {"methods", "signals", "properties"};
    Tcl_Obj *intfs, *nodes, *result;
    DbifXmlIntf *intfPtr;
    DbifXmlNode *nodePtr;
    int k;

    if (descPtr->dict != NULL) {
	return descPtr->dict;
    }
    intfs = Tcl_NewObj();
    for (intfPtr = descPtr->xml->intfs; intfPtr; intfPtr = intfPtr->nextPtr) {
	Tcl_Obj *idict = Tcl_NewObj();

	for (k = 0; k < 3; k++) {
	    Tcl_Obj *mdict = Tcl_NewObj();
	    DbifXmlMember *xmPtr;

	    for (xmPtr = intfPtr->members; xmPtr; xmPtr = xmPtr->nextPtr) {
		if (xmPtr->kind == k) {
		    Tcl_DictObjPut(NULL, mdict,
			    Tcl_NewStringObj(xmPtr->name, -1),
			    MemberDict(xmPtr));
		}
	    }
	    Tcl_DictObjPut(NULL, idict, Tcl_NewStringObj(kinds[k], -1),
		    mdict);
	}
	Tcl_DictObjPut(NULL, idict, Tcl_NewStringObj("annotations", -1),
		AnnotDict(intfPtr->annots));
	Tcl_DictObjPut(NULL, intfs, Tcl_NewStringObj(intfPtr->name, -1),
		idict);
    }
    nodes = Tcl_NewObj();
    for (nodePtr = descPtr->xml->nodes; nodePtr; nodePtr = nodePtr->nextPtr) {
	Tcl_ListObjAppendElement(NULL, nodes,
		Tcl_NewStringObj(nodePtr->name, -1));
    }
    result = Tcl_NewObj();
    Tcl_DictObjPut(NULL, result, Tcl_NewStringObj("interfaces", -1), intfs);
    Tcl_DictObjPut(NULL, result, Tcl_NewStringObj("nodes", -1), nodes);
    descPtr->dict = result;
    Tcl_IncrRefCount(result);
    return result;
}

/*
 *----------------------------------------------------------------------
 *
 * DbifPxFind --
 *
 *	Look a member up: in interface intfObj when given, else in the
 *	proxy's default interface, else by its bare name anywhere.
 *
 * Results:
 *	The member, or NULL with an error naming the known ones
 *	({DBUS UNKNOWN kind name}, {DBUS AMBIGUOUS kind name}).
 *
 * Side effects:
 *	On failure, sets interp's result and errorcode (when interp is not
 *	NULL).
 *
 *----------------------------------------------------------------------
 */

DbifPxMember *
DbifPxFind(
    Tcl_Interp *interp,		/* for errors; may be NULL */
    DbifProxy *proxyPtr,
    int kind,			/* DBIF_XML_METHOD, ... */
    Tcl_Obj *intfObj,		/* interface or NULL */
    Tcl_Obj *nameObj)
{
    static const char *const what[] = {"method", "signal", "property"};
    static const char *const WHAT[] = {"METHOD", "SIGNAL", "PROPERTY"};
    DbifPxDesc *descPtr = proxyPtr->descPtr;
    Tcl_HashTable *tablePtr = kind == DBIF_XML_METHOD ? &descPtr->methods
	    : kind == DBIF_XML_SIGNAL ? &descPtr->signals : &descPtr->props;
    Tcl_HashEntry *hPtr = NULL;
    DbifPxMember *memPtr;
    Tcl_Obj *known;
    const char *name = Tcl_GetString(nameObj);
    Tcl_Obj *scope = intfObj ? intfObj : proxyPtr->intf;

    if (scope != NULL && strchr(name, '.') == NULL) {
	Tcl_DString ds;

	Tcl_DStringInit(&ds);
	Tcl_DStringAppend(&ds, Tcl_GetString(scope), -1);
	Tcl_DStringAppend(&ds, ".", 1);
	Tcl_DStringAppend(&ds, name, -1);
	hPtr = Tcl_FindHashEntry(tablePtr, Tcl_DStringValue(&ds));
	Tcl_DStringFree(&ds);
    }
    if (hPtr == NULL && intfObj == NULL && strchr(name, '.') == NULL) {
	hPtr = Tcl_FindHashEntry(tablePtr, name);
    }
    memPtr = hPtr ? (DbifPxMember *) Tcl_GetHashValue(hPtr) : NULL;
    if (memPtr != NULL && memPtr != DBIF_PX_AMBIGUOUS) {
	return memPtr;
    }
    if (interp == NULL) {
	return NULL;
    }

    /*
     * Name the candidates: every member of that kind (in the interface
     * asked for, when one was).
     */

    known = Tcl_NewObj();
    for (memPtr = descPtr->members; memPtr; memPtr = memPtr->nextPtr) {
	if (memPtr->kind != kind) {
	    continue;
	}
	if (intfObj != NULL && strcmp(Tcl_GetString(intfObj),
		Tcl_GetString(memPtr->intf)) != 0) {
	    continue;
	}
	if (hPtr != NULL) {
	    /* ambiguous: list the qualified candidates */
	    if (strcmp(Tcl_GetString(memPtr->name), name) == 0) {
		Tcl_AppendPrintfToObj(known, "%s%s.%s",
			Tcl_GetCharLength(known) ? ", " : "",
			Tcl_GetString(memPtr->intf), name);
	    }
	    continue;
	}
	Tcl_AppendPrintfToObj(known, "%s%s",
		Tcl_GetCharLength(known) ? ", " : "",
		Tcl_GetString(memPtr->name));
    }
    if (hPtr != NULL) {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("ambiguous %s \"%s\": "
		"give -interface; candidates: %s", what[kind], name,
		Tcl_GetString(known)));
	Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_AMBIGUOUS, WHAT[kind], name,
		NULL);
    } else {
	Tcl_SetObjResult(interp, Tcl_ObjPrintf("unknown %s \"%s\"%s%s: "
		"known %s: %s", what[kind], name, intfObj ? " in " : "",
		intfObj ? Tcl_GetString(intfObj) : "",
		kind == DBIF_XML_PROPERTY ? "properties" : kind ==
		DBIF_XML_METHOD ? "methods" : "signals",
		Tcl_GetCharLength(known) ? Tcl_GetString(known) : "none"));
	Tcl_SetErrorCode(interp, "DBUS", DBIF_EC_UNKNOWN, WHAT[kind], name,
		NULL);
    }
    Tcl_DecrRefCount(known);
    return NULL;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
