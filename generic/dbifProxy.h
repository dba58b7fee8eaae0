/*
 * dbifProxy.h --
 *
 *	Internal declarations of the client side of dbif: proxies ("dbif
 *	proxy", EXTENSIONS.md E4), the introspection descriptions they share
 *	(cached per connection, owner and path), and the object-manager
 *	client ("dbif objects", E5).  Files:
 *
 *	  dbifXml.c	 introspection XML -> DbifXmlDesc (libexpat)
 *	  dbifDesc.c	 descriptions: lookup tables, describe dicts
 *	  dbifProxy.c	 per-interp state, description cache, replies
 *			 awaited in C or in a coroutine, property cache,
 *			 proxy creation and deletion
 *	  dbifProxyCmd.c the proxy command: call, get, set, getall, ...
 *	  dbifProxyWatch.c PropertiesChanged, owner following, on, link
 *	  dbifProxyExact.c received values keep their exact types
 *	  dbifObjects.c	 dbif objects: the ObjectManager client
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _DBIFPROXY_H
#define _DBIFPROXY_H

#include "dbifInt.h"
#include "dbifXml.h"

#define DBIF_PROXY_ASSOC	"dbif.proxy"
#define DBUS_PROPS_INTERFACE	"org.freedesktop.DBus.Properties"

/*
 * Error-code categories of the client side (documented in dbif.n):
 *   {DBUS UNKNOWN METHOD|PROPERTY|SIGNAL|INTERFACE name}
 *   {DBUS AMBIGUOUS METHOD|PROPERTY|SIGNAL name}
 *   {DBUS INTROSPECT detail}	introspection failed or was malformed
 *   {DBUS ACCESS READ|WRITE name} property not readable / writable
 */

#define DBIF_EC_UNKNOWN		"UNKNOWN"
#define DBIF_EC_AMBIGUOUS	"AMBIGUOUS"
#define DBIF_EC_INTROSPECT	"INTROSPECT"
#define DBIF_EC_ACCESS		"ACCESS"

/*
 * One member of an introspected interface, in the forms the proxy needs.
 */

typedef struct DbifPxMember {
    int kind;			/* DBIF_XML_METHOD, _SIGNAL, _PROPERTY */
    Tcl_Obj *intf;		/* interface name; held */
    Tcl_Obj *name;		/* member name; held */
    Tcl_Obj *inSig;		/* method: input signature; signal:
				 * argument signature; property: type;
				 * held */
    Tcl_Obj *inNames;		/* method: list of input names; held */
    Tcl_Obj *inTypes;		/* method: list of input types; held */
    int nIn;			/* method: number of inputs */
    int nOptional;		/* method: how many trailing inputs may be
				 * left out (annotation
				 * org.tcldbus.Optional of a dbif
				 * service), 0..nIn */
    int access;			/* property: DBIF_XML_READ|WRITE */
    int emits;			/* property: DBIF_EMITS_* */
    struct DbifPxMember *nextPtr; /* description's list, owned */
} DbifPxMember;

/*
 * Marker for an unqualified name found in several interfaces.
 */

#define DBIF_PX_AMBIGUOUS	((DbifPxMember *) INT2PTR(1))

/*
 * The parsed introspection of one object, shared by every proxy on the
 * same (connection, owner, path).  Lookup tables are keyed by
 * "interface.member" and by the bare member name (members never contain
 * a dot).
 */

typedef struct DbifPxDesc {
    int refCount;		/* proxies using it; freed at 0 */
    Tcl_HashEntry *hPtr;	/* entry in DbifPxData.descs or NULL */
    DbifXmlDesc *xml;		/* owned (DbifXmlFree) */
    Tcl_Obj *dict;		/* "describe" result; held; NULL until
				 * first asked for */
    Tcl_HashTable methods;	/* key -> DbifPxMember* */
    Tcl_HashTable props;	/* key -> DbifPxMember* */
    Tcl_HashTable signals;	/* key -> DbifPxMember* */
    DbifPxMember *members;	/* owned list of every member */
    Tcl_Obj *intfs;		/* list of interface names; held */
} DbifPxDesc;

struct DbifPxData;
struct DbifPxExact;

/*
 * A linked variable ("$p link").
 */

