/*
 * dbifInt.h --
 *
 *	Internal declarations of the dbif ensemble: the per-interp registry
 *	of published objects (nodes keyed by bus handle, path and
 *	interface), method/listener/property/signal definitions, pending
 *	message ids, and the prototypes shared by its files:
 *
 *	  dbifCmd.c	the ensemble, the per-interp record, option and
 *			name plumbing, delete, pave
 *	  dbifRegistry.c the registry of nodes, method tables, the
 *			handlers dbif installs in the core
 *	  dbifDef.c	definitions: argument lists, attributes, bodies
 *	  dbifConn.c	connect, default, -bus values and the
 *			connection behind a handle
 *	  dbifMethod.c	methods and their dispatch, message ids, return,
 *			error, get
 *	  dbifSignal.c	signals, generate
 *	  dbifListen.c	listeners and their match rules
 *	  dbifProp.c	properties: definitions, traces, PropertiesChanged
 *			batching
 *	  dbifPropIface.c org.freedesktop.DBus.Properties Get/Set/GetAll
 *	  dbifIntro.c	introspection XML, Introspectable.Introspect
 *	  dbifRevive.c	a bus connected again: definitions follow a new
 *			handle and are served on the new connection
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _DBIFINT_H
#define _DBIFINT_H

#include "dbusInt.h"

#define DBIF_DEFAULT_INTERFACE	"com.tclcode.default"
#define DBIF_MSG_LIFETIME	25000	/* ms a message id stays valid */
#define DBIF_MAX_PENDING_MSGS	10000	/* unanswered -async calls an interp
					 * keeps; more are refused with
					 * LimitsExceeded (remote peers must
					 * not grow the table without bound) */
#define DBIF_OPTIONAL_ANNOTATION "org.tcldbus.Optional"

/*
 * dbif error-code categories (in addition to those of dbusInt.h):
 *   {DBUS MESSAGEID id}	unknown, answered or expired message id
 *   {DBUS SIGNALID id}		unknown signal id
 *   {DBUS INVALID BUS value}	malformed -bus value
 *   {DBUS INVALID ARGUMENT|PROPERTY|ACCESS|ATTRIBUTES value}
 */

#define DBIF_EC_MESSAGEID	"MESSAGEID"
#define DBIF_EC_SIGNALID	"SIGNALID"

/*
 * Flags of a definition.
 */

#define DBIF_ASYNC		(1<<4)	/* method always answers later */

/*
 * Property access modes and change-signal behaviour.
 */

enum { DBIF_READ = 1, DBIF_WRITE = 2, DBIF_READWRITE = 3 };
enum {
    DBIF_EMITS_TRUE, DBIF_EMITS_INVALIDATES, DBIF_EMITS_FALSE,
    DBIF_EMITS_CONST
};

/*
 * Pending change of a property (DbifProp.pending).
 */

enum { DBIF_CHANGE_NONE, DBIF_CHANGE_VALUE, DBIF_CHANGE_INVALID };

struct DbifData;
struct DbifNode;

/*
 * One definition made by "dbif method", "dbif listen", "dbif signal" or
 * "dbif property": argument lists, the body as an apply lambda, the
 * interp the body runs in.  Reference counted: prototypes, signals and
 * message ids in flight share it.
 */

typedef struct DbifDef {
    int refCount;		/* holders; freed at 0 (DbifDefRelease) */
    Tcl_Obj *lambda;		/* {params body ns} or NULL (no body);
				 * refcount held */
    Tcl_Obj *interpObj;		/* child interp path, or NULL for the
				 * defining interp; refcount held */
    Tcl_Obj *inNames;		/* list of input argument names; held */
    Tcl_Obj *inSigs;		/* list of their signatures; held */
    int nRequired;		/* inputs before the first optional one */
    Tcl_Obj *outNames;		/* list of output argument names; held */
    Tcl_Obj *outSigs;		/* list of their signatures; held */
    Tcl_Obj *outSig;		/* concatenated output signature; held */
    Tcl_Obj *attrs;		/* attribute dict or NULL; held */
    int flags;			/* DBIF_ASYNC, DBUS_FLAG_DETAILS */
} DbifDef;

