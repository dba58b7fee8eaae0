/*
 * dbifXml.c --
 *
 *	Parser of D-Bus introspection XML (the reply of
 *	org.freedesktop.DBus.Introspectable.Introspect) built on libexpat.
 *	The result is a DbifXmlDesc (dbifXml.h): interfaces with their
 *	methods, signals, properties, arguments and annotations, and the
 *	names of the child nodes.  Everything the proxy code relies on is
 *	checked here: names are valid D-Bus names, argument and property
 *	types are single complete types, access modes are known.  Elements
 *	this parser does not know (documentation, extensions) are skipped
 *	with their content; entity declarations are refused, so no document
 *	can expand beyond its own size.
 *
 *	No Tcl here: memory comes from malloc, errors are C strings, so the
 *	parser can run (and be fuzzed) without an interpreter.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbifXml.h"
#include <expat.h>
#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Element kinds on the parser's stack.
 */

enum {
    EL_NONE, EL_ROOT, EL_CHILD, EL_INTF, EL_METHOD, EL_SIGNAL, EL_PROPERTY,
    EL_ARG, EL_ANNOT, EL_SKIP
};

#define MAX_DEPTH 8		/* node/interface/member/arg/annotation */

/*
 * State of one parse.
 */

typedef struct ParseState {
    XML_Parser parser;		/* owned by DbifXmlParse */
    DbifXmlDesc *descPtr;	/* result being built; owned until
				 * returned */
    int stack[MAX_DEPTH];	/* element kinds, stack[0] = outermost */
    int depth;			/* used entries of stack */
    int skipDepth;		/* nesting inside a skipped element */
    int sawRoot;		/* the root <node> was opened */
    DbifXmlIntf *intfPtr;	/* current interface */
    DbifXmlIntf **intfTail;	/* where the next interface goes */
    DbifXmlNode **nodeTail;
    DbifXmlMember *memberPtr;	/* current member */
    DbifXmlMember **memberTail;
    DbifXmlArg *argPtr;		/* current argument */
    DbifXmlArg **argTail;
    char *errBuf;		/* caller's buffer */
    size_t errLen;
    int failed;			/* an error was recorded */
} ParseState;

static void	Fail(ParseState *psPtr, const char *format,
		    const char *detail);
static char *	Dup(ParseState *psPtr, const char *str);
static const char *Attr(const XML_Char **atts, const char *name);
static void XMLCALL StartElement(void *userData, const XML_Char *name,
		    const XML_Char **atts);
static void XMLCALL EndElement(void *userData, const XML_Char *name);
static void XMLCALL EntityDecl(void *userData,
		    const XML_Char *entityName, int isParameterEntity,
		    const XML_Char *value, int valueLength,
		    const XML_Char *base, const XML_Char *systemId,
		    const XML_Char *publicId, const XML_Char *notationName);

/*
 *----------------------------------------------------------------------
 *
 * Fail --
 *
 *	Record the first error of a parse (with the current line) and stop
 *	the parser.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Writes psPtr->errBuf, stops expat.
 *
 *----------------------------------------------------------------------
 */

static void
Fail(
    ParseState *psPtr,
    const char *format,		/* with one %s for detail */
    const char *detail)
{
    char msg[200];

    if (psPtr->failed) {
	return;
    }
    psPtr->failed = 1;
    snprintf(msg, sizeof(msg), format, detail ? detail : "");
    if (psPtr->errBuf != NULL && psPtr->errLen > 0) {
	snprintf(psPtr->errBuf, psPtr->errLen, "line %lu: %s",
		(unsigned long) XML_GetCurrentLineNumber(psPtr->parser), msg);
    }
    XML_StopParser(psPtr->parser, XML_FALSE);
}

/*
 *----------------------------------------------------------------------
 *
 * Dup, Attr --
 *
 *	Dup: malloc'ed copy of a string (NULL and an error when out of
 *	memory).  Attr: the value of a named attribute or NULL.
 *
 * Results:
 *	Dup: the copy (malloc'ed; freed by DbifXmlFree with the description),
 *	or NULL.  Attr: the value (owned by expat), or NULL.
 *
 * Side effects:
 *	Dup records "out of memory" in the parse state (Fail) when malloc
 *	fails.
 *
 *----------------------------------------------------------------------
 */