typedef struct DbifPxLink {
    struct DbifProxy *proxyPtr;	/* borrowed: the proxy owns us */
    DbifPxMember *propPtr;	/* borrowed from the proxy's description */
    Tcl_Obj *varName;		/* fully qualified; held */
    int setting;		/* we write the variable ourselves */
    int resync;			/* LinkResync is queued (an idle call) */
    Tcl_Obj *remote;		/* the value the link last gave the
				 * variable (the remote one), put back when
				 * a write is refused; held, NULL until
				 * then; released in DbifPxLinksFree */
    struct DbifPxLink *nextPtr;	/* proxy's list, owned */
} DbifPxLink;

/*
 * One proxy: a Tcl command standing for (bus, destination, path).
 */

typedef struct DbifProxy {
    struct DbifPxData *dataPtr;	/* borrowed */
    Tcl_Interp *interp;		/* not owned */
    Tcl_Command token;		/* our command; NULL once deleted */
    Tcl_Obj *handle;		/* connection handle; held */
    Tcl_Obj *dest;		/* destination as given; held */
    Tcl_Obj *path;		/* object path; held */
    Tcl_Obj *intf;		/* default interface or NULL; held */
    Tcl_Obj *owner;		/* unique owner or ""; held */
    int cache;			/* property cache on */
    int timeout;		/* call timeout in ms, -1 default */
    DbifPxDesc *descPtr;	/* reference held; NULL while creating */
    Tcl_HashTable values;	/* DbifPxMember* -> Tcl_Obj* (held): the
				 * cached values; absent = not known */
    Tcl_Obj *changed;		/* "changed" script or NULL; held */
    DbifPxLink *links;		/* owned list */
    Tcl_Obj *subs;		/* list of subscription ids made for the
				 * proxy (E1); held */
    ClientData ownerWatch;	/* owner-tracking registration or NULL */
    struct DbifPxExact *exacts;	/* received values with their exact
				 * forms (dbifProxyExact.c); owned list,
				 * freed by DbifPxExactsFree */
    int deleted;		/* the command is gone */
} DbifProxy;

/*
 * Per-interp state of the client side (AssocData DBIF_PROXY_ASSOC).
 */

typedef struct DbifPxData {
    Tcl_Interp *interp;		/* not owned */
    Tcl_HashTable descs;	/* "handle owner path" -> DbifPxDesc* */
    int counter;		/* for proxy command names */
} DbifPxData;

/*
 * Awaiting a reply: the step procedure is called exactly once, with the
 * reply (borrowed; may be an error message) or with NULL when sending
 * failed or the coroutine went away (then interp holds the error).
 */

typedef int (DbifPxStep)(Tcl_Interp *interp, ClientData clientData,
	DBusMessage *reply);

/*
 * dbifDesc.c
 */

DbifPxDesc *	DbifPxDescNew(DbifXmlDesc *xml);
void		DbifPxDescRelease(DbifPxDesc *descPtr);
Tcl_Obj *	DbifPxDescribe(DbifPxDesc *descPtr);
DbifPxMember *	DbifPxFind(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    int kind, Tcl_Obj *intfObj, Tcl_Obj *nameObj);

/*
 * dbifProxy.c
 */

DbifPxData *	DbifPxGetData(Tcl_Interp *interp);
int		DbifPxAwait(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *msg, int timeout, DbifPxStep *step,
		    ClientData clientData);
DbusConn *	DbifPxConn(Tcl_Interp *interp, DbifProxy *proxyPtr);
void		DbifPxSetOwner(DbifProxy *proxyPtr, const char *owner);
int		DbifPxCreate(Tcl_Interp *interp, Tcl_Obj *handle,
		    Tcl_Obj *destObj, Tcl_Obj *pathObj, Tcl_Obj *intfObj,
		    Tcl_Obj *prefill);
DBusMessage *	DbifPxNewCall(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    const char *intf, const char *member);
void		DbifPxCacheStore(DbifProxy *proxyPtr,
		    DbifPxMember *propPtr, Tcl_Obj *valuePtr);
Tcl_ObjCmdProc	DbifProxyCmd;

/*
 * A property operation waiting for its reply (get, set, getall, link).
 */

typedef struct DbifPxOp {
    int kind;			/* DBIF_PX_OP_* */
    DbifProxy *proxyPtr;	/* Tcl_Preserve'd */
    DbifPxMember *propPtr;	/* borrowed from proxyPtr's description:
				 * the property, or the method called */
    Tcl_Obj *intfObj;		/* getall: interface; held */
    Tcl_Obj *varName;		/* link: variable; held */
} DbifPxOp;