/*
 * One accepted input signature of a method or listener.
 */

typedef struct DbifProto {
    Tcl_Obj *sig;		/* the signature; refcount held */
    DbifDef *defPtr;		/* reference held */
    struct DbifProto *nextPtr;	/* owned list */
} DbifProto;

/*
 * A property of a node.
 */

typedef struct DbifProp {
    struct DbifNode *nodePtr;	/* borrowed: the node owns us */
    Tcl_Obj *name;		/* property name; held */
    Tcl_Obj *sig;		/* single complete type; held */
    Tcl_Obj *varName;		/* global variable; held */
    int access;			/* DBIF_READ ... */
    int emits;			/* DBIF_EMITS_* */
    DbifDef *defPtr;		/* setter body, interp, attributes; ref */
    int traced;			/* a trace is on the variable */
    Tcl_Obj *lastGood;		/* the variable's last value that passed
				 * the type check of the write trace (put
				 * back when a write does not); held; NULL
				 * when the variable had none */
    DbusExact exact;		/* the value a client last set, with its
				 * exact types (only for types with a
				 * variant): sent while unchanged */
    int pending;		/* DBIF_CHANGE_* since the last signal */
    struct DbifProp *nextPending;/* node's pending list */
    struct DbifProp *nextPtr;	/* node's properties in definition order */
} DbifProp;

/*
 * A signal definition ("dbif signal"), keyed by id.
 */

typedef struct DbifSignal {
    Tcl_Obj *id;		/* signal id; held */
    struct DbifNode *nodePtr;	/* node it is listed in; borrowed */
    Tcl_Obj *name;		/* member name; held */
    Tcl_Obj *sig;		/* signature of its arguments; held */
    DbifDef *defPtr;		/* arglist, body, attributes; ref held */
} DbifSignal;

/*
 * A node: what one interface defines at one path ("" = universal) on
 * one bus.  Keyed "handle|path|interface" in DbifData.nodes.
 */

typedef struct DbifNode {
    struct DbifData *dataPtr;	/* borrowed */
    Tcl_HashEntry *hPtr;	/* our entry in dataPtr->nodes */
    Tcl_Obj *handle;		/* bus handle; held */
    Tcl_Obj *path;		/* object path or ""; held */
    Tcl_Obj *intf;		/* interface; held */
    Tcl_HashTable methods;	/* name -> DbifProto* list (owned) */
    Tcl_HashTable props;	/* name -> DbifProp* (owned) */
    DbifProp *firstProp;	/* definition order */
    DbifProp *lastProp;
    Tcl_HashTable signals;	/* id -> DbifSignal* (borrowed; owned by
				 * dataPtr->signals) */
    DbifProp *firstPending;	/* properties changed since last signal */
    int dirty;			/* on dataPtr's dirty list */
    struct DbifNode *nextDirty;
} DbifNode;

/*
 * A signal listener ("dbif listen") for one bus/path/interface/member,
 * with its prototypes and its match rule.
 */

typedef struct DbifListen {
    int refCount;		/* table + running bodies */
    struct DbifData *dataPtr;	/* borrowed; NULL once removed */
    Tcl_Obj *handle;		/* held */
    Tcl_Obj *path;		/* "" = any path; held */
    Tcl_Obj *intf;		/* held */
    Tcl_Obj *member;		/* held */
    Tcl_Obj *rule;		/* plain listener: the match rule it adds
				 * through the registry; held; else NULL */
    Tcl_Obj *filter;		/* -sender/-argN listener: the text of its
				 * whole rule, subscribed again on a new
				 * connection of its bus; held; else NULL */
    Tcl_WideInt subId;		/* filtered listener: its subscription on
				 * the connection of its bus
				 * (dbusSubscribe.c); 0 before the first */
    DbifProto *protos;		/* owned list */
} DbifListen;

