/*
 * xml.c --
 *
 *	libFuzzer target 5: introspection XML bytes -> our libexpat-based
 *	parser (generic/dbifXml.c).  Either it refuses with a message, or
 *	every part of the description keeps the promises of dbifXml.h:
 *	names present, argument and property types single complete types
 *	libdbus accepts, property access bits only READ/WRITE; and freeing
 *	it releases everything (LeakSanitizer).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "fuzzCommon.h"
#include "dbifXml.h"

static void
CheckType(
    const char *type,
    const char *what)
{
    if (type == NULL || !dbus_signature_validate_single(type, NULL)) {
	FuzzFail("not a single complete type", what, type);
    }
}

int
LLVMFuzzerTestOneInput(
    const uint8_t *data,
    size_t size)
{
    char err[256];
    DbifXmlDesc *descPtr;
    DbifXmlIntf *intfPtr;
    DbifXmlMember *memPtr;
    DbifXmlArg *argPtr;
    DbifXmlNode *nodePtr;

    err[0] = '\0';
    descPtr = DbifXmlParse((const char *) data, size, err, sizeof(err));
    if (descPtr == NULL) {
	if (err[0] == '\0') {
	    FuzzFail("refused without a message", "", "");
	}
	return 0;
    }
    for (intfPtr = descPtr->intfs; intfPtr; intfPtr = intfPtr->nextPtr) {
	if (intfPtr->name == NULL) {
	    FuzzFail("interface without a name", "", "");
	}
	for (memPtr = intfPtr->members; memPtr; memPtr = memPtr->nextPtr) {
	    if (memPtr->name == NULL) {
		FuzzFail("member without a name", intfPtr->name, "");
	    }
	    if (memPtr->kind == DBIF_XML_PROPERTY) {
		CheckType(memPtr->type, memPtr->name);
		if (memPtr->access & ~(DBIF_XML_READ | DBIF_XML_WRITE)) {
		    FuzzFail("odd access bits", memPtr->name, "");
		}
	    } else if (memPtr->kind != DBIF_XML_METHOD
		    && memPtr->kind != DBIF_XML_SIGNAL) {
		FuzzFail("odd member kind", memPtr->name, "");
	    }
	    for (argPtr = memPtr->args; argPtr; argPtr = argPtr->nextPtr) {
		if (argPtr->name == NULL) {
		    FuzzFail("argument name is NULL", memPtr->name, "");
		}
		CheckType(argPtr->type, memPtr->name);
	    }
	}
    }
    for (nodePtr = descPtr->nodes; nodePtr; nodePtr = nodePtr->nextPtr) {
	if (nodePtr->name == NULL) {
	    FuzzFail("node without a name", "", "");
	}
    }
    DbifXmlFree(descPtr);
    return 0;
}
