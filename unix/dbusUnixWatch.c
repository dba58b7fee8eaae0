/*
 * dbusUnixWatch.c --
 *
 *	Unix glue between libdbus and the Tcl notifier: libdbus watches
 *	become Tcl file handlers (one per file descriptor, whatever the
 *	number of watches on it), libdbus timeouts become Tcl timer
 *	handlers (toggling honoured, re-armed after each firing), and
 *	DbusWatchWait polls the connections of the thread for the
 *	synchronous waits of dbusPending.c.  The listening sockets of
 *	"dbus server" (DBusServer, dbusServer.c) use the same glue.
 *
 *	The socket a connection reads from is watched for reading by the
 *	reader thread (dbusUnixReader.c) when there is one: its Tcl file
 *	handler then only asks for TCL_WRITABLE, and the reader's event
 *	(DbusWatchReaderReady) reads as the file handler would.
 *
 *	Nothing here runs a script: the file handler lets libdbus read and
 *	write, then asks dbusEvent.c to queue a Tcl event if messages are
 *	waiting.
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"
#include <errno.h>
#include <poll.h>
#include <time.h>

/*
 * One file descriptor watched for a connection; its Tcl file handler
 * has this record as clientData.
 */

typedef struct FdEntry {
    struct WatchSet *setPtr;	/* back pointer, not owned */
    int fd;
    int mask;			/* TCL_READABLE|TCL_WRITABLE the enabled
				 * watches want (what DbusWatchWait polls);
				 * the Tcl file handler has it less
				 * TCL_READABLE while the set is paused */
} FdEntry;

/*
 * One libdbus timeout and its Tcl timer.
 */

typedef struct TimeoutEntry {
    DBusTimeout *timeout;	/* borrowed from libdbus */
    Tcl_TimerToken token;	/* armed timer or NULL */
    struct WatchSet *setPtr;	/* back pointer */
    struct TimeoutEntry *nextPtr;
} TimeoutEntry;

/*
 * Everything this file keeps per connection (DbusConn.watchData) or per
 * server (the server's watchData).  Every set of a thread is on the
 * thread's list (DbusThreadData.firstWatchSet) for DbusWatchWait.
 */

#define MAX_WATCHES 8

typedef struct WatchSet {
    DbusConn *connPtr;		/* borrowed; the set dies with the conn;
				 * NULL for a server's set */
    ClientData serverData;	/* the DbusServer (Tcl_Preserve'd around
				 * its I/O) for a server's set, else NULL */
    DbusThreadData *tsdPtr;	/* owning thread */
    struct WatchSet *prevPtr;	/* thread's list of sets */
    struct WatchSet *nextPtr;
    int nWatches;
    DBusWatch *watches[MAX_WATCHES]; /* borrowed from libdbus */
    int nFds;
    FdEntry fds[MAX_WATCHES];	/* file handlers installed */
    TimeoutEntry *timeouts;	/* owned list */
    int paused;			/* reading left to the dispatch (see
				 * DbusWatchPause): the file handlers do not
				 * ask for TCL_READABLE */
    unsigned long readerKey;	/* a connection's socket watched for
				 * reading by the reader thread
				 * (dbusUnixReader.c) instead of a Tcl file
				 * handler; 0: not */
    int readerFd;		/* that socket, or -1 */
    int armed;			/* the registration is armed (it is
				 * one-shot: DbusWatchReaderReady disarms,
				 * DbusWatchRearm arms) */
    int noReader;		/* the reader refused: use the notifier */
} WatchSet;

static void	FileProc(ClientData clientData, int mask);
static void	UpdateHandlers(WatchSet *setPtr);

/*
 *----------------------------------------------------------------------
 *
 * DbusMonotonicMs --
 *
 *	Milliseconds of a monotonic clock, for call deadlines.
 *
 * Results:
 *	Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC).
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

Tcl_WideInt
DbusMonotonicMs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (Tcl_WideInt) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 *----------------------------------------------------------------------
 *
 * HandleFd --
 *
 *	Let libdbus handle the enabled watches on fd for the readiness in
 *	tclMask, then have dbusEvent.c queue a dispatch event if messages
 *	are waiting.
 *
 * Results:
 *	The number of watches handled for reading.
 *
 * Side effects:
 *	libdbus reads/writes; watches may be added or removed meanwhile.
 *
 *----------------------------------------------------------------------
 */