/*
 * A message id: a method call awaiting its answer, or a signal or Set
 * being handled.
 */

typedef struct DbifMsg {
    struct DbifData *dataPtr;	/* borrowed */
    Tcl_HashEntry *hPtr;	/* our entry in dataPtr->messages */
    Tcl_Obj *id;		/* "messageN"; held */
    DBusMessage *msg;		/* ref held */
    DbusConn *connPtr;		/* Tcl_Preserve'd */
    DbifDef *defPtr;		/* method definition or NULL; ref held */
    Tcl_TimerToken timer;	/* expiry, or NULL */
    DbusExact args;		/* the call's arguments as the body got
				 * them and in their exact form, when a
				 * variant could be sent back by "dbif
				 * return" (E7); else empty */
} DbifMsg;

/*
 * Per-interp state of dbif (DbusInterpData.dbifData).
 */

typedef struct DbifData {
    Tcl_Interp *interp;		/* not owned */
    DbusInterpData *coreData;	/* borrowed: the core's record of interp,
				 * which frees this one first (dbifFree) */
    Tcl_Obj *defaultBus;	/* bus spec; held */
    Tcl_Obj *defaultIntf;	/* held */
    Tcl_HashTable buses;	/* bus spec -> handle Tcl_Obj (held) */
    Tcl_HashTable names;	/* handle -> dict (held) of the names "dbif
				 * connect" requested on that bus: name ->
				 * {flags acquired lost}, requested again on
				 * a new connection (dbifRevive.c) */
    Tcl_HashTable nodes;	/* "handle|path|intf" -> DbifNode* */
    Tcl_HashTable signals;	/* id -> DbifSignal* (owned) */
    Tcl_HashTable messages;	/* id -> DbifMsg* (owned) */
    Tcl_HashTable listeners;	/* "handle|path|intf.member" ->
				 * DbifListen* */
    int msgCounter;		/* for "messageN" */
    int sigCounter;		/* for "signalN" */
    int changedSignal;		/* automatic PropertiesChanged on */
    int dying;			/* interp deletion: touch no core state
				 * (set once the listeners are gone) */
    DbifNode *firstDirty;	/* nodes with pending property changes */
    int idleScheduled;		/* DbifFlushIdle queued */
    Tcl_Obj *applyObj;		/* "::apply"; held */
    struct DbifManager *managers;/* object managers (dbifManager.c);
				 * owned list */
} DbifData;

/*
 *----------------------------------------------------------------------
 * dbifCmd.c, dbifRegistry.c, dbifDef.c
 *----------------------------------------------------------------------
 */

DbifData *	DbifGetData(Tcl_Interp *interp);
void		DbifDefRelease(DbifDef *defPtr);
Tcl_Interp *	DbifTargetInterp(Tcl_Interp *interp, DbifDef *defPtr);
DbifNode *	DbifFindNode(DbifData *dataPtr, const char *handle,
		    const char *path, const char *intf);
DbifMsg *	DbifMsgNew(DbifData *dataPtr, DbusConn *connPtr,
		    DBusMessage *msg, DbifDef *defPtr);
void		DbifMsgFree(DbifMsg *msgPtr);
int		DbifRunBody(DbifData *dataPtr, DbifDef *defPtr,
		    Tcl_Obj *idObj, int objc, Tcl_Obj *const objv[],
		    Tcl_Interp **targetPtr);
DbifDef *	DbifDefNew(void);
int		DbifParseArgList(Tcl_Interp *interp, Tcl_Obj *listObj,
		    int allowOptional, Tcl_Obj *namesPtr, Tcl_Obj *sigsPtr,
		    Tcl_Obj *paramsPtr, int *nRequiredPtr);
