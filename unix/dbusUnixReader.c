/*
 * dbusUnixReader.c --
 *
 *	The reader thread: one thread per process that waits, with epoll,
 *	for the sockets of the connections of every thread to become
 *	readable, and wakes the connection's thread with a Tcl event
 *	(Tcl_ThreadQueueEvent + Tcl_ThreadAlert).
 *
 *	Why: with Tcl 8.6's threaded notifier, a thread waiting for a file
 *	descriptor hands its descriptors to the notifier thread (a write to
 *	its trigger pipe and a select there) and is woken by it through a
 *	condition variable: each wait of the event loop is a round trip of
 *	several context switches through the notifier thread.  A thread
 *	with no Tcl file handler waits on its condition variable only, and
 *	an alert wakes it directly.  Measured on a 2-core machine with
 *	everything pinned to one CPU (a byte ping-ponged between a C
 *	process and tclsh over two fifos): 48-52k round trips/s through a
 *	Tcl file handler, 80-83k/s through this thread.
 *
 *	The thread never touches libdbus, a connection or an interp: it
 *	only learns that a descriptor is readable, and the connection's
 *	own thread reads it (unix/dbusUnixWatch.c, DbusWatchReaderReady).
 *	Each registration is one-shot (EPOLLONESHOT): once it has fired it
 *	stays quiet until the connection's thread arms it again before it
 *	next waits (dbusEvent.c SetupProc, DbusWatchRearm), so a socket
 *	that stays readable while the thread is busy costs nothing here.
 *	Writing, the listening sockets of "dbus server" and the waits of
 *	synchronous calls stay with the notifier and poll().
 *
 *	The reader is process-wide by nature (one epoll set for every
 *	thread), so its state is the only process-global state of the
 *	package, guarded by readerMutex.  Registrations are found by key
 *	(never by pointer), so an event fired for a connection closed
 *	meanwhile finds nothing and is dropped.  Setting the environment
 *	variable TCLDBUS_READER to 0 before the first connection keeps
 *	every socket with the notifier (as on systems without epoll).
 *
 *	Fork without exec (Expect's or TclX's "fork"): the child has no
 *	reader thread, and the epoll set and the eventfd it inherited are
 *	the parent's own (shared, not copied).  The child must not touch
 *	them -- a removal would take the parent's socket out of the
 *	parent's set, a stop would leave the parent's eventfd readable and
 *	its thread spinning -- so the fork handlers (ReaderAtFork*) make
 *	the child drop its copies and start a reader of its own on its next
 *	use; the registrations it inherited are stale (key below firstKey)
 *	and dbusUnixWatch.c registers those sockets again (DbusWatchRearm).
 *
 * Copyright (c) 2026 the tcl-dbus authors.
 * See the file "README" for information on usage and redistribution.
 */

#include "dbusInt.h"

#ifdef __linux__
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/*
 * The event queued to a connection's thread when its socket is readable.
 */

typedef struct ReaderEvent {
    Tcl_Event header;		/* must be first; ckalloc'ed by the reader
				 * thread, freed by Tcl after the proc */
    unsigned long key;		/* the registration that fired */
} ReaderEvent;

/*
 * Reader states.
 */

enum { READER_UNTRIED, READER_RUNNING, READER_UNAVAILABLE, READER_STOPPED };

/*
 * Process-wide state, all guarded by readerMutex.
 */

static Tcl_Mutex readerMutex;
static int readerState = READER_UNTRIED;
static int epollFd = -1;	/* owned: the epoll set */
static int stopFd = -1;		/* owned: eventfd that ends the thread */
static Tcl_ThreadId readerThread;
static Tcl_HashTable registry;	/* key -> Tcl_ThreadId of the connection's
				 * thread (one-word keys) */
static int registryInit = 0;	/* registry initialised (a forked child
				 * inherits it and deletes it on start) */
static unsigned long nextKey = 1;
static unsigned long firstKey = 1;
				/* keys below it belong to the reader of the
				 * parent of a fork (stale in the child); set
				 * in the child only, single-threaded then, so
				 * read without the lock */
static int threadStarted = 0;	/* the reader thread has begun to run
				 * (ReaderStart waits for it) */
static Tcl_Condition startedCond;
				/* signalled when threadStarted is set */
static int handlersInstalled = 0;
				/* exit and fork handlers registered (once per
				 * process image; a child inherits them) */

