/*
 * dbusInt.h --
 *
 *	Internal declarations shared by the files of the Tcl D-Bus extension:
 *	the per-thread, per-interp and per-connection records, handler and
 *	pending-call records, the error-code categories, and the prototypes
 *	each module exports to the others.
 *
 *	Module map (one concern per file):
 *	  dbusInit.c	   Dbus_Init, Dbif_Init, package provide, the
 *			   ensemble builder
 *	  dbusConn.c	   connection lifecycle, per-interp/per-thread state
 *	  dbusAddress.c	   bus addresses: same bus?, the address of a bus
 *			   type, opening a bus or an address
 *	  dbusCmd.c	   the "dbus" ensemble table, shared argument
 *			   plumbing, connection and bus subcommands
 *	  dbusCallCmd.c	   dbus call/cancel
 *	  dbusSendCmd.c	   dbus return/error/signal
 *	  dbusHandlerCmd.c dbus listen/method/unknown/monitor
 *	  dbusHandler.c    handler tables (method/signal/unknown/monitor)
 *	  dbusEvent.c	   the event source: dispatch events per connection
 *	  dbusDeliver.c	   one message to monitors, method/signal handlers,
 *			   replies; the message-info dict; error replies
 *	  dbusPending.c	   pending calls, deadlines, the synchronous wait
 *	  dbusAwait.c	   waiting for a reply or yielding in a coroutine,
 *			   the reply as a command result
 *	  dbusMessage.c	   header fields and leading arguments of a message,
 *			   building and sending returns and signals, for
 *			   the layers above the core
 *	  dbusBus.c	   what a bus offers beyond messages: name requests,
 *			   the match-rule registry, small accessors for dbif
 *			   and other layers
 *	  dbusOwner.c	   name-owner tracking with C callbacks
 *	  dbusMatch.c	   match rules parsed once, matched locally
 *	  dbusSubscribe.c  signal subscriptions (dbus subscribe/unsubscribe)
 *	  dbusNameWatch.c  dbus watch/unwatch, -acquired/-lost of names
 *	  dbusMarshal.c    Tcl_Obj -> DBusMessageIter (the encoder); its
 *			   parts dbusMarshalFixed.c (fixed arrays, bytes),
 *			   dbusMarshalDict.c (a{KV}), dbusMarshalVariant.c
 *			   ('v') share the private dbusMarshalInt.h
 *	  dbusWriter.c	   a message built piece by piece (containers,
 *			   strings, values) for large known shapes
 *	  dbusUnmarshal.c  DBusMessageIter -> Tcl_Obj (the decoder)
 *	  dbusExact.c	   received values sent back with their exact types
 *	  dbusSignature.c  signature grammar, the cached "dbus.signature" type
 *	  dbusValidate.c   bus/interface/member/path/error-name checks
 *	  dbusError.c	   result + errorcode helpers
 *	  dbusServer.c	   "dbus server": listening sockets, accepted
 *			   connections
 *	  dbusPeer.c	   "dbus connect -peer": peer-to-peer clients
 *	  dbusCred.c	   "dbus credentials": caller credentials from the
 *			   bus (cached) or from a peer socket
 *	  dbifCmd.c ...    the dbif ensemble (see dbifInt.h)
 *	  unix/dbusUnixWatch.c  libdbus watches/timeouts on the Tcl notifier
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#ifndef _DBUSINT_H
#define _DBUSINT_H

#include <tcl.h>
#include <dbus/dbus.h>
#include <string.h>
#include <stdint.h>
#include <stdarg.h>

/*
 * Tcl 9 readiness: one compatibility block instead of #ifs elsewhere.
 */

#if TCL_MAJOR_VERSION < 9
typedef int Tcl_Size;
#endif

/*
 * The Tcl versions we run in (Tcl_InitStubs), and the registration of the
 * dbif entry point as a static package of this library.  Tcl 8.6's
 * tclDecls.h maps Tcl_StaticPackage to the exported symbol even under
 * USE_TCL_STUBS (it is meant for embedders), which breaks loading into a
 * Tcl that does not export it (Python's Tkinter): go through the stubs
 * table.  Tcl 9 renamed it Tcl_StaticLibrary and keeps it in the table.
 */

#define DBUS_TCL_VERSIONS "8.6-10"
#if TCL_MAJOR_VERSION < 9
#   define DbusStaticPackage(interp, prefix, init, safeInit) \
	(tclStubsPtr->tcl_StaticPackage((interp), (prefix), (init), (safeInit)))
#else
#   define DbusStaticPackage(interp, prefix, init, safeInit) \
	Tcl_StaticLibrary((interp), (prefix), (init), (safeInit))
#endif

#ifndef INT2PTR
#define INT2PTR(p) ((void *)(intptr_t)(p))
#endif
#ifndef PTR2INT
#define PTR2INT(p) ((int)(intptr_t)(p))
#endif

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "3.1"
#endif
#ifndef DBIF_VERSION
#define DBIF_VERSION "1.4"
#endif

/*
 * Well-known strings.
 */

#define DBUS_DEFAULT_BUS	"session"
#define DBUS_LOCAL_PATH		"/org/freedesktop/DBus/Local"
#define DBUS_LOCAL_INTERFACE	"org.freedesktop.DBus.Local"

/*
 * Default timeout of a method call in milliseconds (libdbus's default).
 */

#define DBUS_DEFAULT_TIMEOUT	25000

/*
 * Limits of the D-Bus specification, checked before libdbus sees data.
 */

#define DBUS_MAX_SIG_LEN	255
#define DBUS_MAX_ARRAY_DEPTH	32
#define DBUS_MAX_STRUCT_DEPTH	32
#define DBUS_MAX_ARRAY_BYTES	(64 * 1024 * 1024)
#define DBUS_MAX_MSG_BYTES	(128 * 1024 * 1024)

/*
 * Unix fds per message we send: dbus-daemon's default max_message_unix_fds
 * (it disconnects a client that sends more).
 */

#define DBUS_MAX_MSG_FDS	16

/*
 * Bytes queued for a peer-to-peer peer that does not read before its
 * connection is closed (DbusOutgoingFull): one message of the largest
 * size may wait in full.
 */

#define DBUS_MAX_OUTGOING_BYTES	DBUS_MAX_MSG_BYTES

/*
 * Error-code categories: the second element of every -errorcode this
 * extension raises ({DBUS category ?detail? ?value?}).  The list is
 * documented in doc/dbus.n, section ERRORS; dbif raises the same codes.
 *
 *   {DBUS INVALID kind value}	a name, path, signature, serial... is
 *				malformed (kind: PATH INTERFACE MEMBER
 *				BUSNAME ERRORNAME SIGNATURE SERIAL TIMEOUT
 *				DESTINATION MATCH SUBSCRIPTION WATCH)
 *   {DBUS VALUE code value}	a value does not fit D-Bus type "code"
 *   {DBUS ARGS detail}		argument count does not match a signature
 *				(detail: MISSING or EXTRA)
 *   {DBUS LIMIT what}		a limit of the specification is exceeded
 *   {DBUS BUSID busId}		unknown connection handle
 *   {DBUS NOTCONNECTED busId}	this interp has not connected that handle
 *   {DBUS CLOSED busId}		the connection was lost
 *   {DBUS CONNECT NAME}		libdbus connect failure (last part of the
 *				D-Bus error name, upper-cased)
 *   {DBUS LISTEN NAME errorName}
 *				"dbus server" could not listen
 *   {DBUS PEER what}		a bus-only operation on a peer-to-peer
 *				connection
 *   {DBUS FILTER NAME}, {DBUS NAME NAME}, {DBUS RELEASE NAME}
 *				likewise for match rules and names
 *   {DBUS DBUS_MESSAGE_TYPE_ERROR errorName}
 *				a remote error reply (reference-compatible)
 *   {DBUS INUSE what}		a method/unknown handler belongs to another
 *				interpreter
 *   {DBUS FD detail}		unix fd passing not possible
 *   {DBUS USAGE detail}		an option that does not apply
 *   {DBUS NOMEM}		out of memory inside libdbus
 */