Tcl_Obj *	DbifJoinSigs(Tcl_Obj *sigsPtr, Tcl_Size n);
int		DbifDefSetBody(Tcl_Interp *interp, DbifDef *defPtr,
		    Tcl_Obj *interpObj, Tcl_Obj *paramsPtr, Tcl_Obj *bodyObj);
int		DbifTransferResult(Tcl_Interp *from, Tcl_Interp *to,
		    int code);
int		DbifInstallHandler(DbifData *dataPtr, DbusConn *connPtr,
		    const char *path, const char *key,
		    DbusMessageProc *proc);
void		DbifNodeKey(Tcl_DString *dsPtr, const char *handle,
		    const char *path, const char *intf);
void		DbifMethodKey(Tcl_DString *dsPtr, DbifNode *nodePtr,
		    const char *name);
void		DbifRemoveMethod(DbifData *dataPtr, DbifNode *nodePtr,
		    Tcl_HashEntry *hPtr);
void		DbifNodeFree(DbifData *dataPtr, DbifNode *nodePtr);
void		DbifEnsureStandard(DbifData *dataPtr, DbusConn *connPtr);

/*
 *----------------------------------------------------------------------
 * dbifConn.c
 *----------------------------------------------------------------------
 */

DbusConn *	DbifConnOfHandle(DbifData *dataPtr, Tcl_Obj *handle);
int		DbifHandleOf(Tcl_Interp *interp, DbifData *dataPtr,
		    Tcl_Obj *busObj, Tcl_Obj **handlePtr);
int		DbifResolveBus(Tcl_Interp *interp, DbifData *dataPtr,
		    Tcl_Obj *busObj, Tcl_Obj **handlePtr,
		    DbusConn **connPtrPtr);
Tcl_ObjCmdProc	DbifConnectCmd, DbifDefaultCmd;

/*
 *----------------------------------------------------------------------
 * dbifMethod.c
 *----------------------------------------------------------------------
 */

DbusMessageProc	DbifMethodProc;
DbifMsg *	DbifMsgLookup(DbifData *dataPtr, const char *id);
DbifProto *	DbifFindProto(DbifProto *protoPtr, const char *sig);
void		DbifAddProtos(DbifProto **headPtr, DbifDef *defPtr);
void		DbifProtosFree(DbifProto *protoPtr);
Tcl_ObjCmdProc	DbifErrorCmd, DbifReturnCmd, DbifGetCmd, DbifGetObjCmd,
		DbifMethodCmd;

/*
 *----------------------------------------------------------------------
 * dbifSignal.c, dbifListen.c
 *----------------------------------------------------------------------
 */

void		DbifSignalFree(DbifData *dataPtr, DbifSignal *sigPtr);
void		DbifListenRemove(DbifData *dataPtr, Tcl_HashEntry *hPtr);
void		DbifListenFree(DbifListen *lPtr);
int		DbifListenAttach(Tcl_Interp *interp, DbifData *dataPtr,
		    DbusConn *connPtr, DbifListen *lPtr);
Tcl_ObjCmdProc	DbifListenCmd, DbifSignalCmd, DbifGenerateCmd;

/*
 *----------------------------------------------------------------------
 * dbifProp.c
 *----------------------------------------------------------------------
 */

int		DbifPropertyCmd(ClientData clientData, Tcl_Interp *interp,
		    int objc, Tcl_Obj *const objv[]);
void		DbifPropFree(DbifProp *propPtr);
void		DbifPropTraceAll(DbifData *dataPtr, int on);
int		DbifFlushNode(DbifData *dataPtr, DbifNode *nodePtr);
void		DbifCancelIdle(DbifData *dataPtr);
void		DbifScheduleIdle(DbifData *dataPtr);
DbusMessageProc	DbifPropertiesGet;
DbusMessageProc	DbifPropertiesSet;
DbusMessageProc	DbifPropertiesGetAll;
int		DbifPropValueToSend(Tcl_Interp *interp, DbifProp *propPtr,
		    Tcl_Obj **valuePtrPtr);