static char *
Dup(
    ParseState *psPtr,
    const char *str)
{
    size_t len = strlen(str) + 1;
    char *copy = malloc(len);

    if (copy == NULL) {
	Fail(psPtr, "out of memory%s", NULL);
	return NULL;
    }
    memcpy(copy, str, len);
    return copy;
}

static const char *
Attr(
    const XML_Char **atts,
    const char *name)
{
    int i;

    for (i = 0; atts[i] != NULL; i += 2) {
	if (strcmp(atts[i], name) == 0) {
	    return atts[i + 1];
	}
    }
    return NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * NewAnnotation --
 *
 *	<annotation name="..." value="..."/> inside the current interface,
 *	member or argument.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to the list of the innermost open element.
 *
 *----------------------------------------------------------------------
 */

static void
NewAnnotation(
    ParseState *psPtr,
    const XML_Char **atts,
    int parent)
{
    const char *name = Attr(atts, "name"), *value = Attr(atts, "value");
    DbifXmlAnnot *annPtr, **tailPtr;

    if (name == NULL || *name == '\0') {
	Fail(psPtr, "annotation without a name%s", NULL);
	return;
    }
    annPtr = calloc(1, sizeof(DbifXmlAnnot));
    if (annPtr == NULL) {
	Fail(psPtr, "out of memory%s", NULL);
	return;
    }
    switch (parent) {
    case EL_INTF:
	tailPtr = &psPtr->intfPtr->annots;
	break;
    case EL_ARG:
	tailPtr = &psPtr->argPtr->annots;
	break;
    default:
	tailPtr = &psPtr->memberPtr->annots;
	break;
    }
    while (*tailPtr != NULL) {
	tailPtr = &(*tailPtr)->nextPtr;
    }
    *tailPtr = annPtr;
    annPtr->name = Dup(psPtr, name);
    annPtr->value = Dup(psPtr, value ? value : "");
}

/*
 *----------------------------------------------------------------------
 *
 * NewInterface, NewMember, NewArg, NewChild --
 *
 *	Open an <interface>, a <method>/<signal>/<property>, an <arg> or a
 *	child <node>, checking its attributes.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Appends to the description; Fail on bad attributes.
 *
 *----------------------------------------------------------------------
 */

static void
NewInterface(
    ParseState *psPtr,
    const XML_Char **atts)
{
    const char *name = Attr(atts, "name");
    DbifXmlIntf *intfPtr;

    if (name == NULL || !dbus_validate_interface(name, NULL)) {
	Fail(psPtr, "invalid interface name \"%s\"", name);
	return;
    }
    intfPtr = calloc(1, sizeof(DbifXmlIntf));
    if (intfPtr == NULL) {
	Fail(psPtr, "out of memory%s", NULL);
	return;
    }
    *psPtr->intfTail = intfPtr;
    psPtr->intfTail = &intfPtr->nextPtr;
    psPtr->intfPtr = intfPtr;
    psPtr->memberTail = &intfPtr->members;
    intfPtr->name = Dup(psPtr, name);
}

static void
NewMember(
    ParseState *psPtr,
    const XML_Char **atts,
    int kind)
{
    const char *name = Attr(atts, "name");
    DbifXmlMember *memPtr;

    if (name == NULL || !dbus_validate_member(name, NULL)) {
	Fail(psPtr, "invalid member name \"%s\"", name);
	return;
    }
    memPtr = calloc(1, sizeof(DbifXmlMember));
    if (memPtr == NULL) {
	Fail(psPtr, "out of memory%s", NULL);
	return;
    }
    *psPtr->memberTail = memPtr;
    psPtr->memberTail = &memPtr->nextPtr;
    psPtr->memberPtr = memPtr;
    psPtr->argTail = &memPtr->args;
    memPtr->kind = kind;
    memPtr->name = Dup(psPtr, name);
    if (kind == DBIF_XML_PROPERTY) {
	const char *type = Attr(atts, "type");
	const char *access = Attr(atts, "access");

	if (type == NULL || !dbus_signature_validate_single(type, NULL)) {
	    Fail(psPtr, "invalid property type \"%s\"", type);
	    return;
	}
	memPtr->type = Dup(psPtr, type);
	if (access == NULL || strcmp(access, "read") == 0) {
	    /* GDBus requires access; a missing one reads as "read" */
	    memPtr->access = DBIF_XML_READ;
	} else if (strcmp(access, "write") == 0) {
	    memPtr->access = DBIF_XML_WRITE;
	} else if (strcmp(access, "readwrite") == 0) {
	    memPtr->access = DBIF_XML_READ | DBIF_XML_WRITE;
	} else {
	    Fail(psPtr, "invalid property access \"%s\"", access);
	}
    }
}

static void
NewArg(
    ParseState *psPtr,
    const XML_Char **atts,
    int parent)
{
    const char *name = Attr(atts, "name"), *type = Attr(atts, "type");
    const char *dir = Attr(atts, "direction");
    DbifXmlArg *argPtr;

    if (type == NULL || !dbus_signature_validate_single(type, NULL)) {
	Fail(psPtr, "invalid argument type \"%s\"", type);
	return;
    }
    if (dir != NULL && strcmp(dir, "in") != 0 && strcmp(dir, "out") != 0) {
	Fail(psPtr, "invalid argument direction \"%s\"", dir);
	return;
    }
    argPtr = calloc(1, sizeof(DbifXmlArg));
    if (argPtr == NULL) {
	Fail(psPtr, "out of memory%s", NULL);
	return;
    }
    *psPtr->argTail = argPtr;
    psPtr->argTail = &argPtr->nextPtr;
    psPtr->argPtr = argPtr;
    argPtr->name = Dup(psPtr, name ? name : "");
    argPtr->type = Dup(psPtr, type);
    argPtr->out = (parent == EL_SIGNAL)
	    || (dir != NULL && strcmp(dir, "out") == 0);
}

static void
NewChild(
    ParseState *psPtr,
    const XML_Char **atts)
{
    const char *name = Attr(atts, "name");
    DbifXmlNode *nodePtr;
    char path[1024];

    /*
     * A child name is a relative path: "/" + name must be a valid path.
     */

    if (name == NULL || strlen(name) > sizeof(path) - 2) {
	Fail(psPtr, "invalid child node name \"%s\"", name);
	return;
    }
    path[0] = '/';
    strcpy(path + 1, name);
    if (!dbus_validate_path(path, NULL) || name[0] == '\0') {
	Fail(psPtr, "invalid child node name \"%s\"", name);
	return;
    }
    nodePtr = calloc(1, sizeof(DbifXmlNode));
    if (nodePtr == NULL) {
	Fail(psPtr, "out of memory%s", NULL);
	return;
    }
    *psPtr->nodeTail = nodePtr;
    psPtr->nodeTail = &nodePtr->nextPtr;
    nodePtr->name = Dup(psPtr, name);
}

/*
 *----------------------------------------------------------------------
 *
 * StartElement --
 *
 *	Expat start-tag handler: decides what the element is from its
 *	name and its parent and builds the description.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Pushes the element kind; Fail on misplaced elements.
 *
 *----------------------------------------------------------------------
 */

static void XMLCALL
StartElement(
    void *userData,
    const XML_Char *name,
    const XML_Char **atts)
{
    ParseState *psPtr = (ParseState *) userData;
    int parent = psPtr->depth ? psPtr->stack[psPtr->depth - 1] : EL_NONE;
    int kind = EL_SKIP;

    if (psPtr->failed) {
	return;
    }
    if (psPtr->skipDepth > 0) {
	psPtr->skipDepth++;
	return;
    }
    if (strcmp(name, "node") == 0) {
	if (parent == EL_NONE) {
	    if (psPtr->sawRoot) {
		Fail(psPtr, "more than one root element%s", NULL);
		return;
	    }
	    psPtr->sawRoot = 1;
	    kind = EL_ROOT;
	} else if (parent == EL_ROOT) {
	    NewChild(psPtr, atts);
	    kind = EL_CHILD;
	}
    } else if (parent == EL_NONE) {
	Fail(psPtr, "root element is <%s>, not <node>", name);
	return;
    } else if (strcmp(name, "interface") == 0 && parent == EL_ROOT) {
	NewInterface(psPtr, atts);
	kind = EL_INTF;
    } else if (strcmp(name, "method") == 0 && parent == EL_INTF) {
	NewMember(psPtr, atts, DBIF_XML_METHOD);
	kind = EL_METHOD;
    } else if (strcmp(name, "signal") == 0 && parent == EL_INTF) {
	NewMember(psPtr, atts, DBIF_XML_SIGNAL);
	kind = EL_SIGNAL;
    } else if (strcmp(name, "property") == 0 && parent == EL_INTF) {
	NewMember(psPtr, atts, DBIF_XML_PROPERTY);
	kind = EL_PROPERTY;
    } else if (strcmp(name, "arg") == 0
	    && (parent == EL_METHOD || parent == EL_SIGNAL)) {
	NewArg(psPtr, atts, parent);
	kind = EL_ARG;
    } else if (strcmp(name, "annotation") == 0 && (parent == EL_INTF
	    || parent == EL_METHOD || parent == EL_SIGNAL
	    || parent == EL_PROPERTY || parent == EL_ARG)) {
	NewAnnotation(psPtr, atts, parent);
	kind = EL_ANNOT;
    }
    if (kind == EL_SKIP || kind == EL_CHILD) {
	/*
	 * Unknown elements and the content of child nodes are skipped.
	 */

	psPtr->skipDepth = 1;
	return;
    }
    if (psPtr->depth >= MAX_DEPTH) {
	Fail(psPtr, "elements nested too deeply%s", NULL);
	return;
    }
    psPtr->stack[psPtr->depth++] = kind;
}

/*
 *----------------------------------------------------------------------
 *
 * EndElement --
 *
 *	Expat end-tag handler: pops the element.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Updates the current interface/member/argument pointers.
 *
 *----------------------------------------------------------------------
 */

static void XMLCALL
EndElement(
    void *userData,
    const XML_Char *name)
{
    ParseState *psPtr = (ParseState *) userData;
    int kind;

    (void) name;
    if (psPtr->failed) {
	return;
    }
    if (psPtr->skipDepth > 0) {
	psPtr->skipDepth--;
	return;
    }
    if (psPtr->depth == 0) {
	return;
    }
    kind = psPtr->stack[--psPtr->depth];
    switch (kind) {
    case EL_INTF:
	psPtr->intfPtr = NULL;
	break;
    case EL_METHOD:
    case EL_SIGNAL:
    case EL_PROPERTY:
	psPtr->memberPtr = NULL;
	break;
    case EL_ARG:
	psPtr->argPtr = NULL;
	break;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * EntityDecl --
 *
 *	Expat entity-declaration handler: introspection data never needs
 *	entities, so any declaration ends the parse (no expansion bombs).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Fail.
 *
 *----------------------------------------------------------------------
 */

static void XMLCALL
EntityDecl(
    void *userData,
    const XML_Char *entityName,
    int isParameterEntity,
    const XML_Char *value,
    int valueLength,
    const XML_Char *base,
    const XML_Char *systemId,
    const XML_Char *publicId,
    const XML_Char *notationName)
{
    (void) isParameterEntity; (void) value; (void) valueLength;
    (void) base; (void) systemId; (void) publicId; (void) notationName;
    Fail((ParseState *) userData, "entity declaration \"%s\" refused",
	    entityName);
}

/*
 *----------------------------------------------------------------------
 *
 * DbifXmlParse --
 *
 *	Parse introspection XML.  Callable without a Tcl interpreter.
 *
 * Results:
 *	A new description (free with DbifXmlFree), or NULL with a message
 *	("line N: what") in errBuf.
 *
 * Side effects:
 *	Memory allocation.
 *
 *----------------------------------------------------------------------
 */

DbifXmlDesc *
DbifXmlParse(
    const char *bytes,		/* the document; need not end in NUL */
    size_t len,			/* its length in bytes */
    char *errBuf,		/* receives the error message; may be NULL */
    size_t errLen)		/* size of errBuf */
{
    ParseState ps;

    memset(&ps, 0, sizeof(ps));
    ps.errBuf = errBuf;
    ps.errLen = errLen;
    if (errBuf != NULL && errLen > 0) {
	errBuf[0] = '\0';
    }
    if (len > DBIF_XML_MAX_BYTES) {
	if (errBuf != NULL && errLen > 0) {
	    snprintf(errBuf, errLen, "document larger than %d bytes",
		    DBIF_XML_MAX_BYTES);
	}
	return NULL;
    }
    ps.descPtr = calloc(1, sizeof(DbifXmlDesc));
    ps.parser = XML_ParserCreate("UTF-8");
    if (ps.descPtr == NULL || ps.parser == NULL) {
	if (errBuf != NULL && errLen > 0) {
	    snprintf(errBuf, errLen, "out of memory");
	}
	free(ps.descPtr);
	if (ps.parser != NULL) {
	    XML_ParserFree(ps.parser);
	}
	return NULL;
    }
    ps.intfTail = &ps.descPtr->intfs;
    ps.nodeTail = &ps.descPtr->nodes;
    XML_SetUserData(ps.parser, &ps);
    XML_SetElementHandler(ps.parser, StartElement, EndElement);
    XML_SetEntityDeclHandler(ps.parser, EntityDecl);
    if (XML_Parse(ps.parser, bytes, (int) len, XML_TRUE)
	    == XML_STATUS_ERROR && !ps.failed) {
	ps.failed = 1;
	if (errBuf != NULL && errLen > 0) {
	    snprintf(errBuf, errLen, "line %lu: %s",
		    (unsigned long) XML_GetCurrentLineNumber(ps.parser),
		    XML_ErrorString(XML_GetErrorCode(ps.parser)));
	}
    }
    if (!ps.failed && !ps.sawRoot) {
	ps.failed = 1;
	if (errBuf != NULL && errLen > 0) {
	    snprintf(errBuf, errLen, "no <node> element");
	}
    }
    XML_ParserFree(ps.parser);
    if (ps.failed) {
	DbifXmlFree(ps.descPtr);
	return NULL;
    }
    return ps.descPtr;
}

/*
 *----------------------------------------------------------------------
 *
 * FreeAnnots --
 *
 *	Free a list of annotations (DbifXmlFree).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees each annotation's name, value and record.
 *
 *----------------------------------------------------------------------
 */

static void
FreeAnnots(
    DbifXmlAnnot *annPtr)
{
    while (annPtr != NULL) {
	DbifXmlAnnot *nextPtr = annPtr->nextPtr;

	free(annPtr->name);
	free(annPtr->value);
	free(annPtr);
	annPtr = nextPtr;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbifXmlFree --
 *
 *	Release a description made by DbifXmlParse (NULL is allowed).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Frees memory.
 *
 *----------------------------------------------------------------------
 */

void
DbifXmlFree(
    DbifXmlDesc *descPtr)
{
    DbifXmlIntf *intfPtr, *nextIntf;
    DbifXmlMember *memPtr, *nextMem;
    DbifXmlArg *argPtr, *nextArg;
    DbifXmlNode *nodePtr, *nextNode;

    if (descPtr == NULL) {
	return;
    }
    for (intfPtr = descPtr->intfs; intfPtr; intfPtr = nextIntf) {
	nextIntf = intfPtr->nextPtr;
	for (memPtr = intfPtr->members; memPtr; memPtr = nextMem) {
	    nextMem = memPtr->nextPtr;
	    for (argPtr = memPtr->args; argPtr; argPtr = nextArg) {
		nextArg = argPtr->nextPtr;
		free(argPtr->name);
		free(argPtr->type);
		FreeAnnots(argPtr->annots);
		free(argPtr);
	    }
	    free(memPtr->name);
	    free(memPtr->type);
	    FreeAnnots(memPtr->annots);
	    free(memPtr);
	}
	free(intfPtr->name);
	FreeAnnots(intfPtr->annots);
	free(intfPtr);
    }
    for (nodePtr = descPtr->nodes; nodePtr; nodePtr = nextNode) {
	nextNode = nodePtr->nextPtr;
	free(nodePtr->name);
	free(nodePtr);
    }
    free(descPtr);
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