static Tcl_ThreadCreateProc ReaderThreadProc;
static Tcl_ExitProc ReaderStop;
static void	ReaderAtForkPrepare(void);
static void	ReaderAtForkParent(void);
static void	ReaderAtForkChild(void);
static int	ReaderEventProc(Tcl_Event *evPtr, int flags);

/*
 *----------------------------------------------------------------------
 *
 * ReaderStart --
 *
 *	Start the reader thread, unless TCLDBUS_READER is 0 or the system
 *	refuses (then every socket stays with the notifier), and wait until
 *	it runs: a thread still starting holds the C runtime's locks of its
 *	own start-up (a sanitizer runtime's allocator, whose locks a fork
 *	does not reset), and a process that forks right after its first
 *	connection (Expect's or TclX's fork) must not catch it there.
 *	Called with readerMutex held, once (once more in a forked child).
 *
 * Results:
 *	None; readerState becomes READER_RUNNING or READER_UNAVAILABLE.
 *
 * Side effects:
 *	Creates the epoll set, the stop eventfd, the registry and the
 *	thread; registers the process exit handler that stops it and the
 *	fork handlers (once per process image); waits on startedCond
 *	(readerMutex is released meanwhile).
 *
 *----------------------------------------------------------------------
 */

static void
ReaderStart(void)
{
    const char *env = getenv("TCLDBUS_READER");
    struct epoll_event ev;

    readerState = READER_UNAVAILABLE;
    if (env != NULL && strcmp(env, "0") == 0) {
	return;
    }
    epollFd = epoll_create1(EPOLL_CLOEXEC);
    if (epollFd < 0) {
	return;
    }
    stopFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.u64 = 0;		/* key 0: the stop descriptor */
    if (stopFd < 0 || epoll_ctl(epollFd, EPOLL_CTL_ADD, stopFd, &ev) < 0) {
	goto fail;
    }
    if (registryInit) {
	Tcl_DeleteHashTable(&registry);	/* a forked child's copy */
    }
    Tcl_InitHashTable(&registry, TCL_ONE_WORD_KEYS);
    registryInit = 1;
    threadStarted = 0;
    if (Tcl_CreateThread(&readerThread, ReaderThreadProc, NULL,
	    TCL_THREAD_STACK_DEFAULT, TCL_THREAD_JOINABLE) != TCL_OK) {
	Tcl_DeleteHashTable(&registry);
	registryInit = 0;
	goto fail;
    }
    while (!threadStarted) {
	Tcl_ConditionWait(&startedCond, &readerMutex, NULL);
    }
    readerState = READER_RUNNING;
    if (!handlersInstalled) {
	handlersInstalled = 1;
	Tcl_CreateExitHandler(ReaderStop, NULL);
	(void) pthread_atfork(ReaderAtForkPrepare, ReaderAtForkParent,
		ReaderAtForkChild);
    }
    return;

  fail:
    if (stopFd >= 0) {
	close(stopFd);
	stopFd = -1;
    }
    close(epollFd);
    epollFd = -1;
}

/*
 *----------------------------------------------------------------------
 *
 * ReaderStop --
 *
 *	Process exit handler: end the reader thread and wait for it.
 *	Connections closed later (thread exit handlers run after the
 *	process exit handlers) find the reader stopped and only forget
 *	their key.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Joins the thread, closes the epoll set and the eventfd, frees the
 *	registry.
 *
 *----------------------------------------------------------------------
 */

static void
ReaderStop(
    ClientData clientData)
{
    uint64_t one = 1;
    int result;

    (void) clientData;
    Tcl_MutexLock(&readerMutex);
    if (readerState != READER_RUNNING) {
	Tcl_MutexUnlock(&readerMutex);
	return;
    }
    readerState = READER_STOPPED;
    if (write(stopFd, &one, sizeof(one)) < 0) {
	/* a full eventfd counter still wakes the thread */
    }
    Tcl_MutexUnlock(&readerMutex);
    Tcl_JoinThread(readerThread, &result);
    Tcl_MutexLock(&readerMutex);
    close(epollFd);
    close(stopFd);
    epollFd = stopFd = -1;
    Tcl_DeleteHashTable(&registry);
    registryInit = 0;
    Tcl_ConditionFinalize(&startedCond);
    Tcl_MutexUnlock(&readerMutex);
}