#define DBUS_EC_INVALID		"INVALID"
#define DBUS_EC_VALUE		"VALUE"
#define DBUS_EC_ARGS		"ARGS"
#define DBUS_EC_LIMIT		"LIMIT"
#define DBUS_EC_BUSID		"BUSID"
#define DBUS_EC_NOTCONN		"NOTCONNECTED"
#define DBUS_EC_CLOSED		"CLOSED"
#define DBUS_EC_CONNECT		"CONNECT"
#define DBUS_EC_LISTEN		"LISTEN"
#define DBUS_EC_PEER		"PEER"
#define DBUS_EC_FILTER		"FILTER"
#define DBUS_EC_NAME		"NAME"
#define DBUS_EC_RELEASE		"RELEASE"
#define DBUS_EC_REMOTE		"DBUS_MESSAGE_TYPE_ERROR"
#define DBUS_EC_INUSE		"INUSE"
#define DBUS_EC_FD		"FD"
#define DBUS_EC_USAGE		"USAGE"
#define DBUS_EC_NOMEM		"NOMEM"

/*
 * Name classes known to the validators (dbusValidate.c).
 */

typedef enum DbusNameKind {
    DBUS_NAME_PATH,		/* object path */
    DBUS_NAME_INTERFACE,	/* interface name */
    DBUS_NAME_MEMBER,		/* method or signal name */
    DBUS_NAME_BUS,		/* bus name, unique or well-known */
    DBUS_NAME_ERROR,		/* error name (interface rules) */
    DBUS_NAME_SIGNATURE		/* any signature */
} DbusNameKind;

/*
 * Flags on handlers, on pending calls and for the unmarshaller.
 */

#define DBUS_FLAG_DETAILS	(1<<0)	/* variants come back {sig value} */
#define DBUS_FLAG_ASYNC		(1<<1)	/* method handler replies itself */
#define DBUS_SUB_NOMATCH	(1<<2)	/* subscription: no rule to the bus */

struct DbusConn;
struct DbusInterpData;
struct DbusThreadData;

/*
 * A C-level message handler (used by dbif instead of a script).  Called
 * from the event proc with the message (borrowed) and the connection
 * (preserved for the duration of the call).  For method calls a return
 * of TCL_OK means the handler took care of the reply; TCL_ERROR with a
 * result in interp means "send org.freedesktop.DBus.Error.Failed with
 * that text" (when the caller wants a reply).
 */

typedef int (DbusMessageProc)(ClientData clientData, Tcl_Interp *interp,
	struct DbusConn *connPtr, DBusMessage *msg);

/*
 * One registered handler: a script or a C procedure, owned by one
 * interpreter.  Reference counted so that queued events and the table
 * can both hold it; "interp" is cleared (dead handler) when it is
 * unregistered while an event still refers to it.
 */

typedef struct DbusHandler {
    int refCount;		/* table + each holder; freed at 0 */
    Tcl_Interp *interp;		/* registering interp; NULL once removed */
    struct DbusInterpData *dataPtr;
				/* interp's record, not owned (valid while
				 * interp is not NULL) */
    Tcl_Obj *script;		/* command prefix; refcount held; NULL if
				 * proc is used */
    DbusMessageProc *proc;	/* C handler or NULL */
    ClientData clientData;	/* for proc; not owned */
    int flags;			/* DBUS_FLAG_* */
    struct DbusHandler *nextPtr;/* next listener (signal lists), owned by
				 * the list */
} DbusHandler;

/*
 * Handlers registered for one object path ("" = every path) on one
 * connection.  Keys of the member tables are "interface.member" or the
 * bare "member" as given at registration.
 */

typedef struct DbusPath {
    Tcl_HashTable methods;	/* key -> DbusHandler* (one owner interp) */
    Tcl_HashTable signals;	/* key -> DbusHandler* list, one per interp */
    DbusHandler *unknown;	/* catch-all method handler or NULL */
} DbusPath;

/*
 * A method call we sent and await the answer of.  Lives in the
 * connection's pending table (keyed by serial) and in its deadline list.
 */

typedef enum DbusPendingKind {
    DBUS_PENDING_HANDLER,	/* "call -handler script": eval on reply */
    DBUS_PENDING_WAIT,		/* synchronous call waiting in C */
    DBUS_PENDING_CORO,		/* synchronous call inside a coroutine */
    DBUS_PENDING_PROC		/* C callback (DbusPendingNewProc) */
} DbusPendingKind;

/*
 * C callback of a DBUS_PENDING_PROC call: called once with the reply or a
 * synthesized error (NoReply, Disconnected), from the event loop, or
 * from DbusPendingFailAll when the connection is lost or closed (check
 * DBUS_CONN_CLOSED before doing more than forgetting).  The reply is
 * borrowed; the record is freed after the call.
 */

typedef void (DbusReplyProc)(ClientData clientData, struct DbusConn *connPtr,
	DBusMessage *reply);

/*
 * Observer of a DBUS_PENDING_HANDLER call (DbusPendingObserve): called
 * with the reply right before the -handler script runs (only when it
 * runs: the interp is alive, the connection not closed), for a layer
 * above the core that wants more of the reply than the script gets
 * (dbif proxies keep exact forms).  The reply is borrowed; the interp
 * result is reset afterwards.  The free proc runs once when the record
 * goes, whether the observer ran or not (cancelled, timed out, closed).
 */

typedef void (DbusReplyObserver)(ClientData clientData, Tcl_Interp *interp,
	DBusMessage *reply);

typedef struct DbusPending {
    dbus_uint32_t serial;	/* serial of the call we sent */
    DbusPendingKind kind;
    struct DbusConn *connPtr;	/* borrowed; the conn owns us */
    Tcl_Interp *interp;		/* interp to report to; NULL if gone */
    struct DbusInterpData *dataPtr;
				/* HANDLER: interp's record when the
				 * creator knew it (saves the lookup), or
				 * NULL; not owned, valid while interp is */
    Tcl_Obj *script;		/* handler prefix or coroutine name;
				 * refcount held */
    int flags;			/* DBUS_FLAG_DETAILS */
    DBusMessage *reply;		/* reply once arrived (ref held), for
				 * WAIT/CORO */
    int done;			/* reply stored or failed */
    Tcl_WideInt deadline;	/* monotonic ms; 0 = never */
    DbusReplyProc *proc;	/* DBUS_PENDING_PROC: the callback */
    ClientData clientData;	/* its argument; not owned */
    DbusReplyObserver *observeProc;
				/* HANDLER: observer or NULL */
    void (*observeFree)(ClientData);
				/* frees observeData with the record */
    ClientData observeData;	/* owned through observeFree */
    struct DbusPending *prevPtr;/* deadline-ordered list */
    struct DbusPending *nextPtr;
} DbusPending;

/*
 * Per-interp monitor: sees every incoming message.
 */

typedef struct DbusMonitor {
    DbusHandler *handlerPtr;	/* refcount held */
    struct DbusMonitor *nextPtr;
} DbusMonitor;

/*
 * One connection.  Connections belong to the thread that opened them and
 * are shared by the interps of that thread that ran "dbus connect" for
 * them.  Freed with Tcl_EventuallyFree; preserved around every script
 * evaluation that may close it.
 */

#define DBUS_CONN_CLOSED	(1<<0)	/* closed by us; record going away */
#define DBUS_CONN_LOST		(1<<1)	/* Disconnected seen */
#define DBUS_CONN_PEER		(1<<2)	/* peer-to-peer: no bus daemon, no
					 * unique name (dbus connect -peer,
					 * dbus server) */

