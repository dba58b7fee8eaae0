/*
 * dbifXml.h --
 *
 *	The introspection data of one object as parsed from the XML of
 *	org.freedesktop.DBus.Introspectable.Introspect (dbifXml.c).  Plain C
 *	with no Tcl dependency, so the parser can be called (and fuzzed)
 *	without an interpreter: everything is allocated with malloc and
 *	released by DbifXmlFree.  Lists keep document order.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _DBIFXML_H
#define _DBIFXML_H

#include <stddef.h>

/*
 * Kinds of interface members and property access bits.
 */

enum { DBIF_XML_METHOD, DBIF_XML_SIGNAL, DBIF_XML_PROPERTY };
enum { DBIF_XML_READ = 1, DBIF_XML_WRITE = 2 };

typedef struct DbifXmlAnnot {
    char *name;			/* owned */
    char *value;		/* owned; "" when absent */
    struct DbifXmlAnnot *nextPtr;
} DbifXmlAnnot;

typedef struct DbifXmlArg {
    char *name;			/* owned; "" when the XML gives none */
    char *type;			/* owned; a single complete type */
    int out;			/* 1: direction "out" (all signal args) */
    DbifXmlAnnot *annots;	/* owned list */
    struct DbifXmlArg *nextPtr;
} DbifXmlArg;

typedef struct DbifXmlMember {
    int kind;			/* DBIF_XML_METHOD, _SIGNAL, _PROPERTY */
    char *name;			/* owned */
    char *type;			/* owned; property type, else NULL */
    int access;			/* property: DBIF_XML_READ|_WRITE */
    DbifXmlArg *args;		/* owned list (methods and signals) */
    DbifXmlAnnot *annots;	/* owned list */
    struct DbifXmlMember *nextPtr;
} DbifXmlMember;

typedef struct DbifXmlIntf {
    char *name;			/* owned */
    DbifXmlMember *members;	/* owned list, document order */
    DbifXmlAnnot *annots;	/* owned list */
    struct DbifXmlIntf *nextPtr;
} DbifXmlIntf;

typedef struct DbifXmlNode {
    char *name;			/* owned; relative path of a child */
    struct DbifXmlNode *nextPtr;
} DbifXmlNode;

typedef struct DbifXmlDesc {
    DbifXmlIntf *intfs;		/* owned list */
    DbifXmlNode *nodes;		/* owned list of child nodes */
} DbifXmlDesc;

/*
 * Largest XML document accepted (the largest D-Bus string is bounded by
 * the message size; this is far below it and far above real data).
 */

#define DBIF_XML_MAX_BYTES	(16 * 1024 * 1024)

DbifXmlDesc *	DbifXmlParse(const char *bytes, size_t len, char *errBuf,
		    size_t errLen);
void		DbifXmlFree(DbifXmlDesc *descPtr);

#endif /* _DBIFXML_H */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