/*
 *----------------------------------------------------------------------
 *
 * ReaderAtForkPrepare, ReaderAtForkParent, ReaderAtForkChild --
 *
 *	pthread_atfork handlers.  The lock is held across fork() so that
 *	the child's copy of it is free (the reader thread takes it for
 *	every event it queues).  In the child, which has no reader thread,
 *	the epoll set and the eventfd are the parent's: the child closes
 *	its descriptors of them (the parent's stay open) and forgets the
 *	reader, so that nothing it does later (closing a connection it
 *	inherited, exiting) reaches the parent's reader; its next
 *	registration starts a reader of its own, and the keys it inherited
 *	are stale (below firstKey).
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Lock and unlock readerMutex; in the child, close two descriptors
 *	and reset readerState, firstKey.
 *
 *----------------------------------------------------------------------
 */

static void
ReaderAtForkPrepare(void)
{
    Tcl_MutexLock(&readerMutex);
}

static void
ReaderAtForkParent(void)
{
    Tcl_MutexUnlock(&readerMutex);
}

static void
ReaderAtForkChild(void)
{
    if (readerState == READER_RUNNING) {
	close(epollFd);
	close(stopFd);
	epollFd = stopFd = -1;
	readerState = READER_UNTRIED;
    }
    firstKey = nextKey;
    Tcl_MutexUnlock(&readerMutex);
}

/*
 *----------------------------------------------------------------------
 *
 * ReaderThreadProc --
 *
 *	The reader thread: wait for registered sockets to become readable
 *	and queue a ReaderEvent to each one's thread, which is then woken.
 *
 * Results:
 *	None (the thread ends when ReaderStop signals the stop eventfd).
 *
 * Side effects:
 *	Sets threadStarted (waking ReaderStart) as it begins;
 *	Tcl_ThreadQueueEvent, Tcl_ThreadAlert.  A fired registration stays
 *	disarmed (EPOLLONESHOT) until DbusReaderArm.
 *
 *----------------------------------------------------------------------
 */

static Tcl_ThreadCreateType
ReaderThreadProc(
    ClientData clientData)
{
    struct epoll_event evs[32];

    (void) clientData;
    Tcl_MutexLock(&readerMutex);
    threadStarted = 1;
    Tcl_ConditionNotify(&startedCond);
    Tcl_MutexUnlock(&readerMutex);
    for (;;) {
	int i, n = epoll_wait(epollFd, evs, 32, -1);

	if (n < 0) {
	    if (errno == EINTR) {
		continue;
	    }
	    break;
	}
	Tcl_MutexLock(&readerMutex);
	if (readerState != READER_RUNNING) {
	    Tcl_MutexUnlock(&readerMutex);
	    break;
	}
	for (i = 0; i < n; i++) {
	    unsigned long key = (unsigned long) evs[i].data.u64;
	    Tcl_HashEntry *hPtr;
	    Tcl_ThreadId tid;
	    ReaderEvent *evPtr;

	    if (key == 0) {
		continue;
	    }
	    hPtr = Tcl_FindHashEntry(&registry, (char *) key);
	    if (hPtr == NULL) {
		continue;		/* removed after it fired */
	    }

	    /*
	     * Queued and alerted with the mutex held: a removal (made
	     * before the thread's notifier is finalized) waits for us.
	     */

	    tid = (Tcl_ThreadId) Tcl_GetHashValue(hPtr);
	    evPtr = (ReaderEvent *) ckalloc(sizeof(ReaderEvent));
	    evPtr->header.proc = ReaderEventProc;
	    evPtr->key = key;
	    Tcl_ThreadQueueEvent(tid, (Tcl_Event *) evPtr, TCL_QUEUE_TAIL);
	    Tcl_ThreadAlert(tid);
	}
	Tcl_MutexUnlock(&readerMutex);
    }
    TCL_THREAD_CREATE_RETURN;
}

/*
 *----------------------------------------------------------------------
 *
 * ReaderEventProc --
 *
 *	In the connection's thread: a registered socket was readable.
 *
 * Results:
 *	1 (handled), or 0 while file events are not serviced (the event
 *	stays queued).
 *
 * Side effects:
 *	See DbusWatchReaderReady.
 *
 *----------------------------------------------------------------------
 */