typedef struct DbusConn {
    DBusConnection *conn;	/* owned: private connection, closed and
				 * unreferenced in DbusConnFree */
    Tcl_Obj *handleObj;		/* "session", "dbus3", ...; refcount held */
    Tcl_Obj *addressObj;	/* address it was opened with ("" when
				 * libdbus chose it); refcount held, NULL
				 * until DbusConnect sets it */
    int flags;			/* DBUS_CONN_* */
    int nInterps;		/* interps that connected this handle */
    Tcl_HashTable paths;	/* path -> DbusPath* ("" = any path) */
    DbusMonitor *monitors;	/* owned list, one entry per interp */
    Tcl_HashTable pending;	/* serial -> DbusPending* (owned) */
    DbusPending *firstPending;	/* deadline order, oldest first */
    DbusPending *lastPending;
    Tcl_TimerToken pendingTimer;/* fires at firstPending's deadline */
    int eventQueued;		/* a dispatch event is in the Tcl queue */
    int paused;			/* after a full batch, dispatch waits for
				 * the rest of the event loop (idle
				 * callbacks or two notifier visits, see
				 * dbusEvent.c): no dispatch event is
				 * queued and the socket is not watched for
				 * reading meanwhile */
    unsigned int pausedVisit;	/* DbusThreadData.visits when paused */
    unsigned int handlerEpoch;	/* bumped on every change of the handler
				 * tables (dbusHandler.c) */
    struct DbusLookupCache *lookupCache;
				/* owned by dbusHandler.c: the handlers the
				 * last signal and the last method call
				 * reached, valid while handlerEpoch stays;
				 * NULL until first used, freed by
				 * DbusPathsFree */
    int dataRemains;		/* libdbus has incoming messages queued, as
				 * last reported by its dispatch-status
				 * callback (DbusEventConnInit) */
    struct DbusHeld *firstHeld;	/* messages popped during a synchronous
				 * wait and kept for the event loop, in
				 * arrival order (owned, message refs held) */
    struct DbusHeld *lastHeld;
    ClientData watchData;	/* owned by unix/dbusUnixWatch.c */
    struct DbusSubTable *subData;/* owned by dbusSubscribe.c: signal
				 * subscriptions; NULL until first used;
				 * freed by DbusSubscriptionsFree */
    struct DbusNameTable *nameData;/* owned by dbusNameWatch.c: dbus watch
				 * and -acquired/-lost; NULL until first
				 * used; freed by DbusNamesFree */
    struct DbusBusData *busData;/* owned by dbusBus.c/dbusOwner.c: match
				 * rules, owner table; NULL until first
				 * used; freed by DbusBusFree in ConnClose */
    ClientData acceptData;	/* while a server authenticates it: the
				 * server's record of it (dbusServer.c);
				 * NULL for every listed connection */
    ClientData credData;	/* credentials cache (dbusCred.c) or NULL;
				 * freed in DbusCredFree */
    Tcl_HashTable *noReply;	/* "serial sender" -> Tcl_WideInt* expiry
				 * (ms, owned): calls that want no reply,
				 * handed to script handlers that may answer
				 * later with dbus return/error; owned, NULL
				 * until first used (dbusDeliver.c) */
    Tcl_WideInt noReplyScan;	/* monotonic ms before which the full
				 * noReply table is not pruned again */
    struct DbusThreadData *tsdPtr; /* owning thread's data */
    struct DbusConn *nextPtr;	/* thread's list of connections */
} DbusConn;

/*
 * A message set aside for the event loop (see DbusConn.firstHeld).
 */

typedef struct DbusHeld {
    DBusMessage *msg;		/* ref held */
    struct DbusHeld *nextPtr;
} DbusHeld;

/*
 * Per-thread data (Tcl_GetThreadData): the connections of this thread.
 */

typedef struct DbusThreadData {
    int initialized;
    DbusConn *firstConn;	/* all open connections of the thread */
    Tcl_HashTable handles;	/* handle string -> DbusConn* */
    int handleCounter;		/* for "dbusN" handles */
    int exiting;		/* ThreadExitProc is closing everything: no
				 * script frame will resume, records are
				 * freed at once (dbusConn.c) */
    struct DbusInterpData *firstInterp;
				/* interps of this thread with a record, not
				 * owned (each unlinks itself) */
    struct DbusInFlight *inFlight;
				/* messages being processed, innermost first
				 * (nodes live on the C stack, dbusEvent.c) */
    ClientData firstWatchSet;	/* every watched connection and server of
				 * the thread (unix/dbusUnixWatch.c) */
    struct DbusServer *firstServer; /* listening servers (dbusServer.c) */
    char *gatherBuf;		/* owned: the buffer fixed arrays are
				 * gathered in before they are appended,
				 * kept between calls (dbusMarshalFixed.c;
				 * freed at thread exit) */
    size_t gatherSize;		/* its size in bytes */
    unsigned int visits;	/* turns of the event loop through the
				 * notifier (dbusEvent.c SetupProc calls) */
    int resumeQueued;		/* dbusEvent.c's idle callback that resumes
				 * paused connections is registered */
    struct DbusTemplateCache *templates;
				/* owned: message headers copied instead of
				 * rebuilt (dbusTemplate.c; freed at thread
				 * exit) */
} DbusThreadData;

/*
 * A message being processed by DbusProcessMessage, whose caller holds a
 * reference it drops afterwards.  If a handler ends the process or the
 * thread ("exit"), that frame never resumes: the exit handler drops the
 * reference instead (DbusEventFinalize), so that libdbus can shut down
 * cleanly.
 */

typedef struct DbusInFlight {
    DBusMessage *msg;		/* the caller's reference */
    const char *path;		/* msg's path, interface and member, read
				 * once by DbusProcessMessage for everything
				 * that looks at them (DbusMessageInfo among
				 * others); borrowed from msg, NULL when the
				 * message has none */
    const char *intf;
    const char *member;
    const char *sig;		/* msg's signature, borrowed; NULL until
				 * read (DbusMessageSignature) */
    struct DbusInFlight *nextPtr;
} DbusInFlight;

/*
 * Indices of DbusInterpData.literals (keys of the message-info dict).
 */

enum {
    DBUS_LIT_MEMBER, DBUS_LIT_INTERFACE, DBUS_LIT_PATH, DBUS_LIT_SENDER,
    DBUS_LIT_DESTINATION, DBUS_LIT_MESSAGETYPE, DBUS_LIT_SIGNATURE,
    DBUS_LIT_SERIAL, DBUS_LIT_REPLYSERIAL, DBUS_LIT_NOREPLY,
    DBUS_LIT_AUTOSTART, DBUS_LIT_ERRORNAME, DBUS_LIT_EMPTY,
    DBUS_LIT_INFO, DBUS_LIT_COROUTINE, DBUS_LIT_YIELD, DBUS_LIT_ASYNC,
    DBUS_LIT_T_INVALID, DBUS_LIT_T_CALL, DBUS_LIT_T_RETURN, DBUS_LIT_T_ERROR,
    DBUS_LIT_T_SIGNAL, DBUS_LIT_ZERO, DBUS_LIT_ONE,
    DBUS_LIT_COUNT
};

/*
 * Per-interp data (AssocData "dbus").  DBUS_INFO_FIELDS: the keys of an
 * info dict (DBUS_LIT_MEMBER .. DBUS_LIT_ERRORNAME).
 */

#define DBUS_INFO_FIELDS 12

/*
 * Wire layout shared by the encoder and the decoder: the fixed-size types
 * that dbus_message_iter_append_fixed_array and
 * dbus_message_iter_get_fixed_array handle (every fixed type but 'h'),
 * and the wire alignment of a type code (also the size of the fixed-size
 * types).
 */

#define IS_FIXED_CODE(c) \
    ((c) == 'y' || (c) == 'b' || (c) == 'n' || (c) == 'q' || (c) == 'i' \
    || (c) == 'u' || (c) == 'x' || (c) == 't' || (c) == 'd')
#define TYPE_ALIGN(c) \
    (((c) == 'y' || (c) == 'g' || (c) == 'v') ? 1 \
    : ((c) == 'n' || (c) == 'q') ? 2 \
    : ((c) == 'x' || (c) == 't' || (c) == 'd' || (c) == '(' || (c) == '{') \
    ? 8 : 4)

/*
 * DBUS_ARG_SPARES: how many handler argument objects an interp keeps for
 * the next message (the first arguments); DBUS_SPARE_MAX: the longest
 * string such an object may have.
 */