/*
 * What an operation's reply is for (DbifPxOpReply).
 */

#define DBIF_PX_OP_GET	1	/* Get (propPtr) or GetAll (intfObj): the
				 * value(s) are the result */
#define DBIF_PX_OP_LINK	2	/* Get for a linked variable: no result */
#define DBIF_PX_OP_SET	3	/* Set: the cached value is dropped */
#define DBIF_PX_OP_CALL	4	/* a method call (propPtr the method) */

/*
 * dbifProxyCmd.c
 */

Tcl_ObjCmdProc	DbifPxObjCmd;
Tcl_ObjCmdProc	DbifPxNRObjCmd;
DbifPxOp *	DbifPxOpNew(DbifProxy *proxyPtr, DbifPxMember *propPtr,
		    int kind);
void		DbifPxOpFree(DbifPxOp *opPtr);
DbifPxStep	DbifPxOpReply;
DbifPxMember *	DbifPxPropArgs(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    int objc, Tcl_Obj *const objv[], int nMore, int access,
		    const char *usage);
Tcl_Obj *	DbifPxCacheGet(DbifProxy *proxyPtr, DbifPxMember *propPtr);
int		DbifPxStartGet(Tcl_Interp *interp, DbifPxOp *opPtr);
DBusMessage *	DbifPxNewSet(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    DbusConn *connPtr, DbifPxMember *propPtr,
		    Tcl_Obj *valuePtr);

/*
 * dbifProxyExact.c
 */

void		DbifPxExactsFree(DbifProxy *proxyPtr);
Tcl_Obj *	DbifDetailsArgs(Tcl_Interp *interp, DBusMessage *msg,
		    Tcl_Size *acPtr, Tcl_Obj ***avPtr);
Tcl_Obj *	DbifPxReceived(DbifProxy *proxyPtr, DbifPxMember *propPtr,
		    Tcl_Obj *pairObj);
Tcl_Obj *	DbifPxReceivedDict(DbifProxy *proxyPtr, Tcl_Obj *intfObj,
		    Tcl_Obj *detailsDict);
int		DbifPxPropReply(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    DbifPxMember *propPtr, Tcl_Obj *intfObj,
		    DBusMessage *reply);
int		DbifPxReplyReceived(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    DbifPxMember *memPtr, DBusMessage *reply);
Tcl_Obj *	DbifPxExactSet(DbifProxy *proxyPtr, DbifPxMember *propPtr,
		    Tcl_Obj *valuePtr);
int		DbifPxExactArgs(DbifProxy *proxyPtr, DbifPxMember *memPtr,
		    int objc, Tcl_Obj *const objv[], Tcl_Obj ***newObjvPtr);

/*
 * dbifProxyWatch.c
 */

int		DbifPxLinkSub(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    int objc, Tcl_Obj *const objv[]);
int		DbifPxOnSub(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    int objc, Tcl_Obj *const objv[]);
void		DbifPxLinksFree(DbifProxy *proxyPtr);
void		DbifPxLinkUpdate(DbifProxy *proxyPtr,
		    DbifPxMember *propPtr, Tcl_Obj *valuePtr);
int		DbifPxWatchStart(Tcl_Interp *interp, DbifProxy *proxyPtr,
		    DbusConn *connPtr);
void		DbifPxWatchStop(DbifProxy *proxyPtr);
void		DbifUnsubscribeAll(Tcl_Interp *interp, Tcl_Obj *handle,
		    Tcl_Obj *subsObj);
int		DbifSubscribeObject(Tcl_Interp *interp, DbusConn *connPtr,
		    Tcl_Obj *destObj, const char *pathKey, Tcl_Obj *pathObj,
		    const char *intf, const char *member, Tcl_Obj *script,
		    DbusMessageProc *proc, ClientData clientData,
		    Tcl_Obj *subsObj, Tcl_WideInt *idPtr);
void		DbifPxChanged(DbifProxy *proxyPtr, Tcl_Obj *intfObj,
		    Tcl_Obj *changedPtr, Tcl_Obj *invalidPtr);

#endif /* _DBIFPROXY_H */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