static int
HandleFd(
    WatchSet *setPtr,
    int fd,
    int tclMask)
{
    DBusWatch *todo[MAX_WATCHES];
    int n = 0, i, j, nRead = 0;

    for (i = 0; i < setPtr->nWatches; i++) {
	DBusWatch *w = setPtr->watches[i];

	if (dbus_watch_get_enabled(w) && dbus_watch_get_unix_fd(w) == fd) {
	    todo[n++] = w;
	}
    }
    for (i = 0; i < n; i++) {
	unsigned int flags = 0, wflags;
	int still = 0;

	/*
	 * A previous dbus_watch_handle may have removed this watch.
	 */

	for (j = 0; j < setPtr->nWatches; j++) {
	    if (setPtr->watches[j] == todo[i]) {
		still = 1;
		break;
	    }
	}
	if (!still || !dbus_watch_get_enabled(todo[i])) {
	    continue;
	}
	wflags = dbus_watch_get_flags(todo[i]);
	if ((tclMask & TCL_READABLE) && (wflags & DBUS_WATCH_READABLE)) {
	    flags |= DBUS_WATCH_READABLE;
	}
	if ((tclMask & TCL_WRITABLE) && (wflags & DBUS_WATCH_WRITABLE)) {
	    flags |= DBUS_WATCH_WRITABLE;
	}
	if (tclMask & TCL_EXCEPTION) {
	    flags |= DBUS_WATCH_HANGUP | DBUS_WATCH_ERROR;
	}
	if (flags) {
	    dbus_watch_handle(todo[i], flags);
	    if (flags & DBUS_WATCH_READABLE) {
		nRead++;
	    }
	}
    }

    /*
     * A connection a server is authenticating: tell dbusServer.c, which
     * only queues an event (nothing is freed or run from here).
     */

    if (setPtr->connPtr != NULL && setPtr->connPtr->acceptData != NULL) {
	DbusServerConnReady(setPtr->connPtr);
    }
    return nRead;
}

/*
 *----------------------------------------------------------------------
 *
 * DrainReads --
 *
 *	After a readable event on a connection's socket, read on while the
 *	socket stays readable, within one wake-up of the event loop:
 *	libdbus reads at most about 4 KiB per dbus_watch_handle, so a
 *	4 MB message would otherwise take ~1,000 trips through the Tcl
 *	notifier (with Tcl 8.6's notifier thread, a handshake of several
 *	context switches each).  Bounded: reading stops when the socket
 *	has nothing more (a non-blocking poll, never a wait), when a
 *	complete message is queued and DRAIN_MIN_READS reads were made,
 *	after DRAIN_MAX_READS reads, or after DRAIN_MAX_MS milliseconds,
 *	so other connections, timers and Tk get their turn.  Nothing is
 *	read while libdbus has disabled the read watch (its incoming
 *	limit), as HandleFd only handles enabled watches.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	libdbus reads; messages may be queued on the connection.
 *
 *----------------------------------------------------------------------
 */

#define DRAIN_MIN_READS	16	/* reads made even when messages wait
				 * (about 64 KiB of small messages) */
#define DRAIN_MAX_READS	8192	/* about 32 MiB */
#define DRAIN_MAX_MS	20	/* time budget of one wake-up */