#define DBUS_ARG_SPARES	4
#define DBUS_SPARE_MAX	200

/*
 * DBUS_SPARE_DICT_MAX: the most entries of the a{..} argument dict an
 * interp keeps for the next message (dictSpare); DBUS_SPARE_DICT_BYTES:
 * the longest message it may come from (what the kept dict's values hold
 * is bounded by it).
 */

#define DBUS_SPARE_DICT_MAX 16384
#define DBUS_SPARE_DICT_BYTES (1024 * 1024)

typedef struct DbusInterpData {
    Tcl_Interp *interp;		/* not owned */
    struct DbusThreadData *tsdPtr;
				/* the interp's thread's data, not owned */
    Tcl_HashTable conns;	/* handle string -> DbusConn* this interp
				 * connected */
    Tcl_Obj *literals[DBUS_LIT_COUNT];
				/* shared key objects for info dicts;
				 * refcount held */
    Tcl_Obj *fieldCache[7];	/* last member, interface, path, sender,
				 * destination, signature, errorname values
				 * of info dicts, reused while unchanged;
				 * refcount held, NULL when unset */
    Tcl_Obj *infoCache;		/* the last info dict handed out, changed
				 * in place for the next message when
				 * nobody else holds it; refcount held,
				 * NULL when unset */
    Tcl_Obj *infoValues[DBUS_INFO_FIELDS];
				/* infoCache's values in key order;
				 * borrowed (the dict holds them) */
    const Tcl_ObjType *dictTypePtr;
				/* Tcl's dict type (infoCache's when it
				 * was made); NULL until then */
    Tcl_Obj *argSpares[DBUS_ARG_SPARES];
				/* handler argument objects nobody kept
				 * (refcount 1, held here), set in place to
				 * the next message's basic arguments
				 * instead of new objects (DbusArgvFree,
				 * DbusUnmarshalArgv); NULL when unset */
    const Tcl_ObjType *numTypes[3];
				/* Tcl's "int", "wideInt" and "double"
				 * types (a spare without a string must
				 * have one of them; may be NULL) */
    Tcl_Obj *dictSpare;		/* an a{..} argument dict nobody kept
				 * (refcount 1, held here), refilled in
				 * place by the next message's first
				 * top-level a{..} when its keys are the
				 * same strings in the same order
				 * (DbusArgvFree, DbusUnmarshalArgv); NULL
				 * when unset */
    Tcl_Obj *dictCandidate;	/* the a{..} argument of the message being
				 * handled that may become dictSpare (from
				 * a message of at most
				 * DBUS_SPARE_DICT_BYTES); not held, NULL
				 * when none */
    ClientData dbifData;	/* owned by dbif (dbifCmd.c), may be NULL */
    void (*dbifFree)(ClientData);/* frees dbifData on interp deletion,
				 * before the connections are let go */
    void (*dbifNameGone)(ClientData, const char *, Tcl_Obj *);
				/* tells dbif that a name was given up on
				 * the connection under a handle of this
				 * interp (NameGone in dbusBus.c); may be
				 * NULL */
    int detached;		/* the thread's exit handler has let go of
				 * everything (connections, handlers, dbif)
				 * before the interp was deleted: no new
				 * connections */
    struct DbusInterpData *nextPtr;
    struct DbusInterpData *prevPtr;
				/* DbusThreadData.firstInterp list */
} DbusInterpData;


/*
 * Cached parse of a signature (internal rep of the "dbus.signature"
 * Tcl_ObjType, dbusSignature.c).  Immutable once built.
 */

typedef struct DbusSignature {
    int refCount;		/* Tcl_Obj internal reps sharing it */
    int length;			/* bytes in text (<= 255) */
    int nTypes;			/* number of top-level complete types */
    char text[DBUS_MAX_SIG_LEN + 1]; /* NUL-terminated copy */
    unsigned char start[DBUS_MAX_SIG_LEN + 1]; /* offset of each top-level
				 * complete type; start[nTypes] == length */
} DbusSignature;

/*
 * A value received from the bus with its exact D-Bus form, for sending it
 * back with the types it came with while the script leaves it unchanged
 * (dbusExact.c; E7).  Embedded in the record that stores the value (a
 * dbif property, a dbif message id, a proxy's cache); all zero = empty.
 */

typedef struct DbusExact {
    Tcl_Obj *plainObj;		/* the value the script was given; held;
				 * NULL when empty */
    Tcl_Obj *exactObj;		/* the same value with every variant in
				 * the {sig value} form (-details); held */
} DbusExact;

/*
 *----------------------------------------------------------------------
 * dbusError.c
 *----------------------------------------------------------------------
 */

Tcl_Obj *	DbusFormatV(const char *format, va_list ap);
int		DbusMissingValue(Tcl_Interp *interp, Tcl_Obj *msgPtr);
int		DbusError(Tcl_Interp *interp, const char *category,
		    const char *detail, const char *value,
		    const char *format, ...);
int		DbusLibError(Tcl_Interp *interp, const char *op,
		    const char *prefix, DBusError *errPtr);
int		DbusNoMemory(Tcl_Interp *interp);
int		DbusReplyError(Tcl_Interp *interp, DBusMessage *reply,
		    int flags);

/*
 *----------------------------------------------------------------------
 * dbusValidate.c
 *----------------------------------------------------------------------
 */

int		DbusValidName(DbusNameKind kind, const char *str,
		    Tcl_Size len);
int		DbusValidNameObj(Tcl_Obj *objPtr, DbusNameKind kind);
int		DbusCheckName(Tcl_Interp *interp, DbusNameKind kind,
		    Tcl_Obj *objPtr, const char *message);
int		DbusValidMatchMember(const char *str, Tcl_Size len);

/*
 *----------------------------------------------------------------------
 * dbusMatch.c: match rules parsed once and applied locally.  Needs no
 * interp and no Tcl library (memory from dbus_malloc), so it can be
 * driven from plain C.
 *----------------------------------------------------------------------
 */

typedef enum DbusMatchArgKind {
    DBUS_MATCH_ARG_STRING,	/* argN: string equality */
    DBUS_MATCH_ARG_PATH,	/* argNpath: path prefix rules */
    DBUS_MATCH_ARG_NAMESPACE	/* arg0namespace: dotted prefix */
} DbusMatchArgKind;

typedef struct DbusMatchArg {
    int index;			/* 0..63 */
    DbusMatchArgKind kind;
    char *value;		/* owned (dbus_malloc) */
    size_t length;		/* bytes in value */
} DbusMatchArg;

typedef struct DbusMatchRule {
    int type;			/* DBUS_MESSAGE_TYPE_* or 0 for any */
    char *sender;		/* each owned (dbus_malloc) or NULL */
    char *interface;
    char *member;
    char *path;
    char *pathNamespace;
    char *destination;
    int eavesdrop;		/* eavesdrop='true' */
    int nArgs;			/* entries in args */
    DbusMatchArg *args;		/* owned array, sorted by index */
} DbusMatchRule;

DbusMatchRule *	DbusMatchNew(void);
void		DbusMatchFree(DbusMatchRule *rulePtr);
int		DbusMatchSet(DbusMatchRule *rulePtr, const char *key,
		    size_t keyLen, const char *value, size_t valueLen,
		    const char **errPtr);
int		DbusMatchSetArg(DbusMatchRule *rulePtr, const char *key,
		    size_t keyLen, const char *value, size_t valueLen,
		    const char **errPtr);
DbusMatchRule *	DbusMatchParse(const char *text, const char **errPtr);
int		DbusMatchAppendPair(char **textPtr, size_t *lenPtr,
		    const char *key, const char *value);
char *		DbusMatchString(const DbusMatchRule *rulePtr);
int		DbusMatchMessage(const DbusMatchRule *rulePtr,
		    const struct DbusInFlight *flightPtr,
		    const char *senderOwner);

/*
 *----------------------------------------------------------------------
 * dbusSignature.c
 *----------------------------------------------------------------------
 */