int		DbifGetPropValue(DbifProp *propPtr, Tcl_Obj **valuePtrPtr);
Tcl_Obj *	DbifTypedValue(DbifProp *propPtr, Tcl_Obj *value);
int		DbifWriteProps(DbusWriter *w, Tcl_Interp *interp,
		    DbifNode *nodePtr);

/*
 *----------------------------------------------------------------------
 * dbifIntro.c
 *----------------------------------------------------------------------
 */

DbusMessageProc	DbifIntrospect;
int		DbifIntrospectXml(DbifData *dataPtr, const char *handle,
		    const char *path, Tcl_DString *dsPtr);

/*
 *----------------------------------------------------------------------
 * dbifRevive.c
 *----------------------------------------------------------------------
 */

int		DbifServes(DbifData *dataPtr, DbusConn *connPtr);
void		DbifRevive(DbifData *dataPtr, const char *oldHandle,
		    DbusConn *connPtr);
void		DbifUnserved(DbifData *dataPtr, const char *what,
		    const char *key);
void		DbifNameRemember(DbifData *dataPtr, Tcl_Obj *handle,
		    Tcl_Obj *nameObj, Tcl_Obj *entryObj);
Tcl_Obj *	DbifNamesOf(DbifData *dataPtr, Tcl_Obj *handle);
void		DbifNameGone(ClientData clientData, const char *handle,
		    Tcl_Obj *nameObj);
void		DbifNamesFree(DbifData *dataPtr);

/*
 *----------------------------------------------------------------------
 * dbifProxy.c, dbifManager.c (client side: see dbifProxy.h)
 *----------------------------------------------------------------------
 */

Tcl_ObjCmdProc	DbifProxyCmd, DbifProxyNRCmd, DbifManagerCmd;
Tcl_ObjCmdProc	DbifObjectsCmd, DbifObjectsNRCmd;
int		DbifIsManager(DbifData *dataPtr, const char *handle,
		    const char *path);
void		DbifManagerNodeEvent(DbifData *dataPtr, DbifNode *nodePtr,
		    int added);
void		DbifManagerFlush(DbifData *dataPtr);
void		DbifManagersFree(DbifData *dataPtr);
void		DbifManagersFollow(DbifData *dataPtr, const char *oldHandle,
		    DbusConn *connPtr);

/*
 * Shared option parsing (dbifCmd.c).
 */

typedef struct DbifOption {
    const char *name;		/* "-bus" */
    int takesValue;		/* 1: needs a value */
} DbifOption;

int		DbifParseOptions(Tcl_Interp *interp, const DbifOption *opts,
		    int objc, Tcl_Obj *const objv[], int *idxPtr,
		    Tcl_Obj **values);

/*
 * The options of the subcommands that take just -bus and -interface
 * (default, listen, pave), indexed by DBIF_O_*.
 */

enum { DBIF_O_BUS, DBIF_O_INTF };
extern const DbifOption dbifBusIntfOpts[];

int		DbifCheckInterface(Tcl_Interp *interp, Tcl_Obj *objPtr);
int		DbifCheckPath(Tcl_Interp *interp, Tcl_Obj *objPtr,
		    int allowEmpty);
int		DbifCheckMember(Tcl_Interp *interp, Tcl_Obj *objPtr,
		    const char *thing);
int		DbifParseAttributes(Tcl_Interp *interp, Tcl_Obj *objPtr,
		    Tcl_Obj **dictPtr);
DbifNode *	DbifGetNode(DbifData *dataPtr, Tcl_Obj *handle,
		    Tcl_Obj *path, Tcl_Obj *intf);
Tcl_Obj *	DbifDefNamespace(Tcl_Interp *interp, Tcl_Obj *interpObj);
int		DbifWrongArgs(Tcl_Interp *interp, const char *usage);

#endif /* _DBIFINT_H */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