static int
ReaderEventProc(
    Tcl_Event *evPtr,
    int flags)
{
    if (!(flags & TCL_FILE_EVENTS)) {
	return 0;
    }
    DbusWatchReaderReady(((ReaderEvent *) evPtr)->key);
    return 1;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReaderAdd --
 *
 *	Have the reader thread watch fd for reading on behalf of the
 *	calling thread, armed.  Starts the thread on first use.
 *
 * Results:
 *	The registration's key (never 0), or 0 when there is no reader
 *	(TCLDBUS_READER=0, no epoll, the thread could not start or has
 *	stopped, fd refused): the caller keeps the socket with the
 *	notifier.
 *
 * Side effects:
 *	May start the reader thread; adds fd to the epoll set and the key
 *	to the registry (until DbusReaderRemove).
 *
 *----------------------------------------------------------------------
 */

unsigned long
DbusReaderAdd(
    int fd)
{
    struct epoll_event ev;
    unsigned long key = 0;
    int isNew;

    Tcl_MutexLock(&readerMutex);
    if (readerState == READER_UNTRIED) {
	ReaderStart();
    }
    if (readerState == READER_RUNNING) {
	key = nextKey++;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = key;
	if (epoll_ctl(epollFd, EPOLL_CTL_ADD, fd, &ev) < 0) {
	    key = 0;
	} else {
	    Tcl_SetHashValue(Tcl_CreateHashEntry(&registry, (char *) key,
		    &isNew), (ClientData) Tcl_GetCurrentThread());
	}
    }
    Tcl_MutexUnlock(&readerMutex);
    return key;
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReaderArm --
 *
 *	Arm a fired registration again: the reader reports fd once more as
 *	soon as it is readable (at once if it is now).  A stale key (one
 *	the parent of a fork registered, see DbusReaderFirstKey) is left
 *	alone.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	epoll_ctl (a system call; no other thread is woken unless fd is
 *	readable).
 *
 *----------------------------------------------------------------------
 */

void
DbusReaderArm(
    unsigned long key,
    int fd)
{
    struct epoll_event ev;

    if (key < firstKey) {
	return;
    }
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u64 = key;

    /*
     * No lock: the epoll set lives until the process exit handler, and
     * after it a failing call is harmless.
     */

    (void) epoll_ctl(epollFd, EPOLL_CTL_MOD, fd, &ev);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReaderRemove --
 *
 *	Stop watching fd (before it is closed).  An event it fired that is
 *	still queued finds no registration and does nothing.
 *
 * Results:
 *	None.
 *
 * Side effects:
 *	Removes the key from the registry and fd from the epoll set.
 *
 *----------------------------------------------------------------------
 */

void
DbusReaderRemove(
    unsigned long key,
    int fd)
{
    Tcl_HashEntry *hPtr;

    Tcl_MutexLock(&readerMutex);
    if (readerState == READER_RUNNING) {
	hPtr = Tcl_FindHashEntry(&registry, (char *) key);
	if (hPtr != NULL) {
	    Tcl_DeleteHashEntry(hPtr);

	    /*
	     * Only a key of this reader: fd may be registered under
	     * another key (a stale one, after a fork, is not ours).
	     */

	    (void) epoll_ctl(epollFd, EPOLL_CTL_DEL, fd, NULL);
	}
    }
    Tcl_MutexUnlock(&readerMutex);
}

/*
 *----------------------------------------------------------------------
 *
 * DbusReaderFirstKey --
 *
 *	The lowest key of a registration this process can have: in a child
 *	forked (without exec) from a process with a reader, every key
 *	registered before the fork is below it and stale (the parent's
 *	reader has it, not the child).
 *
 * Results:
 *	The key; 1 in a process that was not forked since its reader
 *	started.
 *
 * Side effects:
 *	None.
 *
 *----------------------------------------------------------------------
 */

unsigned long
DbusReaderFirstKey(void)
{
    return firstKey;
}

#else /* !__linux__ */

/*
 * No epoll: every socket stays with the notifier.
 */

unsigned long
DbusReaderAdd(
    int fd)
{
    (void) fd;
    return 0;
}

void
DbusReaderArm(
    unsigned long key,
    int fd)
{
    (void) key;
    (void) fd;
}

void
DbusReaderRemove(
    unsigned long key,
    int fd)
{
    (void) key;
    (void) fd;
}

unsigned long
DbusReaderFirstKey(void)
{
    return 1;
}

#endif /* __linux__ */

/*
 * Local Variables:
 * mode: c
 * c-basic-offset: 4
 * fill-column: 78
 * End:
 */