int		DbusGetSignatureFromObj(Tcl_Interp *interp, Tcl_Obj *objPtr,
		    DbusSignature **sigPtrPtr);
int		DbusSignatureTypeLength(const char *sig, int len);
int		DbusSignatureIsSingle(const char *sig, int len);
int		DbusSignatureValid(const char *sig, int len);

/*
 *----------------------------------------------------------------------
 * dbusMarshal.c (the encoder, with dbusMarshalFixed/Dict/Variant.c),
 * dbusUnmarshal.c (the decoder)
 *----------------------------------------------------------------------
 */

void		DbusMarshalInit(void);
int		DbusMarshalArgs(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *msg, Tcl_Obj *sigObj, Tcl_Size objc,
		    Tcl_Obj *const objv[]);
int		DbusMarshalValue(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessageIter *iterPtr, const char *sig, int sigLen,
		    Tcl_Obj *valuePtr);
int		DbusMarshalCheck(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *sig, int sigLen, Tcl_Obj *valuePtr);
Tcl_Obj *	DbusUnmarshalArgs(Tcl_Interp *interp, DBusMessage *msg,
		    int flags);
Tcl_Size	DbusUnmarshalArgv(Tcl_Interp *interp, DBusMessage *msg,
		    int flags, DbusInterpData *dataPtr, Tcl_Obj **stackv,
		    Tcl_Size room, Tcl_Obj ***objvPtr);
void		DbusArgvFree(Tcl_Obj **objv, Tcl_Size objc,
		    Tcl_Obj **stackv, DbusInterpData *dataPtr);
Tcl_Obj *	DbusUnmarshalValue(Tcl_Interp *interp,
		    DBusMessageIter *iterPtr, int flags);


/*
 *----------------------------------------------------------------------
 * dbusExact.c
 *----------------------------------------------------------------------
 */

int		DbusSigHasVariant(const char *sig, int sigLen);
Tcl_Obj *	DbusPlainFromExact(const char *sig, int sigLen,
		    Tcl_Obj *exactObj);
void		DbusExactSet(DbusExact *exactPtr, Tcl_Obj *plainObj,
		    Tcl_Obj *exactObj);
void		DbusExactClear(DbusExact *exactPtr);
Tcl_Obj *	DbusExactPick(const DbusExact *exactPtr, Tcl_Obj *valuePtr);

/*
 *----------------------------------------------------------------------
 * dbusConn.c
 *----------------------------------------------------------------------
 */

DbusThreadData *DbusGetThreadData(void);
DbusInterpData *DbusGetInterpData(Tcl_Interp *interp);
int		DbusIsBusId(Tcl_Obj *objPtr);
int		DbusGetConn(Tcl_Interp *interp, Tcl_Obj *busObj,
		    DbusConn **connPtrPtr);
int		DbusGetConnFrom(DbusInterpData *dataPtr, Tcl_Obj *busObj,
		    DbusConn **connPtrPtr);
int		DbusConnect(Tcl_Interp *interp, Tcl_Obj *nameObj,
		    DbusConn **connPtrPtr);
DbusConn *	DbusConnOpenPeer(DbusThreadData *tsdPtr,
		    DBusConnection *conn, const char *address);
void		DbusConnAttach(Tcl_Interp *interp, DbusConn *connPtr);
DbusConn *	DbusConnAdopt(DbusThreadData *tsdPtr, DBusConnection *conn);
void		DbusNextHandle(DbusThreadData *tsdPtr, char *buf,
		    size_t size);
void		DbusConnPublish(Tcl_Interp *interp, DbusConn *connPtr);
void		DbusConnClose(DbusConn *connPtr);
int		DbusRequireBus(Tcl_Interp *interp, DbusConn *connPtr);
void		DbusDisconnect(Tcl_Interp *interp, DbusConn *connPtr);
void		DbusConnLost(DbusConn *connPtr);
void		DbusExitProc(ClientData clientData);
int		DbusOutgoingFull(DbusConn *connPtr);
int		DbusSend(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *msg, dbus_uint32_t *serialPtr);

/*
 *----------------------------------------------------------------------
 * dbusAwait.c: waiting for a reply, or yielding when in a coroutine
 *----------------------------------------------------------------------
 */

/*
 * What runs once the reply to an awaited call is in (DbusAwaitReply):
 * reply is borrowed (NULL when none came: timeout, bus lost) and result
 * is TCL_OK; when the coroutine that waited is deleted first, reply is
 * NULL and result is the deletion's code, and the step only releases
 * data1/data2 and returns result.
 */

typedef int (DbusAwaitStep)(Tcl_Interp *interp, ClientData data1,
		    ClientData data2, DBusMessage *reply, int result);

Tcl_Obj *	DbusInCoroutine(Tcl_Interp *interp);
int		DbusReplyResult(Tcl_Interp *interp, DBusMessage *reply,
		    int flags);
int		DbusAwaitReply(Tcl_Interp *interp, DbusConn *connPtr,
		    dbus_uint32_t serial, int flags, int timeout, int events,
		    DbusAwaitStep *step, ClientData data1, ClientData data2);
Tcl_NRPostProc	DbusAwaitResume;

/*
 *----------------------------------------------------------------------
 * dbusAddress.c
 *----------------------------------------------------------------------
 */

int		DbusSameAddress(const char *a, const char *b);
const char *	DbusBusAddress(int busType, const char *address);
DBusConnection *DbusOpenBus(Tcl_Interp *interp, int busType);
DBusConnection *DbusOpenAddress(Tcl_Interp *interp, const char *address);

/*
 *----------------------------------------------------------------------
 * dbusHandler.c
 *----------------------------------------------------------------------
 */

typedef enum DbusTable {
    DBUS_TABLE_METHOD,		/* DbusPath.methods: one owner interp */
    DBUS_TABLE_SIGNAL,		/* DbusPath.signals: one entry per interp */
    DBUS_TABLE_UNKNOWN		/* DbusPath.unknown: key ignored */
} DbusTable;

DbusHandler *	DbusHandlerNew(Tcl_Interp *interp, Tcl_Obj *script,
		    DbusMessageProc *proc, ClientData clientData,
		    int flags);
int		DbusHandlerInstall(Tcl_Interp *interp, DbusConn *connPtr,
		    DbusTable table, const char *path, const char *key,
		    DbusHandler *handlerPtr);
int		DbusHandlerRemove(DbusConn *connPtr, DbusTable table,
		    const char *path, const char *key, Tcl_Interp *interp);
DbusHandler *	DbusHandlerLookup(DbusConn *connPtr, DbusTable table,
		    const char *path, const char *key, Tcl_Interp *interp);
void		DbusHandlerRelease(DbusHandler *handlerPtr);
DbusPath *	DbusPathGet(DbusConn *connPtr, const char *path, int create);
void		DbusPathsFree(DbusConn *connPtr);
void		DbusHandlersForget(DbusConn *connPtr, Tcl_Interp *interp);
void		DbusMonitorSet(DbusConn *connPtr, Tcl_Interp *interp,
		    DbusHandler *handlerPtr);
DbusHandler *	DbusFindMethod(DbusConn *connPtr, const char *path,
		    const char *intf, const char *member);
int		DbusMethodInterfaces(DbusConn *connPtr, const char *path,
		    const char *member, const char *signature,
		    Tcl_Obj *listPtr);
int		DbusFindSignals(DbusConn *connPtr, const char *path,
		    const char *intf, const char *member,
		    DbusHandler ***listPtr, DbusHandler **staticList,
		    int staticSize);

/*
 *----------------------------------------------------------------------
 * dbusEvent.c
 *----------------------------------------------------------------------
 */

void		DbusEventInit(DbusThreadData *tsdPtr);
void		DbusEventFinalize(DbusThreadData *tsdPtr);
void		DbusEventConnInit(DbusConn *connPtr);
void		DbusConnCheckQueue(DbusConn *connPtr);
void		DbusConnForgetEvents(DbusConn *connPtr);
void		DbusHoldMessage(DbusConn *connPtr, DBusMessage *msg);