static void
DrainReads(
    WatchSet *setPtr,
    int fd)
{
    DbusConn *connPtr = setPtr->connPtr;
    Tcl_WideInt start = 0;
    int i;

    for (i = 0; i < DRAIN_MAX_READS; i++) {
	struct pollfd pfd;

	if ((connPtr->flags & DBUS_CONN_CLOSED)
		|| (connPtr->dataRemains && i >= DRAIN_MIN_READS)) {
	    break;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) != 1 || pfd.revents != POLLIN) {
	    break;		/* nothing more, or hangup/error: the
				 * notifier reports those */
	}
	if ((i & 63) == 63) {
	    if (start == 0) {
		start = DbusMonotonicMs();
	    } else if (DbusMonotonicMs() - start > DRAIN_MAX_MS) {
		break;
	    }
	}
	if (HandleFd(setPtr, fd, TCL_READABLE) == 0) {
	    break;
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * FileProc --
 *
 *	Tcl file handler of a connection's socket.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See HandleFd; queues a dispatch event when messages wait.
 *
 *----------------------------------------------------------------------
 */

static void
FileProc(
    ClientData clientData,	/* FdEntry */
    int mask)
{
    FdEntry *entryPtr = (FdEntry *) clientData;
    WatchSet *setPtr = entryPtr->setPtr;
    DbusConn *connPtr = setPtr->connPtr;
    int fd;

    if (connPtr == NULL) {
	ClientData serverData = setPtr->serverData;

	Tcl_Preserve(serverData);
	HandleFd(setPtr, entryPtr->fd, mask);
	Tcl_Release(serverData);
	return;
    }
    Tcl_Preserve(connPtr);
    fd = entryPtr->fd;		/* the entry may be rebuilt meanwhile */
    if (HandleFd(setPtr, fd, mask) && connPtr->acceptData == NULL) {
	DrainReads(setPtr, fd);
    }
    if (!(connPtr->flags & DBUS_CONN_CLOSED)) {
	DbusConnCheckQueue(connPtr);
    }
    Tcl_Release(connPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchPeek --
 *
 *	The event loop has dispatched every message of a connection: if
 *	its socket is readable right now (a non-blocking poll, never a
 *	wait), read it as the file handler would, so that the next
 *	message is dispatched without a trip through the notifier (with
 *	Tcl 8.6's notifier thread a handshake of several context switches,
 *	even for a zero timeout).  dbusEvent.c bounds how often this is
 *	done between two visits of the notifier.
 *
 * Results:
 *	1 if the socket was read, else 0.
 *
 * Side effects:
 *	libdbus reads; messages may be queued on the connection.
 *
 *----------------------------------------------------------------------
 */

int
DbusWatchPeek(
    DbusConn *connPtr)		/* preserved by the caller */
{
    WatchSet *setPtr = (WatchSet *) connPtr->watchData;
    struct pollfd pfd;
    int i, fd;

    if (setPtr == NULL || connPtr->acceptData != NULL
	    || (connPtr->flags & DBUS_CONN_CLOSED)) {
	return 0;
    }
    for (i = 0; i < setPtr->nFds; i++) {
	if (setPtr->fds[i].mask & TCL_READABLE) {
	    break;
	}
    }
    if (i == setPtr->nFds) {
	return 0;		/* libdbus is not reading now */
    }
    fd = setPtr->fds[i].fd;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, 0) != 1 || pfd.revents != POLLIN) {
	return 0;		/* nothing, or hangup/error: the notifier
				 * reports those */
    }
    if (HandleFd(setPtr, fd, TCL_READABLE)) {
	DrainReads(setPtr, fd);
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * InstallHandler --
 *
 *	Give an entry's descriptor the Tcl file handler its mask asks for,
 *	less TCL_READABLE while the set is paused (no handler at all when
 *	nothing is left).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Creates, changes or deletes the descriptor's Tcl file handler.
 *
 *----------------------------------------------------------------------
 */

static void
InstallHandler(
    FdEntry *e)
{
    int mask = e->mask;

    if (e->setPtr->paused || (e->setPtr->readerKey != 0
	    && e->fd == e->setPtr->readerFd)) {
	mask &= ~TCL_READABLE;	/* paused, or the reader thread's */
    }
    if (mask == 0) {
	Tcl_DeleteFileHandler(e->fd);
    } else {
	Tcl_CreateFileHandler(e->fd, mask, FileProc, e);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchPause --
 *
 *	Stop (pause 1) or resume (pause 0) watching a connection's socket
 *	for reading in the notifier, while dbusEvent.c lets the rest of
 *	the event loop have its turn after a full batch of messages (a
 *	socket that stays readable would otherwise have a file event
 *	serviced on every turn, and idle callbacks never run).  A socket
 *	watched by the reader thread has no Tcl file handler to change: a
 *	registration that fires while paused is ignored, and resuming
 *	reads the socket at once.  Writing, the synchronous waits
 *	(DbusWatchWait) and DbusWatchPeek are not affected.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Changes the connection's Tcl file handlers, or (reader thread, on
 *	resuming) reads the socket (DbusWatchPeek).
 *
 *----------------------------------------------------------------------
 */

void
DbusWatchPause(
    DbusConn *connPtr,
    int pause)
{
    WatchSet *setPtr = (WatchSet *) connPtr->watchData;
    int i;

    if (setPtr == NULL || setPtr->paused == pause) {
	return;
    }
    setPtr->paused = pause;
    if (setPtr->readerKey != 0) {
	/*
	 * A registration that fires while paused is ignored (and stays
	 * disarmed).  On resuming, what the socket has now is read at
	 * once (after a full batch it usually has more: arming would only
	 * have the reader thread report it); DbusWatchRearm arms the
	 * registration before the event loop next waits.
	 */

	if (!pause && !setPtr->armed) {
	    Tcl_Preserve(connPtr);
	    DbusWatchPeek(connPtr);
	    Tcl_Release(connPtr);
	}
	return;
    }
    for (i = 0; i < setPtr->nFds; i++) {
	if (setPtr->fds[i].mask & TCL_READABLE) {
	    InstallHandler(&setPtr->fds[i]);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchRearm --
 *
 *	The event loop of a thread is about to wait (dbusEvent.c
 *	SetupProc): arm again the reader registration of every connection
 *	of the thread that fired and is not paused -- the connections a
 *	server is still authenticating included, which are not on the
 *	thread's connection list.  Arming only here, not right after the
 *	socket was read, keeps the reader thread asleep while this thread
 *	is busy anyway.  In a child forked without exec, the registrations
 *	it inherited are the parent's reader's (stale, DbusReaderFirstKey):
 *	their sockets are registered again, with the child's own reader.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	DbusReaderArm (one system call) per registration that had fired;
 *	UpdateHandlers for a stale one.
 *
 *----------------------------------------------------------------------
 */

void
DbusWatchRearm(
    DbusThreadData *tsdPtr)
{
    WatchSet *setPtr;
    unsigned long firstKey = DbusReaderFirstKey();

    for (setPtr = (WatchSet *) tsdPtr->firstWatchSet; setPtr != NULL;
	    setPtr = setPtr->nextPtr) {
	if (setPtr->readerKey != 0 && setPtr->readerKey < firstKey) {
	    setPtr->readerKey = 0;
	    setPtr->readerFd = -1;
	    setPtr->armed = 0;
	    UpdateHandlers(setPtr);
	}
	if (setPtr->readerKey != 0 && !setPtr->armed && !setPtr->paused) {
	    setPtr->armed = 1;
	    DbusReaderArm(setPtr->readerKey, setPtr->readerFd);
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchReaderReady --
 *
 *	The reader thread found a connection's socket readable (called from
 *	its Tcl event, in the connection's thread): the registration is now
 *	disarmed; read the socket as the Tcl file handler would, unless the
 *	connection is paused (its resume reads the socket, and SetupProc
 *	arms the registration again) or gone (a key nobody has any more).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See FileProc.
 *
 *----------------------------------------------------------------------
 */

void
DbusWatchReaderReady(
    unsigned long key)
{
    DbusThreadData *tsdPtr = DbusGetThreadData();
    WatchSet *setPtr;
    int i;

    for (setPtr = (WatchSet *) tsdPtr->firstWatchSet; setPtr != NULL;
	    setPtr = setPtr->nextPtr) {
	if (setPtr->readerKey == key) {
	    break;
	}
    }
    if (setPtr == NULL) {
	return;
    }
    setPtr->armed = 0;
    if (setPtr->paused || (setPtr->connPtr->flags & DBUS_CONN_CLOSED)) {
	return;
    }
    for (i = 0; i < setPtr->nFds; i++) {
	if (setPtr->fds[i].fd == setPtr->readerFd) {
	    FileProc(&setPtr->fds[i], TCL_READABLE);
	    return;
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * UpdateReader --
 *
 *	Give a connection's socket to the reader thread for reading
 *	(dbusUnixReader.c) while a watch wants to read it, or take it back:
 *	the descriptor a connection reads from is registered (armed) with
 *	the reader, and InstallHandler leaves TCL_READABLE out of its Tcl
 *	file handler.  A server's listening socket, and any socket when
 *	the reader is not available, stay with the notifier.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Registers or removes the set's reader registration (readerKey,
 *	readerFd, armed); sets noReader when the reader refuses.
 *
 *----------------------------------------------------------------------
 */

static void
UpdateReader(
    WatchSet *setPtr,
    int n,			/* descriptors watched ... */
    const int *fds,		/* ... */
    const int *masks)		/* ... and what their watches want */
{
    int j, readFd = -1;

    if (setPtr->connPtr == NULL || setPtr->noReader) {
	return;
    }
    for (j = 0; j < n; j++) {
	if (masks[j] & TCL_READABLE) {
	    readFd = fds[j];
	    break;
	}
    }
    if (setPtr->readerKey != 0 && readFd != setPtr->readerFd) {
	DbusReaderRemove(setPtr->readerKey, setPtr->readerFd);
	setPtr->readerKey = 0;
	setPtr->readerFd = -1;
	setPtr->armed = 0;
    }
    if (readFd >= 0 && setPtr->readerKey == 0) {
	setPtr->readerKey = DbusReaderAdd(readFd);
	if (setPtr->readerKey == 0) {
	    setPtr->noReader = 1;
	    return;
	}
	setPtr->readerFd = readFd;
	setPtr->armed = 1;
    }
}

/*
 *----------------------------------------------------------------------
 *
 * UpdateHandlers --
 *
 *	Recompute the Tcl file handlers from the enabled watches: one
 *	handler per descriptor with the union of the watches' interests.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Creates, changes or deletes Tcl file handlers.
 *
 *----------------------------------------------------------------------
 */

static void
UpdateHandlers(
    WatchSet *setPtr)
{
    int fds[MAX_WATCHES], masks[MAX_WATCHES];
    int n = 0, i, j;

    for (i = 0; i < setPtr->nWatches; i++) {
	DBusWatch *w = setPtr->watches[i];
	int fd = dbus_watch_get_unix_fd(w), m = 0;
	unsigned int flags = dbus_watch_get_flags(w);

	if (dbus_watch_get_enabled(w)) {
	    if (flags & DBUS_WATCH_READABLE) {
		m |= TCL_READABLE;
	    }
	    if (flags & DBUS_WATCH_WRITABLE) {
		m |= TCL_WRITABLE;
	    }
	}
	for (j = 0; j < n && fds[j] != fd; j++) {
	    /* find fd */
	}
	if (j == n) {
	    fds[n] = fd;
	    masks[n++] = 0;
	}
	masks[j] |= m;
    }

    UpdateReader(setPtr, n, fds, masks);

    /*
     * Remove handlers for descriptors no longer (or no more) watched.
     */

    for (i = 0; i < setPtr->nFds; i++) {
	FdEntry *e = &setPtr->fds[i];

	for (j = 0; j < n && fds[j] != e->fd; j++) {
	    /* find fd */
	}
	if (j == n || masks[j] == 0) {
	    Tcl_DeleteFileHandler(e->fd);
	    e->mask = 0;
	}
    }

    /*
     * Rebuild the entry table in place.  Entry addresses are the file
     * handlers' clientData, so (re)create every active handler.
     */

    setPtr->nFds = 0;
    for (j = 0; j < n; j++) {
	FdEntry *e;

	if (masks[j] == 0) {
	    continue;
	}
	e = &setPtr->fds[setPtr->nFds++];
	e->setPtr = setPtr;
	e->fd = fds[j];
	e->mask = masks[j];
	InstallHandler(e);
    }
}

/*
 * libdbus watch callbacks.
 */

/*
 *----------------------------------------------------------------------
 *
 * AddWatch --
 *
 *	libdbus add-watch callback: a watch joins the set and the Tcl file
 *	handlers are recomputed.
 *
 * Results:
 *	TRUE, or FALSE (libdbus treats it as out of memory) when the set
 *	already holds MAX_WATCHES watches.
 *
 * Side effects:
 *	Stores the watch (owned by libdbus) in the set; creates or changes Tcl
 *	file handlers (UpdateHandlers).
 *
 *----------------------------------------------------------------------
 */

static dbus_bool_t
AddWatch(
    DBusWatch *watch,
    void *data)
{
    WatchSet *setPtr = (WatchSet *) data;

    if (setPtr->nWatches >= MAX_WATCHES) {
	return FALSE;
    }
    setPtr->watches[setPtr->nWatches++] = watch;
    UpdateHandlers(setPtr);
    return TRUE;
}

/*
 *----------------------------------------------------------------------
 *
 * RemoveWatch --
 *
 *	libdbus remove-watch callback: the watch leaves the set.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Tcl file handlers are recomputed (UpdateHandlers).
 *
 *----------------------------------------------------------------------
 */

static void
RemoveWatch(
    DBusWatch *watch,
    void *data)
{
    WatchSet *setPtr = (WatchSet *) data;
    int i;

    for (i = 0; i < setPtr->nWatches; i++) {
	if (setPtr->watches[i] == watch) {
	    setPtr->watches[i] = setPtr->watches[--setPtr->nWatches];
	    break;
	}
    }
    UpdateHandlers(setPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * ToggleWatch --
 *
 *	libdbus watch-toggled callback: a watch was enabled or disabled.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Tcl file handlers are recomputed (UpdateHandlers).
 *
 *----------------------------------------------------------------------
 */

static void
ToggleWatch(
    DBusWatch *watch,
    void *data)
{
    (void) watch;
    UpdateHandlers((WatchSet *) data);
}

/*
 * libdbus timeout callbacks: a Tcl timer per enabled timeout, re-armed
 * after it fires as long as libdbus keeps the timeout enabled.
 */

static void TimerProc(ClientData clientData);

/*
 *----------------------------------------------------------------------
 *
 * ArmTimeout --
 *
 *	(Re)arm the Tcl timer of a libdbus timeout: any pending timer is
 *	cancelled, and a new one set for the timeout's interval when the
 *	timeout is enabled.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Deletes and creates Tcl timer handlers; entryPtr->token follows.
 *
 *----------------------------------------------------------------------
 */

static void
ArmTimeout(
    TimeoutEntry *entryPtr)
{
    if (entryPtr->token != NULL) {
	Tcl_DeleteTimerHandler(entryPtr->token);
	entryPtr->token = NULL;
    }
    if (dbus_timeout_get_enabled(entryPtr->timeout)) {
	entryPtr->token = Tcl_CreateTimerHandler(
		dbus_timeout_get_interval(entryPtr->timeout), TimerProc,
		entryPtr);
    }
}

/*
 *----------------------------------------------------------------------
 *
 * TimerProc --
 *
 *	Tcl timer handler of a libdbus timeout: let libdbus handle it, re-arm
 *	it if it is still listed, and queue a dispatch event when messages
 *	wait.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	dbus_timeout_handle (which may remove the timeout and free the entry);
 *	the connection (or the server's data) is preserved meanwhile.
 *
 *----------------------------------------------------------------------
 */

static void
TimerProc(
    ClientData clientData)
{
    TimeoutEntry *entryPtr = (TimeoutEntry *) clientData, *p;
    WatchSet *setPtr = entryPtr->setPtr;
    DbusConn *connPtr = setPtr->connPtr;
    ClientData holdPtr = connPtr ? (ClientData) connPtr : setPtr->serverData;

    entryPtr->token = NULL;
    Tcl_Preserve(holdPtr);
    dbus_timeout_handle(entryPtr->timeout);

    /*
     * The handler may have removed the timeout (and freed our entry):
     * re-arm only an entry still on the list.
     */

    for (p = setPtr->timeouts; p != NULL; p = p->nextPtr) {
	if (p == entryPtr) {
	    if (p->token == NULL) {
		ArmTimeout(p);
	    }
	    break;
	}
    }
    if (connPtr != NULL && !(connPtr->flags & DBUS_CONN_CLOSED)) {
	DbusConnCheckQueue(connPtr);
    }
    Tcl_Release(holdPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * AddTimeout --
 *
 *	libdbus add-timeout callback: a new timeout entry, armed at once when
 *	enabled.
 *
 * Results:
 *	TRUE.
 *
 * Side effects:
 *	Allocates a TimeoutEntry (freed by RemoveTimeout or FreeSet) and may
 *	create a Tcl timer handler.
 *
 *----------------------------------------------------------------------
 */

static dbus_bool_t
AddTimeout(
    DBusTimeout *timeout,
    void *data)
{
    WatchSet *setPtr = (WatchSet *) data;
    TimeoutEntry *entryPtr = (TimeoutEntry *) ckalloc(sizeof(TimeoutEntry));

    entryPtr->timeout = timeout;
    entryPtr->token = NULL;
    entryPtr->setPtr = setPtr;
    entryPtr->nextPtr = setPtr->timeouts;
    setPtr->timeouts = entryPtr;
    ArmTimeout(entryPtr);
    return TRUE;
}

/*
 *----------------------------------------------------------------------
 *
 * RemoveTimeout --
 *
 *	libdbus remove-timeout callback.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Unlinks and frees the timeout's entry and deletes its Tcl timer.
 *
 *----------------------------------------------------------------------
 */

static void
RemoveTimeout(
    DBusTimeout *timeout,
    void *data)
{
    WatchSet *setPtr = (WatchSet *) data;
    TimeoutEntry **pp;

    for (pp = &setPtr->timeouts; *pp != NULL; pp = &(*pp)->nextPtr) {
	if ((*pp)->timeout == timeout) {
	    TimeoutEntry *entryPtr = *pp;

	    *pp = entryPtr->nextPtr;
	    if (entryPtr->token != NULL) {
		Tcl_DeleteTimerHandler(entryPtr->token);
	    }
	    ckfree((char *) entryPtr);
	    return;
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * ToggleTimeout --
 *
 *	libdbus timeout-toggled callback: the timeout's timer is re-armed (or
 *	cancelled when it is disabled).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	See ArmTimeout.
 *
 *----------------------------------------------------------------------
 */

static void
ToggleTimeout(
    DBusTimeout *timeout,
    void *data)
{
    WatchSet *setPtr = (WatchSet *) data;
    TimeoutEntry *p;

    for (p = setPtr->timeouts; p != NULL; p = p->nextPtr) {
	if (p->timeout == timeout) {
	    ArmTimeout(p);
	    return;
	}
    }
}

/*
 *----------------------------------------------------------------------
 *
 * NewSet, FreeSet --
 *
 *	Make a watch set and put it on its thread's list; take it off the
 *	list and free it with its file and timer handlers.
 *
 * Results:
 *	NewSet: the new set (owned by the caller's record: connPtr->watchData
 *	or the server's watch data; freed by FreeSet).  FreeSet: none.
 *
 * Side effects:
 *	NewSet links the set into tsdPtr->firstWatchSet (the list
 *	DbusWatchWait polls).  FreeSet unlinks it, deletes its Tcl file and
 *	timer handlers and frees its timeout entries and the set.
 *
 *----------------------------------------------------------------------
 */

static WatchSet *
NewSet(
    DbusThreadData *tsdPtr,
    DbusConn *connPtr,
    ClientData serverData)
{
    WatchSet *setPtr = (WatchSet *) ckalloc(sizeof(WatchSet));

    memset(setPtr, 0, sizeof(WatchSet));
    setPtr->connPtr = connPtr;
    setPtr->serverData = serverData;
    setPtr->tsdPtr = tsdPtr;
    setPtr->readerFd = -1;
    setPtr->nextPtr = (WatchSet *) tsdPtr->firstWatchSet;
    if (setPtr->nextPtr != NULL) {
	setPtr->nextPtr->prevPtr = setPtr;
    }
    tsdPtr->firstWatchSet = setPtr;
    return setPtr;
}

static void
FreeSet(
    WatchSet *setPtr)
{
    int i;

    if (setPtr->prevPtr != NULL) {
	setPtr->prevPtr->nextPtr = setPtr->nextPtr;
    } else {
	setPtr->tsdPtr->firstWatchSet = setPtr->nextPtr;
    }
    if (setPtr->nextPtr != NULL) {
	setPtr->nextPtr->prevPtr = setPtr->prevPtr;
    }
    if (setPtr->readerKey != 0) {
	DbusReaderRemove(setPtr->readerKey, setPtr->readerFd);
    }
    for (i = 0; i < setPtr->nFds; i++) {
	Tcl_DeleteFileHandler(setPtr->fds[i].fd);
    }
    while (setPtr->timeouts != NULL) {
	TimeoutEntry *entryPtr = setPtr->timeouts;

	setPtr->timeouts = entryPtr->nextPtr;
	if (entryPtr->token != NULL) {
	    Tcl_DeleteTimerHandler(entryPtr->token);
	}
	ckfree((char *) entryPtr);
    }
    ckfree((char *) setPtr);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchInit --
 *
 *	Hook a new connection into the Tcl notifier.
 *
 * Results:
 *	1 on success, 0 when libdbus ran out of memory.
 *
 * Side effects:
 *	Allocates connPtr->watchData (freed in DbusWatchFinalize); libdbus
 *	calls AddWatch/AddTimeout right away for existing watches.
 *
 *----------------------------------------------------------------------
 */

int
DbusWatchInit(
    DbusConn *connPtr)
{
    WatchSet *setPtr = NewSet(connPtr->tsdPtr, connPtr, NULL);

    connPtr->watchData = setPtr;
    if (!dbus_connection_set_watch_functions(connPtr->conn, AddWatch,
	    RemoveWatch, ToggleWatch, setPtr, NULL)
	    || !dbus_connection_set_timeout_functions(connPtr->conn,
	    AddTimeout, RemoveTimeout, ToggleTimeout, setPtr, NULL)) {
	return 0;
    }
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchFinalize --
 *
 *	Unhook a connection from the notifier (before it is closed).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Deletes the file and timer handlers, frees connPtr->watchData.
 *
 *----------------------------------------------------------------------
 */

void
DbusWatchFinalize(
    DbusConn *connPtr)
{
    if (connPtr->watchData == NULL) {
	return;
    }
    dbus_connection_set_watch_functions(connPtr->conn, NULL, NULL, NULL,
	    NULL, NULL);
    dbus_connection_set_timeout_functions(connPtr->conn, NULL, NULL, NULL,
	    NULL, NULL);
    FreeSet((WatchSet *) connPtr->watchData);
    connPtr->watchData = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusServerWatchInit, DbusServerWatchFinalize --
 *
 *	The same for the listening socket of a DBusServer: its watches
 *	become file handlers whose I/O (accepting) runs with serverData
 *	preserved; libdbus calls the server's new-connection function
 *	from inside it.
 *
 * Results:
 *	DbusServerWatchInit: 1, or 0 when libdbus ran out of memory (call
 *	DbusServerWatchFinalize anyway).
 *
 * Side effects:
 *	*watchDataPtr is set to the set (owned here; freed and reset to
 *	NULL by DbusServerWatchFinalize).
 *
 *----------------------------------------------------------------------
 */

int
DbusServerWatchInit(
    DbusThreadData *tsdPtr,
    DBusServer *server,
    ClientData serverData,	/* a Tcl_EventuallyFree'd block */
    ClientData *watchDataPtr)
{
    WatchSet *setPtr = NewSet(tsdPtr, NULL, serverData);

    *watchDataPtr = setPtr;
    if (!dbus_server_set_watch_functions(server, AddWatch, RemoveWatch,
	    ToggleWatch, setPtr, NULL)
	    || !dbus_server_set_timeout_functions(server, AddTimeout,
	    RemoveTimeout, ToggleTimeout, setPtr, NULL)) {
	return 0;
    }
    return 1;
}

void
DbusServerWatchFinalize(
    DBusServer *server,
    ClientData *watchDataPtr)
{
    if (*watchDataPtr == NULL) {
	return;
    }
    dbus_server_set_watch_functions(server, NULL, NULL, NULL, NULL, NULL);
    dbus_server_set_timeout_functions(server, NULL, NULL, NULL, NULL,
	    NULL);
    FreeSet((WatchSet *) *watchDataPtr);
    *watchDataPtr = NULL;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusWatchWait --
 *
 *	Block up to timeoutMs (-1: no limit) until a socket of one of the
 *	thread's connections is ready, and let libdbus handle it.  Used
 *	by synchronous calls, which must keep serving the thread's
 *	connections without entering the Tcl event loop.
 *
 * Results:
 *	Number of descriptors handled (0 on timeout or EINTR).
 *
 * Side effects:
 *	libdbus I/O.
 *
 *----------------------------------------------------------------------
 */

int
DbusWatchWait(
    DbusThreadData *tsdPtr,
    int timeoutMs)
{
    struct pollfd stackPfds[64], *pfds = stackPfds;
    FdEntry *stackEntries[64], **entries = stackEntries;
    int n = 0, i, ready, handled = 0;
    WatchSet *setPtr;

    /*
     * Every descriptor of every connection and server of the thread,
     * however many the script opened: a call on a connection left out
     * would never see its reply.
     */

    for (setPtr = (WatchSet *) tsdPtr->firstWatchSet; setPtr != NULL;
	    setPtr = setPtr->nextPtr) {
	if (setPtr->connPtr == NULL
		|| !(setPtr->connPtr->flags & DBUS_CONN_CLOSED)) {
	    n += setPtr->nFds;
	}
    }
    if (n > 64) {
	pfds = (struct pollfd *) ckalloc(sizeof(struct pollfd) * n);
	entries = (FdEntry **) ckalloc(sizeof(FdEntry *) * n);
    }
    n = 0;
    for (setPtr = (WatchSet *) tsdPtr->firstWatchSet; setPtr != NULL;
	    setPtr = setPtr->nextPtr) {
	if (setPtr->connPtr != NULL
		&& (setPtr->connPtr->flags & DBUS_CONN_CLOSED)) {
	    continue;
	}
	for (i = 0; i < setPtr->nFds; i++) {
	    pfds[n].fd = setPtr->fds[i].fd;
	    pfds[n].events = ((setPtr->fds[i].mask & TCL_READABLE)
		    ? POLLIN : 0) | ((setPtr->fds[i].mask & TCL_WRITABLE)
		    ? POLLOUT : 0);
	    pfds[n].revents = 0;
	    entries[n++] = &setPtr->fds[i];
	}
    }
    ready = poll(pfds, (nfds_t) n, timeoutMs);
    for (i = 0; ready > 0 && i < n; i++) {
	int mask = 0;

	if (pfds[i].revents == 0) {
	    continue;
	}
	if (pfds[i].revents & POLLIN) {
	    mask |= TCL_READABLE;
	}
	if (pfds[i].revents & POLLOUT) {
	    mask |= TCL_WRITABLE;
	}
	if (pfds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
	    mask |= TCL_EXCEPTION | TCL_READABLE;
	}

	/*
	 * The entry table of a set is rebuilt when watches change, but a
	 * set is only freed at close, which cannot happen in here (a
	 * server accepting adds a set at the head of the list, which is
	 * not in entries[]).
	 */

	HandleFd(entries[i]->setPtr, pfds[i].fd, mask);
	handled++;
    }
    if (pfds != stackPfds) {
	ckfree((char *) pfds);
	ckfree((char *) entries);
    }
    return handled;
}

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