/*
 *----------------------------------------------------------------------
 * dbusDeliver.c
 *----------------------------------------------------------------------
 */

void		DbusProcessMessage(DbusConn *connPtr, DBusMessage *msg,
		    int inWait);
Tcl_Obj *	DbusMessageInfo(DbusInterpData *dataPtr, DBusMessage *msg);
const char *	DbusMessageSignature(DbusThreadData *tsdPtr,
		    DBusMessage *msg);
int		DbusEvalHandler(Tcl_Interp *interp, Tcl_Obj *script,
		    DBusMessage *msg, int flags);
int		DbusEvalWith(DbusInterpData *dataPtr, Tcl_Obj *script,
		    DBusMessage *msg, int flags);
void		DbusBackgroundError(Tcl_Interp *interp, int code,
		    const char *what);
int		DbusTakeNoReply(DbusConn *connPtr, const char *dest,
		    dbus_uint32_t serial);
void		DbusNoReplyFree(DbusConn *connPtr);
int		DbusReplyWithResult(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *msg, int code);
int		DbusResultIsAsync(Tcl_Interp *interp, int code,
		    DbusInterpData *dataPtr);
int		DbusSendErrorReply(DbusConn *connPtr, DBusMessage *call,
		    const char *name, const char *text);
int		DbusSendErrorObj(DbusConn *connPtr, DBusMessage *call,
		    const char *name, Tcl_Obj *textObj);
int		DbusSendErrorf(DbusConn *connPtr, DBusMessage *call,
		    const char *name, const char *format, ...);

/*
 *----------------------------------------------------------------------
 * dbusMessage.c -- messages for the layers above the core, which never
 * call libdbus themselves.  Strings returned are owned by the message.
 * DbusSendArgs, DbusSendReturn, DbusSendSignal marshal with
 * the encoder (sigObj NULL: every argument a string) and send with
 * DbusSend; DbusSendArgs releases the message it is given.
 * DbusSendReturn sends nothing when the caller wants no reply.
 *----------------------------------------------------------------------
 */

typedef enum DbusField {
    DBUS_FIELD_PATH, DBUS_FIELD_INTERFACE, DBUS_FIELD_MEMBER,
    DBUS_FIELD_SIGNATURE, DBUS_FIELD_SENDER, DBUS_FIELD_DESTINATION,
    DBUS_FIELD_ERRORNAME
} DbusField;

const char *	DbusMessageField(DBusMessage *msg, DbusField field);
int		DbusMessageType(DBusMessage *msg);
int		DbusMessageWantsReply(DBusMessage *msg);
int		DbusMessageHasFds(DBusMessage *msg);
DBusMessage *	DbusMessageRetain(DBusMessage *msg);
void		DbusMessageRelease(DBusMessage *msg);
int		DbusMessageStringArgs(DBusMessage *msg, int n,
		    const char **argv);
Tcl_Obj *	DbusMessageVariantArg(Tcl_Interp *interp, DBusMessage *msg,
		    int index, int flags, Tcl_DString *sigPtr);
DBusMessage *	DbusNewCall(Tcl_Interp *interp, const char *dest,
		    const char *path, const char *intf, const char *member,
		    ...);
void		DbusMessageSetNoReply(DBusMessage *msg);
void		DbusMemFree(void *ptr);
DBusMessage *	DbusNewSignal(Tcl_Interp *interp, const char *path,
		    const char *intf, const char *member, const char *dest);
int		DbusSendArgs(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *msg, Tcl_Obj *sigObj, Tcl_Size objc,
		    Tcl_Obj *const objv[], dbus_uint32_t *serialPtr);
int		DbusSendReturn(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *call, Tcl_Obj *sigObj, Tcl_Size objc,
		    Tcl_Obj *const objv[]);
/*
 *----------------------------------------------------------------------
 * dbusTemplate.c -- headers of messages we send, copied from a per-thread
 * cache of templates instead of rebuilt by libdbus each time.
 *----------------------------------------------------------------------
 */

DBusMessage *	DbusTemplateMessage(DbusThreadData *tsdPtr, int type,
		    const char *dest, const char *path, const char *intf,
		    const char *member);
DBusMessage *	DbusNewMethodReturn(DbusThreadData *tsdPtr,
		    DBusMessage *call);
void		DbusTemplatesFree(DbusThreadData *tsdPtr);

/*
 *----------------------------------------------------------------------
 * dbusWriter.c
 *----------------------------------------------------------------------
 */

typedef struct DbusWriter DbusWriter;

int		DbusWriterReturn(Tcl_Interp *interp, DbusConn *connPtr,
		    DBusMessage *call, DbusWriter **writerPtr);
DbusWriter *	DbusWriterSignal(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *path, const char *intf, const char *member);
int		DbusWriterOpen(DbusWriter *w, int type,
		    const char *contentSig);
int		DbusWriterClose(DbusWriter *w);
int		DbusWriterString(DbusWriter *w, int type, const char *s);
int		DbusWriterValue(DbusWriter *w, const char *sig, int sigLen,
		    Tcl_Obj *valuePtr);
int		DbusWriterFinish(DbusWriter *w, int send);
int		DbusSendSignal(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *path, const char *intf, const char *member,
		    Tcl_Obj *sigObj, Tcl_Size objc, Tcl_Obj *const objv[],
		    dbus_uint32_t *serialPtr);

/*
 *----------------------------------------------------------------------
 * dbusPending.c
 *----------------------------------------------------------------------
 */

DbusPending *	DbusPendingNew(DbusConn *connPtr, dbus_uint32_t serial,
		    DbusPendingKind kind, Tcl_Interp *interp,
		    Tcl_Obj *script, int flags, int timeout);
DbusPending *	DbusPendingNewProc(DbusConn *connPtr, dbus_uint32_t serial,
		    DbusReplyProc *proc, ClientData clientData, int timeout);
void		DbusPendingObserve(DbusPending *pendPtr,
		    DbusReplyObserver *proc, void (*freeProc)(ClientData),
		    ClientData clientData);
void		DbusPendingFree(DbusPending *pendPtr);
void		DbusDeliverReply(DbusPending *pendPtr, DBusMessage *reply);
void		DbusPendingFailAll(DbusConn *connPtr, const char *errorName,
		    const char *text);
int		DbusWaitReply(DbusPending *pendPtr, int serviceEvents);

/*
 *----------------------------------------------------------------------
 * dbusBus.c -- the bus-level API.  Everything above the message layer
 * that talks to org.freedesktop.DBus goes through these functions:
 * "dbus name/release/filter", dbif, subscriptions, watches, proxies.
 *----------------------------------------------------------------------
 */

/*
 * Name requests and releases.  DbusBusRequestName sends RequestName and
 * waits for the answer (libdbus blocking call; messages that arrive
 * meanwhile stay queued, in order, for the event loop).
 *
 *   DBUS_NAME_STRICT: only "primary owner" is success; IN_QUEUE, EXISTS
 *	and ALREADY_OWNER become errors {DBUS NAME IN_QUEUE|EXISTS|
 *	ALREADY_OWNER name} ("dbus name").  Without it every answer of
 *	the bus is TCL_OK with the outcome word as the interp result:
 *	"primary", "queued", "exists", "owner" ("dbif connect").
 *
 * Errors either way: {DBUS CLOSED busId} when the connection is gone,
 * {DBUS NAME LASTPART errorName} "Name Error: text" when the bus refused
 * the request.  DbusBusReleaseName: TCL_OK when released, else
 * {DBUS RELEASE NON_EXISTENT|NOT_OWNER name}, {DBUS RELEASE LASTPART
 * errorName} or {DBUS CLOSED busId}.  Names are not checked here: the
 * caller validates them first (DbusCheckName).
 */

#define DBUS_NAME_STRICT	(1<<0)

int		DbusBusRequestName(Tcl_Interp *interp, DbusConn *connPtr,
		    Tcl_Obj *nameObj, unsigned int nameFlags, int flags);
int		DbusBusReleaseName(Tcl_Interp *interp, DbusConn *connPtr,
		    Tcl_Obj *nameObj);

/*
 * Match rules.  Rule text is built in a Tcl_DString with DbusMatchAppend
 * (key='value' pairs, comma separated, quoted by the one quoting
 * function DbusMatchAppendPair of dbusMatch.c), or as the canonical text
 * of a parsed DbusMatchRule (DbusMatchString), or from "-key value" words
 * in the order given with DbusMatchFromArgs (the
 * keys of "dbus filter": every key of the specification, unique
 * prefixes of the fixed ones, values checked for UTF-8 and NULs;
 * errors {TCL LOOKUP INDEX option key} and {DBUS INVALID MATCH value}).
 *
 * The registry counts identical rule texts per connection: the first
 * DbusBusAddMatch of a text sends AddMatch, later ones only count; the
 * DbusBusRemoveMatch of the last user sends RemoveMatch.  With
 * DBUS_MATCH_NOWAIT the message is sent without waiting for the bus's
 * answer (interp may then be NULL; errors are lost); otherwise the call
 * waits (libdbus blocking call) and a refusal is {DBUS FILTER LASTPART
 * errorName} "Match Error: text".  Removing a rule the registry does
 * not hold is passed to the bus (so "dbus filter remove" of an unknown
 * rule still gets the bus's MatchRuleNotFound) unless DBUS_MATCH_NOWAIT,
 * when it is a no-op.  A closed or lost connection: {DBUS CLOSED busId}
 * on add; remove only forgets.  The registry is emptied when the
 * connection closes (rules die with it on the bus side too).
 */

#define DBUS_MATCH_NOWAIT	(1<<0)

void		DbusMatchAppend(Tcl_DString *rulePtr, const char *key,
		    const char *value);
int		DbusMatchFromArgs(Tcl_Interp *interp, Tcl_Size objc,
		    Tcl_Obj *const objv[], Tcl_DString *rulePtr);
int		DbusBusAddMatch(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *rule, int flags);
int		DbusBusRemoveMatch(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *rule, int flags);
int		DbusBusMatchCount(DbusConn *connPtr, const char *rule);

/*
 * Name-owner tracking (dbusOwner.c): one table per connection of name ->
 * current unique owner, holding only the names someone watches.  The first
 * watch of a name adds the rule for its NameOwnerChanged (arg0=name,
 * through the registry above, not waiting) and then asks GetNameOwner
 * without blocking (race-free: a change after the rule reaches us as a
 * signal, in order); the last DbusBusUnwatchOwner removes both.  The
 * table follows every NameOwnerChanged from org.freedesktop.DBus that
 * reaches the connection (event loop only: during a synchronous wait
 * signals are held, so the table changes in message order).
 *
 * DbusOwnerProc is called, from the event loop, with
 *   nameObj	the watched name (for a watch of every name: the name in
 *		the signal);
 *   oldOwner	NULL the first time the owner becomes known (the initial
 *		state: GetNameOwner's answer, or a signal that came first),
 *		else the previous owner ("" = none);
 *   newOwner	the new owner, "" when the name has none (also when the
 *		bus connection is lost), or NULL when the connection is
 *		being closed: the watch is freed right after this call, the
 *		holder must forget it and must not run scripts or call back
 *		into this API for it.
 * All three are borrowed (IncrRefCount to keep).  Callbacks run in
 * registration order; a watch added during a callback is not called for
 * that change; any watch (itself included) may be removed from inside a
 * callback; the connection is preserved during the calls.  Errors are
 * the callback's business (it may use DbusBackgroundError).  An owner
 * change A -> B is one call (old A, new B).
 *
 * DbusBusWatchOwner(connPtr, NULL, ...) watches every NameOwnerChanged
 * reaching the connection, adding no rule: for caches keyed by unique
 * name that track such names themselves (e.g. credentials).
 *
 * DbusBusNameOwner: the current owner of a watched name (borrowed; ""
 * none), or NULL when it is not watched or not known yet.
 */

typedef void (DbusOwnerProc)(ClientData clientData, DbusConn *connPtr,
	Tcl_Obj *nameObj, Tcl_Obj *oldOwner, Tcl_Obj *newOwner);
typedef struct DbusOwnerWatch DbusOwnerWatch;	/* opaque, dbusBus.c */

DbusOwnerWatch *DbusBusWatchOwner(DbusConn *connPtr, const char *name,
		    DbusOwnerProc *proc, ClientData clientData);
void		DbusBusUnwatchOwner(DbusOwnerWatch *watchPtr);
Tcl_Obj *	DbusBusNameOwner(DbusConn *connPtr, const char *name);

/*
 * Small accessors, so that layers above the core read no DbusConn or
 * DbusInterpData member:
 *   DbusConnHandle	the connection's handle ("session", "dbus3"...),
 *			borrowed
 *   DbusConnFlags	its DBUS_CONN_* state bits
 *   DbusConnCheckOpen	TCL_OK, or TCL_ERROR "D-Bus connection is closed"
 *			{DBUS CLOSED busId} when closed or lost
 *   DbusInterpConn	the connection an interp has under a handle, or
 *			NULL; takes the interp's record (DbusGetInterpData,
 *			or one kept from before the interp began dying)
 *   DbusHandlerProc	a handler's C proc (NULL: a script handler) and its
 *			clientData
 *   DbusInterpDbif	dbif's per-interp record hung off the core's, and
 *   DbusInterpSetDbif	its setter (with the delete proc the core calls
 *			first on interp deletion, and the proc the core
 *			calls when a name is given up, NameGone)
 */

Tcl_Obj *	DbusConnHandle(DbusConn *connPtr);
int		DbusConnFlags(DbusConn *connPtr);
int		DbusConnCheckOpen(Tcl_Interp *interp, DbusConn *connPtr);
DbusConn *	DbusInterpConn(DbusInterpData *dataPtr, const char *handle);
DbusMessageProc *DbusHandlerProc(DbusHandler *handlerPtr,
		    ClientData *clientDataPtr);
ClientData	DbusInterpDbif(DbusInterpData *dataPtr);
void		DbusInterpSetDbif(DbusInterpData *dataPtr, ClientData dbifData,
		    void (*freeProc)(ClientData),
		    void (*nameGoneProc)(ClientData, const char *,
			Tcl_Obj *));

/*
 * The per-connection bus record, shared by dbusBus.c (the match-rule
 * registry) and dbusOwner.c (the owner table); nothing else touches it.
 */

struct DbusNameOwner;

/*
 * Per-connection bus state (DbusConn.busData).
 */

typedef struct DbusBusData {
    Tcl_HashTable rules;	/* rule text -> use count (INT2PTR) */
    Tcl_HashTable owners;	/* name -> struct DbusNameOwner* (owned) */
    DbusOwnerWatch *firstAny;	/* watches of every name (owned list) */
    DbusOwnerWatch *lastAny;
    unsigned int generation;	/* counts registrations */
    int busy;			/* owner notifications running: while
				 * nonzero nothing is freed, removed watches
				 * only marked (see EndNotify) */
    int needSweep;		/* a watch was removed while busy */
    int closing;		/* DbusBusFree ran while busy: the last
				 * EndNotify frees the record */
} DbusBusData;

DbusBusData *	DbusBusGetData(DbusConn *connPtr, int create);

/*
 * Hooks called by the core itself (dbusDeliver.c, dbusConn.c).
 * DbusBusSignal: a signal is being delivered (NameOwnerChanged updates
 * the table; Local.Disconnected reports known owners as gone).
 * DbusBusFree: the connection closes; watches get their final call.
 */

void		DbusBusSignal(DbusConn *connPtr, DBusMessage *msg);
void		DbusBusFree(DbusConn *connPtr);

/*
 *----------------------------------------------------------------------
 * dbusSubscribe.c -- signal subscriptions (E1).  A subscription runs a
 * script ({*}script info ?arg ...?) or a C procedure for each signal
 * its rule matches locally, in creation order.  DbusSubscribe takes
 * ownership of the rule, sets its type to signal, and unless
 * DBUS_SUB_NOMATCH adds it to the bus (waiting; errors in interp).  A
 * well-known sender matches its tracked unique owner.  Subscriptions
 * end with DbusUnsubscribe (safe inside any callback), dbus close of
 * their interp, the interp's deletion and the connection's end; a C
 * holder that outlives its interp's connection use must not call
 * DbusUnsubscribe after that (DbusSubscriptionFind tells).
 *----------------------------------------------------------------------
 */

typedef struct DbusSubscription DbusSubscription;	/* opaque */

DbusSubscription *DbusSubscribe(Tcl_Interp *interp, DbusConn *connPtr,
		    DbusMatchRule *rulePtr, int flags, Tcl_Obj *script,
		    DbusMessageProc *proc, ClientData clientData);
void		DbusUnsubscribe(DbusSubscription *subPtr);
Tcl_WideInt	DbusSubscriptionId(DbusSubscription *subPtr);
ClientData	DbusSubscriptionClientData(DbusSubscription *subPtr);
DbusSubscription *DbusSubscriptionFind(DbusConn *connPtr,
		    Tcl_Interp *interp, Tcl_WideInt id);
void		DbusSubscriptionsForget(DbusConn *connPtr,
		    Tcl_Interp *interp);
void		DbusSubscriptionsFree(DbusConn *connPtr);
void		DbusSubscriptionsDeliver(DbusConn *connPtr,
		    struct DbusInFlight *flightPtr);
int		DbusMatchFromOptions(Tcl_Interp *interp,
		    DbusMatchRule *rulePtr, Tcl_Obj *const objv[],
		    int *idxPtr, int stopAt);
Tcl_ObjCmdProc	DbusSubscribeCmd, DbusUnsubscribeCmd;

/*
 *----------------------------------------------------------------------
 * dbusNameWatch.c -- dbus watch/unwatch and the -acquired/-lost scripts
 * of name requests (E2).  DbusNameCallbacks registers interp's scripts
 * for a name before it is requested (they run when NameAcquired /
 * NameLost for it reach the connection, lost also when the bus goes);
 * DbusNameCallbacksRemove forgets them.  DbusNamesForget must run
 * before DbusSubscriptionsForget, DbusNamesFree before
 * DbusSubscriptionsFree.
 *----------------------------------------------------------------------
 */

int		DbusNameCallbacks(Tcl_Interp *interp, DbusConn *connPtr,
		    Tcl_Obj *nameObj, Tcl_Obj *acquired, Tcl_Obj *lost);
void		DbusNameCallbacksRemove(DbusConn *connPtr,
		    Tcl_Interp *interp, const char *name);
void		DbusNameCallbacksOwned(DbusConn *connPtr,
		    Tcl_Interp *interp, const char *name);
void		DbusNamesForget(DbusConn *connPtr, Tcl_Interp *interp);
void		DbusNamesFree(DbusConn *connPtr);
Tcl_ObjCmdProc	DbusWatchCmd, DbusUnwatchCmd;

/*
 *----------------------------------------------------------------------
 * dbusInit.c
 *----------------------------------------------------------------------
 */

/*
 * One entry of a subcommand table (DbusCreateEnsemble).
 */

typedef struct DbusSubcommand {
    const char *name;		/* subcommand; NULL ends the table */
    Tcl_ObjCmdProc *proc;	/* command procedure */
    Tcl_ObjCmdProc *nreProc;	/* NRE variant (Tcl_NRCreateCommand) or
				 * NULL */
} DbusSubcommand;

int		DbusCreateEnsemble(Tcl_Interp *interp, const char *nsName,
		    const char *ensName, const DbusSubcommand *cmds,
		    const char *exportPattern, ClientData clientData);

/*
 *----------------------------------------------------------------------
 * dbusCmd.c (with the argument plumbing shared by the dbus subcommands),
 * dbusCallCmd.c, dbusSendCmd.c, dbusHandlerCmd.c, dbifCmd.c
 *----------------------------------------------------------------------
 */


/*
 *----------------------------------------------------------------------
 *
 * DbusTakeBusId --
 *
 *	Shared busId plumbing: when objv[*idxPtr] is a busId (DbusIsBusId)
 *	and at least minRest arguments follow it, consume it.
 *
 * Results:
 *	The busId object (borrowed) or NULL for the default bus.
 *
 * Side effects:
 *	Advances *idxPtr past a busId it takes.  (Inline: every
 *	subcommand runs it.)
 *
 *----------------------------------------------------------------------
 */

static inline Tcl_Obj *
DbusTakeBusId(
    int objc,
    Tcl_Obj *const objv[],
    int *idxPtr,
    int minRest)
{
    int i = *idxPtr;

    if (i < objc && objc - i - 1 >= minRest && DbusIsBusId(objv[i])) {
	*idxPtr = i + 1;
	return objv[i];
    }
    return NULL;
}

int		DbusIsEmpty(Tcl_Obj *objPtr);
int		DbusGetSerial(Tcl_Interp *interp, Tcl_Obj *objPtr,
		    dbus_uint32_t *serialPtr);
int		DbusCheckDest(Tcl_Interp *interp, Tcl_Obj *destObj);
int		DbusCheckTarget(Tcl_Interp *interp, Tcl_Obj *const objv[],
		    const char *memberMsg, Tcl_Obj *destObj);
const char *	DbusOptionAt(Tcl_Obj *const objv[], int *idxPtr);
Tcl_ObjCmdProc	DbusCallObjCmd, DbusCallNRCmd, DbusCancelCmd;
Tcl_ObjCmdProc	DbusReturnCmd, DbusErrorCmd, DbusSignalCmd;
int		DbusCreateCommands(Tcl_Interp *interp);
Tcl_ObjCmdProc	DbusListenCmd, DbusMethodCmd, DbusUnknownCmd,
		DbusMonitorCmd;
int		DbifCreateCommands(Tcl_Interp *interp);

/*
 *----------------------------------------------------------------------
 * dbusServer.c, dbusPeer.c, dbusCred.c
 *----------------------------------------------------------------------
 */

int		DbusConnectPeer(Tcl_Interp *interp, Tcl_Obj *addrObj,
		    DbusConn **connPtrPtr);

Tcl_ObjCmdProc	DbusServerCmd, DbusCredentialsCmd, DbusCredentialsNRCmd;
int		DbusServerSubcommand(Tcl_Interp *interp, Tcl_Obj *idObj,
		    Tcl_Obj *optionObj, int *codePtr);
void		DbusServerCloseAll(DbusThreadData *tsdPtr);
void		DbusServerConnReady(DbusConn *connPtr);
int		DbusServerIsLocal(DbusThreadData *tsdPtr,
		    DBusConnection *conn);
int		DbusCredentialsNR(Tcl_Interp *interp, DbusConn *connPtr,
		    const char *name);
void		DbusCredFree(DbusConn *connPtr);

/*
 *----------------------------------------------------------------------
 * unix/dbusUnixWatch.c
 *----------------------------------------------------------------------
 */

int		DbusWatchInit(DbusConn *connPtr);
void		DbusWatchFinalize(DbusConn *connPtr);
int		DbusServerWatchInit(DbusThreadData *tsdPtr,
		    DBusServer *server, ClientData serverData,
		    ClientData *watchDataPtr);
void		DbusServerWatchFinalize(DBusServer *server,
		    ClientData *watchDataPtr);
int		DbusWatchWait(DbusThreadData *tsdPtr, int timeoutMs);
int		DbusWatchPeek(DbusConn *connPtr);
void		DbusWatchPause(DbusConn *connPtr, int pause);
void		DbusWatchRearm(DbusThreadData *tsdPtr);
void		DbusWatchReaderReady(unsigned long key);
unsigned long	DbusReaderAdd(int fd);
void		DbusReaderArm(unsigned long key, int fd);
void		DbusReaderRemove(unsigned long key, int fd);
unsigned long	DbusReaderFirstKey(void);
Tcl_WideInt	DbusMonotonicMs(void);

#endif /* _DBUSINT_H */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
